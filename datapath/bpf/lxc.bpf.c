// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The cutover datapath: two tc programs for a pod's host-side veth.
 *   dp_from_pod  tc ingress of the veth = packets leaving the pod  (egress policy)
 *   dp_to_pod    tc egress of the veth  = packets entering the pod (ingress policy)
 * Per packet: endpoint by ifindex -> parse -> conntrack (replies and related ICMP
 * errors pass without policy) -> remote identity from the ipcache -> two policy
 * lookups in the endpoint's LPM map (Cilium 1.14+ precedence) -> verdict, counters,
 * flow event, conntrack entry for new allowed flows. Audit mode reports what enforce
 * would drop and passes the packet. Map layouts: datapath/dp_abi.h.
 * This file does not parse bundles or know names: user space owns those.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "datapath/dp_abi.h"
#include "datapath/bpf/dp_maps.bpf.h"
#include "datapath/bpf/dp_parse.bpf.h"

/* Load-time configuration (set by the loader before load). */
const volatile __u8 cfg_events_established = 0;	/* 1: an event per forwarded packet */

#define NS_PER_SEC	1000000000ULL

struct dp_verdict_info {
	__u32	remote_id;
	__u8	verdict;
	__u8	reason;
	__u8	ct_state;
	__u8	match;
	__u16	rule_id;
};

static __always_inline void
stat_inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&dp_stats, &idx);

	if (v)
		*v += 1;	/* per-CPU: no atomics needed */
}

static __always_inline void
metrics_add(__u32 ep_id, __u8 dir, __u8 verdict, __u8 reason, __u32 len)
{
	struct dp_metrics_key k = {
		.ep_id = ep_id, .dir = dir, .verdict = verdict, .reason = reason,
	};
	struct dp_metrics_val *v = bpf_map_lookup_elem(&dp_metrics, &k);

	if (v) {
		v->packets += 1;
		v->bytes += len;
		return;
	}
	{
		struct dp_metrics_val nv = { .packets = 1, .bytes = len };

		bpf_map_update_elem(&dp_metrics, &k, &nv, BPF_NOEXIST);
	}
}

