/*
 * test_tran_hostile.c -- hostile peers over mpc+tcp:// and mpc+ipc://.  A
 * raw client completes a real handshake (hostile.c), then writes frames it
 * built itself.  Each case asserts the outcome -- the frame dropped with
 * its counter moved, or the pipe closed -- and that nothing of it was
 * delivered; a valid frame written afterwards proves the pipe still works
 * (or, for closing cases, the stream is gone).  The ASan build checks that
 * nothing leaks or overflows on these paths.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostile.h"
#include "tran_util.h"

#define BUS0_PROTO 0x0070 /* NNG_BUS0_SELF: (7 << 4) | 0 */

static const char *
scheme_of(void **state)
{
	return (*state);
}

struct fixture {
	nng_socket   s;   /* the victim: bus0, party 1 */
	nng_listener l;
	char         url[256];
	hostile      h;   /* the attacker: party 2 */
	nng_pipe     p;   /* the victim's pipe to it */
};

static void
deliver_ok(struct fixture *f, const char *text)
{
	mpc_frame_hdr hdr = hostile_hdr(&f->h);
	size_t        len;
	uint8_t *     buf;
	nng_msg *     m;
	uint32_t      from;

	buf = hostile_frame(&f->h, &hdr, text, strlen(text) + 1, &len);
	hostile_write(&f->h, buf, len);
	m = tu_recv(f->s);
	assert_string_equal(nng_msg_body(m), text);
	TU_PASS(nng_mpc_msg_sender(m, &from));
	assert_int_equal(from, 2);
	f->p = nng_msg_get_pipe(m);
	nng_msg_free(m);
}

static void
setup_fixture(struct fixture *f, const char *scheme, int auth_limit)
{
	memset(f, 0, sizeof(*f));
	f->s = tu_bus(1);
	if (auth_limit > 0) {
		TU_PASS(nng_mpc_socket_set(f->s, NNG_OPT_MPC_AUTH_FAIL_LIMIT,
		    &auth_limit, sizeof(auth_limit)));
	}
	tu_listen(f->s, scheme, f->url, sizeof(f->url), &f->l);
	hostile_connect(&f->h, f->url, 2, BUS0_PROTO);
	deliver_ok(f, "hello from 2");
}

static void
teardown_fixture(struct fixture *f)
{
	hostile_close(&f->h);
	TU_PASS(nng_close(f->s));
}

/* A valid frame with one bit flipped at offset off (negative: from the
 * end). */
