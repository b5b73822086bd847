/*
 * nngmpc roster new: a complete roster for a fresh session: a random
 * session ID and key from wolfCrypt's RNG (the same generator the TLS
 * engine uses), one party line per party with its address and, over TLS,
 * its cert+key file, written with mode 0600 before a byte of the key is
 * (a temporary file in the target directory, then linked into place, or
 * renamed over the old one with --force).  Threading: none.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/wolfcrypt/random.h>

#include "nngmpc.h"
#include "roster.h"

#define ROSTER_CMD "roster"
#define ROSTER_BASE_PORT_DEFAULT 9001u
#define ROSTER_HOST_DEFAULT "127.0.0.1"

static void
roster_usage(FILE *f)
{
	fprintf(f,
	    "Usage: nngmpc roster new --parties N --out FILE [options]\n"
	    "\n"
	    "Write a complete roster for a new session: a fresh random session\n"
	    "ID and session key, and one line per party (IDs 1..N).  The file\n"
	    "holds the session key: it is written with mode 0600; copy it to\n"
	    "every party's host the same way (scp, a secret store), never\n"
	    "through a world-readable place.\n"
	    "\n"
	    "Options:\n"
	    "  -n, --parties N      number of parties, 2..%u\n"
	    "  -o, --out FILE       the roster to write; an existing one is\n"
	    "                       not replaced without --force\n"
	    "  -s, --scheme S       mpc+tls+tcp (default), mpc+tcp or mpc+ipc\n"
	    "      --hosts H1,H2..  party i's host (name, IPv4, or [IPv6]);\n"
	    "                       one per party, or one for all (default\n"
	    "                       " ROSTER_HOST_DEFAULT ")\n"
	    "      --base-port P    party i listens on port P+i-1 (default %u;\n"
	    "                       P+N-1 at most 65535)\n"
	    "      --dir DIR        where the certificates are (mpc+tls+tcp):\n"
	    "                       ca DIR/ca.pem, party i DIR/party<i>.certkey.pem\n"
	    "                       (default: FILE's directory; written\n"
	    "                       relative when it is FILE's directory, so\n"
	    "                       the roster and its files can move together)\n"
	    "  -f, --force          replace FILE\n"
	    "  -h, --help           show this help\n"
	    "\n"
	    "mpc+ipc parties listen on FILE's directory/party<i>.ipc.\n"
	    "\n"
	    "Example (three hosts, then their certificates):\n"
	    "  nngmpc roster new --parties 3 \\\n"
	    "      --hosts node1.example,node2.example,node3.example \\\n"
	    "      --dir /etc/nngmpc --out /etc/nngmpc/roster\n"
	    "  nngmpc certs --out /etc/nngmpc --roster /etc/nngmpc/roster\n"
	    "\n"
	    "Exit status: 0 done, 1 failed, 2 bad usage.\n",
	    NNGMPC_ROSTER_MAX, ROSTER_BASE_PORT_DEFAULT);
}

struct roster_opts {
	uint32_t    parties;
	uint32_t    base_port;
	const char *out;
	const char *scheme;
	const char *hosts;
	const char *dir;
	bool        force;
};

/* Fresh session ID and key from wolfCrypt's DRBG (NIST SP 800-90A Hash_DRBG
 * seeded from the OS). */
static bool
roster_random(struct nngmpc_roster *r)
{
	WC_RNG rng;
	bool   ok;

	if (wc_InitRng(&rng) != 0) {
		return (false);
	}
	ok = wc_RNG_GenerateBlock(&rng, r->session_id,
	         sizeof(r->session_id)) == 0 &&
	    wc_RNG_GenerateBlock(&rng, r->session_key,
	        sizeof(r->session_key)) == 0;
	(void) wc_FreeRng(&rng);
	return (ok);
}

