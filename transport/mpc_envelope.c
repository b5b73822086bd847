/*
 * mpc_envelope.c -- message type and addressing on nng_msg's: the public
 * nng_mpc_msg_* helpers and the transport's parse/write functions.
 *
 * Why a body prefix outgoing and a header record incoming: NNG 1.5.2's
 * bus0 and pair1 protocols clear the message header on send
 * (nni_msg_header_clear), so the only place an application can put
 * metadata that reaches the transport is the body; on receive the
 * protocols pass the header through (after the protocol's own bytes are
 * appended), so the transport puts the authenticated fields there and the
 * body stays exactly what the peer sent.
 *
 * Only NNG's public nng_msg API is used.  Every byte is read or written
 * through the cursors of mpc_cursor.h.
 *
 * Threading: see mpc_envelope.h.
 */
#include <string.h>

#include "mpc_envelope.h"

/* 0x89 first: a text body never starts with it (the PNG trick). */
static const uint8_t mpc_env_out_magic[8] = { 0x89, 'M', 'P', 'C', 'E', 'N',
	'V', 0x01 };
static const uint8_t mpc_env_in_magic[8] = { 0x89, 'M', 'P', 'C', 'R', 'C',
	'V', 0x01 };

/* The incoming record, as read back by the getters. */
typedef struct mpc_envelope_in {
	uint16_t type;
	uint16_t flags;
	uint32_t sender;
	uint32_t recipient;
	uint32_t epoch;
	uint64_t sequence;
	uint64_t timestamp_ns;
} mpc_envelope_in;

static int
parse_out(mpc_envelope_out *e, const uint8_t *body, size_t len)
{
	mpc_rcursor c;
	uint16_t    flags;

	e->type       = NNG_MPC_MSG_APP_DEFAULT;
	e->recipient  = NNG_MPC_PARTY_BROADCAST;
	e->prefix_len = 0;

	mpc_rcursor_init(&c, body, len);
	if (!mpc_rcursor_match(&c, mpc_env_out_magic, sizeof(mpc_env_out_magic))) {
		return (0); /* no envelope: a plain NNG send */
	}
	if (!mpc_rcursor_has(&c, NNG_MPC_ENVELOPE_OUT_SIZE)) {
		return (NNG_MPC_EENVSHORT);
	}
	if (!mpc_rcursor_skip(&c, sizeof(mpc_env_out_magic)) ||
	    !mpc_rcursor_u16(&c, &e->type) || !mpc_rcursor_u16(&c, &flags) ||
	    !mpc_rcursor_u32(&c, &e->recipient)) {
		return (NNG_MPC_EENVSHORT); /* unreachable: length checked */
	}
	if (flags != 0) {
		return (NNG_MPC_EENVFLAGS);
	}
	if (!mpc_frame_type_valid(e->type)) {
		return (NNG_MPC_ETYPE);
	}
	if (!mpc_frame_type_app_sendable(e->type)) {
		/* An application must not forge hello, rekey or close. */
		return (NNG_MPC_ECONTROL);
	}
	if (e->recipient == NNG_MPC_PARTY_NONE) {
		return (NNG_MPC_ERCPTNONE);
	}
	e->prefix_len = NNG_MPC_ENVELOPE_OUT_SIZE;
	return (0);
}

int
mpc_envelope_parse_out(mpc_envelope_out *e, const uint8_t *body, size_t len,
    mpc_wire_stats *stats)
{
	int rv;

	if (e == NULL) {
		return (NNG_EINVAL);
	}
	if ((rv = parse_out(e, body, len)) != 0) {
		mpc_wire_stats_count(stats, rv);
		memset(e, 0, sizeof(*e));
	}
	return (rv);
}

static int
write_out(uint8_t *buf, size_t cap, uint16_t type, uint32_t recipient)
{
	mpc_wcursor c;

	mpc_wcursor_init(&c, buf, cap);
	if (!mpc_wcursor_bytes(&c, mpc_env_out_magic, sizeof(mpc_env_out_magic)) ||
	    !mpc_wcursor_u16(&c, type) || !mpc_wcursor_u16(&c, 0) ||
	    !mpc_wcursor_u32(&c, recipient)) {
		return (NNG_EINVAL);
	}
	return (0);
}

/*
 * Sets the type and/or recipient of an outgoing message: rewrites a valid
 * prefix in place, or inserts one with the defaults for the other field.
 * The message is unchanged on error.
 */
