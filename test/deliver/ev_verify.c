/*
 * ev_verify.c -- see ev_verify.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ev_verify.h"
#include "proc.h"

int
ev_verify(const char *tool, const nng_mpc_echo_report *rep, const char *ca,
    const char *file, char **out)
{
	static const struct nngmpc_proc_spec spec = { .in = NNGMPC_PROC_NULL,
		.out = NNGMPC_PROC_PIPE, .err = NNGMPC_PROC_PIPE };
	struct nngmpc_proc_result r;
	char *const argv[] = { (char *) tool, "evidence", "verify", "--ca",
		(char *) ca, (char *) file, NULL };
	FILE *                    f = fopen(file, "wb");
	int                       st;

	assert_non_null(f);
	assert_int_equal(
	    fwrite(rep->evidence, 1, rep->evidence_len, f), rep->evidence_len);
	assert_int_equal(fclose(f), 0);
	st   = nngmpc_proc_run(argv, &spec, &r);
	*out = strdup(st == 0 ? (r.out != NULL ? r.out : "")
	                      : (r.err != NULL ? r.err : ""));
	assert_non_null(*out);
	if (st != 0) {
		(void) fprintf(stderr, "evidence verify: %d: %s\n", st, *out);
	}
	nngmpc_proc_result_free(&r);
	return (st);
}
