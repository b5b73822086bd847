/*
 * nngmpc: the nng-mpc command-line tool.  Shared declarations for the
 * subcommand table (main.c), the subcommands (cmd_*.c) and the helpers in
 * cli.c.  Threading: single-threaded front end; a subcommand may start its
 * own threads or processes.
 */
#ifndef NNG_MPC_NNGMPC_H
#define NNG_MPC_NNGMPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit status of every subcommand. */
enum nngmpc_exit {
	NNGMPC_EXIT_OK    = 0, /* done */
	NNGMPC_EXIT_FAIL  = 1, /* the work failed; stderr says why */
	NNGMPC_EXIT_USAGE = 2, /* bad command line; stderr says which part */
};

struct nngmpc_cmd {
	const char *name;    /* as typed: `nngmpc <name>` */
	const char *summary; /* one line for `nngmpc --help` */
	/* argv[0] is the subcommand name; returns an nngmpc_exit value.
	 * Handles --help itself. */
	int (*run)(int argc, char **argv);
};

#define NNGMPC_COMMAND(n) extern const struct nngmpc_cmd nngmpc_cmd_##n;
#include "commands.def"
#undef NNGMPC_COMMAND

/* --- cli.c: helpers every subcommand uses ------------------------------- */

/* Strict decimal: digits only, no sign, no leading zeros, no spaces, within
 * [min, max].  Returns false (and leaves *out alone) otherwise. */
bool nngmpc_parse_u32(const char *s, uint32_t min, uint32_t max,
    uint32_t *out) __attribute__((warn_unused_result));

/* Milliseconds of CLOCK_MONOTONIC: for deadlines and schedules. */
uint64_t nngmpc_now_ms(void);

/* Wipes memory that held a secret (a write the compiler keeps). */
void nngmpc_secure_zero(void *p, size_t n);

/* Removes a directory tree the tool made (a temporary one); best effort. */
void nngmpc_rmtree(const char *dir);

/* "nngmpc <cmd>: error: <message>" on stderr. */
void nngmpc_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* "  hint: <message>" on stderr, after nngmpc_error. */
void nngmpc_hint(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A usage error plus the pointer to --help; returns NNGMPC_EXIT_USAGE. */
int nngmpc_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* --- cmd_certs.c: also callable by other subcommands (e.g. a demo that
 * makes certificates in a temporary directory). ------------------------- */
struct nngmpc_names; /* certs_names.h */
struct nngmpc_certs_party {
	uint32_t                   id;
	const struct nngmpc_names *names; /* NULL/empty: localhost, 127.0.0.1 */
};
struct nngmpc_certs_opts {
	const char *out;      /* directory; created (0700) if missing */
	uint32_t    parties;  /* 1..NNGMPC_CERTS_PARTIES_MAX */
	uint32_t    first_id; /* first party ID */
	/* DNS/IP subjectAltNames of every party in the range; NULL or empty:
	 * localhost and 127.0.0.1. */
	const struct nngmpc_names *names;
	/* When nlist > 0: exactly these parties, each with its own names,
	 * instead of the range first_id..first_id+parties-1. */
	const struct nngmpc_certs_party *list;
	size_t                           nlist;
	uint32_t    days;     /* party validity */
	uint32_t    ca_days;  /* validity of a new CA */
	bool        force;    /* replace existing files and the CA */
	FILE       *log;      /* progress lines; NULL for none */
};
#define NNGMPC_CERTS_PARTIES_MAX 1024u
/* --party options, and parties taken from a roster (its maximum). */
#define NNGMPC_CERTS_LIST_MAX 64u

/* Does the work of `nngmpc certs`; errors go to stderr.  Returns an
 * nngmpc_exit value. */
int nngmpc_certs_make(const struct nngmpc_certs_opts *o)
    __attribute__((warn_unused_result));

#endif /* NNG_MPC_NNGMPC_H */
