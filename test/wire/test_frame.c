/*
 * test_frame: the MPC frame codec (transport/mpc_frame.c).
 *
 * Round trip of every type at payload sizes 0, 1, 64, 64 KiB and the
 * maxima; the exact byte layout; truncation at every offset; every field
 * set to each invalid value (the type field exhaustively); lengths larger
 * than the limit and than the buffer; a table of malformed frames, each
 * with its exact error.  Every negative case asserts the error code, the
 * counter that moved, and that the output was wiped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mpc_frame.h"

#define HDR NNG_MPC_FRAME_HEADER_SIZE
#define TAG NNG_MPC_FRAME_TAG_SIZE

static const uint16_t all_types[] = {
	NNG_MPC_MSG_DKG_ROUND1,
	NNG_MPC_MSG_DKG_ROUND2,
	NNG_MPC_MSG_DKG_ROUND3,
	NNG_MPC_MSG_SIGN_ROUND1,
	NNG_MPC_MSG_SIGN_ROUND2,
	NNG_MPC_MSG_SIGN_ROUND3,
	NNG_MPC_MSG_SIGN_ROUND4,
	NNG_MPC_MSG_PRESIGN_ROUND1,
	NNG_MPC_MSG_PRESIGN_ROUND2,
	NNG_MPC_MSG_HEARTBEAT,
	NNG_MPC_MSG_ACK,
	NNG_MPC_MSG_ERROR,
	NNG_MPC_MSG_CTL_HELLO,
	NNG_MPC_MSG_CTL_FINISHED,
	NNG_MPC_MSG_CTL_REKEY,
	NNG_MPC_MSG_CTL_CLOSE,
	NNG_MPC_MSG_CTL_PING,
	NNG_MPC_MSG_CTL_PONG,
	NNG_MPC_MSG_CTL_DELIVER,
	NNG_MPC_MSG_CTL_ECHO,
	NNG_MPC_MSG_CTL_ECHO_CERT,
	NNG_MPC_MSG_APP_DEFAULT,
	0x8001,
	0xFFFF,
};
#define N_TYPES (sizeof(all_types) / sizeof(all_types[0]))
#define N_DEFINED 21 /* the first 21 entries: everything below 0x8000 */

static mpc_frame_hdr
good_hdr(void)
{
	mpc_frame_hdr h = {
		.flags        = 0,
		.type         = NNG_MPC_MSG_SIGN_ROUND2,
		.sender       = 0x01020304,
		.recipient    = 0x05060708,
		.epoch        = 0x090A0B0C,
		.payload_len  = 16,
		.sequence     = 0x1112131415161718ull,
		.timestamp_ns = 0x2122232425262728ull,
		.session      = { 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38 },
	};
	return (h);
}

static mpc_frame_policy
open_policy(void)
{
	mpc_frame_policy p = { .max_payload = NNG_MPC_PAYLOAD_MAX_DEFAULT };
	return (p);
}

static int
all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++) {
		if (b[i] != 0) {
			return (0);
		}
	}
	return (1);
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

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t) (v >> 24);
	p[1] = (uint8_t) (v >> 16);
	p[2] = (uint8_t) (v >> 8);
	p[3] = (uint8_t) v;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t) (v >> 8);
	p[1] = (uint8_t) v;
}

/* A whole valid frame of the good header with payload_len bytes. */
static uint8_t *
make_frame(size_t *lenp, uint32_t payload_len)
{
	mpc_frame_hdr h   = good_hdr();
	size_t        len = HDR + (size_t) payload_len + TAG;
	uint8_t      *f   = malloc(len);

	assert_non_null(f);
	h.payload_len = payload_len;
	assert_int_equal(mpc_frame_encode_header(f, len, &h, NNG_MPC_PAYLOAD_MAX), 0);
	for (size_t i = HDR; i < len; i++) {
		f[i] = (uint8_t) (i * 7);
	}
	*lenp = len;
	return (f);
}

/*
 * Decodes buf with both decoders; both must fail with want (or, for a
 * whole-frame-only fault, only decode does); the output is wiped and
 * exactly one counter, want's, moved by one per call.
 */
