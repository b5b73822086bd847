/*
 * mpc_tran_nego.c -- a connection's negotiation, before any pipe exists:
 * the SP header exchange of NNG's stream transports, the MPC hello, the
 * identity checks and the key confirmation (records and keys:
 * mpc_tran_hello.h; the object and its rules: mpc_tran_nego.h).
 *
 * Both directions run at once, each on its own aio, in phases:
 *   HELLO     out: SP header || hello (one write)
 *             in:  SP header (8 bytes, checked at once), then hello (72)
 *             when both are done: check the hello, the TLS identity,
 *             derive the keys -- or refuse (REJECT)
 *   FINISHED  out: our finished record;  in: the peer's (40 bytes each)
 *             when both are done: verify the peer's -- done
 *   REJECT    out: a finished record carrying our reason;
 *             in:  read and discard until the peer closes
 *   LINGER    (key confirmation failed after our finished went out)
 *             in:  read and discard until the peer closes
 * A read is always outstanding while we write.  That is deliberate: NNG
 * 1.5.2's TLS stream completes operations queued when its TCP connection
 * fails, but an operation issued after that failure is never completed
 * (src/supplemental/tls/tls_common.c: the TCP aio is closed, a new TCP
 * receive on it silently does nothing, and cancelling cannot help) -- a
 * TLS peer that refuses our certificate and closes would otherwise leave
 * us waiting for the deadline.
 *
 * Lingering: after a refusal we close only when the peer has closed (or
 * the wait ends): closing first could lose what we sent -- NNG's TLS
 * stream drops ciphertext not yet written when closed, and a TCP close with
 * unread input sends a reset that can destroy data in flight.  The dialer
 * waits at most MPC_TRAN_LINGER_MS (so when both sides refuse, the dialer
 * closes first and ends the listener's wait); the listener until its
 * deadline.
 *
 * The whole negotiation has one deadline (NNG_OPT_MPC_HANDSHAKE_TIMEOUT,
 * default 10 s as in NNG's transports): each transfer gets the time left,
 * so a peer that trickles bytes cannot stretch it, and a timer closes the
 * stream at the deadline in any case.
 *
 * Locking: under the owner's mutex (mpc_tran_nego.h).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mpc_tran_nego.h"

#include "mpc_frame.h"
#include "mpc_tran_hello.h"
#include "mpc_wipe.h"

/* How long a refusing dialer waits for the peer to close first. */
#define MPC_TRAN_LINGER_MS 100

typedef enum mpc_tran_nego_state {
	MPC_NEGO_HELLO,    /* SP header + hello out, SP header, hello in */
	MPC_NEGO_FINISHED, /* finished record out and in */
	MPC_NEGO_REJECT,   /* our refusal out; reading until the peer closes */
	MPC_NEGO_LINGER,   /* refused after our finished: reading until close */
	MPC_NEGO_DONE,     /* keys confirmed, reported */
	MPC_NEGO_FAILED,   /* ended, reported */
} mpc_tran_nego_state;

/* One direction: a buffer being sent or filled. */
typedef struct mpc_tran_nego_io {
	nni_aio *aio;
	uint8_t *buf;
	size_t   got;
	size_t   want;
	bool     done; /* this phase's transfer is complete */
} mpc_tran_nego_io;

struct mpc_tran_nego {
	nni_list_node        node;
	mpc_tran_nego_params prm;
	nng_stream *         conn;
	mpc_tran_source      src;
	mpc_tran_nego_io     tx;
	mpc_tran_nego_io     rx;
	nni_aio *            timer; /* the deadline, independent of I/O */
	mpc_tran_nego_state  state;
	nni_time             deadline;
	bool                 timedout;
	int                  reject;  /* our reason when refusing */
	bool                 counted; /* a counter moved for this outcome */
	uint64_t             start_ns;
	uint8_t              scratch[64]; /* what a lingering read gets */
	mpc_tran_hs          hs;          /* secrets wiped when done */
	uint8_t (*pins)[NNG_MPC_TLS_PIN_SIZE]; /* the endpoint's, or NULL */
	size_t               npins;
	mpc_tran_limits      lim;    /* allow/deny lists and the filter */
	mpc_tran_peer        peer;
	mpc_chan *           chan;
	nni_reap_node        reap;
};

static void mpc_tran_nego_fini(void *);

static nni_reap_list mpc_tran_nego_reap_list = {
	.rl_offset = offsetof(mpc_tran_nego, reap),
	.rl_func   = mpc_tran_nego_fini,
};