/* The directory of `out`, absolute when it exists. */
static bool
roster_out_dir(const char *out, char dir[PATH_MAX])
{
	char tmp[PATH_MAX];

	if (strlen(out) >= sizeof(tmp)) {
		return (false);
	}
	memcpy(tmp, out, strlen(out) + 1);
	return (realpath(dirname(tmp), dir) != NULL);
}

/* What the roster writes for certificate file `name` in --dir: relative
 * when --dir is the roster's own directory (relative paths start there),
 * else --dir as an absolute path. */
static bool
roster_cert_path(const struct roster_opts *o, const char *outdir,
    const char *name, char *buf, size_t len)
{
	char abs[PATH_MAX];
	int  n;

	if (o->dir == NULL) {
		n = snprintf(buf, len, "%s", name);
	} else if (realpath(o->dir, abs) != NULL) {
		n = strcmp(abs, outdir) == 0
		    ? snprintf(buf, len, "%s", name)
		    : snprintf(buf, len, "%s/%s", abs, name);
	} else if (o->dir[0] == '/') {
		n = snprintf(buf, len, "%s/%s", o->dir, name);
	} else {
		char cwd[PATH_MAX];
		if (getcwd(cwd, sizeof(cwd)) == NULL) {
			return (false);
		}
		n = snprintf(buf, len, "%s/%s/%s", cwd, o->dir, name);
	}
	return (n > 0 && (size_t) n < len);
}

/* Splits --hosts; one host repeats for every party. */
static int
roster_hosts(const struct roster_opts *o, char hosts[][256], size_t *n)
{
	char  list[NNGMPC_ROSTER_MAX * 256];
	char *save, *h;

	*n = 0;
	if (strlen(o->hosts) >= sizeof(list)) {
		return (nngmpc_usage_error(ROSTER_CMD, "--hosts is too long"));
	}
	memcpy(list, o->hosts, strlen(o->hosts) + 1);
	for (h = strtok_r(list, ",", &save); h != NULL;
	     h = strtok_r(NULL, ",", &save)) {
		if (*n == NNGMPC_ROSTER_MAX || strlen(h) >= 256 ||
		    strchr(h, ' ') != NULL) {
			return (nngmpc_usage_error(ROSTER_CMD,
			    "--hosts: at most %u hosts of at most 255 "
			    "characters, no spaces",
			    NNGMPC_ROSTER_MAX));
		}
		memcpy(hosts[*n], h, strlen(h) + 1);
		(*n)++;
	}
	if (*n != 1 && *n != o->parties) {
		return (nngmpc_usage_error(ROSTER_CMD,
		    "--hosts names %zu hosts for %u parties: give one per "
		    "party, or one for all",
		    *n, (unsigned) o->parties));
	}
	return (NNGMPC_EXIT_OK);
}

/* The roster without its secrets yet: parties, addresses, files. */
static int
roster_build(const struct roster_opts *o, struct nngmpc_roster *r)
{
	static char hosts[NNGMPC_ROSTER_MAX][256];
	char        outdir[PATH_MAX];
	size_t      nhosts;
	bool        ipc = strcmp(o->scheme, "mpc+ipc") == 0;
	int         rv;

	if (!roster_out_dir(o->out, outdir)) {
		nngmpc_error(ROSTER_CMD, "cannot use the directory of %s: %s",
		    o->out, strerror(errno));
		nngmpc_hint("create that directory first");
		return (NNGMPC_EXIT_FAIL);
	}
	if ((rv = roster_hosts(o, hosts, &nhosts)) != 0) {
		return (rv);
	}
	(void) snprintf(r->scheme, sizeof(r->scheme), "%s", o->scheme);
	if (nngmpc_roster_is_tls(r) &&
	    !roster_cert_path(o, outdir, "ca.pem", r->ca, sizeof(r->ca))) {
		nngmpc_error(ROSTER_CMD, "--dir path is too long");
		return (NNGMPC_EXIT_USAGE);
	}
	for (uint32_t i = 0; i < o->parties; i++) {
		struct nngmpc_party *p = &r->parties[i];
		char                 name[48];
		int                  n;

		p->id = i + 1;
		n     = ipc
		        ? snprintf(p->address, sizeof(p->address),
		              "%s/party%u.ipc", outdir, (unsigned) p->id)
		        : snprintf(p->address, sizeof(p->address), "%s:%u",
		              hosts[nhosts == 1 ? 0 : i],
		              (unsigned) (o->base_port + i));
		(void) snprintf(name, sizeof(name), "party%u.certkey.pem",
		    (unsigned) p->id);
		if (n < 0 || (size_t) n >= sizeof(p->address) ||
		    (nngmpc_roster_is_tls(r) &&
		        !roster_cert_path(o, outdir, name, p->certkey,
		            sizeof(p->certkey)))) {
			nngmpc_error(ROSTER_CMD, "party %u: a path is too long",
			    (unsigned) p->id);
			return (NNGMPC_EXIT_USAGE);
		}
	}
	r->nparties = o->parties;
	return (NNGMPC_EXIT_OK);
}

