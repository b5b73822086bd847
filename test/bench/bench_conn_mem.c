/*
 * bench_conn_mem.c -- what connections cost an mpc+tls+tcp:// listener in
 * resident memory, and what a flood of idle connections from one address
 * can make it hold:
 *
 *   pending  N idle TCP connections (never a byte sent) from many loopback
 *            addresses, the listener's negotiation caps raised out of the
 *            way: resident KiB per pending connection;
 *   flood    N idle connections from ONE address with the default caps:
 *            how many the listener holds, and its resident growth;
 *   peers    P mutually authenticated parties connected and idle: resident
 *            KiB per peer on the listener.
 *
 * The connections come from a child process (fork before NNG starts), so
 * the listener's resident set (/proc/self/statm) is its own.  Public API
 * only, so the same file builds against any nng-mpc version (an option an
 * older version lacks is skipped).
 *
 * The pending row is also measured over mpc+tcp://, where no TLS stream
 * exists: the difference is what NNG's TLS stream and the engine's
 * connection hold before the transport reads a byte.
 *
 *   bench_conn_mem [--pending N] [--flood N] [--peers P]
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <nng/nng.h>
#include <nng/protocol/bus0/bus.h>
#include <nng/supplemental/util/platform.h>

#include "mpc_certgen.h"
#include "nng_mpc.h"

/* Built against a version without the caps, the options are only names
 * it answers NNG_ENOTSUP to. */
#ifndef NNG_OPT_MPC_MAX_NEGOTIATING
#define NNG_OPT_MPC_MAX_NEGOTIATING "mpc:max-negotiating"
#define NNG_OPT_MPC_MAX_NEGOTIATING_PER_SOURCE \
	"mpc:max-negotiating-per-source"
#define NNG_OPT_MPC_REJ_BUSY   "mpc:rej-busy"
#define NNG_OPT_MPC_REJ_SOURCE "mpc:rej-source"
#endif

#define DIE(...)                                        \
	do {                                            \
		(void) fprintf(stderr, __VA_ARGS__);    \
		(void) fputc('\n', stderr);             \
		exit(1);                                \
	} while (0)

static char dir[256];

static const uint8_t sid[NNG_MPC_SESSION_ID_SIZE] = { 'm', 'e', 'm' };
static const uint8_t key[NNG_MPC_SESSION_KEY_SIZE] = { 'k', 'e', 'y' };

static double
rss_kib(void)
{
	FILE *        f = fopen("/proc/self/statm", "r");
	unsigned long size;
	unsigned long res = 0;

	if ((f == NULL) || (fscanf(f, "%lu %lu", &size, &res) != 2)) {
		DIE("cannot read /proc/self/statm");
	}
	(void) fclose(f);
	return ((double) res * (double) sysconf(_SC_PAGESIZE) / 1024.0);
}

static void
write_pem(const char *name, const char *a, const char *b)
{
	char  path[512];
	FILE *f;

	(void) snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (((f = fopen(path, "w")) == NULL) || (fputs(a, f) < 0) ||
	    ((b != NULL) && (fputs(b, f) < 0)) || (fclose(f) != 0)) {
		DIE("cannot write %s", path);
	}
}

static const char *
path(const char *name)
{
	static char buf[4][512];
	static int  n;
	char *      p = buf[n++ % 4];

	(void) snprintf(p, 512, "%s/%s", dir, name);
	return (p);
}

static void
make_certs(int parties)
{
	mpc_certgen_ca *ca;
	mpc_certgen_pem pem;
	time_t          now = time(NULL);
	char            name[64];

	if (mpc_certgen_ca_create(&ca, 2, now, &pem) != 0) {
		DIE("CA");
	}
	write_pem("ca.pem", pem.cert, NULL);
	mpc_certgen_pem_free(&pem);
	for (int id = 1; id <= parties; id++) {
		if (mpc_certgen_party(ca, (uint32_t) id, 2, now, &pem) != 0) {
			DIE("party %d", id);
		}
		(void) snprintf(name, sizeof(name), "party%d.pem", id);
		write_pem(name, pem.cert, pem.key);
		mpc_certgen_pem_free(&pem);
	}
	mpc_certgen_ca_free(ca);
}

/* A bus0 socket of party id with its certificate and the session. */
static nng_socket
party_socket(int id)
{
	nng_socket s;
	char       name[64];
	uint32_t   party = (uint32_t) id;
	int        rv;

	(void) snprintf(name, sizeof(name), "party%d.pem", id);
	if (((rv = nng_bus0_open(&s)) != 0) ||
	    ((rv = nng_mpc_socket_set(
	          s, NNG_OPT_MPC_PARTY_ID, &party, sizeof(party))) != 0) ||
	    ((rv = nng_mpc_socket_set(
	          s, NNG_OPT_MPC_SESSION_ID, sid, sizeof(sid))) != 0) ||
	    ((rv = nng_mpc_socket_set(
	          s, NNG_OPT_MPC_SESSION_KEY, key, sizeof(key))) != 0) ||
	    ((rv = nng_mpc_socket_set(s, NNG_OPT_TLS_CA_FILE, path("ca.pem"),
	          strlen(path("ca.pem")) + 1)) != 0) ||
	    ((rv = nng_mpc_socket_set(s, NNG_OPT_TLS_CERT_KEY_FILE,
	          path(name), strlen(path(name)) + 1)) != 0)) {
		DIE("socket of party %d: %s", id, nng_mpc_strerror(rv));
	}
	return (s);
}

