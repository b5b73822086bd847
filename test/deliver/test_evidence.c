/*
 * test_evidence: broadcast statements, signatures with a certificate key
 * and equivocation evidence (transport/mpc_evidence.c, crypto/mpc_sign.c),
 * with real certificates made by mpc_certgen (the code behind `nngmpc
 * certs`) -- and `nngmpc evidence verify` run as a real process on files
 * the test wrote.  Every refusal asserts its specific error.
 *
 * argv[1]: the nngmpc executable.
 */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <nng/nng.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/ecc.h>
#include <wolfssl/wolfcrypt/hash.h>
#include <wolfssl/wolfcrypt/random.h>

#include "nng_mpc.h"

#include "mpc_certgen.h"
#include "mpc_evidence.h"
#include "mpc_sign.h"
#include "proc.h"

static const char *tool;

/* CA 1 with parties 2 and 3; CA 2 (another deployment) with party 2. */
static mpc_certgen_pem ca1, ca2, p2, p3, other2;
static char *          certkey2; /* cert then key, as `nngmpc certs` writes */
static mpc_sign_key *  key2, *key3, *key_other2;

static const uint8_t session[NNG_MPC_SESSION_ID_SIZE] = { 0x51, 0x52, 0x53,
	0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f,
	0x60 };

static int
setup(void **state)
{
	mpc_certgen_ca *c1, *c2;
	time_t          now = time(NULL);
	size_t          n;

	(void) state;
	assert_int_equal(mpc_certgen_ca_create(&c1, 30, now, &ca1), 0);
	assert_int_equal(mpc_certgen_ca_create(&c2, 30, now, &ca2), 0);
	assert_int_equal(mpc_certgen_party(c1, 2, 10, now, &p2), 0);
	assert_int_equal(mpc_certgen_party(c1, 3, 10, now, &p3), 0);
	assert_int_equal(mpc_certgen_party(c2, 2, 10, now, &other2), 0);
	mpc_certgen_ca_free(c1);
	mpc_certgen_ca_free(c2);
	n        = p2.cert_len + p2.key_len + 1;
	certkey2 = malloc(n);
	assert_non_null(certkey2);
	snprintf(certkey2, n, "%s%s", p2.cert, p2.key);
	assert_int_equal(mpc_sign_key_load(&key2, certkey2, strlen(certkey2)), 0);
	assert_int_equal(mpc_sign_key_load(&key3, p3.key, p3.key_len), 0);
	assert_int_equal(
	    mpc_sign_key_load(&key_other2, other2.key, other2.key_len), 0);
	return (0);
}

static int
teardown(void **state)
{
	(void) state;
	mpc_sign_key_free(key2);
	mpc_sign_key_free(key3);
	mpc_sign_key_free(key_other2);
	free(certkey2);
	mpc_certgen_pem_free(&ca1);
	mpc_certgen_pem_free(&ca2);
	mpc_certgen_pem_free(&p2);
	mpc_certgen_pem_free(&p3);
	mpc_certgen_pem_free(&other2);
	return (0);
}

static void
cert_der(const mpc_certgen_pem *pem, uint8_t *der, size_t *len)
{
	*len = MPC_SIGN_CERT_MAX;
	assert_int_equal(mpc_sign_cert_der(pem->cert, pem->cert_len, der, len), 0);
}

