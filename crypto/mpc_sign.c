/*
 * mpc_sign.c -- ECDSA statements with a certificate's key; see mpc_sign.h.
 *
 * The hash follows the curve (P-256: SHA-256, P-384: SHA-384), so the
 * verifier needs nothing but the certificate.  Certificates are decoded
 * only by wolfSSL's parser; chain checks go through its certificate
 * manager, the same verification the TLS handshake runs.
 *
 * Threading: see mpc_sign.h.  Every private byte (DER key, ecc_key) is
 * wiped on every exit path.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/asn.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/ecc.h>
#include <wolfssl/wolfcrypt/random.h>
#include <wolfssl/wolfcrypt/hash.h>

#include <nng/nng.h>

#include "nng_mpc.h"

#include "mpc_sign.h"
#include "mpc_wipe.h"

/* A PKCS#8 P-384 key with its public key is ~185 bytes DER. */
#define KEY_DER_MAX 1024
/* A P-384 SubjectPublicKeyInfo is 120 bytes. */
#define SPKI_MAX 256

struct mpc_sign_key {
	ecc_key key;
	WC_RNG  rng;
	int     curve; /* ECC_SECP256R1 or ECC_SECP384R1 */
	bool    key_init;
	bool    rng_init;
};

/* The statement's hash for the key's curve; its length, 0 on failure. */
static word32
sign_hash(int curve, const uint8_t *msg, size_t len,
    uint8_t out[WC_SHA384_DIGEST_SIZE])
{
	if (len > UINT32_MAX) {
		return (0);
	}
	if (curve == ECC_SECP256R1) {
		return (wc_Sha256Hash(msg, (word32) len, out) == 0
		        ? WC_SHA256_DIGEST_SIZE
		        : 0);
	}
	if (curve == ECC_SECP384R1) {
		return (wc_Sha384Hash(msg, (word32) len, out) == 0
		        ? WC_SHA384_DIGEST_SIZE
		        : 0);
	}
	return (0);
}

/* Decodes a DER EC private key (SEC1, or PKCS#8 around it) into k. */
static int
sign_key_decode(mpc_sign_key *k, const uint8_t *der, size_t n)
{
	word32 idx = 0;

	if (wc_EccPrivateKeyDecode(der, &idx, &k->key, (word32) n) != 0) {
		return (NNG_MPC_ESIGNKEY);
	}
	k->curve = wc_ecc_get_curve_id(k->key.idx);
	if (k->curve != ECC_SECP256R1 && k->curve != ECC_SECP384R1) {
		return (NNG_MPC_ESIGNKEY);
	}
	/* SEC1 keys may omit the public key; derive it (SEC 1 section 3.2.1). */
	if (k->key.type == ECC_PRIVATEKEY_ONLY &&
	    wc_ecc_make_pub(&k->key, NULL) != 0) {
		return (NNG_MPC_ESIGNKEY);
	}
	return (0);
}

/* A key handle with its DRBG, from the DER private key der. */
static int
sign_key_new(mpc_sign_key **kp, const uint8_t *der, size_t n)
{
	mpc_sign_key *k;
	int           rv;

	*kp = NULL;
	if ((k = mpc_zalloc(sizeof(*k))) == NULL) {
		return (NNG_ENOMEM);
	}
	if (wc_ecc_init(&k->key) != 0) {
		rv = NNG_MPC_ECRYPTO;
		goto out;
	}
	k->key_init = true;
	if (wc_InitRng(&k->rng) != 0) {
		rv = NNG_MPC_ECRYPTO;
		goto out;
	}
	k->rng_init = true;
	if ((rv = sign_key_decode(k, der, n)) != 0) {
		goto out;
	}
	*kp = k;
	k   = NULL;
out:
	mpc_sign_key_free(k);
	return (rv);
}

int
mpc_sign_key_load(mpc_sign_key **kp, const char *pem, size_t len)
{
	uint8_t *der = NULL;
	int      n, rv;

	if (kp == NULL || pem == NULL || len == 0 || len > INT32_MAX) {
		return (NNG_EINVAL);
	}
	*kp = NULL;
	if ((der = mpc_zalloc(KEY_DER_MAX)) == NULL) {
		return (NNG_ENOMEM);
	}
	n = wc_KeyPemToDer((const byte *) pem, (int) len, der, KEY_DER_MAX, NULL);
	rv = n <= 0 ? NNG_MPC_ESIGNKEY : sign_key_new(kp, der, (size_t) n);
	mpc_wipe_free(der, KEY_DER_MAX);
	return (rv);
}

int
mpc_sign_key_load_der(mpc_sign_key **kp, const uint8_t *der, size_t len)
{
	if (kp == NULL || der == NULL || len == 0 || len > INT32_MAX) {
		return (NNG_EINVAL);
	}
	return (sign_key_new(kp, der, len));
}