static void
expect_reject(const uint8_t *buf, size_t len, const mpc_frame_policy *p,
    int want, int header_too)
{
	mpc_wire_stats st;
	mpc_frame_view v;
	mpc_frame_hdr  h;

	memset(&st, 0, sizeof(st));
	memset(&v, 0xAA, sizeof(v));
	assert_int_equal(mpc_frame_decode(&v, buf, len, p, &st), want);
	assert_true(all_zero(&v, sizeof(v)));
	assert_int_equal(mpc_wire_stats_get(&st, want), 1);
	assert_int_equal(total(&st), 1);

	memset(&h, 0xAA, sizeof(h));
	if (header_too) {
		assert_int_equal(mpc_frame_decode_header(&h, buf, len, p, &st), want);
		assert_true(all_zero(&h, sizeof(h)));
		assert_int_equal(mpc_wire_stats_get(&st, want), 2);
		assert_int_equal(total(&st), 2);
	}
}

static void
test_golden_layout(void **state)
{
	static const uint8_t want[HDR] = {
		0x89, 0x4D, 0x01, 0x00, 0x00, 0x12, 0x00, 0x00, /* magic..rsvd */
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, /* from, to   */
		0x09, 0x0A, 0x0B, 0x0C, 0x00, 0x00, 0x00, 0x10, /* epoch, len */
		0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, /* sequence   */
		0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, /* timestamp  */
		0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, /* binding    */
	};
	uint8_t       out[HDR + 8];
	mpc_frame_hdr h = good_hdr();

	(void) state;
	assert_int_equal(HDR, 48);
	assert_int_equal(NNG_MPC_FRAME_OVERHEAD, 64);
	memset(out, 0xEE, sizeof(out));
	assert_int_equal(mpc_frame_encode_header(out, sizeof(out), &h,
	                     NNG_MPC_PAYLOAD_MAX_DEFAULT),
	    0);
	assert_memory_equal(out, want, HDR);
	/* Exactly 48 bytes written, nothing after. */
	for (size_t i = HDR; i < sizeof(out); i++) {
		assert_int_equal(out[i], 0xEE);
	}
}

static void
assert_hdr_equal(const mpc_frame_hdr *a, const mpc_frame_hdr *b)
{
	/* Field by field: struct padding is not part of the value. */
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->sender, b->sender);
	assert_int_equal(a->recipient, b->recipient);
	assert_int_equal(a->epoch, b->epoch);
	assert_int_equal(a->payload_len, b->payload_len);
	assert_int_equal(a->sequence, b->sequence);
	assert_int_equal(a->timestamp_ns, b->timestamp_ns);
	assert_memory_equal(a->session, b->session, sizeof(a->session));
}

static void
check_roundtrip(uint8_t *buf, uint16_t type, uint32_t n, uint32_t max)
{
	mpc_frame_hdr    h = good_hdr(), d;
	mpc_frame_view   v;
	mpc_frame_policy p = { .max_payload = max };
	mpc_wire_stats   st;
	size_t           len = HDR + (size_t) n + TAG;

	memset(&st, 0, sizeof(st));
	h.type        = type;
	h.payload_len = n;
	h.sequence    = 0xFFFFFFFFFFFFFFF0ull + type % 16;
	h.epoch       = n;
	assert_int_equal(mpc_frame_encode_header(buf, len, &h, max), 0);

	assert_int_equal(mpc_frame_decode_header(&d, buf, HDR, &p, &st), 0);
	assert_hdr_equal(&d, &h);
	assert_int_equal(mpc_frame_body_len(&d), (size_t) n + TAG);

	assert_int_equal(mpc_frame_decode(&v, buf, len, &p, &st), 0);
	assert_hdr_equal(&v.hdr, &h);
	/* Views into the buffer: nothing copied. */
	assert_ptr_equal(v.aad, buf);
	assert_ptr_equal(v.payload, buf + HDR);
	assert_ptr_equal(v.tag, buf + HDR + n);
	assert_int_equal(total(&st), 0);
}

static void
test_roundtrip_every_type_and_size(void **state)
{
	static const uint32_t sizes[] = { 0, 1, 64, 64 * 1024,
		NNG_MPC_PAYLOAD_MAX_DEFAULT };
	uint8_t *buf;

	(void) state;
	buf = calloc(1, HDR + NNG_MPC_PAYLOAD_MAX_DEFAULT + TAG);
	assert_non_null(buf);
	for (size_t t = 0; t < N_TYPES; t++) {
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			check_roundtrip(buf, all_types[t], sizes[s],
			    NNG_MPC_PAYLOAD_MAX_DEFAULT);
		}
	}
	free(buf);
}

