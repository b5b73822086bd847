/*
 * mpc_kdf.c -- HMAC-SHA256 and HKDF-SHA256 (RFC 2104, RFC 5869, RFC 8446
 * section 7.1 labels) on wolfCrypt's HMAC, wiping every intermediate.
 *
 * Threading: stateless; every call uses only its own stack.
 */
#include <string.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/wolfcrypt/hmac.h>

#include "nng_mpc.h"

#include "mpc_kdf.h"
#include "mpc_wipe.h"

/* "nng-mpc v1 " : the label prefix, the analogue of RFC 8446's "tls13 ". */
#define MPC_KDF_LABEL_PREFIX     "nng-mpc v1 "
#define MPC_KDF_LABEL_PREFIX_LEN (sizeof(MPC_KDF_LABEL_PREFIX) - 1)

/* wolfCrypt takes word32 lengths. */
#define MPC_KDF_MAX_INPUT ((size_t) UINT32_MAX)

static int
pieces_ok(const mpc_kdf_piece *piece, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if ((piece[i].ptr == NULL && piece[i].len != 0) ||
		    piece[i].len > MPC_KDF_MAX_INPUT) {
			return (0);
		}
	}
	return (1);
}

int
mpc_hmac_sha256_pieces(uint8_t mac[MPC_KDF_HASH_LEN], const void *key,
    size_t key_len, const mpc_kdf_piece *piece, size_t n)
{
	/* HMAC with an empty key is HMAC with a zero block (RFC 2104
	 * section 2: the key is zero-padded); wolfCrypt wants a pointer. */
	static const uint8_t empty[1] = { 0 };
	Hmac                 h;
	int                  inited = 0;
	int                  rv     = NNG_MPC_ECRYPTO;

	if (mac == NULL || (key == NULL && key_len != 0) ||
	    key_len > MPC_KDF_MAX_INPUT || (piece == NULL && n != 0) ||
	    !pieces_ok(piece, n)) {
		return (NNG_MPC_ECRYPTOARG);
	}
	if (wc_HmacInit(&h, NULL, INVALID_DEVID) != 0) {
		goto out;
	}
	inited = 1;
	if (wc_HmacSetKey(&h, WC_SHA256, key_len ? key : empty,
	        (word32) key_len) != 0) {
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (piece[i].len != 0 &&
		    wc_HmacUpdate(&h, piece[i].ptr, (word32) piece[i].len) != 0) {
			goto out;
		}
	}
	if (wc_HmacFinal(&h, mac) != 0) {
		goto out;
	}
	rv = 0;
out:
	if (inited) {
		wc_HmacFree(&h);
	}
	/* ipad/opad and the inner hash state are key material. */
	mpc_wipe(&h, sizeof(h));
	if (rv != 0) {
		mpc_wipe(mac, MPC_KDF_HASH_LEN);
	}
	return (rv);
}

int
mpc_hmac_sha256(uint8_t mac[MPC_KDF_HASH_LEN], const void *key,
    size_t key_len, const void *msg, size_t msg_len)
{
	mpc_kdf_piece p = { msg, msg_len };

	return (mpc_hmac_sha256_pieces(mac, key, key_len, &p, 1));
}

int
mpc_hmac_sha256_verify(const void *key, size_t key_len, const void *msg,
    size_t msg_len, const void *tag, size_t tag_len)
{
	uint8_t mac[MPC_KDF_HASH_LEN];
	int     rv;

	if (tag == NULL || tag_len < MPC_KDF_MIN_TAG ||
	    tag_len > MPC_KDF_HASH_LEN) {
		return (NNG_MPC_ECRYPTOARG);
	}
	if ((rv = mpc_hmac_sha256(mac, key, key_len, msg, msg_len)) != 0) {
		goto out;
	}
	rv = mpc_ct_equal(mac, tag, tag_len) ? 0 : NNG_MPC_EAUTH;
out:
	mpc_wipe(mac, sizeof(mac));
	return (rv);
}

