/*
 * test_strerror: nng_mpc_strerror() and nng_mpc_errname() for the
 * wire-format codes, and the fallback to nng_strerror() for everything
 * that is not an nng-mpc code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "nng_mpc.h"

static const struct {
	int         code;
	const char *name;
} wire[] = {
	{ NNG_MPC_ESHORT, "NNG_MPC_ESHORT" },
	{ NNG_MPC_EMAGIC, "NNG_MPC_EMAGIC" },
	{ NNG_MPC_EVERSION, "NNG_MPC_EVERSION" },
	{ NNG_MPC_EFLAGS, "NNG_MPC_EFLAGS" },
	{ NNG_MPC_ERESERVED, "NNG_MPC_ERESERVED" },
	{ NNG_MPC_ETYPE, "NNG_MPC_ETYPE" },
	{ NNG_MPC_ESENDERNONE, "NNG_MPC_ESENDERNONE" },
	{ NNG_MPC_ESENDERBCAST, "NNG_MPC_ESENDERBCAST" },
	{ NNG_MPC_ERCPTNONE, "NNG_MPC_ERCPTNONE" },
	{ NNG_MPC_ESELF, "NNG_MPC_ESELF" },
	{ NNG_MPC_ETOOBIG, "NNG_MPC_ETOOBIG" },
	{ NNG_MPC_ETRUNCATED, "NNG_MPC_ETRUNCATED" },
	{ NNG_MPC_ETRAILING, "NNG_MPC_ETRAILING" },
	{ NNG_MPC_ESESSION, "NNG_MPC_ESESSION" },
	{ NNG_MPC_EPEER, "NNG_MPC_EPEER" },
	{ NNG_MPC_ENOTFORME, "NNG_MPC_ENOTFORME" },
	{ NNG_MPC_ECONTROL, "NNG_MPC_ECONTROL" },
	{ NNG_MPC_EENVSHORT, "NNG_MPC_EENVSHORT" },
	{ NNG_MPC_EENVFLAGS, "NNG_MPC_EENVFLAGS" },
	{ NNG_MPC_ENOENVELOPE, "NNG_MPC_ENOENVELOPE" },
};
#define N_WIRE (sizeof(wire) / sizeof(wire[0]))

static void
test_wire_codes(void **state)
{
	(void) state;
	for (size_t i = 0; i < N_WIRE; i++) {
		const char *s = nng_mpc_strerror(wire[i].code);
		/* In the wire range, numbered 1..N without gaps. */
		assert_int_equal(wire[i].code, NNG_MPC_ERRBASE + 1 + (int) i);
		assert_string_equal(nng_mpc_errname(wire[i].code), wire[i].name);
		assert_non_null(s);
		assert_true(strlen(s) > 10);
		/* Ours, not NNG's generic "Transport error #n". */
		assert_string_not_equal(s, nng_strerror(wire[i].code));
		for (size_t j = 0; j < i; j++) {
			assert_string_not_equal(s, nng_mpc_strerror(wire[j].code));
		}
	}
}

static void
test_fallback(void **state)
{
	static const int others[] = { 0, NNG_EINVAL, NNG_ENOMEM, NNG_ECLOSED,
		NNG_EINTERNAL, -1, NNG_MPC_ERRBASE,
		NNG_MPC_ERRBASE + (int) N_WIRE + 1, NNG_MPC_ERRBASE + 31,
		NNG_MPC_ERRBASE + 192, NNG_MPC_ERRBASE + 100000, NNG_ESYSERR + 2 };

	(void) state;
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		char mine[128];
		/* Copied first: nng_strerror() of a system error goes through
		 * strerror(), whose buffer the next call may free. */
		snprintf(mine, sizeof(mine), "%s", nng_mpc_strerror(others[i]));
		assert_string_equal(mine, nng_strerror(others[i]));
		assert_null(nng_mpc_errname(others[i]));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wire_codes),
		cmocka_unit_test(test_fallback),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
