/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Packet parsing for the cutover datapath: Ethernet -> IPv4/IPv6 (extension headers
 * walked with a bound, fragments classified) -> TCP/UDP/SCTP/ICMP/ICMPv6, and the
 * inner header of ICMP errors. Every header is read with bpf_skb_load_bytes(), which
 * is the bounds check: it fails instead of reading past the packet (and works on
 * non-linear skbs, which veths deliver after GRO). Each parse step also checks the
 * header lies within the IP datagram's own length. Parsing never decides policy: it
 * fills struct dp_pkt or returns a drop reason.
 */
#ifndef CUTOVER_DATAPATH_BPF_DP_PARSE_BPF_H
#define CUTOVER_DATAPATH_BPF_DP_PARSE_BPF_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "datapath/dp_abi.h"

#define DP_IPV6_MAX_EXT		8	/* extension headers walked before giving up */
#define DP_IP_MF		0x2000
#define DP_IP_OFFMASK		0x1fff
#define DP_IP6_OFFMASK		0xfff8
#define DP_IP6_MF		0x0001

#define DP_NH_HOPOPTS		0
#define DP_NH_ROUTING		43
#define DP_NH_FRAGMENT		44
#define DP_NH_AH		51
#define DP_NH_NONE		59
#define DP_NH_DSTOPTS		60
#define DP_NH_MOBILITY		135

#define DP_ICMP_ECHOREPLY	0
#define DP_ICMP_UNREACH		3
#define DP_ICMP_ECHO		8
#define DP_ICMP_TIMXCEED	11
#define DP_ICMP_PARAMPROB	12
#define DP_ICMP6_UNREACH	1
#define DP_ICMP6_PKTTOOBIG	2
#define DP_ICMP6_TIMXCEED	3
#define DP_ICMP6_PARAMPROB	4
#define DP_ICMP6_ECHO		128
#define DP_ICMP6_ECHOREPLY	129

#define DP_TCP_FIN		0x01
#define DP_TCP_SYN		0x02
#define DP_TCP_RST		0x04
#define DP_TCP_ACK		0x10

enum dp_frag {
	DP_FRAG_NONE = 0,
	DP_FRAG_FIRST = 1,	/* offset 0, more fragments follow */
	DP_FRAG_LATER = 2,	/* offset != 0: no L4 header */
};

struct dp_pkt {
	__u8	saddr[16];
	__u8	daddr[16];
	__u8	in_saddr[16];	/* ICMP error: the quoted packet's tuple */
	__u8	in_daddr[16];
	__be16	sport;		/* conntrack ports (ICMP echo: identifier, see dp_abi.h) */
	__be16	dport;
	__be16	pol_port;	/* policy key port: dport, or bpf_htons(ICMP type) */
	__be16	in_sport;
	__be16	in_dport;
	__u8	proto;
	__u8	family;		/* DP_FAMILY_* */
	__u8	tcp_flags;
	__u8	icmp_type;
	__u8	icmp_code;
	__u8	frag;		/* enum dp_frag */
	__u8	icmp_err;	/* 1: in_* hold the quoted packet's tuple */
	__u8	in_proto;
	__u8	bypass;		/* ICMPv6 ND/MLD: never subject to policy */
	__u8	pad[3];
	__u32	frag_id;
	__u32	len;
};

struct dp_l4_ports {
	__be16	sport;
	__be16	dport;
};

struct dp_icmp_hdr {
	__u8	type;
	__u8	code;
	__be16	csum;
	__be16	id;
	__be16	seq;
};

/* Tuple ports of an ICMP echo: requests carry (id, 0), replies (0, id), so that a
 * reply's reversed tuple is its request's tuple. Other types: (0, 0). */
static __always_inline void
dp_icmp_ports(__u8 family, __u8 type, __be16 id, __be16 *sport, __be16 *dport)
{
	__u8 req = family == DP_FAMILY_V4 ? DP_ICMP_ECHO : DP_ICMP6_ECHO;
	__u8 rep = family == DP_FAMILY_V4 ? DP_ICMP_ECHOREPLY : DP_ICMP6_ECHOREPLY;

	*sport = type == req ? id : 0;
	*dport = type == rep ? id : 0;
}

