/*
 * The roster parser (plugin/nngmpc/roster.c): a table of malformed rosters,
 * each with the exact message it must produce, and a save/load round trip.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "roster.h"

#define SID "00112233445566778899aabbccddeeff"
#define KEY "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define HEAD "session-id " SID "\nsession-key " KEY "\n"
#define TCP2 "scheme mpc+tcp\nparty 1 h:1\nparty 2 h:2\n"

struct bad {
	const char *text;
	const char *error; /* the whole message after "<name>:" */
};

static const struct bad bad_rosters[] = {
	{ "", "r: no session-id line (32 hex digits): add 'session-id <32 hex "
	    "digits>', the same on every party (nngmpc roster new writes a "
	    "complete roster)" },
	{ "session-id " SID "\n" TCP2,
	    "r: no session-key line (64 hex digits): add 'session-key <64 hex "
	    "digits>', the same on every party (nngmpc roster new writes a "
	    "complete roster)" },
	{ "session-id 0011\n", "r:1: session-id: expected one value of 32 hex digits, once" },
	{ "session-id " SID "\nsession-id " SID "\n",
	    "r:2: session-id: expected one value of 32 hex digits, once" },
	{ "session-id " SID "zz\n",
	    "r:1: session-id: expected one value of 32 hex digits, once" },
	{ "session-key " KEY "0\n",
	    "r:1: session-key: expected one value of 64 hex digits, once" },
	{ HEAD "scheme tcp\n",
	    "r:3: scheme: expected mpc+tls+tcp, mpc+tcp or mpc+ipc" },
	{ HEAD "party 1\n",
	    "r:3: party: expected 'party <id> <address> [<cert+key file> "
	    "[<server name>]]'" },
	{ HEAD "party 0 h:1\n",
	    "r:3: party: '0' is not a party ID 1..4294967294 (decimal, no "
	    "leading zeros)" },
	{ HEAD "party 01 h:1\n",
	    "r:3: party: '01' is not a party ID 1..4294967294 (decimal, no "
	    "leading zeros)" },
	{ HEAD "party 1-evil h:1\n",
	    "r:3: party: '1-evil' is not a party ID 1..4294967294 (decimal, "
	    "no leading zeros)" },
	{ HEAD "party 4294967295 h:1\n",
	    "r:3: party: '4294967295' is not a party ID 1..4294967294 "
	    "(decimal, no leading zeros)" },
	{ HEAD "party 1 h:1\nparty 1 h:2\n", "r:4: party 1 is listed twice" },
	{ HEAD "frobnicate 1\n",
	    "r:3: unknown keyword 'frobnicate' (expected session-id, "
	    "session-key, scheme, ca, party, or the node settings id, serve, "
	    "serve-mode, metrics, rate-msgs, rate-bytes, rate-policy, "
	    "conn-rate, heartbeat, pins, deny-parties)" },
	{ HEAD "heartbeat\n", "r:3: heartbeat: expected one value" },
	{ HEAD "pins aa bb\n",
	    "r:3: pins: expected one list of SHA-256 digests (64 hex digits "
	    "each, comma-separated, at most 16)" },
	{ HEAD "deny-parties\n",
	    "r:3: deny-parties: expected one list of party IDs and ranges "
	    "(e.g. 3,7-9)" },
	{ HEAD "serve-mode 0999\n",
	    "r:3: serve-mode: expected octal permissions 1..0777 (e.g. 0660)" },
	{ HEAD "id 0\n",
	    "r:3: id: expected one party ID 1..4294967294" },
	{ HEAD "scheme mpc+tcp\nparty 1 h:1\n",
	    "r: a session needs at least 2 party lines, found 1: add 'party "
	    "<id> <address> [<cert+key file> [<server name>]]' per party" },
	{ HEAD "party 1 h:1\nparty 2 h:2\n",
	    "r: scheme mpc+tls+tcp needs a 'ca <path>' line naming the CA "
	    "certificate (ca.pem from nngmpc certs), or a 'scheme mpc+tcp' "
	    "line for no TLS" },
	{ HEAD "scheme mpc+tcp\nparty 1 h:1\nparty 2 h:1\n",
	    "r: parties 1 and 2 share the address h:1: give each party its "
	    "own" },
	{ HEAD "scheme mpc+tcp\nparty 1 h:1\nparty 2 h\n",
	    "r: party 2: address 'h' is not host:port (port 1..65535; [v6 "
	    "address]:port for IPv6)" },
	{ HEAD "scheme mpc+tcp\nparty 1 h:1\nparty 2 h:65536\n",
	    "r: party 2: address 'h:65536' is not host:port (port 1..65535; "
	    "[v6 address]:port for IPv6)" },
	{ HEAD "party 1 a b c d e\n", "r:3: too many fields" },
};

