/*
 * test_dlv_faults.c -- delivery streams through a fault-injecting TCP
 * relay (test/util/relay.h), over mpc+tcp:// and mpc+tls+tcp://, pair1:
 * 10,000 messages each way at once while the relay breaks the connection
 * 20 times, cycling through its faults:
 *
 *   - cut: the connection forwards a few hundred more bytes, then is reset
 *     (lost mid-frame);
 *   - reset: both sides get a RST at once;
 *   - black hole: nothing is forwarded, the connection stays up; the
 *     heartbeats (100 ms, dead after 2) close the pipe;
 *   - delay: every chunk is held 20 ms for a while, then the delayed
 *     connection is reset with data in flight.
 *
 * Each fault is one forced reconnect (the dialer's pipe is replaced).
 * A burst closed right after its drain, with a reset and a mid-frame cut
 * during it: every completed send arrives.
 * And the same exchange with the dialing party in a child process (this
 * program, argument "child") that is SIGSTOPped until the heartbeats drop
 * its pipe, then continued -- twice.
 * Every message must arrive exactly once and in order per sender: nothing
 * lost, nothing duplicated.  The receivers check order themselves (a gap
 * or a repeat ends them); the totals are asserted at the end.
 *
 * Threading: two senders and two receivers (plain threads that never
 * assert; they record what ended them), the fault driver on the main
 * thread.  No timing is asserted; waits have generous deadlines.
 */
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlv_nth.h"
#include "proc.h"
#include "relay.h"
#include "tran_certs.h"
#include "tran_util.h"

#include <nng/supplemental/util/platform.h>

#define FAULT_N      10000u /* messages each way */
#define FAULT_ROUNDS 20u    /* forced reconnects */
#define FAULT_WAIT   20000  /* ms: deadline of any one wait */

struct flow {
	nng_socket   s;
	atomic_uint *paced; /* sender: faults so far (FAULT_ROUNDS: unpaced) */
	atomic_uint  done; /* sent / received so far */
	uint32_t     wrong; /* receiver: the number that broke the order */
	int          rv;    /* the error that ended it */
};

static void *
flow_send(void *arg)
{
	struct flow *f = arg;

	for (uint32_t i = 1; i <= FAULT_N; i++) {
		/* Paced against the faults, so they spread over the whole
		 * exchange: message i waits for fault i / (N / ROUNDS) - 1. */
		while ((atomic_load(f->paced) < FAULT_ROUNDS) &&
		    (i > (atomic_load(f->paced) + 1) * (FAULT_N / FAULT_ROUNDS))) {
			nng_msleep(1);
		}
		if ((f->rv = dlv_send_nth(f->s, i)) != 0) {
			break;
		}
		atomic_store(&f->done, i);
	}
	return (NULL);
}

static void *
flow_recv(void *arg)
{
	struct flow *f   = arg;
	uint32_t     got = 0;

	while (got < FAULT_N) {
		nng_msg *m;

		if ((f->rv = nng_recvmsg(f->s, &m, 0)) != 0) {
			break;
		}
		if (dlv_nth_of(m) != got + 1) {
			f->wrong = dlv_nth_of(m);
			nng_msg_free(m);
			break;
		}
		nng_msg_free(m);
		atomic_store(&f->done, ++got);
	}
	return (NULL);
}

/* ---- the parties, the relay, the pipes the listener saw --------------- */

struct rig {
	nng_socket    a; /* party 1: listens */
	nng_socket    b; /* party 2: dials through the relay */
	struct relay *relay;
	atomic_uint   added; /* pipes the listener got */
	atomic_uint   removed;
	atomic_uint   rounds; /* faults so far */
	struct flow   as, ar, bs, br;
};

static void
rig_pipe_ev(nng_pipe p, nng_pipe_ev ev, void *arg)
{
	struct rig *g = arg;

	(void) p;
	atomic_fetch_add(ev == NNG_PIPE_EV_ADD_POST ? &g->added : &g->removed,
	    1);
}

static nng_socket
rig_party(const char *scheme, uint32_t id)
{
	nng_socket   s  = tu_pair(id);
	bool         on = true;
	nng_duration hb = 100;
	int          dead = 2;
	char         name[32];

	TU_PASS(nng_mpc_socket_set(s, NNG_OPT_MPC_RELIABLE, &on, sizeof(on)));
	TU_PASS(nng_mpc_socket_set(s, NNG_OPT_MPC_HEARTBEAT, &hb, sizeof(hb)));
	TU_PASS(nng_mpc_socket_set(
	    s, NNG_OPT_MPC_DEAD_AFTER, &dead, sizeof(dead)));
	/* Generous: a send or receive waits through reconnects. */
	TU_PASS(nng_socket_set_ms(s, NNG_OPT_SENDTIMEO, FAULT_WAIT));
	TU_PASS(nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, FAULT_WAIT));
	TU_PASS(nng_socket_set_ms(s, NNG_OPT_RECONNMINT, 10));
	TU_PASS(nng_socket_set_ms(s, NNG_OPT_RECONNMAXT, 50));
	if (strcmp(scheme, "mpc+tls+tcp") == 0) {
		(void) snprintf(name, sizeof(name), "party%u.pem", id);
		tc_tls(s, name);
	}
	return (s);
}

