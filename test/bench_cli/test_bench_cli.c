/*
 * `nngmpc bench` as a user runs it (plugin/nngmpc/cmd_bench.c with its
 * worker nngmpc-bench-peer): a very short run of every row must exit 0 and
 * print every row with numbers, the ratios and the performance goals; bad
 * usage must
 * exit 2 and print no table.  Functional only: no timing is asserted (the
 * goals' pass/short marks are measurements, not test results).
 * argv[1]: the nngmpc executable.  stdout is captured, stderr (progress)
 * goes to the test log.
 */
#define _GNU_SOURCE /* getline, strtok_r */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sched.h>

#include <cmocka.h>

#include "proc.h"

#define STOCK_LIB "/usr/lib/x86_64-linux-gnu/libnng.so.1"

static const char *nngmpc;

/* The table's row labels, as cmd_bench.c prints them. */
static const char *const rows[] = {
	"NNG tcp://",
	"NNG tls+tcp:// stock (Debian libnng, Mbed TLS, TLS 1.2)",
	"NNG tls+tcp:// on our wolfSSL engine (TLS 1.3)",
	"mpc+tcp://",
	"mpc+tls+tcp:// (TLS 1.3)",
	"mpc+tcp://, delivery streams on",
	"mpc+tls+tcp://, delivery streams on",
};

/* Runs nngmpc with the arguments; its stdout into *out (the caller frees
 * it), stderr to the test log; returns the exit status. */
static const struct nngmpc_proc_spec run_spec = { .out = NNGMPC_PROC_PIPE };
#define run(out, ...) nngmpc_proc_runl(&run_spec, (out), nngmpc, __VA_ARGS__)

static void
expect(const char *out, const char *needle)
{
	if (strstr(out, needle) == NULL) {
		fail_msg("expected \"%s\" in:\n%s", needle, out);
	}
}

/* The table row "| label | <digits>..." (measured), or "| label |
 * skipped" when allowed. */
static void
expect_row(const char *out, const char *label, bool may_skip)
{
	char        head[128];
	const char *p;

	snprintf(head, sizeof(head), "\n| %s | ", label);
	if ((p = strstr(out, head)) == NULL) {
		fail_msg("no table row for %s in:\n%s", label, out);
	}
	p += strlen(head);
	if (may_skip && strncmp(p, "skipped", 7) == 0) {
		return;
	}
	if (*p < '0' || *p > '9') {
		fail_msg("row %s not measured: %.80s\n%s", label, p, out);
	}
}

/*
 * Whether this CPU has flag, read independently of cmd_bench.c: the whole
 * first "flags" line of /proc/cpuinfo, split into words.  (The command
 * once read only the first 512 bytes of that line and never saw vaes.)
 */
static bool
cpu_has(const char *flag)
{
	FILE  *f = fopen("/proc/cpuinfo", "r");
	char  *line = NULL;
	size_t cap  = 0;
	bool   has  = false;

	assert_non_null(f);
	while (getline(&line, &cap, f) != -1) {
		if (strncmp(line, "flags", 5) == 0) {
			for (char *save, *w = strtok_r(line, " \t\n:", &save);
			     w != NULL; w = strtok_r(NULL, " \t\n:", &save)) {
				has = has || strcmp(w, flag) == 0;
			}
			break;
		}
	}
	free(line);
	fclose(f);
	return (has);
}

static void
test_bench_machine_line(void **state)
{
	char *out;
	char *m;

	(void) state;
	assert_int_equal(run(&out, "bench", "--quick", "--seconds", "0.05",
	                     "--schemes", "tcp", NULL),
	    0);
	assert_non_null(m = strstr(out, "Machine: "));
	*strchr(m, '\n') = '\0';
	assert_int_equal(strstr(m, "AES-NI") != NULL, cpu_has("aes"));
	assert_int_equal(strstr(m, "/VAES") != NULL, cpu_has("vaes"));
	free(out);
}

static void
test_bench_quick_every_row(void **state)
{
	char *out;
	bool  stock = access(STOCK_LIB, R_OK) == 0;

	(void) state;
	assert_int_equal(
	    run(&out, "bench", "--quick", "--seconds", "0.05", NULL), 0);
	expect(out, "| transport | 64 B msg/s | 64 KiB MB/s | RTT p50 / p99 µs "
	            "| CPU µs per msg, 64 B / 64 KiB | switches per 64 B msg "
	            "| peak RSS server / client MiB |");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		/* Without Debian's libnng1 the stock row says so instead. */
		expect_row(out, rows[i], i == 1 && !stock);
	}
	expect(out, "Machine: ");
	expect(out, "median of 1 run ");
	expect(out, "Nothing lost: every client's accepted sends equal what "
	            "its server received.");
	expect(out, "### Ratios");
	expect(out, "### Performance goals for mpc+tls+tcp://");
	/* The product speaks of itself: its goals, no outside documents. */
	assert_null(strstr(out, "issue"));
	assert_null(strstr(out, "target"));
	expect(out, "- RTT p50 vs tcp://: ");
	expect(out, "(negotiated TLSv1.3)");
	expect(out, "### Delivery streams: on / off (ratio), same run");
	expect(out, "- mpc+tls+tcp+dlv: 64 KiB MB/s on vs off: ");
	assert_null(strstr(out, "FAILED"));
	free(out);
}

