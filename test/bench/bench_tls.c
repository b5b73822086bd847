/*
 * bench_tls.c -- raw TLS stream throughput (64 KiB writes) and mutual-auth
 * ECDSA P-256 handshakes per second, side by side in one run:
 *
 *   - NNG 1.5.2 tls+tcp:// stream API on the nng-mpc wolfSSL engine;
 *   - an OpenSSL 3.0 TLS 1.3 stream (libssl, blocking sockets, two threads)
 *     -- the baseline a user would otherwise pick: goal >= 0.9x;
 *   - NNG's stock engine: Debian's libnng1 (Mbed TLS 2.28).  This same
 *     program re-executes itself with LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu
 *     so the loader picks Debian's libnng.so.1 over our RUNPATH, and does not
 *     register our engine; nng_tls_engine_name() tells which engine ran.
 *     Mbed TLS 2.28 has no TLS 1.3, so that row is TLS 1.2.
 *
 * Everything runs in one process per row, client and server, on loopback;
 * each figure is the median of RUNS runs.  Certificates: test/tls/mkcerts.sh
 * (openssl CLI) into a temporary directory.
 *
 * Usage: bench_tls [MiB per run]   (default 512)
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/opensslv.h>
#include <openssl/ssl.h>

#include <nng/nng.h>
#include <nng/supplemental/tls/tls.h>

/* The engine's registration (crypto/mpc_tls_register.c); its header is not
 * included because wolfSSL's and OpenSSL's ssl.h cannot share a file. */
extern int mpc_tls_engine_register(void);
/* bench_tls_wolf.c: the engine's wolfSSL build on blocking sockets. */
extern double bench_wolf_stream_mbps(const char *dir, size_t total,
    int (*listen_fn)(int *), int (*connect_fn)(int));

#define CHUNK      (64 * 1024)
#define RUNS       3
#define HANDSHAKES 200

static char        certdir[256];
static size_t      total_bytes;
static const char *stock_libdir = "/usr/lib/x86_64-linux-gnu";

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double) ts.tv_sec + (double) ts.tv_nsec * 1e-9);
}

static void
die(const char *what, int rv)
{
	(void) fprintf(stderr, "bench_tls: %s: %s\n", what,
	    rv != 0 ? nng_strerror(rv) : "failed");
	exit(1);
}

static const char *
path(const char *name)
{
	static char ring[8][512];
	static int  next;
	char *      p = ring[next++ % 8];

	(void) snprintf(p, 512, "%s/%s", certdir, name);
	return (p);
}

static double
median3(double a[RUNS])
{
	double x = a[0], y = a[1], z = a[2];

	if (x > y) {
		double t = x;
		x        = y;
		y        = t;
	}
	if (y > z) {
		y = z;
	}
	return (x > y ? x : y);
}

/* ---- NNG tls+tcp:// stream ------------------------------------------- */

static nng_tls_config *
nng_cfg(nng_tls_mode mode)
{
	nng_tls_config *c;
	int             rv;

	if ((rv = nng_tls_config_alloc(&c, mode)) != 0 ||
	    (rv = nng_tls_config_cert_key_file(c,
	         path(mode == NNG_TLS_MODE_SERVER ? "server.pem" : "client.pem"),
	         NULL)) != 0 ||
	    (rv = nng_tls_config_ca_file(c, path("ca.pem"))) != 0 ||
	    (rv = nng_tls_config_auth_mode(c, NNG_TLS_AUTH_MODE_REQUIRED)) !=
	        0 ||
	    (mode == NNG_TLS_MODE_CLIENT &&
	        (rv = nng_tls_config_server_name(c, "localhost")) != 0)) {
		die("nng tls config", rv);
	}
	return (c);
}

struct nng_pair {
	nng_stream_listener *l;
	nng_stream_dialer *  d;
	nng_aio *            acc;
	nng_aio *            dial;
};

