/*
 * test_tran_live.c -- liveness at the shortest heartbeat (100 ms) and
 * dead-after (2, and 1, the documented minimum) over real sockets, with
 * and without delivery streams, through the fault-injecting relay
 * (test/util/relay.h):
 *
 *   - two parties idle for 1.5 s from the start, then again after a
 *     message each way: no pipe is declared dead (mpc:closed-dead 0 on
 *     both sides), the pipe is the one they started with;
 *   - then the relay black-holes the connection: both sides declare the
 *     peer dead (mpc:closed-dead 1), and once the path works again the
 *     dialer reconnects.
 *
 * Delivery streams send control records of their own (RESUME, ACK) that
 * the protocol never sees; an idle pipe must still be kept alive by them
 * or by heartbeats on both sides.  mpc+tcp:// and mpc+tls+tcp://, pair1
 * and bus0.  No timing is asserted: the idle period only gives the
 * heartbeats many chances to misfire, and every wait is on a counter with
 * a deadline.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay.h"
#include "tran_certs.h"
#include "tran_util.h"

#include <nng/supplemental/util/platform.h>

#define LIVE_HB_MS   100  /* NNG_OPT_MPC_HEARTBEAT's minimum */
#define LIVE_IDLE_MS 1500 /* 15 heartbeat intervals, twice */

struct live_case {
	const char *scheme;
	bool        bus;      /* bus0, else pair1 */
	bool        reliable; /* delivery streams on both sides */
	int         dead;     /* NNG_OPT_MPC_DEAD_AFTER */
};

static nng_socket
live_party(const struct live_case *c, uint32_t id)
{
	nng_socket   s  = c->bus ? tu_bus(id) : tu_pair(id);
	nng_duration hb = LIVE_HB_MS;
	char         name[32];

	TU_PASS(nng_mpc_socket_set(
	    s, NNG_OPT_MPC_RELIABLE, &c->reliable, sizeof(c->reliable)));
	TU_PASS(nng_mpc_socket_set(s, NNG_OPT_MPC_HEARTBEAT, &hb, sizeof(hb)));
	TU_PASS(nng_mpc_socket_set(
	    s, NNG_OPT_MPC_DEAD_AFTER, &c->dead, sizeof(c->dead)));
	if (strcmp(c->scheme, "mpc+tls+tcp") == 0) {
		(void) snprintf(name, sizeof(name), "party%u.pem", id);
		tc_tls(s, name);
	}
	return (s);
}

/* Sends a string with its NUL; nng_mpc_sendmsg waits for the peer's
 * party on bus0 with delivery streams, where nng_sendmsg may find no
 * pipe. */
static void
live_send(nng_socket s, const char *str)
{
	nng_msg *m;

	TU_PASS(nng_msg_alloc(&m, 0));
	TU_PASS(nng_msg_append(m, str, strlen(str) + 1));
	TU_PASS(nng_mpc_sendmsg(s, m, 0));
}

/* Receives one message on s and returns the pipe it came through. */
static nng_pipe
live_recv_pipe(nng_socket s, const char *want)
{
	nng_msg *m = tu_recv(s);
	nng_pipe p = nng_msg_get_pipe(m);

	assert_int_equal(nng_msg_len(m), strlen(want) + 1);
	assert_string_equal(nng_msg_body(m), want);
	nng_msg_free(m);
	return (p);
}

/* The dialer b got back to a: without delivery streams a message sent
 * while neither has a pipe is gone, so it is sent until one arrives,
 * through a pipe other than the dead one. */
static void
live_reconnected(nng_socket a, nng_socket b, uint32_t dead)
{
	nng_msg *m = NULL;
	int      rv;

	TU_PASS(nng_socket_set_ms(a, NNG_OPT_RECVTIMEO, 200));
	for (int i = 0; i < 50; i++) {
		live_send(b, "again");
		if ((rv = nng_recvmsg(a, &m, 0)) != NNG_ETIMEDOUT) {
			break;
		}
	}
	TU_PASS(rv);
	assert_string_equal(nng_msg_body(m), "again");
	assert_int_not_equal(nng_pipe_id(nng_msg_get_pipe(m)), dead);
	nng_msg_free(m);
}

