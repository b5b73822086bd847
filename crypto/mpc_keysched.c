/*
 * mpc_keysched.c -- HKDF-SHA256 key schedule of the message layer.
 *
 *   lo, hi  = the two parties ordered by party ID (lo < hi)
 *   PRK     = HKDF-Extract(salt = random_lo || random_hi,
 *                          IKM  = session_key || binding)        RFC 5869 2.2
 *   dir(f,t)            = session_id || be32(f) || be32(t)
 *   traffic_0(f->t)     = Expand-Label(PRK, "traffic", dir(f,t), 32)
 *   traffic_{n+1}(f->t) = HKDF-Expand(traffic_n, "nng-mpc v1 key update", 32)
 *   key_n(f->t)         = Expand-Label(traffic_n, "key", dir(f,t) || be32(n), 32)
 *   iv_n(f->t)          = Expand-Label(traffic_n, "iv",  dir(f,t) || be32(n), 12)
 *   finished(p->q)      = Expand-Label(PRK, "finished", dir(p,q), 32)
 *
 * Expand-Label is RFC 8446 section 7.1's HkdfLabel with the prefix
 * "nng-mpc v1 " (mpc_kdf.c).  Why this shape:
 *  - the randoms are the salt (RFC 5869 section 3.1: a random salt
 *    strengthens extraction) and make every connection's keys fresh even
 *    when the session key is reused across reconnects;
 *  - the TLS exporter in the IKM binds the keys to that TLS connection
 *    (RFC 8446 section 7.5, hop-by-hop binding); session_key has a fixed
 *    length, so session_key || binding is unambiguous;
 *  - every output names its purpose, direction, both parties, the session
 *    and (for traffic keys) the epoch, so no two uses share a key;
 *  - the ratchet is TLS 1.3's KeyUpdate (RFC 8446 section 7.2): one-way, so
 *    wiping traffic_n leaves nothing that decrypts epoch n's frames once
 *    key_n is wiped too.
 * PRK is wiped as soon as the epoch-0 secrets and finished keys exist.
 *
 * Threading: stateless.
 */
#include <string.h>

#include "nng_mpc.h"

#include "mpc_keysched.h"
#include "mpc_wipe.h"

#define KEY_UPDATE_INFO "nng-mpc v1 key update"

static void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t) (v >> 24);
	p[1] = (uint8_t) (v >> 16);
	p[2] = (uint8_t) (v >> 8);
	p[3] = (uint8_t) v;
}

/* dir(f,t) [|| be32(epoch)]; returns the context length. */
static size_t
dir_context(uint8_t ctx[MPC_KS_SESSION_ID_LEN + 12],
    const uint8_t session_id[MPC_KS_SESSION_ID_LEN], uint32_t from,
    uint32_t to, const uint32_t *epoch)
{
	memcpy(ctx, session_id, MPC_KS_SESSION_ID_LEN);
	put_be32(ctx + MPC_KS_SESSION_ID_LEN, from);
	put_be32(ctx + MPC_KS_SESSION_ID_LEN + 4, to);
	if (epoch == NULL) {
		return (MPC_KS_SESSION_ID_LEN + 8);
	}
	put_be32(ctx + MPC_KS_SESSION_ID_LEN + 8, *epoch);
	return (MPC_KS_SESSION_ID_LEN + 12);
}

static int
traffic_secret(uint8_t out[MPC_KS_SECRET_LEN], const uint8_t prk[32],
    const uint8_t session_id[MPC_KS_SESSION_ID_LEN], uint32_t from,
    uint32_t to)
{
	uint8_t ctx[MPC_KS_SESSION_ID_LEN + 12];
	size_t  n = dir_context(ctx, session_id, from, to, NULL);

	return (mpc_hkdf_expand_label(
	    out, MPC_KS_SECRET_LEN, prk, "traffic", ctx, n));
}

/* The key party `from` MACs its handshake transcript with, for `to`. */
static int
finished_key(uint8_t out[MPC_KS_SECRET_LEN], const uint8_t prk[32],
    const uint8_t session_id[MPC_KS_SESSION_ID_LEN], uint32_t from,
    uint32_t to)
{
	uint8_t ctx[MPC_KS_SESSION_ID_LEN + 12];
	size_t  n = dir_context(ctx, session_id, from, to, NULL);

	return (mpc_hkdf_expand_label(
	    out, MPC_KS_SECRET_LEN, prk, "finished", ctx, n));
}

