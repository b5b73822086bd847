/*
 * test_corpus: every frame of the committed fuzz seed corpus
 * (test/fuzz/corpus/fuzz_frame, written by gen_fuzz_frame_corpus.py, a
 * separate Python encoder of the layout) decodes with the C codec, and
 * re-encoding its header gives back the same 48 bytes.  Two
 * implementations of the documented layout checking each other; it also
 * keeps the fuzz seeds valid as the format evolves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>

#include <cmocka.h>

#include "mpc_frame.h"

#define MAX_FILE 4096

static void
test_corpus_decodes(void **state)
{
	const char *root = getenv("NNGMPC_SOURCE_ROOT");
	char        dir[1024];
	DIR        *d;
	struct dirent *ent;
	int         n = 0;
	uint8_t     sid[NNG_MPC_SESSION_ID_SIZE];

	(void) state;
	assert_non_null(root);
	snprintf(dir, sizeof(dir), "%s/test/fuzz/corpus/fuzz_frame", root);
	d = opendir(dir);
	assert_non_null(d);
	for (int i = 0; i < NNG_MPC_SESSION_ID_SIZE; i++) {
		sid[i] = (uint8_t) i;
	}
	while ((ent = readdir(d)) != NULL) {
		char             path[2048];
		static uint8_t   buf[MAX_FILE];
		uint8_t          again[NNG_MPC_FRAME_HEADER_SIZE];
		FILE            *f;
		size_t           len;
		mpc_frame_view   v;
		mpc_frame_policy p = { .max_payload = NNG_MPC_PAYLOAD_MAX_DEFAULT,
			.local_party = 2, .peer_party = 1, .check_session = true };

		if (strncmp(ent->d_name, "valid-", 6) != 0) {
			continue;
		}
		assert_int_equal(mpc_frame_session_binding(p.session, sid, sizeof(sid)), 0);
		snprintf(path, sizeof(path), "%s/%s", dir, ent->d_name);
		f = fopen(path, "rb");
		assert_non_null(f);
		len = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		if (mpc_frame_decode(&v, buf, len, &p, NULL) != 0) {
			fail_msg("%s does not decode", ent->d_name);
		}
		assert_string_not_equal(nng_mpc_msg_type_name(v.hdr.type), "UNKNOWN");
		assert_int_equal(mpc_frame_encode_header(again, sizeof(again), &v.hdr,
		                     NNG_MPC_PAYLOAD_MAX_DEFAULT),
		    0);
		assert_memory_equal(again, buf, sizeof(again));
		n++;
	}
	closedir(d);
	/* 20 types x 4 sizes. */
	assert_int_equal(n, 80);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus_decodes),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
