/*
 * mpc_tran_limit.c -- party sets, token buckets, the per-source table of
 * new connections and a pipe's receive limiter (mpc_tran_limit.h).
 *
 * Pure code, no clock of its own.  Threading: the caller's (the header).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpc_tran_limit.h"

/* ---------------------------------------------------------------------- *
 * Party sets
 * ---------------------------------------------------------------------- */

static const char *
mpc_tran_skip_space(const char *s)
{
	while ((*s == ' ') || (*s == '\t')) {
		s++;
	}
	return (s);
}

/* A decimal party ID at *sp (no sign, no leading zero): 0 or -1. */
static int
mpc_tran_party_num(const char **sp, uint32_t *out)
{
	const char *s = *sp;
	uint64_t    v = 0;
	size_t      n = 0;

	if ((*s == '0') || (*s < '0') || (*s > '9')) {
		return (-1);
	}
	while ((*s >= '0') && (*s <= '9')) {
		if (++n > 10) {
			return (-1);
		}
		v = v * 10 + (uint64_t) (*s++ - '0');
	}
	if ((v < NNG_MPC_PARTY_MIN) || (v > NNG_MPC_PARTY_MAX)) {
		return (-1);
	}
	*out = (uint32_t) v;
	*sp  = s;
	return (0);
}

int
mpc_tran_partyset_parse(mpc_tran_partyset *set, const char *s)
{
	mpc_tran_partyset n;

	memset(&n, 0, sizeof(n));
	s = mpc_tran_skip_space(s);
	while (*s != '\0') {
		uint32_t lo;
		uint32_t hi;
		if ((n.n == MPC_TRAN_PARTYSET_MAX) ||
		    (mpc_tran_party_num(&s, &lo) != 0)) {
			return (NNG_EINVAL);
		}
		hi = lo;
		s  = mpc_tran_skip_space(s);
		if (*s == '-') {
			s = mpc_tran_skip_space(s + 1);
			if ((mpc_tran_party_num(&s, &hi) != 0) || (hi < lo)) {
				return (NNG_EINVAL);
			}
			s = mpc_tran_skip_space(s);
		}
		n.lo[n.n] = lo;
		n.hi[n.n] = hi;
		n.n++;
		if (*s == ',') {
			s = mpc_tran_skip_space(s + 1);
			if (*s == '\0') {
				return (NNG_EINVAL); /* a trailing comma */
			}
		} else if (*s != '\0') {
			return (NNG_EINVAL);
		}
	}
	*set = n;
	return (0);
}

void
mpc_tran_partyset_format(const mpc_tran_partyset *set, char *buf, size_t cap)
{
	size_t pos = 0;

	buf[0] = '\0';
	for (uint32_t i = 0; (i < set->n) && (pos < cap); i++) {
		int k = set->lo[i] == set->hi[i]
		    ? snprintf(buf + pos, cap - pos, "%s%u", i ? "," : "",
		          (unsigned) set->lo[i])
		    : snprintf(buf + pos, cap - pos, "%s%u-%u", i ? "," : "",
		          (unsigned) set->lo[i], (unsigned) set->hi[i]);
		if (k < 0) {
			return;
		}
		pos += (size_t) k;
	}
}

bool
mpc_tran_partyset_has(const mpc_tran_partyset *set, uint32_t party)
{
	for (uint32_t i = 0; i < set->n; i++) {
		if ((party >= set->lo[i]) && (party <= set->hi[i])) {
			return (true);
		}
	}
	return (false);
}

/* ---------------------------------------------------------------------- *
 * Token buckets
 * ---------------------------------------------------------------------- */

void
mpc_tran_bucket_init(mpc_tran_bucket *b, double rate, double cap, uint64_t now)
{
	b->rate   = rate;
	b->cap    = rate > 0 ? cap : INFINITY;
	b->tokens = b->cap;
	b->last   = now;
}

