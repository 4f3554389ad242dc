/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The kernel/user ABI of the cutover datapath: every map key and value, the flow
 * event record, the drop reason codes and the verdict/mode enums. This is the only
 * header included by both the BPF programs (datapath/bpf/) and the user-space side (loader,
 * map sync, event reader, tests, benches). It holds no code.
 *
 * Layouts promised to match Cilium 1.14-1.17 (per-endpoint LPM policy map key and
 * value, ipcache key and value) carry _Static_assert on size and on every offset.
 * All multi-byte fields marked "be" are network byte order; everything else is host
 * order. Padding is explicit and must be zero (LPM tries and hashes compare bytes).
 */
#ifndef CUTOVER_DATAPATH_DP_ABI_H
#define CUTOVER_DATAPATH_DP_ABI_H

#include <linux/types.h>

#ifndef __BPF__
#include <stddef.h>
#endif

/* Bumped whenever a layout below or the programs' map set changes; a loader that
 * finds pinned maps of another version refuses to adopt them. */
#define DP_ABI_VERSION		1

/* dp_meta array slots (u32 each) */
enum dp_meta_idx {
	DP_META_ABI = 0,	/* DP_ABI_VERSION of the loader that pinned the maps */
	DP_META_POLICY_MAX = 1,	/* max_entries of every per-endpoint policy map */
	DP_META_FLOWLOG_SEQ = 2,	/* sequence number of the newest dp_flowlog record */
	DP_META_MAX = 4,
};

/* ---- identities (Cilium numbering, pkg/identity) ------------------------- */
#define DP_ID_UNKNOWN		0	/* also "any peer" in a policy key */
#define DP_ID_HOST		1
#define DP_ID_WORLD		2
#define DP_ID_WORLD_IPV4	9
#define DP_ID_WORLD_IPV6	10
#define DP_ID_MIN_USER		256	/* first cluster-allocated identity */
#define DP_ID_MAX		0x01ffffffu	/* global 24-bit plus local scope 1<<24 */

/* ---- per-endpoint policy map: Cilium 1.14-1.17 LPM layout ----------------- */
/*
 * Key: struct bpf_lpm_trie_key's prefixlen, then 8 data bytes. The prefix covers
 * sec_label (32 bits) and the direction byte (8 bits) statically (40 bits); 8 more
 * bits cover the protocol and up to 16 more the destination port. So 40 = any
 * protocol and port, 48 = one protocol any port, 48+n = port prefix of n bits,
 * 64 = one exact port. Lookups always use DP_POLICY_FULL_PREFIX.
 * For ICMP/ICMPv6 dport holds the ICMP type in its low byte (bpf_htons(type)).
 */
struct dp_policy_key {
	__u32	prefixlen;	/* struct bpf_lpm_trie_key */
	__u32	sec_label;	/* remote identity; 0 = any peer */
	__u8	egress;		/* bit 0: 0 ingress (to pod), 1 egress (from pod) */
	__u8	protocol;	/* IPPROTO_*; 0 with prefixlen 40 = any */
	__be16	dport;		/* destination port, network order */
};

#define DP_POLICY_STATIC_PREFIX	40	/* sec_label + direction byte */
#define DP_POLICY_PROTO_BITS	8
#define DP_POLICY_PORT_BITS	16
#define DP_POLICY_FULL_PREFIX	(DP_POLICY_STATIC_PREFIX + DP_POLICY_PROTO_BITS + \
				 DP_POLICY_PORT_BITS)	/* 64 */

/*
 * Value: Cilium 1.17's 24-byte policy_entry. flags uses Cilium's little-endian
 * bitfield positions: bit 0 deny, bits 1-2 reserved, bits 3-7 the entry's
 * protocol+port prefix length (0..24) so the datapath can compare an L3 hit with an
 * L4-only hit without knowing the matched key. Cilium's pad2 slot carries our rule
 * reference (DP_NAME_RULE id in dp_names; 0 = none). packets/bytes are bumped by
 * the datapath (atomic add) as in Cilium <= 1.17; map sync never compares them.
 */
struct dp_policy_entry {
	__be16	proxy_port;	/* always 0: no L7 proxy */
	__u8	flags;		/* DP_POLICY_F_* | lpm_prefix_length << 3 */
	__u8	auth_type;	/* always 0 */
	__u8	proxy_port_priority;	/* always 0 */
	__u8	pad1;
	__u16	rule_id;	/* Cilium: pad2; dp_names DP_NAME_RULE id */
	__u64	packets;
	__u64	bytes;
};

#define DP_POLICY_F_DENY	0x01
#define DP_POLICY_LPM_SHIFT	3
#define DP_POLICY_LPM_MASK	0xf8
#define DP_POLICY_MAP_SIZE	16384	/* Cilium's default policymap.MaxEntries */

