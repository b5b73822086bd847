/*
 * bench_metrics.c -- what metrics cost: a histogram observation (ns) next
 * to the cheapest counter there is (one relaxed atomic add, what NNG's
 * atomic statistics cost), alone and with two threads on one histogram;
 * and a scrape (µs) with N pipes open: NNG's snapshot alone
 * (nng_stats_get + nng_stats_free, the floor), the page rendered, and a
 * whole GET /metrics over loopback.  Prints a table; never a test.
 *
 *   bench_metrics [MAX_PIPE_PAIRS]   (default 250: 500 pipes)
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <nng/nng.h>
#include <nng/protocol/bus0/bus.h>

#include "metrics_util.h"
#include "mpc_hist.h"
#include "mpc_metrics.h"

#define B_OBSERVES 20000000u
#define B_SCRAPES  200

static uint64_t
b_now(void)
{
	struct timespec ts;

	(void) clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec);
}

static _Atomic uint64_t b_counter;

static void *
b_observe(void *arg)
{
	for (uint32_t i = 0; i < B_OBSERVES; i++) {
		mpc_hist_observe(arg, (i * 7919u) % 2000000u);
	}
	return (NULL);
}

static void *
b_count(void *arg)
{
	(void) arg;
	for (uint32_t i = 0; i < B_OBSERVES; i++) {
		atomic_fetch_add_explicit(&b_counter, 1, memory_order_relaxed);
	}
	return (NULL);
}

/* ns per operation of fn on `threads` threads (each B_OBSERVES ops). */
static double
b_threads(void *(*fn)(void *), void *arg, int threads)
{
	pthread_t th[2];
	uint64_t  t0 = b_now();

	for (int i = 0; i < threads; i++) {
		(void) pthread_create(&th[i], NULL, fn, arg);
	}
	for (int i = 0; i < threads; i++) {
		(void) pthread_join(th[i], NULL);
	}
	return ((double) (b_now() - t0) / B_OBSERVES);
}

static int
b_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;

	return (x < y ? -1 : x > y);
}

enum b_what { B_SNAPSHOT, B_RENDER, B_HTTP };

/* Median µs of one scrape step. */
static double
b_scrape(enum b_what what, int port, size_t *bytes)
{
	uint64_t t[B_SCRAPES];

	for (int i = 0; i < B_SCRAPES; i++) {
		uint64_t       t0 = b_now();
		nng_stat      *st;
		mpc_prom_buf   b;
		struct mu_http r;

		switch (what) {
		case B_SNAPSHOT:
			if (nng_stats_get(&st) == 0) {
				nng_stats_free(st);
			}
			break;
		case B_RENDER:
			mpc_prom_buf_init(&b);
			if (mpc_metrics_render(&b) == 0) {
				*bytes = b.len;
			}
			mpc_prom_buf_fini(&b);
			break;
		case B_HTTP:
			if (mu_http(port, "GET", "/metrics", &r)) {
				mu_http_free(&r);
			}
			break;
		}
		t[i] = b_now() - t0;
	}
	qsort(t, B_SCRAPES, sizeof(t[0]), b_cmp);
	return ((double) t[B_SCRAPES / 2] / 1000.0);
}

int
main(int argc, char **argv)
{
	static const int steps[] = { 0, 5, 50, 250, 1000 };
	int              max   = argc > 1 ? atoi(argv[1]) : 250;
	nng_socket       hub, *spokes;
	nng_mpc_metrics *m;
	mpc_hist        *h;
	nng_listener     l;
	char             url[64];
	int              open = 0, port = 0;

	if (mpc_hist_get(&mpc_hist_delivery_delay_seconds, "bench", &h) != 0 ||
	    (spokes = calloc((size_t) max + 1, sizeof(*spokes))) == NULL) {
		return (1);
	}
	printf("observe (ns/op, %u ops per thread)\n", B_OBSERVES);
	printf("  %-34s %8s %8s\n", "", "1 thread", "2 threads");
	printf("  %-34s %8.2f %8.2f\n", "atomic counter add (baseline)",
	    b_threads(b_count, NULL, 1), b_threads(b_count, NULL, 2));
	printf("  %-34s %8.2f %8.2f\n", "mpc_hist_observe (12 buckets)",
	    b_threads(b_observe, h, 1), b_threads(b_observe, h, 2));

	if (nng_bus0_open(&hub) != 0 ||
	    nng_listen(hub, "tcp://127.0.0.1:0", &l, 0) != 0 ||
	    nng_listener_get_int(l, NNG_OPT_TCP_BOUND_PORT, &port) != 0 ||
	    nng_mpc_metrics_start("127.0.0.1:0", &m) != 0) {
		return (1);
	}
	(void) snprintf(url, sizeof(url), "tcp://127.0.0.1:%d", port);
	printf("\nscrape (median us of %d, tcp:// pipes, both ends in this "
	       "process)\n",
	    B_SCRAPES);
	printf("  %6s %9s %10s %10s %10s\n", "pipes", "page KiB",
	    "snapshot", "render", "GET");
	for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
		size_t bytes = 0;
		double snap, rend, get;

		if (steps[s] > max) {
			break;
		}
		while (open < steps[s]) {
			if (nng_bus0_open(&spokes[open]) != 0 ||
			    nng_dial(spokes[open], url, NULL, 0) != 0) {
				return (1);
			}
			open++;
		}
		/* Let the hub's side of the last pipes start. */
		(void) nanosleep(&(struct timespec) { .tv_nsec = 200000000L },
		    NULL);
		snap = b_scrape(B_SNAPSHOT, 0, &bytes);
		rend = b_scrape(B_RENDER, 0, &bytes);
		get  = b_scrape(B_HTTP, nng_mpc_metrics_port(m), &bytes);
		printf("  %6d %9.1f %10.1f %10.1f %10.1f\n", 2 * steps[s],
		    (double) bytes / 1024, snap, rend, get);
	}
	nng_mpc_metrics_stop(m);
	return (0);
}
