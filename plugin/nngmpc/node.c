/*
 * One party: connect to the roster, run the rounds, check every message.
 * See node.h for the protocol and the threading rule.
 *
 * Report lines (one per line, flushed, for `nngmpc demo`):
 *   connected <ms>
 *   round <index> <name> <latency_us> <msgs_out> <bytes_out> <msgs_in> <bytes_in>
 *   peer <id> <frames_in> <frames_out> <bytes_in> <bytes_out> <auth_failures> <replays>
 *   delivery <reconnects> <duplicates>   (with delivery streams)
 *   result ok
 *   result fail <reason>
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nng/nng.h>
#include <nng/protocol/bus0/bus.h>
#include <nng/supplemental/tls/tls.h>
#include <nng/supplemental/util/platform.h>
#include <nng_mpc.h>

#include "files.h"
#include "nngmpc.h"
#include "node.h"
#include "node_check.h"
#include "mesh.h"
#include "node_send.h"
#include "rounds.h"

#define NODE_CMD "node"
#define NODE_RECV_SLICE_MS 200
#define NODE_MAX_ROUNDS 16
#define NODE_CLOSE_LIMIT_S 10
/* How long a node with delivery streams stays after its drain (why: see
 * node_delivery): several times the longest acknowledgement delay. */
#define NODE_ACK_FLUSH_MS 250

/* SIGALRM during nng_close(): say so and leave (async-signal-safe). */
static void
node_close_stuck(int sig)
{
	static const char msg[] = "nngmpc node: error: closing the NNG socket "
	                          "did not finish within 10 s; exiting\n";
	(void) sig;
	(void) write(STDERR_FILENO, msg, sizeof(msg) - 1);
	_exit(NNGMPC_EXIT_FAIL);
}

enum { KIND_BCAST = 0, KIND_P2P = 1 };

struct node_peer {
	uint32_t id;
	nng_pipe pipe;     /* the newest; NNG_PIPE_INITIALIZER before any */
	bool     up;
	bool     seen;     /* had a pipe before: the next one reconnects */
	bool     acked;    /* its closing ACK arrived */
	bool     lost;     /* disconnected after we started */
	bool     got[NODE_MAX_ROUNDS][2];
};

struct node {
	const struct nngmpc_node_opts *o;
	const struct nngmpc_party     *self;
	char                           fail[512];
	nng_socket                     sock;
	pthread_mutex_t                mtx;
	pthread_cond_t                 cv;
	bool                           running; /* rounds started */
	size_t                         npeers;
	size_t                         nup;
	struct node_peer               peers[NNGMPC_ROSTER_MAX];
	uint32_t                       peer_ids[NNGMPC_ROSTER_MAX];
	struct nngmpc_node_tx          tx;
	/* With delivery streams: connections to lower parties (the ones we
	 * dial, so a demo summing every node counts each link once) made
	 * again after the first, and round messages that arrived twice
	 * (discarded; exactly-once delivery means this stays 0). */
	uint64_t                       reconnects;
	uint64_t                       dups;
	/* Per round of the message (which may arrive while we are still in
	 * an earlier round): messages and payload bytes received. */
	size_t   msgs_in[NODE_MAX_ROUNDS];
	uint64_t bytes_in[NODE_MAX_ROUNDS];
	uint64_t flood_out; /* flood messages we sent */
	uint64_t flood_in;  /* and received (discarded) */
};

static uint64_t
now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u);
}

static void
node_fail(struct node *n, const char *fmt, ...)
{
	va_list ap;

	if (n->fail[0] != '\0') {
		return; /* the first cause is the one to report */
	}
	va_start(ap, fmt);
	vsnprintf(n->fail, sizeof(n->fail), fmt, ap);
	va_end(ap);
}

