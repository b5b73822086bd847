/*
 * test_tran_basic.c -- what NNG checks of every transport, for mpc+tcp://
 * and mpc+ipc:// (mpc+tls+tcp:// in test_tran_tls.c): bad URLs, dial
 * refused, listen on a busy address, dial and listen closed, exchange both
 * ways, pipe IDs and pipe options, a 1 MiB message, NNG_OPT_RECVMAXSZ on
 * both sides, missing settings, option validation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tran_util.h"

#include <nng/supplemental/util/platform.h>

static const char *
scheme_of(void **state)
{
	return (*state);
}

static void
test_bad_urls(void **state)
{
	nng_socket s = tu_pair(1);

	(void) state;
	TU_EXPECT(NNG_EADDRINVAL, nng_dial(s, "mpc+tcp://127.0.0.1", NULL, 0));
	TU_EXPECT(NNG_EADDRINVAL, nng_dial(s, "mpc+tcp://:4000", NULL, 0));
	TU_EXPECT(
	    NNG_EADDRINVAL, nng_dial(s, "mpc+tcp://127.0.0.1:4000/x", NULL, 0));
	TU_EXPECT(
	    NNG_EADDRINVAL, nng_dial(s, "mpc+tcp://127.0.0.1:4000?q", NULL, 0));
	TU_EXPECT(
	    NNG_EADDRINVAL, nng_dial(s, "mpc+tcp://u@127.0.0.1:4000", NULL, 0));
	TU_EXPECT(NNG_EADDRINVAL,
	    nng_dial(s, "mpc+tcp://127.0.0.1;127.0.0.1:4000", NULL, 0));
	TU_EXPECT(NNG_EADDRINVAL, nng_listen(s, "mpc+tcp://*:4000/x", NULL, 0));
	TU_EXPECT(NNG_EADDRINVAL, nng_dial(s, "mpc+ipc://", NULL, 0));
	TU_EXPECT(NNG_ENOTSUP, nng_dial(s, "mpc+udp://127.0.0.1:4000", NULL, 0));
	TU_PASS(nng_close(s));
}

static void
test_dial_refused(void **state)
{
	const char *scheme = scheme_of(state);
	nng_socket  a      = tu_pair(1);
	nng_socket  b      = tu_pair(2);
	char        url[256];
	nng_listener l;

	/* Learn a free address, then close its listener. */
	tu_listen(a, scheme, url, sizeof(url), &l);
	TU_PASS(nng_listener_close(l));
	TU_EXPECT(NNG_ECONNREFUSED, nng_dial(b, url, NULL, 0));
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
}

static void
test_listen_busy(void **state)
{
	const char *scheme = scheme_of(state);
	nng_socket  a      = tu_pair(1);
	nng_socket  b      = tu_pair(2);
	char        url[256];

	tu_listen(a, scheme, url, sizeof(url), NULL);
	TU_EXPECT(NNG_EADDRINUSE, nng_listen(b, url, NULL, 0));
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
}

static void
test_close_endpoints(void **state)
{
	const char * scheme = scheme_of(state);
	nng_socket   a      = tu_pair(1);
	nng_socket   b      = tu_pair(2);
	char         url[256];
	nng_listener l;
	nng_dialer   d;

	tu_listen(a, scheme, url, sizeof(url), &l);
	TU_PASS(nng_dial(b, url, &d, 0));
	tu_wait_pipes(a, 1);
	TU_PASS(nng_dialer_close(d));
	TU_EXPECT(NNG_ENOENT, nng_dialer_close(d));
	tu_wait_pipes(b, 0);
	TU_PASS(nng_listener_close(l));
	TU_EXPECT(NNG_ENOENT, nng_listener_close(l));
	tu_wait_pipes(a, 0);
	/* A dialer started in the background, then closed before it got
	 * anywhere: nothing left behind (ASan checks). */
	TU_PASS(nng_dial(b, url, &d, NNG_FLAG_NONBLOCK));
	TU_PASS(nng_dialer_close(d));
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
}