static void
nng_pair_open(struct nng_pair *p, nng_tls_config *sc, nng_tls_config *cc)
{
	char url[64];
	int  port;
	int  rv;

	if ((rv = nng_stream_listener_alloc(&p->l, "tls+tcp://127.0.0.1:0")) !=
	        0 ||
	    (rv = nng_stream_listener_set_ptr(p->l, NNG_OPT_TLS_CONFIG, sc)) !=
	        0 ||
	    (rv = nng_stream_listener_set_bool(p->l, NNG_OPT_TCP_NODELAY,
	         true)) != 0 ||
	    (rv = nng_stream_listener_listen(p->l)) != 0 ||
	    (rv = nng_stream_listener_get_int(
	         p->l, NNG_OPT_TCP_BOUND_PORT, &port)) != 0) {
		die("nng listen", rv);
	}
	(void) snprintf(url, sizeof(url), "tls+tcp://127.0.0.1:%d", port);
	if ((rv = nng_stream_dialer_alloc(&p->d, url)) != 0 ||
	    (rv = nng_stream_dialer_set_ptr(p->d, NNG_OPT_TLS_CONFIG, cc)) !=
	        0 ||
	    (rv = nng_stream_dialer_set_bool(p->d, NNG_OPT_TCP_NODELAY, true)) !=
	        0 ||
	    (rv = nng_aio_alloc(&p->acc, NULL, NULL)) != 0 ||
	    (rv = nng_aio_alloc(&p->dial, NULL, NULL)) != 0) {
		die("nng dial", rv);
	}
}

static void
nng_pair_close(struct nng_pair *p)
{
	nng_aio_free(p->acc);
	nng_aio_free(p->dial);
	nng_stream_dialer_free(p->d);
	nng_stream_listener_free(p->l);
}

static void
nng_connect(struct nng_pair *p, nng_stream **cs, nng_stream **ss)
{
	nng_stream_listener_accept(p->l, p->acc);
	nng_stream_dialer_dial(p->d, p->dial);
	nng_aio_wait(p->dial);
	nng_aio_wait(p->acc);
	if (nng_aio_result(p->dial) != 0 || nng_aio_result(p->acc) != 0) {
		die("nng connect", nng_aio_result(p->dial) != 0
		        ? nng_aio_result(p->dial)
		        : nng_aio_result(p->acc));
	}
	*cs = nng_aio_get_output(p->dial, 0);
	*ss = nng_aio_get_output(p->acc, 0);
}

/* Sends or receives exactly len bytes (the stream may take fewer). */
static void
nng_xfer(nng_stream *s, nng_aio *aio, uint8_t *buf, size_t len, bool send)
{
	while (len > 0) {
		nng_iov iov = { .iov_buf = buf, .iov_len = len };
		size_t  n;

		(void) nng_aio_set_iov(aio, 1, &iov);
		if (send) {
			nng_stream_send(s, aio);
		} else {
			nng_stream_recv(s, aio);
		}
		nng_aio_wait(aio);
		if (nng_aio_result(aio) != 0) {
			die(send ? "nng send" : "nng recv", nng_aio_result(aio));
		}
		n = nng_aio_count(aio);
		buf += n;
		len -= n;
	}
}

/* One byte client -> server.  The server's receive is posted first: NNG
 * drives a TLS handshake only while an operation is pending on that side. */
static void
nng_ping(nng_stream *cs, nng_stream *ss, nng_aio *aio, nng_aio *raio)
{
	uint8_t out = 1;
	uint8_t in  = 0;
	nng_iov iov = { .iov_buf = &in, .iov_len = 1 };

	(void) nng_aio_set_iov(raio, 1, &iov);
	nng_stream_recv(ss, raio);
	nng_xfer(cs, aio, &out, 1, true);
	nng_aio_wait(raio);
	if (nng_aio_result(raio) != 0) {
		die("nng ping", nng_aio_result(raio));
	}
}

struct sender {
	nng_stream *s;
	size_t      total;
};

static void *
nng_sender(void *arg)
{
	struct sender *snd = arg;
	nng_aio *      aio;
	uint8_t *      buf = calloc(1, CHUNK);

	if (buf == NULL || nng_aio_alloc(&aio, NULL, NULL) != 0) {
		die("alloc", NNG_ENOMEM);
	}
	for (size_t sent = 0; sent < snd->total; sent += CHUNK) {
		nng_xfer(snd->s, aio, buf, CHUNK, true);
	}
	nng_aio_free(aio);
	free(buf);
	return (NULL);
}

