/*
 * mpc_tran_recv.c -- a pipe's receive path: one sealed frame per message.
 *
 * Reads go into a 128 KiB read-ahead buffer, so one read can bring in many
 * small frames (MPC_TRAN_RXBUF_SIZE).  Take the 48-byte header from it
 * through the wire cursor and validate it -- the declared length against
 * NNG_OPT_RECVMAXSZ and the MPC maximum included -- BEFORE allocating;
 * move payload and tag into a new message (what is not buffered yet is
 * read straight into the message, so a large payload is never copied);
 * open it in place (tag, then replay window and epoch, which change only
 * after the tag verified: crypto/mpc_channel.h); then the authenticated
 * header must name the peer as sender, us or broadcast as recipient, our
 * session, and a non-control type.  So the session binding is checked
 * after decryption, as part of the authenticated header: before it, the
 * header is only a claim.
 *
 * A frame failing any check is not delivered: its plaintext (if it had
 * any) is wiped, its row of the reason table moves (mpc_tran_reason.h),
 * and so does FRAMES_REJECTED.  Every rejected frame counts toward
 * NNG_OPT_MPC_REJECT_LIMIT: past it the pipe closes
 * (NNG_MPC_EREJECTLIMIT), so an on-path injector cannot keep a pipe busy
 * with frames it can never get delivered.  A header that does not decode,
 * or the channel's authentication-failure limit, close it at once (the
 * stream can no longer be trusted to be in step).  At most one frame is
 * buffered per pipe before it authenticates: its declared payload, at most
 * the announced maximum.
 *
 * Delivered messages carry the 40-byte incoming envelope at the start of
 * the message header.
 *
 * When the peer ratchets, the previous epoch's keys stay for a grace
 * period for frames still in flight; a timer (rxgrace) ends it on time
 * even when no later frame arrives, so old keys never outlive it.
 *
 * The peer's rate limit (NNG_OPT_MPC_RATE_*, mpc_tran_limit.h): before a
 * frame is taken from the buffer, the buckets must hold a message and no
 * byte debt; a delivered frame pays for itself.  With no tokens the pipe
 * stops reading (THROTTLED) and a timer (rxlimit) resumes it when the
 * tokens are back, so the peer's frames wait in its own socket buffers
 * and TCP's flow control slows it; nothing is dropped, and other pipes
 * are not involved.  While the buckets hold tokens no clock is read.
 * Under the close policy a peer over its limit for too long closes the
 * pipe (NNG_MPC_ERATELIMIT); in adaptive mode every refused frame halves
 * its allowance, and so does a socket queue that stayed full for
 * MPC_TRAN_RATE_STALL_MS.
 *
 * Heartbeats (transport control frames NNG_MPC_MSG_CTL_PING / _PONG, an
 * 8-byte token each; mpc_tran_live.c sends the pings) are authenticated
 * like every frame, never delivered, and not refusals: a ping is answered
 * with a pong carrying its token, a pong gives the round-trip time.
 *
 * State (mpc_tran_rx_state): IDLE, READING (ahead into rxbuf),
 * READING_REST (a frame's rest into its message), DELIVERING (our callback
 * completing receives, during which a new receive only queues), THROTTLED
 * (over the rate limit, waiting for rxlimit), CLOSED.
 *
 * Locking: rxmtx (mpc_tran_pipe.h).
 */
#include <string.h>

#include "mpc_tran_pipe.h"

#include "mpc_cursor.h"
#include "mpc_envelope.h"
#include "mpc_hist.h"
#include "mpc_tran_dlv.h"
#include "mpc_tran_echo.h"
#include "mpc_wipe.h"

static int mpc_tran_recv_kick(mpc_tran_pipe *p);

static bool
mpc_tran_recv_busy(const mpc_tran_pipe *p)
{
	return ((p->rxstate == MPC_RX_READING) ||
	    (p->rxstate == MPC_RX_READING_REST));
}

