/*
 * mpc_audit_json.c -- one audit record as one JSON Lines line (RFC 8259
 * object, json-c), fields in a fixed order: seq, ts, event, the event's
 * fields, prev.  Only fields that exist in a struct mpc_audit_rec can be
 * written, and that struct holds no key material, so no record can carry
 * a secret (test/audit/test_audit_secret.c checks a real session).
 *
 * Threading: stateless; the writer thread calls it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "mpc_audit.h"

static const char *const kind_names[] = {
	[MPC_AUDIT_REC_OPEN]        = "open",
	[MPC_AUDIT_REC_FILE]        = "file",
	[MPC_AUDIT_REC_SEAL]        = "seal",
	[MPC_AUDIT_REC_LOST]        = "lost",
	[MPC_AUDIT_REC_CLOSE]       = "close",
	[MPC_AUDIT_REC_HANDSHAKE]   = "handshake",
	[MPC_AUDIT_REC_REFUSED]     = "refused",
	[MPC_AUDIT_REC_PIPE_CLOSED] = "pipe_closed",
	[MPC_AUDIT_REC_REPLACED]    = "replaced",
	[MPC_AUDIT_REC_REKEY]       = "rekey",
	[MPC_AUDIT_REC_REJECTS]     = "rejects",
	[MPC_AUDIT_REC_ADMISSION]   = "admission",
	[MPC_AUDIT_REC_CONFIG]      = "config",
};

static const char *const count_names[7] = { "frames_in", "frames_out",
	"bytes_in", "bytes_out", "rejected", "auth_failures", "replays" };

const char *
mpc_audit_kind_name(enum mpc_audit_kind k)
{
	if ((unsigned) k >= sizeof(kind_names) / sizeof(kind_names[0]) ||
	    kind_names[k] == NULL) {
		return ("unknown");
	}
	return (kind_names[k]);
}

/* json-c's add never fails for a fresh key except on memory exhaustion;
 * a failure is remembered and the line not written. */
static void
add(json_object *o, const char *key, json_object *v, int *err)
{
	if (v == NULL || json_object_object_add(o, key, v) != 0) {
		json_object_put(v);
		*err = 1;
	}
}

/* Length of the valid UTF-8 sequence at p (RFC 3629 section 4: no
 * overlongs, no surrogates, at most U+10FFFF), or 0. */
static size_t
utf8_len(const unsigned char *p)
{
	if (p[0] < 0x80) {
		return (1);
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		return ((p[1] & 0xc0) == 0x80 ? 2 : 0);
	}
	if (p[0] >= 0xe0 && p[0] <= 0xef) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[0] == 0xe0 && p[1] < 0xa0) ||
		    (p[0] == 0xed && p[1] > 0x9f)) {
			return (0);
		}
		return (3);
	}
	if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[3] & 0xc0) != 0x80 || (p[0] == 0xf0 && p[1] < 0x90) ||
		    (p[0] == 0xf4 && p[1] > 0x8f)) {
			return (0);
		}
		return (4);
	}
	return (0);
}

/*
 * Strings come from peers (certificate subjects, addresses): RFC 8259
 * section 8.1 wants UTF-8, so a byte that does not start a valid sequence
 * becomes U+FFFD.  json-c escapes quotes and control characters (a
 * newline cannot split a record).
 */
static void
add_str(json_object *o, const char *key, const char *s, int *err)
{
	const unsigned char *p = (const unsigned char *) s;
	char                 buf[3 * MPC_AUDIT_DETAIL_MAX + 1];
	size_t               n = 0, k;

	while (*p != '\0' && n + 4 < sizeof(buf)) {
		if ((k = utf8_len(p)) == 0) {
			memcpy(buf + n, "\xef\xbf\xbd", 3);
			n += 3;
			p++;
			continue;
		}
		memcpy(buf + n, p, k);
		n += k;
		p += k;
	}
	buf[n] = '\0';
	add(o, key, json_object_new_string_len(buf, (int) n), err);
}

static void
add_u64(json_object *o, const char *key, uint64_t v, int *err)
{
	add(o, key, json_object_new_uint64(v), err);
}

