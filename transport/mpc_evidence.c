/*
 * mpc_evidence.c -- broadcast statements and equivocation evidence; see
 * mpc_evidence.h for both byte layouts.  Every byte in or out goes through
 * the cursor (mpc_cursor.h); an evidence file is hostile input.
 *
 * Threading: pure functions.
 */
#include <string.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/wolfcrypt/hash.h>

#include <nng/nng.h>

#include "mpc_evidence.h"
#include "mpc_tls_identity.h"

/* The label as its 32 bytes on the wire: text, then zero bytes. */
static void
stmt_label(uint8_t out[MPC_EVIDENCE_LABEL_SIZE])
{
	memset(out, 0, MPC_EVIDENCE_LABEL_SIZE);
	memcpy(out, MPC_EVIDENCE_LABEL, sizeof(MPC_EVIDENCE_LABEL) - 1);
}

int
mpc_bcast_stmt_make(mpc_bcast_stmt *st,
    const uint8_t session[NNG_MPC_SESSION_ID_SIZE], uint32_t sender,
    uint16_t type, uint64_t seq, const void *payload, size_t len)
{
	memset(st, 0, sizeof(*st));
	memcpy(st->session, session, NNG_MPC_SESSION_ID_SIZE);
	st->sender = sender;
	st->type   = type;
	st->seq    = seq;
	if (len > UINT32_MAX ||
	    wc_Sha256Hash(payload, (word32) len, st->payload_hash) != 0) {
		return (NNG_MPC_ECRYPTO);
	}
	return (0);
}

void
mpc_bcast_stmt_encode(const mpc_bcast_stmt *st, uint8_t *out)
{
	uint8_t     label[MPC_EVIDENCE_LABEL_SIZE];
	mpc_wcursor w;
	bool        ok;

	stmt_label(label);
	mpc_wcursor_init(&w, out, MPC_EVIDENCE_STMT_SIZE);
	ok = mpc_wcursor_bytes(&w, label, sizeof(label)) &&
	    mpc_wcursor_bytes(&w, st->session, NNG_MPC_SESSION_ID_SIZE) &&
	    mpc_wcursor_u32(&w, st->sender) && mpc_wcursor_u16(&w, st->type) &&
	    mpc_wcursor_u16(&w, 0) && mpc_wcursor_u64(&w, st->seq) &&
	    mpc_wcursor_bytes(&w, st->payload_hash, MPC_EVIDENCE_HASH_SIZE);
	/* The sizes above add up to MPC_EVIDENCE_STMT_SIZE exactly. */
	(void) ok;
}

int
mpc_bcast_stmt_decode(mpc_bcast_stmt *st, const uint8_t *in, size_t len)
{
	uint8_t        label[MPC_EVIDENCE_LABEL_SIZE];
	mpc_bcast_stmt v;
	mpc_rcursor    r;
	uint16_t       reserved;

	if (len != MPC_EVIDENCE_STMT_SIZE) {
		return (NNG_MPC_EEVIDENCE);
	}
	stmt_label(label);
	memset(&v, 0, sizeof(v));
	mpc_rcursor_init(&r, in, len);
	if (!mpc_rcursor_match(&r, label, sizeof(label)) ||
	    !mpc_rcursor_skip(&r, sizeof(label)) ||
	    !mpc_rcursor_bytes(&r, v.session, NNG_MPC_SESSION_ID_SIZE) ||
	    !mpc_rcursor_u32(&r, &v.sender) || !mpc_rcursor_u16(&r, &v.type) ||
	    !mpc_rcursor_u16(&r, &reserved) || reserved != 0 ||
	    !mpc_rcursor_u64(&r, &v.seq) ||
	    !mpc_rcursor_bytes(&r, v.payload_hash, MPC_EVIDENCE_HASH_SIZE)) {
		return (NNG_MPC_EEVIDENCE);
	}
	*st = v;
	return (0);
}

int
mpc_bcast_stmt_digest(
    const mpc_bcast_stmt *st, uint8_t out[MPC_EVIDENCE_HASH_SIZE])
{
	uint8_t buf[MPC_EVIDENCE_STMT_SIZE];

	mpc_bcast_stmt_encode(st, buf);
	return (wc_Sha256Hash(buf, sizeof(buf), out) == 0 ? 0 : NNG_MPC_ECRYPTO);
}

bool
mpc_bcast_stmt_conflict(const mpc_bcast_stmt *a, const mpc_bcast_stmt *b)
{
	return (memcmp(a->session, b->session, NNG_MPC_SESSION_ID_SIZE) == 0 &&
	    a->sender == b->sender && a->type == b->type && a->seq == b->seq &&
	    memcmp(a->payload_hash, b->payload_hash, MPC_EVIDENCE_HASH_SIZE) !=
	        0);
}

