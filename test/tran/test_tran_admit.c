/*
 * test_tran_admit.c -- admission at accept: the listener's cap on
 * connections negotiating at once and the cap per source address.  Over a
 * cap a connection is closed at once, before a byte is read (and, over
 * TLS, before any TLS work), and counted; connections within the caps and
 * real parties from other sources are unaffected.
 *
 * Idle "flood" connections come from raw sockets bound to other loopback
 * addresses (127.0.0.2, 127.0.0.3, ...): one machine, several sources.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mpc_certgen.h"
#include "tran_util.h"

#include <nng/supplemental/util/platform.h>

/* ca.pem and party1.pem (certificate and key) for the TLS case. */
static char certdir[256];
static char ca_path[300];
static char party_path[300];

static void
write_pem(const char *path, const char *a, const char *b)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(a, f) >= 0);
	if (b != NULL) {
		assert_true(fputs(b, f) >= 0);
	}
	assert_int_equal(fclose(f), 0);
}

static void
make_certs(void)
{
	mpc_certgen_ca *ca;
	mpc_certgen_pem pem;
	const char *    tmp = getenv("TMPDIR");
	time_t          now = time(NULL);

	(void) snprintf(certdir, sizeof(certdir), "%s/nngmpc-admit-XXXXXX",
	    tmp != NULL ? tmp : "/tmp");
	assert_non_null(mkdtemp(certdir));
	(void) snprintf(ca_path, sizeof(ca_path), "%s/ca.pem", certdir);
	(void) snprintf(
	    party_path, sizeof(party_path), "%s/party1.pem", certdir);
	assert_int_equal(mpc_certgen_ca_create(&ca, 30, now, &pem), 0);
	write_pem(ca_path, pem.cert, NULL);
	mpc_certgen_pem_free(&pem);
	assert_int_equal(mpc_certgen_party(ca, 1, 30, now, &pem), 0);
	write_pem(party_path, pem.cert, pem.key);
	mpc_certgen_pem_free(&pem);
	mpc_certgen_ca_free(ca);
}

static void
remove_certs(void)
{
	(void) unlink(ca_path);
	(void) unlink(party_path);
	(void) rmdir(certdir);
}

