/*
 * mpc_tran_send.c -- a pipe's send path: one sealed frame per message.
 *
 * The message body may start with the 16-byte envelope prefix (type,
 * recipient; nng_mpc_msg_set_type/_recipient).  NNG's bus0 hands a copy of
 * every message to every pipe; each pipe writes only what is for its peer:
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
 * stream write (MPC_TRAN_TXBUF_SIZE says why one piece); frames sealed
 * while a write is outstanding share the next one, and under load a send
 * completes once its frame is sealed (mpc_tran_send_run).  A frame too
 * large for a buffer is sealed in place in its message and written in
 * three pieces, no copy of the payload; when the protocol put a header on
 * the message (pair1's 4-byte hop count), it is moved into the body first
 * so the sealed payload is contiguous.
 *
 * State (mpc_tran_tx_state): IDLE <-> WRITING while the stream writes;
 * FAILED after a write error (a partial frame may be on the wire: the
 * stream is out of step, every later send fails with that error); CLOSED
 * once the pipe closes.  FAILED and CLOSED are final.
 *
 * Locking: txmtx (mpc_tran_pipe.h).
 */
#include <string.h>

#include "mpc_tran_pipe.h"

#include "mpc_cursor.h"
#include "mpc_envelope.h"
#include "mpc_tran_dlv.h"
#include "mpc_tran_echo.h"
#include "mpc_wipe.h"

/* The frame's timestamp: wall-clock time, for the receiver's logs. */
static uint64_t
mpc_tran_wall_ns(void)
{
	struct timespec ts;

	(void) clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec);
}

static bool
mpc_tran_send_done(const mpc_tran_pipe *p)
{
	return ((p->txstate == MPC_TX_FAILED) || (p->txstate == MPC_TX_CLOSED));
}

static int
mpc_tran_send_error(const mpc_tran_pipe *p)
{
	return (p->txstate == MPC_TX_FAILED ? p->txerr : NNG_ECLOSED);
}

/* Completes a send without writing it (skipped or dropped).  Locked. */
static void
mpc_tran_send_discard(mpc_tran_pipe *p, nni_aio *aio, mpc_tran_pipe_ctr c)
{
	nni_msg *msg = nni_aio_get_msg(aio);

	mpc_tran_pipe_count(&p->stats, c, 1);
	nni_aio_list_remove(aio);
	nni_aio_set_msg(aio, NULL);
	nni_msg_free(msg);
	nni_aio_finish(aio, 0, 0);
}

/* Fails the send at the head of the queue.  Locked. */
static void
mpc_tran_send_fail(mpc_tran_pipe *p, nni_aio *aio, int rv)
{
	nni_aio_list_remove(aio);
	mpc_tran_hold_bump_error(&p->hold, rv);
	nni_aio_finish_error(aio, rv);
}

/*
 * Makes the payload (message header, then body without the envelope
 * prefix) one contiguous, unshared body.  Returns the message to send or
 * NULL (out of memory; the message is freed).
 */
static nni_msg *
mpc_tran_send_flatten(nni_msg *msg, size_t prefix)
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
 * Seals the payload at payload (plen bytes) in place under the next
 * (epoch, sequence), with the header encoded at hdr as AAD and the tag at
 * tag.  Returns 0 or the channel's error.
 */
