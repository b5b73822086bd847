/*
 * test_metrics_render.c -- the Prometheus renderer against fixed inputs:
 * the text primitives (escaping of label values and HELP, names, exact
 * decimals), a statistics tree registered through NNG's own statistics
 * framework (so the renderer reads a real nng_stats_get() snapshot, with
 * values chosen by the test), the TLS counters, and the histograms
 * (buckets, sum, count, concurrent observers, registry limits).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/nng_impl.h"

#include "mpc_hist.h"
#include "mpc_metrics.h"
#include "mpc_metrics_map.h"
#include "mpc_prom.h"

/* --- text primitives ----------------------------------------------------- */

static void
test_escaping(void **state)
{
	mpc_prom_buf b;
	bool         first = true;

	(void) state;
	mpc_prom_buf_init(&b);
	mpc_prom_put_label_value(&b, "a\\b\"c\nd");
	assert_string_equal(b.data, "a\\\\b\\\"c\\nd");
	b.len = 0;
	/* HELP keeps the quote as it is. */
	mpc_prom_put_help(&b, "x \\ \"y\"\nz");
	assert_string_equal(b.data, "x \\\\ \"y\"\\nz");
	b.len = 0;
	mpc_prom_put_label(&b, &first, "url", "ipc:///a\"b");
	mpc_prom_put_label(&b, &first, "a:b-c", "");
	assert_string_equal(b.data, "url=\"ipc:///a\\\"b\",a_b_c=\"\"");
	assert_int_equal(mpc_prom_buf_error(&b), 0);
	mpc_prom_buf_fini(&b);
}

static void
test_put_again(void **state)
{
	mpc_prom_buf b;

	(void) state;
	mpc_prom_buf_init(&b);
	mpc_prom_puts(&b, "abc");
	mpc_prom_put_again(&b, 1, 2);
	assert_string_equal(b.data, "abcbc");
	assert_int_equal(mpc_prom_buf_error(&b), 0);
	/* A range beyond what the buffer holds is an error, and sticks. */
	mpc_prom_put_again(&b, 4, 2);
	assert_int_equal(mpc_prom_buf_error(&b), NNG_ENOMEM);
	mpc_prom_puts(&b, "x");
	assert_int_equal(b.len, 5);
	mpc_prom_buf_fini(&b);
}

static void
test_names(void **state)
{
	mpc_prom_buf b;

	(void) state;
	mpc_prom_buf_init(&b);
	mpc_prom_put_name(&b, "9a-b.c:d");
	assert_string_equal(b.data, "_9a_b_c:d");
	b.len = 0;
	mpc_prom_put_label_name(&b, "9a-b.c:d");
	assert_string_equal(b.data, "_9a_b_c_d");
	b.len = 0;
	mpc_prom_put_family(&b, "m_total", MPC_PROM_COUNTER, "h\\\n");
	assert_string_equal(
	    b.data, "# HELP m_total h\\\\\\n\n# TYPE m_total counter\n");
	mpc_prom_buf_fini(&b);
}

static void
test_scaled(void **state)
{
	static const struct {
		uint64_t    v, scale;
		const char *want;
	} cases[] = {
		{ 1500, 1000, "1.5" },
		{ 1, 1000000000, "0.000000001" },
		{ 0, 1000, "0" },
		{ 12, 1, "12" },
		{ 5000003500, 1000000000, "5.0000035" },
		{ UINT64_MAX, 1, "18446744073709551615" },
		{ 5, 4, "1.25" }, /* not a power of ten: %.17g */
	};

	(void) state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mpc_prom_buf b;

		mpc_prom_buf_init(&b);
		mpc_prom_put_scaled(&b, cases[i].v, cases[i].scale);
		assert_string_equal(b.data, cases[i].want);
		mpc_prom_buf_fini(&b);
	}
}

