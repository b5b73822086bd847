/*
 * mpc_deliver.c -- delivery streams: window, cumulative acks, resume; see
 * mpc_deliver.h.
 *
 * The sender's kept messages are a ring of `slots` entries: the message
 * with sequence s (acked < s < next) is in slot (head + s - acked - 1) mod
 * slots.  Acknowledging advances head.  The ring starts small
 * (MPC_DELIVER_RING_FIRST) and doubles when a push finds it full, up to
 * cap = max_msgs + MPC_DELIVER_OVERFLOW: a stream costs what it keeps, not
 * its window (a large default window on a socket with many parties would
 * otherwise cost its whole ring per party up front).
 *
 * Invariants: acked <= sent <= hi_sent < next; next - 1 - acked <= slots
 * <= cap; bytes is the sum of the kept messages' lengths.
 *
 * Threading: the caller's lock (mpc_deliver.h).
 */
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>

#include "nng_mpc.h"

#include "mpc_deliver.h"

/* The ring's first size, in messages (doubled as needed up to cap). */
#define MPC_DELIVER_RING_FIRST 64u

int
mpc_deliver_tx_init(
    mpc_deliver_tx *tx, uint64_t inc, uint32_t max_msgs, size_t max_bytes)
{
	if (tx == NULL || inc == 0 || max_msgs < MPC_DELIVER_WINDOW_MSGS_MIN ||
	    max_msgs > MPC_DELIVER_WINDOW_MSGS_MAX ||
	    max_bytes < MPC_DELIVER_WINDOW_BYTES_MIN ||
	    max_bytes > MPC_DELIVER_WINDOW_BYTES_MAX) {
		return (NNG_EINVAL);
	}
	memset(tx, 0, sizeof(*tx));
	tx->cap   = max_msgs + MPC_DELIVER_OVERFLOW;
	tx->slots = tx->cap < MPC_DELIVER_RING_FIRST ? tx->cap
	                                             : MPC_DELIVER_RING_FIRST;
	tx->ring  = calloc(tx->slots, sizeof(tx->ring[0]));
	if (tx->ring == NULL) {
		return (NNG_ENOMEM);
	}
	tx->inc       = inc;
	tx->next      = 1;
	tx->max_msgs  = max_msgs;
	tx->max_bytes = max_bytes;
	return (0);
}

uint32_t
mpc_deliver_tx_kept(const mpc_deliver_tx *tx)
{
	return ((uint32_t) (tx->next - 1 - tx->acked));
}

static mpc_deliver_item *
tx_slot(const mpc_deliver_tx *tx, uint64_t seq)
{
	return (&tx->ring[(tx->head + (seq - tx->acked - 1)) % tx->slots]);
}

/* Lets the oldest kept message go. */
static void
tx_release_head(
    mpc_deliver_tx *tx, mpc_deliver_release_fn release, void *arg)
{
	mpc_deliver_item *it = &tx->ring[tx->head];

	if (release != NULL) {
		release(arg, it->msg);
	}
	tx->bytes -= it->len;
	memset(it, 0, sizeof(*it));
	tx->head = (tx->head + 1) % tx->slots;
	tx->acked++;
}

uint32_t
mpc_deliver_tx_fini(
    mpc_deliver_tx *tx, mpc_deliver_release_fn release, void *arg)
{
	uint32_t n;

	if (tx->ring == NULL) {
		return (0);
	}
	n = mpc_deliver_tx_kept(tx);
	while (tx->acked + 1 < tx->next) {
		tx_release_head(tx, release, arg);
	}
	free(tx->ring);
	tx->ring = NULL;
	return (n);
}

bool
mpc_deliver_tx_fits(const mpc_deliver_tx *tx, size_t len)
{
	uint32_t kept = mpc_deliver_tx_kept(tx);

	if (kept >= tx->max_msgs) {
		return (false);
	}
	/* Written as len > max - bytes so the sum cannot wrap. */
	return (kept == 0 || len <= tx->max_bytes - tx->bytes);
}

/* Room for one more message in the ring (the window is checked by the
 * caller): doubled, up to cap, when full -- the kept messages move to
 * the front in sequence order.  0 or NNG_ENOMEM (nothing changed). */
static int
tx_room(mpc_deliver_tx *tx)
{
	mpc_deliver_item *ring;
	uint32_t          kept = mpc_deliver_tx_kept(tx);
	uint32_t          slots;

	if (kept < tx->slots) {
		return (0);
	}
	slots = tx->slots > tx->cap / 2 ? tx->cap : tx->slots * 2;
	if ((ring = calloc(slots, sizeof(ring[0]))) == NULL) {
		return (NNG_ENOMEM);
	}
	for (uint32_t i = 0; i < kept; i++) {
		ring[i] = tx->ring[(tx->head + i) % tx->slots];
	}
	free(tx->ring);
	tx->ring  = ring;
	tx->slots = slots;
	tx->head  = 0;
	return (0);
}

