/*
 * mpc_tran_pipe.h -- an mpc+* pipe: a connection whose keys are confirmed,
 * carrying one sealed frame per NNG message in each direction (frame
 * layout: include/nng_mpc.h, "The frame").
 *
 *   mpc_tran_pipe.c   lifecycle: made from a negotiation's result, handed
 *                     to the socket, closed, stopped, freed
 *   mpc_tran_send.c   the send path (its state: mpc_tran_tx_state)
 *   mpc_tran_recv.c   the receive path (its state: mpc_tran_rx_state),
 *                     with the peer's rate limit (mpc_tran_limit.h)
 *   mpc_tran_live.c   liveness: heartbeats, dead peers, idle timeout and
 *                     maximum lifetime, on a timer of its own
 *
 * Data buffers exist only here, so only after authentication: nothing but
 * the negotiation's small state is allocated for a connection whose peer
 * has not proved it holds the keys (mpc_tran_nego.h).
 *
 * Locking: txmtx for the send side, rxmtx for the receive side (the crypto
 * channel's two halves, which allow one sender and one receiver at a time
 * without a lock of their own).  The receive side may take txmtx while it
 * holds rxmtx (to answer a heartbeat), never the reverse: nothing under
 * txmtx takes rxmtx.  The liveness timer's state is its callback's own
 * (NNG runs one callback of an aio at a time).  Taken
 * after the endpoint's mutex (an endpoint closing its pipes), before the
 * party registry's.  Counters are atomic NNG statistics.
 */
#ifndef NNG_MPC_TRANSPORT_MPC_TRAN_PIPE_H
#define NNG_MPC_TRANSPORT_MPC_TRAN_PIPE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/nng_impl.h"
#include "sp/transport.h"

#include "mpc_channel.h"
#include "mpc_frame.h"
#include "mpc_tran_admit.h"
#include "mpc_tran_hold.h"
#include "mpc_tran_limit.h"
#include "mpc_tran_nego.h"
#include "mpc_tran_reason.h"

/*
 * Sending seals frames into one of two per-pipe buffers of this size and
 * writes a buffer with ONE stream write of one piece, while the other
 * fills (mpc_tran_send.c says when frames share a write).  Writing from
 * the message instead needs three pieces (header, payload, tag), and NNG's
 * TLS stream makes each piece a write of its own: a pass through its TLS
 * layer, a TLS record (RFC 8446 5.1) and a task hand-off each; and when
 * the protocol put a header on the message (pair1's hop count) the payload
 * must first be made contiguous, which for a large power-of-two body means
 * a new allocation and a copy anyway.  128 KiB holds a 64 KiB message's
 * frame; larger frames are written from their message.
 */
#define MPC_TRAN_TXBUF_SIZE (128 * 1024)

/*
 * Receiving reads ahead into a per-pipe buffer of this size, so one stream
 * read (over TLS one pass through NNG's TLS layer) brings in many small
 * frames, and a 64 KiB frame usually arrives with one read instead of a
 * header read and further reads for the rest, each a task hand-off.  Since
 * senders put many frames into one write this holds over TCP and IPC too:
 * reading one header at a time there cost two reads and about two thread
 * switches per 64-byte message, and the receiver became the bottleneck
 * (`nngmpc bench`, switches column).  A payload longer than what is
 * buffered is read straight into its message.
 */
#define MPC_TRAN_RXBUF_SIZE (128 * 1024)

/* Default and range of NNG_OPT_MPC_REJECT_LIMIT. */
#define MPC_TRAN_REJECT_LIMIT_DEFAULT 64
#define MPC_TRAN_REJECT_LIMIT_MIN     1
#define MPC_TRAN_REJECT_LIMIT_MAX     65535

/* The send side.  txincb (below) is not a state: it counts write
 * callbacks running the queue, during which sends only queue. */
typedef enum mpc_tran_tx_state {
	MPC_TX_IDLE,    /* no stream write outstanding */
	MPC_TX_WRITING, /* a stream write outstanding */
	MPC_TX_FAILED,  /* a write failed (txerr): out of step, no more */
	MPC_TX_CLOSED,  /* closed: no more writes */
} mpc_tran_tx_state;

