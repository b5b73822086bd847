/*
 * proc.h -- child processes: spawn a program with chosen standard streams
 * and extra environment, read its output (until a needle appears, line by
 * line, or all of it) with a deadline, wait for it with a deadline, kill
 * it.  `nngmpc bench` (its peers), `nngmpc demo` (its nodes) and the tests
 * that run real programs all use this one module.
 *
 * Threading: a struct nngmpc_proc belongs to one thread at a time; the
 * module keeps no global state.  Spawning uses posix_spawn(3), so it is
 * safe in a process that has other threads (NNG's): the child runs no
 * code of ours between fork and exec.
 *
 * Errors: functions that can fail return 0 or a positive errno value
 * (spawn reports the child's exec failure itself, e.g. ENOENT).  An exit
 * status is the child's exit code, or 128 + the signal that ended it (the
 * shell's convention).
 */
#ifndef NNGMPC_PROC_H
#define NNGMPC_PROC_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define NNGMPC_PROC_WUR __attribute__((warn_unused_result))

/* Output kept per stream; what a child writes beyond it is read and
 * dropped (the child never blocks on a full pipe) and text.dropped set. */
#define NNGMPC_PROC_TEXT_MAX (16u * 1024u * 1024u)

/* Most children one nngmpc_proc_poll call watches. */
#define NNGMPC_PROC_POLL_MAX 32

/* Most arguments nngmpc_proc_runv/runl take (program included). */
#define NNGMPC_PROC_ARGS_MAX 64

/* Where one of the child's standard streams goes. */
enum nngmpc_proc_io {
	NNGMPC_PROC_INHERIT = 0, /* our own stream */
	NNGMPC_PROC_NULL,        /* /dev/null */
	NNGMPC_PROC_PIPE,        /* a pipe to (stdin) or from us */
	NNGMPC_PROC_TO_OUT,      /* stderr only: wherever stdout goes */
};

struct nngmpc_proc_spec {
	enum nngmpc_proc_io in, out, err;
	bool                path; /* look the program up in PATH */
	/* The program to run when it is not argv[0] (e.g. /proc/self/exe
	 * with argv[0] "nngmpc"); NULL: argv[0]. */
	const char *file;
	/* Changes to our environment, NULL-terminated, NULL for none:
	 * "NAME=value" sets NAME, "NAME" removes it. */
	const char *const *env;
};

/* Output read so far: s is NUL-terminated once anything was read. */
struct nngmpc_proc_text {
	char  *s;
	size_t len;
	size_t cap;
	size_t line;    /* start of the next line nngmpc_proc_line returns */
	bool   dropped; /* output beyond NNGMPC_PROC_TEXT_MAX was dropped */
};

struct nngmpc_proc {
	pid_t                   pid;    /* 0 once reaped */
	int                     status; /* valid once reaped */
	int                     in;     /* write end of its stdin, or -1 */
	int                     out;    /* read end of its stdout, or -1 */
	int                     err;    /* read end of its stderr, or -1 */
	struct nngmpc_proc_text o;      /* read from out so far */
	struct nngmpc_proc_text e;      /* read from err so far */
};

/* What nngmpc_proc_finish / _run collected: out / err are malloc'd text
 * ("" when nothing was written), NULL when that stream was no pipe. */
struct nngmpc_proc_result {
	int   status;
	char *out;
	char *err;
};

/* Starts the program (spec->file, else argv[0]) with argv; spec NULL
 * inherits every stream.  Descriptors other than 0..2 are not passed on.
 * On failure nothing is left open and p->pid is 0. */
int nngmpc_proc_spawn(struct nngmpc_proc *p, char *const argv[],
    const struct nngmpc_proc_spec *spec) NNGMPC_PROC_WUR;

/* Waits up to ms (< 0: no limit) until one of the n children's open
 * output pipes is readable, and reads what each has (a pipe at EOF is
 * closed).  Returns 0, ETIMEDOUT when nothing came, EINVAL for n over
 * NNGMPC_PROC_POLL_MAX, or an errno. */
int nngmpc_proc_poll(
    struct nngmpc_proc *const *ps, size_t n, int ms) NNGMPC_PROC_WUR;

/* True while stdout or stderr is still open. */
bool nngmpc_proc_reading(const struct nngmpc_proc *p);

/* Reads stdout until what was read so far contains needle (with line,
 * also the end of that line), EOF, or ms pass.  Returns the match (valid
 * until the next read) or NULL. */
const char *nngmpc_proc_read_until(
    struct nngmpc_proc *p, const char *needle, bool line, int ms);

/* The next complete stdout line not yet returned, without its newline
 * (valid until the next read), or NULL. */
const char *nngmpc_proc_line(struct nngmpc_proc *p);

/* Closes the child's stdin (it sees EOF). */
void nngmpc_proc_close_in(struct nngmpc_proc *p);

/* Sends sig unless the child was already reaped. */
void nngmpc_proc_signal(struct nngmpc_proc *p, int sig);

/* Sends SIGSTOP and returns once the child is stopped (kill() only queues
 * the signal: the child may run on for a moment).  False if it exited. */
bool nngmpc_proc_stop(struct nngmpc_proc *p);

/* Waits up to ms (< 0: no limit) for the child to exit, then SIGKILLs
 * and reaps it if it has not; closes its pipes and drops its output.
 * Returns its status, or -1 when it had to be killed. */
int nngmpc_proc_reap(struct nngmpc_proc *p, int ms);

/* Closes stdin, reads stdout and stderr to EOF, reaps the child.  r gets
 * its status and output; returns 0 or an errno (then r is empty and the
 * child killed). */
int nngmpc_proc_finish(
    struct nngmpc_proc *p, struct nngmpc_proc_result *r) NNGMPC_PROC_WUR;

/* spawn + finish.  _runv: the program and the arguments in ap up to a
 * NULL; _runl likewise, variadic, for a child whose stdout (a pipe) is
 * all the caller reads: *out gets it (the caller frees it).  These
 * return the child's status, or -errno when it could not be run. */
int nngmpc_proc_run(char *const argv[], const struct nngmpc_proc_spec *spec,
    struct nngmpc_proc_result *r);
int nngmpc_proc_runv(const struct nngmpc_proc_spec *spec,
    struct nngmpc_proc_result *r, const char *prog, va_list ap);
int nngmpc_proc_runl(
    const struct nngmpc_proc_spec *spec, char **out, const char *prog, ...);

void nngmpc_proc_result_free(struct nngmpc_proc_result *r);

#endif /* NNGMPC_PROC_H */
