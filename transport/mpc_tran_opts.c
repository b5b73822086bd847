/*
 * mpc_tran_opts.c -- the options of mpc+* dialers, listeners and pipes.
 *
 * Names, types, defaults and meanings are documented in include/nng_mpc.h
 * ("Transport options").  Every setter validates type and range and
 * refuses a bad value (NNG_EBADTYPE, NNG_EINVAL) without changing
 * anything: nothing is clamped.  NNG 1.5.2 hands socket options it does not
 * know to every dialer and listener of the socket (src/core/socket.c,
 * nni_sock_setopt), so each of these is settable on the socket as well.
 *
 * An endpoint option changes the endpoint's configuration; pipes copy it
 * when they start negotiating, so a change affects later connections only.
 * NNG's five TLS options (NNG_OPT_TLS_CONFIG, NNG_OPT_TLS_CA_FILE,
 * NNG_OPT_TLS_CERT_KEY_FILE, NNG_OPT_TLS_AUTH_MODE,
 * NNG_OPT_TLS_SERVER_NAME) apply to the endpoint's source TLS
 * configuration (mpc_tran_tls.h), never to the private copy the inner
 * stream connects with.  Options we do not know go to the inner NNG stream
 * dialer or listener (as NNG's tcp and tls transports do):
 * NNG_OPT_TCP_NODELAY, NNG_OPT_IPC_PERMISSIONS...
 *
 * The read-only counters of endpoints and pipes are generated from the
 * reason table (mpc_tran_reason.h).
 *
 * Locking: endpoint options under ep->mtx; pipe options read values fixed
 * at negotiation or atomic counters.
 */
#include <string.h>

#include "mpc_tran_opts.h"

#include "mpc_tran_ep.h"
#include "mpc_tran_echo.h"
#include "mpc_tran_limit_opts.h"
#include "mpc_tran_pipe.h"
#include "mpc_tran_stream.h"
#include "mpc_wipe.h"

/* ---------------------------------------------------------------------- *
 * Endpoint options
 * ---------------------------------------------------------------------- */

/* Party IDs are u32; int covers 1..2^31-1, uint64 the whole range. */
static int
mpc_tran_copyin_party(uint32_t *out, const void *v, size_t sz, nni_type t)
{
	int      i;
	uint64_t u;
	int      rv;

	if ((t == NNI_TYPE_UINT64) ||
	    ((t == NNI_TYPE_OPAQUE) && (sz == sizeof(uint64_t)))) {
		if ((rv = nni_copyin_u64(&u, v, sz, t)) != 0) {
			return (rv);
		}
		if ((u < NNG_MPC_PARTY_MIN) || (u > NNG_MPC_PARTY_MAX)) {
			return (NNG_EINVAL);
		}
		*out = (uint32_t) u;
		return (0);
	}
	if ((rv = nni_copyin_int(&i, v, sz, (int) NNG_MPC_PARTY_MIN,
	         NNI_MAXINT, t)) != 0) {
		return (rv);
	}
	*out = (uint32_t) i;
	return (0);
}

static int
mpc_tran_copyout_party(uint32_t party, void *v, size_t *szp, nni_type t)
{
	if (t == NNI_TYPE_UINT64) {
		return (nni_copyout_u64(party, v, szp, t));
	}
	if (party > (uint32_t) NNI_MAXINT) {
		/* Does not fit an int: read it as uint64. */
		return (NNG_EINVAL);
	}
	return (nni_copyout_int((int) party, v, szp, t));
}

static int
mpc_tran_ep_set_party(void *arg, const void *v, size_t sz, nni_type t)
{
	mpc_tran_ep *ep = arg;
	uint32_t     party;
	int          rv;

	if ((rv = mpc_tran_copyin_party(&party, v, sz, t)) == 0) {
		nni_mtx_lock(&ep->mtx);
		ep->cfg.party_id = party;
		nni_mtx_unlock(&ep->mtx);
	}
	return (rv);
}

static int
mpc_tran_ep_get_party(void *arg, void *v, size_t *szp, nni_type t)
{
	mpc_tran_ep *ep = arg;
	uint32_t     party;

	nni_mtx_lock(&ep->mtx);
	party = ep->cfg.party_id;
	nni_mtx_unlock(&ep->mtx);
	return (mpc_tran_copyout_party(party, v, szp, t));
}

/* Fixed-size opaque values: exactly want bytes, nothing else. */
static int
mpc_tran_copyin_fixed(
    void *out, size_t want, const void *v, size_t sz, nni_type t)
{
	if (t != NNI_TYPE_OPAQUE) {
		return (NNG_EBADTYPE);
	}
	if ((sz != want) || (v == NULL)) {
		return (NNG_EINVAL);
	}
	memcpy(out, v, want);
	return (0);
}

static int
mpc_tran_ep_set_sid(void *arg, const void *v, size_t sz, nni_type t)
{
	mpc_tran_ep *ep = arg;
	uint8_t      sid[NNG_MPC_SESSION_ID_SIZE];
	int          rv;

	if ((rv = mpc_tran_copyin_fixed(sid, sizeof(sid), v, sz, t)) == 0) {
		nni_mtx_lock(&ep->mtx);
		memcpy(ep->cfg.session_id, sid, sizeof(sid));
		ep->cfg.have_session_id = true;
		nni_mtx_unlock(&ep->mtx);
	}
	return (rv);
}

static int
mpc_tran_ep_get_sid(void *arg, void *v, size_t *szp, nni_type t)
{
	mpc_tran_ep *ep = arg;
	uint8_t      sid[NNG_MPC_SESSION_ID_SIZE];
	bool         have;

	if (t != NNI_TYPE_OPAQUE) {
		return (NNG_EBADTYPE);
	}
	nni_mtx_lock(&ep->mtx);
	have = ep->cfg.have_session_id;
	memcpy(sid, ep->cfg.session_id, sizeof(sid));
	nni_mtx_unlock(&ep->mtx);
	if (!have) {
		return (NNG_MPC_ENOSESSIONID);
	}
	return (nni_copyout(sid, sizeof(sid), v, szp));
}

