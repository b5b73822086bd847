/*
 * mpc_diag_line.c -- one diagnostics line in a fixed buffer: logfmt
 * (key=value, the value quoted when it holds a space, '=', a quote or
 * nothing) or a JSON object (RFC 8259 string escapes).  A field that
 * does not fit is left out whole and the line is marked truncated, so a
 * line is always well-formed.
 *
 * Threading: a line belongs to the caller (on its stack); no shared state.
 */
#include <stdio.h>
#include <string.h>

#include "mpc_diag.h"

/* Room kept for the closing "}" and the NUL. */
#define LINE_RESERVE 2

static void
put(struct mpc_diag_line *l, size_t *at, const char *s, size_t n)
{
	if (*at + n + LINE_RESERVE > sizeof(l->buf)) {
		*at = sizeof(l->buf); /* marks the field as not fitting */
		return;
	}
	memcpy(l->buf + *at, s, n);
	*at += n;
}

static bool
logfmt_needs_quotes(const char *v)
{
	if (v[0] == '\0') {
		return (true);
	}
	for (const unsigned char *p = (const unsigned char *) v; *p; p++) {
		if ((*p <= ' ') || (*p == '=') || (*p == '"') || (*p == '\\') ||
		    (*p >= 0x7f)) {
			return (true);
		}
	}
	return (false);
}

/* A quoted string: \" \\ and control bytes escaped (both formats). */
static void
put_quoted(struct mpc_diag_line *l, size_t *at, const char *v)
{
	char esc[8];

	put(l, at, "\"", 1);
	for (const unsigned char *p = (const unsigned char *) v;
	     *p && (*at < sizeof(l->buf)); p++) {
		if ((*p == '"') || (*p == '\\')) {
			esc[0] = '\\';
			esc[1] = (char) *p;
			put(l, at, esc, 2);
		} else if (*p < 0x20) {
			(void) snprintf(esc, sizeof(esc), "\\u%04x", *p);
			put(l, at, esc, 6);
		} else {
			put(l, at, (const char *) p, 1);
		}
	}
	put(l, at, "\"", 1);
}

static void
put_key(struct mpc_diag_line *l, size_t *at, const char *key)
{
	if (l->json) {
		put(l, at, l->len > 1 ? "," : "", l->len > 1 ? 1 : 0);
		put_quoted(l, at, key);
		put(l, at, ":", 1);
	} else {
		put(l, at, " ", l->len > 0 ? 1 : 0);
		put(l, at, key, strlen(key));
		put(l, at, "=", 1);
	}
}

/* Keeps the field if it fit, else drops it whole. */
static void
commit(struct mpc_diag_line *l, size_t at)
{
	if (at >= sizeof(l->buf)) {
		l->full = true;
		return;
	}
	l->len = at;
}

void
mpc_diag_line_begin(struct mpc_diag_line *l, bool json)
{
	l->json = json;
	l->full = false;
	l->len  = 0;
	if (json) {
		l->buf[l->len++] = '{';
	}
	l->buf[l->len] = '\0';
}

void
mpc_diag_line_str(struct mpc_diag_line *l, const char *key, const char *val)
{
	size_t at = l->len;

	if (val == NULL) {
		return;
	}
	put_key(l, &at, key);
	if (l->json || logfmt_needs_quotes(val)) {
		put_quoted(l, &at, val);
	} else {
		put(l, &at, val, strlen(val));
	}
	commit(l, at);
}

void
mpc_diag_line_u64(struct mpc_diag_line *l, const char *key, uint64_t val)
{
	char   num[24];
	size_t at = l->len;
	int    n  = snprintf(num, sizeof(num), "%llu", (unsigned long long) val);

	put_key(l, &at, key);
	put(l, &at, num, (size_t) n);
	commit(l, at);
}

const char *
mpc_diag_line_end(struct mpc_diag_line *l)
{
	if (l->json) {
		l->buf[l->len++] = '}';
	}
	l->buf[l->len] = '\0';
	return (l->buf);
}
