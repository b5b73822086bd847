/*
 * mpc_tran_hello.h -- the MPC handshake records and their checks: the
 * hello each side sends after the SP header, the finished record that
 * confirms both derived the same keys, the transcript, and the key
 * derivation that turns a completed exchange into a crypto channel.
 *
 * Pure code (the public NNG header, the wire cursor and crypto/ only), so
 * the transport's negotiation and the tests' hostile clients share it.
 *
 * The exchange, both sides at once (the dialer is the initiator):
 *
 *   -> SP header (8) || HELLO (72)      <- SP header (8) || HELLO (72)
 *   each side checks the peer's hello (and, over TLS, its certificate),
 *   derives the keys, then
 *   -> FINISHED (40)                    <- FINISHED (40)
 *   each side verifies the peer's finished MAC before any frame flows.
 *
 * HELLO, 72 bytes, big-endian:
 *   off size field
 *     0    4 magic        "MPCH" (0x4D 0x50 0x43 0x48)
 *     4    2 version      MPC_HELLO_VERSION (1)
 *     6    2 length       MPC_HELLO_SIZE (72) in version 1
 *     8    4 party ID     the sender's, NNG_MPC_PARTY_MIN..MAX
 *    12   16 session ID   NNG_OPT_MPC_SESSION_ID
 *    28   32 random       fresh from the RNG for every connection
 *    60    4 capabilities bit 0: channel binding (TLS exporter keyed);
 *                         bit 1: delivery streams (on when both set it);
 *                         other bits reserved, sent 0, ignored on receipt
 *    64    8 max payload  the largest payload the sender accepts,
 *                         1..NNG_MPC_PAYLOAD_MAX
 *
 * FINISHED, 40 bytes:
 *   off size field
 *     0    4 magic        "MPCF" (0x4D 0x50 0x43 0x46)
 *     4    2 status       0: accepted; else the reason the sender rejects
 *                         us, as (NNG_MPC_E* - NNG_MPC_ERRBASE)
 *     6    2 reserved     0
 *     8   32 MAC          status 0: HMAC-SHA256(finished key of the
 *                         sender's direction, transcript hash);
 *                         else zero
 *
 * The transcript hash is SHA-256 over, in this order, the initiator's SP
 * header and hello, then the responder's SP header and hello (as sent).
 * Key schedule (crypto/mpc_channel.h): HKDF-SHA256 over the session key,
 * the session ID, both party IDs, both randoms and, when both hellos set
 * the channel-binding bit, a 32-byte TLS 1.3 exporter value (RFC 8446
 * section 7.5, label MPC_HELLO_EXPORTER_LABEL, context = the transcript
 * hash).  The finished MAC covers the transcript, so a hello altered in
 * flight, a different session key, or a different TLS channel (a relay
 * between two TLS sessions) all fail key confirmation.
 *
 * Threading: an mpc_tran_hs belongs to one connection; its owner serialises
 * calls (the endpoint mutex in the transport).
 */
#ifndef NNG_MPC_TRANSPORT_MPC_TRAN_HELLO_H
#define NNG_MPC_TRANSPORT_MPC_TRAN_HELLO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nng_mpc.h"

#include "mpc_channel.h"
#include "mpc_tran_cfg.h"

#define MPC_SP_HEADER_SIZE       8
#define MPC_HELLO_SIZE           72
#define MPC_FINISHED_SIZE        40
#define MPC_HELLO_VERSION        1
#define MPC_HELLO_RANDOM_SIZE    32
#define MPC_HELLO_MAC_SIZE       32
#define MPC_HELLO_HASH_SIZE      32
#define MPC_HELLO_EXPORTER_SIZE  32
#define MPC_HELLO_CAP_BINDING    0x00000001u
#define MPC_HELLO_CAP_DELIVER    0x00000002u /* delivery streams (mpc_tran_dlv.h) */
#define MPC_HELLO_EXPORTER_LABEL "EXPORTER-nng-mpc-channel-binding"

/* A decoded hello. */
typedef struct mpc_hello {
	uint16_t version;
	uint32_t party_id;
	uint8_t  session_id[NNG_MPC_SESSION_ID_SIZE];
	uint8_t  random[MPC_HELLO_RANDOM_SIZE];
	uint32_t caps;
	uint64_t max_payload;
} mpc_hello;

