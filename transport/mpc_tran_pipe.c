/*
 * mpc_tran_pipe.c -- an mpc+* pipe: lifecycle and the data path, one sealed
 * frame per NNG message in each direction (frame layout: include/nng_mpc.h,
 * "The frame").
 *
 * Sending.  The message body may start with the 16-byte envelope prefix
 * (type, recipient; nng_mpc_msg_set_type/_recipient).  NNG's bus0 hands a
 * copy of every message to every pipe; each pipe writes only what is for
 * its peer:
 *   - recipient broadcast, or this pipe's peer: one frame, prefix removed;
 *   - recipient another party: not written, the send completes successfully
 *     (the copy for that party's pipe is written there) and
 *     NNG_OPT_MPC_SEND_SKIPPED moves;
 *   - a damaged prefix, a recipient that is ourselves, or a payload over the
 *     peer's announced maximum: not written, the send completes, and
 *     NNG_OPT_MPC_SEND_DROPPED moves.  Failing the send would make NNG's
 *     protocols close the pipe over one bad message.
 * The payload (NNG's message header, then the body without the prefix) is
 * copied next to its 48-byte header in a per-pipe buffer and sealed there:
 * header || payload || tag (16).  A buffer of frames goes out with ONE
 * stream write (see MPC_TRAN_TXBUF_SIZE for why one piece); frames sealed
 * while a write is outstanding share the next one, and under load a send
 * completes once its frame is sealed (mpc_tran_pipe_tx_run).  A frame too
 * large for a buffer is sealed in place in its message and written in
 * three pieces, no copy of the payload; when the protocol put a header on
 * the message (pair1's 4-byte hop count), it is moved into the body first
 * so the sealed payload is contiguous.
 *
 * Receiving.  Reads go into a 128 KiB read-ahead buffer, so one read can
 * bring in many small frames (MPC_TRAN_RXBUF_SIZE).  Take the 48-byte
 * header from it; validate
 * it, including the declared length against NNG_OPT_RECVMAXSZ and the MPC
 * maximum, BEFORE allocating; move payload and tag into a new message
 * (what is not buffered yet is read straight into the message, so a large
 * payload is never copied); open in place (tag, replay window, epoch);
 * then the authenticated header must name the peer as sender, us or
 * broadcast as recipient, our session, and a non-control type.  A frame failing any of these is dropped, its counter moves and
 * the next frame is read; a header that does not decode, or the channel's
 * authentication-failure limit, closes the pipe (the stream can no longer
 * be trusted to be in step).  Delivered messages carry the 40-byte
 * incoming envelope at the start of the message header.
 *
 * Locking: txmtx for the send side, rxmtx for the receive side (the crypto
 * channel's two halves); see mpc_tran.h.
 */
#include <string.h>
#include <time.h>

#include "mpc_tran.h"

#include "mpc_cursor.h"
#include "mpc_envelope.h"
#include "mpc_wipe.h"

static void mpc_tran_pipe_send_cb(void *);
static void mpc_tran_pipe_recv_cb(void *);

static nni_reap_list mpc_tran_pipe_reap_list = {
	.rl_offset = offsetof(mpc_tran_pipe, reap),
	.rl_func   = mpc_tran_pipe_fini,
};

uint64_t
mpc_tran_now_ns(void)
{
	struct timespec ts;

	(void) clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec);
}

/* The frame's timestamp: wall-clock time, for the receiver's logs. */
static uint64_t
mpc_tran_wall_ns(void)
{
	struct timespec ts;

	(void) clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec);
}

static void
mpc_tran_ctr_inc(mpc_tran_pipe *p, mpc_tran_ctr c)
{
	nni_atomic_inc64(&p->ctr[c]);
}

/* ---------------------------------------------------------------------- *
 * Lifecycle
 * ---------------------------------------------------------------------- */

/*
 * Fails every queued user aio except one whose transfer is outstanding
 * (closing our aio below aborts that transfer, and its callback fails
 * it).  Without this, an aio queued after our aio was closed would wait
 * forever: a closed aio silently refuses new stream operations, so its
 * callback never runs.  Locked.
 */
static void
mpc_tran_pipe_fail_queue(nni_list *q, bool busy, int rv)
{
	nni_aio *aio = nni_list_first(q);

	if (busy && (aio != NULL)) {
		aio = nni_list_next(q, aio);
	}
	while (aio != NULL) {
		nni_aio *next = nni_list_next(q, aio);
		nni_aio_list_remove(aio);
		nni_aio_finish_error(aio, rv);
		aio = next;
	}
}

void
mpc_tran_pipe_close(void *arg)
{
	mpc_tran_pipe *p = arg;

	nni_mtx_lock(&p->txmtx);
	p->txclosed = true;
	/* Sealed sends (sealedq, txbig) fail when closing the aio below
	 * aborts their write. */
	mpc_tran_pipe_fail_queue(&p->sendq, false, NNG_ECLOSED);
	nni_mtx_unlock(&p->txmtx);
	nni_mtx_lock(&p->rxmtx);
	p->rxclosed = true;
	mpc_tran_pipe_fail_queue(&p->recvq, p->rxbusy, NNG_ECLOSED);
	nni_mtx_unlock(&p->rxmtx);

	nni_aio_close(p->rxaio);
	nni_aio_close(p->txaio);
	nni_aio_close(p->ntx.aio);
	nni_aio_close(p->nrx.aio);
	nni_aio_close(p->negotimer);
	nng_stream_close(p->conn);
	/* The party may connect again as soon as this pipe is closed, not
	 * only once it is reaped. */
	mpc_tran_party_unregister(p);
}

