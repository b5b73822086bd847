/*
 * Tests for `nngmpc certs`: the built tool runs as a real subprocess and
 * its output is checked with Debian's openssl CLI, an implementation
 * independent of the wolfSSL code that made the certificates.
 *
 * argv[1]: the nngmpc executable; argv[2]: the openssl executable.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
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

#define NPARTIES 3
#define MAXARGS 32

static const char *tool;
static const char *openssl;
static char        root[64];  /* mkdtemp: everything below it */
static char        dir[128];  /* the main output: CA + parties 1..3 */

static char *
slurp_fd(int fd)
{
	size_t cap = 4096, len = 0;
	char  *buf = malloc(cap);
	ssize_t n;

	assert_non_null(buf);
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t) n;
		if (cap - len < 2) {
			cap *= 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
	}
	buf[len] = '\0';
	return (buf);
}

/* stdin /dev/null, stdout and stderr captured apart. */
static const struct nngmpc_proc_spec run_spec = { .in = NNGMPC_PROC_NULL,
	.out                                          = NNGMPC_PROC_PIPE,
	.err                                          = NNGMPC_PROC_PIPE };

/* run(prog, arg, ..., NULL) */
static struct nngmpc_proc_result
run(const char *prog, ...)
{
	struct nngmpc_proc_result r;
	va_list          ap;

	va_start(ap, prog);
	(void) nngmpc_proc_runv(&run_spec, &r, prog, ap);
	va_end(ap);
	return (r);
}

static void
path_in(char *buf, size_t len, const char *d, const char *name)
{
	(void) snprintf(buf, len, "%s/%s", d, name);
}

static char *
read_file(const char *path)
{
	int   fd = open(path, O_RDONLY);
	char *s;

	assert_true(fd >= 0);
	s = slurp_fd(fd);
	close(fd);
	return (s);
}

static void
expect_contains(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL) {
		fail_msg("expected \"%s\" in:\n%s", needle, hay);
	}
}

static int
rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void) sb;
	(void) flag;
	(void) ftw;
	return (remove(p));
}

static int
setup(void **state)
{
	struct nngmpc_proc_result r;
	char             n[16];

	(void) state;
	(void) snprintf(root, sizeof(root), "/tmp/nngmpc-certs.XXXXXX");
	if (mkdtemp(root) == NULL) {
		return (-1);
	}
	(void) snprintf(dir, sizeof(dir), "%s/main", root);
	(void) snprintf(n, sizeof(n), "%d", NPARTIES);
	r = run(tool, "certs", "--out", dir, "--parties", n, NULL);
	if (r.status != 0) {
		fprintf(stderr, "setup: nngmpc certs failed:\n%s", r.err);
		nngmpc_proc_result_free(&r);
		return (-1);
	}
	nngmpc_proc_result_free(&r);
	return (0);
}

static int
teardown(void **state)
{
	(void) state;
	return (nftw(root, rm_cb, 16, FTW_DEPTH | FTW_PHYS));
}

/* --- help ----------------------------------------------------------------- */

static void
test_tool_help(void **state)
{
	struct nngmpc_proc_result r;

	(void) state;
	r = run(tool, "--help", NULL);
	assert_int_equal(r.status, 0);
	expect_contains(r.out, "Usage: nngmpc <command>");
	expect_contains(r.out, "certs");
	nngmpc_proc_result_free(&r);

	r = run(tool, NULL); /* no command: usage on stderr, exit 2 */
	assert_int_equal(r.status, 2);
	expect_contains(r.err, "Usage: nngmpc");
	nngmpc_proc_result_free(&r);

	r = run(tool, "frobnicate", NULL);
	assert_int_equal(r.status, 2);
	expect_contains(r.err, "unknown command 'frobnicate'");
	expect_contains(r.err, "nngmpc --help");
	nngmpc_proc_result_free(&r);

	r = run(tool, "--version", NULL);
	assert_int_equal(r.status, 0);
	expect_contains(r.out, "nngmpc ");
	nngmpc_proc_result_free(&r);
}

