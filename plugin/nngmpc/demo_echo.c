/*
 * `nngmpc demo --equivocate ID`: echo broadcast catching a party that
 * equivocates.  An in-process bus0 mesh over mpc+tls+tcp:// loopback
 * (echo_mesh.h) with NNG_OPT_MPC_BROADCAST_ECHO on: an honest broadcast
 * first (delivered everywhere), then party ID broadcasts one message with
 * two payloads (NNG_OPT_MPC_BROADCAST_EQUIVOCATE); every honest party must
 * report it (NNG_MPC_EEQUIVOCATION from nng_mpc_echo_report_get, naming
 * ID and both digests) and deliver neither payload, and the evidence each
 * one holds is written to a file and checked by running `nngmpc evidence
 * verify --ca` on it.  Exit 0 only if all of that happened.
 *
 * Threading: single-threaded; the sockets are NNG's.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/supplemental/util/platform.h>

#include <nng_mpc.h>

#include "demo_echo.h"
#include "echo_mesh.h"
#include "nngmpc.h"
#include "proc.h"

#define DEMO_ECHO_CMD "demo"

static void
demo_echo_hex(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		printf("%02x", p[i]);
	}
}

/* Waits for party i's report to show an equivocation. */
static int
demo_echo_wait(nng_socket s, nng_mpc_echo_report *rep, uint32_t timeout_s)
{
	int rv = 0;

	for (uint32_t ms = 0; ms < timeout_s * 1000u; ms += 20) {
		if ((rv = nng_mpc_echo_report_get(s, rep)) ==
		    NNG_MPC_EEQUIVOCATION) {
			return (rv);
		}
		nng_msleep(20);
	}
	return (rv);
}

/* Writes the evidence and runs `nngmpc evidence verify --ca` on it. */
static bool
demo_echo_verify(
    const struct echo_mesh *m, unsigned party, const nng_mpc_echo_report *rep)
{
	static const struct nngmpc_proc_spec spec = { .in = NNGMPC_PROC_NULL,
		.file = "/proc/self/exe" };
	struct nngmpc_proc_result r;
	char                      ca[128], ev[128];
	char *const argv[] = { "nngmpc", "evidence", "verify", "--ca", ca, ev,
		NULL };
	FILE *                    f;
	int                       st;

	(void) snprintf(ca, sizeof(ca), "%s/ca.pem", m->dir);
	(void) snprintf(ev, sizeof(ev), "%s/evidence-party%u.bin", m->dir,
	    party);
	if (((f = fopen(ev, "wb")) == NULL) ||
	    (fwrite(rep->evidence, 1, rep->evidence_len, f) !=
	        rep->evidence_len) ||
	    (fclose(f) != 0)) {
		nngmpc_error(DEMO_ECHO_CMD, "cannot write %s", ev);
		return (false);
	}
	printf("  $ nngmpc evidence verify --ca %s %s\n", ca, ev);
	fflush(stdout);
	st = nngmpc_proc_run(argv, &spec, &r);
	nngmpc_proc_result_free(&r);
	printf("  -> exit %d: %s\n", st,
	    st == 0 ? "proven, checkable by anyone holding the CA"
	            : "NOT proven");
	return (st == 0);
}

/* Party i's view: the report, and nothing delivered. */
static bool
demo_echo_party(const struct echo_mesh *m, unsigned i, uint32_t id,
    uint32_t timeout_s, bool first)
{
	nng_mpc_echo_report *rep = calloc(1, sizeof(*rep));
	nng_msg *            msg = NULL;
	bool                 ok  = false;
	int                  rv;

	if (rep == NULL) {
		return (false);
	}
	rv = demo_echo_wait(m->s[i], rep, timeout_s);
	if (rv != NNG_MPC_EEQUIVOCATION) {
		printf("party %u: no equivocation reported (%s)\n", i + 1,
		    nng_mpc_strerror(rv));
		goto out;
	}
	printf("party %u: %s: party %u, %s sequence %llu\n", i + 1,
	    nng_mpc_errname(rv), (unsigned) rep->sender,
	    nng_mpc_msg_type_name(rep->type), (unsigned long long) rep->seq);
	printf("  digest A ");
	demo_echo_hex(rep->digest[0], 32);
	printf("\n  digest B ");
	demo_echo_hex(rep->digest[1], 32);
	printf(" (echo of party %u involved)\n", (unsigned) rep->witness);
	rv = nng_recvmsg(m->s[i], &msg, NNG_FLAG_NONBLOCK);
	if (rv == 0) {
		nng_msg_free(msg);
	}
	printf("  delivered: %s; counters: delivered %llu, equivocations "
	       "%llu, rejected %llu\n",
	    rv == 0 ? "A PAYLOAD (wrong)" : "neither payload",
	    (unsigned long long) rep->delivered,
	    (unsigned long long) rep->equivocations,
	    (unsigned long long) rep->rejected);
	ok = (rv == NNG_EAGAIN) && (rep->sender == id) && rep->proven;
	if (ok && first) {
		ok = demo_echo_verify(m, i + 1, rep);
	}
out:
	free(rep);
	return (ok);
}