/* The statement's bytes at their documented offsets. */
static void
test_stmt_layout(void **state)
{
	static const char payload[] = "round 1 commitment";
	mpc_bcast_stmt    st, back;
	uint8_t           b[MPC_EVIDENCE_STMT_SIZE], h[32], d[32];

	(void) state;
	assert_int_equal(mpc_bcast_stmt_make(&st, session, 0x01020304, 0x8001,
	                     0x1122334455667788ull, payload, sizeof(payload)),
	    0);
	mpc_bcast_stmt_encode(&st, b);
	assert_memory_equal(b, "nng-mpc broadcast statement v1\0\0", 32);
	assert_memory_equal(b + 32, session, 16);
	assert_memory_equal(b + 48, "\x01\x02\x03\x04", 4);
	assert_memory_equal(b + 52, "\x80\x01\x00\x00", 4);
	assert_memory_equal(b + 56, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	assert_int_equal(wc_Sha256Hash((const byte *) payload, sizeof(payload), h),
	    0);
	assert_memory_equal(b + 64, h, 32);
	/* The echo digest is SHA-256 over those 96 bytes. */
	assert_int_equal(mpc_bcast_stmt_digest(&st, d), 0);
	assert_int_equal(wc_Sha256Hash(b, sizeof(b), h), 0);
	assert_memory_equal(d, h, 32);

	assert_int_equal(mpc_bcast_stmt_decode(&back, b, sizeof(b)), 0);
	assert_memory_equal(&back, &st, sizeof(st));
	/* Wrong lengths, a changed label byte, reserved bits: refused. */
	assert_int_equal(mpc_bcast_stmt_decode(&back, b, sizeof(b) - 1),
	    NNG_MPC_EEVIDENCE);
	for (size_t i = 0; i < MPC_EVIDENCE_LABEL_SIZE; i++) {
		b[i] ^= 0x01;
		assert_int_equal(mpc_bcast_stmt_decode(&back, b, sizeof(b)),
		    NNG_MPC_EEVIDENCE);
		b[i] ^= 0x01;
	}
	b[54] = 0x01;
	assert_int_equal(
	    mpc_bcast_stmt_decode(&back, b, sizeof(b)), NNG_MPC_EEVIDENCE);
	b[54] = 0;
	b[55] = 0x80;
	assert_int_equal(
	    mpc_bcast_stmt_decode(&back, b, sizeof(b)), NNG_MPC_EEVIDENCE);
}

/* A P-384 key in PKCS#8 PEM, made here (certgen makes P-256 only). */
static char *
p384_pem(void)
{
	WC_RNG  rng;
	ecc_key k;
	uint8_t der[512];
	word32  len = sizeof(der);
	char *  pem = calloc(1, 2048);
	int     n;

	assert_non_null(pem);
	assert_int_equal(wc_InitRng(&rng), 0);
	assert_int_equal(wc_ecc_init(&k), 0);
	assert_int_equal(wc_ecc_make_key_ex(&rng, 48, &k, ECC_SECP384R1), 0);
	assert_true(wc_EccKeyToPKCS8(&k, der, &len) > 0);
	n = wc_DerToPem(der, len, (byte *) pem, 2047, PKCS8_PRIVATEKEY_TYPE);
	assert_true(n > 0);
	wc_ecc_free(&k);
	wc_FreeRng(&rng);
	return (pem);
}

static void
test_sign_verify(void **state)
{
	/* RFC 8410 section 10.3: an Ed25519 private key, not ECDSA. */
	static const char ed25519[] =
	    "-----BEGIN PRIVATE KEY-----\n"
	    "MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n"
	    "-----END PRIVATE KEY-----\n";
	static const uint8_t msg[] = "nng-mpc test statement";
	uint8_t              c2[MPC_SIGN_CERT_MAX], c3[MPC_SIGN_CERT_MAX];
	size_t               c2_len, c3_len;
	uint8_t              sig[MPC_SIGN_SIG_MAX];
	size_t               siglen = sizeof(sig);
	mpc_sign_key *       k;
	char *               pem;

	(void) state;
	cert_der(&p2, c2, &c2_len);
	cert_der(&p3, c3, &c3_len);
	assert_int_equal(mpc_sign(key2, msg, sizeof(msg), sig, &siglen), 0);
	assert_true(siglen > 8 && siglen <= MPC_SIGN_SIG_MAX);
	assert_int_equal(
	    mpc_sign_verify(c2, c2_len, msg, sizeof(msg), sig, siglen), 0);
	/* Another message, a changed signature, another party's key. */
	assert_int_equal(
	    mpc_sign_verify(c2, c2_len, msg, sizeof(msg) - 1, sig, siglen),
	    NNG_MPC_EEVIDSIG);
	sig[siglen - 1] ^= 0x01;
	assert_int_equal(
	    mpc_sign_verify(c2, c2_len, msg, sizeof(msg), sig, siglen),
	    NNG_MPC_EEVIDSIG);
	sig[siglen - 1] ^= 0x01;
	assert_int_equal(
	    mpc_sign_verify(c3, c3_len, msg, sizeof(msg), sig, siglen),
	    NNG_MPC_EEVIDSIG);
	assert_int_equal(mpc_sign_verify(c2, c2_len, msg, sizeof(msg), sig, 0),
	    NNG_MPC_EEVIDSIG);
	/* A certificate that does not parse. */
	assert_int_equal(
	    mpc_sign_verify(c2, 40, msg, sizeof(msg), sig, siglen),
	    NNG_MPC_EEVIDCERT);
	/* Too little room for a signature. */
	siglen = MPC_SIGN_SIG_MAX - 1;
	assert_int_equal(
	    mpc_sign(key2, msg, sizeof(msg), sig, &siglen), NNG_EINVAL);

	/* Keys: a certificate without key, garbage, Ed25519: refused. */
	k = NULL;
	assert_int_equal(mpc_sign_key_load(&k, p2.cert, p2.cert_len),
	    NNG_MPC_ESIGNKEY);
	assert_null(k);
	assert_int_equal(mpc_sign_key_load(&k, "not a key", 9), NNG_MPC_ESIGNKEY);
	assert_int_equal(mpc_sign_key_load(&k, ed25519, sizeof(ed25519) - 1),
	    NNG_MPC_ESIGNKEY);
	assert_int_equal(mpc_sign_key_load(&k, NULL, 0), NNG_EINVAL);
	/* P-384 signs (SHA-384); its signature does not verify as party 2's. */
	pem = p384_pem();
	assert_int_equal(mpc_sign_key_load(&k, pem, strlen(pem)), 0);
	siglen = sizeof(sig);
	assert_int_equal(mpc_sign(k, msg, sizeof(msg), sig, &siglen), 0);
	assert_int_equal(
	    mpc_sign_verify(c2, c2_len, msg, sizeof(msg), sig, siglen),
	    NNG_MPC_EEVIDSIG);
	mpc_sign_key_free(k);
	free(pem);

	/* Chains: party 2 chains to CA 1, not to CA 2. */
	assert_int_equal(mpc_sign_cert_trusted(ca1.cert, ca1.cert_len, c2,
	                     c2_len),
	    0);
	assert_int_equal(mpc_sign_cert_trusted(ca2.cert, ca2.cert_len, c2,
	                     c2_len),
	    NNG_MPC_EEVIDCERT);
	assert_int_equal(mpc_sign_cert_trusted("junk", 4, c2, c2_len),
	    NNG_MPC_EEVIDCERT);
}

/* Evidence: sender `sender` said pa and pb as message (type, seq); the
 * statements signed by ka and kb, the certificate cert. */
struct ev_spec {
	uint32_t               sender;
	uint64_t               seq_b;   /* statement B's sequence */
	uint8_t                sess_b0; /* statement B's first session byte */
	const char *           pb;
	mpc_sign_key **        kb;
	const mpc_certgen_pem *cert;
	const mpc_certgen_pem *ca;
	int                    want;
	const char *           what;
};

static void
ev_make(mpc_evidence *ev, const struct ev_spec *s)
{
	static const char pa[] = "share for everyone: 41";
	uint8_t           sb[NNG_MPC_SESSION_ID_SIZE];

	memset(ev, 0, sizeof(*ev));
	memcpy(sb, session, sizeof(sb));
	sb[0] = s->sess_b0;
	assert_int_equal(mpc_bcast_stmt_make(&ev->st[0], session, s->sender,
	                     0x0011, 7, pa, strlen(pa)),
	    0);
	assert_int_equal(mpc_bcast_stmt_make(&ev->st[1], sb, s->sender, 0x0011,
	                     s->seq_b, s->pb, strlen(s->pb)),
	    0);
	ev->sig_len[0] = ev->sig_len[1] = MPC_SIGN_SIG_MAX;
	assert_int_equal(
	    mpc_bcast_stmt_sign(&ev->st[0], key2, ev->sig[0], &ev->sig_len[0]),
	    0);
	assert_int_equal(mpc_bcast_stmt_sign(&ev->st[1], *s->kb, ev->sig[1],
	                     &ev->sig_len[1]),
	    0);
	cert_der(s->cert, ev->cert, &ev->cert_len);
}

static void
test_evidence_table(void **state)
{
	const struct ev_spec rows[] = {
		{ 2, 7, 0x51, "share for party 3: 99", &key2, &p2, &ca1, 0,
		    "equivocation" },
		{ 2, 7, 0x51, "share for everyone: 41", &key2, &p2, &ca1,
		    NNG_MPC_ENOCONFLICT, "same payload" },
		{ 2, 8, 0x51, "share for party 3: 99", &key2, &p2, &ca1,
		    NNG_MPC_ENOCONFLICT, "different sequence" },
		{ 2, 7, 0x00, "share for party 3: 99", &key2, &p2, &ca1,
		    NNG_MPC_ENOCONFLICT, "different session" },
		{ 2, 7, 0x51, "share for party 3: 99", &key2, &p3, &ca1,
		    NNG_MPC_EEVIDCERT, "certificate of another party" },
		{ 2, 7, 0x51, "share for party 3: 99", &key2, &p2, &ca2,
		    NNG_MPC_EEVIDCERT, "another CA" },
		{ 2, 7, 0x51, "share for party 3: 99", &key3, &p2, &ca1,
		    NNG_MPC_EEVIDSIG, "B signed by party 3 (a framing attempt)" },
		{ 2, 7, 0x51, "share for party 3: 99", &key_other2, &p2, &ca1,
		    NNG_MPC_EEVIDSIG, "B signed by another deployment's party 2" },
	};
	mpc_evidence *ev   = calloc(1, sizeof(*ev));
	mpc_evidence *back = calloc(1, sizeof(*back));
	uint8_t       buf[MPC_EVIDENCE_MAX];
	size_t        len;

	(void) state;
	assert_non_null(ev);
	assert_non_null(back);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int rv;

		ev_make(ev, &rows[i]);
		assert_int_equal(mpc_evidence_write(ev, buf, sizeof(buf), &len), 0);
		assert_int_equal(mpc_evidence_read(back, buf, len), 0);
		rv = mpc_evidence_verify(
		    back, rows[i].ca->cert, rows[i].ca->cert_len);
		if (rv != rows[i].want) {
			fail_msg("%s: got %s want %s", rows[i].what,
			    nng_mpc_errname(rv) ? nng_mpc_errname(rv) : "0",
			    nng_mpc_errname(rows[i].want)
			        ? nng_mpc_errname(rows[i].want)
			        : "0");
		}
	}
	/* A flipped signature byte, or B's signature copied onto A. */
	ev_make(ev, &rows[0]);
	ev->sig[1][ev->sig_len[1] / 2] ^= 0x40;
	assert_int_equal(mpc_evidence_verify(ev, ca1.cert, ca1.cert_len),
	    NNG_MPC_EEVIDSIG);
	ev_make(ev, &rows[0]);
	memcpy(ev->sig[0], ev->sig[1], MPC_SIGN_SIG_MAX);
	ev->sig_len[0] = ev->sig_len[1];
	assert_int_equal(mpc_evidence_verify(ev, ca1.cert, ca1.cert_len),
	    NNG_MPC_EEVIDSIG);
	free(ev);
	free(back);
}

