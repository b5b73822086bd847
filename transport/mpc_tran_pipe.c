/*
 * mpc_tran_pipe.c -- a pipe's lifecycle (mpc_tran_pipe.h): made from a
 * negotiation's result once the keys are confirmed, handed to the socket,
 * then closed, stopped and freed as NNG's stream transports do
 * (src/sp/transport/tcp/tcp.c): close wakes everything pending, stop waits
 * for callbacks, fini frees.  Its data paths are mpc_tran_send.c and
 * mpc_tran_recv.c.
 *
 * Locking: see mpc_tran_pipe.h.
 */
#include <string.h>

#include "mpc_tran_pipe.h"

#include "mpc_tran_dlv.h"
#include "mpc_tran_echo.h"
#include "mpc_tran_event.h"
#include "mpc_wipe.h"

static nni_reap_list mpc_tran_pipe_reap_list = {
	.rl_offset = offsetof(mpc_tran_pipe, reap),
	.rl_func   = mpc_tran_pipe_fini,
};

void
mpc_tran_pipe_close(void *arg)
{
	mpc_tran_pipe *p = arg;

	mpc_tran_hold_close(&p->hold);
	mpc_tran_dlv_close(p);
	mpc_tran_echo_leave(p);
	mpc_tran_send_close(p);
	mpc_tran_recv_close(p);
	nni_aio_close(p->rxaio);
	nni_aio_close(p->txaio);
	nni_aio_close(p->rxgrace);
	nni_aio_close(p->rxlimit);
	nni_aio_close(p->txlimit);
	nni_aio_close(p->live);
	nng_stream_close(p->conn);
	/* The party may connect again as soon as this pipe is closed, not
	 * only once it is reaped. */
	mpc_tran_party_unregister(&p->party);
}

void
mpc_tran_pipe_stop(void *arg)
{
	mpc_tran_pipe *p = arg;

	mpc_tran_dlv_stop(p);
	nni_aio_stop(p->rxaio);
	nni_aio_stop(p->txaio);
	nni_aio_stop(p->rxgrace);
	nni_aio_stop(p->rxlimit);
	nni_aio_stop(p->txlimit);
	nni_aio_stop(p->live);
}

int
mpc_tran_pipe_init(void *arg, nni_pipe *npipe)
{
	mpc_tran_pipe *p = arg;

	p->npipe = npipe;
	mpc_tran_hold_attach(&p->hold, npipe);
	mpc_tran_pipe_stats_attach(&p->stats, npipe);
	mpc_tran_live_start(p);
	mpc_tran_echo_join(p);
	/* Both sides asked for delivery: carry the party's stream.  Never
	 * an error from here: NNG 1.5.2 answers one by closing the pipe
	 * before the protocol initialised its side (pipe_create,
	 * src/core/pipe.c), running the protocol's pipe_close on zeroed
	 * state.  Closed by us instead, the pipe fails the protocol's
	 * first call, and the protocol closes it. */
	if (p->peer.deliver &&
	    (mpc_tran_dlv_attach(p, mpc_tran_send_submit) != 0)) {
		mpc_tran_recv_set_reason(p, NNG_ENOMEM);
		mpc_tran_pipe_close(p);
	}
	return (0);
}

void
mpc_tran_pipe_started(mpc_tran_pipe *p)
{
	if (!mpc_tran_hold_started(&p->hold)) {
		return;
	}
	/* From now on a newer connection of the party, or a reload, closes
	 * this pipe by its NNG ID.  Replaced before: closed here.  Only the
	 * connection, as the protocol holds its lock in this call: the
	 * failed transfer then makes the protocol close the pipe. */
	if (!mpc_tran_party_set_pipe(&p->party, nni_pipe_id(p->npipe))) {
		nng_stream_close(p->conn);
	}
}

void
mpc_tran_pipe_close_nng(mpc_tran_pipe *p)
{
	/* NNG's pipe close runs the protocol's pipe_close, which is only
	 * safe once the protocol initialised its side; until it started
	 * the pipe, our close makes its first call fail instead. */
	if (mpc_tran_hold_is_started(&p->hold)) {
		nni_pipe_close(p->npipe);
	} else {
		mpc_tran_pipe_close(p);
	}
}

