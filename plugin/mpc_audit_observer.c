/*
 * mpc_audit_observer.c -- the transport's observer (transport/
 * mpc_tran_event.h) on top of the audit sink: each event becomes one
 * queued record (a copy: the event's pointers live only during the call),
 * plus the socket option helper and the environment opener.
 *
 * No sealing state, no log: a path without NNG_MPC_AUDIT_KEY_FILE is
 * refused with NNG_MPC_EAUDITKEY rather than writing a log nobody can
 * trust.  A key file next to the log is not guessed either: the sealing
 * state is a secret whose place the operator chooses.
 *
 * Registration: the plugin's observer (plugin/mpc_observer.c) hands each
 * event with a sink to these ops, beside diagnostics.  A transport that
 * does not define mpc_tran_observer_set() links against the weak no-op
 * below, so the plugin works (with no transport events) either way.
 *
 * Threading: ev_event runs on transport threads, possibly under transport
 * locks: it formats nothing and touches no file, only copies into the
 * sink's queue (mpc_audit_log_put, one short mutex hold).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpc_audit.h"
#include "mpc_tran_event.h"

/* Fallback used only when the transport lacks an observer hook: the
 * transport's own (strong) definition replaces it at link time. */
__attribute__((weak)) void
mpc_tran_observer_set(const struct mpc_tran_observer_ops *ops)
{
	(void) ops;
}

static void
copy_str(char *dst, size_t sz, const char *src)
{
	size_t n;

	if (src == NULL) {
		dst[0] = '\0';
		return;
	}
	n = strnlen(src, sz - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static const enum mpc_audit_kind kind_map[] = {
	[MPC_TRAN_EV_HANDSHAKE]   = MPC_AUDIT_REC_HANDSHAKE,
	[MPC_TRAN_EV_REFUSED]     = MPC_AUDIT_REC_REFUSED,
	[MPC_TRAN_EV_PIPE_CLOSED] = MPC_AUDIT_REC_PIPE_CLOSED,
	[MPC_TRAN_EV_REPLACED]    = MPC_AUDIT_REC_REPLACED,
	[MPC_TRAN_EV_REKEY]       = MPC_AUDIT_REC_REKEY,
	[MPC_TRAN_EV_REJECTS]     = MPC_AUDIT_REC_REJECTS,
	[MPC_TRAN_EV_ADMISSION]   = MPC_AUDIT_REC_ADMISSION,
	[MPC_TRAN_EV_CONFIG]      = MPC_AUDIT_REC_CONFIG,
};

static void
audit_ev_event(void *sink, const struct mpc_tran_event *ev)
{
	struct mpc_audit_rec rec;

	if (sink == NULL || ev == NULL ||
	    (unsigned) ev->kind >= sizeof(kind_map) / sizeof(kind_map[0])) {
		return;
	}
	/* Only the header fields; the strings are copied below. */
	memset(&rec, 0, offsetof(struct mpc_audit_rec, url));
	rec.kind        = kind_map[ev->kind];
	rec.dialer      = ev->dialer;
	rec.binding     = ev->binding;
	rec.self        = ev->self;
	rec.party       = ev->party;
	rec.reason      = ev->reason;
	rec.epoch       = ev->epoch;
	rec.duration_ns = ev->duration_ns;
	rec.counts[0]   = ev->counts.frames_in;
	rec.counts[1]   = ev->counts.frames_out;
	rec.counts[2]   = ev->counts.bytes_in;
	rec.counts[3]   = ev->counts.bytes_out;
	rec.counts[4]   = ev->counts.rejected;
	rec.counts[5]   = ev->counts.auth_failures;
	rec.counts[6]   = ev->counts.replays;
	if (ev->pin != NULL) {
		rec.has_pin = true;
		memcpy(rec.pin, ev->pin, sizeof(rec.pin));
	}
	copy_str(rec.url, sizeof(rec.url), ev->url);
	copy_str(rec.remote, sizeof(rec.remote), ev->remote);
	copy_str(rec.subject, sizeof(rec.subject), ev->subject);
	copy_str(rec.tls_version, sizeof(rec.tls_version), ev->tls_version);
	copy_str(rec.tls_cipher, sizeof(rec.tls_cipher), ev->tls_cipher);
	copy_str(rec.detail, sizeof(rec.detail), ev->detail);
	mpc_audit_log_put(sink, &rec);
}

static void *
audit_ev_open(const char *path, int *rv)
{
	const char *   key = getenv("NNG_MPC_AUDIT_KEY_FILE");
	nng_mpc_audit *log = NULL;

	if (key == NULL || key[0] == '\0') {
		(void) fprintf(stderr,
		    "nng-mpc: audit log %s refused: no sealing state "
		    "(set NNG_MPC_AUDIT_KEY_FILE to the audit.seal that "
		    "'nngmpc audit keygen' wrote)\n",
		    path != NULL ? path : "(null)");
		*rv = NNG_MPC_EAUDITKEY;
		return (NULL);
	}
	*rv = nng_mpc_audit_open(&log, path, key, NULL);
	return (log);
}

static void
audit_ev_hold(void *sink)
{
	mpc_audit_log_hold(sink);
}

static void
audit_ev_rele(void *sink)
{
	mpc_audit_log_rele(sink);
}

static const struct mpc_tran_observer_ops audit_observer_ops = {
	.ev_open  = audit_ev_open,
	.ev_hold  = audit_ev_hold,
	.ev_rele  = audit_ev_rele,
	.ev_event = audit_ev_event,
};

const struct mpc_tran_observer_ops *
mpc_audit_observer_ops(void)
{
	return (&audit_observer_ops);
}

/*
 * For the transport's environment code: NNG_MPC_AUDIT_FILE names a log
 * every mpc+* endpoint writes to.  0 with *sink NULL when it is unset;
 * 0 with *sink held once; or the error of ev_open.
 */
int
mpc_audit_env_open(void **sink)
{
	const char *path = getenv("NNG_MPC_AUDIT_FILE");
	int         rv   = 0;

	*sink = NULL;
	if (path == NULL || path[0] == '\0') {
		return (0);
	}
	*sink = audit_ev_open(path, &rv);
	return (rv);
}

/*
 * NNG 1.5.2 keeps a socket option for future endpoints only if a current
 * one accepted it (nng_mpc_socket_set() in transport/mpc_tran_sockopt.c
 * explains), so, as there, a never-started placeholder dialer takes the
 * option first; every later dialer and listener gets it from NNG.
 */
#define AUDIT_PLACEHOLDER_URL "mpc+tls+tcp://127.0.0.1:1"

int
nng_mpc_audit_attach(nng_socket s, nng_mpc_audit *log)
{
	nng_dialer d;
	int        rv;

	if (log == NULL) {
		return (NNG_EINVAL);
	}
	if ((rv = nng_dialer_create(&d, s, AUDIT_PLACEHOLDER_URL)) != 0) {
		return (rv);
	}
	rv = nng_socket_set_ptr(s, NNG_OPT_MPC_AUDIT, log);
	(void) nng_dialer_close(d);
	return (rv);
}