static void
test_pair_exchange(void **state)
{
	const char *scheme = scheme_of(state);
	nng_socket  a      = tu_pair(1);
	nng_socket  b      = tu_pair(2);
	char        url[256];
	nng_msg *   m;
	uint32_t    from;
	uint32_t    to;
	uint16_t    type;

	tu_listen(a, scheme, url, sizeof(url), NULL);
	TU_PASS(nng_dial(b, url, NULL, 0));

	for (int i = 0; i < 10; i++) {
		tu_send(b, "hello", 6, 0, 0);
		m = tu_recv(a);
		assert_int_equal(nng_msg_len(m), 6);
		assert_string_equal(nng_msg_body(m), "hello");
		TU_PASS(nng_mpc_msg_sender(m, &from));
		TU_PASS(nng_mpc_msg_recipient(m, &to));
		TU_PASS(nng_mpc_msg_type(m, &type));
		assert_int_equal(from, 2);
		assert_int_equal(to, NNG_MPC_PARTY_BROADCAST);
		assert_int_equal(type, NNG_MPC_MSG_APP_DEFAULT);
		nng_msg_free(m);

		tu_send(a, "world", 6, NNG_MPC_MSG_SIGN_ROUND2, 2);
		m = tu_recv(b);
		assert_int_equal(nng_msg_len(m), 6);
		assert_string_equal(nng_msg_body(m), "world");
		TU_PASS(nng_mpc_msg_sender(m, &from));
		TU_PASS(nng_mpc_msg_recipient(m, &to));
		TU_PASS(nng_mpc_msg_type(m, &type));
		assert_int_equal(from, 1);
		assert_int_equal(to, 2);
		assert_int_equal(type, NNG_MPC_MSG_SIGN_ROUND2);
		nng_msg_free(m);
	}
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
}

static void
test_pipe_ids_and_options(void **state)
{
	const char *scheme = scheme_of(state);
	nng_socket  a      = tu_pair(1);
	nng_socket  b      = tu_pair(2);
	char        url[256];
	nng_msg *   m;
	nng_pipe    p;
	nng_dialer  d;
	int         peer;
	uint64_t    u;
	char *      s;
	uint8_t     buf[64];
	size_t      sz;

	tu_listen(a, scheme, url, sizeof(url), NULL);
	TU_PASS(nng_dial(b, url, &d, 0));
	tu_send(b, "ping", 5, 0, 0);
	m = tu_recv(a);
	p = nng_msg_get_pipe(m);
	assert_true(nng_pipe_id(p) > 0);
	assert_int_equal(nng_socket_id(nng_pipe_socket(p)), nng_socket_id(a));
	nng_msg_free(m);

	TU_PASS(nng_pipe_get_int(p, NNG_OPT_MPC_PEER_PARTY_ID, &peer));
	assert_int_equal(peer, 2);
	TU_PASS(nng_pipe_get_uint64(p, NNG_OPT_MPC_PEER_PARTY_ID, &u));
	assert_int_equal(u, 2);
	/* The pipe answers its endpoint's options too. */
	TU_PASS(nng_pipe_get_int(p, NNG_OPT_MPC_PARTY_ID, &peer));
	assert_int_equal(peer, 1);
	assert_int_equal(tu_pipe_ctr(p, NNG_OPT_MPC_FRAMES_IN), 1);
	assert_int_equal(tu_pipe_ctr(p, NNG_OPT_MPC_BYTES_IN), 5 + 4);
	assert_int_equal(tu_pipe_ctr(p, NNG_OPT_MPC_FRAMES_OUT), 0);
	assert_int_equal(tu_pipe_ctr(p, NNG_OPT_MPC_AUTH_FAILURES), 0);
	assert_int_equal(tu_pipe_ctr(p, NNG_OPT_MPC_REPLAYS), 0);
	assert_int_equal(tu_pipe_ctr(p, NNG_OPT_MPC_EPOCH), 0);
	/* TLS details exist only over TLS. */
	TU_EXPECT(NNG_ENOTSUP, nng_pipe_get_string(p, NNG_OPT_MPC_PEER_SUBJECT, &s));
	TU_EXPECT(NNG_ENOTSUP, nng_pipe_get_string(p, NNG_OPT_MPC_TLS_CIPHER, &s));
	/* The session key stays write-only through the pipe. */
	sz = sizeof(buf);
	TU_EXPECT(NNG_EWRITEONLY,
	    nng_pipe_get(p, NNG_OPT_MPC_SESSION_KEY, buf, &sz));
	TU_EXPECT(NNG_EWRITEONLY,
	    nng_dialer_get(d, NNG_OPT_MPC_SESSION_KEY, buf, &sz));
	/* Counters are read-only. */
	TU_EXPECT(NNG_EREADONLY,
	    nng_dialer_set_uint64(d, NNG_OPT_MPC_HANDSHAKES, 0));
	assert_int_equal(tu_dialer_ctr(d, NNG_OPT_MPC_HANDSHAKES), 1);
	/* The session ID reads back. */
	sz = sizeof(buf);
	TU_PASS(nng_dialer_get(d, NNG_OPT_MPC_SESSION_ID, buf, &sz));
	assert_int_equal(sz, NNG_MPC_SESSION_ID_SIZE);
	assert_memory_equal(buf, tu_sid, sz);
	/* And NNG_OPT_URL is the mpc URL. */
	TU_PASS(nng_dialer_get_string(d, NNG_OPT_URL, &s));
	assert_string_equal(s, url);
	nng_strfree(s);
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
}

