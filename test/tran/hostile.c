/*
 * hostile.c -- the hostile peer of the transport tests (hostile.h).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hostile.h"
#include "tran_util.h"

static uint64_t
now_ns(void)
{
	struct timespec ts;

	(void) clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec);
}

bool hostile_reliable;

void
hostile_connect(hostile *h, const char *url, uint32_t self, uint16_t proto)
{
	mpc_tran_cfg cfg;
	mpc_tran_hs  hs;
	uint16_t     peer_proto;
	bool         rejected;

	memset(h, 0, sizeof(*h));
	mpc_tran_cfg_init(&cfg);
	cfg.party_id         = self;
	cfg.have_session_id  = true;
	cfg.have_session_key = true;
	memcpy(cfg.session_id, tu_sid, sizeof(cfg.session_id));
	memcpy(cfg.session_key, tu_key, sizeof(cfg.session_key));
	cfg.reliable = hostile_reliable;
	assert_int_equal(mpc_hs_init(&hs, &cfg, proto, true, false,
	                     NNG_MPC_PAYLOAD_MAX_DEFAULT),
	    0);
	mpc_tran_cfg_wipe(&cfg);

	h->fd   = tu_raw_connect(url);
	h->self = self;
	tu_raw_write(h->fd, hs.tx, sizeof(hs.tx));
	assert_int_equal(tu_raw_read(h->fd, hs.rx, sizeof(hs.rx)), sizeof(hs.rx));
	assert_int_equal(mpc_hs_check_sp(&hs, &peer_proto), 0);
	assert_int_equal(peer_proto, proto);
	assert_int_equal(mpc_hs_check_peer(&hs), 0);
	assert_int_equal(mpc_hs_derive(&hs, now_ns()), 0);
	tu_raw_write(h->fd, hs.tx_fin, sizeof(hs.tx_fin));
	assert_int_equal(
	    tu_raw_read(h->fd, hs.rx_fin, sizeof(hs.rx_fin)), sizeof(hs.rx_fin));
	assert_int_equal(mpc_hs_check_finished(&hs, &rejected), 0);
	h->peer = hs.peer.party_id;
	h->chan = mpc_hs_take_channel(&hs);
	mpc_hs_wipe(&hs);
	assert_int_equal(mpc_frame_session_binding(
	                     h->binding, tu_sid, NNG_MPC_SESSION_ID_SIZE),
	    0);
}

mpc_frame_hdr
hostile_hdr(const hostile *h)
{
	mpc_frame_hdr hdr;

	memset(&hdr, 0, sizeof(hdr));
	hdr.type      = NNG_MPC_MSG_APP_DEFAULT;
	hdr.sender    = h->self;
	hdr.recipient = h->peer;
	memcpy(hdr.session, h->binding, sizeof(hdr.session));
	return (hdr);
}

uint8_t *
hostile_frame(hostile *h, const mpc_frame_hdr *hdr, const void *payload,
    size_t plen, size_t *len)
{
	mpc_frame_hdr f = *hdr;
	uint8_t *     buf;

	*len = NNG_MPC_FRAME_OVERHEAD + plen;
	assert_non_null(buf = malloc(*len));
	f.payload_len  = (uint32_t) plen;
	f.timestamp_ns = 1;
	assert_int_equal(
	    mpc_chan_send_next(h->chan, now_ns(), &f.epoch, &f.sequence), 0);
	assert_int_equal(mpc_frame_encode_header(buf, NNG_MPC_FRAME_HEADER_SIZE,
	                     &f, NNG_MPC_PAYLOAD_MAX),
	    0);
	memcpy(buf + NNG_MPC_FRAME_HEADER_SIZE, payload, plen);
	assert_int_equal(mpc_chan_seal(h->chan, f.epoch, f.sequence, buf,
	                     NNG_MPC_FRAME_HEADER_SIZE,
	                     buf + NNG_MPC_FRAME_HEADER_SIZE, plen,
	                     buf + NNG_MPC_FRAME_HEADER_SIZE + plen),
	    0);
	return (buf);
}

void
hostile_write(hostile *h, uint8_t *buf, size_t len)
{
	tu_raw_write(h->fd, buf, len);
	free(h->last);
	h->last     = buf;
	h->last_len = len;
}

void
hostile_replay(hostile *h)
{
	tu_raw_write(h->fd, h->last, h->last_len);
}

void
hostile_close(hostile *h)
{
	if (h->fd >= 0) {
		(void) close(h->fd);
	}
	free(h->last);
	mpc_chan_free(h->chan);
	memset(h, 0, sizeof(*h));
	h->fd = -1;
}
