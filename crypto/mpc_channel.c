/*
 * mpc_channel.c -- per-pipe message crypto: epochs, in-band rotation,
 * replay windows, the auth-failure limit, counters.  The threading rule
 * and the per-frame protocol are at the top of mpc_channel.h: the send
 * half (c->tx) and the receive half (c->rx) share only immutable fields
 * (cfg, session_id, self_id, peer_id), so one sender and one receiver
 * thread need no lock.
 */
#include <string.h>

#include "nng_mpc.h"

#include "mpc_channel.h"
#include "mpc_wipe.h"

/* Counters have one writer each (their half), so load + store is an
 * increment; relaxed atomics make concurrent mpc_chan_stats_get() reads
 * well defined without a locked instruction on the hot path. */
static inline void
ctr_add(_Atomic uint64_t *c, uint64_t n)
{
	atomic_store_explicit(
	    c, atomic_load_explicit(c, memory_order_relaxed) + n,
	    memory_order_relaxed);
}

static inline void
ctr_set(_Atomic uint64_t *c, uint64_t v)
{
	atomic_store_explicit(c, v, memory_order_relaxed);
}

static inline uint64_t
ctr_get(const _Atomic uint64_t *c)
{
	return (atomic_load_explicit(
	    (_Atomic uint64_t *) c, memory_order_relaxed));
}

/* Time since start; 0 if the clock reads earlier than start (a caller's
 * clock must be monotonic, but never let a wrap look like hours). */
static inline uint64_t
elapsed(uint64_t now_ns, uint64_t start_ns)
{
	return (now_ns > start_ns ? now_ns - start_ns : 0);
}

void
mpc_chan_config_default(mpc_chan_config *cfg)
{
	cfg->rekey_frames    = MPC_CHAN_DEFAULT_REKEY_FRAMES;
	cfg->rekey_ns        = MPC_CHAN_DEFAULT_REKEY_NS;
	cfg->seq_limit       = MPC_CHAN_DEFAULT_SEQ_LIMIT;
	cfg->grace_frames    = MPC_CHAN_DEFAULT_GRACE_FRAMES;
	cfg->grace_ns        = MPC_CHAN_DEFAULT_GRACE_NS;
	cfg->replay_window   = MPC_CHAN_DEFAULT_REPLAY_WINDOW;
	cfg->auth_fail_limit = MPC_CHAN_DEFAULT_AUTH_FAILS;
}

int
mpc_chan_config_check(const mpc_chan_config *cfg)
{
	if (cfg == NULL || cfg->seq_limit == 0 ||
	    cfg->seq_limit > MPC_CHAN_DEFAULT_SEQ_LIMIT ||
	    cfg->rekey_frames == 0 || cfg->rekey_frames > cfg->seq_limit ||
	    cfg->replay_window < MPC_REPLAY_MIN_WINDOW ||
	    cfg->replay_window > MPC_REPLAY_MAX_WINDOW ||
	    cfg->auth_fail_limit == 0) {
		return (NNG_MPC_ECRYPTOARG);
	}
	return (0);
}

/* Key + IV of one direction at one epoch into aead; intermediates wiped. */
static int
epoch_aead(const mpc_chan *c, mpc_aead *aead,
    const uint8_t secret[MPC_KS_SECRET_LEN], uint32_t from, uint32_t to,
    uint32_t epoch)
{
	uint8_t key[MPC_AEAD_KEY_LEN];
	uint8_t iv[MPC_AEAD_IV_LEN];
	int     rv;

	if ((rv = mpc_keysched_epoch_keys(
	         key, iv, secret, c->session_id, from, to, epoch)) != 0) {
		goto out;
	}
	rv = mpc_aead_init(aead, key, iv);
out:
	mpc_wipe(key, sizeof(key));
	mpc_wipe(iv, sizeof(iv));
	return (rv);
}

static int
rx_slot_init(mpc_chan *c, mpc_chan_rx_epoch *s,
    const uint8_t secret[MPC_KS_SECRET_LEN], uint32_t epoch, uint64_t now_ns)
{
	int rv;

	memset(s, 0, sizeof(*s));
	if ((rv = mpc_replay_init(&s->replay, c->cfg.replay_window,
	         c->cfg.seq_limit)) != 0 ||
	    (rv = epoch_aead(c, &s->aead, secret, c->peer_id, c->self_id,
	         epoch)) != 0) {
		mpc_wipe(s, sizeof(*s));
		return (rv);
	}
	s->epoch    = epoch;
	s->start_ns = now_ns;
	s->live     = 1;
	return (0);
}

