// SPDX-License-Identifier: MIT
/*
 * Equivalence checker: for every endpoint class (each inventory workload and
 * "every other endpoint") and both directions, build flows from the boundary
 * points of every rule's address and service sets (lo, hi, lo-1, hi+1), the
 * inventory addresses and random samples, evaluate each under NSX semantics
 * (eval.c) and under the Cilium policy read back from YAML (cnp_read.c), and list
 * every flow whose verdict differs with the NSX rule that decided it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nsx-import/verify.h"

#define VERIFY_FULL_PRODUCT	200000	/* above this, boundary points per rule only */

struct pts {
	struct addr	*a;
	size_t		 n, cap;
};

struct spt {
	uint8_t		proto;
	uint16_t	port;
};

struct spts {
	struct spt	*s;
	size_t		 n, cap;
};

static uint64_t
rnd(uint64_t *st)
{
	uint64_t x = *st;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*st = x;
	return x;
}

static int
pts_add(struct pts *p, const struct addr *a)
{
	if (p->n == p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 64;
		struct addr *na = realloc(p->a, nc * sizeof(*na));

		if (!na)
			return -ENOMEM;
		p->a = na;
		p->cap = nc;
	}
	p->a[p->n++] = *a;
	return 0;
}

static int
spts_add(struct spts *p, uint8_t proto, long port)
{
	if (port < 0 || port > NSX_PORT_MAX)
		return 0;
	if (nsx_proto_has_ports(proto) && port == 0)
		return 0;	/* not a destination port (see docs/nsx-import.md) */
	if ((proto == NSX_PROTO_ICMP || proto == NSX_PROTO_ICMP6) && port > 255)
		return 0;
	if (!nsx_proto_has_ports(proto) && proto != NSX_PROTO_ICMP &&
	    proto != NSX_PROTO_ICMP6 && port != 0)
		return 0;
	if (p->n == p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 64;
		struct spt *ns = realloc(p->s, nc * sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		p->s = ns;
		p->cap = nc;
	}
	p->s[p->n].proto = proto;
	p->s[p->n].port = (uint16_t)port;
	p->n++;
	return 0;
}

static int
addr_cmpv(const void *a, const void *b)
{
	return addr_cmp(a, b);
}

static int
spt_cmp(const void *a, const void *b)
{
	const struct spt *x = a, *y = b;

	if (x->proto != y->proto)
		return x->proto - y->proto;
	return (int)x->port - (int)y->port;
}

static void
pts_uniq(struct pts *p)
{
	size_t w = 0;

	if (!p->n)
		return;
	qsort(p->a, p->n, sizeof(*p->a), addr_cmpv);
	for (size_t i = 1; i < p->n; i++)
		if (!addr_eq(&p->a[i], &p->a[w]))
			p->a[++w] = p->a[i];
	p->n = w + 1;
}

static void
spts_uniq(struct spts *p)
{
	size_t w = 0;

	if (!p->n)
		return;
	qsort(p->s, p->n, sizeof(*p->s), spt_cmp);
	for (size_t i = 1; i < p->n; i++)
		if (spt_cmp(&p->s[i], &p->s[w]))
			p->s[++w] = p->s[i];
	p->n = w + 1;
}

/* lo, hi, lo-1, hi+1 of every range. */
static int
set_bounds(struct pts *p, const struct nsx_ipset *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct addr t;
		int rc;

		if ((rc = pts_add(p, &s->r[i].lo)) || (rc = pts_add(p, &s->r[i].hi)))
			return rc;
		t = s->r[i].hi;
		if (!addr_add(&t, 1) && (rc = pts_add(p, &t)))
			return rc;
		t = s->r[i].lo;
		for (int b = (int)addr_bits(&t) / 8 - 1; b >= 0; b--)
			if (t.bytes[b]--)
				break;
		if (addr_cmp(&t, &s->r[i].lo) < 0 && (rc = pts_add(p, &t)))
			return rc;
	}
	return 0;
}

static int
svc_bounds(struct spts *p, const struct nsx_svcset *s)
{
	static const uint8_t protos[] = { NSX_PROTO_TCP, NSX_PROTO_UDP, NSX_PROTO_SCTP,
		NSX_PROTO_ICMP, NSX_PROTO_ICMP6, 47 };
	int rc;

	if (s->any) {
		for (size_t i = 0; i < sizeof(protos); i++)
			if ((rc = spts_add(p, protos[i], protos[i] == 47 ? 0 : 1)) ||
			    (rc = spts_add(p, protos[i], 255)))
				return rc;
		return 0;
	}
	for (size_t i = 0; i < s->n; i++) {
		const struct nsx_svc *v = &s->it[i];

		if ((rc = spts_add(p, v->proto, v->lo)) || (rc = spts_add(p, v->proto, v->hi)) ||
		    (rc = spts_add(p, v->proto, (long)v->lo - 1)) ||
		    (rc = spts_add(p, v->proto, (long)v->hi + 1)) ||
		    (rc = spts_add(p, v->proto, v->proto == NSX_PROTO_ICMP ||
		    v->proto == NSX_PROTO_ICMP6 ? 255 : 1)) ||
		    (rc = spts_add(p, v->proto, 0)))
			return rc;
	}
	return 0;
}

