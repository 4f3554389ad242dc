// SPDX-License-Identifier: MIT
/*
 * The advertise set (see ipam.h): which prefixes a node originates so that the rest
 * of the network reaches every address the node owns and nothing else. Pure: it
 * knows tries and prefixes, not the store, pools' JSON or BGP.
 *
 * Definitions, per root (pool) r: a prefix P inside r is *clean* when no foreign
 * prefix overlaps P and, for roots without aggregate_free, every address of P is
 * owned. An owned host prefix is always emitted, even under a foreign block (a
 * reservation claimed inside another node's block). The answer is
 *   dp(P) = {}                         when P holds no owned address
 *         = { lca(owned in P) }        when P is clean
 *         = dp(lo(P)) + dp(hi(P))      otherwise
 * which is minimal: every valid prefix lies inside one maximal clean region, and
 * each region holding owned addresses needs one. lca() picks the tightest prefix.
 *
 * Incremental update after a change at prefix Q: dp's recursion from r walks down
 * the chain of prefixes containing Q and stops at the first prefix where it does not
 * recurse ("stops"). Outside the chain nothing changed, so only the stop prefix
 * nearest the root, before or after the change, needs recomputing.
 */
#include "ipam/ipam.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/trie.h"

#define ADV_ROOTS_MAX	64

struct adv_root {
	struct prefix	p;
	bool		agg_free;
};

struct pfx_vec {
	struct prefix	*v;
	size_t		 n, cap;
	int		 err;
};

struct ipam_adv {
	struct trie	*own;		/* host prefixes owned by the node */
	struct trie	*foreign;	/* value: reference count */
	struct trie	*set;		/* the current answer */
	struct adv_root	 roots[ADV_ROOTS_MAX];
	size_t		 nroots;
	ipam_adv_cb	 cb;
	void		*arg;
	bool		 batch;
};

static void
vec_push(struct pfx_vec *v, const struct prefix *p)
{
	if (v->err)
		return;
	if (v->n == v->cap) {
		size_t ncap = v->cap ? v->cap * 2 : 16;
		struct prefix *nv = realloc(v->v, ncap * sizeof(*nv));

		if (!nv) {
			v->err = -ENOMEM;
			return;
		}
		v->v = nv;
		v->cap = ncap;
	}
	v->v[v->n++] = *p;
}

struct ipam_adv *
ipam_adv_new(ipam_adv_cb cb, void *arg)
{
	struct ipam_adv *adv = calloc(1, sizeof(*adv));

	if (!adv)
		return NULL;
	adv->own = trie_new();
	adv->foreign = trie_new();
	adv->set = trie_new();
	if (!adv->own || !adv->foreign || !adv->set) {
		ipam_adv_free(adv);
		errno = ENOMEM;
		return NULL;
	}
	adv->cb = cb;
	adv->arg = arg;
	return adv;
}

void
ipam_adv_free(struct ipam_adv *adv)
{
	if (!adv)
		return;
	trie_free(adv->own, NULL);
	trie_free(adv->foreign, NULL);
	trie_free(adv->set, NULL);
	free(adv);
}

void
ipam_adv_set_cb(struct ipam_adv *adv, ipam_adv_cb cb, void *arg)
{
	adv->cb = cb;
	adv->arg = arg;
}

static int
stop_first(const struct prefix *p, void *value, void *arg)
{
	(void)p;
	(void)value;
	(void)arg;
	return 1;
}

static bool
has_foreign(const struct ipam_adv *adv, const struct prefix *p)
{
	return trie_has_covered(adv->foreign, p) ||
	    trie_walk_covering(adv->foreign, p, stop_first, NULL) != 0;
}

struct count_arg {
	uint64_t	n, limit;
};

static int
count_cb(const struct prefix *p, void *value, void *arg)
{
	struct count_arg *c = arg;

	(void)p;
	(void)value;
	return ++c->n > c->limit;
}

static bool
fully_owned(const struct ipam_adv *adv, const struct prefix *p)
{
	unsigned hb = prefix_host_bits(p);
	struct count_arg c = { 0, 0 };

	/* roots are at most 2^24 addresses (pool limit); larger cannot be full here */
	if (hb > 40)
		return false;
	c.limit = (uint64_t)1 << hb;
	trie_walk_covered(adv->own, p, count_cb, &c);
	return c.n == c.limit;
}

