/*
 * test_tran_identity.c -- over mpc+tls+tcp:// a party identity comes only
 * from a certificate the endpoint trusts, whatever TLS configuration the
 * application hands it, through NNG's public API as an application
 * writes it.  Certificates: test/tls/mkcerts.sh (Debian's openssl CLI).
 *
 *   - three bad certificates, each with a well-formed party SAN: a
 *     self-signed one, one from a CA nobody trusts, an expired one; each
 *     presented by the dialer to the listener and by the listener to the
 *     dialer, through every configuration path: NNG's file options, the
 *     application's own nng_tls_config with the default auth mode, with
 *     NONE, OPTIONAL and REQUIRED, and one config shared by two endpoints.
 *     Each is refused (NNG_EPEERAUTH at the dialer), the TLS counter of
 *     its reason moves (nng_mpc_tls_stats), the endpoint counts it, no
 *     pipe comes up and a message sent is never received;
 *   - good certificates work on every path;
 *   - pins as the trust root (no CA): the pinned self-signed key is
 *     accepted, another refused, the pinned key in an expired certificate
 *     refused; no CA and no pins is NNG_MPC_ETLSNOTRUST;
 *   - pins belong to the endpoint: dialers sharing one config with
 *     different pins (and none) each behave as their own pins say, and the
 *     application's config is left as it was (a plain tls+tcp:// pair
 *     with a certificate without party SAN still works with it).
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "tran_util.h"

#include <nng/supplemental/tls/tls.h>
#include <nng/supplemental/util/platform.h>

#include "../tls/tls_util.h"

/* How the endpoints under test get their TLS settings. */
enum path {
	P_FILES,    /* NNG_OPT_TLS_CA_FILE + NNG_OPT_TLS_CERT_KEY_FILE */
	P_DEFAULT,  /* app's nng_tls_config, auth mode never set */
	P_NONE,     /* app's config, NNG_TLS_AUTH_MODE_NONE */
	P_OPTIONAL, /* app's config, NNG_TLS_AUTH_MODE_OPTIONAL */
	P_REQUIRED, /* app's config, NNG_TLS_AUTH_MODE_REQUIRED */
	P_SHARED,   /* one app config (mode NONE) on two endpoints */
	P_COUNT
};

static const char *path_names[P_COUNT] = { "files", "app default",
	"app none", "app optional", "app required", "app shared" };

static const int path_auth[P_COUNT] = { -1, -1, NNG_TLS_AUTH_MODE_NONE,
	NNG_TLS_AUTH_MODE_OPTIONAL, NNG_TLS_AUTH_MODE_REQUIRED,
	NNG_TLS_AUTH_MODE_NONE };

/* A bad certificate for each role, and the counter its refusal moves. */
struct bad_cert {
	const char *what;
	const char *listener; /* party 1 */
	const char *dialer;   /* party 2 */
	size_t      stat;     /* offset in nng_mpc_tls_stats */
};

static const struct bad_cert bad_certs[] = {
	{ "self-signed", "self1.pem", "self2.pem",
	    offsetof(nng_mpc_tls_stats, untrusted) },
	{ "other CA", "unknown.pem", "unknown2.pem",
	    offsetof(nng_mpc_tls_stats, untrusted) },
	{ "expired", "expired.pem", "expired2.pem",
	    offsetof(nng_mpc_tls_stats, expired) },
};

static uint64_t
stat_at(size_t off)
{
	nng_mpc_tls_stats s;
	uint64_t          v;

	nng_mpc_tls_stats_get(&s);
	memcpy(&v, (const char *) &s + off, sizeof(v));
	return (v);
}

struct stat_wait {
	size_t   off;
	uint64_t above;
};

static bool
stat_moved(void *arg)
{
	struct stat_wait *w = arg;

	return (stat_at(w->off) > w->above);
}

/* The application's config: own certificate, CA (or NULL), auth mode
 * (-1: never set, NNG's default for the mode). */