/* Write-only: there is no getter, so NNG answers NNG_EWRITEONLY. */
static int
mpc_tran_ep_set_key(void *arg, const void *v, size_t sz, nni_type t)
{
	mpc_tran_ep *ep = arg;
	uint8_t      key[MPC_TRAN_SESSION_KEY_SIZE];
	int          rv;

	if ((rv = mpc_tran_copyin_fixed(key, sizeof(key), v, sz, t)) == 0) {
		nni_mtx_lock(&ep->mtx);
		memcpy(ep->cfg.session_key, key, sizeof(key));
		ep->cfg.have_session_key = true;
		nni_mtx_unlock(&ep->mtx);
	}
	mpc_wipe(key, sizeof(key));
	return (rv);
}

static int
mpc_tran_ep_set_maxpayload(void *arg, const void *v, size_t sz, nni_type t)
{
	mpc_tran_ep *ep = arg;
	size_t       val;
	int          rv;

	if ((rv = nni_copyin_size(&val, v, sz, MPC_TRAN_PAYLOAD_MIN,
	         NNG_MPC_PAYLOAD_MAX, t)) == 0) {
		nni_mtx_lock(&ep->mtx);
		ep->cfg.max_payload = (uint32_t) val;
		nni_mtx_unlock(&ep->mtx);
	}
	return (rv);
}

static int
mpc_tran_ep_get_maxpayload(void *arg, void *v, size_t *szp, nni_type t)
{
	mpc_tran_ep *ep = arg;
	size_t       val;

	nni_mtx_lock(&ep->mtx);
	val = ep->cfg.max_payload;
	nni_mtx_unlock(&ep->mtx);
	return (nni_copyout_size(val, v, szp, t));
}

static int
mpc_tran_ep_set_window(void *arg, const void *v, size_t sz, nni_type t)
{
	mpc_tran_ep *ep = arg;
	int          val;
	int          rv;

	if ((rv = nni_copyin_int(&val, v, sz, MPC_TRAN_REPLAY_WINDOW_MIN,
	         MPC_TRAN_REPLAY_WINDOW_MAX, t)) != 0) {
		return (rv);
	}
	nni_mtx_lock(&ep->mtx);
	ep->cfg.replay_window = (uint32_t) val;
	nni_mtx_unlock(&ep->mtx);
	return (0);
}

static int
mpc_tran_ep_get_window(void *arg, void *v, size_t *szp, nni_type t)
{
	mpc_tran_ep *ep = arg;
	int          val;

	nni_mtx_lock(&ep->mtx);
	val = (int) ep->cfg.replay_window;
	nni_mtx_unlock(&ep->mtx);
	return (nni_copyout_int(val, v, szp, t));
}

static int
mpc_tran_ep_set_rekey_msgs(void *arg, const void *v, size_t sz, nni_type t)
{
	mpc_tran_ep *ep = arg;
	uint64_t     val;
	int          rv;

	if ((rv = nni_copyin_u64(&val, v, sz, t)) != 0) {
		return (rv);
	}
	if ((val < MPC_TRAN_REKEY_MESSAGES_MIN) ||
	    (val > MPC_TRAN_REKEY_MESSAGES_MAX)) {
		return (NNG_EINVAL);
	}
	nni_mtx_lock(&ep->mtx);
	ep->cfg.rekey_messages = val;
	nni_mtx_unlock(&ep->mtx);
	return (0);
}

static int
mpc_tran_ep_get_rekey_msgs(void *arg, void *v, size_t *szp, nni_type t)
{
	mpc_tran_ep *ep = arg;
	uint64_t     val;

	nni_mtx_lock(&ep->mtx);
	val = ep->cfg.rekey_messages;
	nni_mtx_unlock(&ep->mtx);
	return (nni_copyout_u64(val, v, szp, t));
}

/* Durations: NNG's nni_copyin_ms accepts -1 (infinite); we do not. */
static int
mpc_tran_copyin_ms(nng_duration *out, const void *v, size_t sz, nni_type t,
    nng_duration minv, nng_duration maxv)
{
	nng_duration d;
	int          rv;

	if ((rv = nni_copyin_ms(&d, v, sz, t)) != 0) {
		return (rv);
	}
	if ((d < minv) || (d > maxv)) {
		return (NNG_EINVAL);
	}
	*out = d;
	return (0);
}

static int
mpc_tran_ep_set_rekey_ival(void *arg, const void *v, size_t sz, nni_type t)
{
	mpc_tran_ep *ep = arg;
	nng_duration d;
	int          rv;

	if ((rv = mpc_tran_copyin_ms(&d, v, sz, t, 0,
	         MPC_TRAN_REKEY_INTERVAL_MAX)) == 0) {
		nni_mtx_lock(&ep->mtx);
		ep->cfg.rekey_interval = d;
		nni_mtx_unlock(&ep->mtx);
	}
	return (rv);
}

static int
mpc_tran_ep_get_rekey_ival(void *arg, void *v, size_t *szp, nni_type t)
{
	mpc_tran_ep *ep = arg;
	nng_duration d;

	nni_mtx_lock(&ep->mtx);
	d = ep->cfg.rekey_interval;
	nni_mtx_unlock(&ep->mtx);
	return (nni_copyout_ms(d, v, szp, t));
}

static int
mpc_tran_ep_set_hs_timeout(void *arg, const void *v, size_t sz, nni_type t)
{
	mpc_tran_ep *ep = arg;
	nng_duration d;
	int          rv;

	if ((rv = mpc_tran_copyin_ms(&d, v, sz, t, MPC_TRAN_HS_TIMEOUT_MIN,
	         MPC_TRAN_HS_TIMEOUT_MAX)) == 0) {
		nni_mtx_lock(&ep->mtx);
		ep->cfg.hs_timeout = d;
		nni_mtx_unlock(&ep->mtx);
	}
	return (rv);
}