static void
rig_up(struct rig *g, const char *scheme)
{
	char     url[256];
	uint16_t lport, rport;

	memset(g, 0, sizeof(*g));
	g->a = rig_party(scheme, 1);
	g->b = rig_party(scheme, 2);
	TU_PASS(nng_pipe_notify(g->a, NNG_PIPE_EV_ADD_POST, rig_pipe_ev, g));
	TU_PASS(nng_pipe_notify(g->a, NNG_PIPE_EV_REM_POST, rig_pipe_ev, g));
	tu_listen(g->a, scheme, url, sizeof(url), NULL);
	lport    = (uint16_t) atoi(strrchr(url, ':') + 1);
	g->relay = relay_start("127.0.0.1", lport, &rport);
	(void) snprintf(
	    url, sizeof(url), "%s://127.0.0.1:%u", scheme, (unsigned) rport);
	TU_PASS(nng_dial(g->b, url, NULL, 0));
	g->as.paced = g->bs.paced = &g->rounds;
	g->as.s = g->ar.s = g->a;
	g->bs.s = g->br.s = g->b;
}

/* Waits until cond(g, arg) or the deadline; returns cond's last value. */
static bool
rig_wait(bool (*cond)(struct rig *, unsigned), struct rig *g, unsigned arg)
{
	for (int ms = 0; ms < FAULT_WAIT; ms += 5) {
		if (cond(g, arg)) {
			return (true);
		}
		nng_msleep(5);
	}
	return (cond(g, arg));
}

static bool
more_pipes(struct rig *g, unsigned n)
{
	return (atomic_load(&g->added) > n);
}

static bool
pipe_gone(struct rig *g, unsigned n)
{
	return (atomic_load(&g->removed) > n);
}

static unsigned
delivered(struct rig *g)
{
	return (atomic_load(&g->ar.done) + atomic_load(&g->br.done));
}

/* Messages moved since the last fault, or both receivers finished. */
static bool
progressed(struct rig *g, unsigned from)
{
	return ((delivered(g) >= from + FAULT_N / FAULT_ROUNDS) ||
	    (delivered(g) == 2 * FAULT_N));
}

static bool
relay_reset_seen(struct rig *g, unsigned n)
{
	struct relay_stats st;

	relay_stats(g->relay, &st);
	return (st.resets > n);
}

/* One fault of the cycle, then waits for the pipe that replaces the
 * broken one.  Returns false if something did not happen in time. */
static bool
fault(struct rig *g, unsigned round)
{
	unsigned           added   = atomic_load(&g->added);
	unsigned           removed = atomic_load(&g->removed);
	struct relay_stats st;
	bool               ok = true;

	relay_stats(g->relay, &st);
	switch (round % 4) {
	case 0: /* cut mid-frame */
		relay_cut(g->relay, 100 + (round * 37u) % 400u);
		ok = rig_wait(relay_reset_seen, g, (unsigned) st.resets);
		relay_cut(g->relay, 0);
		break;
	case 1:
		relay_reset(g->relay);
		break;
	case 2: /* black hole until the heartbeats close the pipe */
		relay_blackhole(g->relay, true);
		ok = rig_wait(pipe_gone, g, removed);
		relay_blackhole(g->relay, false);
		relay_reset(g->relay); /* the silent connection's remains */
		break;
	default: /* delayed, then reset with data held in the relay */
		relay_delay(g->relay, 20);
		nng_msleep(100);
		relay_reset(g->relay);
		relay_delay(g->relay, 0);
		break;
	}
	return (ok && rig_wait(more_pipes, g, added));
}

