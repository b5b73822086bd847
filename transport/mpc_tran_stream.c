/*
 * mpc_tran_stream.c -- the table of delivery streams per socket and party;
 * see mpc_tran_stream.h.
 *
 * The table is bounded like the party registry: a socket's entry exists
 * while it has endpoints, and holds one stream per party that ever
 * negotiated delivery with it (at most the parties of its session, each
 * authenticated before its stream is made).
 *
 * Locking: see mpc_tran_stream.h.
 */
#include <string.h>

#include "nng_mpc.h"

#include "mpc_tran_echo.h"
#include "mpc_tran_stream.h"

typedef struct mpc_tran_stream_sock {
	nni_list_node node;
	uint32_t      sock_id;
	uint32_t      holds; /* endpoints of the socket alive */
	uint32_t      open;  /* of those, not closed yet */
	nng_duration  linger; /* NNG_OPT_MPC_LINGER */
	nni_list      streams;
} mpc_tran_stream_sock;

/* What a closed socket's streams still kept (nng_mpc_socket_undelivered):
 * the last MPC_TRAN_STREAM_GRAVES sockets with delivery streams. */
#define MPC_TRAN_STREAM_GRAVES 64
typedef struct mpc_tran_stream_grave {
	uint32_t sock_id; /* 0: free slot */
	uint64_t undelivered;
} mpc_tran_stream_grave;

/* Waiters for a change (mpc_tran_stream.h): a generation bumped per
 * change while anyone waits, under its own lock (never held with another
 * of ours). */
static nni_mtx        mpc_tran_stream_wait_lk;
static nni_cv         mpc_tran_stream_wait_cv;
static uint64_t       mpc_tran_stream_wait_gen;
static nni_atomic_int mpc_tran_stream_waiters;

static nni_mtx               mpc_tran_stream_lk;
static nni_list              mpc_tran_stream_socks;
static mpc_tran_stream_grave mpc_tran_stream_graves[MPC_TRAN_STREAM_GRAVES];
static unsigned              mpc_tran_stream_grave_next;

void
mpc_tran_stream_sys_init(void)
{
	nni_mtx_init(&mpc_tran_stream_lk);
	NNI_LIST_INIT(&mpc_tran_stream_socks, mpc_tran_stream_sock, node);
	nni_mtx_init(&mpc_tran_stream_wait_lk);
	nni_cv_init(&mpc_tran_stream_wait_cv, &mpc_tran_stream_wait_lk);
	nni_atomic_init(&mpc_tran_stream_waiters);
}

uint64_t
mpc_tran_stream_watch(void)
{
	uint64_t ticket;

	nni_mtx_lock(&mpc_tran_stream_wait_lk);
	nni_atomic_inc(&mpc_tran_stream_waiters);
	ticket = mpc_tran_stream_wait_gen;
	nni_mtx_unlock(&mpc_tran_stream_wait_lk);
	return (ticket);
}

void
mpc_tran_stream_unwatch(void)
{
	nni_atomic_dec(&mpc_tran_stream_waiters);
}

void
mpc_tran_stream_wait(uint64_t ticket, nni_time deadline)
{
	nni_time until = nni_clock() + MPC_TRAN_STREAM_WAIT_MAX_MS;

	if (deadline < until) {
		until = deadline;
	}
	nni_mtx_lock(&mpc_tran_stream_wait_lk);
	while ((mpc_tran_stream_wait_gen == ticket) &&
	    (nni_cv_until(&mpc_tran_stream_wait_cv, until) == 0)) {
	}
	nni_mtx_unlock(&mpc_tran_stream_wait_lk);
	mpc_tran_stream_unwatch();
}

void
mpc_tran_stream_changed(void)
{
	/* A waiter counted itself before it looked at the streams, so a
	 * change it did not see finds it counted here. */
	if (nni_atomic_get(&mpc_tran_stream_waiters) == 0) {
		return;
	}
	nni_mtx_lock(&mpc_tran_stream_wait_lk);
	mpc_tran_stream_wait_gen++;
	nni_cv_wake(&mpc_tran_stream_wait_cv);
	nni_mtx_unlock(&mpc_tran_stream_wait_lk);
}

