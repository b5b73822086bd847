/*
 * demo_faults.c -- the fault schedule of `nngmpc demo --faults` (see
 * demo_faults.h for what it does and the threading rule).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "demo_faults.h"
#include "nngmpc.h"
#include "rounds.h"
#include "tcp_relay.h"

/* How long a link's connection must have stood before a cut may break
 * it: past the handshake (milliseconds on loopback), so the cut hits a
 * pipe, not a connection still negotiating. */
#define DEMO_FAULTS_SETTLE_MS 150u
/* A mid-frame cut needs bytes towards the listener; a link idle this long
 * (between rounds, heartbeats every 5 s) is reset instead. */
#define DEMO_FAULTS_ARM_MS 1000u
/* How often the schedule looks at the relays. */
#define DEMO_FAULTS_TICK_MS 10

uint64_t
demo_faults_seed(void)
{
	struct timespec ts;
	uint64_t        s;

	clock_gettime(CLOCK_REALTIME, &ts);
	s = ((uint64_t) ts.tv_sec << 20) ^ (uint64_t) ts.tv_nsec ^
	    ((uint64_t) getpid() << 40);
	return (nngmpc_splitmix64(&s));
}

/* The same seed gives the same plan everywhere (nngmpc_splitmix64). */
int
demo_faults_plan(struct demo_faults *f, uint64_t seed, uint32_t count,
    uint32_t parties, uint32_t rounds)
{
	uint64_t s    = seed;
	uint32_t span = rounds * DEMO_FAULTS_ROUND_GAP_MS;

	memset(f, 0, sizeof(*f));
	f->seed   = seed;
	f->count  = count;
	f->rounds = rounds;
	for (uint32_t lo = 1; lo <= parties; lo++) {
		for (uint32_t hi = lo + 1; hi <= parties; hi++) {
			f->links[f->nlinks].lo = lo;
			f->links[f->nlinks].hi = hi;
			f->nlinks++;
		}
	}
	if ((f->plan = calloc(count, sizeof(*f->plan))) == NULL) {
		return (ENOMEM);
	}
	for (uint32_t i = 0; i < count; i++) {
		struct demo_fault x = {
			.at_ms = (uint32_t) (nngmpc_splitmix64(&s) % span),
			.link  = (uint32_t) (nngmpc_splitmix64(&s) % f->nlinks),
			.kind  = (nngmpc_splitmix64(&s) & 1u) ? DEMO_FAULT_MIDFRAME
			                                : DEMO_FAULT_RESET,
			.cut_bytes = 1u +
			    (uint32_t) (nngmpc_splitmix64(&s) %
			        DEMO_FAULTS_CUT_BYTES_MAX),
		};
		uint32_t k = i;

		/* Kept in time order as it is made (insertion). */
		while ((k > 0) && (f->plan[k - 1].at_ms > x.at_ms)) {
			f->plan[k] = f->plan[k - 1];
			k--;
		}
		f->plan[k] = x;
	}
	return (0);
}

/* The port of a loopback "127.0.0.1:PORT" address, or 0. */
static uint16_t
faults_port(const char *address)
{
	const char   *colon = strrchr(address, ':');
	unsigned long port;
	char         *end;

	if (colon == NULL) {
		return (0);
	}
	port = strtoul(colon + 1, &end, 10);
	return ((*end == '\0' && port > 0 && port < 65536) ? (uint16_t) port
	                                                    : 0);
}

/* Sets r's addresses: without f every party's own port; with f the relays
 * dialer `id` goes through. */
static void
faults_addresses(struct nngmpc_roster *r, const uint16_t *real,
    const struct demo_faults *f, uint32_t id)
{
	for (size_t i = 0; (f == NULL) && (i < r->nparties); i++) {
		snprintf(r->parties[i].address, sizeof(r->parties[0].address),
		    "127.0.0.1:%u", (unsigned) real[i]);
	}
	for (uint32_t i = 0; (f != NULL) && (i < f->nlinks); i++) {
		const struct demo_faults_link *l = &f->links[i];

		if (l->hi == id) {
			snprintf(r->parties[l->lo - 1].address,
			    sizeof(r->parties[0].address), "127.0.0.1:%u",
			    (unsigned) l->port);
		}
	}
}

