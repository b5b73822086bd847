/*
 * test_tran_bus.c -- addressed delivery on a bus0 mesh of three parties
 * over mpc+tcp:// and mpc+ipc://: broadcast reaches both others, a message
 * addressed to party 2 reaches party 2 only (never party 3), and the
 * skipped copies are counted on the pipes that did not write them.
 */
#include <string.h>

#include "tran_util.h"

static const char *
scheme_of(void **state)
{
	return (*state);
}

/* Receives one message and checks body, sender and recipient. */
static void
expect_msg(nng_socket s, const char *body, uint32_t from, uint32_t to,
    uint16_t type)
{
	nng_msg *m = tu_recv(s);
	uint32_t f, t;
	uint16_t ty;

	assert_int_equal(nng_msg_len(m), strlen(body) + 1);
	assert_string_equal(nng_msg_body(m), body);
	TU_PASS(nng_mpc_msg_sender(m, &f));
	TU_PASS(nng_mpc_msg_recipient(m, &t));
	TU_PASS(nng_mpc_msg_type(m, &ty));
	assert_int_equal(f, from);
	assert_int_equal(t, to);
	assert_int_equal(ty, type);
	nng_msg_free(m);
}

static void
send_str(nng_socket s, const char *body, uint16_t type, uint32_t to)
{
	tu_send(s, body, strlen(body) + 1, type, to);
}

/* The pipe of receiver (party rid) to sender (party sid): a unicast
 * probe from sender tells which pipe it arrived on. */
static nng_pipe
pipe_to(nng_socket sender, uint32_t sid, nng_socket receiver, uint32_t rid)
{
	nng_msg *m;
	nng_pipe p;
	int      peer;

	send_str(sender, "probe", NNG_MPC_MSG_HEARTBEAT, rid);
	m = tu_recv(receiver);
	assert_string_equal(nng_msg_body(m), "probe");
	p = nng_msg_get_pipe(m);
	nng_msg_free(m);
	TU_PASS(nng_pipe_get_int(p, NNG_OPT_MPC_PEER_PARTY_ID, &peer));
	assert_int_equal(peer, sid);
	return (p);
}

static void
test_mesh(void **state)
{
	const char *scheme = scheme_of(state);
	nng_socket  s1     = tu_bus(1);
	nng_socket  s2     = tu_bus(2);
	nng_socket  s3     = tu_bus(3);
	char        url1[256];
	char        url2[256];
	nng_pipe    p1to3;
	uint64_t    skipped;

	/* Each pair connected once: the higher ID dials the lower. */
	tu_listen(s1, scheme, url1, sizeof(url1), NULL);
	tu_listen(s2, scheme, url2, sizeof(url2), NULL);
	TU_PASS(nng_dial(s2, url1, NULL, 0));
	TU_PASS(nng_dial(s3, url1, NULL, 0));
	TU_PASS(nng_dial(s3, url2, NULL, 0));
	tu_wait_pipes(s1, 2);
	tu_wait_pipes(s2, 2);
	tu_wait_pipes(s3, 2);

	/* Broadcast from 1: both others get it. */
	send_str(s1, "round1 broadcast", NNG_MPC_MSG_DKG_ROUND1,
	    NNG_MPC_PARTY_BROADCAST);
	expect_msg(s2, "round1 broadcast", 1, NNG_MPC_PARTY_BROADCAST,
	    NNG_MPC_MSG_DKG_ROUND1);
	expect_msg(s3, "round1 broadcast", 1, NNG_MPC_PARTY_BROADCAST,
	    NNG_MPC_MSG_DKG_ROUND1);

	/* A default message (no envelope) is a broadcast too. */
	send_str(s2, "plain", 0, 0);
	expect_msg(s1, "plain", 2, NNG_MPC_PARTY_BROADCAST,
	    NNG_MPC_MSG_APP_DEFAULT);
	expect_msg(s3, "plain", 2, NNG_MPC_PARTY_BROADCAST,
	    NNG_MPC_MSG_APP_DEFAULT);

	p1to3 = pipe_to(s3, 3, s1, 1);
	skipped = tu_pipe_ctr(p1to3, NNG_OPT_MPC_SEND_SKIPPED);

	/* Unicast from 1 to 2: 2 gets it, 3 never does. */
	for (int i = 0; i < 20; i++) {
		send_str(s1, "secret share for 2", NNG_MPC_MSG_DKG_ROUND2, 2);
		expect_msg(s2, "secret share for 2", 1, 2,
		    NNG_MPC_MSG_DKG_ROUND2);
	}
	/* Unicast from 3 to 2 and from 2 to 3. */
	send_str(s3, "from 3 to 2", NNG_MPC_MSG_SIGN_ROUND1, 2);
	expect_msg(s2, "from 3 to 2", 3, 2, NNG_MPC_MSG_SIGN_ROUND1);
	send_str(s2, "from 2 to 3", NNG_MPC_MSG_SIGN_ROUND1, 3);
	expect_msg(s3, "from 2 to 3", 2, 3, NNG_MPC_MSG_SIGN_ROUND1);
	/* Party 3 received nothing of the 20 unicasts to 2... */
	tu_recv_none(s3, 200);
	tu_recv_none(s1, 50);
	/* ...because 1's pipe to 3 skipped each copy. */
	assert_int_equal(
	    tu_pipe_ctr(p1to3, NNG_OPT_MPC_SEND_SKIPPED), skipped + 20);
	assert_int_equal(tu_pipe_ctr(p1to3, NNG_OPT_MPC_SEND_DROPPED), 0);

	/* Addressed to a party not connected: written nowhere. */
	send_str(s1, "to 9", NNG_MPC_MSG_ACK, 9);
	/* Addressed to ourselves: dropped and counted. */
	send_str(s1, "to me", NNG_MPC_MSG_ACK, 1);
	tu_recv_none(s2, 100);
	tu_recv_none(s3, 100);
	assert_int_equal(tu_pipe_ctr(p1to3, NNG_OPT_MPC_SEND_DROPPED), 1);

	TU_PASS(nng_close(s1));
	TU_PASS(nng_close(s2));
	TU_PASS(nng_close(s3));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TU_BOTH(test_mesh),
	};

	tu_register();
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
