/*
 * relay.h -- a TCP relay for liveness tests: it forwards connections to
 * an mpc+tcp:// listener, and on request starts black-holing the
 * connections open at that moment (bytes either way are read and
 * dropped, nothing is closed: a path that silently loses everything).
 * Connections made afterwards are forwarded again, so a peer that
 * reconnects gets through.  One thread per connection; test use only.
 */
#ifndef NNG_MPC_TEST_TRAN_RELAY_H
#define NNG_MPC_TEST_TRAN_RELAY_H

#include <stddef.h>

typedef struct relay relay;

/* Starts relaying 127.0.0.1:<new port> to the mpc+tcp:// URL to; writes
 * the relay's mpc+tcp:// URL into url.  Asserts success. */
relay *relay_start(const char *to, char *url, size_t cap);

/* Every connection open now black-holes from here on. */
void relay_blackhole(relay *r);

/* Stops accepting, closes every connection, joins the threads, frees. */
void relay_stop(relay *r);

#endif /* NNG_MPC_TEST_TRAN_RELAY_H */
