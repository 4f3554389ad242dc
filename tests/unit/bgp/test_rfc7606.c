// SPDX-License-Identifier: MIT
/*
 * RFC 7606 revised UPDATE error handling: one table of (attributes, flags, bytes)
 * -> expected action and NOTIFICATION code/subcode, each case named after the
 * clause it checks (RFC 7606, with RFC 4271 §6.3, RFC 4760 §7, RFC 6793 §6 and
 * RFC 7607 where they decide), plus a table of whole UPDATE bodies for the
 * framing rules (RFC 4271 §6.3, RFC 7606 §4, §5.3). Attribute and vector lengths
 * come from sizeof; only deliberately wrong length fields are written by hand.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bgp/msg.h"

/* An attribute whose length field is the size of its value. */
#define BYTES(...)	((const uint8_t[]){ __VA_ARGS__ })
#define NBYTES(...)	sizeof((const uint8_t[]){ __VA_ARGS__ })
#define ATTR(fl, code, ...)	(fl), (code), (uint8_t)NBYTES(__VA_ARGS__), __VA_ARGS__
#define ATTR0(fl, code)		(fl), (code), 0

#define WK	0x40	/* well-known: transitive */
#define OT	0xc0	/* optional transitive */
#define ON	0x80	/* optional non-transitive */
#define PARTIAL	0x20
#define EXTLEN	0x10

#define A_ORIGIN	ATTR(WK, BGP_ATTR_ORIGIN, BGP_ORIGIN_IGP)
#define A_PATH4		ATTR(WK, BGP_ATTR_AS_PATH, BGP_AS_SEQUENCE, 1, 0, 0, 0xfd, 0xe9)
#define A_PATH2		ATTR(WK, BGP_ATTR_AS_PATH, BGP_AS_SEQUENCE, 1, 0xfd, 0xe9)
#define A_NH		ATTR(WK, BGP_ATTR_NEXT_HOP, 192, 0, 2, 1)
/* MP_REACH IPv6 unicast, next hop 2001:db8::1, NLRI 2001:db8:1::/48 */
#define V6NH		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01
#define V6NLRI		48, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01
#define A_MPREACH	ATTR(ON, BGP_ATTR_MP_REACH_NLRI, 0, BGP_AFI_IPV6, BGP_SAFI_UNICAST, \
			    16, V6NH, 0, V6NLRI)

/* Context modes. */
#define M_AS4	0x1
#define M_EBGP	0x2
#define M_V6	0x4	/* IPv6 unicast negotiated too */
#define M_FIRST	0x8	/* check the first AS against 65001 */
#define M_NONLRI 0x10	/* no NLRI field */

struct case7606 {
	const char	*name;
	unsigned	 mode;
	const uint8_t	*attrs;
	size_t		 alen;
	enum bgp_action	 action;
	uint8_t		 subcode;	/* UPDATE Message Error subcode (0 for NONE) */
	int		 rc;
};

#define CASE(nm, md, act, sub, ...) \
	{ nm, md, BYTES(__VA_ARGS__), NBYTES(__VA_ARGS__), act, sub, \
	  (act) == BGP_ACT_SESSION_RESET ? -EBADMSG : 0 }

#define NONE	BGP_ACT_NONE
#define DISC	BGP_ACT_ATTR_DISCARD
#define TAW	BGP_ACT_TREAT_AS_WITHDRAW
#define AFD	BGP_ACT_AFISAFI_DISABLE
#define RESET	BGP_ACT_SESSION_RESET

