/*
 * mpc_tran_cfg.c -- defaults, completeness check, wiping and the pin list
 * of an endpoint's MPC configuration (mpc_tran_cfg.h).
 *
 * Pure code: no NNG internals.  Threading: the caller serialises access to
 * a configuration (the endpoint mutex).
 */
#include <string.h>

#include "mpc_tran_cfg.h"
#include "mpc_wipe.h"

void
mpc_tran_cfg_init(mpc_tran_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->party_id        = NNG_MPC_PARTY_NONE;
	cfg->channel_binding = true;
	cfg->max_payload     = NNG_MPC_PAYLOAD_MAX_DEFAULT;
	cfg->replay_window   = MPC_TRAN_REPLAY_WINDOW_DEFAULT;
	cfg->rekey_messages  = MPC_TRAN_REKEY_MESSAGES_DEFAULT;
	cfg->rekey_interval  = MPC_TRAN_REKEY_INTERVAL_DEFAULT;
	cfg->hs_timeout      = MPC_TRAN_HS_TIMEOUT_DEFAULT;
	cfg->auth_fail_limit = MPC_TRAN_AUTH_FAIL_LIMIT_DEFAULT;
	cfg->window_msgs     = MPC_DELIVER_WINDOW_MSGS_DEFAULT;
	cfg->window_bytes    = MPC_DELIVER_WINDOW_BYTES_DEFAULT;
	cfg->bcast_timeout_ms = MPC_TRAN_ECHO_TIMEOUT_DEFAULT;
}

void
mpc_tran_cfg_wipe(mpc_tran_cfg *cfg)
{
	mpc_wipe(cfg, sizeof(*cfg));
}

int
mpc_tran_cfg_ready(const mpc_tran_cfg *cfg)
{
	if (cfg->party_id == NNG_MPC_PARTY_NONE) {
		return (NNG_MPC_ENOPARTYID);
	}
	if (!cfg->have_session_id) {
		return (NNG_MPC_ENOSESSIONID);
	}
	if (!cfg->have_session_key) {
		return (NNG_MPC_ENOSESSIONKEY);
	}
	return (0);
}

static int
mpc_tran_hexval(char c)
{
	if (c >= '0' && c <= '9') {
		return (c - '0');
	}
	if (c >= 'a' && c <= 'f') {
		return (c - 'a' + 10);
	}
	if (c >= 'A' && c <= 'F') {
		return (c - 'A' + 10);
	}
	return (-1);
}

int
mpc_tran_unhex(const char *s, uint8_t *out, size_t len)
{
	for (size_t b = 0; b < len; b++) {
		int hi = mpc_tran_hexval(s[2 * b]);
		int lo = mpc_tran_hexval(s[2 * b + 1]);
		if (hi < 0 || lo < 0) {
			return (-1);
		}
		out[b] = (uint8_t) ((hi << 4) | lo);
	}
	return (0);
}

static bool
mpc_tran_pin_sep(char c)
{
	return (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r');
}

int
mpc_tran_cfg_set_pins(mpc_tran_cfg *cfg, const char *s, size_t len)
{
	uint8_t pins[MPC_TRAN_PINS_MAX][MPC_TRAN_PIN_SIZE];
	size_t  n = 0;
	size_t  i = 0;
	int     rv = NNG_EINVAL;

	while (i < len) {
		if (mpc_tran_pin_sep(s[i])) {
			i++;
			continue;
		}
		if ((n == MPC_TRAN_PINS_MAX) ||
		    (len - i < 2 * MPC_TRAN_PIN_SIZE)) {
			goto out;
		}
		if (mpc_tran_unhex(s + i, pins[n], MPC_TRAN_PIN_SIZE) != 0) {
			goto out;
		}
		i += 2 * MPC_TRAN_PIN_SIZE;
		/* A digest ends at a separator or the end: no longer runs. */
		if ((i < len) && !mpc_tran_pin_sep(s[i])) {
			goto out;
		}
		n++;
	}
	memcpy(cfg->pins, pins, n * MPC_TRAN_PIN_SIZE);
	cfg->npins = n;
	rv         = 0;
out:
	/* Pins are public, but keep the habit: no stack copies linger. */
	mpc_wipe(pins, sizeof(pins));
	return (rv);
}

int
mpc_tran_cfg_get_pins(
    const mpc_tran_cfg *cfg, char *buf, size_t cap, size_t *need)
{
	static const char hex[] = "0123456789abcdef";
	size_t            pos   = 0;

	/* n digests of 64 hex digits, comma separated, NUL terminated. */
	*need = cfg->npins == 0 ? 1 : cfg->npins * (2 * MPC_TRAN_PIN_SIZE + 1);
	if (*need > cap) {
		return (NNG_EINVAL);
	}
	for (size_t n = 0; n < cfg->npins; n++) {
		if (n > 0) {
			buf[pos++] = ',';
		}
		for (size_t b = 0; b < MPC_TRAN_PIN_SIZE; b++) {
			buf[pos++] = hex[cfg->pins[n][b] >> 4];
			buf[pos++] = hex[cfg->pins[n][b] & 0xf];
		}
	}
	buf[pos] = '\0';
	return (0);
}
