/*
 * mpc_tran_hello.c -- the MPC hello and finished records, their checks, the
 * transcript and the key derivation (layouts and the exchange are in
 * mpc_tran_hello.h).
 *
 * Every byte from the peer is read through the wire module's bounds-checked
 * cursor.  Secrets (the session key copy, the exporter value, the finished
 * keys and the key schedule) are wiped on every exit path (mpc_hs_wipe, and
 * the out: label of each function that holds one).
 *
 * Threading: pure; the caller serialises use of one mpc_tran_hs.
 */
#include <string.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/wolfcrypt/random.h>
#include <wolfssl/wolfcrypt/sha256.h>

#include "mpc_cursor.h"
#include "mpc_keysched.h"
#include "mpc_tran_hello.h"
#include "mpc_wipe.h"

static const uint8_t mpc_hello_magic[4]    = { 'M', 'P', 'C', 'H' };
static const uint8_t mpc_finished_magic[4] = { 'M', 'P', 'C', 'F' };

/* The rejection reasons a finished record may carry (transport codes). */
static bool
mpc_hs_reason_known(int err)
{
	switch (err) {
	case NNG_MPC_EHELLO:
	case NNG_MPC_EHELLOVERSION:
	case NNG_MPC_ESESSIONID:
	case NNG_MPC_EKEYCONFIRM:
	case NNG_MPC_EPARTYCERT:
	case NNG_MPC_EDUPPARTY:
	case NNG_MPC_ESELFPARTY:
	case NNG_MPC_ECAPS:
	case NNG_MPC_ENOIDENTITY:
	case NNG_MPC_EPARTYDENIED:
	case NNG_MPC_EFILTER:
		return (true);
	default:
		return (false);
	}
}

int
mpc_hello_encode(uint8_t *out, size_t cap, const mpc_hello *h)
{
	mpc_wcursor c;

	mpc_wcursor_init(&c, out, cap);
	if (!mpc_wcursor_bytes(&c, mpc_hello_magic, sizeof(mpc_hello_magic)) ||
	    !mpc_wcursor_u16(&c, h->version) ||
	    !mpc_wcursor_u16(&c, MPC_HELLO_SIZE) ||
	    !mpc_wcursor_u32(&c, h->party_id) ||
	    !mpc_wcursor_bytes(&c, h->session_id, sizeof(h->session_id)) ||
	    !mpc_wcursor_bytes(&c, h->random, sizeof(h->random)) ||
	    !mpc_wcursor_u32(&c, h->caps) ||
	    !mpc_wcursor_u64(&c, h->max_payload)) {
		return (NNG_EINVAL);
	}
	return (0);
}

int
mpc_hello_decode(mpc_hello *h, const uint8_t *buf, size_t len)
{
	mpc_rcursor c;
	uint8_t     magic[sizeof(mpc_hello_magic)];
	uint16_t    hlen;
	int         rv = NNG_MPC_EHELLO;

	memset(h, 0, sizeof(*h));
	mpc_rcursor_init(&c, buf, len);
	if (!mpc_rcursor_bytes(&c, magic, sizeof(magic)) ||
	    (memcmp(magic, mpc_hello_magic, sizeof(magic)) != 0) ||
	    !mpc_rcursor_u16(&c, &h->version)) {
		goto out;
	}
	/* The version decides the layout: check it before anything else. */
	if (h->version != MPC_HELLO_VERSION) {
		rv = NNG_MPC_EHELLOVERSION;
		goto out;
	}
	if (!mpc_rcursor_u16(&c, &hlen) || (hlen != MPC_HELLO_SIZE) ||
	    (len != MPC_HELLO_SIZE) || !mpc_rcursor_u32(&c, &h->party_id) ||
	    !mpc_rcursor_bytes(&c, h->session_id, sizeof(h->session_id)) ||
	    !mpc_rcursor_bytes(&c, h->random, sizeof(h->random)) ||
	    !mpc_rcursor_u32(&c, &h->caps) ||
	    !mpc_rcursor_u64(&c, &h->max_payload)) {
		goto out;
	}
	if ((h->party_id < NNG_MPC_PARTY_MIN) ||
	    (h->party_id > NNG_MPC_PARTY_MAX) || (h->max_payload == 0) ||
	    (h->max_payload > NNG_MPC_PAYLOAD_MAX)) {
		goto out;
	}
	return (0);
out:
	memset(h, 0, sizeof(*h));
	return (rv);
}

