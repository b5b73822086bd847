/*
 * `nngmpc bench`: the side-by-side benchmark.  For every row --
 * NNG tcp://, NNG tls+tcp:// on Debian's stock libnng (Mbed TLS), NNG
 * tls+tcp:// on our wolfSSL engine, mpc+tcp://, mpc+tls+tcp:// (also with
 * an audit log and metrics, rate limits, or delivery streams on) -- it runs
 * pair1 over loopback between two separate processes (nngmpc-bench-peer,
 * bench_peer.c, a server and a client) and measures 64 B messages/s and
 * 64 KiB MB/s (one-way, the client sends as fast as pair1's backpressure
 * lets it, the server counts what arrived and the two counts must match),
 * the 64 B round trip p50/p99 (ping-pong), and each process's peak RSS.
 * Cells run interleaved (run 1 of every row, then run 2, ...) so drift on a
 * shared machine hits every row alike; each cell is the median of its runs.
 * It prints a markdown table, ratios against tcp:// and the stock
 * tls+tcp://, the machine, and the project's performance goals marked
 * pass/short (delivery streams: on against off, same run):
 * measured, never asserted (the exit status says only whether every cell
 * was measured with nothing lost).
 *
 * The peer program is found next to this executable (/proc/self/exe's
 * directory), libnngmpc.so likewise (both live in build/plugin); --peer and
 * --module override.  The stock row runs the same peer binary with
 * LD_LIBRARY_PATH=<--stock-dir> (default /usr/lib/x86_64-linux-gnu), which
 * takes precedence over the binary's RUNPATH; every peer reports the
 * libnng it actually loaded and a row whose peers used the wrong one
 * fails.
 *
 * Threading: single-threaded; the peers are child processes (proc.c)
 * whose stdout comes back through pipes.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <nng/nng.h>
#include <nng_mpc.h>

#include "bench_echo.h"
#include "mpc_audit.h"
#include "nngmpc.h"
#include "proc.h"

#define BENCH_CMD             "bench"
#define BENCH_PEER_NAME       "nngmpc-bench-peer"
#define BENCH_MODULE_NAME     "libnngmpc.so"
#define BENCH_STOCK_DIR       "/usr/lib/x86_64-linux-gnu"
#define BENCH_SECONDS_DEFAULT 2.0
#define BENCH_SECONDS_QUICK   0.5
#define BENCH_SECONDS_MIN     0.01
#define BENCH_SECONDS_MAX     600.0
#define BENCH_RUNS_DEFAULT    3u
#define BENCH_RUNS_MAX        9u
#define BENCH_SLACK_MS        30000 /* per cell beyond --seconds */
#define BENCH_BUFS_DEFAULT    256u  /* NNG_OPT_SENDBUF/RECVBUF, messages */
#define BENCH_BUFS_MAX        8192u /* pair1's own limit */
#define BENCH_SMALL           64u
#define BENCH_LARGE           65536u
#define BENCH_LINE_MAX        (PATH_MAX + 512)

/* The project's performance goals for mpc+tls+tcp://, and the stock
 * anchors: Debian's tls+tcp:// (Mbed TLS 2.28, TLS 1.2) measured on the
 * reference machine (2-core AMD EPYC, pair sockets over loopback, two
 * processes, median of 3), for runs without the stock row. */
#define GOAL_VS_STOCK     3.0
#define GOAL_LARGE_VS_TCP 0.6
#define GOAL_RTT_VS_TCP   1.3
#define ANCHOR_STOCK_SMALL  52014.0 /* msg/s */
#define ANCHOR_STOCK_LARGE  221.0   /* MB/s */

enum bench_test { T_SMALL, T_LARGE, T_RTT, T_COUNT };
enum bench_row_id {
	R_TCP,
	R_TLS_STOCK,
	R_TLS,
	R_MPC_TCP,
	R_MPC_TLS,
	R_MPC_TLS_OBS,
	R_MPC_TLS_LIM,
	R_MPC_TCP_DLV,
	R_MPC_TLS_DLV,
	R_COUNT
};

/* The receive rate limits of the limits row: set, and far above any rate
 * loopback reaches, so the row measures what checking them costs. */
#define BENCH_LIMIT_MSGS  "1000000000"
#define BENCH_LIMIT_BYTES "1000000000000"
/* What the limits may cost on the 64 B path (CPU per message). */
#define GOAL_LIMITS_CPU 1.02

struct bench_row {
	const char *key;    /* --schemes name */
	const char *label;  /* table row */
	const char *scheme; /* URL scheme */
	bool        module; /* dlopen libnngmpc.so */
	bool        stock;  /* Debian's libnng */
	bool        tls;    /* certificates */
	bool        mpc;    /* party and session */
	bool        observed; /* audit log and metrics endpoint on, through
	                         the environment an unmodified program has */
	bool        limits; /* receive rate limits far above the rate */
	bool        reliable; /* delivery streams (NNG_OPT_MPC_RELIABLE) */
	enum bench_row_id off; /* reliable: the same row without them */
};

static const struct bench_row bench_rows[R_COUNT] = {
	[R_TCP]       = { "tcp", "NNG tcp://", "tcp", false, false, false,
                false },
	[R_TLS_STOCK] = { "tls-stock",
	    "NNG tls+tcp:// stock (Debian libnng, Mbed TLS, TLS 1.2)",
	    "tls+tcp", false, true, true, false },
	[R_TLS]       = { "tls", "NNG tls+tcp:// on our wolfSSL engine (TLS 1.3)",
	    "tls+tcp", true, false, true, false },
	[R_MPC_TCP]   = { "mpc+tcp", "mpc+tcp://", "mpc+tcp", true, false, false,
            true },
	[R_MPC_TLS]   = { "mpc+tls+tcp", "mpc+tls+tcp:// (TLS 1.3)",
	    "mpc+tls+tcp", true, false, true, true },
	[R_MPC_TLS_OBS] = { "mpc+tls+tcp+obs",
	    "mpc+tls+tcp:// + audit log + metrics endpoint", "mpc+tls+tcp",
	    true, false, true, true, true },
	[R_MPC_TLS_LIM] = { "mpc+tls+tcp+limits",
	    "mpc+tls+tcp://, rate limits set far above the rate",
	    "mpc+tls+tcp", true, false, true, true, .limits = true },
	[R_MPC_TCP_DLV] = { "mpc+tcp+dlv", "mpc+tcp://, delivery streams on",
	    "mpc+tcp", true, false, false, true, .reliable = true,
	    .off = R_MPC_TCP },
	[R_MPC_TLS_DLV] = { "mpc+tls+tcp+dlv",
	    "mpc+tls+tcp://, delivery streams on", "mpc+tls+tcp", true, false,
	    true, true, .reliable = true, .off = R_MPC_TLS },
};

/* What delivery streams may cost (the same transport without them, same
 * run): throughput at least these fractions. */
