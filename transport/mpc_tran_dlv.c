/*
 * mpc_tran_dlv.c -- a pipe carrying its party's delivery stream; see
 * mpc_tran_dlv.h for the behaviour and mpc_deliver.h for the records.
 *
 * A kept message is the application's message made ready for the wire
 * once, when the stream takes it, without moving its body:
 *   header = [DATA record][protocol header]   body = [envelope prefix][body]
 * The send path writes header then body after the prefix, so the frame's
 * payload is [DATA record][protocol header][body]: the receiver finds the
 * protocol's header (pair1's hop count) where it always does once the
 * record is removed.  A protocol header too long to share the message's
 * header room with the record moves into the body instead.  The pipe
 * writes a reference (nni_msg_clone) of it; the stream lets it go when the
 * party acknowledges it.
 *
 * Three aios of the pipe's own move frames, each one at a time: dataio
 * (kept messages, in stream order), ctlaio (RESUME, ACK), and workaio,
 * which runs what the receive path decided (it may not call the send path
 * under rxmtx); acktimer is the delayed ack.  Each completes through the
 * send path's callback; in steady state the send path's write callback
 * completes dataio synchronously and this file hands it the next message
 * at once, so frames share stream writes.
 *
 * Completing the protocol's send: the protocol sends under its own lock,
 * so a send the stream kept cannot complete inside mpc_tran_dlv_send.
 * While dataio is with the send path (data_busy), the kept send waits on
 * `done` and completes synchronously in mpc_tran_dlv_data_cb, which runs
 * from the send path's write callback with no lock held: the protocol
 * hands over its next message on the same thread, as on the path without
 * delivery (mpc_tran_send.c, mpc_tran_send_run).  Otherwise (no frame in
 * flight to carry it: before the RESUME, or the stream has nothing to
 * send; or a held send the window took) it waits on `taken` and the work
 * callback completes it.  A frame can wait for a write the peer does not
 * drain (it stopped reading); the stream must still take sends up to its
 * window then, so donetimer completes what waits on `done` after
 * MPC_TRAN_DLV_STALL_MS and marks dataio stalled: until its callback
 * comes, sends wait on `taken`.  Every success goes through
 * mpc_tran_hold_finish (mpc_tran_hold.h: synchronous, and never once the
 * pipe is closing, when NNG 1.5.2's pair1 would act on its next pipe).
 *
 * Locking: mpc_tran_dlv.h.  Invariant (under the stream's mutex): `done`
 * is empty unless data_busy, so the data callback that clears data_busy
 * always finds and completes every send waiting there.
 */
#include <string.h>

#include "mpc_tran_pipe.h"

#include "mpc_deliver.h"
#include "mpc_tran_dlv.h"
#include "mpc_tran_stream.h"
#include "mpc_wipe.h"

typedef struct mpc_tran_dlv {
	mpc_tran_pipe *        p;
	mpc_tran_stream *      st;
	mpc_tran_dlv_submit_fn submit;
	nni_aio *              dataio;
	nni_aio *              ctlaio;
	nni_aio *              workaio;
	nni_aio *              acktimer;
	nni_aio *              donetimer; /* see the top */
	nni_list               held; /* sends waiting for window room */
	nni_list               done; /* kept sends that complete with the
	                                data callback (see the top) */
	nni_list               taken; /* kept sends completed by the work
	                                 callback (see the top) */
	uint32_t               ack_every;
	bool                   closed;
	bool                   data_busy;
	bool                   ctl_busy;
	bool                   work_armed;
	bool                   ack_armed;
	bool                   done_armed;
	bool                   ack_busy; /* acks went out without the timer
	                                    while it was armed */
	uint64_t               ack_at_arm; /* rx.acked when it was armed */
	bool                   data_stalled; /* see the top */
	bool                   need_resume; /* our RESUME not sent yet */
	bool                   resume_out;  /* our RESUME is in the send path:
	                                       data may follow it */
	bool                   want_ack;
	bool                   ack_lost; /* a direct ack found no room: the
	                                    queued way sends it again */
	uint64_t               ackreq_want; /* ACKREQ to send (upto), or 0 */
	uint64_t               ackreq_sent; /* highest upto sent on this pipe */
	uint64_t               ack_upto; /* the peer's ACKREQ: ack once every
	                                    message up to here is confirmed */
	uint64_t               handed; /* the message this pipe handed to the
	                                protocol last, until confirmed */
	size_t                 handed_len;
	uint64_t               ack_bytes; /* confirmed since our last ack */
} mpc_tran_dlv;

static void mpc_tran_dlv_data_cb(void *arg);
static void mpc_tran_dlv_ctl_cb(void *arg);
static void mpc_tran_dlv_work_cb(void *arg);
static void mpc_tran_dlv_ack_cb(void *arg);
static void mpc_tran_dlv_done_cb(void *arg);
static void mpc_tran_dlv_flush_held(mpc_tran_dlv *d, bool over);
static uint64_t mpc_tran_dlv_ack_policy(mpc_tran_dlv *d);
static void mpc_tran_dlv_fail_taken(mpc_tran_dlv *d);

/* Attached and not closed: may act on the stream.  Locked (stream). */
static bool
mpc_tran_dlv_live(const mpc_tran_dlv *d)
{
	return (!d->closed && d->st->dlv == d);
}

/* Runs the work callback soon, with no lock held.  Locked (stream). */
static void
mpc_tran_dlv_kick(mpc_tran_dlv *d)
{
	if (d->work_armed || d->closed) {
		return;
	}
	if (nni_aio_begin(d->workaio) == 0) {
		d->work_armed = true;
		nni_aio_finish(d->workaio, 0, 0);
	}
}

void
mpc_tran_dlv_wake(mpc_tran_dlv *d)
{
	mpc_tran_dlv_kick(d);
}

