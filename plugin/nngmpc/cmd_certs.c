/*
 * nngmpc certs: a CA and party certificates for mpc+tls+tcp:// (and NNG's
 * tls+tcp://), made with wolfSSL's certificate generation (mpc_certgen).
 *
 * Files are written atomically: into a temporary file in the target
 * directory (mode set before any byte is written), then linked into place
 * (refusing to replace, so a file that appeared meanwhile is not lost) or,
 * with --force, renamed over the old one.  Everything is generated in
 * memory before the first file is written, so a crypto failure leaves the
 * directory as it was.  Threading: none.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "certs_io.h"
#include "certs_names.h"
#include "certs_sign.h"
#include "mpc_certgen.h"
#include "nngmpc.h"
#include "roster.h"

#define CERTS_CMD "certs"
#define CERTS_MODE_PUBLIC 0644
#define CERTS_MODE_SECRET 0600
#define CERTS_DIR_MODE 0700

static void
certs_usage(FILE *f)
{
	fprintf(f,
	    "Usage: nngmpc certs --out DIR --parties N [options]\n"
	    "       nngmpc certs --out DIR --party ID [--dns NAME] [--ip ADDR]\n"
	    "                    [--party ID ...] [options]\n"
	    "       nngmpc certs --out DIR --roster FILE [options]\n"
	    "       nngmpc certs sign --csr FILE --id ID --out FILE [options]\n"
	    "                    (see nngmpc certs sign --help)\n"
	    "\n"
	    "Create a CA and party certificates (ECDSA P-256, made with\n"
	    "wolfSSL) for mutually authenticated mpc+tls+tcp:// and tls+tcp://.\n"
	    "\n"
	    "Which parties (one way):\n"
	    "  -n, --parties N    N parties, IDs K..K+N-1 (--first-id K), 1..%u\n"
	    "      --party ID     this party (repeatable); --dns and --ip after\n"
	    "                     it are its own names\n"
	    "      --roster FILE  every party of a roster, each named by its\n"
	    "                     line's server name, else its address's host\n"
	    "                     (a DNS name or an IP address)\n"
	    "\n"
	    "Options:\n"
	    "  -o, --out DIR      directory to write to; created (mode 0700) if\n"
	    "                     missing, its parent must exist\n"
	    "      --first-id K   first party ID with --parties (default 1),\n"
	    "                     within %u..%u\n"
	    "      --dns NAME     a DNS name the parties are reached by\n"
	    "                     (repeatable, at most %u; before any --party:\n"
	    "                     every party's)\n"
	    "      --ip ADDR      an IPv4/IPv6 address, likewise\n"
	    "      --days D       party certificate validity in days\n"
	    "                     (default %u, at most the CA's remaining)\n"
	    "      --ca-days D    validity of a new CA in days (default %u)\n"
	    "  -f, --force        replace existing files, and make a new CA even\n"
	    "                     if DIR has one\n"
	    "  -h, --help         show this help\n"
	    "\n"
	    "Files (keys are unencrypted PKCS#8 PEM, mode 0600):\n"
	    "  DIR/ca.pem  DIR/ca.key            the CA certificate and key\n"
	    "  DIR/party<ID>.pem                 party certificate\n"
	    "  DIR/party<ID>.key                 party private key\n"
	    "  DIR/party<ID>.certkey.pem         certificate then key in one\n"
	    "                                    file, for NNG_OPT_TLS_CERT_KEY_FILE\n"
	    "\n"
	    "If DIR already holds ca.pem and ca.key (made by this command), that\n"
	    "CA is reused, so parties can be added later without touching the\n"
	    "others:  nngmpc certs --out DIR --parties 2 --first-id 4\n"
	    "Existing files are never replaced without --force.  --force with an\n"
	    "existing CA makes a new CA: certificates from the old one will no\n"
	    "longer verify against the new ca.pem.\n"
	    "\n"
	    "Certificate convention: a party certificate names its party ID in\n"
	    "exactly one URI subjectAltName, mpc://party/<ID> (decimal, no\n"
	    "leading zeros), then the DNS names and IP addresses given (with\n"
	    "none: DNS:localhost and IP:127.0.0.1); it has CN party-<ID>, O\n"
	    "nng-mpc, and allows TLS server and client auth.  Validity starts\n"
	    "one hour before now (clock skew).\n"
	    "\n"
	    "Examples:\n"
	    "  nngmpc certs --out ./certs --parties 3\n"
	    "  nngmpc certs --out ./certs --party 1 --dns node1.example \\\n"
	    "      --ip 10.0.0.1 --party 2 --dns node2.example --ip 10.0.0.2\n"
	    "  nngmpc certs --out /etc/nngmpc --roster /etc/nngmpc/roster\n"
	    "  then, for party 2: NNG_OPT_TLS_CA_FILE ./certs/ca.pem and\n"
	    "  NNG_OPT_TLS_CERT_KEY_FILE ./certs/party2.certkey.pem, or\n"
	    "  nngcat --cacert ./certs/ca.pem --cert ./certs/party2.pem\n"
	    "         --key ./certs/party2.key ...\n"
	    "\n"
	    "Exit status: 0 done, 1 failed, 2 bad usage.\n",
	    NNGMPC_CERTS_PARTIES_MAX, MPC_CERTGEN_PARTY_ID_MIN,
	    MPC_CERTGEN_PARTY_ID_MAX, MPC_CERTGEN_NAMES_MAX,
	    MPC_CERTGEN_PARTY_DAYS_DEFAULT, MPC_CERTGEN_CA_DAYS_DEFAULT);
}

static void
certs_path(char *buf, size_t len, const char *dir, const char *name)
{
	(void) snprintf(buf, len, "%s/%s", dir, name);
}

static bool
certs_exists(const char *dir, const char *name)
{
	char        path[PATH_MAX];
	struct stat st;

	certs_path(path, sizeof(path), dir, name);
	return (lstat(path, &st) == 0);
}

static void
certs_party_names(uint32_t id, char pem[32], char key[32], char ck[40])
{
	(void) snprintf(pem, 32, "party%u.pem", (unsigned) id);
	(void) snprintf(key, 32, "party%u.key", (unsigned) id);
	(void) snprintf(ck, 40, "party%u.certkey.pem", (unsigned) id);
}

static void
certs_date(time_t t, char buf[32])
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, 32, "%Y-%m-%d %H:%M UTC", &tm) == 0) {
		(void) snprintf(buf, 32, "(unknown)");
	}
}

/* The output directory exists (or is created), is a directory, and is
 * writable. */
