/*
 * mpc_tls_engine.h -- internal definitions shared by the wolfSSL TLS engine's
 * files (crypto/mpc_tls_*.c).  Not installed; the transport includes
 * mpc_tls_bridge.h instead.
 *
 * The engine implements NNG 1.5.2's TLS engine interface, version 1
 * (nng/supplemental/tls/engine.h).  NNG allocates our per-configuration and
 * per-connection state (struct nng_tls_engine_config / _conn) right behind
 * its own objects and calls the ops below; the files split as:
 *   mpc_tls_config.c    config ops, the WOLFSSL_CTX built from the settings
 *   mpc_tls_conn.c      conn ops, the I/O bridge to NNG, error mapping
 *   mpc_tls_verify.c    certificate verify callback: pins, party identity
 *   mpc_tls_identity.c  party-ID SAN parser, leaf certificate digest
 *   mpc_tls_registry.c  stream -> conn and nng_tls_config -> config maps
 *   mpc_tls_bridge.c    the bridge API (mpc_tls_bridge.h)
 *   mpc_tls_derive.c    private copies for the transport, secrets freed
 *   mpc_tls_register.c  the engine table, registration, counters
 *
 * Threading (the rule for every file): NNG calls a connection's ops with
 * that connection's NNG lock held, so they never run concurrently for one
 * connection; the verify callback runs inside them.  Configuration ops are
 * serialized by NNG's config lock, but connections start (conn init) and
 * our own setters run without it, so every read or write of a config's
 * settings holds config->lk.  The bridge runs on any thread: it finds a
 * conn under the registry lock and reads what the handshake published
 * under conn->lk.  Lock order: registry lock, then conn->lk or config->lk;
 * never two of the latter.
 */
#ifndef MPC_TLS_ENGINE_H
#define MPC_TLS_ENGINE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/ssl.h>

#include <nng/nng.h>
#include <nng/supplemental/tls/engine.h>
#include <nng/supplemental/tls/tls.h>

#include "nng_mpc.h"
#include "mpc_tls_identity.h"

#define MPC_WUR __attribute__((warn_unused_result))

/* Cipher suites the engine knows, by IANA name (RFC 8446 B.4, RFC 5289,
 * RFC 7905); index into mpc_tls_suites[]. */
#define MPC_TLS_SUITES_MAX 6
/* Key-exchange groups (RFC 8446 4.2.7). */
#define MPC_TLS_GROUPS_MAX 3
/* What a connection keeps of its peer's chain for a reload's check: at
 * most this many certificates (leaf first) and bytes; a leaf alone longer
 * than that fails the handshake of a strict config. */
#define MPC_TLS_CHAIN_CERTS 4
#define MPC_TLS_CHAIN_BYTES 8192
/* Longest version / cipher / subject strings the bridge reports. */
#define MPC_TLS_NAME_LEN 48

/* A registry entry: an intrusive node, so inserting never allocates. */
struct mpc_tls_node {
	struct mpc_tls_node *next;
	const void *         key;
};

/*
 * Configuration settings.  Everything a WOLFSSL_CTX is built from lives
 * here, so a change builds a fresh context (copy on write: connections
 * keep the context they started with, wolfSSL reference-counts it).
 */
struct mpc_tls_settings {
	nng_tls_mode      mode;
	nng_tls_auth_mode auth;
	nng_tls_version   min_ver;
	nng_tls_version   max_ver;
	char *            server_name; /* client: SNI and name check */
	char *            ca_pem;      /* trust anchors, concatenated PEM */
	size_t            ca_len;
	char *            crl_pem; /* CRLs, concatenated PEM */
	size_t            crl_len;
	char *            cert_pem; /* own chain, PEM */
	size_t            cert_len;
	uint8_t *         key_der; /* own private key, DER: secret, wiped */
	size_t            key_len;
	uint8_t           suites[MPC_TLS_SUITES_MAX]; /* indexes, in order */
	size_t            nsuites;
	int               groups[MPC_TLS_GROUPS_MAX]; /* IANA group ids */
	size_t            ngroups;
	uint8_t (*pins)[NNG_MPC_TLS_PIN_SIZE];
	size_t            npins;
	bool              party_required;
	/* Only on configs made by mpc_tls_config_derive: the peer is trusted
	 * only when its chain verifies (the auth mode cannot waive it), or,
	 * with pins and no anchors, when its key is pinned; a server always
	 * demands a certificate. */
	bool              strict;
	/* Keep the handshake secrets for the exporter until mpc_tls_forget
	 * (derived configs only: other connections never keep them). */
	bool              keep_exporter;
};

