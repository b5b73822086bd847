/*
 * test_envelope: the envelope helpers (transport/mpc_envelope.c).
 * Outgoing body prefix: set/update/round trip through the transport's
 * parser, misuse leaves the message unchanged, damaged prefixes are
 * rejected with their code and counter.  Incoming header record: written
 * by the transport, read by every getter, found only at offset 0 with its
 * magic, NNG_MPC_ENOENVELOPE otherwise with the output zeroed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mpc_envelope.h"

static const uint8_t out_magic[8] = { 0x89, 'M', 'P', 'C', 'E', 'N', 'V',
	0x01 };
static const uint8_t in_magic[8] = { 0x89, 'M', 'P', 'C', 'R', 'C', 'V',
	0x01 };

static nng_msg *
new_msg(const char *body)
{
	nng_msg *m;
	assert_int_equal(nng_msg_alloc(&m, 0), 0);
	if (body != NULL) {
		assert_int_equal(nng_msg_append(m, body, strlen(body)), 0);
	}
	return (m);
}

static mpc_envelope_out
parse_ok(nng_msg *m)
{
	mpc_envelope_out e;
	mpc_wire_stats   st;

	memset(&st, 0, sizeof(st));
	assert_int_equal(
	    mpc_envelope_parse_out(&e, nng_msg_body(m), nng_msg_len(m), &st), 0);
	for (int i = 0; i < MPC_WIRE_NERR; i++) {
		assert_int_equal(st.rejected[i], 0);
	}
	return (e);
}

static void
test_no_envelope_defaults(void **state)
{
	nng_msg         *m = new_msg("hello");
	mpc_envelope_out e = parse_ok(m);

	(void) state;
	assert_int_equal(e.prefix_len, 0);
	assert_int_equal(e.type, NNG_MPC_MSG_APP_DEFAULT);
	assert_int_equal(e.recipient, NNG_MPC_PARTY_BROADCAST);
	nng_msg_free(m);

	/* Empty body, and a body that is only a prefix of the magic. */
	m = new_msg(NULL);
	e = parse_ok(m);
	assert_int_equal(e.prefix_len, 0);
	assert_int_equal(nng_msg_append(m, out_magic, 7), 0);
	e = parse_ok(m);
	assert_int_equal(e.prefix_len, 0);
	assert_int_equal(e.type, NNG_MPC_MSG_APP_DEFAULT);
	nng_msg_free(m);
}

static void
test_set_type_inserts_then_updates(void **state)
{
	nng_msg         *m = new_msg("payload");
	mpc_envelope_out e;

	(void) state;
	assert_int_equal(nng_mpc_msg_set_type(m, NNG_MPC_MSG_SIGN_ROUND3), 0);
	assert_int_equal(nng_msg_len(m), NNG_MPC_ENVELOPE_OUT_SIZE + 7);
	assert_memory_equal(nng_msg_body(m), out_magic, 8);
	e = parse_ok(m);
	assert_int_equal(e.prefix_len, NNG_MPC_ENVELOPE_OUT_SIZE);
	assert_int_equal(e.type, NNG_MPC_MSG_SIGN_ROUND3);
	assert_int_equal(e.recipient, NNG_MPC_PARTY_BROADCAST);

	/* Updates in place: no second prefix. */
	assert_int_equal(nng_mpc_msg_set_recipient(m, 7), 0);
	assert_int_equal(nng_mpc_msg_set_type(m, 0x9000), 0);
	assert_int_equal(nng_msg_len(m), NNG_MPC_ENVELOPE_OUT_SIZE + 7);
	e = parse_ok(m);
	assert_int_equal(e.type, 0x9000);
	assert_int_equal(e.recipient, 7);
	assert_memory_equal((uint8_t *) nng_msg_body(m) + e.prefix_len,
	    "payload", 7);
	/* Exact bytes: magic, type 0x9000, flags 0, recipient 7. */
	{
		static const uint8_t want[16] = { 0x89, 'M', 'P', 'C', 'E', 'N',
			'V', 0x01, 0x90, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07 };
		assert_memory_equal(nng_msg_body(m), want, 16);
	}
	nng_msg_free(m);
}

