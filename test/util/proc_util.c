/*
 * proc_util.c -- see proc_util.h.
 */
#define _GNU_SOURCE /* pipe2, close_range, execvpe */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "proc_util.h"

#define PU_MAXARGS 64

extern char **environ;

static const struct pu_spec pu_default; /* every stream inherited */

static int
pu_status(int st)
{
	return (WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

static int64_t
pu_now_ms(void)
{
	struct timespec ts;

	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	return ((int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* One read(2) from fd appended to t; its result (0: EOF). */
static ssize_t
pu_text_read(struct pu_text *t, int fd)
{
	ssize_t n;

	if (t->cap - t->len < 4096) {
		t->cap = t->cap == 0 ? 8192 : t->cap * 2;
		t->s   = realloc(t->s, t->cap);
		assert_non_null(t->s);
		t->s[t->len] = '\0';
	}
	do {
		n = read(fd, t->s + t->len, t->cap - t->len - 1);
	} while (n < 0 && errno == EINTR);
	if (n > 0) {
		t->len += (size_t) n;
		t->s[t->len] = '\0';
	}
	return (n);
}

/* The text, "" when nothing was read; t no longer owns it. */
static char *
pu_text_take(struct pu_text *t)
{
	char *s = t->s != NULL ? t->s : strdup("");

	assert_non_null(s);
	memset(t, 0, sizeof(*t));
	return (s);
}

static void
pu_close(int *fd)
{
	if (*fd >= 0) {
		(void) close(*fd);
		*fd = -1;
	}
}

/* environ with the settings in env replacing or adding their names. */
static char **
pu_envp(const char *const *env)
{
	size_t n = 0, m = 0, k = 0;
	char **envp;

	while (environ[n] != NULL) {
		n++;
	}
	while (env[m] != NULL) {
		assert_non_null(strchr(env[m], '='));
		m++;
	}
	envp = calloc(n + m + 1, sizeof(*envp));
	assert_non_null(envp);
	for (size_t i = 0; i < n; i++) {
		bool replaced = false;

		for (size_t j = 0; j < m && !replaced; j++) {
			size_t len = (size_t) (strchr(env[j], '=') - env[j]) + 1;
			replaced   = strncmp(environ[i], env[j], len) == 0;
		}
		if (!replaced) {
			envp[k++] = environ[i];
		}
	}
	for (size_t j = 0; j < m; j++) {
		envp[k++] = (char *) env[j];
	}
	return (envp);
}

void
pu_spawn(struct pu_proc *p, char *const argv[], const struct pu_spec *spec)
{
	int    in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
	int    nul   = -1;
	char **envp  = NULL;

	if (spec == NULL) {
		spec = &pu_default;
	}
	memset(p, 0, sizeof(*p));
	p->in = p->out = p->err = -1;
	/* O_CLOEXEC: no other child inherits these ends (dup2 clears it on
	 * the child's 0..2). */
	if (spec->in == PU_PIPE) {
		assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	}
	if (spec->out == PU_PIPE) {
		assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	}
	if (spec->err == PU_PIPE) {
		assert_int_equal(pipe2(err, O_CLOEXEC), 0);
	}
	if (spec->in == PU_NULL || spec->out == PU_NULL ||
	    spec->err == PU_NULL) {
		nul = open("/dev/null", O_RDWR | O_CLOEXEC);
		assert_true(nul >= 0);
	}
	if (spec->env != NULL) {
		envp = pu_envp(spec->env);
	}
	p->pid = fork();
	assert_true(p->pid >= 0);
	if (p->pid == 0) {
		/* Only async-signal-safe calls here: the test may have
		 * threads (NNG's). */
		if (spec->in != PU_INHERIT) {
			(void) dup2(spec->in == PU_PIPE ? in[0] : nul, 0);
		}
		if (spec->out != PU_INHERIT) {
			(void) dup2(spec->out == PU_PIPE ? out[1] : nul, 1);
		}
		if (spec->err == PU_TO_OUT) {
			(void) dup2(1, 2);
		} else if (spec->err != PU_INHERIT) {
			(void) dup2(spec->err == PU_PIPE ? err[1] : nul, 2);
		}
		if (close_range(3, ~0U, 0) != 0) {
			for (int fd = 3; fd < 256; fd++) {
				(void) close(fd);
			}
		}
		if (spec->path) {
			(void) (envp != NULL ? execvpe(argv[0], argv, envp)
			                     : execvp(argv[0], argv));
		} else {
			(void) (envp != NULL ? execve(argv[0], argv, envp)
			                     : execv(argv[0], argv));
		}
		_exit(127);
	}
	free(envp);
	pu_close(&nul);
	pu_close(&in[0]);
	pu_close(&out[1]);
	pu_close(&err[1]);
	p->in  = in[1];
	p->out = out[0];
	p->err = err[0];
}

static const char *
pu_read_match(struct pu_proc *p, const char *needle, bool line, int ms)
{
	int64_t deadline = pu_now_ms() + ms;

	for (;;) {
		const char *m = p->o.s != NULL ? strstr(p->o.s, needle) : NULL;
		struct pollfd pfd  = { .fd = p->out, .events = POLLIN };
		int64_t       left = deadline - pu_now_ms();
		int           rv;

		if (m != NULL && (!line || strchr(m, '\n') != NULL)) {
			return (m);
		}
		if (p->out < 0 || left <= 0) {
			return (NULL);
		}
		rv = poll(&pfd, 1, (int) left);
		if (rv < 0 && errno != EINTR) {
			fail_msg("poll: %s", strerror(errno));
		}
		if (rv > 0 && pu_text_read(&p->o, p->out) <= 0) {
			return (NULL); /* EOF: the needle will not come */
		}
	}
}

const char *
pu_read_until(struct pu_proc *p, const char *needle, int ms)
{
	return (pu_read_match(p, needle, false, ms));
}

const char *
pu_read_line(struct pu_proc *p, const char *needle, int ms)
{
	return (pu_read_match(p, needle, true, ms));
}

void
pu_close_in(struct pu_proc *p)
{
	pu_close(&p->in);
}

int
pu_finish(struct pu_proc *p, struct pu_result *r)
{
	bool out = p->out >= 0;
	bool err = p->err >= 0;
	int  st;

	pu_close_in(p);
	/* Both pipes at once: a child blocked on a full one would never
	 * close the other. */
	while (p->out >= 0 || p->err >= 0) {
		struct pollfd pfd[2] = { { .fd = p->out, .events = POLLIN },
			{ .fd = p->err, .events = POLLIN } };

		if (poll(pfd, 2, -1) < 0) {
			assert_int_equal(errno, EINTR);
			continue;
		}
		if (pfd[0].revents != 0 && pu_text_read(&p->o, p->out) <= 0) {
			pu_close(&p->out);
		}
		if (pfd[1].revents != 0 && pu_text_read(&p->e, p->err) <= 0) {
			pu_close(&p->err);
		}
	}
	assert_int_equal(waitpid(p->pid, &st, 0), p->pid);
	r->status = pu_status(st);
	r->out    = out ? pu_text_take(&p->o) : NULL;
	r->err    = err ? pu_text_take(&p->e) : NULL;
	free(p->o.s);
	free(p->e.s);
	memset(&p->o, 0, sizeof(p->o));
	memset(&p->e, 0, sizeof(p->e));
	return (r->status);
}

int
pu_reap(struct pu_proc *p, int ms)
{
	int64_t deadline = pu_now_ms() + ms;
	int     st;
	int     status = -1;

	pu_close_in(p);
	for (;;) {
		if (waitpid(p->pid, &st, WNOHANG) == p->pid) {
			status = pu_status(st);
			break;
		}
		if (pu_now_ms() >= deadline) {
			(void) kill(p->pid, SIGKILL);
			(void) waitpid(p->pid, &st, 0);
			break;
		}
		(void) usleep(10000);
	}
	pu_close(&p->out);
	pu_close(&p->err);
	free(p->o.s);
	free(p->e.s);
	memset(&p->o, 0, sizeof(p->o));
	memset(&p->e, 0, sizeof(p->e));
	return (status);
}

int
pu_run(char *const argv[], const struct pu_spec *spec, struct pu_result *r)
{
	struct pu_proc p;

	pu_spawn(&p, argv, spec);
	return (pu_finish(&p, r));
}

int
pu_runv(const struct pu_spec *spec, struct pu_result *r, const char *prog,
    va_list ap)
{
	char *argv[PU_MAXARGS];
	int   n = 0;

	argv[n++] = (char *) prog;
	while ((argv[n] = va_arg(ap, char *)) != NULL) {
		n++;
		assert_true(n < PU_MAXARGS);
	}
	return (pu_run(argv, spec, r));
}

int
pu_runl(const struct pu_spec *spec, char **out, const char *prog, ...)
{
	struct pu_result r;
	va_list          ap;

	assert_true(spec->out == PU_PIPE && spec->err != PU_PIPE);
	va_start(ap, prog);
	(void) pu_runv(spec, &r, prog, ap);
	va_end(ap);
	*out = r.out;
	return (r.status);
}

void
pu_result_free(struct pu_result *r)
{
	free(r->out);
	free(r->err);
	r->out = NULL;
	r->err = NULL;
}

int
pu_free_tcp_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
		.sin_addr = { htonl(INADDR_LOOPBACK) } };
	socklen_t          sl = sizeof(sa);
	int                fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *) &sa, &sl), 0);
	close(fd);
	return (ntohs(sa.sin_port));
}

void
pu_expect(const char *out, const char *needle)
{
	if (strstr(out, needle) == NULL) {
		fail_msg("expected \"%s\" in:\n%s", needle, out);
	}
}

int
pu_rmtree(const char *dir)
{
	const struct pu_spec quiet = { .in = PU_NULL, .out = PU_PIPE,
		.err = PU_TO_OUT };
	char *out = NULL;
	int   rc  = pu_runl(&quiet, &out, "/bin/rm", "-rf", dir, NULL);

	free(out);
	return (rc);
}
