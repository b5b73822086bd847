/*
 * The audit log writer: clean logs verify (rotation, empty sealed epochs,
 * overflow with its "lost" record, resuming, a torn last line, a crash
 * between a seal and the saved state); what opening refuses, each with its
 * error.  Logs are written by the real writer thread through the real
 * observer ops and checked by the real verifier.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "audit_util.h"
#include "mpc_tran_event.h"

static const char *const *
one(struct au_env *e)
{
	static const char *files[2];

	files[0] = e->log;
	files[1] = NULL;
	return (files);
}

/* The fields of the line with the given event, parsed. */
static json_object *
first_event(const char *path, const char *event)
{
	struct au_lines ls;
	char            needle[64];
	json_object *   o;

	snprintf(needle, sizeof(needle), "\"event\":\"%s\"", event);
	au_lines_read(path, &ls);
	o = json_tokener_parse(ls.l[au_lines_find(&ls, 0, needle)]);
	au_lines_free(&ls);
	assert_non_null(o);
	return (o);
}

static const char *
jstr(json_object *o, const char *k)
{
	json_object *v;

	assert_true(json_object_object_get_ex(o, k, &v));
	return (json_object_get_string(v));
}

static void
test_clean_log_verifies(void **state)
{
	struct au_env                  e;
	struct mpc_audit_verify_result r;
	nng_mpc_audit_opts             o = { .seal_records = 7 };
	nng_mpc_audit *                log;
	nng_mpc_audit_stats            st;
	json_object *                  j;

	(void) state;
	au_setup(&e);
	log = au_open(&e, &o);
	au_events(log, 0, 50);
	assert_int_equal(nng_mpc_audit_flush(log), 0);
	nng_mpc_audit_stats_get(log, &st);
	assert_int_equal(st.lost, 0);
	assert_true(st.seals >= 7);
	nng_mpc_audit_close(log);

	assert_int_equal(au_verify(&e, one(&e), NULL, &r), 0);
	/* open + 50 events + close, one seal per 7 records and a last one */
	assert_int_equal(r.records, 52 + r.seals);
	assert_int_equal(r.seals, 8);
	assert_int_equal(r.last_epoch, 7);
	assert_int_equal(r.unsealed, 0);

	/* Every event kind with its fields. */
	j = first_event(e.log, "handshake");
	assert_string_equal(jstr(j, "subject"), "CN=party-2,O=nng-mpc");
	assert_string_equal(jstr(j, "tls_version"), "TLSv1.3");
	assert_string_equal(jstr(j, "pin"),
	    "aabbcc0000000000000000000000000000000000000000000000000000000000");
	assert_string_equal(jstr(j, "role"), "dialer");
	json_object_put(j);
	j = first_event(e.log, "refused");
	assert_string_equal(jstr(j, "reason"), "NNG_MPC_ESESSIONID");
	assert_string_equal(
	    jstr(j, "text"), nng_mpc_strerror(NNG_MPC_ESESSIONID));
	json_object_put(j);
	j = first_event(e.log, "pipe_closed");
	assert_string_equal(jstr(j, "frames_in"), "2");
	json_object_put(j);
	j = first_event(e.log, "config");
	assert_string_equal(jstr(j, "detail"), "replay-window=1024");
	json_object_put(j);
	j = first_event(e.log, "seal");
	assert_string_equal(jstr(j, "epoch"), "0");
	assert_int_equal(strlen(jstr(j, "mac")), 64);
	json_object_put(j);
	au_teardown(&e);
}

