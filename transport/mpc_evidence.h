/*
 * mpc_evidence.h -- broadcast statements and equivocation evidence.
 *
 * A broadcast statement names one broadcast message and what it said.  Its
 * bytes (big-endian, exactly MPC_EVIDENCE_STMT_SIZE):
 *
 *   offset size field
 *        0   32 label         "nng-mpc broadcast statement v1" and two
 *                             zero bytes (domain separation: see below)
 *       32   16 session ID    NNG_OPT_MPC_SESSION_ID
 *       48    4 sender        the broadcasting party
 *       52    2 type          the message type
 *       54    2 reserved      0
 *       56    8 sequence      the sender's broadcast sequence number
 *       64   32 payload hash  SHA-256 of the payload
 *
 * The statement digest, SHA-256 of those 96 bytes, is what receivers echo
 * to each other.  The sender signs the statement with its certificate key
 * (mpc_sign.h); two signed statements of one sender with the same session,
 * type and sequence but different payload hashes prove that the sender
 * equivocated, to anyone who trusts the CA: no receiver can make them
 * (pairwise MACs could be made by either end, a signature only by the key
 * holder).  The label keeps a statement signature apart from every other
 * signature the key makes (TLS 1.3 CertificateVerify input starts with 64
 * spaces, RFC 8446 section 4.4.3) and from later versions of this layout.
 *
 * The evidence file (what `nngmpc evidence verify` reads):
 *
 *   offset size field
 *        0    8 magic         0x89 'M' 'P' 'C' 'E' 'V' 'D' 0x01
 *        8    2 length        MPC_EVIDENCE_STMT_SIZE
 *       10   96 statement A
 *      106    2 length        1..MPC_SIGN_SIG_MAX
 *      108    n signature A   DER ECDSA over statement A
 *        .    2, 96           statement B, as A
 *        .    2, n            signature B, as A
 *        .    2 length        1..MPC_SIGN_CERT_MAX
 *        .    n certificate   the sender's, DER
 *   (nothing after it)
 *
 * Threading: pure functions over caller memory.
 */
#ifndef NNG_MPC_TRANSPORT_MPC_EVIDENCE_H
#define NNG_MPC_TRANSPORT_MPC_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nng_mpc.h"

#include "mpc_cursor.h"
#include "mpc_sign.h"

#define MPC_EVIDENCE_LABEL      "nng-mpc broadcast statement v1"
#define MPC_EVIDENCE_LABEL_SIZE 32
#define MPC_EVIDENCE_STMT_SIZE  96
#define MPC_EVIDENCE_HASH_SIZE  32
#define MPC_EVIDENCE_MAGIC      "\x89MPCEVD\x01"
#define MPC_EVIDENCE_MAGIC_SIZE 8
/* The largest evidence file: magic, two statements and signatures, cert. */
#define MPC_EVIDENCE_MAX                                                   \
	(MPC_EVIDENCE_MAGIC_SIZE + 2 * (2 + MPC_EVIDENCE_STMT_SIZE + 2 +   \
	                                   MPC_SIGN_SIG_MAX) +             \
	    2 + MPC_SIGN_CERT_MAX)

typedef struct mpc_bcast_stmt {
	uint8_t  session[NNG_MPC_SESSION_ID_SIZE];
	uint32_t sender;
	uint16_t type;
	uint64_t seq;
	uint8_t  payload_hash[MPC_EVIDENCE_HASH_SIZE];
} mpc_bcast_stmt;

/* Fills st for a payload of len bytes.  0 or NNG_MPC_ECRYPTO. */
int mpc_bcast_stmt_make(mpc_bcast_stmt *st,
    const uint8_t session[NNG_MPC_SESSION_ID_SIZE], uint32_t sender,
    uint16_t type, uint64_t seq, const void *payload, size_t len)
    MPC_MUST_CHECK;

/* The statement's bytes (out: MPC_EVIDENCE_STMT_SIZE). */
void mpc_bcast_stmt_encode(const mpc_bcast_stmt *st, uint8_t *out);

/* Parses exactly MPC_EVIDENCE_STMT_SIZE bytes: 0 or NNG_MPC_EEVIDENCE
 * (wrong length or label, reserved bits set). */
int mpc_bcast_stmt_decode(mpc_bcast_stmt *st, const uint8_t *in, size_t len)
    MPC_MUST_CHECK;

/* The echo digest: SHA-256 of the statement bytes.  0 or NNG_MPC_ECRYPTO. */
int mpc_bcast_stmt_digest(const mpc_bcast_stmt *st,
    uint8_t out[MPC_EVIDENCE_HASH_SIZE]) MPC_MUST_CHECK;

/* True when a and b name the same message (session, sender, type,
 * sequence) with different payloads: equivocation, if both are signed. */
bool mpc_bcast_stmt_conflict(const mpc_bcast_stmt *a, const mpc_bcast_stmt *b);

/* Signs the statement with our certificate key (sig: MPC_SIGN_SIG_MAX). */
int mpc_bcast_stmt_sign(const mpc_bcast_stmt *st, mpc_sign_key *key,
    uint8_t *sig, size_t *siglen) MPC_MUST_CHECK;

/* Two signed statements and the signer's certificate. */
typedef struct mpc_evidence {
	mpc_bcast_stmt st[2];
	uint8_t        sig[2][MPC_SIGN_SIG_MAX];
	size_t         sig_len[2];
	uint8_t        cert[MPC_SIGN_CERT_MAX];
	size_t         cert_len;
} mpc_evidence;

/* Writes the file format above; *len the bytes written.  0, NNG_EINVAL
 * (a length out of range) or NNG_MPC_EEVIDENCE (no room). */
int mpc_evidence_write(const mpc_evidence *ev, uint8_t *buf, size_t cap,
    size_t *len) MPC_MUST_CHECK;

/* Parses the file format above, strictly: 0 or NNG_MPC_EEVIDENCE. */
int mpc_evidence_read(mpc_evidence *ev, const uint8_t *buf, size_t len)
    MPC_MUST_CHECK;

/*
 * Checks evidence against the CA certificate(s) in ca_pem:
 *   NNG_MPC_ENOCONFLICT  the statements name different messages or agree
 *   NNG_MPC_EEVIDCERT    the certificate does not chain to the CA, is not
 *                        valid now, or is not the sender's (its party SAN)
 *   NNG_MPC_EEVIDSIG     a signature does not verify with its key
 *   0                    the sender provably equivocated
 */
int mpc_evidence_verify(const mpc_evidence *ev, const char *ca_pem,
    size_t ca_len) MPC_MUST_CHECK;

#endif /* NNG_MPC_TRANSPORT_MPC_EVIDENCE_H */
