/*
 * test_tran_deliver.c -- delivery streams over real sockets (mpc+tcp:// and
 * mpc+ipc://, pair1): exactly once and in order per sender across forced
 * reconnects in both directions at once, nothing lost by a close after a
 * burst (nng_mpc_socket_drain), backpressure from a full window with
 * nothing lost once the reader reads again, and the capability agreement
 * (delivery on one side only is refused).
 *
 * Reconnects are forced by closing the receiving side's pipe while the
 * other side is sending: what was in flight on that connection (written,
 * buffered in the kernel or the transport, held by the protocol) is lost
 * with it, and must come back through the stream.  The argument "cuts"
 * runs that test alone.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlv_nth.h"
#include "tran_util.h"

#include <nng/supplemental/util/platform.h>

static const char *
scheme_of(void **state)
{
	return (*state);
}

static nng_socket
rel_pair(uint32_t party, bool reliable)
{
	nng_socket s = tu_pair(party);
	bool       b = reliable;

	TU_PASS(nng_mpc_socket_set(s, NNG_OPT_MPC_RELIABLE, &b, sizeof(b)));
	return (s);
}

static uint32_t
check_nth(nng_msg *m)
{
	uint32_t i = dlv_nth_of(m);

	assert_int_not_equal(i, 0);
	return (i);
}

static void
test_exchange(void **state)
{
	const char *scheme = scheme_of(state);
	nng_socket  a      = rel_pair(1, true);
	nng_socket  b      = rel_pair(2, true);
	char        url[256];
	bool        on = false;

	tu_listen(a, scheme, url, sizeof(url), NULL);
	TU_PASS(nng_dial(b, url, NULL, 0));
	TU_PASS(nng_socket_get_bool(a, NNG_OPT_MPC_RELIABLE, &on));
	assert_true(on);
	/* In rounds of 200 each way: a receiver that does not read holds
	 * the sender back (the window), so this stays below it. */
	for (uint32_t i = 1; i <= 2000; i++) {
		nng_msg *m;
		nng_msg *n;
		uint32_t sender;

		if (i % 200 == 1) {
			for (uint32_t k = i; k < i + 200; k++) {
				TU_PASS(dlv_send_nth(a, k));
				TU_PASS(dlv_send_nth(b, k));
			}
		}
		m = tu_recv(b);
		n = tu_recv(a);

		assert_int_equal(check_nth(m), i);
		assert_int_equal(check_nth(n), i);
		TU_PASS(nng_mpc_msg_sender(m, &sender));
		assert_int_equal(sender, 1);
		if (i == 2000) {
			assert_int_equal(tu_pipe_ctr(nng_msg_get_pipe(m),
			                     NNG_OPT_MPC_DLV_DUPLICATES),
			    0);
			assert_int_equal(tu_pipe_ctr(nng_msg_get_pipe(m),
			                     NNG_OPT_MPC_DLV_REJECTED),
			    0);
		}
		nng_msg_free(m);
		nng_msg_free(n);
	}
	tu_recv_none(a, 100);
	tu_recv_none(b, 100);
	TU_PASS(nng_mpc_socket_drain(a, 5000, NULL));
	TU_PASS(nng_mpc_socket_drain(b, 5000, NULL));
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
}

/* Delivery on one side only: refused (both would otherwise believe
 * different things about what arrived). */
struct caps_wait {
	nng_listener l;
};

static bool
caps_refused(void *arg)
{
	struct caps_wait *w = arg;

	return (tu_listener_ctr(w->l, NNG_OPT_MPC_REJ_CAPS) >= 1);
}

static void
test_caps_mismatch(void **state)
{
	const char *     scheme = scheme_of(state);
	nng_socket       a      = rel_pair(1, true);
	nng_socket       b      = rel_pair(2, false);
	char             url[256];
	struct caps_wait w;

	tu_listen(a, scheme, url, sizeof(url), &w.l);
	assert_int_not_equal(nng_dial(b, url, NULL, 0), 0);
	tu_wait_until(caps_refused, &w);
	assert_int_equal(tu_pipes_seen(a), 0);
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
}

