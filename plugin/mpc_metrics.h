/*
 * mpc_metrics.h -- the /metrics page: every NNG statistic of the process
 * (sockets, dialers, listeners, pipes; mpc_metrics_stats.c), the TLS
 * engine's counters and the registered histograms (mpc_metrics_hist.c), in
 * the Prometheus text exposition format 0.0.4 (mpc_prom.h).
 *
 * Threading: each call renders into the caller's buffer from a fresh
 * snapshot (nng_stats_get(), atomic reads); callable from any thread, any
 * number at once.
 */
#ifndef MPC_METRICS_H
#define MPC_METRICS_H

#include <nng/nng.h>

#include "nng_mpc.h"

#include "mpc_prom.h"

/* Content-Type of the page (format 0.0.4). */
#define MPC_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* The whole page.  Returns 0, NNG_ENOMEM, or nng_stats_get()'s error. */
int mpc_metrics_render(mpc_prom_buf *b) __attribute__((warn_unused_result));

/* The families of one statistics tree (root: as nng_stats_get() returns
 * it).  Returns 0 or NNG_ENOMEM. */
int mpc_metrics_render_stats(nng_stat *root, mpc_prom_buf *b)
    __attribute__((warn_unused_result));

/* The TLS engine's families from one copy of its counters. */
void mpc_metrics_render_tls(const nng_mpc_tls_stats *st, mpc_prom_buf *b);

/* Every registered histogram, grouped by family. */
void mpc_metrics_render_hists(mpc_prom_buf *b);

#endif /* MPC_METRICS_H */
