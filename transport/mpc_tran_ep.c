/*
 * mpc_tran_ep.c -- mpc+* dialers and listeners: the connection pipeline
 * (mpc_tran_ep.h) from accept or dial to a pipe handed to the socket.
 *
 * The structure follows NNG 1.5.2's own stream transports
 * (src/sp/transport/tcp/tcp.c, tls/tls.c): an endpoint owns an NNG stream
 * dialer or listener for the inner URL (mpc+tcp://h:p runs over tcp://h:p,
 * mpc+tls+tcp:// over tls+tcp://, so TLS goes through NNG's TLS layer and
 * therefore through whatever engine is registered; mpc+ipc:// over ipc://).
 * Connections that fail admission or negotiation never reach the socket.
 *
 * Locking: see mpc_tran_ep.h.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "mpc_tran_ep.h"
#include "mpc_tran_reload.h"

#include "mpc_hist.h"
#include "mpc_tran_dlv.h"
#include "mpc_tran_env.h"
#include "mpc_tran_stream.h"
#include "mpc_tran_tls.h"

static nni_reap_list mpc_tran_ep_reap_list = {
	.rl_offset = offsetof(mpc_tran_ep, reap),
	.rl_func   = mpc_tran_ep_fini,
};

/* ---------------------------------------------------------------------- *
 * Events for the observer
 * ---------------------------------------------------------------------- */

/* "addr:port" of a TCP peer, the IPC path, or "". */
static void
mpc_tran_ep_remote(mpc_tran_ep *ep, nng_stream *conn, char *buf, size_t cap)
{
	nng_sockaddr sa;
	char         a[64];

	buf[0] = '\0';
	if (ep->kind == MPC_TRAN_IPC) {
		/* The path after "mpc+ipc://". */
		const char *path = strstr(ep->urlstr, "://");
		(void) snprintf(buf, cap, "%s", path != NULL ? path + 3 : "");
		return;
	}
	if ((conn == NULL) ||
	    (nng_stream_get_addr(conn, NNG_OPT_REMADDR, &sa) != 0)) {
		return;
	}
	switch (sa.s_family) {
	case NNG_AF_INET:
		(void) inet_ntop(AF_INET, &sa.s_in.sa_addr, a, sizeof(a));
		(void) snprintf(buf, cap, "%s:%u", a,
		    (unsigned) ntohs(sa.s_in.sa_port));
		break;
	case NNG_AF_INET6:
		(void) inet_ntop(AF_INET6, sa.s_in6.sa_addr, a, sizeof(a));
		(void) snprintf(buf, cap, "[%s]:%u", a,
		    (unsigned) ntohs(sa.s_in6.sa_port));
		break;
	default:
		break;
	}
}

/* Fills the fields every event has.  Locked. */
static void
mpc_tran_ep_event_init(
    mpc_tran_ep *ep, struct mpc_tran_event *ev, mpc_tran_event_kind kind)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind        = kind;
	ev->url         = ep->urlstr;
	ev->dialer      = ep->is_dialer;
	ev->self        = ep->cfg.party_id;
	ev->remote      = "";
	ev->subject     = "";
	ev->tls_version = "";
	ev->tls_cipher  = "";
	ev->detail      = "";
}

/* Hands an event to the observer with the endpoint's sink (NULL when it
 * has none: a process-wide observer such as diagnostics still sees it).
 * Locked. */
static void
mpc_tran_ep_emit(mpc_tran_ep *ep, const struct mpc_tran_event *ev)
{
	const struct mpc_tran_observer_ops *ops = mpc_tran_observer_get();

	if (ops != NULL) {
		ops->ev_event(ep->sink, ev);
	}
}

/* Whether anybody listens (events are built only then). */
static bool
mpc_tran_ep_observed(void)
{
	return (mpc_tran_observer_get() != NULL);
}

