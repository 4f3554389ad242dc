// SPDX-License-Identifier: MIT
/*
 * Per-peer Adj-RIB-Out (see adjout.h): a pending set of prefixes (lib/trie, value =
 * "previous best was exported" + 1), flushed into UPDATEs grouped by source attribute
 * set and export rule so that prefixes sharing attributes share messages.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/adjout.h"
#include "lib/buf.h"
#include "lib/trie.h"

#define PENDING_WAS_ADV		((void *)(uintptr_t)2)
#define PENDING_NOT_ADV		((void *)(uintptr_t)1)

struct adjout {
	struct rib		*rib;
	struct adjout_conf	 conf;
	adjout_send_fn		 send;
	void			*arg;
	struct trie		*pending;
	/* The last attribute set read in full (referenced) and its decoded copy: prefixes
	 * sharing a set arrive together, so it is decoded once for all of them. */
	struct rib_aset		*view_as;
	struct bgp_attrs	 view;
};

/* The decoded attributes of as, or NULL when they cannot be decoded (no memory). */
static const struct bgp_attrs *
aset_view(struct adjout *ao, const struct rib_aset *as)
{
	if (ao->view_as == as)
		return &ao->view;
	bgp_attrs_free(&ao->view);
	rib_aset_unref(ao->rib, ao->view_as);
	ao->view_as = NULL;
	if (rib_aset_attrs(as, &ao->view) != 0)
		return NULL;
	ao->view_as = rib_aset_ref((struct rib_aset *)(uintptr_t)as);
	return &ao->view;
}

struct adjout *
adjout_new(struct rib *r, const struct adjout_conf *conf, adjout_send_fn send, void *arg)
{
	struct adjout *ao = calloc(1, sizeof(*ao));

	if (!ao)
		return NULL;
	ao->rib = r;
	ao->conf = *conf;
	ao->send = send;
	ao->arg = arg;
	ao->pending = trie_new();
	if (!ao->pending) {
		free(ao);
		errno = ENOMEM;
		return NULL;
	}
	return ao;
}

void
adjout_free(struct adjout *ao)
{
	if (!ao)
		return;
	trie_free(ao->pending, NULL);
	bgp_attrs_free(&ao->view);
	rib_aset_unref(ao->rib, ao->view_as);
	free(ao);
}

size_t
adjout_pending(const struct adjout *ao)
{
	return trie_count(ao->pending);
}

/* adjout_exports(), also telling which export rule matched (v->rule, NULL for none). */
static bool
exports_verdict(struct adjout *ao, uint16_t src, const struct rib_aset *as,
    const struct prefix *p, struct filter_verdict *v)
{
	const struct rib_peer_info *pi;
	const struct bgp_attrs *a;
	int fi = p->addr.family == AF_INET6;

	v->rule = NULL;
	/* a route goes back neither to the peer it came from nor (locally originated
	 * ones) through here: checked first, it is every route of a full table */
	if (!as || src == ao->conf.peer || src == RIB_PEER_LOCAL ||
	    !(pi = rib_peer_get(ao->rib, src)))
		return false;
	if (!ao->conf.has_nh[fi] && (ao->conf.ebgp || as->nh_family == 0))
		return false;
	/* RFC 4271 §9.1.3 without route reflection: iBGP-learned not to iBGP peers. */
	if (!pi->ebgp && !ao->conf.ebgp)
		return false;
	/* RFC 1997 well-known communities. */
	if (as->flags & RIB_ASET_NO_ADVERTISE)
		return false;
	if (ao->conf.ebgp && (as->flags & RIB_ASET_NO_EXPORT))
		return false;
	if (!ao->conf.export)
		return !ao->conf.ebgp;		/* RFC 8212 default, no attributes needed */
	if (!(a = aset_view(ao, as)))
		return false;
	filter_eval(ao->conf.export, ao->conf.ebgp, p, a, v);
	return v->permit;
}

bool
adjout_exports(struct adjout *ao, uint16_t src, const struct rib_aset *as, const struct prefix *p)
{
	struct filter_verdict v;

	return exports_verdict(ao, src, as, p, &v);
}

