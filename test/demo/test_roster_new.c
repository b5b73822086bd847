/*
 * `nngmpc roster new` as an operator uses it: a roster with a fresh
 * session (mode 0600, never overwritten without --force, a new ID and key
 * each time), certificates for it with `nngmpc certs --roster`, and two
 * real `nngmpc node` processes running a session from it over
 * mpc+tls+tcp:// (relative certificate paths, from another working
 * directory).  Then the other schemes and the usage errors.
 *
 * argv[1]: the nngmpc executable.
 */
#include <setjmp.h>
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

static const char *nngmpc;
static char        dir[] = "/tmp/nngmpc-roster-new-XXXXXX";
static char        roster[128];

static const struct nngmpc_proc_spec spec = { .in = NNGMPC_PROC_NULL, .out = NNGMPC_PROC_PIPE,
	.err = NNGMPC_PROC_TO_OUT };

static char *
slurp(const char *path)
{
	static char buf[8192];
	FILE       *f = fopen(path, "r");
	size_t      n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return (buf);
}

/* The value of a "session-id"/"session-key" line. */
static void
value_of(const char *text, const char *key, char *out, size_t len)
{
	const char *p = strstr(text, key);

	assert_non_null(p);
	p += strlen(key);
	p += strspn(p, " ");
	(void) snprintf(out, len, "%.*s", (int) strcspn(p, "\n"), p);
}

static int
setup(void **state)
{
	(void) state;
	if (mkdtemp(dir) == NULL) {
		return (-1);
	}
	(void) snprintf(roster, sizeof(roster), "%s/roster", dir);
	return (0);
}

static int
teardown(void **state)
{
	(void) state;
	return (ut_rmtree(dir));
}

