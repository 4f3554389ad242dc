/* SPDX-License-Identifier: MIT */
/*
 * The routing information bases: every peer's accepted routes (Adj-RIB-In after the
 * import filter, one path per peer and prefix), the Loc-RIB with the RFC 4271 §9.1
 * decision process and an ECMP set per prefix, and interned, reference-counted
 * attribute sets (one copy of each distinct struct bgp_attrs + next hop, shared by all
 * routes that carry it). Consumers (peers' Adj-RIB-Out, the kernel, monitors) register a
 * struct rib_client_ops and are told about every prefix whose best path or ECMP set
 * changed. Producers are the sessions (through bgp/ribin.c), and local origination
 * (configured prefixes, IPAM's advertise set).
 *
 * Memory: a prefix with one path costs one compact net (40 bytes for IPv4, 48 for
 * IPv6, the path included) and one to two 4-byte hash bucket slots, each further path
 * 24 bytes from a slab; attribute sets are shared and stored packed (about 40 bytes plus
 * the attributes' wire size each). This file does not decode messages, apply filters,
 * talk to the kernel or keep timers.
 */
#ifndef CUTOVER_BGP_RIB_H
#define CUTOVER_BGP_RIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp/attr.h"
#include "bgp/msg.h"
#include "lib/addr.h"

/* Peer index 0 is the local speaker (originated routes). */
#define RIB_PEER_LOCAL		0
#define RIB_PEERS_MAX		4096
#define RIB_ECMP_MAX		16	/* KROUTE_MAX_NEXTHOPS */
#define RIB_LOCAL_PREF_DEFAULT	100

/*
 * An interned attribute set: never modify; take references with rib_aset_ref(). The
 * set is stored compactly: the next hop (4 or 16 bytes, then 16 for a link-local one)
 * and the attributes in their storage form (bgp_attrs_pack()) follow the fields below,
 * which hold what the decision process and the export checks read, decoded once.
 * rib_aset_attrs() gives back the whole struct bgp_attrs, rib_aset_nexthop() the next
 * hop.
 */
struct rib_aset {
	uint32_t		 hash;
	uint32_t		 refcnt;
	uint32_t		 local_pref;	/* LOCAL_PREF, RIB_LOCAL_PREF_DEFAULT when absent */
	uint32_t		 med;		/* MULTI_EXIT_DISC, 0 when absent (§9.1.2.2 c) */
	uint32_t		 originator_id;	/* with RIB_ASET_ORIGINATOR */
	uint32_t		 neighbor_as;	/* leftmost AS of AS_PATH, 0 = none */
	uint16_t		 path_len;	/* RFC 4271 §9.1.2.2 a) (saturates) */
	uint16_t		 ncluster;	/* CLUSTER_LIST entries (saturates) */
	uint16_t		 attrs_len;	/* packed attributes after the next hop */
	uint8_t			 origin;
	uint8_t			 flags;		/* RIB_ASET_* */
	uint8_t			 nh_family;	/* 0 (none), AF_INET or AF_INET6 */
	uint8_t			 data[];
};

/* Set flags. */
#define RIB_ASET_MED		0x01	/* MULTI_EXIT_DISC present */
#define RIB_ASET_LOCAL_PREF	0x02	/* LOCAL_PREF present */
#define RIB_ASET_ORIGINATOR	0x04	/* ORIGINATOR_ID present */
#define RIB_ASET_NO_ADVERTISE	0x08	/* carries community NO_ADVERTISE (RFC 1997) */
#define RIB_ASET_NO_EXPORT	0x10	/* carries community NO_EXPORT (RFC 1997) */
#define RIB_ASET_NH_LL		0x20	/* a link-local next hop follows the global one */

/* Path flags. */
#define RIB_PATH_STALE		0x01	/* RFC 4724 helper: kept across the peer's restart */
#define RIB_PATH_BEST		0x02
#define RIB_PATH_MULTIPATH	0x04	/* member of the ECMP set (the best one included) */

struct rib_path {
	struct rib_path		*next;
	struct rib_aset		*aset;
	uint16_t		 peer;
	uint16_t		 flags;
	uint32_t		 seq;	/* arrival order, for logs and stable ordering */
};

