/*
 * The sidecar's stop (sidecar_drain.c explains): the audit log it holds
 * from start to exit, and the drain of its mesh socket's delivery streams.
 * Each function writes the one status line it has for the operator into
 * line (sidecar.c prints it); nothing here prints on stdout.
 *
 * Threading: the sidecar's main thread only.
 */
#ifndef NNG_MPC_NNGMPC_SIDECAR_DRAIN_H
#define NNG_MPC_NNGMPC_SIDECAR_DRAIN_H

#include <stddef.h>
#include <stdint.h>

#include <nng/nng.h>

#include "nng_mpc.h"
#include "roster.h"

/* Opens the audit log NNG_MPC_AUDIT_FILE names (sealed with
 * NNG_MPC_AUDIT_KEY_FILE), the one the mesh's endpoints share, and holds
 * it until nngmpc_sidecar_audit_close.  *log stays NULL when the variable
 * is unset.  0, or an error already reported on stderr. */
int nngmpc_sidecar_audit_open(nng_mpc_audit **log)
    __attribute__((warn_unused_result));

/* After the mesh socket is closed: waits until NNG has finished the
 * socket's pipes and endpoints (each held the log), then drops the last
 * reference, which writes the log's closing record and final seal.
 * line: what was written.  A NULL log is a no-op (line empty). */
void nngmpc_sidecar_audit_close(nng_mpc_audit *log, char *line, size_t len);

/* How many messages the mesh socket's delivery streams keep now. */
uint64_t nngmpc_sidecar_pending(nng_socket mesh);

/* Waits up to drain_ms until every message the mesh socket's delivery
 * streams keep is acknowledged by its party.  Returns how many are not
 * (0: all); line says how many were waiting and, when some are left, how
 * many per party of the roster r (self excluded). */
uint64_t nngmpc_sidecar_drain(nng_socket mesh, uint32_t drain_ms,
    const struct nngmpc_roster *r, uint32_t self, char *line, size_t len);

#endif /* NNG_MPC_NNGMPC_SIDECAR_DRAIN_H */
