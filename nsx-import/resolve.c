// SPDX-License-Identifier: MIT
/*
 * Resolution: services (nested, cycle-checked) to service sets, groups (expression
 * evaluation over IPs and the inventory, nested paths, exclusions, cycle-checked)
 * to address sets, rules to (local, remote, service) sets, NSX evaluation order,
 * and every gap or note the model itself can see. The compiler (translate.c)
 * finds the order-dependent gaps.
 */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nsx-import/model.h"

#define NSXV_SEP	'\x1f'

struct rctx {
	struct nsx_model	*m;
	struct diag		*d;
};

/* Split an NSX-V typed reference "nsxv\x1fTYPE\x1fVALUE\x1fNAME". */
static bool
nsxv_ref(const char *s, char *type, size_t tl, char *value, size_t vl, char *name,
    size_t nl)
{
	const char *a, *b, *c;

	if (strncmp(s, "nsxv\x1f", 5))
		return false;
	a = s + 5;
	b = strchr(a, NSXV_SEP);
	c = b ? strchr(b + 1, NSXV_SEP) : NULL;
	if (!b || !c)
		return false;
	snprintf(type, tl, "%.*s", (int)(b - a), a);
	snprintf(value, vl, "%.*s", (int)(c - b - 1), b + 1);
	snprintf(name, nl, "%s", c + 1);
	return true;
}

/* Human form of a reference for messages. */
static const char *
ref_text(const char *s, char *buf, size_t len)
{
	char t[64], v[512], n[256];

	int w;

	if (nsxv_ref(s, t, sizeof(t), v, sizeof(v), n, sizeof(n)))
		w = snprintf(buf, len, "%s %s%s%s%s", t, v, *n ? " (" : "", n, *n ? ")" : "");
	else
		w = snprintf(buf, len, "%s", s);
	return w >= 0 ? buf : "";
}

/* ---- services ---------------------------------------------------------------- */
static int svc_resolve(struct rctx *x, struct nsx_service *s, int depth);

static int
entry_apply(struct rctx *x, const char *owner_src, struct nsx_entry *e,
    struct nsx_svcset *set, struct nsx_service *flags, int depth)
{
	int rc = 0;

	switch (e->kind) {
	case NSX_ENTRY_L4:
	case NSX_ENTRY_ALG:
		if (e->dports.n == 0)
			rc = nsx_svcset_add(set, e->proto, 0, NSX_PORT_MAX);
		for (size_t i = 0; !rc && i < e->dports.n; i++)
			rc = nsx_svcset_add(set, e->proto, e->dports.it[i].lo, e->dports.it[i].hi);
		if (e->sports.n)
			flags->has_sports = true;
		if (e->kind == NSX_ENTRY_ALG)
			flags->has_alg = true;
		break;
	case NSX_ENTRY_ICMP:
		if (e->icmp_type < 0)
			rc = nsx_svcset_add(set, e->proto, 0, NSX_PORT_MAX);
		else
			rc = nsx_svcset_add(set, e->proto, (uint16_t)e->icmp_type,
			    (uint16_t)e->icmp_type);
		if (e->icmp_code >= 0)
			flags->has_icmp_code = true;
		break;
	case NSX_ENTRY_IPPROTO:
		rc = nsx_svcset_add(set, e->proto, 0, NSX_PORT_MAX);
		if (!nsx_proto_has_ports(e->proto) && e->proto != NSX_PROTO_ICMP &&
		    e->proto != NSX_PROTO_ICMP6)
			flags->has_other = true;
		break;
	case NSX_ENTRY_NESTED: {
		struct nsx_service *n = nsx_service_find(x->m, e->nested);

		if (!n)
			n = nsx_predefined_get(x->m, e->nested);
		if (!n)
			return diag_fail(x->d, "%s: nested service '%s' is not in the export "
			    "and not a known predefined service", owner_src, e->nested);
		if ((rc = svc_resolve(x, n, depth + 1)))
			return rc;
		rc = nsx_svcset_union_into(set, &n->set);
		flags->has_sports |= n->has_sports;
		flags->has_alg |= n->has_alg;
		flags->has_other |= n->has_other;
		flags->has_l2 |= n->has_l2;
		flags->has_icmp_code |= n->has_icmp_code;
		break;
	}
	case NSX_ENTRY_ETHER:
	case NSX_ENTRY_IGMP:
		flags->has_l2 = true;
		break;
	}
	return rc;
}

