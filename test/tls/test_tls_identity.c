/*
 * test_tls_identity.c -- the party-ID convention, table-driven, and the
 * leaf-certificate facts (party, subject, SPKI pin) on certificates made by
 * the openssl CLI.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/wolfcrypt/asn_public.h>

#include "mpc_tls_identity.h"
#include "tls_util.h"

#define URI(s) (s), (sizeof(s) - 1)

static void
test_party_uri_table(void **state)
{
	static const struct {
		const char *uri;
		size_t      len;
		int         rv;
		uint32_t    id;
	} cases[] = {
		{ URI("mpc://party/1"), 0, 1 },
		{ URI("mpc://party/7"), 0, 7 },
		{ URI("mpc://party/10"), 0, 10 },
		{ URI("mpc://party/4294967294"), 0, 4294967294u },
		{ URI("mpc://party/4294967295"), NNG_MPC_ETLSPARTY, 0 },
		{ URI("mpc://party/9999999999"), NNG_MPC_ETLSPARTY, 0 },
		{ URI("mpc://party/42949672940"), NNG_MPC_ETLSPARTY, 0 },
		{ URI("mpc://party/0"), NNG_MPC_ETLSPARTY, 0 },
		{ URI("mpc://party/01"), NNG_MPC_ETLSPARTY, 0 },
		{ URI("mpc://party/"), NNG_MPC_ETLSPARTY, 0 },
		{ URI("mpc://party/1-evil"), NNG_MPC_ETLSPARTY, 0 },
		{ URI("mpc://party/1/"), NNG_MPC_ETLSPARTY, 0 },
		{ URI("mpc://party/1 "), NNG_MPC_ETLSPARTY, 0 },
		{ URI("mpc://party/+1"), NNG_MPC_ETLSPARTY, 0 },
		{ URI("mpc://party/-1"), NNG_MPC_ETLSPARTY, 0 },
		{ URI("mpc://party/1\0002"), NNG_MPC_ETLSPARTY, 0 },
		{ URI("mpc://party/0x10"), NNG_MPC_ETLSPARTY, 0 },
		{ URI("mpc://party1"), NNG_MPC_ETLSPARTY, 0 },
		{ URI("mpc://Party/1"), NNG_MPC_ETLSPARTY, 0 },
		{ URI("MPC://party/1"), NNG_MPC_ETLSPARTY, 0 },
		{ URI("mpc:/party/1"), NNG_MPC_ETLSPARTY, 0 },
		{ URI("party-1"), NNG_MPC_ETLSPARTY, 0 },
		{ URI("https://party/1"), NNG_MPC_ETLSPARTY, 0 },
		{ URI(""), NNG_MPC_ETLSPARTY, 0 },
	};

	(void) state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t id = 0xdeadbeef;
		int      rv = mpc_tls_party_uri_parse(cases[i].uri, cases[i].len, &id);

		assert_int_equal(rv, cases[i].rv);
		if (rv == 0) {
			assert_int_equal(id, cases[i].id);
		} else {
			assert_int_equal(id, 0xdeadbeef); /* untouched */
		}
	}
	assert_int_equal(mpc_tls_party_uri_parse(NULL, 5, &(uint32_t) { 0 }),
	    NNG_MPC_ETLSPARTY);
}

static void
test_party_claim_scheme(void **state)
{
	(void) state;
	assert_true(mpc_tls_uri_is_party_claim(URI("mpc://party/1")));
	assert_true(mpc_tls_uri_is_party_claim(URI("MPC://party/1")));
	assert_true(mpc_tls_uri_is_party_claim(URI("Mpc:whatever")));
	assert_false(mpc_tls_uri_is_party_claim(URI("mpcx://party/1")));
	assert_false(mpc_tls_uri_is_party_claim(URI("spiffe://x/y")));
	assert_false(mpc_tls_uri_is_party_claim(URI("mpc")));
}

/* Reads a PEM certificate file into DER. */
static size_t
cert_der(const char *name, uint8_t *der, size_t cap)
{
	char   pem[8192];
	FILE * f = fopen(tu_path(name), "r");
	size_t n;
	int    len;

	assert_non_null(f);
	n      = fread(pem, 1, sizeof(pem) - 1, f);
	pem[n] = '\0';
	(void) fclose(f);
	len = wc_CertPemToDer(
	    (const uint8_t *) pem, (int) n, der, (int) cap, CERT_TYPE);
	assert_true(len > 0);
	return ((size_t) len);
}

static void
test_leaf_parse(void **state)
{
	static const struct {
		const char *              crt;
		enum mpc_tls_party_status st;
		uint32_t                  id;
	} cases[] = {
		{ "server.crt", MPC_TLS_PARTY_OK, 1 },
		{ "client.crt", MPC_TLS_PARTY_OK, 2 },
		{ "party_evil.crt", MPC_TLS_PARTY_MALFORMED, 0 },
		{ "party_zero.crt", MPC_TLS_PARTY_MALFORMED, 0 },
		{ "party_empty.crt", MPC_TLS_PARTY_MALFORMED, 0 },
		{ "party_upper.crt", MPC_TLS_PARTY_MALFORMED, 0 },
		{ "party_big.crt", MPC_TLS_PARTY_MALFORMED, 0 },
		{ "party_two.crt", MPC_TLS_PARTY_DUPLICATE, 0 },
		{ "party_none.crt", MPC_TLS_PARTY_ABSENT, 0 },
	};
	uint8_t             der[4096];
	uint8_t             pin[NNG_MPC_TLS_PIN_SIZE];
	struct mpc_tls_leaf leaf;

	(void) state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = cert_der(cases[i].crt, der, sizeof(der));

		assert_int_equal(mpc_tls_leaf_parse(der, n, &leaf), 0);
		assert_int_equal(leaf.party_status, cases[i].st);
		assert_int_equal(leaf.party_id, cases[i].id);
		assert_true(leaf.spki_ok);
	}
	/* Subject and pin of the server certificate match openssl's. */
	assert_int_equal(
	    mpc_tls_leaf_parse(der, cert_der("server.crt", der, sizeof(der)),
	        &leaf),
	    0);
	assert_non_null(strstr(leaf.subject, "CN=server"));
	assert_non_null(strstr(leaf.subject, "O=nng-mpc test"));
	tu_read_pin("server.pin", pin);
	assert_memory_equal(leaf.spki_sha256, pin, sizeof(pin));

	/* Garbage and truncation are refused, the output zeroed. */
	memset(&leaf, 0xAA, sizeof(leaf));
	assert_int_equal(mpc_tls_leaf_parse(der, 20, &leaf), NNG_MPC_ETLSBADCERT);
	assert_int_equal(leaf.party_status, MPC_TLS_PARTY_ABSENT);
	assert_int_equal(leaf.spki_ok, false);
	assert_int_equal(mpc_tls_leaf_parse(NULL, 0, &leaf), NNG_MPC_ETLSBADCERT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_party_uri_table),
		cmocka_unit_test(test_party_claim_scheme),
		cmocka_unit_test(test_leaf_parse),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
