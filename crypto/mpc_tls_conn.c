/*
 * mpc_tls_conn.c -- the engine's connection ops (NNG TLS engine v1) and the
 * I/O bridge between wolfSSL and NNG.
 *
 * NNG owns the socket and buffers; wolfSSL's I/O callbacks move bytes
 * through nng_tls_engine_send/recv, which never block: they return
 * NNG_EAGAIN when NNG's 16 KiB buffer is full or empty, which we hand to
 * wolfSSL as WANT_WRITE / WANT_READ.  wolfSSL then returns to NNG, which
 * calls the op again when its lower-level I/O completes.  No thread ever
 * waits inside the engine.
 *
 * A handshake may complete inside any of handshake, send or recv (NNG's
 * tls_send calls the send op before the handshake op has finished), so
 * each checks for completion and publishes the connection's facts for the
 * bridge (conn_publish) exactly once; a failure is classified and counted
 * exactly once (conn_fail).
 *
 * Threading: see mpc_tls_engine.h.  NNG holds the connection's lock around
 * every op; conn->lk guards only what the bridge reads.
 */
#include <arpa/inet.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/ssl.h>
#include <wolfssl/error-ssl.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

#include "mpc_tls_engine.h"

/* RFC 8446 6: alert descriptions we classify. */
enum {
	ALERT_HANDSHAKE_FAILURE = 40,
	ALERT_PROTOCOL_VERSION  = 70,
	ALERT_INSUFFICIENT_SEC  = 71,
};

int
mpc_tls_io_recv(WOLFSSL *ssl, char *buf, int sz, void *arg)
{
	struct nng_tls_engine_conn *c = arg;
	size_t                      n = (size_t) sz;
	int                         rv;

	(void) ssl;
	if (sz <= 0) {
		return (0);
	}
	switch ((rv = nng_tls_engine_recv(c->tls, (uint8_t *) buf, &n))) {
	case 0:
		return ((int) n);
	case NNG_EAGAIN:
		return (WOLFSSL_CBIO_ERR_WANT_READ);
	case NNG_ECLOSED:
		c->io_err = rv;
		return (WOLFSSL_CBIO_ERR_CONN_CLOSE);
	default:
		c->io_err = rv;
		return (WOLFSSL_CBIO_ERR_GENERAL);
	}
}

int
mpc_tls_io_send(WOLFSSL *ssl, char *buf, int sz, void *arg)
{
	struct nng_tls_engine_conn *c = arg;
	size_t                      n = (size_t) sz;
	int                         rv;

	(void) ssl;
	if (sz <= 0) {
		return (0);
	}
	/* NNG may take part of the buffer; wolfSSL keeps the rest. */
	switch ((rv = nng_tls_engine_send(c->tls, (const uint8_t *) buf, &n))) {
	case 0:
		return ((int) n);
	case NNG_EAGAIN:
		return (WOLFSSL_CBIO_ERR_WANT_WRITE);
	case NNG_ECLOSED:
		c->io_err = rv;
		return (WOLFSSL_CBIO_ERR_CONN_CLOSE);
	default:
		c->io_err = rv;
		return (WOLFSSL_CBIO_ERR_GENERAL);
	}
}

/* The reason code -> its counter. */
static enum mpc_tls_counter
reason_counter(int reason)
{
	switch (reason) {
	case NNG_MPC_ETLSUNTRUSTED:
		return (MPC_TLS_C_UNTRUSTED);
	case NNG_MPC_ETLSEXPIRED:
		return (MPC_TLS_C_EXPIRED);
	case NNG_MPC_ETLSREVOKED:
		return (MPC_TLS_C_REVOKED);
	case NNG_MPC_ETLSNAME:
		return (MPC_TLS_C_NAME);
	case NNG_MPC_ETLSNOCERT:
		return (MPC_TLS_C_NO_CERT);
	case NNG_MPC_ETLSPIN:
		return (MPC_TLS_C_PIN);
	case NNG_MPC_ETLSPARTY:
		return (MPC_TLS_C_PARTY_MALFORMED);
	case NNG_MPC_ETLSNOPARTY:
		return (MPC_TLS_C_PARTY_MISSING);
	case NNG_MPC_ETLSBADCERT:
		return (MPC_TLS_C_BAD_CERT);
	case NNG_MPC_ETLSVERSION:
		return (MPC_TLS_C_VERSION);
	case NNG_MPC_ETLSCIPHER:
		return (MPC_TLS_C_NO_CIPHER);
	case NNG_MPC_ETLSALERT:
		return (MPC_TLS_C_ALERT_RX);
	default:
		return (MPC_TLS_C_OTHER);
	}
}

