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

#include "mpc_certgen.h"
#include "nngmpc.h"

#define CERTS_CMD "certs"
/* Upper bound for ca.pem/ca.key when reading an existing CA. */
#define CERTS_READ_MAX (64 * 1024)
#define CERTS_MODE_PUBLIC 0644
#define CERTS_MODE_SECRET 0600
#define CERTS_DIR_MODE 0700

static void
certs_usage(FILE *f)
{
	fprintf(f,
	    "Usage: nngmpc certs --out DIR --parties N [options]\n"
	    "\n"
	    "Create a CA and N party certificates (ECDSA P-256, made with\n"
	    "wolfSSL) for mutually authenticated mpc+tls+tcp:// and tls+tcp://.\n"
	    "\n"
	    "Options:\n"
	    "  -o, --out DIR      directory to write to; created (mode 0700) if\n"
	    "                     missing, its parent must exist\n"
	    "  -n, --parties N    number of party certificates, 1..%u\n"
	    "      --first-id K   first party ID (default 1): IDs K..K+N-1,\n"
	    "                     within %u..%u\n"
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
	    "leading zeros); it also names DNS:localhost and IP:127.0.0.1, has\n"
	    "CN party-<ID>, O nng-mpc, and allows TLS server and client auth.\n"
	    "Validity starts one hour before now (clock skew).\n"
	    "\n"
	    "Example:\n"
	    "  nngmpc certs --out ./certs --parties 3\n"
	    "  then, for party 2: NNG_OPT_TLS_CA_FILE ./certs/ca.pem and\n"
	    "  NNG_OPT_TLS_CERT_KEY_FILE ./certs/party2.certkey.pem, or\n"
	    "  nngcat --cacert ./certs/ca.pem --cert ./certs/party2.pem\n"
	    "         --key ./certs/party2.key ...\n"
	    "\n"
	    "Exit status: 0 done, 1 failed, 2 bad usage.\n",
	    NNGMPC_CERTS_PARTIES_MAX, MPC_CERTGEN_PARTY_ID_MIN,
	    MPC_CERTGEN_PARTY_ID_MAX, MPC_CERTGEN_PARTY_DAYS_DEFAULT,
	    MPC_CERTGEN_CA_DAYS_DEFAULT);
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

/* Writes parts (concatenated) to dir/name with `mode`, atomically. */
static int
certs_write(const char *dir, const char *name, const char *const *parts,
    const size_t *lens, size_t nparts, mode_t mode, bool replace)
{
	char   path[PATH_MAX];
	char   tmp[PATH_MAX];
	int    fd;
	size_t i;
	int    err = 0;

	certs_path(path, sizeof(path), dir, name);
	(void) snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name);
	if ((fd = mkstemp(tmp)) < 0) { /* created 0600 */
		nngmpc_error(CERTS_CMD, "cannot create a file in %s: %s", dir,
		    strerror(errno));
		return (-1);
	}
	if (fchmod(fd, mode) != 0) {
		err = errno;
	}
	for (i = 0; err == 0 && i < nparts; i++) {
		const char *p = parts[i];
		size_t      n = lens[i];

		while (n > 0) {
			ssize_t w = write(fd, p, n);
			if (w < 0 && errno == EINTR) {
				continue;
			}
			if (w <= 0) {
				err = w < 0 ? errno : EIO;
				break;
			}
			p += w;
			n -= (size_t) w;
		}
	}
	if (err == 0 && fsync(fd) != 0) {
		err = errno;
	}
	if (close(fd) != 0 && err == 0) {
		err = errno;
	}
	if (err != 0) {
		(void) unlink(tmp);
		nngmpc_error(
		    CERTS_CMD, "cannot write %s: %s", path, strerror(err));
		return (-1);
	}
	if (replace) {
		if (rename(tmp, path) != 0) {
			err = errno;
		}
	} else if (link(tmp, path) != 0) {
		err = errno;
	}
	(void) unlink(tmp); /* after link: drops the temporary name */
	if (err != 0) {
		nngmpc_error(
		    CERTS_CMD, "cannot create %s: %s", path, strerror(err));
		if (err == EEXIST) {
			nngmpc_hint("it appeared while certs was running; "
			            "use --force to replace it");
		}
		return (-1);
	}
	return (0);
}