static int
mpc_tran_ep_get_hs_timeout(void *arg, void *v, size_t *szp, nni_type t)
{
	mpc_tran_ep *ep = arg;
	nng_duration d;

	nni_mtx_lock(&ep->mtx);
	d = ep->cfg.hs_timeout;
	nni_mtx_unlock(&ep->mtx);
	return (nni_copyout_ms(d, v, szp, t));
}

/* ---------------------------------------------------------------------- *
 * NNG's TLS options, on the endpoint's source configuration
 * ---------------------------------------------------------------------- */

/* NNG's string option check (src/supplemental/tls/tls_common.c). */
static int
mpc_tran_copyin_tls_str(const void *v, size_t sz, nni_type t)
{
	switch (t) {
	case NNI_TYPE_OPAQUE:
		return ((nni_strnlen(v, sz) >= sz) ? NNG_EINVAL : 0);
	case NNI_TYPE_STRING:
		return (0);
	default:
		return (NNG_EBADTYPE);
	}
}

static int
mpc_tran_ep_set_tls_config(void *arg, const void *v, size_t sz, nni_type t)
{
	mpc_tran_ep *   ep = arg;
	nng_tls_config *cfg;
	nng_tls_config *old;
	int             rv;

	if (ep->kind != MPC_TRAN_TLS) {
		return (NNG_ENOTSUP);
	}
	if ((rv = nni_copyin_ptr((void **) &cfg, v, sz, t)) != 0) {
		return (rv);
	}
	if (cfg == NULL) {
		return (NNG_EINVAL);
	}
	nng_tls_config_hold(cfg);
	nni_mtx_lock(&ep->mtx);
	old         = ep->tls_src;
	ep->tls_src = cfg;
	nni_mtx_unlock(&ep->mtx);
	nng_tls_config_free(old);
	return (0);
}

/* Like NNG's: the caller gets a reference (nng_tls_config_free). */
static int
mpc_tran_ep_get_tls_config(void *arg, void *v, size_t *szp, nni_type t)
{
	mpc_tran_ep *   ep = arg;
	nng_tls_config *cfg;
	int             rv;

	if (ep->kind != MPC_TRAN_TLS) {
		return (NNG_ENOTSUP);
	}
	nni_mtx_lock(&ep->mtx);
	cfg = ep->tls_src;
	nng_tls_config_hold(cfg);
	if ((rv = nni_copyout_ptr(cfg, v, szp, t)) != 0) {
		nng_tls_config_free(cfg);
	}
	nni_mtx_unlock(&ep->mtx);
	return (rv);
}

/* The string options, each a nng_tls_config_* call on the source. */
static int
mpc_tran_ep_tls_str(void *arg, const void *v, size_t sz, nni_type t,
    int (*apply)(nng_tls_config *, const char *))
{
	mpc_tran_ep *ep = arg;
	int          rv;

	if (ep->kind != MPC_TRAN_TLS) {
		return (NNG_ENOTSUP);
	}
	if ((rv = mpc_tran_copyin_tls_str(v, sz, t)) == 0) {
		nni_mtx_lock(&ep->mtx);
		rv = apply(ep->tls_src, v);
		nni_mtx_unlock(&ep->mtx);
	}
	return (rv);
}

static int
mpc_tran_tls_cert_key_file(nng_tls_config *cfg, const char *path)
{
	return (nng_tls_config_cert_key_file(cfg, path, NULL));
}

static int
mpc_tran_ep_set_tls_ca(void *arg, const void *v, size_t sz, nni_type t)
{
	return (mpc_tran_ep_tls_str(arg, v, sz, t, nng_tls_config_ca_file));
}

static int
mpc_tran_ep_set_tls_cert(void *arg, const void *v, size_t sz, nni_type t)
{
	return (mpc_tran_ep_tls_str(arg, v, sz, t, mpc_tran_tls_cert_key_file));
}

static int
mpc_tran_ep_set_tls_name(void *arg, const void *v, size_t sz, nni_type t)
{
	return (
	    mpc_tran_ep_tls_str(arg, v, sz, t, nng_tls_config_server_name));
}

/* The source's auth mode decides only whether a dialer checks the server
 * name: the private copy always verifies (mpc_tran_tls.h). */
static int
mpc_tran_ep_set_tls_auth(void *arg, const void *v, size_t sz, nni_type t)
{
	mpc_tran_ep *ep = arg;
	int          mode;
	int          rv;

	if (ep->kind != MPC_TRAN_TLS) {
		return (NNG_ENOTSUP);
	}
	if ((rv = nni_copyin_int(&mode, v, sz, NNG_TLS_AUTH_MODE_NONE,
	         NNG_TLS_AUTH_MODE_REQUIRED, t)) == 0) {
		nni_mtx_lock(&ep->mtx);
		rv = nng_tls_config_auth_mode(ep->tls_src, mode);
		nni_mtx_unlock(&ep->mtx);
	}
	return (rv);
}

static int
mpc_tran_ep_set_pins(void *arg, const void *v, size_t sz, nni_type t)
{
	mpc_tran_ep *ep = arg;
	int          rv;

	/* A string (nng_*_set_string) or a NUL-terminated opaque value. */
	if ((rv = nni_copyin_str(NULL, v, sz, MPC_TRAN_PINS_STR_MAX, t)) !=
	    0) {
		return (rv);
	}
	if (ep->kind != MPC_TRAN_TLS) {
		return (NNG_ENOTSUP);
	}
	/* The endpoint's own pins: applied to its connections only, never
	 * written into a TLS configuration another endpoint may share. */
	nni_mtx_lock(&ep->mtx);
	rv = mpc_tran_cfg_set_pins(&ep->cfg, v, strlen(v));
	nni_mtx_unlock(&ep->mtx);
	return (rv);
}

static int
mpc_tran_ep_get_pins(void *arg, void *v, size_t *szp, nni_type t)
{
	mpc_tran_ep *ep = arg;
	char         buf[MPC_TRAN_PINS_STR_MAX];
	size_t       need;
	int          rv;

	if (ep->kind != MPC_TRAN_TLS) {
		return (NNG_ENOTSUP);
	}
	nni_mtx_lock(&ep->mtx);
	rv = mpc_tran_cfg_get_pins(&ep->cfg, buf, sizeof(buf), &need);
	nni_mtx_unlock(&ep->mtx);
	if (rv != 0) {
		return (rv);
	}
	return (nni_copyout_str(buf, v, szp, t));
}

