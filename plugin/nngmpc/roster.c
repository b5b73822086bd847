/*
 * Roster file: parse, check, write.  See roster.h for the format.
 * Threading: none; callers own the struct.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"
#include "nngmpc.h"
#include "roster.h"

#define ROSTER_LINE_MAX 2048u
#define ROSTER_TOKENS_MAX 6

static void
roster_err(char *err, size_t errlen, const char *name, unsigned line,
    const char *fmt, ...)
{
	va_list ap;
	int     n = line != 0 ? snprintf(err, errlen, "%s:%u: ", name, line)
	                      : snprintf(err, errlen, "%s: ", name);

	if (n < 0 || (size_t) n >= errlen) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t) n, fmt, ap);
	va_end(ap);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9') {
		return (c - '0');
	}
	if (c >= 'a' && c <= 'f') {
		return (c - 'a' + 10);
	}
	if (c >= 'A' && c <= 'F') {
		return (c - 'A' + 10);
	}
	return (-1);
}

/* Exactly 2*len hex digits. */
static bool
parse_hex(const char *s, uint8_t *out, size_t len)
{
	if (strlen(s) != 2 * len) {
		return (false);
	}
	for (size_t i = 0; i < len; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			return (false);
		}
		out[i] = (uint8_t) ((hi << 4) | lo);
	}
	return (true);
}

static bool
copy_field(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);
	if (n == 0 || n >= cap) {
		return (false);
	}
	memcpy(dst, src, n + 1);
	return (true);
}

/* host:port with a non-empty host and a port 1..65535; [v6]:port allowed. */
static bool
valid_tcp_address(const char *a)
{
	const char *colon = strrchr(a, ':');
	uint32_t    port;

	if (colon == NULL || colon == a) {
		return (false);
	}
	return (nngmpc_parse_u32(colon + 1, 1, 65535, &port));
}

static bool
split_tokens(char *line, char **tok, int *ntok)
{
	int   n = 0;
	char *save, *t;

	for (t = strtok_r(line, " \t\r", &save); t != NULL;
	     t = strtok_r(NULL, " \t\r", &save)) {
		if (t[0] == '#') {
			break; /* comment to end of line */
		}
		if (n == ROSTER_TOKENS_MAX) {
			return (false);
		}
		tok[n++] = t;
	}
	*ntok = n;
	return (true);
}

bool
nngmpc_roster_is_tls(const struct nngmpc_roster *r)
{
	return (strcmp(r->scheme, "mpc+tls+tcp") == 0);
}

static bool
roster_check(struct nngmpc_roster *r, bool have_sid, bool have_key,
    const char *name, char *err, size_t errlen)
{
	if (!have_sid) {
		roster_err(err, errlen, name, 0,
		    "no session-id line (32 hex digits): add 'session-id "
		    "<32 hex digits>', the same on every party (nngmpc "
		    "roster new writes a complete roster)");
		return (false);
	}
	if (!have_key) {
		roster_err(err, errlen, name, 0,
		    "no session-key line (64 hex digits): add 'session-key "
		    "<64 hex digits>', the same on every party (nngmpc "
		    "roster new writes a complete roster)");
		return (false);
	}
	if (r->nparties < 2) {
		roster_err(err, errlen, name, 0,
		    "a session needs at least 2 party lines, found %zu: add "
		    "'party <id> <address> [<cert+key file> [<server "
		    "name>]]' per party",
		    r->nparties);
		return (false);
	}
	if (nngmpc_roster_is_tls(r) && r->ca[0] == '\0') {
		roster_err(err, errlen, name, 0,
		    "scheme mpc+tls+tcp needs a 'ca <path>' line naming the "
		    "CA certificate (ca.pem from nngmpc certs), or a "
		    "'scheme mpc+tcp' line for no TLS");
		return (false);
	}
	for (size_t i = 0; i < r->nparties; i++) {
		for (size_t j = i + 1; j < r->nparties; j++) {
			if (strcmp(r->parties[i].address,
			        r->parties[j].address) == 0) {
				roster_err(err, errlen, name, 0,
				    "parties %u and %u share the address %s: "
				    "give each party its own",
				    (unsigned) r->parties[i].id,
				    (unsigned) r->parties[j].id,
				    r->parties[i].address);
				return (false);
			}
		}
		if (strcmp(r->scheme, "mpc+ipc") != 0 &&
		    !valid_tcp_address(r->parties[i].address)) {
			roster_err(err, errlen, name, 0,
			    "party %u: address '%s' is not host:port (port "
			    "1..65535; [v6 address]:port for IPv6)",
			    (unsigned) r->parties[i].id,
			    r->parties[i].address);
			return (false);
		}
	}
	return (true);
}

