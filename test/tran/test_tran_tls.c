/*
 * test_tran_tls.c -- mpc+tls+tcp://: certificates made at test time with
 * the project's own generator (crypto/mpc_certgen, what `nngmpc certs`
 * uses): a CA and parties 1..3, plus a second CA nobody trusts.
 *   - pair1 exchange both ways and a 1 MiB message, with the TLS pipe
 *     options (peer party, subject, version, cipher, pin);
 *   - the party ID claimed in the hello must be the certificate's;
 *   - channel binding (TLS exporter): on by default, off on both sides
 *     works, on one side only is NNG_MPC_ECAPS;
 *   - a wrong session key is still caught by key confirmation over TLS;
 *   - certificate pins: the peer's own pin passes, another fails the TLS
 *     handshake; a client without a certificate is refused by default;
 *   - a bus0 mesh of three with a unicast that only its party sees;
 *   - each frame up to 16 KiB is one TLS record (counted by a relay), and
 *     a burst of frames shares records;
 *   - listen on a busy address, NNG_OPT_RECVMAXSZ, dial refused.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mpc_certgen.h"
#include "tran_certs.h"
#include "tran_util.h"

#include <nng/supplemental/util/platform.h>

static int
make_certs(void **state)
{
	(void) state;
	tc_make("tran-tls", 3);
	/* Another party 2 certificate from the same CA: another key, so
	 * another identity claiming party 2. */
	tc_party(2, "twin2.pem");
	/* A party 2 certificate from a CA nobody trusts. */
	tc_rogue(2, "rogue2.pem");
	tu_register();
	return (0);
}

static int
remove_certs(void **state)
{
	(void) state;
	tc_remove();
	return (0);
}

/* A socket of party id using certificate file cert (NULL: party<id>). */
static nng_socket
tls_sock(nng_socket s, uint32_t id, const char *cert)
{
	char name[32];

	if (cert == NULL) {
		(void) snprintf(name, sizeof(name), "party%u.pem", id);
		cert = name;
	}
	tc_tls(s, cert);
	return (s);
}

static void
test_tls_exchange(void **state)
{
	nng_socket a = tls_sock(tu_pair(1), 1, NULL);
	nng_socket b = tls_sock(tu_pair(2), 2, NULL);
	char       url[256];
	nng_msg *  m;
	nng_pipe   p;
	int        peer;
	char *     str;
	uint8_t    pin[NNG_MPC_TLS_PIN_SIZE];
	size_t     sz = sizeof(pin);
	size_t     big = 2u << 20;
	size_t     len = 1u << 20;
	uint8_t *  data;

	(void) state;
	TU_PASS(nng_mpc_socket_set(a, NNG_OPT_MPC_MAX_MSG_SIZE, &big, sizeof(big)));
	TU_PASS(nng_socket_set_size(a, NNG_OPT_RECVMAXSZ, big));
	tu_listen(a, "mpc+tls+tcp", url, sizeof(url), NULL);
	TU_PASS(nng_dial(b, url, NULL, 0));
	tu_send(b, "over tls", 9, NNG_MPC_MSG_SIGN_ROUND3, 1);
	m = tu_recv(a);
	assert_string_equal(nng_msg_body(m), "over tls");
	p = nng_msg_get_pipe(m);
	nng_msg_free(m);
	TU_PASS(nng_pipe_get_int(p, NNG_OPT_MPC_PEER_PARTY_ID, &peer));
	assert_int_equal(peer, 2);
	TU_PASS(nng_pipe_get_string(p, NNG_OPT_MPC_PEER_SUBJECT, &str));
	assert_non_null(strstr(str, "party-2"));
	nng_strfree(str);
	TU_PASS(nng_pipe_get_string(p, NNG_OPT_MPC_TLS_VERSION, &str));
	assert_string_equal(str, "TLSv1.3");
	nng_strfree(str);
	TU_PASS(nng_pipe_get_string(p, NNG_OPT_MPC_TLS_CIPHER, &str));
	assert_non_null(strstr(str, "TLS_"));
	nng_strfree(str);
	TU_PASS(nng_pipe_get(p, NNG_OPT_MPC_PEER_PIN, pin, &sz));
	assert_int_equal(sz, sizeof(pin));

	tu_send(a, "reply", 6, 0, 0);
	m = tu_recv(b);
	assert_string_equal(nng_msg_body(m), "reply");
	nng_msg_free(m);

	assert_non_null(data = malloc(len));
	for (size_t i = 0; i < len; i++) {
		data[i] = (uint8_t) (i * 13 + 1);
	}
	tu_send(b, data, len, 0, 0);
	m = tu_recv(a);
	assert_int_equal(nng_msg_len(m), len);
	assert_memory_equal(nng_msg_body(m), data, len);
	nng_msg_free(m);
	free(data);
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
}