static int
mpc_hs_random(uint8_t *out, size_t len)
{
	WC_RNG rng;
	int    rv = NNG_ECRYPTO;

	if (wc_InitRng(&rng) != 0) {
		return (NNG_ECRYPTO);
	}
	if (wc_RNG_GenerateBlock(&rng, out, (word32) len) == 0) {
		rv = 0;
	}
	(void) wc_FreeRng(&rng);
	return (rv);
}

int
mpc_hs_init(mpc_tran_hs *hs, const mpc_tran_cfg *cfg, uint16_t proto,
    bool initiator, bool want_binding, uint32_t max_payload)
{
	mpc_wcursor c;
	int         rv;

	memset(hs, 0, sizeof(*hs));
	hs->initiator           = initiator;
	hs->local.version       = MPC_HELLO_VERSION;
	hs->local.party_id      = cfg->party_id;
	hs->local.caps          = want_binding ? MPC_HELLO_CAP_BINDING : 0;
	hs->local.caps |= cfg->reliable ? MPC_HELLO_CAP_DELIVER : 0;
	hs->local.max_payload   = max_payload;
	hs->replay_window       = cfg->replay_window;
	hs->rekey_messages      = cfg->rekey_messages;
	hs->rekey_interval_ms   = (uint64_t) cfg->rekey_interval;
	hs->auth_fail_limit     = cfg->auth_fail_limit;
	memcpy(hs->local.session_id, cfg->session_id, sizeof(cfg->session_id));
	memcpy(hs->session_key, cfg->session_key, sizeof(hs->session_key));
	if ((rv = mpc_hs_random(hs->local.random, sizeof(hs->local.random))) !=
	    0) {
		goto out;
	}

	/* The SP header, exactly as NNG's tcp transport sends it:
	 * 0, 'S', 'P', 0, protocol (u16), 0, 0. */
	mpc_wcursor_init(&c, hs->tx, sizeof(hs->tx));
	if (!mpc_wcursor_u8(&c, 0) || !mpc_wcursor_u8(&c, 'S') ||
	    !mpc_wcursor_u8(&c, 'P') || !mpc_wcursor_u8(&c, 0) ||
	    !mpc_wcursor_u16(&c, proto) || !mpc_wcursor_u16(&c, 0)) {
		rv = NNG_EINVAL;
		goto out;
	}
	rv = mpc_hello_encode(hs->tx + MPC_SP_HEADER_SIZE,
	    sizeof(hs->tx) - MPC_SP_HEADER_SIZE, &hs->local);
out:
	if (rv != 0) {
		mpc_hs_wipe(hs);
	}
	return (rv);
}

void
mpc_hs_wipe(mpc_tran_hs *hs)
{
	if (hs->chan != NULL) {
		mpc_chan_free(hs->chan);
		hs->chan = NULL;
	}
	mpc_wipe(hs, sizeof(*hs));
}

int
mpc_hs_check_sp(const mpc_tran_hs *hs, uint16_t *peer_proto)
{
	mpc_rcursor c;
	uint8_t     b[4];
	uint16_t    proto;
	uint16_t    zero;

	mpc_rcursor_init(&c, hs->rx, MPC_SP_HEADER_SIZE);
	if (!mpc_rcursor_bytes(&c, b, sizeof(b)) ||
	    !mpc_rcursor_u16(&c, &proto) || !mpc_rcursor_u16(&c, &zero)) {
		return (NNG_EPROTO);
	}
	if ((b[0] != 0) || (b[1] != 'S') || (b[2] != 'P') || (b[3] != 0) ||
	    (zero != 0)) {
		return (NNG_EPROTO);
	}
	*peer_proto = proto;
	return (0);
}

