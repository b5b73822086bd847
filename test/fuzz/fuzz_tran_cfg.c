/*
 * fuzz_tran_cfg: libFuzzer target for the transport's text settings --
 * the pin list of NNG_OPT_MPC_CERT_PINS (mpc_tran_cfg_set_pins / _get_pins),
 * the hex decoder they share (mpc_tran_unhex), and the values an
 * unmodified program passes through the environment (mpc_tran_env.h:
 * session ID and key as hex with surrounding whitespace, key file
 * content, decimal party ID).  All of it is text a user or application
 * supplies.
 *
 * The same input is fed to every parser.  Beyond "no crash, no sanitizer
 * report" it checks, against a small reference written here from the
 * documented grammar (mpc_tran_cfg.h, mpc_tran_env.h), and aborts when:
 *   - a parser accepts what the grammar rejects or the reverse, or
 *     decodes other bytes than the reference;
 *   - a rejected pin list changes the configuration, or a rejected
 *     environment value leaves decoded bytes behind;
 *   - the pins get_pins writes back (canonical: lowercase, comma
 *     separated, need == strlen + 1) are not accepted by set_pins as the
 *     same pins, or a buffer one byte short is not refused.
 * Seeds: test/fuzz/corpus/fuzz_tran_cfg.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mpc_tran_cfg.h"
#include "mpc_tran_env.h"

#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
ref_hex(uint8_t c)
{
	static const char digits[] = "0123456789abcdef";
	const char *      p;

	if (c >= 'A' && c <= 'F') {
		c = (uint8_t) (c - 'A' + 'a');
	}
	if (c == 0 || (p = strchr(digits, c)) == NULL) {
		return (-1);
	}
	return ((int) (p - digits));
}

/* Reference hex decoder: true iff s[0..2*len) are all hex digits. */
static bool
ref_unhex(const uint8_t *s, uint8_t *out, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		int hi = ref_hex(s[2 * i]), lo = ref_hex(s[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			return (false);
		}
		out[i] = (uint8_t) (hi * 16 + lo);
	}
	return (true);
}

