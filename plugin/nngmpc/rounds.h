/*
 * The message pattern `nngmpc node` and `nngmpc demo` run: rounds shaped
 * like a threshold-ECDSA key generation (3 rounds) and signing (4 rounds),
 * with the message sizes such protocols send (commitments of hundreds of
 * bytes, Paillier/range proofs and MtA messages of tens of KiB).  Nothing
 * here is real MPC arithmetic: the payloads are deterministic bytes every
 * receiver can recompute, so a node checks that each message arrived
 * exactly once, from the party it claims, for the right recipient, intact.
 */
#ifndef NNG_MPC_NNGMPC_ROUNDS_H
#define NNG_MPC_NNGMPC_ROUNDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nngmpc_round {
	const char *name;      /* "keygen-1" */
	uint16_t    type;      /* NNG_MPC_MSG_DKG_ROUND1, ... */
	uint32_t    bcast_len; /* one broadcast of this size, or 0 */
	uint32_t    p2p_len;   /* one message to every other party, or 0 */
};

extern const struct nngmpc_round nngmpc_rounds[];
extern const size_t              nngmpc_nrounds;

/* The round whose type this is, or -1. */
int nngmpc_round_of_type(uint16_t type);

/* Payload of round r from `from` to `to` (NNG_MPC_PARTY_BROADCAST for the
 * broadcast): a 16-byte header (round, from, to, length) and bytes derived
 * from the session ID, so payloads differ per session. */
void nngmpc_round_payload(const uint8_t session_id[16], int r, uint32_t from,
    uint32_t to, uint8_t *buf, size_t len);

/* The recipient a payload's header names (NNG_MPC_PARTY_BROADCAST for a
 * broadcast even when it travelled as an addressed copy), or 0 when it is
 * too short to have a header. */
uint32_t nngmpc_round_payload_to(const uint8_t *buf, size_t len);

/* The next value of a splitmix64 stream with state *s: fast and well
 * mixed, the same everywhere for the same seed; not for secrets. */
uint64_t nngmpc_splitmix64(uint64_t *s);

/* Checks a received payload against what nngmpc_round_payload makes. */
bool nngmpc_round_payload_ok(const uint8_t session_id[16], int r,
    uint32_t from, uint32_t to, const uint8_t *buf, size_t len);

#endif /* NNG_MPC_NNGMPC_ROUNDS_H */
