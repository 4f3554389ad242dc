// SPDX-License-Identifier: MIT
/*
 * The datapath policy bundle (format version 1, docs/datapath.md) from the
 * compiled set: one identity per inventory workload (its addresses become the
 * endpoint's ips) and one CIDR identity per "atom" (a maximal address range that
 * every peer set either fully contains or misses, so longest-prefix lookups give
 * each address exactly one identity whose membership is uniform); rules name the
 * atoms and workloads their peer set covers. Only inventory workloads are
 * endpoints; "every other endpoint" has no place in a per-node bundle.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nsx-import/translate.h"

#define BUNDLE_FIRST_ID		256
#define BUNDLE_CIDR_SCOPE	(1u << 24)
#define BUNDLE_NAME_MAX		63

struct atom {
	struct addr	lo, hi;
	bool		used;
	uint32_t	id;
};

struct atoms {
	struct addr	*cut;	/* sorted boundaries (range starts) */
	size_t		 ncut, ccut;
	struct atom	*a;
	size_t		 n;
};

static int
cut_add(struct atoms *t, const struct addr *a)
{
	if (t->ncut == t->ccut) {
		size_t nc = t->ccut ? t->ccut * 2 : 256;
		struct addr *n = realloc(t->cut, nc * sizeof(*n));

		if (!n)
			return -ENOMEM;
		t->cut = n;
		t->ccut = nc;
	}
	t->cut[t->ncut++] = *a;
	return 0;
}

static int
acmp(const void *a, const void *b)
{
	return addr_cmp(a, b);
}

static int
cuts_of(struct atoms *t, const struct nsx_ipset *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct addr nx = s->r[i].hi;
		int rc;

		if ((rc = cut_add(t, &s->r[i].lo)))
			return rc;
		if (!addr_add(&nx, 1) && (rc = cut_add(t, &nx)))
			return rc;
	}
	return 0;
}

/* Atoms = the ranges between consecutive boundaries (per family). */
static int
atoms_build(struct atoms *t)
{
	size_t w = 0;

	for (int fam = 0; fam < 2; fam++) {
		struct addr z;

		memset(&z, 0, sizeof(z));
		z.family = fam ? AF_INET6 : AF_INET;
		if (cut_add(t, &z))
			return -ENOMEM;
	}
	qsort(t->cut, t->ncut, sizeof(*t->cut), acmp);
	for (size_t i = 1; i < t->ncut; i++)
		if (!addr_eq(&t->cut[i], &t->cut[w]))
			t->cut[++w] = t->cut[i];
	t->ncut = w + 1;
	t->a = calloc(t->ncut, sizeof(*t->a));
	if (!t->a)
		return -ENOMEM;
	for (size_t i = 0; i < t->ncut; i++) {
		struct atom *a = &t->a[t->n++];
		struct prefix full;
		struct addr z;

		a->lo = t->cut[i];
		if (i + 1 < t->ncut && t->cut[i + 1].family == a->lo.family) {
			a->hi = t->cut[i + 1];
			for (int b = (int)addr_bits(&a->hi) / 8 - 1; b >= 0; b--)
				if (a->hi.bytes[b]--)
					break;
		} else {
			memset(&z, 0, sizeof(z));
			z.family = a->lo.family;
			prefix_make(&full, &z, 0);
			prefix_last(&full, &a->hi);
		}
	}
	return 0;
}

