/*
 * mpc_tran.h -- internal declarations shared by the mpc+* transport files.
 *
 * The transport is split by concern:
 *   mpc_tran.c        ops tables, registration, dialer/listener endpoints,
 *                     the per-socket party registry
 *   mpc_tran_nego.c   connection negotiation: SP header, MPC hello, key
 *                     confirmation (drives mpc_tran_hello.c over an aio)
 *   mpc_tran_pipe.c   the pipe: one sealed frame per message, both ways
 *   mpc_tran_opts.c   endpoint and pipe options
 *   mpc_tran_hello.c  the hello/finished records and key derivation, pure
 *                     (no NNG internals; the test clients link it too)
 *
 * These four .c files and this header are the only code in the project that
 * includes NNG's internal headers (src/core, src/sp): porting to another NNG
 * release touches only them.
 *
 * Locking (stated once here):
 *   ep->mtx    endpoint state, its three pipe lists, the user aio, and each
 *              negotiating pipe's negotiation state (the negotiation aio's
 *              callback runs under it, as in NNG's tcp transport).
 *   p->txmtx   the send queue, the send aio and the channel's send side.
 *   p->rxmtx   the receive queue, the receive aio and the channel's receive
 *              side.  The crypto channel allows one sender and one receiver
 *              at a time without a lock of its own; these two mutexes
 *              provide exactly that.
 *   registry   mpc_tran_party_lk protects the process-wide list of
 *              authenticated (socket, party) pairs.
 *   Lock order: ep->mtx, then p->txmtx or p->rxmtx (an endpoint closing
 *   its pipes), then mpc_tran_party_lk.  Nothing takes ep->mtx while
 *   holding a pipe mutex, and txmtx and rxmtx are never held together.
 *   Counters are atomics and are read without locks.
 */
#ifndef NNG_MPC_TRANSPORT_MPC_TRAN_H
#define NNG_MPC_TRANSPORT_MPC_TRAN_H

#include <stdbool.h>
#include <stdint.h>

#include "core/nng_impl.h"
#include "sp/transport.h"

#include <nng/supplemental/tls/tls.h>

#include "nng_mpc.h"

#include "mpc_channel.h"
#include "mpc_frame.h"
#include "mpc_tls_bridge.h"
#include "mpc_tran_cfg.h"
#include "mpc_tran_hello.h"

typedef struct mpc_tran_ep   mpc_tran_ep;
typedef struct mpc_tran_pipe mpc_tran_pipe;

/* Which stream the scheme runs over; decides identity and binding rules. */
typedef enum mpc_tran_kind {
	MPC_TRAN_TCP,
	MPC_TRAN_TLS,
	MPC_TRAN_IPC,
} mpc_tran_kind;

/* Handshake rejection counters of an endpoint (one per reason). */
typedef enum mpc_tran_rej {
	MPC_TRAN_REJ_HELLO,      /* malformed hello or finished record */
	MPC_TRAN_REJ_VERSION,    /* unsupported hello version */
	MPC_TRAN_REJ_SESSION,    /* another session ID */
	MPC_TRAN_REJ_KEY,        /* finished MAC mismatch */
	MPC_TRAN_REJ_CERT,       /* claimed party differs from certificate */
	MPC_TRAN_REJ_DUP,        /* party already connected on the socket */
	MPC_TRAN_REJ_SELF,       /* peer claims our own party ID */
	MPC_TRAN_REJ_CAPS,       /* channel binding on one side only */
	MPC_TRAN_REJ_IDENTITY,   /* no certificate identity / no exporter */
	MPC_TRAN_REJ_BY_PEER,    /* the peer rejected us */
	MPC_TRAN_REJ_TIMEOUT,    /* handshake did not finish in time */
	MPC_TRAN_REJ_OTHER,      /* I/O error or protocol header mismatch */
	MPC_TRAN_REJ_COUNT,
} mpc_tran_rej;

/* Negotiation progress of one pipe (mpc_tran_nego.c). */
typedef enum mpc_tran_nego_state {
	MPC_NEGO_HELLO,    /* SP header + hello out, SP header, hello in */
	MPC_NEGO_FINISHED, /* finished record out and in */
	MPC_NEGO_REJECT,   /* our refusal out; reading until the peer closes */
	MPC_NEGO_LINGER,   /* refused after our finished: reading until close */
	MPC_NEGO_DONE,     /* keys confirmed: the pipe carries frames */
	MPC_NEGO_FAILED,   /* ended; the pipe is being reaped */
} mpc_tran_nego_state;

/* One direction of the negotiation: a buffer being sent or filled. */
typedef struct mpc_tran_nego_io {
	nni_aio *aio;
	uint8_t *buf;
	size_t   got;
	size_t   want;
	bool     done; /* this phase's transfer is complete */
} mpc_tran_nego_io;

