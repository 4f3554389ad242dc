// SPDX-License-Identifier: MIT
/*
 * Model storage: object allocation, the path index, issues (gaps and notes),
 * category/action names and the built-in table of NSX predefined services.
 * Resolution (references, groups, ordering) lives in resolve.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nsx-import/model.h"

/* ---- tiny string hash index ---------------------------------------------- */
struct idx_ent {
	char	*key;
	void	*val;
};

struct nsx_index {
	struct idx_ent	*e;
	size_t		 cap, n;
	size_t		 ngroups, nservices;	/* objects indexed so far */
};

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static int
idx_put(struct nsx_model *m, const char *key, void *val)
{
	struct nsx_index *ix = m->index;
	size_t i;

	if (!ix) {
		ix = calloc(1, sizeof(*ix));
		if (!ix)
			return -ENOMEM;
		m->index = ix;
	}
	if ((ix->n + 1) * 2 > ix->cap) {
		size_t nc = ix->cap ? ix->cap * 2 : 64;
		struct idx_ent *ne = calloc(nc, sizeof(*ne));

		if (!ne)
			return -ENOMEM;
		for (size_t k = 0; k < ix->cap; k++) {
			if (!ix->e[k].key)
				continue;
			i = hash_str(ix->e[k].key) & (nc - 1);
			while (ne[i].key)
				i = (i + 1) & (nc - 1);
			ne[i] = ix->e[k];
		}
		free(ix->e);
		ix->e = ne;
		ix->cap = nc;
	}
	i = hash_str(key) & (ix->cap - 1);
	while (ix->e[i].key) {
		if (!strcmp(ix->e[i].key, key)) {
			ix->e[i].val = val;	/* later definition wins (merged exports) */
			return 0;
		}
		i = (i + 1) & (ix->cap - 1);
	}
	ix->e[i].key = nsx_strdup(key);
	if (!ix->e[i].key)
		return -ENOMEM;
	ix->e[i].val = val;
	ix->n++;
	return 0;
}

static void *
idx_get(const struct nsx_model *m, const char *key)
{
	const struct nsx_index *ix = m->index;
	size_t i;

	if (!ix || !ix->cap)
		return NULL;
	i = hash_str(key) & (ix->cap - 1);
	while (ix->e[i].key) {
		if (!strcmp(ix->e[i].key, key))
			return ix->e[i].val;
		i = (i + 1) & (ix->cap - 1);
	}
	return NULL;
}

static void
idx_free(struct nsx_model *m)
{
	struct nsx_index *ix = m->index;

	if (!ix)
		return;
	for (size_t i = 0; i < ix->cap; i++)
		free(ix->e[i].key);
	free(ix->e);
	free(ix);
	m->index = NULL;
}

int
nsx_model_index(struct nsx_model *m)
{
	struct nsx_index *ix;
	char key[1200];

	/* Incremental: objects are only ever added, a later definition wins. */
	if (!m->index && !(m->index = calloc(1, sizeof(struct nsx_index))))
		return -ENOMEM;
	ix = m->index;
	for (size_t i = ix->ngroups; i < m->ngroups; i++) {
		struct nsx_group *g = m->groups[i];

		snprintf(key, sizeof(key), "g:%s", g->path ? g->path : g->id);
		if (idx_put(m, key, g))
			return -ENOMEM;
		if (g->id) {
			snprintf(key, sizeof(key), "gid:%s", g->id);
			if (idx_put(m, key, g))
				return -ENOMEM;
		}
	}
	ix->ngroups = m->ngroups;
	for (size_t i = ix->nservices; i < m->nservices; i++) {
		struct nsx_service *s = m->services[i];

		snprintf(key, sizeof(key), "s:%s", s->path ? s->path : s->id);
		if (idx_put(m, key, s))
			return -ENOMEM;
		if (s->id) {
			snprintf(key, sizeof(key), "sid:%s", s->id);
			if (idx_put(m, key, s))
				return -ENOMEM;
		}
	}
	ix->nservices = m->nservices;
	return 0;
}

