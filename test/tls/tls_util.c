/*
 * tls_util.c -- see tls_util.h.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "tls_util.h"

#define TIMEOUT_MS 5000

static char certdir[256];

static void
certdir_remove(void)
{
	char cmd[512];

	if (certdir[0] != '\0') {
		(void) snprintf(cmd, sizeof(cmd), "rm -rf '%s'", certdir);
		if (system(cmd) != 0) {
			(void) fprintf(stderr, "could not remove %s\n", certdir);
		}
	}
}

const char *
tu_certdir(void)
{
	const char *root;
	const char *tmp;
	char        cmd[1024];

	if (certdir[0] != '\0') {
		return (certdir);
	}
	root = getenv("NNGMPC_SOURCE_ROOT");
	assert_non_null(root);
	tmp = getenv("TMPDIR");
	(void) snprintf(certdir, sizeof(certdir), "%s/nngmpc-tls-XXXXXX",
	    tmp != NULL ? tmp : "/tmp");
	assert_non_null(mkdtemp(certdir));
	atexit(certdir_remove);
	(void) snprintf(cmd, sizeof(cmd),
	    "sh '%s/test/tls/mkcerts.sh' '%s' >/dev/null 2>&1", root, certdir);
	assert_int_equal(system(cmd), 0);
	return (certdir);
}

const char *
tu_path(const char *name)
{
	static char ring[8][512];
	static int  next;
	char *      p = ring[next++ % 8];

	(void) snprintf(p, 512, "%s/%s", tu_certdir(), name);
	return (p);
}

void
tu_read_pin(const char *name, uint8_t pin[NNG_MPC_TLS_PIN_SIZE])
{
	FILE *f = fopen(tu_path(name), "rb");

	assert_non_null(f);
	assert_int_equal(fread(pin, 1, NNG_MPC_TLS_PIN_SIZE, f),
	    NNG_MPC_TLS_PIN_SIZE);
	(void) fclose(f);
}

nng_tls_config *
tu_cfg(nng_tls_mode mode, const char *own, const char *ca,
    nng_tls_auth_mode auth, const char *server_name)
{
	nng_tls_config *c;

	assert_int_equal(nng_tls_config_alloc(&c, mode), 0);
	if (own != NULL) {
		assert_int_equal(
		    nng_tls_config_cert_key_file(c, tu_path(own), NULL), 0);
	}
	if (ca != NULL) {
		assert_int_equal(nng_tls_config_ca_file(c, tu_path(ca)), 0);
	}
	assert_int_equal(nng_tls_config_auth_mode(c, auth), 0);
	if (server_name != NULL) {
		assert_int_equal(nng_tls_config_server_name(c, server_name), 0);
	}
	return (c);
}

static int
aio_io(nng_aio *aio, void *buf, size_t len, bool send, nng_stream *s)
{
	nng_iov iov = { .iov_buf = buf, .iov_len = len };

	assert_int_equal(nng_aio_set_iov(aio, 1, &iov), 0);
	nng_aio_set_timeout(aio, TIMEOUT_MS);
	if (send) {
		nng_stream_send(s, aio);
	} else {
		nng_stream_recv(s, aio);
	}
	nng_aio_wait(aio);
	return (nng_aio_result(aio));
}

void
tu_try(nng_tls_config *scfg, nng_tls_config *ccfg, bool keep,
    struct tu_result *r)
{
	nng_stream_listener *l;
	nng_stream_dialer *  d;
	nng_aio *            acc;
	nng_aio *            dial;
	nng_aio *            srecv;
	nng_aio *            crecv;
	nng_aio *            aio;
	char                 url[64];
	char                 ping[] = "ping";
	char                 pong[] = "pong";
	char                 sbuf[16];
	char                 cbuf[16];
	int                  port;

	memset(r, 0, sizeof(*r));
	assert_int_equal(
	    nng_stream_listener_alloc(&l, "tls+tcp://127.0.0.1:0"), 0);
	assert_int_equal(
	    nng_stream_listener_set_ptr(l, NNG_OPT_TLS_CONFIG, scfg), 0);
	assert_int_equal(nng_stream_listener_listen(l), 0);
	assert_int_equal(
	    nng_stream_listener_get_int(l, NNG_OPT_TCP_BOUND_PORT, &port), 0);
	(void) snprintf(url, sizeof(url), "tls+tcp://127.0.0.1:%d", port);
	assert_int_equal(nng_stream_dialer_alloc(&d, url), 0);
	assert_int_equal(
	    nng_stream_dialer_set_ptr(d, NNG_OPT_TLS_CONFIG, ccfg), 0);

	assert_int_equal(nng_aio_alloc(&acc, NULL, NULL), 0);
	assert_int_equal(nng_aio_alloc(&dial, NULL, NULL), 0);
	assert_int_equal(nng_aio_alloc(&srecv, NULL, NULL), 0);
	assert_int_equal(nng_aio_alloc(&crecv, NULL, NULL), 0);
	assert_int_equal(nng_aio_alloc(&aio, NULL, NULL), 0);
	nng_aio_set_timeout(acc, TIMEOUT_MS);
	nng_aio_set_timeout(dial, TIMEOUT_MS);
	nng_stream_listener_accept(l, acc);
	nng_stream_dialer_dial(d, dial);
	nng_aio_wait(dial);
	nng_aio_wait(acc);
	assert_int_equal(nng_aio_result(dial), 0);
	assert_int_equal(nng_aio_result(acc), 0);
	r->cli = nng_aio_get_output(dial, 0);
	r->srv = nng_aio_get_output(acc, 0);

	/*
	 * Both ends wait for data before the client sends: this drives both
	 * halves of the handshake, and each end has an operation pending
	 * when a failure arrives.  (NNG 1.5.2's TLS streams cannot report a
	 * TCP failure to an operation started after it: that one would hang,
	 * timeout included.)
	 */
	{
		nng_iov iov = { .iov_buf = sbuf, .iov_len = sizeof(sbuf) };
		assert_int_equal(nng_aio_set_iov(srecv, 1, &iov), 0);
		nng_aio_set_timeout(srecv, TIMEOUT_MS);
		nng_stream_recv(r->srv, srecv);
	}
	{
		nng_iov iov = { .iov_buf = cbuf, .iov_len = sizeof(cbuf) };
		assert_int_equal(nng_aio_set_iov(crecv, 1, &iov), 0);
		nng_aio_set_timeout(crecv, TIMEOUT_MS);
		nng_stream_recv(r->cli, crecv);
	}
	r->cli_send = aio_io(aio, ping, 4, true, r->cli);
	nng_aio_wait(srecv);
	r->srv_recv = nng_aio_result(srecv);
	if (r->srv_recv == 0) {
		r->srv_got = nng_aio_count(srecv);
		(void) aio_io(aio, pong, 4, true, r->srv);
	}
	nng_aio_wait(crecv);
	r->cli_recv = nng_aio_result(crecv);
	if (r->cli_recv == 0) {
		r->cli_got = nng_aio_count(crecv);
	}

	nng_aio_free(acc);
	nng_aio_free(dial);
	nng_aio_free(srecv);
	nng_aio_free(crecv);
	nng_aio_free(aio);
	nng_stream_dialer_free(d);
	nng_stream_listener_free(l);
	if (!keep) {
		tu_result_free(r);
	}
}

void
tu_result_free(struct tu_result *r)
{
	if (r->cli != NULL) {
		nng_stream_free(r->cli);
		r->cli = NULL;
	}
	if (r->srv != NULL) {
		nng_stream_free(r->srv);
		r->srv = NULL;
	}
}

int
tu_free_port(void)
{
	struct sockaddr_in sa;
	socklen_t          len = sizeof(sa);
	int                fd  = socket(AF_INET, SOCK_STREAM, 0);
	int                port;

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family      = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *) &sa, &len), 0);
	port = ntohs(sa.sin_port);
	(void) close(fd);
	return (port);
}

bool
tu_wait_port(int port)
{
	for (int i = 0; i < TIMEOUT_MS / 20; i++) {
		struct sockaddr_in sa;
		int                fd = socket(AF_INET, SOCK_STREAM, 0);

		memset(&sa, 0, sizeof(sa));
		sa.sin_family      = AF_INET;
		sa.sin_port        = htons((uint16_t) port);
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) == 0) {
			(void) close(fd);
			return (true);
		}
		(void) close(fd);
		(void) usleep(20000);
	}
	return (false);
}
