/*
 * test_metrics_node.c -- the endpoint of the real `nngmpc node`: started
 * by --metrics HOST:PORT (its port reported), or by NNG_MPC_METRICS_ADDR
 * when the module registers; the page shows the node's listener; a bad
 * address fails the node with a specific message.  The node waits for a
 * peer that never comes, so the test scrapes it while it runs and then
 * ends it.
 * argv[1]: the nngmpc executable.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "metrics_util.h"

#define SID "00112233445566778899aabbccddeeff"
#define KEY "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

static const char *nngmpc;
static char        roster[512];

static void
t_roster(void)
{
	const char *tmp = getenv("TMPDIR");
	FILE       *f;

	(void) snprintf(roster, sizeof(roster), "%s/nngmpc-metrics-%d.roster",
	    tmp != NULL ? tmp : "/tmp", (int) getpid());
	assert_non_null(f = fopen(roster, "w"));
	fprintf(f,
	    "session-id " SID "\nsession-key " KEY "\nscheme mpc+tcp\n"
	    "party 1 127.0.0.1:%d\nparty 2 127.0.0.1:%d\n",
	    mu_free_port(), mu_free_port());
	assert_int_equal(fclose(f), 0);
	/* It holds the session key: nngmpc node refuses it otherwise. */
	assert_int_equal(chmod(roster, 0600), 0);
}

/* Scrapes until the node's listener is on the page (the node opens its
 * socket after the endpoint), at most 10 s. */
static void
t_scrape_node(int port)
{
	struct mu_http r;

	for (int i = 0; i < 100; i++) {
		struct timespec ts = { .tv_nsec = 100000000L };

		assert_true(mu_http(port, "GET", "/metrics", &r));
		assert_int_equal(r.status, 200);
		if (strstr(r.body, "nngmpc_listener_pipes{") != NULL &&
		    strstr(r.body, "scheme=\"mpc+tcp\"") != NULL) {
			mu_http_free(&r);
			return;
		}
		mu_http_free(&r);
		(void) nanosleep(&ts, NULL);
	}
	fail_msg("the node's listener never appeared on its metrics page");
}

/* Runs the node, reads the port from the line starting with prefix
 * (followed by the port), scrapes the node, ends it. */
static void
t_node_scrape(char *const argv[], const struct nngmpc_proc_spec *spec,
    const char *prefix)
{
	struct nngmpc_proc p;
	const char    *line;
	int            port = 0;

	assert_int_equal(nngmpc_proc_spawn(&p, argv, spec), 0);
	assert_non_null(line = nngmpc_proc_read_until(&p, prefix, true, 10000));
	port = atoi(line + strlen(prefix));
	assert_true(port > 0);
	t_scrape_node(port);
	(void) nngmpc_proc_reap(&p, 0);
	(void) unlink(roster);
}

static void
test_node_flag(void **state)
{
	static const struct nngmpc_proc_spec spec = { .out = NNGMPC_PROC_PIPE, .err = NNGMPC_PROC_INHERIT };
	char *const argv[] = { (char *) nngmpc, "node", "--roster", roster,
		"--id", "1", "--timeout", "60", "--report", "--metrics",
		"127.0.0.1:0", NULL };

	(void) state;
	t_roster();
	t_node_scrape(argv, &spec, "metrics ");
}

static void
test_node_environment(void **state)
{
	static const char *env[] = { "NNG_MPC_METRICS_ADDR=127.0.0.1:0", NULL };
	static const struct nngmpc_proc_spec spec = { .out = NNGMPC_PROC_PIPE,
		.err = NNGMPC_PROC_TO_OUT, .env = env };
	char *const argv[] = { (char *) nngmpc, "node", "--roster", roster,
		"--id", "1", "--timeout", "60", "--quiet", NULL };

	(void) state;
	t_roster();
	t_node_scrape(argv, &spec, "nng-mpc: metrics on port ");
}

static void
test_node_bad_address(void **state)
{
	static const char *env[] = { "NNG_MPC_METRICS_ADDR=nonsense", NULL };
	static const struct nngmpc_proc_spec flag_spec = { .out = NNGMPC_PROC_PIPE,
		.err = NNGMPC_PROC_TO_OUT };
	static const struct nngmpc_proc_spec env_spec = { .out = NNGMPC_PROC_PIPE,
		.err = NNGMPC_PROC_TO_OUT, .env = env };
	char *out;

	(void) state;
	t_roster();
	assert_int_equal(nngmpc_proc_runl(&flag_spec, &out, nngmpc, "node", "--roster",
	                     roster, "--id", "1", "--metrics", "nonsense", NULL),
	    1);
	assert_non_null(strstr(out, "--metrics nonsense: Address invalid"));
	free(out);
	/* The variable: the module says what is wrong, registration fails
	 * with the environment error, the node stops. */
	assert_int_equal(nngmpc_proc_runl(&env_spec, &out, nngmpc, "node", "--roster",
	                     roster, "--id", "1", NULL),
	    1);
	assert_non_null(strstr(out,
	    "nng-mpc: NNG_MPC_METRICS_ADDR='nonsense': expected HOST:PORT"));
	assert_non_null(strstr(out, "cannot register nng-mpc"));
	free(out);
	(void) unlink(roster);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_node_flag),
		cmocka_unit_test(test_node_environment),
		cmocka_unit_test(test_node_bad_address),
	};

	assert_true(argc == 2);
	nngmpc = argv[1];
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