static int
svc_resolve(struct rctx *x, struct nsx_service *s, int depth)
{
	int rc;

	if (s->state == 2)
		return 0;
	if (s->state == 1)
		return diag_fail(x->d, "%s: service '%s' is part of a cycle of nested services",
		    s->src, s->path);
	if (depth > NSX_MAX_DEPTH)
		return diag_fail(x->d, "%s: services nested too deeply", s->src);
	s->state = 1;
	for (size_t i = 0; i < s->ne; i++)
		if ((rc = entry_apply(x, s->src, &s->e[i], &s->set, s, depth)))
			return rc;
	s->state = 2;
	return 0;
}

/* ---- groups --------------------------------------------------------------------- */
static int group_resolve(struct rctx *x, struct nsx_group *g, int depth);

static bool
str_match(const char *op, const char *have, const char *want)
{
	size_t hl, wl;

	if (!have)
		return false;
	hl = strlen(have);
	wl = strlen(want);
	if (!strcasecmp(op, "EQUALS"))
		return !strcasecmp(have, want);
	if (!strcasecmp(op, "NOTEQUALS"))
		return strcasecmp(have, want) != 0;
	if (!strcasecmp(op, "CONTAINS"))
		return strcasestr(have, want) != NULL;
	if (!strcasecmp(op, "STARTSWITH"))
		return hl >= wl && !strncasecmp(have, want, wl);
	if (!strcasecmp(op, "ENDSWITH"))
		return hl >= wl && !strcasecmp(have + hl - wl, want);
	return false;
}

/* A workload matches a Tag condition "scope|tag", "|tag" or "tag". */
static bool
tag_match(const struct nsx_workload *w, const struct nsx_expr *e)
{
	const char *bar = strchr(e->value, '|');
	char scope[256] = "";
	const char *tag = e->value;
	bool want_scope = false;

	if (bar) {
		snprintf(scope, sizeof(scope), "%.*s", (int)(bar - e->value), e->value);
		tag = bar + 1;
		want_scope = scope[0] != '\0';
	}
	for (size_t i = 0; i < w->ntags; i++) {
		bool s_ok = !want_scope || !strcasecmp(w->tags[i].scope, scope);
		bool t_ok = !*tag || str_match(e->op, w->tags[i].tag, tag);

		if (!strcasecmp(e->scope_op, "NOTEQUALS") && want_scope)
			s_ok = strcasecmp(w->tags[i].scope, scope) != 0;
		if (s_ok && t_ok)
			return true;
	}
	return false;
}

/* Evaluate a VM condition over the inventory. Returns 1 resolved, 0 unresolved. */
static int
cond_eval(struct rctx *x, const struct nsx_expr *e, struct nsx_ipset *out, char **why)
{
	struct nsx_model *m = x->m;
	bool regex = !strcasecmp(e->op, "MATCHES");
	regex_t re;
	int rc;

	if (strcasecmp(e->member_type, "VirtualMachine")) {
		*why = nsx_strdupf("condition on member type %s has no inventory meaning",
		    e->member_type);
		return 0;
	}
	if (!m->nwl) {
		*why = nsx_strdupf("VM condition %s %s '%s' needs --inventory", e->key, e->op,
		    e->value);
		return 0;
	}
	if (strcasecmp(e->key, "Tag") && strcasecmp(e->key, "Name") &&
	    strcasecmp(e->key, "OSName") && strcasecmp(e->key, "ComputerName")) {
		*why = nsx_strdupf("VM condition key %s is not in the inventory", e->key);
		return 0;
	}
	if (regex && regcomp(&re, e->value, REG_EXTENDED | REG_ICASE | REG_NOSUB)) {
		*why = nsx_strdupf("bad MATCHES pattern '%s'", e->value);
		return 0;
	}
	for (size_t i = 0; i < m->nwl; i++) {
		const struct nsx_workload *w = &m->wl[i];
		const char *have = !strcasecmp(e->key, "OSName") ? w->os_name : w->name;
		bool hit;

		if (!strcasecmp(e->key, "Tag"))
			hit = tag_match(w, e);
		else if (regex)
			hit = have && !regexec(&re, have, 0, NULL, 0);
		else
			hit = str_match(e->op, have, e->value);
		if (hit) {
			struct nsx_ipset u = { 0 };

			if ((rc = nsx_ipset_union(&u, out, &w->ips))) {
				if (regex)
					regfree(&re);
				return rc;
			}
			nsx_ipset_free(out);
			*out = u;
		}
	}
	if (regex)
		regfree(&re);
	return 1;
}

