/*
 * crypto_test_util.h -- helpers shared by the test/crypto programs: hex
 * decoding, Wycheproof JSON loading (json-c), a header encoder with the
 * wire layout's epoch/sequence offsets, and a pair of channels derived the
 * way two parties would.  Test-only; included by one .c each.
 */
#ifndef CRYPTO_TEST_UTIL_H
#define CRYPTO_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "nng_mpc.h"

#include "mpc_channel.h"
#include "mpc_keysched.h"
#include "mpc_wipe.h"

/* Decodes hex into a malloc'd buffer (at least 1 byte); *len = bytes. */
static inline uint8_t *
tu_unhex(const char *hex, size_t *len)
{
	size_t   n = strlen(hex);
	uint8_t *b;

	assert_int_equal(n % 2, 0);
	b = malloc(n / 2 + 1);
	assert_non_null(b);
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		b[i] = (uint8_t) v;
	}
	*len = n / 2;
	return (b);
}

static inline const char *
tu_str(json_object *o, const char *key)
{
	json_object *v;

	assert_true(json_object_object_get_ex(o, key, &v));
	return (json_object_get_string(v));
}

static inline int
tu_int(json_object *o, const char *key)
{
	json_object *v;

	assert_true(json_object_object_get_ex(o, key, &v));
	return (json_object_get_int(v));
}

static inline uint8_t *
tu_hexfield(json_object *o, const char *key, size_t *len)
{
	return (tu_unhex(tu_str(o, key), len));
}

/* Loads $NNGMPC_VECTORS/wycheproof/<name>. */
static inline json_object *
tu_load_wycheproof(const char *name)
{
	const char  *dir = getenv("NNGMPC_VECTORS");
	char         path[4096];
	json_object *root;

	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/wycheproof/%s", dir, name);
	root = json_object_from_file(path);
	if (root == NULL) {
		fail_msg("cannot read %s", path);
	}
	return (root);
}

/* Wycheproof result: 1 valid, 0 invalid, -1 acceptable. */
static inline int
tu_result(json_object *t)
{
	const char *r = tu_str(t, "result");

	if (strcmp(r, "valid") == 0) {
		return (1);
	}
	if (strcmp(r, "invalid") == 0) {
		return (0);
	}
	return (-1);
}

/* --- the frame header as the transport lays it out (include/nng_mpc.h):
 * epoch at offset 16 (be32), sequence at 24 (be64); the rest is filler
 * that is still authenticated. */
#define TU_HDR_LEN 48

static inline void
tu_hdr_encode(uint8_t h[TU_HDR_LEN], uint32_t epoch, uint64_t seq)
{
	for (int i = 0; i < TU_HDR_LEN; i++) {
		h[i] = (uint8_t) (0xa0 + i);
	}
	for (int i = 0; i < 4; i++) {
		h[16 + i] = (uint8_t) (epoch >> (24 - 8 * i));
	}
	for (int i = 0; i < 8; i++) {
		h[24 + i] = (uint8_t) (seq >> (56 - 8 * i));
	}
}

static inline void
tu_hdr_decode(const uint8_t h[TU_HDR_LEN], uint32_t *epoch, uint64_t *seq)
{
	*epoch = 0;
	*seq   = 0;
	for (int i = 0; i < 4; i++) {
		*epoch = (*epoch << 8) | h[16 + i];
	}
	for (int i = 0; i < 8; i++) {
		*seq = (*seq << 8) | h[24 + i];
	}
}

/* Two parties' handshake material; each derives on its own. */
typedef struct tu_hs {
	uint8_t  session_key[MPC_KS_SESSION_KEY_LEN];
	uint8_t  session_id[MPC_KS_SESSION_ID_LEN];
	uint8_t  rand_a[MPC_KS_RANDOM_LEN];
	uint8_t  rand_b[MPC_KS_RANDOM_LEN];
	uint8_t  binding[MPC_KS_BINDING_MAX];
	size_t   binding_len;
	uint32_t id_a, id_b;
} tu_hs;

