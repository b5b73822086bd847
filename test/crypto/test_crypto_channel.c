/*
 * test_crypto_channel: the per-pipe channel (crypto/mpc_channel.c).
 * Every rejection asserts the specific error, the one counter that moved,
 * that nothing else moved (frames, bytes, epochs, the replay window) and
 * that the payload buffer was wiped.
 */
#include <pthread.h>

#include "crypto_test_util.h"

/* All-counters snapshot, and "exactly this one moved by one". */
static void
snap(const mpc_chan *c, mpc_chan_stats *st)
{
	mpc_chan_stats_get(c, st);
}

static uint64_t *
rx_counter_for(mpc_chan_stats *st, int rv)
{
	switch (rv) {
	case NNG_MPC_EAUTH:
		return (&st->rx_auth_fail);
	case NNG_MPC_EAUTHLIMIT:
		return (&st->rx_auth_limit);
	case NNG_MPC_EREPLAY:
		return (&st->rx_replay);
	case NNG_MPC_ETOOOLD:
		return (&st->rx_too_old);
	case NNG_MPC_ESEQLIMIT:
		return (&st->rx_seq_limit);
	case NNG_MPC_EEPOCHGONE:
		return (&st->rx_epoch_gone);
	case NNG_MPC_EEPOCHAHEAD:
		return (&st->rx_epoch_ahead);
	default:
		return (&st->rx_errors);
	}
}

/* before + one on the counter of rv == after, everything else equal. */
static void
assert_only_counter(const mpc_chan_stats *before, const mpc_chan_stats *after,
    int rv)
{
	mpc_chan_stats want = *before;

	(*rx_counter_for(&want, rv))++;
	if (memcmp(&want, after, sizeof(want)) != 0) {
		fail_msg("counters other than the one for %d moved", rv);
	}
}

/* A rejected open: specific error, buffer wiped, one counter, no state. */
static void
expect_reject(mpc_chan *c, uint64_t now, const tu_frame *f, int want)
{
	mpc_chan_stats before, after;
	mpc_chan       copy_rx_state;
	uint8_t       *out;
	int            rv;

	snap(c, &before);
	memcpy(&copy_rx_state.rx.slot, &c->rx.slot, sizeof(c->rx.slot));
	rv = tu_open_copy(c, now, f, &out);
	if (rv != want) {
		fail_msg("open: got %d want %d", rv, want);
	}
	assert_true(mpc_is_zero(out, f->len));
	free(out);
	snap(c, &after);
	assert_only_counter(&before, &after, want);
	if (want != NNG_MPC_EAUTHLIMIT) {
		/* windows, keys and frame counts of every epoch unchanged */
		assert_memory_equal(
		    &copy_rx_state.rx.slot, &c->rx.slot, sizeof(c->rx.slot));
	}
}

static void
expect_open(mpc_chan *c, uint64_t now, const tu_frame *f, uint8_t salt)
{
	uint8_t *out;
	uint8_t *want = malloc(f->len + 1);
	int      rv   = tu_open_copy(c, now, f, &out);

	if (rv != 0) {
		fail_msg("open epoch %u seq %llu: %d", f->epoch,
		    (unsigned long long) f->seq, rv);
	}
	tu_pattern(want, f->len, salt);
	assert_memory_equal(out, want, f->len);
	free(out);
	free(want);
}

static mpc_chan_config
cfg_default(void)
{
	mpc_chan_config cfg;

	mpc_chan_config_default(&cfg);
	return (cfg);
}

/* ------------------------------------------------------------------ */

static void
test_roundtrip(void **state)
{
	static const size_t sizes[] = { 0, 1, 15, 16, 17, 64, 1024, 65536 };
	mpc_chan_config     cfg = cfg_default();
	mpc_chan           *a, *b;
	mpc_chan_stats      sa, sb;
	uint64_t            bytes = 0;

	(void) state;
	tu_chan_pair(&a, &b, &cfg, 0);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		tu_frame f, g;

		tu_seal(a, 1, &f, sizes[i], (uint8_t) i);
		tu_seal(b, 1, &g, sizes[i], (uint8_t) (i + 100));
		if (sizes[i] >= 16) {
			uint8_t pt[16];
			tu_pattern(pt, 16, (uint8_t) i);
			/* sealed means encrypted */
			assert_memory_not_equal(f.buf, pt, 16);
		}
		expect_open(b, 2, &f, (uint8_t) i);
		expect_open(a, 2, &g, (uint8_t) (i + 100));
		bytes += sizes[i];
		tu_frame_free(&f);
		tu_frame_free(&g);
	}
	snap(a, &sa);
	snap(b, &sb);
	assert_int_equal(sa.tx_frames, 8);
	assert_int_equal(sa.rx_frames, 8);
	assert_int_equal(sb.rx_bytes, bytes);
	assert_int_equal(sa.tx_bytes, bytes);
	/* a frame for B does not open on A (A's receive key is B's send key) */
	{
		tu_frame f;
		tu_seal(a, 3, &f, 32, 9);
		expect_reject(a, 3, &f, NNG_MPC_EAUTH);
		tu_frame_free(&f);
	}
	mpc_chan_free(a);
	mpc_chan_free(b);
}

