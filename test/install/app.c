/*
 * A program outside the tree, built against an installed nng-mpc with
 * nothing but `cc app.c $(pkg-config --cflags --libs nng-mpc)`: two bus0
 * sockets in one process, party 1 listening and party 2 dialing over
 * mpc+tls+tcp://, party 2 waits for its pipe to party 1 and sends one
 * message, party 1 receives it with its authenticated sender.  What the
 * README's "Using it from an NNG application" shows.
 *
 * argv: CA file, party 1's cert+key file, party 2's cert+key file.
 * Prints "received '<text>' from party <id>" and exits 0, or names the
 * call that failed and exits 1.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/protocol/bus0/bus.h>
#include <nng/supplemental/tls/tls.h>
#include <nng/supplemental/util/platform.h>
#include <nng_mpc.h>

#define CHECK(call)                                                         \
	do {                                                                \
		int rv_ = (call);                                           \
		if (rv_ != 0) {                                             \
			fprintf(stderr, "%s: %s\n", #call,                  \
			    nng_mpc_strerror(rv_));                         \
			return (1);                                         \
		}                                                           \
	} while (0)

static const uint8_t sid[16] = { 0x5e, 0x55, 0x10, 0x4e };
static const uint8_t key[32] = { 0x6b, 0x65, 0x79 };

/* Counts pipes that finished the handshake (NNG_PIPE_EV_ADD_POST). */
struct peers {
	nng_mtx *mtx;
	nng_cv  *cv;
	int      n;
};

static void
on_pipe(nng_pipe p, nng_pipe_ev ev, void *arg)
{
	struct peers *w = arg;
	(void) p;
	(void) ev;
	nng_mtx_lock(w->mtx);
	w->n++;
	nng_cv_wake(w->cv);
	nng_mtx_unlock(w->mtx);
}

/* The MPC options and TLS files every endpoint needs. */
static int
configure(nng_dialer *d, nng_listener *l, int party,
    const char *ca, const char *certkey)
{
	if (l != NULL) {
		CHECK(nng_listener_set_int(*l, NNG_OPT_MPC_PARTY_ID, party));
		CHECK(nng_listener_set(*l, NNG_OPT_MPC_SESSION_ID, sid, 16));
		CHECK(nng_listener_set(*l, NNG_OPT_MPC_SESSION_KEY, key, 32));
		CHECK(nng_listener_set_string(*l, NNG_OPT_TLS_CA_FILE, ca));
		CHECK(nng_listener_set_string(
		    *l, NNG_OPT_TLS_CERT_KEY_FILE, certkey));
	} else {
		CHECK(nng_dialer_set_int(*d, NNG_OPT_MPC_PARTY_ID, party));
		CHECK(nng_dialer_set(*d, NNG_OPT_MPC_SESSION_ID, sid, 16));
		CHECK(nng_dialer_set(*d, NNG_OPT_MPC_SESSION_KEY, key, 32));
		CHECK(nng_dialer_set_string(*d, NNG_OPT_TLS_CA_FILE, ca));
		CHECK(nng_dialer_set_string(
		    *d, NNG_OPT_TLS_CERT_KEY_FILE, certkey));
		CHECK(nng_dialer_set_string(
		    *d, NNG_OPT_TLS_SERVER_NAME, "localhost"));
	}
	return (0);
}

int
main(int argc, char **argv)
{
	nng_socket   s1, s2;
	nng_listener l;
	nng_dialer   d;
	nng_msg     *m;
	struct peers w = { 0 };
	char         url[128];
	char        *bound;
	uint32_t     from;
	const char   text[] = "hello from party 2";

	if (argc != 4) {
		fprintf(stderr, "usage: app CA PARTY1-CERTKEY PARTY2-CERTKEY\n");
		return (2);
	}
	CHECK(nng_mpc_register());
	CHECK(nng_mtx_alloc(&w.mtx));
	CHECK(nng_cv_alloc(&w.cv, w.mtx));
	CHECK(nng_bus0_open(&s1));
	CHECK(nng_bus0_open(&s2));
	CHECK(nng_socket_set_ms(s1, NNG_OPT_RECVTIMEO, 20000));

	CHECK(nng_listener_create(&l, s1, "mpc+tls+tcp://127.0.0.1:0"));
	if (configure(NULL, &l, 1, argv[1], argv[2]) != 0) {
		return (1);
	}
	CHECK(nng_listener_start(l, 0));
	CHECK(nng_listener_get_string(l, NNG_OPT_URL, &bound));
	(void) snprintf(url, sizeof(url), "%s", bound);
	nng_strfree(bound);

	/* bus0 drops a message sent while it has no pipe: wait for ours. */
	CHECK(nng_pipe_notify(s2, NNG_PIPE_EV_ADD_POST, on_pipe, &w));
	CHECK(nng_dialer_create(&d, s2, url));
	if (configure(&d, NULL, 2, argv[1], argv[3]) != 0) {
		return (1);
	}
	CHECK(nng_dialer_start(d, NNG_FLAG_NONBLOCK));
	nng_mtx_lock(w.mtx);
	while (w.n == 0) {
		if (nng_cv_until(w.cv, nng_clock() + 20000) == NNG_ETIMEDOUT) {
			nng_mtx_unlock(w.mtx);
			fprintf(stderr, "no connection to party 1 in 20 s\n");
			return (1);
		}
	}
	nng_mtx_unlock(w.mtx);

	CHECK(nng_msg_alloc(&m, 0));
	CHECK(nng_msg_append(m, text, sizeof(text)));
	CHECK(nng_mpc_msg_set_type(m, NNG_MPC_MSG_SIGN_ROUND1));
	CHECK(nng_mpc_msg_set_recipient(m, 1));
	CHECK(nng_sendmsg(s2, m, 0));

	CHECK(nng_recvmsg(s1, &m, 0));
	CHECK(nng_mpc_msg_sender(m, &from));
	if (nng_msg_len(m) != sizeof(text) ||
	    memcmp(nng_msg_body(m), text, sizeof(text)) != 0) {
		fprintf(stderr, "received the wrong bytes\n");
		return (1);
	}
	printf("received '%s' from party %u\n", (const char *) nng_msg_body(m),
	    (unsigned) from);
	nng_msg_free(m);
	nng_close(s2);
	nng_close(s1);
	nng_cv_free(w.cv);
	nng_mtx_free(w.mtx);
	return (0);
}
