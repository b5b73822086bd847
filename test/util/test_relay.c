/*
 * test_relay -- the fault-injecting relay (relay.h) on its own, between
 * two plain TCP sockets: it forwards both ways; a reset reaches both peers
 * as a RST; a cut passes exactly N bytes, then resets, unless a cut of 0
 * called it off first; a black hole holds data until lifted, with the
 * connection open; a delay still delivers
 * everything; connections beyond RELAY_CONNS_MAX are refused.  Reads are
 * bounded by a 5 s receive timeout; nothing here measures time.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "relay.h"

struct pair {
	int           lfd; /* the target's listening socket */
	int           cli; /* the client, through the relay */
	int           srv; /* the target's end */
	struct relay *r;
	uint16_t      port; /* the relay's */
};

static void
timeouts(int fd, int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000,
		.tv_usec              = (ms % 1000) * 1000 };

	assert_int_equal(
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
}

static int
connect_to(uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
		.sin_port                     = htons(port) };
	int                fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
	timeouts(fd, 5000);
	return (fd);
}

/* A target listening on 127.0.0.1, the relay to it, one connection. */
static void
pair_up(struct pair *p)
{
	struct sockaddr_in sa  = { .sin_family = AF_INET };
	socklen_t          len = sizeof(sa);

	p->lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(p->lfd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(p->lfd, (struct sockaddr *) &sa, sizeof(sa)), 0);
	assert_int_equal(listen(p->lfd, RELAY_CONNS_MAX + 8), 0);
	assert_int_equal(
	    getsockname(p->lfd, (struct sockaddr *) &sa, &len), 0);
	p->r   = relay_start("127.0.0.1", ntohs(sa.sin_port), &p->port);
	p->cli = connect_to(p->port);
	p->srv = accept(p->lfd, NULL, NULL);
	assert_true(p->srv >= 0);
	timeouts(p->srv, 5000);
}

static void
pair_down(struct pair *p)
{
	relay_stop(p->r);
	(void) close(p->cli);
	(void) close(p->srv);
	(void) close(p->lfd);
}

/* The relay counts bytes after it wrote them: wait (bounded) for the
 * counts to catch up with what the peers already read. */
static void
stats_settled(
    struct relay *r, uint64_t up, uint64_t down, struct relay_stats *st)
{
	for (int i = 0; i < 500; i++) {
		relay_stats(r, st);
		if (st->bytes_up == up && st->bytes_down == down) {
			return;
		}
		(void) usleep(10000);
	}
}

/* Reads exactly len bytes. */
static void
read_all(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *) buf + got, len - got);

		assert_true(n > 0);
		got += (size_t) n;
	}
}

/* Reads until the connection fails; returns the bytes read and leaves
 * the last errno (0 at EOF) in *err. */
static size_t
read_to_end(int fd, int *err)
{
	char   buf[256];
	size_t total = 0;

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n <= 0) {
			*err = n < 0 ? errno : 0;
			return (total);
		}
		total += (size_t) n;
	}
}