struct nng_tls_engine_config {
	pthread_mutex_t         lk;
	bool                    inited;
	struct mpc_tls_settings set;
	WOLFSSL_CTX *           ctx; /* built from set; under lk */
	struct mpc_tls_node     node; /* key: the owning nng_tls_config */
	bool                    registered;
};

struct nng_tls_engine_conn {
	void *       tls; /* NNG's tls_conn: its first member is the nng_stream */
	WOLFSSL *    ssl;
	bool         inited;
	bool         registered;
	bool         hs_done;     /* handshake completed (published) */
	bool         hs_failed;   /* counted once */
	bool         close_tx;    /* close_notify sent */
	bool         close_rx;    /* close_notify received */
	bool         verified;    /* peer certificate verified and accepted */
	bool         is_server;
	nng_tls_auth_mode auth;
	bool         party_required;
	bool         strict;        /* settings' strict (snapshot at init) */
	bool         anchors;       /* the config had trust anchors */
	bool         keep_exporter; /* handshake secrets kept for export */
	bool         forgotten;     /* mpc_tls_forget was called; under lk */
	/* Set by mpc_tls_forget; the next conn op frees the secrets, where
	 * NNG's connection lock keeps wolfSSL's I/O out (a post-handshake
	 * message in a read uses the same arrays). */
	atomic_bool  drop_secrets;
	bool         secrets_dropped; /* conn ops only */
	uint8_t (*pins)[NNG_MPC_TLS_PIN_SIZE]; /* snapshot at init */
	size_t       npins;
	int          verify_fail; /* reason the verify callback rejected */
	int          fail;    /* NNG_MPC_E* reason of a failed handshake */
	int          fail_rv; /* the NNG error it was reported as */
	int          io_err;  /* NNG error from the lower stream */
	int          rx_err;  /* error met after a partial read, reported next */
	struct mpc_tls_leaf peer; /* from the verify callback */
	bool         have_peer;
	/* Strict configs only: the chain the peer presented, kept so a
	 * reload can verify it again (mpc_tls_recheck.c); NULL otherwise. */
	uint8_t *    chain;     /* the certificates' DER, leaf first */
	size_t       chain_len;
	uint16_t     chain_cert[MPC_TLS_CHAIN_CERTS]; /* each one's length */
	size_t       chain_n;
	bool         pin_ok;
	char         version[MPC_TLS_NAME_LEN];
	char         cipher[MPC_TLS_NAME_LEN];
	uint16_t     suite_id;
	pthread_mutex_t lk; /* guards the published fields for the bridge */
	struct mpc_tls_node node; /* key: the nng_stream */
};

/* ---- mpc_tls_config.c */
extern const nng_tls_engine_config_ops mpc_tls_config_ops;
/* Builds a context from s; returns 0 or an NNG / NNG_MPC error. */
MPC_WUR int mpc_tls_ctx_build(
    const struct mpc_tls_settings *s, WOLFSSL_CTX **ctxp);
/* Suite table: IANA name, wolfSSL name, id, TLS 1.3 or not. */
struct mpc_tls_suite {
	const char *iana;
	const char *wolf;
	uint16_t    id;
	bool        tls13;
};
extern const struct mpc_tls_suite mpc_tls_suites[MPC_TLS_SUITES_MAX];
const char *mpc_tls_suite_name(uint16_t id);
/*
 * Copies every "-----BEGIN <label>-----" .. "-----END <label>-----" block
 * of pem (NUL-terminated) into a new NUL-terminated string (*outp, freed
 * by the caller; *lenp bytes before the NUL), each block followed by a
 * newline.  Returns 0, NNG_ENOMEM, or NNG_MPC_ETLSBADCERT when pem holds
 * no complete block.  Not static so test/fuzz/fuzz_tls_config.c and the
 * tests reach it.
 */
MPC_WUR int mpc_tls_pem_extract(
    const char *pem, const char *label, char **outp, size_t *lenp);
/* Finds our config behind an nng_tls_config and returns it with its lk
 * held (NULL: not ours).  The caller holds its reference to cfg. */
struct nng_tls_engine_config *mpc_tls_cfg_lock(struct nng_tls_config *cfg);
/* Builds a context from *next and, on success, swaps it in and adopts
 * *next (the old settings' buffers stay the caller's).  Under cfg->lk. */
MPC_WUR int mpc_tls_cfg_rebuild(
    struct nng_tls_engine_config *cfg, struct mpc_tls_settings *next);
