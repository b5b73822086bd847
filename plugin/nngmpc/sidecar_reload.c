/*
 * sidecar_reload.c -- a SIGHUP's checks and changes beyond the party list
 * (sidecar_reload.h).
 *
 * The pipe filter's lines (rate-msgs, rate-bytes, rate-policy, conn-rate,
 * heartbeat) are set on the mesh socket as at start (node.c,
 * nngmpc_node_limits); a line that was removed goes back to the
 * transport's default.  The receive rate limits reach the live
 * connections at the nng_mpc_socket_reload that follows; conn-rate
 * applies to new connections, heartbeat to connections made from now on.
 */
#include <stdio.h>
#include <string.h>

#include "filter_flags.h"
#include "files.h"
#include "nng_mpc.h"
#include "nngmpc.h"
#include "node.h"
#include "node_check.h"
#include "sidecar_reload.h"

#define SR_CMD "node"

/* The transport's defaults, for a line removed from the file
 * (include/nng_mpc.h, the pipe filter's options). */
#define SR_DEFAULT_CONN_RATE    20
#define SR_DEFAULT_HEARTBEAT_MS 5000

/* Limit i's value as text into a scratch node option set: 1, or -1 (a
 * bad value, reported on stderr as the flag's would be). */
static int
sr_limit_parse(int i, const char *text, struct nngmpc_node_opts *o)
{
	memset(o, 0, sizeof(*o));
	return (nngmpc_filter_flag(SR_CMD, NNGMPC_FF_RATE_MSGS + i, text, o));
}

/* "d1,d2,...": 1..NNGMPC_ROSTER_PINS_MAX digests of 64 hex digits. */
static bool
sr_pins_ok(const char *p)
{
	unsigned n = 0;

	while (*p != '\0') {
		size_t len = strspn(p, "0123456789abcdefABCDEF");
		if (len != 64 || ++n > NNGMPC_ROSTER_PINS_MAX ||
		    (p[len] != ',' && p[len] != '\0') ||
		    (p[len] == ',' && p[len + 1] == '\0')) {
			return (false);
		}
		p += len + (p[len] == ',' ? 1 : 0);
	}
	return (n > 0);
}

/* "3,7-9": party IDs and ranges (a <= b), at most 32 items, as
 * NNG_OPT_MPC_DENY_PARTIES takes them. */
static bool
sr_deny_ok(const char *p)
{
	char     item[32];
	unsigned n = 0;

	while (*p != '\0') {
		size_t   len = strcspn(p, ",");
		char *   dash;
		uint32_t a, b;
		if (len == 0 || len >= sizeof(item) || ++n > 32 ||
		    (p[len] == ',' && p[len + 1] == '\0')) {
			return (false);
		}
		memcpy(item, p, len);
		item[len] = '\0';
		if ((dash = strchr(item, '-')) != NULL) {
			*dash = '\0';
		}
		if (!nngmpc_parse_u32(item, 1, 0xFFFFFFFEu, &a) ||
		    (dash != NULL &&
		        (!nngmpc_parse_u32(dash + 1, 1, 0xFFFFFFFEu, &b) ||
		            b < a))) {
			return (false);
		}
		p += len + (p[len] == ',' ? 1 : 0);
	}
	return (n > 0);
}

bool
nngmpc_reload_check(const struct nngmpc_roster *r, uint32_t id, char *err,
    size_t errlen)
{
	const struct nngmpc_party *self = nngmpc_roster_find(r, id);
	struct nngmpc_node_opts    o;

	if (self == NULL) {
		(void) snprintf(err, errlen, "party %u is not in the file",
		    (unsigned) id);
		return (false);
	}
	if (nngmpc_roster_is_tls(r) && self->certkey[0] == '\0') {
		(void) snprintf(err, errlen, "party %u has no cert+key file",
		    (unsigned) id);
		return (false);
	}
	if (nngmpc_roster_is_tls(r) &&
	    (!nngmpc_file_check_cert(r->ca, err, errlen) ||
	        !nngmpc_file_check_certkey(self->certkey, err, errlen) ||
	        !nngmpc_node_check_identity(
	            r->ca, self->certkey, id, err, errlen))) {
		return (false);
	}
	if (r->node.pins[0] != '\0' &&
	    (!nngmpc_roster_is_tls(r) || !sr_pins_ok(r->node.pins))) {
		(void) snprintf(err, errlen,
		    "the 'pins' line: expected SHA-256 digests of 64 hex "
		    "digits, comma-separated, at most %u (mpc+tls+tcp only)",
		    NNGMPC_ROSTER_PINS_MAX);
		return (false);
	}
	if (r->node.deny[0] != '\0' && !sr_deny_ok(r->node.deny)) {
		(void) snprintf(err, errlen,
		    "the 'deny-parties' line: '%s': expected party IDs and "
		    "ranges (e.g. 3,7-9), at most 32",
		    r->node.deny);
		return (false);
	}
	for (int i = 0; i < NNGMPC_ROSTER_LIMITS; i++) {
		if (r->node.limits[i][0] != '\0' &&
		    sr_limit_parse(i, r->node.limits[i], &o) < 0) {
			(void) snprintf(err, errlen,
			    "the '%s' line: '%s' is not a valid value (above)",
			    nngmpc_roster_limit_names[i], r->node.limits[i]);
			return (false);
		}
	}
	return (true);
}