/* ---- ipcache: Cilium 1.17-dev LPM key, 12-byte remote_endpoint_info ------- */
struct dp_ipcache_key {
	__u32	prefixlen;	/* DP_IPCACHE_STATIC_PREFIX + address prefix length */
	__u16	cluster_id;	/* always 0 */
	__u8	pad1;
	__u8	family;		/* DP_FAMILY_V4 / DP_FAMILY_V6 */
	__u8	addr[16];	/* IPv4 in the first 4 bytes, rest zero */
};

#define DP_IPCACHE_STATIC_PREFIX 32	/* cluster_id + pad1 + family */
#define DP_FAMILY_V4		1	/* Cilium ENDPOINT_KEY_IPV4 */
#define DP_FAMILY_V6		2	/* Cilium ENDPOINT_KEY_IPV6 */
#define DP_IPCACHE_MAP_SIZE	512000	/* Cilium IPCACHE_MAP_SIZE */

struct dp_ipcache_info {
	__u32	sec_identity;
	__u32	tunnel_endpoint;	/* always 0: no overlay */
	__u16	pad;
	__u8	key;			/* IPsec key index, always 0 */
	__u8	flags;
};

/* ---- endpoints: host-side veth ifindex -> endpoint ----------------------- */
enum dp_mode {
	DP_MODE_ENFORCE = 1,	/* drop what policy denies */
	DP_MODE_AUDIT = 2,	/* decide and report, never drop */
};

struct dp_endpoint {
	__u32	ep_id;		/* 1..65535 (Cilium endpoint id range) */
	__u32	identity;	/* the pod's own identity */
	__u8	mode;		/* enum dp_mode */
	__u8	flags;		/* DP_EP_F_*: set by sync from the endpoint's entries */
	__u8	pad[2];
	__u32	pad2;
};
/* The endpoint has any-identity (sec_label 0) entries in that direction; without
 * them the datapath skips the L4-only lookup. */
#define DP_EP_F_L4_INGRESS	0x01
#define DP_EP_F_L4_EGRESS	0x02

/*
 * Exact-match indexes beside the Cilium-layout LPM maps (user space mirrors every
 * full-length entry into them). A full-length entry is the longest prefix an LPM
 * lookup can return, so a hit here is exactly the LPM answer at hash cost; a miss
 * falls back to the LPM trie. They keep the verdict cost flat as maps grow.
 */
struct dp_policy_exact_key {
	__u32	ep_id;
	__u32	sec_label;
	__u8	egress;
	__u8	protocol;
	__be16	dport;
};
#define DP_POLICY_EXACT_SIZE	262144
/* dp_ipcache_host: key = struct dp_ipcache_key with a /32 or /128 prefixlen. */

#define DP_ENDPOINT_MAP_SIZE	4096
#define DP_EP_ID_MAX		65535

/* ---- names: identities, endpoints and rule references (user space only) ----
 * The datapath never reads dp_names; it lives beside the other pinned maps so any
 * reader (daemon, CLI, after a restart) can turn ids in events into text. */
enum dp_name_kind {
	DP_NAME_IDENTITY = 1,	/* id = identity */
	DP_NAME_ENDPOINT = 2,	/* id = endpoint id; addrs = its addresses */
	DP_NAME_RULE = 3,	/* id = rule id (policy entry rule_id) */
};

struct dp_name_key {
	__u8	kind;		/* enum dp_name_kind */
	__u8	pad[3];
	__u32	id;
};

#define DP_NAME_LEN		64
struct dp_name {
	char	name[DP_NAME_LEN];	/* NUL-terminated */
	__u8	addr4[4];		/* endpoints: IPv4 address when has4 */
	__u8	addr6[16];		/* endpoints: IPv6 address when has6 */
	__u8	has4;
	__u8	has6;
	__u8	pad[2];
};
#define DP_NAMES_MAP_SIZE	131072
#define DP_RULE_ID_MAX		65535

/* ---- conntrack ------------------------------------------------------------ */
enum dp_dir {
	DP_DIR_INGRESS = 0,	/* to the pod (tc egress of the host-side veth) */
	DP_DIR_EGRESS = 1,	/* from the pod (tc ingress of the host-side veth) */
};

/* Key in the direction of the flow's first packet; dir = the program that saw it. */
struct dp_ct_key {
	__u8	saddr[16];
	__u8	daddr[16];
	__be16	sport;		/* ICMP echo: identifier (request), 0 (reply) */
	__be16	dport;		/* ICMP echo: 0 (request), identifier (reply) */
	__u8	proto;
	__u8	family;		/* DP_FAMILY_* */
	__u8	dir;		/* enum dp_dir */
	__u8	pad;
};