static inline void
tu_hs_default(tu_hs *hs)
{
	for (int i = 0; i < MPC_KS_SESSION_KEY_LEN; i++) {
		hs->session_key[i] = (uint8_t) (i * 3 + 1);
	}
	for (int i = 0; i < MPC_KS_SESSION_ID_LEN; i++) {
		hs->session_id[i] = (uint8_t) (0x50 + i);
	}
	for (int i = 0; i < MPC_KS_RANDOM_LEN; i++) {
		hs->rand_a[i] = (uint8_t) (0x11 * (i + 1));
		hs->rand_b[i] = (uint8_t) (0x07 * (i + 5));
	}
	for (int i = 0; i < 32; i++) {
		hs->binding[i] = (uint8_t) (0xe0 ^ i);
	}
	hs->binding_len = 32;
	hs->id_a        = 7;
	hs->id_b        = 3;
}

/* Party A's (a = 1) or party B's view of the handshake. */
static inline mpc_keysched_input
tu_hs_input(const tu_hs *hs, int a)
{
	mpc_keysched_input in = {
		.session_key = hs->session_key,
		.session_id  = hs->session_id,
		.self_id     = a ? hs->id_a : hs->id_b,
		.peer_id     = a ? hs->id_b : hs->id_a,
		.self_random = a ? hs->rand_a : hs->rand_b,
		.peer_random = a ? hs->rand_b : hs->rand_a,
		.binding     = hs->binding,
		.binding_len = hs->binding_len,
	};
	return (in);
}

/* Channels for both ends, derived independently. */
static inline void
tu_chan_pair(mpc_chan **a, mpc_chan **b, const mpc_chan_config *cfg,
    uint64_t now_ns)
{
	tu_hs              hs;
	mpc_keysched       ks;
	mpc_keysched_input in;

	tu_hs_default(&hs);
	in = tu_hs_input(&hs, 1);
	assert_int_equal(mpc_keysched_derive(&ks, &in), 0);
	assert_int_equal(mpc_chan_alloc(a, cfg, &ks, now_ns), 0);
	mpc_keysched_wipe(&ks);
	in = tu_hs_input(&hs, 0);
	assert_int_equal(mpc_keysched_derive(&ks, &in), 0);
	assert_int_equal(mpc_chan_alloc(b, cfg, &ks, now_ns), 0);
	mpc_keysched_wipe(&ks);
}

/* One sealed frame: header, payload (ciphertext after sealing), tag. */
typedef struct tu_frame {
	uint8_t  hdr[TU_HDR_LEN];
	uint8_t *buf;
	size_t   len;
	uint8_t  tag[MPC_AEAD_TAG_LEN];
	uint32_t epoch;
	uint64_t seq;
} tu_frame;

/* Fills buf with a pattern derived from (tag byte, len). */
static inline void
tu_pattern(uint8_t *buf, size_t len, uint8_t salt)
{
	for (size_t i = 0; i < len; i++) {
		buf[i] = (uint8_t) (i * 131 + salt);
	}
}

/* Seals len bytes of pattern(salt) from c; asserts success. */
static inline void
tu_seal(mpc_chan *c, uint64_t now, tu_frame *f, size_t len, uint8_t salt)
{
	f->len = len;
	f->buf = malloc(len ? len : 1);
	assert_non_null(f->buf);
	tu_pattern(f->buf, len, salt);
	assert_int_equal(mpc_chan_send_next(c, now, &f->epoch, &f->seq), 0);
	tu_hdr_encode(f->hdr, f->epoch, f->seq);
	assert_int_equal(mpc_chan_seal(c, f->epoch, f->seq, f->hdr, TU_HDR_LEN,
	                     f->buf, f->len, f->tag),
	    0);
}

/* Opens a copy of f on c (f stays sealed for re-use); returns the error
 * and the copy's contents in *out (caller frees). */
static inline int
tu_open_copy(mpc_chan *c, uint64_t now, const tu_frame *f, uint8_t **out)
{
	uint8_t *b = malloc(f->len ? f->len : 1);
	uint32_t epoch;
	uint64_t seq;
	int      rv;

	assert_non_null(b);
	memcpy(b, f->buf, f->len);
	tu_hdr_decode(f->hdr, &epoch, &seq);
	rv = mpc_chan_open(
	    c, epoch, seq, now, f->hdr, TU_HDR_LEN, b, f->len, f->tag);
	if (out != NULL) {
		*out = b;
	} else {
		free(b);
	}
	return (rv);
}

static inline void
tu_frame_free(tu_frame *f)
{
	free(f->buf);
	f->buf = NULL;
}

#endif /* CRYPTO_TEST_UTIL_H */
