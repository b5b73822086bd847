/*
 * test_metrics_http.c -- the metrics endpoint over real HTTP: status codes
 * and Content-Type, address errors, a port already taken, and the page of
 * real mpc+tcp:// sockets that exchanged messages: the counters match what
 * was sent, label values are escaped, and Prometheus's own checker
 * (promtool check metrics) accepts the page.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "metrics_util.h"
#include "tran_util.h"

#define T_CTYPE "text/plain; version=0.0.4; charset=utf-8"

static void
test_endpoint(void **state)
{
	nng_mpc_metrics *m;
	struct mu_http   r;
	int              port;

	(void) state;
	tu_register();
	TU_PASS(nng_mpc_metrics_start("127.0.0.1:0", &m));
	assert_true((port = nng_mpc_metrics_port(m)) > 0);

	assert_true(mu_http(port, "GET", "/metrics", &r));
	assert_int_equal(r.status, 200);
	assert_non_null(r.content_type);
	assert_string_equal(r.content_type, T_CTYPE);
	assert_non_null(strstr(r.body,
	    "# TYPE nngmpc_tls_handshakes_total counter\n"));
	mu_http_free(&r);

	/* HEAD: the headers of GET, no body. */
	assert_true(mu_http(port, "HEAD", "/metrics", &r));
	assert_int_equal(r.status, 200);
	assert_int_equal(r.body_len, 0);
	mu_http_free(&r);

	assert_true(mu_http(port, "GET", "/", &r));
	assert_int_equal(r.status, 404);
	mu_http_free(&r);
	assert_true(mu_http(port, "GET", "/metricsx", &r));
	assert_int_equal(r.status, 404);
	mu_http_free(&r);
	assert_true(mu_http(port, "POST", "/metrics", &r));
	assert_int_equal(r.status, 405);
	mu_http_free(&r);

	nng_mpc_metrics_stop(m);
	/* Stopped: nothing listens any more. */
	assert_false(mu_http(port, "GET", "/metrics", &r));
}

static void
test_bad_address(void **state)
{
	static const char *bad[] = { "", "nohost", ":9464", "127.0.0.1:",
		"127.0.0.1:65536", "127.0.0.1:x", "127.0.0.1:-1",
		"127.0.0.1:94640", "h:1/x", "a b:1" };
	nng_mpc_metrics   *m = NULL;

	(void) state;
	tu_register();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		TU_EXPECT(NNG_EADDRINVAL, nng_mpc_metrics_start(bad[i], &m));
		assert_null(m);
	}
	TU_EXPECT(NNG_EADDRINVAL, nng_mpc_metrics_start(NULL, &m));
	TU_EXPECT(NNG_EINVAL, nng_mpc_metrics_start("127.0.0.1:0", NULL));
	assert_int_equal(nng_mpc_metrics_port(NULL), -1);
	nng_mpc_metrics_stop(NULL);
}

static void
test_address_in_use(void **state)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t          sl = sizeof(sa);
	nng_mpc_metrics   *m  = NULL, *m2 = NULL;
	char               addr[64];
	int                fd;

	(void) state;
	tu_register();
	/* A port another program holds. */
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true((fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *) &sa, &sl), 0);
	(void) snprintf(addr, sizeof(addr), "127.0.0.1:%d", ntohs(sa.sin_port));
	TU_EXPECT(NNG_EADDRINUSE, nng_mpc_metrics_start(addr, &m));
	assert_null(m);
	(void) close(fd);

	/* Our own endpoint already serves /metrics there. */
	TU_PASS(nng_mpc_metrics_start("127.0.0.1:0", &m));
	(void) snprintf(addr, sizeof(addr), "127.0.0.1:%d",
	    nng_mpc_metrics_port(m));
	TU_EXPECT(NNG_EADDRINUSE, nng_mpc_metrics_start(addr, &m2));
	assert_null(m2);
	nng_mpc_metrics_stop(m);
}

/* The sample line "name{labels} " starts, or NULL. */
static const char *
t_sample(const char *page, const char *series)
{
	const char *p = page;
	size_t      n = strlen(series);

	while ((p = strstr(p, series)) != NULL) {
		if ((p == page || p[-1] == '\n') && p[n] == ' ') {
			return (p + n + 1);
		}
		p += n;
	}
	return (NULL);
}

