/*
 * mpc_deliver.h -- a delivery stream: one sender's messages to one
 * receiver (per session and peer party), delivered exactly once and in
 * order across any number of connections.
 *
 * A stream's sequence numbers are independent of connections and key
 * epochs (the frame's own sequence is an AEAD nonce input and restarts
 * with every connection's keys).  The sender numbers messages 1, 2, 3, ...
 * and keeps each one until the receiver acknowledged it; acknowledgements
 * are cumulative ("every message up to n arrived"), so one 8-byte value
 * covers any number of messages and may ride on any frame going the other
 * way (the TCP and QUIC idea, RFC 9000 section 13.2, without ranges: a
 * stream runs over one ordered connection at a time, so nothing arrives
 * out of order and a single number is exact).
 *
 *   sender (mpc_deliver_tx)                 receiver (mpc_deliver_rx)
 *   push: seq = next++ (window permitting)
 *   next: transmit seq sent+1 ............► accept(seq): deliver iff
 *                                            seq == received + 1
 *   ack(n): release seq <= n ◄............. ack_take(): received
 *
 * Every connection begins with a resume record each way (before any data):
 * "I am stream incarnation I; of your stream (incarnation J) I received
 * everything up to R; my own oldest unacknowledged message is B".  The
 * sender then retransmits from R + 1 in order; the receiver discards what
 * it already has (NNG_MPC_EDUPLICATE, counted, never delivered twice).
 *
 * Incarnations are random nonzero 64-bit values a stream chooses when it
 * is created: a process that restarted has lost its streams, and the
 * changed incarnation tells the peer so, instead of the new process's
 * sequence 1 being mistaken for a duplicate of the old one's.
 *
 * The window bounds what the sender keeps: at most max_msgs messages and
 * max_bytes bytes unacknowledged.  A message larger than max_bytes fits
 * only into an empty window (else it could never be sent).  A full window
 * is the caller's backpressure signal (NNG_MPC_EWINDOWFULL), never a drop.
 *
 * The module stores the caller's message pointers and lengths and never
 * touches the bytes: releasing a message is the caller's callback.  No
 * NNG internals, no I/O, no clock.
 *
 * Threading: a stream is used under its owner's lock; the functions do no
 * locking of their own.
 */
#ifndef NNG_MPC_TRANSPORT_MPC_DELIVER_H
#define NNG_MPC_TRANSPORT_MPC_DELIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpc_cursor.h"

/* Window limits (messages and bytes unacknowledged per stream). */
#define MPC_DELIVER_WINDOW_MSGS_MIN      1u
#define MPC_DELIVER_WINDOW_MSGS_DEFAULT  4096u
#define MPC_DELIVER_WINDOW_MSGS_MAX      65536u
#define MPC_DELIVER_WINDOW_BYTES_MIN     1024u
#define MPC_DELIVER_WINDOW_BYTES_DEFAULT (8u << 20)
#define MPC_DELIVER_WINDOW_BYTES_MAX     (1u << 30)
/* Messages a stream may keep beyond a full window when it must
 * (mpc_deliver_tx_push_over): a send already accepted by a connection
 * that closed before the window had room. */
#define MPC_DELIVER_OVERFLOW 16u

/* One kept message: its stream sequence, the caller's pointer, its size. */
typedef struct mpc_deliver_item {
	uint64_t seq;
	void *   msg;
	size_t   len;
} mpc_deliver_item;

/* Called for every message the stream lets go (acknowledged or, at fini,
 * never acknowledged). */
typedef void (*mpc_deliver_release_fn)(void *arg, void *msg);

typedef struct mpc_deliver_tx {
	uint64_t          inc;     /* our incarnation (nonzero) */
	uint64_t          next;    /* sequence the next push gets (from 1) */
	uint64_t          acked;   /* every seq <= acked is acknowledged */
	uint64_t          sent;    /* seq <= sent went out on this connection */
	uint64_t          hi_sent; /* highest seq ever transmitted */
	bool              resumed; /* peer's resume record seen (may send) */
	uint32_t          max_msgs;
	size_t            max_bytes;
	size_t            bytes; /* bytes kept (unacknowledged) */
	uint32_t          head;  /* ring slot of seq acked + 1 */
	uint32_t          cap;   /* most kept: max_msgs + MPC_DELIVER_OVERFLOW */
	uint32_t          slots; /* ring slots now (grows to cap) */
	mpc_deliver_item *ring;
} mpc_deliver_tx;

