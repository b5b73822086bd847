/*
 * test_tran_hs.c -- connection setup over mpc+tcp:// and mpc+ipc://: each
 * refusal (wrong session ID, wrong session key, our own party ID, a party
 * already connected, an unsupported hello version, a malformed hello, a
 * hello that never completes, a non-SP peer, another protocol) asserts the
 * error nng_dial() returns, the counter that moved on each side, and that
 * the socket never saw a pipe nor a message.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tran_util.h"

static const char *
scheme_of(void **state)
{
	return (*state);
}

struct ctr_wait {
	nng_listener l;
	const char * name;
	uint64_t     want;
};

static bool
listener_ctr_reached(void *arg)
{
	struct ctr_wait *w = arg;

	return (tu_listener_ctr(w->l, w->name) >= w->want);
}

static void
wait_listener_ctr(nng_listener l, const char *name, uint64_t want)
{
	struct ctr_wait w = { .l = l, .name = name, .want = want };

	tu_wait_until(listener_ctr_reached, &w);
	assert_int_equal(tu_listener_ctr(l, name), want);
}

/* All rejection counters of a listener except one (or all, name NULL)
 * are zero. */
static void
only_counter(nng_listener l, const char *name, uint64_t want)
{
	static const char *all[] = { NNG_OPT_MPC_REJ_BUSY,
		NNG_OPT_MPC_REJ_SOURCE, NNG_OPT_MPC_REJ_TLS,
		NNG_OPT_MPC_REJ_HELLO, NNG_OPT_MPC_REJ_VERSION,
		NNG_OPT_MPC_REJ_SESSION, NNG_OPT_MPC_REJ_KEY,
		NNG_OPT_MPC_REJ_CERT, NNG_OPT_MPC_REJ_DUPLICATE,
		NNG_OPT_MPC_REJ_SELF, NNG_OPT_MPC_REJ_CAPS,
		NNG_OPT_MPC_REJ_IDENTITY, NNG_OPT_MPC_REJ_BY_PEER,
		NNG_OPT_MPC_REJ_TIMEOUT, NNG_OPT_MPC_REJ_OTHER };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		uint64_t v = tu_listener_ctr(l, all[i]);
		if ((name != NULL) && (strcmp(all[i], name) == 0)) {
			assert_int_equal(v, want);
		} else if (v != 0) {
			fail_msg("counter %s is %d", all[i], (int) v);
		}
	}
}

/* A dial that must be refused with err; both sides count the reason. */
static void
refused(const char *scheme, nng_socket b, int err, const char *lctr,
    const char *dctr)
{
	nng_socket   a = tu_pair(1);
	nng_listener l;
	nng_dialer   d;
	char         url[256];

	tu_listen(a, scheme, url, sizeof(url), &l);
	TU_PASS(nng_dialer_create(&d, b, url));
	TU_EXPECT(err, nng_dialer_start(d, 0));
	wait_listener_ctr(l, lctr, 1);
	only_counter(l, lctr, 1);
	assert_int_equal(tu_dialer_ctr(d, dctr), 1);
	assert_int_equal(tu_dialer_ctr(d, NNG_OPT_MPC_HANDSHAKES), 0);
	assert_int_equal(tu_listener_ctr(l, NNG_OPT_MPC_HANDSHAKES), 0);
	assert_int_equal(tu_pipes_seen(a), 0);
	assert_int_equal(tu_pipes_seen(b), 0);
	tu_recv_none(a, 50);
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
}

static void
test_wrong_session_id(void **state)
{
	nng_socket b   = tu_pair(2);
	uint8_t    sid[NNG_MPC_SESSION_ID_SIZE];

	memcpy(sid, tu_sid, sizeof(sid));
	sid[15] ^= 1;
	TU_PASS(nng_mpc_socket_set(b, NNG_OPT_MPC_SESSION_ID, sid, sizeof(sid)));
	refused(scheme_of(state), b, NNG_MPC_ESESSIONID,
	    NNG_OPT_MPC_REJ_SESSION, NNG_OPT_MPC_REJ_SESSION);
}

static void
test_wrong_key(void **state)
{
	nng_socket b = tu_pair(2);
	uint8_t    key[NNG_MPC_SESSION_KEY_SIZE];

	memcpy(key, tu_key, sizeof(key));
	key[0] ^= 0x80;
	TU_PASS(
	    nng_mpc_socket_set(b, NNG_OPT_MPC_SESSION_KEY, key, sizeof(key)));
	refused(scheme_of(state), b, NNG_MPC_EKEYCONFIRM, NNG_OPT_MPC_REJ_KEY,
	    NNG_OPT_MPC_REJ_KEY);
}

