/*
 * mpc_frame.c -- encode, decode and validate the 48-byte MPC frame header.
 *
 * The layout and each field's rule are in include/nng_mpc.h ("The frame");
 * this file is their one implementation.  Rules follow the project brief,
 * section 4: every declared length is checked against its maximum before
 * anyone allocates, every field is validated, every rejection has its own
 * code.  The header carries no secret; nothing here needs wiping.
 *
 * Threading: pure functions; the caller owns (and serialises) its stats.
 */
#include <string.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/wolfcrypt/sha256.h>

#include "mpc_frame.h"

/* Domain-separation label of the session binding (see nng_mpc.h). */
static const char mpc_binding_label[] = "nng-mpc v1 session binding";

void
mpc_wire_stats_count(mpc_wire_stats *stats, int err)
{
	int n = err - NNG_MPC_ERRBASE;

	if (stats != NULL && n > 0 && n < MPC_WIRE_NERR) {
		stats->rejected[n]++;
	}
}

uint64_t
mpc_wire_stats_get(const mpc_wire_stats *stats, int err)
{
	int n = err - NNG_MPC_ERRBASE;

	if (stats == NULL || n <= 0 || n >= MPC_WIRE_NERR) {
		return (0);
	}
	return (stats->rejected[n]);
}

bool
mpc_frame_type_valid(uint16_t type)
{
	switch (type) {
	case NNG_MPC_MSG_DKG_ROUND1:
	case NNG_MPC_MSG_DKG_ROUND2:
	case NNG_MPC_MSG_DKG_ROUND3:
	case NNG_MPC_MSG_SIGN_ROUND1:
	case NNG_MPC_MSG_SIGN_ROUND2:
	case NNG_MPC_MSG_SIGN_ROUND3:
	case NNG_MPC_MSG_SIGN_ROUND4:
	case NNG_MPC_MSG_PRESIGN_ROUND1:
	case NNG_MPC_MSG_PRESIGN_ROUND2:
	case NNG_MPC_MSG_HEARTBEAT:
	case NNG_MPC_MSG_ACK:
	case NNG_MPC_MSG_ERROR:
	case NNG_MPC_MSG_CTL_HELLO:
	case NNG_MPC_MSG_CTL_FINISHED:
	case NNG_MPC_MSG_CTL_REKEY:
	case NNG_MPC_MSG_CTL_CLOSE:
	case NNG_MPC_MSG_CTL_PING:
	case NNG_MPC_MSG_CTL_PONG:
	case NNG_MPC_MSG_CTL_DELIVER:
	case NNG_MPC_MSG_CTL_ECHO:
	case NNG_MPC_MSG_CTL_ECHO_CERT:
		return (true);
	default:
		return (type >= NNG_MPC_MSG_APP_FIRST);
	}
}

bool
mpc_frame_type_app_sendable(uint16_t type)
{
	return (mpc_frame_type_valid(type) &&
	    (type < NNG_MPC_MSG_CTL_FIRST || type > NNG_MPC_MSG_CTL_LAST));
}

const char *
nng_mpc_msg_type_name(uint16_t type)
{
	switch (type) {
	case NNG_MPC_MSG_DKG_ROUND1:
		return ("DKG_ROUND1");
	case NNG_MPC_MSG_DKG_ROUND2:
		return ("DKG_ROUND2");
	case NNG_MPC_MSG_DKG_ROUND3:
		return ("DKG_ROUND3");
	case NNG_MPC_MSG_SIGN_ROUND1:
		return ("SIGN_ROUND1");
	case NNG_MPC_MSG_SIGN_ROUND2:
		return ("SIGN_ROUND2");
	case NNG_MPC_MSG_SIGN_ROUND3:
		return ("SIGN_ROUND3");
	case NNG_MPC_MSG_SIGN_ROUND4:
		return ("SIGN_ROUND4");
	case NNG_MPC_MSG_PRESIGN_ROUND1:
		return ("PRESIGN_ROUND1");
	case NNG_MPC_MSG_PRESIGN_ROUND2:
		return ("PRESIGN_ROUND2");
	case NNG_MPC_MSG_HEARTBEAT:
		return ("HEARTBEAT");
	case NNG_MPC_MSG_ACK:
		return ("ACK");
	case NNG_MPC_MSG_ERROR:
		return ("ERROR");
	case NNG_MPC_MSG_CTL_HELLO:
		return ("CTL_HELLO");
	case NNG_MPC_MSG_CTL_FINISHED:
		return ("CTL_FINISHED");
	case NNG_MPC_MSG_CTL_REKEY:
		return ("CTL_REKEY");
	case NNG_MPC_MSG_CTL_CLOSE:
		return ("CTL_CLOSE");
	case NNG_MPC_MSG_CTL_PING:
		return ("CTL_PING");
	case NNG_MPC_MSG_CTL_PONG:
		return ("CTL_PONG");
	case NNG_MPC_MSG_CTL_DELIVER:
		return ("CTL_DELIVER");
	case NNG_MPC_MSG_CTL_ECHO:
		return ("CTL_ECHO");
	case NNG_MPC_MSG_CTL_ECHO_CERT:
		return ("CTL_ECHO_CERT");
	case NNG_MPC_MSG_APP_DEFAULT:
		return ("APP_DEFAULT");
	default:
		return (type >= NNG_MPC_MSG_APP_FIRST ? "APP" : "UNKNOWN");
	}
}

