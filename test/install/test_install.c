/*
 * `meson install` into a temporary DESTDIR, then used the way the README
 * says: the installed nngmpc makes certificates, a program outside the tree
 * is built with `cc app.c $(pkg-config --cflags --libs nng-mpc)` only and
 * sends one message over mpc+tls+tcp://, and every systemd unit of
 * plugin/nngmpc is installed, passes `systemd-analyze verify` and keeps
 * its hardening.  No LD_LIBRARY_PATH anywhere: every
 * binary must find its libraries through its runpath, and Debian's own
 * libnng.so.1 (no internals) in the default path must not be picked up.
 *
 * argv: meson, build dir, prefix, libdir, bindir, includedir, unit dir,
 * cc, pkg-config, app.c, systemd-analyze (or "" when not installed), the
 * units' source directory (plugin/nngmpc).
 */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "proc.h"
#include "test_util.h"

enum { A_MESON = 1, A_BUILD, A_PREFIX, A_LIBDIR, A_BINDIR, A_INCDIR,
	A_UNITDIR, A_CC, A_PKGCONFIG, A_APP, A_ANALYZE, A_UNITSRC, A_COUNT };

static char **args;
static char   tmp[64];        /* mkdtemp */
static char   root[256];      /* tmp/root: the DESTDIR */
static char   inst[512];      /* root + prefix: where the files are */

static const struct nngmpc_proc_spec spec = { .in = NNGMPC_PROC_NULL, .out = NNGMPC_PROC_PIPE,
	.err = NNGMPC_PROC_TO_OUT };

/* "<root><prefix>/<dir>/<name>"; dir may be absolute (then under root). */
static char *
at(const char *dir, const char *name)
{
	static char buf[8][1024];
	static int  i;

	i = (i + 1) % 8;
	if (dir[0] == '/') {
		(void) snprintf(buf[i], sizeof(buf[i]), "%s%s/%s", root, dir,
		    name);
	} else {
		(void) snprintf(buf[i], sizeof(buf[i]), "%s/%s/%s", inst, dir,
		    name);
	}
	return (buf[i]);
}

static int
run_sh(const char *script, char **out)
{
	return (nngmpc_proc_runl(&spec, out, "/bin/sh", "-c", script, NULL));
}


static int
group_setup(void **state)
{
	char *out = NULL;
	int   rc;

	(void) state;
	(void) snprintf(tmp, sizeof(tmp), "/tmp/nngmpc-install.XXXXXX");
	if (mkdtemp(tmp) == NULL) {
		return (-1);
	}
	(void) snprintf(root, sizeof(root), "%s/root", tmp);
	(void) snprintf(inst, sizeof(inst), "%s%s", root, args[A_PREFIX]);
	rc = nngmpc_proc_runl(&spec, &out, args[A_MESON], "install", "-C",
	    args[A_BUILD], "--no-rebuild", "--destdir", root, NULL);
	if (rc != 0) {
		fprintf(stderr, "meson install failed (%d):\n%s", rc, out);
	}
	free(out);
	return (rc == 0 ? 0 : -1);
}

static int
group_teardown(void **state)
{
	(void) state;
	return (ut_rmtree(tmp));
}

static bool
exists(const char *path)
{
	struct stat st;
	return (lstat(path, &st) == 0);
}

static void
test_layout(void **state)
{
	char        priv[600];
	char        link[64];
	ssize_t     n;
	const char *lib = args[A_LIBDIR];

	(void) state;
	(void) snprintf(priv, sizeof(priv), "%s/nng-mpc", lib);
	assert_true(exists(at(args[A_BINDIR], "nngmpc")));
	assert_true(exists(at(args[A_INCDIR], "nng_mpc.h")));
	assert_true(exists(at(args[A_INCDIR], "nng-mpc/nng/nng.h")));
	assert_true(exists(at(lib, "pkgconfig/nng-mpc.pc")));
	assert_true(exists(at(args[A_UNITDIR], "nngmpc-node@.service")));
	/* The module: versioned, with its SONAME link and link-time name. */
	n = readlink(at(lib, "libnngmpc.so.0"), link, sizeof(link) - 1);
	assert_true(n > 0);
	link[n] = '\0';
	assert_true(strncmp(link, "libnngmpc.so.0.", 15) == 0);
	assert_true(exists(at(lib, link)));
	assert_true(exists(at(lib, "libnngmpc.so")));
	/* NNG's library only in the private directory, never where it would
	 * replace the system's libnng. */
	assert_true(exists(at(priv, "libnng.so.1")));
	assert_true(exists(at(priv, "libnng.so")));
	assert_false(exists(at(lib, "libnng.so.1")));
	assert_false(exists(at(lib, "libnng.so")));
	assert_false(exists(at("lib", "libnng.so")));
}

