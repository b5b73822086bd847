/*
 * The roster: one MPC session and its parties, as `nngmpc node` and
 * `nngmpc demo` read and write it.  A small line-based text file:
 *
 *   # comment
 *   session-id   <32 hex digits>             (16 bytes, required)
 *   session-key  <64 hex digits>             (32 bytes, required; secret:
 *                                             keep the file 0600)
 *   scheme       mpc+tls+tcp | mpc+tcp | mpc+ipc   (default mpc+tls+tcp)
 *   ca           <path to CA certificate PEM>      (TLS: required)
 *   party <id> <address> [<cert+key PEM path> [<server name>]]
 *
 * <address> is host:port for the TCP schemes, a filesystem path for
 * mpc+ipc.  Over TLS a party needs its own cert+key file (only its own line
 * must carry one); <server name> is what a dialer verifies in the peer's
 * certificate (default: the address's host).  Party IDs are 1..4294967294,
 * unique, 2..NNGMPC_ROSTER_MAX of them; addresses are unique.
 *
 * Parsing is strict: every error names the file, line and what to fix.
 * Loading (nngmpc_roster_load) also refuses a file group or others may
 * read or write, or owned by another user than this one or root, since it
 * holds the session key (files.h), and makes relative `ca` and cert+key
 * paths relative to the roster's own directory.
 */
#ifndef NNG_MPC_NNGMPC_ROSTER_H
#define NNG_MPC_NNGMPC_ROSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define NNGMPC_ROSTER_MAX 64u
#define NNGMPC_ROSTER_PATH_MAX 1024u
#define NNGMPC_ROSTER_URL_MAX (NNGMPC_ROSTER_PATH_MAX + 32u)

struct nngmpc_party {
	uint32_t id;
	char     address[NNGMPC_ROSTER_PATH_MAX];
	char     certkey[NNGMPC_ROSTER_PATH_MAX]; /* "" when not given */
	char     server_name[256];                /* "" when not given */
};

/* Digests a `pins` line may hold. */
#define NNGMPC_ROSTER_PINS_MAX 16

/* rate-msgs, rate-bytes, rate-policy, conn-rate, heartbeat */
#define NNGMPC_ROSTER_LIMITS 5
extern const char *const nngmpc_roster_limit_names[NNGMPC_ROSTER_LIMITS];

/* Node settings a configuration file (a roster with them) may carry;
 * command-line flags take precedence. */
struct nngmpc_node_conf {
	uint32_t id;                           /* 0: not given */
	char     serve[NNGMPC_ROSTER_URL_MAX]; /* "" : not given */
	unsigned serve_mode;                   /* 0: not given */
	char     metrics[256];                 /* "" : not given */
	/* The pipe filter's settings as text, in the order of
	 * nngmpc_roster_limit_names ("" : not given); `nngmpc node` checks
	 * them as it checks the flags of the same names. */
	char limits[NNGMPC_ROSTER_LIMITS][24];
	/* The sidecar's mesh: pinned peer keys (NNG_OPT_MPC_CERT_PINS,
	 * comma-separated SHA-256 digests) and parties refused
	 * (NNG_OPT_MPC_DENY_PARTIES, "1-5,9"), as text ("" : none);
	 * checked and applied at start and at each SIGHUP
	 * (sidecar_reload.h). */
	char pins[NNGMPC_ROSTER_PINS_MAX * 65];
	char deny[256];
};

struct nngmpc_roster {
	uint8_t              session_id[16];
	uint8_t              session_key[32];
	char                 scheme[16]; /* "mpc+tls+tcp", "mpc+tcp", "mpc+ipc" */
	char                 ca[NNGMPC_ROSTER_PATH_MAX];
	size_t               nparties;
	struct nngmpc_party  parties[NNGMPC_ROSTER_MAX];
	struct nngmpc_node_conf node;
};

/* Reads and checks a roster.  On error writes one message (file:line: what)
 * into err and returns false; the roster is wiped. */
bool nngmpc_roster_load(const char *path, struct nngmpc_roster *r,
    char *err, size_t errlen) __attribute__((warn_unused_result));

/* Parses roster text (the loader's work without the file); len bytes, no
 * NUL needed.  The fuzz target calls this. */
bool nngmpc_roster_parse(const char *text, size_t len, const char *name,
    struct nngmpc_roster *r, char *err, size_t errlen)
    __attribute__((warn_unused_result));

#define NNGMPC_ROSTER_FILE_MAX (64u * 1024u)

/* Writes the roster's text to f (flushed); false on a write error. */
bool nngmpc_roster_print(FILE *f, const struct nngmpc_roster *r)
    __attribute__((warn_unused_result));

/* Writes a roster file with mode 0600.  Returns false with errno set. */
bool nngmpc_roster_save(const char *path, const struct nngmpc_roster *r)
    __attribute__((warn_unused_result));

/* The party with this ID, or NULL. */
const struct nngmpc_party *nngmpc_roster_find(
    const struct nngmpc_roster *r, uint32_t id);

/* "<scheme>://<address>" (ipc: "<scheme>://<path>"); false if too long. */
bool nngmpc_roster_url(const struct nngmpc_roster *r,
    const struct nngmpc_party *p, char *url, size_t len)
    __attribute__((warn_unused_result));

bool nngmpc_roster_is_tls(const struct nngmpc_roster *r);

/* Wipes the session key. */
void nngmpc_roster_wipe(struct nngmpc_roster *r);

#endif /* NNG_MPC_NNGMPC_ROSTER_H */