struct nsx_group *
nsx_group_find(struct nsx_model *m, const char *path)
{
	char key[1200];
	struct nsx_group *g;

	snprintf(key, sizeof(key), "g:%s", path);
	g = idx_get(m, key);
	if (!g && !strchr(path, '/')) {
		snprintf(key, sizeof(key), "gid:%s", path);
		g = idx_get(m, key);
	}
	return g;
}

struct nsx_service *
nsx_service_find(struct nsx_model *m, const char *path)
{
	char key[1200];
	struct nsx_service *s;

	snprintf(key, sizeof(key), "s:%s", path);
	s = idx_get(m, key);
	if (!s && !strchr(path, '/')) {
		snprintf(key, sizeof(key), "sid:%s", path);
		s = idx_get(m, key);
	}
	return s;
}

/* ---- allocation ------------------------------------------------------------ */
char *
nsx_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

char *
nsx_strdupf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

static int
vec_push(void ***v, size_t *n, size_t *cap, void *p)
{
	if (!p)
		return -ENOMEM;
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		void **nv = realloc(*v, nc * sizeof(**v));

		if (!nv)
			return -ENOMEM;
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = p;
	return 0;
}

struct nsx_model *
nsx_model_new(void)
{
	return calloc(1, sizeof(struct nsx_model));
}

struct nsx_group *
nsx_group_add(struct nsx_model *m)
{
	struct nsx_group *g = calloc(1, sizeof(*g));

	if (vec_push((void ***)&m->groups, &m->ngroups, &m->cgroups, g)) {
		free(g);
		return NULL;
	}
	return g;
}

struct nsx_service *
nsx_service_add(struct nsx_model *m)
{
	struct nsx_service *s = calloc(1, sizeof(*s));

	if (vec_push((void ***)&m->services, &m->nservices, &m->cservices, s)) {
		free(s);
		return NULL;
	}
	return s;
}

struct nsx_policy *
nsx_policy_add(struct nsx_model *m)
{
	struct nsx_policy *p = calloc(1, sizeof(*p));

	if (p) {
		p->stateful = true;
		p->category = NSX_CAT_NONE;
		p->doc_order = m->doc_counter++;
	}
	if (vec_push((void ***)&m->policies, &m->npolicies, &m->cpolicies, p)) {
		free(p);
		return NULL;
	}
	return p;
}

struct nsx_rule *
nsx_rule_add(struct nsx_model *m, struct nsx_policy *pol)
{
	struct nsx_rule *r = calloc(1, sizeof(*r));

	if (r) {
		r->pol = pol;
		r->rule_id = -1;
		r->dir = NSX_DIR_INOUT;
		r->family = AF_UNSPEC;
		r->doc_order = m->doc_counter++;
		r->srcs.any = r->dsts.any = r->scope.any = r->svcs.any = r->profiles.any = true;
	}
	if (vec_push((void ***)&m->rules, &m->nrules, &m->crules, r)) {
		free(r);
		return NULL;
	}
	return r;
}

struct nsx_workload *
nsx_workload_add(struct nsx_model *m)
{
	if (m->nwl == m->cwl) {
		size_t nc = m->cwl ? m->cwl * 2 : 16;
		struct nsx_workload *nw = realloc(m->wl, nc * sizeof(*nw));

		if (!nw)
			return NULL;
		m->wl = nw;
		m->cwl = nc;
	}
	memset(&m->wl[m->nwl], 0, sizeof(m->wl[0]));
	return &m->wl[m->nwl++];
}

int
nsx_profile_add(struct nsx_model *m, const char *path, bool fqdn)
{
	if (m->nprofiles == m->cprofiles) {
		size_t nc = m->cprofiles ? m->cprofiles * 2 : 8;
		struct nsx_profile *np = realloc(m->profiles, nc * sizeof(*np));

		if (!np)
			return -ENOMEM;
		m->profiles = np;
		m->cprofiles = nc;
	}
	m->profiles[m->nprofiles].path = nsx_strdup(path);
	m->profiles[m->nprofiles].fqdn = fqdn;
	if (!m->profiles[m->nprofiles].path)
		return -ENOMEM;
	m->nprofiles++;
	return 0;
}

