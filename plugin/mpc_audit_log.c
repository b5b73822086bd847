/*
 * mpc_audit_log.c -- the audit sink: a bounded queue the transport's
 * threads fill, one writer thread that turns records into chained JSON
 * lines (mpc_audit_json.c), seals every seal_records records or
 * seal_seconds seconds -- whichever comes first, empty epochs included --
 * ratchets the sealing key after each seal (mpc_audit_seal.c), and rotates
 * the file by size.
 *
 * Files: the active log is PATH; rotation renames it to PATH.<n>, n = 1,
 * 2, ... in the order they were written (PATH.1 is the oldest), seals the
 * old file's end first, and starts the new PATH with a "file" record
 * naming the previous file; "prev" continues the one chain, and "seq"
 * keeps counting.
 *
 * Resuming: opening an existing PATH reads it to its last line (the chain
 * head and seq continue); a torn last line (a crash mid-write, no newline)
 * is cut and the cut is logged in the "open" record.  If the last line is
 * a seal of the state's epoch (a crash between writing the seal and saving
 * the ratcheted state), the key is ratcheted before anything else is
 * sealed, so no epoch is ever sealed twice.
 *
 * Threading: one mutex per log guards the queue, the counters and the
 * reference count's consumers; producers hold it only to copy one record
 * in (never across I/O); the writer holds it only to take a batch's
 * indices, then reads those slots unlocked (they stay counted, so no
 * producer reuses them until the writer releases them).  Everything else
 * (fd, chain head, key) belongs
 * to the writer thread, or to the opener before the thread starts and
 * the closer after it ended.  A process-wide registry (its own mutex)
 * shares one log per path, since two writers on one file would fork the
 * chain.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "mpc_audit.h"
#include "mpc_wipe.h"

#define AUDIT_BATCH 64 /* records the writer takes per lock */

struct nng_mpc_audit {
	/* --- guarded by audit_registry_mtx */
	int            refs;
	nng_mpc_audit *next;

	/* --- guarded by mtx */
	pthread_mutex_t       mtx;
	pthread_cond_t        cv_work; /* writer: work, deadline or close */
	pthread_cond_t        cv_done; /* flushers: a batch was written */
	struct mpc_audit_rec *ring;
	uint32_t              cap, first, count;
	bool                  writer_idle;
	bool                  closing;
	uint64_t              lost_pending;
	uint64_t              enqueued; /* records accepted so far */
	uint64_t              handled;  /* of those, written or discarded */
	int                   werr;     /* first write error */
	nng_mpc_audit_stats   stats;

	/* --- immutable after open */
	char               path[PATH_MAX];
	char               seal_path[PATH_MAX];
	nng_mpc_audit_opts opts;
	pthread_t          thr;

	/* --- the writer's */
	int                    fd;
	uint64_t               size;
	uint64_t               seq;
	uint64_t               part; /* rotated files so far */
	uint64_t               since_seal;
	struct timespec        deadline; /* CLOCK_MONOTONIC */
	uint8_t                head[MPC_AUDIT_HASH_LEN];
	struct mpc_audit_state st;
	char                   line[MPC_AUDIT_LINE_MAX + 1];
};

static pthread_mutex_t audit_registry_mtx = PTHREAD_MUTEX_INITIALIZER;
static nng_mpc_audit * audit_registry;

static int
audit_errno(int e)
{
	switch (e) {
	case ENOENT:
		return (NNG_ENOENT);
	case EACCES:
	case EPERM:
		return (NNG_EPERM);
	case ENOSPC:
		return (NNG_ENOSPC);
	case ENOMEM:
		return (NNG_ENOMEM);
	default:
		return (NNG_ESYSERR + e);
	}
}

static void
audit_now(struct mpc_audit_rec *r)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	r->ts_sec  = (int64_t) ts.tv_sec;
	r->ts_nsec = ts.tv_nsec;
}

static void
audit_set_deadline(nng_mpc_audit *l)
{
	clock_gettime(CLOCK_MONOTONIC, &l->deadline);
	l->deadline.tv_sec += (time_t) l->opts.seal_seconds;
}