/* First atom index whose lo >= a (atoms are sorted). */
static size_t
atom_find(const struct atoms *t, const struct addr *a)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (addr_cmp(&t->a[mid].lo, a) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
short_name(char *out, size_t len, const char *pfx, const char *s)
{
	snprintf(out, len < BUNDLE_NAME_MAX + 1 ? len : BUNDLE_NAME_MAX + 1, "%s%s", pfx, s);
}

static struct json_object *
jrule(const char *dir, uint32_t peer, const struct nsx_svc *sv, bool deny,
    const struct nsx_box *b)
{
	struct json_object *r = json_object_new_object();
	char ref[BUNDLE_NAME_MAX + 1];

	json_object_object_add(r, "direction", json_object_new_string(dir));
	json_object_object_add(r, "peer", json_object_new_int64(peer));
	if (sv) {
		unsigned lo = sv->lo, hi = sv->hi;

		switch (sv->proto) {
		case NSX_PROTO_TCP:
			json_object_object_add(r, "protocol", json_object_new_string("tcp"));
			break;
		case NSX_PROTO_UDP:
			json_object_object_add(r, "protocol", json_object_new_string("udp"));
			break;
		case NSX_PROTO_SCTP:
			json_object_object_add(r, "protocol", json_object_new_string("sctp"));
			break;
		case NSX_PROTO_ICMP:
			json_object_object_add(r, "protocol", json_object_new_string("icmp"));
			break;
		case NSX_PROTO_ICMP6:
			json_object_object_add(r, "protocol", json_object_new_string("icmpv6"));
			break;
		default:
			json_object_object_add(r, "protocol", json_object_new_int(sv->proto));
			break;
		}
		if (nsx_proto_has_ports(sv->proto) && !(lo == 0 && hi == NSX_PORT_MAX)) {
			if (lo == 0)
				lo = 1;
			json_object_object_add(r, "port", json_object_new_int((int)lo));
			if (hi > lo)
				json_object_object_add(r, "end_port", json_object_new_int((int)hi));
		} else if ((sv->proto == NSX_PROTO_ICMP || sv->proto == NSX_PROTO_ICMP6) &&
		    !(lo == 0 && hi >= 255)) {
			json_object_object_add(r, "port", json_object_new_int((int)lo));
			if (hi > lo)
				json_object_object_add(r, "end_port", json_object_new_int(hi > 255 ? 255 : (int)hi));
		}
	}
	json_object_object_add(r, "action", json_object_new_string(deny ? "deny" : "allow"));
	if (b->rule && b->rule->id && *b->rule->id) {
		short_name(ref, sizeof(ref), "nsx:", b->rule->id);
		json_object_object_add(r, "ref", json_object_new_string(ref));
	}
	return r;
}

/* Rules for one box: one per (peer identity, service item). */
static int
box_rules(struct json_object *arr, const struct nsx_model *m, const struct atoms *t,
    const struct nsx_box *b, const char *dir, bool deny, unsigned fams)
{
	uint32_t *peers = NULL;
	size_t np = 0, cp = 0;

	/* Full for every family the endpoint has: any peer. */
	if ((!(fams & 1) || nsx_ipset_is_full(&b->ips, AF_INET)) &&
	    (!(fams & 2) || nsx_ipset_is_full(&b->ips, AF_INET6))) {
		peers = malloc(sizeof(*peers));
		if (!peers)
			return -ENOMEM;
		peers[np++] = 0;
	} else {
		for (size_t i = 0; i < b->ips.n; i++) {
			for (size_t k = atom_find(t, &b->ips.r[i].lo);
			    k < t->n && addr_cmp(&t->a[k].hi, &b->ips.r[i].hi) <= 0; k++) {
				if (np == cp) {
					cp = cp ? cp * 2 : 16;
					uint32_t *n = realloc(peers, cp * sizeof(*n));

					if (!n) {
						free(peers);
						return -ENOMEM;
					}
					peers = n;
				}
				peers[np++] = t->a[k].id;
			}
		}
		/* Workloads whose addresses are in the set. */
		for (size_t w = 0; w < m->nwl; w++) {
			if (!nsx_ipset_intersects(&m->wl[w].ips, &b->ips))
				continue;
			uint32_t *n = realloc(peers, (np + 1) * sizeof(*n));

			if (!n) {
				free(peers);
				return -ENOMEM;
			}
			peers = n;
			peers[np++] = BUNDLE_FIRST_ID + (uint32_t)w;
		}
	}
	for (size_t p = 0; p < np; p++) {
		if (b->svc.any) {
			json_object_array_add(arr, jrule(dir, peers[p], NULL, deny, b));
			continue;
		}
		for (size_t s = 0; s < b->svc.n; s++)
			json_object_array_add(arr, jrule(dir, peers[p], &b->svc.it[s], deny, b));
	}
	free(peers);
	return 0;
}

int
nsx_emit_bundle(FILE *f, const struct nsx_model *m, const struct nsx_compiled *c,
    const struct nsx_emit_opts *o)
{
	struct json_object *root = NULL, *ids, *cidrs, *eps;
	struct atoms t = { 0 };
	uint32_t next = BUNDLE_CIDR_SCOPE + 1;
	char name[BUNDLE_NAME_MAX + 1], buf[PREFIX_STRLEN];
	int rc = -ENOMEM;

	for (size_t i = 0; i < c->ncls; i++)
		for (int d = 0; d < 2; d++) {
			for (size_t k = 0; k < c->cls[i].dir[d].allow.n; k++)
				if ((rc = cuts_of(&t, &c->cls[i].dir[d].allow.b[k].ips)))
					goto out;
			for (size_t k = 0; k < c->cls[i].dir[d].deny.n; k++)
				if ((rc = cuts_of(&t, &c->cls[i].dir[d].deny.b[k].ips)))
					goto out;
		}
	rc = -ENOMEM;
	if (atoms_build(&t))
		goto out;
	/* An atom is used when some box covers it. */
	for (size_t i = 0; i < c->ncls; i++)
		for (int d = 0; d < 2; d++)
			for (int dn = 0; dn < 2; dn++) {
				const struct nsx_boxes *bx = dn ? &c->cls[i].dir[d].deny : &c->cls[i].dir[d].allow;

				for (size_t k = 0; k < bx->n; k++) {
					if (nsx_ipset_is_full(&bx->b[k].ips, AF_UNSPEC))
						continue;
					for (size_t r = 0; r < bx->b[k].ips.n; r++)
						for (size_t a = atom_find(&t, &bx->b[k].ips.r[r].lo);
						    a < t.n && addr_cmp(&t.a[a].hi, &bx->b[k].ips.r[r].hi) <= 0; a++)
							t.a[a].used = true;
				}
			}
	root = json_object_new_object();
	ids = json_object_new_array();
	cidrs = json_object_new_array();
	eps = json_object_new_array();
	json_object_object_add(root, "version", json_object_new_int(1));
	json_object_object_add(root, "identities", ids);
	json_object_object_add(root, "cidrs", cidrs);
	json_object_object_add(root, "endpoints", eps);
	snprintf(name, sizeof(name), "nsx-import (%s)", o->nsources ? o->sources[0] : "?");
	json_object_object_add(root, "source", json_object_new_string(name));
	for (size_t w = 0; w < m->nwl; w++) {
		struct json_object *id = json_object_new_object();

		json_object_object_add(id, "id", json_object_new_int64(BUNDLE_FIRST_ID + (int64_t)w));
		short_name(name, sizeof(name), "nsx/", m->wl[w].name);
		json_object_object_add(id, "name", json_object_new_string(name));
		json_object_array_add(ids, id);
	}
	for (size_t a = 0; a < t.n; a++) {
		struct json_object *id;
		struct prefix *p;
		int np;

		if (!t.a[a].used)
			continue;
		t.a[a].id = next++;
		np = prefix_range(&t.a[a].lo, &t.a[a].hi, NULL, 0);
		p = calloc(np > 0 ? (size_t)np : 1, sizeof(*p));
		if (!p)
			goto out;
		prefix_range(&t.a[a].lo, &t.a[a].hi, p, (size_t)np);
		id = json_object_new_object();
		json_object_object_add(id, "id", json_object_new_int64(t.a[a].id));
		snprintf(name, sizeof(name), "cidr:%s%s", prefix_format(&p[0], buf, sizeof(buf)),
		    np > 1 ? "+" : "");
		json_object_object_add(id, "name", json_object_new_string(name));
		json_object_array_add(ids, id);
		for (int k = 0; k < np; k++) {
			struct json_object *ce = json_object_new_object();

			json_object_object_add(ce, "cidr",
			    json_object_new_string(prefix_format(&p[k], buf, sizeof(buf))));
			json_object_object_add(ce, "identity", json_object_new_int64(t.a[a].id));
			json_object_array_add(cidrs, ce);
		}
		free(p);
	}
	for (size_t i = 0; i < c->ncls; i++) {
		const struct nsx_class *k = &c->cls[i];
		const struct nsx_workload *w;
		struct json_object *ep, *ips, *rules;
		unsigned fams = 0;

		if (k->wl < 0)
			continue;
		w = &m->wl[k->wl];
		for (size_t r = 0; r < w->ips.n; r++)
			fams |= w->ips.r[r].lo.family == AF_INET ? 1 : 2;
		ep = json_object_new_object();
		json_object_object_add(ep, "id", json_object_new_int(1 + k->wl));
		short_name(name, sizeof(name), "nsx/", w->name);
		json_object_object_add(ep, "name", json_object_new_string(name));
		json_object_object_add(ep, "identity", json_object_new_int64(BUNDLE_FIRST_ID + k->wl));
		if (w->interface)
			json_object_object_add(ep, "interface", json_object_new_string(w->interface));
		ips = json_object_new_array();
		for (size_t r = 0; r < w->ips.n && r < 16; r++) {
			char ab[ADDR_STRLEN];

			json_object_array_add(ips, json_object_new_string(addr_format(&w->ips.r[r].lo,
			    ab, sizeof(ab))));
		}
		json_object_object_add(ep, "ips", ips);
		json_object_object_add(ep, "mode", json_object_new_string("enforce"));
		json_object_object_add(ep, "ingress_default",
		    json_object_new_string(k->dir[0].enforce ? "deny" : "allow"));
		json_object_object_add(ep, "egress_default",
		    json_object_new_string(k->dir[1].enforce ? "deny" : "allow"));
		rules = json_object_new_array();
		for (int d = 0; d < 2; d++) {
			const char *dir = d == NSX_D_INGRESS ? "ingress" : "egress";

			for (size_t b = 0; b < k->dir[d].allow.n; b++)
				if ((rc = box_rules(rules, m, &t, &k->dir[d].allow.b[b], dir, false, fams)))
					goto out_ep;
			for (size_t b = 0; b < k->dir[d].deny.n; b++)
				if ((rc = box_rules(rules, m, &t, &k->dir[d].deny.b[b], dir, true, fams)))
					goto out_ep;
		}
		json_object_object_add(ep, "rules", rules);
		json_object_array_add(eps, ep);
		continue;
out_ep:
		json_object_object_add(ep, "rules", rules);
		json_object_put(ep);
		goto out;
	}
	fprintf(f, "%s\n", json_object_to_json_string_ext(root,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
	rc = ferror(f) ? -EIO : 0;
out:
	json_object_put(root);
	free(t.cut);
	free(t.a);
	return rc;
}
