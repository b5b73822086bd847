/*
 * `nngmpc demo` and `nngmpc node` as a user runs them: real processes, real
 * certificates, real sockets on loopback.  Functional only: no timings.
 * argv[1]: the nngmpc executable.
 */
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "proc.h"

static const char *nngmpc;

/* Runs nngmpc with the given arguments; stdout+stderr into *out (the
 * caller frees it); returns the exit status. */
static const struct nngmpc_proc_spec run_spec = { .out = NNGMPC_PROC_PIPE,
	.err                                           = NNGMPC_PROC_TO_OUT };
#define run(out, ...) nngmpc_proc_runl(&run_spec, (out), nngmpc, __VA_ARGS__)

static void
expect(const char *out, const char *needle)
{
	if (strstr(out, needle) == NULL) {
		fail_msg("expected \"%s\" in:\n%s", needle, out);
	}
}

static void
test_demo_tls_default(void **state)
{
	char *out;
	(void) state;
	/* The README's main job, as is: 3 parties over mpc+tls+tcp. */
	assert_int_equal(run(&out, "demo", NULL), 0);
	expect(out, "bus0 mesh over mpc+tls+tcp://");
	expect(out, "OK: 3 parties, 7 rounds");
	assert_null(strstr(out, "INCOMPLETE"));
	free(out);
}

static void
test_demo_tcp_four_parties(void **state)
{
	char *out;
	(void) state;
	assert_int_equal(
	    run(&out, "demo", "--scheme", "mpc+tcp", "--parties", "4", NULL), 0);
	expect(out, "OK: 4 parties, 7 rounds");
	free(out);
}

static void
test_demo_ipc(void **state)
{
	char *out;
	(void) state;
	assert_int_equal(run(&out, "demo", "--scheme", "mpc+ipc", NULL), 0);
	expect(out, "OK: 3 parties, 7 rounds");
	free(out);
}

static void
test_demo_kill_is_reported(void **state)
{
	char *out;
	(void) state;
	/* Party 2 dies after keygen-2: the others must say so, not hang. */
	assert_int_equal(run(&out, "demo", "--kill", "2@keygen-2", "--timeout",
	                     "20", NULL),
	    1);
	expect(out, "killing party 2 (SIGKILL) after its round keygen-2");
	expect(out, "party 2 disconnected during round");
	expect(out, "killed by signal 9");
	expect(out, "STOPPED: party 2 was killed");
	assert_null(strstr(out, "OK: "));
	free(out);
}

/* A flooding party held to mpc:rate-msgs: every other party still gets
 * every message; the flood is counted and discarded. */
static void
test_demo_flood(void **state)
{
	char *out;
	(void) state;
	assert_int_equal(run(&out, "demo", "--scheme", "mpc+tcp", "--flood",
	                     "2", "--flood-count", "300", "--rate-msgs",
	                     "1000", "--heartbeat", "1000", NULL),
	    0);
	expect(out, "OK: 3 parties, 7 rounds");
	expect(out, "flood sent");
	expect(out, "2100"); /* 300 per round, 7 rounds */
	assert_null(strstr(out, "INCOMPLETE"));
	free(out);
}

/* The "faults:" line: every message once, and the cuts made reconnects
 * that the rounds survived. */
static void
expect_faults_survived(const char *out)
{
	const char        *line = out;
	unsigned           cut  = 0;
	unsigned long long reconnects = 0, lost = 1, dups = 1;
	int                got  = 0;

	/* The first "faults:" line is the plan; the tally comes after. */
	while ((got != 4) && ((line = strstr(line, "\nfaults: ")) != NULL)) {
		got = sscanf(line,
		    "\nfaults: %u links cut, %llu reconnects survived, %llu "
		    "lost, %llu duplicated",
		    &cut, &reconnects, &lost, &dups);
		line++;
	}
	if (got != 4) {
		fail_msg("no faults tally in:\n%s", out);
	}
	assert_true(cut > 0);
	assert_true(reconnects > 0);
	assert_int_equal(lost, 0);
	assert_int_equal(dups, 0);
	assert_null(strstr(out, "INCOMPLETE"));
}

/* Cuts during the rounds through the fault relay, over mutual TLS:
 * delivery streams carry every message once all the same. */
