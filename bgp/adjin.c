// SPDX-License-Identifier: MIT
/*
 * Adj-RIB-In per peer, originated prefixes and next-hop choice (see adjin.h). Both
 * tables are two lib/trie instances (IPv4, IPv6) whose values are heap objects owned
 * here.
 */
#include "bgp/adjin.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/trie.h"

struct bgp_adjin {
	struct trie	*t[2];		/* [0] IPv4, [1] IPv6 */
};

static int
fam_idx(int family)
{
	return family == AF_INET6 ? 1 : 0;
}

static void
route_free(void *v)
{
	struct bgp_route *r = v;

	if (!r)
		return;
	bgp_attrs_free(&r->attrs);
	free(r);
}

struct bgp_adjin *
bgp_adjin_new(void)
{
	struct bgp_adjin *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->t[0] = trie_new();
	a->t[1] = trie_new();
	if (!a->t[0] || !a->t[1]) {
		bgp_adjin_free(a);
		errno = ENOMEM;
		return NULL;
	}
	return a;
}

void
bgp_adjin_free(struct bgp_adjin *a)
{
	if (!a)
		return;
	for (int i = 0; i < 2; i++)
		if (a->t[i])
			trie_free(a->t[i], route_free);
	free(a);
}

int
bgp_adjin_update(struct bgp_adjin *a, const struct prefix *p,
    const struct bgp_attrs *attrs, const struct addr *nh, const struct addr *ll,
    time_t now)
{
	struct bgp_route *r = calloc(1, sizeof(*r));
	void *old = NULL;
	int rc;

	if (!r)
		return -ENOMEM;
	bgp_attrs_init(&r->attrs);
	if (attrs && bgp_attrs_dup(&r->attrs, attrs)) {
		free(r);
		return -ENOMEM;
	}
	if (nh)
		r->nexthop = *nh;
	if (ll) {
		r->has_ll = true;
		r->nexthop_ll = *ll;
	}
	r->since = now;
	rc = trie_insert(a->t[fam_idx(p->addr.family)], p, r, &old);
	if (rc < 0) {
		route_free(r);
		return rc;
	}
	if (old) {
		route_free(old);
		return 0;
	}
	return 1;
}

bool
bgp_adjin_withdraw(struct bgp_adjin *a, const struct prefix *p)
{
	void *v = NULL;

	if (!trie_delete(a->t[fam_idx(p->addr.family)], p, &v))
		return false;
	route_free(v);
	return true;
}

const struct bgp_route *
bgp_adjin_get(const struct bgp_adjin *a, const struct prefix *p)
{
	void *v = NULL;

	if (!trie_get(a->t[fam_idx(p->addr.family)], p, &v))
		return NULL;
	return v;
}

size_t
bgp_adjin_count(const struct bgp_adjin *a, int family)
{
	if (family == AF_INET || family == AF_INET6)
		return trie_count(a->t[fam_idx(family)]);
	return trie_count(a->t[0]) + trie_count(a->t[1]);
}

void
bgp_adjin_flush(struct bgp_adjin *a, int family)
{
	for (int i = 0; i < 2; i++) {
		struct trie *n;

		if (family && fam_idx(family) != i)
			continue;
		n = trie_new();
		if (!n)
			continue;	/* keep the old one rather than lose the table */
		trie_free(a->t[i], route_free);
		a->t[i] = n;
	}
}

struct walk_ctx {
	bgp_adjin_cb	 cb;
	bgp_origin_cb	 ocb;
	void		*arg;
};

static int
adjin_walk_cb(const struct prefix *p, void *value, void *arg)
{
	struct walk_ctx *w = arg;

	return w->cb(p, value, w->arg);
}

int
bgp_adjin_walk(const struct bgp_adjin *a, int family, bgp_adjin_cb cb, void *arg)
{
	struct walk_ctx w = { .cb = cb, .arg = arg };
	int rc = 0;

	for (int i = 0; i < 2 && rc == 0; i++) {
		if (family && fam_idx(family) != i)
			continue;
		rc = trie_walk(a->t[i], adjin_walk_cb, &w);
	}
	return rc;
}

/* ---- originated prefixes ---- */

struct bgp_origin_table {
	struct trie	*t[2];
};

struct bgp_origin_table *
bgp_origin_table_new(void)
{
	struct bgp_origin_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->t[0] = trie_new();
	t->t[1] = trie_new();
	if (!t->t[0] || !t->t[1]) {
		bgp_origin_table_free(t);
		errno = ENOMEM;
		return NULL;
	}
	return t;
}