static void
test_rules(void **state)
{
	const struct mpc_metrics_rule *r;
	const char                    *suffix;

	(void) state;
	/* NNG 1.5.2's listener "pipes" goes down: a gauge; the dialer's is
	 * a level already and needs no row. */
	assert_non_null(r = mpc_metrics_rule_find(
	                    MPC_METRICS_LISTENER, "pipes", &suffix));
	assert_int_equal(r->type, MPC_PROM_GAUGE);
	assert_null(mpc_metrics_rule_find(MPC_METRICS_DIALER, "pipes", &suffix));
	assert_non_null(r = mpc_metrics_rule_find(
	                    MPC_METRICS_DIALER, "mpc_rej_session", &suffix));
	assert_string_equal(r->family, "nngmpc_rejected_total");
	assert_string_equal(r->label, "reason");
	assert_string_equal(suffix, "session");
	/* A prefix alone is not a reason; rejections are endpoint-only. */
	assert_null(mpc_metrics_rule_find(MPC_METRICS_DIALER, "mpc_rej_", &suffix));
	assert_null(
	    mpc_metrics_rule_find(MPC_METRICS_PIPE, "mpc_rej_key", &suffix));
	assert_int_equal(mpc_metrics_scope_of("listener"), MPC_METRICS_LISTENER);
	assert_int_equal(mpc_metrics_scope_of("widget"), MPC_METRICS_OTHER);
}

/* --- a statistics tree with fixed values --------------------------------- */

#define T_INFO(var, nm, ds, ty, un)                                          \
	static const nni_stat_info var = { .si_name = (nm), .si_desc = (ds), \
		.si_type = (ty), .si_unit = (un) }

T_INFO(t_sock_i, "socket", "socket statistics", NNG_STAT_SCOPE, 0);
T_INFO(t_dial_i, "dialer", "dialer statistics", NNG_STAT_SCOPE, 0);
T_INFO(t_lst_i, "listener", "listener statistics", NNG_STAT_SCOPE, 0);
T_INFO(t_pipe_i, "pipe", "pipe statistics", NNG_STAT_SCOPE, 0);
T_INFO(t_id_i, "id", "identifier", NNG_STAT_ID, 0);
T_INFO(t_sockid_i, "socket", "socket id", NNG_STAT_ID, 0);
T_INFO(t_dialid_i, "dialer", "dialer id", NNG_STAT_ID, 0);
T_INFO(t_url_i, "url", "url", NNG_STAT_STRING, 0);
T_INFO(t_name_i, "name", "socket name", NNG_STAT_STRING, 0);
T_INFO(t_proto_i, "protocol", "socket protocol", NNG_STAT_STRING, 0);
T_INFO(t_txmsgs_i, "tx_msgs", "sent messages", NNG_STAT_COUNTER,
    NNG_UNIT_MESSAGES);
T_INFO(t_hs_i, "mpc_handshakes", "handshakes completed", NNG_STAT_COUNTER, 0);
T_INFO(t_rejs_i, "mpc_rej_session", "peer in another session",
    NNG_STAT_COUNTER, 0);
T_INFO(t_rejh_i, "mpc_rej_hello", "malformed hello", NNG_STAT_COUNTER, 0);
T_INFO(t_rcvmax_i, "rcv_max", "maximum receive size", NNG_STAT_LEVEL,
    NNG_UNIT_BYTES);
T_INFO(t_recon_i, "reconnect", "reconnect time", NNG_STAT_LEVEL,
    NNG_UNIT_MILLIS);
T_INFO(t_tls_i, "mpc_tls", "runs over TLS", NNG_STAT_BOOLEAN, 0);
T_INFO(t_odd_i, "odd", "a \\ back\nslash \"q\"", NNG_STAT_COUNTER, 0);
T_INFO(t_pipes_i, "pipes", "open pipes", NNG_STAT_COUNTER, 0);
T_INFO(t_fin_i, "mpc_frames_in", "frames delivered", NNG_STAT_COUNTER, 0);
T_INFO(t_fout_i, "mpc_frames_out", "frames written", NNG_STAT_COUNTER, 0);
T_INFO(t_drop_i, "mpc_drop_replay", "replays", NNG_STAT_COUNTER, 0);
T_INFO(t_rxb_i, "rx_bytes", "received bytes", NNG_STAT_COUNTER,
    NNG_UNIT_BYTES);
