/*
 * test_tran_limit.c -- the pipe filter's pure mechanics with made-up
 * clocks (transport/mpc_tran_limit.h): party lists, the per-source table
 * of new connections (its size, aging and full-table refusal), a pipe's
 * rate limiter (waits, the close policy's clock, adaptive allowance), and
 * the settings from the environment.  The same code runs in the transport;
 * test_tran_filter.c exercises it over real sockets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mpc_tran_env.h"
#include "mpc_tran_limit.h"

#define SEC 1000000000ull
#define MS  1000000ull

static void
test_partyset(void **state)
{
	static const struct {
		const char *in;
		int         rv;
		const char *out;
	} cases[] = {
		{ "", 0, "" },
		{ "9", 0, "9" },
		{ "1-5,9", 0, "1-5,9" },
		{ " 1 - 5 , 9 ", 0, "1-5,9" },
		{ "4294967294", 0, "4294967294" },
		{ "0", NNG_EINVAL, NULL },
		{ "4294967295", NNG_EINVAL, NULL },
		{ "5-1", NNG_EINVAL, NULL },
		{ "1,", NNG_EINVAL, NULL },
		{ ",1", NNG_EINVAL, NULL },
		{ "1-", NNG_EINVAL, NULL },
		{ "01", NNG_EINVAL, NULL },
		{ "+1", NNG_EINVAL, NULL },
		{ "1;2", NNG_EINVAL, NULL },
		{ "12345678901", NNG_EINVAL, NULL },
	};
	mpc_tran_partyset set;
	char              buf[MPC_TRAN_PARTYSET_STR_MAX];

	(void) state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&set, 0xa5, sizeof(set));
		set.n = 0;
		assert_int_equal(
		    mpc_tran_partyset_parse(&set, cases[i].in), cases[i].rv);
		if (cases[i].rv == 0) {
			mpc_tran_partyset_format(&set, buf, sizeof(buf));
			assert_string_equal(buf, cases[i].out);
		} else {
			assert_int_equal(set.n, 0); /* unchanged */
		}
	}
	assert_int_equal(mpc_tran_partyset_parse(&set, "1-5,9"), 0);
	assert_true(mpc_tran_partyset_has(&set, 1));
	assert_true(mpc_tran_partyset_has(&set, 5));
	assert_false(mpc_tran_partyset_has(&set, 6));
	assert_true(mpc_tran_partyset_has(&set, 9));
	/* 32 items fit, 33 do not. */
	strcpy(buf, "1");
	for (int i = 2; i <= 32; i++) {
		(void) snprintf(buf + strlen(buf), 8, ",%d", i);
	}
	assert_int_equal(mpc_tran_partyset_parse(&set, buf), 0);
	strcat(buf, ",33");
	assert_int_equal(mpc_tran_partyset_parse(&set, buf), NNG_EINVAL);
}

static void
test_lists(void **state)
{
	mpc_tran_limits l;

	(void) state;
	mpc_tran_limits_init(&l);
	assert_int_equal(mpc_tran_limits_party(&l, 7), 0);
	assert_int_equal(mpc_tran_partyset_parse(&l.allow, "1-3"), 0);
	assert_int_equal(mpc_tran_limits_party(&l, 2), 0);
	assert_int_equal(mpc_tran_limits_party(&l, 4), NNG_MPC_EPARTYDENIED);
	assert_int_equal(mpc_tran_partyset_parse(&l.deny, "2"), 0);
	assert_int_equal(mpc_tran_limits_party(&l, 2), NNG_MPC_EPARTYDENIED);
	assert_int_equal(mpc_tran_limits_party(&l, 3), 0);
}

static void
addr_of(uint32_t i, uint8_t a[8])
{
	memset(a, 0, 8);
	a[0] = 10;
	a[1] = (uint8_t) (i >> 16);
	a[2] = (uint8_t) (i >> 8);
	a[3] = (uint8_t) i;
}

