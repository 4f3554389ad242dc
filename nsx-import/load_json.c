// SPDX-License-Identifier: MIT
/*
 * NSX-T Policy API JSON loader: the hierarchical Infra tree (Child* wrappers),
 * single-object GETs (Domain, Group, SecurityPolicy, Rule, Service, ServiceEntry,
 * PolicyContextProfile), list envelopes ({"results": [...]}) and top-level arrays.
 * Rules and service entries may be inline (rules[], service_entries[]) or children.
 * Every object's fields are checked (unknown or mistyped -> error naming the JSON
 * path). Objects outside the DFW (Tier0, Segment, ...) are skipped. This file fills
 * the model's raw parts only; resolve.c gives them meaning.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/json.h"
#include "nsx-import/model.h"

struct jctx {
	struct nsx_model	*m;
	const char		*file;
	char			 domain[512];	/* e.g. /infra/domains/default */
	char			 infra[256];	/* e.g. /infra */
	int			 depth;
};

#define COMMON_FIELDS \
	"resource_type", "id", "display_name", "description", "tags", "path", \
	"parent_path", "relative_path", "unique_id", "realization_id", \
	"marked_for_delete", "overridden", "children", "origin_site_id", "owner_id", \
	"remote_path"

static const char *const ignore_pfx[] = { "_", NULL };

static char *
src_of(const struct jctx *x, const struct json_cur *c)
{
	char path[JSON_PATH_MAX];

	return nsx_strdupf("%s:%s", x->file, json_cur_path(c, path, sizeof(path)));
}

static int
check(const struct json_cur *c, const char *const *allowed)
{
	return json_check_keys(c, allowed, ignore_pfx);
}

static bool
deleted(const struct json_cur *c)
{
	bool del = false;

	(void)json_get_bool(c, "marked_for_delete", false, &del);
	return del;
}

/* One accepted spelling of a keyword field and the value it stands for. */
struct kw {
	const char	*name;
	int		 val;
};

/*
 * Map the string field key (case-insensitive) through tab (ends with a NULL
 * name) into *out; an absent optional field leaves *out alone. An unknown
 * word fails naming what and at most width characters of it.
 */
static int
get_kw(const struct json_cur *c, const char *key, bool required, const struct kw *tab,
    const char *what, int width, int *out)
{
	const char *s = NULL;
	struct json_cur f;
	int rc;

	if ((rc = json_get_str(c, key, required, &s)) || !s)
		return rc;
	for (; tab->name; tab++) {
		if (!strcasecmp(s, tab->name)) {
			*out = tab->val;
			return 0;
		}
	}
	json_cur_member(c, key, &f);
	return json_cur_fail(&f, -EINVAL, "unknown %s '%.*s'", what, width, s);
}

/* Read an array of strings into refs (ANY handling in nsx_refs_push). */
static int
get_refs(const struct json_cur *c, const char *key, struct nsx_refs *r)
{
	struct json_cur a, e;
	const char *s;
	size_t n;
	int rc;

	if ((rc = json_get_arr(c, key, false, &a)) || !a.obj)
		return rc;
	bool saw_any = false;

	n = json_arr_len(&a);
	if (n == 0)
		return 0;	/* empty list = ANY */
	for (size_t i = 0; i < n; i++) {
		json_arr_at(&a, i, &e);
		if ((rc = json_cur_str(&e, &s)))
			return rc;
		if (!*s)
			return json_cur_fail(&e, -EINVAL, "empty reference");
		saw_any |= !strcasecmp(s, "ANY");
		if ((rc = nsx_refs_push(r, s)))
			return rc;
	}
	if (saw_any && r->n)
		return json_cur_fail(&a, -EINVAL, "\"ANY\" must be the only element");
	return 0;
}

static int
get_ports(const struct json_cur *c, const char *key, struct nsx_svcset *ports)
{
	struct json_cur a, e;
	const char *s;
	int rc;

	if ((rc = json_get_arr(c, key, false, &a)) || !a.obj)
		return rc;
	for (size_t i = 0; i < json_arr_len(&a); i++) {
		json_arr_at(&a, i, &e);
		if ((rc = json_cur_str(&e, &s)))
			return rc;
		rc = nsx_ports_parse(s, ports);
		if (rc == -ENOMEM)
			return rc;
		if (rc)
			return json_cur_fail(&e, -EINVAL, "illegal port or range '%.40s'", s);
	}
	return 0;
}

