/*
 * mpc_tran_echo_dlv.c -- echo broadcast carried by delivery streams
 * (NNG_OPT_MPC_BROADCAST_ECHO with NNG_OPT_MPC_RELIABLE; the socket's
 * state is mpc_tran_echo_int.h's, the streams mpc_tran_stream.h's).
 *
 * With both on, nothing echo sends is a bare frame a reconnect can lose:
 *   - a broadcast goes on the stream of every party the socket knows
 *     (each one it ever joined in this session): a connected party's copy
 *     through its pipe's send path, an absent party's kept on its stream
 *     here, so it arrives after the party reconnects;
 *   - an echo is a message of the recipient's stream as well (kept while
 *     the party is absent, retransmitted after a reconnect like any
 *     other), marked as the transport's own with an internal prefix
 *     (below) so the send path gives it the control type
 *     NNG_MPC_MSG_CTL_ECHO, which an application's envelope may not;
 *   - the state outlives the pipes: party slots and certificates stay
 *     until the socket's stream table goes (its last endpoint), so an
 *     echo signed by a party that has gone is still verified;
 *   - a completed broadcast bus0 dropped with the pipe that handed it on
 *     (its receive queue was full) goes to the protocol again through
 *     another pipe (bottom of this file);
 *   - held broadcasts and waiting echoes expire on one timer per socket,
 *     not only when frames arrive.
 *
 * Internal prefix, in front of the payload of an echo kept on a stream
 * (16 bytes, the size of an outgoing envelope):
 *     8 process-random tag | 2 type | 2 zero | 4 recipient
 * The tag is drawn once per process: an application's message cannot
 * carry it by accident, and the process's own code is the party anyway.
 *
 * Locking: mpc_tran_echo_int.h (socket mutex, then the stream registry,
 * then one stream).
 */
#include <pthread.h>
#include <string.h>

#include "mpc_tran_pipe.h"

#include "mpc_cursor.h"
#include "mpc_tran_dlv.h"
#include "mpc_tran_echo.h"
#include "mpc_tran_echo_int.h"
#include "mpc_tran_stream.h"

#define MPC_TRAN_ECHO_TAG_SIZE 8

static pthread_once_t mpc_tran_echo_tag_once = PTHREAD_ONCE_INIT;
static uint8_t        mpc_tran_echo_tag[MPC_TRAN_ECHO_TAG_SIZE];

static void
mpc_tran_echo_tag_init(void)
{
	uint32_t a = nni_random();
	uint32_t b = nni_random();

	memcpy(mpc_tran_echo_tag, &a, sizeof(a));
	memcpy(mpc_tran_echo_tag + sizeof(a), &b, sizeof(b));
	mpc_tran_echo_tag[0] |= 0x80u; /* never the envelope's magic */
	if (mpc_tran_echo_tag[0] == 0x89u) {
		mpc_tran_echo_tag[0] = 0x8au;
	}
}

static const uint8_t *
mpc_tran_echo_tag_get(void)
{
	(void) pthread_once(&mpc_tran_echo_tag_once, mpc_tran_echo_tag_init);
	return (mpc_tran_echo_tag);
}

bool
mpc_tran_echo_stream_env(nni_msg *msg, mpc_envelope_out *env)
{
	mpc_rcursor c;
	uint16_t    type;
	uint16_t    zero;
	uint32_t    to;

	mpc_rcursor_init(&c, nni_msg_body(msg), nni_msg_len(msg));
	if (!mpc_rcursor_match(&c, mpc_tran_echo_tag_get(),
	        MPC_TRAN_ECHO_TAG_SIZE) ||
	    !mpc_rcursor_skip(&c, MPC_TRAN_ECHO_TAG_SIZE) ||
	    !mpc_rcursor_u16(&c, &type) || !mpc_rcursor_u16(&c, &zero) ||
	    !mpc_rcursor_u32(&c, &to) || (zero != 0) ||
	    (type != NNG_MPC_MSG_CTL_ECHO)) {
		return (false);
	}
	env->type       = type;
	env->recipient  = to;
	env->prefix_len = NNG_MPC_ENVELOPE_OUT_SIZE;
	return (true);
}

/* ------------------------------------------------------------ timer */

static void mpc_tran_echo_dlv_timer_cb(void *arg);

