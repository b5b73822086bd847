/*
 * test_tran_reconnect -- a party whose connection breaks under load must be
 * able to connect again and carry messages.
 *
 *   - reset under load: a pair1 dialer (party 2) streams 1 KiB messages as
 *     fast as pair1 lets it, through a TCP relay (test/util/relay.h), to a
 *     pair1 listener (party 1) that receives them; the relay resets every
 *     connection 10 times.  After the last reset the dialer must connect
 *     again and messages must flow within a bounded wait.  Over mpc+tcp://
 *     and mpc+tls+tcp://.
 *   - black hole: the relay stops forwarding with both connections left
 *     open; nothing arrives meanwhile, and once it forwards again the same
 *     connection carries messages on, in order.  Today no side notices a
 *     silent peer (a pipe stays up as long as its stream does); a
 *     liveness check (heartbeats) would close it instead.
 *
 * Waits poll with a deadline for state other threads change; nothing here
 * asserts how fast anything happens.
 */
#include <arpa/inet.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "relay.h"
#include "tran_certs.h"
#include "tran_util.h"

#include <nng/supplemental/util/platform.h>

#define MSG_SIZE 1024
#define RESETS 10
#define RESET_GAP_MS 200   /* pacing between resets, not a measurement */
#define FLOW_WAIT_MS 15000 /* messages must flow again within this */
#define FLOW_MSGS 100      /* ... this many of them */
#define BLACKHOLE_MS 500

static int
group_setup(void **state)
{
	(void) state;
	tc_make("tran-reconnect", 2);
	return (0);
}

static int
group_teardown(void **state)
{
	(void) state;
	tc_remove();
	return (0);
}

/* ---- the two parties and the relay between them ---------------------- */

struct link {
	const char   *scheme;
	nng_socket    lsock; /* party 1, listens, receives */
	nng_socket    dsock; /* party 2, dials through the relay, sends */
	nng_listener  l;
	nng_dialer    d;
	struct relay *relay;
	nng_thread   *sender;
	nng_thread   *receiver;
	atomic_bool   stop;
	atomic_ulong  sent;     /* sends pair1 accepted */
	atomic_ulong  received; /* messages the listener got */
	atomic_ulong  disorder; /* a sequence number not above the last, or a wrong size */
};

static nng_socket
party(const char *scheme, uint32_t id)
{
	nng_socket s = tu_pair(id);
	char       name[32];

	if (strcmp(scheme, "mpc+tls+tcp") == 0) {
		(void) snprintf(name, sizeof(name), "party%u.pem", id);
		tc_tls(s, name);
	}
	return (s);
}

/* Sends 1 KiB messages numbered from 1 as fast as pair1 takes them; a
 * short send timeout keeps the loop responsive to stop while no pipe is
 * there to take them. */
static void
sender_main(void *arg)
{
	struct link *k   = arg;
	uint64_t     seq = 0;

	while (!atomic_load(&k->stop)) {
		nng_msg *m;

		/* No CMocka assertion off the test's thread. */
		if (nng_msg_alloc(&m, MSG_SIZE) != 0) {
			continue;
		}
		memset(nng_msg_body(m), 0xa5, MSG_SIZE);
		memcpy(nng_msg_body(m), &(uint64_t) { seq + 1 }, sizeof(seq));
		if (nng_sendmsg(k->dsock, m, 0) != 0) {
			nng_msg_free(m);
			continue;
		}
		seq++;
		atomic_fetch_add(&k->sent, 1);
	}
}

/* Receives and counts; sequence numbers must only grow (pair1 may lose
 * messages with a connection, never reorder or repeat them). */
static void
receiver_main(void *arg)
{
	struct link *k    = arg;
	uint64_t     last = 0;

	while (!atomic_load(&k->stop)) {
		nng_msg *m;
		uint64_t seq;

		if (nng_recvmsg(k->lsock, &m, 0) != 0) {
			continue;
		}
		/* Counted, not asserted: this is not the test's thread. */
		if (nng_msg_len(m) != MSG_SIZE) {
			atomic_fetch_add(&k->disorder, 1);
			nng_msg_free(m);
			continue;
		}
		memcpy(&seq, nng_msg_body(m), sizeof(seq));
		if (seq <= last) {
			atomic_fetch_add(&k->disorder, 1);
		}
		last = seq;
		nng_msg_free(m);
		atomic_fetch_add(&k->received, 1);
	}
}

static void
link_up(struct link *k, const char *scheme)
{
	char     url[256];
	uint16_t lport, rport;

	memset(k, 0, sizeof(*k));
	k->scheme = scheme;
	k->lsock  = party(scheme, 1);
	k->dsock  = party(scheme, 2);
	TU_PASS(nng_socket_set_ms(k->lsock, NNG_OPT_RECVTIMEO, 100));
	TU_PASS(nng_socket_set_ms(k->dsock, NNG_OPT_SENDTIMEO, 10));
	tu_listen(k->lsock, scheme, url, sizeof(url), &k->l);
	lport    = (uint16_t) atoi(strrchr(url, ':') + 1);
	k->relay = relay_start("127.0.0.1", lport, &rport);
	(void) snprintf(
	    url, sizeof(url), "%s://127.0.0.1:%u", scheme, (unsigned) rport);
	TU_PASS(nng_dial(k->dsock, url, &k->d, NNG_FLAG_NONBLOCK));
	tu_wait_pipes(k->lsock, 1);
	TU_PASS(nng_thread_create(&k->receiver, receiver_main, k));
	TU_PASS(nng_thread_create(&k->sender, sender_main, k));
}

