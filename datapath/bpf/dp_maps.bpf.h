/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Map definitions of the cutover datapath (kernel side). Layouts are in
 * datapath/dp_abi.h; sizes here are defaults that the loader may change before load
 * (bpf_map__set_max_entries). The loader pins every map under its pin root with the
 * same name. Only lxc.bpf.c includes this file.
 */
#ifndef CUTOVER_DATAPATH_BPF_DP_MAPS_BPF_H
#define CUTOVER_DATAPATH_BPF_DP_MAPS_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "datapath/dp_abi.h"

/* ipcache: CIDR -> identity (LPM trie, Cilium key layout). */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, DP_IPCACHE_MAP_SIZE);
	__type(key, struct dp_ipcache_key);
	__type(value, struct dp_ipcache_info);
} dp_ipcache SEC(".maps");

/* host (/32, /128) ipcache entries, mirrored for O(1) lookups (see dp_abi.h) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, DP_IPCACHE_MAP_SIZE);
	__type(key, struct dp_ipcache_key);
	__type(value, struct dp_ipcache_info);
} dp_ipcache_host SEC(".maps");

/* full-length policy entries of every endpoint, mirrored for O(1) lookups */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, DP_POLICY_EXACT_SIZE);
	__type(key, struct dp_policy_exact_key);
	__type(value, struct dp_policy_entry);
} dp_policy_exact SEC(".maps");

/* endpoints: host-side veth ifindex -> endpoint. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DP_ENDPOINT_MAP_SIZE);
	__type(key, __u32);
	__type(value, struct dp_endpoint);
} dp_endpoints SEC(".maps");

/*
 * Per-endpoint policy maps: one LPM trie per endpoint (Cilium's key has no endpoint
 * field), reached through a hash-of-maps keyed by endpoint id. This keeps the exact
 * Cilium key/value and lets user space replace or drop one endpoint's map alone.
 */
struct dp_policy_inner {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, DP_POLICY_MAP_SIZE);
	/* sizes, not types: clang emits only forward declarations for the inner
	 * map's pointee types, which libbpf cannot size */
	__uint(key_size, sizeof(struct dp_policy_key));
	__uint(value_size, sizeof(struct dp_policy_entry));
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, DP_ENDPOINT_MAP_SIZE);
	__type(key, __u32);	/* endpoint id */
	__array(values, struct dp_policy_inner);
} dp_policy SEC(".maps");

/* conntrack: both families, both directions. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, DP_CT_MAP_SIZE);
	__type(key, struct dp_ct_key);
	__type(value, struct dp_ct_entry);
} dp_ct SEC(".maps");

/* first-fragment ports for the following fragments */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, DP_FRAG_MAP_SIZE);
	__type(key, struct dp_frag_key);
	__type(value, struct dp_frag_ports);
} dp_frag SEC(".maps");

/* counters per endpoint, direction, verdict, reason */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, DP_METRICS_MAP_SIZE);
	__type(key, struct dp_metrics_key);
	__type(value, struct dp_metrics_val);
} dp_metrics SEC(".maps");

/* datapath-internal counters (enum dp_stat) */
enum dp_stat {
	DP_STAT_EVENTS_LOST = 0,	/* ring buffer full */
	DP_STAT_NO_ENDPOINT = 1,	/* packet on an interface without endpoint entry */
	DP_STAT_NOT_IP = 2,		/* ARP and other non-IP frames passed */
	DP_STAT_MAX = 4,
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DP_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} dp_stats SEC(".maps");

/* flow events */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, DP_EVENTS_SIZE);
} dp_events SEC(".maps");

/* names for readers (never read here; declared so the loader creates and pins it) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, DP_NAMES_MAP_SIZE);
	__type(key, struct dp_name_key);
	__type(value, struct dp_name);
} dp_names SEC(".maps");

/* flow history for readers (never touched here; see dp_abi.h) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, DP_FLOWLOG_SIZE);
	__type(key, __u32);
	__type(value, struct dp_flow_record);
} dp_flowlog SEC(".maps");

/* enum dp_meta_idx, written by the loader: adopters check the ABI version */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, DP_META_MAX);
	__type(key, __u32);
	__type(value, __u32);
} dp_meta SEC(".maps");

#endif