/* ---- both directions at once, with the receiving pipe closed under the
 * senders again and again -------------------------------------------- */

#define FLOW_N    10000u
#define FLOW_CUTS 20u

struct flow {
	nng_socket s;
	uint32_t   n;
	int        rv;      /* sender: first error */
	uint32_t   got;     /* receiver: messages delivered */
	uint32_t   wrong;   /* receiver: the number that broke the order */
	int        rerr;    /* receiver: the receive error that ended it */
	uint32_t   cuts;    /* receiver: pipes it closed */
	bool       cutter;  /* receiver closes its pipe now and then */
};

static void *
flow_send(void *arg)
{
	struct flow *f = arg;

	for (uint32_t i = 1; i <= f->n && f->rv == 0; i++) {
		f->rv = dlv_send_nth(f->s, i);
	}
	return (NULL);
}

static void *
flow_recv(void *arg)
{
	struct flow *f     = arg;
	uint32_t     every = f->n / (FLOW_CUTS + 1);

	while (f->got < f->n) {
		nng_msg *m = NULL;
		nng_pipe p;

		if ((f->rerr = nng_recvmsg(f->s, &m, 0)) != 0) {
			break;
		}
		/* In order, each once: anything else is a failure. */
		if (dlv_nth_of(m) != f->got + 1) {
			f->wrong = dlv_nth_of(m);
			nng_msg_free(m);
			break;
		}
		f->got++;
		p = nng_msg_get_pipe(m);
		nng_msg_free(m);
		if (f->cutter && (f->got % every == 0) &&
		    (f->cuts < FLOW_CUTS)) {
			f->cuts++;
			(void) nng_pipe_close(p);
		}
	}
	return (NULL);
}

static void
test_reconnects(void **state)
{
	const char *scheme = scheme_of(state);
	nng_socket  a      = rel_pair(1, true);
	nng_socket  b      = rel_pair(2, true);
	char        url[256];
	struct flow as = { .n = FLOW_N }, ar = { .n = FLOW_N };
	struct flow bs = { .n = FLOW_N }, br = { .n = FLOW_N, .cutter = true };
	pthread_t   t[4];

	/* Generous: a send waits through reconnects. */
	TU_PASS(nng_socket_set_ms(a, NNG_OPT_SENDTIMEO, 30000));
	TU_PASS(nng_socket_set_ms(b, NNG_OPT_SENDTIMEO, 30000));
	TU_PASS(nng_socket_set_ms(a, NNG_OPT_RECVTIMEO, 30000));
	TU_PASS(nng_socket_set_ms(b, NNG_OPT_RECVTIMEO, 30000));
	TU_PASS(nng_socket_set_ms(b, NNG_OPT_RECONNMINT, 10));
	tu_listen(a, scheme, url, sizeof(url), NULL);
	TU_PASS(nng_dial(b, url, NULL, 0));
	as.s = ar.s = a;
	bs.s = br.s = b;
	assert_int_equal(pthread_create(&t[0], NULL, flow_send, &as), 0);
	assert_int_equal(pthread_create(&t[1], NULL, flow_send, &bs), 0);
	assert_int_equal(pthread_create(&t[2], NULL, flow_recv, &ar), 0);
	assert_int_equal(pthread_create(&t[3], NULL, flow_recv, &br), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
	}
	print_message("%s: %u reconnects, %u + %u messages, each once in "
	              "order (ended by: %u/%d, %u/%d)\n",
	    scheme, br.cuts, ar.got, br.got, ar.wrong, ar.rerr, br.wrong,
	    br.rerr);
	assert_int_equal(as.rv, 0);
	assert_int_equal(bs.rv, 0);
	assert_int_equal(br.cuts, FLOW_CUTS);
	assert_int_equal(ar.got, FLOW_N);
	assert_int_equal(br.got, FLOW_N);
	/* Nothing after the last: no duplicate slipped through. */
	tu_recv_none(a, 200);
	tu_recv_none(b, 200);
	TU_PASS(nng_mpc_socket_drain(a, 10000, NULL));
	TU_PASS(nng_mpc_socket_drain(b, 10000, NULL));
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
}

