/*
 * echo_mesh.c -- see echo_mesh.h.  Public API only.
 *
 * Threading: echo_mesh.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <nng/nng.h>
#include <nng/protocol/bus0/bus.h>
#include <nng/supplemental/tls/tls.h>
#include <nng/supplemental/util/platform.h>

#include <nng_mpc.h>

#include "echo_mesh.h"
#include "nngmpc.h"

bool
echo_mesh_certs(struct echo_mesh *m, const char *cmd, unsigned n)
{
	struct nngmpc_certs_opts co;

	memset(m, 0, sizeof(*m));
	m->n = n;
	strcpy(m->dir, "/tmp/nngmpc-echo-XXXXXX");
	if (mkdtemp(m->dir) == NULL) {
		nngmpc_error(cmd, "cannot make a temporary directory: %s",
		    strerror(errno));
		m->dir[0] = '\0';
		return (false);
	}
	memset(&co, 0, sizeof(co));
	co.out      = m->dir;
	co.parties  = n;
	co.first_id = 1;
	co.days     = 1;
	co.ca_days  = 2;
	return (nngmpc_certs_make(&co) == NNGMPC_EXIT_OK);
}

/* Counts a socket's pipes (arg: its counter). */
static void
echo_mesh_pipe_cb(nng_pipe p, nng_pipe_ev ev, void *arg)
{
	int *n = arg;

	(void) p;
	(void) __atomic_add_fetch(
	    n, ev == NNG_PIPE_EV_ADD_POST ? 1 : -1, __ATOMIC_SEQ_CST);
}

/* Party id's socket with its identity, certificate and echo setting. */
static int
echo_mesh_sock(struct echo_mesh *m, unsigned id, const uint8_t *sid,
    const uint8_t *key, bool echo, int equivocate)
{
	nng_socket s;
	char       path[128];
	int        party = (int) id;
	int        rv;

	if ((rv = nng_bus0_open(&s)) != 0) {
		return (rv);
	}
	m->s[id - 1] = s;
	if (((rv = nng_pipe_notify(s, NNG_PIPE_EV_ADD_POST, echo_mesh_pipe_cb,
	          &m->pipes[id - 1])) != 0) ||
	    ((rv = nng_pipe_notify(s, NNG_PIPE_EV_REM_POST, echo_mesh_pipe_cb,
	          &m->pipes[id - 1])) != 0)) {
		return (rv);
	}
	(void) snprintf(path, sizeof(path), "%s/ca.pem", m->dir);
	if (((rv = nng_mpc_socket_set(s, NNG_OPT_MPC_PARTY_ID, &party,
	          sizeof(party))) != 0) ||
	    ((rv = nng_mpc_socket_set(s, NNG_OPT_MPC_SESSION_ID, sid,
	          NNG_MPC_SESSION_ID_SIZE)) != 0) ||
	    ((rv = nng_mpc_socket_set(s, NNG_OPT_MPC_SESSION_KEY, key,
	          NNG_MPC_SESSION_KEY_SIZE)) != 0) ||
	    ((rv = nng_mpc_socket_set(
	          s, NNG_OPT_TLS_CA_FILE, path, strlen(path) + 1)) != 0)) {
		return (rv);
	}
	(void) snprintf(
	    path, sizeof(path), "%s/party%u.certkey.pem", m->dir, id);
	if (((rv = nng_mpc_socket_set(s, NNG_OPT_TLS_CERT_KEY_FILE, path,
	          strlen(path) + 1)) != 0) ||
	    ((rv = nng_mpc_socket_set(s, NNG_OPT_MPC_BROADCAST_ECHO, &echo,
	          sizeof(echo))) != 0) ||
	    ((rv = nng_mpc_socket_set(s, NNG_OPT_MPC_BROADCAST_EQUIVOCATE,
	          &equivocate, sizeof(equivocate))) != 0) ||
	    ((rv = nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, 10000)) != 0) ||
	    /* Echoes travel in the pipes' streams, read only while the
	     * socket queue has room: room for a round of broadcasts keeps
	     * a party echoing while the application reads another. */
	    ((rv = nng_socket_set_int(s, NNG_OPT_RECVBUF, 1024)) != 0) ||
	    ((rv = nng_socket_set_ms(s, NNG_OPT_RECONNMINT, 20)) != 0)) {
		return (rv);
	}
	return (0);
}

