/*
 * test_tran_env.c -- the settings an unmodified program takes from the
 * environment (transport/mpc_tran_env.c): the hex and party-ID value
 * parsers, table-driven, and mpc_tran_cfg_from_env with a key file.
 *
 * Regression (found writing test/fuzz/fuzz_tran_cfg; its seeds hold it):
 * whitespace was trimmed with strchr(" \t\r\n", c), which also matches
 * NUL, so a key file with NUL bytes around its 64 hex digits was accepted;
 * only spaces, tabs, CRs and LFs may surround a value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mpc_tran_env.h"
#include "mpc_wipe.h"

#define HEX64 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

static void
test_env_unhex(void **state)
{
	static const struct {
		const char *s;
		size_t      n;
		int         rv;
	} cases[] = {
		{ HEX64, 64, 0 },
		{ " \t" HEX64 "\r\n", 68, 0 },
		{ HEX64 "\n\n\n", 67, 0 },
		{ HEX64 "\0", 65, -1 },      /* the regression */
		{ "\0" HEX64, 65, -1 },      /* the regression */
		{ HEX64 "\0\n", 66, -1 },    /* the regression */
		{ HEX64 "\v", 65, -1 },      /* not one of the four */
		{ HEX64 "0", 65, -1 },       /* one digit too many */
		{ HEX64, 63, -1 },           /* one too few */
		{ "", 0, -1 },
	};
	uint8_t out[32];

	(void) state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(out, 0, sizeof(out));
		assert_int_equal(mpc_tran_env_unhex(cases[i].s, cases[i].n,
		                     out, sizeof(out)),
		    cases[i].rv);
		for (size_t b = 0; b < sizeof(out); b++) {
			assert_int_equal(out[b], cases[i].rv == 0 ? b : 0);
		}
	}
	/* A bad digit after good ones: the decoded part is wiped. */
	memset(out, 0xEE, sizeof(out));
	assert_int_equal(mpc_tran_env_unhex("00112g", 6, out, 3), -1);
	assert_true(mpc_is_zero(out, 3));
}

static void
test_env_party(void **state)
{
	static const char *const good[] = { "1", "42", "4294967294" };
	static const char *const bad[]  = { "", "0", "07", "+7", "-7", " 7",
                "7 ", "7x", "4294967295", "4294967296",
                "18446744073709551617" };
	uint32_t id;

	(void) state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(mpc_tran_env_party(good[i], &id), 0);
		assert_int_equal(id, strtoul(good[i], NULL, 10));
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		id = 99;
		assert_int_equal(mpc_tran_env_party(bad[i], &id), -1);
		assert_int_equal(id, 99);
	}
}

/* A ready configuration except for the key, which a key file brings. */
static int
from_key_file(const char *content, size_t len, mpc_tran_cfg *cfg)
{
	const char *dir = getenv("TMPDIR");
	char        path[512];
	int         fd, rv;

	(void) snprintf(path, sizeof(path), "%s/nngmpc-keyXXXXXX",
	    dir != NULL ? dir : "/tmp");
	assert_true((fd = mkstemp(path)) >= 0);
	assert_int_equal(write(fd, content, len), (ssize_t) len);
	(void) close(fd);
	mpc_tran_cfg_init(cfg);
	cfg->party_id        = 1;
	cfg->have_session_id = true;
	assert_int_equal(setenv(MPC_TRAN_ENV_SESSION_KEY_FILE, path, 1), 0);
	assert_int_equal(unsetenv(MPC_TRAN_ENV_SESSION_KEY), 0);
	rv = mpc_tran_cfg_from_env(cfg);
	(void) unlink(path);
	assert_int_equal(unsetenv(MPC_TRAN_ENV_SESSION_KEY_FILE), 0);
	return (rv);
}

static void
test_env_key_file(void **state)
{
	mpc_tran_cfg cfg;

	(void) state;
	assert_int_equal(from_key_file(HEX64 "\n", 65, &cfg), 0);
	assert_true(cfg.have_session_key);
	for (size_t b = 0; b < sizeof(cfg.session_key); b++) {
		assert_int_equal(cfg.session_key[b], b);
	}
	mpc_tran_cfg_wipe(&cfg);

	/* NUL bytes around the digits: refused, no key set. */
	assert_int_equal(
	    from_key_file(HEX64 "\0\n", 66, &cfg), NNG_MPC_EENV);
	assert_false(cfg.have_session_key);
	assert_true(mpc_is_zero(cfg.session_key, sizeof(cfg.session_key)));
	assert_int_equal(
	    from_key_file("\0\0" HEX64, 66, &cfg), NNG_MPC_EENV);
	assert_false(cfg.have_session_key);
	assert_true(mpc_is_zero(cfg.session_key, sizeof(cfg.session_key)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env_unhex),
		cmocka_unit_test(test_env_party),
		cmocka_unit_test(test_env_key_file),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
