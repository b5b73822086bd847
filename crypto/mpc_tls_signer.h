/*
 * mpc_tls_signer.h -- what signing broadcast statements needs from a TLS
 * configuration of this engine: our private key, our certificate and the
 * trust anchors.  The echo broadcast (transport/mpc_tran_echo.c) signs
 * with the same key and certificate the party authenticates with, so a
 * party needs no second identity, and checks announced certificates
 * against the same anchors.
 *
 * Threading: takes the configuration's lock (mpc_tls_engine.h).
 */
#ifndef NNG_MPC_CRYPTO_MPC_TLS_SIGNER_H
#define NNG_MPC_CRYPTO_MPC_TLS_SIGNER_H

#include <stddef.h>
#include <stdint.h>

struct nng_tls_config;

typedef struct mpc_tls_signer {
	uint8_t *key_der;  /* secret: mpc_tls_signer_free wipes it */
	size_t   key_len;
	uint8_t *cert_der; /* the first certificate of our chain */
	size_t   cert_len;
	char *   ca_pem;   /* the anchors, or NULL (pins only) */
	size_t   ca_len;
} mpc_tls_signer;

/*
 * Copies them out of cfg.  0; NNG_MPC_ETLSNOTOURS (not this engine's),
 * NNG_MPC_ETLSNOCERT (no own certificate and key), NNG_MPC_ETLSBADCERT,
 * NNG_ENOMEM.  On error *s holds nothing.
 */
__attribute__((warn_unused_result)) int mpc_tls_config_signer(
    struct nng_tls_config *cfg, mpc_tls_signer *s);

/* Wipes the key and frees all three. */
void mpc_tls_signer_free(mpc_tls_signer *s);

#endif /* NNG_MPC_CRYPTO_MPC_TLS_SIGNER_H */
