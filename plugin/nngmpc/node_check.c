/*
 * node_check.c -- the start-up checks of node_check.h.  The key and the
 * party ID are read through NNG's TLS API on the nng-mpc engine (what the
 * transport will do with the same file); the CA check uses wolfSSL's
 * certificate manager (the library `nngmpc certs` already links) on the
 * two files, so a certificate from another CA or out of its validity is
 * named here rather than as a refused handshake later.
 *
 * Threading: none (one call at start).
 */
#define _GNU_SOURCE /* explicit_bzero, gmtime_r */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nng/nng.h>
#include <nng/supplemental/tls/tls.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

#include "certs_io.h"
#include "files.h"
#include "mpc_certgen.h"
#include "nng_mpc.h"
#include "nngmpc.h"
#include "node_check.h"

/* The key belongs to the certificate, and the certificate to party id. */
static bool
check_key_and_party(
    const char *certkey, uint32_t id, char *err, size_t errlen)
{
	nng_tls_config *cfg = NULL;
	uint32_t        got = 0;
	int             rv;

	if ((rv = nng_tls_config_alloc(&cfg, NNG_TLS_MODE_SERVER)) != 0) {
		(void) snprintf(err, errlen, "cannot make a TLS configuration: %s",
		    nng_mpc_strerror(rv));
		return (false);
	}
	rv = nng_tls_config_cert_key_file(cfg, certkey, NULL);
	if (rv == NNG_MPC_ETLSKEY) {
		(void) snprintf(err, errlen,
		    "%s: the private key is not the certificate's (or is "
		    "encrypted): use the party<ID>.certkey.pem that nngmpc "
		    "certs wrote with that certificate",
		    certkey);
	} else if (rv != 0) {
		(void) snprintf(err, errlen,
		    "%s: the TLS engine cannot use it: %s", certkey,
		    nng_mpc_strerror(rv));
	} else if ((rv = nng_mpc_tls_config_own_party(cfg, &got)) != 0) {
		(void) snprintf(err, errlen,
		    "%s: the certificate names no usable party ID (%s): make "
		    "it with nngmpc certs",
		    certkey, nng_mpc_strerror(rv));
	} else if (got != id) {
		rv = NNG_MPC_EPARTYCERT;
		(void) snprintf(err, errlen,
		    "%s: the certificate is for party %u, not %u (--id): give "
		    "party %u its own party%u.certkey.pem, or run this one as "
		    "--id %u",
		    certkey, (unsigned) got, (unsigned) id, (unsigned) id,
		    (unsigned) id, (unsigned) got);
	}
	nng_tls_config_free(cfg);
	return (rv == 0);
}

/* "2020-02-01 00:00:00 UTC", or "unreadable". */
static void
check_date_text(time_t t, bool ok, char *buf, size_t len)
{
	struct tm tm;

	if (!ok || gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0) {
		(void) snprintf(buf, len, "unreadable");
	}
}

/* Our own certificate out of its validity (wolfSSL said which end):
 * one line with the date that is passed or to come, now, and the fix. */
static void
check_dates(const char *certkey, uint32_t id, bool expired, char *err,
    size_t errlen)
{
	char  *pem = NULL;
	size_t n   = 0;
	time_t nb = 0, na = 0, now = time(NULL);
	char   date[40], today[40];
	bool   ok;

	ok = (nngmpc_certs_read("node", certkey, &pem, &n) == 0) &&
	    (mpc_certgen_validity(pem, n, &nb, &na) == 0);
	if (pem != NULL) {
		/* the file holds the private key too */
		explicit_bzero(pem, NNGMPC_CERTS_READ_MAX + 1);
		free(pem);
	}
	check_date_text(expired ? na : nb, ok, date, sizeof(date));
	check_date_text(now, true, today, sizeof(today));
	(void) snprintf(err, errlen,
	    "%s: our certificate is %s (%s %s, now %s): re-issue it where "
	    "the CA is, with the same CA (remove the old party%u.* files, "
	    "then nngmpc certs --out CA_DIR --party %u; or nngmpc certs sign "
	    "--csr FILE --id %u), and check this machine's clock",
	    certkey, expired ? "expired" : "not yet valid",
	    expired ? "notAfter" : "notBefore", date, today, (unsigned) id,
	    (unsigned) id, (unsigned) id);
}

