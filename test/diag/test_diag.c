/*
 * test_diag.c -- diagnostics (plugin/mpc_diag*.c): every refused
 * connection reported on both ends, with the specific reason's name, the
 * peer's address and what to fix; real sockets and real TLS with
 * certificates made at test time (test/tran/tran_certs.h).
 *   - table-driven misconfigurations: a certificate for another party,
 *     another CA, another session key, another session ID, a wrong server
 *     name, a duplicate instance;
 *   - the dialer's line is there when nng_dialer_start returns (the event
 *     precedes the failure), the listener's follows (waited for, the
 *     delay printed);
 *   - JSON lines parse (json-c) and carry the same fields; logfmt quoting
 *     and JSON escaping of hostile text; level and format names.
 * Both ends run in this process, so the TLS engine's counters (which the
 * lines use to name a failed TLS check) are shared: the TLS cause is
 * asserted on either end's line, not on a given one.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <nng/nng.h>
#include <nng/supplemental/tls/tls.h>
#include <nng/supplemental/util/platform.h>

#include "mpc_diag.h"
#include "tran_certs.h"
#include "tran_util.h"

#define LINES_MAX 256

static pthread_mutex_t lines_mtx = PTHREAD_MUTEX_INITIALIZER;
static char *          lines[LINES_MAX];
static int             n_lines;

static void
capture(void *arg, const char *line)
{
	(void) arg;
	(void) pthread_mutex_lock(&lines_mtx);
	if (n_lines < LINES_MAX) {
		lines[n_lines++] = strdup(line);
	}
	(void) pthread_mutex_unlock(&lines_mtx);
}

static void
lines_clear(void)
{
	(void) pthread_mutex_lock(&lines_mtx);
	for (int i = 0; i < n_lines; i++) {
		free(lines[i]);
	}
	n_lines = 0;
	(void) pthread_mutex_unlock(&lines_mtx);
}

/* Copies the first captured line holding every needle into out. */
static bool
lines_find(const char *const *needles, char *out, size_t cap)
{
	bool found = false;

	(void) pthread_mutex_lock(&lines_mtx);
	for (int i = 0; (i < n_lines) && !found; i++) {
		bool all = true;
		for (int k = 0; (needles[k] != NULL) && all; k++) {
			all = strstr(lines[i], needles[k]) != NULL;
		}
		if (all) {
			(void) snprintf(out, cap, "%s", lines[i]);
			found = true;
		}
	}
	(void) pthread_mutex_unlock(&lines_mtx);
	return (found);
}

static void
lines_dump(void)
{
	(void) pthread_mutex_lock(&lines_mtx);
	for (int i = 0; i < n_lines; i++) {
		print_message("  captured: %s\n", lines[i]);
	}
	(void) pthread_mutex_unlock(&lines_mtx);
}

static int
setup(void **state)
{
	(void) state;
	tc_make("diag", 3);
	tc_party(2, "twin2.pem");
	tc_rogue(2, "rogue2.pem");
	tu_register();
	return (0);
}

static int
teardown(void **state)
{
	(void) state;
	assert_int_equal(nng_mpc_log_set(NNG_MPC_LOG_OFF, 0, NULL, NULL), 0);
	lines_clear();
	tc_remove();
	return (0);
}

/* One misconfiguration: how the dialing socket differs, and what each
 * end must report. */
struct diag_case {
	const char *name;
	uint32_t    party;     /* the dialer's party */
	const char *cert;      /* its certificate file */
	bool        other_key; /* another session key */
	bool        other_sid; /* another session ID */
	const char *sni;       /* a server name to verify, or NULL */
	bool        duplicate; /* a first instance of the party connects */
	const char *reason;    /* both ends' reason, NULL: a TLS failure */
	const char *tls_cause; /* the TLS check named on one end */
	const char *fix;       /* words of the advice on the listener's line */
};

static const struct diag_case cases[] = {
	{ .name = "certificate for another party", .party = 3,
	    .cert = "party2.pem", .reason = "reason=NNG_MPC_EPARTYCERT",
	    .fix = "certificate made for its own party" },
	{ .name = "another CA", .party = 2, .cert = "rogue2.pem",
	    .tls_cause = "tls_cause=NNG_MPC_ETLSUNTRUSTED",
	    .fix = "same ca.pem" },
	{ .name = "another session key", .party = 2, .cert = "party2.pem",
	    .other_key = true, .reason = "reason=NNG_MPC_EKEYCONFIRM",
	    .fix = "(session key)" },
	{ .name = "another session ID", .party = 2, .cert = "party2.pem",
	    .other_sid = true, .reason = "reason=NNG_MPC_ESESSIONID",
	    .fix = "(session ID)" },
	{ .name = "wrong server name", .party = 2, .cert = "party2.pem",
	    .sni = "wrong.example", .tls_cause = "tls_cause=NNG_MPC_ETLSNAME",
	    .fix = "--dns NAME --ip ADDR" },
	{ .name = "duplicate instance", .party = 2, .cert = "twin2.pem",
	    .duplicate = true, .reason = "reason=NNG_MPC_EDUPPARTY",
	    .fix = "stop the duplicate" },
};

