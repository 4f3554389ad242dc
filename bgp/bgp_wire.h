/* SPDX-License-Identifier: MIT */
/*
 * BGP-4 wire constants: message types and sizes, NOTIFICATION codes and subcodes,
 * OPEN optional parameters, capability codes, path attribute codes and flags,
 * AFI/SAFI, well-known communities. Only named numbers from the RFCs live here;
 * no types, no functions. Every other bgp/ file uses these names instead of literals.
 */
#ifndef CUTOVER_BGP_WIRE_H
#define CUTOVER_BGP_WIRE_H

/* ---- message header (RFC 4271 §4.1) ---- */
#define BGP_PORT		179
#define BGP_VERSION		4
#define BGP_MARKER_LEN		16
#define BGP_HDR_LEN		19	/* marker + length(2) + type(1) */
#define BGP_MAX_LEN		4096	/* RFC 4271 §4 */
#define BGP_EXT_MAX_LEN		65535	/* RFC 8654 extended message */

/* Minimum (and for some, exact) total message lengths, header included. */
#define BGP_OPEN_MIN_LEN	29	/* RFC 4271 §4.2 */
#define BGP_UPDATE_MIN_LEN	23	/* RFC 4271 §4.3 */
#define BGP_NOTIFICATION_MIN_LEN 21	/* RFC 4271 §4.5 */
#define BGP_KEEPALIVE_LEN	19	/* RFC 4271 §4.4 */
#define BGP_ROUTE_REFRESH_LEN	23	/* RFC 2918 §3 */

/* Message types (RFC 4271 §4.1, RFC 2918). */
#define BGP_MSG_OPEN		1
#define BGP_MSG_UPDATE		2
#define BGP_MSG_NOTIFICATION	3
#define BGP_MSG_KEEPALIVE	4
#define BGP_MSG_ROUTE_REFRESH	5

/* ---- OPEN (RFC 4271 §4.2, RFC 5492, RFC 9072) ---- */
#define BGP_OPEN_FIXED_LEN	10	/* version..opt param len, after the header */
#define BGP_HOLD_TIME_MIN	3	/* RFC 4271 §4.2: 0 or at least 3 seconds */
#define BGP_OPT_PARAM_CAPABILITIES 2	/* RFC 5492 */
#define BGP_OPT_PARAM_EXT_LEN	255	/* RFC 9072: extended optional parameters length */
#define BGP_CAP_HDR_LEN		2	/* code + length */

/* Capability codes (IANA "Capability Codes"). */
#define BGP_CAP_MP		1	/* RFC 4760 */
#define BGP_CAP_ROUTE_REFRESH	2	/* RFC 2918 */
#define BGP_CAP_EXT_NEXTHOP	5	/* RFC 8950 */
#define BGP_CAP_EXT_MESSAGE	6	/* RFC 8654 */
#define BGP_CAP_ROLE		9	/* RFC 9234 */
#define BGP_CAP_GRACEFUL_RESTART 64	/* RFC 4724 */
#define BGP_CAP_AS4		65	/* RFC 6793 */
#define BGP_CAP_ADD_PATH	69	/* RFC 7911 */
#define BGP_CAP_ENHANCED_RR	70	/* RFC 7313 */
#define BGP_CAP_LLGR		71	/* RFC 9494 */
#define BGP_CAP_FQDN		73	/* draft-walton-bgp-hostname */
#define BGP_CAP_ROUTE_REFRESH_OLD 128	/* pre-standard Cisco route refresh */

/* Capability value lengths. */
#define BGP_CAP_MP_LEN		4	/* AFI(2) reserved(1) SAFI(1) */
#define BGP_CAP_AS4_LEN		4
#define BGP_CAP_GR_HDR_LEN	2	/* flags(4 bits) + restart time(12 bits) */
#define BGP_CAP_GR_AF_LEN	4	/* AFI(2) SAFI(1) flags(1) */

/* Graceful restart (RFC 4724 §3, RFC 8538). */
#define BGP_GR_FLAG_RESTART	0x8000	/* R: the sender has restarted */
#define BGP_GR_FLAG_NOTIFICATION 0x4000	/* N: RFC 8538 */
#define BGP_GR_FLAGS_MASK	0xf000
#define BGP_GR_TIME_MASK	0x0fff	/* restart time in seconds, 12 bits */
#define BGP_GR_AF_FORWARDING	0x80	/* F: forwarding state preserved */

/* AS numbers (RFC 6793, RFC 7607). */
#define BGP_AS_TRANS		23456
#define BGP_AS2_MAX		65535

