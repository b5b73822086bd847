/*
 * mpc_hist.h -- fixed-bucket histograms cheap enough for the data path,
 * and the process-wide registry the metrics endpoint renders them from.
 *
 * A family (mpc_hist_family) is a constant: name, help, the one label that
 * tells its histograms apart, the unit scale and the bucket bounds.  A
 * histogram is one label value of a family, made once with mpc_hist_get()
 * (e.g. when an endpoint starts) and then observed with mpc_hist_observe()
 * for the life of the process: histograms are never freed, so a pointer
 * stays valid and observing needs no reference counting.
 *
 * Values are unsigned integers in the family's observed unit (nanoseconds
 * for the *_seconds families: scale 10^9 observed units per base unit), so
 * observing is integer compares and adds, and the sum is exact.
 *
 * Threading:
 *   mpc_hist_observe  lock-free and wait-free: one relaxed atomic add on the
 *                     bucket, one on the sum; callable from any thread.
 *   mpc_hist_get      takes the registry mutex (registration only).
 *   mpc_hist_count, mpc_hist_at, mpc_hist_read  lock-free readers: a slot is
 *                     published by a release store of the slot count after
 *                     it is complete, and read after an acquire load.
 * A reader racing observers may see an observation in its bucket and not
 * yet in the sum (or the reverse); the count is the sum of the buckets as
 * read, so _count always equals the +Inf bucket.
 */
#ifndef MPC_HIST_H
#define MPC_HIST_H

#include <stddef.h>
#include <stdint.h>

#define MPC_HIST_BOUNDS_MAX 16 /* finite bucket bounds per family */
#define MPC_HIST_MAX        64 /* histograms per process */
#define MPC_HIST_LABEL_MAX  64 /* label value size, NUL included */

typedef struct mpc_hist_family {
	const char *name;  /* family name in base units: "..._seconds" */
	const char *help;  /* HELP text */
	const char *label; /* the label that tells histograms apart */
	uint64_t    scale; /* observed units per base unit: a power of ten */
	size_t      nbounds;
	/* Upper bounds (le) in observed units, strictly ascending; +Inf is
	 * implicit. */
	uint64_t bounds[MPC_HIST_BOUNDS_MAX];
} mpc_hist_family;

/* The families of nng-mpc (observed in nanoseconds). */
extern const mpc_hist_family mpc_hist_handshake_seconds;  /* label scheme */
extern const mpc_hist_family mpc_hist_heartbeat_rtt_seconds; /* scheme */
extern const mpc_hist_family mpc_hist_delivery_delay_seconds; /* scheme */
extern const mpc_hist_family mpc_hist_scrape_seconds;     /* label endpoint */

typedef struct mpc_hist mpc_hist;

/*
 * The histogram of family fam with label value `value` (1 to
 * MPC_HIST_LABEL_MAX - 1 bytes), made on first use; the same pointer for
 * the same (family, value) afterwards.  Returns 0, NNG_EINVAL (a bad
 * family or value) or NNG_ENOSPC (MPC_HIST_MAX histograms exist).
 */
int mpc_hist_get(const mpc_hist_family *fam, const char *value,
    mpc_hist **out) __attribute__((warn_unused_result));

/* Counts one observation of v (observed units). */
void mpc_hist_observe(mpc_hist *h, uint64_t v);

/* Histograms registered so far, and the i-th (0 <= i < count). */
size_t    mpc_hist_count(void);
mpc_hist *mpc_hist_at(size_t i);

/* The family of a histogram. */
const mpc_hist_family *mpc_hist_family_of(const mpc_hist *h);

/* A consistent-enough copy of one histogram (see the threading note). */
typedef struct mpc_hist_snap {
	const mpc_hist_family *fam;
	const char            *value; /* the label value */
	uint64_t buckets[MPC_HIST_BOUNDS_MAX + 1]; /* per bucket, last +Inf */
	uint64_t count;                            /* sum of buckets[] */
	uint64_t sum;                              /* observed units */
} mpc_hist_snap;

void mpc_hist_read(const mpc_hist *h, mpc_hist_snap *out);

#endif /* MPC_HIST_H */
