/*
 * mpc_diag_hint.c -- for a diagnostics line: the reason's symbolic name,
 * what to fix for the causes operators meet, and which TLS check failed
 * (the transport sees a failed TLS handshake only as NNG_EPEERAUTH or a
 * closed connection; the engine's per-reason counters,
 * crypto/mpc_tls_register.c, say why).
 *
 * Threading: const tables only.
 */
#include <stddef.h>

#include <nng/nng.h>

#include "mpc_diag.h"

/* NNG's own codes a connection event can carry (nng_mpc_errname knows
 * only ours). */
static const struct {
	int         rv;
	const char *name;
} nng_names[] = {
	{ NNG_EPEERAUTH, "NNG_EPEERAUTH" },
	{ NNG_ECRYPTO, "NNG_ECRYPTO" },
	{ NNG_ECONNSHUT, "NNG_ECONNSHUT" },
	{ NNG_ECONNRESET, "NNG_ECONNRESET" },
	{ NNG_ECONNREFUSED, "NNG_ECONNREFUSED" },
	{ NNG_ECONNABORTED, "NNG_ECONNABORTED" },
	{ NNG_ETIMEDOUT, "NNG_ETIMEDOUT" },
	{ NNG_ECLOSED, "NNG_ECLOSED" },
	{ NNG_EPROTO, "NNG_EPROTO" },
	{ NNG_ENOMEM, "NNG_ENOMEM" },
	{ NNG_EMSGSIZE, "NNG_EMSGSIZE" },
	{ NNG_EADDRINVAL, "NNG_EADDRINVAL" },
	{ NNG_EUNREACHABLE, "NNG_EUNREACHABLE" },
};

const char *
mpc_diag_reason_name(int rv)
{
	const char *name = nng_mpc_errname(rv);

	for (size_t i = 0; (name == NULL) && (i < sizeof(nng_names) /
	                                                 sizeof(nng_names[0]));
	     i++) {
		if (nng_names[i].rv == rv) {
			name = nng_names[i].name;
		}
	}
	return (name);
}

/* Advice by reason; .dialer when the dialing side needs other words. */
static const struct {
	int         rv;
	const char *any;
	const char *dialer;
} hints[] = {
	{ NNG_MPC_ERELOADREVOKED,
	    "after a reload the peer's certificate no longer passes the CA, "
	    "CRL or pins (revoked, another CA, or not pinned): it is refused "
	    "until it has a certificate the new trust accepts",
	    NULL },
	{ NNG_MPC_ERELOADDENIED,
	    "after a reload the party is no longer allowed (allow or deny "
	    "list, or no longer in the roster): it is refused from now on",
	    NULL },
	{ NNG_MPC_EPARTYCERT,
	    "the peer's certificate is for another party than the ID it "
	    "claims: give that node the certificate made for its own party "
	    "(nngmpc certs ... party<ID>.pem) or correct its --id",
	    NULL },
	{ NNG_MPC_ESESSIONID,
	    "the peer is in another session: give every node the same "
	    "roster (session ID)",
	    NULL },
	{ NNG_MPC_EKEYCONFIRM,
	    "the peer holds another session key (or something between us "
	    "altered the channel): give every node the same roster (session "
	    "key)",
	    NULL },
	{ NNG_MPC_EDUPPARTY,
	    "this party is already connected from another instance: stop the "
	    "duplicate (or give it its own party ID and certificate)",
	    "our party is already connected to this peer from another "
	    "instance: stop the duplicate (or give this node its own party "
	    "ID and certificate)" },
	{ NNG_MPC_EREPLACED,
	    "a newer connection of this party replaced the older one; if "
	    "this repeats, two instances of the party are running and "
	    "taking turns: stop one",
	    NULL },
	{ NNG_MPC_ESELFPARTY,
	    "the peer uses our own party ID: two nodes run with the same --id",
	    NULL },
	{ NNG_MPC_ECAPS,
	    "channel binding is on at one end only: set "
	    "NNG_OPT_MPC_CHANNEL_BINDING alike on every node",
	    NULL },
	{ NNG_MPC_EREJECTED,
	    "the peer refused us without a reason we know: read the peer's "
	    "diagnostics",
	    NULL },
	{ NNG_MPC_ENEGOFULL,
	    "the listener's cap on connections negotiating at once was "
	    "reached (a flood or many parties starting together): raise "
	    "NNG_OPT_MPC_MAX_NEGOTIATING if legitimate",
	    NULL },
	{ NNG_MPC_ESOURCEFULL,
	    "this source address reached its cap on connections negotiating "
	    "at once: raise NNG_OPT_MPC_MAX_NEGOTIATING_PER_SOURCE if legitimate",
	    NULL },
	{ NNG_MPC_EHELLO,
	    "the peer does not speak the nng-mpc handshake: is it an mpc+* "
	    "endpoint of the same scheme (mpc+tls+tcp vs mpc+tcp)?",
	    NULL },
	{ NNG_MPC_EHELLOVERSION,
	    "the peer runs another nng-mpc handshake version: upgrade both",
	    NULL },
	{ NNG_MPC_EAUTHLIMIT,
	    "too many frames failed authentication: another session key or "
	    "a tampering path",
	    NULL },
	{ NNG_MPC_EREJECTLIMIT,
	    "too many frames rejected: the peer sends malformed or "
	    "misaddressed frames",
	    NULL },
	{ NNG_MPC_ETLSUNTRUSTED,
	    "the peer's certificate is not signed by our CA: both nodes need "
	    "the same ca.pem (the one `nngmpc certs` wrote with their "
	    "certificates)",
	    NULL },
	{ NNG_MPC_ETLSEXPIRED,
	    "the peer's certificate is expired or not yet valid: renew it "
	    "(and check both clocks)",
	    NULL },
	{ NNG_MPC_ETLSREVOKED,
	    "the peer's certificate is on our CRL: give it a new certificate",
	    NULL },
	{ NNG_MPC_ETLSNAME,
	    "the listener's certificate does not name the host dialed: make "
	    "it with `nngmpc certs --dns NAME --ip ADDR` for the address "
	    "peers dial, or dial the name it carries",
	    NULL },
	{ NNG_MPC_ETLSNOCERT,
	    "the peer sent no certificate: configure its certificate and key",
	    NULL },
	{ NNG_MPC_ETLSPIN,
	    "the peer's key is not among our pins: update the pins or the "
	    "peer's certificate",
	    NULL },
	{ NNG_MPC_ETLSPARTY,
	    "the peer's certificate has a malformed or duplicate party ID: "
	    "reissue it with `nngmpc certs`",
	    NULL },
	{ NNG_MPC_ETLSNOPARTY,
	    "the peer's certificate carries no party ID: issue it with "
	    "`nngmpc certs`",
	    NULL },
	{ NNG_MPC_ETLSALERT,
	    "the peer refused our certificate (another CA, expired, or not "
	    "for the name it expects): read the peer's diagnostics",
	    NULL },
	{ NNG_MPC_ETLSVERSION, "no TLS version in common: both need TLS 1.3",
	    NULL },
	{ NNG_MPC_ETLSCIPHER,
	    "no cipher suite in common: align the TLS cipher settings", NULL },
	{ NNG_MPC_ETLSBADCERT,
	    "the peer's certificate cannot be parsed: reissue it", NULL },
	{ NNG_ETIMEDOUT,
	    "the peer did not finish the handshake in time: is it an mpc+* "
	    "endpoint of the same scheme, and reachable without a proxy "
	    "holding the connection?",
	    NULL },
};