static void
faults(const char *scheme)
{
	struct rig g;
	pthread_t  t[4];
	unsigned   rounds;

	rig_up(&g, scheme);
	assert_true(rig_wait(more_pipes, &g, 0));
	assert_int_equal(pthread_create(&t[0], NULL, flow_send, &g.as), 0);
	assert_int_equal(pthread_create(&t[1], NULL, flow_send, &g.bs), 0);
	assert_int_equal(pthread_create(&t[2], NULL, flow_recv, &g.ar), 0);
	assert_int_equal(pthread_create(&t[3], NULL, flow_recv, &g.br), 0);
	for (rounds = 0; rounds < FAULT_ROUNDS; rounds++) {
		unsigned from = delivered(&g);
		if (!rig_wait(progressed, &g, from) ||
		    (delivered(&g) == 2 * FAULT_N) || !fault(&g, rounds)) {
			break;
		}
		atomic_store(&g.rounds, rounds + 1);
	}
	atomic_store(&g.rounds, FAULT_ROUNDS); /* the senders go on alone */
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
	}
	print_message("%s: %u faults (%u pipes), %u + %u messages, each once "
	              "in order (ended by: %u/%d, %u/%d)\n",
	    scheme, rounds, atomic_load(&g.added), atomic_load(&g.ar.done),
	    atomic_load(&g.br.done), g.ar.wrong, g.ar.rv, g.br.wrong,
	    g.br.rv);
	assert_int_equal(g.as.rv, 0);
	assert_int_equal(g.bs.rv, 0);
	assert_int_equal(atomic_load(&g.ar.done), FAULT_N);
	assert_int_equal(atomic_load(&g.br.done), FAULT_N);
	assert_int_equal(rounds, FAULT_ROUNDS);
	/* Nothing after the last: no duplicate slipped through. */
	tu_recv_none(g.a, 200);
	tu_recv_none(g.b, 200);
	TU_PASS(nng_mpc_socket_drain(g.a, FAULT_WAIT, NULL));
	TU_PASS(nng_mpc_socket_drain(g.b, FAULT_WAIT, NULL));
	TU_PASS(nng_close(g.b));
	TU_PASS(nng_close(g.a));
	relay_stop(g.relay);
}

/* ---- close right after a burst ---------------------------------------- */

/* A sends FAULT_N as fast as it can while the relay resets the connection
 * a third of the way and cuts it mid-frame two thirds of the way; right
 * after the last send it drains and closes.  Every send that completed
 * arrives, once, in order. */
static void
test_burst_close(void **state)
{
	struct rig         g;
	pthread_t          t;
	uint64_t           pending = 1;
	struct relay_stats st;

	(void) state;
	rig_up(&g, "mpc+tcp");
	assert_true(rig_wait(more_pipes, &g, 0));
	assert_int_equal(pthread_create(&t, NULL, flow_recv, &g.br), 0);
	for (uint32_t i = 1; i <= FAULT_N; i++) {
		TU_PASS(dlv_send_nth(g.a, i));
		if (i == FAULT_N / 3) {
			relay_reset(g.relay);
		} else if (i == 2 * FAULT_N / 3) {
			relay_stats(g.relay, &st);
			relay_cut(g.relay, 150);
			(void) rig_wait(relay_reset_seen, &g, (unsigned) st.resets);
			relay_cut(g.relay, 0);
		}
	}
	TU_PASS(nng_mpc_socket_drain(g.a, FAULT_WAIT, &pending));
	assert_int_equal(pending, 0);
	TU_PASS(nng_close(g.a));
	assert_int_equal(pthread_join(t, NULL), 0);
	print_message("mpc+tcp burst of %u, reset and cut during it, closed "
	              "after the drain: %u delivered, each once in order "
	              "(ended by: %u/%d)\n",
	    FAULT_N, atomic_load(&g.br.done), g.br.wrong, g.br.rv);
	assert_int_equal(atomic_load(&g.br.done), FAULT_N);
	tu_recv_none(g.b, 100);
	TU_PASS(nng_close(g.b));
	relay_stop(g.relay);
}

/* ---- one party in a child process, stopped and continued ------------- */

/* The child: party 2, dials url, sends and receives FAULT_N, waits until
 * its sends are acknowledged, prints "child: GOT WRONG RV", keeps its
 * socket open until its stdin ends (the parent's own drain needs our
 * acknowledgements), and exits 0 if every message arrived once and in
 * order. */
static int
child_main(const char *url)
{
	static atomic_uint unpaced = FAULT_ROUNDS;
	struct flow        fs = { .paced = &unpaced }, fr = { 0 };
	pthread_t          t[2];
	int                rv;

	tu_register();
	fs.s = fr.s = rig_party("mpc+tcp", 2);
	if ((rv = nng_dial(fs.s, url, NULL, 0)) != 0 ||
	    pthread_create(&t[0], NULL, flow_send, &fs) != 0 ||
	    pthread_create(&t[1], NULL, flow_recv, &fr) != 0) {
		printf("child: setup %d\n", rv);
		return (1);
	}
	(void) pthread_join(t[0], NULL);
	(void) pthread_join(t[1], NULL);
	if ((rv = fs.rv) == 0) {
		rv = nng_mpc_socket_drain(fs.s, FAULT_WAIT, NULL);
	}
	printf("child: %u %u %d\n", atomic_load(&fr.done), fr.wrong,
	    rv != 0 ? rv : fr.rv);
	(void) fflush(stdout);
	while (getchar() != EOF) {
	}
	(void) nng_close(fs.s);
	return ((atomic_load(&fr.done) == FAULT_N) && (rv == 0) ? 0 : 1);
}