/* Certificates from the installed tool, then the program built with
 * pkg-config alone sends one message to itself over mpc+tls+tcp://. */
static void
test_program_built_with_pkg_config(void **state)
{
	char  script[8192];
	char *out = NULL;
	int   rc;

	(void) state;
	(void) snprintf(script, sizeof(script), "%s/pki", tmp);
	rc = nngmpc_proc_runl(&spec, &out, at(args[A_BINDIR], "nngmpc"), "certs",
	    "--out", script, "--parties", "2", NULL);
	if (rc != 0) {
		fail_msg("installed nngmpc certs: %d\n%s", rc, out);
	}
	free(out);
	/* pkg-config relocated into the DESTDIR by its prefix variable: the
	 * runpaths in Libs move with it. */
	(void) snprintf(script, sizeof(script),
	    "set -e; cp '%s' '%s/app.c'; cd '%s'; "
	    "export PKG_CONFIG_PATH='%s'; "
	    "flags=$('%s' --define-variable=prefix='%s' --cflags --libs "
	    "nng-mpc); echo \"flags: $flags\"; "
	    "'%s' -Wall -o app app.c $flags; "
	    "./app '%s/pki/ca.pem' '%s/pki/party1.certkey.pem' "
	    "'%s/pki/party2.certkey.pem'",
	    args[A_APP], tmp, tmp, at(args[A_LIBDIR], "pkgconfig"),
	    args[A_PKGCONFIG], inst, args[A_CC], tmp, tmp, tmp);
	rc = run_sh(script, &out);
	if (rc != 0) {
		fail_msg("building or running the program failed (%d):\n%s", rc,
		    out);
	}
	if (strstr(out, "received 'hello from party 2' from party 2") ==
	    NULL) {
		fail_msg("the program did not report the message:\n%s", out);
	}
	free(out);
}

/* The hardening every unit must keep, each as a line of its own: its own
 * user (a throw-away one, or a named one), a read-only system, no new
 * privileges, a private /tmp, and its runtime directory. */
static void
expect_hardening(const char *unit)
{
	static const char *const any_of[][2] = {
		{ "DynamicUser=yes\n", "User=" },
		{ "ProtectSystem=strict\n", NULL },
		{ "NoNewPrivileges=yes\n", NULL },
		{ "PrivateTmp=yes\n", NULL },
		{ "RuntimeDirectory=", NULL },
	};
	char  line[1024];
	bool  seen[sizeof(any_of) / sizeof(any_of[0])] = { false };
	FILE *f = fopen(unit, "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		for (size_t i = 0; i < sizeof(any_of) / sizeof(any_of[0]); i++) {
			for (int k = 0; k < 2 && any_of[i][k] != NULL; k++) {
				seen[i] = seen[i] ||
				    strncmp(line, any_of[i][k],
				        strlen(any_of[i][k])) == 0;
			}
		}
	}
	assert_int_equal(fclose(f), 0);
	for (size_t i = 0; i < sizeof(any_of) / sizeof(any_of[0]); i++) {
		if (!seen[i]) {
			fail_msg("%s lacks %s", unit, any_of[i][0]);
		}
	}
}

/* The unit's ExecStart as systemd would run it for party 1 (%d: the
 * credentials, here a roster and certificates the installed tool made;
 * %t: the runtime root), with --check: the installed tool accepts the
 * unit's command line and the files it names. */
