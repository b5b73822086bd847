/*
 * mpc_tran_echo.c -- echo broadcast on a socket's pipes; see
 * mpc_tran_echo.h for the behaviour, mpc_echo.h for the decisions and
 * wire bytes, mpc_evidence.h for statements and evidence.
 *
 * Locking: mpc_tran_echo.h.  The registry of sockets has its own lock,
 * never held with a socket's.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/wolfcrypt/sha256.h>

#include "mpc_tran_pipe.h"

#include "mpc_cursor.h"
#include "mpc_echo.h"
#include "mpc_envelope.h"
#include "mpc_evidence.h"
#include "mpc_sign.h"
#include "mpc_tls_identity.h"
#include "mpc_tls_signer.h"
#include "mpc_tran_echo.h"
#include "mpc_tran_echo_int.h"
#include "mpc_wipe.h"

_Static_assert(NNG_MPC_EVIDENCE_MAX == MPC_EVIDENCE_MAX,
    "the public evidence size is the file format's");

static pthread_mutex_t mpc_tran_echo_lk = PTHREAD_MUTEX_INITIALIZER;
static nni_list        mpc_tran_echo_socks;
static bool            mpc_tran_echo_inited;

/* Frees a socket's state (no pipe left).  Unlocked, unreachable. */
static void
mpc_tran_echo_sock_free(mpc_tran_echo_sock *s)
{
	void *m;

	mpc_tran_echo_dlv_sock_fini(s);
	while ((m = mpc_echo_drain(&s->table)) != NULL) {
		nni_msg_free(m);
	}
	mpc_sign_key_free(s->key);
	nni_free(s->cert, s->cert_len);
	for (int i = 0; i < MPC_TRAN_ECHO_PIPES; i++) {
		if (s->peers[i].cert != NULL) {
			nni_free(s->peers[i].cert, s->peers[i].cert_len);
		}
	}
	if (s->ca_pem != NULL) {
		nni_free(s->ca_pem, s->ca_len);
	}
	nni_mtx_fini(&s->mtx);
	mpc_wipe(s, sizeof(*s));
	NNI_FREE_STRUCT(s);
}

static mpc_tran_echo_sock *
mpc_tran_echo_find(uint32_t sock_id)
{
	mpc_tran_echo_sock *s;

	if (!mpc_tran_echo_inited) {
		NNI_LIST_INIT(&mpc_tran_echo_socks, mpc_tran_echo_sock, node);
		mpc_tran_echo_inited = true;
	}
	NNI_LIST_FOREACH (&mpc_tran_echo_socks, s) {
		if (s->sock_id == sock_id) {
			return (s);
		}
	}
	return (NULL);
}

/* Our key, certificate and anchors from the endpoint's TLS settings. */
static int
mpc_tran_echo_load(mpc_tran_echo_sock *s, struct nng_tls_config *tls)
{
	mpc_tls_signer sg;
	int            rv;

	if ((rv = mpc_tls_config_signer(tls, &sg)) != 0) {
		return (NNG_MPC_EECHOKEY);
	}
	if ((rv = mpc_sign_key_load_der(&s->key, sg.key_der, sg.key_len)) !=
	    0) {
		rv = NNG_MPC_EECHOKEY;
		goto out;
	}
	if (((s->cert = nni_alloc(sg.cert_len)) == NULL) ||
	    ((sg.ca_pem != NULL) &&
	        ((s->ca_pem = nni_alloc(sg.ca_len)) == NULL))) {
		rv = NNG_ENOMEM;
		goto out;
	}
	memcpy(s->cert, sg.cert_der, sg.cert_len);
	s->cert_len = sg.cert_len;
	if (sg.ca_pem != NULL) {
		memcpy(s->ca_pem, sg.ca_pem, sg.ca_len);
		s->ca_len = sg.ca_len;
	}
out:
	mpc_tls_signer_free(&sg);
	return (rv);
}

