/*
 * mpc_tran_reason.h -- the one table of what the transport counts: every
 * reason a connection is refused or a frame is rejected or dropped, and the
 * plain traffic counters beside them.
 *
 * Each row is {id, errors, option, statistic, text}:
 *   errors     the NNG / NNG_MPC_E* codes the row counts (a list ending in
 *              0); mpc_tran_ep_ctr_of / mpc_tran_pipe_ctr_of map a code to
 *              its row;
 *   option     the read-only uint64 option that reads the counter
 *              (include/nng_mpc.h), generated in mpc_tran_opts.c;
 *   statistic  the NNG statistic (nng_stats_get) under the dialer, listener
 *              or pipe, generated in mpc_tran_reason.c;
 *   text       the statistic's description.
 * Adding a reason is adding a row (and, for a new error, its code in
 * include/nng_mpc.h with its text in plugin/mpc_strerror.c).  The audit log
 * and the metrics read the same names.
 *
 * The counters ARE the NNG statistics: atomic nni_stat_items embedded in the
 * endpoint and the pipe, so nng_stats_get(), the options and the audit log
 * read one value.  This file and mpc_tran_reason.c are the only ones that
 * know the statistics' representation.
 *
 * Threading: increments and reads are relaxed atomics, any thread.
 */
#ifndef NNG_MPC_TRANSPORT_MPC_TRAN_REASON_H
#define NNG_MPC_TRANSPORT_MPC_TRAN_REASON_H

#include <stdbool.h>
#include <stdint.h>

#include "core/nng_impl.h"

#include "nng_mpc.h"

#ifndef NNG_ENABLE_STATS
#error "the transport's counters are NNG statistics: build NNG with stats"
#endif

#define MPC_TRAN_ERRS(...) ((const int[]){ __VA_ARGS__, 0 })

/*
 * Endpoint counters: handshakes completed, and one row per reason a
 * connection is refused before it becomes a pipe (a refused connection
 * moves exactly one), plus pipes replaced by a newer connection of the same
 * party.  The last refusal row, REJ_OTHER, takes every code no row names.
 */