T_INFO(t_party_i, "mpc_peer_party", "peer party", NNG_STAT_LEVEL, 0);

enum { T_NITEMS = 32 };
static nni_stat_item t_items[T_NITEMS];
static int           t_nitems;

static nni_stat_item *
t_item(nni_stat_item *parent, const nni_stat_info *info)
{
	nni_stat_item *it;

	assert_true(t_nitems < T_NITEMS);
	it = &t_items[t_nitems++];
	nni_stat_init(it, info);
	if (parent != NULL) {
		nni_stat_add(parent, it);
	}
	return (it);
}

static nni_stat_item *
t_id(nni_stat_item *parent, const nni_stat_info *info, int id)
{
	nni_stat_item *it = t_item(parent, info);

	nni_stat_set_id(it, id);
	return (it);
}

static nni_stat_item *
t_val(nni_stat_item *parent, const nni_stat_info *info, uint64_t v)
{
	nni_stat_item *it = t_item(parent, info);

	nni_stat_set_value(it, v);
	return (it);
}

static nni_stat_item *
t_str(nni_stat_item *parent, const nni_stat_info *info, const char *s)
{
	nni_stat_item *it = t_item(parent, info);

	nni_stat_set_string(it, s);
	return (it);
}

/* The page of the tree below, written out by hand: families sorted by
 * name, samples of a family in tree order, one HELP/TYPE each, labels in the table's order, reason and direction
 * families, _total on counters, the listener's "pipes" a gauge, bytes and
 * seconds (1500 ms = 1.5 s), booleans 0/1, strings in an _info series,
 * every label value and HELP text escaped. */
