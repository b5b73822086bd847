/*
 * The demo's rounds and their deterministic payloads; see rounds.h.
 * Threading: pure functions over constant tables.
 */
#include <string.h>

#include <nng_mpc.h>

#include "rounds.h"

/* Sizes follow what GG18/CMP-style threshold ECDSA sends per party:
 * keygen commits (hash), then decommits + Feldman VSS and a private share
 * per party, then Paillier key proofs; signing commits, runs MtA with range
 * proofs per pair, then reveals and finishes with a partial signature. */
const struct nngmpc_round nngmpc_rounds[] = {
	{ "keygen-1", NNG_MPC_MSG_DKG_ROUND1, 256, 0 },
	{ "keygen-2", NNG_MPC_MSG_DKG_ROUND2, 2048, 512 },
	{ "keygen-3", NNG_MPC_MSG_DKG_ROUND3, 24576, 0 },
	{ "sign-1", NNG_MPC_MSG_SIGN_ROUND1, 512, 4096 },
	{ "sign-2", NNG_MPC_MSG_SIGN_ROUND2, 0, 32768 },
	{ "sign-3", NNG_MPC_MSG_SIGN_ROUND3, 384, 0 },
	{ "sign-4", NNG_MPC_MSG_SIGN_ROUND4, 160, 0 },
};
const size_t nngmpc_nrounds = sizeof(nngmpc_rounds) / sizeof(nngmpc_rounds[0]);

#define PAYLOAD_HDR 16

int
nngmpc_round_of_type(uint16_t type)
{
	for (size_t i = 0; i < nngmpc_nrounds; i++) {
		if (nngmpc_rounds[i].type == type) {
			return ((int) i);
		}
	}
	return (-1);
}

static void
put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t) (v >> 24);
	p[1] = (uint8_t) (v >> 16);
	p[2] = (uint8_t) (v >> 8);
	p[3] = (uint8_t) v;
}

/* splitmix64: a fast, well-mixed stream; not a secret, only a checksum
 * (and the demo's fault plan). */
uint64_t
nngmpc_splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
	z          = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z          = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return (z ^ (z >> 31));
}

static uint64_t
payload_seed(const uint8_t sid[16], int r, uint32_t from, uint32_t to)
{
	uint64_t s = 0;
	for (int i = 0; i < 16; i++) {
		s = (s << 8 | s >> 56) ^ sid[i];
	}
	return (s ^ ((uint64_t) r << 56) ^ ((uint64_t) from << 24) ^
	    ((uint64_t) to * 0x100000001B3ull));
}

static void
fill(const uint8_t sid[16], int r, uint32_t from, uint32_t to, uint8_t *buf,
    size_t len)
{
	uint64_t s = payload_seed(sid, r, from, to);
	size_t   i = 0;

	if (len >= PAYLOAD_HDR) {
		put_u32(buf, (uint32_t) r);
		put_u32(buf + 4, from);
		put_u32(buf + 8, to);
		put_u32(buf + 12, (uint32_t) len);
		i = PAYLOAD_HDR;
	}
	while (i < len) {
		uint64_t v = nngmpc_splitmix64(&s);
		for (int k = 0; k < 8 && i < len; k++, i++) {
			buf[i] = (uint8_t) (v >> (8 * k));
		}
	}
}

void
nngmpc_round_payload(const uint8_t session_id[16], int r, uint32_t from,
    uint32_t to, uint8_t *buf, size_t len)
{
	fill(session_id, r, from, to, buf, len);
}

uint32_t
nngmpc_round_payload_to(const uint8_t *buf, size_t len)
{
	if (len < PAYLOAD_HDR) {
		return (0);
	}
	return (((uint32_t) buf[8] << 24) | ((uint32_t) buf[9] << 16) |
	    ((uint32_t) buf[10] << 8) | (uint32_t) buf[11]);
}

bool
nngmpc_round_payload_ok(const uint8_t session_id[16], int r, uint32_t from,
    uint32_t to, const uint8_t *buf, size_t len)
{
	uint8_t  block[256];
	uint64_t s = payload_seed(session_id, r, from, to);
	size_t   off;

	/* Compare block by block: no allocation for a 32 KiB message. */
	if (len < PAYLOAD_HDR) {
		fill(session_id, r, from, to, block, len);
		return (memcmp(block, buf, len) == 0);
	}
	put_u32(block, (uint32_t) r);
	put_u32(block + 4, from);
	put_u32(block + 8, to);
	put_u32(block + 12, (uint32_t) len);
	if (memcmp(block, buf, PAYLOAD_HDR) != 0) {
		return (false);
	}
	for (off = PAYLOAD_HDR; off < len;) {
		size_t n = 0;
		while (n < sizeof(block) && off + n < len) {
			uint64_t v = nngmpc_splitmix64(&s);
			for (int k = 0; k < 8 && n < sizeof(block) &&
			     off + n < len;
			     k++, n++) {
				block[n] = (uint8_t) (v >> (8 * k));
			}
		}
		if (memcmp(block, buf + off, n) != 0) {
			return (false);
		}
		off += n;
	}
	return (true);
}
