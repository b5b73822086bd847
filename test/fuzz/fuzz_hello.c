/*
 * fuzz_hello: libFuzzer target for the transport's handshake parsers --
 * the SP header check, the hello decoder and the finished-record check --
 * driven the way a connection drives them: the input is what a peer sends
 * (SP header || hello, then a finished record), processed by a responder
 * with a fixed configuration.
 *
 * Beyond "no crash, no sanitizer report" it checks the contract and aborts
 * when it breaks:
 *   - a hello that decodes re-encodes to the same 72 bytes;
 *   - a refused hello leaves the decoded struct zeroed;
 *   - every result is 0 or one of the documented codes;
 *   - a finished record forged without the keys never verifies (the MAC
 *     is HMAC-SHA256: a random 32 bytes match with probability 2^-256).
 * Seeds: test/fuzz/corpus/fuzz_hello (a valid exchange and variants).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mpc_tran_hello.h"

#include "fuzz_check.h"

static int
all_zero(const void *p, size_t n)
{
	const uint8_t *b   = p;
	uint8_t        acc = 0;

	for (size_t i = 0; i < n; i++) {
		acc |= b[i];
	}
	return (acc == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t sid[NNG_MPC_SESSION_ID_SIZE] = { 's', 'i', 'd' };
	mpc_tran_cfg         cfg;
	mpc_tran_hs          hs;
	mpc_hello            h;
	uint8_t              again[MPC_HELLO_SIZE];
	uint16_t             proto;
	bool                 rej;
	int                  rv;

	/* The decoder on its own, at any length. */
	rv = mpc_hello_decode(&h, data, size);
	CHECK(rv == 0 || rv == NNG_MPC_EHELLO || rv == NNG_MPC_EHELLOVERSION);
	if (rv == 0) {
		CHECK(size == MPC_HELLO_SIZE);
		CHECK(mpc_hello_encode(again, sizeof(again), &h) == 0);
		CHECK(memcmp(again, data, MPC_HELLO_SIZE) == 0);
	} else {
		CHECK(all_zero(&h, sizeof(h)));
	}

	/* A responder (party 1) fed the input as its peer's bytes. */
	if (size < sizeof(hs.rx) + sizeof(hs.rx_fin)) {
		return (0);
	}
	mpc_tran_cfg_init(&cfg);
	cfg.party_id         = 1;
	cfg.have_session_id  = true;
	cfg.have_session_key = true;
	memcpy(cfg.session_id, sid, sizeof(sid));
	memset(cfg.session_key, 0x33, sizeof(cfg.session_key));
	if (mpc_hs_init(&hs, &cfg, 0x11, false, (data[0] & 1) != 0, 1000) !=
	    0) {
		return (0);
	}
	mpc_tran_cfg_wipe(&cfg);
	memcpy(hs.rx, data, sizeof(hs.rx));
	memcpy(hs.rx_fin, data + sizeof(hs.rx), sizeof(hs.rx_fin));

	rv = mpc_hs_check_sp(&hs, &proto);
	CHECK(rv == 0 || rv == NNG_EPROTO);
	rv = mpc_hs_check_peer(&hs);
	CHECK(rv == 0 || rv == NNG_MPC_EHELLO || rv == NNG_MPC_EHELLOVERSION ||
	    rv == NNG_MPC_ESESSIONID || rv == NNG_MPC_ESELFPARTY ||
	    rv == NNG_MPC_ECAPS);
	if (rv == 0) {
		if (mpc_hs_binding(&hs)) {
			mpc_hs_set_exporter(&hs, data + 8, MPC_HELLO_EXPORTER_SIZE);
		}
		CHECK(mpc_hs_derive(&hs, 1) == 0);
		CHECK(all_zero(hs.session_key, sizeof(hs.session_key)));
		rv = mpc_hs_check_finished(&hs, &rej);
		CHECK(rv != 0);
		/* A refusal carries one of the transport's codes (the block
		 * NNG_MPC_ERRBASE + 64..95), or NNG_MPC_EREJECTED. */
		CHECK(rv == NNG_MPC_EHELLO || rv == NNG_MPC_EKEYCONFIRM ||
		    (rej && rv >= NNG_MPC_EHELLO &&
		        rv < NNG_MPC_ERRBASE + 96));
	}
	mpc_hs_wipe(&hs);
	CHECK(all_zero(&hs, sizeof(hs)));
	return (0);
}
