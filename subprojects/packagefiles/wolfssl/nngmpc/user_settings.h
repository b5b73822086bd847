/*
 * nng-mpc: the pinned wolfSSL 5.5.4 configuration.
 *
 * wolfSSL is built by meson from this file (WOLFSSL_USER_SETTINGS) instead of
 * autotools, so the configuration is one reviewed list, sanitizer flags reach
 * wolfSSL like every other target, and rebuilds are incremental.  The list is
 * the minimum the project uses; it was derived from what
 *   ./configure --enable-aesni --enable-intelasm --enable-tls13 --enable-hkdf
 *     --enable-curve25519 --enable-sp --enable-sp-asm --enable-crl
 *     --enable-keying-material --enable-certgen --disable-rsa --disable-dh ...
 * writes into options.h, then trimmed.  Adding a feature here is a design
 * change: say why next to it.
 */
#ifndef NNGMPC_WOLFSSL_USER_SETTINGS_H
#define NNGMPC_WOLFSSL_USER_SETTINGS_H

/* --- platform ------------------------------------------------------------ */
/* WOLFSSL_X86_64_BUILD is on the command line (meson.build): aes_asm.S
 * does not read this file. */
/* Also here, not only on wolfSSL's command line: it sizes mp_int (and so
 * ecc_key, 4200 vs 680 bytes), so every file including wolfSSL headers
 * must see it or structs differ from the library's (stack smashing). */
#if defined(__x86_64__) && !defined(WOLFSSL_X86_64_BUILD)
#define WOLFSSL_X86_64_BUILD 1
#endif
#define HAVE_THREAD_LS
/* XGMTIME is gmtime_r, not gmtime (wolfssl/wolfcrypt/wc_port.h): certificate
 * date checks (asn.c wc_ValidateDate) run in concurrent handshakes on NNG's
 * task threads, and gmtime's one static struct tm let one handshake read
 * another's time (ThreadSanitizer).  wolfSSL's own configure/CMake detect
 * this; a user_settings.h build must say it. */
#define HAVE_GMTIME_R
#define HAVE___UINT128_T 1
#define WOLFSSL_USE_ALIGN
#define NO_DO178
#define WC_NO_ASYNC_THREADING
#define ERROR_QUEUE_PER_THREAD
#define HAVE_WC_INTROSPECTION /* wc_GetBuildInfo(): lets tests check this list */

/* --- speed: AES-NI, PCLMUL and the AVX1/AVX2 assembly (selected at run time
 * by cpuid).  Debian's libwolfssl has none of these: 137 MB/s AES-GCM against
 * 4.77 GB/s on the same CPU. ------------------------------------------------ */
#define WOLFSSL_AESNI
#define USE_INTEL_SPEEDUP
#define GCM_TABLE_4BIT
#define WOLFSSL_SP_X86_64
#define WOLFSSL_SP_X86_64_ASM
#define WOLFSSL_SP_ASM
#define WOLFSSL_SP_MATH_ALL
#define WOLFSSL_HAVE_SP_ECC
#define WOLFSSL_SP_384
#define WOLFSSL_SP_LARGE_CODE

/* --- hardening ------------------------------------------------------------ */
#define TFM_TIMING_RESISTANT
#define ECC_TIMING_RESISTANT
#define HAVE_HASHDRBG

/* --- algorithms ----------------------------------------------------------- */
#define HAVE_AESGCM
#define HAVE_CHACHA
#define HAVE_POLY1305
#define WOLFSSL_SHA224
#define WOLFSSL_SHA384
#define WOLFSSL_SHA512
#define HAVE_HKDF
#define HAVE_ECC
#define HAVE_ECC384          /* P-384 CA certificates are common            */
#define TFM_ECC256
#define ECC_SHAMIR
#define HAVE_CURVE25519
#define WOLFSSL_BASE64_ENCODE /* PEM output of generated certificates      */

/* --- off: legacy and unused ---------------------------------------------- */
#define NO_RSA
#define NO_DH
#define NO_DSA
#define NO_MD4
#define NO_MD5
#define NO_SHA               /* SHA-1: no TLS 1.3 suite or P-256 cert needs it */
#define NO_DES3
#define NO_RC4
#define NO_PSK
#define NO_OLD_TLS           /* TLS 1.0/1.1 */
#define WOLFSSL_NO_SHAKE128
#define WOLFSSL_NO_SHAKE256

/* --- TLS ------------------------------------------------------------------- */
#define WOLFSSL_TLS13        /* default; TLS 1.2 only when the user asks     */
#define HAVE_TLS_EXTENSIONS
#define HAVE_SUPPORTED_CURVES
#define HAVE_SNI
#define HAVE_ALPN
#define HAVE_EXTENDED_MASTER
#define HAVE_ENCRYPT_THEN_MAC
#define HAVE_SERVER_RENEGOTIATION_INFO
#define HAVE_KEYING_MATERIAL /* RFC 8446 7.5 exporter: channel binding     */
#define HAVE_CRL
#define WOLFSSL_ALT_CERT_CHAINS
/* TLS engine (crypto/mpc_tls_*.c): */
#define WOLFSSL_ALWAYS_VERIFY_CB /* run the verify callback on a good leaf as
                                  * well, where the engine checks the pins and
                                  * the party-ID SAN (mpc_tls_verify.c)      */
#define WOLFSSL_IP_ALT_NAME      /* NNG sets the server name from the URL host,
                                  * often an IP literal: match iPAddress SANs */
#define WOLFSSL_ENCRYPTED_KEYS   /* password-protected PKCS#8 private keys
                                  * (nng_tls_config_own_cert's password)     */
#define LARGE_STATIC_BUFFERS     /* record-sized I/O buffers inside each
                                  * connection (~33 KB): no malloc/free per
                                  * 16 KiB record on the stream path          */

/* --- certificates: generation for `nngmpc certs` ---------------------------- */
#define WOLFSSL_KEY_GEN
#define WOLFSSL_CERT_GEN
#define WOLFSSL_CERT_REQ
#define WOLFSSL_CERT_EXT
#define WOLFSSL_ALT_NAMES    /* certgen: Cert.altNames (party URI, DNS, IP SANs) */

#endif /* NNGMPC_WOLFSSL_USER_SETTINGS_H */