/* The largest payload accepted now: the MPC maximum we announced,
 * lowered by NNG_OPT_RECVMAXSZ when that is set (0 means no NNG limit). */
static uint32_t
mpc_tran_recv_limit(mpc_tran_pipe *p)
{
	uint64_t rcvmax = nni_atomic_get64(&p->rcvmax);
	uint32_t max    = p->peer.max_payload;

	if ((rcvmax != 0) && (rcvmax < max)) {
		max = (uint32_t) rcvmax;
	}
	return (max);
}

/* A heartbeat's authenticated header: sent by the peer to us in our
 * session, as every frame. */
static bool
mpc_tran_recv_is_heartbeat(const mpc_tran_pipe *p, const mpc_frame_hdr *h)
{
	return (((h->type == NNG_MPC_MSG_CTL_PING) ||
	            (h->type == NNG_MPC_MSG_CTL_PONG)) &&
	    (h->sender == p->peer.peer_id) &&
	    (h->recipient == p->peer.self_id) &&
	    (memcmp(h->session, p->peer.session, sizeof(p->peer.session)) ==
	        0));
}

/* An answer to our ping: the round-trip time, and the smoothed one as
 * RFC 6298 2.2-2.3 computes SRTT (alpha 1/8, beta 1/4).  Locked. */
static void
mpc_tran_recv_rtt(mpc_tran_pipe *p, uint64_t sent_ns)
{
	uint64_t now = mpc_tran_now_ns();
	uint64_t r;
	uint64_t srtt;

	if ((sent_ns == 0) || (sent_ns > now)) {
		return; /* not a token of ours */
	}
	r    = (now - sent_ns) / 1000u;
	srtt = nni_atomic_get64(&p->srtt_us);
	if (nni_atomic_get64(&p->rtt_us) == 0) {
		srtt         = r;
		p->rttvar_us = r / 2;
	} else {
		uint64_t d   = srtt > r ? srtt - r : r - srtt;
		p->rttvar_us = (3 * p->rttvar_us + d) / 4;
		srtt         = (7 * srtt + r) / 8;
	}
	nni_atomic_set64(&p->rtt_us, r > 0 ? r : 1);
	nni_atomic_set64(&p->srtt_us, srtt > 0 ? srtt : 1);
	mpc_tran_pipe_count(&p->stats, MPC_TRAN_P_HB_IN, 1);
}

/* A heartbeat frame, authenticated and checked: answer a ping, time a
 * pong.  Its plaintext is the token only.  Locked (takes txmtx). */
static void
mpc_tran_recv_heartbeat(mpc_tran_pipe *p)
{
	mpc_rcursor c;
	uint64_t    token = 0;

	mpc_rcursor_init(&c, nni_msg_body(p->rxmsg), nni_msg_len(p->rxmsg));
	if (!mpc_rcursor_u64(&c, &token) || (mpc_rcursor_remaining(&c) != 0)) {
		return; /* authentic but not ours to understand: ignored */
	}
	if (p->rxh.type == NNG_MPC_MSG_CTL_PING) {
		mpc_tran_send_ctl(p, NNG_MPC_MSG_CTL_PONG, token);
	} else {
		mpc_tran_recv_rtt(p, token);
	}
}

/* Checks an authenticated header: 0 to deliver, else the reason. */
static int
mpc_tran_recv_check(const mpc_tran_pipe *p, const mpc_frame_hdr *h)
{
	if (h->sender != p->peer.peer_id) {
		return (NNG_MPC_EPEER);
	}
	if ((h->recipient != p->peer.self_id) &&
	    (h->recipient != NNG_MPC_PARTY_BROADCAST)) {
		return (NNG_MPC_ENOTFORME);
	}
	if (memcmp(h->session, p->peer.session, sizeof(p->peer.session)) !=
	    0) {
		return (NNG_MPC_ESESSION);
	}
	if (!mpc_frame_type_app_sendable(h->type) &&
	    !mpc_tran_dlv_ctl_type(p, h->type) &&
	    !mpc_tran_echo_ctl_type(p, h->type)) {
		return (NNG_MPC_ECONTROL);
	}
	return (0);
}

