/*
 * mpc_metrics_map.c -- the NNG statistic → Prometheus family tables
 * (mpc_metrics_map.h explains the classes).
 *
 * Threading: constant tables and pure functions.
 */
#include <stddef.h>
#include <string.h>

#include "nng_mpc.h"

#include "mpc_metrics_map.h"

/*
 * Labels, in output order.  NNG 1.5.2 names a socket, dialer, listener and
 * pipe by an "id" statistic, and the objects it belongs to by "socket",
 * "dialer" and "listener" ID statistics (src/core/socket.c, dialer.c,
 * listener.c, pipe.c); endpoints carry their "url".  The transport's party
 * statistics name the parties of an endpoint or pipe.
 */
const struct mpc_metrics_label mpc_metrics_labels[] = {
	{ .stat = "socket", .label = "socket" },
	{ .stat = "dialer", .label = "dialer" },
	{ .stat = "listener", .label = "listener" },
	{ .stat = "id", .label = NULL },
	{ .stat = "url", .label = "url" },
	{ .stat = "mpc_party", .label = "party" },
	{ .stat = "mpc_peer_party", .label = "peer_party" },
};
const size_t mpc_metrics_nlabels =
    sizeof(mpc_metrics_labels) / sizeof(mpc_metrics_labels[0]);

/*
 * Value rules, first match wins.  Reason and direction families gather a
 * statistic per reason into one family with the reason as a label, so a
 * query can sum or break down by it.  Overrides of NNG's own typing:
 *   listener "pipes"  NNG 1.5.2 registers it as NNG_STAT_COUNTER
 *                     (src/core/listener.c) but decrements it when a pipe
 *                     closes; a counter must never go down, so: gauge.
 */
static const struct mpc_metrics_rule mpc_metrics_rules[] = {
	{ .scopes = MPC_METRICS_LISTENER, .stat = "pipes",
	    .type = MPC_PROM_GAUGE },
	{ .scopes = MPC_METRICS_ENDPOINT, .stat = "mpc_handshakes",
	    .family = "nngmpc_handshakes_total",
	    .help = "Transport handshakes completed",
	    .type = MPC_PROM_COUNTER },
	{ .scopes = MPC_METRICS_ENDPOINT, .stat = "mpc_rej_*",
	    .family = "nngmpc_rejected_total",
	    .help = "Transport handshakes refused, by reason",
	    .type = MPC_PROM_COUNTER, .label = "reason" },
	{ .stat = "mpc_closed_*", .family = "nngmpc_pipes_closed_total",
	    .help = "Pipes the pipe filter closed (rate, dead, idle, "
	            "lifetime), by reason",
	    .type = MPC_PROM_COUNTER, .label = "reason" },
	{ .stat = "mpc_drop_*", .family = "nngmpc_frames_dropped_total",
	    .help = "Frames received and not delivered, by reason",
	    .type = MPC_PROM_COUNTER, .label = "reason" },
	{ .stat = "mpc_frames_*", .family = "nngmpc_frames_total",
	    .help = "Frames delivered (in) and written (out)",
	    .type = MPC_PROM_COUNTER, .label = "direction" },
	{ .stat = "mpc_bytes_*", .family = "nngmpc_payload_bytes_total",
	    .help = "Payload bytes delivered (in) and written (out)",
	    .type = MPC_PROM_COUNTER, .label = "direction" },
};

static const struct {
	const char            *name;
	enum mpc_metrics_scope scope;
} mpc_metrics_scopes[] = {
	{ "socket", MPC_METRICS_SOCKET },
	{ "dialer", MPC_METRICS_DIALER },
	{ "listener", MPC_METRICS_LISTENER },
	{ "pipe", MPC_METRICS_PIPE },
};