static void
expect_exec_start_checks(const char *unit)
{
	char  script[8192];
	char *out = NULL;
	int   rc;

	(void) snprintf(script, sizeof(script),
	    "set -e; b='%s'; c='%s/cred'; mkdir -p \"$c\" '%s/run/nngmpc/1'; "
	    "[ -f \"$c/roster\" ] || { \"$b/nngmpc\" roster new --parties 2 "
	    "--out \"$c/roster\" >/dev/null; \"$b/nngmpc\" certs --out \"$c\" "
	    "--roster \"$c/roster\" >/dev/null; }; "
	    "cmd=$(sed -n 's/^ExecStart=//p' '%s' | "
	    "sed \"s|%s/%s/nngmpc|$b/nngmpc|; s|%%d|$c|g; s|%%i|1|g; "
	    "s|%%t|%s/run|g\"); echo \"$cmd\"; $cmd --check",
	    at(args[A_BINDIR], ""), tmp, tmp, at(args[A_UNITDIR], unit),
	    args[A_PREFIX], args[A_BINDIR], tmp);
	rc = run_sh(script, &out);
	if (rc != 0 || strstr(out, ": ok: party 1 of 2") == NULL) {
		fail_msg("%s's ExecStart --check (%d):\n%s", unit, rc, out);
	}
	free(out);
}

/* Every unit of the source tree is installed; each, with ExecStart
 * pointed into the DESTDIR (verify checks the program exists), verifies
 * without a single message, keeps its hardening lines, scores as
 * systemd's "OK" (exposure below 2.0), and its command line passes the
 * installed tool's --check. */
static void
test_systemd_units_verify(void **state)
{
	char   script[8192];
	char  *out = NULL, *units = NULL, *unit, *save = NULL;
	int    rc;
	size_t n = 0;

	(void) state;
	if (args[A_ANALYZE][0] == '\0') {
		skip();
	}
	(void) snprintf(script, sizeof(script),
	    "cd '%s' && ls -1 *.service", args[A_UNITSRC]);
	assert_int_equal(run_sh(script, &units), 0);
	for (unit = strtok_r(units, "\n", &save); unit != NULL;
	     unit = strtok_r(NULL, "\n", &save), n++) {
		expect_hardening(at(args[A_UNITDIR], unit));
		(void) snprintf(script, sizeof(script),
		    "set -e; sed 's|%s/%s/nngmpc|%s/%s/nngmpc|' '%s' > "
		    "'%s/%s'; '%s' verify '%s/%s'; "
		    "'%s' security --offline=yes '%s/%s' | "
		    "grep 'Overall exposure level' | "
		    "sed 's/.*: \\([0-9.]*\\) .*/exposure \\1/' >&2",
		    args[A_PREFIX], args[A_BINDIR], inst, args[A_BINDIR],
		    at(args[A_UNITDIR], unit), tmp, unit, args[A_ANALYZE], tmp,
		    unit, args[A_ANALYZE], tmp, unit);
		rc = run_sh(script, &out);
		if (rc != 0 || strncmp(out, "exposure ", 9) != 0) {
			fail_msg("systemd-analyze %s (%d):\n%s", unit, rc, out);
		}
		if (strtod(out + 9, NULL) >= 2.0) {
			fail_msg("hardening of %s: %s", unit, out);
		}
		free(out);
		expect_exec_start_checks(unit);
	}
	assert_int_equal(n, 2); /* nngmpc-node@, nngmpc-sidecar@ */
	free(units);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_program_built_with_pkg_config),
		cmocka_unit_test(test_systemd_units_verify),
	};

	if (argc != A_COUNT) {
		fprintf(stderr, "usage: test_install meson builddir prefix "
		                "libdir bindir includedir unitdir cc pkg-config "
		                "app.c systemd-analyze|'' unit-source-dir\n");
		return (2);
	}
	args = argv;
	/* Only runpaths may find the libraries. */
	(void) unsetenv("LD_LIBRARY_PATH");
	(void) unsetenv("LD_PRELOAD");
	return (cmocka_run_group_tests(tests, group_setup, group_teardown));
}