/* A connection refused before it became a pipe.  Locked. */
static void
mpc_tran_ep_emit_refused(
    mpc_tran_ep *ep, const char *remote, uint32_t party, int rv)
{
	struct mpc_tran_event ev;

	if (!mpc_tran_ep_observed()) {
		return;
	}
	mpc_tran_ep_event_init(ep, &ev,
	    (rv == NNG_MPC_ENEGOFULL) || (rv == NNG_MPC_ESOURCEFULL) ||
	            (rv == NNG_MPC_ECONNRATE) || (rv == NNG_MPC_ETHROTTLEFULL)
	        ? MPC_TRAN_EV_ADMISSION
	        : MPC_TRAN_EV_REFUSED);
	ev.remote = remote;
	ev.party  = party;
	ev.reason = rv;
	mpc_tran_ep_emit(ep, &ev);
}

/* A pipe is coming up (or replaced an older one).  Locked. */
static void
mpc_tran_ep_emit_pipe(mpc_tran_ep *ep, mpc_tran_pipe *p,
    mpc_tran_event_kind kind)
{
	struct mpc_tran_event ev;

	if (!mpc_tran_ep_observed()) {
		return;
	}
	mpc_tran_ep_event_init(ep, &ev, kind);
	ev.remote      = p->peer.remote;
	ev.party       = p->peer.peer_id;
	ev.binding     = p->peer.binding;
	ev.duration_ns = p->peer.duration_ns;
	if (kind == MPC_TRAN_EV_REPLACED) {
		ev.reason = NNG_MPC_EREPLACED;
	}
	if (p->peer.tls) {
		ev.subject     = p->peer.tlsp.subject;
		ev.pin         = p->peer.tlsp.pin;
		ev.tls_version = p->peer.tlsp.version;
		ev.tls_cipher  = p->peer.tlsp.cipher;
	}
	mpc_tran_ep_emit(ep, &ev);
}

/* A pipe ended: its reason and counters.  Locked. */
static void
mpc_tran_ep_emit_closed(mpc_tran_ep *ep, mpc_tran_pipe *p)
{
	struct mpc_tran_event ev;

	if (!mpc_tran_ep_observed()) {
		return;
	}
	mpc_tran_ep_event_init(ep, &ev, MPC_TRAN_EV_PIPE_CLOSED);
	ev.party  = p->peer.peer_id;
	ev.reason = p->close_reason;
	mpc_tran_pipe_ev_counts(p, &ev.counts);
	mpc_tran_ep_emit(ep, &ev);
}

/* The pipe filter closed a pipe (rate, dead peer, idle, lifetime): an
 * admission action with its reason.  Locked. */
static void
mpc_tran_ep_emit_action(mpc_tran_ep *ep, mpc_tran_pipe *p)
{
	struct mpc_tran_event ev;

	if (!mpc_tran_ep_observed()) {
		return;
	}
	mpc_tran_ep_event_init(ep, &ev, MPC_TRAN_EV_ADMISSION);
	ev.remote = p->peer.remote;
	ev.party  = p->peer.peer_id;
	ev.reason = p->close_reason;
	mpc_tran_ep_emit(ep, &ev);
}

void *
mpc_tran_ep_set_sink(mpc_tran_ep *ep, void *sink)
{
	const struct mpc_tran_observer_ops *ops = mpc_tran_observer_get();
	void *                              old = ep->sink;

	if (ops == NULL) {
		return (NULL);
	}
	if (sink != NULL) {
		ops->ev_hold(sink);
	}
	ep->sink = sink;
	return (old);
}

void
mpc_tran_ep_rele_sink(void *sink)
{
	const struct mpc_tran_observer_ops *ops = mpc_tran_observer_get();

	if ((sink != NULL) && (ops != NULL)) {
		ops->ev_rele(sink);
	}
}

/* ---------------------------------------------------------------------- *
 * Lifecycle
 * ---------------------------------------------------------------------- */

/* A finished endpoint is freed once no pipe and no negotiation holds a
 * reference (a negotiation also runs the application's filter with the
 * endpoint's mutex released: mpc_tran_nego.c).  Locked. */
