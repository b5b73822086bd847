/*
 * mpc_tran_sendmsg.c -- nng_mpc_sendmsg(): a send that is never lost
 * silently, and nng_mpc_socket_drain(): waiting until every send was
 * acknowledged (include/nng_mpc.h).
 *
 * Why not through the protocol: NNG 1.5.2's pair1 completes the
 * application's send once the message is handed to its pipe, and bus0
 * copies a message into a queue per pipe (NNG_OPT_SENDBUF) and drops the
 * copy when that queue is full or there is no pipe at all
 * (src/sp/protocol/bus0/bus.c, bus0_sock_send): the transport learns of a
 * message only after the application's send succeeded, so it cannot fail
 * it.  Here the checks come first and the message goes straight onto the
 * recipient's delivery stream (mpc_tran_stream.h), in the layout the
 * protocol would have given it (pair1: its hop count header, 1 once sent;
 * bus0: no header); the pipe carrying the stream writes it
 * (mpc_tran_dlv.c), the party acknowledges it or it stays kept.
 *
 * The session's parties are the socket's own settings: our party ID
 * (NNG_OPT_MPC_PARTY_ID), the allow list (every party when unset or
 * empty) less the deny list.  A party outside it could never connect
 * (mpc_tran_admit.c refuses it), so waiting for it is pointless.
 *
 * Threading: the caller's thread; it waits for the streams to change
 * (mpc_tran_stream_wait: a party's pipe comes, or acknowledgements that
 * arrive on the pipes' own threads open the window) and checks the socket
 * is still open at least every MPC_TRAN_STREAM_WAIT_MAX_MS.
 * The streams are read and written under the registry lock
 * (mpc_tran_stream_sock_do), so a broadcast is put on every stream or on
 * none -- bar running out of memory half-way, which the caller is told
 * (the parties that got a copy keep it).
 */
#include <string.h>

#include "nng_mpc.h"

#include "mpc_deliver.h"
#include "mpc_envelope.h"
#include "mpc_tran_dlv.h"
#include "mpc_tran_echo.h"
#include "mpc_tran_limit.h"
#include "mpc_tran_stream.h"

/* The pair1 hop count a cooked send carries once its pipe sent it
 * (src/sp/protocol/pair1/pair.c: 0, then incremented per hop). */
#define MPC_TRAN_PAIR1_HOPS 1

typedef struct mpc_tran_offer {
	uint32_t to;  /* recipient or NNG_MPC_PARTY_BROADCAST */
	nni_msg *msg; /* ours alone */
	size_t   len; /* what the window counts */
	int      rv;
	/* An echo broadcast (mpc_tran_echo.h): every stream gets a copy,
	 * its party connected or not, so each needs room; alt (or NULL) is
	 * the copy for alt_party. */
	bool     all;
	nni_msg *alt;
	uint32_t alt_party;
} mpc_tran_offer;

/* Does the offer concern st? */
static bool
mpc_tran_offer_for(const mpc_tran_offer *o, const mpc_tran_stream *st)
{
	return ((o->to == NNG_MPC_PARTY_BROADCAST) || (st->party == o->to));
}

/* Every stream the offer is for that a pipe carries has room; how many
 * (0: none connected).  Locked (registry). */
static unsigned
mpc_tran_offer_check(mpc_tran_offer *o, nni_list *streams)
{
	mpc_tran_stream *st;
	unsigned         n = 0;

	NNI_LIST_FOREACH (streams, st) {
		bool live;
		bool fits;

		if (!mpc_tran_offer_for(o, st)) {
			continue;
		}
		nni_mtx_lock(&st->mtx);
		live = st->dlv != NULL;
		fits = mpc_deliver_tx_fits(&st->tx, o->len);
		nni_mtx_unlock(&st->mtx);
		if ((live || o->all) && !fits) {
			o->rv = NNG_MPC_EWINDOWFULL;
			return (0);
		}
		n += live ? 1 : 0;
	}
	o->rv = (n > 0) ? 0 : NNG_MPC_ENOTCONNECTED;
	return (n);
}