static void
test_demo_faults_tls(void **state)
{
	char *out;
	(void) state;
	assert_int_equal(run(&out, "demo", "--faults", "--seed", "12345",
	                     NULL),
	    0);
	expect(out, "faults: 8 cuts planned from seed 12345 (repeat with "
	            "--seed 12345), a relay on each of 3 links, delivery "
	            "streams on");
	expect_faults_survived(out);
	expect(out, "OK: 3 parties, 7 rounds");
	free(out);
}

/* The same over plain TCP with four parties (six links) and more cuts. */
static void
test_demo_faults_tcp(void **state)
{
	char *out;
	(void) state;
	assert_int_equal(run(&out, "demo", "--faults", "12", "--seed", "7",
	                     "--scheme", "mpc+tcp", "--parties", "4", NULL),
	    0);
	expect(out, "a relay on each of 6 links");
	expect_faults_survived(out);
	expect(out, "OK: 4 parties, 7 rounds");
	free(out);
}

/* What --faults cannot go with: each refused with its own reason. */
static void
test_demo_faults_refused(void **state)
{
	static const struct {
		const char *args[6];
		const char *says;
	} cases[] = {
		{ { "demo", "--faults", "--equivocate", "2" },
		    "--faults with --equivocate: the equivocation demo runs "
		    "its own mesh" },
		{ { "demo", "--faults", "--kill", "2@keygen-2" },
		    "--faults with --kill: a killed party loses its delivery "
		    "streams" },
		{ { "demo", "--faults", "--flood", "2" },
		    "--faults with --flood: a flood is plain bus0 broadcasts" },
		{ { "demo", "--faults", "--scheme", "mpc+ipc" },
		    "--faults with --scheme mpc+ipc: the fault relay is TCP" },
		{ { "demo", "--seed", "5" },
		    "--seed without --faults: the seed draws the fault "
		    "schedule" },
		{ { "demo", "--faults", "0" }, "--faults '0': expected 1..1000" },
		{ { "demo", "--faults=1001" },
		    "--faults '1001': expected 1..1000" },
		{ { "demo", "--faults", "--seed", "-1" },
		    "--seed '-1': expected a number" },
	};

	(void) state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nngmpc_proc_result r;
		char *argv[8] = { (char *) nngmpc };

		for (size_t k = 0; k < 6 && cases[i].args[k] != NULL; k++) {
			argv[k + 1] = (char *) cases[i].args[k];
		}
		assert_int_equal(nngmpc_proc_run(argv, &run_spec, &r), 2);
		expect(r.out, cases[i].says);
		/* Refused before anything started. */
		assert_null(strstr(r.out, "starting"));
		nngmpc_proc_result_free(&r);
	}
}

/* nngmpc node's own checks of --reliable and --round-gap. */
static void
test_node_reliable_refused(void **state)
{
	char *out;
	(void) state;
	assert_int_equal(run(&out, "node", "--roster", "/nonexistent", "--id",
	                     "1", "--reliable", "--flood", "5", NULL),
	    2);
	expect(out, "--reliable with --flood: a flood is plain bus0 "
	            "broadcasts, which delivery streams do not carry");
	free(out);
	assert_int_equal(run(&out, "node", "--roster", "/nonexistent", "--id",
	                     "1", "--round-gap", "60001", NULL),
	    2);
	expect(out, "--round-gap '60001': expected 0..60000 milliseconds");
	free(out);
	assert_int_equal(run(&out, "node", "--help", NULL), 0);
	expect(out, "--reliable");
	expect(out, "--round-gap MS");
	free(out);
}