#define GOAL_DLV_SMALL 0.8
#define GOAL_DLV_LARGE 0.9

struct bench_result {
	bool     selected;
	bool     skipped; /* stock libnng not installed */
	bool     failed;
	char     why[320];
	double   v[T_COUNT][BENCH_RUNS_MAX]; /* msg/s, MB/s, p50 us */
	double   p99[BENCH_RUNS_MAX];        /* us */
	unsigned n[T_COUNT];
	long     rss_kb[2]; /* server, client: max over the row's runs */
	/* CPU time of both processes per message delivered, us: far less
	 * disturbed than throughput by other load on a shared machine */
	double   cpu[T_COUNT][BENCH_RUNS_MAX];
	/* Context switches of both processes per message: how often a
	 * thread stopped to wait for another (a hand-off), the cost that
	 * bounds small messages -- counted, so noise cannot fake it */
	double   csw[T_COUNT][BENCH_RUNS_MAX];
	char     tls[48];
	char     engine[96];
};

struct bench {
	double              seconds;
	unsigned            runs;
	uint32_t            bufs;
	bool                seconds_set;
	bool                runs_set;
	bool                pin;    /* --pin: the two workers on cpu[0], cpu[1] */
	char                cpu[2][12];
	char                peer[PATH_MAX];
	char                module[PATH_MAX];
	char                stock_dir[PATH_MAX];
	char                stock_env[PATH_MAX + 16]; /* LD_LIBRARY_PATH= */
	char                ours[PATH_MAX]; /* our libnng.so.1, resolved */
	char                dir[64];
	char                ca[128];
	char                certkey[2][128];
	char                session[128];
	char                audit_env[2][3][200]; /* server, client */
	uint64_t            lost;
	struct bench_result res[R_COUNT];
};

/* One worker process and the report it printed. */
struct bench_proc {
	struct nngmpc_proc proc;
	bool               ready;
	int                port;
	char               result[BENCH_LINE_MAX]; /* the "result ..." line */
};

static void
bench_usage(FILE *f)
{
	fprintf(f,
	    "Usage: nngmpc bench [--seconds S] [--schemes LIST] [--runs N] "
	    "[--quick]\n"
	    "                    [--bufs N] [--pin] [--peer PATH] "
	    "[--module PATH]\n"
	    "                    [--stock-dir DIR]\n"
	    "\n"
	    "Side-by-side benchmark: pair1 sockets over loopback, a server and\n"
	    "a client process per measurement.  Per transport: 64 B messages/s\n"
	    "and 64 KiB MB/s one way (the server counts what arrived; it must\n"
	    "equal what the client sent), the 64 B round trip p50/p99\n"
	    "(ping-pong), and each process's peak RSS.  Each cell is the median\n"
	    "of its runs, run interleaved across transports.  Prints a markdown\n"
	    "table, ratios against tcp:// and the stock tls+tcp://, the\n"
	    "machine, and the project's performance goals for mpc+tls+tcp://\n"
	    "(pass/short).\n"
	    "\n"
	    "Rows (--schemes names):\n"
	    "  tcp          NNG tcp:// on our libnng.so.1 (no security)\n"
	    "  tls-stock    NNG tls+tcp:// on Debian's libnng.so.1 (Mbed TLS,\n"
	    "               TLS 1.2), the baseline a user would otherwise pick\n"
	    "  tls          NNG tls+tcp:// on our wolfSSL engine (TLS 1.3)\n"
	    "  mpc+tcp      mpc+tcp:// (sealed frames, no TLS)\n"
	    "  mpc+tls+tcp  mpc+tls+tcp:// (mutual TLS 1.3 + sealed frames)\n"
	    "  mpc+tls+tcp+obs  the same with a sealed audit log and a metrics\n"
	    "               endpoint in each process (NNG_MPC_AUDIT_FILE,\n"
	    "               NNG_MPC_METRICS_ADDR): their cost on the data path\n"
	    "  mpc+tls+tcp+limits  the same with mpc:rate-msgs and\n"
	    "               mpc:rate-bytes set far above the rate: what the\n"
	    "               per-peer rate limit costs\n"
	    "  mpc+tcp+dlv, mpc+tls+tcp+dlv  mpc+tcp:// and mpc+tls+tcp://\n"
	    "               with delivery streams on (mpc:reliable), compared\n"
	    "               with the same rows off in a table of their own\n"
	    "\n"
	    "Options:\n"
	    "  -s, --seconds S      seconds per cell and run (default %.0f; "
	    "%.1f with\n"
	    "                       --quick), %.2f..%.0f\n"
	    "  -S, --schemes LIST   comma-separated rows (default: all)\n"
	    "  -r, --runs N         runs per cell, 1..%u (default %u; 1 with "
	    "--quick)\n"
	    "  -q, --quick          one short run per cell\n"
	    "  -b, --bufs N         NNG_OPT_SENDBUF and NNG_OPT_RECVBUF of every\n"
	    "                       socket, in messages, 0..%u (default %u; 0\n"
	    "                       is NNG's default: no buffer, which caps\n"
	    "                       64 B messages at a thread hand-off each)\n"
	    "  -p, --pin            server worker on one CPU, client worker on\n"
	    "                       another (the first two this process may\n"
	    "                       use; sched_setaffinity before NNG starts):\n"
	    "                       the two no longer share or swap cores, the\n"
	    "                       steadiest setting on a shared machine\n"
	    "      --peer PATH      the worker program (default: "
	    BENCH_PEER_NAME "\n"
	    "                       next to this executable)\n"
	    "      --module PATH    libnngmpc.so to load (default: next to "
	    "this\n"
	    "                       executable)\n"
	    "      --stock-dir DIR  where Debian's libnng.so.1 is (default\n"
	    "                       " BENCH_STOCK_DIR "); the row is skipped "
	    "if absent\n"
	    "  -h, --help           show this help\n"
	    "\n"
	    "Exit status: 0 when every selected cell was measured and nothing\n"
	    "was lost; 1 otherwise (the goals never change it).\n",
	    BENCH_SECONDS_DEFAULT, BENCH_SECONDS_QUICK, BENCH_SECONDS_MIN,
	    BENCH_SECONDS_MAX, BENCH_RUNS_MAX, BENCH_RUNS_DEFAULT,
	    BENCH_BUFS_MAX, BENCH_BUFS_DEFAULT);
}

/* --pin: the first two CPUs this process may run on, for the server and
 * the client worker.  false (with the reason) when there are fewer. */
