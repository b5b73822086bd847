/*
 * mpc_tran_tls.c -- the transport's side of TLS: settling an endpoint's
 * configuration and reading a connection's identity (mpc_tran_tls.h).
 * Public NNG API and the engine's bridge only.
 */
#include <string.h>

#include "mpc_tran_tls.h"

#include "mpc_wipe.h"

int
mpc_tran_tls_settle(
    nng_stream_dialer *d, nng_stream_listener *l, mpc_tran_cfg *cfg)
{
	nng_tls_config *tls = NULL;
	int             rv;

	if (d != NULL) {
		rv = nng_stream_dialer_get_ptr(
		    d, NNG_OPT_TLS_CONFIG, (void **) &tls);
	} else {
		rv = nng_stream_listener_get_ptr(
		    l, NNG_OPT_TLS_CONFIG, (void **) &tls);
	}
	if (rv != 0) {
		return (rv);
	}
	if ((rv = nng_mpc_tls_config_require_party(tls, 1)) != 0) {
		return (rv);
	}
	/* No party ID set: we are the party our own certificate names (an
	 * unmodified program's --cert).  Without one, the environment or
	 * mpc_tran_cfg_ready() says what is missing. */
	if (cfg->party_id == NNG_MPC_PARTY_NONE) {
		uint32_t id;
		if (mpc_tls_config_own_party(tls, &id) == 0) {
			cfg->party_id = id;
		}
	}
	return (nng_mpc_tls_config_pins(tls, &cfg->pins[0][0], cfg->npins));
}

int
mpc_tran_tls_identify(nng_stream *conn, uint32_t claimed,
    const mpc_tran_cfg *cfg, mpc_tran_tls_peer *out)
{
	struct mpc_tls_peer pi;

	(void) cfg;
	memset(out, 0, sizeof(*out));
	if ((mpc_tls_peer_info(conn, &pi) != 0) || !pi.party_ok) {
		return (NNG_MPC_ENOIDENTITY);
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
	mpc_wipe(exp, sizeof(exp));
	return (rv);
}
