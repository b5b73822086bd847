/*
 * test_tran_senderr.c -- nng_mpc_sendmsg over real sockets (mpc+tcp:// and
 * mpc+tls+tcp:// with certificates made for the test; bus0 and pair1):
 * no silent success.  Each error: its code, that the message is still the
 * caller's, and that nothing arrived; a full window blocks the sender and
 * then fails with NNG_MPC_EWINDOWFULL, and once the reader reads again it
 * gets every accepted message exactly once and in order; a party that is
 * not connected is waited for and then NNG_MPC_ENOTCONNECTED, or gets the
 * message when it connects during the wait; ourselves and parties outside
 * the session fail at once (with an infinite send timeout); a plain
 * nng_sendmsg on bus0 that no stream can keep is counted.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "tran_certs.h"
#include "tran_util.h"

#include <nng/supplemental/util/platform.h>

static int
setup_tcp(void **state)
{
	*state = "mpc+tcp";
	return (0);
}

static int
setup_tls(void **state)
{
	*state = "mpc+tls+tcp";
	return (0);
}

#define SE_BOTH(fn)                                  \
	cmocka_unit_test_setup(fn, setup_tcp),       \
	    cmocka_unit_test_setup(fn, setup_tls)

static int
group_setup(void **state)
{
	(void) state;
	tc_make("tran-senderr", 4);
	tu_register();
	return (0);
}

static int
group_teardown(void **state)
{
	(void) state;
	tc_remove();
	return (0);
}

/* A bus0 (else pair1) socket of party id with delivery on, over the
 * test's scheme (TLS: the party's certificate). */
static nng_socket
sock(void **state, uint32_t id, bool bus)
{
	nng_socket s = bus ? tu_bus(id) : tu_pair(id);
	bool       on = true;
	char       cert[32];

	TU_PASS(nng_mpc_socket_set(s, NNG_OPT_MPC_RELIABLE, &on, sizeof(on)));
	if (strcmp(*state, "mpc+tls+tcp") == 0) {
		(void) snprintf(cert, sizeof(cert), "party%u.pem", id);
		tc_tls(s, cert);
	}
	return (s);
}

static nng_msg *
addressed(uint32_t to, uint32_t n)
{
	nng_msg *m;

	TU_PASS(nng_msg_alloc(&m, 0));
	TU_PASS(nng_msg_append_u32(m, n));
	TU_PASS(nng_mpc_msg_set_type(m, NNG_MPC_MSG_APP_DEFAULT));
	TU_PASS(nng_mpc_msg_set_recipient(m, to));
	return (m);
}

/* Receives message n from party from. */
static void
recv_nth(nng_socket s, uint32_t from, uint32_t n)
{
	nng_msg *m = tu_recv(s);
	uint32_t v;
	uint32_t sender;

	TU_PASS(nng_mpc_msg_sender(m, &sender));
	assert_int_equal(sender, from);
	TU_PASS(nng_msg_trim_u32(m, &v));
	assert_int_equal(v, n);
	assert_int_equal(nng_msg_len(m), 0);
	nng_msg_free(m);
}

/* Fails with want, and the message stays the caller's. */
static void
send_fails(nng_socket s, uint32_t to, int flags, int want)
{
	nng_msg *m = addressed(to, 99);

	TU_EXPECT(want, nng_mpc_sendmsg(s, m, flags));
	assert_int_equal(nng_msg_len(m), NNG_MPC_ENVELOPE_OUT_SIZE + 4);
	nng_msg_free(m);
}

static void
send_ok(nng_socket s, uint32_t to, uint32_t n)
{
	TU_PASS(nng_mpc_sendmsg(s, addressed(to, n), 0));
}

/* a (party 1, listening) with b (party 2) connected. */
static void
connected(void **state, bool bus, nng_socket *a, nng_socket *b, char *url,
    size_t cap)
{
	*a = sock(state, 1, bus);
	*b = sock(state, 2, bus);
	tu_listen(*a, *state, url, cap, NULL);
	TU_PASS(nng_dial(*b, url, NULL, 0));
	tu_wait_pipes(*a, 1);
	send_ok(*a, 2, 1); /* the stream is up both ways */
	recv_nth(*b, 1, 1);
}

