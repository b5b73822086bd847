/*
 * `nngmpc node`: run one party of a roster (see roster.h, node.h).
 * Threading: see node.h.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>

#include "filter_flags.h"
#include "nng_mpc.h"
#include "nngmpc.h"
#include "node.h"
#include "node_check.h"
#include "roster.h"
#include "rounds.h"
#include "sidecar.h"

#define NODE_CMD "node"
#define NODE_TIMEOUT_DEFAULT 30u

enum {
	NODE_OPT_REPORT = 256,
	NODE_OPT_METRICS,
	NODE_OPT_FLOOD,
	NODE_OPT_LOG_FORMAT,
	NODE_OPT_LOG_LEVEL,
	NODE_OPT_SERVE,
	NODE_OPT_SERVE_MODE,
	NODE_OPT_CHECK,
	NODE_OPT_DRAIN,
	NODE_OPT_RELIABLE,
	NODE_OPT_ROUND_GAP,
	NODE_OPT_STOP_AFTER,
};

/* The longest --round-gap: a minute between rounds is already more than
 * any fault schedule needs. */
#define NODE_ROUND_GAP_MAX_MS 60000u

static void
node_usage(FILE *f)
{
	fprintf(f,
	    "Usage: nngmpc node --roster FILE --id ID [--timeout SECONDS] "
	    "[--quiet]\n"
	    "       nngmpc node --config FILE [--id ID] [--serve URL] "
	    "[--serve-mode MODE]\n"
	    "                   [--drain-ms MS] [--check]\n"
	    "                   [--metrics HOST:PORT] [pipe filter flags] [--flood N]\n"
	    "                   [--reliable] [--round-gap MS]\n"
	    "                   [-v] [--log-level LEVEL] [--log-format logfmt|json]\n"
	    "\n"
	    "Runs one party of an MPC session: listens on its own address,\n"
	    "connects to every other party of the roster (bus0 over the\n"
	    "roster's scheme), then runs 3 key-generation and 4 signing\n"
	    "rounds of broadcast and point-to-point messages, printing what\n"
	    "it sends and receives and checking that every message arrives\n"
	    "exactly once, from its sender, at the right party, intact.\n"
	    "Start one node per party (any order); `nngmpc demo` does it all\n"
	    "on one machine.\n"
	    "\n"
	    "With --serve (or a 'serve' line in the file) the node is a\n"
	    "long-running sidecar instead: it keeps the mesh connected and\n"
	    "serves a local pair1 socket; an application sends\n"
	    "'<to> <type> <payload>' (<to> a party ID or '*') and receives\n"
	    "'<from> <type> <payload>' with the authenticated sender.\n"
	    "SIGTERM drains (until the parties acknowledged) and exits 0;\n"
	    "SIGHUP re-reads the file, its CA (with CRLs), certificate and\n"
	    "pipe-filter lines, closes only the connections that no longer\n"
	    "pass, and names what needs a restart.\n"
	    "\n"
	    "Options:\n"
	    "  -r, --roster FILE    the session (below)\n"
	    "  -c, --config FILE    the same file, which may also hold the\n"
	    "                       node settings id, serve, serve-mode,\n"
	    "                       metrics, rate-msgs, rate-bytes,\n"
	    "                       rate-policy, conn-rate, heartbeat\n"
	    "                       (one per line; flags take precedence)\n"
	    "      --serve URL      run as a sidecar serving URL (e.g.\n"
	    "                       ipc:///run/nngmpc/party1.sock)\n"
	    "      --serve-mode M   octal permissions of an ipc:// socket\n"
	    "                       (e.g. 0660; default: the umask's)\n"
	    "      --drain-ms MS    on SIGTERM, the longest wait for the\n"
	    "                       parties to acknowledge what was sent\n"
	    "                       (default %u, 0..60000)\n"
	    "      --check          check the file and this party's\n"
	    "                       certificate, key and CA, then exit\n"
	    "  -i, --id ID          this party's ID (a 'party' line)\n"
	    "  -t, --timeout S      seconds to wait for the other parties, and\n"
	    "                       for each round (default %u)\n"
	    "  -q, --quiet          no line per message\n"
	    "      --report         machine-readable progress on stdout (for\n"
	    "                       nngmpc demo)\n"
	    "      --flood N        misbehave: send N extra 64-byte broadcasts\n"
	    "                       after our messages of each round (the\n"
	    "                       others count and discard them)\n"
	    "      --reliable       delivery streams (NNG_OPT_MPC_RELIABLE) on\n"
	    "                       the socket and every endpoint: a broken\n"
	    "                       connection is redialled and resumed, and\n"
	    "                       every message still arrives once; every\n"
	    "                       send is addressed (nng_mpc_sendmsg)\n"
	    "      --round-gap MS   wait MS milliseconds (0..%u) before each\n"
	    "                       round's messages\n"
	    "      --stop-after R   stop (SIGSTOP) after round R (keygen-1..3,\n"
	    "                       sign-1..4) until killed or continued\n"
	    "                       (for nngmpc demo --kill)\n"
	    "      --metrics H:P    serve Prometheus metrics at\n"
	    "                       http://H:P/metrics while the node runs\n"
	    "                       (port 0: any free port, printed)\n"
	    "  -v, --verbose        more connection diagnostics: once info\n"
	    "                       (handshakes, closes), twice debug\n"
	    "      --log-level L    off | warn | info | debug (default warn:\n"
	    "                       every refused or failed connection, at\n"
	    "                       once, with its cause and what to fix)\n"
	    "      --log-format F   logfmt | json (default logfmt); the\n"
	    "                       diagnostics go to stderr, one line each\n"
	    "  -h, --help           show this help\n"
	    "%s"
	    "\n"
	    "Roster: a text file, one setting per line, '#' starts a comment;\n"
	    "it holds the session key, so it must be mode 0600 and owned by\n"
	    "this user or root.  `nngmpc roster new` writes one.\n"
	    "  session-id   <32 hex digits>        the same on every party\n"
	    "  session-key  <64 hex digits>        the same on every party\n"
	    "  scheme       mpc+tls+tcp | mpc+tcp | mpc+ipc\n"
	    "                                      (default mpc+tls+tcp)\n"
	    "  ca           <CA certificate file>  (mpc+tls+tcp)\n"
	    "  party <id> <address> [<cert+key file> [<server name>]]\n"
	    "               one per party, 2..64; <address> is host:port\n"
	    "               (a path for mpc+ipc); over TLS this party's line\n"
	    "               needs its cert+key file; <server name> is what\n"
	    "               the others check in its certificate (default:\n"
	    "               the address's host)\n"
	    "Relative file paths start at the roster's directory.\n"
	    "\n"
	    "Exit status: 0 every round complete (a sidecar: stopped by\n"
	    "SIGTERM/SIGINT; --check: the file is fine), 1 failed (why is\n"
	    "printed), 2 bad usage.\n",
	    NNGMPC_SIDECAR_DRAIN_MS_DEFAULT, NODE_TIMEOUT_DEFAULT,
	    NODE_ROUND_GAP_MAX_MS, nngmpc_filter_help);
}

