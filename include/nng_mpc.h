/*
 * nng_mpc.h -- the public interface of nng-mpc, the secure MPC message
 * channel for NNG.  Include it next to <nng/nng.h>.
 *
 * Everything declared here exists and is documented where it is declared.
 * Error codes are NNG transport errors (NNG_ETRANERR + n), so every NNG call
 * can return them and nng_strerror() still prints something; use
 * nng_mpc_strerror() for the specific text.
 */
#ifndef NNG_MPC_H
#define NNG_MPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nng/nng.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================
 * Errors
 * ====================================================================== */

/* First nng-mpc error code; every code is NNG_MPC_ERRBASE + n. */
#define NNG_MPC_ERRBASE NNG_ETRANERR

/* BEGIN errors: wire format (frame parsing) */
/*
 * Wire-format rejections, NNG_MPC_ERRBASE + 1..31.  Each rejection of a
 * frame header, an outgoing envelope prefix or an incoming envelope record
 * has its own code; nng_mpc_strerror() gives its text and nng_mpc_errname()
 * its name.  The values are stable: they appear in logs and metrics.
 */
enum nng_mpc_wire_errno {
	NNG_MPC_ESHORT       = NNG_MPC_ERRBASE + 1,  /* shorter than the 48-byte header */
	NNG_MPC_EMAGIC       = NNG_MPC_ERRBASE + 2,  /* bad frame magic */
	NNG_MPC_EVERSION     = NNG_MPC_ERRBASE + 3,  /* unknown wire version */
	NNG_MPC_EFLAGS       = NNG_MPC_ERRBASE + 4,  /* unknown frame flag bits */
	NNG_MPC_ERESERVED    = NNG_MPC_ERRBASE + 5,  /* reserved field not zero */
	NNG_MPC_ETYPE        = NNG_MPC_ERRBASE + 6,  /* message type not defined */
	NNG_MPC_ESENDERNONE  = NNG_MPC_ERRBASE + 7,  /* sender is NNG_MPC_PARTY_NONE */
	NNG_MPC_ESENDERBCAST = NNG_MPC_ERRBASE + 8,  /* sender is the broadcast ID */
	NNG_MPC_ERCPTNONE    = NNG_MPC_ERRBASE + 9,  /* recipient is NNG_MPC_PARTY_NONE */
	NNG_MPC_ESELF        = NNG_MPC_ERRBASE + 10, /* sender equals recipient */
	NNG_MPC_ETOOBIG      = NNG_MPC_ERRBASE + 11, /* payload over the receive limit */
	NNG_MPC_ETRUNCATED   = NNG_MPC_ERRBASE + 12, /* buffer shorter than declared */
	NNG_MPC_ETRAILING    = NNG_MPC_ERRBASE + 13, /* bytes after the declared frame */
	NNG_MPC_ESESSION     = NNG_MPC_ERRBASE + 14, /* frame of another session */
	NNG_MPC_EPEER        = NNG_MPC_ERRBASE + 15, /* sender is not the connected peer */
	NNG_MPC_ENOTFORME    = NNG_MPC_ERRBASE + 16, /* recipient is another party */
	NNG_MPC_ECONTROL     = NNG_MPC_ERRBASE + 17, /* transport control type from an app */
	NNG_MPC_EENVSHORT    = NNG_MPC_ERRBASE + 18, /* truncated envelope prefix */
	NNG_MPC_EENVFLAGS    = NNG_MPC_ERRBASE + 19, /* unknown envelope flag bits */
	NNG_MPC_ENOENVELOPE  = NNG_MPC_ERRBASE + 20, /* message has no MPC envelope */
};

/*
 * nng_mpc_strerror returns a human-readable string for any nng-mpc error
 * code; for every other value it returns nng_strerror(err).  Never NULL.
 */
const char *nng_mpc_strerror(int err);

/*
 * nng_mpc_errname returns the symbolic name of an nng-mpc error code
 * ("NNG_MPC_ESHORT"), or NULL when err is not one of ours.  For logs.
 */
const char *nng_mpc_errname(int err);
/* END errors: wire format */

/* BEGIN errors: message crypto */
/*
 * Message-layer crypto rejections, NNG_MPC_ERRBASE + 32..63: one code per
 * reason a frame is not sealed or not delivered (crypto/mpc_channel.h).
 * Values are stable: they appear in logs and metrics.
 */
enum nng_mpc_crypto_errno {
	NNG_MPC_EAUTH       = NNG_MPC_ERRBASE + 32, /* tag or MAC did not verify */
	NNG_MPC_EREPLAY     = NNG_MPC_ERRBASE + 33, /* sequence already received */
	NNG_MPC_ETOOOLD     = NNG_MPC_ERRBASE + 34, /* sequence left of the replay window */
	NNG_MPC_ESEQLIMIT   = NNG_MPC_ERRBASE + 35, /* sequence at/past the per-key limit */
	NNG_MPC_EEPOCHGONE  = NNG_MPC_ERRBASE + 36, /* epoch unknown or already wiped */
	NNG_MPC_EEPOCHAHEAD = NNG_MPC_ERRBASE + 37, /* epoch more than one ahead */
	NNG_MPC_EAUTHLIMIT  = NNG_MPC_ERRBASE + 38, /* too many failed opens: close */
	NNG_MPC_EKEYLIMIT   = NNG_MPC_ERRBASE + 39, /* no key left to seal under */
	NNG_MPC_ECRYPTOARG  = NNG_MPC_ERRBASE + 40, /* invalid crypto argument/state */
	NNG_MPC_ECRYPTO     = NNG_MPC_ERRBASE + 41, /* wolfCrypt failed unexpectedly */
};
/* END errors: message crypto */

/* BEGIN errors: transport */
/*
 * Transport and handshake errors, NNG_MPC_ERRBASE + 64..95.  A refused
 * handshake never reaches the socket: nng_dial() (synchronous) returns the
 * reason, and each reason moves its endpoint counter (NNG_OPT_MPC_REJ_*).
 * When the peer refused us, its finished record carries its reason and the
 * dialer reports that same code.  Values are stable.
 */
enum nng_mpc_tran_errno {
	NNG_MPC_EHELLO        = NNG_MPC_ERRBASE + 64, /* malformed hello/finished record */
	NNG_MPC_EHELLOVERSION = NNG_MPC_ERRBASE + 65, /* unsupported handshake version */
	NNG_MPC_ESESSIONID    = NNG_MPC_ERRBASE + 66, /* peer is in another session */
	NNG_MPC_EKEYCONFIRM   = NNG_MPC_ERRBASE + 67, /* finished MAC wrong: other key/channel */
	NNG_MPC_EPARTYCERT    = NNG_MPC_ERRBASE + 68, /* claimed party != certificate's */
	NNG_MPC_EDUPPARTY     = NNG_MPC_ERRBASE + 69, /* party already connected on socket */
	NNG_MPC_ESELFPARTY    = NNG_MPC_ERRBASE + 70, /* peer claims our own party ID */
	NNG_MPC_ECAPS         = NNG_MPC_ERRBASE + 71, /* channel binding on one side only */
	NNG_MPC_EREJECTED     = NNG_MPC_ERRBASE + 72, /* peer refused, reason unknown */
	NNG_MPC_ENOPARTYID    = NNG_MPC_ERRBASE + 73, /* NNG_OPT_MPC_PARTY_ID not set */
	NNG_MPC_ENOSESSIONID  = NNG_MPC_ERRBASE + 74, /* NNG_OPT_MPC_SESSION_ID not set */
	NNG_MPC_ENOSESSIONKEY = NNG_MPC_ERRBASE + 75, /* NNG_OPT_MPC_SESSION_KEY not set */
	NNG_MPC_ENOIDENTITY   = NNG_MPC_ERRBASE + 76, /* no TLS party identity/exporter */
	NNG_MPC_EENV          = NNG_MPC_ERRBASE + 77, /* malformed NNG_MPC_* environment setting */
	NNG_MPC_ENEGOFULL     = NNG_MPC_ERRBASE + 78, /* listener's negotiation cap reached */
	NNG_MPC_ESOURCEFULL   = NNG_MPC_ERRBASE + 79, /* source address's negotiation cap reached */
	NNG_MPC_EREPLACED     = NNG_MPC_ERRBASE + 80, /* pipe replaced by the party's newer connection */
	NNG_MPC_EREJECTLIMIT  = NNG_MPC_ERRBASE + 81, /* too many rejected frames: pipe closed */
	NNG_MPC_ECONNRATE     = NNG_MPC_ERRBASE + 82, /* source's new-connection rate exceeded */
	NNG_MPC_ETHROTTLEFULL = NNG_MPC_ERRBASE + 83, /* admission table full: new source refused */
	NNG_MPC_EPARTYDENIED  = NNG_MPC_ERRBASE + 84, /* party not allowed (allow/deny list) */
	NNG_MPC_EFILTER       = NNG_MPC_ERRBASE + 85, /* refused by the application's filter */
	NNG_MPC_ERATELIMIT    = NNG_MPC_ERRBASE + 86, /* peer over its rate too long: closed */
	NNG_MPC_EDEADPEER     = NNG_MPC_ERRBASE + 87, /* peer silent past mpc:dead-after: closed */
	NNG_MPC_EIDLE         = NNG_MPC_ERRBASE + 88, /* no message either way for mpc:idle-timeout */
	NNG_MPC_ELIFETIME     = NNG_MPC_ERRBASE + 89, /* pipe reached mpc:max-lifetime: closed */
	NNG_MPC_ERELOADREVOKED = NNG_MPC_ERRBASE + 90, /* peer no longer trusted after reload: closed */
	NNG_MPC_ERELOADDENIED = NNG_MPC_ERRBASE + 91, /* party no longer allowed after reload: closed */
};
/* END errors: transport */

/* BEGIN errors: TLS engine and identity */
/*
 * TLS engine and certificate-identity errors, NNG_MPC_ERRBASE + 96..127.
 * A failed handshake reaches NNG (and every stream or socket call) as
 * NNG_EPEERAUTH (the peer's certificate or identity was rejected, or the
 * peer rejected ours) or NNG_ECRYPTO (no common version or suite); these
 * codes name the specific reason.  They are returned by the configuration
 * calls below, and by the engine's bridge to the transport.  Each handshake
 * rejection also moves one counter of nng_mpc_tls_stats.
 */
enum nng_mpc_tls_errno {
	NNG_MPC_ETLSNOTOURS  = NNG_MPC_ERRBASE + 96,  /* object not made by our engine */
	NNG_MPC_ETLSNOTREADY = NNG_MPC_ERRBASE + 97,  /* handshake not complete */
	NNG_MPC_ETLSUNTRUSTED = NNG_MPC_ERRBASE + 98, /* peer chain not trusted */
	NNG_MPC_ETLSEXPIRED  = NNG_MPC_ERRBASE + 99,  /* peer cert outside validity */
	NNG_MPC_ETLSREVOKED  = NNG_MPC_ERRBASE + 100, /* peer cert revoked (CRL) */
	NNG_MPC_ETLSNAME     = NNG_MPC_ERRBASE + 101, /* peer cert not for server name */
	NNG_MPC_ETLSNOCERT   = NNG_MPC_ERRBASE + 102, /* peer sent no certificate */
	NNG_MPC_ETLSPIN      = NNG_MPC_ERRBASE + 103, /* peer key not pinned */
	NNG_MPC_ETLSPARTY    = NNG_MPC_ERRBASE + 104, /* malformed/duplicate party SAN */
	NNG_MPC_ETLSNOPARTY  = NNG_MPC_ERRBASE + 105, /* no party SAN, one required */
	NNG_MPC_ETLSVERSION  = NNG_MPC_ERRBASE + 106, /* no common TLS version */
	NNG_MPC_ETLSALERT    = NNG_MPC_ERRBASE + 107, /* peer rejected us (fatal alert) */
	NNG_MPC_ETLSBADCERT  = NNG_MPC_ERRBASE + 108, /* certificate unparsable/unusable */
	NNG_MPC_ETLSKEY      = NNG_MPC_ERRBASE + 109, /* private key unusable/bad password */
	NNG_MPC_ETLSCIPHER   = NNG_MPC_ERRBASE + 110, /* unknown suite or none in common */
	NNG_MPC_ETLSGROUP    = NNG_MPC_ERRBASE + 111, /* unknown key-exchange group */
	NNG_MPC_ETLSTOOMANY  = NNG_MPC_ERRBASE + 112, /* more than NNG_MPC_TLS_PINS_MAX */
	NNG_MPC_ETLSEXPORT   = NNG_MPC_ERRBASE + 113, /* exporter refused (label/length) */
	NNG_MPC_ETLSHANDSHAKE = NNG_MPC_ERRBASE + 114, /* handshake failed, other cause */
	NNG_MPC_ETLSNOTRUST  = NNG_MPC_ERRBASE + 115, /* no CA and no pins: trusts no peer */
	NNG_MPC_ETLSFORGOTTEN = NNG_MPC_ERRBASE + 116, /* handshake secrets not kept/freed */
};
/* END errors: TLS engine and identity */

