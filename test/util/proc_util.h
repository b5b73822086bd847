/*
 * proc_util.h -- child processes for the tests that run real programs
 * (nngmpc, nngcat, openssl): spawn with chosen standard streams and extra
 * environment, read the child's output until a needle appears (bounded by
 * a deadline), collect all of it, and reap with or without a timeout.
 * Every helper asserts (CMocka) instead of returning errors; an exit
 * status is the child's exit code, or 128 + the signal that ended it.
 */
#ifndef NNG_MPC_TEST_PROC_UTIL_H
#define NNG_MPC_TEST_PROC_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Where one of the child's standard streams goes. */
enum pu_io {
	PU_INHERIT = 0, /* the test's own stream (stderr: the test log) */
	PU_NULL,        /* /dev/null */
	PU_PIPE,        /* a pipe to (stdin) or from the test */
	PU_TO_OUT,      /* stderr only: the same pipe or file as stdout */
};

struct pu_spec {
	enum pu_io in, out, err;
	bool       path; /* look argv[0] up in PATH (execvp) */
	/* "NAME=value" settings on top of the test's environment,
	 * NULL-terminated; NULL for none.  Built before fork: the child
	 * only calls exec. */
	const char *const *env;
};

/* Output read so far: s is NUL-terminated ("" before any read). */
struct pu_text {
	char * s;
	size_t len;
	size_t cap;
};

struct pu_proc {
	pid_t          pid;
	int            in;  /* write end of the child's stdin, or -1 */
	int            out; /* read end of its stdout (+ stderr), or -1 */
	int            err; /* read end of its stderr, or -1 */
	struct pu_text o;   /* read from out so far */
	struct pu_text e;   /* read from err so far */
};

/* What pu_finish / pu_run collected: out / err are malloc'd text (""
 * when nothing was written), NULL when that stream was not a pipe. */
struct pu_result {
	int   status;
	char *out;
	char *err;
};

/* Starts argv[0] with argv.  Descriptors other than 0..2 are not passed
 * on.  A child that cannot exec exits 127. */
void pu_spawn(struct pu_proc *p, char *const argv[], const struct pu_spec *spec);

/* Reads the child's stdout until what was read so far contains needle,
 * EOF, or ms pass.  Returns the match (valid until the next read) or
 * NULL.  pu_read_line waits also for the end of the matching line. */
const char *pu_read_until(struct pu_proc *p, const char *needle, int ms);
const char *pu_read_line(struct pu_proc *p, const char *needle, int ms);

/* Closes the child's stdin (it sees EOF). */
void pu_close_in(struct pu_proc *p);

/* Closes stdin, reads stdout and stderr to EOF, waits for the child
 * (no timeout: the test's own limit applies).  Returns its status. */
int pu_finish(struct pu_proc *p, struct pu_result *r);

/* Waits up to ms for the child and kills it (SIGKILL) if still running,
 * then closes its pipes and drops its output.  Returns its status, or -1
 * when it had to be killed. */
int pu_reap(struct pu_proc *p, int ms);

/* pu_spawn + pu_finish.  pu_runv: argv is prog and the arguments in ap
 * up to a NULL. */
int pu_run(char *const argv[], const struct pu_spec *spec, struct pu_result *r);
int pu_runv(const struct pu_spec *spec, struct pu_result *r, const char *prog,
    va_list ap);
/* pu_runv for a child whose stdout is all the test reads (spec->out a
 * pipe, spec->err not): *out is that text, the caller frees it. */
int pu_runl(const struct pu_spec *spec, char **out, const char *prog, ...);

void pu_result_free(struct pu_result *r);

/* A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0,
 * then released), for a child process that must be told its port. */
int pu_free_tcp_port(void);

/* Fails the test, showing out, unless out contains needle. */
void pu_expect(const char *out, const char *needle);

/* rm -rf dir (a test's temporary directory); returns rm's status. */
int pu_rmtree(const char *dir);

#endif /* NNG_MPC_TEST_PROC_UTIL_H */
