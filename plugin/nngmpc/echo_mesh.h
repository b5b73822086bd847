/*
 * echo_mesh.h -- an in-process bus0 mesh over mpc+tls+tcp:// loopback for
 * `nngmpc demo --equivocate` and `nngmpc bench --echo`: a CA and party
 * certificates in a temporary directory, one socket per party (echo
 * broadcast on or off), each party listening and dialing every lower ID.
 *
 * Threading: one thread drives a mesh; the sockets are NNG's.
 */
#ifndef NNGMPC_ECHO_MESH_H
#define NNGMPC_ECHO_MESH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nng/nng.h>

#define ECHO_MESH_MAX 16u

struct echo_mesh {
	unsigned   n;
	nng_socket s[ECHO_MESH_MAX]; /* party i+1 */
	int        pipes[ECHO_MESH_MAX]; /* its pipes now (atomic) */
	char       dir[64];          /* certificates (and evidence) */
};

/* Makes the certificates in a new temporary directory.  true on success
 * (the error is printed otherwise). */
bool echo_mesh_certs(struct echo_mesh *m, const char *cmd, unsigned n);

/* Opens and connects the n parties with echo on or off; equivocate: the
 * party whose first broadcast equivocates (0: none).  Waits until every
 * party has its n-1 pipes (timeout_ms).  0 or an NNG error. */
int echo_mesh_open(struct echo_mesh *m, bool echo, uint32_t equivocate,
    int timeout_ms);

/* Closes the sockets (the certificates stay). */
void echo_mesh_close(struct echo_mesh *m);

/* Broadcasts len bytes from party (1-based) as type SIGN_ROUND1. */
int echo_mesh_bcast(struct echo_mesh *m, unsigned party, const void *buf,
    size_t len);

/* Removes the directory unless keep. */
void echo_mesh_done(struct echo_mesh *m, bool keep);

#endif /* NNGMPC_ECHO_MESH_H */