/* BEGIN errors: delivery */
/*
 * Delivery-stream and broadcast-evidence errors, NNG_MPC_ERRBASE + 160..191.
 * A delivery stream carries one sender's messages to one party across
 * reconnects (exactly once, in order); broadcast evidence is two
 * conflicting statements signed by the same party's certificate key.
 */
enum nng_mpc_deliver_errno {
	NNG_MPC_EWINDOWFULL   = NNG_MPC_ERRBASE + 160, /* delivery window full: peer not acknowledging */
	NNG_MPC_EDUPLICATE    = NNG_MPC_ERRBASE + 161, /* stream message already delivered: discarded */
	NNG_MPC_EGAP          = NNG_MPC_ERRBASE + 162, /* stream skips a message: peer broke the stream */
	NNG_MPC_EACKAHEAD     = NNG_MPC_ERRBASE + 163, /* acknowledgement of a message never sent */
	NNG_MPC_ESTREAMRESET  = NNG_MPC_ERRBASE + 164, /* peer restarted: its undelivered messages are lost */
	NNG_MPC_EDELIVERCTL   = NNG_MPC_ERRBASE + 165, /* malformed or misplaced delivery record */
	NNG_MPC_EEVIDENCE     = NNG_MPC_ERRBASE + 166, /* malformed evidence or broadcast statement */
	NNG_MPC_EEVIDSIG      = NNG_MPC_ERRBASE + 167, /* statement signature does not verify */
	NNG_MPC_EEVIDCERT     = NNG_MPC_ERRBASE + 168, /* signer certificate untrusted or not the sender's */
	NNG_MPC_ENOCONFLICT   = NNG_MPC_ERRBASE + 169, /* statements agree or name different messages */
	NNG_MPC_ESIGNKEY      = NNG_MPC_ERRBASE + 170, /* signing key unusable (not ECDSA P-256/P-384) */
	NNG_MPC_EUNDELIVERED  = NNG_MPC_ERRBASE + 171, /* messages still unacknowledged when a drain ended */
	NNG_MPC_EEQUIVOCATION = NNG_MPC_ERRBASE + 172, /* a party broadcast two payloads as one message */
	NNG_MPC_EECHOFRAME    = NNG_MPC_ERRBASE + 173, /* malformed signed broadcast, echo or certificate frame */
	NNG_MPC_EECHOSIG      = NNG_MPC_ERRBASE + 174, /* broadcast statement signature does not verify */
	NNG_MPC_EECHOCERT     = NNG_MPC_ERRBASE + 175, /* announced certificate not the peer's or untrusted */
	NNG_MPC_EECHOTIMEOUT  = NNG_MPC_ERRBASE + 176, /* broadcast not delivered: echoes missing at timeout */
	NNG_MPC_EECHOKEY      = NNG_MPC_ERRBASE + 177, /* broadcast echo over TLS needs our certificate key */
	NNG_MPC_EECHOFULL     = NNG_MPC_ERRBASE + 178, /* too many broadcasts held: one was not delivered */
	NNG_MPC_EECHOUNSIGNED = NNG_MPC_ERRBASE + 179, /* echoes disagree without signatures: nobody proven */
	NNG_MPC_ENOTCONNECTED = NNG_MPC_ERRBASE + 180, /* recipient not connected within the send timeout */
	NNG_MPC_ESENDSELF     = NNG_MPC_ERRBASE + 181, /* message addressed to ourselves */
	NNG_MPC_ENOTINSESSION = NNG_MPC_ERRBASE + 182, /* recipient not a party of the session */
	NNG_MPC_ESENDPROTO    = NNG_MPC_ERRBASE + 183, /* nng_mpc_sendmsg: socket is not bus0 or pair1 */
};
/* END errors: delivery */

/* ======================================================================
 * Wire format: message types, limits, envelope helpers
 * ====================================================================== */

/* BEGIN wire format */
/*
 * Party IDs are 32-bit unsigned integers.  0 means "unset" and is never a
 * valid sender; all-ones addresses every party and is valid only as a
 * recipient.  Parties are numbered NNG_MPC_PARTY_MIN..NNG_MPC_PARTY_MAX.
 */
#define NNG_MPC_PARTY_NONE      0x00000000u
#define NNG_MPC_PARTY_BROADCAST 0xFFFFFFFFu
#define NNG_MPC_PARTY_MIN       0x00000001u
#define NNG_MPC_PARTY_MAX       0xFFFFFFFEu

/*
 * The frame: one per message, on every mpc+* transport.
 *
 *   offset size field            rule
 *   ------ ---- ---------------- --------------------------------------------
 *        0    2 magic            0x89 0x4D ("\x89M"); not ASCII, not an SP
 *                                header, so a non-MPC peer fails at byte 0
 *        2    1 version          NNG_MPC_WIRE_VERSION (1)
 *        3    1 flags            no flag is defined in version 1: must be 0
 *        4    2 type             a defined type (enum nng_mpc_msgtype) or
 *                                one in the application range
 *        6    2 reserved         must be 0
 *        8    4 sender           NNG_MPC_PARTY_MIN..NNG_MPC_PARTY_MAX
 *       12    4 recipient        a party ID or NNG_MPC_PARTY_BROADCAST; never
 *                                NNG_MPC_PARTY_NONE, never the sender
 *       16    4 epoch            key epoch (advances on every rekey)
 *       20    4 payload length   n, <= the receiver's limit (<= NNG_MPC_PAYLOAD_MAX)
 *       24    8 sequence         per-direction counter (AEAD nonce input)
 *       32    8 timestamp        sender's CLOCK_REALTIME, ns since the epoch
 *       40    8 session binding  first 8 bytes of
 *                                SHA-256("nng-mpc v1 session binding" || session ID)
 *       48    n sealed payload   AES-256-GCM ciphertext
 *     48+n   16 tag              GCM tag over bytes 0..47 (additional data)
 *                                and the ciphertext
 *
 * All integers are big-endian (network order).  The whole 48-byte header is
 * the AEAD's additional data, so no header bit can change without the tag
 * failing.  Overhead: NNG_MPC_FRAME_OVERHEAD = 64 bytes per message.
 *
 * Why 8 bytes of session binding rather than the 16-byte session ID: the
 * full session ID is an input of the HKDF that derives the frame keys, so a
 * frame of another session can never authenticate, whatever it carries.  The
 * binding only lets a receiver name the reason (NNG_MPC_ESESSION) for an
 * authentic frame of another session; the transport checks it with the
 * rest of the authenticated header, after the tag verified (before that the
 * header is only a claim).  64 bits make an accidental match of two
 * sessions' bindings negligible (2^-64), and spending 8 bytes instead of 16
 * keeps the overhead at 64 bytes.
 */
#define NNG_MPC_WIRE_VERSION         1
#define NNG_MPC_FRAME_MAGIC          0x894Du
#define NNG_MPC_FRAME_HEADER_SIZE    48
#define NNG_MPC_FRAME_TAG_SIZE       16
#define NNG_MPC_FRAME_OVERHEAD       (NNG_MPC_FRAME_HEADER_SIZE + NNG_MPC_FRAME_TAG_SIZE)
#define NNG_MPC_SESSION_ID_SIZE      16
#define NNG_MPC_SESSION_BINDING_SIZE 8

/*
 * Payload limits.  A receiver's limit defaults to NNG_MPC_PAYLOAD_MAX_DEFAULT
 * (NNG's own default receive limit, 1 MiB) and can never exceed
 * NNG_MPC_PAYLOAD_MAX (256 MiB); a larger declared length is rejected from
 * the header alone, before any buffer is allocated.
 */
#define NNG_MPC_PAYLOAD_MAX_DEFAULT (1u << 20)
#define NNG_MPC_PAYLOAD_MAX         (1u << 28)

/*
 * Message types (the frame's type field).  Values are stable.
 *   0x0001..0x00FF  MPC protocol messages an application may send
 *   0x0100..0x01FF  the transport's own control frames; an application
 *                   cannot send them (NNG_MPC_ECONTROL)
 *   0x0200..0x7FFF  reserved: rejected (NNG_MPC_ETYPE)
 *   0x8000..0xFFFF  application-defined; any value is accepted
 * 0 is never a valid type.
 */
enum nng_mpc_msgtype {
	NNG_MPC_MSG_DKG_ROUND1     = 0x0001,
	NNG_MPC_MSG_DKG_ROUND2     = 0x0002,
	NNG_MPC_MSG_DKG_ROUND3     = 0x0003,
	NNG_MPC_MSG_SIGN_ROUND1    = 0x0011,
	NNG_MPC_MSG_SIGN_ROUND2    = 0x0012,
	NNG_MPC_MSG_SIGN_ROUND3    = 0x0013,
	NNG_MPC_MSG_SIGN_ROUND4    = 0x0014,
	NNG_MPC_MSG_PRESIGN_ROUND1 = 0x0021,
	NNG_MPC_MSG_PRESIGN_ROUND2 = 0x0022,
	NNG_MPC_MSG_HEARTBEAT      = 0x0031,
	NNG_MPC_MSG_ACK            = 0x0032,
	NNG_MPC_MSG_ERROR          = 0x0033,

	/* Transport control frames (hello, key confirmation, rekey, close). */
	NNG_MPC_MSG_CTL_HELLO      = 0x0100,
	NNG_MPC_MSG_CTL_FINISHED   = 0x0101,
	NNG_MPC_MSG_CTL_REKEY      = 0x0102,
	NNG_MPC_MSG_CTL_CLOSE      = 0x0103,
	NNG_MPC_MSG_CTL_PING       = 0x0104, /* heartbeat: 8-byte token */
	NNG_MPC_MSG_CTL_PONG       = 0x0105, /* its answer: the token back */
	NNG_MPC_MSG_CTL_DELIVER    = 0x0110, /* delivery stream: resume, ack */
	NNG_MPC_MSG_CTL_ECHO       = 0x0111, /* broadcast echo: signed statement */
	NNG_MPC_MSG_CTL_ECHO_CERT  = 0x0112, /* broadcast echo: our certificate */

	/* The type of a message sent without nng_mpc_msg_set_type(). */
	NNG_MPC_MSG_APP_DEFAULT    = 0x8000,
};
#define NNG_MPC_MSG_CTL_FIRST 0x0100u
#define NNG_MPC_MSG_CTL_LAST  0x01FFu
#define NNG_MPC_MSG_APP_FIRST 0x8000u
#define NNG_MPC_MSG_APP_LAST  0xFFFFu

