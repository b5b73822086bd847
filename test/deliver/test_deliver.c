/*
 * test_deliver: delivery streams (transport/mpc_deliver.c) as tables --
 * window edges, cumulative acks, duplicates, gaps, resume after loss, a
 * restarted peer, the record codec with every truncation -- and then two
 * simulated parties exchanging messages over connections that are cut at
 * pseudorandom points, checked against the exactly-once, in-order promise.
 * Every rejection asserts its specific error and that state did not move.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <nng/nng.h>

#include "nng_mpc.h"

#include "mpc_deliver.h"

/* Release callback: counts and checks the order messages are let go in. */
struct released {
	uint64_t n;
	uint64_t last; /* messages are (void *) (uintptr_t) seq in the tables */
};

static void
rel_count(void *arg, void *msg)
{
	struct released *r = arg;
	uint64_t         s = (uint64_t) (uintptr_t) msg;

	assert_true(s > r->last); /* oldest first, each once */
	r->last = s;
	r->n++;
}

#define MSG(s) ((void *) (uintptr_t) (s))

static void
push_ok(mpc_deliver_tx *tx, size_t len, uint64_t want_seq)
{
	uint64_t seq = 0;

	assert_int_equal(
	    mpc_deliver_tx_push(tx, MSG(tx->next), len, &seq), 0);
	assert_int_equal(seq, want_seq);
}

static void
test_tx_init(void **state)
{
	static const struct {
		uint64_t inc;
		uint32_t msgs;
		size_t   bytes;
		int      want;
	} rows[] = {
		{ 1, 1, 1024, 0 },
		{ 7, MPC_DELIVER_WINDOW_MSGS_MAX, MPC_DELIVER_WINDOW_BYTES_MAX, 0 },
		{ 0, 16, 4096, NNG_EINVAL },             /* incarnation 0 */
		{ 1, 0, 4096, NNG_EINVAL },              /* no messages */
		{ 1, MPC_DELIVER_WINDOW_MSGS_MAX + 1, 4096, NNG_EINVAL },
		{ 1, 16, MPC_DELIVER_WINDOW_BYTES_MIN - 1, NNG_EINVAL },
		{ 1, 16, (size_t) MPC_DELIVER_WINDOW_BYTES_MAX + 1, NNG_EINVAL },
	};

	(void) state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		mpc_deliver_tx tx;
		int rv = mpc_deliver_tx_init(&tx, rows[i].inc, rows[i].msgs,
		    rows[i].bytes);

		if (rv != rows[i].want) {
			fail_msg("row %zu: got %d want %d", i, rv, rows[i].want);
		}
		if (rv == 0) {
			assert_int_equal(mpc_deliver_tx_kept(&tx), 0);
			assert_int_equal(mpc_deliver_tx_base(&tx), 1);
			assert_int_equal(mpc_deliver_tx_fini(&tx, NULL, NULL), 0);
		}
	}
}

/* Window edges: 4 messages, 1024 bytes; a message bigger than the byte
 * window fits only into an empty window; nothing changes on refusal. */