/* Keeps msg in the next slot (window checked by the caller).  0 or
 * NNG_ENOMEM (nothing changed). */
static int
tx_keep(mpc_deliver_tx *tx, void *msg, size_t len, uint64_t *seq)
{
	mpc_deliver_item *it;
	int               rv;

	if ((rv = tx_room(tx)) != 0) {
		return (rv);
	}
	it      = tx_slot(tx, tx->next);
	it->seq = tx->next;
	it->msg = msg;
	it->len = len;
	tx->bytes += len;
	*seq = tx->next++;
	return (0);
}

int
mpc_deliver_tx_push(mpc_deliver_tx *tx, void *msg, size_t len, uint64_t *seq)
{
	if (!mpc_deliver_tx_fits(tx, len)) {
		return (NNG_MPC_EWINDOWFULL);
	}
	return (tx_keep(tx, msg, len, seq));
}

int
mpc_deliver_tx_push_over(
    mpc_deliver_tx *tx, void *msg, size_t len, uint64_t *seq)
{
	if (mpc_deliver_tx_kept(tx) >= tx->cap) {
		return (NNG_MPC_EWINDOWFULL);
	}
	return (tx_keep(tx, msg, len, seq));
}

bool
mpc_deliver_tx_next(mpc_deliver_tx *tx, mpc_deliver_item *out)
{
	if (!tx->resumed || tx->sent + 1 >= tx->next) {
		return (false);
	}
	*out = *tx_slot(tx, tx->sent + 1);
	tx->sent++;
	if (tx->sent > tx->hi_sent) {
		tx->hi_sent = tx->sent;
	}
	return (true);
}

/* Releases every kept message up to ack (ack <= hi_sent, checked). */
static void
tx_release_upto(mpc_deliver_tx *tx, uint64_t ack,
    mpc_deliver_release_fn release, void *arg)
{
	while (tx->acked < ack) {
		tx_release_head(tx, release, arg);
	}
	if (tx->sent < tx->acked) {
		tx->sent = tx->acked;
	}
}

int
mpc_deliver_tx_ack(mpc_deliver_tx *tx, uint64_t ack,
    mpc_deliver_release_fn release, void *arg)
{
	if (ack <= tx->acked) {
		return (0); /* stale or repeated: nothing new */
	}
	if (ack > tx->hi_sent) {
		return (NNG_MPC_EACKAHEAD);
	}
	tx_release_upto(tx, ack, release, arg);
	return (0);
}

void
mpc_deliver_tx_disconnect(mpc_deliver_tx *tx)
{
	tx->resumed = false;
}

uint64_t
mpc_deliver_tx_base(const mpc_deliver_tx *tx)
{
	return (tx->acked + 1);
}

void
mpc_deliver_rx_init(mpc_deliver_rx *rx)
{
	memset(rx, 0, sizeof(*rx));
}

int
mpc_deliver_rx_accept(mpc_deliver_rx *rx, uint64_t seq)
{
	if (!rx->resumed) {
		return (NNG_MPC_EDELIVERCTL);
	}
	if (seq <= rx->received) {
		return (NNG_MPC_EDUPLICATE);
	}
	if (seq != rx->received + 1) {
		return (NNG_MPC_EGAP);
	}
	rx->received = seq;
	rx->held     = seq;
	return (0);
}

void
mpc_deliver_rx_confirm(mpc_deliver_rx *rx)
{
	rx->held = 0;
}

uint64_t
mpc_deliver_rx_confirmed(const mpc_deliver_rx *rx)
{
	return (rx->held != 0 ? rx->held - 1 : rx->received);
}

bool
mpc_deliver_rx_ack_due(const mpc_deliver_rx *rx, uint32_t every)
{
	return (mpc_deliver_rx_confirmed(rx) - rx->acked >=
	    (uint64_t) (every > 0 ? every : 1));
}

uint64_t
mpc_deliver_rx_ack_take(mpc_deliver_rx *rx)
{
	rx->acked = mpc_deliver_rx_confirmed(rx);
	return (rx->acked);
}

void
mpc_deliver_rx_pause(mpc_deliver_rx *rx)
{
	rx->resumed = false;
}

void
mpc_deliver_rx_disconnect(mpc_deliver_rx *rx)
{
	/* The consumer may have dropped it with the connection. */
	rx->received = mpc_deliver_rx_confirmed(rx);
	rx->held     = 0;
	rx->resumed  = false;
}

void
mpc_deliver_resume_make(const mpc_deliver_tx *tx, const mpc_deliver_rx *rx,
    mpc_deliver_resume *out)
{
	out->inc      = tx->inc;
	out->peer_inc = rx->peer_inc;
	out->received = mpc_deliver_rx_confirmed(rx);
	out->base     = mpc_deliver_tx_base(tx);
}

