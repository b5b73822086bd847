/*
 * mpc_tran_limit_opts.h -- options of the pipe filter (admission, rate
 * limits, liveness) for endpoints and pipes; mpc_tran_opts.c asks these
 * after its own tables.  NNG_ENOTSUP for a name they do not know.
 *
 * Locking: endpoint settings under ep->mtx; pipe state under rxmtx or
 * atomic.
 */
#ifndef NNG_MPC_TRANSPORT_MPC_TRAN_LIMIT_OPTS_H
#define NNG_MPC_TRANSPORT_MPC_TRAN_LIMIT_OPTS_H

#include "core/nng_impl.h"

struct mpc_tran_ep;
struct mpc_tran_pipe;

int mpc_tran_limit_ep_getopt(struct mpc_tran_ep *ep, const char *name,
    void *buf, size_t *szp, nni_type t);
int mpc_tran_limit_ep_setopt(struct mpc_tran_ep *ep, const char *name,
    const void *buf, size_t sz, nni_type t);
int mpc_tran_limit_pipe_getopt(struct mpc_tran_pipe *p, const char *name,
    void *buf, size_t *szp, nni_type t);

#endif /* NNG_MPC_TRANSPORT_MPC_TRAN_LIMIT_OPTS_H */
