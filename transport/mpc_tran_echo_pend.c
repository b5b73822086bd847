/*
 * mpc_tran_echo_pend.c -- echoes that arrived before their sender's
 * certificate (echo broadcast with delivery streams; mpc_tran_echo_int.h).
 *
 * A third party's echo of sender S's statement can reach us before S's
 * own connection announced S's certificate (we never met S yet, or S's
 * frames travel a slower link).  Such an echo cannot be verified yet; it
 * waits here, at most MPC_TRAN_ECHO_PEND per socket and at most the
 * broadcast timeout, and is checked and counted when S's certificate is
 * accepted.  One that cannot wait is dropped and reported: the report's
 * `dropped` moves and dropped_error/_sender/_seq/_from say which and why
 * (NNG_MPC_EECHOFULL: the table is full; NNG_MPC_EECHOCERT: no
 * certificate came in time).  An echo that then fails verification counts
 * as `rejected`, as it would have on arrival.
 *
 * Locking: every function runs under the socket state's mutex.
 */
#include <string.h>

#include "mpc_tran_echo_int.h"
#include "mpc_tran_nego.h"

/* A waiting echo dropped: counted, and the report says which. */
static void
mpc_tran_echo_pend_drop(mpc_tran_echo_sock *s, uint32_t from,
    const mpc_echo_signed *x, int why)
{
	s->rep.dropped++;
	s->rep.dropped_error  = why;
	s->rep.dropped_sender = x->st.sender;
	s->rep.dropped_seq    = x->st.seq;
	s->rep.dropped_from   = from;
}

void
mpc_tran_echo_pend_add(mpc_tran_echo_sock *s, uint32_t from,
    const mpc_echo_signed *x, uint64_t now)
{
	for (int i = 0; i < MPC_TRAN_ECHO_PEND; i++) {
		mpc_tran_echo_pend *w = &s->pend[i];
		if (!w->used) {
			w->used     = true;
			w->from     = from;
			w->deadline = now + s->table.timeout_ns;
			w->x        = *x;
			return;
		}
	}
	mpc_tran_echo_pend_drop(s, from, x, NNG_MPC_EECHOFULL);
}

nni_msg *
mpc_tran_echo_pend_release(mpc_tran_echo_sock *s, uint32_t sender)
{
	nni_msg *deliver = NULL;

	for (int i = 0; i < MPC_TRAN_ECHO_PEND; i++) {
		mpc_tran_echo_pend *w = &s->pend[i];
		mpc_echo_result     r;
		nni_msg *           m;

		if (!w->used || (w->x.st.sender != sender)) {
			continue;
		}
		w->used = false;
		if (mpc_tran_echo_verify_tls(s, true, &w->x) != 0) {
			s->rep.rejected++;
			continue;
		}
		mpc_echo_see(&s->table, mpc_tran_now_ns(), w->from, &w->x, NULL,
		    mpc_tran_echo_need(s, sender), &r);
		if ((m = mpc_tran_echo_act(s, &r)) == NULL) {
			continue;
		}
		/* Cannot happen: a held broadcast of this sender needed its
		 * certificate to be verified, so none was held.  Were there
		 * two, the frame delivers one; the other is counted. */
		if (deliver == NULL) {
			deliver = m;
		} else {
			nni_msg_free(m);
			s->rep.unkept++;
		}
	}
	return (deliver);
}

void
mpc_tran_echo_pend_expire(mpc_tran_echo_sock *s, uint64_t now)
{
	for (int i = 0; i < MPC_TRAN_ECHO_PEND; i++) {
		mpc_tran_echo_pend *w = &s->pend[i];
		if (w->used && (now >= w->deadline)) {
			w->used = false;
			mpc_tran_echo_pend_drop(s, w->from, &w->x, NNG_MPC_EECHOCERT);
		}
	}
}

uint64_t
mpc_tran_echo_pend_next(const mpc_tran_echo_sock *s)
{
	uint64_t next = 0;

	for (int i = 0; i < MPC_TRAN_ECHO_PEND; i++) {
		const mpc_tran_echo_pend *w = &s->pend[i];
		if (w->used && ((next == 0) || (w->deadline < next))) {
			next = w->deadline;
		}
	}
	return (next);
}

uint64_t
mpc_tran_echo_pend_count(const mpc_tran_echo_sock *s)
{
	uint64_t n = 0;

	for (int i = 0; i < MPC_TRAN_ECHO_PEND; i++) {
		n += s->pend[i].used ? 1 : 0;
	}
	return (n);
}
