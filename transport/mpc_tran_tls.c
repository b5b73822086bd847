/*
 * mpc_tran_tls.c -- the transport's side of TLS: an endpoint's source and
 * private configurations, and a connection's identity (mpc_tran_tls.h).
 * Public NNG API and the engine's bridge only.
 */
#include <string.h>

#include "mpc_tran_tls.h"

#include "mpc_wipe.h"

int
mpc_tran_tls_source_alloc(nng_tls_config **srcp, bool dialer, const char *host)
{
	nng_tls_config *cfg;
	int             rv;

	if ((rv = nng_tls_config_alloc(&cfg,
	         dialer ? NNG_TLS_MODE_CLIENT : NNG_TLS_MODE_SERVER)) != 0) {
		return (rv);
	}
	if ((dialer && (host != NULL) && (host[0] != '\0') &&
	        ((rv = nng_tls_config_server_name(cfg, host)) != 0)) ||
	    ((rv = nng_tls_config_auth_mode(
	          cfg, NNG_TLS_AUTH_MODE_REQUIRED)) != 0)) {
		nng_tls_config_free(cfg);
		return (rv);
	}
	*srcp = cfg;
	return (0);
}

int
mpc_tran_tls_derive(
    nng_tls_config *src, const mpc_tran_cfg *cfg, nng_tls_config **priv)
{
	struct mpc_tls_require req;

	req.pins = (const uint8_t(*)[NNG_MPC_TLS_PIN_SIZE]) cfg->pins;
	req.npins         = cfg->npins;
	req.keep_exporter = true; /* read once, then mpc_tran_tls_bind */
	return (mpc_tls_config_derive(src, &req, priv));
}

int
mpc_tran_tls_install(
    nng_tls_config *priv, nng_stream_dialer *d, nng_stream_listener *l)
{
	/* The inner endpoint holds its own reference. */
	if (d != NULL) {
		return (nng_stream_dialer_set_ptr(d, NNG_OPT_TLS_CONFIG, priv));
	}
	return (nng_stream_listener_set_ptr(l, NNG_OPT_TLS_CONFIG, priv));
}

int
mpc_tran_tls_settle(nng_tls_config *src, nng_stream_dialer *d,
    nng_stream_listener *l, mpc_tran_cfg *cfg)
{
	nng_tls_config *priv = NULL;
	int             rv;

	/* No party ID set: we are the party our own certificate names (an
	 * unmodified program's --cert).  Without one, the environment or
	 * mpc_tran_cfg_ready() says what is missing. */
	if (cfg->party_id == NNG_MPC_PARTY_NONE) {
		uint32_t id;
		if (mpc_tls_config_own_party(src, &id) == 0) {
			cfg->party_id = id;
		}
	}
	if ((rv = mpc_tran_tls_derive(src, cfg, &priv)) != 0) {
		return (rv);
	}
	rv = mpc_tran_tls_install(priv, d, l);
	nng_tls_config_free(priv);
	return (rv);
}

/* The peer's key is one of the endpoint's pins (all compared, in
 * constant time), or the endpoint has none. */
static bool
mpc_tran_tls_pinned(const uint8_t (*pins)[NNG_MPC_TLS_PIN_SIZE],
    size_t npins, const uint8_t *spki)
{
	uint8_t hit = 0;

	if (npins == 0) {
		return (true);
	}
	for (size_t i = 0; i < npins; i++) {
		uint8_t d = 0;
		for (size_t j = 0; j < NNG_MPC_TLS_PIN_SIZE; j++) {
			d |= (uint8_t) (pins[i][j] ^ spki[j]);
		}
		hit |= (uint8_t) (d == 0);
	}
	return (hit != 0);
}

int
mpc_tran_tls_identify(nng_stream *conn, uint32_t claimed,
    const uint8_t (*pins)[NNG_MPC_TLS_PIN_SIZE], size_t npins,
    mpc_tran_tls_peer *out)
{
	struct mpc_tls_peer pi;

	memset(out, 0, sizeof(*out));
	if ((mpc_tls_peer_info(conn, &pi) != 0) || !pi.have_cert ||
	    !pi.verified || !pi.party_ok ||
	    !mpc_tran_tls_pinned(pins, npins, pi.spki_sha256)) {
		return (NNG_MPC_ENOIDENTITY); /* refused: closing frees all */
	}
	if (pi.party_id != claimed) {
		return (NNG_MPC_EPARTYCERT);
	}
	/* Same sizes as the bridge's, which NUL-terminates them. */
	memcpy(out->subject, pi.subject, sizeof(out->subject));
	memcpy(out->version, pi.version, sizeof(out->version));
	memcpy(out->cipher, pi.cipher, sizeof(out->cipher));
	memcpy(out->pin, pi.spki_sha256, sizeof(out->pin));
	return (0);
}

int
mpc_tran_tls_bind(nng_stream *conn, mpc_tran_hs *hs)
{
	uint8_t exp[MPC_HELLO_EXPORTER_SIZE];
	int     rv = 0;

	if (mpc_hs_binding(hs)) {
		if (mpc_tls_export(conn, MPC_HELLO_EXPORTER_LABEL,
		        hs->transcript, sizeof(hs->transcript), exp,
		        sizeof(exp)) != 0) {
			rv = NNG_MPC_ENOIDENTITY;
			goto out;
		}
		mpc_hs_set_exporter(hs, exp, sizeof(exp));
	}
out:
	/* A failure to forget means the stream is not what it was a
	 * moment ago: refuse. */
	if ((mpc_tls_forget(conn) != 0) && (rv == 0)) {
		rv = NNG_MPC_ENOIDENTITY;
	}
	mpc_wipe(exp, sizeof(exp));
	return (rv);
}
