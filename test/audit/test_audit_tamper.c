/*
 * The verifier against an attacker who holds the machine: each edit of a
 * real log (flip a byte, delete, swap, truncate, splice, remove a rotated
 * file, re-chain, re-seal with the current key, append) is detected with
 * its own message at the first bad line, and a clean log passes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "audit_util.h"

static struct au_env env;

/* A log of 40 events sealed every 8 records, closed. */
static int
setup(void **state)
{
	nng_mpc_audit *log;

	(void) state;
	au_setup(&env);
	log = au_open(&env, &(nng_mpc_audit_opts) { .seal_records = 8 });
	au_events(log, 0, 40);
	nng_mpc_audit_close(log);
	return (0);
}

static int
teardown(void **state)
{
	(void) state;
	au_teardown(&env);
	return (0);
}

static const char *const *
files1(void)
{
	static const char *f[2];

	f[0] = env.log;
	f[1] = NULL;
	return (f);
}

/* Index (0-based) of the n-th line (from 0) with the given event. */
static size_t
nth(const struct au_lines *ls, const char *event, int n)
{
	char   needle[64];
	size_t i = 0;

	snprintf(needle, sizeof(needle), "\"event\":\"%s\"", event);
	for (int k = 0; k <= n; k++) {
		i = au_lines_find(ls, k == 0 ? 0 : i + 1, needle);
	}
	return (i);
}

/*
 * What an attacker can do with the lines: recompute seq (from, with
 * delta) and prev from line `from` on, and, with key, the MAC of every
 * seal under that key (the current one, found on the machine).
 */
