/*
 * mpc_tls_registry.c -- the two maps the bridge needs:
 *   nng_stream *     -> the engine's conn   (inserted at conn init, removed
 *                                            at conn fini)
 *   nng_tls_config * -> the engine's config (inserted at config init,
 *                                            removed at config fini)
 * NNG's engine interface gives an engine only its own state; these maps
 * let the transport, which holds the NNG objects, reach it.
 *
 * Each map is a fixed array of buckets holding intrusive lists of nodes
 * embedded in the conn/config, so an insert never allocates or fails, and
 * the maps hold exactly the live objects: they are bounded by what NNG has
 * open, which nothing else in the engine is.
 *
 * Threading: one process-wide mutex (a static initializer, so registration
 * from a constructor needs no setup) guards both maps.  Callers that need
 * the found object to stay alive keep holding it (mpc_tls_reg_lock) until
 * they have taken the object's own lock; fini removes under it first.
 */
#include <pthread.h>

#include "mpc_tls_engine.h"

#define REG_BUCKETS 256 /* power of two */

static pthread_mutex_t      reg_lk = PTHREAD_MUTEX_INITIALIZER;
static struct mpc_tls_node *reg_conns[REG_BUCKETS];
static struct mpc_tls_node *reg_cfgs[REG_BUCKETS];

static size_t
reg_hash(const void *key)
{
	uintptr_t k = (uintptr_t) key;

	/* Allocations are at least 16-byte aligned: drop those bits, then
	 * mix (Fibonacci hashing). */
	k >>= 4;
	k *= (uintptr_t) 0x9E3779B97F4A7C15ull;
	return ((size_t) (k >> (sizeof(k) * 8 - 8)) & (REG_BUCKETS - 1));
}

static void
reg_add(struct mpc_tls_node **tab, struct mpc_tls_node *n, const void *key)
{
	size_t b = reg_hash(key);

	n->key  = key;
	n->next = tab[b];
	tab[b]  = n;
}

static void
reg_del(struct mpc_tls_node **tab, struct mpc_tls_node *n)
{
	struct mpc_tls_node **pp = &tab[reg_hash(n->key)];

	for (; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == n) {
			*pp     = n->next;
			n->next = NULL;
			return;
		}
	}
}

static struct mpc_tls_node *
reg_find(struct mpc_tls_node **tab, const void *key)
{
	for (struct mpc_tls_node *n = tab[reg_hash(key)]; n != NULL;
	     n                      = n->next) {
		if (n->key == key) {
			return (n);
		}
	}
	return (NULL);
}

void
mpc_tls_reg_lock(void)
{
	(void) pthread_mutex_lock(&reg_lk);
}

void
mpc_tls_reg_unlock(void)
{
	(void) pthread_mutex_unlock(&reg_lk);
}

void
mpc_tls_reg_conn_add(struct nng_tls_engine_conn *c)
{
	mpc_tls_reg_lock();
	reg_add(reg_conns, &c->node, c->tls);
	c->registered = true;
	mpc_tls_reg_unlock();
}

void
mpc_tls_reg_conn_del(struct nng_tls_engine_conn *c)
{
	mpc_tls_reg_lock();
	if (c->registered) {
		reg_del(reg_conns, &c->node);
		c->registered = false;
	}
	mpc_tls_reg_unlock();
}

/* Caller holds the registry lock. */
struct nng_tls_engine_conn *
mpc_tls_reg_conn_find(const void *stream)
{
	struct mpc_tls_node *n = reg_find(reg_conns, stream);

	return (n == NULL ? NULL
	                  : (struct nng_tls_engine_conn *) ((char *) n -
	                        offsetof(struct nng_tls_engine_conn, node)));
}

void
mpc_tls_reg_cfg_add(struct nng_tls_engine_config *c, const void *owner)
{
	mpc_tls_reg_lock();
	reg_add(reg_cfgs, &c->node, owner);
	c->registered = true;
	mpc_tls_reg_unlock();
}

void
mpc_tls_reg_cfg_del(struct nng_tls_engine_config *c)
{
	mpc_tls_reg_lock();
	if (c->registered) {
		reg_del(reg_cfgs, &c->node);
		c->registered = false;
	}
	mpc_tls_reg_unlock();
}

/* Caller holds the registry lock. */
struct nng_tls_engine_config *
mpc_tls_reg_cfg_find(const void *owner)
{
	struct mpc_tls_node *n = reg_find(reg_cfgs, owner);

	return (n == NULL ? NULL
	                  : (struct nng_tls_engine_config *) ((char *) n -
	                        offsetof(struct nng_tls_engine_config, node)));
}
