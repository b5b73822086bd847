/*
 * test_tls_engine.c -- the wolfSSL engine under NNG's own tls+tcp://:
 * pair1 sockets (mutual auth, 1 MiB message), the stream API for each
 * rejection (error on both ends, the counter that moved, nothing
 * delivered), the bridge (peer info, exporter) and the configuration
 * knobs.  Real sockets on loopback, certificates made by the openssl CLI.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <nng/nng.h>
#include <nng/protocol/pair1/pair.h>
#include <nng/supplemental/tls/tls.h>
#include <nng/supplemental/util/platform.h>

#include "mpc_tls_bridge.h"
#include "mpc_tls_engine.h"
#include "tls_util.h"

#define MIB (1024u * 1024u)

static int
group_setup(void **state)
{
	(void) state;
	(void) tu_certdir();
	return (mpc_tls_engine_register());
}

static nng_mpc_tls_stats
stats(void)
{
	nng_mpc_tls_stats s;

	nng_mpc_tls_stats_get(&s);
	return (s);
}

/* Server: server.pem, requires a client certificate; client: client.pem,
 * verifies the server as 127.0.0.1. */
static void
mutual(nng_tls_config **sc, nng_tls_config **cc, const char *srv_own,
    const char *cli_own)
{
	*sc = tu_cfg(NNG_TLS_MODE_SERVER, srv_own, "ca.pem",
	    NNG_TLS_AUTH_MODE_REQUIRED, NULL);
	*cc = tu_cfg(NNG_TLS_MODE_CLIENT, cli_own, "ca.pem",
	    NNG_TLS_AUTH_MODE_REQUIRED, "127.0.0.1");
}

static void
test_engine_name(void **state)
{
	(void) state;
	assert_string_equal(nng_tls_engine_name(), "wolfSSL 5.5.4");
	assert_non_null(strstr(nng_tls_engine_description(), "wolfSSL 5.5.4"));
	assert_false(nng_tls_engine_fips_mode());
}

/* NNG's own tls+tcp:// with pair1: mutual auth, then a 1 MiB message. */
static void
test_pair1_mutual_auth(void **state)
{
	nng_socket        s1;
	nng_socket        s2;
	nng_listener      l;
	nng_dialer        d;
	nng_tls_config *  sc;
	nng_tls_config *  cc;
	nng_sockaddr      sa;
	char              url[64];
	uint8_t *         big;
	nng_msg *         m;
	nng_pipe          p;
	bool              verified = false;
	nng_mpc_tls_stats before = stats();

	(void) state;
	mutual(&sc, &cc, "server.pem", "client.pem");
	assert_int_equal(nng_pair1_open(&s1), 0);
	assert_int_equal(nng_pair1_open(&s2), 0);
	assert_int_equal(nng_socket_set_size(s1, NNG_OPT_RECVMAXSZ, 2 * MIB), 0);
	assert_int_equal(nng_socket_set_size(s2, NNG_OPT_RECVMAXSZ, 2 * MIB), 0);
	assert_int_equal(nng_socket_set_ms(s1, NNG_OPT_RECVTIMEO, 5000), 0);
	assert_int_equal(nng_socket_set_ms(s2, NNG_OPT_RECVTIMEO, 5000), 0);

	assert_int_equal(
	    nng_listener_create(&l, s1, "tls+tcp://127.0.0.1:0"), 0);
	assert_int_equal(nng_listener_set_ptr(l, NNG_OPT_TLS_CONFIG, sc), 0);
	assert_int_equal(nng_listener_start(l, 0), 0);
	assert_int_equal(nng_listener_get_addr(l, NNG_OPT_LOCADDR, &sa), 0);
	(void) snprintf(url, sizeof(url), "tls+tcp://127.0.0.1:%u",
	    ntohs(sa.s_in.sa_port));
	assert_int_equal(nng_dialer_create(&d, s2, url), 0);
	assert_int_equal(nng_dialer_set_ptr(d, NNG_OPT_TLS_CONFIG, cc), 0);
	assert_int_equal(nng_dialer_start(d, 0), 0);

	assert_int_equal(nng_send(s2, "hello", 6, 0), 0);
	assert_int_equal(nng_recvmsg(s1, &m, 0), 0);
	assert_int_equal(nng_msg_len(m), 6);
	assert_string_equal(nng_msg_body(m), "hello");
	/* The server required and verified the client's certificate. */
	p = nng_msg_get_pipe(m);
	assert_int_equal(nng_pipe_get_bool(p, NNG_OPT_TLS_VERIFIED, &verified), 0);
	assert_true(verified);
	nng_msg_free(m);

	assert_non_null(big = malloc(MIB));
	for (size_t i = 0; i < MIB; i++) {
		big[i] = (uint8_t) (i * 131 + 7);
	}
	assert_int_equal(nng_send(s1, big, MIB, 0), 0);
	assert_int_equal(nng_recvmsg(s2, &m, 0), 0);
	assert_int_equal(nng_msg_len(m), MIB);
	assert_memory_equal(nng_msg_body(m), big, MIB);
	nng_msg_free(m);
	free(big);

	assert_true(stats().hs_ok >= before.hs_ok + 2);
	assert_int_equal(stats().hs_failed, before.hs_failed);
	assert_int_equal(nng_close(s2), 0);
	assert_int_equal(nng_close(s1), 0);
	nng_tls_config_free(sc);
	nng_tls_config_free(cc);
}

/* A failed handshake at the socket level: the dial fails, nothing is
 * delivered to the listening socket. */