/* SHA-256(initiator SP||hello, responder SP||hello). */
static int
mpc_hs_transcript(mpc_tran_hs *hs)
{
	wc_Sha256      sha;
	const uint8_t *first  = hs->initiator ? hs->tx : hs->rx;
	const uint8_t *second = hs->initiator ? hs->rx : hs->tx;
	int            rv     = NNG_ECRYPTO;

	if (wc_InitSha256(&sha) != 0) {
		return (NNG_ECRYPTO);
	}
	if ((wc_Sha256Update(&sha, first, sizeof(hs->tx)) == 0) &&
	    (wc_Sha256Update(&sha, second, sizeof(hs->rx)) == 0) &&
	    (wc_Sha256Final(&sha, hs->transcript) == 0)) {
		rv = 0;
	}
	wc_Sha256Free(&sha);
	return (rv);
}

int
mpc_hs_check_peer(mpc_tran_hs *hs)
{
	int rv;

	if ((rv = mpc_hello_decode(&hs->peer, hs->rx + MPC_SP_HEADER_SIZE,
	         MPC_HELLO_SIZE)) != 0) {
		return (rv);
	}
	/* Session IDs are public; a plain compare is fine. */
	if (memcmp(hs->peer.session_id, hs->local.session_id,
	        sizeof(hs->local.session_id)) != 0) {
		return (NNG_MPC_ESESSIONID);
	}
	if (hs->peer.party_id == hs->local.party_id) {
		return (NNG_MPC_ESELFPARTY);
	}
	/* Both or neither mix the TLS exporter in: one side alone would
	 * derive different keys and fail key confirmation with a less
	 * useful error. */
	if ((hs->peer.caps & MPC_HELLO_CAP_BINDING) !=
	    (hs->local.caps & MPC_HELLO_CAP_BINDING)) {
		return (NNG_MPC_ECAPS);
	}
	/* Delivery on one side only would silently lose the guarantee the
	 * side that asked for it relies on. */
	if ((hs->peer.caps & MPC_HELLO_CAP_DELIVER) !=
	    (hs->local.caps & MPC_HELLO_CAP_DELIVER)) {
		return (NNG_MPC_ECAPS);
	}
	return (mpc_hs_transcript(hs));
}

bool
mpc_hs_binding(const mpc_tran_hs *hs)
{
	return ((hs->local.caps & MPC_HELLO_CAP_BINDING) != 0);
}

bool
mpc_hs_deliver(const mpc_tran_hs *hs)
{
	return ((hs->local.caps & hs->peer.caps & MPC_HELLO_CAP_DELIVER) != 0);
}

void
mpc_hs_set_exporter(mpc_tran_hs *hs, const uint8_t *exp, size_t len)
{
	if (len > sizeof(hs->exporter)) {
		len = sizeof(hs->exporter);
	}
	memcpy(hs->exporter, exp, len);
	hs->have_exporter = (len == sizeof(hs->exporter));
}

static int
mpc_hs_finished_encode(uint8_t *out, size_t cap, uint16_t status,
    const uint8_t mac[MPC_HELLO_MAC_SIZE])
{
	mpc_wcursor c;

	mpc_wcursor_init(&c, out, cap);
	if (!mpc_wcursor_bytes(
	        &c, mpc_finished_magic, sizeof(mpc_finished_magic)) ||
	    !mpc_wcursor_u16(&c, status) || !mpc_wcursor_u16(&c, 0) ||
	    !mpc_wcursor_bytes(&c, mac, MPC_HELLO_MAC_SIZE)) {
		return (NNG_EINVAL);
	}
	return (0);
}

