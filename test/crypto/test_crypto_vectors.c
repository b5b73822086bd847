/*
 * test_crypto_vectors: the message layer's primitives against published
 * vectors, read at test time.
 *  - Wycheproof aes_gcm_test.json: every group with 256-bit keys and 96-bit
 *    IVs, through mpc_aead (static IV = the vector's IV, epoch 0, seq 0, so
 *    the RFC 8446 nonce equals the IV): valid cases seal to the exact
 *    ciphertext and tag and open back; invalid ones fail with NNG_MPC_EAUTH
 *    and leave the buffer zeroed.
 *  - Wycheproof hkdf_sha256_test.json: every case through the public
 *    nng_mpc_hkdf_sha256() (SizeTooLarge must be refused).
 *  - Wycheproof hmac_sha256_test.json: every case through the public
 *    nng_mpc_hmac_sha256_verify(), including the 128-bit truncated-tag
 *    groups (RFC 2104 section 5: compare the leftmost bytes).
 *  - RFC 5869 appendix A.1-A.3 (the SHA-256 cases), through extract and
 *    expand separately.
 */
#include "crypto_test_util.h"

#include "mpc_aead.h"
#include "mpc_kdf.h"

static void
test_wycheproof_aes_gcm(void **state)
{
	json_object *root = tu_load_wycheproof("aes_gcm_test.json");
	json_object *groups;
	size_t       ran = 0, valid = 0, invalid = 0, acceptable = 0;
	size_t       groups_used = 0;

	(void) state;
	assert_true(json_object_object_get_ex(root, "testGroups", &groups));
	for (size_t g = 0; g < json_object_array_length(groups); g++) {
		json_object *grp = json_object_array_get_idx(groups, g);
		json_object *tests;

		if (tu_int(grp, "keySize") != 256 || tu_int(grp, "ivSize") != 96) {
			continue;
		}
		assert_int_equal(tu_int(grp, "tagSize"), 128);
		groups_used++;
		assert_true(json_object_object_get_ex(grp, "tests", &tests));
		for (size_t i = 0; i < json_object_array_length(tests); i++) {
			json_object *t = json_object_array_get_idx(tests, i);
			size_t   klen, ivlen, alen, mlen, clen, tlen;
			uint8_t *key = tu_hexfield(t, "key", &klen);
			uint8_t *iv  = tu_hexfield(t, "iv", &ivlen);
			uint8_t *aad = tu_hexfield(t, "aad", &alen);
			uint8_t *msg = tu_hexfield(t, "msg", &mlen);
			uint8_t *ct  = tu_hexfield(t, "ct", &clen);
			uint8_t *tag = tu_hexfield(t, "tag", &tlen);
			uint8_t *buf = malloc(mlen + clen + 1);
			uint8_t  out_tag[MPC_AEAD_TAG_LEN];
			int      res = tu_result(t);
			mpc_aead a;

			assert_non_null(buf);
			assert_int_equal(klen, 32);
			assert_int_equal(ivlen, 12);
			assert_int_equal(tlen, MPC_AEAD_TAG_LEN);
			assert_int_equal(mlen, clen);
			assert_int_equal(mpc_aead_init(&a, key, iv), 0);

			/* seal: a valid case must reproduce ct and tag */
			memcpy(buf, msg, mlen);
			assert_int_equal(mpc_aead_seal(&a, 0, 0, alen ? aad : NULL,
			                     alen, buf, mlen, out_tag),
			    0);
			if (res == 1) {
				assert_memory_equal(buf, ct, clen ? clen : 0);
				assert_memory_equal(out_tag, tag, tlen);
			}

			/* open the vector's ct and tag */
			memcpy(buf, ct, clen);
			int rv = mpc_aead_open(
			    &a, 0, 0, alen ? aad : NULL, alen, buf, clen, tag);
			if (res == 1) {
				assert_int_equal(rv, 0);
				if (mlen != 0) {
					assert_memory_equal(buf, msg, mlen);
				}
				valid++;
			} else if (res == 0) {
				if (rv != NNG_MPC_EAUTH) {
					fail_msg("tcId %d: invalid case opened (%d)",
					    tu_int(t, "tcId"), rv);
				}
				assert_true(mpc_is_zero(buf, clen));
				invalid++;
			} else {
				/* 'acceptable': either outcome, but a refusal
				 * must still be clean */
				if (rv != 0) {
					assert_int_equal(rv, NNG_MPC_EAUTH);
					assert_true(mpc_is_zero(buf, clen));
				}
				acceptable++;
			}
			mpc_aead_fini(&a);
			assert_true(mpc_is_zero(&a, sizeof(a)));
			ran++;
			free(key);
			free(iv);
			free(aad);
			free(msg);
			free(ct);
			free(tag);
			free(buf);
		}
	}
	json_object_put(root);
	printf("[ vectors  ] Wycheproof AES-GCM 256/96: %zu groups, %zu cases "
	       "(%zu valid, %zu invalid, %zu acceptable)\n",
	    groups_used, ran, valid, invalid, acceptable);
	assert_true(groups_used >= 1);
	assert_true(ran >= 60);
	assert_int_equal(ran, valid + invalid + acceptable);
}

