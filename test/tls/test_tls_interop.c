/*
 * test_tls_interop.c -- the engine against an independent implementation:
 * Debian's `openssl s_client` and `openssl s_server` (OpenSSL 3.0), both
 * directions, TLS 1.3 with mutual authentication; and OpenSSL peers
 * limited to TLS 1.2, which the default (1.3-only) engine must refuse.
 * The openssl processes are children of the test, on free loopback ports,
 * killed and reaped by every test.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>
#include <nng/supplemental/tls/tls.h>

#include "mpc_tls_bridge.h"
#include "mpc_tls_engine.h"
#include "proc.h"
#include "tls_util.h"

#define WAIT_MS 5000

/* openssl children: found in PATH, stderr discarded. */
static const struct nngmpc_proc_spec io_spec  = { .in = NNGMPC_PROC_PIPE,
	 .out                                         = NNGMPC_PROC_PIPE,
	 .err                                         = NNGMPC_PROC_NULL,
	 .path                                        = true };
static const struct nngmpc_proc_spec out_spec = { .in = NNGMPC_PROC_NULL,
	.out                                          = NNGMPC_PROC_PIPE,
	.err                                          = NNGMPC_PROC_NULL,
	.path                                         = true };

static int
group_setup(void **state)
{
	(void) state;
	(void) signal(SIGPIPE, SIG_IGN);
	(void) tu_certdir();
	return (mpc_tls_engine_register());
}

static int
stream_io(nng_stream *s, void *buf, size_t len, bool send, size_t *got)
{
	nng_aio *aio;
	nng_iov  iov = { .iov_buf = buf, .iov_len = len };
	int      rv;

	assert_int_equal(nng_aio_alloc(&aio, NULL, NULL), 0);
	assert_int_equal(nng_aio_set_iov(aio, 1, &iov), 0);
	nng_aio_set_timeout(aio, WAIT_MS);
	if (send) {
		nng_stream_send(s, aio);
	} else {
		nng_stream_recv(s, aio);
	}
	nng_aio_wait(aio);
	rv = nng_aio_result(aio);
	if (got != NULL) {
		*got = rv == 0 ? nng_aio_count(aio) : 0;
	}
	nng_aio_free(aio);
	return (rv);
}

/* Accepts one connection on a tls+tcp:// listener at port. */
static nng_stream *
accept_one(nng_aio *acc)
{
	nng_aio_wait(acc);
	assert_int_equal(nng_aio_result(acc), 0);
	return (nng_aio_get_output(acc, 0));
}

static nng_stream_listener *
listen_at(nng_tls_config *sc, int *port)
{
	nng_stream_listener *l;

	assert_int_equal(
	    nng_stream_listener_alloc(&l, "tls+tcp://127.0.0.1:0"), 0);
	assert_int_equal(nng_stream_listener_set_ptr(l, NNG_OPT_TLS_CONFIG, sc), 0);
	assert_int_equal(nng_stream_listener_listen(l), 0);
	assert_int_equal(
	    nng_stream_listener_get_int(l, NNG_OPT_TCP_BOUND_PORT, port), 0);
	return (l);
}

static nng_stream *
dial_to(nng_tls_config *cc, int port, int *rv)
{
	nng_stream_dialer *d;
	nng_aio *          aio;
	nng_stream *       s = NULL;
	char               url[64];

	(void) snprintf(url, sizeof(url), "tls+tcp://127.0.0.1:%d", port);
	assert_int_equal(nng_stream_dialer_alloc(&d, url), 0);
	assert_int_equal(nng_stream_dialer_set_ptr(d, NNG_OPT_TLS_CONFIG, cc), 0);
	assert_int_equal(nng_aio_alloc(&aio, NULL, NULL), 0);
	nng_aio_set_timeout(aio, WAIT_MS);
	nng_stream_dialer_dial(d, aio);
	nng_aio_wait(aio);
	*rv = nng_aio_result(aio);
	if (*rv == 0) {
		s = nng_aio_get_output(aio, 0);
	}
	nng_aio_free(aio);
	nng_stream_dialer_free(d);
	return (s);
}

