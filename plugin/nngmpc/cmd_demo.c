/*
 * `nngmpc demo`: the main job.  With no configuration it makes a CA and a
 * certificate per party in a temporary directory, writes a roster with a
 * fresh session ID and key, starts one `nngmpc node` process per party
 * (a bus0 mesh over mpc+tls+tcp:// on localhost), and turns their reports
 * into a table: per round the latency and the bytes moved, then each
 * party's link counters.  It exits 0 only if every node saw every message
 * of every round exactly once, authenticated, at the right party.
 *
 * With --faults the nodes run with delivery streams and a fault-injecting
 * relay in front of every link cuts connections during the rounds
 * (demo_faults.c holds the schedule; here it is only wired in).
 *
 * Threading: single-threaded, but for the relays' own threads with
 * --faults (tcp_relay.h); the nodes are child processes (proc.c) whose
 * stdout (node.c's report lines) comes back through pipes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nng_mpc.h>

#include "demo_echo.h"
#include "demo_faults.h"
#include "filter_flags.h"
#include "nngmpc.h"
#include "node.h"
#include "ports.h"
#include "tcp_relay.h"
#include "proc.h"
#include "roster.h"
#include "rounds.h"

#define DEMO_CMD "demo"
#define DEMO_PARTIES_DEFAULT 3u
#define DEMO_PARTIES_MAX 16u
#define DEMO_TIMEOUT_DEFAULT 30u

enum { DEMO_OPT_KILL = 256, DEMO_OPT_KEEP, DEMO_OPT_FLOOD,
	DEMO_OPT_FLOOD_COUNT, DEMO_OPT_EQUIVOCATE, DEMO_OPT_FAULTS,
	DEMO_OPT_SEED };

/* What a flooding party sends on top of each round by default. */
#define DEMO_FLOOD_DEFAULT 2000u

struct demo_round {
	uint64_t latency_max_us;
	uint64_t latency_sum_us;
	uint64_t bytes_out;
	uint64_t msgs_out;
	uint64_t msgs_in;
	unsigned reports;
};

struct demo_node {
	uint32_t id;
	struct nngmpc_proc proc;     /* its report comes through proc.out */
	bool     ok;       /* "result ok" */
	char     fail[600];
	int      status;
	uint64_t frames_in, frames_out, bytes_in, bytes_out, auth_fail,
	    replays;
	uint64_t flood_out, flood_in; /* flood messages sent, discarded */
	uint64_t delayed, throttled_ms; /* the rate limit on its links */
	uint64_t reconnects, dups; /* its "delivery" line (--faults) */
};

struct demo {
	uint32_t          parties;
	char              scheme[16];
	uint32_t          kill_id;
	char              kill_round[32];
	bool              killed;
	bool              keep;
	uint32_t          timeout_s;
	char              dir[64];
	char              roster_path[128];
	struct nngmpc_node_opts lim; /* pipe filter flags for every node */
	uint32_t          flood_id;  /* the flooding party, or 0 */
	uint32_t          flood_count;
	uint32_t          equivocate_id; /* demo_echo.c's party, or 0 */
	uint32_t          faults;    /* cuts asked for (--faults), or 0 */
	bool              faults_on;
	uint64_t          seed;
	bool              seed_set;
	uint32_t          connected; /* nodes that reported "connected" */
	struct demo_faults *fs;      /* the relays and the schedule */
	char              node_roster[DEMO_PARTIES_MAX][128];
	struct demo_node  nodes[DEMO_PARTIES_MAX];
	struct demo_round rounds[16];
};