#define MPC_TRAN_EP_COUNTERS(X)                                               \
	X(HANDSHAKES, MPC_TRAN_ERRS(0), NNG_OPT_MPC_HANDSHAKES,               \
	    "mpc_handshakes", "handshakes completed")                          \
	X(REPLACED, MPC_TRAN_ERRS(NNG_MPC_EREPLACED), NNG_OPT_MPC_REPLACED,   \
	    "mpc_replaced",                                                    \
	    "pipes replaced by a newer connection of the same party")          \
	X(REJ_BUSY, MPC_TRAN_ERRS(NNG_MPC_ENEGOFULL), NNG_OPT_MPC_REJ_BUSY,  \
	    "mpc_rej_busy",                                                    \
	    "refused at accept: listener's negotiation cap reached")           \
	X(REJ_SOURCE, MPC_TRAN_ERRS(NNG_MPC_ESOURCEFULL),                    \
	    NNG_OPT_MPC_REJ_SOURCE, "mpc_rej_source",                          \
	    "refused at accept: source address's negotiation cap reached")     \
	X(REJ_TLS, MPC_TRAN_ERRS(NNG_EPEERAUTH, NNG_ECRYPTO),                 \
	    NNG_OPT_MPC_REJ_TLS, "mpc_rej_tls",                                \
	    "TLS handshake failed (certificate, version, suite)")              \
	X(REJ_HELLO, MPC_TRAN_ERRS(NNG_MPC_EHELLO), NNG_OPT_MPC_REJ_HELLO,   \
	    "mpc_rej_hello", "malformed hello or finished record")             \
	X(REJ_VERSION, MPC_TRAN_ERRS(NNG_MPC_EHELLOVERSION),                 \
	    NNG_OPT_MPC_REJ_VERSION, "mpc_rej_version",                        \
	    "unsupported handshake version")                                   \
	X(REJ_SESSION, MPC_TRAN_ERRS(NNG_MPC_ESESSIONID),                    \
	    NNG_OPT_MPC_REJ_SESSION, "mpc_rej_session",                        \
	    "peer in another session")                                         \
	X(REJ_KEY, MPC_TRAN_ERRS(NNG_MPC_EKEYCONFIRM), NNG_OPT_MPC_REJ_KEY,  \
	    "mpc_rej_key", "key confirmation failed")                          \
	X(REJ_CERT, MPC_TRAN_ERRS(NNG_MPC_EPARTYCERT), NNG_OPT_MPC_REJ_CERT, \
	    "mpc_rej_cert", "claimed party differs from the certificate's")    \
	X(REJ_DUP, MPC_TRAN_ERRS(NNG_MPC_EDUPPARTY),                         \
	    NNG_OPT_MPC_REJ_DUPLICATE, "mpc_rej_duplicate",                    \
	    "another identity already connected as this party")                \
	X(REJ_SELF, MPC_TRAN_ERRS(NNG_MPC_ESELFPARTY), NNG_OPT_MPC_REJ_SELF, \
	    "mpc_rej_self", "peer claims our own party ID")                    \
	X(REJ_CAPS, MPC_TRAN_ERRS(NNG_MPC_ECAPS), NNG_OPT_MPC_REJ_CAPS,      \
	    "mpc_rej_caps", "channel binding or delivery on one side only")                \
	X(REJ_IDENTITY, MPC_TRAN_ERRS(NNG_MPC_ENOIDENTITY),                  \
	    NNG_OPT_MPC_REJ_IDENTITY, "mpc_rej_identity",                      \
	    "no verified certificate identity or exporter")                    \
	X(REJ_BY_PEER, MPC_TRAN_ERRS(NNG_MPC_EREJECTED),                     \
	    NNG_OPT_MPC_REJ_BY_PEER, "mpc_rej_by_peer", "the peer refused us")  \
	X(REJ_TIMEOUT, MPC_TRAN_ERRS(NNG_ETIMEDOUT), NNG_OPT_MPC_REJ_TIMEOUT, \
	    "mpc_rej_timeout", "handshake did not finish in time")             \
	X(REJ_RATE, MPC_TRAN_ERRS(NNG_MPC_ECONNRATE), NNG_OPT_MPC_REJ_RATE,   \
	    "mpc_rej_rate",                                                    \
	    "refused at accept: source's new-connection rate exceeded")        \
	X(REJ_THROTTLE, MPC_TRAN_ERRS(NNG_MPC_ETHROTTLEFULL),                 \
	    NNG_OPT_MPC_REJ_THROTTLE, "mpc_rej_throttle",                      \
	    "refused at accept: admission table full")                         \
	X(REJ_PARTY, MPC_TRAN_ERRS(NNG_MPC_EPARTYDENIED),                     \
	    NNG_OPT_MPC_REJ_PARTY, "mpc_rej_party",                            \
	    "party refused by the allow or deny list")                         \
	X(REJ_FILTER, MPC_TRAN_ERRS(NNG_MPC_EFILTER), NNG_OPT_MPC_REJ_FILTER, \
	    "mpc_rej_filter", "refused by the application's filter")           \
	X(CLOSED_RATE, MPC_TRAN_ERRS(NNG_MPC_ERATELIMIT),                     \
	    NNG_OPT_MPC_CLOSED_RATE, "mpc_closed_rate",                        \
	    "pipes closed: peer over its rate limit too long")                 \
	X(CLOSED_DEAD, MPC_TRAN_ERRS(NNG_MPC_EDEADPEER),                      \
	    NNG_OPT_MPC_CLOSED_DEAD, "mpc_closed_dead",                        \
	    "pipes closed: peer silent past dead-after")                       \
	X(CLOSED_IDLE, MPC_TRAN_ERRS(NNG_MPC_EIDLE), NNG_OPT_MPC_CLOSED_IDLE, \
	    "mpc_closed_idle", "pipes closed: idle timeout")                   \
	X(CLOSED_LIFETIME, MPC_TRAN_ERRS(NNG_MPC_ELIFETIME),                  \
	    NNG_OPT_MPC_CLOSED_LIFETIME, "mpc_closed_lifetime",                \
	    "pipes closed: maximum lifetime reached")                          \
	X(CLOSED_UNTRUSTED, MPC_TRAN_ERRS(NNG_MPC_ERELOADREVOKED),            \
	    NNG_OPT_MPC_CLOSED_UNTRUSTED, "mpc_closed_untrusted",              \
	    "pipes closed: peer no longer trusted after a reload")             \
	X(CLOSED_DENIED, MPC_TRAN_ERRS(NNG_MPC_ERELOADDENIED),                \
	    NNG_OPT_MPC_CLOSED_DENIED, "mpc_closed_denied",                    \
	    "pipes closed: party no longer allowed after a reload")            \
	X(REJ_OTHER, MPC_TRAN_ERRS(0), NNG_OPT_MPC_REJ_OTHER, "mpc_rej_other", \
	    "I/O error or SP header mismatch")