static void
mpc_tran_ep_maybe_reap(mpc_tran_ep *ep)
{
	if (ep->fini && (ep->refcnt == 0)) {
		nni_reap(&mpc_tran_ep_reap_list, ep);
	}
}

/* A pipe's fini begins: no close or reload walks it from now on. */
static void
mpc_tran_ep_pipe_leaving(void *arg, mpc_tran_pipe *p)
{
	mpc_tran_ep *ep = arg;

	nni_mtx_lock(&ep->mtx);
	nni_list_node_remove(&p->node);
	nni_mtx_unlock(&ep->mtx);
}

/* A pipe's fini: drops its reference on the endpoint. */
static void
mpc_tran_ep_pipe_gone(void *arg, mpc_tran_pipe *p)
{
	mpc_tran_ep *ep = arg;

	nni_mtx_lock(&ep->mtx);
	switch (p->close_reason) {
	case NNG_MPC_ERATELIMIT:
	case NNG_MPC_EDEADPEER:
	case NNG_MPC_EIDLE:
	case NNG_MPC_ELIFETIME:
	case NNG_MPC_ERELOADREVOKED:
	case NNG_MPC_ERELOADDENIED:
		/* Pipes the pipe filter (or a reload) closed: counted on the endpoint too,
		 * and reported as its action before the pipe's end. */
		mpc_tran_ep_count(&ep->stats, mpc_tran_ep_ctr_of(p->close_reason));
		mpc_tran_ep_emit_action(ep, p);
		break;
	default:
		break;
	}
	mpc_tran_ep_emit_closed(ep, p);
	nni_list_node_remove(&p->node);
	ep->refcnt--;
	mpc_tran_ep_maybe_reap(ep);
	nni_mtx_unlock(&ep->mtx);
}

/* A negotiation was freed: drops its reference on the endpoint. */
static void
mpc_tran_ep_nego_gone(void *arg)
{
	mpc_tran_ep *ep = arg;

	nni_mtx_lock(&ep->mtx);
	ep->refcnt--;
	mpc_tran_ep_maybe_reap(ep);
	nni_mtx_unlock(&ep->mtx);
}

/* Hands the first made pipe to a waiting accept/connect.  A pipe a newer
 * connection of its party replaced meanwhile is dropped.  Locked. */
static void
mpc_tran_ep_match(mpc_tran_ep *ep)
{
	nni_aio *      aio;
	mpc_tran_pipe *p;

	while ((aio = ep->useraio) != NULL) {
		if ((p = nni_list_first(&ep->waitpipes)) == NULL) {
			return;
		}
		nni_list_remove(&ep->waitpipes, p);
		nni_list_append(&ep->busypipes, p);
		if (mpc_tran_party_evicted(&p->party)) {
			mpc_tran_pipe_close(p);
			mpc_tran_pipe_reap(p);
			continue;
		}
		ep->useraio = NULL;
		mpc_tran_pipe_set_rcvmax(p, ep->rcvmax);
		nni_aio_set_output(aio, 0, p);
		nni_aio_finish(aio, 0, 0);
	}
}

/*
 * Reports a failed connection.  A dialer's user learns the specific
 * reason (nng_dial() returns it).  A listener does not report it to its
 * accept: NNG's listener backs off 100 ms on unknown accept errors, which
 * would let any client stall accepts; the endpoint's counters record it
 * instead.  A connection that broke during the negotiation can end it
 * with NNG_ECLOSED (a pending write fails so once the stream closed on a
 * read's reset); NNG 1.5.2's dialer (src/core/dialer.c,
 * dialer_connect_cb) never dials again after NNG_ECLOSED or
 * NNG_ECANCELED, so unless this endpoint is closing, that is reported as
 * the connection shut down it is.  Locked.
 */
