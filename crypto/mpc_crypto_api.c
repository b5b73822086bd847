/*
 * mpc_crypto_api.c -- the public HMAC-SHA256 / HKDF-SHA256 helpers of
 * include/nng_mpc.h ("crypto helpers"), thin wrappers over mpc_kdf.c so
 * applications and the message layer share one implementation.
 *
 * Threading: stateless.
 */
#include "nng_mpc.h"

#include "mpc_kdf.h"
#include "mpc_wipe.h"

int
nng_mpc_hmac_sha256(const void *key, size_t key_len, const void *msg,
    size_t msg_len, uint8_t mac[NNG_MPC_HMAC_SHA256_SIZE])
{
	return (mpc_hmac_sha256(mac, key, key_len, msg, msg_len));
}

int
nng_mpc_hmac_sha256_verify(const void *key, size_t key_len, const void *msg,
    size_t msg_len, const void *tag, size_t tag_len)
{
	return (mpc_hmac_sha256_verify(key, key_len, msg, msg_len, tag, tag_len));
}

int
nng_mpc_hkdf_sha256_extract(uint8_t prk[NNG_MPC_HKDF_SHA256_PRK_SIZE],
    const void *salt, size_t salt_len, const void *ikm, size_t ikm_len)
{
	return (mpc_hkdf_extract(prk, salt, salt_len, ikm, ikm_len));
}

int
nng_mpc_hkdf_sha256_expand(uint8_t *okm, size_t okm_len, const void *prk,
    size_t prk_len, const void *info, size_t info_len)
{
	return (mpc_hkdf_expand(okm, okm_len, prk, prk_len, info, info_len));
}

int
nng_mpc_hkdf_sha256(uint8_t *okm, size_t okm_len, const void *ikm,
    size_t ikm_len, const void *salt, size_t salt_len, const void *info,
    size_t info_len)
{
	uint8_t prk[NNG_MPC_HKDF_SHA256_PRK_SIZE];
	int     rv;

	/* Check the output length first: no work for a request that can
	 * only fail. */
	if (okm == NULL || okm_len == 0 || okm_len > NNG_MPC_HKDF_SHA256_MAX_OKM) {
		return (NNG_MPC_ECRYPTOARG);
	}
	if ((rv = mpc_hkdf_extract(prk, salt, salt_len, ikm, ikm_len)) == 0) {
		rv = mpc_hkdf_expand(okm, okm_len, prk, sizeof(prk), info,
		    info_len);
	}
	mpc_wipe(prk, sizeof(prk));
	return (rv);
}
