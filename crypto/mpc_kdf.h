/*
 * mpc_kdf.h -- HMAC-SHA256 (RFC 2104) and HKDF-SHA256 (RFC 5869) over
 * wolfCrypt's HMAC, plus the TLS 1.3 style labelled expand (RFC 8446
 * section 7.1) the key schedule uses.
 *
 * Why not wolfCrypt's wc_HKDF(): in 5.5.4 it leaves the HMAC state (ipad,
 * opad, inner hash) and the last output block on the stack.  Here every
 * intermediate is wiped on every exit.
 *
 * Return values: 0, NNG_MPC_ECRYPTOARG (a length out of range),
 * NNG_MPC_EAUTH (verify: mismatch) or NNG_MPC_ECRYPTO (wolfCrypt failed).
 * Pointers may be NULL only where their length is 0.
 *
 * Threading: stateless; callable from any thread.
 */
#ifndef MPC_KDF_H
#define MPC_KDF_H

#include <stddef.h>
#include <stdint.h>

#define MPC_KDF_HASH_LEN    32              /* SHA-256 output, RFC 5869 HashLen */
#define MPC_KDF_MAX_OKM     (255 * 32)      /* RFC 5869 section 2.3: L <= 255*HashLen */
#define MPC_KDF_MIN_TAG     16              /* RFC 2104 section 5: t >= L/2 */
#define MPC_KDF_LABEL_MAX   64              /* longest label after the prefix */
#define MPC_KDF_CONTEXT_MAX 255             /* RFC 8446 7.1: context<0..255> */

/* One piece of a message that is MACed as the concatenation of pieces. */
typedef struct mpc_kdf_piece {
	const void *ptr;
	size_t      len;
} mpc_kdf_piece;

/* mac = HMAC-SHA256(key, piece[0] || ... || piece[n-1]). */
int mpc_hmac_sha256_pieces(uint8_t mac[MPC_KDF_HASH_LEN], const void *key,
    size_t key_len, const mpc_kdf_piece *piece, size_t n)
    __attribute__((warn_unused_result));

/* mac = HMAC-SHA256(key, msg). */
int mpc_hmac_sha256(uint8_t mac[MPC_KDF_HASH_LEN], const void *key,
    size_t key_len, const void *msg, size_t msg_len)
    __attribute__((warn_unused_result));

/* Constant-time check of a tag_len-byte (16..32) truncated HMAC-SHA256 tag
 * (RFC 2104 section 5).  0 or NNG_MPC_EAUTH. */
int mpc_hmac_sha256_verify(const void *key, size_t key_len, const void *msg,
    size_t msg_len, const void *tag, size_t tag_len)
    __attribute__((warn_unused_result));

/* RFC 5869 section 2.2, IKM given as pieces (concatenated). */
int mpc_hkdf_extract_pieces(uint8_t prk[MPC_KDF_HASH_LEN], const void *salt,
    size_t salt_len, const mpc_kdf_piece *ikm, size_t n)
    __attribute__((warn_unused_result));

/* RFC 5869 section 2.2. */
int mpc_hkdf_extract(uint8_t prk[MPC_KDF_HASH_LEN], const void *salt,
    size_t salt_len, const void *ikm, size_t ikm_len)
    __attribute__((warn_unused_result));

/* RFC 5869 section 2.3: 1 <= okm_len <= MPC_KDF_MAX_OKM, prk_len >= 32.
 * On failure okm is wiped. */
int mpc_hkdf_expand(uint8_t *okm, size_t okm_len, const void *prk,
    size_t prk_len, const void *info, size_t info_len)
    __attribute__((warn_unused_result));

/*
 * RFC 8446 section 7.1 HKDF-Expand-Label with this project's prefix:
 *   info = uint16 okm_len || uint8 len || "nng-mpc v1 " label
 *          || uint8 ctx_len || context
 * so every derived value is bound to its purpose and length.
 * label: 1..MPC_KDF_LABEL_MAX bytes, ctx_len <= MPC_KDF_CONTEXT_MAX.
 */
int mpc_hkdf_expand_label(uint8_t *okm, size_t okm_len,
    const uint8_t secret[MPC_KDF_HASH_LEN], const char *label,
    const void *context, size_t ctx_len) __attribute__((warn_unused_result));

#endif /* MPC_KDF_H */