static void
test_window_edges(void **state)
{
	mpc_deliver_tx  tx;
	struct released rel = { 0 };
	uint64_t        seq = 99;

	(void) state;
	assert_int_equal(mpc_deliver_tx_init(&tx, 5, 4, 1024), 0);
	assert_true(mpc_deliver_tx_fits(&tx, 5000)); /* empty: anything */
	push_ok(&tx, 1000, 1);
	assert_true(mpc_deliver_tx_fits(&tx, 24));   /* exactly 1024 */
	assert_false(mpc_deliver_tx_fits(&tx, 25));
	assert_int_equal(mpc_deliver_tx_push(&tx, MSG(2), 25, &seq),
	    NNG_MPC_EWINDOWFULL);
	assert_int_equal(seq, 99);
	assert_int_equal(tx.bytes, 1000);
	push_ok(&tx, 24, 2);
	push_ok(&tx, 0, 3);
	push_ok(&tx, 0, 4);
	/* Four kept: the message window is full even for 0 bytes. */
	assert_false(mpc_deliver_tx_fits(&tx, 0));
	assert_int_equal(mpc_deliver_tx_push(&tx, MSG(5), 0, &seq),
	    NNG_MPC_EWINDOWFULL);
	assert_int_equal(mpc_deliver_tx_kept(&tx), 4);
	/* Beyond the window when it must: MPC_DELIVER_OVERFLOW more, any
	 * size, then refused too. */
	{
		mpc_deliver_tx o;
		uint64_t       s;

		assert_int_equal(mpc_deliver_tx_init(&o, 9, 2, 1024), 0);
		for (s = 1; s <= 2 + MPC_DELIVER_OVERFLOW; s++) {
			uint64_t got;
			assert_int_equal(
			    mpc_deliver_tx_push_over(&o, MSG(s), 4096, &got), 0);
			assert_int_equal(got, s);
		}
		assert_int_equal(mpc_deliver_tx_push_over(&o, MSG(s), 0, &seq),
		    NNG_MPC_EWINDOWFULL);
		assert_int_equal(mpc_deliver_tx_fini(&o, rel_count, &rel),
		    2 + MPC_DELIVER_OVERFLOW);
		rel.n    = 0;
		rel.last = 0;
	}

	/* Transmit, acknowledge the first: room for one more again. */
	tx.resumed = true;
	for (uint64_t s = 1; s <= 4; s++) {
		mpc_deliver_item it;
		assert_true(mpc_deliver_tx_next(&tx, &it));
		assert_int_equal(it.seq, s);
		assert_ptr_equal(it.msg, MSG(s));
	}
	assert_int_equal(mpc_deliver_tx_ack(&tx, 1, rel_count, &rel), 0);
	assert_int_equal(rel.n, 1);
	assert_int_equal(tx.bytes, 24);
	assert_true(mpc_deliver_tx_fits(&tx, 1000));
	assert_false(mpc_deliver_tx_fits(&tx, 1001));
	push_ok(&tx, 1000, 5); /* wraps around the ring */
	assert_int_equal(mpc_deliver_tx_kept(&tx), 4);
	assert_int_equal(mpc_deliver_tx_fini(&tx, rel_count, &rel), 4);
	assert_int_equal(rel.n, 5);
	assert_int_equal(rel.last, 5);
}

/* The ring grows as messages are kept, also when its head has wrapped:
 * every message still goes out and is released once, in order, and the
 * ring never outgrows the window (max_msgs + MPC_DELIVER_OVERFLOW). */
static void
test_ring_grows(void **state)
{
	mpc_deliver_tx   tx;
	mpc_deliver_item it;
	struct released  rel  = { 0 };
	uint64_t         sent = 0;

	(void) state;
	assert_int_equal(
	    mpc_deliver_tx_init(&tx, 5, 1000, MPC_DELIVER_WINDOW_BYTES_MAX), 0);
	assert_true(tx.slots < tx.cap);
	tx.resumed = true;
	/* Wrap the small ring first: keep 40, send and release 30. */
	for (uint64_t s = 1; s <= 40; s++) {
		push_ok(&tx, 1, s);
	}
	for (; sent < 30; sent++) {
		assert_true(mpc_deliver_tx_next(&tx, &it));
		assert_int_equal(it.seq, sent + 1);
	}
	assert_int_equal(mpc_deliver_tx_ack(&tx, 30, rel_count, &rel), 0);
	/* Then fill the whole window: the ring doubles past its wrap. */
	for (uint64_t s = 41; mpc_deliver_tx_kept(&tx) < 1000; s++) {
		push_ok(&tx, 1, s);
	}
	assert_int_equal(tx.slots, tx.cap);
	assert_int_equal(mpc_deliver_tx_push(&tx, MSG(tx.next), 1, &sent),
	    NNG_MPC_EWINDOWFULL);
	for (sent = 30; mpc_deliver_tx_next(&tx, &it); sent++) {
		assert_int_equal(it.seq, sent + 1);
		assert_ptr_equal(it.msg, MSG(sent + 1));
	}
	assert_int_equal(sent, 1030);
	assert_int_equal(mpc_deliver_tx_ack(&tx, 1030, rel_count, &rel), 0);
	assert_int_equal(rel.n, 1030);
	assert_int_equal(tx.bytes, 0);
	assert_int_equal(mpc_deliver_tx_fini(&tx, rel_count, &rel), 0);
}