static nng_tls_config *
app_cfg(nng_tls_mode mode, const char *own, const char *ca, int auth)
{
	nng_tls_config *c;

	TU_PASS(nng_tls_config_alloc(&c, mode));
	TU_PASS(nng_tls_config_cert_key_file(c, tu_path(own), NULL));
	if (ca != NULL) {
		TU_PASS(nng_tls_config_ca_file(c, tu_path(ca)));
	}
	if (auth >= 0) {
		TU_PASS(nng_tls_config_auth_mode(c, (nng_tls_auth_mode) auth));
	}
	return (c);
}

/* One endpoint, listener or dialer, behind one set of calls. */
struct ep {
	bool         lis;
	nng_listener l;
	nng_dialer   d;
};

/* The endpoint counted a refused connection under REJ_TLS: the TLS
 * stream failed under the MPC handshake. */
static bool
rej_tls_moved(void *arg)
{
	struct ep *e = arg;

	return ((e->lis ? tu_listener_ctr(e->l, NNG_OPT_MPC_REJ_TLS)
	                : tu_dialer_ctr(e->d, NNG_OPT_MPC_REJ_TLS)) >= 1);
}

static int
ep_set_str(struct ep *e, const char *opt, const char *v)
{
	return (e->lis ? nng_listener_set_string(e->l, opt, v)
	               : nng_dialer_set_string(e->d, opt, v));
}

static int
ep_set_ptr(struct ep *e, const char *opt, void *v)
{
	return (e->lis ? nng_listener_set_ptr(e->l, opt, v)
	               : nng_dialer_set_ptr(e->d, opt, v));
}

/* Gives e its TLS settings along path pa (shared: the P_SHARED config). */
static void
ep_tls(struct ep *e, enum path pa, const char *own, nng_tls_config *shared)
{
	nng_tls_config *c;

	if (pa == P_FILES) {
		TU_PASS(ep_set_str(e, NNG_OPT_TLS_CA_FILE, tu_path("ca.pem")));
		TU_PASS(ep_set_str(e, NNG_OPT_TLS_CERT_KEY_FILE, tu_path(own)));
		return;
	}
	if (pa == P_SHARED) {
		TU_PASS(ep_set_ptr(e, NNG_OPT_TLS_CONFIG, shared));
		return;
	}
	c = app_cfg(e->lis ? NNG_TLS_MODE_SERVER : NNG_TLS_MODE_CLIENT, own,
	    "ca.pem", path_auth[pa]);
	TU_PASS(ep_set_ptr(e, NNG_OPT_TLS_CONFIG, c));
	nng_tls_config_free(c); /* the endpoint holds its own reference */
}

static void
ep_pins(struct ep *e, const char *pinfile)
{
	uint8_t pin[NNG_MPC_TLS_PIN_SIZE];
	char    hex[2 * NNG_MPC_TLS_PIN_SIZE + 1];

	if (pinfile == NULL) {
		return;
	}
	tu_read_pin(pinfile, pin);
	for (size_t i = 0; i < sizeof(pin); i++) {
		(void) snprintf(hex + 2 * i, 3, "%02x", pin[i]);
	}
	TU_PASS(ep_set_str(e, NNG_OPT_MPC_CERT_PINS, hex));
}

/* One side of an attempt: path, own certificate, pins (or NULL), and the
 * config object for P_SHARED (or an app config for any path: cfg). */
struct side {
	enum path       pa;
	const char *    own;
	const char *    pins;
	nng_tls_config *cfg;
};

static void
side_apply(struct ep *e, const struct side *s)
{
	if (s->cfg != NULL) {
		TU_PASS(ep_set_ptr(e, NNG_OPT_TLS_CONFIG, s->cfg));
	} else {
		ep_tls(e, s->pa, s->own, NULL);
	}
	ep_pins(e, s->pins);
}

/*
 * Listener party 1 (side ls) and dialer party 2 (side ds) on fresh pair
 * sockets.  want 0: the pipe comes up and a message goes each way.
 * Otherwise the dial fails with want (a TLS refusal may also show as the
 * connection ending, when NNG closes TCP before the alert leaves), the
 * TLS counter at stat moves, the endpoint that refused counts it (REJ
 * OTHER: the TLS stream failed under the MPC handshake), no pipe is seen
 * and nothing sent arrives.
 */