static void
test_pair1_unknown_ca(void **state)
{
	nng_socket      s1;
	nng_socket      s2;
	nng_listener    l;
	nng_dialer      d;
	nng_tls_config *sc;
	nng_tls_config *cc;
	nng_sockaddr    sa;
	char            url[64];
	char            buf[16];
	size_t          sz = sizeof(buf);
	int             rv;

	(void) state;
	mutual(&sc, &cc, "unknown.pem", "client.pem");
	assert_int_equal(nng_pair1_open(&s1), 0);
	assert_int_equal(nng_pair1_open(&s2), 0);
	assert_int_equal(nng_socket_set_ms(s1, NNG_OPT_RECVTIMEO, 300), 0);
	assert_int_equal(
	    nng_listener_create(&l, s1, "tls+tcp://127.0.0.1:0"), 0);
	assert_int_equal(nng_listener_set_ptr(l, NNG_OPT_TLS_CONFIG, sc), 0);
	assert_int_equal(nng_listener_start(l, 0), 0);
	assert_int_equal(nng_listener_get_addr(l, NNG_OPT_LOCADDR, &sa), 0);
	(void) snprintf(url, sizeof(url), "tls+tcp://127.0.0.1:%u",
	    ntohs(sa.s_in.sa_port));
	assert_int_equal(nng_dialer_create(&d, s2, url), 0);
	assert_int_equal(nng_dialer_set_ptr(d, NNG_OPT_TLS_CONFIG, cc), 0);
	rv = nng_dialer_start(d, 0);
	assert_true(rv == NNG_EPEERAUTH);
	assert_int_equal(nng_send(s2, "x", 1, NNG_FLAG_NONBLOCK), NNG_EAGAIN);
	assert_int_equal(nng_recv(s1, buf, &sz, 0), NNG_ETIMEDOUT);
	assert_int_equal(nng_close(s2), 0);
	assert_int_equal(nng_close(s1), 0);
	nng_tls_config_free(sc);
	nng_tls_config_free(cc);
}

/* Runs one rejected connection; asserts nothing crossed. */
static void
reject(nng_tls_config *sc, nng_tls_config *cc, struct tu_result *r)
{
	tu_try(sc, cc, true, r);
	assert_int_equal(r->srv_got, 0);
	assert_int_equal(r->cli_got, 0);
	assert_int_not_equal(r->srv_recv, 0);
	assert_int_not_equal(r->cli_recv, 0);
}

#define DELTA(field) (after.field - before.field)

/*
 * The side that rejects gets its exact error.  The other side learns of it
 * from the fatal alert, if the alert gets out: NNG 1.5.2's tls_common.c
 * closes the TCP connection as soon as the engine reports the failure, and
 * an alert still queued behind an earlier write is lost with it.  Then the
 * peer sees the connection end instead.  Either way nothing is delivered.
 */
static void
assert_peer_side(int rv, int expect)
{
	if (rv != expect && rv != NNG_ECONNSHUT && rv != NNG_ECLOSED &&
	    rv != NNG_ECONNRESET) {
		fail_msg("peer side: %d (%s)", rv, nng_strerror(rv));
	}
}

static void
test_reject_unknown_ca(void **state)
{
	nng_tls_config *  sc;
	nng_tls_config *  cc;
	struct tu_result  r;
	struct mpc_tls_peer pi;
	nng_mpc_tls_stats before = stats();
	nng_mpc_tls_stats after;

	(void) state;
	mutual(&sc, &cc, "unknown.pem", "client.pem");
	reject(sc, cc, &r);
	after = stats();
	/* The client rejects the server's chain; the server is told so. */
	assert_int_equal(r.cli_send, NNG_EPEERAUTH);
	assert_peer_side(r.srv_recv, NNG_EPEERAUTH);
	assert_int_equal(mpc_tls_peer_info(r.cli, &pi), NNG_MPC_ETLSUNTRUSTED);
	assert_int_equal(DELTA(untrusted), 1);
	assert_true(DELTA(hs_failed) >= 1);
	assert_int_equal(DELTA(hs_ok), 0);
	tu_result_free(&r);
	nng_tls_config_free(sc);
	nng_tls_config_free(cc);
}

static void
test_reject_expired(void **state)
{
	nng_tls_config *    sc;
	nng_tls_config *    cc;
	struct tu_result    r;
	struct mpc_tls_peer pi;
	nng_mpc_tls_stats   before = stats();
	nng_mpc_tls_stats   after;

	(void) state;
	mutual(&sc, &cc, "expired.pem", "client.pem");
	reject(sc, cc, &r);
	after = stats();
	assert_int_equal(r.cli_send, NNG_EPEERAUTH);
	assert_peer_side(r.srv_recv, NNG_EPEERAUTH);
	assert_int_equal(mpc_tls_peer_info(r.cli, &pi), NNG_MPC_ETLSEXPIRED);
	assert_int_equal(DELTA(expired), 1);
	assert_int_equal(DELTA(hs_ok), 0);
	tu_result_free(&r);
	nng_tls_config_free(sc);
	nng_tls_config_free(cc);
}

/* A CA file carrying a CRL: the revoked certificate is refused, the
 * others still pass. */
static void
test_reject_revoked(void **state)
{
	nng_tls_config *    sc;
	nng_tls_config *    cc;
	struct tu_result    r;
	struct mpc_tls_peer pi;
	nng_mpc_tls_stats   before = stats();
	nng_mpc_tls_stats   after;

	(void) state;
	sc = tu_cfg(NNG_TLS_MODE_SERVER, "revoked.pem", "ca.pem",
	    NNG_TLS_AUTH_MODE_REQUIRED, NULL);
	cc = tu_cfg(NNG_TLS_MODE_CLIENT, "client.pem", "ca_crl.pem",
	    NNG_TLS_AUTH_MODE_REQUIRED, "127.0.0.1");
	reject(sc, cc, &r);
	after = stats();
	assert_int_equal(r.cli_send, NNG_EPEERAUTH);
	assert_peer_side(r.srv_recv, NNG_EPEERAUTH);
	assert_int_equal(mpc_tls_peer_info(r.cli, &pi), NNG_MPC_ETLSREVOKED);
	assert_int_equal(DELTA(revoked), 1);
	assert_int_equal(DELTA(hs_ok), 0);
	tu_result_free(&r);
	nng_tls_config_free(sc);

	sc = tu_cfg(NNG_TLS_MODE_SERVER, "server.pem", "ca.pem",
	    NNG_TLS_AUTH_MODE_REQUIRED, NULL);
	tu_try(sc, cc, false, &r);
	assert_int_equal(r.srv_got, 4);
	assert_int_equal(r.cli_got, 4);
	nng_tls_config_free(sc);
	nng_tls_config_free(cc);
}

