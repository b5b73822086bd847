/*
 * `nngmpc node` as a sidecar, the way three hosts would run it: a roster
 * from `nngmpc roster new` for parties on 127.0.0.1, 127.0.0.2 and
 * 127.0.0.3 (distinct addresses, certificates naming them, from
 * `nngmpc certs --roster`), one configuration file per node (the roster
 * plus id, serve, serve-mode), three `nngmpc node --config` processes and
 * Debian's unmodified nngcat, on Debian's libnng, as each node's local
 * application:
 *   - --check accepts each configuration;
 *   - the local socket gets the configured mode;
 *   - unicast and broadcast through the sidecars, each message arriving
 *     with its authenticated sender and type, only where addressed;
 *   - local messages refused, each with its reason: no envelope, type 0,
 *     to ourselves, to a party the roster lacks, a transport control type;
 *   - SIGHUP with a party removed from a node's file: that connection is
 *     closed and logged;
 *   - SIGTERM: every node drains and exits 0;
 *   - node 1 runs with the pipe filter's --heartbeat and --rate-msgs,
 *     node 2 with heartbeat and rate-policy lines in its file (a bad
 *     value there is refused as the flag's would be).
 *
 * argv[1]: nngmpc, argv[2]: nngcat.
 */
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

#define WAIT_MS 20000

static const char *nngmpc;
static const char *nngcat;
static char        dir[] = "/tmp/nngmpc-sidecar-XXXXXX";

static const struct nngmpc_proc_spec run_spec = { .in = NNGMPC_PROC_NULL,
	.out = NNGMPC_PROC_PIPE, .err = NNGMPC_PROC_TO_OUT };

/* The applications: Debian's nngcat on Debian's own libnng (our build's
 * libnng.so.1 is not needed to speak to a sidecar, and in a sanitizer
 * build it could not be loaded into an uninstrumented program). */
static const char *const app_env[] = { "LD_LIBRARY_PATH", NULL };
static const struct nngmpc_proc_spec app_spec = { .in = NNGMPC_PROC_NULL,
	.out = NNGMPC_PROC_PIPE, .err = NNGMPC_PROC_TO_OUT, .env = app_env };

static char *
in_dir(const char *name)
{
	return ((char *) ut_in_dir(dir, name));
}

/* DIR/c<id>: the roster (minus party `drop`, 0: none) plus id, serve,
 * serve-mode. */
static void
write_config(int id, int drop)
{
	char  name[16], line[512], path[300];
	FILE *in, *out;

	(void) snprintf(name, sizeof(name), "c%d", id);
	(void) snprintf(path, sizeof(path), "%s", in_dir(name));
	in  = fopen(in_dir("roster"), "r");
	out = fopen(path, "w");
	assert_non_null(in);
	assert_non_null(out);
	assert_int_equal(chmod(path, 0600), 0);
	while (fgets(line, sizeof(line), in) != NULL) {
		int p = 0;
		if (drop != 0 && sscanf(line, "party %d", &p) == 1 && p == drop) {
			continue;
		}
		fputs(line, out);
	}
	fprintf(out, "id %d\nserve ipc://%s/p%d.sock\nserve-mode 0600\n", id,
	    dir, id);
	if (id == 2) {
		fputs("heartbeat 500\nrate-policy backpressure\n", out);
	}
	assert_int_equal(fclose(in), 0);
	assert_int_equal(fclose(out), 0);
}

static int
setup(void **state)
{
	char  port[16];
	char *out = NULL;
	int   rc;

	(void) state;
	if (mkdtemp(dir) == NULL || setenv("D", dir, 1) != 0) {
		return (-1);
	}
	(void) snprintf(port, sizeof(port), "%d", ut_free_tcp_port());
	rc = nngmpc_proc_runl(&run_spec, &out, nngmpc, "roster", "new",
	    "--parties", "3", "--out", in_dir("roster"), "--hosts",
	    "127.0.0.1,127.0.0.2,127.0.0.3", "--base-port", port, NULL);
	if (rc == 0) {
		free(out);
		rc = nngmpc_proc_runl(&run_spec, &out, nngmpc, "certs",
		    "--out", dir, "--roster", in_dir("roster"), NULL);
	}
	if (rc != 0) {
		fprintf(stderr, "setup: %s", out);
	}
	free(out);
	for (int id = 1; id <= 3; id++) {
		write_config(id, 0);
	}
	return (rc == 0 ? 0 : -1);
}

static int
teardown(void **state)
{
	(void) state;
	ut_children_kill();
	return (ut_rmtree(dir));
}

static void
test_check(void **state)
{
	char *out;

	(void) state;
	assert_int_equal(nngmpc_proc_runl(&run_spec, &out, nngmpc, "node",
	                     "--config", in_dir("c2"), "--check", NULL),
	    0);
	ut_expect(out, ": ok: party 2 of 3, mpc+tls+tcp, ipc://");
	free(out);
	/* A pipe filter setting in the file is checked as its flag is. */
	assert_int_equal(system("cp -p $D/c2 $D/cbad && echo 'heartbeat 5' "
	                        ">> $D/cbad"),
	    0);
	assert_int_equal(nngmpc_proc_runl(&run_spec, &out, nngmpc, "node",
	                     "--config", in_dir("cbad"), "--check", NULL),
	    2);
	ut_expect(out, "--heartbeat '5': expected 0 or 100..3600000 ms");
	ut_expect(out, "'heartbeat' line");
	free(out);
}

static void
expect_read(struct nngmpc_proc *p, const char *needle)
{
	if (nngmpc_proc_read_until(p, needle, false, WAIT_MS) == NULL) {
		fail_msg("no '%s' in:\n%s", needle, p->o.s != NULL ? p->o.s : "");
	}
}

