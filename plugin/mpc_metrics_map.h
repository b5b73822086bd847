/*
 * mpc_metrics_map.h -- how NNG statistics become Prometheus families: the
 * tables the renderer (mpc_metrics.c) consults, in one place, so a new
 * statistic of the transport slots in with a table row.
 *
 * Every statistic of a socket, dialer, listener or pipe (a child of one of
 * the scopes nng_stats_get() returns) is one of:
 *   a label     IDs (NNG_STAT_ID) and the rows of mpc_metrics_labels[]:
 *               they name the object on every sample of it;
 *   a value     NNG_STAT_COUNTER / NNG_STAT_LEVEL: one sample, named by the
 *               first matching row of mpc_metrics_rules[], else by default
 *               "nngmpc_<scope>_<stat>[_bytes|_seconds][_total]";
 *   a flag      NNG_STAT_BOOLEAN: a gauge 0/1 named by default;
 *   an info     other NNG_STAT_STRING: a label of the object's
 *               "nngmpc_<scope>_info" series (value 1).
 *
 * Threading: constant tables and pure functions.
 */
#ifndef MPC_METRICS_MAP_H
#define MPC_METRICS_MAP_H

#include <stddef.h>

#include "mpc_prom.h"

/* The kinds of object NNG 1.5.2 registers statistics for. */
enum mpc_metrics_scope {
	MPC_METRICS_SOCKET   = 1u << 0,
	MPC_METRICS_DIALER   = 1u << 1,
	MPC_METRICS_LISTENER = 1u << 2,
	MPC_METRICS_PIPE     = 1u << 3,
	MPC_METRICS_OTHER    = 1u << 4, /* a scope this table does not know */
};
#define MPC_METRICS_ENDPOINT (MPC_METRICS_DIALER | MPC_METRICS_LISTENER)
#define MPC_METRICS_ANY      0u

/* The label a statistic of an object becomes. */
struct mpc_metrics_label {
	const char *stat;  /* statistic name */
	const char *label; /* label name; NULL: the scope's name ("id") */
};

/* Label names in the order they are written; an object's labels beyond
 * these (other ID statistics) follow in tree order. */
extern const struct mpc_metrics_label mpc_metrics_labels[];
extern const size_t                   mpc_metrics_nlabels;

/* The label derived from a "url" label: the URL's scheme. */
#define MPC_METRICS_SCHEME_LABEL "scheme"

struct mpc_metrics_rule {
	unsigned    scopes; /* mpc_metrics_scope bits; MPC_METRICS_ANY: all */
	const char *stat;   /* statistic name, or a prefix ending in '*' */
	const char *family; /* full family name; NULL: the default name */
	const char *help;   /* NULL: the statistic's own description */
	enum mpc_prom_type type;  /* MPC_PROM_UNTYPED: from the NNG type */
	const char        *label; /* label carrying what '*' matched, or NULL */
};

/*
 * The first rule matching statistic `stat` of an object of `scope`, or
 * NULL.  *suffix receives what a trailing '*' matched ("" for an exact
 * row).
 */
const struct mpc_metrics_rule *mpc_metrics_rule_find(
    enum mpc_metrics_scope scope, const char *stat, const char **suffix);

/* The label row for statistic `stat`, or NULL. */
const struct mpc_metrics_label *mpc_metrics_label_find(const char *stat);

/* The scope of an NNG scope statistic's name ("socket" ...). */
enum mpc_metrics_scope mpc_metrics_scope_of(const char *name);

/* The process-wide TLS engine counters (nng_mpc_tls_stats_get()). */
struct mpc_metrics_tls_row {
	size_t      offset; /* of the uint64_t in nng_mpc_tls_stats */
	const char *family;
	const char *help;
	const char *label; /* NULL: no label */
	const char *value;
};
extern const struct mpc_metrics_tls_row mpc_metrics_tls_rows[];
extern const size_t                     mpc_metrics_ntls_rows;

#endif /* MPC_METRICS_MAP_H */
