/*
 * test_tran_reload.c -- nng_mpc_socket_reload() on live mpc+tls+tcp://
 * pipes, without the sidecar: party 1 listens (bus0), parties 2 and 3
 * dial it, certificates made at test time by the project's generator and
 * a CRL made by Debian's openssl with the same CA key.
 *   - a CRL revoking party 3: its pipe is closed (NNG_MPC_ERELOADREVOKED,
 *     cause NNG_MPC_ETLSREVOKED, mpc:closed-untrusted, a diagnostics
 *     line), nothing it sends afterwards is delivered, it cannot
 *     reconnect; party 2 keeps the same pipe and its messages flow;
 *   - the deny list (NNG_MPC_ERELOADDENIED) and the pins (cause
 *     NNG_MPC_ETLSPIN), each closing only the party it names;
 *   - a CA file that does not verify the peer any more (another CA);
 *   - files that cannot be used (missing, not PEM, no key): an error
 *     naming the file, and nothing changes;
 *   - a rate limit set on the socket reaches a live pipe at the reload;
 *   - the dialing side: a revoked server's pipe closes, redials fail.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tran_certs.h"
#include "tran_util.h"

#include <nng/supplemental/util/platform.h>

/* Diagnostics lines, captured (nng_mpc_log_set). */
static pthread_mutex_t log_mtx = PTHREAD_MUTEX_INITIALIZER;
static char            log_buf[64 * 1024];
static size_t          log_len;

static void
log_line(void *arg, const char *line)
{
	size_t n = strlen(line);

	(void) arg;
	pthread_mutex_lock(&log_mtx);
	if (log_len + n + 2 < sizeof(log_buf)) {
		memcpy(log_buf + log_len, line, n);
		log_len += n;
		log_buf[log_len++] = '\n';
		log_buf[log_len]   = '\0';
	}
	pthread_mutex_unlock(&log_mtx);
}

/* A line holding both needles was logged. */
static bool
logged(const char *a, const char *b)
{
	bool found = false;

	pthread_mutex_lock(&log_mtx);
	for (char *l = log_buf; !found && l < log_buf + log_len;) {
		char *end = strchr(l, '\n');
		*end      = '\0';
		found     = strstr(l, a) != NULL && strstr(l, b) != NULL;
		*end      = '\n';
		l         = end + 1;
	}
	pthread_mutex_unlock(&log_mtx);
	return (found);
}

/* ca_crl.pem: ca.pem and a CRL of the same CA revoking party<id>.pem,
 * made with openssl ca as an operator would. */
static void
make_crl(uint32_t id)
{
	char cmd[2048];

	(void) snprintf(cmd, sizeof(cmd),
	    "set -e; cd '%s'; rm -rf crldb; mkdir crldb; : > crldb/index.txt; "
	    "printf '[ca]\\ndefault_ca=c\\n[c]\\ndatabase=crldb/index.txt\\n"
	    "default_md=sha256\\ndefault_crl_days=30\\n' > crldb/ca.cnf; "
	    "openssl x509 -in party%u.pem -out crldb/revoked.crt; "
	    "openssl ca -batch -config crldb/ca.cnf -cert ca.pem -keyfile "
	    "ca.key -revoke crldb/revoked.crt 2>/dev/null; "
	    "openssl ca -batch -config crldb/ca.cnf -cert ca.pem -keyfile "
	    "ca.key -gencrl -out crldb/crl.pem 2>/dev/null; "
	    "cat ca.pem crldb/crl.pem > ca_crl.pem; rm -rf crldb",
	    tc_path(""), (unsigned) id);
	assert_int_equal(system(cmd), 0);
}

static int
setup(void **state)
{
	(void) state;
	tc_make("tran-reload", 3);
	tc_rogue(2, "rogue2.pem"); /* its certificate: another CA's leaf */
	tc_write("junk.pem", "not a certificate\n", NULL);
	tu_register();
	TU_PASS(nng_mpc_log_set(
	    NNG_MPC_LOG_WARN, NNG_MPC_LOG_LOGFMT, log_line, NULL));
	return (0);
}

static int
teardown(void **state)
{
	(void) state;
	TU_PASS(nng_mpc_log_set(NNG_MPC_LOG_OFF, NNG_MPC_LOG_LOGFMT, NULL, NULL));
	tc_remove();
	return (0);
}

/* Party 1 listening, 2 and 3 connected to it; each has said hello, so
 * pipes[id] is party 1's pipe to that party. */
struct mesh {
	nng_socket   s[4];
	nng_listener l;
	nng_pipe     pipes[4];
};