static void
test_certs_help(void **state)
{
	struct nngmpc_proc_result r;
	struct nngmpc_proc_result h;

	(void) state;
	r = run(tool, "certs", "--help", NULL);
	assert_int_equal(r.status, 0);
	expect_contains(r.out, "Usage: nngmpc certs --out DIR --parties N");
	expect_contains(r.out, "--first-id");
	expect_contains(r.out, "--ca-days");
	expect_contains(r.out, "--force");
	expect_contains(r.out, "mpc://party/<ID>");
	expect_contains(r.out, "CA is reused");
	expect_contains(r.out, "certkey.pem");
	assert_string_equal(r.err, "");

	h = run(tool, "help", "certs", NULL); /* same text */
	assert_int_equal(h.status, 0);
	assert_string_equal(h.out, r.out);
	nngmpc_proc_result_free(&h);
	nngmpc_proc_result_free(&r);
}

/* --- what was generated --------------------------------------------------- */

static void
test_openssl_verifies_parties(void **state)
{
	char ca[192], pem[192], name[32];
	int  i;

	(void) state;
	path_in(ca, sizeof(ca), dir, "ca.pem");
	for (i = 1; i <= NPARTIES; i++) {
		struct nngmpc_proc_result r;
		char             ok[224];

		(void) snprintf(name, sizeof(name), "party%d.pem", i);
		path_in(pem, sizeof(pem), dir, name);
		r = run(openssl, "verify", "-CAfile", ca, pem, NULL);
		assert_int_equal(r.status, 0);
		(void) snprintf(ok, sizeof(ok), "%s: OK", pem);
		expect_contains(r.out, ok);
		nngmpc_proc_result_free(&r);
	}
}

/* The SAN is exactly URI:mpc://party/N, DNS:localhost, IP 127.0.0.1: one
 * URI entry, no other. */
static void
test_san_exact(void **state)
{
	int i;

	(void) state;
	for (i = 1; i <= NPARTIES; i++) {
		char             pem[192], name[32], want[64];
		struct nngmpc_proc_result r;
		char            *line;
		char            *tok;
		char            *save = NULL;
		int              uris = 0;

		(void) snprintf(name, sizeof(name), "party%d.pem", i);
		path_in(pem, sizeof(pem), dir, name);
		r = run(openssl, "x509", "-in", pem, "-noout", "-ext",
		    "subjectAltName", NULL);
		assert_int_equal(r.status, 0);
		line = strchr(r.out, '\n');
		assert_non_null(line);
		line += strspn(line, " \n");
		line[strcspn(line, "\n")] = '\0';
		(void) snprintf(want, sizeof(want), "URI:mpc://party/%d", i);
		for (tok = strtok_r(line, ",", &save); tok != NULL;
		     tok = strtok_r(NULL, ",", &save)) {
			tok += strspn(tok, " ");
			if (strncmp(tok, "URI:", 4) == 0) {
				uris++;
				assert_string_equal(tok, want);
			} else if (strcmp(tok, "DNS:localhost") != 0 &&
			    strcmp(tok, "IP Address:127.0.0.1") != 0) {
				fail_msg("unexpected SAN entry '%s'", tok);
			}
		}
		assert_int_equal(uris, 1);
		nngmpc_proc_result_free(&r);
	}
}

static void
test_keys_match_certs(void **state)
{
	const char *names[NPARTIES + 1][2] = {
		{ "ca.pem", "ca.key" },
		{ "party1.pem", "party1.key" },
		{ "party2.pem", "party2.key" },
		{ "party3.pem", "party3.key" },
	};
	size_t i;

	(void) state;
	for (i = 0; i < NPARTIES + 1; i++) {
		char             pem[192], key[192];
		struct nngmpc_proc_result c, k;
		char            *head;

		path_in(pem, sizeof(pem), dir, names[i][0]);
		path_in(key, sizeof(key), dir, names[i][1]);
		head = read_file(key);
		/* PKCS#8, which NNG's engines and nngcat --key read */
		assert_int_equal(strncmp(head, "-----BEGIN PRIVATE KEY-----\n",
		                     28), 0);
		free(head);
		c = run(openssl, "x509", "-in", pem, "-noout", "-pubkey", NULL);
		k = run(openssl, "pkey", "-in", key, "-pubout", NULL);
		assert_int_equal(c.status, 0);
		assert_int_equal(k.status, 0);
		expect_contains(c.out, "-----BEGIN PUBLIC KEY-----");
		assert_string_equal(c.out, k.out);
		nngmpc_proc_result_free(&c);
		nngmpc_proc_result_free(&k);
		k = run(openssl, "pkey", "-in", key, "-noout", "-text", NULL);
		assert_int_equal(k.status, 0);
		expect_contains(k.out, "NIST CURVE: P-256");
		nngmpc_proc_result_free(&k);
	}
}