void
mpc_tran_bucket_refill(mpc_tran_bucket *b, uint64_t now)
{
	if ((b->rate <= 0) || (now <= b->last)) {
		return;
	}
	b->tokens += (double) (now - b->last) * b->rate / 1e9;
	if (b->tokens > b->cap) {
		b->tokens = b->cap;
	}
	b->last = now;
}

uint64_t
mpc_tran_bucket_wait(const mpc_tran_bucket *b, double want)
{
	if ((b->rate <= 0) || (b->tokens >= want)) {
		return (0);
	}
	return ((uint64_t) ceil((want - b->tokens) * 1e9 / b->rate));
}

/* ---------------------------------------------------------------------- *
 * New connections per source
 * ---------------------------------------------------------------------- */

void
mpc_tran_throttle_init(mpc_tran_throttle *t)
{
	memset(t, 0, sizeof(*t));
	t->rate  = MPC_TRAN_CONN_RATE_DEFAULT;
	t->burst = MPC_TRAN_CONN_BURST_DEFAULT;
}

void
mpc_tran_throttle_fini(mpc_tran_throttle *t)
{
	free(t->slots);
	t->slots = NULL;
	t->live  = 0;
	t->cap   = 0;
}

/* Room for more sources: doubles the table (from 64) up to its fixed
 * maximum.  0, NNG_MPC_ETHROTTLEFULL at the maximum, or NNG_ENOMEM. */
static int
mpc_tran_throttle_grow(mpc_tran_throttle *t)
{
	mpc_tran_throttle_slot *n;
	uint32_t                cap = t->cap == 0 ? 64 : t->cap * 2;

	if (t->cap >= MPC_TRAN_THROTTLE_SLOTS) {
		return (NNG_MPC_ETHROTTLEFULL);
	}
	if (cap > MPC_TRAN_THROTTLE_SLOTS) {
		cap = MPC_TRAN_THROTTLE_SLOTS;
	}
	if ((n = calloc(cap, sizeof(*n))) == NULL) {
		return (NNG_ENOMEM);
	}
	if (t->slots != NULL) {
		memcpy(n, t->slots, t->cap * sizeof(*n));
		free(t->slots);
	}
	t->slots = n;
	t->cap   = cap;
	return (0);
}

/* A slot whose bucket would be full again holds nothing worth keeping. */
static bool
mpc_tran_throttle_aged(const mpc_tran_throttle_slot *s, uint64_t now)
{
	mpc_tran_bucket b = s->b;

	mpc_tran_bucket_refill(&b, now);
	return (b.tokens >= b.cap);
}

int
mpc_tran_throttle_take(mpc_tran_throttle *t, uint16_t family,
    const uint8_t *addr, uint64_t now)
{
	mpc_tran_throttle_slot *s      = NULL;
	mpc_tran_throttle_slot *free_s = NULL;
	int                     rv;

	if ((t->rate == 0) || (family == 0)) {
		return (0);
	}
	/* One pass: the source's slot, else a free or aged one.  At most
	 * 4096 compares of 10 bytes per accepted connection: microseconds,
	 * far below what a connection costs the kernel. */
	for (uint32_t i = 0; i < t->cap; i++) {
		mpc_tran_throttle_slot *c = &t->slots[i];
		if (c->family == 0) {
			if (free_s == NULL) {
				free_s = c;
			}
			continue;
		}
		if ((c->family == family) &&
		    (memcmp(c->addr, addr, sizeof(c->addr)) == 0)) {
			s = c;
			break;
		}
		if ((free_s == NULL) && mpc_tran_throttle_aged(c, now)) {
			c->family = 0; /* aged out */
			t->live--;
			free_s = c;
		}
	}
	if ((s == NULL) && (free_s == NULL)) {
		uint32_t first = t->cap;
		if ((rv = mpc_tran_throttle_grow(t)) != 0) {
			return (rv); /* full table = deny */
		}
		free_s = &t->slots[first];
	}
	if (s == NULL) {
		s         = free_s;
		s->family = family;
		memcpy(s->addr, addr, sizeof(s->addr));
		mpc_tran_bucket_init(&s->b, (double) t->rate,
		    (double) t->burst, now);
		t->live++;
	}
	mpc_tran_bucket_refill(&s->b, now);
	if (s->b.tokens < 1.0) {
		return (NNG_MPC_ECONNRATE);
	}
	s->b.tokens -= 1.0;
	return (0);
}