static void
mesh_open(struct mesh *m)
{
	char url[256];
	char name[32];

	memset(m, 0, sizeof(*m));
	for (uint32_t id = 1; id <= 3; id++) {
		m->s[id] = tu_bus(id);
		(void) snprintf(name, sizeof(name), "party%u.pem", id);
		tc_tls(m->s[id], name);
	}
	tu_listen(m->s[1], "mpc+tls+tcp", url, sizeof(url), &m->l);
	for (uint32_t id = 2; id <= 3; id++) {
		TU_PASS(nng_dial(m->s[id], url, NULL, 0));
	}
	tu_wait_pipes(m->s[1], 2);
	for (uint32_t id = 2; id <= 3; id++) {
		nng_msg *msg;
		uint32_t from;
		tu_send(m->s[id], "hello", 6, NNG_MPC_MSG_SIGN_ROUND1, 1);
		msg = tu_recv(m->s[1]);
		TU_PASS(nng_mpc_msg_sender(msg, &from));
		m->pipes[from] = nng_msg_get_pipe(msg);
		nng_msg_free(msg);
	}
	assert_true(nng_pipe_id(m->pipes[2]) > 0);
	assert_true(nng_pipe_id(m->pipes[3]) > 0);
}

static void
mesh_close(struct mesh *m)
{
	for (int id = 3; id >= 1; id--) {
		TU_PASS(nng_close(m->s[id]));
	}
}

/* A message from party `from` reaches party 1 over pipe p. */
static void
flows(struct mesh *m, uint32_t from, nng_pipe p)
{
	nng_msg *msg;
	uint32_t who;

	tu_send(m->s[from], "still up", 9, NNG_MPC_MSG_SIGN_ROUND2, 1);
	msg = tu_recv(m->s[1]);
	TU_PASS(nng_mpc_msg_sender(msg, &who));
	assert_int_equal(who, from);
	assert_string_equal(nng_msg_body(msg), "still up");
	assert_int_equal(nng_pipe_id(nng_msg_get_pipe(msg)), nng_pipe_id(p));
	nng_msg_free(msg);
}

/* Party `gone` sends; none of it is delivered to party 1. */
static void
nothing_from(struct mesh *m, uint32_t gone)
{
	for (int i = 0; i < 5; i++) {
		(void) nng_send(m->s[gone], "late", 5, NNG_FLAG_NONBLOCK);
	}
	tu_recv_none(m->s[1], 300);
}

static void
test_reload_crl(void **state)
{
	struct mesh    m;
	nng_mpc_reload r;

	(void) state;
	mesh_open(&m);
	make_crl(3);
	memset(&r, 0, sizeof(r));
	r.ca_file = tc_path("ca_crl.pem");
	TU_PASS(nng_mpc_socket_reload(m.s[1], &r));
	assert_int_equal(r.endpoints, 1);
	assert_int_equal(r.kept, 1);
	assert_int_equal(r.nclosed, 1);
	assert_null(r.bad_file);
	assert_int_equal(r.closed[0].party, 3);
	assert_int_equal(r.closed[0].pipe, nng_pipe_id(m.pipes[3]));
	assert_int_equal(r.closed[0].reason, NNG_MPC_ERELOADREVOKED);
	assert_int_equal(r.closed[0].cause, NNG_MPC_ETLSREVOKED);
	tu_wait_listener_ctr(m.l, NNG_OPT_MPC_CLOSED_UNTRUSTED, 1);
	assert_int_equal(tu_listener_ctr(m.l, NNG_OPT_MPC_CLOSED_DENIED), 0);
	tu_wait_removed(m.s[1], 1);

	/* Party 2: the same pipe, messages still flow. */
	flows(&m, 2, m.pipes[2]);
	/* Party 3: nothing delivered, and refused when it redials. */
	nothing_from(&m, 3);
	tu_wait_listener_ctr(m.l, NNG_OPT_MPC_REJ_TLS, 1);
	tu_recv_none(m.s[1], 300);
	assert_int_equal(tu_pipes_seen(m.s[1]), 2);
	assert_true(logged("reason=NNG_MPC_ERELOADREVOKED", "party=3"));
	mesh_close(&m);
}

/* Party 1's pipe to `id`'s pin as NNG_OPT_MPC_CERT_PINS takes it. */
static void
pin_of(nng_pipe p, char *hex, size_t cap)
{
	uint8_t pin[NNG_MPC_TLS_PIN_SIZE];
	size_t  sz = sizeof(pin);

	assert_true(cap > 2 * sizeof(pin));
	TU_PASS(nng_pipe_get(p, NNG_OPT_MPC_PEER_PIN, pin, &sz));
	for (size_t i = 0; i < sz; i++) {
		(void) snprintf(hex + 2 * i, 3, "%02x", pin[i]);
	}
}