static void
test_reject_wrong_name(void **state)
{
	nng_tls_config *    sc;
	nng_tls_config *    cc;
	struct tu_result    r;
	struct mpc_tls_peer pi;
	nng_mpc_tls_stats   before = stats();
	nng_mpc_tls_stats   after;

	(void) state;
	sc = tu_cfg(NNG_TLS_MODE_SERVER, "server.pem", "ca.pem",
	    NNG_TLS_AUTH_MODE_REQUIRED, NULL);
	cc = tu_cfg(NNG_TLS_MODE_CLIENT, "client.pem", "ca.pem",
	    NNG_TLS_AUTH_MODE_REQUIRED, "wrong.example");
	reject(sc, cc, &r);
	after = stats();
	assert_int_equal(r.cli_send, NNG_EPEERAUTH);
	assert_peer_side(r.srv_recv, NNG_EPEERAUTH);
	assert_int_equal(mpc_tls_peer_info(r.cli, &pi), NNG_MPC_ETLSNAME);
	assert_int_equal(DELTA(name_mismatch), 1);
	assert_int_equal(DELTA(hs_ok), 0);
	tu_result_free(&r);
	nng_tls_config_free(sc);
	nng_tls_config_free(cc);
}

static void
test_reject_no_client_cert(void **state)
{
	nng_tls_config *    sc;
	nng_tls_config *    cc;
	struct tu_result    r;
	struct mpc_tls_peer pi;
	nng_mpc_tls_stats   before = stats();
	nng_mpc_tls_stats   after;

	(void) state;
	mutual(&sc, &cc, "server.pem", NULL);
	reject(sc, cc, &r);
	after = stats();
	/* TLS 1.3: the client's handshake ends before the server judges
	 * its (empty) certificate, so the client learns it from the
	 * server's alert on its next read (RFC 8446 4.4.2.4). */
	assert_int_equal(r.srv_recv, NNG_EPEERAUTH);
	assert_peer_side(r.cli_recv, NNG_EPEERAUTH);
	assert_int_equal(mpc_tls_peer_info(r.srv, &pi), NNG_MPC_ETLSNOCERT);
	assert_int_equal(DELTA(no_peer_cert), 1);
	tu_result_free(&r);
	nng_tls_config_free(sc);
	nng_tls_config_free(cc);
}

static void
test_reject_pin_mismatch(void **state)
{
	nng_tls_config *    sc;
	nng_tls_config *    cc;
	struct tu_result    r;
	struct mpc_tls_peer pi;
	uint8_t             pin[NNG_MPC_TLS_PIN_SIZE];
	nng_mpc_tls_stats   before = stats();
	nng_mpc_tls_stats   after;

	(void) state;
	mutual(&sc, &cc, "server.pem", "client.pem");
	/* The client pins a key that is not the server's. */
	tu_read_pin("client.pin", pin);
	assert_int_equal(nng_mpc_tls_config_pins(cc, pin, 1), 0);
	reject(sc, cc, &r);
	after = stats();
	assert_int_equal(r.cli_send, NNG_EPEERAUTH);
	assert_peer_side(r.srv_recv, NNG_EPEERAUTH);
	assert_int_equal(mpc_tls_peer_info(r.cli, &pi), NNG_MPC_ETLSPIN);
	assert_int_equal(DELTA(pin_mismatch), 1);
	assert_int_equal(DELTA(hs_ok), 0);
	tu_result_free(&r);
	nng_tls_config_free(sc);
	nng_tls_config_free(cc);
}

static void
test_pin_match(void **state)
{
	nng_tls_config *    sc;
	nng_tls_config *    cc;
	struct tu_result    r;
	struct mpc_tls_peer pi;
	uint8_t             pins[2][NNG_MPC_TLS_PIN_SIZE];

	(void) state;
	mutual(&sc, &cc, "server.pem", "client.pem");
	tu_read_pin("client.pin", pins[0]);
	tu_read_pin("server.pin", pins[1]);
	assert_int_equal(nng_mpc_tls_config_pins(cc, &pins[0][0], 2), 0);
	assert_int_equal(nng_mpc_tls_config_pins(sc, &pins[0][0], 1), 0);
	tu_try(sc, cc, true, &r);
	assert_int_equal(r.srv_got, 4);
	assert_int_equal(r.cli_got, 4);
	assert_int_equal(mpc_tls_peer_info(r.cli, &pi), 0);
	assert_true(pi.pin_ok);
	assert_memory_equal(pi.spki_sha256, pins[1], NNG_MPC_TLS_PIN_SIZE);
	assert_int_equal(mpc_tls_peer_info(r.srv, &pi), 0);
	assert_true(pi.pin_ok);
	tu_result_free(&r);
	nng_tls_config_free(sc);
	nng_tls_config_free(cc);
}

/* Pinning without any CA: auth mode none, the pin alone decides. */
static void
test_pin_only(void **state)
{
	nng_tls_config *    sc;
	nng_tls_config *    cc;
	struct tu_result    r;
	struct mpc_tls_peer pi;
	uint8_t             pin[NNG_MPC_TLS_PIN_SIZE];
	nng_mpc_tls_stats   before = stats();
	nng_mpc_tls_stats   after;

	(void) state;
	sc = tu_cfg(NNG_TLS_MODE_SERVER, "server.pem", NULL,
	    NNG_TLS_AUTH_MODE_NONE, NULL);
	cc = tu_cfg(NNG_TLS_MODE_CLIENT, NULL, NULL, NNG_TLS_AUTH_MODE_NONE,
	    "127.0.0.1");
	tu_read_pin("server.pin", pin);
	assert_int_equal(nng_mpc_tls_config_pins(cc, pin, 1), 0);
	tu_try(sc, cc, true, &r);
	assert_int_equal(r.srv_got, 4);
	assert_int_equal(r.cli_got, 4);
	assert_int_equal(mpc_tls_peer_info(r.cli, &pi), 0);
	assert_true(pi.pin_ok);
	assert_false(pi.verified); /* no CA: pinned, not chain-verified */
	tu_result_free(&r);

	/* The same client against another key is refused. */
	nng_tls_config_free(sc);
	sc = tu_cfg(NNG_TLS_MODE_SERVER, "unknown.pem", NULL,
	    NNG_TLS_AUTH_MODE_NONE, NULL);
	reject(sc, cc, &r);
	after = stats();
	assert_int_equal(r.cli_send, NNG_EPEERAUTH);
	assert_int_equal(DELTA(pin_mismatch), 1);
	tu_result_free(&r);
	nng_tls_config_free(sc);
	nng_tls_config_free(cc);
}

/* Each malformed party-ID SAN fails the handshake where identity is
 * required. */
