/*
 * mpc_tran.c -- the mpc+tcp://, mpc+tls+tcp:// and mpc+ipc:// transports:
 * ops tables, registration, dialer and listener endpoints, and the
 * per-socket registry of connected parties.
 *
 * The structure follows NNG 1.5.2's own stream transports
 * (src/sp/transport/tcp/tcp.c, tls/tls.c): an endpoint owns an NNG stream
 * dialer or listener for the inner URL (mpc+tcp://h:p runs over tcp://h:p,
 * mpc+tls+tcp:// over tls+tcp://, so TLS goes through NNG's TLS layer and
 * therefore through whatever engine is registered; mpc+ipc:// over ipc://);
 * each connection becomes a pipe that negotiates (mpc_tran_nego.c) before
 * the endpoint hands it to the socket.  Pipes that fail negotiation never
 * reach the socket.
 *
 * Locking: see mpc_tran.h.
 */
#include <string.h>

#include "mpc_tran.h"
#include "mpc_tran_env.h"

/* ---------------------------------------------------------------------- *
 * The party registry: which authenticated parties each socket has a pipe
 * to.  A second connection claiming a party the socket already talks to is
 * refused (NNG_MPC_EDUPPARTY): a party is one peer, and addressed delivery
 * needs one pipe per party.  Bounded by the number of live pipes.
 * ---------------------------------------------------------------------- */

static nni_mtx  mpc_tran_party_lk;
static nni_list mpc_tran_party_list;

static bool
mpc_tran_party_find_locked(uint32_t sock_id, uint32_t party)
{
	mpc_tran_pipe *p;

	NNI_LIST_FOREACH (&mpc_tran_party_list, p) {
		if (p->ep->sock_id == sock_id && p->peer_id == party) {
			return (true);
		}
	}
	return (false);
}

bool
mpc_tran_party_connected(uint32_t sock_id, uint32_t party)
{
	bool found;

	nni_mtx_lock(&mpc_tran_party_lk);
	found = mpc_tran_party_find_locked(sock_id, party);
	nni_mtx_unlock(&mpc_tran_party_lk);
	return (found);
}

int
mpc_tran_party_register(mpc_tran_pipe *p)
{
	int rv = 0;

	nni_mtx_lock(&mpc_tran_party_lk);
	if (mpc_tran_party_find_locked(p->ep->sock_id, p->peer_id)) {
		rv = NNG_MPC_EDUPPARTY;
	} else {
		nni_list_append(&mpc_tran_party_list, p);
		p->registered = true;
	}
	nni_mtx_unlock(&mpc_tran_party_lk);
	return (rv);
}

void
mpc_tran_party_unregister(mpc_tran_pipe *p)
{
	nni_mtx_lock(&mpc_tran_party_lk);
	if (p->registered) {
		nni_list_remove(&mpc_tran_party_list, p);
		p->registered = false;
	}
	nni_mtx_unlock(&mpc_tran_party_lk);
}

/* ---------------------------------------------------------------------- *
 * Endpoints
 * ---------------------------------------------------------------------- */

static void mpc_tran_ep_fini(void *);

static nni_reap_list mpc_tran_ep_reap_list = {
	.rl_offset = offsetof(mpc_tran_ep, reap),
	.rl_func   = mpc_tran_ep_fini,
};

static void
mpc_tran_init(void)
{
	nni_mtx_init(&mpc_tran_party_lk);
	NNI_LIST_INIT(&mpc_tran_party_list, mpc_tran_pipe, party_node);
}

static void
mpc_tran_fini(void)
{
	nni_mtx_fini(&mpc_tran_party_lk);
}

/* Called by a pipe's fini: drops its reference on the endpoint. */
void
mpc_tran_ep_pipe_gone(mpc_tran_ep *ep, mpc_tran_pipe *p)
{
	nni_mtx_lock(&ep->mtx);
	nni_list_node_remove(&p->node);
	ep->refcnt--;
	if (ep->fini && (ep->refcnt == 0)) {
		nni_reap(&mpc_tran_ep_reap_list, ep);
	}
	nni_mtx_unlock(&ep->mtx);
}

/* Hands the first negotiated pipe to a waiting accept/connect.  Locked. */
void
mpc_tran_ep_match(mpc_tran_ep *ep)
{
	nni_aio *      aio;
	mpc_tran_pipe *p;

	if (((aio = ep->useraio) == NULL) ||
	    ((p = nni_list_first(&ep->waitpipes)) == NULL)) {
		return;
	}
	nni_list_remove(&ep->waitpipes, p);
	nni_list_append(&ep->busypipes, p);
	ep->useraio = NULL;
	mpc_tran_pipe_set_rcvmax(p, ep->rcvmax);
	nni_aio_set_output(aio, 0, p);
	nni_aio_finish(aio, 0, 0);
}