static void
spawn_node(struct nngmpc_proc *p, int id)
{
	char  name[8];
	char *argv[] = { (char *) nngmpc, "node", "--config", NULL, NULL,
		NULL, NULL, NULL, NULL };

	(void) snprintf(name, sizeof(name), "c%d", id);
	argv[3] = in_dir(name);
	if (id == 1) {
		/* The pipe filter's flags apply to the sidecar's mesh too. */
		argv[4] = "--heartbeat";
		argv[5] = "500";
		argv[6] = "--rate-msgs";
		argv[7] = "1000";
	}
	assert_int_equal(nngmpc_proc_spawn(p, argv, &run_spec), 0);
	ut_child_track(p);
}

/* nngcat on node id's socket: sends data once (after a second), prints
 * what it receives until 4 s pass without a message. */
static void
spawn_app(struct nngmpc_proc *p, int id, const char *data)
{
	char  url[320];
	char *argv[] = { (char *) nngcat, "--pair1", "--dial", url,
		"--quoted", "--data", (char *) data, "--count", "1",
		"--interval", "1", "--delay", "1", "--recv-timeout", "4",
		NULL };

	(void) snprintf(url, sizeof(url), "ipc://%s/p%d.sock", dir, id);
	assert_int_equal(nngmpc_proc_spawn(p, argv, &app_spec), 0);
}

/* What node 1 says about local messages it cannot send. */
static const struct {
	const char *data;
	const char *why;
} refusals[] = {
	{ "no envelope", "local message refused: expected '<to> <type> "
	                 "<payload>' with <to> a party ID or '*'" },
	{ "2 0 zero type", "local message refused: expected '<to> <type> "
	                   "<payload>' with <type> 1..65535" },
	{ "1 32768 to myself", "local message refused: a message to "
	                       "ourselves" },
	{ "9 32768 stranger", "local message refused: the recipient is not "
	                      "a party of the roster" },
	{ "2 0x0100 control", "local message refused: MPC message type is "
	                      "reserved for the transport's control frames" },
};

static void
test_three_sidecars(void **state)
{
	struct nngmpc_proc        n[3], a[3];
	struct nngmpc_proc_result r[3];
	struct stat               st;
	char                      want[64];
	char                      url[320];
	char                     *out;

	(void) state;
	for (int i = 0; i < 3; i++) {
		spawn_node(&n[i], i + 1);
	}
	for (int i = 0; i < 3; i++) {
		expect_read(&n[i], "serving ipc://");
		for (int k = 1; k <= 3; k++) {
			if (k != i + 1) {
				(void) snprintf(want, sizeof(want),
				    "party %d connected", k);
				expect_read(&n[i], want);
			}
		}
	}
	assert_int_equal(stat(in_dir("p1.sock"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	spawn_app(&a[0], 1, "2 32768 hello two");
	spawn_app(&a[1], 2, "* 0x8001 hi from two");
	spawn_app(&a[2], 3, "1 32770 three to one");
	for (int i = 0; i < 3; i++) {
		assert_int_equal(nngmpc_proc_finish(&a[i], &r[i]), 0);
		assert_int_equal(r[i].status, 0);
	}
	ut_expect(r[0].out, "\"2 32769 hi from two\"");
	ut_expect(r[0].out, "\"3 32770 three to one\"");
	ut_expect(r[1].out, "\"1 32768 hello two\"");
	ut_expect(r[2].out, "\"2 32769 hi from two\"");
	assert_null(strstr(r[2].out, "hello two")); /* unicast stays */
	assert_null(strstr(r[1].out, "three to one"));
	for (int i = 0; i < 3; i++) {
		nngmpc_proc_result_free(&r[i]);
	}

	/* Local messages the node refuses, each with its reason; the
	 * counts are in its final line. */
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		/* Sent again if it did not arrive: the node's pair1 takes one
		 * application at a time, and refuses (closes) one that comes
		 * while the last one's connection is still going away --
		 * with the message nngcat had queued on it. */
		for (int try = 0; try < 5; try++) {
			(void) snprintf(
			    url, sizeof(url), "ipc://%s/p1.sock", dir);
			assert_true(nngmpc_proc_runl(&app_spec, &out, nngcat,
			                "--pair1", "--dial", url, "--data",
			                refusals[i].data, "--count", "1",
			                "--interval", "1", "--recv-timeout", "1",
			                NULL) >= 0);
			free(out);
			if (nngmpc_proc_read_until(&n[0], refusals[i].why,
			        false, 3000) != NULL) {
				break;
			}
		}
		expect_read(&n[0], refusals[i].why);
	}

	/* SIGHUP after party 3 left node 1's file: its connection closes. */
	write_config(1, 3);
	nngmpc_proc_signal(&n[0], SIGHUP);
	expect_read(&n[0], "reload: party 3 is no longer in the roster: "
	                   "connection closed");
	expect_read(&n[0], "reloaded ");

	for (int i = 0; i < 3; i++) {
		nngmpc_proc_signal(&n[i], SIGTERM);
		expect_read(&n[i], "stopped: ");
		if (i == 0) {
			expect_read(&n[i], "5 local messages refused");
		}
		assert_int_equal(nngmpc_proc_reap(&n[i], WAIT_MS), 0);
	}
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_three_sidecars),
	};

	if (argc != 3) {
		fprintf(stderr, "usage: test_sidecar <nngmpc> <nngcat>\n");
		return (2);
	}
	nngmpc = argv[1];
	nngcat = argv[2];
	return (cmocka_run_group_tests(tests, setup, teardown));
}