static bool
is_own(const struct ipam_adv *adv, const struct prefix *host)
{
	return trie_get(adv->own, host, NULL);
}

static bool
clean(const struct ipam_adv *adv, const struct adv_root *r, const struct prefix *p)
{
	if (has_foreign(adv, p))
		return false;
	return r->agg_free || fully_owned(adv, p);
}

/* Does dp() stop (not recurse) at p? */
static bool
stops(const struct ipam_adv *adv, const struct adv_root *r, const struct prefix *p)
{
	if (p->len == addr_bits(&p->addr))
		return true;
	if (!trie_has_covered(adv->own, p))
		return true;
	return clean(adv, r, p);
}

/* Smallest prefix inside p holding every owned address of p (p holds one). */
static void
lca(const struct ipam_adv *adv, const struct prefix *p, struct prefix *out)
{
	struct prefix q = *p, lo, hi;

	while (q.len < addr_bits(&q.addr)) {
		bool l, h;

		prefix_split(&q, &lo, &hi);
		l = trie_has_covered(adv->own, &lo);
		h = trie_has_covered(adv->own, &hi);
		if (l && h)
			break;
		q = l ? lo : hi;
	}
	*out = q;
}

static void
dp(const struct ipam_adv *adv, const struct adv_root *r, const struct prefix *p,
    struct pfx_vec *out)
{
	struct prefix lo, hi, q;

	if (p->len == addr_bits(&p->addr)) {
		if (is_own(adv, p))
			vec_push(out, p);
		return;
	}
	if (!trie_has_covered(adv->own, p))
		return;
	if (clean(adv, r, p)) {
		lca(adv, p, &q);
		vec_push(out, &q);
		return;
	}
	prefix_split(p, &lo, &hi);
	dp(adv, r, &lo, out);
	dp(adv, r, &hi, out);
}

static int
collect_cb(const struct prefix *p, void *value, void *arg)
{
	(void)value;
	vec_push(arg, p);
	return 0;
}

static int
pfx_sort_cmp(const void *a, const void *b)
{
	return prefix_cmp(a, b);
}

/* Recompute the answer inside region (a prefix inside root r) and report diffs. */
static int
recompute(struct ipam_adv *adv, const struct adv_root *r, const struct prefix *region)
{
	struct pfx_vec old = { 0 }, nw = { 0 };
	size_t i, j;
	int rc = 0;

	trie_walk_covered(adv->set, region, collect_cb, &old);
	dp(adv, r, region, &nw);
	if (old.err || nw.err) {
		rc = -ENOMEM;
		goto out;
	}
	/* both in prefix order: dp emits left to right, the walk is ordered */
	if (nw.n > 1)
		qsort(nw.v, nw.n, sizeof(*nw.v), pfx_sort_cmp);
	/* additions first, then withdrawals: make before break */
	for (i = 0, j = 0; j < nw.n; j++) {
		while (i < old.n && prefix_cmp(&old.v[i], &nw.v[j]) < 0)
			i++;
		if (i < old.n && prefix_eq(&old.v[i], &nw.v[j]))
			continue;
		if ((rc = trie_insert(adv->set, &nw.v[j], (void *)1, NULL)))
			goto out;
		if (adv->cb)
			adv->cb(&nw.v[j], true, adv->arg);
	}
	for (i = 0, j = 0; i < old.n; i++) {
		while (j < nw.n && prefix_cmp(&nw.v[j], &old.v[i]) < 0)
			j++;
		if (j < nw.n && prefix_eq(&nw.v[j], &old.v[i]))
			continue;
		trie_delete(adv->set, &old.v[i], NULL);
		if (adv->cb)
			adv->cb(&old.v[i], false, adv->arg);
	}
out:
	free(old.v);
	free(nw.v);
	return rc;
}

int
ipam_adv_add_root(struct ipam_adv *adv, const struct prefix *root, bool aggregate_free)
{
	struct prefix p = *root;
	size_t i;

	prefix_normalize(&p);
	if (adv->nroots == ADV_ROOTS_MAX)
		return -ENOSPC;
	for (i = 0; i < adv->nroots; i++)
		if (prefix_overlaps(&adv->roots[i].p, &p))
			return -EEXIST;
	adv->roots[adv->nroots].p = p;
	adv->roots[adv->nroots].agg_free = aggregate_free;
	adv->nroots++;
	if (adv->batch)
		return 0;
	return recompute(adv, &adv->roots[adv->nroots - 1], &p);
}