const char *
mpc_diag_hint(int rv, bool dialer)
{
	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++) {
		if (hints[i].rv == rv) {
			return ((dialer && (hints[i].dialer != NULL))
			        ? hints[i].dialer
			        : hints[i].any);
		}
	}
	return (NULL);
}

bool
mpc_diag_tls_failure(int rv)
{
	return ((rv == NNG_EPEERAUTH) || (rv == NNG_ECRYPTO) ||
	    (rv == NNG_ECONNSHUT) || (rv == NNG_ECONNRESET) ||
	    (rv == NNG_MPC_ETLSHANDSHAKE));
}

/* The engine's per-reason counters, in the order a cause is preferred
 * (our own verdict on the peer before "the peer refused us"). */
static const struct {
	size_t off;
	int    rv;
} tls_causes[] = {
	{ offsetof(nng_mpc_tls_stats, untrusted), NNG_MPC_ETLSUNTRUSTED },
	{ offsetof(nng_mpc_tls_stats, expired), NNG_MPC_ETLSEXPIRED },
	{ offsetof(nng_mpc_tls_stats, revoked), NNG_MPC_ETLSREVOKED },
	{ offsetof(nng_mpc_tls_stats, name_mismatch), NNG_MPC_ETLSNAME },
	{ offsetof(nng_mpc_tls_stats, no_peer_cert), NNG_MPC_ETLSNOCERT },
	{ offsetof(nng_mpc_tls_stats, pin_mismatch), NNG_MPC_ETLSPIN },
	{ offsetof(nng_mpc_tls_stats, party_malformed), NNG_MPC_ETLSPARTY },
	{ offsetof(nng_mpc_tls_stats, party_missing), NNG_MPC_ETLSNOPARTY },
	{ offsetof(nng_mpc_tls_stats, bad_cert), NNG_MPC_ETLSBADCERT },
	{ offsetof(nng_mpc_tls_stats, version), NNG_MPC_ETLSVERSION },
	{ offsetof(nng_mpc_tls_stats, no_cipher), NNG_MPC_ETLSCIPHER },
	{ offsetof(nng_mpc_tls_stats, alert_rx), NNG_MPC_ETLSALERT },
};

static uint64_t
tls_ctr(const nng_mpc_tls_stats *s, size_t off)
{
	return (*(const uint64_t *) (const void *) ((const char *) s + off));
}

int
mpc_diag_tls_cause(
    const nng_mpc_tls_stats *before, const nng_mpc_tls_stats *after)
{
	for (size_t i = 0; i < sizeof(tls_causes) / sizeof(tls_causes[0]);
	     i++) {
		if (tls_ctr(after, tls_causes[i].off) >
		    tls_ctr(before, tls_causes[i].off)) {
			return (tls_causes[i].rv);
		}
	}
	return (0);
}
