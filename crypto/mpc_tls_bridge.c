/*
 * mpc_tls_bridge.c -- the bridge from an nng_stream to the engine's
 * connection state; the design and threading rules are in mpc_tls_bridge.h.
 */
#include <string.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/memory.h>

#include "mpc_tls_bridge.h"
#include "mpc_tls_engine.h"

_Static_assert(MPC_TLS_PEER_SUBJECT_LEN == MPC_TLS_SUBJECT_LEN,
    "subject buffers differ");
_Static_assert(MPC_TLS_PEER_NAME_LEN == MPC_TLS_NAME_LEN,
    "name buffers differ");

/* Finds and locks the connection behind s (registry, then conn->lk). */
struct nng_tls_engine_conn *
mpc_tls_conn_lock(nng_stream *s)
{
	struct nng_tls_engine_conn *c;

	if (s == NULL) {
		return (NULL);
	}
	mpc_tls_reg_lock();
	if ((c = mpc_tls_reg_conn_find(s)) != NULL) {
		(void) pthread_mutex_lock(&c->lk);
	}
	mpc_tls_reg_unlock();
	return (c);
}

int
mpc_tls_peer_info(nng_stream *s, struct mpc_tls_peer *out)
{
	struct nng_tls_engine_conn *c;
	int                         rv = 0;

	memset(out, 0, sizeof(*out));
	if ((c = mpc_tls_conn_lock(s)) == NULL) {
		return (NNG_MPC_ETLSNOTOURS);
	}
	if (c->fail != 0) {
		rv = c->fail;
		goto out;
	}
	if (!c->hs_done) {
		rv = NNG_MPC_ETLSNOTREADY;
		goto out;
	}
	out->have_cert = c->have_peer;
	out->verified  = c->have_peer && c->verified;
	out->pin_ok    = c->pin_ok;
	if (c->have_peer) {
		out->party_ok = c->peer.party_status == MPC_TLS_PARTY_OK;
		out->party_id = out->party_ok ? c->peer.party_id : 0;
		out->party_malformed =
		    c->peer.party_status == MPC_TLS_PARTY_MALFORMED ||
		    c->peer.party_status == MPC_TLS_PARTY_DUPLICATE;
		memcpy(out->subject, c->peer.subject, sizeof(out->subject));
		if (c->peer.spki_ok) {
			memcpy(out->spki_sha256, c->peer.spki_sha256,
			    sizeof(out->spki_sha256));
		}
	}
	memcpy(out->version, c->version, sizeof(out->version));
	memcpy(out->cipher, c->cipher, sizeof(out->cipher));
	out->cipher_id = c->suite_id;
out:
	(void) pthread_mutex_unlock(&c->lk);
	return (rv);
}

int
mpc_tls_export(nng_stream *s, const char *label, const uint8_t *ctx,
    size_t ctx_len, uint8_t *out, size_t out_len)
{
	struct nng_tls_engine_conn *c;
	size_t                      label_len;
	int                         rv = 0;

	if (out == NULL || out_len == 0 || out_len > MPC_TLS_EXPORT_MAX) {
		return (NNG_MPC_ETLSEXPORT);
	}
	memset(out, 0, out_len);
	if (label == NULL || (label_len = strlen(label)) == 0 ||
	    label_len > 255 || (ctx == NULL && ctx_len != 0) ||
	    ctx_len > UINT16_MAX) {
		return (NNG_MPC_ETLSEXPORT);
	}
	if ((c = mpc_tls_conn_lock(s)) == NULL) {
		return (NNG_MPC_ETLSNOTOURS);
	}
	if (c->fail != 0 || !c->hs_done) {
		rv = c->fail != 0 ? c->fail : NNG_MPC_ETLSNOTREADY;
		goto out;
	}
	if (strcmp(c->version, "TLSv1.3") != 0) {
		/* The 1.2 exporter (RFC 5705) is weaker without extended
		 * master secret; channel binding is defined on 1.3 only. */
		rv = NNG_MPC_ETLSVERSION;
		goto out;
	}
	if (!c->keep_exporter || c->forgotten) {
		/* Secrets never kept (not a derived config) or freed. */
		rv = NNG_MPC_ETLSFORGOTTEN;
		goto out;
	}
	/* Reads only handshake results fixed once it completed, so it is
	 * safe beside the I/O thread's reads and writes. */
	if (wolfSSL_export_keying_material(c->ssl, out, out_len, label,
	        label_len, ctx != NULL ? ctx : (const uint8_t *) "", ctx_len,
	        1) != WOLFSSL_SUCCESS) {
		rv = NNG_MPC_ETLSEXPORT;
	}
out:
	(void) pthread_mutex_unlock(&c->lk);
	if (rv != 0) {
		explicit_bzero(out, out_len);
	}
	return (rv);
}

int
mpc_tls_forget(nng_stream *s)
{
	struct nng_tls_engine_conn *c;
	int                         rv = 0;

	if ((c = mpc_tls_conn_lock(s)) == NULL) {
		return (NNG_MPC_ETLSNOTOURS);
	}
	/* The exporter refuses from now on; the secrets themselves are
	 * freed by the connection's next operation (mpc_tls_conn.c), which
	 * NNG serializes with wolfSSL's reads and writes: a read running now
	 * on another thread may be using the same arrays (a post-handshake
	 * message).  The transport sends its finished record right after,
	 * so that is within the negotiation.  Before the handshake completed
	 * wolfSSL could not free them: refuse rather than pretend. */
	if (!c->hs_done) {
		rv = c->fail != 0 ? c->fail : NNG_MPC_ETLSNOTREADY;
	} else if (!c->forgotten) {
		c->forgotten = true;
		if (c->keep_exporter) {
			atomic_store(&c->drop_secrets, true);
		}
	}
	(void) pthread_mutex_unlock(&c->lk);
	return (rv);
}