const char *const nngmpc_roster_limit_names[NNGMPC_ROSTER_LIMITS] = {
	"rate-msgs", "rate-bytes", "rate-policy", "conn-rate", "heartbeat",
};

/* A pipe filter setting (kept as text), or an unknown keyword. */
static bool
roster_limit_line(struct nngmpc_node_conf *c, char **tok, int ntok,
    const char *name, unsigned ln, char *err, size_t errlen)
{
	for (int i = 0; i < NNGMPC_ROSTER_LIMITS; i++) {
		if (strcmp(tok[0], nngmpc_roster_limit_names[i]) != 0) {
			continue;
		}
		if (ntok != 2 || !copy_field(c->limits[i],
		                     sizeof(c->limits[i]), tok[1])) {
			roster_err(err, errlen, name, ln,
			    "%s: expected one value", tok[0]);
			return (false);
		}
		return (true);
	}
	roster_err(err, errlen, name, ln,
	    "unknown keyword '%s' (expected session-id, session-key, "
	    "scheme, ca, party, or the node settings id, serve, "
	    "serve-mode, metrics, rate-msgs, rate-bytes, rate-policy, "
	    "conn-rate, heartbeat, pins, deny-parties)",
	    tok[0]);
	return (false);
}

/* The node settings of a configuration file (id, serve, serve-mode,
 * metrics, the pipe filter's), or an unknown keyword. */
static bool
roster_node_line(struct nngmpc_node_conf *c, char **tok, int ntok,
    const char *name, unsigned ln, char *err, size_t errlen)
{
	const char *key = tok[0];
	char       *end = NULL;
	unsigned long mode;

	if (strcmp(key, "id") == 0) {
		if (ntok != 2 || !nngmpc_parse_u32(tok[1], 1, 0xFFFFFFFEu,
		                     &c->id)) {
			roster_err(err, errlen, name, ln,
			    "id: expected one party ID 1..4294967294");
			return (false);
		}
	} else if (strcmp(key, "serve") == 0) {
		if (ntok != 2 || !copy_field(c->serve, sizeof(c->serve), tok[1])) {
			roster_err(err, errlen, name, ln,
			    "serve: expected one URL (e.g. "
			    "ipc:///run/nngmpc/party1.sock)");
			return (false);
		}
	} else if (strcmp(key, "serve-mode") == 0) {
		if (ntok == 2) {
			mode = strtoul(tok[1], &end, 8);
		}
		if (ntok != 2 || end == NULL || *end != '\0' || mode == 0 ||
		    mode > 0777) {
			roster_err(err, errlen, name, ln,
			    "serve-mode: expected octal permissions 1..0777 "
			    "(e.g. 0660)");
			return (false);
		}
		c->serve_mode = (unsigned) mode;
	} else if (strcmp(key, "metrics") == 0) {
		if (ntok != 2 ||
		    !copy_field(c->metrics, sizeof(c->metrics), tok[1])) {
			roster_err(err, errlen, name, ln,
			    "metrics: expected one HOST:PORT");
			return (false);
		}
	} else if (strcmp(key, "pins") == 0) {
		if (ntok != 2 || !copy_field(c->pins, sizeof(c->pins), tok[1])) {
			roster_err(err, errlen, name, ln,
			    "pins: expected one list of SHA-256 digests (64 hex "
			    "digits each, comma-separated, at most %u)",
			    NNGMPC_ROSTER_PINS_MAX);
			return (false);
		}
	} else if (strcmp(key, "deny-parties") == 0) {
		if (ntok != 2 || !copy_field(c->deny, sizeof(c->deny), tok[1])) {
			roster_err(err, errlen, name, ln,
			    "deny-parties: expected one list of party IDs and "
			    "ranges (e.g. 3,7-9)");
			return (false);
		}
	} else {
		return (roster_limit_line(c, tok, ntok, name, ln, err, errlen));
	}
	return (true);
}