/*
 * Flip every byte of header, ciphertext and tag (two patterns each: the
 * lowest bit, all bits).  Every open fails with the expected code, wipes the
 * output and moves only its rejection counter; afterwards the untouched
 * frame still opens, once.
 */
static void
tamper_run(mpc_chan *a, mpc_chan *b, size_t len, int exact)
{
	static const uint8_t flips[] = { 0x01, 0xff };
	tu_frame             f;
	size_t               n = 0;

	tu_seal(a, 10, &f, len, 0x5a);
	for (size_t part = 0; part < 3; part++) {
		uint8_t *p    = part == 0 ? f.hdr : part == 1 ? f.buf : f.tag;
		size_t   plen = part == 0 ? TU_HDR_LEN
		                          : part == 1 ? f.len : MPC_AEAD_TAG_LEN;

		for (size_t i = 0; i < plen; i++) {
			for (size_t k = 0; k < sizeof(flips); k++) {
				uint32_t ep;
				uint64_t sq;
				int      want = NNG_MPC_EAUTH;

				p[i] ^= flips[k];
				tu_hdr_decode(f.hdr, &ep, &sq);
				if (exact) {
					/* channel at epoch 0, nothing received */
					if (ep > 1) {
						want = NNG_MPC_EEPOCHAHEAD;
					} else if (sq >= b->cfg.seq_limit) {
						want = NNG_MPC_ESEQLIMIT;
					} else if (ep == 0 &&
					    mpc_replay_check(
					        &b->rx.slot[b->rx.cur].replay,
					        sq) != 0) {
						/* a flip onto a sequence
						 * number already received */
						want = NNG_MPC_EREPLAY;
					}
					expect_reject(b, 11, &f, want);
				} else {
					mpc_chan_stats before, after;
					uint8_t       *out;
					int            rv;

					snap(b, &before);
					rv = tu_open_copy(b, 11, &f, &out);
					assert_int_not_equal(rv, 0);
					assert_true(mpc_is_zero(out, f.len));
					free(out);
					snap(b, &after);
					assert_only_counter(&before, &after, rv);
				}
				p[i] ^= flips[k];
				n++;
			}
		}
	}
	assert_int_equal(n, 2 * (TU_HDR_LEN + len + MPC_AEAD_TAG_LEN));
	expect_open(b, 12, &f, 0x5a);
	expect_reject(b, 12, &f, NNG_MPC_EREPLAY);
	tu_frame_free(&f);
}

static void
test_tamper_every_byte(void **state)
{
	mpc_chan_config cfg = cfg_default();
	mpc_chan       *a, *b;
	mpc_chan_stats  st;

	(void) state;
	cfg.auth_fail_limit = UINT32_MAX; /* this test counts, not closes */
	tu_chan_pair(&a, &b, &cfg, 0);
	tamper_run(a, b, 0, 1);
	tamper_run(a, b, 1, 1);
	tamper_run(a, b, 100, 1);
	mpc_chan_stats_get(b, &st);
	assert_int_equal(st.rx_frames, 3);
	assert_int_equal(st.rx_epoch, 0);
	assert_true(st.rx_auth_fail > 0);
	assert_true(st.rx_epoch_ahead > 0);
	assert_true(st.rx_seq_limit > 0);
	mpc_chan_free(a);
	mpc_chan_free(b);

	/* again at epoch 3 with epoch 2 in grace: a flipped epoch now also
	 * lands in the previous epoch (3 ^ 1 = 2, where that sequence number
	 * was already received) */
	cfg.rekey_frames = 4;
	tu_chan_pair(&a, &b, &cfg, 0);
	for (int i = 0; i < 13; i++) {
		tu_frame f;
		tu_seal(a, 1, &f, 20, (uint8_t) i);
		expect_open(b, 1, &f, (uint8_t) i);
		tu_frame_free(&f);
	}
	assert_int_equal(b->rx.slot[b->rx.cur].epoch, 3);
	assert_true(b->rx.slot[b->rx.prev].live);
	tamper_run(a, b, 33, 0);
	mpc_chan_stats_get(b, &st);
	assert_true(st.rx_replay > 0);
	assert_true(st.rx_epoch_ahead > 0);
	assert_int_equal(st.rx_frames, 14);
	mpc_chan_free(a);
	mpc_chan_free(b);
}

