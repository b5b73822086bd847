/*
 * mpc_tran_cfg.h -- the MPC settings of one dialer or listener, and the
 * limits and defaults of each.  Names, types and meanings of the options
 * that set them are documented in include/nng_mpc.h ("Transport options").
 *
 * Pure data: no NNG internals, so mpc_tran_hello.c and the tests use it.
 * Threading: an endpoint's copy is protected by the endpoint's mutex; each
 * pipe takes its own copy when it starts negotiating.
 */
#ifndef NNG_MPC_TRANSPORT_MPC_TRAN_CFG_H
#define NNG_MPC_TRANSPORT_MPC_TRAN_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nng/nng.h>

#include "nng_mpc.h"

#include "mpc_channel.h"
#include "mpc_deliver.h"

#define MPC_TRAN_SESSION_KEY_SIZE 32 /* one AES-256 / HKDF-SHA256 key */
#define MPC_TRAN_PIN_SIZE         NNG_MPC_TLS_PIN_SIZE /* SHA-256 of SPKI */
#define MPC_TRAN_PINS_MAX         NNG_MPC_TLS_PINS_MAX
/* Pins as text: 64 hex digits and a separator each, and the NUL. */
#define MPC_TRAN_PINS_STR_MAX (MPC_TRAN_PINS_MAX * (2 * MPC_TRAN_PIN_SIZE + 1) + 1)

/* Limits and defaults of each option (documented in nng_mpc.h). */
#define MPC_TRAN_PAYLOAD_MIN             1
#define MPC_TRAN_HS_TIMEOUT_DEFAULT      10000 /* ms: NNG's negotiation time */
#define MPC_TRAN_HS_TIMEOUT_MIN          1
#define MPC_TRAN_HS_TIMEOUT_MAX          600000
#define MPC_TRAN_REPLAY_WINDOW_DEFAULT   MPC_CHAN_DEFAULT_REPLAY_WINDOW
#define MPC_TRAN_REPLAY_WINDOW_MIN       MPC_REPLAY_MIN_WINDOW
#define MPC_TRAN_REPLAY_WINDOW_MAX       MPC_REPLAY_MAX_WINDOW
#define MPC_TRAN_REKEY_MESSAGES_DEFAULT  MPC_CHAN_DEFAULT_REKEY_FRAMES
#define MPC_TRAN_REKEY_MESSAGES_MIN      1
#define MPC_TRAN_REKEY_MESSAGES_MAX      MPC_CHAN_DEFAULT_SEQ_LIMIT
#define MPC_TRAN_REKEY_INTERVAL_DEFAULT  3600000 /* ms: one hour */
#define MPC_TRAN_REKEY_INTERVAL_MAX      2147483647
#define MPC_TRAN_AUTH_FAIL_LIMIT_DEFAULT ((int) MPC_CHAN_DEFAULT_AUTH_FAILS)
#define MPC_TRAN_AUTH_FAIL_LIMIT_MIN     1
#define MPC_TRAN_AUTH_FAIL_LIMIT_MAX     65535

/* Echo broadcast (mpc_tran_echo.h; documented in include/nng_mpc.h). */
#define MPC_TRAN_ECHO_TIMEOUT_DEFAULT    10000 /* ms */
#define MPC_TRAN_ECHO_TIMEOUT_MAX        600000
#define MPC_TRAN_ECHO_QUORUM_MAX         64
#define MPC_TRAN_ECHO_EQUIVOCATE_MAX     1000

typedef struct mpc_tran_cfg {
	uint32_t     party_id;          /* NNG_MPC_PARTY_NONE until set */
	bool         have_session_id;
	bool         have_session_key;
	bool         channel_binding;   /* TLS exporter into the key schedule */
	uint8_t      session_id[NNG_MPC_SESSION_ID_SIZE];
	uint8_t      session_key[MPC_TRAN_SESSION_KEY_SIZE]; /* secret */
	uint32_t     max_payload;       /* largest payload we accept */
	uint32_t     replay_window;     /* frames */
	uint64_t     rekey_messages;    /* frames per epoch before rekey */
	nng_duration rekey_interval;    /* ms per epoch; 0: count only */
	nng_duration hs_timeout;        /* ms for the whole negotiation */
	uint32_t     auth_fail_limit;   /* failed opens that close the pipe */
	size_t       npins;
	uint8_t      pins[MPC_TRAN_PINS_MAX][MPC_TRAN_PIN_SIZE];
	bool         reliable;     /* NNG_OPT_MPC_RELIABLE: delivery streams */
	uint32_t     window_msgs;  /* NNG_OPT_MPC_WINDOW_MSGS */
	size_t       window_bytes; /* NNG_OPT_MPC_WINDOW_BYTES */
	bool         bcast_echo;       /* NNG_OPT_MPC_BROADCAST_ECHO */
	int          bcast_quorum;     /* NNG_OPT_MPC_BROADCAST_QUORUM */
	uint32_t     bcast_timeout_ms; /* NNG_OPT_MPC_BROADCAST_TIMEOUT */
	int          bcast_equivocate; /* NNG_OPT_MPC_BROADCAST_EQUIVOCATE */
} mpc_tran_cfg;

/*
 * Decodes exactly 2*len hex digits at s (the caller checked there are that
 * many) into out: 0, or -1 at the first non-hex digit (out then partly
 * written: callers wipe or discard it).  Shared by the pin parser and the
 * environment settings (mpc_tran_env.c).
 */
__attribute__((warn_unused_result)) int mpc_tran_unhex(
    const char *s, uint8_t *out, size_t len);

/* Fills in the defaults; nothing secret is set. */
void mpc_tran_cfg_init(mpc_tran_cfg *cfg);

/* Wipes the whole configuration (it holds the session key). */
void mpc_tran_cfg_wipe(mpc_tran_cfg *cfg);

/*
 * Checks that everything a handshake needs is set: 0, or
 * NNG_MPC_ENOPARTYID, NNG_MPC_ENOSESSIONID, NNG_MPC_ENOSESSIONKEY.
 */
__attribute__((warn_unused_result)) int mpc_tran_cfg_ready(
    const mpc_tran_cfg *cfg);

/*
 * Parses pins: a list of 64-hex-digit SHA-256 digests separated by commas
 * or whitespace ("ab12...,cd34...").  An empty string
 * clears the list.  Returns 0 or NNG_EINVAL (bad digit, wrong length, more
 * than MPC_TRAN_PINS_MAX); cfg is unchanged on error.
 */
__attribute__((warn_unused_result)) int mpc_tran_cfg_set_pins(
    mpc_tran_cfg *cfg, const char *s, size_t len);

/* Writes the pins back in the same form into buf (cap bytes, NUL ended). */
__attribute__((warn_unused_result)) int mpc_tran_cfg_get_pins(
    const mpc_tran_cfg *cfg, char *buf, size_t cap, size_t *need);

#endif /* NNG_MPC_TRANSPORT_MPC_TRAN_CFG_H */