static void
test_one_mib(void **state)
{
	const char *scheme = scheme_of(state);
	nng_socket  a      = tu_pair(1);
	nng_socket  b      = tu_pair(2);
	char        url[256];
	size_t      big = 2u << 20;
	size_t      len = 1u << 20;
	uint8_t *   data;
	nng_msg *   m;

	TU_PASS(nng_mpc_socket_set(a, NNG_OPT_MPC_MAX_MSG_SIZE, &big, sizeof(big)));
	TU_PASS(nng_socket_set_size(a, NNG_OPT_RECVMAXSZ, big));
	tu_listen(a, scheme, url, sizeof(url), NULL);
	TU_PASS(nng_dial(b, url, NULL, 0));
	assert_non_null(data = malloc(len));
	for (size_t i = 0; i < len; i++) {
		data[i] = (uint8_t) (i * 7 + 3);
	}
	tu_send(b, data, len, 0, 0);
	m = tu_recv(a);
	assert_int_equal(nng_msg_len(m), len);
	assert_memory_equal(nng_msg_body(m), data, len);
	nng_msg_free(m);
	/* The other way the default 1 MiB limit applies to b: a 1 MiB body
	 * plus pair1's 4-byte header is over it, so a does not write it. */
	tu_send(a, data, len, 0, 0);
	tu_recv_none(b, 200);
	free(data);
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
}

/* The size of burst message i: mostly small, some filling most of a
 * 128 KiB send buffer, some larger than one (written from the message). */
static size_t
burst_size(int i)
{
	switch (i % 9) {
	case 3:
		return (100 * 1024 + (size_t) i);
	case 7:
		return (200 * 1024 + (size_t) i);
	default:
		return (1 + (size_t) (i * 37) % 3000);
	}
}

static void
burst_fill(uint8_t *buf, size_t len, int i)
{
	for (size_t k = 0; k < len; k++) {
		buf[k] = (uint8_t) (i * 31 + (int) k);
	}
}

/*
 * Sends queued faster than they are written share writes; a frame too big
 * for a send buffer must wait until everything sealed before it is
 * written, and one that does not fit the buffer's rest starts the next.
 * Bursts mixing those sizes arrive complete and in order, and the frame
 * counters agree on both ends.
 */
