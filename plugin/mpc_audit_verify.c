/*
 * mpc_audit_verify.c -- checks an audit log (its files oldest first)
 * against the auditor's k_0 (audit.verify): every line parses, seq counts
 * up by one, every prev is the hash of the line before (the first: the
 * genesis of this log's ID), rotated files follow each other, and every
 * seal verifies under its OWN epoch's key, epochs 0, 1, 2, ... with none
 * skipped or repeated.  A seal of epoch e made with any later key fails,
 * so someone holding today's key cannot re-seal old history (the gap
 * CVE-2023-31439 left in systemd-journald).  Records after the last seal
 * fail too (or, with live, are reported): unsealed history does not pass.
 *
 * Tail truncation after the last seal leaves a shorter, valid log; only a
 * record kept elsewhere (expect_seq / expect_head, or the verifier state
 * file) reveals it.
 *
 * The first problem stops the check, reported as FILE:LINE and what is
 * wrong.  Threading: stateless; one call per thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "mpc_audit.h"
#include "mpc_wipe.h"

#define VSTATE_MAGIC "nng-mpc audit verifier state v1"

struct vctx {
	const struct mpc_audit_verify_opts *o;
	struct mpc_audit_verify_result *    r;
	struct mpc_audit_state              k; /* current epoch's key */
	uint64_t                            next_seq;
	uint8_t                             prev[MPC_AUDIT_HASH_LEN];
	const char *                        file;
	size_t                              lineno;
	const char *                        prev_file; /* basename */
	bool                                saw_expect;
	char                                last_seal_where[512];
};

static const char *
base_of(const char *p)
{
	const char *s = strrchr(p, '/');

	return (s != NULL ? s + 1 : p);
}

__attribute__((format(printf, 2, 3))) static int
bad(struct vctx *c, const char *fmt, ...)
{
	va_list ap;

	snprintf(c->r->where, sizeof(c->r->where), "%s:%zu", c->file,
	    c->lineno);
	va_start(ap, fmt);
	vsnprintf(c->r->what, sizeof(c->r->what), fmt, ap);
	va_end(ap);
	return (NNG_MPC_EAUDITBAD);
}

/* A line's seq, or -1 when it has none (for the look-ahead). */
static int64_t
peek_seq(const char *p, size_t len)
{
	json_tokener *tok = json_tokener_new();
	json_object * o, *v;
	int64_t       seq = -1;

	if (tok == NULL) {
		return (-1);
	}
	o = json_tokener_parse_ex(tok, p, (int) len);
	if (o != NULL && json_object_object_get_ex(o, "seq", &v) &&
	    json_object_is_type(v, json_type_int)) {
		seq = json_object_get_int64(v);
	}
	json_object_put(o);
	json_tokener_free(tok);
	return (seq);
}

static const char *
get_str(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string)) {
		return (NULL);
	}
	return (json_object_get_string(v));
}

static bool
get_u64(json_object *o, const char *key, uint64_t *out)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < 0) {
		return (false);
	}
	*out = json_object_get_uint64(v);
	return (true);
}

