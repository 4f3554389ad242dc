// SPDX-License-Identifier: MIT
/*
 * Prefix lists, import/export filters and the RFC 8212 default (see filter.h).
 * Evaluation is read-only; filter_apply() edits a caller-owned copy of the attributes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/filter.h"

void
filter_set_init(struct filter_set *fs)
{
	memset(fs, 0, sizeof(*fs));
}

void
filter_set_free(struct filter_set *fs)
{
	if (!fs)
		return;
	for (size_t i = 0; i < fs->nplists; i++)
		free(fs->plists[i].entries);
	for (size_t i = 0; i < fs->nfilters; i++)
		free(fs->filters[i].rules);
	free(fs->plists);
	free(fs->filters);
	filter_set_init(fs);
}

const struct filter_plist *
filter_plist_find(const struct filter_set *fs, const char *name)
{
	for (size_t i = 0; i < fs->nplists; i++)
		if (strcmp(fs->plists[i].name, name) == 0)
			return &fs->plists[i];
	return NULL;
}

const struct filter *
filter_find(const struct filter_set *fs, const char *name)
{
	for (size_t i = 0; i < fs->nfilters; i++)
		if (strcmp(fs->filters[i].name, name) == 0)
			return &fs->filters[i];
	return NULL;
}

/*
 * WARNING: rules point at prefix lists by address, so all prefix lists must be added
 * before the first rule refers to one (filter_conf.c parses them first). Growing the
 * array afterwards would leave dangling pointers: filter_plist_add() refuses then.
 */
struct filter_plist *
filter_plist_add(struct filter_set *fs, const char *name)
{
	struct filter_plist *np;

	if (strlen(name) >= FILTER_NAME_MAX) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	if (filter_plist_find(fs, name)) {
		errno = EEXIST;
		return NULL;
	}
	for (size_t i = 0; i < fs->nfilters; i++) {
		for (size_t j = 0; j < fs->filters[i].n; j++) {
			if (fs->filters[i].rules[j].plist) {
				errno = EBUSY;
				return NULL;
			}
		}
	}
	np = realloc(fs->plists, (fs->nplists + 1) * sizeof(*np));
	if (!np)
		return NULL;
	fs->plists = np;
	np = &fs->plists[fs->nplists++];
	memset(np, 0, sizeof(*np));
	strcpy(np->name, name);
	return np;
}

struct filter *
filter_add(struct filter_set *fs, const char *name)
{
	struct filter *nf;

	if (strlen(name) >= FILTER_NAME_MAX) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	if (filter_find(fs, name)) {
		errno = EEXIST;
		return NULL;
	}
	nf = realloc(fs->filters, (fs->nfilters + 1) * sizeof(*nf));
	if (!nf)
		return NULL;
	fs->filters = nf;
	nf = &fs->filters[fs->nfilters++];
	memset(nf, 0, sizeof(*nf));
	strcpy(nf->name, name);
	return nf;
}

int
filter_plist_append(struct filter_plist *pl, const struct prefix *p, int ge, int le,
    bool permit)
{
	unsigned max = addr_bits(&p->addr);
	struct filter_plist_entry *ne, e;

	memset(&e, 0, sizeof(e));
	e.prefix = *p;
	prefix_normalize(&e.prefix);
	/* Usual prefix-list semantics: no ge/le = exact length; ge alone = ge..max;
	 * le alone = len..le. */
	if (ge < 0 && le < 0) {
		e.ge = e.le = p->len;
	} else {
		e.ge = (uint8_t)(ge < 0 ? p->len : ge);
		e.le = (uint8_t)(le < 0 ? (int)max : le);
	}
	if ((ge >= 0 && ((unsigned)ge < p->len || (unsigned)ge > max)) ||
	    (le >= 0 && ((unsigned)le < p->len || (unsigned)le > max)) || e.ge > e.le)
		return -EINVAL;
	e.permit = permit;
	ne = realloc(pl->entries, (pl->n + 1) * sizeof(*ne));
	if (!ne)
		return -ENOMEM;
	pl->entries = ne;
	pl->entries[pl->n++] = e;
	return 0;
}

int
filter_rule_append(struct filter *f, const struct filter_rule *rule)
{
	struct filter_rule *nr = realloc(f->rules, (f->n + 1) * sizeof(*nr));

	if (!nr)
		return -ENOMEM;
	f->rules = nr;
	f->rules[f->n++] = *rule;
	return 0;
}