static void
enqueue(struct adjout *ao, const struct prefix *p, bool was_adv)
{
	void *old = NULL;

	if (trie_get(ao->pending, p, &old))
		return;		/* keep what was true before the first queued change */
	(void)trie_insert(ao->pending, p, was_adv ? PENDING_WAS_ADV : PENDING_NOT_ADV, NULL);
}

void
adjout_change(struct adjout *ao, const struct rib_change *c)
{
	bool was, now;

	if (!c->best_changed)
		return;		/* an ECMP-only change does not change what we send */
	/* Old and new best both from this peer (or none): nothing goes back to it. This
	 * is every prefix of a full table the peer itself sends. */
	if ((!c->best || c->best->peer == ao->conf.peer) &&
	    (!c->old_aset || c->old_peer == ao->conf.peer))
		return;
	was = c->old_aset && adjout_exports(ao, c->old_peer, c->old_aset, c->pfx);
	now = c->best && adjout_exports(ao, c->best->peer, c->best->aset, c->pfx);
	/* Neither the old nor the new best path is for this peer: nothing to queue (a
	 * table from one peer must not fill every other peer's queue for nothing). */
	if (was || now)
		enqueue(ao, c->pfx, was);
}

static int
refresh_net(const struct rib_net *n, void *arg)
{
	struct adjout *ao = arg;
	struct prefix p;

	rib_net_prefix(n, &p);
	/* the peer may hold anything from before (ROUTE-REFRESH): withdrawals are allowed */
	enqueue(ao, &p, true);
	return 0;
}

void
adjout_refresh(struct adjout *ao)
{
	rib_walk(ao->rib, 0, refresh_net, ao);
}

/* ---- flush ---- */

struct item {
	struct prefix		 pfx;
	const struct rib_path	*best;		/* NULL: withdraw */
	const struct filter_rule *rule;
};

struct collect {
	struct adjout	*ao;
	struct item	*v;
	size_t		 n, cap;
};

static int
collect_cb(const struct prefix *p, void *value, void *arg)
{
	struct collect *cl = arg;
	struct adjout *ao = cl->ao;
	const struct rib_net *n = rib_net_get(ao->rib, p);
	const struct rib_path *best = n ? n->paths : NULL;
	struct item it = { .pfx = *p };
	struct filter_verdict v;

	/* A prefix we originate is announced by the session itself (bgp/session_out.c),
	 * which already replaced whatever was sent before: neither send nor withdraw. */
	if (best && best->peer == RIB_PEER_LOCAL)
		return 0;
	if (best && exports_verdict(ao, best->peer, best->aset, p, &v)) {
		it.best = best;
		it.rule = v.rule;
	} else if (value != PENDING_WAS_ADV) {
		return 0;	/* never advertised, nothing to withdraw */
	}
	if (cl->n == cl->cap) {
		size_t cap = cl->cap ? cl->cap * 2 : 256;
		struct item *nv = realloc(cl->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		cl->v = nv;
		cl->cap = cap;
	}
	cl->v[cl->n++] = it;
	return 0;
}

static int
item_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	uintptr_t ax = x->best ? (uintptr_t)x->best->aset : 0;
	uintptr_t ay = y->best ? (uintptr_t)y->best->aset : 0;
	uintptr_t rx = (uintptr_t)x->rule, ry = (uintptr_t)y->rule;

	if (ax != ay)
		return ax < ay ? -1 : 1;
	if (rx != ry)
		return rx < ry ? -1 : 1;
	if (x->pfx.addr.family != y->pfx.addr.family)
		return x->pfx.addr.family < y->pfx.addr.family ? -1 : 1;
	return prefix_cmp(&x->pfx, &y->pfx);
}

/* The attributes as this peer gets them (RFC 4271 §5.1). */
static int
export_attrs(struct adjout *ao, const struct rib_path *best, const struct filter_rule *rule,
    struct bgp_attrs *out)
{
	const struct bgp_attrs *a = aset_view(ao, best->aset);
	int rc;