static int
check_seal(struct vctx *c, json_object *o, uint64_t seq,
    const uint8_t prev[MPC_AUDIT_HASH_LEN])
{
	uint64_t    epoch;
	uint8_t     mac[MPC_AUDIT_HASH_LEN], want[MPC_AUDIT_HASH_LEN];
	const char *hex = get_str(o, "mac");
	int         rv;

	if (!get_u64(o, "epoch", &epoch) || hex == NULL ||
	    !mpc_audit_unhex(mac, sizeof(mac), hex)) {
		return (bad(c, "seal record without a valid epoch or mac"));
	}
	if (epoch < c->k.epoch) {
		return (bad(c,
		    "seal epoch %" PRIu64 " repeats an earlier epoch (expected "
		    "%" PRIu64 "): history was re-sealed",
		    epoch, c->k.epoch));
	}
	if (epoch > c->k.epoch) {
		return (bad(c,
		    "seal epoch jumps from %" PRIu64 " to %" PRIu64
		    ": seals were removed",
		    c->k.epoch, epoch));
	}
	if ((rv = mpc_audit_seal_mac(want, c->k.key, c->k.log_id, epoch, seq,
	         prev)) != 0) {
		return (rv);
	}
	if (!mpc_ct_equal(want, mac, sizeof(mac))) {
		return (bad(c,
		    "seal of epoch %" PRIu64 " does not verify with that "
		    "epoch's key: the history before it was changed, or it was "
		    "sealed with another key",
		    epoch));
	}
	if ((rv = mpc_audit_ratchet(c->k.key)) != 0) {
		return (rv);
	}
	c->k.epoch++;
	c->r->seals++;
	c->r->unsealed   = 0;
	c->r->last_epoch = epoch;
	return (0);
}

/* The first line of every file after the first: a rotation record naming
 * the file read before it. */
static int
check_file_start(struct vctx *c, json_object *o, bool first_file)
{
	const char *ev   = get_str(o, "event");
	const char *prev = get_str(o, "previous");

	if (first_file) {
		return (0);
	}
	if (ev == NULL || strcmp(ev, "file") != 0 || prev == NULL) {
		return (bad(c,
		    "file does not start with a rotation record: it does not "
		    "continue %s",
		    c->prev_file));
	}
	if (strcmp(prev, c->prev_file) != 0) {
		return (bad(c,
		    "this file continues %s, but the file before it is %s: a "
		    "rotated file is missing (or the files are out of order)",
		    prev, c->prev_file));
	}
	return (0);
}

static int
check_line(struct vctx *c, const char *p, size_t len, const char *next,
    size_t nextlen, bool file_start, bool first_file)
{
	json_tokener *tok;
	json_object * o = NULL;
	uint64_t      seq;
	uint8_t       prev[MPC_AUDIT_HASH_LEN];
	const char *  prevhex, *ev;
	int           rv;

	if (len > MPC_AUDIT_LINE_MAX) {
		return (bad(c, "line longer than %d bytes", MPC_AUDIT_LINE_MAX));
	}
	if ((tok = json_tokener_new()) == NULL) {
		return (NNG_ENOMEM);
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, p, (int) len);
	if (o == NULL || json_tokener_get_parse_end(tok) != len ||
	    !json_object_is_type(o, json_type_object)) {
		json_tokener_free(tok);
		json_object_put(o);
		return (bad(c, "not a JSON object (the line was altered)"));
	}
	json_tokener_free(tok);
	prevhex = get_str(o, "prev");
	ev      = get_str(o, "event");
	if (!get_u64(o, "seq", &seq) || prevhex == NULL || ev == NULL ||
	    get_str(o, "ts") == NULL ||
	    !mpc_audit_unhex(prev, sizeof(prev), prevhex)) {
		rv = bad(c, "record lacks seq, ts, event or a valid prev");
		goto out;
	}
	if (file_start && (rv = check_file_start(c, o, first_file)) != 0) {
		goto out;
	}
	if (seq != c->next_seq) {
		if (c->next_seq == 0 && c->r->records == 0) {
			rv = bad(c,
			    "log starts at seq %" PRIu64 ", not 0: its first "
			    "file(s) are missing",
			    seq);
		} else if (seq < c->next_seq) {
			rv = bad(c,
			    "seq goes back from %" PRIu64 " to %" PRIu64
			    ": lines reordered, or another log spliced in",
			    c->next_seq - 1, seq);
		} else if (next != NULL &&
		    peek_seq(next, nextlen) == (int64_t) c->next_seq) {
			rv = bad(c,
			    "lines out of order: seq %" PRIu64
			    " comes before seq %" PRIu64,
			    seq, c->next_seq);
		} else {
			rv = bad(c,
			    "records missing: seq jumps from %" PRIu64
			    " to %" PRIu64,
			    c->next_seq - 1, seq);
		}
		goto out;
	}
	if (!mpc_ct_equal(prev, c->prev, sizeof(prev))) {
		if (c->r->records == 0) {
			rv = bad(c,
			    "prev is not the genesis of this log's ID: another "
			    "log, or not its beginning");
		} else {
			rv = bad(c,
			    "chain broken: prev is not the hash of the line "
			    "before (that line or this one was altered)");
		}
		goto out;
	}
	if (strcmp(ev, "seal") == 0) {
		if ((rv = check_seal(c, o, seq, prev)) != 0) {
			goto out;
		}
		snprintf(c->last_seal_where, sizeof(c->last_seal_where),
		    "%s:%zu", c->file, c->lineno);
	} else {
		c->r->unsealed++;
	}
	if ((rv = mpc_audit_sha256(c->prev, p, len)) != 0) {
		goto out;
	}
	if (c->o->have_expect_seq && seq == c->o->expect_seq) {
		c->saw_expect = true;
		if (c->o->expect_head != NULL) {
			char hex[MPC_AUDIT_HEX_LEN + 1];

			mpc_audit_hex(hex, c->prev, MPC_AUDIT_HASH_LEN);
			if (strcasecmp(hex, c->o->expect_head) != 0) {
				rv = bad(c,
				    "the line with seq %" PRIu64 " is not the "
				    "one recorded earlier (hash %s, expected %s)",
				    seq, hex, c->o->expect_head);
				goto out;
			}
		}
	}
	c->r->records++;
	c->r->last_seq = seq;
	c->next_seq    = seq + 1;
out:
	json_object_put(o);
	return (rv);
}