void
mpc_tran_pipe_fini(void *arg)
{
	mpc_tran_pipe *p = arg;

	/* NNG reaps a pipe its endpoint still lists: off the lists first,
	 * so that the endpoint's close or a reload never reaches a pipe
	 * being torn down. */
	if (p->leaving != NULL) {
		p->leaving(p->owner, p);
	}
	mpc_tran_pipe_stop(p);
	mpc_tran_dlv_fini(p);
	mpc_tran_echo_detach(p);
	/* Leave the registry before the endpoint may go away. */
	mpc_tran_party_unregister(&p->party);
	if (p->gone != NULL) {
		p->gone(p->owner, p);
	}
	nni_aio_free(p->rxaio);
	nni_aio_free(p->txaio);
	nni_aio_free(p->rxgrace);
	nni_aio_free(p->rxlimit);
	nni_aio_free(p->txlimit);
	nni_aio_free(p->live);
	if (p->conn != NULL) {
		nng_stream_close(p->conn);
		nng_stream_free(p->conn);
	}
	if (p->rxmsg != NULL) {
		/* A frame being read: not authenticated, or plaintext of one
		 * that was; wiped either way. */
		mpc_wipe(nni_msg_body(p->rxmsg), nni_msg_len(p->rxmsg));
		nni_msg_free(p->rxmsg);
	}
	if (p->txbuf != NULL) {
		/* Sealed frames, and plaintext of one whose sealing failed
		 * (wiped then already): wiped like the receive side. */
		mpc_wipe(p->txbuf, 2 * MPC_TRAN_TXBUF_SIZE);
		nni_free(p->txbuf, 2 * MPC_TRAN_TXBUF_SIZE);
	}
	if (p->rxbuf != NULL) {
		/* Ciphertext only (frames are opened in the message), but
		 * wiped like everything that came off the wire. */
		mpc_wipe(p->rxbuf, p->rxcap);
		nni_free(p->rxbuf, p->rxcap);
	}
	mpc_chan_free(p->chan);
	if ((p->sink != NULL) && (mpc_tran_observer_get() != NULL)) {
		mpc_tran_observer_get()->ev_rele(p->sink); /* no lock held */
	}
	mpc_tran_hold_fini(&p->hold);
	nni_mtx_fini(&p->txmtx);
	nni_mtx_fini(&p->rxmtx);
	NNI_FREE_STRUCT(p);
}