static void
demo_usage(FILE *f)
{
	fprintf(f,
	    "Usage: nngmpc demo [--parties N] [--scheme SCHEME] "
	    "[--kill ID@ROUND]\n"
	    "                   [--timeout SECONDS] [--keep]\n"
	    "                   [pipe filter flags] [--flood ID "
	    "[--flood-count N]]\n"
	    "                   [--faults [N] [--seed S]]\n"
	    "\n"
	    "Runs an MPC session on this machine with no configuration: makes\n"
	    "a CA and party certificates in a temporary directory, starts one\n"
	    "`nngmpc node` process per party (a bus0 mesh, mutual TLS 1.3 by\n"
	    "default), runs 3 key-generation and 4 signing rounds of broadcast\n"
	    "and point-to-point messages (hundreds of bytes to 32 KiB), and\n"
	    "prints per round the latency and bytes moved, then each party's\n"
	    "link counters.  Exit status 0 only if every message arrived\n"
	    "exactly once, authenticated, at the right party.\n"
	    "\n"
	    "Options:\n"
	    "  -n, --parties N      number of parties, 2..%u (default %u)\n"
	    "  -s, --scheme S       mpc+tls+tcp (default), mpc+tcp or mpc+ipc\n"
	    "      --kill ID@ROUND  kill party ID (SIGKILL) once it completes\n"
	    "                       ROUND (keygen-1..3, sign-1..4), to show\n"
	    "                       the others report it instead of hanging;\n"
	    "                       the demo then exits 1\n"
	    "  -t, --timeout S      per-node connect and round timeout "
	    "(default %u)\n"
	    "      --keep           keep the temporary directory (certificates,\n"
	    "                       roster) and print its path\n"
	    "      --flood ID       party ID floods: after its messages of each\n"
	    "                       round it broadcasts --flood-count extra\n"
	    "                       64-byte messages (default %u); the others\n"
	    "                       discard them and still finish (with\n"
	    "                       --rate-msgs the flooder is held to it)\n"
	    "      --flood-count N  1..1000000\n"
	    "      --equivocate ID  echo broadcast instead: party ID sends one\n"
	    "                       broadcast with two payloads; every honest\n"
	    "                       party must report it with evidence that\n"
	    "                       `nngmpc evidence verify` accepts (3+ parties)\n"
	    "      --faults [N]     a fault-injecting relay in front of every\n"
	    "                       link cuts N connections (default %u, up\n"
	    "                       to %u) at random during the rounds (a\n"
	    "                       reset or a cut mid-frame); the nodes run\n"
	    "                       with delivery streams (node --reliable)\n"
	    "                       and every message must still arrive\n"
	    "                       exactly once (TCP schemes only)\n"
	    "      --seed S         the fault schedule's seed, to repeat a run\n"
	    "                       (default: from the clock, printed)\n"
	    "  -h, --help           show this help\n"
	    "%s",
	    DEMO_PARTIES_MAX, DEMO_PARTIES_DEFAULT, DEMO_TIMEOUT_DEFAULT,
	    DEMO_FLOOD_DEFAULT, DEMO_FAULTS_DEFAULT, DEMO_FAULTS_MAX,
	    nngmpc_filter_help);
}

/* The relays and the schedule, and each node's roster naming them. */
static bool
demo_prepare_faults(struct demo *d, struct nngmpc_roster *r)
{
	int rv;

	if ((d->fs = calloc(1, sizeof(*d->fs))) == NULL ||
	    (rv = demo_faults_plan(d->fs, d->seed, d->faults, d->parties,
	         (uint32_t) nngmpc_nrounds)) != 0 ||
	    (rv = demo_faults_start(d->fs, r, d->dir, d->node_roster)) != 0) {
		nngmpc_error(DEMO_CMD, "cannot set up the fault relays: %s",
		    strerror(d->fs == NULL ? ENOMEM : rv));
		return (false);
	}
	printf("faults: %u cuts planned from seed %" PRIu64
	       " (repeat with --seed %" PRIu64 "), a relay on each of %u "
	       "links, delivery streams on\n",
	    (unsigned) d->faults, d->seed, d->seed, (unsigned) d->fs->nlinks);
	return (true);
}