/* The file format, strictly: every truncation, a trailing byte, a bad
 * magic, zero and oversized lengths. */
static void
test_evidence_parse(void **state)
{
	const struct ev_spec ok = { 2, 7, 0x51, "share for party 3: 99", &key2,
		&p2, &ca1, 0, "equivocation" };
	mpc_evidence *       ev = calloc(1, sizeof(*ev));
	uint8_t              buf[MPC_EVIDENCE_MAX + 1];
	size_t               len, sig0;

	(void) state;
	assert_non_null(ev);
	ev_make(ev, &ok);
	assert_int_equal(mpc_evidence_write(ev, buf, 10, &len), NNG_MPC_EEVIDENCE);
	assert_int_equal(mpc_evidence_write(ev, buf, sizeof(buf), &len), 0);
	sig0 = ev->sig_len[0];
	for (size_t n = 0; n < len; n++) {
		assert_int_equal(mpc_evidence_read(ev, buf, n), NNG_MPC_EEVIDENCE);
	}
	buf[len] = 0;
	assert_int_equal(mpc_evidence_read(ev, buf, len + 1), NNG_MPC_EEVIDENCE);
	buf[1] ^= 0x20; /* 'M' -> 'm' */
	assert_int_equal(mpc_evidence_read(ev, buf, len), NNG_MPC_EEVIDENCE);
	buf[1] ^= 0x20;
	buf[9] = MPC_EVIDENCE_STMT_SIZE - 1; /* statement A length 95 */
	assert_int_equal(mpc_evidence_read(ev, buf, len), NNG_MPC_EEVIDENCE);
	buf[9] = MPC_EVIDENCE_STMT_SIZE;
	/* Signature A's length: 0, and one more than the maximum. */
	buf[106] = 0;
	buf[107] = 0;
	assert_int_equal(mpc_evidence_read(ev, buf, len), NNG_MPC_EEVIDENCE);
	buf[107] = MPC_SIGN_SIG_MAX + 1;
	assert_int_equal(mpc_evidence_read(ev, buf, len), NNG_MPC_EEVIDENCE);
	buf[107] = (uint8_t) sig0;
	assert_int_equal(mpc_evidence_read(ev, buf, len), 0);
	assert_int_equal(mpc_evidence_verify(ev, ca1.cert, ca1.cert_len), 0);
	free(ev);
}