static void
test_page_of_real_sockets(void **state)
{
	nng_mpc_metrics *m;
	struct mu_pair   p;
	char             series[1024], esc[512], *out = NULL;
	const char      *v;
	struct mu_http   r;
	enum { N = 7 };

	(void) state;
	mu_pair_open(&p);
	mu_exchange(p.b, p.a, N);
	TU_PASS(nng_mpc_metrics_start("127.0.0.1:0", &m));
	assert_true(mu_http(nng_mpc_metrics_port(m), "GET", "/metrics", &r));
	assert_int_equal(r.status, 200);

	(void) snprintf(series, sizeof(series),
	    "nngmpc_socket_tx_msgs_total{socket=\"%d\"}", nng_socket_id(p.b));
	assert_non_null(v = t_sample(r.body, series));
	assert_int_equal(strtoull(v, NULL, 10), N);
	(void) snprintf(series, sizeof(series),
	    "nngmpc_socket_rx_msgs_total{socket=\"%d\"}", nng_socket_id(p.a));
	assert_non_null(v = t_sample(r.body, series));
	assert_int_equal(strtoull(v, NULL, 10), N);
	/* The listener's pipe count is a gauge; its URL and scheme label
	 * every endpoint series. */
	(void) snprintf(series, sizeof(series),
	    "nngmpc_listener_pipes{socket=\"%d\",listener=\"%d\",url=\"%s\","
	    "scheme=\"mpc+tcp\"}",
	    nng_socket_id(p.a), nng_listener_id(p.l), "mpc+tcp://127.0.0.1:0");
	assert_non_null(v = t_sample(r.body, series));
	assert_int_equal(strtoull(v, NULL, 10), 1);
	assert_non_null(strstr(r.body, "# TYPE nngmpc_listener_pipes gauge\n"));
	/* The ipc URL with \\, \" and \n escaped. */
	mu_escape(p.ipc, esc, sizeof(esc));
	(void) snprintf(series, sizeof(series),
	    "nngmpc_listener_pipes{socket=\"%d\",listener=\"%d\",url=\"%s\","
	    "scheme=\"mpc+ipc\"}",
	    nng_socket_id(p.a), nng_listener_id(p.l2), esc);
	if ((v = t_sample(r.body, series)) == NULL) {
		(void) fprintf(stderr, "want %s in\n%s\n", series, r.body);
	}
	assert_non_null(v);
	assert_int_equal(strtoull(v, NULL, 10), 0);
	/* Pipes carry their endpoint's scheme. */
	assert_non_null(strstr(r.body, "scheme=\"mpc+tcp\"} "));
	assert_non_null(strstr(r.body, "nngmpc_pipe_rx_msgs_total{"));
	/* The transport's own counters (its reason table) and histograms:
	 * both ends of the pair completed one handshake, and every
	 * message's delivery delay was observed. */
	assert_non_null(strstr(r.body, "nngmpc_handshakes_total{"));
	assert_non_null(v = t_sample(r.body,
	    "nngmpc_handshake_duration_seconds_count{scheme=\"mpc+tcp\"}"));
	assert_true(strtoull(v, NULL, 10) >= 2);
	assert_non_null(v = t_sample(r.body,
	    "nngmpc_message_delivery_delay_seconds_count{scheme=\"mpc+tcp\"}"));
	assert_true(strtoull(v, NULL, 10) >= N);

	/* Prometheus's own parser and linter accept the page. */
	if (mu_promtool_check(r.body, &out) != 0) {
		(void) fprintf(stderr, "promtool:\n%s\npage:\n%s\n", out, r.body);
		fail();
	}
	assert_string_equal(out, "");
	free(out);
	mu_http_free(&r);

	nng_mpc_metrics_stop(m);
	mu_pair_close(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_endpoint),
		cmocka_unit_test(test_bad_address),
		cmocka_unit_test(test_address_in_use),
		cmocka_unit_test(test_page_of_real_sockets),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
