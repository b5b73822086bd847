/*
 * mpc_tls_signer.c -- our key, certificate and anchors from a TLS
 * configuration (mpc_tls_signer.h).
 *
 * Threading: under the configuration's lock (mpc_tls_cfg_lock).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/wolfcrypt/asn_public.h>

#include "mpc_tls_bridge.h"
#include "mpc_tls_engine.h"
#include "mpc_tls_signer.h"

static void *
mpc_tls_signer_dup(const void *p, size_t n)
{
	void *q = malloc(n > 0 ? n : 1);

	if ((q != NULL) && (n > 0)) {
		memcpy(q, p, n);
	}
	return (q);
}

int
mpc_tls_config_signer(struct nng_tls_config *cfg, mpc_tls_signer *s)
{
	struct nng_tls_engine_config *ec;
	int                           n;
	int                           rv = 0;

	memset(s, 0, sizeof(*s));
	if ((ec = mpc_tls_cfg_lock(cfg)) == NULL) {
		return (NNG_MPC_ETLSNOTOURS);
	}
	if ((ec->set.cert_pem == NULL) || (ec->set.cert_len == 0) ||
	    (ec->set.key_der == NULL) || (ec->set.cert_len > INT32_MAX)) {
		rv = NNG_MPC_ETLSNOCERT;
		goto out;
	}
	/* DER is shorter than its PEM; the first certificate is the leaf. */
	if (((s->cert_der = malloc(ec->set.cert_len)) == NULL) ||
	    ((s->key_der = mpc_tls_signer_dup(
	          ec->set.key_der, ec->set.key_len)) == NULL) ||
	    ((ec->set.ca_pem != NULL) &&
	        ((s->ca_pem = mpc_tls_signer_dup(
	              ec->set.ca_pem, ec->set.ca_len)) == NULL))) {
		rv = NNG_ENOMEM;
		goto out;
	}
	s->key_len = ec->set.key_len;
	s->ca_len  = s->ca_pem != NULL ? ec->set.ca_len : 0;
	n = wc_CertPemToDer((const uint8_t *) ec->set.cert_pem,
	    (int) ec->set.cert_len, s->cert_der, (int) ec->set.cert_len,
	    CERT_TYPE);
	if (n <= 0) {
		rv = NNG_MPC_ETLSBADCERT;
		goto out;
	}
	s->cert_len = (size_t) n;
out:
	(void) pthread_mutex_unlock(&ec->lk);
	if (rv != 0) {
		mpc_tls_signer_free(s);
	}
	return (rv);
}

void
mpc_tls_signer_free(mpc_tls_signer *s)
{
	mpc_tls_wipe_free(s->key_der, s->key_len);
	free(s->cert_der);
	free(s->ca_pem);
	memset(s, 0, sizeof(*s));
}