static const struct case7606 cases[] = {
	CASE("baseline 4-octet", M_AS4, NONE, 0, A_ORIGIN, A_PATH4, A_NH),
	CASE("baseline 2-octet", 0, NONE, 0, A_ORIGIN, A_PATH2, A_NH),

	/* RFC 7606 §7.1 ORIGIN */
	CASE("7.1 ORIGIN length 2", M_AS4, TAW, BGP_ERR_UPD_LENGTH,
	    ATTR(WK, BGP_ATTR_ORIGIN, 0, 0), A_PATH4, A_NH),
	CASE("7.1 ORIGIN length 0", M_AS4, TAW, BGP_ERR_UPD_LENGTH,
	    ATTR0(WK, BGP_ATTR_ORIGIN), A_PATH4, A_NH),
	CASE("7.1 ORIGIN undefined value 3", M_AS4, TAW, BGP_ERR_UPD_ORIGIN,
	    ATTR(WK, BGP_ATTR_ORIGIN, 3), A_PATH4, A_NH),
	CASE("3(c) ORIGIN flagged optional", M_AS4, TAW, BGP_ERR_UPD_FLAGS,
	    ATTR(OT, BGP_ATTR_ORIGIN, 0), A_PATH4, A_NH),
	CASE("3(c) ORIGIN not transitive", M_AS4, TAW, BGP_ERR_UPD_FLAGS,
	    ATTR(0, BGP_ATTR_ORIGIN, 0), A_PATH4, A_NH),
	CASE("3(c) ORIGIN with Partial (RFC 4271 6.3)", M_AS4, TAW, BGP_ERR_UPD_FLAGS,
	    ATTR(WK | PARTIAL, BGP_ATTR_ORIGIN, 0), A_PATH4, A_NH),
	CASE("4 extended length on a short attribute is fine", M_AS4, NONE, 0,
	    WK | EXTLEN, BGP_ATTR_ORIGIN, 0, 1, 0, A_PATH4, A_NH),

	/* RFC 7606 §7.2 AS_PATH */
	CASE("7.2 AS_PATH segment type 0", M_AS4, TAW, BGP_ERR_UPD_AS_PATH, A_ORIGIN,
	    ATTR(WK, BGP_ATTR_AS_PATH, 0, 1, 0, 0, 0xfd, 0xe9), A_NH),
	CASE("7.2 AS_PATH segment type 5", M_AS4, TAW, BGP_ERR_UPD_AS_PATH, A_ORIGIN,
	    ATTR(WK, BGP_ATTR_AS_PATH, 5, 1, 0, 0, 0xfd, 0xe9), A_NH),
	CASE("7.2 AS_PATH zero-length segment", M_AS4, TAW, BGP_ERR_UPD_AS_PATH, A_ORIGIN,
	    ATTR(WK, BGP_ATTR_AS_PATH, BGP_AS_SEQUENCE, 0), A_NH),
	CASE("7.2 AS_PATH segment overrun", M_AS4, TAW, BGP_ERR_UPD_AS_PATH, A_ORIGIN,
	    ATTR(WK, BGP_ATTR_AS_PATH, BGP_AS_SEQUENCE, 2, 0, 0, 0xfd, 0xe9), A_NH),
	CASE("7.2 AS_PATH one octet after the last segment", M_AS4, TAW, BGP_ERR_UPD_AS_PATH,
	    A_ORIGIN, ATTR(WK, BGP_ATTR_AS_PATH, BGP_AS_SEQUENCE, 1, 0, 0, 0xfd, 0xe9, 2), A_NH),
	CASE("7.2 AS_PATH 2-octet path read on a 4-octet session", M_AS4, TAW,
	    BGP_ERR_UPD_AS_PATH, A_ORIGIN, A_PATH2, A_NH),
	CASE("RFC 7607 AS 0 in AS_PATH", M_AS4, TAW, BGP_ERR_UPD_AS_PATH, A_ORIGIN,
	    ATTR(WK, BGP_ATTR_AS_PATH, BGP_AS_SEQUENCE, 2, 0, 0, 0xfd, 0xe9, 0, 0, 0, 0), A_NH),
	CASE("7.2 confederation segment from an external peer", M_AS4 | M_EBGP, TAW,
	    BGP_ERR_UPD_AS_PATH, A_ORIGIN, ATTR(WK, BGP_ATTR_AS_PATH, BGP_AS_CONFED_SEQUENCE, 1,
	    0, 0, 0xfd, 0xea, BGP_AS_SEQUENCE, 1, 0, 0, 0xfd, 0xe9), A_NH),
	CASE("7.2 confederation segment from an internal peer", M_AS4, NONE, 0, A_ORIGIN,
	    ATTR(WK, BGP_ATTR_AS_PATH, BGP_AS_CONFED_SEQUENCE, 1, 0, 0, 0xfd, 0xea), A_NH),
	CASE("5 empty AS_PATH (zero length allowed)", M_AS4, NONE, 0, A_ORIGIN,
	    ATTR0(WK, BGP_ATTR_AS_PATH), A_NH),
	CASE("RFC 4271 6.3 first AS is not the peer's", M_AS4 | M_EBGP | M_FIRST, TAW,
	    BGP_ERR_UPD_AS_PATH, A_ORIGIN,
	    ATTR(WK, BGP_ATTR_AS_PATH, BGP_AS_SEQUENCE, 1, 0, 0, 0xfd, 0xea), A_NH),
	CASE("RFC 4271 6.3 first AS is the peer's", M_AS4 | M_EBGP | M_FIRST, NONE, 0,
	    A_ORIGIN, A_PATH4, A_NH),
	CASE("3(c) AS_PATH flagged optional", M_AS4, TAW, BGP_ERR_UPD_FLAGS, A_ORIGIN,
	    ATTR(OT, BGP_ATTR_AS_PATH, BGP_AS_SEQUENCE, 1, 0, 0, 0xfd, 0xe9), A_NH),

	/* RFC 7606 §7.3 NEXT_HOP */
	CASE("7.3 NEXT_HOP length 5", M_AS4, TAW, BGP_ERR_UPD_LENGTH, A_ORIGIN, A_PATH4,
	    ATTR(WK, BGP_ATTR_NEXT_HOP, 192, 0, 2, 1, 0)),
	CASE("7.3 NEXT_HOP 0.0.0.0", M_AS4, TAW, BGP_ERR_UPD_NEXTHOP, A_ORIGIN, A_PATH4,
	    ATTR(WK, BGP_ATTR_NEXT_HOP, 0, 0, 0, 0)),
	CASE("7.3 NEXT_HOP loopback", M_AS4, TAW, BGP_ERR_UPD_NEXTHOP, A_ORIGIN, A_PATH4,
	    ATTR(WK, BGP_ATTR_NEXT_HOP, 127, 0, 0, 1)),
	CASE("7.3 NEXT_HOP multicast", M_AS4, TAW, BGP_ERR_UPD_NEXTHOP, A_ORIGIN, A_PATH4,
	    ATTR(WK, BGP_ATTR_NEXT_HOP, 224, 0, 0, 5)),
	CASE("7.3 NEXT_HOP broadcast", M_AS4, TAW, BGP_ERR_UPD_NEXTHOP, A_ORIGIN, A_PATH4,
	    ATTR(WK, BGP_ATTR_NEXT_HOP, 255, 255, 255, 255)),

	/* RFC 7606 §7.4 MULTI_EXIT_DISC, §7.5 LOCAL_PREF */
	CASE("7.4 MED length 3", M_AS4, TAW, BGP_ERR_UPD_LENGTH, A_ORIGIN, A_PATH4, A_NH,
	    ATTR(ON, BGP_ATTR_MED, 0, 0, 1)),
	CASE("3(c) MED flagged well-known", M_AS4, TAW, BGP_ERR_UPD_FLAGS, A_ORIGIN, A_PATH4,
	    A_NH, ATTR(WK, BGP_ATTR_MED, 0, 0, 0, 1)),
	CASE("7.5 LOCAL_PREF length 2", M_AS4, TAW, BGP_ERR_UPD_LENGTH, A_ORIGIN, A_PATH4, A_NH,
	    ATTR(WK, BGP_ATTR_LOCAL_PREF, 0, 100)),
	CASE("7.5 LOCAL_PREF from an external peer is discarded", M_AS4 | M_EBGP, DISC,
	    BGP_ERR_UPD_OPTIONAL, A_ORIGIN, A_PATH4, A_NH,
	    ATTR(WK, BGP_ATTR_LOCAL_PREF, 0, 0, 0, 100)),

	CASE("7.5 LOCAL_PREF of a bad length from an external peer is discarded", M_AS4 | M_EBGP,
	    DISC, BGP_ERR_UPD_OPTIONAL, A_ORIGIN, A_PATH4, A_NH,
	    ATTR(WK, BGP_ATTR_LOCAL_PREF, 0, 100)),
	CASE("7.5 LOCAL_PREF with bad flags from an external peer is discarded", M_AS4 | M_EBGP,
	    DISC, BGP_ERR_UPD_OPTIONAL, A_ORIGIN, A_PATH4, A_NH,
	    ATTR(OT, BGP_ATTR_LOCAL_PREF, 0, 0, 0, 100)),

	/* RFC 7606 §7.6 ATOMIC_AGGREGATE, §7.7 AGGREGATOR */
	CASE("7.6 ATOMIC_AGGREGATE length 1", M_AS4, DISC, BGP_ERR_UPD_LENGTH, A_ORIGIN, A_PATH4,
	    A_NH, ATTR(WK, BGP_ATTR_ATOMIC_AGGREGATE, 0)),
	CASE("7.7 AGGREGATOR length 7", M_AS4, DISC, BGP_ERR_UPD_LENGTH, A_ORIGIN, A_PATH4, A_NH,
	    ATTR(OT, BGP_ATTR_AGGREGATOR, 0, 0, 0xfd, 0xe9, 10, 0, 0)),
	CASE("7.7 AGGREGATOR 4-octet form on a 2-octet session", 0, DISC, BGP_ERR_UPD_LENGTH,
	    A_ORIGIN, A_PATH2, A_NH, ATTR(OT, BGP_ATTR_AGGREGATOR, 0, 0, 0xfd, 0xe9, 10, 0, 0, 1)),
	CASE("7.7 AGGREGATOR length 0", M_AS4, DISC, BGP_ERR_UPD_LENGTH, A_ORIGIN, A_PATH4, A_NH,
	    ATTR0(OT, BGP_ATTR_AGGREGATOR)),
	CASE("RFC 7607 AGGREGATOR AS 0", M_AS4, DISC, BGP_ERR_UPD_OPTIONAL, A_ORIGIN, A_PATH4,
	    A_NH, ATTR(OT, BGP_ATTR_AGGREGATOR, 0, 0, 0, 0, 10, 0, 0, 1)),

	/* RFC 7606 §7.8 COMMUNITIES, RFC 8092 §6, RFC 7606 §7.14 */
	CASE("7.8 COMMUNITIES length 5", M_AS4, TAW, BGP_ERR_UPD_LENGTH, A_ORIGIN, A_PATH4, A_NH,
	    ATTR(OT, BGP_ATTR_COMMUNITIES, 0xfd, 0xe8, 0, 1, 0)),
	CASE("7.8 COMMUNITIES length 0", M_AS4, TAW, BGP_ERR_UPD_LENGTH, A_ORIGIN, A_PATH4, A_NH,
	    ATTR0(OT, BGP_ATTR_COMMUNITIES)),
	CASE("3(c) COMMUNITIES non-transitive", M_AS4, TAW, BGP_ERR_UPD_FLAGS, A_ORIGIN, A_PATH4,
	    A_NH, ATTR(ON, BGP_ATTR_COMMUNITIES, 0xfd, 0xe8, 0, 1)),
	CASE("RFC 8092 6 LARGE_COMMUNITY length 13", M_AS4, TAW, BGP_ERR_UPD_LENGTH, A_ORIGIN,
	    A_PATH4, A_NH, ATTR(OT, BGP_ATTR_LARGE_COMMUNITIES, 0, 0, 0xfd, 0xe8, 0, 0, 0, 1, 0,
	    0, 0, 2, 9)),
	CASE("7.14 EXTENDED_COMMUNITIES length 7", M_AS4, TAW, BGP_ERR_UPD_LENGTH, A_ORIGIN,
	    A_PATH4, A_NH, ATTR(OT, BGP_ATTR_EXT_COMMUNITIES, 0, 2, 0xfd, 0xe8, 0, 0, 1)),

	/* RFC 7606 §7.9 ORIGINATOR_ID, §7.10 CLUSTER_LIST */
	CASE("7.9 ORIGINATOR_ID length 3", M_AS4, TAW, BGP_ERR_UPD_LENGTH, A_ORIGIN, A_PATH4, A_NH,
	    ATTR(ON, BGP_ATTR_ORIGINATOR_ID, 10, 0, 0)),
	CASE("7.9 ORIGINATOR_ID from an external peer is discarded", M_AS4 | M_EBGP, DISC,
	    BGP_ERR_UPD_OPTIONAL, A_ORIGIN, A_PATH4, A_NH,
	    ATTR(ON, BGP_ATTR_ORIGINATOR_ID, 10, 0, 0, 1)),
	CASE("7.9 ORIGINATOR_ID of a bad length from an external peer is discarded",
	    M_AS4 | M_EBGP, DISC, BGP_ERR_UPD_OPTIONAL, A_ORIGIN, A_PATH4, A_NH,
	    ATTR(ON, BGP_ATTR_ORIGINATOR_ID, 10, 0, 0)),
	CASE("7.10 CLUSTER_LIST of a bad length from an external peer is discarded",
	    M_AS4 | M_EBGP, DISC, BGP_ERR_UPD_OPTIONAL, A_ORIGIN, A_PATH4, A_NH,
	    ATTR(ON, BGP_ATTR_CLUSTER_LIST, 10, 0, 0)),
	CASE("7.10 CLUSTER_LIST length 6", M_AS4, TAW, BGP_ERR_UPD_LENGTH, A_ORIGIN, A_PATH4, A_NH,
	    ATTR(ON, BGP_ATTR_CLUSTER_LIST, 10, 0, 0, 1, 0, 0)),
	CASE("7.10 CLUSTER_LIST from an external peer is discarded", M_AS4 | M_EBGP, DISC,
	    BGP_ERR_UPD_OPTIONAL, A_ORIGIN, A_PATH4, A_NH,
	    ATTR(ON, BGP_ATTR_CLUSTER_LIST, 10, 0, 0, 1)),

	/* RFC 7606 §7.11 MP_REACH_NLRI / MP_UNREACH_NLRI, RFC 4760 §7 */
	CASE("baseline MP_REACH IPv6 without classic NLRI or NEXT_HOP", M_AS4 | M_V6 | M_NONLRI,
	    NONE, 0, A_MPREACH, A_ORIGIN, A_PATH4),
	CASE("7.11 MP_REACH next hop length 12", M_AS4 | M_V6 | M_NONLRI, AFD,
	    BGP_ERR_UPD_OPTIONAL, ATTR(ON, BGP_ATTR_MP_REACH_NLRI, 0, BGP_AFI_IPV6,
	    BGP_SAFI_UNICAST, 12, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 1, 0, V6NLRI),
	    A_ORIGIN, A_PATH4),
	CASE("7.11 MP_REACH next hop runs past the attribute", M_AS4 | M_V6 | M_NONLRI, AFD,
	    BGP_ERR_UPD_OPTIONAL, ATTR(ON, BGP_ATTR_MP_REACH_NLRI, 0, BGP_AFI_IPV6,
	    BGP_SAFI_UNICAST, 16, 0x20, 0x01), A_ORIGIN, A_PATH4),
	CASE("7.11 MP_REACH IPv4 next hop length 16", M_AS4 | M_V6 | M_NONLRI, AFD,
	    BGP_ERR_UPD_OPTIONAL, ATTR(ON, BGP_ATTR_MP_REACH_NLRI, 0, BGP_AFI_IPV4,
	    BGP_SAFI_UNICAST, 16, V6NH, 0, 8, 10), A_ORIGIN, A_PATH4),
	CASE("7.11 MP_REACH too short for AFI/SAFI", M_AS4 | M_V6, RESET, BGP_ERR_UPD_OPTIONAL,
	    ATTR(ON, BGP_ATTR_MP_REACH_NLRI, 0, BGP_AFI_IPV6), A_ORIGIN, A_PATH4, A_NH),
	CASE("5.3 MP_REACH prefix length 129", M_AS4 | M_V6 | M_NONLRI, AFD, BGP_ERR_UPD_OPTIONAL,
	    ATTR(ON, BGP_ATTR_MP_REACH_NLRI, 0, BGP_AFI_IPV6, BGP_SAFI_UNICAST, 16, V6NH, 0, 129,
	    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), A_ORIGIN, A_PATH4),
	CASE("5.3 MP_REACH prefix overrun", M_AS4 | M_V6 | M_NONLRI, AFD, BGP_ERR_UPD_OPTIONAL,
	    ATTR(ON, BGP_ATTR_MP_REACH_NLRI, 0, BGP_AFI_IPV6, BGP_SAFI_UNICAST, 16, V6NH, 0, 64,
	    0x20, 0x01), A_ORIGIN, A_PATH4),
	CASE("5.3 MP_UNREACH prefix length 200", M_AS4 | M_V6 | M_NONLRI, AFD,
	    BGP_ERR_UPD_OPTIONAL, ATTR(ON, BGP_ATTR_MP_UNREACH_NLRI, 0, BGP_AFI_IPV6,
	    BGP_SAFI_UNICAST, 200, 0)),
	CASE("7.11 MP_UNREACH length 2", M_AS4 | M_V6 | M_NONLRI, RESET, BGP_ERR_UPD_OPTIONAL,
	    ATTR(ON, BGP_ATTR_MP_UNREACH_NLRI, 0, BGP_AFI_IPV6)),
	CASE("3(g) MP_REACH twice", M_AS4 | M_V6 | M_NONLRI, RESET, BGP_ERR_UPD_ATTR_LIST,
	    A_MPREACH, A_MPREACH, A_ORIGIN, A_PATH4),
	CASE("3(g) MP_UNREACH twice", M_AS4 | M_V6 | M_NONLRI, RESET, BGP_ERR_UPD_ATTR_LIST,
	    ATTR(ON, BGP_ATTR_MP_UNREACH_NLRI, 0, BGP_AFI_IPV6, BGP_SAFI_UNICAST),
	    ATTR(ON, BGP_ATTR_MP_UNREACH_NLRI, 0, BGP_AFI_IPV6, BGP_SAFI_UNICAST)),
	CASE("3(c) MP_REACH flagged transitive", M_AS4 | M_V6 | M_NONLRI, TAW, BGP_ERR_UPD_FLAGS,
	    ATTR(OT, BGP_ATTR_MP_REACH_NLRI, 0, BGP_AFI_IPV6, BGP_SAFI_UNICAST, 16, V6NH, 0,
	    V6NLRI), A_ORIGIN, A_PATH4),
	CASE("RFC 4760 6 MP_REACH of a family not negotiated is skipped", M_AS4 | M_NONLRI, NONE,
	    0, A_MPREACH, A_ORIGIN, A_PATH4),
	CASE("MP_REACH multicast IPv6 next hop", M_AS4 | M_V6 | M_NONLRI, TAW,
	    BGP_ERR_UPD_NEXTHOP, ATTR(ON, BGP_ATTR_MP_REACH_NLRI, 0, BGP_AFI_IPV6,
	    BGP_SAFI_UNICAST, 16, 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, V6NLRI),
	    A_ORIGIN, A_PATH4),
	CASE("3(j) MP_REACH length overruns the attribute list", M_AS4 | M_V6 | M_NONLRI, RESET,
	    BGP_ERR_UPD_ATTR_LIST, A_ORIGIN, A_PATH4, ON, BGP_ATTR_MP_REACH_NLRI, 40, 0,
	    BGP_AFI_IPV6, BGP_SAFI_UNICAST),

	/* RFC 7606 §3 (g) duplicates */
	CASE("3(g) ORIGIN twice: first kept", M_AS4, DISC, BGP_ERR_UPD_ATTR_LIST, A_ORIGIN,
	    ATTR(WK, BGP_ATTR_ORIGIN, BGP_ORIGIN_INCOMPLETE), A_PATH4, A_NH),
	CASE("3(g) COMMUNITIES twice", M_AS4, DISC, BGP_ERR_UPD_ATTR_LIST, A_ORIGIN, A_PATH4,
	    A_NH, ATTR(OT, BGP_ATTR_COMMUNITIES, 0xfd, 0xe8, 0, 1),
	    ATTR(OT, BGP_ATTR_COMMUNITIES, 0xfd, 0xe8, 0, 2)),
	CASE("3(g) unknown attribute twice", M_AS4, DISC, BGP_ERR_UPD_ATTR_LIST, A_ORIGIN,
	    A_PATH4, A_NH, ATTR(OT, 99, 1), ATTR(OT, 99, 2)),

	/* RFC 7606 §3 (d) missing well-known mandatory attributes */
	CASE("3(d) missing ORIGIN", M_AS4, TAW, BGP_ERR_UPD_MISSING, A_PATH4, A_NH),
	CASE("3(d) missing AS_PATH", M_AS4, TAW, BGP_ERR_UPD_MISSING, A_ORIGIN, A_NH),
	CASE("3(d) missing NEXT_HOP with classic NLRI", M_AS4, TAW, BGP_ERR_UPD_MISSING, A_ORIGIN,
	    A_PATH4),
	CASE("3(d) missing ORIGIN with MP_REACH NLRI", M_AS4 | M_V6 | M_NONLRI, TAW,
	    BGP_ERR_UPD_MISSING, A_MPREACH, A_PATH4),
	CASE("3(d) classic NLRI next to MP_REACH still needs NEXT_HOP", M_AS4 | M_V6, TAW,
	    BGP_ERR_UPD_MISSING, A_MPREACH, A_ORIGIN, A_PATH4),
	CASE("3(d) attributes without NLRI need nothing", M_AS4 | M_NONLRI, NONE, 0,
	    ATTR(ON, BGP_ATTR_MED, 0, 0, 0, 1)),

	/* RFC 7606 §4 attribute length vs Total Attribute Length */
	CASE("4 last attribute overruns the list", M_AS4, TAW, BGP_ERR_UPD_LENGTH, A_ORIGIN,
	    A_PATH4, A_NH, OT, BGP_ATTR_COMMUNITIES, 8, 0xfd, 0xe8, 0, 1),
	CASE("4 fewer than 3 octets left", M_AS4, TAW, BGP_ERR_UPD_ATTR_LIST, A_ORIGIN, A_PATH4,
	    A_NH, OT, BGP_ATTR_COMMUNITIES),
	CASE("4 extended length with 3 octets left", M_AS4, TAW, BGP_ERR_UPD_ATTR_LIST, A_ORIGIN,
	    A_PATH4, A_NH, OT | EXTLEN, BGP_ATTR_COMMUNITIES, 0),

	/* Unrecognized attributes (RFC 4271 §5, §6.3) */
	CASE("RFC 4271 6.3 unrecognized well-known attribute", M_AS4, RESET, BGP_ERR_UPD_WELLKNOWN,
	    A_ORIGIN, A_PATH4, A_NH, ATTR(WK, 99, 1, 2, 3)),
	CASE("RFC 4271 5 unknown optional transitive is kept", M_AS4, NONE, 0, A_ORIGIN, A_PATH4,
	    A_NH, ATTR(OT, 99, 1, 2, 3)),
	CASE("RFC 4271 5 unknown optional non-transitive is dropped", M_AS4, NONE, 0, A_ORIGIN,
	    A_PATH4, A_NH, ATTR(ON, 98, 1, 2, 3)),

	/* RFC 6793 §6 AS4_PATH / AS4_AGGREGATOR */
	CASE("RFC 6793 6 AS4_PATH between NEW speakers", M_AS4, DISC, BGP_ERR_UPD_OPTIONAL,
	    A_ORIGIN, A_PATH4, A_NH, ATTR(OT, BGP_ATTR_AS4_PATH, BGP_AS_SEQUENCE, 1, 0, 0, 0xfd,
	    0xe9)),
	CASE("RFC 6793 6 AS4_PATH odd length", 0, DISC, BGP_ERR_UPD_OPTIONAL, A_ORIGIN, A_PATH2,
	    A_NH, ATTR(OT, BGP_ATTR_AS4_PATH, BGP_AS_SEQUENCE, 1, 0, 0, 0xfd)),
	CASE("RFC 6793 6 AS4_PATH zero-length segment", 0, DISC, BGP_ERR_UPD_OPTIONAL, A_ORIGIN,
	    A_PATH2, A_NH, ATTR(OT, BGP_ATTR_AS4_PATH, BGP_AS_SEQUENCE, 0, BGP_AS_SEQUENCE, 1, 0,
	    0, 0xfd, 0xe9)),
	CASE("RFC 6793 6 AS4_PATH bad segment type", 0, DISC, BGP_ERR_UPD_OPTIONAL, A_ORIGIN,
	    A_PATH2, A_NH, ATTR(OT, BGP_ATTR_AS4_PATH, 7, 1, 0, 0, 0xfd, 0xe9)),
	CASE("RFC 6793 6 AS4_PATH flagged non-transitive", 0, DISC, BGP_ERR_UPD_FLAGS, A_ORIGIN,
	    A_PATH2, A_NH, ATTR(ON, BGP_ATTR_AS4_PATH, BGP_AS_SEQUENCE, 1, 0, 0, 0xfd, 0xe9)),
	CASE("RFC 7607 AS 0 in AS4_PATH", 0, TAW, BGP_ERR_UPD_OPTIONAL, A_ORIGIN, A_PATH2, A_NH,
	    ATTR(OT, BGP_ATTR_AS4_PATH, BGP_AS_SEQUENCE, 1, 0, 0, 0, 0)),
	CASE("RFC 6793 6 AS4_AGGREGATOR length 6", 0, DISC, BGP_ERR_UPD_OPTIONAL, A_ORIGIN,
	    A_PATH2, A_NH, ATTR(OT, BGP_ATTR_AS4_AGGREGATOR, 0, 1, 10, 0, 0, 1)),

	/* RFC 7606 §3 (h): the strongest action wins */
	CASE("3(h) discard and withdraw: withdraw", M_AS4, TAW, BGP_ERR_UPD_ORIGIN,
	    ATTR(WK, BGP_ATTR_ATOMIC_AGGREGATE, 0), ATTR(WK, BGP_ATTR_ORIGIN, 9), A_PATH4, A_NH),
	CASE("3(h) withdraw and reset: reset", M_AS4, RESET, BGP_ERR_UPD_WELLKNOWN,
	    ATTR(WK, BGP_ATTR_ORIGIN, 9), A_PATH4, A_NH, ATTR(WK, 97, 0)),
};

