// SPDX-License-Identifier: MIT
/*
 * NSX reference semantics for one flow at one endpoint: Ethernet rules first (a
 * matching DROP/REJECT drops, a matching ALLOW ends the layer-2 table), then the
 * layer-3 rules in evaluation order, first match wins; JUMP_TO_APPLICATION skips
 * the rest of its category; no match -> the default rule. Used by the checker as
 * the ground truth; independent of the compiler.
 */
#include "nsx-import/translate.h"

static bool
rule_matches(const struct nsx_rule *r, const struct nsx_flow *f)
{
	const struct nsx_ipset *local, *remote;

	if (!(r->dir & (f->dir == NSX_D_INGRESS ? NSX_DIR_IN : NSX_DIR_OUT)))
		return false;
	local = f->dir == NSX_D_INGRESS ? &r->dst_ips : &r->src_ips;
	remote = f->dir == NSX_D_INGRESS ? &r->src_ips : &r->dst_ips;
	if (!nsx_ipset_contains(&r->scope_ips, &f->local) ||
	    !nsx_ipset_contains(local, &f->local) || !nsx_ipset_contains(remote, &f->remote))
		return false;
	if (r->l2)
		return true;	/* layer-2 rules match frames of any IP protocol */
	return nsx_svcset_contains(&r->svc, f->proto, f->port);
}

bool
nsx_eval_flow(const struct nsx_model *m, enum nsx_action dflt, const struct nsx_flow *f,
    const struct nsx_rule **decided, const struct nsx_rule **jumped)
{
	bool l2_done = false;
	int skip_cat = -1;

	*decided = NULL;
	if (jumped)
		*jumped = NULL;
	for (size_t i = 0; i < m->nrules; i++) {
		const struct nsx_rule *r = m->rules[i];

		if (r->disabled)
			continue;
		if (r->l2) {
			if (l2_done || !rule_matches(r, f))
				continue;
			if (r->action == NSX_ACT_ALLOW) {
				l2_done = true;
				continue;
			}
			*decided = r;
			return false;
		}
		if (skip_cat >= 0 && r->pol->category == skip_cat)
			continue;
		if (!rule_matches(r, f))
			continue;
		if (r->action == NSX_ACT_JUMP) {
			skip_cat = r->pol->category;
			if (jumped)
				*jumped = r;
			continue;
		}
		*decided = r;
		return r->action == NSX_ACT_ALLOW;
	}
	return dflt == NSX_ACT_ALLOW;
}