int
mpc_tran_echo_attach(
    mpc_tran_pipe *p, const mpc_tran_cfg *cfg, struct nng_tls_config *tls)
{
	mpc_tran_echo_sock *s;
	mpc_tran_echo_link *l;
	int                 rv = 0;

	p->echo = NULL;
	if (!cfg->bcast_echo) {
		return (0);
	}
	if ((l = NNI_ALLOC_STRUCT(l)) == NULL) {
		return (NNG_ENOMEM);
	}
	l->slot = -1;
	memcpy(l->session, cfg->session_id, sizeof(l->session));
	(void) pthread_mutex_lock(&mpc_tran_echo_lk);
	if ((s = mpc_tran_echo_find(p->party.sock_id)) == NULL) {
		if ((s = NNI_ALLOC_STRUCT(s)) == NULL) {
			rv = NNG_ENOMEM;
			goto out;
		}
		nni_mtx_init(&s->mtx);
		s->sock_id  = p->party.sock_id;
		s->next_seq = 1;
		mpc_echo_init(&s->table, 0);
		if (mpc_tran_echo_dlv_sock_init(s) != 0) {
			mpc_tran_echo_sock_free(s);
			rv = NNG_ENOMEM;
			goto out;
		}
		nni_list_append(&mpc_tran_echo_socks, s);
	}
	s->refs++;
	if (cfg->reliable && !s->streams_hold) {
		/* With delivery streams the state lives as long as they do
		 * (mpc_tran_echo_streams_gone), not only while pipes do. */
		s->streams_hold = true;
		s->refs++;
	}
	nni_mtx_lock(&s->mtx);
	if (cfg->reliable) {
		s->reliable     = true;
		s->window_msgs  = cfg->window_msgs;
		s->window_bytes = cfg->window_bytes;
	}
	s->self = cfg->party_id;
	memcpy(s->session, cfg->session_id, sizeof(s->session));
	s->table.timeout_ns = (uint64_t) cfg->bcast_timeout_ms * 1000000u;
	s->quorum           = cfg->bcast_quorum;
	if (cfg->bcast_equivocate > s->equivocate) {
		s->equivocate = cfg->bcast_equivocate;
	}
	if (p->peer.tls && (s->key == NULL)) {
		rv = mpc_tran_echo_load(s, tls);
	}
	nni_mtx_unlock(&s->mtx);
	l->s = s;
out:
	(void) pthread_mutex_unlock(&mpc_tran_echo_lk);
	p->echo = l;
	if (rv != 0) {
		mpc_tran_echo_detach(p);
	}
	return (rv);
}

/* Drops one reference to s (a pipe's, or the streams' hold when
 * streams); the last one frees it.  Takes the registry lock. */
static void
mpc_tran_echo_unref(mpc_tran_echo_sock *s, uint32_t sock_id, bool streams)
{
	bool last = false;

	(void) pthread_mutex_lock(&mpc_tran_echo_lk);
	if (streams) {
		if (((s = mpc_tran_echo_find(sock_id)) == NULL) ||
		    !s->streams_hold) {
			s = NULL;
		} else {
			s->streams_hold = false;
		}
	}
	if ((s != NULL) && (--s->refs == 0)) {
		nni_list_remove(&mpc_tran_echo_socks, s);
		last = true;
	}
	(void) pthread_mutex_unlock(&mpc_tran_echo_lk);
	if (last) {
		mpc_tran_echo_sock_free(s);
	}
}

void
mpc_tran_echo_detach(mpc_tran_pipe *p)
{
	mpc_tran_echo_link *l = p->echo;

	if (l == NULL) {
		return;
	}
	mpc_tran_echo_leave(p);
	p->echo = NULL;
	if (l->s != NULL) {
		/* From the pipe's fini, after its stop: the protocol is done
		 * with the pipe. */
		nni_mtx_lock(&l->s->mtx);
		mpc_tran_echo_dlv_unhanded(l->s, l);
		nni_mtx_unlock(&l->s->mtx);
		mpc_tran_echo_unref(l->s, 0, false);
	}
	NNI_FREE_STRUCT(l);
}

void
mpc_tran_echo_streams_gone(uint32_t sock_id)
{
	mpc_tran_echo_unref(NULL, sock_id, true);
}

void
mpc_tran_echo_join(mpc_tran_pipe *p)
{
	mpc_tran_echo_link *l = p->echo;
	mpc_tran_echo_sock *s;

	if (l == NULL) {
		return;
	}
	s = l->s;
	nni_mtx_lock(&s->mtx);
	/* With delivery streams a party keeps its slot (and certificate)
	 * across connections; a pipe replacing a stale one takes it over. */
	for (int i = 0; s->reliable && (i < MPC_TRAN_ECHO_PIPES); i++) {
		if (s->peers[i].party == p->peer.peer_id) {
			s->peers[i].p = p;
			l->slot       = i;
			break;
		}
	}
	for (int i = 0; (l->slot < 0) && (i < MPC_TRAN_ECHO_PIPES); i++) {
		if (s->peers[i].party == 0) {
			s->peers[i].p     = p;
			s->peers[i].party = p->peer.peer_id;
			l->slot           = i;
			break;
		}
	}
	l->live      = l->slot >= 0;
	l->cert_seen = false;
	/* Broadcasts made before this connection are not its to send: a
	 * party that reconnects must not get an old sequence again. */
	for (unsigned j = 0; (l->slot >= 0) && (j < MPC_TRAN_ECHO_SENT); j++) {
		if (s->sent[j].used) {
			s->sent[j].taken |= (uint64_t) 1 << l->slot;
		}
	}
	/* Before any broadcast of ours on this connection: frames of a
	 * pipe arrive in order. */
	if (p->peer.tls && (s->cert != NULL)) {
		(void) mpc_tran_send_ctl_data(
		    p, NNG_MPC_MSG_CTL_ECHO_CERT, s->cert, s->cert_len);
	}
	nni_mtx_unlock(&s->mtx);
}