static void
ctx_for(unsigned mode, struct bgp_wire_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->as4 = mode & M_AS4;
	ctx->ebgp = mode & M_EBGP;
	ctx->families = BGP_FAM_BIT(BGP_FAM_IPV4_UNICAST);
	if (mode & M_V6)
		ctx->families |= BGP_FAM_BIT(BGP_FAM_IPV6_UNICAST);
	if (mode & M_FIRST) {
		ctx->check_first_as = true;
		ctx->peer_as = 65001;
	}
}

/* withdrawn length 0, attribute length, attributes, NLRI 10.0.0.0/8 (unless M_NONLRI). */
static size_t
body_for(const struct case7606 *c, uint8_t *out, size_t cap)
{
	static const uint8_t nlri[] = { 8, 10 };
	struct buf_writer bw;

	bw_init(&bw, out, cap);
	bw_be16(&bw, 0);
	bw_be16(&bw, (uint16_t)c->alen);
	bw_bytes(&bw, c->attrs, c->alen);
	if (!(c->mode & M_NONLRI))
		bw_bytes(&bw, nlri, sizeof(nlri));
	assert_int_equal(bw_error(&bw), 0);
	return bw.len;
}

static void
test_rfc7606_case_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct case7606 *c = &cases[i];
		uint8_t body[512];
		struct bgp_wire_ctx ctx;
		struct bgp_update u;
		struct bgp_err err;
		size_t len;
		int rc;

		ctx_for(c->mode, &ctx);
		len = body_for(c, body, sizeof(body));
		bgp_err_clear(&err);
		rc = bgp_update_decode(&ctx, body, len, &u, &err);
		if (rc != c->rc || err.action != c->action ||
		    (c->action != BGP_ACT_NONE && (err.code != BGP_ERR_UPDATE ||
		    err.subcode != c->subcode)))
			fail_msg("case \"%s\": rc %d action %s %u/%u (%s); want rc %d %s %u/%u",
			    c->name, rc, bgp_action_name(err.action), err.code, err.subcode,
			    err.reason, c->rc, bgp_action_name(c->action), BGP_ERR_UPDATE,
			    c->subcode);
		/* Treat-as-withdraw needs every NLRI located (RFC 7606 §3 (j)). */
		if (c->action == BGP_ACT_TREAT_AS_WITHDRAW && !(c->mode & M_NONLRI) &&
		    u.nnlri != 1)
			fail_msg("case \"%s\": NLRI not located", c->name);
		bgp_update_free(&u);
	}
}

