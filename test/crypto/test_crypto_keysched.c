/*
 * test_crypto_keysched: the HKDF key schedule.
 *  - the two parties derive independently and agree on every key: A's send
 *    secret is B's receive secret, at epoch 0 and after ratchets, and the
 *    per-epoch key/IV match; finished keys are mirrored;
 *  - every input matters: a different session ID, party ID, session key,
 *    random or channel binding gives different keys; directions and epochs
 *    never share a key;
 *  - the finished MAC verifies for the right key and transcript only;
 *  - bad inputs are refused with NNG_MPC_ECRYPTOARG and leave nothing.
 */
#include "crypto_test_util.h"

#include "mpc_keysched.h"

static void
derive(const tu_hs *hs, int a, mpc_keysched *ks)
{
	mpc_keysched_input in = tu_hs_input(hs, a);

	assert_int_equal(mpc_keysched_derive(ks, &in), 0);
}

static void
epoch_keys(const mpc_keysched *ks, int send, uint32_t epoch,
    uint8_t key[32], uint8_t iv[12])
{
	uint8_t secret[32];

	memcpy(secret, send ? ks->send_secret : ks->recv_secret, 32);
	for (uint32_t e = 0; e < epoch; e++) {
		assert_int_equal(mpc_keysched_next(secret, secret), 0);
	}
	assert_int_equal(mpc_keysched_epoch_keys(key, iv, secret,
	                     ks->session_id, send ? ks->self_id : ks->peer_id,
	                     send ? ks->peer_id : ks->self_id, epoch),
	    0);
	mpc_wipe(secret, sizeof(secret));
}

static void
test_parties_agree(void **state)
{
	tu_hs        hs;
	mpc_keysched a, b;

	(void) state;
	tu_hs_default(&hs);
	derive(&hs, 1, &a);
	derive(&hs, 0, &b);
	assert_memory_equal(a.send_secret, b.recv_secret, 32);
	assert_memory_equal(a.recv_secret, b.send_secret, 32);
	assert_memory_equal(a.self_finished, b.peer_finished, 32);
	assert_memory_equal(a.peer_finished, b.self_finished, 32);
	assert_memory_not_equal(a.send_secret, a.recv_secret, 32);
	assert_memory_not_equal(a.self_finished, a.peer_finished, 32);
	for (uint32_t e = 0; e < 5; e++) {
		uint8_t ka[32], ia[12], kb[32], ib[12];

		epoch_keys(&a, 1, e, ka, ia);
		epoch_keys(&b, 0, e, kb, ib);
		assert_memory_equal(ka, kb, 32);
		assert_memory_equal(ia, ib, 12);
		epoch_keys(&a, 0, e, ka, ia);
		epoch_keys(&b, 1, e, kb, ib);
		assert_memory_equal(ka, kb, 32);
		assert_memory_equal(ia, ib, 12);
	}
	mpc_keysched_wipe(&a);
	mpc_keysched_wipe(&b);
	assert_true(mpc_is_zero(&a, sizeof(a)));
}

/* All secrets and epoch-0/1 keys of A's view, concatenated. */
static void
fingerprint(const tu_hs *hs, uint8_t out[4 * 32 + 4 * 44])
{
	mpc_keysched ks;
	size_t       n = 0;

	derive(hs, 1, &ks);
	memcpy(out + n, ks.send_secret, 32);
	n += 32;
	memcpy(out + n, ks.recv_secret, 32);
	n += 32;
	memcpy(out + n, ks.self_finished, 32);
	n += 32;
	memcpy(out + n, ks.peer_finished, 32);
	n += 32;
	for (int send = 0; send < 2; send++) {
		for (uint32_t e = 0; e < 2; e++) {
			epoch_keys(&ks, send, e, out + n, out + n + 32);
			n += 44;
		}
	}
	mpc_keysched_wipe(&ks);
}

static void
assert_all_differ(const uint8_t *x, const uint8_t *y)
{
	/* every 32-byte secret and every 44-byte key+iv differs */
	for (size_t i = 0; i < 4; i++) {
		assert_memory_not_equal(x + 32 * i, y + 32 * i, 32);
	}
	for (size_t i = 0; i < 4; i++) {
		assert_memory_not_equal(x + 128 + 44 * i, y + 128 + 44 * i, 32);
		assert_memory_not_equal(
		    x + 128 + 44 * i + 32, y + 128 + 44 * i + 32, 12);
	}
}

static void
test_inputs_matter(void **state)
{
	tu_hs   base, v;
	uint8_t f0[4 * 32 + 4 * 44], f1[sizeof(f0)];

	(void) state;
	tu_hs_default(&base);
	fingerprint(&base, f0);

	v = base;
	v.session_id[15] ^= 1;
	fingerprint(&v, f1);
	assert_all_differ(f0, f1);

	v = base;
	v.id_b = base.id_b + 1; /* a different peer party ID */
	fingerprint(&v, f1);
	assert_all_differ(f0, f1);

	v = base;
	v.id_a = base.id_a + 100; /* a different own party ID */
	fingerprint(&v, f1);
	assert_all_differ(f0, f1);

	v = base;
	v.session_key[0] ^= 0x80;
	fingerprint(&v, f1);
	assert_all_differ(f0, f1);

	v = base;
	v.rand_a[31] ^= 1;
	fingerprint(&v, f1);
	assert_all_differ(f0, f1);

	v = base;
	v.rand_b[0] ^= 1;
	fingerprint(&v, f1);
	assert_all_differ(f0, f1);

	v = base;
	v.binding[0] ^= 1;
	fingerprint(&v, f1);
	assert_all_differ(f0, f1);

	v = base;
	v.binding_len = 0; /* no channel binding at all */
	fingerprint(&v, f1);
	assert_all_differ(f0, f1);

	/* directions and epochs never share a key */
	assert_memory_not_equal(f0 + 128, f0 + 128 + 44, 32);
	assert_memory_not_equal(f0 + 128, f0 + 128 + 88, 32);
	assert_memory_not_equal(f0 + 128 + 44, f0 + 128 + 132, 32);

	/* deterministic */
	fingerprint(&base, f1);
	assert_memory_equal(f0, f1, sizeof(f0));
}

