/*
 * mpc_strerror.c -- names and human-readable strings of nng-mpc's error
 * codes (NNG_MPC_ERRBASE + 1..191, declared in include/nng_mpc.h).
 *
 * One table, indexed by (code - NNG_MPC_ERRBASE), with one section per
 * area; each area adds its codes in its own section only:
 *     1..31   wire format
 *    32..63   message crypto
 *    64..95   transport and handshake
 *    96..127  TLS engine and identity
 *   128..159  audit log
 *   160..191  delivery streams and broadcast evidence
 * A code without an entry, and every value outside the range, falls back
 * to nng_strerror().
 *
 * Threading: read-only data; callable from any thread.
 */
#include <stddef.h>

#include "nng_mpc.h"

#define MPC_ERR_SLOTS 192

struct mpc_errent {
	const char *name;
	const char *text;
};

#define MPC_ERR(code, str) \
	[(code) - NNG_MPC_ERRBASE] = { .name = #code, .text = (str) }

static const struct mpc_errent mpc_errtab[MPC_ERR_SLOTS] = {
	/* ---- wire format: 1..31 (transport/mpc_frame.c, mpc_envelope.c) */
	MPC_ERR(NNG_MPC_ESHORT, "MPC frame shorter than its 48-byte header"),
	MPC_ERR(NNG_MPC_EMAGIC, "MPC frame has a bad magic"),
	MPC_ERR(NNG_MPC_EVERSION, "MPC frame has an unknown wire version"),
	MPC_ERR(NNG_MPC_EFLAGS, "MPC frame has unknown flag bits set"),
	MPC_ERR(NNG_MPC_ERESERVED, "MPC frame reserved field is not zero"),
	MPC_ERR(NNG_MPC_ETYPE, "MPC message type is not defined"),
	MPC_ERR(NNG_MPC_ESENDERNONE, "MPC frame sender party ID is unset (0)"),
	MPC_ERR(NNG_MPC_ESENDERBCAST,
	    "MPC frame sender party ID is the broadcast ID"),
	MPC_ERR(NNG_MPC_ERCPTNONE, "MPC recipient party ID is unset (0)"),
	MPC_ERR(NNG_MPC_ESELF, "MPC frame sender and recipient are the same party"),
	MPC_ERR(NNG_MPC_ETOOBIG,
	    "MPC frame payload length exceeds the receive limit"),
	MPC_ERR(NNG_MPC_ETRUNCATED,
	    "MPC frame shorter than its declared payload length"),
	MPC_ERR(NNG_MPC_ETRAILING, "MPC frame followed by unexpected bytes"),
	MPC_ERR(NNG_MPC_ESESSION, "MPC frame belongs to another session"),
	MPC_ERR(NNG_MPC_EPEER,
	    "MPC frame sender is not the authenticated peer"),
	MPC_ERR(NNG_MPC_ENOTFORME,
	    "MPC frame is addressed to another party"),
	MPC_ERR(NNG_MPC_ECONTROL,
	    "MPC message type is reserved for the transport's control frames"),
	MPC_ERR(NNG_MPC_EENVSHORT, "MPC envelope prefix is truncated"),
	MPC_ERR(NNG_MPC_EENVFLAGS, "MPC envelope prefix has unknown flag bits set"),
	MPC_ERR(NNG_MPC_ENOENVELOPE, "Message carries no MPC envelope"),

	/* ---- message crypto: 32..63 (crypto/mpc_channel.c, mpc_aead.c,
	 * mpc_replay.c, mpc_kdf.c) */
	MPC_ERR(NNG_MPC_EAUTH,
	    "MPC authentication failed: the tag or MAC does not verify"),
	MPC_ERR(NNG_MPC_EREPLAY, "MPC frame sequence number already received"),
	MPC_ERR(NNG_MPC_ETOOOLD,
	    "MPC frame sequence number is left of the replay window"),
	MPC_ERR(NNG_MPC_ESEQLIMIT,
	    "MPC frame sequence number is at or past the per-key limit"),
	MPC_ERR(NNG_MPC_EEPOCHGONE,
	    "MPC frame key epoch is unknown or already wiped"),
	MPC_ERR(NNG_MPC_EEPOCHAHEAD,
	    "MPC frame key epoch is more than one ahead"),
	MPC_ERR(NNG_MPC_EAUTHLIMIT,
	    "MPC channel exceeded its authentication-failure limit"),
	MPC_ERR(NNG_MPC_EKEYLIMIT,
	    "MPC channel has no key left to seal under (key limit reached)"),
	MPC_ERR(NNG_MPC_ECRYPTOARG,
	    "MPC crypto argument or state is invalid"),
	MPC_ERR(NNG_MPC_ECRYPTO, "MPC crypto library failed unexpectedly"),

	/* ---- transport and handshake: 64..95 */
	MPC_ERR(NNG_MPC_EHELLO, "MPC handshake record is malformed"),
	MPC_ERR(NNG_MPC_EHELLOVERSION,
	    "Peer speaks an unsupported MPC handshake version"),
	MPC_ERR(NNG_MPC_ESESSIONID,
	    "Peer belongs to another MPC session (session ID differs)"),
	MPC_ERR(NNG_MPC_EKEYCONFIRM,
	    "MPC key confirmation failed: the peer holds another session key "
	    "or is on another TLS channel"),
	MPC_ERR(NNG_MPC_EPARTYCERT,
	    "Peer's claimed party ID differs from the one in its certificate"),
	MPC_ERR(NNG_MPC_EDUPPARTY,
	    "A connection to this party already exists on the socket"),
	MPC_ERR(NNG_MPC_ESELFPARTY, "Peer claims our own party ID"),
	MPC_ERR(NNG_MPC_ECAPS,
	    "MPC channel binding is enabled on one side only"),
	MPC_ERR(NNG_MPC_EREJECTED, "Peer refused the MPC handshake"),
	MPC_ERR(NNG_MPC_ENOPARTYID,
	    "MPC party ID is not set (NNG_OPT_MPC_PARTY_ID)"),
	MPC_ERR(NNG_MPC_ENOSESSIONID,
	    "MPC session ID is not set (NNG_OPT_MPC_SESSION_ID)"),
	MPC_ERR(NNG_MPC_ENOSESSIONKEY,
	    "MPC session key is not set (NNG_OPT_MPC_SESSION_KEY)"),
	MPC_ERR(NNG_MPC_ENOIDENTITY,
	    "Peer's TLS party identity or channel binding is unavailable"),
	MPC_ERR(NNG_MPC_EENV,
	    "Malformed NNG_MPC_* environment setting (see stderr)"),
	MPC_ERR(NNG_MPC_ENEGOFULL,
	    "Too many connections negotiating on this listener"),
	MPC_ERR(NNG_MPC_ESOURCEFULL,
	    "Too many connections negotiating from this source address"),
	MPC_ERR(NNG_MPC_EREPLACED,
	    "Pipe replaced by a newer connection of the same party"),
	MPC_ERR(NNG_MPC_EREJECTLIMIT,
	    "Too many refused frames on this pipe: closed"),
	MPC_ERR(NNG_MPC_ECONNRATE,
	    "Too many new connections from this source address"),
	MPC_ERR(NNG_MPC_ETHROTTLEFULL,
	    "Connection admission table full: new source refused"),
	MPC_ERR(NNG_MPC_EPARTYDENIED,
	    "MPC party not allowed on this endpoint (allow/deny list)"),
	MPC_ERR(NNG_MPC_EFILTER,
	    "Connection refused by the application's filter"),
	MPC_ERR(NNG_MPC_ERATELIMIT,
	    "Peer exceeded its rate limit for too long: pipe closed"),
	MPC_ERR(NNG_MPC_EDEADPEER,
	    "Peer stopped answering heartbeats: pipe closed"),
	MPC_ERR(NNG_MPC_EIDLE, "Pipe idle for too long: closed"),
	MPC_ERR(NNG_MPC_ELIFETIME,
	    "Pipe reached its maximum lifetime: closed"),
	MPC_ERR(NNG_MPC_ERELOADREVOKED,
	    "Peer no longer trusted after reload: pipe closed"),
	MPC_ERR(NNG_MPC_ERELOADDENIED,
	    "Party no longer allowed after reload: pipe closed"),

	/* ---- TLS engine and identity: 96..127 */
	MPC_ERR(NNG_MPC_ETLSNOTOURS,
	    "Object does not belong to the nng-mpc wolfSSL TLS engine"),
	MPC_ERR(NNG_MPC_ETLSNOTREADY, "TLS handshake not complete"),
	MPC_ERR(NNG_MPC_ETLSUNTRUSTED,
	    "TLS peer certificate chain is not trusted"),
	MPC_ERR(NNG_MPC_ETLSEXPIRED,
	    "TLS peer certificate is expired or not yet valid"),
	MPC_ERR(NNG_MPC_ETLSREVOKED, "TLS peer certificate is revoked"),
	MPC_ERR(NNG_MPC_ETLSNAME,
	    "TLS peer certificate does not match the server name"),
	MPC_ERR(NNG_MPC_ETLSNOCERT,
	    "TLS peer sent no certificate where one is required"),
	MPC_ERR(NNG_MPC_ETLSPIN, "TLS peer key is not in the pin set"),
	MPC_ERR(NNG_MPC_ETLSPARTY,
	    "TLS peer certificate has a malformed or duplicate party-ID SAN"),
	MPC_ERR(NNG_MPC_ETLSNOPARTY,
	    "TLS peer certificate has no party-ID SAN where one is required"),
	MPC_ERR(NNG_MPC_ETLSVERSION, "TLS peers share no protocol version"),
	MPC_ERR(NNG_MPC_ETLSALERT,
	    "TLS peer rejected the handshake with a fatal alert"),
	MPC_ERR(NNG_MPC_ETLSBADCERT, "TLS certificate is unparsable or unusable"),
	MPC_ERR(NNG_MPC_ETLSKEY,
	    "TLS private key is unusable (wrong password or not the certificate's key)"),
	MPC_ERR(NNG_MPC_ETLSCIPHER,
	    "TLS cipher suite unknown, or none in common"),
	MPC_ERR(NNG_MPC_ETLSGROUP, "TLS key-exchange group unknown"),
	MPC_ERR(NNG_MPC_ETLSTOOMANY, "More TLS certificate pins than allowed"),
	MPC_ERR(NNG_MPC_ETLSEXPORT,
	    "TLS exporter refused: bad label or length"),
	MPC_ERR(NNG_MPC_ETLSHANDSHAKE, "TLS handshake failed"),
	MPC_ERR(NNG_MPC_ETLSNOTRUST,
	    "TLS configuration has no trust anchor (CA) and no pins: it "
	    "cannot authenticate a peer"),
	MPC_ERR(NNG_MPC_ETLSFORGOTTEN,
	    "TLS handshake secrets already freed or never kept: no exporter"),

	/* ---- audit log: 128..159 (plugin/mpc_audit_*.c) */
	MPC_ERR(NNG_MPC_EAUDITKEY,
	    "Audit sealing state is missing, unreadable or malformed"),
	MPC_ERR(NNG_MPC_EAUDITLOG,
	    "Existing audit log cannot be continued (damaged or foreign tail)"),
	MPC_ERR(NNG_MPC_EAUDITSTATE,
	    "Audit sealing state does not match the log"),
	MPC_ERR(NNG_MPC_EAUDITBAD, "Audit log failed verification"),

	/* ---- delivery: 160..191 (transport/mpc_deliver.c,
	 * transport/mpc_evidence.c, crypto/mpc_sign.c) */
	MPC_ERR(NNG_MPC_EWINDOWFULL,
	    "MPC delivery window full: the peer has not acknowledged enough"),
	MPC_ERR(NNG_MPC_EDUPLICATE,
	    "MPC stream message already delivered: duplicate discarded"),
	MPC_ERR(NNG_MPC_EGAP,
	    "MPC stream skips a message: the peer broke the delivery stream"),
	MPC_ERR(NNG_MPC_EACKAHEAD,
	    "MPC acknowledgement of a message that was never sent"),
	MPC_ERR(NNG_MPC_ESTREAMRESET,
	    "MPC peer restarted its delivery stream: its undelivered messages "
	    "are lost"),
	MPC_ERR(NNG_MPC_EDELIVERCTL,
	    "MPC delivery record malformed or out of place"),
	MPC_ERR(NNG_MPC_EEVIDENCE,
	    "MPC equivocation evidence or broadcast statement malformed"),
	MPC_ERR(NNG_MPC_EEVIDSIG,
	    "MPC broadcast statement signature does not verify"),
	MPC_ERR(NNG_MPC_EEVIDCERT,
	    "MPC evidence certificate not trusted by the CA or not the "
	    "sender's"),
	MPC_ERR(NNG_MPC_ENOCONFLICT,
	    "MPC statements do not conflict (same payload or different "
	    "messages)"),
	MPC_ERR(NNG_MPC_ESIGNKEY,
	    "MPC signing key unusable (ECDSA P-256 or P-384 required)"),
	MPC_ERR(NNG_MPC_EUNDELIVERED,
	    "MPC messages still unacknowledged by their parties when the "
	    "drain ended"),
	MPC_ERR(NNG_MPC_ENOTCONNECTED,
	    "MPC recipient party not connected within the send timeout"),
	MPC_ERR(NNG_MPC_ESENDSELF,
	    "MPC message addressed to our own party"),
	MPC_ERR(NNG_MPC_ENOTINSESSION,
	    "MPC recipient is not a party of the session"),
	MPC_ERR(NNG_MPC_ESENDPROTO,
	    "MPC delivery send needs a bus0 or pair1 socket"),
	MPC_ERR(NNG_MPC_EEQUIVOCATION,
	    "MPC party equivocated: it broadcast two payloads as one message"),
	MPC_ERR(NNG_MPC_EECHOFRAME,
	    "MPC signed broadcast, echo or certificate frame malformed"),
	MPC_ERR(NNG_MPC_EECHOSIG,
	    "MPC broadcast statement signature does not verify with the "
	    "sender's certificate"),
	MPC_ERR(NNG_MPC_EECHOCERT,
	    "MPC announced certificate is not the peer's or not trusted"),
	MPC_ERR(NNG_MPC_EECHOTIMEOUT,
	    "MPC broadcast not delivered: echoes missing at the timeout"),
	MPC_ERR(NNG_MPC_EECHOKEY,
	    "MPC broadcast echo over TLS needs our certificate key"),
	MPC_ERR(NNG_MPC_EECHOFULL,
	    "MPC too many broadcasts held for echoes: one was not delivered"),
	MPC_ERR(NNG_MPC_EECHOUNSIGNED,
	    "MPC broadcast echoes disagree without signatures: nobody proven"),
};

static const struct mpc_errent *
mpc_errent_find(int err)
{
	/* Compared as unsigned offsets so no negative index is possible. */
	unsigned off = (unsigned) err - (unsigned) NNG_MPC_ERRBASE;

	if (err < NNG_MPC_ERRBASE || off >= MPC_ERR_SLOTS ||
	    mpc_errtab[off].text == NULL) {
		return (NULL);
	}
	return (&mpc_errtab[off]);
}

const char *
nng_mpc_strerror(int err)
{
	const struct mpc_errent *e = mpc_errent_find(err);

	return (e != NULL ? e->text : nng_strerror(err));
}

const char *
nng_mpc_errname(int err)
{
	const struct mpc_errent *e = mpc_errent_find(err);

	return (e != NULL ? e->name : NULL);
}