/* Details the table cannot express. */

static const struct case7606 *
find(const char *name)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (strcmp(cases[i].name, name) == 0)
			return &cases[i];
	fail_msg("no case %s", name);
	return NULL;
}

static int
run(const char *name, struct bgp_update *u, struct bgp_err *err)
{
	const struct case7606 *c = find(name);
	static uint8_t body[512];
	struct bgp_wire_ctx ctx;
	size_t len;

	ctx_for(c->mode, &ctx);
	len = body_for(c, body, sizeof(body));
	bgp_err_clear(err);
	return bgp_update_decode(&ctx, body, len, u, err);
}

static void
test_rfc7606_3g_first_occurrence_kept(void **state)
{
	struct bgp_update u;
	struct bgp_err err;

	(void)state;
	run("3(g) ORIGIN twice: first kept", &u, &err);
	assert_int_equal(u.attrs.origin, BGP_ORIGIN_IGP);
	assert_int_equal(err.ndiscarded, 1);
	bgp_update_free(&u);
	run("3(g) COMMUNITIES twice", &u, &err);
	assert_int_equal(u.attrs.ncommunities, 1);
	assert_int_equal(u.attrs.communities[0], 0xfde80001);
	bgp_update_free(&u);
}

static void
test_rfc4271_6_3_notification_data(void **state)
{
	static const uint8_t wk[] = { ATTR(WK, 99, 1, 2, 3) };
	struct bgp_update u;
	struct bgp_err err;

	(void)state;
	/* Unrecognized well-known: data is the whole attribute. */
	assert_int_equal(run("RFC 4271 6.3 unrecognized well-known attribute", &u, &err),
	    -EBADMSG);
	assert_int_equal(err.datalen, sizeof(wk));
	assert_memory_equal(err.data, wk, sizeof(wk));
	bgp_update_free(&u);
	/* Missing well-known: data is the type code. */
	run("3(d) missing AS_PATH", &u, &err);
	assert_int_equal(err.datalen, 1);
	assert_int_equal(err.data[0], BGP_ATTR_AS_PATH);
	bgp_update_free(&u);
	/* Duplicate MP_REACH: Malformed Attribute List carries no data. */
	run("3(g) MP_REACH twice", &u, &err);
	assert_int_equal(err.datalen, 0);
	bgp_update_free(&u);
}