static void
write_flipped(struct fixture *f, long off, uint8_t bit)
{
	mpc_frame_hdr hdr = hostile_hdr(&f->h);
	char          text[64];
	size_t        len;
	uint8_t *     buf;

	memset(text, 'z', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	buf = hostile_frame(&f->h, &hdr, text, sizeof(text), &len);
	buf[off >= 0 ? (size_t) off : len - (size_t) (-off)] ^= bit;
	hostile_write(&f->h, buf, len);
}

static void
test_flipped_bit_dropped(void **state)
{
	/* Offsets in each region whose damage still decodes: the tag then
	 * fails; the pipe stays and the next frame arrives. */
	static const struct {
		const char *region;
		long        off;
		uint8_t     bit;
	} cases[] = {
		{ "type", 5, 0x01 },
		{ "sender", 11, 0x01 }, /* 2 -> 3 */
		{ "recipient", 15, 0x02 }, /* 1 -> 3 */
		{ "sequence", 31, 0x40 },
		{ "timestamp", 39, 0x80 },
		{ "session binding", 44, 0x10 },
		{ "payload first", 48, 0x01 },
		{ "payload middle", 48 + 32, 0x20 },
		{ "payload last", -17, 0x80 },
		{ "tag first", -16, 0x01 },
		{ "tag last", -1, 0x80 },
	};
	struct fixture f;
	uint64_t       fails;

	setup_fixture(&f, scheme_of(state), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fails = tu_pipe_ctr(f.p, NNG_OPT_MPC_AUTH_FAILURES);
		write_flipped(&f, cases[i].off, cases[i].bit);
		deliver_ok(&f, cases[i].region);
		if (tu_pipe_ctr(f.p, NNG_OPT_MPC_AUTH_FAILURES) != fails + 1) {
			fail_msg("flip in %s: auth failures %d -> %d",
			    cases[i].region, (int) fails,
			    (int) tu_pipe_ctr(f.p, NNG_OPT_MPC_AUTH_FAILURES));
		}
	}
	tu_recv_none(f.s, 50);
	assert_int_equal(tu_pipe_ctr(f.p, NNG_OPT_MPC_FRAMES_IN),
	    1 + sizeof(cases) / sizeof(cases[0]));
	assert_int_equal(tu_pipe_ctr(f.p, NNG_OPT_MPC_REPLAYS), 0);
	teardown_fixture(&f);
}

static void
flipped_closes(void **state, long off, uint8_t bit)
{
	struct fixture f;

	setup_fixture(&f, scheme_of(state), 0);
	write_flipped(&f, off, bit);
	/* A valid frame after it must not be delivered either: the stream
	 * is out of step once the framing is damaged.  (The victim may have
	 * closed already, so the write may fail.) */
	{
		mpc_frame_hdr hdr = hostile_hdr(&f.h);
		size_t        len;
		uint8_t *     buf = hostile_frame(&f.h, &hdr, "x", 2, &len);
		(void) tu_raw_try_write(f.h.fd, buf, len);
		free(buf);
	}
	assert_true(tu_raw_closed(f.h.fd));
	tu_wait_removed(f.s, 1);
	tu_recv_none(f.s, 50);
	teardown_fixture(&f);
}

static void
test_flipped_magic_closes(void **state)
{
	flipped_closes(state, 0, 0x01);
}

static void
test_flipped_flags_closes(void **state)
{
	flipped_closes(state, 3, 0x04);
}

static void
test_flipped_length_closes(void **state)
{
	/* 64 -> 65 or 64 -> 0: either way the frame boundary is lost. */
	flipped_closes(state, 23, 0x01);
	flipped_closes(state, 23, 0x40);
}

static void
test_replay(void **state)
{
	struct fixture f;

	setup_fixture(&f, scheme_of(state), 0);
	hostile_replay(&f.h); /* "hello from 2" again, byte for byte */
	hostile_replay(&f.h);
	deliver_ok(&f, "after the replays");
	tu_recv_none(f.s, 50);
	assert_int_equal(tu_pipe_ctr(f.p, NNG_OPT_MPC_REPLAYS), 2);
	assert_int_equal(tu_pipe_ctr(f.p, NNG_OPT_MPC_AUTH_FAILURES), 0);
	assert_int_equal(tu_pipe_ctr(f.p, NNG_OPT_MPC_FRAMES_IN), 2);
	teardown_fixture(&f);
}

/* An authentic frame (sealed with the right keys) with a header field the
 * receiver must refuse: dropped, counted under ctr, not delivered. */
static void
forged_dropped(void **state, mpc_frame_hdr *hdr, const char *ctr)
{
	struct fixture f;
	size_t         len;
	uint8_t *      buf;
	mpc_frame_hdr  h;

	setup_fixture(&f, scheme_of(state), 0);
	h = hostile_hdr(&f.h);
	if (hdr->sender != 0) {
		h.sender = hdr->sender;
	}
	if (hdr->recipient != 0) {
		h.recipient = hdr->recipient;
	}
	if (hdr->type != 0) {
		h.type = hdr->type;
	}
	if (hdr->session[0] != 0) {
		memcpy(h.session, hdr->session, sizeof(h.session));
	}
	buf = hostile_frame(&f.h, &h, "forged", 7, &len);
	hostile_write(&f.h, buf, len);
	deliver_ok(&f, "genuine");
	tu_recv_none(f.s, 50);
	assert_int_equal(tu_pipe_ctr(f.p, ctr), 1);
	assert_int_equal(tu_pipe_ctr(f.p, NNG_OPT_MPC_AUTH_FAILURES), 0);
	assert_int_equal(tu_pipe_ctr(f.p, NNG_OPT_MPC_FRAMES_IN), 2);
	teardown_fixture(&f);
}

static void
test_other_sender(void **state)
{
	mpc_frame_hdr h = { .sender = 3 };

	forged_dropped(state, &h, NNG_OPT_MPC_DROP_SENDER);
}

static void
test_other_recipient(void **state)
{
	mpc_frame_hdr h = { .recipient = 3 };

	forged_dropped(state, &h, NNG_OPT_MPC_DROP_RECIPIENT);
}

static void
test_other_session(void **state)
{
	mpc_frame_hdr h;
	uint8_t       sid[NNG_MPC_SESSION_ID_SIZE];

	memset(&h, 0, sizeof(h));
	memcpy(sid, tu_sid, sizeof(sid));
	sid[0] ^= 0xff;
	assert_int_equal(mpc_frame_session_binding(h.session, sid, sizeof(sid)), 0);
	if (h.session[0] == 0) {
		h.session[0] = 1; /* keep the "set" marker of forged_dropped */
	}
	forged_dropped(state, &h, NNG_OPT_MPC_DROP_SESSION);
}

static void
test_control_type(void **state)
{
	mpc_frame_hdr h = { .type = NNG_MPC_MSG_CTL_REKEY };

	forged_dropped(state, &h, NNG_OPT_MPC_DROP_TYPE);
}

static void
test_broadcast_accepted(void **state)
{
	struct fixture f;
	mpc_frame_hdr  h;
	size_t         len;
	uint8_t *      buf;
	nng_msg *      m;
	uint32_t       to;

	setup_fixture(&f, scheme_of(state), 0);
	h           = hostile_hdr(&f.h);
	h.recipient = NNG_MPC_PARTY_BROADCAST;
	buf         = hostile_frame(&f.h, &h, "all", 4, &len);
	hostile_write(&f.h, buf, len);
	m = tu_recv(f.s);
	assert_string_equal(nng_msg_body(m), "all");
	TU_PASS(nng_mpc_msg_recipient(m, &to));
	assert_int_equal(to, NNG_MPC_PARTY_BROADCAST);
	nng_msg_free(m);
	teardown_fixture(&f);
}

static void
test_length_over_max(void **state)
{
	struct fixture f;
	mpc_frame_hdr  h;
	uint8_t        hdr[NNG_MPC_FRAME_HEADER_SIZE];

	setup_fixture(&f, scheme_of(state), 0);
	h             = hostile_hdr(&f.h);
	h.payload_len = NNG_MPC_PAYLOAD_MAX_DEFAULT + 1; /* over our 1 MiB */
	h.sequence    = 1;
	assert_int_equal(mpc_frame_encode_header(hdr, sizeof(hdr), &h,
	                     NNG_MPC_PAYLOAD_MAX),
	    0);
	/* Only the header: the receiver must refuse it from the header
	 * alone, without waiting for (or allocating) the payload. */
	tu_raw_write(f.h.fd, hdr, sizeof(hdr));
	assert_true(tu_raw_closed(f.h.fd));
	tu_wait_removed(f.s, 1);
	tu_recv_none(f.s, 50);
	teardown_fixture(&f);
}

static void
test_truncated_frame(void **state)
{
	struct fixture f;
	mpc_frame_hdr  h;
	size_t         len;
	uint8_t *      buf;
	char           text[200];

	setup_fixture(&f, scheme_of(state), 0);
	memset(text, 't', sizeof(text));
	h   = hostile_hdr(&f.h);
	buf = hostile_frame(&f.h, &h, text, sizeof(text), &len);
	tu_raw_write(f.h.fd, buf, len / 2);
	free(buf);
	(void) close(f.h.fd);
	f.h.fd = -1;
	tu_wait_removed(f.s, 1);
	tu_recv_none(f.s, 50);
	teardown_fixture(&f);
}

static void
test_auth_failure_limit(void **state)
{
	struct fixture f;
	uint64_t       fails = 0;

	setup_fixture(&f, scheme_of(state), 3);
	for (int i = 0; i < 3; i++) {
		write_flipped(&f, -1, 0x01);
	}
	deliver_ok(&f, "still open after 3");
	fails = tu_pipe_ctr(f.p, NNG_OPT_MPC_AUTH_FAILURES);
	assert_int_equal(fails, 3);
	/* The fourth closes the pipe (NNG_MPC_EAUTHLIMIT). */
	write_flipped(&f, -1, 0x01);
	assert_true(tu_raw_closed(f.h.fd));
	tu_wait_removed(f.s, 1);
	tu_recv_none(f.s, 50);
	teardown_fixture(&f);
}

static void
test_garbage_after_handshake(void **state)
{
	struct fixture f;
	uint8_t        junk[256];

	setup_fixture(&f, scheme_of(state), 0);
	for (size_t i = 0; i < sizeof(junk); i++) {
		junk[i] = (uint8_t) (i * 31 + 7);
	}
	tu_raw_write(f.h.fd, junk, sizeof(junk));
	assert_true(tu_raw_closed(f.h.fd));
	tu_wait_removed(f.s, 1);
	tu_recv_none(f.s, 50);
	teardown_fixture(&f);
}

/*
 * A party whose old connection died unnoticed -- here a peer that stopped
 * reading and writing without closing -- comes back: its newest handshake
 * replaces the stale pipe, which is closed and counted.  Over mpc+tcp://
 * and mpc+ipc:// the session key is the only credential, so the new
 * connection is "the same party" (over TLS, the same certificate key:
 * test_tran_tls.c).
 */
static void
test_stale_party_replaced(void **state)
{
	struct fixture f;
	nng_socket     c = tu_bus(2);
	nng_msg *      m;
	uint32_t       from;

	setup_fixture(&f, scheme_of(state), 0);
	/* f.h goes silent: it neither reads nor closes. */
	TU_PASS(nng_dial(c, f.url, NULL, 0));
	tu_wait_removed(f.s, 1);
	assert_true(tu_raw_closed(f.h.fd));
	assert_int_equal(tu_listener_ctr(f.l, NNG_OPT_MPC_REPLACED), 1);
	assert_int_equal(tu_listener_ctr(f.l, NNG_OPT_MPC_REJ_DUPLICATE), 0);
	assert_int_equal(tu_listener_ctr(f.l, NNG_OPT_MPC_HANDSHAKES), 2);
	tu_send(c, "back again", 11, 0, 0);
	m = tu_recv(f.s);
	assert_string_equal(nng_msg_body(m), "back again");
	TU_PASS(nng_mpc_msg_sender(m, &from));
	assert_int_equal(from, 2);
	assert_true(nng_pipe_id(nng_msg_get_pipe(m)) != nng_pipe_id(f.p));
	nng_msg_free(m);
	TU_PASS(nng_close(c));
	teardown_fixture(&f);
}

/*
 * Every refused frame counts toward NNG_OPT_MPC_REJECT_LIMIT, whatever the
 * reason (here replays, which never trip the authentication-failure
 * limit): the limit-th closes the pipe, so an on-path injector cannot keep
 * a pipe busy with frames it can never get delivered.
 */
static void
test_reject_limit(void **state)
{
	struct fixture f;
	int            limit = 5;

	memset(&f, 0, sizeof(f));
	f.s = tu_bus(1);
	TU_PASS(nng_mpc_socket_set(
	    f.s, NNG_OPT_MPC_REJECT_LIMIT, &limit, sizeof(limit)));
	tu_listen(f.s, scheme_of(state), f.url, sizeof(f.url), &f.l);
	hostile_connect(&f.h, f.url, 2, BUS0_PROTO);
	deliver_ok(&f, "first");
	for (int i = 0; i < limit - 1; i++) {
		hostile_replay(&f.h);
	}
	deliver_ok(&f, "still open");
	assert_int_equal(tu_pipe_ctr(f.p, NNG_OPT_MPC_REPLAYS), limit - 1);
	assert_int_equal(
	    tu_pipe_ctr(f.p, NNG_OPT_MPC_FRAMES_REJECTED), limit - 1);
	assert_int_equal(tu_pipe_ctr(f.p, NNG_OPT_MPC_AUTH_FAILURES), 0);
	hostile_replay(&f.h); /* the limit-th */
	assert_true(tu_raw_closed(f.h.fd));
	tu_wait_removed(f.s, 1);
	tu_recv_none(f.s, 50);
	teardown_fixture(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TU_BOTH(test_flipped_bit_dropped),
		TU_BOTH(test_flipped_magic_closes),
		TU_BOTH(test_flipped_flags_closes),
		TU_BOTH(test_flipped_length_closes),
		TU_BOTH(test_replay),
		TU_BOTH(test_other_sender),
		TU_BOTH(test_other_recipient),
		TU_BOTH(test_other_session),
		TU_BOTH(test_control_type),
		TU_BOTH(test_broadcast_accepted),
		TU_BOTH(test_length_over_max),
		TU_BOTH(test_truncated_frame),
		TU_BOTH(test_auth_failure_limit),
		TU_BOTH(test_garbage_after_handshake),
		TU_BOTH(test_stale_party_replaced),
		TU_BOTH(test_reject_limit),
	};

	tu_register();
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