int
mpc_tran_stream_lmq_put(nni_lmq *q, nni_msg *msg, size_t max)
{
	size_t cap = nni_lmq_cap(q);

	/* Doubling keeps NNG's ring (src/core/lmq.c) from being resized
	 * exactly full. */
	if (nni_lmq_full(q) &&
	    ((cap >= max) || (nni_lmq_resize(q, cap * 2) != 0))) {
		return (NNG_ENOMEM);
	}
	return (nni_lmq_putq(q, msg));
}

void
mpc_tran_stream_release_msg(void *arg, void *msg)
{
	mpc_tran_stream *st = arg;

	if ((st == NULL) || (mpc_tran_stream_lmq_put(st->released, msg,
	                         MPC_TRAN_STREAM_RELEASED) != 0)) {
		nni_msg_free(msg);
	}
}

unsigned
mpc_tran_stream_reap_take(mpc_tran_stream *st, nni_msg **batch)
{
	unsigned n = 0;

	while ((n < MPC_TRAN_STREAM_REAP_BATCH) &&
	    (nni_lmq_getq(st->released, &batch[n]) == 0)) {
		n++;
	}
	return (n);
}

void
mpc_tran_stream_reap_free(mpc_tran_stream *st, nni_msg **batch, unsigned n)
{
	for (;;) {
		for (unsigned i = 0; i < n; i++) {
			nni_msg_free(batch[i]);
		}
		if (n < MPC_TRAN_STREAM_REAP_BATCH) {
			return; /* that was all */
		}
		nni_mtx_lock(&st->mtx);
		n = mpc_tran_stream_reap_take(st, batch);
		nni_mtx_unlock(&st->mtx);
	}
}

static void
mpc_tran_stream_free(mpc_tran_stream *st)
{
	(void) mpc_deliver_tx_fini(&st->tx, mpc_tran_stream_release_msg, NULL);
	nni_lmq_fini(st->released); /* frees what it holds */
	NNI_FREE_STRUCT(st->released);
	if (st->spill != NULL) {
		nni_lmq_fini(st->spill); /* frees what it holds */
		NNI_FREE_STRUCT(st->spill);
	}
	nni_mtx_fini(&st->mtx);
	NNI_FREE_STRUCT(st);
}

/* Messages the socket's streams keep (party's only, unless it is
 * NNG_MPC_PARTY_BROADCAST); with live: only those a pipe carries now.
 * Locked (registry). */
static uint64_t
mpc_tran_stream_sock_kept(
    mpc_tran_stream_sock *s, bool live, uint32_t party)
{
	mpc_tran_stream *st;
	uint64_t         kept = 0;

	NNI_LIST_FOREACH (&s->streams, st) {
		nni_mtx_lock(&st->mtx);
		if ((!live || (st->dlv != NULL)) &&
		    ((party == NNG_MPC_PARTY_BROADCAST) || (st->party == party))) {
			/* Spilled sends (mpc_tran_stream.h) count too. */
			kept += mpc_deliver_tx_kept(&st->tx) +
			    (st->spill != NULL ? nni_lmq_len(st->spill) : 0);
		}
		nni_mtx_unlock(&st->mtx);
	}
	return (kept);
}

/* Records what a closing socket could not deliver: a socket's record is
 * replaced by a later one.  Locked (registry). */
static void
mpc_tran_stream_bury(uint32_t sock_id, uint64_t undelivered)
{
	mpc_tran_stream_grave *g = NULL;

	for (unsigned i = 0; i < MPC_TRAN_STREAM_GRAVES; i++) {
		if (mpc_tran_stream_graves[i].sock_id == sock_id) {
			g = &mpc_tran_stream_graves[i];
		}
	}
	if (g == NULL) {
		g = &mpc_tran_stream_graves[mpc_tran_stream_grave_next];
		mpc_tran_stream_grave_next =
		    (mpc_tran_stream_grave_next + 1) % MPC_TRAN_STREAM_GRAVES;
	}
	g->sock_id     = sock_id;
	g->undelivered = undelivered;
}

