/*
 * mpc_tran_echo_int.h -- the state echo broadcast keeps per socket, shared
 * by its three files (internal; mpc_tran_echo.h is the pipes' interface):
 *
 *   mpc_tran_echo.c      sign, check, hold, echo, report (one pipe's frame)
 *   mpc_tran_echo_pend.c echoes waiting for their sender's certificate
 *   mpc_tran_echo_dlv.c  echo broadcast carried by delivery streams
 *                        (NNG_OPT_MPC_RELIABLE as well): broadcasts and
 *                        echoes kept on the parties' streams, the socket's
 *                        timer, the state's life beyond its pipes, a
 *                        completed broadcast handed to the protocol once
 *
 * Flow is one way: mpc_tran_echo.c calls the other two; they call back
 * only the few functions declared at the end.
 *
 * Locking: each socket's state has one mutex (s->mtx), taken under a
 * pipe's rxmtx (receive hook) or with no lock (send hook, join, leave,
 * timer, nng_mpc_sendmsg); under it a delivery stream's registry lock and
 * then one stream's mutex may be taken (mpc_tran_stream.h), and a pipe's
 * txmtx (control frames) is innermost.  The registry of socket states has
 * its own lock, never held with a socket's mutex except to find one.
 */
#ifndef NNG_MPC_TRANSPORT_MPC_TRAN_ECHO_INT_H
#define NNG_MPC_TRANSPORT_MPC_TRAN_ECHO_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/nng_impl.h"

#include "nng_mpc.h"

#include "mpc_echo.h"
#include "mpc_envelope.h"
#include "mpc_evidence.h"
#include "mpc_sign.h"

struct mpc_tran_pipe;

#define MPC_TRAN_ECHO_PIPES 64  /* parties per socket */
#define MPC_TRAN_ECHO_SENT  256 /* broadcasts remembered by the sender */
#define MPC_TRAN_ECHO_PEND  64  /* echoes waiting for a certificate */

/* One broadcast we sent: how the next pipe recognises it. */
typedef struct mpc_tran_echo_sent {
	bool     used;
	uint64_t seq;
	uint16_t type;
	uint8_t  hash[MPC_EVIDENCE_HASH_SIZE];
	uint8_t  sig[2][MPC_SIGN_SIG_MAX]; /* [1]: the equivocating variant */
	size_t   sig_len[2];
	bool     split;
	uint64_t taken; /* parties (slots) whose copy went out */
	uint64_t given; /* of those, kept on an absent party's stream: its
	                   closed pipe's late copy is the same one */
} mpc_tran_echo_sent;

/*
 * A party of the socket.  Without delivery streams the slot is the
 * connected pipe's and freed when it closes; with them the slot is the
 * party's for the session (its certificate stays for signed echoes that
 * arrive later), p is NULL while it is absent.
 */
typedef struct mpc_tran_echo_peer {
	struct mpc_tran_pipe *p; /* connected pipe, or NULL */
	uint32_t              party; /* 0: slot free */
	uint8_t *             cert; /* announced and accepted, or NULL */
	size_t                cert_len;
} mpc_tran_echo_peer;

/* An echo that arrived before its sender's certificate. */
typedef struct mpc_tran_echo_pend {
	bool            used;
	uint32_t        from;
	uint64_t        deadline; /* ns */
	mpc_echo_signed x;
} mpc_tran_echo_pend;

typedef struct mpc_tran_echo_sock {
	nni_list_node       node;
	uint32_t            sock_id;
	int                 refs;     /* pipes, and the streams' hold */
	bool                reliable; /* with delivery streams */
	bool                streams_hold; /* a ref the stream table releases */
	nni_mtx             mtx;
	nni_aio *           timer; /* expiry (mpc_tran_echo_dlv.c) */
	bool                timer_armed;
	uint32_t            self;
	uint8_t             session[NNG_MPC_SESSION_ID_SIZE];
	uint32_t            window_msgs; /* for streams echo makes */
	size_t              window_bytes;
	mpc_sign_key *      key; /* over TLS */
	uint8_t *           cert;
	size_t              cert_len;
	char *              ca_pem;
	size_t              ca_len;
	uint64_t            next_seq;
	int                 equivocate;
	int                 quorum;
	mpc_tran_echo_sent  sent[MPC_TRAN_ECHO_SENT];
	unsigned            sent_next;
	mpc_tran_echo_peer  peers[MPC_TRAN_ECHO_PIPES];
	mpc_tran_echo_pend  pend[MPC_TRAN_ECHO_PEND];
	/* Completed broadcasts a closed pipe handed to the protocol that the
	 * protocol dropped: delivered again through another pipe
	 * (mpc_tran_echo_dlv.c).  nredo: how many, read without the lock. */
	nni_lmq             redo;
	nni_atomic_u64      nredo;
	mpc_echo            table;
	nng_mpc_echo_report rep;
} mpc_tran_echo_sock;

