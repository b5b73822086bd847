/*
 * mpc_audit.h -- the audit log's internal interface, layered one way:
 *
 *   mpc_audit_seal.c    keys and chain: genesis hash, line hash, the seal
 *                       MAC, the one-way key ratchet, the key files
 *   mpc_audit_json.c    one record (struct mpc_audit_rec) -> one JSON line
 *   mpc_audit_log.c     the sink: bounded queue, writer thread, rotation,
 *                       periodic seals (uses seal + json)
 *   mpc_audit_observer.c  the transport's observer ops on top of the sink
 *   mpc_audit_verify.c  the verifier (uses seal only)
 *
 * The format (README "Audit log"): JSON Lines; every line an object with
 * "seq" (0, 1, ... across rotated files), "ts" (RFC 3339 UTC, ns), "event",
 * the event's fields, and "prev" last: the hex SHA-256 of the previous
 * line's bytes (without its newline).  The first line's prev is
 * SHA-256("nng-mpc audit v1 genesis " || log ID in hex).
 *
 * Threading: each file states its own rule; the functions declared here
 * that take no lock are called by one thread at a time per object.
 */
#ifndef NNG_MPC_PLUGIN_MPC_AUDIT_H
#define NNG_MPC_PLUGIN_MPC_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nng_mpc.h"

#define MPC_AUDIT_HASH_LEN   32 /* SHA-256 */
#define MPC_AUDIT_HEX_LEN    64 /* its lowercase hex, without NUL */
#define MPC_AUDIT_KEY_LEN    32 /* sealing key (HMAC-SHA256 / HKDF) */
#define MPC_AUDIT_LOGID_LEN  16 /* random log ID */
#define MPC_AUDIT_GENESIS    "nng-mpc audit v1 genesis "
#define MPC_AUDIT_RATCHET    "nng-mpc audit seal ratchet"
#define MPC_AUDIT_MAC_LABEL  "nng-mpc audit seal mac v1"
#define MPC_AUDIT_SEAL_FILE  "audit.seal"
#define MPC_AUDIT_VERIFY_FILE "audit.verify"
/* Longest line written or accepted: every string field at its cap, each
 * byte escaped as \u00XX (6 bytes), fits with room to spare. */
#define MPC_AUDIT_LINE_MAX   16384

/* ---- mpc_audit_seal.c: stateless helpers and key files ---------------- */

/* out = lowercase hex of n bytes (2n chars + NUL). */
void mpc_audit_hex(char *out, const uint8_t *in, size_t n);
/* Strict lowercase/uppercase hex of exactly n bytes; false otherwise. */
bool mpc_audit_unhex(uint8_t *out, size_t n, const char *hex)
    __attribute__((warn_unused_result));

/* SHA-256 of len bytes; 0 or NNG_MPC_ECRYPTO. */
int mpc_audit_sha256(uint8_t out[MPC_AUDIT_HASH_LEN], const void *p,
    size_t len) __attribute__((warn_unused_result));

/* The first line's prev: SHA-256(MPC_AUDIT_GENESIS || hex(log_id)). */
int mpc_audit_genesis(uint8_t out[MPC_AUDIT_HASH_LEN],
    const uint8_t log_id[MPC_AUDIT_LOGID_LEN])
    __attribute__((warn_unused_result));

/*
 * The seal MAC: HMAC-SHA256(k_epoch, MAC_LABEL || log_id || be64 epoch ||
 * be64 seq || head), seq the seal record's own seq, head the hash of the
 * line before it (its prev).
 */
int mpc_audit_seal_mac(uint8_t mac[MPC_AUDIT_HASH_LEN],
    const uint8_t key[MPC_AUDIT_KEY_LEN],
    const uint8_t log_id[MPC_AUDIT_LOGID_LEN], uint64_t epoch, uint64_t seq,
    const uint8_t head[MPC_AUDIT_HASH_LEN]) __attribute__((warn_unused_result));