/* The receive side. */
typedef enum mpc_tran_rx_state {
	MPC_RX_IDLE,       /* no read outstanding, not delivering */
	MPC_RX_READING,    /* reading ahead into rxbuf */
	MPC_RX_READING_REST,/* reading a frame's rest into its message */
	MPC_RX_DELIVERING, /* our callback is completing receives */
	MPC_RX_THROTTLED,  /* over the rate limit: not reading until rxlimit
	                      fires */
	MPC_RX_CLOSED,     /* no more reads: queued receives fail */
} mpc_tran_rx_state;

typedef struct mpc_tran_pipe mpc_tran_pipe;

/* What a pipe needs from its endpoint when it is made. */
typedef struct mpc_tran_pipe_params {
	nng_stream *   conn; /* ownership passes to the pipe */
	mpc_chan *     chan; /* ownership passes to the pipe */
	mpc_tran_peer  peer;
	uint16_t       proto;
	uint32_t       sock_id;
	size_t         rcvmax;
	uint32_t       reject_limit;
	const mpc_tran_limits *lim; /* rate limit, liveness: copied */
	struct mpc_hist *hist_delay; /* delivery delays, or NULL */
	void *           sink;       /* the observer's sink (held), or NULL */
	const char *     url;        /* the endpoint's URL (outlives the pipe) */
	bool             dialer;     /* made by a dialer */
	const struct mpc_tran_cfg *cfg; /* echo broadcast settings, or NULL */
	struct nng_tls_config *    tls; /* the endpoint's TLS source, or NULL */
	/* Called first in the pipe's fini: off the endpoint's lists, which
	 * its close and a reload walk, before anything is torn down. */
	void (*leaving)(void *owner, mpc_tran_pipe *p);
	/* Called once from the pipe's fini (the endpoint's reference). */
	void (*gone)(void *owner, mpc_tran_pipe *p);
	void *owner;
} mpc_tran_pipe_params;

struct mpc_tran_pipe {
	nng_stream *    conn;
	nni_pipe *      npipe;
	void *          owner;
	void (*leaving)(void *owner, mpc_tran_pipe *p);
	void (*gone)(void *owner, mpc_tran_pipe *p);
	uint16_t        proto;
	nni_list_node   node; /* on one of the endpoint's lists */
	mpc_tran_party  party; /* in the registry while live */
	nni_atomic_flag reaped;
	nni_reap_node   reap;
	mpc_tran_peer   peer; /* fixed once negotiated */
	uint32_t        reject_limit;
	int             close_reason; /* why we closed it, or 0 */
	struct mpc_hist *hist_delay;  /* delivery delays, or NULL */
	void *          sink;   /* the observer's sink (held), or NULL */
	const char *    url;    /* the endpoint's URL */
	bool            dialer;
	uint64_t        tx_epoch_seen; /* last send epoch reported */
	uint64_t        rx_epoch_seen; /* last receive epoch reported */
	uint64_t        rej_reported_ns; /* when rejects were last reported */

	mpc_chan *     chan;
	nni_atomic_u64 rcvmax; /* NNG_OPT_RECVMAXSZ; 0: the MPC maximum */

	nni_mtx           txmtx;
	mpc_tran_tx_state txstate;
	int               txerr; /* MPC_TX_FAILED: the write's error */
	unsigned          txincb;
	nni_list          sendq;   /* sends not sealed yet */
	nni_list          sealedq; /* sealed by a send call: complete with
	                              the write that carries them */
	nni_aio *         txaio;
	nni_aio *         txbig; /* the send whose frame txaio writes from
	                            its message */
	uint8_t *         txbuf; /* 2 x MPC_TRAN_TXBUF_SIZE: sealed frames */
	unsigned          txcur; /* the half being filled */
	size_t            txfill; /* bytes sealed into it, not written */
	uint8_t           txhdr[NNG_MPC_FRAME_HEADER_SIZE];
	uint8_t           txtag[NNG_MPC_FRAME_TAG_SIZE];
	mpc_tran_rate     txrate;  /* optional send shaping */
	nni_aio *         txlimit; /* ends a shaping wait */
	bool              txlimit_armed;

