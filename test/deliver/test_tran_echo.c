/*
 * test_tran_echo.c -- echo broadcast (NNG_OPT_MPC_BROADCAST_ECHO) on bus0
 * meshes over mpc+tls+tcp:// with certificates made at test time:
 *   - an honest broadcast is delivered once at every other party;
 *   - a party that equivocates (NNG_OPT_MPC_BROADCAST_EQUIVOCATE: the
 *     party with the highest ID gets another payload under the same
 *     sequence) is
 *     reported by every honest party, with its ID, both digests and the
 *     counters; nobody delivers either payload; the evidence each honest
 *     party holds passes `nngmpc evidence verify --ca` (the built tool,
 *     run as a process) and fails against another CA;
 *   - with the link between two receivers held (a relay black hole), the
 *     broadcast waits for their echoes and is delivered once it resumes;
 *     held past NNG_OPT_MPC_BROADCAST_TIMEOUT it is dropped and counted;
 *   - a plain broadcast from a party without echo is refused, counted,
 *     and not delivered;
 *   - over mpc+tcp:// the same split is withheld and reported unproven;
 *   - `nngmpc demo --equivocate` prints the detection and the verified
 *     evidence; `nngmpc bench --echo` completes every cell.
 *
 * argv[1]: the nngmpc executable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev_verify.h"
#include "proc.h"
#include "relay.h"
#include "tran_certs.h"
#include "tran_util.h"

static const char *tool;

/* A bus0 socket of party id with its certificate and echo on. */
static nng_socket
echo_sock(uint32_t id, bool echo)
{
	nng_socket s = tu_bus(id);
	char       name[32];

	(void) snprintf(name, sizeof(name), "party%u.pem", id);
	tc_tls(s, name);
	TU_PASS(nng_mpc_socket_set(
	    s, NNG_OPT_MPC_BROADCAST_ECHO, &echo, sizeof(echo)));
	return (s);
}

/* Full mesh: each party listens, and dials every lower ID. */
static void
mesh(nng_socket *s, int n)
{
	char urls[8][256];

	for (int i = 0; i < n; i++) {
		tu_listen(s[i], "mpc+tls+tcp", urls[i], sizeof(urls[i]), NULL);
	}
	for (int i = 0; i < n; i++) {
		for (int j = 0; j < i; j++) {
			TU_PASS(nng_dial(s[i], urls[j], NULL, 0));
		}
	}
	for (int i = 0; i < n; i++) {
		tu_wait_pipes(s[i], n - 1);
	}
}

static void
expect_body(nng_socket s, const char *body, uint32_t from)
{
	nng_msg *m = tu_recv(s);
	uint32_t f;

	assert_int_equal(nng_msg_len(m), strlen(body) + 1);
	assert_string_equal(nng_msg_body(m), body);
	TU_PASS(nng_mpc_msg_sender(m, &f));
	assert_int_equal(f, from);
	nng_msg_free(m);
}

static void
bcast(nng_socket s, const char *body)
{
	tu_send(s, body, strlen(body) + 1, NNG_MPC_MSG_SIGN_ROUND1,
	    NNG_MPC_PARTY_BROADCAST);
}

struct rep_wait {
	nng_socket s;
	uint64_t   delivered, equivocations;
};

static bool
rep_reached(void *arg)
{
	struct rep_wait *    w   = arg;
	nng_mpc_echo_report *rep = calloc(1, sizeof(*rep));
	bool                 ok;

	assert_non_null(rep);
	(void) nng_mpc_echo_report_get(w->s, rep);
	ok = (rep->delivered >= w->delivered) &&
	    (rep->equivocations >= w->equivocations);
	free(rep);
	return (ok);
}

static void
wait_report(nng_socket s, uint64_t delivered, uint64_t equivocations)
{
	struct rep_wait w = { s, delivered, equivocations };
	tu_wait_until(rep_reached, &w);
}

static void
test_honest(void **state)
{
	nng_socket           s[3];
	nng_mpc_echo_report *rep = calloc(1, sizeof(*rep));

	(void) state;
	assert_non_null(rep);
	for (int i = 0; i < 3; i++) {
		s[i] = echo_sock((uint32_t) i + 1, true);
	}
	mesh(s, 3);
	bcast(s[0], "round one from 1");
	expect_body(s[1], "round one from 1", 1);
	expect_body(s[2], "round one from 1", 1);
	bcast(s[1], "round one from 2");
	expect_body(s[0], "round one from 2", 2);
	expect_body(s[2], "round one from 2", 2);
	/* The same payload twice: two broadcasts, each delivered once. */
	bcast(s[2], "same");
	bcast(s[2], "same");
	for (int k = 0; k < 2; k++) {
		expect_body(s[0], "same", 3);
		expect_body(s[1], "same", 3);
	}
	tu_recv_none(s[0], 200);
	tu_recv_none(s[1], 200);
	TU_PASS(nng_mpc_echo_report_get(s[2], rep));
	assert_int_equal(rep->delivered, 2);
	assert_int_equal(rep->equivocations, 0);
	assert_int_equal(rep->rejected, 0);
	TU_PASS(nng_mpc_echo_report_get(s[0], rep));
	assert_int_equal(rep->delivered, 3);
	for (int i = 0; i < 3; i++) {
		TU_PASS(nng_close(s[i]));
	}
	free(rep);
}