/* key = HKDF-Expand(key, MPC_AUDIT_RATCHET, 32) in place (RFC 5869 2.3; the
 * key is already uniform, so no Extract).  The old key is wiped. */
int mpc_audit_ratchet(uint8_t key[MPC_AUDIT_KEY_LEN])
    __attribute__((warn_unused_result));

/* The sealing state as kept in audit.seal. */
struct mpc_audit_state {
	uint8_t  log_id[MPC_AUDIT_LOGID_LEN];
	uint64_t epoch;
	uint8_t  key[MPC_AUDIT_KEY_LEN];
};

/* Creates DIR (0700 if missing) and writes DIR/audit.seal (epoch 0, 0600)
 * and DIR/audit.verify (log ID and k_0, 0600), never replacing existing
 * files unless force.  0, NNG_EEXIST, NNG_EINVAL, NNG_ENOMEM or an
 * errno-derived NNG error (nng_mpc_strerror tells). */
int mpc_audit_keygen(const char *dir, bool force, char *msg, size_t msgsz)
    __attribute__((warn_unused_result));

/* Reads a seal state file (kind "seal") or a verify file (kind "verify":
 * epoch 0, k_0).  0 or NNG_MPC_EAUDITKEY with msg saying why. */
int mpc_audit_state_load(struct mpc_audit_state *st, const char *path,
    bool verify_file, char *msg, size_t msgsz)
    __attribute__((warn_unused_result));

/* Rewrites the seal state file atomically (temp file 0600, fsync, rename,
 * fsync of the directory).  0 or NNG_MPC_EAUDITKEY. */
int mpc_audit_state_save(const struct mpc_audit_state *st, const char *path)
    __attribute__((warn_unused_result));

/* ---- mpc_audit_json.c: records -------------------------------------- */

enum mpc_audit_kind {
	MPC_AUDIT_REC_OPEN,      /* log opened or resumed */
	MPC_AUDIT_REC_FILE,      /* first record of a rotated-to file */
	MPC_AUDIT_REC_SEAL,      /* checkpoint */
	MPC_AUDIT_REC_LOST,      /* records dropped on overflow */
	MPC_AUDIT_REC_CLOSE,     /* log closed */
	MPC_AUDIT_REC_HANDSHAKE, /* the transport's events, in order */
	MPC_AUDIT_REC_REFUSED,
	MPC_AUDIT_REC_PIPE_CLOSED,
	MPC_AUDIT_REC_REPLACED,
	MPC_AUDIT_REC_REKEY,
	MPC_AUDIT_REC_REJECTS,
	MPC_AUDIT_REC_ADMISSION,
	MPC_AUDIT_REC_CONFIG,
};

/* Caps of the copied strings (a longer value is cut, never overflowing). */
#define MPC_AUDIT_URL_MAX     256
#define MPC_AUDIT_REMOTE_MAX  128
#define MPC_AUDIT_SUBJECT_MAX 256
#define MPC_AUDIT_TLS_MAX     64
#define MPC_AUDIT_DETAIL_MAX  1024

/* One queued record: a copy, owning no pointers. */
struct mpc_audit_rec {
	enum mpc_audit_kind kind;
	int64_t  ts_sec; /* CLOCK_REALTIME when the event happened */
	long     ts_nsec;
	bool     dialer;
	bool     binding;
	bool     has_pin;
	uint32_t self;
	uint32_t party;
	int      reason;
	uint64_t epoch;       /* REKEY, SEAL */
	uint64_t duration_ns; /* HANDSHAKE */
	uint64_t number;      /* LOST: count; SEAL: records in the epoch;
	                         FILE: part number of the previous file */
	uint64_t counts[7];   /* frames_in/out, bytes_in/out, rejected,
	                         auth_failures, replays */
	uint8_t  pin[32];
	uint8_t  mac[MPC_AUDIT_HASH_LEN]; /* SEAL */
	char     url[MPC_AUDIT_URL_MAX];
	char     remote[MPC_AUDIT_REMOTE_MAX];
	char     subject[MPC_AUDIT_SUBJECT_MAX];
	char     tls_version[MPC_AUDIT_TLS_MAX];
	char     tls_cipher[MPC_AUDIT_TLS_MAX];
	char     detail[MPC_AUDIT_DETAIL_MAX]; /* CONFIG; OPEN/FILE text */
};

