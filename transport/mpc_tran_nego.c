/*
 * mpc_tran_nego.c -- a pipe's connection negotiation, before the socket
 * sees it: the SP header exchange of NNG's stream transports, the MPC
 * hello, the identity checks and the key confirmation
 * (records and keys: mpc_tran_hello.h).
 *
 * Both directions run at once, each on its own aio, in phases:
 *   HELLO     out: SP header || hello (one write)
 *             in:  SP header (8 bytes, checked at once), then hello (72)
 *             when both are done: check the hello, the TLS identity,
 *             derive the keys -- or refuse (REJECT)
 *   FINISHED  out: our finished record;  in: the peer's (40 bytes each)
 *             when both are done: verify the peer's, register the party
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
 * Each refusal has its own error and moves its endpoint counter; a dialer
 * also reports it to nng_dial().  The pipe is then closed and reaped: it
 * never reaches the socket.
 *
 * Locking: runs under ep->mtx (see mpc_tran.h).
 */
#include <string.h>

#include "mpc_tran.h"

#include "mpc_frame.h"
#include "mpc_wipe.h"

/* How long a refusing dialer waits for the peer to close first. */
#define MPC_TRAN_LINGER_MS 100

/* Which counter a failed negotiation moves. */
static mpc_tran_rej
mpc_tran_rej_of(int rv)
{
	switch (rv) {
	case NNG_MPC_EHELLO:
		return (MPC_TRAN_REJ_HELLO);
	case NNG_MPC_EHELLOVERSION:
		return (MPC_TRAN_REJ_VERSION);
	case NNG_MPC_ESESSIONID:
		return (MPC_TRAN_REJ_SESSION);
	case NNG_MPC_EKEYCONFIRM:
		return (MPC_TRAN_REJ_KEY);
	case NNG_MPC_EPARTYCERT:
		return (MPC_TRAN_REJ_CERT);
	case NNG_MPC_EDUPPARTY:
		return (MPC_TRAN_REJ_DUP);
	case NNG_MPC_ESELFPARTY:
		return (MPC_TRAN_REJ_SELF);
	case NNG_MPC_ECAPS:
		return (MPC_TRAN_REJ_CAPS);
	case NNG_MPC_ENOIDENTITY:
		return (MPC_TRAN_REJ_IDENTITY);
	case NNG_ETIMEDOUT:
		return (MPC_TRAN_REJ_TIMEOUT);
	default:
		return (MPC_TRAN_REJ_OTHER);
	}
}

/* Starts (or continues) one direction's transfer within the deadline. */
static int
mpc_tran_nego_go(mpc_tran_pipe *p, mpc_tran_nego_io *io, bool send)
{
	nni_iov      iov;
	nni_duration left;
	nni_time     now = nni_clock();

	if (now >= p->nego_deadline) {
		return (NNG_ETIMEDOUT);
	}
	left = (nni_duration) (p->nego_deadline - now);
	nni_aio_set_timeout(io->aio, left);
	iov.iov_buf = io->buf + io->got;
	iov.iov_len = io->want - io->got;
	nni_aio_set_iov(io->aio, 1, &iov);
	if (send) {
		nng_stream_send(p->conn, io->aio);
	} else {
		nng_stream_recv(p->conn, io->aio);
	}
	return (0);
}

/* Sets up and starts a new transfer in one direction. */
static int
mpc_tran_nego_xfer(
    mpc_tran_pipe *p, mpc_tran_nego_io *io, uint8_t *buf, size_t len, bool send)
{
	io->buf  = buf;
	io->got  = 0;
	io->want = len;
	io->done = false;
	return (mpc_tran_nego_go(p, io, send));
}

/*
 * A peer's TLS identity counts only when the engine trusted its
 * certificate (chain verified, or key pinned where the pins are the trust
 * root: mpc_tls_bridge.h) and it names a party.  As defence in depth the
 * peer's key is also checked against the endpoint's pins here (every pin,
 * in constant time), although the engine already required it.  Locked.
 */
static bool
mpc_tran_nego_tls_trusted(
    const mpc_tran_ep *ep, const struct mpc_tls_peer *pi)
{
	uint8_t hit = 0;

	if (!pi->have_cert || !pi->verified || !pi->party_ok) {
		return (false);
	}
	if (ep->cfg.npins == 0) {
		return (true);
	}
	for (size_t i = 0; i < ep->cfg.npins; i++) {
		const uint8_t *pin = ep->cfg.pins[i];
		uint8_t        d   = 0;
		for (size_t j = 0; j < MPC_TRAN_PIN_SIZE; j++) {
			d |= (uint8_t) (pin[j] ^ pi->spki_sha256[j]);
		}
		hit |= (uint8_t) (d == 0);
	}
	return (hit != 0);
}