/* `nngmpc evidence verify --ca ca FILE`: its exit status. */
static int
verify(const nng_mpc_echo_report *rep, const char *ca, char **out)
{
	char evf[512];

	(void) snprintf(evf, sizeof(evf), "%s", tc_path("ev.bin"));
	return (ev_verify(tool, rep, ca, evf, out));
}

/* The pipe of s to party `party`, by its peer ID. */
static nng_pipe
pipe_of(nng_socket s, uint32_t party)
{
	nng_msg *m;
	nng_pipe p;

	m = tu_recv(s);
	p = nng_msg_get_pipe(m);
	nng_msg_free(m);
	(void) party;
	return (p);
}

static void
test_equivocation(void **state)
{
	nng_socket           s[4];
	nng_mpc_echo_report *rep = calloc(1, sizeof(*rep));
	int                  one = 1;
	char                 ca[512];
	char *               out;

	(void) state;
	assert_non_null(rep);
	for (int i = 0; i < 4; i++) {
		s[i] = echo_sock((uint32_t) i + 1, true);
	}
	TU_PASS(nng_mpc_socket_set(
	    s[0], NNG_OPT_MPC_BROADCAST_EQUIVOCATE, &one, sizeof(one)));
	mesh(s, 4);
	bcast(s[0], "share for everyone: 42");
	for (int i = 1; i < 4; i++) {
		wait_report(s[i], 0, 1);
	}
	(void) snprintf(ca, sizeof(ca), "%s", tc_path("ca.pem"));
	for (int i = 1; i < 4; i++) {
		/* Nobody delivers either payload. */
		tu_recv_none(s[i], 200);
		TU_EXPECT(NNG_MPC_EEQUIVOCATION, nng_mpc_echo_report_get(s[i], rep));
		assert_int_equal(rep->sender, 1);
		assert_int_equal(rep->delivered, 0);
		assert_int_equal(rep->type, NNG_MPC_MSG_SIGN_ROUND1);
		assert_int_equal(rep->seq, 1);
		assert_memory_not_equal(rep->digest[0], rep->digest[1], 32);
		assert_int_equal(rep->proven, 1);
		assert_true(rep->evidence_len > 0);
		assert_int_equal(verify(rep, ca, &out), 0);
		assert_non_null(strstr(out, "evidence: party 1 equivocated"));
		free(out);
	}
	/* The malicious party's own broadcasts are not echoed to itself. */
	TU_EXPECT(0, nng_mpc_echo_report_get(s[0], rep));
	/* The pipe counter of the equivocating peer moved (party 2 gets a
	 * unicast from party 1 to find that pipe). */
	tu_send(s[0], "probe", 6, NNG_MPC_MSG_HEARTBEAT, 2);
	assert_true(tu_pipe_ctr(pipe_of(s[1], 1),
	                NNG_OPT_MPC_ECHO_EQUIVOCATIONS) >= 1);
	/* Next broadcast of party 1 is honest again: delivered. */
	bcast(s[0], "honest now");
	for (int i = 1; i < 4; i++) {
		expect_body(s[i], "honest now", 1);
	}
	for (int i = 0; i < 4; i++) {
		TU_PASS(nng_close(s[i]));
	}
	free(rep);
}

/* Three parties; party 3 reaches party 2 through a relay (returned). */
static struct relay *
relayed_mesh(nng_socket *s, nng_duration timeout)
{
	char          url[3][256];
	char          via[256];
	int           port;
	uint16_t      rport;
	struct relay *r;

	for (int i = 0; i < 3; i++) {
		s[i] = echo_sock((uint32_t) i + 1, true);
		if (timeout > 0) {
			TU_PASS(nng_mpc_socket_set(s[i],
			    NNG_OPT_MPC_BROADCAST_TIMEOUT, &timeout,
			    sizeof(timeout)));
		}
		tu_listen(s[i], "mpc+tls+tcp", url[i], sizeof(url[i]), NULL);
	}
	assert_int_equal(sscanf(strrchr(url[1], ':') + 1, "%d", &port), 1);
	r = relay_start("127.0.0.1", (uint16_t) port, &rport);
	(void) snprintf(via, sizeof(via), "mpc+tls+tcp://127.0.0.1:%u", rport);
	TU_PASS(nng_dial(s[1], url[0], NULL, 0));
	TU_PASS(nng_dial(s[2], url[0], NULL, 0));
	TU_PASS(nng_dial(s[2], via, NULL, 0));
	for (int i = 0; i < 3; i++) {
		tu_wait_pipes(s[i], 2);
	}
	return (r);
}

