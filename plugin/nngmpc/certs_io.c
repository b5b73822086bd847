/*
 * Files of `nngmpc certs`; see certs_io.h.  Threading: none.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "certs_io.h"
#include "nngmpc.h"

/* Writes parts (concatenated) to dir/name with `mode`, atomically. */
int
nngmpc_certs_write(const char *cmd, const char *dir, const char *name,
    const char *const *parts,
    const size_t *lens, size_t nparts, mode_t mode, bool replace)
{
	char   path[PATH_MAX];
	char   tmp[PATH_MAX];
	int    fd;
	size_t i;
	int    err = 0;

	(void) snprintf(path, sizeof(path), "%s/%s", dir, name);
	(void) snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name);
	if ((fd = mkstemp(tmp)) < 0) { /* created 0600 */
		nngmpc_error(cmd, "cannot create a file in %s: %s", dir,
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
		    cmd, "cannot write %s: %s", path, strerror(err));
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
		    cmd, "cannot create %s: %s", path, strerror(err));
		if (err == EEXIST) {
			nngmpc_hint("it appeared while certs was running; "
			            "use --force to replace it");
		}
		return (-1);
	}
	return (0);
}

/* Reads a whole (small) file; *buf must be wiped and freed by the caller. */
int
nngmpc_certs_read(const char *cmd, const char *path, char **buf, size_t *len)
{
	FILE  *f;
	char  *b;
	size_t n;

	if ((f = fopen(path, "rb")) == NULL) {
		nngmpc_error(cmd, "cannot read %s: %s", path,
		    strerror(errno));
		return (-1);
	}
	if ((b = calloc(1, NNGMPC_CERTS_READ_MAX + 1)) == NULL) {
		fclose(f);
		nngmpc_error(cmd, "out of memory");
		return (-1);
	}
	n = fread(b, 1, NNGMPC_CERTS_READ_MAX + 1, f);
	if (ferror(f) || n == 0 || n > NNGMPC_CERTS_READ_MAX) {
		nngmpc_error(cmd, "cannot read %s: %s", path,
		    ferror(f) ? "read error"
		              : (n == 0 ? "file is empty" : "file too large"));
		explicit_bzero(b, NNGMPC_CERTS_READ_MAX + 1);
		free(b);
		fclose(f);
		return (-1);
	}
	fclose(f);
	*buf = b;
	*len = n;
	return (0);
}

/* Loads DIR's CA; errors explain what to do. */
int
nngmpc_certs_load_ca(const char *cmd, const char *dir, time_t now, mpc_certgen_ca **ca)
{
	char   cpath[PATH_MAX];
	char   kpath[PATH_MAX];
	char  *cert = NULL;
	char  *key  = NULL;
	size_t clen = 0;
	size_t klen = 0;
	int    rv   = -1;
	int    err;

	(void) snprintf(cpath, sizeof(cpath), "%s/ca.pem", dir);
	(void) snprintf(kpath, sizeof(kpath), "%s/ca.key", dir);
	if (nngmpc_certs_read(cmd, cpath, &cert, &clen) != 0 ||
	    nngmpc_certs_read(cmd, kpath, &key, &klen) != 0) {
		goto out;
	}
	err = mpc_certgen_ca_load(ca, cert, clen, key, klen, now);
	if (err != MPC_CERTGEN_OK) {
		nngmpc_error(cmd, "cannot reuse the CA in %s: %s", dir,
		    mpc_certgen_strerror(err));
		nngmpc_hint("use --force to make a new CA there (certificates "
		            "from the old CA will stop verifying), or choose "
		            "another --out");
		goto out;
	}
	rv = 0;
out:
	if (key != NULL) {
		explicit_bzero(key, NNGMPC_CERTS_READ_MAX + 1);
		free(key);
	}
	free(cert);
	return (rv);
}

