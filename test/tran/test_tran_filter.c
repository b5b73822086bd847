/*
 * test_tran_filter.c -- the pipe filter over real sockets: admission at
 * accept (new connections per source), the allow and deny lists and the
 * application's filter after authentication, the receive rate limit
 * (backpressure, close, adaptive), and liveness (heartbeats and their
 * round trip, a peer behind a black-holing relay declared dead and the
 * dialer back once the path returns, idle timeout, maximum lifetime).
 *
 * Each refusal and action asserts its error, its counter, and that nothing
 * was delivered that should not be.  Nothing here asserts a duration:
 * rates are set so that throttling must happen, and the tests wait for
 * counters to move.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hostile.h"
#include "relay.h"
#include "tran_util.h"

#include <nng/supplemental/util/platform.h>

#define BUS0_PROTO 0x0070 /* NNG_BUS0_SELF */
/* Longer than the transport's stall time (1 s, mpc_tran_limit.h): the
 * condition the adaptive test creates, not a timing assertion. */
#define MPC_STALL_WAIT_MS 1300

static const char *
scheme_of(void **state)
{
	return (*state);
}

static void
set_str(nng_socket s, const char *name, const char *v)
{
	TU_PASS(nng_mpc_socket_set(s, name, v, strlen(v) + 1));
}

static void
set_int(nng_socket s, const char *name, int v)
{
	TU_PASS(nng_mpc_socket_set(s, name, &v, sizeof(v)));
}

static void
set_u64(nng_socket s, const char *name, uint64_t v)
{
	TU_PASS(nng_mpc_socket_set(s, name, &v, sizeof(v)));
}

/* ---------------------------------------------------------------------- *
 * Refusals after authentication: one table, one row per policy
 * ---------------------------------------------------------------------- */

/* What the filter saw, and what it answers. */
struct filter_seen {
	int      calls;
	uint32_t party;
	bool     dialer;
	bool     has_pin;
	char     remote[80];
	int      answer;
};

static int
filter_fn(void *arg, const nng_mpc_peer_info *peer)
{
	struct filter_seen *f = arg;

	f->calls++;
	f->party   = peer->party;
	f->dialer  = peer->dialer;
	f->has_pin = peer->pin != NULL;
	(void) snprintf(f->remote, sizeof(f->remote), "%s", peer->remote);
	return (f->answer);
}

static struct filter_seen filter_state;
static nng_mpc_filter     filter_obj = { .fn = filter_fn,
        .arg                                = &filter_state };

static void
with_allow(nng_socket s)
{
	set_str(s, NNG_OPT_MPC_ALLOW_PARTIES, "1, 3-5,9");
}

static void
with_deny(nng_socket s)
{
	set_str(s, NNG_OPT_MPC_DENY_PARTIES, "2");
}

static void
with_filter(nng_socket s)
{
	void *ptr = &filter_obj;

	memset(&filter_state, 0, sizeof(filter_state));
	filter_state.answer = NNG_ECONNREFUSED; /* any nonzero refuses */
	TU_PASS(nng_mpc_socket_set(s, NNG_OPT_MPC_FILTER, &ptr, sizeof(ptr)));
}

static const struct refusal {
	const char *what;
	void (*setup)(nng_socket listener);
	int         err;  /* what the dialer's nng_dial returns */
	const char *lctr; /* the listener's counter */
} refusals[] = {
	{ "allow-list", with_allow, NNG_MPC_EPARTYDENIED, NNG_OPT_MPC_REJ_PARTY },
	{ "deny-list", with_deny, NNG_MPC_EPARTYDENIED, NNG_OPT_MPC_REJ_PARTY },
	{ "filter", with_filter, NNG_MPC_EFILTER, NNG_OPT_MPC_REJ_FILTER },
};

