/*
 * relay.h -- a fault-injecting TCP relay for tests.  It listens on
 * 127.0.0.1 (an ephemeral port), and forwards each accepted connection to
 * a target address, both directions, until told to break it:
 *
 *   - relay_reset: every open connection is reset on both sides (close
 *     with SO_LINGER 0: each peer gets a RST, RFC 9293 3.10.7.1 "abort");
 *   - relay_blackhole: stop forwarding (both directions) but keep the
 *     sockets open -- a peer gone silent with its connection up;
 *   - relay_delay: hold each chunk for a while before forwarding it;
 *   - relay_cut: forward at most N more bytes towards the target on each
 *     connection, then reset it -- a connection lost mid-frame.
 * New connections are accepted and forwarded under the current settings.
 *
 * Threading: one accept thread plus one thread per connection (both
 * directions, non-blocking sockets, poll with a short tick so commands take
 * effect at once).  Every function may be called from any thread; a
 * mutex guards the settings and the connection table.  At most
 * RELAY_CONNS_MAX connections are open at a time (more are refused: closed
 * on accept and counted); relay_stop resets them all and joins every
 * thread.  Errors assert (CMocka), as in the other test helpers.
 */
#ifndef NNG_MPC_TEST_RELAY_H
#define NNG_MPC_TEST_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RELAY_CONNS_MAX 64

struct relay;

struct relay_stats {
	uint64_t accepted; /* connections accepted and forwarded */
	uint64_t refused;  /* accepted beyond RELAY_CONNS_MAX, or the target
	                      refused: closed at once */
	uint64_t resets;   /* connections reset by relay_reset or relay_cut */
	uint64_t bytes_up; /* forwarded towards the target */
	uint64_t bytes_down;
	unsigned open; /* connections open now */
};

/* Starts a relay to host:port (numeric IPv4); *portp gets its own port. */
struct relay *relay_start(const char *host, uint16_t port, uint16_t *portp);

/* Resets every open connection; returns once all are closed. */
void relay_reset(struct relay *r);

/* Black-holes (on) or resumes (off) forwarding on every connection. */
void relay_blackhole(struct relay *r, bool on);

/* Holds each chunk read ms milliseconds before forwarding it (0: none). */
void relay_delay(struct relay *r, int ms);

/* Each connection, open or new, forwards at most n more bytes towards
 * the target, then is reset; 0 clears the limit for new connections. */
void relay_cut(struct relay *r, size_t n);

void relay_stats(struct relay *r, struct relay_stats *st);

/* Resets every connection, stops accepting, joins the threads, frees. */
void relay_stop(struct relay *r);

#endif /* NNG_MPC_TEST_RELAY_H */
