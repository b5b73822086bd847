/*
 * mpc_tls_identity.h -- the party identity a certificate carries, and the
 * peer-certificate facts the engine keeps: party ID, subject, SHA-256 of the
 * SubjectPublicKeyInfo (the pin).
 *
 * Convention (documented in nng_mpc.h, "registration and TLS"): exactly one
 * URI subjectAltName "mpc://party/<id>", <id> decimal 1..4294967294, no
 * sign, no leading zero, nothing after it.  Every URI SAN whose scheme is
 * "mpc" (ASCII case-insensitive, RFC 3986 3.1) is a party claim, so a
 * certificate cannot smuggle a second, differently-spelled claim past the
 * parser; non-"mpc" URIs are ignored.
 *
 * Threading: pure functions over caller-owned memory.
 */
#ifndef MPC_TLS_IDENTITY_H
#define MPC_TLS_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nng_mpc.h"

#define MPC_TLS_SUBJECT_LEN 256

enum mpc_tls_party_status {
	MPC_TLS_PARTY_ABSENT = 0, /* no "mpc:" URI SAN */
	MPC_TLS_PARTY_OK,         /* exactly one, well formed */
	MPC_TLS_PARTY_MALFORMED,  /* one claim that does not parse exactly */
	MPC_TLS_PARTY_DUPLICATE,  /* more than one claim */
};

/* What the engine keeps of a peer's leaf certificate. */
struct mpc_tls_leaf {
	enum mpc_tls_party_status party_status;
	uint32_t                  party_id; /* valid when party_status OK */
	char                      subject[MPC_TLS_SUBJECT_LEN]; /* "/C=../CN=.." */
	uint8_t                   spki_sha256[NNG_MPC_TLS_PIN_SIZE];
	bool                      spki_ok; /* digest computed (ECDSA key) */
	/* now is within notBefore..notAfter (RFC 5280 4.1.2.5); read for
	 * keys trusted by their pin, which no chain validation dates */
	bool                      dates_ok;
};

/*
 * mpc_tls_party_uri_parse parses one URI of len bytes (not NUL-terminated,
 * may contain NUL) as "mpc://party/<id>".  Returns 0 and sets *id, or
 * NNG_MPC_ETLSPARTY with *id untouched.
 */
__attribute__((warn_unused_result)) int mpc_tls_party_uri_parse(
    const char *uri, size_t len, uint32_t *id);

/* mpc_tls_uri_is_party_claim: the URI's scheme is "mpc". */
bool mpc_tls_uri_is_party_claim(const char *uri, size_t len);

/*
 * mpc_tls_leaf_parse decodes a DER certificate (the peer's leaf) and fills
 * out: party identity from its URI SANs, subject, SPKI digest, whether
 * it is valid now.  Returns 0,
 * NNG_MPC_ETLSBADCERT if wolfSSL cannot decode it, or NNG_ENOMEM.  On error
 * *out is zeroed.
 */
__attribute__((warn_unused_result)) int mpc_tls_leaf_parse(
    const uint8_t *der, size_t len, struct mpc_tls_leaf *out);

#endif /* MPC_TLS_IDENTITY_H */