/* Writes r to o->out: a 0600 temporary file beside it, then linked into
 * place (or renamed over it with --force). */
static int
roster_write(const struct roster_opts *o, const struct nngmpc_roster *r)
{
	char  tmp[PATH_MAX];
	int   fd, err = 0;
	FILE *f;

	if ((size_t) snprintf(tmp, sizeof(tmp), "%s.XXXXXX", o->out) >=
	    sizeof(tmp)) {
		nngmpc_error(ROSTER_CMD, "--out path is too long");
		return (NNGMPC_EXIT_USAGE);
	}
	if ((fd = mkstemp(tmp)) < 0) { /* created 0600 */
		nngmpc_error(ROSTER_CMD, "cannot create a file beside %s: %s",
		    o->out, strerror(errno));
		return (NNGMPC_EXIT_FAIL);
	}
	if ((f = fdopen(fd, "w")) == NULL) {
		err = errno;
		close(fd);
	} else {
		if (!nngmpc_roster_print(f, r) || fsync(fd) != 0) {
			err = errno != 0 ? errno : EIO;
		}
		if (fclose(f) != 0 && err == 0) {
			err = errno;
		}
	}
	if (err == 0 && (o->force ? rename(tmp, o->out) : link(tmp, o->out)) !=
	        0) {
		err = errno;
	}
	(void) unlink(tmp); /* after link: drops the temporary name */
	if (err != 0) {
		nngmpc_error(ROSTER_CMD, "cannot write %s: %s", o->out,
		    strerror(err));
		if (err == EEXIST) {
			nngmpc_hint("it already exists; use --force to replace "
			            "it (the old session key is then lost)");
		}
		return (NNGMPC_EXIT_FAIL);
	}
	return (NNGMPC_EXIT_OK);
}

