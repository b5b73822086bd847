/*
 * mpc_tran_limit_opts.c -- the options of the pipe filter: admission,
 * rate limits and liveness settings of dialers and listeners, and the
 * read-only state of a pipe's limiter and heartbeats (names, types,
 * defaults and ranges: include/nng_mpc.h, "Admission, rate limits and
 * liveness").  mpc_tran_opts.c asks these tables after its own.
 *
 * Every setter validates type and range and refuses a bad value
 * (NNG_EBADTYPE, NNG_EINVAL) without changing anything.  A setting made
 * here marks itself set, so the environment (mpc_tran_env.h) does not
 * override it.  Pipes copy the settings when they are made.
 *
 * Locking: endpoint settings under ep->mtx; a pipe's limiter under its
 * rxmtx; round-trip times are atomics.
 */
#include <string.h>

#include "mpc_tran_limit_opts.h"

#include "mpc_tran_ep.h"
#include "mpc_tran_pipe.h"

/* ---------------------------------------------------------------------- *
 * Endpoint settings
 * ---------------------------------------------------------------------- */

/* A number in [minv, maxv] from an int or a uint64 (or their sizes as
 * opaque bytes, as nng_mpc_socket_set passes them). */
static int
mpc_tran_lim_copyin_num(uint64_t *out, const void *v, size_t sz, nni_type t,
    uint64_t minv, uint64_t maxv)
{
	uint64_t u;
	int      i;
	int      rv;

	if ((t == NNI_TYPE_UINT64) ||
	    ((t == NNI_TYPE_OPAQUE) && (sz == sizeof(uint64_t)))) {
		if ((rv = nni_copyin_u64(&u, v, sz, t)) != 0) {
			return (rv);
		}
	} else {
		if ((rv = nni_copyin_int(&i, v, sz, 0, NNI_MAXINT, t)) != 0) {
			return (rv);
		}
		u = (uint64_t) i;
	}
	if ((u < minv) || (u > maxv)) {
		return (NNG_EINVAL);
	}
	*out = u;
	return (0);
}

/* A duration in ms: minv..maxv, or 0 when zero_ok. */
static int
mpc_tran_lim_copyin_ms(uint32_t *out, const void *v, size_t sz, nni_type t,
    uint32_t minv, uint32_t maxv, bool zero_ok)
{
	nng_duration d;
	int          rv;

	if ((rv = nni_copyin_ms(&d, v, sz, t)) != 0) {
		return (rv);
	}
	if ((d == 0) && zero_ok) {
		*out = 0;
		return (0);
	}
	if ((d < (nng_duration) minv) || ((uint64_t) d > maxv)) {
		return (NNG_EINVAL);
	}
	*out = (uint32_t) d;
	return (0);
}

/* Stores a validated value under the endpoint's mutex and marks it set. */
#define MPC_TRAN_LIM_STORE(ep, field, val, bit)  \
	do {                                     \
		nni_mtx_lock(&(ep)->mtx);        \
		(ep)->field = (val);             \
		(ep)->lim.set |= (bit);          \
		nni_mtx_unlock(&(ep)->mtx);      \
	} while (0)

/* One uint64-or-int option: setter and getter. */
#define MPC_TRAN_LIM_NUM_OPT(name, field, type, minv, maxv, bit)             \
	static int name##_set(void *arg, const void *v, size_t sz, nni_type t)\
	{                                                                     \
		mpc_tran_ep *ep = arg;                                        \
		uint64_t     u;                                               \
		int          rv;                                              \
		if ((rv = mpc_tran_lim_copyin_num(                            \
		         &u, v, sz, t, minv, maxv)) == 0) {                   \
			MPC_TRAN_LIM_STORE(ep, field, (type) u, bit);         \
		}                                                             \
		return (rv);                                                  \
	}                                                                     \
	static int name##_get(void *arg, void *v, size_t *szp, nni_type t)   \
	{                                                                     \
		mpc_tran_ep *ep = arg;                                        \
		uint64_t     u;                                               \
		nni_mtx_lock(&ep->mtx);                                       \
		u = (uint64_t) ep->field;                                     \
		nni_mtx_unlock(&ep->mtx);                                     \
		if (t == NNI_TYPE_INT32) {                                    \
			return (u > NNI_MAXINT                                \
			        ? NNG_EINVAL                                  \
			        : nni_copyout_int((int) u, v, szp, t));       \
		}                                                             \
		return (nni_copyout_u64(u, v, szp, t));                       \
	}