static void
test_rotation_continues_the_chain(void **state)
{
	struct au_env                  e;
	struct mpc_audit_verify_result r;
	nng_mpc_audit_opts o = { .max_bytes = NNG_MPC_AUDIT_MAX_BYTES_MIN };
	nng_mpc_audit *    log;
	nng_mpc_audit_stats st;
	char               f1[400], f2[400], f3[400];
	const char *       files[5] = { f1, f2, f3, e.log, NULL };
	json_object *      j;

	(void) state;
	au_setup(&e);
	files[3] = e.log;
	log      = au_open(&e, &o);
	/* Batches of 20 records (< 16 KiB) until the third rotation. */
	for (int i = 0; i < 1000; i++) {
		au_events(log, 20 * i, 20);
		assert_int_equal(nng_mpc_audit_flush(log), 0);
		nng_mpc_audit_stats_get(log, &st);
		if (st.rotations >= 3) {
			break;
		}
	}
	assert_int_equal(st.rotations, 3);
	nng_mpc_audit_close(log);
	snprintf(f1, sizeof(f1), "%s.1", e.log);
	snprintf(f2, sizeof(f2), "%s.2", e.log);
	snprintf(f3, sizeof(f3), "%s.3", e.log);
	assert_int_equal(access(f3, F_OK), 0);
	assert_int_equal(au_verify(&e, files, NULL, &r), 0);
	assert_int_equal(r.unsealed, 0);
	/* The active file starts by naming the file before it. */
	j = first_event(e.log, "file");
	assert_string_equal(jstr(j, "previous"), "audit.log.3");
	json_object_put(j);
	au_teardown(&e);
}

static void
test_empty_epochs_are_sealed(void **state)
{
	struct au_env                  e;
	struct mpc_audit_verify_result r;
	nng_mpc_audit_opts             o = { .seal_seconds = 1 };
	nng_mpc_audit *                log;
	nng_mpc_audit_stats            st;

	(void) state;
	au_setup(&e);
	log = au_open(&e, &o);
	/* Nothing happens: the timer still seals (an empty epoch each
	 * second).  Waits for the event, bounded (30 s: sanitizers on two
	 * busy cores). */
	for (int i = 0; i < 600; i++) {
		nng_mpc_audit_stats_get(log, &st);
		if (st.seals >= 3) {
			break;
		}
		usleep(50 * 1000);
	}
	assert_true(st.seals >= 3);
	nng_mpc_audit_close(log);
	assert_int_equal(au_verify(&e, one(&e), NULL, &r), 0);
	assert_true(r.seals >= 4);
	/* an empty epoch: a seal right after a seal */
	{
		struct au_lines ls;
		size_t          a;

		au_lines_read(e.log, &ls);
		a = au_lines_find(&ls, 0, "\"event\":\"seal\"");
		assert_non_null(strstr(ls.l[a + 1], "\"event\":\"seal\""));
		assert_non_null(strstr(ls.l[a + 1], "\"records\":0"));
		au_lines_free(&ls);
	}
	au_teardown(&e);
}

static void
test_overflow_is_counted_and_logged(void **state)
{
	struct au_env                  e;
	struct mpc_audit_verify_result r;
	nng_mpc_audit_opts o = { .queue_len = 1, .fsync = NNG_MPC_AUDIT_FSYNC_NONE };
	nng_mpc_audit *    log;
	nng_mpc_audit_stats st;
	struct au_lines    ls;
	uint64_t           logged = 0, nlost = 0;
	int                sent   = 0;

	(void) state;
	au_setup(&e);
	log = au_open(&e, &o);
	/* A one-slot queue: producers outrun the writer's write(2) calls. */
	do {
		au_events(log, sent, 1000);
		sent += 1000;
		nng_mpc_audit_stats_get(log, &st);
	} while (st.lost == 0 && sent < 1000000);
	assert_true(st.lost > 0);
	assert_int_equal(nng_mpc_audit_flush(log), 0);
	nng_mpc_audit_stats_get(log, &st);
	nng_mpc_audit_close(log);

	au_lines_read(e.log, &ls);
	for (size_t i = 0; i < ls.n; i++) {
		if (strstr(ls.l[i], "\"event\":\"lost\"") != NULL) {
			json_object *j = json_tokener_parse(ls.l[i]);

			logged += (uint64_t) atoll(jstr(j, "count"));
			nlost++;
			json_object_put(j);
		}
	}
	au_lines_free(&ls);
	assert_int_equal(logged, st.lost); /* every loss is on record */
	assert_int_equal(au_verify(&e, one(&e), NULL, &r), 0);
	/* open, the events written, the lost records, seals, close */
	assert_int_equal(r.records,
	    1 + ((uint64_t) sent - st.lost) + nlost + r.seals + 1);
	au_teardown(&e);
}

