/*
 * mpc_register.c -- nng_mpc_register(): make nng-mpc available in this
 * process, explicitly or automatically when the shared module is loaded.
 *
 * Registration is a list of init steps run in order; each step is
 * idempotent, so calling nng_mpc_register() again (after nng_fini(), or
 * from both an application and the module constructor) is harmless.  The
 * first step is the TLS engine; it forces NNG's own initialization before
 * registering, because nni_init() resets NNG's engine pointer
 * (crypto/mpc_tls_register.c explains the ordering).
 *
 * Automatic registration: the constructor below runs when libnngmpc.so is
 * loaded -- linked by the application, LD_PRELOADed into an unmodified NNG
 * program, or dlopen()ed.  The dynamic loader runs libnng.so.1's
 * constructors first (our module depends on it), so NNG is usable here.
 * A failure is reported on stderr and not fatal: the program keeps NNG's
 * previous engine and can call nng_mpc_register() itself to see the error.
 *
 * Threading: steps serialize themselves; callable from any thread.
 */
#include <stdio.h>

#include "nng_mpc.h"

/* Internal registration entry points, one per part of the plugin. */
extern int mpc_tls_engine_register(void);
extern int mpc_tran_register(void); /* transport/mpc_tran.c */
extern int mpc_metrics_env_start(void); /* plugin/mpc_metrics_env.c */
extern int mpc_observer_register(void); /* mpc_observer.c */
extern int mpc_diag_env_start(void); /* mpc_diag.c */

struct mpc_register_step {
	const char *name;
	int (*init)(void);
};

static const struct mpc_register_step mpc_register_steps[] = {
	{ .name = "wolfSSL TLS engine", .init = mpc_tls_engine_register },
	{ .name = "mpc+tcp/mpc+tls+tcp/mpc+ipc transport",
	    .init = mpc_tran_register },
	{ .name = "connection observer (audit log, diagnostics)",
	    .init = mpc_observer_register },
	{ .name = "diagnostics (NNG_MPC_LOG)", .init = mpc_diag_env_start },
	/* Last: an endpoint that fails to start costs only the metrics. */
	{ .name = "metrics endpoint (NNG_MPC_METRICS_ADDR)",
	    .init = mpc_metrics_env_start },
};

int
nng_mpc_register(void)
{
	for (size_t i = 0;
	     i < sizeof(mpc_register_steps) / sizeof(mpc_register_steps[0]);
	     i++) {
		int rv;

		if ((rv = mpc_register_steps[i].init()) != 0) {
			return (rv);
		}
	}
	return (0);
}

__attribute__((constructor)) static void
mpc_register_on_load(void)
{
	int rv;

	if ((rv = nng_mpc_register()) != 0) {
		(void) fprintf(stderr, "nng-mpc: registration failed: %s\n",
		    nng_mpc_strerror(rv));
	}
}