static void
test_ratchet(void **state)
{
	uint8_t s[32], t[32], u[32];

	(void) state;
	for (int i = 0; i < 32; i++) {
		s[i] = (uint8_t) i;
	}
	/* next = HKDF-Expand(cur, "nng-mpc v1 key update", 32), checked
	 * against the public HKDF-Expand */
	assert_int_equal(nng_mpc_hkdf_sha256_expand(
	                     u, 32, s, 32, "nng-mpc v1 key update", 21),
	    0);
	assert_int_equal(mpc_keysched_next(t, s), 0);
	assert_memory_equal(t, u, 32);
	assert_int_equal(mpc_keysched_next(s, s), 0); /* in place */
	assert_memory_equal(s, u, 32);
	assert_memory_not_equal(t, (uint8_t[32]) { 0 }, 32);
}

static void
test_finished(void **state)
{
	tu_hs        hs;
	mpc_keysched a, b;
	uint8_t      mac[32];
	const char   transcript[] = "hello-a || hello-b || certificates";

	(void) state;
	tu_hs_default(&hs);
	derive(&hs, 1, &a);
	derive(&hs, 0, &b);
	/* A proves itself with its finished key; B checks with its view of
	 * A's key */
	assert_int_equal(mpc_keysched_finished(mac, a.self_finished,
	                     transcript, sizeof(transcript)),
	    0);
	assert_int_equal(mpc_keysched_finished_verify(mac, b.peer_finished,
	                     transcript, sizeof(transcript)),
	    0);
	/* B's own key, a changed transcript or a changed MAC: refused */
	assert_int_equal(mpc_keysched_finished_verify(mac, b.self_finished,
	                     transcript, sizeof(transcript)),
	    NNG_MPC_EAUTH);
	assert_int_equal(mpc_keysched_finished_verify(mac, b.peer_finished,
	                     transcript, sizeof(transcript) - 1),
	    NNG_MPC_EAUTH);
	for (int i = 0; i < 32; i++) {
		mac[i] ^= 0x01;
		assert_int_equal(mpc_keysched_finished_verify(mac,
		                     b.peer_finished, transcript,
		                     sizeof(transcript)),
		    NNG_MPC_EAUTH);
		mac[i] ^= 0x01;
	}
	mpc_keysched_wipe(&a);
	mpc_keysched_wipe(&b);
}

static void
test_bad_inputs(void **state)
{
	tu_hs              hs;
	mpc_keysched       ks;
	mpc_keysched_input in;

	(void) state;
	tu_hs_default(&hs);

	in = tu_hs_input(&hs, 1);
	in.peer_id = in.self_id; /* talking to itself */
	memset(&ks, 0xaa, sizeof(ks));
	assert_int_equal(mpc_keysched_derive(&ks, &in), NNG_MPC_ECRYPTOARG);
	assert_true(mpc_is_zero(&ks, sizeof(ks)));

	in             = tu_hs_input(&hs, 1);
	in.binding_len = MPC_KS_BINDING_MAX + 1;
	assert_int_equal(mpc_keysched_derive(&ks, &in), NNG_MPC_ECRYPTOARG);

	in             = tu_hs_input(&hs, 1);
	in.binding     = NULL;
	in.binding_len = 4;
	assert_int_equal(mpc_keysched_derive(&ks, &in), NNG_MPC_ECRYPTOARG);

	in             = tu_hs_input(&hs, 1);
	in.session_key = NULL;
	assert_int_equal(mpc_keysched_derive(&ks, &in), NNG_MPC_ECRYPTOARG);

	in             = tu_hs_input(&hs, 1);
	in.peer_random = NULL;
	assert_int_equal(mpc_keysched_derive(&ks, &in), NNG_MPC_ECRYPTOARG);
	assert_int_equal(mpc_keysched_derive(&ks, NULL), NNG_MPC_ECRYPTOARG);

	/* the maximum binding is fine */
	in             = tu_hs_input(&hs, 1);
	in.binding_len = MPC_KS_BINDING_MAX;
	assert_int_equal(mpc_keysched_derive(&ks, &in), 0);
	mpc_keysched_wipe(&ks);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parties_agree),
		cmocka_unit_test(test_inputs_matter),
		cmocka_unit_test(test_ratchet),
		cmocka_unit_test(test_finished),
		cmocka_unit_test(test_bad_inputs),
	};
	return (cmocka_run_group_tests_name("crypto_keysched", tests, NULL, NULL));
}