/* The endpoint and peer, common to every transport event. */
static void
add_endpoint(json_object *o, const struct mpc_audit_rec *r, int *err)
{
	add_str(o, "url", r->url, err);
	add_str(o, "role", r->dialer ? "dialer" : "listener", err);
	add_u64(o, "self", r->self, err);
	add_u64(o, "party", r->party, err);
	add_str(o, "remote", r->remote, err);
}

/* NNG's own error names (<nng/nng.h>, enum nng_errno_enum), which NNG
 * offers no function for. */
#define NNG_ERR_NAME(e) [e] = #e
static const char *const nng_err_names[] = {
	NNG_ERR_NAME(NNG_EINTR), NNG_ERR_NAME(NNG_ENOMEM),
	NNG_ERR_NAME(NNG_EINVAL), NNG_ERR_NAME(NNG_EBUSY),
	NNG_ERR_NAME(NNG_ETIMEDOUT), NNG_ERR_NAME(NNG_ECONNREFUSED),
	NNG_ERR_NAME(NNG_ECLOSED), NNG_ERR_NAME(NNG_EAGAIN),
	NNG_ERR_NAME(NNG_ENOTSUP), NNG_ERR_NAME(NNG_EADDRINUSE),
	NNG_ERR_NAME(NNG_ESTATE), NNG_ERR_NAME(NNG_ENOENT),
	NNG_ERR_NAME(NNG_EPROTO), NNG_ERR_NAME(NNG_EUNREACHABLE),
	NNG_ERR_NAME(NNG_EADDRINVAL), NNG_ERR_NAME(NNG_EPERM),
	NNG_ERR_NAME(NNG_EMSGSIZE), NNG_ERR_NAME(NNG_ECONNABORTED),
	NNG_ERR_NAME(NNG_ECONNRESET), NNG_ERR_NAME(NNG_ECANCELED),
	NNG_ERR_NAME(NNG_ENOFILES), NNG_ERR_NAME(NNG_ENOSPC),
	NNG_ERR_NAME(NNG_EEXIST), NNG_ERR_NAME(NNG_EREADONLY),
	NNG_ERR_NAME(NNG_EWRITEONLY), NNG_ERR_NAME(NNG_ECRYPTO),
	NNG_ERR_NAME(NNG_EPEERAUTH), NNG_ERR_NAME(NNG_ENOARG),
	NNG_ERR_NAME(NNG_EAMBIGUOUS), NNG_ERR_NAME(NNG_EBADTYPE),
	NNG_ERR_NAME(NNG_ECONNSHUT),
};

static const char *
err_name(int e)
{
	const char *name = nng_mpc_errname(e);

	if (name != NULL) {
		return (name);
	}
	if (e > 0 &&
	    (size_t) e < sizeof(nng_err_names) / sizeof(nng_err_names[0])) {
		return (nng_err_names[e]);
	}
	if (e == NNG_EINTERNAL) {
		return ("NNG_EINTERNAL");
	}
	if (e >= NNG_ESYSERR && e < NNG_ETRANERR) { /* NNG_ESYSERR + errno */
		return ("NNG_ESYSERR");
	}
	return (NULL);
}

/* reason: the code, its symbolic name (an nng-mpc or NNG name; null for
 * none or an unknown code) and the text, so an auditor needs no table. */
static void
add_reason(json_object *o, const struct mpc_audit_rec *r, int *err)
{
	const char *name = err_name(r->reason);

	add(o, "reason_code", json_object_new_int(r->reason), err);
	if (name != NULL) {
		add_str(o, "reason", name, err);
	} else {
		/* JSON null: no reason, or a code without a name. */
		if (json_object_object_add(o, "reason", NULL) != 0) {
			*err = 1;
		}
	}
	add_str(o, "text", r->reason == 0 ? "" : nng_mpc_strerror(r->reason),
	    err);
}

static void
add_counts(json_object *o, const struct mpc_audit_rec *r, int *err)
{
	for (size_t i = 0; i < 7; i++) {
		add_u64(o, count_names[i], r->counts[i], err);
	}
}

