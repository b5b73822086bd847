/*
 * test_echo_dlv.c -- echo broadcast with delivery streams: both
 * NNG_OPT_MPC_BROADCAST_ECHO and NNG_OPT_MPC_RELIABLE on, over
 * mpc+tls+tcp:// bus0 meshes with certificates made at test time, links
 * through the fault relay (test/util/relay.h) where a test breaks them:
 *   - honest broadcasts (nng_mpc_sendmsg and nng_sendmsg, alternately)
 *     across forced reconnects: each one delivered exactly once at every
 *     other party, nothing rejected, nothing timed out;
 *   - an equivocating party (NNG_OPT_MPC_BROADCAST_EQUIVOCATE) is still
 *     detected through either send: nothing delivered, the report at
 *     every honest party, evidence `nngmpc evidence verify` accepts;
 *   - a party cut off during broadcasts gets each of them, once, when it
 *     is back (kept on its streams by the senders, with the echoes owed
 *     to it);
 *   - echoes that arrive before their sender's certificate wait (not
 *     rejected) and are verified when it comes; past 64 waiting one is
 *     dropped and reported (NNG_MPC_EECHOFULL, its sender, sequence and
 *     echoer), and the broadcasts they were for are never delivered.
 * No timing is asserted: every wait is for a state, with a bound.
 *
 * argv[1]: the nngmpc executable.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_verify.h"
#include "relay.h"
#include "tran_certs.h"
#include "tran_util.h"

#define NP_MAX  4
#define ROUNDS  30 /* honest rounds across reconnects */
#define RESET_EVERY 5
#define PEND_MAX 64 /* echoes that may wait for a certificate */

static const char *tool;

/* A bus0 socket of party id: certificate, echo and delivery streams. */
static nng_socket
party(uint32_t id, nng_duration bcast_timeout)
{
	nng_socket   s    = tu_bus(id);
	bool         on   = true;
	nng_duration hb   = 100;
	int          dead = 10;
	char         name[32];

	(void) snprintf(name, sizeof(name), "party%u.pem", id);
	tc_tls(s, name);
	TU_PASS(nng_mpc_socket_set(
	    s, NNG_OPT_MPC_BROADCAST_ECHO, &on, sizeof(on)));
	TU_PASS(nng_mpc_socket_set(s, NNG_OPT_MPC_RELIABLE, &on, sizeof(on)));
	if (bcast_timeout > 0) {
		TU_PASS(nng_mpc_socket_set(s, NNG_OPT_MPC_BROADCAST_TIMEOUT,
		    &bcast_timeout, sizeof(bcast_timeout)));
	}
	/* NNG 1.5.2's TLS stream can lose a reset (README, Admission):
	 * heartbeats end such a pipe, so the party reconnects.  A second
	 * without an answer: idle pipes with delivery streams outlive it
	 * on this machine, with 200 ms they were closed over and over. */
	TU_PASS(nng_mpc_socket_set(s, NNG_OPT_MPC_HEARTBEAT, &hb, sizeof(hb)));
	TU_PASS(nng_mpc_socket_set(
	    s, NNG_OPT_MPC_DEAD_AFTER, &dead, sizeof(dead)));
	/* Room for a round of broadcasts (README, Echo broadcast): a pipe
	 * whose message waits for a full receive queue reads nothing more,
	 * so it would neither echo nor notice a lost reset. */
	TU_PASS(nng_socket_set_int(s, NNG_OPT_RECVBUF, 256));
	/* Generous: sends and receives wait through reconnects. */
	TU_PASS(nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, 10000));
	TU_PASS(nng_socket_set_ms(s, NNG_OPT_SENDTIMEO, 10000));
	TU_PASS(nng_socket_set_ms(s, NNG_OPT_RECONNMINT, 10));
	TU_PASS(nng_socket_set_ms(s, NNG_OPT_RECONNMAXT, 50));
	return (s);
}

/* n parties; party i+1 dials every lower party j+1, through relay
 * r[i][j] when `relayed` says so for that link, else directly. */
struct net {
	int           n;
	nng_socket    s[NP_MAX];
	char          url[NP_MAX][256];
	struct relay *r[NP_MAX][NP_MAX];
};

static void
net_listen(struct net *g, int n, nng_duration bcast_timeout)
{
	memset(g, 0, sizeof(*g));
	g->n = n;
	for (int i = 0; i < n; i++) {
		g->s[i] = party((uint32_t) i + 1, bcast_timeout);
		tu_listen(g->s[i], "mpc+tls+tcp", g->url[i], sizeof(g->url[i]),
		    NULL);
	}
}