/* Frees the frame in rxmsg, if any, wiping it first: it holds plaintext
 * once it authenticated, and wire bytes before.  Locked. */
static void
mpc_tran_recv_discard(mpc_tran_pipe *p)
{
	if (p->rxmsg != NULL) {
		mpc_wipe(nni_msg_body(p->rxmsg), nni_msg_len(p->rxmsg));
		nni_msg_free(p->rxmsg);
		p->rxmsg = NULL;
	}
}

/* Drops the frame in rxmsg: wipe what it holds (plaintext, if it was
 * authentic), free it, count the reason.  Returns 0, or
 * NNG_MPC_EREJECTLIMIT when the pipe has rejected too many frames.
 * Locked. */
static int
mpc_tran_recv_drop(mpc_tran_pipe *p, int reason)
{
	mpc_tran_pipe_ctr c = mpc_tran_pipe_ctr_of(reason);

	mpc_tran_recv_discard(p);
	if (c != MPC_TRAN_P_COUNT) {
		mpc_tran_pipe_count(&p->stats, c, 1);
	}
	if (p->rxrate.cfg.adaptive) {
		mpc_tran_rate_punish(&p->rxrate, mpc_tran_now_ns());
	}
	mpc_tran_pipe_count(&p->stats, MPC_TRAN_P_FRAMES_REJECTED, 1);
	mpc_tran_pipe_ev_rejects(p, reason);
	if (mpc_tran_stat_get(
	        &p->stats.item[MPC_TRAN_P_FRAMES_REJECTED]) >= p->reject_limit) {
		return (NNG_MPC_EREJECTLIMIT);
	}
	return (0);
}

/* An authentic frame on a pipe carrying a delivery stream: its record
 * is the stream's (mpc_tran_dlv.h).  A control frame or a duplicate is
 * consumed here (rxmsg freed, NULL).  Returns 0 or the error that closes
 * the pipe.  Locked. */
static int
mpc_tran_recv_stream(mpc_tran_pipe *p)
{
	bool consumed;
	int  rv;

	if ((rv = mpc_tran_dlv_recv(p, &p->rxh, p->rxmsg, &consumed)) != 0) {
		return (rv);
	}
	if (consumed) {
		mpc_tran_recv_discard(p);
	}
	return (0);
}

/* While the previous epoch's keys are kept for their grace period, a
 * timer ends it on time even when no further frame arrives.  Locked. */
static void
mpc_tran_recv_arm_grace(mpc_tran_pipe *p, uint64_t now)
{
	uint64_t left;

	if (p->rxgrace_armed ||
	    ((left = mpc_chan_recv_grace_left(p->chan, now)) == 0)) {
		return;
	}
	p->rxgrace_armed = true;
	nni_sleep_aio((nni_duration) (left / 1000000u) + 1, p->rxgrace);
}

/* Delivery delay: our wall clock minus the sender's frame timestamp
 * (authenticated, but the two clocks are only as close as their sync;
 * a negative difference is not counted). */