static int
envelope_set(nng_msg *msg, uint16_t type, bool set_type, uint32_t recipient,
    bool set_recipient)
{
	mpc_envelope_out e;
	uint8_t          prefix[NNG_MPC_ENVELOPE_OUT_SIZE];
	int              rv;

	if (msg == NULL) {
		return (NNG_EINVAL);
	}
	if (set_type && !mpc_frame_type_valid(type)) {
		return (NNG_MPC_ETYPE);
	}
	if (set_type && !mpc_frame_type_app_sendable(type)) {
		return (NNG_MPC_ECONTROL);
	}
	if (set_recipient && recipient == NNG_MPC_PARTY_NONE) {
		return (NNG_MPC_ERCPTNONE);
	}
	if ((rv = parse_out(&e, nng_msg_body(msg), nng_msg_len(msg))) != 0) {
		return (rv);
	}
	if (set_type) {
		e.type = type;
	}
	if (set_recipient) {
		e.recipient = recipient;
	}
	if (e.prefix_len != 0) {
		return (write_out(nng_msg_body(msg), nng_msg_len(msg), e.type,
		    e.recipient));
	}
	if ((rv = write_out(prefix, sizeof(prefix), e.type, e.recipient)) != 0) {
		return (rv);
	}
	return (nng_msg_insert(msg, prefix, sizeof(prefix)));
}

int
nng_mpc_msg_set_type(nng_msg *msg, uint16_t type)
{
	return (envelope_set(msg, type, true, 0, false));
}

int
nng_mpc_msg_set_recipient(nng_msg *msg, uint32_t party)
{
	return (envelope_set(msg, 0, false, party, true));
}

int
mpc_envelope_put_in(nng_msg *msg, const mpc_frame_hdr *h)
{
	uint8_t     rec[NNG_MPC_ENVELOPE_IN_SIZE];
	mpc_wcursor c;

	if (msg == NULL || h == NULL) {
		return (NNG_EINVAL);
	}
	mpc_wcursor_init(&c, rec, sizeof(rec));
	if (!mpc_wcursor_bytes(&c, mpc_env_in_magic, sizeof(mpc_env_in_magic)) ||
	    !mpc_wcursor_u16(&c, h->type) || !mpc_wcursor_u16(&c, h->flags) ||
	    !mpc_wcursor_u32(&c, h->sender) ||
	    !mpc_wcursor_u32(&c, h->recipient) ||
	    !mpc_wcursor_u32(&c, h->epoch) ||
	    !mpc_wcursor_u64(&c, h->sequence) ||
	    !mpc_wcursor_u64(&c, h->timestamp_ns)) {
		return (NNG_EINVAL); /* unreachable: rec is exactly 40 bytes */
	}
	return (nng_msg_header_insert(msg, rec, sizeof(rec)));
}

/* Reads the incoming record from the start of msg's header. */
static int
read_in(nng_msg *msg, mpc_envelope_in *r, const void *out)
{
	mpc_rcursor c;

	memset(r, 0, sizeof(*r));
	if (msg == NULL || out == NULL) {
		return (NNG_EINVAL);
	}
	mpc_rcursor_init(&c, nng_msg_header(msg), nng_msg_header_len(msg));
	if (!mpc_rcursor_has(&c, NNG_MPC_ENVELOPE_IN_SIZE) ||
	    !mpc_rcursor_match(&c, mpc_env_in_magic, sizeof(mpc_env_in_magic))) {
		return (NNG_MPC_ENOENVELOPE);
	}
	if (!mpc_rcursor_skip(&c, sizeof(mpc_env_in_magic)) ||
	    !mpc_rcursor_u16(&c, &r->type) || !mpc_rcursor_u16(&c, &r->flags) ||
	    !mpc_rcursor_u32(&c, &r->sender) ||
	    !mpc_rcursor_u32(&c, &r->recipient) ||
	    !mpc_rcursor_u32(&c, &r->epoch) ||
	    !mpc_rcursor_u64(&c, &r->sequence) ||
	    !mpc_rcursor_u64(&c, &r->timestamp_ns)) {
		memset(r, 0, sizeof(*r));
		return (NNG_MPC_ENOENVELOPE); /* unreachable: length checked */
	}
	return (0);
}

int
nng_mpc_msg_type(nng_msg *msg, uint16_t *type)
{
	mpc_envelope_in r;
	int             rv = read_in(msg, &r, type);

	if (type != NULL) {
		*type = r.type;
	}
	return (rv);
}

int
nng_mpc_msg_sender(nng_msg *msg, uint32_t *party)
{
	mpc_envelope_in r;
	int             rv = read_in(msg, &r, party);

	if (party != NULL) {
		*party = r.sender;
	}
	return (rv);
}

int
nng_mpc_msg_recipient(nng_msg *msg, uint32_t *party)
{
	mpc_envelope_in r;
	int             rv = read_in(msg, &r, party);

	if (party != NULL) {
		*party = r.recipient;
	}
	return (rv);
}

int
nng_mpc_msg_sequence(nng_msg *msg, uint64_t *seq)
{
	mpc_envelope_in r;
	int             rv = read_in(msg, &r, seq);

	if (seq != NULL) {
		*seq = r.sequence;
	}
	return (rv);
}

int
nng_mpc_msg_timestamp(nng_msg *msg, uint64_t *ns)
{
	mpc_envelope_in r;
	int             rv = read_in(msg, &r, ns);

	if (ns != NULL) {
		*ns = r.timestamp_ns;
	}
	return (rv);
}