/* ------------------------------------------------------------------ */

typedef struct nonce_rec {
	uint8_t dir;
	uint8_t nonce[MPC_AEAD_IV_LEN];
} nonce_rec;

static int
nonce_cmp(const void *x, const void *y)
{
	return (memcmp(x, y, sizeof(nonce_rec)));
}

/*
 * Thousands of frames both ways with a small rekey threshold, delivered in
 * batches shuffled within the window (so frames of the old epoch arrive
 * after the new epoch started): none rejected; both sides move through the
 * same epochs; no nonce is ever used twice.
 */
static void
test_rotation_thousands(void **state)
{
	enum { FRAMES = 6000, BATCH = 24 };
	mpc_chan_config cfg = cfg_default();
	mpc_chan       *a, *b;
	nonce_rec      *recs = calloc(2 * FRAMES, sizeof(*recs));
	size_t          nrec = 0;
	uint64_t        x    = 0x9e3779b97f4a7c15ull;
	mpc_chan_stats  sa, sb;

	(void) state;
	assert_non_null(recs);
	cfg.rekey_frames  = 97;
	cfg.replay_window = 64;
	tu_chan_pair(&a, &b, &cfg, 0);
	for (int dir = 0; dir < 2; dir++) {
		mpc_chan *s = dir ? b : a, *r = dir ? a : b;

		for (int base = 0; base < FRAMES; base += BATCH) {
			tu_frame f[BATCH];

			for (int i = 0; i < BATCH; i++) {
				size_t len = (size_t) ((base + i) * 7 % 300);
				tu_seal(s, (uint64_t) base, &f[i], len,
				    (uint8_t) (base + i));
				recs[nrec].dir = (uint8_t) dir;
				mpc_aead_nonce(&s->tx.aead, f[i].epoch,
				    f[i].seq, recs[nrec].nonce);
				nrec++;
			}
			for (int i = BATCH - 1; i > 0; i--) { /* shuffle */
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				int      j = (int) (x % (uint64_t) (i + 1));
				tu_frame t = f[i];
				f[i]       = f[j];
				f[j]       = t;
			}
			for (int i = 0; i < BATCH; i++) {
				expect_open(r, (uint64_t) base, &f[i],
				    (uint8_t) (f[i].epoch * 97 + f[i].seq));
				tu_frame_free(&f[i]);
			}
		}
	}
	snap(a, &sa);
	snap(b, &sb);
	assert_int_equal(sa.tx_frames, FRAMES);
	assert_int_equal(sb.rx_frames, FRAMES);
	assert_int_equal(sb.tx_frames, FRAMES);
	assert_int_equal(sa.rx_frames, FRAMES);
	assert_int_equal(sa.tx_epoch, (FRAMES - 1) / 97);
	assert_int_equal(sb.rx_epoch, sa.tx_epoch);
	assert_int_equal(sa.rx_epoch, sb.tx_epoch);
	assert_int_equal(sb.rx_rekeys, sa.tx_rekeys);
	assert_true(sb.rx_prev_frames > 0); /* the grace path was used */
	assert_int_equal(sb.rx_auth_fail + sb.rx_replay + sb.rx_too_old +
	        sb.rx_epoch_gone + sb.rx_epoch_ahead + sb.rx_errors,
	    0);
	/* nonces: unique over the whole run, both directions */
	qsort(recs, nrec, sizeof(*recs), nonce_cmp);
	for (size_t i = 1; i < nrec; i++) {
		if (memcmp(recs[i - 1].nonce, recs[i].nonce, 12) == 0) {
			fail_msg("nonce repeated");
		}
	}
	printf("[ rotation ] %zu frames, %llu epochs per direction, %llu "
	       "delivered in grace, nonces unique\n",
	    nrec, (unsigned long long) sa.tx_epoch + 1,
	    (unsigned long long) sb.rx_prev_frames);
	free(recs);
	mpc_chan_free(a);
	mpc_chan_free(b);
}

/* ------------------------------------------------------------------ */

