/*
 * bench_filter: the pipe filter under attack, side by side with the same
 * run without it (mpc+tcp:// over loopback, one process).
 *
 *   fairness  A receiver (pair1 polyamorous: one queue for every peer)
 *             listens; party 2 sends 64-byte messages as fast as it can,
 *             party 3 one every 10 ms carrying its send time.  Rows: no
 *             flood; flood with no limit; flood with mpc:rate-msgs 1000;
 *             the same with a receiver that works 200 us per message.
 *             Printed: the quiet party's latency p50/p99 and what arrived
 *             of each party (nothing may be lost: pair1 senders block).
 *   flood     A listener with its default admission limits; from
 *             127.0.0.2, raw sockets open connections as fast as they
 *             can, half kept open idle, half sent garbage and closed,
 *             while the real party (127.0.0.1) connects and disconnects
 *             20 times.  Rows: no flood; flood with the defaults; flood
 *             with the per-source limits off.  Printed: the real party's
 *             handshake time p50/p99, the refusals, the listener's RSS.
 *
 *   limiter   What the receive limit adds per delivered frame on the data
 *             path (the ready check and the charge), ns, with no limit
 *             and with limits far above the rate: the part of the
 *             `nngmpc bench` overhead row that its noise cannot resolve.
 *
 * Usage: bench_filter [fairness|flood|limiter] [seconds]  (default: all,
 * 3 s).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <nng/nng.h>
#include <nng/protocol/pair1/pair.h>
#include <nng/supplemental/util/platform.h>

#include "nng_mpc.h"

#include "mpc_tran_limit.h"

static const uint8_t sid[NNG_MPC_SESSION_ID_SIZE] = "bench-filter-sid";
static const uint8_t key[NNG_MPC_SESSION_KEY_SIZE] =
    "bench-filter-session-key-32bytes";

static double bench_secs = 3.0;

static uint64_t
now_ns(void)
{
	struct timespec ts;

	(void) clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec);
}

static void
check(int rv, const char *what)
{
	if (rv != 0) {
		fprintf(stderr, "bench_filter: %s: %s\n", what,
		    nng_mpc_strerror(rv));
		exit(1);
	}
}

static void
mpc_setup(nng_socket s, int party)
{
	check(nng_mpc_socket_set(s, NNG_OPT_MPC_PARTY_ID, &party,
	          sizeof(party)),
	    "party");
	check(nng_mpc_socket_set(s, NNG_OPT_MPC_SESSION_ID, sid, sizeof(sid)),
	    "session id");
	check(nng_mpc_socket_set(
	          s, NNG_OPT_MPC_SESSION_KEY, key, sizeof(key)),
	    "session key");
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *) a;
	uint64_t y = *(const uint64_t *) b;
	return (x < y ? -1 : x > y);
}

static double
pct_ms(uint64_t *v, size_t n, double p)
{
	if (n == 0) {
		return (0);
	}
	qsort(v, n, sizeof(*v), cmp_u64);
	return ((double) v[(size_t) ((double) (n - 1) * p)] / 1e6);
}

/* ---------------------------------------------------------------------- *
 * Fairness
 * ---------------------------------------------------------------------- */

#define QUIET_MAX 4096

struct fair {
	uint64_t    work_ns; /* the receiver's work per message */
	nng_socket  rx;
	nng_socket  flood;
	nng_socket  quiet;
	atomic_bool stop;
	bool        flooding;
	uint64_t    flood_sent;
	uint64_t    quiet_sent;
	uint64_t    flood_got;
	uint64_t    quiet_got;
	uint64_t    lat[QUIET_MAX];
	uint64_t    first_flood_ns;
	uint64_t    last_flood_ns;
};

static void *
fair_flooder(void *arg)
{
	struct fair *f = arg;
	uint8_t      buf[64];

	memset(buf, 'F', sizeof(buf));
	while (!atomic_load(&f->stop)) {
		if (nng_send(f->flood, buf, sizeof(buf), 0) == 0) {
			f->flood_sent++;
		}
	}
	return (NULL);
}

static void *
fair_quiet(void *arg)
{
	struct fair *f = arg;
	uint8_t      buf[64];

	memset(buf, 'Q', sizeof(buf));
	while (!atomic_load(&f->stop) && (f->quiet_sent < QUIET_MAX)) {
		uint64_t t = now_ns();
		memcpy(buf + 8, &t, sizeof(t));
		if (nng_send(f->quiet, buf, sizeof(buf), 0) == 0) {
			f->quiet_sent++;
		}
		nng_msleep(10);
	}
	return (NULL);
}

