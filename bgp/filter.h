/* SPDX-License-Identifier: MIT */
/*
 * Per-peer import and export policy: prefix lists (entries with ge/le, first match
 * wins, no match denies), filters (ordered rules: match a prefix list and/or any of a
 * set of communities; then permit or deny, add or remove communities, set LOCAL_PREF,
 * next-hop-self), and the RFC 8212 default: a peer without a filter gets nothing from
 * and sends nothing to an eBGP neighbour, everything to/from an iBGP one.
 * Plain data and evaluation only: the YAML keys are parsed in bgp/filter_conf.c, the
 * RIB and Adj-RIB-Out call filter_eval() and filter_apply().
 */
#ifndef CUTOVER_BGP_FILTER_H
#define CUTOVER_BGP_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp/attr.h"
#include "lib/addr.h"

#define FILTER_NAME_MAX		64
#define FILTER_COMM_MAX		32

struct filter_plist_entry {
	struct prefix	 prefix;
	uint8_t		 ge;		/* inclusive length range; ge == le == prefix.len */
	uint8_t		 le;		/* when neither was configured (exact match) */
	bool		 permit;
};

struct filter_plist {
	char			  name[FILTER_NAME_MAX];
	struct filter_plist_entry *entries;
	size_t			  n;
};

struct filter_rule {
	/* Match: every condition given must hold. */
	const struct filter_plist *plist;	/* NULL: any prefix */
	uint32_t		 match_comm[FILTER_COMM_MAX];	/* any of them */
	size_t			 nmatch_comm;
	int			 family;	/* AF_INET / AF_INET6, 0: both */
	/* Actions. */
	bool			 permit;
	uint32_t		 add_comm[FILTER_COMM_MAX];
	size_t			 nadd_comm;
	uint32_t		 del_comm[FILTER_COMM_MAX];
	size_t			 ndel_comm;
	bool			 set_local_pref;
	uint32_t		 local_pref;
	bool			 set_med;
	uint32_t		 med;
	bool			 next_hop_self;
	uint8_t			 prepend;	/* times to prepend our AS on export */
};

struct filter {
	char			 name[FILTER_NAME_MAX];
	struct filter_rule	*rules;
	size_t			 n;
};

/* All named prefix lists and filters of a configuration. */
struct filter_set {
	struct filter_plist	*plists;
	size_t			 nplists;
	struct filter		*filters;
	size_t			 nfilters;
};

void	filter_set_init(struct filter_set *fs);
void	filter_set_free(struct filter_set *fs);
/* Add an empty named prefix list / filter (names unique: -EEXIST); NULL + errno. */
struct filter_plist *filter_plist_add(struct filter_set *fs, const char *name);
struct filter	*filter_add(struct filter_set *fs, const char *name);
/* Append an entry / rule (copied). 0, -EINVAL (ge/le out of range) or -ENOMEM. */
int	filter_plist_append(struct filter_plist *pl, const struct prefix *p, int ge, int le,
	    bool permit);
int	filter_rule_append(struct filter *f, const struct filter_rule *rule);
const struct filter_plist *filter_plist_find(const struct filter_set *fs, const char *name);
const struct filter *filter_find(const struct filter_set *fs, const char *name);

/* Prefix list: true when the first matching entry permits. */
bool	filter_plist_match(const struct filter_plist *pl, const struct prefix *p);

/* The outcome of a filter for one route. */
struct filter_verdict {
	bool			 permit;
	const struct filter_rule *rule;	/* the matching rule (its actions), NULL if none */
};

/*
 * Evaluate f on (p, a). f == NULL applies the RFC 8212 default: deny when ebgp,
 * permit unchanged otherwise. Rules are tried in order; the first whose conditions
 * hold decides; when none does the route is denied.
 */
void	filter_eval(const struct filter *f, bool ebgp, const struct prefix *p,
	    const struct bgp_attrs *a, struct filter_verdict *v);
/*
 * filter_eval() for every prefix of family with attributes a at once (one UPDATE): true
 * and *v set when the verdict cannot depend on the prefix (no prefix list is consulted
 * before a rule decides), false when filter_eval() must run per prefix.
 */
bool	filter_eval_any_prefix(const struct filter *f, bool ebgp, int family,
	    const struct bgp_attrs *a, struct filter_verdict *v);
/* True when the verdict's rule changes attributes (so a new set must be interned). */
bool	filter_verdict_modifies(const struct filter_verdict *v);
/*
 * Apply the rule's attribute actions to a (a private copy): remove, then add
 * communities (kept sorted, no duplicates), LOCAL_PREF, MED. next-hop-self and prepend
 * are for the Adj-RIB-Out (it knows the session's address and AS). 0 or -ENOMEM.
 */
int	filter_apply(const struct filter_rule *rule, struct bgp_attrs *a);
/* Remove community c from a (no-op when absent). */
void	filter_attrs_del_comm(struct bgp_attrs *a, uint32_t c);

#endif