/*
 * Over TLS: the party ID the peer claims must be the one in the
 * certificate the TLS engine verified, and (by default) a TLS exporter
 * value binds the keys to this TLS connection.  The engine publishes both
 * through its bridge, keyed by the nng_stream we hold.
 */
static int
mpc_tran_nego_tls(mpc_tran_pipe *p)
{
	struct mpc_tls_peer pi;
	uint8_t      exp[MPC_HELLO_EXPORTER_SIZE];
	int          rv;

	memset(&pi, 0, sizeof(pi));
	if (((rv = mpc_tls_peer_info(p->conn, &pi)) != 0) ||
	    !mpc_tran_nego_tls_trusted(p->ep, &pi)) {
		rv = NNG_MPC_ENOIDENTITY;
		goto out;
	}
	if (pi.party_id != p->hs.peer.party_id) {
		rv = NNG_MPC_EPARTYCERT;
		goto out;
	}
	/* Same sizes as the bridge's, which NUL-terminates them. */
	memcpy(p->peer_subject, pi.subject, sizeof(p->peer_subject));
	memcpy(p->tls_version, pi.version, sizeof(p->tls_version));
	memcpy(p->tls_cipher, pi.cipher, sizeof(p->tls_cipher));
	memcpy(p->peer_pin, pi.spki_sha256, sizeof(p->peer_pin));

	if (mpc_hs_binding(&p->hs)) {
		if (mpc_tls_export(p->conn, MPC_HELLO_EXPORTER_LABEL,
		        p->hs.transcript, sizeof(p->hs.transcript), exp,
		        sizeof(exp)) != 0) {
			rv = NNG_MPC_ENOIDENTITY;
			goto out;
		}
		mpc_hs_set_exporter(&p->hs, exp, sizeof(exp));
	}
	rv = 0;
out:
	/* The exporter is read once: free the handshake secrets now rather
	 * than at the end of the connection (best effort on a failed path,
	 * where closing the stream frees them anyway; on the good path a
	 * failure means the stream is not what it was a moment ago). */
	if ((mpc_tls_forget(p->conn) != 0) && (rv == 0)) {
		rv = NNG_MPC_ENOIDENTITY;
	}
	mpc_wipe(exp, sizeof(exp));
	return (rv);
}

/* Checks the peer's hello and everything known about the peer. */
static int
mpc_tran_nego_check_peer(mpc_tran_pipe *p)
{
	mpc_tran_ep *ep = p->ep;
	int          rv;

	if ((rv = mpc_hs_check_peer(&p->hs)) != 0) {
		return (rv);
	}
	p->peer_id  = p->hs.peer.party_id;
	p->peer_max = (size_t) p->hs.peer.max_payload;
	if ((ep->kind == MPC_TRAN_TLS) && ((rv = mpc_tran_nego_tls(p)) != 0)) {
		return (rv);
	}
	/* Early answer for the peer; the authoritative check is the
	 * registration after key confirmation. */
	if (mpc_tran_party_connected(p->sock_id, p->peer_id)) {
		return (NNG_MPC_EDUPPARTY);
	}
	return (0);
}

/* Reads and discards until the peer closes (or the wait ends).  The
 * result will be reason; its counter has moved already.  Locked. */
static int
mpc_tran_nego_linger(mpc_tran_pipe *p, mpc_tran_nego_state st, int reason)
{
	nni_time cap = nni_clock() + MPC_TRAN_LINGER_MS;

	p->nego        = st;
	p->nego_reject = reason;
	if (p->ep->is_dialer && (cap < p->nego_deadline)) {
		p->nego_deadline = cap;
	}
	/* Called when both directions are idle (the phase is complete). */
	return (mpc_tran_nego_xfer(
	    p, &p->nrx, p->nego_scratch, sizeof(p->nego_scratch), false));
}

/* Refuses the peer: count, tell it why (best effort), linger.  Locked. */
static int
mpc_tran_nego_reject(mpc_tran_pipe *p, int reason)
{
	int rv;

	nni_atomic_inc64(&p->ep->rej[mpc_tran_rej_of(reason)]);
	p->nego_counted = true;
	mpc_hs_reject(&p->hs, reason);
	if ((rv = mpc_tran_nego_linger(p, MPC_NEGO_REJECT, reason)) != 0) {
		return (rv);
	}
	return (mpc_tran_nego_xfer(
	    p, &p->ntx, p->hs.tx_fin, sizeof(p->hs.tx_fin), true));
}