/* Depth (prefix length) at which dp() stops on the chain from r down to q. */
static unsigned
stop_depth(const struct ipam_adv *adv, const struct adv_root *r, const struct prefix *q)
{
	struct prefix p;
	unsigned len;

	for (len = r->p.len; len < q->len; len++) {
		prefix_make(&p, &q->addr, len);
		prefix_normalize(&p);
		if (stops(adv, r, &p))
			return len;
	}
	return q->len;
}

/* Apply a change at q through fn, recomputing what it can affect. */
static int
adv_change(struct ipam_adv *adv, const struct prefix *q,
    int (*fn)(struct ipam_adv *, const struct prefix *, bool), bool on)
{
	const struct adv_root *r = NULL;
	unsigned d_old, d_new;
	struct prefix region;
	size_t i;
	int rc;

	if (adv->batch)
		return fn(adv, q, on);
	for (i = 0; i < adv->nroots; i++)
		if (prefix_contains(&adv->roots[i].p, q))
			r = &adv->roots[i];
	if (!r) {
		/* outside every root, or a foreign prefix around whole roots */
		if ((rc = fn(adv, q, on)))
			return rc;
		for (i = 0; i < adv->nroots; i++)
			if (prefix_contains(q, &adv->roots[i].p) &&
			    (rc = recompute(adv, &adv->roots[i], &adv->roots[i].p)))
				return rc;
		return 0;
	}
	d_old = stop_depth(adv, r, q);
	if ((rc = fn(adv, q, on)))
		return rc;
	d_new = stop_depth(adv, r, q);
	prefix_make(&region, &q->addr, d_old < d_new ? d_old : d_new);
	prefix_normalize(&region);
	return recompute(adv, r, &region);
}

static int
own_apply(struct ipam_adv *adv, const struct prefix *q, bool on)
{
	if (on)
		return trie_insert(adv->own, q, (void *)1, NULL);
	trie_delete(adv->own, q, NULL);
	return 0;
}

static int
foreign_apply(struct ipam_adv *adv, const struct prefix *q, bool on)
{
	void *v = NULL;
	uintptr_t n;

	trie_get(adv->foreign, q, &v);
	n = (uintptr_t)v;
	if (on)
		return trie_insert(adv->foreign, q, (void *)(n + 1), NULL);
	if (n <= 1)
		trie_delete(adv->foreign, q, NULL);
	else
		return trie_insert(adv->foreign, q, (void *)(n - 1), NULL);
	return 0;
}

int
ipam_adv_set_own(struct ipam_adv *adv, const struct addr *a, bool own)
{
	struct prefix h;

	if (a->family != AF_INET && a->family != AF_INET6)
		return -EINVAL;
	prefix_host(&h, a);
	if (is_own(adv, &h) == own)
		return 0;
	return adv_change(adv, &h, own_apply, own);
}

int
ipam_adv_set_foreign(struct ipam_adv *adv, const struct prefix *p, bool on)
{
	struct prefix q = *p;

	if ((q.addr.family != AF_INET && q.addr.family != AF_INET6) ||
	    q.len > addr_bits(&q.addr))
		return -EINVAL;
	prefix_normalize(&q);
	if (!on && !trie_get(adv->foreign, &q, NULL))
		return -ENOENT;
	return adv_change(adv, &q, foreign_apply, on);
}

void
ipam_adv_begin(struct ipam_adv *adv)
{
	adv->batch = true;
}

int
ipam_adv_end(struct ipam_adv *adv)
{
	size_t i;
	int rc;

	adv->batch = false;
	for (i = 0; i < adv->nroots; i++)
		if ((rc = recompute(adv, &adv->roots[i], &adv->roots[i].p)))
			return rc;
	return 0;
}

size_t
ipam_adv_count(const struct ipam_adv *adv)
{
	return trie_count(adv->set);
}

struct walk_arg {
	int	(*cb)(const struct prefix *p, void *arg);
	void	*arg;
};

static int
walk_cb(const struct prefix *p, void *value, void *arg)
{
	struct walk_arg *w = arg;

	(void)value;
	return w->cb(p, w->arg);
}

int
ipam_adv_walk(const struct ipam_adv *adv, int (*cb)(const struct prefix *p, void *arg),
    void *arg)
{
	struct walk_arg w = { cb, arg };

	return trie_walk(adv->set, walk_cb, &w);
}