static void *
fair_receiver(void *arg)
{
	struct fair *f = arg;

	for (;;) {
		nng_msg *m;
		uint64_t t;
		int      rv = nng_recvmsg(f->rx, &m, 0);
		if (rv == NNG_ETIMEDOUT) {
			if (atomic_load(&f->stop)) {
				break;
			}
			continue;
		}
		if (rv != 0) {
			break;
		}
		/* What an MPC node does with a message (verify, compute):
		 * simulated as busy time. */
		for (uint64_t t0 = now_ns(); now_ns() - t0 < f->work_ns;) {
		}
		if (((uint8_t *) nng_msg_body(m))[0] == 'Q') {
			memcpy(&t, (uint8_t *) nng_msg_body(m) + 8, sizeof(t));
			if (f->quiet_got < QUIET_MAX) {
				f->lat[f->quiet_got] = now_ns() - t;
			}
			f->quiet_got++;
		} else {
			if (f->flood_got == 0) {
				f->first_flood_ns = now_ns();
			}
			f->last_flood_ns = now_ns();
			f->flood_got++;
		}
		nng_msg_free(m);
	}
	return (NULL);
}

static void
fair_row(const char *name, bool flood, uint64_t rate, uint64_t work_us)
{
	struct fair *f = calloc(1, sizeof(*f));
	nng_listener l;
	pthread_t    tf, tq, tr;
	char         url[64];
	int          port;
	double       secs;

	check(nng_pair1_open_poly(&f->rx), "pair1 poly");
	mpc_setup(f->rx, 1);
	check(nng_mpc_socket_set(f->rx, NNG_OPT_MPC_RATE_MSGS, &rate,
	          sizeof(rate)),
	    "rate");
	check(nng_socket_set_ms(f->rx, NNG_OPT_RECVTIMEO, 200), "recvtimeo");
	check(nng_listen(f->rx, "mpc+tcp://127.0.0.1:0", &l, 0), "listen");
	check(nng_listener_get_int(l, NNG_OPT_TCP_BOUND_PORT, &port), "port");
	(void) snprintf(url, sizeof(url), "mpc+tcp://127.0.0.1:%d", port);
	check(nng_pair1_open(&f->flood), "pair1");
	check(nng_pair1_open(&f->quiet), "pair1");
	mpc_setup(f->flood, 2);
	mpc_setup(f->quiet, 3);
	check(nng_dial(f->flood, url, NULL, 0), "dial flooder");
	check(nng_dial(f->quiet, url, NULL, 0), "dial quiet");
	check(nng_socket_set_ms(f->flood, NNG_OPT_SENDTIMEO, 200), "sndtimeo");
	f->flooding = flood;
	f->work_ns  = work_us * 1000;
	pthread_create(&tr, NULL, fair_receiver, f);
	if (flood) {
		pthread_create(&tf, NULL, fair_flooder, f);
	}
	pthread_create(&tq, NULL, fair_quiet, f);
	nng_msleep((nng_duration) (bench_secs * 1000));
	atomic_store(&f->stop, true);
	pthread_join(tq, NULL);
	if (flood) {
		pthread_join(tf, NULL);
	}
	/* Let what was sent arrive: nothing may be lost (limited runs
	 * deliver the flooder's backlog at its rate: cap the wait). */
	for (int i = 0; i < 100 && (f->quiet_got < f->quiet_sent); i++) {
		nng_msleep(50);
	}
	nng_close(f->flood);
	nng_close(f->quiet);
	pthread_join(tr, NULL);
	nng_close(f->rx);
	secs = f->flood_got > 1
	    ? (double) (f->last_flood_ns - f->first_flood_ns) / 1e9
	    : 0;
	printf("%-24s %8.2f %8.2f %7llu/%-7llu %9llu/%-9llu %9.0f\n", name,
	    pct_ms(f->lat, f->quiet_got < QUIET_MAX ? f->quiet_got : QUIET_MAX,
	        0.5),
	    pct_ms(f->lat, f->quiet_got < QUIET_MAX ? f->quiet_got : QUIET_MAX,
	        0.99),
	    (unsigned long long) f->quiet_got,
	    (unsigned long long) f->quiet_sent,
	    (unsigned long long) f->flood_got,
	    (unsigned long long) f->flood_sent,
	    secs > 0 ? (double) f->flood_got / secs : 0.0);
	free(f);
}

