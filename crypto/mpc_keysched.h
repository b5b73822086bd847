/*
 * mpc_keysched.h -- the message layer's key schedule (HKDF-SHA256, RFC
 * 5869, with RFC 8446 section 7.1 style labels; see mpc_keysched.c for the
 * derivation tree).
 *
 * Both parties call mpc_keysched_derive() with their own view (self/peer)
 * of the same handshake and get mirror-image results: A's send secret is
 * B's receive secret and vice versa.  No role flag is needed: everything
 * that must be ordered is ordered by party ID, so a dialer and a listener,
 * or two simultaneous dials, derive independently and agree.
 *
 * Threading: stateless functions; an mpc_keysched belongs to one thread.
 */
#ifndef MPC_KEYSCHED_H
#define MPC_KEYSCHED_H

#include <stddef.h>
#include <stdint.h>

#include "mpc_aead.h"
#include "mpc_kdf.h"

#define MPC_KS_SESSION_KEY_LEN 32
#define MPC_KS_SESSION_ID_LEN  16
#define MPC_KS_RANDOM_LEN      32
#define MPC_KS_BINDING_MAX     64 /* TLS exporter output, RFC 8446 7.5 */
#define MPC_KS_SECRET_LEN      MPC_KDF_HASH_LEN
#define MPC_KS_FINISHED_LEN    MPC_KDF_HASH_LEN

/* What the handshake knows; every pointer is read only during derive. */
typedef struct mpc_keysched_input {
	const uint8_t *session_key; /* MPC_KS_SESSION_KEY_LEN, secret */
	const uint8_t *session_id;  /* MPC_KS_SESSION_ID_LEN */
	uint32_t       self_id;     /* this party */
	uint32_t       peer_id;     /* the other party; != self_id */
	const uint8_t *self_random; /* MPC_KS_RANDOM_LEN, this party's hello */
	const uint8_t *peer_random; /* MPC_KS_RANDOM_LEN, the peer's hello */
	const uint8_t *binding;     /* channel binding (TLS exporter) or NULL */
	size_t         binding_len; /* 0..MPC_KS_BINDING_MAX */
} mpc_keysched_input;

/* The derived secrets (all secret; wipe with mpc_keysched_wipe). */
typedef struct mpc_keysched {
	uint8_t  session_id[MPC_KS_SESSION_ID_LEN];
	uint32_t self_id;
	uint32_t peer_id;
	uint8_t  send_secret[MPC_KS_SECRET_LEN];   /* self -> peer, epoch 0 */
	uint8_t  recv_secret[MPC_KS_SECRET_LEN];   /* peer -> self, epoch 0 */
	uint8_t  self_finished[MPC_KS_SECRET_LEN]; /* MACs what self sends */
	uint8_t  peer_finished[MPC_KS_SECRET_LEN]; /* checks what peer sends */
} mpc_keysched;

int mpc_keysched_derive(mpc_keysched *ks, const mpc_keysched_input *in)
    __attribute__((warn_unused_result));

void mpc_keysched_wipe(mpc_keysched *ks);

/* Traffic key and IV of one direction (from -> to) at one epoch, from that
 * direction's secret at that epoch. */
int mpc_keysched_epoch_keys(uint8_t key[MPC_AEAD_KEY_LEN],
    uint8_t iv[MPC_AEAD_IV_LEN], const uint8_t secret[MPC_KS_SECRET_LEN],
    const uint8_t session_id[MPC_KS_SESSION_ID_LEN], uint32_t from,
    uint32_t to, uint32_t epoch) __attribute__((warn_unused_result));

/* next = HKDF-Expand(cur, "nng-mpc v1 key update", 32) (RFC 8446 7.2
 * analogue).  next may equal cur (in-place ratchet); the old value is
 * gone either way.  On failure next is wiped. */
int mpc_keysched_next(uint8_t next[MPC_KS_SECRET_LEN],
    const uint8_t cur[MPC_KS_SECRET_LEN]) __attribute__((warn_unused_result));

/* Key confirmation (RFC 8446 4.4.4 analogue):
 * mac = HMAC-SHA256(finished_key, transcript). */
int mpc_keysched_finished(uint8_t mac[MPC_KS_FINISHED_LEN],
    const uint8_t finished_key[MPC_KS_SECRET_LEN], const void *transcript,
    size_t len) __attribute__((warn_unused_result));

/* Constant-time check of a peer's finished MAC: 0 or NNG_MPC_EAUTH. */
int mpc_keysched_finished_verify(const uint8_t mac[MPC_KS_FINISHED_LEN],
    const uint8_t finished_key[MPC_KS_SECRET_LEN], const void *transcript,
    size_t len) __attribute__((warn_unused_result));

#endif /* MPC_KEYSCHED_H */