static const char *const tls_reasons[] = { "reason=NNG_EPEERAUTH",
	"reason=NNG_ECONNSHUT", "reason=NNG_ECONNRESET", NULL };

/* Waits (bounded, 10 s) for a refused line of side naming remote and one
 * of reasons; returns the milliseconds it took or -1. */
static int
wait_refused(const char *side, const char *remote,
    const char *const *reasons, char *out, size_t cap)
{
	const char *needles[5] = { "event=refused", side, remote, NULL, NULL };

	for (int ms = 0; ms <= 10000; ms += 5) {
		for (int k = 0; reasons[k] != NULL; k++) {
			needles[3] = reasons[k];
			if (lines_find(needles, out, cap)) {
				return (ms);
			}
		}
		nng_msleep(5);
	}
	return (-1);
}

/* A refused line of side, with the case's reason (or a TLS failure). */
static void
expect_side(const struct diag_case *c, const char *side,
    const char *remote, char *out, size_t cap)
{
	const char *const one[] = { c->reason, NULL };
	int               ms    = wait_refused(
            side, remote, c->reason != NULL ? one : tls_reasons, out, cap);

	if (ms < 0) {
		print_error("%s: no refused line on the %s\n", c->name, side);
		lines_dump();
		fail();
	}
	print_message("  %s, %s line after %d ms: %s\n", c->name, side, ms,
	    out);
}

static void
run_case(const struct diag_case *c)
{
	nng_socket   a = tu_bus(1);
	nng_socket   b = tu_bus(c->party);
	nng_socket   first;
	nng_listener l;
	nng_dialer   d;
	char         url[256];
	char         port[32];
	char         dl[MPC_DIAG_LINE_MAX], ll[MPC_DIAG_LINE_MAX];
	uint8_t      key[NNG_MPC_SESSION_KEY_SIZE];
	uint8_t      sid[NNG_MPC_SESSION_ID_SIZE];

	tc_tls(a, "party1.pem");
	tc_tls(b, c->cert);
	if (c->other_key) {
		memcpy(key, tu_key, sizeof(key));
		key[0] ^= 0x80;
		TU_PASS(nng_mpc_socket_set(
		    b, NNG_OPT_MPC_SESSION_KEY, key, sizeof(key)));
	}
	if (c->other_sid) {
		memcpy(sid, tu_sid, sizeof(sid));
		sid[0] ^= 0x80;
		TU_PASS(nng_mpc_socket_set(
		    b, NNG_OPT_MPC_SESSION_ID, sid, sizeof(sid)));
	}
	tu_listen(a, "mpc+tls+tcp", url, sizeof(url), &l);
	if (c->duplicate) {
		first = tu_bus(c->party);
		tc_tls(first, "party2.pem");
		TU_PASS(nng_dial(first, url, NULL, 0));
		tu_wait_pipes(a, 1);
	}
	lines_clear();
	TU_PASS(nng_dialer_create(&d, b, url));
	if (c->sni != NULL) {
		TU_PASS(nng_dialer_set_string(d, NNG_OPT_TLS_SERVER_NAME,
		    c->sni));
	}
	assert_int_not_equal(nng_dialer_start(d, 0), 0);
	/* The dialer's line names the listener's address ... */
	(void) snprintf(port, sizeof(port), "remote=%s",
	    strstr(url, "://") + 3);
	expect_side(c, "side=dialer", port, dl, sizeof(dl));
	/* ... the listener's names the dialer's (an ephemeral port). */
	expect_side(c, "side=listener", "remote=127.0.0.1:", ll, sizeof(ll));
	assert_non_null(strstr(ll, "self=1"));
	assert_non_null(strstr(dl, "self="));
	assert_non_null(strstr(ll, "ts=20"));
	if (c->tls_cause != NULL) {
		assert_true((strstr(dl, c->tls_cause) != NULL) ||
		    (strstr(ll, c->tls_cause) != NULL));
	}
	if (c->tls_cause != NULL) {
		/* The advice follows the cause, wherever it was named. */
		assert_true((strstr(dl, c->fix) != NULL) ||
		    (strstr(ll, c->fix) != NULL));
	} else {
		assert_non_null(strstr(ll, c->fix));
		assert_non_null(strstr(dl, "fix="));
	}
	assert_int_equal(tu_pipes_seen(b), 0);
	TU_PASS(nng_close(b));
	TU_PASS(nng_close(a));
	if (c->duplicate) {
		TU_PASS(nng_close(first));
	}
}

static void
test_refusals_both_ends(void **state)
{
	(void) state;
	TU_PASS(nng_mpc_log_set(
	    NNG_MPC_LOG_WARN, NNG_MPC_LOG_LOGFMT, capture, NULL));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run_case(&cases[i]);
	}
}

