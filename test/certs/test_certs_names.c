/*
 * `nngmpc certs` for parties on several hosts: --dns/--ip names (and the
 * localhost defaults only when none are given), --party with names of its
 * own, --roster (each party named as the roster reaches it), and `nngmpc
 * certs sign` of a request made by Debian's openssl, whose key never
 * leaves "its host": the chain verifies with `openssl verify`, the
 * certificate carries mpc://party/<id>, and two real `nngmpc node`
 * processes run a session over mpc+tls+tcp:// with it.
 *
 * argv[1]: the nngmpc executable; argv[2]: the openssl executable.
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

static const char *nngmpc, *openssl;
static char        dir[] = "/tmp/nngmpc-certs-names-XXXXXX";

static const struct nngmpc_proc_spec spec = { .in = NNGMPC_PROC_NULL, .out = NNGMPC_PROC_PIPE,
	.err = NNGMPC_PROC_TO_OUT };

static char *
in_dir(const char *name)
{
	static char buf[16][256];
	static int  i;

	i = (i + 1) % 16;
	(void) snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return (buf[i]);
}

/* The certificate's subjectAltNames, as openssl prints them, are exactly
 * `want` (nothing after it on the line). */
static void
expect_sans(const char *cert, const char *want)
{
	char       *s = NULL;
	const char *hit;

	assert_int_equal(nngmpc_proc_runl(&spec, &s, openssl, "x509", "-in", cert,
	                     "-noout", "-ext", "subjectAltName", NULL),
	    0);
	hit = strstr(s, want);
	if (hit == NULL || hit[strlen(want)] != '\n') {
		fail_msg("expected exactly \"%s\" in:\n%s", want, s);
	}
	free(s);
}

static void
expect_verifies(const char *cert)
{
	char *out = NULL;

	if (nngmpc_proc_runl(&spec, &out, openssl, "verify", "-CAfile",
	        in_dir("pki/ca.pem"), cert, NULL) != 0) {
		fail_msg("openssl verify %s:\n%s", cert, out);
	}
	free(out);
}

static int
setup(void **state)
{
	(void) state;
	return (mkdtemp(dir) != NULL ? 0 : -1);
}

static int
teardown(void **state)
{
	(void) state;
	return (ut_rmtree(dir));
}

static void
test_names_per_party(void **state)
{
	char *out = NULL;

	(void) state;
	assert_int_equal(nngmpc_proc_runl(&spec, &out, nngmpc, "certs", "--out",
	                     in_dir("pki"), "--party", "1", "--dns",
	                     "node1.example", "--ip", "10.0.0.1", "--party",
	                     "2", "--dns", "NODE2.Example", "--ip", "fd00::2",
	                     NULL),
	    0);
	ut_expect(out, "(node1.example, 10.0.0.1)");
	free(out);
	expect_sans(in_dir("pki/party1.pem"),
	    "URI:mpc://party/1, DNS:node1.example, IP Address:10.0.0.1");
	expect_sans(in_dir("pki/party2.pem"),
	    "URI:mpc://party/2, DNS:node2.example, IP "
	    "Address:FD00:0:0:0:0:0:0:2");
	expect_verifies(in_dir("pki/party1.pem"));
	expect_verifies(in_dir("pki/party2.pem"));
}

static void
test_names_for_every_party_and_defaults(void **state)
{
	char *out = NULL;

	(void) state;
	/* Names before any --party / with --parties: every party's. */
	assert_int_equal(nngmpc_proc_runl(&spec, &out, nngmpc, "certs", "--out",
	                     in_dir("every"), "--parties", "2", "--dns",
	                     "mpc.example", NULL),
	    0);
	free(out);
	expect_sans(in_dir("every/party1.pem"),
	    "URI:mpc://party/1, DNS:mpc.example");
	expect_sans(in_dir("every/party2.pem"),
	    "URI:mpc://party/2, DNS:mpc.example");
	/* None given: the one-machine defaults. */
	assert_int_equal(nngmpc_proc_runl(&spec, &out, nngmpc, "certs", "--out",
	                     in_dir("local"), "--parties", "1", NULL),
	    0);
	free(out);
	expect_sans(in_dir("local/party1.pem"),
	    "URI:mpc://party/1, DNS:localhost, IP Address:127.0.0.1");
}

