/*
 * mpc_echo.c -- echo broadcast decisions and wire bytes; see mpc_echo.h.
 *
 * Threading: pure functions over caller memory.
 */
#include <string.h>

#include "mpc_cursor.h"
#include "mpc_echo.h"

void
mpc_echo_init(mpc_echo *e, uint64_t timeout_ns)
{
	memset(e, 0, sizeof(*e));
	e->timeout_ns = timeout_ns;
}

bool
mpc_echo_differ(const mpc_echo_signed *a, const mpc_echo_signed *b)
{
	return (memcmp(a->digest, b->digest, sizeof(a->digest)) != 0);
}

static mpc_echo_entry *
mpc_echo_find(mpc_echo *e, uint32_t sender, uint64_t seq)
{
	for (size_t i = 0; i < MPC_ECHO_HELD_MAX; i++) {
		mpc_echo_entry *x = &e->e[i];
		if ((x->state != MPC_ECHO_FREE) && (x->ref.st.sender == sender) &&
		    (x->ref.st.seq == seq)) {
			return (x);
		}
	}
	return (NULL);
}

/* A free entry, else the oldest tombstone; NULL when all are waiting. */
static mpc_echo_entry *
mpc_echo_slot(mpc_echo *e)
{
	mpc_echo_entry *old = NULL;

	for (size_t i = 0; i < MPC_ECHO_HELD_MAX; i++) {
		mpc_echo_entry *x = &e->e[i];
		if (x->state == MPC_ECHO_FREE) {
			return (x);
		}
		if ((x->state != MPC_ECHO_WAITING) &&
		    ((old == NULL) || (x->born < old->born))) {
			old = x;
		}
	}
	return (old);
}

static bool
mpc_echo_agreed(const mpc_echo_entry *x, uint32_t from)
{
	for (size_t i = 0; i < x->nagreed; i++) {
		if (x->agreed[i] == from) {
			return (true);
		}
	}
	return (false);
}

/* A waiting entry with its message and enough echoes is delivered. */
static void
mpc_echo_settle(mpc_echo_entry *x, mpc_echo_result *res)
{
	if ((x->state == MPC_ECHO_WAITING) && (x->msg != NULL) &&
	    (x->nagreed >= x->need)) {
		res->action = MPC_ECHO_DELIVER;
		res->msg    = x->msg;
		x->msg      = NULL;
		x->state    = MPC_ECHO_DELIVERED;
	}
}

void
mpc_echo_see(mpc_echo *e, uint64_t now, uint32_t from,
    const mpc_echo_signed *s, void *msg, size_t need, mpc_echo_result *res)
{
	mpc_echo_entry *x;
	bool            direct = from == s->st.sender;

	memset(res, 0, sizeof(*res));
	res->msg = msg;
	if ((x = mpc_echo_find(e, s->st.sender, s->st.seq)) == NULL) {
		if ((x = mpc_echo_slot(e)) == NULL) {
			res->action = MPC_ECHO_FULL;
			return;
		}
		memset(x, 0, sizeof(*x));
		x->state    = MPC_ECHO_WAITING;
		x->born     = ++e->born;
		x->deadline = now + e->timeout_ns;
		x->ref      = *s;
		x->ref_from = from;
		x->need     = need > MPC_ECHO_PARTIES_MAX ? MPC_ECHO_PARTIES_MAX
		                                          : need;
	} else if (mpc_echo_differ(&x->ref, s) &&
	    (x->state == MPC_ECHO_EQUIVOCATED)) {
		/* Reported once per broadcast. */
		res->action = direct ? MPC_ECHO_LATE : MPC_ECHO_NONE;
		return;
	} else if (mpc_echo_differ(&x->ref, s)) {
		/* Two statements for one broadcast: whatever state the entry
		 * is in, this is equivocation (after a delivery too, which
		 * only a quorum below all parties allows). */
		res->action = MPC_ECHO_EQUIVOCATION;
		res->a      = x->ref;
		res->from_a = x->ref_from;
		res->b      = *s;
		res->from_b = from;
		if (x->state == MPC_ECHO_WAITING) {
			res->evicted = x->msg; /* never delivered */
			x->msg       = NULL;
			x->state     = MPC_ECHO_EQUIVOCATED;
		}
		return;
	}
	if (x->state != MPC_ECHO_WAITING) {
		res->action = direct ? MPC_ECHO_LATE : MPC_ECHO_NONE;
		return;
	}
	if (direct) {
		if (x->msg != NULL) {
			res->action = MPC_ECHO_LATE; /* the same broadcast again */
			return;
		}
		x->msg   = msg;
		res->msg = NULL;
	} else if (!mpc_echo_agreed(x, from) &&
	    (x->nagreed < MPC_ECHO_PARTIES_MAX)) {
		x->agreed[x->nagreed++] = from;
	}
	res->action = MPC_ECHO_NONE;
	mpc_echo_settle(x, res);
}

