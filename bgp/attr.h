/* SPDX-License-Identifier: MIT */
/*
 * BGP path attributes: the decoded representation (struct bgp_attrs), the RFC 7606
 * error-handling result every decoder returns (struct bgp_err), the per-session
 * codec parameters (struct bgp_wire_ctx), and encode / compare / hash / print of
 * attribute sets. One descriptor table in attr.c drives decoding, flag checks,
 * duplicate detection, encoding and printing.
 * This file does not frame messages (msg.h) nor keep routes (the RIB interns
 * struct bgp_attrs with bgp_attrs_hash()/bgp_attrs_equal()/bgp_attrs_dup()).
 */
#ifndef CUTOVER_BGP_ATTR_H
#define CUTOVER_BGP_ATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp/bgp_wire.h"
#include "lib/addr.h"
#include "lib/buf.h"

/*
 * RFC 7606 §2 error-handling approaches, weakest first: when several errors occur
 * in one UPDATE the strongest one wins (RFC 7606 §3 (h)), so comparing with > works.
 */
enum bgp_action {
	BGP_ACT_NONE = 0,
	BGP_ACT_ATTR_DISCARD,		/* attribute dropped, UPDATE processed */
	BGP_ACT_TREAT_AS_WITHDRAW,	/* every NLRI of the UPDATE is a withdrawal */
	BGP_ACT_AFISAFI_DISABLE,	/* RFC 4760 §7: drop and ignore err.afi/err.safi */
	BGP_ACT_SESSION_RESET,		/* send NOTIFICATION {code, subcode, data}, close */
};

/* Longest NOTIFICATION data we produce or keep (fits a 4096-octet message). */
#define BGP_ERR_DATA_MAX	(BGP_MAX_LEN - BGP_NOTIFICATION_MIN_LEN)
#define BGP_ERR_REASON_MAX	160

/*
 * What a decoder found wrong. action NONE means the input was clean. For the
 * strongest error seen: code/subcode/data are what a NOTIFICATION would carry
 * (for SESSION_RESET the session sends exactly that; for the softer actions they
 * are informational, for logs), reason is human text naming the field.
 */
struct bgp_err {
	enum bgp_action	 action;
	uint8_t		 code;
	uint8_t		 subcode;
	uint8_t		 attr;		/* attribute type concerned, 0 if none */
	uint16_t	 afi;		/* AFISAFI_DISABLE: the family to disable */
	uint8_t		 safi;
	unsigned	 ndiscarded;	/* attributes removed by attribute-discard */
	size_t		 datalen;
	uint8_t		 data[BGP_ERR_DATA_MAX];
	char		 reason[BGP_ERR_REASON_MAX];
};

void	bgp_err_clear(struct bgp_err *err);
/*
 * Record an error; keeps the first error of the strongest action seen so far
 * (a weaker or equal later error only bumps counters). data may be NULL; it is
 * truncated to BGP_ERR_DATA_MAX. Returns -EBADMSG when the recorded action is
 * SESSION_RESET, 0 otherwise, so decoders can `return bgp_err_set(...)`.
 */
int	bgp_err_set(struct bgp_err *err, enum bgp_action action, uint8_t code,
	    uint8_t subcode, const void *data, size_t datalen, const char *fmt, ...)
	    __attribute__((format(printf, 7, 8)));
const char *bgp_action_name(enum bgp_action action);

/* Address families this codec understands (index into bitmasks). */
enum bgp_family {
	BGP_FAM_IPV4_UNICAST = 0,
	BGP_FAM_IPV6_UNICAST,
	BGP_FAM_COUNT,
};
#define BGP_FAM_BIT(f)		(1u << (f))
/* Returns the family, or -1 for an AFI/SAFI this codec does not carry. */
int	bgp_family_from_afisafi(uint16_t afi, uint8_t safi);
void	bgp_family_to_afisafi(enum bgp_family fam, uint16_t *afi, uint8_t *safi);
const char *bgp_family_name(enum bgp_family fam);	/* "ipv4-unicast" */

