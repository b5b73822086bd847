/*
 * bench_aead: AES-256-GCM seal throughput, wolfCrypt (this project's AES-NI
 * build) next to OpenSSL's EVP in the same run, at the frame sizes the
 * transport sends.  Prints a table; never a pass/fail test.
 *
 * usage: bench_aead [seconds-per-cell]   (default 0.3)
 *
 * Method: each cell seals the same buffer in place repeatedly for the given
 * time, three times, and reports the median; the IV changes every call as it
 * does in the transport (RFC 8446 5.3 style counter nonce).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/wolfcrypt/aes.h>

#include <openssl/evp.h>

#define TAG_LEN 16
#define IV_LEN 12
#define REPEATS 3

static const size_t sizes[] = { 64, 1024, 16 * 1024, 64 * 1024 };

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec * 1e-9;
}

static void
next_iv(uint8_t iv[IV_LEN], uint64_t seq)
{
	for (int i = 0; i < 8; i++) {
		iv[IV_LEN - 1 - i] = (uint8_t) (seq >> (8 * i));
	}
}

typedef int (*seal_fn)(void *ctx, uint8_t *buf, size_t len,
    const uint8_t *iv, const uint8_t *aad, size_t aad_len, uint8_t *tag);

static int
wolf_seal(void *ctx, uint8_t *buf, size_t len, const uint8_t *iv,
    const uint8_t *aad, size_t aad_len, uint8_t *tag)
{
	return wc_AesGcmEncrypt((Aes *) ctx, buf, buf, (word32) len, iv, IV_LEN,
	    tag, TAG_LEN, aad, (word32) aad_len);
}

static int
ossl_seal(void *ctx, uint8_t *buf, size_t len, const uint8_t *iv,
    const uint8_t *aad, size_t aad_len, uint8_t *tag)
{
	EVP_CIPHER_CTX *c = ctx;
	int             n;
	if (EVP_EncryptInit_ex(c, NULL, NULL, NULL, iv) != 1 ||
	    EVP_EncryptUpdate(c, NULL, &n, aad, (int) aad_len) != 1 ||
	    EVP_EncryptUpdate(c, buf, &n, buf, (int) len) != 1 ||
	    EVP_EncryptFinal_ex(c, buf + n, &n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag) != 1) {
		return -1;
	}
	return 0;
}

/* Median over REPEATS of ns per seal. */
static double
measure(seal_fn fn, void *ctx, uint8_t *buf, size_t len, double secs)
{
	uint8_t iv[IV_LEN] = { 0 }, aad[40] = { 0 }, tag[TAG_LEN];
	double  r[REPEATS];
	uint64_t seq = 0;

	for (int k = 0; k < REPEATS; k++) {
		uint64_t n  = 0;
		double   t0 = now_s(), t1;
		do {
			for (int j = 0; j < 64; j++) {
				next_iv(iv, seq++);
				if (fn(ctx, buf, len, iv, aad, sizeof(aad), tag) != 0) {
					fprintf(stderr, "seal failed\n");
					exit(1);
				}
			}
			n += 64;
			t1 = now_s();
		} while (t1 - t0 < secs);
		r[k] = (t1 - t0) * 1e9 / (double) n;
	}
	/* median of three */
	double a = r[0], b = r[1], c = r[2];
	if (a > b) { double t = a; a = b; b = t; }
	if (b > c) { b = c; }
	return a > b ? a : b;
}

int
main(int argc, char **argv)
{
	double          secs = argc > 1 ? atof(argv[1]) : 0.3;
	uint8_t         key[32];
	Aes             aes;
	EVP_CIPHER_CTX *ossl = EVP_CIPHER_CTX_new();
	uint8_t        *buf  = calloc(1, 64 * 1024);

	if (secs <= 0 || ossl == NULL || buf == NULL) {
		fprintf(stderr, "usage: bench_aead [seconds-per-cell > 0]\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(key); i++) {
		key[i] = (uint8_t) (i * 7 + 1);
	}
	if (wc_AesInit(&aes, NULL, INVALID_DEVID) != 0 ||
	    wc_AesGcmSetKey(&aes, key, sizeof(key)) != 0 ||
	    EVP_EncryptInit_ex(ossl, EVP_aes_256_gcm(), NULL, key, NULL) != 1) {
		fprintf(stderr, "cipher setup failed\n");
		return 1;
	}

	printf("AES-256-GCM seal, in place, 40-byte AAD, median of %d x %.2fs\n",
	    REPEATS, secs);
	printf("wolfCrypt: AES-NI %s, AVX assembly %s | %s\n\n",
	    aes.use_aesni ? "on" : "OFF",
#ifdef USE_INTEL_SPEEDUP
	    "on",
#else
	    "OFF",
#endif
	    OpenSSL_version(OPENSSL_VERSION));
	printf("| size     | wolfCrypt ns/op | wolfCrypt MB/s | OpenSSL ns/op | "
	       "OpenSSL MB/s | wolfCrypt / OpenSSL |\n");
	printf("|---------:|----------------:|---------------:|--------------:|"
	       "-------------:|--------------------:|\n");
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t len = sizes[i];
		double w   = measure(wolf_seal, &aes, buf, len, secs);
		double o   = measure(ossl_seal, ossl, buf, len, secs);
		printf("| %6zu B | %15.0f | %14.0f | %13.0f | %12.0f | %18.2fx |\n",
		    len, w, (double) len * 1e3 / w, o, (double) len * 1e3 / o,
		    o / w);
	}
	wc_AesFree(&aes);
	EVP_CIPHER_CTX_free(ossl);
	free(buf);
	return 0;
}
