/*
 * mpc_observer.c -- the transport's one observer (transport/
 * mpc_tran_event.h), fanned out: each event goes to the audit log of its
 * endpoint when it has one (sink not NULL) and to diagnostics
 * (mpc_diag.c), which report every endpoint of the process.  Sinks are
 * the audit log's: opening, holding and releasing them is its business.
 *
 * Registration: mpc_observer_register() (plugin/mpc_register.c).
 *
 * Threading: as the parts it calls; it keeps no state.
 */
#include <stddef.h>

#include "mpc_audit.h"
#include "mpc_diag.h"
#include "mpc_tran_event.h"

static void
fan_ev_event(void *sink, const struct mpc_tran_event *ev)
{
	if (ev == NULL) {
		return;
	}
	if (sink != NULL) {
		mpc_audit_observer_ops()->ev_event(sink, ev);
	}
	mpc_diag_event(ev);
}

static void *
fan_ev_open(const char *path, int *rv)
{
	return (mpc_audit_observer_ops()->ev_open(path, rv));
}

static void
fan_ev_hold(void *sink)
{
	mpc_audit_observer_ops()->ev_hold(sink);
}

static void
fan_ev_rele(void *sink)
{
	mpc_audit_observer_ops()->ev_rele(sink);
}

static const struct mpc_tran_observer_ops fan_ops = {
	.ev_open  = fan_ev_open,
	.ev_hold  = fan_ev_hold,
	.ev_rele  = fan_ev_rele,
	.ev_event = fan_ev_event,
};

/* The weak no-op of plugin/mpc_audit_observer.c stands in when the
 * transport has no observer hook. */
int
mpc_observer_register(void)
{
	mpc_tran_observer_set(&fan_ops);
	return (0);
}
