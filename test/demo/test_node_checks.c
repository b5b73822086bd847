/*
 * `nngmpc node`'s start-up checks of its TLS identity and its connection
 * diagnostics, as separate processes with certificates from two real
 * `nngmpc certs` runs (two CAs):
 *   - a certificate for another party, a key that is not the
 *     certificate's, a certificate another CA signed: each refused before
 *     anything starts, with the file's path and what to do (a roster
 *     others can read: test_node_files.c);
 *   - our own certificate expired, or not yet valid (made with `openssl
 *     ca`, which sets explicit dates): `node --check` exits 1 with one
 *     line naming the file, the date and how to re-issue it;
 *   - two nodes with different session keys: each prints at once, on
 *     stderr, a refused line naming NNG_MPC_EKEYCONFIRM and the other's
 *     address (logfmt on one, --log-format json on the other);
 *   - bad --log-level / --log-format values are usage errors; bad
 *     NNG_MPC_LOG / NNG_MPC_LOG_FORMAT values are reported by the module.
 *
 * argv[1]: the nngmpc executable.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "proc.h"
#include "test_util.h"

#define SID  "00112233445566778899aabbccddeeff"
#define KEY  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define KEY2 "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

static const char *nngmpc;
static char        dir[] = "/tmp/nngmpc-node-checks-XXXXXX";

static const struct nngmpc_proc_spec run_spec = { .in = NNGMPC_PROC_NULL,
	.out = NNGMPC_PROC_PIPE, .err = NNGMPC_PROC_TO_OUT };

static char *
in_dir(const char *name)
{
	return ((char *) ut_in_dir(dir, name));
}

/* A roster in the directory: name, session key, our cert+key file and
 * two TCP ports. */
static void
roster(const char *name, const char *key, const char *ca,
    const char *certkey1, int port1, int port2)
{
	char  path[256];
	FILE *f;

	(void) snprintf(path, sizeof(path), "%s", in_dir(name));
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f,
	    "session-id " SID "\nsession-key %s\nca %s\n"
	    "party 1 127.0.0.1:%d %s\nparty 2 127.0.0.1:%d a/party2.certkey.pem\n",
	    key, ca, port1, certkey1, port2);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0600), 0);
}

static int
setup(void **state)
{
	char *out = NULL;
	int   rc  = 0;

	(void) state;
	if (mkdtemp(dir) == NULL) {
		return (-1);
	}
	for (int i = 0; (i < 2) && (rc == 0); i++) {
		rc = nngmpc_proc_runl(&run_spec, &out, nngmpc, "certs", "--out",
		    in_dir(i == 0 ? "a" : "b"), "--parties", "2", NULL);
		if (rc != 0) {
			fprintf(stderr, "nngmpc certs: %s", out);
		}
		free(out);
	}
	return (rc == 0 ? 0 : -1);
}

static int
teardown(void **state)
{
	(void) state;
	return (ut_rmtree(dir));
}

static void
test_identity_checks(void **state)
{
	static const struct {
		const char *ca;
		const char *certkey;
		const char *want;
	} cases[] = {
		{ "a/ca.pem", "a/party2.certkey.pem",
		    "the certificate is for party 2, not 1 (--id): give party "
		    "1 its own party1.certkey.pem, or run this one as --id 2" },
		{ "a/ca.pem", "mixed.pem",
		    "the private key is not the certificate's" },
		{ "b/ca.pem", "a/party1.certkey.pem",
		    "the certificate is not signed by the CA in" },
	};
	char  cmd[1024];
	char *out;

	(void) state;
	/* party 1's certificate with party 2's key */
	(void) snprintf(cmd, sizeof(cmd),
	    "cat %s %s > %s && chmod 600 %s", in_dir("a/party1.pem"),
	    in_dir("a/party2.key"), in_dir("mixed.pem"), in_dir("mixed.pem"));
	assert_int_equal(system(cmd), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		roster("roster", KEY, cases[i].ca, cases[i].certkey, 1, 2);
		assert_int_equal(nngmpc_proc_runl(&run_spec, &out, nngmpc,
		                     "node", "--roster", in_dir("roster"), "--id",
		                     "1", "--timeout", "1", NULL),
		    1);
		ut_expect(out, "nngmpc node: error: ");
		ut_expect(out, cases[i].certkey); /* the file's path */
		ut_expect(out, cases[i].want);
		assert_null(strstr(out, "listening"));
		assert_null(strstr(out, "still not connected"));
		free(out);
	}
}

