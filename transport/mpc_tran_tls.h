/*
 * mpc_tran_tls.h -- what mpc+tls+tcp:// asks of the TLS engine: an
 * endpoint's TLS configuration settled before it dials or listens, and a
 * connection's verified identity and channel binding after the TLS
 * handshake (through crypto/mpc_tls_bridge.h).
 *
 * Threading: settle runs under the endpoint's mutex; identify and bind on
 * the negotiation's (the same mutex); the bridge takes only its own locks.
 */
#ifndef NNG_MPC_TRANSPORT_MPC_TRAN_TLS_H
#define NNG_MPC_TRANSPORT_MPC_TRAN_TLS_H

#include <stdbool.h>
#include <stdint.h>

#include <nng/nng.h>
#include <nng/supplemental/tls/tls.h>

#include "mpc_tls_bridge.h"
#include "mpc_tran_cfg.h"
#include "mpc_tran_hello.h"

/* The verified facts about a TLS peer a pipe keeps. */
typedef struct mpc_tran_tls_peer {
	char    subject[MPC_TLS_PEER_SUBJECT_LEN];
	char    version[MPC_TLS_PEER_NAME_LEN];
	char    cipher[MPC_TLS_PEER_NAME_LEN];
	uint8_t pin[NNG_MPC_TLS_PIN_SIZE]; /* SHA-256 of the peer's SPKI */
} mpc_tran_tls_peer;

/*
 * An endpoint's TLS settings live in a SOURCE configuration: one the
 * endpoint allocates (mpc_tran_tls_source_alloc: NNG's defaults for the
 * inner scheme -- a dialer verifies the URL's host name, as NNG's
 * tls+tcp:// dialer does -- with mutual authentication asked for), or the
 * application's own (NNG_OPT_TLS_CONFIG), held by reference.  NNG's TLS
 * options set on the endpoint apply to the source.  The endpoint never
 * connects with the source itself: before every dial and listen,
 * mpc_tran_tls_settle derives a private, strict copy from it with the
 * endpoint's pins (mpc_tls_config_derive, crypto/mpc_tls_bridge.h) and
 * gives that to the inner tls+tcp:// dialer or listener.  So the
 * application's configuration is never modified, pins belong to the
 * endpoint, and no auth mode can make a certificate nobody verified name
 * a party.
 */
__attribute__((warn_unused_result)) int mpc_tran_tls_source_alloc(
    nng_tls_config **srcp, bool dialer, const char *host);

/*
 * Settles the TLS configuration of an endpoint's inner stream dialer (or
 * listener; the other is NULL) before it dials or listens: the private
 * copy of src described above; and our party ID from our own certificate
 * when cfg has none.  0 or an error for nng_dial / nng_listen
 * (NNG_MPC_ETLSNOTRUST when src can authenticate no peer, ...).
 */
__attribute__((warn_unused_result)) int mpc_tran_tls_settle(
    nng_tls_config *src, nng_stream_dialer *d, nng_stream_listener *l,
    mpc_tran_cfg *cfg);

/*
 * The two halves of settle, also used by a reload (mpc_tran_reload.c):
 * derive makes *priv, the private copy of src with cfg's pins (freed
 * with nng_tls_config_free); install gives it to the inner dialer d or
 * listener l (the other NULL), which holds its own reference: new
 * connections use it from then on.
 */
__attribute__((warn_unused_result)) int mpc_tran_tls_derive(
    nng_tls_config *src, const mpc_tran_cfg *cfg, nng_tls_config **priv);
__attribute__((warn_unused_result)) int mpc_tran_tls_install(
    nng_tls_config *priv, nng_stream_dialer *d, nng_stream_listener *l);

/*
 * The peer's identity after the TLS handshake: it counts only when the
 * engine trusted its certificate (chain verified, or key pinned where the
 * pins are the trust root: crypto/mpc_tls_bridge.h) and it names a party
 * equal to the one claimed in the hello.  As defence in depth the peer's
 * key is also checked against the endpoint's pins here (every pin, in
 * constant time), although the engine already required it.  0 and *out,
 * or NNG_MPC_ENOIDENTITY / NNG_MPC_EPARTYCERT.
 */
__attribute__((warn_unused_result)) int mpc_tran_tls_identify(
    nng_stream *conn, uint32_t claimed,
    const uint8_t (*pins)[NNG_MPC_TLS_PIN_SIZE], size_t npins,
    mpc_tran_tls_peer *out);

/*
 * Mixes the TLS exporter (RFC 8446 7.5) into the handshake when both sides
 * agreed to channel binding, then lets the engine forget the handshake
 * secrets (the exporter is read once: they need not live as long as the
 * connection).  0 or NNG_MPC_ENOIDENTITY.
 */
__attribute__((warn_unused_result)) int mpc_tran_tls_bind(
    nng_stream *conn, mpc_tran_hs *hs);

#endif /* NNG_MPC_TRANSPORT_MPC_TRAN_TLS_H */