/*
 * nng_mpc_msg_type_name returns the type's name for logs ("SIGN_ROUND1",
 * "CTL_HELLO", "APP_DEFAULT"; "APP" for the rest of the application range),
 * or "UNKNOWN" for a value that is not a valid type.  Never NULL.
 */
const char *nng_mpc_msg_type_name(uint16_t type);

/*
 * Envelope helpers: the message type and addressing of nng_msg's sent and
 * received on an mpc+* socket.  They use only NNG's public nng_msg API.
 *
 * Outgoing.  NNG's bus0 and pair1 protocols clear the message header on
 * send, so the envelope travels as a 16-byte prefix at the start of the
 * message BODY, which the transport removes before sealing:
 *   offset 0  8 bytes  magic 0x89 'M' 'P' 'C' 'E' 'N' 'V' 0x01
 *          8  u16      type (big-endian)
 *         10  u16      flags (0)
 *         12  u32      recipient party or NNG_MPC_PARTY_BROADCAST
 * A message without the prefix is sent as NNG_MPC_MSG_APP_DEFAULT to every
 * party (broadcast).  A body that happens to start with the 8 magic bytes is
 * taken as an envelope; the first byte 0x89 keeps text from matching.
 *
 * nng_mpc_msg_set_type sets the type of an outgoing message; the recipient
 * stays as set, or broadcast when no envelope was present.  Returns 0,
 * NNG_EINVAL (msg NULL), NNG_MPC_ETYPE (0 or a reserved value),
 * NNG_MPC_ECONTROL (a transport control type), NNG_MPC_EENVSHORT or
 * NNG_MPC_EENVFLAGS (the body starts with a damaged envelope) or
 * NNG_ENOMEM.  On error the message is unchanged.
 */
int nng_mpc_msg_set_type(nng_msg *msg, uint16_t type);

/*
 * nng_mpc_msg_set_recipient addresses an outgoing message to one party or,
 * with NNG_MPC_PARTY_BROADCAST, to every party; the type stays as set, or
 * NNG_MPC_MSG_APP_DEFAULT.  Returns 0, NNG_EINVAL (msg NULL),
 * NNG_MPC_ERCPTNONE (NNG_MPC_PARTY_NONE), NNG_MPC_EENVSHORT,
 * NNG_MPC_EENVFLAGS or NNG_ENOMEM.  On error the message is unchanged.
 * (Sending to yourself is rejected by the transport with NNG_MPC_ESELF.)
 */
int nng_mpc_msg_set_recipient(nng_msg *msg, uint32_t party);

/*
 * Incoming.  The transport writes a 40-byte record at the start of the
 * message HEADER of every message it delivers (the protocol may append its
 * own bytes after it, as pair1 does with its hop count):
 *   offset 0  8 bytes  magic 0x89 'M' 'P' 'C' 'R' 'C' 'V' 0x01
 *          8  u16      type
 *         10  u16      flags (the frame's)
 *         12  u32      sender (authenticated by the transport)
 *         16  u32      recipient (this party or NNG_MPC_PARTY_BROADCAST)
 *         20  u32      epoch
 *         24  u64      sequence
 *         32  u64      timestamp, ns
 * The getters below read it.  Each returns 0 and writes the field, or
 * NNG_EINVAL (a NULL argument) or NNG_MPC_ENOENVELOPE (the message was not
 * received over an mpc+* transport) and writes 0.
 */
#define NNG_MPC_ENVELOPE_OUT_SIZE 16
#define NNG_MPC_ENVELOPE_IN_SIZE  40

int nng_mpc_msg_type(nng_msg *msg, uint16_t *type);
int nng_mpc_msg_sender(nng_msg *msg, uint32_t *party);
int nng_mpc_msg_recipient(nng_msg *msg, uint32_t *party);
int nng_mpc_msg_sequence(nng_msg *msg, uint64_t *seq);
int nng_mpc_msg_timestamp(nng_msg *msg, uint64_t *ns);
/* END wire format */

/* ======================================================================
 * Cryptographic helpers for applications (HMAC-SHA256, HKDF-SHA256)
 * ====================================================================== */

/* BEGIN crypto helpers */
/*
 * HMAC-SHA256 (RFC 2104) and HKDF-SHA256 (RFC 5869), the same code the
 * message layer derives its keys with (wolfCrypt underneath).  Every
 * intermediate is wiped before return.  Pointers may be NULL only when
 * their length is 0.  Return 0 or an NNG_MPC_E* code:
 *   NNG_MPC_ECRYPTOARG  a length out of range (see each function)
 *   NNG_MPC_EAUTH       (verify only) the tag does not match
 *   NNG_MPC_ECRYPTO     wolfCrypt failed
 * Thread-safe: no shared state.
 */
#define NNG_MPC_HMAC_SHA256_SIZE     32 /* full tag size */
#define NNG_MPC_HMAC_SHA256_MIN_TAG  16 /* shortest accepted truncated tag:
                                          RFC 2104 section 5, t >= L/2 */
#define NNG_MPC_HKDF_SHA256_PRK_SIZE 32
#define NNG_MPC_HKDF_SHA256_MAX_OKM  (255 * 32) /* RFC 5869 section 2.3 */

/* mac = HMAC-SHA256(key, msg).  Any key length (RFC 2104 section 2). */
int nng_mpc_hmac_sha256(const void *key, size_t key_len, const void *msg,
    size_t msg_len, uint8_t mac[NNG_MPC_HMAC_SHA256_SIZE]);

/*
 * Verifies tag against the leftmost tag_len bytes of HMAC-SHA256(key, msg)
 * (RFC 2104 section 5 truncation) in constant time.  tag_len must be
 * NNG_MPC_HMAC_SHA256_MIN_TAG..NNG_MPC_HMAC_SHA256_SIZE.
 */
int nng_mpc_hmac_sha256_verify(const void *key, size_t key_len,
    const void *msg, size_t msg_len, const void *tag, size_t tag_len);

/* RFC 5869 section 2.2: prk = HMAC-SHA256(salt, ikm); an empty salt means
 * 32 zero bytes. */
int nng_mpc_hkdf_sha256_extract(uint8_t prk[NNG_MPC_HKDF_SHA256_PRK_SIZE],
    const void *salt, size_t salt_len, const void *ikm, size_t ikm_len);

/* RFC 5869 section 2.3: okm_len bytes (1..NNG_MPC_HKDF_SHA256_MAX_OKM) from
 * prk (at least 32 bytes) and info. */
int nng_mpc_hkdf_sha256_expand(uint8_t *okm, size_t okm_len, const void *prk,
    size_t prk_len, const void *info, size_t info_len);

/* Extract then expand (RFC 5869 section 2). */
int nng_mpc_hkdf_sha256(uint8_t *okm, size_t okm_len, const void *ikm,
    size_t ikm_len, const void *salt, size_t salt_len, const void *info,
    size_t info_len);
/* END crypto helpers */

/* ======================================================================
 * Transport options (mpc+tcp://, mpc+tls+tcp://, mpc+ipc://)
 * ====================================================================== */

/* BEGIN options */
/*
 * URL schemes (registered by nng_mpc_register()):
 *   mpc+tcp://host:port      over NNG's tcp:// stream; the session key is
 *                            the only authentication
 *   mpc+tls+tcp://host:port  over NNG's tls+tcp:// stream (the registered
 *                            TLS engine), mutual TLS by default, the party
 *                            ID bound to the certificate, keys bound to the
 *                            TLS channel (exporter); a frame of up to 16 KiB
 *                            (payload up to 16320 bytes) is one TLS record
 *   mpc+ipc:///path          over NNG's ipc:// stream
 * A listener may use an empty host or "*" and port 0 (NNG_OPT_URL then
 * reports the bound port).  NNG's "tcp://src;dst" form is not supported.
 *
 * Connection setup: the 8-byte SP header (so pair1 talks only to pair1),
 * then a 72-byte hello each way (version, party ID, session ID, 32-byte
 * random, capabilities, maximum payload), then a 40-byte finished record
 * each way carrying HMAC-SHA256 over the transcript under a key derived
 * from the session key (and, over TLS, the TLS exporter): no frame flows
 * before both sides proved they derived the same keys.  Refusals are
 * listed under "errors: transport".
 *
 * Options of dialers and listeners.  Each can also be set on the socket:
 * NNG 1.5.2 keeps socket options it does not know and applies them to every
 * dialer and listener, current and future (a bad value set on a socket
 * with no endpoint yet is reported by nng_dial()/nng_listen()).  Values are
 * checked, never clamped: a wrong type is NNG_EBADTYPE, a wrong size or an
 * out-of-range value NNG_EINVAL.  Changes apply to connections made after
 * them.  nng_dial()/nng_listen() fail with NNG_MPC_ENOPARTYID,
 * NNG_MPC_ENOSESSIONID or NNG_MPC_ENOSESSIONKEY until the three required
 * settings are made.
 *
 * NNG_OPT_MPC_PARTY_ID (int, or uint64 for IDs above 2^31-1; required)
 *   This party's ID, NNG_MPC_PARTY_MIN..NNG_MPC_PARTY_MAX.  Over TLS it
 *   must equal the party ID in our own certificate (the peer checks).
 * NNG_OPT_MPC_SESSION_ID (opaque, exactly NNG_MPC_SESSION_ID_SIZE bytes;
 *   required)  The session every party of one protocol run shares.
 * NNG_OPT_MPC_SESSION_KEY (opaque, exactly NNG_MPC_SESSION_KEY_SIZE bytes;
 *   required; write-only: reading it is NNG_EWRITEONLY)  The pre-shared
 *   session secret the frame keys derive from.  Caveat: set on the socket,
 *   NNG's socket layer keeps its own copy, which nng_socket_get() returns;
 *   set it on the dialer/listener to keep it write-only.
 * NNG_OPT_MPC_MAX_MSG_SIZE (size; default NNG_MPC_PAYLOAD_MAX_DEFAULT =
 *   1 MiB)  Largest payload this side accepts, 1..NNG_MPC_PAYLOAD_MAX; the
 *   lower of this and NNG_OPT_RECVMAXSZ (when non-zero) is announced in the
 *   hello and enforced from the frame header before any allocation.  A
 *   sender does not write a message larger than the peer announced.
 * NNG_OPT_MPC_REPLAY_WINDOW (int; default 1024)  Replay window in frames
 *   (RFC 6479), 64..8192.
 * NNG_OPT_MPC_REKEY_MESSAGES (uint64; default 2^24)  Frames per key epoch
 *   before the sender ratchets (RFC 8446 5.5), 1..23726566.
 * NNG_OPT_MPC_REKEY_INTERVAL (ms duration; default 3600000 = 1 h)  Time
 *   per key epoch before the sender ratchets; 0: by count only.
 * NNG_OPT_MPC_HANDSHAKE_TIMEOUT (ms duration; default 10000)  Time for the
 *   whole connection setup (TLS, SP header, hello, finished), 1..600000.
 * NNG_OPT_MPC_AUTH_FAIL_LIMIT (int; default 16)  Frames failing
 *   authentication per key epoch before the pipe is closed, 1..65535.
 * NNG_OPT_MPC_CERT_PINS (string; default none; mpc+tls+tcp:// only, else
 *   NNG_ENOTSUP)  SHA-256 digests of pinned peer SubjectPublicKeyInfos, 64
 *   hex digits each, separated by commas or spaces, at most
 *   NNG_MPC_TLS_PINS_MAX; "" clears.  With pins, a peer whose key is not
 *   pinned is refused.  The pins belong to this endpoint: they are never
 *   written into a TLS configuration (NNG_OPT_TLS_CONFIG) another endpoint
 *   may share.
 * NNG_OPT_MPC_MAX_NEGOTIATING (int; default 128; 1..65535; listeners)
 *   Connections negotiating at once (accepted, keys not yet confirmed).
 *   One more is closed at accept, before a byte is read or any TLS work
 *   (NNG_MPC_ENEGOFULL, counter NNG_OPT_MPC_REJ_BUSY).
 * NNG_OPT_MPC_MAX_NEGOTIATING_PER_SOURCE (int; default 8; 1..65535;
 *   listeners)  Of those, from one source: an IPv4 address or an IPv6 /64
 *   (NNG_MPC_ESOURCEFULL, counter NNG_OPT_MPC_REJ_SOURCE).  IPC has no
 *   source.  Dialers accept both options and ignore them.
 * NNG_OPT_MPC_REJECT_LIMIT (int; default 64; 1..65535)  Frames a pipe may
 *   refuse over its life, for any reason (forged, replayed, stale epoch,
 *   wrong sender, recipient, session or type), before it is closed
 *   (NNG_MPC_EREJECTLIMIT): a stream carries frames in order, so a honest
 *   peer's frames are never refused and an on-path injector cannot keep a
 *   pipe busy with frames it can never get delivered.
 * NNG_OPT_MPC_AUDIT (pointer, write-only)  An observer sink for this
 *   endpoint's connection events: an nng_mpc_audit from
 *   nng_mpc_audit_open() (nng_mpc_audit_attach sets it); the endpoint
 *   holds a reference while it exists.  NNG_ENOTSUP when no observer is
 *   registered.
 * NNG_OPT_MPC_AUDIT_FILE (string, write-only)  The same, opened from a
 *   path with the sealing state named by NNG_MPC_AUDIT_KEY_FILE (the
 *   same file in one process shares one log); NNG_MPC_EAUDITKEY when no
 *   sealing state is given (see "audit log" below).
 * NNG_OPT_MPC_CHANNEL_BINDING (bool; default true; TLS only)  Mix the TLS
 *   exporter (RFC 8446 7.5) into the keys, so frames are bound to this TLS
 *   connection.  Both sides must agree (else NNG_MPC_ECAPS).
 * NNG's own options work as on tcp://, tls+tcp:// and ipc://: they go to
 * the inner stream (NNG_OPT_RECVMAXSZ, NNG_OPT_URL, NNG_OPT_TCP_NODELAY,
 * NNG_OPT_TLS_CONFIG, NNG_OPT_TLS_CA_FILE, NNG_OPT_TLS_CERT_KEY_FILE,
 * NNG_OPT_TLS_AUTH_MODE, NNG_OPT_TLS_SERVER_NAME, NNG_OPT_IPC_PERMISSIONS,
 * ...).  mpc+tls+tcp:// endpoints default to NNG_TLS_AUTH_MODE_REQUIRED on
 * both sides and require a party identity in the peer's certificate.
 */
