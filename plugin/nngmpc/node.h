/*
 * One party of a roster, as `nngmpc node` runs it and `nngmpc demo` starts
 * it (as separate processes).  A bus0 socket listens on the party's own
 * address and dials every party with a lower ID (so each pair has exactly
 * one connection: the transport refuses a second one from the same party),
 * waits until every other party is connected, then runs the rounds of
 * rounds.h: it sends each round's broadcast and point-to-point messages and
 * receives until it holds every message of the round exactly once, each
 * checked for sender, recipient, type and content.  A closing ACK broadcast
 * keeps every socket open until every peer holds everything it was sent.
 *
 * Threading: the node's thread runs everything; NNG's pipe callbacks only
 * record connects and disconnects under the node's lock.
 */
#ifndef NNG_MPC_NNGMPC_NODE_H
#define NNG_MPC_NNGMPC_NODE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <nng/nng.h>

#include "roster.h"

struct nngmpc_node_opts {
	const struct nngmpc_roster *roster;
	uint32_t                    id;
	uint32_t                    timeout_s; /* connect and per round */
	bool                        verbose;   /* a line per message */
	/* Machine-readable progress for `nngmpc demo` (see node.c), or NULL. */
	FILE *report;
	/* The pipe filter on every endpoint (include/nng_mpc.h): 0 or NULL
	 * leaves a setting at its default. */
	uint64_t    rate_msgs;   /* NNG_OPT_MPC_RATE_MSGS */
	uint64_t    rate_bytes;  /* NNG_OPT_MPC_RATE_BYTES */
	const char *rate_policy; /* NNG_OPT_MPC_RATE_POLICY */
	uint32_t    conn_rate;   /* NNG_OPT_MPC_CONN_RATE, with conn_rate_set */
	bool        conn_rate_set;
	uint32_t    heartbeat_ms; /* NNG_OPT_MPC_HEARTBEAT, with heartbeat_set */
	bool        heartbeat_set;
	/* Flooding (a misbehaving party, for the demo): this many extra
	 * 64-byte broadcasts of type NNGMPC_FLOOD_TYPE after our messages of
	 * each round; receivers count and discard them. */
	uint32_t flood;
	/* HOST:PORT of a metrics endpoint for the node's life, or NULL. */
	const char *metrics_addr;
	/* Delivery streams (NNG_OPT_MPC_RELIABLE) on the socket and every
	 * endpoint: a connection that breaks during the rounds is redialled
	 * and resumed instead of failing the node (node_send.h). */
	bool reliable;
	/* Milliseconds to wait before each round's messages, so rounds
	 * spread out in time (the demo's faults land during them). */
	uint32_t round_gap_ms;
	/* The demo's --kill: after reporting this round the node stops
	 * itself (SIGSTOP) until its supervisor kills it, so the kill lands
	 * right after that round however busy the machine; or NULL. */
	const char *stop_after;
};

/* The flooder's message type (application range). */
#define NNGMPC_FLOOD_TYPE 0x8F10u

/* Runs the node; returns an nngmpc_exit value.  Errors go to stderr. */
int nngmpc_node_run(const struct nngmpc_node_opts *o);

/* The pipe filter's settings of o (a const struct nngmpc_node_opts *) on
 * a socket before any endpoint: a mesh's setup hook (mesh.h), also the
 * sidecar's.  Returns 0 or an NNG error with *what the option. */
int nngmpc_node_limits(nng_socket sock, void *o, const char **what)
    __attribute__((warn_unused_result));

#endif /* NNG_MPC_NNGMPC_NODE_H */
