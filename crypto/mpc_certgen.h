/*
 * nng-mpc: certificate generation for `nngmpc certs` (wolfCrypt cert gen).
 *
 * Makes a CA and party certificates that follow the project's party
 * identity convention, so a demo or a test deployment needs no other tool:
 *
 *   CA     ECDSA P-256, self-signed, CN "nng-mpc CA", O "nng-mpc",
 *          basicConstraints CA:TRUE pathlen:0, keyUsage keyCertSign+cRLSign,
 *          SKID = SHA-256 of the public key (RFC 7093 §2 method 1 style).
 *   party  ECDSA P-256 (or, signed from a request, the request's P-256 or
 *          P-384 key), CN "party-<id>", O "nng-mpc",
 *          subjectAltName: exactly one URI "mpc://party/<id>" (the identity),
 *          then the DNS names and IP addresses asked for, or DNS
 *          "localhost" and IP 127.0.0.1 when none are (so a server-name
 *          check against localhost works on one machine),
 *          extendedKeyUsage serverAuth+clientAuth, keyUsage digitalSignature,
 *          basicConstraints CA:FALSE, SKID and AKID (= the CA's SKID).
 *
 * <id> is decimal 1..4294967294, no sign, no leading zeros.  Validity starts
 * one hour before `now` (clock skew between parties) and lasts the requested
 * number of days; a party certificate may not outlive its CA.  Serial numbers
 * are 16 random bytes, positive (RFC 5280 §4.1.2.2).  Dates are UTCTime
 * through 2049 and GeneralizedTime from 2050 (RFC 5280 §4.1.2.5).
 *
 * Keys are written as unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY", with the
 * public key included), which NNG's TLS engines (Mbed TLS and ours) and
 * OpenSSL all read.
 *
 * Threading: none.  A CA handle owns a wolfCrypt RNG and is used by one
 * thread at a time.  Every private key byte (ecc_key, DER and PEM buffers)
 * is wiped on every exit path and in the free functions.
 */
#ifndef NNG_MPC_CRYPTO_MPC_CERTGEN_H
#define NNG_MPC_CRYPTO_MPC_CERTGEN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Party ID range of the URI SAN convention (0 and 2^32-1 are reserved). */
#define MPC_CERTGEN_PARTY_ID_MIN 1u
#define MPC_CERTGEN_PARTY_ID_MAX 4294967294u
/* "mpc://party/" + 10 digits + NUL */
#define MPC_CERTGEN_PARTY_URI_PREFIX "mpc://party/"
#define MPC_CERTGEN_PARTY_URI_MAX 23
/* Validity limits in days; defaults used by `nngmpc certs`. */
#define MPC_CERTGEN_DAYS_MIN 1u
#define MPC_CERTGEN_DAYS_MAX 36500u /* 100 years */
#define MPC_CERTGEN_PARTY_DAYS_DEFAULT 365u
#define MPC_CERTGEN_CA_DAYS_DEFAULT 3650u
/* notBefore = now - this, so a peer whose clock is a little behind accepts
 * a certificate made a moment ago. */
#define MPC_CERTGEN_BACKDATE_SECS 3600
/* Random serial length (RFC 5280 §4.1.2.2 allows up to 20 octets). */
#define MPC_CERTGEN_SERIAL_LEN 16

enum mpc_certgen_err {
	MPC_CERTGEN_OK = 0,
	MPC_CERTGEN_EINVAL,       /* argument out of range or NULL */
	MPC_CERTGEN_ENOMEM,       /* allocation failed */
	MPC_CERTGEN_ERNG,         /* wolfCrypt RNG failed */
	MPC_CERTGEN_EKEYGEN,      /* P-256 key generation failed */
	MPC_CERTGEN_ECERT,        /* certificate encoding or signing failed */
	MPC_CERTGEN_EPEM,         /* PEM encoding failed */
	MPC_CERTGEN_ECA_CERT,     /* CA certificate unreadable or unusable */
	MPC_CERTGEN_ECA_KEY,      /* CA key unreadable or not P-256 */
	MPC_CERTGEN_ECA_MISMATCH, /* CA key does not belong to CA certificate */
	MPC_CERTGEN_ECA_FOREIGN,  /* CA's key identifier not ours (see .c) */
	MPC_CERTGEN_ECA_EXPIRED,  /* CA certificate not valid now */
	MPC_CERTGEN_ECA_VALIDITY, /* requested validity ends after the CA's */
	MPC_CERTGEN_ECSR,         /* not a PEM certificate request */
	MPC_CERTGEN_ECSR_SIG,     /* request malformed or signature wrong */
	MPC_CERTGEN_ECSR_KEY,     /* request's key not ECDSA P-256/P-384 */
};

