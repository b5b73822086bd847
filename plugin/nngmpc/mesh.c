/*
 * mesh.c -- a party's bus0 socket joined to the roster's mesh: it listens
 * on the party's own address and dials every party with a lower ID (so
 * each pair has exactly one connection: the transport refuses a second
 * one from the same party); NNG redials a party that goes away, every
 * 50..500 ms.  `nngmpc node` uses it both for its rounds (node.c) and as
 * a sidecar (sidecar.c).
 *
 * Threading: one call from the caller's thread; the pipe callback runs on
 * NNG's threads.
 */
#include <stdio.h>

#include <nng/nng.h>
#include <nng/protocol/bus0/bus.h>
#include <nng/supplemental/tls/tls.h>

#include "mesh.h"
#include "nng_mpc.h"
#include "nngmpc.h"

#define MESH_CMD "node"

/*
 * Endpoint options.  NNG 1.5.2 keeps an unknown socket option only once an
 * endpoint has accepted it (src/core/socket.c), so the MPC settings go on
 * each dialer and listener, which is also where the session key stays
 * write-only.
 */
struct mesh_ep {
	int (*set)(void *, const char *, const void *, size_t);
	int (*set_int)(void *, const char *, int);
	int (*set_string)(void *, const char *, const char *);
	void *ep;
};

static int
dialer_set(void *ep, const char *name, const void *v, size_t sz)
{
	return (nng_dialer_set(*(nng_dialer *) ep, name, v, sz));
}

static int
dialer_set_int(void *ep, const char *name, int v)
{
	return (nng_dialer_set_int(*(nng_dialer *) ep, name, v));
}

static int
dialer_set_string(void *ep, const char *name, const char *v)
{
	return (nng_dialer_set_string(*(nng_dialer *) ep, name, v));
}

static int
listener_set(void *ep, const char *name, const void *v, size_t sz)
{
	return (nng_listener_set(*(nng_listener *) ep, name, v, sz));
}

static int
listener_set_int(void *ep, const char *name, int v)
{
	return (nng_listener_set_int(*(nng_listener *) ep, name, v));
}

static int
listener_set_string(void *ep, const char *name, const char *v)
{
	return (nng_listener_set_string(*(nng_listener *) ep, name, v));
}

/* Party, session and, over TLS, the CA, our certificate and the name to
 * verify in the peer's (dialers; NULL peer for the listener). */
static int
mesh_ep_setup(const struct nngmpc_mesh_params *mp, const struct mesh_ep *e,
    const struct nngmpc_party *peer, const char **what)
{
	const struct nngmpc_roster *r = mp->roster;
	int                         rv;

	if ((*what = NNG_OPT_MPC_PARTY_ID,
	        rv = e->set_int(e->ep, NNG_OPT_MPC_PARTY_ID,
	            (int) mp->self->id)) != 0 ||
	    (*what = NNG_OPT_MPC_SESSION_ID,
	        rv = e->set(e->ep, NNG_OPT_MPC_SESSION_ID, r->session_id,
	            sizeof(r->session_id))) != 0 ||
	    (*what = NNG_OPT_MPC_SESSION_KEY,
	        rv = e->set(e->ep, NNG_OPT_MPC_SESSION_KEY, r->session_key,
	            sizeof(r->session_key))) != 0 ||
	    (mp->reliable &&
	        (*what = NNG_OPT_MPC_RELIABLE,
	            rv = e->set(e->ep, NNG_OPT_MPC_RELIABLE, &mp->reliable,
	                sizeof(mp->reliable))) != 0)) {
		return (rv);
	}
	if (!nngmpc_roster_is_tls(r)) {
		return (0);
	}
	if ((*what = NNG_OPT_TLS_CA_FILE,
	        rv = e->set_string(e->ep, NNG_OPT_TLS_CA_FILE, r->ca)) != 0 ||
	    (*what = NNG_OPT_TLS_CERT_KEY_FILE,
	        rv = e->set_string(e->ep, NNG_OPT_TLS_CERT_KEY_FILE,
	            mp->self->certkey)) != 0) {
		return (rv);
	}
	if (peer != NULL && peer->server_name[0] != '\0') {
		*what = NNG_OPT_TLS_SERVER_NAME;
		rv    = e->set_string(e->ep, NNG_OPT_TLS_SERVER_NAME,
		       peer->server_name);
	}
	return (rv);
}

