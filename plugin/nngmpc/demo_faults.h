/*
 * demo_faults.h -- the fault schedule of `nngmpc demo --faults`: a
 * fault-injecting TCP relay (tcp_relay.h) in front of every link of the
 * mesh, and a plan of cuts drawn from a seed, applied while the rounds run.
 *
 * Each pair of parties has one connection: the higher ID dials the lower
 * (mesh.c).  Link (lo, hi) gets its own relay to party lo's listener, and
 * party hi's roster names the relay as party lo's address, so a cut breaks
 * exactly that link.  The plan is N cuts, each on a link, at a time within
 * the rounds, of one kind: a reset (both sides get a RST) or a cut
 * mid-frame (the relay passes a few more bytes towards the listener, then
 * resets).  The plan depends on the seed alone; where the cuts land in
 * the traffic depends on the machine.  A cut waits until its link has
 * been connected for a moment, so each one breaks a working connection.
 *
 * Threading: the demo's thread calls everything; the relays run their own
 * threads (tcp_relay.h).
 */
#ifndef NNGMPC_DEMO_FAULTS_H
#define NNGMPC_DEMO_FAULTS_H

#include <stdbool.h>
#include <stdint.h>

#include "roster.h"

#define DEMO_FAULTS_DEFAULT 8u
#define DEMO_FAULTS_MAX 1000u
/* Links of the largest demo (16 parties). */
#define DEMO_FAULTS_LINKS_MAX 120u
/* The demo's nodes wait this long before each round's messages, so the
 * rounds take long enough for the cuts to land during them. */
#define DEMO_FAULTS_ROUND_GAP_MS 300u
/* The nodes' heartbeat interval unless --heartbeat says otherwise: a
 * broken link is found dead after 3 intervals (cmd_demo.c says why). */
#define DEMO_FAULTS_HEARTBEAT_MS 200u

/* A mid-frame cut passes 1..this many more bytes: less than the smallest
 * frame header plus payload, so the connection ends inside a frame. */
#define DEMO_FAULTS_CUT_BYTES_MAX 64u

struct tcp_relay;

enum demo_fault_kind { DEMO_FAULT_RESET, DEMO_FAULT_MIDFRAME };

/* One cut of the plan (public for the schedule's own test). */
struct demo_fault {
	uint32_t             at_ms; /* after the rounds began */
	uint32_t             link;  /* index into links[] */
	enum demo_fault_kind kind;
	uint32_t             cut_bytes; /* DEMO_FAULT_MIDFRAME */
};

struct demo_faults_link {
	uint32_t          lo, hi; /* hi dials lo */
	struct tcp_relay *relay;
	uint16_t          port;   /* the relay's */
	uint64_t          accepted;   /* the relay's count when last seen */
	uint64_t          steady_ms;  /* since when it has not changed */
	bool              armed;      /* a mid-frame cut waits for bytes */
	uint64_t          armed_ms;
	uint64_t          resets;     /* the relay's count when armed */
};

struct demo_faults {
	uint64_t                seed;
	uint32_t                count;  /* cuts planned */
	uint32_t                rounds; /* how many rounds the plan spans */
	struct demo_fault      *plan;   /* count of them, by time */
	uint32_t                next;   /* the next cut of the plan */
	uint64_t                t0_ms;  /* when the rounds began; 0: not yet */
	bool                    ended;  /* demo_faults_end was called */
	uint32_t                cut;    /* cuts that broke a connection */
	uint32_t                nlinks;
	struct demo_faults_link links[DEMO_FAULTS_LINKS_MAX];
};

/* Plans count cuts for a mesh of `parties` over `rounds` rounds from the
 * seed.  Returns 0 or ENOMEM. */
int demo_faults_plan(struct demo_faults *f, uint64_t seed, uint32_t count,
    uint32_t parties, uint32_t rounds) __attribute__((warn_unused_result));

/* Starts a relay per link, to party lo's listener, and writes one roster
 * per party (path into paths[id - 1]): r -- the demo's, party i + 1 at
 * index i, "127.0.0.1:PORT" addresses -- with the relays as the addresses
 * of the parties that party dials.  Returns 0 or
 * an errno value (the relays started are stopped by demo_faults_stop). */
int demo_faults_start(struct demo_faults *f, struct nngmpc_roster *r,
    const char *dir, char (*paths)[128]) __attribute__((warn_unused_result));

/* The rounds begin now: the plan's times count from here. */
void demo_faults_begin(struct demo_faults *f);

/* Applies what is due.  Returns how many ms until it wants to be called
 * again (the demo polls its nodes that long at most). */
int demo_faults_tick(struct demo_faults *f);

/* The rounds are over (a node finished its last one): no more cuts, and
 * an armed mid-frame cut is called off, so the closing exchange (each
 * node's ACK, the streams' last acknowledgements) runs undisturbed. */
void demo_faults_end(struct demo_faults *f);

/* Stops every relay and frees the plan (also after a failed start). */
void demo_faults_stop(struct demo_faults *f);

/* A random seed for when none is given (time and process ID). */
uint64_t demo_faults_seed(void);

#endif /* NNGMPC_DEMO_FAULTS_H */