/*
 * Reports a failed negotiation.  A dialer's user learns the specific
 * reason (nng_dial() returns it).  A listener does not report it to its
 * accept: NNG's listener backs off 100 ms on unknown accept errors, which
 * would let any client stall accepts; the endpoint's rejection counters
 * record it instead.  Locked.
 */
void
mpc_tran_ep_nego_failed(mpc_tran_ep *ep, int rv)
{
	nni_aio *aio;

	if (ep->is_dialer && ((aio = ep->useraio) != NULL)) {
		ep->useraio = NULL;
		nni_aio_finish_error(aio, rv);
	}
}

static void
mpc_tran_ep_fini(void *arg)
{
	mpc_tran_ep *ep = arg;

	nni_mtx_lock(&ep->mtx);
	ep->fini = true;
	if (ep->refcnt != 0) {
		nni_mtx_unlock(&ep->mtx);
		return;
	}
	nni_mtx_unlock(&ep->mtx);
	nni_aio_stop(ep->timeaio);
	nni_aio_stop(ep->connaio);
	nng_stream_dialer_free(ep->dialer);
	nng_stream_listener_free(ep->listener);
	mpc_tran_ep_tls_fini(ep);
	nni_aio_free(ep->timeaio);
	nni_aio_free(ep->connaio);
	if (ep->inner != NULL) {
		nni_url_free(ep->inner);
	}
	mpc_tran_cfg_wipe(&ep->cfg);
	nni_mtx_fini(&ep->mtx);
	NNI_FREE_STRUCT(ep);
}

static void
mpc_tran_ep_close(void *arg)
{
	mpc_tran_ep *  ep = arg;
	mpc_tran_pipe *p;

	nni_mtx_lock(&ep->mtx);
	ep->closed = true;
	nni_aio_close(ep->timeaio);
	if (ep->dialer != NULL) {
		nng_stream_dialer_close(ep->dialer);
	}
	if (ep->listener != NULL) {
		nng_stream_listener_close(ep->listener);
	}
	NNI_LIST_FOREACH (&ep->negopipes, p) {
		mpc_tran_pipe_close(p);
	}
	/* Negotiated pipes no accept took yet belong to nobody else: no
	 * callback of theirs is pending, so reap them here (NNG 1.5.2's own
	 * stream transports leak them, and their endpoint with them). */
	NNI_LIST_FOREACH (&ep->waitpipes, p) {
		mpc_tran_pipe_close(p);
		mpc_tran_pipe_reap(p);
	}
	NNI_LIST_FOREACH (&ep->busypipes, p) {
		mpc_tran_pipe_close(p);
	}
	if (ep->useraio != NULL) {
		nni_aio_finish_error(ep->useraio, NNG_ECLOSED);
		ep->useraio = NULL;
	}
	nni_mtx_unlock(&ep->mtx);
}

/* A new connection: make a pipe and start negotiating.  Locked. */
static int
mpc_tran_ep_new_conn(mpc_tran_ep *ep, nng_stream *conn)
{
	mpc_tran_pipe *p;
	int            rv;

	if ((rv = mpc_tran_pipe_alloc(&p)) != 0) {
		nng_stream_free(conn);
		return (rv);
	}
	if (ep->closed) {
		mpc_tran_pipe_fini(p);
		nng_stream_free(conn);
		return (NNG_ECLOSED);
	}
	mpc_tran_nego_start(p, conn, ep);
	return (0);
}

static void
mpc_tran_timer_cb(void *arg)
{
	mpc_tran_ep *ep = arg;

	if (nni_aio_result(ep->timeaio) == 0) {
		nng_stream_listener_accept(ep->listener, ep->connaio);
	}
}

static void
mpc_tran_accept_cb(void *arg)
{
	mpc_tran_ep *ep  = arg;
	nni_aio *    aio = ep->connaio;
	int          rv;

	nni_mtx_lock(&ep->mtx);
	if ((rv = nni_aio_result(aio)) == 0) {
		rv = mpc_tran_ep_new_conn(ep, nni_aio_get_output(aio, 0));
	}
	if (rv == 0) {
		nng_stream_listener_accept(ep->listener, ep->connaio);
		nni_mtx_unlock(&ep->mtx);
		return;
	}

	/* An accept error the user should know about (not a handshake). */
	if ((aio = ep->useraio) != NULL) {
		ep->useraio = NULL;
		nni_aio_finish_error(aio, rv);
	}
	switch (rv) {
	case NNG_ENOMEM:
	case NNG_ENOFILES:
		/* Cool down rather than spin on resource exhaustion. */
		nng_sleep_aio(10, ep->timeaio);
		break;
	default:
		if (!ep->closed) {
			nng_stream_listener_accept(ep->listener, ep->connaio);
		}
		break;
	}
	nni_mtx_unlock(&ep->mtx);
}