int
mpc_deliver_resume_apply(mpc_deliver_tx *tx, mpc_deliver_rx *rx,
    const mpc_deliver_resume *peer, mpc_deliver_release_fn release, void *arg)
{
	bool knows_us = peer->peer_inc == tx->inc;
	bool same     = rx->peer_inc != 0 && rx->peer_inc == peer->inc;
	int  rv;

	/* Validate everything first: on an error nothing changes. */
	if (peer->inc == 0 || peer->base == 0) {
		return (NNG_MPC_EDELIVERCTL);
	}
	if (knows_us && peer->received > tx->hi_sent) {
		return (NNG_MPC_EACKAHEAD);
	}
	if (same && peer->base > rx->received + 1) {
		return (NNG_MPC_EGAP);
	}

	/* Our receive side: continue, or adopt the peer's stream. */
	rv = 0;
	if (!same) {
		rv           = rx->peer_inc != 0 ? NNG_MPC_ESTREAMRESET : 0;
		rx->peer_inc = peer->inc;
		rx->received = peer->base - 1;
		rx->held     = 0;
		rx->acked    = rx->received;
	}
	rx->resumed = true;

	/* Our send side: what the peer has is acknowledged (it cannot fail:
	 * checked above); a peer new to this incarnation starts at our base.
	 * Retransmission restarts right after what it has. */
	if (knows_us) {
		tx_release_upto(tx, peer->received, release, arg);
	}
	tx->sent    = tx->acked;
	tx->resumed = true;
	return (rv);
}

bool
mpc_deliver_rec_write(mpc_wcursor *c, const mpc_deliver_rec *rec)
{
	mpc_wcursor w = *c; /* commit only a whole record */
	bool        ok;

	switch (rec->kind) {
	case MPC_DELIVER_DATA:
		ok = mpc_wcursor_u8(&w, MPC_DELIVER_DATA) &&
		    mpc_wcursor_u64(&w, rec->seq) && mpc_wcursor_u64(&w, rec->ack);
		break;
	case MPC_DELIVER_ACK:
		ok = mpc_wcursor_u8(&w, MPC_DELIVER_ACK) &&
		    mpc_wcursor_u64(&w, rec->ack);
		break;
	case MPC_DELIVER_RESUME:
		ok = mpc_wcursor_u8(&w, MPC_DELIVER_RESUME) &&
		    mpc_wcursor_u64(&w, rec->resume.inc) &&
		    mpc_wcursor_u64(&w, rec->resume.peer_inc) &&
		    mpc_wcursor_u64(&w, rec->resume.received) &&
		    mpc_wcursor_u64(&w, rec->resume.base);
		break;
	case MPC_DELIVER_ACKREQ:
		ok = mpc_wcursor_u8(&w, MPC_DELIVER_ACKREQ) &&
		    mpc_wcursor_u64(&w, rec->upto);
		break;
	default:
		ok = false;
		break;
	}
	if (ok) {
		*c = w;
	}
	return (ok);
}

int
mpc_deliver_rec_read(mpc_rcursor *c, mpc_deliver_rec *rec)
{
	mpc_rcursor     r = *c;
	mpc_deliver_rec v;
	uint8_t         kind;
	bool            ok;

	memset(&v, 0, sizeof(v));
	if (!mpc_rcursor_u8(&r, &kind)) {
		return (NNG_MPC_EDELIVERCTL);
	}
	switch (kind) {
	case MPC_DELIVER_DATA:
		ok = mpc_rcursor_u64(&r, &v.seq) && mpc_rcursor_u64(&r, &v.ack) &&
		    v.seq != 0;
		break;
	case MPC_DELIVER_ACK:
		ok = mpc_rcursor_u64(&r, &v.ack) &&
		    mpc_rcursor_remaining(&r) == 0;
		break;
	case MPC_DELIVER_RESUME:
		ok = mpc_rcursor_u64(&r, &v.resume.inc) &&
		    mpc_rcursor_u64(&r, &v.resume.peer_inc) &&
		    mpc_rcursor_u64(&r, &v.resume.received) &&
		    mpc_rcursor_u64(&r, &v.resume.base) &&
		    mpc_rcursor_remaining(&r) == 0;
		break;
	case MPC_DELIVER_ACKREQ:
		ok = mpc_rcursor_u64(&r, &v.upto) &&
		    mpc_rcursor_remaining(&r) == 0;
		break;
	default:
		ok = false;
		break;
	}
	if (!ok) {
		return (NNG_MPC_EDELIVERCTL);
	}
	v.kind = (enum mpc_deliver_kind) kind;
	*rec   = v;
	*c     = r;
	return (0);
}
