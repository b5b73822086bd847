/*
 * mpc_tran.h -- the mpc+tcp://, mpc+tls+tcp:// and mpc+ipc:// transports,
 * as the rest of the project sees them: one registration call.
 *
 * The transport is a one-way pipeline of owned objects (mpc_tran_ep.h):
 *
 *   mpc_tran.c        ops tables and registration with NNG
 *   mpc_tran_ep.c     dialers and listeners: accept/dial, the pipeline
 *   mpc_tran_admit.c  admission caps and the party registry
 *   mpc_tran_nego.c   a connection's negotiation (hello, keys, identity)
 *   mpc_tran_tls.c    what mpc+tls+tcp:// asks of the TLS engine
 *   mpc_tran_pipe.c   a pipe's lifecycle
 *   mpc_tran_send.c   the send path
 *   mpc_tran_recv.c   the receive path (with the peer's rate limit)
 *   mpc_tran_live.c   a pipe's liveness: heartbeats, dead peers, expiry
 *   mpc_tran_reason.c the table of reasons and counters (NNG statistics)
 *   mpc_tran_opts.c   options of endpoints and pipes
 *   mpc_tran_limit_opts.c  the pipe filter's options (admission, rate
 *                     limits, liveness)
 *   mpc_tran_event.c  the observer of connection events
 *   mpc_tran_hello.c, mpc_tran_cfg.c, mpc_tran_env.c, mpc_tran_limit.c
 *                     (party lists, token buckets, the per-source table,
 *                     a pipe's rate limiter): pure helpers (no NNG
 *                     internals; the test clients link them too)
 *
 * Those that include NNG's internal headers (src/core, src/sp) are the
 * only code in the project that does: porting to another NNG release
 * touches only them.
 */
#ifndef NNG_MPC_TRANSPORT_MPC_TRAN_H
#define NNG_MPC_TRANSPORT_MPC_TRAN_H

/* Registers the three schemes with NNG (initialising NNG first). */
int mpc_tran_register(void);

#endif /* NNG_MPC_TRANSPORT_MPC_TRAN_H */
