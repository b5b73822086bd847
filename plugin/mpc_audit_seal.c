/*
 * mpc_audit_seal.c -- the audit log's cryptography and key files: the hash
 * chain's genesis and line hash (SHA-256), the seal MAC (HMAC-SHA256,
 * RFC 2104) and the one-way key ratchet (HKDF-Expand, RFC 5869 2.3), and
 * the two key files `nngmpc audit keygen` writes.
 *
 * Forward security (as systemd-journald's Forward Secure Sealing, with
 * an HKDF chain instead of FSPRG): seal e is MACed with k_e, then
 * k_{e+1} = HKDF-Expand(k_e, "nng-mpc audit seal ratchet", 32) replaces
 * k_e on disk and in memory.  Whoever takes the machine later finds only
 * k_now and cannot compute an earlier key, so cannot re-seal the past; the
 * auditor's copy of k_0 (audit.verify) derives every epoch's key.
 *
 * Files (text, one "name value" per line, mode 0600):
 *   audit.seal    "nng-mpc audit seal v1", log-id HEX32, epoch N, key HEX64
 *   audit.verify  "nng-mpc audit verify v1", log-id HEX32, key0 HEX64
 *
 * Threading: stateless; callable from any thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/wolfcrypt/hash.h>

#include "mpc_audit.h"
#include "mpc_kdf.h"
#include "mpc_wipe.h"

#define SEAL_MAGIC   "nng-mpc audit seal v1"
#define VERIFY_MAGIC "nng-mpc audit verify v1"
#define KEYFILE_MAX  1024 /* far above the ~150 bytes a key file holds */

void
mpc_audit_hex(char *out, const uint8_t *in, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i]     = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * n] = '\0';
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

bool
mpc_audit_unhex(uint8_t *out, size_t n, const char *hex)
{
	if (hex == NULL || strlen(hex) != 2 * n) {
		return (false);
	}
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(hex[2 * i]);
		int lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			return (false);
		}
		out[i] = (uint8_t) ((hi << 4) | lo);
	}
	return (true);
}

int
mpc_audit_sha256(uint8_t out[MPC_AUDIT_HASH_LEN], const void *p, size_t len)
{
	if (len > UINT32_MAX ||
	    wc_Sha256Hash(p, (word32) len, out) != 0) {
		return (NNG_MPC_ECRYPTO);
	}
	return (0);
}

int
mpc_audit_genesis(uint8_t out[MPC_AUDIT_HASH_LEN],
    const uint8_t log_id[MPC_AUDIT_LOGID_LEN])
{
	char buf[sizeof(MPC_AUDIT_GENESIS) + 2 * MPC_AUDIT_LOGID_LEN];

	memcpy(buf, MPC_AUDIT_GENESIS, sizeof(MPC_AUDIT_GENESIS) - 1);
	mpc_audit_hex(buf + sizeof(MPC_AUDIT_GENESIS) - 1, log_id,
	    MPC_AUDIT_LOGID_LEN);
	return (mpc_audit_sha256(out, buf, strlen(buf)));
}

static void
put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t) (v & 0xff);
		v >>= 8;
	}
}

int
mpc_audit_seal_mac(uint8_t mac[MPC_AUDIT_HASH_LEN],
    const uint8_t key[MPC_AUDIT_KEY_LEN],
    const uint8_t log_id[MPC_AUDIT_LOGID_LEN], uint64_t epoch, uint64_t seq,
    const uint8_t head[MPC_AUDIT_HASH_LEN])
{
	uint8_t       e[8], s[8];
	mpc_kdf_piece pieces[5] = {
		{ .ptr = MPC_AUDIT_MAC_LABEL,
		    .len = sizeof(MPC_AUDIT_MAC_LABEL) - 1 },
		{ .ptr = log_id, .len = MPC_AUDIT_LOGID_LEN },
		{ .ptr = e, .len = sizeof(e) },
		{ .ptr = s, .len = sizeof(s) },
		{ .ptr = head, .len = MPC_AUDIT_HASH_LEN },
	};

	put_be64(e, epoch);
	put_be64(s, seq);
	return (mpc_hmac_sha256_pieces(
	    mac, key, MPC_AUDIT_KEY_LEN, pieces, 5));
}