static int
certs_prepare_dir(const char *dir)
{
	struct stat st;

	if (strlen(dir) + 48 >= PATH_MAX) {
		nngmpc_error(CERTS_CMD, "--out path is too long");
		return (-1);
	}
	if (stat(dir, &st) != 0) {
		if (errno != ENOENT) {
			nngmpc_error(CERTS_CMD, "cannot use %s: %s", dir,
			    strerror(errno));
			return (-1);
		}
		if (mkdir(dir, CERTS_DIR_MODE) != 0) {
			int e = errno;
			nngmpc_error(CERTS_CMD, "cannot create directory %s: %s",
			    dir, strerror(e));
			if (e == ENOENT) {
				nngmpc_hint("its parent directory does not "
				            "exist; create it first");
			}
			return (-1);
		}
		return (0);
	}
	if (!S_ISDIR(st.st_mode)) {
		nngmpc_error(CERTS_CMD, "%s exists and is not a directory", dir);
		nngmpc_hint("choose another --out");
		return (-1);
	}
	if (access(dir, W_OK | X_OK) != 0) {
		nngmpc_error(CERTS_CMD, "directory %s is not writable: %s", dir,
		    strerror(errno));
		nngmpc_hint("choose another --out, or fix its permissions");
		return (-1);
	}
	return (0);
}

/* The parties to make: the --party/--roster list, or the range. */
static size_t
certs_count(const struct nngmpc_certs_opts *o)
{
	return (o->nlist > 0 ? o->nlist : o->parties);
}

