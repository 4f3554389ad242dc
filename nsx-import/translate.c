// SPDX-License-Identifier: MIT
/*
 * The compiler: NSX evaluates an ordered rule list and the first match decides;
 * Cilium has no order and a deny beats every allow. For each endpoint class and
 * direction (and address family) this walks the rules in NSX order over the space
 * remote-address x service and produces an order-free set with the same verdict
 * at every point:
 *   - ALLOW i  -> allow (box_i minus the earlier DROPs that could not become denies)
 *   - DROP i   -> nothing when no later ALLOW overlaps it (default deny does it:
 *                 the allow-list + trailing drop pattern), a Cilium deny when no
 *                 earlier ALLOW overlaps it, otherwise it is subtracted from the
 *                 later allows (cells where the first matching rule decides).
 * Rules with a gap that changes the match are left out and reported. The output
 * format belongs to the emitters; the reference semantics live in eval.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nsx-import/translate.h"

void
nsx_boxes_free(struct nsx_boxes *b)
{
	for (size_t i = 0; i < b->n; i++) {
		nsx_ipset_free(&b->b[i].ips);
		nsx_svcset_free(&b->b[i].svc);
	}
	free(b->b);
	memset(b, 0, sizeof(*b));
}

int
nsx_boxes_push(struct nsx_boxes *b, const struct nsx_ipset *ips,
    const struct nsx_svcset *svc, struct nsx_rule *r)
{
	struct nsx_box *x;

	if (b->n == b->cap) {
		size_t nc = b->cap ? b->cap * 2 : 8;
		struct nsx_box *nb = realloc(b->b, nc * sizeof(*nb));

		if (!nb)
			return -ENOMEM;
		b->b = nb;
		b->cap = nc;
	}
	x = &b->b[b->n];
	memset(x, 0, sizeof(*x));
	x->rule = r;
	if (nsx_ipset_copy(&x->ips, ips) || nsx_svcset_copy(&x->svc, svc)) {
		nsx_ipset_free(&x->ips);
		nsx_svcset_free(&x->svc);
		return -ENOMEM;
	}
	b->n++;
	return 0;
}

void
nsx_compiled_free(struct nsx_compiled *c)
{
	for (size_t i = 0; i < c->ncls; i++)
		for (int d = 0; d < 2; d++) {
			nsx_boxes_free(&c->cls[i].dir[d].allow);
			nsx_boxes_free(&c->cls[i].dir[d].deny);
		}
	free(c->cls);
	memset(c, 0, sizeof(*c));
}

/* Does box a contain box b? */
static bool
box_covers(const struct nsx_box *a, const struct nsx_box *b)
{
	struct nsx_ipset ri = { 0 };
	struct nsx_svcset so = { 0 };
	bool ok;

	if (!a->svc.any && b->svc.any)
		return false;
	if (nsx_ipset_subtract(&ri, &b->ips, &a->ips) || nsx_svcset_subtract(&so, &b->svc, &a->svc)) {
		nsx_ipset_free(&ri);
		nsx_svcset_free(&so);
		return false;
	}
	ok = nsx_ipset_empty(&ri) && nsx_svcset_empty(&so);
	nsx_ipset_free(&ri);
	nsx_svcset_free(&so);
	return ok;
}

/* Drop boxes another box already covers (bounded: quadratic). */
static int
boxes_drop_covered(struct nsx_boxes *b)
{
	bool *drop;
	size_t w = 0;

	if (b->n < 2 || b->n > 512)
		return 0;
	drop = calloc(b->n, sizeof(*drop));
	if (!drop)
		return -ENOMEM;
	for (size_t i = 0; i < b->n; i++)
		for (size_t k = 0; k < b->n && !drop[i]; k++) {
			if (k == i || drop[k] || !box_covers(&b->b[k], &b->b[i]))
				continue;
			/* Of two equal boxes the first stays. */
			drop[i] = k < i || !box_covers(&b->b[i], &b->b[k]);
		}
	for (size_t i = 0; i < b->n; i++) {
		if (drop[i]) {
			if (b->b[i].rule != NULL)
				b->b[i].rule = NULL;
			nsx_ipset_free(&b->b[i].ips);
			nsx_svcset_free(&b->b[i].svc);
		} else {
			b->b[w++] = b->b[i];
		}
	}
	b->n = w;
	free(drop);
	return 0;
}