static bool
bench_pick_cpus(struct bench *b)
{
	cpu_set_t set;
	int       n = 0;

	if (sched_getaffinity(0, sizeof(set), &set) != 0) {
		nngmpc_usage_error(BENCH_CMD, "--pin: cannot read this "
		    "process's CPUs: %s", strerror(errno));
		return (false);
	}
	for (int cpu = 0; (cpu < CPU_SETSIZE) && (n < 2); cpu++) {
		if (CPU_ISSET(cpu, &set)) {
			snprintf(b->cpu[n], sizeof(b->cpu[n]), "%d", cpu);
			n++;
		}
	}
	if (n < 2) {
		nngmpc_usage_error(BENCH_CMD, "--pin needs two CPUs; this "
		    "process may use %d", CPU_COUNT(&set));
		return (false);
	}
	return (true);
}

static uint64_t
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t) ts.tv_sec * 1000u + (uint64_t) ts.tv_nsec / 1000000u);
}

/* The value of " key=" in a result line (up to the next space), or "". */
static void
bench_kv(const char *line, const char *key, char *out, size_t cap)
{
	char        pat[32];
	const char *p;
	size_t      n;

	snprintf(pat, sizeof(pat), " %s=", key);
	out[0] = '\0';
	if ((p = strstr(line, pat)) == NULL) {
		return;
	}
	p += strlen(pat);
	/* engine= is last and may hold spaces */
	n = strcmp(key, "engine") == 0 ? strlen(p) : strcspn(p, " ");
	if (n >= cap) {
		n = cap - 1;
	}
	memcpy(out, p, n);
	out[n] = '\0';
}

static uint64_t
bench_kv_u64(const char *line, const char *key)
{
	char v[32];

	bench_kv(line, key, v, sizeof(v));
	return (strtoull(v, NULL, 10));
}

/* Starts the worker with stdout on a pipe; argv[0] is the program.  0 or
 * an errno (the worker's exec failure included). */
static int
bench_spawn(struct bench *b, const struct bench_row *row, char **argv,
    struct bench_proc *p)
{
	/* The stock row: searched before the peer's RUNPATH (ld.so(8)). */
	const char *stock_env[] = { b->stock_env, "LD_PRELOAD", NULL };
	int         side        = strcmp(argv[1], "server") == 0 ? 0 : 1;
	const char *obs_env[]   = { b->audit_env[side][0],
                b->audit_env[side][1], b->audit_env[side][2], NULL };
	const struct nngmpc_proc_spec spec = {
		.out = NNGMPC_PROC_PIPE,
		.env = row->stock ? stock_env : row->observed ? obs_env : NULL,
	};

	memset(p, 0, sizeof(*p));
	snprintf(b->stock_env, sizeof(b->stock_env), "LD_LIBRARY_PATH=%s",
	    b->stock_dir);
	return (nngmpc_proc_spawn(&p->proc, argv, &spec));
}

/* Complete lines read so far update p (ready, result). */
static void
bench_lines(struct bench_proc *p)
{
	const char *l;

	while ((l = nngmpc_proc_line(&p->proc)) != NULL) {
		if (sscanf(l, "ready %d", &p->port) == 1) {
			p->ready = true;
		} else if (strncmp(l, "result ", 7) == 0) {
			snprintf(p->result, sizeof(p->result), "%s", l);
		}
	}
}

/* Reads the processes' output until each closed its stdout (or, with
 * until_ready, until procs[0] is ready); false at the deadline. */
static bool
bench_pump(struct bench_proc *procs, int n, uint64_t deadline,
    bool until_ready)
{
	struct nngmpc_proc *ps[2];
	int                 rv;

	for (int i = 0; i < n; i++) {
		ps[i] = &procs[i].proc;
	}
	for (;;) {
		bool     open = false;
		uint64_t t    = now_ms();

		for (int i = 0; i < n; i++) {
			bench_lines(&procs[i]);
			open = open || nngmpc_proc_reading(ps[i]);
		}
		if (until_ready &&
		    (procs[0].ready || !nngmpc_proc_reading(ps[0]))) {
			return (true);
		}
		if (!open) {
			return (true);
		}
		if (t >= deadline) {
			return (false);
		}
		rv = nngmpc_proc_poll(ps, (size_t) n, (int) (deadline - t));
		if (rv != 0 && rv != ETIMEDOUT) {
			return (false);
		}
	}
}

/* Waits for the worker (SIGKILL first with kill_it) and drops its pipe. */
static void
bench_reap(struct bench_proc *p, bool kill_it)
{
	if (p->proc.pid > 0) {
		(void) nngmpc_proc_reap(&p->proc, kill_it ? 0 : -1);
	}
}

/* The worker's command line for one side of one cell. */
static void
bench_argv(struct bench *b, const struct bench_row *row, enum bench_test t,
    bool server, const char *url, char *size, char *secs, char *bufs,
    char **argv)
{
	int i = 0;

	snprintf(bufs, 16, "%u", (unsigned) b->bufs);
	snprintf(size, 16, "%u", t == T_LARGE ? BENCH_LARGE : BENCH_SMALL);
	snprintf(secs, 32, "%.3f", b->seconds);
	argv[i++] = b->peer;
	argv[i++] = server ? "server" : "client";
	argv[i++] = "--url";
	argv[i++] = (char *) url;
	argv[i++] = "--mode";
	argv[i++] = t == T_RTT ? "rtt" : "tput";
	argv[i++] = "--size";
	argv[i++] = size;
	argv[i++] = "--seconds";
	argv[i++] = secs;
	argv[i++] = "--bufs";
	argv[i++] = bufs;
	if (b->pin) {
		argv[i++] = "--cpu";
		argv[i++] = b->cpu[server ? 0 : 1];
	}
	if (row->module) {
		argv[i++] = "--module";
		argv[i++] = b->module;
	}
	if (row->tls) {
		argv[i++] = "--ca";
		argv[i++] = b->ca;
		argv[i++] = "--certkey";
		argv[i++] = b->certkey[server ? 0 : 1];
	}
	if (row->mpc) {
		argv[i++] = "--session";
		argv[i++] = b->session;
		argv[i++] = "--party";
		argv[i++] = server ? "1" : "2";
	}
	if (row->reliable) {
		argv[i++] = "--reliable";
	}
	if (row->limits) {
		argv[i++] = "--rate-msgs";
		argv[i++] = BENCH_LIMIT_MSGS;
		argv[i++] = "--rate-bytes";
		argv[i++] = BENCH_LIMIT_BYTES;
	}
	argv[i] = NULL;
}