/* Counts an outcome once, in the row of rv. */
static void
mpc_tran_nego_count(mpc_tran_nego *n, int rv)
{
	if (!n->counted && (rv != NNG_ECLOSED) && (rv != NNG_ECANCELED)) {
		mpc_tran_ep_count(n->prm.stats, mpc_tran_ep_ctr_of(rv));
	}
	n->counted = true;
}

/* Starts (or continues) one direction's transfer within the deadline. */
static int
mpc_tran_nego_go(mpc_tran_nego *n, mpc_tran_nego_io *io, bool send)
{
	nni_iov  iov;
	nni_time now = nni_clock();

	/* Past the deadline the transfer times out at once, through its
	 * callback like every other outcome (NNG: a zero timeout fails an
	 * operation that cannot complete immediately). */
	nni_aio_set_timeout(io->aio,
	    now >= n->deadline ? 0 : (nni_duration) (n->deadline - now));
	iov.iov_buf = io->buf + io->got;
	iov.iov_len = io->want - io->got;
	nni_aio_set_iov(io->aio, 1, &iov);
	if (send) {
		nng_stream_send(n->conn, io->aio);
	} else {
		nng_stream_recv(n->conn, io->aio);
	}
	return (0);
}

/* Sets up and starts a new transfer in one direction. */
static int
mpc_tran_nego_xfer(mpc_tran_nego *n, mpc_tran_nego_io *io, uint8_t *buf,
    size_t len, bool send)
{
	io->buf  = buf;
	io->got  = 0;
	io->want = len;
	io->done = false;
	return (mpc_tran_nego_go(n, io, send));
}

/* Checks the peer's hello and everything known about the peer. */
static int
mpc_tran_nego_check_peer(mpc_tran_nego *n)
{
	mpc_tran_party e;
	int            rv;

	rv               = mpc_hs_check_peer(&n->hs);
	n->peer.peer_id  = n->hs.peer.party_id; /* the claim, for reports */
	n->peer.peer_max = (size_t) n->hs.peer.max_payload;
	n->peer.deliver  = mpc_hs_deliver(&n->hs);
	if (rv != 0) {
		return (rv);
	}
	if (n->prm.tls) {
		if ((rv = mpc_tran_tls_identify(n->conn, n->peer.peer_id,
		         (const uint8_t(*)[NNG_MPC_TLS_PIN_SIZE]) n->pins,
		         n->npins, &n->peer.tlsp)) != 0) {
			return (rv);
		}
		if ((rv = mpc_tran_tls_bind(n->conn, &n->hs)) != 0) {
			return (rv);
		}
	}
	/* Early answer for the peer; the authoritative check is the
	 * registration after key confirmation. */
	mpc_tran_party_init(&e, n->prm.sock_id, n->peer.peer_id,
	    n->prm.tls ? n->peer.tlsp.pin : NULL);
	if ((rv = mpc_tran_party_check(&e)) != 0) {
		return (rv);
	}
	return (mpc_tran_limits_party(&n->lim, n->peer.peer_id));
}

/*
 * The application's filter (include/nng_mpc.h, NNG_OPT_MPC_FILTER), after
 * every check of ours passed: called with the owner's mutex released (it
 * may call into NNG, even this endpoint's options), both transfers idle,
 * so only the deadline timer or a close can touch the negotiation
 * meanwhile -- and they only close the stream, which the next transfer
 * then reports.  0 or NNG_MPC_EFILTER.  Locked on entry and return.
 */
static int
mpc_tran_nego_filter(mpc_tran_nego *n)
{
	nng_mpc_peer_info info;
	nng_mpc_filter    f = n->lim.filter;
	int               rv;

	if (f.fn == NULL) {
		return (0);
	}
	memset(&info, 0, sizeof(info));
	info.party       = n->peer.peer_id;
	info.subject     = n->prm.tls ? n->peer.tlsp.subject : "";
	info.pin         = n->prm.tls ? n->peer.tlsp.pin : NULL;
	info.remote      = n->peer.remote;
	info.tls_version = n->prm.tls ? n->peer.tlsp.version : "";
	info.dialer      = n->prm.dialer;
	nni_mtx_unlock(n->prm.mtx);
	rv = f.fn(f.arg, &info);
	nni_mtx_lock(n->prm.mtx);
	return (rv == 0 ? 0 : NNG_MPC_EFILTER);
}