static void
test_resume_continues_seq_and_epochs(void **state)
{
	struct au_env                  e;
	struct mpc_audit_verify_result r;
	nng_mpc_audit *                log;
	FILE *                         f;

	(void) state;
	au_setup(&e);
	log = au_open(&e, NULL);
	au_events(log, 0, 10);
	nng_mpc_audit_close(log);
	/* A crash mid-write leaves a torn line: cut on the next open. */
	f = fopen(e.log, "ab");
	assert_non_null(f);
	fputs("{\"seq\":13,\"ts\":\"2026", f);
	fclose(f);
	log = au_open(&e, NULL);
	au_events(log, 10, 10);
	nng_mpc_audit_close(log);
	assert_int_equal(au_verify(&e, one(&e), NULL, &r), 0);
	assert_int_equal(r.seals, 2);
	assert_int_equal(r.last_epoch, 1);
	{
		json_object *j = NULL;
		struct au_lines ls;

		au_lines_read(e.log, &ls);
		j = json_tokener_parse(ls.l[au_lines_find(&ls, 1, "\"open\"")]);
		assert_non_null(strstr(jstr(j, "detail"), "torn last line cut"));
		json_object_put(j);
		au_lines_free(&ls);
	}
	au_teardown(&e);
}

static void
test_crash_after_seal_before_state(void **state)
{
	struct au_env                  e;
	struct mpc_audit_verify_result r;
	nng_mpc_audit *                log;
	char                           copy[400], cmd[900];

	(void) state;
	au_setup(&e);
	log = au_open(&e, &(nng_mpc_audit_opts) { .seal_records = 5 });
	au_events(log, 0, 12);
	assert_int_equal(nng_mpc_audit_flush(log), 0);
	/* Keep the state as it is before the closing seal's ratchet. */
	snprintf(copy, sizeof(copy), "%s.old", e.seal);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", e.seal, copy);
	assert_int_equal(system(cmd), 0);
	nng_mpc_audit_close(log);
	/* The closing seal is on disk, the ratcheted state is not. */
	assert_int_equal(rename(copy, e.seal), 0);
	log = au_open(&e, NULL);
	au_events(log, 12, 3);
	nng_mpc_audit_close(log);
	assert_int_equal(au_verify(&e, one(&e), NULL, &r), 0);
	au_teardown(&e);
}

/* A peer-chosen subject cannot forge a record, split a line or make the
 * log invalid JSON: quotes and newlines are escaped, bytes that are not
 * UTF-8 become U+FFFD. */
static void
test_hostile_strings(void **state)
{
	const struct mpc_tran_observer_ops *ops = mpc_audit_observer_ops();
	struct au_env                       e;
	struct mpc_audit_verify_result      r;
	struct mpc_tran_event               ev;
	nng_mpc_audit *                     log;
	struct au_lines                     ls;
	json_object *                       j;
	char                                big[4000];

	(void) state;
	au_setup(&e);
	log = au_open(&e, NULL);
	memset(&ev, 0, sizeof(ev));
	memset(big, '\x01', sizeof(big) - 1); /* longer than any cap */
	big[sizeof(big) - 1] = '\0';
	ev.kind    = MPC_TRAN_EV_REFUSED;
	ev.url     = "mpc+tcp://127.0.0.1:1";
	ev.remote  = big;
	ev.subject = "CN=x\",\"event\":\"forged\"}\n{\"seq\":99\xff\xc3\xa9";
	ev.detail  = big;
	ev.tls_version = ev.tls_cipher = "";
	ev.reason  = NNG_ECONNREFUSED;
	ops->ev_event(log, &ev);
	ev.kind = MPC_TRAN_EV_CONFIG;
	ops->ev_event(log, &ev);
	nng_mpc_audit_close(log);
	au_lines_read(e.log, &ls);
	assert_int_equal(ls.n, 5); /* open, refused, config, close, seal */
	au_lines_free(&ls);
	j = first_event(e.log, "refused");
	assert_string_equal(jstr(j, "subject"),
	    "CN=x\",\"event\":\"forged\"}\n{\"seq\":99\xef\xbf\xbd\xc3\xa9");
	assert_int_equal(strlen(jstr(j, "remote")), MPC_AUDIT_REMOTE_MAX - 1);
	json_object_put(j);
	assert_int_equal(au_verify(&e, (const char *[]) { e.log, NULL }, NULL, &r),
	    0);
	au_teardown(&e);
}