static void
bench_row_fail(struct bench_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
bench_row_fail(struct bench_result *r, const char *fmt, ...)
{
	va_list ap;

	if (r->failed) {
		return; /* the first cause is the one to report */
	}
	r->failed = true;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
}

/* Both peers must have used the libnng the row is about. */
static bool
bench_check_lib(struct bench *b, const struct bench_row *row,
    struct bench_result *r, const char *result)
{
	char lib[PATH_MAX];
	bool ok;

	bench_kv(result, "lib", lib, sizeof(lib));
	if (row->stock) {
		size_t n = strlen(b->stock_dir);
		ok = strncmp(lib, b->stock_dir, n) == 0 && lib[n] == '/';
	} else {
		ok = strcmp(lib, b->ours) == 0;
	}
	if (!ok) {
		bench_row_fail(r,
		    "the worker loaded %s, not %s's libnng.so.1 (check "
		    "LD_LIBRARY_PATH/LD_PRELOAD)",
		    lib, row->stock ? b->stock_dir : b->ours);
	}
	return (ok);
}

/* One measurement: server, client, their results into r. */
static void
bench_cell(struct bench *b, enum bench_row_id id, enum bench_test t)
{
	const struct bench_row *row = &bench_rows[id];
	struct bench_result    *r   = &b->res[id];
	struct bench_proc       pr[2];
	char                    url[96], size[16], secs[32], bufs[16];
	char                   *argv[32];
	const char             *srv, *cli;
	uint64_t                deadline, msgs, sent, ns;
	unsigned                k = r->n[t];
	int                     rv;

	deadline = now_ms() + (uint64_t) (b->seconds * 1000) + BENCH_SLACK_MS;
	snprintf(url, sizeof(url), "%s://127.0.0.1:0", row->scheme);
	bench_argv(b, row, t, true, url, size, secs, bufs, argv);
	if ((rv = bench_spawn(b, row, argv, &pr[0])) != 0) {
		bench_row_fail(
		    r, "cannot start %s: %s", b->peer, strerror(rv));
		return;
	}
	if (!bench_pump(pr, 1, deadline, true) || !pr[0].ready) {
		bench_pump(pr, 1, now_ms() + 1000, false);
		bench_row_fail(r, "server did not start: %s",
		    pr[0].result[0] != '\0' ? pr[0].result : "no report");
		bench_reap(&pr[0], true);
		return;
	}
	snprintf(url, sizeof(url), "%s://127.0.0.1:%d", row->scheme,
	    pr[0].port);
	bench_argv(b, row, t, false, url, size, secs, bufs, argv);
	if ((rv = bench_spawn(b, row, argv, &pr[1])) != 0) {
		bench_row_fail(
		    r, "cannot start %s: %s", b->peer, strerror(rv));
		bench_reap(&pr[0], true);
		return;
	}
	if (!bench_pump(pr, 2, deadline, false)) {
		bench_row_fail(r, "timed out after %.0f s",
		    b->seconds + BENCH_SLACK_MS / 1000.0);
	}
	bench_reap(&pr[0], r->failed);
	bench_reap(&pr[1], r->failed);
	srv = pr[0].result;
	cli = pr[1].result;
	if (strncmp(srv, "result ok ", 10) != 0 ||
	    strncmp(cli, "result ok ", 10) != 0) {
		bench_row_fail(r, "server: %s; client: %s",
		    srv[0] != '\0' ? srv : "no report",
		    cli[0] != '\0' ? cli : "no report");
		return;
	}
	if (!bench_check_lib(b, row, r, srv) ||
	    !bench_check_lib(b, row, r, cli)) {
		return;
	}
	msgs = bench_kv_u64(srv, "msgs");
	sent = bench_kv_u64(cli, "sent");
	ns   = bench_kv_u64(srv, "ns");
	if (msgs != sent) {
		/* pair1 must not drop: a difference is a lost message */
		b->lost += sent > msgs ? sent - msgs : msgs - sent;
		bench_row_fail(r,
		    "client sent %" PRIu64 " messages, server received %" PRIu64,
		    sent, msgs);
		return;
	}
	if (msgs == 0 || ns == 0) {
		bench_row_fail(r, "no message went through");
		return;
	}
	switch (t) {
	case T_SMALL:
		r->v[t][k] = (double) msgs * 1e9 / (double) ns;
		break;
	case T_LARGE:
		r->v[t][k] = (double) bench_kv_u64(srv, "bytes") * 1e3 /
		    (double) ns; /* MB/s, MB = 10^6 bytes */
		break;
	case T_RTT:
		if (bench_kv_u64(cli, "samples") == 0) {
			bench_row_fail(r, "no round trip completed");
			return;
		}
		r->v[t][k] = (double) bench_kv_u64(cli, "p50_ns") / 1e3;
		r->p99[k]  = (double) bench_kv_u64(cli, "p99_ns") / 1e3;
		break;
	default:
		return;
	}
	r->cpu[t][k] = (double) (bench_kv_u64(srv, "cpu_us") +
	                         bench_kv_u64(cli, "cpu_us")) /
	    (double) msgs;
	r->csw[t][k] = (double) (bench_kv_u64(srv, "csw") +
	                         bench_kv_u64(cli, "csw")) /
	    (double) msgs;
	r->n[t]++;
	for (int i = 0; i < 2; i++) {
		long rss = (long) bench_kv_u64(i == 0 ? srv : cli, "rss_kb");
		if (rss > r->rss_kb[i]) {
			r->rss_kb[i] = rss;
		}
	}
	bench_kv(srv, "tls", r->tls, sizeof(r->tls));
	bench_kv(srv, "engine", r->engine, sizeof(r->engine));
}

static double
bench_median(const double *v, unsigned n)
{
	double s[BENCH_RUNS_MAX];

	if (n == 0) {
		return (NAN);
	}
	memcpy(s, v, n * sizeof(*s));
	for (unsigned i = 1; i < n; i++) { /* insertion sort, n <= 9 */
		double x = s[i];
		unsigned j = i;
		for (; j > 0 && s[j - 1] > x; j--) {
			s[j] = s[j - 1];
		}
		s[j] = x;
	}
	return (n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0);
}

static double
bench_med(const struct bench *b, enum bench_row_id id, enum bench_test t)
{
	const struct bench_result *r = &b->res[id];

	if (!r->selected || r->failed || r->skipped || r->n[t] == 0) {
		return (NAN);
	}
	return (bench_median(r->v[t], r->n[t]));
}

/* 1234567.8 -> "1,234,568" */
static const char *
bench_grouped(double v, char *buf, size_t cap)
{
	char     digits[32];
	size_t   n, o = 0;

	if (isnan(v)) {
		snprintf(buf, cap, "n/a");
		return (buf);
	}
	snprintf(digits, sizeof(digits), "%.0f", v);
	n = strlen(digits);
	for (size_t i = 0; i < n && o + 2 < cap; i++) {
		buf[o++] = digits[i];
		if ((n - i - 1) % 3 == 0 && i + 1 < n) {
			buf[o++] = ',';
		}
	}
	buf[o] = '\0';
	return (buf);
}

static const char *
bench_ratio(double num, double den, char *buf, size_t cap)
{
	if (isnan(num) || isnan(den) || den <= 0.0) {
		snprintf(buf, cap, "n/a");
	} else {
		snprintf(buf, cap, "%.2f×", num / den);
	}
	return (buf);
}

/* Whether the space-separated flag list has flag as a whole word. */
static bool
bench_cpu_flag(const char *flags, const char *flag)
{
	size_t n = strlen(flag);

	for (const char *p = flags; (p = strstr(p, flag)) != NULL; p += n) {
		if ((p == flags || p[-1] == ' ' || p[-1] == '\t') &&
		    (p[n] == ' ' || p[n] == '\n' || p[n] == '\0')) {
			return (true);
		}
	}
	return (false);
}

static void
bench_machine(void)
{
	char          *line = NULL;
	size_t         cap  = 0;
	char           model[256] = "unknown CPU";
	struct utsname u;
	FILE          *f;
	bool           aes = false, vaes = false;

	if ((f = fopen("/proc/cpuinfo", "r")) != NULL) {
		bool got_model = false, got_flags = false;

		/* getline: the flags line is longer than any fixed buffer
		 * worth guessing (666 bytes here, vaes past byte 512) */
		while (!(got_model && got_flags) &&
		    getline(&line, &cap, f) != -1) {
			char *v = strchr(line, ':');

			if (v == NULL) {
				continue;
			}
			if (!got_model && strncmp(line, "model name", 10) == 0) {
				snprintf(model, sizeof(model), "%s", v + 2);
				model[strcspn(model, "\n")] = '\0';
				got_model = true;
			} else if (!got_flags && strncmp(line, "flags", 5) == 0) {
				aes       = bench_cpu_flag(v + 1, "aes");
				vaes      = bench_cpu_flag(v + 1, "vaes");
				got_flags = true;
			}
		}
		free(line);
		fclose(f);
	}
	if (uname(&u) != 0) {
		strcpy(u.sysname, "?");
		strcpy(u.release, "?");
	}
	printf("Machine: %s, nproc %ld%s%s; %s %s.\n", model,
	    sysconf(_SC_NPROCESSORS_ONLN), aes ? ", AES-NI" : "",
	    vaes ? "/VAES" : "", u.sysname, u.release);
}

static void
bench_print(const struct bench *b)
{
	char a[32], c[32], d[32], e[32], g[32], h[32];

	printf("\n## nngmpc bench: pair1 over loopback, separate processes\n\n");
	bench_machine();
	printf("NNG %s (our libnng.so.1: %s); stock: %s/libnng.so.1.\n",
	    nng_version(), b->ours, b->stock_dir);
	printf("%.2f s per cell and run, median of %u run%s (interleaved). "
	       "MB = 10^6 bytes of payload; CPU = user + system time of both "
	       "worker processes (getrusage) per message delivered; switches = "
	       "their context switches (getrusage ru_nvcsw + ru_nivcsw) per "
	       "64 B message; RSS = "
	       "getrusage ru_maxrss of each worker process. NNG_OPT_SENDBUF = NNG_OPT_RECVBUF = %u "
	       "messages on every socket%s.",
	    b->seconds, b->runs, b->runs == 1 ? "" : "s", (unsigned) b->bufs,
	    b->bufs == 0 ? " (NNG's default)" : "");
	if (b->pin) {
		printf(" Pinned (--pin): server worker on CPU %s, client worker "
		       "on CPU %s.",
		    b->cpu[0], b->cpu[1]);
	}
	printf("\n\n");

	printf("| transport | 64 B msg/s | 64 KiB MB/s | RTT p50 / p99 µs "
	       "| CPU µs per msg, 64 B / 64 KiB | switches per 64 B msg "
	       "| peak RSS server / client MiB |\n");
	printf("|---|---:|---:|---:|---:|---:|---:|\n");
	for (int i = 0; i < R_COUNT; i++) {
		const struct bench_result *r = &b->res[i];

		if (!r->selected) {
			continue;
		}
		printf("| %s | ", bench_rows[i].label);
		if (r->skipped || r->failed) {
			printf("%s | | | | | |\n",
			    r->skipped ? "skipped" : "FAILED");
			continue;
		}
		printf("%s | %s | %.0f / %.0f | %.2f / %.0f | %.2f "
		       "| %.1f / %.1f |\n",
		    bench_grouped(bench_med(b, i, T_SMALL), a, sizeof(a)),
		    bench_grouped(bench_med(b, i, T_LARGE), c, sizeof(c)),
		    bench_med(b, i, T_RTT), bench_median(r->p99, r->n[T_RTT]),
		    bench_median(r->cpu[T_SMALL], r->n[T_SMALL]),
		    bench_median(r->cpu[T_LARGE], r->n[T_LARGE]),
		    bench_median(r->csw[T_SMALL], r->n[T_SMALL]),
		    r->rss_kb[0] / 1024.0, r->rss_kb[1] / 1024.0);
	}
	for (int i = 0; i < R_COUNT; i++) {
		const struct bench_result *r = &b->res[i];

		if (r->selected && (r->skipped || r->failed)) {
			printf("\n%s: %s: %s\n",
			    r->skipped ? "Skipped" : "FAILED",
			    bench_rows[i].label, r->why);
		}
	}
	printf("\nTLS engines:");
	for (int i = 0; i < R_COUNT; i++) {
		const struct bench_result *r = &b->res[i];

		if (r->selected && bench_rows[i].tls && r->engine[0] != '\0') {
			printf(" %s: %s%s%s%s.", bench_rows[i].key, r->engine,
			    strcmp(r->tls, "-") != 0 ? " (negotiated " : "",
			    strcmp(r->tls, "-") != 0 ? r->tls : "",
			    strcmp(r->tls, "-") != 0 ? ")" : "");
		}
	}
	printf("\nNothing lost: every client's accepted sends equal what its "
	       "server received%s.\n",
	    b->lost == 0 ? "" : " -- EXCEPT where marked FAILED above");

	printf("\n### Ratios (RTT: lower is better)\n\n");
	printf("| transport | 64 B vs tcp | 64 KiB vs tcp | RTT p50 vs tcp "
	       "| 64 B vs stock TLS | 64 KiB vs stock TLS "
	       "| RTT p50 vs stock TLS |\n");
	printf("|---|---:|---:|---:|---:|---:|---:|\n");
	for (int i = 0; i < R_COUNT; i++) {
		if (!b->res[i].selected) {
			continue;
		}
		printf("| %s | %s | %s | %s | %s | %s | %s |\n",
		    bench_rows[i].label,
		    bench_ratio(bench_med(b, i, T_SMALL),
		        bench_med(b, R_TCP, T_SMALL), a, sizeof(a)),
		    bench_ratio(bench_med(b, i, T_LARGE),
		        bench_med(b, R_TCP, T_LARGE), c, sizeof(c)),
		    bench_ratio(bench_med(b, i, T_RTT),
		        bench_med(b, R_TCP, T_RTT), d, sizeof(d)),
		    bench_ratio(bench_med(b, i, T_SMALL),
		        bench_med(b, R_TLS_STOCK, T_SMALL), e, sizeof(e)),
		    bench_ratio(bench_med(b, i, T_LARGE),
		        bench_med(b, R_TLS_STOCK, T_LARGE), g, sizeof(g)),
		    bench_ratio(bench_med(b, i, T_RTT),
		        bench_med(b, R_TLS_STOCK, T_RTT), h, sizeof(h)));
	}
}

/* One goal line: "- what: measured (goal): pass/short". */
static void
bench_goal(const char *what, double num, double den, double goal,
    bool at_most)
{
	double x;

	if (isnan(num) || isnan(den) || den <= 0.0) {
		printf("- %s: not measured in this run\n", what);
		return;
	}
	x = num / den;
	/* One decimal for the goals that have one, two for 1.02. */
	printf("- %s: %.2f× (goal %s %.*f×): %s\n", what, x,
	    at_most ? "≤" : "≥", goal * 10 == floor(goal * 10) ? 1 : 2,
	    goal, (at_most ? x <= goal : x >= goal) ? "pass" : "short");
}

/* A cell's CPU per message (NAN when the row did not run). */
static double
bench_cpu_med(const struct bench *b, int row, enum bench_test t)
{
	const struct bench_result *r = &b->res[row];

	if (!r->selected || r->skipped || r->failed || r->n[t] == 0) {
		return (NAN);
	}
	return (bench_median(r->cpu[t], r->n[t]));
}

static double
bench_cpu_small(const struct bench *b, int row)
{
	return (bench_cpu_med(b, row, T_SMALL));
}

/* "on / off (ratio)" for one cell of a delivery row and its plain row. */
static const char *
bench_on_off(double on, double off, const char *fmt, char *buf, size_t cap)
{
	char r[32];
	int  n;

	if (isnan(on) || isnan(off)) {
		snprintf(buf, cap, "n/a");
		return (buf);
	}
	n = snprintf(buf, cap, fmt, on);
	snprintf(buf + n, cap - (size_t) n, " / ");
	n += 3;
	n += snprintf(buf + n, cap - (size_t) n, fmt, off);
	snprintf(buf + n, cap - (size_t) n, " (%s)",
	    bench_ratio(on, off, r, sizeof(r)));
	return (buf);
}

/* Delivery streams against the same transport without them, same run:
 * the table and the goals (throughput within 20 % at 64 B, 10 % at
 * 64 KiB). */
static void
bench_dlv(const struct bench *b)
{
	char c[5][96];
	bool any = false;

	for (int i = 0; i < R_COUNT; i++) {
		enum bench_row_id off = bench_rows[i].off;

		if (!bench_rows[i].reliable || !b->res[i].selected) {
			continue;
		}
		if (!any) {
			printf("\n### Delivery streams: on / off (ratio), same "
			       "run (RTT and CPU: lower is better)\n\n");
			printf("| transport | 64 B msg/s | 64 KiB MB/s "
			       "| RTT p50 µs | CPU µs per 64 B msg "
			       "| CPU µs per 64 KiB msg |\n");
			printf("|---|---:|---:|---:|---:|---:|\n");
			any = true;
		}
		printf("| %s | %s | %s | %s | %s | %s |\n", bench_rows[i].label,
		    bench_on_off(bench_med(b, i, T_SMALL),
		        bench_med(b, off, T_SMALL), "%.0f", c[0], sizeof(c[0])),
		    bench_on_off(bench_med(b, i, T_LARGE),
		        bench_med(b, off, T_LARGE), "%.0f", c[1], sizeof(c[1])),
		    bench_on_off(bench_med(b, i, T_RTT), bench_med(b, off, T_RTT),
		        "%.0f", c[2], sizeof(c[2])),
		    bench_on_off(bench_cpu_med(b, i, T_SMALL),
		        bench_cpu_med(b, off, T_SMALL), "%.2f", c[3],
		        sizeof(c[3])),
		    bench_on_off(bench_cpu_med(b, i, T_LARGE),
		        bench_cpu_med(b, off, T_LARGE), "%.0f", c[4],
		        sizeof(c[4])));
	}
	if (!any) {
		return;
	}
	printf("\nGoals (measured, not asserted):\n\n");
	for (int i = 0; i < R_COUNT; i++) {
		enum bench_row_id off = bench_rows[i].off;
		char              what[160];

		if (!bench_rows[i].reliable || !b->res[i].selected) {
			continue;
		}
		snprintf(what, sizeof(what), "%s: 64 B msg/s on vs off",
		    bench_rows[i].key);
		bench_goal(what, bench_med(b, i, T_SMALL),
		    bench_med(b, off, T_SMALL), GOAL_DLV_SMALL, false);
		snprintf(what, sizeof(what), "%s: 64 KiB MB/s on vs off",
		    bench_rows[i].key);
		bench_goal(what, bench_med(b, i, T_LARGE),
		    bench_med(b, off, T_LARGE), GOAL_DLV_LARGE, false);
	}
}

static void
bench_goals(const struct bench *b)
{
	double small = bench_med(b, R_MPC_TLS, T_SMALL);
	double large = bench_med(b, R_MPC_TLS, T_LARGE);

	printf("\n### Performance goals for mpc+tls+tcp:// (measured, not "
	       "asserted)\n\n");
	bench_goal("64 B msg/s vs stock tls+tcp:// (this run)", small,
	    bench_med(b, R_TLS_STOCK, T_SMALL), GOAL_VS_STOCK, false);
	bench_goal("64 KiB MB/s vs stock tls+tcp:// (this run)", large,
	    bench_med(b, R_TLS_STOCK, T_LARGE), GOAL_VS_STOCK, false);
	bench_goal("64 B msg/s vs the stock anchor (52,014 msg/s)",
	    small, ANCHOR_STOCK_SMALL, GOAL_VS_STOCK, false);
	bench_goal("64 KiB MB/s vs the stock anchor (221 MB/s)",
	    large, ANCHOR_STOCK_LARGE, GOAL_VS_STOCK, false);
	bench_goal("64 KiB MB/s vs tcp://", large,
	    bench_med(b, R_TCP, T_LARGE), GOAL_LARGE_VS_TCP, false);
	bench_goal("RTT p50 vs tcp://", bench_med(b, R_MPC_TLS, T_RTT),
	    bench_med(b, R_TCP, T_RTT), GOAL_RTT_VS_TCP, true);
	bench_goal("64 B CPU per message with rate limits vs without",
	    bench_cpu_small(b, R_MPC_TLS_LIM), bench_cpu_small(b, R_MPC_TLS),
	    GOAL_LIMITS_CPU, true);
	bench_dlv(b);
}

/* Certificates (2 parties) and the session file, as the rows need. */
static bool
bench_prepare(struct bench *b)
{
	bool need_tls = false, need_mpc = false, need_obs = false;
	char certs[96];

	for (int i = 0; i < R_COUNT; i++) {
		if (b->res[i].selected && !b->res[i].skipped) {
			need_tls |= bench_rows[i].tls;
			need_mpc |= bench_rows[i].mpc;
			need_obs |= bench_rows[i].observed;
		}
	}
	strcpy(b->dir, "/tmp/nngmpc-bench-XXXXXX");
	if (mkdtemp(b->dir) == NULL) {
		b->dir[0] = '\0';
		nngmpc_error(BENCH_CMD, "cannot make a temporary directory: %s",
		    strerror(errno));
		return (false);
	}
	snprintf(certs, sizeof(certs), "%s/certs", b->dir);
	if (need_tls) {
		struct nngmpc_certs_opts co = {
			.out      = certs,
			.parties  = 2,
			.first_id = 1,
			.days     = 1,
			.ca_days  = 2,
			.log      = NULL,
		};
		if (nngmpc_certs_make(&co) != NNGMPC_EXIT_OK) {
			return (false);
		}
		snprintf(b->ca, sizeof(b->ca), "%s/ca.pem", certs);
		for (int i = 0; i < 2; i++) {
			snprintf(b->certkey[i], sizeof(b->certkey[i]),
			    "%s/party%d.certkey.pem", certs, i + 1);
		}
	}
	if (need_obs) {
		/* Each worker process its own sealed audit log (one writer per
		 * log) and a metrics endpoint on a free port. */
		for (int i = 0; i < 2; i++) {
			const char *side = i == 0 ? "server" : "client";
			char        keys[128];
			char        msg[256];

			snprintf(keys, sizeof(keys), "%s/audit-%s", b->dir, side);
			if (mpc_audit_keygen(keys, false, msg, sizeof(msg)) != 0) {
				nngmpc_error(BENCH_CMD, "%s", msg);
				return (false);
			}
			snprintf(b->audit_env[i][0], sizeof(b->audit_env[i][0]),
			    "NNG_MPC_AUDIT_FILE=%s/audit-%s.log", b->dir, side);
			snprintf(b->audit_env[i][1], sizeof(b->audit_env[i][1]),
			    "NNG_MPC_AUDIT_KEY_FILE=%s/audit.seal", keys);
			snprintf(b->audit_env[i][2], sizeof(b->audit_env[i][2]),
			    "NNG_MPC_METRICS_ADDR=127.0.0.1:0");
		}
	}
	if (need_mpc) {
		/* Session ID then key, in a 0600 file the peers read: a key
		 * never goes on a command line (visible in /proc). */
		uint8_t s[NNG_MPC_SESSION_ID_SIZE + NNG_MPC_SESSION_KEY_SIZE];
		int     fd;
		bool    ok;

		snprintf(b->session, sizeof(b->session), "%s/session.bin",
		    b->dir);
		ok = getrandom(s, sizeof(s), 0) == (ssize_t) sizeof(s) &&
		    (fd = open(b->session, O_WRONLY | O_CREAT | O_EXCL |
		             O_CLOEXEC, 0600)) >= 0;
		if (ok) {
			ok = write(fd, s, sizeof(s)) == (ssize_t) sizeof(s);
			ok &= close(fd) == 0;
		}
		nngmpc_secure_zero(s, sizeof(s));
		if (!ok) {
			nngmpc_error(BENCH_CMD, "cannot write %s: %s",
			    b->session, strerror(errno));
			return (false);
		}
	}
	return (true);
}

/* Paths next to /proc/self/exe unless given; our libnng.so.1 as loaded by
 * this process (the peers on non-stock rows must load the same one). */
static bool
bench_paths(struct bench *b, bool peer_set, bool module_set)
{
	char    exe[PATH_MAX], *slash;
	ssize_t n;
	Dl_info info;

	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) < 0) {
		nngmpc_error(BENCH_CMD, "cannot read /proc/self/exe: %s",
		    strerror(errno));
		return (false);
	}
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) != NULL) {
		*slash = '\0';
	}
	if ((!peer_set &&
	        (size_t) snprintf(b->peer, sizeof(b->peer),
	            "%.3800s/" BENCH_PEER_NAME, exe) >= sizeof(b->peer)) ||
	    (!module_set &&
	        (size_t) snprintf(b->module, sizeof(b->module),
	            "%.3800s/" BENCH_MODULE_NAME, exe) >= sizeof(b->module))) {
		nngmpc_error(BENCH_CMD, "path of this executable too long");
		return (false);
	}
	if (access(b->peer, X_OK) != 0) {
		nngmpc_error(BENCH_CMD, "cannot run %s: %s", b->peer,
		    strerror(errno));
		nngmpc_hint("build it (ninja builds plugin/" BENCH_PEER_NAME
		            " next to nngmpc) or pass --peer PATH");
		return (false);
	}
	if (access(b->module, R_OK) != 0) {
		nngmpc_error(BENCH_CMD, "cannot read %s: %s", b->module,
		    strerror(errno));
		nngmpc_hint("pass --module PATH to libnngmpc.so");
		return (false);
	}
	if (dladdr((void *) nng_send, &info) == 0 || info.dli_fname == NULL ||
	    realpath(info.dli_fname, b->ours) == NULL) {
		nngmpc_error(BENCH_CMD, "cannot tell which libnng.so.1 is "
		                        "loaded");
		return (false);
	}
	return (true);
}