/* Reads and discards until the peer closes (or the wait ends). */
static int
mpc_tran_nego_linger(mpc_tran_nego *n, mpc_tran_nego_state st, int reason)
{
	nni_time cap = nni_clock() + MPC_TRAN_LINGER_MS;

	n->state  = st;
	n->reject = reason;
	if (n->prm.dialer && (cap < n->deadline)) {
		n->deadline = cap;
	}
	/* Called when both directions are idle (the phase is complete). */
	return (mpc_tran_nego_xfer(
	    n, &n->rx, n->scratch, sizeof(n->scratch), false));
}

/* Refuses the peer: count, tell it why (best effort), linger. */
static int
mpc_tran_nego_refuse(mpc_tran_nego *n, int reason)
{
	int rv;

	mpc_tran_nego_count(n, reason);
	mpc_hs_reject(&n->hs, reason);
	if ((rv = mpc_tran_nego_linger(n, MPC_NEGO_REJECT, reason)) != 0) {
		return (rv);
	}
	return (mpc_tran_nego_xfer(
	    n, &n->tx, n->hs.tx_fin, sizeof(n->hs.tx_fin), true));
}

/* Ends the negotiation and reports it; the last thing it does. */
static void
mpc_tran_nego_end(mpc_tran_nego *n, int rv)
{
	if ((n->state == MPC_NEGO_FAILED) || (n->state == MPC_NEGO_DONE)) {
		return; /* the other direction already ended it */
	}
	nni_aio_abort(n->timer, NNG_ECANCELED);
	if (rv == 0) {
		n->state = MPC_NEGO_DONE;
		n->chan  = mpc_hs_take_channel(&n->hs);
		mpc_hs_wipe(&n->hs);
		n->peer.duration_ns = mpc_tran_now_ns() - n->start_ns;
		mpc_tran_ep_count(n->prm.stats, MPC_TRAN_EP_HANDSHAKES);
	} else {
		/* When we refused, our reason is the result even if the
		 * record telling the peer could not be sent. */
		if (n->reject != 0) {
			rv = n->reject;
		} else if (n->timedout) {
			rv = NNG_ETIMEDOUT;
		}
		n->state = MPC_NEGO_FAILED;
		mpc_tran_nego_count(n, rv);
		mpc_hs_wipe(&n->hs);
		nng_stream_close(n->conn);
	}
	n->prm.done(n->prm.arg, n, rv);
}

/* Both directions of the current phase are done: the next phase. */
static int
mpc_tran_nego_advance(mpc_tran_nego *n, bool *done)
{
	bool by_peer;
	int  rv;

	*done = false;
	if (!n->tx.done || !n->rx.done) {
		return (0);
	}
	switch (n->state) {
	case MPC_NEGO_HELLO:
		if (((rv = mpc_tran_nego_check_peer(n)) != 0) ||
		    ((rv = mpc_tran_nego_filter(n)) != 0)) {
			return (mpc_tran_nego_refuse(n, rv));
		}
		if ((rv = mpc_hs_derive(&n->hs, mpc_tran_now_ns())) != 0) {
			return (rv);
		}
		n->state = MPC_NEGO_FINISHED;
		if ((rv = mpc_tran_nego_xfer(n, &n->rx, n->hs.rx_fin,
		         sizeof(n->hs.rx_fin), false)) != 0) {
			return (rv);
		}
		return (mpc_tran_nego_xfer(
		    n, &n->tx, n->hs.tx_fin, sizeof(n->hs.tx_fin), true));

	case MPC_NEGO_FINISHED:
		if ((rv = mpc_hs_check_finished(&n->hs, &by_peer)) != 0) {
			mpc_tran_nego_count(
			    n, by_peer ? NNG_MPC_EREJECTED : rv);
			return (mpc_tran_nego_linger(n, MPC_NEGO_LINGER, rv));
		}
		*done = true;
		return (0);

	default:
		/* REJECT and LINGER end when the read fails (the peer
		 * closed, or the wait ended). */
		return (0);
	}
}

static void
mpc_tran_nego_tx_cb(void *arg)
{
	mpc_tran_nego *n = arg;
	bool           done;
	int            rv;

	nni_mtx_lock(n->prm.mtx);
	if ((n->state == MPC_NEGO_FAILED) || (n->state == MPC_NEGO_DONE)) {
		nni_mtx_unlock(n->prm.mtx);
		return;
	}
	if ((rv = nni_aio_result(n->tx.aio)) != 0) {
		if ((n->state == MPC_NEGO_REJECT) ||
		    (n->state == MPC_NEGO_LINGER)) {
			/* Best effort; the lingering read decides. */
			nni_mtx_unlock(n->prm.mtx);
			return;
		}
		goto end;
	}
	n->tx.got += nni_aio_count(n->tx.aio);
	if (n->tx.got < n->tx.want) {
		rv = mpc_tran_nego_go(n, &n->tx, true);
	} else {
		n->tx.done = true;
		if (((rv = mpc_tran_nego_advance(n, &done)) == 0) && done) {
			goto end;
		}
	}
	if (rv == 0) {
		nni_mtx_unlock(n->prm.mtx);
		return;
	}
end:
	mpc_tran_nego_end(n, rv);
	nni_mtx_unlock(n->prm.mtx);
}