	nni_mtx           rxmtx;
	mpc_tran_rx_state rxstate;
	nni_list          recvq;
	nni_aio *         rxaio;
	nni_aio *         rxgrace; /* wipes the previous epoch's keys */
	bool              rxgrace_armed;
	uint8_t *         rxbuf; /* read-ahead buffer of rxcap bytes */
	size_t            rxcap;
	size_t            rxoff; /* first unconsumed byte of rxbuf */
	size_t            rxend; /* end of the bytes in rxbuf */
	nni_msg *         rxmsg; /* the frame being read / opened */
	mpc_frame_hdr     rxh;   /* its decoded header */
	mpc_wire_stats    rxwire;
	uint8_t           rxhdr[NNG_MPC_FRAME_HEADER_SIZE];
	uint8_t           rxtag[NNG_MPC_FRAME_TAG_SIZE];
	mpc_tran_rate     rxrate;  /* the peer's receive rate limit */
	nni_aio *         rxlimit; /* ends a throttle */
	uint64_t          rttvar_us; /* RFC 6298 RTTVAR, under rxmtx */
	uint64_t          rxstall_at; /* adaptive: frames waiting on a full
	                                 socket queue since (ns), or 0 */

	/* Liveness (mpc_tran_live.c): settings, then the timer's own state.
	 * The counters below are what the timer watches move. */
	nni_aio *      live;
	uint32_t       hb_ms;       /* 0: no heartbeats */
	uint32_t       dead_after;  /* heartbeat intervals of silence */
	uint32_t       idle_ms;     /* 0: no idle timeout */
	uint32_t       lifetime_ms; /* 0: no maximum */
	uint64_t       born_ns;
	uint64_t       seen_rx;  /* auth_in, at its last change */
	uint64_t       seen_tx;  /* sealed_out */
	uint64_t       seen_app; /* frames in + frames out */
	uint64_t       rx_at;    /* ns of the last change of each */
	uint64_t       tx_at;
	uint64_t       app_at;
	uint64_t       probe_at; /* ns of our first heartbeat since the peer
	                            was last heard, or 0 */
	nni_atomic_u64 auth_in;    /* frames authenticated, of every type */
	nni_atomic_u64 sealed_out; /* frames sealed, of every type */
	nni_atomic_u64 rtt_us;  /* last round-trip; 0: none yet */
	nni_atomic_u64 srtt_us; /* smoothed (RFC 6298 2.2, 2.3) */

	mpc_tran_pipe_stats stats;
	mpc_tran_hold       hold; /* success completions vs NNG's stop */

	struct mpc_tran_dlv *dlv; /* delivery stream carrier, or NULL */
	struct mpc_tran_echo_link *echo; /* echo broadcast, or NULL */
};

/* ---- mpc_tran_pipe.c: lifecycle */
__attribute__((warn_unused_result)) int mpc_tran_pipe_alloc(
    mpc_tran_pipe **pp, const mpc_tran_pipe_params *prm);
int      mpc_tran_pipe_init(void *arg, nni_pipe *npipe);
void     mpc_tran_pipe_close(void *arg);
void     mpc_tran_pipe_stop(void *arg);
void     mpc_tran_pipe_fini(void *arg);
void     mpc_tran_pipe_reap(mpc_tran_pipe *p);
uint16_t mpc_tran_pipe_peer(void *arg);
void     mpc_tran_pipe_set_rcvmax(mpc_tran_pipe *p, size_t rcvmax);
uint64_t mpc_tran_pipe_epoch(mpc_tran_pipe *p, bool recv);
/* From p_send and p_recv: the protocol's calls into the pipe; the first
 * makes the pipe closable by its NNG ID (mpc_tran_admit.h). */
void mpc_tran_pipe_started(mpc_tran_pipe *p);
/* Closes the pipe from the transport's side (dead peer, idle, lifetime):
 * through NNG once the protocol started it, else by our close. */
void mpc_tran_pipe_close_nng(mpc_tran_pipe *p);

