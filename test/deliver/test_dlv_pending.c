/*
 * test_dlv_pending.c -- nng_mpc_socket_pending over a real mpc+tcp://
 * connection (pair1, delivery streams on both sides): the peer's
 * application reads nothing and its receive buffer holds one message, so
 * the protocol stops taking more and the rest stay unacknowledged: the
 * count is that party's, no other party's, and the whole socket's; once
 * the peer reads, the drain ends with nothing pending.  Rounds of a short
 * exchange each way, each ended by a drain: the drain asks the party for
 * its ack (an ACKREQ record) and ends with nothing pending every time.
 * Arguments the call refuses: NNG_EINVAL.  A socket without delivery
 * streams keeps nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <nng/nng.h>

#include "nng_mpc.h"
#include "tran_util.h"

#define SENT 20

static nng_socket
rel_pair(uint32_t party)
{
	nng_socket s = tu_pair(party);
	bool       b = true;

	TU_PASS(nng_mpc_socket_set(s, NNG_OPT_MPC_RELIABLE, &b, sizeof(b)));
	return (s);
}

static void
test_pending_per_party(void **state)
{
	nng_socket a = rel_pair(1);
	nng_socket b = rel_pair(2);
	char       url[256];
	uint64_t   n2 = 0, n3 = 99, all = 0, left = 99;
	int        got = 0;

	(void) state;
	TU_PASS(nng_socket_set_int(b, NNG_OPT_RECVBUF, 1));
	tu_listen(b, "mpc+tcp", url, sizeof(url), NULL);
	TU_PASS(nng_dial(a, url, NULL, 0));
	tu_wait_pipes(a, 1);
	for (int i = 0; i < SENT; i++) {
		tu_send(a, "m", 1, 0, 0);
	}
	/* At most what b's buffer and its pipe hold was acknowledged. */
	TU_EXPECT(NNG_MPC_EUNDELIVERED, nng_mpc_socket_drain(a, 200, &all));
	TU_PASS(nng_mpc_socket_pending(a, 2, &n2));
	TU_PASS(nng_mpc_socket_pending(a, 3, &n3));
	assert_true(n2 > 0 && n2 <= SENT);
	assert_int_equal(n3, 0);
	TU_PASS(nng_mpc_socket_pending(a, NNG_MPC_PARTY_BROADCAST, &all));
	assert_int_equal(all, n2);

	TU_EXPECT(NNG_EINVAL, nng_mpc_socket_pending(a, 2, NULL));
	TU_EXPECT(NNG_EINVAL, nng_mpc_socket_pending(a, 0, &n3));

	for (got = 0; got < SENT; got++) {
		nng_msg_free(tu_recv(b));
	}
	TU_PASS(nng_mpc_socket_drain(a, 10000, &left));
	assert_int_equal(left, 0);
	TU_PASS(nng_mpc_socket_pending(a, 2, &n2));
	assert_int_equal(n2, 0);
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
}

/* Rounds as an MPC protocol runs them: a few messages each way, read,
 * then a drain on both sides.  Every drain ends with nothing pending
 * (well within its bound: the parties ack on request, not after their
 * delayed ack; no timing is asserted). */
static void
test_drain_after_short_rounds(void **state)
{
	nng_socket a = rel_pair(1);
	nng_socket b = rel_pair(2);
	char       url[256];
	uint64_t   left;

	(void) state;
	tu_listen(b, "mpc+tcp", url, sizeof(url), NULL);
	TU_PASS(nng_dial(a, url, NULL, 0));
	tu_wait_pipes(a, 1);
	for (int round = 0; round < 10; round++) {
		for (int i = 0; i < 5; i++) {
			tu_send(a, "m", 1, 0, 0);
			tu_send(b, "n", 1, 0, 0);
		}
		for (int i = 0; i < 5; i++) {
			nng_msg_free(tu_recv(b));
			nng_msg_free(tu_recv(a));
		}
		left = 99;
		TU_PASS(nng_mpc_socket_drain(a, 10000, &left));
		assert_int_equal(left, 0);
		left = 99;
		TU_PASS(nng_mpc_socket_drain(b, 10000, &left));
		assert_int_equal(left, 0);
	}
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
}

/* No delivery streams (and no mpc+* endpoint at all): nothing kept. */
static void
test_pending_without_streams(void **state)
{
	nng_socket s = tu_pair(1);
	uint64_t   n = 99;

	(void) state;
	TU_PASS(nng_mpc_socket_pending(s, 2, &n));
	assert_int_equal(n, 0);
	TU_PASS(nng_close(s));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pending_per_party),
		cmocka_unit_test(test_drain_after_short_rounds),
		cmocka_unit_test(test_pending_without_streams),
	};

	tu_register();
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
