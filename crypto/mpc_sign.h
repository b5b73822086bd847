/*
 * mpc_sign.h -- signatures with a party's certificate key: sign a short
 * statement with the private key of our certificate (the PEM given to
 * NNG_OPT_TLS_CERT_KEY_FILE), and verify one against a certificate that
 * chains to a CA.  The broadcast evidence of mpc_evidence.h is built on it.
 *
 * ECDSA (FIPS 186-4) on P-256 with SHA-256 or P-384 with SHA-384 (the
 * pairings of RFC 8446 section 4.2.3), signatures DER-encoded
 * (Ecdsa-Sig-Value, RFC 3279 section 2.2.3).  Nonces
 * come from wolfCrypt's DRBG (wolfCrypt has no RFC 6979 here), seeded
 * per key.
 *
 * A signed statement can never be mistaken for a TLS 1.3 handshake
 * signature over the same key: those cover 64 bytes 0x20 first (RFC 8446
 * section 4.4.3), and certificate signatures cover a DER SEQUENCE (0x30);
 * every statement this project signs starts with an ASCII label.
 *
 * Threading: a key handle is used by one thread at a time (its DRBG);
 * verification is a pure function.  The private key is wiped at free.
 */
#ifndef NNG_MPC_CRYPTO_MPC_SIGN_H
#define NNG_MPC_CRYPTO_MPC_SIGN_H

#include <stddef.h>
#include <stdint.h>

/* DER ECDSA signature: SEQUENCE of two INTEGERs of up to 49 bytes (P-384). */
#define MPC_SIGN_SIG_MAX 104
/* A party certificate in DER; the ones `nngmpc certs` makes are ~600 B. */
#define MPC_SIGN_CERT_MAX 8192

typedef struct mpc_sign_key mpc_sign_key;

/* Loads the EC private key from PEM (PKCS#8 or SEC1; other PEM blocks in
 * the same buffer, such as the certificate of a cert+key file, are
 * skipped).  0, NNG_MPC_ESIGNKEY (no key, unreadable, or not P-256/P-384),
 * NNG_EINVAL or NNG_ENOMEM. */
int mpc_sign_key_load(mpc_sign_key **kp, const char *pem, size_t len)
    __attribute__((warn_unused_result));

/* The same from a DER private key (SEC1 or PKCS#8), as a TLS
 * configuration keeps it. */
int mpc_sign_key_load_der(mpc_sign_key **kp, const uint8_t *der, size_t len)
    __attribute__((warn_unused_result));

void mpc_sign_key_free(mpc_sign_key *k);

/* Signs msg; *siglen in: room (>= MPC_SIGN_SIG_MAX), out: length.
 * 0, NNG_EINVAL or NNG_MPC_ECRYPTO. */
int mpc_sign(mpc_sign_key *k, const uint8_t *msg, size_t len, uint8_t *sig,
    size_t *siglen) __attribute__((warn_unused_result));

/* The first certificate of a PEM buffer as DER; *derlen in: room, out:
 * length.  0 or NNG_MPC_EEVIDCERT. */
int mpc_sign_cert_der(const char *pem, size_t len, uint8_t *der,
    size_t *derlen) __attribute__((warn_unused_result));

/* The signature sig over msg verifies with the public key of the DER
 * certificate cert: 0, NNG_MPC_EEVIDSIG (wrong signature, or a key of
 * another type), NNG_MPC_EEVIDCERT (certificate unreadable). */
int mpc_sign_verify(const uint8_t *cert, size_t cert_len, const uint8_t *msg,
    size_t len, const uint8_t *sig, size_t siglen)
    __attribute__((warn_unused_result));

/* The DER certificate chains to the CA certificate(s) in ca_pem and is
 * valid now: 0 or NNG_MPC_EEVIDCERT (NNG_ENOMEM). */
int mpc_sign_cert_trusted(const char *ca_pem, size_t ca_len,
    const uint8_t *cert, size_t cert_len) __attribute__((warn_unused_result));

#endif /* NNG_MPC_CRYPTO_MPC_SIGN_H */
