/*
 * mpc_tran_event.h -- what the transport tells an observer (the audit log,
 * diagnostics, metrics) about connections: one record per event, filled by
 * the transport and read-only for the observer.
 *
 * Data flows one way: the transport defines this interface and calls it;
 * the plugin implements it (plugin/mpc_audit*.c) and registers it once with
 * mpc_tran_observer_set().  Nothing here includes NNG's internal headers,
 * so the observer is compiled against the public API only.
 *
 * Threading: the transport calls ev_event on its own threads, sometimes
 * with transport locks held: an observer must not block (queue the record
 * and return), must not call back into NNG for the same socket, and must
 * copy what it keeps (every pointer in the record is valid only during
 * the call).  ev_open/ev_hold/ev_rele are called without transport locks.
 */
#ifndef NNG_MPC_TRANSPORT_MPC_TRAN_EVENT_H
#define NNG_MPC_TRANSPORT_MPC_TRAN_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "nng_mpc.h"

typedef enum mpc_tran_event_kind {
	MPC_TRAN_EV_HANDSHAKE,  /* keys confirmed: a pipe is coming up */
	MPC_TRAN_EV_REFUSED,    /* a connection refused (reason), any stage */
	MPC_TRAN_EV_PIPE_CLOSED,/* a pipe ended (reason, counters) */
	MPC_TRAN_EV_REPLACED,   /* an older pipe of the same party replaced */
	MPC_TRAN_EV_REKEY,      /* a key epoch changed (epoch) */
	MPC_TRAN_EV_REJECTS,    /* frames rejected on a pipe since the last
	                           such event (aggregated, never per frame) */
	MPC_TRAN_EV_ADMISSION,  /* an admission action (reason) */
	MPC_TRAN_EV_CONFIG,     /* an endpoint's effective configuration */
} mpc_tran_event_kind;

/* Per-pipe counters carried by PIPE_CLOSED and REJECTS. */
struct mpc_tran_event_counts {
	uint64_t frames_in;
	uint64_t frames_out;
	uint64_t bytes_in;
	uint64_t bytes_out;
	uint64_t rejected; /* every frame refused, whatever the reason */
	uint64_t auth_failures;
	uint64_t replays;
};

struct mpc_tran_event {
	mpc_tran_event_kind kind;
	const char *        url;      /* the endpoint's mpc+* URL */
	bool                dialer;   /* the endpoint dials (else listens) */
	uint32_t            self;     /* our party ID (0 if not yet known) */
	uint32_t            party;    /* the peer's party ID, 0 if unknown */
	const char *        remote;   /* "addr:port" or ipc path, or "" */
	int                 reason;   /* an NNG or NNG_MPC_E* code; 0 if none */
	const char *        subject;  /* peer certificate subject, or "" */
	const uint8_t *     pin;      /* SHA-256 of the peer's SPKI, or NULL */
	const char *        tls_version; /* "" without TLS */
	const char *        tls_cipher;  /* "" without TLS */
	bool                binding;  /* keys bound to the TLS exporter */
	uint64_t            epoch;    /* REKEY: the new send epoch */
	uint64_t            duration_ns; /* HANDSHAKE: accept/dial to keys */
	struct mpc_tran_event_counts counts;
	const char *        detail;   /* CONFIG: "key=value ..." text; else "" */
};

/*
 * The observer.  ev_open makes a sink from an NNG_OPT_MPC_AUDIT_FILE value
 * (a path) and returns it held once, or NULL (*rv says why); ev_hold and
 * ev_rele count references (an endpoint holds its sink while it exists);
 * ev_event hands over one record, with the sink of the endpoint it
 * happened on -- NULL when that endpoint has none: an observer that
 * reports process-wide (diagnostics on stderr) sees every event, an audit
 * log only those of the endpoints it is attached to.
 */
struct mpc_tran_observer_ops {
	void *(*ev_open)(const char *path, int *rv);
	void (*ev_hold)(void *sink);
	void (*ev_rele)(void *sink);
	void (*ev_event)(void *sink, const struct mpc_tran_event *ev);
};

/* Registers the process's observer (NULL: none).  Called once by the
 * plugin's registration, before any endpoint exists. */
void mpc_tran_observer_set(const struct mpc_tran_observer_ops *ops);

/* The registered observer, or NULL. */
const struct mpc_tran_observer_ops *mpc_tran_observer_get(void);

#endif /* NNG_MPC_TRANSPORT_MPC_TRAN_EVENT_H */
