/*
 * mpc_tls_config.c -- the engine's configuration ops (NNG TLS engine v1) and
 * the per-configuration settings NNG's API lacks (pins, suites, groups,
 * party identity requirement).
 *
 * A configuration keeps its settings and a WOLFSSL_CTX built from them.
 * Every change that affects the context builds a fresh one (so errors in a
 * certificate, key or list surface from the call that set it) and swaps it
 * in; connections already started keep the context they were created from
 * (wolfSSL reference-counts contexts), because wolfSSL objects borrow their
 * context's certificate and key buffers and must never see them replaced.
 * Settings used per connection (server name, auth mode, pins, party
 * requirement) are read by conn init.
 *
 * Defaults differ from NNG's "TLS 1.0-1.2" suggestion on purpose: TLS 1.3
 * only (RFC 8446), unless the application lowers the minimum to 1.2.
 *
 * Threading: see mpc_tls_engine.h; every access to a config's settings or
 * context holds config->lk.
 */
#include <stdlib.h>
#include <string.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/memory.h>

#include "mpc_tls_bridge.h"
#include "mpc_tls_engine.h"

const struct mpc_tls_suite mpc_tls_suites[MPC_TLS_SUITES_MAX] = {
	/* RFC 8446 B.4 */
	{ "TLS_AES_256_GCM_SHA384", "TLS13-AES256-GCM-SHA384", 0x1302, true },
	{ "TLS_AES_128_GCM_SHA256", "TLS13-AES128-GCM-SHA256", 0x1301, true },
	{ "TLS_CHACHA20_POLY1305_SHA256", "TLS13-CHACHA20-POLY1305-SHA256",
	    0x1303, true },
	/* TLS 1.2, only when allowed: RFC 5289, RFC 7905 */
	{ "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
	    "ECDHE-ECDSA-AES256-GCM-SHA384", 0xC02C, false },
	{ "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
	    "ECDHE-ECDSA-AES128-GCM-SHA256", 0xC02B, false },
	{ "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
	    "ECDHE-ECDSA-CHACHA20-POLY1305", 0xCCA9, false },
};

/* RFC 8446 4.2.7 NamedGroup values. */
static const struct {
	const char *name;
	int         id;
} tls_groups[] = {
	{ "X25519", WOLFSSL_ECC_X25519 },
	{ "P-256", WOLFSSL_ECC_SECP256R1 },
	{ "P-384", WOLFSSL_ECC_SECP384R1 },
};

/* Longest cipher list string: every wolfSSL name plus separators. */
#define SUITE_LIST_MAX 256

const char *
mpc_tls_suite_name(uint16_t id)
{
	for (size_t i = 0; i < MPC_TLS_SUITES_MAX; i++) {
		if (mpc_tls_suites[i].id == id) {
			return (mpc_tls_suites[i].iana);
		}
	}
	return (NULL);
}

void
mpc_tls_wipe_free(void *p, size_t n)
{
	if (p != NULL) {
		explicit_bzero(p, n); /* not optimized away (glibc) */
		free(p);
	}
}

/*
 * mpc_tls_pem_extract copies every "-----BEGIN <label>-----" ..
 * "-----END <label>-----" block of a PEM text into a new NUL-terminated
 * string, each block followed by a newline.  This keeps a combined
 * cert+key file's key out of the certificate copy, and a CA file's CRLs
 * out of the trust anchors (NNG passes the whole file for both).
 * The text is local configuration, not network input.
 */
int
mpc_tls_pem_extract(
    const char *pem, const char *label, char **outp, size_t *lenp)
{
	char   begin[64];
	char   end[64];
	size_t in  = strlen(pem);
	size_t len = 0;
	size_t cap;
	char * out;

	(void) snprintf(begin, sizeof(begin), "-----BEGIN %s-----", label);
	(void) snprintf(end, sizeof(end), "-----END %s-----", label);
	/* The blocks are disjoint and each holds a whole end marker, so
	 * there are at most in / strlen(end) of them, each gaining one
	 * newline; and the NUL.  (A text of blocks with no newline after
	 * the last one, or none between them, is longer out than in.) */
	cap = in + in / strlen(end) + 1;
	if ((out = malloc(cap)) == NULL) {
		return (NNG_ENOMEM);
	}
	for (const char *p = pem; (p = strstr(p, begin)) != NULL;) {
		const char *e = strstr(p, end);
		size_t      n;

		if (e == NULL) {
			break;
		}
		e += strlen(end);
		n = (size_t) (e - p);
		memcpy(out + len, p, n);
		len += n;
		out[len++] = '\n';
		p          = e;
	}
	if (len == 0) {
		free(out);
		return (NNG_MPC_ETLSBADCERT);
	}
	out[len] = '\0';
	*outp    = out;
	*lenp    = len;
	return (0);
}

