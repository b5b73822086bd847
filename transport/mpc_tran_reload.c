/*
 * mpc_tran_reload.c -- nng_mpc_socket_reload(): the contract is in
 * include/nng_mpc.h ("reload"), the list of endpoints and the locking in
 * mpc_tran_reload.h.
 *
 * Two passes over the socket's endpoints, under the list's lock so the
 * set cannot change between them:
 *   prepare  each endpoint's new TLS source (the files replacing what it
 *            had: crypto/mpc_tls_renew.c) and, once it dials or listens,
 *            its new private configuration (mpc_tran_tls_derive).  Any
 *            failure frees what was prepared and changes nothing.
 *   apply    swap the source in, install the private configuration on
 *            the inner dialer or listener (new connections), and judge
 *            every live pipe: allow/deny lists, then the peer's kept
 *            certificate chain against the new trust
 *            (crypto/mpc_tls_recheck.c).  A pipe that fails gets its
 *            reason and is closed; one that passes takes the current
 *            rate limits.
 * The endpoint counts the closed pipes and reports them to the observer
 * when they end (mpc_tran_ep.c, as for the pipe filter's closes).
 */
#include <string.h>

#include "mpc_tran_reload.h"

#include "mpc_tran_pipe.h"
#include "mpc_tran_tls.h"

static nni_mtx  mpc_tran_reload_mtx;
static nni_list mpc_tran_reload_eps;

void
mpc_tran_reload_sys_init(void)
{
	nni_mtx_init(&mpc_tran_reload_mtx);
	NNI_LIST_INIT(&mpc_tran_reload_eps, mpc_tran_ep, reload_node);
}

void
mpc_tran_reload_sys_fini(void)
{
	nni_mtx_fini(&mpc_tran_reload_mtx);
}

void
mpc_tran_reload_add(mpc_tran_ep *ep)
{
	nni_mtx_lock(&mpc_tran_reload_mtx);
	nni_list_append(&mpc_tran_reload_eps, ep);
	nni_mtx_unlock(&mpc_tran_reload_mtx);
}

void
mpc_tran_reload_del(mpc_tran_ep *ep)
{
	nni_mtx_lock(&mpc_tran_reload_mtx);
	if (nni_list_node_active(&ep->reload_node)) {
		nni_list_remove(&mpc_tran_reload_eps, ep);
	}
	nni_mtx_unlock(&mpc_tran_reload_mtx);
}

/* What the prepare pass made for one endpoint. */
typedef struct mpc_tran_reload_prep {
	mpc_tran_ep *   ep;
	nng_tls_config *src;  /* the new source (held), or NULL: unchanged */
	nng_tls_config *priv; /* the new private config, or NULL */
} mpc_tran_reload_prep;

/* A run: the files read once, and what the passes collect. */
typedef struct mpc_tran_reload_run {
	nng_mpc_reload *      r;
	nng_tls_config *      files; /* scratch config holding the files */
	uint32_t              sock_id;
	mpc_tran_reload_prep *prep;
	size_t                nalloc; /* prep's entries allocated */
	size_t                nprep;  /* of those, used */
	uint32_t              close_ids[NNG_MPC_RELOAD_CLOSED_MAX];
} mpc_tran_reload_run;

static void
mpc_tran_reload_prep_free(mpc_tran_reload_prep *pp)
{
	if (pp->src != NULL) {
		nng_tls_config_free(pp->src);
	}
	if (pp->priv != NULL) {
		nng_tls_config_free(pp->priv);
	}
	pp->src  = NULL;
	pp->priv = NULL;
}

/* Reads the files into a scratch config, as the file options read them
 * on an endpoint: nothing is applied when one is not usable. */
static int
mpc_tran_reload_files(mpc_tran_reload_run *run)
{
	nng_mpc_reload *r = run->r;
	int             rv;

	if ((r->ca_file == NULL) && (r->cert_key_file == NULL)) {
		return (0);
	}
	if ((rv = nng_tls_config_alloc(&run->files, NNG_TLS_MODE_SERVER)) !=
	    0) {
		return (rv);
	}
	if ((r->ca_file != NULL) &&
	    ((rv = nng_tls_config_ca_file(run->files, r->ca_file)) != 0)) {
		r->bad_file = r->ca_file;
		return (rv);
	}
	if ((r->cert_key_file != NULL) &&
	    ((rv = nng_tls_config_cert_key_file(
	          run->files, r->cert_key_file, NULL)) != 0)) {
		r->bad_file = r->cert_key_file;
		return (rv);
	}
	return (0);
}