static void
bench_fairness(void)
{
	printf("fairness: mpc+tcp, 64 B messages, quiet party every 10 ms, "
	       "%.1f s per row\n",
	    bench_secs);
	printf("%-24s %8s %8s %15s %19s %9s\n", "row", "p50 ms", "p99 ms",
	    "quiet got/sent", "flood got/sent", "flood/s");
	fair_row("no flood", false, 0, 0);
	fair_row("flood, no limit", true, 0, 0);
	fair_row("flood, rate-msgs 1000", true, 1000, 0);
	fair_row("slow rx: no flood", false, 0, 200);
	fair_row("slow rx: flood, no limit", true, 0, 200);
	fair_row("slow rx: rate-msgs 1000", true, 1000, 200);
	printf("(slow rx: the receiver works 200 us per message, as a node "
	       "verifying it would: at most 5000 msg/s;\n flood/s: delivered "
	       "over the time flood arrived, the first second's burst of 1000 "
	       "included;\n got < sent: the flooder's backlog still in TCP "
	       "buffers when the row ended)\n");
}

/* ---------------------------------------------------------------------- *
 * Connection flood
 * ---------------------------------------------------------------------- */

#define IDLE_MAX 2000

struct flood {
	uint16_t    port;
	bool        keep_idle; /* every other connection stays open */
	atomic_bool stop;
	uint64_t    made;
	int         idle[IDLE_MAX];
	int         nidle;
};

static void *
flood_main(void *arg)
{
	struct flood *      fl = arg;
	struct sockaddr_in  src, dst;
	static const char   junk[64] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

	memset(&src, 0, sizeof(src));
	src.sin_family = AF_INET;
	inet_pton(AF_INET, "127.0.0.2", &src.sin_addr);
	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	dst.sin_port   = htons(fl->port);
	inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
	while (!atomic_load(&fl->stop)) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0) {
			break;
		}
		if ((bind(fd, (struct sockaddr *) &src, sizeof(src)) != 0) ||
		    (connect(fd, (struct sockaddr *) &dst, sizeof(dst)) != 0)) {
			close(fd);
			continue;
		}
		fl->made++;
		if (fl->keep_idle && ((fl->made & 1) == 0) &&
		    (fl->nidle < IDLE_MAX)) {
			fl->idle[fl->nidle++] = fd; /* idle, kept open */
		} else {
			(void) write(fd, junk, sizeof(junk)); /* garbage */
			close(fd);
		}
	}
	return (NULL);
}

static long
rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char  line[256];
	long  v = -1;

	while ((f != NULL) && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "VmRSS:", 6) == 0) {
			v = atol(line + 6);
		}
	}
	if (f != NULL) {
		fclose(f);
	}
	return (v);
}

static uint64_t
lctr(nng_listener l, const char *name)
{
	uint64_t v = 0;
	(void) nng_listener_get_uint64(l, name, &v);
	return (v);
}

#define REAL_DIALS 20

static void
flood_row(const char *name, bool flood, bool idle, bool limits)
{
	struct flood *fl = calloc(1, sizeof(*fl));
	nng_socket    srv;
	nng_listener  l;
	pthread_t     t;
	uint64_t      hs[REAL_DIALS];
	int           port;
	int           n = 0;
	char          url[64];
	long          rss0;

	check(nng_pair1_open_poly(&srv), "pair1 poly");
	mpc_setup(srv, 1);
	if (!limits) {
		int zero = 0, big = 65535;
		check(nng_mpc_socket_set(srv, NNG_OPT_MPC_CONN_RATE, &zero,
		          sizeof(zero)),
		    "conn-rate");
		check(nng_mpc_socket_set(srv,
		          NNG_OPT_MPC_MAX_NEGOTIATING_PER_SOURCE, &big,
		          sizeof(big)),
		    "per source");
		check(nng_mpc_socket_set(srv, NNG_OPT_MPC_MAX_NEGOTIATING,
		          &big, sizeof(big)),
		    "negotiating");
	}
	check(nng_listen(srv, "mpc+tcp://127.0.0.1:0", &l, 0), "listen");
	check(nng_listener_get_int(l, NNG_OPT_TCP_BOUND_PORT, &port), "port");
	(void) snprintf(url, sizeof(url), "mpc+tcp://127.0.0.1:%d", port);
	rss0     = rss_kib();
	fl->port      = (uint16_t) port;
	fl->keep_idle = idle;
	if (flood) {
		pthread_create(&t, NULL, flood_main, fl);
		nng_msleep(300); /* the flood is on before the party comes */
	}
	for (int i = 0; i < REAL_DIALS; i++) {
		nng_socket c;
		uint64_t   t0;
		check(nng_pair1_open(&c), "pair1");
		mpc_setup(c, 2);
		t0 = now_ns();
		if (nng_dial(c, url, NULL, 0) == 0) {
			hs[n++] = now_ns() - t0;
		}
		nng_close(c);
		nng_msleep((nng_duration) (bench_secs * 1000 / REAL_DIALS));
	}
	printf("%-30s %8.2f %8.2f %5d/%-3d %9llu %8llu %8llu %8llu %8ld\n",
	    name, pct_ms(hs, (size_t) n, 0.5), pct_ms(hs, (size_t) n, 0.99), n,
	    REAL_DIALS, (unsigned long long) fl->made,
	    (unsigned long long) lctr(l, NNG_OPT_MPC_REJ_RATE),
	    (unsigned long long) lctr(l, NNG_OPT_MPC_REJ_SOURCE),
	    (unsigned long long) lctr(l, NNG_OPT_MPC_REJ_TIMEOUT) +
	        lctr(l, NNG_OPT_MPC_REJ_OTHER) + lctr(l, NNG_OPT_MPC_REJ_HELLO),
	    rss_kib() - rss0);
	atomic_store(&fl->stop, true);
	if (flood) {
		pthread_join(t, NULL);
	}
	for (int i = 0; i < fl->nidle; i++) {
		close(fl->idle[i]);
	}
	nng_close(srv);
	free(fl);
}