static void
mpc_tran_stream_sock_free(mpc_tran_stream_sock *s)
{
	mpc_tran_stream *st;

	while ((st = nni_list_first(&s->streams)) != NULL) {
		nni_list_remove(&s->streams, st);
		mpc_tran_stream_free(st);
	}
	NNI_FREE_STRUCT(s);
}

void
mpc_tran_stream_sys_fini(void)
{
	mpc_tran_stream_sock *s;

	while ((s = nni_list_first(&mpc_tran_stream_socks)) != NULL) {
		nni_list_remove(&mpc_tran_stream_socks, s);
		mpc_tran_stream_sock_free(s);
	}
	nni_mtx_fini(&mpc_tran_stream_lk);
	nni_cv_fini(&mpc_tran_stream_wait_cv);
	nni_mtx_fini(&mpc_tran_stream_wait_lk);
}

/* Locked (registry). */
static mpc_tran_stream_sock *
mpc_tran_stream_sock_find(uint32_t sock_id)
{
	mpc_tran_stream_sock *s;

	NNI_LIST_FOREACH (&mpc_tran_stream_socks, s) {
		if (s->sock_id == sock_id) {
			return (s);
		}
	}
	return (NULL);
}

int
mpc_tran_stream_sock_hold(uint32_t sock_id)
{
	mpc_tran_stream_sock *s;
	int                   rv = 0;

	nni_mtx_lock(&mpc_tran_stream_lk);
	if ((s = mpc_tran_stream_sock_find(sock_id)) == NULL) {
		if ((s = NNI_ALLOC_STRUCT(s)) == NULL) {
			rv = NNG_ENOMEM;
		} else {
			s->sock_id = sock_id;
			s->linger  = NNG_MPC_LINGER_DEFAULT;
			NNI_LIST_INIT(&s->streams, mpc_tran_stream, node);
			nni_list_append(&mpc_tran_stream_socks, s);
		}
	}
	if (s != NULL) {
		s->holds++;
		s->open++;
	}
	nni_mtx_unlock(&mpc_tran_stream_lk);
	return (rv);
}

void
mpc_tran_stream_sock_release(uint32_t sock_id)
{
	mpc_tran_stream_sock *s;

	nni_mtx_lock(&mpc_tran_stream_lk);
	if (((s = mpc_tran_stream_sock_find(sock_id)) != NULL) &&
	    (--s->holds == 0)) {
		nni_list_remove(&mpc_tran_stream_socks, s);
		/* Exact now: no pipe can acknowledge anything any more. */
		if (!nni_list_empty(&s->streams)) {
			mpc_tran_stream_bury(sock_id,
			    mpc_tran_stream_sock_kept(
			        s, false, NNG_MPC_PARTY_BROADCAST));
		}
	} else {
		s = NULL;
	}
	nni_mtx_unlock(&mpc_tran_stream_lk);
	/* No endpoint, so no pipe, can reach these streams any more. */
	if (s != NULL) {
		mpc_tran_stream_sock_free(s);
		/* Nor the echo broadcast state they kept (certificates). */
		mpc_tran_echo_streams_gone(sock_id);
	}
}

/* A random nonzero stream incarnation (mpc_deliver.h). */
static uint64_t
mpc_tran_stream_incarnation(void)
{
	uint64_t inc;

	do {
		inc = ((uint64_t) nni_random() << 32) | nni_random();
	} while (inc == 0);
	return (inc);
}