struct mpc_tran_ep {
	nni_mtx              mtx;
	mpc_tran_kind        kind;
	bool                 is_dialer;
	uint16_t             proto;
	uint32_t             sock_id;
	size_t               rcvmax;
	bool                 started;
	bool                 closed;
	bool                 fini;
	int                  refcnt;
	nni_url *            url;   /* the mpc+* URL (owned by the core) */
	nni_url *            inner; /* tcp:// tls+tcp:// ipc:// (ours) */
	nni_list             busypipes; /* handed to the socket */
	nni_list             waitpipes; /* negotiated, waiting for accept */
	nni_list             negopipes; /* negotiating */
	nni_reap_node        reap;
	nng_stream_dialer *  dialer;
	nng_stream_listener *listener;
	nng_tls_config *     tls_src; /* TLS settings' source (held), TLS only */
	nni_aio *            useraio;
	nni_aio *            connaio;
	nni_aio *            timeaio;
	mpc_tran_cfg         cfg; /* MPC options (session key wiped at fini) */
	nni_atomic_u64       rej[MPC_TRAN_REJ_COUNT];
	nni_atomic_u64       accepted; /* pipes that finished the handshake */
};

/*
 * Sending seals frames into one of two per-pipe buffers of this size and
 * writes a buffer with ONE stream write of one piece, while the other
 * fills (mpc_tran_pipe_tx_run says when frames share a write).  Writing
 * from the message instead needs three pieces (header, payload, tag), and
 * NNG's TLS stream makes each piece a write of its own: a pass through its
 * TLS layer, a TLS record (RFC 8446 5.1) and a task hand-off each; and
 * when the protocol put a header on the message (pair1's hop count) the
 * payload must first be made contiguous, which for a large power-of-two
 * body means a new allocation and a copy anyway.  128 KiB holds a 64 KiB
 * message's frame; larger frames are written from their message.
 */
#define MPC_TRAN_TXBUF_SIZE (128 * 1024)

/*
 * Receiving reads ahead into a per-pipe buffer of this size, so one stream
 * read (over TLS one pass through NNG's TLS layer) brings in many small
 * frames, and a 64 KiB frame usually arrives with one read instead of a
 * header read and further reads for the rest, each a task hand-off.  Since
 * senders put many frames into one write (mpc_tran_pipe_tx_run) this
 * holds over TCP and IPC too: reading one header at a time there cost two
 * reads and about two thread switches per 64-byte message, and the
 * receiver became the bottleneck (`nngmpc bench`, switches column).  A
 * payload longer than what is buffered is read straight into its message.
 */
#define MPC_TRAN_RXBUF_SIZE (128 * 1024)

/* Pipe counters, read through the read-only pipe options. */
typedef enum mpc_tran_ctr {
	MPC_CTR_FRAMES_IN,
	MPC_CTR_FRAMES_OUT,
	MPC_CTR_BYTES_IN,  /* payload bytes delivered */
	MPC_CTR_BYTES_OUT, /* payload bytes sealed and written */
	MPC_CTR_AUTH_FAIL, /* tag did not verify */
	MPC_CTR_REPLAY,    /* replayed, or left of the replay window */
	MPC_CTR_RX_EPOCH,  /* epoch wiped or too far ahead, or past the
	                      per-key sequence limit */
	MPC_CTR_RX_SENDER, /* authentic, but sender is not the peer */
	MPC_CTR_RX_RCPT,   /* authentic, but addressed to another party */
	MPC_CTR_RX_SESSION,/* authentic, but another session binding */
	MPC_CTR_RX_TYPE,   /* authentic, but a control type we do not take */
	MPC_CTR_TX_SKIPPED,/* addressed to another party: not written here */
	MPC_CTR_TX_DROPPED,/* bad envelope / to ourselves / over peer's max */
	MPC_CTR_COUNT,
} mpc_tran_ctr;

struct mpc_tran_pipe {
	nng_stream *    conn;
	nni_pipe *      npipe;
	mpc_tran_ep *   ep;
	uint16_t        proto;
	uint16_t        peer;
	nni_list_node   node;       /* on one of ep's lists */
	nni_list_node   party_node; /* in the party registry once registered */
	bool            registered;
	uint32_t        sock_id; /* the socket the party registry keys on */
	nni_atomic_flag reaped;
	nni_reap_node   reap;

	/* Negotiation (under ep->mtx).  Both directions run at once. */
	mpc_tran_nego_io    ntx;
	mpc_tran_nego_io    nrx;
	nni_aio *           negotimer; /* the deadline, independent of I/O */
	bool                nego_timedout;
	mpc_tran_nego_state nego;
	nni_time            nego_deadline;
	int                 nego_reject;  /* our reason when refusing */
	bool                nego_counted; /* a rejection counter moved */
	uint8_t             nego_scratch[64]; /* what a lingering read gets */
	mpc_tran_hs         hs; /* hello state; secrets wiped when done */

	/* Identity, fixed once negotiated. */
	uint32_t self_id;
	uint32_t peer_id;
	size_t   peer_max;         /* peer's announced maximum payload */
	char     peer_subject[MPC_TLS_PEER_SUBJECT_LEN]; /* TLS only */
	char     tls_version[MPC_TLS_PEER_NAME_LEN];
	char     tls_cipher[MPC_TLS_PEER_NAME_LEN];
	uint8_t  peer_pin[NNG_MPC_TLS_PIN_SIZE]; /* SHA-256 of peer's SPKI */