/* Party i+1 dials party j+1 (directly, or through a new relay). */
static void
net_link(struct net *g, int i, int j, bool relayed)
{
	char     via[256];
	int      port;
	uint16_t rport;

	if (!relayed) {
		TU_PASS(nng_dial(g->s[i], g->url[j], NULL, NNG_FLAG_NONBLOCK));
		return;
	}
	assert_int_equal(sscanf(strrchr(g->url[j], ':') + 1, "%d", &port), 1);
	g->r[i][j] = relay_start("127.0.0.1", (uint16_t) port, &rport);
	(void) snprintf(via, sizeof(via), "mpc+tls+tcp://127.0.0.1:%u",
	    (unsigned) rport);
	TU_PASS(nng_dial(g->s[i], via, NULL, NNG_FLAG_NONBLOCK));
}

static void
net_mesh(struct net *g, int n, bool relayed)
{
	net_listen(g, n, 0);
	for (int i = 0; i < n; i++) {
		for (int j = 0; j < i; j++) {
			net_link(g, i, j, relayed);
		}
	}
	for (int i = 0; i < n; i++) {
		tu_wait_pipes(g->s[i], n - 1);
	}
}

static void
net_down(struct net *g)
{
	for (int i = 0; i < g->n; i++) {
		TU_PASS(nng_close(g->s[i]));
	}
	for (int i = 0; i < NP_MAX; i++) {
		for (int j = 0; j < NP_MAX; j++) {
			if (g->r[i][j] != NULL) {
				relay_stop(g->r[i][j]);
			}
		}
	}
}

/* A broadcast of body, through nng_mpc_sendmsg (mpc) or nng_sendmsg. */
static void
bsend(nng_socket s, const char *body, bool mpc)
{
	nng_msg *m;

	TU_PASS(nng_msg_alloc(&m, 0));
	TU_PASS(nng_msg_append(m, body, strlen(body) + 1));
	TU_PASS(nng_mpc_msg_set_type(m, NNG_MPC_MSG_SIGN_ROUND1));
	TU_PASS(nng_mpc_msg_set_recipient(m, NNG_MPC_PARTY_BROADCAST));
	if (mpc) {
		TU_PASS(nng_mpc_sendmsg(s, m, 0));
	} else {
		TU_PASS(nng_sendmsg(s, m, 0));
	}
}

/* The next message of s: its body into buf, its sender returned. */
static uint32_t
brecv(nng_socket s, char *buf, size_t cap)
{
	nng_msg *m = tu_recv(s);
	uint32_t from;

	TU_PASS(nng_mpc_msg_sender(m, &from));
	assert_true(nng_msg_len(m) > 0);
	assert_true(nng_msg_len(m) <= cap);
	memcpy(buf, nng_msg_body(m), nng_msg_len(m));
	assert_int_equal(buf[nng_msg_len(m) - 1], '\0');
	nng_msg_free(m);
	return (from);
}

static void
expect_body(nng_socket s, const char *body, uint32_t from)
{
	char buf[128];

	assert_int_equal(brecv(s, buf, sizeof(buf)), from);
	assert_string_equal(buf, body);
}

static nng_mpc_echo_report *
report(nng_socket s)
{
	nng_mpc_echo_report *rep = calloc(1, sizeof(*rep));

	assert_non_null(rep);
	(void) nng_mpc_echo_report_get(s, rep);
	return (rep);
}

/* Waits until a field of s's report reaches a value. */
struct rep_wait {
	nng_socket s;
	size_t     off; /* offsetof the uint64_t field */
	uint64_t   want;
};

static bool
rep_reached(void *arg)
{
	struct rep_wait *    w   = arg;
	nng_mpc_echo_report *rep = report(w->s);
	uint64_t             v;

	memcpy(&v, (const char *) rep + w->off, sizeof(v));
	free(rep);
	return (v >= w->want);
}

#define WAIT_REP(sock, field, value)                                   \
	do {                                                           \
		struct rep_wait w_ = { (sock),                         \
			offsetof(nng_mpc_echo_report, field), (value) }; \
		tu_wait_until(rep_reached, &w_);                       \
	} while (0)

/* Nothing more to receive at s, which delivered `delivered` broadcasts
 * and rejected, dropped, missed or timed out none. */
