/*
 * mpc_wipe.h -- secure memory for the message layer: a wipe the compiler
 * cannot remove, a free that zeroes first, and a constant-time compare.
 *
 * Why not plain memset: a store to memory that is never read again is a
 * dead store, and C11 lets the compiler drop it (the classic "memset before
 * free" bug).  mpc_wipe() follows the store with an empty asm statement that
 * claims to read the buffer, so the store is observable and must stay.
 *
 * Threading: stateless; callable from any thread.
 */
#ifndef MPC_WIPE_H
#define MPC_WIPE_H

#include <stddef.h>
#include <stdint.h>

/* Sets n bytes at p to zero; never elided.  p may be NULL when n is 0. */
void mpc_wipe(void *p, size_t n);

/* Wipes n bytes at p, then free()s p.  p may be NULL. */
void mpc_wipe_free(void *p, size_t n);

/* calloc() that the matching mpc_wipe_free() releases; NULL on failure. */
void *mpc_zalloc(size_t n);

/*
 * Compares n bytes in time that depends only on n, never on the data
 * (the tag and MAC checks: a data-dependent early exit would tell an
 * attacker how many leading bytes of a forged tag were right).
 * Returns 1 when equal, 0 otherwise.
 */
int mpc_ct_equal(const void *a, const void *b, size_t n);

/* Returns 1 when all n bytes at p are zero (tests and assertions). */
int mpc_is_zero(const void *p, size_t n);

#endif /* MPC_WIPE_H */