static void
test_at_once(void **state)
{
	nng_socket a;
	nng_socket b;
	char       url[256];
	const char allow[] = "1-4";
	const char deny[]  = "4";

	connected(state, true, &a, &b, url, sizeof(url));
	TU_PASS(nng_socket_set_ms(a, NNG_OPT_SENDTIMEO, NNG_DURATION_INFINITE));
	TU_PASS(nng_socket_set(a, NNG_OPT_MPC_ALLOW_PARTIES, allow, sizeof(allow)));
	TU_PASS(nng_socket_set(a, NNG_OPT_MPC_DENY_PARTIES, deny, sizeof(deny)));
	/* No wait, though the send timeout is infinite. */
	send_fails(a, 1, 0, NNG_MPC_ESENDSELF);
	send_fails(a, 9, 0, NNG_MPC_ENOTINSESSION);
	send_fails(a, 4, 0, NNG_MPC_ENOTINSESSION);
	tu_recv_none(b, 100);
	send_ok(a, 2, 2);
	recv_nth(b, 1, 2);
	TU_PASS(nng_close(b));
	TU_PASS(nng_close(a));
}

static void
test_setup_errors(void **state)
{
	nng_socket s;
	nng_msg *  m;
	bool       on = true;

	(void) state;
	TU_PASS(nng_bus0_open(&s));
	TU_EXPECT(NNG_EINVAL, nng_mpc_sendmsg(s, NULL, 0));
	send_fails(s, 2, 0, NNG_MPC_ENOPARTYID);
	TU_PASS(nng_close(s));

	/* A raw socket has its own headers: not ours to make. */
	TU_PASS(nng_pair1_open_raw(&s));
	tu_socket_mpc(s, 1, tu_sid, tu_key);
	TU_PASS(nng_mpc_socket_set(s, NNG_OPT_MPC_RELIABLE, &on, sizeof(on)));
	send_fails(s, 2, 0, NNG_MPC_ESENDPROTO);
	/* A damaged envelope is refused as nng_mpc_msg_set_recipient would. */
	TU_PASS(nng_msg_alloc(&m, 0));
	TU_PASS(nng_msg_append(m, "\x89MPCENV\x01\x00", 9));
	TU_EXPECT(NNG_MPC_EENVSHORT, nng_mpc_sendmsg(s, m, 0));
	nng_msg_free(m);
	TU_PASS(nng_close(s));
}

static void
test_not_connected(void **state)
{
	nng_socket a;
	nng_socket b;
	char       url[256];

	connected(state, true, &a, &b, url, sizeof(url));
	TU_PASS(nng_socket_set_ms(a, NNG_OPT_SENDTIMEO, 200));
	send_fails(a, 3, 0, NNG_MPC_ENOTCONNECTED);
	send_fails(a, 3, NNG_FLAG_NONBLOCK, NNG_MPC_ENOTCONNECTED);
	tu_recv_none(b, 100);
	TU_PASS(nng_close(b));
	/* Nobody left: a broadcast has no one to go to either. */
	tu_wait_pipes(a, 0);
	send_fails(a, NNG_MPC_PARTY_BROADCAST, 0, NNG_MPC_ENOTCONNECTED);
	send_fails(a, 2, 0, NNG_MPC_ENOTCONNECTED);
	TU_PASS(nng_close(a));
}

struct late {
	void *     state;
	const char *url;
	nng_socket c;
	int        rv; /* the dial's result, asserted by the test's thread */
};

/* CMocka's assertions only work on the test's own thread: this one
 * records its result instead. */
static void *
late_dial(void *arg)
{
	struct late *l = arg;

	nng_msleep(300);
	l->rv = nng_dial(l->c, l->url, NULL, 0);
	return (NULL);
}

static void
test_connects_during_wait(void **state)
{
	nng_socket  a;
	nng_socket  b;
	char        url[256];
	struct late l;
	pthread_t   t;

	connected(state, true, &a, &b, url, sizeof(url));
	l.state = state;
	l.url   = url;
	l.c     = sock(state, 3, true);
	TU_PASS(nng_socket_set_ms(a, NNG_OPT_SENDTIMEO, 20000));
	assert_int_equal(pthread_create(&t, NULL, late_dial, &l), 0);
	send_ok(a, 3, 7); /* waits for party 3 */
	recv_nth(l.c, 1, 7);
	assert_int_equal(pthread_join(t, NULL), 0);
	TU_PASS(l.rv);
	tu_recv_none(b, 100); /* addressed: only party 3 */

	/* A broadcast goes to both, once each. */
	TU_PASS(nng_mpc_sendmsg(a, addressed(NNG_MPC_PARTY_BROADCAST, 8), 0));
	recv_nth(b, 1, 8);
	recv_nth(l.c, 1, 8);
	tu_recv_none(b, 50);
	tu_recv_none(l.c, 50);
	TU_PASS(nng_close(l.c));
	TU_PASS(nng_close(b));
	TU_PASS(nng_close(a));
}

