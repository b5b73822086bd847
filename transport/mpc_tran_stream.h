/*
 * mpc_tran_stream.h -- the delivery streams of the transport: one per
 * (socket, peer party), keyed like the party registry (mpc_tran_admit.h)
 * and outliving the pipes that carry it, so what one connection did not
 * deliver the next one does (transport/mpc_deliver.h has the stream
 * itself: window, acknowledgements, resume).
 *
 * A socket's streams live while any of its dialers or listeners does
 * (mpc_tran_stream_sock_hold / _release from the endpoints' init and fini);
 * when the last one goes, the streams and the messages they still keep are
 * freed.  nng_mpc_socket_drain() (include/nng_mpc.h, mpc_tran_sendmsg.c)
 * waits for a socket's streams to be acknowledged before the application
 * closes it.
 *
 * Locking: one process-wide registry lock guards the table; each stream has
 * its own mutex for its state (taken after a pipe's rxmtx, never together
 * with its txmtx; the registry lock is never held while a stream's is
 * taken, except to find or read streams: mpc_tran_stream_sock_do,
 * nng_mpc_socket_drain, the linger -- registry first, then one stream).
 */
#ifndef NNG_MPC_TRANSPORT_MPC_TRAN_STREAM_H
#define NNG_MPC_TRANSPORT_MPC_TRAN_STREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/nng_impl.h"

#include "mpc_deliver.h"

struct mpc_tran_dlv;

typedef struct mpc_tran_stream {
	nni_list_node        node;
	uint32_t             party;
	nni_mtx              mtx;
	mpc_deliver_tx       tx; /* our messages to the party */
	mpc_deliver_rx       rx; /* the party's messages to us */
	struct mpc_tran_dlv *dlv; /* the pipe carrying it now, or NULL */
	/* A closed pipe whose last delivered message is still with the
	 * protocol: kept or dropped is known once the protocol stopped the
	 * pipe; no resume record goes out until then. */
	struct mpc_tran_dlv *settling;
	/* Sends the protocol handed a closing pipe when the stream's ring
	 * was full even beyond the window: the protocol considers them sent,
	 * so they wait here, in order, and join the stream ahead of any
	 * later send once it has room (mpc_tran_dlv.c).  NULL until needed;
	 * grows by doubling (one message per closed pipe at most, pair1). */
	nni_lmq *spill;
	/* Messages acknowledged under mtx, freed once it is dropped
	 * (mpc_tran_stream_release_msg, mpc_tran_stream_reap_take). */
	nni_lmq *released;
} mpc_tran_stream;

void mpc_tran_stream_sys_init(void);
void mpc_tran_stream_sys_fini(void);

/* A dialer or listener of sock_id exists / went away.  The last release
 * frees the socket's streams and every message they keep. */
__attribute__((warn_unused_result)) int mpc_tran_stream_sock_hold(
    uint32_t sock_id);
void mpc_tran_stream_sock_release(uint32_t sock_id);

/* The stream of (sock_id, party), made on first use with the window given.
 * NULL when out of memory or the socket holds no stream table. */
mpc_tran_stream *mpc_tran_stream_get(uint32_t sock_id, uint32_t party,
    uint32_t window_msgs, size_t window_bytes);

/* Releases a kept message (the deliver module's release callback; arg is
 * the stream, locked): queued on the stream's released list, freed once
 * the lock is dropped (mpc_tran_stream_reap_take, _reap_free).  A
 * cumulative ack releases up to half the window at once (2048 messages by
 * default); freeing them under the stream's mutex kept the sending thread
 * waiting for it, inside the protocol's send lock, so the application's
 * next send waited too.  The list starts at MPC_TRAN_STREAM_RELEASED_FIRST
 * entries and doubles up to MPC_TRAN_STREAM_RELEASED; past that,
 * messages are freed at once. */
