/*
 * mpc_tran_limit.h -- the pipe filter's settings and its pure mechanics:
 * party sets (allow / deny lists), token buckets, the per-source table of
 * new connections, and a pipe's receive rate limiter with its adaptive
 * allowance.  Names, types, defaults and ranges of the options that set
 * them are documented in include/nng_mpc.h ("Admission, rate limits and
 * liveness").
 *
 * Pure code: no NNG internals and no clock of its own -- every function
 * that depends on time takes "now" in nanoseconds of a monotonic clock, so
 * tests drive it with made-up times.
 *
 * Threading: none inside.  An endpoint's settings and its source table are
 * used under the endpoint's mutex; a pipe's limiter under its receive
 * mutex.
 */
#ifndef NNG_MPC_TRANSPORT_MPC_TRAN_LIMIT_H
#define NNG_MPC_TRANSPORT_MPC_TRAN_LIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nng_mpc.h"

/* ---- party sets: "1-5,9" ------------------------------------------------ */

#define MPC_TRAN_PARTYSET_MAX 32 /* ranges in one list */
/* Text of a full list: 32 ranges of two 10-digit IDs, '-' and ','. */
#define MPC_TRAN_PARTYSET_STR_MAX (MPC_TRAN_PARTYSET_MAX * 22 + 1)

typedef struct mpc_tran_partyset {
	uint32_t n; /* 0: the empty list */
	uint32_t lo[MPC_TRAN_PARTYSET_MAX];
	uint32_t hi[MPC_TRAN_PARTYSET_MAX];
} mpc_tran_partyset;

/*
 * Parses a list of party IDs and inclusive ranges separated by commas
 * (spaces allowed around items): "1-5,9".  An empty string is the empty
 * list.  0, or NNG_EINVAL (bad number, ID outside 1..4294967294, a range
 * whose end is below its start, more than MPC_TRAN_PARTYSET_MAX items);
 * *set is unchanged on error.
 */
__attribute__((warn_unused_result)) int mpc_tran_partyset_parse(
    mpc_tran_partyset *set, const char *s);

/* Writes the list back ("1-5,9"; "" when empty) into buf. */
void mpc_tran_partyset_format(
    const mpc_tran_partyset *set, char *buf, size_t cap);

bool mpc_tran_partyset_has(const mpc_tran_partyset *set, uint32_t party);

/* ---- token buckets ------------------------------------------------------ */

/*
 * A token bucket (RFC 2697's single-rate model without colours): tokens
 * accrue at rate per second up to cap; a taker may leave the bucket in
 * debt (a message larger than the burst still passes once the bucket is
 * full, then the bucket repays the debt before the next).  Doubles: exact
 * enough for rates from 1 to 2^53 per second, and no overflow for any
 * elapsed time.
 */
typedef struct mpc_tran_bucket {
	double   rate;   /* tokens per second; 0: unlimited */
	double   cap;    /* most tokens held */
	double   tokens; /* may be negative: debt */
	uint64_t last;   /* ns of the last refill */
} mpc_tran_bucket;

void mpc_tran_bucket_init(
    mpc_tran_bucket *b, double rate, double cap, uint64_t now);
/* Adds what accrued since the last refill. */
void mpc_tran_bucket_refill(mpc_tran_bucket *b, uint64_t now);
/* Nanoseconds until the bucket holds at least want tokens (0: now). */
uint64_t mpc_tran_bucket_wait(const mpc_tran_bucket *b, double want);

/* ---- new connections per source (WireGuard's ratelimiter model) --------- */

/* Defaults and ranges of NNG_OPT_MPC_CONN_RATE / _CONN_BURST and the size
 * of the table: it grows with the sources seen (64, 128, ...) up to a
 * fixed maximum; when every entry is live a new source is refused (full
 * table = deny, as WireGuard's ratelimiter). */
#define MPC_TRAN_CONN_RATE_DEFAULT  20 /* new connections / s / source */
#define MPC_TRAN_CONN_RATE_MAX      1000000
#define MPC_TRAN_CONN_BURST_DEFAULT 40
#define MPC_TRAN_CONN_BURST_MIN     1
#define MPC_TRAN_CONN_BURST_MAX     1000000
#define MPC_TRAN_THROTTLE_SLOTS     4096