static bool
roster_line(struct nngmpc_roster *r, char **tok, int ntok, bool *have_sid,
    bool *have_key, const char *name, unsigned ln, char *err, size_t errlen)
{
	const char *key = tok[0];

	if (strcmp(key, "session-id") == 0) {
		if (ntok != 2 || *have_sid ||
		    !parse_hex(tok[1], r->session_id, sizeof(r->session_id))) {
			roster_err(err, errlen, name, ln,
			    "session-id: expected one value of 32 hex digits, "
			    "once");
			return (false);
		}
		*have_sid = true;
	} else if (strcmp(key, "session-key") == 0) {
		if (ntok != 2 || *have_key ||
		    !parse_hex(tok[1], r->session_key, sizeof(r->session_key))) {
			roster_err(err, errlen, name, ln,
			    "session-key: expected one value of 64 hex digits, "
			    "once");
			return (false);
		}
		*have_key = true;
	} else if (strcmp(key, "scheme") == 0) {
		if (ntok != 2 ||
		    (strcmp(tok[1], "mpc+tls+tcp") != 0 &&
		        strcmp(tok[1], "mpc+tcp") != 0 &&
		        strcmp(tok[1], "mpc+ipc") != 0)) {
			roster_err(err, errlen, name, ln,
			    "scheme: expected mpc+tls+tcp, mpc+tcp or mpc+ipc");
			return (false);
		}
		strcpy(r->scheme, tok[1]);
	} else if (strcmp(key, "ca") == 0) {
		if (ntok != 2 || !copy_field(r->ca, sizeof(r->ca), tok[1])) {
			roster_err(err, errlen, name, ln,
			    "ca: expected one path (at most %u bytes)",
			    NNGMPC_ROSTER_PATH_MAX - 1);
			return (false);
		}
	} else if (strcmp(key, "party") == 0) {
		struct nngmpc_party *p;
		uint32_t             id;

		if (ntok < 3 || ntok > 5) {
			roster_err(err, errlen, name, ln,
			    "party: expected 'party <id> <address> "
			    "[<cert+key file> [<server name>]]'");
			return (false);
		}
		if (!nngmpc_parse_u32(tok[1], 1, 0xFFFFFFFEu, &id)) {
			roster_err(err, errlen, name, ln,
			    "party: '%s' is not a party ID 1..4294967294 "
			    "(decimal, no leading zeros)",
			    tok[1]);
			return (false);
		}
		if (nngmpc_roster_find(r, id) != NULL) {
			roster_err(err, errlen, name, ln,
			    "party %u is listed twice", (unsigned) id);
			return (false);
		}
		if (r->nparties == NNGMPC_ROSTER_MAX) {
			roster_err(err, errlen, name, ln,
			    "more than %u parties", NNGMPC_ROSTER_MAX);
			return (false);
		}
		p     = &r->parties[r->nparties];
		p->id = id;
		if (!copy_field(p->address, sizeof(p->address), tok[2]) ||
		    (ntok > 3 &&
		        !copy_field(p->certkey, sizeof(p->certkey), tok[3])) ||
		    (ntok > 4 &&
		        !copy_field(p->server_name, sizeof(p->server_name),
		            tok[4]))) {
			roster_err(err, errlen, name, ln,
			    "party %u: a field is too long", (unsigned) id);
			return (false);
		}
		r->nparties++;
	} else {
		return (roster_node_line(&r->node, tok, ntok, name, ln, err,
		    errlen));
	}
	return (true);
}

