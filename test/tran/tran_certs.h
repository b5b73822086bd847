/*
 * tran_certs.h -- certificates for the mpc+tls+tcp:// tests, made at test
 * time with the project's own generator (crypto/mpc_certgen.h, what
 * `nngmpc certs` uses) in a fresh directory under $TMPDIR: ca.pem and
 * party<id>.pem (certificate and key) for parties 1..n.  One directory per
 * test program; every helper asserts (CMocka).
 *
 * Threading: call tc_make / tc_remove from the test's main thread only;
 * tc_path is safe wherever the directory exists (its result lives for the
 * next seven calls).
 */
#ifndef NNG_MPC_TEST_TRAN_CERTS_H
#define NNG_MPC_TEST_TRAN_CERTS_H

#include <stdint.h>

#include <nng/nng.h>

/* Makes the directory ("nngmpc-<tag>-XXXXXX"), the CA (ca.pem, its key
 * ca.key) and parties 1..n. */
void tc_make(const char *tag, uint32_t n);

/* Another certificate (new key) for party id from the same CA, written
 * to name in the directory. */
void tc_party(uint32_t id, const char *name);

/* A certificate for party id from a CA nobody trusts (made and dropped
 * here), written to name in the directory. */
void tc_rogue(uint32_t id, const char *name);

/* The path of name in the directory. */
const char *tc_path(const char *name);

/* Writes a then b (NULL: nothing) to name in the directory. */
void tc_write(const char *name, const char *a, const char *b);

/* Gives the socket the CA (ca.pem) and, unless cert is NULL, that
 * certificate and key file of the directory.  NNG 1.5.2 validates NNG's
 * own TLS file options at the socket but keeps them only when an endpoint
 * exists to accept them (else NNG_ENOTSUP), so before the first endpoint
 * they go through nng_mpc_socket_set like the MPC options. */
void tc_tls(nng_socket s, const char *cert);

/* Removes the directory and every file in it. */
void tc_remove(void);

#endif /* NNG_MPC_TEST_TRAN_CERTS_H */