void
mpc_tran_echo_leave(mpc_tran_pipe *p)
{
	mpc_tran_echo_link *l = p->echo;
	mpc_tran_echo_peer *pe;

	if ((l == NULL) || (l->slot < 0)) {
		return;
	}
	nni_mtx_lock(&l->s->mtx);
	pe      = &l->s->peers[l->slot];
	l->live = false;
	if (l->s->reliable) {
		/* The party stays known: absent until it reconnects. */
		if (pe->p == p) {
			pe->p = NULL;
		}
	} else {
		if (pe->cert != NULL) {
			nni_free(pe->cert, pe->cert_len);
		}
		memset(pe, 0, sizeof(*pe));
		l->slot = -1;
	}
	nni_mtx_unlock(&l->s->mtx);
}

bool
mpc_tran_echo_ctl_type(const mpc_tran_pipe *p, uint16_t type)
{
	return ((p->echo != NULL) &&
	    ((type == NNG_MPC_MSG_CTL_ECHO) ||
	        (type == NNG_MPC_MSG_CTL_ECHO_CERT)));
}

/* ------------------------------------------------------------ send */

/* SHA-256 of what the frame will carry: protocol header, then the body
 * after the envelope prefix. */
int
mpc_tran_echo_hash(nni_msg *msg, size_t prefix, uint8_t *out)
{
	wc_Sha256 h;
	int       rv = 0;

	if ((wc_InitSha256(&h) != 0) ||
	    (wc_Sha256Update(&h, nni_msg_header(msg),
	         (word32) nni_msg_header_len(msg)) != 0) ||
	    (wc_Sha256Update(&h, (uint8_t *) nni_msg_body(msg) + prefix,
	         (word32) (nni_msg_len(msg) - prefix)) != 0) ||
	    (wc_Sha256Final(&h, out) != 0)) {
		rv = NNG_MPC_ECRYPTO;
	}
	wc_Sha256Free(&h);
	return (rv);
}

/* Signs the statement for (type, seq, hash).  Locked. */
static int
mpc_tran_echo_sign(mpc_tran_echo_sock *s, uint16_t type, uint64_t seq,
    const uint8_t *hash, uint8_t *sig, size_t *sig_len)
{
	mpc_bcast_stmt st;

	*sig_len = 0;
	if (s->key == NULL) {
		return (0); /* no certificates: unsigned */
	}
	memset(&st, 0, sizeof(st));
	memcpy(st.session, s->session, sizeof(st.session));
	st.sender = s->self;
	st.type   = type;
	st.seq    = seq;
	memcpy(st.payload_hash, hash, sizeof(st.payload_hash));
	*sig_len = MPC_SIGN_SIG_MAX;
	return (mpc_bcast_stmt_sign(&st, s->key, sig, sig_len));
}

/* The test facility's other payload: the last byte flipped. */
void
mpc_tran_echo_variant(nni_msg *msg, size_t prefix, uint8_t *hash_out)
{
	uint8_t *b = (uint8_t *) nni_msg_body(msg) + prefix;
	size_t   n = nni_msg_len(msg) - prefix;

	if (n > 0) {
		b[n - 1] ^= 0x01u;
	}
	if (mpc_tran_echo_hash(msg, prefix, hash_out) != 0) {
		memset(hash_out, 0, MPC_EVIDENCE_HASH_SIZE);
	}
}

mpc_tran_echo_sent *
mpc_tran_echo_new_sent(mpc_tran_echo_sock *s, uint16_t type, nni_msg *msg,
    size_t prefix, const uint8_t *hash, int *rvp)
{
	mpc_tran_echo_sent *e = &s->sent[s->sent_next];
	uint8_t             alt[MPC_EVIDENCE_HASH_SIZE];

	s->sent_next = (s->sent_next + 1) % MPC_TRAN_ECHO_SENT;
	memset(e, 0, sizeof(*e));
	e->used = true;
	e->type = type;
	e->seq  = s->next_seq++;
	memcpy(e->hash, hash, sizeof(e->hash));
	*rvp = mpc_tran_echo_sign(
	    s, type, e->seq, hash, e->sig[0], &e->sig_len[0]);
	if ((*rvp == 0) && (s->equivocate > 0)) {
		nni_msg *m;
		s->equivocate--;
		e->split = true;
		if ((*rvp = nni_msg_dup(&m, msg)) == 0) {
			mpc_tran_echo_variant(m, prefix, alt);
			nni_msg_free(m);
			*rvp = mpc_tran_echo_sign(
			    s, type, e->seq, alt, e->sig[1], &e->sig_len[1]);
		}
	}
	if (*rvp != 0) {
		e->used = false; /* never sent: no pipe may take it */
	}
	return (e);
}

/* The oldest entry with this payload whose bit in mask(e) is set (want)
 * or clear, or NULL.  Locked. */
