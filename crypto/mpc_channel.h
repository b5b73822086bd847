/*
 * mpc_channel.h -- one pipe's message-layer crypto: per-direction
 * AES-256-GCM keys (mpc_aead), key epochs that ratchet in band
 * (mpc_keysched), an RFC 6479 replay window per (sender, epoch)
 * (mpc_replay), the authentication-failure limit, and counters.
 *
 * THREADING RULE.  The channel has two disjoint halves:
 *   send half:    mpc_chan_send_next, mpc_chan_seal, mpc_chan_rekey
 *   receive half: mpc_chan_open, mpc_chan_recv_expire
 * One sender thread and one receiver thread may use the same channel at
 * the same time without a lock; two threads on the same half need the
 * caller's lock.  init/fini must not overlap anything.  mpc_chan_stats may
 * be called from any thread at any time: counters are single-writer
 * relaxed atomics.
 *
 * Per frame, sending (the transport owns the 48-byte header):
 *     mpc_chan_send_next(c, now, &epoch, &seq);   reserve; may ratchet
 *     encode header with epoch and seq;
 *     mpc_chan_seal(c, epoch, seq, hdr, 48, payload, n, tag);
 * mpc_chan_seal refuses any (epoch, seq) other than the one just reserved,
 * so the nonce always matches the header and is used exactly once.
 *
 * Receiving:
 *     decode header (epoch, seq);
 *     mpc_chan_open(c, epoch, seq, now, hdr, 48, payload, n, tag);
 * Open checks the epoch and the replay window (no state change), verifies
 * the tag (constant time) while decrypting in place, and only then records
 * the sequence number and counts the frame.  On any failure the payload is
 * wiped, nothing but one rejection counter moves, and the error says why.
 * NNG_MPC_EAUTHLIMIT means: close the pipe (the receive half stays dead).
 *
 * Epochs (RFC 8446 section 7.2 analogue): the sender ratchets its
 * direction after rekey_frames frames or rekey_ns nanoseconds in the epoch
 * (or on mpc_chan_rekey), never before it has sent at least one frame of
 * the current epoch, so the receiver never sees a gap.  A receiver that
 * authenticates a frame of epoch current+1 ratchets too; the old epoch's
 * key and window stay for a grace period (grace_frames frames or grace_ns
 * of the new epoch, whichever ends first) for frames still in flight, then
 * are wiped; a frame of a wiped epoch gets NNG_MPC_EEPOCHGONE.  Each
 * epoch's traffic secret is wiped as soon as the next one is derived.
 *
 * Time is passed in (now_ns, any monotonic clock) so the schedule is
 * testable and the module does no I/O.
 */
#ifndef MPC_CHANNEL_H
#define MPC_CHANNEL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "mpc_aead.h"
#include "mpc_keysched.h"
#include "mpc_replay.h"

/* RFC 8446 section 5.5: AES-GCM "may be used to encrypt up to 2^24.5 full
 * size records" per key; rekey at 2^24 and refuse anything at 2^24.5. */
#define MPC_CHAN_DEFAULT_REKEY_FRAMES  ((uint64_t) 1 << 24)
#define MPC_CHAN_DEFAULT_SEQ_LIMIT     UINT64_C(23726566) /* floor(2^24.5) */
#define MPC_CHAN_DEFAULT_REKEY_NS      (UINT64_C(3600) * 1000000000u)
#define MPC_CHAN_DEFAULT_GRACE_FRAMES  UINT64_C(4096)
#define MPC_CHAN_DEFAULT_GRACE_NS      (UINT64_C(30) * 1000000000u)
#define MPC_CHAN_DEFAULT_AUTH_FAILS    16u
#define MPC_CHAN_DEFAULT_REPLAY_WINDOW MPC_REPLAY_DEFAULT_WINDOW

