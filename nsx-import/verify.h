/* SPDX-License-Identifier: MIT */
/*
 * The equivalence checker: reads back the produced Cilium policy YAML (the subset
 * nsx-import writes, plus anything valid in it that changes verdicts: selectors,
 * entities, CIDR sets with except, ports with endPort, icmps, deny sections),
 * evaluates flows under Cilium semantics and under NSX semantics and lists every
 * flow whose verdict differs, with the NSX rule that decided it.
 */
#ifndef CUTOVER_NSX_VERIFY_H
#define CUTOVER_NSX_VERIFY_H

#include <stdio.h>

#include "nsx-import/translate.h"

struct cnp_port {
	uint8_t		proto;		/* 0 = any protocol */
	uint16_t	lo, hi;		/* port range or ICMP type range */
};

struct cnp_rule {
	bool		 all_peers;	/* entity all / no peer selector */
	bool		 no_peers;	/* selects nothing (e.g. the empty rule {}) */
	struct nsx_ipset cidrs;		/* CIDR peers (except applied) */
	bool		 has_l4;	/* toPorts or icmps present */
	struct cnp_port	*ports;
	size_t		 nports;
	struct nsx_label *sel_labels;	/* endpoint peer selectors: matchLabels (AND) */
	size_t		 nsel;
	bool		 ep_peer;	/* fromEndpoints/toEndpoints present */
};

struct cnp_selector {
	struct nsx_label *ml;		/* matchLabels */
	size_t		  nml;
	struct {
		char	*key, *op;
		char	**values;
		size_t	 nvalues;
	}		 *me;		/* matchExpressions */
	size_t		  nme;
};

struct cnp_policy {
	char			*name;
	struct cnp_selector	 sel;
	bool			 present[4];	/* ingress, ingressDeny, egress, egressDeny */
	struct cnp_rule		*rules[4];
	size_t			 nrules[4];
};

struct cnp_set {
	struct cnp_policy	*p;
	size_t			 n;
};

/* Read policy YAML (one file, several documents). Errors name file:line:col. */
int	nsx_cnp_read(const char *file, struct cnp_set *out, struct diag *d);
int	nsx_cnp_read_buf(const char *name, const char *buf, size_t len, struct cnp_set *out,
	    struct diag *d);
void	nsx_cnp_free(struct cnp_set *s);

/* Cilium verdict for flow f at an endpoint with the given labels. */
bool	nsx_cnp_eval(const struct cnp_set *s, const struct nsx_label *labels, size_t nlabels,
	    const struct nsx_flow *f, const struct nsx_label *peer_labels, size_t npeer);

struct dp_bundle;

/*
 * The datapath's verdict under bundle b for flow f at the endpoint owning f->local
 * (identity by longest prefix over endpoint addresses and CIDRs; a deny rule wins,
 * then an allow, else the direction's default). *found is false when no endpoint
 * of the bundle owns f->local.
 */
bool	nsx_bundle_eval(const struct dp_bundle *b, const struct nsx_flow *f, bool *found);

struct nsx_verify_opts {
	const struct dp_bundle *bundle;	/* check this bundle instead of the YAML set */
	size_t		 samples;	/* random flows per class and direction */
	uint64_t	 seed;
	enum nsx_action	 dflt;
	FILE		*out;		/* mismatches are listed here (may be NULL) */
	size_t		 max_print;
};

struct nsx_verify_result {
	size_t	flows;
	size_t	mismatches;
	size_t	mismatches_exact;	/* decided by a rule without a verdict gap (or the default) */
};

int	nsx_verify(const struct nsx_model *m, const struct cnp_set *s,
	    const struct nsx_verify_opts *o, struct nsx_verify_result *res);

#endif