static double
nng_stream_mbps(void)
{
	nng_tls_config *sc = nng_cfg(NNG_TLS_MODE_SERVER);
	nng_tls_config *cc = nng_cfg(NNG_TLS_MODE_CLIENT);
	struct nng_pair p;
	nng_stream *    cs;
	nng_stream *    ss;
	nng_aio *       aio;
	uint8_t *       buf = malloc(CHUNK);
	pthread_t       th;
	struct sender   snd;
	double          t0;
	double          t1;

	nng_pair_open(&p, sc, cc);
	nng_connect(&p, &cs, &ss);
	if (buf == NULL || nng_aio_alloc(&aio, NULL, NULL) != 0) {
		die("alloc", NNG_ENOMEM);
	}
	/* Handshake first, outside the timing. */
	{
		nng_aio *raio;
		if (nng_aio_alloc(&raio, NULL, NULL) != 0) {
			die("alloc", NNG_ENOMEM);
		}
		nng_ping(cs, ss, aio, raio);
		nng_aio_free(raio);
	}

	snd.s     = cs;
	snd.total = total_bytes;
	t0        = now();
	(void) pthread_create(&th, NULL, nng_sender, &snd);
	for (size_t got = 0; got < total_bytes;) {
		nng_iov iov = { .iov_buf = buf, .iov_len = CHUNK };
		(void) nng_aio_set_iov(aio, 1, &iov);
		nng_stream_recv(ss, aio);
		nng_aio_wait(aio);
		if (nng_aio_result(aio) != 0) {
			die("nng recv", nng_aio_result(aio));
		}
		got += nng_aio_count(aio);
	}
	t1 = now();
	(void) pthread_join(th, NULL);
	nng_aio_free(aio);
	free(buf);
	nng_stream_free(cs);
	nng_stream_free(ss);
	nng_pair_close(&p);
	nng_tls_config_free(sc);
	nng_tls_config_free(cc);
	return ((double) total_bytes / (t1 - t0) / 1e6);
}

static double
nng_handshakes_per_s(void)
{
	nng_tls_config *sc = nng_cfg(NNG_TLS_MODE_SERVER);
	nng_tls_config *cc = nng_cfg(NNG_TLS_MODE_CLIENT);
	struct nng_pair p;
	nng_aio *       aio;
	nng_aio *       raio;
	double          t0;
	double          t1;

	nng_pair_open(&p, sc, cc);
	if (nng_aio_alloc(&aio, NULL, NULL) != 0 ||
	    nng_aio_alloc(&raio, NULL, NULL) != 0) {
		die("alloc", NNG_ENOMEM);
	}
	t0 = now();
	for (int i = 0; i < HANDSHAKES; i++) {
		nng_stream *cs;
		nng_stream *ss;

		nng_connect(&p, &cs, &ss);
		/* The byte arrives after both handshake halves completed. */
		nng_ping(cs, ss, aio, raio);
		nng_stream_free(cs);
		nng_stream_free(ss);
	}
	t1 = now();
	nng_aio_free(aio);
	nng_aio_free(raio);
	nng_pair_close(&p);
	nng_tls_config_free(sc);
	nng_tls_config_free(cc);
	return (HANDSHAKES / (t1 - t0));
}

/* ---- OpenSSL TLS 1.3 stream ------------------------------------------ */

static SSL_CTX *
ossl_ctx(bool server)
{
	SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());

	if (ctx == NULL ||
	    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_use_certificate_chain_file(ctx,
	        path(server ? "server.crt" : "client.crt")) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx,
	        path(server ? "server.key" : "client.key"),
	        SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_load_verify_locations(ctx, path("ca.pem"), NULL) != 1) {
		ERR_print_errors_fp(stderr);
		die("openssl ctx", 0);
	}
	SSL_CTX_set_verify(ctx,
	    SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	/* Every handshake full, as with the engine (no resumption). */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(ctx, 0);
	return (ctx);
}

struct ossl_srv {
	int      lfd;
	SSL_CTX *ctx;
	int      conns;   /* connections to accept */
	size_t   total;   /* bytes to read on the first (0: 1 byte each) */
	double   t_end;
};

static int
tcp_listener(int *port)
{
	struct sockaddr_in sa;
	socklen_t          len = sizeof(sa);
	int                fd  = socket(AF_INET, SOCK_STREAM, 0);
	int                one = 1;

	(void) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family      = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) != 0 ||
	    listen(fd, 128) != 0 ||
	    getsockname(fd, (struct sockaddr *) &sa, &len) != 0) {
		die("tcp listen", 0);
	}
	*port = ntohs(sa.sin_port);
	return (fd);
}

static int
tcp_connect(int port)
{
	struct sockaddr_in sa;
	int                fd  = socket(AF_INET, SOCK_STREAM, 0);
	int                one = 1;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family      = AF_INET;
	sa.sin_port        = htons((uint16_t) port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) != 0) {
		die("tcp connect", 0);
	}
	(void) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return (fd);
}