static void
node_say(struct node *n, const char *fmt, ...)
{
	va_list ap;

	if (!n->o->verbose) {
		return;
	}
	printf("[party %u] ", (unsigned) n->self->id);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void
node_report(struct node *n, const char *fmt, ...)
{
	va_list ap;

	if (n->o->report == NULL) {
		return;
	}
	va_start(ap, fmt);
	vfprintf(n->o->report, fmt, ap);
	va_end(ap);
	fputc('\n', n->o->report);
	fflush(n->o->report);
}

static struct node_peer *
node_peer(struct node *n, uint32_t id)
{
	for (size_t i = 0; i < n->npeers; i++) {
		if (n->peers[i].id == id) {
			return (&n->peers[i]);
		}
	}
	return (NULL);
}

/* NNG pipe events: record which party each pipe authenticated as.  A
 * party's newest pipe is its connection: the transport replaces a stale
 * pipe with the new one of the same party, and the old one's removal may
 * come after the new one's arrival, so only the newest one's removal
 * takes the party down. */
static void
node_pipe_cb(nng_pipe p, nng_pipe_ev ev, void *arg)
{
	struct node      *n = arg;
	struct node_peer *peer;
	int               id = 0;

	pthread_mutex_lock(&n->mtx);
	if (ev == NNG_PIPE_EV_ADD_POST) {
		if (nng_pipe_get_int(p, NNG_OPT_MPC_PEER_PARTY_ID, &id) == 0 &&
		    (peer = node_peer(n, (uint32_t) id)) != NULL) {
			if (!peer->up) {
				peer->up = true;
				n->nup++;
			}
			if (peer->seen && (peer->id < n->self->id)) {
				n->reconnects++;
			}
			peer->seen = true;
			peer->pipe = p;
		}
	} else if (ev == NNG_PIPE_EV_REM_POST) {
		for (size_t i = 0; i < n->npeers; i++) {
			peer = &n->peers[i];
			if (peer->up && nng_pipe_id(peer->pipe) == nng_pipe_id(p)) {
				peer->up = false;
				n->nup--;
				/* Delivery streams resume on the next pipe. */
				if (n->running && !n->o->reliable) {
					peer->lost = true;
				}
			}
		}
	}
	pthread_cond_broadcast(&n->cv);
	pthread_mutex_unlock(&n->mtx);
}

/* The pipe filter's settings, on the socket before any endpoint. */
int
nngmpc_node_limits(nng_socket sock, void *arg, const char **what)
{
	const struct nngmpc_node_opts *o = arg;
	nng_duration                   hb = (nng_duration) o->heartbeat_ms;
	int                            cr = (int) o->conn_rate;
	int                            rv = 0;

	if ((o->rate_msgs != 0) &&
	    (*what = NNG_OPT_MPC_RATE_MSGS,
	        rv = nng_mpc_socket_set(sock, NNG_OPT_MPC_RATE_MSGS,
	            &o->rate_msgs, sizeof(o->rate_msgs))) != 0) {
		return (rv);
	}
	if ((o->rate_bytes != 0) &&
	    (*what = NNG_OPT_MPC_RATE_BYTES,
	        rv = nng_mpc_socket_set(sock, NNG_OPT_MPC_RATE_BYTES,
	            &o->rate_bytes, sizeof(o->rate_bytes))) != 0) {
		return (rv);
	}
	if ((o->rate_policy != NULL) &&
	    (*what = NNG_OPT_MPC_RATE_POLICY,
	        rv = nng_mpc_socket_set(sock, NNG_OPT_MPC_RATE_POLICY,
	            o->rate_policy, strlen(o->rate_policy) + 1)) != 0) {
		return (rv);
	}
	if (o->conn_rate_set &&
	    (*what = NNG_OPT_MPC_CONN_RATE,
	        rv = nng_mpc_socket_set(
	            sock, NNG_OPT_MPC_CONN_RATE, &cr, sizeof(cr))) != 0) {
		return (rv);
	}
	if (o->heartbeat_set) {
		*what = NNG_OPT_MPC_HEARTBEAT;
		rv    = nng_mpc_socket_set(
                    sock, NNG_OPT_MPC_HEARTBEAT, &hb, sizeof(hb));
	}
	return (rv);
}

/* A flooder's round: many extra broadcasts, as fast as the socket takes
 * them (what does not fit a pipe's queue is dropped by bus0, as any
 * message a bus0 peer cannot take). */
static void
node_flood(struct node *n)
{
	uint8_t junk[64];

	memset(junk, 0xf1, sizeof(junk));
	for (uint32_t i = 0; i < n->o->flood; i++) {
		nng_msg *m;
		if (nng_msg_alloc(&m, 0) != 0) {
			return;
		}
		if ((nng_msg_append(m, junk, sizeof(junk)) != 0) ||
		    (nng_mpc_msg_set_type(m, NNGMPC_FLOOD_TYPE) != 0) ||
		    (nng_sendmsg(n->sock, m, 0) != 0)) {
			nng_msg_free(m);
			continue;
		}
		n->flood_out++;
	}
}

/* Frames our pipes have written so far (the transport's counters). */
static uint64_t
node_frames_out(struct node *n)
{
	uint64_t sum = 0;

	pthread_mutex_lock(&n->mtx);
	for (size_t i = 0; i < n->npeers; i++) {
		uint64_t v = 0;
		if (n->peers[i].up &&
		    nng_pipe_get_uint64(
		        n->peers[i].pipe, NNG_OPT_MPC_FRAMES_OUT, &v) == 0) {
			sum += v;
		}
	}
	pthread_mutex_unlock(&n->mtx);
	return (sum);
}

/*
 * A flooder waits before its next round's messages until its pipes stopped
 * writing for 200 ms: bus0 drops what a pipe's queue (16 messages) cannot
 * take, and our own flood must not push our real messages out of it.
 * What the transport wrote may still wait in TCP buffers: it is delivered
 * before the round's messages, at the receivers' rate.
 */
static void
node_drain(struct node *n)
{
	uint64_t last  = node_frames_out(n);
	uint64_t until = now_us() + (uint64_t) n->o->timeout_s * 1000000u;
	int      still = 0;

	while ((still < 10) && (now_us() < until)) {
		uint64_t cur;
		nng_msleep(20);
		cur   = node_frames_out(n);
		still = cur == last ? still + 1 : 0;
		last  = cur;
	}
}

static int
node_limits(nng_socket sock, void *arg, const char **what)
{
	struct node *n = arg;
	int          rv;

	if ((rv = nngmpc_node_limits(sock, (void *) n->o, what)) != 0 ||
	    !n->o->reliable) {
		return (rv);
	}
	/* A send for a party whose connection is down waits for it as long
	 * as a round may take. */
	return (nngmpc_node_tx_setup(sock, n->self->id,
	    (nng_duration) n->o->timeout_s * 1000, what));
}

static int
node_open(struct node *n)
{
	struct nngmpc_mesh_params mp = {
		.roster  = n->o->roster,
		.self    = n->self,
		.pipe_cb = node_pipe_cb,
		.arg     = n,
		.recv_ms = NODE_RECV_SLICE_MS,
		.setup   = node_limits,
		.reliable = n->o->reliable,
	};
	int rv;

	if ((rv = nngmpc_mesh_open(&n->sock, &mp)) == 0) {
		n->tx = (struct nngmpc_node_tx) {
			.sock       = n->sock,
			.session_id = n->o->roster->session_id,
			.self       = n->self->id,
			.reliable   = n->o->reliable,
			.peers      = n->peer_ids,
			.npeers     = n->npeers,
		};
	}
	return (rv);
}

static bool
node_wait_connected(struct node *n)
{
	uint64_t        t0 = now_us();
	struct timespec dl;
	char            missing[256] = "";
	size_t          off          = 0;

	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += n->o->timeout_s;
	pthread_mutex_lock(&n->mtx);
	while (n->nup < n->npeers) {
		if (pthread_cond_timedwait(&n->cv, &n->mtx, &dl) == ETIMEDOUT) {
			break;
		}
	}
	if (n->nup < n->npeers) {
		for (size_t i = 0; i < n->npeers && off < sizeof(missing) - 16;
		     i++) {
			if (!n->peers[i].up) {
				off += (size_t) snprintf(missing + off,
				    sizeof(missing) - off, "%s%u",
				    off ? ", " : "",
				    (unsigned) n->peers[i].id);
			}
		}
		pthread_mutex_unlock(&n->mtx);
		node_fail(n,
		    "after %u s still not connected to party %s (is it "
		    "running? a refused connection is reported above on "
		    "stderr, with its reason, as it happens)",
		    (unsigned) n->o->timeout_s, missing);
		return (false);
	}
	n->running = true;
	pthread_mutex_unlock(&n->mtx);
	node_report(n, "connected %" PRIu64, (now_us() - t0) / 1000);
	node_say(n, "connected to all %zu other parties", n->npeers);
	return (true);
}

static int
node_send(struct node *n, int r, uint32_t to, size_t len, uint64_t *bytes)
{
	int rv;

	if ((rv = nngmpc_node_send_round(&n->tx, r, to, len)) != 0) {
		return (rv);
	}
	*bytes += len;
	if (to == NNG_MPC_PARTY_BROADCAST) {
		node_say(n, "%s: sent %s broadcast, %zu B",
		    nngmpc_rounds[r].name,
		    nng_mpc_msg_type_name(nngmpc_rounds[r].type), len);
	} else {
		node_say(n, "%s: sent %s to party %u, %zu B",
		    nngmpc_rounds[r].name,
		    nng_mpc_msg_type_name(nngmpc_rounds[r].type),
		    (unsigned) to, len);
	}
	return (0);
}

/* Checks one received message; false (with the reason) if it is wrong. */
static bool
node_accept(struct node *n, nng_msg *m, int cur)
{
	uint16_t          type;
	uint32_t          from, to;
	uint64_t          seq;
	struct node_peer *peer;
	int               r, kind;
	size_t            want, len = nng_msg_len(m);

	if (nng_mpc_msg_type(m, &type) != 0 ||
	    nng_mpc_msg_sender(m, &from) != 0 ||
	    nng_mpc_msg_recipient(m, &to) != 0 ||
	    nng_mpc_msg_sequence(m, &seq) != 0) {
		node_fail(n, "a message arrived without its MPC envelope");
		return (false);
	}
	if (type == NNGMPC_FLOOD_TYPE) {
		n->flood_in++; /* a flooder's noise: counted, discarded */
		return (true);
	}
	if (type == NNG_MPC_MSG_ACK) {
		pthread_mutex_lock(&n->mtx);
		if ((peer = node_peer(n, from)) != NULL) {
			peer->acked = true;
		}
		pthread_mutex_unlock(&n->mtx);
		return (true);
	}
	if ((r = nngmpc_round_of_type(type)) < 0 || r < cur) {
		node_fail(n, "unexpected %s from party %u in round %s",
		    nng_mpc_msg_type_name(type), (unsigned) from,
		    nngmpc_rounds[cur].name);
		return (false);
	}
	if ((peer = node_peer(n, from)) == NULL) {
		node_fail(n, "message from party %u, which is not in the roster",
		    (unsigned) from);
		return (false);
	}
	/* With delivery streams a broadcast travels as an addressed copy:
	 * its payload still names it (node_send.h). */
	if (n->o->reliable && (to == n->self->id) &&
	    (nngmpc_round_payload_to(nng_msg_body(m), len) ==
	        NNG_MPC_PARTY_BROADCAST)) {
		to = NNG_MPC_PARTY_BROADCAST;
	}
	kind = to == NNG_MPC_PARTY_BROADCAST ? KIND_BCAST : KIND_P2P;
	want = kind == KIND_BCAST ? nngmpc_rounds[r].bcast_len
	                          : nngmpc_rounds[r].p2p_len;
	if (kind == KIND_P2P && to != n->self->id) {
		node_fail(n, "%s from party %u was addressed to party %u, not us",
		    nngmpc_rounds[r].name, (unsigned) from, (unsigned) to);
		return (false);
	}
	if (want == 0 || len != want) {
		node_fail(n, "%s from party %u: %zu B where %zu B were expected",
		    nngmpc_rounds[r].name, (unsigned) from, len, want);
		return (false);
	}
	if (peer->got[r][kind] && n->o->reliable) {
		/* Counted for the demo's tally, which fails on any. */
		n->dups++;
		return (true);
	}
	if (peer->got[r][kind]) {
		node_fail(n, "%s from party %u arrived twice",
		    nngmpc_rounds[r].name, (unsigned) from);
		return (false);
	}
	if (!nngmpc_round_payload_ok(n->o->roster->session_id, r, from, to,
	        nng_msg_body(m), len)) {
		node_fail(n, "%s from party %u: content differs from what it "
		             "sent",
		    nngmpc_rounds[r].name, (unsigned) from);
		return (false);
	}
	peer->got[r][kind] = true;
	n->msgs_in[r]++;
	n->bytes_in[r] += len;
	node_say(n, "%s: received %s from party %u (%s, seq %" PRIu64
	            ", %zu B)",
	    nngmpc_rounds[r].name, nng_mpc_msg_type_name(type),
	    (unsigned) from, kind == KIND_BCAST ? "broadcast" : "to us", seq,
	    len);
	return (true);
}

static bool
node_round_done(struct node *n, int r)
{
	for (size_t i = 0; i < n->npeers; i++) {
		if ((nngmpc_rounds[r].bcast_len && !n->peers[i].got[r][0]) ||
		    (nngmpc_rounds[r].p2p_len && !n->peers[i].got[r][1])) {
			return (false);
		}
	}
	return (true);
}

/* A peer that went away before we hold its messages: name it. */
static bool
node_check_lost(struct node *n, int r)
{
	bool lost = false;

	pthread_mutex_lock(&n->mtx);
	for (size_t i = 0; i < n->npeers; i++) {
		if (n->peers[i].lost) {
			node_fail(n,
			    "party %u disconnected during round %s; its "
			    "messages for this round and later cannot arrive",
			    (unsigned) n->peers[i].id, nngmpc_rounds[r].name);
			lost = true;
			break;
		}
	}
	pthread_mutex_unlock(&n->mtx);
	return (lost);
}

static bool
node_round(struct node *n, int r)
{
	const struct nngmpc_round *rd   = &nngmpc_rounds[r];
	uint64_t                   t0   = now_us(), deadline;
	size_t                     mout = 0;
	uint64_t                   bout = 0;
	int                        rv;

	if (n->o->flood != 0) {
		node_drain(n);
	}
	if (n->o->round_gap_ms != 0) {
		nng_msleep((nng_duration) n->o->round_gap_ms);
		t0 = now_us(); /* the latency is the round's, not the gap's */
	}
	if (rd->bcast_len != 0) {
		if ((rv = node_send(n, r, NNG_MPC_PARTY_BROADCAST,
		         rd->bcast_len, &bout)) != 0) {
			node_fail(n, "%s: send failed: %s", rd->name,
			    nng_mpc_strerror(rv));
			return (false);
		}
		mout++;
	}
	for (size_t i = 0; rd->p2p_len != 0 && i < n->npeers; i++) {
		if ((rv = node_send(n, r, n->peers[i].id, rd->p2p_len,
		         &bout)) != 0) {
			node_fail(n, "%s: send to party %u failed: %s",
			    rd->name, (unsigned) n->peers[i].id,
			    nng_mpc_strerror(rv));
			return (false);
		}
		mout++;
	}
	node_flood(n);
	deadline = t0 + (uint64_t) n->o->timeout_s * 1000000u;
	while (!node_round_done(n, r)) {
		nng_msg *m;

		if ((rv = nng_recvmsg(n->sock, &m, 0)) == NNG_ETIMEDOUT) {
			if (node_check_lost(n, r)) {
				return (false);
			}
			if (now_us() > deadline) {
				node_fail(n,
				    "%s: not every message arrived within %u "
				    "s",
				    rd->name, (unsigned) n->o->timeout_s);
				return (false);
			}
			continue;
		}
		if (rv != 0) {
			node_fail(n, "%s: receive failed: %s", rd->name,
			    nng_mpc_strerror(rv));
			return (false);
		}
		if (!node_accept(n, m, r)) {
			nng_msg_free(m);
			return (false);
		}
		nng_msg_free(m);
	}
	node_report(n, "round %d %s %" PRIu64 " %zu %" PRIu64 " %zu %" PRIu64,
	    r, rd->name, now_us() - t0, mout, bout, n->msgs_in[r],
	    n->bytes_in[r]);
	if ((n->o->stop_after != NULL) &&
	    (strcmp(n->o->stop_after, rd->name) == 0)) {
		(void) raise(SIGSTOP);
	}
	return (true);
}

/* The closing ACK: stay connected until each peer has everything we sent
 * (its ACK), or has gone away after we got all of its messages. */
static void
node_finish(struct node *n)
{
	uint64_t deadline = now_us() + (uint64_t) n->o->timeout_s * 1000000u;
	nng_msg *m;
	int      rv;

	/* Without delivery streams bus0 may have nobody to give it to: the
	 * wait below then ends with the peers gone. */
	if (((rv = nngmpc_node_send_ack(&n->tx)) != 0) && n->o->reliable) {
		node_fail(n, "closing ACK not sent: %s", nng_mpc_strerror(rv));
		return;
	}
	for (;;) {
		bool waiting = false;

		pthread_mutex_lock(&n->mtx);
		/* With delivery streams a peer that is down now comes back:
		 * its ACK is worth waiting for. */
		for (size_t i = 0; i < n->npeers; i++) {
			waiting |= !n->peers[i].acked &&
			    (n->peers[i].up || n->o->reliable);
		}
		pthread_mutex_unlock(&n->mtx);
		if (!waiting || now_us() > deadline) {
			break;
		}
		if (nng_recvmsg(n->sock, &m, 0) == 0) {
			/* Only ACKs may come now: a round message would be a
			 * duplicate, and node_accept says so. */
			bool ok = node_accept(n, m, (int) nngmpc_nrounds - 1);
			nng_msg_free(m);
			if (!ok) {
				break;
			}
		}
	}
}

/* What the receive rate limit did on the link from one peer. */
static void
node_limit_counters(struct node *n, uint32_t id, nng_pipe p)
{
	uint64_t delayed = 0, throttled = 0, srtt = 0;

	(void) nng_pipe_get_uint64(p, NNG_OPT_MPC_RATE_DELAYED, &delayed);
	(void) nng_pipe_get_uint64(p, NNG_OPT_MPC_RATE_THROTTLED, &throttled);
	(void) nng_pipe_get_uint64(p, NNG_OPT_MPC_SRTT, &srtt);
	node_report(n, "limits %u %" PRIu64 " %" PRIu64 " %" PRIu64,
	    (unsigned) id, delayed, throttled, srtt);
	if (delayed > 0) {
		node_say(n,
		    "link from party %u: held to its rate %" PRIu64
		    " times, not read for %" PRIu64 " ms",
		    (unsigned) id, delayed, throttled);
	}
}

static void
node_counters(struct node *n)
{
	static const char *const names[] = { NNG_OPT_MPC_FRAMES_IN,
		NNG_OPT_MPC_FRAMES_OUT, NNG_OPT_MPC_BYTES_IN,
		NNG_OPT_MPC_BYTES_OUT, NNG_OPT_MPC_AUTH_FAILURES,
		NNG_OPT_MPC_REPLAYS };

	for (size_t i = 0; i < n->npeers; i++) {
		uint64_t v[6] = { 0 };
		nng_pipe p;
		bool     up;

		pthread_mutex_lock(&n->mtx);
		p  = n->peers[i].pipe;
		up = n->peers[i].up;
		pthread_mutex_unlock(&n->mtx);
		if (!up) {
			continue;
		}
		for (size_t k = 0; k < 6; k++) {
			if (nng_pipe_get_uint64(p, names[k], &v[k]) != 0) {
				v[k] = 0;
			}
		}
		node_report(n,
		    "peer %u %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
		    " %" PRIu64 " %" PRIu64,
		    (unsigned) n->peers[i].id, v[0], v[1], v[2], v[3], v[4],
		    v[5]);
		node_say(n,
		    "link to party %u: frames in %" PRIu64 " out %" PRIu64
		    ", bytes in %" PRIu64 " out %" PRIu64
		    ", auth failures %" PRIu64 ", replays %" PRIu64,
		    (unsigned) n->peers[i].id, v[0], v[1], v[2], v[3], v[4],
		    v[5]);
		node_limit_counters(n, n->peers[i].id, p);
	}
	node_report(n, "flood %" PRIu64 " %" PRIu64, n->flood_out, n->flood_in);
	if (n->flood_out + n->flood_in > 0) {
		node_say(n, "flood messages sent %" PRIu64 ", received %" PRIu64
		            " (discarded)",
		    n->flood_out, n->flood_in);
	}
}

/* Delivery streams: wait until every party acknowledged what we sent
 * (our ACKs included: closing would drop them), then say how many
 * connections were made again and what arrived twice. */
static void
node_delivery(struct node *n)
{
	uint64_t pending = 0;
	int      rv;

	if ((rv = nng_mpc_socket_drain(n->sock,
	         (nng_duration) n->o->timeout_s * 1000, &pending)) != 0) {
		node_fail(n, "%" PRIu64 " messages not acknowledged after %u "
		             "s: %s",
		    pending, (unsigned) n->o->timeout_s, nng_mpc_strerror(rv));
	}
	/* Our streams acknowledge what we received a little later (at most
	 * NNG_MPC_DELIVER_ACK_DELAY_MS, 50 ms when traffic carried acks):
	 * closing at once would leave a peer's drain waiting for the
	 * acknowledgement of its last message, its ACK to us. */
	nng_msleep(NODE_ACK_FLUSH_MS);
	pthread_mutex_lock(&n->mtx);
	node_report(n, "delivery %" PRIu64 " %" PRIu64, n->reconnects, n->dups);
	node_say(n,
	    "delivery streams: %" PRIu64 " reconnects, %" PRIu64
	    " messages received twice (discarded)",
	    n->reconnects, n->dups);
	pthread_mutex_unlock(&n->mtx);
}

int
nngmpc_node_run(const struct nngmpc_node_opts *o)
{
	struct node *    n;
	nng_mpc_metrics *metrics = NULL;
	int              rv, ret = NNGMPC_EXIT_FAIL;

	if (nngmpc_nrounds > NODE_MAX_ROUNDS) {
		return (NNGMPC_EXIT_FAIL);
	}
	if ((n = calloc(1, sizeof(*n))) == NULL) {
		nngmpc_error(NODE_CMD, "out of memory");
		return (NNGMPC_EXIT_FAIL);
	}
	n->o = o;
	pthread_mutex_init(&n->mtx, NULL);
	pthread_cond_init(&n->cv, NULL);
	if ((ret = nngmpc_node_check(o->roster, o->id, &n->self)) !=
	    NNGMPC_EXIT_OK) {
		goto out;
	}
	ret = NNGMPC_EXIT_FAIL;
	for (size_t i = 0; i < o->roster->nparties; i++) {
		if (o->roster->parties[i].id != o->id) {
			n->peers[n->npeers].id = o->roster->parties[i].id;
			n->peer_ids[n->npeers]  = o->roster->parties[i].id;
			n->npeers++;
		}
	}
	if ((rv = nng_mpc_register()) != 0) {
		nngmpc_error(NODE_CMD, "cannot register nng-mpc: %s",
		    nng_mpc_strerror(rv));
		goto out;
	}
	if (o->metrics_addr != NULL &&
	    (rv = nng_mpc_metrics_start(o->metrics_addr, &metrics)) != 0) {
		nngmpc_error(NODE_CMD, "--metrics %s: %s", o->metrics_addr,
		    nng_mpc_strerror(rv));
		goto out;
	}
	if (metrics != NULL) {
		node_say(n, "metrics on http://%s/metrics (port %d)",
		    o->metrics_addr, nng_mpc_metrics_port(metrics));
		node_report(n, "metrics %d", nng_mpc_metrics_port(metrics));
	}
	if (node_open(n) != 0) {
		node_fail(n, "could not start (see the error above)");
		goto done;
	}
	if (!node_wait_connected(n)) {
		goto done;
	}
	for (size_t r = 0; r < nngmpc_nrounds; r++) {
		if (!node_round(n, (int) r)) {
			goto done;
		}
	}
	node_counters(n);
	node_finish(n);
	if (o->reliable) {
		node_delivery(n);
	}
	ret = NNGMPC_EXIT_OK;
done:
	if (ret == NNGMPC_EXIT_OK && n->fail[0] == '\0') {
		node_report(n, "result ok");
		node_say(n, "all %zu rounds complete: every message arrived "
		            "once, authenticated, at the right party",
		    nngmpc_nrounds);
	} else {
		ret = NNGMPC_EXIT_FAIL;
		node_report(n, "result fail %s", n->fail);
		nngmpc_error(NODE_CMD, "party %u: %s", (unsigned) o->id,
		    n->fail);
	}
	/* Closing waits for NNG to stop every pipe and dialer; never let a
	 * stuck close turn a reported result into a hang. */
	(void) signal(SIGALRM, node_close_stuck);
	(void) alarm(NODE_CLOSE_LIMIT_S);
	nng_close(n->sock);
	(void) alarm(0);
out:
	nng_mpc_metrics_stop(metrics);
	pthread_mutex_destroy(&n->mtx);
	pthread_cond_destroy(&n->cv);
	free(n);
	return (ret);
}