static const struct nsx_workload *
wl_find(const struct nsx_model *m, const char *v, const char *name)
{
	for (size_t i = 0; i < m->nwl; i++) {
		const struct nsx_workload *w = &m->wl[i];

		if ((w->vm_id && !strcasecmp(w->vm_id, v)) || !strcasecmp(w->name, v) ||
		    (name && *name && !strcasecmp(w->name, name)))
			return w;
	}
	/* A vNIC id is "<vm uuid>.000". */
	for (size_t i = 0; i < m->nwl; i++) {
		const struct nsx_workload *w = &m->wl[i];
		size_t l = w->vm_id ? strlen(w->vm_id) : 0;

		if (l && !strncasecmp(w->vm_id, v, l) && v[l] == '.')
			return w;
	}
	return NULL;
}

/*
 * One reference (group path, NSX-V typed ref, IP literal) to an address set.
 * Returns 1 resolved, 0 unresolved (*why set, *missing when not in the export),
 * <0 input error.
 */
static int
ref_eval(struct rctx *x, const char *owner_src, const char *ref, struct nsx_ipset *out,
    char **why, bool *missing, int depth)
{
	char t[64], v[512], n[256];
	int rc;

	if (nsxv_ref(ref, t, sizeof(t), v, sizeof(v), n, sizeof(n))) {
		if (!strcasecmp(t, "Ipv4Address") || !strcasecmp(t, "Ipv6Address")) {
			char *save = NULL, *tok, *dup = strdup(v);

			if (!dup)
				return -ENOMEM;
			for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				rc = nsx_ipset_add_text(out, tok);
				if (rc) {
					if (rc != -ENOMEM)
						rc = diag_fail(x->d, "%s: bad address '%s'", owner_src, tok);
					free(dup);
					return rc;
				}
			}
			free(dup);
			return 1;
		}
		if (!strcasecmp(t, "IPSet") || !strcasecmp(t, "SecurityGroup")) {
			struct nsx_group *g = nsx_group_find(x->m, v);

			if (!g) {
				*missing = true;
				*why = nsx_strdupf("%s %s%s%s%s is not in the export (load the "
				    "grouping-object list too)", t, v, *n ? " (" : "", n, *n ? ")" : "");
				return 0;
			}
			if ((rc = group_resolve(x, g, depth + 1)))
				return rc;
			if (g->unresolved) {
				*why = nsx_strdup(g->unresolved_why);
				return 0;
			}
			return nsx_ipset_union(out, out, &g->ips) ? -ENOMEM : 1;
		}
		if (!strcasecmp(t, "VirtualMachine") || !strcasecmp(t, "Vnic")) {
			const struct nsx_workload *w = wl_find(x->m, v, n);

			if (!w) {
				*why = nsx_strdupf("%s %s%s%s%s is not in the inventory", t, v,
				    *n ? " (" : "", n, *n ? ")" : "");
				return 0;
			}
			return nsx_ipset_union(out, out, &w->ips) ? -ENOMEM : 1;
		}
		*why = nsx_strdupf("%s %s%s%s%s has no address meaning offline", t, v,
		    *n ? " (" : "", n, *n ? ")" : "");
		return 0;
	}
	if (ref[0] == '/') {
		struct nsx_group *g = nsx_group_find(x->m, ref);

		if (!g) {
			if (strstr(ref, "/segments/") || strstr(ref, "/ports/")) {
				*why = nsx_strdupf("segment/port path %s needs realized addresses", ref);
				return 0;
			}
			return diag_fail(x->d, "%s: unknown group '%s' (not in the export)",
			    owner_src, ref);
		}
		if ((rc = group_resolve(x, g, depth + 1)))
			return rc;
		if (g->unresolved) {
			*why = nsx_strdupf("group %s: %s", g->path, g->unresolved_why);
			return 0;
		}
		return nsx_ipset_union(out, out, &g->ips) ? -ENOMEM : 1;
	}
	rc = nsx_ipset_add_text(out, ref);
	if (rc == -ENOMEM)
		return rc;
	if (rc)
		return diag_fail(x->d, "%s: '%s' is neither a group path nor an IP address, "
		    "CIDR or range", owner_src, ref);
	return 1;
}

