/*
 * mpc_prom.c -- text buffer and exposition-format primitives (mpc_prom.h).
 * Threading: a buffer belongs to one thread; no shared state.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>

#include "mpc_prom.h"

/* First allocation: a scrape of an idle process fits in it. */
#define MPC_PROM_BUF_INITIAL 4096

void
mpc_prom_buf_init(mpc_prom_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void
mpc_prom_buf_fini(mpc_prom_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

int
mpc_prom_buf_error(const mpc_prom_buf *b)
{
	return (b->oom ? NNG_ENOMEM : 0);
}

/* Room for n more bytes and the NUL; false (and sticky) on failure. */
static bool
mpc_prom_reserve(mpc_prom_buf *b, size_t n)
{
	size_t need, cap;
	char  *p;

	if (b->oom) {
		return (false);
	}
	if (n > SIZE_MAX / 2 - b->len) {
		b->oom = true;
		return (false);
	}
	need = b->len + n + 1;
	if (need <= b->cap) {
		return (true);
	}
	cap = b->cap == 0 ? MPC_PROM_BUF_INITIAL : b->cap;
	while (cap < need) {
		cap *= 2;
	}
	if ((p = realloc(b->data, cap)) == NULL) {
		b->oom = true;
		return (false);
	}
	b->data = p;
	b->cap  = cap;
	return (true);
}

void
mpc_prom_put(mpc_prom_buf *b, const char *s, size_t n)
{
	if (!mpc_prom_reserve(b, n)) {
		return;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
mpc_prom_put_again(mpc_prom_buf *b, size_t off, size_t n)
{
	/* Reserve first: the bytes move with the buffer. */
	if (off > b->len || n > b->len - off || !mpc_prom_reserve(b, n)) {
		b->oom = b->oom || off > b->len || n > b->len - off;
		return;
	}
	memcpy(b->data + b->len, b->data + off, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
mpc_prom_puts(mpc_prom_buf *b, const char *s)
{
	mpc_prom_put(b, s, strlen(s));
}

void
mpc_prom_printf(mpc_prom_buf *b, const char *fmt, ...)
{
	va_list ap;
	int     n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	if (!mpc_prom_reserve(b, (size_t) n)) {
		return;
	}
	va_start(ap, fmt);
	(void) vsnprintf(b->data + b->len, (size_t) n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t) n;
}

static bool
mpc_prom_ident_ok(char c, bool colon)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || (colon && c == ':'));
}

/* Runs of valid bytes are copied whole (a scrape writes thousands of
 * names); each invalid byte becomes '_'. */
static void
mpc_prom_put_ident(mpc_prom_buf *b, const char *s, bool colon)
{
	const char *run = s;

	if (s[0] >= '0' && s[0] <= '9') {
		mpc_prom_put(b, "_", 1);
	}
	for (; *s != '\0'; s++) {
		if (!mpc_prom_ident_ok(*s, colon)) {
			mpc_prom_put(b, run, (size_t) (s - run));
			mpc_prom_put(b, "_", 1);
			run = s + 1;
		}
	}
	mpc_prom_put(b, run, (size_t) (s - run));
}

void
mpc_prom_put_name(mpc_prom_buf *b, const char *s)
{
	mpc_prom_put_ident(b, s, true);
}

void
mpc_prom_put_label_name(mpc_prom_buf *b, const char *s)
{
	mpc_prom_put_ident(b, s, false);
}

/* Escapes \ and LF always, " only inside label values. */
static void
mpc_prom_put_escaped(mpc_prom_buf *b, const char *s, bool quote)
{
	const char *run = s;

	if (s == NULL) {
		return;
	}
	for (; *s != '\0'; s++) {
		const char *esc = NULL;

		if (*s == '\\') {
			esc = "\\\\";
		} else if (*s == '\n') {
			esc = "\\n";
		} else if (quote && *s == '"') {
			esc = "\\\"";
		}
		if (esc != NULL) {
			mpc_prom_put(b, run, (size_t) (s - run));
			mpc_prom_put(b, esc, 2);
			run = s + 1;
		}
	}
	mpc_prom_put(b, run, (size_t) (s - run));
}

void
mpc_prom_put_label_value(mpc_prom_buf *b, const char *s)
{
	mpc_prom_put_escaped(b, s, true);
}

void
mpc_prom_put_help(mpc_prom_buf *b, const char *s)
{
	mpc_prom_put_escaped(b, s, false);
}

void
mpc_prom_put_label(
    mpc_prom_buf *b, bool *first, const char *name, const char *value)
{
	if (!*first) {
		mpc_prom_put(b, ",", 1);
	}
	*first = false;
	mpc_prom_put_label_name(b, name);
	mpc_prom_put(b, "=\"", 2);
	mpc_prom_put_label_value(b, value);
	mpc_prom_put(b, "\"", 1);
}

const char *
mpc_prom_type_name(enum mpc_prom_type type)
{
	switch (type) {
	case MPC_PROM_COUNTER:
		return ("counter");
	case MPC_PROM_GAUGE:
		return ("gauge");
	case MPC_PROM_HISTOGRAM:
		return ("histogram");
	case MPC_PROM_UNTYPED:
		break;
	}
	return ("untyped");
}

void
mpc_prom_put_family(mpc_prom_buf *b, const char *name,
    enum mpc_prom_type type, const char *help)
{
	mpc_prom_puts(b, "# HELP ");
	mpc_prom_put_name(b, name);
	mpc_prom_put(b, " ", 1);
	mpc_prom_put_help(b, help);
	mpc_prom_puts(b, "\n# TYPE ");
	mpc_prom_put_name(b, name);
	mpc_prom_printf(b, " %s\n", mpc_prom_type_name(type));
}

void
mpc_prom_put_u64(mpc_prom_buf *b, uint64_t v)
{
	char  buf[20];
	char *p = buf + sizeof(buf);

	do {
		*--p = (char) ('0' + v % 10);
		v /= 10;
	} while (v != 0);
	mpc_prom_put(b, p, (size_t) (buf + sizeof(buf) - p));
}

void
mpc_prom_put_scaled(mpc_prom_buf *b, uint64_t v, uint64_t scale)
{
	unsigned digits = 0;
	uint64_t p      = 1;
	uint64_t frac;
	char     fbuf[24];

	while (p < scale && digits < 19) {
		p *= 10;
		digits++;
	}
	if (p != scale) {
		mpc_prom_printf(b, "%.17g", (double) v / (double) scale);
		return;
	}
	mpc_prom_put_u64(b, v / scale);
	if ((frac = v % scale) == 0) {
		return;
	}
	/* The fraction with its leading zeros, trailing zeros dropped. */
	(void) snprintf(fbuf, sizeof(fbuf), "%0*llu", (int) digits,
	    (unsigned long long) frac);
	for (size_t n = strlen(fbuf); n > 0 && fbuf[n - 1] == '0'; n--) {
		fbuf[n - 1] = '\0';
	}
	mpc_prom_printf(b, ".%s", fbuf);
}