static void
test_own_party_id(void **state)
{
	nng_socket b = tu_pair(1);

	refused(scheme_of(state), b, NNG_MPC_ESELFPARTY, NNG_OPT_MPC_REJ_SELF,
	    NNG_OPT_MPC_REJ_SELF);
}

static void
test_channel_binding_ignored_without_tls(void **state)
{
	/* Channel binding only exists over TLS: the option differing between
	 * the sides of an mpc+tcp:// connection changes nothing. */
	const char *scheme = scheme_of(state);
	nng_socket  a      = tu_pair(1);
	nng_socket  b      = tu_pair(2);
	bool        off    = false;
	char        url[256];
	nng_msg *   m;

	TU_PASS(nng_mpc_socket_set(
	    b, NNG_OPT_MPC_CHANNEL_BINDING, &off, sizeof(off)));
	tu_listen(a, scheme, url, sizeof(url), NULL);
	TU_PASS(nng_dial(b, url, NULL, 0));
	tu_send(b, "x", 2, 0, 0);
	m = tu_recv(a);
	nng_msg_free(m);
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
}

static void
test_other_protocol(void **state)
{
	/* A bus0 peer completes the MPC handshake, but pair1 refuses the
	 * pipe (NNG's own protocol check on the SP header's protocol). */
	const char *scheme = scheme_of(state);
	nng_socket  a      = tu_pair(1);
	nng_socket  b      = tu_bus(2);
	char        url[256];

	tu_listen(a, scheme, url, sizeof(url), NULL);
	TU_PASS(nng_dial(b, url, NULL, NNG_FLAG_NONBLOCK));
	tu_send(b, "nope", 5, 0, 0);
	tu_recv_none(a, 300);
	tu_wait_removed(a, 1);
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
}

/* The SP header pair1 sends: 0 'S' 'P' 0, protocol 0x0011, 0 0. */
static const uint8_t sp_pair1[8] = { 0, 'S', 'P', 0, 0x00, 0x11, 0, 0 };

/* A finished record with status 0 and a MAC of zeros. */
static const uint8_t fin_bogus[40] = { 'M', 'P', 'C', 'F' };

/* A raw client: our SP header and a hand-made hello; returns the fd after
 * reading the listener's SP header and hello. */
static int
raw_hello(const char *url, const uint8_t *hello, size_t len)
{
	uint8_t peer[8 + 72];
	int     fd = tu_raw_connect(url);

	tu_raw_write(fd, sp_pair1, sizeof(sp_pair1));
	tu_raw_write(fd, hello, len);
	assert_int_equal(tu_raw_read(fd, peer, sizeof(peer)), sizeof(peer));
	assert_memory_equal(peer, sp_pair1, 8);
	assert_memory_equal(peer + 8, "MPCH", 4);
	/* Like a real peer, follow with a finished record (a bogus one):
	 * the listener reads it before it closes. */
	tu_raw_write(fd, fin_bogus, sizeof(fin_bogus));
	return (fd);
}

/* A 72-byte hello with the given version and magic; everything else
 * valid (party 2, our session). */
static void
make_hello(uint8_t h[72], const char *magic, uint16_t version)
{
	memset(h, 0, 72);
	memcpy(h, magic, 4);
	h[4] = (uint8_t) (version >> 8);
	h[5] = (uint8_t) version;
	h[7] = 72;
	h[11] = 2;
	memcpy(h + 12, tu_sid, NNG_MPC_SESSION_ID_SIZE);
	h[70] = 0x10; /* max payload 4096 */
}

static void
expect_reject_record(int fd, int err)
{
	uint8_t fin[40];
	int     status;

	assert_int_equal(tu_raw_read(fd, fin, sizeof(fin)), sizeof(fin));
	assert_memory_equal(fin, "MPCF", 4);
	status = (fin[4] << 8) | fin[5];
	assert_int_equal(status, err - NNG_MPC_ERRBASE);
	for (size_t i = 8; i < sizeof(fin); i++) {
		assert_int_equal(fin[i], 0); /* no MAC on a refusal */
	}
	/* The refusing listener waits for us to close first. */
	assert_int_equal(shutdown(fd, SHUT_WR), 0);
	assert_true(tu_raw_closed(fd));
}

