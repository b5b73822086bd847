/*
 * nngmpc-bench-peer: one side of one `nngmpc bench` measurement.  It is a
 * separate program, not an nngmpc subcommand, because it links ONLY NNG's
 * public API (libnng.so.1): the same binary runs on the project's libnng
 * and, with LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu, on Debian's stock
 * libnng (Mbed TLS engine) -- the baseline a user would otherwise pick.
 * For mpc+* URLs, and for tls+tcp:// on the wolfSSL engine, it dlopen()s
 * libnngmpc.so (--module), whose constructor registers the engine and the
 * transport; MPC options are then set by their string names through
 * nng_dialer_set*() / nng_listener_set*() (nng_mpc.h is included for the
 * option names and sizes only; no nng_mpc_* function is called).
 *
 *   nngmpc-bench-peer server|client --url URL --mode tput|rtt --size N
 *       --seconds S [--module SO] [--ca PEM --certkey PEM]
 *       [--party ID --session FILE] [--rate-msgs N] [--rate-bytes N]
 *       [--reliable] [--cpu N]
 *
 * Server: listens on URL (port 0 allowed), prints "ready <port>", then
 * counts (tput) or echoes (rtt) messages of exactly N bytes until a 1-byte
 * end marker arrives, answers it with a 1-byte message and waits for the
 * client to hang up (closing earlier could discard that answer).
 * Client: dials URL; tput sends N-byte messages as fast as pair1 accepts
 * them (nng_send blocks under backpressure, nothing is dropped) for S
 * seconds; rtt sends one, waits for the echo, records the round trip, for
 * S seconds.  Then the end marker, and the server's answer.
 *
 * Both print one line at the end (stdout):
 *   result ok role=R msgs=M bytes=B ns=T rss_kb=K cpu_us=C csw=W lib=PATH
 *       engine=E tls=V
 *       [sent=N] [p50_ns=X p99_ns=Y samples=Z]
 *   result fail <reason>
 * msgs/bytes/ns: the server's count and the time from the first message to
 * the end marker; sent: what the client's nng_send accepted (the two must
 * match); rss_kb: getrusage() ru_maxrss of this process; cpu_us: its user
 * + system CPU time (all threads, whole life); csw: its context switches
 * (getrusage ru_nvcsw + ru_nivcsw, all threads, whole life: each is a
 * thread that stopped to wait for another, or was preempted); lib: the libnng
 * actually loaded (dladdr); engine: the TLS engine's description (last:
 * it may hold spaces); tls: the version an mpc+tls+tcp pipe negotiated.  Exit status 0 on "result ok", else 1.
 *
 * --cpu N runs the process on that CPU only, set before NNG starts its
 * threads, which inherit it (`nngmpc bench --pin`).
 *
 * Threading: the main thread does all the work; NNG's pipe callback only
 * sets a flag under a mutex.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <nng/nng.h>
#include <nng/protocol/pair1/pair.h>
#include <nng/supplemental/tls/tls.h>
#include <nng_mpc.h>

#define PEER_TIMEOUT_MS    15000   /* any single send/recv; a stall fails */
#define PEER_HANGUP_MS     5000    /* server waits this long for hang-up */
#define PEER_RTT_WARMUP    100     /* round trips not recorded */
#define PEER_RTT_MAX       4000000 /* samples kept (16 MB of uint32) */
#define PEER_SIZE_MAX      (1u << 20)
#define PEER_BUFS_MAX      8192    /* NNG's own limit for pair1 */
#define PEER_END_MARKER    1       /* length of the end marker message */
#define PEER_SERVER_PARTY  1
#define PEER_CLIENT_PARTY  2

struct peer {
	bool        server;
	bool        rtt;
	const char *url;
	size_t      size;
	double      seconds;
	const char *module;
	const char *ca;
	const char *certkey;
	uint32_t    party;
	const char *session;
	int         bufs; /* NNG_OPT_SENDBUF/RECVBUF in messages; 0: NNG's */
	int         cpu;  /* --cpu: the one CPU to run on; -1: any */
	uint64_t    rate_msgs;  /* NNG_OPT_MPC_RATE_MSGS; 0: not set */
	uint64_t    rate_bytes; /* NNG_OPT_MPC_RATE_BYTES; 0: not set */
	bool        reliable;   /* NNG_OPT_MPC_RELIABLE */
	/* results */
	uint64_t msgs, bytes, ns, sent;
	uint64_t p50_ns, p99_ns, samples;
	char     tls[48];
	/* set by the pipe callback */
	pthread_mutex_t mtx;
	pthread_cond_t  cv;
	int             pipes;
	bool            hung_up;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec);
}

