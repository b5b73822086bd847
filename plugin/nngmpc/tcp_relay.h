/*
 * tcp_relay.h -- a fault-injecting TCP relay.  It listens on 127.0.0.1
 * (an ephemeral port), and forwards each accepted connection to a target
 * address, both directions, until told to break it:
 *
 *   - tcp_relay_reset: every open connection is reset on both sides (close
 *     with SO_LINGER 0: each peer gets a RST, RFC 9293 3.10.7.1 "abort");
 *   - tcp_relay_blackhole: stop forwarding (both directions) but keep the
 *     sockets open -- a peer gone silent with its connection up;
 *   - tcp_relay_delay: hold each chunk for a while before forwarding it;
 *   - tcp_relay_cut: forward at most N more bytes towards the target on
 *     each connection, then reset it -- a connection lost mid-frame.
 * New connections are accepted and forwarded under the current settings.
 *
 * One implementation serves `nngmpc demo --faults` (demo_faults.c) and the
 * tests of broken connections (test/util/relay.h gives them their names).
 *
 * Threading: one accept thread plus one thread per connection (both
 * directions, non-blocking sockets, poll with a short tick so commands take
 * effect at once).  Every function may be called from any thread; a
 * mutex guards the settings and the connection table.  At most
 * TCP_RELAY_CONNS_MAX connections are open at a time (more are refused:
 * closed on accept and counted); tcp_relay_stop resets them all and joins
 * every thread.
 */
#ifndef NNGMPC_TCP_RELAY_H
#define NNGMPC_TCP_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TCP_RELAY_CONNS_MAX 64

struct tcp_relay;

struct tcp_relay_stats {
	uint64_t accepted; /* connections accepted and forwarded */
	uint64_t refused;  /* accepted beyond TCP_RELAY_CONNS_MAX, or the
	                      target refused: closed at once */
	uint64_t resets;   /* connections reset by tcp_relay_reset or _cut */
	uint64_t bytes_up; /* forwarded towards the target */
	uint64_t bytes_down;
	unsigned open; /* connections open now */
};

/* Starts a relay to host:port (numeric IPv4); *portp gets its own port.
 * Returns 0 or an errno value (then *rp is NULL and nothing is left). */
int tcp_relay_start(const char *host, uint16_t port, uint16_t *portp,
    struct tcp_relay **rp) __attribute__((warn_unused_result));

/* Resets every open connection; returns once all are closed. */
void tcp_relay_reset(struct tcp_relay *r);

/* Black-holes (on) or resumes (off) forwarding on every connection. */
void tcp_relay_blackhole(struct tcp_relay *r, bool on);

/* Holds each chunk read ms milliseconds before forwarding it (0: none). */
void tcp_relay_delay(struct tcp_relay *r, int ms);

/* Each connection, open or new, forwards at most n more bytes towards
 * the target, then is reset; 0 clears the limit (a cut not reached yet on
 * an open connection is called off). */
void tcp_relay_cut(struct tcp_relay *r, size_t n);

void tcp_relay_stats(struct tcp_relay *r, struct tcp_relay_stats *st);

/* Resets every connection, stops accepting, joins the threads, frees.
 * NULL is a no-op. */
void tcp_relay_stop(struct tcp_relay *r);

#endif /* NNGMPC_TCP_RELAY_H */
