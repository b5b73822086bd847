/*
 * mpc_tls_recheck.c -- a live connection's peer checked again against a
 * configuration's current trust (mpc_tls_peer_recheck, mpc_tls_bridge.h),
 * and the peer chain a connection keeps for it.
 *
 * Why keep the chain: a reload may bring new anchors, CRLs or pins, and a
 * connection that was trusted under the old ones must be judged by the
 * new.  The handshake's own verdict cannot be replayed and wolfSSL keeps
 * no peer certificates in this build, so the verify callback copies the
 * chain the peer presented (leaf first, bounded by MPC_TLS_CHAIN_CERTS
 * and MPC_TLS_CHAIN_BYTES) on connections of strict configs only -- the
 * ones mpc+tls+tcp:// makes; plain tls+tcp:// connections keep nothing.
 *
 * The check mirrors the handshake's rules (mpc_tls_verify.c): with
 * anchors, every certificate of the chain is verified top down against
 * the anchors and the certificates already verified, with the CRLs
 * (RFC 5280 6.3) and the dates; with pins, the leaf's key must be pinned
 * (RFC 7469 2.4); with pins and no anchors the pins are the root and the
 * leaf's own dates are checked; and the leaf must still name the party.
 *
 * Threading: any thread.  The chain is copied under conn->lk and the
 * trust under the config's lk, one lock at a time; wolfSSL's certificate
 * manager is private to the call.
 */
#include <stdlib.h>
#include <string.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/ssl.h>

#include "mpc_tls_bridge.h"
#include "mpc_tls_engine.h"

int
mpc_tls_chain_keep(
    struct nng_tls_engine_conn *c, WOLFSSL_X509_STORE_CTX *store)
{
	size_t   n = 0, len = 0;
	uint8_t *buf;

	for (int i = 0; i < store->totalCerts && n < MPC_TLS_CHAIN_CERTS; i++) {
		size_t l = store->certs[i].length;
		if (store->certs[i].buffer == NULL || l == 0 ||
		    len + l > MPC_TLS_CHAIN_BYTES) {
			break;
		}
		len += l;
		n++;
	}
	if (n == 0) {
		return (NNG_MPC_ETLSBADCERT);
	}
	if ((buf = malloc(len)) == NULL) {
		return (NNG_ENOMEM);
	}
	len = 0;
	for (size_t i = 0; i < n; i++) {
		memcpy(buf + len, store->certs[i].buffer, store->certs[i].length);
		c->chain_cert[i] = (uint16_t) store->certs[i].length;
		len += store->certs[i].length;
	}
	free(c->chain);
	c->chain     = buf;
	c->chain_len = len;
	c->chain_n   = n;
	return (0);
}

/* What a check needs of a config: its anchors, CRLs and pins, copied. */
struct recheck_trust {
	char *   ca;
	size_t   ca_len;
	char *   crl;
	size_t   crl_len;
	uint8_t (*pins)[NNG_MPC_TLS_PIN_SIZE];
	size_t   npins;
};

static void
trust_free(struct recheck_trust *t)
{
	free(t->ca);
	free(t->crl);
	free(t->pins);
	memset(t, 0, sizeof(*t));
}

static int
trust_read(struct nng_tls_config *cfg, struct recheck_trust *t)
{
	struct mpc_tls_settings       tmp;
	struct nng_tls_engine_config *ec;
	int                           rv;

	memset(t, 0, sizeof(*t));
	memset(&tmp, 0, sizeof(tmp));
	if ((ec = mpc_tls_cfg_lock(cfg)) == NULL) {
		return (NNG_MPC_ETLSNOTOURS);
	}
	rv = mpc_tls_settings_copy(&tmp, &ec->set);
	(void) pthread_mutex_unlock(&ec->lk);
	if (rv == 0) {
		/* Take the three; the rest (the key copy) is wiped below. */
		t->ca      = tmp.ca_pem;
		t->ca_len  = tmp.ca_len;
		t->crl     = tmp.crl_pem;
		t->crl_len = tmp.crl_len;
		t->pins    = tmp.pins;
		t->npins   = tmp.npins;
		tmp.ca_pem = tmp.crl_pem = NULL;
		tmp.pins                 = NULL;
	}
	mpc_tls_settings_free(&tmp);
	return (rv);
}

