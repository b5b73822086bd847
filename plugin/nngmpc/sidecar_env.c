/*
 * sidecar_env.c -- the sidecar's local envelope, "<to> <type> <payload>"
 * (sidecar.h), read from an application's message.  Pure: no NNG, no
 * state.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nng_mpc.h"
#include "sidecar.h"

/* Reads "<digits> " at *at (base 10, or 16 after 0x) into *v. */
static bool
sc_num(const uint8_t *b, size_t len, size_t *at, uint64_t max, uint64_t *v)
{
	unsigned base = 10;
	size_t   i    = *at;
	size_t   start;

	*v = 0;
	if ((i + 1 < len) && (b[i] == '0') && ((b[i + 1] | 0x20) == 'x')) {
		base = 16;
		i += 2;
	}
	start = i;
	for (; i < len && b[i] != ' '; i++) {
		unsigned d;
		if (b[i] >= '0' && b[i] <= '9') {
			d = b[i] - '0';
		} else if (base == 16 && (b[i] | 0x20) >= 'a' &&
		    (b[i] | 0x20) <= 'f') {
			d = (b[i] | 0x20) - 'a' + 10;
		} else {
			return (false);
		}
		*v = *v * base + d;
		if (*v > max || i - start > 10) {
			return (false);
		}
	}
	if (i == start || i >= len) {
		return (false); /* no digits, or no space after them */
	}
	*at = i + 1;
	return (true);
}

/*
 * The application's envelope "<to> <type> <payload>": the recipient
 * (NNG_MPC_PARTY_BROADCAST for '*'), the type and the header's length,
 * or false with why.
 */
bool
nngmpc_sidecar_parse(const uint8_t *b, size_t len, uint32_t *to, uint16_t *type,
    size_t *hdr, const char **why)
{
	size_t   at = 0;
	uint64_t v;

	if ((len >= 2) && (b[0] == '*') && (b[1] == ' ')) {
		*to = NNG_MPC_PARTY_BROADCAST;
		at  = 2;
	} else if (sc_num(b, len, &at, 0xFFFFFFFEu, &v) && v != 0) {
		*to = (uint32_t) v;
	} else {
		*why = "expected '<to> <type> <payload>' with <to> a party ID "
		       "or '*'";
		return (false);
	}
	if (!sc_num(b, len, &at, 0xFFFFu, &v) || v == 0) {
		*why = "expected '<to> <type> <payload>' with <type> 1..65535";
		return (false);
	}
	*type = (uint16_t) v;
	*hdr  = at;
	return (true);
}