static void
test_open_refusals(void **state)
{
	struct au_env                       e;
	const struct mpc_tran_observer_ops *ops = mpc_audit_observer_ops();
	nng_mpc_audit *                     log = NULL, *log2 = NULL;
	char                                bad[400];
	FILE *                              f;
	int                                 rv = 0;

	(void) state;
	au_setup(&e);
	/* No sealing state: no log. */
	unsetenv("NNG_MPC_AUDIT_KEY_FILE");
	assert_null(ops->ev_open(e.log, &rv));
	assert_int_equal(rv, NNG_MPC_EAUDITKEY);
	assert_int_equal(access(e.log, F_OK), -1);
	/* A malformed one. */
	snprintf(bad, sizeof(bad), "%s/bad.seal", e.dir);
	f = fopen(bad, "w");
	fputs("nng-mpc audit seal v1\nlog-id zz\n", f);
	fclose(f);
	assert_int_equal(nng_mpc_audit_open(&log, e.log, bad, NULL),
	    NNG_MPC_EAUDITKEY);
	/* Options out of range. */
	assert_int_equal(nng_mpc_audit_open(&log, e.log, e.seal,
	                     &(nng_mpc_audit_opts) { .max_bytes = 100 }),
	    NNG_EINVAL);
	assert_int_equal(nng_mpc_audit_open(&log, e.log, e.seal,
	                     &(nng_mpc_audit_opts) { .fsync = 7 }),
	    NNG_EINVAL);
	/* Through the environment; the same path shares one log. */
	setenv("NNG_MPC_AUDIT_KEY_FILE", e.seal, 1);
	log = ops->ev_open(e.log, &rv);
	assert_int_equal(rv, 0);
	assert_non_null(log);
	/* another spelling of the same file */
	snprintf(bad, sizeof(bad), "%s/keys/../audit.log", e.dir);
	setenv("NNG_MPC_AUDIT_FILE", bad, 1);
	assert_int_equal(mpc_audit_env_open((void **) &log2), 0);
	assert_ptr_equal(log, log2);
	/* Another process cannot write the same log meanwhile. */
	{
		pid_t pid = fork();
		int   status;

		assert_true(pid >= 0);
		if (pid == 0) { /* a fresh process image: no shared registry */
			execl("/proc/self/exe", "test_audit_log", "open", e.log,
			    e.seal, (char *) NULL);
			_exit(127);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	ops->ev_hold(log);
	ops->ev_rele(log);
	ops->ev_rele(log2);
	ops->ev_rele(log);
	unsetenv("NNG_MPC_AUDIT_FILE");
	unsetenv("NNG_MPC_AUDIT_KEY_FILE");
	/* The sealed log is gone but the state moved on: refused. */
	assert_int_equal(unlink(e.log), 0);
	assert_int_equal(nng_mpc_audit_open(&log, e.log, e.seal, NULL),
	    NNG_MPC_EAUDITSTATE);
	/* A log whose lines are not ours cannot be continued. */
	f = fopen(e.log, "w");
	fputs("not json\n", f);
	fclose(f);
	assert_int_equal(nng_mpc_audit_open(&log, e.log, e.seal, NULL),
	    NNG_MPC_EAUDITLOG);
	au_teardown(&e);
}

int
main(int argc, char **argv)
{
	/* The second process of test_open_refusals. */
	if (argc == 4 && strcmp(argv[1], "open") == 0) {
		nng_mpc_audit *log = NULL;

		return (nng_mpc_audit_open(&log, argv[2], argv[3], NULL) ==
		            NNG_EBUSY
		        ? 0
		        : 1);
	}

	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_log_verifies),
		cmocka_unit_test(test_rotation_continues_the_chain),
		cmocka_unit_test(test_empty_epochs_are_sealed),
		cmocka_unit_test(test_overflow_is_counted_and_logged),
		cmocka_unit_test(test_resume_continues_seq_and_epochs),
		cmocka_unit_test(test_crash_after_seal_before_state),
		cmocka_unit_test(test_hostile_strings),
		cmocka_unit_test(test_open_refusals),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
