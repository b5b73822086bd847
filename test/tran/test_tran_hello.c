/*
 * test_tran_hello.c -- the pure handshake code (transport/mpc_tran_hello.c,
 * mpc_tran_cfg.c) without sockets: hello encode/decode and each field's
 * rejection, both sides of a handshake agreeing (keys, transcript,
 * finished MACs), each refusal of mpc_hs_check_peer, the refusal record,
 * and the pin-list parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "mpc_tran_cfg.h"
#include "mpc_tran_hello.h"
#include "mpc_wipe.h"

static const uint8_t tu_sid[NNG_MPC_SESSION_ID_SIZE] = { 1, 2, 3, 4, 5, 6,
	7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
static const uint8_t tu_key[NNG_MPC_SESSION_KEY_SIZE] = { 0xa0, 0xa1, 0xa2,
	0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae,
	0xaf, 0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba,
	0xbb, 0xbc, 0xbd, 0xbe, 0xbf };

static void
cfg_for(mpc_tran_cfg *cfg, uint32_t party)
{
	mpc_tran_cfg_init(cfg);
	cfg->party_id         = party;
	cfg->have_session_id  = true;
	cfg->have_session_key = true;
	memcpy(cfg->session_id, tu_sid, sizeof(cfg->session_id));
	memcpy(cfg->session_key, tu_key, sizeof(cfg->session_key));
}

/* Runs both sides in memory up to the finished records. */
static void
pair_up(mpc_tran_hs *a, mpc_tran_hs *b, const mpc_tran_cfg *ca,
    const mpc_tran_cfg *cb, bool binding)
{
	assert_int_equal(mpc_hs_init(a, ca, 0x11, true, binding, 1000), 0);
	assert_int_equal(mpc_hs_init(b, cb, 0x11, false, binding, 2000), 0);
	memcpy(a->rx, b->tx, sizeof(a->rx));
	memcpy(b->rx, a->tx, sizeof(b->rx));
}

static void
test_hello_round_trip(void **state)
{
	mpc_hello h;
	mpc_hello d;
	uint8_t   buf[MPC_HELLO_SIZE];

	(void) state;
	memset(&h, 0, sizeof(h));
	h.version     = MPC_HELLO_VERSION;
	h.party_id    = 0xFFFFFFFE;
	h.caps        = MPC_HELLO_CAP_BINDING | 0x80000000u;
	h.max_payload = NNG_MPC_PAYLOAD_MAX;
	memset(h.session_id, 0x5a, sizeof(h.session_id));
	memset(h.random, 0xa5, sizeof(h.random));
	assert_int_equal(mpc_hello_encode(buf, sizeof(buf), &h), 0);
	assert_memory_equal(buf, "MPCH", 4);
	assert_int_equal(mpc_hello_decode(&d, buf, sizeof(buf)), 0);
	assert_memory_equal(&d, &h, sizeof(h));
	/* Too small an output buffer. */
	assert_int_equal(mpc_hello_encode(buf, sizeof(buf) - 1, &h), NNG_EINVAL);
}

static void
test_hello_rejections(void **state)
{
	static const struct {
		const char *what;
		size_t      off;
		uint8_t     val;
		int         err;
	} cases[] = {
		{ "magic", 0, 'X', NNG_MPC_EHELLO },
		{ "magic last", 3, 'h', NNG_MPC_EHELLO },
		{ "version 0", 5, 0, NNG_MPC_EHELLOVERSION },
		{ "version 2", 5, 2, NNG_MPC_EHELLOVERSION },
		{ "version 257", 4, 1, NNG_MPC_EHELLOVERSION },
		{ "length", 7, 71, NNG_MPC_EHELLO },
		{ "length high", 6, 1, NNG_MPC_EHELLO },
		{ "party 0", 11, 0, NNG_MPC_EHELLO },
		{ "party broadcast", 8, 0xff, NNG_MPC_EHELLO },
		{ "max 0", 71, 0, NNG_MPC_EHELLO },
		{ "max over", 64, 0x01, NNG_MPC_EHELLO },
	};
	mpc_hello h;
	mpc_hello d;
	uint8_t   good[MPC_HELLO_SIZE];
	uint8_t   bad[MPC_HELLO_SIZE];

	(void) state;
	memset(&h, 0, sizeof(h));
	h.version     = MPC_HELLO_VERSION;
	h.party_id    = 7;
	h.max_payload = 5;
	assert_int_equal(mpc_hello_encode(good, sizeof(good), &h), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(bad, good, sizeof(bad));
		if (strcmp(cases[i].what, "party broadcast") == 0) {
			memset(bad + 8, 0xff, 4);
		} else {
			bad[cases[i].off] = cases[i].val;
		}
		memset(&d, 0x77, sizeof(d));
		if (mpc_hello_decode(&d, bad, sizeof(bad)) != cases[i].err) {
			fail_msg("hello with bad %s not refused as expected",
			    cases[i].what);
		}
		assert_true(mpc_is_zero(&d, sizeof(d)));
	}
	/* Every truncation. */
	for (size_t n = 0; n < sizeof(good); n++) {
		assert_int_not_equal(mpc_hello_decode(&d, good, n), 0);
		assert_true(mpc_is_zero(&d, sizeof(d)));
	}
	assert_int_equal(mpc_hello_decode(&d, NULL, 0), NNG_MPC_EHELLO);
}