/* ---- service entries --------------------------------------------------------- */
static int
load_entry(struct jctx *x, const struct json_cur *c, struct nsx_entry *e)
{
	static const char *const l4[] = { COMMON_FIELDS, "l4_protocol", "source_ports",
		"destination_ports", NULL };
	static const char *const icmp[] = { COMMON_FIELDS, "protocol", "icmp_type",
		"icmp_code", NULL };
	static const char *const ipp[] = { COMMON_FIELDS, "protocol_number", NULL };
	static const char *const alg[] = { COMMON_FIELDS, "alg", "source_ports",
		"destination_ports", NULL };
	static const char *const nested[] = { COMMON_FIELDS, "nested_service_path", NULL };
	static const char *const ether[] = { COMMON_FIELDS, "ether_type", NULL };
	static const char *const igmp[] = { COMMON_FIELDS, NULL };
	static const struct kw l4_protos[] = { { "TCP", NSX_PROTO_TCP },
		{ "UDP", NSX_PROTO_UDP }, { "SCTP", NSX_PROTO_SCTP }, { NULL, 0 } };
	static const struct kw icmp_protos[] = { { "ICMPv4", NSX_PROTO_ICMP },
		{ "ICMPv6", NSX_PROTO_ICMP6 }, { NULL, 0 } };
	const char *rt = NULL, *s = NULL;
	int64_t v;
	int proto = 0, rc;

	(void)x;
	memset(e, 0, sizeof(*e));
	e->icmp_type = e->icmp_code = -1;
	if ((rc = json_get_str(c, "resource_type", true, &rt)))
		return rc;
	if (!strcmp(rt, "L4PortSetServiceEntry")) {
		e->kind = NSX_ENTRY_L4;
		if ((rc = check(c, l4)) ||
		    (rc = get_kw(c, "l4_protocol", true, l4_protos, "l4_protocol", 20, &proto)))
			return rc;
		e->proto = (uint8_t)proto;
		if ((rc = get_ports(c, "destination_ports", &e->dports)) ||
		    (rc = get_ports(c, "source_ports", &e->sports)))
			return rc;
	} else if (!strcmp(rt, "ICMPTypeServiceEntry")) {
		e->kind = NSX_ENTRY_ICMP;
		if ((rc = check(c, icmp)) ||
		    (rc = get_kw(c, "protocol", true, icmp_protos, "ICMP protocol", 20, &proto)))
			return rc;
		e->proto = (uint8_t)proto;
		v = -1;
		if ((rc = json_get_int(c, "icmp_type", false, 0, 255, &v)))
			return rc;
		e->icmp_type = (int)v;
		v = -1;
		if ((rc = json_get_int(c, "icmp_code", false, 0, 255, &v)))
			return rc;
		e->icmp_code = (int)v;
	} else if (!strcmp(rt, "IPProtocolServiceEntry")) {
		e->kind = NSX_ENTRY_IPPROTO;
		if ((rc = check(c, ipp)) ||
		    (rc = json_get_int(c, "protocol_number", true, 0, 255, &v)))
			return rc;
		e->proto = (uint8_t)v;
	} else if (!strcmp(rt, "ALGTypeServiceEntry")) {
		e->kind = NSX_ENTRY_ALG;
		if ((rc = check(c, alg)) || (rc = json_get_str(c, "alg", true, &s)))
			return rc;
		e->alg = nsx_strdup(s);
		e->proto = strstr(s, "UDP") || !strcasecmp(s, "TFTP") ? NSX_PROTO_UDP : NSX_PROTO_TCP;
		if (!e->alg || (rc = get_ports(c, "destination_ports", &e->dports)) ||
		    (rc = get_ports(c, "source_ports", &e->sports)))
			return rc ? rc : -ENOMEM;
	} else if (!strcmp(rt, "NestedServiceServiceEntry")) {
		e->kind = NSX_ENTRY_NESTED;
		if ((rc = check(c, nested)) ||
		    (rc = json_get_str(c, "nested_service_path", true, &s)))
			return rc;
		e->nested = nsx_strdup(s);
		if (!e->nested)
			return -ENOMEM;
	} else if (!strcmp(rt, "EtherTypeServiceEntry")) {
		e->kind = NSX_ENTRY_ETHER;
		if ((rc = check(c, ether)) ||
		    (rc = json_get_int(c, "ether_type", false, 0, 65535, &v)))
			return rc;
	} else if (!strcmp(rt, "IGMPTypeServiceEntry")) {
		e->kind = NSX_ENTRY_IGMP;
		if ((rc = check(c, igmp)))
			return rc;
	} else {
		struct json_cur f;

		json_cur_member(c, "resource_type", &f);
		return json_cur_fail(&f, -EINVAL, "unknown service entry type '%.40s'", rt);
	}
	return 0;
}

