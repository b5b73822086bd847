/*
 * mpc_tran.c -- the transport's ops tables and its registration with NNG
 * (src/sp/transport.h).  The pipeline behind them: mpc_tran_ep.h.
 */
#include "mpc_tran.h"
#include "mpc_tran_reload.h"

#include "mpc_tran_admit.h"
#include "mpc_tran_ep.h"
#include "mpc_tran_opts.h"
#include "mpc_tran_pipe.h"
#include "mpc_tran_stream.h"

static const nni_sp_dialer_ops mpc_tran_dialer_ops = {
	.d_init    = mpc_tran_ep_dialer_init,
	.d_fini    = mpc_tran_ep_fini,
	.d_connect = mpc_tran_ep_connect,
	.d_close   = mpc_tran_ep_close,
	.d_getopt  = mpc_tran_dialer_getopt,
	.d_setopt  = mpc_tran_dialer_setopt,
};

static const nni_sp_listener_ops mpc_tran_listener_ops = {
	.l_init   = mpc_tran_ep_listener_init,
	.l_fini   = mpc_tran_ep_fini,
	.l_bind   = mpc_tran_ep_bind,
	.l_accept = mpc_tran_ep_accept,
	.l_close  = mpc_tran_ep_close,
	.l_getopt = mpc_tran_listener_getopt,
	.l_setopt = mpc_tran_listener_setopt,
};

static const nni_sp_pipe_ops mpc_tran_pipe_ops = {
	.p_init   = mpc_tran_pipe_init,
	.p_fini   = mpc_tran_pipe_fini,
	.p_stop   = mpc_tran_pipe_stop,
	.p_send   = mpc_tran_send,
	.p_recv   = mpc_tran_recv,
	.p_close  = mpc_tran_pipe_close,
	.p_peer   = mpc_tran_pipe_peer,
	.p_getopt = mpc_tran_pipe_getopt,
};

static void
mpc_tran_init(void)
{
	mpc_tran_registry_init();
	mpc_tran_reload_sys_init();
	mpc_tran_stream_sys_init();
}

static void
mpc_tran_fini(void)
{
	mpc_tran_stream_sys_fini();
	mpc_tran_reload_sys_fini();
	mpc_tran_registry_fini();
}

static void
mpc_tran_noop(void)
{
}

/* Not const: NNG links registered transports through tran_link.  The
 * party registry is initialised once, by the first scheme registered. */
static nni_sp_tran mpc_tran_tcp = {
	.tran_scheme   = "mpc+tcp",
	.tran_dialer   = &mpc_tran_dialer_ops,
	.tran_listener = &mpc_tran_listener_ops,
	.tran_pipe     = &mpc_tran_pipe_ops,
	.tran_init     = mpc_tran_init,
	.tran_fini     = mpc_tran_fini,
};

static nni_sp_tran mpc_tran_tls = {
	.tran_scheme   = "mpc+tls+tcp",
	.tran_dialer   = &mpc_tran_dialer_ops,
	.tran_listener = &mpc_tran_listener_ops,
	.tran_pipe     = &mpc_tran_pipe_ops,
	.tran_init     = mpc_tran_noop,
	.tran_fini     = mpc_tran_noop,
};

static nni_sp_tran mpc_tran_ipc = {
	.tran_scheme   = "mpc+ipc",
	.tran_dialer   = &mpc_tran_dialer_ops,
	.tran_listener = &mpc_tran_listener_ops,
	.tran_pipe     = &mpc_tran_pipe_ops,
	.tran_init     = mpc_tran_noop,
	.tran_fini     = mpc_tran_noop,
};

int
mpc_tran_register(void)
{
	int rv;

	/* NNG must be initialised before a transport can register; after
	 * nng_fini() the list is empty again and this registers anew. */
	if ((rv = nni_init()) != 0) {
		return (rv);
	}
	nni_sp_tran_register(&mpc_tran_tcp);
	nni_sp_tran_register(&mpc_tran_tls);
	nni_sp_tran_register(&mpc_tran_ipc);
	return (0);
}