static bool
demo_prepare(struct demo *d)
{
	struct nngmpc_roster *r;
	uint16_t              ports[DEMO_PARTIES_MAX];
	char                  certs[128];
	bool                  ok = false;

	strcpy(d->dir, "/tmp/nngmpc-demo-XXXXXX");
	if (mkdtemp(d->dir) == NULL) {
		nngmpc_error(DEMO_CMD, "cannot make a temporary directory: %s",
		    strerror(errno));
		return (false);
	}
	snprintf(certs, sizeof(certs), "%s/certs", d->dir);
	snprintf(d->roster_path, sizeof(d->roster_path), "%s/roster.conf",
	    d->dir);
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		return (false);
	}
	if (strcmp(d->scheme, "mpc+tls+tcp") == 0) {
		struct nngmpc_certs_opts co = {
			.out      = certs,
			.parties  = d->parties,
			.first_id = 1,
			.days     = 1,
			.ca_days  = 2,
			.log      = NULL,
		};
		printf("making a CA and %u party certificates (ECDSA P-256) in "
		       "%s\n",
		    (unsigned) d->parties, certs);
		fflush(stdout);
		if (nngmpc_certs_make(&co) != NNGMPC_EXIT_OK) {
			goto out;
		}
		snprintf(r->ca, sizeof(r->ca), "%s/ca.pem", certs);
	}
	if (getrandom(r->session_id, sizeof(r->session_id), 0) !=
	        (ssize_t) sizeof(r->session_id) ||
	    getrandom(r->session_key, sizeof(r->session_key), 0) !=
	        (ssize_t) sizeof(r->session_key)) {
		nngmpc_error(DEMO_CMD, "no randomness: %s", strerror(errno));
		goto out;
	}
	strcpy(r->scheme, d->scheme);
	if ((strcmp(d->scheme, "mpc+ipc") != 0) &&
	    !nngmpc_free_ports(d->parties, false, ports)) {
		nngmpc_error(DEMO_CMD, "cannot find free loopback ports");
		goto out;
	}
	r->nparties = d->parties;
	for (uint32_t i = 0; i < d->parties; i++) {
		struct nngmpc_party *p = &r->parties[i];

		p->id = i + 1;
		if (strcmp(d->scheme, "mpc+ipc") == 0) {
			snprintf(p->address, sizeof(p->address),
			    "%s/party%u.ipc", d->dir, (unsigned) p->id);
		} else {
			snprintf(p->address, sizeof(p->address),
			    "127.0.0.1:%u", (unsigned) ports[i]);
		}
		if (r->ca[0] != '\0') {
			snprintf(p->certkey, sizeof(p->certkey),
			    "%s/party%u.certkey.pem", certs, (unsigned) p->id);
			/* Our certificates name localhost (and 127.0.0.1). */
			strcpy(p->server_name, "localhost");
		}
	}
	if (!nngmpc_roster_save(d->roster_path, r)) {
		nngmpc_error(DEMO_CMD, "cannot write %s: %s", d->roster_path,
		    strerror(errno));
		goto out;
	}
	if (d->faults_on && !demo_prepare_faults(d, r)) {
		goto out;
	}
	ok = true;
out:
	nngmpc_roster_wipe(r);
	free(r);
	return (ok);
}

/* Starts one node per party; 0, or an errno (then none is left). */
static int
demo_spawn(struct demo *d)
{
	char                          timeout[16];
	const struct nngmpc_proc_spec spec = {
		.out  = NNGMPC_PROC_PIPE,
		.file = "/proc/self/exe",
	};

	snprintf(timeout, sizeof(timeout), "%u", (unsigned) d->timeout_s);
	for (uint32_t i = 0; i < d->parties; i++) {
		struct demo_node *n = &d->nodes[i];
		char              id[16];
		char *argv[17 + NNGMPC_FILTER_ARGV_MAX + 1] = { "nngmpc",
			"node", "--roster",
			d->faults_on ? d->node_roster[i] : d->roster_path,
			"--id", id, "--report", "--timeout", timeout };
		char  vals[NNGMPC_FILTER_ARGV_MAX][24];
		char  flood[16];
		char  gap[16];
		int   k = 9;
		int   rv;

		n->id = i + 1;
		snprintf(id, sizeof(id), "%u", (unsigned) n->id);
		/* The pipe filter's flags for every node; --flood for one. */
		k += nngmpc_filter_argv(&d->lim, vals, argv + k);
		if (n->id == d->flood_id) {
			snprintf(flood, sizeof(flood), "%u",
			    (unsigned) d->flood_count);
			argv[k++] = "--flood";
			argv[k++] = flood;
		}
		if (n->id == d->kill_id) {
			argv[k++] = "--stop-after";
			argv[k++] = d->kill_round;
		}
		if (d->faults_on) {
			snprintf(gap, sizeof(gap), "%u",
			    (unsigned) DEMO_FAULTS_ROUND_GAP_MS);
			argv[k++] = "--reliable";
			argv[k++] = "--round-gap";
			argv[k++] = gap;
		}
		argv[k] = NULL;
		if ((rv = nngmpc_proc_spawn(&n->proc, argv, &spec)) != 0) {
			while (i-- > 0) {
				(void) nngmpc_proc_reap(&d->nodes[i].proc, 0);
			}
			return (rv);
		}
	}
	return (0);
}