static int
mpc_tran_send_seal(mpc_tran_pipe *p, mpc_frame_hdr *h, uint8_t *hdr,
    uint8_t *payload, size_t plen, uint8_t *tag)
{
	int rv;

	h->sender       = p->peer.self_id;
	h->payload_len  = (uint32_t) plen;
	h->timestamp_ns = mpc_tran_wall_ns();
	memcpy(h->session, p->peer.session, sizeof(h->session));
	if (((rv = mpc_chan_send_next(p->chan, mpc_tran_now_ns(), &h->epoch,
	          &h->sequence)) != 0) ||
	    ((rv = mpc_frame_encode_header(hdr, NNG_MPC_FRAME_HEADER_SIZE, h,
	          NNG_MPC_PAYLOAD_MAX)) != 0)) {
		return (rv);
	}
	if (h->epoch > p->tx_epoch_seen) {
		p->tx_epoch_seen = h->epoch;
		mpc_tran_pipe_ev_rekey(p, false, h->epoch);
	}
	if ((rv = mpc_chan_seal(p->chan, h->epoch, h->sequence, hdr,
	         NNG_MPC_FRAME_HEADER_SIZE, payload, plen, tag)) != 0) {
		return (rv);
	}
	/* Every frame the peer will authenticate, whatever its type, is one
	 * it counts as hearing from us (mpc_tran_live.c). */
	nni_atomic_inc64(&p->sealed_out);
	return (0);
}

/* The half of txbuf frames are being sealed into now. */
static uint8_t *
mpc_tran_send_half(mpc_tran_pipe *p)
{
	return (p->txbuf + (size_t) p->txcur * MPC_TRAN_TXBUF_SIZE);
}

/*
 * A frame that fits the buffer being filled: copy the payload next to its
 * header at the buffer's end and seal it there; the message stays as it
 * is.  On failure the copied plaintext is wiped.  Returns 0 or the
 * channel's error.  Locked.
 */
