/* SPDX-License-Identifier: MIT */
/*
 * BGP-4 messages on the wire: header framing checks, OPEN with capabilities,
 * UPDATE (withdrawn routes, path attributes, NLRI, MP_REACH/MP_UNREACH),
 * NOTIFICATION (with RFC 8203 shutdown communication), KEEPALIVE and
 * ROUTE-REFRESH; encoders that write whole messages (header included) through a
 * struct buf_writer, an UPDATE packer and End-of-RIB markers.
 *
 * Decoders never fail on peer input with anything but data: they return 0 or
 * -EBADMSG and fill a struct bgp_err with the RFC 7606 action and the
 * NOTIFICATION {code, subcode, data}. Only the session layer acts on it.
 * This file knows no sockets, timers or FSM state.
 */
#ifndef CUTOVER_BGP_MSG_H
#define CUTOVER_BGP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp/attr.h"
#include "bgp/bgp_wire.h"
#include "lib/addr.h"
#include "lib/buf.h"

/* ---- header ---- */

struct bgp_hdr {
	uint16_t	 len;		/* whole message, header included */
	uint8_t		 type;		/* BGP_MSG_* */
};

/*
 * Check the 19-octet header at buf: marker all ones, type known, length within
 * the per-type minimum/maximum and max_len (bgp_wire_max_len(); OPEN and
 * KEEPALIVE are always capped at 4096, RFC 8654 §4).
 * Returns 0 (h filled), -EAGAIN when buflen < BGP_HDR_LEN, or -EBADMSG with err
 * set to SESSION_RESET / Message Header Error (RFC 4271 §6.1 data included).
 */
int	bgp_hdr_decode(const uint8_t *buf, size_t buflen, size_t max_len,
	    struct bgp_hdr *h, struct bgp_err *err);
/* Write marker, length placeholder and type; returns the offset to pass to bgp_hdr_finish(). */
size_t	bgp_hdr_begin(struct buf_writer *bw, uint8_t type);
/* Patch the length of the message started at off; fails (sticky -EMSGSIZE) above max_len. */
void	bgp_hdr_finish(struct buf_writer *bw, size_t off, size_t max_len);
const char *bgp_msg_type_name(uint8_t type);

/* ---- OPEN and capabilities ---- */

#define BGP_CAPS_MP_MAX		16
#define BGP_CAPS_GR_MAX		16
#define BGP_CAPS_UNKNOWN_MAX	16

struct bgp_afisafi {
	uint16_t	 afi;
	uint8_t		 safi;
};

struct bgp_gr_af {
	uint16_t	 afi;
	uint8_t		 safi;
	uint8_t		 flags;		/* BGP_GR_AF_FORWARDING */
};

/* A capability this codec does not interpret, kept as received. */
struct bgp_cap_raw {
	uint8_t		 code;
	uint8_t		 len;
	uint8_t		 data[UINT8_MAX];
};

struct bgp_caps {
	size_t		 nmp;			/* RFC 4760 multiprotocol */
	struct bgp_afisafi mp[BGP_CAPS_MP_MAX];
	bool		 route_refresh;		/* RFC 2918 (or the old code 128) */
	bool		 enhanced_rr;		/* RFC 7313 */
	bool		 ext_msg;		/* RFC 8654 */
	bool		 as4;			/* RFC 6793 */
	uint32_t	 as4_asn;
	bool		 gr;			/* RFC 4724 */
	uint16_t	 gr_flags;		/* BGP_GR_FLAG_RESTART | BGP_GR_FLAG_NOTIFICATION */
	uint16_t	 gr_time;		/* restart time, seconds (12 bits) */
	size_t		 ngr;
	struct bgp_gr_af gr_af[BGP_CAPS_GR_MAX];
	size_t		 nunknown;		/* kept (first BGP_CAPS_UNKNOWN_MAX) */
	size_t		 nunknown_dropped;	/* beyond that, counted only */
	struct bgp_cap_raw unknown[BGP_CAPS_UNKNOWN_MAX];
};

struct bgp_open {
	uint8_t		 version;
	uint16_t	 my_as;		/* 2-octet field: AS_TRANS for 4-octet ASNs */
	uint16_t	 hold_time;
	uint32_t	 bgp_id;	/* host order */
	bool		 has_caps;	/* a Capabilities optional parameter was present */
	struct bgp_caps	 caps;
};