int
mpc_tran_dlv_attach(mpc_tran_pipe *p, mpc_tran_dlv_submit_fn submit)
{
	mpc_tran_dlv *   d;
	mpc_tran_stream *st;
	int              rv;

	st = mpc_tran_stream_get(p->party.sock_id, p->peer.peer_id,
	    p->peer.dlv_msgs, p->peer.dlv_bytes);
	if ((st == NULL) || ((d = NNI_ALLOC_STRUCT(d)) == NULL)) {
		return (NNG_ENOMEM);
	}
	nni_aio_list_init(&d->held);
	nni_aio_list_init(&d->done);
	nni_aio_list_init(&d->taken);
	d->p      = p;
	d->st     = st;
	d->submit = submit;
	if (((rv = nni_aio_alloc(&d->dataio, mpc_tran_dlv_data_cb, d)) != 0) ||
	    ((rv = nni_aio_alloc(&d->ctlaio, mpc_tran_dlv_ctl_cb, d)) != 0) ||
	    ((rv = nni_aio_alloc(&d->workaio, mpc_tran_dlv_work_cb, d)) != 0) ||
	    ((rv = nni_aio_alloc(&d->acktimer, mpc_tran_dlv_ack_cb, d)) != 0) ||
	    ((rv = nni_aio_alloc(&d->donetimer, mpc_tran_dlv_done_cb, d)) !=
	        0)) {
		p->dlv = d;
		mpc_tran_dlv_fini(p);
		return (rv);
	}
	d->ack_every = st->tx.max_msgs / 2 > 0 ? st->tx.max_msgs / 2 : 1;
	p->dlv       = d;

	nni_mtx_lock(&st->mtx);
	/* A pipe this one replaced is closed already; should it still be
	 * attached, it loses the stream here (mpc_tran_dlv_live). */
	st->dlv = d;
	mpc_deliver_tx_disconnect(&st->tx);
	if (st->settling == NULL) {
		mpc_deliver_rx_disconnect(&st->rx);
	} else {
		mpc_deliver_rx_pause(&st->rx);
	}
	d->need_resume = true;
	mpc_tran_dlv_kick(d);
	nni_mtx_unlock(&st->mtx);
	mpc_tran_stream_changed(); /* carried: sends for the party may go */
	return (0);
}

void
mpc_tran_dlv_close(mpc_tran_pipe *p)
{
	mpc_tran_dlv *d = p->dlv;

	if (d == NULL) {
		return;
	}
	nni_mtx_lock(&d->st->mtx);
	if (d->st->dlv == d) {
		/* What this connection did not get acknowledged stays kept
		 * for the next one. */
		d->st->dlv = NULL;
		mpc_deliver_tx_disconnect(&d->st->tx);
		if ((d->handed != 0) && (d->st->rx.held == d->handed) &&
		    (d->st->settling == NULL)) {
			/* The protocol may still hand it to the application
			 * (mpc_tran_dlv_recv_posted) or drop it when it
			 * stops the pipe (mpc_tran_dlv_stop). */
			d->st->settling = d;
			mpc_deliver_rx_pause(&d->st->rx);
		} else if (d->st->settling == NULL) {
			mpc_deliver_rx_disconnect(&d->st->rx);
		}
	}
	d->closed = true;
	nni_mtx_unlock(&d->st->mtx);
	mpc_tran_stream_changed(); /* no longer carried (the linger looks) */
	/* A send waiting for window room was accepted by this pipe: the
	 * protocol drops it if it fails, so the stream keeps it beyond the
	 * window (MPC_DELIVER_OVERFLOW, then its spill queue).  Sends it
	 * took whose success is not delivered yet fail: kept all the same. */
	mpc_tran_dlv_flush_held(d, true);
	mpc_tran_dlv_fail_taken(d);
	nni_aio_close(d->dataio);
	nni_aio_close(d->ctlaio);
	nni_aio_close(d->workaio);
	nni_aio_close(d->acktimer);
	nni_aio_close(d->donetimer);
}

/* The held message's fate is known: the stream may resume.  Locked. */
static void
mpc_tran_dlv_settled(mpc_tran_dlv *d)
{
	d->st->settling = NULL;
	if (d->st->dlv != NULL) {
		mpc_tran_dlv_kick(d->st->dlv); /* its RESUME may go now */
	}
}

void
mpc_tran_dlv_stop(mpc_tran_pipe *p)
{
	mpc_tran_dlv *d = p->dlv;

	if (d == NULL) {
		return;
	}
	nni_mtx_lock(&d->st->mtx);
	if (d->st->settling == d) {
		/* The protocol stopped the pipe without taking it: it
		 * dropped it; the sender still keeps it. */
		mpc_deliver_rx_disconnect(&d->st->rx);
		mpc_tran_dlv_settled(d);
	}
	nni_mtx_unlock(&d->st->mtx);
	nni_aio_stop(d->dataio);
	nni_aio_stop(d->ctlaio);
	nni_aio_stop(d->workaio);
	nni_aio_stop(d->acktimer);
	nni_aio_stop(d->donetimer);
}

void
mpc_tran_dlv_fini(mpc_tran_pipe *p)
{
	mpc_tran_dlv *d = p->dlv;

	if (d == NULL) {
		return;
	}
	mpc_tran_dlv_stop(p);
	nni_aio_free(d->dataio);
	nni_aio_free(d->ctlaio);
	nni_aio_free(d->workaio);
	nni_aio_free(d->acktimer);
	nni_aio_free(d->donetimer);
	p->dlv = NULL;
	NNI_FREE_STRUCT(d);
}

/* ---------------------------------------------------------------------- *
 * Writing: kept messages and control frames
 * ---------------------------------------------------------------------- */

/* The stream's next message for the send path, if dataio is free: a
 * reference for dataio (data_busy set; the caller submits it with no lock
 * held), or NULL.  Locked (stream). */
static nni_msg *
mpc_tran_dlv_next(mpc_tran_dlv *d)
{
	mpc_deliver_item it;

	if (!mpc_tran_dlv_live(d) || !d->resume_out || d->data_busy ||
	    !mpc_deliver_tx_next(&d->st->tx, &it)) {
		return (NULL);
	}
	d->data_busy = true;
	nni_msg_clone(it.msg);
	return (it.msg);
}

/* Hands m (mpc_tran_dlv_next) to the send path.  No lock held. */
static void
mpc_tran_dlv_submit(mpc_tran_dlv *d, nni_msg *m)
{
	if (m != NULL) {
		nni_aio_set_msg(d->dataio, m);
		d->submit(d->p, d->dataio);
	}
}

/* Hands the stream's next message to the send path, if dataio is free. */
static void
mpc_tran_dlv_pump(mpc_tran_dlv *d)
{
	nni_msg *m;

	nni_mtx_lock(&d->st->mtx);
	m = mpc_tran_dlv_next(d);
	nni_mtx_unlock(&d->st->mtx);
	mpc_tran_dlv_submit(d, m);
}