/*
 * The structural rules shared by encoder and decoder, in wire order so a
 * frame with several faults always reports the first.  Policy checks that
 * only a receiver has (session, peer, local party) are in check_policy().
 */
static int
check_fields(const mpc_frame_hdr *h, uint16_t reserved, uint32_t max_payload)
{
	if (h->flags != 0) {
		/* Version 1 defines no flag; unknown bits are never ignored. */
		return (NNG_MPC_EFLAGS);
	}
	if (!mpc_frame_type_valid(h->type)) {
		return (NNG_MPC_ETYPE);
	}
	if (reserved != 0) {
		return (NNG_MPC_ERESERVED);
	}
	if (h->sender == NNG_MPC_PARTY_NONE) {
		return (NNG_MPC_ESENDERNONE);
	}
	if (h->sender == NNG_MPC_PARTY_BROADCAST) {
		return (NNG_MPC_ESENDERBCAST);
	}
	if (h->recipient == NNG_MPC_PARTY_NONE) {
		return (NNG_MPC_ERCPTNONE);
	}
	if (h->recipient == h->sender) {
		/* No party sends to itself over the wire. */
		return (NNG_MPC_ESELF);
	}
	if (h->payload_len > max_payload) {
		/* Brief 4: checked from the header, before any allocation. */
		return (NNG_MPC_ETOOBIG);
	}
	return (0);
}

static int
check_policy(const mpc_frame_hdr *h, const mpc_frame_policy *p)
{
	if (p->check_session &&
	    memcmp(h->session, p->session, sizeof(h->session)) != 0) {
		return (NNG_MPC_ESESSION);
	}
	if (p->peer_party != NNG_MPC_PARTY_NONE && h->sender != p->peer_party) {
		/* The frame's "from" must be the authenticated peer. */
		return (NNG_MPC_EPEER);
	}
	if (p->local_party != NNG_MPC_PARTY_NONE &&
	    h->recipient != p->local_party &&
	    h->recipient != NNG_MPC_PARTY_BROADCAST) {
		return (NNG_MPC_ENOTFORME);
	}
	return (0);
}

int
mpc_frame_encode_header(
    uint8_t *out, size_t cap, const mpc_frame_hdr *h, uint32_t max_payload)
{
	mpc_wcursor c;
	int         rv;

	if (out == NULL) {
		return (NNG_EINVAL);
	}
	if (h == NULL || cap < NNG_MPC_FRAME_HEADER_SIZE ||
	    max_payload > NNG_MPC_PAYLOAD_MAX) {
		rv = NNG_EINVAL;
		goto out;
	}
	if ((rv = check_fields(h, 0, max_payload)) != 0) {
		goto out;
	}
	mpc_wcursor_init(&c, out, cap);
	if (!mpc_wcursor_u16(&c, NNG_MPC_FRAME_MAGIC) ||
	    !mpc_wcursor_u8(&c, NNG_MPC_WIRE_VERSION) ||
	    !mpc_wcursor_u8(&c, h->flags) || !mpc_wcursor_u16(&c, h->type) ||
	    !mpc_wcursor_u16(&c, 0) || !mpc_wcursor_u32(&c, h->sender) ||
	    !mpc_wcursor_u32(&c, h->recipient) ||
	    !mpc_wcursor_u32(&c, h->epoch) ||
	    !mpc_wcursor_u32(&c, h->payload_len) ||
	    !mpc_wcursor_u64(&c, h->sequence) ||
	    !mpc_wcursor_u64(&c, h->timestamp_ns) ||
	    !mpc_wcursor_bytes(&c, h->session, sizeof(h->session))) {
		rv = NNG_EINVAL; /* unreachable: cap was checked above */
		goto out;
	}
	return (0);

out:
	memset(out, 0, cap < NNG_MPC_FRAME_HEADER_SIZE ?
	        cap : NNG_MPC_FRAME_HEADER_SIZE);
	return (rv);
}

/* Reads the header fields through the cursor; c holds at least 48 bytes. */
static int
read_header(mpc_rcursor *c, mpc_frame_hdr *h, uint16_t *reserved)
{
	uint16_t magic;
	uint8_t  version;

	if (!mpc_rcursor_u16(c, &magic) || !mpc_rcursor_u8(c, &version) ||
	    !mpc_rcursor_u8(c, &h->flags) || !mpc_rcursor_u16(c, &h->type) ||
	    !mpc_rcursor_u16(c, reserved) || !mpc_rcursor_u32(c, &h->sender) ||
	    !mpc_rcursor_u32(c, &h->recipient) ||
	    !mpc_rcursor_u32(c, &h->epoch) ||
	    !mpc_rcursor_u32(c, &h->payload_len) ||
	    !mpc_rcursor_u64(c, &h->sequence) ||
	    !mpc_rcursor_u64(c, &h->timestamp_ns) ||
	    !mpc_rcursor_bytes(c, h->session, sizeof(h->session))) {
		return (NNG_MPC_ESHORT);
	}
	if (magic != NNG_MPC_FRAME_MAGIC) {
		return (NNG_MPC_EMAGIC);
	}
	if (version != NNG_MPC_WIRE_VERSION) {
		return (NNG_MPC_EVERSION);
	}
	return (0);
}

