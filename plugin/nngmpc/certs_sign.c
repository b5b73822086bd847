/*
 * `nngmpc certs sign`; see certs_sign.h.  The request's subject and the
 * extensions it asks for are ignored: the certificate names the party ID
 * the CA's operator gives (--id) and the names given here, nothing the
 * requester chose.  Threading: none.
 */
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "certs_io.h"
#include "certs_names.h"
#include "certs_sign.h"
#include "mpc_certgen.h"
#include "nngmpc.h"

#define SIGN_CMD "certs sign"

static void
sign_usage(FILE *f)
{
	fprintf(f,
	    "Usage: nngmpc certs sign --csr FILE --id ID --out FILE [options]\n"
	    "\n"
	    "Sign a party's certificate request with the CA of --ca-dir, so\n"
	    "the party's private key never leaves its host.  On the party's\n"
	    "host (ECDSA P-256 or P-384):\n"
	    "  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 \\\n"
	    "      -nodes -keyout party3.key -subj /CN=party-3 -out party3.csr\n"
	    "then, where the CA is:\n"
	    "  nngmpc certs sign --csr party3.csr --id 3 --dns node3.example \\\n"
	    "      --out party3.pem\n"
	    "and back on the party's host:\n"
	    "  cat party3.pem party3.key > party3.certkey.pem\n"
	    "  chmod 600 party3.certkey.pem\n"
	    "\n"
	    "Options:\n"
	    "  -c, --csr FILE     the request (PEM); its signature must verify;\n"
	    "                     its subject and requested extensions are\n"
	    "                     ignored\n"
	    "  -i, --id ID        the party ID the certificate names\n"
	    "                     (mpc://party/<ID>), %u..%u\n"
	    "  -o, --out FILE     where to write the certificate (mode 0644)\n"
	    "      --ca-dir DIR   directory with ca.pem and ca.key from nngmpc\n"
	    "                     certs (default: the current directory)\n"
	    "      --dns NAME     a DNS name the party is reached by\n"
	    "                     (repeatable)\n"
	    "      --ip ADDR      an IP address the party is reached at\n"
	    "                     (repeatable); with neither --dns nor --ip:\n"
	    "                     localhost and 127.0.0.1\n"
	    "      --days D       validity in days (default %u, at most the\n"
	    "                     CA's remaining)\n"
	    "  -f, --force        replace FILE if it exists\n"
	    "  -h, --help         show this help\n"
	    "\n"
	    "Exit status: 0 done, 1 failed, 2 bad usage.\n",
	    MPC_CERTGEN_PARTY_ID_MIN, MPC_CERTGEN_PARTY_ID_MAX,
	    MPC_CERTGEN_PARTY_DAYS_DEFAULT);
}

enum {
	SIGN_OPT_CA_DIR = 256,
	SIGN_OPT_DNS,
	SIGN_OPT_IP,
	SIGN_OPT_DAYS,
};

struct sign_opts {
	const char         *csr;
	const char         *out;
	const char         *ca_dir;
	uint32_t            id;
	uint32_t            days;
	bool                force;
	struct nngmpc_names names;
};

static int
sign_parse(int argc, char **argv, struct sign_opts *o)
{
	static const struct option longopts[] = {
		{ "csr", required_argument, NULL, 'c' },
		{ "id", required_argument, NULL, 'i' },
		{ "out", required_argument, NULL, 'o' },
		{ "ca-dir", required_argument, NULL, SIGN_OPT_CA_DIR },
		{ "dns", required_argument, NULL, SIGN_OPT_DNS },
		{ "ip", required_argument, NULL, SIGN_OPT_IP },
		{ "days", required_argument, NULL, SIGN_OPT_DAYS },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool have_id = false;
	char err[512];
	int  ch;

	opterr = 0;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "+:c:i:o:fh", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'c':
			o->csr = optarg;
			break;
		case 'o':
			o->out = optarg;
			break;
		case SIGN_OPT_CA_DIR:
			o->ca_dir = optarg;
			break;
		case 'i':
			if (!nngmpc_parse_u32(optarg, MPC_CERTGEN_PARTY_ID_MIN,
			        MPC_CERTGEN_PARTY_ID_MAX, &o->id)) {
				return (nngmpc_usage_error(SIGN_CMD,
				    "--id '%s': expected a party ID %u..%u "
				    "(decimal, no leading zeros)",
				    optarg, MPC_CERTGEN_PARTY_ID_MIN,
				    MPC_CERTGEN_PARTY_ID_MAX));
			}
			have_id = true;
			break;
		case SIGN_OPT_DNS:
		case SIGN_OPT_IP:
			if (!(ch == SIGN_OPT_DNS
			            ? nngmpc_names_add_dns(
			                  &o->names, optarg, err, sizeof(err))
			            : nngmpc_names_add_ip(
			                  &o->names, optarg, err, sizeof(err)))) {
				return (nngmpc_usage_error(SIGN_CMD, "%s %s",
				    ch == SIGN_OPT_DNS ? "--dns" : "--ip", err));
			}
			break;
		case SIGN_OPT_DAYS:
			if (!nngmpc_parse_u32(optarg, MPC_CERTGEN_DAYS_MIN,
			        MPC_CERTGEN_DAYS_MAX, &o->days)) {
				return (nngmpc_usage_error(SIGN_CMD,
				    "--days '%s': expected a number of days "
				    "%u..%u",
				    optarg, MPC_CERTGEN_DAYS_MIN,
				    MPC_CERTGEN_DAYS_MAX));
			}
			break;
		case 'f':
			o->force = true;
			break;
		case 'h':
			sign_usage(stdout);
			return (-1);
		case ':':
			return (nngmpc_usage_error(SIGN_CMD,
			    "option '%s' needs a value", argv[optind - 1]));
		default:
			return (nngmpc_usage_error(SIGN_CMD,
			    "unknown option '%s'", argv[optind - 1]));
		}
	}
	if (optind < argc) {
		return (nngmpc_usage_error(
		    SIGN_CMD, "unexpected argument '%s'", argv[optind]));
	}
	if (o->csr == NULL || o->out == NULL || !have_id) {
		return (nngmpc_usage_error(SIGN_CMD,
		    "--csr FILE, --id ID and --out FILE are required"));
	}
	return (NNGMPC_EXIT_OK);
}