/* Takes the sends waiting on `done`, to complete once the lock is
 * dropped: chained through their provider slot 1, on no list (an aio
 * being completed must be on no list of ours: its cancel routine looks).
 * Returns the first or NULL.  Locked (stream). */
static nni_aio *
mpc_tran_dlv_take_done(mpc_tran_dlv *d)
{
	nni_aio *first = NULL;
	nni_aio *aio;

	while ((aio = nni_list_last(&d->done)) != NULL) {
		nni_aio_list_remove(aio);
		nni_aio_set_prov_extra(aio, 1, first);
		first = aio;
	}
	return (first);
}

/* Completes sends the stream kept (a chain from mpc_tran_dlv_take_done):
 * they succeeded, whatever became of the frame in flight.  No lock held;
 * never inside the protocol's send. */
static void
mpc_tran_dlv_finish_done(mpc_tran_dlv *d, nni_aio *aio)
{
	while (aio != NULL) {
		nni_aio *next = nni_aio_get_prov_extra(aio, 1);

		mpc_tran_hold_finish(&d->p->hold, aio,
		    (size_t) (uintptr_t) nni_aio_get_prov_extra(aio, 0));
		aio = next;
	}
}

/* A send the path did not write keeps its message on the aio. */
static void
mpc_tran_dlv_drop_msg(nni_aio *aio)
{
	nni_msg *m = nni_aio_get_msg(aio);

	if (m != NULL) {
		nni_aio_set_msg(aio, NULL);
		nni_msg_free(m);
	}
}

/*
 * dataio's frame is sealed (or failed): the next kept message goes to the
 * send path first, then the sends waiting on `done` complete here,
 * synchronously -- the protocol's next send then finds dataio busy again
 * and waits on `done` for the next round (see the top of this file).
 */
static void
mpc_tran_dlv_data_cb(void *arg)
{
	mpc_tran_dlv *d  = arg;
	int           rv = nni_aio_result(d->dataio);
	nni_aio *     done;
	nni_msg *     m = NULL;

	if (rv != 0) {
		/* The connection failed: the message stays kept and goes
		 * out again after the next resume. */
		mpc_tran_dlv_drop_msg(d->dataio);
	}
	nni_mtx_lock(&d->st->mtx);
	d->data_busy    = false;
	d->data_stalled = false;
	done            = mpc_tran_dlv_take_done(d);
	if (rv == 0) {
		m = mpc_tran_dlv_next(d);
	}
	nni_mtx_unlock(&d->st->mtx);
	mpc_tran_dlv_submit(d, m);
	mpc_tran_dlv_finish_done(d, done);
}

/* Sends waited on `done` longer than a write should take: the peer does
 * not drain the connection.  They complete now, and later ones through
 * the task queue until dataio's callback comes. */
static void
mpc_tran_dlv_done_cb(void *arg)
{
	mpc_tran_dlv *d    = arg;
	nni_aio *     done = NULL;

	nni_mtx_lock(&d->st->mtx);
	(void) nni_aio_result(d->donetimer); /* closed: done drains anyway */
	d->done_armed = false;
	if (!nni_list_empty(&d->done)) {
		d->data_stalled = true;
		done            = mpc_tran_dlv_take_done(d);
	}
	nni_mtx_unlock(&d->st->mtx);
	mpc_tran_dlv_finish_done(d, done);
}

/* A control frame's message: just its record (no envelope prefix; the
 * send path asks mpc_tran_dlv_ctl_env for type and recipient). */
static nni_msg *
mpc_tran_dlv_ctl_msg(const mpc_deliver_rec *rec)
{
	nni_msg *   m;
	mpc_wcursor w;

	if (nni_msg_alloc(&m, MPC_DELIVER_RESUME_SIZE) != 0) {
		return (NULL);
	}
	mpc_wcursor_init(&w, nni_msg_body(m), nni_msg_len(m));
	if (!mpc_deliver_rec_write(&w, rec) ||
	    (nni_msg_chop(m, nni_msg_len(m) - w.pos) != 0)) {
		nni_msg_free(m);
		return (NULL);
	}
	return (m);
}

/* An ack up to `ack` goes out now: what it covers needs no other.
 * Locked (stream). */
static void
mpc_tran_dlv_ack_taken(mpc_tran_dlv *d, uint64_t ack)
{
	d->ack_bytes = 0;
	if (ack >= d->ack_upto) {
		d->ack_upto = 0; /* the peer's ACKREQ is answered */
	}
}

/* The peer asked for an ack (ACKREQ) and every message it named is
 * confirmed now, not yet acknowledged.  Locked (stream). */
static bool
mpc_tran_dlv_ack_requested(mpc_tran_dlv *d)
{
	uint64_t confirmed;

	if (d->ack_upto == 0) {
		return (false); /* the common case: nobody asked */
	}
	if ((confirmed = mpc_deliver_rx_confirmed(&d->st->rx)) < d->ack_upto) {
		return (false);
	}
	if (confirmed <= d->st->rx.acked) {
		d->ack_upto = 0; /* acknowledged already */
		return (false);
	}
	return (true);
}

/* The control frame due now, if ctlaio is free.  Locked (stream). */
static nni_msg *
mpc_tran_dlv_ctl_next(mpc_tran_dlv *d)
{
	mpc_deliver_rec rec;
	nni_msg *       m;

	if (!mpc_tran_dlv_live(d) || d->ctl_busy) {
		return (NULL);
	}
	memset(&rec, 0, sizeof(rec));
	if (d->need_resume && (d->st->settling != NULL)) {
		return (NULL); /* mpc_tran_dlv_settled kicks us */
	}
	if (d->need_resume) {
		rec.kind = MPC_DELIVER_RESUME;
		mpc_deliver_resume_make(&d->st->tx, &d->st->rx, &rec.resume);
	} else if (d->ackreq_want > d->ackreq_sent) {
		rec.kind = MPC_DELIVER_ACKREQ;
		rec.upto = d->ackreq_want;
	} else if (d->want_ack && d->st->rx.resumed &&
	    (d->ack_lost ||
	        (mpc_deliver_rx_confirmed(&d->st->rx) > d->st->rx.acked))) {
		rec.kind = MPC_DELIVER_ACK;
		rec.ack  = mpc_deliver_rx_confirmed(&d->st->rx);
	} else {
		d->want_ack = false;
		return (NULL);
	}
	if ((m = mpc_tran_dlv_ctl_msg(&rec)) == NULL) {
		return (NULL); /* out of memory: the next event retries */
	}
	if (rec.kind == MPC_DELIVER_RESUME) {
		d->need_resume = false;
	} else if (rec.kind == MPC_DELIVER_ACKREQ) {
		d->ackreq_sent = rec.upto;
		d->ackreq_want = 0;
	} else {
		mpc_tran_dlv_ack_taken(d, mpc_deliver_rx_ack_take(&d->st->rx));
		d->want_ack = false;
		d->ack_lost = false;
	}
	d->ctl_busy = true;
	return (m);
}

