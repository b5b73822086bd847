/*
 * nng-mpc: certificate generation with wolfCrypt (see mpc_certgen.h for the
 * profile).  Threading: none; a CA handle is used by one thread at a time.
 *
 * wolfSSL 5.5.4 notes that shape this file:
 *  - Cert.altNames takes the DER of the GeneralNames SEQUENCE (RFC 5280
 *    §4.2.1.6); it exists only with WOLFSSL_ALT_NAMES (user_settings.h).
 *  - Cert.beforeDate/afterDate take a complete DER UTCTime/GeneralizedTime
 *    (tag, length, value); when both are set wolfSSL copies them verbatim
 *    instead of deriving dates from daysValid.
 *  - With NO_SHA the key identifiers wolfSSL computes are SHA-256 of the
 *    public key (32 bytes).  When wolfSSL parses a SKID of another length
 *    it stores a hash of it, so AKIDs can only be copied exactly from CAs
 *    whose SKID is that SHA-256 identifier: mpc_certgen_ca_load refuses
 *    other CAs instead of issuing certificates whose chain would not build.
 *  - wolfSSL marks basicConstraints non-critical (RFC 5280 §4.2.1.9 wants
 *    it critical in CA certificates); OpenSSL and wolfSSL accept it, only
 *    `openssl verify -x509_strict` objects.
 */
#include "mpc_certgen.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/wolfcrypt/asn.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/ecc.h>
#include <wolfssl/wolfcrypt/error-crypt.h>
#include <wolfssl/wolfcrypt/random.h>

/* A P-256 certificate with our extensions is ~600 bytes. */
#define CERTGEN_DER_MAX 4096
/* PKCS#8 P-256 key with public key: 138 bytes. */
#define CERTGEN_KEY_DER_MAX 512
#define CERTGEN_P256_BYTES 32
#define CERTGEN_ORG "nng-mpc"
#define CERTGEN_CA_CN "nng-mpc CA"

struct mpc_certgen_ca {
	ecc_key key;
	WC_RNG  rng;
	bool    key_init;
	bool    rng_init;
	byte    der[CERTGEN_DER_MAX];
	word32  der_len;
	time_t  not_after;
};

static void
certgen_wipe(void *p, size_t n)
{
	if (p != NULL) {
		explicit_bzero(p, n); /* glibc: never optimised away */
	}
}

int
mpc_certgen_party_uri(uint32_t party_id, char *buf, size_t len)
{
	int n;

	if (buf == NULL || party_id < MPC_CERTGEN_PARTY_ID_MIN ||
	    party_id > MPC_CERTGEN_PARTY_ID_MAX) {
		return (MPC_CERTGEN_EINVAL);
	}
	n = snprintf(buf, len, MPC_CERTGEN_PARTY_URI_PREFIX "%u",
	    (unsigned) party_id);
	if (n < 0 || (size_t) n >= len) {
		return (MPC_CERTGEN_EINVAL);
	}
	return (MPC_CERTGEN_OK);
}

/* DER Time for `t` into out (tag, length, value).  RFC 5280 §4.1.2.5:
 * UTCTime for years through 2049, GeneralizedTime from 2050. */
