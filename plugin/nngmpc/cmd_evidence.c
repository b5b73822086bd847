/*
 * nngmpc evidence: checks equivocation evidence offline.
 *
 *   nngmpc evidence verify --ca CA FILE
 *
 * FILE holds two broadcast statements of one sender that name the same
 * message with different payloads, each signed with the sender's
 * certificate key, and that certificate (format: transport/mpc_evidence.h).
 * The check needs nothing but the CA: the statements' signatures can only
 * have been made by the holder of the certificate's key, so anyone who
 * trusts the CA can confirm the sender said two different things.
 *
 * Exit status: 0 the evidence proves equivocation; 1 it does not (stderr
 * names the reason); 2 bad usage.  Threading: none.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nng_mpc.h"

#include "certs_io.h"
#include "mpc_evidence.h"
#include "nngmpc.h"

#define EVIDENCE_CMD "evidence"

static void
evidence_usage(FILE *f)
{
	fprintf(f,
	    "Usage: nngmpc evidence verify --ca CA FILE\n"
	    "\n"
	    "Check equivocation evidence: two broadcast statements signed by\n"
	    "the same party's certificate key that give one broadcast message\n"
	    "two different payloads, with that party's certificate.  An\n"
	    "mpc+tls+tcp:// socket with broadcast echo on hands such evidence\n"
	    "to the application when it detects equivocation.\n"
	    "\n"
	    "Options:\n"
	    "  -c, --ca CA   PEM file of the CA certificate(s) the parties'\n"
	    "                certificates chain to\n"
	    "  -h, --help    show this help\n"
	    "\n"
	    "Exit status: 0 the evidence proves that the party equivocated,\n"
	    "1 it does not (the reason is printed), 2 bad usage.\n");
}

static void
print_hex(const char *label, const uint8_t *p, size_t n)
{
	printf("  %-16s", label);
	for (size_t i = 0; i < n; i++) {
		printf("%02x", p[i]);
	}
	printf("\n");
}

static int
evidence_verify(const char *ca_path, const char *path)
{
	char *        ca  = NULL;
	char *        raw = NULL;
	mpc_evidence *ev  = NULL;
	size_t        ca_len, raw_len;
	int           rv, ex = NNGMPC_EXIT_FAIL;

	if (nngmpc_certs_read(EVIDENCE_CMD, ca_path, &ca, &ca_len) != 0 ||
	    nngmpc_certs_read(EVIDENCE_CMD, path, &raw, &raw_len) != 0) {
		goto out;
	}
	if ((ev = calloc(1, sizeof(*ev))) == NULL) {
		nngmpc_error(EVIDENCE_CMD, "out of memory");
		goto out;
	}
	if ((rv = mpc_evidence_read(ev, (const uint8_t *) raw, raw_len)) != 0 ||
	    (rv = mpc_evidence_verify(ev, ca, ca_len)) != 0) {
		nngmpc_error(EVIDENCE_CMD, "%s proves nothing: %s (%s)", path,
		    nng_mpc_strerror(rv), nng_mpc_errname(rv));
		goto out;
	}
	printf("evidence: party %u equivocated\n", (unsigned) ev->st[0].sender);
	print_hex("session", ev->st[0].session, NNG_MPC_SESSION_ID_SIZE);
	printf("  %-16s0x%04x (%s), sequence %llu\n", "message type",
	    (unsigned) ev->st[0].type, nng_mpc_msg_type_name(ev->st[0].type),
	    (unsigned long long) ev->st[0].seq);
	print_hex("payload A sha256", ev->st[0].payload_hash,
	    MPC_EVIDENCE_HASH_SIZE);
	print_hex("payload B sha256", ev->st[1].payload_hash,
	    MPC_EVIDENCE_HASH_SIZE);
	printf("  both statements signed by the key of party %u's "
	       "certificate, which chains to %s\n",
	    (unsigned) ev->st[0].sender, ca_path);
	ex = NNGMPC_EXIT_OK;
out:
	free(ev);
	free(raw);
	free(ca);
	return (ex);
}

/* Options from argv[optind] on, up to the first word: -1 to go on, or
 * the exit status (--help, a usage error). */
static int
evidence_opts(int argc, char **argv, const char **ca)
{
	static const struct option longopts[] = {
		{ "ca", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "+:c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			*ca = optarg;
			break;
		case 'h':
			evidence_usage(stdout);
			return (NNGMPC_EXIT_OK);
		case ':':
			return (nngmpc_usage_error(EVIDENCE_CMD,
			    "option '%s' needs a value", argv[optind - 1]));
		default:
			return (nngmpc_usage_error(EVIDENCE_CMD,
			    "unknown option '%s'", argv[optind - 1]));
		}
	}
	return (-1);
}

static int
evidence_run(int argc, char **argv)
{
	const char *ca = NULL;
	int         rv;

	opterr = 0; /* our own messages */
	optind = 0; /* glibc: full re-initialisation */
	if ((rv = evidence_opts(argc, argv, &ca)) >= 0) {
		return (rv);
	}
	/* The action, then its options (getopt stops at the first word). */
	if (optind >= argc) {
		return (nngmpc_usage_error(
		    EVIDENCE_CMD, "an action is required: verify"));
	}
	if (strcmp(argv[optind], "verify") != 0) {
		return (nngmpc_usage_error(EVIDENCE_CMD,
		    "unknown action '%s' (expected verify)", argv[optind]));
	}
	argc -= optind;
	argv += optind;
	optind = 0;
	if ((rv = evidence_opts(argc, argv, &ca)) >= 0) {
		return (rv);
	}
	if (ca == NULL || ca[0] == '\0') {
		return (nngmpc_usage_error(EVIDENCE_CMD,
		    "--ca CA is required (the CA the parties' certificates "
		    "chain to)"));
	}
	if (optind + 1 != argc) {
		return (nngmpc_usage_error(EVIDENCE_CMD,
		    "exactly one evidence FILE is required"));
	}
	return (evidence_verify(ca, argv[optind]));
}

const struct nngmpc_cmd nngmpc_cmd_evidence = {
	.name    = "evidence",
	.summary = "check equivocation evidence against the CA",
	.run     = evidence_run,
};