/* party<N>.certkey.pem is exactly party<N>.pem followed by party<N>.key. */
static void
test_certkey_file(void **state)
{
	int i;

	(void) state;
	for (i = 1; i <= NPARTIES; i++) {
		char  p[192], n[40];
		char *pem, *key, *ck, *cat;

		(void) snprintf(n, sizeof(n), "party%d.pem", i);
		path_in(p, sizeof(p), dir, n);
		pem = read_file(p);
		(void) snprintf(n, sizeof(n), "party%d.key", i);
		path_in(p, sizeof(p), dir, n);
		key = read_file(p);
		(void) snprintf(n, sizeof(n), "party%d.certkey.pem", i);
		path_in(p, sizeof(p), dir, n);
		ck  = read_file(p);
		cat = malloc(strlen(pem) + strlen(key) + 1);
		assert_non_null(cat);
		strcpy(cat, pem);
		strcat(cat, key);
		assert_string_equal(ck, cat);
		free(cat);
		free(ck);
		free(key);
		free(pem);
	}
}

static void
test_file_modes(void **state)
{
	static const struct {
		const char *name;
		mode_t      mode;
	} files[] = {
		{ "ca.key", 0600 },
		{ "ca.pem", 0644 },
		{ "party1.key", 0600 },
		{ "party1.pem", 0644 },
		{ "party1.certkey.pem", 0600 },
		{ "party3.key", 0600 },
		{ "party3.certkey.pem", 0600 },
	};
	size_t      i;
	struct stat st;
	char        p[192];

	(void) state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		path_in(p, sizeof(p), dir, files[i].name);
		assert_int_equal(stat(p, &st), 0);
		assert_true(S_ISREG(st.st_mode));
		if ((st.st_mode & 0777) != files[i].mode) {
			fail_msg("%s: mode %o, want %o", files[i].name,
			    (unsigned) (st.st_mode & 0777),
			    (unsigned) files[i].mode);
		}
	}
	/* the directory was created private */
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
}

static void
test_ca_profile(void **state)
{
	char             ca[192];
	struct nngmpc_proc_result r;

	(void) state;
	path_in(ca, sizeof(ca), dir, "ca.pem");
	r = run(openssl, "x509", "-in", ca, "-noout", "-subject", "-ext",
	    "basicConstraints,keyUsage,subjectKeyIdentifier", NULL);
	assert_int_equal(r.status, 0);
	expect_contains(r.out, "CN = nng-mpc CA");
	expect_contains(r.out, "CA:TRUE, pathlen:0");
	expect_contains(r.out, "Certificate Sign, CRL Sign");
	expect_contains(r.out, "Subject Key Identifier");
	nngmpc_proc_result_free(&r);

	/* default CA validity is 10 years: valid in 9.9 years, not 10.1 */
	r = run(openssl, "x509", "-in", ca, "-noout", "-checkend", "312000000",
	    NULL);
	assert_int_equal(r.status, 0);
	nngmpc_proc_result_free(&r);
	r = run(openssl, "x509", "-in", ca, "-noout", "-checkend", "319000000",
	    NULL);
	assert_int_equal(r.status, 1);
	nngmpc_proc_result_free(&r);
}