static void
test_set_recipient_first(void **state)
{
	nng_msg         *m = new_msg(NULL);
	mpc_envelope_out e;

	(void) state;
	assert_int_equal(nng_mpc_msg_set_recipient(m, NNG_MPC_PARTY_MAX), 0);
	e = parse_ok(m);
	assert_int_equal(e.type, NNG_MPC_MSG_APP_DEFAULT);
	assert_int_equal(e.recipient, NNG_MPC_PARTY_MAX);
	assert_int_equal(nng_msg_len(m), NNG_MPC_ENVELOPE_OUT_SIZE);
	assert_int_equal(nng_mpc_msg_set_recipient(m, NNG_MPC_PARTY_BROADCAST), 0);
	e = parse_ok(m);
	assert_int_equal(e.recipient, NNG_MPC_PARTY_BROADCAST);
	nng_msg_free(m);
}

static void
test_every_app_type_round_trips(void **state)
{
	static const uint16_t types[] = { NNG_MPC_MSG_DKG_ROUND1,
		NNG_MPC_MSG_DKG_ROUND2, NNG_MPC_MSG_DKG_ROUND3,
		NNG_MPC_MSG_SIGN_ROUND1, NNG_MPC_MSG_SIGN_ROUND2,
		NNG_MPC_MSG_SIGN_ROUND3, NNG_MPC_MSG_SIGN_ROUND4,
		NNG_MPC_MSG_PRESIGN_ROUND1, NNG_MPC_MSG_PRESIGN_ROUND2,
		NNG_MPC_MSG_HEARTBEAT, NNG_MPC_MSG_ACK, NNG_MPC_MSG_ERROR,
		NNG_MPC_MSG_APP_DEFAULT, 0x8001, 0xFFFF };
	nng_msg *m = new_msg("x");

	(void) state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		mpc_envelope_out e;
		assert_int_equal(nng_mpc_msg_set_type(m, types[i]), 0);
		e = parse_ok(m);
		assert_int_equal(e.type, types[i]);
	}
	nng_msg_free(m);
}

/* Misuse: the error, and the message unchanged. */
static void
expect_set_fails(nng_msg *m, int is_type, uint32_t v, int want)
{
	size_t  len = nng_msg_len(m);
	uint8_t copy[64];

	assert_true(len <= sizeof(copy));
	memcpy(copy, nng_msg_body(m), len);
	if (is_type) {
		assert_int_equal(nng_mpc_msg_set_type(m, (uint16_t) v), want);
	} else {
		assert_int_equal(nng_mpc_msg_set_recipient(m, v), want);
	}
	assert_int_equal(nng_msg_len(m), len);
	assert_memory_equal(nng_msg_body(m), copy, len);
}

static void
test_set_misuse(void **state)
{
	nng_msg *m = new_msg("abc");

	(void) state;
	assert_int_equal(nng_mpc_msg_set_type(NULL, 1), NNG_EINVAL);
	assert_int_equal(nng_mpc_msg_set_recipient(NULL, 1), NNG_EINVAL);
	/* Without a prefix... */
	expect_set_fails(m, 1, 0, NNG_MPC_ETYPE);
	expect_set_fails(m, 1, 0x0004, NNG_MPC_ETYPE);
	expect_set_fails(m, 1, 0x0200, NNG_MPC_ETYPE);
	expect_set_fails(m, 1, 0x7FFF, NNG_MPC_ETYPE);
	expect_set_fails(m, 1, NNG_MPC_MSG_CTL_HELLO, NNG_MPC_ECONTROL);
	expect_set_fails(m, 1, NNG_MPC_MSG_CTL_FINISHED, NNG_MPC_ECONTROL);
	expect_set_fails(m, 1, NNG_MPC_MSG_CTL_REKEY, NNG_MPC_ECONTROL);
	expect_set_fails(m, 1, NNG_MPC_MSG_CTL_CLOSE, NNG_MPC_ECONTROL);
	expect_set_fails(m, 0, NNG_MPC_PARTY_NONE, NNG_MPC_ERCPTNONE);
	/* ...and with one. */
	assert_int_equal(nng_mpc_msg_set_type(m, NNG_MPC_MSG_ACK), 0);
	expect_set_fails(m, 1, NNG_MPC_MSG_CTL_REKEY, NNG_MPC_ECONTROL);
	expect_set_fails(m, 0, NNG_MPC_PARTY_NONE, NNG_MPC_ERCPTNONE);
	nng_msg_free(m);
}

