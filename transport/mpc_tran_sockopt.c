/*
 * mpc_tran_sockopt.c -- nng_mpc_socket_set(): MPC options on a socket
 * before it has any dialer or listener.
 *
 * Why: NNG 1.5.2's nni_sock_setopt() (src/core/socket.c) hands an option it
 * does not know to the socket's current dialers and listeners, and keeps it
 * for future ones only if one of them accepted it; with no endpoint yet it
 * returns NNG_ENOTSUP and keeps nothing.  So nng_socket_set() of an MPC
 * option fails before the first nng_dial()/nng_listen().  This function
 * creates a placeholder dialer (never started: no connection, no I/O),
 * sets the option through the socket -- the placeholder validates and
 * accepts it, so NNG keeps it -- and closes the placeholder.  Every dialer
 * and listener created afterwards receives the option from NNG as usual.
 *
 * The placeholder is an mpc+tls+tcp:// dialer because every MPC option,
 * the TLS-only ones included, is valid there.  Public NNG API only.
 *
 * Threading: as nng_socket_set(); concurrent calls on one socket each use
 * their own placeholder.
 */
#include <nng/nng.h>

#include "nng_mpc.h"

#define MPC_TRAN_PLACEHOLDER_URL "mpc+tls+tcp://127.0.0.1:1"

int
nng_mpc_socket_set(
    nng_socket s, const char *name, const void *val, size_t sz)
{
	nng_dialer d;
	int        rv;

	if ((name == NULL) || ((val == NULL) && (sz != 0))) {
		return (NNG_EINVAL);
	}
	if ((rv = nng_dialer_create(&d, s, MPC_TRAN_PLACEHOLDER_URL)) != 0) {
		return (rv);
	}
	rv = nng_socket_set(s, name, val, sz);
	(void) nng_dialer_close(d);
	return (rv);
}