/* One duration option: setter and getter. */
#define MPC_TRAN_LIM_MS_OPT(name, field, minv, maxv, zero_ok, bit)           \
	static int name##_set(void *arg, const void *v, size_t sz, nni_type t)\
	{                                                                     \
		mpc_tran_ep *ep = arg;                                        \
		uint32_t     ms;                                              \
		int          rv;                                              \
		if ((rv = mpc_tran_lim_copyin_ms(                             \
		         &ms, v, sz, t, minv, maxv, zero_ok)) == 0) {         \
			MPC_TRAN_LIM_STORE(ep, field, ms, bit);               \
		}                                                             \
		return (rv);                                                  \
	}                                                                     \
	static int name##_get(void *arg, void *v, size_t *szp, nni_type t)   \
	{                                                                     \
		mpc_tran_ep *ep = arg;                                        \
		nng_duration d;                                               \
		nni_mtx_lock(&ep->mtx);                                       \
		d = (nng_duration) ep->field;                                 \
		nni_mtx_unlock(&ep->mtx);                                     \
		return (nni_copyout_ms(d, v, szp, t));                        \
	}

MPC_TRAN_LIM_NUM_OPT(mpc_tran_lim_conn_rate, admit.thr.rate, uint32_t, 0,
    MPC_TRAN_CONN_RATE_MAX, MPC_TRAN_LIM_CONN_RATE)
MPC_TRAN_LIM_NUM_OPT(mpc_tran_lim_conn_burst, admit.thr.burst, uint32_t,
    MPC_TRAN_CONN_BURST_MIN, MPC_TRAN_CONN_BURST_MAX,
    MPC_TRAN_LIM_CONN_BURST)
MPC_TRAN_LIM_NUM_OPT(mpc_tran_lim_msgs, lim.rate.msgs, uint64_t, 0,
    UINT64_MAX, MPC_TRAN_LIM_MSGS)
MPC_TRAN_LIM_NUM_OPT(mpc_tran_lim_bytes, lim.rate.bytes, uint64_t, 0,
    UINT64_MAX, MPC_TRAN_LIM_BYTES)
MPC_TRAN_LIM_NUM_OPT(mpc_tran_lim_send_msgs, lim.send_msgs, uint64_t, 0,
    UINT64_MAX, 0)
MPC_TRAN_LIM_NUM_OPT(mpc_tran_lim_send_bytes, lim.send_bytes, uint64_t, 0,
    UINT64_MAX, 0)
MPC_TRAN_LIM_NUM_OPT(mpc_tran_lim_dead_after, lim.dead_after, uint32_t,
    MPC_TRAN_DEAD_AFTER_MIN, MPC_TRAN_DEAD_AFTER_MAX,
    MPC_TRAN_LIM_DEAD_AFTER)
MPC_TRAN_LIM_MS_OPT(mpc_tran_lim_burst, lim.rate.burst_ms,
    MPC_TRAN_RATE_BURST_MIN, MPC_TRAN_RATE_BURST_MAX, false,
    MPC_TRAN_LIM_BURST)
MPC_TRAN_LIM_MS_OPT(mpc_tran_lim_close_after, lim.rate.close_after_ms,
    MPC_TRAN_RATE_CLOSE_AFTER_MIN, MPC_TRAN_RATE_CLOSE_AFTER_MAX, false, 0)