static void
test_throttle(void **state)
{
	mpc_tran_throttle t;
	uint8_t           a[8];
	uint8_t           b[8];
	uint64_t          now = 5 * SEC;

	(void) state;
	mpc_tran_throttle_init(&t);
	t.rate  = 1;
	t.burst = 2;
	addr_of(1, a);
	addr_of(2, b);
	assert_int_equal(mpc_tran_throttle_take(&t, NNG_AF_INET, a, now), 0);
	assert_int_equal(mpc_tran_throttle_take(&t, NNG_AF_INET, a, now), 0);
	assert_int_equal(mpc_tran_throttle_take(&t, NNG_AF_INET, a, now),
	    NNG_MPC_ECONNRATE);
	assert_int_equal(t.cap, 64); /* grows with the sources seen */
	/* Another source has its own bucket; IPC (no source) none. */
	assert_int_equal(mpc_tran_throttle_take(&t, NNG_AF_INET, b, now), 0);
	assert_int_equal(mpc_tran_throttle_take(&t, 0, a, now), 0);
	/* One token a second. */
	assert_int_equal(
	    mpc_tran_throttle_take(&t, NNG_AF_INET, a, now + SEC), 0);
	assert_int_equal(mpc_tran_throttle_take(&t, NNG_AF_INET, a, now + SEC),
	    NNG_MPC_ECONNRATE);
	mpc_tran_throttle_fini(&t);
}

static void
test_throttle_full(void **state)
{
	mpc_tran_throttle t;
	uint8_t           a[8];
	uint64_t          now = 5 * SEC;

	(void) state;
	mpc_tran_throttle_init(&t);
	t.rate  = 1;
	t.burst = 2;
	for (uint32_t i = 0; i < MPC_TRAN_THROTTLE_SLOTS; i++) {
		addr_of(i, a);
		assert_int_equal(
		    mpc_tran_throttle_take(&t, NNG_AF_INET, a, now), 0);
	}
	assert_int_equal(t.live, MPC_TRAN_THROTTLE_SLOTS);
	/* Full table: a new source is refused, a known one still served. */
	addr_of(MPC_TRAN_THROTTLE_SLOTS, a);
	assert_int_equal(mpc_tran_throttle_take(&t, NNG_AF_INET, a, now),
	    NNG_MPC_ETHROTTLEFULL);
	addr_of(7, a);
	assert_int_equal(mpc_tran_throttle_take(&t, NNG_AF_INET, a, now), 0);
	/* A second later the other buckets are full again: aged out. */
	addr_of(MPC_TRAN_THROTTLE_SLOTS, a);
	assert_int_equal(
	    mpc_tran_throttle_take(&t, NNG_AF_INET, a, now + SEC), 0);
	assert_true(t.live <= MPC_TRAN_THROTTLE_SLOTS);
	mpc_tran_throttle_fini(&t);
}

static void
rate_cfg(mpc_tran_rate_cfg *c, uint64_t msgs, uint64_t bytes,
    uint32_t burst, mpc_tran_rate_policy pol)
{
	memset(c, 0, sizeof(*c));
	c->msgs           = msgs;
	c->bytes          = bytes;
	c->burst_ms       = burst;
	c->policy         = pol;
	c->close_after_ms = 500;
}