static void
test_roster_rejects(void **state)
{
	(void) state;
	for (size_t i = 0; i < sizeof(bad_rosters) / sizeof(bad_rosters[0]);
	     i++) {
		struct nngmpc_roster r;
		char                 err[512];

		memset(&r, 0xA5, sizeof(r));
		assert_false(nngmpc_roster_parse(bad_rosters[i].text,
		    strlen(bad_rosters[i].text), "r", &r, err, sizeof(err)));
		if (strcmp(err, bad_rosters[i].error) != 0) {
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, err,
			    bad_rosters[i].error);
		}
		/* Nothing of a rejected roster survives, the key least. */
		for (size_t k = 0; k < sizeof(r.session_key); k++) {
			assert_int_equal(r.session_key[k], 0);
		}
		assert_int_equal(r.nparties, 0);
	}
}

static void
test_roster_limits(void **state)
{
	struct nngmpc_roster r;
	char                 err[512];
	char                *big = malloc(NNGMPC_ROSTER_FILE_MAX + 2);
	char                 nul[] = HEAD "scheme mpc+tcp\0\n";

	(void) state;
	assert_non_null(big);
	memset(big, '#', NNGMPC_ROSTER_FILE_MAX + 1);
	assert_false(nngmpc_roster_parse(
	    big, NNGMPC_ROSTER_FILE_MAX + 1, "r", &r, err, sizeof(err)));
	assert_string_equal(err, "r: larger than 65536 bytes");
	memset(big, 'x', 3000);
	assert_false(nngmpc_roster_parse(big, 3000, "r", &r, err, sizeof(err)));
	assert_string_equal(err, "r:1: line longer than 2047 bytes");
	free(big);
	assert_false(nngmpc_roster_parse(
	    nul, sizeof(nul) - 1, "r", &r, err, sizeof(err)));
	assert_string_equal(err, "r:3: NUL byte in line");
}

static void
test_roster_round_trip(void **state)
{
	static const char text[] =
	    "# a comment\n"
	    HEAD
	    "  scheme   mpc+tls+tcp   # trailing comment\n"
	    "ca /etc/ca.pem\n"
	    "\n"
	    "party 7 10.0.0.7:9007 /k/party7.pem node7.example\n"
	    "party 4294967294 [::1]:9008 /k/partyMAX.pem\n"
	    "party 2 h:2\n";
	struct nngmpc_roster r, back;
	char                 err[512], path[] = "/tmp/roster-rt-XXXXXX";
	char                 url[NNGMPC_ROSTER_URL_MAX];
	struct stat          st;
	int                  fd;

	(void) state;
	assert_true(nngmpc_roster_parse(text, strlen(text), "r", &r, err,
	    sizeof(err)));
	assert_int_equal(r.nparties, 3);
	assert_string_equal(r.scheme, "mpc+tls+tcp");
	assert_string_equal(r.ca, "/etc/ca.pem");
	assert_int_equal(r.session_id[0], 0x00);
	assert_int_equal(r.session_id[15], 0xff);
	assert_int_equal(r.session_key[31], 0x1f);
	assert_non_null(nngmpc_roster_find(&r, 4294967294u));
	assert_null(nngmpc_roster_find(&r, 3));
	assert_string_equal(nngmpc_roster_find(&r, 7)->server_name,
	    "node7.example");
	assert_true(nngmpc_roster_url(&r, nngmpc_roster_find(&r, 7), url,
	    sizeof(url)));
	assert_string_equal(url, "mpc+tls+tcp://10.0.0.7:9007");

	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_true(nngmpc_roster_save(path, &r));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600); /* it holds the key */
	assert_true(nngmpc_roster_load(path, &back, err, sizeof(err)));
	assert_memory_equal(&r, &back, sizeof(r));
	unlink(path);
	assert_false(nngmpc_roster_load(path, &back, err, sizeof(err)));
	assert_non_null(strstr(err, "cannot open: No such file"));
	nngmpc_roster_wipe(&r);
	nngmpc_roster_wipe(&back);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roster_rejects),
		cmocka_unit_test(test_roster_limits),
		cmocka_unit_test(test_roster_round_trip),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