bool
filter_plist_match(const struct filter_plist *pl, const struct prefix *p)
{
	for (size_t i = 0; i < pl->n; i++) {
		const struct filter_plist_entry *e = &pl->entries[i];

		if (e->prefix.addr.family != p->addr.family)
			continue;
		if (!prefix_contains(&e->prefix, p) || p->len < e->ge || p->len > e->le)
			continue;
		return e->permit;
	}
	return false;
}

void
filter_attrs_del_comm(struct bgp_attrs *a, uint32_t c)
{
	size_t w = 0;

	for (size_t i = 0; i < a->ncommunities; i++)
		if (a->communities[i] != c)
			a->communities[w++] = a->communities[i];
	a->ncommunities = w;
	if (w == 0)
		a->present &= ~BGP_ATTR_BIT(BGP_ATTR_COMMUNITIES);
}

/* The conditions of r other than its prefix list. */
static bool
rule_matches_attrs(const struct filter_rule *r, int family, const struct bgp_attrs *a)
{
	if (r->family && r->family != family)
		return false;
	if (r->nmatch_comm > 0) {
		bool any = false;

		for (size_t i = 0; i < r->nmatch_comm && !any; i++)
			any = bgp_attrs_has_community(a, r->match_comm[i]);
		if (!any)
			return false;
	}
	return true;
}

static bool
rule_matches(const struct filter_rule *r, const struct prefix *p, const struct bgp_attrs *a)
{
	return rule_matches_attrs(r, p->addr.family, a) &&
	    (!r->plist || filter_plist_match(r->plist, p));
}

void
filter_eval(const struct filter *f, bool ebgp, const struct prefix *p,
    const struct bgp_attrs *a, struct filter_verdict *v)
{
	v->rule = NULL;
	if (!f) {
		/* RFC 8212 §3: no policy means no routes over eBGP. */
		v->permit = !ebgp;
		return;
	}
	for (size_t i = 0; i < f->n; i++) {
		if (rule_matches(&f->rules[i], p, a)) {
			v->rule = &f->rules[i];
			v->permit = f->rules[i].permit;
			return;
		}
	}
	v->permit = false;
}

bool
filter_eval_any_prefix(const struct filter *f, bool ebgp, int family,
    const struct bgp_attrs *a, struct filter_verdict *v)
{
	v->rule = NULL;
	if (!f) {
		v->permit = !ebgp;
		return true;
	}
	for (size_t i = 0; i < f->n; i++) {
		const struct filter_rule *r = &f->rules[i];

		if (!rule_matches_attrs(r, family, a))
			continue;
		if (r->plist)
			return false;	/* this rule, or a later one, depending on the prefix */
		v->rule = r;
		v->permit = r->permit;
		return true;
	}
	v->permit = false;
	return true;
}

bool
filter_verdict_modifies(const struct filter_verdict *v)
{
	const struct filter_rule *r = v->rule;

	return v->permit && r && (r->nadd_comm || r->ndel_comm || r->set_local_pref ||
	    r->set_med);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x, y;

	memcpy(&x, a, sizeof(x));
	memcpy(&y, b, sizeof(y));
	return x < y ? -1 : x > y;
}

int
filter_apply(const struct filter_rule *r, struct bgp_attrs *a)
{
	for (size_t i = 0; i < r->ndel_comm; i++)
		filter_attrs_del_comm(a, r->del_comm[i]);
	for (size_t i = 0; i < r->nadd_comm; i++) {
		int rc;

		if (bgp_attrs_has_community(a, r->add_comm[i]))
			continue;
		if ((rc = bgp_attrs_add_community(a, r->add_comm[i])) != 0)
			return rc;
	}
	if (a->ncommunities > 1)
		qsort(a->communities, a->ncommunities, sizeof(a->communities[0]), cmp_u32);
	if (r->set_local_pref) {
		a->local_pref = r->local_pref;
		a->present |= BGP_ATTR_BIT(BGP_ATTR_LOCAL_PREF);
	}
	if (r->set_med) {
		a->med = r->med;
		a->present |= BGP_ATTR_BIT(BGP_ATTR_MED);
	}
	return 0;
}