/* A body starting with a damaged prefix: set and parse both refuse. */
static void
expect_damaged(const uint8_t *body, size_t len, int want)
{
	nng_msg         *m = new_msg(NULL);
	mpc_envelope_out e;
	mpc_wire_stats   st;

	assert_int_equal(nng_msg_append(m, body, len), 0);
	memset(&st, 0, sizeof(st));
	memset(&e, 0xAA, sizeof(e));
	assert_int_equal(mpc_envelope_parse_out(&e, body, len, &st), want);
	assert_int_equal(mpc_wire_stats_get(&st, want), 1);
	assert_int_equal(e.prefix_len, 0);
	assert_int_equal(e.type, 0);
	assert_int_equal(e.recipient, 0);
	if (want == NNG_MPC_EENVSHORT || want == NNG_MPC_EENVFLAGS) {
		/* The setters refuse to build on a damaged prefix. */
		expect_set_fails(m, 1, NNG_MPC_MSG_ACK, want);
		expect_set_fails(m, 0, 5, want);
	}
	nng_msg_free(m);
}

static void
test_damaged_prefixes(void **state)
{
	uint8_t b[20];

	(void) state;
	for (size_t n = 8; n < NNG_MPC_ENVELOPE_OUT_SIZE; n++) {
		memset(b, 0, sizeof(b));
		memcpy(b, out_magic, 8);
		expect_damaged(b, n, NNG_MPC_EENVSHORT);
	}
	/* magic | type | flags | recipient */
	memcpy(b, out_magic, 8);
	memcpy(b + 8, "\x00\x32\x00\x01\x00\x00\x00\x05", 8);
	expect_damaged(b, 16, NNG_MPC_EENVFLAGS);
	memcpy(b + 8, "\x00\x32\x80\x00\x00\x00\x00\x05", 8);
	expect_damaged(b, 16, NNG_MPC_EENVFLAGS);
	memcpy(b + 8, "\x00\x00\x00\x00\x00\x00\x00\x05", 8);
	expect_damaged(b, 16, NNG_MPC_ETYPE);
	memcpy(b + 8, "\x02\x00\x00\x00\x00\x00\x00\x05", 8);
	expect_damaged(b, 20, NNG_MPC_ETYPE);
	memcpy(b + 8, "\x01\x00\x00\x00\x00\x00\x00\x05", 8);
	expect_damaged(b, 16, NNG_MPC_ECONTROL);
	memcpy(b + 8, "\x01\x02\x00\x00\x00\x00\x00\x05", 8);
	expect_damaged(b, 16, NNG_MPC_ECONTROL);
	memcpy(b + 8, "\x00\x32\x00\x00\x00\x00\x00\x00", 8);
	expect_damaged(b, 16, NNG_MPC_ERCPTNONE);
	assert_int_equal(mpc_envelope_parse_out(NULL, b, 16, NULL), NNG_EINVAL);
}

static mpc_frame_hdr
frame_hdr(void)
{
	mpc_frame_hdr h = {
		.flags        = 0,
		.type         = NNG_MPC_MSG_PRESIGN_ROUND2,
		.sender       = 3,
		.recipient    = NNG_MPC_PARTY_BROADCAST,
		.epoch        = 9,
		.payload_len  = 5,
		.sequence     = 0x0102030405060708ull,
		.timestamp_ns = 1700000000123456789ull,
	};
	return (h);
}

static void
test_incoming_record(void **state)
{
	nng_msg      *m = new_msg("body!");
	mpc_frame_hdr h = frame_hdr();
	uint16_t      type;
	uint32_t      party;
	uint64_t      v;
	static const uint8_t want[NNG_MPC_ENVELOPE_IN_SIZE] = { 0x89, 'M', 'P',
		'C', 'R', 'C', 'V', 0x01, 0x00, 0x22, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x03, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x09, 0x01,
		0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x17, 0x97, 0x9c, 0xfe,
		0x3d, 0x85, 0xcd, 0x15 };

	(void) state;
	assert_int_equal(mpc_envelope_put_in(m, &h), 0);
	assert_int_equal(nng_msg_header_len(m), NNG_MPC_ENVELOPE_IN_SIZE);
	assert_memory_equal(nng_msg_header(m), want, sizeof(want));
	/* The body is what the peer sent. */
	assert_int_equal(nng_msg_len(m), 5);
	assert_memory_equal(nng_msg_body(m), "body!", 5);

	/* pair1 appends its hop count after our record. */
	assert_int_equal(nng_msg_header_append_u32(m, 1), 0);
	assert_int_equal(nng_mpc_msg_type(m, &type), 0);
	assert_int_equal(type, NNG_MPC_MSG_PRESIGN_ROUND2);
	assert_int_equal(nng_mpc_msg_sender(m, &party), 0);
	assert_int_equal(party, 3);
	assert_int_equal(nng_mpc_msg_recipient(m, &party), 0);
	assert_int_equal(party, NNG_MPC_PARTY_BROADCAST);
	assert_int_equal(nng_mpc_msg_sequence(m, &v), 0);
	assert_int_equal(v, 0x0102030405060708ull);
	assert_int_equal(nng_mpc_msg_timestamp(m, &v), 0);
	assert_int_equal(v, 1700000000123456789ull);
	assert_int_equal(mpc_envelope_put_in(NULL, &h), NNG_EINVAL);
	assert_int_equal(mpc_envelope_put_in(m, NULL), NNG_EINVAL);
	nng_msg_free(m);
}