static void
demo_line(struct demo *d, struct demo_node *n, const char *line)
{
	unsigned long long a[6];
	int                r;
	unsigned           pid;
	char               name[32];
	unsigned long long ms;

	if (sscanf(line, "connected %llu", &ms) == 1) {
		printf("party %u: connected to all others in %llu ms\n",
		    (unsigned) n->id, ms);
		/* The rounds begin once every node is connected: the
		 * schedule's times count from there. */
		if ((++d->connected == d->parties) && (d->fs != NULL)) {
			demo_faults_begin(d->fs);
		}
	} else if (sscanf(line, "round %d %31s %llu %llu %llu %llu %llu", &r,
	               name, &a[0], &a[1], &a[2], &a[3], &a[4]) == 7 &&
	    r >= 0 && (size_t) r < nngmpc_nrounds) {
		struct demo_round *dr = &d->rounds[r];
		if (a[0] > dr->latency_max_us) {
			dr->latency_max_us = a[0];
		}
		dr->latency_sum_us += a[0];
		dr->msgs_out += a[1];
		dr->bytes_out += a[2];
		dr->msgs_in += a[3];
		dr->reports++;
		if (((size_t) r + 1 == nngmpc_nrounds) && (d->fs != NULL)) {
			demo_faults_end(d->fs);
		}
		if (d->kill_id == n->id && !d->killed &&
		    strcmp(name, d->kill_round) == 0) {
			printf("killing party %u (SIGKILL) after its round %s, "
			       "as asked\n",
			    (unsigned) n->id, name);
			nngmpc_proc_signal(&n->proc, SIGKILL);
			d->killed = true;
		}
	} else if (sscanf(line, "peer %u %llu %llu %llu %llu %llu %llu", &pid,
	               &a[0], &a[1], &a[2], &a[3], &a[4], &a[5]) == 7) {
		n->frames_in += a[0];
		n->frames_out += a[1];
		n->bytes_in += a[2];
		n->bytes_out += a[3];
		n->auth_fail += a[4];
		n->replays += a[5];
	} else if (sscanf(line, "limits %u %llu %llu %llu", &pid, &a[0],
	               &a[1], &a[2]) == 4) {
		n->delayed += a[0];
		n->throttled_ms += a[1];
	} else if (sscanf(line, "delivery %llu %llu", &a[0], &a[1]) == 2) {
		n->reconnects = a[0];
		n->dups       = a[1];
	} else if (sscanf(line, "flood %llu %llu", &a[0], &a[1]) == 2) {
		n->flood_out = a[0];
		n->flood_in  = a[1];
	} else if (strcmp(line, "result ok") == 0) {
		n->ok = true;
	} else if (strncmp(line, "result fail ", 12) == 0) {
		snprintf(n->fail, sizeof(n->fail), "%s", line + 12);
	}
}

/* Reads every node's report until all pipes are closed, then reaps the
 * nodes. */
static void
demo_collect(struct demo *d)
{
	struct nngmpc_proc *ps[DEMO_PARTIES_MAX];
	/* A node reports within its own timeouts (connect, each round, the
	 * closing ACK, 10 s to close); silence far beyond that is a hang,
	 * and the demo must never hang: such a node is killed and named. */
	int      quiet_ms = (int) (d->timeout_s * 3 + 15) * 1000;
	bool     open     = true;
	uint64_t heard    = nngmpc_now_ms();

	for (uint32_t i = 0; i < d->parties; i++) {
		ps[i] = &d->nodes[i].proc;
	}
	while (open) {
		/* With faults the schedule wants a look every few ms. */
		int  slice = d->fs != NULL ? demo_faults_tick(d->fs) : quiet_ms;
		int  rv    = nngmpc_proc_poll(ps, d->parties, slice);
		bool hung;

		if (rv != 0 && rv != ETIMEDOUT) {
			break;
		}
		if (rv == 0) {
			heard = nngmpc_now_ms();
		}
		hung = (rv == ETIMEDOUT) &&
		    (nngmpc_now_ms() - heard >= (uint64_t) quiet_ms);
		open = false;
		for (uint32_t i = 0; i < d->parties; i++) {
			struct demo_node *nd = &d->nodes[i];
			const char       *line;

			while ((line = nngmpc_proc_line(&nd->proc)) != NULL) {
				demo_line(d, nd, line);
			}
			if (!nngmpc_proc_reading(&nd->proc)) {
				continue;
			}
			open = true;
			if (hung) {
				printf("party %u: silent for %d s, killing it "
				       "(a hang)\n",
				    (unsigned) nd->id, quiet_ms / 1000);
				snprintf(nd->fail, sizeof(nd->fail),
				    "hung: silent for %d s", quiet_ms / 1000);
				nngmpc_proc_signal(&nd->proc, SIGKILL);
			}
		}
	}
	for (uint32_t i = 0; i < d->parties; i++) {
		d->nodes[i].status = nngmpc_proc_reap(&d->nodes[i].proc, -1);
	}
}