static void
mpc_tran_dlv_ctl_send(mpc_tran_dlv *d)
{
	nni_msg *m;
	bool     resume;

	nni_mtx_lock(&d->st->mtx);
	resume = d->need_resume;
	m      = mpc_tran_dlv_ctl_next(d);
	nni_mtx_unlock(&d->st->mtx);
	if (m == NULL) {
		return;
	}
	nni_aio_set_msg(d->ctlaio, m);
	d->submit(d->p, d->ctlaio);
	if (resume) {
		/* Queued: frames the send path takes later go after it, so
		 * the peer reads our RESUME before any DATA. */
		nni_mtx_lock(&d->st->mtx);
		d->resume_out = true;
		nni_mtx_unlock(&d->st->mtx);
		mpc_tran_dlv_pump(d);
	}
}

static void
mpc_tran_dlv_ctl_cb(void *arg)
{
	mpc_tran_dlv *d  = arg;
	int           rv = nni_aio_result(d->ctlaio);

	if (rv != 0) {
		mpc_tran_dlv_drop_msg(d->ctlaio);
	}
	nni_mtx_lock(&d->st->mtx);
	d->ctl_busy = false;
	nni_mtx_unlock(&d->st->mtx);
	if (rv == 0) {
		mpc_tran_dlv_ctl_send(d); /* an ack that became due meanwhile */
	}
}

bool
mpc_tran_dlv_ctl_env(mpc_tran_pipe *p, nni_aio *aio, mpc_envelope_out *env)
{
	if ((p->dlv == NULL) || (aio != p->dlv->ctlaio)) {
		return (false);
	}
	env->type       = NNG_MPC_MSG_CTL_DELIVER;
	env->recipient  = p->peer.peer_id;
	env->prefix_len = 0;
	return (true);
}

/* Writes an ACK record now, with no hand-off: sealed straight into the
 * send path's buffer (mpc_tran_send_ctl_data).  When the buffer has no
 * room it goes the queued way (ctlaio) instead.  No lock held. */
static void
mpc_tran_dlv_ack_now(mpc_tran_dlv *d, uint64_t ack)
{
	uint8_t         b[MPC_DELIVER_ACK_SIZE];
	mpc_deliver_rec rec;
	mpc_wcursor     w;

	memset(&rec, 0, sizeof(rec));
	rec.kind = MPC_DELIVER_ACK;
	rec.ack  = ack;
	mpc_wcursor_init(&w, b, sizeof(b));
	if (mpc_deliver_rec_write(&w, &rec) &&
	    mpc_tran_send_ctl_data(d->p, NNG_MPC_MSG_CTL_DELIVER, b, w.pos)) {
		return;
	}
	nni_mtx_lock(&d->st->mtx);
	d->ack_lost = true;
	d->want_ack = true;
	mpc_tran_dlv_kick(d);
	nni_mtx_unlock(&d->st->mtx);
}

void
mpc_tran_dlv_recv_posted(mpc_tran_pipe *p)
{
	mpc_tran_dlv *d   = p->dlv;
	uint64_t      ack = 0;

	nni_mtx_lock(&d->st->mtx);
	if ((d->handed != 0) && (d->st->rx.held == d->handed)) {
		/* The protocol asks for the next message: it has put the
		 * last one where a closing pipe cannot take it -- also when
		 * this pipe is closed already. */
		mpc_deliver_rx_confirm(&d->st->rx);
		d->ack_bytes += d->handed_len;
		if (d->st->settling == d) {
			mpc_tran_dlv_settled(d);
		} else if (mpc_tran_dlv_live(d)) {
			ack = mpc_tran_dlv_ack_policy(d);
		}
	}
	d->handed = 0;
	nni_mtx_unlock(&d->st->mtx);
	if (ack != 0) {
		mpc_tran_dlv_ack_now(d, ack);
	}
}

bool
mpc_tran_dlv_ctl_type(const mpc_tran_pipe *p, uint16_t type)
{
	return ((p->dlv != NULL) && (type == NNG_MPC_MSG_CTL_DELIVER));
}

/* ---------------------------------------------------------------------- *
 * The application's sends
 * ---------------------------------------------------------------------- */

/*
 * Makes msg the stream's next message: the layout at the top of this file,
 * with the sequence the stream gives it and our cumulative ack.  over:
 * beyond a full window (mpc_deliver_tx_push_over).  Returns 0 (the stream
 * keeps msg), NNG_MPC_EWINDOWFULL (msg unchanged: wait) or NNG_ENOMEM (msg
 * damaged: fail the send).  Locked (stream).
 */
static int
mpc_tran_dlv_keep(
    mpc_tran_stream *st, nni_msg *msg, size_t prefix, size_t len, bool over)
{
	static const uint8_t zero[MPC_DELIVER_DATA_SIZE];
	mpc_deliver_rec      rec;
	uint8_t              pre[NNG_MPC_ENVELOPE_OUT_SIZE];
	mpc_wcursor          w;
	size_t               hlen = nni_msg_header_len(msg);
	int                  rv;

	if (over ? mpc_deliver_tx_kept(&st->tx) >= st->tx.cap
	         : !mpc_deliver_tx_fits(&st->tx, len)) {
		return (NNG_MPC_EWINDOWFULL);
	}
	/* The record goes in front of the protocol's header (NNG's header
	 * room is fixed); if both do not fit there, the protocol's header
	 * moves into the body, after the prefix. */
	if (nni_msg_header_insert(msg, zero, sizeof(zero)) != 0) {
		memcpy(pre, nni_msg_body(msg), prefix);
		if (((prefix > 0) && (nni_msg_trim(msg, prefix) != 0)) ||
		    (nni_msg_insert(msg, nni_msg_header(msg), hlen) != 0) ||
		    ((prefix > 0) && (nni_msg_insert(msg, pre, prefix) != 0))) {
			return (NNG_ENOMEM);
		}
		nni_msg_header_clear(msg);
		if (nni_msg_header_insert(msg, zero, sizeof(zero)) != 0) {
			return (NNG_EINTERNAL);
		}
	}
	memset(&rec, 0, sizeof(rec));
	rec.kind = MPC_DELIVER_DATA;
	/* The window was checked above: only growing the ring can fail
	 * (NNG_ENOMEM). */
	if ((rv = over ? mpc_deliver_tx_push_over(&st->tx, msg, len, &rec.seq)
	               : mpc_deliver_tx_push(&st->tx, msg, len, &rec.seq)) !=
	    0) {
		return (rv);
	}
	/* Piggybacked: everything received so far is acknowledged. */
	rec.ack = st->rx.resumed ? mpc_deliver_rx_ack_take(&st->rx) : 0;
	if (st->dlv != NULL) {
		/* The ack rides on this message. */
		mpc_tran_dlv_ack_taken(st->dlv, rec.ack);
	}
	mpc_wcursor_init(&w, nni_msg_header(msg), MPC_DELIVER_DATA_SIZE);
	return (mpc_deliver_rec_write(&w, &rec) ? 0 : NNG_EINTERNAL);
}