static void
test_refused_after_auth(void **state)
{
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		const struct refusal *r = &refusals[i];
		nng_socket            a = tu_pair(1);
		nng_socket            b = tu_pair(2);
		nng_listener          l;
		nng_dialer            d;
		char                  url[256];

		print_message("  %s -> %s\n", r->what, nng_strerror(r->err));
		r->setup(a);
		tu_listen(a, scheme_of(state), url, sizeof(url), &l);
		TU_PASS(nng_dialer_create(&d, b, url));
		TU_EXPECT(r->err, nng_dialer_start(d, 0));
		tu_wait_listener_ctr(l, r->lctr, 1);
		assert_int_equal(tu_listener_ctr(l, r->lctr), 1);
		assert_int_equal(tu_listener_ctr(l, NNG_OPT_MPC_HANDSHAKES), 0);
		assert_int_equal(tu_dialer_ctr(d, NNG_OPT_MPC_REJ_BY_PEER), 1);
		/* Nothing reached either socket. */
		assert_int_equal(tu_pipes_seen(a), 0);
		assert_int_equal(tu_pipes_seen(b), 0);
		tu_recv_none(a, 50);
		TU_PASS(nng_close(a));
		TU_PASS(nng_close(b));
	}
	/* The filter saw the authenticated peer. */
	assert_int_equal(filter_state.calls, 1);
	assert_int_equal(filter_state.party, 2);
	assert_false(filter_state.dialer);
	assert_false(filter_state.has_pin);
	assert_true(strlen(filter_state.remote) > 0);
}

/* Listed parties and a filter that accepts get through; the filter may
 * read the endpoint's options (it runs with no transport lock held). */
static int
filter_reads_options(void *arg, const nng_mpc_peer_info *peer)
{
	nng_listener *l = arg;
	char *        v = NULL;
	int           rv;

	rv = nng_listener_get_string(*l, NNG_OPT_MPC_ALLOW_PARTIES, &v);
	if (rv == 0) {
		nng_strfree(v);
	}
	return ((rv == 0) && (peer->party == 2) ? 0 : NNG_EINVAL);
}

static void
test_admitted(void **state)
{
	nng_socket     a = tu_pair(1);
	nng_socket     b = tu_pair(2);
	nng_listener   l;
	nng_mpc_filter f   = { .fn = filter_reads_options, .arg = &l };
	void *         ptr = &f;
	char           url[256];
	char *         v;
	nng_msg *      m;

	set_str(a, NNG_OPT_MPC_ALLOW_PARTIES, "2-3");
	set_str(a, NNG_OPT_MPC_DENY_PARTIES, "3");
	TU_PASS(nng_mpc_socket_set(a, NNG_OPT_MPC_FILTER, &ptr, sizeof(ptr)));
	tu_listen(a, scheme_of(state), url, sizeof(url), &l);
	TU_PASS(nng_listener_get_string(l, NNG_OPT_MPC_ALLOW_PARTIES, &v));
	assert_string_equal(v, "2-3");
	nng_strfree(v);
	TU_PASS(nng_dial(b, url, NULL, 0));
	tu_send(b, "ok", 3, 0, 0);
	m = tu_recv(a);
	assert_string_equal(nng_msg_body(m), "ok");
	nng_msg_free(m);
	assert_int_equal(tu_listener_ctr(l, NNG_OPT_MPC_REJ_PARTY), 0);
	assert_int_equal(tu_listener_ctr(l, NNG_OPT_MPC_REJ_FILTER), 0);
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
}