/* openssl s_client (TLS 1.3, client certificate) -> our server. */
static void
test_openssl_client_to_engine(void **state)
{
	nng_tls_config *     sc;
	nng_stream_listener *l;
	nng_aio *            acc;
	nng_stream *         s;
	struct mpc_tls_peer  pi;
	char                 addr[32];
	char                 buf[64];
	size_t               got;
	int                  port;
	struct nngmpc_proc   cli;

	(void) state;
	sc = tu_cfg(NNG_TLS_MODE_SERVER, "server.pem", "ca.pem",
	    NNG_TLS_AUTH_MODE_REQUIRED, NULL);
	assert_int_equal(nng_mpc_tls_config_require_party(sc, 1), 0);
	l = listen_at(sc, &port);
	assert_int_equal(nng_aio_alloc(&acc, NULL, NULL), 0);
	nng_aio_set_timeout(acc, WAIT_MS);
	nng_stream_listener_accept(l, acc);

	(void) snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	{
		char *argv[] = { "openssl", "s_client", "-connect", addr,
			"-tls1_3", "-cert", (char *) tu_path("client.crt"),
			"-key", (char *) tu_path("client.key"), "-CAfile",
			(char *) tu_path("ca.pem"), "-verify_return_error",
			"-verify_ip", "127.0.0.1", NULL };
		assert_int_equal(nngmpc_proc_spawn(&cli, argv, &io_spec), 0);
	}
	s = accept_one(acc);
	assert_int_equal(write(cli.in, "hello from openssl\n", 19), 19);
	assert_int_equal(stream_io(s, buf, sizeof(buf), false, &got), 0);
	assert_int_equal(got, 19);
	assert_memory_equal(buf, "hello from openssl\n", 19);

	/* Our side: TLS 1.3, the client is party 2, verified. */
	assert_int_equal(mpc_tls_peer_info(s, &pi), 0);
	assert_string_equal(pi.version, "TLSv1.3");
	assert_true(pi.verified && pi.party_ok);
	assert_int_equal(pi.party_id, 2);

	/* OpenSSL's side: it verified us and reads our reply. */
	assert_int_equal(stream_io(s, "hello from nng\n", 15, true, NULL), 0);
	assert_non_null(
	    nngmpc_proc_read_until(&cli, "hello from nng", false, WAIT_MS));
	nngmpc_proc_close_in(&cli);
	nng_stream_free(s);
	(void) nngmpc_proc_reap(&cli, WAIT_MS);
	nng_aio_free(acc);
	nng_stream_listener_free(l);
	nng_tls_config_free(sc);
}

/* Starts openssl s_server on a free port; waits until it accepts.  The
 * port can be taken between tu_free_port and s_server's bind (this
 * machine's other programs use ephemeral ports too); s_server then prints
 * its statistics and exits 0 without "ACCEPT", and another port is
 * tried. */
#define S_SERVER_TRIES 5
static void
s_server(struct nngmpc_proc *srv, int *port, const char *version)
{
	for (int i = 0; i < S_SERVER_TRIES; i++) {
		char  portstr[16];
		char *argv[] = { "openssl", "s_server", "-accept", portstr,
			"-naccept", "1", (char *) version, "-cert",
			(char *) tu_path("server.crt"), "-key",
			(char *) tu_path("server.key"), "-CAfile",
			(char *) tu_path("ca.pem"), "-Verify", "1",
			"-verify_return_error", "-rev", NULL };

		*port = tu_free_port();
		(void) snprintf(portstr, sizeof(portstr), "%d", *port);
		assert_int_equal(nngmpc_proc_spawn(srv, argv, &out_spec), 0);
		if (nngmpc_proc_read_until(srv, "ACCEPT", false, WAIT_MS) !=
		    NULL) {
			return;
		}
		(void) nngmpc_proc_reap(srv, WAIT_MS);
	}
	fail_msg("openssl s_server did not start in %d tries", S_SERVER_TRIES);
}

/* Our client (TLS 1.3, client certificate) -> openssl s_server -rev. */
static void
test_engine_to_openssl_server(void **state)
{
	nng_tls_config *    cc;
	nng_stream *        s;
	struct mpc_tls_peer pi;
	char                buf[64];
	size_t              got;
	size_t              have = 0;
	int                 port;
	int                 rv;
	struct nngmpc_proc  srv;

	(void) state;
	cc = tu_cfg(NNG_TLS_MODE_CLIENT, "client.pem", "ca.pem",
	    NNG_TLS_AUTH_MODE_REQUIRED, "127.0.0.1");
	assert_int_equal(nng_mpc_tls_config_require_party(cc, 1), 0);
	s_server(&srv, &port, "-tls1_3");
	s = dial_to(cc, port, &rv);
	assert_int_equal(rv, 0);
	/* s_server -rev answers each line reversed. */
	assert_int_equal(stream_io(s, "abcdef\n", 7, true, NULL), 0);
	while (have < 7) {
		assert_int_equal(
		    stream_io(s, buf + have, sizeof(buf) - have, false, &got), 0);
		have += got;
	}
	assert_memory_equal(buf, "fedcba\n", 7);
	assert_int_equal(mpc_tls_peer_info(s, &pi), 0);
	assert_string_equal(pi.version, "TLSv1.3");
	assert_true(pi.verified && pi.party_ok);
	assert_int_equal(pi.party_id, 1);
	nng_stream_free(s);
	(void) nngmpc_proc_reap(&srv, WAIT_MS);
	nng_tls_config_free(cc);
}

