/*
 * mpc_diag.h -- diagnostics: connection events as one line each
 * (include/nng_mpc.h "Diagnostics" is the public side).
 *
 * Parts, data flowing one way: mpc_diag.c (settings, event -> line,
 * output) uses mpc_diag_line.c (the logfmt/JSON writer) and
 * mpc_diag_hint.c (reason names, what to fix, the TLS cause); the
 * observer fan-out (mpc_observer.c) calls mpc_diag_event.
 */
#ifndef NNG_MPC_PLUGIN_MPC_DIAG_H
#define NNG_MPC_PLUGIN_MPC_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nng_mpc.h"
#include "mpc_tran_event.h"

/* ---- mpc_diag.c ---- */

/* Reports one transport event when diagnostics are on.  Never blocks
 * beyond one line written under the module's own mutex. */
void mpc_diag_event(const struct mpc_tran_event *ev);

/* Reads NNG_MPC_LOG / NNG_MPC_LOG_FORMAT; a value not understood is
 * reported on stderr and leaves diagnostics off.  Always 0. */
int mpc_diag_env_start(void);

/* ---- mpc_diag_line.c: one line, logfmt or JSON, in a fixed buffer ---- */

#define MPC_DIAG_LINE_MAX 2048

struct mpc_diag_line {
	char   buf[MPC_DIAG_LINE_MAX];
	size_t len;
	bool   json;
	bool   full; /* truncated: the line ends at the last whole field */
};

void mpc_diag_line_begin(struct mpc_diag_line *l, bool json);
void mpc_diag_line_str(struct mpc_diag_line *l, const char *key,
    const char *val);
void mpc_diag_line_u64(struct mpc_diag_line *l, const char *key,
    uint64_t val);
/* Closes the line (JSON: "}"); returns its text, NUL-terminated. */
const char *mpc_diag_line_end(struct mpc_diag_line *l);

/* ---- mpc_diag_hint.c ---- */

/* "NNG_MPC_EPARTYCERT", "NNG_EPEERAUTH", ... or NULL for an unknown code. */
const char *mpc_diag_reason_name(int rv);

/* What to fix for a reason seen on this side (dialer or listener), or
 * NULL when there is no advice beyond the reason's text. */
const char *mpc_diag_hint(int rv, bool dialer);

/* Whether rv is how a failed TLS handshake shows at the stream
 * (NNG_EPEERAUTH, NNG_ECRYPTO, a reset or shut connection). */
bool mpc_diag_tls_failure(int rv);

/* The NNG_MPC_ETLS* code of the TLS counter that moved from before to
 * after (process-wide, nng_mpc_tls_stats_get), or 0 if none did. */
int mpc_diag_tls_cause(
    const nng_mpc_tls_stats *before, const nng_mpc_tls_stats *after);

#endif /* NNG_MPC_PLUGIN_MPC_DIAG_H */