/* Keeps msg (copy: a copy of it) on st and wakes its pipe, if a pipe
 * carries st.  A send the protocol made meanwhile may have taken the room
 * checked: then beyond the window (bounded by the stream's overflow).
 * Locked (registry). */
static int
mpc_tran_offer_keep(
    mpc_tran_stream *st, nni_msg *msg, size_t len, bool copy, bool all)
{
	nni_msg *m    = msg;
	bool     live = all || (st->dlv != NULL);
	size_t   sent;
	int      rv = NNG_MPC_ENOTCONNECTED;

	nni_mtx_lock(&st->mtx);
	if (live && copy && (nni_msg_dup(&m, msg) != 0)) {
		rv = NNG_ENOMEM;
	} else if (live) {
		bool over = !mpc_deliver_tx_fits(&st->tx, len);

		if ((rv = mpc_tran_dlv_keep_msg(st, m, over, &sent)) != 0) {
			if (copy) {
				nni_msg_free(m);
			}
		} else if (st->dlv != NULL) {
			mpc_tran_dlv_wake(st->dlv);
		}
	}
	nni_mtx_unlock(&st->mtx);
	return (rv);
}

static void
mpc_tran_offer_fn(void *arg, nni_list *streams)
{
	mpc_tran_offer * o = arg;
	mpc_tran_stream *st;

	if (mpc_tran_offer_check(o, streams) == 0) {
		return;
	}
	if (o->to != NNG_MPC_PARTY_BROADCAST) {
		NNI_LIST_FOREACH (streams, st) {
			if (st->party == o->to) {
				o->rv = mpc_tran_offer_keep(
				    st, o->msg, o->len, false, false);
				return;
			}
		}
		o->rv = NNG_MPC_ENOTCONNECTED;
		return;
	}
	o->rv = NNG_MPC_ENOTCONNECTED;
	NNI_LIST_FOREACH (streams, st) {
		/* A stream whose pipe went since the check is skipped (an
		 * echo broadcast's is kept for the party's return). */
		nni_msg *m  = ((o->alt != NULL) && (st->party == o->alt_party))
		     ? o->alt
		     : o->msg;
		int      rv = mpc_tran_offer_keep(st, m, o->len, true, o->all);

		if (rv == 0) {
			o->rv = 0;
		} else if (rv != NNG_MPC_ENOTCONNECTED) {
			o->rv = rv; /* out of memory: reported, not dropped */
			return;
		}
	}
	if (o->rv == 0) {
		nni_msg_free(o->msg); /* every party has its copy */
		nni_msg_free(o->alt);
		o->msg = NULL;
		o->alt = NULL;
	}
}

/* An opaque socket option into buf (size *szp in, length out). */
static int
mpc_tran_sendmsg_opt(nng_socket s, const char *name, void *buf, size_t *szp)
{
	return (nng_socket_get(s, name, buf, szp));
}

/* Our party ID as set on the socket (int or uint64), or NONE. */
static uint32_t
mpc_tran_sendmsg_self(nng_socket s)
{
	uint8_t  buf[sizeof(uint64_t)];
	size_t   sz = sizeof(buf);
	int      i;
	uint64_t u;

	if (mpc_tran_sendmsg_opt(s, NNG_OPT_MPC_PARTY_ID, buf, &sz) != 0) {
		return (NNG_MPC_PARTY_NONE);
	}
	if (sz == sizeof(int)) {
		memcpy(&i, buf, sizeof(i));
		return ((i > 0) ? (uint32_t) i : NNG_MPC_PARTY_NONE);
	}
	if (sz == sizeof(uint64_t)) {
		memcpy(&u, buf, sizeof(u));
		return ((u <= NNG_MPC_PARTY_MAX) ? (uint32_t) u
		                                 : NNG_MPC_PARTY_NONE);
	}
	return (NNG_MPC_PARTY_NONE);
}