static void
bench_flood(void)
{
	printf("\nconnection flood: mpc+tcp listener, flood from 127.0.0.2 "
	       "(half idle, half garbage), real party from 127.0.0.1, "
	       "%d dials in %.1f s\n",
	    REAL_DIALS, bench_secs);
	printf("%-30s %8s %8s %9s %9s %8s %8s %8s %8s\n", "row", "hs p50",
	    "hs p99", "ok/dials", "flood con", "rej-rate", "rej-src",
	    "failed", "dRSS KiB");
	flood_row("no flood", false, false, true);
	flood_row("idle+garbage, default limits", true, true, true);
	flood_row("idle+garbage, limits off", true, true, false);
	flood_row("garbage, default limits", true, false, true);
	flood_row("garbage, limits off", true, false, false);
}

/* ---------------------------------------------------------------------- *
 * The limiter's data-path cost
 * ---------------------------------------------------------------------- */

#define LIM_ITERS 100000000u

static double
lim_ns_per_frame(const mpc_tran_rate_cfg *cfg)
{
	mpc_tran_rate     r;
	volatile uint64_t delivered = 0;
	uint64_t          t0;

	mpc_tran_rate_init(&r, cfg, now_ns());
	t0 = now_ns();
	for (uint32_t i = 0; i < LIM_ITERS; i++) {
		/* What mpc_tran_recv.c does per frame while tokens last. */
		if (mpc_tran_rate_ready(&r)) {
			delivered++;
			if (r.on) {
				mpc_tran_rate_charge(&r, 64);
			}
		}
	}
	return ((double) (now_ns() - t0) / LIM_ITERS);
}

static void
bench_limiter(void)
{
	mpc_tran_rate_cfg off  = { .burst_ms = 1000 };
	mpc_tran_rate_cfg high = { .msgs = 1000000000000ull,
		.bytes = 1000000000000000ull, .burst_ms = 1000 };
	double a = lim_ns_per_frame(&off);
	double b = lim_ns_per_frame(&high);

	printf("\nlimiter on the data path (%u frames, this thread):\n",
	    LIM_ITERS);
	printf("  no limit set:             %.2f ns per frame\n", a);
	printf("  limits far above the rate: %.2f ns per frame\n", b);
	printf("  difference: %.2f ns = %.3f %% of the 64 B path's ~7 us of "
	       "CPU per message (nngmpc bench)\n",
	    b - a, (b - a) / 7000.0 * 100.0);
}

int
main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "both";

	if (argc > 2) {
		bench_secs = atof(argv[2]);
	}
	check(nng_mpc_register(), "register");
	if ((strcmp(what, "fairness") == 0) || (strcmp(what, "both") == 0)) {
		bench_fairness();
	}
	if ((strcmp(what, "flood") == 0) || (strcmp(what, "both") == 0)) {
		bench_flood();
	}
	if ((strcmp(what, "limiter") == 0) || (strcmp(what, "both") == 0)) {
		bench_limiter();
	}
	return (0);
}
