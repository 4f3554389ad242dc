// SPDX-License-Identifier: MIT
/*
 * rtnetlink through libnl-route-3 (see kroute.h). libnl's errors are negative NLE_*
 * codes, not errno: they are translated here, with nl_geterror() text in the diag.
 */
#include "bgp/kroute.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/netlink.h>
#include <netlink/route/route.h>
#include <netlink/route/nexthop.h>

struct kroute {
	struct nl_sock	*sk;
	uint32_t	 table;
	uint8_t		 protocol;
};

static int
nle_to_errno(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case NLE_EXIST:		return -EEXIST;
	case NLE_OBJ_NOTFOUND:	return -ENOENT;
	case NLE_NOMEM:		return -ENOMEM;
	case NLE_PERM:		return -EPERM;
	case NLE_INVAL:		return -EINVAL;
	case NLE_NOADDR:	return -EADDRNOTAVAIL;
	case NLE_NODEV:		return -ENODEV;
	case NLE_AF_NOSUPPORT:	return -EAFNOSUPPORT;
	case NLE_RANGE:		return -ERANGE;
	default:		return -EIO;
	}
}

static int
nl_fail(struct diag *d, int nle, const char *what)
{
	return diag_failv(d, nle_to_errno(nle), "%s: %s", what, nl_geterror(nle));
}