static void
mpc_tran_dial_cb(void *arg)
{
	mpc_tran_ep *ep  = arg;
	nni_aio *    aio = ep->connaio;
	int          rv;

	nni_mtx_lock(&ep->mtx);
	if ((rv = nni_aio_result(aio)) == 0) {
		rv = mpc_tran_ep_new_conn(ep, nni_aio_get_output(aio, 0));
	}
	if ((rv != 0) && ((aio = ep->useraio) != NULL)) {
		ep->useraio = NULL;
		nni_aio_finish_error(aio, rv);
	}
	nni_mtx_unlock(&ep->mtx);
}

/* The scheme table: our scheme, the inner one, and the stream kind. */
typedef struct mpc_tran_scheme {
	const char *  scheme;
	const char *  inner;
	mpc_tran_kind kind;
} mpc_tran_scheme;

static const mpc_tran_scheme mpc_tran_schemes[] = {
	{ .scheme = "mpc+tcp", .inner = "tcp", .kind = MPC_TRAN_TCP },
	{ .scheme = "mpc+tls+tcp", .inner = "tls+tcp", .kind = MPC_TRAN_TLS },
	{ .scheme = "mpc+ipc", .inner = "ipc", .kind = MPC_TRAN_IPC },
};

static const mpc_tran_scheme *
mpc_tran_scheme_find(const char *scheme)
{
	for (size_t i = 0; i < NNI_NUM_ELEMENTS(mpc_tran_schemes); i++) {
		if (strcmp(scheme, mpc_tran_schemes[i].scheme) == 0) {
			return (&mpc_tran_schemes[i]);
		}
	}
	return (NULL);
}

/*
 * Checks the URL the way NNG's tcp and ipc transports do, and builds the
 * inner URL: the same text after "://" under the inner scheme.
 */
static int
mpc_tran_url_inner(nni_url **innerp, const mpc_tran_scheme **schp,
    const nni_url *url, bool dialer)
{
	const mpc_tran_scheme *sch;
	const char *           rest;
	char *                 s;
	int                    rv;

	if ((sch = mpc_tran_scheme_find(url->u_scheme)) == NULL) {
		return (NNG_EADDRINVAL);
	}
	if ((rest = strstr(url->u_rawurl, "://")) == NULL) {
		return (NNG_EADDRINVAL);
	}
	rest += 3;
	if (sch->kind == MPC_TRAN_IPC) {
		/* ipc:// takes a path; NNG's ipc stream checks the rest. */
		if (strlen(rest) == 0) {
			return (NNG_EADDRINVAL);
		}
	} else {
		if ((strlen(url->u_path) != 0) &&
		    (strcmp(url->u_path, "/") != 0)) {
			return (NNG_EADDRINVAL);
		}
		if ((url->u_fragment != NULL) || (url->u_userinfo != NULL) ||
		    (url->u_query != NULL)) {
			return (NNG_EADDRINVAL);
		}
		if (dialer && ((strlen(url->u_hostname) == 0) ||
		                  (strlen(url->u_port) == 0))) {
			return (NNG_EADDRINVAL);
		}
		/* NNG's "src;dst" local-address form is not supported. */
		if (strchr(url->u_hostname, ';') != NULL) {
			return (NNG_EADDRINVAL);
		}
	}
	if ((s = nni_alloc(strlen(sch->inner) + 3 + strlen(rest) + 1)) ==
	    NULL) {
		return (NNG_ENOMEM);
	}
	(void) strcpy(s, sch->inner);
	(void) strcat(s, "://");
	(void) strcat(s, rest);
	rv = nni_url_parse(innerp, s);
	nni_strfree(s);
	if (rv != 0) {
		return (rv == NNG_ENOMEM ? rv : NNG_EADDRINVAL);
	}
	*schp = sch;
	return (0);
}