/* Acks: cumulative, stale ones ignored, one beyond what went out refused. */
static void
test_acks(void **state)
{
	static const struct {
		uint64_t ack;
		int      want;
		uint64_t acked;    /* after */
		uint64_t released; /* total after */
	} rows[] = {
		{ 0, 0, 0, 0 },
		{ 2, 0, 2, 2 },
		{ 2, 0, 2, 2 },                  /* repeated */
		{ 1, 0, 2, 2 },                  /* stale */
		{ 7, NNG_MPC_EACKAHEAD, 2, 2 },  /* 6 went out, 7 did not */
		{ UINT64_MAX, NNG_MPC_EACKAHEAD, 2, 2 },
		{ 6, 0, 6, 6 },
	};
	mpc_deliver_tx   tx;
	mpc_deliver_item it;
	struct released  rel = { 0 };

	(void) state;
	assert_int_equal(mpc_deliver_tx_init(&tx, 5, 16, 4096), 0);
	for (uint64_t s = 1; s <= 8; s++) {
		push_ok(&tx, 10, s);
	}
	/* Not resumed: nothing goes out yet. */
	assert_false(mpc_deliver_tx_next(&tx, &it));
	tx.resumed = true;
	for (int i = 0; i < 6; i++) {
		assert_true(mpc_deliver_tx_next(&tx, &it));
	}
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int rv = mpc_deliver_tx_ack(&tx, rows[i].ack, rel_count, &rel);
		if (rv != rows[i].want || tx.acked != rows[i].acked ||
		    rel.n != rows[i].released) {
			fail_msg("row %zu: rv %d acked %llu released %llu", i, rv,
			    (unsigned long long) tx.acked,
			    (unsigned long long) rel.n);
		}
	}
	assert_int_equal(tx.bytes, 20);
	assert_int_equal(mpc_deliver_tx_base(&tx), 7);
	/* The connection drops: nothing more goes out. */
	mpc_deliver_tx_disconnect(&tx);
	assert_false(mpc_deliver_tx_next(&tx, &it));
	assert_int_equal(mpc_deliver_tx_fini(&tx, rel_count, &rel), 2);
}

/* The receiver: in order only, duplicates and gaps refused, state still. */
static void
test_rx_accept(void **state)
{
	static const struct {
		uint64_t seq;
		int      want;
		uint64_t received; /* after */
	} rows[] = {
		{ 1, 0, 1 },
		{ 1, NNG_MPC_EDUPLICATE, 1 },
		{ 0, NNG_MPC_EDUPLICATE, 1 },
		{ 3, NNG_MPC_EGAP, 1 },
		{ UINT64_MAX, NNG_MPC_EGAP, 1 },
		{ 2, 0, 2 },
		{ 3, 0, 3 },
		{ 2, NNG_MPC_EDUPLICATE, 3 },
	};
	mpc_deliver_rx rx;

	(void) state;
	mpc_deliver_rx_init(&rx);
	assert_int_equal(mpc_deliver_rx_accept(&rx, 1), NNG_MPC_EDELIVERCTL);
	rx.resumed = true; /* as a first contact with base 1 leaves it */
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int rv = mpc_deliver_rx_accept(&rx, rows[i].seq);
		mpc_deliver_rx_confirm(&rx); /* the consumer took it */
		if (rv != rows[i].want || rx.received != rows[i].received) {
			fail_msg("row %zu: rv %d received %llu", i, rv,
			    (unsigned long long) rx.received);
		}
	}
	assert_true(mpc_deliver_rx_ack_due(&rx, 3));
	assert_false(mpc_deliver_rx_ack_due(&rx, 4));
	assert_int_equal(mpc_deliver_rx_ack_take(&rx), 3);
	assert_false(mpc_deliver_rx_ack_due(&rx, 1));
	mpc_deliver_rx_disconnect(&rx);
	assert_int_equal(mpc_deliver_rx_accept(&rx, 4), NNG_MPC_EDELIVERCTL);
	assert_int_equal(rx.received, 3);
}