static int
expr_eval(struct rctx *x, const struct nsx_group *g, const struct nsx_expr *e,
    struct nsx_ipset *out, char **why, int depth)
{
	bool missing = false;
	int rc;

	switch (e->kind) {
	case NSX_EXPR_IPS:
		return nsx_ipset_copy(out, &e->ips) ? -ENOMEM : 1;
	case NSX_EXPR_PATHS: {
		int all = 1;

		for (size_t i = 0; i < e->nrefs; i++) {
			rc = ref_eval(x, g->src, e->refs[i], out, why, &missing, depth);
			if (rc < 0)
				return rc;
			if (rc == 0)
				all = 0;
		}
		return all;
	}
	case NSX_EXPR_COND:
		return cond_eval(x, e, out, why);
	case NSX_EXPR_NESTED: {
		struct nsx_ipset acc = { 0 }, t = { 0 };

		for (size_t i = 0; i < e->nsub; i++) {
			nsx_ipset_clear(&t);
			rc = expr_eval(x, g, &e->sub[i], &t, why, depth);
			if (rc <= 0) {
				nsx_ipset_free(&acc);
				nsx_ipset_free(&t);
				return rc;
			}
			if (i == 0)
				rc = nsx_ipset_copy(&acc, &t);
			else if (e->sub[i].conj)
				rc = nsx_ipset_intersect(&acc, &acc, &t);
			else
				rc = nsx_ipset_union(&acc, &acc, &t);
			if (rc) {
				nsx_ipset_free(&acc);
				nsx_ipset_free(&t);
				return -ENOMEM;
			}
		}
		nsx_ipset_free(&t);
		nsx_ipset_free(out);
		*out = acc;
		return 1;
	}
	case NSX_EXPR_EXTERNAL_ID:
		for (size_t i = 0; i < e->nrefs; i++) {
			const struct nsx_workload *w = wl_find(x->m, e->refs[i], NULL);

			if (!w) {
				*why = nsx_strdupf("external id %s is not in the inventory", e->refs[i]);
				return 0;
			}
			if (nsx_ipset_union(out, out, &w->ips))
				return -ENOMEM;
		}
		return 1;
	case NSX_EXPR_UNRESOLVABLE:
		*why = nsx_strdup(e->what ? e->what : "unresolvable expression");
		return 0;
	}
	return 0;
}

static int
fold(struct rctx *x, struct nsx_group *g, const struct nsx_expr *v, size_t n,
    struct nsx_ipset *acc, char **why, int depth)
{
	struct nsx_ipset t = { 0 };
	bool and = false, or = false;
	int rc = 1;

	for (size_t i = 0; i < n && rc > 0; i++) {
		nsx_ipset_clear(&t);
		rc = expr_eval(x, g, &v[i], &t, why, depth);
		if (rc <= 0)
			break;
		if (i && v[i].conj)
			and = true;
		else if (i)
			or = true;
		if (i == 0)
			rc = nsx_ipset_copy(acc, &t) ? -ENOMEM : 1;
		else if (v[i].conj)
			rc = nsx_ipset_intersect(acc, acc, &t) ? -ENOMEM : 1;
		else
			rc = nsx_ipset_union(acc, acc, &t) ? -ENOMEM : 1;
	}
	nsx_ipset_free(&t);
	if (rc > 0 && and && or)
		nsx_issue_add(x->m, false, NSX_NOTE_MIXED_CONJUNCTION, NULL,
		    "group %s mixes AND and OR: evaluated left to right", g->path);
	return rc;
}

static int
group_resolve(struct rctx *x, struct nsx_group *g, int depth)
{
	struct nsx_ipset ex = { 0 };
	char *why = NULL;
	int rc;

	if (g->state == 2)
		return 0;
	if (g->state == 1)
		return diag_fail(x->d, "%s: group '%s' is part of a cycle of nested groups",
		    g->src, g->path);
	if (depth > NSX_MAX_DEPTH)
		return diag_fail(x->d, "%s: groups nested too deeply", g->src);
	g->state = 1;
	rc = fold(x, g, g->expr, g->nexpr, &g->ips, &why, depth);
	if (rc > 0 && g->nexcl) {
		for (size_t i = 0; rc > 0 && i < g->nexcl; i++) {
			struct nsx_ipset t = { 0 };

			rc = expr_eval(x, g, &g->excl[i], &t, &why, depth);
			if (rc > 0 && nsx_ipset_union(&ex, &ex, &t))
				rc = -ENOMEM;
			nsx_ipset_free(&t);
		}
		if (rc > 0 && nsx_ipset_subtract(&g->ips, &g->ips, &ex))
			rc = -ENOMEM;
	}
	nsx_ipset_free(&ex);
	if (rc < 0) {
		free(why);
		return rc;
	}
	if (rc == 0) {
		g->unresolved = true;
		g->unresolved_why = why ? why : nsx_strdup("unresolvable");
		nsx_ipset_clear(&g->ips);
	} else {
		free(why);
	}
	g->state = 2;
	return 0;
}