static void
peer_secure_zero(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n-- > 0) {
		*v++ = 0;
	}
}

static int
peer_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static uint64_t
peer_tv_us(const struct timeval *tv)
{
	return ((uint64_t) tv->tv_sec * 1000000u + (uint64_t) tv->tv_usec);
}

static int
peer_fail(const char *fmt, ...)
{
	va_list ap;

	printf("result fail ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return (1);
}

static void
peer_pipe_cb(nng_pipe p, nng_pipe_ev ev, void *arg)
{
	struct peer *pr = arg;

	(void) p;
	pthread_mutex_lock(&pr->mtx);
	if (ev == NNG_PIPE_EV_ADD_POST) {
		pr->pipes++;
	} else if (ev == NNG_PIPE_EV_REM_POST) {
		pr->pipes--;
		pr->hung_up = true;
	}
	pthread_cond_broadcast(&pr->cv);
	pthread_mutex_unlock(&pr->mtx);
}

/* The libnng.so.1 this process really uses, for the report. */
static const char *
peer_libnng(void)
{
	static char path[PATH_MAX];
	Dl_info     info;

	if (dladdr((void *) nng_send, &info) == 0 || info.dli_fname == NULL) {
		return ("unknown");
	}
	if (realpath(info.dli_fname, path) == NULL) {
		snprintf(path, sizeof(path), "%s", info.dli_fname);
	}
	return (path);
}

/*
 * Endpoint settings through function pointers, so dialer and listener
 * share one path (NNG 1.5.2 keeps an unknown socket option only once an
 * endpoint accepted it, so MPC options go on the endpoint itself).
 */
struct peer_ep {
	int (*set)(void *, const char *, const void *, size_t);
	int (*set_int)(void *, const char *, int);
	int (*set_string)(void *, const char *, const char *);
	void *ep;
};

static int
d_set(void *e, const char *n, const void *v, size_t sz)
{
	return (nng_dialer_set(*(nng_dialer *) e, n, v, sz));
}
static int
d_set_int(void *e, const char *n, int v)
{
	return (nng_dialer_set_int(*(nng_dialer *) e, n, v));
}
static int
d_set_string(void *e, const char *n, const char *v)
{
	return (nng_dialer_set_string(*(nng_dialer *) e, n, v));
}
static int
l_set(void *e, const char *n, const void *v, size_t sz)
{
	return (nng_listener_set(*(nng_listener *) e, n, v, sz));
}
static int
l_set_int(void *e, const char *n, int v)
{
	return (nng_listener_set_int(*(nng_listener *) e, n, v));
}
static int
l_set_string(void *e, const char *n, const char *v)
{
	return (nng_listener_set_string(*(nng_listener *) e, n, v));
}

/* MPC party/session (the session file holds session ID then key) and TLS
 * settings; *what names the option that failed. */
static int
peer_ep_setup(struct peer *pr, const struct peer_ep *e, const char **what)
{
	uint8_t sess[NNG_MPC_SESSION_ID_SIZE + NNG_MPC_SESSION_KEY_SIZE];
	int     rv = 0;

	if (pr->session != NULL) {
		FILE  *f;
		size_t got = 0;

		*what = pr->session;
		if ((f = fopen(pr->session, "rb")) == NULL) {
			return (NNG_ENOENT);
		}
		got = fread(sess, 1, sizeof(sess), f);
		fclose(f);
		if (got != sizeof(sess)) {
			rv = NNG_EINVAL;
			goto out;
		}
		if ((*what = NNG_OPT_MPC_PARTY_ID,
		        rv = e->set_int(e->ep, NNG_OPT_MPC_PARTY_ID,
		            (int) pr->party)) != 0 ||
		    (*what = NNG_OPT_MPC_SESSION_ID,
		        rv = e->set(e->ep, NNG_OPT_MPC_SESSION_ID, sess,
		            NNG_MPC_SESSION_ID_SIZE)) != 0 ||
		    (*what = NNG_OPT_MPC_SESSION_KEY,
		        rv = e->set(e->ep, NNG_OPT_MPC_SESSION_KEY,
		            sess + NNG_MPC_SESSION_ID_SIZE,
		            NNG_MPC_SESSION_KEY_SIZE)) != 0) {
			goto out;
		}
		if (pr->reliable &&
		    (*what = NNG_OPT_MPC_RELIABLE,
		        rv = e->set(e->ep, NNG_OPT_MPC_RELIABLE, &pr->reliable,
		            sizeof(pr->reliable))) != 0) {
			goto out;
		}
		/* Receive rate limits (both sides receive in rtt mode). */
		if ((pr->rate_msgs != 0) &&
		    (*what = NNG_OPT_MPC_RATE_MSGS,
		        rv = e->set(e->ep, NNG_OPT_MPC_RATE_MSGS,
		            &pr->rate_msgs, sizeof(pr->rate_msgs))) != 0) {
			goto out;
		}
		if ((pr->rate_bytes != 0) &&
		    (*what = NNG_OPT_MPC_RATE_BYTES,
		        rv = e->set(e->ep, NNG_OPT_MPC_RATE_BYTES,
		            &pr->rate_bytes, sizeof(pr->rate_bytes))) != 0) {
			goto out;
		}
	}
	if (pr->ca != NULL) {
		/* Mutual authentication on every TLS row, as mpc+tls+tcp://
		 * does by default, so the rows compare like with like. */
		if ((*what = NNG_OPT_TLS_CA_FILE,
		        rv = e->set_string(e->ep, NNG_OPT_TLS_CA_FILE, pr->ca)) !=
		        0 ||
		    (*what = NNG_OPT_TLS_CERT_KEY_FILE,
		        rv = e->set_string(e->ep, NNG_OPT_TLS_CERT_KEY_FILE,
		            pr->certkey)) != 0 ||
		    (*what = NNG_OPT_TLS_AUTH_MODE,
		        rv = e->set_int(e->ep, NNG_OPT_TLS_AUTH_MODE,
		            NNG_TLS_AUTH_MODE_REQUIRED)) != 0) {
			goto out;
		}
		if (!pr->server) {
			/* The party certificates name DNS:localhost. */
			*what = NNG_OPT_TLS_SERVER_NAME;
			rv    = e->set_string(
                            e->ep, NNG_OPT_TLS_SERVER_NAME, "localhost");
		}
	}
out:
	peer_secure_zero(sess, sizeof(sess));
	return (rv);
}

static int
peer_open(struct peer *pr, nng_socket *sp)
{
	const char *what = "nng_pair1_open";
	int         rv;

	if ((rv = nng_pair1_open(sp)) != 0) {
		return (peer_fail("%s: %s", what, nng_strerror(rv)));
	}
	if ((rv = nng_socket_set_ms(*sp, NNG_OPT_RECVTIMEO, PEER_TIMEOUT_MS)) !=
	        0 ||
	    (rv = nng_socket_set_ms(*sp, NNG_OPT_SENDTIMEO, PEER_TIMEOUT_MS)) !=
	        0 ||
	    (rv = nng_socket_set_size(*sp, NNG_OPT_RECVMAXSZ, PEER_SIZE_MAX +
	              NNG_MPC_FRAME_OVERHEAD)) != 0 ||
	    (pr->bufs > 0 &&
	        ((rv = nng_socket_set_int(*sp, NNG_OPT_SENDBUF, pr->bufs)) !=
	                0 ||
	            (rv = nng_socket_set_int(*sp, NNG_OPT_RECVBUF, pr->bufs)) !=
	                0)) ||
	    (rv = nng_pipe_notify(*sp, NNG_PIPE_EV_ADD_POST, peer_pipe_cb, pr)) !=
	        0 ||
	    (rv = nng_pipe_notify(*sp, NNG_PIPE_EV_REM_POST, peer_pipe_cb, pr)) !=
	        0) {
		return (peer_fail("socket options: %s", nng_strerror(rv)));
	}
	if (pr->server) {
		nng_listener l;
		struct peer_ep e = { l_set, l_set_int, l_set_string, &l };
		int            port = 0;

		what = "nng_listener_create";
		if ((rv = nng_listener_create(&l, *sp, pr->url)) != 0 ||
		    (rv = peer_ep_setup(pr, &e, &what)) != 0 ||
		    (what = "nng_listener_start",
		        rv = nng_listener_start(l, 0)) != 0 ||
		    (what = NNG_OPT_TCP_BOUND_PORT,
		        rv = nng_listener_get_int(
		            l, NNG_OPT_TCP_BOUND_PORT, &port)) != 0) {
			return (peer_fail("listen on %s: %s: %s", pr->url, what,
			    nng_strerror(rv)));
		}
		printf("ready %d\n", port);
		fflush(stdout);
	} else {
		nng_dialer     d;
		struct peer_ep e = { d_set, d_set_int, d_set_string, &d };

		what = "nng_dialer_create";
		if ((rv = nng_dialer_create(&d, *sp, pr->url)) != 0 ||
		    (rv = peer_ep_setup(pr, &e, &what)) != 0 ||
		    (what = "nng_dialer_start",
		        rv = nng_dialer_start(d, 0)) != 0) {
			return (peer_fail("dial %s: %s: %s", pr->url, what,
			    nng_strerror(rv)));
		}
	}
	return (0);
}

/* Negotiated TLS version of an mpc+tls+tcp pipe (the transport reports it);
 * "-" where the transport has no such option. */
static void
peer_note_tls(struct peer *pr, nng_msg *m)
{
	char *v = NULL;

	if (pr->tls[0] != '\0') {
		return;
	}
	if (nng_pipe_get_string(nng_msg_get_pipe(m), NNG_OPT_MPC_TLS_VERSION,
	        &v) == 0 &&
	    v != NULL && v[0] != '\0') {
		snprintf(pr->tls, sizeof(pr->tls), "%s", v);
	} else {
		strcpy(pr->tls, "-");
	}
	nng_strfree(v);
}

static int
peer_serve(struct peer *pr, nng_socket s)
{
	uint64_t t0 = 0;
	nng_msg *m;
	int      rv;

	for (;;) {
		size_t len;

		if ((rv = nng_recvmsg(s, &m, 0)) != 0) {
			return (peer_fail("receive after %" PRIu64
			                  " messages: %s",
			    pr->msgs, nng_strerror(rv)));
		}
		len = nng_msg_len(m);
		if (t0 == 0) {
			t0 = now_ns();
			peer_note_tls(pr, m);
		}
		if (len == PEER_END_MARKER) {
			pr->ns = now_ns() - t0;
			break;
		}
		if (len != pr->size) {
			nng_msg_free(m);
			return (peer_fail("message of %zu bytes, expected %zu",
			    len, pr->size));
		}
		pr->msgs++;
		pr->bytes += len;
		if (!pr->rtt) {
			nng_msg_free(m);
		} else if ((rv = nng_sendmsg(s, m, 0)) != 0) {
			nng_msg_free(m);
			return (peer_fail("echo: %s", nng_strerror(rv)));
		}
	}
	/* Answer the end marker with itself, then wait for the hang-up. */
	if ((rv = nng_sendmsg(s, m, 0)) != 0) {
		nng_msg_free(m);
		return (peer_fail("answer the end marker: %s", nng_strerror(rv)));
	}
	{
		struct timespec dl;

		clock_gettime(CLOCK_REALTIME, &dl);
		dl.tv_sec += PEER_HANGUP_MS / 1000;
		pthread_mutex_lock(&pr->mtx);
		while (!pr->hung_up &&
		    pthread_cond_timedwait(&pr->cv, &pr->mtx, &dl) == 0) {
		}
		pthread_mutex_unlock(&pr->mtx);
	}
	return (0);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
	return ((x > y) - (x < y));
}

static int
peer_drive(struct peer *pr, nng_socket s)
{
	uint64_t  deadline;
	uint8_t  *buf;
	uint32_t *rtt = NULL;
	nng_msg  *m;
	int       rv, ret = 1;
	uint64_t  i;

	if ((buf = malloc(pr->size)) == NULL ||
	    (pr->rtt &&
	        (rtt = malloc(PEER_RTT_MAX * sizeof(*rtt))) == NULL)) {
		free(buf);
		return (peer_fail("out of memory"));
	}
	/* Not the envelope magic (0x89 ...), so mpc+* sends it as is. */
	memset(buf, 'x', pr->size);
	if (pr->rtt) {
		for (i = 0; i < PEER_RTT_WARMUP; i++) {
			if ((rv = nng_send(s, buf, pr->size, 0)) != 0 ||
			    (rv = nng_recvmsg(s, &m, 0)) != 0) {
				ret = peer_fail("warm-up round trip: %s",
				    nng_strerror(rv));
				goto out;
			}
			nng_msg_free(m);
			pr->sent++; /* the server counts these too */
		}
	}
	deadline = now_ns() + (uint64_t) (pr->seconds * 1e9);
	for (i = 0;; i++) {
		uint64_t t = now_ns();

		if (t >= deadline || (pr->rtt && pr->samples == PEER_RTT_MAX)) {
			break;
		}
		if ((rv = nng_send(s, buf, pr->size, 0)) != 0) {
			ret = peer_fail("send after %" PRIu64 " messages: %s",
			    pr->sent, nng_strerror(rv));
			goto out;
		}
		pr->sent++;
		if (!pr->rtt) {
			continue;
		}
		if ((rv = nng_recvmsg(s, &m, 0)) != 0) {
			ret = peer_fail("echo %" PRIu64 ": %s", i,
			    nng_strerror(rv));
			goto out;
		}
		if (nng_msg_len(m) != pr->size) {
			ret = peer_fail("echo of %zu bytes", nng_msg_len(m));
			nng_msg_free(m);
			goto out;
		}
		nng_msg_free(m);
		rtt[pr->samples++] = (uint32_t) (now_ns() - t);
	}
	if ((rv = nng_send(s, "E", PEER_END_MARKER, 0)) != 0 ||
	    (rv = nng_recvmsg(s, &m, 0)) != 0) {
		ret = peer_fail("end marker: %s", nng_strerror(rv));
		goto out;
	}
	nng_msg_free(m);
	if (pr->rtt && pr->samples > 0) {
		qsort(rtt, pr->samples, sizeof(*rtt), cmp_u32);
		pr->p50_ns = rtt[pr->samples / 2];
		pr->p99_ns = rtt[(pr->samples * 99) / 100];
	}
	ret = 0;
out:
	free(buf);
	free(rtt);
	return (ret);
}

static void
peer_usage(FILE *f)
{
	fprintf(f,
	    "Usage: nngmpc-bench-peer server|client --url URL --mode tput|rtt\n"
	    "           --size BYTES --seconds S [--module libnngmpc.so]\n"
	    "           [--ca PEM --certkey PEM] [--party ID --session FILE]\n"
	    "           [--rate-msgs N] [--rate-bytes N] [--reliable]\n"
	    "           [--cpu N]\n"
	    "\n"
	    "One side of an `nngmpc bench` measurement (pair1); run by that\n"
	    "command, which documents the protocol.  Links only NNG's public\n"
	    "API, so it also runs on Debian's stock libnng.\n");
}

static int
peer_parse(struct peer *pr, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "url", required_argument, NULL, 'u' },
		{ "mode", required_argument, NULL, 'm' },
		{ "size", required_argument, NULL, 'n' },
		{ "seconds", required_argument, NULL, 's' },
		{ "module", required_argument, NULL, 'M' },
		{ "ca", required_argument, NULL, 'a' },
		{ "certkey", required_argument, NULL, 'c' },
		{ "party", required_argument, NULL, 'p' },
		{ "session", required_argument, NULL, 'S' },
		{ "bufs", required_argument, NULL, 'b' },
		{ "rate-msgs", required_argument, NULL, 'R' },
		{ "rate-bytes", required_argument, NULL, 'B' },
		{ "reliable", no_argument, NULL, 'L' },
		{ "cpu", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int   c;

	if (argc < 2 || (strcmp(argv[1], "server") != 0 &&
	                    strcmp(argv[1], "client") != 0)) {
		peer_usage(stderr);
		return (2);
	}
	pr->server = strcmp(argv[1], "server") == 0;
	pr->party  = pr->server ? PEER_SERVER_PARTY : PEER_CLIENT_PARTY;
	optind     = 2;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'u':
			pr->url = optarg;
			break;
		case 'm':
			if (strcmp(optarg, "rtt") != 0 &&
			    strcmp(optarg, "tput") != 0) {
				goto bad;
			}
			pr->rtt = strcmp(optarg, "rtt") == 0;
			break;
		case 'n': {
			unsigned long v;

			errno = 0;
			v     = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' ||
			    v <= PEER_END_MARKER || v > PEER_SIZE_MAX) {
				goto bad;
			}
			pr->size = v;
			break;
		}
		case 's':
			pr->seconds = strtod(optarg, &end);
			if (*end != '\0' || !(pr->seconds > 0.0) ||
			    pr->seconds > 3600.0) {
				goto bad;
			}
			break;
		case 'M':
			pr->module = optarg;
			break;
		case 'a':
			pr->ca = optarg;
			break;
		case 'c':
			pr->certkey = optarg;
			break;
		case 'p': {
			unsigned long v;

			errno = 0;
			v     = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || v < 1 ||
			    v > INT32_MAX) {
				goto bad;
			}
			pr->party = (uint32_t) v;
			break;
		}
		case 'S':
			pr->session = optarg;
			break;
		case 'R':
		case 'B': {
			unsigned long long v;

			errno = 0;
			v     = strtoull(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || v == 0) {
				goto bad;
			}
			*(c == 'R' ? &pr->rate_msgs : &pr->rate_bytes) =
			    (uint64_t) v;
			break;
		}
		case 'b': {
			unsigned long v;

			errno = 0;
			v     = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || v > PEER_BUFS_MAX) {
				goto bad;
			}
			pr->bufs = (int) v;
			break;
		}
		case 'L':
			pr->reliable = true;
			break;
		case 'C': {
			unsigned long v;

			errno = 0;
			v     = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || v >= CPU_SETSIZE) {
				goto bad;
			}
			pr->cpu = (int) v;
			break;
		}
		case 'h':
			peer_usage(stdout);
			return (-1);
		default:
			goto bad;
		}
	}
	if (optind == argc && pr->url != NULL && pr->size > 0 &&
	    pr->seconds > 0.0 && (pr->ca == NULL) == (pr->certkey == NULL)) {
		return (0);
	}