/* Frees every buffer of s (wiping the key and chain) and zeroes it. */
void mpc_tls_settings_free(struct mpc_tls_settings *s);
/* explicit_bzero then free; NULL is fine. */
void mpc_tls_wipe_free(void *p, size_t n);

/* ---- mpc_tls_conn.c */
extern const nng_tls_engine_conn_ops mpc_tls_conn_ops;
int  mpc_tls_io_recv(WOLFSSL *ssl, char *buf, int sz, void *arg);
int  mpc_tls_io_send(WOLFSSL *ssl, char *buf, int sz, void *arg);

/* ---- mpc_tls_verify.c */
int mpc_tls_verify_cb(int preverify, WOLFSSL_X509_STORE_CTX *store);
/* wolfSSL's chain-validation error -> our NNG_MPC_ETLS* reason. */
int mpc_tls_chain_reason(int err);

/* ---- mpc_tls_recheck.c */
/* Keeps the peer's chain on c (strict configs): 0 or NNG_ENOMEM. */
MPC_WUR int mpc_tls_chain_keep(
    struct nng_tls_engine_conn *c, WOLFSSL_X509_STORE_CTX *store);

/* ---- mpc_tls_bridge.c */
/* Finds the connection behind s and returns it with its lk held (NULL:
 * not ours).  Registry lock, then conn->lk. */
struct nng_tls_engine_conn *mpc_tls_conn_lock(nng_stream *s);

/* ---- mpc_tls_derive.c */
/* Deep copy of *src into *dst (all pointers fresh); on failure *dst holds
 * what was copied, so mpc_tls_settings_free(dst) is right either way. */
MPC_WUR int mpc_tls_settings_copy(
    struct mpc_tls_settings *dst, const struct mpc_tls_settings *src);
/* A new config (next->mode) adopting *next: on success *next is left
 * holding the new config's former defaults (free them); NNG_MPC_ETLSNOTOURS
 * when this engine is not the process's. */
MPC_WUR int mpc_tls_config_adopt(
    struct mpc_tls_settings *next, struct nng_tls_config **out);

/* ---- mpc_tls_registry.c: both maps are bounded by the live objects
 * (nodes are embedded), so they cannot fail and need no cap. */
void                          mpc_tls_reg_lock(void);
void                          mpc_tls_reg_unlock(void);
void                          mpc_tls_reg_conn_add(struct nng_tls_engine_conn *c);
void                          mpc_tls_reg_conn_del(struct nng_tls_engine_conn *c);
struct nng_tls_engine_conn *  mpc_tls_reg_conn_find(const void *stream);
void                          mpc_tls_reg_cfg_add(
                             struct nng_tls_engine_config *c, const void *owner);
void                          mpc_tls_reg_cfg_del(struct nng_tls_engine_config *c);
struct nng_tls_engine_config *mpc_tls_reg_cfg_find(const void *owner);

/* ---- mpc_tls_register.c */
/* Offset of our config behind NNG's nng_tls_config, measured at
 * registration (0 until then). */
extern atomic_size_t mpc_tls_cfg_offset;
/* Set on the registering thread while it measures the offset. */
extern _Thread_local struct nng_tls_engine_config *mpc_tls_probe_slot;
extern _Thread_local bool                          mpc_tls_probing;
MPC_WUR int mpc_tls_engine_register(void);

/* Counters (nng_mpc_tls_stats), relaxed atomics. */
enum mpc_tls_counter {
	MPC_TLS_C_HS_OK,
	MPC_TLS_C_HS_FAILED,
	MPC_TLS_C_UNTRUSTED,
	MPC_TLS_C_EXPIRED,
	MPC_TLS_C_REVOKED,
	MPC_TLS_C_NAME,
	MPC_TLS_C_NO_CERT,
	MPC_TLS_C_PIN,
	MPC_TLS_C_PARTY_MALFORMED,
	MPC_TLS_C_PARTY_MISSING,
	MPC_TLS_C_BAD_CERT,
	MPC_TLS_C_VERSION,
	MPC_TLS_C_NO_CIPHER,
	MPC_TLS_C_ALERT_RX,
	MPC_TLS_C_OTHER,
	MPC_TLS_C_CLOSE_TX,
	MPC_TLS_C_CLOSE_RX,
	MPC_TLS_C_COUNT
};
void mpc_tls_count(enum mpc_tls_counter which);

/* Constant-time equality of two equal-length byte strings. */
bool mpc_tls_ct_equal(const uint8_t *a, const uint8_t *b, size_t n);

#endif /* MPC_TLS_ENGINE_H */
