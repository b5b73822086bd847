/*
 * mpc_metrics_stats.c -- one snapshot of NNG's statistics tree as
 * Prometheus families (mpc_metrics_map.h says which statistic becomes
 * what).
 *
 * The tree is walked here, not searched with nng_stat_find_socket() and
 * friends: NNG 1.5.2's scope search compares the ID of every node, not
 * only of scopes, and can return the wrong object.  The root's children
 * are the objects (scopes "socket", "dialer", "listener", "pipe"); their
 * children the statistics.  Deeper scopes do not occur in NNG 1.5.2 and
 * are skipped.
 *
 * The format wants every sample of a family in one group, while the tree
 * lists objects: samples are collected (names and labels in one arena,
 * each family name once), grouped by family (families in name order,
 * samples in tree order), then written with one HELP/TYPE header per
 * family.  A pipe has no URL of its own: it gets its endpoint's scheme.
 *
 * Threading: works on the caller's snapshot and buffers only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpc_metrics.h"
#include "mpc_metrics_map.h"

#define MPC_MS_NOSTR SIZE_MAX /* no string in the arena */

struct mpc_ms_sample {
	uint32_t           fam;        /* index in mpc_ms.fams */
	size_t             family_off; /* in the arena */
	size_t             labels_off; /* in the arena: a="b",c="d" or "" */
	const char        *family;     /* resolved once the arena is final */
	const char        *labels;
	const char        *help;
	enum mpc_prom_type type;
	uint64_t           value;
	uint64_t           scale; /* value / scale is the sample */
};

/* An endpoint's scheme, for its pipes. */
struct mpc_ms_ep {
	enum mpc_metrics_scope scope;
	uint64_t               id;
	size_t                 scheme_off;
};

/* A statistic of the current object, classified once. */
struct mpc_ms_kid {
	nng_stat *st;
	int       row;   /* index in mpc_metrics_labels[], or -1 */
	bool      label; /* an ID or a label row: names the object */
};

/* A family name, stored once in the arena. */
struct mpc_ms_fam {
	size_t   name_off;
	uint32_t hash;
	uint32_t rank; /* position in name order */
};

struct mpc_ms {
	mpc_prom_buf          arena;
	struct mpc_ms_fam    *fams;
	size_t                nfams;
	size_t                famcap;
	uint32_t             *fht; /* open addressing: fams index + 1 */
	size_t                fhtcap;
	struct mpc_ms_kid    *kids; /* the current object's statistics */
	size_t                nkids;
	size_t                kidcap;
	struct mpc_ms_sample *samples;
	size_t                nsamples;
	size_t                cap;
	struct mpc_ms_ep     *eps;
	size_t                neps;
	bool                  oom;
};

/* Ends the current arena string; returns the offset it started at. */
static size_t
mpc_ms_end(struct mpc_ms *ms, size_t start)
{
	mpc_prom_put(&ms->arena, "", 1);
	return (start);
}

static void
mpc_ms_add(struct mpc_ms *ms, const struct mpc_ms_sample *s)
{
	if (ms->nsamples == ms->cap) {
		size_t                cap = ms->cap == 0 ? 64 : ms->cap * 2;
		struct mpc_ms_sample *p;

		if ((p = realloc(ms->samples, cap * sizeof(*p))) == NULL) {
			ms->oom = true;
			return;
		}
		ms->samples = p;
		ms->cap     = cap;
	}
	ms->samples[ms->nsamples++] = *s;
}

static uint32_t
mpc_ms_hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (; *s != '\0'; s++) {
		h = (h ^ (uint8_t) *s) * 16777619u;
	}
	return (h);
}

static bool
mpc_ms_fht_grow(struct mpc_ms *ms)
{
	size_t    cap = ms->fhtcap == 0 ? 128 : ms->fhtcap * 2;
	uint32_t *t   = calloc(cap, sizeof(*t));

	if (t == NULL) {
		return (false);
	}
	for (size_t i = 0; i < ms->nfams; i++) {
		size_t j = ms->fams[i].hash & (cap - 1);

		while (t[j] != 0) {
			j = (j + 1) & (cap - 1);
		}
		t[j] = (uint32_t) i + 1;
	}
	free(ms->fht);
	ms->fht    = t;
	ms->fhtcap = cap;
	return (true);
}