static void
rechain(struct au_lines *ls, size_t from, int64_t delta,
    const struct mpc_audit_state *key)
{
	uint8_t head[MPC_AUDIT_HASH_LEN];
	char    hex[MPC_AUDIT_HEX_LEN + 1];

	if (from == 0) {
		assert_int_equal(mpc_audit_genesis(head, key->log_id), 0);
	} else {
		assert_int_equal(mpc_audit_sha256(head, ls->l[from - 1],
		                     strlen(ls->l[from - 1])),
		    0);
	}
	for (size_t i = from; i < ls->n; i++) {
		json_object *o = json_tokener_parse(ls->l[i]), *v;
		uint64_t     seq;

		assert_non_null(o);
		assert_true(json_object_object_get_ex(o, "seq", &v));
		seq = (uint64_t) ((int64_t) json_object_get_uint64(v) + delta);
		json_object_object_add(o, "seq", json_object_new_uint64(seq));
		mpc_audit_hex(hex, head, sizeof(head));
		json_object_object_add(o, "prev", json_object_new_string(hex));
		if (key != NULL && json_object_object_get_ex(o, "epoch", &v) &&
		    strstr(ls->l[i], "\"event\":\"seal\"") != NULL) {
			uint8_t mac[MPC_AUDIT_HASH_LEN];

			assert_int_equal(mpc_audit_seal_mac(mac, key->key,
			                     key->log_id, json_object_get_uint64(v),
			                     seq, head),
			    0);
			mpc_audit_hex(hex, mac, sizeof(mac));
			json_object_object_add(
			    o, "mac", json_object_new_string(hex));
		}
		free(ls->l[i]);
		ls->l[i] = strdup(json_object_to_json_string_ext(o,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
		assert_int_equal(mpc_audit_sha256(head, ls->l[i],
		                     strlen(ls->l[i])),
		    0);
	}
}

static void
test_clean_passes(void **state)
{
	struct mpc_audit_verify_result r;

	(void) state;
	assert_int_equal(au_verify(&env, files1(), NULL, &r), 0);
	assert_int_equal(r.seals, 6);
}

static void
test_flipped_byte(void **state)
{
	struct au_lines ls;
	size_t          i;
	char *          p;

	(void) state;
	au_lines_read(env.log, &ls);
	i = nth(&ls, "handshake", 2);
	p = strstr(ls.l[i], "party-2");
	p[6] = '3'; /* still valid JSON, a different certificate */
	au_lines_write(env.log, &ls);
	au_lines_free(&ls);
	/* line i+1 (1-based) changed: the next line's prev no longer fits */
	au_expect_bad(&env, files1(), NULL, "chain broken", (int) i + 2);
}

static void
test_flipped_byte_breaks_json(void **state)
{
	struct au_lines ls;

	(void) state;
	au_lines_read(env.log, &ls);
	ls.l[5][0] = '[';
	au_lines_write(env.log, &ls);
	au_lines_free(&ls);
	au_expect_bad(&env, files1(), NULL, "not a JSON object", 6);
}

static void
test_deleted_line(void **state)
{
	struct au_lines ls;

	(void) state;
	au_lines_read(env.log, &ls);
	free(ls.l[10]);
	memmove(&ls.l[10], &ls.l[11], (ls.n - 11) * sizeof(char *));
	ls.n--;
	au_lines_write(env.log, &ls);
	au_lines_free(&ls);
	au_expect_bad(&env, files1(), NULL, "records missing: seq jumps from 9 to 11",
	    11);
}

static void
test_swapped_lines(void **state)
{
	struct au_lines ls;
	char *          t;

	(void) state;
	au_lines_read(env.log, &ls);
	t        = ls.l[3];
	ls.l[3]  = ls.l[4];
	ls.l[4]  = t;
	au_lines_write(env.log, &ls);
	au_lines_free(&ls);
	au_expect_bad(&env, files1(), NULL,
	    "lines out of order: seq 4 comes before seq 3", 4);
}

static void
test_truncated_after_a_seal(void **state)
{
	struct mpc_audit_verify_result r, full;
	struct mpc_audit_verify_opts   o;
	struct au_lines                ls;
	char                           head[MPC_AUDIT_HEX_LEN + 1];
	char                           vstate[400];
	char                           shead[MPC_AUDIT_HEX_LEN + 1];
	char                           msg[256];
	size_t                         keep;

	(void) state;
	/* What the auditor kept off the machine last time. */
	assert_int_equal(au_verify(&env, files1(), NULL, &full), 0);
	mpc_audit_hex(head, full.head, sizeof(full.head));
	snprintf(vstate, sizeof(vstate), "%s/verifier.state", env.dir);
	assert_int_equal(
	    mpc_audit_vstate_save(vstate, full.last_seq, full.head), 0);

	au_lines_read(env.log, &ls);
	keep = nth(&ls, "seal", 2) + 1; /* cut right after the third seal */
	for (size_t i = keep; i < ls.n; i++) {
		free(ls.l[i]);
	}
	ls.n = keep;
	au_lines_write(env.log, &ls);
	au_lines_free(&ls);

	/* On its own the shorter log is valid: the seals cannot tell. */
	assert_int_equal(au_verify(&env, files1(), NULL, &r), 0);
	assert_int_equal(r.seals, 3);
	/* Against what was kept elsewhere it is not. */
	memset(&o, 0, sizeof(o));
	o.have_expect_seq = true;
	o.expect_seq      = full.last_seq;
	au_expect_bad(&env, files1(), &o, "its tail was cut", 0);
	memset(&o, 0, sizeof(o));
	o.expect_head = head;
	au_expect_bad(&env, files1(), &o, "not the expected head", 0);
	memset(&o, 0, sizeof(o));
	assert_int_equal(mpc_audit_vstate_load(vstate, &o.expect_seq, shead,
	                     msg, sizeof(msg)),
	    0);
	o.have_expect_seq = true;
	o.expect_head     = shead;
	au_expect_bad(&env, files1(), &o, "its tail was cut", 0);
}

static void
test_truncated_before_the_last_seal(void **state)
{
	struct au_lines ls;
	size_t          keep;
	FILE *          f;

	(void) state;
	au_lines_read(env.log, &ls);
	keep = nth(&ls, "seal", 3) - 2; /* inside the fourth epoch */
	for (size_t i = keep; i < ls.n; i++) {
		free(ls.l[i]);
	}
	ls.n = keep;
	au_lines_write(env.log, &ls);
	au_lines_free(&ls);
	au_expect_bad(&env, files1(), NULL, "unsealed tail: 6 record(s)", 0);
	/* Cut in the middle of a line. */
	f = fopen(env.log, "ab");
	fputs("{\"seq\":", f);
	fclose(f);
	au_expect_bad(&env, files1(), NULL, "no newline", (int) keep + 1);
}

static void
test_spliced_logs(void **state)
{
	struct au_env   other;
	nng_mpc_audit * log;
	struct au_lines a, b;
	const char *    two[3] = { env.log, NULL, NULL };
	size_t          na;

	(void) state;
	au_setup(&other);
	log = au_open(&other, NULL);
	au_events(log, 100, 5);
	nng_mpc_audit_close(log);
	au_lines_read(env.log, &a);
	au_lines_read(other.log, &b);
	na = a.n;
	/* B's lines after A's */
	a.l = realloc(a.l, (a.n + b.n) * sizeof(char *));
	for (size_t i = 0; i < b.n; i++) {
		a.l[a.n + i] = b.l[i];
	}
	a.n += b.n;
	b.n = 0;
	au_lines_write(env.log, &a);
	au_expect_bad(&env, files1(), NULL, "seq goes back", (int) na + 1);
	/* B as if it were the next file */
	two[1] = other.log;
	au_lines_free(&a);
	au_lines_read(env.log, &a);
	for (size_t i = na; i < a.n; i++) {
		free(a.l[i]);
	}
	a.n = na;
	au_lines_write(env.log, &a);
	au_expect_bad(&env, two, NULL, "does not start with a rotation record", 1);
	/* B verified with A's key */
	au_expect_bad(&env, &two[1], NULL, "not the genesis of this log", 1);
	au_lines_free(&a);
	au_lines_free(&b);
	au_teardown(&other);
}

static void
test_removed_rotated_file(void **state)
{
	struct au_env       e;
	nng_mpc_audit *     log;
	nng_mpc_audit_stats st;
	char                f1[400], f2[400], f3[400];

	(void) state;
	au_setup(&e);
	log = au_open(&e, &(nng_mpc_audit_opts) {
	    .max_bytes = NNG_MPC_AUDIT_MAX_BYTES_MIN });
	for (int i = 0; i < 1000; i++) {
		au_events(log, 20 * i, 20);
		assert_int_equal(nng_mpc_audit_flush(log), 0);
		nng_mpc_audit_stats_get(log, &st);
		if (st.rotations >= 3) {
			break;
		}
	}
	nng_mpc_audit_close(log);
	snprintf(f1, sizeof(f1), "%s.1", e.log);
	snprintf(f2, sizeof(f2), "%s.2", e.log);
	snprintf(f3, sizeof(f3), "%s.3", e.log);
	{
		const char *all[] = { f1, f2, f3, e.log, NULL };
		const char *no2[] = { f1, f3, e.log, NULL };
		const char *no1[] = { f2, f3, e.log, NULL };
		const char *order[] = { f1, f3, f2, e.log, NULL };
		struct mpc_audit_verify_result r;

		assert_int_equal(au_verify(&e, all, NULL, &r), 0);
		au_expect_bad(&e, no2, NULL,
		    "this file continues audit.log.2, but the file before it "
		    "is audit.log.1: a rotated file is missing",
		    1);
		au_expect_bad(&e, no1, NULL, "first file(s) are missing", 1);
		au_expect_bad(&e, order, NULL, "or the files are out of order", 1);
	}
	au_teardown(&e);
}

static void
test_resealed_with_current_key(void **state)
{
	struct mpc_audit_state st;
	struct au_lines        ls;
	char                   msg[256];
	size_t                 i;

	(void) state;
	/* The attacker edits a record of epoch 0, then re-chains and
	 * re-seals everything with the key the machine holds now. */
	assert_int_equal(
	    mpc_audit_state_load(&st, env.seal, false, msg, sizeof(msg)), 0);
	assert_true(st.epoch > 0);
	au_lines_read(env.log, &ls);
	i = nth(&ls, "refused", 0);
	assert_true(i < nth(&ls, "seal", 0));
	{
		char *p = strstr(ls.l[i], "party");

		p[0] = 'P';
	}
	rechain(&ls, i + 1, 0, &st);
	au_lines_write(env.log, &ls);
	au_expect_bad(&env, files1(), NULL,
	    "seal of epoch 0 does not verify with that epoch's key",
	    (int) nth(&ls, "seal", 0) + 1);
	au_lines_free(&ls);
}

static void
test_seal_removed_and_rechained(void **state)
{
	struct au_lines ls;
	size_t          s;

	(void) state;
	au_lines_read(env.log, &ls);
	s = nth(&ls, "seal", 1);
	free(ls.l[s]);
	memmove(&ls.l[s], &ls.l[s + 1], (ls.n - s - 1) * sizeof(char *));
	ls.n--;
	rechain(&ls, s, -1, NULL);
	au_lines_write(env.log, &ls);
	au_expect_bad(&env, files1(), NULL,
	    "seal epoch jumps from 1 to 2: seals were removed",
	    (int) nth(&ls, "seal", 1) + 1);
	au_lines_free(&ls);
}

static void
test_unsealed_tail_appended(void **state)
{
	struct au_lines                ls;
	struct mpc_audit_verify_opts   o;
	struct mpc_audit_verify_result r;

	(void) state;
	au_lines_read(env.log, &ls);
	ls.l = realloc(ls.l, (ls.n + 1) * sizeof(char *));
	ls.l[ls.n] = strdup(ls.l[1]);
	ls.n++;
	rechain(&ls, ls.n - 1, (int64_t) ls.n - 2, NULL);
	au_lines_write(env.log, &ls);
	au_lines_free(&ls);
	au_expect_bad(&env, files1(), NULL,
	    "unsealed tail: 1 record(s) after the last seal", 0);
	memset(&o, 0, sizeof(o));
	o.live = true;
	assert_int_equal(au_verify(&env, files1(), &o, &r), 0);
	assert_int_equal(r.unsealed, 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_clean_passes),
		T(test_flipped_byte),
		T(test_flipped_byte_breaks_json),
		T(test_deleted_line),
		T(test_swapped_lines),
		T(test_truncated_after_a_seal),
		T(test_truncated_before_the_last_seal),
		T(test_spliced_logs),
		cmocka_unit_test(test_removed_rotated_file),
		T(test_resealed_with_current_key),
		T(test_seal_removed_and_rechained),
		T(test_unsealed_tail_appended),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