/*
 * Pipe counters: traffic, then one row per reason a frame is not delivered
 * or not written.  Rows marked REJECT count toward NNG_OPT_MPC_REJECT_LIMIT
 * (and move FRAMES_REJECTED too).
 */
#define MPC_TRAN_PIPE_COUNTERS(X)                                             \
	X(FRAMES_IN, MPC_TRAN_ERRS(0), false, NNG_OPT_MPC_FRAMES_IN,          \
	    "mpc_frames_in", "frames delivered")                               \
	X(FRAMES_OUT, MPC_TRAN_ERRS(0), false, NNG_OPT_MPC_FRAMES_OUT,        \
	    "mpc_frames_out", "frames sealed and written")                     \
	X(BYTES_IN, MPC_TRAN_ERRS(0), false, NNG_OPT_MPC_BYTES_IN,            \
	    "mpc_bytes_in", "payload bytes delivered")                         \
	X(BYTES_OUT, MPC_TRAN_ERRS(0), false, NNG_OPT_MPC_BYTES_OUT,          \
	    "mpc_bytes_out", "payload bytes sealed and written")               \
	X(FRAMES_REJECTED, MPC_TRAN_ERRS(0), false,                            \
	    NNG_OPT_MPC_FRAMES_REJECTED, "mpc_frames_rejected",                \
	    "frames refused, every reason below")                              \
	X(AUTH_FAIL, MPC_TRAN_ERRS(NNG_MPC_EAUTH, NNG_MPC_EAUTHLIMIT), true,  \
	    NNG_OPT_MPC_AUTH_FAILURES, "mpc_auth_failures",                    \
	    "frames whose tag did not verify")                                 \
	X(REPLAY, MPC_TRAN_ERRS(NNG_MPC_EREPLAY, NNG_MPC_ETOOOLD), true,      \
	    NNG_OPT_MPC_REPLAYS, "mpc_replays_rejected",                       \
	    "frames replayed or left of the replay window")                    \
	X(RX_EPOCH,                                                            \
	    MPC_TRAN_ERRS(NNG_MPC_ESEQLIMIT, NNG_MPC_EEPOCHGONE,              \
	        NNG_MPC_EEPOCHAHEAD),                                          \
	    true, NNG_OPT_MPC_DROP_EPOCH, "mpc_dropped_epoch",                 \
	    "frames of a wiped or far-ahead epoch, or past the key limit")     \
	X(RX_SENDER, MPC_TRAN_ERRS(NNG_MPC_EPEER), true,                       \
	    NNG_OPT_MPC_DROP_SENDER, "mpc_dropped_sender",                     \
	    "authentic frames not sent by the peer")                           \
	X(RX_RCPT, MPC_TRAN_ERRS(NNG_MPC_ENOTFORME), true,                     \
	    NNG_OPT_MPC_DROP_RECIPIENT, "mpc_dropped_recipient",               \
	    "authentic frames for another party")                              \
	X(RX_SESSION, MPC_TRAN_ERRS(NNG_MPC_ESESSION), true,                   \
	    NNG_OPT_MPC_DROP_SESSION, "mpc_dropped_session",                   \
	    "authentic frames of another session")                             \
	X(RX_TYPE, MPC_TRAN_ERRS(NNG_MPC_ECONTROL), true,                      \
	    NNG_OPT_MPC_DROP_TYPE, "mpc_dropped_type",                         \
	    "authentic frames of a control type")                              \
	X(TX_SKIPPED, MPC_TRAN_ERRS(0), false, NNG_OPT_MPC_SEND_SKIPPED,      \
	    "mpc_send_skipped", "sends addressed to another party")            \
	X(TX_DROPPED, MPC_TRAN_ERRS(0), false,                                             \
	    NNG_OPT_MPC_SEND_DROPPED, "mpc_send_dropped",                      \
	    "sends not written: bad envelope, to ourselves, or too large")     \
	X(RATE_DELAYED, MPC_TRAN_ERRS(0), false, NNG_OPT_MPC_RATE_DELAYED,    \
	    "mpc_rate_delayed", "frames that waited for rate tokens")          \
	X(TX_DELAYED, MPC_TRAN_ERRS(0), false, NNG_OPT_MPC_SEND_DELAYED,      \
	    "mpc_send_delayed", "sends that waited for send-side tokens")      \
	X(HB_OUT, MPC_TRAN_ERRS(0), false, NNG_OPT_MPC_HEARTBEATS_OUT,        \
	    "mpc_heartbeats_out", "heartbeats sent")                           \
	X(HB_IN, MPC_TRAN_ERRS(0), false, NNG_OPT_MPC_HEARTBEATS_IN,          \
	    "mpc_heartbeats_in", "heartbeats answered by the peer")            \
	X(P_CLOSED_RATE, MPC_TRAN_ERRS(NNG_MPC_ERATELIMIT), false,             \
	    NNG_OPT_MPC_CLOSED_RATE, "mpc_closed_rate",                        \
	    "closed: peer over its rate limit too long")                       \
	X(P_CLOSED_DEAD, MPC_TRAN_ERRS(NNG_MPC_EDEADPEER), false,              \
	    NNG_OPT_MPC_CLOSED_DEAD, "mpc_closed_dead",                        \
	    "closed: peer silent past dead-after")                             \
	X(P_CLOSED_IDLE, MPC_TRAN_ERRS(NNG_MPC_EIDLE), false,                  \
	    NNG_OPT_MPC_CLOSED_IDLE, "mpc_closed_idle", "closed: idle timeout") \
	X(P_CLOSED_LIFETIME, MPC_TRAN_ERRS(NNG_MPC_ELIFETIME), false,          \
	    NNG_OPT_MPC_CLOSED_LIFETIME, "mpc_closed_lifetime",                \
	    "closed: maximum lifetime reached")                                \
	X(DLV_DUP, MPC_TRAN_ERRS(NNG_MPC_EDUPLICATE), false,                   \
	    NNG_OPT_MPC_DLV_DUPLICATES, "mpc_dlv_duplicates",                  \
	    "stream messages received twice and discarded")                    \
	X(DLV_BAD,                                                             \
	    MPC_TRAN_ERRS(NNG_MPC_EGAP, NNG_MPC_EACKAHEAD,                     \
	        NNG_MPC_EDELIVERCTL),                                          \
	    false, NNG_OPT_MPC_DLV_REJECTED, "mpc_dlv_rejected",               \
	    "delivery records that broke the stream (pipe closed)")            \
	X(DLV_RETRANSMIT, MPC_TRAN_ERRS(0), false,                             \
	    NNG_OPT_MPC_DLV_RETRANSMITTED, "mpc_dlv_retransmitted",            \
	    "stream messages sent again after a resume")                       \
	X(DLV_RESET, MPC_TRAN_ERRS(NNG_MPC_ESTREAMRESET), false,               \
	    NNG_OPT_MPC_DLV_RESETS, "mpc_dlv_resets",                          \
	    "the party restarted and lost its delivery stream")                \
	X(DLV_UNROUTED, MPC_TRAN_ERRS(0), false, NNG_OPT_MPC_DLV_UNROUTED,    \
	    "mpc_dlv_unrouted",                                                \
	    "sends for a party with no connection: no stream keeps them")     \
	X(ECHO_BAD,                                                            \
	    MPC_TRAN_ERRS(NNG_MPC_EECHOFRAME, NNG_MPC_EECHOSIG,                \
	        NNG_MPC_EECHOCERT),                                            \
	    true, NNG_OPT_MPC_ECHO_REJECTED, "mpc_echo_rejected",              \
	    "signed broadcasts, echoes or certificates rejected")             \
	X(ECHO_EQUIV, MPC_TRAN_ERRS(NNG_MPC_EEQUIVOCATION), false,             \
	    NNG_OPT_MPC_ECHO_EQUIVOCATIONS, "mpc_echo_equivocations",          \
	    "equivocations of this peer detected")