/*
 * The family index of the name just written at the end of the arena (at
 * off).  A name seen before is dropped from the arena and *off moved to
 * the stored one, so a scrape stores each family name once and groups
 * samples by an integer instead of comparing names.
 */
static uint32_t
mpc_ms_intern(struct mpc_ms *ms, size_t *off)
{
	const char *name;
	uint32_t    h;
	size_t      j;

	if (ms->arena.data == NULL || ms->oom ||
	    ((ms->nfams + 1) * 2 > ms->fhtcap && !mpc_ms_fht_grow(ms))) {
		ms->oom = true;
		return (0);
	}
	name = ms->arena.data + *off;
	h    = mpc_ms_hash(name);
	for (j = h & (ms->fhtcap - 1); ms->fht[j] != 0;
	     j = (j + 1) & (ms->fhtcap - 1)) {
		const struct mpc_ms_fam *f = &ms->fams[ms->fht[j] - 1];

		if (f->hash == h &&
		    strcmp(ms->arena.data + f->name_off, name) == 0) {
			/* Drop the copy just written. */
			ms->arena.len        = *off;
			ms->arena.data[*off] = '\0';
			*off                 = f->name_off;
			return (ms->fht[j] - 1);
		}
	}
	if (ms->nfams == ms->famcap) {
		size_t             cap = ms->famcap == 0 ? 32 : ms->famcap * 2;
		struct mpc_ms_fam *p   = realloc(ms->fams, cap * sizeof(*p));

		if (p == NULL) {
			ms->oom = true;
			return (0);
		}
		ms->fams   = p;
		ms->famcap = cap;
	}
	ms->fams[ms->nfams] = (struct mpc_ms_fam) { .name_off = *off, .hash = h };
	ms->fht[j]          = (uint32_t) ms->nfams + 1;
	return ((uint32_t) ms->nfams++);
}

static bool
mpc_ms_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return (n >= m && strcmp(s + n - m, suffix) == 0);
}

/* A label stat's value as text: strings as they are, numbers in decimal. */
static const char *
mpc_ms_label_text(nng_stat *st, char *num, size_t numsz)
{
	switch (nng_stat_type(st)) {
	case NNG_STAT_STRING:
		return (nng_stat_string(st) != NULL ? nng_stat_string(st) : "");
	case NNG_STAT_ID:
		/* Stored as an int in the value union (src/core/stats.c). */
		(void) snprintf(num, numsz, "%u", (unsigned) nng_stat_value(st));
		return (num);
	case NNG_STAT_BOOLEAN:
		return (nng_stat_bool(st) ? "true" : "false");
	default:
		(void) snprintf(num, numsz, "%llu",
		    (unsigned long long) nng_stat_value(st));
		return (num);
	}
}

/* Appends scheme of url ("mpc+tcp" of "mpc+tcp://h:1") to the arena as its
 * own string; MPC_MS_NOSTR when url has none. */
static size_t
mpc_ms_scheme(struct mpc_ms *ms, const char *url)
{
	const char *sep = strstr(url, "://");
	size_t      off = ms->arena.len;

	if (sep == NULL || sep == url) {
		return (MPC_MS_NOSTR);
	}
	mpc_prom_put(&ms->arena, url, (size_t) (sep - url));
	return (mpc_ms_end(ms, off));
}

/*
 * Writes the scheme label of url ("mpc+tcp" of "mpc+tcp://h:1"), or of a
 * bare scheme (what mpc_ms_scheme() stored).  Copied through a
 * bounded local first: url may point into the arena, which the write can
 * move.  Schemes longer than MPC_MS_SCHEME_MAX are left out.
 */
#define MPC_MS_SCHEME_MAX 32
static bool
mpc_ms_put_scheme(struct mpc_ms *ms, bool *first, const char *url)
{
	const char *sep = strstr(url, "://");
	size_t      n   = sep != NULL ? (size_t) (sep - url) : strlen(url);
	char        buf[MPC_MS_SCHEME_MAX + 1];

	if (n == 0 || n > MPC_MS_SCHEME_MAX) {
		return (false);
	}
	memcpy(buf, url, n);
	buf[n] = '\0';
	mpc_prom_put_label(&ms->arena, first, MPC_METRICS_SCHEME_LABEL, buf);
	return (true);
}