static int
mpc_tran_ep_init(mpc_tran_ep **epp, nni_url *url, nni_sock *sock,
    bool dialer, nni_cb conn_cb)
{
	mpc_tran_ep *          ep;
	const mpc_tran_scheme *sch   = NULL;
	nni_url *              inner = NULL;
	int                    rv;

	if ((rv = mpc_tran_url_inner(&inner, &sch, url, dialer)) != 0) {
		return (rv);
	}
	if ((ep = NNI_ALLOC_STRUCT(ep)) == NULL) {
		nni_url_free(inner);
		return (NNG_ENOMEM);
	}
	nni_mtx_init(&ep->mtx);
	NNI_LIST_INIT(&ep->busypipes, mpc_tran_pipe, node);
	NNI_LIST_INIT(&ep->waitpipes, mpc_tran_pipe, node);
	NNI_LIST_INIT(&ep->negopipes, mpc_tran_pipe, node);
	for (int i = 0; i < MPC_TRAN_REJ_COUNT; i++) {
		nni_atomic_init64(&ep->rej[i]);
	}
	nni_atomic_init64(&ep->accepted);
	mpc_tran_cfg_init(&ep->cfg);

	ep->kind      = sch->kind;
	ep->is_dialer = dialer;
	ep->proto     = nni_sock_proto_id(sock);
	ep->sock_id   = nni_sock_id(sock);
	ep->url       = url;
	ep->inner     = inner;

	if (((rv = nni_aio_alloc(&ep->connaio, conn_cb, ep)) != 0) ||
	    ((rv = nni_aio_alloc(&ep->timeaio, mpc_tran_timer_cb, ep)) != 0)) {
		mpc_tran_ep_fini(ep);
		return (rv);
	}
	*epp = ep;
	return (0);
}

static int
mpc_tran_dialer_init(void **dp, nni_url *url, nni_dialer *ndialer)
{
	mpc_tran_ep *ep;
	int          rv;

	if ((rv = mpc_tran_ep_init(&ep, url, nni_dialer_sock(ndialer), true,
	         mpc_tran_dial_cb)) != 0) {
		return (rv);
	}
	if ((rv = nng_stream_dialer_alloc_url(&ep->dialer, ep->inner)) != 0) {
		mpc_tran_ep_fini(ep);
		return (rv);
	}
	/* The source of the TLS settings (mpc_tran_opts.c): the party ID
	 * is bound to a verified certificate on both ends. */
	if ((rv = mpc_tran_ep_tls_init(ep)) != 0) {
		mpc_tran_ep_fini(ep);
		return (rv);
	}
	*dp = ep;
	return (0);
}

static int
mpc_tran_listener_init(void **lp, nni_url *url, nni_listener *nlistener)
{
	mpc_tran_ep *ep;
	int          rv;

	if ((rv = mpc_tran_ep_init(&ep, url, nni_listener_sock(nlistener),
	         false, mpc_tran_accept_cb)) != 0) {
		return (rv);
	}
	if ((rv = nng_stream_listener_alloc_url(&ep->listener, ep->inner)) !=
	    0) {
		mpc_tran_ep_fini(ep);
		return (rv);
	}
	/* The source of the TLS settings (mpc_tran_opts.c): a client
	 * always needs a verified certificate naming its party, whatever
	 * NNG_OPT_TLS_AUTH_MODE says (NNG's tls+tcp:// defaults to none). */
	if ((rv = mpc_tran_ep_tls_init(ep)) != 0) {
		mpc_tran_ep_fini(ep);
		return (rv);
	}
	*lp = ep;
	return (0);
}

static void
mpc_tran_ep_cancel(nni_aio *aio, void *arg, int rv)
{
	mpc_tran_ep *ep = arg;

	nni_mtx_lock(&ep->mtx);
	if (ep->useraio == aio) {
		ep->useraio = NULL;
		nni_aio_finish_error(aio, rv);
	}
	nni_mtx_unlock(&ep->mtx);
}

/*
 * Settles an endpoint's configuration when it starts to dial or listen:
 * the inner endpoint gets a private TLS configuration derived from the
 * endpoint's, with its pins (and, when the application set no party ID,
 * ours comes from our certificate); then what
 * is still unset comes from the environment (mpc_tran_env.h), for
 * unmodified NNG programs.  0 when a handshake has all it needs.
 */
static int
mpc_tran_ep_settle(mpc_tran_ep *ep)
{
	int rv;

	if ((rv = mpc_tran_ep_tls_sync(ep)) != 0) {
		return (rv);
	}
	return (mpc_tran_cfg_from_env(&ep->cfg));
}

/* Common start of connect and accept: checks, then parks the user aio. */
static bool
mpc_tran_ep_take_aio(mpc_tran_ep *ep, nni_aio *aio)
{
	int rv;

	if (ep->closed) {
		rv = NNG_ECLOSED;
	} else if (ep->useraio != NULL) {
		rv = NNG_EBUSY;
	} else if ((rv = mpc_tran_ep_settle(ep)) == 0) {
		rv = nni_aio_schedule(aio, mpc_tran_ep_cancel, ep);
	}
	if (rv != 0) {
		nni_aio_finish_error(aio, rv);
		return (false);
	}
	ep->useraio = aio;
	return (true);
}

