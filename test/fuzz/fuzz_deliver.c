/*
 * fuzz_deliver: the delivery-record parser (transport/mpc_deliver.c) and a
 * stream pair driven by parsed records.  Input: a sequence of records, each
 * as a length byte and that many bytes.  Every record that parses is
 * applied to a receiving stream and a sending one (RESUME to both, ACK to
 * the sender, DATA to the receiver); the invariants of mpc_deliver.c hold
 * whatever the peer says: acknowledged <= sent <= next, the window never
 * over its bound, received only in order.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "mpc_deliver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mpc_deliver_tx tx;
	mpc_deliver_rx rx;
	mpc_rcursor    in;
	uint64_t       seq;

	if (mpc_deliver_tx_init(&tx, 0x1234, 8, 4096) != 0) {
		return (0);
	}
	mpc_deliver_rx_init(&rx);
	/* Some messages of our own to acknowledge. */
	for (int i = 0; i < 6; i++) {
		CHECK(mpc_deliver_tx_push(&tx, (void *) (uintptr_t) (i + 1), 100,
		          &seq) == 0);
	}
	mpc_rcursor_init(&in, data, size);
	for (;;) {
		uint8_t          n;
		const uint8_t *  rec;
		mpc_rcursor      r;
		mpc_deliver_rec  v;
		mpc_deliver_item it;

		if (!mpc_rcursor_u8(&in, &n) || !mpc_rcursor_view(&in, &rec, n)) {
			break;
		}
		mpc_rcursor_init(&r, rec, n);
		if (mpc_deliver_rec_read(&r, &v) != 0) {
			CHECK(r.pos == 0);
			continue;
		}
		switch (v.kind) {
		case MPC_DELIVER_RESUME:
			mpc_deliver_tx_disconnect(&tx);
			mpc_deliver_rx_disconnect(&rx);
			(void) mpc_deliver_resume_apply(&tx, &rx, &v.resume, NULL,
			    NULL);
			while (mpc_deliver_tx_next(&tx, &it)) {
				CHECK(it.seq <= tx.sent);
			}
			break;
		case MPC_DELIVER_ACK:
			(void) mpc_deliver_tx_ack(&tx, v.ack, NULL, NULL);
			break;
		case MPC_DELIVER_ACKREQ: {
			/* Nothing to change here: it must round-trip. */
			uint8_t         b[MPC_DELIVER_ACKREQ_SIZE];
			mpc_wcursor     w;
			mpc_rcursor     back;
			mpc_deliver_rec again;

			mpc_wcursor_init(&w, b, sizeof(b));
			CHECK(mpc_deliver_rec_write(&w, &v));
			mpc_rcursor_init(&back, b, w.pos);
			CHECK(mpc_deliver_rec_read(&back, &again) == 0 &&
			    again.upto == v.upto);
			break;
		}
		case MPC_DELIVER_DATA: {
			uint64_t before = rx.received;
			if (mpc_deliver_rx_accept(&rx, v.seq) == 0) {
				CHECK(v.seq == before + 1);
				mpc_deliver_rx_confirm(&rx);
			} else {
				CHECK(rx.received == before);
			}
			break;
		}
		}
		CHECK(tx.acked <= tx.sent && tx.sent <= tx.hi_sent &&
		    tx.hi_sent < tx.next);
		CHECK(mpc_deliver_tx_kept(&tx) <= tx.slots && tx.slots <= tx.cap);
		CHECK(mpc_deliver_rx_confirmed(&rx) <= rx.received);
	}
	(void) mpc_deliver_tx_fini(&tx, NULL, NULL);
	return (0);
}