static void
link_down(struct link *k)
{
	atomic_store(&k->stop, true);
	nng_thread_destroy(k->sender);
	nng_thread_destroy(k->receiver);
	TU_PASS(nng_close(k->dsock));
	TU_PASS(nng_close(k->lsock));
	relay_stop(k->relay);
}

/* Waits up to ms until n more messages than `from` were received. */
static bool
flows(struct link *k, unsigned long from, unsigned long n, int ms)
{
	for (int waited = 0; waited < ms; waited += 10) {
		if (atomic_load(&k->received) >= from + n) {
			return (true);
		}
		nng_msleep(10);
	}
	return (atomic_load(&k->received) >= from + n);
}

/* Waits up to ms until the relay has a connection open (the dialer got
 * through to it); no assertion: a party locked out still connects. */
static void
relay_busy(struct link *k, int ms)
{
	struct relay_stats st;

	for (int waited = 0; waited < ms; waited += 10) {
		relay_stats(k->relay, &st);
		if (st.open > 0) {
			return;
		}
		nng_msleep(10);
	}
}

/* Waits up to ms until received stops growing for quiet_ms; returns the
 * count then. */
static unsigned long
quiet(struct link *k, int quiet_ms, int ms)
{
	unsigned long last  = atomic_load(&k->received);
	int           still = 0;

	for (int waited = 0; waited < ms && still < quiet_ms; waited += 10) {
		unsigned long now;

		nng_msleep(10);
		now   = atomic_load(&k->received);
		still = now == last ? still + 10 : 0;
		last  = now;
	}
	assert_true(still >= quiet_ms);
	return (last);
}

/* ---- reset under load ------------------------------------------------ */

static void
reset_under_load(const char *scheme)
{
	struct link        k;
	struct relay_stats st;
	unsigned long      after;
	uint64_t           dup;

	link_up(&k, scheme);
	/* Load first: the resets must hit a connection that is busy. */
	assert_true(flows(&k, 0, FLOW_MSGS, FLOW_WAIT_MS));
	for (int i = 0; i < RESETS; i++) {
		relay_busy(&k, FLOW_WAIT_MS);
		relay_reset(k.relay);
		nng_msleep(RESET_GAP_MS);
	}
	after = atomic_load(&k.received);
	if (!flows(&k, after, FLOW_MSGS, FLOW_WAIT_MS)) {
		relay_stats(k.relay, &st);
		dup = tu_listener_ctr(k.l, NNG_OPT_MPC_REJ_DUPLICATE);
		fail_msg(
		    "%s: no messages for %d ms after %d resets: %lu sent, "
		    "%lu received (%lu at the last reset); the listener "
		    "refused the party's reconnects as duplicate %llu "
		    "times; relay: %llu connections, %llu reset, %u open",
		    k.scheme, FLOW_WAIT_MS, RESETS, atomic_load(&k.sent),
		    atomic_load(&k.received), after, (unsigned long long) dup,
		    (unsigned long long) st.accepted,
		    (unsigned long long) st.resets, st.open);
	}
	assert_int_equal(atomic_load(&k.disorder), 0);
	relay_stats(k.relay, &st);
	assert_true(st.resets >= 1);
	link_down(&k);
}

/* ---- black hole -------------------------------------------------------- */

static void
black_hole(const char *scheme)
{
	struct link        k;
	struct relay_stats st;
	unsigned long      during;

	link_up(&k, scheme);
	assert_true(flows(&k, 0, FLOW_MSGS, FLOW_WAIT_MS));
	relay_blackhole(k.relay, true);
	/* What was in flight drains, then nothing comes (bounded wait for
	 * BLACKHOLE_MS without a message)... */
	during = quiet(&k, BLACKHOLE_MS, FLOW_WAIT_MS);
	/* ...and nobody noticed: both pipes are still up (no liveness
	 * check), the connection was never replaced. */
	assert_int_equal(tu_pipes_seen(k.lsock), 1);
	relay_blackhole(k.relay, false);
	assert_true(flows(&k, during, FLOW_MSGS, FLOW_WAIT_MS));
	assert_int_equal(atomic_load(&k.disorder), 0);
	relay_stats(k.relay, &st);
	assert_int_equal(st.accepted, 1);
	assert_int_equal(st.resets, 0);
	link_down(&k);
}

static void
test_reset_tcp(void **state)
{
	(void) state;
	reset_under_load("mpc+tcp");
}

static void
test_reset_tls(void **state)
{
	(void) state;
	reset_under_load("mpc+tls+tcp");
}

static void
test_black_hole_tcp(void **state)
{
	(void) state;
	black_hole("mpc+tcp");
}

static void
test_black_hole_tls(void **state)
{
	(void) state;
	black_hole("mpc+tls+tcp");
}

/* argv[1], when given, selects tests by name (a cmocka pattern such as
 * "test_reset_*"), so the build can register each case on its own. */
int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_tcp),
		cmocka_unit_test(test_reset_tls),
		cmocka_unit_test(test_black_hole_tcp),
		cmocka_unit_test(test_black_hole_tls),
	};

	if (argc > 1) {
		cmocka_set_test_filter(argv[1]);
	}
	tu_register();
	return (cmocka_run_group_tests(tests, group_setup, group_teardown));
}