static void
test_party_profile(void **state)
{
	char             pem[192];
	char             serials[NPARTIES][64];
	struct nngmpc_proc_result r;
	int              i, j;

	(void) state;
	path_in(pem, sizeof(pem), dir, "party2.pem");
	r = run(openssl, "x509", "-in", pem, "-noout", "-subject", "-issuer",
	    "-ext",
	    "basicConstraints,keyUsage,extendedKeyUsage,"
	    "subjectKeyIdentifier,authorityKeyIdentifier",
	    NULL);
	assert_int_equal(r.status, 0);
	expect_contains(r.out, "subject=O = nng-mpc, CN = party-2");
	expect_contains(r.out, "issuer=O = nng-mpc, CN = nng-mpc CA");
	expect_contains(r.out, "CA:FALSE");
	expect_contains(r.out, "Digital Signature");
	expect_contains(r.out, "TLS Web Server Authentication, TLS Web Client "
	                       "Authentication");
	expect_contains(r.out, "Subject Key Identifier");
	expect_contains(r.out, "Authority Key Identifier");
	nngmpc_proc_result_free(&r);

	/* default 365 days: valid in 364 days, expired in 366 */
	r = run(openssl, "x509", "-in", pem, "-noout", "-checkend", "31449600",
	    NULL);
	assert_int_equal(r.status, 0);
	nngmpc_proc_result_free(&r);
	r = run(openssl, "x509", "-in", pem, "-noout", "-checkend", "31622400",
	    NULL);
	assert_int_equal(r.status, 1);
	nngmpc_proc_result_free(&r);

	/* serials: 16 random bytes, positive, distinct */
	for (i = 0; i < NPARTIES; i++) {
		char name[32];

		(void) snprintf(name, sizeof(name), "party%d.pem", i + 1);
		path_in(pem, sizeof(pem), dir, name);
		r = run(openssl, "x509", "-in", pem, "-noout", "-serial", NULL);
		assert_int_equal(r.status, 0);
		assert_int_equal(strncmp(r.out, "serial=", 7), 0);
		r.out[strcspn(r.out, "\n")] = '\0';
		assert_int_equal(strlen(r.out + 7), 32);
		assert_true(strchr("01234567", r.out[7]) != NULL);
		(void) snprintf(serials[i], sizeof(serials[i]), "%s", r.out + 7);
		for (j = 0; j < i; j++) {
			assert_string_not_equal(serials[i], serials[j]);
		}
		nngmpc_proc_result_free(&r);
	}
}

/* --- existing files ------------------------------------------------------- */

static void
test_refuses_overwrite(void **state)
{
	char             p[192];
	char            *before, *after, *ca_before, *ca_after;
	struct nngmpc_proc_result r;

	(void) state;
	path_in(p, sizeof(p), dir, "party1.pem");
	before = read_file(p);
	path_in(p, sizeof(p), dir, "ca.pem");
	ca_before = read_file(p);

	r = run(tool, "certs", "--out", dir, "--parties", "1", NULL);
	assert_int_equal(r.status, 1);
	expect_contains(r.err, "party1.pem already exists");
	expect_contains(r.err, "--force");
	assert_string_equal(r.out, "");
	nngmpc_proc_result_free(&r);

	path_in(p, sizeof(p), dir, "party1.pem");
	after = read_file(p);
	assert_string_equal(before, after);
	path_in(p, sizeof(p), dir, "ca.pem");
	ca_after = read_file(p);
	assert_string_equal(ca_before, ca_after);
	free(before);
	free(after);
	free(ca_before);
	free(ca_after);
}

/* An existing CA is reused: new parties verify against the same ca.pem. */
static void
test_reuses_ca(void **state)
{
	char             ca[192], p4[192], p5[192];
	char            *before, *after;
	struct nngmpc_proc_result r;

	(void) state;
	path_in(ca, sizeof(ca), dir, "ca.pem");
	before = read_file(ca);
	r = run(tool, "certs", "--out", dir, "--parties", "2", "--first-id",
	    "4", NULL);
	assert_int_equal(r.status, 0);
	expect_contains(r.out, "reusing");
	nngmpc_proc_result_free(&r);
	after = read_file(ca);
	assert_string_equal(before, after);
	free(before);
	free(after);

	path_in(p4, sizeof(p4), dir, "party4.pem");
	path_in(p5, sizeof(p5), dir, "party5.pem");
	r = run(openssl, "verify", "-CAfile", ca, p4, p5, NULL);
	assert_int_equal(r.status, 0);
	nngmpc_proc_result_free(&r);
	r = run(openssl, "x509", "-in", p5, "-noout", "-ext", "subjectAltName",
	    NULL);
	expect_contains(r.out, "URI:mpc://party/5,");
	nngmpc_proc_result_free(&r);
}

