/*
 * test_crypto_replay: the RFC 6479 replay window as tables, WireGuard-style
 * (the cases of wireguard-linux's counter self-test, translated to this
 * window's convention: "window" W counts the tracked sequence numbers, so
 * WireGuard's COUNTER_WINDOW_SIZE is W - 1 and its T_LIM is W).  Every row
 * asserts the specific result: accepted, NNG_MPC_EREPLAY, NNG_MPC_ETOOOLD
 * or NNG_MPC_ESEQLIMIT.  Run for several window sizes, including one that
 * is not a multiple of 64 and the maximum; then against a naive model with
 * pseudorandom reordering.
 */
#include "crypto_test_util.h"

#include "mpc_replay.h"

#define OK 0
#define RP NNG_MPC_EREPLAY
#define TO NNG_MPC_ETOOOLD
#define SL NNG_MPC_ESEQLIMIT

static const uint32_t windows[] = { 64, 128, 1000, 1024, 4096, 8192 };

static unsigned rows;

static void
T_(mpc_replay *r, uint64_t seq, int want, int line)
{
	int got = mpc_replay_update(r, seq);

	if (got != want) {
		fail_msg("line %d: window %u seq %llu: got %d want %d", line,
		    r->window, (unsigned long long) seq, got, want);
	}
	rows++;
}
#define T(s, w) T_(&r, (s), (w), __LINE__)

static void
T_INIT_(mpc_replay *r, uint32_t w, uint64_t limit)
{
	assert_int_equal(mpc_replay_init(r, w, limit), 0);
}
#define T_INIT T_INIT_(&r, W, L)

static void
run_wireguard_table(uint32_t W, uint64_t L)
{
	mpc_replay r;
	uint64_t   i;

	T_INIT;
	/*  1 */ T(0, OK);
	/*  2 */ T(1, OK);
	/*  3 */ T(1, RP);
	/*  4 */ T(9, OK);
	/*  5 */ T(8, OK);
	/*  6 */ T(7, OK);
	/*  7 */ T(7, RP);
	/*  8 */ T(W, OK);
	/*  9 */ T(W - 1, OK);
	/* 10 */ T(W - 1, RP);
	/* 11 */ T(W - 2, OK);
	/* 12 */ T(2, OK);
	/* 13 */ T(2, RP);
	/* 14 */ T(W + 16, OK);
	/* 15 */ T(3, TO);
	/* 16 */ T(W + 16, RP);
	/* 17 */ T(W * 4, OK);
	/* 18 */ T(W * 4 - (W - 1), OK); /* exactly window - 1 behind */
	/* 19 */ T(10, TO);
	/* 20 */ T(W * 4 - W, TO);       /* exactly window behind */
	/* 21 */ T(W * 4 - (W + 1), TO); /* window + 1 behind */
	/* 22 */ T(W * 4 - (W - 2), OK);
	/* 23 */ T(W * 4 + 1 - W, RP);   /* = row 18 */
	/* 24 */ T(0, TO);
	/* 25 */ T(L, SL);               /* at the per-key limit */
	/* 26 */ T(L - 1, OK);           /* far jump ahead, last valid */
	/* 27 */ T(L, SL);
	/* 28 */ T(L - 1, RP);
	/* 29 */ T(L - 2, OK);
	/* 30 */ T(L + 1, SL);
	/* 31 */ T(L + 2, SL);
	/* 32 */ T(L - 2, RP);
	/* 33 */ T(L - 3, OK);
	/* 34 */ T(0, TO);

	T_INIT;
	for (i = 1; i <= W - 1; ++i)
		T(i, OK);
	T(0, OK);
	T(0, RP);

	T_INIT;
	for (i = 2; i <= W; ++i)
		T(i, OK);
	T(1, OK);
	T(0, TO);

	T_INIT;
	for (i = W; i-- > 0;)
		T(i, OK);

	T_INIT;
	for (i = W + 1; i-- > 1;)
		T(i, OK);
	T(0, TO);

	T_INIT;
	for (i = W; i-- > 1;)
		T(i, OK);
	T(W, OK);
	T(0, TO);

	T_INIT;
	for (i = W; i-- > 1;)
		T(i, OK);
	T(0, OK);
	T(W, OK);
}

