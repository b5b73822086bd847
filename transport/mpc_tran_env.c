/*
 * MPC settings from the environment; see mpc_tran_env.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpc_tran_env.h"

#include "mpc_wipe.h"

#define ENV_KEY_FILE_MAX 256 /* 64 hex digits and generous whitespace */

static void
env_complain(const char *var, const char *what)
{
	(void) fprintf(stderr, "nng-mpc: %s: %s\n", var, what);
}

/*
 * The whitespace a value may be surrounded with.  (Not strchr(" \t\r\n",
 * c): that finds the string's own NUL too, and would trim NUL bytes of a
 * key file as whitespace.)
 */
static bool
env_space(char c)
{
	return (c == ' ' || c == '\t' || c == '\r' || c == '\n');
}

int
mpc_tran_env_unhex(const char *s, size_t n, uint8_t *out, size_t len)
{
	while (n > 0 && env_space(s[0])) {
		s++;
		n--;
	}
	while (n > 0 && env_space(s[n - 1])) {
		n--;
	}
	if (n != 2 * len) {
		return (-1);
	}
	if (mpc_tran_unhex(s, out, len) != 0) {
		mpc_wipe(out, len); /* a partly decoded key */
		return (-1);
	}
	return (0);
}

static int
env_key_file(const char *path, uint8_t key[MPC_TRAN_SESSION_KEY_SIZE])
{
	char   buf[ENV_KEY_FILE_MAX + 1];
	size_t n;
	FILE  *f = fopen(path, "r");
	int    rv;

	if (f == NULL) {
		char msg[300];
		snprintf(msg, sizeof(msg), "cannot read %.200s: %s", path,
		    strerror(errno));
		env_complain(MPC_TRAN_ENV_SESSION_KEY_FILE, msg);
		return (NNG_MPC_EENV);
	}
	n = fread(buf, 1, sizeof(buf), f);
	(void) fclose(f);
	if (n > ENV_KEY_FILE_MAX ||
	    mpc_tran_env_unhex(buf, n, key, MPC_TRAN_SESSION_KEY_SIZE) != 0) {
		env_complain(MPC_TRAN_ENV_SESSION_KEY_FILE,
		    "the file must hold exactly 64 hex digits");
		rv = NNG_MPC_EENV;
	} else {
		rv = 0;
	}
	mpc_wipe(buf, sizeof(buf));
	return (rv);
}

int
mpc_tran_env_party(const char *v, uint32_t *id)
{
	char         *end;
	unsigned long n;

	errno = 0;
	n     = strtoul(v, &end, 10);
	/* Strict: digits only, no sign or leading zero, in range. */
	if (v[0] < '1' || v[0] > '9' || *end != '\0' || errno != 0 ||
	    n > NNG_MPC_PARTY_MAX) {
		return (-1);
	}
	*id = (uint32_t) n;
	return (0);
}

static int
env_party(mpc_tran_cfg *cfg)
{
	const char *v = getenv(MPC_TRAN_ENV_PARTY_ID);

	if (v == NULL) {
		return (0);
	}
	if (mpc_tran_env_party(v, &cfg->party_id) != 0) {
		env_complain(MPC_TRAN_ENV_PARTY_ID,
		    "expected a party ID 1..4294967294 (decimal)");
		return (NNG_MPC_EENV);
	}
	return (0);
}

int
mpc_tran_cfg_from_env(mpc_tran_cfg *cfg)
{
	const char *v;
	int         rv;

	if (cfg->party_id == NNG_MPC_PARTY_NONE &&
	    (rv = env_party(cfg)) != 0) {
		return (rv);
	}
	if (!cfg->have_session_id &&
	    (v = getenv(MPC_TRAN_ENV_SESSION_ID)) != NULL) {
		if (mpc_tran_env_unhex(v, strlen(v), cfg->session_id,
		        sizeof(cfg->session_id)) != 0) {
			env_complain(MPC_TRAN_ENV_SESSION_ID,
			    "expected 32 hex digits (16 bytes)");
			return (NNG_MPC_EENV);
		}
		cfg->have_session_id = true;
	}
	if (!cfg->have_session_key) {
		if ((v = getenv(MPC_TRAN_ENV_SESSION_KEY_FILE)) != NULL) {
			if ((rv = env_key_file(v, cfg->session_key)) != 0) {
				return (rv);
			}
			cfg->have_session_key = true;
		} else if ((v = getenv(MPC_TRAN_ENV_SESSION_KEY)) != NULL) {
			if (mpc_tran_env_unhex(v, strlen(v), cfg->session_key,
			        sizeof(cfg->session_key)) != 0) {
				env_complain(MPC_TRAN_ENV_SESSION_KEY,
				    "expected 64 hex digits (32 bytes)");
				return (NNG_MPC_EENV);
			}
			cfg->have_session_key = true;
		}
	}
	switch ((rv = mpc_tran_cfg_ready(cfg))) {
	case NNG_MPC_ENOPARTYID:
		env_complain("party ID",
		    "not set: set NNG_OPT_MPC_PARTY_ID, use a certificate with "
		    "a party identity (mpc+tls+tcp://), or set "
		    "NNG_MPC_PARTY_ID");
		break;
	case NNG_MPC_ENOSESSIONID:
		env_complain("session ID",
		    "not set: set NNG_OPT_MPC_SESSION_ID or NNG_MPC_SESSION_ID");
		break;
	case NNG_MPC_ENOSESSIONKEY:
		env_complain("session key",
		    "not set: set NNG_OPT_MPC_SESSION_KEY, "
		    "NNG_MPC_SESSION_KEY_FILE or NNG_MPC_SESSION_KEY");
		break;
	default:
		break;
	}
	return (rv);
}