/* ---------------------------------------------------------------------- *
 * A pipe's receive limiter
 * ---------------------------------------------------------------------- */

/* The buckets' rates at the current allowance (the burst scales too). */
static void
mpc_tran_rate_apply(mpc_tran_rate *r)
{
	double f     = r->allow;
	double burst = (double) r->cfg.burst_ms / 1000.0;

	if (r->cfg.msgs != 0) {
		r->msgs.rate = (double) r->cfg.msgs * f;
		r->msgs.cap  = fmax(1.0, r->msgs.rate * burst);
		r->msgs.tokens = fmin(r->msgs.tokens, r->msgs.cap);
	}
	if (r->cfg.bytes != 0) {
		r->bytes.rate = (double) r->cfg.bytes * f;
		r->bytes.cap  = fmax(1.0, r->bytes.rate * burst);
		r->bytes.tokens = fmin(r->bytes.tokens, r->bytes.cap);
	}
}

void
mpc_tran_rate_init(mpc_tran_rate *r, const mpc_tran_rate_cfg *cfg, uint64_t now)
{
	double burst = (double) cfg->burst_ms / 1000.0;

	memset(r, 0, sizeof(*r));
	r->cfg      = *cfg;
	r->on       = (cfg->msgs != 0) || (cfg->bytes != 0);
	r->allow    = 1.0;
	r->allow_at = now;
	r->check_at = now;
	mpc_tran_bucket_init(&r->msgs, (double) cfg->msgs,
	    fmax(1.0, (double) cfg->msgs * burst), now);
	mpc_tran_bucket_init(&r->bytes, (double) cfg->bytes,
	    fmax(1.0, (double) cfg->bytes * burst), now);
}

/* Adaptive recovery: +1/16 of the rate per second of good behaviour. */
static void
mpc_tran_rate_recover(mpc_tran_rate *r, uint64_t now)
{
	if (!r->cfg.adaptive || (r->allow >= 1.0) || (now <= r->allow_at)) {
		r->allow_at = now;
		return;
	}
	r->allow += MPC_TRAN_RATE_ALLOW_STEP * (double) (now - r->allow_at) /
	    1e9;
	if (r->allow > 1.0) {
		r->allow = 1.0;
	}
	r->allow_at = now;
	mpc_tran_rate_apply(r);
}

uint64_t
mpc_tran_rate_check(
    mpc_tran_rate *r, uint64_t now, bool backlog, bool *close)
{
	uint64_t w1;
	uint64_t w2;
	uint64_t gap;

	*close = false;
	if (!r->on) {
		return (0);
	}
	mpc_tran_rate_recover(r, now);
	mpc_tran_bucket_refill(&r->msgs, now);
	mpc_tran_bucket_refill(&r->bytes, now);
	w1 = mpc_tran_bucket_wait(&r->msgs, 1.0);
	w2 = mpc_tran_bucket_wait(&r->bytes, 0.0);
	/*
	 * Over the limit means frames waiting while the buckets are short.
	 * The clock stops when the peer's frames stop waiting, or when the
	 * pipe was not pressing for longer than a burst (the application
	 * did not receive meanwhile: that is not the peer's excess).
	 */
	gap = (uint64_t) r->cfg.burst_ms * 1000000u + 100000000u;
	if (!backlog || (now - r->check_at > gap)) {
		r->over_since = 0;
	}
	r->check_at = now;
	if (backlog && (r->over_since == 0)) {
		r->over_since = now;
	}
	if ((w1 == 0) && (w2 == 0)) {
		if (r->throttle_at != 0) {
			r->throttled_ns += now - r->throttle_at;
			r->throttle_at = 0;
		}
		return (0);
	}
	if (r->throttle_at == 0) {
		r->throttle_at = now;
	}
	if ((r->cfg.policy == MPC_TRAN_RATE_CLOSE) && (r->over_since != 0) &&
	    (now - r->over_since >=
	        (uint64_t) r->cfg.close_after_ms * 1000000u)) {
		*close = true;
	}
	return (w1 > w2 ? w1 : w2);
}

