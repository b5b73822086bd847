/*
 * mpc_tls_register.c -- the engine table NNG sees, its registration, and
 * the engine's counters.
 *
 * Registration order matters (NNG 1.5.2, src/core/init.c and
 * src/supplemental/tls/tls_common.c): NNG initializes itself on first use
 * (nni_init), and that initialization runs nni_tls_sys_init(), which sets
 * the process's engine to NULL.  A registration made before NNG is
 * initialized -- as from the constructor of an LD_PRELOADed module, which
 * runs before main() -- would be silently wiped by the application's first
 * NNG call.  So registration first forces NNG's initialization through a
 * public call that runs nni_init() (nng_tls_engine_name()), then registers.
 * nni_init() runs only once, so the engine then stays until nng_fini();
 * after nng_fini() registration must be repeated.
 *
 * Only NNG's public API is used here and in every engine file, so the
 * engine also links against a libnng.so.1 built with hidden internals.
 *
 * Threading: registration is serialized by reg_lk; counters are relaxed
 * atomics, readable from any thread.
 */
#include <pthread.h>
#include <stdint.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/ssl.h>
#include <wolfssl/version.h>

#include "mpc_tls_engine.h"

/* Not plausible as the distance between NNG's header and ours. */
#define CFG_OFFSET_MAX 4096

#ifdef HAVE_FIPS
#define MPC_TLS_FIPS true
#else
#define MPC_TLS_FIPS false /* this wolfSSL is not the FIPS module */
#endif

static const nng_tls_engine mpc_tls_engine = {
	.version     = NNG_TLS_ENGINE_VERSION,
	.config_ops  = (nng_tls_engine_config_ops *) &mpc_tls_config_ops,
	.conn_ops    = (nng_tls_engine_conn_ops *) &mpc_tls_conn_ops,
	.name        = "wolfSSL " LIBWOLFSSL_VERSION_STRING,
	.description = "wolfSSL " LIBWOLFSSL_VERSION_STRING
	               " (nng-mpc engine: TLS 1.3, AES-NI/AVX, X25519/P-256)",
	.fips_mode   = MPC_TLS_FIPS,
};

atomic_size_t                               mpc_tls_cfg_offset;
_Thread_local struct nng_tls_engine_config *mpc_tls_probe_slot;
_Thread_local bool                          mpc_tls_probing;

static pthread_mutex_t  reg_lk = PTHREAD_MUTEX_INITIALIZER;
static bool             wolf_inited;
static _Atomic uint64_t counters[MPC_TLS_C_COUNT];

void
mpc_tls_count(enum mpc_tls_counter which)
{
	atomic_fetch_add_explicit(&counters[which], 1, memory_order_relaxed);
}

void
nng_mpc_tls_stats_get(nng_mpc_tls_stats *out)
{
	uint64_t v[MPC_TLS_C_COUNT];

	for (int i = 0; i < MPC_TLS_C_COUNT; i++) {
		v[i] = atomic_load_explicit(&counters[i], memory_order_relaxed);
	}
	out->hs_ok           = v[MPC_TLS_C_HS_OK];
	out->hs_failed       = v[MPC_TLS_C_HS_FAILED];
	out->untrusted       = v[MPC_TLS_C_UNTRUSTED];
	out->expired         = v[MPC_TLS_C_EXPIRED];
	out->revoked         = v[MPC_TLS_C_REVOKED];
	out->name_mismatch   = v[MPC_TLS_C_NAME];
	out->no_peer_cert    = v[MPC_TLS_C_NO_CERT];
	out->pin_mismatch    = v[MPC_TLS_C_PIN];
	out->party_malformed = v[MPC_TLS_C_PARTY_MALFORMED];
	out->party_missing   = v[MPC_TLS_C_PARTY_MISSING];
	out->bad_cert        = v[MPC_TLS_C_BAD_CERT];
	out->version         = v[MPC_TLS_C_VERSION];
	out->no_cipher       = v[MPC_TLS_C_NO_CIPHER];
	out->alert_rx        = v[MPC_TLS_C_ALERT_RX];
	out->other           = v[MPC_TLS_C_OTHER];
	out->close_notify_tx = v[MPC_TLS_C_CLOSE_TX];
	out->close_notify_rx = v[MPC_TLS_C_CLOSE_RX];
}

/*
 * Measures where NNG puts our config behind its nng_tls_config: allocate
 * one through NNG (which calls our config init on this thread, where it
 * records its own address) and subtract.  Caller holds reg_lk.
 */
static int
probe_cfg_offset(void)
{
	nng_tls_config *cfg;
	uintptr_t       a;
	uintptr_t       b;
	int             rv;

	mpc_tls_probe_slot = NULL;
	mpc_tls_probing    = true;
	rv                 = nng_tls_config_alloc(&cfg, NNG_TLS_MODE_CLIENT);
	mpc_tls_probing    = false;
	if (rv != 0) {
		return (rv);
	}
	a = (uintptr_t) cfg;
	b = (uintptr_t) mpc_tls_probe_slot;
	nng_tls_config_free(cfg);
	/* NULL slot: another thread registered a different engine between
	 * our registration and this allocation. */
	if (mpc_tls_probe_slot == NULL || b <= a || b - a > CFG_OFFSET_MAX) {
		mpc_tls_probe_slot = NULL;
		return (NNG_MPC_ETLSNOTOURS);
	}
	mpc_tls_probe_slot = NULL;
	atomic_store(&mpc_tls_cfg_offset, (size_t) (b - a));
	return (0);
}

int
mpc_tls_engine_register(void)
{
	int rv = 0;

	(void) pthread_mutex_lock(&reg_lk);
	if (!wolf_inited) {
		if (wolfSSL_Init() != WOLFSSL_SUCCESS) {
			rv = NNG_ENOMEM;
			goto out;
		}
		wolf_inited = true;
	}
	/* Runs nni_init() (which resets NNG's engine) if not yet done. */
	(void) nng_tls_engine_name();
	if ((rv = nng_tls_engine_register(&mpc_tls_engine)) != 0) {
		goto out;
	}
	if (atomic_load(&mpc_tls_cfg_offset) == 0) {
		rv = probe_cfg_offset();
	}
out:
	(void) pthread_mutex_unlock(&reg_lk);
	return (rv);
}
