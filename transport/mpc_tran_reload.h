/*
 * mpc_tran_reload.h -- nng_mpc_socket_reload() (include/nng_mpc.h): new
 * trust material and settings applied to a socket's live mpc+* endpoints,
 * and its live pipes judged again.
 *
 * The transport knows its endpoints here only: every endpoint joins a
 * process-wide list when it is made and leaves it when NNG finishes it,
 * so a reload can find a socket's dialers and listeners (NNG 1.5.2 has
 * no way to list them, and its socket options cannot carry a reload:
 * setting a value equal to the last one is skipped, and a failing
 * endpoint stops the others half way, src/core/socket.c).
 *
 * Threading: the list's lock is taken first, then an endpoint's mutex,
 * then a pipe's; nothing else takes the list's lock while holding one of
 * those.  Pipes are closed through NNG after every lock is released.
 */
#ifndef NNG_MPC_TRANSPORT_MPC_TRAN_RELOAD_H
#define NNG_MPC_TRANSPORT_MPC_TRAN_RELOAD_H

#include "mpc_tran_ep.h"

void mpc_tran_reload_sys_init(void);
void mpc_tran_reload_sys_fini(void);

/* The endpoint joins the list (end of its init) / leaves it (start of its
 * fini; idempotent). */
void mpc_tran_reload_add(mpc_tran_ep *ep);
void mpc_tran_reload_del(mpc_tran_ep *ep);

#endif /* NNG_MPC_TRANSPORT_MPC_TRAN_RELOAD_H */