bool
nngmpc_roster_parse(const char *text, size_t len, const char *name,
    struct nngmpc_roster *r, char *err, size_t errlen)
{
	char     line[ROSTER_LINE_MAX];
	char    *tok[ROSTER_TOKENS_MAX];
	int      ntok;
	unsigned ln       = 0;
	size_t   pos      = 0;
	bool     have_sid = false, have_key = false;

	memset(r, 0, sizeof(*r));
	strcpy(r->scheme, "mpc+tls+tcp");
	if (len > NNGMPC_ROSTER_FILE_MAX) {
		roster_err(err, errlen, name, 0, "larger than %u bytes",
		    NNGMPC_ROSTER_FILE_MAX);
		goto fail;
	}
	while (pos < len) {
		const char *nl  = memchr(text + pos, '\n', len - pos);
		size_t      end = nl != NULL ? (size_t) (nl - text) : len;
		size_t      n   = end - pos;

		ln++;
		if (n >= sizeof(line)) {
			roster_err(err, errlen, name, ln,
			    "line longer than %u bytes", ROSTER_LINE_MAX - 1);
			goto fail;
		}
		if (memchr(text + pos, '\0', n) != NULL) {
			roster_err(err, errlen, name, ln, "NUL byte in line");
			goto fail;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos     = end + 1;
		if (!split_tokens(line, tok, &ntok)) {
			roster_err(err, errlen, name, ln, "too many fields");
			goto fail;
		}
		if (ntok == 0) {
			continue;
		}
		if (!roster_line(r, tok, ntok, &have_sid, &have_key, name, ln,
		        err, errlen)) {
			goto fail;
		}
	}
	if (!roster_check(r, have_sid, have_key, name, err, errlen)) {
		goto fail;
	}
	nngmpc_secure_zero(line, sizeof(line));
	return (true);
fail:
	nngmpc_secure_zero(line, sizeof(line));
	nngmpc_roster_wipe(r);
	return (false);
}

/* A relative path in the roster names a file beside the roster, wherever
 * the program runs (as a systemd service, in its credentials directory). */
static bool
roster_resolve(char *field, const char *dir, size_t dirlen)
{
	char   buf[NNGMPC_ROSTER_PATH_MAX];
	size_t n = strlen(field);

	if (field[0] == '\0' || field[0] == '/' || dirlen == 0) {
		return (true);
	}
	if (dirlen + 1 + n >= sizeof(buf)) {
		return (false);
	}
	memcpy(buf, dir, dirlen);
	buf[dirlen] = '/';
	memcpy(buf + dirlen + 1, field, n + 1);
	memcpy(field, buf, dirlen + 1 + n + 1);
	return (true);
}

static bool
roster_resolve_all(struct nngmpc_roster *r, const char *path, char *err,
    size_t errlen)
{
	const char *slash  = strrchr(path, '/');
	size_t      dirlen = slash == NULL ? 0 : (size_t) (slash - path);

	if (slash == path) {
		dirlen = 1; /* "/roster": the root directory */
	}
	if (!roster_resolve(r->ca, path, dirlen)) {
		roster_err(err, errlen, path, 0,
		    "ca: the path with the roster's directory is longer than "
		    "%u bytes: give an absolute path",
		    NNGMPC_ROSTER_PATH_MAX - 1);
		return (false);
	}
	for (size_t i = 0; i < r->nparties; i++) {
		if (!roster_resolve(r->parties[i].certkey, path, dirlen)) {
			roster_err(err, errlen, path, 0,
			    "party %u: the cert+key path with the roster's "
			    "directory is longer than %u bytes: give an "
			    "absolute path",
			    (unsigned) r->parties[i].id,
			    NNGMPC_ROSTER_PATH_MAX - 1);
			return (false);
		}
	}
	return (true);
}

bool
nngmpc_roster_load(const char *path, struct nngmpc_roster *r, char *err,
    size_t errlen)
{
	char   *buf = NULL;
	size_t  len = 0;
	bool    ok  = false;
	int     fd  = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	memset(r, 0, sizeof(*r));
	if (fd < 0) {
		roster_err(err, errlen, path, 0, "cannot open: %s",
		    strerror(errno));
		return (false);
	}
	/* It holds the session key: refuse it as ssh refuses an exposed
	 * private key, before reading a byte. */
	if (!nngmpc_file_private(fd, path, "the session key", err, errlen)) {
		close(fd);
		return (false);
	}
	if ((buf = malloc(NNGMPC_ROSTER_FILE_MAX + 1)) == NULL) {
		roster_err(err, errlen, path, 0, "out of memory");
		goto out;
	}
	while (len < NNGMPC_ROSTER_FILE_MAX + 1 &&
	    (n = read(fd, buf + len, NNGMPC_ROSTER_FILE_MAX + 1 - len)) != 0) {
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			roster_err(err, errlen, path, 0, "cannot read: %s",
			    strerror(errno));
			goto out;
		}
		len += (size_t) n;
	}
	ok = nngmpc_roster_parse(buf, len, path, r, err, errlen) &&
	    roster_resolve_all(r, path, err, errlen);
	if (!ok) {
		nngmpc_roster_wipe(r);
	}
out:
	if (buf != NULL) {
		nngmpc_secure_zero(buf, len); /* it held the session key */
		free(buf);
	}
	close(fd);
	return (ok);
}