static int
certgen_time(byte out[CTC_DATE_SIZE], int *out_len, time_t t)
{
	struct tm tm;
	int       year;
	int       n;

	if (gmtime_r(&t, &tm) == NULL) {
		return (MPC_CERTGEN_EINVAL);
	}
	year = tm.tm_year + 1900;
	if (year >= 1950 && year <= 2049) {
		out[0] = ASN_UTC_TIME;
		n = snprintf((char *) out + 2, CTC_DATE_SIZE - 2,
		    "%02d%02d%02d%02d%02d%02dZ", year % 100, tm.tm_mon + 1,
		    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	} else if (year >= 2050 && year <= 9999) {
		out[0] = ASN_GENERALIZED_TIME;
		n = snprintf((char *) out + 2, CTC_DATE_SIZE - 2,
		    "%04d%02d%02d%02d%02d%02dZ", year, tm.tm_mon + 1,
		    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	} else {
		return (MPC_CERTGEN_EINVAL);
	}
	if (n != (out[0] == ASN_UTC_TIME ? 13 : 15)) {
		return (MPC_CERTGEN_EINVAL);
	}
	out[1] = (byte) n;
	*out_len = n + 2;
	return (MPC_CERTGEN_OK);
}

/* Validity [now - backdate, now + days] into cert; *not_after gets the end. */
static int
certgen_validity(Cert *cert, time_t now, uint32_t days, time_t *not_after)
{
	int rv;

	if (days < MPC_CERTGEN_DAYS_MIN || days > MPC_CERTGEN_DAYS_MAX) {
		return (MPC_CERTGEN_EINVAL);
	}
	*not_after = now + (time_t) days * 86400;
	if ((rv = certgen_time(cert->beforeDate, &cert->beforeDateSz,
	         now - MPC_CERTGEN_BACKDATE_SECS)) != 0 ||
	    (rv = certgen_time(
	         cert->afterDate, &cert->afterDateSz, *not_after)) != 0) {
		return (rv);
	}
	return (MPC_CERTGEN_OK);
}

/* 16 random bytes, top bit clear (positive INTEGER), first byte non-zero
 * (so DER keeps all 16 bytes). */
static int
certgen_serial(Cert *cert, WC_RNG *rng)
{
	if (wc_RNG_GenerateBlock(rng, cert->serial, MPC_CERTGEN_SERIAL_LEN) !=
	    0) {
		return (MPC_CERTGEN_ERNG);
	}
	cert->serial[0] &= 0x7f;
	if (cert->serial[0] == 0) {
		cert->serial[0] = 0x01;
	}
	cert->serialSz = MPC_CERTGEN_SERIAL_LEN;
	return (MPC_CERTGEN_OK);
}

static int
certgen_subject(CertName *name, const char *cn)
{
	size_t n = strlen(cn);

	if (n >= sizeof(name->commonName) ||
	    sizeof(CERTGEN_ORG) > sizeof(name->org)) {
		return (MPC_CERTGEN_EINVAL);
	}
	memcpy(name->commonName, cn, n + 1);
	memcpy(name->org, CERTGEN_ORG, sizeof(CERTGEN_ORG));
	return (MPC_CERTGEN_OK);
}

/* Appends one DER tag-length-value at *p (bounded by end); lengths in
 * short or long form (X.690 §8.1.3), at most 65535. */
static int
certgen_tlv(byte **p, const byte *end, byte tag, const void *v, size_t n)
{
	size_t hdr = n < 128 ? 2 : (n < 256 ? 3 : 4);
	byte  *q   = *p;

	if (n > 65535 || (size_t) (end - q) < hdr + n) {
		return (MPC_CERTGEN_EINVAL);
	}
	*q++ = tag;
	if (n >= 256) {
		*q++ = 0x82;
		*q++ = (byte) (n >> 8);
	} else if (n >= 128) {
		*q++ = 0x81;
	}
	*q++ = (byte) n;
	if (v != NULL) {
		memcpy(q, v, n);
	}
	*p = q + n;
	return (MPC_CERTGEN_OK);
}

/* GeneralNames (RFC 5280 §4.2.1.6) for a party: [6] URI
 * mpc://party/<id> first, then each [2] dNSName and [7] iPAddress of
 * names, or dNSName "localhost" and iPAddress 127.0.0.1 when names is
 * NULL.  The elements are encoded after room for the SEQUENCE header, then
 * moved up behind the header once their length is known. */
static int
certgen_party_sans(Cert *cert, uint32_t party_id,
    const struct mpc_certgen_names *names)
{
	static const struct mpc_certgen_names local = {
		.dns   = { "localhost" },
		.ndns  = 1,
		.ip    = { { 127, 0, 0, 1 } },
		.iplen = { 4 },
		.nip   = 1,
	};
	char        uri[MPC_CERTGEN_PARTY_URI_MAX];
	byte       *base = cert->altNames;
	const byte *end  = base + sizeof(cert->altNames);
	byte       *p    = base + 4; /* room for the longest header */
	size_t      body;
	byte       *hp;
	int         rv;

	if (names == NULL) {
		names = &local;
	}
	if (names->ndns > MPC_CERTGEN_NAMES_MAX ||
	    names->nip > MPC_CERTGEN_NAMES_MAX) {
		return (MPC_CERTGEN_EINVAL);
	}
	if ((rv = mpc_certgen_party_uri(party_id, uri, sizeof(uri))) != 0 ||
	    (rv = certgen_tlv(&p, end, ASN_CONTEXT_SPECIFIC | ASN_URI_TYPE,
	         uri, strlen(uri))) != 0) {
		return (rv);
	}
	for (size_t i = 0; i < names->ndns; i++) {
		if (names->dns[i] == NULL || names->dns[i][0] == '\0' ||
		    (rv = certgen_tlv(&p, end,
		         ASN_CONTEXT_SPECIFIC | ASN_DNS_TYPE, names->dns[i],
		         strlen(names->dns[i]))) != 0) {
			return (MPC_CERTGEN_EINVAL);
		}
	}
	for (size_t i = 0; i < names->nip; i++) {
		if ((names->iplen[i] != 4 && names->iplen[i] != 16) ||
		    (rv = certgen_tlv(&p, end,
		         ASN_CONTEXT_SPECIFIC | ASN_IP_TYPE, names->ip[i],
		         names->iplen[i])) != 0) {
			return (MPC_CERTGEN_EINVAL);
		}
	}
	body = (size_t) (p - (base + 4));
	hp   = base;
	if ((rv = certgen_tlv(&hp, end, ASN_SEQUENCE | ASN_CONSTRUCTED, NULL,
	         body)) != 0) {
		return (rv);
	}
	/* hp now points just past the header that was written: move the
	 * elements up to it. */
	memmove(hp - body, base + 4, body);
	cert->altNamesSz   = (int) (hp - base);
	cert->altNamesCrit = 0; /* subject is not empty: §4.2.1.6 */
	return (MPC_CERTGEN_OK);
}

/* NUL-terminated PEM of der into a fresh buffer. */
static int
certgen_pem(const byte *der, word32 der_len, int type, char **out,
    size_t *out_len)
{
	int   need;
	int   n;
	char *buf;

	need = wc_DerToPem(der, der_len, NULL, 0, type);
	if (need <= 0) {
		return (MPC_CERTGEN_EPEM);
	}
	if ((buf = calloc(1, (size_t) need + 1)) == NULL) {
		return (MPC_CERTGEN_ENOMEM);
	}
	n = wc_DerToPem(der, der_len, (byte *) buf, (word32) need, type);
	if (n <= 0 || n > need) {
		certgen_wipe(buf, (size_t) need + 1);
		free(buf);
		return (MPC_CERTGEN_EPEM);
	}
	buf[n]   = '\0';
	*out     = buf;
	*out_len = (size_t) n;
	return (MPC_CERTGEN_OK);
}

/* Certificate PEM from cert DER and PKCS#8 key PEM from key into out. */
static int
certgen_export(const byte *der, word32 der_len, ecc_key *key,
    mpc_certgen_pem *out)
{
	byte   kder[CERTGEN_KEY_DER_MAX];
	word32 klen = sizeof(kder);
	int    rv;

	memset(out, 0, sizeof(*out));
	if (wc_EccKeyToPKCS8(key, kder, &klen) <= 0) {
		rv = MPC_CERTGEN_EPEM;
		goto out;
	}
	if ((rv = certgen_pem(der, der_len, CERT_TYPE, &out->cert,
	         &out->cert_len)) != 0 ||
	    (rv = certgen_pem(kder, klen, PKCS8_PRIVATEKEY_TYPE, &out->key,
	         &out->key_len)) != 0) {
		goto out;
	}
	rv = MPC_CERTGEN_OK;
out:
	certgen_wipe(kder, sizeof(kder));
	if (rv != 0) {
		mpc_certgen_pem_free(out);
	}
	return (rv);
}

/* Builds, signs (with the CA's key) and DER-encodes cert for subject_key. */
static int
certgen_sign(mpc_certgen_ca *ca, Cert *cert, ecc_key *subject_key,
    byte *der, word32 der_max, word32 *der_len)
{
	int body;
	int total;

	cert->sigType = CTC_SHA256wECDSA;
	body = wc_MakeCert_ex(cert, der, der_max, ECC_TYPE, subject_key,
	    &ca->rng);
	if (body <= 0) {
		return (MPC_CERTGEN_ECERT);
	}
	total = wc_SignCert_ex(body, cert->sigType, der, der_max, ECC_TYPE,
	    &ca->key, &ca->rng);
	if (total <= 0) {
		return (MPC_CERTGEN_ECERT);
	}
	*der_len = (word32) total;
	return (MPC_CERTGEN_OK);
}

static int
certgen_ca_alloc(mpc_certgen_ca **cap)
{
	mpc_certgen_ca *ca;

	if ((ca = calloc(1, sizeof(*ca))) == NULL) {
		return (MPC_CERTGEN_ENOMEM);
	}
	if (wc_InitRng(&ca->rng) != 0) {
		free(ca);
		return (MPC_CERTGEN_ERNG);
	}
	ca->rng_init = true;
	if (wc_ecc_init(&ca->key) != 0) {
		mpc_certgen_ca_free(ca);
		return (MPC_CERTGEN_ENOMEM);
	}
	ca->key_init = true;
	*cap         = ca;
	return (MPC_CERTGEN_OK);
}

int
mpc_certgen_ca_create(
    mpc_certgen_ca **cap, uint32_t days, time_t now, mpc_certgen_pem *out)
{
	mpc_certgen_ca *ca   = NULL;
	Cert           *cert = NULL;
	int             rv;

	if (cap == NULL) {
		return (MPC_CERTGEN_EINVAL);
	}
	*cap = NULL;
	if (out != NULL) {
		memset(out, 0, sizeof(*out));
	}
	if ((cert = calloc(1, sizeof(*cert))) == NULL) {
		return (MPC_CERTGEN_ENOMEM);
	}
	if ((rv = certgen_ca_alloc(&ca)) != 0) {
		goto out;
	}
	if (wc_InitCert(cert) != 0) {
		rv = MPC_CERTGEN_ECERT;
		goto out;
	}
	if ((rv = certgen_validity(cert, now, days, &ca->not_after)) != 0) {
		goto out;
	}
	if (wc_ecc_make_key_ex(&ca->rng, CERTGEN_P256_BYTES, &ca->key,
	        ECC_SECP256R1) != 0) {
		rv = MPC_CERTGEN_EKEYGEN;
		goto out;
	}
	if ((rv = certgen_serial(cert, &ca->rng)) != 0 ||
	    (rv = certgen_subject(&cert->subject, CERTGEN_CA_CN)) != 0) {
		goto out;
	}
	cert->selfSigned = 1;
	cert->isCA       = 1;
	/* pathlen 0: this CA signs party certificates only (§4.2.1.9). */
	cert->pathLen    = 0;
	cert->pathLenSet = 1;
	if (wc_SetKeyUsage(cert, "keyCertSign,cRLSign") != 0 ||
	    wc_SetSubjectKeyIdFromPublicKey_ex(cert, ECC_TYPE, &ca->key) != 0 ||
	    wc_SetAuthKeyIdFromPublicKey_ex(cert, ECC_TYPE, &ca->key) != 0) {
		rv = MPC_CERTGEN_ECERT;
		goto out;
	}
	if ((rv = certgen_sign(ca, cert, &ca->key, ca->der, sizeof(ca->der),
	         &ca->der_len)) != 0) {
		goto out;
	}
	if (out != NULL &&
	    (rv = certgen_export(ca->der, ca->der_len, &ca->key, out)) != 0) {
		goto out;
	}
	*cap = ca;
	ca   = NULL;
	rv   = MPC_CERTGEN_OK;
out:
	mpc_certgen_ca_free(ca);
	free(cert); /* holds no secrets: public key, names, dates */
	return (rv);
}

/* One of a parsed certificate's dates (RFC 5280 4.1.2.5) as time_t (UTC). */
static int
certgen_date(const byte *raw, int raw_len, time_t *t)
{
	const byte *date;
	byte        format;
	int         len;
	struct tm   tm;

	memset(&tm, 0, sizeof(tm));
	if (raw == NULL ||
	    wc_GetDateInfo(raw, raw_len, &date, &format, &len) != 0 ||
	    wc_GetDateAsCalendarTime(date, len, format, &tm) != 0) {
		return (MPC_CERTGEN_ECA_CERT);
	}
	*t = timegm(&tm);
	return (MPC_CERTGEN_OK);
}

/* notAfter of a parsed certificate as time_t (UTC). */
static int
certgen_not_after(DecodedCert *dc, time_t *t)
{
	return (certgen_date(dc->afterDate, dc->afterDateLen, t));
}

int
mpc_certgen_validity(const char *cert_pem, size_t cert_len,
    time_t *not_before, time_t *not_after)
{
	DecodedCert *dc  = NULL;
	byte        *der = NULL;
	int          n, rv = MPC_CERTGEN_EINVAL;

	if (cert_pem == NULL || cert_len > INT32_MAX || not_before == NULL ||
	    not_after == NULL) {
		return (MPC_CERTGEN_EINVAL);
	}
	if ((der = malloc(CERTGEN_DER_MAX)) == NULL ||
	    (dc = calloc(1, sizeof(*dc))) == NULL) {
		rv = MPC_CERTGEN_ENOMEM;
		goto out;
	}
	/* The first certificate of the PEM text (a cert+key file's). */
	n = wc_CertPemToDer((const byte *) cert_pem, (int) cert_len, der,
	    CERTGEN_DER_MAX, CERT_TYPE);
	if (n <= 0) {
		rv = MPC_CERTGEN_ECA_CERT;
		goto out;
	}
	wc_InitDecodedCert(dc, der, (word32) n, NULL);
	rv = (wc_ParseCert(dc, CERT_TYPE, NO_VERIFY, NULL) != 0)
	    ? MPC_CERTGEN_ECA_CERT
	    : certgen_date(dc->beforeDate, dc->beforeDateLen, not_before);
	if (rv == MPC_CERTGEN_OK) {
		rv = certgen_not_after(dc, not_after);
	}
	wc_FreeDecodedCert(dc);
out:
	free(dc);
	free(der); /* a certificate: public */
	return (rv);
}

/* The CA certificate in ca->der must be an ECDSA P-256 CA, valid at now,
 * for ca->key, with SKID = the identifier we write as AKID. */
static int
certgen_ca_check(mpc_certgen_ca *ca, time_t now)
{
	DecodedCert *dc    = NULL;
	Cert        *probe = NULL;
	byte         spki[128];
	byte         cpub[128];
	word32       cpub_len = sizeof(cpub);
	int          spki_len;
	int          rv;

	if ((dc = calloc(1, sizeof(*dc))) == NULL ||
	    (probe = calloc(1, sizeof(*probe))) == NULL) {
		rv = MPC_CERTGEN_ENOMEM;
		goto out;
	}
	wc_InitDecodedCert(dc, ca->der, ca->der_len, NULL);
	if (wc_ParseCert(dc, CERT_TYPE, NO_VERIFY, NULL) != 0) {
		rv = MPC_CERTGEN_ECA_CERT;
		goto done;
	}
	if (!dc->isCA || dc->keyOID != ECDSAk ||
	    dc->pkCurveOID != ECC_SECP256R1_OID ||
	    (dc->extKeyUsageSet &&
	        !(dc->extKeyUsage & KEYUSE_KEY_CERT_SIGN))) {
		rv = MPC_CERTGEN_ECA_CERT;
		goto done;
	}
	/* The key must be the certificate's key: compare SubjectPublicKeyInfo
	 * (with algorithm and curve) byte for byte. */
	spki_len = wc_EccPublicKeyToDer(&ca->key, spki, sizeof(spki), 1);
	if (spki_len <= 0 ||
	    wc_GetPubKeyDerFromCert(dc, cpub, &cpub_len) != 0) {
		rv = MPC_CERTGEN_ECA_KEY;
		goto done;
	}
	if (cpub_len != (word32) spki_len ||
	    memcmp(cpub, spki, cpub_len) != 0) {
		rv = MPC_CERTGEN_ECA_MISMATCH;
		goto done;
	}
	if (wc_InitCert(probe) != 0 ||
	    wc_SetSubjectKeyIdFromPublicKey_ex(probe, ECC_TYPE, &ca->key) !=
	        0 ||
	    probe->skidSz != KEYID_SIZE) {
		rv = MPC_CERTGEN_ECERT;
		goto done;
	}
	if (!dc->extSubjKeyIdSet ||
	    memcmp(dc->extSubjKeyId, probe->skid, KEYID_SIZE) != 0) {
		rv = MPC_CERTGEN_ECA_FOREIGN;
		goto done;
	}
	if ((rv = certgen_not_after(dc, &ca->not_after)) != 0) {
		goto done;
	}
	if (ca->not_after <= now) {
		rv = MPC_CERTGEN_ECA_EXPIRED;
		goto done;
	}
	rv = MPC_CERTGEN_OK;
done:
	wc_FreeDecodedCert(dc);
out:
	free(dc);
	free(probe);
	return (rv);
}

int
mpc_certgen_ca_load(mpc_certgen_ca **cap, const char *cert_pem,
    size_t cert_len, const char *key_pem, size_t key_len, time_t now)
{
	mpc_certgen_ca *ca = NULL;
	byte            kder[CERTGEN_KEY_DER_MAX];
	word32          idx = 0;
	int             n;
	int             rv;

	if (cap == NULL || cert_pem == NULL || key_pem == NULL ||
	    cert_len == 0 || key_len == 0 || cert_len > INT32_MAX ||
	    key_len > INT32_MAX) {
		return (MPC_CERTGEN_EINVAL);
	}
	*cap = NULL;
	if ((rv = certgen_ca_alloc(&ca)) != 0) {
		goto out;
	}
	n = wc_CertPemToDer((const byte *) cert_pem, (int) cert_len, ca->der,
	    (int) sizeof(ca->der), CERT_TYPE);
	if (n <= 0) {
		rv = MPC_CERTGEN_ECA_CERT;
		goto out;
	}
	ca->der_len = (word32) n;
	n = wc_KeyPemToDer((const byte *) key_pem, (int) key_len, kder,
	    (int) sizeof(kder), NULL);
	if (n <= 0 ||
	    wc_EccPrivateKeyDecode(kder, &idx, &ca->key, (word32) n) != 0 ||
	    wc_ecc_get_curve_id(ca->key.idx) != ECC_SECP256R1) {
		rv = MPC_CERTGEN_ECA_KEY;
		goto out;
	}
	/* SEC1 keys may omit the public key; derive it (SEC 1 §3.2.1). */
	if (ca->key.type == ECC_PRIVATEKEY_ONLY &&
	    wc_ecc_make_pub(&ca->key, NULL) != 0) {
		rv = MPC_CERTGEN_ECA_KEY;
		goto out;
	}
	if ((rv = certgen_ca_check(ca, now)) != 0) {
		goto out;
	}
	*cap = ca;
	ca   = NULL;
out:
	certgen_wipe(kder, sizeof(kder));
	mpc_certgen_ca_free(ca);
	return (rv);
}

time_t
mpc_certgen_ca_not_after(const mpc_certgen_ca *ca)
{
	return (ca != NULL ? ca->not_after : 0);
}

/* Builds and signs the party certificate of party_id for subject_key (a
 * fresh key pair, or the public key of a request) into der. */
static int
certgen_issue(mpc_certgen_ca *ca, uint32_t party_id, uint32_t days,
    time_t now, const struct mpc_certgen_names *names, ecc_key *subject_key,
    byte *der, word32 der_max, word32 *der_len)
{
	Cert  *cert;
	time_t not_after;
	char   cn[CTC_NAME_SIZE];
	int    rv;

	if ((cert = calloc(1, sizeof(*cert))) == NULL) {
		return (MPC_CERTGEN_ENOMEM);
	}
	if (wc_InitCert(cert) != 0) {
		rv = MPC_CERTGEN_ECERT;
		goto out;
	}
	if ((rv = certgen_validity(cert, now, days, &not_after)) != 0) {
		goto out;
	}
	/* A certificate outliving its CA would stop verifying silently. */
	if (not_after > ca->not_after) {
		rv = MPC_CERTGEN_ECA_VALIDITY;
		goto out;
	}
	(void) snprintf(cn, sizeof(cn), "party-%u", (unsigned) party_id);
	if ((rv = certgen_serial(cert, &ca->rng)) != 0 ||
	    (rv = certgen_subject(&cert->subject, cn)) != 0 ||
	    (rv = certgen_party_sans(cert, party_id, names)) != 0) {
		goto out;
	}
	cert->isCA          = 0;
	cert->basicConstSet = 1; /* explicit CA:FALSE */
	/* Issuer copied byte for byte from the CA's subject so name chaining
	 * (§6.1) matches whatever encoding the CA certificate used. */
	if (wc_SetIssuerRaw(cert, ca->der, (int) ca->der_len) != 0 ||
	    wc_SetKeyUsage(cert, "digitalSignature") != 0 ||
	    wc_SetExtKeyUsage(cert, "serverAuth,clientAuth") != 0 ||
	    wc_SetSubjectKeyIdFromPublicKey_ex(cert, ECC_TYPE, subject_key) !=
	        0 ||
	    wc_SetAuthKeyIdFromPublicKey_ex(cert, ECC_TYPE, &ca->key) != 0) {
		rv = MPC_CERTGEN_ECERT;
		goto out;
	}
	rv = certgen_sign(ca, cert, subject_key, der, der_max, der_len);
out:
	free(cert);
	return (rv);
}

int
mpc_certgen_party_names(mpc_certgen_ca *ca, uint32_t party_id,
    uint32_t days, time_t now, const struct mpc_certgen_names *names,
    mpc_certgen_pem *out)
{
	ecc_key key;
	bool    key_init = false;
	byte    der[CERTGEN_DER_MAX];
	word32  der_len = 0;
	int     rv;

	if (out == NULL) {
		return (MPC_CERTGEN_EINVAL);
	}
	memset(out, 0, sizeof(*out));
	if (ca == NULL || party_id < MPC_CERTGEN_PARTY_ID_MIN ||
	    party_id > MPC_CERTGEN_PARTY_ID_MAX) {
		return (MPC_CERTGEN_EINVAL);
	}
	if (wc_ecc_init(&key) != 0) {
		rv = MPC_CERTGEN_ENOMEM;
		goto out;
	}
	key_init = true;
	if (wc_ecc_make_key_ex(&ca->rng, CERTGEN_P256_BYTES, &key,
	        ECC_SECP256R1) != 0) {
		rv = MPC_CERTGEN_EKEYGEN;
		goto out;
	}
	if ((rv = certgen_issue(ca, party_id, days, now, names, &key, der,
	         sizeof(der), &der_len)) != 0) {
		goto out;
	}
	rv = certgen_export(der, der_len, &key, out);
out:
	if (key_init) {
		wc_ecc_free(&key);
	}
	certgen_wipe(&key, sizeof(key));
	return (rv);
}

int
mpc_certgen_party(mpc_certgen_ca *ca, uint32_t party_id, uint32_t days,
    time_t now, mpc_certgen_pem *out)
{
	return (mpc_certgen_party_names(ca, party_id, days, now, NULL, out));
}

/* The public key of a PKCS#10 request (RFC 2986) whose self-signature
 * verifies: ECDSA P-256 or P-384 only. */
static int
certgen_csr_key(const char *csr_pem, size_t csr_len, ecc_key *key)
{
	DecodedCert *dc   = NULL;
	byte        *der  = NULL;
	byte         spki[256];
	word32       spki_len = sizeof(spki);
	word32       idx      = 0;
	int          n;
	int          parsed;
	int          rv;

	if (csr_len > INT32_MAX || (der = malloc(csr_len)) == NULL ||
	    (dc = calloc(1, sizeof(*dc))) == NULL) {
		free(der);
		return (MPC_CERTGEN_ENOMEM);
	}
	n = wc_CertPemToDer((const byte *) csr_pem, (int) csr_len, der,
	    (int) csr_len, CERTREQ_TYPE);
	if (n <= 0) {
		free(der);
		free(dc);
		return (MPC_CERTGEN_ECSR);
	}
	/* First the structure and key type, so an RSA request is named as
	 * such (this wolfSSL has no RSA to check its signature with); then
	 * VERIFY, which on a request checks its signature with its own key. */
	wc_InitDecodedCert(dc, der, (word32) n, NULL);
	parsed = wc_ParseCert(dc, CERTREQ_TYPE, NO_VERIFY, NULL);
	if (dc->keyOID != 0 && dc->keyOID != ECDSAk) {
		rv = MPC_CERTGEN_ECSR_KEY;
		goto out;
	}
	wc_FreeDecodedCert(dc);
	wc_InitDecodedCert(dc, der, (word32) n, NULL);
	if (parsed != 0 || wc_ParseCert(dc, CERTREQ_TYPE, VERIFY, NULL) != 0) {
		rv = MPC_CERTGEN_ECSR_SIG;
		goto out;
	}
	if (dc->keyOID != ECDSAk ||
	    wc_GetPubKeyDerFromCert(dc, spki, &spki_len) != 0 ||
	    wc_EccPublicKeyDecode(spki, &idx, key, spki_len) != 0) {
		rv = MPC_CERTGEN_ECSR_KEY;
		goto out;
	}
	n = wc_ecc_get_curve_id(key->idx);
	rv = (n == ECC_SECP256R1 || n == ECC_SECP384R1)
	    ? MPC_CERTGEN_OK
	    : MPC_CERTGEN_ECSR_KEY;
out:
	wc_FreeDecodedCert(dc);
	free(dc);
	free(der);
	return (rv);
}

int
mpc_certgen_sign_csr(mpc_certgen_ca *ca, uint32_t party_id, uint32_t days,
    time_t now, const struct mpc_certgen_names *names, const char *csr_pem,
    size_t csr_len, char **cert_pem, size_t *cert_len)
{
	ecc_key key;
	bool    key_init = false;
	byte    der[CERTGEN_DER_MAX];
	word32  der_len = 0;
	int     rv;

	if (cert_pem == NULL || cert_len == NULL) {
		return (MPC_CERTGEN_EINVAL);
	}
	*cert_pem = NULL;
	*cert_len = 0;
	if (ca == NULL || csr_pem == NULL ||
	    party_id < MPC_CERTGEN_PARTY_ID_MIN ||
	    party_id > MPC_CERTGEN_PARTY_ID_MAX) {
		return (MPC_CERTGEN_EINVAL);
	}
	if (wc_ecc_init(&key) != 0) {
		return (MPC_CERTGEN_ENOMEM);
	}
	key_init = true;
	if ((rv = certgen_csr_key(csr_pem, csr_len, &key)) != 0 ||
	    (rv = certgen_issue(ca, party_id, days, now, names, &key, der,
	         sizeof(der), &der_len)) != 0) {
		goto out;
	}
	rv = certgen_pem(der, der_len, CERT_TYPE, cert_pem, cert_len);
out:
	if (key_init) {
		wc_ecc_free(&key);
	}
	return (rv);
}

void
mpc_certgen_pem_free(mpc_certgen_pem *pem)
{
	if (pem == NULL) {
		return;
	}
	if (pem->key != NULL) {
		certgen_wipe(pem->key, pem->key_len);
		free(pem->key);
	}
	free(pem->cert);
	memset(pem, 0, sizeof(*pem));
}

void
mpc_certgen_ca_free(mpc_certgen_ca *ca)
{
	if (ca == NULL) {
		return;
	}
	if (ca->key_init) {
		wc_ecc_free(&ca->key);
	}
	if (ca->rng_init) {
		wc_FreeRng(&ca->rng);
	}
	certgen_wipe(ca, sizeof(*ca));
	free(ca);
}

const char *
mpc_certgen_strerror(int err)
{
	switch (err) {
	case MPC_CERTGEN_OK:
		return ("success");
	case MPC_CERTGEN_EINVAL:
		return ("invalid argument");
	case MPC_CERTGEN_ENOMEM:
		return ("out of memory");
	case MPC_CERTGEN_ERNG:
		return ("random number generator failed");
	case MPC_CERTGEN_EKEYGEN:
		return ("P-256 key generation failed");
	case MPC_CERTGEN_ECERT:
		return ("certificate encoding or signing failed");
	case MPC_CERTGEN_EPEM:
		return ("PEM encoding failed");
	case MPC_CERTGEN_ECA_CERT:
		return ("CA certificate is not a PEM ECDSA P-256 CA "
		        "certificate");
	case MPC_CERTGEN_ECA_KEY:
		return ("CA key is not a PEM ECDSA P-256 private key");
	case MPC_CERTGEN_ECA_MISMATCH:
		return ("CA key does not belong to the CA certificate");
	case MPC_CERTGEN_ECA_FOREIGN:
		return ("CA was not made by nngmpc certs (its subject key "
		        "identifier is not the SHA-256 of its key)");
	case MPC_CERTGEN_ECA_EXPIRED:
		return ("CA certificate has expired");
	case MPC_CERTGEN_ECA_VALIDITY:
		return ("requested validity ends after the CA certificate "
		        "expires");
	case MPC_CERTGEN_ECSR:
		return ("not a PEM certificate request (expected '-----BEGIN "
		        "CERTIFICATE REQUEST-----')");
	case MPC_CERTGEN_ECSR_SIG:
		return ("certificate request is malformed or its signature "
		        "does not verify");
	case MPC_CERTGEN_ECSR_KEY:
		return ("certificate request's key is not ECDSA P-256 or "
		        "P-384");
	}
	return ("unknown certgen error");
}