int
echo_mesh_open(
    struct echo_mesh *m, bool echo, uint32_t equivocate, int timeout_ms)
{
	uint8_t sid[NNG_MPC_SESSION_ID_SIZE];
	uint8_t key[NNG_MPC_SESSION_KEY_SIZE];
	char    url[ECHO_MESH_MAX][64];
	int     rv = NNG_EINVAL;

	if ((m->n < 2) || (m->n > ECHO_MESH_MAX) ||
	    (getrandom(sid, sizeof(sid), 0) != (ssize_t) sizeof(sid)) ||
	    (getrandom(key, sizeof(key), 0) != (ssize_t) sizeof(key))) {
		return (rv);
	}
	memset(m->pipes, 0, sizeof(m->pipes));
	for (unsigned i = 0; i < m->n; i++) {
		nng_listener l;
		int          port;
		if (((rv = echo_mesh_sock(m, i + 1, sid, key, echo,
		          equivocate == i + 1 ? 1 : 0)) != 0) ||
		    ((rv = nng_listen(m->s[i], "mpc+tls+tcp://127.0.0.1:0", &l,
		          0)) != 0) ||
		    ((rv = nng_listener_get_int(
		          l, NNG_OPT_TCP_BOUND_PORT, &port)) != 0)) {
			goto out;
		}
		(void) snprintf(url[i], sizeof(url[i]),
		    "mpc+tls+tcp://127.0.0.1:%d", port);
	}
	for (unsigned i = 0; i < m->n; i++) {
		for (unsigned j = 0; j < i; j++) {
			if ((rv = nng_dial(m->s[i], url[j], NULL, 0)) != 0) {
				goto out;
			}
		}
	}
	for (int waited = 0;; waited += 10) {
		unsigned ready = 0;
		for (unsigned i = 0; i < m->n; i++) {
			ready += __atomic_load_n(&m->pipes[i], __ATOMIC_SEQ_CST) ==
			    (int) m->n - 1;
		}
		if (ready == m->n) {
			break;
		}
		if (waited >= timeout_ms) {
			rv = NNG_ETIMEDOUT;
			goto out;
		}
		nng_msleep(10);
	}
	rv = 0;
out:
	explicit_bzero(key, sizeof(key));
	return (rv);
}

void
echo_mesh_close(struct echo_mesh *m)
{
	for (unsigned i = 0; i < m->n; i++) {
		if (m->s[i].id != 0) {
			(void) nng_close(m->s[i]);
			m->s[i].id = 0;
		}
	}
}

int
echo_mesh_bcast(
    struct echo_mesh *m, unsigned party, const void *buf, size_t len)
{
	nng_msg *msg;
	int      rv;

	if ((rv = nng_msg_alloc(&msg, 0)) != 0) {
		return (rv);
	}
	if (((rv = nng_msg_append(msg, buf, len)) != 0) ||
	    ((rv = nng_mpc_msg_set_type(msg, NNG_MPC_MSG_SIGN_ROUND1)) != 0) ||
	    ((rv = nng_mpc_msg_set_recipient(msg, NNG_MPC_PARTY_BROADCAST)) !=
	        0) ||
	    ((rv = nng_sendmsg(m->s[party - 1], msg, 0)) != 0)) {
		nng_msg_free(msg);
	}
	return (rv);
}

void
echo_mesh_done(struct echo_mesh *m, bool keep)
{
	echo_mesh_close(m);
	if (!keep && (m->dir[0] != '\0')) {
		nngmpc_rmtree(m->dir);
	}
}
