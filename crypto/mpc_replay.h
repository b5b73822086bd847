/*
 * mpc_replay.h -- the receive-side anti-replay window of RFC 6479 (IPsec
 * Anti-Replay Algorithm without Bit Shifting): a ring of 64-bit blocks, so
 * advancing the window clears whole blocks instead of shifting bits.
 *
 * One window per (sender, epoch).  A sequence number s is
 *   - NNG_MPC_ESEQLIMIT  if s >= limit (the per-key limit: never accepted),
 *   - accepted           if s is above everything seen so far,
 *   - NNG_MPC_ETOOOLD    if s <= top - window (left of the window),
 *   - NNG_MPC_EREPLAY    if its bit is set (already received),
 *   - accepted           otherwise.
 * "window" is the number of sequence numbers at and below the highest one
 * received that are still tracked: with top = 4096 and window = 1024,
 * 3073..4096 are inside, 3072 is too old (the WireGuard convention).
 *
 * Check and commit are separate because the channel checks before it
 * decrypts (no work for a replay) and commits only after the tag verified
 * (state moves only on authenticated frames, so a forged frame cannot
 * shift the window: RFC 4303 section 3.4.3).
 *
 * Threading: owned by the channel's receive side; one thread.
 */
#ifndef MPC_REPLAY_H
#define MPC_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#define MPC_REPLAY_MIN_WINDOW     64
#define MPC_REPLAY_DEFAULT_WINDOW 1024
#define MPC_REPLAY_MAX_WINDOW     8192
/* RFC 6479 section 2: one spare block beyond the window so the block that
 * top moves into never overlaps one still inside the window; the ring size
 * is a power of two so the block index is a mask. */
#define MPC_REPLAY_MAX_BLOCKS 256 /* next_pow2(8192 / 64 + 1) */

typedef struct mpc_replay {
	uint64_t top;     /* highest accepted sequence number */
	uint64_t limit;   /* sequence numbers >= limit are never accepted */
	uint32_t window;  /* tracked span below and including top */
	uint32_t nblocks; /* ring size in 64-bit blocks, power of two */
	uint64_t bits[MPC_REPLAY_MAX_BLOCKS];
} mpc_replay;

/* window: MPC_REPLAY_MIN_WINDOW..MPC_REPLAY_MAX_WINDOW; limit >= 1. */
int mpc_replay_init(mpc_replay *r, uint32_t window, uint64_t limit)
    __attribute__((warn_unused_result));

/* 0 if seq would be accepted now, else the reason (see above).  Pure. */
int mpc_replay_check(const mpc_replay *r, uint64_t seq)
    __attribute__((warn_unused_result));

/* Records seq, which mpc_replay_check() just accepted. */
void mpc_replay_commit(mpc_replay *r, uint64_t seq);

/* Check, then commit if accepted (the window as a single call; tests and
 * callers that have already authenticated the frame). */
int mpc_replay_update(mpc_replay *r, uint64_t seq)
    __attribute__((warn_unused_result));

#endif /* MPC_REPLAY_H */
