/*
 * fuzz_frame: libFuzzer target for every parser of the wire format --
 * the frame decoder (whole frame and header-only, with an open and a
 * strict policy), the outgoing envelope prefix parser and setters, and
 * the incoming envelope record getters.
 *
 * Beyond "no crash, no sanitizer report" it checks the codec's contract
 * and aborts when it breaks:
 *   - a decoded frame is exactly 48 + payload length + 16 bytes, its views
 *     point into the input, and re-encoding the header gives back the
 *     input's 48 bytes (one canonical encoding);
 *   - whole-frame success implies header-only success, strict success
 *     implies open success;
 *   - every rejection returns a wire code, moves exactly one counter and
 *     leaves the output zeroed;
 *   - the incoming record built from a decoded header (put_in), in front
 *     of whatever header the message had, reads back through the getters
 *     as that header's fields.
 * Seeds: test/fuzz/corpus/fuzz_frame (gen_fuzz_frame_corpus.py).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mpc_envelope.h"
#include "mpc_frame.h"

#include "fuzz_check.h"

static int
all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t        acc = 0;
	for (size_t i = 0; i < n; i++) {
		acc |= b[i];
	}
	return (acc == 0);
}

static uint64_t
total(const mpc_wire_stats *s)
{
	uint64_t t = 0;
	for (int i = 0; i < MPC_WIRE_NERR; i++) {
		t += s->rejected[i];
	}
	return (t);
}

/* A rejection: a wire code, one counter moved, output zeroed. */
static void
check_reject(int rv, mpc_wire_stats *st, const void *out, size_t n)
{
	CHECK(rv > NNG_MPC_ERRBASE && rv < NNG_MPC_ERRBASE + MPC_WIRE_NERR);
	CHECK(mpc_wire_stats_get(st, rv) == 1 && total(st) == 1);
	CHECK(all_zero(out, n));
}

static int
decode_frame(const uint8_t *data, size_t size, const mpc_frame_policy *p)
{
	mpc_wire_stats st;
	mpc_frame_view v;
	mpc_frame_hdr  h;
	uint8_t        again[NNG_MPC_FRAME_HEADER_SIZE];
	int            rv, rvh;
	volatile uint8_t sink = 0;

	memset(&st, 0, sizeof(st));
	rv = mpc_frame_decode(&v, data, size, p, &st);
	if (rv != 0) {
		check_reject(rv, &st, &v, sizeof(v));
	} else {
		CHECK(size == NNG_MPC_FRAME_OVERHEAD + (size_t) v.hdr.payload_len);
		CHECK(v.aad == data);
		CHECK(v.payload == data + NNG_MPC_FRAME_HEADER_SIZE);
		CHECK(v.tag == v.payload + v.hdr.payload_len);
		/* Touch every byte of the views: ASan checks the bounds. */
		for (size_t i = 0; i < v.hdr.payload_len; i++) {
			sink ^= v.payload[i];
		}
		for (size_t i = 0; i < NNG_MPC_FRAME_TAG_SIZE; i++) {
			sink ^= v.tag[i];
		}
		CHECK(mpc_frame_encode_header(again, sizeof(again), &v.hdr,
		          p->max_payload) == 0);
		CHECK(memcmp(again, data, sizeof(again)) == 0);
	}
	(void) sink;

	memset(&st, 0, sizeof(st));
	rvh = mpc_frame_decode_header(&h, data, size, p, &st);
	if (rvh != 0) {
		check_reject(rvh, &st, &h, sizeof(h));
		/* Only the length checks are left to the whole-frame decoder. */
		CHECK(rv == rvh);
	} else {
		CHECK(size >= NNG_MPC_FRAME_HEADER_SIZE);
		CHECK(rv == 0 || rv == NNG_MPC_ETRUNCATED || rv == NNG_MPC_ETRAILING);
		CHECK(mpc_frame_encode_header(
		          again, sizeof(again), &h, p->max_payload) == 0);
		CHECK(memcmp(again, data, sizeof(again)) == 0);
	}
	return (rv);
}