static void
rx_slot_wipe(mpc_chan_rx_epoch *s)
{
	mpc_aead_fini(&s->aead);
	mpc_wipe(s, sizeof(*s));
}

int
mpc_chan_init(mpc_chan *c, const mpc_chan_config *cfg,
    const mpc_keysched *ks, uint64_t now_ns)
{
	mpc_chan_config def;
	int             rv;

	if (c == NULL) {
		return (NNG_MPC_ECRYPTOARG);
	}
	memset(c, 0, sizeof(*c));
	if (cfg == NULL) {
		mpc_chan_config_default(&def);
		cfg = &def;
	}
	if (ks == NULL || ks->self_id == ks->peer_id ||
	    (rv = mpc_chan_config_check(cfg)) != 0) {
		return (NNG_MPC_ECRYPTOARG);
	}
	c->cfg     = *cfg;
	c->self_id = ks->self_id;
	c->peer_id = ks->peer_id;
	memcpy(c->session_id, ks->session_id, MPC_KS_SESSION_ID_LEN);

	memcpy(c->tx.secret, ks->send_secret, MPC_KS_SECRET_LEN);
	c->tx.start_ns = now_ns;
	if ((rv = epoch_aead(c, &c->tx.aead, c->tx.secret, c->self_id,
	         c->peer_id, 0)) != 0) {
		goto out;
	}
	memcpy(c->rx.secret, ks->recv_secret, MPC_KS_SECRET_LEN);
	c->rx.cur  = 0;
	c->rx.prev = 1;
	if ((rv = rx_slot_init(c, &c->rx.slot[0], c->rx.secret, 0, now_ns)) !=
	    0) {
		goto out;
	}
out:
	if (rv != 0) {
		mpc_chan_fini(c);
	}
	return (rv);
}

void
mpc_chan_fini(mpc_chan *c)
{
	if (c == NULL) {
		return;
	}
	mpc_aead_fini(&c->tx.aead);
	for (int i = 0; i < 3; i++) {
		rx_slot_wipe(&c->rx.slot[i]);
	}
	mpc_wipe(c, sizeof(*c));
}

int
mpc_chan_alloc(mpc_chan **cp, const mpc_chan_config *cfg,
    const mpc_keysched *ks, uint64_t now_ns)
{
	mpc_chan *c;
	int       rv;

	if (cp == NULL) {
		return (NNG_MPC_ECRYPTOARG);
	}
	*cp = NULL;
	if ((c = mpc_zalloc(sizeof(*c))) == NULL) {
		return (NNG_ENOMEM);
	}
	if ((rv = mpc_chan_init(c, cfg, ks, now_ns)) != 0) {
		mpc_wipe_free(c, sizeof(*c));
		return (rv);
	}
	*cp = c;
	return (0);
}

void
mpc_chan_free(mpc_chan *c)
{
	if (c == NULL) {
		return;
	}
	mpc_chan_fini(c);
	mpc_wipe_free(c, sizeof(*c));
}

/* --- send half ------------------------------------------------------- */

/* Epoch n -> n+1 for the send direction: new secret (old one wiped in
 * place), new key.  On failure the send half is unusable (exhausted). */
static int
tx_ratchet(mpc_chan *c, uint64_t now_ns)
{
	mpc_chan_tx *tx = &c->tx;
	int          rv;

	if (tx->epoch == UINT32_MAX) {
		return (NNG_MPC_EKEYLIMIT);
	}
	mpc_aead_fini(&tx->aead);
	if ((rv = mpc_keysched_next(tx->secret, tx->secret)) != 0 ||
	    (rv = epoch_aead(c, &tx->aead, tx->secret, c->self_id, c->peer_id,
	         tx->epoch + 1)) != 0) {
		mpc_wipe(tx->secret, sizeof(tx->secret));
		mpc_aead_fini(&tx->aead);
		return (rv);
	}
	tx->epoch++;
	tx->next_seq  = 0;
	tx->start_ns  = now_ns;
	tx->rekey_req = 0;
	ctr_add(&tx->rekeys, 1);
	ctr_set(&tx->cur_epoch, tx->epoch);
	return (0);
}