/* Concatenates a (may be NULL) and b into a new NUL-terminated string. */
static int
str_concat(const char *a, size_t alen, const char *b, size_t blen, char **outp,
    size_t *lenp)
{
	char *n;

	if ((n = malloc(alen + blen + 1)) == NULL) {
		return (NNG_ENOMEM);
	}
	if (a != NULL) {
		memcpy(n, a, alen);
	}
	memcpy(n + alen, b, blen);
	n[alen + blen] = '\0';
	*outp          = n;
	*lenp          = alen + blen;
	return (0);
}

static int
ctx_suites(WOLFSSL_CTX *ctx, const struct mpc_tls_settings *s, bool allow12,
    bool allow13)
{
	char   list[SUITE_LIST_MAX];
	size_t len = 0;

	list[0] = '\0';
	for (size_t i = 0; i < s->nsuites; i++) {
		const struct mpc_tls_suite *su = &mpc_tls_suites[s->suites[i]];
		int                         n;

		if ((su->tls13 && !allow13) || (!su->tls13 && !allow12)) {
			continue;
		}
		n = snprintf(list + len, sizeof(list) - len, "%s%s",
		    len == 0 ? "" : ":", su->wolf);
		if (n < 0 || (size_t) n >= sizeof(list) - len) {
			return (NNG_MPC_ETLSCIPHER);
		}
		len += (size_t) n;
	}
	if (len == 0 ||
	    wolfSSL_CTX_set_cipher_list(ctx, list) != WOLFSSL_SUCCESS) {
		return (NNG_MPC_ETLSCIPHER);
	}
	return (0);
}

static int
ctx_groups(WOLFSSL_CTX *ctx, const struct mpc_tls_settings *s, bool allow13)
{
	int groups[MPC_TLS_GROUPS_MAX];

	memcpy(groups, s->groups, sizeof(groups));
	if (allow13) {
		/* Also the TLS 1.3 key-share preference (RFC 8446 4.2.8). */
		if (wolfSSL_CTX_set_groups(ctx, groups, (int) s->ngroups) !=
		    WOLFSSL_SUCCESS) {
			return (NNG_MPC_ETLSGROUP);
		}
		return (0);
	}
	for (size_t i = 0; i < s->ngroups; i++) {
		if (wolfSSL_CTX_UseSupportedCurve(ctx, (word16) groups[i]) !=
		    WOLFSSL_SUCCESS) {
			return (NNG_MPC_ETLSGROUP);
		}
	}
	return (0);
}

static int
ctx_certs(WOLFSSL_CTX *ctx, const struct mpc_tls_settings *s)
{
	if (s->ca_pem != NULL &&
	    wolfSSL_CTX_load_verify_buffer(ctx, (const uint8_t *) s->ca_pem,
	        (long) s->ca_len, WOLFSSL_FILETYPE_PEM) != WOLFSSL_SUCCESS) {
		return (NNG_MPC_ETLSBADCERT);
	}
	if (s->crl_pem != NULL &&
	    (wolfSSL_CTX_EnableCRL(ctx, WOLFSSL_CRL_CHECKALL) !=
	            WOLFSSL_SUCCESS ||
	        wolfSSL_CTX_LoadCRLBuffer(ctx, (const uint8_t *) s->crl_pem,
	            (long) s->crl_len, WOLFSSL_FILETYPE_PEM) !=
	            WOLFSSL_SUCCESS)) {
		return (NNG_MPC_ETLSBADCERT);
	}
	if (s->cert_pem != NULL &&
	    wolfSSL_CTX_use_certificate_chain_buffer_format(ctx,
	        (const uint8_t *) s->cert_pem, (long) s->cert_len,
	        WOLFSSL_FILETYPE_PEM) != WOLFSSL_SUCCESS) {
		return (NNG_MPC_ETLSBADCERT);
	}
	if (s->key_der != NULL) {
		if (wolfSSL_CTX_use_PrivateKey_buffer(ctx, s->key_der,
		        (long) s->key_len,
		        WOLFSSL_FILETYPE_ASN1) != WOLFSSL_SUCCESS) {
			return (NNG_MPC_ETLSKEY);
		}
		/* A key that does not match the certificate would only
		 * fail later, at the peer, as a bad signature. */
		if (s->cert_pem != NULL &&
		    wolfSSL_CTX_check_private_key(ctx) != WOLFSSL_SUCCESS) {
			return (NNG_MPC_ETLSKEY);
		}
	}
	return (0);
}