/* A message handed on but not confirmed is never acknowledged, and a
 * disconnect takes it back, so the sender's copy comes again and is
 * accepted (not refused as a duplicate). */
static void
test_rx_held(void **state)
{
	mpc_deliver_rx rx;

	(void) state;
	mpc_deliver_rx_init(&rx);
	rx.resumed = true;
	assert_int_equal(mpc_deliver_rx_accept(&rx, 1), 0);
	assert_int_equal(mpc_deliver_rx_confirmed(&rx), 0);
	assert_false(mpc_deliver_rx_ack_due(&rx, 1));
	assert_int_equal(mpc_deliver_rx_ack_take(&rx), 0);
	mpc_deliver_rx_confirm(&rx);
	assert_true(mpc_deliver_rx_ack_due(&rx, 1));
	assert_int_equal(mpc_deliver_rx_ack_take(&rx), 1);
	assert_int_equal(mpc_deliver_rx_accept(&rx, 2), 0);
	/* The consumer dropped 2 with the connection. */
	mpc_deliver_rx_disconnect(&rx);
	assert_int_equal(rx.received, 1);
	assert_int_equal(rx.held, 0);
	rx.resumed = true;
	assert_int_equal(mpc_deliver_rx_accept(&rx, 2), 0);
	mpc_deliver_rx_confirm(&rx);
	assert_int_equal(mpc_deliver_rx_accept(&rx, 2), NNG_MPC_EDUPLICATE);
	assert_int_equal(mpc_deliver_rx_confirmed(&rx), 2);
}

/* One side of a pair: its stream to the peer and its view of the peer's. */
struct side {
	mpc_deliver_tx tx;
	mpc_deliver_rx rx;
};

static void
side_init(struct side *s, uint64_t inc, uint32_t msgs)
{
	assert_int_equal(mpc_deliver_tx_init(&s->tx, inc, msgs, 1u << 20), 0);
	mpc_deliver_rx_init(&s->rx);
}

/* Both resume records cross; returns a's and b's apply results. */
static void
resume_pair(struct side *a, struct side *b, int want_a, int want_b)
{
	mpc_deliver_resume ra, rb;

	mpc_deliver_tx_disconnect(&a->tx);
	mpc_deliver_rx_disconnect(&a->rx);
	mpc_deliver_tx_disconnect(&b->tx);
	mpc_deliver_rx_disconnect(&b->rx);
	mpc_deliver_resume_make(&a->tx, &a->rx, &ra);
	mpc_deliver_resume_make(&b->tx, &b->rx, &rb);
	assert_int_equal(
	    mpc_deliver_resume_apply(&a->tx, &a->rx, &rb, NULL, NULL), want_a);
	assert_int_equal(
	    mpc_deliver_resume_apply(&b->tx, &b->rx, &ra, NULL, NULL), want_b);
}

/* Transmits everything a has to b; b accepts in order.  Returns how many
 * b delivered; *dups counts the duplicates it discarded. */
static uint64_t
pump(struct side *a, struct side *b, uint64_t *dups)
{
	mpc_deliver_item it;
	uint64_t         n = 0;

	while (mpc_deliver_tx_next(&a->tx, &it)) {
		int rv = mpc_deliver_rx_accept(&b->rx, it.seq);
		if (rv == NNG_MPC_EDUPLICATE) {
			(*dups)++;
			continue;
		}
		assert_int_equal(rv, 0);
		mpc_deliver_rx_confirm(&b->rx);
		n++;
	}
	return (n);
}

/* Resume after loss: 5 sent, 3 arrived, the rest retransmitted in order;
 * then 5 arrived but only 3 acknowledged: the replay is discarded. */