static int
tx_due(const mpc_chan *c, uint64_t now_ns)
{
	const mpc_chan_tx *tx = &c->tx;

	/* Never ratchet an epoch nothing was sent in: the receiver only
	 * follows one epoch ahead. */
	if (tx->next_seq == 0) {
		return (0);
	}
	return (tx->next_seq >= c->cfg.rekey_frames || tx->rekey_req ||
	    (c->cfg.rekey_ns != 0 &&
	        elapsed(now_ns, tx->start_ns) >= c->cfg.rekey_ns));
}

int
mpc_chan_send_next(mpc_chan *c, uint64_t now_ns, uint32_t *epoch,
    uint64_t *seq)
{
	mpc_chan_tx *tx;
	int          rv;

	if (c == NULL || epoch == NULL || seq == NULL) {
		return (NNG_MPC_ECRYPTOARG);
	}
	tx = &c->tx;
	if (tx->exhausted) {
		rv = NNG_MPC_EKEYLIMIT;
		goto fail;
	}
	/* Out of epochs with sequence numbers left under the per-key limit:
	 * go on in the last epoch.  Out of epochs at the limit, or the
	 * derivation failed: no key to seal under, now or later. */
	if (tx_due(c, now_ns) && (rv = tx_ratchet(c, now_ns)) != 0 &&
	    !(rv == NNG_MPC_EKEYLIMIT && tx->next_seq < c->cfg.seq_limit)) {
		tx->exhausted = 1;
		mpc_aead_fini(&tx->aead);
		mpc_wipe(tx->secret, sizeof(tx->secret));
		goto fail;
	}
	if (tx->next_seq >= c->cfg.seq_limit) {
		rv = NNG_MPC_EKEYLIMIT;
		goto fail;
	}
	/* The sequence number is consumed here, sealed or not: a nonce is
	 * never handed out twice. */
	tx->pending_seq = tx->next_seq++;
	tx->pending     = 1;
	*epoch          = tx->epoch;
	*seq            = tx->pending_seq;
	return (0);
fail:
	tx->pending = 0;
	ctr_add(rv == NNG_MPC_EKEYLIMIT ? &tx->keylimit : &tx->errors, 1);
	return (rv);
}

int
mpc_chan_seal(mpc_chan *c, uint32_t epoch, uint64_t seq,
    const uint8_t *aad, size_t aad_len, uint8_t *buf, size_t len,
    uint8_t tag[MPC_AEAD_TAG_LEN])
{
	mpc_chan_tx *tx;
	int          rv;

	if (c == NULL) {
		return (NNG_MPC_ECRYPTOARG);
	}
	tx = &c->tx;
	if (!tx->pending || epoch != tx->epoch || seq != tx->pending_seq) {
		rv = NNG_MPC_ECRYPTOARG;
		if (buf != NULL) {
			mpc_wipe(buf, len);
		}
		if (tag != NULL) {
			mpc_wipe(tag, MPC_AEAD_TAG_LEN);
		}
		goto fail;
	}
	tx->pending = 0;
	if ((rv = mpc_aead_seal(
	         &tx->aead, epoch, seq, aad, aad_len, buf, len, tag)) != 0) {
		goto fail;
	}
	ctr_add(&tx->frames, 1);
	ctr_add(&tx->bytes, len);
	return (0);
fail:
	ctr_add(&tx->errors, 1);
	return (rv);
}

void
mpc_chan_rekey(mpc_chan *c)
{
	c->tx.rekey_req = 1;
}

/* --- receive half ---------------------------------------------------- */

static void
rx_end_grace(mpc_chan_rx *rx)
{
	mpc_chan_rx_epoch *p = &rx->slot[rx->prev];

	if (p->live) {
		rx_slot_wipe(p);
		ctr_add(&rx->grace_ends, 1);
	}
}

void
mpc_chan_recv_expire(mpc_chan *c, uint64_t now_ns)
{
	mpc_chan_rx       *rx  = &c->rx;
	mpc_chan_rx_epoch *cur = &rx->slot[rx->cur];

	if (rx->slot[rx->prev].live &&
	    (cur->frames >= c->cfg.grace_frames ||
	        elapsed(now_ns, cur->start_ns) >= c->cfg.grace_ns)) {
		rx_end_grace(rx);
	}
}