static mpc_tran_echo_sent *
mpc_tran_echo_match(mpc_tran_echo_sock *s, uint16_t type,
    const uint8_t *hash, uint64_t bit, bool given)
{
	mpc_tran_echo_sent *e = NULL;

	for (unsigned i = 0; i < MPC_TRAN_ECHO_SENT; i++) {
		mpc_tran_echo_sent *x = &s->sent[i];
		bool ok = given ? ((x->given & bit) != 0) : ((x->taken & bit) == 0);
		if (x->used && ok && (x->type == type) &&
		    (memcmp(x->hash, hash, sizeof(x->hash)) == 0) &&
		    ((e == NULL) || (x->seq < e->seq))) {
			e = x;
		}
	}
	return (e);
}

/*
 * The entry for this pipe's copy of a broadcast: the oldest with this
 * payload the pipe's party has not sent, else a new one (kept for the
 * absent parties at once, with delivery streams).  NULL with *rvp 0: the
 * copy of a closed pipe whose party got the broadcast on its stream
 * already (mpc_tran_echo_dlv_absent).  Locked.
 */
static mpc_tran_echo_sent *
mpc_tran_echo_assign(mpc_tran_echo_sock *s, const mpc_tran_echo_link *l,
    uint32_t party, uint16_t type, nni_msg *msg, size_t prefix,
    const uint8_t *hash, int *rvp)
{
	mpc_tran_echo_sent *e;
	uint64_t            bit = (uint64_t) 1 << l->slot;

	*rvp = 0;
	if (s->reliable && !l->live &&
	    ((e = mpc_tran_echo_match(s, type, hash, bit, true)) != NULL)) {
		e->given &= ~bit;
		return (NULL);
	}
	if ((e = mpc_tran_echo_match(s, type, hash, bit, false)) != NULL) {
		return (e);
	}
	e = mpc_tran_echo_new_sent(s, type, msg, prefix, hash, rvp);
	if (*rvp == 0) {
		mpc_tran_echo_dlv_absent(s, e, msg, prefix, party);
	}
	return (e);
}

/* Builds [envelope prefix][echo prefix][header][body] for the wire. */
int
mpc_tran_echo_wrap(nni_msg **out, nni_msg *msg, size_t prefix,
    const uint8_t *pre, size_t pre_len)
{
	size_t   hl = nni_msg_header_len(msg);
	size_t   bl = nni_msg_len(msg) - prefix;
	uint8_t *b;
	int      rv;

	if ((rv = nni_msg_alloc(out, prefix + pre_len + hl + bl)) != 0) {
		return (rv);
	}
	b = nni_msg_body(*out);
	memcpy(b, nni_msg_body(msg), prefix);
	memcpy(b + prefix, pre, pre_len);
	memcpy(b + prefix + pre_len, nni_msg_header(msg), hl);
	memcpy(b + prefix + pre_len + hl, (uint8_t *) nni_msg_body(msg) + prefix,
	    bl);
	return (0);
}

/* The test facility splits the parties: the connected one with the
 * highest ID gets the other payload, so with two or more receivers both
 * payloads go out.  Locked. */
uint32_t
mpc_tran_echo_split_party(const mpc_tran_echo_sock *s)
{
	uint32_t party = 0;

	for (int i = 0; i < MPC_TRAN_ECHO_PIPES; i++) {
		if ((s->peers[i].p != NULL) && (s->peers[i].party > party)) {
			party = s->peers[i].party;
		}
	}
	return (party);
}

bool
mpc_tran_echo_send(mpc_tran_pipe *p, nni_aio *aio)
{
	mpc_tran_echo_link *l   = p->echo;
	nni_msg *           msg = nni_aio_get_msg(aio);
	nni_msg *           out = NULL;
	mpc_envelope_out    env;
	mpc_tran_echo_sent *e;
	uint8_t             hash[MPC_EVIDENCE_HASH_SIZE];
	uint8_t             pre[MPC_ECHO_PREFIX_MIN + MPC_SIGN_SIG_MAX];
	size_t              pre_len = 0;
	int                 v       = 0;
	int                 rv;

	if ((l == NULL) || (l->slot < 0) || (msg == NULL) ||
	    (mpc_envelope_parse_out(
	         &env, nni_msg_body(msg), nni_msg_len(msg), NULL) != 0) ||
	    (env.recipient != NNG_MPC_PARTY_BROADCAST)) {
		return (true); /* not ours: the send path decides */
	}
	if ((rv = mpc_tran_echo_hash(msg, env.prefix_len, hash)) != 0) {
		goto fail;
	}
	nni_mtx_lock(&l->s->mtx);
	e = mpc_tran_echo_assign(l->s, l, p->peer.peer_id, env.type, msg,
	    env.prefix_len, hash, &rv);
	if ((rv == 0) && (e == NULL)) {
		/* Its stream has it already: this copy fails like any send
		 * on a closing pipe, and is not kept twice. */
		nni_mtx_unlock(&l->s->mtx);
		nni_aio_set_msg(aio, NULL);
		nni_msg_free(msg);
		rv = NNG_ECLOSED;
		goto fail;
	}
	if (rv == 0) {
		e->taken |= (uint64_t) 1 << l->slot;
		v = (e->split &&
		        (mpc_tran_echo_split_party(l->s) == p->peer.peer_id))
		    ? 1
		    : 0;
		if (!mpc_echo_prefix_put(pre, sizeof(pre), e->seq, e->sig[v],
		        e->sig_len[v], &pre_len)) {
			rv = NNG_EINTERNAL;
		}
	}
	nni_mtx_unlock(&l->s->mtx);
	if ((rv != 0) ||
	    ((rv = mpc_tran_echo_wrap(
	          &out, msg, env.prefix_len, pre, pre_len)) != 0)) {
		goto fail;
	}
	if (v == 1) {
		uint8_t ignored[MPC_EVIDENCE_HASH_SIZE];
		mpc_tran_echo_variant(out, env.prefix_len + pre_len, ignored);
	}
	nni_aio_set_msg(aio, out);
	nni_msg_free(msg);
	return (true);
fail:
	if (nni_aio_begin(aio) == 0) {
		nni_aio_finish_error(aio, rv);
	}
	return (false);
}