static void
test_rfc7606_discard_removes_attribute(void **state)
{
	struct bgp_update u;
	struct bgp_err err;

	(void)state;
	run("7.5 LOCAL_PREF from an external peer is discarded", &u, &err);
	assert_false(bgp_attrs_has(&u.attrs, BGP_ATTR_LOCAL_PREF));
	assert_true(bgp_attrs_has(&u.attrs, BGP_ATTR_NEXT_HOP));
	bgp_update_free(&u);
	run("7.7 AGGREGATOR length 7", &u, &err);
	assert_false(bgp_attrs_has(&u.attrs, BGP_ATTR_AGGREGATOR));
	bgp_update_free(&u);
	run("7.6 ATOMIC_AGGREGATE length 1", &u, &err);
	assert_false(bgp_attrs_has(&u.attrs, BGP_ATTR_ATOMIC_AGGREGATE));
	bgp_update_free(&u);
}

static void
test_rfc4760_7_afisafi_disable_names_family(void **state)
{
	struct bgp_update u;
	struct bgp_err err;

	(void)state;
	run("7.11 MP_REACH next hop length 12", &u, &err);
	assert_int_equal(err.afi, BGP_AFI_IPV6);
	assert_int_equal(err.safi, BGP_SAFI_UNICAST);
	assert_int_equal(err.attr, BGP_ATTR_MP_REACH_NLRI);
	bgp_update_free(&u);
}