static void *
ossl_server(void *arg)
{
	struct ossl_srv *srv = arg;
	uint8_t *        buf = malloc(CHUNK);

	for (int i = 0; i < srv->conns; i++) {
		int    fd  = accept(srv->lfd, NULL, NULL);
		SSL *  ssl = SSL_new(srv->ctx);
		int    one = 1;
		size_t want = srv->total > 0 ? srv->total : 1;

		(void) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		(void) SSL_set_fd(ssl, fd);
		if (SSL_accept(ssl) != 1) {
			ERR_print_errors_fp(stderr);
			die("SSL_accept", 0);
		}
		for (size_t got = 0; got < want;) {
			int n = SSL_read(ssl, buf, CHUNK);
			if (n <= 0) {
				die("SSL_read", 0);
			}
			got += (size_t) n;
		}
		srv->t_end = now();
		(void) SSL_shutdown(ssl);
		SSL_free(ssl);
		(void) close(fd);
	}
	free(buf);
	return (NULL);
}

static double
ossl_run(int conns, size_t total, const char **suite)
{
	struct ossl_srv srv;
	SSL_CTX *       cctx = ossl_ctx(false);
	uint8_t *       buf  = calloc(1, CHUNK);
	pthread_t       th;
	int             port;
	double          t0;

	srv.ctx   = ossl_ctx(true);
	srv.lfd   = tcp_listener(&port);
	srv.conns = conns;
	srv.total = total;
	(void) pthread_create(&th, NULL, ossl_server, &srv);
	t0 = now();
	for (int i = 0; i < conns; i++) {
		int  fd  = tcp_connect(port);
		SSL *ssl = SSL_new(cctx);

		(void) SSL_set_fd(ssl, fd);
		if (SSL_connect(ssl) != 1) {
			ERR_print_errors_fp(stderr);
			die("SSL_connect", 0);
		}
		if (suite != NULL) {
			*suite = SSL_get_cipher_name(ssl);
		}
		if (total > 0) {
			t0 = now(); /* the handshake is not timed */
			for (size_t sent = 0; sent < total; sent += CHUNK) {
				if (SSL_write(ssl, buf, CHUNK) != CHUNK) {
					die("SSL_write", 0);
				}
			}
		} else if (SSL_write(ssl, buf, 1) != 1) {
			die("SSL_write", 0);
		}
		(void) SSL_shutdown(ssl);
		SSL_free(ssl);
		(void) close(fd);
	}
	(void) pthread_join(th, NULL);
	(void) close(srv.lfd);
	SSL_CTX_free(srv.ctx);
	SSL_CTX_free(cctx);
	free(buf);
	if (total > 0) {
		return ((double) total / (srv.t_end - t0) / 1e6);
	}
	return (conns / (srv.t_end - t0));
}

/* ---- the stock-engine child and the table ---------------------------- */

struct row {
	char   engine[128];
	double mbps[RUNS];
	double hs[RUNS];
};

static void
run_nng(struct row *r, int i)
{
	r->mbps[i] = nng_stream_mbps();
	r->hs[i]   = nng_handshakes_per_s();
}

/* Runs this program against Debian's libnng.so.1; reads its two numbers. */
static bool
run_stock(const char *self, struct row *r, int i)
{
	char  cmd[2048];
	char  line[512];
	FILE *f;
	bool  ok = false;

	(void) snprintf(cmd, sizeof(cmd),
	    "LD_LIBRARY_PATH=%s '%s' --stock '%s' %zu", stock_libdir, self,
	    certdir, total_bytes / (1024 * 1024));
	if ((f = popen(cmd, "r")) == NULL) {
		return (false);
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char name[128];
		if (sscanf(line, "STOCK\t%127[^\t]\t%lf\t%lf", name, &r->mbps[i],
		        &r->hs[i]) == 3) {
			(void) snprintf(r->engine, sizeof(r->engine), "%s", name);
			ok = true;
		}
	}
	return (pclose(f) == 0 && ok);
}

static int
stock_child(const char *dir, size_t mib)
{
	(void) snprintf(certdir, sizeof(certdir), "%s", dir);
	total_bytes = mib * 1024 * 1024;
	/* No registration: whatever engine this libnng.so.1 brings. */
	(void) printf("STOCK\t%s (%s)\t%.1f\t%.1f\n", nng_tls_engine_name(),
	    nng_tls_engine_description(), nng_stream_mbps(),
	    nng_handshakes_per_s());
	return (0);
}