static const char t_want[] =
    "# HELP nngmpc_dialer_mpc_tls runs over TLS\n"
    "# TYPE nngmpc_dialer_mpc_tls gauge\n"
    "nngmpc_dialer_mpc_tls{socket=\"3\",dialer=\"7\","
    "url=\"mpc+tcp://h\\\"q\\\\b\\nx:1\",scheme=\"mpc+tcp\"} 1\n"
    "# HELP nngmpc_dialer_odd_total a \\\\ back\\nslash \"q\"\n"
    "# TYPE nngmpc_dialer_odd_total counter\n"
    "nngmpc_dialer_odd_total{socket=\"3\",dialer=\"7\","
    "url=\"mpc+tcp://h\\\"q\\\\b\\nx:1\",scheme=\"mpc+tcp\"} 42\n"
    "# HELP nngmpc_dialer_rcv_max_bytes maximum receive size\n"
    "# TYPE nngmpc_dialer_rcv_max_bytes gauge\n"
    "nngmpc_dialer_rcv_max_bytes{socket=\"3\",dialer=\"7\","
    "url=\"mpc+tcp://h\\\"q\\\\b\\nx:1\",scheme=\"mpc+tcp\"} 1024\n"
    "# HELP nngmpc_dialer_reconnect_seconds reconnect time\n"
    "# TYPE nngmpc_dialer_reconnect_seconds gauge\n"
    "nngmpc_dialer_reconnect_seconds{socket=\"3\",dialer=\"7\","
    "url=\"mpc+tcp://h\\\"q\\\\b\\nx:1\",scheme=\"mpc+tcp\"} 1.5\n"
    "# HELP nngmpc_frames_dropped_total Frames received and not "
    "delivered, by reason\n"
    "# TYPE nngmpc_frames_dropped_total counter\n"
    "nngmpc_frames_dropped_total{socket=\"3\",dialer=\"7\",pipe=\"9\","
    "scheme=\"mpc+tcp\",peer_party=\"2\",reason=\"replay\"} 1\n"
    "# HELP nngmpc_frames_total Frames delivered (in) and written (out)\n"
    "# TYPE nngmpc_frames_total counter\n"
    "nngmpc_frames_total{socket=\"3\",dialer=\"7\",pipe=\"9\","
    "scheme=\"mpc+tcp\",peer_party=\"2\",direction=\"in\"} 4\n"
    "nngmpc_frames_total{socket=\"3\",dialer=\"7\",pipe=\"9\","
    "scheme=\"mpc+tcp\",peer_party=\"2\",direction=\"out\"} 6\n"
    "# HELP nngmpc_handshakes_total Transport handshakes completed\n"
    "# TYPE nngmpc_handshakes_total counter\n"
    "nngmpc_handshakes_total{socket=\"3\",dialer=\"7\","
    "url=\"mpc+tcp://h\\\"q\\\\b\\nx:1\",scheme=\"mpc+tcp\"} 5\n"
    "# HELP nngmpc_listener_pipes open pipes\n"
    "# TYPE nngmpc_listener_pipes gauge\n"
    "nngmpc_listener_pipes{socket=\"3\",listener=\"4\","
    "url=\"mpc+ipc:///tmp/a b\",scheme=\"mpc+ipc\"} 2\n"
    "# HELP nngmpc_pipe_rx_bytes_total received bytes\n"
    "# TYPE nngmpc_pipe_rx_bytes_total counter\n"
    "nngmpc_pipe_rx_bytes_total{socket=\"3\",dialer=\"7\",pipe=\"9\","
    "scheme=\"mpc+tcp\",peer_party=\"2\"} 100\n"
    "# HELP nngmpc_rejected_total Transport handshakes refused, by reason\n"
    "# TYPE nngmpc_rejected_total counter\n"
    "nngmpc_rejected_total{socket=\"3\",dialer=\"7\","
    "url=\"mpc+tcp://h\\\"q\\\\b\\nx:1\",scheme=\"mpc+tcp\","
    "reason=\"session\"} 2\n"
    "nngmpc_rejected_total{socket=\"3\",dialer=\"7\","
    "url=\"mpc+tcp://h\\\"q\\\\b\\nx:1\",scheme=\"mpc+tcp\","
    "reason=\"hello\"} 1\n"
    "# HELP nngmpc_socket_info Identity of the object (value 1)\n"
    "# TYPE nngmpc_socket_info gauge\n"
    "nngmpc_socket_info{socket=\"3\",name=\"s\\\"1\",protocol=\"bus\"} 1\n"
    "# HELP nngmpc_socket_tx_msgs_total sent messages\n"
    "# TYPE nngmpc_socket_tx_msgs_total counter\n"
    "nngmpc_socket_tx_msgs_total{socket=\"3\"} 11\n";

