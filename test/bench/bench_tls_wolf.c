/*
 * bench_tls_wolf.c -- the wolfSSL row of bench_tls: the same wolfSSL build
 * and context settings the engine uses (mpc_tls_ctx_build), but on plain
 * blocking sockets with wolfSSL's own I/O, outside NNG.  It separates what
 * the engine's TLS stack can do from what NNG 1.5.2's TLS stream framework
 * (tls_common.c: 16 KiB buffers, a task-queue hand-off per buffer) allows.
 * Its own file: wolfSSL's and OpenSSL's ssl.h cannot share one.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mpc_tls_engine.h"

#define CHUNK (64 * 1024)

double bench_wolf_stream_mbps(const char *dir, size_t total,
    int (*listen_fn)(int *), int (*connect_fn)(int));

struct wsrv {
	WOLFSSL_CTX *ctx;
	int          lfd;
	size_t       total;
	double       t_end;
};

static double
wnow(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double) ts.tv_sec + (double) ts.tv_nsec * 1e-9);
}

static int
wsock_recv(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	int     fd = *(int *) ctx;
	ssize_t n  = recv(fd, buf, (size_t) sz, 0);

	(void) ssl;
	return (n > 0 ? (int) n : n == 0 ? WOLFSSL_CBIO_ERR_CONN_CLOSE
	                                 : WOLFSSL_CBIO_ERR_GENERAL);
}

static int
wsock_send(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	int     fd = *(int *) ctx;
	ssize_t n  = send(fd, buf, (size_t) sz, MSG_NOSIGNAL);

	(void) ssl;
	return (n >= 0 ? (int) n : WOLFSSL_CBIO_ERR_GENERAL);
}

static WOLFSSL_CTX *
wctx(const char *dir, bool server)
{
	WOLFSSL_CTX *   ctx;
	char            p[512];
	nng_tls_config *c;

	/* Build the context exactly as the engine does, from an engine
	 * config loaded with the same files. */
	if (nng_tls_config_alloc(&c, server ? NNG_TLS_MODE_SERVER
	                                    : NNG_TLS_MODE_CLIENT) != 0) {
		return (NULL);
	}
	(void) snprintf(p, sizeof(p), "%s/%s", dir,
	    server ? "server.pem" : "client.pem");
	if (nng_tls_config_cert_key_file(c, p, NULL) != 0) {
		return (NULL);
	}
	(void) snprintf(p, sizeof(p), "%s/ca.pem", dir);
	if (nng_tls_config_ca_file(c, p) != 0) {
		return (NULL);
	}
	{
		struct nng_tls_engine_config *ec;
		mpc_tls_reg_lock();
		ec = mpc_tls_reg_cfg_find(c);
		mpc_tls_reg_unlock();
		if (ec == NULL || mpc_tls_ctx_build(&ec->set, &ctx) != 0) {
			return (NULL);
		}
	}
	nng_tls_config_free(c);
	wolfSSL_CTX_SetIORecv(ctx, wsock_recv);
	wolfSSL_CTX_SetIOSend(ctx, wsock_send);
	return (ctx);
}

static WOLFSSL *
wssl(WOLFSSL_CTX *ctx, int *fd)
{
	WOLFSSL *ssl = wolfSSL_new(ctx);

	wolfSSL_SetIOReadCtx(ssl, fd);
	wolfSSL_SetIOWriteCtx(ssl, fd);
	wolfSSL_set_verify(ssl,
	    WOLFSSL_VERIFY_PEER | WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	return (ssl);
}

static void *
wserver(void *arg)
{
	struct wsrv *srv = arg;
	int          fd  = accept(srv->lfd, NULL, NULL);
	WOLFSSL *    ssl = wssl(srv->ctx, &fd);
	uint8_t *    buf = malloc(CHUNK);

	if (wolfSSL_accept(ssl) != WOLFSSL_SUCCESS) {
		(void) fprintf(stderr, "wolfSSL_accept failed\n");
		exit(1);
	}
	for (size_t got = 0; got < srv->total;) {
		int n = wolfSSL_read(ssl, buf, CHUNK);
		if (n <= 0) {
			(void) fprintf(stderr, "wolfSSL_read failed\n");
			exit(1);
		}
		got += (size_t) n;
	}
	srv->t_end = wnow();
	wolfSSL_free(ssl);
	(void) close(fd);
	free(buf);
	return (NULL);
}

double
bench_wolf_stream_mbps(const char *dir, size_t total,
    int (*listen_fn)(int *), int (*connect_fn)(int))
{
	struct wsrv srv;
	WOLFSSL_CTX *cctx = wctx(dir, false);
	pthread_t   th;
	uint8_t *   buf = calloc(1, CHUNK);
	int         port;
	int         fd;
	WOLFSSL *   ssl;
	double      t0;

	srv.ctx   = wctx(dir, true);
	srv.total = total;
	if (cctx == NULL || srv.ctx == NULL) {
		return (0);
	}
	srv.lfd = listen_fn(&port);
	(void) pthread_create(&th, NULL, wserver, &srv);
	fd  = connect_fn(port);
	ssl = wssl(cctx, &fd);
	if (wolfSSL_connect(ssl) != WOLFSSL_SUCCESS) {
		(void) fprintf(stderr, "wolfSSL_connect failed\n");
		exit(1);
	}
	t0 = wnow();
	for (size_t sent = 0; sent < total; sent += CHUNK) {
		if (wolfSSL_write(ssl, buf, CHUNK) != CHUNK) {
			(void) fprintf(stderr, "wolfSSL_write failed\n");
			exit(1);
		}
	}
	(void) pthread_join(th, NULL);
	wolfSSL_free(ssl);
	(void) close(fd);
	(void) close(srv.lfd);
	wolfSSL_CTX_free(srv.ctx);
	wolfSSL_CTX_free(cctx);
	free(buf);
	return ((double) total / (srv.t_end - t0) / 1e6);
}