static __always_inline int
dp_icmp_is_error(__u8 family, __u8 type)
{
	if (family == DP_FAMILY_V4)
		return type == DP_ICMP_UNREACH || type == DP_ICMP_TIMXCEED ||
		    type == DP_ICMP_PARAMPROB;
	return type == DP_ICMP6_UNREACH || type == DP_ICMP6_PKTTOOBIG ||
	    type == DP_ICMP6_TIMXCEED || type == DP_ICMP6_PARAMPROB;
}

/* Quoted header of an ICMP error at off (limit = end of the datagram). Failure
 * leaves icmp_err 0: the error is then judged as a plain ICMP packet. */
static __always_inline void
dp_parse_icmp_inner(struct __sk_buff *skb, struct dp_pkt *p, __u32 off, __u32 limit)
{
	struct dp_icmp_hdr ih;
	__u32 l4;

	if (p->family == DP_FAMILY_V4) {
		struct iphdr ip;

		if (off + sizeof(ip) > limit || bpf_skb_load_bytes(skb, off, &ip, sizeof(ip)))
			return;
		if (ip.version != 4 || ip.ihl < 5)
			return;
		__builtin_memset(p->in_saddr, 0, 16);
		__builtin_memset(p->in_daddr, 0, 16);
		__builtin_memcpy(p->in_saddr, &ip.saddr, 4);
		__builtin_memcpy(p->in_daddr, &ip.daddr, 4);
		p->in_proto = ip.protocol;
		l4 = off + ip.ihl * 4;
	} else {
		struct ipv6hdr ip6;

		if (off + sizeof(ip6) > limit ||
		    bpf_skb_load_bytes(skb, off, &ip6, sizeof(ip6)))
			return;
		__builtin_memcpy(p->in_saddr, &ip6.saddr, 16);
		__builtin_memcpy(p->in_daddr, &ip6.daddr, 16);
		p->in_proto = ip6.nexthdr;
		l4 = off + sizeof(ip6);
	}
	/* RFC 792/4443: at least 8 bytes of the quoted datagram's payload */
	if (l4 + sizeof(ih) > limit || bpf_skb_load_bytes(skb, l4, &ih, sizeof(ih)))
		return;
	switch (p->in_proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
		__builtin_memcpy(&p->in_sport, &ih, 2);
		__builtin_memcpy(&p->in_dport, (__u8 *)&ih + 2, 2);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		dp_icmp_ports(p->family, ih.type, ih.id, &p->in_sport, &p->in_dport);
		break;
	default:
		return;
	}
	p->icmp_err = 1;
}

/* L4 header at off; limit = end of the IP datagram. Returns 0 or a drop reason. */
static __always_inline int
dp_parse_l4(struct __sk_buff *skb, struct dp_pkt *p, __u32 off, __u32 limit)
{
	switch (p->proto) {
	case IPPROTO_TCP: {
		__u8 h[20];	/* struct tcphdr without bitfields */
		__u32 doff;

		if (off + sizeof(h) > limit || bpf_skb_load_bytes(skb, off, h, sizeof(h)))
			return DP_REASON_CT_INVALID_HDR;
		doff = (h[12] >> 4) * 4;
		if (doff < sizeof(h) || off + doff > limit)
			return DP_REASON_CT_INVALID_HDR;
		__builtin_memcpy(&p->sport, h, 2);
		__builtin_memcpy(&p->dport, h + 2, 2);
		p->tcp_flags = h[13];
		p->pol_port = p->dport;
		return 0;
	}
	case IPPROTO_UDP:
	case IPPROTO_SCTP: {
		struct dp_l4_ports ports;
		/* UDP header 8 bytes, SCTP common header 12 */
		__u32 need = p->proto == IPPROTO_UDP ? 8 : 12;

		if (off + need > limit ||
		    bpf_skb_load_bytes(skb, off, &ports, sizeof(ports)))
			return DP_REASON_CT_INVALID_HDR;
		p->sport = ports.sport;
		p->dport = ports.dport;
		p->pol_port = p->dport;
		return 0;
	}
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: {
		struct dp_icmp_hdr ih;
		__u8 fam_proto = p->family == DP_FAMILY_V4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;

		if (p->proto != fam_proto)
			return 0;	/* ICMP in IPv6 or ICMPv6 in IPv4: no ports */
		if (off + sizeof(ih) > limit || bpf_skb_load_bytes(skb, off, &ih, sizeof(ih)))
			return DP_REASON_CT_INVALID_HDR;
		p->icmp_type = ih.type;
		p->icmp_code = ih.code;
		p->pol_port = bpf_htons(ih.type);
		dp_icmp_ports(p->family, ih.type, ih.id, &p->sport, &p->dport);
		if (p->family == DP_FAMILY_V6 &&
		    ((ih.type >= 130 && ih.type <= 137) || ih.type == 143))
			p->bypass = 1;	/* MLD, router/neighbour discovery */
		if (dp_icmp_is_error(p->family, ih.type))
			dp_parse_icmp_inner(skb, p, off + sizeof(ih), limit);
		return 0;
	}
	default:
		return 0;	/* other protocols: policy by protocol, no ports */
	}
}

