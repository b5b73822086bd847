/*
 * bench_audit: what an audit record costs the thread that reports it.
 * Side by side in one run:
 *   queued    the observer's ev_event with the writer thread running
 *             (chain, seals every 1000 records, fsync at each seal)
 *   queued x2 the same from two producer threads at once
 *   inline    the naive logger a user would otherwise write: format the
 *             JSON line (json-c) and write(2) it on the reporting thread
 * "paced" producers report in bursts of 1024 (under the 4096-slot queue)
 * and wait for the writer between bursts, so every call takes the queued
 * path; "flood" producers never wait, so most calls find the queue full
 * and only count a loss.  ns per call (wall clock per producer, the
 * waits excluded), records lost, and the highest queue occupancy.  Usage: bench_audit [records per producer, default 200000]
 */
#include <fcntl.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mpc_audit.h"
#include "mpc_tran_event.h"

static int n_events = 200000;

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double) ts.tv_sec * 1e9 + (double) ts.tv_nsec);
}

static void
event_init(struct mpc_tran_event *ev)
{
	static const uint8_t pin[32] = { 1, 2, 3 };

	memset(ev, 0, sizeof(*ev));
	ev->kind        = MPC_TRAN_EV_HANDSHAKE;
	ev->url         = "mpc+tls+tcp://127.0.0.1:9001";
	ev->self        = 1;
	ev->party       = 2;
	ev->remote      = "127.0.0.1:40001";
	ev->subject     = "CN=party-2,O=nng-mpc";
	ev->pin         = pin;
	ev->tls_version = "TLSv1.3";
	ev->tls_cipher  = "TLS_AES_256_GCM_SHA384";
	ev->detail      = "";
}

struct producer {
	void * sink;
	double ns;
	bool   paced; /* bursts smaller than the queue, flushed between */
};

static void *
produce(void *arg)
{
	struct producer *                   p   = arg;
	const struct mpc_tran_observer_ops *ops = mpc_audit_observer_ops();
	struct mpc_tran_event               ev;
	double                              t0;

	double                              spent = 0;

	event_init(&ev);
	for (int i = 0; i < n_events;) {
		int burst = p->paced ? 1024 : n_events;

		t0 = now_ns();
		for (int j = 0; j < burst && i < n_events; j++, i++) {
			ev.duration_ns = (uint64_t) i;
			ops->ev_event(p->sink, &ev);
		}
		spent += now_ns() - t0;
		if (p->paced) {
			(void) nng_mpc_audit_flush(p->sink);
		}
	}
	p->ns = spent / n_events;
	return (NULL);
}

static void
run_queued(const char *dir, int threads, bool paced)
{
	char                seal[600], keys[512], logp[600], msg[256];
	nng_mpc_audit *     log;
	nng_mpc_audit_stats st;
	struct producer     p[2];
	pthread_t           t[2];
	double              ns = 0;

	snprintf(keys, sizeof(keys), "%s/keys%d%d", dir, threads, paced);
	snprintf(seal, sizeof(seal), "%s/audit.seal", keys);
	snprintf(logp, sizeof(logp), "%s/queued%d%d.log", dir, threads, paced);
	if (mpc_audit_keygen(keys, false, msg, sizeof(msg)) != 0 ||
	    nng_mpc_audit_open(&log, logp, seal, NULL) != 0) {
		fprintf(stderr, "bench_audit: cannot open a log in %s\n", dir);
		exit(1);
	}
	for (int i = 0; i < threads; i++) {
		p[i].sink  = log;
		p[i].paced = paced;
		pthread_create(&t[i], NULL, produce, &p[i]);
	}
	for (int i = 0; i < threads; i++) {
		pthread_join(t[i], NULL);
		ns += p[i].ns / threads;
	}
	(void) nng_mpc_audit_flush(log);
	nng_mpc_audit_stats_get(log, &st);
	nng_mpc_audit_close(log);
	printf("| queued x%d %s | %8.0f | %10llu | %10llu |\n", threads,
	    paced ? "paced" : "flood", ns,
	    (unsigned long long) st.lost, (unsigned long long) st.queue_max);
}

static void
run_inline(const char *dir)
{
	struct mpc_audit_rec rec;
	uint8_t              head[MPC_AUDIT_HASH_LEN] = { 0 };
	char                 line[MPC_AUDIT_LINE_MAX + 1], path[512];
	int                  fd;
	double               t0, ns;

	snprintf(path, sizeof(path), "%s/inline.log", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_TRUNC, 0600);
	memset(&rec, 0, sizeof(rec));
	rec.kind = MPC_AUDIT_REC_HANDSHAKE;
	snprintf(rec.url, sizeof(rec.url), "mpc+tls+tcp://127.0.0.1:9001");
	snprintf(rec.remote, sizeof(rec.remote), "127.0.0.1:40001");
	snprintf(rec.subject, sizeof(rec.subject), "CN=party-2,O=nng-mpc");
	t0 = now_ns();
	for (int i = 0; i < n_events; i++) {
		struct timespec ts;
		size_t          len;

		clock_gettime(CLOCK_REALTIME, &ts);
		rec.ts_sec  = ts.tv_sec;
		rec.ts_nsec = ts.tv_nsec;
		len = mpc_audit_json_line(line, sizeof(line) - 1, &rec,
		    (uint64_t) i, head);
		line[len] = '\n';
		if (write(fd, line, len + 1) != (ssize_t) len + 1) {
			exit(1);
		}
	}
	ns = (now_ns() - t0) / n_events;
	close(fd);
	printf("| inline          | %8.0f | %10s | %10s |\n", ns, "-", "-");
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/bench_audit.XXXXXX";
	char cmd[64];

	if (argc > 1) {
		n_events = atoi(argv[1]);
	}
	if (n_events <= 0 || mkdtemp(dir) == NULL) {
		return (1);
	}
	printf("%d records per producer\n\n", n_events);
	printf("| producer        | ns/call  | lost       | queue max  |\n");
	printf("|---|---:|---:|---:|\n");
	run_queued(dir, 1, true);
	run_queued(dir, 2, true);
	run_queued(dir, 1, false);
	run_queued(dir, 2, false);
	run_inline(dir);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return (system(cmd) == 0 ? 0 : 1);
}
