/*
 * Certificate names of `nngmpc certs`; see certs_names.h.  Threading: none.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "certs_names.h"

static bool
names_full(char *err, size_t errlen)
{
	(void) snprintf(err, errlen,
	    "more than %u DNS names or %u IP addresses for one certificate",
	    MPC_CERTGEN_NAMES_MAX, MPC_CERTGEN_NAMES_MAX);
	return (false);
}

static bool
names_label_ok(const char *l, size_t n)
{
	if (n == 0 || n > 63 || l[0] == '-' || l[n - 1] == '-') {
		return (false);
	}
	for (size_t i = 0; i < n; i++) {
		if (!isalnum((unsigned char) l[i]) && l[i] != '-') {
			return (false);
		}
	}
	return (true);
}

bool
nngmpc_names_add_dns(
    struct nngmpc_names *n, const char *name, char *err, size_t errlen)
{
	size_t      len = strlen(name);
	const char *p   = name;
	char        low[NNGMPC_DNS_NAME_MAX + 1];

	if (len > NNGMPC_DNS_NAME_MAX) {
		(void) snprintf(err, errlen,
		    "DNS name '%.40s...' is longer than %u characters", name,
		    NNGMPC_DNS_NAME_MAX);
		return (false);
	}
	if (strncmp(p, "*.", 2) == 0) {
		p += 2; /* a wildcard only as the whole first label */
	}
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t      l   = dot != NULL ? (size_t) (dot - p) : strlen(p);

		if (!names_label_ok(p, l)) {
			(void) snprintf(err, errlen,
			    "'%s' is not a DNS name (labels of 1..63 letters, "
			    "digits or '-', not starting or ending with '-', "
			    "joined by '.'; '*.' may start it)",
			    name);
			return (false);
		}
		if (dot == NULL) {
			break;
		}
		p = dot + 1;
	}
	for (size_t i = 0; i <= len; i++) {
		low[i] = (char) tolower((unsigned char) name[i]);
	}
	for (size_t i = 0; i < n->cg.ndns; i++) {
		if (strcmp(n->dns[i], low) == 0) {
			return (true);
		}
	}
	if (n->cg.ndns == MPC_CERTGEN_NAMES_MAX) {
		return (names_full(err, errlen));
	}
	memcpy(n->dns[n->cg.ndns], low, len + 1);
	n->cg.dns[n->cg.ndns] = n->dns[n->cg.ndns];
	n->cg.ndns++;
	return (true);
}

static bool
names_add_raw_ip(struct nngmpc_names *n, const uint8_t *ip, uint8_t iplen,
    char *err, size_t errlen)
{
	for (size_t i = 0; i < n->cg.nip; i++) {
		if (n->cg.iplen[i] == iplen &&
		    memcmp(n->cg.ip[i], ip, iplen) == 0) {
			return (true);
		}
	}
	if (n->cg.nip == MPC_CERTGEN_NAMES_MAX) {
		return (names_full(err, errlen));
	}
	memcpy(n->cg.ip[n->cg.nip], ip, iplen);
	n->cg.iplen[n->cg.nip] = iplen;
	n->cg.nip++;
	return (true);
}

/* 4 or 16 bytes of a textual address, 0 if it is none. */
static uint8_t
names_parse_ip(const char *addr, uint8_t out[16])
{
	if (inet_pton(AF_INET, addr, out) == 1) {
		return (4);
	}
	if (inet_pton(AF_INET6, addr, out) == 1) {
		return (16);
	}
	return (0);
}

bool
nngmpc_names_add_ip(
    struct nngmpc_names *n, const char *addr, char *err, size_t errlen)
{
	uint8_t ip[16];
	uint8_t len = names_parse_ip(addr, ip);

	if (len == 0) {
		(void) snprintf(err, errlen,
		    "'%s' is not an IPv4 or IPv6 address (e.g. 10.0.0.1, "
		    "fd00::1)",
		    addr);
		return (false);
	}
	return (names_add_raw_ip(n, ip, len, err, errlen));
}

bool
nngmpc_names_add_host(
    struct nngmpc_names *n, const char *host, char *err, size_t errlen)
{
	char    buf[NNGMPC_DNS_NAME_MAX + 1];
	size_t  len = strlen(host);
	uint8_t ip[16];
	uint8_t iplen;

	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		host++;
		len -= 2;
	}
	if (len > NNGMPC_DNS_NAME_MAX) {
		(void) snprintf(err, errlen, "host '%.40s...' is too long", host);
		return (false);
	}
	memcpy(buf, host, len);
	buf[len] = '\0';
	if ((iplen = names_parse_ip(buf, ip)) != 0) {
		return (names_add_raw_ip(n, ip, iplen, err, errlen));
	}
	return (nngmpc_names_add_dns(n, buf, err, errlen));
}

bool
nngmpc_names_merge(struct nngmpc_names *to, const struct nngmpc_names *from,
    char *err, size_t errlen)
{
	for (size_t i = 0; i < from->cg.ndns; i++) {
		if (!nngmpc_names_add_dns(to, from->dns[i], err, errlen)) {
			return (false);
		}
	}
	for (size_t i = 0; i < from->cg.nip; i++) {
		if (!names_add_raw_ip(to, from->cg.ip[i], from->cg.iplen[i], err,
		        errlen)) {
			return (false);
		}
	}
	return (true);
}

bool
nngmpc_names_empty(const struct nngmpc_names *n)
{
	return (n->cg.ndns == 0 && n->cg.nip == 0);
}

void
nngmpc_names_format(const struct nngmpc_names *n, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n->cg.ndns + n->cg.nip && used < len; i++) {
		char one[INET6_ADDRSTRLEN];
		int  w;

		if (i < n->cg.ndns) {
			w = snprintf(buf + used, len - used, "%s%s",
			    i > 0 ? ", " : "", n->dns[i]);
		} else {
			size_t k = i - n->cg.ndns;
			(void) inet_ntop(n->cg.iplen[k] == 4 ? AF_INET : AF_INET6,
			    n->cg.ip[k], one, sizeof(one));
			w = snprintf(buf + used, len - used, "%s%s",
			    i > 0 ? ", " : "", one);
		}
		if (w < 0) {
			return;
		}
		used += (size_t) w;
	}
}