/*
 * A party 1 certificate from CA a valid only from start to end
 * (YYYYMMDDHHMMSSZ) at DIR/name: `openssl ca` is the command-line way to
 * give a certificate explicit dates (as test/tls/mkcerts.sh does).
 */
static void
dated_cert(const char *name, const char *start, const char *end)
{
	char cmd[4096];

	(void) snprintf(cmd, sizeof(cmd),
	    "set -e; cd %s; mkdir -p ca.db/new; : > ca.db/index.txt; "
	    "echo 1000 > ca.db/serial; "
	    "printf '[ca]\ndefault_ca=t\n[t]\ndir=ca.db\n"
	    "database=ca.db/index.txt\nnew_certs_dir=ca.db/new\n"
	    "serial=ca.db/serial\ndefault_md=sha256\npolicy=p\n"
	    "unique_subject=no\n[p]\ncommonName=supplied\n' > ca.db/cnf; "
	    "printf 'basicConstraints=CA:FALSE\n"
	    "subjectAltName=URI:mpc://party/1,IP:127.0.0.1\n' > ca.db/ext; "
	    "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 "
	    "-out ca.db/%s.key 2>/dev/null; "
	    "openssl req -new -key ca.db/%s.key -subj /CN=party-1 "
	    "-out ca.db/%s.csr; "
	    "openssl ca -batch -config ca.db/cnf -cert a/ca.pem "
	    "-keyfile a/ca.key -notext -startdate %s -enddate %s "
	    "-extfile ca.db/ext -in ca.db/%s.csr -out ca.db/%s.crt "
	    "2>/dev/null; "
	    "cat ca.db/%s.crt ca.db/%s.key > %s; chmod 600 %s",
	    dir, name, name, name, start, end, name, name, name, name, name,
	    name);
	assert_int_equal(system(cmd), 0);
}

/* Our own certificate out of its validity: `node --check` names the file,
 * the date, and what to do, in one line, and exits 1. */
static void
test_dates_checks(void **state)
{
	static const struct {
		const char *file;
		const char *start, *end;
		const char *want;
	} cases[] = {
		{ "expired.pem", "20200101000000Z", "20200201000000Z",
		    "expired.pem: our certificate is expired (notAfter "
		    "2020-02-01 00:00:00 UTC, now " },
		{ "future.pem", "20990101000000Z", "20990201000000Z",
		    "future.pem: our certificate is not yet valid (notBefore "
		    "2099-01-01 00:00:00 UTC, now " },
	};
	char *out, *nl;

	(void) state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dated_cert(cases[i].file, cases[i].start, cases[i].end);
		roster("roster", KEY, "a/ca.pem", cases[i].file, 1, 2);
		assert_int_equal(nngmpc_proc_runl(&run_spec, &out, nngmpc,
		                     "node", "--roster", in_dir("roster"), "--id",
		                     "1", "--check", NULL),
		    1);
		ut_expect(out, "nngmpc node: error: ");
		ut_expect(out, cases[i].want);
		ut_expect(out, "re-issue it where the CA is, with the same CA "
		               "(remove the old party1.* files, then nngmpc "
		               "certs --out CA_DIR --party 1; or nngmpc certs "
		               "sign --csr FILE --id 1), and check this "
		               "machine's clock\n");
		/* One line: the date and the fix are on the error's line. */
		nl = strchr(strstr(out, "nngmpc node: error: "), '\n');
		assert_non_null(nl);
		assert_true(nl > strstr(out, "machine's clock"));
		assert_null(strstr(out, ": ok: party"));
		free(out);
	}
}

