/*
 * `nngmpc audit` as a real process (argv[1]: the nngmpc executable):
 * keygen writes the two key files, verify passes a clean log (exit 0),
 * names the first bad line of a tampered one (exit 1), catches a cut tail
 * through its --state file, and rejects bad usage (exit 2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit_util.h"
#include "proc.h"
#include "test_util.h"

static const char *nngmpc;

static int
run(struct nngmpc_proc_result *r, ...)
{
	struct nngmpc_proc_spec spec = { .out = NNGMPC_PROC_PIPE, .err = NNGMPC_PROC_PIPE };
	va_list        ap;
	int            st;

	va_start(ap, r);
	st = nngmpc_proc_runv(&spec, r, nngmpc, ap);
	va_end(ap);
	return (st);
}

static void
test_keygen_and_verify(void **state)
{
	struct au_env    e;
	struct nngmpc_proc_result r;
	struct stat      sb;
	char             keys[300], vstate[400], line[64];
	nng_mpc_audit *  log;
	struct au_lines  ls;
	size_t           cut;

	(void) state;
	au_setup(&e); /* its own keys are replaced by the command's */
	snprintf(keys, sizeof(keys), "%s/cli", e.dir);
	assert_int_equal(run(&r, "audit", "keygen", "--out", keys, NULL), 0);
	assert_non_null(strstr(r.out, "audit.verify"));
	nngmpc_proc_result_free(&r);
	snprintf(e.seal, sizeof(e.seal), "%s/audit.seal", keys);
	snprintf(e.verify, sizeof(e.verify), "%s/audit.verify", keys);
	assert_int_equal(stat(e.seal, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(stat(e.verify, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	/* never replaced without --force */
	assert_int_equal(run(&r, "audit", "keygen", "--out", keys, NULL), 1);
	assert_non_null(strstr(r.err, "file exists"));
	nngmpc_proc_result_free(&r);

	log = au_open(&e, &(nng_mpc_audit_opts) { .seal_records = 5 });
	au_events(log, 0, 20);
	nng_mpc_audit_close(log);

	snprintf(vstate, sizeof(vstate), "%s/verifier.state", e.dir);
	assert_int_equal(run(&r, "audit", "verify", "--key", e.verify,
	                     "--state", vstate, e.log, NULL),
	    0);
	assert_non_null(strstr(r.out, "OK: "));
	nngmpc_proc_result_free(&r);

	/* Cut after a seal: valid on its own, not against the state. */
	au_lines_read(e.log, &ls);
	cut = au_lines_find(&ls, 0, "\"event\":\"seal\"") + 1;
	for (size_t i = cut; i < ls.n; i++) {
		free(ls.l[i]);
	}
	ls.n = cut;
	au_lines_write(e.log, &ls);
	assert_int_equal(run(&r, "audit", "verify", "--key", e.verify,
	                     "--state", vstate, e.log, NULL),
	    1);
	assert_non_null(strstr(r.err, "its tail was cut"));
	nngmpc_proc_result_free(&r);

	/* A changed byte: the first bad line, by file and number. */
	ls.l[2][strlen(ls.l[2]) - 3] ^= 0x01;
	au_lines_write(e.log, &ls);
	au_lines_free(&ls);
	assert_int_equal(
	    run(&r, "audit", "verify", "--key", e.verify, e.log, NULL), 1);
	snprintf(line, sizeof(line), "audit.log:3: ");
	assert_non_null(strstr(r.err, line));
	nngmpc_proc_result_free(&r);

	/* Usage. */
	assert_int_equal(run(&r, "audit", "verify", e.log, NULL), 2);
	nngmpc_proc_result_free(&r);
	assert_int_equal(run(&r, "audit", "verify", "--key", e.verify,
	                     "--expect-head", "xyz", e.log, NULL),
	    2);
	nngmpc_proc_result_free(&r);
	assert_int_equal(run(&r, "audit", "frobnicate", NULL), 2);
	nngmpc_proc_result_free(&r);
	au_teardown(&e);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keygen_and_verify),
	};

	assert_true(argc == 2);
	nngmpc = argv[1];
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