static void
attempt(const struct side *ls, const struct side *ds, int want, size_t stat,
    bool listener_refuses)
{
	nng_socket       a = tu_pair(1);
	nng_socket       b = tu_pair(2);
	struct ep        el = { .lis = true };
	struct ep        ed = { .lis = false };
	char             url[64];
	int              port;
	int              rv;
	struct stat_wait w = { .off = stat, .above = stat_at(stat) };

	TU_PASS(nng_listener_create(&el.l, a, "mpc+tls+tcp://127.0.0.1:0"));
	side_apply(&el, ls);
	TU_PASS(nng_listener_start(el.l, 0));
	TU_PASS(nng_listener_get_int(el.l, NNG_OPT_TCP_BOUND_PORT, &port));
	(void) snprintf(url, sizeof(url), "mpc+tls+tcp://127.0.0.1:%d", port);
	TU_PASS(nng_dialer_create(&ed.d, b, url));
	side_apply(&ed, ds);
	rv = nng_dialer_start(ed.d, 0);

	if (want == 0) {
		nng_msg *m;
		TU_PASS(rv);
		tu_send(b, "to one", 7, 0, 0);
		m = tu_recv(a);
		assert_string_equal(nng_msg_body(m), "to one");
		nng_msg_free(m);
		tu_send(a, "to two", 7, 0, 0);
		m = tu_recv(b);
		assert_string_equal(nng_msg_body(m), "to two");
		nng_msg_free(m);
	} else {
		if ((want == NNG_EPEERAUTH) &&
		    ((rv == NNG_ECONNSHUT) || (rv == NNG_ECONNRESET) ||
		        (rv == NNG_ECLOSED))) {
			rv = NNG_EPEERAUTH;
		}
		TU_EXPECT(want, rv);
		if (want == NNG_EPEERAUTH) {
			tu_wait_until(stat_moved, &w);
			tu_wait_until(rej_tls_moved,
			    listener_refuses ? (void *) &el : (void *) &ed);
		} else {
			/* Refused before connecting: nothing happened. */
			assert_int_equal(stat_at(stat), w.above);
		}
		assert_int_equal(
		    tu_listener_ctr(el.l, NNG_OPT_MPC_HANDSHAKES), 0);
		assert_int_equal(
		    tu_dialer_ctr(ed.d, NNG_OPT_MPC_HANDSHAKES), 0);
		(void) nng_send(b, "lost", 5, NNG_FLAG_NONBLOCK);
		(void) nng_send(a, "lost", 5, NNG_FLAG_NONBLOCK);
		tu_recv_none(a, 100);
		tu_recv_none(b, 100);
		assert_int_equal(tu_pipes_seen(a), 0);
		assert_int_equal(tu_pipes_seen(b), 0);
	}
	TU_PASS(nng_close(b));
	TU_PASS(nng_close(a));
}

static int
group_setup(void **state)
{
	(void) state;
	(void) tu_certdir();
	tu_register();
	return (0);
}

/* One bad certificate on one path: presented by the dialer (the listener
 * refuses), then by the listener (the dialer refuses); on the shared
 * config, to each of two endpoints holding it. */
static void
bad_cert_case(enum path pa, const struct bad_cert *bc)
{
	nng_tls_config *shared_l = NULL;
	nng_tls_config *shared_d = NULL;
	enum path       other    = pa == P_SHARED ? P_FILES : pa;
	int             times    = pa == P_SHARED ? 2 : 1;
	struct side     ls;
	struct side     ds;

	print_message("%s, %s\n", path_names[pa], bc->what);
	if (pa == P_SHARED) {
		shared_l = app_cfg(NNG_TLS_MODE_SERVER, "server.pem", "ca.pem",
		    NNG_TLS_AUTH_MODE_NONE);
		shared_d = app_cfg(NNG_TLS_MODE_CLIENT, "client.pem", "ca.pem",
		    NNG_TLS_AUTH_MODE_NONE);
	}
	ls = (struct side) { pa, "server.pem", NULL, shared_l };
	ds = (struct side) { other, bc->dialer, NULL, NULL };
	for (int n = 0; n < times; n++) {
		attempt(&ls, &ds, NNG_EPEERAUTH, bc->stat, true);
	}
	ls = (struct side) { other, bc->listener, NULL, NULL };
	ds = (struct side) { pa, "client.pem", NULL, shared_d };
	for (int n = 0; n < times; n++) {
		attempt(&ls, &ds, NNG_EPEERAUTH, bc->stat, false);
	}
	if (shared_l != NULL) {
		nng_tls_config_free(shared_l);
		nng_tls_config_free(shared_d);
	}
}