static __always_inline void
emit_event(struct __sk_buff *skb, const struct dp_endpoint *ep, const struct dp_pkt *p,
    __u8 dir, const struct dp_verdict_info *vi)
{
	struct dp_flow_event *e = bpf_ringbuf_reserve(&dp_events, sizeof(*e), 0);

	if (!e) {
		stat_inc(DP_STAT_EVENTS_LOST);
		return;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->ep_id = ep->ep_id;
	e->ifindex = skb->ifindex;
	if (dir == DP_DIR_EGRESS) {
		e->src_identity = ep->identity;
		e->dst_identity = vi->remote_id;
	} else {
		e->src_identity = vi->remote_id;
		e->dst_identity = ep->identity;
	}
	__builtin_memcpy(e->saddr, p->saddr, 16);
	__builtin_memcpy(e->daddr, p->daddr, 16);
	if (p->proto == IPPROTO_ICMP || p->proto == IPPROTO_ICMPV6) {
		e->sport = bpf_htons(p->icmp_code);
		e->dport = bpf_htons(p->icmp_type);
	} else {
		e->sport = p->sport;
		e->dport = p->dport;
	}
	e->proto = p->proto;
	e->family = p->family;
	e->dir = dir;
	e->verdict = vi->verdict;
	e->reason = vi->reason;
	e->ct_state = vi->ct_state;
	e->match = vi->match;
	e->tcp_flags = p->tcp_flags;
	e->rule_id = vi->rule_id;
	e->pad = 0;
	e->len = skb->len;
	bpf_ringbuf_submit(e, 0);
}

/* ---- identities ---------------------------------------------------------- */

static __always_inline __u32
ipcache_identity(const __u8 *addr, __u8 family)
{
	struct dp_ipcache_key k = {
		.prefixlen = DP_IPCACHE_STATIC_PREFIX + (family == DP_FAMILY_V4 ? 32 : 128),
		.family = family,
	};
	struct dp_ipcache_info *info;

	__builtin_memcpy(k.addr, addr, 16);
	info = bpf_map_lookup_elem(&dp_ipcache_host, &k);
	if (!info)
		info = bpf_map_lookup_elem(&dp_ipcache, &k);
	if (info)
		return info->sec_identity;
	return family == DP_FAMILY_V4 ? DP_ID_WORLD_IPV4 : DP_ID_WORLD_IPV6;
}

/* ---- conntrack ----------------------------------------------------------- */

static __always_inline void
ct_key_fill(struct dp_ct_key *k, const __u8 *s, const __u8 *d, __be16 sp, __be16 dp,
    __u8 proto, __u8 family, __u8 dir)
{
	__builtin_memcpy(k->saddr, s, 16);
	__builtin_memcpy(k->daddr, d, 16);
	k->sport = sp;
	k->dport = dp;
	k->proto = proto;
	k->family = family;
	k->dir = dir;
	k->pad = 0;
}

static __always_inline __u64
ct_lifetime(const struct dp_ct_entry *ce, __u8 proto)
{
	if (proto != IPPROTO_TCP)
		return DP_CT_LIFETIME_NONTCP * NS_PER_SEC;
	if ((ce->tx_flags | ce->rx_flags) & (DP_TCP_FIN | DP_TCP_RST))
		return DP_CT_LIFETIME_CLOSE * NS_PER_SEC;
	if (!(ce->rx_flags & DP_TCP_ACK))
		return DP_CT_LIFETIME_SYN * NS_PER_SEC;
	return DP_CT_LIFETIME_TCP * NS_PER_SEC;
}

static __always_inline void
ct_touch(struct dp_ct_entry *ce, const struct dp_pkt *p, int reply, __u64 now)
{
	__sync_fetch_and_add(&ce->packets, 1);
	__sync_fetch_and_add(&ce->bytes, p->len);
	if (reply)
		ce->rx_flags |= p->tcp_flags;
	else
		ce->tx_flags |= p->tcp_flags;
	ce->expires_ns = now + ct_lifetime(ce, p->proto);
}

/* A live entry for k, or NULL (expired entries count as absent). */
static __always_inline struct dp_ct_entry *
ct_get(const struct dp_ct_key *k, __u64 now)
{
	struct dp_ct_entry *ce = bpf_map_lookup_elem(&dp_ct, k);

	if (ce && ce->expires_ns < now)
		return NULL;
	return ce;
}

/* Classify the packet against conntrack. *est is set for ESTABLISHED. */
static __always_inline __u8
ct_lookup(const struct dp_pkt *p, __u8 dir, __u64 now, struct dp_ct_entry **est,
    __u16 *rule_id)
{
	struct dp_ct_key k;
	struct dp_ct_entry *ce;
	__u8 other = dir == DP_DIR_EGRESS ? DP_DIR_INGRESS : DP_DIR_EGRESS;

	*est = NULL;
	ct_key_fill(&k, p->saddr, p->daddr, p->sport, p->dport, p->proto, p->family, dir);
	ce = ct_get(&k, now);
	if (ce) {
		ct_touch(ce, p, 0, now);
		*est = ce;
		return DP_CT_ESTABLISHED;
	}
	ct_key_fill(&k, p->daddr, p->saddr, p->dport, p->sport, p->proto, p->family, other);
	ce = ct_get(&k, now);
	if (ce) {
		ct_touch(ce, p, 1, now);
		*rule_id = ce->rule_id;
		return DP_CT_REPLY;
	}
	if (p->icmp_err) {
		/* The quoted packet travelled the other way: it is either the original
		 * direction of a flow seen by the other program, or a reply of a flow
		 * seen by this one. */
		ct_key_fill(&k, p->in_saddr, p->in_daddr, p->in_sport, p->in_dport,
		    p->in_proto, p->family, other);
		ce = ct_get(&k, now);
		if (!ce) {
			ct_key_fill(&k, p->in_daddr, p->in_saddr, p->in_dport, p->in_sport,
			    p->in_proto, p->family, dir);
			ce = ct_get(&k, now);
		}
		if (ce) {
			*rule_id = ce->rule_id;
			return DP_CT_RELATED;
		}
	}
	return DP_CT_NEW;
}

static __always_inline int
ct_create(const struct dp_pkt *p, __u8 dir, __u64 now, __u32 src_id, __u32 dst_id,
    __u16 rule_id, __u8 audited)
{
	struct dp_ct_key k;
	struct dp_ct_entry ce = {
		.packets = 1, .bytes = p->len, .src_identity = src_id,
		.dst_identity = dst_id, .rule_id = rule_id, .tx_flags = p->tcp_flags,
		.audited = audited,
	};

	ce.expires_ns = now + ct_lifetime(&ce, p->proto);
	ct_key_fill(&k, p->saddr, p->daddr, p->sport, p->dport, p->proto, p->family, dir);
	return bpf_map_update_elem(&dp_ct, &k, &ce, BPF_ANY);
}

/* ---- policy (Cilium 1.14+ LPM precedence) -------------------------------- */

static __always_inline __u8
entry_plen(const struct dp_policy_entry *e)
{
	return (e->flags & DP_POLICY_LPM_MASK) >> DP_POLICY_LPM_SHIFT;
}

/*
 * 1. exact-identity lookup; a deny there is final;
 * 2. any-identity (L4-only) lookup;
 * 3. the L4-only entry wins when it denies, when there is no L3 entry, or when its
 *    protocol/port prefix is longer; otherwise the L3 entry.
 * No entry: DP_REASON_POLICY. User space guarantees that an allow entry covered by
 * a deny entry of the same or any identity is itself stored as a deny.
 */
/* Longest-prefix entry for (identity, dir, proto, port): the exact index first. */
static __always_inline struct dp_policy_entry *
policy_lookup(void *pmap, __u32 ep_id, __u32 id, __u8 dir, const struct dp_pkt *p)
{
	struct dp_policy_exact_key xk = {
		.ep_id = ep_id, .sec_label = id, .egress = dir, .protocol = p->proto,
		.dport = p->pol_port,
	};
	struct dp_policy_key k = {
		.prefixlen = DP_POLICY_FULL_PREFIX, .sec_label = id, .egress = dir,
		.protocol = p->proto, .dport = p->pol_port,
	};
	struct dp_policy_entry *e = bpf_map_lookup_elem(&dp_policy_exact, &xk);

	if (e)
		return e;
	return bpf_map_lookup_elem(pmap, &k);
}

static __always_inline void
policy_decide(void *pmap, const struct dp_endpoint *ep, __u32 remote_id, __u8 dir,
    const struct dp_pkt *p, struct dp_verdict_info *vi)
{
	struct dp_policy_entry *l3 = NULL, *l4 = NULL, *e;
	__u8 l4flag = dir == DP_DIR_EGRESS ? DP_EP_F_L4_EGRESS : DP_EP_F_L4_INGRESS;
	__u8 match;

	if (remote_id)
		l3 = policy_lookup(pmap, ep->ep_id, remote_id, dir, p);
	if (l3 && (l3->flags & DP_POLICY_F_DENY)) {
		e = l3;
		match = entry_plen(l3) ? DP_MATCH_L3_L4 : DP_MATCH_L3_ONLY;
		goto hit;
	}
	if (ep->flags & l4flag)
		l4 = policy_lookup(pmap, ep->ep_id, 0, dir, p);
	if (l4 && (!l3 || (l4->flags & DP_POLICY_F_DENY) || entry_plen(l4) > entry_plen(l3))) {
		e = l4;
		match = entry_plen(l4) ? DP_MATCH_L4_ONLY : DP_MATCH_ALL;
		goto hit;
	}
	if (l3) {
		e = l3;
		match = entry_plen(l3) ? DP_MATCH_L3_L4 : DP_MATCH_L3_ONLY;
		goto hit;
	}
	vi->verdict = DP_VERDICT_DROPPED;
	vi->reason = DP_REASON_POLICY;
	vi->match = DP_MATCH_NONE;
	vi->rule_id = 0;
	return;
hit:
	__sync_fetch_and_add(&e->packets, 1);
	__sync_fetch_and_add(&e->bytes, p->len);
	vi->match = match;
	vi->rule_id = e->rule_id;
	if (e->flags & DP_POLICY_F_DENY) {
		vi->verdict = DP_VERDICT_DROPPED;
		vi->reason = DP_REASON_POLICY_DENY;
	} else {
		vi->verdict = DP_VERDICT_FORWARDED;
		vi->reason = DP_REASON_NONE;
	}
}

/* ---- the pipeline ---------------------------------------------------------- */

static __always_inline int
finish(struct __sk_buff *skb, const struct dp_endpoint *ep, const struct dp_pkt *p,
    __u8 dir, struct dp_verdict_info *vi, int report)
{
	if (vi->verdict == DP_VERDICT_DROPPED && ep->mode == DP_MODE_AUDIT)
		vi->verdict = DP_VERDICT_AUDIT;
	metrics_add(ep->ep_id, dir, vi->verdict, vi->reason, skb->len);
	if (report || vi->verdict != DP_VERDICT_FORWARDED)
		emit_event(skb, ep, p, dir, vi);
	return vi->verdict == DP_VERDICT_DROPPED ? TC_ACT_SHOT : TC_ACT_OK;
}

static __always_inline void
frag_key_fill(struct dp_frag_key *fk, const struct dp_pkt *p)
{
	__builtin_memcpy(fk->saddr, p->saddr, 16);
	__builtin_memcpy(fk->daddr, p->daddr, 16);
	fk->id = p->frag_id;
	fk->proto = p->proto;
	fk->family = p->family;
	fk->pad = 0;
}

static __always_inline int
dp_handle(struct __sk_buff *skb, __u8 dir)
{
	__u32 ifindex = skb->ifindex;
	struct dp_endpoint *ep;
	struct dp_ct_entry *est;
	struct dp_verdict_info vi = {};
	struct dp_pkt p = {};
	__u16 proto = bpf_ntohs(skb->protocol);
	__u64 now;
	void *pmap;
	__u8 ct;
	int rc;

	ep = bpf_map_lookup_elem(&dp_endpoints, &ifindex);
	if (!ep) {
		stat_inc(DP_STAT_NO_ENDPOINT);
		return TC_ACT_OK;
	}
	if (proto != ETH_P_IP && proto != ETH_P_IPV6) {
		stat_inc(DP_STAT_NOT_IP);
		return TC_ACT_OK;
	}
	p.len = skb->len;
	rc = proto == ETH_P_IP ? dp_parse_ipv4(skb, &p) : dp_parse_ipv6(skb, &p);
	if (rc) {
		vi.verdict = DP_VERDICT_DROPPED;
		vi.reason = rc;
		return finish(skb, ep, &p, dir, &vi, 1);
	}
	if (p.bypass) {
		vi.verdict = DP_VERDICT_FORWARDED;
		vi.match = DP_MATCH_BYPASS;
		return finish(skb, ep, &p, dir, &vi, 0);
	}
	now = bpf_ktime_get_ns();
	if (p.frag == DP_FRAG_LATER) {
		struct dp_frag_key fk;
		struct dp_frag_ports *fp;

		frag_key_fill(&fk, &p);
		fp = bpf_map_lookup_elem(&dp_frag, &fk);
		if (!fp) {
			vi.verdict = DP_VERDICT_DROPPED;
			vi.reason = DP_REASON_FRAG_NOSUPPORT;
			return finish(skb, ep, &p, dir, &vi, 1);
		}
		p.sport = fp->sport;
		p.dport = fp->dport;
		/* Later fragments follow their first fragment's verdict via conntrack. */
		vi.rule_id = 0;
		ct = ct_lookup(&p, dir, now, &est, &vi.rule_id);
		if (ct == DP_CT_NEW) {
			vi.verdict = DP_VERDICT_DROPPED;
			vi.reason = DP_REASON_FRAG_NOSUPPORT;
			return finish(skb, ep, &p, dir, &vi, 1);
		}
		if (est)
			vi.rule_id = est->rule_id;
		vi.verdict = DP_VERDICT_FORWARDED;
		vi.ct_state = ct;
		vi.match = DP_MATCH_CT;
		return finish(skb, ep, &p, dir, &vi, 0);
	}

	ct = ct_lookup(&p, dir, now, &est, &vi.rule_id);
	vi.ct_state = ct;
	vi.remote_id = ipcache_identity(dir == DP_DIR_EGRESS ? p.daddr : p.saddr, p.family);
	if (ct == DP_CT_REPLY || ct == DP_CT_RELATED) {
		vi.verdict = DP_VERDICT_FORWARDED;
		vi.match = DP_MATCH_CT;
		rc = finish(skb, ep, &p, dir, &vi, cfg_events_established);
		goto record_frag;
	}

	/* NEW and ESTABLISHED: policy is evaluated on every packet of the original
	 * direction, so a rule change applies to running flows (as in Cilium). */
	pmap = bpf_map_lookup_elem(&dp_policy, &ep->ep_id);
	if (pmap) {
		policy_decide(pmap, ep, vi.remote_id, dir, &p, &vi);
	} else {
		vi.verdict = DP_VERDICT_DROPPED;	/* endpoint without policy map */
		vi.reason = DP_REASON_POLICY;
	}
	if (ct == DP_CT_NEW && (vi.verdict == DP_VERDICT_FORWARDED ||
	    ep->mode == DP_MODE_AUDIT)) {
		__u32 src = dir == DP_DIR_EGRESS ? ep->identity : vi.remote_id;
		__u32 dst = dir == DP_DIR_EGRESS ? vi.remote_id : ep->identity;

		if (ct_create(&p, dir, now, src, dst, vi.rule_id,
		    vi.verdict != DP_VERDICT_FORWARDED)) {
			if (vi.verdict == DP_VERDICT_FORWARDED) {
				vi.verdict = DP_VERDICT_DROPPED;
				vi.reason = DP_REASON_CT_CREATE_FAILED;
			}
		}
	}
	rc = finish(skb, ep, &p, dir, &vi, ct == DP_CT_NEW || cfg_events_established);
record_frag:
	if (p.frag == DP_FRAG_FIRST && rc == TC_ACT_OK) {
		struct dp_frag_key fk;
		struct dp_frag_ports fp = { .sport = p.sport, .dport = p.dport };

		frag_key_fill(&fk, &p);
		bpf_map_update_elem(&dp_frag, &fk, &fp, BPF_ANY);
	}
	return rc;
}

SEC("tc")
int
dp_from_pod(struct __sk_buff *skb)
{
	return dp_handle(skb, DP_DIR_EGRESS);
}

SEC("tc")
int
dp_to_pod(struct __sk_buff *skb)
{
	return dp_handle(skb, DP_DIR_INGRESS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