static uint32_t
certs_id(const struct nngmpc_certs_opts *o, size_t i)
{
	return (o->nlist > 0 ? o->list[i].id : o->first_id + (uint32_t) i);
}

/* NULL (localhost and 127.0.0.1) when no name was asked for. */
static const struct nngmpc_names *
certs_names(const struct nngmpc_certs_opts *o, size_t i)
{
	const struct nngmpc_names *n =
	    o->nlist > 0 ? o->list[i].names : o->names;

	return (n != NULL && !nngmpc_names_empty(n) ? n : NULL);
}

/* Without --force: no party file may exist; the CA is reused when both of
 * its files exist and refused when only one does.  *reuse_ca says which. */
static int
certs_check_existing(const struct nngmpc_certs_opts *o, bool *reuse_ca)
{
	bool     have_pem = certs_exists(o->out, "ca.pem");
	bool     have_key = certs_exists(o->out, "ca.key");
	char     pem[32], key[32], ck[40];
	size_t   i;

	*reuse_ca = false;
	if (o->force) {
		return (0);
	}
	if (have_pem != have_key) {
		nngmpc_error(CERTS_CMD, "%s/%s exists but %s/%s does not",
		    o->out, have_pem ? "ca.pem" : "ca.key", o->out,
		    have_pem ? "ca.key" : "ca.pem");
		nngmpc_hint("restore the missing file to add parties to that "
		            "CA, or use --force to make a new CA");
		return (-1);
	}
	*reuse_ca = have_pem && have_key;
	for (i = 0; i < certs_count(o); i++) {
		const char *names[3];
		size_t      j;

		certs_party_names(certs_id(o, i), pem, key, ck);
		names[0] = pem;
		names[1] = key;
		names[2] = ck;
		for (j = 0; j < 3; j++) {
			if (certs_exists(o->out, names[j])) {
				nngmpc_error(CERTS_CMD,
				    "%s/%s already exists; not replacing it",
				    o->out, names[j]);
				nngmpc_hint("use --force to replace it, or "
				            "--first-id to add new party IDs");
				return (-1);
			}
		}
	}
	return (0);
}

static int
certs_write_ca(const struct nngmpc_certs_opts *o, const mpc_certgen_pem *ca)
{
	const char *p[1];
	size_t      n[1];

	/* Key first: a ca.pem without its key would block the next run. */
	p[0] = ca->key;
	n[0] = ca->key_len;
	if (nngmpc_certs_write(CERTS_CMD, o->out, "ca.key", p, n, 1, CERTS_MODE_SECRET,
	        o->force) != 0) {
		return (-1);
	}
	p[0] = ca->cert;
	n[0] = ca->cert_len;
	return (nngmpc_certs_write(CERTS_CMD,
	    o->out, "ca.pem", p, n, 1, CERTS_MODE_PUBLIC, o->force));
}

static int
certs_write_party(const struct nngmpc_certs_opts *o, size_t i,
    const mpc_certgen_pem *pp)
{
	uint32_t    id = certs_id(o, i);
	char        names[1024];
	char        pem[32], key[32], ck[40];
	const char *p[2] = { pp->cert, pp->key };
	size_t      n[2] = { pp->cert_len, pp->key_len };

	certs_party_names(id, pem, key, ck);
	if (nngmpc_certs_write(CERTS_CMD, o->out, key, &p[1], &n[1], 1,
	        CERTS_MODE_SECRET, o->force) != 0 ||
	    nngmpc_certs_write(CERTS_CMD, o->out, pem, &p[0], &n[0], 1,
	        CERTS_MODE_PUBLIC, o->force) != 0 ||
	    nngmpc_certs_write(CERTS_CMD, o->out, ck, p, n, 2,
	        CERTS_MODE_SECRET, o->force) != 0) {
		return (-1);
	}
	if (o->log != NULL) {
		if (certs_names(o, i) != NULL) {
			nngmpc_names_format(certs_names(o, i), names,
			    sizeof(names));
		} else {
			(void) snprintf(names, sizeof(names),
			    "localhost, 127.0.0.1");
		}
		fprintf(o->log, "party %u: %s/%s  %s/%s  %s/%s  (%s)\n",
		    (unsigned) id, o->out, pem, o->out, key, o->out, ck, names);
	}
	return (0);
}

