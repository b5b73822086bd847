/*
 * mpc_tran_opts.h -- the options of mpc+* dialers, listeners and pipes
 * (names, types and meanings: include/nng_mpc.h, "Transport options").
 *
 * Locking: endpoint options under ep->mtx; pipe options read values fixed
 * at negotiation or atomic counters.
 */
#ifndef NNG_MPC_TRANSPORT_MPC_TRAN_OPTS_H
#define NNG_MPC_TRANSPORT_MPC_TRAN_OPTS_H

#include "core/nng_impl.h"

int mpc_tran_dialer_getopt(void *, const char *, void *, size_t *, nni_type);
int mpc_tran_dialer_setopt(
    void *, const char *, const void *, size_t, nni_type);
int mpc_tran_listener_getopt(
    void *, const char *, void *, size_t *, nni_type);
int mpc_tran_listener_setopt(
    void *, const char *, const void *, size_t, nni_type);
int mpc_tran_pipe_getopt(void *, const char *, void *, size_t *, nni_type);

#endif /* NNG_MPC_TRANSPORT_MPC_TRAN_OPTS_H */