static int
load_entries(struct jctx *x, const struct json_cur *arr, struct nsx_entry **v, size_t *n)
{
	struct json_cur e;
	struct nsx_entry ent;
	int rc;

	for (size_t i = 0; i < json_arr_len(arr); i++) {
		json_arr_at(arr, i, &e);
		if (!json_cur_is_object(&e))
			return json_cur_fail(&e, -EINVAL, "expected an object");
		if (deleted(&e))
			continue;
		rc = load_entry(x, &e, &ent);
		if (!rc)
			rc = nsx_entry_push(v, n, &ent);
		if (rc) {
			nsx_entry_free(&ent);
			return rc;
		}
	}
	return 0;
}

/* ---- objects ------------------------------------------------------------------ */
static int load_node(struct jctx *x, const struct json_cur *c, void *parent);

static int
load_children(struct jctx *x, const struct json_cur *c, void *parent)
{
	struct json_cur a, e;
	int rc;

	if ((rc = json_get_arr(c, "children", false, &a)) || !a.obj)
		return rc;
	for (size_t i = 0; i < json_arr_len(&a); i++) {
		json_arr_at(&a, i, &e);
		if ((rc = load_node(x, &e, parent)))
			return rc;
	}
	return 0;
}

/* What every named object (service, group, policy, rule) starts with. */
struct obj_head {
	const char	*id, *path, *name;
};

/* Check c's keys against allowed and read id (required), path and display_name. */
static int
obj_head_read(const struct json_cur *c, const char *const *allowed, struct obj_head *h)
{
	int rc;

	h->id = h->path = h->name = NULL;
	if ((rc = check(c, allowed)) || (rc = json_get_str(c, "id", true, &h->id)) ||
	    (rc = json_get_str(c, "path", false, &h->path)))
		return rc;
	return json_get_str(c, "display_name", false, &h->name);
}

/*
 * Fill a new object's names from h: name defaults to id, path to base/coll/id;
 * src is where c stands. 0 or -ENOMEM.
 */
static int
obj_head_apply(struct jctx *x, const struct json_cur *c, const struct obj_head *h,
    const char *base, const char *coll, char **id, char **name, char **path, char **src)
{
	*id = nsx_strdup(h->id);
	*name = nsx_strdup(h->name ? h->name : h->id);
	*path = h->path ? nsx_strdup(h->path) : nsx_strdupf("%s/%s/%s", base, coll, h->id);
	*src = src_of(x, c);
	return *id && *name && *path && *src ? 0 : -ENOMEM;
}

static int
load_service(struct jctx *x, const struct json_cur *c)
{
	static const char *const f[] = { COMMON_FIELDS, "service_entries", "is_default",
		"service_type", NULL };
	struct nsx_service *s;
	struct obj_head h;
	struct json_cur a;
	int rc;

	if ((rc = obj_head_read(c, f, &h)))
		return rc;
	s = nsx_service_add(x->m);
	if (!s)
		return -ENOMEM;
	if ((rc = obj_head_apply(x, c, &h, x->infra, "services", &s->id, &s->name, &s->path,
	    &s->src)))
		return rc;
	if ((rc = json_get_arr(c, "service_entries", false, &a)))
		return rc;
	if (a.obj && (rc = load_entries(x, &a, &s->e, &s->ne)))
		return rc;
	return load_children(x, c, s);
}

static int
load_expr(struct jctx *x, const struct json_cur *c, struct nsx_expr *e, bool in_nested);

static int
load_expr_list(struct jctx *x, const struct json_cur *arr, struct nsx_expr **v,
    size_t *n, bool in_nested)
{
	size_t len = json_arr_len(arr);
	int conj = 0, rc;

	for (size_t i = 0; i < len; i++) {
		struct json_cur e;
		const char *rt = NULL;

		json_arr_at(arr, i, &e);
		if ((rc = json_get_str(&e, "resource_type", true, &rt)))
			return rc;
		if (!strcmp(rt, "ConjunctionOperator")) {
			static const char *const f[] = { COMMON_FIELDS, "conjunction_operator", NULL };
			const char *op = NULL;

			if ((rc = check(&e, f)) ||
			    (rc = json_get_str(&e, "conjunction_operator", true, &op)))
				return rc;
			if (!(i & 1))
				return json_cur_fail(&e, -EINVAL,
				    "conjunction at an even position (expression list grammar)");
			if (!strcasecmp(op, "AND"))
				conj = 1;
			else if (!strcasecmp(op, "OR"))
				conj = 0;
			else
				return json_cur_fail(&e, -EINVAL, "unknown conjunction '%.10s'", op);
			continue;
		}
		if (i & 1)
			return json_cur_fail(&e, -EINVAL,
			    "expected a ConjunctionOperator at an odd position");
		struct nsx_expr *nv = realloc(*v, (*n + 1) * sizeof(**v));

		if (!nv)
			return -ENOMEM;
		*v = nv;
		memset(&nv[*n], 0, sizeof(nv[0]));
		nv[*n].conj = *n ? conj : 0;
		(*n)++;
		if ((rc = load_expr(x, &e, &nv[*n - 1], in_nested)))
			return rc;
	}
	if (len && !(len & 1)) {
		struct json_cur last;

		json_arr_at(arr, len - 1, &last);
		return json_cur_fail(&last, -EINVAL, "expression list must have odd length");
	}
	return 0;
}

