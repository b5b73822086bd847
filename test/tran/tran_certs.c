/*
 * tran_certs.c -- see tran_certs.h.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <nng/nng.h>
#include <nng/supplemental/tls/tls.h>

#include "mpc_certgen.h"
#include "nng_mpc.h"
#include "tran_certs.h"

#define TC_DAYS 30

static char            tc_dir[256];
static mpc_certgen_ca *tc_ca; /* kept by tc_make for tc_party */

const char *
tc_path(const char *name)
{
	static char buf[8][512];
	static int  n;
	char       *p = buf[n++ % 8];

	(void) snprintf(p, 512, "%s/%s", tc_dir, name);
	return (p);
}

void
tc_write(const char *name, const char *a, const char *b)
{
	FILE *f = fopen(tc_path(name), "w");

	assert_non_null(f);
	assert_true(fputs(a, f) >= 0);
	if (b != NULL) {
		assert_true(fputs(b, f) >= 0);
	}
	assert_int_equal(fclose(f), 0);
}

void
tc_make(const char *tag, uint32_t n)
{
	mpc_certgen_ca *ca;
	mpc_certgen_pem pem;
	time_t          now = time(NULL);
	const char     *tmp = getenv("TMPDIR");
	char            name[32];

	(void) snprintf(tc_dir, sizeof(tc_dir), "%s/nngmpc-%s-XXXXXX",
	    tmp != NULL ? tmp : "/tmp", tag);
	assert_non_null(mkdtemp(tc_dir));
	assert_int_equal(mpc_certgen_ca_create(&ca, TC_DAYS, now, &pem), 0);
	tc_write("ca.pem", pem.cert, NULL);
	tc_write("ca.key", pem.key, NULL); /* for CRLs made with openssl */
	mpc_certgen_pem_free(&pem);
	for (uint32_t id = 1; id <= n; id++) {
		assert_int_equal(
		    mpc_certgen_party(ca, id, TC_DAYS, now, &pem), 0);
		(void) snprintf(name, sizeof(name), "party%u.pem", id);
		tc_write(name, pem.cert, pem.key);
		mpc_certgen_pem_free(&pem);
	}
	tc_ca = ca; /* for tc_party, until tc_remove */
}

void
tc_party(uint32_t id, const char *name)
{
	mpc_certgen_pem pem;

	assert_non_null(tc_ca);
	assert_int_equal(
	    mpc_certgen_party(tc_ca, id, TC_DAYS, time(NULL), &pem), 0);
	tc_write(name, pem.cert, pem.key);
	mpc_certgen_pem_free(&pem);
}

void
tc_rogue(uint32_t id, const char *name)
{
	mpc_certgen_ca *other;
	mpc_certgen_pem pem;

	assert_int_equal(
	    mpc_certgen_ca_create(&other, TC_DAYS, time(NULL), NULL), 0);
	assert_int_equal(
	    mpc_certgen_party(other, id, TC_DAYS, time(NULL), &pem), 0);
	tc_write(name, pem.cert, pem.key);
	mpc_certgen_pem_free(&pem);
	mpc_certgen_ca_free(other);
}

static void
tc_set(nng_socket s, const char *opt, const char *val)
{
	assert_int_equal(nng_mpc_socket_set(s, opt, val, strlen(val) + 1), 0);
}

void
tc_tls(nng_socket s, const char *cert)
{
	tc_set(s, NNG_OPT_TLS_CA_FILE, tc_path("ca.pem"));
	if (cert != NULL) {
		tc_set(s, NNG_OPT_TLS_CERT_KEY_FILE, tc_path(cert));
	}
}

void
tc_remove(void)
{
	DIR           *d = opendir(tc_dir);
	struct dirent *e;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] != '.') {
			(void) unlink(tc_path(e->d_name));
		}
	}
	(void) closedir(d);
	assert_int_equal(rmdir(tc_dir), 0);
	mpc_certgen_ca_free(tc_ca);
	tc_ca = NULL;
}
