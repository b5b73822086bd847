/*
 * Never a secret in the log: a real mpc+tcp session between two sockets
 * with the log attached (the transport reports its events), plus a record
 * of every kind built from the live pipe and handed to the observer, and
 * the whole log searched for the session key (hex either case, and raw)
 * and for the sealing keys.  The program is the plugin linked statically
 * (the same objects as libnngmpc.so), so the transport and the test share
 * one observer.
 */
#define _GNU_SOURCE /* memmem */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <nng/nng.h>
#include <nng/protocol/pair1/pair.h>
#include <nng/supplemental/util/platform.h>

#include <json-c/json.h>

#include "audit_util.h"
#include "mpc_certgen.h"
#include "mpc_tran_event.h"

static const uint8_t sid[NNG_MPC_SESSION_ID_SIZE] = "audit-secret-ts";

static nng_socket
party(uint32_t id, const uint8_t *key, nng_mpc_audit *log)
{
	nng_socket s;

	assert_int_equal(nng_pair1_open(&s), 0);
	int pid = (int) id;

	assert_int_equal(
	    nng_mpc_socket_set(s, NNG_OPT_MPC_PARTY_ID, &pid, sizeof(pid)), 0);
	assert_int_equal(nng_mpc_socket_set(s, NNG_OPT_MPC_SESSION_ID, sid,
	                     sizeof(sid)),
	    0);
	assert_int_equal(nng_mpc_socket_set(s, NNG_OPT_MPC_SESSION_KEY, key,
	                     NNG_MPC_SESSION_KEY_SIZE),
	    0);
	assert_int_equal(nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, 5000), 0);
	assert_int_equal(nng_socket_set_ms(s, NNG_OPT_SENDTIMEO, 5000), 0);
	if (log != NULL) {
		assert_int_equal(nng_mpc_audit_attach(s, log), 0);
	}
	return (s);
}

static void
assert_absent(const char *text, size_t len, const uint8_t *secret,
    size_t slen, const char *what)
{
	char hex[2 * 64 + 1];

	mpc_audit_hex(hex, secret, slen);
	if (strstr(text, hex) != NULL) {
		print_error("%s found in the log (hex)\n", what);
		fail();
	}
	for (char *p = hex; *p != '\0'; p++) {
		*p = (char) toupper((unsigned char) *p);
	}
	assert_null(strstr(text, hex));
	assert_null(memmem(text, len, secret, slen));
}

/* The log's last two lines are the close record and its seal. */
static bool
log_closed(const char *path)
{
	struct au_lines ls;
	bool            done;

	au_lines_read(path, &ls);
	done = ls.n >= 2 &&
	    strstr(ls.l[ls.n - 2], "\"event\":\"close\"") != NULL &&
	    strstr(ls.l[ls.n - 1], "\"event\":\"seal\"") != NULL;
	au_lines_free(&ls);
	return (done);
}