/*
 * Classifies a wolfSSL error that ended the handshake (when the verify
 * callback did not already record why) into a reason code, and returns
 * the NNG error the application sees: NNG_EPEERAUTH when a certificate or
 * identity was rejected (by us or by the peer), NNG_ECRYPTO when the two
 * ends share no version or suite or the protocol failed, or the lower
 * stream's own error when the connection itself failed.
 */
static int
conn_classify(struct nng_tls_engine_conn *c, int err, int *reason)
{
	WOLFSSL_ALERT_HISTORY h;

	if (c->verify_fail != 0) {
		*reason = c->verify_fail;
		return (NNG_EPEERAUTH);
	}
	switch (err) {
	case NO_PEER_CERT:
		*reason = NNG_MPC_ETLSNOCERT;
		return (NNG_EPEERAUTH);
	case ASN_NO_SIGNER_E:
	case ASN_SIG_CONFIRM_E:
	case ASN_SELF_SIGNED_E:
		*reason = NNG_MPC_ETLSUNTRUSTED;
		return (NNG_EPEERAUTH);
	case ASN_AFTER_DATE_E:
	case ASN_BEFORE_DATE_E:
		*reason = NNG_MPC_ETLSEXPIRED;
		return (NNG_EPEERAUTH);
	case DOMAIN_NAME_MISMATCH:
	case IPADDR_MISMATCH:
		*reason = NNG_MPC_ETLSNAME;
		return (NNG_EPEERAUTH);
	case CRL_CERT_REVOKED:
		*reason = NNG_MPC_ETLSREVOKED;
		return (NNG_EPEERAUTH);
	case VERIFY_CERT_ERROR:
		*reason = NNG_MPC_ETLSBADCERT;
		return (NNG_EPEERAUTH);
	case VERSION_ERROR:
		*reason = NNG_MPC_ETLSVERSION;
		return (NNG_ECRYPTO);
	case MATCH_SUITE_ERROR:
	case UNSUPPORTED_SUITE:
		*reason = NNG_MPC_ETLSCIPHER;
		return (NNG_ECRYPTO);
	case FATAL_ERROR:
		/* The peer sent a fatal alert (RFC 8446 6.2). */
		if (wolfSSL_get_alert_history(c->ssl, &h) == WOLFSSL_SUCCESS) {
			switch (h.last_rx.code) {
			case ALERT_PROTOCOL_VERSION:
				*reason = NNG_MPC_ETLSVERSION;
				return (NNG_ECRYPTO);
			case ALERT_HANDSHAKE_FAILURE:
			case ALERT_INSUFFICIENT_SEC:
				*reason = NNG_MPC_ETLSALERT;
				return (NNG_ECRYPTO);
			default:
				break;
			}
		}
		/* bad_certificate, unknown_ca, certificate_required, ...:
		 * the peer refused our identity. */
		*reason = NNG_MPC_ETLSALERT;
		return (NNG_EPEERAUTH);
	case MEMORY_E:
	case MEMORY_ERROR:
		*reason = NNG_MPC_ETLSHANDSHAKE;
		return (NNG_ENOMEM);
	case SOCKET_ERROR_E:
	case SOCKET_PEER_CLOSED_E:
	case ZERO_RETURN:
		*reason = NNG_MPC_ETLSHANDSHAKE;
		return (c->io_err != 0 ? c->io_err : NNG_ECLOSED);
	default:
		*reason = NNG_MPC_ETLSHANDSHAKE;
		return (NNG_ECRYPTO);
	}
}