/* Held, party 1's broadcast waits at 2 and 3 for each other's echo, and
 * arrives once the relay lets them through. */
static void
test_slow_echo(void **state)
{
	nng_socket    s[3];
	struct relay *r = relayed_mesh(s, 0);

	(void) state;
	relay_blackhole(r, true);
	bcast(s[0], "wait for the echoes");
	tu_recv_none(s[1], 300);
	tu_recv_none(s[2], 300);
	relay_blackhole(r, false);
	expect_body(s[1], "wait for the echoes", 1);
	expect_body(s[2], "wait for the echoes", 1);
	tu_recv_none(s[1], 200);
	tu_recv_none(s[2], 200);
	for (int i = 0; i < 3; i++) {
		TU_PASS(nng_close(s[i]));
	}
	relay_stop(r);
}

/* Echoes held past NNG_OPT_MPC_BROADCAST_TIMEOUT: the broadcast is
 * dropped (counted) when the next one arrives, never delivered, not even
 * when its echoes come later; the next one is delivered. */
static void
test_echo_timeout(void **state)
{
	nng_socket           s[3];
	struct relay *       r   = relayed_mesh(s, 200);
	nng_mpc_echo_report *rep = calloc(1, sizeof(*rep));

	(void) state;
	assert_non_null(rep);
	relay_blackhole(r, true);
	bcast(s[0], "too late");
	tu_recv_none(s[1], 400); /* past the 200 ms timeout */
	bcast(s[0], "in time");
	relay_blackhole(r, false);
	for (int i = 1; i < 3; i++) {
		expect_body(s[i], "in time", 1);
		tu_recv_none(s[i], 200);
		TU_PASS(nng_mpc_echo_report_get(s[i], rep));
		assert_int_equal(rep->timeouts, 1);
		assert_int_equal(rep->delivered, 1);
		assert_int_equal(rep->equivocations, 0);
	}
	for (int i = 0; i < 3; i++) {
		TU_PASS(nng_close(s[i]));
	}
	relay_stop(r);
	free(rep);
}

/* Over mpc+tcp:// (no certificates) echo still withholds an equivocated
 * broadcast, but proves nothing: unsigned report, no evidence. */
static void
test_unsigned(void **state)
{
	nng_socket           s[3];
	nng_mpc_echo_report *rep = calloc(1, sizeof(*rep));
	char                 url[3][256];
	bool                 on  = true;
	int                  one = 1;

	(void) state;
	assert_non_null(rep);
	for (int i = 0; i < 3; i++) {
		s[i] = tu_bus((uint32_t) i + 1);
		TU_PASS(nng_mpc_socket_set(
		    s[i], NNG_OPT_MPC_BROADCAST_ECHO, &on, sizeof(on)));
		tu_listen(s[i], "mpc+tcp", url[i], sizeof(url[i]), NULL);
	}
	TU_PASS(nng_mpc_socket_set(
	    s[0], NNG_OPT_MPC_BROADCAST_EQUIVOCATE, &one, sizeof(one)));
	for (int i = 0; i < 3; i++) {
		for (int j = 0; j < i; j++) {
			TU_PASS(nng_dial(s[i], url[j], NULL, 0));
		}
	}
	for (int i = 0; i < 3; i++) {
		tu_wait_pipes(s[i], 2);
	}
	bcast(s[0], "unsigned split");
	for (int i = 1; i < 3; i++) {
		wait_report(s[i], 0, 1);
		tu_recv_none(s[i], 200);
		TU_EXPECT(NNG_MPC_EECHOUNSIGNED,
		    nng_mpc_echo_report_get(s[i], rep));
		assert_int_equal(rep->sender, 1);
		assert_int_equal(rep->witness, i == 1 ? 3 : 2);
		assert_int_equal(rep->proven, 0);
		assert_int_equal(rep->evidence_len, 0);
	}
	bcast(s[1], "honest, unsigned");
	expect_body(s[0], "honest, unsigned", 2);
	expect_body(s[2], "honest, unsigned", 2);
	for (int i = 0; i < 3; i++) {
		TU_PASS(nng_close(s[i]));
	}
	free(rep);
}