static void
test_burst_mixed_sizes(void **state)
{
	const char *scheme = scheme_of(state);
	nng_socket  a      = tu_pair(1);
	nng_socket  b      = tu_pair(2);
	char        url[256];
	size_t      big = 1u << 20;
	uint8_t *   buf;
	nng_msg *   m;
	nng_pipe    pa;
	nng_pipe    pb;
	const int   rounds = 6;
	const int   per    = 40;

	TU_PASS(nng_mpc_socket_set(a, NNG_OPT_MPC_MAX_MSG_SIZE, &big, sizeof(big)));
	TU_PASS(nng_socket_set_size(a, NNG_OPT_RECVMAXSZ, big));
	TU_PASS(nng_socket_set_int(a, NNG_OPT_RECVBUF, per));
	TU_PASS(nng_socket_set_int(b, NNG_OPT_SENDBUF, per));
	tu_listen(a, scheme, url, sizeof(url), NULL);
	TU_PASS(nng_dial(b, url, NULL, 0));
	assert_non_null(buf = malloc(256 * 1024));
	for (int r = 0; r < rounds; r++) {
		for (int i = r * per; i < (r + 1) * per; i++) {
			burst_fill(buf, burst_size(i), i);
			tu_send(b, buf, burst_size(i), 0, 0);
		}
		for (int i = r * per; i < (r + 1) * per; i++) {
			m = tu_recv(a);
			burst_fill(buf, burst_size(i), i);
			if ((nng_msg_len(m) != burst_size(i)) ||
			    (memcmp(nng_msg_body(m), buf, burst_size(i)) != 0)) {
				fail_msg("message %d: %zu bytes, expected %zu "
				         "(out of order or damaged)",
				    i, nng_msg_len(m), burst_size(i));
			}
			pa = nng_msg_get_pipe(m);
			nng_msg_free(m);
		}
	}
	assert_int_equal(
	    tu_pipe_ctr(pa, NNG_OPT_MPC_FRAMES_IN), (uint64_t) rounds * per);
	/* The sender's pipe: the one pipe of b. */
	tu_send(a, "back", 5, 0, 0);
	m  = tu_recv(b);
	pb = nng_msg_get_pipe(m);
	nng_msg_free(m);
	assert_int_equal(
	    tu_pipe_ctr(pb, NNG_OPT_MPC_FRAMES_OUT), (uint64_t) rounds * per);
	free(buf);
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
}

struct pipe_wait {
	nng_pipe    p;
	const char *name;
	uint64_t    want;
};

static bool
pipe_ctr_reached(void *arg)
{
	struct pipe_wait *w = arg;
	uint64_t          v = 0;

	return ((nng_pipe_get_uint64(w->p, w->name, &v) == 0) && (v >= w->want));
}

static void
test_recvmaxsz(void **state)
{
	const char * scheme = scheme_of(state);
	nng_socket   a      = tu_pair(1);
	nng_socket   b      = tu_pair(2);
	char         url[256];
	char         body[200];
	nng_listener l;
	nng_msg *    m;
	nng_pipe     pb;
	struct pipe_wait w;

	memset(body, 'x', sizeof(body));
	TU_PASS(nng_socket_set_size(a, NNG_OPT_RECVMAXSZ, 100));
	tu_listen(a, scheme, url, sizeof(url), &l);
	TU_PASS(nng_dial(b, url, NULL, 0));
	/* Announced in the hello: the sender does not write what the
	 * receiver would refuse, and counts it. */
	tu_send(b, body, 50, 0, 0);
	m = tu_recv(a);
	assert_int_equal(nng_msg_len(m), 50);
	nng_msg_free(m);
	tu_send(b, body, sizeof(body), 0, 0);
	tu_recv_none(a, 200);
	tu_send(b, "ok", 3, 0, 0);
	m  = tu_recv(a);
	assert_string_equal(nng_msg_body(m), "ok");
	nng_msg_free(m);
	tu_send(a, "back", 5, 0, 0);
	m  = tu_recv(b);
	pb = nng_msg_get_pipe(m);
	nng_msg_free(m);
	w.p = pb; w.name = NNG_OPT_MPC_SEND_DROPPED; w.want = 1;
	assert_true(pipe_ctr_reached(&w));
	assert_int_equal(tu_pipe_ctr(pb, NNG_OPT_MPC_FRAMES_OUT), 2);

	/* Lowered after the hello: the receiver checks the header's length
	 * before allocating and closes the pipe; nothing is delivered. */
	TU_PASS(nng_listener_set_size(l, NNG_OPT_RECVMAXSZ, 20));
	tu_send(b, body, 50, 0, 0);
	tu_wait_removed(a, 1);
	tu_recv_none(a, 100);
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
}