static void
test_grace_and_wiped_epoch(void **state)
{
	mpc_chan_config cfg = cfg_default();
	mpc_chan       *a, *b;
	tu_frame        e0[10], e1[10], e2;
	mpc_chan_stats  st;

	(void) state;
	cfg.rekey_frames = 10;
	cfg.grace_frames = 5;
	cfg.grace_ns     = 1000000;
	tu_chan_pair(&a, &b, &cfg, 0);
	for (int i = 0; i < 10; i++) {
		tu_seal(a, 0, &e0[i], 40, (uint8_t) i);
	}
	for (int i = 0; i < 10; i++) {
		tu_seal(a, 0, &e1[i], 40, (uint8_t) (50 + i));
		assert_int_equal(e1[i].epoch, 1);
	}
	for (int i = 0; i < 8; i++) {
		expect_open(b, 0, &e0[i], (uint8_t) i);
	}
	/* epoch 1 arrives: the receiver ratchets; epoch 0 is in grace */
	expect_open(b, 0, &e1[0], 50);
	snap(b, &st);
	assert_int_equal(st.rx_epoch, 1);
	assert_int_equal(st.rx_rekeys, 1);
	expect_open(b, 0, &e0[8], 8); /* late frame of epoch 0: accepted */
	snap(b, &st);
	assert_int_equal(st.rx_prev_frames, 1);
	/* the new epoch fills its grace quota ... */
	for (int i = 1; i < 5; i++) {
		expect_open(b, 0, &e1[i], (uint8_t) (50 + i));
	}
	/* ... so the next open wipes epoch 0 first, then refuses its frame */
	{
		mpc_chan_stats before, after;
		uint8_t       *out;

		snap(b, &before);
		assert_int_equal(tu_open_copy(b, 0, &e0[9], &out),
		    NNG_MPC_EEPOCHGONE);
		assert_true(mpc_is_zero(out, e0[9].len));
		free(out);
		snap(b, &after);
		before.rx_epoch_gone++;
		before.rx_grace_ends++;
		assert_memory_equal(&before, &after, sizeof(before));
	}
	assert_false(b->rx.slot[b->rx.prev].live);
	assert_true(mpc_is_zero(
	    &b->rx.slot[b->rx.prev], sizeof(mpc_chan_rx_epoch)));
	for (int i = 5; i < 10; i++) {
		expect_open(b, 0, &e1[i], (uint8_t) (50 + i));
	}

	/* by time: epoch 2 becomes current at t=1000; epoch 1 stays until
	 * t = 1000 + grace_ns */
	tu_seal(a, 0, &e2, 40, 77);
	assert_int_equal(e2.epoch, 2);
	{
		tu_frame       e2b;
		mpc_chan_stats st2;

		tu_seal(a, 0, &e2b, 40, 78);
		expect_open(b, 1000, &e2, 77);
		/* inside the grace, epoch 1's window still works */
		expect_reject(b, 1000, &e1[0], NNG_MPC_EREPLAY);
		/* When an idle receiver must expire it (the transport arms
		 * a timer for this): the time left, never 0 while live. */
		assert_int_equal(mpc_chan_recv_grace_left(b, 1000),
		    cfg.grace_ns);
		assert_int_equal(mpc_chan_recv_grace_left(b, 1000 + 10),
		    cfg.grace_ns - 10);
		assert_int_equal(
		    mpc_chan_recv_grace_left(b, 1000 + cfg.grace_ns + 5), 1);
		mpc_chan_recv_expire(b, 1000 + cfg.grace_ns - 1);
		assert_true(b->rx.slot[b->rx.prev].live);
		mpc_chan_recv_expire(b, 1000 + cfg.grace_ns);
		assert_false(b->rx.slot[b->rx.prev].live);
		assert_int_equal(
		    mpc_chan_recv_grace_left(b, 1000 + cfg.grace_ns), 0);
		snap(b, &st2);
		assert_int_equal(st2.rx_grace_ends, 2);
		expect_reject(b, 1000 + cfg.grace_ns, &e1[0], NNG_MPC_EEPOCHGONE);
		expect_reject(b, 1000 + cfg.grace_ns, &e0[0], NNG_MPC_EEPOCHGONE);
		expect_open(b, 1000 + cfg.grace_ns, &e2b, 78);
		tu_frame_free(&e2b);
	}
	for (int i = 0; i < 10; i++) {
		tu_frame_free(&e0[i]);
		tu_frame_free(&e1[i]);
	}
	tu_frame_free(&e2);
	mpc_chan_free(a);
	mpc_chan_free(b);
}