static void
test_both_sides_agree(void **state)
{
	mpc_tran_cfg ca;
	mpc_tran_cfg cb;
	mpc_tran_hs  a;
	mpc_tran_hs  b;
	bool         rej;
	uint8_t      exp[MPC_HELLO_EXPORTER_SIZE];
	uint16_t     proto;

	(void) state;
	for (int binding = 0; binding < 2; binding++) {
		cfg_for(&ca, 2);
		cfg_for(&cb, 1);
		pair_up(&a, &b, &ca, &cb, binding != 0);
		assert_int_equal(mpc_hs_check_sp(&a, &proto), 0);
		assert_int_equal(proto, 0x11);
		assert_int_equal(mpc_hs_check_peer(&a), 0);
		assert_int_equal(mpc_hs_check_peer(&b), 0);
		assert_memory_equal(a.transcript, b.transcript, sizeof(a.transcript));
		assert_int_equal(a.peer.max_payload, 2000);
		assert_int_equal(b.peer.max_payload, 1000);
		if (binding) {
			assert_true(mpc_hs_binding(&a));
			/* Without the exporter the keys cannot be derived. */
			assert_int_equal(mpc_hs_derive(&a, 1), NNG_MPC_ENOIDENTITY);
			cfg_for(&ca, 2);
			pair_up(&a, &b, &ca, &cb, true);
			assert_int_equal(mpc_hs_check_peer(&a), 0);
			assert_int_equal(mpc_hs_check_peer(&b), 0);
			memset(exp, 0x42, sizeof(exp));
			mpc_hs_set_exporter(&a, exp, sizeof(exp));
			mpc_hs_set_exporter(&b, exp, sizeof(exp));
		}
		assert_int_equal(mpc_hs_derive(&a, 1), 0);
		assert_int_equal(mpc_hs_derive(&b, 1), 0);
		/* The session key and exporter copies are gone. */
		assert_true(mpc_is_zero(a.session_key, sizeof(a.session_key)));
		assert_true(mpc_is_zero(a.exporter, sizeof(a.exporter)));
		memcpy(a.rx_fin, b.tx_fin, sizeof(a.rx_fin));
		memcpy(b.rx_fin, a.tx_fin, sizeof(b.rx_fin));
		assert_int_equal(mpc_hs_check_finished(&a, &rej), 0);
		assert_false(rej);
		assert_int_equal(mpc_hs_check_finished(&b, &rej), 0);
		/* Each side's MAC is its own: a's record does not pass as
		 * b's (direction matters). */
		memcpy(a.rx_fin, a.tx_fin, sizeof(a.rx_fin));
		assert_int_equal(
		    mpc_hs_check_finished(&a, &rej), NNG_MPC_EKEYCONFIRM);
		mpc_hs_wipe(&a);
		mpc_hs_wipe(&b);
		assert_true(mpc_is_zero(&a, sizeof(a)));
		mpc_tran_cfg_wipe(&ca);
		mpc_tran_cfg_wipe(&cb);
	}
}

/* Derives both sides with a difference, and expects key confirmation to
 * fail both ways. */
