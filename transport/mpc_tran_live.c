/*
 * mpc_tran_live.c -- a pipe's liveness (NNG_OPT_MPC_HEARTBEAT,
 * NNG_OPT_MPC_DEAD_AFTER, NNG_OPT_MPC_IDLE_TIMEOUT, NNG_OPT_MPC_MAX_LIFETIME):
 * one timer per pipe that watches the pipe's counters move.
 *
 *   - Nothing sealed for a heartbeat interval, or nothing heard from the
 *     peer for one: send a ping (an authenticated control frame,
 *     mpc_tran_send_ctl) whose token is our clock; the peer answers with
 *     a pong, and mpc_tran_recv.c measures the round trip.  The first
 *     rule keeps the peer hearing from us, the second asks a silent peer
 *     itself (once: the first rule goes on while it stays silent), so our
 *     verdict never rests on the peer's settings.
 *   - The peer is dead when nothing authenticated arrived from it for
 *     dead-after intervals while the receive side was waiting on the
 *     wire, and our first ping since it was last heard has gone
 *     unanswered for a whole interval (a host that stopped, a path that
 *     black-holes, a process stopped with SIGSTOP).  Close the pipe:
 *     NNG_MPC_EDEADPEER; NNG's dialer reconnects.  While the receive side
 *     is not reading (the application is not receiving, or the peer is
 *     throttled) silence says nothing, and the clock restarts.
 *   - No application message either way for the idle timeout: close
 *     (NNG_MPC_EIDLE).  Past the maximum lifetime: close (NNG_MPC_ELIFETIME);
 *     the dialer's reconnection is a fresh handshake with fresh keys.
 *
 * "Heard" and "sealed" count frames of every type (auth_in, sealed_out):
 * a delivery stream's RESUME and ACK, an echo, a heartbeat.  A kind
 * counted on one side only would be a frame that keeps us from pinging
 * while the peer does not count it as hearing from us.
 *
 * Watching counters instead of stamping each frame with the time keeps
 * the data path free of clock reads; the timer sees a change only at its
 * next tick.  It ticks at half the heartbeat interval (or half the idle
 * timeout or lifetime, when shorter), so an idle pipe seals a frame at
 * least every 1.5 intervals, and a verdict comes at most half an interval
 * late: a dead peer is noticed between dead-after and dead-after + 1/2
 * intervals after it was last heard (up to 2.5 with dead-after 1, where
 * the answer to the ping still gets its interval).  A live peer is never
 * declared dead while it answers a ping within an interval.
 *
 * Threading: the timer's state is its callback's own (one callback of an
 * aio runs at a time); it takes rxmtx or txmtx only through the receive
 * and send paths' functions, one at a time.  It closes a pipe through NNG
 * once the protocol started it (mpc_tran_pipe_close_nng), with no lock
 * held.
 */
#include "mpc_tran_pipe.h"

/* Ticks never come faster than this, whatever the settings. */
#define MPC_TRAN_LIVE_TICK_MIN 50 /* ms */

static uint32_t
mpc_tran_live_tick(const mpc_tran_pipe *p)
{
	uint32_t t = UINT32_MAX;

	if (p->hb_ms != 0) {
		t = p->hb_ms / 2; /* see the top */
	}
	if ((p->idle_ms != 0) && (p->idle_ms / 2 < t)) {
		t = p->idle_ms / 2;
	}
	if ((p->lifetime_ms != 0) && (p->lifetime_ms / 2 < t)) {
		t = p->lifetime_ms / 2;
	}
	return (t < MPC_TRAN_LIVE_TICK_MIN ? MPC_TRAN_LIVE_TICK_MIN : t);
}

void
mpc_tran_live_start(mpc_tran_pipe *p)
{
	if ((p->hb_ms == 0) && (p->idle_ms == 0) && (p->lifetime_ms == 0)) {
		return;
	}
	p->rx_at    = p->born_ns;
	p->tx_at    = p->born_ns;
	p->app_at   = p->born_ns;
	p->probe_at = 0;
	nni_sleep_aio((nni_duration) mpc_tran_live_tick(p), p->live);
}