/* The peer's chain as the connection kept it, copied. */
static int
chain_read(nng_stream *s, uint8_t **chain, uint16_t *lens, size_t *n)
{
	struct nng_tls_engine_conn *c;
	int                         rv = 0;

	*chain = NULL;
	if ((c = mpc_tls_conn_lock(s)) == NULL) {
		return (NNG_MPC_ETLSNOTOURS);
	}
	if (c->fail != 0 || !c->hs_done) {
		rv = c->fail != 0 ? c->fail : NNG_MPC_ETLSNOTREADY;
	} else if (c->chain == NULL) {
		rv = NNG_MPC_ETLSFORGOTTEN; /* not a strict config's */
	} else if ((*chain = malloc(c->chain_len)) == NULL) {
		rv = NNG_ENOMEM;
	} else {
		memcpy(*chain, c->chain, c->chain_len);
		memcpy(lens, c->chain_cert, sizeof(c->chain_cert));
		*n = c->chain_n;
	}
	(void) pthread_mutex_unlock(&c->lk);
	return (rv);
}

/* The chain against the anchors and CRLs, top down. */
static int
chain_verify(const struct recheck_trust *t, const uint8_t *chain,
    const uint16_t *lens, size_t n)
{
	WOLFSSL_CERT_MANAGER *cm;
	size_t                off[MPC_TLS_CHAIN_CERTS];
	size_t                pos = 0;
	int                   rv  = 0;
	int                   wr;

	for (size_t i = 0; i < n; i++) {
		off[i] = pos;
		pos += lens[i];
	}
	if ((cm = wolfSSL_CertManagerNew()) == NULL) {
		return (NNG_ENOMEM);
	}
	if (wolfSSL_CertManagerLoadCABuffer(cm, (const uint8_t *) t->ca,
	        (long) t->ca_len, WOLFSSL_FILETYPE_PEM) != WOLFSSL_SUCCESS) {
		rv = NNG_MPC_ETLSBADCERT;
		goto out;
	}
	if (t->crl != NULL &&
	    (wolfSSL_CertManagerEnableCRL(cm, WOLFSSL_CRL_CHECKALL) !=
	            WOLFSSL_SUCCESS ||
	        wolfSSL_CertManagerLoadCRLBuffer(cm, (const uint8_t *) t->crl,
	            (long) t->crl_len, WOLFSSL_FILETYPE_PEM) !=
	            WOLFSSL_SUCCESS)) {
		rv = NNG_MPC_ETLSBADCERT;
		goto out;
	}
	for (size_t i = n; i-- > 0;) {
		wr = wolfSSL_CertManagerVerifyBuffer(
		    cm, chain + off[i], (long) lens[i], WOLFSSL_FILETYPE_ASN1);
		if (wr != WOLFSSL_SUCCESS) {
			rv = mpc_tls_chain_reason(wr);
			goto out;
		}
		/* A verified intermediate may sign the one below it. */
		if (i > 0 &&
		    wolfSSL_CertManagerLoadCABuffer(cm, chain + off[i],
		        (long) lens[i], WOLFSSL_FILETYPE_ASN1) !=
		        WOLFSSL_SUCCESS) {
			rv = NNG_MPC_ETLSUNTRUSTED;
			goto out;
		}
	}
out:
	wolfSSL_CertManagerFree(cm);
	return (rv);
}

int
mpc_tls_peer_recheck(nng_stream *s, struct nng_tls_config *cfg, uint32_t party)
{
	struct recheck_trust t;
	struct mpc_tls_leaf  leaf;
	uint8_t *            chain = NULL;
	uint16_t             lens[MPC_TLS_CHAIN_CERTS];
	size_t               n   = 0;
	bool                 hit = false;
	int                  rv;

	memset(&t, 0, sizeof(t));
	if (((rv = chain_read(s, &chain, lens, &n)) != 0) ||
	    ((rv = trust_read(cfg, &t)) != 0) ||
	    ((rv = mpc_tls_leaf_parse(chain, lens[0], &leaf)) != 0)) {
		goto out;
	}
	if (leaf.party_status != MPC_TLS_PARTY_OK || leaf.party_id != party) {
		rv = NNG_MPC_ETLSPARTY;
		goto out;
	}
	for (size_t i = 0; i < t.npins; i++) {
		hit |= leaf.spki_ok &&
		    mpc_tls_ct_equal(
		        t.pins[i], leaf.spki_sha256, NNG_MPC_TLS_PIN_SIZE);
	}
	if (t.npins > 0 && !hit) {
		rv = NNG_MPC_ETLSPIN;
	} else if (t.ca != NULL) {
		rv = chain_verify(&t, chain, lens, n);
	} else if (t.npins == 0) {
		rv = NNG_MPC_ETLSNOTRUST;
	} else if (!leaf.dates_ok) {
		rv = NNG_MPC_ETLSEXPIRED; /* the pins are the root */
	}
out:
	free(chain);
	trust_free(&t);
	return (rv);
}