static void
test_rfc7606_3c_mp_reach_flags_still_parsed(void **state)
{
	struct bgp_update u;
	struct bgp_err err;

	(void)state;
	/* Treat-as-withdraw on an MP_REACH flags error needs its NLRI. */
	run("3(c) MP_REACH flagged transitive", &u, &err);
	assert_true(u.has_mp_reach);
	assert_int_equal(u.mp_reach.nnlri, 1);
	bgp_update_free(&u);
	run("RFC 4760 6 MP_REACH of a family not negotiated is skipped", &u, &err);
	assert_true(u.mp_ignored);
	assert_false(u.has_mp_reach);
	bgp_update_free(&u);
}

static void
test_rfc4271_5_unknown_transitive_kept_bytes(void **state)
{
	static const uint8_t val[] = { 1, 2, 3 };
	struct bgp_update u;
	struct bgp_err err;

	(void)state;
	run("RFC 4271 5 unknown optional transitive is kept", &u, &err);
	assert_int_equal(u.attrs.nunknown, 1);
	assert_int_equal(u.attrs.unknown[0].code, 99);
	assert_int_equal(u.attrs.unknown[0].flags, OT);
	assert_int_equal(u.attrs.unknown[0].len, sizeof(val));
	assert_memory_equal(u.attrs.unknown[0].data, val, sizeof(val));
	bgp_update_free(&u);
	run("RFC 4271 5 unknown optional non-transitive is dropped", &u, &err);
	assert_int_equal(u.attrs.nunknown, 0);
	bgp_update_free(&u);
}

