/*
 * mpc_tran_pipe.h -- an mpc+* pipe: a connection whose keys are confirmed,
 * carrying one sealed frame per NNG message in each direction (frame
 * layout: include/nng_mpc.h, "The frame").
 *
 *   mpc_tran_pipe.c   lifecycle: made from a negotiation's result, handed
 *                     to the socket, closed, stopped, freed
 *   mpc_tran_send.c   the send path (its state: mpc_tran_tx_state)
 *   mpc_tran_recv.c   the receive path (its state: mpc_tran_rx_state)
 *
 * Data buffers exist only here, so only after authentication: nothing but
 * the negotiation's small state is allocated for a connection whose peer
 * has not proved it holds the keys (mpc_tran_nego.h).
 *
 * Locking: txmtx for the send side, rxmtx for the receive side (the crypto
 * channel's two halves, which allow one sender and one receiver at a time
 * without a lock of their own).  Neither is held with the other.  Taken
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
	/* Called once from the pipe's fini (the endpoint's reference). */
	void (*gone)(void *owner, mpc_tran_pipe *p);
	void *owner;
} mpc_tran_pipe_params;

struct mpc_tran_pipe {
	nng_stream *    conn;
	nni_pipe *      npipe;
	void *          owner;
	void (*gone)(void *owner, mpc_tran_pipe *p);
	uint16_t        proto;
	nni_list_node   node; /* on one of the endpoint's lists */
	mpc_tran_party  party; /* in the registry while live */
	nni_atomic_flag reaped;
	nni_reap_node   reap;
	mpc_tran_peer   peer; /* fixed once negotiated */
	uint32_t        reject_limit;
	int             close_reason; /* why we closed it, or 0 */

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

	mpc_tran_pipe_stats stats;

	struct mpc_tran_dlv *dlv; /* delivery stream carrier, or NULL */
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

/* ---- mpc_tran_send.c (under txmtx unless said) */
void mpc_tran_send(void *arg, nni_aio *aio); /* the p_send op */
/* Queues a send past the delivery hook (takes txmtx). */
void mpc_tran_send_submit(mpc_tran_pipe *p, nni_aio *aio);
void mpc_tran_send_cb(void *arg);            /* txaio's callback */
void mpc_tran_send_close(mpc_tran_pipe *p);  /* takes txmtx */

/* ---- mpc_tran_recv.c (under rxmtx unless said) */
void mpc_tran_recv(void *arg, nni_aio *aio); /* the p_recv op */
void mpc_tran_recv_cb(void *arg);            /* rxaio's callback */
void mpc_tran_recv_grace_cb(void *arg);      /* rxgrace's callback */
void mpc_tran_recv_close(mpc_tran_pipe *p);  /* takes rxmtx */

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