int
main(int argc, char **argv)
{
	struct row  ours;
	struct row  ossl;
	struct row  wolf;
	struct row  stock;
	const char *suite = "?";
	char        cmd[1024];
	char        self[1024];
	ssize_t     n;
	bool        have_stock = true;
	size_t      mib        = 512;
	int         rv;

	if (argc == 4 && strcmp(argv[1], "--stock") == 0) {
		return (stock_child(argv[2], (size_t) atoi(argv[3])));
	}
	if (argc > 1) {
		mib = (size_t) atoi(argv[1]);
	}
	if (argc > 2 && strcmp(argv[2], "--profile-engine") == 0) {
		/* Only our engine's stream, for perf record. */
		total_bytes = mib * 1024 * 1024;
		(void) snprintf(certdir, sizeof(certdir), "%s", argv[3]);
		if ((rv = mpc_tls_engine_register()) != 0) {
			die("register", rv);
		}
		(void) printf("%.0f MB/s\n", nng_stream_mbps());
		return (0);
	}
	total_bytes = mib * 1024 * 1024;
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) <= 0) {
		die("readlink", 0);
	}
	self[n] = '\0';
	(void) snprintf(certdir, sizeof(certdir), "/tmp/nngmpc-bench-XXXXXX");
	if (mkdtemp(certdir) == NULL) {
		die("mkdtemp", 0);
	}
	(void) snprintf(cmd, sizeof(cmd),
	    "sh '%s/test/tls/mkcerts.sh' '%s' >/dev/null 2>&1",
	    NNGMPC_SOURCE_ROOT, certdir);
	if (system(cmd) != 0) {
		die("mkcerts.sh", 0);
	}
	if ((rv = mpc_tls_engine_register()) != 0) {
		die("register", rv);
	}
	(void) snprintf(ours.engine, sizeof(ours.engine), "%s",
	    nng_tls_engine_name());
	(void) snprintf(ossl.engine, sizeof(ossl.engine), "%s",
	    OpenSSL_version(OPENSSL_VERSION));

	/* Interleaved, so drift on a shared machine hits every row alike. */
	for (int i = 0; i < RUNS; i++) {
		run_nng(&ours, i);
		ossl.mbps[i] = ossl_run(1, total_bytes, &suite);
		ossl.hs[i]   = ossl_run(HANDSHAKES, 0, NULL);
		wolf.mbps[i] = bench_wolf_stream_mbps(
		    certdir, total_bytes, tcp_listener, tcp_connect);
		if (have_stock) {
			have_stock = run_stock(self, &stock, i);
		}
	}

	(void) printf("\nRaw TLS stream, 64 KiB writes, loopback, client and "
	              "server in one process; %zu MiB per run, median of %d; "
	              "handshakes: mutual auth, ECDSA P-256, full (no "
	              "resumption), %d per run, including TCP connect.\n\n",
	    mib, RUNS, HANDSHAKES);
	(void) printf("| stack | engine | protocol | MB/s | x OpenSSL | "
	              "handshakes/s | x OpenSSL |\n");
	(void) printf("|---|---|---|---:|---:|---:|---:|\n");
	(void) printf("| NNG tls+tcp:// stream, nng-mpc engine | %s | TLS 1.3, "
	              "TLS_AES_256_GCM_SHA384, X25519 | %.0f | %.2f | %.0f | "
	              "%.2f |\n",
	    ours.engine, median3(ours.mbps),
	    median3(ours.mbps) / median3(ossl.mbps), median3(ours.hs),
	    median3(ours.hs) / median3(ossl.hs));
	(void) printf("| OpenSSL TLS stream (libssl, blocking) | %s | TLS 1.3, "
	              "%s, X25519 | %.0f | 1.00 | %.0f | 1.00 |\n",
	    ossl.engine, suite, median3(ossl.mbps), median3(ossl.hs));
	(void) printf("| wolfSSL TLS stream (this build, blocking, outside "
	              "NNG) | %s | TLS 1.3, TLS_AES_256_GCM_SHA384, X25519 | "
	              "%.0f | %.2f | - | - |\n",
	    ours.engine, median3(wolf.mbps),
	    median3(wolf.mbps) / median3(ossl.mbps));
	if (have_stock) {
		(void) printf("| NNG tls+tcp:// stream, Debian libnng1 (stock) | "
		              "%s | TLS 1.2 (Mbed TLS 2.28 has no TLS 1.3) | %.0f "
		              "| %.2f | %.0f | %.2f |\n",
		    stock.engine, median3(stock.mbps),
		    median3(stock.mbps) / median3(ossl.mbps), median3(stock.hs),
		    median3(stock.hs) / median3(ossl.hs));
	} else {
		(void) printf("| NNG tls+tcp:// stream, Debian libnng1 (stock) | "
		              "not run: %s/libnng.so.1 missing or failed | | | | "
		              "| |\n",
		    stock_libdir);
	}
	(void) snprintf(cmd, sizeof(cmd), "rm -rf '%s'", certdir);
	(void) system(cmd);
	return (0);
}
