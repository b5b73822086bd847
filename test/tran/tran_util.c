/*
 * tran_util.c -- helpers of the mpc+* transport tests (tran_util.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "tran_util.h"

#include <nng/supplemental/util/platform.h>

const uint8_t tu_sid[NNG_MPC_SESSION_ID_SIZE] = { 0x53, 0x49, 0x44, 0x2d,
	0x74, 0x72, 0x61, 0x6e, 0x2d, 0x74, 0x65, 0x73, 0x74, 0x00, 0x00,
	0x01 };
const uint8_t tu_key[NNG_MPC_SESSION_KEY_SIZE] = { 0x01, 0x02, 0x03, 0x04,
	0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a,
	0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20 };

void
tu_expect(int want, int got, const char *what, const char *file, int line)
{
	if (want != got) {
		print_error("%s:%d: %s returned %d (%s), expected %d (%s)\n",
		    file, line, what, got, nng_mpc_strerror(got), want,
		    nng_mpc_strerror(want));
		_fail(file, line);
	}
}

int
tu_setup_tcp(void **state)
{
	*state = "mpc+tcp";
	return (0);
}

int
tu_setup_ipc(void **state)
{
	*state = "mpc+ipc";
	return (0);
}

void
tu_register(void)
{
	TU_PASS(nng_mpc_register());
}

/* Pipe counts per socket, kept by pipe notifications. */
#define TU_MAX_SOCKS 1024
static nng_mtx *tu_lk;
static int      tu_npipes[TU_MAX_SOCKS];
static int      tu_nremoved[TU_MAX_SOCKS];
static int      tu_nseen[TU_MAX_SOCKS];

/* Pipes the protocol started (NNG_PIPE_EV_ADD_POST), so that a pipe
 * counted by tu_wait_pipes() is one bus0/pair1 already sends to: NNG runs
 * ADD_PRE before the protocol's pipe_start (src/core/socket.c), and a
 * message sent in between is not queued for that pipe. */
#define TU_MAX_STARTED 16384
static uint32_t tu_started[TU_MAX_STARTED];

static bool
tu_started_take(uint32_t pid)
{
	for (int i = 0; i < TU_MAX_STARTED; i++) {
		if (tu_started[i] == pid) {
			tu_started[i] = 0;
			return (true);
		}
	}
	return (false);
}

static void
tu_started_put(uint32_t pid)
{
	for (int i = 0; i < TU_MAX_STARTED; i++) {
		if (tu_started[i] == 0) {
			tu_started[i] = pid;
			return;
		}
	}
}

static void
tu_pipe_cb(nng_pipe p, nng_pipe_ev ev, void *arg)
{
	/* The socket's slot comes with the callback: a pipe closed by now
	 * no longer names its socket. */
	int      id  = (int) (intptr_t) arg;
	uint32_t pid = (uint32_t) nng_pipe_id(p);

	nng_mtx_lock(tu_lk);
	if (ev == NNG_PIPE_EV_ADD_PRE) {
		tu_nseen[id]++;
	} else if (ev == NNG_PIPE_EV_ADD_POST) {
		tu_npipes[id]++;
		tu_started_put(pid);
	} else if (ev == NNG_PIPE_EV_REM_POST) {
		if (tu_started_take(pid)) {
			tu_npipes[id]--;
		}
		tu_nremoved[id]++;
	}
	nng_mtx_unlock(tu_lk);
}

static void
tu_track(nng_socket s)
{
	int   id   = nng_socket_id(s) % TU_MAX_SOCKS;
	void *slot = (void *) (intptr_t) id;

	if (tu_lk == NULL) {
		TU_PASS(nng_mtx_alloc(&tu_lk));
	}
	nng_mtx_lock(tu_lk);
	tu_npipes[id]   = 0;
	tu_nremoved[id] = 0;
	tu_nseen[id]    = 0;
	nng_mtx_unlock(tu_lk);
	TU_PASS(nng_pipe_notify(s, NNG_PIPE_EV_ADD_PRE, tu_pipe_cb, slot));
	TU_PASS(nng_pipe_notify(s, NNG_PIPE_EV_ADD_POST, tu_pipe_cb, slot));
	TU_PASS(nng_pipe_notify(s, NNG_PIPE_EV_REM_POST, tu_pipe_cb, slot));
}

void
tu_wait_pipes(nng_socket s, int n)
{
	int have = -1;

	for (int i = 0; i < 1000; i++) {
		nng_mtx_lock(tu_lk);
		have = tu_npipes[nng_socket_id(s) % TU_MAX_SOCKS];
		nng_mtx_unlock(tu_lk);
		if (have == n) {
			return;
		}
		nng_msleep(10);
	}
	print_error("socket %d has %d pipes, expected %d\n",
	    nng_socket_id(s), have, n);
	fail();
}