static void
mpc_tran_ep_failed(mpc_tran_ep *ep, int rv)
{
	nni_aio *aio;

	if (!ep->closed && ((rv == NNG_ECLOSED) || (rv == NNG_ECANCELED))) {
		rv = NNG_ECONNSHUT;
	}
	if (ep->is_dialer && ((aio = ep->useraio) != NULL)) {
		ep->useraio = NULL;
		nni_aio_finish_error(aio, rv);
	}
}

void
mpc_tran_ep_fini(void *arg)
{
	mpc_tran_ep *ep = arg;

	mpc_tran_reload_del(ep); /* no reload reaches it from now on */
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
	if (ep->tls_src != NULL) {
		nng_tls_config_free(ep->tls_src);
	}
	nni_aio_free(ep->timeaio);
	nni_aio_free(ep->connaio);
	if (ep->inner != NULL) {
		nni_url_free(ep->inner);
	}
	nni_strfree(ep->urlstr);
	mpc_tran_ep_rele_sink(mpc_tran_ep_set_sink(ep, NULL));
	if (ep->streams) {
		mpc_tran_stream_sock_release(ep->sock_id);
	}
	mpc_tran_admit_fini(&ep->admit);
	mpc_tran_cfg_wipe(&ep->cfg);
	nni_mtx_fini(&ep->mtx);
	NNI_FREE_STRUCT(ep);
}