static void
test_session_key_never_logged(void **state)
{
	const struct mpc_tran_observer_ops *ops = mpc_audit_observer_ops();
	struct au_env                       e;
	struct mpc_audit_verify_result      r;
	struct mpc_audit_state              k0, kn;
	uint8_t                             key[NNG_MPC_SESSION_KEY_SIZE];
	nng_mpc_audit *                     log;
	nng_socket                          s1, s2;
	nng_listener                        l;
	nng_msg *                           msg;
	nng_pipe                            p;
	nng_sockaddr                        sa;
	struct mpc_tran_event               ev;
	char                                url[128], remote[64], addr[32];
	char                                msgbuf[256];
	int                                 port, peer, rv = 0;
	uint64_t                            epoch = 0;
	char *                              text;
	size_t                              len;
	const char *                        files[2];

	(void) state;
	au_setup(&e);
	assert_int_equal(getrandom(key, sizeof(key), 0), (ssize_t) sizeof(key));
	setenv("NNG_MPC_AUDIT_KEY_FILE", e.seal, 1);
	log = ops->ev_open(e.log, &rv);
	assert_int_equal(rv, 0);
	assert_non_null(log);

	assert_int_equal(nng_mpc_register(), 0);
	s1 = party(1, key, log);
	s2 = party(2, key, log);
	assert_int_equal(
	    nng_listen(s1, "mpc+tcp://127.0.0.1:0", &l, 0), 0);
	assert_int_equal(
	    nng_listener_get_int(l, NNG_OPT_TCP_BOUND_PORT, &port), 0);
	snprintf(url, sizeof(url), "mpc+tcp://127.0.0.1:%d", port);
	assert_int_equal(nng_dial(s2, url, NULL, 0), 0);
	assert_int_equal(nng_send(s2, "hello", 6, 0), 0);
	assert_int_equal(nng_recvmsg(s1, &msg, 0), 0);
	assert_string_equal((char *) nng_msg_body(msg), "hello");

	/* What the transport reports, taken from the live pipe. */
	p = nng_msg_get_pipe(msg);
	assert_int_equal(nng_pipe_get_int(p, NNG_OPT_MPC_PEER_PARTY_ID, &peer), 0);
	assert_int_equal(nng_pipe_get_uint64(p, NNG_OPT_MPC_EPOCH, &epoch), 0);
	assert_int_equal(nng_pipe_get_addr(p, NNG_OPT_REMADDR, &sa), 0);
	assert_int_equal(sa.s_family, NNG_AF_INET);
	inet_ntop(AF_INET, &sa.s_in.sa_addr, addr, sizeof(addr));
	snprintf(remote, sizeof(remote), "%s:%u", addr,
	    (unsigned) ntohs(sa.s_in.sa_port));
	memset(&ev, 0, sizeof(ev));
	ev.url     = url;
	ev.self    = 1;
	ev.party   = (uint32_t) peer;
	ev.remote  = remote;
	ev.subject = "";
	ev.tls_version = "";
	ev.tls_cipher  = "";
	ev.detail      = "";
	for (int k = MPC_TRAN_EV_HANDSHAKE; k <= MPC_TRAN_EV_CONFIG; k++) {
		ev.kind   = (mpc_tran_event_kind) k;
		ev.epoch  = epoch;
		ev.reason = k == MPC_TRAN_EV_PIPE_CLOSED ? NNG_ECLOSED : 0;
		ev.counts.frames_in = 1;
		ev.counts.bytes_in  = 6;
		ops->ev_event(log, &ev);
	}
	nng_msg_free(msg);
	assert_int_equal(nng_close(s2), 0);
	assert_int_equal(nng_close(s1), 0);
	ops->ev_rele(log);
	unsetenv("NNG_MPC_AUDIT_KEY_FILE");
	/* The endpoints release their references as NNG reaps them; the
	 * last one seals and closes the log.  Wait for that, bounded. */
	for (int i = 0; i < 500 && !log_closed(e.log); i++) {
		nng_msleep(20);
	}
	assert_true(log_closed(e.log));

	files[0] = e.log;
	files[1] = NULL;
	assert_int_equal(au_verify(&e, files, NULL, &r), 0);
	text = au_slurp(e.log, &len);
	/* The session is on record, as the transport itself reported it
	 * (the dialer's handshake and close come only from there). */
	assert_non_null(strstr(text, remote));
	assert_non_null(strstr(text,
	    "\"event\":\"handshake\",\"url\":\"mpc+tcp://127.0.0.1:"));
	assert_non_null(strstr(text, "\"role\":\"dialer\",\"self\":2,\"party\":1"));
	assert_absent(text, len, key, sizeof(key), "session key");
	assert_int_equal(mpc_audit_state_load(&k0, e.verify, true, msgbuf,
	                     sizeof(msgbuf)),
	    0);
	assert_int_equal(mpc_audit_state_load(&kn, e.seal, false, msgbuf,
	                     sizeof(msgbuf)),
	    0);
	assert_absent(text, len, k0.key, sizeof(k0.key), "first sealing key");
	assert_absent(text, len, kn.key, sizeof(kn.key), "sealing key");
	free(text);
	au_teardown(&e);
}

/*
 * An unmodified program's audit trail: NNG_MPC_AUDIT_FILE and
 * NNG_MPC_AUDIT_KEY_FILE alone, no API call.  Every endpoint of the
 * process writes the one log; it verifies, and holds the handshake.
 */