int
mpc_hkdf_extract_pieces(uint8_t prk[MPC_KDF_HASH_LEN], const void *salt,
    size_t salt_len, const mpc_kdf_piece *ikm, size_t n)
{
	/* RFC 5869 section 2.2: salt not provided = HashLen zeros.  HMAC pads
	 * the key with zeros anyway, so the empty salt gives the same PRK. */
	static const uint8_t zeros[MPC_KDF_HASH_LEN] = { 0 };

	if (salt == NULL && salt_len != 0) {
		return (NNG_MPC_ECRYPTOARG);
	}
	if (salt_len == 0) {
		salt     = zeros;
		salt_len = sizeof(zeros);
	}
	return (mpc_hmac_sha256_pieces(prk, salt, salt_len, ikm, n));
}

int
mpc_hkdf_extract(uint8_t prk[MPC_KDF_HASH_LEN], const void *salt,
    size_t salt_len, const void *ikm, size_t ikm_len)
{
	mpc_kdf_piece p = { ikm, ikm_len };

	return (mpc_hkdf_extract_pieces(prk, salt, salt_len, &p, 1));
}

int
mpc_hkdf_expand(uint8_t *okm, size_t okm_len, const void *prk,
    size_t prk_len, const void *info, size_t info_len)
{
	/* RFC 5869 section 2.3:
	 *   T(0) = empty, T(i) = HMAC(PRK, T(i-1) || info || i)
	 *   OKM  = first L octets of T(1) || T(2) || ... */
	uint8_t       t[MPC_KDF_HASH_LEN];
	uint8_t       ctr = 0;
	size_t        done = 0;
	mpc_kdf_piece p[3];
	int           rv = 0;

	if (okm == NULL || okm_len == 0 || okm_len > MPC_KDF_MAX_OKM ||
	    prk == NULL || prk_len < MPC_KDF_HASH_LEN ||
	    (info == NULL && info_len != 0)) {
		return (NNG_MPC_ECRYPTOARG);
	}
	while (done < okm_len) {
		size_t take = okm_len - done;

		ctr++;
		p[0].ptr = t;
		p[0].len = ctr == 1 ? 0 : sizeof(t);
		p[1].ptr = info;
		p[1].len = info_len;
		p[2].ptr = &ctr;
		p[2].len = 1;
		if ((rv = mpc_hmac_sha256_pieces(t, prk, prk_len, p, 3)) != 0) {
			goto out;
		}
		if (take > sizeof(t)) {
			take = sizeof(t);
		}
		memcpy(okm + done, t, take);
		done += take;
	}
out:
	mpc_wipe(t, sizeof(t));
	if (rv != 0) {
		mpc_wipe(okm, okm_len);
	}
	return (rv);
}

int
mpc_hkdf_expand_label(uint8_t *okm, size_t okm_len,
    const uint8_t secret[MPC_KDF_HASH_LEN], const char *label,
    const void *context, size_t ctx_len)
{
	/* struct { uint16 length; opaque label<7..255>;
	 *          opaque context<0..255>; } HkdfLabel;   (RFC 8446 7.1) */
	uint8_t info[2 + 1 + MPC_KDF_LABEL_PREFIX_LEN + MPC_KDF_LABEL_MAX + 1 +
	    MPC_KDF_CONTEXT_MAX];
	size_t  label_len = label != NULL ? strlen(label) : 0;
	size_t  n         = 0;
	int     rv;

	if (label_len == 0 || label_len > MPC_KDF_LABEL_MAX ||
	    okm_len > UINT16_MAX || ctx_len > MPC_KDF_CONTEXT_MAX ||
	    (context == NULL && ctx_len != 0)) {
		return (NNG_MPC_ECRYPTOARG);
	}
	info[n++] = (uint8_t) (okm_len >> 8);
	info[n++] = (uint8_t) okm_len;
	info[n++] = (uint8_t) (MPC_KDF_LABEL_PREFIX_LEN + label_len);
	memcpy(info + n, MPC_KDF_LABEL_PREFIX, MPC_KDF_LABEL_PREFIX_LEN);
	n += MPC_KDF_LABEL_PREFIX_LEN;
	memcpy(info + n, label, label_len);
	n += label_len;
	info[n++] = (uint8_t) ctx_len;
	if (ctx_len != 0) {
		memcpy(info + n, context, ctx_len);
		n += ctx_len;
	}
	rv = mpc_hkdf_expand(okm, okm_len, secret, MPC_KDF_HASH_LEN, info, n);
	/* The context may hold identifiers only, but wipe it like the rest:
	 * one rule, no judgement calls per buffer. */
	mpc_wipe(info, sizeof(info));
	return (rv);
}