static bool
audit_deadline_passed(const nng_mpc_audit *l)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec > l->deadline.tv_sec ||
	    (now.tv_sec == l->deadline.tv_sec &&
	        now.tv_nsec >= l->deadline.tv_nsec));
}

/* ---- writing (the writer thread, or the opener/closer) --------------- */

static int
audit_write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return (audit_errno(n < 0 ? errno : EIO));
		}
		p += n;
		len -= (size_t) n;
	}
	return (0);
}

/* Appends rec as the next line of the chain. */
static int
audit_append(nng_mpc_audit *l, const struct mpc_audit_rec *rec)
{
	size_t len;
	int    rv;

	len = mpc_audit_json_line(l->line, sizeof(l->line) - 1, rec, l->seq,
	    l->head);
	if (len == 0) {
		return (NNG_ENOMEM);
	}
	l->line[len] = '\n';
	if ((rv = audit_write_all(l->fd, l->line, len + 1)) != 0) {
		return (rv);
	}
	if ((rv = mpc_audit_sha256(l->head, l->line, len)) != 0) {
		return (rv);
	}
	l->seq++;
	l->size += len + 1;
	if (l->opts.fsync == NNG_MPC_AUDIT_FSYNC_ALWAYS &&
	    fdatasync(l->fd) != 0) {
		return (audit_errno(errno));
	}
	pthread_mutex_lock(&l->mtx);
	l->stats.records++;
	pthread_mutex_unlock(&l->mtx);
	return (0);
}

/*
 * A checkpoint: MAC (epoch, seq, head) under k_epoch, write, make durable
 * (policy), then ratchet the key and save the state so k_epoch exists
 * nowhere any more.
 */
static int
audit_seal(nng_mpc_audit *l)
{
	struct mpc_audit_rec rec;
	int                  rv;

	memset(&rec, 0, sizeof(rec));
	rec.kind   = MPC_AUDIT_REC_SEAL;
	rec.epoch  = l->st.epoch;
	rec.number = l->since_seal;
	audit_now(&rec);
	if ((rv = mpc_audit_seal_mac(rec.mac, l->st.key, l->st.log_id,
	         l->st.epoch, l->seq, l->head)) != 0 ||
	    (rv = audit_append(l, &rec)) != 0) {
		return (rv);
	}
	if (l->opts.fsync != NNG_MPC_AUDIT_FSYNC_NONE && fsync(l->fd) != 0) {
		return (audit_errno(errno));
	}
	if ((rv = mpc_audit_ratchet(l->st.key)) != 0) {
		return (rv);
	}
	l->st.epoch++;
	if ((rv = mpc_audit_state_save(&l->st, l->seal_path)) != 0) {
		return (rv);
	}
	l->since_seal = 0;
	audit_set_deadline(l);
	pthread_mutex_lock(&l->mtx);
	l->stats.seals++;
	pthread_mutex_unlock(&l->mtx);
	return (0);
}