/* Close right after a burst: drain, then close; every completed send
 * arrives. */
static void
test_close_after_burst(void **state)
{
	const char *scheme = scheme_of(state);
	nng_socket  a      = rel_pair(1, true);
	nng_socket  b      = rel_pair(2, true);
	char        url[256];
	uint64_t    pending = 99;

	struct flow br = { .n = 3000 };
	pthread_t   t;

	tu_listen(b, scheme, url, sizeof(url), NULL);
	TU_PASS(nng_dial(a, url, NULL, 0));
	br.s = b;
	assert_int_equal(pthread_create(&t, NULL, flow_recv, &br), 0);
	for (uint32_t i = 1; i <= br.n; i++) {
		TU_PASS(dlv_send_nth(a, i));
	}
	TU_PASS(nng_mpc_socket_drain(a, 10000, &pending));
	assert_int_equal(pending, 0);
	TU_PASS(nng_close(a));
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(br.got, br.n);
	tu_recv_none(b, 100);
	TU_PASS(nng_close(b));
}

/* A full window: the peer stops reading, the sender's sends wait and then
 * fail (NNG_ETIMEDOUT from the socket); drain reports what is pending
 * (NNG_MPC_EUNDELIVERED); once the peer reads, every send that succeeded
 * arrives, in order, once. */
static void
test_window_full(void **state)
{
	const char *scheme = scheme_of(state);
	nng_socket  a      = rel_pair(1, true);
	nng_socket  b      = rel_pair(2, true);
	char        url[256];
	int         win = 8;
	uint32_t    sent = 0;
	uint64_t    pending = 0;
	int         rv      = 0;

	TU_PASS(nng_mpc_socket_set(a, NNG_OPT_MPC_WINDOW_MSGS, &win,
	    sizeof(win)));
	TU_PASS(nng_socket_set_ms(a, NNG_OPT_SENDTIMEO, 200));
	tu_listen(b, scheme, url, sizeof(url), NULL);
	TU_PASS(nng_dial(a, url, NULL, 0));
	/* b reads nothing: its socket and transport fill, acks stop. */
	while (sent < 100000) {
		if ((rv = dlv_send_nth(a, sent + 1)) != 0) {
			break;
		}
		sent++;
	}
	assert_int_equal(rv, NNG_ETIMEDOUT);
	TU_EXPECT(NNG_MPC_EUNDELIVERED, nng_mpc_socket_drain(a, 50, &pending));
	assert_true(pending > 0);
	for (uint32_t i = 1; i <= sent; i++) {
		nng_msg *m = tu_recv(b);
		assert_int_equal(check_nth(m), i);
		nng_msg_free(m);
	}
	tu_recv_none(b, 100);
	TU_PASS(nng_mpc_socket_drain(a, 5000, &pending));
	assert_int_equal(pending, 0);
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
}

/* A full window across many pipe closes: each time the receiver closes
 * its pipe, the sender's protocol has one send waiting for window room on
 * the closing pipe, which it already reported sent; the stream keeps each
 * (beyond the window, then in its spill queue) and nothing is lost. */
struct churn {
	atomic_uint pipes;
	atomic_uint last; /* the newest pipe's ID */
};

static void
churn_ev(nng_pipe p, nng_pipe_ev ev, void *arg)
{
	struct churn *c = arg;

	(void) ev;
	atomic_store(&c->last, (unsigned) nng_pipe_id(p));
	atomic_fetch_add(&c->pipes, 1);
}

#define CHURN_CLOSES 24 /* past the ring's 16 beyond the window */

