/* SPDX-License-Identifier: MIT */
/*
 * IPAM: pools (legacy segments and cluster pools), per-node blocks and single
 * addresses, reservations that keep a VM's address for the pod replacing it,
 * release, idempotent allocation per container, garbage collection, and the per-node
 * advertise set that BGP originates. State lives in lib/store under IPAM_KEY_ROOT,
 * so several nodes (etcd) or processes (SQLite) share pools safely: every claim is a
 * compare-and-swap transaction. This header and ipam/cni.h (the CNI codec) are the
 * module's whole API; cmd/ mains (cutoverd, cutover CLI, cutover-cni-ipam) use
 * nothing else.
 */
#ifndef CUTOVER_IPAM_IPAM_H
#define CUTOVER_IPAM_IPAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"

struct diag;
struct store;
struct ynode;

#define IPAM_KEY_ROOT		"/cutover/ipam/"
#define IPAM_NAME_MAX		64	/* pool, node, VM names */
#define IPAM_CID_MAX		128	/* container ids */
#define IPAM_IFNAME_MAX		16
/* Pools are scanned by offset with per-address bitmaps: at most 2^24 addresses. */
#define IPAM_POOL_MAX_HOST_BITS	24
#define IPAM_EXCLUDE_MAX	64

enum ipam_pool_kind {
	IPAM_POOL_LEGACY,	/* a VMware segment: VMs still live in it */
	IPAM_POOL_CLUSTER,	/* addresses only Kubernetes uses */
};

struct ipam_range {
	struct addr	lo, hi;		/* inclusive */
};

struct ipam_pool {
	char			name[IPAM_NAME_MAX];
	enum ipam_pool_kind	kind;
	struct prefix		cidr;
	bool			has_gateway;
	struct addr		gateway;
	struct ipam_range	exclude[IPAM_EXCLUDE_MAX];
	size_t			nexclude;
	/* Block length: addresses are claimed per node in blocks of this length
	 * (cluster default /26); the host length (/32, /128) means single addresses
	 * (legacy default). */
	uint8_t			block_len;
	/* May the advertise set cover free addresses of this pool (true for cluster
	 * pools)? In a legacy segment an address nobody here owns may be a VM that is
	 * not in the live list, so the default there is false: only owned addresses. */
	bool			aggregate_free;
	/* Routes handed to CNI with every address of this pool (none configured: a
	 * default route through the gateway, when the pool has one). */
	struct prefix		routes[4];
	size_t			nroutes;
};

/* ---- pools (pool.c) ---------------------------------------------------------- */

/* Defaults for kind; name and cidr must still be set. */
void	ipam_pool_init(struct ipam_pool *p, enum ipam_pool_kind kind);
/* Check a pool definition; d names the field. 0 or -EINVAL. */
int	ipam_pool_validate(const struct ipam_pool *p, struct diag *d);
/* Pool <-> JSON text (the stored form and the CLI's --json form). The parser is
 * strict (unknown keys, wrong types, bad addresses are errors with a JSON path). */
int	ipam_pool_parse_json(const char *text, size_t len, struct ipam_pool *p,
	    struct diag *d);
/* Returns a malloc'ed JSON string or NULL. */
char	*ipam_pool_to_json(const struct ipam_pool *p);
/* Parse "A-B", "A" or "P/len" into a range. */
int	ipam_range_parse(const char *s, struct ipam_range *r);
/* Number of addresses in the pool; offset of a within it (-ERANGE outside). */
uint64_t ipam_pool_size(const struct ipam_pool *p);
int	ipam_pool_offset(const struct ipam_pool *p, const struct addr *a, uint64_t *off);
void	ipam_pool_addr(const struct ipam_pool *p, uint64_t off, struct addr *a);
/* Why a would never be handed out by itself (network, broadcast, gateway, excluded),
 * or NULL when it may be. */
const char *ipam_pool_addr_static_reason(const struct ipam_pool *p, const struct addr *a);