/* A handshake failed: record and count it once; returns the NNG error. */
static int
conn_fail(struct nng_tls_engine_conn *c, int err)
{
	int reason;
	int rv = conn_classify(c, err, &reason);

	if (!c->hs_failed) {
		c->hs_failed = true;
		c->fail_rv   = rv;
		mpc_tls_count(MPC_TLS_C_HS_FAILED);
		mpc_tls_count(reason_counter(reason));
		(void) pthread_mutex_lock(&c->lk);
		c->fail = reason;
		(void) pthread_mutex_unlock(&c->lk);
	}
	return (rv);
}

/* The handshake completed: publish what the bridge reports, once. */
static void
conn_publish(struct nng_tls_engine_conn *c)
{
	const char *v;
	const char *name;
	int         suite;

	if (c->hs_done || !wolfSSL_is_init_finished(c->ssl)) {
		return;
	}
	v     = wolfSSL_get_version(c->ssl);
	suite = wolfSSL_get_current_cipher_suite(c->ssl);
	name  = mpc_tls_suite_name((uint16_t) suite);

	(void) pthread_mutex_lock(&c->lk);
	(void) snprintf(c->version, sizeof(c->version), "%s", v ? v : "");
	(void) snprintf(c->cipher, sizeof(c->cipher), "%s", name ? name : "");
	c->suite_id = (uint16_t) suite;
	c->hs_done  = true;
	(void) pthread_mutex_unlock(&c->lk);
	mpc_tls_count(MPC_TLS_C_HS_OK);
}

/* Maps the result of a wolfSSL call made during or after the handshake. */
static int
conn_result(struct nng_tls_engine_conn *c, int ret)
{
	int err = wolfSSL_get_error(c->ssl, ret);

	switch (err) {
	case WOLFSSL_ERROR_WANT_READ:
	case WOLFSSL_ERROR_WANT_WRITE:
		return (NNG_EAGAIN);
	case WOLFSSL_ERROR_ZERO_RETURN:
		/* close_notify (RFC 8446 6.1): an orderly end of stream. */
		if (c->hs_done && !c->close_rx) {
			c->close_rx = true;
			mpc_tls_count(MPC_TLS_C_CLOSE_RX);
		}
		return (NNG_ECLOSED);
	default:
		break;
	}
	/* In TLS 1.3 a client's handshake is complete before the server has
	 * judged its certificate (RFC 8446 4.4.2.4), so a fatal alert after
	 * completion is still the handshake failing. */
	if (!c->hs_done || err == FATAL_ERROR) {
		return (conn_fail(c, err));
	}
	switch (err) {
	case SOCKET_ERROR_E:
	case SOCKET_PEER_CLOSED_E:
		return (c->io_err != 0 ? c->io_err : NNG_ECLOSED);
	case MEMORY_E:
	case MEMORY_ERROR:
		return (NNG_ENOMEM);
	default:
		return (NNG_ECRYPTO);
	}
}

static bool
is_ip_literal(const char *name)
{
	uint8_t a[16];

	return (inet_pton(AF_INET, name, a) == 1 ||
	    inet_pton(AF_INET6, name, a) == 1);
}

static void
conn_fini(nng_tls_engine_conn *c)
{
	/* NNG also calls fini on connections whose init never ran (the
	 * TCP connect failed): their state is all zero. */
	if (!c->inited) {
		return;
	}
	/* Out of the map first; then wait out a bridge call in progress. */
	mpc_tls_reg_conn_del(c);
	(void) pthread_mutex_lock(&c->lk);
	(void) pthread_mutex_unlock(&c->lk);

	wolfSSL_free(c->ssl); /* wipes the handshake secrets (FreeArrays) */
	c->ssl = NULL;
	free(c->pins);
	c->pins = NULL;
	free(c->chain);
	c->chain = NULL;
	(void) pthread_mutex_destroy(&c->lk);
	c->inited = false;
}

