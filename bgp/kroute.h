/* SPDX-License-Identifier: MIT */
/*
 * Kernel routes through rtnetlink. The only interface between cutover and the
 * kernel's routing tables: install (replace) a prefix with one or several next hops
 * (ECMP as one multipath route), delete it, and list the routes that carry our
 * rtm_protocol in our table. Routes of other protocols or other tables are never
 * touched. What to install and when to sweep lives in bgp/ksync.c; this file only
 * speaks netlink (it is the only file that includes libnl headers).
 */
#ifndef CUTOVER_BGP_KROUTE_H
#define CUTOVER_BGP_KROUTE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"
#include "lib/diag.h"

/* Default protocol number for our routes (/etc/iproute2/rt_protos has none at 200). */
#define KROUTE_PROTO_DEFAULT	200
#define KROUTE_TABLE_MAIN	254
#define KROUTE_MAX_NEXTHOPS	16

struct kroute;

struct kroute_nexthop {
	struct addr	gw;		/* family 0: no gateway (device route) */
	int		ifindex;	/* 0: let the kernel resolve from gw */
};

/* One route as found in the kernel. */
struct kroute_entry {
	struct prefix		 dst;
	struct kroute_nexthop	 nh[KROUTE_MAX_NEXTHOPS];
	size_t			 n_nh;
};

typedef int (*kroute_dump_cb)(const struct kroute_entry *e, void *arg);

/* Open a netlink socket for table and protocol (1..255, not 0). NULL + errno on failure
 * with the reason in d. */
struct kroute *kroute_open(uint32_t table, uint8_t protocol, struct diag *d);
void	kroute_close(struct kroute *kr);
uint32_t kroute_table(const struct kroute *kr);
uint8_t	kroute_protocol(const struct kroute *kr);

/* Install dst with n next hops (1..KROUTE_MAX_NEXTHOPS), replacing our own route for
 * dst if any. Returns 0 or -errno; d gets the kernel's reason. */
int	kroute_replace(struct kroute *kr, const struct prefix *dst,
	    const struct kroute_nexthop *nh, size_t n, struct diag *d);
/* Delete our route for dst. -ENOENT when there is none. */
int	kroute_delete(struct kroute *kr, const struct prefix *dst, struct diag *d);
/* Call cb for every route in our table with our protocol (both families). A non-zero
 * return from cb stops the dump and is returned. */
int	kroute_dump(struct kroute *kr, kroute_dump_cb cb, void *arg, struct diag *d);

#endif
