/*
 * mpc_replay.c -- RFC 6479 bitmap anti-replay window; see mpc_replay.h.
 *
 * Sequence number s lives in block (s / 64) mod nblocks, bit s mod 64.
 * Before anything is received top is 0 and every bit is clear, so the
 * first frame (s = 0 included) is accepted without a special case.
 *
 * Threading: one thread (the channel's receiver).
 */
#include <string.h>

#include "nng_mpc.h"

#include "mpc_replay.h"

#define BLOCK_SHIFT 6
#define BLOCK_BITS  64u

int
mpc_replay_init(mpc_replay *r, uint32_t window, uint64_t limit)
{
	uint32_t need, nb = 1;

	if (r == NULL || window < MPC_REPLAY_MIN_WINDOW ||
	    window > MPC_REPLAY_MAX_WINDOW || limit == 0) {
		return (NNG_MPC_ECRYPTOARG);
	}
	/* Blocks spanned by the window, plus the spare block. */
	need = (window + BLOCK_BITS - 1) / BLOCK_BITS + 1;
	while (nb < need) {
		nb <<= 1;
	}
	memset(r, 0, sizeof(*r));
	r->window  = window;
	r->limit   = limit;
	r->nblocks = nb;
	return (0);
}

int
mpc_replay_check(const mpc_replay *r, uint64_t seq)
{
	uint64_t blk;

	if (seq >= r->limit) {
		return (NNG_MPC_ESEQLIMIT);
	}
	if (seq > r->top) {
		return (0);
	}
	if (r->top - seq >= r->window) {
		return (NNG_MPC_ETOOOLD);
	}
	blk = (seq >> BLOCK_SHIFT) & (r->nblocks - 1);
	if (r->bits[blk] & ((uint64_t) 1 << (seq & (BLOCK_BITS - 1)))) {
		return (NNG_MPC_EREPLAY);
	}
	return (0);
}

void
mpc_replay_commit(mpc_replay *r, uint64_t seq)
{
	uint64_t blk = seq >> BLOCK_SHIFT;

	if (seq > r->top) {
		/* RFC 6479 section 3: clear the blocks top moves across (at
		 * most the whole ring), instead of shifting the bitmap. */
		uint64_t top_blk = r->top >> BLOCK_SHIFT;
		uint64_t diff    = blk - top_blk;

		if (diff > r->nblocks) {
			diff = r->nblocks;
		}
		for (uint64_t i = 1; i <= diff; i++) {
			r->bits[(top_blk + i) & (r->nblocks - 1)] = 0;
		}
		r->top = seq;
	}
	r->bits[blk & (r->nblocks - 1)] |=
	    (uint64_t) 1 << (seq & (BLOCK_BITS - 1));
}

int
mpc_replay_update(mpc_replay *r, uint64_t seq)
{
	int rv;

	if ((rv = mpc_replay_check(r, seq)) == 0) {
		mpc_replay_commit(r, seq);
	}
	return (rv);
}