/* mpc_tran_dlv_keep for a message as the protocol sent it; *lenp the
 * send's length.  Locked (stream). */
static int
mpc_tran_dlv_keep_raw(
    mpc_tran_stream *st, nni_msg *msg, bool over, size_t *lenp)
{
	mpc_envelope_out env;
	size_t           len;
	int              rv;

	len = nni_msg_len(msg) + nni_msg_header_len(msg) +
	    MPC_DELIVER_DATA_SIZE;
	*lenp = len;
	if ((rv = mpc_envelope_parse_out(
	         &env, nni_msg_body(msg), nni_msg_len(msg), NULL)) != 0) {
		return (rv);
	}
	return (mpc_tran_dlv_keep(st, msg, env.prefix_len,
	    len - env.prefix_len, over));
}

/* Spilled sends (mpc_tran_stream.h) join the stream, in order, while the
 * window has room.  Locked (stream). */
static void
mpc_tran_dlv_unspill(mpc_tran_stream *st)
{
	nni_msg *msg;
	size_t   len;

	while ((st->spill != NULL) &&
	    (mpc_deliver_tx_kept(&st->tx) < st->tx.max_msgs) &&
	    (nni_lmq_getq(st->spill, &msg) == 0)) {
		if (mpc_tran_dlv_keep_raw(st, msg, true, &len) != 0) {
			nni_msg_free(msg); /* out of memory: cannot be kept */
		}
	}
}

/* Parks msg behind the stream's ring: 0 (the stream's now) or
 * NNG_ENOMEM (msg unchanged).  Locked (stream). */
static int
mpc_tran_dlv_spill(mpc_tran_stream *st, nni_msg *msg)
{
	if ((st->spill == NULL) &&
	    (((st->spill = NNI_ALLOC_STRUCT(st->spill)) == NULL) ||
	        (nni_lmq_init(st->spill, MPC_DELIVER_OVERFLOW) != 0))) {
		st->spill = NULL; /* nni_lmq_init freed it on failure */
		return (NNG_ENOMEM);
	}
	return (mpc_tran_stream_lmq_put(st->spill, msg, SIZE_MAX));
}

/*
 * Takes a send the protocol made into the stream.  over: the pipe is
 * closing and the protocol drops the send if it fails, so it is kept
 * beyond the window, and beyond the ring's overflow in the spill (never
 * lost: pair1 told the application it was sent).  Spilled sends go
 * first: a later send waits (NNG_MPC_EWINDOWFULL) or spills behind them.
 * Locked (stream).
 */
int
mpc_tran_dlv_keep_msg(
    mpc_tran_stream *st, nni_msg *msg, bool over, size_t *lenp)
{
	int rv;

	mpc_tran_dlv_unspill(st);
	if ((st->spill == NULL) || nni_lmq_empty(st->spill)) {
		rv = mpc_tran_dlv_keep_raw(st, msg, over, lenp);
		if (!over || (rv != NNG_MPC_EWINDOWFULL)) {
			return (rv);
		}
	} else if (!over) {
		return (NNG_MPC_EWINDOWFULL);
	}
	*lenp = nni_msg_len(msg);
	return (mpc_tran_dlv_spill(st, msg));
}

/* The protocol aborts a send waiting for window room: it closes its side
 * of the pipe (NNG closes the protocol's aios before the transport's) and
 * would drop the message if the send failed.  The stream keeps it beyond
 * the window instead, for the next connection. */
static void
mpc_tran_dlv_cancel(nni_aio *aio, void *arg, int rv)
{
	mpc_tran_dlv *d = arg;
	nni_msg *     msg;
	size_t        len;

	nni_mtx_lock(&d->st->mtx);
	if (!nni_aio_list_active(aio)) {
		nni_mtx_unlock(&d->st->mtx);
		return;
	}
	/* Read only now, under the lock: off our lists the aio may be the
	 * protocol's again (ThreadSanitizer: a read before the lock raced
	 * its next send), and take_held may have kept it meanwhile (a second
	 * keep would put one message in two slots of the stream). */
	msg = nni_aio_get_msg(aio);
	nni_aio_list_remove(aio);
	if (msg == NULL) {
		/* From `done` or `taken` (only held sends still have their
		 * message): the stream has kept it already. */
	} else if (mpc_tran_dlv_keep_msg(d->st, msg, true, &len) == 0) {
		nni_aio_set_msg(aio, NULL); /* the stream's now */
	}
	nni_mtx_unlock(&d->st->mtx);
	/* Failed either way, so the protocol stops sending on this pipe. */
	nni_aio_finish_error(aio, rv);
}

/* Sends taken off the held list, completed once the lock is dropped (an
 * aio being completed must be on no list: its cancel routine looks). */
#define MPC_TRAN_DLV_BATCH 8
typedef struct mpc_tran_dlv_done {
	nni_aio *aio[MPC_TRAN_DLV_BATCH];
	intptr_t res[MPC_TRAN_DLV_BATCH]; /* length, or -error */
	unsigned n;
} mpc_tran_dlv_done;

/* Takes held sends into the stream while the window has room (over:
 * beyond it, the pipe is closing), at most a batch.  Returns true when
 * more are held that could go now.  Locked (stream). */