static int
node_cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "roster", required_argument, NULL, 'r' },
		{ "config", required_argument, NULL, 'c' },
		{ "serve", required_argument, NULL, NODE_OPT_SERVE },
		{ "serve-mode", required_argument, NULL, NODE_OPT_SERVE_MODE },
		{ "drain-ms", required_argument, NULL, NODE_OPT_DRAIN },
		{ "check", no_argument, NULL, NODE_OPT_CHECK },
		{ "id", required_argument, NULL, 'i' },
		{ "timeout", required_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "report", no_argument, NULL, NODE_OPT_REPORT },
		{ "flood", required_argument, NULL, NODE_OPT_FLOOD },
		{ "reliable", no_argument, NULL, NODE_OPT_RELIABLE },
		{ "round-gap", required_argument, NULL, NODE_OPT_ROUND_GAP },
		{ "stop-after", required_argument, NULL, NODE_OPT_STOP_AFTER },
		NNGMPC_FILTER_LONGOPTS,
		{ "metrics", required_argument, NULL, NODE_OPT_METRICS },
		{ "verbose", no_argument, NULL, 'v' },
		{ "log-level", required_argument, NULL, NODE_OPT_LOG_LEVEL },
		{ "log-format", required_argument, NULL, NODE_OPT_LOG_FORMAT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct nngmpc_roster   *roster;
	struct nngmpc_node_opts o = {
		.timeout_s = NODE_TIMEOUT_DEFAULT,
		.verbose   = true,
	};
	const char *path   = NULL;
	bool        have_id = false;
	int         log_level  = NNG_MPC_LOG_WARN;
	int         log_format = NNG_MPC_LOG_LOGFMT;
	bool        check      = false;
	unsigned    flagged    = 0; /* pipe filter flags given */
	struct nngmpc_sidecar_opts sc = {
		.drain_ms = NNGMPC_SIDECAR_DRAIN_MS_DEFAULT,
	};
	char        err[1200];
	int         c, rv;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+:r:c:i:t:qvh", longopts, NULL)) !=
	    -1) {
		switch (c) {
		case 'r':
		case 'c':
			path = optarg;
			break;
		case NODE_OPT_SERVE:
			sc.serve = optarg;
			break;
		case NODE_OPT_SERVE_MODE: {
			char         *end;
			unsigned long m = strtoul(optarg, &end, 8);
			if (*optarg == '\0' || *end != '\0' || m == 0 ||
			    m > 0777) {
				return (nngmpc_usage_error(NODE_CMD,
				    "--serve-mode '%s': expected octal "
				    "permissions 1..0777 (e.g. 0660)",
				    optarg));
			}
			sc.serve_mode = (unsigned) m;
			break;
		}
		case NODE_OPT_DRAIN:
			if (!nngmpc_parse_u32(optarg, 0, 60000, &sc.drain_ms)) {
				return (nngmpc_usage_error(NODE_CMD,
				    "--drain-ms '%s': expected 0..60000",
				    optarg));
			}
			break;
		case NODE_OPT_CHECK:
			check = true;
			break;
		case 'i':
			if (!nngmpc_parse_u32(optarg, 1, 0xFFFFFFFEu, &o.id)) {
				return (nngmpc_usage_error(NODE_CMD,
				    "--id '%s': expected a party ID "
				    "1..4294967294",
				    optarg));
			}
			have_id = true;
			break;
		case 't':
			if (!nngmpc_parse_u32(optarg, 1, 3600, &o.timeout_s)) {
				return (nngmpc_usage_error(NODE_CMD,
				    "--timeout '%s': expected 1..3600 seconds",
				    optarg));
			}
			break;
		case 'q':
			o.verbose = false;
			break;
		case NODE_OPT_REPORT:
			o.report = stdout;
			break;
		case NODE_OPT_FLOOD:
			if (!nngmpc_parse_u32(optarg, 1, 1000000, &o.flood)) {
				return (nngmpc_usage_error(NODE_CMD,
				    "--flood '%s': expected 1..1000000", optarg));
			}
			break;
		case NODE_OPT_RELIABLE:
			o.reliable = true;
			break;
		case NODE_OPT_ROUND_GAP:
			if (!nngmpc_parse_u32(optarg, 0, NODE_ROUND_GAP_MAX_MS,
			        &o.round_gap_ms)) {
				return (nngmpc_usage_error(NODE_CMD,
				    "--round-gap '%s': expected 0..%u "
				    "milliseconds",
				    optarg, NODE_ROUND_GAP_MAX_MS));
			}
			break;
		case NODE_OPT_STOP_AFTER: {
			bool known = false;

			for (size_t r = 0; r < nngmpc_nrounds; r++) {
				known |= strcmp(optarg, nngmpc_rounds[r].name) ==
				    0;
			}
			if (!known) {
				return (nngmpc_usage_error(NODE_CMD,
				    "--stop-after '%s': expected a round "
				    "(keygen-1..3, sign-1..4)",
				    optarg));
			}
			o.stop_after = optarg;
			break;
		}
		case NODE_OPT_METRICS:
			o.metrics_addr = optarg;
			break;
		case 'v':
			if (log_level < NNG_MPC_LOG_DEBUG) {
				log_level++;
			}
			break;
		case NODE_OPT_LOG_LEVEL:
			if (nng_mpc_log_level_parse(optarg, &log_level) != 0) {
				return (nngmpc_usage_error(NODE_CMD,
				    "--log-level '%s': expected off, warn, "
				    "info or debug",
				    optarg));
			}
			break;
		case NODE_OPT_LOG_FORMAT:
			if (nng_mpc_log_format_parse(optarg, &log_format) !=
			    0) {
				return (nngmpc_usage_error(NODE_CMD,
				    "--log-format '%s': expected logfmt or "
				    "json",
				    optarg));
			}
			break;
		case 'h':
			node_usage(stdout);
			return (NNGMPC_EXIT_OK);
		case ':':
			return (nngmpc_usage_error(NODE_CMD,
			    "option '%s' needs a value", argv[optind - 1]));
		default:
			if ((rv = nngmpc_filter_flag(NODE_CMD, c, optarg, &o)) <
			    0) {
				return (NNGMPC_EXIT_USAGE);
			}
			if (rv > 0) {
				flagged |= 1u << (c - NNGMPC_FF_RATE_MSGS);
				break;
			}
			return (nngmpc_usage_error(NODE_CMD,
			    "unknown option '%s'", argv[optind - 1]));
		}
	}
	if (optind < argc) {
		return (nngmpc_usage_error(
		    NODE_CMD, "unexpected argument '%s'", argv[optind]));
	}
	if (path == NULL) {
		return (nngmpc_usage_error(NODE_CMD,
		    "--roster FILE (or --config FILE) is required"));
	}
	/* The flood is plain bus0 broadcasts, which delivery streams would
	 * not route (every send there is addressed, node_send.h). */
	if (o.reliable && (o.flood != 0)) {
		return (nngmpc_usage_error(NODE_CMD,
		    "--reliable with --flood: a flood is plain bus0 "
		    "broadcasts, which delivery streams do not carry; use "
		    "one or the other"));
	}
	if (o.report != NULL) {
		o.verbose = false; /* stdout carries the report */
	}
	/* Diagnostics to stderr (journald keeps it): the values were
	 * checked above, so this cannot fail. */
	if (nng_mpc_log_set(log_level, log_format, NULL, NULL) != 0) {
		return (NNGMPC_EXIT_USAGE);
	}
	if ((roster = calloc(1, sizeof(*roster))) == NULL) {
		nngmpc_error(NODE_CMD, "out of memory");
		return (NNGMPC_EXIT_FAIL);
	}
	if (!nngmpc_roster_load(path, roster, err, sizeof(err))) {
		nngmpc_error(NODE_CMD, "roster %s", err);
		free(roster);
		return (NNGMPC_EXIT_FAIL);
	}
	/* The file's node settings, where no flag gave them. */
	if (!have_id && roster->node.id != 0) {
		o.id    = roster->node.id;
		have_id = true;
	}
	if (!have_id) {
		nngmpc_roster_wipe(roster);
		free(roster);
		return (nngmpc_usage_error(NODE_CMD,
		    "--id ID is required (or an 'id' line in %s)", path));
	}
	if (sc.serve == NULL && roster->node.serve[0] != '\0') {
		sc.serve = roster->node.serve;
	}
	if (sc.serve_mode == 0) {
		sc.serve_mode = roster->node.serve_mode;
	}
	if (o.metrics_addr == NULL && roster->node.metrics[0] != '\0') {
		o.metrics_addr = roster->node.metrics;
	}
	for (int i = 0; i < NNGMPC_ROSTER_LIMITS; i++) {
		if ((flagged & (1u << i)) == 0 &&
		    roster->node.limits[i][0] != '\0' &&
		    nngmpc_filter_flag(NODE_CMD, NNGMPC_FF_RATE_MSGS + i,
		        roster->node.limits[i], &o) < 0) {
			nngmpc_hint("the value is %s's '%s' line", path,
			    nngmpc_roster_limit_names[i]);
			nngmpc_roster_wipe(roster);
			free(roster);
			return (NNGMPC_EXIT_USAGE);
		}
	}
	o.roster = roster;
	if (check) {
		const struct nngmpc_party *self;
		rv = nngmpc_node_check(roster, o.id, &self);
		if (rv == NNGMPC_EXIT_OK) {
			printf("%s: ok: party %u of %zu, %s, %s\n", path,
			    (unsigned) o.id, roster->nparties, roster->scheme,
			    sc.serve != NULL ? sc.serve : "no serve address");
		}
	} else if ((sc.serve != NULL) &&
	    (o.reliable || (o.round_gap_ms != 0))) {
		rv = nngmpc_usage_error(NODE_CMD,
		    "--reliable and --round-gap apply to the rounds, not to a "
		    "sidecar (--serve)");
	} else if (sc.serve != NULL) {
		sc.roster_path = path;
		sc.roster      = roster;
		sc.id          = o.id;
		sc.metrics_addr = o.metrics_addr;
		sc.limits       = &o;
		rv             = nngmpc_sidecar_run(&sc);
	} else {
		rv = nngmpc_node_run(&o);
	}
	nngmpc_roster_wipe(roster);
	free(roster);
	return (rv);
}

const struct nngmpc_cmd nngmpc_cmd_node = {
	.name    = "node",
	.summary = "run one party of a roster (3 keygen + 4 signing rounds)",
	.run     = node_cmd_run,
};
