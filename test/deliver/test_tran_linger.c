/*
 * test_tran_linger.c -- NNG_OPT_MPC_LINGER and nng_mpc_socket_undelivered
 * over real sockets (mpc+tcp:// and mpc+ipc://; bus0 with nng_mpc_sendmsg,
 * pair1 with nng_sendmsg): closing right after a burst of sends loses none
 * of them (every completed send arrives, once,
 * in order, and the closed socket reports 0 undelivered); a peer that
 * stops reading bounds the close by the linger and the closed socket
 * reports what it could not deliver; the option's range and default.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "tran_util.h"

#include <nng/supplemental/util/platform.h>

#define BURST 2000

static nng_socket
sock_of(uint32_t id, bool bus)
{
	nng_socket s = bus ? tu_bus(id) : tu_pair(id);
	bool       on = true;

	TU_PASS(nng_mpc_socket_set(s, NNG_OPT_MPC_RELIABLE, &on, sizeof(on)));
	return (s);
}

static nng_socket
sock(uint32_t id)
{
	return (sock_of(id, true));
}

static nng_msg *
nth(uint32_t n)
{
	nng_msg *m;

	TU_PASS(nng_msg_alloc(&m, 0));
	TU_PASS(nng_msg_append_u32(m, n));
	TU_PASS(nng_mpc_msg_set_type(m, NNG_MPC_MSG_APP_DEFAULT));
	TU_PASS(nng_mpc_msg_set_recipient(m, 2));
	return (m);
}

struct reader {
	nng_socket s;
	uint32_t   want;
	uint32_t   got; /* in order, each once */
	int        rv;
};

static void *
read_all(void *arg)
{
	struct reader *r = arg;

	while (r->got < r->want) {
		nng_msg *m;
		uint32_t v;

		if ((r->rv = nng_recvmsg(r->s, &m, 0)) != 0) {
			return (NULL);
		}
		if ((nng_msg_trim_u32(m, &v) != 0) || (v != r->got + 1)) {
			r->rv = NNG_EINTERNAL;
			nng_msg_free(m);
			return (NULL);
		}
		r->got++;
		nng_msg_free(m);
	}
	return (NULL);
}

/* bus: bus0 with nng_mpc_sendmsg; else pair1 with plain nng_sendmsg
 * (pair1 completes a send once its pipe took it: the stream keeps it). */