/*
 * A local OPEN: version 4, my_as (AS_TRANS when asn > 65535), the AS4 capability
 * carrying asn, nothing else. Add families with bgp_caps_add_mp() and set the
 * other bgp_caps fields directly.
 */
void	bgp_open_init(struct bgp_open *o, uint32_t asn, uint16_t hold_time, uint32_t bgp_id);
int	bgp_caps_add_mp(struct bgp_caps *c, uint16_t afi, uint8_t safi);	/* -ENOSPC */
int	bgp_caps_add_gr_af(struct bgp_caps *c, uint16_t afi, uint8_t safi, uint8_t flags);
bool	bgp_caps_has_mp(const struct bgp_caps *c, uint16_t afi, uint8_t safi);
/* The peer's AS: the AS4 capability's value when present, else my_as. */
uint32_t bgp_open_asn(const struct bgp_open *o);

/*
 * Decode an OPEN body (len octets after the header). Malformed parameters or
 * capabilities (RFC 4271 §6.2, RFC 5492): -EBADMSG with err = OPEN Message Error
 * (subcode 0 for a malformed known parameter/capability, 4 for an unsupported
 * optional parameter). RFC 9072 extended optional parameters are understood.
 */
int	bgp_open_decode(const uint8_t *body, size_t len, struct bgp_open *o, struct bgp_err *err);
/*
 * Semantic checks of a received OPEN (RFC 4271 §6.2, RFC 6286, RFC 6793, RFC 7607):
 * version 4, peer AS == expected_as (0: any non-zero AS), AS4 capability
 * consistent with my_as, BGP identifier non-zero and != local_id for iBGP
 * (ibgp: expected_as is our own AS), hold time 0 or >= 3.
 * Returns 0 or -EBADMSG with err = SESSION_RESET / OPEN Message Error.
 */
int	bgp_open_check(const struct bgp_open *o, uint32_t expected_as, uint32_t local_id,
	    bool ibgp, struct bgp_err *err);
/* Encode a whole OPEN message (capabilities in one optional parameter). */
void	bgp_open_encode(struct buf_writer *bw, const struct bgp_open *o);
/*
 * Session parameters from what both sides sent: as4, ext_msg, families (MP
 * families both listed; plain IPv4 unicast when a side sent no MP capability at
 * all, RFC 4760 §8). ebgp/peer_as are left to the caller.
 */
void	bgp_caps_negotiate(const struct bgp_open *local, const struct bgp_open *remote,
	    struct bgp_wire_ctx *ctx);

/* ---- UPDATE ---- */

struct bgp_mp_reach {
	uint16_t	 afi;
	uint8_t		 safi;
	struct addr	 nexthop;	/* global (or IPv4) next hop */
	bool		 has_ll;
	struct addr	 nexthop_ll;	/* IPv6 link-local, RFC 2545 §3 */
	bool		 nh_v4_mapped;	/* nexthop is ::ffff:a.b.c.d: see docs/bgp.md */
	size_t		 nnlri;
	struct prefix	*nlri;
};

struct bgp_mp_unreach {
	uint16_t	 afi;
	uint8_t		 safi;
	size_t		 nwithdrawn;
	struct prefix	*withdrawn;
};

/*
 * A decoded UPDATE. Prefix arrays and attrs are owned; free with bgp_update_free().
 * If err.action after decoding is TREAT_AS_WITHDRAW, every prefix in nlri and
 * mp_reach.nlri must be handled as withdrawn (RFC 7606 §2), in addition to
 * withdrawn and mp_unreach.withdrawn. ATTR_DISCARD means attrs lacks the bad
 * attributes; process normally.
 */
/*
 * Scratch memory a receiver reuses from one UPDATE to the next (see
 * bgp_update_decode_arena()): base[0..cap), of which used are taken.
 */
struct bgp_arena {
	uint8_t		*base;
	size_t		 cap;
	size_t		 used;
};