int
mpc_tran_echo_dlv_sock_init(mpc_tran_echo_sock *s)
{
	int rv;

	nni_atomic_init64(&s->nredo);
	if ((rv = nni_lmq_init(&s->redo, MPC_TRAN_ECHO_PIPES)) != 0) {
		return (rv);
	}
	if ((rv = nni_aio_alloc(&s->timer, mpc_tran_echo_dlv_timer_cb, s)) !=
	    0) {
		nni_lmq_fini(&s->redo);
	}
	return (rv);
}

void
mpc_tran_echo_dlv_sock_fini(mpc_tran_echo_sock *s)
{
	if (s->timer != NULL) {
		nni_aio_stop(s->timer);
		nni_aio_free(s->timer);
		s->timer = NULL;
		nni_lmq_fini(&s->redo); /* frees what it holds */
	}
}

void
mpc_tran_echo_dlv_arm(mpc_tran_echo_sock *s)
{
	uint64_t next = mpc_tran_echo_pend_next(s);
	uint64_t now;

	if (s->timer_armed || (s->timer == NULL)) {
		return;
	}
	for (int i = 0; i < MPC_ECHO_HELD_MAX; i++) {
		const mpc_echo_entry *e = &s->table.e[i];
		if ((e->state == MPC_ECHO_WAITING) &&
		    ((next == 0) || (e->deadline < next))) {
			next = e->deadline;
		}
	}
	if (next == 0) {
		return;
	}
	now            = mpc_tran_now_ns();
	s->timer_armed = true;
	/* +1: NNG's timer works in whole milliseconds. */
	nni_sleep_aio(
	    next > now ? (nng_duration) ((next - now) / 1000000u) + 1 : 1,
	    s->timer);
}

static void
mpc_tran_echo_dlv_timer_cb(void *arg)
{
	mpc_tran_echo_sock *s = arg;
	uint64_t            now;

	nni_mtx_lock(&s->mtx);
	s->timer_armed = false;
	if (nni_aio_result(s->timer) == 0) {
		now = mpc_tran_now_ns();
		mpc_tran_echo_expire(s);
		mpc_tran_echo_pend_expire(s, now);
		mpc_tran_echo_dlv_arm(s);
	}
	nni_mtx_unlock(&s->mtx);
}

/* --------------------------------------------------- keeping on streams */

/* Keeps m on party's stream (its window permitting; with over, also
 * beyond it by the stream's overflow, MPC_DELIVER_OVERFLOW, never into its
 * spill queue, so what a party that stays away is owed stays bounded):
 * 0 (the stream's now, its pipe woken), or an error (m still the
 * caller's).  Locked (socket). */
static int
mpc_tran_echo_dlv_keep(
    mpc_tran_echo_sock *s, uint32_t party, nni_msg *m, bool over)
{
	mpc_tran_stream *st;
	size_t           len;
	int              rv;

	if ((st = mpc_tran_stream_get(s->sock_id, party, s->window_msgs,
	         s->window_bytes)) == NULL) {
		return (NNG_ENOMEM);
	}
	nni_mtx_lock(&st->mtx);
	if (((rv = mpc_tran_dlv_keep_msg(st, m, false, &len)) ==
	        NNG_MPC_EWINDOWFULL) &&
	    over && (mpc_deliver_tx_kept(&st->tx) < st->tx.cap) &&
	    ((st->spill == NULL) || nni_lmq_empty(st->spill))) {
		rv = mpc_tran_dlv_keep_msg(st, m, true, &len);
	}
	if ((rv == 0) && (st->dlv != NULL)) {
		mpc_tran_dlv_wake(st->dlv);
	}
	nni_mtx_unlock(&st->mtx);
	return (rv);
}

void
mpc_tran_echo_dlv_echo(
    mpc_tran_echo_sock *s, uint32_t party, const uint8_t *buf, size_t len)
{
	nni_msg *   m;
	mpc_wcursor w;

	if (nni_msg_alloc(&m, NNG_MPC_ENVELOPE_OUT_SIZE + len) != 0) {
		s->rep.unkept++;
		return;
	}
	mpc_wcursor_init(&w, nni_msg_body(m), nni_msg_len(m));
	if (!mpc_wcursor_bytes(&w, mpc_tran_echo_tag_get(),
	        MPC_TRAN_ECHO_TAG_SIZE) ||
	    !mpc_wcursor_u16(&w, NNG_MPC_MSG_CTL_ECHO) ||
	    !mpc_wcursor_u16(&w, 0) || !mpc_wcursor_u32(&w, party) ||
	    !mpc_wcursor_bytes(&w, buf, len)) {
		nni_msg_free(m);
		s->rep.unkept++;
		return;
	}
	/* An echo is small and owed: kept beyond a full window by the
	 * stream's overflow; past that it is not kept (`unkept`). */
	if (mpc_tran_echo_dlv_keep(s, party, m, true) != 0) {
		nni_msg_free(m);
		s->rep.unkept++;
	}
}