/* ---- NOTIFICATION (RFC 4271 §4.5, §6) ---- */
#define BGP_ERR_HEADER		1
#define BGP_ERR_OPEN		2
#define BGP_ERR_UPDATE		3
#define BGP_ERR_HOLD		4
#define BGP_ERR_FSM		5
#define BGP_ERR_CEASE		6
#define BGP_ERR_ROUTE_REFRESH	7	/* RFC 7313 */
#define BGP_ERR_SEND_HOLD	8	/* RFC 9687 */

/* Subcode 0 where no subcode applies (RFC 4271 §6.2: "Unspecific"). */
#define BGP_ERRSUB_UNSPECIFIC	0

/* Message Header Error subcodes. */
#define BGP_ERR_HDR_NOT_SYNC	1	/* connection not synchronized (marker) */
#define BGP_ERR_HDR_BAD_LEN	2
#define BGP_ERR_HDR_BAD_TYPE	3

/* OPEN Message Error subcodes. */
#define BGP_ERR_OPEN_VERSION	1
#define BGP_ERR_OPEN_PEER_AS	2
#define BGP_ERR_OPEN_BGP_ID	3
#define BGP_ERR_OPEN_OPT_PARAM	4
#define BGP_ERR_OPEN_HOLD_TIME	6
#define BGP_ERR_OPEN_CAPABILITY	7	/* RFC 5492 */
#define BGP_ERR_OPEN_ROLE	11	/* RFC 9234 */

/* UPDATE Message Error subcodes. */
#define BGP_ERR_UPD_ATTR_LIST	1	/* malformed attribute list */
#define BGP_ERR_UPD_WELLKNOWN	2	/* unrecognized well-known attribute */
#define BGP_ERR_UPD_MISSING	3	/* missing well-known attribute */
#define BGP_ERR_UPD_FLAGS	4	/* attribute flags error */
#define BGP_ERR_UPD_LENGTH	5	/* attribute length error */
#define BGP_ERR_UPD_ORIGIN	6	/* invalid ORIGIN attribute */
#define BGP_ERR_UPD_NEXTHOP	8	/* invalid NEXT_HOP attribute */
#define BGP_ERR_UPD_OPTIONAL	9	/* optional attribute error */
#define BGP_ERR_UPD_NETWORK	10	/* invalid network field */
#define BGP_ERR_UPD_AS_PATH	11	/* malformed AS_PATH */

/* Finite State Machine Error subcodes (RFC 6608). */
#define BGP_ERR_FSM_UNSPECIFIC	0
#define BGP_ERR_FSM_OPENSENT	1
#define BGP_ERR_FSM_OPENCONFIRM	2
#define BGP_ERR_FSM_ESTABLISHED	3

/* Cease subcodes (RFC 4486, RFC 8538, RFC 9384). */
#define BGP_ERR_CEASE_MAX_PREFIX	1
#define BGP_ERR_CEASE_ADMIN_SHUTDOWN	2
#define BGP_ERR_CEASE_DECONFIGURED	3
#define BGP_ERR_CEASE_ADMIN_RESET	4
#define BGP_ERR_CEASE_REJECTED		5
#define BGP_ERR_CEASE_CONFIG_CHANGE	6
#define BGP_ERR_CEASE_COLLISION		7
#define BGP_ERR_CEASE_RESOURCES		8
#define BGP_ERR_CEASE_HARD_RESET	9
#define BGP_ERR_CEASE_BFD_DOWN		10

/* ROUTE-REFRESH Message Error subcodes (RFC 7313). */
#define BGP_ERR_RR_BAD_LEN	1

/* Shutdown communication (RFC 8203, raised to 255 octets by RFC 9003). */
#define BGP_SHUTDOWN_MSG_MAX	255

/* ---- ROUTE-REFRESH (RFC 2918, RFC 7313) ---- */
#define BGP_ROUTE_REFRESH_BODY_LEN 4	/* AFI(2) subtype(1) SAFI(1) */
#define BGP_RR_NORMAL		0
#define BGP_RR_BORR		1	/* beginning of route refresh */
#define BGP_RR_EORR		2	/* end of route refresh */

/* ---- UPDATE (RFC 4271 §4.3) ---- */
#define BGP_UPDATE_WITHDRAWN_LEN_LEN 2
#define BGP_UPDATE_ATTRS_LEN_LEN 2