static void
test_reject_party_malformed(void **state)
{
	static const struct {
		const char *cert;
		int         reason;
	} cases[] = {
		{ "party_evil.pem", NNG_MPC_ETLSPARTY },  /* 1-evil */
		{ "party_zero.pem", NNG_MPC_ETLSPARTY },  /* 01 */
		{ "party_empty.pem", NNG_MPC_ETLSPARTY }, /* "" */
		{ "party_two.pem", NNG_MPC_ETLSPARTY },   /* two SANs */
		{ "party_upper.pem", NNG_MPC_ETLSPARTY }, /* MPC:// */
		{ "party_big.pem", NNG_MPC_ETLSPARTY },   /* 2^32-1 */
		{ "party_none.pem", NNG_MPC_ETLSNOPARTY },
	};

	(void) state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		nng_tls_config *    sc;
		nng_tls_config *    cc;
		struct tu_result    r;
		struct mpc_tls_peer pi;
		nng_mpc_tls_stats   before = stats();
		nng_mpc_tls_stats   after;

		mutual(&sc, &cc, "server.pem", cases[i].cert);
		assert_int_equal(nng_mpc_tls_config_require_party(sc, 1), 0);
		reject(sc, cc, &r);
		after = stats();
		assert_int_equal(r.srv_recv, NNG_EPEERAUTH);
		assert_peer_side(r.cli_recv, NNG_EPEERAUTH);
		assert_int_equal(mpc_tls_peer_info(r.srv, &pi), cases[i].reason);
		if (cases[i].reason == NNG_MPC_ETLSPARTY) {
			assert_int_equal(DELTA(party_malformed), 1);
		} else {
			assert_int_equal(DELTA(party_missing), 1);
		}
		tu_result_free(&r);
		nng_tls_config_free(sc);
		nng_tls_config_free(cc);
	}
}

/* Plain tls+tcp:// (identity not required) accepts the same certificate
 * and reports the malformed identity instead of a party ID. */
static void
test_party_not_required(void **state)
{
	nng_tls_config *    sc;
	nng_tls_config *    cc;
	struct tu_result    r;
	struct mpc_tls_peer pi;

	(void) state;
	mutual(&sc, &cc, "server.pem", "party_evil.pem");
	tu_try(sc, cc, true, &r);
	assert_int_equal(r.srv_got, 4);
	assert_int_equal(mpc_tls_peer_info(r.srv, &pi), 0);
	assert_false(pi.party_ok);
	assert_true(pi.party_malformed);
	assert_int_equal(pi.party_id, 0);
	tu_result_free(&r);
	nng_tls_config_free(sc);
	nng_tls_config_free(cc);
}

/* A TLS-1.2-only client against the default (1.3-only) server. */
static void
test_reject_tls12_peer(void **state)
{
	nng_tls_config *    sc;
	nng_tls_config *    cc;
	struct tu_result    r;
	struct mpc_tls_peer pi;
	nng_mpc_tls_stats   before = stats();
	nng_mpc_tls_stats   after;

	(void) state;
	mutual(&sc, &cc, "server.pem", "client.pem");
	assert_int_equal(nng_tls_config_version(cc, NNG_TLS_1_2, NNG_TLS_1_2), 0);
	reject(sc, cc, &r);
	after = stats();
	assert_int_equal(r.srv_recv, NNG_ECRYPTO);
	assert_peer_side(r.cli_send, NNG_ECRYPTO);
	assert_int_equal(mpc_tls_peer_info(r.srv, &pi), NNG_MPC_ETLSVERSION);
	assert_true(DELTA(version) >= 1);
	assert_int_equal(DELTA(hs_ok), 0);
	tu_result_free(&r);
	nng_tls_config_free(sc);
	nng_tls_config_free(cc);
}

