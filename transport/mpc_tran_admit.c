/*
 * mpc_tran_admit.c -- admission caps and the party registry; the rules and
 * the threading are in mpc_tran_admit.h.
 */
#include <string.h>

#include "mpc_tran_admit.h"

/* ---------------------------------------------------------------------- *
 * Negotiation caps
 * ---------------------------------------------------------------------- */

void
mpc_tran_admit_init(mpc_tran_admit *a)
{
	memset(a, 0, sizeof(*a));
	a->max_nego    = MPC_TRAN_MAX_NEGO_DEFAULT;
	a->max_per_src = MPC_TRAN_MAX_NEGO_PER_SRC_DEFAULT;
	mpc_tran_throttle_init(&a->thr);
}

void
mpc_tran_admit_fini(mpc_tran_admit *a)
{
	if (a->srcs != NULL) {
		nni_free(a->srcs, a->cap * sizeof(*a->srcs));
	}
	mpc_tran_throttle_fini(&a->thr);
	memset(a, 0, sizeof(*a));
}

void
mpc_tran_source_of(nng_stream *conn, mpc_tran_source *src)
{
	nng_sockaddr sa;

	memset(src, 0, sizeof(*src));
	if (nng_stream_get_addr(conn, NNG_OPT_REMADDR, &sa) != 0) {
		return;
	}
	switch (sa.s_family) {
	case NNG_AF_INET:
		src->family = NNG_AF_INET;
		memcpy(src->addr, &sa.s_in.sa_addr, sizeof(sa.s_in.sa_addr));
		break;
	case NNG_AF_INET6:
		src->family = NNG_AF_INET6;
		memcpy(src->addr, sa.s_in6.sa_addr, sizeof(src->addr));
		break;
	default:
		break; /* IPC: the file system's permissions decide */
	}
}

static mpc_tran_admit_src *
mpc_tran_admit_find(mpc_tran_admit *a, const mpc_tran_source *src)
{
	for (uint32_t i = 0; i < a->nsrcs; i++) {
		if ((a->srcs[i].src.family == src->family) &&
		    (memcmp(a->srcs[i].src.addr, src->addr, sizeof(src->addr)) ==
		        0)) {
			return (&a->srcs[i]);
		}
	}
	return (NULL);
}

/* Room for one more source; the table never holds more sources than
 * connections negotiating, so it never outgrows the listener's cap. */
static int
mpc_tran_admit_grow(mpc_tran_admit *a)
{
	mpc_tran_admit_src *n;
	uint32_t            cap;

	if (a->nsrcs < a->cap) {
		return (0);
	}
	cap = a->cap == 0 ? 8 : a->cap * 2;
	if ((n = nni_zalloc(cap * sizeof(*n))) == NULL) {
		return (NNG_ENOMEM);
	}
	if (a->srcs != NULL) {
		memcpy(n, a->srcs, a->nsrcs * sizeof(*n));
		nni_free(a->srcs, a->cap * sizeof(*a->srcs));
	}
	a->srcs = n;
	a->cap  = cap;
	return (0);
}

int
mpc_tran_admit_enter(mpc_tran_admit *a, const mpc_tran_source *src)
{
	mpc_tran_admit_src *s = NULL;
	int                 rv;

	if (a->nego >= a->max_nego) {
		return (NNG_MPC_ENEGOFULL);
	}
	if (src->family != 0) {
		if (((s = mpc_tran_admit_find(a, src)) != NULL) &&
		    (s->count >= a->max_per_src)) {
			return (NNG_MPC_ESOURCEFULL);
		}
		/* The caps changed nothing; the bucket takes a token. */
		if ((rv = mpc_tran_throttle_take(&a->thr, src->family,
		         src->addr, (uint64_t) nni_clock() * 1000000u)) != 0) {
			return (rv);
		}
		if (s == NULL) {
			if ((rv = mpc_tran_admit_grow(a)) != 0) {
				return (rv);
			}
			s        = &a->srcs[a->nsrcs++];
			s->src   = *src;
			s->count = 0;
		}
		s->count++;
	}
	a->nego++;
	return (0);
}

void
mpc_tran_admit_leave(mpc_tran_admit *a, const mpc_tran_source *src)
{
	mpc_tran_admit_src *s;

	if (a->nego > 0) {
		a->nego--;
	}
	if ((src->family == 0) || ((s = mpc_tran_admit_find(a, src)) == NULL)) {
		return;
	}
	if (--s->count == 0) {
		*s = a->srcs[--a->nsrcs]; /* the last one takes its place */
	}
}

/* ---------------------------------------------------------------------- *
 * The party registry
 * ---------------------------------------------------------------------- */

static nni_mtx  mpc_tran_registry_lk;
static nni_list mpc_tran_registry;

