/*
 * tcp_relay.c -- see tcp_relay.h (threading rule there).  Failures the
 * caller cannot act on (a socket option, joining a thread that exists)
 * are ignored; everything else comes back as an errno value.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tcp_relay.h"

#define RELAY_BUF 65536 /* per direction */
#define RELAY_TICK 10   /* ms: how soon a command takes effect */

enum { UP = 0, DOWN = 1 }; /* towards the target, towards the client */

struct relay_conn {
	struct tcp_relay *r;
	pthread_t     thr;
	int           fd[2]; /* [UP] the client's, [DOWN] the target's */
	bool          kill;  /* relay_reset / relay_stop asked */
	bool          done;  /* the thread is finished with r */
	bool          cut_set;
	size_t        cut_new;
	size_t        len[2]; /* buffered, per direction */
	size_t        off[2];
	uint8_t       buf[2][RELAY_BUF];
};

struct tcp_relay {
	int                lfd;
	pthread_t          acc;
	pthread_mutex_t    mtx;
	pthread_cond_t     cv;
	bool               stopping;
	bool               blackhole;
	int                delay_ms;
	size_t             cut; /* for new connections; 0: none */
	struct sockaddr_in target;
	struct relay_conn *conns[TCP_RELAY_CONNS_MAX];
	struct tcp_relay_stats st;
};

static void
relay_nonblock(int fd)
{
	int one = 1;

	/* Cannot fail on a socket we own: its flags are valid. */
	(void) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	(void) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* Close that sends a RST instead of a FIN (RFC 9293 3.10.7.1). */
static void
relay_abort_fd(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	(void) setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	(void) close(fd);
}

/* Joins and frees finished connections.  Locked. */
static void
relay_reap(struct tcp_relay *r)
{
	for (int i = 0; i < TCP_RELAY_CONNS_MAX; i++) {
		struct relay_conn *c = r->conns[i];

		if (c != NULL && c->done) {
			(void) pthread_join(c->thr, NULL);
			free(c);
			r->conns[i] = NULL;
		}
	}
}

/* Each direction's poll interest: read when its buffer is empty, write
 * while it holds bytes. */
static void
relay_events(struct relay_conn *c, struct pollfd *pfd)
{
	pfd[0] = (struct pollfd) { .fd = c->fd[UP] };
	pfd[1] = (struct pollfd) { .fd = c->fd[DOWN] };
	for (int d = UP; d <= DOWN; d++) {
		if (c->len[d] == 0) {
			pfd[d].events |= POLLIN; /* read side of d */
		} else {
			pfd[!d].events |= POLLOUT; /* write side of d */
		}
	}
}

/* Reads into direction d's buffer (at most limit bytes).  Returns false
 * when the peer closed or failed: *reset says whether it reset. */
static bool
relay_read(struct relay_conn *c, int d, size_t limit, bool *reset)
{
	ssize_t n;
	size_t  want = limit < RELAY_BUF ? limit : RELAY_BUF;

	n = read(c->fd[d], c->buf[d], want);
	if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		return (true);
	}
	if (n <= 0) {
		*reset = n < 0;
		return (false);
	}
	c->len[d] = (size_t) n;
	c->off[d] = 0;
	return (true);
}

/* Writes what direction d holds to the other side. */
static bool
relay_write(struct relay_conn *c, int d, bool *reset)
{
	ssize_t n = send(c->fd[!d], c->buf[d] + c->off[d],
	    c->len[d] - c->off[d], MSG_NOSIGNAL);

	if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		return (true);
	}
	if (n < 0) {
		*reset = true;
		return (false);
	}
	c->off[d] += (size_t) n;
	if (c->off[d] == c->len[d]) {
		c->len[d] = 0;
	}
	pthread_mutex_lock(&c->r->mtx);
	if (d == UP) {
		c->r->st.bytes_up += (uint64_t) n;
	} else {
		c->r->st.bytes_down += (uint64_t) n;
	}
	pthread_mutex_unlock(&c->r->mtx);
	return (true);
}

/* The commands for this connection, under the relay's lock: a new cut
 * limit into *left, black hole and delay; true when it must be reset. */
static bool
relay_settings(struct relay_conn *c, size_t *left, bool *bh, int *delay)
{
	struct tcp_relay *r = c->r;
	bool          stop;

	pthread_mutex_lock(&r->mtx);
	if (c->cut_set) {
		*left      = c->cut_new;
		c->cut_set = false;
	}
	stop   = c->kill || r->stopping;
	*bh    = r->blackhole;
	*delay = r->delay_ms;
	pthread_mutex_unlock(&r->mtx);
	return (stop || (*left == 0 && c->len[UP] == 0));
}

