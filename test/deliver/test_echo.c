/*
 * test_echo: the echo broadcast decision table and wire bytes
 * (transport/mpc_echo.c), table-driven: each case is a sequence of
 * statements seen (who showed it, which payload, with or without the
 * message) and the action expected after each.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "nng_mpc.h"

#include "mpc_echo.h"

static const uint8_t sid[NNG_MPC_SESSION_ID_SIZE] = { 1, 2, 3, 4, 5, 6, 7, 8,
	9, 10, 11, 12, 13, 14, 15, 16 };

/* A statement of sender about seq with payload "A" or "B". */
static mpc_echo_signed
stmt(uint32_t sender, uint64_t seq, char payload)
{
	mpc_echo_signed s;

	memset(&s, 0, sizeof(s));
	assert_int_equal(mpc_bcast_stmt_make(&s.st, sid, sender,
	                     NNG_MPC_MSG_SIGN_ROUND1, seq, &payload, 1),
	    0);
	assert_int_equal(mpc_bcast_stmt_digest(&s.st, s.digest), 0);
	s.sig_len = 3;
	memset(s.sig, payload, 3);
	return (s);
}

struct step {
	uint32_t        from;    /* who shows it (== sender: the broadcast) */
	char            payload; /* 'A' or 'B' */
	size_t          need;    /* echoes a new entry waits for */
	mpc_echo_action want;
	bool            delivers_msg; /* the message delivered is ours */
};

struct tcase {
	const char *name;
	struct step steps[6];
	size_t      n;
};

/* Sender 1, sequence 9; parties 2..4 receive. */
static const struct tcase cases[] = {
	{ "no other party: delivered at once",
	    { { 1, 'A', 0, MPC_ECHO_DELIVER, true } }, 1 },
	{ "message first, then both echoes",
	    { { 1, 'A', 2, MPC_ECHO_NONE, false },
	        { 3, 'A', 2, MPC_ECHO_NONE, false },
	        { 4, 'A', 2, MPC_ECHO_DELIVER, true } },
	    3 },
	{ "echoes first, then the message",
	    { { 3, 'A', 2, MPC_ECHO_NONE, false },
	        { 4, 'A', 2, MPC_ECHO_NONE, false },
	        { 1, 'A', 2, MPC_ECHO_DELIVER, true } },
	    3 },
	{ "one echoer twice counts once",
	    { { 1, 'A', 2, MPC_ECHO_NONE, false },
	        { 3, 'A', 2, MPC_ECHO_NONE, false },
	        { 3, 'A', 2, MPC_ECHO_NONE, false } },
	    3 },
	{ "conflicting echo after the message: equivocation",
	    { { 1, 'A', 2, MPC_ECHO_NONE, false },
	        { 3, 'B', 2, MPC_ECHO_EQUIVOCATION, false },
	        { 4, 'A', 2, MPC_ECHO_NONE, false } },
	    3 },
	{ "equivocation is reported once per broadcast",
	    { { 1, 'A', 2, MPC_ECHO_NONE, false },
	        { 3, 'B', 2, MPC_ECHO_EQUIVOCATION, false },
	        { 4, 'B', 2, MPC_ECHO_NONE, false },
	        { 1, 'B', 2, MPC_ECHO_LATE, false } },
	    4 },
	{ "two echoes conflict before the message",
	    { { 3, 'A', 2, MPC_ECHO_NONE, false },
	        { 4, 'B', 2, MPC_ECHO_EQUIVOCATION, false },
	        { 1, 'A', 2, MPC_ECHO_LATE, false } },
	    3 },
	{ "the same broadcast twice: the copy is late",
	    { { 1, 'A', 0, MPC_ECHO_DELIVER, true },
	        { 1, 'A', 0, MPC_ECHO_LATE, false } },
	    2 },
	{ "quorum of one with three parties",
	    { { 1, 'A', 1, MPC_ECHO_NONE, false },
	        { 4, 'A', 1, MPC_ECHO_DELIVER, true },
	        { 3, 'B', 1, MPC_ECHO_EQUIVOCATION, false } },
	    3 },
};

static void
test_table(void **state)
{
	static mpc_echo e;
	static int      msgs[6];

	(void) state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const struct tcase *t = &cases[c];
		mpc_echo_init(&e, 1000);
		for (size_t i = 0; i < t->n; i++) {
			const struct step *s = &t->steps[i];
			mpc_echo_signed    x = stmt(1, 9, s->payload);
			mpc_echo_result    r;
			void *m = s->from == 1 ? (void *) &msgs[i] : NULL;

			mpc_echo_see(&e, 10, s->from, &x, m, s->need, &r);
			if (r.action != s->want) {
				fail_msg("%s: step %zu: action %d, want %d",
				    t->name, i, r.action, s->want);
			}
			if (s->delivers_msg) {
				assert_non_null(r.msg);
			}
			if (r.action == MPC_ECHO_EQUIVOCATION) {
				assert_true(mpc_echo_differ(&r.a, &r.b));
				assert_true(
				    mpc_bcast_stmt_conflict(&r.a.st, &r.b.st));
				assert_int_equal(r.from_b, s->from);
				/* A held message is never delivered. */
				assert_true((r.evicted == NULL) ||
				    (r.evicted == (void *) &msgs[0]));
			}
		}
	}
}