typedef struct mpc_deliver_rx {
	uint64_t peer_inc; /* the sender's incarnation; 0 before first contact */
	uint64_t received; /* every seq <= received was accepted */
	uint64_t held;     /* accepted, handed on, not yet confirmed (0: none) */
	uint64_t acked;    /* the last cumulative ack handed out */
	bool     resumed;  /* the sender's resume record seen on this connection */
} mpc_deliver_rx;

/* --- sender --------------------------------------------------------------- */

/* inc: nonzero random; max_msgs, max_bytes within the limits above.
 * Returns 0, NNG_EINVAL or NNG_ENOMEM. */
int mpc_deliver_tx_init(mpc_deliver_tx *tx, uint64_t inc, uint32_t max_msgs,
    size_t max_bytes) MPC_MUST_CHECK;

/* Releases every message still kept (never acknowledged) through release
 * (may be NULL) and frees the ring.  Returns how many there were. */
uint32_t mpc_deliver_tx_fini(
    mpc_deliver_tx *tx, mpc_deliver_release_fn release, void *arg);

/* Messages kept (pushed, not yet acknowledged). */
uint32_t mpc_deliver_tx_kept(const mpc_deliver_tx *tx);

/* True when a message of len bytes fits into the window now. */
bool mpc_deliver_tx_fits(const mpc_deliver_tx *tx, size_t len);

/* Keeps msg as the stream's next message and returns its sequence in *seq.
 * NNG_MPC_EWINDOWFULL when it does not fit, NNG_ENOMEM when the ring
 * could not grow (nothing changed either way). */
int mpc_deliver_tx_push(mpc_deliver_tx *tx, void *msg, size_t len,
    uint64_t *seq) MPC_MUST_CHECK;

/* As mpc_deliver_tx_push, beyond a full window by at most
 * MPC_DELIVER_OVERFLOW messages (and any number of bytes). */
int mpc_deliver_tx_push_over(mpc_deliver_tx *tx, void *msg, size_t len,
    uint64_t *seq) MPC_MUST_CHECK;

/* The next message to transmit on this connection, in order: true and
 * *out filled (the stream keeps the message), or false when everything
 * kept went out or the peer's resume record has not arrived yet. */
bool mpc_deliver_tx_next(mpc_deliver_tx *tx, mpc_deliver_item *out);

/* The peer acknowledged every message up to ack: released through
 * release.  An ack below an earlier one changes nothing (0).
 * NNG_MPC_EACKAHEAD for an ack of a message never transmitted. */
int mpc_deliver_tx_ack(mpc_deliver_tx *tx, uint64_t ack,
    mpc_deliver_release_fn release, void *arg) MPC_MUST_CHECK;

/* The connection ended: nothing more goes out until the next resume. */
void mpc_deliver_tx_disconnect(mpc_deliver_tx *tx);

/* The first sequence the receiver may see next: the oldest kept message
 * (acked + 1), the "base" of our resume record. */
uint64_t mpc_deliver_tx_base(const mpc_deliver_tx *tx);

/* --- receiver ------------------------------------------------------------- */

void mpc_deliver_rx_init(mpc_deliver_rx *rx);

/* Accepts a message of the peer's stream: 0 deliver it, NNG_MPC_EDUPLICATE
 * (already delivered: discard), NNG_MPC_EGAP (a message is missing: the
 * peer broke the stream), NNG_MPC_EDELIVERCTL (data before the peer's
 * resume record).  State moves only on 0.
 *
 * An accepted message is "held" until mpc_deliver_rx_confirm(): handed to
 * a consumer that may still drop it (NNG's protocols drop the message they
 * hold for a full receive queue when the pipe closes).  Acknowledgements
 * and resume records never cover a held message, and a disconnect with
 * one held takes it back (received - 1): the sender still keeps it and
 * sends it again. */
int mpc_deliver_rx_accept(mpc_deliver_rx *rx, uint64_t seq) MPC_MUST_CHECK;

/* The held message is safe with its consumer. */
void mpc_deliver_rx_confirm(mpc_deliver_rx *rx);

/* Every message up to here is delivered for good: received, or one less
 * while a message is held. */
uint64_t mpc_deliver_rx_confirmed(const mpc_deliver_rx *rx);

/* True when at least every messages were confirmed since the last
 * ack_take(). */
bool mpc_deliver_rx_ack_due(const mpc_deliver_rx *rx, uint32_t every);