mpc_tran_stream *
mpc_tran_stream_get(uint32_t sock_id, uint32_t party, uint32_t window_msgs,
    size_t window_bytes)
{
	mpc_tran_stream_sock *s;
	mpc_tran_stream *     st = NULL;

	nni_mtx_lock(&mpc_tran_stream_lk);
	if ((s = mpc_tran_stream_sock_find(sock_id)) == NULL) {
		goto out;
	}
	NNI_LIST_FOREACH (&s->streams, st) {
		if (st->party == party) {
			goto out;
		}
	}
	if ((st = NNI_ALLOC_STRUCT(st)) == NULL) {
		goto out;
	}
	if (mpc_deliver_tx_init(&st->tx, mpc_tran_stream_incarnation(),
	        window_msgs, window_bytes) != 0) {
		NNI_FREE_STRUCT(st);
		st = NULL;
		goto out;
	}
	/* nni_lmq_init frees the lmq itself when it fails. */
	if (((st->released = NNI_ALLOC_STRUCT(st->released)) == NULL) ||
	    (nni_lmq_init(st->released, MPC_TRAN_STREAM_RELEASED_FIRST) != 0)) {
		(void) mpc_deliver_tx_fini(&st->tx, NULL, NULL);
		NNI_FREE_STRUCT(st);
		st = NULL;
		goto out;
	}
	mpc_deliver_rx_init(&st->rx);
	nni_mtx_init(&st->mtx);
	st->party = party;
	nni_list_append(&s->streams, st);
out:
	nni_mtx_unlock(&mpc_tran_stream_lk);
	return (st);
}

bool
mpc_tran_stream_pending(uint32_t sock_id, uint32_t party, uint64_t *pending)
{
	mpc_tran_stream_sock *s;

	*pending = 0;
	nni_mtx_lock(&mpc_tran_stream_lk);
	if ((s = mpc_tran_stream_sock_find(sock_id)) != NULL) {
		*pending = mpc_tran_stream_sock_kept(s, false, party);
	}
	nni_mtx_unlock(&mpc_tran_stream_lk);
	return (s != NULL);
}

bool
mpc_tran_stream_sock_do(
    uint32_t sock_id, void (*fn)(void *arg, nni_list *streams), void *arg)
{
	mpc_tran_stream_sock *s;

	nni_mtx_lock(&mpc_tran_stream_lk);
	if ((s = mpc_tran_stream_sock_find(sock_id)) != NULL) {
		fn(arg, &s->streams);
	}
	nni_mtx_unlock(&mpc_tran_stream_lk);
	return (s != NULL);
}

void
mpc_tran_stream_linger_set(uint32_t sock_id, nng_duration linger)
{
	mpc_tran_stream_sock *s;

	nni_mtx_lock(&mpc_tran_stream_lk);
	if ((s = mpc_tran_stream_sock_find(sock_id)) != NULL) {
		s->linger = linger;
	}
	nni_mtx_unlock(&mpc_tran_stream_lk);
}

nng_duration
mpc_tran_stream_linger_get(uint32_t sock_id)
{
	mpc_tran_stream_sock *s;
	nng_duration          linger = NNG_MPC_LINGER_DEFAULT;

	nni_mtx_lock(&mpc_tran_stream_lk);
	if ((s = mpc_tran_stream_sock_find(sock_id)) != NULL) {
		linger = s->linger;
	}
	nni_mtx_unlock(&mpc_tran_stream_lk);
	return (linger);
}

/* Messages the socket's live streams keep, or 0 without a table. */
static uint64_t
mpc_tran_stream_live_kept(uint32_t sock_id, nng_duration *linger)
{
	mpc_tran_stream_sock *s;
	uint64_t              kept = 0;

	nni_mtx_lock(&mpc_tran_stream_lk);
	if ((s = mpc_tran_stream_sock_find(sock_id)) != NULL) {
		kept    = mpc_tran_stream_sock_kept(
		    s, true, NNG_MPC_PARTY_BROADCAST);
		*linger = s->linger;
	}
	nni_mtx_unlock(&mpc_tran_stream_lk);
	return (kept);
}

