/*
 * Checks on a party's files; see files.h.  Threading: none.
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

static void
files_err(char *err, size_t errlen, const char *path, const char *fmt, ...)
{
	va_list ap;
	int     n = snprintf(err, errlen, "%s: ", path);

	if (n < 0 || (size_t) n >= errlen) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t) n, fmt, ap);
	va_end(ap);
}

bool
nngmpc_file_private(int fd, const char *path, const char *what, char *err,
    size_t errlen)
{
	struct stat st;
	uid_t       me = geteuid();

	if (fstat(fd, &st) != 0) {
		files_err(err, errlen, path, "cannot check: %s", strerror(errno));
		return (false);
	}
	if (!S_ISREG(st.st_mode)) {
		files_err(err, errlen, path,
		    "not a regular file, and it holds %s; give a file of "
		    "mode 0600",
		    what);
		return (false);
	}
	if (st.st_uid != me && st.st_uid != 0) {
		files_err(err, errlen, path,
		    "owned by uid %u, not by this user (uid %u) or root, and "
		    "it holds %s; run: chown %u %s",
		    (unsigned) st.st_uid, (unsigned) me, what, (unsigned) me,
		    path);
		return (false);
	}
	if ((st.st_mode & 077) != 0) {
		files_err(err, errlen, path,
		    "mode %04o lets group or others %s it, and it holds %s; "
		    "run: chmod 600 %s",
		    (unsigned) (st.st_mode & 07777),
		    (st.st_mode & 044) != 0 ? "read" : "write", what, path);
		return (false);
	}
	return (true);
}

/* Reads up to NNGMPC_FILES_PEM_MAX bytes of path into a NUL-terminated
 * buffer (wiped and freed by files_release).  With `what`, the file must
 * also be private. */
static char *
files_read(const char *path, const char *what, char *err, size_t errlen,
    size_t *len)
{
	int     fd = open(path, O_RDONLY | O_CLOEXEC);
	char   *buf;
	size_t  n = 0;
	ssize_t r;

	if (fd < 0) {
		int e = errno;
		files_err(err, errlen, path, "cannot open: %s%s", strerror(e),
		    e == ENOENT ? " (check the path in the roster, relative "
		                  "paths start at the roster's directory)"
		                : "");
		return (NULL);
	}
	if (what != NULL && !nngmpc_file_private(fd, path, what, err, errlen)) {
		close(fd);
		return (NULL);
	}
	if ((buf = malloc(NNGMPC_FILES_PEM_MAX + 1)) == NULL) {
		files_err(err, errlen, path, "out of memory");
		close(fd);
		return (NULL);
	}
	while (n < NNGMPC_FILES_PEM_MAX &&
	    (r = read(fd, buf + n, NNGMPC_FILES_PEM_MAX - n)) != 0) {
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			files_err(err, errlen, path, "cannot read: %s",
			    strerror(errno));
			nngmpc_secure_zero(buf, n);
			free(buf);
			close(fd);
			return (NULL);
		}
		n += (size_t) r;
	}
	close(fd);
	buf[n] = '\0';
	*len   = n;
	return (buf);
}

static void
files_release(char *buf, size_t len)
{
	nngmpc_secure_zero(buf, len);
	free(buf);
}

#define PEM_CERT "-----BEGIN CERTIFICATE-----"

/* Any PEM private key: PKCS#8 (plain or encrypted), SEC1 or PKCS#1. */
static bool
files_has_key(const char *pem)
{
	static const char *const labels[] = {
		"-----BEGIN PRIVATE KEY-----",
		"-----BEGIN ENCRYPTED PRIVATE KEY-----",
		"-----BEGIN EC PRIVATE KEY-----",
		"-----BEGIN RSA PRIVATE KEY-----",
	};
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		if (strstr(pem, labels[i]) != NULL) {
			return (true);
		}
	}
	return (false);
}

bool
nngmpc_file_check_cert(const char *path, char *err, size_t errlen)
{
	size_t len = 0;
	char  *pem = files_read(path, NULL, err, errlen, &len);
	bool   ok;

	if (pem == NULL) {
		return (false);
	}
	if (!(ok = strstr(pem, PEM_CERT) != NULL)) {
		(void) snprintf(err, errlen,
		    "%s holds no PEM certificate (expected '" PEM_CERT "'): "
		    "give the CA's certificate, e.g. ca.pem from nngmpc certs",
		    path);
	}
	files_release(pem, len);
	return (ok);
}

bool
nngmpc_file_check_certkey(const char *path, char *err, size_t errlen)
{
	size_t len = 0;
	char  *pem = files_read(path, "a private key", err, errlen, &len);
	bool   cert, key;

	if (pem == NULL) {
		return (false);
	}
	cert = strstr(pem, PEM_CERT) != NULL;
	key  = files_has_key(pem);
	files_release(pem, len);
	if (cert && !key) {
		(void) snprintf(err, errlen,
		    "%s holds a certificate but no private key: give the "
		    "party<ID>.certkey.pem file nngmpc certs writes, or append "
		    "the key to it (cat party<ID>.key >> %s)",
		    path, path);
		return (false);
	}
	if (!cert) {
		(void) snprintf(err, errlen,
		    "%s holds %s: give the party<ID>.certkey.pem file nngmpc "
		    "certs writes (certificate, then key)",
		    path,
		    key ? "a private key but no certificate"
		        : "neither a PEM certificate nor a private key");
		return (false);
	}
	return (true);
}
