/*
 * libFuzzer target: the TLS identity parsers (crypto/mpc_tls_identity.c) --
 * the strict "mpc://party/<id>" URI parser and the peer-certificate decoder
 * that feeds it (party SANs, subject, SPKI digest).  Both read bytes a peer
 * chose.  Beyond "no crash": an accepted URI is exactly the canonical
 * spelling of the ID it yields (no prefix match, no leading zero, no
 * trailing bytes), and a rejected certificate leaves its output zeroed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpc_tls_identity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mpc_tls_leaf leaf;
	uint32_t            id = 0;
	char                canon[32];

	if (mpc_tls_party_uri_parse((const char *) data, size, &id) == 0) {
		int n = snprintf(canon, sizeof(canon), "mpc://party/%u",
		    (unsigned) id);
		if (id < NNG_MPC_TLS_PARTY_MIN || id > NNG_MPC_TLS_PARTY_MAX ||
		    n < 0 || (size_t) n != size ||
		    memcmp(canon, data, size) != 0 ||
		    !mpc_tls_uri_is_party_claim((const char *) data, size)) {
			abort();
		}
	}
	memset(&leaf, 0xA5, sizeof(leaf));
	if (mpc_tls_leaf_parse(data, size, &leaf) != 0) {
		static const struct mpc_tls_leaf zero;
		if (memcmp(&leaf, &zero, sizeof(leaf)) != 0) {
			abort();
		}
	} else if (leaf.party_status == MPC_TLS_PARTY_OK &&
	    (leaf.party_id < NNG_MPC_TLS_PARTY_MIN ||
	        leaf.party_id > NNG_MPC_TLS_PARTY_MAX)) {
		abort();
	}
	return (0);
}