static void
test_resume_after_loss(void **state)
{
	struct side      a, b;
	mpc_deliver_item it;
	uint64_t         dups = 0;

	(void) state;
	side_init(&a, 0xA1, 64);
	side_init(&b, 0xB1, 64);
	resume_pair(&a, &b, 0, 0); /* first contact both ways */
	for (uint64_t s = 1; s <= 5; s++) {
		push_ok(&a.tx, 8, s);
	}
	for (uint64_t s = 1; s <= 5; s++) {
		assert_true(mpc_deliver_tx_next(&a.tx, &it));
		if (s <= 3) { /* 4 and 5 are lost with the connection */
			assert_int_equal(mpc_deliver_rx_accept(&b.rx, s), 0);
			mpc_deliver_rx_confirm(&b.rx);
		}
	}
	resume_pair(&a, &b, 0, 0);
	assert_int_equal(a.tx.acked, 3); /* the resume record acknowledged */
	assert_int_equal(mpc_deliver_tx_kept(&a.tx), 2);
	assert_true(mpc_deliver_tx_next(&a.tx, &it));
	assert_int_equal(it.seq, 4);
	assert_int_equal(mpc_deliver_rx_accept(&b.rx, 4), 0);
	mpc_deliver_rx_confirm(&b.rx);
	assert_true(mpc_deliver_tx_next(&a.tx, &it));
	assert_int_equal(it.seq, 5);
	assert_int_equal(mpc_deliver_rx_accept(&b.rx, 5), 0);
	mpc_deliver_rx_confirm(&b.rx);
	assert_false(mpc_deliver_tx_next(&a.tx, &it));

	/* b acknowledges 3 only (its ack for 4..5 is lost): a replays 4..5
	 * after the next resume unless the resume record covers them -- it
	 * does (b received 5), so nothing is replayed at all. */
	assert_int_equal(mpc_deliver_tx_ack(&a.tx, 3, NULL, NULL), 0);
	resume_pair(&a, &b, 0, 0);
	assert_int_equal(a.tx.acked, 5);
	assert_int_equal(pump(&a, &b, &dups), 0);
	assert_int_equal(dups, 0);

	/* A retransmission that crosses a resume anyway (an old connection's
	 * frames still arriving are modelled by replaying seq 5): refused. */
	assert_int_equal(mpc_deliver_rx_accept(&b.rx, 5), NNG_MPC_EDUPLICATE);
	assert_int_equal(b.rx.received, 5);
	(void) mpc_deliver_tx_fini(&a.tx, NULL, NULL);
	(void) mpc_deliver_tx_fini(&b.tx, NULL, NULL);
}

/* Messages pushed while no connection exists wait in the window and go
 * out, in order, after the first resume. */
static void
test_pushed_before_connect(void **state)
{
	struct side a, b;
	uint64_t    dups = 0;

	(void) state;
	side_init(&a, 0xA2, 8);
	side_init(&b, 0xB2, 8);
	for (uint64_t s = 1; s <= 8; s++) {
		push_ok(&a.tx, 1, s);
	}
	assert_int_equal(pump(&a, &b, &dups), 0); /* not resumed */
	resume_pair(&a, &b, 0, 0);
	assert_int_equal(pump(&a, &b, &dups), 8);
	assert_int_equal(dups, 0);
	assert_int_equal(b.rx.received, 8);
	(void) mpc_deliver_tx_fini(&a.tx, NULL, NULL);
	(void) mpc_deliver_tx_fini(&b.tx, NULL, NULL);
}

/* A peer that restarted (new incarnation, no memory): reported as a stream
 * reset on our side; the streams work again from each side's base. */
