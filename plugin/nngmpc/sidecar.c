/*
 * sidecar.c -- `nngmpc node --serve URL` (sidecar.h has the envelope,
 * the signals and the threading rule).
 *
 * Status lines go to stdout ("nngmpc node: ..."), one per event that an
 * operator acts on: serving, a party connected or gone, a reload and what
 * it changed, a local message refused (why), the drain.  The transport's
 * connection diagnostics go to stderr (mpc_diag: --log-level).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nng/nng.h>
#include <nng/protocol/pair1/pair.h>
#include <nng/supplemental/util/platform.h>
#include <nng/transport/ipc/ipc.h>

#include "mesh.h"
#include "nng_mpc.h"
#include "nngmpc.h"
#include "node_check.h"
#include "node_send.h"
#include "sidecar.h"
#include "sidecar_drain.h"
#include "sidecar_reload.h"

#define SC_CMD "node"
#define SC_SLICE_MS 200
#define SC_APP_SEND_MS 5000 /* a message waits this long for an app */
/* A message for the mesh waits this long for window room (its party not
 * acknowledging) or for its party's connection, then fails loudly. */
#define SC_MESH_SEND_MS 1000
#define SC_HDR_MAX 32 /* "<u32> <u16> " with room */

/* Lock-free atomics (async-signal-safe, C11 7.17.5): the signal may run
 * on any of NNG's threads while the main loop reads the flags. */
static atomic_int sc_got_term;
static atomic_int sc_got_hup;

static void
sc_on_signal(int sig)
{
	if (sig == SIGHUP) {
		atomic_store(&sc_got_hup, 1);
	} else {
		atomic_store(&sc_got_term, 1);
	}
}

struct sc_pipe {
	nng_pipe pipe;
	uint32_t party;
};

struct sidecar {
	const struct nngmpc_sidecar_opts *o;
	const struct nngmpc_party        *self;
	nng_socket                        mesh;
	nng_socket                        app;
	pthread_mutex_t                   mtx;
	/* Under mtx: the parties allowed (the roster's), the mesh's pipes. */
	uint32_t       allowed[NNGMPC_ROSTER_MAX];
	size_t         nallowed;
	struct sc_pipe pipes[NNGMPC_ROSTER_MAX];
	size_t         npipes;
	/* Set when the drain starts: the application side stops reading. */
	atomic_bool stop;
	/* Set after the drain: the mesh side stops reading, so no receive
	 * waits on the mesh socket while it closes (NNG 1.5.2's timer can
	 * then cancel a receive on bus0's freed queue: a panic seen here). */
	atomic_bool mesh_stop;
	atomic_ulong to_mesh, to_app, refused_local, undelivered;
};