/*
 * What the decoders and encoders need to know about the session. Fill it from the
 * negotiated capabilities (bgp_caps_negotiate() in msg.h does that); a zeroed
 * struct means: 2-octet AS, 4096-octet messages, iBGP rules, IPv4 unicast only.
 */
struct bgp_wire_ctx {
	bool		 as4;		/* RFC 6793: both sides sent the AS4 capability */
	bool		 ext_msg;	/* RFC 8654: both sides sent extended message */
	bool		 ebgp;		/* external peer (LOCAL_PREF, confed, RR attrs) */
	uint32_t	 peer_as;	/* non-zero + check_first_as: RFC 4271 §6.3 check */
	bool		 check_first_as;
	uint32_t	 families;	/* BGP_FAM_BIT() of negotiated families */
};

/* Largest message for the session: 4096 or 65535. */
size_t	bgp_wire_max_len(const struct bgp_wire_ctx *ctx);

/* One AS_PATH segment: count ASNs starting at asns[first] of the owning path. */
struct bgp_as_seg {
	uint8_t		 type;		/* BGP_AS_SET, BGP_AS_SEQUENCE, confed types */
	uint8_t		 count;		/* 1..255 */
	uint32_t	 first;
};

/* AS_PATH with 4-octet ASNs (AS4_PATH already merged in, RFC 6793 §4.2.3). */
struct bgp_as_path {
	size_t		 nsegs;
	struct bgp_as_seg *segs;
	size_t		 nasns;
	uint32_t	*asns;
};

struct bgp_large_comm {
	uint32_t	 global;
	uint32_t	 local1;
	uint32_t	 local2;
};

/* A path attribute kept as bytes (unknown optional transitive). */
struct bgp_raw_attr {
	uint8_t		 flags;		/* as received (Partial is added on encode) */
	uint8_t		 code;
	uint16_t	 len;
	uint8_t		*data;
};

/* Bit for attribute type code c in bgp_attrs.present (known codes are < 64). */
#define BGP_ATTR_BIT(c)		(UINT64_C(1) << (c))

/*
 * Decoded path attributes of one UPDATE (MP_REACH/MP_UNREACH excluded: they
 * belong to struct bgp_update). Arrays are malloc'ed and owned; free with
 * bgp_attrs_free(). present has BGP_ATTR_BIT(code) for every attribute held,
 * ATOMIC_AGGREGATE included (it has no value). AS4_PATH/AS4_AGGREGATOR never
 * appear here: decoding merges them into as_path/aggregator.
 */
struct bgp_attrs {
	uint64_t	 present;
	uint8_t		 origin;		/* BGP_ORIGIN_* */
	struct bgp_as_path as_path;
	struct addr	 next_hop;		/* NEXT_HOP (IPv4 only) */
	uint32_t	 med;
	uint32_t	 local_pref;
	uint32_t	 aggregator_as;
	uint32_t	 aggregator_id;		/* IPv4 address, host order */
	size_t		 ncommunities;
	uint32_t	*communities;
	size_t		 next_communities;
	uint64_t	*ext_communities;
	size_t		 nlarge;
	struct bgp_large_comm *large;
	uint32_t	 originator_id;		/* host order */
	size_t		 ncluster;
	uint32_t	*cluster_list;
	size_t		 nunknown;		/* sorted by code */
	struct bgp_raw_attr *unknown;
};

static inline bool
bgp_attrs_has(const struct bgp_attrs *a, uint8_t code)
{
	return code < 64 && (a->present & BGP_ATTR_BIT(code));
}

void	bgp_attrs_init(struct bgp_attrs *a);
void	bgp_attrs_free(struct bgp_attrs *a);	/* accepts NULL; leaves a initialised */
/* Deep copy; returns 0 or -ENOMEM (dst is then empty). */
int	bgp_attrs_dup(struct bgp_attrs *dst, const struct bgp_attrs *src);
/* Value equality (what a RIB needs to share one copy between routes). */
bool	bgp_attrs_equal(const struct bgp_attrs *a, const struct bgp_attrs *b);
uint64_t bgp_attrs_hash(const struct bgp_attrs *a);

