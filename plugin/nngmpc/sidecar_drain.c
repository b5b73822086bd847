/*
 * sidecar_drain.c -- how `nngmpc node --serve` stops (sidecar_drain.h).
 *
 * The drain: the mesh socket runs delivery streams (NNG_OPT_MPC_RELIABLE,
 * mesh.h), so every message the node sent stays kept until its party
 * acknowledged it; nng_mpc_socket_drain waits for that, bounded by
 * --drain-ms, before the socket closes and drops what is left.
 *
 * The audit log: the transport opens the log NNG_MPC_AUDIT_FILE names for
 * each endpoint and each pipe holds a reference; the last reference writes
 * the closing record and the final seal (plugin/mpc_audit_log.c).  NNG
 * 1.5.2 finishes a closed socket's pipes and endpoints on its reaper
 * thread after nng_close() returned (src/core/socket.c, src/core/pipe.c),
 * so a process that exits right after nng_close() can lose that record.
 * The sidecar therefore holds a reference of its own from start to exit,
 * waits for the reaper (nni_reap_drain, src/core/reap.c: returns once a
 * pass of the reaper found nothing left), and drops its reference last.
 *
 * Threading: the sidecar's main thread only.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <nng/nng.h>

#include "nng_mpc.h"
#include "nngmpc.h"
#include "sidecar_drain.h"

#define SD_CMD "node"

/* NNG 1.5.2's reaper (src/core/reap.c), exported by the libnng.so.1 this
 * tool runs on; no public call waits for it. */
extern void nni_reap_drain(void);

int
nngmpc_sidecar_audit_open(nng_mpc_audit **log)
{
	const char *path = getenv("NNG_MPC_AUDIT_FILE");
	const char *key  = getenv("NNG_MPC_AUDIT_KEY_FILE");
	int         rv;

	*log = NULL;
	if (path == NULL || path[0] == '\0') {
		return (0);
	}
	if (key == NULL || key[0] == '\0') {
		nngmpc_error(SD_CMD,
		    "audit log %s: NNG_MPC_AUDIT_KEY_FILE is not set", path);
		nngmpc_hint("set it to the audit.seal that nngmpc audit keygen "
		            "wrote: there is no unsealed audit log");
		return (NNG_MPC_EAUDITKEY);
	}
	if ((rv = nng_mpc_audit_open(log, path, key, NULL)) != 0) {
		nngmpc_error(SD_CMD, "audit log %s (sealing state %s): %s", path,
		    key, nng_mpc_strerror(rv));
		*log = NULL;
	}
	return (rv);
}

void
nngmpc_sidecar_audit_close(nng_mpc_audit *log, char *line, size_t len)
{
	nng_mpc_audit_stats st;
	const char         *path = getenv("NNG_MPC_AUDIT_FILE");
	int                 rv;

	line[0] = '\0';
	if (log == NULL) {
		return;
	}
	nni_reap_drain(); /* the closed mesh's pipes and endpoints let go */
	rv = nng_mpc_audit_flush(log);
	nng_mpc_audit_stats_get(log, &st);
	nng_mpc_audit_close(log); /* the last reference: close record, seal */
	if (rv != 0 || st.write_errors != 0) {
		(void) snprintf(line, len,
		    "audit log %s: %" PRIu64 " write errors%s%s: its closing "
		    "record may be missing; nngmpc audit verify tells",
		    path, st.write_errors, rv != 0 ? ", the last: " : "",
		    rv != 0 ? nng_mpc_strerror(rv) : "");
		return;
	}
	(void) snprintf(line, len,
	    "audit log %s closed: closing record and final seal written "
	    "(%" PRIu64 " records before them, %" PRIu64 " lost)",
	    path, st.records, st.lost);
}

/* ", party 2: 3" for each party with messages kept; the text's end. */
static size_t
sd_per_party(nng_socket mesh, const struct nngmpc_roster *r, uint32_t self,
    char *line, size_t len, size_t at)
{
	uint64_t n;
	int      k;

	for (size_t i = 0; i < r->nparties && at < len; i++) {
		if (r->parties[i].id == self ||
		    nng_mpc_socket_pending(mesh, r->parties[i].id, &n) != 0 ||
		    n == 0) {
			continue;
		}
		k = snprintf(line + at, len - at, "%sparty %u: %" PRIu64,
		    line[at - 1] == '(' ? "" : ", ",
		    (unsigned) r->parties[i].id, n);
		at += (k > 0) ? (size_t) k : 0;
	}
	return (at < len ? at : len - 1);
}

uint64_t
nngmpc_sidecar_pending(nng_socket mesh)
{
	uint64_t n = 0;

	(void) nng_mpc_socket_pending(mesh, NNG_MPC_PARTY_BROADCAST, &n);
	return (n);
}

uint64_t
nngmpc_sidecar_drain(nng_socket mesh, uint32_t drain_ms,
    const struct nngmpc_roster *r, uint32_t self, char *line, size_t len)
{
	uint64_t before = nngmpc_sidecar_pending(mesh), left = 0;
	size_t   at;
	int      k, rv;

	rv = nng_mpc_socket_drain(mesh, (nng_duration) drain_ms, &left);
	if (rv == 0) {
		(void) snprintf(line, len,
		    "drained: %" PRIu64 " messages were waiting for their "
		    "party's acknowledgement, all acknowledged",
		    before);
		return (0);
	}
	if (rv != NNG_MPC_EUNDELIVERED) {
		(void) snprintf(line, len, "drain failed: %s",
		    nng_mpc_strerror(rv));
		return (left);
	}
	k  = snprintf(line, len,
	     "drain timed out after %u ms (--drain-ms): %" PRIu64 " of %" PRIu64
	     " messages not acknowledged, undelivered (",
	     (unsigned) drain_ms, left, before > left ? before : left);
	at = (k > 0 && (size_t) k < len) ? (size_t) k : len - 1;
	at = sd_per_party(mesh, r, self, line, len, at);
	(void) snprintf(line + at, len - at,
	    "): the parties did not acknowledge them in time; they are lost "
	    "when the node exits");
	return (left);
}