#define MPC_TRAN_CTR_ENUM_EP(id, errs, opt, stat, text) MPC_TRAN_EP_##id,
#define MPC_TRAN_CTR_ENUM_P(id, errs, rej, opt, stat, text) \
	MPC_TRAN_P_##id,

typedef enum mpc_tran_ep_ctr {
	MPC_TRAN_EP_COUNTERS(MPC_TRAN_CTR_ENUM_EP) MPC_TRAN_EP_COUNT
} mpc_tran_ep_ctr;

typedef enum mpc_tran_pipe_ctr {
	MPC_TRAN_PIPE_COUNTERS(MPC_TRAN_CTR_ENUM_P) MPC_TRAN_P_COUNT
} mpc_tran_pipe_ctr;

/* An endpoint's and a pipe's counters. */
typedef struct mpc_tran_ep_stats {
	nni_stat_item item[MPC_TRAN_EP_COUNT];
} mpc_tran_ep_stats;

typedef struct mpc_tran_pipe_stats {
	nni_stat_item item[MPC_TRAN_P_COUNT];
} mpc_tran_pipe_stats;

/* Initialises every counter to 0 (not yet visible to NNG). */
void mpc_tran_ep_stats_init(mpc_tran_ep_stats *st);
void mpc_tran_pipe_stats_init(mpc_tran_pipe_stats *st);