/* Ends a failed negotiation.  Locked; the pipe is reaped. */
void
mpc_tran_nego_fail(mpc_tran_pipe *p, int rv)
{
	mpc_tran_ep *ep = p->ep;

	if (p->nego == MPC_NEGO_FAILED) {
		return; /* the other direction already ended it */
	}
	/* When we refused, our reason is the result even if the record
	 * telling the peer could not be sent. */
	if (p->nego_reject != 0) {
		rv = p->nego_reject;
	} else if (p->nego_timedout) {
		rv = NNG_ETIMEDOUT;
	}
	p->nego = MPC_NEGO_FAILED;
	nni_aio_abort(p->negotimer, NNG_ECANCELED);
	if (!p->nego_counted && (rv != NNG_ECLOSED) && (rv != NNG_ECANCELED)) {
		nni_atomic_inc64(&ep->rej[mpc_tran_rej_of(rv)]);
	}
	p->nego_counted = true;
	mpc_hs_wipe(&p->hs);
	nng_stream_close(p->conn);
	mpc_tran_ep_nego_failed(ep, rv);
	mpc_tran_pipe_reap(p);
}

/* Key confirmation passed: the pipe may carry frames.  Locked. */
static int
mpc_tran_nego_done(mpc_tran_pipe *p)
{
	mpc_tran_ep *ep = p->ep;
	int          rv;

	if ((rv = mpc_tran_party_register(p)) != 0) {
		return (rv);
	}
	nni_aio_abort(p->negotimer, NNG_ECANCELED);
	p->chan = mpc_hs_take_channel(&p->hs);
	mpc_hs_wipe(&p->hs);
	p->nego = MPC_NEGO_DONE;
	nni_atomic_inc64(&ep->accepted);
	nni_list_remove(&ep->negopipes, p);
	nni_list_append(&ep->waitpipes, p);
	mpc_tran_ep_match(ep);
	return (0);
}

/* Both directions of the current phase are done: the next phase. */
static int
mpc_tran_nego_advance(mpc_tran_pipe *p)
{
	bool by_peer;
	int  rv;

	if (!p->ntx.done || !p->nrx.done) {
		return (0);
	}
	switch (p->nego) {
	case MPC_NEGO_HELLO:
		if ((rv = mpc_tran_nego_check_peer(p)) != 0) {
			return (mpc_tran_nego_reject(p, rv));
		}
		if ((rv = mpc_hs_derive(&p->hs, mpc_tran_now_ns())) != 0) {
			return (rv);
		}
		p->nego = MPC_NEGO_FINISHED;
		if ((rv = mpc_tran_nego_xfer(p, &p->nrx, p->hs.rx_fin,
		         sizeof(p->hs.rx_fin), false)) != 0) {
			return (rv);
		}
		return (mpc_tran_nego_xfer(
		    p, &p->ntx, p->hs.tx_fin, sizeof(p->hs.tx_fin), true));

	case MPC_NEGO_FINISHED:
		if ((rv = mpc_hs_check_finished(&p->hs, &by_peer)) != 0) {
			nni_atomic_inc64(&p->ep->rej[by_peer
			        ? MPC_TRAN_REJ_BY_PEER
			        : mpc_tran_rej_of(rv)]);
			p->nego_counted = true;
			return (mpc_tran_nego_linger(p, MPC_NEGO_LINGER, rv));
		}
		return (mpc_tran_nego_done(p));

	default:
		/* REJECT and LINGER end when the read fails (the peer
		 * closed, or the wait ended). */
		return (0);
	}
}

void
mpc_tran_nego_tx_cb(void *arg)
{
	mpc_tran_pipe *p  = arg;
	mpc_tran_ep *  ep = p->ep;
	int            rv;

	nni_mtx_lock(&ep->mtx);
	if ((p->nego == MPC_NEGO_FAILED) || (p->nego == MPC_NEGO_DONE)) {
		nni_mtx_unlock(&ep->mtx);
		return;
	}
	if ((rv = nni_aio_result(p->ntx.aio)) != 0) {
		if ((p->nego == MPC_NEGO_REJECT) || (p->nego == MPC_NEGO_LINGER)) {
			/* Best effort; the lingering read decides. */
			nni_mtx_unlock(&ep->mtx);
			return;
		}
		goto error;
	}
	if (ep->closed) {
		rv = NNG_ECLOSED;
		goto error;
	}
	p->ntx.got += nni_aio_count(p->ntx.aio);
	if (p->ntx.got < p->ntx.want) {
		rv = mpc_tran_nego_go(p, &p->ntx, true);
	} else {
		p->ntx.done = true;
		rv          = mpc_tran_nego_advance(p);
	}
	if (rv == 0) {
		nni_mtx_unlock(&ep->mtx);
		return;
	}
error:
	mpc_tran_nego_fail(p, rv);
	nni_mtx_unlock(&ep->mtx);
}