static int
mpc_ms_ep_cmp(const void *a, const void *b)
{
	const struct mpc_ms_ep *x = a, *y = b;

	if (x->scope != y->scope) {
		return (x->scope < y->scope ? -1 : 1);
	}
	return (x->id < y->id ? -1 : x->id > y->id ? 1 : 0);
}

/* Pass 1: every endpoint's ID and scheme, sorted for the pipes' lookups. */
static void
mpc_ms_collect_eps(struct mpc_ms *ms, nng_stat *root)
{
	size_t n = 0;

	for (nng_stat *o = nng_stat_child(root); o != NULL;
	     o = nng_stat_next(o)) {
		n++;
	}
	if (n == 0 || (ms->eps = calloc(n, sizeof(*ms->eps))) == NULL) {
		ms->oom = (n != 0);
		return;
	}
	for (nng_stat *o = nng_stat_child(root); o != NULL;
	     o = nng_stat_next(o)) {
		enum mpc_metrics_scope sc = mpc_metrics_scope_of(nng_stat_name(o));
		struct mpc_ms_ep       ep = { .scope = sc,
			      .scheme_off           = MPC_MS_NOSTR };
		bool                   have_id = false;

		if ((sc & MPC_METRICS_ENDPOINT) == 0) {
			continue;
		}
		for (nng_stat *c = nng_stat_child(o); c != NULL;
		     c = nng_stat_next(c)) {
			if (strcmp(nng_stat_name(c), "id") == 0) {
				ep.id   = (unsigned) nng_stat_value(c);
				have_id = true;
			} else if (strcmp(nng_stat_name(c), "url") == 0 &&
			    nng_stat_type(c) == NNG_STAT_STRING &&
			    nng_stat_string(c) != NULL) {
				ep.scheme_off =
				    mpc_ms_scheme(ms, nng_stat_string(c));
			}
		}
		if (have_id && ep.scheme_off != MPC_MS_NOSTR) {
			ms->eps[ms->neps++] = ep;
		}
	}
	qsort(ms->eps, ms->neps, sizeof(*ms->eps), mpc_ms_ep_cmp);
}

static size_t
mpc_ms_ep_scheme(
    const struct mpc_ms *ms, enum mpc_metrics_scope sc, uint64_t id)
{
	struct mpc_ms_ep  key = { .scope = sc, .id = id };
	struct mpc_ms_ep *ep;

	ep = ms->eps == NULL ? NULL
	                     : bsearch(&key, ms->eps, ms->neps, sizeof(key),
	                           mpc_ms_ep_cmp);
	return (ep != NULL ? ep->scheme_off : MPC_MS_NOSTR);
}

/* Lists and classifies the statistics of object o into ms->kids. */
static void
mpc_ms_load_kids(struct mpc_ms *ms, nng_stat *o)
{
	ms->nkids = 0;
	for (nng_stat *c = nng_stat_child(o); c != NULL; c = nng_stat_next(c)) {
		const struct mpc_metrics_label *row;
		struct mpc_ms_kid              *k;

		if (ms->nkids == ms->kidcap) {
			size_t             cap = ms->kidcap == 0 ? 32 : ms->kidcap * 2;
			struct mpc_ms_kid *p   = realloc(ms->kids, cap * sizeof(*p));

			if (p == NULL) {
				ms->oom = true;
				return;
			}
			ms->kids   = p;
			ms->kidcap = cap;
		}
		k        = &ms->kids[ms->nkids++];
		row      = mpc_metrics_label_find(nng_stat_name(c));
		k->st    = c;
		k->row   = row != NULL ? (int) (row - mpc_metrics_labels) : -1;
		k->label = row != NULL || nng_stat_type(c) == NNG_STAT_ID;
	}
}

/* A pipe's scheme label: its endpoint's (a pipe has no URL statistic). */
static void
mpc_ms_pipe_scheme(struct mpc_ms *ms, nng_stat *o, bool *first)
{
	for (nng_stat *c = nng_stat_child(o); c != NULL; c = nng_stat_next(c)) {
		enum mpc_metrics_scope ep_sc = mpc_metrics_scope_of(nng_stat_name(c));
		size_t                 s;

		if ((ep_sc & MPC_METRICS_ENDPOINT) == 0 ||
		    nng_stat_type(c) != NNG_STAT_ID) {
			continue;
		}
		s = mpc_ms_ep_scheme(ms, ep_sc, (unsigned) nng_stat_value(c));
		if (s != MPC_MS_NOSTR) {
			(void) mpc_ms_put_scheme(ms, first, ms->arena.data + s);
		}
		return;
	}
}