int
mpc_audit_ratchet(uint8_t key[MPC_AUDIT_KEY_LEN])
{
	uint8_t next[MPC_AUDIT_KEY_LEN];
	int     rv;

	rv = mpc_hkdf_expand(next, sizeof(next), key, MPC_AUDIT_KEY_LEN,
	    MPC_AUDIT_RATCHET, sizeof(MPC_AUDIT_RATCHET) - 1);
	if (rv == 0) {
		memcpy(key, next, MPC_AUDIT_KEY_LEN);
	}
	mpc_wipe(next, sizeof(next));
	return (rv);
}

/* ---- key files -------------------------------------------------------- */

static int
errno_to_nng(int e)
{
	switch (e) {
	case ENOENT:
		return (NNG_ENOENT);
	case EACCES:
	case EPERM:
		return (NNG_EPERM);
	case EEXIST:
		return (NNG_EEXIST);
	case ENOMEM:
		return (NNG_ENOMEM);
	case ENOSPC:
		return (NNG_ENOSPC);
	default:
		return (NNG_ESYSERR + e);
	}
}

/* Writes len bytes to path via a 0600 temporary file in the same
 * directory, fsynced, then linked (no replace) or renamed (replace) into
 * place, then the directory fsynced.  0 or an NNG error. */
static int
write_atomic(const char *path, const char *data, size_t len, bool replace)
{
	char   tmp[PATH_MAX];
	char   dir[PATH_MAX];
	char * slash;
	int    fd, rv = 0;
	size_t off = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long) getpid()) >=
	    (int) sizeof(tmp)) {
		return (NNG_EINVAL);
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd < 0) {
		return (errno_to_nng(errno));
	}
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			rv = errno_to_nng(n < 0 ? errno : EIO);
			break;
		}
		off += (size_t) n;
	}
	if (rv == 0 && fsync(fd) != 0) {
		rv = errno_to_nng(errno);
	}
	(void) close(fd);
	if (rv == 0) {
		if (replace) {
			if (rename(tmp, path) != 0) {
				rv = errno_to_nng(errno);
			}
		} else if (link(tmp, path) != 0) {
			rv = errno_to_nng(errno);
		}
	}
	(void) unlink(tmp);
	if (rv == 0) {
		/* The rename itself is durable only once the directory is. */
		snprintf(dir, sizeof(dir), "%s", path);
		slash = strrchr(dir, '/');
		if (slash == NULL) {
			snprintf(dir, sizeof(dir), ".");
		} else if (slash == dir) {
			dir[1] = '\0';
		} else {
			*slash = '\0';
		}
		if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
			(void) fsync(fd);
			(void) close(fd);
		}
	}
	return (rv);
}

int
mpc_audit_keygen(const char *dir, bool force, char *msg, size_t msgsz)
{
	struct mpc_audit_state st;
	char   hid[2 * MPC_AUDIT_LOGID_LEN + 1];
	char   hkey[2 * MPC_AUDIT_KEY_LEN + 1];
	char   text[KEYFILE_MAX];
	char   path[PATH_MAX];
	int    n, rv = 0;

	msg[0] = '\0';
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		rv = errno_to_nng(errno);
		snprintf(msg, msgsz, "cannot create %s: %s", dir,
		    strerror(errno));
		return (rv);
	}
	if (getrandom(&st, sizeof(st), 0) != (ssize_t) sizeof(st)) {
		snprintf(msg, msgsz, "getrandom failed");
		rv = NNG_ECRYPTO;
		goto out;
	}
	st.epoch = 0;
	mpc_audit_hex(hid, st.log_id, sizeof(st.log_id));
	mpc_audit_hex(hkey, st.key, sizeof(st.key));

	/* audit.verify first: a node must never hold a sealing state whose
	 * k_0 the auditor does not have. */
	n = snprintf(text, sizeof(text), "%s\nlog-id %s\nkey0 %s\n",
	    VERIFY_MAGIC, hid, hkey);
	snprintf(path, sizeof(path), "%s/%s", dir, MPC_AUDIT_VERIFY_FILE);
	if ((rv = write_atomic(path, text, (size_t) n, force)) != 0) {
		snprintf(msg, msgsz, "cannot write %s: %s", path,
		    rv == NNG_EEXIST ? "file exists (use --force)"
		                     : nng_mpc_strerror(rv));
		goto out;
	}
	n = snprintf(text, sizeof(text), "%s\nlog-id %s\nepoch 0\nkey %s\n",
	    SEAL_MAGIC, hid, hkey);
	snprintf(path, sizeof(path), "%s/%s", dir, MPC_AUDIT_SEAL_FILE);
	if ((rv = write_atomic(path, text, (size_t) n, force)) != 0) {
		snprintf(msg, msgsz, "cannot write %s: %s", path,
		    rv == NNG_EEXIST ? "file exists (use --force)"
		                     : nng_mpc_strerror(rv));
		goto out;
	}
