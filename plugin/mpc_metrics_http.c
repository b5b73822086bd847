/*
 * mpc_metrics_http.c -- the metrics endpoint: NNG's own HTTP server
 * (nng/supplemental/http/http.h) answering GET /metrics with the page of
 * mpc_metrics.h; NNG answers every other path with 404 and other methods
 * on /metrics with 405 (HEAD is served as GET without a body).
 *
 * NNG shares one HTTP server per host:port inside a process
 * (nng_http_server_hold), so an application's own server on the same
 * address gets a /metrics handler added, and keeps running when ours
 * stops.
 *
 * Threading: NNG runs the handler on its own threads, any number at once;
 * it renders into a local buffer and touches no shared state besides the
 * scrape histogram (lock-free).  start and stop are the caller's, once
 * each per endpoint.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>

#include <nng/nng.h>
#include <nng/supplemental/http/http.h>

#include "nng_mpc.h"

#include "mpc_hist.h"
#include "mpc_metrics.h"

#define MPC_METRICS_PATH "/metrics"
/* "http://" + host + ":" + port: room for an IPv6 literal in brackets. */
#define MPC_METRICS_URL_MAX 300

struct nng_mpc_metrics {
	nng_http_server  *srv;
	nng_http_handler *h;
	int               port;
};

static uint64_t
mpc_metrics_now_ns(void)
{
	struct timespec ts;

	(void) clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t) ts.tv_sec * UINT64_C(1000000000) +
	    (uint64_t) ts.tv_nsec);
}

static void
mpc_metrics_serve(nng_aio *aio)
{
	nng_http_handler *h    = nng_aio_get_input(aio, 1);
	mpc_hist         *hist = nng_http_handler_get_data(h);
	nng_http_res     *res  = NULL;
	mpc_prom_buf      page;
	uint64_t          t0 = mpc_metrics_now_ns();
	int               rv;

	mpc_prom_buf_init(&page);
	if ((rv = mpc_metrics_render(&page)) == 0 &&
	    (rv = nng_http_res_alloc(&res)) == 0 &&
	    (rv = nng_http_res_set_header(
	         res, "Content-Type", MPC_METRICS_CONTENT_TYPE)) == 0) {
		rv = nng_http_res_copy_data(res, page.data, page.len);
	}
	mpc_prom_buf_fini(&page);
	if (rv != 0) {
		nng_http_res_free(res);
		res = NULL;
		if ((rv = nng_http_res_alloc_error(
		         &res, NNG_HTTP_STATUS_INTERNAL_SERVER_ERROR)) != 0) {
			nng_aio_finish(aio, rv);
			return;
		}
	}
	if (hist != NULL) {
		mpc_hist_observe(hist, mpc_metrics_now_ns() - t0);
	}
	nng_aio_set_output(aio, 0, res);
	nng_aio_finish(aio, 0);
}

/* "HOST:PORT" → "http://HOST:PORT" with PORT 0..65535 and HOST present. */
static int
mpc_metrics_url(const char *addr, char *url, size_t urlsz)
{
	const char   *colon;
	char         *end;
	unsigned long port;

	if (addr == NULL || (colon = strrchr(addr, ':')) == NULL ||
	    colon == addr || colon[1] == '\0' ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1)) {
		return (NNG_EADDRINVAL);
	}
	port = strtoul(colon + 1, &end, 10);
	if (port > 65535 || strlen(colon + 1) > 5 ||
	    strchr(addr, '/') != NULL || strpbrk(addr, " \t\r\n") != NULL) {
		return (NNG_EADDRINVAL);
	}
	if ((size_t) snprintf(url, urlsz, "http://%s", addr) >= urlsz) {
		return (NNG_EADDRINVAL);
	}
	return (0);
}

int
nng_mpc_metrics_start(const char *addr, nng_mpc_metrics **out)
{
	nng_mpc_metrics *m = NULL;
	nng_url         *url = NULL;
	nng_sockaddr     sa;
	mpc_hist        *hist;
	char             u[MPC_METRICS_URL_MAX];
	bool             started = false;
	int              rv;

	if (out == NULL) {
		return (NNG_EINVAL);
	}
	*out = NULL;
	if ((rv = mpc_metrics_url(addr, u, sizeof(u))) != 0) {
		return (rv);
	}
	if ((rv = nng_url_parse(&url, u)) != 0) {
		return (rv == NNG_EINVAL ? NNG_EADDRINVAL : rv);
	}
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		rv = NNG_ENOMEM;
		goto fail;
	}
	/* The scrape histogram is labelled by the address asked for; a
	 * full registry only costs the histogram, never the endpoint. */
	if (mpc_hist_get(&mpc_hist_scrape_seconds, addr, &hist) != 0) {
		hist = NULL;
	}
	if ((rv = nng_http_server_hold(&m->srv, url)) != 0 ||
	    (rv = nng_http_handler_alloc(&m->h, MPC_METRICS_PATH,
	         mpc_metrics_serve)) != 0 ||
	    (rv = nng_http_handler_set_method(m->h, "GET")) != 0 ||
	    (rv = nng_http_handler_set_data(m->h, hist, NULL)) != 0) {
		goto fail;
	}
	if ((rv = nng_http_server_add_handler(m->srv, m->h)) != 0) {
		goto fail;
	}
	if ((rv = nng_http_server_start(m->srv)) != 0) {
		(void) nng_http_server_del_handler(m->srv, m->h);
		goto fail;
	}
	started = true;
	if ((rv = nng_http_server_get_addr(m->srv, &sa)) != 0) {
		goto fail;
	}
	m->port = sa.s_family == NNG_AF_INET6
	    ? (int) ntohs(sa.s_in6.sa_port)
	    : (int) ntohs(sa.s_in.sa_port);
	nng_url_free(url);
	*out = m;
	return (0);

fail:
	if (started) {
		nng_http_server_stop(m->srv);
		(void) nng_http_server_del_handler(m->srv, m->h);
	}
	if (m != NULL) {
		if (m->h != NULL) {
			nng_http_handler_free(m->h);
		}
		if (m->srv != NULL) {
			nng_http_server_release(m->srv);
		}
		free(m);
	}
	nng_url_free(url);
	return (rv);
}

int
nng_mpc_metrics_port(const nng_mpc_metrics *m)
{
	return (m != NULL ? m->port : -1);
}

void
nng_mpc_metrics_stop(nng_mpc_metrics *m)
{
	if (m == NULL) {
		return;
	}
	/* Stop first: NNG closes the server's connections and waits for
	 * them, so no scrape is running when the handler goes. */
	nng_http_server_stop(m->srv);
	(void) nng_http_server_del_handler(m->srv, m->h);
	nng_http_handler_free(m->h);
	nng_http_server_release(m->srv);
	free(m);
}