/* Optional options: an older version without them is measured as is. */
static void
set_opt_int(nng_socket s, const char *name, int v)
{
	(void) nng_mpc_socket_set(s, name, &v, sizeof(v));
}

static nng_listener lis;

/* Connections the listener closed at accept (its caps), where the
 * version has the counters; -1 otherwise. */
static long
refused_at_accept(void)
{
	uint64_t busy;
	uint64_t src;

	if ((nng_listener_get_uint64(lis, NNG_OPT_MPC_REJ_BUSY, &busy) != 0) ||
	    (nng_listener_get_uint64(lis, NNG_OPT_MPC_REJ_SOURCE, &src) != 0)) {
		return (-1);
	}
	return ((long) (busy + src));
}

static const char *scheme = "mpc+tls+tcp";

static int
listen_party1(nng_socket s)
{
	nng_listener l;
	int          port;
	int          ms = 60000;
	int          rv;
	char         url[64];

	(void) nng_mpc_socket_set(
	    s, NNG_OPT_MPC_HANDSHAKE_TIMEOUT, &ms, sizeof(ms));
	(void) snprintf(url, sizeof(url), "%s://127.0.0.1:0", scheme);
	if (((rv = nng_listener_create(&l, s, url)) != 0) ||
	    ((rv = nng_listener_start(l, 0)) != 0) ||
	    ((rv = nng_listener_get_int(l, NNG_OPT_TCP_BOUND_PORT, &port)) !=
	        0)) {
		DIE("listen: %s", nng_mpc_strerror(rv));
	}
	lis = l;
	return (port);
}

/* Child: n idle connections, from 127.0.0.2.. (sources addresses) or
 * all from 127.0.0.2; tells the parent, then holds them until killed. */
static void
child_idle(int port, int n, int sources, int tell)
{
	struct sockaddr_in sin;
	int                ok = 0;

	for (int i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		memset(&sin, 0, sizeof(sin));
		sin.sin_family      = AF_INET;
		sin.sin_addr.s_addr = htonl(0x7f000002u + (uint32_t) (i % sources));
		(void) bind(fd, (struct sockaddr *) &sin, sizeof(sin));
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sin.sin_port        = htons((uint16_t) port);
		if (connect(fd, (struct sockaddr *) &sin, sizeof(sin)) == 0) {
			ok++;
		}
	}
	(void) write(tell, &ok, sizeof(ok));
	for (;;) {
		pause();
	}
}

static const char *self_exe;

/* Child (a fresh process: NNG does not survive fork): parties
 * 2..peers+1 dial and stay connected. */
static void
child_peers(int port, int peers, int tell)
{
	char url[64];
	int  ok = 0;

	(void) snprintf(url, sizeof(url), "mpc+tls+tcp://127.0.0.1:%d", port);
	if (nng_mpc_register() != 0) {
		DIE("register");
	}
	for (int id = 2; id <= peers + 1; id++) {
		nng_socket s = party_socket(id);
		if (nng_dial(s, url, NULL, 0) == 0) {
			ok++;
		}
	}
	(void) write(tell, &ok, sizeof(ok));
	for (;;) {
		pause();
	}
}

/* Starts a child: idle connections (forked: no NNG in it), or peers
 * (this program again, exec'd).  *got: what the child managed. */
static pid_t
spawn(bool peers, int port, int n, int sources, int *got)
{
	int   p[2];
	pid_t pid;
	char  a[3][32];

	if (pipe(p) != 0) {
		DIE("pipe");
	}
	if ((pid = fork()) == 0) {
		(void) close(p[0]);
		if (!peers) {
			child_idle(port, n, sources, p[1]);
		}
		(void) snprintf(a[0], sizeof(a[0]), "%d", port);
		(void) snprintf(a[1], sizeof(a[1]), "%d", n);
		(void) snprintf(a[2], sizeof(a[2]), "%d", p[1]);
		(void) execl(self_exe, self_exe, "--child-peers", a[0], a[1],
		    a[2], dir, (char *) NULL);
		_exit(1);
	}
	(void) close(p[1]);
	if (read(p[0], got, sizeof(*got)) != (ssize_t) sizeof(*got)) {
		DIE("child failed");
	}
	(void) close(p[0]);
	return (pid);
}