struct bgp_update {
	size_t		 nwithdrawn;	/* IPv4 unicast, Withdrawn Routes field */
	struct prefix	*withdrawn;
	size_t		 nnlri;		/* IPv4 unicast, NLRI field */
	struct prefix	*nlri;
	bool		 has_mp_reach;
	struct bgp_mp_reach mp_reach;
	bool		 has_mp_unreach;
	struct bgp_mp_unreach mp_unreach;
	bool		 mp_ignored;	/* MP attribute of a family not negotiated: skipped */
	struct bgp_attrs attrs;
	size_t		 host_bits_cleared;	/* prefixes normalised (bits beyond length) */
	bool		 eor;		/* End-of-RIB marker (RFC 4724 §2) for eor_afi/safi */
	uint16_t	 eor_afi;
	uint8_t		 eor_safi;
	/* Non-NULL when the attributes other than MP_REACH/MP_UNREACH were received as
	 * one run of octets exactly as bgp_attrs_pack(&attrs) writes them (a 4-octet-AS
	 * session, known attributes in code order, plain flags, shortest length form,
	 * nothing discarded): that run, borrowed from the decoded body. */
	const uint8_t	*packed;
	size_t		 packed_len;
	/* Set by bgp_update_decode_arena(): the prefix lists, and on a 4-octet-AS session
	 * the AS_PATH and community arrays, come from it while it has room (malloc
	 * otherwise); bgp_update_free() leaves those alone. Such an UPDATE's arrays must
	 * not outlive the arena's next reuse, nor be reallocated or freed one by one
	 * (bgp_attrs_dup() a copy to keep or change them). */
	struct bgp_arena *arena;
};

void	bgp_update_init(struct bgp_update *u);
void	bgp_update_free(struct bgp_update *u);	/* accepts NULL; leaves u initialised */

/*
 * Decode an UPDATE body. Returns 0 when the UPDATE can be processed (err->action
 * NONE, ATTR_DISCARD, TREAT_AS_WITHDRAW or AFISAFI_DISABLE), -EBADMSG for
 * SESSION_RESET (err holds the NOTIFICATION), -ENOMEM. u is always freeable.
 */
int	bgp_update_decode(const struct bgp_wire_ctx *ctx, const uint8_t *body, size_t len,
	    struct bgp_update *u, struct bgp_err *err);
/*
 * The same with arena (emptied first) as u->arena: for a receiver that handles one
 * UPDATE at a time and frees it before the next, which then costs no malloc/free
 * for its lists.
 */
int	bgp_update_decode_arena(const struct bgp_wire_ctx *ctx, const uint8_t *body,
	    size_t len, struct bgp_update *u, struct bgp_err *err, struct bgp_arena *arena);
/* size octets for one of u's arrays: from u->arena when set and roomy, else malloc. */
void	*bgp_update_alloc(struct bgp_update *u, size_t size);
/* Free p, one of u's arrays, unless it lies in u->arena. Accepts NULL. */
void	bgp_update_release(const struct bgp_update *u, void *p);
/*
 * Encode u as one whole UPDATE message: MP_UNREACH and MP_REACH first (RFC 7606
 * §5.1), then attrs, classic withdrawn/NLRI for IPv4. Fails (sticky -EMSGSIZE)
 * when it exceeds bgp_wire_max_len(ctx).
 */
void	bgp_update_encode(const struct bgp_wire_ctx *ctx, struct buf_writer *bw,
	    const struct bgp_update *u);

/* Next hop(s) for announcements: IPv4, or IPv6 global with optional link-local. */
struct bgp_nexthop {
	struct addr	 global;
	bool		 has_ll;
	struct addr	 ll;
};

/*
 * Append ONE UPDATE message to bw carrying as many of the n prefixes as fit in
 * bgp_wire_max_len(ctx); all prefixes must be of one family. With attrs == NULL
 * the prefixes are withdrawn (IPv4: Withdrawn Routes; IPv6: MP_UNREACH).
 * Otherwise they are announced with attrs and nh (IPv4: classic NLRI with a
 * NEXT_HOP attribute from nh->global; IPv6: MP_REACH_NLRI with nh). attrs'
 * own next_hop is ignored. Returns the number of prefixes consumed (> 0),
 * or -EINVAL / -EMSGSIZE (attributes alone do not fit) / bw's error.
 * Loop until all are consumed; each call appends one message.
 */
int	bgp_update_pack(const struct bgp_wire_ctx *ctx, struct buf_writer *bw,
	    const struct bgp_attrs *attrs, const struct bgp_nexthop *nh,
	    const struct prefix *pfx, size_t n);
/* End-of-RIB (RFC 4724 §2): empty UPDATE for IPv4 unicast, MP_UNREACH without NLRI else. */
void	bgp_eor_encode(struct buf_writer *bw, uint16_t afi, uint8_t safi);