int
nngmpc_certs_make(const struct nngmpc_certs_opts *o)
{
	mpc_certgen_ca  *ca = NULL;
	mpc_certgen_pem  ca_pem;
	mpc_certgen_pem *parties = NULL;
	bool             reuse_ca;
	time_t           now = time(NULL);
	time_t           not_after;
	char             date[32];
	size_t           i;
	int              err;
	int              rv = NNGMPC_EXIT_FAIL;

	memset(&ca_pem, 0, sizeof(ca_pem));
	/* A new CA (--force, or none in DIR) must outlive its parties; say so
	 * before anything is created. */
	if ((o->force || !certs_exists(o->out, "ca.pem")) &&
	    o->days > o->ca_days) {
		return (nngmpc_usage_error(CERTS_CMD,
		    "--days %u: party certificates would outlive the new CA "
		    "(--ca-days %u)",
		    (unsigned) o->days, (unsigned) o->ca_days));
	}
	if (certs_prepare_dir(o->out) != 0 ||
	    certs_check_existing(o, &reuse_ca) != 0) {
		goto out;
	}
	if (reuse_ca) {
		if (nngmpc_certs_load_ca(CERTS_CMD, o->out, now, &ca) != 0) {
			goto out;
		}
	} else if ((err = mpc_certgen_ca_create(&ca, o->ca_days, now,
	                &ca_pem)) != MPC_CERTGEN_OK) {
		nngmpc_error(CERTS_CMD, "cannot create the CA: %s",
		    mpc_certgen_strerror(err));
		goto out;
	}
	not_after = mpc_certgen_ca_not_after(ca);
	certs_date(not_after, date);
	if (now + (time_t) o->days * 86400 > not_after) {
		nngmpc_error(CERTS_CMD,
		    "--days %u: party certificates would outlive the CA, "
		    "which expires %s",
		    (unsigned) o->days, date);
		nngmpc_hint("use a smaller --days, or --force with a larger "
		            "--ca-days to make a new CA");
		goto out;
	}
	if ((parties = calloc(certs_count(o), sizeof(*parties))) == NULL) {
		nngmpc_error(CERTS_CMD, "out of memory");
		goto out;
	}
	for (i = 0; i < certs_count(o); i++) {
		const struct nngmpc_names *names = certs_names(o, i);

		err = mpc_certgen_party_names(ca, certs_id(o, i), o->days, now,
		    names != NULL ? &names->cg : NULL, &parties[i]);
		if (err != MPC_CERTGEN_OK) {
			nngmpc_error(CERTS_CMD,
			    "cannot create the certificate for party %u: %s",
			    (unsigned) certs_id(o, i),
			    mpc_certgen_strerror(err));
			goto out;
		}
	}
	if (reuse_ca) {
		if (o->log != NULL) {
			fprintf(o->log, "CA: reusing %s/ca.pem (expires %s)\n",
			    o->out, date);
		}
	} else {
		if (certs_write_ca(o, &ca_pem) != 0) {
			goto out;
		}
		if (o->log != NULL) {
			fprintf(o->log,
			    "CA: created %s/ca.pem  %s/ca.key (expires %s)\n",
			    o->out, o->out, date);
		}
	}
	for (i = 0; i < certs_count(o); i++) {
		if (certs_write_party(o, i, &parties[i]) != 0) {
			goto out;
		}
	}
	if (o->log != NULL && o->nlist > 0) {
		fprintf(o->log, "%zu party certificate%s, valid %u days.\n",
		    o->nlist, o->nlist == 1 ? "" : "s", (unsigned) o->days);
	} else if (o->log != NULL) {
		fprintf(o->log,
		    "%u party certificate%s (IDs %u..%u), valid %u days.\n",
		    (unsigned) o->parties, o->parties == 1 ? "" : "s",
		    (unsigned) o->first_id,
		    (unsigned) (o->first_id + o->parties - 1),
		    (unsigned) o->days);
	}
	rv = NNGMPC_EXIT_OK;
out:
	if (parties != NULL) {
		for (i = 0; i < certs_count(o); i++) {
			mpc_certgen_pem_free(&parties[i]);
		}
		free(parties);
	}
	mpc_certgen_pem_free(&ca_pem);
	mpc_certgen_ca_free(ca);
	return (rv);
}