static void
test_option_values(void **state)
{
	nng_socket   a = tu_pair(1);
	nng_listener l;
	char         url[256];
	char *       v;
	uint64_t     u;

	(void) state;
	tu_listen(a, "mpc+tcp", url, sizeof(url), &l);
	/* Checked, never clamped. */
	TU_EXPECT(NNG_EINVAL,
	    nng_listener_set_string(l, NNG_OPT_MPC_ALLOW_PARTIES, "5-1"));
	TU_EXPECT(NNG_EINVAL,
	    nng_listener_set_string(l, NNG_OPT_MPC_DENY_PARTIES, "0"));
	TU_EXPECT(NNG_EINVAL,
	    nng_listener_set_string(l, NNG_OPT_MPC_DENY_PARTIES, "1,"));
	TU_EXPECT(NNG_EINVAL,
	    nng_listener_set_string(l, NNG_OPT_MPC_RATE_POLICY, "drop"));
	TU_EXPECT(NNG_EINVAL,
	    nng_listener_set_ms(l, NNG_OPT_MPC_HEARTBEAT, 50));
	TU_EXPECT(NNG_EINVAL,
	    nng_listener_set_ms(l, NNG_OPT_MPC_RATE_BURST, 0));
	TU_EXPECT(NNG_EINVAL,
	    nng_listener_set_int(l, NNG_OPT_MPC_DEAD_AFTER, 0));
	TU_EXPECT(NNG_EINVAL,
	    nng_listener_set_int(l, NNG_OPT_MPC_CONN_BURST, 0));
	TU_EXPECT(NNG_EBADTYPE,
	    nng_listener_set_bool(l, NNG_OPT_MPC_RATE_MSGS, true));
	/* Defaults. */
	TU_PASS(nng_listener_get_string(l, NNG_OPT_MPC_RATE_POLICY, &v));
	assert_string_equal(v, "backpressure");
	nng_strfree(v);
	TU_PASS(nng_listener_get_uint64(l, NNG_OPT_MPC_CONN_RATE, &u));
	assert_int_equal(u, 20);
	TU_PASS(nng_listener_get_uint64(l, NNG_OPT_MPC_RATE_MSGS, &u));
	assert_int_equal(u, 0);
	/* Round trips. */
	TU_PASS(nng_listener_set_string(l, NNG_OPT_MPC_RATE_POLICY, "close"));
	TU_PASS(nng_listener_get_string(l, NNG_OPT_MPC_RATE_POLICY, &v));
	assert_string_equal(v, "close");
	nng_strfree(v);
	TU_PASS(nng_listener_set_string(l, NNG_OPT_MPC_DENY_PARTIES, "7,1-3"));
	TU_PASS(nng_listener_get_string(l, NNG_OPT_MPC_DENY_PARTIES, &v));
	assert_string_equal(v, "7,1-3");
	nng_strfree(v);
	TU_PASS(nng_close(a));
}

/* ---------------------------------------------------------------------- *
 * Admission at accept: new connections per source
 * ---------------------------------------------------------------------- */

/* Whether the listener closed a raw connection (EOF or reset; the ones
 * it accepted have sent their hello or nothing yet). */
static bool
raw_refused(int fd)
{
	char    c;
	ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);

	return ((n == 0) || ((n < 0) && (errno == ECONNRESET)));
}

#define CR_CONNS 16

struct conns_wait {
	int *          fds;
	nng_listener   l;
};

/* As many connections refused as the counter says. */
static bool
refusals_seen(void *arg)
{
	struct conns_wait *w = arg;
	uint64_t           n = 0;

	for (int i = 0; i < CR_CONNS; i++) {
		n += raw_refused(w->fds[i]) ? 1 : 0;
	}
	return ((n > 0) && (n == tu_listener_ctr(w->l, NNG_OPT_MPC_REJ_RATE)));
}

static void
test_conn_rate(void **state)
{
	nng_socket        a = tu_pair(1);
	nng_listener      l;
	char              url[256];
	int               fds[CR_CONNS];
	struct conns_wait w = { .fds = fds };

	(void) state;
	set_int(a, NNG_OPT_MPC_CONN_RATE, 1);
	set_int(a, NNG_OPT_MPC_CONN_BURST, 3);
	set_int(a, NNG_OPT_MPC_MAX_NEGOTIATING_PER_SOURCE, 64);
	tu_listen(a, "mpc+tcp", url, sizeof(url), &l);
	w.l = l;
	/* Three tokens and one more a second: of 16 connections made at
	 * once, the excess is closed at accept before a byte is read. */
	for (int i = 0; i < CR_CONNS; i++) {
		fds[i] = tu_raw_connect(url);
	}
	tu_wait_listener_ctr(l, NNG_OPT_MPC_REJ_RATE, 1);
	tu_wait_until(refusals_seen, &w);
	for (int i = 0; i < 3; i++) {
		assert_false(raw_refused(fds[i]));
	}
	assert_int_equal(tu_listener_ctr(l, NNG_OPT_MPC_REJ_SOURCE), 0);
	assert_int_equal(tu_listener_ctr(l, NNG_OPT_MPC_REJ_BUSY), 0);
	assert_int_equal(tu_pipes_seen(a), 0);
	for (int i = 0; i < CR_CONNS; i++) {
		(void) close(fds[i]);
	}
	TU_PASS(nng_close(a));
}