static void
mpc_tran_ep_connect(void *arg, nni_aio *aio)
{
	mpc_tran_ep *ep = arg;

	if (nni_aio_begin(aio) != 0) {
		return;
	}
	nni_mtx_lock(&ep->mtx);
	if (mpc_tran_ep_take_aio(ep, aio)) {
		nng_stream_dialer_dial(ep->dialer, ep->connaio);
	}
	nni_mtx_unlock(&ep->mtx);
}

static int
mpc_tran_ep_bind(void *arg)
{
	mpc_tran_ep *ep = arg;
	int          rv;

	nni_mtx_lock(&ep->mtx);
	/* Refuse to listen without the settings every handshake needs: the
	 * error is clearer here than on each incoming connection. */
	if ((rv = mpc_tran_ep_settle(ep)) == 0) {
		rv = nng_stream_listener_listen(ep->listener);
	}
	nni_mtx_unlock(&ep->mtx);
	return (rv);
}

static void
mpc_tran_ep_accept(void *arg, nni_aio *aio)
{
	mpc_tran_ep *ep = arg;

	if (nni_aio_begin(aio) != 0) {
		return;
	}
	nni_mtx_lock(&ep->mtx);
	if (mpc_tran_ep_take_aio(ep, aio)) {
		if (!ep->started) {
			ep->started = true;
			nng_stream_listener_accept(ep->listener, ep->connaio);
		} else {
			mpc_tran_ep_match(ep);
		}
	}
	nni_mtx_unlock(&ep->mtx);
}

/* ---------------------------------------------------------------------- *
 * Ops tables and registration
 * ---------------------------------------------------------------------- */

static const nni_sp_dialer_ops mpc_tran_dialer_ops = {
	.d_init    = mpc_tran_dialer_init,
	.d_fini    = mpc_tran_ep_fini,
	.d_connect = mpc_tran_ep_connect,
	.d_close   = mpc_tran_ep_close,
	.d_getopt  = mpc_tran_dialer_getopt,
	.d_setopt  = mpc_tran_dialer_setopt,
};

static const nni_sp_listener_ops mpc_tran_listener_ops = {
	.l_init   = mpc_tran_listener_init,
	.l_fini   = mpc_tran_ep_fini,
	.l_bind   = mpc_tran_ep_bind,
	.l_accept = mpc_tran_ep_accept,
	.l_close  = mpc_tran_ep_close,
	.l_getopt = mpc_tran_listener_getopt,
	.l_setopt = mpc_tran_listener_setopt,
};

/* Not const: NNG links registered transports through tran_link. */
static nni_sp_tran mpc_tran_tcp = {
	.tran_scheme   = "mpc+tcp",
	.tran_dialer   = &mpc_tran_dialer_ops,
	.tran_listener = &mpc_tran_listener_ops,
	.tran_pipe     = &mpc_tran_pipe_ops,
	.tran_init     = mpc_tran_init,
	.tran_fini     = mpc_tran_fini,
};

static void
mpc_tran_noop(void)
{
}

/* The registry is initialised once, by the first scheme registered. */
static nni_sp_tran mpc_tran_tls = {
	.tran_scheme   = "mpc+tls+tcp",
	.tran_dialer   = &mpc_tran_dialer_ops,
	.tran_listener = &mpc_tran_listener_ops,
	.tran_pipe     = &mpc_tran_pipe_ops,
	.tran_init     = mpc_tran_noop,
	.tran_fini     = mpc_tran_noop,
};

static nni_sp_tran mpc_tran_ipc = {
	.tran_scheme   = "mpc+ipc",
	.tran_dialer   = &mpc_tran_dialer_ops,
	.tran_listener = &mpc_tran_listener_ops,
	.tran_pipe     = &mpc_tran_pipe_ops,
	.tran_init     = mpc_tran_noop,
	.tran_fini     = mpc_tran_noop,
};

int
mpc_tran_register(void)
{
	int rv;

	/* NNG must be initialised before a transport can register; after
	 * nng_fini() the list is empty again and this registers anew. */
	if ((rv = nni_init()) != 0) {
		return (rv);
	}
	nni_sp_tran_register(&mpc_tran_tcp);
	nni_sp_tran_register(&mpc_tran_tls);
	nni_sp_tran_register(&mpc_tran_ipc);
	return (0);
}
