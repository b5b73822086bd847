/*
 * The files of `nngmpc certs` and `nngmpc certs sign`: written atomically
 * with their mode set before any byte (a temporary file in the target
 * directory, then linked into place, refusing to replace an existing file
 * unless asked, so a file that appeared meanwhile is not lost), read whole
 * with a size limit, and the CA a directory holds loaded with errors that
 * say what to do.  `cmd` is the subcommand named in error messages.
 * Threading: none.
 */
#ifndef NNG_MPC_NNGMPC_CERTS_IO_H
#define NNG_MPC_NNGMPC_CERTS_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "mpc_certgen.h"

/* Upper bound for a PEM file read here (CA, key, request). */
#define NNGMPC_CERTS_READ_MAX (64 * 1024)

/* Writes parts (concatenated) to dir/name with `mode`, atomically;
 * replaces an existing file only when `replace`. */
int nngmpc_certs_write(const char *cmd, const char *dir, const char *name,
    const char *const *parts, const size_t *lens, size_t nparts, mode_t mode,
    bool replace) __attribute__((warn_unused_result));

/* Reads a whole file of at most NNGMPC_CERTS_READ_MAX bytes into *buf
 * (NUL-terminated, NNGMPC_CERTS_READ_MAX + 1 bytes: wipe and free). */
int nngmpc_certs_read(const char *cmd, const char *path, char **buf,
    size_t *len) __attribute__((warn_unused_result));

/* Loads dir/ca.pem and dir/ca.key. */
int nngmpc_certs_load_ca(const char *cmd, const char *dir, time_t now,
    mpc_certgen_ca **ca) __attribute__((warn_unused_result));

#endif /* NNG_MPC_NNGMPC_CERTS_IO_H */