/* The absolute maximum: a 256 MiB payload (pages never touched). */
static void
test_roundtrip_absolute_max(void **state)
{
	uint8_t *buf;

	(void) state;
	buf = calloc(1, HDR + (size_t) NNG_MPC_PAYLOAD_MAX + TAG);
	assert_non_null(buf);
	for (size_t t = 0; t < N_TYPES; t++) {
		check_roundtrip(
		    buf, all_types[t], NNG_MPC_PAYLOAD_MAX, NNG_MPC_PAYLOAD_MAX);
	}
	free(buf);
}

static void
test_truncation_every_offset(void **state)
{
	mpc_frame_policy p = open_policy();
	size_t           len;
	uint8_t         *f = make_frame(&len, 64);

	(void) state;
	for (size_t cut = 0; cut < HDR; cut++) {
		expect_reject(f, cut, &p, NNG_MPC_ESHORT, 1);
	}
	expect_reject(NULL, 0, &p, NNG_MPC_ESHORT, 1);
	for (size_t cut = HDR; cut < len; cut++) {
		mpc_frame_hdr h;
		/* The header alone is complete and valid... */
		assert_int_equal(mpc_frame_decode_header(&h, f, cut, &p, NULL), 0);
		/* ...the whole frame is not. */
		expect_reject(f, cut, &p, NNG_MPC_ETRUNCATED, 0);
	}
	free(f);
}

static void
test_trailing_bytes(void **state)
{
	mpc_frame_policy p = open_policy();
	size_t           len;
	uint8_t         *f = make_frame(&len, 64);
	uint8_t         *g = calloc(1, len + 100);

	(void) state;
	assert_non_null(g);
	memcpy(g, f, len);
	for (size_t extra = 1; extra <= 100; extra++) {
		expect_reject(g, len + extra, &p, NNG_MPC_ETRAILING, 0);
	}
	free(f);
	free(g);
}

/* Patches one field of an encoded good header and expects err. */
static void
reject_patched(size_t off, const uint8_t *val, size_t n, int err)
{
	mpc_frame_policy p = open_policy();
	size_t           len;
	uint8_t         *f = make_frame(&len, 16);

	memcpy(f + off, val, n);
	expect_reject(f, len, &p, err, 1);
	free(f);
}

static void
reject16(size_t off, uint16_t v, int err)
{
	uint8_t b[2];
	put16(b, v);
	reject_patched(off, b, 2, err);
}

static void
reject32(size_t off, uint32_t v, int err)
{
	uint8_t b[4];
	put32(b, v);
	reject_patched(off, b, 4, err);
}

static void
test_invalid_magic(void **state)
{
	(void) state;
	reject16(0, 0x0000, NNG_MPC_EMAGIC);
	reject16(0, 0xFFFF, NNG_MPC_EMAGIC);
	reject16(0, 0x4D89, NNG_MPC_EMAGIC);
	/* Every single-bit error of the magic. */
	for (int bit = 0; bit < 16; bit++) {
		reject16(0, (uint16_t) (NNG_MPC_FRAME_MAGIC ^ (1u << bit)),
		    NNG_MPC_EMAGIC);
	}
}

static void
test_invalid_version(void **state)
{
	(void) state;
	for (int v = 0; v < 256; v++) {
		uint8_t b = (uint8_t) v;
		if (v != NNG_MPC_WIRE_VERSION) {
			reject_patched(2, &b, 1, NNG_MPC_EVERSION);
		}
	}
}

static void
test_invalid_flags(void **state)
{
	mpc_frame_hdr h = good_hdr();
	uint8_t       out[HDR];

	(void) state;
	for (int v = 1; v < 256; v++) {
		uint8_t b = (uint8_t) v;
		reject_patched(3, &b, 1, NNG_MPC_EFLAGS);
		h.flags = b;
		memset(out, 0xAA, sizeof(out));
		assert_int_equal(mpc_frame_encode_header(out, sizeof(out), &h,
		                     NNG_MPC_PAYLOAD_MAX_DEFAULT),
		    NNG_MPC_EFLAGS);
		assert_true(all_zero(out, sizeof(out)));
	}
}

static int
is_defined(uint16_t t)
{
	for (size_t i = 0; i < N_DEFINED; i++) {
		if (all_types[i] == t) {
			return (1);
		}
	}
	return (0);
}