static void
sc_say(const char *fmt, ...)
{
	va_list ap;

	printf("nngmpc node: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static bool
sc_allowed(const struct sidecar *s, uint32_t party)
{
	for (size_t i = 0; i < s->nallowed; i++) {
		if (s->allowed[i] == party) {
			return (true);
		}
	}
	return (false);
}

/* ADD_PRE: a party the roster no longer lists is refused. */
static void
sc_pipe_pre(nng_pipe p, nng_pipe_ev ev, void *arg)
{
	struct sidecar *s  = arg;
	int             id = 0;
	bool            ok;

	(void) ev;
	if (nng_pipe_get_int(p, NNG_OPT_MPC_PEER_PARTY_ID, &id) != 0) {
		(void) nng_pipe_close(p);
		return;
	}
	pthread_mutex_lock(&s->mtx);
	ok = sc_allowed(s, (uint32_t) id);
	pthread_mutex_unlock(&s->mtx);
	if (!ok) {
		(void) nng_pipe_close(p);
	}
}

/* ADD_POST / REM_POST: the pipe table, and a line for each. */
static void
sc_pipe_cb(nng_pipe p, nng_pipe_ev ev, void *arg)
{
	struct sidecar *s  = arg;
	int             id = 0;

	pthread_mutex_lock(&s->mtx);
	if (ev == NNG_PIPE_EV_ADD_POST &&
	    nng_pipe_get_int(p, NNG_OPT_MPC_PEER_PARTY_ID, &id) == 0 &&
	    s->npipes < NNGMPC_ROSTER_MAX) {
		s->pipes[s->npipes].pipe  = p;
		s->pipes[s->npipes].party = (uint32_t) id;
		s->npipes++;
		pthread_mutex_unlock(&s->mtx);
		sc_say("party %d connected", id);
		return;
	}
	for (size_t i = 0; ev == NNG_PIPE_EV_REM_POST && i < s->npipes; i++) {
		if (nng_pipe_id(s->pipes[i].pipe) == nng_pipe_id(p)) {
			id          = (int) s->pipes[i].party;
			s->pipes[i] = s->pipes[--s->npipes];
			pthread_mutex_unlock(&s->mtx);
			sc_say("party %d disconnected (NNG redials it)", id);
			return;
		}
	}
	pthread_mutex_unlock(&s->mtx);
}

/* Whether to (or, for broadcast, anybody) is allowed and connected now:
 * bus0 would drop the message silently otherwise. */
static bool
sc_reachable(struct sidecar *s, uint32_t to, const char **why)
{
	bool known, up = false;

	pthread_mutex_lock(&s->mtx);
	known = (to == NNG_MPC_PARTY_BROADCAST) || sc_allowed(s, to);
	for (size_t i = 0; i < s->npipes; i++) {
		up = up || (to == NNG_MPC_PARTY_BROADCAST) ||
		    (s->pipes[i].party == to);
	}
	pthread_mutex_unlock(&s->mtx);
	if (!known) {
		*why = "the recipient is not a party of the roster";
	} else if (!up) {
		*why = "the recipient is not connected now (the mesh redials "
		       "it; send again later)";
	}
	return (known && up);
}

/* The local application's connection, for the operator (and for tests:
 * messages for the application wait for it). */
static void
sc_app_cb(nng_pipe p, nng_pipe_ev ev, void *arg)
{
	(void) p;
	(void) arg;
	sc_say(ev == NNG_PIPE_EV_ADD_POST ? "local application connected"
	                                  : "local application disconnected");
}

/* Application -> mesh, one message: 1 one handled, 0 none waiting (time
 * out, or none with NNG_FLAG_NONBLOCK), -1 the application side closed. */
static int
sc_from_app(struct sidecar *s, int flags)
{
	nng_msg    *m;
	uint32_t    to;
	uint16_t    type;
	size_t      hdr;
	const char *why = NULL;
	int         rv;

	if ((rv = nng_recvmsg(s->app, &m, flags)) != 0) {
		return ((rv == NNG_ETIMEDOUT) || (rv == NNG_EAGAIN) ? 0 : -1);
	}
	if (!nngmpc_sidecar_parse(nng_msg_body(m), nng_msg_len(m), &to, &type, &hdr,
	        &why) ||
	    (nng_msg_trim(m, hdr) != 0) ||
	    (to == s->self->id && (why = "a message to ourselves") != NULL) ||
	    !sc_reachable(s, to, &why) ||
	    ((rv = nng_mpc_msg_set_recipient(m, to)) != 0) ||
	    ((rv = nng_mpc_msg_set_type(m, type)) != 0)) {
		atomic_fetch_add(&s->refused_local, 1);
		sc_say("local message refused: %s",
		    why != NULL ? why : nng_mpc_strerror(rv));
		nng_msg_free(m);
		return (1);
	}
	/* On the party's delivery stream, or an error: bus0's own send
	 * drops a message its per-pipe queue has no room for, silently. */
	if ((rv = nng_mpc_sendmsg(s->mesh, m, 0)) != 0) {
		atomic_fetch_add(&s->undelivered, 1);
		sc_say("message to party %u not sent: %s", (unsigned) to,
		    nng_mpc_strerror(rv));
		nng_msg_free(m);
		return (1);
	}
	atomic_fetch_add(&s->to_mesh, 1);
	return (1);
}

static void *
sc_app_thread(void *arg)
{
	struct sidecar *s = arg;

	while (!atomic_load(&s->stop)) {
		if (sc_from_app(s, 0) < 0) {
			return (NULL);
		}
	}
	/* Draining: what the application already handed us still goes. */
	while (sc_from_app(s, NNG_FLAG_NONBLOCK) > 0) {
	}
	return (NULL);
}

/* Mesh -> application, until the drain ended (or the mesh closed). */
static void *
sc_mesh_thread(void *arg)
{
	struct sidecar *s = arg;
	nng_msg        *m;
	uint32_t        from;
	uint16_t        type;
	char            hdr[SC_HDR_MAX];
	int             rv, n;

	for (;;) {
		if (atomic_load(&s->mesh_stop)) {
			return (NULL);
		}
		if ((rv = nng_recvmsg(s->mesh, &m, 0)) != 0) {
			if (rv == NNG_ETIMEDOUT) {
				continue;
			}
			return (NULL);
		}
		if (nng_mpc_msg_sender(m, &from) != 0 ||
		    nng_mpc_msg_type(m, &type) != 0) {
			nng_msg_free(m); /* not from an mpc+* pipe */
			continue;
		}
		n = snprintf(hdr, sizeof(hdr), "%u %u ", (unsigned) from,
		    (unsigned) type);
		nng_msg_header_clear(m);
		if (nng_msg_insert(m, hdr, (size_t) n) != 0 ||
		    (rv = nng_sendmsg(s->app, m, 0)) != 0) {
			atomic_fetch_add(&s->undelivered, 1);
			sc_say("message from party %u not delivered: %s",
			    (unsigned) from,
			    rv == NNG_ETIMEDOUT
			        ? "no local application connected"
			        : nng_mpc_strerror(rv));
			nng_msg_free(m);
			continue;
		}
		atomic_fetch_add(&s->to_app, 1);
	}
}

/* The allow-list from a roster (under mtx). */
static void
sc_allow(struct sidecar *s, const struct nngmpc_roster *r)
{
	s->nallowed = 0;
	for (size_t i = 0; i < r->nparties; i++) {
		if (r->parties[i].id != s->o->id) {
			s->allowed[s->nallowed++] = r->parties[i].id;
		}
	}
}

/* SIGHUP: re-read the file and check it as at start-up (if anything is
 * wrong, everything keeps running as it is); parties it no longer lists
 * are cut off; the rest is sidecar_reload.c's: the pipe filter's lines,
 * pins and deny list, the CA and CRLs, our certificate, and what needs a
 * restart. */
static void
sc_reload(struct sidecar *s)
{
	struct nngmpc_roster       *r   = calloc(1, sizeof(*r));
	const struct nngmpc_roster *cur = nngmpc_reload_current(s->o->roster);
	nng_pipe                    cut[NNGMPC_ROSTER_MAX];
	uint32_t                    cut_id[NNGMPC_ROSTER_MAX];
	size_t                      ncut = 0;
	uint32_t                    kept = 0;
	char                        err[1200];

	if (r == NULL) {
		sc_say("reload: out of memory; keeping the current roster");
		return;
	}
	if (!nngmpc_roster_load(s->o->roster_path, r, err, sizeof(err)) ||
	    !nngmpc_reload_check(r, s->o->id, err, sizeof(err))) {
		sc_say("reload failed, keeping everything as it runs: %s", err);
		nngmpc_roster_wipe(r);
		free(r);
		return;
	}
	nngmpc_reload_unapplied(cur, r, s->o->id, sc_say);
	pthread_mutex_lock(&s->mtx);
	sc_allow(s, r);
	for (size_t i = 0; i < s->npipes; i++) {
		if (!sc_allowed(s, s->pipes[i].party)) {
			cut[ncut]    = s->pipes[i].pipe;
			cut_id[ncut] = s->pipes[i].party;
			ncut++;
		}
	}
	pthread_mutex_unlock(&s->mtx);
	/* Outside the lock: closing runs the pipe callbacks. */
	for (size_t i = 0; i < ncut; i++) {
		sc_say("reload: party %u is no longer in the roster: "
		       "connection closed, and refused from now on",
		    (unsigned) cut_id[i]);
		(void) nng_pipe_close(cut[i]);
	}
	if (nngmpc_reload_apply(s->mesh, cur, r, s->o->id, &kept, sc_say) ==
	    0) {
		nngmpc_reload_adopt(r, s->o->id);
		sc_say("reloaded %s: %zu parties allowed, %u connections kept",
		    s->o->roster_path, s->nallowed, (unsigned) kept);
	}
	nngmpc_roster_wipe(r);
	free(r);
}

static int
sc_open_app(struct sidecar *s)
{
	nng_listener l;
	const char  *what = "pair1 socket";
	int          rv;

	if ((rv = nng_pair1_open(&s->app)) != 0 ||
	    (what = NNG_OPT_RECVTIMEO,
	        rv = nng_socket_set_ms(s->app, NNG_OPT_RECVTIMEO,
	            SC_SLICE_MS)) != 0 ||
	    (what = NNG_OPT_SENDTIMEO,
	        rv = nng_socket_set_ms(s->app, NNG_OPT_SENDTIMEO,
	            SC_APP_SEND_MS)) != 0 ||
	    (what = "pipe notifications",
	        rv = nng_pipe_notify(s->app, NNG_PIPE_EV_ADD_POST, sc_app_cb,
	            s)) != 0 ||
	    (rv = nng_pipe_notify(s->app, NNG_PIPE_EV_REM_POST, sc_app_cb,
	         s)) != 0 ||
	    (what = "listener",
	        rv = nng_listener_create(&l, s->app, s->o->serve)) != 0 ||
	    (s->o->serve_mode != 0 &&
	        (what = NNG_OPT_IPC_PERMISSIONS,
	            rv = nng_listener_set_int(l, NNG_OPT_IPC_PERMISSIONS,
	                (int) s->o->serve_mode)) != 0) ||
	    (what = "listen", rv = nng_listener_start(l, 0)) != 0) {
		nngmpc_error(SC_CMD, "--serve %s (%s): %s", s->o->serve, what,
		    nng_mpc_strerror(rv));
		if (rv == NNG_ENOTSUP && s->o->serve_mode != 0) {
			nngmpc_hint("serve-mode applies to ipc:// only");
		}
		return (rv);
	}
	return (0);
}

/* The mesh's setup hook: the pipe filter's settings, as for the rounds,
 * and what nng_mpc_sendmsg needs on the socket (node_send.h). */
static int
sc_limits(nng_socket sock, void *arg, const char **what)
{
	const struct sidecar *s = arg;
	int                   rv;

	if (((s->o->limits != NULL) &&
	        ((rv = nngmpc_node_limits(
	              sock, (void *) s->o->limits, what)) != 0)) ||
	    ((rv = nngmpc_reload_start(sock, s->o->roster, what)) != 0)) {
		return (rv);
	}
	return (nngmpc_node_tx_setup(sock, s->self->id, SC_MESH_SEND_MS, what));
}

int
nngmpc_sidecar_run(const struct nngmpc_sidecar_opts *o)
{
	struct sidecar           *s;
	struct sigaction          sa;
	struct nngmpc_mesh_params mp;
	pthread_t                 app_t, mesh_t;
	nng_mpc_metrics          *metrics = NULL;
	nng_mpc_audit            *audit   = NULL;
	char                      line[1024];
	uint64_t                  left;
	int                       ret, rv;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		nngmpc_error(SC_CMD, "out of memory");
		return (NNGMPC_EXIT_FAIL);
	}
	s->o = o;
	pthread_mutex_init(&s->mtx, NULL);
	if ((ret = nngmpc_node_check(o->roster, o->id, &s->self)) !=
	    NNGMPC_EXIT_OK) {
		goto out;
	}
	ret = NNGMPC_EXIT_FAIL;
	sc_allow(s, o->roster);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sc_on_signal;
	(void) sigemptyset(&sa.sa_mask);
	(void) sigaction(SIGTERM, &sa, NULL);
	(void) sigaction(SIGINT, &sa, NULL);
	(void) sigaction(SIGHUP, &sa, NULL);
	(void) signal(SIGPIPE, SIG_IGN);

	memset(&mp, 0, sizeof(mp));
	mp.roster  = o->roster;
	mp.self    = s->self;
	mp.pipe_cb = sc_pipe_cb;
	mp.pre_cb  = sc_pipe_pre;
	mp.arg     = s;
	mp.setup   = sc_limits;
	mp.recv_ms = SC_SLICE_MS;
	/* What was sent can be drained (sidecar_drain.c). */
	mp.reliable = true;
	if (nngmpc_sidecar_audit_open(&audit) != 0) {
		goto out;
	}
	if (o->metrics_addr != NULL &&
	    (rv = nng_mpc_metrics_start(o->metrics_addr, &metrics)) != 0) {
		nngmpc_error(SC_CMD, "metrics %s: %s", o->metrics_addr,
		    nng_mpc_strerror(rv));
		goto out;
	}
	if (metrics != NULL) {
		sc_say("metrics on http://%s/metrics (port %d)",
		    o->metrics_addr, nng_mpc_metrics_port(metrics));
	}
	if (sc_open_app(s) != 0) {
		goto out;
	}
	if (nngmpc_mesh_open(&s->mesh, &mp) != 0) {
		nng_close(s->app);
		goto out;
	}
	if (pthread_create(&app_t, NULL, sc_app_thread, s) != 0 ||
	    pthread_create(&mesh_t, NULL, sc_mesh_thread, s) != 0) {
		nngmpc_error(SC_CMD, "cannot start the forwarding threads");
		_exit(NNGMPC_EXIT_FAIL);
	}
	sc_say("party %u serving %s (pair1; envelope '<to> <type> "
	       "<payload>'), mesh of %zu parties",
	    (unsigned) o->id, o->serve, o->roster->nparties);
	while (!atomic_load(&sc_got_term)) {
		nng_msleep(50);
		if (atomic_exchange(&sc_got_hup, 0) != 0) {
			sc_reload(s);
		}
	}
	/* Drain: stop taking from the application (what it queued still
	 * goes), wait until the parties acknowledged every message sent, then
	 * close the mesh, and last the audit log (sidecar_drain.c). */
	atomic_store(&s->stop, true);
	(void) pthread_join(app_t, NULL);
	sc_say("stopping: no more local messages taken; %" PRIu64 " messages "
	       "wait for their party's acknowledgement; draining for up to "
	       "%u ms",
	    nngmpc_sidecar_pending(s->mesh), (unsigned) o->drain_ms);
	left = nngmpc_sidecar_drain(
	    s->mesh, o->drain_ms, o->roster, o->id, line, sizeof(line));
	sc_say("%s", line);
	atomic_fetch_add(&s->undelivered, (unsigned long) left);
	atomic_store(&s->mesh_stop, true);
	(void) pthread_join(mesh_t, NULL);
	nng_close(s->mesh);
	nng_close(s->app);
	nng_mpc_metrics_stop(metrics);
	metrics = NULL;
	nngmpc_sidecar_audit_close(audit, line, sizeof(line));
	audit = NULL;
	if (line[0] != '\0') {
		sc_say("%s", line);
	}
	sc_say("stopped: %lu messages to the mesh, %lu to the application, "
	       "%lu local messages refused, %lu undelivered",
	    atomic_load(&s->to_mesh), atomic_load(&s->to_app),
	    atomic_load(&s->refused_local), atomic_load(&s->undelivered));
	ret = NNGMPC_EXIT_OK;
out:
	nng_mpc_metrics_stop(metrics);
	nng_mpc_audit_close(audit);
	nngmpc_reload_forget(); /* its copy of the session key */
	pthread_mutex_destroy(&s->mtx);
	free(s);
	return (ret);
}