int
demo_faults_start(struct demo_faults *f, struct nngmpc_roster *r,
    const char *dir, char (*paths)[128])
{
	uint16_t real[NNGMPC_ROSTER_MAX];
	int      rv;

	for (size_t i = 0; i < r->nparties; i++) {
		if ((real[i] = faults_port(r->parties[i].address)) == 0) {
			return (EINVAL);
		}
	}
	for (uint32_t i = 0; i < f->nlinks; i++) {
		struct demo_faults_link *l = &f->links[i];

		if ((rv = tcp_relay_start("127.0.0.1", real[l->lo - 1],
		         &l->port, &l->relay)) != 0) {
			return (rv);
		}
	}
	/* Party id's roster: every address as it is (its own, where it
	 * listens), but a relay for each party it dials. */
	for (uint32_t id = 1; id <= r->nparties; id++) {
		faults_addresses(r, real, NULL, 0);
		faults_addresses(r, real, f, id);
		snprintf(paths[id - 1], sizeof(paths[0]),
		    "%s/roster-party%u.conf", dir, (unsigned) id);
		if (!nngmpc_roster_save(paths[id - 1], r)) {
			rv = errno != 0 ? errno : EIO;
			faults_addresses(r, real, NULL, 0);
			return (rv);
		}
	}
	faults_addresses(r, real, NULL, 0);
	return (0);
}

void
demo_faults_begin(struct demo_faults *f)
{
	if (f->t0_ms == 0) {
		f->t0_ms = nngmpc_now_ms();
	}
}

/* A mid-frame cut armed on l: done once the relay reset the connection,
 * or turned into a reset when the link stayed idle. */
static void
faults_armed(struct demo_faults *f, struct demo_faults_link *l,
    const struct tcp_relay_stats *st, uint64_t now)
{
	struct tcp_relay_stats after;

	if (st->resets > l->resets) {
		/* Redials pass untouched from here on. */
		tcp_relay_cut(l->relay, 0);
		l->armed = false;
		f->cut++;
		return;
	}
	if (now - l->armed_ms < DEMO_FAULTS_ARM_MS) {
		return;
	}
	tcp_relay_cut(l->relay, 0);
	tcp_relay_reset(l->relay);
	tcp_relay_stats(l->relay, &after);
	l->armed = false;
	f->cut += after.resets > l->resets ? 1u : 0u;
}

/* Applies fault x on its link, which stood long enough. */
static void
faults_apply(struct demo_faults *f, const struct demo_fault *x,
    const struct tcp_relay_stats *st, uint64_t now)
{
	struct demo_faults_link *l = &f->links[x->link];
	struct tcp_relay_stats   after;

	if (x->kind == DEMO_FAULT_MIDFRAME) {
		l->armed    = true;
		l->armed_ms = now;
		l->resets   = st->resets;
		tcp_relay_cut(l->relay, x->cut_bytes);
		return;
	}
	tcp_relay_reset(l->relay);
	tcp_relay_stats(l->relay, &after);
	f->cut += after.resets > st->resets ? 1u : 0u;
}

int
demo_faults_tick(struct demo_faults *f)
{
	struct tcp_relay_stats st[DEMO_FAULTS_LINKS_MAX];
	uint64_t               now = nngmpc_now_ms();

	for (uint32_t i = 0; i < f->nlinks; i++) {
		struct demo_faults_link *l = &f->links[i];

		tcp_relay_stats(l->relay, &st[i]);
		if ((st[i].accepted != l->accepted) || (l->steady_ms == 0)) {
			l->accepted  = st[i].accepted;
			l->steady_ms = now;
		}
		if (l->armed) {
			faults_armed(f, l, &st[i], now);
		}
	}
	/* In plan order; a cut whose link is down or just back waits (and
	 * the ones after it), so each breaks a working connection. */
	while ((f->t0_ms != 0) && !f->ended && (f->next < f->count) &&
	    (now - f->t0_ms >= f->plan[f->next].at_ms)) {
		const struct demo_fault *x = &f->plan[f->next];
		struct demo_faults_link *l = &f->links[x->link];

		if (l->armed || (st[x->link].open == 0) ||
		    (now - l->steady_ms < DEMO_FAULTS_SETTLE_MS)) {
			break;
		}
		faults_apply(f, x, &st[x->link], now);
		/* st is from before the cut: the next cut on this link waits
		 * for the redial to stand, like any other. */
		l->steady_ms = now;
		f->next++;
	}
	return (DEMO_FAULTS_TICK_MS);
}

void
demo_faults_end(struct demo_faults *f)
{
	struct tcp_relay_stats st;

	f->ended = true;
	for (uint32_t i = 0; i < f->nlinks; i++) {
		struct demo_faults_link *l = &f->links[i];

		if (l->armed) {
			tcp_relay_cut(l->relay, 0);
			tcp_relay_stats(l->relay, &st);
			/* It may have gone off since the last look. */
			f->cut += st.resets > l->resets ? 1u : 0u;
			l->armed = false;
		}
	}
}

void
demo_faults_stop(struct demo_faults *f)
{
	for (uint32_t i = 0; i < f->nlinks; i++) {
		tcp_relay_stop(f->links[i].relay);
		f->links[i].relay = NULL;
	}
	free(f->plan);
	f->plan = NULL;
}