void
nngmpc_reload_unapplied(const struct nngmpc_roster *cur,
    const struct nngmpc_roster *next, uint32_t id, nngmpc_say_fn say)
{
	const struct nngmpc_party *a = nngmpc_roster_find(cur, id);
	const struct nngmpc_party *b = nngmpc_roster_find(next, id);

	if (memcmp(cur->session_id, next->session_id,
	        sizeof(cur->session_id)) != 0 ||
	    memcmp(cur->session_key, next->session_key,
	        sizeof(cur->session_key)) != 0) {
		say("reload: the session ID or key changed: restart the node "
		    "to apply it");
	}
	if (strcmp(cur->scheme, next->scheme) != 0) {
		say("reload: the scheme changed (%s -> %s): restart the node "
		    "to apply it",
		    cur->scheme, next->scheme);
	}
	if (a != NULL && b != NULL && strcmp(a->address, b->address) != 0) {
		say("reload: party %u's own address changed (%s -> %s): "
		    "restart the node to apply it",
		    (unsigned) id, a->address, b->address);
	}
	/* The mesh dials the parties with a lower ID (mesh.c). */
	for (size_t i = 0; i < next->nparties; i++) {
		const struct nngmpc_party *p = &next->parties[i];
		const struct nngmpc_party *o = nngmpc_roster_find(cur, p->id);
		if (p->id < id &&
		    (o == NULL || strcmp(o->address, p->address) != 0)) {
			say("reload: party %u is new or moved to %s: it is "
			    "allowed, but dialing it needs a restart",
			    (unsigned) p->id, p->address);
		}
	}
}

/* Sets limit i from its line's text ("" : the transport's default). */
static int
sr_limit_set(nng_socket mesh, int i, const char *text)
{
	struct nngmpc_node_opts o;
	const char *            what;
	uint64_t                zero = 0;
	int                     cr   = SR_DEFAULT_CONN_RATE;
	nng_duration            hb   = SR_DEFAULT_HEARTBEAT_MS;
	static const char *const opt[NNGMPC_ROSTER_LIMITS] = {
		NNG_OPT_MPC_RATE_MSGS,
		NNG_OPT_MPC_RATE_BYTES,
		NNG_OPT_MPC_RATE_POLICY,
		NNG_OPT_MPC_CONN_RATE,
		NNG_OPT_MPC_HEARTBEAT,
	};

	if (text[0] != '\0') {
		if (sr_limit_parse(i, text, &o) < 0) {
			return (NNG_EINVAL);
		}
		return (nngmpc_node_limits(mesh, &o, &what));
	}
	switch (i) {
	case 0:
	case 1:
		return (nng_mpc_socket_set(mesh, opt[i], &zero, sizeof(zero)));
	case 2:
		return (nng_mpc_socket_set(
		    mesh, opt[i], "backpressure", strlen("backpressure") + 1));
	case 3:
		return (nng_mpc_socket_set(mesh, opt[i], &cr, sizeof(cr)));
	default:
		return (nng_mpc_socket_set(mesh, opt[i], &hb, sizeof(hb)));
	}
}

/* The pipe filter's lines that changed: set, one line each. */
static int
sr_limits(nng_socket mesh, const struct nngmpc_roster *cur,
    const struct nngmpc_roster *next, nngmpc_say_fn say)
{
	static const char *const applies[NNGMPC_ROSTER_LIMITS] = {
		"every connection",
		"every connection",
		"every connection",
		"new connections",
		"connections made from now on",
	};
	int rv;

	for (int i = 0; i < NNGMPC_ROSTER_LIMITS; i++) {
		const char *a = cur->node.limits[i];
		const char *b = next->node.limits[i];
		if (strcmp(a, b) == 0) {
			continue;
		}
		if ((rv = sr_limit_set(mesh, i, b)) != 0) {
			say("reload failed at the '%s' line: %s",
			    nngmpc_roster_limit_names[i], nng_mpc_strerror(rv));
			return (rv);
		}
		say("reload: %s %s -> %s (%s)", nngmpc_roster_limit_names[i],
		    a[0] != '\0' ? a : "(default)", b[0] != '\0' ? b : "(default)",
		    applies[i]);
	}
	return (0);
}

/* Sets the pins and the deny list of r on the mesh ("" clears). */
static int
sr_lists_set(nng_socket mesh, const struct nngmpc_roster *r, bool pins,
    bool deny, const char **what)
{
	int rv = 0;

	if (pins) {
		*what = "pins";
		rv    = nng_mpc_socket_set(mesh, NNG_OPT_MPC_CERT_PINS,
                    r->node.pins, strlen(r->node.pins) + 1);
	}
	if (rv == 0 && deny) {
		*what = "deny-parties";
		rv    = nng_mpc_socket_set(mesh, NNG_OPT_MPC_DENY_PARTIES,
                    r->node.deny, strlen(r->node.deny) + 1);
	}
	return (rv);
}