void
mpc_tran_nego_rx_cb(void *arg)
{
	mpc_tran_pipe *p  = arg;
	mpc_tran_ep *  ep = p->ep;
	int            rv;

	nni_mtx_lock(&ep->mtx);
	if ((p->nego == MPC_NEGO_FAILED) || (p->nego == MPC_NEGO_DONE)) {
		nni_mtx_unlock(&ep->mtx);
		return;
	}
	if ((rv = nni_aio_result(p->nrx.aio)) != 0) {
		goto error; /* for REJECT and LINGER: the peer closed */
	}
	if (ep->closed) {
		rv = NNG_ECLOSED;
		goto error;
	}
	p->nrx.got += nni_aio_count(p->nrx.aio);
	if ((p->nego == MPC_NEGO_REJECT) || (p->nego == MPC_NEGO_LINGER)) {
		/* Whatever the peer still sends is discarded. */
		rv = mpc_tran_nego_xfer(p, &p->nrx, p->nego_scratch,
		    sizeof(p->nego_scratch), false);
	} else if (p->nrx.got < p->nrx.want) {
		rv = mpc_tran_nego_go(p, &p->nrx, false);
	} else if ((p->nego == MPC_NEGO_HELLO) &&
	    (p->nrx.buf == p->hs.rx)) {
		/* The SP header: check it before waiting for more. */
		if ((rv = mpc_hs_check_sp(&p->hs, &p->peer)) == 0) {
			rv = mpc_tran_nego_xfer(p, &p->nrx,
			    p->hs.rx + MPC_SP_HEADER_SIZE, MPC_HELLO_SIZE,
			    false);
		}
	} else {
		p->nrx.done = true;
		rv          = mpc_tran_nego_advance(p);
	}
	if (rv == 0) {
		nni_mtx_unlock(&ep->mtx);
		return;
	}
error:
	mpc_tran_nego_fail(p, rv);
	nni_mtx_unlock(&ep->mtx);
}

/* The deadline passed with the negotiation still running: close the
 * stream, which completes whatever operation is pending. */
void
mpc_tran_nego_timer_cb(void *arg)
{
	mpc_tran_pipe *p  = arg;
	mpc_tran_ep *  ep = p->ep;

	if (nni_aio_result(p->negotimer) != 0) {
		return; /* negotiation ended first */
	}
	nni_mtx_lock(&ep->mtx);
	if ((p->nego != MPC_NEGO_DONE) && (p->nego != MPC_NEGO_FAILED)) {
		p->nego_timedout = true;
		nng_stream_close(p->conn);
	}
	nni_mtx_unlock(&ep->mtx);
}

/* A new connection: set up the hello and send it.  Locked. */
void
mpc_tran_nego_start(mpc_tran_pipe *p, nng_stream *conn, mpc_tran_ep *ep)
{
	bool     binding;
	uint32_t max;
	int      rv;

	ep->refcnt++;
	p->conn    = conn;
	p->ep      = ep;
	p->proto   = ep->proto;
	p->sock_id = ep->sock_id;
	p->self_id = ep->cfg.party_id;
	nni_list_append(&ep->negopipes, p);
	mpc_tran_pipe_set_rcvmax(p, ep->rcvmax);

	/* What we accept: the MPC maximum, lowered by NNG_OPT_RECVMAXSZ. */
	max = ep->cfg.max_payload;
	if ((ep->rcvmax != 0) && (ep->rcvmax < max)) {
		max = (uint32_t) ep->rcvmax;
	}
	p->maxpayload = max;
	binding = (ep->kind == MPC_TRAN_TLS) && ep->cfg.channel_binding;
	p->nego_deadline = nni_clock() + (nni_time) ep->cfg.hs_timeout;
	nni_sleep_aio(ep->cfg.hs_timeout, p->negotimer);

	p->rxcap = MPC_TRAN_RXBUF_SIZE;
	if (((p->rxbuf = nni_alloc(p->rxcap)) == NULL) ||
	    ((p->txbuf = nni_alloc(2 * MPC_TRAN_TXBUF_SIZE)) == NULL)) {
		mpc_tran_nego_fail(p, NNG_ENOMEM);
		return;
	}
	if (((rv = mpc_frame_session_binding(p->binding, ep->cfg.session_id,
	          sizeof(ep->cfg.session_id))) != 0) ||
	    ((rv = mpc_hs_init(&p->hs, &ep->cfg, p->proto, ep->is_dialer,
	          binding, max)) != 0)) {
		mpc_tran_nego_fail(p, rv);
		return;
	}
	/* Read first, then write (see the top of this file). */
	p->nego = MPC_NEGO_HELLO;
	if (((rv = mpc_tran_nego_xfer(p, &p->nrx, p->hs.rx, MPC_SP_HEADER_SIZE,
	          false)) != 0) ||
	    ((rv = mpc_tran_nego_xfer(
	          p, &p->ntx, p->hs.tx, sizeof(p->hs.tx), true)) != 0)) {
		mpc_tran_nego_fail(p, rv);
	}
}