/* ---------------------------------------------------------------------- *
 * The receive rate limit
 * ---------------------------------------------------------------------- */

#define BP_MSGS 100

/* Backpressure: the flooder is slowed, nothing is lost, order kept. */
static void
test_rate_backpressure(void **state)
{
	nng_socket a = tu_pair(1);
	nng_socket b = tu_pair(2);
	char       url[256];
	nng_pipe   p = NNG_PIPE_INITIALIZER;

	set_u64(a, NNG_OPT_MPC_RATE_MSGS, 400);
	set_int(a, NNG_OPT_MPC_RATE_BURST, 10); /* 4 messages */
	tu_listen(a, scheme_of(state), url, sizeof(url), NULL);
	TU_PASS(nng_dial(b, url, NULL, 0));
	for (int i = 0; i < BP_MSGS; i++) {
		tu_send(b, &i, sizeof(i), 0, 0);
	}
	for (int i = 0; i < BP_MSGS; i++) {
		nng_msg *m = tu_recv(a);
		int      v;
		assert_int_equal(nng_msg_len(m), sizeof(v));
		memcpy(&v, nng_msg_body(m), sizeof(v));
		assert_int_equal(v, i);
		p = nng_msg_get_pipe(m);
		nng_msg_free(m);
	}
	assert_true(tu_pipe_ctr(p, NNG_OPT_MPC_RATE_DELAYED) > 0);
	assert_true(tu_pipe_ctr(p, NNG_OPT_MPC_RATE_THROTTLED) > 0);
	assert_int_equal(tu_pipe_ctr(p, NNG_OPT_MPC_RATE_ALLOWANCE), 400);
	/* The bucket holds at most its burst: 10 ms of 400/s. */
	assert_true(tu_pipe_ctr(p, NNG_OPT_MPC_RATE_TOKENS) <= 4);
	assert_int_equal(tu_pipe_ctr(p, NNG_OPT_MPC_FRAMES_IN), BP_MSGS);
	assert_int_equal(tu_pipe_ctr(p, NNG_OPT_MPC_CLOSED_RATE), 0);
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
}

/* Send shaping: the sender's own sends wait for tokens; nothing lost,
 * order kept. */
static void
test_send_shaping(void **state)
{
	nng_socket a = tu_pair(1);
	nng_socket b = tu_pair(2);
	char       url[256];
	nng_msg *  m;
	nng_pipe   p;

	set_u64(a, NNG_OPT_MPC_SEND_RATE_MSGS, 400);
	set_int(a, NNG_OPT_MPC_RATE_BURST, 10); /* 4 messages */
	tu_listen(a, scheme_of(state), url, sizeof(url), NULL);
	TU_PASS(nng_dial(b, url, NULL, 0));
	tu_send(b, "hi", 3, 0, 0);
	m = tu_recv(a);
	p = nng_msg_get_pipe(m);
	nng_msg_free(m);
	for (int i = 0; i < BP_MSGS; i++) {
		tu_send(a, &i, sizeof(i), 0, 0);
	}
	for (int i = 0; i < BP_MSGS; i++) {
		int v;
		m = tu_recv(b);
		assert_int_equal(nng_msg_len(m), sizeof(v));
		memcpy(&v, nng_msg_body(m), sizeof(v));
		assert_int_equal(v, i);
		nng_msg_free(m);
	}
	assert_true(tu_pipe_ctr(p, NNG_OPT_MPC_SEND_DELAYED) > 0);
	assert_int_equal(tu_pipe_ctr(p, NNG_OPT_MPC_FRAMES_OUT), BP_MSGS);
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
}