static void
mpc_tran_pipe_stop(void *arg)
{
	mpc_tran_pipe *p = arg;

	nni_aio_stop(p->rxaio);
	nni_aio_stop(p->txaio);
	nni_aio_stop(p->ntx.aio);
	nni_aio_stop(p->nrx.aio);
	nni_aio_stop(p->negotimer);
}

static int
mpc_tran_pipe_init(void *arg, nni_pipe *npipe)
{
	mpc_tran_pipe *p = arg;

	p->npipe = npipe;
	return (0);
}

void
mpc_tran_pipe_fini(void *arg)
{
	mpc_tran_pipe *p = arg;
	mpc_tran_ep *  ep;

	mpc_tran_pipe_stop(p);
	/* Leave the registry before the endpoint may go away. */
	mpc_tran_party_unregister(p);
	if ((ep = p->ep) != NULL) {
		mpc_tran_ep_pipe_gone(ep, p);
	}
	nni_aio_free(p->rxaio);
	nni_aio_free(p->txaio);
	nni_aio_free(p->ntx.aio);
	nni_aio_free(p->nrx.aio);
	nni_aio_free(p->negotimer);
	nng_stream_free(p->conn);
	nni_msg_free(p->rxmsg);
	if (p->txbuf != NULL) {
		/* Ciphertext only, but wiped like the receive side. */
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
	mpc_hs_wipe(&p->hs);
	nni_mtx_fini(&p->txmtx);
	nni_mtx_fini(&p->rxmtx);
	NNI_FREE_STRUCT(p);
}

int
mpc_tran_pipe_alloc(mpc_tran_pipe **pp)
{
	mpc_tran_pipe *p;
	int            rv;

	if ((p = NNI_ALLOC_STRUCT(p)) == NULL) {
		return (NNG_ENOMEM);
	}
	nni_mtx_init(&p->txmtx);
	nni_mtx_init(&p->rxmtx);
	nni_aio_list_init(&p->sendq);
	nni_aio_list_init(&p->sealedq);
	nni_aio_list_init(&p->recvq);
	NNI_LIST_NODE_INIT(&p->node);
	NNI_LIST_NODE_INIT(&p->party_node);
	nni_atomic_flag_reset(&p->reaped);
	nni_atomic_init64(&p->rcvmax);
	for (int i = 0; i < MPC_CTR_COUNT; i++) {
		nni_atomic_init64(&p->ctr[i]);
	}
	if (((rv = nni_aio_alloc(&p->txaio, mpc_tran_pipe_send_cb, p)) != 0) ||
	    ((rv = nni_aio_alloc(&p->rxaio, mpc_tran_pipe_recv_cb, p)) != 0) ||
	    ((rv = nni_aio_alloc(&p->ntx.aio, mpc_tran_nego_tx_cb, p)) != 0) ||
	    ((rv = nni_aio_alloc(&p->nrx.aio, mpc_tran_nego_rx_cb, p)) != 0) ||
	    ((rv = nni_aio_alloc(&p->negotimer, mpc_tran_nego_timer_cb, p)) !=
	        0)) {
		mpc_tran_pipe_fini(p);
		return (rv);
	}
	*pp = p;
	return (0);
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

	if (p->chan == NULL) {
		return (0);
	}
	mpc_chan_stats_get(p->chan, &st);
	return (recv ? st.rx_epoch : st.tx_epoch);
}

static uint16_t
mpc_tran_pipe_peer(void *arg)
{
	mpc_tran_pipe *p = arg;

	return (p->peer);
}

/* ---------------------------------------------------------------------- *
 * Send
 * ---------------------------------------------------------------------- */

/* Completes a send without writing it (skipped or dropped).  Locked. */
static void
mpc_tran_pipe_send_discard(mpc_tran_pipe *p, nni_aio *aio, mpc_tran_ctr c)
{
	nni_msg *msg = nni_aio_get_msg(aio);

	mpc_tran_ctr_inc(p, c);
	nni_aio_list_remove(aio);
	nni_aio_set_msg(aio, NULL);
	nni_msg_free(msg);
	nni_aio_finish(aio, 0, 0);
}

/* Fails the send at the head of the queue.  Locked. */
static void
mpc_tran_pipe_send_fail(mpc_tran_pipe *p, nni_aio *aio, int rv)
{
	nni_aio_list_remove(aio);
	nni_pipe_bump_error(p->npipe, rv);
	nni_aio_finish_error(aio, rv);
}

/*
 * Makes the payload (message header, then body without the envelope
 * prefix) one contiguous, unshared body.  Returns the message to send or
 * NULL (out of memory; the message is freed).
 */
static nni_msg *
mpc_tran_pipe_flatten(nni_msg *msg, size_t prefix)
{
	size_t hlen;

	if ((msg = nni_msg_unique(msg)) == NULL) {
		return (NULL);
	}
	if ((prefix > 0) && (nni_msg_trim(msg, prefix) != 0)) {
		nni_msg_free(msg);
		return (NULL);
	}
	if ((hlen = nni_msg_header_len(msg)) > 0) {
		if (nni_msg_insert(msg, nni_msg_header(msg), hlen) != 0) {
			nni_msg_free(msg);
			return (NULL);
		}
		nni_msg_header_clear(msg);
	}
	return (msg);
}

/*
 * Seals a frame for msg (payload: its header, then its body from offset
 * prefix) in place at buf, which has room for header, payload and tag, and
 * fills h.  Returns 0 or the channel's error (buf wiped).
 */
static int
mpc_tran_pipe_seal(mpc_tran_pipe *p, mpc_frame_hdr *h, uint8_t *hdr,
    uint8_t *payload, size_t plen, uint8_t *tag)
{
	int rv;

	h->sender       = p->self_id;
	h->payload_len  = (uint32_t) plen;
	h->timestamp_ns = mpc_tran_wall_ns();
	memcpy(h->session, p->binding, sizeof(h->session));
	if (((rv = mpc_chan_send_next(p->chan, mpc_tran_now_ns(), &h->epoch,
	          &h->sequence)) != 0) ||
	    ((rv = mpc_frame_encode_header(hdr, NNG_MPC_FRAME_HEADER_SIZE, h,
	          NNG_MPC_PAYLOAD_MAX)) != 0)) {
		return (rv);
	}
	return (mpc_chan_seal(p->chan, h->epoch, h->sequence, hdr,
	    NNG_MPC_FRAME_HEADER_SIZE, payload, plen, tag));
}

/* The half of txbuf frames are being sealed into now. */
static uint8_t *
mpc_tran_pipe_txhalf(mpc_tran_pipe *p)
{
	return (p->txbuf + (size_t) p->txcur * MPC_TRAN_TXBUF_SIZE);
}

/*
 * A frame that fits the buffer being filled: copy the payload next to its
 * header at the buffer's end and seal it there; the message stays as it
 * is.  Returns 0 or the channel's error.  Locked.
 */
static int
mpc_tran_pipe_stage(mpc_tran_pipe *p, nni_msg *msg, size_t prefix,
    mpc_frame_hdr *h, size_t plen)
{
	uint8_t *hdr  = mpc_tran_pipe_txhalf(p) + p->txfill;
	uint8_t *pl   = hdr + NNG_MPC_FRAME_HEADER_SIZE;
	size_t   hlen = nni_msg_header_len(msg);
	int      rv;

	memcpy(pl, nni_msg_header(msg), hlen);
	memcpy(pl + hlen, (uint8_t *) nni_msg_body(msg) + prefix, plen - hlen);
	if ((rv = mpc_tran_pipe_seal(p, h, hdr, pl, plen, pl + plen)) != 0) {
		return (rv);
	}
	p->txfill += plen + NNG_MPC_FRAME_OVERHEAD;
	return (0);
}

/*
 * A frame larger than a buffer (so its payload is not empty): seal the
 * payload in place in the (flattened) message and describe header ||
 * payload || tag as three pieces.  Returns 0 or an error (the aio then
 * holds the message to free, or none).  Locked.
 */
static int
mpc_tran_pipe_in_place(mpc_tran_pipe *p, nni_aio *aio, size_t prefix,
    mpc_frame_hdr *h, size_t plen, nni_iov *iov)
{
	nni_msg *msg;
	int      rv;

	if ((msg = mpc_tran_pipe_flatten(nni_aio_get_msg(aio), prefix)) ==
	    NULL) {
		nni_aio_set_msg(aio, NULL);
		return (NNG_ENOMEM);
	}
	nni_aio_set_msg(aio, msg);
	/* Key exhausted or a crypto failure: this pipe can send no more;
	 * the protocol closes it. */
	if ((rv = mpc_tran_pipe_seal(
	         p, h, p->txhdr, nni_msg_body(msg), plen, p->txtag)) != 0) {
		return (rv);
	}
	iov[0].iov_buf = p->txhdr;
	iov[0].iov_len = sizeof(p->txhdr);
	iov[1].iov_buf = nni_msg_body(msg);
	iov[1].iov_len = plen;
	iov[2].iov_buf = p->txtag;
	iov[2].iov_len = sizeof(p->txtag);
	return (0);
}

/* Counts a frame handed to the stream (sealed in a buffer, or being
 * written from its message).  Locked. */
static void
mpc_tran_pipe_tx_count(mpc_tran_pipe *p, size_t plen)
{
	mpc_tran_ctr_inc(p, MPC_CTR_FRAMES_OUT);
	nni_atomic_add64(&p->ctr[MPC_CTR_BYTES_OUT], plen);
	nni_pipe_bump_tx(p->npipe, plen);
}

/* Writes the frames sealed so far with one stream write; frames that
 * follow go into the other buffer.  Locked; no write outstanding. */
static void
mpc_tran_pipe_tx_flush(mpc_tran_pipe *p)
{
	nni_iov iov;

	/* Closed: txaio refuses new writes (its callback would never run),
	 * so these frames are dropped.  Their sends have completed (lost
	 * with the connection, as NNG's TLS stream loses what it buffered)
	 * or fail when the close aborts the outstanding write. */
	if (p->txclosed) {
		p->txfill = 0;
		return;
	}

	iov.iov_buf = mpc_tran_pipe_txhalf(p);
	iov.iov_len = p->txfill;
	p->txcur ^= 1u;
	p->txfill = 0;
	p->txbusy = true;
	nni_aio_set_iov(p->txaio, 1, &iov);
	nng_stream_send(p->conn, p->txaio);
}

/* What mpc_tran_pipe_tx_take did with the send at the head of sendq. */
typedef enum {
	MPC_TX_SEALED, /* its frame is in the buffer; the send is off sendq */
	MPC_TX_DONE,   /* completed without a write (skipped, dropped, failed) */
	MPC_TX_WAIT,   /* needs the outstanding write to finish first */
	MPC_TX_BIG,    /* written from its message; completes with the write */
} mpc_tran_tx_step;

/*
 * Takes the send at the head of the queue as far as it can go now: decide
 * whether it is for this pipe's peer, then seal its frame into the buffer
 * being filled -- writing that buffer first when the frame does not fit
 * and no write is outstanding -- or, for a frame larger than a buffer,
 * write it from its message once everything sealed before it is written.
 * Locked.
 */
static mpc_tran_tx_step
mpc_tran_pipe_tx_take(mpc_tran_pipe *p, nni_aio *aio)
{
	nni_msg *        msg = nni_aio_get_msg(aio);
	mpc_envelope_out env;
	mpc_frame_hdr    h;
	nni_iov          iov[3];
	size_t           plen;
	int              rv;

	if (mpc_envelope_parse_out(
	        &env, nni_msg_body(msg), nni_msg_len(msg), NULL) != 0) {
		mpc_tran_pipe_send_discard(p, aio, MPC_CTR_TX_DROPPED);
		return (MPC_TX_DONE);
	}
	if ((env.recipient != NNG_MPC_PARTY_BROADCAST) &&
	    (env.recipient != p->peer_id)) {
		mpc_tran_pipe_send_discard(p, aio,
		    env.recipient == p->self_id ? MPC_CTR_TX_DROPPED
		                                : MPC_CTR_TX_SKIPPED);
		return (MPC_TX_DONE);
	}
	plen = nni_msg_header_len(msg) + nni_msg_len(msg) - env.prefix_len;
	if (plen > p->peer_max) {
		mpc_tran_pipe_send_discard(p, aio, MPC_CTR_TX_DROPPED);
		return (MPC_TX_DONE);
	}
	/* The count the send completes with (mpc_tran_pipe_tx_len). */
	nni_aio_set_prov_extra(aio, 0, (void *) (uintptr_t) plen);
	memset(&h, 0, sizeof(h));
	h.type      = env.type;
	h.recipient = env.recipient;

	if (plen > MPC_TRAN_TXBUF_SIZE - NNG_MPC_FRAME_OVERHEAD) {
		/* Frames go out in the order they were sealed. */
		if (p->txbusy || (p->txfill > 0)) {
			if (!p->txbusy) {
				mpc_tran_pipe_tx_flush(p);
			}
			return (MPC_TX_WAIT);
		}
		if ((rv = mpc_tran_pipe_in_place(
		         p, aio, env.prefix_len, &h, plen, iov)) != 0) {
			mpc_tran_pipe_send_fail(p, aio, rv);
			return (MPC_TX_DONE);
		}
		nni_aio_list_remove(aio);
		mpc_tran_pipe_tx_count(p, plen);
		p->txbig  = aio;
		p->txbusy = true;
		nni_aio_set_iov(p->txaio, 3, iov);
		nng_stream_send(p->conn, p->txaio);
		return (MPC_TX_BIG);
	}
	if (plen + NNG_MPC_FRAME_OVERHEAD > MPC_TRAN_TXBUF_SIZE - p->txfill) {
		if (p->txbusy) {
			return (MPC_TX_WAIT);
		}
		mpc_tran_pipe_tx_flush(p);
	}
	if ((rv = mpc_tran_pipe_stage(p, msg, env.prefix_len, &h, plen)) !=
	    0) {
		mpc_tran_pipe_send_fail(p, aio, rv);
		return (MPC_TX_DONE);
	}
	mpc_tran_pipe_tx_count(p, plen);
	nni_aio_list_remove(aio);
	nni_aio_set_msg(aio, NULL);
	nni_msg_free(msg);
	return (MPC_TX_SEALED);
}

/* The payload length a send recorded when its frame was taken. */
static size_t
mpc_tran_pipe_tx_len(nni_aio *aio)
{
	return ((size_t) (uintptr_t) nni_aio_get_prov_extra(aio, 0));
}

/*
 * Moves queued sends into frames until the queue is empty or must wait
 * for the outstanding write, then writes what was sealed if no write is
 * outstanding.
 *
 * Called from a send (incb false), a sealed send waits on sealedq and
 * completes with the write that carries it: the protocol may hold its
 * own lock while it sends, so completing here would deadlock, and
 * completing through NNG's task queue costs a thread hand-off.  Called
 * from our write callback (incb true), each send completes as soon as its
 * frame is sealed, synchronously: the protocol then usually hands over its
 * next message at once (mpc_tran_pipe_send only queues it while txincb > 0),
 * and this loop seals it too.  So under load one thread moves message
 * after message with no hand-off, many frames share one stream write (and
 * over TLS one record, RFC 8446 5.1, up to 16 KiB), and a completed send
 * means what it means for NNG's TLS stream: encrypted and buffered for
 * writing.  Locked; with incb, unlocks around each completion.
 */
static void
mpc_tran_pipe_tx_run(mpc_tran_pipe *p, bool incb)
{
	nni_aio *aio;

	while ((aio = nni_list_first(&p->sendq)) != NULL) {
		if (p->txclosed || (p->txerr != 0)) {
			mpc_tran_pipe_fail_queue(&p->sendq, false,
			    p->txerr != 0 ? p->txerr : NNG_ECLOSED);
			return;
		}
		switch (mpc_tran_pipe_tx_take(p, aio)) {
		case MPC_TX_SEALED:
			if (!incb) {
				nni_list_append(&p->sealedq, aio);
				break;
			}
			nni_mtx_unlock(&p->txmtx);
			nni_aio_finish_sync(aio, 0, mpc_tran_pipe_tx_len(aio));
			nni_mtx_lock(&p->txmtx);
			break;
		case MPC_TX_DONE:
			break;
		case MPC_TX_WAIT:
		case MPC_TX_BIG:
			return;
		}
	}
	if (!p->txbusy && (p->txfill > 0)) {
		mpc_tran_pipe_tx_flush(p);
	}
}

static void
mpc_tran_pipe_send_cb(void *arg)
{
	mpc_tran_pipe *p     = arg;
	nni_aio *      txaio = p->txaio;
	nni_aio *      aio;
	nni_list       done;
	size_t         n;
	int            rv;

	nni_aio_list_init(&done);
	nni_mtx_lock(&p->txmtx);
	p->txbusy = false;
	if ((rv = nni_aio_result(txaio)) != 0) {
		/* A partial frame may be on the wire: the stream is out of
		 * step, so no further send; the protocol closes the pipe.
		 * Sends already completed with their frames in a buffer are
		 * lost with the connection, as with NNG's TLS stream. */
		p->txerr = rv;
		p->txfill = 0;
		if ((aio = p->txbig) != NULL) {
			p->txbig = NULL;
			nni_aio_finish_error(aio, rv);
		}
		mpc_tran_pipe_fail_queue(&p->sealedq, false, rv);
		mpc_tran_pipe_fail_queue(&p->sendq, false, rv);
		nni_pipe_bump_error(p->npipe, rv);
		nni_mtx_unlock(&p->txmtx);
		return;
	}
	n = nni_aio_count(txaio);
	nni_aio_iov_advance(txaio, n);
	if (nni_aio_iov_count(txaio) > 0) {
		p->txbusy = true;
		nng_stream_send(p->conn, txaio);
		nni_mtx_unlock(&p->txmtx);
		return;
	}
	if ((aio = p->txbig) != NULL) {
		nni_msg *msg = nni_aio_get_msg(aio);
		p->txbig     = NULL;
		nni_aio_set_msg(aio, NULL);
		nni_msg_free(msg);
		nni_list_append(&done, aio);
	}
	while ((aio = nni_list_first(&p->sealedq)) != NULL) {
		nni_list_remove(&p->sealedq, aio);
		nni_list_append(&done, aio);
	}
	/* What was sealed while this write was outstanding goes next. */
	if (p->txfill > 0) {
		mpc_tran_pipe_tx_flush(p);
	}
	p->txincb++;
	nni_mtx_unlock(&p->txmtx);
	while ((aio = nni_list_first(&done)) != NULL) {
		nni_list_remove(&done, aio);
		nni_aio_finish_sync(aio, 0, mpc_tran_pipe_tx_len(aio));
	}
	nni_mtx_lock(&p->txmtx);
	mpc_tran_pipe_tx_run(p, true);
	p->txincb--;
	nni_mtx_unlock(&p->txmtx);
}

static void
mpc_tran_pipe_send_cancel(nni_aio *aio, void *arg, int rv)
{
	mpc_tran_pipe *p = arg;
	nni_aio *      q;

	nni_mtx_lock(&p->txmtx);
	/* The frame being written from its message: abort the transfer;
	 * the write callback fails the send (and the pipe). */
	if (aio == p->txbig) {
		nni_aio_abort(p->txaio, rv);
		nni_mtx_unlock(&p->txmtx);
		return;
	}
	/* Only a send not yet sealed can be withdrawn; a sealed one is in
	 * a buffer and completes with its write. */
	NNI_LIST_FOREACH (&p->sendq, q) {
		if (q == aio) {
			nni_aio_list_remove(aio);
			nni_mtx_unlock(&p->txmtx);
			nni_aio_finish_error(aio, rv);
			return;
		}
	}
	nni_mtx_unlock(&p->txmtx);
}

static void
mpc_tran_pipe_send(void *arg, nni_aio *aio)
{
	mpc_tran_pipe *p = arg;
	int            rv;

	if (nni_aio_begin(aio) != 0) {
		return;
	}
	nni_mtx_lock(&p->txmtx);
	if (p->txclosed || (p->txerr != 0)) {
		rv = p->txclosed ? NNG_ECLOSED : p->txerr;
		nni_mtx_unlock(&p->txmtx);
		nni_aio_finish_error(aio, rv);
		return;
	}
	if ((rv = nni_aio_schedule(aio, mpc_tran_pipe_send_cancel, p)) != 0) {
		nni_mtx_unlock(&p->txmtx);
		nni_aio_finish_error(aio, rv);
		return;
	}
	nni_list_append(&p->sendq, aio);
	/* With a write outstanding, or our write callback running the
	 * queue, the callback takes it: that is what lets frames share a
	 * write.  Otherwise it goes out now. */
	if (!p->txbusy && (p->txincb == 0)) {
		mpc_tran_pipe_tx_run(p, false);
	}
	nni_mtx_unlock(&p->txmtx);
}

/* ---------------------------------------------------------------------- *
 * Receive
 * ---------------------------------------------------------------------- */

/* The largest payload accepted now: the MPC maximum we announced,
 * lowered by NNG_OPT_RECVMAXSZ when that is set (0 means no NNG limit). */
static uint32_t
mpc_tran_pipe_rx_limit(mpc_tran_pipe *p)
{
	uint64_t rcvmax = nni_atomic_get64(&p->rcvmax);
	uint32_t max    = p->maxpayload;

	if ((rcvmax != 0) && (rcvmax < max)) {
		max = (uint32_t) rcvmax;
	}
	return (max);
}

/* Which counter an open failure moves; 0 and *close for a fatal one. */
static mpc_tran_ctr
mpc_tran_pipe_open_ctr(int rv, bool *fatal)
{
	*fatal = false;
	switch (rv) {
	case NNG_MPC_EAUTH:
		return (MPC_CTR_AUTH_FAIL);
	case NNG_MPC_EREPLAY:
	case NNG_MPC_ETOOOLD:
		return (MPC_CTR_REPLAY);
	case NNG_MPC_ESEQLIMIT:
	case NNG_MPC_EEPOCHGONE:
	case NNG_MPC_EEPOCHAHEAD:
		return (MPC_CTR_RX_EPOCH);
	case NNG_MPC_EAUTHLIMIT:
		*fatal = true;
		return (MPC_CTR_AUTH_FAIL);
	default:
		*fatal = true;
		return (MPC_CTR_COUNT);
	}
}

/* Checks an authenticated header: 0 to deliver, else the drop counter. */
static mpc_tran_ctr
mpc_tran_pipe_rx_check(const mpc_tran_pipe *p, const mpc_frame_hdr *h)
{
	if (h->sender != p->peer_id) {
		return (MPC_CTR_RX_SENDER);
	}
	if ((h->recipient != p->self_id) &&
	    (h->recipient != NNG_MPC_PARTY_BROADCAST)) {
		return (MPC_CTR_RX_RCPT);
	}
	if (memcmp(h->session, p->binding, sizeof(p->binding)) != 0) {
		return (MPC_CTR_RX_SESSION);
	}
	if (!mpc_frame_type_app_sendable(h->type)) {
		return (MPC_CTR_RX_TYPE);
	}
	return (MPC_CTR_COUNT);
}

/*
 * A complete frame is in p->rxhdr, the message body and p->rxtag:
 * authenticate and decrypt it in place, check the authenticated header,
 * and add the incoming envelope.  Returns 0 with *deliver set (or clear:
 * dropped, its counter moved, the message freed), or a fatal error.
 */
static int
mpc_tran_pipe_rx_frame(mpc_tran_pipe *p, bool *deliver)
{
	mpc_tran_ctr drop;
	bool         fatal;
	int          rv;

	*deliver = false;
	rv = mpc_chan_open(p->chan, p->rxh.epoch, p->rxh.sequence,
	    mpc_tran_now_ns(), p->rxhdr, sizeof(p->rxhdr),
	    nni_msg_body(p->rxmsg), p->rxh.payload_len, p->rxtag);
	if (rv != 0) {
		drop = mpc_tran_pipe_open_ctr(rv, &fatal);
		if (drop != MPC_CTR_COUNT) {
			mpc_tran_ctr_inc(p, drop);
		}
		if (fatal) {
			return (rv);
		}
	} else if ((drop = mpc_tran_pipe_rx_check(p, &p->rxh)) !=
	    MPC_CTR_COUNT) {
		mpc_tran_ctr_inc(p, drop);
	} else if ((rv = mpc_envelope_put_in(p->rxmsg, &p->rxh)) != 0) {
		return (rv);
	} else {
		*deliver = true;
		return (0);
	}
	/* Dropped: nothing of it survives (open wiped a failed payload). */
	nni_msg_free(p->rxmsg);
	p->rxmsg = NULL;
	return (0);
}

/* Reads more into the receive buffer (moving what is left to its
 * start).  Locked. */
static void
mpc_tran_pipe_rx_fill(mpc_tran_pipe *p)
{
	nni_iov iov;
	size_t  avail = p->rxend - p->rxoff;

	if ((p->rxoff > 0) && (avail > 0)) {
		memmove(p->rxbuf, p->rxbuf + p->rxoff, avail);
	}
	p->rxoff    = 0;
	p->rxend    = avail;
	iov.iov_buf = p->rxbuf + p->rxend;
	iov.iov_len = p->rxcap - p->rxend;
	nni_aio_set_iov(p->rxaio, 1, &iov);
	p->rxbusy = true;
	nng_stream_recv(p->conn, p->rxaio);
}

/*
 * Takes the next frame's header from the receive buffer, validates it --
 * the declared length against NNG_OPT_RECVMAXSZ and the MPC maximum
 * included -- before allocating, then moves what the buffer holds of the
 * payload and tag into place.  Whatever is missing is read straight into
 * the message (p->rxpartial).  Every byte goes through the wire cursor.
 * Returns 0 or a fatal error.  Locked; at least a header is buffered.
 */
static int
mpc_tran_pipe_rx_header(mpc_tran_pipe *p)
{
	mpc_rcursor      c;
	mpc_frame_policy pol;
	nni_iov          iov[2];
	size_t           plen;
	size_t           k1;
	size_t           k2 = 0;
	unsigned         n  = 0;
	int              rv;

	mpc_rcursor_init(&c, p->rxbuf + p->rxoff, p->rxend - p->rxoff);
	if (!mpc_rcursor_bytes(&c, p->rxhdr, sizeof(p->rxhdr))) {
		return (NNG_EINTERNAL);
	}
	/* Sender, recipient and session are checked after authentication
	 * (mpc_tran_pipe_rx_check). */
	memset(&pol, 0, sizeof(pol));
	pol.max_payload = mpc_tran_pipe_rx_limit(p);
	if ((rv = mpc_frame_decode_header(&p->rxh, p->rxhdr, sizeof(p->rxhdr),
	         &pol, &p->rxwire)) != 0) {
		return (rv);
	}
	plen = p->rxh.payload_len;
	if ((rv = nni_msg_alloc(&p->rxmsg, plen)) != 0) {
		return (rv);
	}
	k1 = mpc_rcursor_remaining(&c) < plen ? mpc_rcursor_remaining(&c)
	                                      : plen;
	if (!mpc_rcursor_bytes(&c, nni_msg_body(p->rxmsg), k1)) {
		return (NNG_EINTERNAL);
	}
	if (k1 == plen) {
		k2 = mpc_rcursor_remaining(&c) < sizeof(p->rxtag)
		    ? mpc_rcursor_remaining(&c)
		    : sizeof(p->rxtag);
		if (!mpc_rcursor_bytes(&c, p->rxtag, k2)) {
			return (NNG_EINTERNAL);
		}
	}
	p->rxoff += c.pos;
	if (k2 == sizeof(p->rxtag)) {
		return (0); /* the whole frame was buffered */
	}
	/* A large payload: the rest goes straight into the message. */
	if (k1 < plen) {
		iov[n].iov_buf = (uint8_t *) nni_msg_body(p->rxmsg) + k1;
		iov[n].iov_len = plen - k1;
		n++;
	}
	iov[n].iov_buf = p->rxtag + k2;
	iov[n].iov_len = sizeof(p->rxtag) - k2;
	n++;
	nni_aio_set_iov(p->rxaio, n, iov);
	p->rxpartial = true;
	p->rxbusy    = true;
	nng_stream_recv(p->conn, p->rxaio);
	return (0);
}

/*
 * Serves the receive at the head of the queue from what is buffered,
 * reading more when needed.  Returns the aio to complete (removed from the
 * queue) with its message or error in *msgp / *rvp, or NULL when a read is
 * outstanding or nothing is queued.  Frames that are dropped are skipped
 * here, so one read may serve many small frames.  Locked.
 */
static nni_aio *
mpc_tran_pipe_rx_run(mpc_tran_pipe *p, nni_msg **msgp, int *rvp)
{
	nni_aio *aio;
	bool     deliver;
	int      rv;

	*msgp = NULL;
	*rvp  = 0;
	while ((aio = nni_list_first(&p->recvq)) != NULL) {
		if (p->rxclosed) {
			rv = NNG_ECLOSED;
			goto fail;
		}
		if (p->rxmsg == NULL) {
			if (p->rxend - p->rxoff < NNG_MPC_FRAME_HEADER_SIZE) {
				mpc_tran_pipe_rx_fill(p);
				return (NULL);
			}
			if ((rv = mpc_tran_pipe_rx_header(p)) != 0) {
				goto fail;
			}
			if (p->rxpartial) {
				return (NULL);
			}
		}
		if ((rv = mpc_tran_pipe_rx_frame(p, &deliver)) != 0) {
			goto fail;
		}
		if (deliver) {
			nni_aio_list_remove(aio);
			*msgp    = p->rxmsg;
			p->rxmsg = NULL;
			mpc_tran_ctr_inc(p, MPC_CTR_FRAMES_IN);
			nni_atomic_add64(
			    &p->ctr[MPC_CTR_BYTES_IN], nni_msg_len(*msgp));
			nni_pipe_bump_rx(p->npipe, nni_msg_len(*msgp));
			return (aio);
		}
	}
	return (NULL);

fail:
	/* The stream cannot be trusted to be in step any more: no further
	 * receive; the protocol sees the error and closes the pipe. */
	nni_aio_list_remove(aio);
	nni_msg_free(p->rxmsg);
	p->rxmsg = NULL;
	if (rv != NNG_ECLOSED) {
		p->rxclosed = true;
		nni_pipe_bump_error(p->npipe, rv);
	}
	*rvp = rv;
	return (aio);
}

/* Completes what mpc_tran_pipe_rx_run returned (after unlocking; from
 * our receive callback, so the protocol's callback runs right here). */
static void
mpc_tran_pipe_rx_finish(nni_aio *aio, nni_msg *msg, int rv)
{
	if (aio == NULL) {
		return;
	}
	if (rv != 0) {
		nni_aio_finish_error(aio, rv);
		return;
	}
	nni_aio_set_msg(aio, msg);
	nni_aio_finish_sync(aio, 0, nni_msg_len(msg));
}

static void
mpc_tran_pipe_recv_cb(void *arg)
{
	mpc_tran_pipe *p     = arg;
	nni_aio *      rxaio = p->rxaio;
	nni_aio *      aio;
	nni_msg *      msg = NULL;
	int            rv;

	nni_mtx_lock(&p->rxmtx);
	p->rxbusy = false;
	if ((rv = nni_aio_result(rxaio)) != 0) {
		/* The head of the queue waited for this read. */
		if ((aio = nni_list_first(&p->recvq)) != NULL) {
			nni_aio_list_remove(aio);
		}
		nni_msg_free(p->rxmsg);
		p->rxmsg    = NULL;
		p->rxclosed = true;
		nni_pipe_bump_error(p->npipe, rv);
		nni_mtx_unlock(&p->rxmtx);
		mpc_tran_pipe_rx_finish(aio, NULL, rv);
		return;
	}
	if (p->rxpartial) {
		nni_aio_iov_advance(rxaio, nni_aio_count(rxaio));
		if (nni_aio_iov_count(rxaio) > 0) {
			p->rxbusy = true;
			nng_stream_recv(p->conn, rxaio);
			nni_mtx_unlock(&p->rxmtx);
			return;
		}
		p->rxpartial = false;
	} else {
		p->rxend += nni_aio_count(rxaio);
	}
	/*
	 * Deliver buffered frames from here, one per receive the protocol
	 * posts: the protocol's callback (run synchronously) usually posts
	 * the next receive at once, which mpc_tran_pipe_recv leaves to this
	 * loop (rxincb) instead of handing it to another thread.
	 */
	while (!p->rxbusy &&
	    ((aio = mpc_tran_pipe_rx_run(p, &msg, &rv)) != NULL)) {
		p->rxincb = true;
		nni_mtx_unlock(&p->rxmtx);
		mpc_tran_pipe_rx_finish(aio, msg, rv);
		nni_mtx_lock(&p->rxmtx);
		p->rxincb = false;
		if (rv != 0) {
			break;
		}
	}
	nni_mtx_unlock(&p->rxmtx);
}

static void
mpc_tran_pipe_recv_cancel(nni_aio *aio, void *arg, int rv)
{
	mpc_tran_pipe *p = arg;

	nni_mtx_lock(&p->rxmtx);
	if (!nni_aio_list_active(aio)) {
		nni_mtx_unlock(&p->rxmtx);
		return;
	}
	/* The read in progress serves the head of the queue: abort it; its
	 * callback fails the aio. */
	if ((nni_list_first(&p->recvq) == aio) && p->rxbusy) {
		nni_aio_abort(p->rxaio, rv);
		nni_mtx_unlock(&p->rxmtx);
		return;
	}
	nni_aio_list_remove(aio);
	nni_mtx_unlock(&p->rxmtx);
	nni_aio_finish_error(aio, rv);
}

/*
 * A receive became the head of the queue with no read outstanding.  With
 * no complete header buffered, read; otherwise hand the buffered frames to
 * our receive callback through the (idle) read aio, rather than opening
 * them here: the protocol may hold its own lock while it asks for the next
 * message, and decrypting under it would stall its consumer.  Locked.
 */
static int
mpc_tran_pipe_rx_kick(mpc_tran_pipe *p)
{
	if ((p->rxmsg == NULL) &&
	    (p->rxend - p->rxoff < NNG_MPC_FRAME_HEADER_SIZE)) {
		mpc_tran_pipe_rx_fill(p);
		return (0);
	}
	if (nni_aio_begin(p->rxaio) != 0) {
		return (NNG_ECLOSED);
	}
	p->rxbusy = true;
	nni_aio_finish(p->rxaio, 0, 0);
	return (0);
}

static void
mpc_tran_pipe_recv(void *arg, nni_aio *aio)
{
	mpc_tran_pipe *p = arg;
	int            rv;

	if (nni_aio_begin(aio) != 0) {
		return;
	}
	nni_mtx_lock(&p->rxmtx);
	if (p->rxclosed) {
		nni_mtx_unlock(&p->rxmtx);
		nni_aio_finish_error(aio, NNG_ECLOSED);
		return;
	}
	if ((rv = nni_aio_schedule(aio, mpc_tran_pipe_recv_cancel, p)) != 0) {
		nni_mtx_unlock(&p->rxmtx);
		nni_aio_finish_error(aio, rv);
		return;
	}
	nni_aio_list_append(&p->recvq, aio);
	if ((nni_list_first(&p->recvq) == aio) && !p->rxbusy && !p->rxincb &&
	    ((rv = mpc_tran_pipe_rx_kick(p)) != 0)) {
		nni_aio_list_remove(aio);
		nni_mtx_unlock(&p->rxmtx);
		nni_aio_finish_error(aio, rv);
		return;
	}
	nni_mtx_unlock(&p->rxmtx);
}

const nni_sp_pipe_ops mpc_tran_pipe_ops = {
	.p_init   = mpc_tran_pipe_init,
	.p_fini   = mpc_tran_pipe_fini,
	.p_stop   = mpc_tran_pipe_stop,
	.p_send   = mpc_tran_pipe_send,
	.p_recv   = mpc_tran_pipe_recv,
	.p_close  = mpc_tran_pipe_close,
	.p_peer   = mpc_tran_pipe_peer,
	.p_getopt = mpc_tran_pipe_getopt,
};