static void
test_wireguard_tables(void **state)
{
	(void) state;
	rows = 0;
	for (size_t k = 0; k < sizeof(windows) / sizeof(windows[0]); k++) {
		run_wireguard_table(windows[k], MPC_CHAN_DEFAULT_SEQ_LIMIT);
		/* and at the top of the 64-bit range (L + 2 still fits): no
		 * overflow anywhere */
		run_wireguard_table(windows[k], UINT64_MAX - 2);
	}
	printf("[ replay   ] %u table rows over %zu window sizes\n", rows,
	    sizeof(windows) / sizeof(windows[0]));
}

/* A jump of exactly the ring size must not leave stale bits that alias
 * the new positions (RFC 6479 section 3: blocks are cleared on advance). */
static void
test_far_jump_clears_ring(void **state)
{
	(void) state;
	for (size_t k = 0; k < sizeof(windows) / sizeof(windows[0]); k++) {
		uint32_t   W = windows[k];
		uint64_t   L = UINT64_MAX;
		mpc_replay r;
		uint64_t   ring;

		T_INIT;
		ring = (uint64_t) r.nblocks * 64;
		for (uint64_t i = 0; i < 2 * (uint64_t) W; i++)
			T(i, OK);
		for (uint64_t mult = 1; mult <= 3; mult++) {
			uint64_t top = 2 * (uint64_t) W - 1 + mult * ring;
			T(top, OK);
			/* everything in the new window is fresh */
			for (uint64_t d = 1; d < W; d++)
				T(top - d, OK);
			T(top - W, TO);
			for (uint64_t d = 0; d < W; d++)
				T(top - d, RP);
		}
	}
}

/* Pseudorandom arrivals near the top, checked against a naive model. */
static void
test_against_model(void **state)
{
	enum { SPAN = 60000 };
	static uint8_t seen[SPAN + 8192];

	(void) state;
	for (size_t k = 0; k < sizeof(windows) / sizeof(windows[0]); k++) {
		uint32_t   W   = windows[k];
		uint64_t   L   = SPAN; /* the limit inside the range */
		uint64_t   top = 0, x = 88172645463325252ull;
		int        any = 0;
		mpc_replay r;

		memset(seen, 0, sizeof(seen));
		T_INIT;
		for (int n = 0; n < 200000; n++) {
			uint64_t s;
			int      want;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17; /* xorshift64 */
			/* mostly a little ahead, sometimes behind by up to
			 * 1.5 windows, now and then a big jump */
			if (x % 97 == 0) {
				s = top + 1 + (x >> 20) % 3000;
			} else {
				int64_t off = (int64_t) ((x >> 8) % (W + W / 2)) -
				    (int64_t) W;
				s = (int64_t) top + off < 0 ? 0 : top + off;
			}
			if (s >= SPAN + 4096) {
				s = SPAN + 4096;
			}
			if (s >= L) {
				want = SL;
			} else if (!any || s > top) {
				want = OK;
			} else if (top - s >= W) {
				want = TO;
			} else {
				want = seen[s] ? RP : OK;
			}
			T_(&r, s, want, __LINE__);
			if (want == OK) {
				seen[s] = 1;
				if (!any || s > top) {
					top = s;
				}
				any = 1;
			}
		}
	}
}

static void
test_init_rejects(void **state)
{
	mpc_replay r;

	(void) state;
	assert_int_equal(mpc_replay_init(&r, MPC_REPLAY_MIN_WINDOW - 1, 10),
	    NNG_MPC_ECRYPTOARG);
	assert_int_equal(mpc_replay_init(&r, MPC_REPLAY_MAX_WINDOW + 1, 10),
	    NNG_MPC_ECRYPTOARG);
	assert_int_equal(mpc_replay_init(&r, 1024, 0), NNG_MPC_ECRYPTOARG);
	assert_int_equal(mpc_replay_init(&r, MPC_REPLAY_MAX_WINDOW, 10), 0);
	/* check alone never changes the window */
	assert_int_equal(mpc_replay_check(&r, 5), 0);
	assert_int_equal(mpc_replay_check(&r, 5), 0);
	assert_int_equal(mpc_replay_check(&r, 10), NNG_MPC_ESEQLIMIT);
	mpc_replay_commit(&r, 5);
	assert_int_equal(mpc_replay_check(&r, 5), NNG_MPC_EREPLAY);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wireguard_tables),
		cmocka_unit_test(test_far_jump_clears_ring),
		cmocka_unit_test(test_against_model),
		cmocka_unit_test(test_init_rejects),
	};
	return (cmocka_run_group_tests_name("crypto_replay", tests, NULL, NULL));
}