MPC_TRAN_LIM_MS_OPT(mpc_tran_lim_heartbeat, lim.heartbeat_ms,
    MPC_TRAN_HEARTBEAT_MIN, MPC_TRAN_HEARTBEAT_MAX, true,
    MPC_TRAN_LIM_HEARTBEAT)
MPC_TRAN_LIM_MS_OPT(mpc_tran_lim_idle, lim.idle_ms, MPC_TRAN_EXPIRY_MIN,
    MPC_TRAN_EXPIRY_MAX, true, 0)
MPC_TRAN_LIM_MS_OPT(mpc_tran_lim_lifetime, lim.lifetime_ms,
    MPC_TRAN_EXPIRY_MIN, MPC_TRAN_EXPIRY_MAX, true, 0)

/* The allow and deny lists ("1-5,9"; "" for none). */
static int
mpc_tran_lim_set_set(mpc_tran_ep *ep, mpc_tran_partyset *set, uint32_t bit,
    const void *v, size_t sz, nni_type t)
{
	mpc_tran_partyset n;
	int               rv;

	if ((rv = nni_copyin_str(NULL, v, sz, MPC_TRAN_PARTYSET_STR_MAX, t)) !=
	    0) {
		return (rv);
	}
	if ((rv = mpc_tran_partyset_parse(&n, v)) != 0) {
		return (rv);
	}
	nni_mtx_lock(&ep->mtx);
	*set = n;
	ep->lim.set |= bit;
	nni_mtx_unlock(&ep->mtx);
	return (0);
}

static int
mpc_tran_lim_get_set(mpc_tran_ep *ep, const mpc_tran_partyset *set, void *v,
    size_t *szp, nni_type t)
{
	char buf[MPC_TRAN_PARTYSET_STR_MAX];

	nni_mtx_lock(&ep->mtx);
	mpc_tran_partyset_format(set, buf, sizeof(buf));
	nni_mtx_unlock(&ep->mtx);
	return (nni_copyout_str(buf, v, szp, t));
}

/* One party-list option: setter and getter. */
#define MPC_TRAN_LIM_SET_OPT(name, field, bit)                               \
	static int name##_set(void *arg, const void *v, size_t sz, nni_type t)\
	{                                                                     \
		mpc_tran_ep *ep = arg;                                        \
		return (mpc_tran_lim_set_set(ep, &ep->field, bit, v, sz, t)); \
	}                                                                     \
	static int name##_get(void *arg, void *v, size_t *szp, nni_type t)   \
	{                                                                     \
		mpc_tran_ep *ep = arg;                                        \
		return (mpc_tran_lim_get_set(ep, &ep->field, v, szp, t));     \
	}

MPC_TRAN_LIM_SET_OPT(mpc_tran_lim_allow, lim.allow, MPC_TRAN_LIM_ALLOW)
MPC_TRAN_LIM_SET_OPT(mpc_tran_lim_deny, lim.deny, MPC_TRAN_LIM_DENY)

static int
mpc_tran_lim_policy_set(void *arg, const void *v, size_t sz, nni_type t)
{
	mpc_tran_ep *        ep = arg;
	mpc_tran_rate_policy pol;
	int                  rv;

	if ((rv = nni_copyin_str(NULL, v, sz, 32, t)) != 0) {
		return (rv);
	}
	if ((rv = mpc_tran_rate_policy_parse(v, &pol)) == 0) {
		MPC_TRAN_LIM_STORE(ep, lim.rate.policy, pol, MPC_TRAN_LIM_POLICY);
	}
	return (rv);
}

static int
mpc_tran_lim_policy_get(void *arg, void *v, size_t *szp, nni_type t)
{
	mpc_tran_ep *        ep = arg;
	mpc_tran_rate_policy pol;

	nni_mtx_lock(&ep->mtx);
	pol = ep->lim.rate.policy;
	nni_mtx_unlock(&ep->mtx);
	return (nni_copyout_str(mpc_tran_rate_policy_name(pol), v, szp, t));
}

