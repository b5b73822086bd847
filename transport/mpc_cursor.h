/*
 * mpc_cursor.h -- the one bounds-checked reader and writer of wire bytes.
 *
 * Every byte nng-mpc reads from or writes to the network, an envelope
 * prefix or an envelope record goes through these cursors (the s2n-tls
 * "stuffer" discipline): a buffer, its length and a position, and
 * accessors that check the remaining length before touching a byte.  No
 * other code does pointer arithmetic on network data.
 *
 * Integers are big-endian (network byte order), as in every IETF protocol.
 * The accessors are static inline so the frame codec stays in the tens of
 * nanoseconds; the compiler merges the byte loads into one bswap'ed load.
 *
 * Invariant: pos <= len (cap).  A failed read or write leaves the cursor
 * unchanged and its output argument untouched.
 *
 * Threading: a cursor belongs to one thread at a time; no locking.
 */
#ifndef MPC_CURSOR_H
#define MPC_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define MPC_MUST_CHECK __attribute__((warn_unused_result))

/* A read cursor over bytes the caller does not own (they may be hostile). */
typedef struct mpc_rcursor {
	const uint8_t *buf;
	size_t         len;
	size_t         pos;
} mpc_rcursor;

/* A write cursor over a caller buffer of cap bytes. */
typedef struct mpc_wcursor {
	uint8_t *buf;
	size_t   cap;
	size_t   pos;
} mpc_wcursor;

static inline void
mpc_rcursor_init(mpc_rcursor *c, const void *buf, size_t len)
{
	c->buf = buf;
	c->len = buf != NULL ? len : 0;
	c->pos = 0;
}

static inline size_t
mpc_rcursor_remaining(const mpc_rcursor *c)
{
	return (c->len - c->pos);
}

/* Written as n > remaining, never pos + n > len, so n cannot wrap. */
static inline MPC_MUST_CHECK bool
mpc_rcursor_has(const mpc_rcursor *c, size_t n)
{
	return (n <= c->len - c->pos);
}

static inline MPC_MUST_CHECK bool
mpc_rcursor_u8(mpc_rcursor *c, uint8_t *v)
{
	if (!mpc_rcursor_has(c, 1)) {
		return (false);
	}
	*v = c->buf[c->pos];
	c->pos += 1;
	return (true);
}

static inline MPC_MUST_CHECK bool
mpc_rcursor_u16(mpc_rcursor *c, uint16_t *v)
{
	const uint8_t *p;

	if (!mpc_rcursor_has(c, 2)) {
		return (false);
	}
	p = c->buf + c->pos;
	*v = (uint16_t) (((uint16_t) p[0] << 8) | p[1]);
	c->pos += 2;
	return (true);
}

static inline MPC_MUST_CHECK bool
mpc_rcursor_u32(mpc_rcursor *c, uint32_t *v)
{
	const uint8_t *p;

	if (!mpc_rcursor_has(c, 4)) {
		return (false);
	}
	p = c->buf + c->pos;
	*v = ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) |
	    ((uint32_t) p[2] << 8) | (uint32_t) p[3];
	c->pos += 4;
	return (true);
}

static inline MPC_MUST_CHECK bool
mpc_rcursor_u64(mpc_rcursor *c, uint64_t *v)
{
	const uint8_t *p;

	if (!mpc_rcursor_has(c, 8)) {
		return (false);
	}
	p = c->buf + c->pos;
	*v = ((uint64_t) p[0] << 56) | ((uint64_t) p[1] << 48) |
	    ((uint64_t) p[2] << 40) | ((uint64_t) p[3] << 32) |
	    ((uint64_t) p[4] << 24) | ((uint64_t) p[5] << 16) |
	    ((uint64_t) p[6] << 8) | (uint64_t) p[7];
	c->pos += 8;
	return (true);
}

/* Copies n bytes out. */
static inline MPC_MUST_CHECK bool
mpc_rcursor_bytes(mpc_rcursor *c, void *out, size_t n)
{
	if (!mpc_rcursor_has(c, n)) {
		return (false);
	}
	if (n > 0) {
		memcpy(out, c->buf + c->pos, n);
	}
	c->pos += n;
	return (true);
}

/*
 * Hands out a view of the next n bytes without copying them: the frame
 * codec's payload and tag views.  The view is valid as long as the buffer.
 */
static inline MPC_MUST_CHECK bool
mpc_rcursor_view(mpc_rcursor *c, const uint8_t **view, size_t n)
{
	if (!mpc_rcursor_has(c, n)) {
		return (false);
	}
	*view = c->buf + c->pos;
	c->pos += n;
	return (true);
}

static inline MPC_MUST_CHECK bool
mpc_rcursor_skip(mpc_rcursor *c, size_t n)
{
	if (!mpc_rcursor_has(c, n)) {
		return (false);
	}
	c->pos += n;
	return (true);
}

/* True when the next n bytes equal want (n public, not secret: memcmp). */
static inline MPC_MUST_CHECK bool
mpc_rcursor_match(const mpc_rcursor *c, const void *want, size_t n)
{
	return (mpc_rcursor_has(c, n) && memcmp(c->buf + c->pos, want, n) == 0);
}

static inline void
mpc_wcursor_init(mpc_wcursor *c, void *buf, size_t cap)
{
	c->buf = buf;
	c->cap = buf != NULL ? cap : 0;
	c->pos = 0;
}

static inline MPC_MUST_CHECK bool
mpc_wcursor_has(const mpc_wcursor *c, size_t n)
{
	return (n <= c->cap - c->pos);
}

static inline MPC_MUST_CHECK bool
mpc_wcursor_u8(mpc_wcursor *c, uint8_t v)
{
	if (!mpc_wcursor_has(c, 1)) {
		return (false);
	}
	c->buf[c->pos] = v;
	c->pos += 1;
	return (true);
}

static inline MPC_MUST_CHECK bool
mpc_wcursor_u16(mpc_wcursor *c, uint16_t v)
{
	uint8_t *p;

	if (!mpc_wcursor_has(c, 2)) {
		return (false);
	}
	p    = c->buf + c->pos;
	p[0] = (uint8_t) (v >> 8);
	p[1] = (uint8_t) v;
	c->pos += 2;
	return (true);
}

static inline MPC_MUST_CHECK bool
mpc_wcursor_u32(mpc_wcursor *c, uint32_t v)
{
	uint8_t *p;

	if (!mpc_wcursor_has(c, 4)) {
		return (false);
	}
	p    = c->buf + c->pos;
	p[0] = (uint8_t) (v >> 24);
	p[1] = (uint8_t) (v >> 16);
	p[2] = (uint8_t) (v >> 8);
	p[3] = (uint8_t) v;
	c->pos += 4;
	return (true);
}

static inline MPC_MUST_CHECK bool
mpc_wcursor_u64(mpc_wcursor *c, uint64_t v)
{
	uint8_t *p;

	if (!mpc_wcursor_has(c, 8)) {
		return (false);
	}
	p = c->buf + c->pos;
	for (int i = 0; i < 8; i++) {
		p[i] = (uint8_t) (v >> (56 - 8 * i));
	}
	c->pos += 8;
	return (true);
}

static inline MPC_MUST_CHECK bool
mpc_wcursor_bytes(mpc_wcursor *c, const void *in, size_t n)
{
	if (!mpc_wcursor_has(c, n)) {
		return (false);
	}
	if (n > 0) {
		memcpy(c->buf + c->pos, in, n);
	}
	c->pos += n;
	return (true);
}

#endif /* MPC_CURSOR_H */
