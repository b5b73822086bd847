/*
 * proc.c -- child processes; see proc.h (threading rule there).
 */
#define _GNU_SOURCE /* pipe2, posix_spawn_file_actions_addclosefrom_np */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"

extern char **environ;

/* A read(2) asks for at most this much; the buffer grows to fit it. */
#define PROC_READ_CHUNK 4096u

static const struct nngmpc_proc_spec proc_inherit; /* every stream ours */

static int
proc_status(int st)
{
	return (WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

static int64_t
proc_now_ms(void)
{
	struct timespec ts;

	(void) clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* ms left until deadline for poll(2): -1 (no limit) when deadline < 0. */
static int
proc_left(int64_t deadline)
{
	int64_t left;

	if (deadline < 0) {
		return (-1);
	}
	left = deadline - proc_now_ms();
	return (left <= 0 ? 0 : left > INT32_MAX ? INT32_MAX : (int) left);
}

static int64_t
proc_deadline(int ms)
{
	return (ms < 0 ? -1 : proc_now_ms() + ms);
}

static void
proc_close_fd(int *fd)
{
	if (*fd >= 0) {
		(void) close(*fd);
		*fd = -1;
	}
}

static void
proc_text_free(struct nngmpc_proc_text *t)
{
	free(t->s);
	memset(t, 0, sizeof(*t));
}

/* One read(2) from *fd appended to t; closes *fd at EOF or error.  0, or
 * an errno when no memory could be had for what was read. */
static int
proc_text_read(struct nngmpc_proc_text *t, int *fd)
{
	char    scratch[PROC_READ_CHUNK];
	char   *dst = scratch;
	ssize_t n;

	if (t->line > 0) { /* lines already returned: make room */
		memmove(t->s, t->s + t->line, t->len - t->line + 1);
		t->len -= t->line;
		t->line = 0;
	}
	if (t->len + PROC_READ_CHUNK + 1 <= NNGMPC_PROC_TEXT_MAX) {
		if (t->cap < t->len + PROC_READ_CHUNK + 1) {
			size_t cap =
			    t->cap == 0 ? 2 * PROC_READ_CHUNK : 2 * t->cap;
			char *s = realloc(t->s, cap);

			if (s == NULL) {
				return (ENOMEM);
			}
			t->s         = s;
			t->cap       = cap;
			t->s[t->len] = '\0';
		}
		dst = t->s + t->len;
	}
	do {
		n = read(*fd, dst, PROC_READ_CHUNK);
	} while (n < 0 && errno == EINTR);
	if (n <= 0) {
		proc_close_fd(fd);
	} else if (dst == scratch) {
		t->dropped = true;
	} else {
		t->len += (size_t) n;
		t->s[t->len] = '\0';
	}
	return (0);
}

/* The text, "" when nothing was read; t no longer owns it. */
static char *
proc_text_take(struct nngmpc_proc_text *t)
{
	char *s = t->s != NULL ? t->s : strdup("");

	memset(t, 0, sizeof(*t));
	return (s);
}

/* environ with env's changes ("NAME=value" replaces or adds NAME, "NAME"
 * removes it); NULL without memory.  Only the array is ours to free. */
static char **
proc_envp(const char *const *env)
{
	size_t n = 0, m = 0, k = 0;
	char **envp;

	while (environ[n] != NULL) {
		n++;
	}
	while (env[m] != NULL) {
		m++;
	}
	if ((envp = calloc(n + m + 1, sizeof(*envp))) == NULL) {
		return (NULL);
	}
	for (size_t i = 0; i < n; i++) {
		bool changed = false;

		for (size_t j = 0; j < m && !changed; j++) {
			size_t len = strcspn(env[j], "=");

			changed = strncmp(environ[i], env[j], len) == 0 &&
			    environ[i][len] == '=';
		}
		if (!changed) {
			envp[k++] = environ[i];
		}
	}
	for (size_t j = 0; j < m; j++) {
		if (strchr(env[j], '=') != NULL) {
			envp[k++] = (char *) env[j];
		}
	}
	return (envp);
}

/* The file actions that give the child its streams (pipe ends in in/out/
 * err, /dev/null opened in the child) and close everything above 2. */
static int
proc_actions(posix_spawn_file_actions_t *fa,
    const struct nngmpc_proc_spec *spec, const int in[2], const int out[2],
    const int err[2])
{
	int rv = 0;

	if (spec->in == NNGMPC_PROC_PIPE) {
		rv = posix_spawn_file_actions_adddup2(fa, in[0], 0);
	} else if (spec->in == NNGMPC_PROC_NULL) {
		rv = posix_spawn_file_actions_addopen(
		    fa, 0, "/dev/null", O_RDONLY, 0);
	}
	if (rv == 0 && spec->out == NNGMPC_PROC_PIPE) {
		rv = posix_spawn_file_actions_adddup2(fa, out[1], 1);
	} else if (rv == 0 && spec->out == NNGMPC_PROC_NULL) {
		rv = posix_spawn_file_actions_addopen(
		    fa, 1, "/dev/null", O_WRONLY, 0);
	}
	if (rv == 0 && spec->err == NNGMPC_PROC_PIPE) {
		rv = posix_spawn_file_actions_adddup2(fa, err[1], 2);
	} else if (rv == 0 && spec->err == NNGMPC_PROC_NULL) {
		rv = posix_spawn_file_actions_addopen(
		    fa, 2, "/dev/null", O_WRONLY, 0);
	} else if (rv == 0 && spec->err == NNGMPC_PROC_TO_OUT) {
		rv = posix_spawn_file_actions_adddup2(fa, 1, 2);
	}
	if (rv == 0) {
		rv = posix_spawn_file_actions_addclosefrom_np(fa, 3);
	}
	return (rv);
}

int
nngmpc_proc_spawn(struct nngmpc_proc *p, char *const argv[],
    const struct nngmpc_proc_spec *spec)
{
	int    in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
	char **envp = environ;
	const char                *file;
	posix_spawn_file_actions_t fa;
	int                        rv;

	if (spec == NULL) {
		spec = &proc_inherit;
	}
	memset(p, 0, sizeof(*p));
	p->in = p->out = p->err = -1;
	file                    = spec->file != NULL ? spec->file : argv[0];
	/* O_CLOEXEC: no other child inherits these ends (dup2 onto 0..2
	 * clears it in this one). */
	if ((spec->in == NNGMPC_PROC_PIPE && pipe2(in, O_CLOEXEC) != 0) ||
	    (spec->out == NNGMPC_PROC_PIPE && pipe2(out, O_CLOEXEC) != 0) ||
	    (spec->err == NNGMPC_PROC_PIPE && pipe2(err, O_CLOEXEC) != 0)) {
		rv = errno;
		goto out;
	}
	if (spec->env != NULL && (envp = proc_envp(spec->env)) == NULL) {
		rv = ENOMEM;
		goto out;
	}
	if ((rv = posix_spawn_file_actions_init(&fa)) != 0) {
		goto out;
	}
	if ((rv = proc_actions(&fa, spec, in, out, err)) == 0) {
		/* glibc reports the child's exec failure here. */
		rv = spec->path
		    ? posix_spawnp(&p->pid, file, &fa, NULL, argv, envp)
		    : posix_spawn(&p->pid, file, &fa, NULL, argv, envp);
	}
	(void) posix_spawn_file_actions_destroy(&fa);
	if (rv != 0) {
		p->pid = 0;
		goto out;
	}
	p->in  = in[1];
	p->out = out[0];
	p->err = err[0];
	in[1]  = -1;
	out[0] = -1;
	err[0] = -1;
out:
	if (envp != environ) {
		free(envp);
	}
	for (int i = 0; i < 2; i++) {
		proc_close_fd(&in[i]);
		proc_close_fd(&out[i]);
		proc_close_fd(&err[i]);
	}
	return (rv);
}

bool
nngmpc_proc_reading(const struct nngmpc_proc *p)
{
	return (p->out >= 0 || p->err >= 0);
}

int
nngmpc_proc_poll(struct nngmpc_proc *const *ps, size_t n, int ms)
{
	struct pollfd pfd[2 * NNGMPC_PROC_POLL_MAX];
	size_t        k = 0;
	int           rv;

	if (n > NNGMPC_PROC_POLL_MAX) {
		return (EINVAL);
	}
	for (size_t i = 0; i < n; i++) {
		pfd[k++] =
		    (struct pollfd) { .fd = ps[i]->out, .events = POLLIN };
		pfd[k++] =
		    (struct pollfd) { .fd = ps[i]->err, .events = POLLIN };
	}
	if ((rv = poll(pfd, (nfds_t) k, ms)) < 0) {
		return (errno == EINTR ? 0 : errno);
	}
	if (rv == 0) {
		return (ETIMEDOUT);
	}
	for (size_t i = 0; i < n; i++) {
		struct nngmpc_proc *p = ps[i];

		/* revents of fd -1 is 0: a closed stream is skipped. */
		if (pfd[2 * i].revents != 0 &&
		    (rv = proc_text_read(&p->o, &p->out)) != 0) {
			return (rv);
		}
		if (pfd[2 * i + 1].revents != 0 &&
		    (rv = proc_text_read(&p->e, &p->err)) != 0) {
			return (rv);
		}
	}
	return (0);
}

const char *
nngmpc_proc_read_until(
    struct nngmpc_proc *p, const char *needle, bool line, int ms)
{
	int64_t             deadline = proc_deadline(ms);
	struct nngmpc_proc *one      = p;

	for (;;) {
		const char *m = p->o.s != NULL ? strstr(p->o.s, needle) : NULL;
		int         left, rv;

		if (m != NULL && (!line || strchr(m, '\n') != NULL)) {
			return (m);
		}
		/* stdout at EOF: the needle will not come */
		if (p->out < 0 || (left = proc_left(deadline)) == 0) {
			return (NULL);
		}
		rv = nngmpc_proc_poll(&one, 1, left);
		if (rv != 0 && rv != ETIMEDOUT) {
			return (NULL);
		}
	}
}

const char *
nngmpc_proc_line(struct nngmpc_proc *p)
{
	struct nngmpc_proc_text *t = &p->o;
	char                    *l, *nl;

	if (t->s == NULL || t->line >= t->len) {
		return (NULL);
	}
	l = t->s + t->line;
	if ((nl = strchr(l, '\n')) == NULL) {
		return (NULL);
	}
	*nl     = '\0';
	t->line = (size_t) (nl + 1 - t->s);
	return (l);
}

void
nngmpc_proc_close_in(struct nngmpc_proc *p)
{
	proc_close_fd(&p->in);
}

void
nngmpc_proc_signal(struct nngmpc_proc *p, int sig)
{
	if (p->pid > 0) {
		(void) kill(p->pid, sig);
	}
}

bool
nngmpc_proc_stop(struct nngmpc_proc *p)
{
	int   st;
	pid_t r;

	if (p->pid <= 0) {
		return (false);
	}
	(void) kill(p->pid, SIGSTOP);
	do {
		r = waitpid(p->pid, &st, WUNTRACED);
	} while (r < 0 && errno == EINTR);
	if ((r == p->pid) && WIFSTOPPED(st)) {
		return (true);
	}
	if (r == p->pid) {
		p->status = proc_status(st);
		p->pid    = 0;
	}
	return (false);
}

/* waitpid for p, with or without WNOHANG; true once reaped. */
static bool
proc_waited(struct nngmpc_proc *p, int flags)
{
	int   st;
	pid_t r;

	if (p->pid <= 0) {
		return (true);
	}
	do {
		r = waitpid(p->pid, &st, flags);
	} while (r < 0 && errno == EINTR);
	if (r == p->pid) {
		p->status = proc_status(st);
		p->pid    = 0;
		return (true);
	}
	return (r < 0); /* ECHILD: not ours to wait for any more */
}

int
nngmpc_proc_reap(struct nngmpc_proc *p, int ms)
{
	int64_t deadline = proc_deadline(ms);
	int     status   = -1;

	nngmpc_proc_close_in(p);
	if (ms < 0) {
		(void) proc_waited(p, 0);
		status = p->status;
	} else {
		for (;;) {
			if (proc_waited(p, WNOHANG)) {
				status = p->status;
				break;
			}
			if (proc_left(deadline) == 0) {
				nngmpc_proc_signal(p, SIGKILL);
				(void) proc_waited(p, 0);
				break;
			}
			(void) usleep(10000);
		}
	}
	proc_close_fd(&p->out);
	proc_close_fd(&p->err);
	proc_text_free(&p->o);
	proc_text_free(&p->e);
	return (status);
}

int
nngmpc_proc_finish(struct nngmpc_proc *p, struct nngmpc_proc_result *r)
{
	bool                out = p->out >= 0;
	bool                err = p->err >= 0;
	struct nngmpc_proc *one = p;
	int                 rv;

	memset(r, 0, sizeof(*r));
	nngmpc_proc_close_in(p);
	/* Both pipes at once: a child blocked on a full one would never
	 * close the other. */
	while (nngmpc_proc_reading(p)) {
		if ((rv = nngmpc_proc_poll(&one, 1, -1)) != 0) {
			(void) nngmpc_proc_reap(p, 0);
			return (rv);
		}
	}
	(void) proc_waited(p, 0);
	r->status = p->status;
	r->out    = out ? proc_text_take(&p->o) : NULL;
	r->err    = err ? proc_text_take(&p->e) : NULL;
	proc_text_free(&p->o);
	proc_text_free(&p->e);
	if ((out && r->out == NULL) || (err && r->err == NULL)) {
		nngmpc_proc_result_free(r);
		return (ENOMEM);
	}
	return (0);
}

int
nngmpc_proc_run(char *const argv[], const struct nngmpc_proc_spec *spec,
    struct nngmpc_proc_result *r)
{
	struct nngmpc_proc p;
	int                rv;

	memset(r, 0, sizeof(*r));
	if ((rv = nngmpc_proc_spawn(&p, argv, spec)) != 0 ||
	    (rv = nngmpc_proc_finish(&p, r)) != 0) {
		r->status = -rv;
		return (-rv);
	}
	return (r->status);
}

int
nngmpc_proc_runv(const struct nngmpc_proc_spec *spec,
    struct nngmpc_proc_result *r, const char *prog, va_list ap)
{
	char *argv[NNGMPC_PROC_ARGS_MAX + 1];
	int   n = 0;

	argv[n++] = (char *) prog;
	while ((argv[n] = va_arg(ap, char *)) != NULL) {
		if (++n == NNGMPC_PROC_ARGS_MAX) {
			memset(r, 0, sizeof(*r));
			r->status = -E2BIG;
			return (-E2BIG);
		}
	}
	return (nngmpc_proc_run(argv, spec, r));
}

int
nngmpc_proc_runl(
    const struct nngmpc_proc_spec *spec, char **out, const char *prog, ...)
{
	struct nngmpc_proc_result r;
	va_list                   ap;

	va_start(ap, prog);
	(void) nngmpc_proc_runv(spec, &r, prog, ap);
	va_end(ap);
	free(r.err);
	*out = r.out;
	return (r.status);
}

void
nngmpc_proc_result_free(struct nngmpc_proc_result *r)
{
	free(r->out);
	free(r->err);
	r->out = NULL;
	r->err = NULL;
}