int
mpc_tls_ctx_build(const struct mpc_tls_settings *s, WOLFSSL_CTX **ctxp)
{
	WOLFSSL_METHOD *m;
	WOLFSSL_CTX *   ctx;
	bool            srv     = s->mode == NNG_TLS_MODE_SERVER;
	bool            allow12 = s->min_ver <= NNG_TLS_1_2;
	bool            allow13 = s->max_ver >= NNG_TLS_1_3;
	int             rv;

	if (allow13 && !allow12) {
		m = srv ? wolfTLSv1_3_server_method() : wolfTLSv1_3_client_method();
	} else if (allow13) {
		m = srv ? wolfSSLv23_server_method() : wolfSSLv23_client_method();
	} else {
		m = srv ? wolfTLSv1_2_server_method() : wolfTLSv1_2_client_method();
	}
	if (m == NULL || (ctx = wolfSSL_CTX_new(m)) == NULL) {
		return (NNG_ENOMEM);
	}
	if (allow13 && allow12 &&
	    wolfSSL_CTX_SetMinVersion(ctx, WOLFSSL_TLSV1_2) != WOLFSSL_SUCCESS) {
		rv = NNG_ENOTSUP;
		goto out;
	}
	/* No resumption: a resumed TLS 1.2 session skips the certificate,
	 * and with it the pin and party-identity checks.  (TLS 1.3 tickets
	 * are not compiled in.) */
	(void) wolfSSL_CTX_set_session_cache_mode(ctx, WOLFSSL_SESS_CACHE_OFF);
	/* One write per handshake flight instead of one per message: fewer,
	 * fuller TCP segments (NNG 1.5.2's POSIX TCP streams leave Nagle
	 * on, so small writes can wait for a delayed ACK). */
	(void) wolfSSL_CTX_set_group_messages(ctx);
	wolfSSL_CTX_SetIORecv(ctx, mpc_tls_io_recv);
	wolfSSL_CTX_SetIOSend(ctx, mpc_tls_io_send);

	if (((rv = ctx_suites(ctx, s, allow12, allow13)) != 0) ||
	    ((rv = ctx_groups(ctx, s, allow13)) != 0) ||
	    ((rv = ctx_certs(ctx, s)) != 0)) {
		goto out;
	}
	*ctxp = ctx;
	return (0);
out:
	wolfSSL_CTX_free(ctx);
	return (rv);
}

/* Swaps in a context built from next (on success) and adopts next. */
int
mpc_tls_cfg_rebuild(
    struct nng_tls_engine_config *cfg, struct mpc_tls_settings *next)
{
	WOLFSSL_CTX *ctx;
	int          rv;

	if ((rv = mpc_tls_ctx_build(next, &ctx)) != 0) {
		return (rv);
	}
	wolfSSL_CTX_free(cfg->ctx); /* connections keep their reference */
	cfg->ctx = ctx;
	cfg->set = *next;
	return (0);
}

void
mpc_tls_settings_free(struct mpc_tls_settings *s)
{
	free(s->server_name);
	free(s->ca_pem);
	free(s->crl_pem);
	mpc_tls_wipe_free(s->cert_pem, s->cert_len);
	mpc_tls_wipe_free(s->key_der, s->key_len);
	free(s->pins);
	memset(s, 0, sizeof(*s));
}