/* Prepares one endpoint (locked). */
static int
mpc_tran_reload_prepare(mpc_tran_reload_run *run, mpc_tran_reload_prep *pp)
{
	mpc_tran_ep *   ep  = pp->ep;
	nng_tls_config *src = ep->tls_src;
	int             rv;

	if (ep->kind != MPC_TRAN_TLS) {
		return (0);
	}
	if ((run->files != NULL) &&
	    ((rv = mpc_tls_config_renew(src, run->files,
	          run->r->ca_file != NULL, run->r->cert_key_file != NULL,
	          &pp->src)) != 0)) {
		return (rv);
	}
	if (pp->src != NULL) {
		src = pp->src;
	}
	/* An endpoint that has not dialed or listened settles later, from
	 * the new source. */
	if (ep->settled) {
		return (mpc_tran_tls_derive(src, &ep->cfg, &pp->priv));
	}
	return (0);
}

/* The pipe's rate limits from the endpoint's current settings, as
 * mpc_tran_pipe_alloc sets them (the buckets start full again). */
static void
mpc_tran_reload_rates(mpc_tran_pipe *p, const mpc_tran_limits *lim)
{
	mpc_tran_rate_cfg tx = lim->rate;
	uint64_t          now = mpc_tran_now_ns();

	tx.msgs     = lim->send_msgs;
	tx.bytes    = lim->send_bytes;
	tx.policy   = MPC_TRAN_RATE_BACKPRESSURE;
	tx.adaptive = false;
	nni_mtx_lock(&p->rxmtx);
	if (memcmp(&p->rxrate.cfg, &lim->rate, sizeof(lim->rate)) != 0) {
		/* The time spent throttled is the pipe's history: kept. */
		uint64_t total = p->rxrate.throttled_ns;
		uint64_t since = p->rxrate.throttle_at;
		mpc_tran_rate_init(&p->rxrate, &lim->rate, now);
		p->rxrate.throttled_ns = total;
		p->rxrate.throttle_at  = since;
	}
	nni_mtx_unlock(&p->rxmtx);
	nni_mtx_lock(&p->txmtx);
	if (memcmp(&p->txrate.cfg, &tx, sizeof(tx)) != 0) {
		mpc_tran_rate_init(&p->txrate, &tx, now);
	}
	nni_mtx_unlock(&p->txmtx);
}

/* Judges one live pipe: 0 it passes, else the reason it is closed with
 * and *cause why.  Locked (the endpoint). */
static int
mpc_tran_reload_judge(mpc_tran_ep *ep, nng_tls_config *priv,
    mpc_tran_pipe *p, int *cause)
{
	if ((*cause = mpc_tran_limits_party(&ep->lim, p->peer.peer_id)) !=
	    0) {
		return (NNG_MPC_ERELOADDENIED);
	}
	if (p->peer.tls && (priv != NULL) &&
	    ((*cause = mpc_tls_peer_recheck(
	          p->conn, priv, p->peer.peer_id)) != 0)) {
		return (NNG_MPC_ERELOADREVOKED);
	}
	return (0);
}

/* Records a closed pipe in the caller's report. */
static void
mpc_tran_reload_note(mpc_tran_reload_run *run, mpc_tran_pipe *p, int reason,
    int cause)
{
	nng_mpc_reload *r = run->r;

	if (r->nclosed < NNG_MPC_RELOAD_CLOSED_MAX) {
		nng_mpc_reload_closed *c = &r->closed[r->nclosed];
		c->party                 = p->peer.peer_id;
		c->pipe                  = mpc_tran_party_pipe(&p->party);
		c->reason                = reason;
		c->cause                 = cause;
		run->close_ids[r->nclosed] = c->pipe;
	}
	r->nclosed++;
}

/* Judges every pipe of a list; those that fail are closed here (their
 * NNG pipes after the locks are released).  Locked. */
static void
mpc_tran_reload_pipes(mpc_tran_reload_run *run, mpc_tran_ep *ep,
    nng_tls_config *priv, nni_list *list, bool waiting)
{
	mpc_tran_pipe *p, *next;
	int            reason, cause;

	for (p = nni_list_first(list); p != NULL; p = next) {
		next = nni_list_next(list, p);
		if ((reason = mpc_tran_reload_judge(ep, priv, p, &cause)) ==
		    0) {
			run->r->kept++;
			mpc_tran_reload_rates(p, &ep->lim);
			continue;
		}
		mpc_tran_recv_set_reason(p, reason);
		mpc_tran_reload_note(run, p, reason, cause);
		if (waiting) {
			/* No accept took it: ours to reap, as at close. */
			nni_list_remove(&ep->waitpipes, p);
			nni_list_append(&ep->busypipes, p);
			mpc_tran_pipe_close(p);
			mpc_tran_pipe_reap(p);
		} else {
			mpc_tran_pipe_close(p);
		}
	}
}