#define MPC_TRAN_STREAM_RELEASED_FIRST 64
#define MPC_TRAN_STREAM_RELEASED       4096
void mpc_tran_stream_release_msg(void *arg, void *msg);

/* Moves up to MPC_TRAN_STREAM_REAP_BATCH released messages into batch,
 * before the caller drops the lock it holds anyway; returns how many.
 * Locked (stream). */
#define MPC_TRAN_STREAM_REAP_BATCH 64
unsigned mpc_tran_stream_reap_take(mpc_tran_stream *st, nni_msg **batch);

/* Frees the n messages taken, and, when the batch was full, the rest of
 * the released list a batch per lock hold.  Not locked. */
void mpc_tran_stream_reap_free(
    mpc_tran_stream *st, nni_msg **batch, unsigned n);

/* Puts msg on q, doubling q when it is full while its capacity is below
 * max.  0, or NNG_ENOMEM (full at max, or out of memory: msg not
 * taken).  Under the lock guarding q. */
int mpc_tran_stream_lmq_put(nni_lmq *q, nni_msg *msg, size_t max);

/* Messages the socket's streams (party's only, unless it is
 * NNG_MPC_PARTY_BROADCAST) keep unacknowledged, in *pending; false when
 * the socket has no stream table (no mpc+* endpoint). */
bool mpc_tran_stream_pending(
    uint32_t sock_id, uint32_t party, uint64_t *pending);

/* True when (sock_id, party) has a stream a pipe carries now. */
bool mpc_tran_stream_live(uint32_t sock_id, uint32_t party);

/* Calls fn with the socket's list of streams (mpc_tran_stream), the
 * registry lock held: fn may take each stream's mutex, one at a time, and
 * must not block.  false when the socket holds no stream table. */
bool mpc_tran_stream_sock_do(
    uint32_t sock_id, void (*fn)(void *arg, nni_list *streams), void *arg);

/*
 * Waiting for the streams to change, instead of polling them:
 * nng_mpc_sendmsg (a party connecting, window room), nng_mpc_socket_drain
 * and the linger (acknowledgements).  A waiter takes a ticket
 * (mpc_tran_stream_watch), looks at the streams, and if it must wait,
 * sleeps until a change after its ticket or until the deadline -- at most
 * MPC_TRAN_STREAM_WAIT_MAX_MS at a time, so it still looks at its socket
 * (closed?) and the clock that often; mpc_tran_stream_unwatch if it need
 * not.  mpc_tran_stream_changed is what the pipes call when a stream
 * became carried or stopped being carried, or released acknowledged
 * messages; it costs an atomic read when nobody waits.
 */
#define MPC_TRAN_STREAM_WAIT_MAX_MS 10
uint64_t mpc_tran_stream_watch(void);
void     mpc_tran_stream_unwatch(void);
void     mpc_tran_stream_wait(uint64_t ticket, nni_time deadline);
void     mpc_tran_stream_changed(void);

/* NNG_OPT_MPC_LINGER of the socket (kept with its streams; the default
 * when the socket has none). */
void         mpc_tran_stream_linger_set(uint32_t sock_id, nng_duration linger);
nng_duration mpc_tran_stream_linger_get(uint32_t sock_id);

/*
 * An endpoint of sock_id closes (called once, before it closes its
 * pipes).  carrying: it has pipes; then it waits, up to the socket's
 * linger, until the streams a pipe carries keep nothing unacknowledged.
 * When the socket's last endpoint closes, what its streams still keep is
 * recorded for nng_mpc_socket_undelivered() (and recorded again, exactly,
 * when the streams are freed).  Runs under NNG's socket lock: bounded by
 * the linger, it waits for the streams to change (mpc_tran_stream_wait)
 * and takes no lock NNG's pipes need.
 */
void mpc_tran_stream_linger(uint32_t sock_id, bool carrying);

#endif /* NNG_MPC_TRANSPORT_MPC_TRAN_STREAM_H */
