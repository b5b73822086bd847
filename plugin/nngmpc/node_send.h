/*
 * node_send.h -- how `nngmpc node` sends its round messages and its
 * closing ACK (node.c runs the rounds).  Without delivery streams a
 * message goes through bus0 (nng_sendmsg: a broadcast is one message);
 * with them (--reliable) every message is addressed and goes through
 * nng_mpc_sendmsg, so a party whose connection is down at that moment
 * gets it once it reconnects: a broadcast is one addressed copy per party,
 * its payload still saying "broadcast" (rounds.h), because the transport
 * puts a real broadcast only on the streams that have a connection now.
 *
 * Threading: the node's thread only.
 */
#ifndef NNG_MPC_NNGMPC_NODE_SEND_H
#define NNG_MPC_NNGMPC_NODE_SEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nng/nng.h>

struct nngmpc_node_tx {
	nng_socket      sock;
	const uint8_t  *session_id; /* 16 bytes: the payloads depend on it */
	uint32_t        self;
	bool            reliable; /* delivery streams on the socket */
	const uint32_t *peers;    /* every other party */
	size_t          npeers;
};

/* The socket settings delivery streams need before any endpoint exists:
 * our party ID and NNG_OPT_MPC_RELIABLE through nng_mpc_socket_set (what
 * nng_mpc_sendmsg checks), and how long a send waits for a party that is
 * not connected (NNG_OPT_SENDTIMEO).  Returns 0 or an NNG error with
 * *what the option. */
int nngmpc_node_tx_setup(nng_socket sock, uint32_t self, nng_duration wait_ms,
    const char **what) __attribute__((warn_unused_result));

/* Sends round r's message of len bytes to party `to`, or to every other
 * party for NNG_MPC_PARTY_BROADCAST.  Returns 0 or an NNG error. */
int nngmpc_node_send_round(const struct nngmpc_node_tx *tx, int r,
    uint32_t to, size_t len) __attribute__((warn_unused_result));

/* Sends the closing ACK (NNG_MPC_MSG_ACK, empty) to every other party.
 * Returns 0 or an NNG error. */
int nngmpc_node_send_ack(const struct nngmpc_node_tx *tx)
    __attribute__((warn_unused_result));

#endif /* NNG_MPC_NNGMPC_NODE_SEND_H */