static void
test_missing_settings(void **state)
{
	const char * scheme = scheme_of(state);
	nng_socket   s;
	nng_listener l;
	nng_dialer   d;
	char         url[256];
	int          id = 3;

	if (strcmp(scheme, "mpc+ipc") == 0) {
		tu_ipc_url(url, sizeof(url));
	} else {
		(void) snprintf(url, sizeof(url), "%s://127.0.0.1:0", scheme);
	}
	TU_PASS(nng_pair1_open(&s));
	TU_EXPECT(NNG_MPC_ENOPARTYID, nng_listen(s, url, NULL, 0));
	TU_PASS(nng_listener_create(&l, s, url));
	/* Now an endpoint exists: plain nng_socket_set works as NNG says. */
	TU_PASS(nng_socket_set_int(s, NNG_OPT_MPC_PARTY_ID, id));
	TU_EXPECT(NNG_MPC_ENOSESSIONID, nng_listener_start(l, 0));
	TU_PASS(nng_listener_set(
	    l, NNG_OPT_MPC_SESSION_ID, tu_sid, NNG_MPC_SESSION_ID_SIZE));
	TU_EXPECT(NNG_MPC_ENOSESSIONKEY, nng_listener_start(l, 0));
	TU_PASS(nng_listener_set(
	    l, NNG_OPT_MPC_SESSION_KEY, tu_key, NNG_MPC_SESSION_KEY_SIZE));
	TU_PASS(nng_listener_start(l, 0));
	/* The socket kept the party ID for the next endpoint. */
	TU_PASS(nng_dialer_create(&d, s, "mpc+tcp://127.0.0.1:9"));
	TU_PASS(nng_dialer_get_int(d, NNG_OPT_MPC_PARTY_ID, &id));
	assert_int_equal(id, 3);
	TU_EXPECT(NNG_MPC_ENOSESSIONID, nng_dialer_start(d, 0));
	TU_PASS(nng_close(s));
}