/* Makes them NNG statistics of a dialer, listener or pipe (call from the
 * ops' init, before NNG registers its statistics tree). */
void mpc_tran_ep_stats_attach_dialer(mpc_tran_ep_stats *st, nni_dialer *d);
void mpc_tran_ep_stats_attach_listener(
    mpc_tran_ep_stats *st, nni_listener *l);
void mpc_tran_pipe_stats_attach(mpc_tran_pipe_stats *st, nni_pipe *p);

/* The row counting a refusal reason (REJ_OTHER when no row names it). */
mpc_tran_ep_ctr mpc_tran_ep_ctr_of(int rv);
/* The row counting a frame's rejection (MPC_TRAN_P_COUNT when none). */
mpc_tran_pipe_ctr mpc_tran_pipe_ctr_of(int rv);
/* Whether a pipe row counts toward the rejected-frame limit. */
bool mpc_tran_pipe_ctr_rejects(mpc_tran_pipe_ctr c);

static inline void
mpc_tran_ep_count(mpc_tran_ep_stats *st, mpc_tran_ep_ctr c)
{
	nni_stat_inc(&st->item[c], 1);
}

static inline void
mpc_tran_pipe_count(mpc_tran_pipe_stats *st, mpc_tran_pipe_ctr c, uint64_t n)
{
	nni_stat_inc(&st->item[c], n);
}

static inline uint64_t
mpc_tran_stat_get(nni_stat_item *it)
{
	return (nni_atomic_get64(&it->si_u.sv_atomic));
}

#endif /* NNG_MPC_TRANSPORT_MPC_TRAN_REASON_H */
