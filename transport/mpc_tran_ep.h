/*
 * mpc_tran_ep.h -- an mpc+* dialer or listener: the start of the
 * connection pipeline and the owner of every stage's objects.
 *
 *   accept / dial ──► admit ──► negotiate ──► register ──► pipe ──► socket
 *   (stream)          caps      mpc_tran_     party        data     NNG's
 *                     (admit)   nego          (admit)      buffers  accept
 *
 * Each arrow hands an owned object on and never looks back: a connection
 * refused by admission is closed before any byte is read (and, over TLS,
 * before any TLS work); a negotiation owns only its small handshake state
 * and reports a result or a reason; a pipe is made only from confirmed
 * keys.  Every refusal moves one row of the reason table
 * (mpc_tran_reason.h) and is reported to the observer (mpc_tran_event.h).
 *
 * Locking: ep->mtx guards the endpoint, its lists, the user aio and every
 * negotiation it owns (their callbacks run under it).  Taken before a
 * pipe's mutexes and the party registry's lock.
 */
#ifndef NNG_MPC_TRANSPORT_MPC_TRAN_EP_H
#define NNG_MPC_TRANSPORT_MPC_TRAN_EP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/nng_impl.h"
#include "sp/transport.h"

#include <nng/supplemental/tls/tls.h>

#include "nng_mpc.h"

#include "mpc_tran_admit.h"
#include "mpc_tran_cfg.h"
#include "mpc_tran_event.h"
#include "mpc_tran_limit.h"
#include "mpc_tran_nego.h"
#include "mpc_tran_pipe.h"
#include "mpc_tran_reason.h"

/* Which stream the scheme runs over; decides identity and binding rules. */
typedef enum mpc_tran_kind {
	MPC_TRAN_TCP,
	MPC_TRAN_TLS,
	MPC_TRAN_IPC,
} mpc_tran_kind;

typedef struct mpc_tran_ep {
	nni_mtx              mtx;
	mpc_tran_kind        kind;
	bool                 is_dialer;
	uint16_t             proto;
	uint32_t             sock_id;
	size_t               rcvmax;
	bool                 started;
	bool                 closed;
	bool                 fini;
	int                  refcnt; /* negotiations and pipes alive */
	nni_url *            url;    /* the mpc+* URL (owned by the core: only
	                                while NNG has the endpoint) */
	char *               urlstr; /* our copy, for what outlives that:
	                                events of negotiations and pipes */
	nni_url *            inner;  /* tcp:// tls+tcp:// ipc:// (ours) */
	nni_list             negos;  /* negotiating */
	nni_list             waitpipes; /* made, waiting for NNG's accept */
	nni_list             busypipes; /* handed to the socket */
	nni_reap_node        reap;
	nng_stream_dialer *  dialer;
	nng_stream_listener *listener;
	nng_tls_config *     tls_src; /* TLS settings' source (held) */
	nni_aio *            useraio;
	nni_aio *            connaio;
	nni_aio *            timeaio;
	mpc_tran_cfg         cfg; /* MPC options (session key wiped at fini) */
	mpc_tran_admit       admit;
	mpc_tran_limits      lim; /* the pipe filter's settings */
	uint32_t             reject_limit; /* NNG_OPT_MPC_REJECT_LIMIT */
	void *               sink; /* the observer's sink, held, or NULL */
	char                 config[320]; /* the last configuration reported */
	struct mpc_hist *    hist_hs;    /* handshake durations, or NULL */
	struct mpc_hist *    hist_delay; /* delivery delays, or NULL */
	mpc_tran_ep_stats    stats;
	bool                 streams; /* holds the socket's delivery streams */
	bool                 settled; /* has dialed or listened (settle ran) */
	/* A reload cancelled the pending inner accept, whose TLS connection
	 * was made with the old configuration: accept again. */
	bool                 reaccept;
	bool                 redial; /* the same for a dialer's pending dial */
	nni_list_node        reload_node; /* on mpc_tran_reload.c's list */
} mpc_tran_ep;

/* The ops (mpc_tran.c puts them in its tables). */
int  mpc_tran_ep_dialer_init(void **dp, nni_url *url, nni_dialer *nd);
int  mpc_tran_ep_listener_init(void **lp, nni_url *url, nni_listener *nl);
void mpc_tran_ep_fini(void *arg);
void mpc_tran_ep_close(void *arg);
void mpc_tran_ep_connect(void *arg, nni_aio *aio);
int  mpc_tran_ep_bind(void *arg);
void mpc_tran_ep_accept(void *arg, nni_aio *aio);

/* Replaces the endpoint's observer sink (NULL: none), holding the new
 * one.  Locked; returns the old one, which the caller releases with
 * mpc_tran_ep_rele_sink() once unlocked (the last release may close a
 * log: never under the endpoint's lock). */
void *mpc_tran_ep_set_sink(mpc_tran_ep *ep, void *sink);
void  mpc_tran_ep_rele_sink(void *sink);

#endif /* NNG_MPC_TRANSPORT_MPC_TRAN_EP_H */