static __always_inline int
dp_parse_ipv4(struct __sk_buff *skb, struct dp_pkt *p)
{
	struct iphdr ip;
	__u32 hlen, tot, limit;
	__u16 frag;

	if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip, sizeof(ip)))
		return DP_REASON_CT_INVALID_HDR;
	if (ip.version != 4 || ip.ihl < 5)
		return DP_REASON_INVALID;
	hlen = ip.ihl * 4;
	tot = bpf_ntohs(ip.tot_len);
	if (tot < hlen || ETH_HLEN + tot > skb->len)
		return DP_REASON_INVALID;
	limit = ETH_HLEN + tot;
	p->family = DP_FAMILY_V4;
	p->proto = ip.protocol;
	__builtin_memcpy(p->saddr, &ip.saddr, 4);
	__builtin_memcpy(p->daddr, &ip.daddr, 4);
	frag = bpf_ntohs(ip.frag_off);
	if (frag & (DP_IP_MF | DP_IP_OFFMASK)) {
		p->frag_id = bpf_ntohs(ip.id);
		if (frag & DP_IP_OFFMASK) {
			p->frag = DP_FRAG_LATER;
			return 0;
		}
		p->frag = DP_FRAG_FIRST;
	}
	return dp_parse_l4(skb, p, ETH_HLEN + hlen, limit);
}

static __always_inline int
dp_parse_ipv6(struct __sk_buff *skb, struct dp_pkt *p)
{
	struct ipv6hdr ip6;
	__u32 off, limit;
	__u8 nh;
	int i;

	if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip6, sizeof(ip6)))
		return DP_REASON_CT_INVALID_HDR;
	if (ip6.version != 6)
		return DP_REASON_INVALID;
	limit = ETH_HLEN + sizeof(ip6) + bpf_ntohs(ip6.payload_len);
	if (limit > skb->len)
		return DP_REASON_INVALID;
	p->family = DP_FAMILY_V6;
	__builtin_memcpy(p->saddr, &ip6.saddr, 16);
	__builtin_memcpy(p->daddr, &ip6.daddr, 16);
	nh = ip6.nexthdr;
	off = ETH_HLEN + sizeof(ip6);

#pragma unroll
	for (i = 0; i < DP_IPV6_MAX_EXT; i++) {
		__u8 e[8];

		if (nh != DP_NH_HOPOPTS && nh != DP_NH_ROUTING && nh != DP_NH_DSTOPTS &&
		    nh != DP_NH_FRAGMENT && nh != DP_NH_AH && nh != DP_NH_MOBILITY)
			break;
		if (off + sizeof(e) > limit || bpf_skb_load_bytes(skb, off, e, sizeof(e)))
			return DP_REASON_CT_INVALID_HDR;
		if (nh == DP_NH_FRAGMENT) {
			__u16 fo = ((__u16)e[2] << 8) | e[3];

			p->frag_id = ((__u32)e[4] << 24) | ((__u32)e[5] << 16) |
			    ((__u32)e[6] << 8) | e[7];
			nh = e[0];
			off += 8;
			if (fo & DP_IP6_OFFMASK) {
				p->proto = nh;
				p->frag = DP_FRAG_LATER;
				return 0;
			}
			if (fo & DP_IP6_MF)
				p->frag = DP_FRAG_FIRST;
			continue;
		}
		off += nh == DP_NH_AH ? ((__u32)e[1] + 2) * 4 : ((__u32)e[1] + 1) * 8;
		nh = e[0];
	}
	if (nh == DP_NH_HOPOPTS || nh == DP_NH_ROUTING || nh == DP_NH_DSTOPTS ||
	    nh == DP_NH_FRAGMENT || nh == DP_NH_AH || nh == DP_NH_MOBILITY)
		return DP_REASON_INVALID;	/* chain longer than we walk */
	p->proto = nh;
	return dp_parse_l4(skb, p, off, limit);
}

#endif
