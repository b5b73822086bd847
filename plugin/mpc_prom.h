/*
 * mpc_prom.h -- a growable text buffer and the Prometheus text exposition
 * format 0.0.4 primitives: metric and label names, escaped label values and
 * HELP text, family headers, exact decimal values.
 * (Format: prometheus.io/docs/instrumenting/exposition_formats, "Text-based
 * format": label values escape backslash, double quote and line feed; HELP
 * text escapes backslash and line feed only.)
 *
 * Errors are sticky: an allocation failure marks the buffer and every later
 * write is a no-op, so a renderer writes straight through and checks
 * mpc_prom_buf_error() once at the end.
 *
 * Threading: a buffer belongs to one thread; the functions keep no state.
 */
#ifndef MPC_PROM_H
#define MPC_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MPC_PROM_WUR __attribute__((warn_unused_result))

/* Metric types this exporter writes (# TYPE lines). */
enum mpc_prom_type {
	MPC_PROM_UNTYPED = 0, /* "take it from the source" in rule tables */
	MPC_PROM_COUNTER,
	MPC_PROM_GAUGE,
	MPC_PROM_HISTOGRAM,
};

typedef struct mpc_prom_buf {
	char  *data; /* NUL-terminated while not in error */
	size_t len;
	size_t cap;
	bool   oom;
} mpc_prom_buf;

void mpc_prom_buf_init(mpc_prom_buf *b);
void mpc_prom_buf_fini(mpc_prom_buf *b);
/* 0, or NNG_ENOMEM when any write failed. */
int mpc_prom_buf_error(const mpc_prom_buf *b) MPC_PROM_WUR;

void mpc_prom_put(mpc_prom_buf *b, const char *s, size_t n);
void mpc_prom_puts(mpc_prom_buf *b, const char *s);
/* Appends n bytes the buffer already holds at offset off (a range outside
 * the buffer marks it in error). */
void mpc_prom_put_again(mpc_prom_buf *b, size_t off, size_t n);
void mpc_prom_printf(mpc_prom_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A metric name: every byte outside [a-zA-Z0-9_:] becomes '_', and a
 * leading digit gets a '_' before it.  Label names: the same without ':'. */
void mpc_prom_put_name(mpc_prom_buf *b, const char *s);
void mpc_prom_put_label_name(mpc_prom_buf *b, const char *s);

/* A label value with \\, \" and \n escaped (NULL writes nothing). */
void mpc_prom_put_label_value(mpc_prom_buf *b, const char *s);

/* HELP text with \\ and \n escaped (NULL writes nothing). */
void mpc_prom_put_help(mpc_prom_buf *b, const char *s);

/* ',name="value"' -- or without the comma when the set is empty so far
 * (*first true; it becomes false). */
void mpc_prom_put_label(
    mpc_prom_buf *b, bool *first, const char *name, const char *value);

/* "# HELP name help\n# TYPE name type\n". */
void mpc_prom_put_family(mpc_prom_buf *b, const char *name,
    enum mpc_prom_type type, const char *help);

/* v in decimal. */
void mpc_prom_put_u64(mpc_prom_buf *b, uint64_t v);

/* v / scale in exact decimal, scale a power of ten (1, 1000, 10^9):
 * "1.5", "0.000001", "42".  Other scales print v / scale as %.17g. */
void mpc_prom_put_scaled(mpc_prom_buf *b, uint64_t v, uint64_t scale);

/* The name of a type for "# TYPE" ("counter", ...). */
const char *mpc_prom_type_name(enum mpc_prom_type type);

#endif /* MPC_PROM_H */