bool
nngmpc_roster_print(FILE *f, const struct nngmpc_roster *r)
{
	fprintf(f, "# nng-mpc roster (nngmpc node --roster FILE --id ID)\n");
	fprintf(f, "session-id  ");
	for (size_t i = 0; i < sizeof(r->session_id); i++) {
		fprintf(f, "%02x", r->session_id[i]);
	}
	fprintf(f, "\nsession-key ");
	for (size_t i = 0; i < sizeof(r->session_key); i++) {
		fprintf(f, "%02x", r->session_key[i]);
	}
	fprintf(f, "\nscheme      %s\n", r->scheme);
	if (r->ca[0] != '\0') {
		fprintf(f, "ca          %s\n", r->ca);
	}
	for (size_t i = 0; i < r->nparties; i++) {
		const struct nngmpc_party *p = &r->parties[i];
		fprintf(f, "party %u %s", (unsigned) p->id, p->address);
		if (p->certkey[0] != '\0') {
			fprintf(f, " %s", p->certkey);
			if (p->server_name[0] != '\0') {
				fprintf(f, " %s", p->server_name);
			}
		}
		fprintf(f, "\n");
	}
	return (fflush(f) == 0 && !ferror(f));
}

bool
nngmpc_roster_save(const char *path, const struct nngmpc_roster *r)
{
	int   fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FILE *f;
	bool  ok;

	if (fd < 0) {
		return (false);
	}
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		return (false);
	}
	ok = nngmpc_roster_print(f, r) && (fsync(fd) == 0);
	ok = (fclose(f) == 0) && ok;
	return (ok);
}

const struct nngmpc_party *
nngmpc_roster_find(const struct nngmpc_roster *r, uint32_t id)
{
	for (size_t i = 0; i < r->nparties; i++) {
		if (r->parties[i].id == id) {
			return (&r->parties[i]);
		}
	}
	return (NULL);
}

bool
nngmpc_roster_url(const struct nngmpc_roster *r, const struct nngmpc_party *p,
    char *url, size_t len)
{
	int n = snprintf(url, len, "%s://%s", r->scheme, p->address);
	return (n > 0 && (size_t) n < len);
}

void
nngmpc_roster_wipe(struct nngmpc_roster *r)
{
	nngmpc_secure_zero(r, sizeof(*r));
}