	bgp_attrs_init(out);
	if (!a)
		return -ENOMEM;
	if ((rc = bgp_attrs_dup(out, a)) != 0)
		return rc;
	out->present |= BGP_ATTR_BIT(BGP_ATTR_ORIGIN) | BGP_ATTR_BIT(BGP_ATTR_AS_PATH);
	if (ao->conf.ebgp) {
		out->present &= ~(BGP_ATTR_BIT(BGP_ATTR_LOCAL_PREF) | BGP_ATTR_BIT(BGP_ATTR_MED) |
		    BGP_ATTR_BIT(BGP_ATTR_ORIGINATOR_ID) | BGP_ATTR_BIT(BGP_ATTR_CLUSTER_LIST));
		out->ncluster = 0;
		if ((rc = bgp_as_path_prepend(&out->as_path, ao->conf.local_as,
		    1 + (rule ? rule->prepend : 0))) != 0)
			return rc;
	} else if (!bgp_attrs_has(out, BGP_ATTR_LOCAL_PREF)) {
		out->local_pref = RIB_LOCAL_PREF_DEFAULT;
		out->present |= BGP_ATTR_BIT(BGP_ATTR_LOCAL_PREF);
	}
	if (rule && (rc = filter_apply(rule, out)) != 0)
		return rc;
	return 0;
}

static int
send_bw(struct adjout *ao, struct buf_writer *bw)
{
	int rc;

	if (bw->len == 0)
		return 0;
	if ((rc = bw_error(bw)) != 0)
		return rc;
	rc = ao->send(ao->arg, bw->data, bw->len);
	bw_reset(bw);
	return rc;
}

/* Send items v[0..n) of one family (same group). attrs NULL: withdraw. */
static int
pack(struct adjout *ao, struct buf_writer *bw, const struct bgp_attrs *attrs,
    const struct bgp_nexthop *nh, const struct item *v, size_t n)
{
	struct prefix *p = malloc(n * sizeof(*p));
	size_t done = 0;
	int rc = 0;

	if (!p)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		p[i] = v[i].pfx;
	while (done < n) {
		int k = bgp_update_pack(&ao->conf.ctx, bw, attrs, nh, p + done, n - done);

		if (k < 0) {
			rc = k;
			break;
		}
		done += (size_t)k;
		if (bw->len >= 64 * 1024 && (rc = send_bw(ao, bw)) != 0)
			break;
	}
	free(p);
	return rc;
}

int
adjout_flush(struct adjout *ao)
{
	struct collect cl = { .ao = ao };
	struct buf_writer bw;
	size_t i = 0;
	int rc;

	rc = trie_walk(ao->pending, collect_cb, &cl);
	trie_free(ao->pending, NULL);
	ao->pending = trie_new();
	if (rc != 0 || !ao->pending) {
		free(cl.v);
		return rc ? rc : -ENOMEM;
	}
	if (cl.n > 1)
		qsort(cl.v, cl.n, sizeof(*cl.v), item_cmp);
	bw_init_dyn(&bw, 0);
	while (i < cl.n && rc == 0) {
		size_t j = i;
		const struct item *it = &cl.v[i];
		int fi = it->pfx.addr.family == AF_INET6;

		while (j < cl.n && cl.v[j].best == NULL && it->best == NULL &&
		    cl.v[j].pfx.addr.family == it->pfx.addr.family)
			j++;
		if (it->best == NULL) {
			rc = pack(ao, &bw, NULL, NULL, it, j - i);
		} else {
			struct bgp_attrs a;
			struct bgp_nexthop nh;
			bool self = ao->conf.ebgp || (it->rule && it->rule->next_hop_self);

			while (j < cl.n && cl.v[j].best && cl.v[j].best->aset == it->best->aset &&
			    cl.v[j].rule == it->rule && cl.v[j].pfx.addr.family == it->pfx.addr.family)
				j++;
			if (self)
				nh = ao->conf.nh[fi];
			else
				rib_aset_nexthop(it->best->aset, &nh);
			rc = export_attrs(ao, it->best, it->rule, &a);
			if (rc == 0)
				rc = pack(ao, &bw, &a, &nh, it, j - i);
			bgp_attrs_free(&a);
		}
		i = j;
	}
	if (rc == 0)
		rc = send_bw(ao, &bw);
	bw_free(&bw);
	free(cl.v);
	return rc < 0 ? rc : (int)cl.n;
}