/* What the application's filter saw of a TLS peer. */
struct tls_filter_seen {
	int      calls;
	uint32_t party;
	char     subject[256];
	char     version[32];
	uint8_t  pin[NNG_MPC_TLS_PIN_SIZE];
	bool     has_pin;
};

static int
tls_filter(void *arg, const nng_mpc_peer_info *peer)
{
	struct tls_filter_seen *f = arg;

	f->calls++;
	f->party = peer->party;
	(void) snprintf(f->subject, sizeof(f->subject), "%s", peer->subject);
	(void) snprintf(f->version, sizeof(f->version), "%s",
	    peer->tls_version);
	if ((f->has_pin = peer->pin != NULL)) {
		memcpy(f->pin, peer->pin, sizeof(f->pin));
	}
	return (0);
}

/* Over TLS the filter gets the verified certificate's identity: the same
 * subject and pin the pipe reports afterwards. */
static void
test_filter_sees_certificate(void **state)
{
	nng_socket             a = tls_sock(tu_pair(1), 1, NULL);
	nng_socket             b = tls_sock(tu_pair(2), 2, NULL);
	struct tls_filter_seen seen;
	nng_mpc_filter         f   = { .fn = tls_filter, .arg = &seen };
	void *                 ptr = &f;
	char                   url[256];
	uint8_t                pin[NNG_MPC_TLS_PIN_SIZE];
	size_t                 sz = sizeof(pin);
	nng_msg *              m;
	char *                 str;

	(void) state;
	memset(&seen, 0, sizeof(seen));
	TU_PASS(nng_mpc_socket_set(a, NNG_OPT_MPC_FILTER, &ptr, sizeof(ptr)));
	tu_listen(a, "mpc+tls+tcp", url, sizeof(url), NULL);
	TU_PASS(nng_dial(b, url, NULL, 0));
	tu_send(b, "hi", 3, 0, 0);
	m = tu_recv(a);
	assert_int_equal(seen.calls, 1);
	assert_int_equal(seen.party, 2);
	assert_string_equal(seen.version, "TLSv1.3");
	assert_true(seen.has_pin);
	TU_PASS(nng_pipe_get_string(
	    nng_msg_get_pipe(m), NNG_OPT_MPC_PEER_SUBJECT, &str));
	assert_string_equal(seen.subject, str);
	nng_strfree(str);
	TU_PASS(nng_pipe_get(nng_msg_get_pipe(m), NNG_OPT_MPC_PEER_PIN, pin,
	    &sz));
	assert_memory_equal(seen.pin, pin, sizeof(pin));
	nng_msg_free(m);
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
}

/*
 * Dials a (party 1 listening) from b and expects err; the listener's
 * counter lctr moves.  err NNG_EPEERAUTH means the TLS handshake itself
 * fails at the listener: the dialer then gets the listener's alert
 * (NNG_EPEERAUTH) or, when NNG 1.5.2 closes TCP before the alert leaves,
 * the end of the connection (NNG_ECONNSHUT / NNG_ECONNRESET); the
 * listener counts it under NNG_OPT_MPC_REJ_TLS.
 */
static void
tls_refused(nng_socket a, nng_socket b, int err, const char *lctr)
{
	nng_listener l;
	nng_dialer   d;
	char         url[256];
	int          rv;

	tu_listen(a, "mpc+tls+tcp", url, sizeof(url), &l);
	TU_PASS(nng_dialer_create(&d, b, url));
	rv = nng_dialer_start(d, 0);
	if ((err == NNG_EPEERAUTH) &&
	    ((rv == NNG_ECONNSHUT) || (rv == NNG_ECONNRESET))) {
		rv = NNG_EPEERAUTH;
	}
	TU_EXPECT(err, rv);
	if (lctr != NULL) {
		for (int i = 0; i < 500 && tu_listener_ctr(l, lctr) == 0; i++) {
			nng_msleep(10);
		}
		assert_int_equal(tu_listener_ctr(l, lctr), 1);
	}
	assert_int_equal(tu_listener_ctr(l, NNG_OPT_MPC_HANDSHAKES), 0);
	assert_int_equal(tu_pipes_seen(a), 0);
	assert_int_equal(tu_pipes_seen(b), 0);
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
}

