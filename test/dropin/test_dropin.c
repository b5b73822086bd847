/*
 * Drop-in: the README's example, run as written: two of Debian's
 * unmodified nngcat processes exchange a message over mpc+tls+tcp:// with
 * mutual TLS 1.3, using nngcat's own --cert, --key and --cacert; the module comes in with LD_PRELOAD, our libnng.so.1 with
 * LD_LIBRARY_PATH, the party IDs from the certificates and the session
 * from NNG_MPC_SESSION_ID / NNG_MPC_SESSION_KEY_FILE.  Then what a user
 * sees when that configuration is wrong.
 *
 * argv: nngmpc, nngcat, libnngmpc.so.  Not built with sanitizers: an
 * instrumented module cannot be preloaded into an uninstrumented nngcat.
 */
#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <nng/nng.h>
#include <nng/protocol/pair1/pair.h>
#include <nng/supplemental/tls/tls.h>
#include <nng/supplemental/util/platform.h>
#include <signal.h>

#include "nng_mpc.h"
#include "proc.h"
#include "test_util.h"

static const char *nngmpc, *nngcat, *module;
static char        dir[] = "/tmp/nngmpc-dropin-XXXXXX";
static char        libdir[1024];

#define SID "00112233445566778899aabbccddeeff"
#define KEY "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define OUT_MAX 65536

/* Starts argv (stdout + stderr into one pipe) with the drop-in
 * environment plus extra "NAME=value"s. */
static struct nngmpc_proc
start(char *const argv[], const char *const *env)
{
	struct nngmpc_proc      p;
	char           lib[1100], pre[1100];
	const char    *all[16] = { lib, pre };
	size_t         n       = 2;
	struct nngmpc_proc_spec spec    = {
		   .out = NNGMPC_PROC_PIPE, .err = NNGMPC_PROC_TO_OUT, .env = all
	};

	(void) snprintf(lib, sizeof(lib), "LD_LIBRARY_PATH=%s", libdir);
	(void) snprintf(pre, sizeof(pre), "LD_PRELOAD=%s", module);
	for (; env != NULL && *env != NULL; env++) {
		assert_true(n < 15);
		all[n++] = *env;
	}
	all[n] = NULL;
	assert_int_equal(nngmpc_proc_spawn(&p, argv, &spec), 0);
	return (p);
}

/* Waits for exit; returns the status, output in out (OUT_MAX bytes). */
static int
finish(struct nngmpc_proc p, char *out)
{
	struct nngmpc_proc_result r;

	assert_int_equal(nngmpc_proc_finish(&p, &r), 0);
	(void) snprintf(out, OUT_MAX, "%s", r.out);
	nngmpc_proc_result_free(&r);
	return (r.status);
}

/* True once something listens on the port (up to 10 s). */
static bool
wait_listening(int port)
{
	for (int i = 0; i < 200; i++) {
		struct sockaddr_in sa = { .sin_family = AF_INET,
			.sin_port = htons((uint16_t) port),
			.sin_addr = { htonl(INADDR_LOOPBACK) } };
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		int ok = connect(fd, (struct sockaddr *) &sa, sizeof(sa)) == 0;
		close(fd);
		if (ok) {
			return (true);
		}
		usleep(50000);
	}
	return (false);
}

static char *
path(const char *name)
{
	static char buf[8][1200];
	static int  i;
	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return (buf[i]);
}

static int
group_setup(void **state)
{
	char *argv[] = { (char *) nngmpc, "certs", "--out", NULL, "--parties",
		"2", NULL };
	char  out[OUT_MAX];
	FILE *f;

	(void) state;
	if (mkdtemp(dir) == NULL) {
		return (-1);
	}
	argv[3] = dir;
	snprintf(libdir, sizeof(libdir), "%s", module);
	*strrchr(libdir, '/') = '\0';
	if (finish(start(argv, NULL), out) != 0) {
		fprintf(stderr, "nngmpc certs failed:\n%s", out);
		return (-1);
	}
	if ((f = fopen(path("session.key"), "w")) == NULL) {
		return (-1);
	}
	fprintf(f, "%s\n", KEY);
	fclose(f);
	return (0);
}

static int
group_teardown(void **state)
{
	char cmd[1200];
	(void) state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return (system(cmd) == 0 ? 0 : -1);
}

static void
url_of(char *url, size_t len, int port)
{
	snprintf(url, len, "mpc+tls+tcp://127.0.0.1:%d", port);
}

/* The README's drop-in example: the lines between its marker and the end
 * of the code block after it, run as they are by sh -e from a directory
 * whose build/ is this build, with port 7001 replaced by a free one. */
