// SPDX-License-Identifier: MIT
/*
 * Bundle rules -> per-endpoint policy map entries in Cilium's LPM key layout.
 * A rule becomes one entry per protocol/port prefix (a port range becomes the few
 * prefixes that cover it exactly); entries with the same key merge (deny wins);
 * then every allow entry covered by a deny entry of the same or any identity is
 * stored as that deny, because an LPM lookup returns the longest match and the
 * datapath only gives deny precedence across its two lookups (exact identity, any
 * identity). A direction without default deny gets an allow-all entry. No BPF here.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/datapath.h"

int
dp_port_range_prefixes(uint16_t lo, uint16_t hi, uint16_t *val, uint8_t *len, size_t max)
{
	uint32_t a = lo, b = hi;
	int n = 0;

	while (a <= b) {
		uint32_t size = 1;
		unsigned bits = 0;

		/* largest aligned block starting at a that stays within [a, b] */
		while (bits < 16 && (a & ((size << 1) - 1)) == 0 && a + (size << 1) - 1 <= b) {
			size <<= 1;
			bits++;
		}
		if ((size_t)n < max) {
			val[n] = (uint16_t)a;
			len[n] = (uint8_t)(16 - bits);
		}
		n++;
		a += size;
	}
	return n;
}

struct centry {
	struct dp_pentry	 e;
	size_t			 order;	/* rule index, for a stable "first rule wins" */
};

static int
cmp_centry(const void *x, const void *y)
{
	const struct centry *a = x, *b = y;
	int c = memcmp(&a->e.key, &b->e.key, sizeof(a->e.key));

	if (c)
		return c;
	return a->order < b->order ? -1 : a->order > b->order;
}

static uint8_t
lpm_of(const struct dp_policy_key *k)
{
	return (uint8_t)(k->prefixlen - DP_POLICY_STATIC_PREFIX);
}

/* 24-bit protocol+port value of a key, most significant bit first. */
static uint32_t
l4_bits(const struct dp_policy_key *k)
{
	return ((uint32_t)k->protocol << 16) | ntohs(k->dport);
}

/* deny entry d covers allow entry a (same endpoint and direction checked by caller) */
static int
covers(const struct dp_policy_key *d, const struct dp_policy_key *a)
{
	uint8_t dl = lpm_of(d), al = lpm_of(a);
	uint32_t mask;

	if (d->sec_label != 0 && d->sec_label != a->sec_label)
		return 0;
	if (dl > al)
		return 0;
	mask = dl ? ~((1u << (24 - dl)) - 1) & 0xffffff : 0;
	return (l4_bits(d) & mask) == (l4_bits(a) & mask);
}

static void
set_entry(struct centry *c, uint32_t ep_id, uint8_t dir, uint32_t peer, uint8_t proto,
    uint16_t port, uint8_t port_bits, int any_proto, bool deny, const char *ref,
    size_t order)
{
	struct dp_policy_key *k = &c->e.key;
	uint8_t lpm;

	memset(c, 0, sizeof(*c));
	c->e.ep_id = ep_id;
	c->order = order;
	k->sec_label = peer;
	k->egress = dir;
	if (any_proto) {
		lpm = 0;
	} else {
		k->protocol = proto;
		k->dport = htons(port);
		lpm = (uint8_t)(DP_POLICY_PROTO_BITS + port_bits);
	}
	k->prefixlen = DP_POLICY_STATIC_PREFIX + lpm;
	c->e.flags = (uint8_t)((deny ? DP_POLICY_F_DENY : 0) | (lpm << DP_POLICY_LPM_SHIFT));
	snprintf(c->e.ref, sizeof(c->e.ref), "%s", ref);
}

long
dp_compile_endpoint(const struct dp_bundle_endpoint *ep, struct dp_pentry **out)
{
	struct centry *v = NULL, *t;
	size_t n = 0, cap = 0, w;

	*out = NULL;
	for (size_t i = 0; i <= ep->nrules + 1; i++) {
		uint16_t vals[32];
		uint8_t lens[32];
		int np = 1;
		const struct dp_bundle_rule *r = i < ep->nrules ? &ep->rules[i] : NULL;
		uint8_t dir = r ? r->dir : (uint8_t)(i - ep->nrules);

		if (!r && ep->default_deny[dir])
			continue;
		if (r && r->proto && !(r->port_lo == 0 && r->port_hi == 65535))
			np = dp_port_range_prefixes(r->port_lo, r->port_hi, vals, lens, 32);
		if (n + (size_t)np > cap) {
			cap = (n + (size_t)np) * 2 + 16;
			t = realloc(v, cap * sizeof(*v));
			if (!t) {
				free(v);
				return -ENOMEM;
			}
			v = t;
		}
		if (!r) {	/* allow-all for a direction without default deny */
			set_entry(&v[n++], ep->id, dir, 0, 0, 0, 0, 1, false,
			    DP_REF_DEFAULT_ALLOW, i);
			continue;
		}
		if (!r->proto) {
			set_entry(&v[n++], ep->id, dir, r->peer, 0, 0, 0, 1,
			    r->action == DP_ACTION_DENY, r->ref, i);
		} else if (r->port_lo == 0 && r->port_hi == 65535) {
			set_entry(&v[n++], ep->id, dir, r->peer, r->proto, 0, 0, 0,
			    r->action == DP_ACTION_DENY, r->ref, i);
		} else {
			for (int j = 0; j < np; j++)
				set_entry(&v[n++], ep->id, dir, r->peer, r->proto, vals[j],
				    lens[j], 0, r->action == DP_ACTION_DENY, r->ref, i);
		}
	}
	if (n == 0) {
		*out = calloc(1, sizeof(**out));
		free(v);
		return *out ? 0 : -ENOMEM;
	}
	qsort(v, n, sizeof(*v), cmp_centry);
	/* merge equal keys: the first rule wins unless a later one denies */
	w = 0;
	for (size_t i = 0; i < n; i++) {
		if (w && !memcmp(&v[w - 1].e.key, &v[i].e.key, sizeof(v[i].e.key))) {
			if ((v[i].e.flags & DP_POLICY_F_DENY) &&
			    !(v[w - 1].e.flags & DP_POLICY_F_DENY))
				v[w - 1] = v[i];
			continue;
		}
		v[w++] = v[i];
	}
	n = w;
	/* deny shadows every allow it covers */
	for (size_t i = 0; i < n; i++) {
		if (!(v[i].e.flags & DP_POLICY_F_DENY))
			continue;
		for (size_t j = 0; j < n; j++) {
			if ((v[j].e.flags & DP_POLICY_F_DENY) ||
			    v[j].e.key.egress != v[i].e.key.egress ||
			    !covers(&v[i].e.key, &v[j].e.key))
				continue;
			v[j].e.flags |= DP_POLICY_F_DENY;
			memcpy(v[j].e.ref, v[i].e.ref, sizeof(v[j].e.ref));
		}
	}
	*out = malloc(n * sizeof(**out));
	if (!*out) {
		free(v);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		(*out)[i] = v[i].e;
	free(v);
	return (long)n;
}
