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

#include "proc_util.h"

static const char *nngmpc, *nngcat, *module;
static char        dir[] = "/tmp/nngmpc-dropin-XXXXXX";
static char        libdir[1024];

#define SID "00112233445566778899aabbccddeeff"
#define KEY "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define OUT_MAX 65536

/* Starts argv (stdout + stderr into one pipe) with the drop-in
 * environment plus extra "NAME=value"s. */
static struct pu_proc
start(char *const argv[], const char *const *env)
{
	struct pu_proc p;
	char           lib[1100], pre[1100];
	const char    *all[16] = { lib, pre };
	size_t         n       = 2;
	struct pu_spec spec    = { .out = PU_PIPE, .err = PU_TO_OUT,
		   .env = all };

	(void) snprintf(lib, sizeof(lib), "LD_LIBRARY_PATH=%s", libdir);
	(void) snprintf(pre, sizeof(pre), "LD_PRELOAD=%s", module);
	for (; env != NULL && *env != NULL; env++) {
		assert_true(n < 15);
		all[n++] = *env;
	}
	all[n] = NULL;
	pu_spawn(&p, argv, &spec);
	return (p);
}

/* Waits for exit; returns the status, output in out (OUT_MAX bytes). */
static int
finish(struct pu_proc p, char *out)
{
	struct pu_result r;

	(void) pu_finish(&p, &r);
	(void) snprintf(out, OUT_MAX, "%s", r.out);
	pu_result_free(&r);
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
	struct pu_spec spec = { .in = PU_NULL, .out = PU_PIPE,
		.err = PU_TO_OUT };

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
	(void) snprintf(port, sizeof(port), "%d", pu_free_tcp_port());
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
	if (pu_runl(&spec, &out, "/bin/sh", "-ec",
	        "cd \"$(dirname \"$0\")\" && . ./dropin.sh", path, NULL) != 0 ||
	    strstr(out, "\"hello\"") == NULL) {
		fail_msg("the README's drop-in example failed:\n%s\nscript:\n%s",
		    out, script);
	}
	free(out);
}

static void
test_wrong_session_key_delivers_nothing(void **state)
{
	static char out_l[OUT_MAX], out_d[OUT_MAX];
	char        url[64];
	int         port = pu_free_tcp_port();
	const char *env_l[] = { "NNG_MPC_SESSION_ID=" SID,
		"NNG_MPC_SESSION_KEY=" KEY, NULL };
	/* Same session, another key: key confirmation fails, nothing flows. */
	const char *env_d[] = { "NNG_MPC_SESSION_ID=" SID,
		"NNG_MPC_SESSION_KEY="
		"ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		NULL };

	(void) state;
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
		struct pu_proc l = start(la, env_l), d;

		assert_true(wait_listening(port));
		d = start(da, env_d);
		/* The dial is refused: key confirmation (NNG_MPC_EKEYCONFIRM,
		 * transport error #67; nngcat prints only the number). */
		assert_int_equal(finish(d, out_d), 1);
		/* nngcat ends a receive timeout with status 0. */
		(void) finish(l, out_l);
	}
	if (strstr(out_d, "Unable to dial") == NULL ||
	    strstr(out_d, "#67") == NULL) {
		fail_msg("dialer output:\n%s", out_d);
	}
	assert_null(strstr(out_l, "must not arrive"));
}

static void
test_bad_environment_is_named(void **state)
{
	static char out[OUT_MAX];
	char        url[64];
	const char *bad_sid[] = { "NNG_MPC_SESSION_ID=0011", NULL };
	const char *no_key[]  = { "NNG_MPC_SESSION_ID=" SID, NULL };

	(void) state;
	url_of(url, sizeof(url), pu_free_tcp_port());
	{
		char *la[] = { (char *) nngcat, "--pair1", "--listen", url,
			"--cert", path("party1.pem"), "--key",
			path("party1.key"), "--cacert", path("ca.pem"), NULL };

		assert_int_not_equal(finish(start(la, bad_sid), out), 0);
		if (strstr(out, "nng-mpc: NNG_MPC_SESSION_ID: expected 32 hex "
		                "digits") == NULL) {
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