static int
audit_open_fd(nng_mpc_audit *l)
{
	struct stat sb;

	l->fd = open(l->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (l->fd < 0) {
		return (audit_errno(errno));
	}
	/* One writer per file: a second process would fork the chain (and
	 * race for the sealing state). */
	if (flock(l->fd, LOCK_EX | LOCK_NB) != 0) {
		return (errno == EWOULDBLOCK ? NNG_EBUSY : audit_errno(errno));
	}
	if (fstat(l->fd, &sb) != 0) {
		return (audit_errno(errno));
	}
	l->size = (uint64_t) sb.st_size;
	return (0);
}

/* PATH.<n>; false if it does not fit (open() checked PATH's length). */
static bool
audit_part_name(char *out, size_t sz, const char *path, uint64_t n)
{
	int len = snprintf(out, sz, "%s.%" PRIu64, path, n);

	return (len > 0 && (size_t) len < sz);
}

static const char *
audit_basename(const char *p)
{
	const char *s = strrchr(p, '/');

	return (s != NULL ? s + 1 : p);
}

/* The first record of a file that continues the chain of PATH.<part>. */
static int
audit_file_record(nng_mpc_audit *l)
{
	struct mpc_audit_rec rec;

	memset(&rec, 0, sizeof(rec));
	rec.kind   = MPC_AUDIT_REC_FILE;
	rec.number = l->part;
	audit_now(&rec);
	if (!audit_part_name(rec.detail, sizeof(rec.detail),
	        audit_basename(l->path), l->part)) {
		return (NNG_EINVAL);
	}
	return (audit_append(l, &rec));
}

/* Seal the full file, rename it to PATH.<n>, start PATH anew. */
static int
audit_rotate(nng_mpc_audit *l)
{
	char to[PATH_MAX + 32];
	int  rv;

	if ((rv = audit_seal(l)) != 0) {
		return (rv);
	}
	if (!audit_part_name(to, sizeof(to), l->path, l->part + 1)) {
		return (NNG_EINVAL);
	}
	if (close(l->fd) != 0) {
		l->fd = -1;
		return (audit_errno(errno));
	}
	l->fd = -1;
	if (rename(l->path, to) != 0) {
		return (audit_errno(errno));
	}
	l->part++;
	if ((rv = audit_open_fd(l)) != 0) {
		return (rv);
	}
	pthread_mutex_lock(&l->mtx);
	l->stats.rotations++;
	pthread_mutex_unlock(&l->mtx);
	return (audit_file_record(l));
}

/* One queued record: rotate if it would not fit, write, seal if due. */
static int
audit_emit(nng_mpc_audit *l, const struct mpc_audit_rec *rec)
{
	int rv;

	if (l->opts.max_bytes != 0 && l->size > 0 &&
	    l->size + MPC_AUDIT_LINE_MAX > l->opts.max_bytes &&
	    (rv = audit_rotate(l)) != 0) {
		return (rv);
	}
	if ((rv = audit_append(l, rec)) != 0) {
		return (rv);
	}
	l->since_seal++;
	if (l->since_seal >= l->opts.seal_records) {
		return (audit_seal(l));
	}
	return (0);
}

static void
audit_fail(nng_mpc_audit *l, int rv)
{
	pthread_mutex_lock(&l->mtx);
	if (l->werr == 0) {
		l->werr = rv;
		(void) fprintf(stderr,
		    "nng-mpc: audit log %s: write failed, log stopped: %s\n",
		    l->path, nng_mpc_strerror(rv));
	}
	l->stats.write_errors++;
	pthread_mutex_unlock(&l->mtx);
}

static void *
audit_writer(void *arg)
{
	nng_mpc_audit *l = arg;
	uint32_t       n, start;
	uint64_t       lost;
	bool           last;
	int            rv = 0;

	pthread_mutex_lock(&l->mtx);
	for (;;) {
		while (l->count == 0 && l->lost_pending == 0 && !l->closing &&
		    !audit_deadline_passed(l)) {
			l->writer_idle = true;
			(void) pthread_cond_timedwait(
			    &l->cv_work, &l->mtx, &l->deadline);
			l->writer_idle = false;
		}
		/* Slots first..first+n-1 stay counted (so producers leave
		 * them alone) while the writer reads them unlocked. */
		n               = l->count < AUDIT_BATCH ? l->count : AUDIT_BATCH;
		start           = l->first;
		lost            = l->lost_pending;
		l->lost_pending = 0;
		last            = l->closing && l->count == n;
		rv              = l->werr;
		pthread_mutex_unlock(&l->mtx);

		for (uint32_t i = 0; i < n && rv == 0; i++) {
			rv = audit_emit(l, &l->ring[(start + i) % l->cap]);
		}
		if (lost > 0 && rv == 0) {
			/* Space came back: say how much was lost. */
			struct mpc_audit_rec rec;

			memset(&rec, 0, sizeof(rec));
			rec.kind   = MPC_AUDIT_REC_LOST;
			rec.number = lost;
			audit_now(&rec);
			rv = audit_emit(l, &rec);
		}
		if (rv == 0 && !last && audit_deadline_passed(l)) {
			rv = audit_seal(l); /* the timer: empty epochs too */
		}
		if (rv != 0) {
			audit_fail(l, rv);
		}
		pthread_mutex_lock(&l->mtx);
		if (l->werr != 0) {
			l->stats.lost += n; /* discarded after a failure */
		}
		l->first = (l->first + n) % l->cap;
		l->count -= n;
		l->handled += n;
		pthread_cond_broadcast(&l->cv_done);
		if (last) {
			break;
		}
	}
	pthread_mutex_unlock(&l->mtx);
	return (NULL);
}

/* ---- opening: resume or start the chain ----------------------------- */

/*
 * Reads PATH (if any) to its end: seq and head of the last line, and
 * whether it is a seal of which epoch.  A torn last line is cut (*cut says
 * how many bytes).  NNG_MPC_EAUDITLOG when a line does not parse.
 */
static int
audit_scan(const char *path, bool *found, uint64_t *seq,
    uint8_t head[MPC_AUDIT_HASH_LEN], bool *last_seal, uint64_t *seal_epoch,
    size_t *cut)
{
	FILE *  f;
	char *  buf = NULL;
	size_t  bufsz = 0;
	ssize_t n;
	off_t   good = 0;
	int     rv   = 0;

	*found = false;
	*cut   = 0;
	if ((f = fopen(path, "re")) == NULL) {
		return (errno == ENOENT ? 0 : audit_errno(errno));
	}
	while ((n = getline(&buf, &bufsz, f)) > 0) {
		json_object *o, *v;

		if (buf[n - 1] != '\n') {
			*cut = (size_t) n; /* torn: no newline */
			break;
		}
		buf[n - 1] = '\0';
		o          = json_tokener_parse(buf);
		if (o == NULL || !json_object_is_type(o, json_type_object) ||
		    !json_object_object_get_ex(o, "seq", &v) ||
		    !json_object_is_type(v, json_type_int)) {
			json_object_put(o);
			rv = NNG_MPC_EAUDITLOG;
			break;
		}
		*seq       = json_object_get_uint64(v);
		*last_seal = json_object_object_get_ex(o, "event", &v) &&
		    strcmp(json_object_get_string(v), "seal") == 0 &&
		    json_object_object_get_ex(o, "epoch", &v);
		if (*last_seal) {
			*seal_epoch = json_object_get_uint64(v);
		}
		json_object_put(o);
		if ((rv = mpc_audit_sha256(head, buf, (size_t) n - 1)) != 0) {
			break;
		}
		*found = true;
		good += n;
	}
	free(buf);
	(void) fclose(f);
	if (rv == 0 && *cut > 0 && truncate(path, good) != 0) {
		rv = audit_errno(errno);
	}
	return (rv);
}

static int
audit_resume(nng_mpc_audit *l, char *note, size_t notesz)
{
	char     part[PATH_MAX + 32];
	bool     found = false, last_seal = false;
	uint64_t seal_epoch = 0, seq = 0;
	size_t   cut = 0;
	int      rv;

	note[0] = '\0';
	for (;;) { /* PATH.1 .. PATH.<part> exist */
		struct stat sb;

		if (!audit_part_name(part, sizeof(part), l->path, l->part + 1) ||
		    stat(part, &sb) != 0) {
			break;
		}
		l->part++;
	}
	if ((rv = audit_scan(l->path, &found, &seq, l->head, &last_seal,
	         &seal_epoch, &cut)) != 0) {
		return (rv);
	}
	if (!found && l->part > 0) {
		/* Crashed between rotating and the new file's first line. */
		if (!audit_part_name(part, sizeof(part), l->path, l->part)) {
			return (NNG_EINVAL);
		}
		if ((rv = audit_scan(part, &found, &seq, l->head, &last_seal,
		         &seal_epoch, &cut)) != 0) {
			return (rv);
		}
		if (!found) {
			return (NNG_MPC_EAUDITLOG);
		}
	}
	if (!found) {
		if (l->st.epoch != 0) {
			/* The log this state sealed is gone. */
			return (NNG_MPC_EAUDITSTATE);
		}
		l->seq = 0;
		snprintf(note, notesz, "new log");
		return (mpc_audit_genesis(l->head, l->st.log_id));
	}
	l->seq = seq + 1;
	if (last_seal && seal_epoch >= l->st.epoch) {
		if (seal_epoch != l->st.epoch) {
			return (NNG_MPC_EAUDITSTATE); /* state is from elsewhere */
		}
		/* Sealed, but the ratcheted state never reached the disk. */
		if ((rv = mpc_audit_ratchet(l->st.key)) != 0) {
			return (rv);
		}
		l->st.epoch++;
		if ((rv = mpc_audit_state_save(&l->st, l->seal_path)) != 0) {
			return (rv);
		}
	}
	snprintf(note, notesz, "resumed at seq %" PRIu64 "%s", l->seq,
	    cut > 0 ? ", torn last line cut" : "");
	if (cut > 0) {
		snprintf(note + strlen(note), notesz - strlen(note),
		    " (%zu bytes)", cut);
	}
	return (0);
}

static int
audit_opts_check(nng_mpc_audit_opts *o, const nng_mpc_audit_opts *in)
{
	memset(o, 0, sizeof(*o));
	if (in != NULL) {
		*o = *in;
	}
	if (o->seal_records == 0) {
		o->seal_records = NNG_MPC_AUDIT_SEAL_RECORDS_DEFAULT;
	}
	if (o->seal_seconds == 0) {
		o->seal_seconds = NNG_MPC_AUDIT_SEAL_SECONDS_DEFAULT;
	}
	if (o->queue_len == 0) {
		o->queue_len = NNG_MPC_AUDIT_QUEUE_DEFAULT;
	}
	if (o->queue_len > NNG_MPC_AUDIT_QUEUE_MAX ||
	    (o->max_bytes != 0 && o->max_bytes < NNG_MPC_AUDIT_MAX_BYTES_MIN) ||
	    (o->fsync != NNG_MPC_AUDIT_FSYNC_SEAL &&
	        o->fsync != NNG_MPC_AUDIT_FSYNC_NONE &&
	        o->fsync != NNG_MPC_AUDIT_FSYNC_ALWAYS)) {
		return (NNG_EINVAL);
	}
	return (0);
}

static void
audit_free(nng_mpc_audit *l)
{
	if (l->fd >= 0) {
		(void) close(l->fd);
	}
	free(l->ring);
	pthread_cond_destroy(&l->cv_work);
	pthread_cond_destroy(&l->cv_done);
	pthread_mutex_destroy(&l->mtx);
	mpc_wipe_free(l, sizeof(*l)); /* the key is in l->st */
}

static int
audit_start(nng_mpc_audit *l)
{
	struct mpc_audit_rec rec;
	struct stat          sb;
	char                 note[128];
	char                 id[2 * MPC_AUDIT_LOGID_LEN + 1];
	pthread_condattr_t   ca;
	int                  rv;

	pthread_mutex_init(&l->mtx, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&l->cv_work, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&l->cv_done, NULL);
	l->cap = l->opts.queue_len;
	if ((l->ring = calloc(l->cap, sizeof(*l->ring))) == NULL) {
		return (NNG_ENOMEM);
	}
	/* Locked before it is read: the resume sees the whole file. */
	if ((rv = audit_open_fd(l)) != 0 ||
	    (rv = audit_resume(l, note, sizeof(note))) != 0) {
		return (rv);
	}
	if (fstat(l->fd, &sb) != 0) {
		return (audit_errno(errno));
	}
	l->size = (uint64_t) sb.st_size; /* after a torn line was cut */
	audit_set_deadline(l);
	if (l->size == 0 && l->part > 0 && (rv = audit_file_record(l)) != 0) {
		return (rv);
	}
	memset(&rec, 0, sizeof(rec));
	rec.kind = MPC_AUDIT_REC_OPEN;
	audit_now(&rec);
	mpc_audit_hex(id, l->st.log_id, sizeof(l->st.log_id));
	snprintf(rec.detail, sizeof(rec.detail),
	    "log-id %s epoch %" PRIu64 " pid %ld: %s", id, l->st.epoch,
	    (long) getpid(), note);
	if ((rv = audit_append(l, &rec)) != 0) {
		return (rv);
	}
	l->since_seal++;
	if (pthread_create(&l->thr, NULL, audit_writer, l) != 0) {
		return (NNG_ENOMEM);
	}
	return (0);
}

/* The log's directory resolved (realpath) plus its file name, so two
 * spellings of one file share one log instead of forking its chain. */
static int
audit_canonical(char canon[PATH_MAX], const char *path)
{
	char        dir[PATH_MAX], real[PATH_MAX];
	const char *base = audit_basename(path);
	size_t      dlen = (size_t) (base - path);
	int         n;

	if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
		return (NNG_EINVAL);
	}
	if (dlen == 0) {
		snprintf(dir, sizeof(dir), ".");
	} else {
		memcpy(dir, path, dlen);
		dir[dlen] = '\0';
	}
	if (realpath(dir, real) == NULL) {
		return (audit_errno(errno));
	}
	n = snprintf(canon, PATH_MAX, "%s/%s",
	    strcmp(real, "/") == 0 ? "" : real, base);
	return (n < 0 || n >= PATH_MAX - 32 ? NNG_EINVAL : 0);
}

