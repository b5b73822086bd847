/*
 * mpc_tran_pipe_ev.c -- what a live pipe reports to the observer
 * (mpc_tran_event.h): key epochs that changed, and rejected frames,
 * aggregated so a hostile peer cannot turn its frames into log lines.
 *
 * Threading: called from the send path (txmtx) or the receive path
 * (rxmtx); the fields each uses belong to that side.  The observer does
 * not block.
 */
#include <stdio.h>
#include <string.h>

#include "mpc_tran_event.h"
#include "mpc_tran_pipe.h"

/* One report per pipe per second, at most, for rejected frames. */
#define MPC_TRAN_REJECTS_EVERY_NS 1000000000u

void
mpc_tran_pipe_ev_counts(mpc_tran_pipe *p, struct mpc_tran_event_counts *c)
{
	nni_stat_item *it = p->stats.item;

	c->frames_in     = mpc_tran_stat_get(&it[MPC_TRAN_P_FRAMES_IN]);
	c->frames_out    = mpc_tran_stat_get(&it[MPC_TRAN_P_FRAMES_OUT]);
	c->bytes_in      = mpc_tran_stat_get(&it[MPC_TRAN_P_BYTES_IN]);
	c->bytes_out     = mpc_tran_stat_get(&it[MPC_TRAN_P_BYTES_OUT]);
	c->rejected      = mpc_tran_stat_get(&it[MPC_TRAN_P_FRAMES_REJECTED]);
	c->auth_failures = mpc_tran_stat_get(&it[MPC_TRAN_P_AUTH_FAIL]);
	c->replays       = mpc_tran_stat_get(&it[MPC_TRAN_P_REPLAY]);
}

static void
mpc_tran_pipe_ev_init(mpc_tran_pipe *p, struct mpc_tran_event *ev,
    mpc_tran_event_kind kind)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind                 = kind;
	ev->url                  = p->url != NULL ? p->url : "";
	ev->dialer               = p->dialer;
	ev->self                 = p->peer.self_id;
	ev->party                = p->peer.peer_id;
	ev->remote               = p->peer.remote;
	ev->binding              = p->peer.binding;
	ev->subject              = p->peer.tls ? p->peer.tlsp.subject : "";
	ev->pin                  = p->peer.tls ? p->peer.tlsp.pin : NULL;
	ev->tls_version          = p->peer.tls ? p->peer.tlsp.version : "";
	ev->tls_cipher           = p->peer.tls ? p->peer.tlsp.cipher : "";
	ev->detail               = "";
	mpc_tran_pipe_ev_counts(p, &ev->counts);
}

void
mpc_tran_pipe_ev_rekey(mpc_tran_pipe *p, bool recv, uint64_t epoch)
{
	const struct mpc_tran_observer_ops *ops = mpc_tran_observer_get();
	struct mpc_tran_event               ev;

	if (ops == NULL) {
		return;
	}
	mpc_tran_pipe_ev_init(p, &ev, MPC_TRAN_EV_REKEY);
	ev.epoch  = epoch;
	ev.detail = recv ? "direction=recv" : "direction=send";
	ops->ev_event(p->sink, &ev);
}

void
mpc_tran_pipe_ev_rejects(mpc_tran_pipe *p, int reason)
{
	const struct mpc_tran_observer_ops *ops = mpc_tran_observer_get();
	struct mpc_tran_event               ev;
	uint64_t                            now = mpc_tran_now_ns();

	if ((ops == NULL) || ((p->rej_reported_ns != 0) &&
	                         (now - p->rej_reported_ns <
	                             MPC_TRAN_REJECTS_EVERY_NS))) {
		return;
	}
	p->rej_reported_ns = now;
	mpc_tran_pipe_ev_init(p, &ev, MPC_TRAN_EV_REJECTS);
	ev.reason = reason; /* the latest; counts say how many of each */
	ops->ev_event(p->sink, &ev);
}

void
mpc_tran_pipe_ev_equivocation(mpc_tran_pipe *p, const char *detail)
{
	const struct mpc_tran_observer_ops *ops = mpc_tran_observer_get();
	struct mpc_tran_event               ev;

	if (ops == NULL) {
		return;
	}
	/* Not aggregated: one per equivocated broadcast, on the pipe of the
	 * party that equivocated (mpc_tran_echo.c). */
	mpc_tran_pipe_ev_init(p, &ev, MPC_TRAN_EV_REJECTS);
	ev.reason = NNG_MPC_EEQUIVOCATION;
	ev.detail = detail;
	ops->ev_event(p->sink, &ev);
}
