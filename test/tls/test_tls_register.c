/*
 * test_tls_register.c -- how the engine gets registered, and why the order
 * matters.  This program links only NNG (not the plugin): it loads
 * libnngmpc.so with dlopen, as LD_PRELOAD or a plugin loader would, so the
 * module's constructor runs.
 *
 *   1. NNG's initialization resets the engine: an engine registered before
 *      NNG's first use is wiped (the caveat registration works around).
 *   2. Loading the module into a process where NNG was never used (a fresh
 *      child process, the LD_PRELOAD situation) registers the engine, and
 *      it survives the application's first NNG calls.
 *   3. Loading it into a process already using NNG registers it too; after
 *      nng_fini() the engine is gone until nng_mpc_register() runs again.
 */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <nng/nng.h>
#include <nng/supplemental/tls/engine.h>
#include <nng/supplemental/tls/tls.h>

#include "proc.h"

#define ENGINE "wolfSSL 5.5.4"

static const char *
module_path(void)
{
	const char *p = getenv("NNGMPC_MODULE");

	assert_non_null(p);
	return (p);
}

/* Child mode: load the module before any NNG call, then use NNG. */
static int
child_load_first(void)
{
	nng_tls_config *cfg;
	void *          h = dlopen(module_path(), RTLD_NOW | RTLD_GLOBAL);

	if (h == NULL) {
		(void) fprintf(stderr, "dlopen: %s\n", dlerror());
		return (2);
	}
	/* The application's first NNG calls. */
	if (nng_tls_config_alloc(&cfg, NNG_TLS_MODE_CLIENT) != 0) {
		return (3);
	}
	nng_tls_config_free(cfg);
	return (strcmp(nng_tls_engine_name(), ENGINE) == 0 ? 0 : 4);
}

/* 1: registering before NNG initializes is lost (NNG 1.5.2 behaviour). */
static void
test_register_before_init_is_wiped(void **state)
{
	static nng_tls_engine_config_ops cops;
	static nng_tls_engine_conn_ops   nops;
	static const nng_tls_engine      dummy = {
                .version     = NNG_TLS_ENGINE_VERSION,
                .config_ops  = &cops,
                .conn_ops    = &nops,
                .name        = "dummy",
                .description = "registered before nni_init",
	};

	(void) state;
	/* No NNG call has run in this process yet. */
	assert_int_equal(nng_tls_engine_register(&dummy), 0);
	assert_string_equal(nng_tls_engine_name(), "none");
}

/* 2: a fresh process that loads the module first. */
static void
test_module_load_before_nng_use(void **state)
{
	char             self[4096];
	char            *argv[] = { self, "--child-load-first", NULL };
	struct nngmpc_proc_result r;

	(void) state;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	assert_true(n > 0);
	self[n] = '\0';
	/* Exit 0: the engine survived the child's first NNG calls (see
	 * child_load_first; 2..4 name the step that failed). */
	assert_int_equal(nngmpc_proc_run(argv, NULL, &r), 0);
}

/* 3: load into a running NNG process; re-register after nng_fini(). */
static void
test_module_load_after_nng_use(void **state)
{
	void *h;
	int (*reg)(void);

	(void) state;
	assert_string_equal(nng_tls_engine_name(), "none");
	assert_non_null(h = dlopen(module_path(), RTLD_NOW | RTLD_GLOBAL));
	assert_string_equal(nng_tls_engine_name(), ENGINE);
	assert_false(nng_tls_engine_fips_mode());

	nng_fini(); /* NNG forgets everything, the engine included */
	assert_string_equal(nng_tls_engine_name(), "none");
	*(void **) &reg = dlsym(h, "nng_mpc_register");
	assert_non_null(reg);
	assert_int_equal(reg(), 0);
	assert_int_equal(reg(), 0); /* idempotent */
	assert_string_equal(nng_tls_engine_name(), ENGINE);
	/* Only the public API is exported. */
	assert_null(dlsym(h, "mpc_tls_engine_register"));
	assert_null(dlsym(h, "wolfSSL_Init"));
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register_before_init_is_wiped),
		cmocka_unit_test(test_module_load_before_nng_use),
		cmocka_unit_test(test_module_load_after_nng_use),
	};

	if (argc > 1 && strcmp(argv[1], "--child-load-first") == 0) {
		return (child_load_first());
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
