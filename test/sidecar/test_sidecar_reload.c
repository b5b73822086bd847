/*
 * SIGHUP reload of `nngmpc node --serve`, with real processes and real
 * TLS: a roster from `nngmpc roster new` for parties on 127.0.0.1/2/3,
 * certificates from `nngmpc certs`, a CRL made by Debian's openssl with
 * that CA's key, three `nngmpc node --config` processes and Debian's
 * nngcat as the local applications.  Node 1's file names its own copy of
 * the CA (ca1.pem), which the test changes:
 *   - a file that fails the start-up checks (a CA file that is missing,
 *     a bad pipe-filter value, a bad pins line): the reload is refused
 *     with the file and the reason, and node 1 keeps serving over the
 *     same connections;
 *   - a changed pipe-filter line (rate-msgs) is applied and logged, and
 *     traffic still flows;
 *   - party 3's certificate revoked by a CRL appended to ca1.pem: node 1
 *     closes that connection with the specific reason (its status line
 *     and the diagnostics line), refuses party 3's redials, keeps the
 *     connection to party 2 (never disconnected, one connection kept) and
 *     messages from party 2 still arrive;
 *   - a deny-parties line closes party 2's connection with its reason.
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
static char        dir[] = "/tmp/nngmpc-reload-XXXXXX";

static const struct nngmpc_proc_spec run_spec = { .in = NNGMPC_PROC_NULL,
	.out = NNGMPC_PROC_PIPE, .err = NNGMPC_PROC_TO_OUT };

/* nngcat on Debian's own libnng (see test_sidecar.c). */
static const char *const app_env[] = { "LD_LIBRARY_PATH", NULL };
static const struct nngmpc_proc_spec app_spec = { .in = NNGMPC_PROC_NULL,
	.out = NNGMPC_PROC_PIPE, .err = NNGMPC_PROC_TO_OUT, .env = app_env };

static char *
in_dir(const char *name)
{
	return ((char *) ut_in_dir(dir, name));
}

/* DIR/c<id>: the roster plus id, serve, serve-mode, and `extra` lines;
 * node 1's `ca` line names ca (a file in DIR). */
static void
write_config(int id, const char *ca, const char *extra)
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
		if (ca != NULL && strncmp(line, "ca ", 3) == 0) {
			fprintf(out, "ca %s/%s\n", dir, ca);
			continue;
		}
		fputs(line, out);
	}
	fprintf(out, "id %d\nserve ipc://%s/p%d.sock\nserve-mode 0600\n%s",
	    id, dir, id, extra != NULL ? extra : "");
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
	if (rc == 0) {
		rc = system("cp -p $D/ca.pem $D/ca1.pem");
	}
	write_config(1, "ca1.pem", NULL);
	write_config(2, NULL, NULL);
	write_config(3, NULL, NULL);
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

static void
spawn_node(struct nngmpc_proc *p, int id)
{
	char  name[8];
	char *argv[] = { (char *) nngmpc, "node", "--config", NULL, NULL };

	(void) snprintf(name, sizeof(name), "c%d", id);
	argv[3] = in_dir(name);
	assert_int_equal(nngmpc_proc_spawn(p, argv, &run_spec), 0);
	ut_child_track(p);
}

/* nngcat on node id's socket, as in test_sidecar.c: sends data once
 * (after a second), prints what it receives until 4 s pass without one. */
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

/* One message from node `from`'s application reaches node 1's (which
 * sends one to party 2 meanwhile). */
static void
message_to_1(int from, const char *text)
{
	struct nngmpc_proc        a[2];
	struct nngmpc_proc_result res[2];
	char                      data[128], want[160];

	(void) snprintf(data, sizeof(data), "1 32768 %s", text);
	spawn_app(&a[0], 1, "2 32768 from one");
	spawn_app(&a[1], from, data);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(nngmpc_proc_finish(&a[i], &res[i]), 0);
		assert_int_equal(res[i].status, 0);
	}
	(void) snprintf(want, sizeof(want), "\"%d 32768 %s\"", from, text);
	ut_expect(res[0].out, want);
	for (int i = 0; i < 2; i++) {
		nngmpc_proc_result_free(&res[i]);
	}
}

/* Revokes party 3's certificate with openssl ca and appends the CRL to
 * node 1's CA file, as an operator would. */
