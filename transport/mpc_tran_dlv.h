/*
 * mpc_tran_dlv.h -- a pipe's part in delivery: how an mpc+* pipe carries
 * its party's delivery stream (mpc_tran_stream.h) when both sides turned
 * NNG_OPT_MPC_RELIABLE on (hello capability MPC_HELLO_CAP_DELIVER).
 *
 *   - A send for the pipe's party (or broadcast) is not written directly:
 *     it becomes the stream's next message (a DATA record with its stream
 *     sequence and our cumulative ack goes in front of the payload, inside
 *     the AEAD) and the send completes once the stream keeps it (on the
 *     send path's thread when a frame is in flight, mpc_tran_dlv.c).  A full
 *     window holds the send until the party acknowledges (backpressure:
 *     the protocol's send waits, NNG_OPT_SENDTIMEO applies to the
 *     application's).  A send on a closing pipe is kept by the stream and
 *     reported failed, so the protocol stops using that pipe.
 *   - The pipe writes the stream's kept messages in order, one frame each,
 *     through the ordinary send path (mpc_tran_send.c); after a reconnect
 *     it starts after what the party reported received.
 *   - Control frames of type NNG_MPC_MSG_CTL_DELIVER carry the RESUME
 *     record (first frame each way on every connection) and standalone
 *     ACK records: when half the window in messages (at least one) or a
 *     quarter of it in bytes was confirmed since the last ack, or
 *     MPC_TRAN_DLV_ACK_DELAY_MS after a message when no traffic carried
 *     one (MPC_TRAN_DLV_ACK_BUSY_MS right after traffic did).
 *   - A received message counts as delivered once the protocol asks for
 *     the next one (NNG's protocols hold a message they cannot queue and
 *     drop it when the pipe closes); the last one a closed pipe handed on
 *     is settled when the protocol stops the pipe, before any RESUME.
 *   - Received DATA records are checked against the stream: duplicates are
 *     discarded (counted), a gap or an ack of what was never sent closes
 *     the pipe (the peer broke the stream).
 *
 * Locking: everything here runs under the stream's mutex (taken after the
 * pipe's rxmtx on the receive path, never with its txmtx); frames are
 * handed to the send path with no lock held (deferred through the work
 * aio when the receive path decides to send), and the protocol's sends
 * complete with no lock held, never inside the protocol's own send call.
 */
#ifndef NNG_MPC_TRANSPORT_MPC_TRAN_DLV_H
#define NNG_MPC_TRANSPORT_MPC_TRAN_DLV_H

#include <stdbool.h>
#include <stdint.h>

#include "core/nng_impl.h"

#include "mpc_envelope.h"
#include "mpc_frame.h"

/* Standalone ACK: after this many messages unacknowledged (half the
 * window, at least 1), or this long after the first of them. */
#define MPC_TRAN_DLV_ACK_DELAY_MS NNG_MPC_DELIVER_ACK_DELAY_MS
/* Right after acks rode on traffic or went out by count, the delayed ack
 * waits this long instead: every expiry of an NNG 1.5.2 timer keeps its
 * expiry thread spinning for up to a millisecond (it compares whole
 * milliseconds with < on one side and <= on the other), so a 5 ms timer
 * under steady traffic cost about 1 us per 64 B message. */
#define MPC_TRAN_DLV_ACK_BUSY_MS 50
/* A kept send waits at most this long for the frame in flight before it
 * completes anyway (mpc_tran_dlv.c: the peer stopped draining). */
#define MPC_TRAN_DLV_STALL_MS 100

struct mpc_tran_pipe;

/* How the pipe's send path takes a frame (mpc_tran_send_submit). */
typedef void (*mpc_tran_dlv_submit_fn)(struct mpc_tran_pipe *p, nni_aio *aio);

/* The pipe (p->peer.deliver) joins its party's stream and sends RESUME.
 * 0 or NNG_ENOMEM. */
__attribute__((warn_unused_result)) int mpc_tran_dlv_attach(
    struct mpc_tran_pipe *p, mpc_tran_dlv_submit_fn submit);

/* Pipe close / stop / fini (no-ops without delivery). */
void mpc_tran_dlv_close(struct mpc_tran_pipe *p);
void mpc_tran_dlv_stop(struct mpc_tran_pipe *p);
void mpc_tran_dlv_fini(struct mpc_tran_pipe *p);

/* The send hook: true when delivery took the aio (it completes it). */
bool mpc_tran_dlv_send(struct mpc_tran_pipe *p, nni_aio *aio);

/* The send path's envelope for one of our control frames: true and *env
 * filled when aio is the pipe's control aio. */
bool mpc_tran_dlv_ctl_env(
    struct mpc_tran_pipe *p, nni_aio *aio, mpc_envelope_out *env);

/* The protocol posted a receive: the message it got last is its own (the
 * receive hook; called before the pipe's rxmtx is taken). */
void mpc_tran_dlv_recv_posted(struct mpc_tran_pipe *p);

/* True when type is a control frame delivery handles on this pipe. */
bool mpc_tran_dlv_ctl_type(const struct mpc_tran_pipe *p, uint16_t type);

/*
 * The receive hook, for an authenticated, checked frame: 0 with *consumed
 * (a control frame or a duplicate: not delivered) or clear (deliver msg,
 * its DATA record removed); or the error that closes the pipe
 * (NNG_MPC_EGAP, NNG_MPC_EACKAHEAD, NNG_MPC_EDELIVERCTL, NNG_ENOMEM).
 * Called under the pipe's rxmtx.
 */
__attribute__((warn_unused_result)) int mpc_tran_dlv_recv(
    struct mpc_tran_pipe *p, const mpc_frame_hdr *h, nni_msg *msg,
    bool *consumed);

/*
 * The stream's next message, from msg as a protocol sends it (envelope
 * prefix in the body, the protocol's header in the header): rewritten in
 * place to the layout of mpc_tran_dlv.c and kept.  over: beyond a full
 * window (bounded).  *lenp: the length the window counts.  0 (the stream
 * keeps msg), NNG_MPC_EWINDOWFULL (msg unchanged), the envelope's error
 * (msg unchanged) or NNG_ENOMEM (msg damaged).  Locked (stream).
 */
struct mpc_tran_stream;
__attribute__((warn_unused_result)) int mpc_tran_dlv_keep_msg(
    struct mpc_tran_stream *st, nni_msg *msg, bool over, size_t *lenp);

/* A socket drains (nng_mpc_socket_drain, the close linger): each party
 * whose stream keeps unacknowledged messages is asked (an ACKREQ record,
 * mpc_deliver.h) to acknowledge them as soon as it has them all, not
 * after its delayed ack (up to MPC_TRAN_DLV_ACK_BUSY_MS).  Once per
 * pipe and last message: calling it again only asks for what is new.
 * Takes the registry lock, then each stream's. */
void mpc_tran_dlv_request_acks(uint32_t sock_id);

/* The pipe carrying a stream writes what the stream keeps now.  Locked
 * (stream). */
struct mpc_tran_dlv;
void mpc_tran_dlv_wake(struct mpc_tran_dlv *d);

#endif /* NNG_MPC_TRANSPORT_MPC_TRAN_DLV_H */