static void
test_rate_waits(void **state)
{
	mpc_tran_rate_cfg c;
	mpc_tran_rate     r;
	bool              close;
	uint64_t          now = SEC;

	(void) state;
	/* Unlimited: always ready, never a wait. */
	rate_cfg(&c, 0, 0, 1000, MPC_TRAN_RATE_BACKPRESSURE);
	mpc_tran_rate_init(&r, &c, now);
	assert_false(r.on);
	mpc_tran_rate_charge(&r, 1 << 20);
	assert_true(mpc_tran_rate_ready(&r));
	/* 100 msgs/s with 100 ms of burst: ten, then 10 ms apart. */
	rate_cfg(&c, 100, 0, 100, MPC_TRAN_RATE_BACKPRESSURE);
	mpc_tran_rate_init(&r, &c, now);
	for (int i = 0; i < 10; i++) {
		assert_true(mpc_tran_rate_ready(&r));
		mpc_tran_rate_charge(&r, 64);
	}
	assert_false(mpc_tran_rate_ready(&r));
	assert_int_equal(mpc_tran_rate_check(&r, now, true, &close), 10 * MS);
	assert_false(close);
	assert_int_equal(
	    mpc_tran_rate_check(&r, now + 10 * MS, true, &close), 0);
	assert_int_equal(mpc_tran_rate_throttled(&r, now + 10 * MS), 10 * MS);
	/* Bytes: a message larger than the burst passes once, then the
	 * debt is repaid (1000 B/s, 100 ms: 100 B in the bucket). */
	rate_cfg(&c, 0, 1000, 100, MPC_TRAN_RATE_BACKPRESSURE);
	mpc_tran_rate_init(&r, &c, now);
	assert_true(mpc_tran_rate_ready(&r));
	mpc_tran_rate_charge(&r, 600);
	assert_false(mpc_tran_rate_ready(&r));
	assert_int_equal(mpc_tran_rate_check(&r, now, false, &close), 500 * MS);
	/* Sleeps: whole ms, at least 20 ms or the burst when shorter. */
	assert_int_equal(mpc_tran_rate_wait_ms(&r, 500 * MS), 500);
	assert_int_equal(mpc_tran_rate_wait_ms(&r, 1), 20);
	assert_int_equal(mpc_tran_rate_wait_ms(&r, 20 * MS + 1), 21);
	rate_cfg(&c, 100, 0, 5, MPC_TRAN_RATE_BACKPRESSURE);
	mpc_tran_rate_init(&r, &c, now);
	assert_int_equal(mpc_tran_rate_wait_ms(&r, 1), 5);
}

static void
test_rate_close_clock(void **state)
{
	mpc_tran_rate_cfg c;
	mpc_tran_rate     r;
	bool              close;
	uint64_t          t = SEC;

	(void) state;
	rate_cfg(&c, 100, 0, 10, MPC_TRAN_RATE_CLOSE); /* one in the bucket */
	mpc_tran_rate_init(&r, &c, t);
	/* Frames always waiting: closed once 500 ms over. */
	for (int i = 0; i < 60; i++, t += 10 * MS) {
		mpc_tran_rate_charge(&r, 1);
		(void) mpc_tran_rate_check(&r, t, true, &close);
		if (close) {
			break;
		}
	}
	assert_true(close);
	/* A peer whose frames do not wait is never over its limit, even
	 * when each frame finds the bucket short. */
	t = SEC;
	mpc_tran_rate_init(&r, &c, t);
	for (int i = 0; i < 200; i++, t += 10 * MS) {
		mpc_tran_rate_charge(&r, 1);
		(void) mpc_tran_rate_check(&r, t, false, &close);
		assert_false(close);
	}
	/* Backpressure never closes. */
	rate_cfg(&c, 100, 0, 10, MPC_TRAN_RATE_BACKPRESSURE);
	mpc_tran_rate_init(&r, &c, t);
	for (int i = 0; i < 200; i++, t += 10 * MS) {
		mpc_tran_rate_charge(&r, 1);
		(void) mpc_tran_rate_check(&r, t, true, &close);
		assert_false(close);
	}
}

static void
test_rate_adaptive(void **state)
{
	mpc_tran_rate_cfg c;
	mpc_tran_rate     r;
	bool              close;
	uint64_t          t = SEC;

	(void) state;
	rate_cfg(&c, 1024, 0, 1000, MPC_TRAN_RATE_BACKPRESSURE);
	c.adaptive = true;
	mpc_tran_rate_init(&r, &c, t);
	mpc_tran_rate_punish(&r, t);
	assert_int_equal(mpc_tran_rate_allowance(&r), 512);
	for (int i = 0; i < 20; i++) {
		mpc_tran_rate_punish(&r, t);
	}
	assert_int_equal(mpc_tran_rate_allowance(&r), 16); /* 1/64 floor */
	/* +1/16 of the rate per second: 64 + 16 after one second. */
	(void) mpc_tran_rate_check(&r, t + SEC, false, &close);
	assert_int_equal(mpc_tran_rate_allowance(&r), 16 + 64);
	(void) mpc_tran_rate_check(&r, t + 60 * SEC, false, &close);
	assert_int_equal(mpc_tran_rate_allowance(&r), 1024);
	/* Without adaptive mode nothing changes. */
	c.adaptive = false;
	mpc_tran_rate_init(&r, &c, t);
	mpc_tran_rate_punish(&r, t);
	assert_int_equal(mpc_tran_rate_allowance(&r), 1024);
}