static void
test_readme_example(void **state)
{
	static char readme[256 * 1024];
	char        path[1200], script[8192], top[1100], build[1100];
	char        port[16], *out = NULL;
	const char *root = getenv("NNGMPC_SOURCE_ROOT");
	const char *mark = "<!-- dropin-example -->\n```sh\n";
	const char *body, *end, *p;
	size_t      n = 0;
	FILE       *f;
	struct nngmpc_proc_spec spec = { .in = NNGMPC_PROC_NULL, .out = NNGMPC_PROC_PIPE,
		.err = NNGMPC_PROC_TO_OUT };

	(void) state;
	assert_non_null(root);
	(void) snprintf(path, sizeof(path), "%s/README.md", root);
	assert_non_null(f = fopen(path, "r"));
	n = fread(readme, 1, sizeof(readme) - 1, f);
	fclose(f);
	readme[n] = '\0';
	if ((body = strstr(readme, mark)) == NULL ||
	    (end = strstr(body + strlen(mark), "\n```\n")) == NULL) {
		fail_msg("README.md has no '<!-- dropin-example -->' code block");
	}
	body += strlen(mark);
	/* The script, 7001 -> a free port. */
	(void) snprintf(port, sizeof(port), "%d", ut_free_tcp_port());
	n = 0;
	for (p = body; p <= end; p++) {
		if (strncmp(p, "7001", 4) == 0) {
			n += (size_t) snprintf(script + n, sizeof(script) - n,
			    "%s", port);
			p += 3;
		} else if (n + 1 < sizeof(script)) {
			script[n++] = *p;
		}
		assert_true(n + 8 < sizeof(script));
	}
	script[n] = '\0';
	assert_non_null(strstr(script, port)); /* the port was there */
	/* A directory whose build/ is this build (nngmpc is build/plugin/). */
	assert_non_null(realpath(nngmpc, build));
	*strrchr(build, '/') = '\0';
	*strrchr(build, '/') = '\0';
	(void) snprintf(top, sizeof(top), "%s/top", dir);
	(void) mkdir(top, 0700);
	(void) snprintf(path, sizeof(path), "%s/build", top);
	(void) unlink(path);
	assert_int_equal(symlink(build, path), 0);
	(void) snprintf(path, sizeof(path), "%s/dropin.sh", top);
	assert_non_null(f = fopen(path, "w"));
	fputs(script, f);
	assert_int_equal(fclose(f), 0);
	if (nngmpc_proc_runl(&spec, &out, "/bin/sh", "-ec",
	        "cd \"$(dirname \"$0\")\" && . ./dropin.sh", path, NULL) != 0 ||
	    strstr(out, "\"hello\"") == NULL) {
		fail_msg("the README's drop-in example failed:\n%s\nscript:\n%s",
		    out, script);
	}
	free(out);
}

/* What the last refused_dial's listener and dialer printed. */
static char out_l[OUT_MAX], out_d[OUT_MAX];

/* Party 2 dials party 1 with the given environments: the dial must be
 * refused with transport error #code, and nothing may arrive. */
static void
refused_dial(const char *const *env_l, const char *const *env_d,
    const char *code)
{
	char        url[64];
	int         port = ut_free_tcp_port();

	url_of(url, sizeof(url), port);
	{
		char *la[] = { (char *) nngcat, "--pair1", "--listen", url,
			"--cert", path("party1.pem"), "--key",
			path("party1.key"), "--cacert", path("ca.pem"),
			"--recv-timeout", "3", "--count", "1", "--quoted",
			NULL };
		char *da[] = { (char *) nngcat, "--pair1", "--dial", url,
			"--cert", path("party2.pem"), "--key",
			path("party2.key"), "--cacert", path("ca.pem"),
			"--data", "must not arrive", "--count", "1", NULL };
		struct nngmpc_proc l = start(la, env_l), d;

		assert_true(wait_listening(port));
		d = start(da, env_d);
		assert_int_equal(finish(d, out_d), 1);
		/* nngcat ends a receive timeout with status 0. */
		(void) finish(l, out_l);
	}
	if (strstr(out_d, "Unable to dial") == NULL ||
	    strstr(out_d, code) == NULL) {
		fail_msg("dialer output:\n%s", out_d);
	}
	assert_null(strstr(out_l, "must not arrive"));
}