/* Path attribute flags. */
#define BGP_ATTR_FLAG_OPTIONAL	0x80
#define BGP_ATTR_FLAG_TRANSITIVE 0x40
#define BGP_ATTR_FLAG_PARTIAL	0x20
#define BGP_ATTR_FLAG_EXTLEN	0x10
#define BGP_ATTR_FLAGS_UNUSED	0x0f	/* must be sent as 0, ignored on receipt */
#define BGP_ATTR_HDR_LEN	3	/* flags, type, 1-octet length */
#define BGP_ATTR_HDR_EXT_LEN	4	/* flags, type, 2-octet length */
#define BGP_ATTR_SHORT_MAX	255	/* longest value without the extended length bit */

/* Path attribute type codes (IANA "BGP Path Attributes"). */
#define BGP_ATTR_ORIGIN		1
#define BGP_ATTR_AS_PATH	2
#define BGP_ATTR_NEXT_HOP	3
#define BGP_ATTR_MED		4
#define BGP_ATTR_LOCAL_PREF	5
#define BGP_ATTR_ATOMIC_AGGREGATE 6
#define BGP_ATTR_AGGREGATOR	7
#define BGP_ATTR_COMMUNITIES	8	/* RFC 1997 */
#define BGP_ATTR_ORIGINATOR_ID	9	/* RFC 4456 */
#define BGP_ATTR_CLUSTER_LIST	10	/* RFC 4456 */
#define BGP_ATTR_MP_REACH_NLRI	14	/* RFC 4760 */
#define BGP_ATTR_MP_UNREACH_NLRI 15	/* RFC 4760 */
#define BGP_ATTR_EXT_COMMUNITIES 16	/* RFC 4360 */
#define BGP_ATTR_AS4_PATH	17	/* RFC 6793 */
#define BGP_ATTR_AS4_AGGREGATOR	18	/* RFC 6793 */
#define BGP_ATTR_LARGE_COMMUNITIES 32	/* RFC 8092 */
#define BGP_ATTR_OTC		35	/* RFC 9234 */

/* ORIGIN values (RFC 4271 §5.1.1). */
#define BGP_ORIGIN_IGP		0
#define BGP_ORIGIN_EGP		1
#define BGP_ORIGIN_INCOMPLETE	2

/* AS_PATH segment types (RFC 4271 §4.3, RFC 5065). */
#define BGP_AS_SET		1
#define BGP_AS_SEQUENCE		2
#define BGP_AS_CONFED_SEQUENCE	3
#define BGP_AS_CONFED_SET	4
#define BGP_AS_SEG_HDR_LEN	2	/* type + count */
#define BGP_AS_SEG_MAX		255	/* ASNs per segment */
#define BGP_AS2_LEN		2
#define BGP_AS4_LEN		4

/* Attribute value lengths. */
#define BGP_ORIGIN_LEN		1
#define BGP_NEXT_HOP_LEN	4
#define BGP_MED_LEN		4
#define BGP_LOCAL_PREF_LEN	4
#define BGP_AGGREGATOR2_LEN	6	/* 2-octet AS + IPv4 */
#define BGP_AGGREGATOR4_LEN	8	/* 4-octet AS + IPv4 */
#define BGP_COMMUNITY_LEN	4
#define BGP_EXT_COMMUNITY_LEN	8
#define BGP_LARGE_COMMUNITY_LEN	12
#define BGP_ORIGINATOR_ID_LEN	4
#define BGP_CLUSTER_ID_LEN	4

/* MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760 §3, §4). */
#define BGP_MP_REACH_MIN_LEN	5	/* AFI SAFI nh-len reserved, empty next hop */
#define BGP_MP_UNREACH_MIN_LEN	3	/* AFI SAFI */
#define BGP_MP_NH_V4_LEN	4
#define BGP_MP_NH_V6_LEN	16	/* global */
#define BGP_MP_NH_V6_LL_LEN	32	/* global + link-local (RFC 2545 §3) */

/* Address families (IANA) and subsequent address families. */
#define BGP_AFI_IPV4		1
#define BGP_AFI_IPV6		2
#define BGP_SAFI_UNICAST	1
#define BGP_SAFI_MULTICAST	2

/* Well-known communities (RFC 1997, RFC 7999, RFC 8326, RFC 9494). */
#define BGP_COMM_GRACEFUL_SHUTDOWN	0xffff0000u
#define BGP_COMM_ACCEPT_OWN		0xffff0001u
#define BGP_COMM_LLGR_STALE		0xffff0006u
#define BGP_COMM_NO_LLGR		0xffff0007u
#define BGP_COMM_BLACKHOLE		0xffff029au
#define BGP_COMM_NO_EXPORT		0xffffff01u
#define BGP_COMM_NO_ADVERTISE		0xffffff02u
#define BGP_COMM_NO_EXPORT_SUBCONFED	0xffffff03u
#define BGP_COMM_NOPEER			0xffffff04u

#endif