static int
sign_write(const struct sign_opts *o, const char *pem, size_t len)
{
	char        d[PATH_MAX], b[PATH_MAX];
	struct stat st;
	const char *parts[1] = { pem };

	if (strlen(o->out) >= PATH_MAX) {
		nngmpc_error(SIGN_CMD, "--out path is too long");
		return (-1);
	}
	if (!o->force && lstat(o->out, &st) == 0) {
		nngmpc_error(SIGN_CMD, "%s already exists; not replacing it",
		    o->out);
		nngmpc_hint("use --force to replace it, or another --out");
		return (-1);
	}
	(void) snprintf(d, sizeof(d), "%s", o->out);
	(void) snprintf(b, sizeof(b), "%s", o->out);
	return (nngmpc_certs_write(SIGN_CMD, dirname(d), basename(b), parts,
	    &len, 1, 0644, o->force));
}

int
nngmpc_certs_sign_run(int argc, char **argv)
{
	struct sign_opts *o;
	mpc_certgen_ca   *ca   = NULL;
	char             *csr  = NULL;
	char             *cert = NULL;
	size_t            csr_len = 0, cert_len = 0;
	time_t            now     = time(NULL);
	char              names[1024];
	int               err;
	int               rv = NNGMPC_EXIT_FAIL;

	if ((o = calloc(1, sizeof(*o))) == NULL) {
		nngmpc_error(SIGN_CMD, "out of memory");
		return (NNGMPC_EXIT_FAIL);
	}
	o->ca_dir = ".";
	o->days   = MPC_CERTGEN_PARTY_DAYS_DEFAULT;
	if ((rv = sign_parse(argc, argv, o)) != 0) {
		rv = rv < 0 ? NNGMPC_EXIT_OK : rv; /* --help */
		goto out;
	}
	rv = NNGMPC_EXIT_FAIL;
	if (nngmpc_certs_read(SIGN_CMD, o->csr, &csr, &csr_len) != 0 ||
	    nngmpc_certs_load_ca(SIGN_CMD, o->ca_dir, now, &ca) != 0) {
		goto out;
	}
	err = mpc_certgen_sign_csr(ca, o->id, o->days, now,
	    nngmpc_names_empty(&o->names) ? NULL : &o->names.cg, csr, csr_len,
	    &cert, &cert_len);
	if (err != MPC_CERTGEN_OK) {
		nngmpc_error(SIGN_CMD, "cannot sign %s: %s", o->csr,
		    mpc_certgen_strerror(err));
		goto out;
	}
	if (sign_write(o, cert, cert_len) != 0) {
		goto out;
	}
	if (nngmpc_names_empty(&o->names)) {
		(void) snprintf(names, sizeof(names), "localhost, 127.0.0.1");
	} else {
		nngmpc_names_format(&o->names, names, sizeof(names));
	}
	printf("party %u: signed %s (mpc://party/%u; %s), valid %u days, by "
	       "%s/ca.pem\n",
	    (unsigned) o->id, o->out, (unsigned) o->id, names,
	    (unsigned) o->days, o->ca_dir);
	printf("On the party's host: cat %s <its key> > party%u.certkey.pem "
	       "&& chmod 600 party%u.certkey.pem\n",
	    o->out, (unsigned) o->id, (unsigned) o->id);
	rv = NNGMPC_EXIT_OK;
out:
	free(csr);
	free(cert);
	mpc_certgen_ca_free(ca);
	free(o);
	return (rv);
}