/*
 * The object's labels, NUL-terminated in the arena, in the order of
 * mpc_metrics_labels[] (the scheme where the URL is: after it, or for a
 * pipe its endpoint's), then other IDs in tree order.
 */
static size_t
mpc_ms_object_labels(struct mpc_ms *ms, nng_stat *o, enum mpc_metrics_scope sc)
{
	size_t off   = ms->arena.len;
	bool   first = true;
	char   num[24];

	for (size_t i = 0; i < mpc_metrics_nlabels; i++) {
		const struct mpc_metrics_label *row   = &mpc_metrics_labels[i];
		bool                            found = false;

		for (size_t j = 0; j < ms->nkids && !found; j++) {
			const char *text;

			if (ms->kids[j].row != (int) i) {
				continue;
			}
			found = true;
			text  = mpc_ms_label_text(ms->kids[j].st, num, sizeof(num));
			mpc_prom_put_label(&ms->arena, &first,
			    row->label != NULL ? row->label : nng_stat_name(o),
			    text);
			if (strcmp(row->stat, "url") == 0 &&
			    strstr(text, "://") != NULL) {
				(void) mpc_ms_put_scheme(ms, &first, text);
			}
		}
		if (!found && sc == MPC_METRICS_PIPE &&
		    strcmp(row->stat, "url") == 0) {
			mpc_ms_pipe_scheme(ms, o, &first);
		}
	}
	for (size_t j = 0; j < ms->nkids; j++) {
		if (ms->kids[j].label && ms->kids[j].row < 0) {
			mpc_prom_put_label(&ms->arena, &first,
			    nng_stat_name(ms->kids[j].st),
			    mpc_ms_label_text(ms->kids[j].st, num, sizeof(num)));
		}
	}
	return (mpc_ms_end(ms, off));
}

/* labels_off's labels plus name="value" (name NULL: the labels alone). */
static size_t
mpc_ms_labels_plus(struct mpc_ms *ms, size_t labels_off, const char *name,
    const char *value)
{
	size_t off   = ms->arena.len;
	bool   first = true;
	size_t n;

	if (name == NULL || ms->arena.data == NULL) {
		return (labels_off);
	}
	n = strlen(ms->arena.data + labels_off);
	mpc_prom_put_again(&ms->arena, labels_off, n);
	first = (n == 0);
	mpc_prom_put_label(&ms->arena, &first, name, value);
	return (mpc_ms_end(ms, off));
}

/* "nngmpc_<scope>_<stat>[<unit>][_total]" into the arena. */
static size_t
mpc_ms_default_family(struct mpc_ms *ms, nng_stat *o, nng_stat *c,
    enum mpc_prom_type type, uint64_t *scale)
{
	const char *name = nng_stat_name(c);
	size_t      off  = ms->arena.len;

	mpc_prom_puts(&ms->arena, "nngmpc_");
	mpc_prom_put_name(&ms->arena, nng_stat_name(o));
	mpc_prom_puts(&ms->arena, "_");
	mpc_prom_put_name(&ms->arena, name);
	switch (nng_stat_unit(c)) {
	case NNG_UNIT_BYTES:
		if (!mpc_ms_ends_with(name, "bytes")) {
			mpc_prom_puts(&ms->arena, "_bytes");
		}
		break;
	case NNG_UNIT_MILLIS:
		/* Base unit: seconds (the value is divided by *scale). */
		mpc_prom_puts(&ms->arena, "_seconds");
		*scale = 1000;
		break;
	default:
		break;
	}
	if (type == MPC_PROM_COUNTER && !mpc_ms_ends_with(name, "_total")) {
		mpc_prom_puts(&ms->arena, "_total");
	}
	return (mpc_ms_end(ms, off));
}

static size_t
mpc_ms_string(struct mpc_ms *ms, const char *s)
{
	size_t off = ms->arena.len;

	mpc_prom_puts(&ms->arena, s);
	return (mpc_ms_end(ms, off));
}

