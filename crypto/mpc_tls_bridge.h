/*
 * mpc_tls_bridge.h -- what the nng-mpc transport learns from the TLS engine
 * about a connection it holds: the peer's party ID, subject, the negotiated
 * version and cipher suite, whether a pin matched, and TLS 1.3 exporter
 * values (RFC 8446 7.5) for channel binding.
 *
 * Why a bridge: NNG 1.5.2's TLS engine interface (version 1) has no way to
 * ask an engine about a connection; the transport sees only an nng_stream.
 * The bridge rests on one fact of NNG 1.5.2 (src/supplemental/tls/
 * tls_common.c): the engine's conn init receives, as its second argument,
 * NNG's TLS connection object, whose first member is the nng_stream NNG's
 * TLS dialer and listener hand out.  So that pointer names the connection
 * on both sides, and the engine keeps a map from it to its own per-
 * connection state (mpc_tls_registry.c):
 *
 *     transport: nng_stream *s ──► registry ──► engine conn (WOLFSSL *)
 *                 (inserted by conn init, removed by conn fini)
 *
 * The map holds only live connections (its nodes are embedded in them), so
 * it is bounded by what NNG has open and an insert cannot fail.  A stream
 * that is not a connection of this engine (plain tcp://, or a TLS stream
 * made by another engine) is simply not found: NNG_MPC_ETLSNOTOURS.
 *
 * Configuration works the same way in the other direction: NNG allocates
 * the engine's config at a fixed offset behind its nng_tls_config, which
 * registration measures once (by allocating one config and comparing the
 * two pointers, not by assuming NNG's private struct layout); config init
 * maps the nng_tls_config to the engine's config, and the public
 * nng_mpc_tls_config_* setters (nng_mpc.h) use that map for the settings
 * NNG's option set lacks: pins, suites, groups, party identity required.
 *
 * Threading: both functions may be called from any thread, at any time
 * while the caller holds the stream (before nng_stream_free).  Results are
 * published once, when the handshake completes, under the connection's
 * lock; the exporter runs under the same lock, and conn fini takes the
 * connection out of the map and then that lock before freeing, so no call
 * ever sees a freed connection.  They never take an NNG lock.
 */
#ifndef MPC_TLS_BRIDGE_H
#define MPC_TLS_BRIDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nng/nng.h>

#include "nng_mpc.h"

#define MPC_TLS_PEER_SUBJECT_LEN 256
#define MPC_TLS_PEER_NAME_LEN    48
/* RFC 8446 7.5 allows any length; HKDF-Expand caps it at 255 * hash. */
#define MPC_TLS_EXPORT_MAX 255

struct mpc_tls_peer {
	bool     have_cert;  /* the peer presented a certificate */
	/* trusted: its chain verified against our anchors, or (a derived
	 * config with pins and no anchors) its key is pinned; an error waived
	 * by auth mode none never counts */
	bool     verified;
	bool     pin_ok;     /* its key matched a configured pin */
	bool     party_ok;   /* it carries a well-formed party ID */
	uint32_t party_id;   /* valid when party_ok */
	/* malformed/duplicate party SAN present (only when not required,
	 * otherwise the handshake failed) */
	bool     party_malformed;
	char     subject[MPC_TLS_PEER_SUBJECT_LEN]; /* "/C=../CN=..", or "" */
	uint8_t  spki_sha256[NNG_MPC_TLS_PIN_SIZE]; /* the peer's pin */
	char     version[MPC_TLS_PEER_NAME_LEN];    /* "TLSv1.3" */
	char     cipher[MPC_TLS_PEER_NAME_LEN];     /* IANA suite name */
	uint16_t cipher_id;                         /* IANA suite value */
};

/*
 * mpc_tls_peer_info fills *out for the TLS connection behind s.  Returns
 * 0 once the handshake has completed; NNG_MPC_ETLSNOTREADY before that;
 * the handshake's failure reason (an NNG_MPC_ETLS* code: why the peer
 * was rejected) if it failed; NNG_MPC_ETLSNOTOURS if s is not a connection
 * of this engine.  *out is zeroed unless 0 is returned.
 */
__attribute__((warn_unused_result)) int mpc_tls_peer_info(
    nng_stream *s, struct mpc_tls_peer *out);

/*
 * mpc_tls_export derives out_len bytes of keying material from the TLS
 * 1.3 exporter (RFC 8446 7.5):
 *   HKDF-Expand-Label(Derive-Secret(exporter_master_secret, label, ""),
 *                     "exporter", Hash(context), out_len)
 * Both ends of a connection get the same bytes for the same label and
 * context, and no other connection can.  label must be non-empty and
 * should start with "EXPORTER-" (RFC 5705 4); ctx may be NULL with
 * ctx_len 0 (an empty context, which RFC 8446 treats like no context).
 * Returns 0; NNG_MPC_ETLSNOTREADY before the handshake completed;
 * NNG_MPC_ETLSVERSION if the connection is not TLS 1.3;
 * NNG_MPC_ETLSFORGOTTEN if its secrets were not kept (only connections of
 * a config made by mpc_tls_config_derive with keep_exporter keep them) or
 * were freed by mpc_tls_forget; NNG_MPC_ETLSEXPORT
 * for a bad label or length; NNG_MPC_ETLSNOTOURS as above.  out is wiped
 * on every failure.
 */
__attribute__((warn_unused_result)) int mpc_tls_export(nng_stream *s,
    const char *label, const uint8_t *ctx, size_t ctx_len, uint8_t *out,
    size_t out_len);