static int
mpc_tran_send_stage(mpc_tran_pipe *p, nni_msg *msg, size_t prefix,
    mpc_frame_hdr *h, size_t plen)
{
	uint8_t *hdr  = mpc_tran_send_half(p) + p->txfill;
	uint8_t *pl   = hdr + NNG_MPC_FRAME_HEADER_SIZE;
	size_t   hlen = nni_msg_header_len(msg);
	int      rv;

	memcpy(pl, nni_msg_header(msg), hlen);
	memcpy(pl + hlen, (uint8_t *) nni_msg_body(msg) + prefix, plen - hlen);
	if ((rv = mpc_tran_send_seal(p, h, hdr, pl, plen, pl + plen)) != 0) {
		mpc_wipe(hdr, plen + NNG_MPC_FRAME_OVERHEAD);
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
mpc_tran_send_in_place(mpc_tran_pipe *p, nni_aio *aio, size_t prefix,
    mpc_frame_hdr *h, size_t plen, nni_iov *iov)
{
	nni_msg *msg;
	int      rv;

	if ((msg = mpc_tran_send_flatten(nni_aio_get_msg(aio), prefix)) ==
	    NULL) {
		nni_aio_set_msg(aio, NULL);
		return (NNG_ENOMEM);
	}
	nni_aio_set_msg(aio, msg);
	/* Key exhausted or a crypto failure: this pipe can send no more;
	 * the protocol closes it. */
	if ((rv = mpc_tran_send_seal(
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

/* Counts a frame handed to the stream.  Locked. */
static void
mpc_tran_send_count(mpc_tran_pipe *p, size_t plen)
{
	mpc_tran_pipe_count(&p->stats, MPC_TRAN_P_FRAMES_OUT, 1);
	mpc_tran_pipe_count(&p->stats, MPC_TRAN_P_BYTES_OUT, plen);
	nni_pipe_bump_tx(p->npipe, plen);
}

/* Writes the frames sealed so far with one stream write; frames that
 * follow go into the other buffer.  Locked; no write outstanding. */
static void
mpc_tran_send_flush(mpc_tran_pipe *p)
{
	nni_iov iov;

	/* Closed: txaio refuses new writes (its callback would never run),
	 * so these frames are dropped.  Their sends have completed (lost
	 * with the connection, as NNG's TLS stream loses what it buffered)
	 * or fail when the close aborts the outstanding write. */
	if (mpc_tran_send_done(p)) {
		p->txfill = 0;
		return;
	}
	iov.iov_buf = mpc_tran_send_half(p);
	iov.iov_len = p->txfill;
	p->txcur ^= 1u;
	p->txfill  = 0;
	p->txstate = MPC_TX_WRITING;
	nni_aio_set_iov(p->txaio, 1, &iov);
	nng_stream_send(p->conn, p->txaio);
}

/* What mpc_tran_send_take did with the send at the head of sendq. */
typedef enum {
	MPC_TX_STEP_SEALED, /* its frame is in the buffer; off sendq */
	MPC_TX_STEP_DONE,   /* completed without a write */
	MPC_TX_STEP_WAIT,   /* needs the outstanding write to finish first */
	MPC_TX_STEP_BIG,    /* written from its message; completes with it */
} mpc_tran_tx_step;

/* The payload length a send recorded when its frame was taken. */
static size_t
mpc_tran_send_len(nni_aio *aio)
{
	return ((size_t) (uintptr_t) nni_aio_get_prov_extra(aio, 0));
}

/*
 * Takes the send at the head of the queue as far as it can go now: decide
 * whether it is for this pipe's peer, then seal its frame into the buffer
 * being filled -- writing that buffer first when the frame does not fit
 * and no write is outstanding -- or, for a frame larger than a buffer,
 * write it from its message once everything sealed before it is written.
 * Locked.
 */
static mpc_tran_tx_step
mpc_tran_send_take(mpc_tran_pipe *p, nni_aio *aio)
{
	nni_msg *        msg     = nni_aio_get_msg(aio);
	bool             writing = p->txstate == MPC_TX_WRITING;
	mpc_envelope_out env;
	mpc_frame_hdr    h;
	nni_iov          iov[3];
	size_t           plen;
	int              rv;

	if (!mpc_tran_dlv_ctl_env(p, aio, &env) &&
	    ((p->echo == NULL) || (p->dlv == NULL) ||
	        !mpc_tran_echo_stream_env(msg, &env)) &&
	    (mpc_envelope_parse_out(
	         &env, nni_msg_body(msg), nni_msg_len(msg), NULL) != 0)) {
		mpc_tran_send_discard(p, aio, MPC_TRAN_P_TX_DROPPED);
		return (MPC_TX_STEP_DONE);
	}
	if ((env.recipient != NNG_MPC_PARTY_BROADCAST) &&
	    (env.recipient != p->peer.peer_id)) {
		mpc_tran_send_discard(p, aio,
		    env.recipient == p->peer.self_id ? MPC_TRAN_P_TX_DROPPED
		                                     : MPC_TRAN_P_TX_SKIPPED);
		return (MPC_TX_STEP_DONE);
	}
	plen = nni_msg_header_len(msg) + nni_msg_len(msg) - env.prefix_len;
	if (plen > p->peer.peer_max) {
		mpc_tran_send_discard(p, aio, MPC_TRAN_P_TX_DROPPED);
		return (MPC_TX_STEP_DONE);
	}
	/* The count the send completes with (mpc_tran_send_len). */
	nni_aio_set_prov_extra(aio, 0, (void *) (uintptr_t) plen);
	memset(&h, 0, sizeof(h));
	h.type      = env.type;
	h.recipient = env.recipient;

	if (plen > MPC_TRAN_TXBUF_SIZE - NNG_MPC_FRAME_OVERHEAD) {
		/* Frames go out in the order they were sealed. */
		if (writing || (p->txfill > 0)) {
			if (!writing) {
				mpc_tran_send_flush(p);
			}
			return (MPC_TX_STEP_WAIT);
		}
		if ((rv = mpc_tran_send_in_place(
		         p, aio, env.prefix_len, &h, plen, iov)) != 0) {
			mpc_tran_send_fail(p, aio, rv);
			return (MPC_TX_STEP_DONE);
		}
		nni_aio_list_remove(aio);
		mpc_tran_send_count(p, plen);
		p->txbig   = aio;
		p->txstate = MPC_TX_WRITING;
		nni_aio_set_iov(p->txaio, 3, iov);
		nng_stream_send(p->conn, p->txaio);
		return (MPC_TX_STEP_BIG);
	}
	if (plen + NNG_MPC_FRAME_OVERHEAD > MPC_TRAN_TXBUF_SIZE - p->txfill) {
		if (writing) {
			return (MPC_TX_STEP_WAIT);
		}
		mpc_tran_send_flush(p);
	}
	if ((rv = mpc_tran_send_stage(p, msg, env.prefix_len, &h, plen)) !=
	    0) {
		mpc_tran_send_fail(p, aio, rv);
		return (MPC_TX_STEP_DONE);
	}
	mpc_tran_send_count(p, plen);
	nni_aio_list_remove(aio);
	nni_aio_set_msg(aio, NULL);
	nni_msg_free(msg);
	return (MPC_TX_STEP_SEALED);
}

/*
 * Optional send shaping (NNG_OPT_MPC_SEND_RATE_*): with the buckets short,
 * the sends stay queued -- the protocol sees backpressure, as from a slow
 * peer -- and txlimit runs the queue again when tokens are back.  true
 * when the queue must wait.  Locked.
 */
static bool
mpc_tran_send_shape(mpc_tran_pipe *p)
{
	uint64_t wait;
	bool     close;

	if (p->txlimit_armed) {
		return (true);
	}
	wait = mpc_tran_rate_check(&p->txrate, mpc_tran_now_ns(), false, &close);
	if (wait == 0) {
		return (false);
	}
	mpc_tran_pipe_count(&p->stats, MPC_TRAN_P_TX_DELAYED, 1);
	p->txlimit_armed = true;
	nni_sleep_aio(mpc_tran_rate_wait_ms(&p->txrate, wait), p->txlimit);
	return (true);
}

/*
 * Moves queued sends into frames until the queue is empty or must wait
 * for the outstanding write (or for send-side tokens), then writes what
 * was sealed if no write is outstanding.
 *
 * Called from a send (incb false), a sealed send waits on sealedq and
 * completes with the write that carries it: the protocol may hold its
 * own lock while it sends, so completing here would deadlock, and
 * completing through NNG's task queue costs a thread hand-off.  Called
 * from our write callback (incb true), each send completes as soon as its
 * frame is sealed, synchronously: the protocol then usually hands over its
 * next message at once (mpc_tran_send only queues it while txincb > 0),
 * and this loop seals it too.  So under load one thread moves message
 * after message with no hand-off, many frames share one stream write (and
 * over TLS one record, RFC 8446 5.1, up to 16 KiB), and a completed send
 * means what it means for NNG's TLS stream: encrypted and buffered for
 * writing.  Locked; with incb, unlocks around each completion.
 */
static void
mpc_tran_send_run(mpc_tran_pipe *p, bool incb)
{
	nni_aio *aio;

	while ((aio = nni_list_first(&p->sendq)) != NULL) {
		if (mpc_tran_send_done(p)) {
			mpc_tran_pipe_fail_queue(
			    &p->sendq, false, mpc_tran_send_error(p));
			return;
		}
		if (!mpc_tran_rate_ready(&p->txrate) && mpc_tran_send_shape(p)) {
			break;
		}
		switch (mpc_tran_send_take(p, aio)) {
		case MPC_TX_STEP_SEALED:
			if (p->txrate.on) {
				mpc_tran_rate_charge(
				    &p->txrate, mpc_tran_send_len(aio));
			}
			if (!incb) {
				nni_list_append(&p->sealedq, aio);
				break;
			}
			nni_mtx_unlock(&p->txmtx);
			mpc_tran_hold_finish(
			    &p->hold, aio, mpc_tran_send_len(aio));
			nni_mtx_lock(&p->txmtx);
			break;
		case MPC_TX_STEP_DONE:
			break;
		case MPC_TX_STEP_BIG:
			if (p->txrate.on) {
				mpc_tran_rate_charge(
				    &p->txrate, mpc_tran_send_len(aio));
			}
			return;
		case MPC_TX_STEP_WAIT:
			return;
		}
	}
	if ((p->txstate == MPC_TX_IDLE) && (p->txfill > 0)) {
		mpc_tran_send_flush(p);
	}
}

void
mpc_tran_send_cb(void *arg)
{
	mpc_tran_pipe *p     = arg;
	nni_aio *      txaio = p->txaio;
	nni_aio *      aio;
	nni_list       done;
	size_t         n;
	int            rv;

	nni_aio_list_init(&done);
	nni_mtx_lock(&p->txmtx);
	if (p->txstate == MPC_TX_WRITING) {
		p->txstate = MPC_TX_IDLE;
	}
	if ((rv = nni_aio_result(txaio)) != 0) {
		goto fail;
	}
	n = nni_aio_count(txaio);
	nni_aio_iov_advance(txaio, n);
	if (nni_aio_iov_count(txaio) > 0) {
		if (mpc_tran_send_done(p)) {
			/* Closed mid-write: txaio takes no new write. */
			rv = mpc_tran_send_error(p);
			goto fail;
		}
		p->txstate = MPC_TX_WRITING;
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
		mpc_tran_send_flush(p);
	}
	p->txincb++;
	nni_mtx_unlock(&p->txmtx);
	while ((aio = nni_list_first(&done)) != NULL) {
		nni_list_remove(&done, aio);
		mpc_tran_hold_finish(&p->hold, aio, mpc_tran_send_len(aio));
	}
	nni_mtx_lock(&p->txmtx);
	mpc_tran_send_run(p, true);
	p->txincb--;
	nni_mtx_unlock(&p->txmtx);
	return;

fail:
	/* A partial frame may be on the wire: the stream is out of step, so
	 * no further send; the protocol closes the pipe.  Sends already
	 * completed with their frames in a buffer are lost with the
	 * connection, as with NNG's TLS stream. */
	if (p->txstate != MPC_TX_CLOSED) {
		p->txstate = MPC_TX_FAILED;
		p->txerr   = rv;
	}
	p->txfill = 0;
	if ((aio = p->txbig) != NULL) {
		p->txbig = NULL;
		nni_aio_finish_error(aio, rv);
	}
	mpc_tran_pipe_fail_queue(&p->sealedq, false, rv);
	mpc_tran_pipe_fail_queue(&p->sendq, false, rv);
	mpc_tran_hold_bump_error(&p->hold, rv);
	nni_mtx_unlock(&p->txmtx);
}

static void
mpc_tran_send_cancel(nni_aio *aio, void *arg, int rv)
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

void
mpc_tran_send(void *arg, nni_aio *aio)
{
	mpc_tran_pipe *p = arg;

	mpc_tran_pipe_started(p);
	/* With echo broadcast, a broadcast gets its sequence and signature. */
	if ((p->echo != NULL) && !mpc_tran_echo_send(p, aio)) {
		return;
	}
	/* With delivery, a send for our party goes through its stream --
	 * also one the protocol makes after it closed its side of the pipe
	 * (its aio then refuses to begin, and the message would be lost). */
	if ((p->dlv != NULL) && mpc_tran_dlv_send(p, aio)) {
		return;
	}
	if (nni_aio_begin(aio) != 0) {
		/* The protocol closed its side of the pipe: no callback runs
		 * for this aio, and NNG 1.5.2's protocols free only the aio
		 * at pipe_fini, not the message on it (bus0_pipe_fini,
		 * pair1_pipe_fini).  It can go nowhere: freed here, not
		 * leaked. */
		nni_msg *msg = nni_aio_get_msg(aio);

		nni_aio_set_msg(aio, NULL);
		nni_msg_free(msg);
		return;
	}
	mpc_tran_send_submit(p, aio);
}

void
mpc_tran_send_submit(mpc_tran_pipe *p, nni_aio *aio)
{
	int rv;

	nni_mtx_lock(&p->txmtx);
	if (mpc_tran_send_done(p)) {
		rv = mpc_tran_send_error(p);
		nni_mtx_unlock(&p->txmtx);
		nni_aio_finish_error(aio, rv);
		return;
	}
	if ((rv = nni_aio_schedule(aio, mpc_tran_send_cancel, p)) != 0) {
		nni_mtx_unlock(&p->txmtx);
		nni_aio_finish_error(aio, rv);
		return;
	}
	nni_list_append(&p->sendq, aio);
	/* With a write outstanding, or our write callback running the
	 * queue, the callback takes it: that is what lets frames share a
	 * write.  Otherwise it goes out now. */
	if ((p->txstate == MPC_TX_IDLE) && (p->txincb == 0)) {
		mpc_tran_send_run(p, false);
	}
	nni_mtx_unlock(&p->txmtx);
}

/* A shaping wait ended: run the queue, unless a write is outstanding or
 * our write callback is running it (it takes the queue then). */
void
mpc_tran_send_limit_cb(void *arg)
{
	mpc_tran_pipe *p = arg;

	nni_mtx_lock(&p->txmtx);
	p->txlimit_armed = false;
	if ((nni_aio_result(p->txlimit) == 0) &&
	    (p->txstate == MPC_TX_IDLE) && (p->txincb == 0)) {
		mpc_tran_send_run(p, false);
	}
	nni_mtx_unlock(&p->txmtx);
}

void
mpc_tran_send_close(mpc_tran_pipe *p)
{
	nni_mtx_lock(&p->txmtx);
	p->txstate = MPC_TX_CLOSED;
	/* Sealed sends (sealedq, txbig) fail when closing the aio aborts
	 * their write. */
	mpc_tran_pipe_fail_queue(&p->sendq, false, NNG_ECLOSED);
	nni_mtx_unlock(&p->txmtx);
}

void
mpc_tran_send_ctl(mpc_tran_pipe *p, uint16_t type, uint64_t token)
{
	uint8_t     b[sizeof(token)];
	mpc_wcursor c;

	mpc_wcursor_init(&c, b, sizeof(b));
	if (mpc_wcursor_u64(&c, token)) {
		(void) mpc_tran_send_ctl_data(p, type, b, sizeof(b));
	}
}

bool
mpc_tran_send_ctl_data(
    mpc_tran_pipe *p, uint16_t type, const uint8_t *data, size_t plen)
{
	mpc_frame_hdr h;
	uint8_t *     hdr;

	nni_mtx_lock(&p->txmtx);
	if (mpc_tran_send_done(p) ||
	    (plen + NNG_MPC_FRAME_OVERHEAD > MPC_TRAN_TXBUF_SIZE)) {
		nni_mtx_unlock(&p->txmtx);
		return (false);
	}
	if (plen + NNG_MPC_FRAME_OVERHEAD > MPC_TRAN_TXBUF_SIZE - p->txfill) {
		if (p->txstate == MPC_TX_WRITING) {
			/* Both buffers hold frames: not idle. */
			nni_mtx_unlock(&p->txmtx);
			return (false);
		}
		mpc_tran_send_flush(p);
	}
	hdr = mpc_tran_send_half(p) + p->txfill;
	memcpy(hdr + NNG_MPC_FRAME_HEADER_SIZE, data, plen);
	memset(&h, 0, sizeof(h));
	h.type      = type;
	h.recipient = p->peer.peer_id;
	if (mpc_tran_send_seal(p, &h, hdr, hdr + NNG_MPC_FRAME_HEADER_SIZE,
	        plen, hdr + NNG_MPC_FRAME_HEADER_SIZE + plen) != 0) {
		/* No key left: the next application send reports it. */
		mpc_wipe(hdr, plen + NNG_MPC_FRAME_OVERHEAD);
		nni_mtx_unlock(&p->txmtx);
		return (false);
	}
	p->txfill += plen + NNG_MPC_FRAME_OVERHEAD;
	if (type == NNG_MPC_MSG_CTL_PING) {
		mpc_tran_pipe_count(&p->stats, MPC_TRAN_P_HB_OUT, 1);
	}
	if (p->txstate == MPC_TX_IDLE) {
		mpc_tran_send_flush(p);
	}
	nni_mtx_unlock(&p->txmtx);
	return (true);
}