/* Exhaustive: every value below the application range. */
static void
test_invalid_types_exhaustive(void **state)
{
	mpc_frame_policy p = open_policy();
	mpc_frame_hdr    h = good_hdr(), d;
	size_t           len;
	uint8_t         *f = make_frame(&len, 16);
	uint8_t          out[HDR];
	int              nvalid = 0;

	(void) state;
	for (uint32_t t = 0; t < NNG_MPC_MSG_APP_FIRST; t++) {
		put16(f + 4, (uint16_t) t);
		h.type = (uint16_t) t;
		if (is_defined((uint16_t) t)) {
			nvalid++;
			assert_true(mpc_frame_type_valid((uint16_t) t));
			assert_int_equal(mpc_frame_decode_header(&d, f, len, &p, NULL), 0);
			assert_int_equal(d.type, t);
			assert_int_equal(mpc_frame_encode_header(out, sizeof(out),
			                     &h, NNG_MPC_PAYLOAD_MAX_DEFAULT),
			    0);
			continue;
		}
		assert_false(mpc_frame_type_valid((uint16_t) t));
		assert_string_equal(nng_mpc_msg_type_name((uint16_t) t), "UNKNOWN");
		expect_reject(f, len, &p, NNG_MPC_ETYPE, 1);
		assert_int_equal(mpc_frame_encode_header(out, sizeof(out), &h,
		                     NNG_MPC_PAYLOAD_MAX_DEFAULT),
		    NNG_MPC_ETYPE);
		assert_true(all_zero(out, sizeof(out)));
	}
	assert_int_equal(nvalid, N_DEFINED);
	/* The whole application range decodes. */
	for (uint32_t t = NNG_MPC_MSG_APP_FIRST; t <= NNG_MPC_MSG_APP_LAST; t++) {
		put16(f + 4, (uint16_t) t);
		assert_int_equal(mpc_frame_decode_header(&d, f, len, &p, NULL), 0);
		assert_true(mpc_frame_type_app_sendable((uint16_t) t));
	}
	free(f);
}

static void
test_invalid_reserved(void **state)
{
	(void) state;
	for (int bit = 0; bit < 16; bit++) {
		reject16(6, (uint16_t) (1u << bit), NNG_MPC_ERESERVED);
	}
	reject16(6, 0xFFFF, NNG_MPC_ERESERVED);
}

static void
encode_rejects(mpc_frame_hdr h, int err)
{
	uint8_t out[HDR];

	memset(out, 0xAA, sizeof(out));
	assert_int_equal(mpc_frame_encode_header(out, sizeof(out), &h,
	                     NNG_MPC_PAYLOAD_MAX_DEFAULT),
	    err);
	assert_true(all_zero(out, sizeof(out)));
}

static void
test_invalid_parties(void **state)
{
	mpc_frame_hdr h;

	(void) state;
	reject32(8, NNG_MPC_PARTY_NONE, NNG_MPC_ESENDERNONE);
	reject32(8, NNG_MPC_PARTY_BROADCAST, NNG_MPC_ESENDERBCAST);
	reject32(12, NNG_MPC_PARTY_NONE, NNG_MPC_ERCPTNONE);
	reject32(12, 0x01020304, NNG_MPC_ESELF); /* = the sender */

	h        = good_hdr();
	h.sender = NNG_MPC_PARTY_NONE;
	encode_rejects(h, NNG_MPC_ESENDERNONE);
	h.sender = NNG_MPC_PARTY_BROADCAST;
	encode_rejects(h, NNG_MPC_ESENDERBCAST);
	h           = good_hdr();
	h.recipient = NNG_MPC_PARTY_NONE;
	encode_rejects(h, NNG_MPC_ERCPTNONE);
	h.recipient = h.sender;
	encode_rejects(h, NNG_MPC_ESELF);

	/* The edges of the valid range are valid. */
	h           = good_hdr();
	h.sender    = NNG_MPC_PARTY_MIN;
	h.recipient = NNG_MPC_PARTY_MAX;
	{
		uint8_t          out[HDR];
		mpc_frame_hdr    d;
		mpc_frame_policy p = open_policy();
		assert_int_equal(mpc_frame_encode_header(out, sizeof(out), &h,
		                     NNG_MPC_PAYLOAD_MAX_DEFAULT),
		    0);
		assert_int_equal(mpc_frame_decode_header(&d, out, HDR, &p, NULL), 0);
		h.sender    = NNG_MPC_PARTY_MAX;
		h.recipient = NNG_MPC_PARTY_BROADCAST;
		assert_int_equal(mpc_frame_encode_header(out, sizeof(out), &h,
		                     NNG_MPC_PAYLOAD_MAX_DEFAULT),
		    0);
		assert_int_equal(mpc_frame_decode_header(&d, out, HDR, &p, NULL), 0);
		assert_int_equal(d.recipient, NNG_MPC_PARTY_BROADCAST);
	}
}