static bool
mpc_tran_dlv_take_held(mpc_tran_dlv *d, mpc_tran_dlv_done *done, bool over)
{
	nni_aio *aio;

	done->n = 0;
	mpc_tran_dlv_unspill(d->st);
	while ((aio = nni_list_first(&d->held)) != NULL) {
		nni_msg *msg = nni_aio_get_msg(aio);
		size_t   len;
		int      rv;

		if (done->n == MPC_TRAN_DLV_BATCH) {
			return (true);
		}
		rv = mpc_tran_dlv_keep_msg(d->st, msg, over, &len);
		if ((rv == NNG_MPC_EWINDOWFULL) && !over) {
			return (false); /* backpressure: waits for an ack */
		}
		nni_aio_list_remove(aio);
		nni_aio_set_msg(aio, NULL);
		if (rv != 0) {
			nni_msg_free(msg);
		}
		if ((rv == 0) && !over) {
			/* Its success completes from the work callback, never
			 * from the protocol's call (mpc_tran_hold.h). */
			nni_aio_set_prov_extra(aio, 0, (void *) (uintptr_t) len);
			nni_aio_list_append(&d->taken, aio);
			mpc_tran_dlv_kick(d);
			continue;
		}
		/* Kept on a closing pipe: the send still fails (with its
		 * message taken), so the protocol does not go on sending on
		 * this pipe -- pair1 would otherwise reschedule its sends onto
		 * the next pipe's busy aio. */
		if ((rv == 0) && over) {
			rv = NNG_ECLOSED;
		}
		done->aio[done->n] = aio;
		done->res[done->n] = rv != 0 ? -rv : (intptr_t) len;
		done->n++;
	}
	return (false);
}

/* Moves held sends into the stream and completes them (no lock held). */
static void
mpc_tran_dlv_flush_held(mpc_tran_dlv *d, bool over)
{
	mpc_tran_dlv_done done;
	bool              more;

	do {
		nni_mtx_lock(&d->st->mtx);
		more = mpc_tran_dlv_take_held(d, &done, over);
		nni_mtx_unlock(&d->st->mtx);
		for (unsigned i = 0; i < done.n; i++) {
			if (done.res[i] < 0) {
				nni_aio_finish_error(done.aio[i], (int) -done.res[i]);
			} else {
				nni_aio_finish(done.aio[i], 0, (size_t) done.res[i]);
			}
		}
	} while (more);
}

/* Completes sends the stream took, at most a batch (the protocol's
 * callback usually sends the next at once; the kick brings the rest). */
static void
mpc_tran_dlv_finish_taken(mpc_tran_dlv *d)
{
	for (unsigned n = 0; n < MPC_TRAN_DLV_BATCH; n++) {
		nni_aio *aio;

		nni_mtx_lock(&d->st->mtx);
		if ((aio = nni_list_first(&d->taken)) != NULL) {
			nni_aio_list_remove(aio);
		}
		nni_mtx_unlock(&d->st->mtx);
		if (aio == NULL) {
			return;
		}
		mpc_tran_hold_finish(&d->p->hold, aio,
		    (size_t) (uintptr_t) nni_aio_get_prov_extra(aio, 0));
	}
	nni_mtx_lock(&d->st->mtx);
	if (!nni_list_empty(&d->taken)) {
		mpc_tran_dlv_kick(d);
	}
	nni_mtx_unlock(&d->st->mtx);
}

/* The pipe closes: sends the stream took fail (they stay kept for the
 * next connection), so the protocol stops using this pipe. */
static void
mpc_tran_dlv_fail_taken(mpc_tran_dlv *d)
{
	nni_aio *aio;

	for (;;) {
		nni_mtx_lock(&d->st->mtx);
		if ((aio = nni_list_first(&d->taken)) != NULL) {
			nni_aio_list_remove(aio);
		}
		nni_mtx_unlock(&d->st->mtx);
		if (aio == NULL) {
			return;
		}
		nni_aio_finish_error(aio, NNG_ECLOSED);
	}
}

/* A send whose aio cannot begin (see mpc_tran_dlv_send). */
static void
mpc_tran_dlv_orphan(mpc_tran_dlv *d, nni_aio *aio)
{
	nni_msg *msg = nni_msg_unique(nni_aio_get_msg(aio));
	size_t   len;
	int      rv;

	nni_aio_set_msg(aio, NULL);
	if (msg == NULL) {
		return;
	}
	nni_mtx_lock(&d->st->mtx);
	rv = mpc_tran_dlv_keep_msg(d->st, msg, true, &len);
	nni_mtx_unlock(&d->st->mtx);
	if (rv != 0) {
		nni_msg_free(msg);
	}
}

/*
 * A send on a live pipe with no send held before it: kept now (or held
 * for window room), its frame handed to the send path if dataio is free,
 * and completed with the data callback when a frame is in flight (see the
 * top of this file), else through NNG's task queue.  Called locked
 * (stream), with aio scheduled; returns unlocked.
 */
static void
mpc_tran_dlv_send_now(mpc_tran_dlv *d, nni_aio *aio, nni_msg *msg)
{
	nni_msg *m = NULL;
	size_t   len;
	int      rv;

	rv = mpc_tran_dlv_keep_msg(d->st, msg, false, &len);
	if (rv == NNG_MPC_EWINDOWFULL) {
		nni_aio_list_append(&d->held, aio); /* waits for an ack */
		m   = mpc_tran_dlv_next(d);
		aio = NULL;
	} else if (rv != 0) {
		nni_aio_set_msg(aio, NULL);
		nni_msg_free(msg);
	} else {
		nni_aio_set_msg(aio, NULL); /* the stream's now */
		nni_aio_set_prov_extra(aio, 0, (void *) (uintptr_t) len);
		m = mpc_tran_dlv_next(d);
		if (d->data_busy && !d->data_stalled) {
			nni_aio_list_append(&d->done, aio);
			if (!d->done_armed && !d->closed) {
				d->done_armed = true;
				nni_sleep_aio(
				    MPC_TRAN_DLV_STALL_MS, d->donetimer);
			}
		} else {
			/* No frame in flight to carry it: the work callback
			 * completes it (never the protocol's own call, and
			 * never a success NNG could run after the pipe's stop:
			 * mpc_tran_hold.h). */
			nni_aio_list_append(&d->taken, aio);
			mpc_tran_dlv_kick(d);
		}
		aio = NULL;
	}
	nni_mtx_unlock(&d->st->mtx);
	mpc_tran_dlv_submit(d, m);
	if (aio != NULL) {
		nni_aio_finish_error(aio, rv);
	}
}