static bool
bench_select(struct bench *b, char *list)
{
	char *save = NULL, *tok;

	for (tok = strtok_r(list, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		int i;

		for (i = 0; i < R_COUNT; i++) {
			if (strcmp(tok, bench_rows[i].key) == 0) {
				break;
			}
		}
		if (i == R_COUNT) {
			nngmpc_usage_error(BENCH_CMD,
			    "--schemes: unknown row '%s' (tcp, tls-stock, tls, "
			    "mpc+tcp, mpc+tls+tcp, mpc+tls+tcp+obs, "
			    "mpc+tls+tcp+limits, mpc+tcp+dlv, mpc+tls+tcp+dlv)",
			    tok);
			return (false);
		}
		b->res[i].selected = true;
		if (bench_rows[i].reliable) {
			/* Compared with it in the same run. */
			b->res[bench_rows[i].off].selected = true;
		}
	}
	return (true);
}

enum { BENCH_OPT_PEER = 256, BENCH_OPT_MODULE, BENCH_OPT_STOCK };

static int
bench_parse(struct bench *b, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "schemes", required_argument, NULL, 'S' },
		{ "runs", required_argument, NULL, 'r' },
		{ "quick", no_argument, NULL, 'q' },
		{ "bufs", required_argument, NULL, 'b' },
		{ "pin", no_argument, NULL, 'p' },
		{ "peer", required_argument, NULL, BENCH_OPT_PEER },
		{ "module", required_argument, NULL, BENCH_OPT_MODULE },
		{ "stock-dir", required_argument, NULL, BENCH_OPT_STOCK },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool quick = false, peer_set = false, module_set = false, any = false;
	char *end;
	int   c;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+:s:S:r:qb:h", longopts, NULL)) !=
	    -1) {
		switch (c) {
		case 's':
			b->seconds = strtod(optarg, &end);
			if (end == optarg || *end != '\0' ||
			    !(b->seconds >= BENCH_SECONDS_MIN &&
			        b->seconds <= BENCH_SECONDS_MAX)) {
				return (nngmpc_usage_error(BENCH_CMD,
				    "--seconds '%s': expected %.2f..%.0f",
				    optarg, BENCH_SECONDS_MIN,
				    BENCH_SECONDS_MAX));
			}
			b->seconds_set = true;
			break;
		case 'S':
			if (!bench_select(b, optarg)) {
				return (NNGMPC_EXIT_USAGE);
			}
			any = true;
			break;
		case 'r':
			if (!nngmpc_parse_u32(optarg, 1, BENCH_RUNS_MAX,
			        &b->runs)) {
				return (nngmpc_usage_error(BENCH_CMD,
				    "--runs '%s': expected 1..%u", optarg,
				    BENCH_RUNS_MAX));
			}
			b->runs_set = true;
			break;
		case 'q':
			quick = true;
			break;
		case 'p':
			b->pin = true;
			break;
		case 'b':
			if (!nngmpc_parse_u32(optarg, 0, BENCH_BUFS_MAX,
			        &b->bufs)) {
				return (nngmpc_usage_error(BENCH_CMD,
				    "--bufs '%s': expected 0..%u", optarg,
				    BENCH_BUFS_MAX));
			}
			break;
		case BENCH_OPT_PEER:
		case BENCH_OPT_MODULE:
		case BENCH_OPT_STOCK: {
			char *dst = c == BENCH_OPT_PEER ? b->peer :
			    c == BENCH_OPT_MODULE       ? b->module :
							  b->stock_dir;
			if (strlen(optarg) >= PATH_MAX) {
				return (nngmpc_usage_error(BENCH_CMD,
				    "%s: path too long", argv[optind - 1]));
			}
			strcpy(dst, optarg);
			peer_set |= c == BENCH_OPT_PEER;
			module_set |= c == BENCH_OPT_MODULE;
			break;
		}
		case 'h':
			bench_usage(stdout);
			return (-1);
		case ':':
			return (nngmpc_usage_error(BENCH_CMD,
			    "option '%s' needs a value", argv[optind - 1]));
		default:
			return (nngmpc_usage_error(BENCH_CMD,
			    "unknown option '%s'", argv[optind - 1]));
		}
	}
	if (optind < argc) {
		return (nngmpc_usage_error(
		    BENCH_CMD, "unexpected argument '%s'", argv[optind]));
	}
	if (b->pin && !bench_pick_cpus(b)) {
		return (NNGMPC_EXIT_USAGE);
	}
	if (quick && !b->seconds_set) {
		b->seconds = BENCH_SECONDS_QUICK;
	}
	if (quick && !b->runs_set) {
		b->runs = 1;
	}
	for (int i = 0; i < R_COUNT && !any; i++) {
		b->res[i].selected = true;
	}
	return (bench_paths(b, peer_set, module_set) ? 0 : NNGMPC_EXIT_FAIL);
}