static void
test_option_validation(void **state)
{
	nng_socket s;
	nng_dialer d;
	uint8_t    small[15] = { 0 };
	uint8_t    key[33]   = { 0 };
	bool       b;
	int        v;
	char *     str;

	(void) state;
	TU_PASS(nng_pair1_open(&s));
	TU_PASS(nng_dialer_create(&d, s, "mpc+tcp://127.0.0.1:9"));
	/* Party IDs. */
	TU_EXPECT(NNG_EINVAL, nng_dialer_set_int(d, NNG_OPT_MPC_PARTY_ID, 0));
	TU_EXPECT(NNG_EINVAL, nng_dialer_set_int(d, NNG_OPT_MPC_PARTY_ID, -5));
	TU_EXPECT(NNG_EINVAL,
	    nng_dialer_set_uint64(d, NNG_OPT_MPC_PARTY_ID, 0xFFFFFFFFu));
	TU_PASS(nng_dialer_set_uint64(d, NNG_OPT_MPC_PARTY_ID, 0xFFFFFFFEu));
	TU_EXPECT(NNG_EINVAL, nng_dialer_get_int(d, NNG_OPT_MPC_PARTY_ID, &v));
	TU_EXPECT(NNG_EBADTYPE,
	    nng_dialer_set_string(d, NNG_OPT_MPC_PARTY_ID, "7"));
	TU_EXPECT(NNG_EBADTYPE, nng_dialer_set_bool(d, NNG_OPT_MPC_PARTY_ID, 1));
	/* Session ID and key: exact sizes, opaque only. */
	TU_EXPECT(NNG_EINVAL,
	    nng_dialer_set(d, NNG_OPT_MPC_SESSION_ID, small, sizeof(small)));
	TU_EXPECT(NNG_EBADTYPE,
	    nng_dialer_set_string(d, NNG_OPT_MPC_SESSION_ID, "0123456789abcdef"));
	TU_EXPECT(NNG_EINVAL,
	    nng_dialer_set(d, NNG_OPT_MPC_SESSION_KEY, key, sizeof(key)));
	TU_EXPECT(NNG_EINVAL,
	    nng_dialer_set(d, NNG_OPT_MPC_SESSION_KEY, key, 31));
	TU_EXPECT(NNG_EBADTYPE,
	    nng_dialer_set_int(d, NNG_OPT_MPC_SESSION_KEY, 1));
	/* Limits: out of range is refused, not clamped. */
	TU_EXPECT(NNG_EINVAL, nng_dialer_set_size(d, NNG_OPT_MPC_MAX_MSG_SIZE, 0));
	TU_EXPECT(NNG_EINVAL, nng_dialer_set_size(d, NNG_OPT_MPC_MAX_MSG_SIZE,
	                          (size_t) NNG_MPC_PAYLOAD_MAX + 1));
	TU_PASS(nng_dialer_set_size(
	    d, NNG_OPT_MPC_MAX_MSG_SIZE, NNG_MPC_PAYLOAD_MAX));
	TU_EXPECT(NNG_EINVAL, nng_dialer_set_int(d, NNG_OPT_MPC_REPLAY_WINDOW, 63));
	TU_EXPECT(
	    NNG_EINVAL, nng_dialer_set_int(d, NNG_OPT_MPC_REPLAY_WINDOW, 8193));
	TU_PASS(nng_dialer_set_int(d, NNG_OPT_MPC_REPLAY_WINDOW, 64));
	TU_PASS(nng_dialer_get_int(d, NNG_OPT_MPC_REPLAY_WINDOW, &v));
	assert_int_equal(v, 64);
	TU_EXPECT(NNG_EINVAL,
	    nng_dialer_set_uint64(d, NNG_OPT_MPC_REKEY_MESSAGES, 0));
	TU_EXPECT(NNG_EINVAL, nng_dialer_set_uint64(d,
	                          NNG_OPT_MPC_REKEY_MESSAGES, (uint64_t) 1 << 25));
	TU_EXPECT(NNG_EBADTYPE,
	    nng_dialer_set_int(d, NNG_OPT_MPC_REKEY_MESSAGES, 5));
	TU_EXPECT(
	    NNG_EINVAL, nng_dialer_set_ms(d, NNG_OPT_MPC_REKEY_INTERVAL, -1));
	TU_PASS(nng_dialer_set_ms(d, NNG_OPT_MPC_REKEY_INTERVAL, 0));
	TU_EXPECT(
	    NNG_EINVAL, nng_dialer_set_ms(d, NNG_OPT_MPC_HANDSHAKE_TIMEOUT, 0));
	TU_EXPECT(NNG_EINVAL,
	    nng_dialer_set_ms(d, NNG_OPT_MPC_HANDSHAKE_TIMEOUT, 600001));
	TU_EXPECT(NNG_EINVAL,
	    nng_dialer_set_int(d, NNG_OPT_MPC_AUTH_FAIL_LIMIT, 0));
	TU_PASS(nng_dialer_get_bool(d, NNG_OPT_MPC_CHANNEL_BINDING, &b));
	assert_true(b);
	TU_EXPECT(NNG_EBADTYPE,
	    nng_dialer_set_int(d, NNG_OPT_MPC_CHANNEL_BINDING, 0));
	/* Pins belong to TLS endpoints. */
	TU_EXPECT(NNG_ENOTSUP, nng_dialer_set_string(d, NNG_OPT_MPC_CERT_PINS, ""));
	TU_EXPECT(NNG_ENOTSUP, nng_dialer_get_string(d, NNG_OPT_MPC_CERT_PINS, &str));
	/* Through the socket helper the same checks apply. */
	v = 0;
	TU_EXPECT(NNG_EINVAL,
	    nng_mpc_socket_set(s, NNG_OPT_MPC_PARTY_ID, &v, sizeof(v)));
	TU_EXPECT(NNG_EINVAL,
	    nng_mpc_socket_set(s, NNG_OPT_MPC_SESSION_ID, small, sizeof(small)));
	TU_PASS(nng_close(s));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_urls),
		TU_BOTH(test_dial_refused),
		TU_BOTH(test_listen_busy),
		TU_BOTH(test_close_endpoints),
		TU_BOTH(test_pair_exchange),
		TU_BOTH(test_pipe_ids_and_options),
		TU_BOTH(test_one_mib),
		TU_BOTH(test_burst_mixed_sizes),
		TU_BOTH(test_recvmaxsz),
		TU_BOTH(test_missing_settings),
		cmocka_unit_test(test_option_validation),
	};

	tu_register();
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