static int
roster_parse_args(int argc, char **argv, struct roster_opts *o)
{
	static const struct option longopts[] = {
		{ "parties", required_argument, NULL, 'n' },
		{ "out", required_argument, NULL, 'o' },
		{ "scheme", required_argument, NULL, 's' },
		{ "hosts", required_argument, NULL, 'H' },
		{ "base-port", required_argument, NULL, 'p' },
		{ "dir", required_argument, NULL, 'd' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	opterr = 0;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "+:n:o:s:fh", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'n':
			if (!nngmpc_parse_u32(optarg, 2, NNGMPC_ROSTER_MAX,
			        &o->parties)) {
				return (nngmpc_usage_error(ROSTER_CMD,
				    "--parties '%s': expected a number 2..%u",
				    optarg, NNGMPC_ROSTER_MAX));
			}
			break;
		case 'o':
			o->out = optarg;
			break;
		case 's':
			if (strcmp(optarg, "mpc+tls+tcp") != 0 &&
			    strcmp(optarg, "mpc+tcp") != 0 &&
			    strcmp(optarg, "mpc+ipc") != 0) {
				return (nngmpc_usage_error(ROSTER_CMD,
				    "--scheme '%s': expected mpc+tls+tcp, "
				    "mpc+tcp or mpc+ipc",
				    optarg));
			}
			o->scheme = optarg;
			break;
		case 'H':
			o->hosts = optarg;
			break;
		case 'p':
			if (!nngmpc_parse_u32(optarg, 1, 65535, &o->base_port)) {
				return (nngmpc_usage_error(ROSTER_CMD,
				    "--base-port '%s': expected a port "
				    "1..65535",
				    optarg));
			}
			break;
		case 'd':
			o->dir = optarg;
			break;
		case 'f':
			o->force = true;
			break;
		case 'h':
			roster_usage(stdout);
			return (-1);
		case ':':
			return (nngmpc_usage_error(ROSTER_CMD,
			    "option '%s' needs a value", argv[optind - 1]));
		default:
			return (nngmpc_usage_error(ROSTER_CMD,
			    "unknown option '%s'", argv[optind - 1]));
		}
	}
	if (optind < argc) {
		return (nngmpc_usage_error(
		    ROSTER_CMD, "unexpected argument '%s'", argv[optind]));
	}
	if (o->parties == 0 || o->out == NULL || o->out[0] == '\0') {
		return (nngmpc_usage_error(ROSTER_CMD,
		    "--parties N and --out FILE are required"));
	}
	if (o->base_port + o->parties - 1 > 65535) {
		return (nngmpc_usage_error(ROSTER_CMD,
		    "--base-port %u with %u parties goes past port 65535",
		    (unsigned) o->base_port, (unsigned) o->parties));
	}
	if (o->dir != NULL && strcmp(o->scheme, "mpc+tls+tcp") != 0) {
		return (nngmpc_usage_error(ROSTER_CMD,
		    "--dir names certificates, which only mpc+tls+tcp uses"));
	}
	return (NNGMPC_EXIT_OK);
}

static int
roster_run(int argc, char **argv)
{
	struct roster_opts    o = { .base_port = ROSTER_BASE_PORT_DEFAULT,
		   .scheme = "mpc+tls+tcp", .hosts = ROSTER_HOST_DEFAULT };
	struct nngmpc_roster *r;
	int                   rv;

	if (argc < 2 || strcmp(argv[1], "new") != 0) {
		if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
		                     strcmp(argv[1], "-h") == 0)) {
			roster_usage(stdout);
			return (NNGMPC_EXIT_OK);
		}
		return (nngmpc_usage_error(ROSTER_CMD,
		    "expected 'nngmpc roster new ...'"));
	}
	if ((rv = roster_parse_args(argc - 1, argv + 1, &o)) != 0) {
		return (rv < 0 ? NNGMPC_EXIT_OK : rv);
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		nngmpc_error(ROSTER_CMD, "out of memory");
		return (NNGMPC_EXIT_FAIL);
	}
	if ((rv = roster_build(&o, r)) != 0) {
		goto out;
	}
	if (!roster_random(r)) {
		nngmpc_error(ROSTER_CMD, "the random number generator failed");
		rv = NNGMPC_EXIT_FAIL;
		goto out;
	}
	if ((rv = roster_write(&o, r)) != 0) {
		goto out;
	}
	printf("wrote %s (mode 0600; it holds the session key): %u parties "
	       "over %s\n",
	    o.out, (unsigned) o.parties, o.scheme);
	if (nngmpc_roster_is_tls(r)) {
		char d[PATH_MAX];
		(void) snprintf(d, sizeof(d), "%s", o.out);
		printf("next: nngmpc certs --out %s --roster %s\n",
		    o.dir != NULL ? o.dir : dirname(d), o.out);
	}
	printf("then, on each party's host: nngmpc node --roster %s --id ID\n",
	    o.out);
out:
	nngmpc_roster_wipe(r);
	free(r);
	return (rv);
}

const struct nngmpc_cmd nngmpc_cmd_roster = {
	.name    = "roster",
	.summary = "write a roster with a fresh session ID and key",
	.run     = roster_run,
};