static int
conn_init(nng_tls_engine_conn *c, void *tls, nng_tls_engine_config *cfg)
{
	const struct mpc_tls_settings *s = &cfg->set;
	int                            mode;
	char *                         sni = NULL;
	int                            rv  = 0;

	c->tls = tls;
	if (pthread_mutex_init(&c->lk, NULL) != 0) {
		return (NNG_ENOMEM);
	}
	atomic_init(&c->drop_secrets, false);

	(void) pthread_mutex_lock(&cfg->lk);
	c->ssl            = wolfSSL_new(cfg->ctx);
	c->is_server      = s->mode == NNG_TLS_MODE_SERVER;
	c->auth           = s->auth;
	c->party_required = s->party_required;
	c->strict         = s->strict;
	c->anchors        = s->ca_pem != NULL;
	c->keep_exporter  = s->keep_exporter;
	if (s->npins > 0 &&
	    (c->pins = malloc(s->npins * NNG_MPC_TLS_PIN_SIZE)) != NULL) {
		memcpy(c->pins, s->pins, s->npins * NNG_MPC_TLS_PIN_SIZE);
		c->npins = s->npins;
	}
	if (!c->is_server && s->server_name != NULL) {
		sni = strdup(s->server_name);
	}
	if (c->ssl == NULL || (s->npins > 0 && c->pins == NULL) ||
	    (!c->is_server && s->server_name != NULL && sni == NULL)) {
		rv = NNG_ENOMEM;
	}
	(void) pthread_mutex_unlock(&cfg->lk);
	if (rv != 0) {
		goto out;
	}

	wolfSSL_SetIOReadCtx(c->ssl, c);
	wolfSSL_SetIOWriteCtx(c->ssl, c);

	/*
	 * Verification: a client always verifies (servers always send a
	 * certificate); the callback waives chain errors in auth mode none
	 * (never on a strict config).  A server asks for a certificate unless
	 * mode none, and demands one in mode required or whenever it must
	 * check an identity (strict, pins or party): there is nothing to
	 * check without one.
	 */
	if (!c->is_server) {
		mode = WOLFSSL_VERIFY_PEER;
	} else if (c->auth == NNG_TLS_AUTH_MODE_REQUIRED || c->strict ||
	    c->npins > 0 || c->party_required) {
		mode = WOLFSSL_VERIFY_PEER |
		    WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT;
	} else if (c->auth == NNG_TLS_AUTH_MODE_OPTIONAL) {
		mode = WOLFSSL_VERIFY_PEER;
	} else {
		mode = WOLFSSL_VERIFY_NONE;
	}
	wolfSSL_SetCertCbCtx(c->ssl, c);
	wolfSSL_set_verify(c->ssl, mode, mpc_tls_verify_cb);

	if (sni != NULL) {
		/* RFC 6066 3: SNI carries host names, never IP literals. */
		if (!is_ip_literal(sni) &&
		    wolfSSL_UseSNI(c->ssl, WOLFSSL_SNI_HOST_NAME, sni,
		        (unsigned short) strlen(sni)) != WOLFSSL_SUCCESS) {
			rv = NNG_ENOMEM;
			goto out;
		}
		/* NNG: the server name is also what the client verifies. */
		if (c->auth != NNG_TLS_AUTH_MODE_NONE &&
		    wolfSSL_check_domain_name(c->ssl, sni) != WOLFSSL_SUCCESS) {
			rv = NNG_ENOMEM;
			goto out;
		}
	}
	/* Keep the handshake secrets for the RFC 8446 7.5 exporter only
	 * where the transport reads it (mpc_tls_config_derive); it frees them
	 * once it has (mpc_tls_forget), else freeing the connection does.
	 * Every other connection drops them when its handshake completes. */
	if (c->keep_exporter) {
		wolfSSL_KeepArrays(c->ssl);
	}

	c->inited = true;
	mpc_tls_reg_conn_add(c);
out:
	free(sni);
	if (rv != 0) {
		if (c->ssl != NULL) {
			wolfSSL_free(c->ssl);
			c->ssl = NULL;
		}
		free(c->pins);
		c->pins = NULL;
		(void) pthread_mutex_destroy(&c->lk);
	}
	return (rv);
}

static void
conn_close(nng_tls_engine_conn *c)
{
	/* close_notify (RFC 8446 6.1), without waiting for the peer's: NNG
	 * closes the TCP connection right after this. */
	if (c->ssl != NULL && c->hs_done && !c->close_tx) {
		c->close_tx = true;
		if (wolfSSL_shutdown(c->ssl) != WOLFSSL_FATAL_ERROR) {
			mpc_tls_count(MPC_TLS_C_CLOSE_TX);
		}
	}
}

