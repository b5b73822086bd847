/*
 * hostile.h -- a hostile peer for the transport tests: a plain socket that
 * drives a real MPC handshake with the project's own handshake code
 * (transport/mpc_tran_hello.c, as the dialer, party 2, bus0), then writes
 * frames it builds itself -- valid, forged or damaged -- byte by byte.
 */
#ifndef NNG_MPC_TEST_TRAN_HOSTILE_H
#define NNG_MPC_TEST_TRAN_HOSTILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpc_channel.h"
#include "mpc_frame.h"
#include "mpc_tran_hello.h"

typedef struct hostile {
	int       fd;
	uint32_t  self;
	uint32_t  peer;
	mpc_chan *chan;
	uint8_t   binding[NNG_MPC_SESSION_BINDING_SIZE];
	/* The last frame written, as sent (for replays). */
	uint8_t *last;
	size_t   last_len;
} hostile;

/* Offer delivery streams in the hello (NNG_OPT_MPC_RELIABLE's
 * capability); false unless a test sets it. */
extern bool hostile_reliable;

/* Connects to url and completes the handshake as party self with
 * protocol proto (SP id); asserts success. */
void hostile_connect(hostile *h, const char *url, uint32_t self,
    uint16_t proto);

/* A sealed frame: header fields from hdr (sender, recipient, type,
 * session taken from it as given; epoch, sequence, length filled in), the
 * payload, and the tag.  Returns a malloc'd buffer of *len bytes. */
uint8_t *hostile_frame(hostile *h, const mpc_frame_hdr *hdr,
    const void *payload, size_t plen, size_t *len);

/* A header with our defaults: from us to the peer, APP_DEFAULT, our
 * session binding. */
mpc_frame_hdr hostile_hdr(const hostile *h);

/* Writes buf and remembers it as the last frame (takes ownership). */
void hostile_write(hostile *h, uint8_t *buf, size_t len);

/* Writes the last frame again, byte for byte. */
void hostile_replay(hostile *h);

void hostile_close(hostile *h);

#endif /* NNG_MPC_TEST_TRAN_HOSTILE_H */