enum {
	CERTS_OPT_FIRST_ID = 256,
	CERTS_OPT_DAYS,
	CERTS_OPT_CA_DAYS,
	CERTS_OPT_DNS,
	CERTS_OPT_IP,
	CERTS_OPT_PARTY,
	CERTS_OPT_ROSTER,
};

/* What the command line asks for besides nngmpc_certs_opts: names for
 * every party (before any --party), and the --party list with its own. */
struct certs_cli {
	struct nngmpc_names       common;
	struct nngmpc_names       names[NNGMPC_CERTS_LIST_MAX];
	struct nngmpc_certs_party list[NNGMPC_CERTS_LIST_MAX];
	size_t                    nlist;
	const char               *roster;
};

/* --dns / --ip: for the last --party, or every party before any. */
static int
certs_cli_name(struct certs_cli *c, int opt, const char *value)
{
	struct nngmpc_names *n = c->nlist > 0 ? &c->names[c->nlist - 1]
	                                      : &c->common;
	char err[512];

	if (!(opt == CERTS_OPT_DNS ? nngmpc_names_add_dns(n, value, err,
	                                 sizeof(err))
	                           : nngmpc_names_add_ip(n, value, err,
	                                 sizeof(err)))) {
		return (nngmpc_usage_error(CERTS_CMD, "%s %s",
		    opt == CERTS_OPT_DNS ? "--dns" : "--ip", err));
	}
	return (NNGMPC_EXIT_OK);
}

static int
certs_cli_party(struct certs_cli *c, const char *value)
{
	uint32_t id;

	if (!nngmpc_parse_u32(value, MPC_CERTGEN_PARTY_ID_MIN,
	        MPC_CERTGEN_PARTY_ID_MAX, &id)) {
		return (nngmpc_usage_error(CERTS_CMD,
		    "--party '%s': expected a party ID %u..%u (decimal, no "
		    "leading zeros)",
		    value, MPC_CERTGEN_PARTY_ID_MIN, MPC_CERTGEN_PARTY_ID_MAX));
	}
	for (size_t i = 0; i < c->nlist; i++) {
		if (c->list[i].id == id) {
			return (nngmpc_usage_error(CERTS_CMD,
			    "--party %u is given twice", (unsigned) id));
		}
	}
	if (c->nlist == NNGMPC_CERTS_LIST_MAX) {
		return (nngmpc_usage_error(CERTS_CMD,
		    "more than %u --party options", NNGMPC_CERTS_LIST_MAX));
	}
	c->list[c->nlist].id    = id;
	c->list[c->nlist].names = &c->names[c->nlist];
	c->nlist++;
	return (NNGMPC_EXIT_OK);
}

/* One party per roster line, named as the others reach it: its server
 * name if the line has one, else its address's host. */