/*
 * After a failed handshake or the peer's close_notify the connection is
 * finished: answer every later op with that outcome and never touch the
 * lower stream again.  (NNG 1.5.2's tls_common.c does not mark a TLS stream
 * closed when its TCP stream fails; a new lower-level receive on it would
 * never complete, and neither would the application's operation.)
 */
static bool
conn_finished(struct nng_tls_engine_conn *c, int *rv)
{
	if (c->hs_failed) {
		*rv = c->fail_rv;
		return (true);
	}
	if (c->close_rx) {
		*rv = NNG_ECLOSED;
		return (true);
	}
	return (false);
}

/*
 * Frees the handshake secrets once mpc_tls_forget asked (see
 * mpc_tls_bridge.c): here NNG holds the connection's lock, so no wolfSSL
 * read or write runs, and conn->lk keeps an exporter call out.
 * wolfSSL_FreeArrays wipes them (ForceZero) before freeing.
 */
static void
conn_drop_secrets(struct nng_tls_engine_conn *c)
{
	if (c->secrets_dropped ||
	    !atomic_load_explicit(&c->drop_secrets, memory_order_acquire)) {
		return;
	}
	(void) pthread_mutex_lock(&c->lk);
	wolfSSL_FreeArrays(c->ssl);
	(void) pthread_mutex_unlock(&c->lk);
	c->secrets_dropped = true;
}

static int
conn_handshake(nng_tls_engine_conn *c)
{
	int ret;

	conn_drop_secrets(c);
	if (conn_finished(c, &ret)) {
		return (ret);
	}
	if ((ret = wolfSSL_negotiate(c->ssl)) == WOLFSSL_SUCCESS) {
		conn_publish(c);
		return (0);
	}
	return (conn_result(c, ret));
}

/*
 * NNG 1.5.2 completes a stream receive with whatever one engine recv call
 * returns, and each completion is a task hand-off; one TLS record is at most
 * 16 KiB (RFC 8446 5.1), so reading a single record per call would cost four
 * hand-offs per 64 KiB.  Keep decrypting records that are already buffered
 * until the caller's buffer is full or wolfSSL would block.  An error met
 * after some bytes were read is kept in rx_err and reported by the next call,
 * so those bytes are delivered and the error is not lost.
 */
static int
conn_recv(nng_tls_engine_conn *c, uint8_t *buf, size_t *szp)
{
	size_t got = 0;
	int    ret;
	int    rv;

	conn_drop_secrets(c);
	if (conn_finished(c, &rv)) {
		return (rv);
	}
	if (c->rx_err != 0) {
		return (c->rx_err);
	}
	while (got < *szp) {
		size_t left = *szp - got;
		int    want = left > INT_MAX ? INT_MAX : (int) left;

		ret = wolfSSL_read(c->ssl, buf + got, want);
		conn_publish(c);
		if (ret <= 0) {
			rv = conn_result(c, ret);
			if (got == 0) {
				return (rv);
			}
			if (rv != NNG_EAGAIN) {
				c->rx_err = rv;
			}
			break;
		}
		got += (size_t) ret;
	}
	*szp = got;
	return (0);
}

static int
conn_send(nng_tls_engine_conn *c, const uint8_t *buf, size_t *szp)
{
	int want = *szp > INT_MAX ? INT_MAX : (int) *szp;
	int ret;

	conn_drop_secrets(c);
	if (conn_finished(c, &ret)) {
		return (ret);
	}
	ret = wolfSSL_write(c->ssl, buf, want);
	conn_publish(c);
	if (ret > 0) {
		*szp = (size_t) ret;
		return (0);
	}
	return (conn_result(c, ret));
}

static bool
conn_verified(nng_tls_engine_conn *c)
{
	return (c->hs_done && c->verified);
}

const nng_tls_engine_conn_ops mpc_tls_conn_ops = {
	.size      = sizeof(nng_tls_engine_conn),
	.init      = conn_init,
	.fini      = conn_fini,
	.close     = conn_close,
	.handshake = conn_handshake,
	.recv      = conn_recv,
	.send      = conn_send,
	.verified  = conn_verified,
};