/* A handshake at info in JSON: every line is one JSON object. */
static void
test_json_lines(void **state)
{
	nng_socket   a = tu_bus(1);
	nng_socket   b = tu_bus(2);
	char         url[256];
	char         line[MPC_DIAG_LINE_MAX];
	const char * hs[] = { "\"event\":\"handshake\"",
                "\"side\":\"listener\"", NULL };
	json_object *o;
	json_object *v;

	(void) state;
	TU_PASS(nng_mpc_log_set(
	    NNG_MPC_LOG_INFO, NNG_MPC_LOG_JSON, capture, NULL));
	lines_clear();
	tc_tls(a, "party1.pem");
	tc_tls(b, "party2.pem");
	tu_listen(a, "mpc+tls+tcp", url, sizeof(url), NULL);
	TU_PASS(nng_dial(b, url, NULL, 0));
	for (int ms = 0; (ms < 10000) && !lines_find(hs, line, sizeof(line));
	     ms += 5) {
		nng_msleep(5);
	}
	assert_true(lines_find(hs, line, sizeof(line)));
	o = json_tokener_parse(line);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "party", &v));
	assert_int_equal(json_object_get_int(v), 2);
	assert_true(json_object_object_get_ex(o, "remote", &v));
	assert_non_null(strstr(json_object_get_string(v), "127.0.0.1:"));
	assert_true(json_object_object_get_ex(o, "subject", &v));
	json_object_put(o);
	TU_PASS(nng_close(b));
	TU_PASS(nng_close(a));
	/* Nothing below the level: off means no line at all. */
	TU_PASS(nng_mpc_log_set(NNG_MPC_LOG_OFF, 0, capture, NULL));
	lines_clear();
	a = tu_bus(1);
	b = tu_bus(2);
	tc_tls(a, "party1.pem");
	tc_tls(b, "party2.pem");
	tu_listen(a, "mpc+tls+tcp", url, sizeof(url), NULL);
	TU_PASS(nng_dial(b, url, NULL, 0));
	tu_wait_pipes(a, 1);
	TU_PASS(nng_close(b));
	TU_PASS(nng_close(a));
	(void) pthread_mutex_lock(&lines_mtx);
	assert_int_equal(n_lines, 0);
	(void) pthread_mutex_unlock(&lines_mtx);
}

/* Hostile text stays one well-formed field in both formats. */
static void
test_line_escaping(void **state)
{
	struct mpc_diag_line l;
	json_object *        o;
	json_object *        v;
	const char *         evil = "a \"b\"\n=c\\";

	(void) state;
	mpc_diag_line_begin(&l, false);
	mpc_diag_line_str(&l, "plain", "x");
	mpc_diag_line_str(&l, "evil", evil);
	mpc_diag_line_str(&l, "empty", "");
	mpc_diag_line_u64(&l, "n", 42);
	assert_string_equal(mpc_diag_line_end(&l),
	    "plain=x evil=\"a \\\"b\\\"\\u000a=c\\\\\" empty=\"\" n=42");

	mpc_diag_line_begin(&l, true);
	mpc_diag_line_str(&l, "evil", evil);
	mpc_diag_line_u64(&l, "n", 42);
	o = json_tokener_parse(mpc_diag_line_end(&l));
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "evil", &v));
	assert_string_equal(json_object_get_string(v), evil);
	json_object_put(o);

	/* A field that does not fit is left out whole. */
	{
		char big[MPC_DIAG_LINE_MAX];
		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		mpc_diag_line_begin(&l, true);
		mpc_diag_line_str(&l, "a", "1");
		mpc_diag_line_str(&l, "big", big);
		mpc_diag_line_str(&l, "b", "2");
		assert_true(l.full);
		assert_string_equal(
		    mpc_diag_line_end(&l), "{\"a\":\"1\",\"b\":\"2\"}");
	}
}

static void
test_names(void **state)
{
	int v = -1;

	(void) state;
	TU_PASS(nng_mpc_log_level_parse("debug", &v));
	assert_int_equal(v, NNG_MPC_LOG_DEBUG);
	TU_PASS(nng_mpc_log_level_parse("OFF", &v));
	assert_int_equal(v, NNG_MPC_LOG_OFF);
	TU_EXPECT(NNG_EINVAL, nng_mpc_log_level_parse("verbose", &v));
	TU_EXPECT(NNG_EINVAL, nng_mpc_log_level_parse(NULL, &v));
	TU_PASS(nng_mpc_log_format_parse("json", &v));
	assert_int_equal(v, NNG_MPC_LOG_JSON);
	TU_EXPECT(NNG_EINVAL, nng_mpc_log_format_parse("xml", &v));
	TU_EXPECT(NNG_EINVAL, nng_mpc_log_set(4, 0, NULL, NULL));
	TU_EXPECT(NNG_EINVAL, nng_mpc_log_set(1, 2, NULL, NULL));
	TU_EXPECT(NNG_EINVAL, nng_mpc_log_set(-1, 0, NULL, NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_line_escaping),
		cmocka_unit_test(test_refusals_both_ends),
		cmocka_unit_test(test_json_lines),
	};
	return (cmocka_run_group_tests(tests, setup, teardown));
}