static void
test_peer_restart(void **state)
{
	struct side a, b;
	uint64_t    dups = 0;

	(void) state;
	side_init(&a, 0xA3, 16);
	side_init(&b, 0xB3, 16);
	resume_pair(&a, &b, 0, 0);
	for (uint64_t s = 1; s <= 4; s++) {
		push_ok(&a.tx, 1, s);
		push_ok(&b.tx, 1, s);
	}
	assert_int_equal(pump(&a, &b, &dups), 4);
	assert_int_equal(pump(&b, &a, &dups), 4);
	assert_int_equal(mpc_deliver_tx_ack(&a.tx, 2, NULL, NULL), 0);

	/* b restarts: everything it kept and knew is gone. */
	(void) mpc_deliver_tx_fini(&b.tx, NULL, NULL);
	side_init(&b, 0xB4, 16);
	resume_pair(&a, &b, NNG_MPC_ESTREAMRESET, 0);
	assert_int_equal(a.rx.peer_inc, 0xB4);
	assert_int_equal(a.rx.received, 0);
	/* b has never seen a's stream: it starts at a's base (3) and gets
	 * 3 and 4 again (its old process had them; the new one has not). */
	assert_int_equal(b.rx.received, 2);
	assert_int_equal(pump(&a, &b, &dups), 2);
	push_ok(&b.tx, 1, 1);
	assert_int_equal(pump(&b, &a, &dups), 1);
	assert_int_equal(dups, 0);
	(void) mpc_deliver_tx_fini(&a.tx, NULL, NULL);
	(void) mpc_deliver_tx_fini(&b.tx, NULL, NULL);
}

/* Resume records that contradict our state: refused, nothing moves. */
static void
test_resume_refused(void **state)
{
	struct side        a, b;
	mpc_deliver_resume r;
	uint64_t           dups = 0;

	(void) state;
	side_init(&a, 0xA5, 16);
	side_init(&b, 0xB5, 16);
	resume_pair(&a, &b, 0, 0);
	push_ok(&a.tx, 1, 1);
	push_ok(&b.tx, 1, 1);
	assert_int_equal(pump(&a, &b, &dups), 1);
	assert_int_equal(pump(&b, &a, &dups), 1);
	mpc_deliver_tx_disconnect(&a.tx);
	mpc_deliver_rx_disconnect(&a.rx);

	/* Zero incarnation or base. */
	mpc_deliver_resume_make(&b.tx, &b.rx, &r);
	r.inc = 0;
	assert_int_equal(mpc_deliver_resume_apply(&a.tx, &a.rx, &r, NULL, NULL),
	    NNG_MPC_EDELIVERCTL);
	mpc_deliver_resume_make(&b.tx, &b.rx, &r);
	r.base = 0;
	assert_int_equal(mpc_deliver_resume_apply(&a.tx, &a.rx, &r, NULL, NULL),
	    NNG_MPC_EDELIVERCTL);
	/* b claims to have received 2 of a's stream: only 1 ever went out. */
	mpc_deliver_resume_make(&b.tx, &b.rx, &r);
	r.received = 2;
	assert_int_equal(mpc_deliver_resume_apply(&a.tx, &a.rx, &r, NULL, NULL),
	    NNG_MPC_EACKAHEAD);
	/* b's oldest kept message is 3: it dropped 2, which a never got. */
	mpc_deliver_resume_make(&b.tx, &b.rx, &r);
	r.base = 3;
	assert_int_equal(mpc_deliver_resume_apply(&a.tx, &a.rx, &r, NULL, NULL),
	    NNG_MPC_EGAP);
	assert_false(a.rx.resumed);
	assert_false(a.tx.resumed);
	assert_int_equal(a.tx.acked, 0);
	assert_int_equal(a.rx.received, 1);
	/* The true record still works. */
	mpc_deliver_resume_make(&b.tx, &b.rx, &r);
	assert_int_equal(
	    mpc_deliver_resume_apply(&a.tx, &a.rx, &r, NULL, NULL), 0);
	assert_int_equal(a.tx.acked, 1);
	(void) mpc_deliver_tx_fini(&a.tx, NULL, NULL);
	(void) mpc_deliver_tx_fini(&b.tx, NULL, NULL);
}