static void
mpc_tran_nego_rx_cb(void *arg)
{
	mpc_tran_nego *n = arg;
	bool           done;
	int            rv;

	nni_mtx_lock(n->prm.mtx);
	if ((n->state == MPC_NEGO_FAILED) || (n->state == MPC_NEGO_DONE)) {
		nni_mtx_unlock(n->prm.mtx);
		return;
	}
	if ((rv = nni_aio_result(n->rx.aio)) != 0) {
		goto end; /* for REJECT and LINGER: the peer closed */
	}
	n->rx.got += nni_aio_count(n->rx.aio);
	if ((n->state == MPC_NEGO_REJECT) || (n->state == MPC_NEGO_LINGER)) {
		/* Whatever the peer still sends is discarded. */
		rv = mpc_tran_nego_xfer(
		    n, &n->rx, n->scratch, sizeof(n->scratch), false);
	} else if (n->rx.got < n->rx.want) {
		rv = mpc_tran_nego_go(n, &n->rx, false);
	} else if ((n->state == MPC_NEGO_HELLO) && (n->rx.buf == n->hs.rx)) {
		/* The SP header: check it before waiting for more. */
		if ((rv = mpc_hs_check_sp(&n->hs, &n->peer.sp_peer)) == 0) {
			rv = mpc_tran_nego_xfer(n, &n->rx,
			    n->hs.rx + MPC_SP_HEADER_SIZE, MPC_HELLO_SIZE,
			    false);
		}
	} else {
		n->rx.done = true;
		if (((rv = mpc_tran_nego_advance(n, &done)) == 0) && done) {
			goto end;
		}
	}
	if (rv == 0) {
		nni_mtx_unlock(n->prm.mtx);
		return;
	}
end:
	mpc_tran_nego_end(n, rv);
	nni_mtx_unlock(n->prm.mtx);
}

/* The deadline passed with the negotiation still running: close the
 * stream, which completes whatever operation is pending. */
static void
mpc_tran_nego_timer_cb(void *arg)
{
	mpc_tran_nego *n = arg;

	if (nni_aio_result(n->timer) != 0) {
		return; /* negotiation ended first */
	}
	nni_mtx_lock(n->prm.mtx);
	if ((n->state != MPC_NEGO_DONE) && (n->state != MPC_NEGO_FAILED)) {
		n->timedout = true;
		nng_stream_close(n->conn);
	}
	nni_mtx_unlock(n->prm.mtx);
}

static void
mpc_tran_nego_fini(void *narg)
{
	mpc_tran_nego *n = narg;
	void (*gone)(void *);
	void *arg;

	nni_aio_stop(n->tx.aio);
	nni_aio_stop(n->rx.aio);
	nni_aio_stop(n->timer);
	nni_aio_free(n->tx.aio);
	nni_aio_free(n->rx.aio);
	nni_aio_free(n->timer);
	if (n->conn != NULL) {
		nng_stream_close(n->conn);
		nng_stream_free(n->conn);
	}
	mpc_chan_free(n->chan);
	mpc_hs_wipe(&n->hs);
	if (n->pins != NULL) {
		nni_free(n->pins, n->npins * sizeof(n->pins[0]));
	}
	gone = n->prm.gone;
	arg  = n->prm.arg;
	mpc_wipe(n, sizeof(*n));
	NNI_FREE_STRUCT(n);
	if (gone != NULL) {
		gone(arg);
	}
}

void
mpc_tran_nego_reap(mpc_tran_nego *n)
{
	nni_reap(&mpc_tran_nego_reap_list, n);
}