/* A raw TCP connection from 127.0.0.<src> to the port of url. */
static int
raw_from(const char *url, int src)
{
	struct sockaddr_in sin;
	int                fd;

	assert_true((fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family      = AF_INET;
	sin.sin_addr.s_addr = htonl(0x7f000000u | (uint32_t) src);
	assert_int_equal(bind(fd, (struct sockaddr *) &sin, sizeof(sin)), 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port        = htons((uint16_t) atoi(strrchr(url, ':') + 1));
	assert_int_equal(connect(fd, (struct sockaddr *) &sin, sizeof(sin)), 0);
	return (fd);
}

/* A dial the listener closed at accept fails as a closed connection. */
#define TU_EXPECT_ONE_OF_CLOSED(expr)                                     \
	do {                                                              \
		int rv_ = (expr);                                         \
		if ((rv_ != NNG_ECONNSHUT) && (rv_ != NNG_ECONNRESET) &&  \
		    (rv_ != NNG_ECLOSED)) {                               \
			fail_msg("%s: %d (%s)", #expr, rv_,               \
			    nng_strerror(rv_));                           \
		}                                                         \
	} while (0)

/* The server closed fd without sending a byte (EOF or reset). */
static bool
closed_silently(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char          b;

	if (poll(&pfd, 1, 10000) != 1) {
		return (false);
	}
	return (recv(fd, &b, 1, 0) <= 0);
}

/* fd is still open after ms: no EOF (over mpc+tcp:// the server's hello
 * may be waiting to be read: the negotiation is under way). */
static bool
still_open(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char          b;

	if (poll(&pfd, 1, ms) == 0) {
		return (true);
	}
	return (recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) > 0);
}

struct ctr_wait {
	nng_listener l;
	const char * name;
	uint64_t     want;
};

static bool
ctr_reached(void *arg)
{
	struct ctr_wait *w = arg;

	return (tu_listener_ctr(w->l, w->name) >= w->want);
}

static void
wait_ctr(nng_listener l, const char *name, uint64_t want)
{
	struct ctr_wait w = { .l = l, .name = name, .want = want };

	tu_wait_until(ctr_reached, &w);
	assert_int_equal(tu_listener_ctr(l, name), want);
}

static nng_listener
listen_capped(nng_socket s, const char *scheme, char *url, size_t cap,
    int max_nego, int max_src)
{
	nng_listener l;

	TU_PASS(nng_listener_create(&l, s, "mpc+tcp://127.0.0.1:0"));
	TU_PASS(nng_listener_close(l));
	TU_PASS(nng_mpc_socket_set(
	    s, NNG_OPT_MPC_MAX_NEGOTIATING, &max_nego, sizeof(max_nego)));
	TU_PASS(nng_mpc_socket_set(s, NNG_OPT_MPC_MAX_NEGOTIATING_PER_SOURCE,
	    &max_src, sizeof(max_src)));
	tu_listen(s, scheme, url, cap, &l);
	return (l);
}

/* The per-source cap: the first max_src connections from one address
 * wait in negotiation; every further one is closed at once, counted,
 * and never reaches the socket; a party from another address connects. */
static void
test_source_cap(void **state)
{
	nng_socket   a = tu_bus(1);
	nng_socket   b = tu_bus(2);
	nng_listener l;
	char         url[256];
	int          fds[6];
	nng_msg *    m;

	(void) state;
	l = listen_capped(a, "mpc+tcp", url, sizeof(url), 100, 2);
	for (int i = 0; i < 6; i++) {
		fds[i] = raw_from(url, 2);
	}
	wait_ctr(l, NNG_OPT_MPC_REJ_SOURCE, 4);
	for (int i = 2; i < 6; i++) {
		assert_true(closed_silently(fds[i]));
	}
	assert_true(still_open(fds[0], 50));
	assert_true(still_open(fds[1], 50));
	assert_int_equal(tu_listener_ctr(l, NNG_OPT_MPC_REJ_BUSY), 0);
	/* A real party, from 127.0.0.1, is not held up by them. */
	TU_PASS(nng_dial(b, url, NULL, 0));
	tu_wait_pipes(a, 1);
	tu_send(b, "through", 8, 0, 0);
	m = tu_recv(a);
	assert_string_equal(nng_msg_body(m), "through");
	nng_msg_free(m);
	assert_int_equal(tu_pipes_seen(a), 1);
	assert_int_equal(tu_listener_ctr(l, NNG_OPT_MPC_HANDSHAKES), 1);
	for (int i = 0; i < 6; i++) {
		(void) close(fds[i]);
	}
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
}

/* The listener's cap: connections from distinct sources fill it; the
 * next is closed at once and counted; once one leaves, a party gets in. */
static void
test_listener_cap(void **state)
{
	nng_socket   a = tu_bus(1);
	nng_socket   b = tu_bus(2);
	nng_listener l;
	char         url[256];
	int          fds[4];
	int          rv;

	(void) state;
	l = listen_capped(a, "mpc+tcp", url, sizeof(url), 3, 8);
	for (int i = 0; i < 4; i++) {
		fds[i] = raw_from(url, 2 + i);
	}
	wait_ctr(l, NNG_OPT_MPC_REJ_BUSY, 1);
	assert_true(closed_silently(fds[3]));
	assert_int_equal(tu_listener_ctr(l, NNG_OPT_MPC_REJ_SOURCE), 0);
	/* Full: a real party is refused too -- until a slot frees. */
	TU_EXPECT_ONE_OF_CLOSED(nng_dial(b, url, NULL, 0));
	wait_ctr(l, NNG_OPT_MPC_REJ_BUSY, 2);
	(void) close(fds[0]);
	for (int i = 0; (rv = nng_dial(b, url, NULL, 0)) != 0; i++) {
		assert_true(i < 500); /* the slot frees once fds[0]'s end
		                         reaches the listener */
		nng_msleep(10);
	}
	tu_wait_pipes(a, 1);
	assert_int_equal(tu_pipes_seen(a), 1);
	for (int i = 1; i < 3; i++) {
		(void) close(fds[i]);
	}
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
}

/* Over TLS a refused connection costs no TLS work: it is closed before
 * the server reads its ClientHello, so the engine counts no handshake,
 * failed or not. */
static void
test_source_cap_before_tls(void **state)
{
	nng_socket        a = tu_bus(1);
	nng_listener      l;
	nng_mpc_tls_stats before;
	nng_mpc_tls_stats after;
	char              url[256];
	int               fds[3];

	(void) state;
	make_certs();
	TU_PASS(nng_mpc_socket_set(
	    a, NNG_OPT_TLS_CA_FILE, ca_path, strlen(ca_path) + 1));
	TU_PASS(nng_mpc_socket_set(a, NNG_OPT_TLS_CERT_KEY_FILE, party_path,
	    strlen(party_path) + 1));
	l = listen_capped(a, "mpc+tls+tcp", url, sizeof(url), 100, 1);
	nng_mpc_tls_stats_get(&before);
	for (int i = 0; i < 3; i++) {
		fds[i] = raw_from(url, 9);
	}
	wait_ctr(l, NNG_OPT_MPC_REJ_SOURCE, 2);
	assert_true(closed_silently(fds[1]));
	assert_true(closed_silently(fds[2]));
	nng_mpc_tls_stats_get(&after);
	assert_int_equal(after.hs_failed, before.hs_failed);
	assert_int_equal(after.hs_ok, before.hs_ok);
	assert_int_equal(tu_pipes_seen(a), 0);
	for (int i = 0; i < 3; i++) {
		(void) close(fds[i]);
	}
	TU_PASS(nng_close(a));
	remove_certs();
}

/* Caps are checked, never clamped. */
static void
test_cap_options(void **state)
{
	nng_socket   a = tu_bus(1);
	nng_listener l;
	int          v;

	(void) state;
	TU_PASS(nng_listener_create(&l, a, "mpc+tcp://127.0.0.1:0"));
	TU_PASS(nng_listener_get_int(l, NNG_OPT_MPC_MAX_NEGOTIATING, &v));
	assert_int_equal(v, 128);
	TU_PASS(nng_listener_get_int(
	    l, NNG_OPT_MPC_MAX_NEGOTIATING_PER_SOURCE, &v));
	assert_int_equal(v, 8);
	TU_PASS(nng_listener_get_int(l, NNG_OPT_MPC_REJECT_LIMIT, &v));
	assert_int_equal(v, 64);
	TU_EXPECT(NNG_EINVAL,
	    nng_listener_set_int(l, NNG_OPT_MPC_MAX_NEGOTIATING, 0));
	TU_EXPECT(NNG_EINVAL,
	    nng_listener_set_int(l, NNG_OPT_MPC_MAX_NEGOTIATING, 65536));
	TU_EXPECT(NNG_EINVAL, nng_listener_set_int(
	                          l, NNG_OPT_MPC_MAX_NEGOTIATING_PER_SOURCE, 0));
	TU_EXPECT(NNG_EINVAL,
	    nng_listener_set_int(l, NNG_OPT_MPC_REJECT_LIMIT, 0));
	TU_EXPECT(NNG_EBADTYPE,
	    nng_listener_set_bool(l, NNG_OPT_MPC_REJECT_LIMIT, true));
	TU_PASS(nng_listener_get_int(l, NNG_OPT_MPC_MAX_NEGOTIATING, &v));
	assert_int_equal(v, 128);
	TU_PASS(nng_close(a));
}

static int
setup(void **state)
{
	(void) state;
	tu_register();
	return (0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cap_options),
		cmocka_unit_test(test_source_cap),
		cmocka_unit_test(test_listener_cap),
		cmocka_unit_test(test_source_cap_before_tls),
	};

	return (cmocka_run_group_tests(tests, setup, NULL));
}