/* --------------------------------------------------------- receive */

mpc_tran_echo_peer *
mpc_tran_echo_peer_of(mpc_tran_echo_sock *s, uint32_t party)
{
	for (int i = 0; (party != 0) && (i < MPC_TRAN_ECHO_PIPES); i++) {
		if (s->peers[i].party == party) {
			return (&s->peers[i]);
		}
	}
	return (NULL);
}

/* Parties connected besides `except`: the echoes a broadcast waits for
 * (or the quorum).  Locked. */
size_t
mpc_tran_echo_need(const mpc_tran_echo_sock *s, uint32_t except)
{
	size_t n = 0;

	if (s->quorum > 0) {
		return ((size_t) s->quorum);
	}
	for (int i = 0; i < MPC_TRAN_ECHO_PIPES; i++) {
		if ((s->peers[i].p != NULL) && (s->peers[i].party != except)) {
			n++;
		}
	}
	return (n);
}

/* A certificate frame: the peer's, with the key TLS authenticated, its
 * party ID, and (with anchors) chaining to them.  Locked. */
static int
mpc_tran_echo_cert(mpc_tran_echo_sock *s, mpc_tran_echo_link *l,
    mpc_tran_pipe *p, nni_msg *msg)
{
	struct mpc_tls_leaf leaf;
	mpc_tran_echo_peer *pe;
	const uint8_t *     der = nni_msg_body(msg);
	size_t              len = nni_msg_len(msg);

	if (!p->peer.tls || (l->slot < 0) || (len == 0) ||
	    (len > MPC_SIGN_CERT_MAX)) {
		return (NNG_MPC_EECHOFRAME);
	}
	pe = &s->peers[l->slot];
	if (l->cert_seen || (mpc_tls_leaf_parse(der, len, &leaf) != 0) ||
	    (leaf.party_status != MPC_TLS_PARTY_OK) ||
	    (leaf.party_id != p->peer.peer_id) || !leaf.spki_ok ||
	    (memcmp(leaf.spki_sha256, p->peer.tlsp.pin,
	         sizeof(leaf.spki_sha256)) != 0) ||
	    ((s->ca_pem != NULL) &&
	        (mpc_sign_cert_trusted(s->ca_pem, s->ca_len, der, len) != 0))) {
		return (NNG_MPC_EECHOCERT);
	}
	l->cert_seen = true;
	if ((pe->cert != NULL) && (pe->cert_len == len) &&
	    (memcmp(pe->cert, der, len) == 0)) {
		return (0); /* the party reconnected: the same certificate */
	}
	/* A party whose certificate was renewed (the TLS handshake just
	 * authenticated the new key) signs with the new one from now on. */
	if (pe->cert != NULL) {
		nni_free(pe->cert, pe->cert_len);
		pe->cert = NULL;
	}
	if ((pe->cert = nni_alloc(len)) == NULL) {
		return (NNG_ENOMEM);
	}
	memcpy(pe->cert, der, len);
	pe->cert_len = len;
	return (0);
}

/* The statement's signature, with the sender's certificate (over TLS:
 * required; without certificates: none allowed).  Locked. */
int
mpc_tran_echo_verify_tls(
    mpc_tran_echo_sock *s, bool tls, const mpc_echo_signed *x)
{
	mpc_tran_echo_peer *pe;
	uint8_t             b[MPC_EVIDENCE_STMT_SIZE];

	if (!tls) {
		return (x->sig_len == 0 ? 0 : NNG_MPC_EECHOFRAME);
	}
	if (((pe = mpc_tran_echo_peer_of(s, x->st.sender)) == NULL) ||
	    (pe->cert == NULL)) {
		return (NNG_MPC_EECHOCERT);
	}
	mpc_bcast_stmt_encode(&x->st, b);
	return (mpc_sign_verify(pe->cert, pe->cert_len, b, sizeof(b), x->sig,
	            x->sig_len) == 0
	        ? 0
	        : NNG_MPC_EECHOSIG);
}

