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
 * atomics, readable from any thread.  wolfCrypt's CPU-dependent code-path
 * choices are made once here, under reg_lk, before any pipe exists
 * (pick_cpu_paths()); afterwards every thread only reads them.
 */
#include <pthread.h>
#include <stdint.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/ssl.h>
#include <wolfssl/version.h>
#include <wolfssl/wolfcrypt/aes.h>
#include <wolfssl/wolfcrypt/chacha.h>
#include <wolfssl/wolfcrypt/curve25519.h>
#include <wolfssl/wolfcrypt/poly1305.h>
#include <wolfssl/wolfcrypt/sha256.h>
#include <wolfssl/wolfcrypt/sha512.h>

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

/*
 * wolfCrypt 5.5.4 (USE_INTEL_SPEEDUP) chooses its AES-NI/AVX/BMI2 code
 * paths on first use and records the choice in plain statics with a plain
 * "done" flag: cpuid.c cpuid_set_flags(), sha256.c and sha512.c
 * Sha*_SetTransform(), aes.c checkAESNI, chacha.c cpuidFlagsSet, poly1305.c
 * cpu_flags_set, fe_x25519_asm.S fe_init().  wolfSSL_Init() makes none of
 * these choices, so the first TLS handshakes and session bindings, run
 * concurrently on NNG's task threads, raced on them (ThreadSanitizer); the
 * flag may also become visible before the function pointers it guards.
 * One call into each family here, before NNG can run any of our code on
 * another thread, makes every later use a read.  Caller holds reg_lk.  No
 * secrets: the zero key and IV only select code paths.
 */
static int
pick_cpu_paths(void)
{
	static const byte zero[32] = { 0 };
	byte              out[1];
	wc_Sha256         sha256;
	wc_Sha512         sha512;
	Aes               aes;
	ChaCha            chacha;
	Poly1305          poly;
	curve25519_key    x25519;
	int               rv = NNG_EINTERNAL;

	if (wc_InitSha256(&sha256) != 0) { /* SHA-224 shares its choice */
		return (rv);
	}
	wc_Sha256Free(&sha256);
	if (wc_InitSha512(&sha512) != 0) { /* SHA-384 shares its choice */
		return (rv);
	}
	wc_Sha512Free(&sha512);
	if (wc_AesInit(&aes, NULL, INVALID_DEVID) != 0) {
		return (rv);
	}
	if (wc_AesGcmSetKey(&aes, zero, sizeof(zero)) != 0) {
		goto out;
	}
	/* chacha.c decides in its first Process call with input left over. */
	if (wc_Chacha_SetKey(&chacha, zero, sizeof(zero)) != 0 ||
	    wc_Chacha_SetIV(&chacha, zero, 0) != 0 ||
	    wc_Chacha_Process(&chacha, out, zero, sizeof(out)) != 0) {
		goto out;
	}
	if (wc_Poly1305SetKey(&poly, zero, sizeof(zero)) != 0) {
		goto out;
	}
	if (wc_curve25519_init(&x25519) != 0) { /* runs fe_init() */
		goto out;
	}
	wc_curve25519_free(&x25519);
	rv = 0;
out:
	wc_AesFree(&aes);
	return (rv);
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
		if ((rv = pick_cpu_paths()) != 0) {
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