/* The event name written for a kind ("handshake", "seal", ...). */
const char *mpc_audit_kind_name(enum mpc_audit_kind k);

/*
 * Formats rec as one JSON line (no newline) with seq and prev into buf.
 * Returns the length, or 0 when the line would not fit (or json-c failed).
 */
size_t mpc_audit_json_line(char *buf, size_t bufsz,
    const struct mpc_audit_rec *rec, uint64_t seq,
    const uint8_t prev[MPC_AUDIT_HASH_LEN]);

/* ---- mpc_audit_log.c: the sink (thread-safe) ------------------------- */

/* Takes a fresh reference on the log; mpc_audit_log_rele() drops one and
 * closes (seals, flushes, joins the writer) at the last. */
void mpc_audit_log_hold(nng_mpc_audit *log);
void mpc_audit_log_rele(nng_mpc_audit *log);

/* Queues a copy of rec, stamped with the time here; never blocks on I/O:
 * when the queue is full the record is counted as lost. */
void mpc_audit_log_put(nng_mpc_audit *log, const struct mpc_audit_rec *rec);

/* ---- mpc_audit_observer.c: the transport's observer ---------------- */

struct mpc_tran_observer_ops; /* transport/mpc_tran_event.h */

/* The ops table (the same pointer every call). */
const struct mpc_tran_observer_ops *mpc_audit_observer_ops(void);
/* NNG_MPC_AUDIT_FILE (with NNG_MPC_AUDIT_KEY_FILE): 0 and *sink NULL when
 * unset, 0 and *sink held once, or ev_open's error. */
int mpc_audit_env_open(void **sink) __attribute__((warn_unused_result));

/* ---- mpc_audit_verify.c: the verifier ------------------------------ */

struct mpc_audit_verify_opts {
	const char *const *files; /* oldest first: FILE.1 FILE.2 ... FILE */
	size_t             nfiles;
	bool               live;        /* an unsealed tail is a warning */
	bool               have_expect_seq;
	uint64_t           expect_seq;  /* the log must reach this seq */
	const char *       expect_head; /* hex hash of the line with expect_seq
	                                   (or of the last line without it) */
};

struct mpc_audit_verify_result {
	uint64_t records;   /* lines checked */
	uint64_t seals;     /* seals verified */
	uint64_t last_seq;  /* seq of the last line */
	uint64_t last_epoch;
	uint64_t unsealed;  /* records after the last seal */
	uint8_t  head[MPC_AUDIT_HASH_LEN]; /* hash of the last line */
	char     where[512]; /* "FILE:LINE" of the first problem */
	char     what[512];  /* what is wrong there */
};

/* 0 when everything verified; NNG_MPC_EAUDITBAD with where/what set;
 * another code for I/O trouble (also with what set). */
int mpc_audit_verify(const struct mpc_audit_state *key0,
    const struct mpc_audit_verify_opts *o, struct mpc_audit_verify_result *r)
    __attribute__((warn_unused_result));

/* A state file for the verifier: "seq N\nhead HEX\n". */
int mpc_audit_vstate_load(const char *path, uint64_t *seq,
    char head[MPC_AUDIT_HEX_LEN + 1], char *msg, size_t msgsz)
    __attribute__((warn_unused_result));
int mpc_audit_vstate_save(const char *path, uint64_t seq,
    const uint8_t head[MPC_AUDIT_HASH_LEN])
    __attribute__((warn_unused_result));

#endif /* NNG_MPC_PLUGIN_MPC_AUDIT_H */