enum mpc_metrics_scope
mpc_metrics_scope_of(const char *name)
{
	for (size_t i = 0;
	     i < sizeof(mpc_metrics_scopes) / sizeof(mpc_metrics_scopes[0]);
	     i++) {
		if (strcmp(name, mpc_metrics_scopes[i].name) == 0) {
			return (mpc_metrics_scopes[i].scope);
		}
	}
	return (MPC_METRICS_OTHER);
}

const struct mpc_metrics_rule *
mpc_metrics_rule_find(
    enum mpc_metrics_scope scope, const char *stat, const char **suffix)
{
	for (size_t i = 0;
	     i < sizeof(mpc_metrics_rules) / sizeof(mpc_metrics_rules[0]);
	     i++) {
		const struct mpc_metrics_rule *r = &mpc_metrics_rules[i];
		size_t                         n = strlen(r->stat);

		if (r->scopes != MPC_METRICS_ANY && (r->scopes & scope) == 0) {
			continue;
		}
		if (n > 0 && r->stat[n - 1] == '*') {
			/* A prefix row needs a non-empty rest. */
			if (strncmp(stat, r->stat, n - 1) == 0 &&
			    stat[n - 1] != '\0') {
				*suffix = stat + n - 1;
				return (r);
			}
		} else if (strcmp(stat, r->stat) == 0) {
			*suffix = "";
			return (r);
		}
	}
	return (NULL);
}

const struct mpc_metrics_label *
mpc_metrics_label_find(const char *stat)
{
	for (size_t i = 0; i < mpc_metrics_nlabels; i++) {
		if (strcmp(stat, mpc_metrics_labels[i].stat) == 0) {
			return (&mpc_metrics_labels[i]);
		}
	}
	return (NULL);
}

/* Rows of one family are adjacent; the first row's help is the family's. */
#define MPC_TLS_ROW(field, fam, hlp, lbl, val)                              \
	{                                                                   \
		.offset = offsetof(nng_mpc_tls_stats, field), .family = (fam), \
		.help = (hlp), .label = (lbl), .value = (val)                \
	}
#define MPC_TLS_FAIL(field, reason)                                         \
	MPC_TLS_ROW(field, "nngmpc_tls_handshake_failures_total",           \
	    "TLS handshakes failed, by reason (each failure moves one)",     \
	    "reason", (reason))

const struct mpc_metrics_tls_row mpc_metrics_tls_rows[] = {
	MPC_TLS_ROW(hs_ok, "nngmpc_tls_handshakes_total",
	    "TLS handshakes of this process's engine, by result", "result",
	    "ok"),
	MPC_TLS_ROW(hs_failed, "nngmpc_tls_handshakes_total", NULL, "result",
	    "failed"),
	MPC_TLS_FAIL(untrusted, "untrusted"),
	MPC_TLS_FAIL(expired, "expired"),
	MPC_TLS_FAIL(revoked, "revoked"),
	MPC_TLS_FAIL(name_mismatch, "name_mismatch"),
	MPC_TLS_FAIL(no_peer_cert, "no_peer_cert"),
	MPC_TLS_FAIL(pin_mismatch, "pin_mismatch"),
	MPC_TLS_FAIL(party_malformed, "party_malformed"),
	MPC_TLS_FAIL(party_missing, "party_missing"),
	MPC_TLS_FAIL(bad_cert, "bad_cert"),
	MPC_TLS_FAIL(version, "version"),
	MPC_TLS_FAIL(no_cipher, "no_cipher"),
	MPC_TLS_FAIL(alert_rx, "alert_received"),
	MPC_TLS_FAIL(other, "other"),
	MPC_TLS_ROW(close_notify_tx, "nngmpc_tls_close_notify_total",
	    "TLS close_notify alerts, by direction", "direction", "sent"),
	MPC_TLS_ROW(close_notify_rx, "nngmpc_tls_close_notify_total", NULL,
	    "direction", "received"),
};
const size_t mpc_metrics_ntls_rows =
    sizeof(mpc_metrics_tls_rows) / sizeof(mpc_metrics_tls_rows[0]);