/* A party list option of the socket; false when unset or empty. */
static bool
mpc_tran_sendmsg_set(nng_socket s, const char *name, mpc_tran_partyset *set)
{
	char   buf[MPC_TRAN_PARTYSET_STR_MAX + 1];
	size_t sz = MPC_TRAN_PARTYSET_STR_MAX;

	memset(buf, 0, sizeof(buf));
	if ((mpc_tran_sendmsg_opt(s, name, buf, &sz) != 0) ||
	    (sz > MPC_TRAN_PARTYSET_STR_MAX)) {
		return (false);
	}
	return ((mpc_tran_partyset_parse(set, buf) == 0) && (set->n > 0));
}

static bool
mpc_tran_sendmsg_in_session(nng_socket s, uint32_t party)
{
	mpc_tran_partyset set;

	if (mpc_tran_sendmsg_set(s, NNG_OPT_MPC_ALLOW_PARTIES, &set) &&
	    !mpc_tran_partyset_has(&set, party)) {
		return (false);
	}
	return (!(mpc_tran_sendmsg_set(s, NNG_OPT_MPC_DENY_PARTIES, &set) &&
	    mpc_tran_partyset_has(&set, party)));
}

static bool
mpc_tran_sendmsg_reliable(nng_socket s)
{
	bool   on = false;
	size_t sz = sizeof(on);

	return ((mpc_tran_sendmsg_opt(s, NNG_OPT_MPC_RELIABLE, &on, &sz) ==
	            0) &&
	    (sz == sizeof(on)) && on);
}

/* The header the protocol would give msg: 0, or NNG_MPC_ESENDPROTO. */
static int
mpc_tran_sendmsg_proto(nng_socket s, nni_msg *msg)
{
	char *name = NULL;
	bool  raw  = false;
	int   rv   = NNG_MPC_ESENDPROTO;

	if ((nng_socket_get_bool(s, NNG_OPT_RAW, &raw) != 0) || raw ||
	    (nng_socket_get_string(s, NNG_OPT_PROTONAME, &name) != 0)) {
		return (rv);
	}
	nni_msg_header_clear(msg);
	if (strcmp(name, "bus") == 0) {
		rv = 0;
	} else if (strcmp(name, "pair1") == 0) {
		nni_msg_header_append_u32(msg, MPC_TRAN_PAIR1_HOPS);
		rv = 0;
	}
	nng_strfree(name);
	return (rv);
}

/* Offers o until it is taken, fails for good, or the wait is over. */
static int
mpc_tran_sendmsg_wait(nng_socket s, mpc_tran_offer *o, int flags)
{
	nng_duration tmo;
	nni_time     deadline;
	int          rv;

	if ((rv = nng_socket_get_ms(s, NNG_OPT_SENDTIMEO, &tmo)) != 0) {
		return (rv);
	}
	deadline = ((flags & NNG_FLAG_NONBLOCK) != 0) ? nni_clock()
	    : (tmo < 0) ? NNI_TIME_NEVER
	                : nni_clock() + (nni_time) tmo;
	for (;;) {
		uint64_t ticket = mpc_tran_stream_watch();

		o->rv = NNG_MPC_ENOTCONNECTED;
		(void) mpc_tran_stream_sock_do(
		    (uint32_t) nng_socket_id(s), mpc_tran_offer_fn, o);
		if (((o->rv != NNG_MPC_ENOTCONNECTED) &&
		        (o->rv != NNG_MPC_EWINDOWFULL)) ||
		    (nni_clock() >= deadline)) {
			mpc_tran_stream_unwatch();
			return (o->rv);
		}
		/* A socket closed meanwhile ends the wait. */
		if ((rv = nng_socket_get_ms(s, NNG_OPT_SENDTIMEO, &tmo)) != 0) {
			mpc_tran_stream_unwatch();
			return (rv);
		}
		mpc_tran_stream_wait(ticket, deadline);
	}
}