void
bgp_origin_table_free(struct bgp_origin_table *t)
{
	if (!t)
		return;
	for (int i = 0; i < 2; i++)
		if (t->t[i])
			trie_free(t->t[i], free);
	free(t);
}

int
bgp_origin_add(struct bgp_origin_table *t, const struct prefix *p,
    const uint32_t *comms, size_t ncomms, enum bgp_origin_src src, time_t now)
{
	struct trie *tr = t->t[fam_idx(p->addr.family)];
	struct bgp_origin *o;
	void *v = NULL;
	int rc;

	if (ncomms > BGP_ORIGIN_COMM_MAX)
		return -E2BIG;
	if (trie_get(tr, p, &v)) {
		o = v;
		o->src |= src;
		if (ncomms) {
			memcpy(o->communities, comms, ncomms * sizeof(*comms));
			o->ncommunities = ncomms;
		}
		return 0;
	}
	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->prefix = *p;
	if (ncomms)
		memcpy(o->communities, comms, ncomms * sizeof(*comms));
	o->ncommunities = ncomms;
	o->src = src;
	o->since = now;
	rc = trie_insert(tr, p, o, NULL);
	if (rc < 0) {
		free(o);
		return rc;
	}
	return 1;
}

bool
bgp_origin_del(struct bgp_origin_table *t, const struct prefix *p, enum bgp_origin_src src)
{
	struct trie *tr = t->t[fam_idx(p->addr.family)];
	struct bgp_origin *o;
	void *v = NULL;

	if (!trie_get(tr, p, &v))
		return false;
	o = v;
	o->src &= ~(unsigned)src;
	if (o->src)
		return false;
	trie_delete(tr, p, &v);
	free(v);
	return true;
}

const struct bgp_origin *
bgp_origin_get(const struct bgp_origin_table *t, const struct prefix *p)
{
	void *v = NULL;

	if (!trie_get(t->t[fam_idx(p->addr.family)], p, &v))
		return NULL;
	return v;
}

size_t
bgp_origin_count(const struct bgp_origin_table *t, int family)
{
	if (family == AF_INET || family == AF_INET6)
		return trie_count(t->t[fam_idx(family)]);
	return trie_count(t->t[0]) + trie_count(t->t[1]);
}

static int
origin_walk_cb(const struct prefix *p, void *value, void *arg)
{
	struct walk_ctx *w = arg;

	(void)p;
	return w->ocb(value, w->arg);
}

int
bgp_origin_walk(const struct bgp_origin_table *t, int family, bgp_origin_cb cb, void *arg)
{
	struct walk_ctx w = { .ocb = cb, .arg = arg };
	int rc = 0;

	for (int i = 0; i < 2 && rc == 0; i++) {
		if (family && fam_idx(family) != i)
			continue;
		rc = trie_walk(t->t[i], origin_walk_cb, &w);
	}
	return rc;
}

/* ---- next hop ---- */

void
bgp_addr_unmap(struct addr *a)
{
	uint8_t v4[4];

	if (!addr_is_v4_mapped(a))
		return;
	memcpy(v4, &a->bytes[12], sizeof(v4));
	addr_from_bytes(a, AF_INET, v4, sizeof(v4));
}

static bool
usable(const struct addr *a, int family)
{
	static const uint8_t zero[16];

	return a && a->family == family && !addr_is_v4_mapped(a) &&
	    memcmp(a->bytes, zero, sizeof(zero)) != 0;
}

int
bgp_nexthop_select(int fam, const struct addr *local, const struct addr *conf_v6,
    const struct addr *if_v4, const struct addr *if_v6, struct addr *out)
{
	struct addr l;

	memset(&l, 0, sizeof(l));
	if (local) {
		l = *local;
		bgp_addr_unmap(&l);
	}
	if (fam == AF_INET) {
		if (usable(&l, AF_INET)) {
			*out = l;
			return 0;
		}
		if (usable(if_v4, AF_INET)) {
			*out = *if_v4;
			return 0;
		}
		return -EADDRNOTAVAIL;
	}
	if (fam != AF_INET6)
		return -EAFNOSUPPORT;
	if (usable(conf_v6, AF_INET6)) {
		*out = *conf_v6;
		return 0;
	}
	if (usable(&l, AF_INET6)) {
		*out = l;
		return 0;
	}
	if (usable(if_v6, AF_INET6)) {
		*out = *if_v6;
		return 0;
	}
	return -EADDRNOTAVAIL;
}