static void
test_env(void **state)
{
	mpc_tran_limits l;
	uint32_t        rate  = 20;
	uint32_t        burst = 40;

	(void) state;
	mpc_tran_limits_init(&l);
	setenv("NNG_MPC_ALLOW_PARTIES", "1-4", 1);
	setenv("NNG_MPC_DENY_PARTIES", "3", 1);
	setenv("NNG_MPC_CONN_RATE", "5", 1);
	setenv("NNG_MPC_CONN_BURST", "9", 1);
	setenv("NNG_MPC_RATE_MSGS", "1000", 1);
	setenv("NNG_MPC_RATE_BYTES", "65536", 1);
	setenv("NNG_MPC_RATE_BURST", "250", 1);
	setenv("NNG_MPC_RATE_POLICY", "close", 1);
	setenv("NNG_MPC_HEARTBEAT", "0", 1);
	setenv("NNG_MPC_DEAD_AFTER", "4", 1);
	assert_int_equal(mpc_tran_limits_from_env(&l, &rate, &burst), 0);
	assert_int_equal(l.allow.n, 1);
	assert_int_equal(mpc_tran_limits_party(&l, 3), NNG_MPC_EPARTYDENIED);
	assert_int_equal(rate, 5);
	assert_int_equal(burst, 9);
	assert_int_equal(l.rate.msgs, 1000);
	assert_int_equal(l.rate.bytes, 65536);
	assert_int_equal(l.rate.burst_ms, 250);
	assert_int_equal(l.rate.policy, MPC_TRAN_RATE_CLOSE);
	assert_int_equal(l.heartbeat_ms, 0);
	assert_int_equal(l.dead_after, 4);
	/* An option always wins. */
	mpc_tran_limits_init(&l);
	l.rate.msgs = 7;
	l.set |= MPC_TRAN_LIM_MSGS;
	assert_int_equal(mpc_tran_limits_from_env(&l, &rate, &burst), 0);
	assert_int_equal(l.rate.msgs, 7);
	/* Malformed values fail. */
	static const struct {
		const char *var;
		const char *val;
	} bad[] = {
		{ "NNG_MPC_ALLOW_PARTIES", "1-" },
		{ "NNG_MPC_CONN_RATE", "-1" },
		{ "NNG_MPC_CONN_BURST", "0" },
		{ "NNG_MPC_RATE_MSGS", "1k" },
		{ "NNG_MPC_RATE_BURST", "60001" },
		{ "NNG_MPC_RATE_POLICY", "drop" },
		{ "NNG_MPC_HEARTBEAT", "99" },
		{ "NNG_MPC_DEAD_AFTER", "" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *old = getenv(bad[i].var);
		char  keep[64];
		(void) snprintf(keep, sizeof(keep), "%s", old);
		setenv(bad[i].var, bad[i].val, 1);
		mpc_tran_limits_init(&l);
		assert_int_equal(mpc_tran_limits_from_env(&l, &rate, &burst),
		    NNG_MPC_EENV);
		setenv(bad[i].var, keep, 1);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_partyset),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_throttle),
		cmocka_unit_test(test_throttle_full),
		cmocka_unit_test(test_rate_waits),
		cmocka_unit_test(test_rate_close_clock),
		cmocka_unit_test(test_rate_adaptive),
		cmocka_unit_test(test_env),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