/* Equivocation: counters, the report and (both signed, and a certificate
 * known) the evidence file.  Locked. */
static void
mpc_tran_echo_report(mpc_tran_echo_sock *s, const mpc_echo_result *r)
{
	nng_mpc_echo_report *rep = &s->rep;
	mpc_tran_echo_peer * pe  = mpc_tran_echo_peer_of(s, r->a.st.sender);
	mpc_evidence         ev;

	rep->equivocations++;
	rep->sender  = r->a.st.sender;
	/* The echoing party whose statement conflicts (the other one may be
	 * the sender's own frame). */
	rep->witness = r->from_b != r->a.st.sender ? r->from_b : r->from_a;
	rep->type    = r->a.st.type;
	rep->seq     = r->a.st.seq;
	memcpy(rep->digest[0], r->a.digest, sizeof(rep->digest[0]));
	memcpy(rep->digest[1], r->b.digest, sizeof(rep->digest[1]));
	rep->proven       = 0;
	rep->evidence_len = 0;
	if ((pe != NULL) && (pe->p != NULL)) {
		char d[200];
		int  k;
		mpc_tran_pipe_count(&pe->p->stats, MPC_TRAN_P_ECHO_EQUIV, 1);
		k = snprintf(d, sizeof(d), "type=%u seq=%llu witness=%u a=",
		    (unsigned) rep->type, (unsigned long long) rep->seq,
		    (unsigned) rep->witness);
		for (int i = 0; (i < 2) && (k > 0); i++) {
			for (size_t j = 0; (j < 16) && (k + 3 < (int) sizeof(d));
			     j++) {
				k += snprintf(d + k, sizeof(d) - (size_t) k, "%02x",
				    rep->digest[i][j]);
			}
			if ((i == 0) && (k + 4 < (int) sizeof(d))) {
				k += snprintf(d + k, sizeof(d) - (size_t) k, " b=");
			}
		}
		mpc_tran_pipe_ev_equivocation(pe->p, d);
	}
	if ((r->a.sig_len == 0) || (r->b.sig_len == 0) || (pe == NULL) ||
	    (pe->cert == NULL) || !mpc_bcast_stmt_conflict(&r->a.st, &r->b.st)) {
		return;
	}
	memset(&ev, 0, sizeof(ev));
	ev.st[0]      = r->a.st;
	ev.st[1]      = r->b.st;
	ev.sig_len[0] = r->a.sig_len;
	ev.sig_len[1] = r->b.sig_len;
	memcpy(ev.sig[0], r->a.sig, r->a.sig_len);
	memcpy(ev.sig[1], r->b.sig, r->b.sig_len);
	memcpy(ev.cert, pe->cert, pe->cert_len);
	ev.cert_len = pe->cert_len;
	if (mpc_evidence_write(&ev, rep->evidence, sizeof(rep->evidence),
	        &rep->evidence_len) == 0) {
		rep->proven = 1;
	} else {
		rep->evidence_len = 0;
	}
}

/* Our echo of a statement to every connected party but its sender and
 * the one it came from; with delivery streams to every party the socket
 * knows but its sender, on their streams (an absent one gets it when it
 * reconnects).  Locked. */
static void
mpc_tran_echo_fanout(
    mpc_tran_echo_sock *s, const mpc_tran_pipe *from, const mpc_echo_signed *x)
{
	uint8_t buf[MPC_ECHO_FRAME_MAX];
	size_t  len;

	mpc_echo_frame_put(x, buf, &len);
	for (int i = 0; s->reliable && (i < MPC_TRAN_ECHO_PIPES); i++) {
		uint32_t party = s->peers[i].party;
		if ((party != 0) && (party != x->st.sender) &&
		    (party != from->peer.peer_id)) {
			mpc_tran_echo_dlv_echo(s, party, buf, len);
		}
	}
	for (int i = 0; !s->reliable && (i < MPC_TRAN_ECHO_PIPES); i++) {
		mpc_tran_pipe *q = s->peers[i].p;
		if ((q != NULL) && (q != from) &&
		    (s->peers[i].party != x->st.sender)) {
			(void) mpc_tran_send_ctl_data(
			    q, NNG_MPC_MSG_CTL_ECHO, buf, len);
		}
	}
}

/* Drops held broadcasts past their deadline.  Locked. */
void
mpc_tran_echo_expire(mpc_tran_echo_sock *s)
{
	uint32_t sender;
	uint64_t seq;
	void *   m;

	while (mpc_echo_expire(&s->table, mpc_tran_now_ns(), &sender, &seq,
	    &m)) {
		s->rep.timeouts++;
		if (m != NULL) {
			nni_msg_free(m);
		}
	}
}

