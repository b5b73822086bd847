/*
 * relay.c -- the black-holing TCP relay of relay.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "relay.h"
#include "tran_util.h"

#define RELAY_CONNS 16

struct relay_conn {
	relay *   r;
	int       a; /* the client's side */
	int       b; /* the listener's side */
	unsigned  gen;
	pthread_t thr;
	bool      used;
};

struct relay {
	int                lfd;
	uint16_t           to_port;
	atomic_uint        gen; /* connections of an older gen black-hole */
	atomic_bool        stop;
	pthread_t          thr;
	pthread_mutex_t    lk;
	struct relay_conn  conns[RELAY_CONNS];
};

/* Moves what is readable on from to to (or drops it): false at EOF. */
static bool
relay_move(int from, int to, bool drop)
{
	char    buf[4096];
	ssize_t n = read(from, buf, sizeof(buf));

	if (n <= 0) {
		return (false);
	}
	for (ssize_t off = 0; !drop && (off < n);) {
		ssize_t w = write(to, buf + off, (size_t) (n - off));
		if (w <= 0) {
			return (false);
		}
		off += w;
	}
	return (true);
}

static void *
relay_conn_main(void *arg)
{
	struct relay_conn *c = arg;
	struct pollfd      pfd[2];

	pfd[0].fd     = c->a;
	pfd[0].events = POLLIN;
	pfd[1].fd     = c->b;
	pfd[1].events = POLLIN;
	while (!atomic_load(&c->r->stop)) {
		bool drop = atomic_load(&c->r->gen) != c->gen;
		if (poll(pfd, 2, 50) <= 0) {
			continue;
		}
		if ((pfd[0].revents != 0) && !relay_move(c->a, c->b, drop)) {
			break;
		}
		if ((pfd[1].revents != 0) && !relay_move(c->b, c->a, drop)) {
			break;
		}
	}
	(void) shutdown(c->a, SHUT_RDWR);
	(void) shutdown(c->b, SHUT_RDWR);
	return (NULL);
}

static int
relay_dial(uint16_t port)
{
	struct sockaddr_in sin;
	int                fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family      = AF_INET;
	sin.sin_port        = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd < 0) ||
	    (connect(fd, (struct sockaddr *) &sin, sizeof(sin)) != 0)) {
		if (fd >= 0) {
			(void) close(fd);
		}
		return (-1);
	}
	return (fd);
}

static void *
relay_main(void *arg)
{
	relay *r = arg;

	while (!atomic_load(&r->stop)) {
		struct pollfd pfd = { .fd = r->lfd, .events = POLLIN };
		int           a;
		int           b;
		int           i;

		if (poll(&pfd, 1, 50) <= 0) {
			continue;
		}
		if ((a = accept(r->lfd, NULL, NULL)) < 0) {
			continue;
		}
		if ((b = relay_dial(r->to_port)) < 0) {
			(void) close(a);
			continue;
		}
		pthread_mutex_lock(&r->lk);
		for (i = 0; (i < RELAY_CONNS) && r->conns[i].used; i++) {
		}
		if (i == RELAY_CONNS) {
			pthread_mutex_unlock(&r->lk);
			(void) close(a);
			(void) close(b);
			continue;
		}
		r->conns[i] = (struct relay_conn) { .r = r, .a = a, .b = b,
			.gen = atomic_load(&r->gen), .used = true };
		if (pthread_create(&r->conns[i].thr, NULL, relay_conn_main,
		        &r->conns[i]) != 0) {
			r->conns[i].used = false;
			(void) close(a);
			(void) close(b);
		}
		pthread_mutex_unlock(&r->lk);
	}
	return (NULL);
}

relay *
relay_start(const char *to, char *url, size_t cap)
{
	relay *            r = calloc(1, sizeof(*r));
	struct sockaddr_in sin;
	socklen_t          len = sizeof(sin);
	const char *       colon = strrchr(to, ':');

	assert_non_null(r);
	assert_non_null(colon);
	r->to_port = (uint16_t) atoi(colon + 1);
	pthread_mutex_init(&r->lk, NULL);
	assert_true((r->lfd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family      = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(r->lfd, (struct sockaddr *) &sin, sizeof(sin)), 0);
	assert_int_equal(listen(r->lfd, 16), 0);
	assert_int_equal(
	    getsockname(r->lfd, (struct sockaddr *) &sin, &len), 0);
	(void) snprintf(url, cap, "mpc+tcp://127.0.0.1:%u",
	    (unsigned) ntohs(sin.sin_port));
	assert_int_equal(pthread_create(&r->thr, NULL, relay_main, r), 0);
	return (r);
}

void
relay_blackhole(relay *r)
{
	atomic_fetch_add(&r->gen, 1);
}

void
relay_stop(relay *r)
{
	atomic_store(&r->stop, true);
	(void) pthread_join(r->thr, NULL);
	for (int i = 0; i < RELAY_CONNS; i++) {
		if (r->conns[i].used) {
			(void) pthread_join(r->conns[i].thr, NULL);
			(void) close(r->conns[i].a);
			(void) close(r->conns[i].b);
		}
	}
	(void) close(r->lfd);
	pthread_mutex_destroy(&r->lk);
	free(r);
}
