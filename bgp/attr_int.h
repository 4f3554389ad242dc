/* SPDX-License-Identifier: MIT */
/*
 * Internal to the wire codec (attr.c, attr_util.c, update.c): the attribute
 * descriptor table type, the decoder context and the per-attribute printers.
 * Nothing outside these files includes it; use attr.h / msg.h.
 */
#ifndef CUTOVER_BGP_ATTR_INT_H
#define CUTOVER_BGP_ATTR_INT_H

#include "bgp/attr.h"
#include "bgp/msg.h"

/* A decoder's "attribute not applied, error recorded" result (> 0). */
#define ATTR_BAD	1

/* Length rules (low bits) and modifiers. */
#define ATTR_LEN_ANY		0x0	/* decoder checks */
#define ATTR_LEN_FIXED		0x1	/* exactly len */
#define ATTR_LEN_MULTIPLE	0x2	/* a non-zero multiple of len */
#define ATTR_LEN_RULE_MASK	0x3
#define ATTR_LEN_ZERO_OK	0x4	/* RFC 7606 §5: zero length allowed */
#define ATTR_EBGP_DISCARD	0x8	/* from an eBGP peer: discarded unread
					 * (RFC 7606 §7.5, §7.9, §7.10) */

struct attr_dctx {
	const struct bgp_wire_ctx *ctx;
	struct bgp_update	*u;
	struct bgp_err		*err;
	uint8_t			 flags;
	uint8_t			 code;
	const uint8_t		*raw;		/* whole attribute (NOTIFICATION data) */
	size_t			 rawlen;
	/* RFC 6793: held until the whole list is read, then merged. */
	bool			 has_as4_path;
	struct bgp_as_path	 as4_path;
	bool			 has_as4_agg;
	uint32_t		 as4_agg_as;
	uint32_t		 as4_agg_id;
};

struct bgp_attr_desc {
	uint8_t		 code;
	const char	*name;
	uint8_t		 flags;		/* required OPTIONAL | TRANSITIVE bits */
	uint8_t		 rule;		/* ATTR_LEN_* */
	uint16_t	 len;		/* for FIXED / MULTIPLE */
	enum bgp_action	 len_action;	/* RFC 7606 action for a length error */
	enum bgp_action	 flag_action;	/* ... and for a flags error */
	/* 0 applied, ATTR_BAD not applied (error recorded), < 0 session reset/ENOMEM */
	int		(*decode)(struct attr_dctx *d, struct buf_reader *v);
	/* NULL for attributes handled elsewhere (MP_*, AS4_* come from merge/update) */
	void		(*encode)(const struct bgp_wire_ctx *ctx, const struct bgp_attrs *a,
			    struct buf_writer *bw);
	/* appends the value text; NULL when never printed */
	void		(*print)(const struct bgp_attrs *a, char *out, size_t outlen);
};

extern const struct bgp_attr_desc bgp_attr_table[];
extern const size_t bgp_attr_table_len;
const struct bgp_attr_desc *bgp_attr_desc_find(uint8_t code);

/* Families the session carries (zeroed ctx: IPv4 unicast). */
uint32_t bgp_wire_families(const struct bgp_wire_ctx *ctx);

/* Decode the path attribute list into u (attrs, mp_reach, mp_unreach). */
int	bgp_attrs_decode(const struct bgp_wire_ctx *ctx, struct buf_reader *br,
	    struct bgp_update *u, struct bgp_err *err);

void	fmt_origin(const struct bgp_attrs *a, char *out, size_t outlen);
void	fmt_as_path(const struct bgp_attrs *a, char *out, size_t outlen);
void	fmt_next_hop(const struct bgp_attrs *a, char *out, size_t outlen);
void	fmt_med(const struct bgp_attrs *a, char *out, size_t outlen);
void	fmt_local_pref(const struct bgp_attrs *a, char *out, size_t outlen);
void	fmt_atomic_aggregate(const struct bgp_attrs *a, char *out, size_t outlen);
void	fmt_aggregator(const struct bgp_attrs *a, char *out, size_t outlen);
void	fmt_communities(const struct bgp_attrs *a, char *out, size_t outlen);
void	fmt_originator_id(const struct bgp_attrs *a, char *out, size_t outlen);
void	fmt_cluster_list(const struct bgp_attrs *a, char *out, size_t outlen);
void	fmt_ext_communities(const struct bgp_attrs *a, char *out, size_t outlen);
void	fmt_large_communities(const struct bgp_attrs *a, char *out, size_t outlen);

#endif