/*
 * One prefix. Paths are kept best first, then the other ECMP members, then the rest.
 * The first path lives inside the net (a prefix always has at least one: a net without
 * paths is freed), so `n->paths` is never NULL and `n->paths->next` starts the others;
 * a path's address is only stable until the prefix changes. The address is stored in
 * its minimal width (4 or 16 bytes).
 */
struct rib_net {
	struct rib_path		 paths[1];
	uint8_t			 family;
	uint8_t			 len;
	uint8_t			 addr[];
};

/* What the decision process needs to know about a peer. */
struct rib_peer_info {
	uint32_t		 asn;		/* remote AS */
	uint32_t		 router_id;	/* BGP identifier, host order */
	struct addr		 addr;
	bool			 ebgp;
	char			 name[64];
};

struct rib_conf {
	unsigned		 ecmp_max;		/* 1 = no multipath; <= RIB_ECMP_MAX */
	bool			 always_compare_med;	/* RFC 4271 §9.1.2.2 c) across ASes */
	uint32_t		 local_as;
	uint32_t		 router_id;
};

/*
 * A change of one prefix's best path or ECMP set, as told to clients. old_aset is the
 * previous best path's attributes (NULL when the prefix was unreachable); it stays
 * valid during the callback. best is NULL when the prefix became unreachable.
 */
struct rib_change {
	const struct prefix	*pfx;
	const struct rib_net	*net;
	const struct rib_path	*best;
	uint16_t		 old_peer;
	const struct rib_aset	*old_aset;
	bool			 best_changed;	/* best path's peer or attributes differ */
	bool			 mp_changed;	/* the ECMP set differs */
};

struct rib;

struct rib_client_ops {
	const char	*name;
	/* Called for every prefix whose best path or ECMP set changed. */
	void	(*change)(void *arg, struct rib *r, const struct rib_change *c);
	/* Called when a peer's End-of-RIB for a family has been processed (may be NULL). */
	void	(*eor)(void *arg, struct rib *r, uint16_t peer, int family);
};

struct rib_stats {
	size_t	nets[2];	/* [0] IPv4, [1] IPv6: prefixes with at least one path */
	size_t	paths;
	size_t	asets;		/* distinct interned attribute sets */
	size_t	stale;
	size_t	mem_nets, mem_paths, mem_buckets, mem_asets;	/* bytes */
};

struct rib *rib_new(const struct rib_conf *conf);
/* Frees everything; clients are not called. Accepts NULL. */
void	rib_free(struct rib *r);
const struct rib_conf *rib_conf_get(const struct rib *r);

/* Peers. Index RIB_PEER_LOCAL exists from the start. Returns the index (> 0) or -ENOSPC. */
int	rib_peer_add(struct rib *r, const struct rib_peer_info *info);
/* Update the peer's identity (after OPEN: router id). */
void	rib_peer_set(struct rib *r, uint16_t peer, const struct rib_peer_info *info);
const struct rib_peer_info *rib_peer_get(const struct rib *r, uint16_t peer);
/* Paths the peer currently has in the RIB. */
size_t	rib_peer_npaths(const struct rib *r, uint16_t peer);

/* Clients: at most 64. Returns 0 or -ENOSPC. rib_client_del() matches ops and arg. */
int	rib_client_add(struct rib *r, const struct rib_client_ops *ops, void *arg);
void	rib_client_del(struct rib *r, const struct rib_client_ops *ops, void *arg);

/*
 * Interning. rib_aset_intern() returns a referenced set equal to (a, nh) (a copy is made
 * when none exists) or NULL + errno ENOMEM, or E2BIG when an attribute or the whole set
 * is longer than 65,535 octets once its ASNs are 4-octet (possible only for paths
 * learned from 2-octet speakers over extended messages). Release with rib_aset_unref().
 */
struct rib_aset *rib_aset_intern(struct rib *r, const struct bgp_attrs *a,
	    const struct bgp_nexthop *nh);
/*
 * The same, given also a's packed form (len octets, exactly what bgp_attrs_pack(a)
 * writes, e.g. bgp_update.packed), which then is not computed again. Sanitizer builds
 * check that it is what bgp_attrs_pack() writes and abort when it is not.
 */
