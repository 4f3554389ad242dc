/* SPDX-License-Identifier: MIT */
/*
 * Routes at the edge of a session, before any RIB: the per-peer Adj-RIB-In (what each
 * peer sent us, one lib/trie per family, attributes owned), the table of prefixes we
 * originate (configured ones, and later IPAM's advertise set) and the choice of the
 * next hop we put on them per family and session. The decision process, Loc-RIB and
 * kernel sync are not here: they subscribe through struct bgp_rib_client (issue #5).
 * No sockets, no libevent: the session layer calls in.
 */
#ifndef CUTOVER_BGP_ADJIN_H
#define CUTOVER_BGP_ADJIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "bgp/attr.h"
#include "lib/addr.h"

/* One received path. */
struct bgp_route {
	struct bgp_attrs attrs;		/* owned; next hop kept below, not in attrs */
	struct addr	 nexthop;	/* NEXT_HOP (IPv4) or MP_REACH global next hop */
	bool		 has_ll;
	struct addr	 nexthop_ll;	/* IPv6 link-local (RFC 2545) */
	time_t		 since;		/* wall clock when (re)announced */
	/* Non-zero: the UPDATE this route came with (the session numbers them, never
	 * reusing a number), so routes with the same id carry equal attributes and next
	 * hop; 0: unknown. Lets a RIB client work on the attributes once per UPDATE. */
	uint64_t	 attrs_id;
	/* When known (else NULL): attrs as bgp_attrs_pack() writes them, borrowed from
	 * the received UPDATE for the duration of a bgp_rib_client.route_update() call
	 * (see bgp_update.packed). Never set on a stored route. */
	const uint8_t	*packed;
	size_t		 packed_len;
};

struct bgp_adjin;

struct bgp_adjin *bgp_adjin_new(void);
void	bgp_adjin_free(struct bgp_adjin *a);	/* accepts NULL */
/* Insert or replace p's route (attrs deep-copied). 1: new prefix, 0: replaced,
 * -ENOMEM. */
int	bgp_adjin_update(struct bgp_adjin *a, const struct prefix *p,
	    const struct bgp_attrs *attrs, const struct addr *nh, const struct addr *ll,
	    time_t now);
/* true when p was present and is now gone. */
bool	bgp_adjin_withdraw(struct bgp_adjin *a, const struct prefix *p);
const struct bgp_route *bgp_adjin_get(const struct bgp_adjin *a, const struct prefix *p);
/* family: AF_INET, AF_INET6 or 0 for both. */
size_t	bgp_adjin_count(const struct bgp_adjin *a, int family);
void	bgp_adjin_flush(struct bgp_adjin *a, int family);
typedef int (*bgp_adjin_cb)(const struct prefix *p, const struct bgp_route *r, void *arg);
/* Walk in prefix order (IPv4 first); a non-zero return of cb stops and is returned. */
int	bgp_adjin_walk(const struct bgp_adjin *a, int family, bgp_adjin_cb cb, void *arg);

/*
 * Where received routes go next. The session layer calls these after the Adj-RIB-In
 * changed; the RIB of issue #5 implements them (NULL members are skipped).
 */
struct bgp_peer;

struct bgp_origin;

struct bgp_rib_client {
	/* n prefixes of one UPDATE, all announced with route r (r->attrs_id numbers the
	 * UPDATE), or withdrawn. Lists, not single prefixes, so that the client works on
	 * the attributes once and can fetch table slots ahead of the prefix at hand. */
	void	(*route_update)(void *arg, const char *peer, const struct prefix *p, size_t n,
		    const struct bgp_route *r);
	void	(*route_withdraw)(void *arg, const char *peer, const struct prefix *p, size_t n);
	/* Optional: a prefix we originate was added or changed (o), or is no longer
	 * originated (o NULL). Called after the peers were sent the change, and for every
	 * origination already known when the client is set. */
	void	(*originate)(void *arg, const struct prefix *p, const struct bgp_origin *o);
	/* Established (read remote_open, conf, ibgp from p). */
	void	(*peer_up)(void *arg, const struct bgp_peer *p);
	/* Left Established. graceful: the peer sent the GR capability and the session
	 * ended without a NOTIFICATION either way (RFC 4724 helper: keep routes stale). */
	void	(*peer_down)(void *arg, const char *peer, bool graceful);
	/* End-of-RIB received for family (AF_INET/AF_INET6). */
	void	(*eor)(void *arg, const char *peer, int family);
	/* The peer asked for our routes again (RFC 2918 ROUTE-REFRESH, normal subtype). */
	void	(*route_refresh)(void *arg, const char *peer, int family);
	void	*arg;
	/* When false the session does not keep its own copy in the Adj-RIB-In (the RIB
	 * holds it); `cutover bgp routes` and max-prefix then see no routes. */
	bool	 keep_adjin;
};

/* ---- originated prefixes ---- */

#define BGP_ORIGIN_COMM_MAX	32

enum bgp_origin_src {
	BGP_ORIGIN_CONFIG = 1,		/* bgp.originate in the config file */
	BGP_ORIGIN_DYNAMIC = 2,		/* added at run time (IPAM advertise set) */
};

struct bgp_origin {
	struct prefix	 prefix;
	uint32_t	 communities[BGP_ORIGIN_COMM_MAX];
	size_t		 ncommunities;
	unsigned	 src;		/* enum bgp_origin_src bits */
	time_t		 since;
};

struct bgp_origin_table;

struct bgp_origin_table *bgp_origin_table_new(void);
void	bgp_origin_table_free(struct bgp_origin_table *t);
/* Add (or refresh the communities of) p for source src. 1 new, 0 existing, -errno. */
int	bgp_origin_add(struct bgp_origin_table *t, const struct prefix *p,
	    const uint32_t *comms, size_t ncomms, enum bgp_origin_src src, time_t now);
/* Drop src's claim on p; true when p is no longer originated at all. */
bool	bgp_origin_del(struct bgp_origin_table *t, const struct prefix *p,
	    enum bgp_origin_src src);
size_t	bgp_origin_count(const struct bgp_origin_table *t, int family);
typedef int (*bgp_origin_cb)(const struct bgp_origin *o, void *arg);
int	bgp_origin_walk(const struct bgp_origin_table *t, int family, bgp_origin_cb cb,
	    void *arg);
const struct bgp_origin *bgp_origin_get(const struct bgp_origin_table *t,
	    const struct prefix *p);

/*
 * The next hop for announcing prefixes of family fam (AF_INET/AF_INET6) on a session
 * whose local endpoint is local (IPv4-mapped addresses count as IPv4):
 *  - IPv4 NLRI: the session's local IPv4 address; over an IPv6 session if_v4 (an IPv4
 *    address of the interface carrying the session).
 *  - IPv6 NLRI: conf_v6 when configured, else the session's local IPv6 address, else
 *    if_v6 (an IPv6 address of the interface carrying an IPv4 session).
 * Never an IPv4-mapped IPv6 address. conf_v6/if_v4/if_v6 may be NULL.
 * Returns 0, or -EADDRNOTAVAIL when no usable address exists (do not announce).
 */
int	bgp_nexthop_select(int fam, const struct addr *local, const struct addr *conf_v6,
	    const struct addr *if_v4, const struct addr *if_v6, struct addr *out);
/* ::ffff:a.b.c.d -> a.b.c.d; other addresses unchanged. */
void	bgp_addr_unmap(struct addr *a);

#endif