static int
mpc_tran_lim_adaptive_set(void *arg, const void *v, size_t sz, nni_type t)
{
	mpc_tran_ep *ep = arg;
	bool         b;
	int          rv;

	if ((rv = nni_copyin_bool(&b, v, sz, t)) == 0) {
		MPC_TRAN_LIM_STORE(ep, lim.rate.adaptive, b, 0);
	}
	return (rv);
}

static int
mpc_tran_lim_adaptive_get(void *arg, void *v, size_t *szp, nni_type t)
{
	mpc_tran_ep *ep = arg;
	bool         b;

	nni_mtx_lock(&ep->mtx);
	b = ep->lim.rate.adaptive;
	nni_mtx_unlock(&ep->mtx);
	return (nni_copyout_bool(b, v, szp, t));
}

/* The filter: a pointer to an nng_mpc_filter (NULL clears); fn and arg
 * are copied, so later changes of the struct do not race a handshake. */
static int
mpc_tran_lim_filter_set(void *arg, const void *v, size_t sz, nni_type t)
{
	mpc_tran_ep *         ep = arg;
	void *                ptr;
	nng_mpc_filter        f;
	int                   rv;

	if ((rv = nni_copyin_ptr(&ptr, v, sz, t)) != 0) {
		return (rv);
	}
	memset(&f, 0, sizeof(f));
	if (ptr != NULL) {
		f = *(const nng_mpc_filter *) ptr;
	}
	nni_mtx_lock(&ep->mtx);
	ep->lim.filter = f;
	nni_mtx_unlock(&ep->mtx);
	return (0);
}

