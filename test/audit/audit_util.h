/*
 * audit_util.h -- helpers of the audit log tests: a fresh directory with
 * keys (the real keygen), events handed to the real observer ops, the
 * real verifier, and line-level edits of a log file (what an attacker with
 * the machine would do).  Every helper asserts (CMocka).
 */
#ifndef NNG_MPC_TEST_AUDIT_UTIL_H
#define NNG_MPC_TEST_AUDIT_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "mpc_audit.h"

struct au_env {
	char dir[256];
	char log[320];    /* DIR/audit.log */
	char seal[320];   /* DIR/keys/audit.seal */
	char verify[320]; /* DIR/keys/audit.verify */
};

/* A temporary directory with DIR/keys made by mpc_audit_keygen. */
void au_setup(struct au_env *e);
/* Removes the directory. */
void au_teardown(struct au_env *e);

/* nng_mpc_audit_open(e->log, e->seal, o), asserting success. */
nng_mpc_audit *au_open(struct au_env *e, const nng_mpc_audit_opts *o);

/* n transport events (handshake, refused, pipe_closed, ... in turn)
 * through the observer ops' ev_event; i0 numbers them. */
void au_events(nng_mpc_audit *log, int i0, int n);

/* Verifies the given files (NULL-terminated list) with e's verify key;
 * opts may be NULL.  Returns mpc_audit_verify's code; r filled. */
int au_verify(struct au_env *e, const char *const *files,
    const struct mpc_audit_verify_opts *opts,
    struct mpc_audit_verify_result *r);

/* Asserts verification failed with NNG_MPC_EAUDITBAD, `what` containing
 * needle and `where` ending in ":line" (line 0: any). */
void au_expect_bad(struct au_env *e, const char *const *files,
    const struct mpc_audit_verify_opts *opts, const char *needle, int line);

/* A file as lines (without newlines); au_lines_free releases. */
struct au_lines {
	char **l;
	size_t n;
};
void au_lines_read(const char *path, struct au_lines *ls);
void au_lines_write(const char *path, const struct au_lines *ls);
void au_lines_free(struct au_lines *ls);
/* Index of the first line whose text contains needle at or after from. */
size_t au_lines_find(const struct au_lines *ls, size_t from,
    const char *needle);

/* The whole file (NUL-terminated, *len bytes); caller frees. */
char *au_slurp(const char *path, size_t *len);

#endif /* NNG_MPC_TEST_AUDIT_UTIL_H */