static void
mpc_tran_recv_delay(mpc_tran_pipe *p, uint64_t sent_ns)
{
	struct timespec ts;
	uint64_t        now;

	if (p->hist_delay == NULL) {
		return;
	}
	(void) clock_gettime(CLOCK_REALTIME, &ts);
	now = (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
	if (now >= sent_ns) {
		mpc_hist_observe(p->hist_delay, now - sent_ns);
	}
}

/*
 * An authentic frame for echo broadcast (mpc_tran_echo.h): 0 with
 * *deliver (echo's message in rxmsg, or the frame itself when echo does
 * not take it), or what mpc_tran_recv_drop returns for a rejected one.
 * From a stream (streamed), a frame echo took or rejected is settled at once: echo
 * holds what it keeps for the socket, so its stream message must not
 * come again.  Locked.
 */
static int
mpc_tran_recv_echo(mpc_tran_pipe *p, bool streamed, bool *deliver)
{
	bool taken;
	int  rv;

	rv = mpc_tran_echo_recv(p, &p->rxh, &p->rxmsg, &taken);
	if (streamed && ((rv != 0) || taken)) {
		mpc_tran_dlv_recv_posted(p);
	}
	if (rv != 0) {
		return (mpc_tran_recv_drop(p, rv));
	}
	if (!taken) {
		if ((rv = mpc_envelope_put_in(p->rxmsg, &p->rxh)) != 0) {
			return (rv);
		}
		mpc_tran_recv_delay(p, p->rxh.timestamp_ns);
	}
	*deliver = p->rxmsg != NULL;
	return (0);
}

/*
 * A complete frame is in p->rxhdr, the message body and p->rxtag:
 * authenticate and decrypt it in place, check the authenticated header,
 * and add the incoming envelope.  Returns 0 with *deliver set (or clear:
 * dropped and counted), or an error that closes the pipe.  Locked.
 */
static int
mpc_tran_recv_frame(mpc_tran_pipe *p, bool *deliver)
{
	uint64_t now = mpc_tran_now_ns(); /* one clock read per frame */
	int      rv;

	*deliver = false;
	rv = mpc_chan_open(p->chan, p->rxh.epoch, p->rxh.sequence, now,
	    p->rxhdr, sizeof(p->rxhdr),
	    nni_msg_body(p->rxmsg), p->rxh.payload_len, p->rxtag);
	if (rv != 0) {
		int lim = mpc_tran_recv_drop(p, rv);
		if (mpc_tran_pipe_ctr_of(rv) == MPC_TRAN_P_COUNT) {
			return (rv); /* not a frame's fault: crypto failure */
		}
		if (rv == NNG_MPC_EAUTHLIMIT) {
			return (rv);
		}
		return (lim);
	}
	/* Heard from the peer (mpc_tran_live.c), whatever the frame turns
	 * out to be: a delivery record, an echo or a heartbeat consumed here
	 * proves it alive as much as a message does. */
	nni_atomic_inc64(&p->auth_in);
	mpc_tran_recv_arm_grace(p, now);
	if (p->rxh.epoch > p->rx_epoch_seen) { /* not a frame in grace */
		p->rx_epoch_seen = p->rxh.epoch;
		mpc_tran_pipe_ev_rekey(p, true, p->rxh.epoch);
	}
	if (mpc_tran_recv_is_heartbeat(p, &p->rxh)) {
		/* A heartbeat pays like a message: a peer cannot make us
		 * answer pings faster than its rate. */
		if (p->rxrate.on) {
			mpc_tran_rate_charge(&p->rxrate, nni_msg_len(p->rxmsg));
		}
		mpc_tran_recv_heartbeat(p);
		mpc_tran_recv_discard(p);
		return (0);
	}
	if ((rv = mpc_tran_recv_check(p, &p->rxh)) != 0) {
		return (mpc_tran_recv_drop(p, rv));
	}
	/* Held broadcasts and echoes: mpc_tran_echo.h.  With a delivery
	 * stream its record comes first (every frame but the certificate,
	 * which each connection announces outside the stream). */
	if ((p->echo != NULL) &&
	    ((p->dlv == NULL) || (p->rxh.type == NNG_MPC_MSG_CTL_ECHO_CERT))) {
		return (mpc_tran_recv_echo(p, false, deliver));
	}
	if ((p->dlv != NULL) && ((rv = mpc_tran_recv_stream(p)) != 0 ||
	                            (p->rxmsg == NULL))) {
		return (rv); /* broke the stream, or not for the application */
	}
	if (p->echo != NULL) {
		return (mpc_tran_recv_echo(p, p->dlv != NULL, deliver));
	}
	if ((rv = mpc_envelope_put_in(p->rxmsg, &p->rxh)) != 0) {
		return (rv);
	}
	mpc_tran_recv_delay(p, p->rxh.timestamp_ns);
	*deliver = true;
	return (0);
}

/* Reads more into the receive buffer (moving what is left to its
 * start).  Locked. */
static void
mpc_tran_recv_fill(mpc_tran_pipe *p)
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
	p->rxstate = MPC_RX_READING;
	nng_stream_recv(p->conn, p->rxaio);
}