struct kroute *
kroute_open(uint32_t table, uint8_t protocol, struct diag *d)
{
	struct kroute *kr;
	int rc;

	if (protocol == 0 || table == 0) {
		diag_fail(d, "route table and protocol must be non-zero");
		errno = EINVAL;
		return NULL;
	}
	kr = calloc(1, sizeof(*kr));
	if (!kr || !(kr->sk = nl_socket_alloc())) {
		free(kr);
		diag_failv(d, -ENOMEM, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	rc = nl_connect(kr->sk, NETLINK_ROUTE);
	if (rc < 0) {
		errno = -nl_fail(d, rc, "netlink connect");
		nl_socket_free(kr->sk);
		free(kr);
		return NULL;
	}
	kr->table = table;
	kr->protocol = protocol;
	return kr;
}

void
kroute_close(struct kroute *kr)
{
	if (!kr)
		return;
	nl_socket_free(kr->sk);
	free(kr);
}

uint32_t
kroute_table(const struct kroute *kr)
{
	return kr->table;
}

uint8_t
kroute_protocol(const struct kroute *kr)
{
	return kr->protocol;
}

static struct nl_addr *
to_nl_addr(const struct addr *a, unsigned plen)
{
	struct nl_addr *na = nl_addr_build(a->family, a->bytes, a->family == AF_INET ? 4 : 16);

	if (na)
		nl_addr_set_prefixlen(na, (int)plen);
	return na;
}

static int
from_nl_addr(struct nl_addr *na, struct addr *a)
{
	return addr_from_bytes(a, nl_addr_get_family(na), nl_addr_get_binary_addr(na),
	    nl_addr_get_len(na));
}

/* A route object with our table/protocol and dst; NULL on OOM. */
static struct rtnl_route *
route_new(struct kroute *kr, const struct prefix *dst)
{
	struct rtnl_route *r = rtnl_route_alloc();
	struct nl_addr *na;

	if (!r)
		return NULL;
	na = to_nl_addr(&dst->addr, dst->len);
	if (!na) {
		rtnl_route_put(r);
		return NULL;
	}
	rtnl_route_set_family(r, dst->addr.family);
	rtnl_route_set_table(r, kr->table);
	rtnl_route_set_protocol(r, kr->protocol);
	rtnl_route_set_type(r, RTN_UNICAST);
	rtnl_route_set_dst(r, na);
	nl_addr_put(na);
	return r;
}

int
kroute_replace(struct kroute *kr, const struct prefix *dst, const struct kroute_nexthop *nh,
    size_t n, struct diag *d)
{
	struct rtnl_route *r;
	int rc;

	if (n == 0 || n > KROUTE_MAX_NEXTHOPS)
		return diag_fail(d, "a route needs 1 to %d next hops", KROUTE_MAX_NEXTHOPS);
	r = route_new(kr, dst);
	if (!r)
		return diag_failv(d, -ENOMEM, "out of memory");
	rtnl_route_set_scope(r, RT_SCOPE_UNIVERSE);
	for (size_t i = 0; i < n; i++) {
		struct rtnl_nexthop *rnh = rtnl_route_nh_alloc();

		if (!rnh) {
			rtnl_route_put(r);
			return diag_failv(d, -ENOMEM, "out of memory");
		}
		if (nh[i].ifindex)
			rtnl_route_nh_set_ifindex(rnh, nh[i].ifindex);
		if (nh[i].gw.family) {
			struct nl_addr *gw;

			if (nh[i].gw.family != dst->addr.family) {
				rtnl_route_nh_free(rnh);
				rtnl_route_put(r);
				return diag_fail(d, "next hop family differs from the prefix's");
			}
			gw = to_nl_addr(&nh[i].gw, addr_bits(&nh[i].gw));
			if (!gw) {
				rtnl_route_nh_free(rnh);
				rtnl_route_put(r);
				return diag_failv(d, -ENOMEM, "out of memory");
			}
			rtnl_route_nh_set_gateway(rnh, gw);
			nl_addr_put(gw);
		} else {
			rtnl_route_set_scope(r, RT_SCOPE_LINK);
		}
		rtnl_route_add_nexthop(r, rnh);	/* the route owns rnh now */
	}
	rc = rtnl_route_add(kr->sk, r, NLM_F_REPLACE);
	rtnl_route_put(r);
	return rc < 0 ? nl_fail(d, rc, "install route") : 0;
}

int
kroute_delete(struct kroute *kr, const struct prefix *dst, struct diag *d)
{
	struct rtnl_route *r = route_new(kr, dst);
	int rc;

	if (!r)
		return diag_failv(d, -ENOMEM, "out of memory");
	/* Scope NOWHERE matches a route of any scope on delete. */
	rtnl_route_set_scope(r, RT_SCOPE_NOWHERE);
	rc = rtnl_route_delete(kr->sk, r, 0);
	rtnl_route_put(r);
	if (rc < 0 && (rc == -NLE_OBJ_NOTFOUND || rc == -NLE_NOADDR))
		return diag_failv(d, -ENOENT, "no such route");
	return rc < 0 ? nl_fail(d, rc, "delete route") : 0;
}

struct dump_ctx {
	struct kroute	*kr;
	kroute_dump_cb	 cb;
	void		*arg;
	int		 rc;
};

static void
nh_collect(struct rtnl_nexthop *rnh, void *arg)
{
	struct kroute_entry *e = arg;
	struct nl_addr *gw;

	if (e->n_nh >= KROUTE_MAX_NEXTHOPS)
		return;
	memset(&e->nh[e->n_nh], 0, sizeof(e->nh[0]));
	e->nh[e->n_nh].ifindex = rtnl_route_nh_get_ifindex(rnh);
	gw = rtnl_route_nh_get_gateway(rnh);
	if (gw && from_nl_addr(gw, &e->nh[e->n_nh].gw) != 0)
		memset(&e->nh[e->n_nh].gw, 0, sizeof(e->nh[0].gw));
	e->n_nh++;
}

static void
dump_one(struct nl_object *obj, void *arg)
{
	struct dump_ctx *c = arg;
	struct rtnl_route *r = (struct rtnl_route *)obj;
	struct kroute_entry e;
	struct nl_addr *dst;

	if (c->rc || rtnl_route_get_table(r) != c->kr->table ||
	    rtnl_route_get_protocol(r) != c->kr->protocol)
		return;
	memset(&e, 0, sizeof(e));
	dst = rtnl_route_get_dst(r);
	if (!dst || from_nl_addr(dst, &e.dst.addr) != 0)
		return;
	e.dst.len = (uint8_t)nl_addr_get_prefixlen(dst);
	rtnl_route_foreach_nexthop(r, nh_collect, &e);
	c->rc = c->cb(&e, c->arg);
}

int
kroute_dump(struct kroute *kr, kroute_dump_cb cb, void *arg, struct diag *d)
{
	static const int fams[] = { AF_INET, AF_INET6 };
	struct dump_ctx c = { .kr = kr, .cb = cb, .arg = arg };

	for (size_t i = 0; i < sizeof(fams) / sizeof(fams[0]) && !c.rc; i++) {
		struct nl_cache *cache = NULL;
		int rc = rtnl_route_alloc_cache(kr->sk, fams[i], 0, &cache);

		if (rc < 0)
			return nl_fail(d, rc, "dump routes");
		nl_cache_foreach(cache, dump_one, &c);
		nl_cache_free(cache);
	}
	return c.rc;
}
