/*
 * `nngmpc node` and the files it reads, as a user meets them: a roster
 * others may read (refused, with the chmod to run), a roster owned by
 * someone else, a CA or cert+key file that is missing, a certificate given
 * where the cert+key file belongs, a cert+key file others may read.  Every
 * message names the file's path; nothing is started on a refused file.
 * Real files and the real tool; certificates from `nngmpc certs`.
 *
 * argv[1]: the nngmpc executable.
 */
#include <setjmp.h>
#include <stdarg.h>
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

#define SID "00112233445566778899aabbccddeeff"
#define KEY "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

static const char *nngmpc;
static char        dir[] = "/tmp/nngmpc-node-files-XXXXXX";

static const struct nngmpc_proc_spec run_spec = { .in = NNGMPC_PROC_NULL, .out = NNGMPC_PROC_PIPE,
	.err = NNGMPC_PROC_TO_OUT };

static char *
in_dir(const char *name)
{
	static char buf[8][256];
	static int  i;

	i = (i + 1) % 8;
	(void) snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return (buf[i]);
}

static void
write_file(const char *name, mode_t mode, const char *text)
{
	FILE *f = fopen(in_dir(name), "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(in_dir(name), mode), 0);
}

/* Runs `nngmpc node --roster DIR/roster --id 1`; returns its status and
 * its output in *out (freed by the caller). */
static int
node(char **out)
{
	return (nngmpc_proc_runl(&run_spec, out, nngmpc, "node", "--roster",
	    in_dir("roster"), "--id", "1", "--timeout", "2", NULL));
}

static int
setup(void **state)
{
	char *out = NULL;
	int   rc;

	(void) state;
	if (mkdtemp(dir) == NULL) {
		return (-1);
	}
	rc = nngmpc_proc_runl(&run_spec, &out, nngmpc, "certs", "--out", dir,
	    "--parties", "2", NULL);
	if (rc != 0) {
		fprintf(stderr, "nngmpc certs: %s", out);
	}
	free(out);
	return (rc == 0 ? 0 : -1);
}

static int
teardown(void **state)
{
	(void) state;
	return (ut_rmtree(dir));
}

/* A TLS roster with relative paths (they start at the roster's directory)
 * naming ca and our cert+key file. */
static void
tls_roster(const char *ca, const char *certkey)
{
	char text[1024];

	(void) snprintf(text, sizeof(text),
	    "session-id " SID "\nsession-key " KEY "\nca %s\n"
	    "party 1 127.0.0.1:1 %s\nparty 2 127.0.0.1:2\n",
	    ca, certkey);
	write_file("roster", 0600, text);
}

static void
test_roster_readable_by_others_is_refused(void **state)
{
	static const struct {
		mode_t      mode;
		const char *what;
	} modes[] = {
		{ 0644, "mode 0644 lets group or others read it" },
		{ 0640, "mode 0640 lets group or others read it" },
		{ 0604, "mode 0604 lets group or others read it" },
		{ 0620, "mode 0620 lets group or others write it" },
	};
	char  want[512];
	char *out;

	(void) state;
	tls_roster("ca.pem", "party1.certkey.pem");
	(void) snprintf(want, sizeof(want),
	    "nngmpc node: error: roster %s: ", in_dir("roster"));
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		assert_int_equal(chmod(in_dir("roster"), modes[i].mode), 0);
		assert_int_equal(node(&out), 1);
		ut_expect(out, want);
		ut_expect(out, modes[i].what);
		ut_expect(out, "and it holds the session key; run: chmod 600 ");
		ut_expect(out, in_dir("roster"));
		/* Refused before anything started. */
		assert_null(strstr(out, "listening"));
		free(out);
	}
	/* What the message says to run fixes it: the node gets past the
	 * check (and stops at the party ID it is given). */
	assert_int_equal(chmod(in_dir("roster"), 0600), 0);
	assert_int_equal(nngmpc_proc_runl(&run_spec, &out, nngmpc, "node", "--roster",
	                     in_dir("roster"), "--id", "9", NULL),
	    2);
	ut_expect(out, "party 9 is not in the roster");
	free(out);
}

