/*
 * metrics_util.c -- HTTP client, Prometheus server and queries for the
 * metrics tests (metrics_util.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "metrics_util.h"
#include "tran_util.h"

#define MU_WAIT_MS      60000
#define MU_POLL_MS      250
#define MU_RESPONSE_MAX (16u << 20)

static int
mu_connect(int port)
{
	struct timeval     tv = { .tv_sec = 5, .tv_usec = 0 };
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int                fd;

	sa.sin_port        = htons((uint16_t) port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true((fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	(void) setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void) setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) != 0) {
		(void) close(fd);
		return (-1);
	}
	return (fd);
}

static bool
mu_write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w <= 0) {
			return (false);
		}
		p += w;
		n -= (size_t) w;
	}
	return (true);
}

/* The whole response up to EOF (HTTP/1.0: the server closes). */
static char *
mu_read_all(int fd, size_t *len)
{
	size_t cap = 65536, n = 0;
	char  *buf = malloc(cap);

	assert_non_null(buf);
	for (;;) {
		ssize_t r;

		if (n + 1 == cap) {
			assert_true(cap < MU_RESPONSE_MAX);
			cap *= 2;
			assert_non_null(buf = realloc(buf, cap));
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			break;
		}
		n += (size_t) r;
	}
	buf[n] = '\0';
	*len   = n;
	return (buf);
}

bool
mu_http(int port, const char *method, const char *path, struct mu_http *out)
{
	char   req[4096];
	char  *resp, *hdr_end, *line;
	size_t len;
	int    fd, n;

	memset(out, 0, sizeof(*out));
	if ((fd = mu_connect(port)) < 0) {
		return (false);
	}
	n = snprintf(req, sizeof(req),
	    "%s %s HTTP/1.0\r\nHost: 127.0.0.1:%d\r\n\r\n", method, path,
	    port);
	assert_true(n > 0 && (size_t) n < sizeof(req));
	if (!mu_write_all(fd, req, (size_t) n)) {
		(void) close(fd);
		return (false);
	}
	resp = mu_read_all(fd, &len);
	(void) close(fd);
	if (sscanf(resp, "HTTP/1.%*d %d", &out->status) != 1 ||
	    (hdr_end = strstr(resp, "\r\n\r\n")) == NULL) {
		free(resp);
		return (false);
	}
	*hdr_end = '\0';
	for (line = strstr(resp, "\r\n"); line != NULL;
	     line = strstr(line + 2, "\r\n")) {
		if (strncasecmp(line + 2, "Content-Type:", 13) == 0) {
			const char *v   = line + 2 + 13;
			const char *end = strstr(v, "\r\n");

			v += strspn(v, " ");
			out->content_type = strndup(
			    v, end != NULL ? (size_t) (end - v) : strlen(v));
		}
	}
	out->body_len = len - (size_t) (hdr_end + 4 - resp);
	assert_non_null(out->body = malloc(out->body_len + 1));
	memcpy(out->body, hdr_end + 4, out->body_len + 1);
	free(resp);
	return (true);
}

void
mu_http_free(struct mu_http *r)
{
	free(r->content_type);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

int
mu_free_port(void)
{
	return (ut_free_tcp_port()); /* below the ephemeral range */
}

int
mu_promtool_check(const char *text, char **out)
{
	static const struct nngmpc_proc_spec spec = {
		.in = NNGMPC_PROC_PIPE, .out = NNGMPC_PROC_PIPE, .err = NNGMPC_PROC_TO_OUT, .path = true
	};
	char *const      argv[] = { "promtool", "check", "metrics", NULL };
	struct nngmpc_proc   p;
	struct nngmpc_proc_result r;

	assert_int_equal(nngmpc_proc_spawn(&p, argv, &spec), 0);
	assert_true(mu_write_all(p.in, text, strlen(text)));
	assert_int_equal(nngmpc_proc_finish(&p, &r), 0);
	*out  = r.out;
	r.out = NULL;
	nngmpc_proc_result_free(&r);
	return (r.status);
}

static void
mu_sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
		.tv_nsec = (long) (ms % 1000) * 1000000L };

	(void) nanosleep(&ts, NULL);
}

void
mu_prom_start(struct mu_prom *p, int target_port)
{
	static const struct nngmpc_proc_spec spec = {
		.in = NNGMPC_PROC_NULL, .out = NNGMPC_PROC_NULL, .err = NNGMPC_PROC_INHERIT, .path = true
	};
	const char *tmp = getenv("TMPDIR");
	char        cfg[512], data[512], listen[64], cfgarg[600], dataarg[600];
	char        listenarg[100];
	FILE       *f;
	struct mu_http r;

	memset(p, 0, sizeof(*p));
	(void) snprintf(p->dir, sizeof(p->dir), "%s/nngmpc-prom-XXXXXX",
	    tmp != NULL ? tmp : "/tmp");
	assert_non_null(mkdtemp(p->dir));
	(void) snprintf(cfg, sizeof(cfg), "%s/prometheus.yml", p->dir);
	(void) snprintf(data, sizeof(data), "%s/data", p->dir);
	assert_non_null(f = fopen(cfg, "w"));
	fprintf(f,
	    "global:\n"
	    "  scrape_interval: 1s\n"
	    "  scrape_timeout: 1s\n"
	    "scrape_configs:\n"
	    "  - job_name: nngmpc\n"
	    "    static_configs:\n"
	    "      - targets: ['127.0.0.1:%d']\n",
	    target_port);
	assert_int_equal(fclose(f), 0);

	p->port = mu_free_port();
	(void) snprintf(listen, sizeof(listen), "127.0.0.1:%d", p->port);
	(void) snprintf(cfgarg, sizeof(cfgarg), "--config.file=%s", cfg);
	(void) snprintf(dataarg, sizeof(dataarg), "--storage.tsdb.path=%s",
	    data);
	(void) snprintf(listenarg, sizeof(listenarg),
	    "--web.listen-address=%s", listen);
	{
		char *const argv[] = { "prometheus", cfgarg, dataarg,
			listenarg, "--log.level=warn", NULL };

		assert_int_equal(nngmpc_proc_spawn(&p->proc, argv, &spec), 0);
	}
	for (int waited = 0;; waited += MU_POLL_MS) {
		if (mu_http(p->port, "GET", "/-/ready", &r)) {
			int status = r.status;

			mu_http_free(&r);
			if (status == 200) {
				return;
			}
		}
		if (waited >= MU_WAIT_MS) {
			mu_prom_stop(p); /* never leave it running */
			fail_msg("prometheus not ready after %d ms", MU_WAIT_MS);
		}
		mu_sleep_ms(MU_POLL_MS);
	}
}