bool
mpc_tran_dlv_send(mpc_tran_pipe *p, nni_aio *aio)
{
	mpc_tran_dlv *   d   = p->dlv;
	nni_msg *        msg = nni_aio_get_msg(aio);
	mpc_envelope_out env;
	bool             over;

	if (mpc_envelope_parse_out(
	        &env, nni_msg_body(msg), nni_msg_len(msg), NULL) != 0) {
		return (false); /* dropped by the send path */
	}
	if ((env.recipient != NNG_MPC_PARTY_BROADCAST) &&
	    (env.recipient != p->peer.peer_id)) {
		/* Another party's, skipped here: lost when no pipe of the
		 * socket carries that party's stream (bus0 hands every pipe
		 * a copy; nng_mpc_sendmsg never gets here). */
		if (!mpc_tran_stream_live(p->party.sock_id, env.recipient)) {
			mpc_tran_pipe_count(&p->stats, MPC_TRAN_P_DLV_UNROUTED, 1);
		}
		return (false);
	}
	if (nni_aio_begin(aio) != 0) {
		/* The protocol closed its side already: nothing completes
		 * this aio, but its message joins the stream for the next
		 * connection (beyond the window if need be). */
		mpc_tran_dlv_orphan(d, aio);
		return (true);
	}
	/* The stream rewrites the message: make it ours alone. */
	if ((msg = nni_msg_unique(msg)) == NULL) {
		nni_aio_set_msg(aio, NULL);
		nni_aio_finish_error(aio, NNG_ENOMEM);
		return (true);
	}
	nni_aio_set_msg(aio, msg);
	nni_mtx_lock(&d->st->mtx);
	if (nni_aio_schedule(aio, mpc_tran_dlv_cancel, d) != 0) {
		/* Closed meanwhile: as a send that could not begin. */
		nni_mtx_unlock(&d->st->mtx);
		mpc_tran_dlv_orphan(d, aio);
		return (true);
	}
	if (!d->closed && nni_list_empty(&d->held)) {
		mpc_tran_dlv_send_now(d, aio, msg); /* unlocks */
		return (true);
	}
	nni_aio_list_append(&d->held, aio);
	/* A closed pipe still takes it into the stream: the protocol would
	 * drop a send that fails, and the next connection carries it. */
	over = d->closed;
	nni_mtx_unlock(&d->st->mtx);
	mpc_tran_dlv_flush_held(d, over);
	mpc_tran_dlv_pump(d);
	return (true);
}

/* ---------------------------------------------------------------------- *
 * Deferred work and the delayed ack
 * ---------------------------------------------------------------------- */

static void
mpc_tran_dlv_work(mpc_tran_dlv *d)
{
	mpc_tran_dlv_flush_held(d, false);
	mpc_tran_dlv_finish_taken(d);
	mpc_tran_dlv_ctl_send(d);
	mpc_tran_dlv_pump(d);
}

static void
mpc_tran_dlv_work_cb(void *arg)
{
	mpc_tran_dlv *d = arg;
	int           rv;

	/* The result is read before the aio may be armed again (once
	 * work_armed is clear, mpc_tran_dlv_kick may begin it on another
	 * thread). */
	nni_mtx_lock(&d->st->mtx);
	rv            = nni_aio_result(d->workaio);
	d->work_armed = false;
	nni_mtx_unlock(&d->st->mtx);
	if (rv == 0) {
		mpc_tran_dlv_work(d);
	}
}

static void
mpc_tran_dlv_ack_cb(void *arg)
{
	mpc_tran_dlv *d = arg;
	int           rv;

	/* As in mpc_tran_dlv_work_cb: the result before re-arming. */
	nni_mtx_lock(&d->st->mtx);
	rv           = nni_aio_result(d->acktimer);
	d->ack_armed = false;
	d->want_ack  = true;
	d->ack_busy  = d->st->rx.acked != d->ack_at_arm;
	nni_mtx_unlock(&d->st->mtx);
	if (rv == 0) {
		mpc_tran_dlv_work(d);
	}
}

/* After a message arrived: ack now (enough unacknowledged) or soon --
 * MPC_TRAN_DLV_ACK_DELAY_MS, or MPC_TRAN_DLV_ACK_BUSY_MS when during the
 * last wait acks went out anyway (traffic carries them; the longer wait
 * only covers the end of a burst).
 * Enough: half the window in messages, or a quarter of it in bytes -- the
 * peer's byte window is not on the wire, so ours stands for it (the same
 * where both sides set the same options; else the delayed ack still
 * comes).  Half, not a quarter, of the messages: every standalone ACK is
 * a write on this side and a read on the sender's, each several thread
 * hand-offs through NNG's stream layers, and under a stream of 64 B
 * messages acking twice as often cost about 0.5 us per message.
 * Without the byte rule, a window of large messages (8 MiB is 128 of
 * 64 KiB) filled long before a quarter of its message count and the
 * sender stalled until the delayed ack.
 * Returns the ack the caller writes at once (mpc_tran_dlv_ack_now), once
 * our RESUME is sealed (an ack must not pass it), else 0: the ack goes
 * the queued way (a task-queue hand-off; under load that cost every ack
 * several thread switches).  Locked (stream). */
static uint64_t
mpc_tran_dlv_ack_policy(mpc_tran_dlv *d)
{
	if (mpc_deliver_rx_ack_due(&d->st->rx, d->ack_every) ||
	    (d->ack_bytes >= d->st->tx.max_bytes / 4) ||
	    mpc_tran_dlv_ack_requested(d)) {
		if (!d->need_resume && d->resume_out && !d->ctl_busy &&
		    d->st->rx.resumed && !d->ack_lost &&
		    (mpc_deliver_rx_confirmed(&d->st->rx) > d->st->rx.acked)) {
			uint64_t ack = mpc_deliver_rx_ack_take(&d->st->rx);

			mpc_tran_dlv_ack_taken(d, ack);
			return (ack);
		}
		d->want_ack = true;
		mpc_tran_dlv_kick(d);
	} else if (!d->ack_armed && !d->closed) {
		d->ack_armed  = true;
		d->ack_at_arm = d->st->rx.acked;
		nni_sleep_aio(d->ack_busy ? MPC_TRAN_DLV_ACK_BUSY_MS
		                          : MPC_TRAN_DLV_ACK_DELAY_MS,
		    d->acktimer);
	}
	return (0);
}