/* One counter, level or boolean statistic c of object o. */
static void
mpc_ms_value(struct mpc_ms *ms, nng_stat *o, enum mpc_metrics_scope sc,
    nng_stat *c, size_t labels_off)
{
	const struct mpc_metrics_rule *rule;
	const char                    *suffix = "";
	struct mpc_ms_sample           s      = { .scale = 1 };

	switch (nng_stat_type(c)) {
	case NNG_STAT_COUNTER:
		s.type  = MPC_PROM_COUNTER;
		s.value = nng_stat_value(c);
		break;
	case NNG_STAT_LEVEL:
		s.type  = MPC_PROM_GAUGE;
		s.value = nng_stat_value(c);
		break;
	case NNG_STAT_BOOLEAN:
		s.type  = MPC_PROM_GAUGE;
		s.value = nng_stat_bool(c) ? 1 : 0;
		break;
	default:
		return;
	}
	rule   = mpc_metrics_rule_find(sc, nng_stat_name(c), &suffix);
	s.help = nng_stat_desc(c);
	if (rule != NULL && rule->type != MPC_PROM_UNTYPED) {
		s.type = rule->type;
	}
	if (rule != NULL && rule->help != NULL) {
		s.help = rule->help;
	}
	if (rule != NULL && rule->family != NULL) {
		s.family_off = mpc_ms_string(ms, rule->family);
	} else {
		s.family_off = mpc_ms_default_family(ms, o, c, s.type, &s.scale);
	}
	s.fam        = mpc_ms_intern(ms, &s.family_off);
	s.labels_off = mpc_ms_labels_plus(ms, labels_off,
	    rule != NULL ? rule->label : NULL, suffix);
	mpc_ms_add(ms, &s);
}

/* The object's strings that are not labels, as nngmpc_<scope>_info. */
static void
mpc_ms_info(struct mpc_ms *ms, nng_stat *o, size_t labels_off)
{
	struct mpc_ms_sample s     = { .type = MPC_PROM_GAUGE, .value = 1,
		    .scale = 1, .help = "Identity of the object (value 1)" };
	bool                 first = true;
	bool                 any   = false;
	size_t               n;

	for (size_t j = 0; j < ms->nkids; j++) {
		any = any ||
		    (nng_stat_type(ms->kids[j].st) == NNG_STAT_STRING &&
		        !ms->kids[j].label);
	}
	if (!any || ms->arena.data == NULL) {
		return;
	}
	s.family_off = ms->arena.len;
	mpc_prom_puts(&ms->arena, "nngmpc_");
	mpc_prom_put_name(&ms->arena, nng_stat_name(o));
	mpc_prom_puts(&ms->arena, "_info");
	(void) mpc_ms_end(ms, s.family_off);
	s.fam = mpc_ms_intern(ms, &s.family_off);

	n            = strlen(ms->arena.data + labels_off);
	s.labels_off = ms->arena.len;
	mpc_prom_put_again(&ms->arena, labels_off, n);
	first = (n == 0);
	for (size_t j = 0; j < ms->nkids; j++) {
		nng_stat *c = ms->kids[j].st;

		if (nng_stat_type(c) == NNG_STAT_STRING && !ms->kids[j].label) {
			const char *v = nng_stat_string(c);

			mpc_prom_put_label(&ms->arena, &first, nng_stat_name(c),
			    v != NULL ? v : "");
		}
	}
	(void) mpc_ms_end(ms, s.labels_off);
	mpc_ms_add(ms, &s);
}

/* A family and its name, for ordering families by name. */
struct mpc_ms_famref {
	const char        *name;
	struct mpc_ms_fam *fam;
};

static int
mpc_ms_fam_cmp(const void *a, const void *b)
{
	return (strcmp(((const struct mpc_ms_famref *) a)->name,
	    ((const struct mpc_ms_famref *) b)->name));
}

/*
 * Groups the samples by family, families in name order, samples of a
 * family in tree order (a stable counting sort on the family's rank).
 * Returns the new array, or NULL (out of memory).
 */