static int
certs_cli_roster(struct certs_cli *c)
{
	struct nngmpc_roster *r;
	char                  err[NNGMPC_ROSTER_PATH_MAX + 512];
	int                   rv = NNGMPC_EXIT_FAIL;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		nngmpc_error(CERTS_CMD, "out of memory");
		return (NNGMPC_EXIT_FAIL);
	}
	if (!nngmpc_roster_load(c->roster, r, err, sizeof(err))) {
		nngmpc_error(CERTS_CMD, "roster %s", err);
		goto out;
	}
	for (size_t i = 0; i < r->nparties; i++) {
		const struct nngmpc_party *p = &r->parties[i];
		struct nngmpc_names       *n = &c->names[i];
		char                       host[NNGMPC_ROSTER_PATH_MAX];
		char                      *colon;

		c->list[i].id    = p->id;
		c->list[i].names = n;
		(void) snprintf(host, sizeof(host), "%s",
		    p->server_name[0] != '\0' ? p->server_name : p->address);
		if (p->server_name[0] == '\0' &&
		    (colon = strrchr(host, ':')) != NULL &&
		    strcmp(r->scheme, "mpc+ipc") != 0) {
			*colon = '\0';
		}
		if (strcmp(r->scheme, "mpc+ipc") != 0 &&
		    !nngmpc_names_add_host(n, host, err, sizeof(err))) {
			nngmpc_error(CERTS_CMD, "roster %s: party %u: %s",
			    c->roster, (unsigned) p->id, err);
			goto out;
		}
	}
	c->nlist = r->nparties;
	rv       = NNGMPC_EXIT_OK;
out:
	nngmpc_roster_wipe(r);
	free(r);
	return (rv);
}

static int
certs_parse(int argc, char **argv, struct nngmpc_certs_opts *o,
    struct certs_cli *c)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "parties", required_argument, NULL, 'n' },
		{ "first-id", required_argument, NULL, CERTS_OPT_FIRST_ID },
		{ "days", required_argument, NULL, CERTS_OPT_DAYS },
		{ "ca-days", required_argument, NULL, CERTS_OPT_CA_DAYS },
		{ "dns", required_argument, NULL, CERTS_OPT_DNS },
		{ "ip", required_argument, NULL, CERTS_OPT_IP },
		{ "party", required_argument, NULL, CERTS_OPT_PARTY },
		{ "roster", required_argument, NULL, CERTS_OPT_ROSTER },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool have_parties = false, have_first = false;
	int  ch, rv;

	opterr = 0; /* our own messages */
	optind = 0; /* glibc: full re-initialisation */
	while ((ch = getopt_long(argc, argv, "+:o:n:fh", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'o':
			o->out = optarg;
			break;
		case 'n':
			if (!nngmpc_parse_u32(optarg, 1,
			        NNGMPC_CERTS_PARTIES_MAX, &o->parties)) {
				return (nngmpc_usage_error(CERTS_CMD,
				    "--parties '%s': expected a number "
				    "1..%u",
				    optarg, NNGMPC_CERTS_PARTIES_MAX));
			}
			have_parties = true;
			break;
		case CERTS_OPT_FIRST_ID:
			if (!nngmpc_parse_u32(optarg, MPC_CERTGEN_PARTY_ID_MIN,
			        MPC_CERTGEN_PARTY_ID_MAX, &o->first_id)) {
				return (nngmpc_usage_error(CERTS_CMD,
				    "--first-id '%s': expected a party ID "
				    "%u..%u (decimal, no leading zeros)",
				    optarg, MPC_CERTGEN_PARTY_ID_MIN,
				    MPC_CERTGEN_PARTY_ID_MAX));
			}
			have_first = true;
			break;
		case CERTS_OPT_DAYS:
		case CERTS_OPT_CA_DAYS:
			if (!nngmpc_parse_u32(optarg, MPC_CERTGEN_DAYS_MIN,
			        MPC_CERTGEN_DAYS_MAX,
			        ch == CERTS_OPT_DAYS ? &o->days : &o->ca_days)) {
				return (nngmpc_usage_error(CERTS_CMD,
				    "%s '%s': expected a number of days "
				    "%u..%u",
				    ch == CERTS_OPT_DAYS ? "--days" : "--ca-days",
				    optarg, MPC_CERTGEN_DAYS_MIN,
				    MPC_CERTGEN_DAYS_MAX));
			}
			break;
		case CERTS_OPT_DNS:
		case CERTS_OPT_IP:
			if ((rv = certs_cli_name(c, ch, optarg)) != 0) {
				return (rv);
			}
			break;
		case CERTS_OPT_PARTY:
			if ((rv = certs_cli_party(c, optarg)) != 0) {
				return (rv);
			}
			break;
		case CERTS_OPT_ROSTER:
			c->roster = optarg;
			break;
		case 'f':
			o->force = true;
			break;
		case 'h':
			certs_usage(stdout);
			return (-1);
		case ':':
			return (nngmpc_usage_error(CERTS_CMD,
			    "option '%s' needs a value", argv[optind - 1]));
		default:
			if (optopt != 0) {
				return (nngmpc_usage_error(CERTS_CMD,
				    "unknown option '-%c'", optopt));
			}
			return (nngmpc_usage_error(CERTS_CMD,
			    "unknown option '%s'", argv[optind - 1]));
		}
	}
	if (optind < argc) {
		return (nngmpc_usage_error(
		    CERTS_CMD, "unexpected argument '%s'", argv[optind]));
	}
	if (o->out == NULL || o->out[0] == '\0') {
		return (nngmpc_usage_error(
		    CERTS_CMD, "--out DIR is required (where to write)"));
	}
	switch ((have_parties ? 1 : 0) + (c->nlist > 0 ? 1 : 0) +
	    (c->roster != NULL ? 1 : 0)) {
	case 0:
		return (nngmpc_usage_error(CERTS_CMD,
		    "--parties N is required (how many party certificates), "
		    "or --party ID (repeatable), or --roster FILE"));
	case 1:
		break;
	default:
		return (nngmpc_usage_error(CERTS_CMD,
		    "say which parties one way only: --parties N, --party ID "
		    "(repeatable), or --roster FILE"));
	}
	if (have_first && !have_parties) {
		return (nngmpc_usage_error(
		    CERTS_CMD, "--first-id goes with --parties N"));
	}
	if (have_parties &&
	    o->parties - 1 > MPC_CERTGEN_PARTY_ID_MAX - o->first_id) {
		return (nngmpc_usage_error(CERTS_CMD,
		    "--first-id %u with --parties %u goes past the largest "
		    "party ID %u",
		    (unsigned) o->first_id, (unsigned) o->parties,
		    MPC_CERTGEN_PARTY_ID_MAX));
	}
	return (NNGMPC_EXIT_OK);
}