static void
test_wycheproof_hkdf_sha256(void **state)
{
	json_object *root = tu_load_wycheproof("hkdf_sha256_test.json");
	json_object *groups;
	size_t       ran = 0, valid = 0, invalid = 0;

	(void) state;
	assert_true(json_object_object_get_ex(root, "testGroups", &groups));
	for (size_t g = 0; g < json_object_array_length(groups); g++) {
		json_object *tests;

		assert_true(json_object_object_get_ex(
		    json_object_array_get_idx(groups, g), "tests", &tests));
		for (size_t i = 0; i < json_object_array_length(tests); i++) {
			json_object *t = json_object_array_get_idx(tests, i);
			size_t   ilen, slen, nlen, olen;
			uint8_t *ikm  = tu_hexfield(t, "ikm", &ilen);
			uint8_t *salt = tu_hexfield(t, "salt", &slen);
			uint8_t *info = tu_hexfield(t, "info", &nlen);
			uint8_t *okm  = tu_hexfield(t, "okm", &olen);
			size_t   size = (size_t) tu_int(t, "size");
			uint8_t *out  = calloc(1, size + 1);
			int      res  = tu_result(t);
			int      rv;

			assert_non_null(out);
			rv = nng_mpc_hkdf_sha256(out, size, ikm, ilen,
			    slen ? salt : NULL, slen, nlen ? info : NULL, nlen);
			if (res == 1) {
				assert_int_equal(rv, 0);
				assert_int_equal(olen, size);
				assert_memory_equal(out, okm, size);
				valid++;
			} else {
				/* SizeTooLarge: L > 255 * HashLen */
				assert_int_equal(rv, NNG_MPC_ECRYPTOARG);
				assert_true(mpc_is_zero(out, size));
				invalid++;
			}
			ran++;
			free(ikm);
			free(salt);
			free(info);
			free(okm);
			free(out);
		}
	}
	json_object_put(root);
	printf("[ vectors  ] Wycheproof HKDF-SHA256: %zu cases (%zu valid, %zu "
	       "invalid)\n",
	    ran, valid, invalid);
	assert_true(ran >= 80);
}