/* The record codec: round trips, every truncation, trailing bytes, kinds. */
static void
test_records(void **state)
{
	static const mpc_deliver_rec recs[] = {
		{ .kind = MPC_DELIVER_DATA, .seq = 1, .ack = 0 },
		{ .kind = MPC_DELIVER_DATA, .seq = UINT64_MAX, .ack = 77 },
		{ .kind = MPC_DELIVER_ACK, .ack = 0x0102030405060708ull },
		{ .kind = MPC_DELIVER_RESUME,
		    .resume = { .inc = 9, .peer_inc = 8, .received = 7,
		        .base = 6 } },
		{ .kind = MPC_DELIVER_ACKREQ, .upto = 0x1112131415161718ull },
	};
	static const size_t sizes[] = { MPC_DELIVER_DATA_SIZE,
		MPC_DELIVER_DATA_SIZE, MPC_DELIVER_ACK_SIZE,
		MPC_DELIVER_RESUME_SIZE, MPC_DELIVER_ACKREQ_SIZE };
	uint8_t buf[64];

	(void) state;
	for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
		mpc_wcursor     w;
		mpc_rcursor     r;
		mpc_deliver_rec got;

		/* One byte short: nothing written. */
		mpc_wcursor_init(&w, buf, sizes[i] - 1);
		assert_false(mpc_deliver_rec_write(&w, &recs[i]));
		assert_int_equal(w.pos, 0);
		mpc_wcursor_init(&w, buf, sizeof(buf));
		assert_true(mpc_deliver_rec_write(&w, &recs[i]));
		assert_int_equal(w.pos, sizes[i]);
		mpc_rcursor_init(&r, buf, w.pos);
		assert_int_equal(mpc_deliver_rec_read(&r, &got), 0);
		assert_int_equal(r.pos, sizes[i]);
		assert_int_equal(got.kind, recs[i].kind);
		assert_memory_equal(&got.resume, &recs[i].resume,
		    sizeof(got.resume));
		assert_int_equal(got.seq, recs[i].seq);
		assert_int_equal(got.ack, recs[i].ack);
		assert_int_equal(got.upto, recs[i].upto);
		/* Every truncation refused, cursor unchanged. */
		for (size_t n = 0; n < sizes[i]; n++) {
			mpc_rcursor_init(&r, buf, n);
			assert_int_equal(mpc_deliver_rec_read(&r, &got),
			    NNG_MPC_EDELIVERCTL);
			assert_int_equal(r.pos, 0);
		}
		/* Trailing bytes: the application's for DATA, refused else. */
		buf[sizes[i]] = 0xEE;
		mpc_rcursor_init(&r, buf, sizes[i] + 1);
		assert_int_equal(mpc_deliver_rec_read(&r, &got),
		    recs[i].kind == MPC_DELIVER_DATA ? 0 : NNG_MPC_EDELIVERCTL);
	}
	/* Unknown kinds, and DATA with sequence 0. */
	for (unsigned k = 0; k < 256; k++) {
		mpc_rcursor     r;
		mpc_deliver_rec got;

		if (k >= MPC_DELIVER_DATA && k <= MPC_DELIVER_ACKREQ) {
			continue;
		}
		memset(buf, 0, sizeof(buf));
		buf[0] = (uint8_t) k;
		mpc_rcursor_init(&r, buf, MPC_DELIVER_RESUME_SIZE);
		assert_int_equal(
		    mpc_deliver_rec_read(&r, &got), NNG_MPC_EDELIVERCTL);
	}
	{
		mpc_rcursor     r;
		mpc_deliver_rec got;
		mpc_deliver_rec bad = { .kind = (enum mpc_deliver_kind) 9 };
		mpc_wcursor     w;

		memset(buf, 0, sizeof(buf));
		buf[0] = MPC_DELIVER_DATA;
		mpc_rcursor_init(&r, buf, MPC_DELIVER_DATA_SIZE);
		assert_int_equal(
		    mpc_deliver_rec_read(&r, &got), NNG_MPC_EDELIVERCTL);
		mpc_wcursor_init(&w, buf, sizeof(buf));
		assert_false(mpc_deliver_rec_write(&w, &bad));
	}
}

/*
 * Two parties, a connection that is cut at pseudorandom points (everything
 * in flight both ways is lost, acks included), and a resume after each cut.
 * The application's view on both sides: every message exactly once, in
 * order; the window never exceeded; nothing released before acknowledged.
 */
struct link {
	uint64_t q[512]; /* in-flight sequences, FIFO */
	size_t   h, n;
};

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return ((uint32_t) (rng % n));
}