#define NNG_MPC_SESSION_KEY_SIZE 32

/*
 * nng_mpc_socket_set sets an MPC option on a socket so that every dialer
 * and listener created afterwards gets it -- also before the first one
 * exists.  (NNG 1.5.2's nng_socket_set() passes an option it does not know
 * to the socket's current endpoints and keeps it for later ones only if one
 * of them accepted it: with no endpoint yet it fails with NNG_ENOTSUP.)
 * The value is passed as raw bytes of the option's type: an int as
 * (&v, sizeof(int)), a uint64_t, an nng_duration, a bool likewise, a string
 * with its NUL (strlen + 1).  Returns 0 or what the option's setter
 * returns (NNG_EINVAL, NNG_EBADTYPE, ...).  Once any endpoint exists,
 * nng_socket_set_int() and friends work directly.  NNG 1.5.2 treats its
 * own TLS file options (NNG_OPT_TLS_CA_FILE, NNG_OPT_TLS_CERT_KEY_FILE,
 * NNG_OPT_TLS_SERVER_NAME) the same way, so they can be set through this
 * function too.
 */
int nng_mpc_socket_set(
    nng_socket s, const char *name, const void *val, size_t sz);

#define NNG_OPT_MPC_PARTY_ID          "mpc:party-id"
#define NNG_OPT_MPC_SESSION_ID        "mpc:session-id"
#define NNG_OPT_MPC_SESSION_KEY       "mpc:session-key"
#define NNG_OPT_MPC_MAX_MSG_SIZE      "mpc:max-msg-size"
#define NNG_OPT_MPC_REPLAY_WINDOW     "mpc:replay-window"
#define NNG_OPT_MPC_REKEY_MESSAGES    "mpc:rekey-messages"
#define NNG_OPT_MPC_REKEY_INTERVAL    "mpc:rekey-interval"
#define NNG_OPT_MPC_HANDSHAKE_TIMEOUT "mpc:handshake-timeout"
#define NNG_OPT_MPC_AUTH_FAIL_LIMIT   "mpc:auth-fail-limit"
#define NNG_OPT_MPC_CERT_PINS         "mpc:cert-pins"
#define NNG_OPT_MPC_CHANNEL_BINDING   "mpc:channel-binding"
#define NNG_OPT_MPC_MAX_NEGOTIATING   "mpc:max-negotiating"
#define NNG_OPT_MPC_MAX_NEGOTIATING_PER_SOURCE "mpc:max-negotiating-per-source"
#define NNG_OPT_MPC_REJECT_LIMIT      "mpc:reject-limit"
#define NNG_OPT_MPC_AUDIT             "mpc:audit"
#define NNG_OPT_MPC_AUDIT_FILE        "mpc:audit-file"

/*
 * Admission, rate limits and liveness (the pipe filter).  Options of
 * dialers and listeners, settable on the socket like those above; checked,
 * never clamped.  Unmodified programs get the same settings from the
 * environment (NNG_MPC_ALLOW_PARTIES, NNG_MPC_DENY_PARTIES,
 * NNG_MPC_CONN_RATE, NNG_MPC_CONN_BURST, NNG_MPC_RATE_MSGS,
 * NNG_MPC_RATE_BYTES, NNG_MPC_RATE_BURST, NNG_MPC_RATE_POLICY,
 * NNG_MPC_HEARTBEAT, NNG_MPC_DEAD_AFTER), for what the application left
 * unset.
 *
 * At accept, before a byte is read or any TLS work (listeners):
 * NNG_OPT_MPC_CONN_RATE (int; default 20; 0..1000000; 0: no limit)  New
 *   connections per second from one source (an IPv4 address or an IPv6
 *   /64), a token bucket per source; one more is closed at once
 *   (NNG_MPC_ECONNRATE, counter NNG_OPT_MPC_REJ_RATE).  Loopback is not
 *   exempt.  The table of sources has 4096 entries; an entry ages out when
 *   its bucket is full again; with every entry live a new source is
 *   refused (NNG_MPC_ETHROTTLEFULL, counter NNG_OPT_MPC_REJ_THROTTLE).
 * NNG_OPT_MPC_CONN_BURST (int; default 40; 1..1000000)  What a source's
 *   bucket holds.
 * After authentication, before the pipe reaches the socket:
 * NNG_OPT_MPC_ALLOW_PARTIES (string; default "": every party)  Party IDs
 *   and ranges, "1-5,9" (at most 32 items); a party not listed is refused.
 * NNG_OPT_MPC_DENY_PARTIES (string; default "")  Parties refused.  Both
 *   refusals are NNG_MPC_EPARTYDENIED, sent to the peer in the finished
 *   record (its nng_dial() returns it), counter NNG_OPT_MPC_REJ_PARTY.
 * NNG_OPT_MPC_FILTER (pointer to an nng_mpc_filter, below; write-only;
 *   NULL clears)
 *   The application's filter.
 * Per pipe, receive side (each pipe takes the values when it is made):
 * NNG_OPT_MPC_RATE_MSGS (uint64; default 0: unlimited)  Messages per
 *   second the peer may have delivered.
 * NNG_OPT_MPC_RATE_BYTES (uint64; default 0: unlimited)  Payload bytes per
 *   second.
 * NNG_OPT_MPC_RATE_BURST (ms duration; default 1000; 1..60000)  What each
 *   bucket holds, in milliseconds of its rate.
 * NNG_OPT_MPC_RATE_POLICY (string; default "backpressure")  "backpressure":
 *   over the limit the pipe stops reading until tokens return (a timer
 *   resumes it), so TCP's flow control slows that sender and nothing is
 *   lost; "close": the same, and the pipe is closed once the peer has been
 *   over its limit for NNG_OPT_MPC_RATE_CLOSE_AFTER (NNG_MPC_ERATELIMIT,
 *   counter NNG_OPT_MPC_CLOSED_RATE).
 * NNG_OPT_MPC_RATE_CLOSE_AFTER (ms duration; default 5000; 1..3600000)
 * NNG_OPT_MPC_SEND_RATE_MSGS, NNG_OPT_MPC_SEND_RATE_BYTES (uint64; default
 *   0: off)  Optional send-side shaping per pipe: sends wait in the pipe's
 *   queue (NNG's protocol sees backpressure) while over this rate, with
 *   NNG_OPT_MPC_RATE_BURST of burst; counter NNG_OPT_MPC_SEND_DELAYED.
 * NNG_OPT_MPC_RATE_ADAPTIVE (bool; default false)  AIMD: each frame the
 *   pipe refuses (forged, replayed, wrong header), and the socket's
 *   receive queue staying full for 1 s, halves the peer's allowance, down
 *   to 1/64 of the rate; it recovers by 1/16 of the rate per second.
 * Liveness:
 * NNG_OPT_MPC_HEARTBEAT (ms duration; default 5000; 0: off, else
 *   100..3600000)  An authenticated heartbeat frame (transport control
 *   type NNG_MPC_MSG_CTL_PING, answered by NNG_MPC_MSG_CTL_PONG) when
 *   nothing was sent, or nothing heard from the peer, for this long; the
 *   answer gives the round-trip time.  Both sides must run a version that
 *   knows the control types.
 * NNG_OPT_MPC_DEAD_AFTER (int; default 3; 1..1000)  A peer from which
 *   nothing authenticated arrived for this many heartbeat intervals while
 *   the pipe waited for it, and which left a heartbeat unanswered for a
 *   whole interval, is dead: its pipe is closed (NNG_MPC_EDEADPEER,
 *   counter NNG_OPT_MPC_CLOSED_DEAD) and a dialer reconnects.  Noticed
 *   between this many and this many + 1/2 intervals after the peer was
 *   last heard (up to 2 1/2 with 1).
 * NNG_OPT_MPC_IDLE_TIMEOUT (ms duration; default 0: none; else
 *   100..2^31-1)  No application message either way for this long closes
 *   the pipe (NNG_MPC_EIDLE, counter NNG_OPT_MPC_CLOSED_IDLE); heartbeats
 *   do not count.
 * NNG_OPT_MPC_MAX_LIFETIME (ms duration; default 0: none; else
 *   100..2^31-1)  A pipe older than this is closed (NNG_MPC_ELIFETIME,
 *   counter NNG_OPT_MPC_CLOSED_LIFETIME) and a dialer reconnects with a
 *   fresh handshake: new keys from a new TLS session, where rekeying
 *   (NNG_OPT_MPC_REKEY_INTERVAL) only ratchets the old ones.
 */