static void
test_environment_log(void **state)
{
	struct au_env                  e;
	struct mpc_audit_verify_result r;
	uint8_t                        key[NNG_MPC_SESSION_KEY_SIZE];
	nng_socket                     s1, s2;
	nng_listener                   l;
	nng_msg *                      msg;
	char                           url[128];
	int                            port;
	char *                         text;
	size_t                         len;
	const char *                   files[2];

	(void) state;
	au_setup(&e);
	assert_int_equal(getrandom(key, sizeof(key), 0), (ssize_t) sizeof(key));
	setenv("NNG_MPC_AUDIT_KEY_FILE", e.seal, 1);
	setenv("NNG_MPC_AUDIT_FILE", e.log, 1);
	assert_int_equal(nng_mpc_register(), 0);
	s1 = party(1, key, NULL);
	s2 = party(2, key, NULL);
	/* A new send key every 2 frames: rekeys are on record too. */
	assert_int_equal(nng_mpc_socket_set(s2, NNG_OPT_MPC_REKEY_MESSAGES,
	                     &(uint64_t) { 2 }, sizeof(uint64_t)),
	    0);
	assert_int_equal(nng_listen(s1, "mpc+tcp://127.0.0.1:0", &l, 0), 0);
	assert_int_equal(
	    nng_listener_get_int(l, NNG_OPT_TCP_BOUND_PORT, &port), 0);
	snprintf(url, sizeof(url), "mpc+tcp://127.0.0.1:%d", port);
	assert_int_equal(nng_dial(s2, url, NULL, 0), 0);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(nng_send(s2, "env", 4, 0), 0);
		assert_int_equal(nng_recvmsg(s1, &msg, 0), 0);
		nng_msg_free(msg);
	}
	assert_int_equal(nng_close(s2), 0);
	assert_int_equal(nng_close(s1), 0);
	unsetenv("NNG_MPC_AUDIT_FILE");
	unsetenv("NNG_MPC_AUDIT_KEY_FILE");
	for (int i = 0; i < 500 && !log_closed(e.log); i++) {
		nng_msleep(20);
	}
	assert_true(log_closed(e.log));
	files[0] = e.log;
	files[1] = NULL;
	assert_int_equal(au_verify(&e, files, NULL, &r), 0);
	text = au_slurp(e.log, &len);
	assert_non_null(strstr(text, "\"role\":\"listener\",\"self\":1,\"party\":2"));
	assert_non_null(strstr(text, "\"role\":\"dialer\",\"self\":2,\"party\":1"));
	/* The effective configuration (the key's presence, never the key)
	 * and the key epochs as each side moved on. */
	assert_non_null(strstr(text, "\"event\":\"config\""));
	assert_non_null(strstr(text, "session-key=set"));
	assert_non_null(strstr(text, "\"event\":\"rekey\""));
	assert_non_null(strstr(text, "direction=send"));
	assert_non_null(strstr(text, "direction=recv"));
	assert_absent(text, len, key, sizeof(key), "session key");
	free(text);
	au_teardown(&e);
}

static void
write_pem(const char *dir, const char *name, const mpc_certgen_pem *pem,
    bool with_key)
{
	char  path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_true(fputs(pem->cert, f) >= 0);
	if (with_key) {
		assert_true(fputs(pem->key, f) >= 0);
	}
	assert_int_equal(fclose(f), 0);
}

static nng_socket
tls_party(struct au_env *e, uint32_t id, const char *certkey,
    const uint8_t *key, nng_mpc_audit *log)
{
	nng_socket s = party(id, key, log);
	char       path[512];

	snprintf(path, sizeof(path), "%s/ca.pem", e->dir);
	assert_int_equal(nng_mpc_socket_set(s, NNG_OPT_TLS_CA_FILE, path,
	                     strlen(path) + 1),
	    0);
	snprintf(path, sizeof(path), "%s/%s", e->dir, certkey);
	assert_int_equal(nng_mpc_socket_set(s, NNG_OPT_TLS_CERT_KEY_FILE, path,
	                     strlen(path) + 1),
	    0);
	return (s);
}

/* Over mpc+tls+tcp the transport's handshake record names the peer's
 * certificate (subject, SPKI pin), the TLS version and suite and the
 * channel binding; a peer from an untrusted CA is on record as refused;
 * and still no key, session or private, appears. */
