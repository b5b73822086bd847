/*
 * ports.c -- free TCP ports below the ephemeral range (ports.h).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ports.h"

/* Ports are drawn from [NNGMPC_PORTS_LOW, the ephemeral range's start). */
#define NNGMPC_PORTS_LOW   10000u
#define NNGMPC_PORTS_TRIES 1000

/* The first port the kernel may pick for itself (Linux's default when the
 * setting cannot be read). */
static unsigned
nngmpc_ports_ephemeral_low(void)
{
	FILE *   f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
	unsigned lo = 32768, hi = 60999;

	if (f != NULL) {
		if (fscanf(f, "%u %u", &lo, &hi) != 2) {
			lo = 32768;
		}
		(void) fclose(f);
	}
	return (lo);
}

static bool
nngmpc_port_free(unsigned port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
		.sin_port = htons((uint16_t) port),
		.sin_addr = { htonl(INADDR_LOOPBACK) } };
	int  fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok;

	if (fd < 0) {
		return (false);
	}
	ok = bind(fd, (struct sockaddr *) &sa, sizeof(sa)) == 0;
	(void) close(fd);
	return (ok);
}

bool
nngmpc_free_ports(uint32_t n, bool pairs, uint16_t *ports)
{
	unsigned hi = nngmpc_ports_ephemeral_low();
	uint32_t got = 0;

	if ((hi <= NNGMPC_PORTS_LOW + 2) || (hi > 65535)) {
		hi = 32768;
	}
	for (int t = 0; (t < NNGMPC_PORTS_TRIES) && (got < n); t++) {
		uint32_t r;
		unsigned port;
		bool     dup = false;

		if (getrandom(&r, sizeof(r), 0) != (ssize_t) sizeof(r)) {
			return (false);
		}
		port = NNGMPC_PORTS_LOW + r % (hi - 1 - NNGMPC_PORTS_LOW);
		for (uint32_t i = 0; i < got; i++) {
			dup |= (ports[i] == port) ||
			    (pairs && ((ports[i] + 1u == port) ||
			                  (port + 1u == ports[i])));
		}
		if (dup || !nngmpc_port_free(port) ||
		    (pairs && !nngmpc_port_free(port + 1))) {
			continue;
		}
		ports[got++] = (uint16_t) port;
	}
	return (got == n);
}
