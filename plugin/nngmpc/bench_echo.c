/*
 * `nngmpc bench --echo`: the cost of echo broadcast.  For 3, 5 and 10
 * parties, an in-process bus0 mesh over mpc+tls+tcp:// loopback
 * (echo_mesh.h) runs broadcast rounds with NNG_OPT_MPC_BROADCAST_ECHO off,
 * then on, in the same run: in a round every party broadcasts one 64-byte
 * message and the round ends when every party has received the n-1
 * others.  Prints a markdown table of round latency (median, p99, mean)
 * with the frames, signatures and verifications a round costs.  Measured,
 * never asserted: the exit status says only whether every round completed.
 *
 * Threading: single-threaded; the sockets are NNG's.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nng/nng.h>

#include <nng_mpc.h>

#include "bench_echo.h"
#include "echo_mesh.h"
#include "nngmpc.h"

#define BENCH_ECHO_CMD    "bench"
#define BENCH_ECHO_ROUNDS 30u
#define BENCH_ECHO_WARMUP 3u
#define BENCH_ECHO_MSG    64u

static const unsigned bench_echo_sizes[] = { 3, 5, 10 };

static uint64_t
bench_echo_now_us(void)
{
	struct timespec ts;

	(void) clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u);
}

static int
bench_echo_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
	return (x < y ? -1 : x > y);
}

/* One round: every party broadcasts, every party receives n-1. */
static int
bench_echo_round(struct echo_mesh *m, unsigned round)
{
	uint8_t buf[BENCH_ECHO_MSG];
	int     rv;

	for (unsigned i = 0; i < m->n; i++) {
		memset(buf, (int) (round + i), sizeof(buf));
		if ((rv = echo_mesh_bcast(m, i + 1, buf, sizeof(buf))) != 0) {
			return (rv);
		}
	}
	for (unsigned i = 0; i < m->n; i++) {
		for (unsigned k = 0; k + 1 < m->n; k++) {
			nng_msg *msg;
			if ((rv = nng_recvmsg(m->s[i], &msg, 0)) != 0) {
				return (rv);
			}
			nng_msg_free(msg);
		}
	}
	return (0);
}

struct bench_echo_row {
	unsigned n;
	bool     echo;
	uint64_t p50, p99, mean; /* us */
	bool     ok;
};

static void
bench_echo_cell(struct echo_mesh *m, unsigned rounds, struct bench_echo_row *r)
{
	uint64_t *lat = calloc(rounds, sizeof(*lat));
	uint64_t  sum = 0;
	int       rv  = NNG_ENOMEM;

	r->ok = false;
	if ((lat == NULL) ||
	    ((rv = echo_mesh_open(m, r->echo, 0, 20000)) != 0)) {
		goto out;
	}
	for (unsigned k = 0; k < BENCH_ECHO_WARMUP; k++) {
		if ((rv = bench_echo_round(m, k)) != 0) {
			goto out;
		}
	}
	for (unsigned k = 0; k < rounds; k++) {
		uint64_t t0 = bench_echo_now_us();
		if ((rv = bench_echo_round(m, k)) != 0) {
			goto out;
		}
		lat[k] = bench_echo_now_us() - t0;
		sum += lat[k];
	}
	qsort(lat, rounds, sizeof(*lat), bench_echo_cmp);
	r->p50  = lat[rounds / 2];
	r->p99  = lat[(rounds * 99) / 100 < rounds ? (rounds * 99) / 100
	                                           : rounds - 1];
	r->mean = sum / rounds;
	r->ok   = true;
out:
	if (!r->ok) {
		nngmpc_error(BENCH_ECHO_CMD, "%u parties, echo %s: %s", r->n,
		    r->echo ? "on" : "off", nng_mpc_strerror(rv));
	}
	echo_mesh_close(m);
	free(lat);
}