static int
certs_run(int argc, char **argv)
{
	struct nngmpc_certs_opts o = {
		.first_id = MPC_CERTGEN_PARTY_ID_MIN,
		.days     = MPC_CERTGEN_PARTY_DAYS_DEFAULT,
		.ca_days  = MPC_CERTGEN_CA_DAYS_DEFAULT,
		.log      = stdout,
	};
	struct certs_cli *c;
	char              err[512];
	int               rv;

	if (argc > 1 && strcmp(argv[1], "sign") == 0) {
		return (nngmpc_certs_sign_run(argc - 1, argv + 1));
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		nngmpc_error(CERTS_CMD, "out of memory");
		return (NNGMPC_EXIT_FAIL);
	}
	if ((rv = certs_parse(argc, argv, &o, c)) != 0) {
		rv = rv < 0 ? NNGMPC_EXIT_OK : rv; /* --help */
		goto out;
	}
	if (c->roster != NULL && (rv = certs_cli_roster(c)) != 0) {
		goto out;
	}
	/* Names given before any --party (or with --roster) are every
	 * party's too. */
	for (size_t i = 0; i < c->nlist; i++) {
		if (!nngmpc_names_merge(&c->names[i], &c->common, err,
		        sizeof(err))) {
			rv = nngmpc_usage_error(CERTS_CMD, "party %u: %s",
			    (unsigned) c->list[i].id, err);
			goto out;
		}
	}
	o.names = &c->common;
	o.list  = c->list;
	o.nlist = c->nlist;
	rv      = nngmpc_certs_make(&o);
out:
	free(c);
	return (rv);
}

const struct nngmpc_cmd nngmpc_cmd_certs = {
	.name    = "certs",
	.summary = "create a CA and party certificates (ECDSA P-256)",
	.run     = certs_run,
};