/* The cumulative ack to send now (and remembered as sent). */
uint64_t mpc_deliver_rx_ack_take(mpc_deliver_rx *rx);

/* The connection ended: a held message is taken back, and data is refused
 * until the next resume. */
void mpc_deliver_rx_disconnect(mpc_deliver_rx *rx);

/* Data is refused until the next resume; a held message stays held (its
 * consumer has not said yet whether it kept it). */
void mpc_deliver_rx_pause(mpc_deliver_rx *rx);

/* --- the resume exchange -------------------------------------------------- */

/*
 * The resume record one side sends at the start of every connection.
 *   inc       the sender's own stream incarnation
 *   peer_inc  the incarnation of the recipient's stream it has been
 *             receiving (0: none yet)
 *   received  every message of that stream up to here was delivered
 *             (confirmed: mpc_deliver_rx_confirmed)
 *   base      the sender's oldest kept message (its next seq if none)
 */
typedef struct mpc_deliver_resume {
	uint64_t inc;
	uint64_t peer_inc;
	uint64_t received;
	uint64_t base;
} mpc_deliver_resume;

/* Our resume record for a connection, from our tx and rx of that peer. */
void mpc_deliver_resume_make(const mpc_deliver_tx *tx,
    const mpc_deliver_rx *rx, mpc_deliver_resume *out);

/*
 * Applies the peer's resume record to our tx and rx of that peer:
 *   rx: a first contact adopts the peer's stream from base; the same
 *       incarnation continues (NNG_MPC_EGAP if the peer dropped messages
 *       we never received: base > received + 1); another incarnation means
 *       the peer restarted and lost its stream: adopted from base, and
 *       NNG_MPC_ESTREAMRESET is returned (the stream works; the caller
 *       reports the loss).
 *   tx: if the peer has been receiving this incarnation, what it received
 *       is acknowledged (NNG_MPC_EACKAHEAD if more than we ever sent);
 *       otherwise it starts on our stream at our base.  Either way
 *       transmission restarts after what it has.
 * On an error other than NNG_MPC_ESTREAMRESET nothing changed.
 * NNG_MPC_EDELIVERCTL for a record with a zero incarnation or base.
 */
int mpc_deliver_resume_apply(mpc_deliver_tx *tx, mpc_deliver_rx *rx,
    const mpc_deliver_resume *peer, mpc_deliver_release_fn release,
    void *arg) MPC_MUST_CHECK;

/* --- records on the wire --------------------------------------------------- */

/*
 * A delivery record, big-endian, at the start of a frame's payload (inside
 * the AEAD: the peer cannot forge or alter one):
 *   DATA    u8 1, u64 seq, u64 ack   then the application's bytes
 *   ACK     u8 2, u64 ack
 *   RESUME  u8 3, u64 inc, u64 peer_inc, u64 received, u64 base
 *   ACKREQ  u8 4, u64 upto   "acknowledge as soon as you have every
 *                             message up to upto" (a draining sender)
 * ack 0 means "nothing yet".  Any other kind, a short record, or bytes
 * after an ACK, RESUME or ACKREQ are NNG_MPC_EDELIVERCTL.
 */
enum mpc_deliver_kind {
	MPC_DELIVER_DATA   = 1,
	MPC_DELIVER_ACK    = 2,
	MPC_DELIVER_RESUME = 3,
	MPC_DELIVER_ACKREQ = 4,
};
#define MPC_DELIVER_DATA_SIZE   17
#define MPC_DELIVER_ACK_SIZE    9
#define MPC_DELIVER_RESUME_SIZE 33
#define MPC_DELIVER_ACKREQ_SIZE 9

typedef struct mpc_deliver_rec {
	enum mpc_deliver_kind kind;
	uint64_t              seq; /* DATA */
	uint64_t              ack; /* DATA, ACK */
	uint64_t              upto; /* ACKREQ */
	mpc_deliver_resume    resume; /* RESUME */
} mpc_deliver_rec;

/* Writes rec; false if the cursor has no room (nothing written). */
bool mpc_deliver_rec_write(mpc_wcursor *c, const mpc_deliver_rec *rec)
    MPC_MUST_CHECK;

/* Reads one record; a DATA record leaves the cursor at the application's
 * bytes.  0 or NNG_MPC_EDELIVERCTL (cursor unchanged). */
int mpc_deliver_rec_read(mpc_rcursor *c, mpc_deliver_rec *rec) MPC_MUST_CHECK;

#endif /* NNG_MPC_TRANSPORT_MPC_DELIVER_H */