/* Acts on the table's decision; returns the message to deliver.  Locked. */
nni_msg *
mpc_tran_echo_act(mpc_tran_echo_sock *s, mpc_echo_result *r)
{
	nni_msg *deliver = NULL;

	switch (r->action) {
	case MPC_ECHO_DELIVER:
		s->rep.delivered++;
		deliver = r->msg;
		break;
	case MPC_ECHO_EQUIVOCATION:
		mpc_tran_echo_report(s, r);
		break;
	case MPC_ECHO_FULL:
		s->rep.full++;
		break;
	default:
		break;
	}
	if ((r->msg != NULL) && (r->msg != deliver)) {
		nni_msg_free(r->msg);
	}
	if (r->evicted != NULL) {
		nni_msg_free(r->evicted);
	}
	return (deliver);
}

/* A signed broadcast from the peer: strip and check its prefix, add the
 * envelope, hold it, echo it.  Locked. */
static int
mpc_tran_echo_bcast(mpc_tran_echo_sock *s, mpc_tran_echo_link *l,
    mpc_tran_pipe *p, const mpc_frame_hdr *h, nni_msg **msgp)
{
	nni_msg *       msg = *msgp;
	mpc_echo_signed x;
	mpc_echo_result r;
	size_t          used;
	int             rv;

	memset(&x, 0, sizeof(x));
	if ((rv = mpc_echo_prefix_get(nni_msg_body(msg), nni_msg_len(msg),
	         &x.st.seq, x.sig, &x.sig_len, &used)) != 0) {
		return (rv);
	}
	if (((rv = mpc_bcast_stmt_make(&x.st, l->session, p->peer.peer_id,
	          h->type, x.st.seq, (uint8_t *) nni_msg_body(msg) + used,
	          nni_msg_len(msg) - used)) != 0) ||
	    ((rv = mpc_bcast_stmt_digest(&x.st, x.digest)) != 0) ||
	    ((rv = mpc_tran_echo_verify_tls(s, p->peer.tls, &x)) != 0)) {
		return (rv);
	}
	mpc_wipe(nni_msg_body(msg), used);
	nni_msg_trim(msg, used);
	if ((rv = mpc_envelope_put_in(msg, h)) != 0) {
		return (rv);
	}
	mpc_echo_see(&s->table, mpc_tran_now_ns(), p->peer.peer_id, &x, msg,
	    mpc_tran_echo_need(s, p->peer.peer_id), &r);
	*msgp = mpc_tran_echo_act(s, &r);
	if ((r.action != MPC_ECHO_LATE) && (r.action != MPC_ECHO_FULL)) {
		mpc_tran_echo_fanout(s, p, &x);
	}
	return (0);
}

/* An echo from the peer of another party's statement.  Locked. */
static int
mpc_tran_echo_echo(mpc_tran_echo_sock *s, mpc_tran_echo_link *l,
    mpc_tran_pipe *p, nni_msg **msgp)
{
	mpc_echo_signed x;
	mpc_echo_result r;
	int             rv;

	if ((rv = mpc_echo_frame_get(
	         &x, nni_msg_body(*msgp), nni_msg_len(*msgp))) != 0) {
		return (rv);
	}
	if ((memcmp(x.st.session, l->session, sizeof(l->session)) != 0) ||
	    (x.st.sender == p->peer.peer_id) ||
	    (x.st.sender == p->peer.self_id) ||
	    (x.st.sender == NNG_MPC_PARTY_NONE)) {
		return (NNG_MPC_EECHOFRAME);
	}
	/* Over TLS, EECHOCERT here means no certificate of the sender is
	 * known (yet). */
	rv = mpc_tran_echo_verify_tls(s, p->peer.tls, &x);
	if ((rv == NNG_MPC_EECHOCERT) && s->reliable) {
		/* The sender's certificate has not reached us yet: the echo
		 * waits for it (mpc_tran_echo_pend.c). */
		mpc_tran_echo_pend_add(s, p->peer.peer_id, &x, mpc_tran_now_ns());
		nni_msg_free(*msgp);
		*msgp = NULL;
		return (0);
	}
	if (rv != 0) {
		return (rv);
	}
	nni_msg_free(*msgp);
	mpc_echo_see(&s->table, mpc_tran_now_ns(), p->peer.peer_id, &x, NULL,
	    mpc_tran_echo_need(s, x.st.sender), &r);
	*msgp = mpc_tran_echo_act(s, &r);
	return (0);
}