/* ---- rules ------------------------------------------------------------------------- */
static int
rule_gap(struct rctx *x, struct nsx_rule *r, int kind, bool skip, const char *why)
{
	r->gap_any = true;
	if (skip)
		r->gap_skip = r->gap_verdict = true;
	return nsx_issue_add(x->m, true, kind, r, "%s", why);
}

/* Resolve a peer/scope list into ips. Returns 0, or <0 on input errors. */
static int
refs_eval(struct rctx *x, struct nsx_rule *r, const struct nsx_refs *refs,
    struct nsx_ipset *out, bool scope)
{
	char buf[700], rt[300];
	int rc;

	nsx_ipset_clear(out);
	if (refs->any) {
		if ((rc = nsx_ipset_add_full(out, AF_UNSPEC)))
			return rc;
	} else {
		for (size_t i = 0; i < refs->n; i++) {
			char *why = NULL;
			bool missing = false;

			rc = ref_eval(x, r->src, refs->v[i], out, &why, &missing, 0);
			if (rc < 0) {
				free(why);
				return rc;
			}
			if (rc == 0) {
				snprintf(buf, sizeof(buf), "%s %s: %s",
				    scope ? "applied-to" : "peer",
				    ref_text(refs->v[i], rt, sizeof(rt)), why ? why : "");
				free(why);
				if ((rc = rule_gap(x, r, missing ? NSX_GAP_MISSING_REFERENCE :
				    scope ? NSX_GAP_APPLIED_TO : NSX_GAP_GROUP_UNRESOLVED, true, buf)))
					return rc;
			}
		}
	}
	if (refs->excluded) {
		struct nsx_ipset full = { 0 };

		if ((rc = nsx_ipset_add_full(&full, AF_UNSPEC)) ||
		    (rc = nsx_ipset_subtract(out, &full, out))) {
			nsx_ipset_free(&full);
			return rc;
		}
		nsx_ipset_free(&full);
	}
	return 0;
}

static int
svc_ref(struct rctx *x, struct nsx_rule *r, const char *ref, struct nsx_service **out)
{
	char t[64], v[512], n[256], buf[900];

	*out = NULL;
	if (nsxv_ref(ref, t, sizeof(t), v, sizeof(v), n, sizeof(n))) {
		*out = nsx_service_find(x->m, v);
		if (!*out && *n)
			*out = nsx_predefined_get(x->m, n);
		if (!*out) {
			snprintf(buf, sizeof(buf), "service %s %s (%s) is not in the export and "
			    "not a known predefined service", t, v, n);
			return rule_gap(x, r, NSX_GAP_MISSING_REFERENCE, true, buf);
		}
		return 0;
	}
	*out = nsx_service_find(x->m, ref);
	if (!*out)
		*out = nsx_predefined_get(x->m, ref);
	if (!*out)
		return diag_fail(x->d, "%s: unknown service '%s' (not in the export and not "
		    "a known predefined service)", r->src, ref);
	return 0;
}

