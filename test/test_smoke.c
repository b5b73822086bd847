/*
 * Smoke test: proves the build wiring every other piece stands on.
 *  - NNG's internal interface is reachable: nni_url_parse() and
 *    nni_sp_tran_find() from src/core and src/sp/transport.h, compiled with
 *    the definitions NNG itself was built with;
 *  - wolfCrypt's AES-256-GCM runs on the AES-NI path: the configuration macro
 *    is set, the key schedule chose AES-NI on this CPU, and a known-answer
 *    vector (McGrew & Viega, "The Galois/Counter Mode of Operation", test
 *    case 16) seals and opens exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/nng_impl.h"
#include "sp/transport.h"

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/wolfcrypt/aes.h>
#include <wolfssl/wolfcrypt/cpuid.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

static void
test_nng_internal_transport_registry(void **state)
{
	nni_url *url = NULL;

	(void) state;
	assert_int_equal(nni_init(), 0);
	assert_int_equal(nni_url_parse(&url, "tcp://127.0.0.1:4000"), 0);
	assert_string_equal(url->u_scheme, "tcp");
	assert_non_null(nni_sp_tran_find(url));
	nni_url_free(url);

	/* No transport claims a scheme nobody registered. */
	assert_int_equal(nni_url_parse(&url, "mpc+nosuch://127.0.0.1:4000"), 0);
	assert_null(nni_sp_tran_find(url));
	nni_url_free(url);
}

static int
unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2;
	if (n > cap) {
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1) {
			return -1;
		}
		out[i] = (uint8_t) v;
	}
	return (int) n;
}

static void
test_wolfcrypt_aes_gcm_aesni_kat(void **state)
{
	/* GCM spec, test case 16: 256-bit key, 96-bit IV, 60-byte PT, AAD. */
	static const char *key_hex =
	    "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
	static const char *iv_hex = "cafebabefacedbaddecaf888";
	static const char *pt_hex =
	    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
	    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
	static const char *aad_hex = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
	static const char *ct_hex =
	    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	    "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662";
	static const char *tag_hex = "76fc6ece0f4e1768cddf8853bb2d551b";
	uint8_t key[32], iv[12], pt[60], aad[20], ct[60], tag[16];
	uint8_t out[60], back[60], got_tag[16];
	Aes     aes;

	(void) state;
#ifndef WOLFSSL_AESNI
	fail_msg("wolfSSL was built without WOLFSSL_AESNI");
#endif
#ifndef USE_INTEL_SPEEDUP
	fail_msg("wolfSSL was built without USE_INTEL_SPEEDUP (AVX assembly)");
#endif
	assert_int_equal(unhex(key_hex, key, sizeof(key)), 32);
	assert_int_equal(unhex(iv_hex, iv, sizeof(iv)), 12);
	assert_int_equal(unhex(pt_hex, pt, sizeof(pt)), 60);
	assert_int_equal(unhex(aad_hex, aad, sizeof(aad)), 20);
	assert_int_equal(unhex(ct_hex, ct, sizeof(ct)), 60);
	assert_int_equal(unhex(tag_hex, tag, sizeof(tag)), 16);

	assert_int_equal(wc_AesInit(&aes, NULL, INVALID_DEVID), 0);
	assert_int_equal(wc_AesGcmSetKey(&aes, key, sizeof(key)), 0);
	/* The key schedule takes the AES-NI path when the CPU has it. */
	assert_true((cpuid_get_flags() & CPUID_AESNI) != 0);
	assert_int_equal(aes.use_aesni, 1);

	assert_int_equal(wc_AesGcmEncrypt(&aes, out, pt, sizeof(pt), iv,
	                     sizeof(iv), got_tag, sizeof(got_tag), aad, sizeof(aad)),
	    0);
	assert_memory_equal(out, ct, sizeof(ct));
	assert_memory_equal(got_tag, tag, sizeof(tag));

	assert_int_equal(wc_AesGcmDecrypt(&aes, back, ct, sizeof(ct), iv,
	                     sizeof(iv), tag, sizeof(tag), aad, sizeof(aad)),
	    0);
	assert_memory_equal(back, pt, sizeof(pt));

	/* One flipped tag bit: authentication fails. */
	tag[0] ^= 1;
	assert_int_equal(wc_AesGcmDecrypt(&aes, back, ct, sizeof(ct), iv,
	                     sizeof(iv), tag, sizeof(tag), aad, sizeof(aad)),
	    AES_GCM_AUTH_E);
	wc_AesFree(&aes);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nng_internal_transport_registry),
		cmocka_unit_test(test_wolfcrypt_aes_gcm_aesni_kat),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