bool
mpc_echo_expire(mpc_echo *e, uint64_t now, uint32_t *sender, uint64_t *seq,
    void **msg)
{
	for (size_t i = 0; i < MPC_ECHO_HELD_MAX; i++) {
		mpc_echo_entry *x = &e->e[i];
		if ((x->state == MPC_ECHO_WAITING) && (now >= x->deadline)) {
			*sender  = x->ref.st.sender;
			*seq     = x->ref.st.seq;
			*msg     = x->msg;
			x->msg   = NULL;
			x->state = MPC_ECHO_EXPIRED;
			return (true);
		}
	}
	return (false);
}

void *
mpc_echo_drain(mpc_echo *e)
{
	for (size_t i = 0; i < MPC_ECHO_HELD_MAX; i++) {
		if (e->e[i].msg != NULL) {
			void *m      = e->e[i].msg;
			e->e[i].msg  = NULL;
			e->e[i].state = MPC_ECHO_EXPIRED;
			return (m);
		}
	}
	return (NULL);
}

bool
mpc_echo_prefix_put(uint8_t *buf, size_t cap, uint64_t seq,
    const uint8_t *sig, size_t sig_len, size_t *len)
{
	mpc_wcursor c;

	mpc_wcursor_init(&c, buf, cap);
	if ((sig_len > MPC_SIGN_SIG_MAX) || !mpc_wcursor_u64(&c, seq) ||
	    !mpc_wcursor_u16(&c, (uint16_t) sig_len) ||
	    !mpc_wcursor_bytes(&c, sig, sig_len)) {
		return (false);
	}
	*len = c.pos;
	return (true);
}

int
mpc_echo_prefix_get(const uint8_t *buf, size_t len, uint64_t *seq,
    uint8_t *sig, size_t *sig_len, size_t *used)
{
	mpc_rcursor c;
	uint16_t    n;

	mpc_rcursor_init(&c, buf, len);
	if (!mpc_rcursor_u64(&c, seq) || !mpc_rcursor_u16(&c, &n) ||
	    (n > MPC_SIGN_SIG_MAX) || !mpc_rcursor_bytes(&c, sig, n)) {
		return (NNG_MPC_EECHOFRAME);
	}
	*sig_len = n;
	*used    = c.pos;
	return (0);
}

void
mpc_echo_frame_put(const mpc_echo_signed *s, uint8_t *buf, size_t *len)
{
	mpc_bcast_stmt_encode(&s->st, buf);
	buf[MPC_EVIDENCE_STMT_SIZE]     = (uint8_t) (s->sig_len >> 8);
	buf[MPC_EVIDENCE_STMT_SIZE + 1] = (uint8_t) s->sig_len;
	memcpy(buf + MPC_EVIDENCE_STMT_SIZE + 2, s->sig, s->sig_len);
	*len = MPC_EVIDENCE_STMT_SIZE + 2 + s->sig_len;
}

int
mpc_echo_frame_get(mpc_echo_signed *s, const uint8_t *buf, size_t len)
{
	mpc_rcursor    c;
	const uint8_t *stmt;
	uint16_t       n;

	memset(s, 0, sizeof(*s));
	mpc_rcursor_init(&c, buf, len);
	if (!mpc_rcursor_view(&c, &stmt, MPC_EVIDENCE_STMT_SIZE) ||
	    !mpc_rcursor_u16(&c, &n) || (n > MPC_SIGN_SIG_MAX) ||
	    !mpc_rcursor_bytes(&c, s->sig, n) ||
	    (mpc_rcursor_remaining(&c) != 0) ||
	    (mpc_bcast_stmt_decode(&s->st, stmt, MPC_EVIDENCE_STMT_SIZE) != 0)) {
		return (NNG_MPC_EECHOFRAME);
	}
	s->sig_len = n;
	return (mpc_bcast_stmt_digest(&s->st, s->digest));
}
