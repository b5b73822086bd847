/*
 * mpc_tran_admit.h -- admission: what is decided about a connection before
 * anything is allocated for it, and who may be a party on a socket.
 *
 *   1. At accept, before any byte is read and before any TLS work:
 *      mpc_tran_admit_enter() applies the listener's cap on connections
 *      negotiating at once, the cap per source address, and the token
 *      bucket of new connections per source (mpc_tran_limit.h, the
 *      model of WireGuard's ratelimiter).  Over a limit the caller closes
 *      the connection at once and counts the reason.
 *      mpc_tran_admit_leave() when the negotiation ends, either way.
 *   2. After authentication: the party registry.  A socket has at most
 *      one pipe per party.  When the same identity (the same party ID
 *      and, over TLS, the same certificate key) completes a handshake
 *      while an older pipe of that party is registered, the newer one
 *      wins and the older is closed, as WireGuard's newest handshake
 *      does: a peer whose old connection died unnoticed (a reset that
 *      arrived while nothing was reading it) can always come back.  A
 *      different identity claiming a registered party is refused
 *      (NNG_MPC_EDUPPARTY).
 *
 * The state is bounded: the source table holds only sources with a
 * connection negotiating (at most the listener's cap), the rate table a
 * fixed number of sources (full = deny), the registry only live pipes.
 *
 * Threading: an admission table belongs to one endpoint and is used
 * under its mutex.  The registry is process-wide under its own lock,
 * taken last (after the endpoint's and a pipe's locks); nothing is called
 * with it held.
 */
#ifndef NNG_MPC_TRANSPORT_MPC_TRAN_ADMIT_H
#define NNG_MPC_TRANSPORT_MPC_TRAN_ADMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/nng_impl.h"

#include "nng_mpc.h"

#include "mpc_tran_limit.h"

/* Defaults and ranges of the two caps (documented in include/nng_mpc.h). */
#define MPC_TRAN_MAX_NEGO_DEFAULT        128
#define MPC_TRAN_MAX_NEGO_PER_SRC_DEFAULT 8
#define MPC_TRAN_MAX_NEGO_MIN            1
#define MPC_TRAN_MAX_NEGO_MAX            65535

/* A source: an IPv4 address, or an IPv6 /64 (one host's usual share,
 * as WireGuard's ratelimiter keys it); IPC connections have none. */
typedef struct mpc_tran_source {
	uint8_t  addr[8];
	uint16_t family; /* NNG_AF_INET, NNG_AF_INET6, or 0: no source */
} mpc_tran_source;

typedef struct mpc_tran_admit_src {
	mpc_tran_source src;
	uint32_t        count; /* connections negotiating from it */
} mpc_tran_admit_src;

typedef struct mpc_tran_admit {
	uint32_t            max_nego;    /* negotiating at once */
	uint32_t            max_per_src; /* of those, from one source */
	uint32_t            nego;        /* negotiating now */
	mpc_tran_admit_src *srcs;        /* sources with count > 0 */
	uint32_t            nsrcs;
	uint32_t            cap;         /* srcs allocated */
	mpc_tran_throttle   thr;         /* new connections per source */
} mpc_tran_admit;

void mpc_tran_admit_init(mpc_tran_admit *a);
void mpc_tran_admit_fini(mpc_tran_admit *a);

/* The source of a connection (family 0 when it has none). */
void mpc_tran_source_of(nng_stream *conn, mpc_tran_source *src);

/*
 * Admits a new connection from src: 0 (counted in until
 * mpc_tran_admit_leave), NNG_MPC_ENEGOFULL (the listener's cap),
 * NNG_MPC_ESOURCEFULL (the source's cap), NNG_MPC_ECONNRATE (the
 * source's new-connection rate), NNG_MPC_ETHROTTLEFULL (the rate table
 * is full) or NNG_ENOMEM.
 */
__attribute__((warn_unused_result)) int mpc_tran_admit_enter(
    mpc_tran_admit *a, const mpc_tran_source *src);
void mpc_tran_admit_leave(mpc_tran_admit *a, const mpc_tran_source *src);

/* ---- the party registry */

typedef struct mpc_tran_party {
	nni_list_node node;
	uint32_t      sock_id;
	uint32_t      party;
	bool          has_pin; /* over TLS: the certificate's key */
	uint8_t       pin[NNG_MPC_TLS_PIN_SIZE];
	uint32_t      pipe_id;    /* NNG's pipe once the socket has it */
	bool          registered;
	bool          evicted; /* replaced before the socket took it */
} mpc_tran_party;

void mpc_tran_registry_init(void);
void mpc_tran_registry_fini(void);

/* Describes an entry (not registered yet); pin NULL without TLS. */
void mpc_tran_party_init(mpc_tran_party *e, uint32_t sock_id, uint32_t party,
    const uint8_t *pin);

/*
 * Early answer during the handshake: NNG_MPC_EDUPPARTY when another
 * identity holds the party on the socket, else 0 (a pipe of the same
 * identity will be replaced at registration).
 */
__attribute__((warn_unused_result)) int mpc_tran_party_check(
    const mpc_tran_party *e);

/*
 * Registers e once its keys are confirmed.  0, with *old_pipe the NNG pipe
 * it replaced (0: none, or one the socket has not taken yet, which is then
 * marked evicted); or NNG_MPC_EDUPPARTY (another identity holds the party).
 */
__attribute__((warn_unused_result)) int mpc_tran_party_register(
    mpc_tran_party *e, uint32_t *old_pipe, bool *replaced);

/* The protocol started the pipe: records its NNG pipe ID, from which on
 * a newer connection of the party closes it through NNG.  false when it
 * was replaced before (its owner then closes it itself). */
bool mpc_tran_party_set_pipe(mpc_tran_party *e, uint32_t pipe_id);

/* The NNG pipe ID recorded by mpc_tran_party_set_pipe, or 0. */
uint32_t mpc_tran_party_pipe(mpc_tran_party *e);

/* true when e was replaced before the socket took its pipe. */
bool mpc_tran_party_evicted(mpc_tran_party *e);

/* Leaves the registry (idempotent). */
void mpc_tran_party_unregister(mpc_tran_party *e);

/* Closes the NNG pipe a newer connection replaced (no lock held). */
void mpc_tran_party_close_pipe(uint32_t pipe_id);

#endif /* NNG_MPC_TRANSPORT_MPC_TRAN_ADMIT_H */