static void
envelope(const uint8_t *data, size_t size)
{
	mpc_wire_stats   st;
	mpc_envelope_out e;
	nng_msg         *m;
	uint16_t         type;
	uint32_t         party;
	uint64_t         v;
	int              rv;

	memset(&st, 0, sizeof(st));
	rv = mpc_envelope_parse_out(&e, data, size, &st);
	if (rv != 0) {
		check_reject(rv, &st, &e, sizeof(e));
	} else {
		CHECK(e.prefix_len == 0 || e.prefix_len == NNG_MPC_ENVELOPE_OUT_SIZE);
		CHECK(e.prefix_len <= size);
		CHECK(mpc_frame_type_app_sendable(e.type));
		CHECK(e.recipient != NNG_MPC_PARTY_NONE);
	}

	/* The same bytes as a body (setters) and as a header (getters). */
	if (nng_msg_alloc(&m, 0) != 0) {
		return;
	}
	if (nng_msg_append(m, data, size) == 0 &&
	    nng_msg_header_append(m, data, size) == 0) {
		int rt = nng_mpc_msg_set_type(m, NNG_MPC_MSG_SIGN_ROUND1);
		int rr = nng_mpc_msg_set_recipient(m, 3);
		/* A body the parser refuses is refused by the setters too. */
		CHECK((rv == 0) == (rt == 0) && (rv == 0) == (rr == 0));
		if (rt == 0) {
			CHECK(mpc_envelope_parse_out(&e, nng_msg_body(m),
			          nng_msg_len(m), NULL) == 0);
			CHECK(e.type == NNG_MPC_MSG_SIGN_ROUND1 && e.recipient == 3);
		}
		rv = nng_mpc_msg_type(m, &type);
		CHECK(rv == 0 || rv == NNG_MPC_ENOENVELOPE);
		CHECK(rv == 0 || type == 0);
		CHECK(nng_mpc_msg_sender(m, &party) == rv);
		CHECK(nng_mpc_msg_recipient(m, &party) == rv);
		CHECK(nng_mpc_msg_sequence(m, &v) == rv);
		CHECK(nng_mpc_msg_timestamp(m, &v) == rv);
		CHECK(rv != 0 || size >= NNG_MPC_ENVELOPE_IN_SIZE);
	}
	nng_msg_free(m);
}

/* What put_in writes for a decoded header, the getters read back. */
static void
record(const uint8_t *data, size_t size, const mpc_frame_policy *p)
{
	mpc_frame_hdr h;
	nng_msg      *m;
	uint16_t      type;
	uint32_t      sender, recipient;
	uint64_t      seq, ts;
	size_t        old = size < 64 ? size : 64;

	if (mpc_frame_decode_header(&h, data, size, p, NULL) != 0 ||
	    nng_msg_alloc(&m, 0) != 0) {
		return;
	}
	if (nng_msg_header_append(m, data, old) == 0 &&
	    mpc_envelope_put_in(m, &h) == 0) {
		CHECK(nng_msg_header_len(m) == NNG_MPC_ENVELOPE_IN_SIZE + old);
		CHECK(memcmp((uint8_t *) nng_msg_header(m) +
		              NNG_MPC_ENVELOPE_IN_SIZE,
		          data, old) == 0);
		CHECK(nng_mpc_msg_type(m, &type) == 0 && type == h.type);
		CHECK(nng_mpc_msg_sender(m, &sender) == 0 && sender == h.sender);
		CHECK(nng_mpc_msg_recipient(m, &recipient) == 0 &&
		    recipient == h.recipient);
		CHECK(nng_mpc_msg_sequence(m, &seq) == 0 && seq == h.sequence);
		CHECK(nng_mpc_msg_timestamp(m, &ts) == 0 &&
		    ts == h.timestamp_ns);
	}
	nng_msg_free(m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static mpc_frame_policy strict;
	static int              init;
	mpc_frame_policy        open = { .max_payload = NNG_MPC_PAYLOAD_MAX };
	int                     rv_open, rv_strict;

	if (!init) {
		uint8_t sid[NNG_MPC_SESSION_ID_SIZE];
		for (int i = 0; i < NNG_MPC_SESSION_ID_SIZE; i++) {
			sid[i] = (uint8_t) i; /* the corpus's session */
		}
		strict.max_payload   = NNG_MPC_PAYLOAD_MAX_DEFAULT;
		strict.local_party   = 2;
		strict.peer_party    = 1;
		strict.check_session = true;
		CHECK(mpc_frame_session_binding(strict.session, sid, sizeof(sid)) == 0);
		init = 1;
	}
	rv_open   = decode_frame(data, size, &open);
	rv_strict = decode_frame(data, size, &strict);
	CHECK(rv_strict != 0 || rv_open == 0);
	record(data, size, &open);
	envelope(data, size);
	return (0);
}