/* Names a party certificate carries besides its party URI: dNSName and
 * iPAddress subjectAltNames (RFC 5280 §4.2.1.6).  The caller checks the
 * DNS names' syntax; IP addresses are 4 or 16 bytes, network order. */
#define MPC_CERTGEN_NAMES_MAX 16
struct mpc_certgen_names {
	const char *dns[MPC_CERTGEN_NAMES_MAX];
	size_t      ndns;
	uint8_t     ip[MPC_CERTGEN_NAMES_MAX][16];
	uint8_t     iplen[MPC_CERTGEN_NAMES_MAX];
	size_t      nip;
};

typedef struct mpc_certgen_ca mpc_certgen_ca;

/* One certificate and its private key, both NUL-terminated PEM.  `key` is
 * secret: release with mpc_certgen_pem_free(), which wipes it. */
typedef struct mpc_certgen_pem {
	char  *cert;
	size_t cert_len;
	char  *key;
	size_t key_len;
} mpc_certgen_pem;

/* Creates a new CA valid from now-1h for `days` days.  On success *cap owns
 * the CA and `out` (if not NULL) holds its certificate and key PEM. */
int mpc_certgen_ca_create(mpc_certgen_ca **cap, uint32_t days, time_t now,
    mpc_certgen_pem *out) __attribute__((warn_unused_result));

/* Loads a CA made by mpc_certgen_ca_create (certificate PEM and private key
 * PEM, PKCS#8 or SEC1).  Checks that it is an ECDSA P-256 CA certificate,
 * valid at `now`, that the key is its key, and that its SKID is the SHA-256
 * key identifier this module writes as AKID (else chains would not build). */
int mpc_certgen_ca_load(mpc_certgen_ca **cap, const char *cert_pem,
    size_t cert_len, const char *key_pem, size_t key_len, time_t now)
    __attribute__((warn_unused_result));

/* The CA certificate's notAfter. */
time_t mpc_certgen_ca_not_after(const mpc_certgen_ca *ca);

/* The validity (notBefore, notAfter; UTC) of the first certificate in
 * cert_pem (no signature or date check): 0, MPC_CERTGEN_EINVAL,
 * MPC_CERTGEN_ENOMEM or MPC_CERTGEN_ECA_CERT (no parsable certificate). */
int mpc_certgen_validity(const char *cert_pem, size_t cert_len,
    time_t *not_before, time_t *not_after)
    __attribute__((warn_unused_result));

/* Issues the certificate for `party_id` (fresh P-256 key), valid from
 * now-1h for `days` days.  On failure `out` is left empty. */
int mpc_certgen_party(mpc_certgen_ca *ca, uint32_t party_id, uint32_t days,
    time_t now, mpc_certgen_pem *out) __attribute__((warn_unused_result));

/* As mpc_certgen_party, with these names (NULL: localhost, 127.0.0.1). */
int mpc_certgen_party_names(mpc_certgen_ca *ca, uint32_t party_id,
    uint32_t days, time_t now, const struct mpc_certgen_names *names,
    mpc_certgen_pem *out) __attribute__((warn_unused_result));

/* Issues the certificate for party_id to the key of a PKCS#10 request
 * (PEM, RFC 2986) made elsewhere, so the private key never leaves the
 * party's host.  The request's self-signature must verify; its subject and
 * requested extensions are ignored (the certificate follows the profile
 * above, with `names` as in mpc_certgen_party_names).  *cert_pem is
 * NUL-terminated PEM, freed by the caller. */
int mpc_certgen_sign_csr(mpc_certgen_ca *ca, uint32_t party_id,
    uint32_t days, time_t now, const struct mpc_certgen_names *names,
    const char *csr_pem, size_t csr_len, char **cert_pem, size_t *cert_len)
    __attribute__((warn_unused_result));

/* Writes "mpc://party/<id>" into buf (MPC_CERTGEN_PARTY_URI_MAX bytes). */
int mpc_certgen_party_uri(uint32_t party_id, char *buf, size_t len)
    __attribute__((warn_unused_result));

void        mpc_certgen_pem_free(mpc_certgen_pem *pem);
void        mpc_certgen_ca_free(mpc_certgen_ca *ca);
const char *mpc_certgen_strerror(int err);

#endif /* NNG_MPC_CRYPTO_MPC_CERTGEN_H */