/* Every party but `from` receives body once. */
static bool
demo_echo_honest(const struct echo_mesh *m, unsigned from, const char *body)
{
	bool ok = true;

	for (unsigned i = 0; i < m->n; i++) {
		nng_msg *msg = NULL;
		if (i + 1 == from) {
			continue;
		}
		if ((nng_recvmsg(m->s[i], &msg, 0) != 0) ||
		    (nng_msg_len(msg) != strlen(body) + 1) ||
		    (memcmp(nng_msg_body(msg), body, strlen(body) + 1) != 0)) {
			ok = false;
		}
		if (msg != NULL) {
			nng_msg_free(msg);
		}
	}
	printf("honest broadcast from party %u: %s at the other %u parties\n",
	    from, ok ? "delivered once" : "NOT delivered",
	    (unsigned) m->n - 1);
	return (ok);
}

int
nngmpc_demo_equivocate(
    uint32_t parties, uint32_t id, uint32_t timeout_s, bool keep)
{
	struct echo_mesh *m = calloc(1, sizeof(*m));
	const char *      share = "share for every party: 42";
	unsigned          honest = id == 1 ? 2 : 1;
	unsigned          caught = 0;
	int               rv;
	int               ret = NNGMPC_EXIT_FAIL;

	if (m == NULL) {
		return (NNGMPC_EXIT_FAIL);
	}
	printf("nng-mpc demo: %u parties, bus0 mesh over mpc+tls+tcp:// with "
	       "echo broadcast; party %u equivocates\n",
	    (unsigned) parties, (unsigned) id);
	if (!echo_mesh_certs(m, DEMO_ECHO_CMD, parties)) {
		goto out;
	}
	if ((rv = echo_mesh_open(m, true, id, (int) timeout_s * 1000)) != 0) {
		nngmpc_error(DEMO_ECHO_CMD, "cannot connect the parties: %s",
		    nng_mpc_strerror(rv));
		goto out;
	}
	if ((echo_mesh_bcast(m, honest, share, strlen(share) + 1) != 0) ||
	    !demo_echo_honest(m, honest, share)) {
		goto out;
	}
	printf("party %u broadcasts one message with two payloads (party %u "
	       "gets the last byte changed), both signed as the same "
	       "broadcast\n",
	    (unsigned) id, (unsigned) (id == parties ? parties - 1 : parties));
	if (echo_mesh_bcast(m, id, share, strlen(share) + 1) != 0) {
		goto out;
	}
	for (unsigned i = 0; i < m->n; i++) {
		if ((i + 1 != id) &&
		    demo_echo_party(m, i, id, timeout_s, caught == 0)) {
			caught++;
		}
	}
	if (caught == parties - 1) {
		printf("DETECTED: every honest party (%u) reported party %u's "
		       "equivocation and delivered neither payload; the "
		       "evidence verifies against the CA.\n",
		    caught, (unsigned) id);
		ret = NNGMPC_EXIT_OK;
	} else {
		printf("FAILED: %u of %u honest parties caught party %u.\n",
		    caught, (unsigned) parties - 1, (unsigned) id);
	}
out:
	if (keep && (m->dir[0] != '\0')) {
		printf("kept %s (certificates and evidence files)\n", m->dir);
	}
	echo_mesh_done(m, keep);
	free(m);
	return (ret);
}
