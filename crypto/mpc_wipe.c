/*
 * mpc_wipe.c -- secure wipe, zeroing free, constant-time compare.
 * See mpc_wipe.h for why each exists.  Threading: stateless.
 */
#include <stdlib.h>
#include <string.h>

#include "mpc_wipe.h"

void
mpc_wipe(void *p, size_t n)
{
	if (p == NULL || n == 0) {
		return;
	}
	memset(p, 0, n);
	/* The asm takes p as input and clobbers memory: to the compiler the
	 * zeroed bytes may be read by it, so the memset is not a dead store.
	 * (The same barrier BoringSSL's OPENSSL_cleanse uses.) */
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

void
mpc_wipe_free(void *p, size_t n)
{
	if (p == NULL) {
		return;
	}
	mpc_wipe(p, n);
	free(p);
}

void *
mpc_zalloc(size_t n)
{
	return (calloc(1, n));
}

int
mpc_ct_equal(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *x = a;
	const volatile uint8_t *y = b;
	uint8_t                 acc = 0;

	for (size_t i = 0; i < n; i++) {
		acc |= (uint8_t) (x[i] ^ y[i]);
	}
	/* 1 when acc == 0, without a branch on acc. */
	return (int) (1 & (((uint32_t) acc - 1) >> 8));
}

int
mpc_is_zero(const void *p, size_t n)
{
	const uint8_t *b   = p;
	uint8_t        acc = 0;

	for (size_t i = 0; i < n; i++) {
		acc |= b[i];
	}
	return (acc == 0);
}
