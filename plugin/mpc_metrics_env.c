/*
 * mpc_metrics_env.c -- NNG_MPC_METRICS_ADDR=HOST:PORT: the drop-in way to
 * a metrics endpoint (nng_mpc_metrics_start()), started by
 * nng_mpc_register() -- so also when the module is loaded into an
 * unmodified NNG program.  Once per process: the first registration
 * starts it, later ones return the first one's result.  The endpoint lives
 * until the process exits; one line on stderr says where it listens (the
 * port matters when PORT is 0).
 *
 * Threading: the once is serialized by a mutex; callable from any thread.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "nng_mpc.h"

#define MPC_METRICS_ENV "NNG_MPC_METRICS_ADDR"

int mpc_metrics_env_start(void);

static pthread_mutex_t  mpc_metrics_env_lock = PTHREAD_MUTEX_INITIALIZER;
static bool             mpc_metrics_env_done;
static int              mpc_metrics_env_rv;
static nng_mpc_metrics *mpc_metrics_env_ep;

int
mpc_metrics_env_start(void)
{
	const char *addr;
	int         rv;

	(void) pthread_mutex_lock(&mpc_metrics_env_lock);
	if (mpc_metrics_env_done) {
		rv = mpc_metrics_env_rv;
		goto out;
	}
	mpc_metrics_env_done = true;
	rv                   = 0;
	if ((addr = getenv(MPC_METRICS_ENV)) == NULL || addr[0] == '\0') {
		goto out;
	}
	rv = nng_mpc_metrics_start(addr, &mpc_metrics_env_ep);
	if (rv == NNG_EADDRINVAL) {
		(void) fprintf(stderr,
		    "nng-mpc: %s='%s': expected HOST:PORT\n", MPC_METRICS_ENV,
		    addr);
		rv = NNG_MPC_EENV;
	} else if (rv != 0) {
		(void) fprintf(stderr, "nng-mpc: %s='%s': %s\n",
		    MPC_METRICS_ENV, addr, nng_mpc_strerror(rv));
	} else {
		(void) fprintf(stderr,
		    "nng-mpc: metrics on port %d (%s=%s), path /metrics\n",
		    nng_mpc_metrics_port(mpc_metrics_env_ep), MPC_METRICS_ENV,
		    addr);
	}
	mpc_metrics_env_rv = rv;
out:
	(void) pthread_mutex_unlock(&mpc_metrics_env_lock);
	return (rv);
}