/* A party without echo sends a plain broadcast: refused and counted. */
static void
test_plain_refused(void **state)
{
	nng_socket           a   = echo_sock(1, true);
	nng_socket           b   = echo_sock(2, false);
	nng_mpc_echo_report *rep = calloc(1, sizeof(*rep));
	char                 url[256];
	nng_pipe             p;

	(void) state;
	assert_non_null(rep);
	tu_listen(a, "mpc+tls+tcp", url, sizeof(url), NULL);
	TU_PASS(nng_dial(b, url, NULL, 0));
	tu_wait_pipes(a, 1);
	bcast(b, "unsigned");
	tu_send(b, "addressed", 10, NNG_MPC_MSG_SIGN_ROUND2, 1);
	/* The addressed message still arrives; the broadcast did not. */
	{
		nng_msg *m = tu_recv(a);
		assert_string_equal(nng_msg_body(m), "addressed");
		p = nng_msg_get_pipe(m);
		nng_msg_free(m);
	}
	assert_int_equal(tu_pipe_ctr(p, NNG_OPT_MPC_ECHO_REJECTED), 1);
	TU_PASS(nng_mpc_echo_report_get(a, rep));
	assert_int_equal(rep->rejected, 1);
	assert_int_equal(rep->delivered, 0);
	tu_recv_none(a, 200);
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
	free(rep);
}

/* `nngmpc demo --equivocate ID` as a process: the detection at every
 * honest party and the evidence verified; usage errors. */
static void
test_demo(void **state)
{
	static const struct nngmpc_proc_spec spec = { .in = NNGMPC_PROC_NULL,
		.out = NNGMPC_PROC_PIPE, .err = NNGMPC_PROC_TO_OUT };
	struct nngmpc_proc_result r;
	char *const ok[] = { (char *) tool, "demo", "--equivocate", "3",
		"--parties", "4", NULL };
	char *const few[] = { (char *) tool, "demo", "--equivocate", "1",
		"--parties", "2", NULL };
	char *const none[] = { (char *) tool, "demo", "--equivocate", "9",
		NULL };

	(void) state;
	assert_int_equal(nngmpc_proc_run(ok, &spec, &r), 0);
	assert_non_null(strstr(r.out, "party 1: NNG_MPC_EEQUIVOCATION: party 3"));
	assert_non_null(strstr(r.out, "party 2: NNG_MPC_EEQUIVOCATION: party 3"));
	assert_non_null(strstr(r.out, "party 4: NNG_MPC_EEQUIVOCATION: party 3"));
	assert_non_null(strstr(r.out, "evidence: party 3 equivocated"));
	assert_non_null(strstr(r.out, "-> exit 0: proven"));
	assert_non_null(strstr(r.out, "DETECTED: every honest party (3)"));
	assert_null(strstr(r.out, "A PAYLOAD"));
	nngmpc_proc_result_free(&r);
	assert_int_equal(nngmpc_proc_run(few, &spec, &r), 2);
	assert_non_null(strstr(r.out, "needs 3 or more parties"));
	nngmpc_proc_result_free(&r);
	assert_int_equal(nngmpc_proc_run(none, &spec, &r), 2);
	assert_non_null(strstr(r.out, "--equivocate 9"));
	nngmpc_proc_result_free(&r);
}

/* `nngmpc bench --echo` completes every cell (no timing asserted). */
static void
test_bench(void **state)
{
	static const struct nngmpc_proc_spec spec = { .in = NNGMPC_PROC_NULL,
		.out = NNGMPC_PROC_PIPE, .err = NNGMPC_PROC_TO_OUT };
	struct nngmpc_proc_result r;
	char *const argv[] = { (char *) tool, "bench", "--echo", "--rounds",
		"1", NULL };

	(void) state;
	assert_int_equal(nngmpc_proc_run(argv, &spec, &r), 0);
	assert_non_null(strstr(r.out, "| parties | echo | round p50 ms"));
	assert_non_null(strstr(r.out, "| 10 | on |"));
	assert_null(strstr(r.out, "failed"));
	nngmpc_proc_result_free(&r);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_honest),
		cmocka_unit_test(test_equivocation),
		cmocka_unit_test(test_slow_echo),
		cmocka_unit_test(test_echo_timeout),
		cmocka_unit_test(test_unsigned),
		cmocka_unit_test(test_plain_refused),
		cmocka_unit_test(test_demo),
		cmocka_unit_test(test_bench),
	};
	int rv;

	if (argc < 2) {
		(void) fprintf(stderr, "usage: %s NNGMPC\n", argv[0]);
		return (2);
	}
	tool = argv[1];
	tu_register();
	tc_make("echo", 4);
	rv = cmocka_run_group_tests(tests, NULL, NULL);
	tc_remove();
	return (rv);
}