static void
q_put(struct link *l, uint64_t v)
{
	assert_true(l->n < 512);
	l->q[(l->h + l->n++) % 512] = v;
}

static uint64_t
q_get(struct link *l)
{
	uint64_t v = l->q[l->h];

	l->h = (l->h + 1) % 512;
	l->n--;
	return (v);
}

struct party {
	struct side s;
	struct link out; /* data in flight to the peer (stream sequences) */
	uint64_t    pushed;
	uint64_t    delivered; /* application view of the peer's stream */
	uint64_t    dups;
	uint64_t    acks_in_flight; /* newest ack on the way (0: none) */
};

static void
party_step(struct party *p, struct party *peer)
{
	mpc_deliver_item it;

	switch (rnd(4)) {
	case 0: /* the application sends, if the window has room */
		if (p->pushed < 3000 && mpc_deliver_tx_fits(&p->s.tx, 10)) {
			push_ok(&p->s.tx, 10, p->pushed + 1);
			p->pushed++;
		}
		break;
	case 1: /* transmit what is due */
		while (p->out.n < 500 && mpc_deliver_tx_next(&p->s.tx, &it)) {
			q_put(&p->out, it.seq);
		}
		break;
	case 2: /* the peer receives a few */
		for (int i = 0; i < 8 && p->out.n > 0; i++) {
			uint64_t s  = q_get(&p->out);
			int      rv = mpc_deliver_rx_accept(&peer->s.rx, s);
			if (rv == NNG_MPC_EDUPLICATE) {
				peer->dups++;
				continue;
			}
			assert_int_equal(rv, 0);
			mpc_deliver_rx_confirm(&peer->s.rx);
			assert_int_equal(s, peer->delivered + 1);
			peer->delivered = s;
		}
		if (mpc_deliver_rx_ack_due(&peer->s.rx, 4)) {
			peer->acks_in_flight = mpc_deliver_rx_ack_take(&peer->s.rx);
		}
		break;
	default: /* an ack arrives */
		if (p->acks_in_flight != 0) {
			assert_int_equal(mpc_deliver_tx_ack(&peer->s.tx,
			                     p->acks_in_flight, NULL, NULL),
			    0);
			p->acks_in_flight = 0;
		}
		break;
	}
	assert_true(mpc_deliver_tx_kept(&p->s.tx) <= p->s.tx.max_msgs);
}

static void
test_random_cuts(void **state)
{
	struct party a, b;
	int          cuts = 0;

	(void) state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	side_init(&a.s, 0xAAAA, 32);
	side_init(&b.s, 0xBBBB, 32);
	resume_pair(&a.s, &b.s, 0, 0);
	for (int step = 0; step < 400000; step++) {
		if (a.delivered == 3000 && b.delivered == 3000) {
			break;
		}
		if (rnd(500) == 0) { /* cut: everything in flight is lost */
			a.out.n = b.out.n = 0;
			a.acks_in_flight = b.acks_in_flight = 0;
			resume_pair(&a.s, &b.s, 0, 0);
			cuts++;
			continue;
		}
		if (rnd(2) == 0) {
			party_step(&a, &b);
		} else {
			party_step(&b, &a);
		}
	}
	print_message("random cuts: %d cuts, duplicates discarded %llu/%llu\n",
	    cuts, (unsigned long long) a.dups, (unsigned long long) b.dups);
	assert_true(cuts >= 20);
	assert_int_equal(a.delivered, 3000);
	assert_int_equal(b.delivered, 3000);
	(void) mpc_deliver_tx_fini(&a.s.tx, NULL, NULL);
	(void) mpc_deliver_tx_fini(&b.s.tx, NULL, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tx_init),
		cmocka_unit_test(test_window_edges),
		cmocka_unit_test(test_ring_grows),
		cmocka_unit_test(test_acks),
		cmocka_unit_test(test_rx_accept),
		cmocka_unit_test(test_rx_held),
		cmocka_unit_test(test_resume_after_loss),
		cmocka_unit_test(test_pushed_before_connect),
		cmocka_unit_test(test_peer_restart),
		cmocka_unit_test(test_resume_refused),
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_random_cuts),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
