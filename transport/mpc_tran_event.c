/*
 * mpc_tran_event.c -- the process's observer of transport events
 * (mpc_tran_event.h): set once by the plugin, read by every endpoint.
 *
 * Threading: an atomic pointer; the ops table it points to is constant.
 */
#include <stdatomic.h>
#include <stddef.h>

#include "mpc_tran_event.h"

static _Atomic(const struct mpc_tran_observer_ops *) mpc_tran_observer_ops_p;

void
mpc_tran_observer_set(const struct mpc_tran_observer_ops *ops)
{
	atomic_store(&mpc_tran_observer_ops_p, ops);
}

const struct mpc_tran_observer_ops *
mpc_tran_observer_get(void)
{
	return (atomic_load(&mpc_tran_observer_ops_p));
}