/* ---- whole UPDATE bodies: framing rules ---- */

struct body_case {
	const char	*name;
	const uint8_t	*body;
	size_t		 len;
	enum bgp_action	 action;
	uint8_t		 subcode;
};

#define BODY(nm, act, sub, ...) { nm, BYTES(__VA_ARGS__), NBYTES(__VA_ARGS__), act, sub }

static const struct body_case bodies[] = {
	BODY("RFC 4271 6.3 withdrawn length beyond the message", RESET, BGP_ERR_UPD_ATTR_LIST,
	    0, 10, 8, 10, 0, 0),
	BODY("RFC 4271 6.3 attribute length beyond the message", RESET, BGP_ERR_UPD_ATTR_LIST,
	    0, 0, 0, 30, A_ORIGIN),
	BODY("RFC 4271 6.3 no attribute length field", RESET, BGP_ERR_UPD_ATTR_LIST, 0, 0, 0),
	BODY("5.3 NLRI prefix length 33", RESET, BGP_ERR_UPD_NETWORK, 0, 0, 0, 0, 33, 10, 0, 0,
	    0, 0),
	BODY("5.3 NLRI prefix overrun", RESET, BGP_ERR_UPD_NETWORK, 0, 0, 0, 0, 24, 10, 0),
	BODY("3(h) withdrawn prefix length 40", RESET, BGP_ERR_UPD_NETWORK, 0, 2, 40, 10, 0, 0),
	BODY("3(h) withdrawn prefix overrun", RESET, BGP_ERR_UPD_NETWORK, 0, 2, 16, 10, 0, 0),
	BODY("withdraw-only UPDATE", NONE, 0, 0, 3, 16, 10, 1, 0, 0),
	BODY("3(d) NLRI with no attributes at all", TAW, BGP_ERR_UPD_MISSING, 0, 0, 0, 0, 8, 10),
};