#define NNG_OPT_MPC_CONN_RATE         "mpc:conn-rate"
#define NNG_OPT_MPC_CONN_BURST        "mpc:conn-burst"
#define NNG_OPT_MPC_ALLOW_PARTIES     "mpc:allow-parties"
#define NNG_OPT_MPC_DENY_PARTIES      "mpc:deny-parties"
#define NNG_OPT_MPC_FILTER            "mpc:filter"
#define NNG_OPT_MPC_RATE_MSGS         "mpc:rate-msgs"
#define NNG_OPT_MPC_RATE_BYTES        "mpc:rate-bytes"
#define NNG_OPT_MPC_RATE_BURST        "mpc:rate-burst"
#define NNG_OPT_MPC_RATE_POLICY       "mpc:rate-policy"
#define NNG_OPT_MPC_RATE_CLOSE_AFTER  "mpc:rate-close-after"
#define NNG_OPT_MPC_RATE_ADAPTIVE     "mpc:rate-adaptive"
#define NNG_OPT_MPC_SEND_RATE_MSGS    "mpc:send-rate-msgs"
#define NNG_OPT_MPC_SEND_RATE_BYTES   "mpc:send-rate-bytes"
#define NNG_OPT_MPC_HEARTBEAT         "mpc:heartbeat"
#define NNG_OPT_MPC_DEAD_AFTER        "mpc:dead-after"
#define NNG_OPT_MPC_IDLE_TIMEOUT      "mpc:idle-timeout"
#define NNG_OPT_MPC_MAX_LIFETIME      "mpc:max-lifetime"

/*
 * The application's filter (NNG_OPT_MPC_FILTER): called once per
 * authenticated connection, after the identity checks and the allow/deny
 * lists and before NNG's NNG_PIPE_EV_ADD_PRE, so a refused peer never
 * becomes a pipe.  It returns 0 to accept; anything else refuses: the peer
 * is told NNG_MPC_EFILTER in the finished record (its nng_dial() returns
 * it), NNG_OPT_MPC_REJ_FILTER moves.  Over mpc+tls+tcp:// the party ID,
 * subject and pin come from the verified certificate; over mpc+tcp:// and
 * mpc+ipc:// the party ID is the peer's claim, which the key confirmation
 * right after proves or refutes (a peer can only get itself refused).
 *
 * Threading: called on an NNG I/O thread with no transport lock held; it
 * may call any NNG function, but it delays that connection's handshake
 * (and holds the thread), so it should decide quickly.  It may run for
 * several connections at once.  The pointers in nng_mpc_peer_info are
 * valid during the call only.  The option takes a pointer to an
 * nng_mpc_filter that must stay valid while the socket is open (NNG keeps
 * socket options for endpoints made later); each endpoint copies fn and
 * arg when the option is set.
 */
typedef struct nng_mpc_peer_info {
	uint32_t       party;       /* the peer's party ID */
	const char *   subject;     /* certificate subject, "" without TLS */
	const uint8_t *pin;         /* NNG_MPC_TLS_PIN_SIZE bytes, or NULL */
	const char *   remote;      /* "addr:port", "[v6]:port" or IPC path */
	const char *   tls_version; /* "TLSv1.3", "" without TLS */
	bool           dialer;      /* we dialed this peer */
} nng_mpc_peer_info;

typedef int (*nng_mpc_filter_fn)(void *arg, const nng_mpc_peer_info *peer);

typedef struct nng_mpc_filter {
	nng_mpc_filter_fn fn;
	void *            arg;
} nng_mpc_filter;

/*
 * Read-only counters of a dialer or listener (uint64): handshakes that
 * completed, pipes replaced by a newer connection of the same party, and
 * refused connections by reason.  A refusal moves exactly one.  Each is
 * also an NNG statistic of the dialer or listener (nng_stats_get(); the
 * name after "mpc:" with "_" for "-", prefixed "mpc_": mpc_rej_hello).
 */
#define NNG_OPT_MPC_HANDSHAKES    "mpc:handshakes"      /* completed */
#define NNG_OPT_MPC_REPLACED      "mpc:replaced"        /* NNG_MPC_EREPLACED */
#define NNG_OPT_MPC_REJ_BUSY      "mpc:rej-busy"        /* NNG_MPC_ENEGOFULL */
#define NNG_OPT_MPC_REJ_SOURCE    "mpc:rej-source"      /* NNG_MPC_ESOURCEFULL */
#define NNG_OPT_MPC_REJ_TLS       "mpc:rej-tls"         /* TLS handshake failed */
#define NNG_OPT_MPC_REJ_HELLO     "mpc:rej-hello"       /* NNG_MPC_EHELLO */
#define NNG_OPT_MPC_REJ_VERSION   "mpc:rej-version"     /* NNG_MPC_EHELLOVERSION */
#define NNG_OPT_MPC_REJ_SESSION   "mpc:rej-session"     /* NNG_MPC_ESESSIONID */
#define NNG_OPT_MPC_REJ_KEY       "mpc:rej-key"         /* NNG_MPC_EKEYCONFIRM */
#define NNG_OPT_MPC_REJ_CERT      "mpc:rej-cert"        /* NNG_MPC_EPARTYCERT */
#define NNG_OPT_MPC_REJ_DUPLICATE "mpc:rej-duplicate"   /* NNG_MPC_EDUPPARTY */
#define NNG_OPT_MPC_REJ_SELF      "mpc:rej-self"        /* NNG_MPC_ESELFPARTY */
#define NNG_OPT_MPC_REJ_CAPS      "mpc:rej-caps"        /* NNG_MPC_ECAPS */
#define NNG_OPT_MPC_REJ_IDENTITY  "mpc:rej-identity"    /* NNG_MPC_ENOIDENTITY */
#define NNG_OPT_MPC_REJ_BY_PEER   "mpc:rej-by-peer"     /* the peer refused us */
#define NNG_OPT_MPC_REJ_TIMEOUT   "mpc:rej-timeout"     /* NNG_ETIMEDOUT */
#define NNG_OPT_MPC_REJ_OTHER     "mpc:rej-other"       /* I/O, SP header */
#define NNG_OPT_MPC_REJ_RATE      "mpc:rej-rate"        /* NNG_MPC_ECONNRATE */
#define NNG_OPT_MPC_REJ_THROTTLE  "mpc:rej-throttle"    /* NNG_MPC_ETHROTTLEFULL */
#define NNG_OPT_MPC_REJ_PARTY     "mpc:rej-party"       /* NNG_MPC_EPARTYDENIED */
#define NNG_OPT_MPC_REJ_FILTER    "mpc:rej-filter"      /* NNG_MPC_EFILTER */
/* Pipes this endpoint closed, by reason (also pipe counters, below). */
#define NNG_OPT_MPC_CLOSED_RATE   "mpc:closed-rate"     /* NNG_MPC_ERATELIMIT */
#define NNG_OPT_MPC_CLOSED_DEAD   "mpc:closed-dead"     /* NNG_MPC_EDEADPEER */
#define NNG_OPT_MPC_CLOSED_IDLE   "mpc:closed-idle"     /* NNG_MPC_EIDLE */
#define NNG_OPT_MPC_CLOSED_LIFETIME "mpc:closed-lifetime" /* NNG_MPC_ELIFETIME */
#define NNG_OPT_MPC_CLOSED_UNTRUSTED "mpc:closed-untrusted" /* NNG_MPC_ERELOADREVOKED */
#define NNG_OPT_MPC_CLOSED_DENIED "mpc:closed-denied"   /* NNG_MPC_ERELOADDENIED */

/*
 * Read-only pipe options (nng_pipe_get_*; a pipe also answers the
 * endpoint's options above).  Strings are allocated (nng_strfree()).
 *   NNG_OPT_MPC_PEER_PARTY_ID  int (or uint64)  the authenticated peer
 *   NNG_OPT_MPC_PEER_SUBJECT   string  peer certificate subject (TLS only,
 *                              else NNG_ENOTSUP); so are the next two:
 *   NNG_OPT_MPC_TLS_VERSION    string  negotiated TLS version
 *   NNG_OPT_MPC_TLS_CIPHER     string  negotiated cipher suite
 *   NNG_OPT_MPC_PEER_PIN       opaque, NNG_MPC_TLS_PIN_SIZE bytes: SHA-256
 *                              of the peer's SubjectPublicKeyInfo, the
 *                              value NNG_OPT_MPC_CERT_PINS takes
 *   NNG_OPT_MPC_EPOCH          uint64  current send key epoch
 *   NNG_OPT_MPC_RECV_EPOCH     uint64  current receive key epoch (the
 *                              peer's send epoch, as last authenticated)
 * and uint64 counters:
 *   NNG_OPT_MPC_FRAMES_IN / _OUT   frames delivered / written
 *   NNG_OPT_MPC_BYTES_IN / _OUT    payload bytes delivered / written
 *   NNG_OPT_MPC_FRAMES_REJECTED    frames refused, every reason below
 *                                  (counts toward NNG_OPT_MPC_REJECT_LIMIT)
 *   NNG_OPT_MPC_AUTH_FAILURES      frames whose tag did not verify
 *   NNG_OPT_MPC_REPLAYS            frames replayed or left of the window
 *   NNG_OPT_MPC_DROP_EPOCH         frames of a wiped or far-ahead epoch,
 *                                  or past the per-key sequence limit
 *   NNG_OPT_MPC_DROP_SENDER        authentic, but not sent by the peer
 *   NNG_OPT_MPC_DROP_RECIPIENT     authentic, but for another party
 *   NNG_OPT_MPC_DROP_SESSION       authentic, but of another session
 *   NNG_OPT_MPC_DROP_TYPE          authentic, but a control type
 *   NNG_OPT_MPC_SEND_SKIPPED       sends addressed to another party (on a
 *                                  bus0 socket each pipe gets a copy and
 *                                  writes only its peer's)
 *   NNG_OPT_MPC_SEND_DROPPED       sends not written: damaged envelope,
 *                                  addressed to ourselves, or over the
 *                                  peer's maximum
 * Dropped frames are never delivered, and their plaintext is wiped.  A
 * frame header that does not decode, too many authentication failures
 * (NNG_MPC_EAUTHLIMIT) or too many refused frames (NNG_MPC_EREJECTLIMIT)
 * close the pipe.  Every counter is also an NNG statistic of the pipe.
 */
#define NNG_OPT_MPC_FRAMES_REJECTED "mpc:frames-rejected"
#define NNG_OPT_MPC_PEER_PARTY_ID  "mpc:peer-party-id"
#define NNG_OPT_MPC_PEER_SUBJECT   "mpc:peer-subject"
#define NNG_OPT_MPC_TLS_VERSION    "mpc:tls-version"
#define NNG_OPT_MPC_TLS_CIPHER     "mpc:tls-cipher"
#define NNG_OPT_MPC_PEER_PIN       "mpc:peer-pin"
#define NNG_OPT_MPC_EPOCH          "mpc:epoch"
#define NNG_OPT_MPC_RECV_EPOCH     "mpc:recv-epoch"
#define NNG_OPT_MPC_FRAMES_IN      "mpc:frames-in"
#define NNG_OPT_MPC_FRAMES_OUT     "mpc:frames-out"
#define NNG_OPT_MPC_BYTES_IN       "mpc:bytes-in"
#define NNG_OPT_MPC_BYTES_OUT      "mpc:bytes-out"
#define NNG_OPT_MPC_AUTH_FAILURES  "mpc:auth-failures"
#define NNG_OPT_MPC_REPLAYS        "mpc:replays-rejected"
#define NNG_OPT_MPC_DROP_EPOCH     "mpc:dropped-epoch"
#define NNG_OPT_MPC_DROP_SENDER    "mpc:dropped-sender"
#define NNG_OPT_MPC_DROP_RECIPIENT "mpc:dropped-recipient"
#define NNG_OPT_MPC_DROP_SESSION   "mpc:dropped-session"
#define NNG_OPT_MPC_DROP_TYPE      "mpc:dropped-type"
#define NNG_OPT_MPC_SEND_SKIPPED   "mpc:send-skipped"
#define NNG_OPT_MPC_SEND_DROPPED   "mpc:send-dropped"