static void
config_fini(nng_tls_engine_config *cfg)
{
	/* NNG calls fini only on configs whose init succeeded, but be safe
	 * on a zeroed one. */
	if (!cfg->inited) {
		return;
	}
	mpc_tls_reg_cfg_del(cfg);
	(void) pthread_mutex_lock(&cfg->lk);
	if (cfg->ctx != NULL) {
		wolfSSL_CTX_free(cfg->ctx);
		cfg->ctx = NULL;
	}
	mpc_tls_settings_free(&cfg->set);
	(void) pthread_mutex_unlock(&cfg->lk);
	(void) pthread_mutex_destroy(&cfg->lk);
	cfg->inited = false;
}

static int
config_init(nng_tls_engine_config *cfg, nng_tls_mode mode)
{
	struct mpc_tls_settings *s = &cfg->set;
	size_t                   off;
	int                      rv;

	s->mode = mode;
	/* NNG's convention: a client verifies the server, a server asks
	 * for no certificate unless told to. */
	s->auth    = mode == NNG_TLS_MODE_SERVER ? NNG_TLS_AUTH_MODE_NONE
	                                         : NNG_TLS_AUTH_MODE_REQUIRED;
	s->min_ver = NNG_TLS_1_3;
	s->max_ver = NNG_TLS_1_3;
	for (size_t i = 0; i < MPC_TLS_SUITES_MAX; i++) {
		s->suites[i] = (uint8_t) i;
	}
	s->nsuites   = MPC_TLS_SUITES_MAX;
	s->groups[0] = WOLFSSL_ECC_X25519;
	s->groups[1] = WOLFSSL_ECC_SECP256R1;
	s->ngroups   = 2;

	if ((rv = mpc_tls_ctx_build(s, &cfg->ctx)) != 0) {
		memset(s, 0, sizeof(*s));
		return (rv);
	}
	if (pthread_mutex_init(&cfg->lk, NULL) != 0) {
		wolfSSL_CTX_free(cfg->ctx);
		cfg->ctx = NULL;
		memset(s, 0, sizeof(*s));
		return (NNG_ENOMEM);
	}
	cfg->inited = true;

	/* NNG places us at a fixed offset behind its nng_tls_config, which
	 * registration measured; the map lets the nng_mpc_tls_config_*
	 * setters find us from the nng_tls_config an application holds. */
	if (mpc_tls_probing) {
		mpc_tls_probe_slot = cfg;
	} else if ((off = atomic_load(&mpc_tls_cfg_offset)) != 0) {
		mpc_tls_reg_cfg_add(cfg, (const char *) cfg - off);
	}
	return (0);
}

static int
config_server(nng_tls_engine_config *cfg, const char *name)
{
	char *dup;

	if (name == NULL || (dup = strdup(name)) == NULL) {
		return (name == NULL ? NNG_EINVAL : NNG_ENOMEM);
	}
	(void) pthread_mutex_lock(&cfg->lk);
	free(cfg->set.server_name);
	cfg->set.server_name = dup;
	(void) pthread_mutex_unlock(&cfg->lk);
	return (0);
}

static int
config_auth(nng_tls_engine_config *cfg, nng_tls_auth_mode mode)
{
	switch (mode) {
	case NNG_TLS_AUTH_MODE_NONE:
	case NNG_TLS_AUTH_MODE_OPTIONAL:
	case NNG_TLS_AUTH_MODE_REQUIRED:
		break;
	default:
		return (NNG_EINVAL);
	}
	(void) pthread_mutex_lock(&cfg->lk);
	cfg->set.auth = mode;
	(void) pthread_mutex_unlock(&cfg->lk);
	return (0);
}