out:
	mpc_wipe(&st, sizeof(st));
	mpc_wipe(hkey, sizeof(hkey));
	mpc_wipe(text, sizeof(text));
	return (rv);
}

/* The value of "name value" on the line starting at *p; advances *p past
 * the line.  Copies at most vsz-1 bytes; false if the name differs. */
static bool
take_line(const char **p, const char *name, char *val, size_t vsz)
{
	const char *nl  = strchr(*p, '\n');
	size_t      nlen = strlen(name);
	size_t      len;

	if (nl == NULL || strncmp(*p, name, nlen) != 0) {
		return (false);
	}
	if (name[nlen - 1] != ' ' && *p + nlen != nl) {
		return (false); /* the magic line: exactly the name */
	}
	len = (size_t) (nl - (*p + nlen));
	if (len >= vsz) {
		return (false);
	}
	memcpy(val, *p + nlen, len);
	val[len] = '\0';
	*p = nl + 1;
	return (true);
}

static bool
parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0' || (s[0] == '0' && s[1] != '\0')) {
		return (false);
	}
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' ||
		    v > (UINT64_MAX - (uint64_t) (*s - '0')) / 10) {
			return (false);
		}
		v = v * 10 + (uint64_t) (*s - '0');
	}
	*out = v;
	return (true);
}

int
mpc_audit_state_load(struct mpc_audit_state *st, const char *path,
    bool verify_file, char *msg, size_t msgsz)
{
	char        text[KEYFILE_MAX];
	char        val[KEYFILE_MAX];
	const char *p = text;
	ssize_t     n;
	int         fd, rv = NNG_MPC_EAUDITKEY;
	bool        ok;

	memset(st, 0, sizeof(*st));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(msg, msgsz, "cannot open %s: %s", path,
		    strerror(errno));
		return (rv);
	}
	n = read(fd, text, sizeof(text) - 1);
	(void) close(fd);
	if (n < 0 || n >= (ssize_t) sizeof(text) - 1) {
		snprintf(msg, msgsz, "%s: unreadable or too long", path);
		goto out;
	}
	text[n] = '\0';
	ok = take_line(&p, verify_file ? VERIFY_MAGIC : SEAL_MAGIC, val,
	         sizeof(val)) &&
	    take_line(&p, "log-id ", val, sizeof(val)) &&
	    mpc_audit_unhex(st->log_id, sizeof(st->log_id), val);
	if (!ok) {
		snprintf(msg, msgsz, "%s: not an %s file (bad header or log-id)",
		    path, verify_file ? "audit.verify" : "audit.seal");
		goto out;
	}
	if (!verify_file &&
	    !(take_line(&p, "epoch ", val, sizeof(val)) &&
	        parse_u64(val, &st->epoch))) {
		snprintf(msg, msgsz, "%s: bad epoch line", path);
		goto out;
	}
	if (!(take_line(&p, verify_file ? "key0 " : "key ", val, sizeof(val)) &&
	        mpc_audit_unhex(st->key, sizeof(st->key), val)) ||
	    *p != '\0') {
		snprintf(msg, msgsz, "%s: bad key line", path);
		goto out;
	}
	rv = 0;
out:
	mpc_wipe(text, sizeof(text));
	mpc_wipe(val, sizeof(val));
	if (rv != 0) {
		mpc_wipe(st, sizeof(*st));
	}
	return (rv);
}

int
mpc_audit_state_save(const struct mpc_audit_state *st, const char *path)
{
	char hid[2 * MPC_AUDIT_LOGID_LEN + 1];
	char hkey[2 * MPC_AUDIT_KEY_LEN + 1];
	char text[KEYFILE_MAX];
	int  n, rv;

	mpc_audit_hex(hid, st->log_id, sizeof(st->log_id));
	mpc_audit_hex(hkey, st->key, sizeof(st->key));
	n = snprintf(text, sizeof(text), "%s\nlog-id %s\nepoch %" PRIu64
	    "\nkey %s\n", SEAL_MAGIC, hid, st->epoch, hkey);
	rv = write_atomic(path, text, (size_t) n, true);
	mpc_wipe(hkey, sizeof(hkey));
	mpc_wipe(text, sizeof(text));
	return (rv == 0 ? 0 : NNG_MPC_EAUDITKEY);
}