/* Close: a peer over its limit for too long loses its pipe. */
static void
test_rate_close(void **state)
{
	nng_socket   a = tu_pair(1);
	nng_socket   b = tu_pair(2);
	nng_listener l;
	char         url[256];
	uint8_t      buf[64];
	int          got = 0;
	nng_msg *    m;

	set_u64(a, NNG_OPT_MPC_RATE_MSGS, 20);
	set_int(a, NNG_OPT_MPC_RATE_BURST, 50);
	set_str(a, NNG_OPT_MPC_RATE_POLICY, "close");
	set_int(a, NNG_OPT_MPC_RATE_CLOSE_AFTER, 200);
	tu_listen(a, scheme_of(state), url, sizeof(url), &l);
	TU_PASS(nng_dial(b, url, NULL, 0));
	memset(buf, 0x5a, sizeof(buf));
	/* 200 x 64 bytes fit the TCP buffers: the sends all complete. */
	for (int i = 0; i < 200; i++) {
		TU_PASS(nng_send(b, buf, sizeof(buf), 0));
	}
	/* The application keeps receiving (a socket that does not read
	 * stops the pipe's reads, which is not the peer's excess). */
	TU_PASS(nng_socket_set_ms(a, NNG_OPT_RECVTIMEO, 100));
	for (int i = 0; (i < 100) &&
	     (tu_listener_ctr(l, NNG_OPT_MPC_CLOSED_RATE) == 0);
	     i++) {
		while (nng_recvmsg(a, &m, 0) == 0) {
			assert_int_equal(nng_msg_len(m), sizeof(buf));
			nng_msg_free(m);
			got++;
		}
	}
	tu_wait_listener_ctr(l, NNG_OPT_MPC_CLOSED_RATE, 1);
	assert_int_equal(tu_listener_ctr(l, NNG_OPT_MPC_CLOSED_RATE), 1);
	tu_wait_removed(a, 1);
	/* What was delivered before the close is whole; the rest never. */
	while (nng_recvmsg(a, &m, 0) == 0) {
		assert_int_equal(nng_msg_len(m), sizeof(buf));
		nng_msg_free(m);
		got++;
	}
	assert_true(got < 200);
	TU_PASS(nng_close(b));
	TU_PASS(nng_close(a));
}

/* Adaptive: each refused frame halves the peer's allowance. */
static void
test_rate_adaptive(void **state)
{
	nng_socket    s = tu_bus(1);
	char          url[256];
	hostile       h;
	mpc_frame_hdr hdr;
	uint8_t *     buf;
	size_t        len;
	nng_msg *     m;
	nng_pipe      p;

	set_u64(s, NNG_OPT_MPC_RATE_MSGS, 1000000);
	TU_PASS(nng_mpc_socket_set(
	    s, NNG_OPT_MPC_RATE_ADAPTIVE, &(bool) { true }, sizeof(bool)));
	tu_listen(s, scheme_of(state), url, sizeof(url), NULL);
	hostile_connect(&h, url, 2, BUS0_PROTO);
	hdr = hostile_hdr(&h);
	buf = hostile_frame(&h, &hdr, "one", 4, &len);
	hostile_write(&h, buf, len);
	m = tu_recv(s);
	p = nng_msg_get_pipe(m);
	nng_msg_free(m);
	assert_int_equal(tu_pipe_ctr(p, NNG_OPT_MPC_RATE_ALLOWANCE), 1000000);
	/* Three authentic frames for another party: refused, not delivered. */
	for (int i = 0; i < 3; i++) {
		hdr           = hostile_hdr(&h);
		hdr.recipient = 7;
		buf = hostile_frame(&h, &hdr, "bad", 4, &len);
		hostile_write(&h, buf, len);
	}
	tu_wait_pipe_ctr(p, NNG_OPT_MPC_DROP_RECIPIENT, 3);
	tu_recv_none(s, 50);
	/* 1/8 of the rate, plus what a few ms of recovery gave back. */
	assert_true(tu_pipe_ctr(p, NNG_OPT_MPC_RATE_ALLOWANCE) < 500000);
	hostile_close(&h);
	TU_PASS(nng_close(s));
}