int
mpc_hs_derive(mpc_tran_hs *hs, uint64_t now_ns)
{
	mpc_keysched_input in;
	mpc_keysched       ks;
	mpc_chan_config    ccfg;
	uint8_t            mac[MPC_HELLO_MAC_SIZE];
	int                rv;

	memset(&ks, 0, sizeof(ks));
	memset(&in, 0, sizeof(in));
	if (mpc_hs_binding(hs) && !hs->have_exporter) {
		rv = NNG_MPC_ENOIDENTITY;
		goto out;
	}
	in.session_key = hs->session_key;
	in.session_id  = hs->local.session_id;
	in.self_id     = hs->local.party_id;
	in.peer_id     = hs->peer.party_id;
	in.self_random = hs->local.random;
	in.peer_random = hs->peer.random;
	if (mpc_hs_binding(hs)) {
		in.binding     = hs->exporter;
		in.binding_len = sizeof(hs->exporter);
	}
	if ((rv = mpc_keysched_derive(&ks, &in)) != 0) {
		goto out;
	}
	memcpy(hs->fin_key_local, ks.self_finished, sizeof(hs->fin_key_local));
	memcpy(hs->fin_key_peer, ks.peer_finished, sizeof(hs->fin_key_peer));

	mpc_chan_config_default(&ccfg);
	ccfg.replay_window   = hs->replay_window;
	ccfg.rekey_frames    = hs->rekey_messages;
	ccfg.rekey_ns        = hs->rekey_interval_ms * 1000000u;
	ccfg.auth_fail_limit = hs->auth_fail_limit;
	if ((rv = mpc_chan_alloc(&hs->chan, &ccfg, &ks, now_ns)) != 0) {
		goto out;
	}

	if ((rv = mpc_keysched_finished(mac, hs->fin_key_local,
	         hs->transcript, sizeof(hs->transcript))) != 0) {
		goto out;
	}
	rv = mpc_hs_finished_encode(hs->tx_fin, sizeof(hs->tx_fin), 0, mac);
out:
	mpc_keysched_wipe(&ks);
	mpc_wipe(mac, sizeof(mac));
	mpc_wipe(hs->session_key, sizeof(hs->session_key));
	mpc_wipe(hs->exporter, sizeof(hs->exporter));
	if (rv != 0 && hs->chan != NULL) {
		mpc_chan_free(hs->chan);
		hs->chan = NULL;
	}
	return (rv);
}

void
mpc_hs_reject(mpc_tran_hs *hs, int reason)
{
	static const uint8_t zero[MPC_HELLO_MAC_SIZE] = { 0 };
	uint16_t             status;

	status = mpc_hs_reason_known(reason)
	    ? (uint16_t) (reason - NNG_MPC_ERRBASE)
	    : (uint16_t) (NNG_MPC_EREJECTED - NNG_MPC_ERRBASE);
	(void) mpc_hs_finished_encode(
	    hs->tx_fin, sizeof(hs->tx_fin), status, zero);
}

int
mpc_hs_check_finished(mpc_tran_hs *hs, bool *peer_rejected)
{
	mpc_rcursor    c;
	uint8_t        magic[sizeof(mpc_finished_magic)];
	uint16_t       status;
	uint16_t       reserved;
	const uint8_t *mac;
	int            reason;

	*peer_rejected = false;
	mpc_rcursor_init(&c, hs->rx_fin, sizeof(hs->rx_fin));
	if (!mpc_rcursor_bytes(&c, magic, sizeof(magic)) ||
	    (memcmp(magic, mpc_finished_magic, sizeof(magic)) != 0) ||
	    !mpc_rcursor_u16(&c, &status) || !mpc_rcursor_u16(&c, &reserved) ||
	    !mpc_rcursor_view(&c, &mac, MPC_HELLO_MAC_SIZE) ||
	    (reserved != 0)) {
		return (NNG_MPC_EHELLO);
	}
	if (status != 0) {
		*peer_rejected = true;
		reason         = NNG_MPC_ERRBASE + (int) status;
		return (mpc_hs_reason_known(reason) ? reason
		                                     : NNG_MPC_EREJECTED);
	}
	if (mpc_keysched_finished_verify(mac, hs->fin_key_peer,
	        hs->transcript, sizeof(hs->transcript)) != 0) {
		return (NNG_MPC_EKEYCONFIRM);
	}
	return (0);
}

mpc_chan *
mpc_hs_take_channel(mpc_tran_hs *hs)
{
	mpc_chan *ch = hs->chan;

	hs->chan = NULL;
	return (ch);
}