static int
config_ca_chain(nng_tls_engine_config *cfg, const char *certs, const char *crl)
{
	struct mpc_tls_settings next;
	char *                  ca_pem  = NULL;
	char *                  crl_pem = NULL;
	char *                  blk     = NULL;
	size_t                  blen;
	int                     rv;

	if (certs == NULL) {
		return (NNG_EINVAL);
	}
	(void) pthread_mutex_lock(&cfg->lk);
	next = cfg->set;
	/* Trust anchors and CRLs accumulate, as with NNG's Mbed TLS engine. */
	if (((rv = mpc_tls_pem_extract(certs, "CERTIFICATE", &blk, &blen)) !=
	        0) ||
	    ((rv = str_concat(cfg->set.ca_pem, cfg->set.ca_len, blk, blen,
	          &ca_pem, &next.ca_len)) != 0)) {
		goto out;
	}
	next.ca_pem = ca_pem;
	if (crl != NULL) {
		free(blk);
		blk = NULL;
		if (((rv = mpc_tls_pem_extract(crl, "X509 CRL", &blk, &blen)) !=
		        0) ||
		    ((rv = str_concat(cfg->set.crl_pem, cfg->set.crl_len, blk,
		          blen, &crl_pem, &next.crl_len)) != 0)) {
			goto out;
		}
		next.crl_pem = crl_pem;
	}
	{
		char *old_ca  = cfg->set.ca_pem;
		char *old_crl = cfg->set.crl_pem;
		if ((rv = mpc_tls_cfg_rebuild(cfg, &next)) == 0) {
			free(old_ca);
			if (crl_pem != NULL) {
				free(old_crl);
			}
			ca_pem  = NULL;
			crl_pem = NULL;
		}
	}
out:
	(void) pthread_mutex_unlock(&cfg->lk);
	free(blk);
	free(ca_pem);
	free(crl_pem);
	return (rv);
}

static int
config_own_cert(nng_tls_engine_config *cfg, const char *cert, const char *key,
    const char *pass)
{
	struct mpc_tls_settings next;
	char *                  chain = NULL;
	size_t                  chain_len = 0;
	uint8_t *               der       = NULL;
	size_t                  der_cap   = 0;
	int                     n;
	int                     rv;

	if (cert == NULL || key == NULL) {
		return (NNG_EINVAL);
	}
	if ((rv = mpc_tls_pem_extract(
	         cert, "CERTIFICATE", &chain, &chain_len)) != 0) {
		return (rv);
	}
	/* DER is shorter than its base64 PEM, so the PEM length bounds it. */
	der_cap = strlen(key) + 1;
	if (der_cap > INT32_MAX || (der = malloc(der_cap)) == NULL) {
		rv = NNG_ENOMEM;
		goto out;
	}
	/* wc_KeyPemToDer decrypts PKCS#8 (PBES2) keys with pass. */
	n = wc_KeyPemToDer((const uint8_t *) key, (int) strlen(key), der,
	    (int) der_cap, pass);
	if (n <= 0) {
		rv = NNG_MPC_ETLSKEY;
		goto out;
	}

	(void) pthread_mutex_lock(&cfg->lk);
	next          = cfg->set;
	next.cert_pem = chain;
	next.cert_len = chain_len;
	next.key_der  = der;
	next.key_len  = (size_t) n;
	{
		char *   old_chain = cfg->set.cert_pem;
		size_t   old_clen  = cfg->set.cert_len;
		uint8_t *old_key   = cfg->set.key_der;
		size_t   old_klen  = cfg->set.key_len;
		if ((rv = mpc_tls_cfg_rebuild(cfg, &next)) == 0) {
			mpc_tls_wipe_free(old_chain, old_clen);
			mpc_tls_wipe_free(old_key, old_klen);
			chain = NULL;
			der   = NULL;
		}
	}
	(void) pthread_mutex_unlock(&cfg->lk);
out:
	mpc_tls_wipe_free(chain, chain_len);
	mpc_tls_wipe_free(der, der_cap);
	return (rv);
}

static int
config_version(
    nng_tls_engine_config *cfg, nng_tls_version min_ver, nng_tls_version max_ver)
{
	struct mpc_tls_settings next;
	int                     rv;

	/* We implement 1.2 and 1.3; a range reaching below 1.2 is clamped
	 * (engine.h: restrict the range to what the engine supports). */
	if (min_ver > max_ver) {
		return (NNG_EINVAL);
	}
	if (max_ver < NNG_TLS_1_2 || min_ver > NNG_TLS_1_3) {
		return (NNG_ENOTSUP);
	}
	(void) pthread_mutex_lock(&cfg->lk);
	next         = cfg->set;
	next.min_ver = min_ver < NNG_TLS_1_2 ? NNG_TLS_1_2 : min_ver;
	next.max_ver = max_ver > NNG_TLS_1_3 ? NNG_TLS_1_3 : max_ver;
	rv           = mpc_tls_cfg_rebuild(cfg, &next);
	(void) pthread_mutex_unlock(&cfg->lk);
	return (rv);
}