/* The flood and what the rate limits did, when either was asked for. */
static void
demo_print_filter(const struct demo *d)
{
	if ((d->flood_id == 0) && (d->lim.rate_msgs == 0) &&
	    (d->lim.rate_bytes == 0)) {
		return;
	}
	printf("\n%-6s %12s %14s %16s %18s\n", "party", "flood sent",
	    "flood dropped", "held to rate", "not read (ms)");
	for (uint32_t i = 0; i < d->parties; i++) {
		const struct demo_node *n = &d->nodes[i];
		printf("%-6u %12" PRIu64 " %14" PRIu64 " %16" PRIu64
		       " %18" PRIu64 "\n",
		    (unsigned) n->id, n->flood_out, n->flood_in, n->delayed,
		    n->throttled_ms);
	}
	printf("(flood dropped: the flooder's messages this party received "
	       "and discarded; held to rate / not read: times its links "
	       "waited for rate tokens, and for how long)\n");
}

/* What the cuts did: every message must still have arrived exactly once
 * (lost: the messages the rounds' reports lack). */
static bool
demo_print_faults(const struct demo *d, uint64_t lost)
{
	uint64_t reconnects = 0, dups = 0;

	for (uint32_t i = 0; i < d->parties; i++) {
		reconnects += d->nodes[i].reconnects;
		dups += d->nodes[i].dups;
	}
	printf("\nfaults: %u links cut, %" PRIu64 " reconnects survived, %" PRIu64
	       " lost, %" PRIu64 " duplicated (seed %" PRIu64 ")\n",
	    (unsigned) d->fs->cut, reconnects, lost, dups, d->seed);
	if ((lost != 0) || (dups != 0)) {
		/* Where the relays stood: a link never accepted, or refused
		 * over and over, shows here. */
		for (uint32_t i = 0; i < d->fs->nlinks; i++) {
			struct tcp_relay_stats st;

			tcp_relay_stats(d->fs->links[i].relay, &st);
			printf("link %u-%u: relay accepted %" PRIu64
			       ", refused %" PRIu64 ", reset %" PRIu64
			       ", open %u\n",
			    (unsigned) d->fs->links[i].lo,
			    (unsigned) d->fs->links[i].hi, st.accepted,
			    st.refused, st.resets, st.open);
		}
	}
	if (d->fs->next < d->fs->count) {
		printf("(%u of the %u planned cuts not made: the rounds ended "
		       "first)\n",
		    (unsigned) (d->fs->count - d->fs->next),
		    (unsigned) d->fs->count);
	}
	return ((lost == 0) && (dups == 0));
}