static void
test_stats_tree(void **state)
{
	nni_stat_item *sock, *dial, *lst, *pipe;
	nng_stat      *root;
	mpc_prom_buf   b;

	(void) state;
	/* NNG initializes its statistics framework on first use. */
	assert_int_equal(nng_stats_get(&root), 0);
	nng_stats_free(root);

	sock = t_item(NULL, &t_sock_i);
	t_id(sock, &t_id_i, 3);
	t_str(sock, &t_name_i, "s\"1");
	t_str(sock, &t_proto_i, "bus");
	t_val(sock, &t_txmsgs_i, 11);

	dial = t_item(NULL, &t_dial_i);
	t_id(dial, &t_id_i, 7);
	t_id(dial, &t_sockid_i, 3);
	t_str(dial, &t_url_i, "mpc+tcp://h\"q\\b\nx:1");
	t_val(dial, &t_hs_i, 5);
	t_val(dial, &t_rejs_i, 2);
	t_val(dial, &t_rejh_i, 1);
	t_val(dial, &t_rcvmax_i, 1024);
	t_val(dial, &t_recon_i, 1500);
	nni_stat_set_bool(t_item(dial, &t_tls_i), true);
	t_val(dial, &t_odd_i, 42);

	lst = t_item(NULL, &t_lst_i);
	t_id(lst, &t_id_i, 4);
	t_id(lst, &t_sockid_i, 3);
	t_str(lst, &t_url_i, "mpc+ipc:///tmp/a b");
	t_val(lst, &t_pipes_i, 2);

	pipe = t_item(NULL, &t_pipe_i);
	t_id(pipe, &t_id_i, 9);
	t_id(pipe, &t_sockid_i, 3);
	t_id(pipe, &t_dialid_i, 7);
	t_val(pipe, &t_party_i, 2);
	t_val(pipe, &t_fin_i, 4);
	t_val(pipe, &t_fout_i, 6);
	t_val(pipe, &t_drop_i, 1);
	t_val(pipe, &t_rxb_i, 100);

	nni_stat_register(sock);
	nni_stat_register(dial);
	nni_stat_register(lst);
	nni_stat_register(pipe);

	assert_int_equal(nng_stats_get(&root), 0);
	mpc_prom_buf_init(&b);
	assert_int_equal(mpc_metrics_render_stats(root, &b), 0);
	nng_stats_free(root);
	if (strcmp(b.data, t_want) != 0) {
		print_message("got:\n%s", b.data);
	}
	assert_string_equal(b.data, t_want);
	mpc_prom_buf_fini(&b);

	nni_stat_unregister(sock);
	nni_stat_unregister(dial);
	nni_stat_unregister(lst);
	nni_stat_unregister(pipe);
}

/* --- TLS counters ------------------------------------------------------- */

static void
test_tls(void **state)
{
	nng_mpc_tls_stats st;
	uint64_t         *f = (uint64_t *) &st;
	mpc_prom_buf      b;

	(void) state;
	for (size_t i = 0; i < sizeof(st) / sizeof(uint64_t); i++) {
		f[i] = 100 + i;
	}
	mpc_prom_buf_init(&b);
	mpc_metrics_render_tls(&st, &b);
	assert_non_null(strstr(b.data,
	    "# TYPE nngmpc_tls_handshakes_total counter\n"
	    "nngmpc_tls_handshakes_total{result=\"ok\"} 100\n"
	    "nngmpc_tls_handshakes_total{result=\"failed\"} 101\n"));
	assert_non_null(strstr(b.data,
	    "nngmpc_tls_handshake_failures_total{reason=\"pin_mismatch\"} 107\n"));
	assert_non_null(strstr(b.data,
	    "nngmpc_tls_close_notify_total{direction=\"received\"} 116\n"));
	/* One header per family, every counter once. */
	assert_int_equal(mpc_metrics_ntls_rows, sizeof(st) / sizeof(uint64_t));
	mpc_prom_buf_fini(&b);
}

/* --- histograms ---------------------------------------------------------- */

static const mpc_hist_family t_fam = {
	.name    = "t_wait_seconds",
	.help    = "test \"wait\"",
	.label   = "k",
	.scale   = 1000000000,
	.nbounds = 2,
	.bounds  = { 1000, 1000000 },
};