/* ---------------------------------------------------------------------- *
 * Receiving
 * ---------------------------------------------------------------------- */

/* A RESUME or ACK frame.  Locked (stream). */
static int
mpc_tran_dlv_recv_ctl(mpc_tran_dlv *d, const mpc_deliver_rec *rec)
{
	mpc_tran_stream *st = d->st;
	int              rv;

	switch (rec->kind) {
	case MPC_DELIVER_ACK:
		if ((rv = mpc_deliver_tx_ack(&st->tx, rec->ack,
		         mpc_tran_stream_release_msg, st)) != 0) {
			return (rv);
		}
		break;
	case MPC_DELIVER_RESUME:
		if (st->rx.resumed) {
			return (NNG_MPC_EDELIVERCTL); /* one per connection */
		}
		rv = mpc_deliver_resume_apply(&st->tx, &st->rx, &rec->resume,
		    mpc_tran_stream_release_msg, st);
		if (rv == NNG_MPC_ESTREAMRESET) {
			mpc_tran_pipe_count(&d->p->stats, MPC_TRAN_P_DLV_RESET, 1);
		} else if (rv != 0) {
			return (rv);
		}
		/* Sent on a connection before, not known to have arrived:
		 * they go out again now. */
		mpc_tran_pipe_count(&d->p->stats, MPC_TRAN_P_DLV_RETRANSMIT,
		    st->tx.hi_sent - st->tx.acked);
		break;
	case MPC_DELIVER_ACKREQ:
		/* The peer drains: it wants its messages acknowledged as
		 * soon as we have them, not after our delayed ack.  The
		 * latest request counts (a sender's only grow). */
		d->ack_upto = rec->upto;
		if (mpc_tran_dlv_ack_requested(d)) {
			d->want_ack = true;
			mpc_tran_dlv_kick(d);
		}
		return (0);
	default:
		return (NNG_MPC_EDELIVERCTL);
	}
	/* A resumed stream to write, or room in the window for sends held
	 * (only then: a kick is a task-queue hand-off). */
	if ((rec->kind == MPC_DELIVER_RESUME) || !nni_list_empty(&d->held)) {
		mpc_tran_dlv_kick(d);
	}
	return (0);
}

int
mpc_tran_dlv_recv(mpc_tran_pipe *p, const mpc_frame_hdr *h, nni_msg *msg,
    bool *consumed)
{
	mpc_tran_dlv *  d = p->dlv;
	mpc_deliver_rec rec;
	mpc_rcursor     r;
	nni_msg *       released[MPC_TRAN_STREAM_REAP_BATCH];
	unsigned        nrel;
	int             rv;

	*consumed = false;
	mpc_rcursor_init(&r, nni_msg_body(msg), nni_msg_len(msg));
	nni_mtx_lock(&d->st->mtx);
	if (!mpc_tran_dlv_live(d)) {
		/* Replaced: a newer pipe carries the stream. */
		nni_mtx_unlock(&d->st->mtx);
		*consumed = true;
		return (0);
	}
	if ((rv = mpc_deliver_rec_read(&r, &rec)) != 0) {
		goto out;
	}
	if (h->type == NNG_MPC_MSG_CTL_DELIVER) {
		*consumed = true;
		rv        = mpc_tran_dlv_recv_ctl(d, &rec);
		goto out;
	}
	if (rec.kind != MPC_DELIVER_DATA) {
		rv = NNG_MPC_EDELIVERCTL;
		goto out;
	}
	if ((rv = mpc_deliver_rx_accept(&d->st->rx, rec.seq)) ==
	    NNG_MPC_EDUPLICATE) {
		mpc_tran_pipe_count(&p->stats, MPC_TRAN_P_DLV_DUP, 1);
		*consumed = true;
		rv        = 0;
		goto out;
	}
	if ((rv != 0) ||
	    ((rv = mpc_deliver_tx_ack(&d->st->tx, rec.ack,
	          mpc_tran_stream_release_msg, d->st)) != 0)) {
		goto out;
	}
	if ((rec.ack != 0) && !nni_list_empty(&d->held)) {
		/* The window may have room again for the sends held.  Only
		 * then: a kick is a task-queue hand-off, and on a round trip
		 * every reply carries an ack. */
		mpc_tran_dlv_kick(d);
	}
	/* Acknowledged once the protocol asks for the next one
	 * (mpc_tran_dlv_recv_posted). */
	d->handed = rec.seq;
	if (nni_msg_trim(msg, r.pos) != 0) {
		rv = NNG_EINTERNAL;
	}
	d->handed_len = nni_msg_len(msg);
out:
	nrel = mpc_tran_stream_reap_take(d->st, released);
	nni_mtx_unlock(&d->st->mtx);
	if (nrel > 0) {
		/* What an ack released: window room, fewer kept. */
		mpc_tran_stream_reap_free(d->st, released, nrel);
		mpc_tran_stream_changed();
	}
	if ((rv != 0) && (mpc_tran_pipe_ctr_of(rv) == MPC_TRAN_P_DLV_BAD)) {
		mpc_tran_pipe_count(&p->stats, MPC_TRAN_P_DLV_BAD, 1);
	}
	return (rv);
}

/* ---------------------------------------------------------------------- *
 * Draining: asking the parties for their acks
 * ---------------------------------------------------------------------- */

static void
mpc_tran_dlv_request_fn(void *arg, nni_list *streams)
{
	mpc_tran_stream *st;

	(void) arg;
	NNI_LIST_FOREACH (streams, st) {
		mpc_tran_dlv *d;
		uint64_t      upto;

		nni_mtx_lock(&st->mtx);
		upto = st->tx.next - 1; /* our last message so far */
		if (((d = st->dlv) != NULL) && mpc_tran_dlv_live(d) &&
		    (upto > st->tx.acked) && (upto > d->ackreq_sent) &&
		    (upto > d->ackreq_want)) {
			d->ackreq_want = upto;
			mpc_tran_dlv_kick(d);
		}
		nni_mtx_unlock(&st->mtx);
	}
}

void
mpc_tran_dlv_request_acks(uint32_t sock_id)
{
	(void) mpc_tran_stream_sock_do(sock_id, mpc_tran_dlv_request_fn, NULL);
}