static void
expect_clean(nng_socket s, uint64_t delivered)
{
	nng_mpc_echo_report *rep;

	tu_recv_none(s, 300);
	rep = report(s);
	assert_int_equal(rep->delivered, delivered);
	assert_int_equal(rep->equivocations, 0);
	assert_int_equal(rep->rejected, 0);
	assert_int_equal(rep->timeouts, 0);
	assert_int_equal(rep->dropped, 0);
	assert_int_equal(rep->unkept, 0);
	free(rep);
}

/* ---------------------------------------------------------------------- */

/* Three parties, every link through a relay; each round every party
 * broadcasts once (rounds alternate nng_mpc_sendmsg and nng_sendmsg), and
 * every RESET_EVERY rounds one link is reset right after the sends, so
 * broadcasts and echoes are in flight while it reconnects. */
static void
test_honest_reconnects(void **state)
{
	static bool got[3][3][ROUNDS]; /* [receiver][sender][round] */
	struct net  g;
	int         link = 0;
	const int   links[3][2] = { { 1, 0 }, { 2, 0 }, { 2, 1 } };

	(void) state;
	memset(got, 0, sizeof(got));
	net_mesh(&g, 3, true);
	for (int r = 0; r < ROUNDS; r++) {
		bool mpc = (r % 2) == 0;

		if (!mpc) {
			/* bus0 drops its copy for a pipe that closes before
			 * the transport took it (README): plain sends go
			 * once every link is back. */
			for (int i = 0; i < 3; i++) {
				tu_wait_pipes(g.s[i], 2);
			}
		}
		for (int i = 0; i < 3; i++) {
			char body[32];
			(void) snprintf(body, sizeof(body), "%d:%d", i + 1, r);
			bsend(g.s[i], body, mpc);
		}
		if ((r % RESET_EVERY) == 0) {
			const int *l = links[link++ % 3];
			relay_reset(g.r[l[0]][l[1]]);
		}
		for (int i = 0; i < 3; i++) {
			for (int k = 0; k < 2; k++) {
				char     buf[32];
				uint32_t from = brecv(g.s[i], buf, sizeof(buf));
				int      sender, round;

				assert_int_equal(
				    sscanf(buf, "%d:%d", &sender, &round), 2);
				assert_int_equal((uint32_t) sender, from);
				assert_true((sender >= 1) && (sender <= 3) &&
				    (sender != i + 1));
				assert_true((round >= 0) && (round <= r));
				/* Exactly once. */
				assert_false(got[i][sender - 1][round]);
				got[i][sender - 1][round] = true;
			}
		}
	}
	for (int i = 0; i < 3; i++) {
		expect_clean(g.s[i], 2 * ROUNDS);
	}
	net_down(&g);
}

/* `nngmpc evidence verify` accepts rep's evidence as party 1's. */
static void
verify(const nng_mpc_echo_report *rep)
{
	char  ca[512];
	char  evf[512];
	char *out;

	(void) snprintf(ca, sizeof(ca), "%s", tc_path("ca.pem"));
	(void) snprintf(evf, sizeof(evf), "%s", tc_path("ev-dlv.bin"));
	assert_int_equal(ev_verify(tool, rep, ca, evf, &out), 0);
	assert_non_null(strstr(out, "evidence: party 1 equivocated"));
	free(out);
}

/* Party 1 of four equivocates twice (nng_mpc_sendmsg, then nng_sendmsg);
 * with delivery streams too every honest party catches both. */
static void
test_equivocation(void **state)
{
	struct net g;
	int        two = 2;

	(void) state;
	net_listen(&g, 4, 0);
	TU_PASS(nng_mpc_socket_set(
	    g.s[0], NNG_OPT_MPC_BROADCAST_EQUIVOCATE, &two, sizeof(two)));
	for (int i = 0; i < 4; i++) {
		for (int j = 0; j < i; j++) {
			net_link(&g, i, j, false);
		}
	}
	for (int i = 0; i < 4; i++) {
		tu_wait_pipes(g.s[i], 3);
	}
	bsend(g.s[0], "share for everyone: 42", true);
	for (int i = 1; i < 4; i++) {
		WAIT_REP(g.s[i], equivocations, 1);
	}
	bsend(g.s[0], "share for everyone: 43", false);
	for (int i = 1; i < 4; i++) {
		nng_mpc_echo_report *rep;

		WAIT_REP(g.s[i], equivocations, 2);
		/* Nobody delivers either payload of either broadcast. */
		tu_recv_none(g.s[i], 300);
		rep = calloc(1, sizeof(*rep));
		assert_non_null(rep);
		TU_EXPECT(NNG_MPC_EEQUIVOCATION,
		    nng_mpc_echo_report_get(g.s[i], rep));
		assert_int_equal(rep->equivocations, 2);
		assert_int_equal(rep->delivered, 0);
		assert_int_equal(rep->sender, 1);
		assert_int_equal(rep->type, NNG_MPC_MSG_SIGN_ROUND1);
		assert_int_equal(rep->seq, 2);
		assert_memory_not_equal(rep->digest[0], rep->digest[1], 32);
		assert_int_equal(rep->proven, 1);
		assert_true(rep->evidence_len > 0);
		verify(rep);
		free(rep);
	}
	/* Honest again: delivered once everywhere. */
	bsend(g.s[0], "honest now", true);
	for (int i = 1; i < 4; i++) {
		expect_body(g.s[i], "honest now", 1);
		tu_recv_none(g.s[i], 200);
	}
	net_down(&g);
}