int
nng_mpc_sendmsg(nng_socket s, nng_msg *msg, int flags)
{
	mpc_envelope_out env;
	mpc_tran_offer   o;
	uint32_t         self;
	nni_msg *        own = msg;
	int              rv;

	if (msg == NULL) {
		return (NNG_EINVAL);
	}
	if ((rv = mpc_envelope_parse_out(
	         &env, nng_msg_body(msg), nng_msg_len(msg), NULL)) != 0) {
		return (rv);
	}
	if ((self = mpc_tran_sendmsg_self(s)) == NNG_MPC_PARTY_NONE) {
		return (NNG_MPC_ENOPARTYID);
	}
	if (env.recipient == self) {
		return (NNG_MPC_ESENDSELF);
	}
	if ((env.recipient != NNG_MPC_PARTY_BROADCAST) &&
	    !mpc_tran_sendmsg_in_session(s, env.recipient)) {
		return (NNG_MPC_ENOTINSESSION);
	}
	if (!mpc_tran_sendmsg_reliable(s)) {
		return (nng_sendmsg(s, msg, flags));
	}
	/* The stream rewrites what it keeps: a message shared with the
	 * caller's other references is copied first. */
	if (nni_msg_shared(msg) && (nni_msg_dup(&own, msg) != 0)) {
		return (NNG_ENOMEM);
	}
	if ((rv = mpc_tran_sendmsg_proto(s, own)) != 0) {
		goto fail;
	}
	memset(&o, 0, sizeof(o));
	o.to  = env.recipient;
	o.msg = own;
	if (env.recipient == NNG_MPC_PARTY_BROADCAST) {
		/* Echo broadcast: signed once, on every party's stream. */
		rv = mpc_tran_echo_sendmsg_sign((uint32_t) nng_socket_id(s), own,
		    &o.msg, &o.alt, &o.alt_party);
		if (rv == 0) {
			o.all = true;
		} else if (rv == NNG_ENOENT) {
			o.msg = own;
		} else {
			goto fail;
		}
	}
	o.len = nni_msg_len(o.msg) + nni_msg_header_len(o.msg) +
	    MPC_DELIVER_DATA_SIZE - env.prefix_len;
	rv    = mpc_tran_sendmsg_wait(s, &o, flags);
	if (o.all) {
		/* Kept as copies (or not at all): the wrapped ones are ours. */
		nni_msg_free(o.msg);
		nni_msg_free(o.alt);
		if (rv == 0) {
			nni_msg_free(own);
			if (own != msg) {
				nni_msg_free(msg);
			}
			return (0);
		}
	}
	if (rv != 0) {
		goto fail;
	}
	if (own != msg) {
		nni_msg_free(msg); /* the caller's reference: ours now */
	}
	return (0);
fail:
	if (own != msg) {
		nni_msg_free(own);
	}
	return (rv);
}

/*
 * Waits until the socket's streams keep nothing unacknowledged.  Each time
 * it looks, the parties are asked for their acks at once
 * (mpc_tran_dlv_request_acks: only what is new since the last request
 * goes on the wire), so a drain after a short burst takes a round trip,
 * not a delayed ack.
 */
int
nng_mpc_socket_drain(nng_socket s, nng_duration timeout, uint64_t *pending)
{
	uint32_t id       = (uint32_t) nng_socket_id(s);
	nni_time deadline = nni_clock() + (nni_time) timeout;
	uint64_t left;

	if (timeout < 0 && timeout != NNG_DURATION_INFINITE) {
		return (NNG_EINVAL);
	}
	if (timeout == NNG_DURATION_INFINITE) {
		deadline = NNI_TIME_NEVER;
	}
	for (;;) {
		uint64_t ticket = mpc_tran_stream_watch();

		if (!mpc_tran_stream_pending(
		        id, NNG_MPC_PARTY_BROADCAST, &left)) {
			left = 0; /* no delivery streams: nothing kept */
		}
		if (pending != NULL) {
			*pending = left;
		}
		if (left == 0) {
			mpc_tran_stream_unwatch();
			return (0);
		}
		if (nni_clock() >= deadline) {
			mpc_tran_stream_unwatch();
			return (NNG_MPC_EUNDELIVERED);
		}
		mpc_tran_dlv_request_acks(id);
		mpc_tran_stream_wait(ticket, deadline);
	}
}