/*
 * Read-only pipe state of the rate limiter and liveness (uint64):
 *   NNG_OPT_MPC_RATE_ALLOWANCE   messages per second the peer may send now
 *                                (the rate, lowered in adaptive mode); 0:
 *                                no message limit
 *   NNG_OPT_MPC_RATE_TOKENS      whole messages in the bucket now
 *   NNG_OPT_MPC_RATE_THROTTLED   ms the pipe spent not reading because of
 *                                the limit
 *   NNG_OPT_MPC_RATE_DELAYED     frames that waited for tokens
 *   NNG_OPT_MPC_SEND_DELAYED     sends that waited for send-side tokens
 *   NNG_OPT_MPC_HEARTBEATS_OUT / _IN   heartbeats sent / answered
 *   NNG_OPT_MPC_RTT              last heartbeat round-trip, microseconds
 *   NNG_OPT_MPC_SRTT             smoothed round-trip (RFC 6298 2.3), us
 * and the counters NNG_OPT_MPC_CLOSED_RATE, _DEAD, _IDLE, _LIFETIME (0 or
 * 1: why this pipe was closed).
 */
#define NNG_OPT_MPC_RATE_ALLOWANCE "mpc:rate-allowance"
#define NNG_OPT_MPC_RATE_TOKENS    "mpc:rate-tokens"
#define NNG_OPT_MPC_RATE_THROTTLED "mpc:rate-throttled"
#define NNG_OPT_MPC_RATE_DELAYED   "mpc:rate-delayed"
#define NNG_OPT_MPC_SEND_DELAYED   "mpc:send-delayed"
#define NNG_OPT_MPC_HEARTBEATS_OUT "mpc:heartbeats-out"
#define NNG_OPT_MPC_HEARTBEATS_IN  "mpc:heartbeats-in"
#define NNG_OPT_MPC_RTT            "mpc:rtt"
#define NNG_OPT_MPC_SRTT           "mpc:srtt"
/* END options */

/* BEGIN delivery */
/*
 * Delivery streams (turned on per socket, dialer or listener; both sides of
 * a connection must agree, else the connection is refused with
 * NNG_MPC_ECAPS, counter NNG_OPT_MPC_REJ_CAPS):
 * NNG_OPT_MPC_RELIABLE (bool; default false)  Every message for one party
 *   travels on that party's delivery stream: numbered independently of
 *   connections and keys, kept by the sender until the party acknowledges
 *   it (cumulative acks, piggybacked on traffic, else after
 *   NNG_MPC_DELIVER_ACK_DELAY_MS -- 50 ms right after traffic carried
 *   acks -- or half the window in messages, a quarter in bytes), resumed in
 *   order when the party reconnects in the same session (the stale pipe
 *   replaced), duplicates discarded.  The stream belongs to the socket and
 *   the party and lives while the socket has a dialer or listener.
 * NNG_OPT_MPC_WINDOW_MSGS (int; default 4096; 1..65536) and
 * NNG_OPT_MPC_WINDOW_BYTES (size; default 8 MiB; 1024..1 GiB)  The most a
 *   stream keeps unacknowledged (a message larger than the byte window
 *   goes alone).  A send that does not fit waits (the protocol's pipe is
 *   busy, so the application's send waits per NNG_OPT_SENDTIMEO).  Fixed
 *   when the stream is made (the first connection to that party).
 * Pipe counters (uint64, also NNG statistics of the pipe):
 *   NNG_OPT_MPC_DLV_DUPLICATES     stream messages received twice and
 *                                  discarded (NNG_MPC_EDUPLICATE)
 *   NNG_OPT_MPC_DLV_REJECTED       delivery records that broke the stream
 *                                  (NNG_MPC_EGAP, NNG_MPC_EACKAHEAD,
 *                                  NNG_MPC_EDELIVERCTL): the pipe closes
 *   NNG_OPT_MPC_DLV_RETRANSMITTED  messages sent again after a resume
 *   NNG_OPT_MPC_DLV_RESETS         the party restarted and lost its stream
 *                                  (NNG_MPC_ESTREAMRESET)
 */
#define NNG_OPT_MPC_RELIABLE          "mpc:reliable"
#define NNG_OPT_MPC_WINDOW_MSGS       "mpc:window-msgs"
#define NNG_OPT_MPC_WINDOW_BYTES      "mpc:window-bytes"
#define NNG_OPT_MPC_DLV_DUPLICATES    "mpc:dlv-duplicates"
#define NNG_OPT_MPC_DLV_REJECTED      "mpc:dlv-rejected"
#define NNG_OPT_MPC_DLV_RETRANSMITTED "mpc:dlv-retransmitted"
#define NNG_OPT_MPC_DLV_RESETS        "mpc:dlv-resets"
#define NNG_MPC_DELIVER_ACK_DELAY_MS  5

/*
 * nng_mpc_socket_drain waits until every message the socket's delivery
 * streams keep has been acknowledged by its party, or timeout (ms;
 * NNG_DURATION_INFINITE: no limit) passed.  Call it before nng_close():
 * closing drops what the parties have not acknowledged.  Returns 0 (all
 * acknowledged; also when delivery is off), NNG_MPC_EUNDELIVERED (some are
 * not: *pending says how many) or NNG_EINVAL.  pending may be NULL.  It
 * asks each party for its ack at once (an ACKREQ record), so after a
 * short exchange it returns in about a round trip, not after the
 * parties' delayed ack (NNG_MPC_DELIVER_ACK_DELAY_MS, or 50 ms).  The
 * close linger (NNG_OPT_MPC_LINGER) asks the same way.
 */
int nng_mpc_socket_drain(nng_socket s, nng_duration timeout,
    uint64_t *pending);

/*
 * nng_mpc_sendmsg sends msg (addressed with nng_mpc_msg_set_recipient, or
 * a broadcast) on a bus0 or pair1 socket so that it is never lost
 * silently: on success the message is the socket's and is kept on the
 * recipient's delivery stream until that party acknowledges it; on error
 * msg is still the caller's.  Checked at once, without waiting:
 *   NNG_EINVAL (msg NULL), the envelope's errors (NNG_MPC_EENVSHORT, ...),
 *   NNG_MPC_ENOPARTYID (NNG_OPT_MPC_PARTY_ID not set on the socket:
 *   nng_mpc_socket_set), NNG_MPC_ESENDSELF (addressed to our own party),
 *   NNG_MPC_ENOTINSESSION (the recipient is not a party of the session: not
 *   in the socket's NNG_OPT_MPC_ALLOW_PARTIES when that is set, or in its
 *   NNG_OPT_MPC_DENY_PARTIES), NNG_MPC_ESENDPROTO (not bus0 or pair1).
 * Without NNG_OPT_MPC_RELIABLE on the socket it then is nng_sendmsg().
 * With it, the send waits -- up to NNG_OPT_SENDTIMEO, not at all with
 * NNG_FLAG_NONBLOCK -- until the recipient is connected (its stream has
 * a pipe) and its window has room, then puts the message on the stream
 * (a broadcast: a copy on the stream of every connected party, once all
 * have room, at least one party connected).  Past the wait:
 *   NNG_MPC_ENOTCONNECTED (the recipient, or for a broadcast every party,
 *   not connected), NNG_MPC_EWINDOWFULL (connected, window full: the
 *   party does not acknowledge -- its application does not read).
 * The message goes straight to the stream, past the protocol's own send
 * queue: do not mix it with nng_sendmsg() on one socket if the order
 * between the two matters.
 */
int nng_mpc_sendmsg(nng_socket s, nng_msg *msg, int flags);

/*
 * NNG_OPT_MPC_LINGER (ms duration; default NNG_MPC_LINGER_DEFAULT = 1000;
 *   0..60000; per socket: the last value set on any of its endpoints, or
 *   on the socket)  With delivery streams, closing an endpoint that has
 *   pipes -- nng_close() closes them all -- first waits up to this long
 *   until every message its connected parties' streams keep is
 *   acknowledged.  It waits under NNG's socket lock (so a reconnect cannot
 *   complete meanwhile): bounded, never forever.
 * nng_mpc_socket_undelivered tells, after nng_close(s), how many messages
 * the socket's streams still kept when it closed (0: every accepted send
 * was acknowledged): 0 and *count, or NNG_ENOENT (s never had delivery
 * streams, is still open, or more than 64 such sockets closed since),
 * NNG_EINVAL.  nng_mpc_close is nng_close() that says so: 0 (nothing was
 * lost), NNG_MPC_EUNDELIVERED (the socket is closed; *undelivered, when
 * not NULL, says how many messages its streams still kept) or
 * nng_close()'s error.
 */
#define NNG_OPT_MPC_LINGER     "mpc:linger"
/*
 * NNG_OPT_MPC_DLV_UNROUTED (uint64, pipe counter and NNG statistic)  Sends
 *   a protocol handed this pipe (plain nng_sendmsg on bus0: every pipe gets
 *   a copy) addressed to a party that has no connection on the socket, or
 *   to ourselves: no delivery stream keeps them, they are lost.  Each pipe
 *   counts its own copy.  nng_mpc_sendmsg never loses a message this way.
 */
#define NNG_OPT_MPC_DLV_UNROUTED "mpc:dlv-unrouted"
#define NNG_MPC_LINGER_DEFAULT 1000
#define NNG_MPC_LINGER_MAX     60000
int nng_mpc_socket_undelivered(nng_socket s, uint64_t *count);
int nng_mpc_close(nng_socket s, uint64_t *undelivered);

/*
 * Echo broadcast (README "Echo broadcast and equivocation evidence"):
 * NNG_OPT_MPC_BROADCAST_ECHO (bool; default false)  A broadcast (a message
 *   without a recipient) carries the sender's broadcast sequence and, over
 *   mpc+tls+tcp://, its signature of the broadcast statement with its
 *   certificate key; every receiver echoes the signed statement to the
 *   other parties and delivers the broadcast only when the echoes agree.
 *   Every party of the session must set it the same way.  With
 *   NNG_OPT_MPC_RELIABLE as well, broadcasts and echoes travel in the
 *   delivery streams (README "With delivery streams").
 * NNG_OPT_MPC_BROADCAST_QUORUM (int; default 0; 0..64)  Agreeing echoes
 *   that deliver a broadcast; 0: every other party connected when it
 *   arrived.
 * NNG_OPT_MPC_BROADCAST_TIMEOUT (ms; default 10000; 1..600000)  A held
 *   broadcast whose echoes did not all arrive by then is dropped
 *   (NNG_MPC_EECHOTIMEOUT).
 * NNG_OPT_MPC_BROADCAST_EQUIVOCATE (int; default 0; 0..1000)  For tests
 *   and demonstrations only: this party equivocates on its next N
 *   broadcasts (the connected party with the highest ID gets the payload
 *   with its last byte changed, signed as the same broadcast).
 * These settings belong to the socket: its pipes use the last value set
 * on the endpoint that made them.
 */
#define NNG_OPT_MPC_BROADCAST_ECHO       "mpc:broadcast-echo"
#define NNG_OPT_MPC_BROADCAST_QUORUM     "mpc:broadcast-quorum"
#define NNG_OPT_MPC_BROADCAST_TIMEOUT    "mpc:broadcast-timeout"
#define NNG_OPT_MPC_BROADCAST_EQUIVOCATE "mpc:broadcast-equivocate"
/* Pipe counters (uint64, also NNG statistics of the pipe): */
#define NNG_OPT_MPC_ECHO_REJECTED      "mpc:echo-rejected"      /* EECHOFRAME, EECHOSIG, EECHOCERT */
#define NNG_OPT_MPC_ECHO_EQUIVOCATIONS "mpc:echo-equivocations" /* EEQUIVOCATION by the peer */

/* The largest evidence file (transport/mpc_evidence.h). */
#define NNG_MPC_EVIDENCE_MAX 8610