/* Separators of a pin list, and the whitespace around an env value. */
static bool
is_sep(uint8_t c)
{
	return (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r');
}

static bool
is_space(uint8_t c)
{
	return (c == ' ' || c == '\t' || c == '\n' || c == '\r');
}

/*
 * Reference pin list grammar: tokens between separators, each exactly 64
 * hex digits, at most MPC_TRAN_PINS_MAX of them.
 */
static bool
ref_pins(const uint8_t *s, size_t len,
    uint8_t pins[MPC_TRAN_PINS_MAX][MPC_TRAN_PIN_SIZE], size_t *np)
{
	size_t n = 0;

	for (size_t i = 0; i < len;) {
		size_t j = i;
		if (is_sep(s[i])) {
			i++;
			continue;
		}
		while (j < len && !is_sep(s[j])) {
			j++;
		}
		if (j - i != 2 * MPC_TRAN_PIN_SIZE || n == MPC_TRAN_PINS_MAX ||
		    !ref_unhex(s + i, pins[n], MPC_TRAN_PIN_SIZE)) {
			return (false);
		}
		n++;
		i = j;
	}
	*np = n;
	return (true);
}

static void
pins(const uint8_t *data, size_t size)
{
	static uint8_t ref[MPC_TRAN_PINS_MAX][MPC_TRAN_PIN_SIZE];
	mpc_tran_cfg   cfg, before, again;
	char           buf[MPC_TRAN_PINS_STR_MAX];
	size_t         nref = 0, need;
	bool           ok   = ref_pins(data, size, ref, &nref);
	int            rv;

	/* A configuration that already holds one pin, to see it kept. */
	mpc_tran_cfg_init(&cfg);
	memset(cfg.pins[0], 0xA5, MPC_TRAN_PIN_SIZE);
	cfg.npins = 1;
	memcpy(&before, &cfg, sizeof(before)); /* padding too */

	rv = mpc_tran_cfg_set_pins(&cfg, (const char *) data, size);
	CHECK(rv == 0 || rv == NNG_EINVAL);
	CHECK((rv == 0) == ok);
	if (rv != 0) {
		CHECK(memcmp(&cfg, &before, sizeof(cfg)) == 0);
		return;
	}
	CHECK(cfg.npins == nref);
	CHECK(memcmp(cfg.pins, ref, nref * MPC_TRAN_PIN_SIZE) == 0);

	/* Written back: canonical, and accepted again as the same pins. */
	CHECK(mpc_tran_cfg_get_pins(&cfg, buf, sizeof(buf), &need) == 0);
	CHECK(need == strlen(buf) + 1 && need <= sizeof(buf));
	for (size_t i = 0; buf[i] != '\0'; i++) {
		CHECK((i % 65 == 64) ? buf[i] == ','
		                     : ref_hex((uint8_t) buf[i]) >= 0 &&
		            !(buf[i] >= 'A' && buf[i] <= 'F'));
	}
	mpc_tran_cfg_init(&again);
	CHECK(mpc_tran_cfg_set_pins(&again, buf, need - 1) == 0);
	CHECK(again.npins == cfg.npins &&
	    memcmp(again.pins, cfg.pins, cfg.npins * MPC_TRAN_PIN_SIZE) == 0);
	CHECK(mpc_tran_cfg_get_pins(&cfg, buf, need - 1, &need) == NNG_EINVAL);
}

static void
unhex(const uint8_t *data, size_t size)
{
	uint8_t out[64], ref[64];
	size_t  len = size / 2 > sizeof(out) ? sizeof(out) : size / 2;
	bool    ok  = ref_unhex(data, ref, len);

	CHECK((mpc_tran_unhex((const char *) data, out, len) == 0) == ok);
	CHECK(!ok || memcmp(out, ref, len) == 0);
}

/* An environment value of len bytes (session ID 16, key 32). */
static void
env_hex(const uint8_t *data, size_t size, size_t len)
{
	static const uint8_t zero[MPC_TRAN_SESSION_KEY_SIZE];
	uint8_t              out[MPC_TRAN_SESSION_KEY_SIZE] = { 0 };
	uint8_t              ref[MPC_TRAN_SESSION_KEY_SIZE];
	size_t               b = 0, e = size;
	bool                 ok;

	while (b < e && is_space(data[b])) {
		b++;
	}
	while (e > b && is_space(data[e - 1])) {
		e--;
	}
	ok = e - b == 2 * len && ref_unhex(data + b, ref, len);
	if (mpc_tran_env_unhex((const char *) data, size, out, len) == 0) {
		CHECK(ok && memcmp(out, ref, len) == 0);
	} else {
		CHECK(!ok && memcmp(out, zero, sizeof(out)) == 0);
	}
}

/* NNG_MPC_PARTY_ID: a C string, as getenv() gives it. */
static void
env_party(const uint8_t *data, size_t size)
{
	char     s[32];
	size_t   n = size < sizeof(s) - 1 ? size : sizeof(s) - 1;
	uint64_t ref = 0;
	uint32_t id  = 0xDEADBEEF;
	bool     ok;

	memcpy(s, data, n);
	s[n] = '\0';
	n    = strlen(s);
	ok   = n > 0 && s[0] != '0';
	for (size_t i = 0; ok && i < n; i++) {
		ok  = s[i] >= '0' && s[i] <= '9';
		ref = ref * 10 + (uint64_t) (s[i] - '0');
		ok  = ok && ref <= NNG_MPC_PARTY_MAX;
	}
	if (mpc_tran_env_party(s, &id) == 0) {
		CHECK(ok && id == ref && id != NNG_MPC_PARTY_NONE);
	} else {
		CHECK(!ok && id == 0xDEADBEEF);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pins(data, size);
	unhex(data, size);
	env_hex(data, size, NNG_MPC_SESSION_ID_SIZE);
	env_hex(data, size, MPC_TRAN_SESSION_KEY_SIZE);
	env_party(data, size);
	return (0);
}