static void
write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

/* `nngmpc evidence verify` on files: proof (0), no proof (1, reason). */
static void
test_cli(void **state)
{
	static const struct nngmpc_proc_spec spec = { .in = NNGMPC_PROC_NULL,
		.out = NNGMPC_PROC_PIPE, .err = NNGMPC_PROC_PIPE };
	const struct ev_spec ok = { 2, 7, 0x51, "share for party 3: 99", &key2,
		&p2, &ca1, 0, "equivocation" };
	char                 dir[] = "/tmp/nngmpc-evidence-XXXXXX";
	char                 ca[64], other[64], evf[64];
	mpc_evidence *       ev = calloc(1, sizeof(*ev));
	uint8_t              buf[MPC_EVIDENCE_MAX];
	size_t               len;
	struct nngmpc_proc_result r;
	char *const argv_ok[] = { (char *) tool, "evidence", "verify", "--ca", ca,
		evf, NULL };
	char *const argv_other[] = { (char *) tool, "evidence", "verify",
		"--ca", other, evf, NULL };
	char *const argv_noca[] = { (char *) tool, "evidence", "verify", evf,
		NULL };

	(void) state;
	assert_non_null(ev);
	assert_non_null(mkdtemp(dir));
	snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
	snprintf(other, sizeof(other), "%s/other.pem", dir);
	snprintf(evf, sizeof(evf), "%s/ev.bin", dir);
	write_file(ca, ca1.cert, ca1.cert_len);
	write_file(other, ca2.cert, ca2.cert_len);
	ev_make(ev, &ok);
	assert_int_equal(mpc_evidence_write(ev, buf, sizeof(buf), &len), 0);
	write_file(evf, buf, len);

	assert_int_equal(nngmpc_proc_run(argv_ok, &spec, &r), 0);
	assert_non_null(strstr(r.out, "evidence: party 2 equivocated"));
	assert_non_null(strstr(r.out, "0x0011 (SIGN_ROUND1), sequence 7"));
	nngmpc_proc_result_free(&r);

	assert_int_equal(nngmpc_proc_run(argv_other, &spec, &r), 1);
	assert_non_null(strstr(r.err, "NNG_MPC_EEVIDCERT"));
	nngmpc_proc_result_free(&r);

	buf[len - 1] ^= 0x01; /* inside the certificate's signature */
	buf[120] ^= 0x01;     /* inside signature A */
	write_file(evf, buf, len);
	assert_int_equal(nngmpc_proc_run(argv_ok, &spec, &r), 1);
	assert_null(strstr(r.out, "equivocated"));
	nngmpc_proc_result_free(&r);

	write_file(evf, buf, 5);
	assert_int_equal(nngmpc_proc_run(argv_ok, &spec, &r), 1);
	assert_non_null(strstr(r.err, "NNG_MPC_EEVIDENCE"));
	nngmpc_proc_result_free(&r);

	assert_int_equal(nngmpc_proc_run(argv_noca, &spec, &r), 2);
	assert_non_null(strstr(r.err, "--ca CA is required"));
	nngmpc_proc_result_free(&r);

	(void) unlink(ca);
	(void) unlink(other);
	(void) unlink(evf);
	(void) rmdir(dir);
	free(ev);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stmt_layout),
		cmocka_unit_test(test_sign_verify),
		cmocka_unit_test(test_evidence_table),
		cmocka_unit_test(test_evidence_parse),
		cmocka_unit_test(test_cli),
	};

	if (argc < 2) {
		fprintf(stderr, "usage: test_evidence NNGMPC\n");
		return (2);
	}
	tool = argv[1];
	return (cmocka_run_group_tests(tests, setup, teardown));
}