static struct mpc_ms_sample *
mpc_ms_group(struct mpc_ms *ms)
{
	struct mpc_ms_famref *order = calloc(ms->nfams + 1, sizeof(*order));
	size_t               *start = calloc(ms->nfams + 1, sizeof(*start));
	struct mpc_ms_sample *out   = calloc(ms->nsamples + 1, sizeof(*out));

	if (order == NULL || start == NULL || out == NULL) {
		free(order);
		free(start);
		free(out);
		return (NULL);
	}
	for (size_t i = 0; i < ms->nfams; i++) {
		order[i].name = ms->arena.data + ms->fams[i].name_off;
		order[i].fam  = &ms->fams[i];
	}
	qsort(order, ms->nfams, sizeof(*order), mpc_ms_fam_cmp);
	for (size_t i = 0; i < ms->nfams; i++) {
		order[i].fam->rank = (uint32_t) i;
	}
	for (size_t i = 0; i < ms->nsamples; i++) {
		start[ms->fams[ms->samples[i].fam].rank + 1]++;
	}
	for (size_t i = 1; i < ms->nfams; i++) {
		start[i] += start[i - 1];
	}
	for (size_t i = 0; i < ms->nsamples; i++) {
		out[start[ms->fams[ms->samples[i].fam].rank]++] = ms->samples[i];
	}
	free(order);
	free(start);
	return (out);
}

static void
mpc_ms_write(const struct mpc_ms *ms, mpc_prom_buf *b)
{
	const struct mpc_ms_sample *prev = NULL;

	for (size_t i = 0; i < ms->nsamples; i++) {
		const struct mpc_ms_sample *s = &ms->samples[i];

		if (prev == NULL || prev->fam != s->fam) {
			mpc_prom_put_family(b, s->family, s->type,
			    s->help != NULL ? s->help : s->family);
		} else if (strcmp(prev->labels, s->labels) == 0) {
			/* Two statistics of one object mapped to one series:
			 * the format allows one sample; the first stays. */
			continue;
		}
		mpc_prom_puts(b, s->family);
		if (s->labels[0] != '\0') {
			mpc_prom_puts(b, "{");
			mpc_prom_puts(b, s->labels);
			mpc_prom_puts(b, "}");
		}
		mpc_prom_puts(b, " ");
		mpc_prom_put_scaled(b, s->value, s->scale);
		mpc_prom_puts(b, "\n");
		prev = s;
	}
}

int
mpc_metrics_render_stats(nng_stat *root, mpc_prom_buf *b)
{
	struct mpc_ms         ms;
	struct mpc_ms_sample *grouped;
	int                   rv;

	memset(&ms, 0, sizeof(ms));
	mpc_prom_buf_init(&ms.arena);
	mpc_ms_collect_eps(&ms, root);
	for (nng_stat *o = nng_stat_child(root); o != NULL && !ms.oom;
	     o = nng_stat_next(o)) {
		enum mpc_metrics_scope sc = mpc_metrics_scope_of(nng_stat_name(o));
		size_t                 labels;

		if (nng_stat_type(o) != NNG_STAT_SCOPE) {
			continue;
		}
		mpc_ms_load_kids(&ms, o);
		labels = mpc_ms_object_labels(&ms, o, sc);
		for (size_t j = 0; j < ms.nkids; j++) {
			if (!ms.kids[j].label) {
				mpc_ms_value(&ms, o, sc, ms.kids[j].st, labels);
			}
		}
		mpc_ms_info(&ms, o, labels);
	}
	if (ms.oom || (rv = mpc_prom_buf_error(&ms.arena)) != 0) {
		rv = NNG_ENOMEM;
		goto out;
	}
	/* The arena is final: resolve offsets, then group by family. */
	for (size_t i = 0; i < ms.nsamples; i++) {
		ms.samples[i].family = ms.arena.data + ms.samples[i].family_off;
		ms.samples[i].labels = ms.arena.data + ms.samples[i].labels_off;
	}
	if ((grouped = mpc_ms_group(&ms)) == NULL) {
		rv = NNG_ENOMEM;
		goto out;
	}
	free(ms.samples);
	ms.samples = grouped;
	mpc_ms_write(&ms, b);
	rv = mpc_prom_buf_error(b);
out:
	free(ms.samples);
	free(ms.eps);
	free(ms.kids);
	free(ms.fams);
	free(ms.fht);
	mpc_prom_buf_fini(&ms.arena);
	return (rv);
}
