/*
 * The pipe filter's command-line flags, shared by `nngmpc node` (which
 * applies them, node.h) and `nngmpc demo` (which checks them and hands
 * them to its nodes):
 *   --rate-msgs N       NNG_OPT_MPC_RATE_MSGS    1..4294967295 per second
 *   --rate-bytes N      NNG_OPT_MPC_RATE_BYTES   1..4294967295 per second
 *   --rate-policy P     NNG_OPT_MPC_RATE_POLICY  backpressure | close
 *   --conn-rate N       NNG_OPT_MPC_CONN_RATE    0..1000000 per second
 *   --heartbeat MS      NNG_OPT_MPC_HEARTBEAT    0 (off) or 100..3600000
 * Threading: none (argument parsing).
 */
#ifndef NNG_MPC_NNGMPC_FILTER_FLAGS_H
#define NNG_MPC_NNGMPC_FILTER_FLAGS_H

#include <getopt.h>

#include "node.h"

enum nngmpc_filter_flag {
	NNGMPC_FF_RATE_MSGS = 300,
	NNGMPC_FF_RATE_BYTES,
	NNGMPC_FF_RATE_POLICY,
	NNGMPC_FF_CONN_RATE,
	NNGMPC_FF_HEARTBEAT,
};

#define NNGMPC_FILTER_LONGOPTS                                              \
	{ "rate-msgs", required_argument, NULL, NNGMPC_FF_RATE_MSGS },      \
	    { "rate-bytes", required_argument, NULL, NNGMPC_FF_RATE_BYTES }, \
	    { "rate-policy", required_argument, NULL,                       \
	        NNGMPC_FF_RATE_POLICY },                                    \
	    { "conn-rate", required_argument, NULL, NNGMPC_FF_CONN_RATE },  \
	    { "heartbeat", required_argument, NULL, NNGMPC_FF_HEARTBEAT }

/* The flags' lines for a command's --help. */
extern const char nngmpc_filter_help[];

/*
 * Takes flag c with its argument into o: 1 taken, 0 not one of ours,
 * -1 a bad value (reported as cmd's usage error).
 */
int nngmpc_filter_flag(
    const char *cmd, int c, const char *arg, struct nngmpc_node_opts *o);

/* Room for the flags nngmpc_filter_argv writes. */
#define NNGMPC_FILTER_ARGV_MAX 10

/*
 * Writes the flags o sets as command-line words into argv (at most
 * NNGMPC_FILTER_ARGV_MAX; values formatted into buf, which must stay
 * alive with argv); returns how many.
 */
int nngmpc_filter_argv(const struct nngmpc_node_opts *o,
    char buf[NNGMPC_FILTER_ARGV_MAX][24], char **argv);

#endif /* NNG_MPC_NNGMPC_FILTER_FLAGS_H */