struct allow_wait {
	nng_pipe p;
	uint64_t below;
};

static bool
allowance_below(void *arg)
{
	struct allow_wait *w = arg;
	return (tu_pipe_ctr(w->p, NNG_OPT_MPC_RATE_ALLOWANCE) < w->below);
}

/* Adaptive: a socket queue that stays full while the peer's frames wait
 * lowers the peer's allowance too (the application cannot keep up). */
static void
test_rate_adaptive_stall(void **state)
{
	nng_socket        a = tu_pair(1);
	nng_socket        b = tu_pair(2);
	char              url[256];
	nng_msg *         m;
	struct allow_wait w = { .below = 1000000 };

	set_u64(a, NNG_OPT_MPC_RATE_MSGS, 1000000);
	TU_PASS(nng_mpc_socket_set(
	    a, NNG_OPT_MPC_RATE_ADAPTIVE, &(bool) { true }, sizeof(bool)));
	tu_listen(a, scheme_of(state), url, sizeof(url), NULL);
	TU_PASS(nng_dial(b, url, NULL, 0));
	tu_send(b, "first", 6, 0, 0);
	m = tu_recv(a);
	w.p = nng_msg_get_pipe(m);
	nng_msg_free(m);
	/* pair1 holds one message and takes no more from the pipe while
	 * the application does not receive: its queue is full. */
	for (int i = 0; i < 50; i++) {
		tu_send(b, "more", 5, 0, 0);
	}
	nng_msleep(MPC_STALL_WAIT_MS);
	for (int i = 0; i < 50; i++) {
		nng_msg_free(tu_recv(a));
	}
	tu_wait_until(allowance_below, &w);
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
}

/* ---------------------------------------------------------------------- *
 * Liveness
 * ---------------------------------------------------------------------- */

static void
set_ms(nng_socket s, const char *name, nng_duration ms)
{
	TU_PASS(nng_mpc_socket_set(s, name, &ms, sizeof(ms)));
}

static void
fast_heartbeat(nng_socket s)
{
	set_ms(s, NNG_OPT_MPC_HEARTBEAT, 100);
}

/* After a reconnect: b's message reaches a.  Retried because a pair1
 * message sent in the moment the old pipe is still on its way out (on
 * either side) goes with it; what is tested is that the new pipe works. */
static void
reaches_after_reconnect(nng_socket b, nng_socket a)
{
	nng_msg *m = NULL;

	TU_PASS(nng_socket_set_ms(a, NNG_OPT_RECVTIMEO, 200));
	for (int i = 0; i < 50; i++) {
		(void) nng_send(b, "after", 6, 0);
		if (nng_recvmsg(a, &m, 0) == 0) {
			break;
		}
	}
	assert_non_null(m);
	assert_string_equal(nng_msg_body(m), "after");
	nng_msg_free(m);
	TU_PASS(nng_socket_set_ms(a, NNG_OPT_RECVTIMEO, 5000));
}

/* Idle pipes exchange heartbeats; the answers give the round trip. */
static void
test_heartbeat_rtt(void **state)
{
	nng_socket a = tu_pair(1);
	nng_socket b = tu_pair(2);
	char       url[256];
	nng_msg *  m;
	nng_pipe   p;
	uint64_t   rtt;

	tu_listen(a, scheme_of(state), url, sizeof(url), NULL);
	fast_heartbeat(a);
	TU_PASS(nng_dial(b, url, NULL, 0));
	fast_heartbeat(b);
	tu_send(b, "hi", 3, 0, 0);
	m = tu_recv(a);
	p = nng_msg_get_pipe(m);
	nng_msg_free(m);
	tu_wait_pipe_ctr(p, NNG_OPT_MPC_HEARTBEATS_IN, 2);
	assert_true(tu_pipe_ctr(p, NNG_OPT_MPC_HEARTBEATS_OUT) >= 2);
	TU_PASS(nng_pipe_get_uint64(p, NNG_OPT_MPC_RTT, &rtt));
	assert_true(rtt > 0);
	TU_PASS(nng_pipe_get_uint64(p, NNG_OPT_MPC_SRTT, &rtt));
	assert_true(rtt > 0);
	/* Heartbeats are never delivered, and are not refusals. */
	tu_recv_none(a, 50);
	assert_int_equal(tu_pipe_ctr(p, NNG_OPT_MPC_FRAMES_IN), 1);
	assert_int_equal(tu_pipe_ctr(p, NNG_OPT_MPC_FRAMES_REJECTED), 0);
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
}

