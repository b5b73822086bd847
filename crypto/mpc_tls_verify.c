/*
 * mpc_tls_verify.c -- the certificate verify callback: where the engine
 * applies its own checks on top of wolfSSL's chain validation.
 *
 * wolfSSL calls it for every certificate with an error and, with
 * WOLFSSL_ALWAYS_VERIFY_CB (user_settings.h), for the peer's leaf even when
 * the chain is good.  On the leaf it decodes the certificate once, then:
 *   - auth mode optional/required: a chain error stands (untrusted CA,
 *     expired, revoked, wrong name);
 *   - auth mode none: chain errors are waived (NNG's meaning of "none"),
 *     except on a strict config (mpc_tls_config_derive, what
 *     mpc+tls+tcp:// connects with), where the auth mode waives nothing;
 *   - strict config without trust anchors: its pins are the trust root,
 *     so only "no trusted signer" errors are waived (the pin decides) and
 *     the leaf's own dates are checked here (no chain validation did);
 *   - in every mode: with pins set, the SPKI digest must be pinned
 *     (RFC 7469 2.4 digest); with the party identity required, the
 *     certificate must carry exactly one well-formed party-ID SAN.
 * conn->verified ends true only when the peer is trusted by these rules:
 * its chain verified, or (pins as the trust root) its key is pinned --
 * never when an error was merely waived.
 * Returning 0 makes wolfSSL abort the handshake with a bad_certificate
 * alert (RFC 8446 6.2) and return VERIFY_CERT_ERROR; the reason is kept in
 * conn->verify_fail so the failure is reported and counted precisely.
 *
 * Threading: runs inside a conn op (NNG holds the connection's lock).
 */
#include <string.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/ssl.h>
#include <wolfssl/error-ssl.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

#include "mpc_tls_engine.h"

bool
mpc_tls_ct_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
	volatile uint8_t d = 0;

	for (size_t i = 0; i < n; i++) {
		d |= a[i] ^ b[i];
	}
	return (d == 0);
}

/* wolfSSL's chain-validation error -> our reason code. */
int
mpc_tls_chain_reason(int err)
{
	switch (err) {
	case ASN_AFTER_DATE_E:
	case ASN_BEFORE_DATE_E:
		return (NNG_MPC_ETLSEXPIRED);
	case DOMAIN_NAME_MISMATCH:
	case IPADDR_MISMATCH:
		return (NNG_MPC_ETLSNAME);
	case CRL_CERT_REVOKED:
		return (NNG_MPC_ETLSREVOKED);
	case ASN_NO_SIGNER_E:
	case ASN_SIG_CONFIRM_E:
	case ASN_SELF_SIGNED_E:
		return (NNG_MPC_ETLSUNTRUSTED);
	default:
		return (NNG_MPC_ETLSBADCERT);
	}
}

static bool
pin_match(const struct nng_tls_engine_conn *c, const struct mpc_tls_leaf *l)
{
	bool hit = false;

	if (!l->spki_ok) {
		return (false);
	}
	/* Every pin is compared, in constant time. */
	for (size_t i = 0; i < c->npins; i++) {
		hit |= mpc_tls_ct_equal(
		    c->pins[i], l->spki_sha256, NNG_MPC_TLS_PIN_SIZE);
	}
	return (hit);
}

static int
verify_fail(struct nng_tls_engine_conn *c, int reason)
{
	if (c->verify_fail == 0) {
		c->verify_fail = reason;
	}
	return (0);
}

/* An error only a missing anchor causes: the pin is the trust root. */
static bool
no_signer(int err)
{
	return (err == ASN_NO_SIGNER_E || err == ASN_SELF_SIGNED_E);
}

int
mpc_tls_verify_cb(int preverify, WOLFSSL_X509_STORE_CTX *store)
{
	struct nng_tls_engine_conn *c = store->userCtx;
	struct mpc_tls_leaf         leaf;
	bool pin_root = c->strict && !c->anchors && c->npins > 0;
	bool waive    = !c->strict && c->auth == NNG_TLS_AUTH_MODE_NONE;
	int  rv;

	if (!preverify && !waive && !(pin_root && no_signer(store->error))) {
		return (verify_fail(c, mpc_tls_chain_reason(store->error)));
	}
	if (store->error_depth > 0) {
		/* An intermediate or anchor: good, waived, or (pins as the
		 * root) without a trusted signer; the leaf decides. */
		return (1);
	}
	if (store->certs == NULL || store->totalCerts < 1 ||
	    store->certs[0].buffer == NULL) {
		return (verify_fail(c, NNG_MPC_ETLSBADCERT));
	}
	if ((rv = mpc_tls_leaf_parse(store->certs[0].buffer,
	         store->certs[0].length, &leaf)) != 0) {
		return (verify_fail(c,
		    rv == NNG_ENOMEM ? NNG_MPC_ETLSHANDSHAKE : rv));
	}
	/* wolfSSL reports a missing signer before the dates, so a key
	 * trusted by its pin has its validity checked here. */
	if (pin_root && !preverify && !leaf.dates_ok) {
		return (verify_fail(c, NNG_MPC_ETLSEXPIRED));
	}
	c->pin_ok = c->npins > 0 && pin_match(c, &leaf);
	if (c->npins > 0 && !c->pin_ok) {
		return (verify_fail(c, NNG_MPC_ETLSPIN));
	}
	if (c->party_required) {
		switch (leaf.party_status) {
		case MPC_TLS_PARTY_OK:
			break;
		case MPC_TLS_PARTY_ABSENT:
			return (verify_fail(c, NNG_MPC_ETLSNOPARTY));
		default:
			return (verify_fail(c, NNG_MPC_ETLSPARTY));
		}
	}
	if (c->strict && mpc_tls_chain_keep(c, store) != 0) {
		return (verify_fail(c, NNG_MPC_ETLSHANDSHAKE));
	}
	c->peer      = leaf;
	c->have_peer = true;
	/* Trusted, never merely waived: the chain checked out against our
	 * anchors, or the pin is the trust root and matched. */
	c->verified = preverify != 0 || (pin_root && c->pin_ok);
	return (1);
}