int
nngmpc_reload_start(nng_socket mesh, const struct nngmpc_roster *r,
    const char **what)
{
	return (sr_lists_set(mesh, r, r->node.pins[0] != '\0',
	    r->node.deny[0] != '\0', what));
}

/* The pins and the deny list, when they changed: set, one line each;
 * the reload that follows judges the live connections by them. */
static int
sr_lists(nng_socket mesh, const struct nngmpc_roster *cur,
    const struct nngmpc_roster *next, nngmpc_say_fn say)
{
	bool        pins = strcmp(cur->node.pins, next->node.pins) != 0;
	bool        deny = strcmp(cur->node.deny, next->node.deny) != 0;
	const char *what = "";
	int         rv;

	if ((rv = sr_lists_set(mesh, next, pins, deny, &what)) != 0) {
		say("reload failed at the '%s' line: %s", what,
		    nng_mpc_strerror(rv));
		return (rv);
	}
	if (pins) {
		say("reload: pins %s (new connections; live ones are checked "
		    "again)",
		    next->node.pins[0] != '\0' ? "changed" : "removed");
	}
	if (deny) {
		say("reload: deny-parties '%s' -> '%s' (every connection)",
		    cur->node.deny, next->node.deny);
	}
	return (0);
}

int
nngmpc_reload_apply(nng_socket mesh, const struct nngmpc_roster *cur,
    const struct nngmpc_roster *next, uint32_t id, uint32_t *kept,
    nngmpc_say_fn say)
{
	const struct nngmpc_party *self = nngmpc_roster_find(next, id);
	nng_mpc_reload             r;
	int                        rv;

	*kept = 0;
	if (((rv = sr_limits(mesh, cur, next, say)) != 0) ||
	    ((rv = sr_lists(mesh, cur, next, say)) != 0)) {
		return (rv);
	}
	memset(&r, 0, sizeof(r));
	if (nngmpc_roster_is_tls(cur)) {
		r.ca_file       = next->ca;
		r.cert_key_file = self->certkey;
	}
	if ((rv = nng_mpc_socket_reload(mesh, &r)) != 0) {
		say("reload failed%s%s: %s", r.bad_file != NULL ? " at " : "",
		    r.bad_file != NULL ? r.bad_file : "", nng_mpc_strerror(rv));
		return (rv);
	}
	if (r.ca_file != NULL) {
		say("reload: CA and CRLs re-read from %s, certificate from %s",
		    r.ca_file, r.cert_key_file);
	}
	for (uint32_t i = 0; i < r.nclosed && i < NNG_MPC_RELOAD_CLOSED_MAX;
	     i++) {
		say("reload: party %u's connection closed: %s (%s)",
		    (unsigned) r.closed[i].party,
		    nng_mpc_strerror(r.closed[i].reason),
		    nng_mpc_strerror(r.closed[i].cause));
	}
	*kept = r.kept;
	return (0);
}

/* What runs now: the start's roster until a reload applied another. */
static struct nngmpc_roster sr_cur;
static bool                 sr_have;

const struct nngmpc_roster *
nngmpc_reload_current(const struct nngmpc_roster *start)
{
	if (!sr_have) {
		sr_cur  = *start;
		sr_have = true;
	}
	return (&sr_cur);
}

void
nngmpc_reload_adopt(const struct nngmpc_roster *next, uint32_t id)
{
	const struct nngmpc_party *own = nngmpc_roster_find(&sr_cur, id);
	char                       addr[NNGMPC_ROSTER_PATH_MAX];
	uint8_t                    sid[sizeof(sr_cur.session_id)];
	uint8_t                    key[sizeof(sr_cur.session_key)];
	char                       scheme[sizeof(sr_cur.scheme)];

	/* What needs a restart stays as it runs. */
	memcpy(sid, sr_cur.session_id, sizeof(sid));
	memcpy(key, sr_cur.session_key, sizeof(key));
	memcpy(scheme, sr_cur.scheme, sizeof(scheme));
	(void) snprintf(
	    addr, sizeof(addr), "%s", own != NULL ? own->address : "");
	sr_cur = *next;
	memcpy(sr_cur.session_id, sid, sizeof(sid));
	memcpy(sr_cur.session_key, key, sizeof(key));
	memcpy(sr_cur.scheme, scheme, sizeof(scheme));
	for (size_t i = 0; i < sr_cur.nparties; i++) {
		if (sr_cur.parties[i].id == id && addr[0] != '\0') {
			(void) snprintf(sr_cur.parties[i].address,
			    sizeof(sr_cur.parties[i].address), "%s", addr);
		}
	}
	nngmpc_secure_zero(key, sizeof(key));
}

void
nngmpc_reload_forget(void)
{
	nngmpc_secure_zero(&sr_cur, sizeof(sr_cur));
	sr_have = false;
}