/* A decimal number in min..max, nothing else: 0, or -1 (complained). */
static int
env_num(const char *var, const char *v, uint64_t min, uint64_t max,
    uint64_t *out)
{
	char *             end;
	unsigned long long n;

	if ((v[0] < '0') || (v[0] > '9')) {
		goto bad;
	}
	errno = 0;
	n     = strtoull(v, &end, 10);
	if ((errno != 0) || (*end != '\0') || (n < min) || (n > max)) {
		goto bad;
	}
	*out = (uint64_t) n;
	return (0);
bad:
	env_complain(var, "not a number in range");
	return (-1);
}

/* One numeric setting: unset, or already set by an option: untouched. */
static int
env_limit_num(const mpc_tran_limits *l, uint32_t bit, const char *var,
    uint64_t min, uint64_t max, uint64_t *out)
{
	const char *v;

	if (((l->set & bit) != 0) || ((v = getenv(var)) == NULL)) {
		return (1);
	}
	return (env_num(var, v, min, max, out));
}

static int
env_partyset(mpc_tran_limits *l, uint32_t bit, const char *var,
    mpc_tran_partyset *set)
{
	const char *v;

	if (((l->set & bit) != 0) || ((v = getenv(var)) == NULL)) {
		return (0);
	}
	if (mpc_tran_partyset_parse(set, v) != 0) {
		env_complain(var, "expected party IDs and ranges, e.g. 1-5,9");
		return (NNG_MPC_EENV);
	}
	return (0);
}

int
mpc_tran_limits_from_env(
    mpc_tran_limits *l, uint32_t *conn_rate, uint32_t *conn_burst)
{
	const char *v;
	uint64_t    n;
	int         rv;

	if (((rv = env_partyset(l, MPC_TRAN_LIM_ALLOW,
	          MPC_TRAN_ENV_ALLOW_PARTIES, &l->allow)) != 0) ||
	    ((rv = env_partyset(l, MPC_TRAN_LIM_DENY, MPC_TRAN_ENV_DENY_PARTIES,
	          &l->deny)) != 0)) {
		return (rv);
	}
	/* Each: -1 malformed, 0 taken, 1 not given. */
	if ((rv = env_limit_num(l, MPC_TRAN_LIM_CONN_RATE,
	         MPC_TRAN_ENV_CONN_RATE, 0, MPC_TRAN_CONN_RATE_MAX, &n)) < 0) {
		return (NNG_MPC_EENV);
	} else if (rv == 0) {
		*conn_rate = (uint32_t) n;
	}
	if ((rv = env_limit_num(l, MPC_TRAN_LIM_CONN_BURST,
	         MPC_TRAN_ENV_CONN_BURST, MPC_TRAN_CONN_BURST_MIN,
	         MPC_TRAN_CONN_BURST_MAX, &n)) < 0) {
		return (NNG_MPC_EENV);
	} else if (rv == 0) {
		*conn_burst = (uint32_t) n;
	}
	if ((rv = env_limit_num(l, MPC_TRAN_LIM_MSGS, MPC_TRAN_ENV_RATE_MSGS,
	         0, UINT64_MAX, &n)) < 0) {
		return (NNG_MPC_EENV);
	} else if (rv == 0) {
		l->rate.msgs = n;
	}
	if ((rv = env_limit_num(l, MPC_TRAN_LIM_BYTES, MPC_TRAN_ENV_RATE_BYTES,
	         0, UINT64_MAX, &n)) < 0) {
		return (NNG_MPC_EENV);
	} else if (rv == 0) {
		l->rate.bytes = n;
	}
	if ((rv = env_limit_num(l, MPC_TRAN_LIM_BURST, MPC_TRAN_ENV_RATE_BURST,
	         MPC_TRAN_RATE_BURST_MIN, MPC_TRAN_RATE_BURST_MAX, &n)) < 0) {
		return (NNG_MPC_EENV);
	} else if (rv == 0) {
		l->rate.burst_ms = (uint32_t) n;
	}
	if ((rv = env_limit_num(l, MPC_TRAN_LIM_HEARTBEAT,
	         MPC_TRAN_ENV_HEARTBEAT, 0, MPC_TRAN_HEARTBEAT_MAX, &n)) < 0) {
		return (NNG_MPC_EENV);
	} else if (rv == 0) {
		if ((n != 0) && (n < MPC_TRAN_HEARTBEAT_MIN)) {
			env_complain(MPC_TRAN_ENV_HEARTBEAT, "0 or 100..3600000");
			return (NNG_MPC_EENV);
		}
		l->heartbeat_ms = (uint32_t) n;
	}
	if ((rv = env_limit_num(l, MPC_TRAN_LIM_DEAD_AFTER,
	         MPC_TRAN_ENV_DEAD_AFTER, MPC_TRAN_DEAD_AFTER_MIN,
	         MPC_TRAN_DEAD_AFTER_MAX, &n)) < 0) {
		return (NNG_MPC_EENV);
	} else if (rv == 0) {
		l->dead_after = (uint32_t) n;
	}
	if (((l->set & MPC_TRAN_LIM_POLICY) == 0) &&
	    ((v = getenv(MPC_TRAN_ENV_RATE_POLICY)) != NULL) &&
	    (mpc_tran_rate_policy_parse(v, &l->rate.policy) != 0)) {
		env_complain(MPC_TRAN_ENV_RATE_POLICY, "backpressure or close");
		return (NNG_MPC_EENV);
	}
	return (0);
}

const char *
mpc_tran_env_audit_file(void)
{
	const char *v = getenv("NNG_MPC_AUDIT_FILE");

	return (((v != NULL) && (v[0] != '\0')) ? v : NULL);
}