int
mpc_keysched_derive(mpc_keysched *ks, const mpc_keysched_input *in)
{
	uint8_t       prk[MPC_KDF_HASH_LEN];
	uint8_t       salt[2 * MPC_KS_RANDOM_LEN];
	mpc_kdf_piece ikm[2];
	int           self_lo;
	int           rv;

	if (ks == NULL) {
		return (NNG_MPC_ECRYPTOARG);
	}
	memset(ks, 0, sizeof(*ks));
	if (in == NULL || in->session_key == NULL || in->session_id == NULL ||
	    in->self_random == NULL || in->peer_random == NULL ||
	    in->self_id == in->peer_id ||
	    (in->binding == NULL && in->binding_len != 0) ||
	    in->binding_len > MPC_KS_BINDING_MAX) {
		return (NNG_MPC_ECRYPTOARG);
	}
	self_lo = in->self_id < in->peer_id;
	memcpy(salt, self_lo ? in->self_random : in->peer_random,
	    MPC_KS_RANDOM_LEN);
	memcpy(salt + MPC_KS_RANDOM_LEN,
	    self_lo ? in->peer_random : in->self_random, MPC_KS_RANDOM_LEN);
	ikm[0].ptr = in->session_key;
	ikm[0].len = MPC_KS_SESSION_KEY_LEN;
	ikm[1].ptr = in->binding;
	ikm[1].len = in->binding_len;

	if ((rv = mpc_hkdf_extract_pieces(prk, salt, sizeof(salt), ikm, 2)) !=
	    0) {
		goto out;
	}
	memcpy(ks->session_id, in->session_id, MPC_KS_SESSION_ID_LEN);
	ks->self_id = in->self_id;
	ks->peer_id = in->peer_id;
	if ((rv = traffic_secret(ks->send_secret, prk, in->session_id,
	         in->self_id, in->peer_id)) != 0 ||
	    (rv = traffic_secret(ks->recv_secret, prk, in->session_id,
	         in->peer_id, in->self_id)) != 0 ||
	    (rv = finished_key(ks->self_finished, prk, in->session_id,
	         in->self_id, in->peer_id)) != 0 ||
	    (rv = finished_key(ks->peer_finished, prk, in->session_id,
	         in->peer_id, in->self_id)) != 0) {
		goto out;
	}
out:
	mpc_wipe(prk, sizeof(prk));
	mpc_wipe(salt, sizeof(salt));
	if (rv != 0) {
		mpc_keysched_wipe(ks);
	}
	return (rv);
}

void
mpc_keysched_wipe(mpc_keysched *ks)
{
	mpc_wipe(ks, sizeof(*ks));
}

int
mpc_keysched_epoch_keys(uint8_t key[MPC_AEAD_KEY_LEN],
    uint8_t iv[MPC_AEAD_IV_LEN], const uint8_t secret[MPC_KS_SECRET_LEN],
    const uint8_t session_id[MPC_KS_SESSION_ID_LEN], uint32_t from,
    uint32_t to, uint32_t epoch)
{
	uint8_t ctx[MPC_KS_SESSION_ID_LEN + 12];
	size_t  n;
	int     rv;

	if (key == NULL || iv == NULL || secret == NULL || session_id == NULL) {
		return (NNG_MPC_ECRYPTOARG);
	}
	n = dir_context(ctx, session_id, from, to, &epoch);
	if ((rv = mpc_hkdf_expand_label(
	         key, MPC_AEAD_KEY_LEN, secret, "key", ctx, n)) != 0 ||
	    (rv = mpc_hkdf_expand_label(
	         iv, MPC_AEAD_IV_LEN, secret, "iv", ctx, n)) != 0) {
		mpc_wipe(key, MPC_AEAD_KEY_LEN);
		mpc_wipe(iv, MPC_AEAD_IV_LEN);
	}
	return (rv);
}

int
mpc_keysched_next(
    uint8_t next[MPC_KS_SECRET_LEN], const uint8_t cur[MPC_KS_SECRET_LEN])
{
	uint8_t tmp[MPC_KS_SECRET_LEN];
	int     rv;

	if (next == NULL || cur == NULL) {
		return (NNG_MPC_ECRYPTOARG);
	}
	/* Into tmp first: next may alias cur. */
	rv = mpc_hkdf_expand(tmp, sizeof(tmp), cur, MPC_KS_SECRET_LEN,
	    KEY_UPDATE_INFO, sizeof(KEY_UPDATE_INFO) - 1);
	if (rv == 0) {
		memcpy(next, tmp, sizeof(tmp));
	} else {
		mpc_wipe(next, MPC_KS_SECRET_LEN);
	}
	mpc_wipe(tmp, sizeof(tmp));
	return (rv);
}

int
mpc_keysched_finished(uint8_t mac[MPC_KS_FINISHED_LEN],
    const uint8_t finished_key[MPC_KS_SECRET_LEN], const void *transcript,
    size_t len)
{
	if (finished_key == NULL) {
		return (NNG_MPC_ECRYPTOARG);
	}
	return (mpc_hmac_sha256(
	    mac, finished_key, MPC_KS_SECRET_LEN, transcript, len));
}

int
mpc_keysched_finished_verify(const uint8_t mac[MPC_KS_FINISHED_LEN],
    const uint8_t finished_key[MPC_KS_SECRET_LEN], const void *transcript,
    size_t len)
{
	if (finished_key == NULL) {
		return (NNG_MPC_ECRYPTOARG);
	}
	return (mpc_hmac_sha256_verify(finished_key, MPC_KS_SECRET_LEN,
	    transcript, len, mac, MPC_KS_FINISHED_LEN));
}