static void
test_party_must_match_cert(void **state)
{
	/* Party 3 presenting party 2's (valid) certificate. */
	(void) state;
	tls_refused(tls_sock(tu_pair(1), 1, NULL),
	    tls_sock(tu_pair(3), 3, "party2.pem"), NNG_MPC_EPARTYCERT,
	    NNG_OPT_MPC_REJ_CERT);
}

static void
test_untrusted_ca(void **state)
{
	/* The TLS engine refuses it; the MPC handshake never starts. */
	(void) state;
	tls_refused(tls_sock(tu_pair(1), 1, NULL),
	    tls_sock(tu_pair(2), 2, "rogue2.pem"), NNG_EPEERAUTH,
	    NNG_OPT_MPC_REJ_TLS);
}

/* A party must present a certificate: a dialer without one is refused
 * before it connects, with the reason (the listener sees nothing). */
static void
test_no_client_cert(void **state)
{
	nng_socket b;

	(void) state;
	b = tu_pair(2);
	tc_tls(b, NULL);
	tls_refused(tls_sock(tu_pair(1), 1, NULL), b, NNG_MPC_ETLSNOCERT, NULL);
}

static void
test_binding_one_side(void **state)
{
	nng_socket b   = tls_sock(tu_pair(2), 2, NULL);
	bool       off = false;

	(void) state;
	TU_PASS(nng_mpc_socket_set(
	    b, NNG_OPT_MPC_CHANNEL_BINDING, &off, sizeof(off)));
	tls_refused(tls_sock(tu_pair(1), 1, NULL), b, NNG_MPC_ECAPS,
	    NNG_OPT_MPC_REJ_CAPS);
}

static void
test_binding_off_both(void **state)
{
	nng_socket a   = tls_sock(tu_pair(1), 1, NULL);
	nng_socket b   = tls_sock(tu_pair(2), 2, NULL);
	bool       off = false;
	char       url[256];
	nng_msg *  m;

	(void) state;
	TU_PASS(nng_mpc_socket_set(
	    a, NNG_OPT_MPC_CHANNEL_BINDING, &off, sizeof(off)));
	TU_PASS(nng_mpc_socket_set(
	    b, NNG_OPT_MPC_CHANNEL_BINDING, &off, sizeof(off)));
	tu_listen(a, "mpc+tls+tcp", url, sizeof(url), NULL);
	TU_PASS(nng_dial(b, url, NULL, 0));
	tu_send(b, "unbound", 8, 0, 0);
	m = tu_recv(a);
	assert_string_equal(nng_msg_body(m), "unbound");
	nng_msg_free(m);
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
}

static void
test_wrong_key_over_tls(void **state)
{
	nng_socket b = tls_sock(tu_pair(2), 2, NULL);
	uint8_t    key[NNG_MPC_SESSION_KEY_SIZE];

	(void) state;
	memcpy(key, tu_key, sizeof(key));
	key[31] ^= 1;
	TU_PASS(
	    nng_mpc_socket_set(b, NNG_OPT_MPC_SESSION_KEY, key, sizeof(key)));
	tls_refused(tls_sock(tu_pair(1), 1, NULL), b, NNG_MPC_EKEYCONFIRM,
	    NNG_OPT_MPC_REJ_KEY);
}

static void
hex(char *out, const uint8_t *in, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		(void) sprintf(out + 2 * i, "%02x", in[i]);
	}
}