typedef struct mpc_tran_throttle_slot {
	uint8_t         addr[8];
	uint16_t        family; /* 0: free */
	mpc_tran_bucket b;
} mpc_tran_throttle_slot;

typedef struct mpc_tran_throttle {
	uint32_t                rate;  /* 0: no limit */
	uint32_t                burst;
	uint32_t                live;  /* slots in use */
	uint32_t                cap;   /* slots allocated: grows by doubling
	                                  up to MPC_TRAN_THROTTLE_SLOTS */
	mpc_tran_throttle_slot *slots;
} mpc_tran_throttle;

void mpc_tran_throttle_init(mpc_tran_throttle *t);
void mpc_tran_throttle_fini(mpc_tran_throttle *t);

/*
 * Takes one new connection of the source (family NNG_AF_INET or
 * NNG_AF_INET6, addr its 4 bytes or its /64) at now: 0, NNG_MPC_ECONNRATE
 * (the source's bucket is empty), NNG_MPC_ETHROTTLEFULL (the source is
 * new and every slot is live) or NNG_ENOMEM (first use).  An entry ages
 * out once its bucket would be full again: it then says nothing a fresh
 * entry would not.
 */
__attribute__((warn_unused_result)) int mpc_tran_throttle_take(
    mpc_tran_throttle *t, uint16_t family, const uint8_t *addr,
    uint64_t now);

/* ---- a pipe's receive limiter ------------------------------------------- */

typedef enum mpc_tran_rate_policy {
	MPC_TRAN_RATE_BACKPRESSURE = 0, /* stop reading until tokens return */
	MPC_TRAN_RATE_CLOSE        = 1, /* and close when over for too long */
} mpc_tran_rate_policy;

#define MPC_TRAN_RATE_BURST_DEFAULT       1000 /* ms of the rate */
#define MPC_TRAN_RATE_BURST_MIN           1
#define MPC_TRAN_RATE_BURST_MAX           60000
#define MPC_TRAN_RATE_CLOSE_AFTER_DEFAULT 5000 /* ms over the limit */
#define MPC_TRAN_RATE_CLOSE_AFTER_MIN     1
#define MPC_TRAN_RATE_CLOSE_AFTER_MAX     3600000
/* Adaptive mode: the allowance halves on each misbehaviour, down to
 * 1/64 of the configured rate, and recovers by 1/16 of it per second of
 * good behaviour (AIMD, as TCP's congestion window, RFC 5681 3.1). */
#define MPC_TRAN_RATE_ALLOW_MIN       (1.0 / 64.0)
/* ... and when the socket's receive queue stayed full this long (the
 * application cannot keep up with what its peers send). */
#define MPC_TRAN_RATE_STALL_MS        1000
#define MPC_TRAN_RATE_ALLOW_STEP      (1.0 / 16.0)

/* What a pipe's limits are (copied from its endpoint when made). */
typedef struct mpc_tran_rate_cfg {
	uint64_t             msgs;      /* per second; 0: unlimited */
	uint64_t             bytes;     /* payload bytes per second; 0: same */
	uint32_t             burst_ms;  /* what the buckets hold */
	mpc_tran_rate_policy policy;
	uint32_t             close_after_ms;
	bool                 adaptive;
} mpc_tran_rate_cfg;

typedef struct mpc_tran_rate {
	mpc_tran_rate_cfg cfg;
	bool              on;    /* a limit is set */
	mpc_tran_bucket   msgs;  /* rate 0 when unlimited */
	mpc_tran_bucket   bytes;
	double            allow; /* adaptive allowance, 1: the full rate */
	uint64_t          allow_at;   /* ns of the last recovery step */
	uint64_t          over_since; /* ns: over the limit since, or 0 */
	uint64_t          check_at;   /* ns of the last check */
	uint64_t          throttle_at;/* ns: throttled since, or 0 */
	uint64_t          throttled_ns; /* total time throttled */
} mpc_tran_rate;

void mpc_tran_rate_init(
    mpc_tran_rate *r, const mpc_tran_rate_cfg *cfg, uint64_t now);

/*
 * Before taking the next frame: 0 when it may be delivered now; else the
 * nanoseconds to wait (the pipe stops reading meanwhile), with *close set
 * when the close policy's time over the limit has run out.  backlog: a
 * frame of the peer is already waiting (the peer sends faster than its
 * rate while that holds).  Cheap while the buckets hold tokens: the clock
 * is read by the caller only when mpc_tran_rate_ready() says the buckets
 * ran dry.
 */
