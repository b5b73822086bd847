/*
 * The pipe filter's command-line flags (filter_flags.h).
 */
#include <stdio.h>
#include <string.h>

#include "filter_flags.h"
#include "nngmpc.h"

const char nngmpc_filter_help[] =
    "Pipe filter (every endpoint; defaults: README, 'Admission, rate\n"
    "limits and liveness'):\n"
    "      --rate-msgs N    messages per second each peer may have\n"
    "                       delivered (mpc:rate-msgs; default unlimited)\n"
    "      --rate-bytes N   payload bytes per second (mpc:rate-bytes)\n"
    "      --rate-policy P  backpressure (default) or close\n"
    "      --conn-rate N    new connections per second per source address\n"
    "                       (mpc:conn-rate, default 20; 0: no limit)\n"
    "      --heartbeat MS   heartbeat interval (mpc:heartbeat, default\n"
    "                       5000; 0: off)\n";

int
nngmpc_filter_flag(
    const char *cmd, int c, const char *arg, struct nngmpc_node_opts *o)
{
	uint32_t v;

	switch (c) {
	case NNGMPC_FF_RATE_MSGS:
	case NNGMPC_FF_RATE_BYTES:
		if (!nngmpc_parse_u32(arg, 1, 0xFFFFFFFFu, &v)) {
			nngmpc_usage_error(cmd, "--%s '%s': expected 1..4294967295",
			    c == NNGMPC_FF_RATE_MSGS ? "rate-msgs" : "rate-bytes",
			    arg);
			return (-1);
		}
		*(c == NNGMPC_FF_RATE_MSGS ? &o->rate_msgs : &o->rate_bytes) =
		    v;
		return (1);
	case NNGMPC_FF_RATE_POLICY:
		if ((strcmp(arg, "backpressure") != 0) &&
		    (strcmp(arg, "close") != 0)) {
			nngmpc_usage_error(cmd,
			    "--rate-policy '%s': expected backpressure or close",
			    arg);
			return (-1);
		}
		o->rate_policy = arg;
		return (1);
	case NNGMPC_FF_CONN_RATE:
		if (!nngmpc_parse_u32(arg, 0, 1000000, &o->conn_rate)) {
			nngmpc_usage_error(
			    cmd, "--conn-rate '%s': expected 0..1000000", arg);
			return (-1);
		}
		o->conn_rate_set = true;
		return (1);
	case NNGMPC_FF_HEARTBEAT:
		if (!nngmpc_parse_u32(arg, 0, 3600000, &o->heartbeat_ms) ||
		    ((o->heartbeat_ms != 0) && (o->heartbeat_ms < 100))) {
			nngmpc_usage_error(cmd,
			    "--heartbeat '%s': expected 0 or 100..3600000 ms",
			    arg);
			return (-1);
		}
		o->heartbeat_set = true;
		return (1);
	default:
		return (0);
	}
}

int
nngmpc_filter_argv(const struct nngmpc_node_opts *o,
    char buf[NNGMPC_FILTER_ARGV_MAX][24], char **argv)
{
	int n = 0;

	if (o->rate_msgs != 0) {
		argv[n++] = "--rate-msgs";
		snprintf(buf[n], 24, "%llu", (unsigned long long) o->rate_msgs);
		argv[n] = buf[n];
		n++;
	}
	if (o->rate_bytes != 0) {
		argv[n++] = "--rate-bytes";
		snprintf(buf[n], 24, "%llu", (unsigned long long) o->rate_bytes);
		argv[n] = buf[n];
		n++;
	}
	if (o->rate_policy != NULL) {
		argv[n++] = "--rate-policy";
		argv[n++] = (char *) o->rate_policy;
	}
	if (o->conn_rate_set) {
		argv[n++] = "--conn-rate";
		snprintf(buf[n], 24, "%u", (unsigned) o->conn_rate);
		argv[n] = buf[n];
		n++;
	}
	if (o->heartbeat_set) {
		argv[n++] = "--heartbeat";
		snprintf(buf[n], 24, "%u", (unsigned) o->heartbeat_ms);
		argv[n] = buf[n];
		n++;
	}
	return (n);
}