/* The CA verifies the certificate (signature chain and dates). */
static bool
check_ca(const char *ca, const char *certkey, uint32_t id, char *err,
    size_t errlen)
{
	WOLFSSL_CERT_MANAGER *cm;
	int                   rv;

	if ((wolfSSL_Init() != WOLFSSL_SUCCESS) ||
	    ((cm = wolfSSL_CertManagerNew()) == NULL)) {
		(void) snprintf(err, errlen, "cannot start wolfSSL");
		return (false);
	}
	if ((rv = wolfSSL_CertManagerLoadCA(cm, ca, NULL)) != WOLFSSL_SUCCESS) {
		(void) snprintf(err, errlen,
		    "%s: not usable as a CA (%s): give the ca.pem that nngmpc "
		    "certs wrote",
		    ca, wolfSSL_ERR_reason_error_string((unsigned long) rv));
	} else if ((rv = wolfSSL_CertManagerVerify(cm, certkey,
	                WOLFSSL_FILETYPE_PEM)) == ASN_NO_SIGNER_E ||
	    rv == ASN_SIG_CONFIRM_E) {
		(void) snprintf(err, errlen,
		    "%s: the certificate is not signed by the CA in %s: the "
		    "peers would refuse it; use the certificate and the "
		    "ca.pem of the same nngmpc certs run (or sign a CSR with "
		    "this CA)",
		    certkey, ca);
	} else if ((rv == ASN_AFTER_DATE_E) || (rv == ASN_BEFORE_DATE_E)) {
		check_dates(certkey, id, rv == ASN_AFTER_DATE_E, err, errlen);
	} else if (rv != WOLFSSL_SUCCESS) {
		(void) snprintf(err, errlen,
		    "%s: the CA in %s does not verify the certificate: %s",
		    certkey, ca,
		    wolfSSL_ERR_reason_error_string((unsigned long) rv));
	} else {
		rv = 0;
	}
	wolfSSL_CertManagerFree(cm);
	(void) wolfSSL_Cleanup();
	return (rv == 0);
}

bool
nngmpc_node_check_identity(const char *ca, const char *certkey, uint32_t id,
    char *err, size_t errlen)
{
	return (check_key_and_party(certkey, id, err, errlen) &&
	    check_ca(ca, certkey, id, err, errlen));
}

int
nngmpc_node_check(const struct nngmpc_roster *r, uint32_t id,
    const struct nngmpc_party **self)
{
	char ferr[NNGMPC_ROSTER_PATH_MAX + 512];

	if ((*self = nngmpc_roster_find(r, id)) == NULL) {
		nngmpc_error("node", "party %u is not in the roster",
		    (unsigned) id);
		nngmpc_hint("add a 'party %u <address> <cert+key>' line, or "
		            "pick an ID the roster lists",
		    (unsigned) id);
		return (NNGMPC_EXIT_USAGE);
	}
	if (nngmpc_roster_is_tls(r) && (*self)->certkey[0] == '\0') {
		nngmpc_error("node",
		    "party %u has no cert+key file in the roster",
		    (unsigned) id);
		nngmpc_hint("mpc+tls+tcp needs one per party: 'party %u "
		            "<address> <cert+key file>' (nngmpc certs makes them)",
		    (unsigned) id);
		return (NNGMPC_EXIT_USAGE);
	}
	/* Checked here, with their paths, so a missing or wrong file is not
	 * reported as NNG's "Entry not found" or the TLS engine's guess. */
	if (nngmpc_roster_is_tls(r) &&
	    (!nngmpc_file_check_cert(r->ca, ferr, sizeof(ferr)) ||
	        !nngmpc_file_check_certkey(
	            (*self)->certkey, ferr, sizeof(ferr)) ||
	        !nngmpc_node_check_identity(r->ca, (*self)->certkey,
	            id, ferr, sizeof(ferr)))) {
		nngmpc_error("node", "%s", ferr);
		return (NNGMPC_EXIT_FAIL);
	}
	return (NNGMPC_EXIT_OK);
}
