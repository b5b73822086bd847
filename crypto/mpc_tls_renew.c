/*
 * mpc_tls_renew.c -- a configuration whose files are read again
 * (mpc_tls_config_renew, mpc_tls_bridge.h).
 *
 * Why not set the file options again: on a config, trust anchors and
 * CRLs accumulate (NNG's meaning, mpc_tls_config.c), so a CA file read a
 * second time could never take trust away, and an application's config
 * must never be modified (mpc_tls_derive.c).  A renewal is therefore a
 * new config: a deep copy of the old one's settings in which what a
 * freshly loaded scratch config holds (anchors and CRLs, or own chain and
 * key) replaces the old, built into a fresh context.  The scratch config
 * was filled through NNG's own file options, so the files were read and
 * checked exactly as at start-up.
 *
 * Threading: any thread; takes src's, files' and the new config's lock,
 * one at a time.
 */
#include <stdlib.h>
#include <string.h>

#include "mpc_tls_bridge.h"
#include "mpc_tls_engine.h"

/* A deep copy of cfg's settings (its lock taken and released). */
static int
renew_read(struct nng_tls_config *cfg, struct mpc_tls_settings *out)
{
	struct nng_tls_engine_config *ec;
	int                           rv;

	memset(out, 0, sizeof(*out));
	if ((ec = mpc_tls_cfg_lock(cfg)) == NULL) {
		return (NNG_MPC_ETLSNOTOURS);
	}
	rv = mpc_tls_settings_copy(out, &ec->set);
	(void) pthread_mutex_unlock(&ec->lk);
	return (rv);
}

/* Moves files' anchors and CRLs (ca) and own chain and key (own) into
 * next; next's old buffers go to files, which frees them. */
static void
renew_take(struct mpc_tls_settings *next, struct mpc_tls_settings *files,
    bool ca, bool own)
{
	struct mpc_tls_settings t = *next;

	if (ca) {
		next->ca_pem   = files->ca_pem;
		next->ca_len   = files->ca_len;
		next->crl_pem  = files->crl_pem;
		next->crl_len  = files->crl_len;
		files->ca_pem  = t.ca_pem;
		files->ca_len  = t.ca_len;
		files->crl_pem = t.crl_pem;
		files->crl_len = t.crl_len;
	}
	if (own) {
		next->cert_pem  = files->cert_pem;
		next->cert_len  = files->cert_len;
		next->key_der   = files->key_der;
		next->key_len   = files->key_len;
		files->cert_pem = t.cert_pem;
		files->cert_len = t.cert_len;
		files->key_der  = t.key_der;
		files->key_len  = t.key_len;
	}
}

int
mpc_tls_config_renew(struct nng_tls_config *src,
    struct nng_tls_config *files, bool ca, bool own,
    struct nng_tls_config **out)
{
	struct mpc_tls_settings next;
	struct mpc_tls_settings got;
	int                     rv;

	memset(&got, 0, sizeof(got));
	if (src == NULL || files == NULL || out == NULL) {
		return (NNG_EINVAL);
	}
	if (((rv = renew_read(src, &next)) != 0) ||
	    ((rv = renew_read(files, &got)) != 0)) {
		goto out;
	}
	if (ca && got.ca_pem == NULL) {
		rv = NNG_MPC_ETLSNOTRUST;
		goto out;
	}
	if (own && (got.cert_pem == NULL || got.key_der == NULL)) {
		rv = NNG_MPC_ETLSNOCERT;
		goto out;
	}
	renew_take(&next, &got, ca, own);
	rv = mpc_tls_config_adopt(&next, out);
out:
	mpc_tls_settings_free(&next); /* wipe the key copies */
	mpc_tls_settings_free(&got);
	return (rv);
}