static int
rule_resolve(struct rctx *x, struct nsx_rule *r)
{
	struct nsx_service flags;
	const struct nsx_policy *p = r->pol;
	struct nsx_refs pscope = { 0 };
	int rc;

	memset(&flags, 0, sizeof(flags));
	if (r->disabled)
		nsx_issue_add(x->m, false, NSX_NOTE_DISABLED, r, "rule is disabled: not translated");
	if (r->logged)
		nsx_issue_add(x->m, false, NSX_NOTE_LOGGED, r,
		    "per-rule logging is not carried (flow events carry the verdict)");
	if (p->category == NSX_CAT_ETHERNET) {
		/* A layer-2 ALLOW only hands the frame on to the layer-3 rules. */
		r->l2 = true;
		if (!r->disabled && r->action == NSX_ACT_ALLOW)
			nsx_issue_add(x->m, false, NSX_NOTE_L2_ALLOW, r, "Ethernet (layer 2) ALLOW: "
			    "hands traffic on to the layer-3 rules, nothing to translate");
		else if (!r->disabled && (rc = rule_gap(x, r, NSX_GAP_L2_RULE, true,
		    "Ethernet (layer 2) DROP/REJECT: Cilium policy has no layer-2 rules")))
			return rc;
		if (r->action == NSX_ACT_ALLOW)
			return 0;
	}
	if ((rc = refs_eval(x, r, &r->srcs, &r->src_ips, false)) ||
	    (rc = refs_eval(x, r, &r->dsts, &r->dst_ips, false)))
		return rc;
	/* Policy scope takes precedence over the rule's applied-to. */
	if (p->nscope) {
		pscope.v = p->scope;
		pscope.n = p->nscope;
		rc = refs_eval(x, r, &pscope, &r->scope_ips, true);
		r->scope_any = false;
	} else {
		rc = refs_eval(x, r, &r->scope, &r->scope_ips, true);
		r->scope_any = r->scope.any;
	}
	if (rc)
		return rc;
	if (r->family != AF_UNSPEC) {
		if ((rc = nsx_ipset_family(&r->src_ips, &r->src_ips, r->family)) ||
		    (rc = nsx_ipset_family(&r->dst_ips, &r->dst_ips, r->family)))
			return rc;
	}
	/* Services. */
	nsx_svcset_free(&r->svc);
	if (r->svcs.any && !r->nentries) {
		r->svc.any = true;
	} else {
		for (size_t i = 0; i < r->svcs.n; i++) {
			struct nsx_service *s;

			if ((rc = svc_ref(x, r, r->svcs.v[i], &s)))
				return rc;
			if (!s)
				continue;
			if ((rc = svc_resolve(x, s, 0)) || (rc = nsx_svcset_union_into(&r->svc, &s->set)))
				return rc;
			flags.has_sports |= s->has_sports;
			flags.has_alg |= s->has_alg;
			flags.has_other |= s->has_other;
			flags.has_l2 |= s->has_l2;
			flags.has_icmp_code |= s->has_icmp_code;
		}
		for (size_t i = 0; i < r->nentries; i++)
			if ((rc = entry_apply(x, r->src, &r->entries[i], &r->svc, &flags, 0)))
				return rc;
	}
	if (flags.has_sports && (rc = rule_gap(x, r, NSX_GAP_SOURCE_PORT, true,
	    "service matches source ports: Cilium cannot match source ports")))
		return rc;
	if (flags.has_alg && (rc = rule_gap(x, r, NSX_GAP_ALG, false,
	    "ALG service: only the control port is carried, dynamic data ports are not")))
		return rc;
	if (flags.has_other && (rc = rule_gap(x, r, NSX_GAP_PROTOCOL, true,
	    "IP protocol other than TCP/UDP/SCTP/ICMP: Cilium cannot select it alone")))
		return rc;
	if (flags.has_icmp_code && (rc = rule_gap(x, r, NSX_GAP_ICMP_CODE, true,
	    "ICMP code match: Cilium matches ICMP types only")))
		return rc;
	if (flags.has_l2 && (rc = rule_gap(x, r, NSX_GAP_L2_RULE, true,
	    "EtherType/IGMP service entry has no Cilium equivalent")))
		return rc;
	/* Context profiles. */
	if (!r->profiles.any) {
		for (size_t i = 0; i < r->profiles.n; i++) {
			bool fqdn = false;

			for (size_t k = 0; k < x->m->nprofiles; k++)
				if (!strcmp(x->m->profiles[k].path, r->profiles.v[i]))
					fqdn = x->m->profiles[k].fqdn;
			if ((rc = rule_gap(x, r, fqdn ? NSX_GAP_FQDN : NSX_GAP_L7_PROFILE, true,
			    fqdn ? "FQDN context profile: not translated (would need toFQDNs with DNS "
			    "visibility)" : "L7 context profile (App-ID): no Cilium equivalent")))
				return rc;
		}
	}
	if (r->action == NSX_ACT_REJECT && (rc = rule_gap(x, r, NSX_GAP_REJECT_AS_DROP, false,
	    "REJECT becomes a silent drop: no TCP RST / ICMP unreachable")))
		return rc;
	if (!p->stateful && !r->l2 && (rc = rule_gap(x, r, NSX_GAP_STATELESS, false,
	    "stateless policy: Cilium is stateful, replies are allowed by conntrack")))
		return rc;
	if (p->tcp_strict && (rc = rule_gap(x, r, NSX_GAP_TCP_STRICT, false,
	    "tcp_strict (SYN required) is not carried")))
		return rc;
	if (p->scheduler && (rc = rule_gap(x, r, NSX_GAP_TIME_WINDOW, false,
	    "time window (scheduler) ignored: the rule is translated as always active")))
		return rc;
	return 0;
}