static int
mpc_tran_ep_set_binding(void *arg, const void *v, size_t sz, nni_type t)
{
	mpc_tran_ep *ep = arg;
	bool         b;
	int          rv;

	if ((rv = nni_copyin_bool(&b, v, sz, t)) == 0) {
		nni_mtx_lock(&ep->mtx);
		ep->cfg.channel_binding = b;
		nni_mtx_unlock(&ep->mtx);
	}
	return (rv);
}

static int
mpc_tran_ep_get_binding(void *arg, void *v, size_t *szp, nni_type t)
{
	mpc_tran_ep *ep = arg;
	bool         b;

	nni_mtx_lock(&ep->mtx);
	b = ep->cfg.channel_binding;
	nni_mtx_unlock(&ep->mtx);
	return (nni_copyout_bool(b, v, szp, t));
}

/* NNG_OPT_MPC_RELIABLE and the delivery window (mpc_tran_dlv.h). */
static int
mpc_tran_ep_set_reliable(void *arg, const void *v, size_t sz, nni_type t)
{
	mpc_tran_ep *ep = arg;
	bool         b;
	int          rv;

	if ((rv = nni_copyin_bool(&b, v, sz, t)) == 0) {
		nni_mtx_lock(&ep->mtx);
		ep->cfg.reliable = b;
		nni_mtx_unlock(&ep->mtx);
	}
	return (rv);
}

static int
mpc_tran_ep_get_reliable(void *arg, void *v, size_t *szp, nni_type t)
{
	mpc_tran_ep *ep = arg;
	bool         b;

	nni_mtx_lock(&ep->mtx);
	b = ep->cfg.reliable;
	nni_mtx_unlock(&ep->mtx);
	return (nni_copyout_bool(b, v, szp, t));
}

/* Echo broadcast (mpc_tran_echo.h): a bool and three ints. */
static int
mpc_tran_ep_set_echo(void *arg, const void *v, size_t sz, nni_type t)
{
	mpc_tran_ep *ep = arg;
	bool         b;
	int          rv;

	if ((rv = nni_copyin_bool(&b, v, sz, t)) == 0) {
		nni_mtx_lock(&ep->mtx);
		ep->cfg.bcast_echo = b;
		nni_mtx_unlock(&ep->mtx);
	}
	return (rv);
}

static int
mpc_tran_ep_get_echo(void *arg, void *v, size_t *szp, nni_type t)
{
	mpc_tran_ep *ep = arg;
	bool         b;

	nni_mtx_lock(&ep->mtx);
	b = ep->cfg.bcast_echo;
	nni_mtx_unlock(&ep->mtx);
	return (nni_copyout_bool(b, v, szp, t));
}

static int
mpc_tran_ep_echo_int(mpc_tran_ep *ep, int *field, const void *v, size_t sz,
    int lo, int hi, nni_type t)
{
	int val;
	int rv;

	if ((rv = nni_copyin_int(&val, v, sz, lo, hi, t)) == 0) {
		nni_mtx_lock(&ep->mtx);
		*field = val;
		nni_mtx_unlock(&ep->mtx);
	}
	return (rv);
}

static int
mpc_tran_ep_set_echo_quorum(void *arg, const void *v, size_t sz, nni_type t)
{
	mpc_tran_ep *ep = arg;
	return (mpc_tran_ep_echo_int(ep, &ep->cfg.bcast_quorum, v, sz, 0,
	    MPC_TRAN_ECHO_QUORUM_MAX, t));
}

static int
mpc_tran_ep_get_echo_quorum(void *arg, void *v, size_t *szp, nni_type t)
{
	mpc_tran_ep *ep = arg;
	int          q;

	nni_mtx_lock(&ep->mtx);
	q = ep->cfg.bcast_quorum;
	nni_mtx_unlock(&ep->mtx);
	return (nni_copyout_int(q, v, szp, t));
}

static int
mpc_tran_ep_set_echo_timeout(void *arg, const void *v, size_t sz, nni_type t)
{
	mpc_tran_ep *ep = arg;
	nng_duration d;
	int          rv;

	if ((rv = nni_copyin_ms(&d, v, sz, t)) == 0) {
		if ((d < 1) || (d > MPC_TRAN_ECHO_TIMEOUT_MAX)) {
			return (NNG_EINVAL);
		}
		nni_mtx_lock(&ep->mtx);
		ep->cfg.bcast_timeout_ms = (uint32_t) d;
		nni_mtx_unlock(&ep->mtx);
	}
	return (rv);
}

static int
mpc_tran_ep_get_echo_timeout(void *arg, void *v, size_t *szp, nni_type t)
{
	mpc_tran_ep *ep = arg;
	nng_duration d;

	nni_mtx_lock(&ep->mtx);
	d = (nng_duration) ep->cfg.bcast_timeout_ms;
	nni_mtx_unlock(&ep->mtx);
	return (nni_copyout_ms(d, v, szp, t));
}

static int
mpc_tran_ep_set_echo_equiv(void *arg, const void *v, size_t sz, nni_type t)
{
	mpc_tran_ep *ep = arg;
	return (mpc_tran_ep_echo_int(ep, &ep->cfg.bcast_equivocate, v, sz, 0,
	    MPC_TRAN_ECHO_EQUIVOCATE_MAX, t));
}

static int
mpc_tran_ep_set_win_msgs(void *arg, const void *v, size_t sz, nni_type t)
{
	mpc_tran_ep *ep = arg;
	int          val;
	int          rv;

	if ((rv = nni_copyin_int(&val, v, sz, (int) MPC_DELIVER_WINDOW_MSGS_MIN,
	         (int) MPC_DELIVER_WINDOW_MSGS_MAX, t)) == 0) {
		nni_mtx_lock(&ep->mtx);
		ep->cfg.window_msgs = (uint32_t) val;
		nni_mtx_unlock(&ep->mtx);
	}
	return (rv);
}