struct rib_aset *rib_aset_intern_packed(struct rib *r, const struct bgp_attrs *a,
	    const struct bgp_nexthop *nh, const uint8_t *packed, size_t len);
struct rib_aset *rib_aset_ref(struct rib_aset *as);
void	rib_aset_unref(struct rib *r, struct rib_aset *as);
/* The set's attributes, decoded into out (free with bgp_attrs_free()). 0 or -ENOMEM. */
int	rib_aset_attrs(const struct rib_aset *as, struct bgp_attrs *out);
void	rib_aset_nexthop(const struct rib_aset *as, struct bgp_nexthop *nh);
/* Bytes the set takes (its allocation, not counting the C library's header). */
size_t	rib_aset_size(const struct rib_aset *as);

/*
 * Add or replace the path of peer for p (p normalised by the caller or not: host bits
 * are cleared). The RIB takes its own reference on as. Clears the stale mark.
 * Returns 0, -EINVAL (bad prefix/peer) or -ENOMEM.
 */
int	rib_route_update(struct rib *r, uint16_t peer, const struct prefix *p,
	    struct rib_aset *as);
/* Remove peer's path for p. Returns 0 or -ENOENT. */
int	rib_route_withdraw(struct rib *r, uint16_t peer, const struct prefix *p);

/* Graceful restart, helper side (RFC 4724 §4.2). family: AF_INET, AF_INET6 or 0 (both). */
size_t	rib_peer_stale_mark(struct rib *r, uint16_t peer, int family);
size_t	rib_peer_stale_sweep(struct rib *r, uint16_t peer, int family);
/* Remove every path of the peer (session down without graceful restart). */
size_t	rib_peer_flush(struct rib *r, uint16_t peer);
/* Tell clients a peer's End-of-RIB for family was processed. */
void	rib_peer_eor(struct rib *r, uint16_t peer, int family);

/*
 * rib_route_update() for each of p[0..n) with the same set, working a few prefixes
 * ahead (each prefix hashed once, its table line and net fetched into the cache before
 * it is needed). Returns how many were taken; *err is 0 or the first error.
 */
size_t	rib_route_update_many(struct rib *r, uint16_t peer, const struct prefix *p, size_t n,
	    struct rib_aset *as, int *err);

/*
 * A hint while working through p[0..n) in order, at p[i]: fetches the index lines of
 * prefixes a little ahead (and, a little later, the nets their tags point at) into the
 * cache, so that a long UPDATE does not wait for memory once per prefix. Changes
 * nothing; costs a few hashes per prefix.
 */
void	rib_prefetch(const struct rib *r, const struct prefix *p, size_t n, size_t i);

/* Lookups and walks. */
const struct rib_net *rib_net_get(const struct rib *r, const struct prefix *p);
void	rib_net_prefix(const struct rib_net *n, struct prefix *p);
/* The peer's path of n, or NULL. */
const struct rib_path *rib_net_path(const struct rib_net *n, uint16_t peer);
/* ECMP members of n (best first) into out[0..max); returns the count. */
size_t	rib_net_multipath(const struct rib_net *n, const struct rib_path **out, size_t max);

typedef int (*rib_walk_cb)(const struct rib_net *n, void *arg);
/* Every net of family (AF_INET, AF_INET6, 0 = both), IPv4 first, each family in the
 * order its nets were made (a freed net's place is reused); the callback must
 * not change the RIB. A non-zero return stops the walk and is returned. */
int	rib_walk(const struct rib *r, int family, rib_walk_cb cb, void *arg);
void	rib_stats_get(const struct rib *r, struct rib_stats *st);

/*
 * The decision process on two paths in isolation (RFC 4271 §9.1.2.2 without the
 * set-wide MED rule): < 0 when a is preferred, > 0 when b is, 0 when they are equal up
 * to the tie-breaks (ECMP candidates). Exposed for tests and `show route` output.
 */
int	rib_path_cmp(const struct rib *r, const struct rib_path *a, const struct rib_path *b,
	    bool with_tiebreak);
/* Effective LOCAL_PREF of a path (the attribute or RIB_LOCAL_PREF_DEFAULT). */
uint32_t rib_path_local_pref(const struct rib_path *p);

#endif
