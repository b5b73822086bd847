/*
 * test_tran_stats.c -- the transport's counters are NNG statistics: the
 * reason table's rows appear under the dialer, listener and pipe in
 * nng_stats_get(), with the values the read-only options report.
 *
 * NNG 1.5.2's nng_stat_find_socket() returns the wrong node (fixed in
 * NNG 1.6.0), so the tree is walked here.
 */
#include <stdio.h>
#include <string.h>

#include "tran_util.h"

#include <nng/supplemental/util/platform.h>

/* The statistic name under the scope (name "listener", "dialer" or
 * "pipe") whose "id" is id; NULL when absent. */
static nng_stat *
find_in(nng_stat *st, const char *scope, int id, const char *name)
{
	nng_stat *c;
	nng_stat *r;

	if ((nng_stat_type(st) == NNG_STAT_SCOPE) &&
	    (strcmp(nng_stat_name(st), scope) == 0)) {
		nng_stat *idst = NULL;
		for (c = nng_stat_child(st); c != NULL; c = nng_stat_next(c)) {
			if (strcmp(nng_stat_name(c), "id") == 0) {
				idst = c;
			}
		}
		if ((idst != NULL) && ((int) nng_stat_value(idst) == id)) {
			for (c = nng_stat_child(st); c != NULL;
			     c = nng_stat_next(c)) {
				if (strcmp(nng_stat_name(c), name) == 0) {
					return (c);
				}
			}
			return (NULL);
		}
	}
	for (c = nng_stat_child(st); c != NULL; c = nng_stat_next(c)) {
		if ((r = find_in(c, scope, id, name)) != NULL) {
			return (r);
		}
	}
	return (NULL);
}

/* The value of a statistic (asserted present), and its description. */
static uint64_t
stat_value(const char *scope, int id, const char *name, char *desc,
    size_t cap)
{
	nng_stat *all;
	nng_stat *st;
	uint64_t  v;

	TU_PASS(nng_stats_get(&all));
	st = find_in(all, scope, id, name);
	if (st == NULL) {
		fail_msg("no statistic %s under %s %d", name, scope, id);
	}
	assert_int_equal(nng_stat_type(st), NNG_STAT_COUNTER);
	v = nng_stat_value(st);
	if (desc != NULL) {
		(void) snprintf(desc, cap, "%s", nng_stat_desc(st));
	}
	nng_stats_free(all);
	return (v);
}

static void
test_counters_are_statistics(void **state)
{
	const char * scheme = *state;
	nng_socket   a      = tu_bus(1);
	nng_socket   b      = tu_bus(2);
	nng_socket   c      = tu_bus(3);
	nng_listener l;
	nng_dialer   d;
	nng_pipe     p;
	nng_msg *    m;
	char         url[256];
	char         desc[128];
	uint8_t      sid[NNG_MPC_SESSION_ID_SIZE];

	tu_listen(a, scheme, url, sizeof(url), &l);
	TU_PASS(nng_dialer_create(&d, b, url));
	TU_PASS(nng_dialer_start(d, 0));
	for (int i = 0; i < 5; i++) {
		tu_send(b, "stat", 5, 0, 0);
		m = tu_recv(a);
		p = nng_msg_get_pipe(m);
		nng_msg_free(m);
	}
	/* A refusal: party 3 in another session. */
	memcpy(sid, tu_sid, sizeof(sid));
	sid[0] ^= 1;
	TU_PASS(nng_mpc_socket_set(c, NNG_OPT_MPC_SESSION_ID, sid, sizeof(sid)));
	TU_EXPECT(NNG_MPC_ESESSIONID, nng_dial(c, url, NULL, 0));
	for (int i = 0; i < 500 &&
	     tu_listener_ctr(l, NNG_OPT_MPC_REJ_SESSION) == 0;
	     i++) {
		nng_msleep(10);
	}

	assert_int_equal(stat_value("listener", nng_listener_id(l),
	                     "mpc_handshakes", desc, sizeof(desc)),
	    1);
	assert_string_equal(desc, "handshakes completed");
	assert_int_equal(stat_value("listener", nng_listener_id(l),
	                     "mpc_rej_session", NULL, 0),
	    tu_listener_ctr(l, NNG_OPT_MPC_REJ_SESSION));
	assert_int_equal(tu_listener_ctr(l, NNG_OPT_MPC_REJ_SESSION), 1);
	assert_int_equal(stat_value("listener", nng_listener_id(l),
	                     "mpc_rej_busy", NULL, 0),
	    0);
	assert_int_equal(stat_value("dialer", nng_dialer_id(d),
	                     "mpc_handshakes", NULL, 0),
	    1);
	assert_int_equal(stat_value("pipe", nng_pipe_id(p), "mpc_frames_in",
	                     desc, sizeof(desc)),
	    5);
	assert_string_equal(desc, "frames delivered");
	assert_int_equal(
	    stat_value("pipe", nng_pipe_id(p), "mpc_bytes_in", NULL, 0),
	    tu_pipe_ctr(p, NNG_OPT_MPC_BYTES_IN));
	assert_int_equal(stat_value("pipe", nng_pipe_id(p),
	                     "mpc_frames_rejected", NULL, 0),
	    0);
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
	TU_PASS(nng_close(c));
}

static int
setup(void **state)
{
	(void) state;
	tu_register();
	return (0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TU_BOTH(test_counters_are_statistics),
	};

	return (cmocka_run_group_tests(tests, setup, NULL));
}
