/* SPDX-License-Identifier: MIT */
/*
 * ipam internals shared by alloc.c (state, load, allocation) and lease.c (release,
 * leases, reservations, GC). Not part of the module API: only the .c files of ipam/ include it.
 */
#ifndef CUTOVER_IPAM_INT_H
#define CUTOVER_IPAM_INT_H

#include "ipam/ipam.h"
#include "lib/store.h"

#define IPAM_POOLS_MAX		64
#define IPAM_NODES_MAX		65535
#define KEY_LEN			(STORE_KEY_MAX + 1)

struct pool_state {
	struct ipam_pool	 def;
	uint64_t		 size;
	uint8_t			*used;		/* bitmap: allocated by anyone */
	uint8_t			*blocked;	/* bitmap: static, live or reserved */
	uint8_t			*live;		/* bitmap: live on VMware */
	uint8_t			*resv;		/* bitmap: reserved */
	uint16_t		*owner;		/* node index per allocated address */
	uint64_t		 nblocks;
	uint16_t		*block_owner;	/* node index per block, 0 unclaimed */
	uint64_t		 hint;		/* next offset to try */
};

struct ipam {
	struct store		*s;
	char			 node[IPAM_NAME_MAX];
	uint16_t		 node_idx;	/* 0 when im has no node */
	struct pool_state	 pools[IPAM_POOLS_MAX];
	size_t			 npools;
	char			**nodes;	/* nodes[0] unused */
	size_t			 nnodes, capnodes;
	int64_t			 rev;
	struct ipam_adv		*adv;
	uint64_t		 conflicts;	/* failed compare-and-swaps */
	uint64_t		 rng;
	ipam_adv_cb		 cb;
	void			*cb_arg;
};

static inline bool
ipam_bit_get(const uint8_t *m, uint64_t i)
{
	return m[i / 8] >> (i % 8) & 1;
}

static inline void
ipam_bit_set(uint8_t *m, uint64_t i, bool on)
{
	if (on)
		m[i / 8] |= (uint8_t)(1u << (i % 8));
	else
		m[i / 8] &= (uint8_t)~(1u << (i % 8));
}

enum adv_label { LBL_NONE, LBL_OWN, LBL_FOREIGN };

bool	ipam_name_ok(const char *s, size_t max);
int	ipam_key_alloc(char *k, const struct pool_state *ps, const struct addr *a);
int	ipam_key_addr(char *k, const char *kind, const char *pool, const struct addr *a);
int	ipam_key_handle(char *k, const char *cid, const char *ifname, const char *pool);
struct pool_state *ipam_ps_by_name(struct ipam *im, const char *name);
struct pool_state *ipam_ps_by_addr(struct ipam *im, const struct addr *a);
int	ipam_lease_parse(const char *val, size_t len, struct ipam_lease *l);
void	ipam_lease_fill_pool(struct ipam_lease *l, const struct pool_state *ps,
	    const struct addr *a);
const char *ipam_key_rest(const char *key, const char *prefix);
struct pool_state *ipam_key_pool(struct ipam *im, const char *rest, const char **tail);
void	ipam_cache_alloc(struct ipam *im, struct pool_state *ps, uint64_t off, uint16_t owner,
	    bool on);
enum adv_label ipam_label_of(const struct ipam *im, const struct pool_state *ps, uint64_t off);
void	ipam_adv_relabel(struct ipam *im, struct pool_state *ps, uint64_t off,
	    enum adv_label old);
const char *ipam_node_name(const struct ipam *im, uint16_t idx);

#endif
