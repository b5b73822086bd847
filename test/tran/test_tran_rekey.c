/*
 * test_tran_rekey.c -- in-band key rotation over mpc+tcp:// and
 * mpc+ipc:// (the channel does not depend on the stream): with a small
 * NNG_OPT_MPC_REKEY_MESSAGES both directions ratchet many times while
 * messages stream back to back; every message arrives once, in order, and
 * no frame is refused.  NNG_OPT_MPC_REKEY_INTERVAL rotates by time.
 */
#include <stdio.h>
#include <string.h>

#include "tran_util.h"

#include <nng/supplemental/util/platform.h>

static const char *
scheme_of(void **state)
{
	return (*state);
}

static void
check_clean(nng_pipe p)
{
	assert_int_equal(tu_pipe_ctr(p, NNG_OPT_MPC_AUTH_FAILURES), 0);
	assert_int_equal(tu_pipe_ctr(p, NNG_OPT_MPC_REPLAYS), 0);
	assert_int_equal(tu_pipe_ctr(p, NNG_OPT_MPC_DROP_EPOCH), 0);
}

static void
test_rekey_by_count(void **state)
{
	const char *scheme = scheme_of(state);
	nng_socket  a      = tu_pair(1);
	nng_socket  b      = tu_pair(2);
	uint64_t    every  = 7;
	int         n      = 1000;
	char        url[256];
	char        text[32];
	nng_msg *   m;
	nng_pipe    pa = NNG_PIPE_INITIALIZER;
	nng_pipe    pb = NNG_PIPE_INITIALIZER;

	TU_PASS(nng_mpc_socket_set(
	    a, NNG_OPT_MPC_REKEY_MESSAGES, &every, sizeof(every)));
	TU_PASS(nng_mpc_socket_set(
	    b, NNG_OPT_MPC_REKEY_MESSAGES, &every, sizeof(every)));
	/* Room for the whole burst in the socket queues. */
	TU_PASS(nng_socket_set_int(a, NNG_OPT_RECVBUF, 1024));
	TU_PASS(nng_socket_set_int(b, NNG_OPT_SENDBUF, 1024));
	tu_listen(a, scheme, url, sizeof(url), NULL);
	TU_PASS(nng_dial(b, url, NULL, 0));

	/* Back to back: frames of several epochs are in flight at once. */
	for (int i = 0; i < n; i++) {
		(void) snprintf(text, sizeof(text), "msg %d", i);
		tu_send(b, text, strlen(text) + 1, 0, 0);
	}
	for (int i = 0; i < n; i++) {
		(void) snprintf(text, sizeof(text), "msg %d", i);
		m = tu_recv(a);
		assert_string_equal(nng_msg_body(m), text);
		pa = nng_msg_get_pipe(m);
		nng_msg_free(m);
	}
	for (int i = 0; i < n; i++) {
		(void) snprintf(text, sizeof(text), "back %d", i);
		tu_send(a, text, strlen(text) + 1, 0, 0);
		m = tu_recv(b);
		assert_string_equal(nng_msg_body(m), text);
		pb = nng_msg_get_pipe(m);
		nng_msg_free(m);
	}
	tu_recv_none(a, 50);
	/* n frames at 7 per epoch: epoch (n - 1) / 7 on each side. */
	assert_int_equal(tu_pipe_ctr(pb, NNG_OPT_MPC_EPOCH), (n - 1) / every);
	assert_int_equal(tu_pipe_ctr(pa, NNG_OPT_MPC_EPOCH), (n - 1) / every);
	assert_int_equal(
	    tu_pipe_ctr(pa, NNG_OPT_MPC_RECV_EPOCH), (n - 1) / every);
	assert_int_equal(
	    tu_pipe_ctr(pb, NNG_OPT_MPC_RECV_EPOCH), (n - 1) / every);
	assert_int_equal(tu_pipe_ctr(pa, NNG_OPT_MPC_FRAMES_IN), n);
	assert_int_equal(tu_pipe_ctr(pb, NNG_OPT_MPC_FRAMES_IN), n);
	check_clean(pa);
	check_clean(pb);
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
}

static void
test_rekey_by_time(void **state)
{
	const char * scheme = scheme_of(state);
	nng_socket   a      = tu_pair(1);
	nng_socket   b      = tu_pair(2);
	nng_duration ival   = 1;
	char         url[256];
	nng_msg *    m;
	nng_pipe     pa = NNG_PIPE_INITIALIZER;

	TU_PASS(nng_mpc_socket_set(
	    b, NNG_OPT_MPC_REKEY_INTERVAL, &ival, sizeof(ival)));
	tu_listen(a, scheme, url, sizeof(url), NULL);
	TU_PASS(nng_dial(b, url, NULL, 0));
	for (int i = 0; i < 5; i++) {
		/* Each send comes more than one interval after the last. */
		nng_msleep(5);
		tu_send(b, "tick", 5, 0, 0);
		m  = tu_recv(a);
		pa = nng_msg_get_pipe(m);
		nng_msg_free(m);
	}
	/* The sender ratchets before frames 2..5 (never before it sent
	 * one frame of the current epoch); the receiver follows in band. */
	assert_int_equal(tu_pipe_ctr(pa, NNG_OPT_MPC_FRAMES_IN), 5);
	assert_int_equal(tu_pipe_ctr(pa, NNG_OPT_MPC_RECV_EPOCH), 4);
	assert_int_equal(tu_pipe_ctr(pa, NNG_OPT_MPC_EPOCH), 0);
	check_clean(pa);
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TU_BOTH(test_rekey_by_count),
		TU_BOTH(test_rekey_by_time),
	};

	tu_register();
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