/* A path that black-holes (a peer gone silent with its connection up):
 * the dialer declares the peer dead and closes the pipe; once the path
 * works again it reconnects, and the newest handshake replaces the
 * listener's stale pipe if the listener had not noticed itself. */
static void
test_dead_peer(void **state)
{
	nng_socket    a = tu_pair(1);
	nng_socket    b = tu_pair(2);
	nng_dialer    d;
	char          url[256];
	char          rurl[256];
	struct relay *r;
	uint16_t      rport;
	nng_msg *     m;

	(void) state;
	fast_heartbeat(a);
	fast_heartbeat(b);
	tu_listen(a, "mpc+tcp", url, sizeof(url), NULL);
	r = relay_start("127.0.0.1", (uint16_t) atoi(strrchr(url, ':') + 1),
	    &rport);
	(void) snprintf(rurl, sizeof(rurl), "mpc+tcp://127.0.0.1:%u",
	    (unsigned) rport);
	TU_PASS(nng_dial(b, rurl, &d, 0));
	tu_send(b, "before", 7, 0, 0);
	m = tu_recv(a);
	nng_msg_free(m);
	relay_blackhole(r, true);
	tu_wait_dialer_ctr(d, NNG_OPT_MPC_CLOSED_DEAD, 1);
	tu_wait_removed(b, 1);
	relay_blackhole(r, false);
	tu_wait_dialer_ctr(d, NNG_OPT_MPC_HANDSHAKES, 2);
	reaches_after_reconnect(b, a);
	TU_PASS(nng_close(b));
	TU_PASS(nng_close(a));
	relay_stop(r);
}

/* Idle timeout and maximum lifetime close pipes; the dialer reconnects. */
static void
test_expiry(void **state)
{
	static const struct {
		const char *opt;
		const char *ctr;
	} cases[] = {
		{ NNG_OPT_MPC_IDLE_TIMEOUT, NNG_OPT_MPC_CLOSED_IDLE },
		{ NNG_OPT_MPC_MAX_LIFETIME, NNG_OPT_MPC_CLOSED_LIFETIME },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		nng_socket   a = tu_pair(1);
		nng_socket   b = tu_pair(2);
		nng_listener l;
		nng_dialer   d;
		char         url[256];

		print_message("  %s\n", cases[i].opt);
		fast_heartbeat(a); /* heartbeats do not keep a pipe busy */
		set_ms(a, cases[i].opt, 300);
		tu_listen(a, scheme_of(state), url, sizeof(url), &l);
		TU_PASS(nng_dial(b, url, &d, 0));
		tu_wait_listener_ctr(l, cases[i].ctr, 1);
		tu_wait_listener_ctr(l, NNG_OPT_MPC_HANDSHAKES, 2);
		reaches_after_reconnect(b, a);
		TU_PASS(nng_close(b));
		TU_PASS(nng_close(a));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TU_BOTH(test_refused_after_auth),
		TU_BOTH(test_admitted),
		cmocka_unit_test(test_option_values),
		cmocka_unit_test(test_conn_rate),
		TU_BOTH(test_rate_backpressure),
		TU_BOTH(test_send_shaping),
		TU_BOTH(test_rate_close),
		TU_BOTH(test_rate_adaptive),
		TU_BOTH(test_rate_adaptive_stall),
		TU_BOTH(test_heartbeat_rtt),
		cmocka_unit_test(test_dead_peer),
		TU_BOTH(test_expiry),
	};

	tu_register();
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