static void
close_after_burst(void **state, bool bus)
{
	nng_socket    a = sock_of(1, bus);
	nng_socket    b = sock_of(2, bus);
	char          url[256];
	nng_duration  linger = 30000; /* a bound, not a pace */
	struct reader r;
	pthread_t     t;
	uint64_t      left = 99;

	tu_listen(b, *state, url, sizeof(url), NULL);
	TU_PASS(nng_dial(a, url, NULL, 0));
	tu_wait_pipes(b, 1);
	TU_PASS(nng_socket_set_ms(b, NNG_OPT_RECVTIMEO, 30000));
	TU_PASS(nng_socket_set_ms(a, NNG_OPT_MPC_LINGER, linger));
	TU_PASS(nng_socket_set_ms(a, NNG_OPT_SENDTIMEO, 30000));
	r.s    = b;
	r.want = BURST;
	r.got  = 0;
	r.rv   = 0;
	assert_int_equal(pthread_create(&t, NULL, read_all, &r), 0);
	for (uint32_t n = 1; n <= BURST; n++) {
		TU_PASS(bus ? nng_mpc_sendmsg(a, nth(n), 0)
		            : nng_sendmsg(a, nth(n), 0));
	}
	/* At once: what the streams keep is still with them. */
	TU_PASS(nng_mpc_close(a, &left));
	assert_int_equal(left, 0);
	TU_PASS(nng_mpc_socket_undelivered(a, &left));
	assert_int_equal(left, 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	TU_PASS(r.rv);
	assert_int_equal(r.got, BURST);
	tu_recv_none(b, 100);
	TU_PASS(nng_close(b));
}

static void
test_close_after_burst(void **state)
{
	close_after_burst(state, true);
}

static void
test_close_after_burst_pair(void **state)
{
	close_after_burst(state, false);
}

/* The peer reads nothing: the close waits for the linger only, and the
 * closed socket says how much never got acknowledged. */
static void
test_linger_bounded(void **state)
{
	nng_socket a = sock(1);
	nng_socket b = sock(2);
	char       url[256];
	int        win = 8;
	uint32_t   sent = 0;
	uint64_t   left = 0;
	uint64_t   got  = 0;
	nng_msg *  m;

	TU_PASS(nng_mpc_socket_set(
	    a, NNG_OPT_MPC_WINDOW_MSGS, &win, sizeof(win)));
	TU_PASS(nng_socket_set_int(b, NNG_OPT_RECVBUF, 1));
	tu_listen(b, *state, url, sizeof(url), NULL);
	TU_PASS(nng_dial(a, url, NULL, 0));
	tu_wait_pipes(b, 1);
	TU_PASS(nng_socket_set_ms(a, NNG_OPT_MPC_LINGER, 200));
	TU_PASS(nng_socket_set_ms(a, NNG_OPT_SENDTIMEO, 300));
	for (;;) {
		m = nth(sent + 1);
		if (nng_mpc_sendmsg(a, m, 0) != 0) {
			nng_msg_free(m);
			break;
		}
		sent++;
	}
	assert_true(sent > (uint32_t) win);
	TU_EXPECT(NNG_ENOENT, nng_mpc_socket_undelivered(a, &left));
	TU_EXPECT(NNG_MPC_EUNDELIVERED, nng_mpc_close(a, &left));
	assert_true(left > 0);
	assert_true(left <= sent);
	TU_PASS(nng_mpc_socket_undelivered(a, &got));
	assert_int_equal(got, left);
	got = 0;
	/* What reached b's application is in order, once; together with
	 * what a reported undelivered it covers every accepted send (b may
	 * have had some it did not acknowledge yet: counted on both). */
	while (nng_socket_set_ms(b, NNG_OPT_RECVTIMEO, 200),
	    nng_recvmsg(b, &m, 0) == 0) {
		uint32_t v;

		TU_PASS(nng_msg_trim_u32(m, &v));
		assert_int_equal(v, got + 1);
		got++;
		nng_msg_free(m);
	}
	assert_true(got + left >= sent);
	assert_true(got <= sent);
	TU_PASS(nng_close(b));
}

static void
test_option(void **state)
{
	nng_socket   s = sock(1);
	nng_socket   never;
	nng_listener l;
	nng_duration d = 0;
	uint64_t     left;

	(void) state;
	TU_PASS(nng_listen(s, "mpc+tcp://127.0.0.1:0", &l, 0));
	/* Read through an endpoint: NNG's socket returns only what was set
	 * on it. */
	TU_PASS(nng_listener_get_ms(l, NNG_OPT_MPC_LINGER, &d));
	assert_int_equal(d, NNG_MPC_LINGER_DEFAULT);
	TU_EXPECT(NNG_EINVAL,
	    nng_socket_set_ms(s, NNG_OPT_MPC_LINGER, NNG_MPC_LINGER_MAX + 1));
	TU_EXPECT(NNG_EINVAL, nng_socket_set_ms(s, NNG_OPT_MPC_LINGER, -1));
	TU_PASS(nng_socket_set_ms(s, NNG_OPT_MPC_LINGER, 0));
	TU_PASS(nng_listener_get_ms(l, NNG_OPT_MPC_LINGER, &d));
	assert_int_equal(d, 0);
	TU_PASS(nng_listener_set_ms(l, NNG_OPT_MPC_LINGER, 250));
	TU_PASS(nng_socket_get_ms(s, NNG_OPT_MPC_LINGER, &d));
	assert_int_equal(d, 0); /* NNG's copy of the socket's setting */
	TU_PASS(nng_listener_get_ms(l, NNG_OPT_MPC_LINGER, &d));
	assert_int_equal(d, 250);
	TU_EXPECT(NNG_EINVAL, nng_mpc_socket_undelivered(s, NULL));
	/* Open, and never connected: nothing recorded. */
	TU_EXPECT(NNG_ENOENT, nng_mpc_socket_undelivered(s, &left));
	TU_PASS(nng_mpc_close(s, &left)); /* nothing kept, nothing lost */
	assert_int_equal(left, 0);
	TU_EXPECT(NNG_ENOENT, nng_mpc_socket_undelivered(s, &left));
	TU_EXPECT(NNG_ECLOSED, nng_mpc_close(s, NULL));
	TU_PASS(nng_bus0_open(&never));
	TU_PASS(nng_close(never));
	TU_EXPECT(NNG_ENOENT, nng_mpc_socket_undelivered(never, &left));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_option),
		TU_BOTH(test_close_after_burst),
		TU_BOTH(test_close_after_burst_pair),
		TU_BOTH(test_linger_bounded),
	};

	tu_register();
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
