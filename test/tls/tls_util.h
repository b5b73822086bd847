/*
 * tls_util.h -- helpers shared by the TLS engine tests: certificates made by
 * the openssl CLI at test time, TLS configurations, a stream-level exchange
 * that reports each side's outcome, free loopback ports.  Child processes:
 * plugin/nngmpc/proc.h.
 */
#ifndef TLS_UTIL_H
#define TLS_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nng/nng.h>
#include <nng/supplemental/tls/tls.h>

#include "nng_mpc.h"

/* Directory with mkcerts.sh's output (made once per process, removed at
 * exit); tu_path returns "<dir>/<name>" in a static ring of buffers. */
const char *tu_certdir(void);
const char *tu_path(const char *name);
void        tu_read_pin(const char *name, uint8_t pin[NNG_MPC_TLS_PIN_SIZE]);

/* A config: own = "server.pem" etc. or NULL, ca = "ca.pem" or NULL. */
nng_tls_config *tu_cfg(nng_tls_mode mode, const char *own, const char *ca,
    nng_tls_auth_mode auth, const char *server_name);

/* Outcome of one connection attempt over NNG's tls+tcp:// stream API. */
struct tu_result {
	int    cli_send;  /* client's send of "ping" */
	int    srv_recv;  /* server's receive */
	int    cli_recv;  /* client's receive of the reply */
	size_t srv_got;   /* bytes the server application received */
	size_t cli_got;   /* bytes the client application received */
	nng_stream *srv;  /* kept open when keep is set */
	nng_stream *cli;
};

/* Listens with scfg, dials with ccfg, client sends "ping", server replies
 * "pong" if it received it.  keep: leave both streams open in *r (caller
 * frees with tu_result_free). */
void tu_try(nng_tls_config *scfg, nng_tls_config *ccfg, bool keep,
    struct tu_result *r);
void tu_result_free(struct tu_result *r);

int   tu_free_port(void);
bool  tu_wait_port(int port);

#endif /* TLS_UTIL_H */