/* Merge boxes: first equal services (union addresses), then equal addresses. */
int
nsx_boxes_merge(struct nsx_boxes *b)
{
	if (boxes_drop_covered(b))
		return -ENOMEM;
	for (int pass = 0; pass < 2; pass++) {
		size_t w = 0;

		for (size_t i = 0; i < b->n; i++) {
			bool merged = false;

			for (size_t k = 0; k < w && !merged; k++) {
				struct nsx_box *t = &b->b[k], *s = &b->b[i];

				if (pass == 0 && nsx_svcset_eq(&t->svc, &s->svc)) {
					if (nsx_ipset_union(&t->ips, &t->ips, &s->ips))
						return -ENOMEM;
					merged = true;
				} else if (pass == 1 && nsx_ipset_eq(&t->ips, &s->ips)) {
					if (nsx_svcset_union_into(&t->svc, &s->svc))
						return -ENOMEM;
					merged = true;
				}
				if (merged && (t->rule != s->rule || s->merged)) {
					t->rule = NULL;
					t->merged = true;
				}
			}
			if (merged) {
				nsx_ipset_free(&b->b[i].ips);
				nsx_svcset_free(&b->b[i].svc);
			} else {
				b->b[w++] = b->b[i];
			}
		}
		b->n = w;
		/* Merging can be quadratic; past this many boxes keep them as they are. */
		if (b->n > 4096)
			break;
	}
	return 0;
}

/* Cilium can name TCP/UDP/SCTP ports and ICMP/ICMPv6 types; "all" needs no toPorts. */
bool
nsx_svcset_expressible(const struct nsx_svcset *s)
{
	if (s->any)
		return true;
	for (size_t i = 0; i < s->n; i++)
		if (!nsx_proto_has_ports(s->it[i].proto) && s->it[i].proto != NSX_PROTO_ICMP &&
		    s->it[i].proto != NSX_PROTO_ICMP6)
			return false;
	return true;
}

/*
 * An allow box R x (everything but X) cannot be written as Cilium allows. When no
 * other allow box touches R x X, write it as allow R x any plus deny R x X;
 * otherwise keep the expressible part and report the rule.
 */
static int
fix_inexpressible(struct nsx_model *m, struct nsx_cdir *dir)
{
	struct nsx_svcset any = { .any = true };

	for (size_t i = 0; i < dir->allow.n; i++) {
		struct nsx_box *b = &dir->allow.b[i];
		struct nsx_svcset X = { 0 };
		bool clash = false;
		int rc;

		if (nsx_svcset_expressible(&b->svc))
			continue;
		if ((rc = nsx_svcset_subtract(&X, &any, &b->svc)))
			return rc;
		for (size_t k = 0; k < dir->allow.n && !clash; k++)
			clash = k != i && nsx_ipset_intersects(&dir->allow.b[k].ips, &b->ips) &&
			    nsx_svcset_intersects(&dir->allow.b[k].svc, &X);
		if (!clash && nsx_svcset_expressible(&X)) {
			rc = nsx_boxes_push(&dir->deny, &b->ips, &X, b->rule);
			b = &dir->allow.b[i];
			nsx_svcset_free(&b->svc);
			b->svc.any = true;
			nsx_svcset_free(&X);
			if (rc)
				return rc;
			continue;
		}
		nsx_svcset_free(&X);
		/* Keep TCP/UDP/SCTP/ICMP items only: the allow gets narrower. */
		{
			size_t w = 0;

			for (size_t k = 0; k < b->svc.n; k++) {
				uint8_t p = b->svc.it[k].proto;

				if (nsx_proto_has_ports(p) || p == NSX_PROTO_ICMP || p == NSX_PROTO_ICMP6)
					b->svc.it[w++] = b->svc.it[k];
			}
			b->svc.n = w;
		}
		if (b->rule) {
			b->rule->gap_any = b->rule->gap_verdict = true;
			nsx_issue_add(m, true, NSX_GAP_PROTOCOL, b->rule,
			    "after the earlier DROP rules are taken out, this ALLOW covers \"all "
			    "protocols except some ports\", which Cilium allows cannot say: IP "
			    "protocols other than TCP/UDP/SCTP/ICMP are not allowed");
		} else {
			nsx_issue_add(m, true, NSX_GAP_PROTOCOL, NULL,
			    "the default ALLOW, after the DROP rules are taken out, covers \"all "
			    "protocols except some ports\": IP protocols other than "
			    "TCP/UDP/SCTP/ICMP are not allowed");
		}
	}
	return 0;
}