/* ---- mpc_tran_pipe_ev.c: events of a live pipe for the observer
 * (mpc_tran_event.h): a key epoch changed (recv: which direction), and
 * rejected frames, aggregated: at most one report per second per pipe. */
void mpc_tran_pipe_ev_rekey(mpc_tran_pipe *p, bool recv, uint64_t epoch);
/* The pipe's counters an event carries. */
struct mpc_tran_event_counts;
void mpc_tran_pipe_ev_counts(
    mpc_tran_pipe *p, struct mpc_tran_event_counts *c);
void mpc_tran_pipe_ev_rejects(mpc_tran_pipe *p, int reason);
/* An equivocation of the pipe's peer (reason NNG_MPC_EEQUIVOCATION,
 * detail: sequence, type, both digests, witness). */
void mpc_tran_pipe_ev_equivocation(mpc_tran_pipe *p, const char *detail);

/* ---- mpc_tran_send.c (under txmtx unless said) */
void mpc_tran_send(void *arg, nni_aio *aio); /* the p_send op */
/* Queues a send past the delivery hook (takes txmtx). */
void mpc_tran_send_submit(mpc_tran_pipe *p, nni_aio *aio);
void mpc_tran_send_cb(void *arg);            /* txaio's callback */
void mpc_tran_send_close(mpc_tran_pipe *p);  /* takes txmtx */
void mpc_tran_send_limit_cb(void *arg);      /* txlimit's callback */
/* Seals a heartbeat control frame (NNG_MPC_MSG_CTL_PING or _PONG) with
 * its 8-byte token and writes it with what else is sealed; skipped when
 * the buffer is full behind a write (the pipe is not idle then).  Takes
 * txmtx. */
void mpc_tran_send_ctl(mpc_tran_pipe *p, uint16_t type, uint64_t token);
/* The same with a payload of len bytes (echo broadcast frames, delivery
 * acks); dropped when both buffers are busy (an echoed broadcast then
 * times out; an ack goes the queued way, mpc_tran_dlv.c).  true when the
 * frame is sealed and on its way. */
bool mpc_tran_send_ctl_data(
    mpc_tran_pipe *p, uint16_t type, const uint8_t *data, size_t len);

/* ---- mpc_tran_recv.c (under rxmtx unless said) */
void mpc_tran_recv(void *arg, nni_aio *aio); /* the p_recv op */
void mpc_tran_recv_cb(void *arg);            /* rxaio's callback */
void mpc_tran_recv_grace_cb(void *arg);      /* rxgrace's callback */
void mpc_tran_recv_close(mpc_tran_pipe *p);  /* takes rxmtx */
void mpc_tran_recv_limit_cb(void *arg);      /* rxlimit's callback */
/* Whether the receive side is waiting on the wire now (a silent peer
 * means something only then).  Takes rxmtx. */
bool mpc_tran_recv_waiting(mpc_tran_pipe *p);
/* Sets why the pipe is closed, unless a reason is set.  Takes rxmtx. */
void mpc_tran_recv_set_reason(mpc_tran_pipe *p, int rv);

/* ---- mpc_tran_live.c */
void mpc_tran_live_start(mpc_tran_pipe *p); /* from pipe init */
void mpc_tran_live_cb(void *arg);           /* the timer's callback */

/* ---- shared by both paths */

/*
 * Fails every queued user aio except one whose transfer is outstanding
 * (closing our aio aborts that transfer, and its callback fails it).
 * Without this, an aio queued after our aio was closed would wait
 * forever: a closed aio silently refuses new stream operations, so its
 * callback never runs.  Locked.
 */
static inline void
mpc_tran_pipe_fail_queue(nni_list *q, bool busy, int rv)
{
	nni_aio *aio = nni_list_first(q);

	if (busy && (aio != NULL)) {
		aio = nni_list_next(q, aio);
	}
	while (aio != NULL) {
		nni_aio *next = nni_list_next(q, aio);
		nni_aio_list_remove(aio);
		nni_aio_finish_error(aio, rv);
		aio = next;
	}
}

#endif /* NNG_MPC_TRANSPORT_MPC_TRAN_PIPE_H */