static void
test_roster_of_another_user_is_refused(void **state)
{
	char *out;

	(void) state;
	if (geteuid() != 0) {
		skip(); /* only root can give a file away */
	}
	tls_roster("ca.pem", "party1.certkey.pem");
	assert_int_equal(chown(in_dir("roster"), 65534, (gid_t) -1), 0);
	assert_int_equal(node(&out), 1);
	ut_expect(out, in_dir("roster"));
	ut_expect(out, "owned by uid 65534, not by this user (uid 0) or root, "
	            "and it holds the session key; run: chown 0 ");
	free(out);
	assert_int_equal(chown(in_dir("roster"), 0, (gid_t) -1), 0);
}

static void
test_missing_files_are_named(void **state)
{
	char *out;
	char  want[512];

	(void) state;
	/* The missing roster itself. */
	assert_int_equal(nngmpc_proc_runl(&run_spec, &out, nngmpc, "node", "--roster",
	                     in_dir("nonexistent"), "--id", "1", NULL),
	    1);
	(void) snprintf(want, sizeof(want),
	    "%s: cannot open: No such file or directory", in_dir("nonexistent"));
	ut_expect(out, want);
	free(out);

	/* A missing CA, named relative to the roster: the path shown is
	 * where it was looked for. */
	tls_roster("missing-ca.pem", "party1.certkey.pem");
	assert_int_equal(node(&out), 1);
	(void) snprintf(want, sizeof(want),
	    "nngmpc node: error: %s: cannot open: No such file or directory",
	    in_dir("missing-ca.pem"));
	ut_expect(out, want);
	assert_null(strstr(out, "Entry not found"));
	free(out);

	/* A missing cert+key file. */
	tls_roster("ca.pem", "missing.certkey.pem");
	assert_int_equal(node(&out), 1);
	(void) snprintf(want, sizeof(want),
	    "nngmpc node: error: %s: cannot open: No such file or directory",
	    in_dir("missing.certkey.pem"));
	ut_expect(out, want);
	free(out);
}

static void
test_certificate_without_key_is_named(void **state)
{
	char *out;
	char  want[512];

	(void) state;
	/* party1.pem is the certificate alone; copy it private so only the
	 * missing key is wrong. */
	assert_int_equal(nngmpc_proc_runl(&run_spec, &out, "/bin/cp", in_dir("party1.pem"),
	                     in_dir("cert-only.pem"), NULL),
	    0);
	free(out);
	assert_int_equal(chmod(in_dir("cert-only.pem"), 0600), 0);
	tls_roster("ca.pem", "cert-only.pem");
	assert_int_equal(node(&out), 1);
	(void) snprintf(want, sizeof(want),
	    "nngmpc node: error: %s holds a certificate but no private key",
	    in_dir("cert-only.pem"));
	ut_expect(out, want);
	assert_null(strstr(out, "wrong password"));
	free(out);

	/* The key alone where the cert+key file belongs. */
	tls_roster("ca.pem", "party1.key");
	assert_int_equal(node(&out), 1);
	ut_expect(out, "holds a private key but no certificate");
	free(out);

	/* A CA file that is not a certificate. */
	tls_roster("party1.key", "party1.certkey.pem");
	assert_int_equal(node(&out), 1);
	ut_expect(out, "holds no PEM certificate");
	free(out);
}

static void
test_certkey_readable_by_others_is_refused(void **state)
{
	char *out;

	(void) state;
	tls_roster("ca.pem", "party1.certkey.pem");
	assert_int_equal(chmod(in_dir("party1.certkey.pem"), 0644), 0);
	assert_int_equal(node(&out), 1);
	ut_expect(out, in_dir("party1.certkey.pem"));
	ut_expect(out, "mode 0644 lets group or others read it, and it holds a "
	            "private key; run: chmod 600 ");
	free(out);
	assert_int_equal(chmod(in_dir("party1.certkey.pem"), 0600), 0);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roster_readable_by_others_is_refused),
		cmocka_unit_test(test_roster_of_another_user_is_refused),
		cmocka_unit_test(test_missing_files_are_named),
		cmocka_unit_test(test_certificate_without_key_is_named),
		cmocka_unit_test(test_certkey_readable_by_others_is_refused),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: test_node_files <nngmpc>\n");
		return (2);
	}
	nngmpc = argv[1];
	return (cmocka_run_group_tests(tests, setup, teardown));
}
