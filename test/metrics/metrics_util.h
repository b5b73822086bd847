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

#include "proc_util.h"

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
	struct pu_proc proc;
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

#endif /* NNG_MPC_TEST_METRICS_UTIL_H */