static int
mpc_tran_ep_get_win_msgs(void *arg, void *v, size_t *szp, nni_type t)
{
	mpc_tran_ep *ep = arg;
	int          val;

	nni_mtx_lock(&ep->mtx);
	val = (int) ep->cfg.window_msgs;
	nni_mtx_unlock(&ep->mtx);
	return (nni_copyout_int(val, v, szp, t));
}

static int
mpc_tran_ep_set_win_bytes(void *arg, const void *v, size_t sz, nni_type t)
{
	mpc_tran_ep *ep = arg;
	size_t       val;
	int          rv;

	if ((rv = nni_copyin_size(&val, v, sz, MPC_DELIVER_WINDOW_BYTES_MIN,
	         MPC_DELIVER_WINDOW_BYTES_MAX, t)) == 0) {
		nni_mtx_lock(&ep->mtx);
		ep->cfg.window_bytes = val;
		nni_mtx_unlock(&ep->mtx);
	}
	return (rv);
}

static int
mpc_tran_ep_get_win_bytes(void *arg, void *v, size_t *szp, nni_type t)
{
	mpc_tran_ep *ep = arg;
	size_t       val;

	nni_mtx_lock(&ep->mtx);
	val = ep->cfg.window_bytes;
	nni_mtx_unlock(&ep->mtx);
	return (nni_copyout_size(val, v, szp, t));
}

/* NNG_OPT_MPC_LINGER belongs to the socket: kept with its streams. */
static int
mpc_tran_ep_set_linger(void *arg, const void *v, size_t sz, nni_type t)
{
	mpc_tran_ep *ep = arg;
	nng_duration d;
	int          rv;

	if ((rv = mpc_tran_copyin_ms(&d, v, sz, t, 0, NNG_MPC_LINGER_MAX)) ==
	    0) {
		mpc_tran_stream_linger_set(ep->sock_id, d);
	}
	return (rv);
}

static int
mpc_tran_ep_get_linger(void *arg, void *v, size_t *szp, nni_type t)
{
	mpc_tran_ep *ep = arg;

	return (nni_copyout_ms(
	    mpc_tran_stream_linger_get(ep->sock_id), v, szp, t));
}

static int
mpc_tran_ep_set_authlimit(void *arg, const void *v, size_t sz, nni_type t)
{
	mpc_tran_ep *ep = arg;
	int          val;
	int          rv;

	if ((rv = nni_copyin_int(&val, v, sz, MPC_TRAN_AUTH_FAIL_LIMIT_MIN,
	         MPC_TRAN_AUTH_FAIL_LIMIT_MAX, t)) == 0) {
		nni_mtx_lock(&ep->mtx);
		ep->cfg.auth_fail_limit = (uint32_t) val;
		nni_mtx_unlock(&ep->mtx);
	}
	return (rv);
}

static int
mpc_tran_ep_get_authlimit(void *arg, void *v, size_t *szp, nni_type t)
{
	mpc_tran_ep *ep = arg;
	int          val;

	nni_mtx_lock(&ep->mtx);
	val = (int) ep->cfg.auth_fail_limit;
	nni_mtx_unlock(&ep->mtx);
	return (nni_copyout_int(val, v, szp, t));
}

/* NNG_OPT_RECVMAXSZ, as NNG's tcp transport: pipes follow changes. */
static int
mpc_tran_ep_set_recvmaxsz(void *arg, const void *v, size_t sz, nni_type t)
{
	mpc_tran_ep *  ep = arg;
	mpc_tran_pipe *p;
	size_t         val;
	int            rv;

	if ((rv = nni_copyin_size(&val, v, sz, 0, NNI_MAXSZ, t)) == 0) {
		nni_mtx_lock(&ep->mtx);
		ep->rcvmax = val;
		NNI_LIST_FOREACH (&ep->busypipes, p) {
			mpc_tran_pipe_set_rcvmax(p, val);
		}
		NNI_LIST_FOREACH (&ep->waitpipes, p) {
			mpc_tran_pipe_set_rcvmax(p, val);
		}
		nni_mtx_unlock(&ep->mtx);
	}
	return (rv);
}

static int
mpc_tran_ep_get_recvmaxsz(void *arg, void *v, size_t *szp, nni_type t)
{
	mpc_tran_ep *ep = arg;
	int          rv;

	nni_mtx_lock(&ep->mtx);
	rv = nni_copyout_size(ep->rcvmax, v, szp, t);
	nni_mtx_unlock(&ep->mtx);
	return (rv);
}

static int
mpc_tran_ep_get_url(void *arg, void *v, size_t *szp, nni_type t)
{
	mpc_tran_ep *ep = arg;
	char *       s;
	int          rv;
	int          port = 0;

	if ((ep->listener != NULL) && (ep->kind != MPC_TRAN_IPC)) {
		(void) nng_stream_listener_get_int(
		    ep->listener, NNG_OPT_TCP_BOUND_PORT, &port);
	}
	if ((rv = nni_url_asprintf_port(&s, ep->url, port)) == 0) {
		rv = nni_copyout_str(s, v, szp, t);
		nni_strfree(s);
	}
	return (rv);
}

/* Caps and limits: ints in a range, under the endpoint's mutex. */
static int
mpc_tran_ep_set_u32(mpc_tran_ep *ep, uint32_t *field, const void *v,
    size_t sz, nni_type t, int minv, int maxv)
{
	int val;
	int rv;

	if ((rv = nni_copyin_int(&val, v, sz, minv, maxv, t)) == 0) {
		nni_mtx_lock(&ep->mtx);
		*field = (uint32_t) val;
		nni_mtx_unlock(&ep->mtx);
	}
	return (rv);
}

