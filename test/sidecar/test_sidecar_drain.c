/*
 * `nngmpc node --serve` stopped with SIGTERM, as real processes: two
 * sidecars on 127.0.0.1 (roster and certificates from `nngmpc roster new`
 * and `nngmpc certs`), node 1 writing a sealed audit log (`nngmpc audit
 * keygen`), and an NNG pair1 application on each node's ipc:// socket.
 *   - a burst of messages into node 1 while node 2 is stopped (SIGSTOP),
 *     so every one is in flight, then SIGTERM at once: node 1 says how
 *     many wait for acknowledgement (all of them), node 2 continues, node
 *     1 reports them all acknowledged and exits 0; node 2's application
 *     got each message once and in order; `nngmpc audit verify` passes on
 *     node 1's log and its last records are the closing record and the
 *     final seal;
 *   - SIGTERM while node 2 stays stopped: the drain gives up after
 *     --drain-ms, its line names how many messages and for which party,
 *     the final line counts them undelivered, and the exit status is 0.
 * Node 1 takes the application's messages in order, so its refusal of a
 * marker message (addressed to itself) says it has taken the whole burst.
 *
 * argv[1]: nngmpc.
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

#include <nng/nng.h>
#include <nng/protocol/pair1/pair.h>

#include "proc.h"
#include "test_util.h"

#define WAIT_MS  20000
#define BURST    200
#define STUCK    20

static const char *nngmpc;
static char        dir[] = "/tmp/nngmpc-drain-XXXXXX";
static char        audit_file[256], audit_key[256];

static const struct nngmpc_proc_spec run_spec = { .in = NNGMPC_PROC_NULL,
	.out = NNGMPC_PROC_PIPE, .err = NNGMPC_PROC_TO_OUT };

static char *
in_dir(const char *name)
{
	return ((char *) ut_in_dir(dir, name));
}

/* DIR/c<id>: the roster plus id and serve. */
static void
write_config(int id)
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
		fputs(line, out);
	}
	fprintf(out, "id %d\nserve ipc://%s/p%d.sock\n", id, dir, id);
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
	if (mkdtemp(dir) == NULL) {
		return (-1);
	}
	(void) snprintf(port, sizeof(port), "%d", ut_free_tcp_port());
	rc = nngmpc_proc_runl(&run_spec, &out, nngmpc, "roster", "new",
	    "--parties", "2", "--out", in_dir("roster"), "--base-port", port,
	    NULL);
	if (rc == 0) {
		free(out);
		rc = nngmpc_proc_runl(&run_spec, &out, nngmpc, "certs",
		    "--out", dir, "--roster", in_dir("roster"), NULL);
	}
	if (rc == 0) {
		free(out);
		rc = nngmpc_proc_runl(&run_spec, &out, nngmpc, "audit",
		    "keygen", "--out", in_dir("audit"), NULL);
	}
	if (rc != 0) {
		fprintf(stderr, "setup: %s", out);
	}
	free(out);
	(void) snprintf(audit_file, sizeof(audit_file),
	    "NNG_MPC_AUDIT_FILE=%s", in_dir("n1.log"));
	(void) snprintf(audit_key, sizeof(audit_key),
	    "NNG_MPC_AUDIT_KEY_FILE=%s", in_dir("audit/audit.seal"));
	write_config(1);
	write_config(2);
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
expect_read(struct nngmpc_proc *p, const char *needle)
{
	if (nngmpc_proc_read_until(p, needle, false, WAIT_MS) == NULL) {
		fail_msg("no '%s' in:\n%s", needle, p->o.s != NULL ? p->o.s : "");
	}
}

/* Node id with --drain-ms drain; node 1 with the audit log if asked. */
static void
spawn_node(struct nngmpc_proc *p, int id, const char *drain, bool audit)
{
	const char *const       env[] = { audit_file, audit_key, NULL };
	struct nngmpc_proc_spec spec  = run_spec;
	char                    name[8];
	char *argv[] = { (char *) nngmpc, "node", "--config", NULL,
		"--drain-ms", (char *) drain, NULL };

	(void) snprintf(name, sizeof(name), "c%d", id);
	argv[3]  = in_dir(name);
	spec.env = audit ? env : NULL;
	assert_int_equal(nngmpc_proc_spawn(p, argv, &spec), 0);
	ut_child_track(p);
}

/* Two nodes connected to each other, each with its application. */
static void
start_pair(struct nngmpc_proc n[2], nng_socket app[2], const char *drain,
    bool audit)
{
	char url[320];

	spawn_node(&n[0], 1, drain, audit);
	spawn_node(&n[1], 2, "500", false);
	expect_read(&n[0], "party 2 connected");
	expect_read(&n[1], "party 1 connected");
	for (int i = 0; i < 2; i++) {
		(void) snprintf(url, sizeof(url), "ipc://%s/p%d.sock", dir, i + 1);
		assert_int_equal(nng_pair1_open(&app[i]), 0);
		assert_int_equal(
		    nng_socket_set_ms(app[i], NNG_OPT_RECVTIMEO, WAIT_MS), 0);
		assert_int_equal(nng_dial(app[i], url, NULL, 0), 0);
		expect_read(&n[i], "local application connected");
	}
}

