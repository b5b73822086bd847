/*
 * mpc_metrics_hist.c -- the registered histograms (mpc_hist.h) as
 * Prometheus histogram families: per label value, cumulative
 * <name>_bucket{<label>="...",le="<bound>"} lines ending with le="+Inf",
 * then <name>_sum (base units, exact decimal) and <name>_count.
 *
 * Threading: lock-free reads of the registry (mpc_hist.h); any thread.
 */
#include <stdbool.h>
#include <stddef.h>

#include "mpc_hist.h"
#include "mpc_metrics.h"

static void
mpc_metrics_hist_one(mpc_prom_buf *b, const mpc_hist_snap *s)
{
	const mpc_hist_family *fam = s->fam;
	uint64_t               cum = 0;

	for (size_t i = 0; i <= fam->nbounds; i++) {
		bool first = true;

		cum += s->buckets[i];
		mpc_prom_put_name(b, fam->name);
		mpc_prom_puts(b, "_bucket{");
		mpc_prom_put_label(b, &first, fam->label, s->value);
		mpc_prom_puts(b, ",le=\"");
		if (i < fam->nbounds) {
			mpc_prom_put_scaled(b, fam->bounds[i], fam->scale);
		} else {
			mpc_prom_puts(b, "+Inf");
		}
		mpc_prom_printf(b, "\"} %llu\n", (unsigned long long) cum);
	}
	for (int part = 0; part < 2; part++) {
		bool first = true;

		mpc_prom_put_name(b, fam->name);
		mpc_prom_puts(b, part == 0 ? "_sum{" : "_count{");
		mpc_prom_put_label(b, &first, fam->label, s->value);
		mpc_prom_puts(b, "} ");
		if (part == 0) {
			mpc_prom_put_scaled(b, s->sum, fam->scale);
		} else {
			mpc_prom_printf(
			    b, "%llu", (unsigned long long) s->count);
		}
		mpc_prom_puts(b, "\n");
	}
}

void
mpc_metrics_render_hists(mpc_prom_buf *b)
{
	size_t n = mpc_hist_count();

	/* Families in order of first registration; at most MPC_HIST_MAX
	 * histograms, so the quadratic grouping stays small. */
	for (size_t i = 0; i < n; i++) {
		const mpc_hist_family *fam = mpc_hist_family_of(mpc_hist_at(i));
		bool                   seen = false;

		for (size_t j = 0; j < i && !seen; j++) {
			seen = (mpc_hist_family_of(mpc_hist_at(j)) == fam);
		}
		if (seen) {
			continue;
		}
		mpc_prom_put_family(b, fam->name, MPC_PROM_HISTOGRAM, fam->help);
		for (size_t j = i; j < n; j++) {
			mpc_hist_snap s;

			if (mpc_hist_family_of(mpc_hist_at(j)) == fam) {
				mpc_hist_read(mpc_hist_at(j), &s);
				mpc_metrics_hist_one(b, &s);
			}
		}
	}
}
