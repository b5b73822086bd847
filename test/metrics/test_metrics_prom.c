/*
 * test_metrics_prom.c -- a real Prometheus scrapes the endpoint: two
 * mpc+tcp:// sockets exchange messages, Prometheus (Debian's prometheus
 * package, on 127.0.0.1, scrape interval 1 s) is started against the
 * endpoint, and its query API must report our series with the values the
 * test produced: message counters, the listener gauge, label values that
 * need escaping, the TLS families, and a histogram usable by
 * histogram_quantile().  Every wait is bounded; Prometheus is stopped at
 * the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "metrics_util.h"
#include "tran_util.h"

/* Prometheus is stopped by the teardown, so a failed assertion (which
 * leaves the test function) never leaves it running. */
static struct mu_prom prom;
static bool           prom_running;

static int
t_teardown(void **state)
{
	(void) state;
	if (prom_running) {
		prom_running = false;
		mu_prom_stop(&prom);
	}
	return (0);
}

static void
test_prometheus_scrapes(void **state)
{
	nng_mpc_metrics *m;
	struct mu_pair   p;
	char             esc[512], q[1024];

	(void) state;
	mu_pair_open(&p);
	mu_exchange(p.b, p.a, 25);
	mu_exchange(p.a, p.b, 3);

	TU_PASS(nng_mpc_metrics_start("127.0.0.1:0", &m));
	mu_prom_start(&prom, nng_mpc_metrics_port(m));
	prom_running = true;
	assert_true(mu_prom_wait_value(&prom, "up{job=\"nngmpc\"}", 1));

	(void) snprintf(q, sizeof(q), "nngmpc_socket_tx_msgs_total{socket=\"%d\"}",
	    nng_socket_id(p.b));
	assert_true(mu_prom_wait_value(&prom, q, 25));
	(void) snprintf(q, sizeof(q), "nngmpc_socket_rx_msgs_total{socket=\"%d\"}",
	    nng_socket_id(p.a));
	assert_true(mu_prom_wait_value(&prom, q, 25));
	(void) snprintf(q, sizeof(q),
	    "sum(nngmpc_pipe_rx_msgs_total{socket=\"%d\",scheme=\"mpc+tcp\"})",
	    nng_socket_id(p.b));
	assert_true(mu_prom_wait_value(&prom, q, 3));
	(void) snprintf(q, sizeof(q),
	    "nngmpc_listener_pipes{socket=\"%d\",scheme=\"mpc+tcp\"}",
	    nng_socket_id(p.a));
	assert_true(mu_prom_wait_value(&prom, q, 1));

	/* The escaped URL arrived as the exact string. */
	mu_escape(p.ipc, esc, sizeof(esc));
	(void) snprintf(q, sizeof(q),
	    "nngmpc_listener_pipes{url=\"%s\",scheme=\"mpc+ipc\"}", esc);
	assert_true(mu_prom_wait_value(&prom, q, 0));

	/* Every TLS failure reason is a series of one family. */
	assert_true(mu_prom_wait_value(&prom,
	    "count(nngmpc_tls_handshake_failures_total)", 13));
	/* The endpoint's own histogram: scrapes counted, quantiles work. */
	assert_true(mu_prom_wait_value(&prom,
	    "count(nngmpc_metrics_scrape_duration_seconds_count > 0)", 1));
	assert_true(mu_prom_wait_value(&prom,
	    "count(histogram_quantile(0.5, "
	    "nngmpc_metrics_scrape_duration_seconds_bucket) >= 0)",
	    1));

	/* Later scrapes follow the counters. */
	mu_exchange(p.b, p.a, 5);
	(void) snprintf(q, sizeof(q), "nngmpc_socket_tx_msgs_total{socket=\"%d\"}",
	    nng_socket_id(p.b));
	assert_true(mu_prom_wait_value(&prom, q, 30));

	(void) t_teardown(NULL);
	nng_mpc_metrics_stop(m);
	mu_pair_close(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_prometheus_scrapes, t_teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
