/*
 * mpc_tran_env.h -- MPC settings from the environment, for NNG programs
 * that cannot set nng-mpc's options (an unmodified application with
 * libnngmpc.so loaded by LD_PRELOAD, e.g. Debian's nngcat).  Consulted at
 * nng_dial()/nng_listen() time, only for what the application left unset;
 * an option set through NNG always wins.
 *
 *   NNG_MPC_SESSION_ID        32 hex digits (16 bytes)
 *   NNG_MPC_SESSION_KEY_FILE  path of a file holding 64 hex digits (32
 *                             bytes; surrounding whitespace ignored) --
 *                             preferred: the key stays out of the
 *                             environment, which other processes of the
 *                             same user can read
 *   NNG_MPC_SESSION_KEY       64 hex digits, when no key file is given
 *   NNG_MPC_PARTY_ID          decimal 1..4294967294; over mpc+tls+tcp://
 *                             the party ID comes from our own certificate
 *                             first, so this matters for mpc+tcp:// and
 *                             mpc+ipc://
 *
 * A malformed value fails the dial or listen with NNG_MPC_EENV and one line
 * on stderr naming the variable; a setting missing from both the options
 * and the environment fails with NNG_MPC_ENOPARTYID / _ENOSESSIONID /
 * _ENOSESSIONKEY and one line saying which option or variable to set (an
 * unmodified program can only print nng_strerror()'s generic text).
 *
 * Pure code (no NNG internals).  Threading: reads the environment; callers
 * hold the endpoint lock for cfg.
 */
#ifndef NNG_MPC_TRANSPORT_MPC_TRAN_ENV_H
#define NNG_MPC_TRANSPORT_MPC_TRAN_ENV_H

#include "mpc_tran_cfg.h"
#include "mpc_tran_limit.h"

#define MPC_TRAN_ENV_SESSION_ID       "NNG_MPC_SESSION_ID"
#define MPC_TRAN_ENV_SESSION_KEY      "NNG_MPC_SESSION_KEY"
#define MPC_TRAN_ENV_SESSION_KEY_FILE "NNG_MPC_SESSION_KEY_FILE"
#define MPC_TRAN_ENV_PARTY_ID         "NNG_MPC_PARTY_ID"

/*
 * Fills what cfg lacks from the environment, then checks it is complete:
 * 0, NNG_MPC_EENV, or what mpc_tran_cfg_ready() returns.
 */
__attribute__((warn_unused_result)) int mpc_tran_cfg_from_env(
    mpc_tran_cfg *cfg);

/* NNG_MPC_AUDIT_FILE: the audit log of an unmodified program, or NULL. */
const char *mpc_tran_env_audit_file(void);

/*
 * The value parsers mpc_tran_cfg_from_env() uses, without the environment
 * (exposed for test/fuzz/fuzz_tran_cfg.c and the tests).
 *
 * mpc_tran_env_unhex: exactly 2*len hex digits in s[0..n), surrounding
 * spaces, tabs, CRs and LFs ignored, into out: 0, or -1 (out then holds
 * nothing decoded: untouched, or wiped if decoding had begun).
 * mpc_tran_env_party: a NUL-terminated decimal party ID, 1..4294967294,
 * no sign, no leading zero, nothing else: 0 and *id set, or -1 (*id
 * untouched).
 */
__attribute__((warn_unused_result)) int mpc_tran_env_unhex(
    const char *s, size_t n, uint8_t *out, size_t len);
__attribute__((warn_unused_result)) int mpc_tran_env_party(
    const char *v, uint32_t *id);

/*
 * The pipe filter's settings (mpc_tran_limit.h) the same way, each only
 * when no option set it:
 *   NNG_MPC_ALLOW_PARTIES, NNG_MPC_DENY_PARTIES   "1-5,9"
 *   NNG_MPC_CONN_RATE, NNG_MPC_CONN_BURST         decimal
 *   NNG_MPC_RATE_MSGS, NNG_MPC_RATE_BYTES         decimal
 *   NNG_MPC_RATE_BURST                            decimal ms
 *   NNG_MPC_RATE_POLICY                           backpressure | close
 *   NNG_MPC_HEARTBEAT (ms, 0: off), NNG_MPC_DEAD_AFTER
 * with the options' ranges.  0 or NNG_MPC_EENV (one line on stderr).
 */
#define MPC_TRAN_ENV_ALLOW_PARTIES "NNG_MPC_ALLOW_PARTIES"
#define MPC_TRAN_ENV_DENY_PARTIES  "NNG_MPC_DENY_PARTIES"
#define MPC_TRAN_ENV_CONN_RATE     "NNG_MPC_CONN_RATE"
#define MPC_TRAN_ENV_CONN_BURST    "NNG_MPC_CONN_BURST"
#define MPC_TRAN_ENV_RATE_MSGS     "NNG_MPC_RATE_MSGS"
#define MPC_TRAN_ENV_RATE_BYTES    "NNG_MPC_RATE_BYTES"
#define MPC_TRAN_ENV_RATE_BURST    "NNG_MPC_RATE_BURST"
#define MPC_TRAN_ENV_RATE_POLICY   "NNG_MPC_RATE_POLICY"
#define MPC_TRAN_ENV_HEARTBEAT     "NNG_MPC_HEARTBEAT"
#define MPC_TRAN_ENV_DEAD_AFTER    "NNG_MPC_DEAD_AFTER"

__attribute__((warn_unused_result)) int mpc_tran_limits_from_env(
    mpc_tran_limits *l, uint32_t *conn_rate, uint32_t *conn_burst);

#endif /* NNG_MPC_TRANSPORT_MPC_TRAN_ENV_H */
