/*
 * test_dlv_hostile.c -- delivery records from a hostile peer over a real
 * mpc+tcp:// connection (the raw client of test/tran/hostile.c, offering
 * delivery streams): a duplicate is discarded and counted, never
 * delivered twice; data before the RESUME record, a gap in the stream, an
 * acknowledgement of what was never sent and a malformed record each close
 * the pipe with nothing delivered.
 */
#include <stdlib.h>
#include <string.h>

#include "hostile.h"
#include "mpc_deliver.h"
#include "tran_util.h"

#define PAIR1_PROTO 0x11 /* NNG_PAIR1_SELF */

struct fix {
	nng_socket s;
	char       url[256];
	hostile    h;
};

static void
fix_open(struct fix *f)
{
	bool on = true;

	f->s = tu_pair(1);
	TU_PASS(nng_mpc_socket_set(f->s, NNG_OPT_MPC_RELIABLE, &on, sizeof(on)));
	tu_listen(f->s, "mpc+tcp", f->url, sizeof(f->url), NULL);
	hostile_reliable = true;
	hostile_connect(&f->h, f->url, 2, PAIR1_PROTO);
}

static void
fix_close(struct fix *f)
{
	hostile_close(&f->h);
	TU_PASS(nng_close(f->s));
}

/* A record, then (DATA) pair1's hop count and body bytes, as one frame. */
static void
send_rec(struct fix *f, const mpc_deliver_rec *rec, const char *body)
{
	uint8_t       buf[128];
	mpc_wcursor   w;
	mpc_frame_hdr hdr = hostile_hdr(&f->h);
	size_t        len;
	uint8_t *     frame;

	mpc_wcursor_init(&w, buf, sizeof(buf));
	assert_true(mpc_deliver_rec_write(&w, rec));
	if (rec->kind == MPC_DELIVER_DATA) {
		static const uint8_t hops[4] = { 0, 0, 0, 1 };
		assert_true(mpc_wcursor_bytes(&w, hops, sizeof(hops)));
		assert_true(mpc_wcursor_bytes(&w, body, strlen(body)));
	} else {
		hdr.type = NNG_MPC_MSG_CTL_DELIVER;
	}
	frame = hostile_frame(&f->h, &hdr, buf, w.pos, &len);
	hostile_write(&f->h, frame, len);
}

static void
send_resume(struct fix *f)
{
	mpc_deliver_rec r = { .kind = MPC_DELIVER_RESUME,
		.resume = { .inc = 0x5eed, .peer_inc = 0, .received = 0,
		    .base = 1 } };

	send_rec(f, &r, NULL);
}

static void
send_data(struct fix *f, uint64_t seq, uint64_t ack, const char *body)
{
	mpc_deliver_rec r = { .kind = MPC_DELIVER_DATA, .seq = seq, .ack = ack };

	send_rec(f, &r, body);
}

static void
expect_body(nng_socket s, const char *body, nng_pipe *pp)
{
	nng_msg *m = tu_recv(s);

	assert_int_equal(nng_msg_len(m), strlen(body));
	assert_memory_equal(nng_msg_body(m), body, strlen(body));
	if (pp != NULL) {
		*pp = nng_msg_get_pipe(m);
	}
	nng_msg_free(m);
}

static void
test_duplicate(void **state)
{
	struct fix f;
	nng_pipe   p;

	(void) state;
	fix_open(&f);
	send_resume(&f);
	send_data(&f, 1, 0, "one");
	send_data(&f, 1, 0, "one again");
	send_data(&f, 2, 0, "two");
	expect_body(f.s, "one", NULL);
	expect_body(f.s, "two", &p);
	tu_recv_none(f.s, 100);
	assert_int_equal(tu_pipe_ctr(p, NNG_OPT_MPC_DLV_DUPLICATES), 1);
	assert_int_equal(tu_pipe_ctr(p, NNG_OPT_MPC_DLV_REJECTED), 0);
	fix_close(&f);
}

/* Each breaks the stream: the pipe closes, nothing is delivered. */
static void
test_broken(void **state)
{
	static const char *cases[] = { "data before resume", "gap",
		"ack ahead", "malformed" };

	(void) state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fix f;

		fix_open(&f);
		switch (i) {
		case 0:
			send_data(&f, 1, 0, "early");
			break;
		case 1:
			send_resume(&f);
			send_data(&f, 2, 0, "skips one");
			break;
		case 2:
			send_resume(&f);
			send_data(&f, 1, 99, "acks 99");
			break;
		default: {
			/* A DATA kind with too few bytes after it. */
			uint8_t       bad[5] = { MPC_DELIVER_DATA, 0, 0, 0, 1 };
			mpc_frame_hdr hdr    = hostile_hdr(&f.h);
			size_t        len;
			uint8_t *     fr;

			send_resume(&f);
			fr = hostile_frame(&f.h, &hdr, bad, sizeof(bad), &len);
			hostile_write(&f.h, fr, len);
			break;
		}
		}
		if (!tu_raw_closed(f.h.fd)) {
			fail_msg("%s: the pipe stayed open", cases[i]);
		}
		tu_recv_none(f.s, 50);
		fix_close(&f);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duplicate),
		cmocka_unit_test(test_broken),
	};

	tu_register();
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