static void
rand_addr(uint64_t *st, int family, struct addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = (uint8_t)family;
	for (unsigned i = 0; i < addr_family_bits(family) / 8; i++)
		a->bytes[i] = (uint8_t)rnd(st);
}

static void
rand_svc(uint64_t *st, struct spt *s)
{
	static const uint8_t protos[] = { NSX_PROTO_TCP, NSX_PROTO_UDP, NSX_PROTO_SCTP,
		NSX_PROTO_ICMP, NSX_PROTO_ICMP6, 47 };

	s->proto = protos[rnd(st) % sizeof(protos)];
	if (nsx_proto_has_ports(s->proto))
		s->port = (uint16_t)(1 + rnd(st) % NSX_PORT_MAX);
	else if (s->proto == NSX_PROTO_ICMP || s->proto == NSX_PROTO_ICMP6)
		s->port = (uint16_t)(rnd(st) % 256);
	else
		s->port = 0;
}

struct vctx {
	const struct nsx_model		*m;
	const struct cnp_set		*s;
	const struct nsx_verify_opts	*o;
	struct nsx_verify_result	*res;
	struct nsx_label		*labels;
	size_t				 nlabels;
	const char			*cls_name;
};

static const struct nsx_workload *
wl_of(const struct nsx_model *m, const struct addr *a)
{
	for (size_t i = 0; i < m->nwl; i++)
		if (nsx_ipset_contains(&m->wl[i].ips, a))
			return &m->wl[i];
	return NULL;
}

static void
check_flow(struct vctx *v, const struct nsx_flow *f)
{
	const struct nsx_rule *r, *jr;
	const struct nsx_workload *peer = wl_of(v->m, &f->remote);
	struct nsx_label *pl = NULL;
	size_t npl = 0;
	struct nsx_label vm;
	bool nsx, cil;

	if (f->local.family != f->remote.family)
		return;
	if ((f->proto == NSX_PROTO_ICMP && f->local.family != AF_INET) ||
	    (f->proto == NSX_PROTO_ICMP6 && f->local.family != AF_INET6))
		return;
	if (peer) {
		/* The peer pod's labels (for fromEndpoints/toEndpoints selectors). */
		pl = peer->labels;
		npl = peer->nlabels;
		vm.key = (char *)NSX_VM_LABEL;
		vm.value = peer->name;
		(void)vm;
	}
	if (v->o->bundle) {
		bool found;

		cil = nsx_bundle_eval(v->o->bundle, f, &found);
		if (!found)
			return;	/* not an endpoint of the bundle */
	} else {
		cil = nsx_cnp_eval(v->s, v->labels, v->nlabels, f, pl, npl);
	}
	v->res->flows++;
	nsx = nsx_eval_flow(v->m, v->o->dflt, f, &r, &jr);
	if (nsx == cil)
		return;
	v->res->mismatches++;
	if ((!r || !r->gap_verdict) && (!jr || !jr->gap_verdict))
		v->res->mismatches_exact++;
	if (v->o->out && v->res->mismatches <= v->o->max_print) {
		char l[ADDR_STRLEN], rm[ADDR_STRLEN];

		fprintf(v->o->out, "MISMATCH %s %s local=%s remote=%s proto=%u %s=%u: NSX %s "
		    "(%s%s%s%s%s), %s %s\n", v->cls_name,
		    f->dir == NSX_D_INGRESS ? "ingress" : "egress",
		    addr_format(&f->local, l, sizeof(l)), addr_format(&f->remote, rm, sizeof(rm)),
		    f->proto, nsx_proto_has_ports(f->proto) ? "port" : "type", f->port,
		    nsx ? "ALLOW" : "DROP", r ? "rule " : "default rule", r ? r->path : "",
		    r && r->gap_verdict ? ", rule has a reported verdict gap" : "",
		    jr ? ", after JUMP_TO_APPLICATION rule " : "", jr ? jr->path : "",
		    v->o->bundle ? "bundle" : "Cilium", cil ? "ALLOW" : "DROP");
	}
}