static uint64_t
mpc_tran_live_ctr(mpc_tran_pipe *p, mpc_tran_pipe_ctr c)
{
	return (mpc_tran_stat_get(&p->stats.item[c]));
}

/* Notes which counters moved since the last tick. */
static void
mpc_tran_live_observe(mpc_tran_pipe *p, uint64_t now)
{
	uint64_t in  = mpc_tran_live_ctr(p, MPC_TRAN_P_FRAMES_IN);
	uint64_t out = mpc_tran_live_ctr(p, MPC_TRAN_P_FRAMES_OUT);
	uint64_t rx  = nni_atomic_get64(&p->auth_in);
	uint64_t tx  = nni_atomic_get64(&p->sealed_out);

	if ((rx != p->seen_rx) || !mpc_tran_recv_waiting(p)) {
		p->seen_rx  = rx;
		p->rx_at    = now;
		p->probe_at = 0;
	}
	if (tx != p->seen_tx) {
		p->seen_tx = tx;
		p->tx_at   = now;
	}
	if (in + out != p->seen_app) {
		p->seen_app = in + out;
		p->app_at   = now;
	}
}

/* Why the pipe must close now, or 0. */
static int
mpc_tran_live_verdict(const mpc_tran_pipe *p, uint64_t now)
{
	const uint64_t ms = 1000000u;

	if ((p->lifetime_ms != 0) &&
	    (now - p->born_ns >= (uint64_t) p->lifetime_ms * ms)) {
		return (NNG_MPC_ELIFETIME);
	}
	if ((p->idle_ms != 0) &&
	    (now - p->app_at >= (uint64_t) p->idle_ms * ms)) {
		return (NNG_MPC_EIDLE);
	}
	if ((p->hb_ms != 0) && (p->probe_at != 0) &&
	    (now - p->rx_at >=
	        (uint64_t) p->hb_ms * (uint64_t) p->dead_after * ms) &&
	    (now - p->probe_at >= (uint64_t) p->hb_ms * ms)) {
		return (NNG_MPC_EDEADPEER);
	}
	return (0);
}

static void
mpc_tran_live_close(mpc_tran_pipe *p, int rv)
{
	mpc_tran_pipe_ctr c = mpc_tran_pipe_ctr_of(rv);

	if (c != MPC_TRAN_P_COUNT) {
		mpc_tran_pipe_count(&p->stats, c, 1);
	}
	mpc_tran_recv_set_reason(p, rv);
	mpc_tran_hold_bump_error(&p->hold, rv);
	mpc_tran_pipe_close_nng(p);
}

void
mpc_tran_live_cb(void *arg)
{
	mpc_tran_pipe *p  = arg;
	const uint64_t hb = (uint64_t) p->hb_ms * 1000000u;
	uint64_t       now;
	int            rv;

	if (nni_aio_result(p->live) != 0) {
		return; /* closed */
	}
	now = mpc_tran_now_ns();
	mpc_tran_live_observe(p, now);
	if ((rv = mpc_tran_live_verdict(p, now)) != 0) {
		mpc_tran_live_close(p, rv);
		return;
	}
	if ((p->hb_ms != 0) &&
	    ((now - p->tx_at >= hb) ||
	        ((p->probe_at == 0) && (now - p->rx_at >= hb)))) {
		/* The token is our clock: the pong brings it back. */
		mpc_tran_send_ctl(p, NNG_MPC_MSG_CTL_PING, now);
		p->tx_at   = now;
		p->seen_tx = nni_atomic_get64(&p->sealed_out);
		if (p->probe_at == 0) {
			/* Also when the send path had no room for it (both
			 * buffers full behind a write the peer does not
			 * drain): a black hole must still be noticed. */
			p->probe_at = now;
		}
	}
	nni_sleep_aio((nni_duration) mpc_tran_live_tick(p), p->live);
}