/* Applies one prepared endpoint (locked). */
static void
mpc_tran_reload_apply(mpc_tran_reload_run *run, mpc_tran_reload_prep *pp)
{
	mpc_tran_ep *   ep = pp->ep;
	nng_tls_config *old;

	if (pp->src != NULL) {
		old         = ep->tls_src;
		ep->tls_src = pp->src; /* the endpoint's reference now */
		pp->src     = old;     /* released by prep_free */
	}
	/* An install cannot fail for a valid config on a live inner
	 * endpoint; if it did, new connections keep the old trust, and
	 * the next dial or accept settles again from the new source. */
	if ((pp->priv != NULL) &&
	    (mpc_tran_tls_install(pp->priv, ep->dialer, ep->listener) != 0)) {
		ep->settled = false;
	}
	/* NNG's TLS listener makes the next connection's TLS state when the
	 * accept is posted (src/supplemental/tls/tls_common.c,
	 * tls_listener_accept): the pending one still has the old trust.
	 * Cancel it; the accept callback posts a new one. */
	if ((pp->priv != NULL) && (ep->listener != NULL) && ep->started) {
		mpc_tran_nego *n;
		ep->reaccept = true;
		nni_aio_abort(ep->connaio, NNG_ECANCELED);
		/* Handshakes in progress run with the old trust: ended (the
		 * peers connect again; a listener reports them to nobody). */
		NNI_LIST_FOREACH (&ep->negos, n) {
			mpc_tran_nego_close(n);
		}
	}
	/* A dial in progress was made with the old trust too. */
	if ((pp->priv != NULL) && (ep->dialer != NULL) &&
	    (ep->useraio != NULL) && nni_list_empty(&ep->negos)) {
		ep->redial = true;
		nni_aio_abort(ep->connaio, NNG_ECANCELED);
	}
	mpc_tran_reload_pipes(run, ep, pp->priv, &ep->busypipes, false);
	mpc_tran_reload_pipes(run, ep, pp->priv, &ep->waitpipes, true);
	run->r->endpoints++;
}

/* Both passes, under the list's lock. */
static int
mpc_tran_reload_eps_run(mpc_tran_reload_run *run)
{
	mpc_tran_ep *ep;
	size_t       n = 0;
	int          rv = 0;

	NNI_LIST_FOREACH (&mpc_tran_reload_eps, ep) {
		n += (ep->sock_id == run->sock_id) ? 1 : 0;
	}
	if ((n > 0) &&
	    ((run->prep = nni_zalloc(n * sizeof(*run->prep))) == NULL)) {
		return (NNG_ENOMEM);
	}
	run->nalloc = n;
	NNI_LIST_FOREACH (&mpc_tran_reload_eps, ep) {
		mpc_tran_reload_prep *pp;
		if (ep->sock_id != run->sock_id) {
			continue;
		}
		nni_mtx_lock(&ep->mtx);
		if (!ep->closed) {
			pp     = &run->prep[run->nprep++];
			pp->ep = ep;
			rv     = mpc_tran_reload_prepare(run, pp);
		}
		nni_mtx_unlock(&ep->mtx);
		if (rv != 0) {
			return (rv);
		}
	}
	for (size_t i = 0; i < run->nprep; i++) {
		ep = run->prep[i].ep;
		nni_mtx_lock(&ep->mtx);
		if (!ep->closed) {
			mpc_tran_reload_apply(run, &run->prep[i]);
		}
		nni_mtx_unlock(&ep->mtx);
	}
	return (0);
}

int
nng_mpc_socket_reload(nng_socket s, nng_mpc_reload *r)
{
	mpc_tran_reload_run run;
	nni_sock *          sock;
	uint32_t            nclose;
	int                 rv;

	if ((r == NULL) || (nng_socket_id(s) <= 0)) {
		return (NNG_EINVAL);
	}
	r->bad_file  = NULL;
	r->endpoints = 0;
	r->kept      = 0;
	r->nclosed   = 0;
	memset(r->closed, 0, sizeof(r->closed));
	if ((rv = nni_sock_find(&sock, (uint32_t) nng_socket_id(s))) != 0) {
		return (rv == NNG_ENOENT ? NNG_ECLOSED : rv);
	}
	nni_sock_rele(sock);
	memset(&run, 0, sizeof(run));
	run.r       = r;
	run.sock_id = (uint32_t) nng_socket_id(s);
	if ((rv = mpc_tran_reload_files(&run)) == 0) {
		nni_mtx_lock(&mpc_tran_reload_mtx);
		rv = mpc_tran_reload_eps_run(&run);
		nni_mtx_unlock(&mpc_tran_reload_mtx);
	}
	for (size_t i = 0; i < run.nprep; i++) {
		mpc_tran_reload_prep_free(&run.prep[i]);
	}
	if (run.prep != NULL) {
		nni_free(run.prep, run.nalloc * sizeof(*run.prep));
	}
	if (run.files != NULL) {
		nng_tls_config_free(run.files);
	}
	/* Tell the protocol at once (bus0, pair1 stop using the pipes). */
	nclose = r->nclosed < NNG_MPC_RELOAD_CLOSED_MAX
	    ? r->nclosed
	    : NNG_MPC_RELOAD_CLOSED_MAX;
	for (uint32_t i = 0; i < nclose; i++) {
		mpc_tran_party_close_pipe(run.close_ids[i]);
	}
	return (rv);
}
