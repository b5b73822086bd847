/*
 * tran_util.h -- helpers shared by the mpc+* transport tests: sockets with
 * MPC settings, listening on an ephemeral port, addressed messages,
 * reading counters.  Every helper asserts (CMocka) instead of returning
 * errors, so tests stay short.
 */
#ifndef NNG_MPC_TEST_TRAN_UTIL_H
#define NNG_MPC_TEST_TRAN_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <nng/nng.h>
#include <nng/protocol/bus0/bus.h>
#include <nng/protocol/pair1/pair.h>

#include "nng_mpc.h"

/* The session every test party shares unless a test says otherwise. */
extern const uint8_t tu_sid[NNG_MPC_SESSION_ID_SIZE];
extern const uint8_t tu_key[NNG_MPC_SESSION_KEY_SIZE];

/* Asserts an NNG call returned want, naming both on failure. */
#define TU_EXPECT(want, call) tu_expect((want), (call), #call, __FILE__, __LINE__)
#define TU_PASS(call)         TU_EXPECT(0, call)
void tu_expect(int want, int got, const char *what, const char *file, int line);

/* CMocka setups that run a test over mpc+tcp:// or mpc+ipc:// (the scheme
 * is the test's *state); TU_BOTH(fn) lists fn once with each. */
int tu_setup_tcp(void **state);
int tu_setup_ipc(void **state);
#define TU_BOTH(fn)                                  \
	cmocka_unit_test_setup(fn, tu_setup_tcp),    \
	    cmocka_unit_test_setup(fn, tu_setup_ipc)

/* nng_mpc_register() once per process. */
void tu_register(void);

/* Sets party, session ID and key on a socket. */
void tu_socket_mpc(nng_socket s, uint32_t party, const uint8_t *sid,
    const uint8_t *key);

/* Opens pair1 / bus0 with the MPC settings and short timeouts. */
nng_socket tu_pair(uint32_t party);
nng_socket tu_bus(uint32_t party);

/* Listens on scheme://127.0.0.1:0 (or a fresh ipc path); writes the URL
 * to dial into url (cap bytes). */
void tu_listen(nng_socket s, const char *scheme, char *url, size_t cap,
    nng_listener *lp);

/* A fresh ipc path under $TMPDIR. */
void tu_ipc_url(char *url, size_t cap);

/* Sends a message with an optional envelope (type 0: none). */
void tu_send(nng_socket s, const void *data, size_t len, uint16_t type,
    uint32_t rcpt);
/* Receives one message (asserting success) and returns it. */
nng_msg *tu_recv(nng_socket s);
/* Asserts no message arrives within ms. */
void tu_recv_none(nng_socket s, int ms);

/* Reads a uint64 counter of a pipe / dialer / listener. */
uint64_t tu_pipe_ctr(nng_pipe p, const char *name);
uint64_t tu_listener_ctr(nng_listener l, const char *name);
uint64_t tu_dialer_ctr(nng_dialer d, const char *name);

/* Waits (up to 10 s) until the socket has n pipes (added to it by NNG and
 * not yet removed), via pipe events. */
void tu_wait_pipes(nng_socket s, int n);

/* Pipes the socket has seen since it was opened (NNG_PIPE_EV_ADD_PRE):
 * a pipe refused by the transport never counts. */
int tu_pipes_seen(nng_socket s);

/* Waits (up to 10 s) until at least n pipes of the socket were removed
 * since it was opened (a dialer may reconnect right after). */
void tu_wait_removed(nng_socket s, int n);

/* Polls until cond(arg) or 10 s pass; asserts it became true.  For state
 * another thread changes (counters), never for timing assertions. */
void tu_wait_until(bool (*cond)(void *), void *arg);

/* Waits (up to 10 s) until a counter of a listener, dialer or pipe
 * reaches at least want. */
void tu_wait_listener_ctr(nng_listener l, const char *name, uint64_t want);
void tu_wait_dialer_ctr(nng_dialer d, const char *name, uint64_t want);
void tu_wait_pipe_ctr(nng_pipe p, const char *name, uint64_t want);

/*
 * Raw clients for hostile-peer tests: a plain socket to an mpc+tcp:// or
 * mpc+ipc:// URL, 5 s I/O timeouts.  tu_raw_read returns the bytes read
 * (fewer only at EOF or timeout); tu_raw_write asserts all were written.
 */
int    tu_raw_connect(const char *url);
size_t tu_raw_read(int fd, void *buf, size_t len);
void   tu_raw_write(int fd, const void *buf, size_t len);
/* Like tu_raw_write, but the peer may have closed: false then. */
bool tu_raw_try_write(int fd, const void *buf, size_t len);
/* True when the peer closed the connection (EOF or reset) within 10 s. */
bool tu_raw_closed(int fd);

#endif /* NNG_MPC_TEST_TRAN_UTIL_H */