static void
bench_echo_print(const struct bench_echo_row *rows, size_t nrows,
    unsigned rounds)
{
	printf("\n| parties | echo | round p50 ms | round p99 ms | round mean "
	       "ms | frames/round | signatures/round | verifications/round "
	       "|\n|---:|---|---:|---:|---:|---:|---:|---:|\n");
	for (size_t i = 0; i < nrows; i++) {
		const struct bench_echo_row *r = &rows[i];
		uint64_t n = r->n, bc = n * (n - 1), ec = n * (n - 1) * (n - 2);
		if (!r->ok) {
			printf("| %u | %s | failed | | | | | |\n", r->n,
			    r->echo ? "on" : "off");
			continue;
		}
		printf("| %u | %s | %.2f | %.2f | %.2f | %llu | %llu | %llu |\n",
		    r->n, r->echo ? "on" : "off", (double) r->p50 / 1000.0,
		    (double) r->p99 / 1000.0, (double) r->mean / 1000.0,
		    (unsigned long long) (r->echo ? bc + ec : bc),
		    (unsigned long long) (r->echo ? n : 0),
		    (unsigned long long) (r->echo ? bc + ec : 0));
	}
	printf("\nA round: each party broadcasts %u B, ends when every party "
	       "has the n-1 others; %u rounds per cell after %u warm-up, "
	       "in-process over mpc+tls+tcp:// loopback, ECDSA P-256.\n",
	    BENCH_ECHO_MSG, rounds, BENCH_ECHO_WARMUP);
}

int
nngmpc_bench_echo(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "echo", no_argument, NULL, 'e' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bench_echo_row rows[2 * sizeof(bench_echo_sizes) /
	    sizeof(bench_echo_sizes[0])];
	struct echo_mesh *    m      = calloc(1, sizeof(*m));
	uint32_t              rounds = BENCH_ECHO_ROUNDS;
	size_t                nrows  = 0;
	bool                  ok     = true;
	int                   c;

	if (m == NULL) {
		return (NNGMPC_EXIT_FAIL);
	}
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+:r:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'e':
			break;
		case 'r':
			if (!nngmpc_parse_u32(optarg, 1, 100000, &rounds)) {
				free(m);
				return (nngmpc_usage_error(BENCH_ECHO_CMD,
				    "--rounds '%s': expected 1..100000", optarg));
			}
			break;
		case 'h':
			printf("Usage: nngmpc bench --echo [--rounds N]\n\n"
			       "Round latency of broadcast with echo off and "
			       "on, 3, 5 and 10 parties\n(default %u rounds "
			       "per cell).\n",
			    BENCH_ECHO_ROUNDS);
			free(m);
			return (NNGMPC_EXIT_OK);
		default:
			free(m);
			return (nngmpc_usage_error(BENCH_ECHO_CMD,
			    "--echo: unknown option or missing value '%s'",
			    argv[optind - 1]));
		}
	}
	if (!echo_mesh_certs(m, BENCH_ECHO_CMD, 10)) {
		echo_mesh_done(m, false);
		free(m);
		return (NNGMPC_EXIT_FAIL);
	}
	for (size_t i = 0;
	     i < sizeof(bench_echo_sizes) / sizeof(bench_echo_sizes[0]); i++) {
		for (int e = 0; e < 2; e++) {
			struct bench_echo_row *r = &rows[nrows++];
			memset(r, 0, sizeof(*r));
			r->n    = bench_echo_sizes[i];
			r->echo = e == 1;
			m->n    = r->n;
			printf("%u parties, echo %s ...\n", r->n,
			    r->echo ? "on" : "off");
			fflush(stdout);
			bench_echo_cell(m, rounds, r);
			ok = ok && r->ok;
		}
	}
	bench_echo_print(rows, nrows, rounds);
	m->n = 10;
	echo_mesh_done(m, false);
	free(m);
	return (ok ? NNGMPC_EXIT_OK : NNGMPC_EXIT_FAIL);
}