/* --force replaces files (and the CA), and a replaced key file is 0600
 * even if the old one was not. */
static void
test_force_replaces(void **state)
{
	char             d[160], ca[192], key[192], pem[192];
	char            *before, *after;
	struct stat      st;
	struct nngmpc_proc_result r;

	(void) state;
	(void) snprintf(d, sizeof(d), "%s/force", root);
	r = run(tool, "certs", "--out", d, "--parties", "1", NULL);
	assert_int_equal(r.status, 0);
	nngmpc_proc_result_free(&r);
	path_in(ca, sizeof(ca), d, "ca.pem");
	path_in(key, sizeof(key), d, "party1.key");
	path_in(pem, sizeof(pem), d, "party1.pem");
	before = read_file(ca);
	assert_int_equal(chmod(key, 0644), 0);

	r = run(tool, "certs", "--out", d, "--parties", "1", "--force", NULL);
	assert_int_equal(r.status, 0);
	expect_contains(r.out, "CA: created");
	nngmpc_proc_result_free(&r);
	after = read_file(ca);
	assert_string_not_equal(before, after);
	assert_int_equal(stat(key, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	r = run(openssl, "verify", "-CAfile", ca, pem, NULL);
	assert_int_equal(r.status, 0);
	nngmpc_proc_result_free(&r);
	free(before);
	free(after);
}

/* --- errors ----------------------------------------------------------------- */

/* Each bad command line: exit 2, the message names the problem, points to
 * --help, and nothing is created. */
static void
test_bad_arguments(void **state)
{
	static const struct {
		const char *args[8];
		const char *msg;
	} cases[] = {
		{ { "--parties", "2" }, "--out DIR is required" },
		{ { "--out", "@" }, "--parties N is required" },
		{ { "--out", "@", "--parties", "0" }, "--parties '0'" },
		{ { "--out", "@", "--parties", "1025" }, "--parties '1025'" },
		{ { "--out", "@", "--parties", "abc" }, "--parties 'abc'" },
		{ { "--out", "@", "--parties", "-1" }, "--parties '-1'" },
		{ { "--out", "@", "--parties", "02" }, "--parties '02'" },
		{ { "--out", "@", "--parties", "2", "--first-id", "0" },
		    "--first-id '0'" },
		{ { "--out", "@", "--parties", "1", "--first-id",
		      "4294967295" },
		    "--first-id '4294967295'" },
		{ { "--out", "@", "--parties", "1", "--first-id", "+3" },
		    "--first-id '+3'" },
		{ { "--out", "@", "--parties", "2", "--first-id",
		      "4294967294" },
		    "goes past the largest party ID" },
		{ { "--out", "@", "--parties", "1", "--days", "0" },
		    "--days '0'" },
		{ { "--out", "@", "--parties", "1", "--ca-days", "36501" },
		    "--ca-days '36501'" },
		{ { "--out", "@", "--parties", "1", "--days", "400",
		      "--ca-days", "300" },
		    "would outlive the new CA" },
		{ { "--out", "@", "--parties", "1", "--bogus" },
		    "unknown option '--bogus'" },
		{ { "--out", "@", "--parties", "1", "stray" },
		    "unexpected argument 'stray'" },
		{ { "--out", "@", "--parties" }, "needs a value" },
	};
	char   d[160];
	size_t i, j;

	(void) state;
	(void) snprintf(d, sizeof(d), "%s/never", root);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char            *argv[MAXARGS] = { (char *) tool, "certs" };
		int              n             = 2;
		struct nngmpc_proc_result r;
		struct stat      st;

		for (j = 0; j < 8 && cases[i].args[j] != NULL; j++) {
			argv[n++] = strcmp(cases[i].args[j], "@") == 0
			    ? d
			    : (char *) cases[i].args[j];
		}
		argv[n] = NULL;
		(void) nngmpc_proc_run(argv, &run_spec, &r);
		if (r.status != 2) {
			fail_msg("case %zu: exit %d, stderr:\n%s", i, r.status,
			    r.err);
		}
		expect_contains(r.err, "nngmpc certs: error: ");
		expect_contains(r.err, cases[i].msg);
		expect_contains(r.err, "nngmpc certs --help");
		/* a usage error comes before any work: nothing created */
		assert_int_not_equal(stat(d, &st), 0);
		assert_string_equal(r.out, "");
		nngmpc_proc_result_free(&r);
	}
}

static void
test_bad_directories(void **state)
{
	char             f[160], d[160], sub[192], p[192];
	struct nngmpc_proc_result r;
	int              fd;

	(void) state;
	/* --out is a regular file */
	(void) snprintf(f, sizeof(f), "%s/plainfile", root);
	fd = open(f, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	close(fd);
	r = run(tool, "certs", "--out", f, "--parties", "1", NULL);
	assert_int_equal(r.status, 1);
	expect_contains(r.err, "is not a directory");
	expect_contains(r.err, "hint: ");
	nngmpc_proc_result_free(&r);

	/* parent does not exist */
	(void) snprintf(sub, sizeof(sub), "%s/missing/certs", root);
	r = run(tool, "certs", "--out", sub, "--parties", "1", NULL);
	assert_int_equal(r.status, 1);
	expect_contains(r.err, "cannot create directory");
	expect_contains(r.err, "parent directory does not exist");
	nngmpc_proc_result_free(&r);

	/* ca.pem without ca.key: refused, nothing written */
	(void) snprintf(d, sizeof(d), "%s/halfca", root);
	assert_int_equal(mkdir(d, 0700), 0);
	path_in(p, sizeof(p), dir, "ca.pem");
	{
		char *ca = read_file(p);
		path_in(p, sizeof(p), d, "ca.pem");
		fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, ca, strlen(ca)), (ssize_t) strlen(ca));
		close(fd);
		free(ca);
	}
	r = run(tool, "certs", "--out", d, "--parties", "1", NULL);
	assert_int_equal(r.status, 1);
	expect_contains(r.err, "ca.pem exists but");
	expect_contains(r.err, "ca.key does not");
	nngmpc_proc_result_free(&r);
	path_in(p, sizeof(p), d, "party1.pem");
	assert_int_equal(access(p, F_OK), -1);

	/* a ca.key that is not the CA's key: refused */
	{
		char  src[192];
		char *key;

		path_in(src, sizeof(src), dir, "party1.key");
		key = read_file(src);
		path_in(p, sizeof(p), d, "ca.key");
		fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		assert_true(fd >= 0);
		assert_int_equal(
		    write(fd, key, strlen(key)), (ssize_t) strlen(key));
		close(fd);
		free(key);
	}
	r = run(tool, "certs", "--out", d, "--parties", "1", NULL);
	assert_int_equal(r.status, 1);
	expect_contains(r.err, "CA key does not belong to the CA certificate");
	expect_contains(r.err, "--force");
	nngmpc_proc_result_free(&r);
	path_in(p, sizeof(p), d, "party1.pem");
	assert_int_equal(access(p, F_OK), -1);

	/* a reused CA bounds party validity */
	r = run(tool, "certs", "--out", dir, "--parties", "1", "--first-id",
	    "9", "--days", "36500", NULL);
	assert_int_equal(r.status, 1);
	expect_contains(r.err, "would outlive the CA");
	nngmpc_proc_result_free(&r);
	path_in(p, sizeof(p), dir, "party9.pem");
	assert_int_equal(access(p, F_OK), -1);
}