int
tu_pipes_seen(nng_socket s)
{
	int n;

	nng_mtx_lock(tu_lk);
	n = tu_nseen[nng_socket_id(s) % TU_MAX_SOCKS];
	nng_mtx_unlock(tu_lk);
	return (n);
}

void
tu_wait_removed(nng_socket s, int n)
{
	int have = -1;

	for (int i = 0; i < 1000; i++) {
		nng_mtx_lock(tu_lk);
		have = tu_nremoved[nng_socket_id(s) % TU_MAX_SOCKS];
		nng_mtx_unlock(tu_lk);
		if (have >= n) {
			return;
		}
		nng_msleep(10);
	}
	print_error("socket %d lost %d pipes, expected %d\n",
	    nng_socket_id(s), have, n);
	fail();
}

void
tu_wait_until(bool (*cond)(void *), void *arg)
{
	for (int i = 0; i < 1000; i++) {
		if (cond(arg)) {
			return;
		}
		nng_msleep(10);
	}
	fail_msg("condition not reached in 10 s");
}

struct tu_ctr_wait {
	nng_listener l;
	nng_dialer   d;
	nng_pipe     p;
	const char * name;
	uint64_t     want;
};

static bool
tu_listener_ctr_reached(void *arg)
{
	struct tu_ctr_wait *w = arg;
	return (tu_listener_ctr(w->l, w->name) >= w->want);
}

static bool
tu_dialer_ctr_reached(void *arg)
{
	struct tu_ctr_wait *w = arg;
	return (tu_dialer_ctr(w->d, w->name) >= w->want);
}

static bool
tu_pipe_ctr_reached(void *arg)
{
	struct tu_ctr_wait *w = arg;
	return (tu_pipe_ctr(w->p, w->name) >= w->want);
}

void
tu_wait_listener_ctr(nng_listener l, const char *name, uint64_t want)
{
	struct tu_ctr_wait w = { .l = l, .name = name, .want = want };
	tu_wait_until(tu_listener_ctr_reached, &w);
}

void
tu_wait_dialer_ctr(nng_dialer d, const char *name, uint64_t want)
{
	struct tu_ctr_wait w = { .d = d, .name = name, .want = want };
	tu_wait_until(tu_dialer_ctr_reached, &w);
}

void
tu_wait_pipe_ctr(nng_pipe p, const char *name, uint64_t want)
{
	struct tu_ctr_wait w = { .p = p, .name = name, .want = want };
	tu_wait_until(tu_pipe_ctr_reached, &w);
}

void
tu_socket_mpc(
    nng_socket s, uint32_t party, const uint8_t *sid, const uint8_t *key)
{
	int id = (int) party;

	TU_PASS(nng_mpc_socket_set(s, NNG_OPT_MPC_PARTY_ID, &id, sizeof(id)));
	TU_PASS(nng_mpc_socket_set(
	    s, NNG_OPT_MPC_SESSION_ID, sid, NNG_MPC_SESSION_ID_SIZE));
	TU_PASS(nng_mpc_socket_set(
	    s, NNG_OPT_MPC_SESSION_KEY, key, NNG_MPC_SESSION_KEY_SIZE));
}

static void
tu_socket_common(nng_socket s, uint32_t party)
{
	tu_track(s);
	tu_socket_mpc(s, party, tu_sid, tu_key);
	TU_PASS(nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, 5000));
	TU_PASS(nng_socket_set_ms(s, NNG_OPT_SENDTIMEO, 5000));
	TU_PASS(nng_socket_set_ms(s, NNG_OPT_RECONNMINT, 50));
	TU_PASS(nng_socket_set_ms(s, NNG_OPT_RECONNMAXT, 200));
}

nng_socket
tu_pair(uint32_t party)
{
	nng_socket s;

	TU_PASS(nng_pair1_open(&s));
	tu_socket_common(s, party);
	return (s);
}

nng_socket
tu_bus(uint32_t party)
{
	nng_socket s;

	TU_PASS(nng_bus0_open(&s));
	tu_socket_common(s, party);
	return (s);
}

void
tu_ipc_url(char *url, size_t cap)
{
	static int  seq;
	const char *dir = getenv("TMPDIR");

	(void) snprintf(url, cap, "mpc+ipc://%s/nngmpc-tran-%d-%d.sock",
	    dir != NULL ? dir : "/tmp", (int) getpid(), ++seq);
}