static void
test_bad_names_are_refused(void **state)
{
	static const char *const bad[][2] = {
		{ "--dns", "-node.example" },
		{ "--dns", "node_1.example" },
		{ "--dns", "a..example" },
		{ "--ip", "10.0.0.256" },
		{ "--ip", "node1.example" },
	};
	char *out = NULL;

	(void) state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(nngmpc_proc_runl(&spec, &out, nngmpc, "certs", "--out",
		                     in_dir("bad"), "--parties", "1", bad[i][0],
		                     bad[i][1], NULL),
		    2);
		ut_expect(out, bad[i][1]);
		ut_expect(out, strcmp(bad[i][0], "--dns") == 0
		        ? "is not a DNS name"
		        : "is not an IPv4 or IPv6 address");
		free(out);
	}
	assert_int_equal(nngmpc_proc_runl(&spec, &out, nngmpc, "certs", "--out",
	                     in_dir("bad"), "--parties", "1", "--party", "2",
	                     NULL),
	    2);
	ut_expect(out, "one way only");
	free(out);
	/* Nothing was written for any of them. */
	assert_int_not_equal(access(in_dir("bad"), F_OK), 0);
}

/* Sixteen long names: the subjectAltName outgrows one- and two-byte DER
 * lengths (X.690 §8.1.3); a seventeenth is refused. */
static void
test_many_long_names(void **state)
{
	char *argv[64] = { (char *) nngmpc, "certs", "--out", NULL,
		"--party", "3" };
	char  names[17][80];
	char  want[2048] = "URI:mpc://party/3";
	char  pki[256];
	int   n = 6;
	struct nngmpc_proc_result r;

	(void) state;
	(void) snprintf(pki, sizeof(pki), "%s", in_dir("pki")); /* its CA */
	argv[3] = pki;
	for (int i = 0; i < 16; i++) {
		(void) snprintf(names[i], sizeof(names[i]),
		    "host-%02d-%s.example", i,
		    "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz");
		argv[n++] = "--dns";
		argv[n++] = names[i];
		(void) snprintf(want + strlen(want), sizeof(want) - strlen(want),
		    ", DNS:%s", names[i]);
	}
	argv[n] = NULL;
	assert_int_equal(nngmpc_proc_run(argv, &spec, &r), 0);
	nngmpc_proc_result_free(&r);
	expect_sans(in_dir("pki/party3.pem"), want);
	expect_verifies(in_dir("pki/party3.pem"));

	(void) snprintf(names[16], sizeof(names[16]), "one-more.example");
	argv[n++] = "--dns";
	argv[n++] = names[16];
	argv[n]   = NULL;
	argv[5]   = "4";
	assert_int_equal(nngmpc_proc_run(argv, &spec, &r), 2);
	ut_expect(r.out, "more than 16 DNS names");
	nngmpc_proc_result_free(&r);
}

