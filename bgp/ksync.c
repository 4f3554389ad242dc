// SPDX-License-Identifier: MIT
/* Kernel route synchronisation (see ksync.h). */
#include "bgp/ksync.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/trie.h"

struct kentry {
	struct kroute_nexthop	 nh[KROUTE_MAX_NEXTHOPS];
	size_t			 n_nh;
	bool			 stale;
};

struct ksync {
	struct kroute		*kr;
	struct trie		*routes;	/* prefix -> struct kentry */
	struct ksync_stats	 st;
};

struct ksync *
ksync_new(struct kroute *kr)
{
	struct ksync *ks = calloc(1, sizeof(*ks));

	if (!ks)
		return NULL;
	ks->kr = kr;
	ks->routes = trie_new();
	if (!ks->routes) {
		free(ks);
		return NULL;
	}
	return ks;
}

void
ksync_free(struct ksync *ks)
{
	if (!ks)
		return;
	trie_free(ks->routes, free);
	free(ks);
}

static int
nh_cmp(const void *a, const void *b)
{
	const struct kroute_nexthop *x = a, *y = b;
	int c;

	if (x->gw.family != y->gw.family)
		return x->gw.family < y->gw.family ? -1 : 1;
	if (x->gw.family && (c = addr_cmp(&x->gw, &y->gw)) != 0)
		return c;
	return x->ifindex < y->ifindex ? -1 : x->ifindex > y->ifindex;
}

/* Next hops in canonical order so sets compare by memcmp-free equality. */
static void
nh_canon(struct kroute_nexthop *nh, size_t n)
{
	qsort(nh, n, sizeof(*nh), nh_cmp);
}

static bool
nh_equal(const struct kentry *e, const struct kroute_nexthop *nh, size_t n)
{
	if (e->n_nh != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (e->nh[i].gw.family != nh[i].gw.family ||
		    (nh[i].gw.family && !addr_eq(&e->nh[i].gw, &nh[i].gw)))
			return false;
		/* A next hop given without ifindex matches whatever the kernel resolved. */
		if (nh[i].ifindex && e->nh[i].ifindex != nh[i].ifindex)
			return false;
	}
	return true;
}

static int
adopt_cb(const struct kroute_entry *ke, void *arg)
{
	struct ksync *ks = arg;
	struct kentry *e = calloc(1, sizeof(*e));
	void *old = NULL;
	int rc;

	if (!e)
		return -ENOMEM;
	memcpy(e->nh, ke->nh, sizeof(e->nh));
	e->n_nh = ke->n_nh;
	e->stale = true;
	nh_canon(e->nh, e->n_nh);
	rc = trie_insert(ks->routes, &ke->dst, e, &old);
	if (rc) {
		free(e);
		return rc;
	}
	if (old)
		free(old);
	else
		ks->st.installed++;
	ks->st.stale++;
	return 0;
}

int
ksync_adopt(struct ksync *ks, struct diag *d)
{
	size_t before = ks->st.stale;
	int rc = kroute_dump(ks->kr, adopt_cb, ks, d);

	if (rc < 0)
		return rc;
	return (int)(ks->st.stale - before);
}

int
ksync_set(struct ksync *ks, const struct prefix *dst, const struct kroute_nexthop *nh_in,
    size_t n, struct diag *d)
{
	struct kroute_nexthop nh[KROUTE_MAX_NEXTHOPS];
	struct kentry *e = NULL;
	void *v;
	bool have;
	int rc;

	if (n == 0 || n > KROUTE_MAX_NEXTHOPS)
		return diag_fail(d, "a route needs 1 to %d next hops", KROUTE_MAX_NEXTHOPS);
	memcpy(nh, nh_in, n * sizeof(*nh));
	nh_canon(nh, n);
	have = trie_get(ks->routes, dst, &v);
	if (have) {
		e = v;
		if (nh_equal(e, nh, n)) {
			if (e->stale) {
				e->stale = false;
				ks->st.stale--;
			}
			ks->st.unchanged++;
			return 0;
		}
	}
	rc = kroute_replace(ks->kr, dst, nh, n, d);
	if (rc) {
		ks->st.errors++;
		return rc;
	}
	if (!have) {
		e = calloc(1, sizeof(*e));
		if (!e)
			return diag_failv(d, -ENOMEM, "out of memory");
		rc = trie_insert(ks->routes, dst, e, NULL);
		if (rc) {
			free(e);
			return diag_failv(d, rc, "out of memory");
		}
		ks->st.installed++;
		ks->st.adds++;
	} else {
		ks->st.replaces++;
	}
	if (e->stale) {
		e->stale = false;
		ks->st.stale--;
	}
	memset(e->nh, 0, sizeof(e->nh));
	memcpy(e->nh, nh, n * sizeof(*nh));
	e->n_nh = n;
	return 0;
}

/* Forget dst after the kernel lost it. */
static void
forget(struct ksync *ks, const struct prefix *dst)
{
	void *v;

	if (!trie_delete(ks->routes, dst, &v))
		return;
	if (((struct kentry *)v)->stale)
		ks->st.stale--;
	ks->st.installed--;
	free(v);
}

int
ksync_unset(struct ksync *ks, const struct prefix *dst, struct diag *d)
{
	int rc;

	if (!trie_get(ks->routes, dst, NULL))
		return 0;
	rc = kroute_delete(ks->kr, dst, d);
	if (rc && rc != -ENOENT) {
		ks->st.errors++;
		return rc;
	}
	forget(ks, dst);
	ks->st.deletes++;
	return 0;
}

struct collect {
	struct prefix	*p;
	size_t		 n, cap;
	bool		 only_stale;
};

static int
collect_cb(const struct prefix *p, void *value, void *arg)
{
	struct collect *c = arg;
	const struct kentry *e = value;

	if (c->only_stale && !e->stale)
		return 0;
	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 64;
		struct prefix *np = realloc(c->p, ncap * sizeof(*np));

		if (!np)
			return -ENOMEM;
		c->p = np;
		c->cap = ncap;
	}
	c->p[c->n++] = *p;
	return 0;
}

/* Delete the collected routes (collected first: the trie must not change mid-walk). */
static int
remove_where(struct ksync *ks, bool only_stale, struct diag *d)
{
	struct collect c = { .only_stale = only_stale };
	int rc = trie_walk(ks->routes, collect_cb, &c), first = 0, done = 0;

	if (rc) {
		free(c.p);
		return diag_failv(d, rc, "out of memory");
	}
	for (size_t i = 0; i < c.n; i++) {
		rc = ksync_unset(ks, &c.p[i], d);
		if (rc && !first)
			first = rc;
		else if (!rc)
			done++;
	}
	free(c.p);
	return first ? first : done;
}

int
ksync_sweep(struct ksync *ks, struct diag *d)
{
	return remove_where(ks, true, d);
}

int
ksync_flush(struct ksync *ks, struct diag *d)
{
	return remove_where(ks, false, d);
}

bool
ksync_is_stale(const struct ksync *ks, const struct prefix *dst)
{
	void *v;

	return trie_get(ks->routes, dst, &v) && ((struct kentry *)v)->stale;
}

void
ksync_stats(const struct ksync *ks, struct ksync_stats *st)
{
	*st = ks->st;
}