/* --- usable for TLS 1.3 mutual authentication ------------------------------ */

static void
test_openssl_mutual_tls13(void **state)
{
	/* s_server quits at EOF on stdin: keep a pipe open */
	static const struct nngmpc_proc_spec srv_spec = { .in =
		                                              NNGMPC_PROC_PIPE,
		.out = NNGMPC_PROC_PIPE,
		.err = NNGMPC_PROC_TO_OUT };
	char             ca[192], c1[192], k1[192], c2[192], k2[192];
	char             port[16] = "";
	char             hostport[32];
	char            *argv[] = { (char *) openssl, "s_server", "-accept",
		   "127.0.0.1:0", "-naccept", "1", "-tls1_3", "-cert", c1,
		   "-key", k1, "-CAfile", ca, "-Verify", "1",
		   "-verify_return_error", NULL };
	struct nngmpc_proc        srv;
	struct nngmpc_proc_result r, sr;
	const char      *a;

	(void) state;
	path_in(ca, sizeof(ca), dir, "ca.pem");
	path_in(c1, sizeof(c1), dir, "party1.pem");
	path_in(k1, sizeof(k1), dir, "party1.key");
	path_in(c2, sizeof(c2), dir, "party2.pem");
	path_in(k2, sizeof(k2), dir, "party2.key");
	assert_int_equal(nngmpc_proc_spawn(&srv, argv, &srv_spec), 0);
	/* wait for "ACCEPT 127.0.0.1:<port>" (bounded, not a timing check) */
	if ((a = nngmpc_proc_read_until(
	         &srv, "ACCEPT 127.0.0.1:", true, 10000)) != NULL) {
		(void) snprintf(port, sizeof(port), "%.*s",
		    (int) strcspn(a + 17, "\n"), a + 17);
	}
	if (port[0] == '\0') {
		kill(srv.pid, SIGTERM);
		(void) nngmpc_proc_reap(&srv, 10000);
		fail_msg("openssl s_server did not start");
	}
	(void) snprintf(hostport, sizeof(hostport), "127.0.0.1:%s", port);
	r = run(openssl, "s_client", "-connect", hostport, "-tls1_3", "-cert",
	    c2, "-key", k2, "-CAfile", ca, "-verify_return_error",
	    "-verify_hostname", "localhost", "-brief", NULL);
	/* server: EOF on stdin after its one connection */
	assert_int_equal(nngmpc_proc_finish(&srv, &sr), 0);

	if (r.status != 0) {
		fail_msg("s_client exit %d:\n%s\n%s\nserver:\n%s", r.status,
		    r.out, r.err, sr.out);
	}
	expect_contains(r.err, "Protocol version: TLSv1.3");
	expect_contains(r.err, "Verification: OK");
	expect_contains(r.err, "Verified peername: localhost");
	expect_contains(r.err, "Peer certificate: O = nng-mpc, CN = party-1");
	/* the server verified the client's certificate */
	assert_int_equal(sr.status, 0);
	expect_contains(sr.out, "subject=O = nng-mpc, CN = party-2");
	expect_contains(sr.out, "1 server accepts that finished");
	nngmpc_proc_result_free(&sr);
	nngmpc_proc_result_free(&r);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tool_help),
		cmocka_unit_test(test_certs_help),
		cmocka_unit_test(test_openssl_verifies_parties),
		cmocka_unit_test(test_san_exact),
		cmocka_unit_test(test_keys_match_certs),
		cmocka_unit_test(test_certkey_file),
		cmocka_unit_test(test_file_modes),
		cmocka_unit_test(test_ca_profile),
		cmocka_unit_test(test_party_profile),
		cmocka_unit_test(test_refuses_overwrite),
		cmocka_unit_test(test_reuses_ca),
		cmocka_unit_test(test_force_replaces),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_bad_directories),
		cmocka_unit_test(test_openssl_mutual_tls13),
	};

	if (argc != 3) {
		fprintf(stderr, "usage: %s NNGMPC OPENSSL\n", argv[0]);
		return (2);
	}
	tool    = argv[1];
	openssl = argv[2];
	return (cmocka_run_group_tests(tests, setup, teardown));
}