static void
test_wycheproof_hmac_sha256(void **state)
{
	json_object *root = tu_load_wycheproof("hmac_sha256_test.json");
	json_object *groups;
	size_t       ran = 0, valid = 0, invalid = 0, truncated = 0;

	(void) state;
	assert_true(json_object_object_get_ex(root, "testGroups", &groups));
	for (size_t g = 0; g < json_object_array_length(groups); g++) {
		json_object *grp = json_object_array_get_idx(groups, g);
		json_object *tests;
		size_t       tag_bytes = (size_t) tu_int(grp, "tagSize") / 8;

		assert_true(json_object_object_get_ex(grp, "tests", &tests));
		for (size_t i = 0; i < json_object_array_length(tests); i++) {
			json_object *t = json_object_array_get_idx(tests, i);
			size_t   klen, mlen, tlen;
			uint8_t *key = tu_hexfield(t, "key", &klen);
			uint8_t *msg = tu_hexfield(t, "msg", &mlen);
			uint8_t *tag = tu_hexfield(t, "tag", &tlen);
			uint8_t  mac[NNG_MPC_HMAC_SHA256_SIZE];
			int      res = tu_result(t);
			int      rv;

			assert_int_equal(tlen, tag_bytes);
			rv = nng_mpc_hmac_sha256_verify(
			    key, klen, mlen ? msg : NULL, mlen, tag, tlen);
			assert_int_equal(nng_mpc_hmac_sha256(key, klen,
			                     mlen ? msg : NULL, mlen, mac),
			    0);
			if (res == 1) {
				assert_int_equal(rv, 0);
				/* the full MAC starts with the (truncated) tag */
				assert_memory_equal(mac, tag, tlen);
				valid++;
			} else {
				assert_int_equal(rv, NNG_MPC_EAUTH);
				invalid++;
			}
			if (tlen < NNG_MPC_HMAC_SHA256_SIZE) {
				truncated++;
			}
			ran++;
			free(key);
			free(msg);
			free(tag);
		}
	}
	json_object_put(root);
	printf("[ vectors  ] Wycheproof HMAC-SHA256: %zu cases (%zu valid, %zu "
	       "invalid, %zu with truncated tags)\n",
	    ran, valid, invalid, truncated);
	assert_true(ran >= 170);
	assert_true(truncated > 0);
}

/* RFC 5869 appendix A, test cases 1-3 (SHA-256). */
static const struct {
	const char *ikm, *salt, *info, *prk, *okm;
	size_t      l;
} rfc5869[] = {
	{ "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
	    "000102030405060708090a0b0c", "f0f1f2f3f4f5f6f7f8f9",
	    "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
	    "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
	    "34007208d5b887185865",
	    42 },
	{ "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	  "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
	  "404142434445464748494a4b4c4d4e4f",
	    "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
	    "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
	    "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
	    "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
	    "d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef"
	    "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
	    "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
	    "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
	    "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
	    "cc30c58179ec3e87c14c01d5c1f3434f1d87",
	    82 },
	{ "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "", "",
	    "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
	    "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
	    "9d201395faa4b61a96c8",
	    42 },
};

static void
test_rfc5869_appendix_a(void **state)
{
	(void) state;
	for (size_t i = 0; i < sizeof(rfc5869) / sizeof(rfc5869[0]); i++) {
		size_t   il, sl, nl, pl, ol;
		uint8_t *ikm  = tu_unhex(rfc5869[i].ikm, &il);
		uint8_t *salt = tu_unhex(rfc5869[i].salt, &sl);
		uint8_t *info = tu_unhex(rfc5869[i].info, &nl);
		uint8_t *prk  = tu_unhex(rfc5869[i].prk, &pl);
		uint8_t *okm  = tu_unhex(rfc5869[i].okm, &ol);
		uint8_t  p[NNG_MPC_HKDF_SHA256_PRK_SIZE];
		uint8_t  o[128];

		assert_int_equal(ol, rfc5869[i].l);
		assert_int_equal(nng_mpc_hkdf_sha256_extract(
		                     p, sl ? salt : NULL, sl, ikm, il),
		    0);
		assert_memory_equal(p, prk, pl);
		assert_int_equal(nng_mpc_hkdf_sha256_expand(
		                     o, ol, p, sizeof(p), nl ? info : NULL, nl),
		    0);
		assert_memory_equal(o, okm, ol);
		memset(o, 0, sizeof(o));
		assert_int_equal(nng_mpc_hkdf_sha256(o, ol, ikm, il,
		                     sl ? salt : NULL, sl, nl ? info : NULL, nl),
		    0);
		assert_memory_equal(o, okm, ol);
		free(ikm);
		free(salt);
		free(info);
		free(prk);
		free(okm);
	}
}

