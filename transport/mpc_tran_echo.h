/*
 * mpc_tran_echo.h -- echo broadcast on a socket's pipes
 * (NNG_OPT_MPC_BROADCAST_ECHO; the decisions are mpc_echo.h's).
 *
 * Sender: bus0 gives every pipe its own copy of a broadcast (NNG 1.5.2
 * src/sp/protocol/bus0/bus.c dups it per pipe), so the socket recognises
 * one broadcast on its pipes by content: the first pipe that sends a
 * payload (type and SHA-256) assigns the socket's next broadcast sequence
 * and signs the statement once; each other pipe takes the oldest entry
 * with that payload it has not sent yet.  Pipes send their copies in
 * order, so repeated identical payloads get their own sequences.  The
 * frame's payload becomes  [sequence | signature length | signature]
 * [payload]  (mpc_echo.h).
 *
 * Receiver: a broadcast frame is checked (signature with the sender's
 * certificate, announced once per connection in an
 * NNG_MPC_MSG_CTL_ECHO_CERT frame and accepted only when it carries the
 * key the TLS handshake authenticated, the peer's party ID, and chains to
 * our anchors), held, and its signed statement echoed
 * (NNG_MPC_MSG_CTL_ECHO) to every other connected party.  It is handed to
 * the protocol on the pipe whose frame completed it: the broadcast's own
 * or the last echo's (the envelope names the sender either way).
 *
 * With NNG_OPT_MPC_RELIABLE as well, broadcasts and echoes are messages of
 * the parties' delivery streams, and the socket's state (parties and their
 * certificates) lives as long as its streams: mpc_tran_echo_dlv.c, and
 * mpc_tran_echo_pend.c for echoes that arrive before their sender's
 * certificate (mpc_tran_echo_int.h has the state).
 *
 * Locking: the socket's state has one mutex, taken under a pipe's rxmtx
 * (receive hook) or with no lock (send hook, join, leave); echoes go out
 * through other pipes' send path under it (their txmtx is innermost).
 */
#ifndef NNG_MPC_TRANSPORT_MPC_TRAN_ECHO_H
#define NNG_MPC_TRANSPORT_MPC_TRAN_ECHO_H

#include <stdbool.h>
#include <stdint.h>

#include "core/nng_impl.h"

#include "mpc_frame.h"
#include "mpc_tran_cfg.h"

struct mpc_tran_pipe;

/* At pipe allocation: joins the socket's echo state when cfg turns echo
 * on (p->echo set).  0, NNG_MPC_EECHOKEY (TLS without our key),
 * NNG_ENOMEM.  With NNG_OPT_MPC_RELIABLE the state lives until the
 * socket's delivery streams go (mpc_tran_echo_streams_gone). */
__attribute__((warn_unused_result)) int mpc_tran_echo_attach(
    struct mpc_tran_pipe *p, const mpc_tran_cfg *cfg,
    struct nng_tls_config *tls);

/* The socket's delivery streams went (its last endpoint): the echo state
 * they kept alive may go too.  No lock held. */
void mpc_tran_echo_streams_gone(uint32_t sock_id);

/*
 * nng_mpc_sendmsg() of a broadcast on a socket with echo and delivery
 * streams: the socket's next broadcast sequence and signature for msg (as
 * the protocol would send it).  0 with *plain, the wrapped message every
 * party gets, and *alt (NULL unless NNG_OPT_MPC_BROADCAST_EQUIVOCATE
 * splits this one) for party *alt_party; NNG_ENOENT when the socket has
 * no such state (the message goes as it is); else an error.
 */
__attribute__((warn_unused_result)) int mpc_tran_echo_sendmsg_sign(
    uint32_t sock_id, nni_msg *msg, nni_msg **plain, nni_msg **alt,
    uint32_t *alt_party);

/* The send path's envelope for an echo kept on a delivery stream: true
 * and *env filled (mpc_tran_echo_dlv.c). */
struct mpc_envelope_out;
bool mpc_tran_echo_stream_env(nni_msg *msg, struct mpc_envelope_out *env);

/* The socket took the pipe: it counts as a party; our certificate goes. */
void mpc_tran_echo_join(struct mpc_tran_pipe *p);
/* The pipe closes: no more echoes through it. */
void mpc_tran_echo_leave(struct mpc_tran_pipe *p);
/* From the pipe's fini. */
void mpc_tran_echo_detach(struct mpc_tran_pipe *p);

/* The protocol asks the pipe for the next message: a broadcast echo
 * handed to it through this pipe is the protocol's for good (with
 * delivery streams; called before the pipe's rxmtx is taken). */
void mpc_tran_echo_recv_posted(struct mpc_tran_pipe *p);

/* A completed broadcast another pipe of the socket handed on and the
 * protocol dropped when that pipe closed, to deliver through this pipe
 * now, or NULL (with delivery streams; under the pipe's rxmtx). */
nni_msg *mpc_tran_echo_redeliver(struct mpc_tran_pipe *p);

/* True for the control types echo handles on this pipe. */
bool mpc_tran_echo_ctl_type(const struct mpc_tran_pipe *p, uint16_t type);

/* The send hook: a broadcast gets its sequence and signature.  false when
 * the send was completed here with an error. */
bool mpc_tran_echo_send(struct mpc_tran_pipe *p, nni_aio *aio);

/*
 * The receive hook for an authenticated, checked frame (under rxmtx).
 * *taken: echo handled the frame (*msgp freed, then set to a message to
 * deliver as it is -- envelope included -- or NULL); otherwise the frame
 * is the caller's.  Returns 0, or the reason to drop the frame
 * (NNG_MPC_EECHOFRAME, NNG_MPC_EECHOSIG, NNG_MPC_EECHOCERT) with *msgp
 * untouched.
 */
__attribute__((warn_unused_result)) int mpc_tran_echo_recv(
    struct mpc_tran_pipe *p, const mpc_frame_hdr *h, nni_msg **msgp,
    bool *taken);

#endif /* NNG_MPC_TRANSPORT_MPC_TRAN_ECHO_H */
