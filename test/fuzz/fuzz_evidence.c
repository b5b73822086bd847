/*
 * fuzz_evidence: the evidence-file parser and the broadcast-statement
 * decoder (transport/mpc_evidence.c), hostile input of `nngmpc evidence
 * verify`.  A file that parses writes back to exactly the same bytes; a
 * statement that decodes encodes back to the same 96 bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "mpc_evidence.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static mpc_evidence ev;
	static uint8_t      out[MPC_EVIDENCE_MAX];
	mpc_bcast_stmt      st;
	uint8_t             enc[MPC_EVIDENCE_STMT_SIZE];
	size_t              len;

	if (mpc_evidence_read(&ev, data, size) == 0) {
		CHECK(mpc_evidence_write(&ev, out, sizeof(out), &len) == 0);
		CHECK(len == size && memcmp(out, data, size) == 0);
	}
	if (mpc_bcast_stmt_decode(&st, data, size) == 0) {
		mpc_bcast_stmt_encode(&st, enc);
		CHECK(size == sizeof(enc) && memcmp(enc, data, size) == 0);
	}
	return (0);
}