static void
test_unsupported_version(void **state)
{
	nng_socket   a = tu_pair(1);
	nng_listener l;
	char         url[256];
	uint8_t      h[72];
	int          fd;

	tu_listen(a, scheme_of(state), url, sizeof(url), &l);
	make_hello(h, "MPCH", 2);
	fd = raw_hello(url, h, sizeof(h));
	expect_reject_record(fd, NNG_MPC_EHELLOVERSION);
	wait_listener_ctr(l, NNG_OPT_MPC_REJ_VERSION, 1);
	only_counter(l, NNG_OPT_MPC_REJ_VERSION, 1);
	(void) close(fd);
	assert_int_equal(tu_pipes_seen(a), 0);
	TU_PASS(nng_close(a));
}

static void
test_malformed_hello(void **state)
{
	nng_socket   a = tu_pair(1);
	nng_listener l;
	char         url[256];
	uint8_t      h[72];
	int          fd;

	tu_listen(a, scheme_of(state), url, sizeof(url), &l);
	/* Bad magic. */
	make_hello(h, "MPCX", 1);
	fd = raw_hello(url, h, sizeof(h));
	expect_reject_record(fd, NNG_MPC_EHELLO);
	(void) close(fd);
	/* Party ID 0. */
	make_hello(h, "MPCH", 1);
	h[11] = 0;
	fd    = raw_hello(url, h, sizeof(h));
	expect_reject_record(fd, NNG_MPC_EHELLO);
	(void) close(fd);
	/* Maximum payload over NNG_MPC_PAYLOAD_MAX. */
	make_hello(h, "MPCH", 1);
	h[64] = 0xff;
	fd    = raw_hello(url, h, sizeof(h));
	expect_reject_record(fd, NNG_MPC_EHELLO);
	(void) close(fd);
	wait_listener_ctr(l, NNG_OPT_MPC_REJ_HELLO, 3);
	only_counter(l, NNG_OPT_MPC_REJ_HELLO, 3);
	assert_int_equal(tu_pipes_seen(a), 0);
	TU_PASS(nng_close(a));
}

static void
test_not_sp(void **state)
{
	nng_socket   a = tu_pair(1);
	nng_listener l;
	char         url[256];
	int          fd;

	tu_listen(a, scheme_of(state), url, sizeof(url), &l);
	fd = tu_raw_connect(url);
	tu_raw_write(fd, "GET / HTTP/1.1\r\n\r\n", 18);
	assert_true(tu_raw_closed(fd));
	(void) close(fd);
	wait_listener_ctr(l, NNG_OPT_MPC_REJ_OTHER, 1);
	only_counter(l, NNG_OPT_MPC_REJ_OTHER, 1);
	assert_int_equal(tu_pipes_seen(a), 0);
	TU_PASS(nng_close(a));
}

static void
test_hello_never_completes(void **state)
{
	nng_socket   a = tu_pair(1);
	nng_listener l;
	char         url[256];
	int          fd1;
	int          fd2;
	uint8_t      h[72];

	/* Settings apply to connections made after them. */
	tu_listen(a, scheme_of(state), url, sizeof(url), &l);
	TU_PASS(nng_listener_set_ms(l, NNG_OPT_MPC_HANDSHAKE_TIMEOUT, 300));
	/* One client says nothing; one trickles half a hello. */
	fd1 = tu_raw_connect(url);
	fd2 = tu_raw_connect(url);
	make_hello(h, "MPCH", 1);
	tu_raw_write(fd2, sp_pair1, sizeof(sp_pair1));
	tu_raw_write(fd2, h, 30);
	assert_true(tu_raw_closed(fd1));
	assert_true(tu_raw_closed(fd2));
	(void) close(fd1);
	(void) close(fd2);
	wait_listener_ctr(l, NNG_OPT_MPC_REJ_TIMEOUT, 2);
	only_counter(l, NNG_OPT_MPC_REJ_TIMEOUT, 2);
	assert_int_equal(tu_pipes_seen(a), 0);
	TU_PASS(nng_close(a));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TU_BOTH(test_wrong_session_id),
		TU_BOTH(test_wrong_key),
		TU_BOTH(test_own_party_id),
		TU_BOTH(test_channel_binding_ignored_without_tls),
		TU_BOTH(test_other_protocol),
		TU_BOTH(test_unsupported_version),
		TU_BOTH(test_malformed_hello),
		TU_BOTH(test_not_sp),
		TU_BOTH(test_hello_never_completes),
	};

	tu_register();
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