static void
mismatch(void (*tweak)(mpc_tran_hs *a, mpc_tran_hs *b, mpc_tran_cfg *ca))
{
	mpc_tran_cfg ca;
	mpc_tran_cfg cb;
	mpc_tran_hs  a;
	mpc_tran_hs  b;
	bool         rej;

	cfg_for(&ca, 2);
	cfg_for(&cb, 1);
	tweak(NULL, NULL, &ca);
	pair_up(&a, &b, &ca, &cb, false);
	tweak(&a, &b, NULL);
	assert_int_equal(mpc_hs_check_peer(&a), 0);
	assert_int_equal(mpc_hs_check_peer(&b), 0);
	assert_int_equal(mpc_hs_derive(&a, 1), 0);
	assert_int_equal(mpc_hs_derive(&b, 1), 0);
	memcpy(a.rx_fin, b.tx_fin, sizeof(a.rx_fin));
	memcpy(b.rx_fin, a.tx_fin, sizeof(b.rx_fin));
	assert_int_equal(mpc_hs_check_finished(&a, &rej), NNG_MPC_EKEYCONFIRM);
	assert_false(rej);
	assert_int_equal(mpc_hs_check_finished(&b, &rej), NNG_MPC_EKEYCONFIRM);
	mpc_hs_wipe(&a);
	mpc_hs_wipe(&b);
}

static void
tweak_key(mpc_tran_hs *a, mpc_tran_hs *b, mpc_tran_cfg *ca)
{
	(void) a;
	(void) b;
	if (ca != NULL) {
		ca->session_key[7] ^= 1;
	}
}

static void
tweak_transcript(mpc_tran_hs *a, mpc_tran_hs *b, mpc_tran_cfg *ca)
{
	(void) ca;
	/* A hello altered in flight: b sees another random than a sent. */
	if (b != NULL) {
		b->rx[8 + 28] ^= 0x01;
	}
	(void) a;
}

static void
test_key_confirmation_fails(void **state)
{
	(void) state;
	mismatch(tweak_key);
	mismatch(tweak_transcript);
}

static void
test_check_peer_refusals(void **state)
{
	mpc_tran_cfg ca;
	mpc_tran_cfg cb;
	mpc_tran_hs  a;
	mpc_tran_hs  b;
	uint16_t     proto;

	(void) state;
	/* Another session. */
	cfg_for(&ca, 2);
	cfg_for(&cb, 1);
	cb.session_id[3] ^= 1;
	pair_up(&a, &b, &ca, &cb, false);
	assert_int_equal(mpc_hs_check_peer(&a), NNG_MPC_ESESSIONID);
	mpc_hs_wipe(&a);
	mpc_hs_wipe(&b);
	/* Our own party ID. */
	cfg_for(&cb, 2);
	pair_up(&a, &b, &ca, &cb, false);
	assert_int_equal(mpc_hs_check_peer(&a), NNG_MPC_ESELFPARTY);
	mpc_hs_wipe(&a);
	mpc_hs_wipe(&b);
	/* Channel binding on one side only. */
	cfg_for(&cb, 1);
	assert_int_equal(mpc_hs_init(&a, &ca, 0x11, true, true, 10), 0);
	assert_int_equal(mpc_hs_init(&b, &cb, 0x11, false, false, 10), 0);
	memcpy(a.rx, b.tx, sizeof(a.rx));
	assert_int_equal(mpc_hs_check_peer(&a), NNG_MPC_ECAPS);
	/* Not an SP header. */
	a.rx[1] = 'X';
	assert_int_equal(mpc_hs_check_sp(&a, &proto), NNG_EPROTO);
	a.rx[1] = 'S';
	a.rx[7] = 1;
	assert_int_equal(mpc_hs_check_sp(&a, &proto), NNG_EPROTO);
	mpc_hs_wipe(&a);
	mpc_hs_wipe(&b);
}

static void
test_refusal_record(void **state)
{
	mpc_tran_cfg ca;
	mpc_tran_hs  a;
	bool         rej;
	const int    known[] = { NNG_MPC_EHELLO, NNG_MPC_EHELLOVERSION,
                NNG_MPC_ESESSIONID, NNG_MPC_EKEYCONFIRM, NNG_MPC_EPARTYCERT,
                NNG_MPC_EDUPPARTY, NNG_MPC_ESELFPARTY, NNG_MPC_ECAPS,
                NNG_MPC_ENOIDENTITY };

	(void) state;
	cfg_for(&ca, 2);
	assert_int_equal(mpc_hs_init(&a, &ca, 0x11, true, false, 10), 0);
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		mpc_hs_reject(&a, known[i]);
		memcpy(a.rx_fin, a.tx_fin, sizeof(a.rx_fin));
		assert_int_equal(mpc_hs_check_finished(&a, &rej), known[i]);
		assert_true(rej);
	}
	/* A reason we do not know travels as NNG_MPC_EREJECTED. */
	mpc_hs_reject(&a, NNG_ENOMEM);
	memcpy(a.rx_fin, a.tx_fin, sizeof(a.rx_fin));
	assert_int_equal(mpc_hs_check_finished(&a, &rej), NNG_MPC_EREJECTED);
	a.rx_fin[5] = 0x7f; /* unknown status from the peer */
	assert_int_equal(mpc_hs_check_finished(&a, &rej), NNG_MPC_EREJECTED);
	/* Malformed records. */
	a.rx_fin[0] = 'X';
	assert_int_equal(mpc_hs_check_finished(&a, &rej), NNG_MPC_EHELLO);
	a.rx_fin[0] = 'M';
	a.rx_fin[6] = 1; /* reserved */
	assert_int_equal(mpc_hs_check_finished(&a, &rej), NNG_MPC_EHELLO);
	mpc_hs_wipe(&a);
}