static bool
demo_print(struct demo *d)
{
	uint64_t np = d->parties, total_bytes = 0, lost = 0;
	bool     all = true;

	printf("\n%-9s %-13s %9s %9s %12s %14s %14s\n", "round", "type",
	    "sent", "delivered", "bytes sent", "latency max", "latency mean");
	for (size_t r = 0; r < nngmpc_nrounds; r++) {
		const struct nngmpc_round *rd = &nngmpc_rounds[r];
		struct demo_round         *dr = &d->rounds[r];
		uint64_t want = np * (np - 1) * ((rd->bcast_len ? 1 : 0) +
		                                    (rd->p2p_len ? 1 : 0));

		printf("%-9s %-13s %9" PRIu64 " %9" PRIu64 " %12" PRIu64,
		    rd->name, nng_mpc_msg_type_name(rd->type), dr->msgs_out,
		    dr->msgs_in, dr->bytes_out);
		if (dr->reports > 0) {
			printf(" %11.2f ms %11.2f ms", dr->latency_max_us / 1e3,
			    dr->latency_sum_us / 1e3 / dr->reports);
		}
		lost += dr->msgs_in < want ? want - dr->msgs_in : 0;
		if (dr->reports != np || dr->msgs_in != want) {
			printf("   INCOMPLETE (%u of %u parties; %" PRIu64
			       " of %" PRIu64 " messages)",
			    dr->reports, (unsigned) np, dr->msgs_in, want);
			all = false;
		}
		printf("\n");
		total_bytes += dr->bytes_out;
	}
	printf("(a broadcast counts once when sent and once per receiving "
	       "party when delivered; payload bytes, before framing)\n");

	printf("\n%-6s %10s %10s %12s %12s %9s %8s  %s\n", "party",
	    "frames in", "frames out", "bytes in", "bytes out", "auth fail",
	    "replays", "result");
	for (uint32_t i = 0; i < d->parties; i++) {
		struct demo_node *n = &d->nodes[i];
		const char       *res;
		char              why[64];

		if (n->ok && n->status == 0) {
			res = "ok";
		} else if (n->status > 128 && n->fail[0] == '\0') {
			/* proc.h: 128 + the signal (a node exits 0..2) */
			snprintf(why, sizeof(why), "killed by signal %d",
			    n->status - 128);
			res = why;
			all = false;
		} else {
			res = n->fail[0] ? n->fail : "failed (see above)";
			all = false;
		}
		printf("%-6u %10" PRIu64 " %10" PRIu64 " %12" PRIu64
		       " %12" PRIu64 " %9" PRIu64 " %8" PRIu64 "  %s\n",
		    (unsigned) n->id, n->frames_in, n->frames_out, n->bytes_in,
		    n->bytes_out, n->auth_fail, n->replays, res);
	}
	demo_print_filter(d);
	if (d->faults_on && !demo_print_faults(d, lost)) {
		all = false;
	}
	printf("\n");
	if (all) {
		printf("OK: %u parties, %zu rounds, %" PRIu64
		       " payload bytes sent; every message arrived exactly "
		       "once, authenticated, at the right party.\n",
		    (unsigned) d->parties, nngmpc_nrounds, total_bytes);
	} else if (d->killed) {
		printf("STOPPED: party %u was killed after %s; the others "
		       "reported it (above) instead of hanging.\n",
		    (unsigned) d->kill_id, d->kill_round);
	} else {
		printf("FAILED: not every message arrived (see above).\n");
	}
	return (all);
}

/* --faults and --seed against the rest of the command line. */
static int
demo_parse_faults(struct demo *d)
{
	if (d->seed_set && !d->faults_on) {
		return (nngmpc_usage_error(DEMO_CMD,
		    "--seed without --faults: the seed draws the fault "
		    "schedule; add --faults"));
	}
	if (!d->faults_on) {
		return (0);
	}
	if (d->equivocate_id != 0) {
		return (nngmpc_usage_error(DEMO_CMD,
		    "--faults with --equivocate: the equivocation demo runs "
		    "its own mesh, with no relays; use one or the other"));
	}
	if (d->kill_id != 0) {
		return (nngmpc_usage_error(DEMO_CMD,
		    "--faults with --kill: a killed party loses its delivery "
		    "streams, so its messages cannot all arrive; use one or "
		    "the other"));
	}
	if (d->flood_id != 0) {
		return (nngmpc_usage_error(DEMO_CMD,
		    "--faults with --flood: a flood is plain bus0 broadcasts, "
		    "which delivery streams do not carry; use one or the "
		    "other"));
	}
	if (strcmp(d->scheme, "mpc+ipc") == 0) {
		return (nngmpc_usage_error(DEMO_CMD,
		    "--faults with --scheme mpc+ipc: the fault relay is TCP; "
		    "use mpc+tls+tcp or mpc+tcp"));
	}
	if (d->faults == 0) {
		d->faults = DEMO_FAULTS_DEFAULT;
	}
	if (!d->seed_set) {
		d->seed = demo_faults_seed();
	}
	/* NNG 1.5.2's TLS stream can miss a reset: the pipe then ends only
	 * when heartbeats stop (3 intervals), 15 s at the default 5 s.
	 * Frequent heartbeats find a cut link in well under a second. */
	if (!d->lim.heartbeat_set) {
		d->lim.heartbeat_ms  = DEMO_FAULTS_HEARTBEAT_MS;
		d->lim.heartbeat_set = true;
	}
	return (0);
}