int
nsx_strv_push(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[*n] = nsx_strdup(s);
	if (!nv[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

int
nsx_entry_push(struct nsx_entry **v, size_t *n, const struct nsx_entry *e)
{
	struct nsx_entry *nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[(*n)++] = *e;
	return 0;
}

int
nsx_refs_push(struct nsx_refs *r, const char *s)
{
	if (!strcasecmp(s, "ANY")) {
		r->any = true;
		return 0;
	}
	r->any = false;
	return nsx_strv_push(&r->v, &r->n, s);
}

static void
strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
nsx_expr_free(struct nsx_expr *e)
{
	nsx_ipset_free(&e->ips);
	strv_free(e->refs, e->nrefs);
	free(e->member_type);
	free(e->key);
	free(e->op);
	free(e->value);
	free(e->scope_op);
	free(e->what);
	for (size_t i = 0; i < e->nsub; i++)
		nsx_expr_free(&e->sub[i]);
	free(e->sub);
}

void
nsx_entry_free(struct nsx_entry *e)
{
	nsx_svcset_free(&e->dports);
	nsx_svcset_free(&e->sports);
	free(e->nested);
	free(e->alg);
}

static void
refs_free(struct nsx_refs *r)
{
	strv_free(r->v, r->n);
}

void
nsx_model_free(struct nsx_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->ngroups; i++) {
		struct nsx_group *g = m->groups[i];

		free(g->id);
		free(g->path);
		free(g->name);
		free(g->src);
		for (size_t k = 0; k < g->nexpr; k++)
			nsx_expr_free(&g->expr[k]);
		free(g->expr);
		for (size_t k = 0; k < g->nexcl; k++)
			nsx_expr_free(&g->excl[k]);
		free(g->excl);
		nsx_ipset_free(&g->ips);
		free(g->unresolved_why);
		free(g);
	}
	free(m->groups);
	for (size_t i = 0; i < m->nservices; i++) {
		struct nsx_service *s = m->services[i];

		free(s->id);
		free(s->path);
		free(s->name);
		free(s->src);
		for (size_t k = 0; k < s->ne; k++)
			nsx_entry_free(&s->e[k]);
		free(s->e);
		nsx_svcset_free(&s->set);
		free(s);
	}
	free(m->services);
	for (size_t i = 0; i < m->npolicies; i++) {
		struct nsx_policy *p = m->policies[i];

		free(p->id);
		free(p->path);
		free(p->name);
		free(p->src);
		free(p->scheduler);
		strv_free(p->scope, p->nscope);
		free(p);
	}
	free(m->policies);
	for (size_t i = 0; i < m->nrules; i++) {
		struct nsx_rule *r = m->rules[i];

		free(r->id);
		free(r->path);
		free(r->name);
		free(r->src);
		refs_free(&r->srcs);
		refs_free(&r->dsts);
		refs_free(&r->scope);
		refs_free(&r->svcs);
		refs_free(&r->profiles);
		for (size_t k = 0; k < r->nentries; k++)
			nsx_entry_free(&r->entries[k]);
		free(r->entries);
		nsx_ipset_free(&r->src_ips);
		nsx_ipset_free(&r->dst_ips);
		nsx_ipset_free(&r->scope_ips);
		nsx_svcset_free(&r->svc);
		nsx_svcset_free(&r->sports);
		free(r);
	}
	free(m->rules);
	for (size_t i = 0; i < m->nprofiles; i++)
		free(m->profiles[i].path);
	free(m->profiles);
	for (size_t i = 0; i < m->nwl; i++) {
		struct nsx_workload *w = &m->wl[i];

		free(w->name);
		free(w->vm_id);
		free(w->os_name);
		free(w->interface);
		nsx_ipset_free(&w->ips);
		for (size_t k = 0; k < w->ntags; k++) {
			free(w->tags[k].scope);
			free(w->tags[k].tag);
		}
		free(w->tags);
		for (size_t k = 0; k < w->nlabels; k++) {
			free(w->labels[k].key);
			free(w->labels[k].value);
		}
		free(w->labels);
	}
	free(m->wl);
	for (size_t i = 0; i < m->nissues; i++) {
		free(m->issues[i].rule_id);
		free(m->issues[i].rule_path);
		free(m->issues[i].src);
		free(m->issues[i].why);
	}
	free(m->issues);
	idx_free(m);
	free(m);
}

/* ---- issues and names -------------------------------------------------------- */
static const char *const gap_names[NSX_GAP__COUNT] = {
	[NSX_GAP_REJECT_AS_DROP]	= "REJECT_AS_DROP",
	[NSX_GAP_STATELESS]		= "STATELESS_IGNORED",
	[NSX_GAP_JUMP]			= "JUMP_UNSUPPORTED",
	[NSX_GAP_L7_PROFILE]		= "L7_PROFILE_UNSUPPORTED",
	[NSX_GAP_FQDN]			= "FQDN_UNSUPPORTED",
	[NSX_GAP_TIME_WINDOW]		= "TIME_WINDOW_IGNORED",
	[NSX_GAP_L2_RULE]		= "L2_RULE_SKIPPED",
	[NSX_GAP_APPLIED_TO]		= "APPLIED_TO_UNEXPRESSIBLE",
	[NSX_GAP_GROUP_UNRESOLVED]	= "GROUP_UNRESOLVED",
	[NSX_GAP_MISSING_REFERENCE]	= "MISSING_REFERENCE",
	[NSX_GAP_SOURCE_PORT]		= "SOURCE_PORT_DROPPED",
	[NSX_GAP_PROTOCOL]		= "NON_L4_PROTOCOL",
	[NSX_GAP_ICMP_CODE]		= "ICMP_CODE_DROPPED",
	[NSX_GAP_ALG]			= "ALG_PARTIAL",
	[NSX_GAP_TCP_STRICT]		= "TCP_STRICT_IGNORED",
};

static const char *const note_names[NSX_NOTE__COUNT] = {
	[NSX_NOTE_DISABLED]		= "DISABLED_SKIPPED",
	[NSX_NOTE_SEQUENCE_TIE]		= "SEQUENCE_TIE",
	[NSX_NOTE_DEFAULT_ASSUMED]	= "DEFAULT_RULE_ASSUMED",
	[NSX_NOTE_LOGGED]		= "LOGGING_NOT_CARRIED",
	[NSX_NOTE_DEAD_RULE]		= "SHADOWED_RULE",
	[NSX_NOTE_DENY_EMITTED]		= "DENY_EMITTED",
	[NSX_NOTE_MIXED_CONJUNCTION]	= "MIXED_CONJUNCTION",
	[NSX_NOTE_L2_ALLOW]		= "L2_ALLOW_PASSES",
};

const char *
nsx_gap_name(enum nsx_gap_kind k)
{
	return (unsigned)k < NSX_GAP__COUNT ? gap_names[k] : "?";
}

const char *
nsx_note_name(enum nsx_note_kind k)
{
	return (unsigned)k < NSX_NOTE__COUNT ? note_names[k] : "?";
}

int
nsx_issue_add(struct nsx_model *m, bool gap, int kind, struct nsx_rule *r,
    const char *fmt, ...)
{
	struct nsx_issue *is;
	va_list ap;

	/* One issue of a kind per rule is enough. */
	if (r) {
		if (r->issued[gap] & (1u << kind))
			return 0;
		r->issued[gap] |= 1u << kind;
	}
	if (m->nissues == m->cissues) {
		size_t nc = m->cissues ? m->cissues * 2 : 16;
		struct nsx_issue *ni = realloc(m->issues, nc * sizeof(*ni));

		if (!ni)
			return -ENOMEM;
		m->issues = ni;
		m->cissues = nc;
	}
	is = &m->issues[m->nissues];
	memset(is, 0, sizeof(*is));
	is->gap = gap;
	is->kind = kind;
	if (r) {
		is->rule_id = nsx_strdup(r->id);
		is->rule_path = nsx_strdup(r->path);
		is->src = nsx_strdup(r->src);
	}
	va_start(ap, fmt);
	if (vasprintf(&is->why, fmt, ap) < 0)
		is->why = NULL;
	va_end(ap);
	if (!is->why) {
		free(is->rule_id);
		free(is->rule_path);
		free(is->src);
		return -ENOMEM;
	}
	m->nissues++;
	return 0;
}

static const char *const cat_names[NSX_CAT__COUNT] = {
	"Ethernet", "Emergency", "Infrastructure", "Environment", "Application", ""
};

int
nsx_category_parse(const char *s)
{
	if (!s || !*s)
		return NSX_CAT_NONE;
	for (int i = 0; i < NSX_CAT_NONE; i++)
		if (!strcasecmp(s, cat_names[i]))
			return i;
	return -1;
}

const char *
nsx_category_name(int cat)
{
	return cat >= 0 && cat < NSX_CAT__COUNT ? cat_names[cat] : "?";
}

const char *
nsx_action_name(enum nsx_action a)
{
	switch (a) {
	case NSX_ACT_ALLOW:	return "ALLOW";
	case NSX_ACT_DROP:	return "DROP";
	case NSX_ACT_REJECT:	return "REJECT";
	case NSX_ACT_JUMP:	return "JUMP_TO_APPLICATION";
	}
	return "?";
}

/* ---- predefined services --------------------------------------------------- */
/*
 * A subset of NSX's system-owned services (/infra/services/<ID>, NSX-V default
 * applications share the names). proto 0 = the entry is ICMP with all types.
 */
struct predef {
	const char	*id;
	uint8_t		 proto;
	uint16_t	 lo, hi;
};

static const struct predef predefs[] = {
	{ "HTTP",		NSX_PROTO_TCP,	80, 80 },
	{ "HTTPS",		NSX_PROTO_TCP,	443, 443 },
	{ "SSH",		NSX_PROTO_TCP,	22, 22 },
	{ "MySQL",		NSX_PROTO_TCP,	3306, 3306 },
	{ "PostgreSQL",		NSX_PROTO_TCP,	5432, 5432 },
	{ "MS-SQL-S",		NSX_PROTO_TCP,	1433, 1433 },
	{ "RDP",		NSX_PROTO_TCP,	3389, 3389 },
	{ "SMTP",		NSX_PROTO_TCP,	25, 25 },
	{ "Telnet",		NSX_PROTO_TCP,	23, 23 },
	{ "LDAP",		NSX_PROTO_TCP,	389, 389 },
	{ "LDAP-over-SSL",	NSX_PROTO_TCP,	636, 636 },
	{ "DNS",		NSX_PROTO_TCP,	53, 53 },
	{ "DNS-UDP",		NSX_PROTO_UDP,	53, 53 },
	{ "NTP",		NSX_PROTO_UDP,	123, 123 },
	{ "SNMP",		NSX_PROTO_UDP,	161, 161 },
	{ "Syslog (UDP)",	NSX_PROTO_UDP,	514, 514 },
	{ "ICMP-ALL",		NSX_PROTO_ICMP,	0, NSX_PORT_MAX },
	{ "ICMPv6-ALL",		NSX_PROTO_ICMP6, 0, NSX_PORT_MAX },
	{ "ICMP_Echo_Request",	NSX_PROTO_ICMP,	8, 8 },
	{ "ICMP Echo Request",	NSX_PROTO_ICMP,	8, 8 },
	{ "ICMP_Echo_Reply",	NSX_PROTO_ICMP,	0, 0 },
	{ "ICMP Echo Reply",	NSX_PROTO_ICMP,	0, 0 },
};

struct nsx_service *
nsx_predefined_get(struct nsx_model *m, const char *id_or_name)
{
	const char *id = strrchr(id_or_name, '/');
	struct nsx_service *s;
	char path[300];

	id = id ? id + 1 : id_or_name;
	for (size_t i = 0; i < sizeof(predefs) / sizeof(predefs[0]); i++) {
		if (strcasecmp(predefs[i].id, id))
			continue;
		snprintf(path, sizeof(path), "/infra/services/%s", predefs[i].id);
		s = nsx_service_find(m, path);
		if (s)
			return s;
		s = nsx_service_add(m);
		if (!s)
			return NULL;
		s->id = nsx_strdup(predefs[i].id);
		s->path = nsx_strdup(path);
		s->name = nsx_strdup(predefs[i].id);
		s->src = nsx_strdup("built-in predefined service");
		s->state = 2;
		if (!s->id || !s->path || !s->name ||
		    nsx_svcset_add(&s->set, predefs[i].proto, predefs[i].lo, predefs[i].hi))
			return NULL;
		if (nsx_model_index(m))
			return NULL;
		return s;
	}
	return NULL;
}