static void
write_roster(const char *name, const char *text)
{
	FILE *f = fopen(in_dir(name), "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(in_dir(name), 0600), 0);
}

static void
test_names_from_roster(void **state)
{
	char *out = NULL;

	(void) state;
	write_roster("hosts.roster",
	    "session-id 00112233445566778899aabbccddeeff\n"
	    "session-key 000102030405060708090a0b0c0d0e0f"
	    "101112131415161718191a1b1c1d1e1f\n"
	    "ca roster-pki/ca.pem\n"
	    "party 1 10.0.0.1:9001 roster-pki/party1.certkey.pem "
	    "node1.example\n"
	    "party 2 10.0.0.2:9002 roster-pki/party2.certkey.pem\n"
	    "party 7 [fd00::7]:9007\n"
	    "party 8 node8.example:9008\n");
	assert_int_equal(nngmpc_proc_runl(&spec, &out, nngmpc, "certs", "--out",
	                     in_dir("roster-pki"), "--roster",
	                     in_dir("hosts.roster"), NULL),
	    0);
	ut_expect(out, "4 party certificates");
	free(out);
	expect_sans(in_dir("roster-pki/party1.pem"),
	    "URI:mpc://party/1, DNS:node1.example");
	expect_sans(in_dir("roster-pki/party2.pem"),
	    "URI:mpc://party/2, IP Address:10.0.0.2");
	expect_sans(in_dir("roster-pki/party7.pem"),
	    "URI:mpc://party/7, IP Address:FD00:0:0:0:0:0:0:7");
	expect_sans(in_dir("roster-pki/party8.pem"),
	    "URI:mpc://party/8, DNS:node8.example");
}

/* A key and request made by openssl "on the party's host". */
static void
openssl_request(const char *key, const char *csr, const char *curve)
{
	char pk[64];
	char *out = NULL;

	(void) snprintf(pk, sizeof(pk), "ec_paramgen_curve:%s", curve);
	if (nngmpc_proc_runl(&spec, &out, openssl, "req", "-new", "-newkey", "ec",
	        "-pkeyopt", pk, "-nodes", "-keyout", in_dir(key), "-subj",
	        "/CN=party-9 as requested/O=anyone", "-out", in_dir(csr),
	        NULL) != 0) {
		fail_msg("openssl req:\n%s", out);
	}
	free(out);
}

static void
test_sign_request_made_by_openssl(void **state)
{
	char          *out = NULL;
	char           text[2048];
	char           cmd[1024];
	struct nngmpc_proc n1, n2;
	struct nngmpc_proc_result r1, r2;
	char           roster[256];
	char *const a1[] = { (char *) nngmpc, "node", "--roster", roster,
		"--id", "5", "--quiet", "--timeout", "20", NULL };
	char *const a2[] = { (char *) nngmpc, "node", "--roster", roster,
		"--id", "6", "--quiet", "--timeout", "20", NULL };

	(void) state;
	/* The CA and party 6 made here; party 5 only sends a request. */
	assert_int_equal(nngmpc_proc_runl(&spec, &out, nngmpc, "certs", "--out",
	                     in_dir("pki"), "--party", "6", NULL),
	    0);
	free(out);
	openssl_request("party5.key", "party5.csr", "P-256");
	assert_int_equal(nngmpc_proc_runl(&spec, &out, nngmpc, "certs", "sign",
	                     "--csr", in_dir("party5.csr"), "--id", "5",
	                     "--ca-dir", in_dir("pki"), "--dns", "localhost",
	                     "--ip", "127.0.0.1", "--out",
	                     in_dir("party5.pem"), NULL),
	    0);
	ut_expect(out, "party 5: signed");
	free(out);
	expect_verifies(in_dir("party5.pem"));
	/* The party ID the CA's operator gave, nothing the request asked. */
	expect_sans(in_dir("party5.pem"),
	    "URI:mpc://party/5, DNS:localhost, IP Address:127.0.0.1");
	assert_int_equal(nngmpc_proc_runl(&spec, &out, openssl, "x509", "-in",
	                     in_dir("party5.pem"), "-noout", "-subject", NULL),
	    0);
	ut_expect(out, "CN = party-5");
	assert_null(strstr(out, "anyone"));
	free(out);
	/* Not replaced without --force. */
	assert_int_equal(nngmpc_proc_runl(&spec, &out, nngmpc, "certs", "sign",
	                     "--csr", in_dir("party5.csr"), "--id", "5",
	                     "--ca-dir", in_dir("pki"), "--out",
	                     in_dir("party5.pem"), NULL),
	    1);
	ut_expect(out, "already exists; not replacing it");
	free(out);

	/* The party joins the certificate to its own key and runs a session
	 * over mutual TLS with party 6. */
	(void) snprintf(cmd, sizeof(cmd),
	    "cat '%s' '%s' > '%s' && chmod 600 '%s'", in_dir("party5.pem"),
	    in_dir("party5.key"), in_dir("party5.certkey.pem"),
	    in_dir("party5.certkey.pem"));
	assert_int_equal(nngmpc_proc_runl(&spec, &out, "/bin/sh", "-c", cmd, NULL), 0);
	free(out);
	(void) snprintf(text, sizeof(text),
	    "session-id 00112233445566778899aabbccddeeff\n"
	    "session-key 000102030405060708090a0b0c0d0e0f"
	    "101112131415161718191a1b1c1d1e1f\n"
	    "ca pki/ca.pem\n"
	    "party 5 127.0.0.1:%d party5.certkey.pem localhost\n"
	    "party 6 127.0.0.1:%d pki/party6.certkey.pem localhost\n",
	    ut_free_tcp_port(), ut_free_tcp_port());
	write_roster("signed.roster", text);
	(void) snprintf(roster, sizeof(roster), "%s", in_dir("signed.roster"));
	assert_int_equal(nngmpc_proc_spawn(&n1, a1, &spec), 0);
	assert_int_equal(nngmpc_proc_spawn(&n2, a2, &spec), 0);
	assert_int_equal(nngmpc_proc_finish(&n1, &r1), 0);
	assert_int_equal(nngmpc_proc_finish(&n2, &r2), 0);
	if (r1.status != 0 || r2.status != 0) {
		fail_msg("party 5 (%d):\n%s\nparty 6 (%d):\n%s", r1.status,
		    r1.out, r2.status, r2.out);
	}
	nngmpc_proc_result_free(&r1);
	nngmpc_proc_result_free(&r2);
}

/* nngmpc certs sign with the test CA; its output in *out. */
static int
sign(char **out, const char *csr, const char *cert)
{
	return (nngmpc_proc_runl(&spec, out, nngmpc, "certs", "sign", "--csr",
	    in_dir(csr), "--id", "9", "--ca-dir", in_dir("pki"), "--out",
	    in_dir(cert), NULL));
}

static void
test_sign_refuses_bad_requests(void **state)
{
	char *out = NULL;
	char  cmd[1024];

	(void) state;
	/* A request whose signature does not verify: one byte of its
	 * subject changed ("anyone" -> "anyonf" in the DER). */
	openssl_request("tamper.key", "tamper.csr", "P-256");
	(void) snprintf(cmd, sizeof(cmd),
	    "'%s' req -in '%s' -outform DER | sed 's/anyone/anyonf/' | "
	    "'%s' req -inform DER -out '%s' 2>&1; true",
	    openssl, in_dir("tamper.csr"), openssl, in_dir("tampered.csr"));
	assert_int_equal(nngmpc_proc_runl(&spec, &out, "/bin/sh", "-c", cmd, NULL), 0);
	free(out);
	assert_int_equal(sign(&out, "tampered.csr", "tampered.pem"), 1);
	ut_expect(out, "malformed or its signature does not verify");
	free(out);
	assert_int_not_equal(access(in_dir("tampered.pem"), F_OK), 0);

	/* Not a request at all. */
	assert_int_equal(sign(&out, "pki/ca.pem", "x.pem"), 1);
	ut_expect(out, "not a PEM certificate request");
	free(out);

	/* An RSA key. */
	(void) snprintf(cmd, sizeof(cmd),
	    "'%s' req -new -newkey rsa:2048 -nodes -keyout '%s' -subj /CN=r "
	    "-out '%s' 2>&1",
	    openssl, in_dir("rsa.key"), in_dir("rsa.csr"));
	assert_int_equal(nngmpc_proc_runl(&spec, &out, "/bin/sh", "-c", cmd, NULL), 0);
	free(out);
	assert_int_equal(sign(&out, "rsa.csr", "x.pem"), 1);
	ut_expect(out, "key is not ECDSA P-256 or P-384");
	free(out);

	/* A missing request is named. */
	assert_int_equal(sign(&out, "none.csr", "x.pem"), 1);
	ut_expect(out, in_dir("none.csr"));
	free(out);
	assert_int_not_equal(access(in_dir("x.pem"), F_OK), 0);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_per_party),
		cmocka_unit_test(test_names_for_every_party_and_defaults),
		cmocka_unit_test(test_bad_names_are_refused),
		cmocka_unit_test(test_many_long_names),
		cmocka_unit_test(test_names_from_roster),
		cmocka_unit_test(test_sign_request_made_by_openssl),
		cmocka_unit_test(test_sign_refuses_bad_requests),
	};

	if (argc != 3) {
		fprintf(stderr, "usage: test_certs_names nngmpc openssl\n");
		return (2);
	}
	nngmpc  = argv[1];
	openssl = argv[2];
	return (cmocka_run_group_tests(tests, setup, teardown));
}
