/*
 * dlv_nth.h -- numbered test messages for the delivery-stream tests:
 * message i is its number (4 bytes, big-endian), then filler whose length
 * and bytes follow from i, so a receiver can tell a wrong, damaged,
 * repeated or missing message from its bytes alone.
 *
 * Threading: pure functions; CMocka-free so flow threads may call them.
 */
#ifndef NNG_MPC_TEST_DLV_NTH_H
#define NNG_MPC_TEST_DLV_NTH_H

#include <stdint.h>
#include <string.h>

#include <nng/nng.h>

static inline void
dlv_put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t) (v >> 24);
	p[1] = (uint8_t) (v >> 16);
	p[2] = (uint8_t) (v >> 8);
	p[3] = (uint8_t) v;
}

static inline uint32_t
dlv_get_u32(const uint8_t *p)
{
	return (((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) |
	    ((uint32_t) p[2] << 8) | p[3]);
}

/* Sends message i on s (blocking, the socket's send timeout). */
static inline int
dlv_send_nth(nng_socket s, uint32_t i)
{
	uint8_t  buf[4 + 300];
	size_t   len = 4 + (i * 37u) % 300u;
	nng_msg *m;
	int      rv;

	dlv_put_u32(buf, i);
	memset(buf + 4, (int) (i & 0xFF), len - 4);
	if ((rv = nng_msg_alloc(&m, 0)) != 0 ||
	    (rv = nng_msg_append(m, buf, len)) != 0) {
		return (rv);
	}
	if ((rv = nng_sendmsg(s, m, 0)) != 0) {
		nng_msg_free(m);
	}
	return (rv);
}

/* Message's number if its bytes are right, else 0. */
static inline uint32_t
dlv_nth_of(nng_msg *m)
{
	const uint8_t *b = nng_msg_body(m);
	uint32_t       i;

	if (nng_msg_len(m) < 4) {
		return (0);
	}
	i = dlv_get_u32(b);
	if (nng_msg_len(m) != 4 + (i * 37u) % 300u) {
		return (0);
	}
	for (size_t k = 4; k < nng_msg_len(m); k++) {
		if (b[k] != (i & 0xFF)) {
			return (0);
		}
	}
	return (i);
}

#endif /* NNG_MPC_TEST_DLV_NTH_H */
