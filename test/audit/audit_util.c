/*
 * audit_util.c -- helpers of the audit log tests (audit_util.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit_util.h"
#include "mpc_tran_event.h"

void
au_setup(struct au_env *e)
{
	char        keys[300];
	char        msg[256];
	const char *tmp = getenv("TMPDIR");

	snprintf(e->dir, sizeof(e->dir), "%s/nngmpc-audit-XXXXXX",
	    tmp != NULL ? tmp : "/tmp");
	assert_non_null(mkdtemp(e->dir));
	snprintf(keys, sizeof(keys), "%s/keys", e->dir);
	snprintf(e->log, sizeof(e->log), "%s/audit.log", e->dir);
	snprintf(e->seal, sizeof(e->seal), "%s/audit.seal", keys);
	snprintf(e->verify, sizeof(e->verify), "%s/audit.verify", keys);
	if (mpc_audit_keygen(keys, false, msg, sizeof(msg)) != 0) {
		print_error("keygen: %s\n", msg);
		fail();
	}
}

void
au_teardown(struct au_env *e)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s' 2>/dev/null", e->dir);
	/* A log the transport's endpoints still held is closed by the last
	 * of them as NNG reaps it: its sealing state is written just after
	 * the final seal the test waited for, and may land in the middle
	 * of a removal.  Retried for a while (bounded). */
	for (int i = 0; (i < 100) && (system(cmd) != 0); i++) {
		usleep(20 * 1000);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", e->dir);
	assert_int_equal(system(cmd), 0);
}

nng_mpc_audit *
au_open(struct au_env *e, const nng_mpc_audit_opts *o)
{
	nng_mpc_audit *log = NULL;
	int            rv  = nng_mpc_audit_open(&log, e->log, e->seal, o);

	if (rv != 0) {
		print_error("nng_mpc_audit_open: %s\n", nng_mpc_strerror(rv));
		fail();
	}
	return (log);
}

void
au_events(nng_mpc_audit *log, int i0, int n)
{
	const struct mpc_tran_observer_ops *ops = mpc_audit_observer_ops();
	static const uint8_t pin[32] = { 0xaa, 0xbb, 0xcc };

	for (int i = i0; i < i0 + n; i++) {
		struct mpc_tran_event ev;
		char                  remote[64];

		memset(&ev, 0, sizeof(ev));
		snprintf(remote, sizeof(remote), "127.0.0.1:%d", 40000 + i);
		ev.kind        = (mpc_tran_event_kind) (i % 8);
		ev.url         = "mpc+tls+tcp://127.0.0.1:9001";
		ev.dialer      = (i % 2) == 0;
		ev.self        = 1;
		ev.party       = 2 + (uint32_t) (i % 3);
		ev.remote      = remote;
		ev.reason      = ev.kind == MPC_TRAN_EV_REFUSED ? NNG_MPC_ESESSIONID
		                                                : 0;
		ev.subject     = "CN=party-2,O=nng-mpc";
		ev.pin         = ev.kind == MPC_TRAN_EV_HANDSHAKE ? pin : NULL;
		ev.tls_version = "TLSv1.3";
		ev.tls_cipher  = "TLS_AES_256_GCM_SHA384";
		ev.binding     = true;
		ev.epoch       = (uint64_t) i;
		ev.duration_ns = 1000u * (uint64_t) i;
		ev.counts.frames_in = (uint64_t) i;
		ev.detail      = ev.kind == MPC_TRAN_EV_CONFIG ? "replay-window=1024"
		                                               : "";
		ops->ev_event(log, &ev);
	}
}

int
au_verify(struct au_env *e, const char *const *files,
    const struct mpc_audit_verify_opts *opts,
    struct mpc_audit_verify_result *r)
{
	struct mpc_audit_state       key;
	struct mpc_audit_verify_opts o;
	char                         msg[256];
	size_t                       n = 0;
	int                          rv;

	if (opts != NULL) {
		o = *opts;
	} else {
		memset(&o, 0, sizeof(o));
	}
	while (files[n] != NULL) {
		n++;
	}
	o.files  = files;
	o.nfiles = n;
	assert_int_equal(
	    mpc_audit_state_load(&key, e->verify, true, msg, sizeof(msg)), 0);
	rv = mpc_audit_verify(&key, &o, r);
	if (rv != 0) {
		print_message("verify: %s: %s\n", r->where, r->what);
	}
	return (rv);
}

void
au_expect_bad(struct au_env *e, const char *const *files,
    const struct mpc_audit_verify_opts *opts, const char *needle, int line)
{
	struct mpc_audit_verify_result r;
	char                           suffix[32];

	assert_int_equal(au_verify(e, files, opts, &r), NNG_MPC_EAUDITBAD);
	if (strstr(r.what, needle) == NULL) {
		print_error("expected '%s' in '%s'\n", needle, r.what);
		fail();
	}
	if (line > 0) {
		size_t wl = strlen(r.where), sl;

		snprintf(suffix, sizeof(suffix), ":%d", line);
		sl = strlen(suffix);
		if (wl < sl || strcmp(r.where + wl - sl, suffix) != 0) {
			print_error("expected line %d, got %s\n", line, r.where);
			fail();
		}
	}
}

char *
au_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long  n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t) n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t) n, f), (size_t) n);
	buf[n] = '\0';
	fclose(f);
	if (len != NULL) {
		*len = (size_t) n;
	}
	return (buf);
}

void
au_lines_read(const char *path, struct au_lines *ls)
{
	char * text = au_slurp(path, NULL);
	char * p, *nl;
	size_t cap = 16;

	ls->n = 0;
	ls->l = malloc(cap * sizeof(char *));
	assert_non_null(ls->l);
	for (p = text; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		if (ls->n == cap) {
			cap *= 2;
			ls->l = realloc(ls->l, cap * sizeof(char *));
			assert_non_null(ls->l);
		}
		ls->l[ls->n++] = strndup(p, (size_t) (nl - p));
	}
	assert_int_equal(*p, '\0'); /* every line ended */
	free(text);
}

void
au_lines_write(const char *path, const struct au_lines *ls)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	for (size_t i = 0; i < ls->n; i++) {
		fprintf(f, "%s\n", ls->l[i]);
	}
	assert_int_equal(fclose(f), 0);
}

void
au_lines_free(struct au_lines *ls)
{
	for (size_t i = 0; i < ls->n; i++) {
		free(ls->l[i]);
	}
	free(ls->l);
	ls->l = NULL;
	ls->n = 0;
}

size_t
au_lines_find(const struct au_lines *ls, size_t from, const char *needle)
{
	for (size_t i = from; i < ls->n; i++) {
		if (strstr(ls->l[i], needle) != NULL) {
			return (i);
		}
	}
	print_error("no line contains '%s'\n", needle);
	fail();
	return (0);
}
