/*
 * mpc_echo.h -- echo broadcast: the receiver's decision, pure.
 *
 * With NNG_OPT_MPC_BROADCAST_ECHO a broadcast is held by every receiver
 * until the other parties echoed the same statement (mpc_evidence.h) for
 * it; two statements of one sender for one (sender, sequence) with
 * different digests are equivocation.  This table decides, for each
 * statement seen -- the broadcast itself from its sender, or an echo of
 * it from a third party --, whether to deliver the held message, to
 * report equivocation (with both statements: signed, they are the
 * evidence), or nothing yet.  Entries expire after a timeout; settled
 * entries stay as tombstones so a late copy is never delivered twice.
 *
 * Wire bytes (big-endian, through mpc_cursor.h):
 *   signed broadcast prefix, in front of the payload of a broadcast frame:
 *       8 sequence | 2 signature length (0..MPC_SIGN_SIG_MAX) | signature
 *   echo frame payload (NNG_MPC_MSG_CTL_ECHO):
 *       96 statement | 2 signature length | signature
 *   certificate frame payload (NNG_MPC_MSG_CTL_ECHO_CERT): DER certificate
 *
 * Threading: pure functions over caller memory (the caller locks).
 */
#ifndef NNG_MPC_TRANSPORT_MPC_ECHO_H
#define NNG_MPC_TRANSPORT_MPC_ECHO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpc_evidence.h"

#define MPC_ECHO_PARTIES_MAX 64  /* parties whose echoes one entry counts */
#define MPC_ECHO_HELD_MAX    256 /* entries (held, settled) per socket */
#define MPC_ECHO_PREFIX_MIN  10  /* sequence and signature length */

/* One statement as seen, with its digest and its sender's signature (none
 * over schemes without certificates). */
typedef struct mpc_echo_signed {
	mpc_bcast_stmt st;
	uint8_t        digest[MPC_EVIDENCE_HASH_SIZE];
	uint8_t        sig[MPC_SIGN_SIG_MAX];
	size_t         sig_len;
} mpc_echo_signed;

typedef enum mpc_echo_state {
	MPC_ECHO_FREE,
	MPC_ECHO_WAITING,     /* held or expected; echoes being counted */
	MPC_ECHO_DELIVERED,   /* tombstone */
	MPC_ECHO_EQUIVOCATED, /* tombstone */
	MPC_ECHO_EXPIRED,     /* tombstone */
} mpc_echo_state;

typedef struct mpc_echo_entry {
	mpc_echo_state  state;
	uint64_t        born;     /* insertion order: the oldest is reused */
	uint64_t        deadline; /* ns */
	mpc_echo_signed ref;      /* the first statement seen */
	uint32_t        ref_from; /* who showed it: the sender, or an echoer */
	void *          msg;      /* the held message once it arrived */
	size_t          need;     /* agreeing echoes that deliver it */
	size_t          nagreed;
	uint32_t        agreed[MPC_ECHO_PARTIES_MAX];
} mpc_echo_entry;

typedef struct mpc_echo {
	mpc_echo_entry e[MPC_ECHO_HELD_MAX];
	uint64_t       born;
	uint64_t       timeout_ns;
} mpc_echo;

typedef enum mpc_echo_action {
	MPC_ECHO_NONE,        /* counted or held; nothing to do now */
	MPC_ECHO_DELIVER,     /* deliver res->msg */
	MPC_ECHO_EQUIVOCATION,/* res->a and res->b conflict; free res->msg */
	MPC_ECHO_LATE,        /* a copy of a settled broadcast: free res->msg */
	MPC_ECHO_FULL,        /* no entry free (all waiting): free res->msg */
} mpc_echo_action;

typedef struct mpc_echo_result {
	mpc_echo_action action;
	void *          msg;      /* to deliver or to free, or NULL */
	mpc_echo_signed a, b;     /* EQUIVOCATION: the two statements */
	uint32_t        from_a;   /* who showed each */
	uint32_t        from_b;
	void *          evicted;  /* an expired entry's message to free */
} mpc_echo_result;

void mpc_echo_init(mpc_echo *e, uint64_t timeout_ns);

/*
 * A statement for (st.sender, st.seq) from `from`: the sender itself with
 * its message msg (from == st.sender), or an echo (msg NULL).  need: the
 * agreeing echoes a new entry waits for.  Fills *res.
 */
void mpc_echo_see(mpc_echo *e, uint64_t now, uint32_t from,
    const mpc_echo_signed *s, void *msg, size_t need, mpc_echo_result *res);

/* Expires one waiting entry past its deadline: true with its sender and
 * sequence and its message (or NULL) to free; call until false. */
bool mpc_echo_expire(mpc_echo *e, uint64_t now, uint32_t *sender,
    uint64_t *seq, void **msg);

/* Messages still held (for teardown): returns one and forgets it, or NULL. */
void *mpc_echo_drain(mpc_echo *e);

/* ---- wire */

/* Writes the prefix; *len its length.  false: no room. */
bool mpc_echo_prefix_put(uint8_t *buf, size_t cap, uint64_t seq,
    const uint8_t *sig, size_t sig_len, size_t *len);

/* Parses the prefix at the start of buf: 0 with *seq, the signature (into
 * sig) and *used; or NNG_MPC_EECHOFRAME. */
int mpc_echo_prefix_get(const uint8_t *buf, size_t len, uint64_t *seq,
    uint8_t *sig, size_t *sig_len, size_t *used) MPC_MUST_CHECK;

/* An echo frame's payload: *len its length (at most MPC_ECHO_FRAME_MAX). */
#define MPC_ECHO_FRAME_MAX (MPC_EVIDENCE_STMT_SIZE + 2 + MPC_SIGN_SIG_MAX)
void mpc_echo_frame_put(const mpc_echo_signed *s, uint8_t *buf, size_t *len);

/* Parses an echo frame and computes the digest: 0 or NNG_MPC_EECHOFRAME
 * (NNG_MPC_ECRYPTO). */
int mpc_echo_frame_get(mpc_echo_signed *s, const uint8_t *buf, size_t len)
    MPC_MUST_CHECK;

/* Two statements of one sender about one sequence that differ. */
bool mpc_echo_differ(const mpc_echo_signed *a, const mpc_echo_signed *b);

#endif /* NNG_MPC_TRANSPORT_MPC_ECHO_H */