static void
test_reload_deny_and_pins(void **state)
{
	struct mesh    m;
	nng_mpc_reload r;
	char           pin3[2 * NNG_MPC_TLS_PIN_SIZE + 1];

	(void) state;
	mesh_open(&m);
	pin_of(m.pipes[3], pin3, sizeof(pin3));

	/* The deny list set on the socket: live pipes are judged only at
	 * the reload. */
	TU_PASS(nng_socket_set_string(m.s[1], NNG_OPT_MPC_DENY_PARTIES, "3"));
	flows(&m, 3, m.pipes[3]);
	memset(&r, 0, sizeof(r));
	TU_PASS(nng_mpc_socket_reload(m.s[1], &r));
	assert_int_equal(r.nclosed, 1);
	assert_int_equal(r.kept, 1);
	assert_int_equal(r.closed[0].party, 3);
	assert_int_equal(r.closed[0].reason, NNG_MPC_ERELOADDENIED);
	assert_int_equal(r.closed[0].cause, NNG_MPC_EPARTYDENIED);
	tu_wait_listener_ctr(m.l, NNG_OPT_MPC_CLOSED_DENIED, 1);
	nothing_from(&m, 3);
	flows(&m, 2, m.pipes[2]);
	assert_true(logged("reason=NNG_MPC_ERELOADDENIED", "party=3"));

	/* Pins naming party 3's key only: party 2's pipe fails them. */
	TU_PASS(nng_socket_set_string(m.s[1], NNG_OPT_MPC_CERT_PINS, pin3));
	memset(&r, 0, sizeof(r));
	TU_PASS(nng_mpc_socket_reload(m.s[1], &r));
	assert_int_equal(r.nclosed, 1);
	assert_int_equal(r.kept, 0);
	assert_int_equal(r.closed[0].party, 2);
	assert_int_equal(r.closed[0].pipe, nng_pipe_id(m.pipes[2]));
	assert_int_equal(r.closed[0].reason, NNG_MPC_ERELOADREVOKED);
	assert_int_equal(r.closed[0].cause, NNG_MPC_ETLSPIN);
	tu_wait_listener_ctr(m.l, NNG_OPT_MPC_CLOSED_UNTRUSTED, 1);
	nothing_from(&m, 2);
	mesh_close(&m);
}

static void
test_reload_bad_files(void **state)
{
	struct mesh    m;
	nng_mpc_reload r;
	char           missing[512], junk[512], nokey[512];

	(void) state;
	/* tc_path's results are reused: keep copies. */
	(void) snprintf(missing, sizeof(missing), "%s", tc_path("missing.pem"));
	(void) snprintf(junk, sizeof(junk), "%s", tc_path("junk.pem"));
	(void) snprintf(nokey, sizeof(nokey), "%s", tc_path("ca.pem"));
	mesh_open(&m);
	memset(&r, 0, sizeof(r));
	r.ca_file = missing;
	TU_EXPECT(NNG_ENOENT, nng_mpc_socket_reload(m.s[1], &r));
	assert_ptr_equal(r.bad_file, missing);
	memset(&r, 0, sizeof(r));
	r.ca_file = junk;
	TU_EXPECT(NNG_MPC_ETLSBADCERT, nng_mpc_socket_reload(m.s[1], &r));
	assert_ptr_equal(r.bad_file, junk);
	memset(&r, 0, sizeof(r));
	r.ca_file       = tc_path("ca.pem");
	r.cert_key_file = nokey; /* a certificate without its key */
	assert_int_not_equal(nng_mpc_socket_reload(m.s[1], &r), 0);
	assert_ptr_equal(r.bad_file, nokey);
	assert_int_equal(r.nclosed, 0);
	assert_int_equal(r.endpoints, 0);
	TU_EXPECT(NNG_EINVAL, nng_mpc_socket_reload(m.s[1], NULL));
	assert_int_equal(tu_listener_ctr(m.l, NNG_OPT_MPC_CLOSED_UNTRUSTED), 0);
	flows(&m, 2, m.pipes[2]);
	flows(&m, 3, m.pipes[3]);

	/* The same files again: everything passes, nothing closes. */
	memset(&r, 0, sizeof(r));
	r.ca_file       = tc_path("ca.pem");
	r.cert_key_file = tc_path("party1.pem");
	TU_PASS(nng_mpc_socket_reload(m.s[1], &r));
	assert_int_equal(r.kept, 2);
	assert_int_equal(r.nclosed, 0);
	flows(&m, 2, m.pipes[2]);

	/* Another CA: neither peer's chain verifies any more. */
	memset(&r, 0, sizeof(r));
	r.ca_file = tc_path("rogue2.pem");
	TU_PASS(nng_mpc_socket_reload(m.s[1], &r));
	assert_int_equal(r.nclosed, 2);
	assert_int_equal(r.kept, 0);
	for (uint32_t i = 0; i < 2; i++) {
		assert_int_equal(r.closed[i].reason, NNG_MPC_ERELOADREVOKED);
		assert_int_equal(r.closed[i].cause, NNG_MPC_ETLSUNTRUSTED);
	}
	tu_wait_listener_ctr(m.l, NNG_OPT_MPC_CLOSED_UNTRUSTED, 2);
	nothing_from(&m, 2);
	mesh_close(&m);
}

