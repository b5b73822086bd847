/*
 * A party's bus0 socket joined to the roster's mesh (mesh.c explains).
 * Threading: see mesh.c.
 */
#ifndef NNG_MPC_NNGMPC_MESH_H
#define NNG_MPC_NNGMPC_MESH_H

#include <stdbool.h>

#include <nng/nng.h>

#include "roster.h"

struct nngmpc_mesh_params {
	const struct nngmpc_roster *roster;
	const struct nngmpc_party  *self;
	/* Called for NNG_PIPE_EV_ADD_POST and NNG_PIPE_EV_REM_POST. */
	void (*pipe_cb)(nng_pipe, nng_pipe_ev, void *);
	/* Called for NNG_PIPE_EV_ADD_PRE (it may close the pipe), or NULL. */
	void (*pre_cb)(nng_pipe, nng_pipe_ev, void *);
	/* Socket settings made before any endpoint exists (the pipe filter's,
	 * which endpoints inherit), or NULL; sets *what on failure. */
	int (*setup)(nng_socket, void *, const char **what);
	void *arg;
	int   recv_ms; /* NNG_OPT_RECVTIMEO of the socket */
	/* NNG_OPT_MPC_RELIABLE on every endpoint: delivery streams, so what
	 * was sent can be drained until each party acknowledged it. */
	bool reliable;
};

/* Opens *sock, listens, starts the dialers (non-blocking: they redial
 * until the peer is up).  Returns 0 or an NNG error, reported on stderr
 * with what failed. */
int nngmpc_mesh_open(nng_socket *sock, const struct nngmpc_mesh_params *mp)
    __attribute__((warn_unused_result));

#endif /* NNG_MPC_NNGMPC_MESH_H */
