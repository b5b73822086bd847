/*
 * mpc_metrics.c -- the /metrics page (mpc_metrics.h): the statistics
 * tree's families, then the TLS engine's, then the histograms'.  Their
 * family names never overlap (nngmpc_<scope>_*, the rule table's,
 * nngmpc_tls_*, the histogram families'), so each family is one group.
 *
 * Threading: see mpc_metrics.h.
 */
#include <stdint.h>
#include <string.h>

#include "mpc_metrics.h"
#include "mpc_metrics_map.h"

void
mpc_metrics_render_tls(const nng_mpc_tls_stats *st, mpc_prom_buf *b)
{
	const char *family = NULL;

	for (size_t i = 0; i < mpc_metrics_ntls_rows; i++) {
		const struct mpc_metrics_tls_row *r = &mpc_metrics_tls_rows[i];
		uint64_t                          v;
		bool                              first = true;

		memcpy(&v, (const char *) st + r->offset, sizeof(v));
		if (family == NULL || strcmp(family, r->family) != 0) {
			family = r->family;
			mpc_prom_put_family(b, family, MPC_PROM_COUNTER, r->help);
		}
		mpc_prom_puts(b, family);
		if (r->label != NULL) {
			mpc_prom_puts(b, "{");
			mpc_prom_put_label(b, &first, r->label, r->value);
			mpc_prom_puts(b, "}");
		}
		mpc_prom_printf(b, " %llu\n", (unsigned long long) v);
	}
}

int
mpc_metrics_render(mpc_prom_buf *b)
{
	nng_mpc_tls_stats tls;
	nng_stat         *root;
	int               rv;

	if ((rv = nng_stats_get(&root)) != 0) {
		return (rv);
	}
	rv = mpc_metrics_render_stats(root, b);
	nng_stats_free(root);
	if (rv != 0) {
		return (rv);
	}
	nng_mpc_tls_stats_get(&tls);
	mpc_metrics_render_tls(&tls, b);
	mpc_metrics_render_hists(b);
	return (mpc_prom_buf_error(b));
}