void
mpc_tran_echo_dlv_absent(mpc_tran_echo_sock *s, mpc_tran_echo_sent *e,
    nni_msg *msg, size_t prefix, uint32_t except)
{
	uint8_t pre[MPC_ECHO_PREFIX_MIN + MPC_SIGN_SIG_MAX];
	size_t  pre_len;

	if (!s->reliable ||
	    !mpc_echo_prefix_put(pre, sizeof(pre), e->seq, e->sig[0],
	        e->sig_len[0], &pre_len)) {
		return;
	}
	for (int i = 0; i < MPC_TRAN_ECHO_PIPES; i++) {
		mpc_tran_echo_peer *pe = &s->peers[i];
		nni_msg *           out;

		if ((pe->party == 0) || (pe->p != NULL) ||
		    (pe->party == except)) {
			continue;
		}
		e->taken |= (uint64_t) 1 << i;
		e->given |= (uint64_t) 1 << i;
		/* A party that stays away fills its window: then it misses
		 * the broadcast (counted) rather than holding the sender's
		 * memory without bound. */
		if (mpc_tran_echo_wrap(&out, msg, prefix, pre, pre_len) != 0) {
			s->rep.unkept++;
			continue;
		}
		if (mpc_tran_echo_dlv_keep(s, pe->party, out, false) != 0) {
			nni_msg_free(out);
			s->rep.unkept++;
		}
	}
}

/* ------------------------------------------ completed broadcasts, once */

/*
 * A completed broadcast is handed to the protocol through one pipe, and
 * its stream message was settled when echo took it; NNG's bus0 drops a
 * message it could not queue when that pipe closes (bus0_pipe_putq_cb).
 * So, as the streams do for their own messages (mpc_tran_dlv.h), a copy
 * stays with the pipe until the protocol asks it for the next message;
 * a pipe stopped with its copy still there lost the broadcast, and the
 * copy goes out through the next pipe of the socket that reads a frame.
 */
void
mpc_tran_echo_dlv_handed(
    mpc_tran_echo_sock *s, mpc_tran_echo_link *l, nni_msg *m)
{
	if (!s->reliable) {
		return;
	}
	if (l->handed != NULL) {
		nni_msg_free(l->handed); /* not expected: one at a time */
		l->handed = NULL;
	}
	if (nni_msg_dup(&l->handed, m) != 0) {
		l->handed = NULL;
		s->rep.unkept++;
	}
}

void
mpc_tran_echo_dlv_unhanded(mpc_tran_echo_sock *s, mpc_tran_echo_link *l)
{
	if (l->handed == NULL) {
		return;
	}
	if (nni_lmq_putq(&s->redo, l->handed) == 0) {
		nni_atomic_inc64(&s->nredo);
	} else {
		nni_msg_free(l->handed); /* 64 closed pipes' worth waiting */
		s->rep.unkept++;
	}
	l->handed = NULL;
}

void
mpc_tran_echo_recv_posted(mpc_tran_pipe *p)
{
	mpc_tran_echo_link *l = p->echo;
	nni_msg *           m;

	if (l == NULL) {
		return;
	}
	nni_mtx_lock(&l->s->mtx);
	m         = l->handed;
	l->handed = NULL;
	nni_mtx_unlock(&l->s->mtx);
	nni_msg_free(m);
}

nni_msg *
mpc_tran_echo_redeliver(mpc_tran_pipe *p)
{
	mpc_tran_echo_link *l = p->echo;
	nni_msg *           m = NULL;

	if ((l == NULL) || (nni_atomic_get64(&l->s->nredo) == 0)) {
		return (NULL);
	}
	nni_mtx_lock(&l->s->mtx);
	if (l->live && (nni_lmq_getq(&l->s->redo, &m) == 0)) {
		(void) nni_atomic_dec64_nv(&l->s->nredo);
		mpc_tran_echo_dlv_handed(l->s, l, m);
	} else {
		m = NULL;
	}
	nni_mtx_unlock(&l->s->mtx);
	return (m);
}