/* What a socket's echo broadcast saw: counters, and the last equivocation. */
typedef struct nng_mpc_echo_report {
	uint64_t delivered;    /* broadcasts delivered after their echoes */
	uint64_t equivocations;/* equivocations detected */
	uint64_t timeouts;     /* broadcasts dropped: echoes missing */
	uint64_t rejected;     /* bad frames, signatures or certificates */
	uint64_t full;         /* broadcasts dropped: too many held */
	/* With NNG_OPT_MPC_RELIABLE as well: */
	uint64_t pending;      /* echoes waiting for their sender's
	                          certificate now (at most 64) */
	uint64_t dropped;      /* echoes dropped while waiting */
	int      dropped_error;/* the last one: NNG_MPC_EECHOFULL (64 were
	                          waiting) or NNG_MPC_EECHOCERT (no
	                          certificate within the broadcast timeout) */
	uint32_t dropped_sender; /* its statement's sender, sequence, and */
	uint64_t dropped_seq;
	uint32_t dropped_from;   /* the party that echoed it */
	uint64_t unkept;       /* broadcasts or echoes not kept for a party:
	                          its stream's window was full (an absent
	                          party's, for a broadcast) or no memory */
	/* The last equivocation (valid when equivocations > 0): */
	uint32_t sender;       /* the party that equivocated */
	uint32_t witness;      /* the echoing party of the conflict */
	uint16_t type;         /* message type and sender's sequence */
	uint64_t seq;
	uint8_t  digest[2][32];/* the two statement digests */
	int      proven;       /* 1: signed; evidence holds the file */
	size_t   evidence_len; /* 0 without certificates */
	uint8_t  evidence[NNG_MPC_EVIDENCE_MAX]; /* `nngmpc evidence verify` */
} nng_mpc_echo_report;

/*
 * nng_mpc_echo_report_get fills *rep for socket s.  Returns
 * NNG_MPC_EEQUIVOCATION when an equivocation was detected and the last one
 * is proven (signed; its evidence in *rep), NNG_MPC_EECHOUNSIGNED when the
 * last one is not (no certificates: the sender or the witness lied), 0
 * when none was, NNG_ENOENT when the socket never had an echo broadcast
 * pipe, NNG_EINVAL for a NULL rep.
 */
int nng_mpc_echo_report_get(nng_socket s, nng_mpc_echo_report *rep);

/*
 * nng_mpc_socket_pending sets *pending to how many messages the socket's
 * delivery stream to party keeps unacknowledged now (every party's with
 * NNG_MPC_PARTY_BROADCAST; 0 when there is no such stream), so a drain
 * that timed out can say whom it waited for.  0, or NNG_EINVAL (pending
 * NULL, party 0).
 */
int nng_mpc_socket_pending(nng_socket s, uint32_t party, uint64_t *pending);
/* END delivery */

/* ======================================================================
 * Registration, TLS engine and TLS options
 * ====================================================================== */

/* BEGIN registration and TLS */
/*
 * nng_mpc_register makes nng-mpc available in this process: it registers
 * the wolfSSL TLS 1.3 engine as NNG's TLS engine (so tls+tcp://, wss:// and
 * the mpc transports all run on it), then the plugin's other parts.  It
 * initializes NNG first, because NNG's initialization resets the engine.
 * Idempotent and thread-safe.  Loading the shared module (libnngmpc.so, by
 * linking it or with LD_PRELOAD) calls it automatically.  After nng_fini()
 * NNG forgets the engine: call nng_mpc_register() again.
 * Returns 0 or an NNG error.
 */
int nng_mpc_register(void);

/*
 * The TLS engine.  nng_tls_engine_name() reports "wolfSSL <version>";
 * nng_tls_engine_fips_mode() reports false (this wolfSSL is not the FIPS
 * module).  Defaults, per NNG TLS configuration:
 *   versions   TLS 1.3 only; TLS 1.2 only when the application asks with
 *              nng_tls_config_version(cfg, NNG_TLS_1_2, ...)
 *   suites     TLS_AES_256_GCM_SHA384, TLS_AES_128_GCM_SHA256,
 *              TLS_CHACHA20_POLY1305_SHA256 (with 1.2 allowed also the
 *              ECDHE-ECDSA AES-GCM and ChaCha20-Poly1305 suites)
 *   groups     X25519, P-256
 *   auth mode  NNG's: a client requires and verifies the server's
 *              certificate; a server asks for none
 * Certificates and keys are ECDSA (P-256/P-384).  Encrypted private keys
 * must be PKCS#8 (PBES2), as `openssl pkcs8 -topk8 -v2 aes-256-cbc` or
 * `openssl genpkey -aes-256-cbc` write them.
 *
 * Party identity (the convention): a party's certificate carries exactly
 * one URI subjectAltName "mpc://party/<id>", <id> the decimal party ID
 * NNG_MPC_TLS_PARTY_MIN..NNG_MPC_TLS_PARTY_MAX without sign, leading zeros
 * or anything after it.  Any URI SAN with scheme "mpc" is a party claim; a
 * certificate with two claims, or one that does not parse exactly, has a
 * malformed identity.  Other URI SANs are ignored.  The engine always reads
 * the identity; it fails the handshake over it only on configurations with
 * nng_mpc_tls_config_require_party() set (the mpc transport sets it; plain
 * tls+tcp:// does not, so ordinary certificates keep working there).
 */
#define NNG_MPC_TLS_PARTY_URI_PREFIX "mpc://party/"
#define NNG_MPC_TLS_PARTY_MIN        1u
#define NNG_MPC_TLS_PARTY_MAX        4294967294u

/* Certificate pins: SHA-256 of the peer's DER SubjectPublicKeyInfo, e.g.
 *   openssl x509 -in peer.pem -pubkey -noout |
 *     openssl pkey -pubin -outform der | openssl dgst -sha256          */
#define NNG_MPC_TLS_PIN_SIZE 32
#define NNG_MPC_TLS_PINS_MAX 64

struct nng_tls_config; /* <nng/supplemental/tls/tls.h> */

/*
 * Per-configuration settings NNG's own TLS API lacks.  cfg must be an
 * nng_tls_config created while this engine was registered (otherwise
 * NNG_MPC_ETLSNOTOURS).  Like NNG's nng_tls_config_* calls they affect
 * connections started after the call.
 *
 * nng_mpc_tls_config_pins replaces the pin set with npins digests of
 * NNG_MPC_TLS_PIN_SIZE bytes each (npins 0 clears it).  With pins set, a
 * peer whose key is not among them fails the handshake (NNG_EPEERAUTH), and
 * a peer certificate becomes mandatory.  With auth mode none, a pin alone
 * authenticates the peer (no CA needed).
 */
int nng_mpc_tls_config_pins(
    struct nng_tls_config *cfg, const uint8_t *pins, size_t npins);

/*
 * nng_mpc_tls_config_ciphers sets the suites, in preference order, as a
 * colon-separated list of IANA names ("TLS_AES_128_GCM_SHA256:..."); an
 * unknown name fails with NNG_MPC_ETLSCIPHER.  Suites of a version the
 * configuration does not allow are ignored; none left is NNG_MPC_ETLSCIPHER.
 */
int nng_mpc_tls_config_ciphers(struct nng_tls_config *cfg, const char *suites);

/*
 * nng_mpc_tls_config_groups sets the key-exchange groups, in preference
 * order, as a colon-separated list of "X25519", "P-256", "P-384"; an unknown
 * name fails with NNG_MPC_ETLSGROUP.
 */
int nng_mpc_tls_config_groups(struct nng_tls_config *cfg, const char *groups);

/*
 * nng_mpc_tls_config_require_party: when on, the peer must present a
 * certificate carrying a well-formed party identity (see above), or the
 * handshake fails with NNG_EPEERAUTH.
 */
int nng_mpc_tls_config_require_party(struct nng_tls_config *cfg, int on);

/*
 * Process-wide TLS engine counters (monotonic; both ends of a connection in
 * one process both count).  Each handshake failure moves hs_failed and
 * exactly one of the reason counters.
 */
typedef struct nng_mpc_tls_stats {
	uint64_t hs_ok;           /* handshakes completed */
	uint64_t hs_failed;       /* handshakes failed, any reason */
	uint64_t untrusted;       /* peer chain not anchored in our CAs */
	uint64_t expired;         /* peer certificate expired / not yet valid */
	uint64_t revoked;         /* peer certificate on a CRL */
	uint64_t name_mismatch;   /* peer certificate not for the server name */
	uint64_t no_peer_cert;    /* peer sent no certificate, one required */
	uint64_t pin_mismatch;    /* peer key not in the pin set */
	uint64_t party_malformed; /* malformed or duplicate party-ID SAN */
	uint64_t party_missing;   /* no party-ID SAN, one required */
	uint64_t bad_cert;        /* peer certificate unparsable */
	uint64_t version;         /* no common TLS version */
	uint64_t no_cipher;       /* no common cipher suite */
	uint64_t alert_rx;        /* peer rejected us with a fatal alert */
	uint64_t other;           /* other handshake failures (I/O, memory) */
	uint64_t close_notify_tx; /* close_notify alerts sent */
	uint64_t close_notify_rx; /* close_notify alerts received */
} nng_mpc_tls_stats;

void nng_mpc_tls_stats_get(nng_mpc_tls_stats *out);
/* END registration and TLS */

/* ======================================================================
 * Metrics: a Prometheus endpoint
 * ====================================================================== */

/* BEGIN metrics */
/*
 * A metrics endpoint serves GET /metrics over HTTP (NNG's own HTTP server)
 * in the Prometheus text exposition format 0.0.4 (Content-Type
 * "text/plain; version=0.0.4; charset=utf-8"): every NNG statistic of the
 * process's sockets, dialers, listeners and pipes, the TLS engine's
 * counters (nng_mpc_tls_stats) and nng-mpc's histograms.  Other paths are
 * 404, other methods 405.  README "Observability" lists the families.
 * Plain HTTP without authentication: bind it to a loopback or management
 * address.
 *
 * nng_mpc_metrics_start listens on addr, "HOST:PORT" ("127.0.0.1:9464",
 * "[::1]:9464", "0.0.0.0:9464"; PORT 0..65535, 0 picks a free port) and
 * returns the endpoint in *out.  Returns 0, NNG_EINVAL (out NULL),
 * NNG_EADDRINVAL (addr NULL or not HOST:PORT), NNG_EADDRINUSE, or
 * another NNG error of binding or memory.  The environment variable
 * NNG_MPC_METRICS_ADDR=HOST:PORT starts one when nng_mpc_register() runs
 * (also when the module is loaded), once per process.
 */
typedef struct nng_mpc_metrics nng_mpc_metrics;

int nng_mpc_metrics_start(const char *addr, nng_mpc_metrics **out);

/* The TCP port the endpoint listens on (the bound one for port 0), or -1
 * when m is NULL. */
int nng_mpc_metrics_port(const nng_mpc_metrics *m);

/* Stops the endpoint (closing its connections) and frees it; NULL is a
 * no-op. */
void nng_mpc_metrics_stop(nng_mpc_metrics *m);
/* END metrics */

/* ======================================================================
 * Audit log
 * ====================================================================== */

/* BEGIN audit */
/*
 * A sealed, tamper-evident log of who connected, when, with which
 * certificate, and what was refused and why.  JSON Lines, each record
 * chained to the previous one by SHA-256 ("prev"), with periodic seal
 * records (HMAC-SHA256 under a key that evolves one way after each seal,
 * so the machine never holds a key that could re-seal the past).  Written
 * by a thread of its own from a bounded queue: the transport never waits
 * for the disk.  `nngmpc audit keygen` makes the sealing state,
 * `nngmpc audit verify` checks a log; README "Audit log" has the format.
 *
 * Environment for unmodified programs (read by the transport):
 *   NNG_MPC_AUDIT_FILE      the log path every mpc+* endpoint writes to
 *   NNG_MPC_AUDIT_KEY_FILE  the sealing state (DIR/audit.seal); required:
 *                           there is no unsealed log
 */
