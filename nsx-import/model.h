/* SPDX-License-Identifier: MIT */
/*
 * The NSX firewall model shared by the loaders, the compiler, the emitters and the
 * checker: address sets (sorted disjoint ranges), service sets (protocol x port
 * ranges), groups with their expressions, services, policies and rules in NSX
 * evaluation order, the optional inventory and the gap list. Loaders fill the raw
 * parts (strings, references); nsx_model_resolve() turns them into sets.
 * This header does not know JSON, XML or YAML.
 */
#ifndef CUTOVER_NSX_MODEL_H
#define CUTOVER_NSX_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"
#include "lib/diag.h"

/* Input limits (oversize input is an error, never a crash). */
#define NSX_MAX_FILE_BYTES	(256u << 20)
#define NSX_MAX_DEPTH		32	/* nested groups / services */
#define NSX_PORT_MAX		65535u

/* ---- address sets ------------------------------------------------------- */
struct nsx_range {
	struct addr	lo, hi;		/* same family, lo <= hi */
};

struct nsx_ipset {
	struct nsx_range	*r;	/* sorted, disjoint, non-adjacent; v4 before v6 */
	size_t			 n, cap;
};

void	nsx_ipset_free(struct nsx_ipset *s);
void	nsx_ipset_clear(struct nsx_ipset *s);
int	nsx_ipset_add_range(struct nsx_ipset *s, const struct addr *lo,
	    const struct addr *hi);
int	nsx_ipset_add_prefix(struct nsx_ipset *s, const struct prefix *p);
/* "10.0.0.1", "10.0.0.0/24", "10.0.0.1-10.0.0.9", same for IPv6. -EINVAL if bad. */
int	nsx_ipset_add_text(struct nsx_ipset *s, const char *text);
int	nsx_ipset_add_full(struct nsx_ipset *s, int family);	/* AF_UNSPEC: both */
int	nsx_ipset_copy(struct nsx_ipset *dst, const struct nsx_ipset *src);
int	nsx_ipset_union(struct nsx_ipset *dst, const struct nsx_ipset *a,
	    const struct nsx_ipset *b);
int	nsx_ipset_intersect(struct nsx_ipset *dst, const struct nsx_ipset *a,
	    const struct nsx_ipset *b);
int	nsx_ipset_subtract(struct nsx_ipset *dst, const struct nsx_ipset *a,
	    const struct nsx_ipset *b);
int	nsx_ipset_family(struct nsx_ipset *dst, const struct nsx_ipset *a, int family);
bool	nsx_ipset_intersects(const struct nsx_ipset *a, const struct nsx_ipset *b);
bool	nsx_ipset_contains(const struct nsx_ipset *s, const struct addr *a);
bool	nsx_ipset_is_full(const struct nsx_ipset *s, int family);
bool	nsx_ipset_eq(const struct nsx_ipset *a, const struct nsx_ipset *b);
static inline bool
nsx_ipset_empty(const struct nsx_ipset *s)
{
	return s->n == 0;
}

/* ---- service sets ------------------------------------------------------- */
#define NSX_PROTO_ICMP		1
#define NSX_PROTO_TCP		6
#define NSX_PROTO_UDP		17
#define NSX_PROTO_ICMP6		58
#define NSX_PROTO_SCTP		132

/*
 * One protocol and a range of its second key: destination port for TCP/UDP/SCTP,
 * ICMP type for ICMP/ICMPv6 (0..255), nothing for other protocols (0..65535 means
 * "the whole protocol").
 */
struct nsx_svc {
	uint8_t		proto;
	uint16_t	lo, hi;
};

struct nsx_svcset {
	bool		 any;		/* every protocol; items unused */
	struct nsx_svc	*it;		/* sorted by (proto, lo), merged */
	size_t		 n, cap;
};

void	nsx_svcset_free(struct nsx_svcset *s);
int	nsx_svcset_add(struct nsx_svcset *s, uint8_t proto, uint16_t lo, uint16_t hi);
int	nsx_svcset_copy(struct nsx_svcset *dst, const struct nsx_svcset *src);
int	nsx_svcset_union_into(struct nsx_svcset *dst, const struct nsx_svcset *src);
int	nsx_svcset_subtract(struct nsx_svcset *dst, const struct nsx_svcset *a,
	    const struct nsx_svcset *b);
