/*
 * `nngmpc certs sign`: the CA signs a party's certificate request (made
 * on the party's host, e.g. with `openssl req`), so the party's private
 * key never leaves that host.  Called by `nngmpc certs` (cmd_certs.c) for
 * its `sign` word.  Threading: none.
 */
#ifndef NNG_MPC_NNGMPC_CERTS_SIGN_H
#define NNG_MPC_NNGMPC_CERTS_SIGN_H

/* argv[0] is "sign"; returns an nngmpc_exit value. */
int nngmpc_certs_sign_run(int argc, char **argv);

#endif /* NNG_MPC_NNGMPC_CERTS_SIGN_H */
