/*
 * `nngmpc node --serve URL`: the node as a long-running sidecar.  It joins
 * the roster's mesh (mesh.h; NNG redials parties that come and go) and
 * serves a local pair1 socket through which one application at a time,
 * in any language (Debian's nngcat, pynng, mangos), sends and receives
 * MPC messages with a text envelope:
 *
 *   to the node:    "<to> <type> <payload>"    <to>: a party ID, or '*'
 *                                              for every party
 *   from the node:  "<from> <type> <payload>"  <from>: the sender the
 *                                              transport authenticated
 *
 * <to>, <from> and <type> are decimal (type also 0x-hex); the payload is
 * every byte after the second space, binary allowed.  Types: 1..255 (MPC
 * protocol) or 32768..65535 (application); others are refused, and so is
 * a recipient the roster does not list or that is not connected (bus0
 * would drop it silently).  A message for the application waits up to
 * 5 s for one to be connected, then is dropped; both are counted and
 * reported on stdout.
 *
 * Signals: SIGTERM/SIGINT drain (the application's queued messages are
 * forwarded, then up to --drain-ms for the parties to acknowledge every
 * message sent: sidecar_drain.h) and exit 0; SIGHUP re-reads the file and
 * checks it as at start-up (if it fails, nothing changes): parties no
 * longer listed are disconnected and refused from then on; the CA with its
 * CRLs, our certificate and the pipe filter's lines are applied to the
 * live mesh, closing only connections whose peer no longer passes
 * (sidecar_reload.h); what needs a restart is named.
 *
 * Threading: the main thread waits for signals and reloads; one thread
 * forwards application -> mesh, one mesh -> application; the allow-list
 * and the pipe table are under the sidecar's lock (NNG's pipe callbacks
 * take it briefly).
 */
#ifndef NNG_MPC_NNGMPC_SIDECAR_H
#define NNG_MPC_NNGMPC_SIDECAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node.h"
#include "roster.h"

#define NNGMPC_SIDECAR_DRAIN_MS_DEFAULT 500u

struct nngmpc_sidecar_opts {
	const char           *roster_path; /* re-read on SIGHUP */
	struct nngmpc_roster *roster;      /* as loaded at start */
	uint32_t              id;
	const char           *serve;       /* the local socket's URL */
	unsigned              serve_mode;  /* ipc:// permissions, 0: umask */
	uint32_t              drain_ms;
	const char           *metrics_addr; /* HOST:PORT, or NULL */
	/* The pipe filter (rate limits, heartbeats) as node.h takes them. */
	const struct nngmpc_node_opts *limits;
};

/* sidecar_env.c: reads the envelope of an application's message of len
 * bytes: the recipient (NNG_MPC_PARTY_BROADCAST for '*'), the type, the
 * header's length; or false with why (a static text). */
bool nngmpc_sidecar_parse(const uint8_t *b, size_t len, uint32_t *to,
    uint16_t *type, size_t *hdr, const char **why);

/* Runs until SIGTERM/SIGINT; returns an nngmpc_exit value. */
int nngmpc_sidecar_run(const struct nngmpc_sidecar_opts *o);

#endif /* NNG_MPC_NNGMPC_SIDECAR_H */