/* Builders for locally originated attributes; return 0 or -ENOMEM / -EINVAL. */
int	bgp_as_path_append(struct bgp_as_path *p, uint8_t type, const uint32_t *asns, size_t n);
int	bgp_as_path_prepend(struct bgp_as_path *p, uint32_t asn, unsigned times);
void	bgp_as_path_free(struct bgp_as_path *p);
/* RFC 4271 §9.1.2.2 a): AS_SET counts 1, confed segments 0. */
size_t	bgp_as_path_length(const struct bgp_as_path *p);
/* First AS of the leftmost AS_SEQUENCE, 0 if none. */
uint32_t bgp_as_path_first(const struct bgp_as_path *p);
bool	bgp_as_path_contains(const struct bgp_as_path *p, uint32_t asn);
/* Does a carry community c (RFC 1997)? */
bool	bgp_attrs_has_community(const struct bgp_attrs *a, uint32_t c);
int	bgp_attrs_add_community(struct bgp_attrs *a, uint32_t c);
int	bgp_attrs_add_large_community(struct bgp_attrs *a, const struct bgp_large_comm *c);
int	bgp_attrs_add_unknown(struct bgp_attrs *a, uint8_t flags, uint8_t code,
	    const void *data, size_t len);

/*
 * Encode every present attribute of a (not MP_REACH/MP_UNREACH), in type-code
 * order, for the session described by ctx: with ctx->as4 false AS_PATH/AGGREGATOR
 * go out 2-octet with AS_TRANS and AS4_PATH/AS4_AGGREGATOR are added when needed
 * (RFC 6793 §4.2.2); unknown transitive attributes go out byte-exactly with the
 * Partial bit set (RFC 4271 §5). Errors stick in bw.
 */
void	bgp_attrs_encode(const struct bgp_wire_ctx *ctx, const struct bgp_attrs *a,
	    struct buf_writer *bw);
/*
 * The storage form of an attribute set (what the RIB interns): bgp_attrs_encode() for a
 * session with 4-octet ASNs, so equal sets (bgp_attrs_equal()) give equal bytes.
 * bgp_attrs_unpack() reads such bytes back into out (initialised here; free it with
 * bgp_attrs_free()). Returns 0, -ENOMEM, or -EBADMSG when the bytes are not a clean
 * attribute list (out is then empty).
 */
void	bgp_attrs_pack(const struct bgp_attrs *a, struct buf_writer *bw);
int	bgp_attrs_unpack(const void *data, size_t len, struct bgp_attrs *out);
/* Whether bgp_attrs_pack(a) writes exactly the len octets at p (false without memory). */
bool	bgp_attrs_packs_to(const struct bgp_attrs *a, const uint8_t *p, size_t len);
/* One attribute header + value; picks the extended length form when needed. */
void	bgp_attr_put(struct buf_writer *bw, uint8_t flags, uint8_t code, const void *val,
	    size_t len);

/* Text for the CLI and logs. Each returns out; output is always NUL-terminated. */
const char *bgp_attr_name(uint8_t code);		/* "AS_PATH", "attr-99" style */
const char *bgp_origin_name(uint8_t origin);	/* "IGP", "EGP", "incomplete" */
/* "65001 65002 {65003 65004} (65010)" — sets in {}, confed sequence (), confed set [] */
char	*bgp_as_path_format(const struct bgp_as_path *p, char *out, size_t outlen);
char	*bgp_community_format(uint32_t c, char *out, size_t outlen);	/* "65000:1" */
char	*bgp_large_community_format(const struct bgp_large_comm *c, char *out, size_t outlen);
char	*bgp_ext_community_format(uint64_t c, char *out, size_t outlen);
/* Space-separated lists. */
char	*bgp_communities_format(const struct bgp_attrs *a, char *out, size_t outlen);
char	*bgp_large_communities_format(const struct bgp_attrs *a, char *out, size_t outlen);
/*
 * All attributes, one "name: value" per line (what `show route all` shows), driven
 * by the descriptor table.
 */
char	*bgp_attrs_format(const struct bgp_attrs *a, char *out, size_t outlen);

#endif
