/* SPDX-License-Identifier: MIT */
/*
 * Small builders shared by the RIB unit tests: attribute sets from a few fields,
 * prefixes from text. Header-only (static functions), test code only.
 */
#ifndef CUTOVER_TESTS_RIB_TEST_UTIL_H
#define CUTOVER_TESTS_RIB_TEST_UTIL_H

#include <stdint.h>
#include <string.h>

#include "bgp/attr.h"
#include "bgp/rib.h"
#include "lib/addr.h"

/* A path description: -1 in lp/med means "attribute absent". */
struct tattr {
	int		 lp;
	int		 med;
	uint8_t		 origin;
	uint32_t	 path[8];	/* AS_SEQUENCE, 0-terminated */
	const char	*nh;
	uint32_t	 originator;	/* 0: none */
};

static inline void
tattr_build(const struct tattr *t, struct bgp_attrs *a, struct bgp_nexthop *nh)
{
	size_t n = 0;

	bgp_attrs_init(a);
	a->present |= BGP_ATTR_BIT(BGP_ATTR_ORIGIN) | BGP_ATTR_BIT(BGP_ATTR_AS_PATH);
	a->origin = t->origin;
	while (n < 8 && t->path[n])
		n++;
	if (n && bgp_as_path_append(&a->as_path, BGP_AS_SEQUENCE, t->path, n) != 0)
		abort();
	if (t->lp >= 0) {
		a->present |= BGP_ATTR_BIT(BGP_ATTR_LOCAL_PREF);
		a->local_pref = (uint32_t)t->lp;
	}
	if (t->med >= 0) {
		a->present |= BGP_ATTR_BIT(BGP_ATTR_MED);
		a->med = (uint32_t)t->med;
	}
	if (t->originator) {
		a->present |= BGP_ATTR_BIT(BGP_ATTR_ORIGINATOR_ID);
		a->originator_id = t->originator;
	}
	memset(nh, 0, sizeof(*nh));
	if (addr_parse(t->nh ? t->nh : "192.0.2.1", &nh->global) != 0)
		abort();
	if (nh->global.family == AF_INET) {
		a->present |= BGP_ATTR_BIT(BGP_ATTR_NEXT_HOP);
		a->next_hop = nh->global;
	}
}

static inline struct rib_aset *
tattr_intern(struct rib *r, const struct tattr *t)
{
	struct bgp_attrs a;
	struct bgp_nexthop nh;
	struct rib_aset *as;

	tattr_build(t, &a, &nh);
	as = rib_aset_intern(r, &a, &nh);
	bgp_attrs_free(&a);
	return as;
}

static inline struct prefix
tpfx(const char *s)
{
	struct prefix p;

	if (prefix_parse(s, &p, PREFIX_PARSE_STRICT) != 0)
		abort();
	return p;
}

static inline int
tpeer(struct rib *r, uint32_t asn, uint32_t rid, const char *addr, bool ebgp)
{
	struct rib_peer_info pi;

	memset(&pi, 0, sizeof(pi));
	pi.asn = asn;
	pi.router_id = rid;
	pi.ebgp = ebgp;
	if (addr_parse(addr, &pi.addr) != 0)
		abort();
	snprintf(pi.name, sizeof(pi.name), "%s", addr);
	return rib_peer_add(r, &pi);
}

#endif