static void
test_epoch_ahead(void **state)
{
	mpc_chan_config cfg = cfg_default();
	mpc_chan       *a, *b;
	tu_frame        f[3];

	(void) state;
	cfg.rekey_frames = 1;
	tu_chan_pair(&a, &b, &cfg, 0);
	for (int i = 0; i < 3; i++) {
		tu_seal(a, 0, &f[i], 10, (uint8_t) i);
		assert_int_equal(f[i].epoch, (uint32_t) i);
	}
	expect_reject(b, 0, &f[2], NNG_MPC_EEPOCHAHEAD); /* 0 -> 2: gap */
	expect_open(b, 0, &f[0], 0);
	expect_open(b, 0, &f[1], 1);
	expect_open(b, 0, &f[2], 2);
	expect_reject(b, 0, &f[0], NNG_MPC_EEPOCHGONE);
	for (int i = 0; i < 3; i++) {
		tu_frame_free(&f[i]);
	}
	mpc_chan_free(a);
	mpc_chan_free(b);
}

static void
test_replay_too_old_seq_limit(void **state)
{
	mpc_chan_config cfg = cfg_default(), small;
	mpc_chan       *a, *b;
	tu_frame        f[100];

	(void) state;
	cfg.replay_window = 64;
	tu_chan_pair(&a, &b, &cfg, 0);
	for (int i = 0; i < 100; i++) {
		tu_seal(a, 0, &f[i], 8, (uint8_t) i);
	}
	expect_open(b, 0, &f[5], 5);
	expect_reject(b, 0, &f[5], NNG_MPC_EREPLAY);
	expect_open(b, 0, &f[99], 99);
	expect_open(b, 0, &f[36], 36); /* 63 behind: inside */
	expect_reject(b, 0, &f[35], NNG_MPC_ETOOOLD); /* 64 behind */
	expect_reject(b, 0, &f[0], NNG_MPC_ETOOOLD);
	for (int i = 0; i < 100; i++) {
		tu_frame_free(&f[i]);
	}
	mpc_chan_free(a);
	mpc_chan_free(b);

	/* A peer that seals past the receiver's per-key limit (emulated by a
	 * receiver configured with a lower limit than the sender). */
	small              = cfg_default();
	small.seq_limit    = 50;
	small.rekey_frames = 50;
	{
		tu_hs              hs;
		mpc_keysched       ks;
		mpc_keysched_input in;
		tu_frame           g[60];

		tu_hs_default(&hs);
		in = tu_hs_input(&hs, 1);
		assert_int_equal(mpc_keysched_derive(&ks, &in), 0);
		assert_int_equal(mpc_chan_alloc(&a, NULL, &ks, 0), 0);
		in = tu_hs_input(&hs, 0);
		assert_int_equal(mpc_keysched_derive(&ks, &in), 0);
		assert_int_equal(mpc_chan_alloc(&b, &small, &ks, 0), 0);
		mpc_keysched_wipe(&ks);
		for (int i = 0; i < 60; i++) {
			tu_seal(a, 0, &g[i], 8, (uint8_t) i);
		}
		expect_open(b, 0, &g[49], 49);
		expect_reject(b, 0, &g[50], NNG_MPC_ESEQLIMIT);
		expect_reject(b, 0, &g[59], NNG_MPC_ESEQLIMIT);
		for (int i = 0; i < 60; i++) {
			tu_frame_free(&g[i]);
		}
		mpc_chan_free(a);
		mpc_chan_free(b);
	}
}

static void
test_auth_fail_limit(void **state)
{
	mpc_chan_config cfg = cfg_default();
	mpc_chan       *a, *b;
	tu_frame        good, bad;
	mpc_chan_stats  st;

	(void) state;
	cfg.auth_fail_limit = 3;
	cfg.rekey_frames    = 2;
	tu_chan_pair(&a, &b, &cfg, 0);
	tu_seal(a, 0, &bad, 16, 1);
	bad.tag[0] ^= 1;
	for (int i = 0; i < 3; i++) {
		expect_reject(b, 0, &bad, NNG_MPC_EAUTH);
		assert_false(mpc_chan_recv_dead(b));
	}
	/* the limit is per epoch: a ratchet resets it */
	tu_seal(a, 0, &good, 16, 2); /* seq 1 of epoch 0 */
	expect_open(b, 0, &good, 2);
	tu_frame_free(&good);
	tu_seal(a, 0, &good, 16, 3); /* epoch 1 */
	assert_int_equal(good.epoch, 1);
	expect_open(b, 0, &good, 3);
	tu_frame_free(&good);
	for (int i = 0; i < 3; i++) {
		expect_reject(b, 0, &bad, NNG_MPC_EAUTH); /* old epoch, grace */
	}
	/* the fourth failure in epoch 1 exceeds the bound */
	expect_reject(b, 0, &bad, NNG_MPC_EAUTHLIMIT);
	assert_true(mpc_chan_recv_dead(b));
	/* and the receive half stays closed, even for a valid frame */
	tu_seal(a, 0, &good, 16, 4);
	expect_reject(b, 0, &good, NNG_MPC_EAUTHLIMIT);
	snap(b, &st);
	assert_int_equal(st.rx_auth_fail, 6);
	assert_int_equal(st.rx_auth_limit, 2);
	assert_int_equal(st.rx_frames, 2);
	/* the send half is independent */
	tu_frame_free(&good);
	tu_seal(b, 0, &good, 16, 5);
	expect_open(a, 0, &good, 5);
	tu_frame_free(&good);
	tu_frame_free(&bad);
	mpc_chan_free(a);
	mpc_chan_free(b);
}