static const char *self_exe = "/proc/self/exe";

static void
test_sigstop(void **state)
{
	static atomic_uint unpaced = FAULT_ROUNDS;
	struct rig         g;
	struct nngmpc_proc child;
	struct nngmpc_proc_spec spec = { .in = NNGMPC_PROC_PIPE,
		.out = NNGMPC_PROC_PIPE, .file = self_exe };
	char               url[256];
	char *             argv[] = { "test_dlv_faults", "child", url, NULL };
	pthread_t          t[2];
	const char *       line;
	unsigned           got = 0, wrong = 1;
	int                crv = -1;

	(void) state;
	memset(&g, 0, sizeof(g));
	g.a = rig_party("mpc+tcp", 1);
	TU_PASS(nng_pipe_notify(g.a, NNG_PIPE_EV_ADD_POST, rig_pipe_ev, &g));
	TU_PASS(nng_pipe_notify(g.a, NNG_PIPE_EV_REM_POST, rig_pipe_ev, &g));
	tu_listen(g.a, "mpc+tcp", url, sizeof(url), NULL);
	g.as.s = g.ar.s = g.a;
	g.as.paced      = &unpaced;
	assert_int_equal(nngmpc_proc_spawn(&child, argv, &spec), 0);
	assert_true(rig_wait(more_pipes, &g, 0));
	assert_int_equal(pthread_create(&t[0], NULL, flow_send, &g.as), 0);
	assert_int_equal(pthread_create(&t[1], NULL, flow_recv, &g.ar), 0);
	for (unsigned k = 1; k <= 2; k++) {
		unsigned removed = atomic_load(&g.removed);
		unsigned added   = atomic_load(&g.added);

		/* A third of the way, then two thirds: stopped mid-flow (the
		 * receiver's counter only: its other fields are its own until
		 * it is joined). */
		for (int ms = 0; (atomic_load(&g.ar.done) < k * FAULT_N / 3) &&
		     (ms < FAULT_WAIT);
		     ms++) {
			nng_msleep(1);
		}
		nngmpc_proc_signal(&child, SIGSTOP);
		assert_true(rig_wait(pipe_gone, &g, removed));
		nngmpc_proc_signal(&child, SIGCONT);
		assert_true(rig_wait(more_pipes, &g, added));
	}
	assert_int_equal(pthread_join(t[0], NULL), 0);
	assert_int_equal(pthread_join(t[1], NULL), 0);
	line = nngmpc_proc_read_until(&child, "child: ", true, FAULT_WAIT);
	assert_non_null(line);
	assert_int_equal(sscanf(line, "child: %u %u %d", &got, &wrong, &crv), 3);
	print_message("mpc+tcp, peer stopped twice: %u pipes, %u + %u "
	              "messages, each once in order (ended by: %u/%d, %u/%d)\n",
	    atomic_load(&g.added), atomic_load(&g.ar.done), got, g.ar.wrong,
	    g.ar.rv, wrong, crv);
	assert_int_equal(g.as.rv, 0);
	assert_int_equal(atomic_load(&g.ar.done), FAULT_N);
	assert_int_equal(got, FAULT_N);
	assert_int_equal(wrong, 0);
	assert_int_equal(crv, 0);
	TU_PASS(nng_mpc_socket_drain(g.a, FAULT_WAIT, NULL));
	nngmpc_proc_close_in(&child);
	assert_int_equal(nngmpc_proc_reap(&child, FAULT_WAIT), 0);
	tu_recv_none(g.a, 100);
	TU_PASS(nng_close(g.a));
}

static void
test_faults_tcp(void **state)
{
	(void) state;
	faults("mpc+tcp");
}

static void
test_faults_tls(void **state)
{
	(void) state;
	faults("mpc+tls+tcp");
}

static int
group_setup(void **state)
{
	(void) state;
	tc_make("dlv-faults", 2);
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
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_faults_tcp),
		cmocka_unit_test(test_faults_tls),
		cmocka_unit_test(test_sigstop),
		cmocka_unit_test(test_burst_close),
	};

	if ((argc == 3) && (strcmp(argv[1], "child") == 0)) {
		return (child_main(argv[2]));
	}
	tu_register();
	return (cmocka_run_group_tests(tests, group_setup, group_teardown));
}
