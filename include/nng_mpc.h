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
/* END errors: message crypto */

/* BEGIN errors: TLS engine and identity */
/* END errors: TLS engine and identity */

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
 * binding only lets a receiver reject a cross-session frame with a specific
 * error (NNG_MPC_ESESSION) before decrypting; 64 bits make an accidental
 * match of two sessions' bindings negligible (2^-64), and spending 8 bytes
 * instead of 16 keeps the overhead at 64 bytes.
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
/* END crypto helpers */

/* ======================================================================
 * Registration, TLS engine and TLS options
 * ====================================================================== */

/* BEGIN registration and TLS */
/* END registration and TLS */

#ifdef __cplusplus
}
#endif

#endif /* NNG_MPC_H */