void
mu_prom_stop(struct mu_prom *p)
{
	char *const argv[] = { "rm", "-rf", p->dir, NULL };
	static const struct nngmpc_proc_spec spec = { .path = true };
	struct nngmpc_proc_result            r;

	(void) kill(p->proc.pid, SIGTERM);
	if (nngmpc_proc_reap(&p->proc, 10000) == -1) {
		print_message("prometheus did not stop on SIGTERM: killed\n");
	}
	if (strstr(p->dir, "nngmpc-prom-") != NULL) {
		assert_int_equal(nngmpc_proc_run(argv, &spec, &r), 0);
		nngmpc_proc_result_free(&r);
	}
}

/* RFC 3986 percent-encoding of everything but the unreserved set. */
static void
mu_urlencode(const char *s, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t            n     = 0;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char) *s;

		assert_true(n + 4 < cap);
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL) {
			out[n++] = (char) c;
		} else {
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	out[n] = '\0';
}

int
mu_prom_query(struct mu_prom *p, const char *promql, double *value)
{
	char           path[4096] = "/api/v1/query?query=";
	struct mu_http r;
	json_object   *doc, *o, *result;
	int            n = -1;

	mu_urlencode(promql, path + strlen(path), sizeof(path) - strlen(path));
	if (!mu_http(p->port, "GET", path, &r)) {
		return (-1);
	}
	doc = json_tokener_parse(r.body);
	if (doc != NULL && json_object_object_get_ex(doc, "status", &o) &&
	    strcmp(json_object_get_string(o), "success") == 0 &&
	    json_object_object_get_ex(doc, "data", &o) &&
	    json_object_object_get_ex(o, "result", &result) &&
	    json_object_is_type(result, json_type_array)) {
		n = (int) json_object_array_length(result);
		if (n > 0 && value != NULL) {
			json_object *v;

			/* "value": [ <time>, "<value as text>" ] */
			if (json_object_object_get_ex(
			        json_object_array_get_idx(result, 0), "value",
			        &v) &&
			    json_object_array_length(v) == 2) {
				*value = strtod(json_object_get_string(
				                    json_object_array_get_idx(v, 1)),
				    NULL);
			}
		}
	} else {
		print_message("query %s: %s\n", promql, r.body);
	}
	json_object_put(doc);
	mu_http_free(&r);
	return (n);
}

bool
mu_prom_wait_value(struct mu_prom *p, const char *promql, double want)
{
	double v = -1;

	for (int waited = 0; waited < MU_WAIT_MS; waited += MU_POLL_MS) {
		if (mu_prom_query(p, promql, &v) > 0 && v == want) {
			return (true);
		}
		mu_sleep_ms(MU_POLL_MS);
	}
	print_message("%s: last value %g, want %g\n", promql, v, want);
	return (false);
}

void
mu_pair_open(struct mu_pair *p)
{
	const char *tmp = getenv("TMPDIR");

	memset(p, 0, sizeof(*p));
	tu_register();
	p->a = tu_pair(1);
	p->b = tu_pair(2);
	tu_listen(p->a, "mpc+tcp", p->url, sizeof(p->url), &p->l);
	(void) snprintf(p->ipc, sizeof(p->ipc),
	    "mpc+ipc://%s/nngmpc-metrics-%d-\"q\"\\b\nx",
	    tmp != NULL ? tmp : "/tmp", (int) getpid());
	TU_PASS(nng_listen(p->a, p->ipc, &p->l2, 0));
	TU_PASS(nng_dial(p->b, p->url, NULL, 0));
	tu_wait_pipes(p->a, 1);
	tu_wait_pipes(p->b, 1);
}

void
mu_pair_close(struct mu_pair *p)
{
	TU_PASS(nng_close(p->b));
	TU_PASS(nng_close(p->a));
	(void) unlink(p->ipc + strlen("mpc+ipc://"));
}

void
mu_exchange(nng_socket from, nng_socket to, int n)
{
	for (int i = 0; i < n; i++) {
		tu_send(from, "round", 5, 0, 0);
		nng_msg_free(tu_recv(to));
	}
}

void
mu_escape(const char *s, char *out, size_t cap)
{
	size_t k = 0;

	for (; *s != '\0'; s++) {
		assert_true(k + 3 < cap);
		if (*s == '\\' || *s == '"') {
			out[k++] = '\\';
			out[k++] = *s;
		} else if (*s == '\n') {
			out[k++] = '\\';
			out[k++] = 'n';
		} else {
			out[k++] = *s;
		}
	}
	out[k] = '\0';
}