/* Bad certificates on every path, both directions. */
static void
test_bad_certs_refused(void **state)
{
	(void) state;
	for (int pa = 0; pa < P_COUNT; pa++) {
		for (size_t i = 0; i < sizeof(bad_certs) / sizeof(bad_certs[0]);
		     i++) {
			bad_cert_case((enum path) pa, &bad_certs[i]);
		}
	}
}

/* Good certificates work on every path. */
static void
test_good_certs_every_path(void **state)
{
	(void) state;
	for (int pa = 0; pa < P_COUNT; pa++) {
		nng_tls_config *shared_l = NULL;
		nng_tls_config *shared_d = NULL;
		struct side     ls;
		struct side     ds;

		print_message("%s\n", path_names[pa]);
		if (pa == P_SHARED) {
			shared_l = app_cfg(NNG_TLS_MODE_SERVER, "server.pem",
			    "ca.pem", NNG_TLS_AUTH_MODE_NONE);
			shared_d = app_cfg(NNG_TLS_MODE_CLIENT, "client.pem",
			    "ca.pem", NNG_TLS_AUTH_MODE_NONE);
		}
		ls = (struct side) { (enum path) pa, "server.pem", NULL,
			shared_l };
		ds = (struct side) { (enum path) pa, "client.pem", NULL,
			shared_d };
		for (int n = 0; n < (pa == P_SHARED ? 2 : 1); n++) {
			attempt(&ls, &ds, 0, 0, false);
		}
		if (shared_l != NULL) {
			nng_tls_config_free(shared_l);
			nng_tls_config_free(shared_d);
		}
	}
}

/* No CA: the pins are the trust root. */
static void
test_pins_trust_root(void **state)
{
	nng_tls_mode    srv   = NNG_TLS_MODE_SERVER;
	nng_tls_mode    cli   = NNG_TLS_MODE_CLIENT;
	nng_tls_config *sl    = app_cfg(srv, "self1.pem", NULL, -1);
	nng_tls_config *sd    = app_cfg(cli, "self2.pem", NULL, -1);
	nng_tls_config *sd_b  = app_cfg(cli, "self2b.pem", NULL, -1);
	nng_tls_config *sd_x  = app_cfg(cli, "self2x.pem", NULL, -1);
	nng_tls_config *sl_ca = app_cfg(srv, "server.pem", NULL, -1);
	struct side ls = { P_DEFAULT, NULL, "self2.pin", sl };
	struct side ds = { P_DEFAULT, NULL, "self1.pin", sd };
	size_t      pin = offsetof(nng_mpc_tls_stats, pin_mismatch);

	(void) state;
	/* Both self-signed, each pinned by the other: accepted. */
	attempt(&ls, &ds, 0, 0, false);
	/* The dialer's other key is not the pinned one: the listener
	 * refuses it. */
	ds.cfg = sd_b;
	attempt(&ls, &ds, NNG_EPEERAUTH, pin, true);
	/* A pinned key in a certificate out of its validity: refused (no
	 * chain validation dates it; the engine does). */
	ds.cfg  = sd_x;
	ls.pins = "self2x.pin";
	attempt(&ls, &ds, NNG_EPEERAUTH,
	    offsetof(nng_mpc_tls_stats, expired), true);
	ls.pins = "self2.pin";
	/* A listener with another key (even one a CA signed: the dialer
	 * has no CA) is refused by the dialer. */
	ds.cfg = sd;
	ls.cfg = sl_ca;
	attempt(&ls, &ds, NNG_EPEERAUTH, pin, false);
	/* No CA and no pins: nothing could be trusted, refused at once. */
	ls.cfg  = sl;
	ds.pins = NULL;
	attempt(&ls, &ds, NNG_MPC_ETLSNOTRUST, pin, false);
	nng_tls_config_free(sl);
	nng_tls_config_free(sd);
	nng_tls_config_free(sd_b);
	nng_tls_config_free(sd_x);
	nng_tls_config_free(sl_ca);
}