static int
check_file(struct vctx *c, size_t idx)
{
	struct stat sb;
	const char *data, *p, *end;
	int         fd, rv = 0;

	c->file   = c->o->files[idx];
	c->lineno = 0;
	if ((fd = open(c->file, O_RDONLY | O_CLOEXEC)) < 0 ||
	    fstat(fd, &sb) != 0) {
		snprintf(c->r->where, sizeof(c->r->where), "%s", c->file);
		snprintf(c->r->what, sizeof(c->r->what), "cannot read: %s",
		    strerror(errno));
		if (fd >= 0) {
			(void) close(fd);
		}
		return (NNG_ENOENT);
	}
	if (sb.st_size == 0) {
		(void) close(fd);
		c->lineno = 1;
		return (bad(c, "empty file"));
	}
	data = mmap(NULL, (size_t) sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	(void) close(fd);
	if (data == MAP_FAILED) {
		snprintf(c->r->where, sizeof(c->r->where), "%s", c->file);
		snprintf(c->r->what, sizeof(c->r->what), "cannot map: %s",
		    strerror(errno));
		return (NNG_ENOMEM);
	}
	end = data + sb.st_size;
	for (p = data; p < end && rv == 0;) {
		const char *nl = memchr(p, '\n', (size_t) (end - p));
		const char *next, *nnl;
		size_t      nextlen = 0;

		c->lineno++;
		if (nl == NULL) {
			rv = bad(c,
			    "last line has no newline: the file was cut "
			    "mid-line");
			break;
		}
		next = nl + 1 < end ? nl + 1 : NULL;
		if (next != NULL &&
		    (nnl = memchr(next, '\n', (size_t) (end - next))) != NULL) {
			nextlen = (size_t) (nnl - next);
		} else {
			next = NULL;
		}
		rv = check_line(c, p, (size_t) (nl - p), next, nextlen,
		    p == data, idx == 0);
		p = nl + 1;
	}
	(void) munmap((void *) data, (size_t) sb.st_size);
	c->prev_file = base_of(c->file);
	return (rv);
}

int
mpc_audit_verify(const struct mpc_audit_state *key0,
    const struct mpc_audit_verify_opts *o, struct mpc_audit_verify_result *r)
{
	struct vctx c;
	int         rv = 0;

	memset(r, 0, sizeof(*r));
	memset(&c, 0, sizeof(c));
	c.o = o;
	c.r = r;
	c.k = *key0;
	if (o->nfiles == 0) {
		snprintf(r->what, sizeof(r->what), "no file given");
		return (NNG_EINVAL);
	}
	if ((rv = mpc_audit_genesis(c.prev, c.k.log_id)) != 0) {
		goto out;
	}
	for (size_t i = 0; i < o->nfiles && rv == 0; i++) {
		rv = check_file(&c, i);
	}
	if (rv != 0) {
		goto out;
	}
	memcpy(r->head, c.prev, sizeof(r->head));
	if (o->have_expect_seq && !c.saw_expect) {
		rv = bad(&c,
		    "log ends at seq %" PRIu64 " but seq %" PRIu64
		    " was recorded earlier: its tail was cut",
		    r->last_seq, o->expect_seq);
		goto out;
	}
	if (!o->have_expect_seq && o->expect_head != NULL) {
		char hex[MPC_AUDIT_HEX_LEN + 1];

		mpc_audit_hex(hex, c.prev, MPC_AUDIT_HASH_LEN);
		if (strcasecmp(hex, o->expect_head) != 0) {
			rv = bad(&c,
			    "the last line's hash is not the expected head: the "
			    "tail was cut or changed");
			goto out;
		}
	}
	if (r->unsealed > 0 && !o->live) {
		rv = bad(&c,
		    "unsealed tail: %" PRIu64 " record(s) after the last seal "
		    "(%s) that no seal covers",
		    r->unsealed,
		    c.last_seal_where[0] != '\0' ? c.last_seal_where : "none");
	}
out:
	mpc_wipe(&c.k, sizeof(c.k));
	return (rv);
}

/* ---- the verifier's own state ---------------------------------------- */

int
mpc_audit_vstate_load(const char *path, uint64_t *seq,
    char head[MPC_AUDIT_HEX_LEN + 1], char *msg, size_t msgsz)
{
	FILE *  f = fopen(path, "re");
	char    magic[64];
	uint8_t h[MPC_AUDIT_HASH_LEN];
	int     n;

	if (f == NULL) {
		snprintf(msg, msgsz, "cannot open %s: %s", path,
		    strerror(errno));
		return (errno == ENOENT ? NNG_ENOENT : NNG_EINVAL);
	}
	n = fscanf(f, "%63[^\n]\nseq %" SCNu64 "\nhead %64s\n", magic, seq,
	    head);
	(void) fclose(f);
	if (n != 3 || strcmp(magic, VSTATE_MAGIC) != 0 ||
	    !mpc_audit_unhex(h, sizeof(h), head)) {
		snprintf(msg, msgsz, "%s: not a verifier state file", path);
		return (NNG_EINVAL);
	}
	return (0);
}

int
mpc_audit_vstate_save(
    const char *path, uint64_t seq, const uint8_t head[MPC_AUDIT_HASH_LEN])
{
	char  hex[MPC_AUDIT_HEX_LEN + 1];
	char  tmp[4096];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int) sizeof(tmp)) {
		return (NNG_EINVAL);
	}
	mpc_audit_hex(hex, head, MPC_AUDIT_HASH_LEN);
	if ((f = fopen(tmp, "we")) == NULL) {
		return (NNG_EPERM);
	}
	fprintf(f, "%s\nseq %" PRIu64 "\nhead %s\n", VSTATE_MAGIC, seq, hex);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		(void) fclose(f);
		(void) unlink(tmp);
		return (NNG_EPERM);
	}
	(void) fclose(f);
	if (rename(tmp, path) != 0) {
		(void) unlink(tmp);
		return (NNG_EPERM);
	}
	return (0);
}
