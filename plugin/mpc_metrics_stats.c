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
 * lists objects: samples are collected (names and labels in one arena),
 * sorted by family and labels, then written with one HELP/TYPE header per
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

struct mpc_ms {
	mpc_prom_buf          arena;
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
 * Writes the scheme label of url (or of a bare scheme).  Copied through a
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

static bool
mpc_ms_is_label(nng_stat *st)
{
	return (nng_stat_type(st) == NNG_STAT_ID ||
	    mpc_metrics_label_find(nng_stat_name(st)) != NULL);
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

		for (nng_stat *c = nng_stat_child(o); c != NULL && !found;
		     c = nng_stat_next(c)) {
			const char *text;

			if (strcmp(nng_stat_name(c), row->stat) != 0) {
				continue;
			}
			found = true;
			text  = mpc_ms_label_text(c, num, sizeof(num));
			mpc_prom_put_label(&ms->arena, &first,
			    row->label != NULL ? row->label : nng_stat_name(o),
			    text);
			if (strcmp(row->stat, "url") == 0) {
				(void) mpc_ms_put_scheme(ms, &first, text);
			}
		}
		if (!found && sc == MPC_METRICS_PIPE &&
		    strcmp(row->stat, "url") == 0) {
			mpc_ms_pipe_scheme(ms, o, &first);
		}
	}
	for (nng_stat *c = nng_stat_child(o); c != NULL; c = nng_stat_next(c)) {
		if (nng_stat_type(c) == NNG_STAT_ID &&
		    mpc_metrics_label_find(nng_stat_name(c)) == NULL) {
			mpc_prom_put_label(&ms->arena, &first, nng_stat_name(c),
			    mpc_ms_label_text(c, num, sizeof(num)));
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

	if (name == NULL) {
		return (labels_off);
	}
	if (ms->arena.data == NULL) {
		return (labels_off);
	}
	/* Copy the object's labels (the arena can move while writing). */
	n = strlen(ms->arena.data + labels_off);
	if (n > 0) {
		char *copy = malloc(n);

		if (copy == NULL) {
			ms->oom = true;
			return (labels_off);
		}
		memcpy(copy, ms->arena.data + labels_off, n);
		mpc_prom_put(&ms->arena, copy, n);
		free(copy);
		first = false;
	}
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
	char                *copy;

	for (nng_stat *c = nng_stat_child(o); c != NULL; c = nng_stat_next(c)) {
		any = any ||
		    (nng_stat_type(c) == NNG_STAT_STRING && !mpc_ms_is_label(c));
	}
	if (!any || ms->arena.data == NULL) {
		return;
	}
	s.family_off = ms->arena.len;
	mpc_prom_puts(&ms->arena, "nngmpc_");
	mpc_prom_put_name(&ms->arena, nng_stat_name(o));
	mpc_prom_puts(&ms->arena, "_info");
	(void) mpc_ms_end(ms, s.family_off);

	n = strlen(ms->arena.data + labels_off);
	if ((copy = malloc(n + 1)) == NULL) {
		ms->oom = true;
		return;
	}
	memcpy(copy, ms->arena.data + labels_off, n + 1);
	s.labels_off = ms->arena.len;
	mpc_prom_puts(&ms->arena, copy);
	free(copy);
	first = (n == 0);
	for (nng_stat *c = nng_stat_child(o); c != NULL; c = nng_stat_next(c)) {
		if (nng_stat_type(c) == NNG_STAT_STRING && !mpc_ms_is_label(c)) {
			const char *v = nng_stat_string(c);

			mpc_prom_put_label(&ms->arena, &first, nng_stat_name(c),
			    v != NULL ? v : "");
		}
	}
	(void) mpc_ms_end(ms, s.labels_off);
	mpc_ms_add(ms, &s);
}

static int
mpc_ms_sample_cmp(const void *a, const void *b)
{
	const struct mpc_ms_sample *x = a, *y = b;
	int                         c = strcmp(x->family, y->family);

	return (c != 0 ? c : strcmp(x->labels, y->labels));
}

static void
mpc_ms_write(const struct mpc_ms *ms, mpc_prom_buf *b)
{
	const struct mpc_ms_sample *prev = NULL;

	for (size_t i = 0; i < ms->nsamples; i++) {
		const struct mpc_ms_sample *s = &ms->samples[i];

		if (prev == NULL || strcmp(prev->family, s->family) != 0) {
			mpc_prom_put_family(b, s->family, s->type,
			    s->help != NULL ? s->help : s->family);
		} else if (strcmp(prev->labels, s->labels) == 0) {
			/* Two statistics of one object mapped to one series:
			 * the format allows one sample; the first stays. */
			continue;
		}
		mpc_prom_puts(b, s->family);
		if (s->labels[0] != '\0') {
			mpc_prom_printf(b, "{%s}", s->labels);
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
	struct mpc_ms ms;
	int           rv;

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
		labels = mpc_ms_object_labels(&ms, o, sc);
		for (nng_stat *c = nng_stat_child(o); c != NULL;
		     c = nng_stat_next(c)) {
			if (!mpc_ms_is_label(c)) {
				mpc_ms_value(&ms, o, sc, c, labels);
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
	qsort(ms.samples, ms.nsamples, sizeof(*ms.samples), mpc_ms_sample_cmp);
	mpc_ms_write(&ms, b);
	rv = mpc_prom_buf_error(b);
out:
	free(ms.samples);
	free(ms.eps);
	mpc_prom_buf_fini(&ms.arena);
	return (rv);
}