/* One rule seen from one class, direction and family. */
struct item {
	struct nsx_ipset	 R;
	const struct nsx_svcset	*S;
	struct nsx_rule		*r;
	enum nsx_action		 act;
	bool			 full;
};

struct tctx {
	struct nsx_model	*m;
	struct nsx_ipset	*local[2];	/* per rule: local side per direction */
	struct nsx_ipset	 full[2];	/* full v4, full v6 */
	struct nsx_ipset	 inv_ips;	/* union of inventory addresses */
	struct nsx_svcset	 any_svc;
	struct item		*items;
	size_t			 nitems, citems;
	/* Candidate rules per class (index m->nwl = every other endpoint) and
	 * direction, in evaluation order: rules whose local side touches the class. */
	struct idxv {
		uint32_t	*v;
		size_t		 n, cap;
	}			*cand[2];
};

static int
idxv_push(struct idxv *iv, uint32_t ri)
{
	if (iv->n && iv->v[iv->n - 1] == ri)
		return 0;
	if (iv->n == iv->cap) {
		size_t nc = iv->cap ? iv->cap * 2 : 16;
		uint32_t *nv = realloc(iv->v, nc * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		iv->v = nv;
		iv->cap = nc;
	}
	iv->v[iv->n++] = ri;
	return 0;
}

struct wl_addr {
	struct addr	a;
	uint32_t	wl;
};

static int
wl_addr_cmp(const void *a, const void *b)
{
	return addr_cmp(&((const struct wl_addr *)a)->a, &((const struct wl_addr *)b)->a);
}

static const int fams[2] = { AF_INET, AF_INET6 };

static bool
rule_active(const struct nsx_rule *r)
{
	return !r->disabled && !r->gap_skip && !r->l2;
}

static bool
box_intersects(const struct item *a, const struct item *b)
{
	return nsx_ipset_intersects(&a->R, &b->R) && nsx_svcset_intersects(a->S, b->S);
}

static int
items_push(struct tctx *x, const struct nsx_ipset *R, const struct nsx_svcset *S,
    struct nsx_rule *r, enum nsx_action act, int fi)
{
	struct item *it;

	if (x->nitems == x->citems) {
		size_t nc = x->citems ? x->citems * 2 : 64;
		struct item *ni = realloc(x->items, nc * sizeof(*ni));

		if (!ni)
			return -ENOMEM;
		x->items = ni;
		x->citems = nc;
	}
	it = &x->items[x->nitems];
	memset(it, 0, sizeof(*it));
	if (nsx_ipset_intersect(&it->R, R, &x->full[fi]))
		return -ENOMEM;
	if (nsx_ipset_empty(&it->R))
		return 0;	/* nothing of this family */
	it->S = S;
	it->r = r;
	it->act = act == NSX_ACT_REJECT ? NSX_ACT_DROP : act;
	it->full = S->any && nsx_ipset_is_full(&it->R, fams[fi]);
	x->nitems++;
	return 0;
}

static void
items_clear(struct tctx *x)
{
	for (size_t i = 0; i < x->nitems; i++)
		nsx_ipset_free(&x->items[i].R);
	x->nitems = 0;
}

/* Is rule r applicable at an endpoint of class wl (family fi), direction d? */
static bool
member(const struct tctx *x, const struct nsx_rule *r, size_t ri, int wl, int d, int fi,
    const struct nsx_ipset *wl_ips)
{
	const struct nsx_ipset *L = &x->local[d][ri];

	if (!(r->dir & (d == NSX_D_INGRESS ? NSX_DIR_IN : NSX_DIR_OUT)))
		return false;
	if (wl < 0)
		return nsx_ipset_is_full(L, fams[fi]);
	return nsx_ipset_intersects(L, wl_ips);
}

/* reg := reg minus (R x S): (Rb - R) x Sb  u  (Rb & R) x (Sb - S) per box. */
static int
region_sub(struct nsx_boxes *reg, const struct nsx_ipset *R, const struct nsx_svcset *S)
{
	struct nsx_boxes nr = { 0 };
	int rc = 0;

	for (size_t k = 0; k < reg->n && !rc; k++) {
		struct nsx_box *b = &reg->b[k];
		struct nsx_ipset ri = { 0 }, ro = { 0 };
		struct nsx_svcset so = { 0 };

		if (!nsx_ipset_intersects(&b->ips, R) || !nsx_svcset_intersects(&b->svc, S)) {
			rc = nsx_boxes_push(&nr, &b->ips, &b->svc, b->rule);
			continue;
		}
		if (nsx_ipset_subtract(&ro, &b->ips, R) || nsx_ipset_intersect(&ri, &b->ips, R) ||
		    nsx_svcset_subtract(&so, &b->svc, S))
			rc = -ENOMEM;
		if (!rc && !nsx_ipset_empty(&ro))
			rc = nsx_boxes_push(&nr, &ro, &b->svc, b->rule);
		if (!rc && !nsx_svcset_empty(&so) && !nsx_ipset_empty(&ri))
			rc = nsx_boxes_push(&nr, &ri, &so, b->rule);
		nsx_ipset_free(&ri);
		nsx_ipset_free(&ro);
		nsx_svcset_free(&so);
	}
	nsx_boxes_free(reg);
	*reg = nr;
	return rc;
}

/* Compile the items of one (class, direction, family) into dir. */
static int
compile_items(struct tctx *x, struct nsx_cdir *dir, bool *all_allowed)
{
	size_t *sub = NULL, nsub = 0;
	bool denied = false, full_allow = false;
	int rc = 0;

	/* Everything after the first rule that matches every flow is shadowed. */
	for (size_t i = 0; i < x->nitems; i++)
		if (x->items[i].full) {
			for (size_t k = i + 1; k < x->nitems; k++) {
				if (x->items[k].r)
					nsx_issue_add(x->m, false, NSX_NOTE_DEAD_RULE, x->items[k].r,
					    "shadowed: rule %s before it matches every flow here",
					    x->items[i].r ? x->items[i].r->id : "(default)");
				nsx_ipset_free(&x->items[k].R);
			}
			x->nitems = i + 1;
			break;
		}
	sub = calloc(x->nitems ? x->nitems : 1, sizeof(*sub));
	if (!sub)
		return -ENOMEM;
	for (size_t i = 0; i < x->nitems; i++) {
		struct item *it = &x->items[i];

		if (it->act == NSX_ACT_DROP) {
			bool later = false, earlier = false;

			for (size_t j = i + 1; j < x->nitems && !later; j++)
				later = x->items[j].act == NSX_ACT_ALLOW && box_intersects(it, &x->items[j]);
			if (later) {
				for (size_t k = i; k-- > 0 && !earlier;)
					earlier = x->items[k].act == NSX_ACT_ALLOW &&
					    box_intersects(it, &x->items[k]);
				if (earlier) {
					/*
					 * Either a deny for what no earlier ALLOW covers, or cut the DROP
					 * out of the later ALLOWs: whichever Cilium can write.
					 */
					struct nsx_boxes reg = { 0 };
					bool ok = true;

					rc = nsx_boxes_push(&reg, &it->R, it->S, it->r);
					for (size_t k = 0; !rc && k < i && reg.n; k++)
						if (x->items[k].act == NSX_ACT_ALLOW && box_intersects(it, &x->items[k]))
							rc = region_sub(&reg, &x->items[k].R, x->items[k].S);
					for (size_t k = 0; !rc && k < reg.n; k++)
						ok = ok && nsx_svcset_expressible(&reg.b[k].svc);
					if (!rc && ok) {
						for (size_t k = 0; !rc && k < reg.n; k++)
							rc = nsx_boxes_push(&dir->deny, &reg.b[k].ips, &reg.b[k].svc,
							    it->r);
						if (reg.n) {
							denied = true;
							if (it->r)
								nsx_issue_add(x->m, false, NSX_NOTE_DENY_EMITTED, it->r,
								    "DROP kept as a Cilium deny minus the earlier ALLOWs "
								    "that overlap it");
						}
					} else if (!rc) {
						sub[nsub++] = i;
					}
					nsx_boxes_free(&reg);
					if (rc)
						goto out;
				} else {
					if ((rc = nsx_boxes_push(&dir->deny, &it->R, it->S, it->r)))
						goto out;
					denied = true;
					if (it->r)
						nsx_issue_add(x->m, false, NSX_NOTE_DENY_EMITTED, it->r,
						    "DROP kept as a Cilium deny: no earlier ALLOW overlaps "
						    "it and a later ALLOW does");
				}
			}
			if (it->full)
				break;	/* every later rule is shadowed */
			continue;
		}
		/* ALLOW: subtract the earlier DROPs that could not become denies. */
		{
			struct nsx_boxes reg = { 0 };

			if ((rc = nsx_boxes_push(&reg, &it->R, it->S, it->r)))
				goto out;
			for (size_t s = 0; s < nsub && reg.n && !rc; s++) {
				const struct item *dr = &x->items[sub[s]];

				if (box_intersects(it, dr))
					rc = region_sub(&reg, &dr->R, dr->S);
			}
			if (rc) {
				nsx_boxes_free(&reg);
				goto out;
			}
			for (size_t k = 0; k < reg.n && !rc; k++) {
				if (reg.b[k].svc.any && nsx_ipset_is_full(&reg.b[k].ips,
				    reg.b[k].ips.r[0].lo.family))
					full_allow = true;
				rc = nsx_boxes_push(&dir->allow, &reg.b[k].ips, &reg.b[k].svc,
				    reg.b[k].rule);
			}
			nsx_boxes_free(&reg);
			if (rc)
				goto out;
		}
		if (it->full)
			break;
	}
	*all_allowed = full_allow && !denied;
out:
	free(sub);
	return rc;
}

static int
compile_class(struct tctx *x, struct nsx_class *c, const struct nsx_translate_opts *o)
{
	struct nsx_model *m = x->m;
	struct nsx_ipset wl_ips[2] = { { 0 } };
	int rc = 0;

	for (int fi = 0; fi < 2 && c->wl >= 0; fi++)
		if (nsx_ipset_intersect(&wl_ips[fi], &m->wl[c->wl].ips, &x->full[fi]))
			return -ENOMEM;
	for (int d = 0; d < 2; d++) {
		bool all[2] = { true, true };

		for (int fi = 0; fi < 2; fi++) {
			if (c->wl >= 0 && nsx_ipset_empty(&wl_ips[fi]))
				continue;	/* the workload has no address of this family */
			items_clear(x);
			const struct idxv *cand = &x->cand[d][c->wl < 0 ? m->nwl : (size_t)c->wl];

			for (size_t ci = 0; ci < cand->n; ci++) {
				size_t ri = cand->v[ci];
				struct nsx_rule *r = m->rules[ri];

				if (!rule_active(r) || !member(x, r, ri, c->wl, d, fi, &wl_ips[fi]))
					continue;
				if (r->action == NSX_ACT_JUMP) {
					/* A jump is a no-op unless a later rule of its category overlaps. */
					const struct nsx_ipset *Rr = d == NSX_D_INGRESS ? &r->src_ips : &r->dst_ips;

					for (size_t j = ri + 1; j < m->nrules; j++) {
						const struct nsx_rule *q = m->rules[j];
						const struct nsx_ipset *Rq;

						if (q->pol->category != r->pol->category)
							break;
						if (!rule_active(q) || !member(x, q, j, c->wl, d, fi, &wl_ips[fi]))
							continue;
						Rq = d == NSX_D_INGRESS ? &q->src_ips : &q->dst_ips;
						if (nsx_ipset_intersects(Rr, Rq) &&
						    nsx_svcset_intersects(&r->svc, &q->svc)) {
							r->gap_any = r->gap_verdict = true;
							nsx_issue_add(m, true, NSX_GAP_JUMP, r,
							    "JUMP_TO_APPLICATION skips later %s rules that overlap "
							    "it (e.g. %s): Cilium has no pass verdict",
							    nsx_category_name(r->pol->category), q->id);
							break;
						}
					}
					continue;
				}
				if ((rc = items_push(x, d == NSX_D_INGRESS ? &r->src_ips : &r->dst_ips,
				    &r->svc, r, r->action, fi)))
					goto out;
			}
			if ((rc = items_push(x, &x->full[fi], &x->any_svc, NULL, o->dflt, fi)))
				goto out;
			if ((rc = compile_items(x, &c->dir[d], &all[fi])))
				goto out;
		}
		if (all[0] && all[1]) {
			/* Everything allowed: no policy for this direction at all. */
			nsx_boxes_free(&c->dir[d].allow);
			nsx_boxes_free(&c->dir[d].deny);
			c->dir[d].enforce = false;
		} else {
			c->dir[d].enforce = true;
			if ((rc = nsx_boxes_merge(&c->dir[d].allow)) ||
			    (rc = fix_inexpressible(m, &c->dir[d])) ||
			    (rc = nsx_boxes_merge(&c->dir[d].allow)) ||
			    (rc = nsx_boxes_merge(&c->dir[d].deny)))
				goto out;
		}
	}
out:
	nsx_ipset_free(&wl_ips[0]);
	nsx_ipset_free(&wl_ips[1]);
	return rc;
}

/* Rules whose local side reaches addresses no class can select. */
static void
applied_to_gaps(struct tctx *x)
{
	struct nsx_model *m = x->m;
	struct nsx_ipset rest = { 0 };

	for (size_t ri = 0; ri < m->nrules; ri++) {
		struct nsx_rule *r = m->rules[ri];

		if (!rule_active(r))
			continue;
		for (int d = 0; d < 2; d++) {
			const struct nsx_ipset *L = &x->local[d][ri];
			bool partial = false;

			if (!(r->dir & (d == NSX_D_INGRESS ? NSX_DIR_IN : NSX_DIR_OUT)) ||
			    nsx_ipset_empty(L))
				continue;
			for (int fi = 0; fi < 2; fi++) {
				struct nsx_ipset lf = { 0 };

				if (nsx_ipset_intersect(&lf, L, &x->full[fi]))
					break;
				if (!nsx_ipset_empty(&lf) && !nsx_ipset_is_full(&lf, fams[fi]) &&
				    !nsx_ipset_subtract(&rest, &lf, &x->inv_ips) && !nsx_ipset_empty(&rest))
					partial = true;
				nsx_ipset_free(&lf);
			}
			if (partial) {
				r->gap_any = r->gap_verdict = true;
				nsx_issue_add(m, true, NSX_GAP_APPLIED_TO, r,
				    "%s side reaches addresses of no inventory workload: Cilium "
				    "selects endpoints by labels, not by address; enforced only on "
				    "inventory workloads", d == NSX_D_INGRESS ? "destination" : "source");
				break;
			}
		}
	}
	nsx_ipset_free(&rest);
}

/*
 * For every active rule and direction, the classes its local side reaches: the
 * workloads with an address inside it (binary search over the sorted inventory
 * addresses) and "every other endpoint" when it covers a whole family.
 */
static int
build_candidates(struct tctx *x)
{
	struct nsx_model *m = x->m;
	struct wl_addr *wa = NULL;
	size_t nwa = 0;
	int rc = -ENOMEM;

	for (int d = 0; d < 2; d++) {
		x->cand[d] = calloc(m->nwl + 1, sizeof(*x->cand[d]));
		if (!x->cand[d])
			return -ENOMEM;
	}
	size_t cap = 0;

	for (size_t w = 0; w < m->nwl; w++) {
		/* Inventory addresses are hosts; adjacent ones merged into ranges. */
		for (size_t k = 0; k < m->wl[w].ips.n; k++) {
			struct addr a = m->wl[w].ips.r[k].lo;

			do {
				if (nwa == cap) {
					size_t nc = cap ? cap * 2 : 64;
					struct wl_addr *nw = realloc(wa, nc * sizeof(*nw));

					if (!nw) {
						free(wa);
						return -ENOMEM;
					}
					wa = nw;
					cap = nc;
				}
				wa[nwa].a = a;
				wa[nwa++].wl = (uint32_t)w;
			} while (addr_cmp(&a, &m->wl[w].ips.r[k].hi) < 0 && !addr_add(&a, 1));
		}
	}
	if (!wa && !(wa = calloc(1, sizeof(*wa))))
		return -ENOMEM;
	qsort(wa, nwa, sizeof(*wa), wl_addr_cmp);
	for (size_t ri = 0; ri < m->nrules; ri++) {
		if (!rule_active(m->rules[ri]))
			continue;
		for (int d = 0; d < 2; d++) {
			const struct nsx_ipset *L = &x->local[d][ri];

			if (nsx_ipset_is_full(L, AF_INET) || nsx_ipset_is_full(L, AF_INET6))
				if (idxv_push(&x->cand[d][m->nwl], (uint32_t)ri))
					goto out;
			for (size_t k = 0; k < L->n; k++) {
				size_t lo = 0, hi = nwa;

				while (lo < hi) {
					size_t mid = (lo + hi) / 2;

					if (addr_cmp(&wa[mid].a, &L->r[k].lo) < 0)
						lo = mid + 1;
					else
						hi = mid;
				}
				for (; lo < nwa && addr_cmp(&wa[lo].a, &L->r[k].hi) <= 0; lo++) {
					struct idxv *iv = &x->cand[d][wa[lo].wl];

					if (idxv_push(iv, (uint32_t)ri))
						goto out;
				}
			}
		}
	}
	rc = 0;
out:
	free(wa);
	return rc;
}

int
nsx_translate(struct nsx_model *m, const struct nsx_translate_opts *o,
    struct nsx_compiled *out, struct diag *d)
{
	struct tctx x;
	int rc = -ENOMEM;

	memset(&x, 0, sizeof(x));
	memset(out, 0, sizeof(*out));
	x.m = m;
	out->dflt = o->dflt;
	x.any_svc.any = true;
	if (nsx_ipset_add_full(&x.full[0], AF_INET) || nsx_ipset_add_full(&x.full[1], AF_INET6))
		goto out;
	for (size_t i = 0; i < m->nwl; i++)
		if (nsx_ipset_union(&x.inv_ips, &x.inv_ips, &m->wl[i].ips))
			goto out;
	for (int dd = 0; dd < 2; dd++) {
		x.local[dd] = calloc(m->nrules ? m->nrules : 1, sizeof(struct nsx_ipset));
		if (!x.local[dd])
			goto out;
	}
	for (size_t ri = 0; ri < m->nrules; ri++) {
		const struct nsx_rule *r = m->rules[ri];

		if (!rule_active(r))
			continue;
		if (nsx_ipset_intersect(&x.local[NSX_D_INGRESS][ri], &r->dst_ips, &r->scope_ips) ||
		    nsx_ipset_intersect(&x.local[NSX_D_EGRESS][ri], &r->src_ips, &r->scope_ips))
			goto out;
	}
	applied_to_gaps(&x);
	if (build_candidates(&x))
		goto out;
	out->cls = calloc(m->nwl + 1, sizeof(*out->cls));
	if (!out->cls)
		goto out;
	/* Inventory workloads first, then "every other endpoint". */
	for (size_t i = 0; i <= m->nwl; i++) {
		struct nsx_class *c = &out->cls[out->ncls++];

		c->wl = i < m->nwl ? (int)i : -1;
		if ((rc = compile_class(&x, c, o)))
			goto out;
	}
	if (!m->has_default_rule)
		nsx_issue_add(m, false, NSX_NOTE_DEFAULT_ASSUMED, NULL,
		    "flows no rule matches get NSX's default layer-3 rule: %s (set with --default)",
		    nsx_action_name(o->dflt));
	rc = 0;
out:
	items_clear(&x);
	free(x.items);
	for (int dd = 0; dd < 2; dd++) {
		for (size_t i = 0; x.cand[dd] && i <= m->nwl; i++)
			free(x.cand[dd][i].v);
		free(x.cand[dd]);
	}
	for (int dd = 0; dd < 2; dd++) {
		for (size_t ri = 0; x.local[dd] && ri < m->nrules; ri++)
			nsx_ipset_free(&x.local[dd][ri]);
		free(x.local[dd]);
	}
	nsx_ipset_free(&x.full[0]);
	nsx_ipset_free(&x.full[1]);
	nsx_ipset_free(&x.inv_ips);
	if (rc) {
		nsx_compiled_free(out);
		if (rc == -ENOMEM)
			diag_failv(d, rc, "out of memory while compiling");
	}
	return rc;
}