static void
test_pins(void **state)
{
	nng_socket a = tls_sock(tu_pair(1), 1, NULL);
	nng_socket b = tls_sock(tu_pair(2), 2, NULL);
	char       url[256];
	nng_msg *  m;
	nng_pipe   p;
	nng_dialer d;
	uint8_t    pin[NNG_MPC_TLS_PIN_SIZE];
	size_t     sz = sizeof(pin);
	char       pins[2 * (2 * NNG_MPC_TLS_PIN_SIZE) + 2];
	char *     back;

	(void) state;
	tu_listen(a, "mpc+tls+tcp", url, sizeof(url), NULL);
	TU_PASS(nng_dial(b, url, &d, 0));
	tu_send(a, "pin?", 5, 0, 0);
	m = tu_recv(b);
	p = nng_msg_get_pipe(m);
	nng_msg_free(m);
	TU_PASS(nng_pipe_get(p, NNG_OPT_MPC_PEER_PIN, pin, &sz));
	TU_PASS(nng_dialer_close(d));
	tu_wait_pipes(b, 0);

	/* Party 1's pin after an unrelated one: accepted. */
	memset(pins, 'a', 2 * NNG_MPC_TLS_PIN_SIZE);
	pins[2 * NNG_MPC_TLS_PIN_SIZE] = ',';
	hex(pins + 2 * NNG_MPC_TLS_PIN_SIZE + 1, pin, sizeof(pin));
	TU_PASS(nng_dialer_create(&d, b, url));
	TU_PASS(nng_dialer_set_string(d, NNG_OPT_MPC_CERT_PINS, pins));
	TU_PASS(nng_dialer_get_string(d, NNG_OPT_MPC_CERT_PINS, &back));
	assert_string_equal(back, pins);
	nng_strfree(back);
	TU_PASS(nng_dialer_start(d, 0));
	tu_send(b, "pinned", 7, 0, 0);
	m = tu_recv(a);
	assert_string_equal(nng_msg_body(m), "pinned");
	nng_msg_free(m);
	TU_PASS(nng_dialer_close(d));
	tu_wait_pipes(b, 0);

	/* Only another key pinned: the TLS handshake fails. */
	pins[2 * NNG_MPC_TLS_PIN_SIZE] = '\0';
	TU_PASS(nng_dialer_create(&d, b, url));
	TU_PASS(nng_dialer_set_string(d, NNG_OPT_MPC_CERT_PINS, pins));
	TU_EXPECT(NNG_EPEERAUTH, nng_dialer_start(d, 0));
	/* Malformed pin lists are refused. */
	TU_EXPECT(NNG_EINVAL, nng_dialer_set_string(d, NNG_OPT_MPC_CERT_PINS, "abc"));
	pins[5] = 'g';
	TU_EXPECT(NNG_EINVAL, nng_dialer_set_string(d, NNG_OPT_MPC_CERT_PINS, pins));
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
}

static void
test_tls_mesh(void **state)
{
	nng_socket s1 = tls_sock(tu_bus(1), 1, NULL);
	nng_socket s2 = tls_sock(tu_bus(2), 2, NULL);
	nng_socket s3 = tls_sock(tu_bus(3), 3, NULL);
	char       url1[256];
	char       url2[256];
	nng_msg *  m;
	uint32_t   from;

	(void) state;
	tu_listen(s1, "mpc+tls+tcp", url1, sizeof(url1), NULL);
	tu_listen(s2, "mpc+tls+tcp", url2, sizeof(url2), NULL);
	TU_PASS(nng_dial(s2, url1, NULL, 0));
	TU_PASS(nng_dial(s3, url1, NULL, 0));
	TU_PASS(nng_dial(s3, url2, NULL, 0));
	tu_wait_pipes(s1, 2);
	tu_wait_pipes(s2, 2);
	tu_wait_pipes(s3, 2);
	tu_send(s1, "for 2 only", 11, NNG_MPC_MSG_SIGN_ROUND2, 2);
	m = tu_recv(s2);
	assert_string_equal(nng_msg_body(m), "for 2 only");
	TU_PASS(nng_mpc_msg_sender(m, &from));
	assert_int_equal(from, 1);
	nng_msg_free(m);
	tu_send(s3, "to all", 7, NNG_MPC_MSG_SIGN_ROUND1, NNG_MPC_PARTY_BROADCAST);
	m = tu_recv(s1);
	assert_string_equal(nng_msg_body(m), "to all");
	nng_msg_free(m);
	m = tu_recv(s2);
	assert_string_equal(nng_msg_body(m), "to all");
	nng_msg_free(m);
	tu_recv_none(s3, 200);
	TU_PASS(nng_close(s1));
	TU_PASS(nng_close(s2));
	TU_PASS(nng_close(s3));
}

/*
 * A TCP relay between dialer and listener that counts the TLS records the
 * dialer sends (RFC 8446 section 5.1: 5-byte header, type 23 once the
 * handshake is encrypted).  Counting happens before forwarding, so once
 * the listener has a message, the records that carried it are counted.
 */