/* Larger than the limit: rejected from the header, buffer present or not. */
static void
test_length_over_max(void **state)
{
	mpc_frame_policy p   = open_policy();
	mpc_frame_hdr    h   = good_hdr();
	uint32_t         bad[] = { NNG_MPC_PAYLOAD_MAX_DEFAULT + 1,
                NNG_MPC_PAYLOAD_MAX, NNG_MPC_PAYLOAD_MAX + 1, 0x7FFFFFFF,
                0xFFFFFFFF };
	size_t           len;
	uint8_t         *f;

	(void) state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		reject32(20, bad[i], NNG_MPC_ETOOBIG);
		h.payload_len = bad[i];
		encode_rejects(h, NNG_MPC_ETOOBIG);
	}
	/* A small limit, with the whole frame present in the buffer. */
	f             = make_frame(&len, 1000);
	p.max_payload = 999;
	expect_reject(f, len, &p, NNG_MPC_ETOOBIG, 1);
	p.max_payload = 1000;
	{
		mpc_frame_view v;
		assert_int_equal(mpc_frame_decode(&v, f, len, &p, NULL), 0);
	}
	p.max_payload = 0;
	expect_reject(f, len, &p, NNG_MPC_ETOOBIG, 1);
	free(f);
}

/* Larger than the buffer (but within the limit): ETRUNCATED. */
static void
test_length_over_buffer(void **state)
{
	mpc_frame_policy p = open_policy();
	size_t           len;
	uint8_t         *f = make_frame(&len, 16);
	uint32_t         lens[] = { 17, 32, 1000, NNG_MPC_PAYLOAD_MAX_DEFAULT };

	(void) state;
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		mpc_frame_hdr h;
		put32(f + 20, lens[i]);
		/* The header alone is fine: the caller would read on. */
		assert_int_equal(mpc_frame_decode_header(&h, f, len, &p, NULL), 0);
		assert_int_equal(mpc_frame_body_len(&h), (size_t) lens[i] + TAG);
		expect_reject(f, len, &p, NNG_MPC_ETRUNCATED, 0);
	}
	free(f);
}

static void
test_bad_arguments(void **state)
{
	mpc_frame_policy p = open_policy();
	mpc_frame_hdr    h = good_hdr();
	mpc_frame_view   v;
	uint8_t          out[HDR];
	size_t           len;
	uint8_t         *f = make_frame(&len, 0);

	(void) state;
	assert_int_equal(mpc_frame_decode_header(NULL, f, len, &p, NULL), NNG_EINVAL);
	assert_int_equal(mpc_frame_decode_header(&h, f, len, NULL, NULL), NNG_EINVAL);
	assert_true(all_zero(&h, sizeof(h)));
	assert_int_equal(mpc_frame_decode(NULL, f, len, &p, NULL), NNG_EINVAL);
	assert_int_equal(mpc_frame_decode(&v, f, len, NULL, NULL), NNG_EINVAL);
	p.max_payload = NNG_MPC_PAYLOAD_MAX + 1;
	assert_int_equal(mpc_frame_decode(&v, f, len, &p, NULL), NNG_EINVAL);
	assert_true(all_zero(&v, sizeof(v)));
	assert_int_equal(mpc_frame_decode_header(&h, f, len, &p, NULL), NNG_EINVAL);

	h = good_hdr();
	assert_int_equal(mpc_frame_encode_header(NULL, HDR, &h, 100), NNG_EINVAL);
	memset(out, 0xAA, sizeof(out));
	assert_int_equal(mpc_frame_encode_header(out, HDR, NULL, 100), NNG_EINVAL);
	assert_true(all_zero(out, sizeof(out)));
	memset(out, 0xAA, sizeof(out));
	assert_int_equal(mpc_frame_encode_header(out, HDR - 1, &h, 100), NNG_EINVAL);
	assert_true(all_zero(out, HDR - 1));
	assert_int_equal(out[HDR - 1], 0xAA); /* nothing past cap */
	assert_int_equal(mpc_frame_encode_header(out, HDR, &h,
	                     NNG_MPC_PAYLOAD_MAX + 1),
	    NNG_EINVAL);
	free(f);
}