uint64_t
mpc_chan_recv_grace_left(const mpc_chan *c, uint64_t now_ns)
{
	const mpc_chan_rx *      rx  = &c->rx;
	const mpc_chan_rx_epoch *cur = &rx->slot[rx->cur];
	uint64_t                 age = elapsed(now_ns, cur->start_ns);

	if (!rx->slot[rx->prev].live) {
		return (0);
	}
	return (age >= c->cfg.grace_ns ? 1 : c->cfg.grace_ns - age);
}

int
mpc_chan_recv_dead(const mpc_chan *c)
{
	return (c->rx.dead);
}

/* A failed open: count it; past the limit the receive half dies. */
static int
rx_auth_failed(mpc_chan *c)
{
	mpc_chan_rx *rx = &c->rx;

	/* One counter per returned code: the failure that crosses the
	 * bound is counted as NNG_MPC_EAUTHLIMIT, not as NNG_MPC_EAUTH. */
	if (++rx->auth_fails > c->cfg.auth_fail_limit) {
		rx->dead = 1;
		ctr_add(&rx->auth_limit, 1);
		return (NNG_MPC_EAUTHLIMIT);
	}
	ctr_add(&rx->auth_fail, 1);
	return (NNG_MPC_EAUTH);
}

static void
rx_count_reject(mpc_chan_rx *rx, int rv)
{
	switch (rv) {
	case NNG_MPC_EREPLAY:
		ctr_add(&rx->replay, 1);
		break;
	case NNG_MPC_ETOOOLD:
		ctr_add(&rx->too_old, 1);
		break;
	case NNG_MPC_ESEQLIMIT:
		ctr_add(&rx->seq_limit, 1);
		break;
	case NNG_MPC_EEPOCHGONE:
		ctr_add(&rx->epoch_gone, 1);
		break;
	case NNG_MPC_EEPOCHAHEAD:
		ctr_add(&rx->epoch_ahead, 1);
		break;
	case NNG_MPC_EAUTHLIMIT:
		ctr_add(&rx->auth_limit, 1);
		break;
	default:
		ctr_add(&rx->errors, 1);
		break;
	}
}

/*
 * A frame claiming epoch current+1: derive that epoch into the scratch
 * slot and try it.  Only an authenticated frame moves the receiver: then
 * the scratch slot becomes current, the current one enters its grace, the
 * one in grace before is wiped, and the old traffic secret is replaced.
 */
static int
rx_open_next(mpc_chan *c, uint32_t epoch, uint64_t seq, uint64_t now_ns,
    const uint8_t *aad, size_t aad_len, uint8_t *buf, size_t len,
    const uint8_t *tag)
{
	mpc_chan_rx       *rx      = &c->rx;
	unsigned           scratch = 3 - rx->cur - rx->prev;
	mpc_chan_rx_epoch *s       = &rx->slot[scratch];
	uint8_t            next[MPC_KS_SECRET_LEN];
	int                rv;

	if ((rv = mpc_replay_check(&rx->slot[rx->cur].replay, seq)) ==
	    NNG_MPC_ESEQLIMIT) {
		/* Same limit in every epoch: no derivation for it. */
		goto out;
	}
	if ((rv = mpc_keysched_next(next, rx->secret)) != 0 ||
	    (rv = rx_slot_init(c, s, next, epoch, now_ns)) != 0 ||
	    (rv = mpc_replay_check(&s->replay, seq)) != 0) {
		goto out;
	}
	if ((rv = mpc_aead_open(&s->aead, epoch, seq, aad, aad_len, buf, len,
	         tag)) != 0) {
		if (rv == NNG_MPC_EAUTH) {
			rv = rx_auth_failed(c);
		}
		goto out;
	}
	mpc_replay_commit(&s->replay, seq);
	s->frames = 1;
	rx_end_grace(rx); /* epoch - 2, if still in grace */
	rx->prev = rx->cur;
	rx->cur  = scratch;
	memcpy(rx->secret, next, sizeof(next));
	rx->auth_fails = 0; /* the limit is per epoch */
	ctr_add(&rx->rekeys, 1);
	ctr_set(&rx->cur_epoch, epoch);
	ctr_add(&rx->frames, 1);
	ctr_add(&rx->bytes, len);
out:
	mpc_wipe(next, sizeof(next));
	if (rv != 0) {
		rx_slot_wipe(s);
	}
	return (rv);
}

