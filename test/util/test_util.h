/*
 * test_util.h -- small helpers shared by the tests that run real programs
 * (child processes themselves: plugin/nngmpc/proc.h).  CMocka asserts.
 */
#ifndef NNG_MPC_TEST_UTIL_H
#define NNG_MPC_TEST_UTIL_H

/* A TCP port on 127.0.0.1 (and the next one) free at the time of the
 * call, below the kernel's ephemeral range. */
int ut_free_tcp_port(void);

/* Fails the test, showing out, unless out contains needle. */
void ut_expect(const char *out, const char *needle);

/* "dir/name" in one of 16 rotating buffers (valid for 15 more calls). */
const char *ut_in_dir(const char *dir, const char *name);

/* rm -rf dir (a test's temporary directory); returns rm's status. */
int ut_rmtree(const char *dir);

/* A long-running child (a node) to kill at teardown should its test fail
 * before it reaped it: a failed assertion leaves the test function, and
 * the child would outlive the test run. */
struct nngmpc_proc;
void ut_child_track(const struct nngmpc_proc *p);
/* SIGKILLs and reaps every tracked child not reaped yet. */
void ut_children_kill(void);

#endif /* NNG_MPC_TEST_UTIL_H */
