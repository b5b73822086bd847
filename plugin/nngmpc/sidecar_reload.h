/*
 * sidecar_reload.h -- what a SIGHUP of `nngmpc node --serve` does beyond
 * the roster's party list (which sidecar.c keeps): the re-read file is
 * checked as at start-up, then the pipe filter's settings that changed,
 * the pins and deny list, the CA (with the CRLs it carries) and our
 * certificate are applied to
 * the live mesh with nng_mpc_socket_reload (include/nng_mpc.h), which
 * closes only the connections whose peer no longer passes.  What needs a
 * restart is named, not applied.
 *
 * Every function writes its lines through say ("nngmpc node: " + text,
 * sidecar.c's status line); none calls back into sidecar.c.
 *
 * Threading: the sidecar's main thread (where SIGHUP is handled).
 */
#ifndef NNG_MPC_NNGMPC_SIDECAR_RELOAD_H
#define NNG_MPC_NNGMPC_SIDECAR_RELOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nng/nng.h>

#include "roster.h"

typedef void (*nngmpc_say_fn)(const char *fmt, ...);

/*
 * The start-up checks of party id on the re-read roster r: its own line
 * and, over TLS, the CA and certificate files (presence, contents,
 * permissions, key, party, the CA verifies it: node_check.h), and every
 * pipe-filter line's value.  false with why in err (naming the file).
 */
bool nngmpc_reload_check(const struct nngmpc_roster *r, uint32_t id,
    char *err, size_t errlen) __attribute__((warn_unused_result));

/* At start (the mesh's setup hook): the file's pins and deny list, when
 * it has them.  0 or the error with *what the line. */
int nngmpc_reload_start(nng_socket mesh, const struct nngmpc_roster *r,
    const char **what) __attribute__((warn_unused_result));

/* One line for each change cur -> next that needs a restart: session ID
 * or key, scheme, our own address; a new party we would have to dial. */
void nngmpc_reload_unapplied(const struct nngmpc_roster *cur,
    const struct nngmpc_roster *next, uint32_t id, nngmpc_say_fn say);

/*
 * Applies next (checked) to the mesh socket: the changed pipe-filter
 * lines (one line each), then, over TLS, the CA and CRLs and our
 * certificate re-read through nng_mpc_socket_reload, and one line per
 * connection it closed.  Returns 0, or the error (reported; what was
 * applied before it stays).  *kept gets the connections still up.
 */
int nngmpc_reload_apply(nng_socket mesh, const struct nngmpc_roster *cur,
    const struct nngmpc_roster *next, uint32_t id, uint32_t *kept,
    nngmpc_say_fn say) __attribute__((warn_unused_result));

/* The roster that runs now: start (the one the node started with) until
 * nngmpc_reload_adopt recorded what a reload applied.  Module state: one
 * sidecar per process. */
const struct nngmpc_roster *nngmpc_reload_current(
    const struct nngmpc_roster *start);

/* Records what nngmpc_reload_apply applied of next: everything but what
 * needs a restart, which stays as it runs. */
void nngmpc_reload_adopt(const struct nngmpc_roster *next, uint32_t id);
/* At exit: wipes the copy kept by nngmpc_reload_current (it holds the
 * session key). */
void nngmpc_reload_forget(void);

#endif /* NNG_MPC_NNGMPC_SIDECAR_RELOAD_H */