/* Reads a whole (small) file; *buf must be wiped and freed by the caller. */
static int
certs_read(const char *path, char **buf, size_t *len)
{
	return (nngmpc_read_file(CERTS_CMD, path, CERTS_READ_MAX, buf, len));
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

/* Loads DIR's CA; errors explain what to do. */
static int
certs_load_ca(const char *dir, time_t now, mpc_certgen_ca **ca)
{
	char   cpath[PATH_MAX];
	char   kpath[PATH_MAX];
	char  *cert = NULL;
	char  *key  = NULL;
	size_t clen = 0;
	size_t klen = 0;
	int    rv   = -1;
	int    err;

	certs_path(cpath, sizeof(cpath), dir, "ca.pem");
	certs_path(kpath, sizeof(kpath), dir, "ca.key");
	if (certs_read(cpath, &cert, &clen) != 0 ||
	    certs_read(kpath, &key, &klen) != 0) {
		goto out;
	}
	err = mpc_certgen_ca_load(ca, cert, clen, key, klen, now);
	if (err != MPC_CERTGEN_OK) {
		nngmpc_error(CERTS_CMD, "cannot reuse the CA in %s: %s", dir,
		    mpc_certgen_strerror(err));
		nngmpc_hint("use --force to make a new CA there (certificates "
		            "from the old CA will stop verifying), or choose "
		            "another --out");
		goto out;
	}
	rv = 0;
out:
	if (key != NULL) {
		explicit_bzero(key, CERTS_READ_MAX + 1);
		free(key);
	}
	free(cert);
	return (rv);
}

/* Without --force: no party file may exist; the CA is reused when both of
 * its files exist and refused when only one does.  *reuse_ca says which. */
static int
certs_check_existing(const struct nngmpc_certs_opts *o, bool *reuse_ca)
{
	bool     have_pem = certs_exists(o->out, "ca.pem");
	bool     have_key = certs_exists(o->out, "ca.key");
	char     pem[32], key[32], ck[40];
	uint32_t i;

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
	for (i = 0; i < o->parties; i++) {
		const char *names[3];
		size_t      j;

		certs_party_names(o->first_id + i, pem, key, ck);
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
	if (certs_write(o->out, "ca.key", p, n, 1, CERTS_MODE_SECRET,
	        o->force) != 0) {
		return (-1);
	}
	p[0] = ca->cert;
	n[0] = ca->cert_len;
	return (certs_write(
	    o->out, "ca.pem", p, n, 1, CERTS_MODE_PUBLIC, o->force));
}

static int
certs_write_party(const struct nngmpc_certs_opts *o, uint32_t id,
    const mpc_certgen_pem *pp)
{
	char        pem[32], key[32], ck[40];
	const char *p[2] = { pp->cert, pp->key };
	size_t      n[2] = { pp->cert_len, pp->key_len };

	certs_party_names(id, pem, key, ck);
	if (certs_write(o->out, key, &p[1], &n[1], 1, CERTS_MODE_SECRET,
	        o->force) != 0 ||
	    certs_write(o->out, pem, &p[0], &n[0], 1, CERTS_MODE_PUBLIC,
	        o->force) != 0 ||
	    certs_write(o->out, ck, p, n, 2, CERTS_MODE_SECRET, o->force) !=
	        0) {
		return (-1);
	}
	if (o->log != NULL) {
		fprintf(o->log, "party %u: %s/%s  %s/%s  %s/%s\n",
		    (unsigned) id, o->out, pem, o->out, key, o->out, ck);
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
	uint32_t         i;
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
		if (certs_load_ca(o->out, now, &ca) != 0) {
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
	if ((parties = calloc(o->parties, sizeof(*parties))) == NULL) {
		nngmpc_error(CERTS_CMD, "out of memory");
		goto out;
	}
	for (i = 0; i < o->parties; i++) {
		err = mpc_certgen_party(
		    ca, o->first_id + i, o->days, now, &parties[i]);
		if (err != MPC_CERTGEN_OK) {
			nngmpc_error(CERTS_CMD,
			    "cannot create the certificate for party %u: %s",
			    (unsigned) (o->first_id + i),
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
	for (i = 0; i < o->parties; i++) {
		if (certs_write_party(o, o->first_id + i, &parties[i]) != 0) {
			goto out;
		}
	}
	if (o->log != NULL) {
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
		for (i = 0; i < o->parties; i++) {
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
};

static int
certs_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "parties", required_argument, NULL, 'n' },
		{ "first-id", required_argument, NULL, CERTS_OPT_FIRST_ID },
		{ "days", required_argument, NULL, CERTS_OPT_DAYS },
		{ "ca-days", required_argument, NULL, CERTS_OPT_CA_DAYS },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct nngmpc_certs_opts o = {
		.first_id = MPC_CERTGEN_PARTY_ID_MIN,
		.days     = MPC_CERTGEN_PARTY_DAYS_DEFAULT,
		.ca_days  = MPC_CERTGEN_CA_DAYS_DEFAULT,
		.log      = stdout,
	};
	bool have_parties = false;
	int  c;

	opterr = 0; /* our own messages */
	optind = 0; /* glibc: full re-initialisation */
	while ((c = getopt_long(argc, argv, "+:o:n:fh", longopts, NULL)) !=
	    -1) {
		switch (c) {
		case 'o':
			o.out = optarg;
			break;
		case 'n':
			if (!nngmpc_parse_u32(optarg, 1,
			        NNGMPC_CERTS_PARTIES_MAX, &o.parties)) {
				return (nngmpc_usage_error(CERTS_CMD,
				    "--parties '%s': expected a number "
				    "1..%u",
				    optarg, NNGMPC_CERTS_PARTIES_MAX));
			}
			have_parties = true;
			break;
		case CERTS_OPT_FIRST_ID:
			if (!nngmpc_parse_u32(optarg, MPC_CERTGEN_PARTY_ID_MIN,
			        MPC_CERTGEN_PARTY_ID_MAX, &o.first_id)) {
				return (nngmpc_usage_error(CERTS_CMD,
				    "--first-id '%s': expected a party ID "
				    "%u..%u (decimal, no leading zeros)",
				    optarg, MPC_CERTGEN_PARTY_ID_MIN,
				    MPC_CERTGEN_PARTY_ID_MAX));
			}
			break;
		case CERTS_OPT_DAYS:
		case CERTS_OPT_CA_DAYS:
			if (!nngmpc_parse_u32(optarg, MPC_CERTGEN_DAYS_MIN,
			        MPC_CERTGEN_DAYS_MAX,
			        c == CERTS_OPT_DAYS ? &o.days : &o.ca_days)) {
				return (nngmpc_usage_error(CERTS_CMD,
				    "%s '%s': expected a number of days "
				    "%u..%u",
				    c == CERTS_OPT_DAYS ? "--days" : "--ca-days",
				    optarg, MPC_CERTGEN_DAYS_MIN,
				    MPC_CERTGEN_DAYS_MAX));
			}
			break;
		case 'f':
			o.force = true;
			break;
		case 'h':
			certs_usage(stdout);
			return (NNGMPC_EXIT_OK);
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
	if (o.out == NULL || o.out[0] == '\0') {
		return (nngmpc_usage_error(
		    CERTS_CMD, "--out DIR is required (where to write)"));
	}
	if (!have_parties) {
		return (nngmpc_usage_error(CERTS_CMD,
		    "--parties N is required (how many party certificates)"));
	}
	if (o.parties - 1 > MPC_CERTGEN_PARTY_ID_MAX - o.first_id) {
		return (nngmpc_usage_error(CERTS_CMD,
		    "--first-id %u with --parties %u goes past the largest "
		    "party ID %u",
		    (unsigned) o.first_id, (unsigned) o.parties,
		    MPC_CERTGEN_PARTY_ID_MAX));
	}
	return (nngmpc_certs_make(&o));
}

const struct nngmpc_cmd nngmpc_cmd_certs = {
	.name    = "certs",
	.summary = "create a CA and party certificates (ECDSA P-256)",
	.run     = certs_run,
};
