/*
 * libFuzzer target: the roster parser (plugin/nngmpc/roster.c), which reads
 * a file an operator may get wrong in any way.  Checks, beyond "no crash":
 * a rejected roster leaves nothing behind (the session key least), and an
 * accepted one satisfies what the node relies on.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "roster.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nngmpc_roster r;
	char                        err[512];
	static const uint8_t        zero[sizeof(r.session_key)];

	if (!nngmpc_roster_parse(
	        (const char *) data, size, "fuzz", &r, err, sizeof(err))) {
		if (memcmp(r.session_key, zero, sizeof(zero)) != 0 ||
		    r.nparties != 0 || err[0] == '\0') {
			abort();
		}
		return (0);
	}
	if (r.nparties < 2 || r.nparties > NNGMPC_ROSTER_MAX) {
		abort();
	}
	for (size_t i = 0; i < r.nparties; i++) {
		char url[NNGMPC_ROSTER_URL_MAX];
		if (r.parties[i].id == 0 || r.parties[i].id == 0xFFFFFFFFu ||
		    nngmpc_roster_find(&r, r.parties[i].id) != &r.parties[i] ||
		    !nngmpc_roster_url(&r, &r.parties[i], url, sizeof(url))) {
			abort();
		}
	}
	nngmpc_roster_wipe(&r);
	return (0);
}