static void
test_tls_session_on_record(void **state)
{
	struct au_env                  e;
	struct mpc_audit_verify_result r;
	mpc_certgen_ca *               ca, *rogue;
	mpc_certgen_pem                pem;
	time_t                         now = time(NULL);
	uint8_t                        key[NNG_MPC_SESSION_KEY_SIZE];
	nng_mpc_audit *                log;
	nng_socket                     s1, s2, s3;
	nng_listener                   l;
	char                           url[128], *text, *pin;
	int                            port;
	size_t                         len;
	struct au_lines                ls;
	json_object *                  j, *v;
	const char *                   files[2];

	(void) state;
	au_setup(&e);
	assert_int_equal(getrandom(key, sizeof(key), 0), (ssize_t) sizeof(key));
	assert_int_equal(mpc_certgen_ca_create(&ca, 30, now, &pem), 0);
	write_pem(e.dir, "ca.pem", &pem, false);
	mpc_certgen_pem_free(&pem);
	for (uint32_t id = 1; id <= 2; id++) {
		char name[32];

		assert_int_equal(mpc_certgen_party(ca, id, 30, now, &pem), 0);
		snprintf(name, sizeof(name), "party%u.pem", id);
		write_pem(e.dir, name, &pem, true);
		mpc_certgen_pem_free(&pem);
	}
	mpc_certgen_ca_free(ca);
	assert_int_equal(mpc_certgen_ca_create(&rogue, 30, now, NULL), 0);
	assert_int_equal(mpc_certgen_party(rogue, 3, 30, now, &pem), 0);
	write_pem(e.dir, "rogue3.pem", &pem, true);
	mpc_certgen_pem_free(&pem);
	mpc_certgen_ca_free(rogue);

	assert_int_equal(nng_mpc_register(), 0);
	assert_int_equal(nng_mpc_audit_open(&log, e.log, e.seal, NULL), 0);
	s1 = tls_party(&e, 1, "party1.pem", key, log);
	s2 = tls_party(&e, 2, "party2.pem", key, log);
	s3 = tls_party(&e, 3, "rogue3.pem", key, log);
	assert_int_equal(
	    nng_listen(s1, "mpc+tls+tcp://127.0.0.1:0", &l, 0), 0);
	assert_int_equal(
	    nng_listener_get_int(l, NNG_OPT_TCP_BOUND_PORT, &port), 0);
	snprintf(url, sizeof(url), "mpc+tls+tcp://127.0.0.1:%d", port);
	assert_int_equal(nng_dial(s2, url, NULL, 0), 0);
	assert_int_equal(nng_send(s2, "hello", 6, 0), 0);
	{
		nng_msg *msg;

		assert_int_equal(nng_recvmsg(s1, &msg, 0), 0);
		nng_msg_free(msg);
	}
	assert_int_not_equal(nng_dial(s3, url, NULL, 0), 0);
	assert_int_equal(nng_close(s3), 0);
	assert_int_equal(nng_close(s2), 0);
	assert_int_equal(nng_close(s1), 0);
	nng_mpc_audit_close(log);
	for (int i = 0; i < 500 && !log_closed(e.log); i++) {
		nng_msleep(20);
	}
	assert_true(log_closed(e.log));

	files[0] = e.log;
	files[1] = NULL;
	assert_int_equal(au_verify(&e, files, NULL, &r), 0);
	au_lines_read(e.log, &ls);
	j = json_tokener_parse(ls.l[au_lines_find(&ls, 0,
	    "\"event\":\"handshake\",\"url\":\"mpc+tls+tcp://127.0.0.1:0\"")]);
	assert_non_null(j);
	assert_true(json_object_object_get_ex(j, "subject", &v));
	assert_non_null(strstr(json_object_get_string(v), "party-2"));
	assert_true(json_object_object_get_ex(j, "pin", &v));
	pin = strdup(json_object_get_string(v));
	assert_int_equal(strlen(pin), 64);
	assert_true(json_object_object_get_ex(j, "tls_version", &v));
	assert_non_null(strstr(json_object_get_string(v), "1.3"));
	assert_true(json_object_object_get_ex(j, "tls_cipher", &v));
	assert_true(strlen(json_object_get_string(v)) > 0);
	assert_true(json_object_object_get_ex(j, "binding", &v));
	assert_true(json_object_get_boolean(v));
	json_object_put(j);
	/* The rogue is on record, refused, with a reason by name. */
	j = json_tokener_parse(
	    ls.l[au_lines_find(&ls, 0, "\"event\":\"refused\"")]);
	assert_true(json_object_object_get_ex(j, "reason", &v));
	assert_true(json_object_is_type(v, json_type_string));
	json_object_put(j);
	au_lines_free(&ls);

	text = au_slurp(e.log, &len);
	assert_absent(text, len, key, sizeof(key), "session key");
	assert_null(strstr(text, "PRIVATE"));
	assert_null(strstr(text, "BEGIN"));
	free(text);
	free(pin);
	au_teardown(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_session_key_never_logged),
		cmocka_unit_test(test_environment_log),
		cmocka_unit_test(test_tls_session_on_record),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