enum dp_ct_state {
	DP_CT_NEW = 1,
	DP_CT_ESTABLISHED = 2,
	DP_CT_REPLY = 3,
	DP_CT_RELATED = 4,
};

struct dp_ct_entry {
	__u64	expires_ns;	/* bpf_ktime_get_ns() deadline */
	__u64	packets;	/* both directions */
	__u64	bytes;
	__u32	src_identity;	/* identity of the originator */
	__u32	dst_identity;
	__u16	rule_id;	/* the rule that allowed the first packet */
	__u8	tx_flags;	/* OR of TCP flags, original direction */
	__u8	rx_flags;	/* OR of TCP flags, reply direction */
	__u8	audited;	/* allowed only because the endpoint is in audit mode */
	__u8	pad[3];
};

#define DP_CT_MAP_SIZE		262144
#define DP_CT_LIFETIME_TCP	8000ULL		/* seconds, Cilium defaults */
#define DP_CT_LIFETIME_SYN	60ULL
#define DP_CT_LIFETIME_NONTCP	60ULL
#define DP_CT_LIFETIME_CLOSE	10ULL

/* Fragment tracking: first fragment's ports for the following ones. */
struct dp_frag_key {
	__u8	saddr[16];
	__u8	daddr[16];
	__u32	id;		/* IPv4: 16-bit id; IPv6: 32-bit identification */
	__u8	proto;
	__u8	family;
	__u16	pad;
};

struct dp_frag_ports {
	__be16	sport;
	__be16	dport;
};
#define DP_FRAG_MAP_SIZE	8192

/* ---- verdicts, drop reasons, counters ------------------------------------- */
enum dp_verdict {
	DP_VERDICT_FORWARDED = 1,
	DP_VERDICT_DROPPED = 2,
	DP_VERDICT_AUDIT = 3,	/* policy would drop; endpoint in audit mode */
};

/* Drop reasons: Cilium's positive codes (pkg/monitor/api/drop.go) where one
 * exists; 0 = no drop. */
enum dp_reason {
	DP_REASON_NONE = 0,
	DP_REASON_INVALID = 134,	/* "Invalid packet" */
	DP_REASON_CT_INVALID_HDR = 135,	/* "CT: Truncated or invalid header" */
	DP_REASON_UNKNOWN_L3 = 139,	/* "Unknown L3 target address" (not IP) */
	DP_REASON_FRAG_NOSUPPORT = 157,	/* "Fragmentation needed/not supported" */
	DP_REASON_CT_CREATE_FAILED = 155, /* "CT: Map insertion failed" */
	DP_REASON_POLICY = 133,		/* "Policy denied" (no rule allows) */
	DP_REASON_POLICY_DENY = 181,	/* "Policy denied by denylist" */
};

/* How the policy decision was reached (Cilium's match types, LPM era). */
enum dp_match {
	DP_MATCH_NONE = 0,
	DP_MATCH_L3_ONLY = 1,	/* exact identity, any proto */
	DP_MATCH_L3_L4 = 2,	/* exact identity, proto (+port) */
	DP_MATCH_L4_ONLY = 3,	/* any identity, proto (+port) */
	DP_MATCH_ALL = 4,	/* any identity, any proto */
	DP_MATCH_CT = 7,	/* reply/related: conntrack, no policy lookup */
	DP_MATCH_BYPASS = 8,	/* ICMPv6 neighbour discovery always passes */
};

/* Per-CPU counters per endpoint, direction, verdict and reason. */
struct dp_metrics_key {
	__u32	ep_id;		/* 0: packets on an interface without an endpoint */
	__u8	dir;		/* enum dp_dir */
	__u8	verdict;	/* enum dp_verdict */
	__u8	reason;		/* enum dp_reason (fits: codes < 256) */
	__u8	pad;
};

struct dp_metrics_val {
	__u64	packets;
	__u64	bytes;
};
#define DP_METRICS_MAP_SIZE	65536

/* ---- flow events (ring buffer) ------------------------------------------- */
struct dp_flow_event {
	__u64	ts_ns;		/* bpf_ktime_get_ns() (CLOCK_MONOTONIC) */
	__u32	ep_id;
	__u32	ifindex;
	__u32	src_identity;
	__u32	dst_identity;
	__u8	saddr[16];
	__u8	daddr[16];
	__be16	sport;		/* ICMP: ntohs(dport) = type, ntohs(sport) = code */
	__be16	dport;
	__u8	proto;
	__u8	family;		/* DP_FAMILY_* */
	__u8	dir;		/* enum dp_dir */
	__u8	verdict;	/* enum dp_verdict */
	__u8	reason;		/* enum dp_reason */
	__u8	ct_state;	/* enum dp_ct_state, 0 when not tracked */
	__u8	match;		/* enum dp_match */
	__u8	tcp_flags;
	__u16	rule_id;	/* DP_NAME_RULE id, 0 = none */
	__u16	pad;
	__u32	len;		/* skb->len */
};
#define DP_EVENTS_SIZE		(1u << 20)	/* ring buffer bytes */

