/*
 * mpc_tran_stream.c -- the table of delivery streams per socket and party,
 * and nng_mpc_socket_drain(); see mpc_tran_stream.h.
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

#include "mpc_tran_stream.h"

/* How often a drain looks at the streams again (ms). */
#define MPC_TRAN_DRAIN_POLL_MS 2

typedef struct mpc_tran_stream_sock {
	nni_list_node node;
	uint32_t      sock_id;
	uint32_t      holds; /* endpoints of the socket alive */
	nni_list      streams;
} mpc_tran_stream_sock;

static nni_mtx  mpc_tran_stream_lk;
static nni_list mpc_tran_stream_socks;

void
mpc_tran_stream_sys_init(void)
{
	nni_mtx_init(&mpc_tran_stream_lk);
	NNI_LIST_INIT(&mpc_tran_stream_socks, mpc_tran_stream_sock, node);
}

void
mpc_tran_stream_release_msg(void *arg, void *msg)
{
	(void) arg;
	nni_msg_free(msg);
}

static void
mpc_tran_stream_free(mpc_tran_stream *st)
{
	(void) mpc_deliver_tx_fini(&st->tx, mpc_tran_stream_release_msg, NULL);
	nni_mtx_fini(&st->mtx);
	NNI_FREE_STRUCT(st);
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
			NNI_LIST_INIT(&s->streams, mpc_tran_stream, node);
			nni_list_append(&mpc_tran_stream_socks, s);
		}
	}
	if (s != NULL) {
		s->holds++;
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
	} else {
		s = NULL;
	}
	nni_mtx_unlock(&mpc_tran_stream_lk);
	/* No endpoint, so no pipe, can reach these streams any more. */
	if (s != NULL) {
		mpc_tran_stream_sock_free(s);
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
	mpc_deliver_rx_init(&st->rx);
	nni_mtx_init(&st->mtx);
	st->party = party;
	nni_list_append(&s->streams, st);
out:
	nni_mtx_unlock(&mpc_tran_stream_lk);
	return (st);
}

/* Messages the socket's streams (party's only, unless it is
 * NNG_MPC_PARTY_BROADCAST) keep unacknowledged; false when the socket has
 * no stream table (no mpc+* endpoint). */
static bool
mpc_tran_stream_pending(uint32_t sock_id, uint32_t party, uint64_t *pending)
{
	mpc_tran_stream_sock *s;
	mpc_tran_stream *     st;

	*pending = 0;
	nni_mtx_lock(&mpc_tran_stream_lk);
	if ((s = mpc_tran_stream_sock_find(sock_id)) == NULL) {
		nni_mtx_unlock(&mpc_tran_stream_lk);
		return (false);
	}
	NNI_LIST_FOREACH (&s->streams, st) {
		if ((party != NNG_MPC_PARTY_BROADCAST) && (st->party != party)) {
			continue;
		}
		nni_mtx_lock(&st->mtx);
		*pending += mpc_deliver_tx_kept(&st->tx);
		nni_mtx_unlock(&st->mtx);
	}
	nni_mtx_unlock(&mpc_tran_stream_lk);
	return (true);
}

int
nng_mpc_socket_drain(nng_socket s, nng_duration timeout, uint64_t *pending)
{
	nni_time deadline = nni_clock() + (nni_time) timeout;
	uint64_t left;

	if (timeout < 0 && timeout != NNG_DURATION_INFINITE) {
		return (NNG_EINVAL);
	}
	for (;;) {
		if (!mpc_tran_stream_pending(
		        nng_socket_id(s), NNG_MPC_PARTY_BROADCAST, &left)) {
			left = 0; /* no delivery streams: nothing kept */
		}
		if (pending != NULL) {
			*pending = left;
		}
		if (left == 0) {
			return (0);
		}
		if ((timeout != NNG_DURATION_INFINITE) &&
		    (nni_clock() >= deadline)) {
			return (NNG_MPC_EUNDELIVERED);
		}
		nni_msleep(MPC_TRAN_DRAIN_POLL_MS);
	}
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