static void
revoke_party3(void)
{
	assert_int_equal(
	    system("set -e; cd $D; mkdir crldb; : > crldb/index.txt; "
	           "printf '[ca]\\ndefault_ca=c\\n[c]\\ndatabase=crldb/"
	           "index.txt\\ndefault_md=sha256\\ndefault_crl_days=30\\n' "
	           "> crldb/ca.cnf; "
	           "openssl x509 -in party3.certkey.pem -out crldb/p3.crt; "
	           "openssl ca -batch -config crldb/ca.cnf -cert ca.pem "
	           "-keyfile ca.key -revoke crldb/p3.crt 2>/dev/null; "
	           "openssl ca -batch -config crldb/ca.cnf -cert ca.pem "
	           "-keyfile ca.key -gencrl -out crldb/crl.pem 2>/dev/null; "
	           "cat crldb/crl.pem >> ca1.pem"),
	    0);
}

static void
test_reload(void **state)
{
	struct nngmpc_proc n[3];
	char               want[64];

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

	/* (b) Files that fail the start-up checks: refused, named, and
	 * everything keeps running. */
	write_config(1, "missing-ca.pem", NULL);
	nngmpc_proc_signal(&n[0], SIGHUP);
	expect_read(&n[0], "reload failed, keeping everything as it runs: ");
	expect_read(&n[0], "missing-ca.pem");
	write_config(1, "ca1.pem", "heartbeat 5\n");
	nngmpc_proc_signal(&n[0], SIGHUP);
	expect_read(&n[0], "reload failed, keeping everything as it runs: "
	                   "the 'heartbeat' line: '5' is not a valid value");
	write_config(1, "ca1.pem", "pins 00ff\n");
	nngmpc_proc_signal(&n[0], SIGHUP);
	expect_read(&n[0], "reload failed, keeping everything as it runs: "
	                   "the 'pins' line: expected SHA-256 digests");
	message_to_1(2, "after a refused reload");

	/* (c) A pipe-filter line changed: applied and named. */
	write_config(1, "ca1.pem", "rate-msgs 500\n");
	nngmpc_proc_signal(&n[0], SIGHUP);
	expect_read(&n[0], "reload: rate-msgs (default) -> 500 (every "
	                   "connection)");
	expect_read(&n[0], "reloaded ");
	expect_read(&n[0], "2 parties allowed, 2 connections kept");
	message_to_1(3, "under the new limit");

	/* (a) Party 3 revoked: only its connection closes, with the
	 * reason, and it cannot come back; party 2's stays. */
	revoke_party3();
	nngmpc_proc_signal(&n[0], SIGHUP);
	expect_read(&n[0], "reload: party 3's connection closed: Peer no "
	                   "longer trusted after reload: pipe closed (TLS "
	                   "peer certificate is revoked)");
	expect_read(&n[0], "reason=NNG_MPC_ERELOADREVOKED");
	expect_read(&n[0], "2 parties allowed, 1 connections kept");
	expect_read(&n[0], "party 3 disconnected");
	/* Its redials are refused at the TLS handshake. */
	expect_read(&n[0], "event=refused");
	message_to_1(2, "still the same connection");
	/* Node 1 never saw party 2 go, nor party 3 come back. */
	assert_null(strstr(n[0].o.s, "party 2 disconnected"));
	{
		const char *first = strstr(n[0].o.s, "party 3 connected");
		assert_non_null(first);
		assert_null(strstr(first + 1, "party 3 connected"));
	}

	/* A deny-parties line: party 2 is refused from now on. */
	write_config(1, "ca1.pem", "rate-msgs 500\ndeny-parties 2\n");
	nngmpc_proc_signal(&n[0], SIGHUP);
	expect_read(&n[0], "reload: deny-parties '' -> '2' (every connection)");
	expect_read(&n[0], "reload: party 2's connection closed: Party no "
	                   "longer allowed after reload: pipe closed");
	expect_read(&n[0], "reason=NNG_MPC_ERELOADDENIED");
	expect_read(&n[0], "2 parties allowed, 0 connections kept");

	for (int i = 0; i < 3; i++) {
		nngmpc_proc_signal(&n[i], SIGTERM);
		expect_read(&n[i], "stopped: ");
		assert_int_equal(nngmpc_proc_reap(&n[i], WAIT_MS), 0);
	}
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reload),
	};

	if (argc != 3) {
		fprintf(stderr, "usage: test_sidecar_reload <nngmpc> <nngcat>\n");
		return (2);
	}
	nngmpc = argv[1];
	nngcat = argv[2];
	return (cmocka_run_group_tests(tests, setup, teardown));
}