static int
mpc_tran_ep_get_u32(
    mpc_tran_ep *ep, const uint32_t *field, void *v, size_t *szp, nni_type t)
{
	int val;

	nni_mtx_lock(&ep->mtx);
	val = (int) *field;
	nni_mtx_unlock(&ep->mtx);
	return (nni_copyout_int(val, v, szp, t));
}

#define MPC_TRAN_EP_U32_OPT(fn, field, minv, maxv)                            \
	static int fn##_set(void *arg, const void *v, size_t sz, nni_type t) \
	{                                                                     \
		mpc_tran_ep *ep = arg;                                        \
		return (mpc_tran_ep_set_u32(                                  \
		    ep, &ep->field, v, sz, t, minv, maxv));                   \
	}                                                                     \
	static int fn##_get(void *arg, void *v, size_t *szp, nni_type t)     \
	{                                                                     \
		mpc_tran_ep *ep = arg;                                        \
		return (mpc_tran_ep_get_u32(ep, &ep->field, v, szp, t));      \
	}

MPC_TRAN_EP_U32_OPT(mpc_tran_ep_max_nego, admit.max_nego,
    MPC_TRAN_MAX_NEGO_MIN, MPC_TRAN_MAX_NEGO_MAX)
MPC_TRAN_EP_U32_OPT(mpc_tran_ep_max_per_src, admit.max_per_src,
    MPC_TRAN_MAX_NEGO_MIN, MPC_TRAN_MAX_NEGO_MAX)
MPC_TRAN_EP_U32_OPT(mpc_tran_ep_reject_limit, reject_limit,
    MPC_TRAN_REJECT_LIMIT_MIN, MPC_TRAN_REJECT_LIMIT_MAX)

/*
 * The observer's sink: an object the application opened once and attaches
 * to several sockets (NNG_OPT_MPC_AUDIT, a pointer), or one opened from a
 * path (NNG_OPT_MPC_AUDIT_FILE).  NNG_ENOTSUP when no observer is
 * registered (the plugin registers it).
 */
static int
mpc_tran_ep_set_audit(void *arg, const void *v, size_t sz, nni_type t)
{
	mpc_tran_ep *ep = arg;
	void *       sink;
	int          rv;

	if ((rv = nni_copyin_ptr(&sink, v, sz, t)) != 0) {
		return (rv);
	}
	if (mpc_tran_observer_get() == NULL) {
		return (NNG_ENOTSUP);
	}
	nni_mtx_lock(&ep->mtx);
	sink = mpc_tran_ep_set_sink(ep, sink);
	nni_mtx_unlock(&ep->mtx);
	mpc_tran_ep_rele_sink(sink); /* the one replaced */
	return (0);
}

static int
mpc_tran_ep_set_audit_file(void *arg, const void *v, size_t sz, nni_type t)
{
	mpc_tran_ep *                       ep  = arg;
	const struct mpc_tran_observer_ops *ops = mpc_tran_observer_get();
	void *                              sink;
	void *                              old;
	int                                 rv;

	if ((rv = nni_copyin_str(NULL, v, sz, 4096, t)) != 0) {
		return (rv);
	}
	if (ops == NULL) {
		return (NNG_ENOTSUP);
	}
	if ((sink = ops->ev_open(v, &rv)) == NULL) {
		return (rv != 0 ? rv : NNG_EINVAL);
	}
	nni_mtx_lock(&ep->mtx);
	old = mpc_tran_ep_set_sink(ep, sink);
	nni_mtx_unlock(&ep->mtx);
	mpc_tran_ep_rele_sink(old);
	ops->ev_rele(sink); /* the endpoint holds its own reference */
	return (0);
}