int
nsx_verify(const struct nsx_model *m, const struct cnp_set *s,
    const struct nsx_verify_opts *o, struct nsx_verify_result *res)
{
	struct pts remote = { 0 }, local = { 0 };
	struct spts svc = { 0 };
	struct nsx_ipset inv = { 0 };
	uint64_t st = o->seed ? o->seed : 0x9e3779b97f4a7c15ULL;
	int rc = -ENOMEM;

	memset(res, 0, sizeof(*res));
	/* Global boundary points. */
	for (size_t i = 0; i < m->nrules; i++) {
		const struct nsx_rule *r = m->rules[i];

		if ((rc = set_bounds(&remote, &r->src_ips)) || (rc = set_bounds(&remote, &r->dst_ips)) ||
		    (rc = set_bounds(&local, &r->scope_ips)) || (rc = svc_bounds(&svc, &r->svc)))
			goto out;
	}
	for (size_t i = 0; i < m->nwl; i++) {
		if ((rc = set_bounds(&remote, &m->wl[i].ips)) ||
		    nsx_ipset_union(&inv, &inv, &m->wl[i].ips))
			goto out;
	}
	for (int k = 0; k < 16; k++) {
		struct addr a;
		struct spt sp;

		rand_addr(&st, k & 1 ? AF_INET6 : AF_INET, &a);
		if ((rc = pts_add(&remote, &a)))
			goto out;
		rand_svc(&st, &sp);
		if ((rc = spts_add(&svc, sp.proto, sp.port)))
			goto out;
	}
	if ((rc = svc_bounds(&svc, &(struct nsx_svcset){ .any = true })))
		goto out;
	pts_uniq(&remote);
	spts_uniq(&svc);
	/* Local points for "every other endpoint": rule boundaries outside the inventory. */
	for (size_t i = 0; i < remote.n; i++)
		if ((rc = pts_add(&local, &remote.a[i])))
			goto out;
	pts_uniq(&local);
	{
		size_t w = 0;

		for (size_t i = 0; i < local.n; i++)
			if (!nsx_ipset_contains(&inv, &local.a[i]))
				local.a[w++] = local.a[i];
		local.n = w;
	}
	for (size_t ci = 0; ci <= m->nwl; ci++) {
		struct vctx v = { .m = m, .s = s, .o = o, .res = res };
		struct nsx_label vm;
		struct pts lp = { 0 };
		bool full;

		if (ci < m->nwl) {
			const struct nsx_workload *w = &m->wl[ci];

			v.labels = calloc(w->nlabels + 1, sizeof(*v.labels));
			if (!v.labels)
				goto out;
			vm.key = (char *)NSX_VM_LABEL;
			vm.value = w->name;
			v.labels[0] = vm;
			memcpy(v.labels + 1, w->labels, w->nlabels * sizeof(*w->labels));
			v.nlabels = w->nlabels + 1;
			v.cls_name = w->name;
			for (size_t k = 0; k < w->ips.n; k++)
				if (pts_add(&lp, &w->ips.r[k].lo))
					goto out;
		} else {
			v.cls_name = "(other endpoints)";
			for (size_t k = 0; k < local.n; k++)
				if (pts_add(&lp, &local.a[k]))
					goto out;
			for (int k = 0; k < 8; k++) {
				struct addr a;

				rand_addr(&st, k & 1 ? AF_INET6 : AF_INET, &a);
				if (!nsx_ipset_contains(&inv, &a) && pts_add(&lp, &a))
					goto out;
			}
		}
		full = (double)lp.n * (double)remote.n * (double)svc.n <= VERIFY_FULL_PRODUCT;
		for (int d = 0; d < 2; d++) {
			struct nsx_flow f = { .cls = (int)ci, .dir = d };

			for (size_t li = 0; li < lp.n; li++) {
				f.local = lp.a[li];
				if (full) {
					for (size_t ri = 0; ri < remote.n; ri++)
						for (size_t si = 0; si < svc.n; si++) {
							f.remote = remote.a[ri];
							f.proto = svc.s[si].proto;
							f.port = svc.s[si].port;
							check_flow(&v, &f);
						}
				} else {
					/* Each rule's own boundary points against its own services. */
					for (size_t i = 0; i < m->nrules; i++) {
						const struct nsx_rule *r = m->rules[i];
						struct pts rp = { 0 };
						struct spts sp = { 0 };

						if (set_bounds(&rp, d == NSX_D_INGRESS ? &r->src_ips : &r->dst_ips) ||
						    svc_bounds(&sp, &r->svc)) {
							free(rp.a);
							free(sp.s);
							free(lp.a);
							free(v.labels);
							goto out;
						}
						for (size_t ri = 0; ri < rp.n && ri < 8; ri++)
							for (size_t si = 0; si < sp.n && si < 8; si++) {
								f.remote = rp.a[ri];
								f.proto = sp.s[si].proto;
								f.port = sp.s[si].port;
								check_flow(&v, &f);
							}
						free(rp.a);
						free(sp.s);
					}
				}
				for (size_t k = 0; k < o->samples; k++) {
					struct spt sp;

					f.remote = remote.a[rnd(&st) % remote.n];
					if (rnd(&st) & 1)
						rand_addr(&st, f.local.family, &f.remote);
					rand_svc(&st, &sp);
					f.proto = sp.proto;
					f.port = sp.port;
					check_flow(&v, &f);
				}
			}
		}
		free(lp.a);
		free(v.labels);
	}
	rc = 0;
out:
	free(remote.a);
	free(local.a);
	free(svc.s);
	nsx_ipset_free(&inv);
	return rc;
}
