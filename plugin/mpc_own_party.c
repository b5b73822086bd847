/*
 * mpc_own_party.c -- nng_mpc_tls_config_own_party(): the public face of
 * the TLS engine's reading of our own certificate's party ID (crypto/
 * mpc_tls_bridge.h), so a program (`nngmpc node`) can check at start that
 * its certificate is its party's, with the very code the transport uses.
 *
 * Threading: as mpc_tls_config_own_party (the config's own locking).
 */
#include <nng/nng.h>

#include "mpc_tls_bridge.h"
#include "nng_mpc.h"

int
nng_mpc_tls_config_own_party(struct nng_tls_config *cfg, uint32_t *id)
{
	if ((cfg == NULL) || (id == NULL)) {
		return (NNG_EINVAL);
	}
	return (mpc_tls_config_own_party(cfg, id));
}