/* Endpoint counters, one read-only uint64 option each (reason table). */
#define MPC_TRAN_EP_GETTER(id, errs, opt, stat, text)                         \
	static int mpc_tran_ep_get_##id(                                      \
	    void *arg, void *v, size_t *szp, nni_type t)                      \
	{                                                                     \
		mpc_tran_ep *ep = arg;                                        \
		return (nni_copyout_u64(                                      \
		    mpc_tran_stat_get(&ep->stats.item[MPC_TRAN_EP_##id]), v,  \
		    szp, t));                                                 \
	}
MPC_TRAN_EP_COUNTERS(MPC_TRAN_EP_GETTER)

#define MPC_TRAN_EP_OPTION(id, errs, opt, stat, text) \
	{ .o_name = opt, .o_get = mpc_tran_ep_get_##id },

static const nni_option mpc_tran_ep_opts[] = {
	{ .o_name = NNG_OPT_MPC_PARTY_ID,
	    .o_get = mpc_tran_ep_get_party,
	    .o_set = mpc_tran_ep_set_party },
	{ .o_name = NNG_OPT_MPC_SESSION_ID,
	    .o_get = mpc_tran_ep_get_sid,
	    .o_set = mpc_tran_ep_set_sid },
	{ .o_name = NNG_OPT_MPC_SESSION_KEY, .o_set = mpc_tran_ep_set_key },
	{ .o_name = NNG_OPT_MPC_MAX_MSG_SIZE,
	    .o_get = mpc_tran_ep_get_maxpayload,
	    .o_set = mpc_tran_ep_set_maxpayload },
	{ .o_name = NNG_OPT_MPC_REPLAY_WINDOW,
	    .o_get = mpc_tran_ep_get_window,
	    .o_set = mpc_tran_ep_set_window },
	{ .o_name = NNG_OPT_MPC_REKEY_MESSAGES,
	    .o_get = mpc_tran_ep_get_rekey_msgs,
	    .o_set = mpc_tran_ep_set_rekey_msgs },
	{ .o_name = NNG_OPT_MPC_REKEY_INTERVAL,
	    .o_get = mpc_tran_ep_get_rekey_ival,
	    .o_set = mpc_tran_ep_set_rekey_ival },
	{ .o_name = NNG_OPT_MPC_HANDSHAKE_TIMEOUT,
	    .o_get = mpc_tran_ep_get_hs_timeout,
	    .o_set = mpc_tran_ep_set_hs_timeout },
	{ .o_name = NNG_OPT_MPC_CERT_PINS,
	    .o_get = mpc_tran_ep_get_pins,
	    .o_set = mpc_tran_ep_set_pins },
	{ .o_name = NNG_OPT_MPC_CHANNEL_BINDING,
	    .o_get = mpc_tran_ep_get_binding,
	    .o_set = mpc_tran_ep_set_binding },
	{ .o_name = NNG_OPT_MPC_AUTH_FAIL_LIMIT,
	    .o_get = mpc_tran_ep_get_authlimit,
	    .o_set = mpc_tran_ep_set_authlimit },
	{ .o_name = NNG_OPT_MPC_RELIABLE,
	    .o_get = mpc_tran_ep_get_reliable,
	    .o_set = mpc_tran_ep_set_reliable },
	{ .o_name = NNG_OPT_MPC_BROADCAST_ECHO,
	    .o_get = mpc_tran_ep_get_echo,
	    .o_set = mpc_tran_ep_set_echo },
	{ .o_name = NNG_OPT_MPC_BROADCAST_QUORUM,
	    .o_get = mpc_tran_ep_get_echo_quorum,
	    .o_set = mpc_tran_ep_set_echo_quorum },
	{ .o_name = NNG_OPT_MPC_BROADCAST_TIMEOUT,
	    .o_get = mpc_tran_ep_get_echo_timeout,
	    .o_set = mpc_tran_ep_set_echo_timeout },
	{ .o_name = NNG_OPT_MPC_BROADCAST_EQUIVOCATE,
	    .o_set = mpc_tran_ep_set_echo_equiv },
	{ .o_name = NNG_OPT_MPC_WINDOW_MSGS,
	    .o_get = mpc_tran_ep_get_win_msgs,
	    .o_set = mpc_tran_ep_set_win_msgs },
	{ .o_name = NNG_OPT_MPC_WINDOW_BYTES,
	    .o_get = mpc_tran_ep_get_win_bytes,
	    .o_set = mpc_tran_ep_set_win_bytes },
	{ .o_name = NNG_OPT_MPC_LINGER,
	    .o_get = mpc_tran_ep_get_linger,
	    .o_set = mpc_tran_ep_set_linger },
	{ .o_name = NNG_OPT_MPC_MAX_NEGOTIATING,
	    .o_get  = mpc_tran_ep_max_nego_get,
	    .o_set  = mpc_tran_ep_max_nego_set },
	{ .o_name = NNG_OPT_MPC_MAX_NEGOTIATING_PER_SOURCE,
	    .o_get  = mpc_tran_ep_max_per_src_get,
	    .o_set  = mpc_tran_ep_max_per_src_set },
	{ .o_name = NNG_OPT_MPC_REJECT_LIMIT,
	    .o_get  = mpc_tran_ep_reject_limit_get,
	    .o_set  = mpc_tran_ep_reject_limit_set },
	{ .o_name = NNG_OPT_MPC_AUDIT, .o_set = mpc_tran_ep_set_audit },
	{ .o_name = NNG_OPT_MPC_AUDIT_FILE,
	    .o_set  = mpc_tran_ep_set_audit_file },
	MPC_TRAN_EP_COUNTERS(MPC_TRAN_EP_OPTION)
	{ .o_name = NNG_OPT_RECVMAXSZ,
	    .o_get = mpc_tran_ep_get_recvmaxsz,
	    .o_set = mpc_tran_ep_set_recvmaxsz },
	{ .o_name = NNG_OPT_URL, .o_get = mpc_tran_ep_get_url },
	/* NNG's TLS options: on the source config, never the inner one. */
	{ .o_name = NNG_OPT_TLS_CONFIG,
	    .o_get  = mpc_tran_ep_get_tls_config,
	    .o_set  = mpc_tran_ep_set_tls_config },
	{ .o_name = NNG_OPT_TLS_CA_FILE, .o_set = mpc_tran_ep_set_tls_ca },
	{ .o_name = NNG_OPT_TLS_CERT_KEY_FILE,
	    .o_set  = mpc_tran_ep_set_tls_cert },
	{ .o_name = NNG_OPT_TLS_AUTH_MODE, .o_set = mpc_tran_ep_set_tls_auth },
	{ .o_name = NNG_OPT_TLS_SERVER_NAME,
	    .o_set  = mpc_tran_ep_set_tls_name },
	{ .o_name = NULL },
};

/*
 * Our options first, then the inner stream's: our names are ours alone,
 * and NNG_OPT_URL must be the mpc+* URL, not the inner one.
 */
int
mpc_tran_dialer_getopt(
    void *arg, const char *name, void *buf, size_t *szp, nni_type t)
{
	mpc_tran_ep *ep = arg;
	int          rv;

	rv = nni_getopt(mpc_tran_ep_opts, name, ep, buf, szp, t);
	if (rv == NNG_ENOTSUP) {
		rv = mpc_tran_limit_ep_getopt(ep, name, buf, szp, t);
	}
	if (rv == NNG_ENOTSUP) {
		rv = nni_stream_dialer_get(ep->dialer, name, buf, szp, t);
	}
	return (rv);
}

int
mpc_tran_dialer_setopt(
    void *arg, const char *name, const void *buf, size_t sz, nni_type t)
{
	mpc_tran_ep *ep = arg;
	int          rv;

	rv = nni_setopt(mpc_tran_ep_opts, name, ep, buf, sz, t);
	if (rv == NNG_ENOTSUP) {
		rv = mpc_tran_limit_ep_setopt(ep, name, buf, sz, t);
	}
	if (rv == NNG_ENOTSUP) {
		rv = nni_stream_dialer_set(ep->dialer, name, buf, sz, t);
	}
	return (rv);
}

int
mpc_tran_listener_getopt(
    void *arg, const char *name, void *buf, size_t *szp, nni_type t)
{
	mpc_tran_ep *ep = arg;
	int          rv;

	rv = nni_getopt(mpc_tran_ep_opts, name, ep, buf, szp, t);
	if (rv == NNG_ENOTSUP) {
		rv = mpc_tran_limit_ep_getopt(ep, name, buf, szp, t);
	}
	if (rv == NNG_ENOTSUP) {
		rv = nni_stream_listener_get(ep->listener, name, buf, szp, t);
	}
	return (rv);
}

int
mpc_tran_listener_setopt(
    void *arg, const char *name, const void *buf, size_t sz, nni_type t)
{
	mpc_tran_ep *ep = arg;
	int          rv;

	rv = nni_setopt(mpc_tran_ep_opts, name, ep, buf, sz, t);
	if (rv == NNG_ENOTSUP) {
		rv = mpc_tran_limit_ep_setopt(ep, name, buf, sz, t);
	}
	if (rv == NNG_ENOTSUP) {
		rv = nni_stream_listener_set(ep->listener, name, buf, sz, t);
	}
	return (rv);
}

/* ---------------------------------------------------------------------- *
 * Pipe options (read-only)
 * ---------------------------------------------------------------------- */

static int
mpc_tran_pipe_get_peer_party(void *arg, void *v, size_t *szp, nni_type t)
{
	mpc_tran_pipe *p = arg;

	return (mpc_tran_copyout_party(p->peer.peer_id, v, szp, t));
}

static int
mpc_tran_pipe_get_subject(void *arg, void *v, size_t *szp, nni_type t)
{
	mpc_tran_pipe *p = arg;

	if (!p->peer.tls) {
		return (NNG_ENOTSUP);
	}
	return (nni_copyout_str(p->peer.tlsp.subject, v, szp, t));
}

static int
mpc_tran_pipe_get_tls_version(void *arg, void *v, size_t *szp, nni_type t)
{
	mpc_tran_pipe *p = arg;

	if (!p->peer.tls) {
		return (NNG_ENOTSUP);
	}
	return (nni_copyout_str(p->peer.tlsp.version, v, szp, t));
}

static int
mpc_tran_pipe_get_tls_cipher(void *arg, void *v, size_t *szp, nni_type t)
{
	mpc_tran_pipe *p = arg;

	if (!p->peer.tls) {
		return (NNG_ENOTSUP);
	}
	return (nni_copyout_str(p->peer.tlsp.cipher, v, szp, t));
}

static int
mpc_tran_pipe_get_pin(void *arg, void *v, size_t *szp, nni_type t)
{
	mpc_tran_pipe *p = arg;

	if (!p->peer.tls) {
		return (NNG_ENOTSUP);
	}
	if (t != NNI_TYPE_OPAQUE) {
		return (NNG_EBADTYPE);
	}
	return (nni_copyout(
	    p->peer.tlsp.pin, sizeof(p->peer.tlsp.pin), v, szp));
}

static int
mpc_tran_pipe_get_epoch(void *arg, void *v, size_t *szp, nni_type t)
{
	mpc_tran_pipe *p = arg;

	return (nni_copyout_u64(mpc_tran_pipe_epoch(p, false), v, szp, t));
}

static int
mpc_tran_pipe_get_recv_epoch(void *arg, void *v, size_t *szp, nni_type t)
{
	mpc_tran_pipe *p = arg;

	return (nni_copyout_u64(mpc_tran_pipe_epoch(p, true), v, szp, t));
}

/* Pipe counters, one read-only uint64 option each (reason table). */
#define MPC_TRAN_P_GETTER(id, errs, rej, opt, stat, text)                     \
	static int mpc_tran_pipe_get_##id(                                    \
	    void *arg, void *v, size_t *szp, nni_type t)                      \
	{                                                                     \
		mpc_tran_pipe *p = arg;                                       \
		return (nni_copyout_u64(                                      \
		    mpc_tran_stat_get(&p->stats.item[MPC_TRAN_P_##id]), v,    \
		    szp, t));                                                 \
	}
MPC_TRAN_PIPE_COUNTERS(MPC_TRAN_P_GETTER)

#define MPC_TRAN_P_OPTION(id, errs, rej, opt, stat, text) \
	{ .o_name = opt, .o_get = mpc_tran_pipe_get_##id },

static const nni_option mpc_tran_pipe_opts[] = {
	{ .o_name = NNG_OPT_MPC_PEER_PARTY_ID,
	    .o_get = mpc_tran_pipe_get_peer_party },
	{ .o_name = NNG_OPT_MPC_PEER_SUBJECT,
	    .o_get = mpc_tran_pipe_get_subject },
	{ .o_name = NNG_OPT_MPC_TLS_VERSION,
	    .o_get = mpc_tran_pipe_get_tls_version },
	{ .o_name = NNG_OPT_MPC_TLS_CIPHER,
	    .o_get = mpc_tran_pipe_get_tls_cipher },
	{ .o_name = NNG_OPT_MPC_PEER_PIN, .o_get = mpc_tran_pipe_get_pin },
	{ .o_name = NNG_OPT_MPC_EPOCH, .o_get = mpc_tran_pipe_get_epoch },
	{ .o_name = NNG_OPT_MPC_RECV_EPOCH,
	    .o_get = mpc_tran_pipe_get_recv_epoch },
	MPC_TRAN_PIPE_COUNTERS(MPC_TRAN_P_OPTION)
	{ .o_name = NULL },
};

/*
 * Pipe options first, then the stream's (NNG_OPT_REMADDR,
 * NNG_OPT_TLS_VERIFIED, NNG_OPT_IPC_PEER_UID...); what neither knows NNG
 * asks the dialer or listener (src/core/pipe.c), where the session key
 * stays write-only.
 */
int
mpc_tran_pipe_getopt(
    void *arg, const char *name, void *buf, size_t *szp, nni_type t)
{
	mpc_tran_pipe *p = arg;
	int            rv;

	rv = nni_getopt(mpc_tran_pipe_opts, name, p, buf, szp, t);
	if (rv == NNG_ENOTSUP) {
		rv = mpc_tran_limit_pipe_getopt(p, name, buf, szp, t);
	}
	if (rv == NNG_ENOTSUP) {
		rv = nni_stream_get(p->conn, name, buf, szp, t);
	}
	return (rv);
}