int
mpc_tran_pipe_alloc(mpc_tran_pipe **pp, const mpc_tran_pipe_params *prm)
{
	mpc_tran_pipe *p;
	int            rv;

	if ((p = NNI_ALLOC_STRUCT(p)) == NULL) {
		return (NNG_ENOMEM);
	}
	nni_mtx_init(&p->txmtx);
	nni_mtx_init(&p->rxmtx);
	mpc_tran_hold_init(&p->hold);
	nni_aio_list_init(&p->sendq);
	nni_aio_list_init(&p->sealedq);
	nni_aio_list_init(&p->recvq);
	NNI_LIST_NODE_INIT(&p->node);
	nni_atomic_flag_reset(&p->reaped);
	nni_atomic_init64(&p->rcvmax);
	nni_atomic_set64(&p->rcvmax, (uint64_t) prm->rcvmax);
	mpc_tran_pipe_stats_init(&p->stats);
	p->peer         = prm->peer;
	p->proto        = prm->proto;
	p->reject_limit = prm->reject_limit;
	p->hist_delay   = prm->hist_delay;
	p->url          = prm->url;
	p->dialer       = prm->dialer;
	p->txstate      = MPC_TX_IDLE;
	p->rxstate      = MPC_RX_IDLE;
	p->born_ns      = mpc_tran_now_ns();
	nni_atomic_init64(&p->auth_in);
	nni_atomic_init64(&p->sealed_out);
	nni_atomic_init64(&p->rtt_us);
	nni_atomic_init64(&p->srtt_us);
	if (prm->lim != NULL) {
		mpc_tran_rate_cfg tx = prm->lim->rate; /* its burst */
		tx.msgs              = prm->lim->send_msgs;
		tx.bytes             = prm->lim->send_bytes;
		tx.policy            = MPC_TRAN_RATE_BACKPRESSURE;
		tx.adaptive          = false;
		mpc_tran_rate_init(&p->txrate, &tx, p->born_ns);
		mpc_tran_rate_init(&p->rxrate, &prm->lim->rate, p->born_ns);
		p->hb_ms       = prm->lim->heartbeat_ms;
		p->dead_after  = prm->lim->dead_after;
		p->idle_ms     = prm->lim->idle_ms;
		p->lifetime_ms = prm->lim->lifetime_ms;
	} else {
		mpc_tran_limits l;
		mpc_tran_limits_init(&l);
		mpc_tran_rate_init(&p->rxrate, &l.rate, p->born_ns);
		mpc_tran_rate_init(&p->txrate, &l.rate, p->born_ns);
	}
	mpc_tran_party_init(&p->party, prm->sock_id, p->peer.peer_id,
	    p->peer.tls ? p->peer.tlsp.pin : NULL);

	/* Buffers only now: the peer has proved it holds the keys. */
	p->rxcap = MPC_TRAN_RXBUF_SIZE;
	if (((p->rxbuf = nni_alloc(p->rxcap)) == NULL) ||
	    ((p->txbuf = nni_alloc(2 * MPC_TRAN_TXBUF_SIZE)) == NULL)) {
		rv = NNG_ENOMEM;
		goto fail;
	}
	if (((rv = nni_aio_alloc(&p->txaio, mpc_tran_send_cb, p)) != 0) ||
	    ((rv = nni_aio_alloc(&p->rxaio, mpc_tran_recv_cb, p)) != 0) ||
	    ((rv = nni_aio_alloc(&p->rxgrace, mpc_tran_recv_grace_cb, p)) !=
	        0) ||
	    ((rv = nni_aio_alloc(&p->rxlimit, mpc_tran_recv_limit_cb, p)) !=
	        0) ||
	    ((rv = nni_aio_alloc(&p->txlimit, mpc_tran_send_limit_cb, p)) !=
	        0) ||
	    ((rv = nni_aio_alloc(&p->live, mpc_tran_live_cb, p)) != 0)) {
		goto fail;
	}
	if ((prm->cfg != NULL) &&
	    ((rv = mpc_tran_echo_attach(p, prm->cfg, prm->tls)) != 0)) {
		goto fail;
	}
	/* Ownership of the stream and the channel passes only on success:
	 * the caller still frees them on failure. */
	p->conn  = prm->conn;
	p->chan  = prm->chan;
	p->leaving = prm->leaving;
	p->gone    = prm->gone;
	p->owner   = prm->owner;
	if (((p->sink = prm->sink) != NULL) &&
	    (mpc_tran_observer_get() != NULL)) {
		mpc_tran_observer_get()->ev_hold(p->sink);
	} else {
		p->sink = NULL;
	}
	*pp = p;
	return (0);

fail:
	mpc_tran_pipe_fini(p);
	return (rv);
}

void
mpc_tran_pipe_reap(mpc_tran_pipe *p)
{
	if (!nni_atomic_flag_test_and_set(&p->reaped)) {
		if (p->conn != NULL) {
			nng_stream_close(p->conn);
		}
		nni_reap(&mpc_tran_pipe_reap_list, p);
	}
}

void
mpc_tran_pipe_set_rcvmax(mpc_tran_pipe *p, size_t rcvmax)
{
	nni_atomic_set64(&p->rcvmax, (uint64_t) rcvmax);
}

uint64_t
mpc_tran_pipe_epoch(mpc_tran_pipe *p, bool recv)
{
	mpc_chan_stats st;

	mpc_chan_stats_get(p->chan, &st);
	return (recv ? st.rx_epoch : st.tx_epoch);
}

uint16_t
mpc_tran_pipe_peer(void *arg)
{
	mpc_tran_pipe *p = arg;

	return (p->peer.sp_peer);
}