void
mpc_tran_ep_close(void *arg)
{
	mpc_tran_ep *  ep = arg;
	mpc_tran_nego *n;
	mpc_tran_pipe *p;
	bool           carrying;

	/* Linger (NNG_OPT_MPC_LINGER) while the pipes can still carry
	 * acknowledgements: they close below. */
	nni_mtx_lock(&ep->mtx);
	carrying = !ep->closed && !nni_list_empty(&ep->busypipes);
	nni_mtx_unlock(&ep->mtx);
	if (ep->streams) {
		if (carrying) {
			/* Acks at once, not after the parties' delayed ack. */
			mpc_tran_dlv_request_acks(ep->sock_id);
		}
		mpc_tran_stream_linger(ep->sock_id, carrying);
	}

	nni_mtx_lock(&ep->mtx);
	ep->closed = true;
	nni_aio_close(ep->timeaio);
	if (ep->dialer != NULL) {
		nng_stream_dialer_close(ep->dialer);
	}
	if (ep->listener != NULL) {
		nng_stream_listener_close(ep->listener);
	}
	NNI_LIST_FOREACH (&ep->negos, n) {
		mpc_tran_nego_close(n);
	}
	/* Pipes no accept took yet belong to nobody else: no callback of
	 * theirs is pending, so reap them here (NNG 1.5.2's own stream
	 * transports leak them, and their endpoint with them). */
	while ((p = nni_list_first(&ep->waitpipes)) != NULL) {
		nni_list_remove(&ep->waitpipes, p);
		nni_list_append(&ep->busypipes, p);
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

/* ---------------------------------------------------------------------- *
 * The pipeline: negotiated -> registered -> pipe
 * ---------------------------------------------------------------------- */

/*
 * A negotiation ended (mpc_tran_nego.h: called under ep->mtx as its last
 * act).  On success: make the pipe (its buffers exist from here on),
 * register the party -- replacing a stale pipe of the same identity --
 * and offer the pipe to the socket.
 */
static void
mpc_tran_ep_nego_done(void *arg, mpc_tran_nego *n, int rv)
{
	mpc_tran_ep *        ep = arg;
	mpc_tran_pipe_params prm;
	mpc_tran_pipe *      p;
	uint32_t             old_pipe;
	bool                 replaced;

	nni_list_remove(&ep->negos, n);
	if (!ep->is_dialer) {
		mpc_tran_admit_leave(&ep->admit, mpc_tran_nego_source(n));
	}
	if (rv != 0) {
		if ((rv != NNG_ECLOSED) && (rv != NNG_ECANCELED)) {
			mpc_tran_ep_emit_refused(ep, mpc_tran_nego_remote(n),
			    mpc_tran_nego_party(n), rv);
		}
		mpc_tran_nego_reap(n);
		mpc_tran_ep_failed(ep, rv);
		return;
	}
	memset(&prm, 0, sizeof(prm));
	mpc_tran_nego_take(n, &prm.conn, &prm.chan, &prm.peer);
	mpc_tran_nego_reap(n);
	prm.proto        = ep->proto;
	prm.sock_id      = ep->sock_id;
	prm.rcvmax       = ep->rcvmax;
	prm.reject_limit = ep->reject_limit;
	prm.lim          = &ep->lim;
	prm.hist_delay   = ep->hist_delay;
	prm.sink         = ep->sink;
	prm.url          = ep->urlstr;
	prm.dialer       = ep->is_dialer;
	prm.cfg          = &ep->cfg;
	prm.tls          = ep->tls_src;
	prm.leaving      = mpc_tran_ep_pipe_leaving;
	prm.gone         = mpc_tran_ep_pipe_gone;
	prm.owner        = ep;
	rv = ep->closed ? NNG_ECLOSED : mpc_tran_pipe_alloc(&p, &prm);
	if (rv != 0) {
		nng_stream_close(prm.conn);
		nng_stream_free(prm.conn);
		mpc_chan_free(prm.chan);
		mpc_tran_ep_failed(ep, rv);
		return;
	}
	/* On no list until registered: nothing else walks it meanwhile. */
	ep->refcnt++;
	if ((rv = mpc_tran_party_register(&p->party, &old_pipe, &replaced)) !=
	    0) {
		/* Another identity took the party since the early check:
		 * our finished record already went out, so the peer learns
		 * from the close. */
		mpc_tran_ep_count(&ep->stats, mpc_tran_ep_ctr_of(rv));
		mpc_tran_ep_emit_refused(ep, p->peer.remote, p->peer.peer_id, rv);
		mpc_tran_pipe_close(p);
		mpc_tran_pipe_reap(p);
		mpc_tran_ep_failed(ep, rv);
		return;
	}
	if (replaced) {
		mpc_tran_ep_count(&ep->stats, MPC_TRAN_EP_REPLACED);
		mpc_tran_ep_emit_pipe(ep, p, MPC_TRAN_EV_REPLACED);
	}
	mpc_tran_ep_emit_pipe(ep, p, MPC_TRAN_EV_HANDSHAKE);
	if (ep->hist_hs != NULL) {
		mpc_hist_observe(ep->hist_hs, p->peer.duration_ns);
	}
	if (old_pipe != 0) {
		/* Close the stale pipe before the socket sees the new one
		 * (pair1 takes one pipe at a time), outside our lock: NNG
		 * takes the socket's and the protocol's locks to close it.
		 * Meanwhile the new pipe is on no list a close or a match
		 * walks, and holds its reference on the endpoint. */
		nni_mtx_unlock(&ep->mtx);
		mpc_tran_party_close_pipe(old_pipe);
		nni_mtx_lock(&ep->mtx);
		if (ep->closed) {
			nni_list_append(&ep->busypipes, p);
			mpc_tran_pipe_close(p);
			mpc_tran_pipe_reap(p);
			return;
		}
	}
	nni_list_append(&ep->waitpipes, p);
	mpc_tran_ep_match(ep);
}

/* A new connection: admit it, then negotiate.  Locked. */
static int
mpc_tran_ep_new_conn(mpc_tran_ep *ep, nng_stream *conn)
{
	mpc_tran_nego_params prm;
	mpc_tran_nego *      n;
	mpc_tran_source      src;
	char                 remote[MPC_TRAN_REMOTE_LEN];
	int                  rv;

	if (ep->closed) {
		nng_stream_close(conn);
		nng_stream_free(conn);
		return (NNG_ECLOSED);
	}
	memset(&src, 0, sizeof(src));
	mpc_tran_ep_remote(ep, conn, remote, sizeof(remote));
	if (!ep->is_dialer) {
		mpc_tran_source_of(conn, &src);
		if ((rv = mpc_tran_admit_enter(&ep->admit, &src)) != 0) {
			/* Closed before a byte is read or any TLS work. */
			mpc_tran_ep_count(&ep->stats, mpc_tran_ep_ctr_of(rv));
			mpc_tran_ep_emit_refused(ep, remote, 0, rv);
			nng_stream_close(conn);
			nng_stream_free(conn);
			return (0); /* keep accepting */
		}
	}
	memset(&prm, 0, sizeof(prm));
	prm.mtx     = &ep->mtx;
	prm.stats   = &ep->stats;
	prm.cfg     = &ep->cfg;
	prm.tls     = ep->kind == MPC_TRAN_TLS;
	prm.dialer  = ep->is_dialer;
	prm.proto   = ep->proto;
	prm.sock_id = ep->sock_id;
	prm.rcvmax  = ep->rcvmax;
	prm.remote  = remote;
	prm.lim     = &ep->lim;
	prm.done    = mpc_tran_ep_nego_done;
	prm.gone    = mpc_tran_ep_nego_gone;
	prm.arg     = ep;
	if ((rv = mpc_tran_nego_start(&n, conn, &src, &prm)) != 0) {
		if (!ep->is_dialer) {
			mpc_tran_admit_leave(&ep->admit, &src);
		}
		return (rv);
	}
	/* The negotiation's callbacks take our mutex: we outlive them. */
	ep->refcnt++;
	nni_list_append(&ep->negos, n);
	return (0);
}

static void
mpc_tran_ep_timer_cb(void *arg)
{
	mpc_tran_ep *ep = arg;

	if (nni_aio_result(ep->timeaio) == 0) {
		nng_stream_listener_accept(ep->listener, ep->connaio);
	}
}

/* A connection made with the trust a reload replaced: closed unread. */
static void
mpc_tran_ep_drop_conn(nni_aio *aio, int rv)
{
	nng_stream *conn;

	if ((rv == 0) && ((conn = nni_aio_get_output(aio, 0)) != NULL)) {
		nng_stream_close(conn);
		nng_stream_free(conn);
	}
}

static void
mpc_tran_ep_accept_cb(void *arg)
{
	mpc_tran_ep *ep  = arg;
	nni_aio *    aio = ep->connaio;
	int          rv;

	nni_mtx_lock(&ep->mtx);
	rv = nni_aio_result(aio);
	if (ep->reaccept && !ep->closed) {
		/* A reload cancelled this accept (mpc_tran_reload.c): what it
		 * still delivered has the old trust; accept again. */
		ep->reaccept = false;
		mpc_tran_ep_drop_conn(aio, rv);
		rv = 0;
	} else if (rv == 0) {
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
mpc_tran_ep_dial_cb(void *arg)
{
	mpc_tran_ep *ep  = arg;
	nni_aio *    aio = ep->connaio;
	int          rv;

	nni_mtx_lock(&ep->mtx);
	rv = nni_aio_result(aio);
	if (ep->redial) {
		/* A reload cancelled this dial: what it still made has the
		 * old trust; NNG's dialer dials again. */
		ep->redial = false;
		mpc_tran_ep_drop_conn(aio, rv);
		rv = NNG_ECONNABORTED;
	} else if (rv == 0) {
		rv = mpc_tran_ep_new_conn(ep, nni_aio_get_output(aio, 0));
	}
	if ((rv != 0) && ((aio = ep->useraio) != NULL)) {
		ep->useraio = NULL;
		nni_aio_finish_error(aio, rv);
	}
	nni_mtx_unlock(&ep->mtx);
}

/* ---------------------------------------------------------------------- *
 * Creation
 * ---------------------------------------------------------------------- */

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
	nni_list_init_offset(&ep->negos, mpc_tran_nego_node_offset());
	NNI_LIST_INIT(&ep->waitpipes, mpc_tran_pipe, node);
	NNI_LIST_INIT(&ep->busypipes, mpc_tran_pipe, node);
	mpc_tran_ep_stats_init(&ep->stats);
	mpc_tran_cfg_init(&ep->cfg);
	mpc_tran_admit_init(&ep->admit);
	mpc_tran_limits_init(&ep->lim);
	ep->reject_limit = MPC_TRAN_REJECT_LIMIT_DEFAULT;

	/* The endpoint's histograms (shared by every endpoint of the
	 * scheme; none when the registry is full: only metrics are lost). */
	if (mpc_hist_get(&mpc_hist_handshake_seconds, sch->scheme,
	        &ep->hist_hs) != 0) {
		ep->hist_hs = NULL;
	}
	if (mpc_hist_get(&mpc_hist_delivery_delay_seconds, sch->scheme,
	        &ep->hist_delay) != 0) {
		ep->hist_delay = NULL;
	}
	ep->kind      = sch->kind;
	ep->is_dialer = dialer;
	ep->proto     = nni_sock_proto_id(sock);
	ep->sock_id   = nni_sock_id(sock);
	ep->url       = url;
	if ((ep->urlstr = nni_strdup(url->u_rawurl)) == NULL) {
		nni_url_free(inner);
		ep->inner = NULL;
		mpc_tran_ep_fini(ep);
		return (NNG_ENOMEM);
	}
	ep->inner     = inner;

	if (((rv = nni_aio_alloc(&ep->connaio, conn_cb, ep)) != 0) ||
	    ((rv = nni_aio_alloc(&ep->timeaio, mpc_tran_ep_timer_cb, ep)) !=
	        0) ||
	    ((rv = mpc_tran_stream_sock_hold(ep->sock_id)) != 0)) {
		mpc_tran_ep_fini(ep);
		return (rv);
	}
	ep->streams = true; /* delivery streams outlive pipes, not sockets */

	/* The inner stream endpoint and, over TLS, the source of the TLS
	 * settings (mpc_tran_tls.h): a dialer verifies the URL's host as
	 * NNG's tls+tcp:// dialer does, and a party ID is bound to a
	 * verified certificate on both ends whatever NNG_OPT_TLS_AUTH_MODE
	 * says (NNG's tls+tcp:// listener defaults to none). */
	rv = dialer ? nng_stream_dialer_alloc_url(&ep->dialer, ep->inner)
	            : nng_stream_listener_alloc_url(&ep->listener, ep->inner);
	if ((rv == 0) && (ep->kind == MPC_TRAN_TLS)) {
		rv = mpc_tran_tls_source_alloc(&ep->tls_src, dialer,
		    dialer ? ep->inner->u_hostname : NULL);
	}
	if (rv != 0) {
		mpc_tran_ep_fini(ep);
		return (rv);
	}
	mpc_tran_reload_add(ep);
	*epp = ep;
	return (0);
}

int
mpc_tran_ep_dialer_init(void **dp, nni_url *url, nni_dialer *nd)
{
	mpc_tran_ep *ep;
	int          rv;

	if ((rv = mpc_tran_ep_init(&ep, url, nni_dialer_sock(nd), true,
	         mpc_tran_ep_dial_cb)) != 0) {
		return (rv);
	}
	mpc_tran_ep_stats_attach_dialer(&ep->stats, nd);
	*dp = ep;
	return (0);
}

int
mpc_tran_ep_listener_init(void **lp, nni_url *url, nni_listener *nl)
{
	mpc_tran_ep *ep;
	int          rv;

	if ((rv = mpc_tran_ep_init(&ep, url, nni_listener_sock(nl), false,
	         mpc_tran_ep_accept_cb)) != 0) {
		return (rv);
	}
	mpc_tran_ep_stats_attach_listener(&ep->stats, nl);
	*lp = ep;
	return (0);
}

/* ---------------------------------------------------------------------- *
 * Dial, listen, accept
 * ---------------------------------------------------------------------- */

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
 * The effective configuration, reported when an endpoint starts and
 * whenever it changed since (a dialer settles again at every dial).
 * Never a secret: the session key's presence only.  Locked.
 */
static void
mpc_tran_ep_emit_config(mpc_tran_ep *ep)
{
	struct mpc_tran_event ev;
	char                  d[sizeof(ep->config)];
	const mpc_tran_cfg *  c = &ep->cfg;

	if (!mpc_tran_ep_observed()) {
		return;
	}
	(void) snprintf(d, sizeof(d),
	    "party=%u max-msg-size=%u replay-window=%u rekey-messages=%llu "
	    "rekey-interval-ms=%d handshake-timeout-ms=%d auth-fail-limit=%u "
	    "reject-limit=%u max-negotiating=%u "
	    "max-negotiating-per-source=%u pins=%zu channel-binding=%s "
	    "session-key=%s",
	    (unsigned) c->party_id, (unsigned) c->max_payload,
	    (unsigned) c->replay_window,
	    (unsigned long long) c->rekey_messages, (int) c->rekey_interval,
	    (int) c->hs_timeout, (unsigned) c->auth_fail_limit,
	    (unsigned) ep->reject_limit, (unsigned) ep->admit.max_nego,
	    (unsigned) ep->admit.max_per_src, c->npins,
	    ((ep->kind == MPC_TRAN_TLS) && c->channel_binding) ? "on" : "off",
	    c->have_session_key ? "set" : "unset");
	if (strcmp(d, ep->config) == 0) {
		return;
	}
	(void) snprintf(ep->config, sizeof(ep->config), "%s", d);
	mpc_tran_ep_event_init(ep, &ev, MPC_TRAN_EV_CONFIG);
	ev.detail = ep->config;
	mpc_tran_ep_emit(ep, &ev);
}

/*
 * An unmodified program's audit log: NNG_MPC_AUDIT_FILE names it (the
 * observer reads NNG_MPC_AUDIT_KEY_FILE for its sealing state) when the
 * application attached none.  A log that cannot be opened fails the dial
 * or listen: an operator who asked for an audit trail gets one or an
 * error, never silence.  The observer keeps one log per file, so every
 * endpoint of the process shares it.  Locked.
 */
static int
mpc_tran_ep_env_sink(mpc_tran_ep *ep)
{
	const struct mpc_tran_observer_ops *ops = mpc_tran_observer_get();
	const char *                        path;
	void *                              sink;
	int                                 rv = 0;

	if ((ep->sink != NULL) || (ops == NULL) ||
	    ((path = mpc_tran_env_audit_file()) == NULL)) {
		return (0);
	}
	if ((sink = ops->ev_open(path, &rv)) == NULL) {
		return (rv != 0 ? rv : NNG_EINVAL);
	}
	ep->sink = sink; /* ev_open returned it held for us */
	return (0);
}

/*
 * Settles an endpoint's configuration when it starts to dial or listen:
 * the inner endpoint gets a private TLS configuration derived from the
 * endpoint's source, with its pins (mpc_tran_tls.h); then what is still
 * unset -- MPC settings and the pipe filter's -- comes from the
 * environment (mpc_tran_env.h), for unmodified NNG programs.  0 when a
 * handshake has all it needs.  Locked.
 */
static int
mpc_tran_ep_settle(mpc_tran_ep *ep)
{
	int rv;

	if ((ep->kind == MPC_TRAN_TLS) &&
	    ((rv = mpc_tran_tls_settle(ep->tls_src, ep->dialer, ep->listener,
	          &ep->cfg)) != 0)) {
		return (rv);
	}
	if ((rv = mpc_tran_limits_from_env(&ep->lim, &ep->admit.thr.rate,
	         &ep->admit.thr.burst)) != 0) {
		return (rv);
	}
	if ((rv = mpc_tran_cfg_from_env(&ep->cfg)) != 0) {
		return (rv);
	}
	if ((rv = mpc_tran_ep_env_sink(ep)) != 0) {
		return (rv);
	}
	mpc_tran_ep_emit_config(ep);
	ep->settled = true;
	return (0);
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

void
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

int
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

void
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