const nng_tls_engine_config_ops mpc_tls_config_ops = {
	.size     = sizeof(nng_tls_engine_config),
	.init     = config_init,
	.fini     = config_fini,
	.server   = config_server,
	.auth     = config_auth,
	.ca_chain = config_ca_chain,
	.own_cert = config_own_cert,
	.version  = config_version,
};

/* ---- the settings NNG's API lacks ------------------------------------ */

/* Finds our config behind an application's nng_tls_config and locks it.
 * The caller holds its reference to cfg, as for any nng_tls_config_*. */
struct nng_tls_engine_config *
mpc_tls_cfg_lock(struct nng_tls_config *cfg)
{
	struct nng_tls_engine_config *ec;

	if (cfg == NULL) {
		return (NULL);
	}
	mpc_tls_reg_lock();
	if ((ec = mpc_tls_reg_cfg_find(cfg)) != NULL) {
		(void) pthread_mutex_lock(&ec->lk);
	}
	mpc_tls_reg_unlock();
	return (ec);
}

int
nng_mpc_tls_config_pins(
    struct nng_tls_config *cfg, const uint8_t *pins, size_t npins)
{
	struct nng_tls_engine_config *ec;
	uint8_t(*copy)[NNG_MPC_TLS_PIN_SIZE] = NULL;

	if (npins > NNG_MPC_TLS_PINS_MAX) {
		return (NNG_MPC_ETLSTOOMANY);
	}
	if (npins > 0) {
		if (pins == NULL) {
			return (NNG_EINVAL);
		}
		if ((copy = malloc(npins * NNG_MPC_TLS_PIN_SIZE)) == NULL) {
			return (NNG_ENOMEM);
		}
		memcpy(copy, pins, npins * NNG_MPC_TLS_PIN_SIZE);
	}
	if ((ec = mpc_tls_cfg_lock(cfg)) == NULL) {
		free(copy);
		return (NNG_MPC_ETLSNOTOURS);
	}
	free(ec->set.pins);
	ec->set.pins  = copy;
	ec->set.npins = npins;
	(void) pthread_mutex_unlock(&ec->lk);
	return (0);
}

/* Splits a colon-separated list; calls fn for each name. */
static int
list_each(const char *list, int (*fn)(const char *, size_t, void *), void *arg)
{
	const char *p = list;

	if (list == NULL || *list == '\0') {
		return (NNG_EINVAL);
	}
	for (;;) {
		const char *e = strchr(p, ':');
		size_t      n = e == NULL ? strlen(p) : (size_t) (e - p);
		int         rv;

		if ((rv = fn(p, n, arg)) != 0) {
			return (rv);
		}
		if (e == NULL) {
			return (0);
		}
		p = e + 1;
	}
}

static bool
name_eq(const char *a, size_t alen, const char *b)
{
	return (strlen(b) == alen && memcmp(a, b, alen) == 0);
}

static int
suite_add(const char *name, size_t len, void *arg)
{
	struct mpc_tls_settings *s = arg;

	for (size_t i = 0; i < MPC_TLS_SUITES_MAX; i++) {
		if (name_eq(name, len, mpc_tls_suites[i].iana)) {
			for (size_t j = 0; j < s->nsuites; j++) {
				if (s->suites[j] == i) {
					return (0); /* listed twice */
				}
			}
			s->suites[s->nsuites++] = (uint8_t) i;
			return (0);
		}
	}
	return (NNG_MPC_ETLSCIPHER);
}

int
nng_mpc_tls_config_ciphers(struct nng_tls_config *cfg, const char *suites)
{
	struct nng_tls_engine_config *ec;
	struct mpc_tls_settings       next;
	int                           rv;

	memset(&next, 0, sizeof(next));
	if ((rv = list_each(suites, suite_add, &next)) != 0) {
		return (rv == NNG_EINVAL ? NNG_MPC_ETLSCIPHER : rv);
	}
	if ((ec = mpc_tls_cfg_lock(cfg)) == NULL) {
		return (NNG_MPC_ETLSNOTOURS);
	}
	{
		uint8_t sv[MPC_TLS_SUITES_MAX];
		size_t  n = next.nsuites;
		memcpy(sv, next.suites, sizeof(sv));
		next = ec->set;
		memcpy(next.suites, sv, sizeof(sv));
		next.nsuites = n;
	}
	rv = mpc_tls_cfg_rebuild(ec, &next);
	(void) pthread_mutex_unlock(&ec->lk);
	return (rv);
}