static const char *const bench_test_names[T_COUNT] = { "64 B", "64 KiB",
	"RTT" };

static int
bench_run(int argc, char **argv)
{
	struct bench *b;
	char          stock[PATH_MAX + 16];
	int           rv, ret = NNGMPC_EXIT_FAIL;
	double        est;

	if ((argc > 1) && (strcmp(argv[1], "--echo") == 0)) {
		return (nngmpc_bench_echo(argc - 1, argv + 1)); /* bench_echo.c */
	}
	if ((b = calloc(1, sizeof(*b))) == NULL) {
		return (NNGMPC_EXIT_FAIL);
	}
	b->seconds = BENCH_SECONDS_DEFAULT;
	b->runs    = BENCH_RUNS_DEFAULT;
	b->bufs    = BENCH_BUFS_DEFAULT;
	strcpy(b->stock_dir, BENCH_STOCK_DIR);
	if ((rv = bench_parse(b, argc, argv)) != 0) {
		free(b);
		return (rv < 0 ? NNGMPC_EXIT_OK : rv);
	}
	snprintf(stock, sizeof(stock), "%s/libnng.so.1", b->stock_dir);
	if (b->res[R_TLS_STOCK].selected && access(stock, R_OK) != 0) {
		b->res[R_TLS_STOCK].skipped = true;
		snprintf(b->res[R_TLS_STOCK].why,
		    sizeof(b->res[R_TLS_STOCK].why),
		    "%.250s not found (Debian package libnng1)", stock);
	}
	if (!bench_prepare(b)) {
		goto out;
	}
	est = 0;
	for (int i = 0; i < R_COUNT; i++) {
		est += b->res[i].selected && !b->res[i].skipped ? 1 : 0;
	}
	fprintf(stderr,
	    "nngmpc bench: %.0f rows x 3 cells x %u run%s x %.2f s "
	    "(about %.0f s); progress below, table on stdout\n",
	    est, b->runs, b->runs == 1 ? "" : "s", b->seconds,
	    est * 3 * b->runs * (b->seconds + 0.4));
	for (unsigned run = 0; run < b->runs; run++) {
		for (int i = 0; i < R_COUNT; i++) {
			struct bench_result *r = &b->res[i];

			if (!r->selected || r->skipped || r->failed) {
				continue;
			}
			fprintf(stderr, "  run %u/%u  %-12s", run + 1, b->runs,
			    bench_rows[i].key);
			for (int t = 0; t < T_COUNT && !r->failed; t++) {
				bench_cell(b, i, t);
				if (!r->failed) {
					fprintf(stderr, "  %s %.0f%s",
					    bench_test_names[t],
					    r->v[t][r->n[t] - 1],
					    t == T_SMALL ? " msg/s" :
					    t == T_LARGE ? " MB/s" :
							   " µs p50");
				}
			}
			fprintf(stderr, "%s%s\n", r->failed ? "  FAILED: " : "",
			    r->failed ? r->why : "");
		}
	}
	bench_print(b);
	bench_goals(b);
	ret = NNGMPC_EXIT_OK;
	for (int i = 0; i < R_COUNT; i++) {
		if (b->res[i].selected && b->res[i].failed) {
			ret = NNGMPC_EXIT_FAIL;
		}
	}
	if (b->lost > 0) {
		ret = NNGMPC_EXIT_FAIL;
	}
out:
	if (b->dir[0] != '\0') {
		nngmpc_rmtree(b->dir);
	}
	free(b);
	return (ret);
}

const struct nngmpc_cmd nngmpc_cmd_bench = {
	.name    = "bench",
	.summary = "measure msg/s, MB/s, round trip, RSS side by side",
	.run     = bench_run,
};