/* Party 3 reaches parties 1 and 2 through relays that are then cut
 * (every connection reset after one byte): while it is away party 1
 * broadcasts with nng_mpc_sendmsg and party 2 with nng_sendmsg; once the
 * relays let it in again, party 3 gets both, once each. */
static void
test_absent(void **state)
{
	struct net g;
	char       buf[64];
	bool       seen[2] = { false, false };

	(void) state;
	net_listen(&g, 3, 0);
	net_link(&g, 1, 0, false);
	net_link(&g, 2, 0, true);
	net_link(&g, 2, 1, true);
	for (int i = 0; i < 3; i++) {
		tu_wait_pipes(g.s[i], 2);
	}
	/* Every party met every other (streams and certificates). */
	for (int i = 0; i < 3; i++) {
		(void) snprintf(buf, sizeof(buf), "hello from %d", i + 1);
		bsend(g.s[i], buf, true);
	}
	for (int i = 0; i < 3; i++) {
		for (int k = 0; k < 2; k++) {
			(void) brecv(g.s[i], buf, sizeof(buf));
		}
	}
	relay_cut(g.r[2][0], 1);
	relay_cut(g.r[2][1], 1);
	tu_wait_pipes(g.s[2], 0);
	tu_wait_pipes(g.s[0], 1);
	tu_wait_pipes(g.s[1], 1);
	bsend(g.s[0], "while 3 is away, from 1", true);
	bsend(g.s[1], "while 3 is away, from 2", false);
	expect_body(g.s[1], "while 3 is away, from 1", 1);
	expect_body(g.s[0], "while 3 is away, from 2", 2);
	tu_recv_none(g.s[2], 200);
	relay_cut(g.r[2][0], 0);
	relay_cut(g.r[2][1], 0);
	for (int k = 0; k < 2; k++) {
		uint32_t from = brecv(g.s[2], buf, sizeof(buf));

		assert_true((from == 1) || (from == 2));
		assert_false(seen[from - 1]);
		seen[from - 1] = true;
		assert_non_null(strstr(buf, "while 3 is away"));
	}
	/* The greetings, and one (2 for party 3) while it was away. */
	for (int i = 0; i < 3; i++) {
		expect_clean(g.s[i], i == 2 ? 4 : 3);
	}
	net_down(&g);
}

/* Parties 1-2 and 2-3 are linked, 1-3 not yet: party 3 gets party 2's
 * echoes of party 1's broadcasts before it ever saw party 1's
 * certificate.  64 wait, the 65th is dropped and reported; when party 3
 * meets party 1 every waiting echo is verified (none rejected).  Party 1's
 * earlier broadcasts never reach party 3 (they were made before it knew
 * party 3), so they time out everywhere and none is delivered; the next
 * broadcast is delivered once at both. */