/* --pin: the workers on two CPUs, said in the method line; the rows
 * still measured.  A process allowed fewer than two CPUs is refused. */
static void
test_bench_pin(void **state)
{
	cpu_set_t set;
	char     *out;
	int       rv;

	(void) state;
	assert_int_equal(sched_getaffinity(0, sizeof(set), &set), 0);
	rv = run(&out, "bench", "--quick", "--seconds", "0.05", "--schemes",
	    "mpc+tcp+dlv", "--pin", NULL);
	if (CPU_COUNT(&set) < 2) {
		assert_int_equal(rv, 2);
		assert_null(strstr(out, "| transport |"));
		free(out);
		return;
	}
	assert_int_equal(rv, 0);
	expect(out, "Pinned (--pin): server worker on CPU ");
	expect_row(out, "mpc+tcp://", false);
	expect_row(out, "mpc+tcp://, delivery streams on", false);
	free(out);
}

static void
test_bench_schemes_subset(void **state)
{
	char *out;

	(void) state;
	assert_int_equal(run(&out, "bench", "--quick", "--seconds", "0.05",
	                     "--schemes", "tcp,mpc+tcp", NULL),
	    0);
	expect_row(out, rows[0], false);
	expect_row(out, rows[3], false);
	assert_null(strstr(out, rows[4]));
	/* Goals that need rows that did not run: said, not invented. */
	expect(out, "- RTT p50 vs tcp://: not measured in this run");
	free(out);
}

/* A delivery row brings the same transport without delivery into the run:
 * the comparison needs both. */
static void
test_bench_dlv_row_brings_its_base(void **state)
{
	char       *out;
	const char *dlv;

	(void) state;
	assert_int_equal(run(&out, "bench", "--quick", "--seconds", "0.05",
	                     "--schemes", "mpc+tcp+dlv", NULL),
	    0);
	expect_row(out, rows[3], false);
	expect_row(out, rows[5], false);
	assert_null(strstr(out, rows[0]));
	/* Its comparison row is measured on both sides. */
	dlv = strstr(out, "### Delivery streams");
	assert_non_null(dlv);
	expect_row(dlv, rows[5], false);
	expect(out, "- mpc+tcp+dlv: 64 B msg/s on vs off: ");
	assert_null(strstr(dlv, "n/a"));
	free(out);
}

static void
test_bench_usage_errors(void **state)
{
	char *out;

	(void) state;
	assert_int_equal(run(&out, "bench", "--schemes", "tcp,udp", NULL), 2);
	assert_string_equal(out, "");
	free(out);
	assert_int_equal(run(&out, "bench", "--seconds", "0", NULL), 2);
	assert_string_equal(out, "");
	free(out);
	assert_int_equal(run(&out, "bench", "--seconds", "1x", NULL), 2);
	assert_string_equal(out, "");
	free(out);
	assert_int_equal(run(&out, "bench", "--runs", "10", NULL), 2);
	assert_string_equal(out, "");
	free(out);
	assert_int_equal(run(&out, "bench", "extra", NULL), 2);
	assert_string_equal(out, "");
	free(out);
}

static void
test_bench_missing_peer(void **state)
{
	char *out;

	(void) state;
	/* A missing worker is an error before anything runs. */
	assert_int_equal(run(&out, "bench", "--quick", "--peer",
	                     "/nonexistent/nngmpc-bench-peer", NULL),
	    1);
	assert_null(strstr(out, "| transport |"));
	free(out);
}

static void
test_bench_help(void **state)
{
	char *out;

	(void) state;
	assert_int_equal(run(&out, "bench", "--help", NULL), 0);
	expect(out, "Usage: nngmpc bench");
	expect(out, "tls-stock");
	expect(out, "mpc+tls+tcp");
	free(out);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bench_help),
		cmocka_unit_test(test_bench_usage_errors),
		cmocka_unit_test(test_bench_missing_peer),
		cmocka_unit_test(test_bench_schemes_subset),
		cmocka_unit_test(test_bench_pin),
		cmocka_unit_test(test_bench_dlv_row_brings_its_base),
		cmocka_unit_test(test_bench_machine_line),
		cmocka_unit_test(test_bench_quick_every_row),
	};

	if (argc < 2) {
		fprintf(stderr, "usage: %s <nngmpc>\n", argv[0]);
		return (2);
	}
	nngmpc = argv[1];
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