	/* Data path. */
	mpc_chan *     chan;
	uint8_t        binding[NNG_MPC_SESSION_BINDING_SIZE];
	nni_atomic_u64 rcvmax; /* NNG_OPT_RECVMAXSZ; 0: the MPC maximum */
	uint32_t       maxpayload; /* the MPC maximum we announced */

	nni_mtx  txmtx;
	nni_list sendq;   /* sends not sealed yet */
	nni_list sealedq; /* sealed by a send call: complete with the write */
	nni_aio *txaio;
	nni_aio *txbig;   /* the send whose frame txaio writes from its msg */
	bool     txbusy;  /* txaio has a stream write outstanding */
	unsigned txincb;  /* write callbacks running the queue */
	bool     txclosed; /* no more writes: queued sends fail */
	int      txerr;    /* a write failed: the stream is out of step */
	uint8_t *txbuf;  /* 2 x MPC_TRAN_TXBUF_SIZE: sealed frames */
	unsigned txcur;  /* the half being filled (the other may be written) */
	size_t   txfill; /* bytes sealed into it, not yet written */
	uint8_t  txhdr[NNG_MPC_FRAME_HEADER_SIZE];
	uint8_t  txtag[NNG_MPC_FRAME_TAG_SIZE];

	nni_mtx        rxmtx;
	nni_list       recvq;
	nni_aio *      rxaio;
	uint8_t *      rxbuf;     /* read-ahead buffer of rxcap bytes */
	size_t         rxcap;
	size_t         rxoff;     /* first unconsumed byte of rxbuf */
	size_t         rxend;     /* end of the bytes in rxbuf */
	bool           rxpartial; /* reading a frame's rest into rxmsg */
	bool           rxincb;    /* the receive callback is delivering */
	bool           rxbusy;   /* rxaio has a stream read outstanding */
	bool           rxclosed; /* no more reads: queued receives fail */
	nni_msg *      rxmsg;
	mpc_frame_hdr  rxh; /* decoded header of the frame being read */
	mpc_wire_stats rxwire;
	uint8_t        rxhdr[NNG_MPC_FRAME_HEADER_SIZE];
	uint8_t        rxtag[NNG_MPC_FRAME_TAG_SIZE];

	nni_atomic_u64 ctr[MPC_CTR_COUNT];
};

/* ---- mpc_tran.c */
int  mpc_tran_register(void);
void mpc_tran_ep_match(mpc_tran_ep *ep);
void mpc_tran_ep_nego_failed(mpc_tran_ep *ep, int rv);
void mpc_tran_ep_pipe_gone(mpc_tran_ep *ep, mpc_tran_pipe *p);
bool mpc_tran_party_connected(uint32_t sock_id, uint32_t party);
__attribute__((warn_unused_result)) int mpc_tran_party_register(
    mpc_tran_pipe *p);
void mpc_tran_party_unregister(mpc_tran_pipe *p);

/* ---- mpc_tran_nego.c (all under ep->mtx) */
void mpc_tran_nego_start(mpc_tran_pipe *p, nng_stream *conn, mpc_tran_ep *ep);
void mpc_tran_nego_tx_cb(void *arg);
void mpc_tran_nego_rx_cb(void *arg);
void mpc_tran_nego_timer_cb(void *arg);
void mpc_tran_nego_fail(mpc_tran_pipe *p, int rv);

/* ---- mpc_tran_pipe.c */
extern const nni_sp_pipe_ops mpc_tran_pipe_ops;
__attribute__((warn_unused_result)) int mpc_tran_pipe_alloc(
    mpc_tran_pipe **pp);
void     mpc_tran_pipe_fini(void *arg);
void     mpc_tran_pipe_close(void *arg);
void     mpc_tran_pipe_reap(mpc_tran_pipe *p);
void     mpc_tran_pipe_set_rcvmax(mpc_tran_pipe *p, size_t rcvmax);
uint64_t mpc_tran_pipe_epoch(mpc_tran_pipe *p, bool recv);
uint64_t mpc_tran_now_ns(void);

/* ---- mpc_tran_opts.c */
int mpc_tran_dialer_getopt(void *, const char *, void *, size_t *, nni_type);
int mpc_tran_dialer_setopt(
    void *, const char *, const void *, size_t, nni_type);
int mpc_tran_listener_getopt(
    void *, const char *, void *, size_t *, nni_type);
int mpc_tran_listener_setopt(
    void *, const char *, const void *, size_t, nni_type);
int mpc_tran_pipe_getopt(void *, const char *, void *, size_t *, nni_type);
__attribute__((warn_unused_result)) int mpc_tran_ep_tls_sync(
    mpc_tran_ep *ep);
__attribute__((warn_unused_result)) int mpc_tran_ep_tls_init(
    mpc_tran_ep *ep);
void mpc_tran_ep_tls_fini(mpc_tran_ep *ep);

#endif /* NNG_MPC_TRANSPORT_MPC_TRAN_H */