/*
 * mpc_tls_config_own_party reads the party identity of our own certificate
 * (the first certificate of the chain given to nng_tls_config_own_cert or
 * NNG_OPT_TLS_CERT_KEY_FILE) on a configuration of this engine.  The
 * transport uses it when the application set no NNG_OPT_MPC_PARTY_ID: an
 * unmodified NNG program (nngcat --cert) is then the party its certificate
 * names.  Returns 0 and *id; NNG_MPC_ETLSNOTOURS (not our config),
 * NNG_MPC_ETLSNOCERT (no own certificate yet), NNG_MPC_ETLSNOPARTY (it has
 * no party identity), NNG_MPC_ETLSPARTY (malformed identity) or
 * NNG_MPC_ETLSBADCERT.
 */
__attribute__((warn_unused_result)) int mpc_tls_config_own_party(
    struct nng_tls_config *cfg, uint32_t *id);

/*
 * What mpc_tls_config_derive adds to a copy of an application's config.
 * pins: npins SHA-256 SPKI digests (RFC 7469 2.4), at most
 * NNG_MPC_TLS_PINS_MAX; with none, the source config's own pins (set by
 * nng_mpc_tls_config_pins) apply.  keep_exporter: the connections keep
 * their handshake secrets for mpc_tls_export until mpc_tls_forget.
 */
struct mpc_tls_require {
	const uint8_t (*pins)[NNG_MPC_TLS_PIN_SIZE];
	size_t npins;
	bool   keep_exporter;
};

/*
 * mpc_tls_config_derive makes *out, a new private nng_tls_config (src's
 * mode) holding a deep copy of src's settings -- anchors, CRLs, own
 * certificate and key, server name, versions, suites, groups, auth mode
 * (which then decides only the client's server-name check) -- made
 * strict:
 *   - the peer must carry a well-formed party identity;
 *   - a server always demands a client certificate;
 *   - the peer is trusted only when its chain verifies against the
 *     anchors (auth mode none or optional never waives an error); with
 *     pins and no anchors, only when its key is pinned (the pins are the
 *     trust root, and the leaf's dates are checked); with both, both
 *     must hold.
 * src is never modified; later changes to it reach only configs derived
 * again.  The caller frees *out with nng_tls_config_free.  Returns 0;
 * NNG_MPC_ETLSNOTOURS (src is not this engine's), NNG_MPC_ETLSNOCERT (src
 * has no own certificate: a party must present one), NNG_MPC_ETLSNOTRUST
 * (no anchors and no pins: no peer could be authenticated),
 * NNG_MPC_ETLSTOOMANY, NNG_EINVAL, NNG_ENOMEM, or what building the
 * context reports.
 *
 * Threading: any thread; takes src's then the copy's config lock, one at
 * a time.
 */
__attribute__((warn_unused_result)) int mpc_tls_config_derive(
    struct nng_tls_config *src, const struct mpc_tls_require *req,
    struct nng_tls_config **out);

/*
 * mpc_tls_forget drops the handshake secrets a connection of a derived
 * config kept for the exporter: mpc_tls_export on s fails with
 * NNG_MPC_ETLSFORGOTTEN from now on (as on connections that never kept
 * them), and the connection's next read, write or handshake step frees
 * them, wiped (wolfSSL_FreeArrays, run where NNG's connection lock keeps
 * wolfSSL's own I/O out; the transport writes right after forgetting).
 * Idempotent.  Returns 0; NNG_MPC_ETLSNOTREADY before the
 * handshake completed, its failure reason if it failed, or
 * NNG_MPC_ETLSNOTOURS.
 */
__attribute__((warn_unused_result)) int mpc_tls_forget(nng_stream *s);

/*
 * mpc_tls_peer_recheck judges the peer of s again, by cfg's trust now
 * (a config made by mpc_tls_config_derive, typically one derived again
 * after a reload): the certificate chain the peer presented at its
 * handshake -- which connections of derived configs keep -- against
 * cfg's anchors and CRLs, its pins (with pins and no anchors the pins are
 * the root and the leaf's dates count), and the leaf must still name
 * party.  The same rules as a handshake (mpc_tls_recheck.c).  Returns 0
 * (still trusted); why not: NNG_MPC_ETLSUNTRUSTED, NNG_MPC_ETLSREVOKED,
 * NNG_MPC_ETLSEXPIRED, NNG_MPC_ETLSPIN, NNG_MPC_ETLSPARTY,
 * NNG_MPC_ETLSBADCERT, NNG_MPC_ETLSNOTRUST; or NNG_MPC_ETLSFORGOTTEN (s
 * kept no chain: not a derived config's connection), NNG_MPC_ETLSNOTREADY,
 * NNG_MPC_ETLSNOTOURS, NNG_ENOMEM.
 *
 * Threading: any thread, while the caller holds s and cfg.
 */
__attribute__((warn_unused_result)) int mpc_tls_peer_recheck(
    nng_stream *s, struct nng_tls_config *cfg, uint32_t party);

/*
 * mpc_tls_config_renew makes *out, a new config holding a deep copy of
 * src's settings in which what files holds REPLACES src's: its anchors
 * and CRLs when ca, its own chain and key when own (files: a scratch
 * config the caller filled with NNG_OPT_TLS_CA_FILE /
 * NNG_OPT_TLS_CERT_KEY_FILE, so the files were read and checked as at
 * start-up).  Neither src nor files changes.  Returns 0;
 * NNG_MPC_ETLSNOTRUST (ca, but files has no anchor), NNG_MPC_ETLSNOCERT
 * (own, but files has no chain and key), NNG_MPC_ETLSNOTOURS, NNG_EINVAL,
 * NNG_ENOMEM, or what building the context reports (NNG_MPC_ETLSKEY...).
 */
__attribute__((warn_unused_result)) int mpc_tls_config_renew(
    struct nng_tls_config *src, struct nng_tls_config *files, bool ca,
    bool own, struct nng_tls_config **out);

#endif /* MPC_TLS_BRIDGE_H */
