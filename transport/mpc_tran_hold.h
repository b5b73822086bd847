/*
 * mpc_tran_hold.h -- a pipe completes the protocol's aios with success
 * only while NNG cannot stop the protocol's side of the pipe.
 *
 * Why: NNG 1.5.2 stops a closed pipe on its reaper thread (pipe_destroy,
 * src/core/pipe.c) by calling the protocol's pipe_stop, which for pair1
 * (src/sp/protocol/pair1/pair.c) first detaches the pipe from the socket
 * (s->p = NULL, under the protocol's lock) and only then waits for the
 * pipe's aios.  A success callback of that pipe that takes the protocol's
 * lock after the detach acts on the socket's CURRENT pipe:
 * pair1_pipe_recv_cb sets rd_ready for a pipe the socket no longer holds
 * (the next receive then takes a message from another pipe's aio, or from
 * NULL), and pair1_pipe_send_cb runs pair1_send_sched, which sends on the
 * next pipe's busy aio (NNG panics: "appending node already on a list").
 * An error callback is harmless: it only closes its own pipe.
 *
 * pipe_destroy first waits until nobody holds a reference on the pipe
 * (p_ref: nni_pipe_find / nni_pipe_rele), before pipe_stop.  So the pipe
 * holds one reference from p_init until it is closing and no success
 * completion runs; a success completion runs synchronously
 * (nni_aio_finish_sync) between mpc_tran_hold_enter and _leave, so it is
 * over before pipe_stop can start.  Once the pipe is closing no success
 * starts: enter fails and the caller fails the aio (NNG_ECLOSED) instead.
 *
 * NNG also sets the pipe's dialer or listener only after p_init returns
 * (nni_pipe_create_dialer / _listener, src/core/socket.c), and
 * nni_pipe_bump_error dereferences it: a connection failing that early
 * (what p_init starts: the delivery stream's RESUME, the liveness timer)
 * must not count its error there.  The protocol's first call into the
 * pipe (p_send, p_recv from its pipe_start) comes after it is set.
 *
 * Callers complete with no lock of ours held, and never from inside the
 * protocol's own call into the pipe (p_send, p_recv): pair1 holds its
 * socket lock there, and its callback takes it again.
 *
 * Locking: mtx, a leaf (nni_pipe_rele is called after it is dropped).
 */
#ifndef NNG_MPC_TRANSPORT_MPC_TRAN_HOLD_H
#define NNG_MPC_TRANSPORT_MPC_TRAN_HOLD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/nng_impl.h"

typedef struct mpc_tran_hold {
	nni_mtx   mtx;
	nni_pipe *np;      /* NNG's pipe, from p_init */
	nni_pipe *ref;     /* the reference held, or NULL */
	nni_atomic_bool started; /* the protocol called the pipe */
	unsigned  busy;    /* success completions running */
	bool      closing; /* no success starts any more */
} mpc_tran_hold;

void mpc_tran_hold_init(mpc_tran_hold *h);
void mpc_tran_hold_fini(mpc_tran_hold *h);
/* From p_init: takes the reference on np. */
void mpc_tran_hold_attach(mpc_tran_hold *h, nni_pipe *np);
/* From p_close (any number of times): no success starts from now on; the
 * reference goes once no success completion runs. */
void mpc_tran_hold_close(mpc_tran_hold *h);
/* From p_send and p_recv: the protocol started the pipe.  true on the
 * first call only. */
bool mpc_tran_hold_started(mpc_tran_hold *h);
/* Whether the protocol started the pipe (any thread). */
bool mpc_tran_hold_is_started(mpc_tran_hold *h);
/* nni_pipe_bump_error, once NNG's pipe has its dialer or listener. */
void mpc_tran_hold_bump_error(mpc_tran_hold *h, int rv);
/* A success completion may run now (true: call _leave after it). */
__attribute__((warn_unused_result)) bool mpc_tran_hold_enter(
    mpc_tran_hold *h);
void mpc_tran_hold_leave(mpc_tran_hold *h);
/* Completes a send whose message is taken: success, synchronously, or
 * NNG_ECLOSED once the pipe is closing. */
void mpc_tran_hold_finish(mpc_tran_hold *h, nni_aio *aio, size_t count);

#endif /* NNG_MPC_TRANSPORT_MPC_TRAN_HOLD_H */
