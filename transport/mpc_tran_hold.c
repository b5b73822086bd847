/*
 * mpc_tran_hold.c -- the pipe's reference that keeps NNG's pipe_stop
 * behind the protocol's success callbacks (why: mpc_tran_hold.h).
 *
 * Locking: mpc_tran_hold.h.
 */
#include "mpc_tran_hold.h"

void
mpc_tran_hold_init(mpc_tran_hold *h)
{
	nni_mtx_init(&h->mtx);
	h->np      = NULL;
	h->ref     = NULL;
	h->busy    = 0;
	nni_atomic_init_bool(&h->started);
	h->closing = false;
}

void
mpc_tran_hold_fini(mpc_tran_hold *h)
{
	nni_mtx_fini(&h->mtx);
}

void
mpc_tran_hold_attach(mpc_tran_hold *h, nni_pipe *np)
{
	nni_pipe *ref = NULL;

	/* The pipe is in NNG's table from before p_init (pipe_create), so
	 * this finds it; should it not, completions go on unguarded, as
	 * NNG's own transports do. */
	if (nni_pipe_find(&ref, nni_pipe_id(np)) != 0) {
		ref = NULL;
	}
	nni_mtx_lock(&h->mtx);
	h->np  = np;
	h->ref = ref;
	nni_mtx_unlock(&h->mtx);
}

bool
mpc_tran_hold_started(mpc_tran_hold *h)
{
	/* Read first: the data paths call this on every operation. */
	return (!nni_atomic_get_bool(&h->started) &&
	    !nni_atomic_swap_bool(&h->started, true));
}

bool
mpc_tran_hold_is_started(mpc_tran_hold *h)
{
	return (nni_atomic_get_bool(&h->started));
}

void
mpc_tran_hold_bump_error(mpc_tran_hold *h, int rv)
{
	/* np is set before the protocol can start the pipe, and the flag
	 * is set after: reading it first orders the two. */
	if (nni_atomic_get_bool(&h->started) && (h->np != NULL)) {
		nni_pipe_bump_error(h->np, rv);
	}
}

/* The reference to let go now, if any.  Locked. */
static nni_pipe *
mpc_tran_hold_release(mpc_tran_hold *h)
{
	nni_pipe *ref = NULL;

	if (h->closing && (h->busy == 0)) {
		ref    = h->ref;
		h->ref = NULL;
	}
	return (ref);
}

void
mpc_tran_hold_close(mpc_tran_hold *h)
{
	nni_pipe *ref;

	nni_mtx_lock(&h->mtx);
	h->closing = true;
	ref        = mpc_tran_hold_release(h);
	nni_mtx_unlock(&h->mtx);
	if (ref != NULL) {
		nni_pipe_rele(ref);
	}
}

bool
mpc_tran_hold_enter(mpc_tran_hold *h)
{
	bool ok;

	nni_mtx_lock(&h->mtx);
	if ((ok = !h->closing)) {
		h->busy++;
	}
	nni_mtx_unlock(&h->mtx);
	return (ok);
}

void
mpc_tran_hold_leave(mpc_tran_hold *h)
{
	nni_pipe *ref;

	nni_mtx_lock(&h->mtx);
	h->busy--;
	ref = mpc_tran_hold_release(h);
	nni_mtx_unlock(&h->mtx);
	if (ref != NULL) {
		nni_pipe_rele(ref);
	}
}

void
mpc_tran_hold_finish(mpc_tran_hold *h, nni_aio *aio, size_t count)
{
	if (!mpc_tran_hold_enter(h)) {
		nni_aio_finish_error(aio, NNG_ECLOSED);
		return;
	}
	nni_aio_finish_sync(aio, 0, count);
	mpc_tran_hold_leave(h);
}