static void
test_echo_before_cert(void **state)
{
	struct net           g;
	nng_mpc_echo_report *rep;
	char                 body[32];

	(void) state;
	net_listen(&g, 3, 2000);
	net_link(&g, 1, 0, false);
	net_link(&g, 2, 1, false);
	tu_wait_pipes(g.s[0], 1);
	tu_wait_pipes(g.s[1], 2);
	tu_wait_pipes(g.s[2], 1);
	for (int k = 1; k <= PEND_MAX + 1; k++) {
		(void) snprintf(body, sizeof(body), "early %d", k);
		bsend(g.s[0], body, true);
	}
	WAIT_REP(g.s[2], pending, PEND_MAX);
	WAIT_REP(g.s[2], dropped, 1);
	rep = report(g.s[2]);
	assert_int_equal(rep->pending, PEND_MAX);
	assert_int_equal(rep->dropped, 1);
	assert_int_equal(rep->dropped_error, NNG_MPC_EECHOFULL);
	assert_int_equal(rep->dropped_sender, 1);
	assert_int_equal(rep->dropped_seq, PEND_MAX + 1);
	assert_int_equal(rep->dropped_from, 2);
	assert_int_equal(rep->rejected, 0);
	assert_int_equal(rep->delivered, 0);
	free(rep);
	tu_recv_none(g.s[1], 200);
	tu_recv_none(g.s[2], 200);

	/* Party 3 meets party 1: its certificate releases the echoes. */
	net_link(&g, 2, 0, false);
	tu_wait_pipes(g.s[0], 2);
	tu_wait_pipes(g.s[2], 2);
	/* Party 1's earlier broadcasts never come: the timer expires the
	 * entries the released echoes made. */
	WAIT_REP(g.s[2], timeouts, PEND_MAX);
	WAIT_REP(g.s[1], timeouts, PEND_MAX + 1);
	rep = report(g.s[2]);
	assert_int_equal(rep->pending, 0);
	assert_int_equal(rep->rejected, 0);
	assert_int_equal(rep->dropped, 1);
	assert_int_equal(rep->delivered, 0);
	assert_int_equal(rep->equivocations, 0);
	free(rep);
	rep = report(g.s[1]);
	assert_int_equal(rep->delivered, 0);
	assert_int_equal(rep->rejected, 0);
	free(rep);
	tu_recv_none(g.s[1], 200);
	tu_recv_none(g.s[2], 200);

	bsend(g.s[0], "now everyone knows everyone", true);
	expect_body(g.s[1], "now everyone knows everyone", 1);
	expect_body(g.s[2], "now everyone knows everyone", 1);
	tu_recv_none(g.s[1], 200);
	tu_recv_none(g.s[2], 200);
	net_down(&g);
}

/* Party 3 takes one message at a time (NNG_OPT_RECVBUF 1) and does not
 * read: party 1's first broadcast fills its queue, the second waits in
 * bus0's hands on the pipe that completed it.  Party 3's connections
 * then close (its dialers), and bus0 drops that message with the pipe;
 * the transport hands it on again through the next connection.  Once
 * party 3 reads, each of the three broadcasts arrives exactly once. */
static void
test_dropped_by_bus0(void **state)
{
	struct net   g;
	nng_dialer   d[2];
	bool         seen[3] = { false, false, false };
	char         buf[64];

	(void) state;
	net_listen(&g, 3, 0);
	TU_PASS(nng_socket_set_int(g.s[2], NNG_OPT_RECVBUF, 1));
	net_link(&g, 1, 0, false);
	TU_PASS(nng_dial(g.s[2], g.url[0], &d[0], NNG_FLAG_NONBLOCK));
	TU_PASS(nng_dial(g.s[2], g.url[1], &d[1], NNG_FLAG_NONBLOCK));
	for (int i = 0; i < 3; i++) {
		tu_wait_pipes(g.s[i], 2);
	}
	for (int k = 0; k < 3; k++) {
		(void) snprintf(buf, sizeof(buf), "held by bus0 %d", k);
		bsend(g.s[0], buf, true);
	}
	WAIT_REP(g.s[2], delivered, 2);
	TU_PASS(nng_dialer_close(d[0]));
	TU_PASS(nng_dialer_close(d[1]));
	tu_wait_pipes(g.s[2], 0);
	TU_PASS(nng_dial(g.s[2], g.url[0], NULL, NNG_FLAG_NONBLOCK));
	TU_PASS(nng_dial(g.s[2], g.url[1], NULL, NNG_FLAG_NONBLOCK));
	tu_wait_pipes(g.s[2], 2);
	for (int k = 0; k < 3; k++) {
		int n;

		assert_int_equal(brecv(g.s[2], buf, sizeof(buf)), 1);
		assert_int_equal(sscanf(buf, "held by bus0 %d", &n), 1);
		assert_true((n >= 0) && (n < 3));
		assert_false(seen[n]);
		seen[n] = true;
	}
	expect_clean(g.s[2], 3);
	net_down(&g);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_honest_reconnects),
		cmocka_unit_test(test_equivocation),
		cmocka_unit_test(test_absent),
		cmocka_unit_test(test_echo_before_cert),
		cmocka_unit_test(test_dropped_by_bus0),
	};
	int rv;

	if (argc < 2) {
		(void) fprintf(stderr, "usage: %s NNGMPC\n", argv[0]);
		return (2);
	}
	tool = argv[1];
	tu_register();
	tc_make("echodlv", 4);
	rv = cmocka_run_group_tests(tests, NULL, NULL);
	tc_remove();
	return (rv);
}