int32_t
mpc_tran_rate_wait_ms(const mpc_tran_rate *r, uint64_t wait_ns)
{
	uint64_t ms  = (wait_ns + 999999u) / 1000000u;
	uint64_t min = r->cfg.burst_ms < MPC_TRAN_RATE_WAIT_MIN_MS
	    ? r->cfg.burst_ms
	    : MPC_TRAN_RATE_WAIT_MIN_MS;

	if (ms < min) {
		ms = min;
	}
	return (ms > INT32_MAX ? INT32_MAX : (int32_t) ms);
}

void
mpc_tran_rate_punish(mpc_tran_rate *r, uint64_t now)
{
	if (!r->on || !r->cfg.adaptive) {
		return;
	}
	mpc_tran_rate_recover(r, now);
	r->allow /= 2;
	if (r->allow < MPC_TRAN_RATE_ALLOW_MIN) {
		r->allow = MPC_TRAN_RATE_ALLOW_MIN;
	}
	mpc_tran_rate_apply(r);
}

uint64_t
mpc_tran_rate_allowance(const mpc_tran_rate *r)
{
	return (r->cfg.msgs == 0 ? 0
	                         : (uint64_t) ((double) r->cfg.msgs * r->allow));
}

uint64_t
mpc_tran_rate_throttled(const mpc_tran_rate *r, uint64_t now)
{
	return (r->throttled_ns +
	    ((r->throttle_at != 0) && (now > r->throttle_at)
	            ? now - r->throttle_at
	            : 0));
}

/* ---------------------------------------------------------------------- *
 * An endpoint's settings
 * ---------------------------------------------------------------------- */

void
mpc_tran_limits_init(mpc_tran_limits *l)
{
	memset(l, 0, sizeof(*l));
	l->rate.burst_ms       = MPC_TRAN_RATE_BURST_DEFAULT;
	l->rate.policy         = MPC_TRAN_RATE_BACKPRESSURE;
	l->rate.close_after_ms = MPC_TRAN_RATE_CLOSE_AFTER_DEFAULT;
	l->heartbeat_ms        = MPC_TRAN_HEARTBEAT_DEFAULT;
	l->dead_after          = MPC_TRAN_DEAD_AFTER_DEFAULT;
}

int
mpc_tran_limits_party(const mpc_tran_limits *l, uint32_t party)
{
	if (((l->allow.n != 0) && !mpc_tran_partyset_has(&l->allow, party)) ||
	    mpc_tran_partyset_has(&l->deny, party)) {
		return (NNG_MPC_EPARTYDENIED);
	}
	return (0);
}

int
mpc_tran_rate_policy_parse(const char *s, mpc_tran_rate_policy *out)
{
	if (strcmp(s, "backpressure") == 0) {
		*out = MPC_TRAN_RATE_BACKPRESSURE;
	} else if (strcmp(s, "close") == 0) {
		*out = MPC_TRAN_RATE_CLOSE;
	} else {
		return (NNG_EINVAL);
	}
	return (0);
}

const char *
mpc_tran_rate_policy_name(mpc_tran_rate_policy p)
{
	return (p == MPC_TRAN_RATE_CLOSE ? "close" : "backpressure");
}