bool	nsx_svcset_intersects(const struct nsx_svcset *a, const struct nsx_svcset *b);
bool	nsx_svcset_contains(const struct nsx_svcset *s, uint8_t proto, uint16_t port);
bool	nsx_svcset_eq(const struct nsx_svcset *a, const struct nsx_svcset *b);
bool	nsx_svcset_empty(const struct nsx_svcset *s);
/* Protocols whose second key is a port. */
bool	nsx_proto_has_ports(uint8_t proto);
/* "8080", "8000-8080", "22, 33-70" into (proto, ranges); -EINVAL on bad/illegal ports. */
int	nsx_svcset_add_ports(struct nsx_svcset *s, uint8_t proto, const char *text);
/* Parse "80", "1-2", "22,33-70" into a port-only set (proto 0 placeholder). */
int	nsx_ports_parse(const char *text, struct nsx_svcset *ports);

/* ---- gaps ---------------------------------------------------------------- */
enum nsx_gap_kind {
	NSX_GAP_REJECT_AS_DROP,
	NSX_GAP_STATELESS,
	NSX_GAP_JUMP,
	NSX_GAP_L7_PROFILE,
	NSX_GAP_FQDN,
	NSX_GAP_TIME_WINDOW,
	NSX_GAP_L2_RULE,
	NSX_GAP_APPLIED_TO,
	NSX_GAP_GROUP_UNRESOLVED,
	NSX_GAP_MISSING_REFERENCE,
	NSX_GAP_SOURCE_PORT,
	NSX_GAP_PROTOCOL,
	NSX_GAP_ICMP_CODE,
	NSX_GAP_ALG,
	NSX_GAP_TCP_STRICT,
	NSX_GAP__COUNT
};

/* Notes do not change any verdict; they are listed in the report for review. */
enum nsx_note_kind {
	NSX_NOTE_DISABLED,
	NSX_NOTE_SEQUENCE_TIE,
	NSX_NOTE_DEFAULT_ASSUMED,
	NSX_NOTE_LOGGED,
	NSX_NOTE_DEAD_RULE,
	NSX_NOTE_DENY_EMITTED,
	NSX_NOTE_MIXED_CONJUNCTION,
	NSX_NOTE_L2_ALLOW,
	NSX_NOTE__COUNT
};

const char	*nsx_gap_name(enum nsx_gap_kind k);
const char	*nsx_note_name(enum nsx_note_kind k);

struct nsx_issue {
	bool		 gap;		/* true: gap (meaning changed); false: note */
	int		 kind;		/* enum nsx_gap_kind or nsx_note_kind */
	char		*rule_id;	/* may be NULL for model-wide issues */
	char		*rule_path;
	char		*src;		/* where the rule is: file:JSONpath or file:line */
	char		*why;
};

/* ---- inventory ------------------------------------------------------------ */
struct nsx_tag {
	char	*scope, *tag;
};

struct nsx_label {
	char	*key, *value;
};

struct nsx_workload {
	char			*name;
	char			*vm_id;		/* NSX-V moref (vm-126) / external id */
	char			*os_name;
	char			*interface;	/* host-side veth of the pod (bundle) */
	struct nsx_ipset	 ips;
	struct nsx_tag		*tags;
	size_t			 ntags;
	struct nsx_label	*labels;	/* Kubernetes labels of the replacing pod */
	size_t			 nlabels;
};

/* ---- groups --------------------------------------------------------------- */
enum nsx_expr_kind {
	NSX_EXPR_IPS,		/* ips */
	NSX_EXPR_PATHS,		/* refs: group paths / NSX-V object ids */
	NSX_EXPR_COND,		/* member_type/key/op/value */
	NSX_EXPR_NESTED,	/* sub: conditions joined by conj */
	NSX_EXPR_UNRESOLVABLE,	/* MAC, external ids without inventory, ... */
	NSX_EXPR_EXTERNAL_ID,
};

struct nsx_expr {
	enum nsx_expr_kind	 kind;
	int			 conj;		/* 0 = OR, 1 = AND: joins this term to the previous */
	struct nsx_ipset	 ips;
	char			**refs;
	size_t			 nrefs;
	char			*member_type, *key, *op, *value, *scope_op;
	struct nsx_expr		*sub;
	size_t			 nsub;
	char			*what;		/* why unresolvable */
};