static void
test_key_limit(void **state)
{
	mpc_chan_config cfg = cfg_default();
	mpc_chan       *a, *b;
	uint32_t        ep;
	uint64_t        sq;
	mpc_chan_stats  st;

	(void) state;
	cfg.rekey_frames = 2;
	cfg.seq_limit    = 4;
	tu_chan_pair(&a, &b, &cfg, 0);
	/* White box: pretend 2^32 - 2 ratchets happened (the peer's keys no
	 * longer matter here; only the send half is exercised). */
	a->tx.epoch = UINT32_MAX - 1;
	for (int i = 0; i < 2; i++) {
		assert_int_equal(mpc_chan_send_next(a, 0, &ep, &sq), 0);
		assert_int_equal(ep, UINT32_MAX - 1);
	}
	/* the last epoch: rekey is due but impossible, so it runs on to the
	 * per-key limit, then refuses */
	for (uint64_t i = 0; i < 4; i++) {
		assert_int_equal(mpc_chan_send_next(a, 0, &ep, &sq), 0);
		assert_int_equal(ep, UINT32_MAX);
		assert_int_equal(sq, i);
	}
	assert_int_equal(
	    mpc_chan_send_next(a, 0, &ep, &sq), NNG_MPC_EKEYLIMIT);
	assert_int_equal(
	    mpc_chan_send_next(a, 0, &ep, &sq), NNG_MPC_EKEYLIMIT);
	{
		uint8_t buf[8] = { 1, 2, 3 }, tag[16];
		/* nothing reserved: sealing is refused and the buffer wiped */
		assert_int_equal(mpc_chan_seal(a, UINT32_MAX, 3, NULL, 0, buf,
		                     sizeof(buf), tag),
		    NNG_MPC_ECRYPTOARG);
		assert_true(mpc_is_zero(buf, sizeof(buf)));
	}
	snap(a, &st);
	assert_int_equal(st.tx_keylimit, 2);
	assert_int_equal(st.tx_errors, 1);
	/* the exhausted send key is gone */
	assert_true(mpc_is_zero(&a->tx.aead, sizeof(a->tx.aead)));
	assert_true(mpc_is_zero(a->tx.secret, sizeof(a->tx.secret)));
	mpc_chan_free(a);
	mpc_chan_free(b);
}

static void
test_seal_misuse(void **state)
{
	mpc_chan *a, *b;
	uint32_t  ep;
	uint64_t  sq, sq2;
	uint8_t   hdr[TU_HDR_LEN], buf[32], tag[16];
	mpc_chan_stats st;

	(void) state;
	tu_chan_pair(&a, &b, NULL, 0);
	memset(buf, 7, sizeof(buf));
	assert_int_equal(mpc_chan_seal(a, 0, 0, hdr, sizeof(hdr), buf,
	                     sizeof(buf), tag),
	    NNG_MPC_ECRYPTOARG); /* nothing reserved */
	assert_true(mpc_is_zero(buf, sizeof(buf)));
	assert_int_equal(mpc_chan_send_next(a, 0, &ep, &sq), 0);
	assert_int_equal(mpc_chan_seal(a, ep, sq + 1, hdr, sizeof(hdr), buf,
	                     sizeof(buf), tag),
	    NNG_MPC_ECRYPTOARG); /* not the reserved seq */
	assert_int_equal(mpc_chan_seal(a, ep + 1, sq, hdr, sizeof(hdr), buf,
	                     sizeof(buf), tag),
	    NNG_MPC_ECRYPTOARG); /* not the reserved epoch */
	/* a reservation is consumed even when not sealed: no reuse */
	assert_int_equal(mpc_chan_send_next(a, 0, &ep, &sq2), 0);
	assert_int_equal(sq2, sq + 1);
	tu_hdr_encode(hdr, ep, sq2);
	assert_int_equal(mpc_chan_seal(a, ep, sq2, hdr, sizeof(hdr), buf,
	                     sizeof(buf), tag),
	    0);
	assert_int_equal(mpc_chan_seal(a, ep, sq2, hdr, sizeof(hdr), buf,
	                     sizeof(buf), tag),
	    NNG_MPC_ECRYPTOARG); /* sealed twice */
	snap(a, &st);
	assert_int_equal(st.tx_frames, 1);
	assert_int_equal(st.tx_errors, 4);
	/* open argument errors */
	{
		mpc_chan_stats before, after;
		snap(b, &before);
		assert_int_equal(mpc_chan_open(b, 0, 0, 0, hdr, sizeof(hdr),
		                     NULL, 5, tag),
		    NNG_MPC_ECRYPTOARG);
		assert_int_equal(mpc_chan_open(b, 0, 0, 0, NULL, 4, buf,
		                     sizeof(buf), tag),
		    NNG_MPC_ECRYPTOARG);
		assert_true(mpc_is_zero(buf, sizeof(buf)));
		snap(b, &after);
		assert_int_equal(after.rx_errors, before.rx_errors + 2);
	}
	mpc_chan_free(a);
	mpc_chan_free(b);
}