/*
 * Three dialers share one application config: with the right pin, with a
 * wrong one, with none.  Each behaves as its own pins say, and the
 * application's config is unchanged afterwards: a plain tls+tcp:// pair
 * with a certificate without party SAN, no pins, still works with it.
 */
static void
test_pins_per_endpoint(void **state)
{
	nng_tls_config *cc =
	    app_cfg(NNG_TLS_MODE_CLIENT, "client.pem", "ca.pem", -1);
	nng_tls_config *plain_srv =
	    app_cfg(NNG_TLS_MODE_SERVER, "plain.pem", NULL, -1);
	nng_tls_config *back = NULL;
	struct side     ls   = { P_FILES, "server.pem", NULL, NULL };
	struct side     ds   = { P_DEFAULT, NULL, "server.pin", cc };
	size_t          pin  = offsetof(nng_mpc_tls_stats, pin_mismatch);
	nng_socket      s1;
	nng_socket      s2;
	nng_listener    l;
	nng_dialer      d;
	char            url[64];
	int             port;
	nng_msg *       m;

	(void) state;
	attempt(&ls, &ds, 0, 0, false);
	ds.pins = "client.pin"; /* not the listener's key */
	attempt(&ls, &ds, NNG_EPEERAUTH, pin, false);
	ds.pins = NULL;
	attempt(&ls, &ds, 0, 0, false);
	ds.pins = "server.pin";
	attempt(&ls, &ds, 0, 0, false);

	/* NNG_OPT_TLS_CONFIG reads back the application's own config. */
	s2 = tu_pair(2);
	TU_PASS(nng_dialer_create(&d, s2, "mpc+tls+tcp://127.0.0.1:1"));
	TU_PASS(nng_dialer_set_ptr(d, NNG_OPT_TLS_CONFIG, cc));
	TU_PASS(nng_dialer_get_ptr(d, NNG_OPT_TLS_CONFIG, (void **) &back));
	assert_ptr_equal(back, cc);
	nng_tls_config_free(back);
	TU_PASS(nng_close(s2));

	/* Plain tls+tcp:// with the same config: no party, no pins. */
	TU_PASS(nng_pair1_open(&s1));
	TU_PASS(nng_pair1_open(&s2));
	TU_PASS(nng_socket_set_ms(s1, NNG_OPT_RECVTIMEO, 5000));
	TU_PASS(nng_listener_create(&l, s1, "tls+tcp://127.0.0.1:0"));
	TU_PASS(nng_listener_set_ptr(l, NNG_OPT_TLS_CONFIG, plain_srv));
	TU_PASS(nng_listener_start(l, 0));
	TU_PASS(nng_listener_get_int(l, NNG_OPT_TCP_BOUND_PORT, &port));
	(void) snprintf(url, sizeof(url), "tls+tcp://127.0.0.1:%d", port);
	TU_PASS(nng_dialer_create(&d, s2, url));
	TU_PASS(nng_dialer_set_ptr(d, NNG_OPT_TLS_CONFIG, cc));
	TU_PASS(nng_dialer_start(d, 0));
	TU_PASS(nng_send(s2, "plain", 6, 0));
	TU_PASS(nng_recvmsg(s1, &m, 0));
	assert_string_equal(nng_msg_body(m), "plain");
	nng_msg_free(m);
	TU_PASS(nng_close(s2));
	TU_PASS(nng_close(s1));
	nng_tls_config_free(cc);
	nng_tls_config_free(plain_srv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_certs_refused),
		cmocka_unit_test(test_good_certs_every_path),
		cmocka_unit_test(test_pins_trust_root),
		cmocka_unit_test(test_pins_per_endpoint),
	};

	return (cmocka_run_group_tests(tests, group_setup, NULL));
}
