/*
 * test_util.c -- helpers of the tests that run real programs
 * (test_util.h).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "ports.h"
#include "proc.h"
#include "test_util.h"

int
ut_free_tcp_port(void)
{
	uint16_t port;

	/* Below the ephemeral range, and its successor free too: a roster
	 * numbers ports from a base (plugin/nngmpc/ports.h). */
	assert_true(nngmpc_free_ports(1, true, &port));
	return (port);
}

void
ut_expect(const char *out, const char *needle)
{
	if (strstr(out, needle) == NULL) {
		fail_msg("expected \"%s\" in:\n%s", needle, out);
	}
}

#define UT_CHILDREN_MAX 32
static pid_t ut_children[UT_CHILDREN_MAX];

void
ut_child_track(const struct nngmpc_proc *p)
{
	for (int i = 0; i < UT_CHILDREN_MAX; i++) {
		if (ut_children[i] == 0) {
			ut_children[i] = p->pid;
			return;
		}
	}
}

void
ut_children_kill(void)
{
	for (int i = 0; i < UT_CHILDREN_MAX; i++) {
		pid_t pid = ut_children[i];

		ut_children[i] = 0;
		/* Still ours and not reaped (waitpid does not fail with
		 * ECHILD): only then is the PID certainly the child's. */
		if ((pid > 0) && (waitpid(pid, NULL, WNOHANG) == 0)) {
			(void) kill(pid, SIGKILL);
			(void) waitpid(pid, NULL, 0);
		}
	}
}

int
ut_rmtree(const char *dir)
{
	const struct nngmpc_proc_spec quiet = { .in = NNGMPC_PROC_NULL,
		.out = NNGMPC_PROC_PIPE, .err = NNGMPC_PROC_TO_OUT };
	char *out = NULL;
	int   rc  = nngmpc_proc_runl(&quiet, &out, "/bin/rm", "-rf", dir, NULL);

	free(out);
	return (rc);
}

const char *
ut_in_dir(const char *dir, const char *name)
{
	static char buf[16][512];
	static int  i;

	i = (i + 1) % 16;
	(void) snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return (buf[i]);
}