struct nsx_group {
	char			*id, *path, *name;
	char			*src;		/* "file:JSONpath" for errors */
	struct nsx_expr		*expr;
	size_t			 nexpr;
	struct nsx_expr		*excl;		/* NSX-V excludeMember (OR-ed) */
	size_t			 nexcl;
	/* resolution */
	int			 state;		/* 0 new, 1 visiting, 2 done */
	struct nsx_ipset	 ips;
	bool			 unresolved;
	char			*unresolved_why;
};

/* ---- services ------------------------------------------------------------- */
enum nsx_entry_kind {
	NSX_ENTRY_L4,
	NSX_ENTRY_ICMP,
	NSX_ENTRY_IPPROTO,
	NSX_ENTRY_ALG,
	NSX_ENTRY_NESTED,
	NSX_ENTRY_ETHER,
	NSX_ENTRY_IGMP,
};

struct nsx_entry {
	enum nsx_entry_kind	 kind;
	uint8_t			 proto;		/* L4/ALG: 6/17; ICMP: 1/58; IPPROTO */
	struct nsx_svcset	 dports;	/* port-only sets (proto 0) */
	struct nsx_svcset	 sports;
	int			 icmp_type;	/* -1 = all */
	int			 icmp_code;	/* -1 = all */
	char			*nested;	/* service path */
	char			*alg;
};

struct nsx_service {
	char			*id, *path, *name;
	char			*src;
	struct nsx_entry	*e;
	size_t			 ne;
	int			 state;
	struct nsx_svcset	 set;		/* resolved destination side */
	bool			 has_sports, has_alg, has_other, has_l2, has_icmp_code;
};

/* ---- policies and rules --------------------------------------------------- */
enum nsx_category {
	NSX_CAT_ETHERNET,
	NSX_CAT_EMERGENCY,
	NSX_CAT_INFRASTRUCTURE,
	NSX_CAT_ENVIRONMENT,
	NSX_CAT_APPLICATION,
	NSX_CAT_NONE,
	NSX_CAT__COUNT
};

enum nsx_action {
	NSX_ACT_ALLOW,
	NSX_ACT_DROP,
	NSX_ACT_REJECT,
	NSX_ACT_JUMP,
};

#define NSX_DIR_IN	1
#define NSX_DIR_OUT	2
#define NSX_DIR_INOUT	3

struct nsx_policy {
	char		*id, *path, *name;
	char		*src;
	int		 category;
	int64_t		 seq;
	bool		 has_seq;
	bool		 stateful, tcp_strict;
	char		*scheduler;
	char		**scope;	/* applied-to refs; NULL/0 or "ANY" = all */
	size_t		 nscope;
	size_t		 doc_order;
};

/* A peer/scope reference list: ANY, or group paths / literals. */
struct nsx_refs {
	char		**v;
	size_t		 n;
	bool		 any;		/* "ANY" / missing */
	bool		 excluded;
};

struct nsx_rule {
	char			*id, *path, *name;
	char			*src;		/* file:JSONpath or file:line */
	int64_t			 rule_id;	/* NSX numeric id, -1 if none */
	struct nsx_policy	*pol;
	int64_t			 seq;
	bool			 has_seq;
	size_t			 doc_order;
	enum nsx_action		 action;
	int			 dir;
	int			 family;	/* AF_UNSPEC, AF_INET, AF_INET6 */
	bool			 disabled, logged;
	struct nsx_refs		 srcs, dsts, scope, svcs, profiles;
	struct nsx_entry	*entries;	/* inline service entries */
	size_t			 nentries;
	/* resolution (nsx_model_resolve) */
	struct nsx_ipset	 src_ips, dst_ips, scope_ips;
	struct nsx_svcset	 svc;
	struct nsx_svcset	 sports;	/* empty = any source port */
	bool			 gap_skip;	/* not translated: dropped from the compile */
	bool			 gap_any;	/* any gap at all */
	bool			 gap_verdict;	/* a gap that can change allow/drop verdicts */
	bool			 l2;
	bool			 scope_any;
	uint32_t		 issued[2];	/* issue kinds already reported (note, gap) */
};