int
nng_mpc_audit_open(nng_mpc_audit **out, const char *path,
    const char *seal_file, const nng_mpc_audit_opts *opts)
{
	nng_mpc_audit *l;
	char           msg[256];
	int            rv;

	char           canon[PATH_MAX];

	if (out == NULL || path == NULL || seal_file == NULL ||
	    strlen(path) >= PATH_MAX - 32 || strlen(seal_file) >= PATH_MAX) {
		return (NNG_EINVAL);
	}
	*out = NULL;
	if ((rv = audit_canonical(canon, path)) != 0) {
		return (rv);
	}
	pthread_mutex_lock(&audit_registry_mtx);
	for (l = audit_registry; l != NULL; l = l->next) {
		if (strcmp(l->path, canon) == 0) {
			l->refs++;
			pthread_mutex_unlock(&audit_registry_mtx);
			*out = l;
			return (0);
		}
	}
	if ((l = mpc_zalloc(sizeof(*l))) == NULL) {
		pthread_mutex_unlock(&audit_registry_mtx);
		return (NNG_ENOMEM);
	}
	l->fd = -1;
	snprintf(l->path, sizeof(l->path), "%s", canon);
	snprintf(l->seal_path, sizeof(l->seal_path), "%s", seal_file);
	if ((rv = audit_opts_check(&l->opts, opts)) != 0) {
		mpc_wipe_free(l, sizeof(*l));
		pthread_mutex_unlock(&audit_registry_mtx);
		return (rv);
	}
	if ((rv = mpc_audit_state_load(&l->st, seal_file, false, msg,
	         sizeof(msg))) != 0) {
		(void) fprintf(stderr, "nng-mpc: audit log: %s\n", msg);
		mpc_wipe_free(l, sizeof(*l));
		pthread_mutex_unlock(&audit_registry_mtx);
		return (rv);
	}
	if ((rv = audit_start(l)) != 0) {
		audit_free(l);
		pthread_mutex_unlock(&audit_registry_mtx);
		return (rv);
	}
	l->refs        = 1;
	l->next        = audit_registry;
	audit_registry = l;
	pthread_mutex_unlock(&audit_registry_mtx);
	*out = l;
	return (0);
}