static void
test_wrong_session_key_delivers_nothing(void **state)
{
	const char *env_l[] = { "NNG_MPC_SESSION_ID=" SID,
		"NNG_MPC_SESSION_KEY=" KEY, "NNG_MPC_LOG=warn", NULL };
	/* Same session, another key: key confirmation fails, nothing flows. */
	const char *env_d[] = { "NNG_MPC_SESSION_ID=" SID,
		"NNG_MPC_SESSION_KEY="
		"ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		"NNG_MPC_LOG=warn", "NNG_MPC_LOG_FORMAT=json", NULL };

	(void) state;
	/* NNG_MPC_EKEYCONFIRM, transport error #67 (nngcat prints only the
	 * number). */
	refused_dial(env_l, env_d, "#67");
	/* With NNG_MPC_LOG both unmodified programs say why, on stderr. */
	ut_expect(out_l, "event=refused side=listener");
	ut_expect(out_l, "reason=NNG_MPC_EKEYCONFIRM");
	ut_expect(out_l, "remote=127.0.0.1:");
	ut_expect(out_d, "\"event\":\"refused\",\"side\":\"dialer\"");
	ut_expect(out_d, "\"reason\":\"NNG_MPC_EKEYCONFIRM\"");
	ut_expect(out_d, "same roster (session key)");
}

/* The pipe filter from the environment: a listener that denies party 2
 * refuses it after authentication; the dialer learns why
 * (NNG_MPC_EPARTYDENIED, transport error #84). */
static void
test_deny_list_from_environment(void **state)
{
	const char *env_l[] = { "NNG_MPC_SESSION_ID=" SID,
		"NNG_MPC_SESSION_KEY=" KEY, "NNG_MPC_DENY_PARTIES=2,5-7",
		"NNG_MPC_RATE_MSGS=1000", NULL };
	const char *env_d[] = { "NNG_MPC_SESSION_ID=" SID,
		"NNG_MPC_SESSION_KEY=" KEY, NULL };

	(void) state;
	refused_dial(env_l, env_d, "#84");
}

static uint64_t
listener_ctr(nng_listener l, const char *name)
{
	uint64_t v = 0;

	assert_int_equal(nng_listener_get_uint64(l, name, &v), 0);
	return (v);
}

/* Polls (up to 10 s) until the listener's counter reaches want. */
static void
wait_listener_ctr(nng_listener l, const char *name, uint64_t want)
{
	for (int i = 0; (i < 1000) && (listener_ctr(l, name) < want); i++) {
		nng_msleep(10);
	}
	assert_true(listener_ctr(l, name) >= want);
}

/* Receives until a "tick" from the dialer arrives (up to 10 s). */
static void
recv_tick(nng_socket s)
{
	for (int i = 0; i < 10; i++) {
		nng_msg *m;
		if (nng_recvmsg(s, &m, 0) == 0) {
			bool tick = (nng_msg_len(m) >= 4) &&
			    (memcmp(nng_msg_body(m), "tick", 4) == 0);
			nng_msg_free(m);
			if (tick) {
				return;
			}
		}
	}
	fail_msg("no tick from the dialer");
}

/*
 * A peer that stops answering without closing: an unmodified nngcat
 * dialer, stopped with SIGSTOP.  Our listener's heartbeats go unanswered,
 * the peer is declared dead and its pipe closed (NNG_MPC_EDEADPEER, the
 * listener's mpc:closed-dead); once the process runs again, its dialer
 * reconnects and its messages arrive again.
 */
static void
test_stopped_peer_declared_dead(void **state)
{
	char               url[64], both[1300], keyfile[1300], out[OUT_MAX];
	char               pem[8192];
	nng_socket         s;
	nng_listener       l;
	nng_duration       hb   = 200;
	int                dead = 2;
	FILE *             f;
	size_t             n;
	struct nngmpc_proc d;
	/* The dialer's heartbeats too: when it runs again, its pipe may
	 * not see that we closed the connection (NNG 1.5.2's TLS stream
	 * can lose a reset: tls_common.c), and its own liveness check is
	 * what ends that pipe so its dialer reconnects. */
	const char *env[] = { "NNG_MPC_SESSION_ID=" SID, keyfile,
		"NNG_MPC_HEARTBEAT=200", NULL };

	(void) state;
	url_of(url, sizeof(url), ut_free_tcp_port());
	snprintf(keyfile, sizeof(keyfile), "NNG_MPC_SESSION_KEY_FILE=%s",
	    path("session.key"));
	/* Our side: this process, the session from the same environment an
	 * unmodified program uses; certificate and key in one file. */
	snprintf(both, sizeof(both), "%s", path("party1.both"));
	assert_non_null(f = fopen(both, "w"));
	for (int i = 0; i < 2; i++) {
		FILE *in = fopen(path(i == 0 ? "party1.pem" : "party1.key"), "r");
		assert_non_null(in);
		n = fread(pem, 1, sizeof(pem), in);
		fclose(in);
		assert_int_equal(fwrite(pem, 1, n, f), n);
	}
	fclose(f);
	assert_int_equal(setenv("NNG_MPC_SESSION_ID", SID, 1), 0);
	assert_int_equal(setenv("NNG_MPC_SESSION_KEY_FILE",
	                     path("session.key"), 1),
	    0);
	assert_int_equal(nng_mpc_register(), 0);
	assert_int_equal(nng_pair1_open(&s), 0);
	assert_int_equal(nng_listener_create(&l, s, url), 0);
	assert_int_equal(
	    nng_listener_set_string(l, NNG_OPT_TLS_CA_FILE, path("ca.pem")), 0);
	assert_int_equal(
	    nng_listener_set_string(l, NNG_OPT_TLS_CERT_KEY_FILE, both), 0);
	assert_int_equal(nng_listener_set_ms(l, NNG_OPT_MPC_HEARTBEAT, hb), 0);
	assert_int_equal(nng_listener_set_int(l, NNG_OPT_MPC_DEAD_AFTER, dead),
	    0);
	assert_int_equal(nng_listener_start(l, 0), 0);
	assert_int_equal(nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, 1000), 0);
	{
		char *da[] = { (char *) nngcat, "--pair1", "--dial", url,
			"--cert", path("party2.pem"), "--key",
			path("party2.key"), "--cacert", path("ca.pem"),
			"--data", "tick", "--interval", "1", "--count", "60",
			NULL };
		d = start(da, env);
	}
	recv_tick(s);
	nngmpc_proc_signal(&d, SIGSTOP);
	wait_listener_ctr(l, NNG_OPT_MPC_CLOSED_DEAD, 1);
	nngmpc_proc_signal(&d, SIGCONT);
	wait_listener_ctr(l, NNG_OPT_MPC_HANDSHAKES, 2);
	recv_tick(s);
	nngmpc_proc_signal(&d, SIGKILL);
	(void) finish(d, out);
	assert_int_equal(nng_close(s), 0);
	unlink(both);
	unsetenv("NNG_MPC_SESSION_ID");
	unsetenv("NNG_MPC_SESSION_KEY_FILE");
}