enum nng_mpc_audit_errno {
	NNG_MPC_EAUDITKEY   = NNG_MPC_ERRBASE + 128, /* sealing state missing/unreadable/malformed */
	NNG_MPC_EAUDITLOG   = NNG_MPC_ERRBASE + 129, /* existing log not continuable (damaged tail) */
	NNG_MPC_EAUDITSTATE = NNG_MPC_ERRBASE + 130, /* sealing state does not match the log */
	NNG_MPC_EAUDITBAD   = NNG_MPC_ERRBASE + 131, /* log failed verification */
};

/* fsync policy: at each seal (default), never, or after every record. */
enum nng_mpc_audit_fsync {
	NNG_MPC_AUDIT_FSYNC_SEAL   = 0,
	NNG_MPC_AUDIT_FSYNC_NONE   = 1,
	NNG_MPC_AUDIT_FSYNC_ALWAYS = 2,
};

#define NNG_MPC_AUDIT_SEAL_RECORDS_DEFAULT 1000u
#define NNG_MPC_AUDIT_SEAL_SECONDS_DEFAULT 60u
#define NNG_MPC_AUDIT_QUEUE_DEFAULT        4096u
#define NNG_MPC_AUDIT_QUEUE_MAX            (1u << 20)
#define NNG_MPC_AUDIT_MAX_BYTES_MIN        (64u * 1024u)

/* Options of nng_mpc_audit_open(); zero in a field means its default. */
typedef struct nng_mpc_audit_opts {
	uint32_t seal_records; /* seal after this many records, 1.. (1000) */
	uint32_t seal_seconds; /* ... or this many seconds, 1.. (60), even
	                          when nothing happened (an empty epoch) */
	uint64_t max_bytes;    /* rotate past this size; 0: never; else
	                          >= NNG_MPC_AUDIT_MAX_BYTES_MIN */
	uint32_t queue_len;    /* queued records, 1..NNG_MPC_AUDIT_QUEUE_MAX
	                          (4096); more are counted as lost */
	int      fsync;        /* enum nng_mpc_audit_fsync */
} nng_mpc_audit_opts;

typedef struct nng_mpc_audit nng_mpc_audit;

/*
 * nng_mpc_audit_open opens (or continues) the log at path with the
 * sealing state seal_file (made by `nngmpc audit keygen`, rewritten in
 * place at each seal).  Opening a path that is already open in this
 * process returns the same log with one more reference (opts of the first
 * open stay).  Returns 0, NNG_EINVAL (NULL argument or an option out of
 * range), NNG_MPC_EAUDITKEY, NNG_MPC_EAUDITLOG, NNG_MPC_EAUDITSTATE,
 * NNG_EBUSY (another process writes that log), NNG_ENOMEM, or an NNG
 * error for a file that cannot be opened.
 */
int nng_mpc_audit_open(nng_mpc_audit **out, const char *path,
    const char *seal_file, const nng_mpc_audit_opts *opts);

/* Drops the caller's reference; the last one (endpoints hold their own)
 * writes a closing seal, flushes and stops the writer.  NULL is a no-op. */
void nng_mpc_audit_close(nng_mpc_audit *log);

/* Sets NNG_OPT_MPC_AUDIT on the socket: its mpc+* endpoints log to log. */
int nng_mpc_audit_attach(nng_socket s, nng_mpc_audit *log);

/* Waits until every record queued before the call is written (not for
 * the data path).  0, or the first write error's NNG code. */
int nng_mpc_audit_flush(nng_mpc_audit *log);

typedef struct nng_mpc_audit_stats {
	uint64_t records;      /* lines written, seals included */
	uint64_t seals;        /* seal records written */
	uint64_t lost;         /* records dropped because the queue was full */
	uint64_t rotations;    /* files rotated */
	uint64_t write_errors; /* failed writes (the log stops at the first) */
	uint64_t queue_max;    /* highest queue occupancy seen */
} nng_mpc_audit_stats;

void nng_mpc_audit_stats_get(nng_mpc_audit *log, nng_mpc_audit_stats *out);
/* END audit */

/* ======================================================================
 * Diagnostics: one line per connection event
 * ====================================================================== */

/* BEGIN diagnostics */
/*
 * Every connection event of every mpc+* endpoint of the process (a
 * handshake, a refusal with its exact reason, a pipe closed, a replaced
 * pipe, an admission cap, ...) as one line: UTC timestamp, level, event,
 * endpoint URL and side, our party, the peer's party and address, the
 * reason's name and text, and for the common causes what to fix.  Both
 * ends of a refused connection report it as it happens.  README
 * "Diagnostics" lists the fields and the hints.
 *
 * Levels: NNG_MPC_LOG_WARN reports refusals, admission caps, replaced
 * pipes and pipes that ended with an error; INFO adds handshakes and
 * orderly closes; DEBUG adds key updates, rejected-frame summaries and
 * each endpoint's configuration.
 *
 * Environment for unmodified programs (read when the module loads):
 *   NNG_MPC_LOG          off | warn | info | debug   (default off)
 *   NNG_MPC_LOG_FORMAT   logfmt | json               (default logfmt)
 * A value not understood is reported on stderr and leaves diagnostics off.
 */
enum nng_mpc_log_level {
	NNG_MPC_LOG_OFF   = 0,
	NNG_MPC_LOG_WARN  = 1,
	NNG_MPC_LOG_INFO  = 2,
	NNG_MPC_LOG_DEBUG = 3,
};

enum nng_mpc_log_format {
	NNG_MPC_LOG_LOGFMT = 0, /* key=value pairs, values quoted if needed */
	NNG_MPC_LOG_JSON   = 1, /* one JSON object per line */
};

/*
 * Receives one line (no trailing newline; valid only during the call).
 * Called on transport threads: it must not block, must not call back into
 * NNG for a socket, and must not call nng_mpc_log_set.
 */
typedef void (*nng_mpc_log_fn)(void *arg, const char *line);

/*
 * nng_mpc_log_set sets the level and format, and where lines go: fn with
 * arg, or standard error when fn is NULL (one write per line).  Returns 0,
 * or NNG_EINVAL for a level or format out of range (nothing changed).
 */
__attribute__((warn_unused_result)) int nng_mpc_log_set(
    int level, int format, nng_mpc_log_fn fn, void *arg);

/*
 * nng_mpc_log_level_parse and nng_mpc_log_format_parse read a level ("off", "warn", "info", "debug") or a
 * format ("logfmt", "json") name, as NNG_MPC_LOG and NNG_MPC_LOG_FORMAT
 * take them.  Returns 0, or NNG_EINVAL for another name.
 */
__attribute__((warn_unused_result)) int nng_mpc_log_level_parse(
    const char *name, int *level);
__attribute__((warn_unused_result)) int nng_mpc_log_format_parse(
    const char *name, int *format);

/*
 * nng_mpc_tls_config_own_party reads the party ID of our own certificate
 * on cfg (after nng_tls_config_own_cert or nng_tls_config_cert_key_file),
 * as the transport does when no NNG_OPT_MPC_PARTY_ID is set: for start-up
 * checks that a certificate is the party's.  Returns 0 and *id;
 * NNG_MPC_ETLSNOTOURS (cfg is not of the nng-mpc TLS engine),
 * NNG_MPC_ETLSNOCERT (no own certificate), NNG_MPC_ETLSNOPARTY (it names
 * no party), NNG_MPC_ETLSPARTY (malformed) or NNG_MPC_ETLSBADCERT.
 */
__attribute__((warn_unused_result)) int nng_mpc_tls_config_own_party(
    struct nng_tls_config *cfg, uint32_t *id);
/* END diagnostics */

/* BEGIN reload */
/*
 * nng_mpc_socket_reload applies new trust material and settings to the
 * live mpc+* dialers and listeners of socket s, without a restart and
 * without touching the connections that still pass:
 *
 *   1. When ca_file or cert_key_file is given, the files are read first,
 *      as NNG_OPT_TLS_CA_FILE and NNG_OPT_TLS_CERT_KEY_FILE read them (a
 *      CA file's "X509 CRL" blocks are its CRLs), and must be usable, or
 *      nothing changes: the call returns the error and bad_file names the
 *      file.  Each mpc+tls+tcp:// endpoint then gets a copy of its TLS
 *      source in which the file's anchors and CRLs, or own certificate
 *      and key, REPLACE the old ones (setting NNG_OPT_TLS_CA_FILE again
 *      would only add to them); an application's NNG_OPT_TLS_CONFIG is
 *      never modified.
 *   2. Every endpoint that already dials or listens derives its private
 *      TLS configuration again (with its pins, NNG_OPT_MPC_CERT_PINS, as
 *      set now): new connections use it from now on.  If any endpoint
 *      cannot (NNG_MPC_ETLSNOTRUST, NNG_MPC_ETLSKEY, ...), nothing
 *      changes anywhere and that error is returned.
 *   3. Every live pipe is checked again: the peer's party against the
 *      allow and deny lists (NNG_OPT_MPC_ALLOW_PARTIES / _DENY_PARTIES as
 *      set now), and over TLS the certificate chain it presented at its
 *      handshake against the new anchors, CRLs and pins, with the same
 *      rules as a handshake.  A pipe that fails is closed with
 *      NNG_MPC_ERELOADDENIED or NNG_MPC_ERELOADREVOKED (counters
 *      NNG_OPT_MPC_CLOSED_DENIED / NNG_OPT_MPC_CLOSED_UNTRUSTED, an
 *      observer event with the reason) and listed in closed[]; nothing it
 *      sends afterwards is delivered.  A pipe that passes stays up, and
 *      its receive rate limit and send shaping take the endpoint's
 *      current NNG_OPT_MPC_RATE_* / NNG_OPT_MPC_SEND_RATE_* settings.
 *
 * So a reload is: set the options that change on the socket as usual
 * (pins, allow/deny lists, rate limits: nng_socket_set*), then call this
 * with the files that changed (or with both NULL).  Session ID and key,
 * party ID, URLs and the other settings are not reloaded.  Returns 0 (see
 * closed[], kept); NNG_EINVAL (bad arguments), NNG_ECLOSED (no such
 * socket), a file's error (NNG_ENOENT, NNG_MPC_ETLSBADCERT, ...) or an
 * endpoint's as above.
 *
 * Threading: any thread except an NNG callback of the socket's; calls
 * for one socket run one at a time.  Peer certificates are kept for this
 * (at most 4 certificates and 8 KiB per mpc+tls+tcp:// connection).
 */
#define NNG_MPC_RELOAD_CLOSED_MAX 64

typedef struct nng_mpc_reload_closed {
	uint32_t party;  /* the peer's party ID */
	uint32_t pipe;   /* its NNG pipe ID (nng_pipe_id), 0 if none yet */
	int      reason; /* NNG_MPC_ERELOADREVOKED or NNG_MPC_ERELOADDENIED */
	int      cause;  /* why: NNG_MPC_ETLSREVOKED, _ETLSUNTRUSTED,
	                    _ETLSEXPIRED, _ETLSPIN, ... or NNG_MPC_EPARTYDENIED */
} nng_mpc_reload_closed;

typedef struct nng_mpc_reload {
	/* In (NULL: unchanged). */
	const char *ca_file;       /* CA certificates and CRLs, PEM */
	const char *cert_key_file; /* own certificate chain and key, PEM */
	/* Out. */
	const char *bad_file;  /* the file that failed, or NULL */
	uint32_t    endpoints; /* mpc+* dialers and listeners reloaded */
	uint32_t    kept;      /* live pipes that still pass */
	uint32_t    nclosed;   /* pipes closed (closed[] holds the first) */
	nng_mpc_reload_closed closed[NNG_MPC_RELOAD_CLOSED_MAX];
} nng_mpc_reload;

__attribute__((warn_unused_result)) int nng_mpc_socket_reload(
    nng_socket s, nng_mpc_reload *r);
/* END reload */

#ifdef __cplusplus
}
#endif

#endif /* NNG_MPC_H */