static void
test_refused_on_both_ends(void **state)
{
	struct nngmpc_proc  n1;
	struct nngmpc_proc *ps[1] = { &n1 };
	char *const         argv1[] = { (char *) nngmpc, "node", "--roster",
                in_dir("r1"), "--id", "1", "--timeout", "30", "-q", NULL };
	char                addr1[64];
	char               *out;
	int                 p1 = ut_free_tcp_port();
	int                 p2 = ut_free_tcp_port();

	(void) state;
	roster("r1", KEY, "a/ca.pem", "a/party1.certkey.pem", p1, p2);
	roster("r2", KEY2, "a/ca.pem", "a/party1.certkey.pem", p1, p2);
	assert_int_equal(nngmpc_proc_spawn(&n1, argv1, &run_spec), 0);
	/* Party 2 dials party 1 with another session key; it gives up
	 * after its --timeout, having said why at every attempt. */
	assert_int_equal(nngmpc_proc_runl(&run_spec, &out, nngmpc, "node",
	                     "--roster", in_dir("r2"), "--id", "2",
	                     "--timeout", "2", "-q", "--log-format", "json",
	                     NULL),
	    1);
	(void) snprintf(addr1, sizeof(addr1), "\"remote\":\"127.0.0.1:%d\"",
	    p1);
	ut_expect(out, "\"event\":\"refused\",\"side\":\"dialer\"");
	ut_expect(out, "\"reason\":\"NNG_MPC_EKEYCONFIRM\"");
	ut_expect(out, addr1);
	ut_expect(out, "same roster (session key)");
	free(out);
	/* Party 1 said it too, with party 2's address. */
	for (int i = 0; (i < 100) && (strstr(n1.o.s != NULL ? n1.o.s : "",
	                                  "side=listener") == NULL);
	     i++) {
		int prv = nngmpc_proc_poll(ps, 1, 100);
		assert_true((prv == 0) || (prv == ETIMEDOUT));
	}
	assert_non_null(n1.o.s);
	ut_expect(n1.o.s, "level=warn event=refused side=listener");
	ut_expect(n1.o.s, "reason=NNG_MPC_EKEYCONFIRM");
	ut_expect(n1.o.s, "remote=127.0.0.1:");
	nngmpc_proc_signal(&n1, SIGTERM);
	(void) nngmpc_proc_reap(&n1, 5000);
}

static void
test_log_flags(void **state)
{
	char *out;

	(void) state;
	assert_int_equal(nngmpc_proc_runl(&run_spec, &out, nngmpc, "node",
	                     "--roster", "x", "--id", "1", "--log-level",
	                     "loud", NULL),
	    2);
	ut_expect(out, "--log-level 'loud': expected off, warn, info or debug");
	free(out);
	assert_int_equal(nngmpc_proc_runl(&run_spec, &out, nngmpc, "node",
	                     "--roster", "x", "--id", "1", "--log-format",
	                     "xml", NULL),
	    2);
	ut_expect(out, "--log-format 'xml': expected logfmt or json");
	free(out);
	/* The environment of any program loading the module, likewise. */
	{
		static const char *const env[] = { "NNG_MPC_LOG=loud", NULL };
		static const char *const env2[] = { "NNG_MPC_LOG=info",
			"NNG_MPC_LOG_FORMAT=xml", NULL };
		struct nngmpc_proc_spec spec = run_spec;

		spec.env = env;
		assert_int_equal(nngmpc_proc_runl(&spec, &out, nngmpc, "node",
		                     "--help", NULL),
		    0);
		ut_expect(out, "nng-mpc: NNG_MPC_LOG=loud not understood "
		               "(off|warn|info|debug): diagnostics off");
		free(out);
		spec.env = env2;
		assert_int_equal(nngmpc_proc_runl(&spec, &out, nngmpc, "node",
		                     "--help", NULL),
		    0);
		ut_expect(out, "nng-mpc: NNG_MPC_LOG_FORMAT=xml not understood "
		               "(logfmt|json): diagnostics off");
		free(out);
	}
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log_flags),
		cmocka_unit_test(test_identity_checks),
		cmocka_unit_test(test_dates_checks),
		cmocka_unit_test(test_refused_on_both_ends),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: test_node_checks <nngmpc>\n");
		return (2);
	}
	nngmpc = argv[1];
	return (cmocka_run_group_tests(tests, setup, teardown));
}
