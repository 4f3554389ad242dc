// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Toolchain self-test: a tc program that drops IPv4 packets whose destination is in a
 * hash map and counts what it saw. It proves clang -target bpf, bpftool gen skeleton,
 * libbpf loading and BPF_PROG_TEST_RUN on this machine; the real datapath lives in
 * datapath/bpf/.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);	/* IPv4 destination, network order */
	__type(value, __u8);
} selftest_deny SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);	/* [0] passed, [1] dropped */
	__type(key, __u32);
	__type(value, __u64);
} selftest_count SEC(".maps");

static __always_inline void
count(__u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(&selftest_count, &idx);

	if (c)
		__sync_fetch_and_add(c, 1);
}

SEC("tc")
int
selftest_tc(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	__u32 dst;

	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		goto pass;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end)
		goto pass;
	dst = ip->daddr;
	if (bpf_map_lookup_elem(&selftest_deny, &dst)) {
		count(1);
		return TC_ACT_SHOT;
	}
pass:
	count(0);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