static void
test_update_framing_table(void **state)
{
	struct bgp_wire_ctx ctx = { .as4 = true };

	(void)state;
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		const struct body_case *c = &bodies[i];
		struct bgp_update u;
		struct bgp_err err;
		int rc;

		bgp_err_clear(&err);
		rc = bgp_update_decode(&ctx, c->body, c->len, &u, &err);
		if (err.action != c->action || (rc != 0) != (c->action == RESET) ||
		    (c->action != NONE && err.subcode != c->subcode))
			fail_msg("body \"%s\": rc %d %s %u/%u (%s)", c->name, rc,
			    bgp_action_name(err.action), err.code, err.subcode, err.reason);
		bgp_update_free(&u);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc7606_case_table),
		cmocka_unit_test(test_rfc7606_3g_first_occurrence_kept),
		cmocka_unit_test(test_rfc4271_6_3_notification_data),
		cmocka_unit_test(test_rfc7606_discard_removes_attribute),
		cmocka_unit_test(test_rfc4760_7_afisafi_disable_names_family),
		cmocka_unit_test(test_rfc7606_3c_mp_reach_flags_still_parsed),
		cmocka_unit_test(test_rfc4271_5_unknown_transitive_kept_bytes),
		cmocka_unit_test(test_update_framing_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