void
mpc_audit_log_hold(nng_mpc_audit *l)
{
	pthread_mutex_lock(&audit_registry_mtx);
	l->refs++;
	pthread_mutex_unlock(&audit_registry_mtx);
}

/* The last reference: stop the writer, then seal and close here. */
static void
audit_finish(nng_mpc_audit *l)
{
	struct mpc_audit_rec rec;
	int                  rv;

	pthread_mutex_lock(&l->mtx);
	l->closing = true;
	pthread_cond_signal(&l->cv_work);
	pthread_mutex_unlock(&l->mtx);
	(void) pthread_join(l->thr, NULL);
	if (l->werr == 0) {
		memset(&rec, 0, sizeof(rec));
		rec.kind = MPC_AUDIT_REC_CLOSE;
		audit_now(&rec);
		snprintf(rec.detail, sizeof(rec.detail), "pid %ld",
		    (long) getpid());
		if ((rv = audit_append(l, &rec)) != 0 ||
		    (l->since_seal++, rv = audit_seal(l)) != 0 ||
		    (rv = (fsync(l->fd) == 0 ? 0 : audit_errno(errno))) != 0) {
			audit_fail(l, rv);
		}
	}
	audit_free(l);
}

void
mpc_audit_log_rele(nng_mpc_audit *l)
{
	nng_mpc_audit **pp;

	pthread_mutex_lock(&audit_registry_mtx);
	if (--l->refs > 0) {
		pthread_mutex_unlock(&audit_registry_mtx);
		return;
	}
	for (pp = &audit_registry; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == l) {
			*pp = l->next;
			break;
		}
	}
	pthread_mutex_unlock(&audit_registry_mtx);
	audit_finish(l);
}

