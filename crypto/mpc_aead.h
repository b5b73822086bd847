/*
 * mpc_aead.h -- one direction's AES-256-GCM key: seal and open one frame in
 * place, the frame header as additional data, a separate 16-byte tag.
 *
 * Nonce (RFC 8446 section 5.3, with the epoch in the top 4 bytes):
 *     nonce = static_iv XOR (be32(epoch) || be64(seq))
 * Never random and never stored: it is recomputed from (epoch, seq), which
 * the frame header carries.  This module does not police uniqueness: the
 * channel (mpc_channel.h) hands out each (epoch, seq) once and enforces the
 * per-key limit.
 *
 * Open is all-or-nothing: wolfCrypt checks the tag in constant time (the
 * AVX2/AVX1/AES-NI assembly compares all 16 bytes with vpcmpeqb, the C path
 * with ConstantCompare); on failure the whole buffer is wiped, so neither
 * plaintext nor ciphertext survives a failed open.
 *
 * Threading: a key is used by one thread at a time (the channel gives the
 * send key to the sender and the receive keys to the receiver).
 */
#ifndef MPC_AEAD_H
#define MPC_AEAD_H

#include <stddef.h>
#include <stdint.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/wolfcrypt/aes.h>

#define MPC_AEAD_KEY_LEN 32 /* AES-256 */
#define MPC_AEAD_IV_LEN  12 /* RFC 5116 section 5.1: N_MIN = N_MAX = 12 */
#define MPC_AEAD_TAG_LEN 16 /* full GCM tag, never truncated */
/* wolfCrypt lengths are word32; GCM itself allows 2^36 - 32 bytes
 * (NIST SP 800-38D section 5.2.1.1), so word32 is the binding limit. */
#define MPC_AEAD_MAX_LEN ((size_t) UINT32_MAX)

typedef struct mpc_aead {
	Aes     aes; /* expanded key schedule (secret) */
	uint8_t iv[MPC_AEAD_IV_LEN];
	int     ready;
} mpc_aead;

/* Expands key and keeps iv.  The caller wipes its copies of key and iv. */
int mpc_aead_init(mpc_aead *a, const uint8_t key[MPC_AEAD_KEY_LEN],
    const uint8_t iv[MPC_AEAD_IV_LEN]) __attribute__((warn_unused_result));

/* Wipes the key schedule and IV; safe on a zeroed or finished key. */
void mpc_aead_fini(mpc_aead *a);

/* nonce = iv XOR (be32(epoch) || be64(seq)). */
void mpc_aead_nonce(const mpc_aead *a, uint32_t epoch, uint64_t seq,
    uint8_t nonce[MPC_AEAD_IV_LEN]);

/* Encrypts buf[0..len) in place and writes the tag.  On failure buf and
 * tag are wiped (a half-sealed buffer must never reach the wire). */
int mpc_aead_seal(mpc_aead *a, uint32_t epoch, uint64_t seq,
    const uint8_t *aad, size_t aad_len, uint8_t *buf, size_t len,
    uint8_t tag[MPC_AEAD_TAG_LEN]) __attribute__((warn_unused_result));

/* Verifies and decrypts buf[0..len) in place.  0, or NNG_MPC_EAUTH with
 * buf wiped, or NNG_MPC_ECRYPTOARG / NNG_MPC_ECRYPTO with buf wiped. */
int mpc_aead_open(mpc_aead *a, uint32_t epoch, uint64_t seq,
    const uint8_t *aad, size_t aad_len, uint8_t *buf, size_t len,
    const uint8_t tag[MPC_AEAD_TAG_LEN]) __attribute__((warn_unused_result));

#endif /* MPC_AEAD_H */
