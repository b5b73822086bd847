/*
 * mpc_tran_nego.h -- one connection's negotiation, as its own object: it
 * owns the stream from accept/dial until the keys are confirmed, holds
 * only the small handshake state (no data buffers), and hands its owner a
 * result -- the stream, the crypto channel and the peer's verified
 * identity -- or a reason.  It never sees a pipe.
 *
 * The exchange (records: mpc_tran_hello.h) is in mpc_tran_nego.c.  Every
 * refusal moves exactly one counter of the owner's endpoint statistics
 * (mpc_tran_reason.h) at the moment it is decided.
 *
 * Threading: a negotiation runs under its owner's mutex (given at start),
 * as NNG's stream transports negotiate under their endpoint's -- except
 * the application's filter (NNG_OPT_MPC_FILTER), which it calls with the
 * mutex released, both transfers idle; the owner outlives it (the
 * negotiation holds its reference until gone).  Its
 * callback is called with that mutex held, as the negotiation's last act:
 * it may drop and retake the mutex, and must end the negotiation's life
 * with mpc_tran_nego_reap().
 */
#ifndef NNG_MPC_TRANSPORT_MPC_TRAN_NEGO_H
#define NNG_MPC_TRANSPORT_MPC_TRAN_NEGO_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "core/nng_impl.h"

#include "mpc_channel.h"
#include "mpc_tran_admit.h"
#include "mpc_tran_cfg.h"
#include "mpc_tran_limit.h"
#include "mpc_tran_reason.h"
#include "mpc_tran_tls.h"

typedef struct mpc_tran_nego mpc_tran_nego;

/* A monotonic clock in nanoseconds: the channel's key schedule and the
 * handshake's duration. */
static inline uint64_t
mpc_tran_now_ns(void)
{
	struct timespec ts;

	(void) clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec);
}

/* "[v6addr]:port", an IPC path (truncated), or "". */
#define MPC_TRAN_REMOTE_LEN 80

/* What a negotiation needs from its endpoint (copied at start). */
typedef struct mpc_tran_nego_params {
	nni_mtx *          mtx;     /* the owner's mutex */
	mpc_tran_ep_stats *stats;   /* the owner's counters */
	const mpc_tran_cfg *cfg;    /* read at start only */
	bool               tls;     /* mpc+tls+tcp: identity from TLS */
	bool               dialer;  /* we initiate */
	uint16_t           proto;   /* our SP protocol */
	uint32_t           sock_id; /* for the party registry */
	size_t             rcvmax;  /* NNG_OPT_RECVMAXSZ, 0: none */
	const char *       remote;  /* the peer's address, for reports */
	const mpc_tran_limits *lim; /* allow/deny lists, filter: read at
	                               start only */
	void (*done)(void *arg, mpc_tran_nego *n, int rv);
	/* Called once when the negotiation is freed (on NNG's reaper, after
	 * its last callback returned): the owner's reference, so the owner
	 * and its mutex outlive every callback. */
	void (*gone)(void *arg);
	void *arg;
} mpc_tran_nego_params;

/* What a successful negotiation established about the peer. */
typedef struct mpc_tran_peer {
	uint32_t          self_id;
	uint32_t          peer_id;
	uint16_t          sp_peer;     /* the peer's SP protocol */
	uint32_t          max_payload; /* what we announced we accept */
	size_t            peer_max;    /* what the peer accepts */
	bool              tls;
	bool              binding; /* keys bound to the TLS exporter */
	mpc_tran_tls_peer tlsp;    /* with tls */
	uint8_t           session[NNG_MPC_SESSION_BINDING_SIZE];
	uint64_t          duration_ns; /* connection to confirmed keys */
	mpc_tran_source   src;
	char              remote[MPC_TRAN_REMOTE_LEN]; /* "addr:port" */
	bool              deliver;   /* both sides: delivery streams */
	uint32_t          dlv_msgs;  /* our window (mpc_tran_cfg) */
	size_t            dlv_bytes;
} mpc_tran_peer;

/*
 * Starts negotiating over conn (ownership passes to the negotiation).
 * Returns 0 (the callback will report, and gone will be called), or an
 * error with conn closed and freed, nothing allocated, and gone never
 * called.  Locked.
 */
__attribute__((warn_unused_result)) int mpc_tran_nego_start(
    mpc_tran_nego **np, nng_stream *conn, const mpc_tran_source *src,
    const mpc_tran_nego_params *prm);

/* Ends a negotiation early (its owner is closing): the callback reports
 * NNG_ECLOSED.  Locked. */
void mpc_tran_nego_close(mpc_tran_nego *n);

/* In the callback with 0: takes the stream, the channel and the peer. */
void mpc_tran_nego_take(
    mpc_tran_nego *n, nng_stream **conn, mpc_chan **chan, mpc_tran_peer *peer);

/* The source the negotiation was admitted from, the peer's address, and
 * the party its hello claimed (0 before the hello arrived). */
const mpc_tran_source *mpc_tran_nego_source(const mpc_tran_nego *n);
const char *           mpc_tran_nego_remote(const mpc_tran_nego *n);
uint32_t               mpc_tran_nego_party(const mpc_tran_nego *n);

/* Frees the negotiation (later, on NNG's reaper: its callbacks may still
 * be returning); whatever was not taken is wiped, closed and freed. */
void mpc_tran_nego_reap(mpc_tran_nego *n);

/* The list node an owner may keep its negotiations on. */
nni_list_node *mpc_tran_nego_node(mpc_tran_nego *n);
size_t         mpc_tran_nego_node_offset(void);

#endif /* NNG_MPC_TRANSPORT_MPC_TRAN_NEGO_H */
