/*
 * ev_verify.h -- the echo broadcast tests' check of a report's evidence
 * with the real tool: `nngmpc evidence verify --ca CA FILE`, run as a
 * process.  Errors assert (CMocka), as in the other test helpers.
 */
#ifndef NNG_MPC_TEST_EV_VERIFY_H
#define NNG_MPC_TEST_EV_VERIFY_H

#include <nng/nng.h>

#include "nng_mpc.h"

/* Writes rep's evidence to file and runs tool on it with the CA ca.
 * Returns the tool's exit status; *out (to free) is its standard output
 * when it succeeded, its standard error otherwise. */
int ev_verify(const char *tool, const nng_mpc_echo_report *rep,
    const char *ca, const char *file, char **out);

#endif /* NNG_MPC_TEST_EV_VERIFY_H */