/* openssl s_server limited to TLS 1.2: our 1.3-only client refuses. */
static void
test_engine_refuses_tls12_server(void **state)
{
	nng_tls_config *  cc;
	nng_stream *      s;
	char              buf[8];
	int               port;
	int               rv;
	struct nngmpc_proc srv;
	nng_mpc_tls_stats before;
	nng_mpc_tls_stats after;

	(void) state;
	cc = tu_cfg(NNG_TLS_MODE_CLIENT, "client.pem", "ca.pem",
	    NNG_TLS_AUTH_MODE_REQUIRED, "127.0.0.1");
	s_server(&srv, &port, "-tls1_2");
	nng_mpc_tls_stats_get(&before);
	s = dial_to(cc, port, &rv);
	assert_int_equal(rv, 0); /* TCP connected; TLS starts on first I/O */
	assert_int_equal(stream_io(s, "x\n", 2, true, NULL), NNG_ECRYPTO);
	assert_int_not_equal(stream_io(s, buf, sizeof(buf), false, NULL), 0);
	nng_mpc_tls_stats_get(&after);
	assert_int_equal(after.version - before.version, 1);
	assert_int_equal(after.hs_ok, before.hs_ok);
	nng_stream_free(s);
	(void) nngmpc_proc_reap(&srv, WAIT_MS);
	nng_tls_config_free(cc);
}

/* openssl s_client limited to TLS 1.2: our 1.3-only server refuses, and
 * nothing the client wrote reaches the application. */
static void
test_engine_refuses_tls12_client(void **state)
{
	nng_tls_config *     sc;
	nng_stream_listener *l;
	nng_aio *            acc;
	nng_stream *         s;
	struct mpc_tls_peer  pi;
	char                 addr[32];
	char                 buf[64];
	size_t               got = 99;
	int                  port;
	struct nngmpc_proc   cli;
	nng_mpc_tls_stats    before;
	nng_mpc_tls_stats    after;

	(void) state;
	sc = tu_cfg(NNG_TLS_MODE_SERVER, "server.pem", "ca.pem",
	    NNG_TLS_AUTH_MODE_REQUIRED, NULL);
	l = listen_at(sc, &port);
	assert_int_equal(nng_aio_alloc(&acc, NULL, NULL), 0);
	nng_aio_set_timeout(acc, WAIT_MS);
	nng_stream_listener_accept(l, acc);
	nng_mpc_tls_stats_get(&before);
	(void) snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	{
		char *argv[] = { "openssl", "s_client", "-connect", addr,
			"-tls1_2", "-cert", (char *) tu_path("client.crt"),
			"-key", (char *) tu_path("client.key"), "-CAfile",
			(char *) tu_path("ca.pem"), NULL };
		assert_int_equal(nngmpc_proc_spawn(&cli, argv, &io_spec), 0);
	}
	s = accept_one(acc);
	(void) write(cli.in, "secret data\n", 12);
	assert_int_equal(stream_io(s, buf, sizeof(buf), false, &got), NNG_ECRYPTO);
	assert_int_equal(got, 0);
	assert_int_equal(mpc_tls_peer_info(s, &pi), NNG_MPC_ETLSVERSION);
	nng_mpc_tls_stats_get(&after);
	assert_int_equal(after.version - before.version, 1);
	nngmpc_proc_close_in(&cli);
	nng_stream_free(s);
	(void) nngmpc_proc_reap(&cli, WAIT_MS);
	nng_aio_free(acc);
	nng_stream_listener_free(l);
	nng_tls_config_free(sc);
}

/*
 * Drop-in: Debian's unmodified nngcat, run on our libnng.so.1 with
 * LD_PRELOAD=libnngmpc.so, serves TLS 1.3 to our 1.3-only client (which
 * checks its certificate and party ID) -- which the same nngcat on Debian's
 * own libnng (Mbed TLS, TLS 1.2) cannot.  nngcat is the REP server: as a REQ
 * client, nngcat 1.5.2 fails setting its receive timeout ("Invalid
 * argument", also over plain tcp:// on Debian's own library) and may exit
 * before printing the reply.  Only in builds without sanitizers (an
 * instrumented module cannot be preloaded into nngcat).
 */