int
mpc_chan_open(mpc_chan *c, uint32_t epoch, uint64_t seq, uint64_t now_ns,
    const uint8_t *aad, size_t aad_len, uint8_t *buf, size_t len,
    const uint8_t tag[MPC_AEAD_TAG_LEN])
{
	mpc_chan_rx       *rx;
	mpc_chan_rx_epoch *s;
	int                rv;

	if (c == NULL || tag == NULL || (buf == NULL && len != 0) ||
	    (aad == NULL && aad_len != 0)) {
		rv = NNG_MPC_ECRYPTOARG;
		if (c != NULL) {
			ctr_add(&c->rx.errors, 1);
		}
		goto wipe;
	}
	rx = &c->rx;
	if (rx->dead) {
		rv = NNG_MPC_EAUTHLIMIT;
		goto reject;
	}
	mpc_chan_recv_expire(c, now_ns);

	s = &rx->slot[rx->cur];
	if (epoch == s->epoch) {
		/* the common case */
	} else if (epoch == s->epoch + 1 && s->epoch != UINT32_MAX) {
		if ((rv = rx_open_next(c, epoch, seq, now_ns, aad, aad_len, buf,
		         len, tag)) != 0) {
			if (rv != NNG_MPC_EAUTH && rv != NNG_MPC_EAUTHLIMIT) {
				goto reject;
			}
			goto wipe;
		}
		return (0);
	} else if (rx->slot[rx->prev].live &&
	    epoch == rx->slot[rx->prev].epoch) {
		s = &rx->slot[rx->prev];
	} else {
		rv = epoch > s->epoch ? NNG_MPC_EEPOCHAHEAD : NNG_MPC_EEPOCHGONE;
		goto reject;
	}

	if ((rv = mpc_replay_check(&s->replay, seq)) != 0) {
		goto reject;
	}
	if ((rv = mpc_aead_open(
	         &s->aead, epoch, seq, aad, aad_len, buf, len, tag)) != 0) {
		if (rv == NNG_MPC_EAUTH) {
			rv = rx_auth_failed(c);
			goto wipe;
		}
		goto reject;
	}
	/* Authenticated: now, and only now, the state moves. */
	mpc_replay_commit(&s->replay, seq);
	s->frames++;
	if (s != &rx->slot[rx->cur]) {
		ctr_add(&rx->prev_frames, 1);
	}
	ctr_add(&rx->frames, 1);
	ctr_add(&rx->bytes, len);
	return (0);

reject:
	rx_count_reject(&c->rx, rv);
wipe:
	if (buf != NULL) {
		mpc_wipe(buf, len);
	}
	return (rv);
}

/* --- any thread ------------------------------------------------------ */

void
mpc_chan_stats_get(const mpc_chan *c, mpc_chan_stats *st)
{
	const mpc_chan_tx *tx = &c->tx;
	const mpc_chan_rx *rx = &c->rx;

	st->tx_frames      = ctr_get(&tx->frames);
	st->tx_bytes       = ctr_get(&tx->bytes);
	st->tx_epoch       = ctr_get(&tx->cur_epoch);
	st->tx_rekeys      = ctr_get(&tx->rekeys);
	st->tx_keylimit    = ctr_get(&tx->keylimit);
	st->tx_errors      = ctr_get(&tx->errors);
	st->rx_frames      = ctr_get(&rx->frames);
	st->rx_bytes       = ctr_get(&rx->bytes);
	st->rx_epoch       = ctr_get(&rx->cur_epoch);
	st->rx_rekeys      = ctr_get(&rx->rekeys);
	st->rx_prev_frames = ctr_get(&rx->prev_frames);
	st->rx_grace_ends  = ctr_get(&rx->grace_ends);
	st->rx_auth_fail   = ctr_get(&rx->auth_fail);
	st->rx_auth_limit  = ctr_get(&rx->auth_limit);
	st->rx_replay      = ctr_get(&rx->replay);
	st->rx_too_old     = ctr_get(&rx->too_old);
	st->rx_seq_limit   = ctr_get(&rx->seq_limit);
	st->rx_epoch_gone  = ctr_get(&rx->epoch_gone);
	st->rx_epoch_ahead = ctr_get(&rx->epoch_ahead);
	st->rx_errors      = ctr_get(&rx->errors);
}
