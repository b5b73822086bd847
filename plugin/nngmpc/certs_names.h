/*
 * The DNS names and IP addresses a party certificate carries (its
 * subjectAltNames besides mpc://party/<id>), as `nngmpc certs` takes them
 * from --dns, --ip and a roster's addresses and server names.  Checked
 * here, so a name no TLS client could match is refused with the reason.
 * Threading: none.
 */
#ifndef NNG_MPC_NNGMPC_CERTS_NAMES_H
#define NNG_MPC_NNGMPC_CERTS_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#include "mpc_certgen.h"

#define NNGMPC_DNS_NAME_MAX 253 /* RFC 1035 §2.3.4, without the final dot */

struct nngmpc_names {
	struct mpc_certgen_names cg; /* cg.dns[i] points into dns[i] */
	char dns[MPC_CERTGEN_NAMES_MAX][NNGMPC_DNS_NAME_MAX + 1];
};

/* A host name (RFC 1123 §2.1: letters, digits, '-' inside labels of 1..63,
 * at most 253 in all; "*." first for a wildcard); stored lowercase.  A
 * name already present is not added twice. */
bool nngmpc_names_add_dns(struct nngmpc_names *n, const char *name,
    char *err, size_t errlen) __attribute__((warn_unused_result));

/* An IPv4 or IPv6 address in text form. */
bool nngmpc_names_add_ip(struct nngmpc_names *n, const char *addr,
    char *err, size_t errlen) __attribute__((warn_unused_result));

/* A host as a roster gives it (an address's host, "[v6]" allowed, or a
 * server name): an IP address if it is one, else a DNS name. */
bool nngmpc_names_add_host(struct nngmpc_names *n, const char *host,
    char *err, size_t errlen) __attribute__((warn_unused_result));

/* Adds every name of `from` to `to`. */
bool nngmpc_names_merge(struct nngmpc_names *to,
    const struct nngmpc_names *from, char *err, size_t errlen)
    __attribute__((warn_unused_result));

bool nngmpc_names_empty(const struct nngmpc_names *n);

/* "node1.example, 10.0.0.1" into buf (for progress lines). */
void nngmpc_names_format(const struct nngmpc_names *n, char *buf,
    size_t len);

#endif /* NNG_MPC_NNGMPC_CERTS_NAMES_H */