void
nng_mpc_audit_close(nng_mpc_audit *l)
{
	if (l != NULL) {
		mpc_audit_log_rele(l);
	}
}

static void
audit_copy_str(char *dst, const char *src, size_t sz)
{
	size_t n = strnlen(src, sz - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

void
mpc_audit_log_put(nng_mpc_audit *l, const struct mpc_audit_rec *rec)
{
	struct mpc_audit_rec *slot;

	pthread_mutex_lock(&l->mtx);
	if (l->count == l->cap || l->closing) {
		l->lost_pending++;
		l->stats.lost++;
		pthread_mutex_unlock(&l->mtx);
		return;
	}
	slot = &l->ring[(l->first + l->count) % l->cap];
	/* The fixed fields, then each string up to its NUL: a record is
	 * ~2 KiB of mostly empty buffers, and every line of the slot the
	 * producer touches has to come over from the writer's core. */
	memcpy(slot, rec, offsetof(struct mpc_audit_rec, url));
	audit_copy_str(slot->url, rec->url, sizeof(slot->url));
	audit_copy_str(slot->remote, rec->remote, sizeof(slot->remote));
	audit_copy_str(slot->subject, rec->subject, sizeof(slot->subject));
	audit_copy_str(
	    slot->tls_version, rec->tls_version, sizeof(slot->tls_version));
	audit_copy_str(
	    slot->tls_cipher, rec->tls_cipher, sizeof(slot->tls_cipher));
	audit_copy_str(slot->detail, rec->detail, sizeof(slot->detail));
	/* Time taken under the lock: seq order is time order. */
	audit_now(slot);
	l->count++;
	l->enqueued++;
	if (l->count > l->stats.queue_max) {
		l->stats.queue_max = l->count;
	}
	if (l->writer_idle) {
		l->writer_idle = false;
		pthread_cond_signal(&l->cv_work);
	}
	pthread_mutex_unlock(&l->mtx);
}

int
nng_mpc_audit_flush(nng_mpc_audit *l)
{
	uint64_t target;
	int      rv;

	if (l == NULL) {
		return (NNG_EINVAL);
	}
	pthread_mutex_lock(&l->mtx);
	target = l->enqueued;
	while (l->handled < target && l->werr == 0) {
		pthread_cond_signal(&l->cv_work);
		pthread_cond_wait(&l->cv_done, &l->mtx);
	}
	rv = l->werr;
	pthread_mutex_unlock(&l->mtx);
	return (rv);
}

void
nng_mpc_audit_stats_get(nng_mpc_audit *l, nng_mpc_audit_stats *out)
{
	if (l == NULL || out == NULL) {
		if (out != NULL) {
			memset(out, 0, sizeof(*out));
		}
		return;
	}
	pthread_mutex_lock(&l->mtx);
	*out = l->stats;
	pthread_mutex_unlock(&l->mtx);
}