/* --- the table of malformed frames ---------------------------------- */

#define SID_A { 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38 }
#define SID_B { 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x39 }

struct malformed {
	const char *name;
	size_t      off;      /* patch position */
	uint8_t     patch[8]; /* patch bytes    */
	size_t      plen;     /* patch length   */
	long        dlen;     /* delta to the frame length */
	uint32_t    local;    /* policy */
	uint32_t    peer;
	int         check_session;
	uint8_t     session[8];
	int         want;
};

static const struct malformed table[] = {
	{ "valid frame", 0, { 0 }, 0, 0, 0, 0, 0, { 0 }, 0 },
	{ "empty", 0, { 0 }, 0, -(HDR + 16 + TAG), 0, 0, 0, { 0 },
	    NNG_MPC_ESHORT },
	{ "one byte", 0, { 0 }, 0, -(HDR + 16 + TAG - 1), 0, 0, 0, { 0 },
	    NNG_MPC_ESHORT },
	{ "header less one", 0, { 0 }, 0, -(16 + TAG + 1), 0, 0, 0, { 0 },
	    NNG_MPC_ESHORT },
	{ "SP header instead", 0, { 0x00, 'S', 'P', 0x00 }, 4, 0, 0, 0, 0,
	    { 0 }, NNG_MPC_EMAGIC },
	{ "HTTP request", 0, { 'G', 'E', 'T', ' ' }, 4, 0, 0, 0, 0, { 0 },
	    NNG_MPC_EMAGIC },
	{ "TLS record", 0, { 0x16, 0x03, 0x01 }, 3, 0, 0, 0, 0, { 0 },
	    NNG_MPC_EMAGIC },
	{ "magic and version bad: first fault wins", 0, { 0, 0, 9 }, 3, 0, 0,
	    0, 0, { 0 }, NNG_MPC_EMAGIC },
	{ "version 0", 2, { 0 }, 1, 0, 0, 0, 0, { 0 }, NNG_MPC_EVERSION },
	{ "version 2", 2, { 2 }, 1, 0, 0, 0, 0, { 0 }, NNG_MPC_EVERSION },
	{ "flags 0x80", 3, { 0x80 }, 1, 0, 0, 0, 0, { 0 }, NNG_MPC_EFLAGS },
	{ "flags and type bad: flags first", 3, { 1, 0, 0 }, 3, 0, 0, 0, 0,
	    { 0 }, NNG_MPC_EFLAGS },
	{ "type 0", 4, { 0, 0 }, 2, 0, 0, 0, 0, { 0 }, NNG_MPC_ETYPE },
	{ "type 0x0004 (after DKG)", 4, { 0, 4 }, 2, 0, 0, 0, 0, { 0 },
	    NNG_MPC_ETYPE },
	{ "type 0x01FF (control, undefined)", 4, { 1, 0xFF }, 2, 0, 0, 0, 0,
	    { 0 }, NNG_MPC_ETYPE },
	{ "type 0x7FFF (reserved)", 4, { 0x7F, 0xFF }, 2, 0, 0, 0, 0, { 0 },
	    NNG_MPC_ETYPE },
	{ "reserved 0x0001", 6, { 0, 1 }, 2, 0, 0, 0, 0, { 0 },
	    NNG_MPC_ERESERVED },
	{ "sender 0", 8, { 0, 0, 0, 0 }, 4, 0, 0, 0, 0, { 0 },
	    NNG_MPC_ESENDERNONE },
	{ "sender broadcast", 8, { 0xFF, 0xFF, 0xFF, 0xFF }, 4, 0, 0, 0, 0,
	    { 0 }, NNG_MPC_ESENDERBCAST },
	{ "recipient 0", 12, { 0, 0, 0, 0 }, 4, 0, 0, 0, 0, { 0 },
	    NNG_MPC_ERCPTNONE },
	{ "recipient = sender", 12, { 1, 2, 3, 4 }, 4, 0, 0, 0, 0, { 0 },
	    NNG_MPC_ESELF },
	{ "length over default limit", 20, { 0x00, 0x10, 0x00, 0x01 }, 4, 0, 0,
	    0, 0, { 0 }, NNG_MPC_ETOOBIG },
	{ "length 0xFFFFFFFF", 20, { 0xFF, 0xFF, 0xFF, 0xFF }, 4, 0, 0, 0, 0,
	    { 0 }, NNG_MPC_ETOOBIG },
	{ "length one more than the buffer", 20, { 0, 0, 0, 17 }, 4, 0, 0, 0,
	    0, { 0 }, NNG_MPC_ETRUNCATED },
	{ "tag cut by one", 0, { 0 }, 0, -1, 0, 0, 0, { 0 },
	    NNG_MPC_ETRUNCATED },
	{ "tag missing", 0, { 0 }, 0, -TAG, 0, 0, 0, { 0 }, NNG_MPC_ETRUNCATED },
	{ "length one less than the buffer", 20, { 0, 0, 0, 15 }, 4, 0, 0, 0,
	    0, { 0 }, NNG_MPC_ETRAILING },
	{ "one trailing byte", 0, { 0 }, 0, 1, 0, 0, 0, { 0 },
	    NNG_MPC_ETRAILING },
	{ "other session", 0, { 0 }, 0, 0, 0, 0, 1, SID_B, NNG_MPC_ESESSION },
	{ "same session", 0, { 0 }, 0, 0, 0, 0, 1, SID_A, 0 },
	{ "sender not the peer", 0, { 0 }, 0, 0, 0, 0x01020305, 0, { 0 },
	    NNG_MPC_EPEER },
	{ "sender is the peer", 0, { 0 }, 0, 0, 0, 0x01020304, 0, { 0 }, 0 },
	{ "for another party", 0, { 0 }, 0, 0, 0x05060709, 0, 0, { 0 },
	    NNG_MPC_ENOTFORME },
	{ "for this party", 0, { 0 }, 0, 0, 0x05060708, 0, 0, { 0 }, 0 },
	{ "broadcast reaches this party", 12, { 0xFF, 0xFF, 0xFF, 0xFF }, 4, 0,
	    0x05060709, 0x01020304, 1, SID_A, 0 },
	{ "session checked before peer", 0, { 0 }, 0, 0, 0x05060709,
	    0x01020305, 1, SID_B, NNG_MPC_ESESSION },
};