static int
group_add(const char *name, size_t len, void *arg)
{
	struct mpc_tls_settings *s = arg;

	for (size_t i = 0; i < sizeof(tls_groups) / sizeof(tls_groups[0]);
	     i++) {
		if (name_eq(name, len, tls_groups[i].name)) {
			for (size_t j = 0; j < s->ngroups; j++) {
				if (s->groups[j] == tls_groups[i].id) {
					return (0);
				}
			}
			s->groups[s->ngroups++] = tls_groups[i].id;
			return (0);
		}
	}
	return (NNG_MPC_ETLSGROUP);
}

int
nng_mpc_tls_config_groups(struct nng_tls_config *cfg, const char *groups)
{
	struct nng_tls_engine_config *ec;
	struct mpc_tls_settings       next;
	int                           rv;

	memset(&next, 0, sizeof(next));
	if ((rv = list_each(groups, group_add, &next)) != 0) {
		return (rv == NNG_EINVAL ? NNG_MPC_ETLSGROUP : rv);
	}
	if ((ec = mpc_tls_cfg_lock(cfg)) == NULL) {
		return (NNG_MPC_ETLSNOTOURS);
	}
	{
		int    gv[MPC_TLS_GROUPS_MAX];
		size_t n = next.ngroups;
		memcpy(gv, next.groups, sizeof(gv));
		next = ec->set;
		memcpy(next.groups, gv, sizeof(gv));
		next.ngroups = n;
	}
	rv = mpc_tls_cfg_rebuild(ec, &next);
	(void) pthread_mutex_unlock(&ec->lk);
	return (rv);
}

int
nng_mpc_tls_config_require_party(struct nng_tls_config *cfg, int on)
{
	struct nng_tls_engine_config *ec;

	if ((ec = mpc_tls_cfg_lock(cfg)) == NULL) {
		return (NNG_MPC_ETLSNOTOURS);
	}
	ec->set.party_required = on != 0;
	(void) pthread_mutex_unlock(&ec->lk);
	return (0);
}

int
mpc_tls_config_own_party(struct nng_tls_config *cfg, uint32_t *id)
{
	struct nng_tls_engine_config *ec;
	struct mpc_tls_leaf           leaf;
	uint8_t *                     der = NULL;
	int                           n, rv;

	if ((ec = mpc_tls_cfg_lock(cfg)) == NULL) {
		return (NNG_MPC_ETLSNOTOURS);
	}
	if (ec->set.cert_pem == NULL || ec->set.cert_len == 0) {
		rv = NNG_MPC_ETLSNOCERT;
		goto out;
	}
	/* DER is shorter than its PEM; the first certificate is the leaf. */
	if (ec->set.cert_len > INT32_MAX ||
	    (der = malloc(ec->set.cert_len)) == NULL) {
		rv = NNG_ENOMEM;
		goto out;
	}
	n = wc_CertPemToDer((const uint8_t *) ec->set.cert_pem,
	    (int) ec->set.cert_len, der, (int) ec->set.cert_len, CERT_TYPE);
	if (n <= 0) {
		rv = NNG_MPC_ETLSBADCERT;
		goto out;
	}
	if ((rv = mpc_tls_leaf_parse(der, (size_t) n, &leaf)) != 0) {
		goto out;
	}
	switch (leaf.party_status) {
	case MPC_TLS_PARTY_OK:
		*id = leaf.party_id;
		rv  = 0;
		break;
	case MPC_TLS_PARTY_ABSENT:
		rv = NNG_MPC_ETLSNOPARTY;
		break;
	default:
		rv = NNG_MPC_ETLSPARTY;
		break;
	}
out:
	(void) pthread_mutex_unlock(&ec->lk);
	free(der); /* a certificate: public */
	return (rv);
}