static void
test_pins_parser(void **state)
{
	static const char *bad[] = {
		"a",
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0",
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg",
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef;",
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef:"
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	};
	mpc_tran_cfg cfg;
	char         out[MPC_TRAN_PINS_STR_MAX];
	char         many[MPC_TRAN_PINS_STR_MAX + 65];
	size_t       need;

	(void) state;
	mpc_tran_cfg_init(&cfg);
	assert_int_equal(mpc_tran_cfg_set_pins(&cfg,
	                     " 0123456789ABCDEF0123456789abcdef0123456789abcdef"
	                     "0123456789abcdef,\n"
	                     "ffffffffffffffffffffffffffffffffffffffffffffffff"
	                     "ffffffffffffffff ",
	                     132),
	    0);
	assert_int_equal(cfg.npins, 2);
	assert_int_equal(cfg.pins[0][0], 0x01);
	assert_int_equal(cfg.pins[0][4], 0x89);
	assert_int_equal(cfg.pins[1][31], 0xff);
	assert_int_equal(mpc_tran_cfg_get_pins(&cfg, out, sizeof(out), &need), 0);
	assert_string_equal(out,
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef,"
	    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(
		    mpc_tran_cfg_set_pins(&cfg, bad[i], strlen(bad[i])),
		    NNG_EINVAL);
		assert_int_equal(cfg.npins, 2); /* unchanged */
	}
	/* One more than the maximum. */
	many[0] = '\0';
	for (int i = 0; i <= MPC_TRAN_PINS_MAX; i++) {
		strcat(many, "0123456789abcdef0123456789abcdef0123456789abcdef"
		             "0123456789abcdef,");
	}
	assert_int_equal(
	    mpc_tran_cfg_set_pins(&cfg, many, strlen(many)), NNG_EINVAL);
	/* Empty clears. */
	assert_int_equal(mpc_tran_cfg_set_pins(&cfg, "", 0), 0);
	assert_int_equal(cfg.npins, 0);
	assert_int_equal(mpc_tran_cfg_get_pins(&cfg, out, sizeof(out), &need), 0);
	assert_string_equal(out, "");
}

static void
test_cfg_ready(void **state)
{
	mpc_tran_cfg cfg;

	(void) state;
	mpc_tran_cfg_init(&cfg);
	assert_int_equal(mpc_tran_cfg_ready(&cfg), NNG_MPC_ENOPARTYID);
	cfg.party_id = 4;
	assert_int_equal(mpc_tran_cfg_ready(&cfg), NNG_MPC_ENOSESSIONID);
	cfg.have_session_id = true;
	assert_int_equal(mpc_tran_cfg_ready(&cfg), NNG_MPC_ENOSESSIONKEY);
	cfg.have_session_key = true;
	assert_int_equal(mpc_tran_cfg_ready(&cfg), 0);
	assert_int_equal(cfg.hs_timeout, 10000);
	assert_true(cfg.channel_binding);
	mpc_tran_cfg_wipe(&cfg);
	assert_true(mpc_is_zero(&cfg, sizeof(cfg)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hello_round_trip),
		cmocka_unit_test(test_hello_rejections),
		cmocka_unit_test(test_both_sides_agree),
		cmocka_unit_test(test_key_confirmation_fails),
		cmocka_unit_test(test_check_peer_refusals),
		cmocka_unit_test(test_refusal_record),
		cmocka_unit_test(test_pins_parser),
		cmocka_unit_test(test_cfg_ready),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