/* Node 2 stopped, count messages into node 1, then the marker; returns
 * once node 1 has taken them all. */
static void
burst(struct nngmpc_proc n[2], nng_socket app1, int count)
{
	char msg[64];

	assert_true(nngmpc_proc_stop(&n[1]));
	for (int i = 0; i < count; i++) {
		int len = snprintf(msg, sizeof(msg), "2 32768 m%03d", i);
		assert_int_equal(nng_send(app1, msg, (size_t) len, 0), 0);
	}
	assert_int_equal(nng_send(app1, "1 32768 marker", 14, 0), 0);
	expect_read(&n[0], "local message refused: a message to ourselves");
}

/* The log's last two lines: the closing record, then the final seal. */
static void
expect_log_closed(const char *path)
{
	char  line[4096], prev[4096] = "", last[4096] = "";
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		memcpy(prev, last, sizeof(prev));
		memcpy(last, line, sizeof(last));
	}
	assert_int_equal(fclose(f), 0);
	ut_expect(prev, "\"event\":\"close\"");
	ut_expect(last, "\"event\":\"seal\"");
}

static void
test_burst_then_sigterm(void **state)
{
	struct nngmpc_proc n[2];
	nng_socket         app[2];
	char               want[128], *got = NULL, *out;
	size_t             len;

	(void) state;
	start_pair(n, app, "30000", true);
	burst(n, app[0], BURST);
	nngmpc_proc_signal(&n[0], SIGTERM);
	/* Node 2 has acknowledged nothing: the whole burst is in flight. */
	(void) snprintf(want, sizeof(want),
	    "stopping: no more local messages taken; %d messages wait for "
	    "their party's acknowledgement",
	    BURST);
	expect_read(&n[0], want);
	nngmpc_proc_signal(&n[1], SIGCONT);
	/* Each message reaches node 2's application once, in order. */
	for (int i = 0; i < BURST; i++) {
		(void) snprintf(want, sizeof(want), "1 32768 m%03d", i);
		assert_int_equal(nng_recv(app[1], &got, &len, NNG_FLAG_ALLOC), 0);
		assert_int_equal(len, strlen(want));
		assert_memory_equal(got, want, len);
		nng_free(got, len);
	}
	expect_read(&n[0], "messages were waiting for their party's "
	                   "acknowledgement, all acknowledged");
	expect_read(&n[0], "closed: closing record and final seal written");
	(void) snprintf(want, sizeof(want),
	    "stopped: %d messages to the mesh, 0 to the application, 1 local "
	    "messages refused, 0 undelivered",
	    BURST);
	expect_read(&n[0], want);
	assert_int_equal(nngmpc_proc_reap(&n[0], WAIT_MS), 0);
	/* Nothing more arrives: no duplicates. */
	assert_int_equal(nng_socket_set_ms(app[1], NNG_OPT_RECVTIMEO, 300), 0);
	assert_int_equal(nng_recv(app[1], &got, &len, NNG_FLAG_ALLOC),
	    NNG_ETIMEDOUT);

	assert_int_equal(nngmpc_proc_runl(&run_spec, &out, nngmpc, "audit",
	                     "verify", "--key", in_dir("audit/audit.verify"),
	                     in_dir("n1.log"), NULL),
	    0);
	free(out);
	expect_log_closed(in_dir("n1.log"));

	nngmpc_proc_signal(&n[1], SIGTERM);
	expect_read(&n[1], "stopped: ");
	assert_int_equal(nngmpc_proc_reap(&n[1], WAIT_MS), 0);
	nng_close(app[0]);
	nng_close(app[1]);
}

static void
test_drain_times_out(void **state)
{
	struct nngmpc_proc n[2];
	nng_socket         app[2];
	char               want[256];

	(void) state;
	start_pair(n, app, "1000", false);
	burst(n, app[0], STUCK);
	nngmpc_proc_signal(&n[0], SIGTERM);
	(void) snprintf(want, sizeof(want),
	    "drain timed out after 1000 ms (--drain-ms): %d of %d messages "
	    "not acknowledged, undelivered (party 2: %d): the parties did "
	    "not acknowledge them in time",
	    STUCK, STUCK, STUCK);
	expect_read(&n[0], want);
	(void) snprintf(want, sizeof(want),
	    "stopped: %d messages to the mesh, 0 to the application, 1 local "
	    "messages refused, %d undelivered",
	    STUCK, STUCK);
	expect_read(&n[0], want);
	assert_int_equal(nngmpc_proc_reap(&n[0], WAIT_MS), 0);

	nngmpc_proc_signal(&n[1], SIGCONT);
	nngmpc_proc_signal(&n[1], SIGTERM);
	expect_read(&n[1], "stopped: ");
	assert_int_equal(nngmpc_proc_reap(&n[1], WAIT_MS), 0);
	nng_close(app[0]);
	nng_close(app[1]);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_sigterm),
		cmocka_unit_test(test_drain_times_out),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: test_sidecar_drain <nngmpc>\n");
		return (2);
	}
	nngmpc = argv[1];
	return (cmocka_run_group_tests(tests, setup, teardown));
}