static void *
relay_conn_main(void *arg)
{
	struct relay_conn *c     = arg;
	struct tcp_relay      *r     = c->r;
	size_t             left  = SIZE_MAX; /* towards the target */
	bool               reset = false;    /* how to close */
	bool               bh;
	int                delay;

	for (;;) {
		struct pollfd pfd[2];
		bool          ok = true;

		if (relay_settings(c, &left, &bh, &delay)) {
			reset = true;
			break;
		}
		if (bh) {
			/* Not even a peer's RST is read: the sockets just
			 * stay open, unserved. */
			(void) usleep(RELAY_TICK * 1000);
			continue;
		}
		relay_events(c, pfd);
		/* A command given while we waited applies to what woke us. */
		if (poll(pfd, 2, RELAY_TICK) <= 0 ||
		    relay_settings(c, &left, &bh, &delay) || bh) {
			continue;
		}
		for (int d = UP; d <= DOWN && ok; d++) {
			if (c->len[d] == 0 &&
			    (pfd[d].revents & (POLLIN | POLLHUP | POLLERR)) !=
			        0) {
				size_t limit = d == UP ? left : SIZE_MAX;

				ok = relay_read(c, d, limit, &reset);
				if (ok && d == UP) {
					left -= c->len[UP];
				}
				if (ok && c->len[d] > 0 && delay > 0) {
					(void) usleep(
					    (useconds_t) delay * 1000);
				}
			}
			if (ok && c->len[d] > 0) {
				ok = relay_write(c, d, &reset);
			}
		}
		if (!ok) {
			break;
		}
	}
	/* A reset travels on (each side gets a RST); a clean close, a FIN. */
	for (int d = UP; d <= DOWN; d++) {
		if (reset) {
			relay_abort_fd(c->fd[d]);
		} else {
			(void) close(c->fd[d]);
		}
	}
	pthread_mutex_lock(&r->mtx);
	r->st.open--;
	if (reset) {
		r->st.resets++;
	}
	c->done = true;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mtx);
	return (NULL);
}

/* Connects to the target and starts the connection's thread.  Locked. */
static void
relay_admit(struct tcp_relay *r, int fd)
{
	struct relay_conn *c;
	int                slot = -1;
	int                tfd;

	relay_reap(r);
	for (int i = 0; i < TCP_RELAY_CONNS_MAX && slot < 0; i++) {
		slot = r->conns[i] == NULL ? i : -1;
	}
	tfd = slot < 0 ? -1 : socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (tfd >= 0 &&
	    connect(tfd, (struct sockaddr *) &r->target, sizeof(r->target)) !=
	        0) {
		(void) close(tfd);
		tfd = -1;
	}
	if ((tfd >= 0) && ((c = calloc(1, sizeof(*c))) == NULL)) {
		(void) close(tfd);
		tfd = -1;
	}
	if (tfd < 0) {
		relay_abort_fd(fd);
		r->st.refused++;
		return;
	}
	c->r        = r;
	c->fd[UP]   = fd;
	c->fd[DOWN] = tfd;
	c->cut_set  = r->cut > 0;
	c->cut_new  = r->cut;
	relay_nonblock(fd);
	relay_nonblock(tfd);
	if (pthread_create(&c->thr, NULL, relay_conn_main, c) != 0) {
		relay_abort_fd(fd);
		relay_abort_fd(tfd);
		free(c);
		r->st.refused++;
		return;
	}
	r->conns[slot] = c;
	r->st.accepted++;
	r->st.open++;
}

static void *
relay_accept_main(void *arg)
{
	struct tcp_relay *r = arg;

	for (;;) {
		struct pollfd pfd = { .fd = r->lfd, .events = POLLIN };
		int           fd;
		bool          stop;

		(void) poll(&pfd, 1, RELAY_TICK * 5);
		pthread_mutex_lock(&r->mtx);
		stop = r->stopping;
		pthread_mutex_unlock(&r->mtx);
		if (stop) {
			return (NULL);
		}
		if ((fd = accept4(r->lfd, NULL, NULL, SOCK_CLOEXEC)) < 0) {
			continue;
		}
		pthread_mutex_lock(&r->mtx);
		relay_admit(r, fd);
		pthread_mutex_unlock(&r->mtx);
	}
}