static void
test_forwards_both_ways(void **state)
{
	struct pair        p;
	struct relay_stats st;
	char               buf[8];

	(void) state;
	pair_up(&p);
	assert_int_equal(write(p.cli, "hello", 5), 5);
	read_all(p.srv, buf, 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(write(p.srv, "world!", 6), 6);
	read_all(p.cli, buf, 6);
	assert_memory_equal(buf, "world!", 6);
	stats_settled(p.r, 5, 6, &st);
	assert_int_equal(st.accepted, 1);
	assert_int_equal(st.open, 1);
	assert_int_equal(st.bytes_up, 5);
	assert_int_equal(st.bytes_down, 6);
	pair_down(&p);
}

static void
test_reset_reaches_both(void **state)
{
	struct pair        p;
	struct relay_stats st;
	int                err;

	(void) state;
	pair_up(&p);
	relay_reset(p.r);
	assert_int_equal(read_to_end(p.cli, &err), 0);
	assert_int_equal(err, ECONNRESET);
	assert_int_equal(read_to_end(p.srv, &err), 0);
	assert_int_equal(err, ECONNRESET);
	relay_stats(p.r, &st);
	assert_int_equal(st.resets, 1);
	assert_int_equal(st.open, 0);
	pair_down(&p);
}

static void
test_cut_mid_stream(void **state)
{
	struct pair p;
	char        big[100];
	int         err;

	(void) state;
	pair_up(&p);
	relay_cut(p.r, 10);
	memset(big, 'x', sizeof(big));
	assert_int_equal(
	    write(p.cli, big, sizeof(big)), (ssize_t) sizeof(big));
	/* Exactly 10 bytes through, then the RST. */
	assert_int_equal(read_to_end(p.srv, &err), 10);
	assert_int_equal(err, ECONNRESET);
	pair_down(&p);
}

/* A cut not reached yet is called off by a cut of 0: everything passes,
 * nothing is reset. */
static void
test_cut_called_off(void **state)
{
	struct pair        p;
	struct relay_stats st;
	char               big[100], buf[100];

	(void) state;
	pair_up(&p);
	relay_cut(p.r, 10);
	relay_cut(p.r, 0);
	memset(big, 'y', sizeof(big));
	assert_int_equal(
	    write(p.cli, big, sizeof(big)), (ssize_t) sizeof(big));
	read_all(p.srv, buf, sizeof(buf));
	assert_memory_equal(buf, big, sizeof(big));
	relay_stats(p.r, &st);
	assert_int_equal(st.resets, 0);
	assert_int_equal(st.open, 1);
	pair_down(&p);
}

static void
test_black_hole_holds(void **state)
{
	struct pair        p;
	struct relay_stats st;
	char               buf[8];

	(void) state;
	pair_up(&p);
	relay_blackhole(p.r, true);
	assert_int_equal(write(p.cli, "held", 4), 4);
	timeouts(p.srv, 300);
	assert_int_equal(read(p.srv, buf, sizeof(buf)), -1);
	assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
	relay_stats(p.r, &st);
	assert_int_equal(st.bytes_up, 0);
	assert_int_equal(st.open, 1);
	timeouts(p.srv, 5000);
	relay_blackhole(p.r, false);
	read_all(p.srv, buf, 4);
	assert_memory_equal(buf, "held", 4);
	pair_down(&p);
}

static void
test_delay_delivers(void **state)
{
	struct pair p;
	char        buf[8];

	(void) state;
	pair_up(&p);
	relay_delay(p.r, 20);
	assert_int_equal(write(p.cli, "late", 4), 4);
	read_all(p.srv, buf, 4);
	assert_memory_equal(buf, "late", 4);
	pair_down(&p);
}

static void
test_bounded(void **state)
{
	struct pair        p;
	struct relay_stats st;
	int                fds[RELAY_CONNS_MAX];
	int                err;

	(void) state;
	pair_up(&p); /* one connection open already */
	for (int i = 0; i < RELAY_CONNS_MAX; i++) {
		fds[i] = connect_to(p.port);
	}
	/* The last one is over the limit: closed with a RST at once. */
	assert_int_equal(read_to_end(fds[RELAY_CONNS_MAX - 1], &err), 0);
	assert_int_equal(err, ECONNRESET);
	relay_stats(p.r, &st);
	assert_int_equal(st.accepted, RELAY_CONNS_MAX);
	assert_int_equal(st.refused, 1);
	for (int i = 0; i < RELAY_CONNS_MAX; i++) {
		(void) close(fds[i]);
	}
	pair_down(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forwards_both_ways),
		cmocka_unit_test(test_reset_reaches_both),
		cmocka_unit_test(test_cut_mid_stream),
		cmocka_unit_test(test_cut_called_off),
		cmocka_unit_test(test_black_hole_holds),
		cmocka_unit_test(test_delay_delivers),
		cmocka_unit_test(test_bounded),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