static void
add_fields(json_object *o, const struct mpc_audit_rec *r, int *err)
{
	char hex[2 * MPC_AUDIT_HASH_LEN + 1];

	switch (r->kind) {
	case MPC_AUDIT_REC_OPEN:
	case MPC_AUDIT_REC_CLOSE:
		add_str(o, "detail", r->detail, err);
		break;
	case MPC_AUDIT_REC_FILE:
		add_str(o, "previous", r->detail, err);
		add_u64(o, "part", r->number, err);
		break;
	case MPC_AUDIT_REC_SEAL:
		mpc_audit_hex(hex, r->mac, sizeof(r->mac));
		add_u64(o, "epoch", r->epoch, err);
		add_u64(o, "records", r->number, err);
		add_str(o, "mac", hex, err);
		break;
	case MPC_AUDIT_REC_LOST:
		add_u64(o, "count", r->number, err);
		break;
	case MPC_AUDIT_REC_HANDSHAKE:
		add_endpoint(o, r, err);
		add_str(o, "subject", r->subject, err);
		if (r->has_pin) {
			mpc_audit_hex(hex, r->pin, sizeof(r->pin));
			add_str(o, "pin", hex, err);
		} else {
			add_str(o, "pin", "", err);
		}
		add_str(o, "tls_version", r->tls_version, err);
		add_str(o, "tls_cipher", r->tls_cipher, err);
		add(o, "binding", json_object_new_boolean(r->binding), err);
		add_u64(o, "duration_ns", r->duration_ns, err);
		break;
	case MPC_AUDIT_REC_REFUSED:
	case MPC_AUDIT_REC_ADMISSION:
		add_endpoint(o, r, err);
		add_str(o, "subject", r->subject, err);
		add_reason(o, r, err);
		break;
	case MPC_AUDIT_REC_PIPE_CLOSED:
		add_endpoint(o, r, err);
		add_reason(o, r, err);
		add_counts(o, r, err);
		break;
	case MPC_AUDIT_REC_REPLACED:
		add_endpoint(o, r, err);
		break;
	case MPC_AUDIT_REC_REKEY:
		add_endpoint(o, r, err);
		add_u64(o, "epoch", r->epoch, err);
		add_str(o, "detail", r->detail, err); /* direction=send|recv */
		break;
	case MPC_AUDIT_REC_REJECTS:
		/* At most one per pipe and second: the latest reason and
		 * the counts so far. */
		add_endpoint(o, r, err);
		add_reason(o, r, err);
		add_counts(o, r, err);
		break;
	case MPC_AUDIT_REC_CONFIG:
		add_str(o, "url", r->url, err);
		add_str(o, "role", r->dialer ? "dialer" : "listener", err);
		add_u64(o, "self", r->self, err);
		add_str(o, "detail", r->detail, err);
		break;
	}
}

size_t
mpc_audit_json_line(char *buf, size_t bufsz, const struct mpc_audit_rec *r,
    uint64_t seq, const uint8_t prev[MPC_AUDIT_HASH_LEN])
{
	json_object *o   = json_object_new_object();
	int          err = 0;
	char         ts[64];
	char         hex[2 * MPC_AUDIT_HASH_LEN + 1];
	struct tm    tm;
	time_t       sec = (time_t) r->ts_sec;
	const char * s;
	size_t       len = 0;

	if (o == NULL) {
		return (0);
	}
	/* RFC 3339 section 5.6, UTC, nanoseconds. */
	if (gmtime_r(&sec, &tm) == NULL) {
		json_object_put(o);
		return (0);
	}
	snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, r->ts_nsec);
	add_u64(o, "seq", seq, &err);
	add_str(o, "ts", ts, &err);
	add_str(o, "event", mpc_audit_kind_name(r->kind), &err);
	add_fields(o, r, &err);
	mpc_audit_hex(hex, prev, MPC_AUDIT_HASH_LEN);
	add_str(o, "prev", hex, &err);
	if (err == 0) {
		s = json_object_to_json_string_ext(o,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
		if (s != NULL && (len = strlen(s)) < bufsz) {
			memcpy(buf, s, len + 1);
		} else {
			len = 0;
		}
	}
	json_object_put(o);
	return (len);
}