/* One side's handshake state. */
typedef struct mpc_tran_hs {
	bool      initiator;
	mpc_hello local;
	mpc_hello peer;
	/* What went on the wire: SP header || hello, then finished. */
	uint8_t tx[MPC_SP_HEADER_SIZE + MPC_HELLO_SIZE];
	uint8_t rx[MPC_SP_HEADER_SIZE + MPC_HELLO_SIZE];
	uint8_t tx_fin[MPC_FINISHED_SIZE];
	uint8_t rx_fin[MPC_FINISHED_SIZE];
	uint8_t transcript[MPC_HELLO_HASH_SIZE];
	/* Secrets, wiped by mpc_hs_wipe(). */
	uint8_t session_key[MPC_TRAN_SESSION_KEY_SIZE];
	uint8_t exporter[MPC_HELLO_EXPORTER_SIZE];
	bool    have_exporter;
	uint8_t fin_key_local[MPC_HELLO_MAC_SIZE];
	uint8_t fin_key_peer[MPC_HELLO_MAC_SIZE];
	mpc_chan *chan; /* derived; handed to the pipe */
	/* Channel settings copied from the configuration. */
	uint32_t replay_window;
	uint64_t rekey_messages;
	uint64_t rekey_interval_ms;
	uint32_t auth_fail_limit;
} mpc_tran_hs;

/*
 * Starts a handshake: fills our hello from cfg (fresh random from the
 * RNG), the SP header for protocol proto, and copies the session key.
 * want_binding: we will mix a TLS exporter in (TLS only).  Returns 0 or
 * NNG_ECRYPTO (RNG failure); hs is wiped on error.
 */
__attribute__((warn_unused_result)) int mpc_hs_init(mpc_tran_hs *hs,
    const mpc_tran_cfg *cfg, uint16_t proto, bool initiator,
    bool want_binding, uint32_t max_payload);

/* Wipes every secret and frees a channel not handed out. */
void mpc_hs_wipe(mpc_tran_hs *hs);

/* Encodes / decodes a hello (exactly MPC_HELLO_SIZE bytes). */
__attribute__((warn_unused_result)) int mpc_hello_encode(
    uint8_t *out, size_t cap, const mpc_hello *h);
/* 0, NNG_MPC_EHELLO (magic, length, field out of range) or
 * NNG_MPC_EHELLOVERSION; h zeroed on error. */
__attribute__((warn_unused_result)) int mpc_hello_decode(
    mpc_hello *h, const uint8_t *buf, size_t len);

/*
 * Checks the SP header in hs->rx: 0 and the peer's protocol in *peer_proto,
 * or NNG_EPROTO (not an SP header).
 */
__attribute__((warn_unused_result)) int mpc_hs_check_sp(
    const mpc_tran_hs *hs, uint16_t *peer_proto);

/*
 * Decodes the peer's hello from hs->rx and checks it against ours: version,
 * session ID, party ID (not ours), capabilities.  Returns 0 or
 * NNG_MPC_EHELLO, NNG_MPC_EHELLOVERSION, NNG_MPC_ESESSIONID,
 * NNG_MPC_ESELFPARTY, NNG_MPC_ECAPS.  Computes the transcript hash.
 */
__attribute__((warn_unused_result)) int mpc_hs_check_peer(mpc_tran_hs *hs);

/* Whether both hellos ask for channel binding (after mpc_hs_check_peer). */
bool mpc_hs_binding(const mpc_tran_hs *hs);

/* Whether both hellos offer delivery streams (after mpc_hs_check_peer). */
bool mpc_hs_deliver(const mpc_tran_hs *hs);

/* Sets the 32-byte TLS exporter value (copied; wiped by mpc_hs_wipe). */
void mpc_hs_set_exporter(mpc_tran_hs *hs, const uint8_t *exp, size_t len);

/*
 * Derives the channel (its epoch clock starting at now_ns, a monotonic
 * time) and the finished keys, and writes our finished record into
 * hs->tx_fin.  Returns 0, NNG_MPC_ENOIDENTITY (binding agreed but no
 * exporter value set) or a crypto error; the session key and exporter
 * copies are wiped either way.
 */
__attribute__((warn_unused_result)) int mpc_hs_derive(
    mpc_tran_hs *hs, uint64_t now_ns);

/* Writes a rejecting finished record (status = reason) into hs->tx_fin. */
void mpc_hs_reject(mpc_tran_hs *hs, int reason);

/*
 * Verifies the peer's finished record in hs->rx_fin.  Returns 0,
 * NNG_MPC_EHELLO (malformed), NNG_MPC_EKEYCONFIRM (MAC mismatch), or, when
 * the peer rejected us, the reason it gave (a transport code) or
 * NNG_MPC_EREJECTED when the reason is not one we know.
 */
__attribute__((warn_unused_result)) int mpc_hs_check_finished(
    mpc_tran_hs *hs, bool *peer_rejected);

/* Hands the derived channel to the caller (hs no longer owns it). */
mpc_chan *mpc_hs_take_channel(mpc_tran_hs *hs);

#endif /* NNG_MPC_TRANSPORT_MPC_TRAN_HELLO_H */