static void
test_reload_limits(void **state)
{
	struct mesh    m;
	nng_mpc_reload r;
	uint64_t       rate = 20;

	(void) state;
	mesh_open(&m);
	/* Set on the socket: reaches the endpoint (new pipes), not yet the
	 * live pipe. */
	TU_PASS(nng_socket_set_uint64(m.s[1], NNG_OPT_MPC_RATE_MSGS, rate));
	assert_int_equal(
	    tu_pipe_ctr(m.pipes[2], NNG_OPT_MPC_RATE_ALLOWANCE), 0);
	memset(&r, 0, sizeof(r));
	TU_PASS(nng_mpc_socket_reload(m.s[1], &r));
	assert_int_equal(r.kept, 2);
	assert_int_equal(r.nclosed, 0);
	assert_int_equal(
	    tu_pipe_ctr(m.pipes[2], NNG_OPT_MPC_RATE_ALLOWANCE), rate);
	assert_int_equal(
	    tu_pipe_ctr(m.pipes[3], NNG_OPT_MPC_RATE_ALLOWANCE), rate);
	/* Twice the bucket: the rest waits for tokens, nothing is lost.
	 * Sent eight at a time, each eight read by party 1's pipe before
	 * the next: NNG 1.5.2's bus0 queues 16 messages per pipe and drops
	 * the rest (src/sp/protocol/bus0/bus.c), a loss of the sender's
	 * that is not what this test is about.  Party 1 reads them all
	 * into its socket's queue before the application takes any. */
	TU_PASS(nng_socket_set_int(m.s[1], NNG_OPT_RECVBUF, 64));
	for (uint64_t i = 0; i < 2 * rate; i++) {
		tu_send(m.s[2], "burst", 6, NNG_MPC_MSG_SIGN_ROUND3, 1);
		if ((i % 8) == 7) {
			/* + 1: the mesh's hello */
			tu_wait_pipe_ctr(
			    m.pipes[2], NNG_OPT_MPC_FRAMES_IN, i + 2);
		}
	}
	for (uint64_t i = 0; i < 2 * rate; i++) {
		nng_msg *msg = tu_recv(m.s[1]);
		assert_int_equal(nng_pipe_id(nng_msg_get_pipe(msg)),
		    nng_pipe_id(m.pipes[2]));
		nng_msg_free(msg);
	}
	assert_true(tu_pipe_ctr(m.pipes[2], NNG_OPT_MPC_RATE_DELAYED) > 0);
	mesh_close(&m);
}

/* The dialing side: party 1 dials party 2 and then revokes it. */
static void
test_reload_dialer(void **state)
{
	nng_socket     a = tu_bus(1);
	nng_socket     b = tu_bus(2);
	nng_dialer     d;
	nng_mpc_reload r;
	char           url[256];
	nng_msg *      msg;

	(void) state;
	tc_tls(a, "party1.pem");
	tc_tls(b, "party2.pem");
	tu_listen(b, "mpc+tls+tcp", url, sizeof(url), NULL);
	TU_PASS(nng_dial(a, url, &d, 0));
	/* The dial returns once our pipe runs; b's runs a moment later. */
	tu_wait_pipes(b, 1);
	tu_send(b, "hi", 3, NNG_MPC_MSG_SIGN_ROUND1, 1);
	msg = tu_recv(a);
	nng_msg_free(msg);
	make_crl(2);
	memset(&r, 0, sizeof(r));
	r.ca_file = tc_path("ca_crl.pem");
	TU_PASS(nng_mpc_socket_reload(a, &r));
	assert_int_equal(r.nclosed, 1);
	assert_int_equal(r.closed[0].party, 2);
	assert_int_equal(r.closed[0].reason, NNG_MPC_ERELOADREVOKED);
	assert_int_equal(r.closed[0].cause, NNG_MPC_ETLSREVOKED);
	tu_wait_dialer_ctr(d, NNG_OPT_MPC_CLOSED_UNTRUSTED, 1);
	/* Its redials fail our check of the server's certificate. */
	tu_wait_dialer_ctr(d, NNG_OPT_MPC_REJ_TLS, 1);
	(void) nng_send(b, "late", 5, NNG_FLAG_NONBLOCK);
	tu_recv_none(a, 300);
	assert_int_equal(tu_pipes_seen(a), 1);
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reload_crl),
		cmocka_unit_test(test_reload_deny_and_pins),
		cmocka_unit_test(test_reload_bad_files),
		cmocka_unit_test(test_reload_limits),
		cmocka_unit_test(test_reload_dialer),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