static void
report(const char *what, int n, int connected, double grew)
{
	long refused = refused_at_accept();
	long held    = connected - (refused > 0 ? refused : 0);
	char rs[32];

	if (refused < 0) {
		(void) snprintf(rs, sizeof(rs), "n/a");
	} else {
		(void) snprintf(rs, sizeof(rs), "%ld", refused);
	}
	if ((refused > 0) && (held < n / 10)) {
		/* Most were closed at accept: the growth is what the churn
		 * left behind (allocator arenas), not per connection held. */
		(void) printf("| %s | %d | %s | %.0f | (%ld held) |\n", what,
		    n, rs, grew, held);
	} else {
		(void) printf("| %s | %d | %s | %.0f | %.1f |\n", what, n, rs,
		    grew, held > 0 ? grew / (double) held : 0.0);
	}
	(void) fflush(stdout);
}


static void
reap(pid_t pid)
{
	(void) kill(pid, SIGKILL);
	(void) waitpid(pid, NULL, 0);
}

/* One measurement, in a process of its own so each starts clean. */
static void
phase(const char *name, int n)
{
	int        got;
	int        port;
	double     r0;
	double     r1;
	pid_t      pid;
	nng_socket s;
	bool       peers = strcmp(name, "peers") == 0;

	if (nng_mpc_register() != 0) {
		DIE("register");
	}
	s = party_socket(1);
	if (strcmp(name, "pending") == 0) {
		set_opt_int(s, NNG_OPT_MPC_MAX_NEGOTIATING, 65535);
		set_opt_int(s, NNG_OPT_MPC_MAX_NEGOTIATING_PER_SOURCE, 65535);
	}
	port = listen_party1(s);
	nng_msleep(200);
	r0  = rss_kib();
	pid = spawn(peers, port, n, strcmp(name, "flood") == 0 ? 1 : 200,
	    &got);
	nng_msleep(2000); /* the listener accepts (and negotiates) them */
	r1 = rss_kib();
	{
		char what[96];
		(void) snprintf(what, sizeof(what), "%s: %s", scheme,
		    peers ? "idle authenticated peers"
		          : strcmp(name, "flood") == 0
		        ? "flood from one address, default caps"
		        : "pending, idle, caps raised");
		report(what, n, got, r1 - r0);
	}
	reap(pid);
	(void) nng_close(s);
}

static void
run(const char *name, int n, const char *sch)
{
	char  a[32];
	pid_t pid;
	int   st;

	(void) snprintf(a, sizeof(a), "%d", n);
	scheme = sch;
	if ((pid = fork()) == 0) {
		(void) execl(self_exe, self_exe, "--phase", name, a, dir,
		    scheme, (char *) NULL);
		_exit(1);
	}
	if ((waitpid(pid, &st, 0) != pid) || !WIFEXITED(st) ||
	    (WEXITSTATUS(st) != 0)) {
		DIE("phase %s failed", name);
	}
}

int
main(int argc, char **argv)
{
	int         pending = 2000;
	int         flood   = 5000;
	int         peers   = 200;
	char        cmd[600];
	const char *tmp = getenv("TMPDIR");

	self_exe = argv[0];
	{
		/* Thousands of sockets on both sides. */
		struct rlimit rl;
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
			rl.rlim_cur = rl.rlim_max;
			(void) setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	if ((argc == 6) && (strcmp(argv[1], "--phase") == 0)) {
		(void) snprintf(dir, sizeof(dir), "%s", argv[4]);
		scheme = argv[5];
		phase(argv[2], atoi(argv[3]));
		return (0);
	}
	if ((argc == 6) && (strcmp(argv[1], "--child-peers") == 0)) {
		(void) snprintf(dir, sizeof(dir), "%s", argv[5]);
		child_peers(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
		return (0);
	}
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--pending") == 0) {
			pending = atoi(argv[i + 1]);
		} else if (strcmp(argv[i], "--flood") == 0) {
			flood = atoi(argv[i + 1]);
		} else if (strcmp(argv[i], "--peers") == 0) {
			peers = atoi(argv[i + 1]);
		} else {
			DIE("usage: bench_conn_mem [--pending N] [--flood N] "
			    "[--peers P]");
		}
	}
	(void) snprintf(dir, sizeof(dir), "%s/nngmpc-mem-XXXXXX",
	    tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		DIE("mkdtemp");
	}
	make_certs(peers + 1);
	(void) printf("| listener | connections | closed at "
	              "accept | resident growth KiB | KiB per connection "
	              "held |\n");
	(void) printf("|---|---:|---:|---:|---:|\n");
	(void) fflush(stdout);
	run("pending", pending, "mpc+tls+tcp");
	run("pending", pending, "mpc+tcp");
	run("flood", flood, "mpc+tls+tcp");
	run("peers", peers, "mpc+tls+tcp");
	(void) snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0) {
		(void) fprintf(stderr, "could not remove %s\n", dir);
	}
	return (0);
}