bad:
	peer_usage(stderr);
	return (2);
}

int
main(int argc, char **argv)
{
	struct peer   pr = { 0 };
	struct rusage ru;
	nng_socket    s  = NNG_SOCKET_INITIALIZER;
	const char   *engine;
	int           rv;

	pr.cpu = -1;
	if ((rv = peer_parse(&pr, argc, argv)) != 0) {
		return (rv < 0 ? 0 : rv);
	}
	if (pr.cpu >= 0) {
		/* Before NNG starts its threads: they inherit it. */
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(pr.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) != 0) {
			return (peer_fail(
			    "run on CPU %d: %s", pr.cpu, strerror(errno)));
		}
	}
	pthread_mutex_init(&pr.mtx, NULL);
	pthread_cond_init(&pr.cv, NULL);
	if (pr.module != NULL && dlopen(pr.module, RTLD_NOW | RTLD_GLOBAL) ==
	        NULL) {
		return (peer_fail("load %s: %s", pr.module, dlerror()));
	}
	if ((rv = peer_open(&pr, &s)) != 0) {
		goto out;
	}
	rv = pr.server ? peer_serve(&pr, s) : peer_drive(&pr, s);
	if (rv != 0) {
		goto out;
	}
	getrusage(RUSAGE_SELF, &ru);
	engine = nng_tls_engine_description();
	printf("result ok role=%s msgs=%" PRIu64 " bytes=%" PRIu64
	       " ns=%" PRIu64 " sent=%" PRIu64 " p50_ns=%" PRIu64
	       " p99_ns=%" PRIu64 " samples=%" PRIu64
	       " rss_kb=%ld cpu_us=%" PRIu64 " csw=%ld tls=%s lib=%s"
	       " engine=%s\n",
	    pr.server ? "server" : "client", pr.msgs, pr.bytes, pr.ns, pr.sent,
	    pr.p50_ns, pr.p99_ns, pr.samples, ru.ru_maxrss,
	    peer_tv_us(&ru.ru_utime) + peer_tv_us(&ru.ru_stime),
	    ru.ru_nvcsw + ru.ru_nivcsw, pr.tls[0] != '\0' ? pr.tls : "-", peer_libnng(),
	    engine != NULL ? engine : "none");
	fflush(stdout);
out:
	nng_close(s);
	return (rv == 0 ? 0 : 1);
}