static void
test_new_roster_runs_a_session(void **state)
{
	char             port[16];
	char            *out = NULL;
	struct stat      st;
	struct nngmpc_proc   n1, n2;
	struct nngmpc_proc_result r1, r2;
	char *const      a1[] = { (char *) nngmpc, "node", "--roster", roster,
                "--id", "1", "--quiet", "--timeout", "20", NULL };
	char *const      a2[] = { (char *) nngmpc, "node", "--roster", roster,
                "--id", "2", "--quiet", "--timeout", "20", NULL };
	const char      *text;

	(void) state;
	/* Two consecutive free ports are likely, not certain: a port taken
	 * meanwhile fails the node with "Address in use", not this test's
	 * logic. */
	(void) snprintf(port, sizeof(port), "%d", ut_free_tcp_port());
	assert_int_equal(nngmpc_proc_runl(&spec, &out, nngmpc, "roster", "new",
	                     "--parties", "2", "--base-port", port, "--out",
	                     roster, NULL),
	    0);
	ut_expect(out, "mode 0600");
	ut_expect(out, "next: nngmpc certs --out ");
	free(out);
	assert_int_equal(stat(roster, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	text = slurp(roster);
	ut_expect(text, "scheme      mpc+tls+tcp\n");
	ut_expect(text, "ca          ca.pem\n");
	ut_expect(text, "party 1 127.0.0.1:");
	ut_expect(text, " party1.certkey.pem\n");

	/* Its certificates, named as the roster reaches each party. */
	assert_int_equal(nngmpc_proc_runl(&spec, &out, nngmpc, "certs", "--out", dir,
	                     "--roster", roster, NULL),
	    0);
	ut_expect(out, "(127.0.0.1)");
	free(out);

	/* A session from it; the working directory is not the roster's. */
	assert_int_equal(nngmpc_proc_spawn(&n1, a1, &spec), 0);
	assert_int_equal(nngmpc_proc_spawn(&n2, a2, &spec), 0);
	assert_int_equal(nngmpc_proc_finish(&n1, &r1), 0);
	assert_int_equal(nngmpc_proc_finish(&n2, &r2), 0);
	if (r1.status != 0 || r2.status != 0) {
		fail_msg("party 1 (%d):\n%s\nparty 2 (%d):\n%s", r1.status,
		    r1.out, r2.status, r2.out);
	}
	nngmpc_proc_result_free(&r1);
	nngmpc_proc_result_free(&r2);
}

static void
test_never_overwritten_and_fresh(void **state)
{
	char  before[8192], sid1[64], key1[80], sid2[64], key2[80];
	char *out = NULL;

	(void) state;
	(void) snprintf(before, sizeof(before), "%s", slurp(roster));
	assert_int_equal(nngmpc_proc_runl(&spec, &out, nngmpc, "roster", "new",
	                     "--parties", "3", "--out", roster, NULL),
	    1);
	ut_expect(out, "File exists");
	ut_expect(out, "use --force to replace it");
	free(out);
	assert_string_equal(slurp(roster), before);

	assert_int_equal(nngmpc_proc_runl(&spec, &out, nngmpc, "roster", "new",
	                     "--parties", "3", "--out", roster, "--force",
	                     NULL),
	    0);
	free(out);
	value_of(before, "session-id", sid1, sizeof(sid1));
	value_of(before, "session-key", key1, sizeof(key1));
	value_of(slurp(roster), "session-id", sid2, sizeof(sid2));
	value_of(slurp(roster), "session-key", key2, sizeof(key2));
	assert_int_equal(strlen(sid2), 32);
	assert_int_equal(strlen(key2), 64);
	assert_string_not_equal(sid1, sid2);
	assert_string_not_equal(key1, key2);
	ut_expect(slurp(roster), "party 3 127.0.0.1:9003 party3.certkey.pem\n");
}

static void
test_hosts_dir_and_schemes(void **state)
{
	char  path[256], want[512];
	char *out = NULL;

	(void) state;
	(void) snprintf(path, sizeof(path), "%s/hosts.roster", dir);
	assert_int_equal(nngmpc_proc_runl(&spec, &out, nngmpc, "roster", "new",
	                     "--parties", "3", "--hosts",
	                     "node1.example,10.0.0.2,[fd00::3]", "--dir",
	                     "/etc/nngmpc", "--out", path, NULL),
	    0);
	free(out);
	ut_expect(slurp(path), "ca          /etc/nngmpc/ca.pem\n"
	                    "party 1 node1.example:9001 "
	                    "/etc/nngmpc/party1.certkey.pem\n"
	                    "party 2 10.0.0.2:9002 "
	                    "/etc/nngmpc/party2.certkey.pem\n"
	                    "party 3 [fd00::3]:9003 "
	                    "/etc/nngmpc/party3.certkey.pem\n");

	(void) snprintf(path, sizeof(path), "%s/tcp.roster", dir);
	assert_int_equal(nngmpc_proc_runl(&spec, &out, nngmpc, "roster", "new",
	                     "--parties", "2", "--scheme", "mpc+tcp", "--out",
	                     path, NULL),
	    0);
	free(out);
	assert_null(strstr(slurp(path), "ca "));
	ut_expect(slurp(path), "party 2 127.0.0.1:9002\n");

	(void) snprintf(path, sizeof(path), "%s/ipc.roster", dir);
	assert_int_equal(nngmpc_proc_runl(&spec, &out, nngmpc, "roster", "new",
	                     "--parties", "2", "--scheme", "mpc+ipc", "--out",
	                     path, NULL),
	    0);
	free(out);
	(void) snprintf(want, sizeof(want), "party 2 %s/party2.ipc\n", dir);
	ut_expect(slurp(path), want);
}

static void
test_usage_errors(void **state)
{
	static const struct {
		const char *args[8];
		const char *error;
	} cases[] = {
		{ { "--parties", "1" }, "--parties '1': expected a number 2..64" },
		{ { "--parties", "3", "--hosts", "a,b" },
		    "--hosts names 2 hosts for 3 parties" },
		{ { "--parties", "2", "--base-port", "65535" },
		    "goes past port 65535" },
		{ { "--parties", "2", "--scheme", "tcp" },
		    "expected mpc+tls+tcp, mpc+tcp or mpc+ipc" },
		{ { "--parties", "2", "--scheme", "mpc+tcp", "--dir", "/x" },
		    "only mpc+tls+tcp uses" },
	};
	char path[256];

	(void) state;
	(void) snprintf(path, sizeof(path), "%s/bad.roster", dir);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[16] = { (char *) nngmpc, "roster", "new", "--out",
			path };
		size_t           n = 5;
		struct nngmpc_proc_result r;

		for (size_t k = 0; cases[i].args[k] != NULL; k++) {
			argv[n++] = (char *) cases[i].args[k];
		}
		argv[n] = NULL;
		assert_int_equal(nngmpc_proc_run(argv, &spec, &r), 2);
		ut_expect(r.out, cases[i].error);
		nngmpc_proc_result_free(&r);
		assert_int_not_equal(access(path, F_OK), 0);
	}
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_roster_runs_a_session),
		cmocka_unit_test(test_never_overwritten_and_fresh),
		cmocka_unit_test(test_hosts_dir_and_schemes),
		cmocka_unit_test(test_usage_errors),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: test_roster_new <nngmpc>\n");
		return (2);
	}
	nngmpc = argv[1];
	return (cmocka_run_group_tests(tests, setup, teardown));
}