int
mpc_tran_echo_recv(
    mpc_tran_pipe *p, const mpc_frame_hdr *h, nni_msg **msgp, bool *taken)
{
	mpc_tran_echo_link *l = p->echo;
	mpc_tran_echo_sock *s;
	int                 rv = 0;

	*taken = false;
	if ((l == NULL) ||
	    ((h->recipient != NNG_MPC_PARTY_BROADCAST) &&
	        !mpc_tran_echo_ctl_type(p, h->type))) {
		return (0);
	}
	s = l->s;
	nni_mtx_lock(&s->mtx);
	mpc_tran_echo_expire(s);
	if (h->type == NNG_MPC_MSG_CTL_ECHO_CERT) {
		if ((rv = mpc_tran_echo_cert(s, l, p, *msgp)) == 0) {
			nni_msg_free(*msgp);
			/* Echoes that waited for this certificate count now. */
			*msgp = mpc_tran_echo_pend_release(s, p->peer.peer_id);
		}
	} else if (h->type == NNG_MPC_MSG_CTL_ECHO) {
		rv = mpc_tran_echo_echo(s, l, p, msgp);
	} else {
		rv = mpc_tran_echo_bcast(s, l, p, h, msgp);
	}
	if ((rv != 0) && (rv != NNG_ENOMEM)) {
		s->rep.rejected++;
	}
	if ((rv == 0) && (*msgp != NULL)) {
		mpc_tran_echo_dlv_handed(s, l, *msgp);
	}
	mpc_tran_echo_dlv_arm(s);
	nni_mtx_unlock(&s->mtx);
	*taken = rv == 0;
	return (rv);
}

int
mpc_tran_echo_sendmsg_sign(uint32_t sock_id, nni_msg *msg, nni_msg **plain,
    nni_msg **alt, uint32_t *alt_party)
{
	mpc_tran_echo_sock *s;
	mpc_tran_echo_sent *e;
	mpc_envelope_out    env;
	uint8_t             hash[MPC_EVIDENCE_HASH_SIZE];
	uint8_t             pre[2][MPC_ECHO_PREFIX_MIN + MPC_SIGN_SIG_MAX];
	size_t              pre_len[2] = { 0, 0 };
	bool                split = false;
	int                 rv;

	*plain     = NULL;
	*alt       = NULL;
	*alt_party = 0;
	if (((rv = mpc_envelope_parse_out(
	          &env, nni_msg_body(msg), nni_msg_len(msg), NULL)) != 0) ||
	    ((rv = mpc_tran_echo_hash(msg, env.prefix_len, hash)) != 0)) {
		return (rv);
	}
	(void) pthread_mutex_lock(&mpc_tran_echo_lk);
	if (((s = mpc_tran_echo_find(sock_id)) == NULL) || !s->reliable) {
		(void) pthread_mutex_unlock(&mpc_tran_echo_lk);
		return (NNG_ENOENT);
	}
	nni_mtx_lock(&s->mtx);
	e = mpc_tran_echo_new_sent(
	    s, env.type, msg, env.prefix_len, hash, &rv);
	if (rv == 0) {
		/* Every party gets it from here: no pipe's copy matches. */
		e->taken = ~(uint64_t) 0;
		split    = e->split;
		for (int v = 0; (v < (split ? 2 : 1)) && (rv == 0); v++) {
			if (!mpc_echo_prefix_put(pre[v], sizeof(pre[v]), e->seq,
			        e->sig[v], e->sig_len[v], &pre_len[v])) {
				rv = NNG_EINTERNAL;
			}
		}
		*alt_party = split ? mpc_tran_echo_split_party(s) : 0;
	}
	nni_mtx_unlock(&s->mtx);
	(void) pthread_mutex_unlock(&mpc_tran_echo_lk);
	if ((rv != 0) ||
	    ((rv = mpc_tran_echo_wrap(
	          plain, msg, env.prefix_len, pre[0], pre_len[0])) != 0)) {
		return (rv);
	}
	if (split) {
		uint8_t ignored[MPC_EVIDENCE_HASH_SIZE];
		if ((rv = mpc_tran_echo_wrap(alt, msg, env.prefix_len, pre[1],
		         pre_len[1])) != 0) {
			nni_msg_free(*plain);
			*plain = NULL;
			return (rv);
		}
		mpc_tran_echo_variant(*alt, env.prefix_len + pre_len[1], ignored);
	}
	return (0);
}

/* ------------------------------------------------------------ report */

int
nng_mpc_echo_report_get(nng_socket sock, nng_mpc_echo_report *rep)
{
	mpc_tran_echo_sock *s;
	int                 rv;

	if (rep == NULL) {
		return (NNG_EINVAL);
	}
	(void) pthread_mutex_lock(&mpc_tran_echo_lk);
	if ((s = mpc_tran_echo_find(sock.id)) == NULL) {
		(void) pthread_mutex_unlock(&mpc_tran_echo_lk);
		return (NNG_ENOENT);
	}
	nni_mtx_lock(&s->mtx);
	*rep         = s->rep;
	rep->pending = mpc_tran_echo_pend_count(s);
	rv   = s->rep.equivocations == 0 ? 0
	      : s->rep.proven          ? NNG_MPC_EEQUIVOCATION
	                               : NNG_MPC_EECHOUNSIGNED;
	nni_mtx_unlock(&s->mtx);
	(void) pthread_mutex_unlock(&mpc_tran_echo_lk);
	return (rv);
}
