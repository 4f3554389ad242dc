/* SPDX-License-Identifier: MIT */
/*
 * The compiler's output: an order-free policy set equivalent to the ordered NSX
 * rules. Endpoints are split into classes (one per inventory workload, plus "every
 * other endpoint"); each class has, per direction, allow boxes and deny boxes over
 * (remote addresses x services) and whether default deny is on. Also the NSX
 * reference semantics used by the checker (nsx_eval_flow).
 */
#ifndef CUTOVER_NSX_TRANSLATE_H
#define CUTOVER_NSX_TRANSLATE_H

#include "nsx-import/model.h"

#define NSX_D_INGRESS	0
#define NSX_D_EGRESS	1

/* Label every pod that replaces an NSX VM carries (value: the VM name). */
#define NSX_VM_LABEL	"cutover.io/vm"

struct nsx_box {
	struct nsx_ipset		 ips;	/* remote addresses */
	struct nsx_svcset		 svc;
	struct nsx_rule			*rule;	/* the NSX rule it comes from */
	bool				 merged;	/* from several rules (rule NULL) */
};

struct nsx_boxes {
	struct nsx_box	*b;
	size_t		 n, cap;
};

struct nsx_cdir {
	struct nsx_boxes	allow, deny;
	bool			enforce;	/* default deny on (something is not allowed) */
};

struct nsx_class {
	int		wl;		/* inventory index, -1 = every other endpoint */
	struct nsx_cdir	dir[2];
};

struct nsx_compiled {
	struct nsx_class	*cls;
	size_t			 ncls;
	enum nsx_action		 dflt;		/* verdict when no rule matches */
};

struct nsx_translate_opts {
	enum nsx_action	dflt;			/* NSX default-layer3 rule: ALLOW or DROP */
};

/* Compile m (resolved) into out. Records order-dependent gaps/notes in m. */
int	nsx_translate(struct nsx_model *m, const struct nsx_translate_opts *o,
	    struct nsx_compiled *out, struct diag *d);
void	nsx_compiled_free(struct nsx_compiled *c);
void	nsx_boxes_free(struct nsx_boxes *b);
int	nsx_boxes_push(struct nsx_boxes *b, const struct nsx_ipset *ips,
	    const struct nsx_svcset *svc, struct nsx_rule *r);
/* Merge boxes with equal services / equal addresses (fewer Cilium rules). */
int	nsx_boxes_merge(struct nsx_boxes *b);

/* True when Cilium toPorts/icmps (or no L4 section at all) can state s. */
bool	nsx_svcset_expressible(const struct nsx_svcset *s);

/* A flow seen at one endpoint. */
struct nsx_flow {
	int		cls;		/* class index in the compiled set */
	struct addr	local, remote;
	int		dir;		/* NSX_D_INGRESS / NSX_D_EGRESS */
	uint8_t		proto;
	uint16_t	port;		/* dport, or ICMP type */
	uint16_t	sport;
};

/*
 * NSX semantics: the verdict (true = allowed) and the deciding rule (NULL: the
 * default rule). Ethernet rules and disabled rules are honoured as NSX does.
 * *jumped (may be NULL) gets the last JUMP_TO_APPLICATION rule the flow matched
 * on its way (NULL if none): such a rule changed which rule decided.
 */
bool	nsx_eval_flow(const struct nsx_model *m, enum nsx_action dflt,
	    const struct nsx_flow *f, const struct nsx_rule **decided,
	    const struct nsx_rule **jumped);

/* ---- emitters ---- */
#include <stdio.h>

struct nsx_emit_opts {
	const char	*namespace;	/* NULL: CiliumClusterwideNetworkPolicy */
	const char	*const *sources;	/* export file names (annotations) */
	size_t		 nsources;
};

/* CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy YAML (multi-document). */
int	nsx_emit_cnp(FILE *out, const struct nsx_model *m, const struct nsx_compiled *c,
	    const struct nsx_emit_opts *o);
/* Gap report: text or JSON. */
int	nsx_report_text(FILE *out, const struct nsx_model *m, const struct nsx_compiled *c);
int	nsx_report_json(FILE *out, const struct nsx_model *m, const struct nsx_compiled *c);
/* Number of gap entries (0 = every rule translated exactly). */
size_t	nsx_report_gaps(const struct nsx_model *m);
/* Datapath policy bundle (JSON; format in docs/datapath.md). */
int	nsx_emit_bundle(FILE *out, const struct nsx_model *m, const struct nsx_compiled *c,
	    const struct nsx_emit_opts *o);

#endif
