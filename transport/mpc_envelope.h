/*
 * mpc_envelope.h -- the transport's side of the envelope helpers: the
 * outgoing 16-byte body prefix (parse and strip) and the incoming 40-byte
 * header record (write).  Layouts are documented in include/nng_mpc.h
 * ("Envelope helpers"); the public nng_mpc_msg_* functions are in
 * mpc_envelope.c next to these.
 *
 * Threading: the functions touch only the message they are given; the
 * caller owns it (NNG hands a message to one pipe at a time).
 */
#ifndef MPC_ENVELOPE_H
#define MPC_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#include "nng_mpc.h"

#include "mpc_cursor.h"
#include "mpc_frame.h"

/* What an outgoing message asks for. */
typedef struct mpc_envelope_out {
	uint16_t type;       /* NNG_MPC_MSG_APP_DEFAULT when no prefix      */
	uint32_t recipient;  /* NNG_MPC_PARTY_BROADCAST when no prefix      */
	size_t   prefix_len; /* bytes to strip from the body: 0 or 16       */
} mpc_envelope_out;

/*
 * Parses the envelope prefix at the start of an outgoing body.  A body
 * that does not start with the 8-byte magic has none (prefix_len 0,
 * defaults).  Returns 0, NNG_EINVAL (e NULL), NNG_MPC_EENVSHORT,
 * NNG_MPC_EENVFLAGS, NNG_MPC_ETYPE, NNG_MPC_ECONTROL or NNG_MPC_ERCPTNONE;
 * e is zeroed and the counter in stats (if given) moves on error.
 */
MPC_MUST_CHECK int mpc_envelope_parse_out(mpc_envelope_out *e,
    const uint8_t *body, size_t len, mpc_wire_stats *stats);

/*
 * Inserts the 40-byte incoming record built from a decoded, authenticated
 * frame header at the start of msg's header.  Returns 0, NNG_EINVAL or
 * NNG_ENOMEM (msg unchanged).
 */
MPC_MUST_CHECK int mpc_envelope_put_in(nng_msg *msg, const mpc_frame_hdr *h);

#endif /* MPC_ENVELOPE_H */
