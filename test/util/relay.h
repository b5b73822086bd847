/*
 * relay.h -- the tests' names for the fault-injecting TCP relay, which is
 * plugin/nngmpc/tcp_relay.h (its behaviour and threading rule are there):
 * one implementation serves the tests and `nngmpc demo --faults`.  Here
 * only relay_start differs: it fails the test (CMocka) instead of
 * returning an error, as the other test helpers do.
 */
#ifndef NNG_MPC_TEST_RELAY_H
#define NNG_MPC_TEST_RELAY_H

#include <stdint.h>

#include "tcp_relay.h"

/* Plain aliases: struct relay is struct tcp_relay, relay_stats both the
 * counters and the call that reads them, and so on. */
#define relay tcp_relay
#define relay_stats tcp_relay_stats
#define relay_reset tcp_relay_reset
#define relay_blackhole tcp_relay_blackhole
#define relay_delay tcp_relay_delay
#define relay_cut tcp_relay_cut
#define relay_stop tcp_relay_stop
#define RELAY_CONNS_MAX TCP_RELAY_CONNS_MAX

/* Starts a relay to host:port (numeric IPv4); *portp gets its own port. */
struct tcp_relay *relay_start(const char *host, uint16_t port, uint16_t *portp);

#endif /* NNG_MPC_TEST_RELAY_H */