static void
test_window_churn(void **state)
{
	const char * scheme = scheme_of(state);
	nng_socket   a      = rel_pair(1, true);
	nng_socket   b      = rel_pair(2, true);
	char         url[256];
	int          win  = 8;
	uint32_t     sent = 0;
	uint64_t     pending;
	struct churn c = { 0 };

	TU_PASS(nng_mpc_socket_set(a, NNG_OPT_MPC_WINDOW_MSGS, &win,
	    sizeof(win)));
	TU_PASS(nng_socket_set_ms(a, NNG_OPT_SENDTIMEO, 50));
	TU_PASS(nng_socket_set_ms(a, NNG_OPT_RECONNMINT, 10));
	TU_PASS(nng_socket_set_ms(a, NNG_OPT_RECONNMAXT, 20));
	TU_PASS(nng_pipe_notify(b, NNG_PIPE_EV_ADD_POST, churn_ev, &c));
	tu_listen(b, scheme, url, sizeof(url), NULL);
	TU_PASS(nng_dial(a, url, NULL, 0));
	for (unsigned k = 0; k <= CHURN_CLOSES; k++) {
		nng_pipe p;
		unsigned seen;

		/* b reads nothing: a fills its window, then one more send
		 * waits on the pipe, then a send times out. */
		while (dlv_send_nth(a, sent + 1) == 0) {
			sent++;
		}
		if (k == CHURN_CLOSES) {
			break;
		}
		seen = atomic_load(&c.pipes);
		p    = (nng_pipe) NNG_PIPE_INITIALIZER;
		memcpy(&p, &(uint32_t) { atomic_load(&c.last) }, sizeof(p));
		TU_PASS(nng_pipe_close(p));
		for (int ms = 0; (atomic_load(&c.pipes) == seen) && (ms < 10000);
		     ms += 5) {
			nng_msleep(5);
		}
		assert_int_not_equal(atomic_load(&c.pipes), seen);
	}
	print_message("%s: %u sent across %d closes of a full window\n",
	    scheme, sent, CHURN_CLOSES);
	assert_true(sent > (uint32_t) win + CHURN_CLOSES);
	for (uint32_t i = 1; i <= sent; i++) {
		nng_msg *m = tu_recv(b);
		assert_int_equal(check_nth(m), i);
		nng_msg_free(m);
	}
	tu_recv_none(b, 100);
	TU_PASS(nng_mpc_socket_drain(a, 5000, &pending));
	assert_int_equal(pending, 0);
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
}

static void
test_options(void **state)
{
	nng_socket s = rel_pair(1, true);
	int        bad;
	size_t     sz = 100;

	(void) state;
	bad = 0;
	TU_EXPECT(NNG_EINVAL,
	    nng_mpc_socket_set(s, NNG_OPT_MPC_WINDOW_MSGS, &bad, sizeof(bad)));
	bad = 65537;
	TU_EXPECT(NNG_EINVAL,
	    nng_mpc_socket_set(s, NNG_OPT_MPC_WINDOW_MSGS, &bad, sizeof(bad)));
	TU_EXPECT(NNG_EINVAL,
	    nng_mpc_socket_set(s, NNG_OPT_MPC_WINDOW_BYTES, &sz, sizeof(sz)));
	TU_EXPECT(NNG_EINVAL, nng_mpc_socket_drain(s, -5, NULL));
	/* No endpoint: nothing kept, nothing to wait for. */
	TU_PASS(nng_mpc_socket_drain(s, 0, NULL));
	TU_PASS(nng_close(s));
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options),
		TU_BOTH(test_exchange),
		TU_BOTH(test_caps_mismatch),
		TU_BOTH(test_close_after_burst),
		TU_BOTH(test_window_full),
		TU_BOTH(test_reconnects),
		TU_BOTH(test_window_churn),
	};
	/* `test_tran_deliver cuts`: only the 10,000 messages each way
	 * across 20 forced reconnects (to run it in a loop). */
	const struct CMUnitTest cuts[] = {
		TU_BOTH(test_reconnects),
	};

	tu_register();
	if ((argc > 1) && (strcmp(argv[1], "cuts") == 0)) {
		return (cmocka_run_group_tests(cuts, NULL, NULL));
	}
	if (argc > 1) {
		cmocka_set_test_filter(argv[1]); /* e.g. "test_window_*" */
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