struct nsx_profile {
	char	*path;
	bool	 fqdn;
};

struct nsx_model {
	struct nsx_group	**groups;
	size_t			  ngroups, cgroups;
	struct nsx_service	**services;
	size_t			  nservices, cservices;
	struct nsx_policy	**policies;
	size_t			  npolicies, cpolicies;
	struct nsx_rule		**rules;	/* sorted in evaluation order by resolve */
	size_t			  nrules, crules;
	struct nsx_profile	 *profiles;
	size_t			  nprofiles, cprofiles;
	struct nsx_workload	 *wl;
	size_t			  nwl, cwl;
	struct nsx_issue	 *issues;
	size_t			  nissues, cissues;
	size_t			  doc_counter;
	bool			  has_default_rule;
	bool			  nsxv;
	void			 *index;	/* path -> object hash (model.c) */
};

struct nsx_model	*nsx_model_new(void);
void			 nsx_model_free(struct nsx_model *m);

/* Allocation helpers for loaders (all abort-free: NULL/-ENOMEM on failure). */
struct nsx_group	*nsx_group_add(struct nsx_model *m);
struct nsx_service	*nsx_service_add(struct nsx_model *m);
struct nsx_policy	*nsx_policy_add(struct nsx_model *m);
struct nsx_rule		*nsx_rule_add(struct nsx_model *m, struct nsx_policy *p);
struct nsx_workload	*nsx_workload_add(struct nsx_model *m);
int			 nsx_profile_add(struct nsx_model *m, const char *path, bool fqdn);
int			 nsx_refs_push(struct nsx_refs *r, const char *s);
int			 nsx_strv_push(char ***v, size_t *n, const char *s);
/* Append *e to *v (taking its pointers): 0 or -ENOMEM (then *e is still the caller's). */
int			 nsx_entry_push(struct nsx_entry **v, size_t *n, const struct nsx_entry *e);
char			*nsx_strdup(const char *s);
char			*nsx_strdupf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void			 nsx_entry_free(struct nsx_entry *e);
void			 nsx_expr_free(struct nsx_expr *e);

int	nsx_issue_add(struct nsx_model *m, bool gap, int kind, struct nsx_rule *r,
	    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int	nsx_category_parse(const char *s);
const char *nsx_category_name(int cat);
const char *nsx_action_name(enum nsx_action a);

/*
 * Built-in table of NSX predefined services (/infra/services/<ID>) and NSX-V
 * default applications by name, for exports that reference them without defining
 * them. Returns a service owned by the model (added on first use) or NULL.
 */
struct nsx_service *nsx_predefined_get(struct nsx_model *m, const char *id_or_name);

/* (Re)build the path index of groups and services (loaders call it at the end). */
int	nsx_model_index(struct nsx_model *m);

/* Look up a group/service by path (or NSX-V object id). */
struct nsx_group	*nsx_group_find(struct nsx_model *m, const char *path);
struct nsx_service	*nsx_service_find(struct nsx_model *m, const char *path);

/*
 * Resolve references, evaluate groups and services (cycle detection), sort rules
 * into evaluation order and record gaps/notes. Unknown NSX-T references and cycles
 * are input errors (diag names the object). Returns 0 or -errno.
 */
int	nsx_model_resolve(struct nsx_model *m, struct diag *d);

/* Inventory JSON (see docs/nsx-import.md). */
int	nsx_inventory_load(struct nsx_model *m, const char *file, struct diag *d);

/* Loaders. Format is detected from the first byte ('<' XML, '{'/'[' JSON). */
enum nsx_format { NSX_FMT_UNKNOWN, NSX_FMT_JSON, NSX_FMT_XML };
enum nsx_format nsx_format_detect(const char *buf, size_t len);
int	nsx_load_file(struct nsx_model *m, const char *file, struct diag *d);
int	nsx_load_buf(struct nsx_model *m, const char *name, const char *buf, size_t len,
	    struct diag *d);
int	nsx_load_json_buf(struct nsx_model *m, const char *name, const char *buf,
	    size_t len, struct diag *d);
int	nsx_load_xml_buf(struct nsx_model *m, const char *name, const char *buf,
	    size_t len, struct diag *d);

#endif