static int
demo_parse(struct demo *d, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "parties", required_argument, NULL, 'n' },
		{ "scheme", required_argument, NULL, 's' },
		{ "kill", required_argument, NULL, DEMO_OPT_KILL },
		{ "timeout", required_argument, NULL, 't' },
		{ "keep", no_argument, NULL, DEMO_OPT_KEEP },
		{ "flood", required_argument, NULL, DEMO_OPT_FLOOD },
		{ "flood-count", required_argument, NULL,
		    DEMO_OPT_FLOOD_COUNT },
		{ "equivocate", required_argument, NULL, DEMO_OPT_EQUIVOCATE },
		{ "faults", optional_argument, NULL, DEMO_OPT_FAULTS },
		{ "seed", required_argument, NULL, DEMO_OPT_SEED },
		NNGMPC_FILTER_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	int rv;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+:n:s:t:h", longopts, NULL)) !=
	    -1) {
		switch (c) {
		case 'n':
			if (!nngmpc_parse_u32(
			        optarg, 2, DEMO_PARTIES_MAX, &d->parties)) {
				return (nngmpc_usage_error(DEMO_CMD,
				    "--parties '%s': expected 2..%u", optarg,
				    DEMO_PARTIES_MAX));
			}
			break;
		case 's':
			if (strcmp(optarg, "mpc+tls+tcp") != 0 &&
			    strcmp(optarg, "mpc+tcp") != 0 &&
			    strcmp(optarg, "mpc+ipc") != 0) {
				return (nngmpc_usage_error(DEMO_CMD,
				    "--scheme '%s': expected mpc+tls+tcp, "
				    "mpc+tcp or mpc+ipc",
				    optarg));
			}
			strcpy(d->scheme, optarg);
			break;
		case DEMO_OPT_KILL: {
			char *at = strchr(optarg, '@');
			bool  known = false;

			if (at != NULL) {
				*at = '\0';
				for (size_t r = 0; r < nngmpc_nrounds; r++) {
					known |= strcmp(at + 1,
					             nngmpc_rounds[r].name) == 0;
				}
			}
			if (at == NULL || !known ||
			    !nngmpc_parse_u32(optarg, 1, DEMO_PARTIES_MAX,
			        &d->kill_id) ||
			    strlen(at + 1) >= sizeof(d->kill_round)) {
				return (nngmpc_usage_error(DEMO_CMD,
				    "--kill: expected ID@ROUND, e.g. "
				    "2@keygen-2 (rounds keygen-1..3, "
				    "sign-1..4)"));
			}
			strcpy(d->kill_round, at + 1);
			break;
		}
		case 't':
			if (!nngmpc_parse_u32(optarg, 1, 3600, &d->timeout_s)) {
				return (nngmpc_usage_error(DEMO_CMD,
				    "--timeout '%s': expected 1..3600", optarg));
			}
			break;
		case DEMO_OPT_KEEP:
			d->keep = true;
			break;
		case DEMO_OPT_FLOOD:
			if (!nngmpc_parse_u32(
			        optarg, 1, DEMO_PARTIES_MAX, &d->flood_id)) {
				return (nngmpc_usage_error(DEMO_CMD,
				    "--flood '%s': expected a party 1..%u",
				    optarg, DEMO_PARTIES_MAX));
			}
			break;
		case DEMO_OPT_EQUIVOCATE:
			if (!nngmpc_parse_u32(
			        optarg, 1, DEMO_PARTIES_MAX, &d->equivocate_id)) {
				return (nngmpc_usage_error(DEMO_CMD,
				    "--equivocate '%s': expected a party 1..%u",
				    optarg, DEMO_PARTIES_MAX));
			}
			break;
		case DEMO_OPT_FLOOD_COUNT:
			if (!nngmpc_parse_u32(
			        optarg, 1, 1000000, &d->flood_count)) {
				return (nngmpc_usage_error(DEMO_CMD,
				    "--flood-count '%s': expected 1..1000000",
				    optarg));
			}
			break;
		case DEMO_OPT_FAULTS:
			/* "--faults 5" as well as "--faults=5": a number right
			 * after it is its count. */
			if ((optarg == NULL) && (optind < argc) &&
			    (argv[optind][0] >= '0') && (argv[optind][0] <= '9')) {
				optarg = argv[optind++];
			}
			d->faults_on = true;
			if ((optarg != NULL) &&
			    !nngmpc_parse_u32(
			        optarg, 1, DEMO_FAULTS_MAX, &d->faults)) {
				return (nngmpc_usage_error(DEMO_CMD,
				    "--faults '%s': expected 1..%u cuts", optarg,
				    DEMO_FAULTS_MAX));
			}
			break;
		case DEMO_OPT_SEED: {
			char *end;

			errno   = 0;
			d->seed = strtoull(optarg, &end, 10);
			if ((optarg[0] < '0') || (optarg[0] > '9') ||
			    (*end != '\0') || (errno != 0)) {
				return (nngmpc_usage_error(DEMO_CMD,
				    "--seed '%s': expected a number "
				    "0..18446744073709551615",
				    optarg));
			}
			d->seed_set = true;
			break;
		}
		case 'h':
			demo_usage(stdout);
			return (-1);
		case ':':
			return (nngmpc_usage_error(DEMO_CMD,
			    "option '%s' needs a value", argv[optind - 1]));
		default:
			if ((rv = nngmpc_filter_flag(
			         DEMO_CMD, c, optarg, &d->lim)) < 0) {
				return (NNGMPC_EXIT_USAGE);
			}
			if (rv > 0) {
				break;
			}
			return (nngmpc_usage_error(DEMO_CMD,
			    "unknown option '%s'", argv[optind - 1]));
		}
	}
	if (optind < argc) {
		return (nngmpc_usage_error(
		    DEMO_CMD, "unexpected argument '%s'", argv[optind]));
	}
	if (d->flood_id > d->parties) {
		return (nngmpc_usage_error(DEMO_CMD,
		    "--flood %u: there are only %u parties",
		    (unsigned) d->flood_id, (unsigned) d->parties));
	}
	if ((d->equivocate_id > d->parties) ||
	    ((d->equivocate_id != 0) && (d->parties < 3))) {
		return (nngmpc_usage_error(DEMO_CMD,
		    "--equivocate %u: needs 3 or more parties, and a party "
		    "among them", (unsigned) d->equivocate_id));
	}
	if (d->kill_id > d->parties) {
		return (nngmpc_usage_error(DEMO_CMD,
		    "--kill %u: there are only %u parties",
		    (unsigned) d->kill_id, (unsigned) d->parties));
	}
	return (demo_parse_faults(d));
}