/*
 * The VMware-live list file: one address per line, optionally followed by the VM
 * name; '#' starts a comment; blank lines are fine. Calls cb for each entry. Errors
 * name the file and line. cb returns 0 or -errno to stop.
 */
int	ipam_live_file_parse(const char *path, const char *text, size_t len,
	    int (*cb)(const struct addr *a, const char *vm, void *arg), void *arg,
	    struct diag *d);

/* ---- advertise set (advertise.c): a pure computation -------------------------- */

/*
 * The advertise set of one node: the minimal list of prefixes that covers every
 * address the node owns and no "foreign" address (owned by another node, another
 * node's block, live on VMware, gateway, excluded range, an unclaimed reservation),
 * and nothing outside the node's pools. In pools without aggregate_free, addresses
 * nobody owns are foreign too. Among minimal answers the tightest is chosen: inside
 * each maximal clean region, the smallest prefix spanning the owned addresses.
 * Updated incrementally: a change at one address recomputes only the smallest
 * prefix around it whose answer can change. cb (optional) sees every prefix that
 * enters (added=true) or leaves the set.
 */
struct ipam_adv;
typedef void (*ipam_adv_cb)(const struct prefix *p, bool added, void *arg);

struct ipam_adv *ipam_adv_new(ipam_adv_cb cb, void *arg);
void	ipam_adv_free(struct ipam_adv *adv);
void	ipam_adv_set_cb(struct ipam_adv *adv, ipam_adv_cb cb, void *arg);
/* Declare a pool (root). Roots must not overlap. */
int	ipam_adv_add_root(struct ipam_adv *adv, const struct prefix *root, bool aggregate_free);
/* Mark/unmark one address as owned by this node. */
int	ipam_adv_set_own(struct ipam_adv *adv, const struct addr *a, bool own);
/* Add/remove a foreign prefix (reference counted: add twice, remove twice). */
int	ipam_adv_set_foreign(struct ipam_adv *adv, const struct prefix *p, bool on);
/* Suspend incremental work (bulk load); ipam_adv_end() recomputes every root once. */
void	ipam_adv_begin(struct ipam_adv *adv);
int	ipam_adv_end(struct ipam_adv *adv);
size_t	ipam_adv_count(const struct ipam_adv *adv);
/* Walk the current set in prefix order; cb returns non-zero to stop. */
int	ipam_adv_walk(const struct ipam_adv *adv,
	    int (*cb)(const struct prefix *p, void *arg), void *arg);

/* ---- allocation over the store (alloc.c) -------------------------------------- */

struct ipam;

struct ipam_request {
	const char	*pool;		/* NULL: the first pool that fits */
	const char	*node;		/* node the address is for (required) */
	const char	*cid;		/* container id (required) */
	const char	*ifname;	/* "eth0" when NULL */
	bool		 has_ip;	/* a specific address is asked for */
	struct addr	 ip;
	const char	*vm;		/* a reservation by VM name is asked for */
};

struct ipam_lease {
	char		pool[IPAM_NAME_MAX];
	struct addr	ip;
	struct prefix	subnet;		/* the pool's CIDR: the interface mask */
	bool		has_gateway;
	struct addr	gateway;
	char		node[IPAM_NAME_MAX];
	char		cid[IPAM_CID_MAX];
	char		ifname[IPAM_IFNAME_MAX];
	char		vm[IPAM_NAME_MAX];	/* reservation it came from, or "" */
	bool		existing;		/* idempotent ADD: it was there already */
};

struct ipam_reservation {
	char		pool[IPAM_NAME_MAX];
	struct addr	ip;
	char		vm[IPAM_NAME_MAX];
};

/*
 * Open IPAM on a store. node (may be NULL for tools that act for no node) is the
 * node whose advertise set is maintained. Loads pool definitions and state.
 */
int	ipam_open(struct store *s, const char *node, struct ipam **out, struct diag *d);
void	ipam_close(struct ipam *im);
/* Re-read state when the store changed (polls the store revision). *changed
 * (optional) tells whether anything was re-read. */