/* The reader stops reading: the sender blocks until the send timeout,
 * then NNG_MPC_EWINDOWFULL; reading again brings every accepted message
 * once, in order, and room for more. */
static void
window_full(void **state, bool bus)
{
	nng_socket a = sock(state, 1, bus);
	nng_socket b = sock(state, 2, bus);
	char       url[256];
	int        win = 8;
	uint32_t   n;
	int        rv = 0;

	TU_PASS(nng_mpc_socket_set(
	    a, NNG_OPT_MPC_WINDOW_MSGS, &win, sizeof(win)));
	TU_PASS(nng_socket_set_int(b, NNG_OPT_RECVBUF, 1));
	tu_listen(a, *state, url, sizeof(url), NULL);
	TU_PASS(nng_dial(b, url, NULL, 0));
	tu_wait_pipes(a, 1);
	TU_PASS(nng_socket_set_ms(a, NNG_OPT_SENDTIMEO, 300));
	for (n = 1; n < 10000; n++) {
		nng_msg *m = addressed(2, n);

		if ((rv = nng_mpc_sendmsg(a, m, 0)) != 0) {
			nng_msg_free(m);
			break;
		}
	}
	TU_EXPECT(NNG_MPC_EWINDOWFULL, rv);
	assert_true(n > (uint32_t) win); /* the window, at least, went */
	send_fails(a, 2, NNG_FLAG_NONBLOCK, NNG_MPC_EWINDOWFULL);
	for (uint32_t k = 1; k < n; k++) {
		recv_nth(b, 1, k);
	}
	tu_recv_none(b, 100);
	TU_PASS(nng_socket_set_ms(a, NNG_OPT_SENDTIMEO, 5000));
	send_ok(a, 2, n);
	recv_nth(b, 1, n);
	TU_PASS(nng_close(b));
	TU_PASS(nng_close(a));
}

static void
test_window_full_bus(void **state)
{
	window_full(state, true);
}

static void
test_window_full_pair(void **state)
{
	window_full(state, false);
}

/* A plain nng_sendmsg on bus0 for a party with no connection, or for
 * ourselves: lost (bus0 completed the send), but counted on every pipe
 * that was handed a copy. */
static void
test_plain_bus_counted(void **state)
{
	nng_socket a;
	nng_socket b;
	char       url[256];
	nng_msg *  m;
	nng_pipe   p;

	connected(state, true, &a, &b, url, sizeof(url));
	send_ok(b, 1, 3);
	m = tu_recv(a);
	p = nng_msg_get_pipe(m);
	nng_msg_free(m);
	assert_int_equal(tu_pipe_ctr(p, NNG_OPT_MPC_DLV_UNROUTED), 0);
	TU_PASS(nng_sendmsg(a, addressed(3, 4), 0));
	tu_wait_pipe_ctr(p, NNG_OPT_MPC_DLV_UNROUTED, 1);
	TU_PASS(nng_sendmsg(a, addressed(1, 5), 0));
	tu_wait_pipe_ctr(p, NNG_OPT_MPC_DLV_UNROUTED, 2);
	tu_recv_none(b, 100);
	/* Addressed to the connected party: kept, delivered, not counted. */
	TU_PASS(nng_sendmsg(a, addressed(2, 6), 0));
	recv_nth(b, 1, 6);
	assert_int_equal(tu_pipe_ctr(p, NNG_OPT_MPC_DLV_UNROUTED), 2);
	TU_PASS(nng_close(b));
	TU_PASS(nng_close(a));
}

/* Without delivery it is nng_sendmsg after the checks made at once. */
static void
test_without_delivery(void **state)
{
	nng_socket a = tu_bus(1);
	nng_socket b = tu_bus(2);
	char       url[256];

	(void) state;
	tu_listen(a, "mpc+tcp", url, sizeof(url), NULL);
	TU_PASS(nng_dial(b, url, NULL, 0));
	tu_wait_pipes(a, 1);
	send_fails(a, 1, 0, NNG_MPC_ESENDSELF);
	send_ok(a, 2, 5);
	recv_nth(b, 1, 5);
	TU_PASS(nng_close(b));
	TU_PASS(nng_close(a));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_setup_errors),
		cmocka_unit_test(test_without_delivery),
		SE_BOTH(test_at_once),
		SE_BOTH(test_not_connected),
		SE_BOTH(test_connects_during_wait),
		SE_BOTH(test_window_full_bus),
		SE_BOTH(test_window_full_pair),
		SE_BOTH(test_plain_bus_counted),
	};

	return (cmocka_run_group_tests(tests, group_setup, group_teardown));
}