static void
test_bad_environment_is_named(void **state)
{
	static char out[OUT_MAX];
	char        url[64];
	const char *bad_sid[] = { "NNG_MPC_SESSION_ID=0011", NULL };
	const char *no_key[]  = { "NNG_MPC_SESSION_ID=" SID, NULL };
	const char *bad_allow[] = { "NNG_MPC_SESSION_ID=" SID,
		"NNG_MPC_SESSION_KEY=" KEY, "NNG_MPC_ALLOW_PARTIES=1-", NULL };

	(void) state;
	url_of(url, sizeof(url), ut_free_tcp_port());
	{
		char *la[] = { (char *) nngcat, "--pair1", "--listen", url,
			"--cert", path("party1.pem"), "--key",
			path("party1.key"), "--cacert", path("ca.pem"), NULL };

		assert_int_not_equal(finish(start(la, bad_sid), out), 0);
		if (strstr(out, "nng-mpc: NNG_MPC_SESSION_ID: expected 32 hex "
		                "digits") == NULL) {
			fail_msg("output:\n%s", out);
		}
		assert_int_not_equal(finish(start(la, bad_allow), out), 0);
		if (strstr(out, "nng-mpc: NNG_MPC_ALLOW_PARTIES: expected "
		                "party IDs and ranges") == NULL) {
			fail_msg("output:\n%s", out);
		}
		assert_int_not_equal(finish(start(la, no_key), out), 0);
		if (strstr(out, "nng-mpc: session key: not set: set "
		                "NNG_OPT_MPC_SESSION_KEY, "
		                "NNG_MPC_SESSION_KEY_FILE or "
		                "NNG_MPC_SESSION_KEY") == NULL) {
			fail_msg("output:\n%s", out);
		}
	}
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_readme_example),
		cmocka_unit_test(test_wrong_session_key_delivers_nothing),
		cmocka_unit_test(test_deny_list_from_environment),
		cmocka_unit_test(test_stopped_peer_declared_dead),
		cmocka_unit_test(test_bad_environment_is_named),
	};
	if (argc != 4) {
		fprintf(stderr, "usage: test_dropin nngmpc nngcat libnngmpc.so\n");
		return (2);
	}
	nngmpc = argv[1];
	nngcat = argv[2];
	module = argv[3];
	return (cmocka_run_group_tests(tests, group_setup, group_teardown));
}
