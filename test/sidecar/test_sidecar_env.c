/*
 * The sidecar's local envelope "<to> <type> <payload>"
 * (plugin/nngmpc/sidecar_env.c), table-driven: what is accepted, with
 * the recipient, type and header length, and every refusal with its
 * reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "nng_mpc.h"
#include "sidecar.h"

static const char *const bad_to =
    "expected '<to> <type> <payload>' with <to> a party ID or '*'";
static const char *const bad_type =
    "expected '<to> <type> <payload>' with <type> 1..65535";

static const struct {
	const char *in;
	uint32_t    to;   /* 0: refused */
	uint16_t    type;
	size_t      hdr;
	const char *why;
} cases[] = {
	{ "2 32768 hello", 2, 32768, 8, NULL },
	{ "* 0x8001 hi", NNG_MPC_PARTY_BROADCAST, 0x8001, 9, NULL },
	{ "4294967294 1 ", 4294967294u, 1, 13, NULL },
	{ "7 0X11 x y z", 7, 0x11, 7, NULL },
	{ "3 65535 ", 3, 65535, 8, NULL },
	{ "", 0, 0, 0, NULL },
	{ "hello", 0, 0, 0, NULL },
	{ "2", 0, 0, 0, NULL },
	{ "2 ", 0, 0, 0, NULL },
	{ "0 32768 x", 0, 0, 0, NULL },
	{ "4294967295 1 x", 0, 0, 0, NULL },
	{ "-1 1 x", 0, 0, 0, NULL },
	{ "* 0 x", 0, 0, 0, NULL },
	{ "2 65536 x", 0, 0, 0, NULL },
	{ "2 32768", 0, 0, 0, NULL },
	{ "2 0x x", 0, 0, 0, NULL },
	{ "2 12a x", 0, 0, 0, NULL },
	{ "*2 1 x", 0, 0, 0, NULL },
	{ " 2 1 x", 0, 0, 0, NULL },
	{ "99999999999 1 x", 0, 0, 0, NULL },
};

static void
test_envelope(void **state)
{
	(void) state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t    to   = 0;
		uint16_t    type = 0;
		size_t      hdr  = 0;
		const char *why  = NULL;
		bool        ok   = nngmpc_sidecar_parse(
                    (const uint8_t *) cases[i].in, strlen(cases[i].in), &to,
                    &type, &hdr, &why);

		print_message("'%s' -> %s\n", cases[i].in,
		    ok ? "accepted" : why);
		assert_int_equal(ok, cases[i].to != 0);
		if (ok) {
			assert_int_equal(to, cases[i].to);
			assert_int_equal(type, cases[i].type);
			assert_int_equal(hdr, cases[i].hdr);
		} else {
			/* The recipient's fault or the type's, named. */
			assert_true(why == bad_to || strcmp(why, bad_to) == 0 ||
			    strcmp(why, bad_type) == 0);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_envelope),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