static void
test_hist_render(void **state)
{
	mpc_hist    *h, *h2, *o;
	mpc_prom_buf b;

	(void) state;
	assert_int_equal(mpc_hist_get(&t_fam, "a\"b", &h), 0);
	assert_int_equal(mpc_hist_get(&t_fam, "a\"b", &h2), 0);
	assert_ptr_equal(h, h2);
	assert_int_equal(mpc_hist_get(&t_fam, "other", &o), 0);
	assert_ptr_not_equal(h, o);
	mpc_hist_observe(h, 500);
	mpc_hist_observe(h, 1000); /* le is inclusive */
	mpc_hist_observe(h, 2000);
	mpc_hist_observe(h, 5000000000);
	mpc_prom_buf_init(&b);
	mpc_metrics_render_hists(&b);
	assert_string_equal(b.data,
	    "# HELP t_wait_seconds test \"wait\"\n"
	    "# TYPE t_wait_seconds histogram\n"
	    "t_wait_seconds_bucket{k=\"a\\\"b\",le=\"0.000001\"} 2\n"
	    "t_wait_seconds_bucket{k=\"a\\\"b\",le=\"0.001\"} 3\n"
	    "t_wait_seconds_bucket{k=\"a\\\"b\",le=\"+Inf\"} 4\n"
	    "t_wait_seconds_sum{k=\"a\\\"b\"} 5.0000035\n"
	    "t_wait_seconds_count{k=\"a\\\"b\"} 4\n"
	    "t_wait_seconds_bucket{k=\"other\",le=\"0.000001\"} 0\n"
	    "t_wait_seconds_bucket{k=\"other\",le=\"0.001\"} 0\n"
	    "t_wait_seconds_bucket{k=\"other\",le=\"+Inf\"} 0\n"
	    "t_wait_seconds_sum{k=\"other\"} 0\n"
	    "t_wait_seconds_count{k=\"other\"} 0\n");
	mpc_prom_buf_fini(&b);
}

enum { T_THREADS = 4, T_PER_THREAD = 100000 };

static void *
t_observer(void *arg)
{
	for (uint64_t i = 0; i < T_PER_THREAD; i++) {
		mpc_hist_observe(arg, i % 3000);
	}
	return (NULL);
}

static void
test_hist_concurrent(void **state)
{
	pthread_t     th[T_THREADS];
	mpc_hist     *h;
	mpc_hist_snap s;
	uint64_t      sum = 0, le1 = 0;

	(void) state;
	assert_int_equal(mpc_hist_get(&t_fam, "threads", &h), 0);
	for (int i = 0; i < T_THREADS; i++) {
		assert_int_equal(pthread_create(&th[i], NULL, t_observer, h), 0);
	}
	for (int i = 0; i < T_THREADS; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
	}
	for (uint64_t i = 0; i < T_PER_THREAD; i++) {
		sum += i % 3000;
		le1 += (i % 3000) <= 1000;
	}
	mpc_hist_read(h, &s);
	assert_int_equal(s.count, (uint64_t) T_THREADS * T_PER_THREAD);
	assert_int_equal(s.sum, T_THREADS * sum);
	assert_int_equal(s.buckets[0], T_THREADS * le1);
	assert_int_equal(s.buckets[1], T_THREADS * (T_PER_THREAD - le1));
	assert_int_equal(s.buckets[2], 0);
}

/* Runs last: it fills the process's registry. */
static void
test_hist_limits(void **state)
{
	static const mpc_hist_family bad = { .name = "b", .label = "k",
		.scale = 1, .nbounds = 2, .bounds = { 5, 5 } };
	char     big[MPC_HIST_LABEL_MAX + 1];
	mpc_hist *h;
	int       rv = 0;

	(void) state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(mpc_hist_get(&bad, "v", &h), NNG_EINVAL);
	assert_int_equal(mpc_hist_get(&t_fam, "", &h), NNG_EINVAL);
	assert_int_equal(mpc_hist_get(&t_fam, big, &h), NNG_EINVAL);
	assert_int_equal(mpc_hist_get(&t_fam, NULL, &h), NNG_EINVAL);
	for (int i = 0; i <= MPC_HIST_MAX && rv == 0; i++) {
		char v[16];

		(void) snprintf(v, sizeof(v), "v%d", i);
		rv = mpc_hist_get(&t_fam, v, &h);
	}
	assert_int_equal(rv, NNG_ENOSPC);
	assert_int_equal(mpc_hist_count(), MPC_HIST_MAX);
	/* Existing histograms are still found. */
	assert_int_equal(mpc_hist_get(&t_fam, "threads", &h), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_put_again),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_scaled),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_stats_tree),
		cmocka_unit_test(test_tls),
		cmocka_unit_test(test_hist_render),
		cmocka_unit_test(test_hist_concurrent),
		cmocka_unit_test(test_hist_limits),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
