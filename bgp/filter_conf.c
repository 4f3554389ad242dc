// SPDX-License-Identifier: MIT
/*
 * The RIB and policy keys of the `bgp:` section (see docs/bgp.md "RIB, kernel routes
 * and graceful restart"): `rib:` (kernel table/protocol, ECMP, MED), `prefix-lists:` and
 * `filters:`. Called by bgp/conf.c; errors name the key path and line through
 * lib/yamlconf. Prefix lists are parsed before filters so rules can point at them.
 */
#include <errno.h>
#include <string.h>

#include "bgp/conf.h"
#include "bgp/filter.h"
#include "bgp/kroute.h"
#include "bgp/rib.h"

void
bgp_conf_rib_init(struct bgp_conf_rib *r)
{
	memset(r, 0, sizeof(*r));
	r->kernel = true;
	r->kernel_table = KROUTE_TABLE_MAIN;
	r->kernel_protocol = KROUTE_PROTO_DEFAULT;
	r->ecmp_max_paths = 1;
	r->keep_adj_rib_in = true;
	filter_set_init(&r->filters);
}

void
bgp_conf_rib_free(struct bgp_conf_rib *r)
{
	filter_set_free(&r->filters);
}

static int
parse_rib(const struct ynode *bgp, struct bgp_conf_rib *r)
{
	static const char *const keys[] = {
		"kernel", "kernel-table", "kernel-protocol", "ecmp-max-paths",
		"always-compare-med", "keep-adj-rib-in", NULL,
	};
	struct ynode m;
	uint32_t v;
	int rc;

	rc = ycfg_map_get(bgp, "rib", &m);
	if (rc <= 0)
		return rc;
	if (ycfg_map_check(&m, keys))
		return -EINVAL;
	if (ycfg_opt_bool(&m, "kernel", &r->kernel) < 0 ||
	    ycfg_opt_bool(&m, "always-compare-med", &r->always_compare_med) < 0 ||
	    ycfg_opt_bool(&m, "keep-adj-rib-in", &r->keep_adj_rib_in) < 0)
		return -EINVAL;
	/* table 0 is "unspecified" for rtnetlink; 253-255 are default/main/local */
	if (ycfg_opt_u32(&m, "kernel-table", 1, UINT32_MAX, &r->kernel_table) < 0)
		return -EINVAL;
	rc = ycfg_opt_u32(&m, "kernel-protocol", 1, 255, &v);
	if (rc < 0)
		return rc;
	if (rc == 1)
		r->kernel_protocol = (uint8_t)v;
	if (ycfg_opt_u32(&m, "ecmp-max-paths", 1, RIB_ECMP_MAX, &r->ecmp_max_paths) < 0)
		return -EINVAL;
	return 0;
}