typedef struct mpc_chan_config {
	/* Sender ratchets after this many frames in an epoch:
	 * 1..seq_limit. */
	uint64_t rekey_frames;
	/* Sender ratchets after this long in an epoch; 0: only by count. */
	uint64_t rekey_ns;
	/* Per-key limit: sequence numbers >= seq_limit are never sealed nor
	 * accepted.  Both peers must use the same value (or the receiver's
	 * >= the sender's rekey_frames). */
	uint64_t seq_limit;
	/* The previous receive epoch is wiped once the current one has
	 * received grace_frames frames or is grace_ns old. */
	uint64_t grace_frames;
	uint64_t grace_ns;
	/* Replay window per (sender, epoch):
	 * MPC_REPLAY_MIN_WINDOW..MPC_REPLAY_MAX_WINDOW. */
	uint32_t replay_window;
	/* Failed opens tolerated per receive epoch; the next one returns
	 * NNG_MPC_EAUTHLIMIT.  >= 1. */
	uint32_t auth_fail_limit;
} mpc_chan_config;

/* Counters; each has a single writer (its half), read with relaxed loads. */
typedef struct mpc_chan_stats {
	/* send half */
	uint64_t tx_frames;      /* sealed */
	uint64_t tx_bytes;       /* payload bytes sealed */
	uint64_t tx_epoch;       /* current send epoch */
	uint64_t tx_rekeys;      /* send ratchets */
	uint64_t tx_keylimit;    /* refused: NNG_MPC_EKEYLIMIT */
	uint64_t tx_errors;      /* refused: bad arguments or wolfCrypt */
	/* receive half */
	uint64_t rx_frames;      /* opened and delivered */
	uint64_t rx_bytes;       /* payload bytes delivered */
	uint64_t rx_epoch;       /* current receive epoch */
	uint64_t rx_rekeys;      /* receive ratchets */
	uint64_t rx_prev_frames; /* delivered under the previous epoch */
	uint64_t rx_grace_ends;  /* previous epochs wiped */
	uint64_t rx_auth_fail;   /* NNG_MPC_EAUTH (all epochs) */
	uint64_t rx_auth_limit;  /* NNG_MPC_EAUTHLIMIT */
	uint64_t rx_replay;      /* NNG_MPC_EREPLAY */
	uint64_t rx_too_old;     /* NNG_MPC_ETOOOLD */
	uint64_t rx_seq_limit;   /* NNG_MPC_ESEQLIMIT */
	uint64_t rx_epoch_gone;  /* NNG_MPC_EEPOCHGONE */
	uint64_t rx_epoch_ahead; /* NNG_MPC_EEPOCHAHEAD */
	uint64_t rx_errors;      /* NNG_MPC_ECRYPTOARG / NNG_MPC_ECRYPTO */
} mpc_chan_stats;

/* One receive epoch: its key, its window, its age. */
typedef struct mpc_chan_rx_epoch {
	mpc_aead   aead;
	mpc_replay replay;
	uint64_t   frames;   /* delivered in this epoch */
	uint64_t   start_ns; /* when it became current */
	uint32_t   epoch;
	int        live;
} mpc_chan_rx_epoch;

typedef struct mpc_chan_tx {
	mpc_aead aead;
	uint8_t  secret[MPC_KS_SECRET_LEN]; /* traffic secret of epoch */
	uint64_t next_seq;
	uint64_t start_ns;
	uint64_t pending_seq;
	uint32_t epoch;
	int      pending;   /* a reservation awaits mpc_chan_seal */
	int      rekey_req; /* mpc_chan_rekey asked for a ratchet */
	int      exhausted; /* no epoch left: NNG_MPC_EKEYLIMIT forever */
	_Atomic uint64_t frames, bytes, rekeys, keylimit, errors, cur_epoch;
} mpc_chan_tx;

typedef struct mpc_chan_rx {
	/* slot[cur] is the current epoch, slot[prev] the one in grace (if
	 * live), the third slot is scratch for trying epoch current+1. */
	mpc_chan_rx_epoch slot[3];
	unsigned          cur, prev;
	uint8_t           secret[MPC_KS_SECRET_LEN]; /* of slot[cur]'s epoch */
	uint32_t          auth_fails; /* in the current epoch */
	int               dead;       /* auth-failure limit exceeded */
	_Atomic uint64_t  frames, bytes, rekeys, prev_frames, grace_ends,
	    auth_fail, auth_limit, replay, too_old, seq_limit, epoch_gone,
	    epoch_ahead, errors, cur_epoch;
} mpc_chan_rx;