static int
load_ip_list(const struct json_cur *c, const char *key, struct nsx_ipset *ips)
{
	struct json_cur a, e;
	const char *s;
	int rc;

	if ((rc = json_get_arr(c, key, true, &a)))
		return rc;
	for (size_t i = 0; i < json_arr_len(&a); i++) {
		json_arr_at(&a, i, &e);
		if ((rc = json_cur_str(&e, &s)))
			return rc;
		rc = nsx_ipset_add_text(ips, s);
		if (rc == -ENOMEM)
			return rc;
		if (rc)
			return json_cur_fail(&e, -EINVAL, "bad IP address, CIDR or range '%.60s'", s);
	}
	return 0;
}

static int
load_str_list(const struct json_cur *c, const char *key, char ***v, size_t *n)
{
	struct json_cur a, e;
	const char *s;
	int rc;

	if ((rc = json_get_arr(c, key, true, &a)))
		return rc;
	for (size_t i = 0; i < json_arr_len(&a); i++) {
		json_arr_at(&a, i, &e);
		if ((rc = json_cur_str(&e, &s)) || (rc = nsx_strv_push(v, n, s)))
			return rc;
	}
	return 0;
}

static int
load_expr(struct jctx *x, const struct json_cur *c, struct nsx_expr *e, bool in_nested)
{
	const char *rt = NULL;
	int rc;

	if ((rc = json_get_str(c, "resource_type", true, &rt)))
		return rc;
	if (in_nested && strcmp(rt, "Condition"))
		return json_cur_fail(c, -EINVAL, "only Condition is allowed in a NestedExpression");
	if (!strcmp(rt, "Condition")) {
		static const char *const f[] = { COMMON_FIELDS, "member_type", "key", "operator",
			"value", "scope_operator", NULL };
		const char *mt = NULL, *key = NULL, *op = NULL, *val = NULL, *sop = NULL;

		if ((rc = check(c, f)) || (rc = json_get_str(c, "member_type", true, &mt)) ||
		    (rc = json_get_str(c, "key", true, &key)) ||
		    (rc = json_get_str(c, "operator", false, &op)) ||
		    (rc = json_get_str(c, "value", true, &val)) ||
		    (rc = json_get_str(c, "scope_operator", false, &sop)))
			return rc;
		e->kind = NSX_EXPR_COND;
		e->member_type = nsx_strdup(mt);
		e->key = nsx_strdup(key);
		e->op = nsx_strdup(op ? op : "EQUALS");
		e->value = nsx_strdup(val);
		e->scope_op = nsx_strdup(sop ? sop : "EQUALS");
		return e->member_type && e->key && e->op && e->value && e->scope_op ? 0 : -ENOMEM;
	}
	if (!strcmp(rt, "NestedExpression")) {
		static const char *const f[] = { COMMON_FIELDS, "expressions", NULL };
		struct json_cur a;

		if ((rc = check(c, f)) || (rc = json_get_arr(c, "expressions", true, &a)))
			return rc;
		e->kind = NSX_EXPR_NESTED;
		return load_expr_list(x, &a, &e->sub, &e->nsub, true);
	}
	if (!strcmp(rt, "IPAddressExpression")) {
		static const char *const f[] = { COMMON_FIELDS, "ip_addresses", NULL };

		e->kind = NSX_EXPR_IPS;
		if ((rc = check(c, f)))
			return rc;
		return load_ip_list(c, "ip_addresses", &e->ips);
	}
	if (!strcmp(rt, "PathExpression")) {
		static const char *const f[] = { COMMON_FIELDS, "paths", NULL };

		e->kind = NSX_EXPR_PATHS;
		if ((rc = check(c, f)))
			return rc;
		return load_str_list(c, "paths", &e->refs, &e->nrefs);
	}
	if (!strcmp(rt, "ExternalIDExpression")) {
		static const char *const f[] = { COMMON_FIELDS, "member_type", "external_ids", NULL };

		e->kind = NSX_EXPR_EXTERNAL_ID;
		if ((rc = check(c, f)))
			return rc;
		return load_str_list(c, "external_ids", &e->refs, &e->nrefs);
	}
	if (!strcmp(rt, "MACAddressExpression") || !strcmp(rt, "IdentityGroupExpression")) {
		e->kind = NSX_EXPR_UNRESOLVABLE;
		e->what = nsx_strdupf("%s has no IP meaning", rt);
		return e->what ? 0 : -ENOMEM;
	}
	{
		struct json_cur f;

		json_cur_member(c, "resource_type", &f);
		return json_cur_fail(&f, -EINVAL, "unknown expression type '%.40s'", rt);
	}
}