static void
test_demo_usage_errors(void **state)
{
	char *out;
	(void) state;
	assert_int_equal(run(&out, "demo", "--parties", "1", NULL), 2);
	expect(out, "--parties '1': expected 2..16");
	free(out);
	assert_int_equal(run(&out, "demo", "--kill", "9@keygen-1", NULL), 2);
	expect(out, "--kill 9: there are only 3 parties");
	free(out);
	assert_int_equal(run(&out, "demo", "--kill", "2@round-9", NULL), 2);
	expect(out, "expected ID@ROUND");
	free(out);
	assert_int_equal(run(&out, "demo", "--scheme", "tcp", NULL), 2);
	expect(out, "expected mpc+tls+tcp, mpc+tcp or mpc+ipc");
	free(out);
	assert_int_equal(run(&out, "demo", "--flood", "9", NULL), 2);
	expect(out, "--flood 9: there are only 3 parties");
	free(out);
	assert_int_equal(run(&out, "demo", "--rate-policy", "drop", NULL), 2);
	expect(out, "expected backpressure or close");
	free(out);
	assert_int_equal(run(&out, "demo", "--heartbeat", "50", NULL), 2);
	expect(out, "expected 0 or 100..3600000 ms");
	free(out);
	assert_int_equal(run(&out, "node", "--stop-after", "round-9", NULL), 2);
	expect(out, "--stop-after 'round-9': expected a round "
	            "(keygen-1..3, sign-1..4)");
	free(out);
	assert_int_equal(run(&out, "node", "--rate-msgs", "0", NULL), 2);
	expect(out, "--rate-msgs '0': expected 1..4294967295");
	free(out);
	assert_int_equal(run(&out, "demo", "--help", NULL), 0);
	expect(out, "Usage: nngmpc demo");
	expect(out, "--rate-msgs N");
	free(out);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	/* A roster holds the session key: nngmpc node wants it 0600. */
	assert_int_equal(chmod(path, 0600), 0);
}

#define SID "00112233445566778899aabbccddeeff"
#define KEY "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

static void
test_node_errors(void **state)
{
	char               dir[] = "/tmp/nngmpc-test-node-XXXXXX";
	char               roster[128], text[1024], *out;
	struct sockaddr_in sa = { .sin_family = AF_INET,
		.sin_addr = { htonl(INADDR_LOOPBACK) } };
	socklen_t          sl = sizeof(sa);
	int                fd;

	(void) state;
	assert_non_null(mkdtemp(dir));
	snprintf(roster, sizeof(roster), "%s/roster.conf", dir);

	/* A roster without its session key: the line to add is named. */
	write_file(roster, "session-id " SID "\nscheme mpc+tcp\n"
	                   "party 1 127.0.0.1:1\nparty 2 127.0.0.1:2\n");
	assert_int_equal(run(&out, "node", "--roster", roster, "--id", "1",
	                     NULL),
	    1);
	expect(out, "no session-key line (64 hex digits)");
	free(out);

	/* An ID the roster does not list. */
	write_file(roster, "session-id " SID "\nsession-key " KEY
	                   "\nscheme mpc+tcp\n"
	                   "party 1 127.0.0.1:1\nparty 2 127.0.0.1:2\n");
	assert_int_equal(run(&out, "node", "--roster", roster, "--id", "9",
	                     NULL),
	    2);
	expect(out, "party 9 is not in the roster");
	free(out);

	/* Our address is taken by another process: say so, and what to do. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *) &sa, &sl), 0);
	snprintf(text, sizeof(text),
	    "session-id " SID "\nsession-key " KEY "\nscheme mpc+tcp\n"
	    "party 1 127.0.0.1:%u\nparty 2 127.0.0.1:1\n",
	    (unsigned) ntohs(sa.sin_port));
	write_file(roster, text);
	assert_int_equal(run(&out, "node", "--roster", roster, "--id", "1",
	                     "--timeout", "2", NULL),
	    1);
	expect(out, "Address in use");
	expect(out, "hint: another process uses that address");
	free(out);
	close(fd);

	/* TLS without a certificate for us. */
	write_file(roster, "session-id " SID "\nsession-key " KEY
	                   "\nca /nonexistent/ca.pem\n"
	                   "party 1 127.0.0.1:1\nparty 2 127.0.0.1:2\n");
	assert_int_equal(run(&out, "node", "--roster", roster, "--id", "1",
	                     NULL),
	    2);
	expect(out, "party 1 has no cert+key file in the roster");
	free(out);

	unlink(roster);
	rmdir(dir);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demo_tls_default),
		cmocka_unit_test(test_demo_tcp_four_parties),
		cmocka_unit_test(test_demo_ipc),
		cmocka_unit_test(test_demo_kill_is_reported),
		cmocka_unit_test(test_demo_flood),
		cmocka_unit_test(test_demo_faults_tls),
		cmocka_unit_test(test_demo_faults_tcp),
		cmocka_unit_test(test_demo_faults_refused),
		cmocka_unit_test(test_node_reliable_refused),
		cmocka_unit_test(test_demo_usage_errors),
		cmocka_unit_test(test_node_errors),
	};
	if (argc != 2) {
		fprintf(stderr, "usage: test_demo <nngmpc>\n");
		return (2);
	}
	nngmpc = argv[1];
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