static int
name_check(const struct ynode *n, const char *name)
{
	if (!name[0] || strspn(name, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != strlen(name))
		return ynode_fail(n, "must be letters, digits, '-', '_' or '.'");
	return 0;
}

/* Item i of a list of named mappings: only the given keys, and a valid name. */
static int
named_item(const struct ynode *seq, int i, const char *const *keys, struct ynode *it,
    struct ynode *nn, char *name, size_t namelen)
{
	ycfg_seq_get(seq, i, it);
	if (ycfg_map_check(it, keys) || ycfg_req_str(it, "name", name, namelen))
		return -EINVAL;
	ycfg_map_get(it, "name", nn);
	return name_check(nn, name) ? -EINVAL : 0;
}

static int
parse_plists(const struct ynode *bgp, struct filter_set *fs)
{
	static const char *const keys[] = { "name", "entries", NULL };
	static const char *const ekeys[] = { "prefix", "ge", "le", "action", NULL };
	static const char *const actions[] = { "permit", "deny", NULL };
	struct ynode seq;
	int rc, n;

	rc = ycfg_map_get(bgp, "prefix-lists", &seq);
	if (rc <= 0)
		return rc;
	if ((n = ycfg_seq_len(&seq)) < 0)
		return ynode_fail(&seq, "must be a list of {name, entries}");
	for (int i = 0; i < n; i++) {
		struct ynode it, en, nn;
		char name[FILTER_NAME_MAX];
		struct filter_plist *pl;
		int ne;

		if (named_item(&seq, i, keys, &it, &nn, name, sizeof(name)))
			return -EINVAL;
		pl = filter_plist_add(fs, name);
		if (!pl)
			return ynode_fail(&nn, "%s", errno == EEXIST ?
			    "duplicate prefix-list name" : strerror(errno));
		if (ycfg_map_get(&it, "entries", &en) != 1 || (ne = ycfg_seq_len(&en)) < 0)
			return ynode_fail(&it, "entries: required, a list of {prefix, ge, le, action}");
		for (int j = 0; j < ne; j++) {
			struct ynode e, pn;
			struct prefix p;
			uint32_t ge = 0, le = 0;
			int has_ge, has_le, act = 0;

			ycfg_seq_get(&en, j, &e);
			if (ycfg_map_check(&e, ekeys))
				return -EINVAL;
			if (ycfg_map_get(&e, "prefix", &pn) != 1)
				return ynode_fail(&e, "prefix: missing required key");
			if (ynode_prefix(&pn, &p))
				return -EINVAL;
			has_ge = ycfg_opt_u32(&e, "ge", 0, 128, &ge);
			has_le = ycfg_opt_u32(&e, "le", 0, 128, &le);
			if (has_ge < 0 || has_le < 0)
				return -EINVAL;
			if (ycfg_map_get(&e, "action", &pn) == 1 && ynode_enum(&pn, actions, &act))
				return -EINVAL;
			if (filter_plist_append(pl, &p, has_ge ? (int)ge : -1, has_le ? (int)le : -1,
			    act == 0) != 0)
				return ynode_fail(&e, "need prefix length <= ge <= le <= %u",
				    addr_bits(&p.addr));
		}
	}
	return 0;
}

static int
parse_comms(const struct ynode *m, const char *key, uint32_t *out, size_t *n)
{
	struct ynode seq;
	int rc, len;

	rc = ycfg_map_get(m, key, &seq);
	if (rc <= 0)
		return rc;
	if ((len = ycfg_seq_len(&seq)) < 0)
		return ynode_fail(&seq, "must be a list of communities (\"65000:100\")");
	if (len > FILTER_COMM_MAX)
		return ynode_fail(&seq, "at most %d communities", FILTER_COMM_MAX);
	for (int i = 0; i < len; i++) {
		struct ynode c;
		char s[32];

		ycfg_seq_get(&seq, i, &c);
		if (ynode_str(&c, s, sizeof(s)))
			return -EINVAL;
		if (bgp_community_parse(s, &out[*n]))
			return ynode_fail(&c, "not a community (ASN:VALUE or a well-known name)");
		(*n)++;
	}
	return 0;
}

static int
parse_rule(const struct ynode *it, const struct filter_set *fs, struct filter_rule *r)
{
	static const char *const keys[] = { "match", "action", "set", NULL };
	static const char *const mkeys[] = { "prefix-list", "community", "family", NULL };
	static const char *const skeys[] = {
		"local-pref", "med", "community-add", "community-remove", "next-hop-self",
		"prepend", NULL,
	};
	static const char *const actions[] = { "permit", "deny", NULL };
	static const char *const fams[] = { "ipv4", "ipv6", NULL };
	struct ynode m, n;
	int act, rc;

	memset(r, 0, sizeof(*r));
	if (ycfg_map_check(it, keys))
		return -EINVAL;
	if (ycfg_map_get(it, "action", &n) != 1)
		return ynode_fail(it, "action: missing required key (permit or deny)");
	if (ynode_enum(&n, actions, &act))
		return -EINVAL;
	r->permit = act == 0;
	if (ycfg_map_get(it, "match", &m) == 1) {
		char pl[FILTER_NAME_MAX];
		int fam;

		if (ycfg_map_check(&m, mkeys))
			return -EINVAL;
		rc = ycfg_opt_str(&m, "prefix-list", pl, sizeof(pl));
		if (rc < 0)
			return rc;
		if (rc == 1) {
			r->plist = filter_plist_find(fs, pl);
			if (!r->plist) {
				ycfg_map_get(&m, "prefix-list", &n);
				return ynode_fail(&n, "no prefix-list named \"%s\"", pl);
			}
		}
		if (parse_comms(&m, "community", r->match_comm, &r->nmatch_comm))
			return -EINVAL;
		if (ycfg_map_get(&m, "family", &n) == 1) {
			if (ynode_enum(&n, fams, &fam))
				return -EINVAL;
			r->family = fam == 0 ? AF_INET : AF_INET6;
		}
	}
	if (ycfg_map_get(it, "set", &m) == 1) {
		uint32_t v;

		if (ycfg_map_check(&m, skeys))
			return -EINVAL;
		rc = ycfg_opt_u32(&m, "local-pref", 0, UINT32_MAX, &r->local_pref);
		if (rc < 0)
			return rc;
		r->set_local_pref = rc == 1;
		rc = ycfg_opt_u32(&m, "med", 0, UINT32_MAX, &r->med);
		if (rc < 0)
			return rc;
		r->set_med = rc == 1;
		if (parse_comms(&m, "community-add", r->add_comm, &r->nadd_comm) ||
		    parse_comms(&m, "community-remove", r->del_comm, &r->ndel_comm) ||
		    ycfg_opt_bool(&m, "next-hop-self", &r->next_hop_self) < 0)
			return -EINVAL;
		rc = ycfg_opt_u32(&m, "prepend", 0, 16, &v);
		if (rc < 0)
			return rc;
		r->prepend = (uint8_t)(rc == 1 ? v : 0);
	}
	return 0;
}

static int
parse_filters(const struct ynode *bgp, struct filter_set *fs)
{
	static const char *const keys[] = { "name", "rules", NULL };
	struct ynode seq;
	int rc, n;

	rc = ycfg_map_get(bgp, "filters", &seq);
	if (rc <= 0)
		return rc;
	if ((n = ycfg_seq_len(&seq)) < 0)
		return ynode_fail(&seq, "must be a list of {name, rules}");
	for (int i = 0; i < n; i++) {
		struct ynode it, rules, nn;
		char name[FILTER_NAME_MAX];
		struct filter *f;
		int nr;

		if (named_item(&seq, i, keys, &it, &nn, name, sizeof(name)))
			return -EINVAL;
		f = filter_add(fs, name);
		if (!f)
			return ynode_fail(&nn, "%s", errno == EEXIST ? "duplicate filter name" :
			    strerror(errno));
		if (ycfg_map_get(&it, "rules", &rules) != 1 || (nr = ycfg_seq_len(&rules)) < 0)
			return ynode_fail(&it, "rules: required, a list of {match, action, set}");
		for (int j = 0; j < nr; j++) {
			struct ynode r;
			struct filter_rule rule;

			ycfg_seq_get(&rules, j, &r);
			if (parse_rule(&r, fs, &rule))
				return -EINVAL;
			if (filter_rule_append(f, &rule))
				return ynode_fail(&r, "out of memory");
		}
	}
	return 0;
}

int
bgp_conf_rib_parse(const struct ynode *bgp, struct bgp_conf_rib *r)
{
	if (parse_rib(bgp, r) || parse_plists(bgp, &r->filters) ||
	    parse_filters(bgp, &r->filters))
		return -EINVAL;
	return 0;
}
