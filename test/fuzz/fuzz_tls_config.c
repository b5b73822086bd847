/*
 * fuzz_tls_config: libFuzzer target for the text parsers of the wolfSSL
 * engine's configuration (crypto/mpc_tls_config.c): the PEM block
 * extractor every CA file, CRL file and cert+key file goes through
 * (mpc_tls_pem_extract, "CERTIFICATE" and "X509 CRL"), and the cipher
 * suite and group lists of nng_mpc_tls_config_ciphers / _groups.  The
 * text comes from the application's files and strings.
 *
 * Beyond "no crash, no sanitizer report" (the extractor writes into a
 * buffer it sized itself) it aborts when:
 *   - the extractor fails on a text holding a BEGIN marker with an END
 *     marker after it, or succeeds on one without;
 *   - its output is not NUL-terminated at *lenp, does not start with a
 *     BEGIN marker and end with an END marker and a newline, or exceeds
 *     the bound its allocation assumes;
 *   - extracting again from its output does not give the output back
 *     (it keeps exactly the blocks, so it is idempotent);
 *   - a list parser's verdict differs from a split on ':' checked
 *     against the documented names.  The lists are parsed before the
 *     configuration is looked up, so a NULL configuration is used: an
 *     accepted list then fails with NNG_MPC_ETLSNOTOURS.
 * Seeds: test/fuzz/corpus/fuzz_tls_config.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mpc_tls_engine.h"

#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
pem(const char *in, const char *label)
{
	char   begin[64], end[64];
	char * out = NULL, *again = NULL;
	size_t len = 0, len2 = 0, inlen = strlen(in);
	const char *b;
	bool        ok;
	int         rv;

	(void) snprintf(begin, sizeof(begin), "-----BEGIN %s-----", label);
	(void) snprintf(end, sizeof(end), "-----END %s-----", label);
	ok = (b = strstr(in, begin)) != NULL && strstr(b, end) != NULL;

	rv = mpc_tls_pem_extract(in, label, &out, &len);
	if (rv == NNG_ENOMEM) {
		return;
	}
	CHECK((rv == 0) == ok);
	if (rv != 0) {
		CHECK(rv == NNG_MPC_ETLSBADCERT);
		return;
	}
	CHECK(strlen(out) == len);
	CHECK(len <= inlen + inlen / strlen(end));
	CHECK(strncmp(out, begin, strlen(begin)) == 0);
	CHECK(len > strlen(end) && out[len - 1] == '\n' &&
	    memcmp(out + len - 1 - strlen(end), end, strlen(end)) == 0);

	rv = mpc_tls_pem_extract(out, label, &again, &len2);
	CHECK(rv == 0 || rv == NNG_ENOMEM);
	CHECK(rv != 0 || (len2 == len && memcmp(again, out, len) == 0));
	free(again);
	free(out);
}

/* Reference: every ':'-separated name (none empty) is one of names[]. */
static bool
ref_list(const char *s, const char *const *names, size_t nnames)
{
	if (*s == '\0') {
		return (false);
	}
	for (;;) {
		const char *e = strchr(s, ':');
		size_t      n = e == NULL ? strlen(s) : (size_t) (e - s);
		bool        known = false;

		for (size_t i = 0; i < nnames; i++) {
			known |= strlen(names[i]) == n &&
			    strncmp(names[i], s, n) == 0;
		}
		if (!known) {
			return (false);
		}
		if (e == NULL) {
			return (true);
		}
		s = e + 1;
	}
}

static void
lists(const char *s)
{
	static const char *const groups[] = { "X25519", "P-256", "P-384" };
	const char *             suites[MPC_TLS_SUITES_MAX];
	int                      rv;

	for (size_t i = 0; i < MPC_TLS_SUITES_MAX; i++) {
		suites[i] = mpc_tls_suites[i].iana;
	}
	rv = nng_mpc_tls_config_ciphers(NULL, s);
	CHECK(rv == (ref_list(s, suites, MPC_TLS_SUITES_MAX)
	                    ? NNG_MPC_ETLSNOTOURS
	                    : NNG_MPC_ETLSCIPHER));
	rv = nng_mpc_tls_config_groups(NULL, s);
	CHECK(rv == (ref_list(s, groups, 3) ? NNG_MPC_ETLSNOTOURS
	                                    : NNG_MPC_ETLSGROUP));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The parsers take C strings (NNG reads files into them). */
	char *s = malloc(size + 1);

	if (s == NULL) {
		return (0);
	}
	memcpy(s, data, size);
	s[size] = '\0';
	pem(s, "CERTIFICATE");
	pem(s, "X509 CRL");
	lists(s);
	free(s);
	return (0);
}