static void
test_time_rotation(void **state)
{
	mpc_chan_config cfg = cfg_default();
	mpc_chan       *a, *b;
	tu_frame        f;

	(void) state;
	cfg.rekey_ns = 1000;
	tu_chan_pair(&a, &b, &cfg, 0);
	/* nothing sent yet: a late first frame stays in epoch 0 */
	tu_seal(a, 5000, &f, 4, 0);
	assert_int_equal(f.epoch, 0);
	expect_open(b, 5000, &f, 0);
	tu_frame_free(&f);
	/* epoch 0 has been open since t=0: due */
	tu_seal(a, 5001, &f, 4, 1);
	assert_int_equal(f.epoch, 1);
	expect_open(b, 5001, &f, 1);
	tu_frame_free(&f);
	tu_seal(a, 6000, &f, 4, 2); /* 999 ns into epoch 1 */
	assert_int_equal(f.epoch, 1);
	expect_open(b, 6000, &f, 2);
	tu_frame_free(&f);
	tu_seal(a, 6001, &f, 4, 3); /* 1000 ns */
	assert_int_equal(f.epoch, 2);
	expect_open(b, 6001, &f, 3);
	tu_frame_free(&f);
	/* an explicit request ratchets at the next frame */
	mpc_chan_rekey(a);
	tu_seal(a, 6002, &f, 4, 4);
	assert_int_equal(f.epoch, 3);
	expect_open(b, 6002, &f, 4);
	tu_frame_free(&f);
	/* a clock that goes backwards does not trigger anything */
	tu_seal(a, 10, &f, 4, 5);
	assert_int_equal(f.epoch, 3);
	expect_open(b, 10, &f, 5);
	tu_frame_free(&f);
	mpc_chan_free(a);
	mpc_chan_free(b);
}

static void
test_config_and_init(void **state)
{
	mpc_chan_config cfg;
	mpc_chan        c;
	mpc_keysched    ks;
	tu_hs           hs;
	mpc_keysched_input in;

	(void) state;
	mpc_chan_config_default(&cfg);
	assert_int_equal(mpc_chan_config_check(&cfg), 0);
	assert_int_equal(cfg.rekey_frames, (uint64_t) 1 << 24);
	assert_int_equal(cfg.replay_window, 1024);
	assert_int_equal(cfg.auth_fail_limit, 16);
	cfg.rekey_frames = 0;
	assert_int_equal(mpc_chan_config_check(&cfg), NNG_MPC_ECRYPTOARG);
	mpc_chan_config_default(&cfg);
	cfg.rekey_frames = cfg.seq_limit + 1;
	assert_int_equal(mpc_chan_config_check(&cfg), NNG_MPC_ECRYPTOARG);
	mpc_chan_config_default(&cfg);
	cfg.seq_limit = MPC_CHAN_DEFAULT_SEQ_LIMIT + 1; /* past RFC 8446 5.5 */
	assert_int_equal(mpc_chan_config_check(&cfg), NNG_MPC_ECRYPTOARG);
	mpc_chan_config_default(&cfg);
	cfg.replay_window = 8193;
	assert_int_equal(mpc_chan_config_check(&cfg), NNG_MPC_ECRYPTOARG);
	cfg.replay_window = 8192;
	assert_int_equal(mpc_chan_config_check(&cfg), 0);
	cfg.auth_fail_limit = 0;
	assert_int_equal(mpc_chan_config_check(&cfg), NNG_MPC_ECRYPTOARG);

	tu_hs_default(&hs);
	in = tu_hs_input(&hs, 1);
	assert_int_equal(mpc_keysched_derive(&ks, &in), 0);
	assert_int_equal(mpc_chan_init(&c, &cfg, &ks, 0), NNG_MPC_ECRYPTOARG);
	assert_true(mpc_is_zero(&c, sizeof(c)));
	assert_int_equal(mpc_chan_init(&c, NULL, &ks, 0), 0);
	mpc_keysched_wipe(&ks);
	mpc_chan_fini(&c);
	/* fini leaves nothing: keys, IVs, secrets, windows */
	assert_true(mpc_is_zero(&c, sizeof(c)));
	mpc_chan_fini(&c); /* and is idempotent */
}

