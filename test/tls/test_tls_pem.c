/*
 * test_tls_pem.c -- the engine's PEM block extractor (mpc_tls_pem_extract,
 * crypto/mpc_tls_config.c), which every CA, CRL and cert+key text passes
 * through: the blocks of one label are kept, each followed by a newline,
 * everything else dropped.
 *
 * Regression (found writing test/fuzz/fuzz_tls_config; its seeds hold it):
 * the copy was sized as the input plus its NUL, but each block gains a
 * newline, so a text whose last block has no newline after it (a PEM
 * string or file without a final newline), or blocks with none between
 * them, wrote past the copy (one byte per such block; caught by the ASan
 * build of this test).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mpc_tls_engine.h"

#define B "-----BEGIN CERTIFICATE-----"
#define E "-----END CERTIFICATE-----"

static void
expect(const char *in, const char *label, const char *want)
{
	char * out = NULL;
	size_t len = 0;

	assert_int_equal(mpc_tls_pem_extract(in, label, &out, &len), 0);
	assert_int_equal(len, strlen(want));
	assert_string_equal(out, want);
	free(out);
}

static void
test_pem_blocks(void **state)
{
	(void) state;
	/* A cert+key file: the key stays out of the certificate copy. */
	expect(B "\nAAAA\n" E "\n-----BEGIN PRIVATE KEY-----\nKKKK\n"
	         "-----END PRIVATE KEY-----\n",
	    "CERTIFICATE", B "\nAAAA\n" E "\n");
	/* A CA file with a CRL and text between blocks. */
	expect("intro\n" B "\nAA\n" E "\nbetween\n-----BEGIN X509 CRL-----\nCC\n"
	       "-----END X509 CRL-----\n" B "\nBB\n" E "\ntrailer",
	    "CERTIFICATE", B "\nAA\n" E "\n" B "\nBB\n" E "\n");
	expect("intro\n" B "\nAA\n" E "\n-----BEGIN X509 CRL-----\nCC\n"
	       "-----END X509 CRL-----",
	    "X509 CRL", "-----BEGIN X509 CRL-----\nCC\n-----END X509 CRL-----\n");
}

static void
test_pem_no_final_newline(void **state)
{
	(void) state;
	/* The regression: output longer than input. */
	expect(B "\nAAAA\n" E, "CERTIFICATE", B "\nAAAA\n" E "\n");
	expect(B "\nA\n" E B "\nB\n" E B "\nC\n" E, "CERTIFICATE",
	    B "\nA\n" E "\n" B "\nB\n" E "\n" B "\nC\n" E "\n");
	/* The END marker may share the BEGIN marker's closing dashes. */
	expect("-----BEGIN CERTIFICATE-----END CERTIFICATE-----", "CERTIFICATE",
	    "-----BEGIN CERTIFICATE-----END CERTIFICATE-----\n");
}

static void
test_pem_no_block(void **state)
{
	static const char *const bad[] = {
		"",
		"no pem here",
		B "\nAAAA\n",             /* no END */
		E "\n" B "\nAAAA\n",      /* END only before BEGIN */
		"-----BEGIN X509 CRL-----\nC\n-----END X509 CRL-----\n",
		"-----BEGIN CERTIFICATE----\nA\n" E "\n", /* four dashes */
	};

	(void) state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char * out = (char *) &bad; /* must stay untouched */
		size_t len = 7;
		assert_int_equal(mpc_tls_pem_extract(bad[i], "CERTIFICATE",
		                     &out, &len),
		    NNG_MPC_ETLSBADCERT);
		assert_ptr_equal(out, (char *) &bad);
		assert_int_equal(len, 7);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pem_blocks),
		cmocka_unit_test(test_pem_no_final_newline),
		cmocka_unit_test(test_pem_no_block),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
