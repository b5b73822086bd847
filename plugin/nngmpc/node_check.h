/*
 * Start-up checks of a party's TLS identity, made before any socket
 * exists, each failure one line "<path>: <what is wrong>: <what to do>":
 * the private key is the certificate's, the certificate names the party
 * the node runs as, and the roster's CA verifies it (signature and
 * validity).  The file checks (presence, contents, permissions) are
 * files.h's and come first.
 *
 * Threading: none.
 */
#ifndef NNG_MPC_NNGMPC_NODE_CHECK_H
#define NNG_MPC_NNGMPC_NODE_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "roster.h"

bool nngmpc_node_check_identity(const char *ca, const char *certkey,
    uint32_t id, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Every start-up check of party id of roster r (in the roster, has a
 * cert+key over TLS, the files (files.h), the identity above), each
 * failure reported on stderr with its fix.  Returns NNGMPC_EXIT_OK with
 * *self, NNGMPC_EXIT_USAGE (the roster lacks the party or its file) or
 * NNGMPC_EXIT_FAIL. */
int nngmpc_node_check(const struct nngmpc_roster *r, uint32_t id,
    const struct nngmpc_party **self) __attribute__((warn_unused_result));

#endif /* NNG_MPC_NNGMPC_NODE_CHECK_H */