static void
expect_no_envelope(nng_msg *m)
{
	uint16_t type  = 0xAAAA;
	uint32_t party = 0xAAAAAAAA;
	uint64_t v     = 0xAAAAAAAAAAAAAAAAull;

	assert_int_equal(nng_mpc_msg_type(m, &type), NNG_MPC_ENOENVELOPE);
	assert_int_equal(type, 0);
	assert_int_equal(nng_mpc_msg_sender(m, &party), NNG_MPC_ENOENVELOPE);
	assert_int_equal(party, 0);
	party = 0xAAAAAAAA;
	assert_int_equal(nng_mpc_msg_recipient(m, &party), NNG_MPC_ENOENVELOPE);
	assert_int_equal(party, 0);
	assert_int_equal(nng_mpc_msg_sequence(m, &v), NNG_MPC_ENOENVELOPE);
	assert_int_equal(v, 0);
	v = 0xAAAAAAAAAAAAAAAAull;
	assert_int_equal(nng_mpc_msg_timestamp(m, &v), NNG_MPC_ENOENVELOPE);
	assert_int_equal(v, 0);
}

static void
test_getters_without_record(void **state)
{
	nng_msg      *m = new_msg("x");
	mpc_frame_hdr h = frame_hdr();
	uint8_t       rec[NNG_MPC_ENVELOPE_IN_SIZE];
	uint16_t      type = 0xAAAA;

	(void) state;
	/* No header at all. */
	expect_no_envelope(m);
	/* An outgoing prefix in the body is not an incoming record. */
	assert_int_equal(nng_mpc_msg_set_type(m, NNG_MPC_MSG_ACK), 0);
	expect_no_envelope(m);
	/* A record one byte short. */
	memset(rec, 0, sizeof(rec));
	memcpy(rec, in_magic, 8);
	assert_int_equal(nng_msg_header_append(m, rec, sizeof(rec) - 1), 0);
	expect_no_envelope(m);
	nng_msg_header_clear(m);
	/* Full length, wrong magic (one bit). */
	rec[7] ^= 0x02;
	assert_int_equal(nng_msg_header_append(m, rec, sizeof(rec)), 0);
	expect_no_envelope(m);
	nng_msg_header_clear(m);
	/* The record somewhere other than offset 0. */
	assert_int_equal(nng_msg_header_append_u32(m, 1), 0);
	assert_int_equal(mpc_envelope_put_in(m, &h), 0);
	assert_int_equal(nng_mpc_msg_type(m, &type), 0); /* inserted first */
	assert_int_equal(nng_msg_header_trim(m, 1), 0);
	expect_no_envelope(m);

	/* NULL arguments. */
	assert_int_equal(nng_mpc_msg_type(NULL, &type), NNG_EINVAL);
	assert_int_equal(type, 0);
	assert_int_equal(nng_mpc_msg_type(m, NULL), NNG_EINVAL);
	assert_int_equal(nng_mpc_msg_sender(m, NULL), NNG_EINVAL);
	assert_int_equal(nng_mpc_msg_recipient(m, NULL), NNG_EINVAL);
	assert_int_equal(nng_mpc_msg_sequence(m, NULL), NNG_EINVAL);
	assert_int_equal(nng_mpc_msg_timestamp(m, NULL), NNG_EINVAL);
	nng_msg_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_envelope_defaults),
		cmocka_unit_test(test_set_type_inserts_then_updates),
		cmocka_unit_test(test_set_recipient_first),
		cmocka_unit_test(test_every_app_type_round_trips),
		cmocka_unit_test(test_set_misuse),
		cmocka_unit_test(test_damaged_prefixes),
		cmocka_unit_test(test_incoming_record),
		cmocka_unit_test(test_getters_without_record),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
