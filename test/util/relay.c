/*
 * relay.c -- relay_start for the tests (relay.h): tcp_relay_start, failing
 * the test when the relay cannot start.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "relay.h"

struct tcp_relay *
relay_start(const char *host, uint16_t port, uint16_t *portp)
{
	struct tcp_relay *r = NULL;

	assert_int_equal(tcp_relay_start(host, port, portp, &r), 0);
	return (r);
}