/*
 * Takes the next frame's header from the receive buffer, validates it --
 * the declared length against NNG_OPT_RECVMAXSZ and the MPC maximum
 * included -- before allocating, then moves what the buffer holds of the
 * payload and tag into place.  Whatever is missing is read straight into
 * the message (READING_REST).  Every byte goes through the wire cursor.
 * Returns 0 or a fatal error.  Locked; at least a header is buffered.
 */
static int
mpc_tran_recv_header(mpc_tran_pipe *p)
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
	 * (mpc_tran_recv_check). */
	memset(&pol, 0, sizeof(pol));
	pol.max_payload = mpc_tran_recv_limit(p);
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
	p->rxstate = MPC_RX_READING_REST;
	nng_stream_recv(p->conn, p->rxaio);
	return (0);
}

/*
 * The buckets ran dry before the next frame: refill them, and when the
 * peer is still over its limit stop reading until the tokens are back
 * (THROTTLED, rxlimit armed).  0 (check rxstate), or NNG_MPC_ERATELIMIT
 * under the close policy.  Locked.
 */
static int
mpc_tran_recv_throttle(mpc_tran_pipe *p)
{
	uint64_t wait;
	bool     close;

	wait = mpc_tran_rate_check(&p->rxrate, mpc_tran_now_ns(),
	    p->rxend - p->rxoff >= NNG_MPC_FRAME_HEADER_SIZE, &close);
	if (close) {
		mpc_tran_pipe_count(&p->stats, MPC_TRAN_P_P_CLOSED_RATE, 1);
		return (NNG_MPC_ERATELIMIT);
	}
	if (wait == 0) {
		return (0);
	}
	mpc_tran_pipe_count(&p->stats, MPC_TRAN_P_RATE_DELAYED, 1);
	p->rxstate = MPC_RX_THROTTLED;
	/* Whole milliseconds, rounded up: NNG's timers have no finer
	 * resolution, and waking early would only find the bucket short.
	 * And not less than MPC_TRAN_RATE_WAIT_MIN_MS (or the burst, when
	 * shorter): NNG 1.5.2's timer thread spins through the millisecond
	 * a timer expires in (src/core/aio.c, nni_aio_expire_loop), so a
	 * wake per message would cost a core; a longer wait lets tokens for
	 * a batch of frames accumulate, the average rate is the same. */
	nni_sleep_aio(mpc_tran_rate_wait_ms(&p->rxrate, wait), p->rxlimit);
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
mpc_tran_recv_run(mpc_tran_pipe *p, nni_msg **msgp, int *rvp)
{
	nni_aio *aio;
	bool     deliver;
	int      rv;

	*msgp = NULL;
	*rvp  = 0;
	while ((aio = nni_list_first(&p->recvq)) != NULL) {
		if (p->rxstate == MPC_RX_CLOSED) {
			rv = NNG_ECLOSED;
			goto fail;
		}
		/* A broadcast the protocol dropped with another pipe
		 * (mpc_tran_echo.h) goes before the next frame. */
		if ((p->rxmsg == NULL) && (p->echo != NULL) &&
		    ((*msgp = mpc_tran_echo_redeliver(p)) != NULL)) {
			nni_aio_list_remove(aio);
			return (aio);
		}
		if (p->rxmsg == NULL) {
			if (!mpc_tran_rate_ready(&p->rxrate)) {
				if ((rv = mpc_tran_recv_throttle(p)) != 0) {
					goto fail;
				}
				if (p->rxstate == MPC_RX_THROTTLED) {
					return (NULL);
				}
			}
			if (p->rxend - p->rxoff < NNG_MPC_FRAME_HEADER_SIZE) {
				mpc_tran_recv_fill(p);
				return (NULL);
			}
			if ((rv = mpc_tran_recv_header(p)) != 0) {
				goto fail;
			}
			if (p->rxstate == MPC_RX_READING_REST) {
				return (NULL);
			}
		}
		if ((rv = mpc_tran_recv_frame(p, &deliver)) != 0) {
			goto fail;
		}
		if (deliver) {
			nni_aio_list_remove(aio);
			*msgp    = p->rxmsg;
			p->rxmsg = NULL;
			mpc_tran_pipe_count(
			    &p->stats, MPC_TRAN_P_FRAMES_IN, 1);
			mpc_tran_pipe_count(&p->stats, MPC_TRAN_P_BYTES_IN,
			    nni_msg_len(*msgp));
			nni_pipe_bump_rx(p->npipe, nni_msg_len(*msgp));
			if (p->rxrate.on) {
				mpc_tran_rate_charge(
				    &p->rxrate, nni_msg_len(*msgp));
			}
			return (aio);
		}
	}
	return (NULL);

fail:
	/* The stream cannot be trusted to be in step any more: no further
	 * receive; the protocol sees the error and closes the pipe. */
	nni_aio_list_remove(aio);
	mpc_tran_recv_discard(p);
	if (rv != NNG_ECLOSED) {
		p->rxstate = MPC_RX_CLOSED;
		if (p->close_reason == 0) {
			p->close_reason = rv;
		}
		mpc_tran_hold_bump_error(&p->hold, rv);
	}
	*rvp = rv;
	return (aio);
}

/* Completes what mpc_tran_recv_run returned (after unlocking; from our
 * receive callback, so the protocol's callback runs right here).  A pipe
 * that is closing delivers nothing more (mpc_tran_hold.h); with delivery
 * streams the sender still keeps the message (mpc_tran_dlv_stop). */
static void
mpc_tran_recv_finish(mpc_tran_pipe *p, nni_aio *aio, nni_msg *msg, int rv)
{
	if (aio == NULL) {
		return;
	}
	if ((rv == 0) && !mpc_tran_hold_enter(&p->hold)) {
		mpc_wipe(nni_msg_body(msg), nni_msg_len(msg));
		nni_msg_free(msg);
		rv = NNG_ECLOSED;
	}
	if (rv != 0) {
		nni_aio_finish_error(aio, rv);
		return;
	}
	nni_aio_set_msg(aio, msg);
	nni_aio_finish_sync(aio, 0, nni_msg_len(msg));
	mpc_tran_hold_leave(&p->hold);
}

/*
 * Adaptive mode: after a delivery the protocol took no further receive --
 * the socket's queue is full (NNG's protocols stop receiving from their
 * pipes then), and whatever the peer sends waits.  Noted here (the clock
 * is read only then); when it stayed so for MPC_TRAN_RATE_STALL_MS, the
 * next receive lowers the peer's allowance: the application cannot keep
 * up with what its peers send.  Every stalled pipe is lowered, as TCP
 * lowers every window under congestion; the allowance grows back.
 * Locked.
 */
static void
mpc_tran_recv_note_stall(mpc_tran_pipe *p)
{
	if (p->rxrate.cfg.adaptive && p->rxrate.on && (p->rxstall_at == 0) &&
	    (p->rxstate == MPC_RX_IDLE) && nni_list_empty(&p->recvq)) {
		p->rxstall_at = mpc_tran_now_ns();
	}
}

/* A receive arrived after a stall: punish one that lasted.  Locked. */
static void
mpc_tran_recv_end_stall(mpc_tran_pipe *p)
{
	uint64_t now;

	if (p->rxstall_at == 0) {
		return;
	}
	now = mpc_tran_now_ns();
	if (now - p->rxstall_at >= (uint64_t) MPC_TRAN_RATE_STALL_MS * 1000000u) {
		mpc_tran_rate_punish(&p->rxrate, now);
	}
	p->rxstall_at = 0;
}

void
mpc_tran_recv_cb(void *arg)
{
	mpc_tran_pipe *   p     = arg;
	nni_aio *         rxaio = p->rxaio;
	nni_aio *         aio;
	nni_msg *         msg = NULL;
	mpc_tran_rx_state was;
	int               rv;

	nni_mtx_lock(&p->rxmtx);
	was = p->rxstate;
	if (p->rxstate != MPC_RX_CLOSED) {
		p->rxstate = MPC_RX_IDLE;
	}
	if ((rv = nni_aio_result(rxaio)) != 0) {
		/* The head of the queue waited for this read. */
		if ((aio = nni_list_first(&p->recvq)) != NULL) {
			nni_aio_list_remove(aio);
		}
		mpc_tran_recv_discard(p);
		p->rxstate = MPC_RX_CLOSED;
		mpc_tran_hold_bump_error(&p->hold, rv);
		nni_mtx_unlock(&p->rxmtx);
		mpc_tran_recv_finish(p, aio, NULL, rv);
		return;
	}
	if (was == MPC_RX_READING_REST) {
		nni_aio_iov_advance(rxaio, nni_aio_count(rxaio));
		if (nni_aio_iov_count(rxaio) > 0) {
			p->rxstate = MPC_RX_READING_REST;
			nng_stream_recv(p->conn, rxaio);
			nni_mtx_unlock(&p->rxmtx);
			return;
		}
	} else {
		p->rxend += nni_aio_count(rxaio);
	}
	/*
	 * Deliver buffered frames from here, one per receive the protocol
	 * posts: the protocol's callback (run synchronously) usually posts
	 * the next receive at once, which mpc_tran_recv leaves to this loop
	 * (DELIVERING) instead of handing it to another thread.
	 */
	while (!mpc_tran_recv_busy(p) && (p->rxstate != MPC_RX_THROTTLED) &&
	    ((aio = mpc_tran_recv_run(p, &msg, &rv)) != NULL)) {
		bool closed = p->rxstate == MPC_RX_CLOSED;
		if (!closed) {
			p->rxstate = MPC_RX_DELIVERING;
		}
		nni_mtx_unlock(&p->rxmtx);
		mpc_tran_recv_finish(p, aio, msg, rv);
		nni_mtx_lock(&p->rxmtx);
		if (p->rxstate == MPC_RX_DELIVERING) {
			p->rxstate = MPC_RX_IDLE;
		}
		if (rv != 0) {
			break;
		}
	}
	mpc_tran_recv_note_stall(p);
	nni_mtx_unlock(&p->rxmtx);
}

/* A throttle ended: resume where the receive path stopped (through the
 * idle read aio, as mpc_tran_recv_kick does), or wait for the next
 * receive if none is queued. */
void
mpc_tran_recv_limit_cb(void *arg)
{
	mpc_tran_pipe *p = arg;
	nni_aio *      aio;

	nni_mtx_lock(&p->rxmtx);
	if ((nni_aio_result(p->rxlimit) != 0) ||
	    (p->rxstate != MPC_RX_THROTTLED)) {
		nni_mtx_unlock(&p->rxmtx);
		return;
	}
	p->rxstate = MPC_RX_IDLE;
	if (((aio = nni_list_first(&p->recvq)) != NULL) &&
	    (mpc_tran_recv_kick(p) != 0)) {
		nni_aio_list_remove(aio);
		p->rxstate = MPC_RX_CLOSED;
		nni_mtx_unlock(&p->rxmtx);
		nni_aio_finish_error(aio, NNG_ECLOSED);
		return;
	}
	nni_mtx_unlock(&p->rxmtx);
}

bool
mpc_tran_recv_waiting(mpc_tran_pipe *p)
{
	bool w;

	nni_mtx_lock(&p->rxmtx);
	w = mpc_tran_recv_busy(p);
	nni_mtx_unlock(&p->rxmtx);
	return (w);
}

void
mpc_tran_recv_set_reason(mpc_tran_pipe *p, int rv)
{
	nni_mtx_lock(&p->rxmtx);
	if (p->close_reason == 0) {
		p->close_reason = rv;
	}
	nni_mtx_unlock(&p->rxmtx);
}

void
mpc_tran_recv_grace_cb(void *arg)
{
	mpc_tran_pipe *p = arg;

	nni_mtx_lock(&p->rxmtx);
	p->rxgrace_armed = false;
	if (nni_aio_result(p->rxgrace) == 0) {
		uint64_t now = mpc_tran_now_ns();
		mpc_chan_recv_expire(p->chan, now);
		/* A later ratchet may have started a new grace meanwhile. */
		mpc_tran_recv_arm_grace(p, now);
	}
	nni_mtx_unlock(&p->rxmtx);
}

static void
mpc_tran_recv_cancel(nni_aio *aio, void *arg, int rv)
{
	mpc_tran_pipe *p = arg;

	nni_mtx_lock(&p->rxmtx);
	if (!nni_aio_list_active(aio)) {
		nni_mtx_unlock(&p->rxmtx);
		return;
	}
	/* The read in progress serves the head of the queue: abort it; its
	 * callback fails the aio. */
	if ((nni_list_first(&p->recvq) == aio) && mpc_tran_recv_busy(p)) {
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
mpc_tran_recv_kick(mpc_tran_pipe *p)
{
	if ((p->rxmsg == NULL) &&
	    (p->rxend - p->rxoff < NNG_MPC_FRAME_HEADER_SIZE)) {
		mpc_tran_recv_fill(p);
		return (0);
	}
	if (nni_aio_begin(p->rxaio) != 0) {
		return (NNG_ECLOSED);
	}
	p->rxstate = MPC_RX_READING;
	nni_aio_finish(p->rxaio, 0, 0);
	return (0);
}

void
mpc_tran_recv(void *arg, nni_aio *aio)
{
	mpc_tran_pipe *p = arg;
	int            rv;

	mpc_tran_pipe_started(p);
	/* Before nni_aio_begin: a protocol asking for the next message on a
	 * closed pipe (its aio then refuses to begin) has still kept the
	 * last one (mpc_tran_dlv.h). */
	if (p->dlv != NULL) {
		mpc_tran_dlv_recv_posted(p);
	}
	if (p->echo != NULL) {
		mpc_tran_echo_recv_posted(p);
	}
	if (nni_aio_begin(aio) != 0) {
		return;
	}
	nni_mtx_lock(&p->rxmtx);
	if (p->rxstate == MPC_RX_CLOSED) {
		nni_mtx_unlock(&p->rxmtx);
		nni_aio_finish_error(aio, NNG_ECLOSED);
		return;
	}
	if ((rv = nni_aio_schedule(aio, mpc_tran_recv_cancel, p)) != 0) {
		nni_mtx_unlock(&p->rxmtx);
		nni_aio_finish_error(aio, rv);
		return;
	}
	nni_aio_list_append(&p->recvq, aio);
	mpc_tran_recv_end_stall(p);
	if ((nni_list_first(&p->recvq) == aio) &&
	    (p->rxstate == MPC_RX_IDLE) &&
	    ((rv = mpc_tran_recv_kick(p)) != 0)) {
		nni_aio_list_remove(aio);
		nni_mtx_unlock(&p->rxmtx);
		nni_aio_finish_error(aio, rv);
		return;
	}
	nni_mtx_unlock(&p->rxmtx);
}

void
mpc_tran_recv_close(mpc_tran_pipe *p)
{
	nni_mtx_lock(&p->rxmtx);
	mpc_tran_pipe_fail_queue(&p->recvq, mpc_tran_recv_busy(p), NNG_ECLOSED);
	p->rxstate = MPC_RX_CLOSED;
	nni_mtx_unlock(&p->rxmtx);
}
