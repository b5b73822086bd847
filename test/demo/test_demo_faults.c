/*
 * The fault schedule of `nngmpc demo --faults` (plugin/nngmpc/
 * demo_faults.h) on its own: the plan as a function of the seed (the same
 * seed, the same plan; in time order, within the rounds, on real links,
 * both kinds, cut sizes in range), the links of each mesh size, and the
 * rosters and relays it sets up: each party dials the lower parties
 * through their link's relay, which reaches the real listener.  No
 * timing is asserted.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "demo_faults.h"
#include "nngmpc.h"
#include "tcp_relay.h"

#define ROUNDS 7u

static void
plan(struct demo_faults *f, uint64_t seed, uint32_t count, uint32_t parties)
{
	assert_int_equal(demo_faults_plan(f, seed, count, parties, ROUNDS), 0);
}

static void
test_plan_seeded(void **state)
{
	struct demo_faults *a = calloc(1, sizeof(*a));
	struct demo_faults *b = calloc(1, sizeof(*b));

	(void) state;
	assert_non_null(a);
	assert_non_null(b);
	plan(a, 12345, 200, 5);
	plan(b, 12345, 200, 5);
	assert_memory_equal(a->plan, b->plan, 200 * sizeof(*a->plan));
	demo_faults_stop(b);
	plan(b, 12346, 200, 5);
	assert_memory_not_equal(a->plan, b->plan, 200 * sizeof(*a->plan));
	demo_faults_stop(a);
	demo_faults_stop(b);
	free(a);
	free(b);
}

static void
test_plan_shape(void **state)
{
	static const uint32_t parties[] = { 2, 3, 5, 16 };
	struct demo_faults   *f         = calloc(1, sizeof(*f));

	(void) state;
	assert_non_null(f);
	for (size_t p = 0; p < sizeof(parties) / sizeof(parties[0]); p++) {
		unsigned kinds[2] = { 0, 0 };

		plan(f, 7 + p, 500, parties[p]);
		assert_int_equal(f->nlinks, parties[p] * (parties[p] - 1) / 2);
		for (uint32_t i = 0; i < 500; i++) {
			const struct demo_fault *x = &f->plan[i];

			assert_true(x->at_ms < ROUNDS * DEMO_FAULTS_ROUND_GAP_MS);
			assert_true(i == 0 || f->plan[i - 1].at_ms <= x->at_ms);
			assert_true(x->link < f->nlinks);
			assert_in_range(
			    x->cut_bytes, 1, DEMO_FAULTS_CUT_BYTES_MAX);
			kinds[x->kind]++;
		}
		assert_true(kinds[DEMO_FAULT_RESET] > 0);
		assert_true(kinds[DEMO_FAULT_MIDFRAME] > 0);
		/* Every pair once, the lower ID listening. */
		for (uint32_t i = 0; i < f->nlinks; i++) {
			assert_true(f->links[i].lo < f->links[i].hi);
			assert_true(f->links[i].hi <= parties[p]);
			for (uint32_t k = 0; k < i; k++) {
				assert_false(f->links[k].lo == f->links[i].lo &&
				    f->links[k].hi == f->links[i].hi);
			}
		}
		demo_faults_stop(f);
	}
	free(f);
}

/* A listening socket on 127.0.0.1; its port into *port. */
static int
listen_any(uint16_t *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t          len = sizeof(sa);
	int                fd  = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *) &sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return (fd);
}

/* Connects to 127.0.0.1:port, sends a byte; the listener lfd gets it. */
static void
reaches(uint16_t port, int lfd)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
		.sin_port                     = htons(port) };
	struct timeval     tv = { .tv_sec = 5 };
	int                c  = socket(AF_INET, SOCK_STREAM, 0);
	int                s;
	char               b = 'x';

	assert_true(c >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(c, (struct sockaddr *) &sa, sizeof(sa)), 0);
	assert_int_equal(send(c, &b, 1, 0), 1);
	assert_true((s = accept(lfd, NULL, NULL)) >= 0);
	assert_int_equal(
	    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	b = 0;
	assert_int_equal(recv(s, &b, 1, 0), 1);
	assert_int_equal(b, 'x');
	close(s);
	close(c);
}

static uint16_t
port_of(const char *address)
{
	assert_non_null(strstr(address, "127.0.0.1:"));
	return ((uint16_t) atoi(strchr(address, ':') + 1));
}

/* Party j's roster names the relay of link (i, j) for each i < j, and
 * the real address of every other party; each relay reaches party i. */
static void
test_rosters_and_relays(void **state)
{
	enum { N = 4 };
	struct demo_faults   *f = calloc(1, sizeof(*f));
	struct nngmpc_roster *r = calloc(1, sizeof(*r));
	struct nngmpc_roster *got = calloc(1, sizeof(*got));
	char                  dir[] = "/tmp/nngmpc-test-faults-XXXXXX";
	char                  paths[N][128];
	char                  err[256];
	uint16_t              real[N];
	int                   lfd[N];

	(void) state;
	assert_non_null(f);
	assert_non_null(r);
	assert_non_null(got);
	assert_non_null(mkdtemp(dir));
	strcpy(r->scheme, "mpc+tcp");
	r->nparties = N;
	for (uint32_t i = 0; i < N; i++) {
		lfd[i]          = listen_any(&real[i]);
		r->parties[i].id = i + 1;
		snprintf(r->parties[i].address, sizeof(r->parties[i].address),
		    "127.0.0.1:%u", (unsigned) real[i]);
	}
	plan(f, 1, 4, N);
	assert_int_equal(demo_faults_start(f, r, dir, paths), 0);
	/* r itself is left as it was. */
	for (uint32_t i = 0; i < N; i++) {
		assert_int_equal(port_of(r->parties[i].address), real[i]);
	}
	for (uint32_t j = 1; j <= N; j++) {
		assert_true(nngmpc_roster_load(paths[j - 1], got, err,
		    sizeof(err)));
		for (uint32_t i = 1; i <= N; i++) {
			uint16_t p = port_of(got->parties[i - 1].address);

			if (i >= j) {
				assert_int_equal(p, real[i - 1]);
				continue;
			}
			for (uint32_t k = 0; k < f->nlinks; k++) {
				if (f->links[k].lo == i && f->links[k].hi == j) {
					assert_int_equal(p, f->links[k].port);
				}
			}
			assert_int_not_equal(p, real[i - 1]);
			reaches(p, lfd[i - 1]);
		}
		unlink(paths[j - 1]);
	}
	demo_faults_stop(f);
	for (uint32_t i = 0; i < N; i++) {
		close(lfd[i]);
	}
	rmdir(dir);
	free(got);
	free(r);
	free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_seeded),
		cmocka_unit_test(test_plan_shape),
		cmocka_unit_test(test_rosters_and_relays),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