int	ipam_refresh(struct ipam *im, bool *changed, struct diag *d);

/* Pools */
int	ipam_pool_put(struct ipam *im, const struct ipam_pool *p, struct diag *d);
int	ipam_pool_delete(struct ipam *im, const char *name, bool force, struct diag *d);
size_t	ipam_pool_count(const struct ipam *im);
const struct ipam_pool *ipam_pool_at(const struct ipam *im, size_t i);
const struct ipam_pool *ipam_pool_find(const struct ipam *im, const char *name);
/* Replace the VMware-live set of a pool (addresses outside the pool are errors). */
int	ipam_live_set(struct ipam *im, const char *pool, const struct addr *addrs,
	    char *const *vms, size_t n, struct diag *d);

struct ipam_pool_stats {
	uint64_t	size, allocated, live, reserved, unavailable, free;
	uint64_t	blocks, blocks_claimed;
};
int	ipam_pool_stats(struct ipam *im, const char *pool, struct ipam_pool_stats *st);

/*
 * Allocate. Idempotent per (cid, ifname, pool): a repeated request returns the same
 * lease with existing=true. A named address or VM reservation is given exactly or
 * the call fails (-EADDRINUSE taken, -EADDRNOTAVAIL not allocatable, -ENOENT no such
 * reservation); -ENOSPC when the pool is exhausted. d says which and why.
 */
int	ipam_alloc(struct ipam *im, const struct ipam_request *rq, struct ipam_lease *out,
	    struct diag *d);
/* Release what (cid, ifname) holds (every pool). *n (optional) gets the count.
 * Releasing nothing is success (CNI DEL is idempotent). */
int	ipam_release(struct ipam *im, const char *cid, const char *ifname, size_t *n,
	    struct diag *d);
/* Release one address. */
int	ipam_release_ip(struct ipam *im, const struct addr *a, struct diag *d);
/* Find the lease of (cid, ifname) in pool (NULL: any); -ENOENT when none. */
int	ipam_lookup(struct ipam *im, const char *cid, const char *ifname, const char *pool,
	    struct ipam_lease *out);
/* Every lease (optionally of one pool and/or node), sorted by address. */
int	ipam_leases(struct ipam *im, const char *pool, const char *node,
	    struct ipam_lease **out, size_t *n);

/* Reservations: pin ip (inside a pool) for the workload replacing VM vm. */
int	ipam_reserve(struct ipam *im, const char *vm, const struct addr *ip, struct diag *d);
int	ipam_unreserve(struct ipam *im, const char *vm, struct diag *d);
int	ipam_reservations(struct ipam *im, struct ipam_reservation **out, size_t *n);

/*
 * Garbage collection: release every allocation of node whose container id is not
 * in live_cids (n_live entries). dry_run only counts. *released gets the count.
 */
int	ipam_gc(struct ipam *im, const char *node, char *const *live_cids, size_t n_live,
	    bool dry_run, size_t *released, struct diag *d);

/* Compare-and-swap conflicts this handle met (another allocator was faster). */
uint64_t ipam_conflicts(const struct ipam *im);

/* The advertise set of im's node (kept up to date by alloc/release/refresh). NULL
 * when im has no node. */
struct ipam_adv *ipam_advertise(struct ipam *im);
/* Register the BGP change callback (added/withdrawn prefixes). */
void	ipam_advertise_set_cb(struct ipam *im, ipam_adv_cb cb, void *arg);
/* Compute node's advertise set from the current state into a new ipam_adv. */
int	ipam_advertise_for(struct ipam *im, const char *node, struct ipam_adv **out);

/* ---- cutoverd's `ipam:` config section (conf.c) ------------------------------- */

struct ipam_conf {
	bool		present;
	char		store[256];
	char		node[IPAM_NAME_MAX];	/* "" -> the host name */
	uint32_t	poll_ms;
};

/* lib/yamlconf section parser (struct ycfg_section) for `ipam:`; arg is ipam_conf. */
int	ipam_conf_parse(const struct ynode *n, void *arg);

#endif