/* A held broadcast without its echoes expires; settled ones do not. */
static void
test_expire(void **state)
{
	static mpc_echo e;
	int             msg, msg2;
	mpc_echo_signed a = stmt(2, 1, 'A');
	mpc_echo_signed b = stmt(2, 2, 'A');
	mpc_echo_result r;
	uint32_t        sender;
	uint64_t        seq;
	void *          m;

	(void) state;
	mpc_echo_init(&e, 100);
	mpc_echo_see(&e, 0, 2, &a, &msg, 1, &r);
	assert_int_equal(r.action, MPC_ECHO_NONE);
	mpc_echo_see(&e, 0, 2, &b, &msg2, 0, &r);
	assert_int_equal(r.action, MPC_ECHO_DELIVER);
	assert_false(mpc_echo_expire(&e, 99, &sender, &seq, &m));
	assert_true(mpc_echo_expire(&e, 100, &sender, &seq, &m));
	assert_int_equal(sender, 2);
	assert_int_equal(seq, 1);
	assert_ptr_equal(m, &msg);
	assert_false(mpc_echo_expire(&e, 1000, &sender, &seq, &m));
	/* A late echo of the expired one does nothing. */
	mpc_echo_see(&e, 200, 3, &a, NULL, 1, &r);
	assert_int_equal(r.action, MPC_ECHO_NONE);
	assert_null(mpc_echo_drain(&e));
}

/* Every entry waiting: the next broadcast is refused, not delivered. */
static void
test_full(void **state)
{
	static mpc_echo e;
	static int      msg[MPC_ECHO_HELD_MAX + 1];
	mpc_echo_result r;
	size_t          held = 0;

	(void) state;
	mpc_echo_init(&e, 1000);
	for (uint64_t i = 0; i < MPC_ECHO_HELD_MAX; i++) {
		mpc_echo_signed x = stmt(2, i + 1, 'A');
		mpc_echo_see(&e, 0, 2, &x, &msg[i], 1, &r);
		assert_int_equal(r.action, MPC_ECHO_NONE);
	}
	{
		mpc_echo_signed x = stmt(2, MPC_ECHO_HELD_MAX + 1, 'A');
		mpc_echo_see(&e, 0, 2, &x, &msg[MPC_ECHO_HELD_MAX], 1, &r);
		assert_int_equal(r.action, MPC_ECHO_FULL);
		assert_ptr_equal(r.msg, &msg[MPC_ECHO_HELD_MAX]);
	}
	while (mpc_echo_drain(&e) != NULL) {
		held++;
	}
	assert_int_equal(held, MPC_ECHO_HELD_MAX);
}

/* Wire bytes: round trips, and every truncation refused. */
static void
test_wire(void **state)
{
	mpc_echo_signed a = stmt(5, 77, 'B'), b;
	uint8_t         buf[MPC_ECHO_FRAME_MAX];
	uint8_t         sig[MPC_SIGN_SIG_MAX];
	size_t          len, sl, used;
	uint64_t        seq;

	(void) state;
	mpc_echo_frame_put(&a, buf, &len);
	assert_int_equal(len, MPC_EVIDENCE_STMT_SIZE + 2 + 3);
	assert_int_equal(mpc_echo_frame_get(&b, buf, len), 0);
	assert_memory_equal(b.digest, a.digest, sizeof(a.digest));
	assert_int_equal(b.sig_len, 3);
	for (size_t n = 0; n < len; n++) {
		assert_int_equal(
		    mpc_echo_frame_get(&b, buf, n), NNG_MPC_EECHOFRAME);
	}
	buf[len] = 0;
	assert_int_equal(mpc_echo_frame_get(&b, buf, len + 1), NNG_MPC_EECHOFRAME);
	buf[0] ^= 1; /* label */
	assert_int_equal(mpc_echo_frame_get(&b, buf, len), NNG_MPC_EECHOFRAME);

	assert_true(mpc_echo_prefix_put(buf, sizeof(buf), 77, a.sig, 3, &len));
	assert_int_equal(len, MPC_ECHO_PREFIX_MIN + 3);
	assert_int_equal(
	    mpc_echo_prefix_get(buf, len, &seq, sig, &sl, &used), 0);
	assert_int_equal(seq, 77);
	assert_int_equal(sl, 3);
	assert_int_equal(used, len);
	for (size_t n = 0; n < len; n++) {
		assert_int_equal(mpc_echo_prefix_get(buf, n, &seq, sig, &sl,
		                     &used),
		    NNG_MPC_EECHOFRAME);
	}
	buf[8] = 0xff; /* signature length over the maximum */
	assert_int_equal(mpc_echo_prefix_get(buf, sizeof(buf), &seq, sig, &sl,
	                     &used),
	    NNG_MPC_EECHOFRAME);
	assert_false(mpc_echo_prefix_put(buf, 5, 1, a.sig, 3, &len));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_expire),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_wire),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