typedef struct mpc_chan {
	mpc_chan_config cfg;
	uint8_t         session_id[MPC_KS_SESSION_ID_LEN];
	uint32_t        self_id, peer_id;
	mpc_chan_tx     tx;
	mpc_chan_rx     rx;
} mpc_chan;

/* Fills cfg with the defaults above. */
void mpc_chan_config_default(mpc_chan_config *cfg);

/* 0 or NNG_MPC_ECRYPTOARG naming a value out of range. */
int mpc_chan_config_check(const mpc_chan_config *cfg)
    __attribute__((warn_unused_result));

/*
 * Sets up epoch 0 of both directions from the derived secrets (cfg NULL:
 * defaults).  ks is only read; the caller wipes it (mpc_keysched_wipe)
 * once the finished MACs are done.  On failure c is wiped.
 */
int mpc_chan_init(mpc_chan *c, const mpc_chan_config *cfg,
    const mpc_keysched *ks, uint64_t now_ns)
    __attribute__((warn_unused_result));

/* Wipes every key, IV, secret and window.  Safe on a zeroed channel. */
void mpc_chan_fini(mpc_chan *c);

/* Heap variants: mpc_chan_alloc = zalloc + init; mpc_chan_free = fini +
 * wiping free. */
int mpc_chan_alloc(mpc_chan **cp, const mpc_chan_config *cfg,
    const mpc_keysched *ks, uint64_t now_ns)
    __attribute__((warn_unused_result));
void mpc_chan_free(mpc_chan *c);

/* --- send half --------------------------------------------------------- */

/* Reserves the next (epoch, seq), ratcheting first when the epoch is due.
 * NNG_MPC_EKEYLIMIT when no epoch is left (2^32 - 1 ratchets). */
int mpc_chan_send_next(mpc_chan *c, uint64_t now_ns, uint32_t *epoch,
    uint64_t *seq) __attribute__((warn_unused_result));

/* Seals buf[0..len) in place under the reserved (epoch, seq) with aad (the
 * header) and writes the tag.  NNG_MPC_ECRYPTOARG if (epoch, seq) is not
 * the pending reservation; on failure buf and tag are wiped. */
int mpc_chan_seal(mpc_chan *c, uint32_t epoch, uint64_t seq,
    const uint8_t *aad, size_t aad_len, uint8_t *buf, size_t len,
    uint8_t tag[MPC_AEAD_TAG_LEN]) __attribute__((warn_unused_result));

/* Asks for a ratchet at the next mpc_chan_send_next (once a frame of the
 * current epoch has been sent). */
void mpc_chan_rekey(mpc_chan *c);

/* --- receive half ------------------------------------------------------ */

/* Verifies and decrypts one frame in place; see the top of this file. */
int mpc_chan_open(mpc_chan *c, uint32_t epoch, uint64_t seq, uint64_t now_ns,
    const uint8_t *aad, size_t aad_len, uint8_t *buf, size_t len,
    const uint8_t tag[MPC_AEAD_TAG_LEN]) __attribute__((warn_unused_result));

/* Ends the previous epoch's grace if it is over by now_ns (for a receiver
 * that is idle; mpc_chan_open does this itself). */
void mpc_chan_recv_expire(mpc_chan *c, uint64_t now_ns);

/* Nanoseconds until the previous epoch's grace ends by time (at least 1
 * while it is live; 0 when there is none): when to call
 * mpc_chan_recv_expire so an idle receiver wipes it on time. */
uint64_t mpc_chan_recv_grace_left(const mpc_chan *c, uint64_t now_ns);

/* 1 once the auth-failure limit was exceeded: the pipe must close. */
int mpc_chan_recv_dead(const mpc_chan *c);

/* --- any thread -------------------------------------------------------- */

void mpc_chan_stats_get(const mpc_chan *c, mpc_chan_stats *st);

#endif /* MPC_CHANNEL_H */