/* Event emission policy: every drop and audit, and the first packet of a flow. */

/* Flow log: the readers' persistent history of recent flows (user space only). The
 * one process that drains dp_events (the daemon, or `cutover observe` when no
 * daemon runs) appends each event at slot seq % DP_FLOWLOG_SIZE, so any number of
 * readers can list recent flows without consuming anything. */
struct dp_flow_record {
	__u64	seq;		/* 1, 2, ...; 0 = empty slot */
	__u64	wall_ns;	/* CLOCK_REALTIME of the event */
	struct dp_flow_event ev;
};
#define DP_FLOWLOG_SIZE		8192

/* ---- layout promises ------------------------------------------------------ */
_Static_assert(sizeof(struct dp_policy_key) == 12, "Cilium policy_key is 12 bytes");
_Static_assert(__builtin_offsetof(struct dp_policy_key, prefixlen) == 0, "policy_key.lpm");
_Static_assert(__builtin_offsetof(struct dp_policy_key, sec_label) == 4, "policy_key.sec_label");
_Static_assert(__builtin_offsetof(struct dp_policy_key, egress) == 8, "policy_key.egress");
_Static_assert(__builtin_offsetof(struct dp_policy_key, protocol) == 9, "policy_key.protocol");
_Static_assert(__builtin_offsetof(struct dp_policy_key, dport) == 10, "policy_key.dport");
_Static_assert(sizeof(struct dp_policy_entry) == 24, "Cilium 1.14-1.17 policy_entry is 24 bytes");
_Static_assert(__builtin_offsetof(struct dp_policy_entry, proxy_port) == 0, "entry.proxy_port");
_Static_assert(__builtin_offsetof(struct dp_policy_entry, flags) == 2, "entry.flags");
_Static_assert(__builtin_offsetof(struct dp_policy_entry, auth_type) == 3, "entry.auth_type");
_Static_assert(__builtin_offsetof(struct dp_policy_entry, proxy_port_priority) == 4,
    "entry.proxy_port_priority");
_Static_assert(__builtin_offsetof(struct dp_policy_entry, rule_id) == 6, "entry.pad2");
_Static_assert(__builtin_offsetof(struct dp_policy_entry, packets) == 8, "entry.packets");
_Static_assert(__builtin_offsetof(struct dp_policy_entry, bytes) == 16, "entry.bytes");
_Static_assert(DP_POLICY_FULL_PREFIX == 8 * (sizeof(struct dp_policy_key) - 4),
    "POLICY_FULL_PREFIX");
_Static_assert(sizeof(struct dp_ipcache_key) == 24, "Cilium ipcache_key is 24 bytes");
_Static_assert(__builtin_offsetof(struct dp_ipcache_key, cluster_id) == 4, "ipcache.cluster_id");
_Static_assert(__builtin_offsetof(struct dp_ipcache_key, family) == 7, "ipcache.family");
_Static_assert(__builtin_offsetof(struct dp_ipcache_key, addr) == 8, "ipcache.addr");
_Static_assert(DP_IPCACHE_STATIC_PREFIX == 8 * (sizeof(struct dp_ipcache_key) - 4 - 16),
    "IPCACHE_STATIC_PREFIX");
_Static_assert(sizeof(struct dp_ipcache_info) == 12, "remote_endpoint_info is 12 bytes");
_Static_assert(__builtin_offsetof(struct dp_ipcache_info, tunnel_endpoint) == 4, "info.tunnel");
_Static_assert(__builtin_offsetof(struct dp_ipcache_info, key) == 10, "info.key");
_Static_assert(sizeof(struct dp_endpoint) == 16, "endpoint value");
_Static_assert(sizeof(struct dp_policy_exact_key) == 12, "exact policy key");
_Static_assert(sizeof(struct dp_ct_key) == 40, "ct key");
_Static_assert(sizeof(struct dp_ct_entry) == 40, "ct entry");
_Static_assert(sizeof(struct dp_frag_key) == 40, "frag key");
_Static_assert(sizeof(struct dp_metrics_key) == 8, "metrics key");
_Static_assert(sizeof(struct dp_name_key) == 8, "name key");
_Static_assert(sizeof(struct dp_name) == 88, "name value");
_Static_assert(sizeof(struct dp_flow_event) == 80, "flow event");
_Static_assert(sizeof(struct dp_flow_record) == 96, "flow record");

#endif