void
mpc_sign_key_free(mpc_sign_key *k)
{
	if (k == NULL) {
		return;
	}
	if (k->key_init) {
		wc_ecc_free(&k->key);
	}
	if (k->rng_init) {
		wc_FreeRng(&k->rng);
	}
	mpc_wipe_free(k, sizeof(*k));
}

int
mpc_sign(mpc_sign_key *k, const uint8_t *msg, size_t len, uint8_t *sig,
    size_t *siglen)
{
	uint8_t hash[WC_SHA384_DIGEST_SIZE];
	word32  hlen, out;

	if (k == NULL || (msg == NULL && len > 0) || sig == NULL ||
	    siglen == NULL || *siglen < MPC_SIGN_SIG_MAX) {
		return (NNG_EINVAL);
	}
	if ((hlen = sign_hash(k->curve, msg, len, hash)) == 0) {
		return (NNG_MPC_ECRYPTO);
	}
	out = (word32) MPC_SIGN_SIG_MAX;
	if (wc_ecc_sign_hash(hash, hlen, sig, &out, &k->rng, &k->key) != 0) {
		return (NNG_MPC_ECRYPTO);
	}
	*siglen = out;
	return (0);
}

int
mpc_sign_cert_der(const char *pem, size_t len, uint8_t *der, size_t *derlen)
{
	int n;

	if (pem == NULL || der == NULL || derlen == NULL || len == 0 ||
	    len > INT32_MAX || *derlen > INT32_MAX) {
		return (NNG_MPC_EEVIDCERT);
	}
	n = wc_CertPemToDer((const byte *) pem, (int) len, der, (int) *derlen,
	    CERT_TYPE);
	if (n <= 0) {
		return (NNG_MPC_EEVIDCERT);
	}
	*derlen = (size_t) n;
	return (0);
}

int
mpc_sign_verify(const uint8_t *cert, size_t cert_len, const uint8_t *msg,
    size_t len, const uint8_t *sig, size_t siglen)
{
	DecodedCert dc;
	ecc_key     key;
	uint8_t     spki[SPKI_MAX];
	uint8_t     hash[WC_SHA384_DIGEST_SIZE];
	word32      spki_len = sizeof(spki), idx = 0, hlen;
	int         res = 0, rv;

	if (cert == NULL || cert_len == 0 || cert_len > MPC_SIGN_CERT_MAX) {
		return (NNG_MPC_EEVIDCERT);
	}
	if (sig == NULL || siglen == 0 || siglen > MPC_SIGN_SIG_MAX ||
	    (msg == NULL && len > 0)) {
		return (NNG_MPC_EEVIDSIG);
	}
	wc_InitDecodedCert(&dc, cert, (word32) cert_len, NULL);
	rv = wc_ParseCert(&dc, CERT_TYPE, NO_VERIFY, NULL) != 0 ||
	        wc_GetPubKeyDerFromCert(&dc, spki, &spki_len) != 0
	    ? NNG_MPC_EEVIDCERT
	    : 0;
	wc_FreeDecodedCert(&dc);
	if (rv != 0) {
		return (rv);
	}
	if (wc_ecc_init(&key) != 0) {
		return (NNG_MPC_ECRYPTO);
	}
	/* Not an EC key (or not one we sign with): no signature of ours. */
	if (wc_EccPublicKeyDecode(spki, &idx, &key, spki_len) != 0 ||
	    (hlen = sign_hash(wc_ecc_get_curve_id(key.idx), msg, len, hash)) ==
	        0 ||
	    wc_ecc_verify_hash(sig, (word32) siglen, hash, hlen, &res, &key) !=
	        0 ||
	    res != 1) {
		rv = NNG_MPC_EEVIDSIG;
	}
	wc_ecc_free(&key);
	return (rv);
}

int
mpc_sign_cert_trusted(const char *ca_pem, size_t ca_len, const uint8_t *cert,
    size_t cert_len)
{
	WOLFSSL_CERT_MANAGER *cm;
	int                   rv = NNG_MPC_EEVIDCERT;

	if (ca_pem == NULL || ca_len == 0 || ca_len > INT32_MAX ||
	    cert == NULL || cert_len == 0 || cert_len > MPC_SIGN_CERT_MAX) {
		return (NNG_MPC_EEVIDCERT);
	}
	if ((cm = wolfSSL_CertManagerNew()) == NULL) {
		return (NNG_ENOMEM);
	}
	if (wolfSSL_CertManagerLoadCABuffer(cm, (const unsigned char *) ca_pem,
	        (long) ca_len, WOLFSSL_FILETYPE_PEM) == WOLFSSL_SUCCESS &&
	    wolfSSL_CertManagerVerifyBuffer(cm, cert, (long) cert_len,
	        WOLFSSL_FILETYPE_ASN1) == WOLFSSL_SUCCESS) {
		rv = 0;
	}
	wolfSSL_CertManagerFree(cm);
	return (rv);
}