static void
test_malformed_table(void **state)
{
	(void) state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct malformed *m = &table[i];
		mpc_frame_policy        p = open_policy();
		size_t                  len;
		uint8_t                *f = make_frame(&len, 16);
		uint8_t                *g = calloc(1, len + 8);
		size_t                  glen = (size_t) ((long) len + m->dlen);

		print_message("  %-42s -> %s\n", m->name,
		    m->want ? nng_mpc_errname(m->want) : "ok");
		assert_non_null(g);
		memcpy(g, f, len);
		memcpy(g + m->off, m->patch, m->plen);
		p.local_party   = m->local;
		p.peer_party    = m->peer;
		p.check_session = m->check_session != 0;
		memcpy(p.session, m->session, sizeof(p.session));
		if (m->want == 0) {
			mpc_frame_view v;
			assert_int_equal(mpc_frame_decode(&v, g, glen, &p, NULL), 0);
		} else {
			int hdr_fault = m->want != NNG_MPC_ETRUNCATED &&
			    m->want != NNG_MPC_ETRAILING;
			expect_reject(g, glen, &p, m->want, hdr_fault);
		}
		free(f);
		free(g);
	}
}

/* --- session binding ------------------------------------------------- */

static void
test_session_binding(void **state)
{
	/* SHA-256("nng-mpc v1 session binding" || 00 01 .. 0f)[0..8],
	 * computed independently with Python's hashlib. */
	static const uint8_t want1[8] = { 0x1d, 0xae, 0xa7, 0xd9, 0x75, 0xf7,
		0x20, 0xbf };
	static const uint8_t want2[8] = { 0x86, 0x37, 0xf0, 0x03, 0xa5, 0x67,
		0xde, 0x3d };
	uint8_t sid[NNG_MPC_SESSION_ID_SIZE];
	uint8_t out[8];

	(void) state;
	for (int i = 0; i < NNG_MPC_SESSION_ID_SIZE; i++) {
		sid[i] = (uint8_t) i;
	}
	assert_int_equal(mpc_frame_session_binding(out, sid, sizeof(sid)), 0);
	assert_memory_equal(out, want1, 8);
	memset(sid, 0xA5, sizeof(sid));
	assert_int_equal(mpc_frame_session_binding(out, sid, sizeof(sid)), 0);
	assert_memory_equal(out, want2, 8);

	memset(out, 0xAA, sizeof(out));
	assert_int_equal(mpc_frame_session_binding(out, sid, 15), NNG_EINVAL);
	assert_true(all_zero(out, sizeof(out)));
	memset(out, 0xAA, sizeof(out));
	assert_int_equal(mpc_frame_session_binding(out, sid, 17), NNG_EINVAL);
	assert_true(all_zero(out, sizeof(out)));
	memset(out, 0xAA, sizeof(out));
	assert_int_equal(mpc_frame_session_binding(out, NULL, 16), NNG_EINVAL);
	assert_true(all_zero(out, sizeof(out)));
	assert_int_equal(mpc_frame_session_binding(NULL, sid, 16), NNG_EINVAL);
}