static int
load_group(struct jctx *x, const struct json_cur *c)
{
	static const char *const f[] = { COMMON_FIELDS, "expression", "extended_expression",
		"group_type", "reference", "state", "member_group", NULL };
	struct nsx_group *g;
	struct obj_head h;
	struct json_cur a;
	int rc;

	if ((rc = obj_head_read(c, f, &h)))
		return rc;
	g = nsx_group_add(x->m);
	if (!g)
		return -ENOMEM;
	if ((rc = obj_head_apply(x, c, &h, x->domain, "groups", &g->id, &g->name, &g->path,
	    &g->src)))
		return rc;
	if ((rc = json_get_arr(c, "expression", false, &a)))
		return rc;
	if (a.obj && (rc = load_expr_list(x, &a, &g->expr, &g->nexpr, false)))
		return rc;
	if ((rc = json_get_arr(c, "extended_expression", false, &a)))
		return rc;
	if (json_arr_len(&a)) {
		/* Identity (AD user) groups are AND-ed with the expression: no IP meaning. */
		struct nsx_expr *nv = realloc(g->expr, (g->nexpr + 1) * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		g->expr = nv;
		memset(&nv[g->nexpr], 0, sizeof(nv[0]));
		nv[g->nexpr].kind = NSX_EXPR_UNRESOLVABLE;
		nv[g->nexpr].conj = 1;
		nv[g->nexpr].what = nsx_strdup("identity (IDFW) membership has no IP meaning");
		g->nexpr++;
	}
	return 0;
}

static int
load_rule(struct jctx *x, const struct json_cur *c, struct nsx_policy *pol)
{
	static const char *const f[] = { COMMON_FIELDS, "action", "direction", "ip_protocol",
		"sequence_number", "source_groups", "destination_groups", "sources_excluded",
		"destinations_excluded", "services", "service_entries", "profiles", "scope",
		"disabled", "logged", "tag", "notes", "rule_id", "is_default", NULL };
	static const struct kw actions[] = { { "ALLOW", NSX_ACT_ALLOW },
		{ "DROP", NSX_ACT_DROP }, { "REJECT", NSX_ACT_REJECT },
		{ "JUMP_TO_APPLICATION", NSX_ACT_JUMP }, { NULL, 0 } };
	static const struct kw dirs[] = { { "IN", NSX_DIR_IN }, { "OUT", NSX_DIR_OUT },
		{ "IN_OUT", NSX_DIR_INOUT }, { NULL, 0 } };
	static const struct kw families[] = { { "IPV4", AF_INET }, { "IPV6", AF_INET6 },
		{ "IPV4_IPV6", AF_UNSPEC }, { NULL, 0 } };
	struct obj_head h;
	struct nsx_rule *r;
	struct json_cur a, fc;
	int64_t v;
	int act = 0, rc;

	if ((rc = obj_head_read(c, f, &h)))
		return rc;
	r = nsx_rule_add(x->m, pol);
	if (!r)
		return -ENOMEM;
	if ((rc = obj_head_apply(x, c, &h, pol->path, "rules", &r->id, &r->name, &r->path,
	    &r->src)))
		return rc;
	if ((rc = get_kw(c, "action", true, actions, "action", 30, &act)))
		return rc;
	r->action = (enum nsx_action)act;
	if ((rc = get_kw(c, "direction", false, dirs, "direction", 20, &r->dir)) ||
	    (rc = get_kw(c, "ip_protocol", false, families, "ip_protocol", 20, &r->family)))
		return rc;
	if (json_cur_member(c, "sequence_number", &fc)) {
		if ((rc = json_cur_int(&fc, INT32_MIN, INT32_MAX, &v)))
			return rc;
		r->seq = v;
		r->has_seq = true;
	}
	if (json_cur_member(c, "rule_id", &fc)) {
		if ((rc = json_cur_int(&fc, 0, INT64_MAX, &v)))
			return rc;
		r->rule_id = v;
	}
	if ((rc = json_get_bool(c, "disabled", false, &r->disabled)) ||
	    (rc = json_get_bool(c, "logged", false, &r->logged)) ||
	    (rc = json_get_bool(c, "sources_excluded", false, &r->srcs.excluded)) ||
	    (rc = json_get_bool(c, "destinations_excluded", false, &r->dsts.excluded)) ||
	    (rc = get_refs(c, "source_groups", &r->srcs)) ||
	    (rc = get_refs(c, "destination_groups", &r->dsts)) ||
	    (rc = get_refs(c, "services", &r->svcs)) ||
	    (rc = get_refs(c, "profiles", &r->profiles)) ||
	    (rc = get_refs(c, "scope", &r->scope)))
		return rc;
	if ((rc = json_get_arr(c, "service_entries", false, &a)))
		return rc;
	if (a.obj && (rc = load_entries(x, &a, &r->entries, &r->nentries)))
		return rc;
	/* Inline entries combine (OR) with services; with only entries, svcs is not ANY. */
	if (r->nentries && r->svcs.any && !json_cur_member(c, "services", &fc))
		r->svcs.any = false;
	if (r->nentries && r->svcs.any && json_cur_member(c, "services", &fc) &&
	    json_arr_len(&fc) == 0)
		r->svcs.any = false;
	return load_children(x, c, r);
}

static int
load_policy(struct jctx *x, const struct json_cur *c)
{
	static const char *const f[] = { COMMON_FIELDS, "category", "sequence_number",
		"internal_sequence_number", "rules", "scope", "stateful", "tcp_strict",
		"locked", "lock_modified_by", "lock_modified_time", "comments", "is_default",
		"scheduler_path", "connectivity_strategy", "connectivity_preference",
		"default_rule_id", "logging_enabled", "rule_count",
		"application_connectivity_strategy", NULL };
	const char *cat = NULL, *s = NULL;
	struct obj_head h;
	struct nsx_policy *p;
	struct nsx_refs scope = { .any = true };
	struct json_cur a, fc, e;
	int64_t v;
	int rc;

	if ((rc = obj_head_read(c, f, &h)) || (rc = json_get_str(c, "category", false, &cat)))
		return rc;
	p = nsx_policy_add(x->m);
	if (!p)
		return -ENOMEM;
	if ((rc = obj_head_apply(x, c, &h, x->domain, "security-policies", &p->id, &p->name,
	    &p->path, &p->src)))
		return rc;
	p->category = nsx_category_parse(cat);
	if (p->category < 0) {
		json_cur_member(c, "category", &fc);
		return json_cur_fail(&fc, -EINVAL, "unknown DFW category '%.30s'", cat);
	}
	if (json_cur_member(c, "sequence_number", &fc)) {
		if ((rc = json_cur_int(&fc, INT32_MIN, INT32_MAX, &v)))
			return rc;
		p->seq = v;
		p->has_seq = true;
	}
	if ((rc = json_get_bool(c, "stateful", false, &p->stateful)) ||
	    (rc = json_get_bool(c, "tcp_strict", false, &p->tcp_strict)) ||
	    (rc = json_get_str(c, "scheduler_path", false, &s)))
		return rc;
	if (s && *s && !(p->scheduler = nsx_strdup(s)))
		return -ENOMEM;
	if ((rc = get_refs(c, "scope", &scope)))
		return rc;
	p->scope = scope.v;
	p->nscope = scope.n;
	if ((rc = json_get_arr(c, "rules", false, &a)))
		return rc;
	for (size_t i = 0; a.obj && i < json_arr_len(&a); i++) {
		json_arr_at(&a, i, &e);
		if (!json_cur_is_object(&e))
			return json_cur_fail(&e, -EINVAL, "expected an object");
		if (!deleted(&e) && (rc = load_rule(x, &e, p)))
			return rc;
	}
	if ((rc = load_children(x, c, p)))
		return rc;
	/* connectivity_preference/strategy: NSX's implicit per-policy default rule. */
	s = NULL;
	if ((rc = json_get_str(c, "connectivity_preference", false, &s)))
		return rc;
	if (!s && (rc = json_get_str(c, "connectivity_strategy", false, &s)))
		return rc;
	if (s && (!strncasecmp(s, "ALLOWLIST", 9) || !strncasecmp(s, "WHITELIST", 9) ||
	    !strncasecmp(s, "DENYLIST", 8) || !strncasecmp(s, "BLACKLIST", 9))) {
		struct nsx_rule *r = nsx_rule_add(x->m, p);
		bool drop = !strncasecmp(s, "ALLOWLIST", 9) || !strncasecmp(s, "WHITELIST", 9);

		if (!r)
			return -ENOMEM;
		r->id = nsx_strdupf("%s-default-rule", p->id);
		r->name = nsx_strdup(r->id);
		r->path = nsx_strdupf("%s/rules/%s", p->path, r->id);
		r->src = src_of(x, c);
		r->action = drop ? NSX_ACT_DROP : NSX_ACT_ALLOW;
		r->seq = INT32_MAX;
		r->has_seq = true;
		if (!r->id || !r->name || !r->path || !r->src)
			return -ENOMEM;
	}
	return 0;
}

static int
load_profile(struct jctx *x, const struct json_cur *c)
{
	static const char *const f[] = { COMMON_FIELDS, "attributes", NULL };
	const char *id = NULL, *path = NULL;
	char *p;
	struct json_cur a, e;
	bool fqdn = false;
	int rc;

	if ((rc = check(c, f)) || (rc = json_get_str(c, "id", true, &id)) ||
	    (rc = json_get_str(c, "path", false, &path)) ||
	    (rc = json_get_arr(c, "attributes", false, &a)))
		return rc;
	for (size_t i = 0; i < json_arr_len(&a); i++) {
		const char *k = NULL;

		json_arr_at(&a, i, &e);
		if ((rc = json_get_str(&e, "key", false, &k)))
			return rc;
		if (k && (!strcmp(k, "DOMAIN_NAME") || !strcmp(k, "URL_CATEGORY")))
			fqdn = true;
	}
	p = path ? nsx_strdup(path) : nsx_strdupf("%s/context-profiles/%s", x->infra, id);
	if (!p)
		return -ENOMEM;
	rc = nsx_profile_add(x->m, p, fqdn);
	free(p);
	return rc;
}

static int
load_domain(struct jctx *x, const struct json_cur *c)
{
	static const char *const f[] = { COMMON_FIELDS, NULL };
	char save[sizeof(x->domain)];
	const char *id = NULL, *path = NULL;
	int rc;

	if ((rc = check(c, f)) || (rc = json_get_str(c, "id", true, &id)) ||
	    (rc = json_get_str(c, "path", false, &path)))
		return rc;
	memcpy(save, x->domain, sizeof(save));
	if (path)
		snprintf(x->domain, sizeof(x->domain), "%s", path);
	else
		snprintf(x->domain, sizeof(x->domain), "%s/domains/%.200s", x->infra, id);
	rc = load_children(x, c, NULL);
	memcpy(x->domain, save, sizeof(save));
	return rc;
}

/* Derive "/infra/domains/<d>" from an object path like ".../groups/x". */
static void
domain_from_path(struct jctx *x, const char *path, const char *marker)
{
	const char *p = path ? strstr(path, marker) : NULL;

	if (p)
		snprintf(x->domain, sizeof(x->domain), "%.*s", (int)(p - path), path);
}

static int
load_node(struct jctx *x, const struct json_cur *c, void *parent)
{
	const char *rt = NULL, *path = NULL;
	struct jctx sub;
	int rc;

	if (!json_cur_is_object(c))
		return json_cur_fail(c, -EINVAL, "expected an object");
	if (++x->depth > NSX_MAX_DEPTH) {
		x->depth--;
		return json_cur_fail(c, -EINVAL, "objects nested too deeply");
	}
	if ((rc = json_get_str(c, "resource_type", true, &rt)))
		goto out;
	if (deleted(c))
		goto out;
	(void)json_get_str(c, "path", false, &path);
	if (!strncmp(rt, "Child", 5) && strcmp(rt, "ChildResourceReference")) {
		struct json_cur inner;
		const char *type = rt + 5;

		/* Skip wrappers for objects outside the DFW without looking inside. */
		if (strcmp(type, "Domain") && strcmp(type, "Group") &&
		    strcmp(type, "SecurityPolicy") && strcmp(type, "Rule") &&
		    strcmp(type, "Service") && strcmp(type, "ServiceEntry") &&
		    strcmp(type, "PolicyContextProfile"))
			goto out;
		{
			const char *allowed[] = { "resource_type", "marked_for_delete",
				"mark_for_override", "id", "target_type", type, NULL };

			if ((rc = check(c, allowed)))
				goto out;
		}
		if ((rc = json_get_obj(c, type, true, &inner)))
			goto out;
		rc = load_node(x, &inner, parent);
		goto out;
	}
	if (!strcmp(rt, "ChildResourceReference")) {
		static const char *const f[] = { "resource_type", "id", "target_type",
			"children", "marked_for_delete", "mark_for_override", NULL };
		const char *tt = NULL, *id = NULL;
		char save[sizeof(x->domain)];

		if ((rc = check(c, f)) || (rc = json_get_str(c, "target_type", false, &tt)) ||
		    (rc = json_get_str(c, "id", false, &id)))
			goto out;
		memcpy(save, x->domain, sizeof(save));
		if (tt && !strcmp(tt, "Domain") && id)
			snprintf(x->domain, sizeof(x->domain), "%s/domains/%.200s", x->infra, id);
		rc = load_children(x, c, parent);
		memcpy(x->domain, save, sizeof(save));
		goto out;
	}
	if (!strcmp(rt, "Infra")) {
		static const char *const f[] = { COMMON_FIELDS, "connectivity_strategy", NULL };

		if ((rc = check(c, f)))
			goto out;
		rc = load_children(x, c, NULL);
	} else if (!strcmp(rt, "Domain")) {
		rc = load_domain(x, c);
	} else if (!strcmp(rt, "Group")) {
		sub = *x;
		domain_from_path(&sub, path, "/groups/");
		rc = load_group(&sub, c);
	} else if (!strcmp(rt, "SecurityPolicy")) {
		sub = *x;
		domain_from_path(&sub, path, "/security-policies/");
		rc = load_policy(&sub, c);
	} else if (!strcmp(rt, "Rule")) {
		struct nsx_policy *pol = parent;

		if (!pol) {
			/* Standalone rule GET: find or create its policy from parent_path. */
			const char *pp = NULL;

			if ((rc = json_get_str(c, "parent_path", true, &pp)))
				goto out;
			for (size_t i = 0; i < x->m->npolicies && !pol; i++)
				if (x->m->policies[i]->path && !strcmp(x->m->policies[i]->path, pp))
					pol = x->m->policies[i];
			if (!pol) {
				const char *slash = strrchr(pp, '/');

				pol = nsx_policy_add(x->m);
				if (!pol)
					return -ENOMEM;
				pol->id = nsx_strdup(slash ? slash + 1 : pp);
				pol->name = nsx_strdup(pol->id);
				pol->path = nsx_strdup(pp);
				pol->src = src_of(x, c);
				pol->category = NSX_CAT_APPLICATION;
				if (!pol->id || !pol->name || !pol->path || !pol->src)
					return -ENOMEM;
			}
		}
		rc = load_rule(x, c, pol);
	} else if (!strcmp(rt, "Service")) {
		rc = load_service(x, c);
	} else if (!strcmp(rt, "PolicyContextProfile")) {
		rc = load_profile(x, c);
	} else if (strstr(rt, "ServiceEntry")) {
		struct nsx_service *svc = parent;
		struct nsx_entry ent;

		if (!svc) {
			const char *pp = NULL;

			if ((rc = json_get_str(c, "parent_path", true, &pp)))
				goto out;
			svc = nsx_service_find(x->m, pp);
			if (!svc) {
				for (size_t i = 0; i < x->m->nservices && !svc; i++)
					if (!strcmp(x->m->services[i]->path, pp))
						svc = x->m->services[i];
			}
			if (!svc) {
				struct json_cur pc;

				json_cur_member(c, "parent_path", &pc);
				rc = json_cur_fail(&pc, -EINVAL,
				    "service entry of unknown service '%.200s' (load the service first)", pp);
				goto out;
			}
		}
		rc = load_entry(x, c, &ent);
		if (!rc)
			rc = nsx_entry_push(&svc->e, &svc->ne, &ent);
		if (rc)
			nsx_entry_free(&ent);
	} else {
		/* Tier0, Segment, LocaleServices, ...: not part of the DFW. */
		rc = 0;
	}
out:
	x->depth--;
	return rc;
}

int
nsx_load_json_buf(struct nsx_model *m, const char *name, const char *buf, size_t len,
    struct diag *d)
{
	struct json_object *root = NULL;
	struct json_cur c, a, e;
	struct jctx x;
	int rc;

	memset(&x, 0, sizeof(x));
	x.m = m;
	x.file = name;
	snprintf(x.infra, sizeof(x.infra), "/infra");
	snprintf(x.domain, sizeof(x.domain), "/infra/domains/default");
	if ((rc = json_doc_parse(buf, len, &root, d)))
		return rc;
	json_cur_root(&c, root, d);
	if (json_cur_is_array(&c)) {
		for (size_t i = 0; !rc && i < json_arr_len(&c); i++) {
			json_arr_at(&c, i, &e);
			rc = load_node(&x, &e, NULL);
		}
	} else if (json_cur_is_object(&c) && json_cur_member(&c, "results", &a)) {
		static const char *const f[] = { "results", "result_count", "cursor", "sort_by",
			"sort_ascending", NULL };

		rc = check(&c, f);
		if (!rc && !json_cur_is_array(&a))
			rc = json_cur_fail(&a, -EINVAL, "expected an array");
		for (size_t i = 0; !rc && i < json_arr_len(&a); i++) {
			json_arr_at(&a, i, &e);
			rc = load_node(&x, &e, NULL);
		}
	} else {
		rc = load_node(&x, &c, NULL);
	}
	json_object_put(root);
	if (!rc)
		rc = nsx_model_index(m);
	return rc;
}
