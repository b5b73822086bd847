/*
 * metrics_util.h -- helpers of the metrics tests: a minimal HTTP/1.0
 * client over a plain TCP socket (for our endpoint and Prometheus's API),
 * a real Prometheus server in a temporary directory scraping one target,
 * and queries of its HTTP API parsed with json-c.  Everything on
 * 127.0.0.1; every wait is bounded.  Helpers assert (CMocka).
 */
#ifndef NNG_MPC_TEST_METRICS_UTIL_H
#define NNG_MPC_TEST_METRICS_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include <nng/nng.h>

#include "proc.h"
#include "test_util.h"

struct mu_http {
	int   status;
	char *content_type; /* NULL when absent */
	char *body;         /* NUL-terminated */
	size_t body_len;
};

/* method path on 127.0.0.1:port; false when no response (connection
 * refused, timeout).  5 s I/O timeouts. */
bool mu_http(int port, const char *method, const char *path,
    struct mu_http *out);
void mu_http_free(struct mu_http *r);

/* A TCP port that was free on 127.0.0.1 a moment ago. */
int mu_free_port(void);

/* Runs `promtool check metrics` on text; returns its exit status and
 * its output in *out (caller frees). */
int mu_promtool_check(const char *text, char **out);

struct mu_prom {
	struct nngmpc_proc proc;
	char           dir[256];
	int            port; /* Prometheus's web port */
};

/* Starts Prometheus scraping 127.0.0.1:target_port/metrics every second
 * and waits (up to 60 s) until it answers its API. */
void mu_prom_start(struct mu_prom *p, int target_port);
/* Kills it and removes its directory. */
void mu_prom_stop(struct mu_prom *p);

/*
 * Evaluates an instant PromQL query; returns the number of series in the
 * result (-1 on an error answer) and the first series' value in *value
 * (when non-NULL and at least one series).
 */
int mu_prom_query(struct mu_prom *p, const char *promql, double *value);

/* Polls query until it has a series of value want, or 60 s pass (a
 * bounded wait for Prometheus's next scrapes, not a timing assertion).
 * Returns true when it did. */
bool mu_prom_wait_value(struct mu_prom *p, const char *promql, double want);

/*
 * Two pair1 sockets of parties 1 (a) and 2 (b), b dialed to a over
 * mpc+tcp://, and a second listener of a on an mpc+ipc:// path holding a
 * double quote, a backslash and a line feed (every escape a label value
 * needs; NNG 1.5.2 never updates a socket's "name" statistic, so a URL is
 * the test's way to a string of its choice).
 */
struct mu_pair {
	nng_socket   a, b;
	nng_listener l, l2; /* a's mpc+tcp and mpc+ipc listeners */
	char         url[256];
	char         ipc[256];
};
void mu_pair_open(struct mu_pair *p);
void mu_pair_close(struct mu_pair *p);

/* n messages from one socket to the other, each received. */
void mu_exchange(nng_socket from, nng_socket to, int n);

/* s with backslash, double quote and line feed escaped: the rules of a
 * label value in the exposition format and of a PromQL string. */
void mu_escape(const char *s, char *out, size_t cap);

#endif /* NNG_MPC_TEST_METRICS_UTIL_H */