int
mpc_tran_nego_start(mpc_tran_nego **np, nng_stream *conn,
    const mpc_tran_source *src, const mpc_tran_nego_params *prm)
{
	const mpc_tran_cfg *cfg = prm->cfg;
	mpc_tran_nego *     n;
	uint32_t            max;
	int                 rv;

	if ((n = NNI_ALLOC_STRUCT(n)) == NULL) {
		nng_stream_close(conn);
		nng_stream_free(conn);
		return (NNG_ENOMEM);
	}
	NNI_LIST_NODE_INIT(&n->node);
	n->prm      = *prm;
	n->prm.cfg  = NULL; /* read here only */
	n->prm.lim  = NULL;
	if (prm->lim != NULL) {
		n->lim = *prm->lim;
	} else {
		mpc_tran_limits_init(&n->lim);
	}
	n->conn     = conn;
	n->src      = *src;
	n->start_ns = mpc_tran_now_ns();
	/* Of the configuration, the identity check needs only the pins:
	 * copied as many as there are (usually none), not the whole
	 * configuration, so a pending connection stays small. */
	if (cfg->npins > 0) {
		if ((n->pins = nni_alloc(cfg->npins * sizeof(cfg->pins[0]))) ==
		    NULL) {
			n->prm.gone = NULL; /* never started */
			mpc_tran_nego_fini(n);
			return (NNG_ENOMEM);
		}
		n->npins = cfg->npins;
		memcpy(n->pins, cfg->pins, cfg->npins * sizeof(cfg->pins[0]));
	}

	/* What we accept: the MPC maximum, lowered by NNG_OPT_RECVMAXSZ. */
	max = cfg->max_payload;
	if ((prm->rcvmax != 0) && (prm->rcvmax < max)) {
		max = (uint32_t) prm->rcvmax;
	}
	n->peer.self_id     = cfg->party_id;
	n->peer.max_payload = max;
	n->peer.tls         = prm->tls;
	n->peer.src         = *src;
	(void) snprintf(n->peer.remote, sizeof(n->peer.remote), "%s",
	    prm->remote != NULL ? prm->remote : "");

	if (((rv = nni_aio_alloc(&n->tx.aio, mpc_tran_nego_tx_cb, n)) != 0) ||
	    ((rv = nni_aio_alloc(&n->rx.aio, mpc_tran_nego_rx_cb, n)) != 0) ||
	    ((rv = nni_aio_alloc(&n->timer, mpc_tran_nego_timer_cb, n)) !=
	        0) ||
	    ((rv = mpc_frame_session_binding(n->peer.session, cfg->session_id,
	          sizeof(cfg->session_id))) != 0) ||
	    ((rv = mpc_hs_init(&n->hs, cfg, prm->proto, prm->dialer,
	          prm->tls && cfg->channel_binding, max)) != 0)) {
		n->prm.gone = NULL; /* never started: no reference taken */
		mpc_tran_nego_fini(n);
		return (rv);
	}
	n->peer.binding   = prm->tls && cfg->channel_binding;
	n->peer.dlv_msgs  = cfg->window_msgs;
	n->peer.dlv_bytes = cfg->window_bytes;
	n->deadline     = nni_clock() + (nni_time) cfg->hs_timeout;
	nni_sleep_aio(cfg->hs_timeout, n->timer);

	/* Read first, then write (see the top of this file). */
	n->state = MPC_NEGO_HELLO;
	*np      = n;
	if (((rv = mpc_tran_nego_xfer(n, &n->rx, n->hs.rx, MPC_SP_HEADER_SIZE,
	          false)) != 0) ||
	    ((rv = mpc_tran_nego_xfer(
	          n, &n->tx, n->hs.tx, sizeof(n->hs.tx), true)) != 0)) {
		/* Transfers report through their callbacks: not reached. */
		nng_stream_close(n->conn);
	}
	return (0);
}

void
mpc_tran_nego_close(mpc_tran_nego *n)
{
	if ((n->state != MPC_NEGO_DONE) && (n->state != MPC_NEGO_FAILED)) {
		nng_stream_close(n->conn);
	}
}

void
mpc_tran_nego_take(
    mpc_tran_nego *n, nng_stream **conn, mpc_chan **chan, mpc_tran_peer *peer)
{
	*conn   = n->conn;
	*chan   = n->chan;
	*peer   = n->peer;
	n->conn = NULL;
	n->chan = NULL;
}

const mpc_tran_source *
mpc_tran_nego_source(const mpc_tran_nego *n)
{
	return (&n->src);
}

const char *
mpc_tran_nego_remote(const mpc_tran_nego *n)
{
	return (n->peer.remote);
}

uint32_t
mpc_tran_nego_party(const mpc_tran_nego *n)
{
	return (n->peer.peer_id);
}

nni_list_node *
mpc_tran_nego_node(mpc_tran_nego *n)
{
	return (&n->node);
}

size_t
mpc_tran_nego_node_offset(void)
{
	return (offsetof(mpc_tran_nego, node));
}
