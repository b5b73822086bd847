/*
 * mpc_tls_identity.c -- party identity and pin digest of a peer certificate.
 *
 * The certificate bytes come from the network, so they are decoded only by
 * wolfSSL's certificate parser (already run once, with verification, by the
 * handshake); this file reads the decoded fields, each with its length.
 * The party-ID URI is parsed strictly: prefix matching would accept
 * "party-1-evil" as party 1.
 *
 * Threading: pure functions; see mpc_tls_identity.h.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/wolfcrypt/asn.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/hash.h>
#include <wolfssl/wolfcrypt/memory.h>

#include "mpc_tls_identity.h"

#define PARTY_PREFIX     NNG_MPC_TLS_PARTY_URI_PREFIX
#define PARTY_PREFIX_LEN (sizeof(PARTY_PREFIX) - 1)
/* "4294967294" */
#define PARTY_DIGITS_MAX 10
/* DER SubjectPublicKeyInfo of a P-384 key is 120 bytes; room to spare. */
#define SPKI_MAX 512

bool
mpc_tls_uri_is_party_claim(const char *uri, size_t len)
{
	static const char scheme[] = "mpc:";

	if (len < sizeof(scheme) - 1) {
		return (false);
	}
	for (size_t i = 0; i < sizeof(scheme) - 1; i++) {
		char ch = uri[i];
		if (ch >= 'A' && ch <= 'Z') {
			ch = (char) (ch - 'A' + 'a');
		}
		if (ch != scheme[i]) {
			return (false);
		}
	}
	return (true);
}

int
mpc_tls_party_uri_parse(const char *uri, size_t len, uint32_t *id)
{
	uint64_t v = 0;
	size_t   ndig;

	if (uri == NULL || len <= PARTY_PREFIX_LEN ||
	    memcmp(uri, PARTY_PREFIX, PARTY_PREFIX_LEN) != 0) {
		return (NNG_MPC_ETLSPARTY);
	}
	ndig = len - PARTY_PREFIX_LEN;
	/* No leading zero (so one spelling per ID), at most 10 digits. */
	if (ndig > PARTY_DIGITS_MAX || uri[PARTY_PREFIX_LEN] == '0') {
		return (NNG_MPC_ETLSPARTY);
	}
	for (size_t i = PARTY_PREFIX_LEN; i < len; i++) {
		if (uri[i] < '0' || uri[i] > '9') {
			return (NNG_MPC_ETLSPARTY);
		}
		v = v * 10 + (uint64_t) (uri[i] - '0');
	}
	if (v < NNG_MPC_TLS_PARTY_MIN || v > NNG_MPC_TLS_PARTY_MAX) {
		return (NNG_MPC_ETLSPARTY);
	}
	*id = (uint32_t) v;
	return (0);
}

/* Party identity from the decoded URI SANs. */
static void
leaf_party(const DecodedCert *dc, struct mpc_tls_leaf *out)
{
	int claims = 0;

	out->party_status = MPC_TLS_PARTY_ABSENT;
	for (const DNS_entry *e = dc->altNames; e != NULL; e = e->next) {
		uint32_t id;

		if (e->type != ASN_URI_TYPE || e->name == NULL || e->len < 0 ||
		    !mpc_tls_uri_is_party_claim(e->name, (size_t) e->len)) {
			continue;
		}
		if (++claims > 1) {
			out->party_status = MPC_TLS_PARTY_DUPLICATE;
			out->party_id     = 0;
			return;
		}
		if (mpc_tls_party_uri_parse(e->name, (size_t) e->len, &id) ==
		    0) {
			out->party_status = MPC_TLS_PARTY_OK;
			out->party_id     = id;
		} else {
			out->party_status = MPC_TLS_PARTY_MALFORMED;
		}
	}
}

/* One validity bound (an encoded UTCTime/GeneralizedTime) against now. */
static bool
leaf_date_ok(const uint8_t *enc, int len, bool not_before, time_t now)
{
	const uint8_t *date;
	uint8_t        fmt;
	int            dlen;
	struct tm      tm;
	time_t         t;

	memset(&tm, 0, sizeof(tm));
	if (enc == NULL || len <= 0 ||
	    wc_GetDateInfo(enc, len, &date, &fmt, &dlen) != 0 ||
	    wc_GetDateAsCalendarTime(date, dlen, fmt, &tm) != 0 ||
	    (t = timegm(&tm)) == (time_t) -1) {
		return (false);
	}
	return (not_before ? t <= now : now <= t);
}

int
mpc_tls_leaf_parse(const uint8_t *der, size_t len, struct mpc_tls_leaf *out)
{
	DecodedCert *dc;
	uint8_t      spki[SPKI_MAX];
	word32       spki_len = sizeof(spki);
	int          rv       = 0;

	memset(out, 0, sizeof(*out));
	if (der == NULL || len == 0 || len > UINT32_MAX) {
		return (NNG_MPC_ETLSBADCERT);
	}
	if ((dc = calloc(1, sizeof(*dc))) == NULL) {
		return (NNG_ENOMEM);
	}
	wc_InitDecodedCert(dc, der, (word32) len, NULL);
	/* Signature and dates were checked by the handshake, which is what
	 * decides; this pass only reads fields. */
	if (wc_ParseCert(dc, CERT_TYPE, NO_VERIFY, NULL) != 0) {
		rv = NNG_MPC_ETLSBADCERT;
		goto out;
	}
	leaf_party(dc, out);
	{
		time_t now = time(NULL);
		bool   started;
		bool   ends;

		started = leaf_date_ok(
		    dc->beforeDate, dc->beforeDateLen, true, now);
		ends = leaf_date_ok(dc->afterDate, dc->afterDateLen, false, now);
		out->dates_ok = started && ends;
	}

	/* dc->subject is NUL-terminated within WC_ASN_NAME_MAX; a longer
	 * name than we keep is cut (it is for display, never compared). */
	{
		size_t n = strnlen(dc->subject, sizeof(dc->subject));
		if (n >= sizeof(out->subject)) {
			n = sizeof(out->subject) - 1;
		}
		memcpy(out->subject, dc->subject, n);
		out->subject[n] = '\0';
	}

	/* For ECDSA keys wolfSSL's decoded publicKey is the whole DER
	 * SubjectPublicKeyInfo (asn.c GetCertKey/StoreEccKey), which is what
	 * pins hash (RFC 7469 2.4).  No other key type is compiled in. */
	if (dc->keyOID == ECDSAk &&
	    wc_GetPubKeyDerFromCert(dc, spki, &spki_len) == 0 &&
	    wc_Sha256Hash(spki, spki_len, out->spki_sha256) == 0) {
		out->spki_ok = true;
	}

out:
	wc_FreeDecodedCert(dc);
	free(dc);
	if (rv != 0) {
		memset(out, 0, sizeof(*out));
	}
	return (rv);
}
