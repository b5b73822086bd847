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
 * NNG_EINVAL (with NNG_OPT_MPC_RELIABLE), NNG_ENOMEM. */
__attribute__((warn_unused_result)) int mpc_tran_echo_attach(
    struct mpc_tran_pipe *p, const mpc_tran_cfg *cfg,
    struct nng_tls_config *tls);

/* The socket took the pipe: it counts as a party; our certificate goes. */
void mpc_tran_echo_join(struct mpc_tran_pipe *p);
/* The pipe closes: no more echoes through it. */
void mpc_tran_echo_leave(struct mpc_tran_pipe *p);
/* From the pipe's fini. */
void mpc_tran_echo_detach(struct mpc_tran_pipe *p);

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