static int
decode_header(mpc_rcursor *c, mpc_frame_hdr *h, const mpc_frame_policy *p)
{
	uint16_t reserved;
	int      rv;

	if (!mpc_rcursor_has(c, NNG_MPC_FRAME_HEADER_SIZE)) {
		return (NNG_MPC_ESHORT);
	}
	if ((rv = read_header(c, h, &reserved)) != 0 ||
	    (rv = check_fields(h, reserved, p->max_payload)) != 0 ||
	    (rv = check_policy(h, p)) != 0) {
		return (rv);
	}
	return (0);
}

int
mpc_frame_decode_header(mpc_frame_hdr *h, const uint8_t *buf, size_t len,
    const mpc_frame_policy *p, mpc_wire_stats *stats)
{
	mpc_rcursor c;
	int         rv;

	if (h == NULL) {
		return (NNG_EINVAL);
	}
	if (p == NULL || p->max_payload > NNG_MPC_PAYLOAD_MAX) {
		rv = NNG_EINVAL;
		goto out;
	}
	mpc_rcursor_init(&c, buf, len);
	if ((rv = decode_header(&c, h, p)) != 0) {
		mpc_wire_stats_count(stats, rv);
		goto out;
	}
	return (0);

out:
	memset(h, 0, sizeof(*h));
	return (rv);
}

int
mpc_frame_decode(mpc_frame_view *v, const uint8_t *buf, size_t len,
    const mpc_frame_policy *p, mpc_wire_stats *stats)
{
	mpc_rcursor c;
	mpc_rcursor hc;
	int         rv;

	if (v == NULL) {
		return (NNG_EINVAL);
	}
	if (p == NULL || p->max_payload > NNG_MPC_PAYLOAD_MAX) {
		rv = NNG_EINVAL;
		goto out;
	}
	/* The header is the AEAD's additional data: hand it out as a view,
	 * then decode it through a cursor of its own. */
	mpc_rcursor_init(&c, buf, len);
	if (!mpc_rcursor_view(&c, &v->aad, NNG_MPC_FRAME_HEADER_SIZE)) {
		rv = NNG_MPC_ESHORT;
		mpc_wire_stats_count(stats, rv);
		goto out;
	}
	mpc_rcursor_init(&hc, v->aad, NNG_MPC_FRAME_HEADER_SIZE);
	if ((rv = decode_header(&hc, &v->hdr, p)) != 0) {
		mpc_wire_stats_count(stats, rv);
		goto out;
	}
	/*
	 * The declared length is at most NNG_MPC_PAYLOAD_MAX here, so the
	 * body length cannot overflow size_t.
	 */
	if (!mpc_rcursor_view(&c, &v->payload, v->hdr.payload_len) ||
	    !mpc_rcursor_view(&c, &v->tag, NNG_MPC_FRAME_TAG_SIZE)) {
		rv = NNG_MPC_ETRUNCATED;
		mpc_wire_stats_count(stats, rv);
		goto out;
	}
	if (mpc_rcursor_remaining(&c) != 0) {
		rv = NNG_MPC_ETRAILING;
		mpc_wire_stats_count(stats, rv);
		goto out;
	}
	return (0);

out:
	memset(v, 0, sizeof(*v));
	return (rv);
}

int
mpc_frame_session_binding(uint8_t out[NNG_MPC_SESSION_BINDING_SIZE],
    const uint8_t *sid, size_t sid_len)
{
	wc_Sha256 sha;
	uint8_t   digest[WC_SHA256_DIGEST_SIZE];
	bool      inited = false;
	int       rv     = NNG_EINTERNAL;

	if (out == NULL) {
		return (NNG_EINVAL);
	}
	if (sid == NULL || sid_len != NNG_MPC_SESSION_ID_SIZE) {
		rv = NNG_EINVAL;
		goto out;
	}
	if (wc_InitSha256(&sha) != 0) {
		goto out;
	}
	inited = true;
	/* The label is hashed without its NUL; the session ID is fixed-size,
	 * so the concatenation is unambiguous. */
	if (wc_Sha256Update(&sha, (const byte *) mpc_binding_label,
	        (word32) (sizeof(mpc_binding_label) - 1)) != 0 ||
	    wc_Sha256Update(&sha, sid, (word32) sid_len) != 0 ||
	    wc_Sha256Final(&sha, digest) != 0) {
		goto out;
	}
	memcpy(out, digest, NNG_MPC_SESSION_BINDING_SIZE);
	rv = 0;

out:
	if (inited) {
		wc_Sha256Free(&sha);
	}
	if (rv != 0) {
		memset(out, 0, NNG_MPC_SESSION_BINDING_SIZE);
	}
	return (rv);
}
