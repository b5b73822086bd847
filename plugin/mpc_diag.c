/*
 * mpc_diag.c -- diagnostics: each transport event (transport/
 * mpc_tran_event.h) of every endpoint of the process as one line, at once,
 * on both ends of a connection: when, what, where, who, the reason's name
 * and text, and what to fix (mpc_diag_hint.c).  For a failed TLS
 * handshake, which the transport sees only as NNG_EPEERAUTH or a closed
 * connection, the TLS engine's per-reason counters name the check that
 * failed: they are compared with their values at the previous event, so
 * with several handshakes failing at the same moment the cause is the
 * likeliest, not a certainty (the line says "tls_cause").
 *
 * Threading: called on transport threads, possibly under transport locks.
 * The level is an atomic read first, so an idle module costs one load;
 * a line is formatted on the stack, then written under this module's own
 * mutex (one write(2) to stderr, or the application's callback), which
 * guards the settings and the TLS counter snapshot.  Nothing here calls
 * into NNG.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "mpc_diag.h"

static _Atomic int      diag_level;
static pthread_mutex_t  diag_mtx = PTHREAD_MUTEX_INITIALIZER;
static int              diag_format;
static nng_mpc_log_fn   diag_fn;
static void *           diag_arg;
static nng_mpc_tls_stats diag_tls; /* counters at the previous event */

static const char *const level_names[] = {
	[NNG_MPC_LOG_OFF]   = "off",
	[NNG_MPC_LOG_WARN]  = "warn",
	[NNG_MPC_LOG_INFO]  = "info",
	[NNG_MPC_LOG_DEBUG] = "debug",
};

static const char *const format_names[] = {
	[NNG_MPC_LOG_LOGFMT] = "logfmt",
	[NNG_MPC_LOG_JSON]   = "json",
};