/* ------------------------------------------------------------------ */
/* One sender thread and one receiver thread on the same channel.       */

enum { CONC_FRAMES = 3000 };

typedef struct conc {
	mpc_chan *c;
	tu_frame *frames; /* to seal (send) or to open (recv) */
	int       errors;
} conc;

static void *
conc_send(void *arg)
{
	conc *k = arg;

	for (int i = 0; i < CONC_FRAMES; i++) {
		tu_frame *f = &k->frames[i];
		if (mpc_chan_send_next(k->c, 0, &f->epoch, &f->seq) != 0) {
			k->errors++;
			continue;
		}
		tu_hdr_encode(f->hdr, f->epoch, f->seq);
		if (mpc_chan_seal(k->c, f->epoch, f->seq, f->hdr, TU_HDR_LEN,
		        f->buf, f->len, f->tag) != 0) {
			k->errors++;
		}
	}
	return (NULL);
}

static void *
conc_recv(void *arg)
{
	conc *k = arg;

	for (int i = 0; i < CONC_FRAMES; i++) {
		tu_frame *f = &k->frames[i];
		if (mpc_chan_open(k->c, f->epoch, f->seq, 0, f->hdr, TU_HDR_LEN,
		        f->buf, f->len, f->tag) != 0) {
			k->errors++;
		}
	}
	return (NULL);
}

static void
test_concurrent_halves(void **state)
{
	mpc_chan_config cfg = cfg_default();
	mpc_chan       *a, *b;
	tu_frame       *out = calloc(CONC_FRAMES, sizeof(*out));
	tu_frame       *in  = calloc(CONC_FRAMES, sizeof(*in));
	conc            ks, kr;
	pthread_t       ts, tr;

	(void) state;
	cfg.rekey_frames = 50;
	tu_chan_pair(&a, &b, &cfg, 0);
	for (int i = 0; i < CONC_FRAMES; i++) {
		out[i].len = 64;
		out[i].buf = malloc(64);
		tu_pattern(out[i].buf, 64, (uint8_t) i);
		tu_seal(b, 0, &in[i], 64, (uint8_t) i); /* B -> A, beforehand */
	}
	ks = (conc) { .c = a, .frames = out };
	kr = (conc) { .c = a, .frames = in };
	/* A seals (send half) while A opens (receive half) */
	assert_int_equal(pthread_create(&ts, NULL, conc_send, &ks), 0);
	assert_int_equal(pthread_create(&tr, NULL, conc_recv, &kr), 0);
	pthread_join(ts, NULL);
	pthread_join(tr, NULL);
	assert_int_equal(ks.errors, 0);
	assert_int_equal(kr.errors, 0);
	for (int i = 0; i < CONC_FRAMES; i++) {
		uint8_t want[64];
		tu_pattern(want, 64, (uint8_t) i);
		assert_memory_equal(in[i].buf, want, 64);
		expect_open(b, 0, &out[i], (uint8_t) i);
		tu_frame_free(&out[i]);
		tu_frame_free(&in[i]);
	}
	free(out);
	free(in);
	mpc_chan_free(a);
	mpc_chan_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_tamper_every_byte),
		cmocka_unit_test(test_rotation_thousands),
		cmocka_unit_test(test_grace_and_wiped_epoch),
		cmocka_unit_test(test_epoch_ahead),
		cmocka_unit_test(test_replay_too_old_seq_limit),
		cmocka_unit_test(test_auth_fail_limit),
		cmocka_unit_test(test_key_limit),
		cmocka_unit_test(test_seal_misuse),
		cmocka_unit_test(test_time_rotation),
		cmocka_unit_test(test_config_and_init),
		cmocka_unit_test(test_concurrent_halves),
	};
	return (cmocka_run_group_tests_name("crypto_channel", tests, NULL, NULL));
}
