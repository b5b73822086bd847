/*
 * mpc_tran_reason.c -- the counters of mpc_tran_reason.h as NNG statistics,
 * and the map from an error code to the row that counts it.
 *
 * Threading: the tables are constant; counters are atomic statistics.
 */
#include "mpc_tran_reason.h"

#include "core/sockimpl.h"

#define MPC_TRAN_EP_INFO(id, errs, opt, stat, text)                   \
	[MPC_TRAN_EP_##id] = { .si_name = stat,                       \
	    .si_desc                    = text,                       \
	    .si_type                    = NNG_STAT_COUNTER,           \
	    .si_unit                    = NNG_UNIT_EVENTS,            \
	    .si_atomic                  = true },
#define MPC_TRAN_P_INFO(id, errs, rej, opt, stat, text)               \
	[MPC_TRAN_P_##id] = { .si_name = stat,                        \
	    .si_desc                   = text,                        \
	    .si_type                   = NNG_STAT_COUNTER,            \
	    .si_unit                   = MPC_TRAN_P_UNIT(MPC_TRAN_P_##id), \
	    .si_atomic                 = true },

/* Byte counters in bytes, frame counters in messages, the rest events. */
#define MPC_TRAN_P_UNIT(c)                                                   \
	(((c) == MPC_TRAN_P_BYTES_IN) || ((c) == MPC_TRAN_P_BYTES_OUT)       \
	        ? NNG_UNIT_BYTES                                             \
	        : (((c) == MPC_TRAN_P_FRAMES_IN) || ((c) == MPC_TRAN_P_FRAMES_OUT) \
	                  ? NNG_UNIT_MESSAGES                                \
	                  : NNG_UNIT_EVENTS))

static const nni_stat_info mpc_tran_ep_info[MPC_TRAN_EP_COUNT] = {
	MPC_TRAN_EP_COUNTERS(MPC_TRAN_EP_INFO)
};

static const nni_stat_info mpc_tran_pipe_info[MPC_TRAN_P_COUNT] = {
	MPC_TRAN_PIPE_COUNTERS(MPC_TRAN_P_INFO)
};

#define MPC_TRAN_EP_ERRS(id, errs, opt, stat, text) [MPC_TRAN_EP_##id] = errs,
#define MPC_TRAN_P_ERRS(id, errs, rej, opt, stat, text) \
	[MPC_TRAN_P_##id] = errs,
#define MPC_TRAN_P_REJ(id, errs, rej, opt, stat, text) [MPC_TRAN_P_##id] = rej,

static const int *const mpc_tran_ep_errs[MPC_TRAN_EP_COUNT] = {
	MPC_TRAN_EP_COUNTERS(MPC_TRAN_EP_ERRS)
};
static const int *const mpc_tran_pipe_errs[MPC_TRAN_P_COUNT] = {
	MPC_TRAN_PIPE_COUNTERS(MPC_TRAN_P_ERRS)
};
static const bool mpc_tran_pipe_rej[MPC_TRAN_P_COUNT] = {
	MPC_TRAN_PIPE_COUNTERS(MPC_TRAN_P_REJ)
};

static bool
mpc_tran_errs_has(const int *errs, int rv)
{
	for (; *errs != 0; errs++) {
		if (*errs == rv) {
			return (true);
		}
	}
	return (false);
}

mpc_tran_ep_ctr
mpc_tran_ep_ctr_of(int rv)
{
	for (int c = 0; c < MPC_TRAN_EP_COUNT; c++) {
		if ((c != MPC_TRAN_EP_HANDSHAKES) &&
		    mpc_tran_errs_has(mpc_tran_ep_errs[c], rv)) {
			return ((mpc_tran_ep_ctr) c);
		}
	}
	return (MPC_TRAN_EP_REJ_OTHER);
}

mpc_tran_pipe_ctr
mpc_tran_pipe_ctr_of(int rv)
{
	for (int c = 0; c < MPC_TRAN_P_COUNT; c++) {
		if (mpc_tran_errs_has(mpc_tran_pipe_errs[c], rv)) {
			return ((mpc_tran_pipe_ctr) c);
		}
	}
	return (MPC_TRAN_P_COUNT);
}

bool
mpc_tran_pipe_ctr_rejects(mpc_tran_pipe_ctr c)
{
	return ((c < MPC_TRAN_P_COUNT) && mpc_tran_pipe_rej[c]);
}

void
mpc_tran_ep_stats_init(mpc_tran_ep_stats *st)
{
	for (int c = 0; c < MPC_TRAN_EP_COUNT; c++) {
		nni_stat_init(&st->item[c], &mpc_tran_ep_info[c]);
	}
}

void
mpc_tran_pipe_stats_init(mpc_tran_pipe_stats *st)
{
	for (int c = 0; c < MPC_TRAN_P_COUNT; c++) {
		nni_stat_init(&st->item[c], &mpc_tran_pipe_info[c]);
	}
}

/*
 * NNG 1.5.2 registers a dialer's or listener's statistics tree
 * (src/core/dialer.c dialer_stats_init, listener.c listener_stats_init)
 * BEFORE it calls the transport's init, and nni_*_add_stat appends without
 * the statistics lock: a concurrent nng_stats_get() (a metrics scrape)
 * could walk a list while it changes.  So the endpoint's tree is taken out
 * under the lock, grown while nobody can see it, and put back.  A snapshot
 * taken meanwhile misses the endpoint, which is being created anyway.
 * Taking the tree out frees the strings NNG allocated for it (the URL):
 * they are set again.
 */
#define MPC_TRAN_GRAFT_MAX 64

static void
mpc_tran_stats_graft(nni_stat_item *root, nni_stat_item *items, int n)
{
	nni_stat_item *kids[MPC_TRAN_GRAFT_MAX];
	char *         strs[MPC_TRAN_GRAFT_MAX];
	size_t         nk = 0;
	nni_stat_item *c;

	/* Only the creating thread changes this tree until init returns:
	 * reading it here needs no lock. */
	NNI_LIST_FOREACH (&root->si_children, c) {
		if (nk == MPC_TRAN_GRAFT_MAX) {
			break;
		}
		strs[nk] = NULL;
		if (c->si_info->si_alloc &&
		    (c->si_info->si_type == NNG_STAT_STRING) &&
		    (c->si_u.sv_string != NULL)) {
			strs[nk] = nni_strdup(c->si_u.sv_string);
		}
		kids[nk++] = c;
	}
	nni_stat_unregister(root);
	for (size_t i = 0; i < nk; i++) {
		nni_stat_add(root, kids[i]);
	}
	for (int i = 0; i < n; i++) {
		nni_stat_add(root, &items[i]);
	}
	nni_stat_register(root);
	for (size_t i = 0; i < nk; i++) {
		if (strs[i] != NULL) {
			nni_stat_set_string(kids[i], strs[i]);
			nni_strfree(strs[i]);
		}
	}
}

void
mpc_tran_ep_stats_attach_dialer(mpc_tran_ep_stats *st, nni_dialer *d)
{
	mpc_tran_stats_graft(&d->st_root, st->item, MPC_TRAN_EP_COUNT);
}

void
mpc_tran_ep_stats_attach_listener(mpc_tran_ep_stats *st, nni_listener *l)
{
	mpc_tran_stats_graft(&l->st_root, st->item, MPC_TRAN_EP_COUNT);
}

void
mpc_tran_pipe_stats_attach(mpc_tran_pipe_stats *st, nni_pipe *p)
{
	for (int c = 0; c < MPC_TRAN_P_COUNT; c++) {
		nni_pipe_add_stat(p, &st->item[c]);
	}
}