/* TLS 1.2 only when asked for, on both ends. */
static void
test_tls12_when_asked(void **state)
{
	nng_tls_config *    sc;
	nng_tls_config *    cc;
	struct tu_result    r;
	struct mpc_tls_peer pi;
	uint8_t             out[32];

	(void) state;
	mutual(&sc, &cc, "server.pem", "client.pem");
	assert_int_equal(nng_tls_config_version(sc, NNG_TLS_1_2, NNG_TLS_1_3), 0);
	assert_int_equal(nng_tls_config_version(cc, NNG_TLS_1_2, NNG_TLS_1_2), 0);
	tu_try(sc, cc, true, &r);
	assert_int_equal(r.srv_got, 4);
	assert_int_equal(mpc_tls_peer_info(r.cli, &pi), 0);
	assert_string_equal(pi.version, "TLSv1.2");
	assert_string_equal(pi.cipher, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
	assert_int_equal(pi.party_id, 1);
	/* Channel binding is defined on TLS 1.3 only. */
	memset(out, 0xAA, sizeof(out));
	assert_int_equal(mpc_tls_export(r.cli, "EXPORTER-test", NULL, 0, out,
	                     sizeof(out)),
	    NNG_MPC_ETLSVERSION);
	for (size_t i = 0; i < sizeof(out); i++) {
		assert_int_equal(out[i], 0);
	}
	tu_result_free(&r);
	/* Range 1.2-1.3 on both ends negotiates 1.3. */
	assert_int_equal(nng_tls_config_version(cc, NNG_TLS_1_2, NNG_TLS_1_3), 0);
	tu_try(sc, cc, true, &r);
	assert_int_equal(mpc_tls_peer_info(r.cli, &pi), 0);
	assert_string_equal(pi.version, "TLSv1.3");
	tu_result_free(&r);
	assert_int_equal(nng_tls_config_version(cc, NNG_TLS_1_0, NNG_TLS_1_1),
	    NNG_ENOTSUP);
	nng_tls_config_free(sc);
	nng_tls_config_free(cc);
}

/* One small write on a stream, waited for. */
static void
stream_send_once(nng_stream *s)
{
	nng_aio *aio;
	char     b[] = "x";
	nng_iov  iov = { .iov_buf = b, .iov_len = 1 };

	assert_int_equal(nng_aio_alloc(&aio, NULL, NULL), 0);
	assert_int_equal(nng_aio_set_iov(aio, 1, &iov), 0);
	nng_aio_set_timeout(aio, 5000);
	nng_stream_send(s, aio);
	nng_aio_wait(aio);
	assert_int_equal(nng_aio_result(aio), 0);
	nng_aio_free(aio);
}

/* Whether a connection's kept handshake secrets were freed. */
static bool
secrets_dropped(nng_stream *s)
{
	struct nng_tls_engine_conn *c;
	bool                        done;

	mpc_tls_reg_lock();
	assert_non_null(c = mpc_tls_reg_conn_find(s));
	(void) pthread_mutex_lock(&c->lk);
	done = c->secrets_dropped;
	(void) pthread_mutex_unlock(&c->lk);
	mpc_tls_reg_unlock();
	return (done);
}

/* The bridge: peer facts and exporter values on both ends. */
static void
test_bridge_peer_info_export(void **state)
{
	nng_tls_config *    sc;
	nng_tls_config *    cc;
	struct tu_result    r;
	struct mpc_tls_peer ps;
	struct mpc_tls_peer pc;
	uint8_t             spin[NNG_MPC_TLS_PIN_SIZE];
	uint8_t             cpin[NNG_MPC_TLS_PIN_SIZE];
	uint8_t             a[48];
	uint8_t             b[48];
	uint8_t             c[48];
	static const uint8_t ctx[] = { 1, 2, 3 };

	struct mpc_tls_require req = { .keep_exporter = true };
	nng_tls_config *       app_sc;
	nng_tls_config *       app_cc;

	(void) state;
	/* Only connections of a derived config keep the exporter secrets. */
	mutual(&app_sc, &app_cc, "server.pem", "client.pem");
	assert_int_equal(mpc_tls_config_derive(app_sc, &req, &sc), 0);
	assert_int_equal(mpc_tls_config_derive(app_cc, &req, &cc), 0);
	tu_try(app_sc, app_cc, true, &r);
	assert_int_equal(r.srv_got, 4);
	assert_int_equal(mpc_tls_export(r.cli, "EXPORTER-nng-mpc-test", ctx,
	                     3, a, 48),
	    NNG_MPC_ETLSFORGOTTEN);
	tu_result_free(&r);
	nng_tls_config_free(app_sc);
	nng_tls_config_free(app_cc);

	tu_try(sc, cc, true, &r);
	assert_int_equal(r.srv_got, 4);
	assert_int_equal(r.cli_got, 4);

	/* The server sees party 2 (the client), the client party 1. */
	assert_int_equal(mpc_tls_peer_info(r.srv, &ps), 0);
	assert_int_equal(mpc_tls_peer_info(r.cli, &pc), 0);
	assert_true(ps.have_cert && ps.verified && ps.party_ok);
	assert_true(pc.have_cert && pc.verified && pc.party_ok);
	assert_int_equal(ps.party_id, 2);
	assert_int_equal(pc.party_id, 1);
	assert_non_null(strstr(ps.subject, "CN=client"));
	assert_non_null(strstr(pc.subject, "CN=server"));
	assert_string_equal(ps.version, "TLSv1.3");
	assert_string_equal(pc.version, "TLSv1.3");
	assert_string_equal(ps.cipher, "TLS_AES_256_GCM_SHA384");
	assert_string_equal(pc.cipher, ps.cipher);
	assert_int_equal(pc.cipher_id, 0x1302);
	assert_false(ps.pin_ok); /* no pins configured */
	/* The SPKI digests equal openssl's. */
	tu_read_pin("server.pin", spin);
	tu_read_pin("client.pin", cpin);
	assert_memory_equal(pc.spki_sha256, spin, sizeof(spin));
	assert_memory_equal(ps.spki_sha256, cpin, sizeof(cpin));

	/* Exporter: equal on both ends, distinct per label and context. */
	assert_int_equal(
	    mpc_tls_export(r.srv, "EXPORTER-nng-mpc-test", ctx, 3, a, 48), 0);
	assert_int_equal(
	    mpc_tls_export(r.cli, "EXPORTER-nng-mpc-test", ctx, 3, b, 48), 0);
	assert_memory_equal(a, b, 48);
	assert_int_equal(
	    mpc_tls_export(r.cli, "EXPORTER-nng-mpc-other", ctx, 3, c, 48), 0);
	assert_memory_not_equal(a, c, 48);
	assert_int_equal(
	    mpc_tls_export(r.cli, "EXPORTER-nng-mpc-test", NULL, 0, c, 48), 0);
	assert_memory_not_equal(a, c, 48);
	/* Bad arguments: refused, output wiped. */
	memset(c, 0xAA, sizeof(c));
	assert_int_equal(mpc_tls_export(r.cli, "", NULL, 0, c, 48),
	    NNG_MPC_ETLSEXPORT);
	for (size_t i = 0; i < sizeof(c); i++) {
		assert_int_equal(c[i], 0);
	}
	assert_int_equal(mpc_tls_export(r.cli, "EXPORTER-x", NULL, 0, c, 0),
	    NNG_MPC_ETLSEXPORT);
	assert_int_equal(mpc_tls_export(r.cli, "EXPORTER-x", NULL, 0, c,
	                     MPC_TLS_EXPORT_MAX + 1),
	    NNG_MPC_ETLSEXPORT);
	/* Once forgotten, the secrets are gone: the exporter fails, and the
	 * connection's next operation freed them. */
	assert_int_equal(mpc_tls_forget(r.cli), 0);
	assert_int_equal(mpc_tls_forget(r.cli), 0); /* idempotent */
	stream_send_once(r.cli);
	assert_true(secrets_dropped(r.cli));
	assert_false(secrets_dropped(r.srv));
	memset(c, 0xAA, sizeof(c));
	assert_int_equal(
	    mpc_tls_export(r.cli, "EXPORTER-nng-mpc-test", ctx, 3, c, 48),
	    NNG_MPC_ETLSFORGOTTEN);
	for (size_t i = 0; i < sizeof(c); i++) {
		assert_int_equal(c[i], 0);
	}
	/* The other end still has its own until it forgets them. */
	assert_int_equal(
	    mpc_tls_export(r.srv, "EXPORTER-nng-mpc-test", ctx, 3, c, 48), 0);
	assert_memory_equal(a, c, 48);
	assert_int_equal(mpc_tls_forget(r.srv), 0);
	assert_int_equal(
	    mpc_tls_export(r.srv, "EXPORTER-nng-mpc-test", ctx, 3, c, 48),
	    NNG_MPC_ETLSFORGOTTEN);
	tu_result_free(&r);
	nng_tls_config_free(sc);
	nng_tls_config_free(cc);
}

/*
 * mpc_tls_config_derive: refuses what could authenticate no peer; the copy
 * never waives a chain error, although its source (auth mode none) does,
 * and the source is left as it was.
 */
static void
test_derive(void **state)
{
	struct mpc_tls_require req = { .keep_exporter = false };
	uint8_t                pins[NNG_MPC_TLS_PINS_MAX + 1][NNG_MPC_TLS_PIN_SIZE];
	nng_tls_config *       src;
	nng_tls_config *       out = NULL;
	nng_tls_config *       sc;
	struct tu_result       r;
	struct mpc_tls_peer    pi;
	nng_mpc_tls_stats      before;
	nng_mpc_tls_stats      after;
	uint64_t               not_a_config[16] = { 0 };

	(void) state;
	memset(pins, 0x5A, sizeof(pins));
	/* No own certificate: a party must present one. */
	src = tu_cfg(NNG_TLS_MODE_CLIENT, NULL, "ca.pem",
	    NNG_TLS_AUTH_MODE_REQUIRED, NULL);
	assert_int_equal(
	    mpc_tls_config_derive(src, &req, &out), NNG_MPC_ETLSNOCERT);
	nng_tls_config_free(src);
	/* No anchors and no pins: nothing to trust. */
	src = tu_cfg(NNG_TLS_MODE_CLIENT, "client.pem", NULL,
	    NNG_TLS_AUTH_MODE_NONE, NULL);
	assert_int_equal(
	    mpc_tls_config_derive(src, &req, &out), NNG_MPC_ETLSNOTRUST);
	assert_null(out);
	req.pins  = (const uint8_t(*)[NNG_MPC_TLS_PIN_SIZE]) pins;
	req.npins = NNG_MPC_TLS_PINS_MAX + 1;
	assert_int_equal(
	    mpc_tls_config_derive(src, &req, &out), NNG_MPC_ETLSTOOMANY);
	req.npins = 1; /* pins alone are a trust root */
	assert_int_equal(mpc_tls_config_derive(src, &req, &out), 0);
	nng_tls_config_free(out);
	assert_int_equal(mpc_tls_config_derive((nng_tls_config *) not_a_config,
	                     &req, &out),
	    NNG_MPC_ETLSNOTOURS);
	nng_tls_config_free(src);

	/* Auth mode none: the source accepts a server from an unknown CA,
	 * its derived copy refuses it. */
	sc  = tu_cfg(NNG_TLS_MODE_SERVER, "unknown.pem", NULL,
	     NNG_TLS_AUTH_MODE_NONE, NULL);
	src = tu_cfg(NNG_TLS_MODE_CLIENT, "client.pem", "ca.pem",
	    NNG_TLS_AUTH_MODE_NONE, NULL);
	req.npins = 0;
	assert_int_equal(mpc_tls_config_derive(src, &req, &out), 0);
	before = stats();
	tu_try(sc, out, true, &r);
	after = stats();
	assert_int_equal(r.cli_send, NNG_EPEERAUTH);
	assert_int_equal(r.srv_got, 0);
	assert_int_equal(mpc_tls_peer_info(r.cli, &pi), NNG_MPC_ETLSUNTRUSTED);
	assert_int_equal(DELTA(untrusted), 1);
	tu_result_free(&r);
	tu_try(sc, src, true, &r);
	assert_int_equal(r.srv_got, 4);
	assert_int_equal(mpc_tls_peer_info(r.cli, &pi), 0);
	assert_true(pi.have_cert);
	assert_false(pi.verified); /* waived is not trusted */
	tu_result_free(&r);
	nng_tls_config_free(out);
	nng_tls_config_free(src);
	nng_tls_config_free(sc);
}

/* Streams the engine does not own, and handshakes not yet done. */
static void
test_bridge_not_ours_not_ready(void **state)
{
	nng_stream_listener *l;
	nng_stream_dialer *  d;
	nng_aio *            acc;
	nng_aio *            dial;
	nng_stream *         cs;
	nng_stream *         ss;
	nng_tls_config *     sc;
	nng_tls_config *     cc;
	struct mpc_tls_peer  pi;
	uint8_t              out[16];
	int                  port;
	char                 url[64];
	int                  dummy;

	(void) state;
	/* Plain tcp:// streams are not ours. */
	assert_int_equal(nng_stream_listener_alloc(&l, "tcp://127.0.0.1:0"), 0);
	assert_int_equal(nng_stream_listener_listen(l), 0);
	assert_int_equal(
	    nng_stream_listener_get_int(l, NNG_OPT_TCP_BOUND_PORT, &port), 0);
	(void) snprintf(url, sizeof(url), "tcp://127.0.0.1:%d", port);
	assert_int_equal(nng_stream_dialer_alloc(&d, url), 0);
	assert_int_equal(nng_aio_alloc(&acc, NULL, NULL), 0);
	assert_int_equal(nng_aio_alloc(&dial, NULL, NULL), 0);
	nng_stream_listener_accept(l, acc);
	nng_stream_dialer_dial(d, dial);
	nng_aio_wait(dial);
	nng_aio_wait(acc);
	assert_int_equal(nng_aio_result(dial), 0);
	cs = nng_aio_get_output(dial, 0);
	ss = nng_aio_get_output(acc, 0);
	assert_int_equal(mpc_tls_peer_info(cs, &pi), NNG_MPC_ETLSNOTOURS);
	assert_int_equal(mpc_tls_export(cs, "EXPORTER-x", NULL, 0, out, 16),
	    NNG_MPC_ETLSNOTOURS);
	nng_stream_free(cs);
	nng_stream_free(ss);
	nng_stream_dialer_free(d);
	nng_stream_listener_free(l);

	/* A TLS stream before any I/O: connected, handshake not started. */
	mutual(&sc, &cc, "server.pem", "client.pem");
	assert_int_equal(
	    nng_stream_listener_alloc(&l, "tls+tcp://127.0.0.1:0"), 0);
	assert_int_equal(nng_stream_listener_set_ptr(l, NNG_OPT_TLS_CONFIG, sc), 0);
	assert_int_equal(nng_stream_listener_listen(l), 0);
	assert_int_equal(
	    nng_stream_listener_get_int(l, NNG_OPT_TCP_BOUND_PORT, &port), 0);
	(void) snprintf(url, sizeof(url), "tls+tcp://127.0.0.1:%d", port);
	assert_int_equal(nng_stream_dialer_alloc(&d, url), 0);
	assert_int_equal(nng_stream_dialer_set_ptr(d, NNG_OPT_TLS_CONFIG, cc), 0);
	nng_stream_listener_accept(l, acc);
	nng_stream_dialer_dial(d, dial);
	nng_aio_wait(dial);
	nng_aio_wait(acc);
	cs = nng_aio_get_output(dial, 0);
	ss = nng_aio_get_output(acc, 0);
	assert_int_equal(mpc_tls_peer_info(cs, &pi), NNG_MPC_ETLSNOTREADY);
	assert_int_equal(mpc_tls_export(ss, "EXPORTER-x", NULL, 0, out, 16),
	    NNG_MPC_ETLSNOTREADY);
	nng_stream_free(cs);
	nng_stream_free(ss);
	nng_stream_dialer_free(d);
	nng_stream_listener_free(l);
	nng_aio_free(acc);
	nng_aio_free(dial);

	/* A config pointer the engine did not make. */
	assert_int_equal(nng_mpc_tls_config_require_party(
	                     (struct nng_tls_config *) &dummy, 1),
	    NNG_MPC_ETLSNOTOURS);
	assert_int_equal(nng_mpc_tls_config_pins(
	                     (struct nng_tls_config *) &dummy, NULL, 0),
	    NNG_MPC_ETLSNOTOURS);
	nng_tls_config_free(sc);
	nng_tls_config_free(cc);
}

/* Suites and groups: chosen ones are used, unknown names refused. */
static void
test_config_suites_groups(void **state)
{
	nng_tls_config *    sc;
	nng_tls_config *    cc;
	struct tu_result    r;
	struct mpc_tls_peer pi;
	uint8_t             pins[NNG_MPC_TLS_PINS_MAX + 1][NNG_MPC_TLS_PIN_SIZE];

	(void) state;
	mutual(&sc, &cc, "server.pem", "client.pem");
	assert_int_equal(
	    nng_mpc_tls_config_ciphers(cc, "TLS_CHACHA20_POLY1305_SHA256"), 0);
	assert_int_equal(nng_mpc_tls_config_groups(cc, "P-256"), 0);
	assert_int_equal(nng_mpc_tls_config_groups(sc, "P-256:X25519"), 0);
	tu_try(sc, cc, true, &r);
	assert_int_equal(r.srv_got, 4);
	assert_int_equal(mpc_tls_peer_info(r.srv, &pi), 0);
	assert_string_equal(pi.cipher, "TLS_CHACHA20_POLY1305_SHA256");
	assert_int_equal(pi.cipher_id, 0x1303);
	tu_result_free(&r);

	assert_int_equal(nng_mpc_tls_config_ciphers(cc, "TLS_AES_128_GCM_SHA256"), 0);
	tu_try(sc, cc, true, &r);
	assert_int_equal(mpc_tls_peer_info(r.cli, &pi), 0);
	assert_string_equal(pi.cipher, "TLS_AES_128_GCM_SHA256");
	tu_result_free(&r);

	assert_int_equal(nng_mpc_tls_config_ciphers(cc, "TLS_AES_128_GCM_SHA256:"
	                                                "TLS_RSA_WITH_RC4_128_MD5"),
	    NNG_MPC_ETLSCIPHER);
	assert_int_equal(nng_mpc_tls_config_ciphers(cc, "tls_aes_128_gcm_sha256"),
	    NNG_MPC_ETLSCIPHER);
	assert_int_equal(nng_mpc_tls_config_ciphers(cc, ""), NNG_MPC_ETLSCIPHER);
	/* Only 1.2 suites on a 1.3-only config leaves none. */
	assert_int_equal(nng_mpc_tls_config_ciphers(
	                     cc, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
	    NNG_MPC_ETLSCIPHER);
	assert_int_equal(nng_mpc_tls_config_groups(cc, "P-999"), NNG_MPC_ETLSGROUP);
	assert_int_equal(nng_mpc_tls_config_groups(cc, "X25519:"), NNG_MPC_ETLSGROUP);
	memset(pins, 0, sizeof(pins));
	assert_int_equal(nng_mpc_tls_config_pins(cc, &pins[0][0],
	                     NNG_MPC_TLS_PINS_MAX + 1),
	    NNG_MPC_ETLSTOOMANY);
	assert_int_equal(
	    nng_mpc_tls_config_pins(cc, &pins[0][0], NNG_MPC_TLS_PINS_MAX), 0);
	assert_int_equal(nng_mpc_tls_config_pins(cc, NULL, 0), 0);
	nng_tls_config_free(sc);
	nng_tls_config_free(cc);
}

/* A PKCS#8 key encrypted with a password. */
static void
test_encrypted_key(void **state)
{
	nng_tls_config *    sc;
	nng_tls_config *    cc;
	struct tu_result    r;
	struct mpc_tls_peer pi;
	char                path[512];

	(void) state;
	sc = tu_cfg(NNG_TLS_MODE_SERVER, "server.pem", "ca.pem",
	    NNG_TLS_AUTH_MODE_REQUIRED, NULL);
	cc = tu_cfg(NNG_TLS_MODE_CLIENT, NULL, "ca.pem",
	    NNG_TLS_AUTH_MODE_REQUIRED, "127.0.0.1");
	(void) snprintf(path, sizeof(path), "%s", tu_path("client_enc.key"));
	{
		FILE * f;
		char   cert[8192];
		char   key[8192];
		size_t n;
		assert_non_null(f = fopen(tu_path("client_enc.crt"), "r"));
		n       = fread(cert, 1, sizeof(cert) - 1, f);
		cert[n] = '\0';
		(void) fclose(f);
		assert_non_null(f = fopen(path, "r"));
		n      = fread(key, 1, sizeof(key) - 1, f);
		key[n] = '\0';
		(void) fclose(f);
		assert_int_equal(nng_tls_config_own_cert(cc, cert, key, "wrong"),
		    NNG_MPC_ETLSKEY);
		assert_int_equal(nng_tls_config_own_cert(cc, cert, key, NULL),
		    NNG_MPC_ETLSKEY);
		assert_int_equal(nng_tls_config_own_cert(cc, cert, key, "secret"), 0);
	}
	/* A key that is not the certificate's is refused when set. */
	{
		nng_tls_config *x;
		assert_int_equal(nng_tls_config_alloc(&x, NNG_TLS_MODE_CLIENT), 0);
		assert_int_equal(nng_tls_config_own_cert(x, "", "", NULL),
		    NNG_MPC_ETLSBADCERT);
		nng_tls_config_free(x);
	}
	tu_try(sc, cc, true, &r);
	assert_int_equal(r.srv_got, 4);
	assert_int_equal(mpc_tls_peer_info(r.srv, &pi), 0);
	assert_int_equal(pi.party_id, 2);
	tu_result_free(&r);
	nng_tls_config_free(sc);
	nng_tls_config_free(cc);
}

/* Closing sends close_notify; the peer sees an orderly end. */
static void
test_close_notify(void **state)
{
	nng_tls_config *  sc;
	nng_tls_config *  cc;
	struct tu_result  r;
	nng_aio *         aio;
	char              buf[8];
	nng_iov           iov = { .iov_buf = buf, .iov_len = sizeof(buf) };
	nng_mpc_tls_stats before;
	nng_mpc_tls_stats after;

	(void) state;
	mutual(&sc, &cc, "server.pem", "client.pem");
	tu_try(sc, cc, true, &r);
	assert_int_equal(r.srv_got, 4);
	before = stats();
	assert_int_equal(nng_aio_alloc(&aio, NULL, NULL), 0);
	assert_int_equal(nng_aio_set_iov(aio, 1, &iov), 0);
	nng_aio_set_timeout(aio, 5000);
	nng_stream_recv(r.srv, aio);
	nng_stream_close(r.cli);
	nng_aio_wait(aio);
	assert_int_equal(nng_aio_result(aio), NNG_ECLOSED);
	assert_int_equal(nng_aio_count(aio), 0);
	after = stats();
	assert_int_equal(DELTA(close_notify_tx), 1);
	assert_int_equal(DELTA(close_notify_rx), 1);
	nng_aio_free(aio);
	tu_result_free(&r);
	nng_tls_config_free(sc);
	nng_tls_config_free(cc);
}

/* Sends or receives exactly len bytes; returns the completions it took. */
static int
stream_all(nng_stream *s, nng_aio *aio, uint8_t *buf, size_t len, bool send)
{
	size_t  done = 0;
	int     n    = 0;
	nng_iov iov;

	while (done < len) {
		iov.iov_buf = buf + done;
		iov.iov_len = len - done;
		assert_int_equal(nng_aio_set_iov(aio, 1, &iov), 0);
		if (send) {
			nng_stream_send(s, aio);
		} else {
			nng_stream_recv(s, aio);
		}
		nng_aio_wait(aio);
		assert_int_equal(nng_aio_result(aio), 0);
		done += nng_aio_count(aio);
		n++;
	}
	return (n);
}

/*
 * Records already received are delivered together: 40,000 bytes (three
 * records) and close_notify, all sent before the server reads, arrive in at
 * most two completions (NNG 1.5.2 completes a stream receive with what one
 * engine call returns), and the end of stream is reported by the next
 * receive rather than lost.
 */
static void
test_records_coalesced_then_close(void **state)
{
	nng_tls_config *  sc;
	nng_tls_config *  cc;
	struct tu_result  r;
	nng_aio *         aio;
	static uint8_t    out[40000];
	static uint8_t    in[sizeof(out)];
	nng_mpc_tls_stats before;
	nng_mpc_tls_stats after;

	(void) state;
	for (size_t i = 0; i < sizeof(out); i++) {
		out[i] = (uint8_t) (i * 7 + 1);
	}
	mutual(&sc, &cc, "server.pem", "client.pem");
	tu_try(sc, cc, true, &r);
	assert_int_equal(r.srv_got, 4);
	before = stats();
	assert_int_equal(nng_aio_alloc(&aio, NULL, NULL), 0);
	nng_aio_set_timeout(aio, 5000);
	(void) stream_all(r.cli, aio, out, sizeof(out), true);
	/* NNG 1.5.2 drops ciphertext its TLS layer has not written yet when
	 * the stream closes: let it drain first. */
	nng_msleep(200);
	nng_stream_close(r.cli);
	nng_msleep(200); /* everything is in the server's socket buffer */

	/* NNG may have read a prefix before the rest arrived (its TCP read
	 * is posted early); that prefix and the rest are at most two
	 * completions, where one record per completion would be three. */
	assert_true(stream_all(r.srv, aio, in, sizeof(out), false) <= 2);
	assert_memory_equal(in, out, sizeof(out));

	nng_stream_recv(r.srv, aio);
	nng_aio_wait(aio);
	assert_int_equal(nng_aio_result(aio), NNG_ECLOSED);
	assert_int_equal(nng_aio_count(aio), 0);
	after = stats();
	assert_int_equal(DELTA(close_notify_rx), 1);
	nng_aio_free(aio);
	tu_result_free(&r);
	nng_tls_config_free(sc);
	nng_tls_config_free(cc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_engine_name),
		cmocka_unit_test(test_records_coalesced_then_close),
		cmocka_unit_test(test_pair1_mutual_auth),
		cmocka_unit_test(test_pair1_unknown_ca),
		cmocka_unit_test(test_reject_unknown_ca),
		cmocka_unit_test(test_reject_expired),
		cmocka_unit_test(test_reject_revoked),
		cmocka_unit_test(test_reject_wrong_name),
		cmocka_unit_test(test_reject_no_client_cert),
		cmocka_unit_test(test_reject_pin_mismatch),
		cmocka_unit_test(test_pin_match),
		cmocka_unit_test(test_pin_only),
		cmocka_unit_test(test_reject_party_malformed),
		cmocka_unit_test(test_party_not_required),
		cmocka_unit_test(test_reject_tls12_peer),
		cmocka_unit_test(test_tls12_when_asked),
		cmocka_unit_test(test_bridge_peer_info_export),
		cmocka_unit_test(test_bridge_not_ours_not_ready),
		cmocka_unit_test(test_derive),
		cmocka_unit_test(test_config_suites_groups),
		cmocka_unit_test(test_encrypted_key),
		cmocka_unit_test(test_close_notify),
	};

	return (cmocka_run_group_tests(tests, group_setup, NULL));
}