void
mpc_tran_registry_init(void)
{
	nni_mtx_init(&mpc_tran_registry_lk);
	NNI_LIST_INIT(&mpc_tran_registry, mpc_tran_party, node);
}

void
mpc_tran_registry_fini(void)
{
	nni_mtx_fini(&mpc_tran_registry_lk);
}

void
mpc_tran_party_init(
    mpc_tran_party *e, uint32_t sock_id, uint32_t party, const uint8_t *pin)
{
	memset(e, 0, sizeof(*e));
	NNI_LIST_NODE_INIT(&e->node);
	e->sock_id = sock_id;
	e->party   = party;
	if (pin != NULL) {
		e->has_pin = true;
		memcpy(e->pin, pin, sizeof(e->pin));
	}
}

/* The same identity: same party, and the same certificate key when there
 * is one (pins are public digests: no constant-time need). */
static bool
mpc_tran_party_same(const mpc_tran_party *a, const mpc_tran_party *b)
{
	if (a->has_pin != b->has_pin) {
		return (false);
	}
	return (!a->has_pin || (memcmp(a->pin, b->pin, sizeof(a->pin)) == 0));
}

static mpc_tran_party *
mpc_tran_party_find_locked(const mpc_tran_party *e)
{
	mpc_tran_party *o;

	NNI_LIST_FOREACH (&mpc_tran_registry, o) {
		if ((o != e) && (o->sock_id == e->sock_id) &&
		    (o->party == e->party)) {
			return (o);
		}
	}
	return (NULL);
}

int
mpc_tran_party_check(const mpc_tran_party *e)
{
	mpc_tran_party *o;
	int             rv = 0;

	nni_mtx_lock(&mpc_tran_registry_lk);
	if (((o = mpc_tran_party_find_locked(e)) != NULL) &&
	    !mpc_tran_party_same(o, e)) {
		rv = NNG_MPC_EDUPPARTY;
	}
	nni_mtx_unlock(&mpc_tran_registry_lk);
	return (rv);
}

int
mpc_tran_party_register(mpc_tran_party *e, uint32_t *old_pipe, bool *replaced)
{
	mpc_tran_party *o;

	*old_pipe = 0;
	*replaced = false;
	nni_mtx_lock(&mpc_tran_registry_lk);
	if ((o = mpc_tran_party_find_locked(e)) != NULL) {
		if (!mpc_tran_party_same(o, e)) {
			nni_mtx_unlock(&mpc_tran_registry_lk);
			return (NNG_MPC_EDUPPARTY);
		}
		/* The newest handshake wins.  The old pipe leaves the
		 * registry now; its owner closes it (by its NNG pipe ID,
		 * outside every lock), or, when the protocol has not
		 * started it yet, its endpoint or its first call into the
		 * pipe drops it (evicted; mpc_tran_pipe_started). */
		nni_list_remove(&mpc_tran_registry, o);
		o->registered = false;
		o->evicted    = o->pipe_id == 0;
		*old_pipe     = o->pipe_id;
		*replaced     = true;
	}
	nni_list_append(&mpc_tran_registry, e);
	e->registered = true;
	nni_mtx_unlock(&mpc_tran_registry_lk);
	return (0);
}

bool
mpc_tran_party_set_pipe(mpc_tran_party *e, uint32_t pipe_id)
{
	bool ok;

	nni_mtx_lock(&mpc_tran_registry_lk);
	if ((ok = !e->evicted)) {
		e->pipe_id = pipe_id;
	}
	nni_mtx_unlock(&mpc_tran_registry_lk);
	return (ok);
}

uint32_t
mpc_tran_party_pipe(mpc_tran_party *e)
{
	uint32_t id;

	nni_mtx_lock(&mpc_tran_registry_lk);
	id = e->pipe_id;
	nni_mtx_unlock(&mpc_tran_registry_lk);
	return (id);
}

bool
mpc_tran_party_evicted(mpc_tran_party *e)
{
	bool ev;

	nni_mtx_lock(&mpc_tran_registry_lk);
	ev = e->evicted;
	nni_mtx_unlock(&mpc_tran_registry_lk);
	return (ev);
}

void
mpc_tran_party_unregister(mpc_tran_party *e)
{
	nni_mtx_lock(&mpc_tran_registry_lk);
	if (e->registered) {
		nni_list_remove(&mpc_tran_registry, e);
		e->registered = false;
	}
	nni_mtx_unlock(&mpc_tran_registry_lk);
}

void
mpc_tran_party_close_pipe(uint32_t pipe_id)
{
	nni_pipe *np;

	/* nni_pipe_find holds the pipe, so it cannot be freed meanwhile;
	 * closing it tells the protocol at once (pair1 then takes the new
	 * pipe) and runs our close, which wakes its pending operations. */
	if ((pipe_id != 0) && (nni_pipe_find(&np, pipe_id) == 0)) {
		nni_pipe_close(np);
		nni_pipe_rele(np);
	}
}
