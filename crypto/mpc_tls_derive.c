/*
 * mpc_tls_derive.c -- the private, strict configuration the mpc+tls+tcp://
 * transport connects with, derived from the application's nng_tls_config,
 * and freeing a connection's handshake secrets once the transport has read
 * its exporter (contracts in mpc_tls_bridge.h).
 *
 * Why a copy: an application's config is often shared (several endpoints,
 * or plain tls+tcp:// beside mpc+tls+tcp://), and its auth mode follows
 * NNG's meaning, where "none" accepts any certificate.  A party identity
 * read from a certificate nobody verified is worth nothing, so the
 * transport never connects with the application's config itself: it
 * derives one per endpoint, with the endpoint's pins, and the copy trusts a
 * peer only by its chain or its pin (mpc_tls_verify.c).  The source is
 * only read.
 *
 * Threading: see mpc_tls_engine.h.  The source's lock is released before
 * the copy's is taken (never two config locks at once).
 */
#include <stdlib.h>
#include <string.h>

#include "mpc_tls_bridge.h"
#include "mpc_tls_engine.h"

/* A copy of n bytes plus the NUL the PEM strings carry (n + 1 bytes). */
static int
dup_bytes(const void *src, size_t n, bool nul, void **outp)
{
	uint8_t *p;

	*outp = NULL;
	if (src == NULL) {
		return (0);
	}
	if ((p = malloc(n + (nul ? 1 : 0))) == NULL) {
		return (NNG_ENOMEM);
	}
	memcpy(p, src, n + (nul ? 1 : 0));
	*outp = p;
	return (0);
}

/* Deep copy of *src into *dst (all pointers fresh); *dst is zeroed on
 * entry, so mpc_tls_settings_free(dst) is right on every outcome. */
int
mpc_tls_settings_copy(
    struct mpc_tls_settings *dst, const struct mpc_tls_settings *src)
{
	void *p;
	int   rv;

	*dst             = *src;
	dst->server_name = NULL;
	dst->ca_pem      = NULL;
	dst->crl_pem     = NULL;
	dst->cert_pem    = NULL;
	dst->key_der     = NULL;
	dst->pins        = NULL;
	if (src->server_name != NULL &&
	    (dst->server_name = strdup(src->server_name)) == NULL) {
		return (NNG_ENOMEM);
	}
	if ((rv = dup_bytes(src->ca_pem, src->ca_len, true, &p)) != 0) {
		return (rv);
	}
	dst->ca_pem = p;
	if ((rv = dup_bytes(src->crl_pem, src->crl_len, true, &p)) != 0) {
		return (rv);
	}
	dst->crl_pem = p;
	if ((rv = dup_bytes(src->cert_pem, src->cert_len, true, &p)) != 0) {
		return (rv);
	}
	dst->cert_pem = p;
	if ((rv = dup_bytes(src->key_der, src->key_len, false, &p)) != 0) {
		return (rv);
	}
	dst->key_der = p;
	if ((rv = dup_bytes(src->pins, src->npins * NNG_MPC_TLS_PIN_SIZE,
	         false, &p)) != 0) {
		return (rv);
	}
	dst->pins = p;
	return (0);
}

/* Replaces s's pins with a copy of req's, when req has any. */
static int
settings_pins(struct mpc_tls_settings *s, const struct mpc_tls_require *req)
{
	void *p;
	int   rv;

	if (req->npins == 0) {
		return (0);
	}
	if ((rv = dup_bytes(req->pins, req->npins * NNG_MPC_TLS_PIN_SIZE,
	         false, &p)) != 0) {
		return (rv);
	}
	free(s->pins);
	s->pins  = p;
	s->npins = req->npins;
	return (0);
}

/* Reads src's settings into *next (a deep copy), checking that a party
 * could use them.  Takes and releases src's lock. */
static int
derive_read(struct nng_tls_config *src, const struct mpc_tls_require *req,
    struct mpc_tls_settings *next)
{
	struct nng_tls_engine_config *ec;
	int                           rv;

	if ((ec = mpc_tls_cfg_lock(src)) == NULL) {
		return (NNG_MPC_ETLSNOTOURS);
	}
	if (ec->set.cert_pem == NULL || ec->set.key_der == NULL) {
		rv = NNG_MPC_ETLSNOCERT;
	} else if (ec->set.ca_pem == NULL && ec->set.npins == 0 &&
	    req->npins == 0) {
		rv = NNG_MPC_ETLSNOTRUST;
	} else {
		rv = mpc_tls_settings_copy(next, &ec->set);
	}
	(void) pthread_mutex_unlock(&ec->lk);
	return (rv);
}

int
mpc_tls_config_adopt(
    struct mpc_tls_settings *next, struct nng_tls_config **out)
{
	struct mpc_tls_settings       old;
	struct nng_tls_engine_config *ec;
	struct nng_tls_config *       cfg = NULL;
	int                           rv;

	if ((rv = nng_tls_config_alloc(&cfg, next->mode)) != 0) {
		return (rv);
	}
	if ((ec = mpc_tls_cfg_lock(cfg)) == NULL) {
		/* Another engine made it: ours is not the process's engine. */
		nng_tls_config_free(cfg);
		return (NNG_MPC_ETLSNOTOURS);
	}
	old = ec->set;
	if ((rv = mpc_tls_cfg_rebuild(ec, next)) == 0) {
		*next = old; /* next was adopted; the defaults are freed */
	}
	(void) pthread_mutex_unlock(&ec->lk);
	if (rv != 0) {
		nng_tls_config_free(cfg);
		return (rv);
	}
	*out = cfg;
	return (0);
}

int
mpc_tls_config_derive(struct nng_tls_config *src,
    const struct mpc_tls_require *req, struct nng_tls_config **out)
{
	struct mpc_tls_settings next;
	int                     rv;

	memset(&next, 0, sizeof(next));
	if (src == NULL || req == NULL || out == NULL ||
	    (req->npins > 0 && req->pins == NULL)) {
		return (NNG_EINVAL);
	}
	if (req->npins > NNG_MPC_TLS_PINS_MAX) {
		return (NNG_MPC_ETLSTOOMANY);
	}
	if (((rv = derive_read(src, req, &next)) != 0) ||
	    ((rv = settings_pins(&next, req)) != 0)) {
		goto out;
	}
	next.party_required = true;
	next.strict         = true;
	next.keep_exporter  = req->keep_exporter;
	rv                  = mpc_tls_config_adopt(&next, out);
out:
	mpc_tls_settings_free(&next); /* wipes the key copy */
	return (rv);
}