struct relay {
	int          lfd;
	int          port;
	char         url[256]; /* the listener's own URL */
	nng_listener l;
	bool         stall; /* stop forwarding, keep both sockets open */
	bool         stop;  /* end the relay */
	nng_thread * thr;
	nng_mtx *    mtx;
	uint64_t     records; /* application_data records, dialer to us */
	uint8_t      hdr[5];
	size_t       hdr_got;
	size_t       body_left;
};

static void
relay_count(struct relay *r, const uint8_t *buf, size_t n)
{
	while (n > 0) {
		if (r->body_left > 0) {
			size_t k = n < r->body_left ? n : r->body_left;
			r->body_left -= k;
			buf += k;
			n -= k;
			continue;
		}
		r->hdr[r->hdr_got++] = *buf++;
		n--;
		if (r->hdr_got == sizeof(r->hdr)) {
			r->hdr_got   = 0;
			r->body_left = ((size_t) r->hdr[3] << 8) | r->hdr[4];
			if (r->hdr[0] == 23) {
				nng_mtx_lock(r->mtx);
				r->records++;
				nng_mtx_unlock(r->mtx);
			}
		}
	}
}

static void
relay_main(void *arg)
{
	struct relay *     r = arg;
	struct sockaddr_in sin;
	struct pollfd      pfd[2];
	uint8_t            buf[65536];
	int                c;
	int                s;

	if ((c = accept(r->lfd, NULL, NULL)) < 0) {
		return;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family      = AF_INET;
	sin.sin_port        = htons((uint16_t) r->port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s                   = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(s, (struct sockaddr *) &sin, sizeof(sin)) != 0) {
		(void) close(c);
		(void) close(s);
		return;
	}
	pfd[0].fd     = c;
	pfd[0].events = POLLIN;
	pfd[1].fd     = s;
	pfd[1].events = POLLIN;
	for (;;) {
		ssize_t n;
		bool    stall, stop;
		if (poll(pfd, 2, 20) < 0) {
			break;
		}
		nng_mtx_lock(r->mtx);
		stall = r->stall;
		stop  = r->stop;
		nng_mtx_unlock(r->mtx);
		if (stop) {
			break;
		}
		if (stall) {
			nng_msleep(20);
			continue;
		}
		if (pfd[0].revents != 0) {
			if ((n = recv(c, buf, sizeof(buf), 0)) <= 0) {
				break;
			}
			relay_count(r, buf, (size_t) n);
			if (!tu_raw_try_write(s, buf, (size_t) n)) {
				break;
			}
		}
		if (pfd[1].revents != 0) {
			if ((n = recv(s, buf, sizeof(buf), 0)) <= 0) {
				break;
			}
			if (!tu_raw_try_write(c, buf, (size_t) n)) {
				break;
			}
		}
	}
	(void) close(c);
	(void) close(s);
}

/* Listens on a with mpc+tls+tcp, starts a relay to it and dials b
 * through the relay. */
static void
relay_connect(struct relay *r, nng_socket a, nng_socket b)
{
	struct sockaddr_in sin;
	socklen_t          len = sizeof(sin);
	char               url[256];
	char               rurl[256];

	memset(r, 0, sizeof(*r));
	TU_PASS(nng_mtx_alloc(&r->mtx));
	tu_listen(a, "mpc+tls+tcp", url, sizeof(url), &r->l);
	(void) snprintf(r->url, sizeof(r->url), "%s", url);
	r->port = atoi(strrchr(url, ':') + 1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family      = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true((r->lfd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(bind(r->lfd, (struct sockaddr *) &sin, sizeof(sin)), 0);
	assert_int_equal(listen(r->lfd, 1), 0);
	assert_int_equal(getsockname(r->lfd, (struct sockaddr *) &sin, &len), 0);
	TU_PASS(nng_thread_create(&r->thr, relay_main, r));
	(void) snprintf(rurl, sizeof(rurl), "mpc+tls+tcp://127.0.0.1:%d",
	    ntohs(sin.sin_port));
	TU_PASS(nng_dial(b, rurl, NULL, 0));
}

/* The relay stops forwarding but keeps both connections open: to each
 * side the other went silent (a black hole). */
static void
relay_stall(struct relay *r)
{
	nng_mtx_lock(r->mtx);
	r->stall = true;
	nng_mtx_unlock(r->mtx);
}

/* After both sockets are closed (the relay ends when its peers do, or
 * at once when stalled). */
static void
relay_done(struct relay *r)
{
	nng_mtx_lock(r->mtx);
	r->stop = r->stall;
	nng_mtx_unlock(r->mtx);
	nng_thread_destroy(r->thr);
	(void) close(r->lfd);
	nng_mtx_free(r->mtx);
}

static uint64_t
relay_records(struct relay *r)
{
	uint64_t n;

	nng_mtx_lock(r->mtx);
	n = r->records;
	nng_mtx_unlock(r->mtx);
	return (n);
}

static void
test_one_record_per_frame(void **state)
{
	nng_socket         a = tls_sock(tu_pair(1), 1, NULL);
	nng_socket         b = tls_sock(tu_pair(2), 2, NULL);
	struct relay       r;
	char               body[16000];
	uint64_t           before;
	nng_msg *          m;

	(void) state;
	relay_connect(&r, a, b);

	/* After the handshake (and its last encrypted records): each
	 * message up to 16 KiB - 64 bytes travels as one TLS record. */
	tu_send(b, "warm", 5, 0, 0);
	nng_msg_free(tu_recv(a));
	before = relay_records(&r);
	memset(body, 'b', sizeof(body));
	for (int i = 0; i < 10; i++) {
		tu_send(b, body, 1 + (size_t) i * 1700, 0, 0);
		m = tu_recv(a);
		assert_int_equal(nng_msg_len(m), 1 + (size_t) i * 1700);
		nng_msg_free(m);
	}
	assert_int_equal(relay_records(&r) - before, 10);

	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
	relay_done(&r);
}

/*
 * Frames sealed while a write is outstanding share the next write, so a
 * burst of small messages travels in far fewer TLS records than messages
 * -- and still arrives complete and in order.
 */
static void
test_burst_shares_records(void **state)
{
	nng_socket         a = tls_sock(tu_pair(1), 1, NULL);
	nng_socket         b = tls_sock(tu_pair(2), 2, NULL);
	struct relay       r;
	uint8_t            body[100];
	uint64_t           before;
	uint64_t           records;
	nng_msg *          m;
	const int          n = 200;

	(void) state;
	TU_PASS(nng_socket_set_int(a, NNG_OPT_RECVBUF, 256));
	TU_PASS(nng_socket_set_int(b, NNG_OPT_SENDBUF, 256));
	relay_connect(&r, a, b);
	tu_send(b, "warm", 5, 0, 0);
	nng_msg_free(tu_recv(a));
	before = relay_records(&r);

	for (int i = 0; i < n; i++) {
		memset(body, i, sizeof(body));
		tu_send(b, body, sizeof(body), 0, 0);
	}
	for (int i = 0; i < n; i++) {
		m = tu_recv(a);
		memset(body, i, sizeof(body));
		assert_int_equal(nng_msg_len(m), sizeof(body));
		assert_memory_equal(nng_msg_body(m), body, sizeof(body));
		nng_msg_free(m);
	}
	records = relay_records(&r) - before;
	assert_true(records >= 1);
	if (records >= (uint64_t) n) {
		fail_msg("%d messages in %llu TLS records: none shared one", n,
		    (unsigned long long) records);
	}
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
	relay_done(&r);
}

static void
test_tls_refused_busy_recvmax(void **state)
{
	nng_socket   a = tls_sock(tu_pair(1), 1, NULL);
	nng_socket   b = tls_sock(tu_pair(2), 2, NULL);
	nng_socket   c = tls_sock(tu_pair(3), 3, NULL);
	nng_listener l;
	char         url[256];
	char         body[300];
	nng_msg *    m;

	(void) state;
	/* Listen on a busy address. */
	tu_listen(a, "mpc+tls+tcp", url, sizeof(url), &l);
	TU_EXPECT(NNG_EADDRINUSE, nng_listen(c, url, NULL, 0));
	/* NNG_OPT_RECVMAXSZ: announced, so the sender does not write. */
	TU_PASS(nng_listener_set_size(l, NNG_OPT_RECVMAXSZ, 100));
	TU_PASS(nng_dial(b, url, NULL, 0));
	memset(body, 'r', sizeof(body));
	tu_send(b, body, sizeof(body), 0, 0);
	tu_send(b, "small", 6, 0, 0);
	m = tu_recv(a);
	assert_string_equal(nng_msg_body(m), "small");
	nng_msg_free(m);
	/* Dial refused once the listener is gone. */
	TU_PASS(nng_listener_close(l));
	TU_EXPECT(NNG_ECONNREFUSED, nng_dial(c, url, NULL, 0));
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
	TU_PASS(nng_close(c));
}

/*
 * Party 2 connected; another certificate for party 2 (same CA, another
 * key) is another identity: refused, and the first connection stays.
 */
static void
test_other_identity_refused(void **state)
{
	nng_socket   a = tls_sock(tu_bus(1), 1, NULL);
	nng_socket   b = tls_sock(tu_bus(2), 2, NULL);
	nng_socket   c = tls_sock(tu_bus(2), 2, "twin2.pem");
	nng_listener l;
	nng_dialer   d;
	char         url[256];
	nng_msg *    m;

	(void) state;
	tu_listen(a, "mpc+tls+tcp", url, sizeof(url), &l);
	TU_PASS(nng_dial(b, url, NULL, 0));
	tu_wait_pipes(a, 1);
	TU_PASS(nng_dialer_create(&d, c, url));
	/* The listener tells the dialer why: the same code on both ends. */
	TU_EXPECT(NNG_MPC_EDUPPARTY, nng_dialer_start(d, 0));
	assert_int_equal(tu_listener_ctr(l, NNG_OPT_MPC_REJ_DUPLICATE), 1);
	assert_int_equal(tu_listener_ctr(l, NNG_OPT_MPC_REPLACED), 0);
	assert_int_equal(tu_dialer_ctr(d, NNG_OPT_MPC_REJ_BY_PEER), 1);
	assert_int_equal(tu_pipes_seen(a), 1);
	assert_int_equal(tu_pipes_seen(c), 0);
	tu_send(b, "still here", 11, 0, 0);
	m = tu_recv(a);
	assert_string_equal(nng_msg_body(m), "still here");
	nng_msg_free(m);
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
	TU_PASS(nng_close(c));
}


/*
 * Party 2's connection goes silent without closing (a black-holed path:
 * neither side can tell).  Party 2 connects again with the same
 * certificate: the newest handshake replaces the stale pipe, and the
 * party's traffic flows on the new one.
 */
static void
test_same_identity_replaces(void **state)
{
	nng_socket   a = tls_sock(tu_bus(1), 1, NULL);
	nng_socket   b = tls_sock(tu_bus(2), 2, NULL);
	nng_socket   c = tls_sock(tu_bus(2), 2, NULL);
	struct relay r;
	nng_msg *    m;

	(void) state;
	relay_connect(&r, a, b);
	tu_wait_pipes(a, 1);
	relay_stall(&r);
	TU_PASS(nng_dial(c, r.url, NULL, 0));
	tu_wait_removed(a, 1);
	assert_int_equal(tu_listener_ctr(r.l, NNG_OPT_MPC_REPLACED), 1);
	assert_int_equal(tu_listener_ctr(r.l, NNG_OPT_MPC_REJ_DUPLICATE), 0);
	assert_int_equal(tu_listener_ctr(r.l, NNG_OPT_MPC_HANDSHAKES), 2);
	tu_send(c, "newest wins", 12, 0, 0);
	m = tu_recv(a);
	assert_string_equal(nng_msg_body(m), "newest wins");
	nng_msg_free(m);
	TU_PASS(nng_close(a));
	TU_PASS(nng_close(b));
	TU_PASS(nng_close(c));
	relay_done(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tls_exchange),
		cmocka_unit_test(test_party_must_match_cert),
		cmocka_unit_test(test_untrusted_ca),
		cmocka_unit_test(test_no_client_cert),
		cmocka_unit_test(test_other_identity_refused),
		cmocka_unit_test(test_same_identity_replaces),
		cmocka_unit_test(test_binding_one_side),
		cmocka_unit_test(test_binding_off_both),
		cmocka_unit_test(test_wrong_key_over_tls),
		cmocka_unit_test(test_pins),
		cmocka_unit_test(test_tls_mesh),
		cmocka_unit_test(test_tls_refused_busy_recvmax),
		cmocka_unit_test(test_one_record_per_frame),
		cmocka_unit_test(test_burst_shares_records),
		cmocka_unit_test(test_filter_sees_certificate),
	};

	return (cmocka_run_group_tests(tests, make_certs, remove_certs));
}
