/*
 * The README documents every error code and every option the public header
 * declares: this test reads both files and fails naming what is missing, so
 * the front door cannot drift from the API.
 */
#include <ctype.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static char *
slurp(const char *rel)
{
	const char *root = getenv("NNGMPC_SOURCE_ROOT");
	char        path[4096];
	FILE       *f;
	long        n;
	char       *buf;

	assert_non_null(root);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t) n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t) n, f), (size_t) n);
	buf[n] = '\0';
	fclose(f);
	return (buf);
}

/* Every match of group 1 of pattern in header must appear in readme. */
static int
check_names(const char *header, const char *readme, const char *pattern,
    int *found)
{
	regex_t     re;
	regmatch_t  m[2];
	const char *p       = header;
	int         missing = 0;

	assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NEWLINE), 0);
	*found = 0;
	while (regexec(&re, p, 2, m, 0) == 0) {
		char name[128];
		int  len = (int) (m[1].rm_eo - m[1].rm_so);

		assert_true(len > 0 && len < (int) sizeof(name));
		memcpy(name, p + m[1].rm_so, (size_t) len);
		name[len] = '\0';
		(*found)++;
		if (strstr(readme, name) == NULL) {
			print_error("README.md does not document %s\n", name);
			missing++;
		}
		p += m[0].rm_eo;
	}
	regfree(&re);
	return (missing);
}

static void
test_readme_documents_errors(void **state)
{
	char *header = slurp("include/nng_mpc.h");
	char *readme = slurp("README.md");
	int   found;

	(void) state;
	assert_int_equal(check_names(header, readme,
	                     "(NNG_MPC_E[A-Z0-9_]+) *= *NNG_MPC_ERRBASE", &found),
	    0);
	assert_true(found >= 60); /* the pattern still matches the header */
	free(header);
	free(readme);
}

static void
test_readme_documents_options(void **state)
{
	char *header = slurp("include/nng_mpc.h");
	char *readme = slurp("README.md");
	int   found;

	(void) state;
	assert_int_equal(check_names(header, readme,
	                     "#define (NNG_OPT_MPC_[A-Z0-9_]+) ", &found),
	    0);
	assert_true(found >= 20);
	free(header);
	free(readme);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_readme_documents_errors),
		cmocka_unit_test(test_readme_documents_options),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