static int
rule_cmp(const void *a, const void *b)
{
	const struct nsx_rule *x = *(const struct nsx_rule *const *)a;
	const struct nsx_rule *y = *(const struct nsx_rule *const *)b;
	const struct nsx_policy *p = x->pol, *q = y->pol;

	if (p->category != q->category)
		return p->category < q->category ? -1 : 1;
	if (p != q) {
		if (p->seq != q->seq)
			return p->seq < q->seq ? -1 : 1;
		return p->doc_order < q->doc_order ? -1 : 1;
	}
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return x->doc_order < y->doc_order ? -1 : (x->doc_order > y->doc_order);
}

static void
order_notes(struct nsx_model *m)
{
	for (size_t i = 1; i < m->nrules; i++) {
		const struct nsx_rule *a = m->rules[i - 1];
		struct nsx_rule *b = m->rules[i];

		if (a->pol == b->pol && a->has_seq && b->has_seq && a->seq == b->seq)
			nsx_issue_add(m, false, NSX_NOTE_SEQUENCE_TIE, b,
			    "same sequence_number %lld as rule %s: NSX order is undefined, "
			    "document order used", (long long)b->seq, a->id);
		if (a->pol != b->pol && a->pol->category == b->pol->category &&
		    a->pol->has_seq && b->pol->has_seq && a->pol->seq == b->pol->seq)
			nsx_issue_add(m, false, NSX_NOTE_SEQUENCE_TIE, b,
			    "policy %s has the same sequence_number %lld as policy %s: NSX order "
			    "is undefined, document order used", b->pol->path,
			    (long long)b->pol->seq, a->pol->path);
		/* NSX-T: a missing sequence_number is 0, so such neighbours tie too.
		 * (NSX-V orders by document position by design.) */
		if (m->nsxv)
			continue;
		if (a->pol == b->pol && !a->has_seq && !b->has_seq)
			nsx_issue_add(m, false, NSX_NOTE_SEQUENCE_TIE, b,
			    "no sequence_number here nor on rule %s before it: document order used",
			    a->id);
		if (a->pol != b->pol && a->pol->category == b->pol->category &&
		    !a->pol->has_seq && !b->pol->has_seq)
			nsx_issue_add(m, false, NSX_NOTE_SEQUENCE_TIE, b,
			    "policy %s and policy %s before it have no sequence_number: document "
			    "order used", b->pol->path, a->pol->path);
	}
}

int
nsx_model_resolve(struct nsx_model *m, struct diag *d)
{
	struct rctx x = { .m = m, .d = d };
	int rc;

	if ((rc = nsx_model_index(m)))
		return rc;
	for (size_t i = 0; i < m->nservices; i++)
		if ((rc = svc_resolve(&x, m->services[i], 0)))
			return rc;
	for (size_t i = 0; i < m->ngroups; i++)
		if ((rc = group_resolve(&x, m->groups[i], 0)))
			return rc;
	if (m->nrules > 1)
		qsort(m->rules, m->nrules, sizeof(*m->rules), rule_cmp);
	order_notes(m);
	for (size_t i = 0; i < m->nrules; i++)
		if ((rc = rule_resolve(&x, m->rules[i])))
			return rc;
	/* A catch-all layer-3 rule makes NSX's default rule unreachable. */
	for (size_t i = 0; i < m->nrules; i++) {
		const struct nsx_rule *r = m->rules[i];

		if (!r->disabled && !r->l2 && !r->gap_skip && r->action != NSX_ACT_JUMP &&
		    r->svc.any && nsx_ipset_is_full(&r->src_ips, AF_UNSPEC) &&
		    nsx_ipset_is_full(&r->dst_ips, AF_UNSPEC) &&
		    nsx_ipset_is_full(&r->scope_ips, AF_UNSPEC))
			m->has_default_rule = true;
	}
	return 0;
}
