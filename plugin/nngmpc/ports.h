/*
 * ports.h -- free TCP ports on 127.0.0.1 for the nodes `nngmpc demo`
 * starts and for the tests that run real programs.
 *
 * Why not port 0's pick: the kernel takes it from the ephemeral range
 * (/proc/sys/net/ipv4/ip_local_port_range), the same range every outgoing
 * connection's source port comes from, so between choosing a port and the
 * node listening on it, any connection on the machine may take it
 * ("Address in use").  These ports come from below that range, where the
 * kernel never picks, chosen at random and checked free.
 *
 * Threading: any thread; no state.
 */
#ifndef NNGMPC_PORTS_H
#define NNGMPC_PORTS_H

#include <stdbool.h>
#include <stdint.h>

/* n distinct ports, each free when checked (and, with pairs, its
 * successor too: rosters number ports from a base).  false when no such
 * ports were found. */
bool nngmpc_free_ports(uint32_t n, bool pairs, uint16_t *ports);

#endif /* NNGMPC_PORTS_H */