static void
nngcat_rep(struct nngmpc_proc *cat_proc, int port, bool preload)
{
	const char    *cat = getenv("NNGMPC_NNGCAT");
	const char    *mod = getenv("NNGMPC_MODULE");
	char           lib[512];
	char           pre[512];
	char           url[64];
	const char    *env[] = { lib, pre, NULL };
	struct nngmpc_proc_spec spec  = { .in = NNGMPC_PROC_NULL,
		 .out                         = NNGMPC_PROC_NULL,
		 .err                         = NNGMPC_PROC_NULL,
		 .path                        = true,
		 .env                         = env };

	(void) snprintf(url, sizeof(url), "tls+tcp://127.0.0.1:%d", port);
	if (preload) {
		/* Our libnng.so.1 (build/plugin) and the module. */
		(void) snprintf(lib, sizeof(lib), "LD_LIBRARY_PATH=%s", mod);
		*strrchr(lib, '/') = '\0';
		(void) snprintf(pre, sizeof(pre), "LD_PRELOAD=%s", mod);
	} else {
		/* Debian's libnng.so.1, whatever the test runner set. */
		(void) snprintf(lib, sizeof(lib),
		    "LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu");
		env[1] = NULL;
	}
	{
		char *argv[] = { (char *) cat, "--rep", "--listen", url,
			"--cacert", (char *) tu_path("ca.pem"), "--cert",
			(char *) tu_path("server.crt"), "--key",
			(char *) tu_path("server.key"), "--data", "pong",
			"--count", "1", NULL };
		assert_int_equal(nngmpc_proc_spawn(cat_proc, argv, &spec), 0);
	}
}

/* Our REQ client (1.3 only, verifies the server and its party ID). */
static int
req_ping(int port, char *buf, size_t *sz, int ms)
{
	nng_socket      s;
	nng_dialer      d;
	nng_tls_config *cc;
	char            url[64];
	int             rv;

	cc = tu_cfg(NNG_TLS_MODE_CLIENT, "client.pem", "ca.pem",
	    NNG_TLS_AUTH_MODE_REQUIRED, "127.0.0.1");
	assert_int_equal(nng_mpc_tls_config_require_party(cc, 1), 0);
	(void) snprintf(url, sizeof(url), "tls+tcp://127.0.0.1:%d", port);
	assert_int_equal(nng_req0_open(&s), 0);
	assert_int_equal(nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, ms), 0);
	assert_int_equal(nng_socket_set_ms(s, NNG_OPT_SENDTIMEO, ms), 0);
	assert_int_equal(nng_socket_set_ms(s, NNG_OPT_RECONNMINT, 50), 0);
	assert_int_equal(nng_dialer_create(&d, s, url), 0);
	assert_int_equal(nng_dialer_set_ptr(d, NNG_OPT_TLS_CONFIG, cc), 0);
	/* nngcat may not listen yet: the dialer retries in the background. */
	assert_int_equal(nng_dialer_start(d, NNG_FLAG_NONBLOCK), 0);
	/* No connection: the send itself times out. */
	if ((rv = nng_send(s, "ping", 4, 0)) == 0) {
		rv = nng_recv(s, buf, sz, 0);
	}
	assert_int_equal(nng_close(s), 0);
	nng_tls_config_free(cc);
	return (rv);
}

static void
test_nngcat_ld_preload(void **state)
{
	char           buf[16];
	size_t         sz;
	int            port;
	struct nngmpc_proc cat;

	(void) state;
	if (getenv("NNGMPC_NNGCAT") == NULL || getenv("NNGMPC_MODULE") == NULL) {
		skip();
	}
	port = tu_free_port();
	nngcat_rep(&cat, port, true);
	sz = sizeof(buf);
	assert_int_equal(req_ping(port, buf, &sz, 15000), 0);
	assert_int_equal(sz, 4);
	assert_memory_equal(buf, "pong", 4);
	(void) nngmpc_proc_reap(&cat, WAIT_MS);

	/* Debian's own libnng (Mbed TLS, TLS 1.2): refused, no reply. */
	port = tu_free_port();
	nngcat_rep(&cat, port, false);
	sz = sizeof(buf);
	assert_int_equal(req_ping(port, buf, &sz, 1500), NNG_ETIMEDOUT);
	(void) kill(cat.pid, SIGTERM);
	(void) nngmpc_proc_reap(&cat, WAIT_MS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openssl_client_to_engine),
		cmocka_unit_test(test_engine_to_openssl_server),
		cmocka_unit_test(test_engine_refuses_tls12_server),
		cmocka_unit_test(test_engine_refuses_tls12_client),
		cmocka_unit_test(test_nngcat_ld_preload),
	};

	return (cmocka_run_group_tests(tests, group_setup, NULL));
}
