/*
 * Checks on the files a party reads (roster, CA, its cert+key), made
 * before NNG or the TLS engine sees them, so every problem is reported
 * with the file's path and what to do about it, not as NNG's "Entry not
 * found" or a TLS engine's guess.
 *
 * Files holding a secret (the roster's session key, a private key) are
 * refused, as ssh refuses a private key, when group or others may read or
 * write them or when they belong to someone other than this user or root.
 *
 * Every error is one line in err: "<path>: <what is wrong>: <what to do>".
 * Threading: none.
 */
#ifndef NNG_MPC_NNGMPC_FILES_H
#define NNG_MPC_NNGMPC_FILES_H

#include <stdbool.h>
#include <stddef.h>

/* Largest PEM file read for a check (a chain of a few certificates). */
#define NNGMPC_FILES_PEM_MAX (256u * 1024u)

/* fd is open on path, which holds `what` (e.g. "the session key"): it must
 * be a regular file, owned by this user or root, mode without group/other
 * bits. */
bool nngmpc_file_private(int fd, const char *path, const char *what,
    char *err, size_t errlen) __attribute__((warn_unused_result));

/* path holds at least one PEM certificate (a CA file). */
bool nngmpc_file_check_cert(const char *path, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* path holds a certificate and its private key (NNG_OPT_TLS_CERT_KEY_FILE)
 * and is private (nngmpc_file_private). */
bool nngmpc_file_check_certkey(const char *path, char *err, size_t errlen)
    __attribute__((warn_unused_result));

#endif /* NNG_MPC_NNGMPC_FILES_H */