static void
live_run(const struct live_case *c)
{
	nng_socket    a = live_party(c, 1);
	nng_socket    b = live_party(c, 2);
	nng_listener  l;
	nng_dialer    d;
	char          url[256];
	struct relay *r;
	uint16_t      rport;
	nng_pipe      pa, pb;

	tu_listen(a, c->scheme, url, sizeof(url), &l);
	r = relay_start("127.0.0.1", (uint16_t) atoi(strrchr(url, ':') + 1),
	    &rport);
	(void) snprintf(url, sizeof(url), "%s://127.0.0.1:%u", c->scheme,
	    (unsigned) rport);
	TU_PASS(nng_dial(b, url, &d, 0));
	tu_wait_pipes(a, 1);
	tu_wait_pipes(b, 1);

	/* Idle from the start (only the streams' RESUME records and the
	 * heartbeats move), then again after a message each way (and the
	 * streams' acknowledgements of them), with a receive waiting on each
	 * side all along (NNG's protocols keep one posted on every pipe). */
	nng_msleep(LIVE_IDLE_MS);
	live_send(b, "hello");
	pa = live_recv_pipe(a, "hello");
	live_send(a, "back");
	pb = live_recv_pipe(b, "back");
	nng_msleep(LIVE_IDLE_MS);
	assert_int_equal(tu_listener_ctr(l, NNG_OPT_MPC_CLOSED_DEAD), 0);
	assert_int_equal(tu_dialer_ctr(d, NNG_OPT_MPC_CLOSED_DEAD), 0);
	assert_int_equal(tu_pipes_seen(a), 1);
	assert_int_equal(tu_pipes_seen(b), 1);
	assert_true(tu_pipe_ctr(pa, NNG_OPT_MPC_HEARTBEATS_OUT) +
	        tu_pipe_ctr(pb, NNG_OPT_MPC_HEARTBEATS_OUT) >
	    0);
	live_send(b, "still");
	assert_int_equal(nng_pipe_id(live_recv_pipe(a, "still")),
	    nng_pipe_id(pa));
	live_send(a, "here");
	assert_int_equal(nng_pipe_id(live_recv_pipe(b, "here")),
	    nng_pipe_id(pb));

	/* A path that black-holes: each side hears nothing while it waits
	 * for the peer. */
	relay_blackhole(r, true);
	tu_wait_listener_ctr(l, NNG_OPT_MPC_CLOSED_DEAD, 1);
	tu_wait_dialer_ctr(d, NNG_OPT_MPC_CLOSED_DEAD, 1);
	tu_wait_removed(a, 1);
	tu_wait_removed(b, 1);
	assert_int_equal(tu_listener_ctr(l, NNG_OPT_MPC_CLOSED_DEAD), 1);
	assert_int_equal(tu_dialer_ctr(d, NNG_OPT_MPC_CLOSED_DEAD), 1);
	relay_blackhole(r, false);
	relay_reset(r); /* what the black hole left open */
	live_reconnected(a, b, nng_pipe_id(pa));

	TU_PASS(nng_close(b));
	TU_PASS(nng_close(a));
	relay_stop(r);
}

static void
test_dlv_pair_tcp(void **state)
{
	static const struct live_case c = { "mpc+tcp", false, true, 2 };
	(void) state;
	live_run(&c);
}

static void
test_dlv_pair_tls(void **state)
{
	static const struct live_case c = { "mpc+tls+tcp", false, true, 2 };
	(void) state;
	live_run(&c);
}

static void
test_dlv_bus_tcp(void **state)
{
	static const struct live_case c = { "mpc+tcp", true, true, 2 };
	(void) state;
	live_run(&c);
}

static void
test_plain_pair_tcp(void **state)
{
	static const struct live_case c = { "mpc+tcp", false, false, 2 };
	(void) state;
	live_run(&c);
}

static void
test_dlv_pair_tcp_dead1(void **state)
{
	static const struct live_case c = { "mpc+tcp", false, true, 1 };
	(void) state;
	live_run(&c);
}

static void
test_plain_bus_tls_dead1(void **state)
{
	static const struct live_case c = { "mpc+tls+tcp", true, false, 1 };
	(void) state;
	live_run(&c);
}

static int
group_setup(void **state)
{
	(void) state;
	tc_make("tran-live", 2);
	return (0);
}

static int
group_teardown(void **state)
{
	(void) state;
	tc_remove();
	return (0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dlv_pair_tcp),
		cmocka_unit_test(test_dlv_pair_tls),
		cmocka_unit_test(test_dlv_bus_tcp),
		cmocka_unit_test(test_plain_pair_tcp),
		cmocka_unit_test(test_dlv_pair_tcp_dead1),
		cmocka_unit_test(test_plain_bus_tls_dead1),
	};

	tu_register();
	return (cmocka_run_group_tests(tests, group_setup, group_teardown));
}