#define MPC_TRAN_LIM_OPT(opt, name) \
	{ .o_name = opt, .o_get = name##_get, .o_set = name##_set }

static const nni_option mpc_tran_limit_ep_opts[] = {
	MPC_TRAN_LIM_OPT(NNG_OPT_MPC_CONN_RATE, mpc_tran_lim_conn_rate),
	MPC_TRAN_LIM_OPT(NNG_OPT_MPC_CONN_BURST, mpc_tran_lim_conn_burst),
	MPC_TRAN_LIM_OPT(NNG_OPT_MPC_ALLOW_PARTIES, mpc_tran_lim_allow),
	MPC_TRAN_LIM_OPT(NNG_OPT_MPC_DENY_PARTIES, mpc_tran_lim_deny),
	{ .o_name = NNG_OPT_MPC_FILTER, .o_set = mpc_tran_lim_filter_set },
	MPC_TRAN_LIM_OPT(NNG_OPT_MPC_RATE_MSGS, mpc_tran_lim_msgs),
	MPC_TRAN_LIM_OPT(NNG_OPT_MPC_RATE_BYTES, mpc_tran_lim_bytes),
	MPC_TRAN_LIM_OPT(NNG_OPT_MPC_RATE_BURST, mpc_tran_lim_burst),
	MPC_TRAN_LIM_OPT(NNG_OPT_MPC_RATE_POLICY, mpc_tran_lim_policy),
	MPC_TRAN_LIM_OPT(NNG_OPT_MPC_RATE_CLOSE_AFTER, mpc_tran_lim_close_after),
	MPC_TRAN_LIM_OPT(NNG_OPT_MPC_RATE_ADAPTIVE, mpc_tran_lim_adaptive),
	MPC_TRAN_LIM_OPT(NNG_OPT_MPC_SEND_RATE_MSGS, mpc_tran_lim_send_msgs),
	MPC_TRAN_LIM_OPT(NNG_OPT_MPC_SEND_RATE_BYTES, mpc_tran_lim_send_bytes),
	MPC_TRAN_LIM_OPT(NNG_OPT_MPC_HEARTBEAT, mpc_tran_lim_heartbeat),
	MPC_TRAN_LIM_OPT(NNG_OPT_MPC_DEAD_AFTER, mpc_tran_lim_dead_after),
	MPC_TRAN_LIM_OPT(NNG_OPT_MPC_IDLE_TIMEOUT, mpc_tran_lim_idle),
	MPC_TRAN_LIM_OPT(NNG_OPT_MPC_MAX_LIFETIME, mpc_tran_lim_lifetime),
	{ .o_name = NULL },
};

int
mpc_tran_limit_ep_getopt(
    mpc_tran_ep *ep, const char *name, void *buf, size_t *szp, nni_type t)
{
	return (nni_getopt(mpc_tran_limit_ep_opts, name, ep, buf, szp, t));
}

int
mpc_tran_limit_ep_setopt(mpc_tran_ep *ep, const char *name, const void *buf,
    size_t sz, nni_type t)
{
	return (nni_setopt(mpc_tran_limit_ep_opts, name, ep, buf, sz, t));
}

/* ---------------------------------------------------------------------- *
 * Pipe state (read-only)
 * ---------------------------------------------------------------------- */

static int
mpc_tran_lim_pipe_allowance(void *arg, void *v, size_t *szp, nni_type t)
{
	mpc_tran_pipe *p = arg;
	uint64_t       u;

	nni_mtx_lock(&p->rxmtx);
	u = mpc_tran_rate_allowance(&p->rxrate);
	nni_mtx_unlock(&p->rxmtx);
	return (nni_copyout_u64(u, v, szp, t));
}

static int
mpc_tran_lim_pipe_tokens(void *arg, void *v, size_t *szp, nni_type t)
{
	mpc_tran_pipe *p = arg;
	uint64_t       u = 0;

	nni_mtx_lock(&p->rxmtx);
	if (p->rxrate.cfg.msgs != 0) {
		mpc_tran_bucket_refill(&p->rxrate.msgs, mpc_tran_now_ns());
		u = p->rxrate.msgs.tokens > 0 ? (uint64_t) p->rxrate.msgs.tokens
		                              : 0;
	}
	nni_mtx_unlock(&p->rxmtx);
	return (nni_copyout_u64(u, v, szp, t));
}

static int
mpc_tran_lim_pipe_throttled(void *arg, void *v, size_t *szp, nni_type t)
{
	mpc_tran_pipe *p = arg;
	uint64_t       ns;

	nni_mtx_lock(&p->rxmtx);
	ns = mpc_tran_rate_throttled(&p->rxrate, mpc_tran_now_ns());
	nni_mtx_unlock(&p->rxmtx);
	return (nni_copyout_u64(ns / 1000000u, v, szp, t));
}

static int
mpc_tran_lim_pipe_rtt(void *arg, void *v, size_t *szp, nni_type t)
{
	mpc_tran_pipe *p = arg;
	return (nni_copyout_u64(nni_atomic_get64(&p->rtt_us), v, szp, t));
}

static int
mpc_tran_lim_pipe_srtt(void *arg, void *v, size_t *szp, nni_type t)
{
	mpc_tran_pipe *p = arg;
	return (nni_copyout_u64(nni_atomic_get64(&p->srtt_us), v, szp, t));
}

static const nni_option mpc_tran_limit_pipe_opts[] = {
	{ .o_name = NNG_OPT_MPC_RATE_ALLOWANCE,
	    .o_get = mpc_tran_lim_pipe_allowance },
	{ .o_name = NNG_OPT_MPC_RATE_TOKENS, .o_get = mpc_tran_lim_pipe_tokens },
	{ .o_name = NNG_OPT_MPC_RATE_THROTTLED,
	    .o_get = mpc_tran_lim_pipe_throttled },
	{ .o_name = NNG_OPT_MPC_RTT, .o_get = mpc_tran_lim_pipe_rtt },
	{ .o_name = NNG_OPT_MPC_SRTT, .o_get = mpc_tran_lim_pipe_srtt },
	{ .o_name = NULL },
};

int
mpc_tran_limit_pipe_getopt(
    mpc_tran_pipe *p, const char *name, void *buf, size_t *szp, nni_type t)
{
	return (nni_getopt(mpc_tran_limit_pipe_opts, name, p, buf, szp, t));
}