/* Prefix encoding shared with MP attributes: length octet + minimal address octets. */
void	bgp_prefix_put(struct buf_writer *bw, const struct prefix *p);
size_t	bgp_prefix_wire_len(const struct prefix *p);
/*
 * Decode every prefix in br (RFC 4271 §4.3 encoding) of family AF_INET or
 * AF_INET6 into a new malloc'ed array (*out, *n; NULL/0 when empty). Bits beyond
 * a prefix's length are cleared and counted into *cleared. Returns 0, -EBADMSG
 * (length above 32/128 or a prefix overrunning br: RFC 7606 §5.3 "incorrect"),
 * or -ENOMEM; on error nothing is allocated.
 */
int	bgp_nlri_decode(struct buf_reader *br, int family, struct prefix **out, size_t *n,
	    size_t *cleared);
/* The same, the array allocated with bgp_update_alloc(u, ...) (u may be NULL). */
int	bgp_nlri_decode_in(struct bgp_update *u, struct buf_reader *br, int family,
	    struct prefix **out, size_t *n, size_t *cleared);

/* ---- NOTIFICATION ---- */

struct bgp_notification {
	uint8_t		 code;
	uint8_t		 subcode;
	size_t		 datalen;		/* kept data (truncated to BGP_ERR_DATA_MAX) */
	bool		 truncated;
	uint8_t		 data[BGP_ERR_DATA_MAX];
	bool		 has_shutdown_msg;	/* RFC 8203/9003 communication, valid UTF-8 */
	char		 shutdown_msg[BGP_SHUTDOWN_MSG_MAX + 1];
};

/* Decode a NOTIFICATION body; only a body shorter than 2 octets fails (-EBADMSG). */
int	bgp_notification_decode(const uint8_t *body, size_t len, struct bgp_notification *n);
void	bgp_notification_encode(struct buf_writer *bw, uint8_t code, uint8_t subcode,
	    const void *data, size_t datalen);
/* The NOTIFICATION for a SESSION_RESET error. */
void	bgp_notification_encode_err(struct buf_writer *bw, const struct bgp_err *err);
/*
 * Cease with an RFC 8203/9003 shutdown communication (subcode ADMIN_SHUTDOWN or
 * ADMIN_RESET); msg (UTF-8, may be NULL) is cut to BGP_SHUTDOWN_MSG_MAX octets at
 * a character boundary.
 */
void	bgp_notification_encode_shutdown(struct buf_writer *bw, uint8_t subcode, const char *msg);
const char *bgp_err_code_name(uint8_t code);
const char *bgp_err_subcode_name(uint8_t code, uint8_t subcode);
/* "Cease/Administrative Shutdown: \"maintenance\"" or "UPDATE Message Error/... data 01 02". */
char	*bgp_notification_format(const struct bgp_notification *n, char *out, size_t outlen);

/* ---- KEEPALIVE and ROUTE-REFRESH ---- */

void	bgp_keepalive_encode(struct buf_writer *bw);

struct bgp_route_refresh {
	uint16_t	 afi;
	uint8_t		 subtype;	/* BGP_RR_NORMAL, BGP_RR_BORR, BGP_RR_EORR (RFC 7313) */
	uint8_t		 safi;
};

/*
 * Decode a ROUTE-REFRESH body. A BoRR/EoRR with a body other than 4 octets is
 * -EBADMSG with ROUTE-REFRESH Message Error / Invalid Message Length (RFC 7313 §5),
 * data = the whole message body. Unknown subtypes decode fine: the caller ignores them.
 */
int	bgp_route_refresh_decode(const uint8_t *body, size_t len, struct bgp_route_refresh *rr,
	    struct bgp_err *err);
void	bgp_route_refresh_encode(struct buf_writer *bw, uint16_t afi, uint8_t safi, uint8_t subtype);

/* ---- any message ---- */

struct bgp_msg {
	uint8_t		 type;
	union {
		struct bgp_open		 open;
		struct bgp_update	 update;
		struct bgp_notification	 notification;
		struct bgp_route_refresh route_refresh;
	} u;
};

/*
 * Decode one whole message (header included, exactly len octets): header check,
 * then the body decoder of its type. Returns as the body decoders do. Free with
 * bgp_msg_free() whatever the result.
 */
int	bgp_msg_decode(const struct bgp_wire_ctx *ctx, const uint8_t *msg, size_t len,
	    struct bgp_msg *m, struct bgp_err *err);
void	bgp_msg_free(struct bgp_msg *m);

#endif
