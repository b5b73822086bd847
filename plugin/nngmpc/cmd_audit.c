/*
 * nngmpc audit: the sealed audit log's keys and its verifier.
 *   nngmpc audit keygen --out DIR [--force]
 *   nngmpc audit verify --key DIR/audit.verify [--expect-seq N]
 *                       [--expect-head HEX] [--state FILE] [--live] FILE...
 * The work is in plugin/mpc_audit_seal.c (keys) and mpc_audit_verify.c
 * (the checks); this file is the command line.  Threading: none.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpc_audit.h"
#include "nngmpc.h"

#define AUDIT_CMD "audit"

enum { AUDIT_OPT_EXPECT_SEQ = 256, AUDIT_OPT_EXPECT_HEAD, AUDIT_OPT_STATE,
	AUDIT_OPT_LIVE };

static void
audit_usage(FILE *f)
{
	fprintf(f,
	    "Usage: nngmpc audit keygen --out DIR [--force]\n"
	    "       nngmpc audit verify --key FILE [options] LOGFILE...\n"
	    "\n"
	    "keygen: make the sealing state of a new audit log.\n"
	    "  -o, --out DIR        directory (created 0700 if missing; its\n"
	    "                       parent must exist) for\n"
	    "                       DIR/audit.seal (the node's evolving sealing\n"
	    "                       key: NNG_MPC_AUDIT_KEY_FILE) and\n"
	    "                       DIR/audit.verify (the first key and log ID:\n"
	    "                       take it OFF the machine, for the auditor)\n"
	    "  -f, --force          replace existing files\n"
	    "\n"
	    "verify: check the hash chain and every seal with its own epoch's\n"
	    "key.  Give a log's files oldest first: FILE.1 FILE.2 ... FILE.\n"
	    "  -k, --key FILE       the audit.verify file\n"
	    "      --expect-seq N   the log must reach seq N (recorded earlier,\n"
	    "                       off the machine): catches a cut tail\n"
	    "      --expect-head H  hex hash of the line with seq N (or, without\n"
	    "                       --expect-seq, of the last line)\n"
	    "      --state FILE     verifier state (last seq and head seen):\n"
	    "                       checked when present, updated on success\n"
	    "      --live           records after the last seal (a running\n"
	    "                       node's tail) are a warning, not a failure\n"
	    "  -h, --help           show this help\n"
	    "\n"
	    "Exit status: 0 the log verified, 1 it did not (the first bad line\n"
	    "is printed as FILE:LINE and what is wrong), 2 bad usage.\n");
}

static int
audit_keygen(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out   = NULL;
	bool        force = false;
	char        msg[512];
	int         c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+:o:fh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'f':
			force = true;
			break;
		case 'h':
			audit_usage(stdout);
			return (NNGMPC_EXIT_OK);
		default:
			return (nngmpc_usage_error(AUDIT_CMD,
			    "keygen: unknown option or missing value: '%s'",
			    argv[optind - 1]));
		}
	}
	if (out == NULL || optind != argc) {
		return (nngmpc_usage_error(AUDIT_CMD,
		    "keygen takes --out DIR and nothing else"));
	}
	if (mpc_audit_keygen(out, force, msg, sizeof(msg)) != 0) {
		nngmpc_error(AUDIT_CMD, "%s", msg);
		return (NNGMPC_EXIT_FAIL);
	}
	printf("wrote %s/%s (sealing state, for the node: "
	       "NNG_MPC_AUDIT_KEY_FILE)\n"
	       "wrote %s/%s (verification key: move it off this machine)\n",
	    out, MPC_AUDIT_SEAL_FILE, out, MPC_AUDIT_VERIFY_FILE);
	return (NNGMPC_EXIT_OK);
}

static bool
parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (s[0] < '0' || s[0] > '9') {
		return (false);
	}
	errno = 0;
	*out  = strtoull(s, &end, 10);
	return (errno == 0 && *end == '\0');
}

static int
audit_verify_cmd(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "expect-seq", required_argument, NULL, AUDIT_OPT_EXPECT_SEQ },
		{ "expect-head", required_argument, NULL,
		    AUDIT_OPT_EXPECT_HEAD },
		{ "state", required_argument, NULL, AUDIT_OPT_STATE },
		{ "live", no_argument, NULL, AUDIT_OPT_LIVE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mpc_audit_verify_opts   o;
	struct mpc_audit_verify_result r;
	struct mpc_audit_state         key;
	const char *                   keyfile = NULL, *state = NULL;
	char                           shead[MPC_AUDIT_HEX_LEN + 1];
	char                           hex[MPC_AUDIT_HEX_LEN + 1];
	char                           msg[512];
	uint8_t                        tmp[MPC_AUDIT_HASH_LEN];
	int                            c, rv;

	memset(&o, 0, sizeof(o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:k:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			keyfile = optarg;
			break;
		case AUDIT_OPT_EXPECT_SEQ:
			if (!parse_u64(optarg, &o.expect_seq)) {
				return (nngmpc_usage_error(AUDIT_CMD,
				    "--expect-seq '%s': expected a number",
				    optarg));
			}
			o.have_expect_seq = true;
			break;
		case AUDIT_OPT_EXPECT_HEAD:
			if (!mpc_audit_unhex(tmp, sizeof(tmp), optarg)) {
				return (nngmpc_usage_error(AUDIT_CMD,
				    "--expect-head: expected 64 hex digits"));
			}
			o.expect_head = optarg;
			break;
		case AUDIT_OPT_STATE:
			state = optarg;
			break;
		case AUDIT_OPT_LIVE:
			o.live = true;
			break;
		case 'h':
			audit_usage(stdout);
			return (NNGMPC_EXIT_OK);
		default:
			return (nngmpc_usage_error(AUDIT_CMD,
			    "verify: unknown option or missing value: '%s'",
			    argv[optind - 1]));
		}
	}
	if (keyfile == NULL) {
		return (nngmpc_usage_error(AUDIT_CMD,
		    "verify needs --key DIR/audit.verify"));
	}
	if (optind == argc) {
		return (nngmpc_usage_error(AUDIT_CMD,
		    "verify needs the log's files, oldest first"));
	}
	o.files  = (const char *const *) &argv[optind];
	o.nfiles = (size_t) (argc - optind);
	if (state != NULL && !o.have_expect_seq && o.expect_head == NULL) {
		rv = mpc_audit_vstate_load(
		    state, &o.expect_seq, shead, msg, sizeof(msg));
		if (rv == 0) {
			o.have_expect_seq = true;
			o.expect_head     = shead;
		} else if (rv != NNG_ENOENT) {
			nngmpc_error(AUDIT_CMD, "%s", msg);
			return (NNGMPC_EXIT_FAIL);
		}
	}
	if (mpc_audit_state_load(&key, keyfile, true, msg, sizeof(msg)) != 0) {
		nngmpc_error(AUDIT_CMD, "%s", msg);
		return (NNGMPC_EXIT_FAIL);
	}
	rv = mpc_audit_verify(&key, &o, &r);
	nngmpc_secure_zero(&key, sizeof(key));
	if (rv != 0) {
		if (r.where[0] != '\0') {
			fprintf(stderr, "nngmpc audit: FAILED at %s: %s\n",
			    r.where, r.what);
		} else {
			nngmpc_error(AUDIT_CMD, "%s", r.what);
		}
		return (NNGMPC_EXIT_FAIL);
	}
	mpc_audit_hex(hex, r.head, sizeof(r.head));
	if (r.unsealed > 0) {
		fprintf(stderr,
		    "nngmpc audit: warning: %" PRIu64 " record(s) after the "
		    "last seal are not sealed yet (--live)\n",
		    r.unsealed);
	}
	if (state != NULL &&
	    mpc_audit_vstate_save(state, r.last_seq, r.head) != 0) {
		nngmpc_error(AUDIT_CMD, "cannot write the state file %s", state);
		return (NNGMPC_EXIT_FAIL);
	}
	printf("OK: %" PRIu64 " records, %" PRIu64 " seals (last epoch %" PRIu64
	       "), last seq %" PRIu64 "\nhead %s\n",
	    r.records, r.seals, r.last_epoch, r.last_seq, hex);
	return (NNGMPC_EXIT_OK);
}

static int
audit_run(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		audit_usage(argc < 2 ? stderr : stdout);
		return (argc < 2 ? NNGMPC_EXIT_USAGE : NNGMPC_EXIT_OK);
	}
	if (strcmp(argv[1], "keygen") == 0) {
		return (audit_keygen(argc - 1, argv + 1));
	}
	if (strcmp(argv[1], "verify") == 0) {
		return (audit_verify_cmd(argc - 1, argv + 1));
	}
	return (nngmpc_usage_error(AUDIT_CMD,
	    "unknown audit command '%s' (keygen or verify)", argv[1]));
}

const struct nngmpc_cmd nngmpc_cmd_audit = {
	.name    = "audit",
	.summary = "sealed audit log: make its keys, verify a log",
	.run     = audit_run,
};
