/*
 * mpc_aead.c -- AES-256-GCM seal/open of one frame with an RFC 8446
 * section 5.3 nonce.  See mpc_aead.h for the contract.
 *
 * Threading: one thread per mpc_aead at a time; no shared state.
 */
#include <string.h>

#include <wolfssl/wolfcrypt/error-crypt.h>

#include "nng_mpc.h"

#include "mpc_aead.h"
#include "mpc_wipe.h"

int
mpc_aead_init(mpc_aead *a, const uint8_t key[MPC_AEAD_KEY_LEN],
    const uint8_t iv[MPC_AEAD_IV_LEN])
{
	if (a == NULL || key == NULL || iv == NULL) {
		return (NNG_MPC_ECRYPTOARG);
	}
	memset(a, 0, sizeof(*a));
	if (wc_AesInit(&a->aes, NULL, INVALID_DEVID) != 0) {
		goto fail;
	}
	if (wc_AesGcmSetKey(&a->aes, key, MPC_AEAD_KEY_LEN) != 0) {
		wc_AesFree(&a->aes);
		goto fail;
	}
	memcpy(a->iv, iv, MPC_AEAD_IV_LEN);
	a->ready = 1;
	return (0);
fail:
	mpc_wipe(a, sizeof(*a));
	return (NNG_MPC_ECRYPTO);
}

void
mpc_aead_fini(mpc_aead *a)
{
	if (a == NULL) {
		return;
	}
	if (a->ready) {
		wc_AesFree(&a->aes);
	}
	/* wc_AesFree releases resources only; the round keys and GHASH
	 * table stay in the struct until wiped here. */
	mpc_wipe(a, sizeof(*a));
}

static inline uint32_t
to_be32(uint32_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (__builtin_bswap32(v));
#else
	return (v);
#endif
}

static inline uint64_t
to_be64(uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (__builtin_bswap64(v));
#else
	return (v);
#endif
}

void
mpc_aead_nonce(const mpc_aead *a, uint32_t epoch, uint64_t seq,
    uint8_t nonce[MPC_AEAD_IV_LEN])
{
	/* RFC 8446 5.3: the sequence number, left-padded to iv_length and
	 * big-endian, XORed with the static IV; the pad carries the epoch.
	 * Word-wise (memcpy: no alignment assumed): it runs every frame. */
	uint32_t hi;
	uint64_t lo;

	memcpy(&hi, a->iv, sizeof(hi));
	memcpy(&lo, a->iv + 4, sizeof(lo));
	hi ^= to_be32(epoch);
	lo ^= to_be64(seq);
	memcpy(nonce, &hi, sizeof(hi));
	memcpy(nonce + 4, &lo, sizeof(lo));
}

static int
args_ok(const mpc_aead *a, const uint8_t *aad, size_t aad_len,
    const uint8_t *buf, size_t len, const uint8_t *tag)
{
	return (a != NULL && a->ready && tag != NULL &&
	    (aad != NULL || aad_len == 0) && (buf != NULL || len == 0) &&
	    aad_len <= MPC_AEAD_MAX_LEN && len <= MPC_AEAD_MAX_LEN);
}

int
mpc_aead_seal(mpc_aead *a, uint32_t epoch, uint64_t seq,
    const uint8_t *aad, size_t aad_len, uint8_t *buf, size_t len,
    uint8_t tag[MPC_AEAD_TAG_LEN])
{
	uint8_t nonce[MPC_AEAD_IV_LEN];
	uint8_t empty[1];
	int     rv = 0;

	if (!args_ok(a, aad, aad_len, buf, len, tag)) {
		rv = NNG_MPC_ECRYPTOARG;
		goto out;
	}
	mpc_aead_nonce(a, epoch, seq, nonce);
	/* wolfCrypt rejects NULL buffers even at length 0. */
	if (wc_AesGcmEncrypt(&a->aes, len ? buf : empty, len ? buf : empty,
	        (word32) len, nonce, MPC_AEAD_IV_LEN, tag, MPC_AEAD_TAG_LEN,
	        aad_len ? aad : NULL, (word32) aad_len) != 0) {
		rv = NNG_MPC_ECRYPTO;
	}
out:
	mpc_wipe(nonce, sizeof(nonce));
	if (rv != 0) {
		if (buf != NULL) {
			mpc_wipe(buf, len);
		}
		if (tag != NULL) {
			mpc_wipe(tag, MPC_AEAD_TAG_LEN);
		}
	}
	return (rv);
}

int
mpc_aead_open(mpc_aead *a, uint32_t epoch, uint64_t seq,
    const uint8_t *aad, size_t aad_len, uint8_t *buf, size_t len,
    const uint8_t tag[MPC_AEAD_TAG_LEN])
{
	uint8_t nonce[MPC_AEAD_IV_LEN];
	uint8_t empty[1];
	int     rv = 0;
	int     wrv;

	if (!args_ok(a, aad, aad_len, buf, len, tag)) {
		rv = NNG_MPC_ECRYPTOARG;
		goto out;
	}
	mpc_aead_nonce(a, epoch, seq, nonce);
	wrv = wc_AesGcmDecrypt(&a->aes, len ? buf : empty, len ? buf : empty,
	    (word32) len, nonce, MPC_AEAD_IV_LEN, tag, MPC_AEAD_TAG_LEN,
	    aad_len ? aad : NULL, (word32) aad_len);
	if (wrv == AES_GCM_AUTH_E) {
		rv = NNG_MPC_EAUTH;
	} else if (wrv != 0) {
		rv = NNG_MPC_ECRYPTO;
	}
out:
	mpc_wipe(nonce, sizeof(nonce));
	if (rv != 0 && buf != NULL) {
		/* wolfCrypt decrypts while it hashes: on a bad tag buf already
		 * holds unauthenticated plaintext.  Nothing of it survives. */
		mpc_wipe(buf, len);
	}
	return (rv);
}