void
mpc_tran_stream_linger(uint32_t sock_id, bool carrying)
{
	mpc_tran_stream_sock *s;
	nng_duration          linger = 0;
	nni_time              deadline;

	/* Only while pipes can still carry acknowledgements: the wait
	 * reads the streams, never waits on a lock NNG holds. */
	if (carrying && (mpc_tran_stream_live_kept(sock_id, &linger) > 0) &&
	    (linger > 0)) {
		deadline = nni_clock() + (nni_time) linger;
		for (;;) {
			uint64_t ticket = mpc_tran_stream_watch();

			if ((mpc_tran_stream_live_kept(sock_id, &linger) == 0) ||
			    (nni_clock() >= deadline)) {
				mpc_tran_stream_unwatch();
				break;
			}
			mpc_tran_stream_wait(ticket, deadline);
		}
	}
	nni_mtx_lock(&mpc_tran_stream_lk);
	if (((s = mpc_tran_stream_sock_find(sock_id)) != NULL) &&
	    (s->open > 0) && (--s->open == 0) &&
	    !nni_list_empty(&s->streams)) {
		/* The last endpoint closed: whatever is kept now is lost
		 * once NNG closes the pipes (refined when the table goes). */
		mpc_tran_stream_bury(sock_id,
		    mpc_tran_stream_sock_kept(s, false, NNG_MPC_PARTY_BROADCAST));
	}
	nni_mtx_unlock(&mpc_tran_stream_lk);
}

int
nng_mpc_socket_undelivered(nng_socket s, uint64_t *count)
{
	uint32_t id = (uint32_t) nng_socket_id(s);
	int      rv = NNG_ENOENT;

	if (count == NULL) {
		return (NNG_EINVAL);
	}
	*count = 0;
	if (nng_socket_id(s) <= 0) {
		return (NNG_EINVAL);
	}
	nni_mtx_lock(&mpc_tran_stream_lk);
	for (unsigned i = 0; i < MPC_TRAN_STREAM_GRAVES; i++) {
		if (mpc_tran_stream_graves[i].sock_id == id) {
			*count = mpc_tran_stream_graves[i].undelivered;
			rv     = 0;
		}
	}
	nni_mtx_unlock(&mpc_tran_stream_lk);
	return (rv);
}

bool
mpc_tran_stream_live(uint32_t sock_id, uint32_t party)
{
	mpc_tran_stream_sock *s;
	mpc_tran_stream *     st;
	bool                  live = false;

	nni_mtx_lock(&mpc_tran_stream_lk);
	if ((s = mpc_tran_stream_sock_find(sock_id)) != NULL) {
		NNI_LIST_FOREACH (&s->streams, st) {
			if (st->party == party) {
				nni_mtx_lock(&st->mtx);
				live = st->dlv != NULL;
				nni_mtx_unlock(&st->mtx);
				break;
			}
		}
	}
	nni_mtx_unlock(&mpc_tran_stream_lk);
	return (live);
}

int
nng_mpc_close(nng_socket s, uint64_t *undelivered)
{
	uint64_t n = 0;
	int      rv;

	if ((rv = nng_close(s)) != 0) {
		return (rv);
	}
	/* No record: the socket never had a stream, so nothing was kept. */
	if (nng_mpc_socket_undelivered(s, &n) != 0) {
		n = 0;
	}
	if (undelivered != NULL) {
		*undelivered = n;
	}
	return ((n > 0) ? NNG_MPC_EUNDELIVERED : 0);
}

int
nng_mpc_socket_pending(nng_socket s, uint32_t party, uint64_t *pending)
{
	if ((pending == NULL) || (party == 0)) {
		return (NNG_EINVAL);
	}
	if (!mpc_tran_stream_pending(nng_socket_id(s), party, pending)) {
		*pending = 0; /* no delivery streams: nothing kept */
	}
	return (0);
}