int
nngmpc_mesh_open(nng_socket *sock, const struct nngmpc_mesh_params *mp)
{
	const struct nngmpc_roster *r = mp->roster;
	char                        url[NNGMPC_ROSTER_URL_MAX];
	nng_listener                l;
	int                         rv;

	const char *what = "bus0 socket";

	if ((rv = nng_bus0_open(sock)) != 0 ||
	    (what = NNG_OPT_RECVTIMEO,
	        rv = nng_socket_set_ms(*sock, NNG_OPT_RECVTIMEO,
	            mp->recv_ms)) != 0 ||
	    (what = NNG_OPT_RECONNMINT,
	        rv = nng_socket_set_ms(*sock, NNG_OPT_RECONNMINT, 50)) != 0 ||
	    (what = NNG_OPT_RECONNMAXT,
	        rv = nng_socket_set_ms(*sock, NNG_OPT_RECONNMAXT, 500)) != 0 ||
	    (what = "pipe notifications",
	        rv = nng_pipe_notify(*sock, NNG_PIPE_EV_ADD_POST,
	            mp->pipe_cb, mp->arg)) != 0 ||
	    (rv = nng_pipe_notify(*sock, NNG_PIPE_EV_REM_POST, mp->pipe_cb,
	         mp->arg)) != 0 ||
	    ((mp->pre_cb != NULL) &&
	        (rv = nng_pipe_notify(*sock, NNG_PIPE_EV_ADD_PRE, mp->pre_cb,
	             mp->arg)) != 0) ||
	    ((mp->setup != NULL) &&
	        (rv = mp->setup(*sock, mp->arg, &what)) != 0)) {
		nngmpc_error(MESH_CMD, "cannot set up the socket (%s): %s", what,
		    nng_mpc_strerror(rv));
		return (rv);
	}

	/* The listener: our own address. */
	if (!nngmpc_roster_url(r, mp->self, url, sizeof(url))) {
		nngmpc_error(MESH_CMD, "party %u: address too long",
		    (unsigned) mp->self->id);
		return (NNG_EINVAL);
	}
	what = "listener";
	if ((rv = nng_listener_create(&l, *sock, url)) == 0) {
		struct mesh_ep e = { listener_set, listener_set_int,
			listener_set_string, &l };
		if ((rv = mesh_ep_setup(mp, &e, NULL, &what)) == 0) {
			what = "listen";
			rv   = nng_listener_start(l, 0);
		}
	}
	if (rv != 0) {
		nngmpc_error(MESH_CMD, "cannot listen on %s (%s): %s", url,
		    what, nng_mpc_strerror(rv));
		if (rv == NNG_EADDRINUSE) {
			nngmpc_hint("another process uses that address: stop "
			            "it, or give party %u another address in "
			            "the roster",
			    (unsigned) mp->self->id);
		} else if (rv == NNG_ENOENT || rv == NNG_ECRYPTO ||
		    rv == NNG_EINVAL) {
			nngmpc_hint("check the roster's 'ca' path and party "
			            "%u's cert+key file",
			    (unsigned) mp->self->id);
		}
		return (rv);
	}

	/* Dial every party with a lower ID: one connection per pair. */
	for (size_t i = 0; i < r->nparties; i++) {
		const struct nngmpc_party *p = &r->parties[i];
		nng_dialer                 d;

		if (p->id >= mp->self->id) {
			continue;
		}
		if (!nngmpc_roster_url(r, p, url, sizeof(url))) {
			return (NNG_EINVAL);
		}
		what = "dialer";
		if ((rv = nng_dialer_create(&d, *sock, url)) == 0) {
			struct mesh_ep e = { dialer_set, dialer_set_int,
				dialer_set_string, &d };
			if ((rv = mesh_ep_setup(mp, &e, p, &what)) == 0) {
				/* Non-blocking: redials until the peer is up. */
				what = "dial";
				rv   = nng_dialer_start(d, NNG_FLAG_NONBLOCK);
			}
		}
		if (rv != 0) {
			nngmpc_error(MESH_CMD,
			    "cannot dial party %u at %s (%s): %s",
			    (unsigned) p->id, url, what, nng_mpc_strerror(rv));
			return (rv);
		}
	}
	return (0);
}

