/*
 * mpc_hist.c -- fixed-bucket histograms and their registry (mpc_hist.h
 * states the threading rule).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include <nng/nng.h>

#include "mpc_hist.h"

struct mpc_hist {
	const mpc_hist_family *fam;
	char                   value[MPC_HIST_LABEL_MAX];
	_Atomic uint64_t       buckets[MPC_HIST_BOUNDS_MAX + 1];
	_Atomic uint64_t       sum;
};

/* ns → s.  Bounds follow what each measures on a LAN/loopback deployment:
 * a handshake is a TLS handshake plus two records each way (hundreds of µs
 * to seconds over a WAN); a heartbeat RTT and a delivery delay are tens of
 * µs on loopback, milliseconds across a network. */
#define MPC_NS_PER_S UINT64_C(1000000000)
#define US(x)        (UINT64_C(x) * 1000)
#define MS(x)        (UINT64_C(x) * 1000000)

/* One message's trip: 25 µs (loopback) to 1 s. */
#define MPC_HIST_LATENCY_BOUNDS                                           \
	{                                                                 \
		US(25), US(50), US(100), US(250), US(500), MS(1), MS(2),    \
		    MS(5), MS(10), MS(50), MS(250), MS(1000)                \
	}

const mpc_hist_family mpc_hist_handshake_seconds = {
	.name    = "nngmpc_handshake_duration_seconds",
	.help    = "Connection setup time (TLS, SP header, hello, finished) "
	           "of completed handshakes",
	.label   = "scheme",
	.scale   = MPC_NS_PER_S,
	.nbounds = 12,
	.bounds  = { US(250), US(500), MS(1), MS(2), MS(5), MS(10), MS(25),
	     MS(50), MS(100), MS(250), MS(1000), MS(5000) },
};

const mpc_hist_family mpc_hist_heartbeat_rtt_seconds = {
	.name    = "nngmpc_heartbeat_rtt_seconds",
	.help    = "Round-trip time of transport heartbeats",
	.label   = "scheme",
	.scale   = MPC_NS_PER_S,
	.nbounds = 12,
	.bounds  = MPC_HIST_LATENCY_BOUNDS,
};

const mpc_hist_family mpc_hist_delivery_delay_seconds = {
	.name    = "nngmpc_message_delivery_delay_seconds",
	.help    = "Time from a frame's sender timestamp to its delivery "
	           "(includes clock offset between hosts)",
	.label   = "scheme",
	.scale   = MPC_NS_PER_S,
	.nbounds = 12,
	.bounds  = MPC_HIST_LATENCY_BOUNDS,
};

const mpc_hist_family mpc_hist_scrape_seconds = {
	.name    = "nngmpc_metrics_scrape_duration_seconds",
	.help    = "Time to render one /metrics page",
	.label   = "endpoint",
	.scale   = MPC_NS_PER_S,
	.nbounds = 8,
	.bounds  = { US(50), US(100), US(250), US(500), MS(1), MS(5), MS(25),
	     MS(100) },
};

static struct mpc_hist  mpc_hist_slots[MPC_HIST_MAX];
static _Atomic size_t   mpc_hist_nslots;
static pthread_mutex_t  mpc_hist_lock = PTHREAD_MUTEX_INITIALIZER;

static bool
mpc_hist_family_ok(const mpc_hist_family *fam)
{
	if (fam == NULL || fam->name == NULL || fam->label == NULL ||
	    fam->scale == 0 || fam->nbounds > MPC_HIST_BOUNDS_MAX) {
		return (false);
	}
	for (size_t i = 1; i < fam->nbounds; i++) {
		if (fam->bounds[i] <= fam->bounds[i - 1]) {
			return (false);
		}
	}
	return (true);
}

int
mpc_hist_get(const mpc_hist_family *fam, const char *value, mpc_hist **out)
{
	size_t n, len;
	int    rv = 0;

	if (!mpc_hist_family_ok(fam) || value == NULL || out == NULL ||
	    (len = strlen(value)) == 0 || len >= MPC_HIST_LABEL_MAX) {
		return (NNG_EINVAL);
	}
	(void) pthread_mutex_lock(&mpc_hist_lock);
	n = atomic_load_explicit(&mpc_hist_nslots, memory_order_relaxed);
	for (size_t i = 0; i < n; i++) {
		if (mpc_hist_slots[i].fam == fam &&
		    strcmp(mpc_hist_slots[i].value, value) == 0) {
			*out = &mpc_hist_slots[i];
			goto out;
		}
	}
	if (n == MPC_HIST_MAX) {
		rv = NNG_ENOSPC;
		goto out;
	}
	/* The slot is zero (static storage) and unpublished: fill it, then
	 * publish it with the release store readers pair with. */
	mpc_hist_slots[n].fam = fam;
	memcpy(mpc_hist_slots[n].value, value, len + 1);
	atomic_store_explicit(&mpc_hist_nslots, n + 1, memory_order_release);
	*out = &mpc_hist_slots[n];
out:
	(void) pthread_mutex_unlock(&mpc_hist_lock);
	return (rv);
}

void
mpc_hist_observe(mpc_hist *h, uint64_t v)
{
	const mpc_hist_family *fam = h->fam;
	size_t                 i   = 0;

	/* At most 16 compares of constants: cheaper than a binary search's
	 * unpredictable branches at this size. */
	while (i < fam->nbounds && v > fam->bounds[i]) {
		i++;
	}
	atomic_fetch_add_explicit(&h->buckets[i], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->sum, v, memory_order_relaxed);
}

size_t
mpc_hist_count(void)
{
	return (atomic_load_explicit(&mpc_hist_nslots, memory_order_acquire));
}

mpc_hist *
mpc_hist_at(size_t i)
{
	return (i < mpc_hist_count() ? &mpc_hist_slots[i] : NULL);
}

const mpc_hist_family *
mpc_hist_family_of(const mpc_hist *h)
{
	return (h->fam);
}

void
mpc_hist_read(const mpc_hist *h, mpc_hist_snap *out)
{
	memset(out, 0, sizeof(*out));
	out->fam   = h->fam;
	out->value = h->value;
	for (size_t i = 0; i <= h->fam->nbounds; i++) {
		out->buckets[i] = atomic_load_explicit(
		    &h->buckets[i], memory_order_relaxed);
		out->count += out->buckets[i];
	}
	out->sum = atomic_load_explicit(&h->sum, memory_order_relaxed);
}