static void
test_type_names(void **state)
{
	static const char *names[N_DEFINED] = { "DKG_ROUND1", "DKG_ROUND2",
		"DKG_ROUND3", "SIGN_ROUND1", "SIGN_ROUND2", "SIGN_ROUND3",
		"SIGN_ROUND4", "PRESIGN_ROUND1", "PRESIGN_ROUND2", "HEARTBEAT",
		"ACK", "ERROR", "CTL_HELLO", "CTL_FINISHED", "CTL_REKEY",
		"CTL_CLOSE", "CTL_PING", "CTL_PONG", "CTL_DELIVER", "CTL_ECHO",
		"CTL_ECHO_CERT" };

	(void) state;
	for (size_t i = 0; i < N_DEFINED; i++) {
		assert_string_equal(nng_mpc_msg_type_name(all_types[i]), names[i]);
		assert_true(mpc_frame_type_valid(all_types[i]));
		/* Control frames are not for applications. */
		assert_int_equal(mpc_frame_type_app_sendable(all_types[i]),
		    all_types[i] < NNG_MPC_MSG_CTL_FIRST);
	}
	assert_string_equal(nng_mpc_msg_type_name(NNG_MPC_MSG_APP_DEFAULT),
	    "APP_DEFAULT");
	assert_string_equal(nng_mpc_msg_type_name(0x8001), "APP");
	assert_string_equal(nng_mpc_msg_type_name(0xFFFF), "APP");
	assert_string_equal(nng_mpc_msg_type_name(0), "UNKNOWN");
	assert_string_equal(nng_mpc_msg_type_name(0x0200), "UNKNOWN");
	/* The seed's twelve keep their values: they are on the wire. */
	assert_int_equal(NNG_MPC_MSG_DKG_ROUND1, 0x0001);
	assert_int_equal(NNG_MPC_MSG_SIGN_ROUND4, 0x0014);
	assert_int_equal(NNG_MPC_MSG_PRESIGN_ROUND2, 0x0022);
	assert_int_equal(NNG_MPC_MSG_ERROR, 0x0033);
}

static void
test_stats_bounds(void **state)
{
	mpc_wire_stats st;

	(void) state;
	memset(&st, 0, sizeof(st));
	mpc_wire_stats_count(&st, 0);
	mpc_wire_stats_count(&st, NNG_EINVAL);
	mpc_wire_stats_count(&st, NNG_MPC_ERRBASE + MPC_WIRE_NERR);
	mpc_wire_stats_count(&st, -1);
	mpc_wire_stats_count(NULL, NNG_MPC_ESHORT);
	assert_int_equal(total(&st), 0);
	mpc_wire_stats_count(&st, NNG_MPC_ETYPE);
	assert_int_equal(mpc_wire_stats_get(&st, NNG_MPC_ETYPE), 1);
	assert_int_equal(mpc_wire_stats_get(&st, NNG_EINVAL), 0);
	assert_int_equal(mpc_wire_stats_get(NULL, NNG_MPC_ETYPE), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_layout),
		cmocka_unit_test(test_roundtrip_every_type_and_size),
		cmocka_unit_test(test_roundtrip_absolute_max),
		cmocka_unit_test(test_truncation_every_offset),
		cmocka_unit_test(test_trailing_bytes),
		cmocka_unit_test(test_invalid_magic),
		cmocka_unit_test(test_invalid_version),
		cmocka_unit_test(test_invalid_flags),
		cmocka_unit_test(test_invalid_types_exhaustive),
		cmocka_unit_test(test_invalid_reserved),
		cmocka_unit_test(test_invalid_parties),
		cmocka_unit_test(test_length_over_max),
		cmocka_unit_test(test_length_over_buffer),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_malformed_table),
		cmocka_unit_test(test_session_binding),
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_stats_bounds),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