/* Argument checks of the public helpers: each refusal is specific. */
static void
test_public_helpers_reject(void **state)
{
	uint8_t key[32] = { 1 }, mac[32], okm[64], prk[32] = { 2 };

	(void) state;
	assert_int_equal(nng_mpc_hmac_sha256(key, 32, "abc", 3, mac), 0);
	/* tags shorter than 16 bytes or longer than 32 are refused */
	assert_int_equal(nng_mpc_hmac_sha256_verify(key, 32, "abc", 3, mac, 15),
	    NNG_MPC_ECRYPTOARG);
	assert_int_equal(nng_mpc_hmac_sha256_verify(key, 32, "abc", 3, mac, 33),
	    NNG_MPC_ECRYPTOARG);
	assert_int_equal(
	    nng_mpc_hmac_sha256_verify(key, 32, "abc", 3, mac, 16), 0);
	mac[31] ^= 1; /* outside a 16-byte truncated tag, inside a full one */
	assert_int_equal(
	    nng_mpc_hmac_sha256_verify(key, 32, "abc", 3, mac, 16), 0);
	assert_int_equal(nng_mpc_hmac_sha256_verify(key, 32, "abc", 3, mac, 32),
	    NNG_MPC_EAUTH);
	assert_int_equal(nng_mpc_hmac_sha256(NULL, 3, "abc", 3, mac),
	    NNG_MPC_ECRYPTOARG);
	assert_int_equal(nng_mpc_hkdf_sha256_expand(okm, 0, prk, 32, NULL, 0),
	    NNG_MPC_ECRYPTOARG);
	assert_int_equal(nng_mpc_hkdf_sha256_expand(okm, 64, prk, 31, NULL, 0),
	    NNG_MPC_ECRYPTOARG);
	assert_int_equal(nng_mpc_hkdf_sha256(okm, 0, key, 32, NULL, 0, NULL, 0),
	    NNG_MPC_ECRYPTOARG);
	assert_int_equal(
	    nng_mpc_hkdf_sha256_extract(prk, NULL, 5, key, 32), NNG_MPC_ECRYPTOARG);
	/* the maximum output is allowed, one more byte is not */
	{
		uint8_t *big = malloc(NNG_MPC_HKDF_SHA256_MAX_OKM + 1);
		assert_non_null(big);
		assert_int_equal(nng_mpc_hkdf_sha256_expand(big,
		                     NNG_MPC_HKDF_SHA256_MAX_OKM, prk, 32, NULL, 0),
		    0);
		assert_int_equal(nng_mpc_hkdf_sha256_expand(big,
		                     NNG_MPC_HKDF_SHA256_MAX_OKM + 1, prk, 32, NULL,
		                     0),
		    NNG_MPC_ECRYPTOARG);
		free(big);
	}
}

/* The nonce is IV XOR (be32 epoch || be64 seq), RFC 8446 5.3. */
static void
test_aead_nonce_layout(void **state)
{
	uint8_t  key[32] = { 0 }, iv[12], n[12];
	mpc_aead a;

	(void) state;
	for (int i = 0; i < 12; i++) {
		iv[i] = (uint8_t) (0xf0 + i);
	}
	assert_int_equal(mpc_aead_init(&a, key, iv), 0);
	mpc_aead_nonce(&a, 0, 0, n);
	assert_memory_equal(n, iv, 12);
	mpc_aead_nonce(&a, 0x01020304u, UINT64_C(0x1112131415161718), n);
	uint8_t want[12] = { 0xf0 ^ 1, 0xf1 ^ 2, 0xf2 ^ 3, 0xf3 ^ 4, 0xf4 ^ 0x11,
		0xf5 ^ 0x12, 0xf6 ^ 0x13, 0xf7 ^ 0x14, 0xf8 ^ 0x15, 0xf9 ^ 0x16,
		0xfa ^ 0x17, 0xfb ^ 0x18 };
	assert_memory_equal(n, want, 12);
	mpc_aead_fini(&a);
	/* a finished key refuses to work */
	{
		uint8_t tag[MPC_AEAD_TAG_LEN];
		assert_int_equal(mpc_aead_seal(&a, 0, 0, NULL, 0, n, 0, tag),
		    NNG_MPC_ECRYPTOARG);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wycheproof_aes_gcm),
		cmocka_unit_test(test_wycheproof_hkdf_sha256),
		cmocka_unit_test(test_wycheproof_hmac_sha256),
		cmocka_unit_test(test_rfc5869_appendix_a),
		cmocka_unit_test(test_public_helpers_reject),
		cmocka_unit_test(test_aead_nonce_layout),
	};
	return (cmocka_run_group_tests_name("crypto_vectors", tests, NULL, NULL));
}