static const char *const event_names[] = {
	[MPC_TRAN_EV_HANDSHAKE]   = "handshake",
	[MPC_TRAN_EV_REFUSED]     = "refused",
	[MPC_TRAN_EV_PIPE_CLOSED] = "closed",
	[MPC_TRAN_EV_REPLACED]    = "replaced",
	[MPC_TRAN_EV_REKEY]       = "rekey",
	[MPC_TRAN_EV_REJECTS]     = "rejects",
	[MPC_TRAN_EV_ADMISSION]   = "admission",
	[MPC_TRAN_EV_CONFIG]      = "config",
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static int
name_index(const char *const *names, size_t n, const char *name, int *out)
{
	for (size_t i = 0; (name != NULL) && (i < n); i++) {
		if (strcasecmp(names[i], name) == 0) {
			*out = (int) i;
			return (0);
		}
	}
	return (NNG_EINVAL);
}

int
nng_mpc_log_level_parse(const char *name, int *level)
{
	return (name_index(level_names, N_OF(level_names), name, level));
}

int
nng_mpc_log_format_parse(const char *name, int *format)
{
	return (name_index(format_names, N_OF(format_names), name, format));
}

int
nng_mpc_log_set(int level, int format, nng_mpc_log_fn fn, void *arg)
{
	if ((level < NNG_MPC_LOG_OFF) || (level > NNG_MPC_LOG_DEBUG) ||
	    (format < NNG_MPC_LOG_LOGFMT) || (format > NNG_MPC_LOG_JSON)) {
		return (NNG_EINVAL);
	}
	(void) pthread_mutex_lock(&diag_mtx);
	diag_format = format;
	diag_fn     = fn;
	diag_arg    = arg;
	nng_mpc_tls_stats_get(&diag_tls);
	atomic_store(&diag_level, level);
	(void) pthread_mutex_unlock(&diag_mtx);
	return (0);
}

/* A pipe that ended without an error: our close, the peer's close. */
static bool
orderly_close(int rv)
{
	return ((rv == 0) || (rv == NNG_ECLOSED) || (rv == NNG_ECONNSHUT) ||
	    (rv == NNG_ECANCELED));
}

/* The level an event is reported at. */
static int
event_level(const struct mpc_tran_event *ev)
{
	switch (ev->kind) {
	case MPC_TRAN_EV_REFUSED:
	case MPC_TRAN_EV_ADMISSION:
	case MPC_TRAN_EV_REPLACED:
		return (NNG_MPC_LOG_WARN);
	case MPC_TRAN_EV_PIPE_CLOSED:
		return (orderly_close(ev->reason) ? NNG_MPC_LOG_INFO
		                                  : NNG_MPC_LOG_WARN);
	case MPC_TRAN_EV_HANDSHAKE:
		return (NNG_MPC_LOG_INFO);
	default:
		return (NNG_MPC_LOG_DEBUG);
	}
}

static void
put_time(struct mpc_diag_line *l)
{
	struct timespec ts;
	struct tm       tm;
	char            buf[64];

	(void) clock_gettime(CLOCK_REALTIME, &ts);
	(void) gmtime_r(&ts.tv_sec, &tm);
	(void) snprintf(buf, sizeof(buf),
	    "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    (int) (ts.tv_nsec / 1000000L));
	mpc_diag_line_str(l, "ts", buf);
}

/* The reason, and for a failed TLS handshake the check that failed.
 * Called with diag_mtx held (the counter snapshot). */
static void
put_reason(struct mpc_diag_line *l, const struct mpc_tran_event *ev)
{
	nng_mpc_tls_stats now;
	int               cause = 0;
	const char *      hint;

	nng_mpc_tls_stats_get(&now);
	if ((ev->kind == MPC_TRAN_EV_REFUSED) &&
	    mpc_diag_tls_failure(ev->reason)) {
		cause = mpc_diag_tls_cause(&diag_tls, &now);
	}
	diag_tls = now;
	if (ev->reason == 0) {
		return;
	}
	mpc_diag_line_str(l, "reason", mpc_diag_reason_name(ev->reason));
	mpc_diag_line_str(l, "error", nng_mpc_strerror(ev->reason));
	if (cause != 0) {
		mpc_diag_line_str(l, "tls_cause", mpc_diag_reason_name(cause));
	}
	hint = mpc_diag_hint(cause != 0 ? cause : ev->reason, ev->dialer);
	if ((hint == NULL) && (ev->kind == MPC_TRAN_EV_REFUSED) &&
	    mpc_diag_tls_failure(ev->reason)) {
		hint = "the TLS handshake failed or the peer closed during "
		       "it (often: our certificate is from a CA the peer does "
		       "not trust, or expired): the peer's diagnostics name "
		       "its reason; here the TLS counters "
		       "(nng_mpc_tls_stats_get, the metrics page's "
		       "nngmpc_tls_* lines) say which check failed";
	}
	mpc_diag_line_str(l, "fix", hint);
}

static void
put_counts(struct mpc_diag_line *l, const struct mpc_tran_event *ev)
{
	mpc_diag_line_u64(l, "frames_in", ev->counts.frames_in);
	mpc_diag_line_u64(l, "frames_out", ev->counts.frames_out);
	mpc_diag_line_u64(l, "rejected", ev->counts.rejected);
	mpc_diag_line_u64(l, "auth_failures", ev->counts.auth_failures);
	mpc_diag_line_u64(l, "replays", ev->counts.replays);
}

static void
emit(const char *text)
{
	if (diag_fn != NULL) {
		diag_fn(diag_arg, text);
		return;
	}
	/* One write per line: lines of concurrent threads or processes
	 * sharing stderr do not interleave (pipes: up to PIPE_BUF). */
	size_t n = strlen(text);
	char   buf[MPC_DIAG_LINE_MAX + 2];

	memcpy(buf, text, n);
	buf[n++] = '\n';
	while (write(STDERR_FILENO, buf, n) < 0 && errno == EINTR) {
	}
}

void
mpc_diag_event(const struct mpc_tran_event *ev)
{
	struct mpc_diag_line l;
	int                  level = event_level(ev);

	if ((level > atomic_load_explicit(&diag_level, memory_order_relaxed)) ||
	    ((unsigned) ev->kind >= N_OF(event_names))) {
		return;
	}
	(void) pthread_mutex_lock(&diag_mtx);
	mpc_diag_line_begin(&l, diag_format == NNG_MPC_LOG_JSON);
	put_time(&l);
	mpc_diag_line_str(&l, "level", level_names[level]);
	mpc_diag_line_str(&l, "event", event_names[ev->kind]);
	mpc_diag_line_str(&l, "side", ev->dialer ? "dialer" : "listener");
	mpc_diag_line_str(&l, "url", ev->url);
	mpc_diag_line_u64(&l, "self", ev->self);
	if (ev->party != 0) {
		mpc_diag_line_u64(&l, "party", ev->party);
	}
	if ((ev->remote != NULL) && (ev->remote[0] != '\0')) {
		mpc_diag_line_str(&l, "remote", ev->remote);
	}
	put_reason(&l, ev);
	if ((ev->subject != NULL) && (ev->subject[0] != '\0')) {
		mpc_diag_line_str(&l, "subject", ev->subject);
	}
	if ((ev->tls_version != NULL) && (ev->tls_version[0] != '\0')) {
		mpc_diag_line_str(&l, "tls", ev->tls_version);
		mpc_diag_line_str(&l, "cipher", ev->tls_cipher);
	}
	if (ev->kind == MPC_TRAN_EV_HANDSHAKE) {
		mpc_diag_line_u64(&l, "handshake_us", ev->duration_ns / 1000u);
	}
	if (ev->kind == MPC_TRAN_EV_REKEY) {
		mpc_diag_line_u64(&l, "epoch", ev->epoch);
	}
	if ((ev->kind == MPC_TRAN_EV_PIPE_CLOSED) ||
	    (ev->kind == MPC_TRAN_EV_REJECTS)) {
		put_counts(&l, ev);
	}
	if ((ev->detail != NULL) && (ev->detail[0] != '\0')) {
		mpc_diag_line_str(&l, "detail", ev->detail);
	}
	emit(mpc_diag_line_end(&l));
	(void) pthread_mutex_unlock(&diag_mtx);
}

int
mpc_diag_env_start(void)
{
	const char *lv  = getenv("NNG_MPC_LOG");
	const char *fmt = getenv("NNG_MPC_LOG_FORMAT");
	int         level  = NNG_MPC_LOG_OFF;
	int         format = NNG_MPC_LOG_LOGFMT;

	if ((lv == NULL) || (lv[0] == '\0')) {
		return (0);
	}
	if (nng_mpc_log_level_parse(lv, &level) != 0) {
		(void) fprintf(stderr,
		    "nng-mpc: NNG_MPC_LOG=%s not understood "
		    "(off|warn|info|debug): diagnostics off\n",
		    lv);
		return (0);
	}
	if ((fmt != NULL) && (fmt[0] != '\0') &&
	    (nng_mpc_log_format_parse(fmt, &format) != 0)) {
		(void) fprintf(stderr,
		    "nng-mpc: NNG_MPC_LOG_FORMAT=%s not understood "
		    "(logfmt|json): diagnostics off\n",
		    fmt);
		return (0);
	}
	return (nng_mpc_log_set(level, format, NULL, NULL));
}