int
mpc_bcast_stmt_sign(const mpc_bcast_stmt *st, mpc_sign_key *key, uint8_t *sig,
    size_t *siglen)
{
	uint8_t buf[MPC_EVIDENCE_STMT_SIZE];

	mpc_bcast_stmt_encode(st, buf);
	return (mpc_sign(key, buf, sizeof(buf), sig, siglen));
}

int
mpc_evidence_write(
    const mpc_evidence *ev, uint8_t *buf, size_t cap, size_t *len)
{
	mpc_wcursor w;
	bool        ok;

	for (int i = 0; i < 2; i++) {
		if (ev->sig_len[i] == 0 || ev->sig_len[i] > MPC_SIGN_SIG_MAX) {
			return (NNG_EINVAL);
		}
	}
	if (ev->cert_len == 0 || ev->cert_len > MPC_SIGN_CERT_MAX) {
		return (NNG_EINVAL);
	}
	mpc_wcursor_init(&w, buf, cap);
	ok = mpc_wcursor_bytes(&w, MPC_EVIDENCE_MAGIC, MPC_EVIDENCE_MAGIC_SIZE);
	for (int i = 0; ok && i < 2; i++) {
		uint8_t st[MPC_EVIDENCE_STMT_SIZE];

		mpc_bcast_stmt_encode(&ev->st[i], st);
		ok = mpc_wcursor_u16(&w, MPC_EVIDENCE_STMT_SIZE) &&
		    mpc_wcursor_bytes(&w, st, sizeof(st)) &&
		    mpc_wcursor_u16(&w, (uint16_t) ev->sig_len[i]) &&
		    mpc_wcursor_bytes(&w, ev->sig[i], ev->sig_len[i]);
	}
	ok = ok && mpc_wcursor_u16(&w, (uint16_t) ev->cert_len) &&
	    mpc_wcursor_bytes(&w, ev->cert, ev->cert_len);
	if (!ok) {
		return (NNG_MPC_EEVIDENCE);
	}
	*len = w.pos;
	return (0);
}

/* A u16 length in 1..max, then a view of that many bytes. */
static bool
read_field(mpc_rcursor *r, size_t max, const uint8_t **v, size_t *n)
{
	uint16_t len;

	if (!mpc_rcursor_u16(r, &len) || len == 0 || len > max ||
	    !mpc_rcursor_view(r, v, len)) {
		return (false);
	}
	*n = len;
	return (true);
}

int
mpc_evidence_read(mpc_evidence *ev, const uint8_t *buf, size_t len)
{
	mpc_rcursor    r;
	const uint8_t *v;
	size_t         n;

	memset(ev, 0, sizeof(*ev));
	mpc_rcursor_init(&r, buf, len);
	if (!mpc_rcursor_match(&r, MPC_EVIDENCE_MAGIC, MPC_EVIDENCE_MAGIC_SIZE) ||
	    !mpc_rcursor_skip(&r, MPC_EVIDENCE_MAGIC_SIZE)) {
		goto bad;
	}
	for (int i = 0; i < 2; i++) {
		if (!read_field(&r, MPC_EVIDENCE_STMT_SIZE, &v, &n) ||
		    mpc_bcast_stmt_decode(&ev->st[i], v, n) != 0 ||
		    !read_field(&r, MPC_SIGN_SIG_MAX, &v, &n)) {
			goto bad;
		}
		memcpy(ev->sig[i], v, n);
		ev->sig_len[i] = n;
	}
	if (!read_field(&r, MPC_SIGN_CERT_MAX, &v, &n) ||
	    mpc_rcursor_remaining(&r) != 0) {
		goto bad;
	}
	memcpy(ev->cert, v, n);
	ev->cert_len = n;
	return (0);
bad:
	memset(ev, 0, sizeof(*ev));
	return (NNG_MPC_EEVIDENCE);
}

int
mpc_evidence_verify(const mpc_evidence *ev, const char *ca_pem, size_t ca_len)
{
	struct mpc_tls_leaf leaf;
	int                 rv;

	if (!mpc_bcast_stmt_conflict(&ev->st[0], &ev->st[1])) {
		return (NNG_MPC_ENOCONFLICT);
	}
	if ((rv = mpc_sign_cert_trusted(ca_pem, ca_len, ev->cert,
	         ev->cert_len)) != 0) {
		return (rv);
	}
	/* The certificate must be the sender's own: its party SAN. */
	if (mpc_tls_leaf_parse(ev->cert, ev->cert_len, &leaf) != 0 ||
	    leaf.party_status != MPC_TLS_PARTY_OK ||
	    leaf.party_id != ev->st[0].sender) {
		return (NNG_MPC_EEVIDCERT);
	}
	for (int i = 0; i < 2; i++) {
		uint8_t st[MPC_EVIDENCE_STMT_SIZE];

		mpc_bcast_stmt_encode(&ev->st[i], st);
		if ((rv = mpc_sign_verify(ev->cert, ev->cert_len, st, sizeof(st),
		         ev->sig[i], ev->sig_len[i])) != 0) {
			return (rv);
		}
	}
	return (0);
}
