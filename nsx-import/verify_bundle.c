// SPDX-License-Identifier: MIT
/*
 * The checker's model of the datapath bundle (format in docs/datapath.md): the
 * endpoint that owns the local address, the remote identity by longest prefix over
 * endpoint addresses and CIDRs (world-ipv4/-ipv6 otherwise), then a matching deny
 * rule drops, a matching allow passes, else the direction's default. Reads the
 * parsed bundle only; parsing belongs to datapath/bundle.c.
 */
#include "datapath/bundle.h"
#include "datapath/dp_abi.h"
#include "nsx-import/verify.h"

#define WORLD_IPV4	9
#define WORLD_IPV6	10

static uint32_t
remote_identity(const struct dp_bundle *b, const struct addr *a)
{
	uint32_t id = a->family == AF_INET ? WORLD_IPV4 : WORLD_IPV6;
	int best = -1;

	for (size_t i = 0; i < b->nendpoints; i++)
		for (size_t k = 0; k < b->endpoints[i].nips; k++)
			if (addr_eq(&b->endpoints[i].ips[k], a))
				return b->endpoints[i].identity;
	for (size_t i = 0; i < b->ncidrs; i++)
		if (b->cidrs[i].prefix.len > best && prefix_contains_addr(&b->cidrs[i].prefix, a)) {
			best = b->cidrs[i].prefix.len;
			id = b->cidrs[i].identity;
		}
	return id;
}

bool
nsx_bundle_eval(const struct dp_bundle *b, const struct nsx_flow *f, bool *found)
{
	const struct dp_bundle_endpoint *ep = NULL;
	uint8_t dir = f->dir == NSX_D_INGRESS ? DP_DIR_INGRESS : DP_DIR_EGRESS;
	uint32_t peer;
	bool allow = false;

	for (size_t i = 0; i < b->nendpoints && !ep; i++)
		for (size_t k = 0; k < b->endpoints[i].nips && !ep; k++)
			if (addr_eq(&b->endpoints[i].ips[k], &f->local))
				ep = &b->endpoints[i];
	*found = ep != NULL;
	if (!ep)
		return true;
	peer = remote_identity(b, &f->remote);
	for (size_t i = 0; i < ep->nrules; i++) {
		const struct dp_bundle_rule *r = &ep->rules[i];

		if (r->dir != dir || (r->peer && r->peer != peer) ||
		    (r->proto && r->proto != f->proto) || f->port < r->port_lo || f->port > r->port_hi)
			continue;
		if (r->action == DP_ACTION_DENY)
			return false;
		allow = true;
	}
	return allow || !ep->default_deny[dir];
}
