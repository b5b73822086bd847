/*
 * mpc_frame.h -- the MPC frame codec: the 48-byte header (the AEAD's
 * additional data), its validation, and a no-copy view of a whole frame.
 * The byte layout is documented once, in include/nng_mpc.h ("The frame").
 *
 * Receiving from a stream:
 *   1. read exactly NNG_MPC_FRAME_HEADER_SIZE bytes;
 *   2. mpc_frame_decode_header(): validates every field, including the
 *      declared payload length against the caller's limit -- before the
 *      caller allocates anything;
 *   3. allocate and read mpc_frame_body_len(&hdr) bytes (payload + tag);
 *   4. open the AEAD with the 48 header bytes as additional data.
 * With a whole frame in one buffer, mpc_frame_decode() does 2 and checks
 * the buffer length against the declared one, handing out views of the
 * payload and tag (no copy).
 *
 * Sending: mpc_frame_encode_header() refuses any header the decoder would
 * refuse, and writes the 48 bytes into a caller buffer; the payload is
 * sealed by the caller straight after it (no copy here either).
 *
 * Every rejection returns its own NNG_MPC_E* code, bumps the matching
 * counter in the caller's mpc_wire_stats (when given) and zeroes the
 * output.  Threading: the functions are pure; a stats block belongs to its
 * caller, which serialises updates to it (one per pipe in the transport).
 */
#ifndef MPC_FRAME_H
#define MPC_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nng_mpc.h"

#include "mpc_cursor.h"

/* Number of wire-format error slots: codes NNG_MPC_ERRBASE + 1..31. */
#define MPC_WIRE_NERR 32

/* Per-error rejection counters, indexed by (code - NNG_MPC_ERRBASE). */
typedef struct mpc_wire_stats {
	uint64_t rejected[MPC_WIRE_NERR];
} mpc_wire_stats;

/* The decoded header.  Version is implied: only version 1 decodes. */
typedef struct mpc_frame_hdr {
	uint8_t  flags;
	uint16_t type;
	uint32_t sender;
	uint32_t recipient;
	uint32_t epoch;
	uint32_t payload_len;
	uint64_t sequence;
	uint64_t timestamp_ns;
	uint8_t  session[NNG_MPC_SESSION_BINDING_SIZE];
} mpc_frame_hdr;

/*
 * What the receiver accepts.  max_payload is required (<= NNG_MPC_PAYLOAD_MAX);
 * the other checks are optional: NNG_MPC_PARTY_NONE / check_session false
 * switch them off (before the handshake has named the peer, say).
 */
typedef struct mpc_frame_policy {
	uint32_t max_payload;  /* declared length above: NNG_MPC_ETOOBIG  */
	uint32_t local_party;  /* recipient neither this nor broadcast:
	                          NNG_MPC_ENOTFORME */
	uint32_t peer_party;   /* sender not this: NNG_MPC_EPEER            */
	bool     check_session;
	uint8_t  session[NNG_MPC_SESSION_BINDING_SIZE]; /* NNG_MPC_ESESSION */
} mpc_frame_policy;

/* A decoded whole frame: views into the caller's buffer, nothing copied. */
typedef struct mpc_frame_view {
	mpc_frame_hdr  hdr;
	const uint8_t *aad;     /* the 48 header bytes                      */
	const uint8_t *payload; /* hdr.payload_len sealed bytes             */
	const uint8_t *tag;     /* NNG_MPC_FRAME_TAG_SIZE bytes             */
} mpc_frame_view;

/*
 * Validates h and writes the 48-byte header into out (cap >= 48).  Returns
 * 0, NNG_EINVAL (NULL, cap too small, max_payload over NNG_MPC_PAYLOAD_MAX)
 * or the code the decoder would reject h with; out is zeroed on error.
 */
MPC_MUST_CHECK int mpc_frame_encode_header(
    uint8_t *out, size_t cap, const mpc_frame_hdr *h, uint32_t max_payload);

/*
 * Decodes and validates the first 48 bytes of buf (exactly those: trailing
 * bytes are the caller's payload).  Returns 0, NNG_EINVAL (NULL argument or
 * bad policy) or an NNG_MPC_E* code; h is zeroed on error.
 */
MPC_MUST_CHECK int mpc_frame_decode_header(mpc_frame_hdr *h,
    const uint8_t *buf, size_t len, const mpc_frame_policy *p,
    mpc_wire_stats *stats);

/*
 * Decodes a whole frame: buf must hold exactly 48 + payload length + 16
 * bytes (NNG_MPC_ETRUNCATED when shorter, NNG_MPC_ETRAILING when longer).
 * v is zeroed on error.
 */
MPC_MUST_CHECK int mpc_frame_decode(mpc_frame_view *v, const uint8_t *buf,
    size_t len, const mpc_frame_policy *p, mpc_wire_stats *stats);

/* Bytes to read after the header: sealed payload plus tag. */
static inline size_t
mpc_frame_body_len(const mpc_frame_hdr *h)
{
	return ((size_t) h->payload_len + NNG_MPC_FRAME_TAG_SIZE);
}

/* A type a frame may carry: defined, or in the application range. */
bool mpc_frame_type_valid(uint16_t type);

/* A type an application may send (valid and not a control type). */
bool mpc_frame_type_app_sendable(uint16_t type);

/*
 * The session binding carried at offset 40: the first 8 bytes of
 * SHA-256("nng-mpc v1 session binding" || session ID).  sid_len must be
 * NNG_MPC_SESSION_ID_SIZE.  Returns 0, NNG_EINVAL or NNG_EINTERNAL (a
 * wolfCrypt failure); out is zeroed on error.
 */
MPC_MUST_CHECK int mpc_frame_session_binding(
    uint8_t out[NNG_MPC_SESSION_BINDING_SIZE], const uint8_t *sid,
    size_t sid_len);

/* Counts a rejection (err an NNG_MPC_E* wire code) in stats, if given. */
void mpc_wire_stats_count(mpc_wire_stats *stats, int err);

/* The count of rejections with code err; 0 for codes outside the range. */
uint64_t mpc_wire_stats_get(const mpc_wire_stats *stats, int err);

#endif /* MPC_FRAME_H */