void
tu_listen(nng_socket s, const char *scheme, char *url, size_t cap,
    nng_listener *lp)
{
	nng_listener l;
	char         addr[256];
	int          port;

	if (strcmp(scheme, "mpc+ipc") == 0) {
		tu_ipc_url(addr, sizeof(addr));
		TU_PASS(nng_listen(s, addr, &l, 0));
		(void) snprintf(url, cap, "%s", addr);
	} else {
		(void) snprintf(addr, sizeof(addr), "%s://127.0.0.1:0", scheme);
		TU_PASS(nng_listen(s, addr, &l, 0));
		TU_PASS(nng_listener_get_int(l, NNG_OPT_TCP_BOUND_PORT, &port));
		(void) snprintf(url, cap, "%s://127.0.0.1:%d", scheme, port);
	}
	if (lp != NULL) {
		*lp = l;
	}
}

void
tu_send(nng_socket s, const void *data, size_t len, uint16_t type,
    uint32_t rcpt)
{
	nng_msg *m;

	TU_PASS(nng_msg_alloc(&m, 0));
	TU_PASS(nng_msg_append(m, data, len));
	if (type != 0) {
		TU_PASS(nng_mpc_msg_set_type(m, type));
		TU_PASS(nng_mpc_msg_set_recipient(m, rcpt));
	}
	TU_PASS(nng_sendmsg(s, m, 0));
}

nng_msg *
tu_recv(nng_socket s)
{
	nng_msg *m = NULL;

	TU_PASS(nng_recvmsg(s, &m, 0));
	return (m);
}

void
tu_recv_none(nng_socket s, int ms)
{
	nng_msg *m = NULL;

	TU_PASS(nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, ms));
	TU_EXPECT(NNG_ETIMEDOUT, nng_recvmsg(s, &m, 0));
	assert_null(m);
	TU_PASS(nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, 5000));
}

uint64_t
tu_pipe_ctr(nng_pipe p, const char *name)
{
	uint64_t v = 0;

	TU_PASS(nng_pipe_get_uint64(p, name, &v));
	return (v);
}

uint64_t
tu_listener_ctr(nng_listener l, const char *name)
{
	uint64_t v = 0;

	TU_PASS(nng_listener_get_uint64(l, name, &v));
	return (v);
}

uint64_t
tu_dialer_ctr(nng_dialer d, const char *name)
{
	uint64_t v = 0;

	TU_PASS(nng_dialer_get_uint64(d, name, &v));
	return (v);
}

int
tu_raw_connect(const char *url)
{
	struct timeval tv = { .tv_sec = 5, .tv_usec = 0 };
	int            fd;
	int            one = 1;

	if (strncmp(url, "mpc+ipc://", 10) == 0) {
		struct sockaddr_un sun;

		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		assert_true(strlen(url + 10) < sizeof(sun.sun_path));
		strcpy(sun.sun_path, url + 10);
		assert_true((fd = socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
		assert_int_equal(
		    connect(fd, (struct sockaddr *) &sun, sizeof(sun)), 0);
	} else {
		struct sockaddr_in sin;
		const char *       colon = strrchr(url, ':');

		assert_non_null(colon);
		memset(&sin, 0, sizeof(sin));
		sin.sin_family      = AF_INET;
		sin.sin_port        = htons((uint16_t) atoi(colon + 1));
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		assert_true((fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
		(void) setsockopt(
		    fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		assert_int_equal(
		    connect(fd, (struct sockaddr *) &sin, sizeof(sin)), 0);
	}
	(void) setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void) setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return (fd);
}

size_t
tu_raw_read(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = recv(fd, (uint8_t *) buf + got, len - got, 0);
		if (n <= 0) {
			break;
		}
		got += (size_t) n;
	}
	return (got);
}

void
tu_raw_write(int fd, const void *buf, size_t len)
{
	size_t put = 0;

	while (put < len) {
		ssize_t n = send(
		    fd, (const uint8_t *) buf + put, len - put, MSG_NOSIGNAL);
		assert_true(n > 0);
		put += (size_t) n;
	}
}

bool
tu_raw_try_write(int fd, const void *buf, size_t len)
{
	size_t put = 0;

	while (put < len) {
		ssize_t n = send(
		    fd, (const uint8_t *) buf + put, len - put, MSG_NOSIGNAL);
		if (n <= 0) {
			return (false);
		}
		put += (size_t) n;
	}
	return (true);
}

bool
tu_raw_closed(int fd)
{
	uint8_t b;

	for (int i = 0; i < 2; i++) {
		ssize_t n = recv(fd, &b, 1, 0);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
			return (true);
		}
		if (n > 0) {
			i--; /* discard data, keep waiting for the close */
		}
	}
	return (false);
}
