/*
 * node_send.c -- see node_send.h (why a broadcast is split, threading).
 */
#include <nng/nng.h>
#include <nng_mpc.h>

#include "node_send.h"
#include "rounds.h"

int
nngmpc_node_tx_setup(nng_socket sock, uint32_t self, nng_duration wait_ms,
    const char **what)
{
	int  id = (int) self;
	bool on = true;
	int  rv;

	if ((*what = NNG_OPT_MPC_PARTY_ID,
	        rv = nng_mpc_socket_set(sock, NNG_OPT_MPC_PARTY_ID, &id,
	            sizeof(id))) != 0 ||
	    (*what = NNG_OPT_MPC_RELIABLE,
	        rv = nng_mpc_socket_set(
	            sock, NNG_OPT_MPC_RELIABLE, &on, sizeof(on))) != 0) {
		return (rv);
	}
	*what = NNG_OPT_SENDTIMEO;
	return (nng_socket_set_ms(sock, NNG_OPT_SENDTIMEO, wait_ms));
}

/* One message of the given type to `to`; m is consumed either way. */
static int
node_tx_one(const struct nngmpc_node_tx *tx, nng_msg *m, uint16_t type,
    uint32_t to)
{
	int rv;

	if ((rv = nng_mpc_msg_set_type(m, type)) != 0 ||
	    (rv = nng_mpc_msg_set_recipient(m, to)) != 0 ||
	    (rv = tx->reliable ? nng_mpc_sendmsg(tx->sock, m, 0)
	                       : nng_sendmsg(tx->sock, m, 0)) != 0) {
		nng_msg_free(m);
	}
	return (rv);
}

/* m to `to`; with delivery streams a broadcast goes as one copy per
 * party.  m is consumed either way. */
static int
node_tx(const struct nngmpc_node_tx *tx, nng_msg *m, uint16_t type,
    uint32_t to)
{
	int rv = 0;

	if (!tx->reliable || (to != NNG_MPC_PARTY_BROADCAST)) {
		return (node_tx_one(tx, m, type, to));
	}
	for (size_t i = 0; (rv == 0) && (i < tx->npeers); i++) {
		nng_msg *c = m;

		/* The last party gets m itself. */
		if ((i + 1 < tx->npeers) && ((rv = nng_msg_dup(&c, m)) != 0)) {
			break;
		}
		rv = node_tx_one(tx, c, type, tx->peers[i]);
		if (c == m) {
			return (rv);
		}
	}
	nng_msg_free(m);
	return (rv);
}

int
nngmpc_node_send_round(
    const struct nngmpc_node_tx *tx, int r, uint32_t to, size_t len)
{
	nng_msg *m;
	int      rv;

	if ((rv = nng_msg_alloc(&m, len)) != 0) {
		return (rv);
	}
	nngmpc_round_payload(
	    tx->session_id, r, tx->self, to, nng_msg_body(m), len);
	return (node_tx(tx, m, nngmpc_rounds[r].type, to));
}

int
nngmpc_node_send_ack(const struct nngmpc_node_tx *tx)
{
	nng_msg *m;
	int      rv;

	if ((rv = nng_msg_alloc(&m, 0)) != 0) {
		return (rv);
	}
	return (node_tx(tx, m, NNG_MPC_MSG_ACK, NNG_MPC_PARTY_BROADCAST));
}