static inline bool
mpc_tran_rate_ready(const mpc_tran_rate *r)
{
	return (!r->on || ((r->msgs.tokens >= 1.0) && (r->bytes.tokens >= 0)));
}
uint64_t mpc_tran_rate_check(
    mpc_tran_rate *r, uint64_t now, bool backlog, bool *close);
/* A frame of len payload bytes was delivered. */
static inline void
mpc_tran_rate_charge(mpc_tran_rate *r, size_t len)
{
	r->msgs.tokens -= 1.0;
	r->bytes.tokens -= (double) len;
}
/* How long a throttled pipe sleeps for a wait of wait_ns: whole ms,
 * rounded up, at least MPC_TRAN_RATE_WAIT_MIN_MS or the burst when that
 * is shorter. */
#define MPC_TRAN_RATE_WAIT_MIN_MS 20
int32_t mpc_tran_rate_wait_ms(const mpc_tran_rate *r, uint64_t wait_ns);

/* The peer misbehaved (a frame refused): adaptive mode halves the
 * allowance. */
void mpc_tran_rate_punish(mpc_tran_rate *r, uint64_t now);
/* The allowance in messages per second now (0: unlimited). */
uint64_t mpc_tran_rate_allowance(const mpc_tran_rate *r);
/* Time throttled so far, ns (including a throttle in progress). */
uint64_t mpc_tran_rate_throttled(const mpc_tran_rate *r, uint64_t now);

/* ---- an endpoint's settings -------------------------------------------- */

#define MPC_TRAN_HEARTBEAT_DEFAULT   5000 /* ms */
#define MPC_TRAN_HEARTBEAT_MIN       100
#define MPC_TRAN_HEARTBEAT_MAX       3600000
#define MPC_TRAN_DEAD_AFTER_DEFAULT  3 /* heartbeat intervals */
#define MPC_TRAN_DEAD_AFTER_MIN      1
#define MPC_TRAN_DEAD_AFTER_MAX      1000
#define MPC_TRAN_EXPIRY_MIN          100 /* ms: idle timeout, lifetime */
#define MPC_TRAN_EXPIRY_MAX          2147483647

/* Which settings an option made (the environment fills only the rest). */
enum mpc_tran_lim_bits {
	MPC_TRAN_LIM_ALLOW      = 1u << 0,
	MPC_TRAN_LIM_DENY       = 1u << 1,
	MPC_TRAN_LIM_CONN_RATE  = 1u << 2,
	MPC_TRAN_LIM_CONN_BURST = 1u << 3,
	MPC_TRAN_LIM_MSGS       = 1u << 4,
	MPC_TRAN_LIM_BYTES      = 1u << 5,
	MPC_TRAN_LIM_BURST      = 1u << 6,
	MPC_TRAN_LIM_POLICY     = 1u << 7,
	MPC_TRAN_LIM_HEARTBEAT  = 1u << 8,
	MPC_TRAN_LIM_DEAD_AFTER = 1u << 9,
};

typedef struct mpc_tran_limits {
	uint32_t          set; /* mpc_tran_lim_bits */
	mpc_tran_partyset allow; /* empty: every party */
	mpc_tran_partyset deny;
	nng_mpc_filter    filter;
	mpc_tran_rate_cfg rate;
	uint64_t          send_msgs;  /* send shaping; 0: off */
	uint64_t          send_bytes;
	uint32_t          heartbeat_ms; /* 0: off */
	uint32_t          dead_after;
	uint32_t          idle_ms;     /* 0: none */
	uint32_t          lifetime_ms; /* 0: none */
} mpc_tran_limits;

void mpc_tran_limits_init(mpc_tran_limits *l);

/* The allow and deny lists: 0 or NNG_MPC_EPARTYDENIED. */
__attribute__((warn_unused_result)) int mpc_tran_limits_party(
    const mpc_tran_limits *l, uint32_t party);

/* "backpressure" / "close": 0 or NNG_EINVAL. */
__attribute__((warn_unused_result)) int mpc_tran_rate_policy_parse(
    const char *s, mpc_tran_rate_policy *out);
const char *mpc_tran_rate_policy_name(mpc_tran_rate_policy p);

#endif /* NNG_MPC_TRANSPORT_MPC_TRAN_LIMIT_H */