/* A pipe's link to its socket's state. */
typedef struct mpc_tran_echo_link {
	mpc_tran_echo_sock *s;
	int                 slot; /* in s->peers once joined, else -1 */
	bool                live; /* joined and not closed */
	bool                cert_seen; /* this connection announced one */
	nni_msg *           handed; /* with delivery streams: a copy of the
	                               broadcast last handed to the protocol
	                               through this pipe, until it asks for
	                               the next message */
	uint8_t             session[NNG_MPC_SESSION_ID_SIZE];
} mpc_tran_echo_link;

/* ---- mpc_tran_echo.c, for the other two (locked: s->mtx) */

/* The statement's signature with the sender's certificate: 0,
 * NNG_MPC_EECHOCERT (no certificate), NNG_MPC_EECHOSIG, or
 * NNG_MPC_EECHOFRAME (signed where there are no certificates). */
int mpc_tran_echo_verify_tls(
    mpc_tran_echo_sock *s, bool tls, const mpc_echo_signed *x);
/* Acts on the table's decision; the message to deliver, or NULL. */
nni_msg *mpc_tran_echo_act(mpc_tran_echo_sock *s, mpc_echo_result *r);
/* The echoes a broadcast of sender waits for. */
size_t mpc_tran_echo_need(const mpc_tran_echo_sock *s, uint32_t sender);
/* The party slot of party, or NULL. */
mpc_tran_echo_peer *mpc_tran_echo_peer_of(
    mpc_tran_echo_sock *s, uint32_t party);
/* [envelope prefix][echo prefix][header][body] of a broadcast. */
int mpc_tran_echo_wrap(nni_msg **out, nni_msg *msg, size_t prefix,
    const uint8_t *pre, size_t pre_len);
/* The equivocation test facility's other payload (last byte flipped). */
void mpc_tran_echo_variant(nni_msg *msg, size_t prefix, uint8_t *hash_out);
/* SHA-256 of what a broadcast's frame will carry. */
int mpc_tran_echo_hash(nni_msg *msg, size_t prefix, uint8_t *out);
/* A new sent entry for (type, hash): sequence and signature(s). */
mpc_tran_echo_sent *mpc_tran_echo_new_sent(mpc_tran_echo_sock *s,
    uint16_t type, nni_msg *msg, size_t prefix, const uint8_t *hash,
    int *rvp);
/* The connected party that gets the equivocating variant, or 0. */
uint32_t mpc_tran_echo_split_party(const mpc_tran_echo_sock *s);
/* Drops held broadcasts past their deadline (`timeouts`). */
void mpc_tran_echo_expire(mpc_tran_echo_sock *s);

/* ---- mpc_tran_echo_pend.c (locked) */

/* Keeps an echo whose sender's certificate is not known yet; a full
 * table drops it (counted in the report, NNG_MPC_EECHOFULL). */
void mpc_tran_echo_pend_add(mpc_tran_echo_sock *s, uint32_t from,
    const mpc_echo_signed *x, uint64_t now);
/* The sender's certificate arrived: its waiting echoes are checked and
 * counted.  Returns a message their agreement completed, or NULL. */
nni_msg *mpc_tran_echo_pend_release(mpc_tran_echo_sock *s, uint32_t sender);
/* Drops waiting echoes past their deadline (NNG_MPC_EECHOCERT). */
void mpc_tran_echo_pend_expire(mpc_tran_echo_sock *s, uint64_t now);
/* The earliest deadline of a waiting echo, or 0. */
uint64_t mpc_tran_echo_pend_next(const mpc_tran_echo_sock *s);
/* Echoes waiting now. */
uint64_t mpc_tran_echo_pend_count(const mpc_tran_echo_sock *s);

/* ---- mpc_tran_echo_dlv.c */

/* Socket state lifecycle: the timer (0 or NNG_ENOMEM), and its end (no
 * lock held; the state is unreachable). */
int  mpc_tran_echo_dlv_sock_init(mpc_tran_echo_sock *s);
void mpc_tran_echo_dlv_sock_fini(mpc_tran_echo_sock *s);
/* A completed broadcast m goes to the protocol through l's pipe: a copy
 * is kept until the protocol asks for the next message.  Locked. */
void mpc_tran_echo_dlv_handed(
    mpc_tran_echo_sock *s, mpc_tran_echo_link *l, nni_msg *m);
/* l's pipe is stopped: a broadcast it handed on that the protocol did not
 * keep is queued for another pipe.  Locked. */
void mpc_tran_echo_dlv_unhanded(mpc_tran_echo_sock *s, mpc_tran_echo_link *l);
/* Held broadcasts or waiting echoes: the timer expires them.  Locked. */
void mpc_tran_echo_dlv_arm(mpc_tran_echo_sock *s);
/* Our echo to party, on its delivery stream (kept while it is absent).
 * Locked. */
void mpc_tran_echo_dlv_echo(
    mpc_tran_echo_sock *s, uint32_t party, const uint8_t *buf, size_t len);
/* A new broadcast (entry e, wrapped copy out): a copy kept on the stream
 * of every party known to the socket and absent now, except `except`;
 * they are marked taken and given in e.  Locked. */
void mpc_tran_echo_dlv_absent(mpc_tran_echo_sock *s, mpc_tran_echo_sent *e,
    nni_msg *msg, size_t prefix, uint32_t except);

#endif /* NNG_MPC_TRANSPORT_MPC_TRAN_ECHO_INT_H */