int
tcp_relay_start(const char *host, uint16_t port, uint16_t *portp,
    struct tcp_relay **rp)
{
	struct tcp_relay  *r;
	struct sockaddr_in sa  = { .sin_family = AF_INET };
	socklen_t          len = sizeof(sa);
	int                rv  = 0;

	*rp = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		return (ENOMEM);
	}
	r->lfd               = -1;
	r->target.sin_family = AF_INET;
	r->target.sin_port   = htons(port);
	sa.sin_addr.s_addr   = htonl(INADDR_LOOPBACK);
	if (inet_pton(AF_INET, host, &r->target.sin_addr) != 1) {
		free(r);
		return (EINVAL);
	}
	if ((rv = pthread_mutex_init(&r->mtx, NULL)) != 0) {
		free(r);
		return (rv);
	}
	if ((rv = pthread_cond_init(&r->cv, NULL)) != 0) {
		pthread_mutex_destroy(&r->mtx);
		free(r);
		return (rv);
	}
	if (((r->lfd = socket(AF_INET,
	          SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0) ||
	    (bind(r->lfd, (struct sockaddr *) &sa, sizeof(sa)) != 0) ||
	    (listen(r->lfd, 64) != 0) ||
	    (getsockname(r->lfd, (struct sockaddr *) &sa, &len) != 0)) {
		rv = errno;
		goto out;
	}
	*portp = ntohs(sa.sin_port);
	if ((rv = pthread_create(&r->acc, NULL, relay_accept_main, r)) == 0) {
		*rp = r;
		return (0);
	}
out:
	if (r->lfd >= 0) {
		(void) close(r->lfd);
	}
	pthread_cond_destroy(&r->cv);
	pthread_mutex_destroy(&r->mtx);
	free(r);
	return (rv);
}

/* Kills every open connection and waits until each is closed. */
static void
relay_kill_all(struct tcp_relay *r)
{
	pthread_mutex_lock(&r->mtx);
	for (int i = 0; i < TCP_RELAY_CONNS_MAX; i++) {
		if (r->conns[i] != NULL) {
			r->conns[i]->kill = true;
		}
	}
	for (;;) {
		bool open = false;

		for (int i = 0; i < TCP_RELAY_CONNS_MAX; i++) {
			open = open ||
			    (r->conns[i] != NULL && r->conns[i]->kill &&
			        !r->conns[i]->done);
		}
		if (!open) {
			break;
		}
		pthread_cond_wait(&r->cv, &r->mtx);
	}
	relay_reap(r);
	pthread_mutex_unlock(&r->mtx);
}

void
tcp_relay_reset(struct tcp_relay *r)
{
	relay_kill_all(r);
}

void
tcp_relay_blackhole(struct tcp_relay *r, bool on)
{
	pthread_mutex_lock(&r->mtx);
	r->blackhole = on;
	pthread_mutex_unlock(&r->mtx);
}

void
tcp_relay_delay(struct tcp_relay *r, int ms)
{
	pthread_mutex_lock(&r->mtx);
	r->delay_ms = ms < 0 ? 0 : ms;
	pthread_mutex_unlock(&r->mtx);
}

void
tcp_relay_cut(struct tcp_relay *r, size_t n)
{
	pthread_mutex_lock(&r->mtx);
	r->cut = n;
	for (int i = 0; i < TCP_RELAY_CONNS_MAX; i++) {
		if (r->conns[i] != NULL) {
			/* 0: a cut not reached yet is called off. */
			r->conns[i]->cut_set = true;
			r->conns[i]->cut_new = n > 0 ? n : SIZE_MAX;
		}
	}
	pthread_mutex_unlock(&r->mtx);
}

void
tcp_relay_stats(struct tcp_relay *r, struct tcp_relay_stats *st)
{
	pthread_mutex_lock(&r->mtx);
	*st = r->st;
	pthread_mutex_unlock(&r->mtx);
}

void
tcp_relay_stop(struct tcp_relay *r)
{
	if (r == NULL) {
		return;
	}
	pthread_mutex_lock(&r->mtx);
	r->stopping = true;
	pthread_mutex_unlock(&r->mtx);
	(void) pthread_join(r->acc, NULL);
	relay_kill_all(r);
	(void) close(r->lfd);
	pthread_cond_destroy(&r->cv);
	pthread_mutex_destroy(&r->mtx);
	free(r);
}