static int
demo_run(int argc, char **argv)
{
	struct demo *d;
	int          rv, ret = NNGMPC_EXIT_FAIL;

	if ((d = calloc(1, sizeof(*d))) == NULL) {
		return (NNGMPC_EXIT_FAIL);
	}
	d->parties   = DEMO_PARTIES_DEFAULT;
	d->timeout_s = DEMO_TIMEOUT_DEFAULT;
	d->flood_count = DEMO_FLOOD_DEFAULT;
	strcpy(d->scheme, "mpc+tls+tcp");
	if ((rv = demo_parse(d, argc, argv)) != 0) {
		free(d);
		return (rv < 0 ? NNGMPC_EXIT_OK : rv);
	}
	if (d->equivocate_id != 0) {
		ret = nngmpc_demo_equivocate(
		    d->parties, d->equivocate_id, d->timeout_s, d->keep);
		free(d);
		return (ret);
	}
	printf("nng-mpc demo: %u parties, bus0 mesh over %s://, 3 keygen + "
	       "4 signing rounds\n",
	    (unsigned) d->parties, d->scheme);
	if (!demo_prepare(d)) {
		goto out;
	}
	printf("session roster: %s\nstarting %u party processes "
	       "(nngmpc node)\n",
	    d->roster_path, (unsigned) d->parties);
	if ((rv = demo_spawn(d)) != 0) {
		nngmpc_error(DEMO_CMD, "cannot start the party processes: %s",
		    strerror(rv));
		goto out;
	}
	demo_collect(d);
	if (demo_print(d)) {
		ret = NNGMPC_EXIT_OK;
	}
out:
	if (d->fs != NULL) {
		demo_faults_stop(d->fs);
		free(d->fs);
	}
	if (d->keep) {
		printf("kept %s (roster.conf holds the session key)\n", d->dir);
	} else if (d->dir[0] != '\0') {
		nngmpc_rmtree(d->dir);
	}
	free(d);
	return (ret);
}

const struct nngmpc_cmd nngmpc_cmd_demo = {
	.name    = "demo",
	.summary = "run a 3-party keygen + signing session on this machine",
	.run     = demo_run,
};
