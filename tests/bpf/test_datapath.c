// SPDX-License-Identifier: MIT
/*
 * BPF_PROG_TEST_RUN suite of the datapath programs (datapath/bpf/lxc.bpf.c), loaded
 * and pinned by the real loader under a unique pin root and filled by dp_sync from a
 * bundle. Every case asserts the tc verdict and its side effects: the flow event
 * (verdict, reason, identities, match type, rule reference), the per-endpoint
 * counters, conntrack. Covers Cilium's precedence cases, IPv4 and IPv6, port ranges,
 * deny over allow, audit mode, conntrack replies and related ICMP errors, fragments,
 * truncated and malformed headers, adoption after a restart and O(1) rule changes,
 * and the attach modes (tcx links, clsact, switching, adoption) on a veth in a
 * private network namespace.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath/datapath.h"
#include "lib/buf.h"

#define EP_ID		100
#define ID_POD		256
#define ID_WEB		300	/* 10.1.0.0/16, fd00:1::/64 */
#define ID_ADMIN	301	/* 10.2.0.0/16 */
#define ID_OPS		302	/* 10.3.0.0/16 */
#define LO_IFINDEX	1	/* BPF_PROG_TEST_RUN runs skbs on the loopback device */

static const char bundle_json[] =
"{ \"version\": 1,\n"
"  \"identities\": [ {\"id\": 256, \"name\": \"t/pod\"}, {\"id\": 300, \"name\": \"t/web\"},\n"
"     {\"id\": 301, \"name\": \"t/admin\"}, {\"id\": 302, \"name\": \"t/ops\"} ],\n"
"  \"cidrs\": [ {\"cidr\": \"10.1.0.0/16\", \"identity\": 300},\n"
"     {\"cidr\": \"fd00:1::/64\", \"identity\": 300},\n"
"     {\"cidr\": \"10.2.0.0/16\", \"identity\": 301},\n"
"     {\"cidr\": \"10.3.0.0/16\", \"identity\": 302} ],\n"
"  \"endpoints\": [ { \"id\": 100, \"name\": \"t/pod-0\", \"identity\": 256,\n"
"    \"ips\": [\"10.0.0.10\", \"fd00::10\"], \"rules\": [\n"
"     {\"direction\":\"ingress\",\"peer\":300,\"protocol\":\"tcp\",\"port\":80,\"action\":\"allow\",\"ref\":\"r-web80\"},\n"
"     {\"direction\":\"ingress\",\"protocol\":\"tcp\",\"port\":8000,\"end_port\":8080,\"action\":\"allow\",\"ref\":\"r-range\"},\n"
"     {\"direction\":\"ingress\",\"peer\":301,\"action\":\"allow\",\"ref\":\"r-admin-all\"},\n"
"     {\"direction\":\"ingress\",\"peer\":301,\"protocol\":\"tcp\",\"port\":22,\"action\":\"deny\",\"ref\":\"r-admin-nossh\"},\n"
"     {\"direction\":\"ingress\",\"protocol\":\"udp\",\"port\":53,\"action\":\"deny\",\"ref\":\"r-nodns\"},\n"
"     {\"direction\":\"ingress\",\"peer\":300,\"protocol\":\"tcp\",\"port\":440,\"end_port\":447,\"action\":\"allow\",\"ref\":\"r-web44x\"},\n"
"     {\"direction\":\"ingress\",\"protocol\":\"tcp\",\"port\":445,\"action\":\"deny\",\"ref\":\"r-nosmb\"},\n"
"     {\"direction\":\"ingress\",\"peer\":302,\"protocol\":\"tcp\",\"action\":\"allow\",\"ref\":\"r-ops-tcp\"},\n"
"     {\"direction\":\"ingress\",\"protocol\":\"icmp\",\"port\":8,\"action\":\"allow\",\"ref\":\"r-ping\"},\n"
"     {\"direction\":\"ingress\",\"protocol\":\"icmpv6\",\"port\":128,\"action\":\"allow\",\"ref\":\"r-ping6\"},\n"
"     {\"direction\":\"egress\",\"peer\":300,\"action\":\"allow\",\"ref\":\"r-to-web\"},\n"
"     {\"direction\":\"egress\",\"protocol\":\"icmp\",\"action\":\"allow\",\"ref\":\"r-icmp-out\"}\n"
"  ] } ] }\n";

static struct dp *dp;
static char pin_root[128];

#define MAX_EV 64
static struct dp_flow_event evs[MAX_EV];
static size_t nev;
static struct ring_buffer *rb;

static int
on_event(void *ctx, void *data, size_t size)
{
	(void)ctx;
	if (size >= sizeof(struct dp_flow_event) && nev < MAX_EV)
		memcpy(&evs[nev++], data, sizeof(struct dp_flow_event));
	return 0;
}

/* ---- packet builder (all bytes through lib/buf writers) ---- */
struct pkt {
	uint8_t	 b[512];
	size_t	 len;
};

static void
put_addr(struct buf_writer *w, int family, const char *s)
{
	uint8_t a[16];

	assert_int_equal(inet_pton(family, s, a), 1);
	bw_bytes(w, a, family == AF_INET ? 4 : 16);
}

static size_t
l4_tcp(uint8_t *out, uint16_t sport, uint16_t dport, uint8_t flags)
{
	struct buf_writer w;

	bw_init(&w, out, 20);
	bw_be16(&w, sport);
	bw_be16(&w, dport);
	bw_be32(&w, 1000);	/* seq */
	bw_be32(&w, 0);		/* ack */
	bw_u8(&w, 5 << 4);	/* data offset: 5 words */
	bw_u8(&w, flags);
	bw_be16(&w, 65535);	/* window */
	bw_be16(&w, 0);		/* checksum (not checked) */
	bw_be16(&w, 0);		/* urgent */
	assert_int_equal(bw_error(&w), 0);
	return w.len;
}

static size_t
l4_udp(uint8_t *out, uint16_t sport, uint16_t dport)
{
	struct buf_writer w;

	bw_init(&w, out, 8);
	bw_be16(&w, sport);
	bw_be16(&w, dport);
	bw_be16(&w, 8);
	bw_be16(&w, 0);
	return w.len;
}

static size_t
l4_icmp(uint8_t *out, uint8_t type, uint8_t code, uint16_t id)
{
	struct buf_writer w;

	bw_init(&w, out, 8);
	bw_u8(&w, type);
	bw_u8(&w, code);
	bw_be16(&w, 0);
	bw_be16(&w, id);
	bw_be16(&w, 1);
	return w.len;
}

#define IPV4_HLEN	20
#define IPV6_HLEN	40
#define TCP_SYN		0x02
#define TCP_ACK		0x10

/* IPv4 header (+ payload) into w; tot_len = header + payload unless forced. */
static void
w_ipv4(struct buf_writer *w, const char *src, const char *dst, uint8_t proto,
    uint16_t frag, uint16_t id, size_t payload)
{
	bw_u8(w, 0x45);
	bw_u8(w, 0);
	bw_be16(w, (uint16_t)(IPV4_HLEN + payload));
	bw_be16(w, id);
	bw_be16(w, frag);
	bw_u8(w, 64);
	bw_u8(w, proto);
	bw_be16(w, 0);
	put_addr(w, AF_INET, src);
	put_addr(w, AF_INET, dst);
}

static void
w_eth(struct buf_writer *w, uint16_t proto)
{
	static const uint8_t mac[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };

	bw_bytes(w, mac, sizeof(mac));
	bw_be16(w, proto);
}

static void
pkt_v4(struct pkt *p, const char *src, const char *dst, uint8_t proto, const void *l4,
    size_t l4len, uint16_t frag)
{
	struct buf_writer w;

	bw_init(&w, p->b, sizeof(p->b));
	w_eth(&w, ETH_P_IP);
	w_ipv4(&w, src, dst, proto, frag, 7, l4len);
	bw_bytes(&w, l4, l4len);
	assert_int_equal(bw_error(&w), 0);
	p->len = w.len;
}

static void
pkt_v6(struct pkt *p, const char *src, const char *dst, uint8_t nh, const void *rest,
    size_t restlen)
{
	struct buf_writer w;

	bw_init(&w, p->b, sizeof(p->b));
	w_eth(&w, ETH_P_IPV6);
	bw_be32(&w, 6u << 28);
	bw_be16(&w, (uint16_t)restlen);
	bw_u8(&w, nh);
	bw_u8(&w, 64);
	put_addr(&w, AF_INET6, src);
	put_addr(&w, AF_INET6, dst);
	bw_bytes(&w, rest, restlen);
	assert_int_equal(bw_error(&w), 0);
	p->len = w.len;
}

static void
tcp4(struct pkt *p, const char *src, uint16_t sport, const char *dst, uint16_t dport,
    uint8_t flags)
{
	uint8_t l4[20] = { 0 };

	pkt_v4(p, src, dst, IPPROTO_TCP, l4, l4_tcp(l4, sport, dport, flags), 0);
}

static uint32_t
run(int dir, const struct pkt *p)
{
	struct bpf_test_run_opts o = { .sz = sizeof(o), .data_in = p->b, .data_size_in = (uint32_t)p->len,
	    .repeat = 1 };

	assert_int_equal(bpf_prog_test_run_opts(dp_prog_fd(dp, dir), &o), 0);
	ring_buffer__consume(rb);
	return o.retval;
}

#define TO_POD	DP_DIR_INGRESS
#define FROM_POD DP_DIR_EGRESS

/* The single event the last run produced. */
static const struct dp_flow_event *
one_event(void)
{
	assert_int_equal(nev, 1);
	nev = 0;
	return &evs[0];
}

static void
no_event(void)
{
	assert_int_equal(nev, 0);
}

static void
expect_rule(const struct dp_flow_event *e, const char *ref)
{
	struct dp_name n;

	if (!ref) {
		assert_int_equal(e->rule_id, 0);
		return;
	}
	assert_int_not_equal(e->rule_id, 0);
	assert_int_equal(dp_name_get(dp, DP_NAME_RULE, e->rule_id, &n), 0);
	assert_string_equal(n.name, ref);
}

/* Check verdict, reason, match type and rule reference of one packet's event. */
static void
expect(int dir, const struct pkt *p, uint32_t tc, uint8_t verdict, uint8_t reason,
    uint8_t match, const char *ref)
{
	const struct dp_flow_event *e;
	uint32_t rc = run(dir, p);

	if (nev != 1)
		print_message("%zu events\n", nev);
	e = one_event();
	assert_int_equal(rc, tc);
	if (e->verdict != verdict || e->reason != reason || e->match != match)
		print_message("event: verdict %u reason %u match %u ct %u rule %u dport %u\n",
		    e->verdict, e->reason, e->match, e->ct_state, e->rule_id, ntohs(e->dport));
	assert_int_equal(e->verdict, verdict);
	assert_int_equal(e->reason, reason);
	assert_int_equal(e->match, match);
	assert_int_equal(e->ep_id, EP_ID);
	assert_int_equal(e->dir, dir);
	expect_rule(e, ref);
}

struct msum {
	struct dp_metrics_key	 k;
	uint64_t		 packets;
};

static int
msum_fn(void *ctx, const struct dp_metrics_key *k, const struct dp_metrics_val *v)
{
	struct msum *m = ctx;

	if (k->ep_id == m->k.ep_id && k->dir == m->k.dir && k->verdict == m->k.verdict &&
	    k->reason == m->k.reason)
		m->packets += v->packets;
	return 0;
}

static uint64_t
counter(uint8_t dir, uint8_t verdict, uint8_t reason)
{
	struct msum m = { .k = { .ep_id = EP_ID, .dir = dir, .verdict = verdict,
	    .reason = reason } };

	assert_int_equal(dp_metrics_walk(dp, msum_fn, &m), 0);
	return m.packets;
}

static void
set_mode(uint8_t mode)
{
	struct dp_endpoint ep = { .ep_id = EP_ID, .identity = ID_POD, .mode = mode,
	    .flags = DP_EP_F_L4_INGRESS | DP_EP_F_L4_EGRESS };

	assert_int_equal(dp_endpoint_put(dp, LO_IFINDEX, &ep), 0);
}

static void
flush_ct(void)
{
	int fd = dp_map_fd(dp, "dp_ct");
	struct dp_ct_key k;

	while (bpf_map_get_next_key(fd, NULL, &k) == 0)
		assert_int_equal(bpf_map_delete_elem(fd, &k), 0);
}

static struct dp_bundle *
parse_bundle(const char *text)
{
	struct dp_bundle *b;
	struct diag d;
	char msg[1024];

	diag_init(&d, "test-bundle");
	if (dp_bundle_parse(text, strlen(text), &b, &d)) {
		diag_format(&d, msg, sizeof(msg));
		fail_msg("%s", msg);
	}
	return b;
}

static int
setup(void **state)
{
	struct dp_opts o = { 0 };
	struct dp_bundle *b;
	struct dp_sync_stats st;
	struct diag d;
	const char *run_id = getenv("CUTOVER_RUN");

	(void)state;
	snprintf(pin_root, sizeof(pin_root), "/sys/fs/bpf/cutover-test-%s-%d",
	    run_id ? run_id : "x", (int)getpid());
	o.pin_root = pin_root;
	diag_init(&d, NULL);
	if (dp_open(&o, &dp, &d)) {
		char msg[1024];

		diag_format(&d, msg, sizeof(msg));
		fprintf(stderr, "dp_open: %s\n", msg);
		return -1;
	}
	assert_false(dp_adopted(dp));
	b = parse_bundle(bundle_json);
	assert_int_equal(dp_sync(dp, b, &st, &d), 0);
	dp_bundle_free(b);
	assert_int_equal(st.maps_created, 1);
	assert_int_equal(st.ipcache_put, 6);	/* 4 CIDRs + the pod's 2 addresses */
	set_mode(DP_MODE_ENFORCE);
	rb = ring_buffer__new(dp_map_fd(dp, "dp_events"), on_event, NULL, NULL);
	assert_non_null(rb);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	ring_buffer__free(rb);
	dp_close(dp);
	assert_int_equal(dp_unpin(pin_root, NULL), 0);
	assert_int_not_equal(access(pin_root, F_OK), 0);
	return 0;
}

static int
reset(void **state)
{
	(void)state;
	set_mode(DP_MODE_ENFORCE);
	flush_ct();
	ring_buffer__consume(rb);
	nev = 0;
	return 0;
}

/* ---- precedence ---- */

static void
test_l3_l4_exact(void **state)
{
	struct pkt p;
	const struct dp_flow_event *e;
	uint64_t fwd0 = counter(TO_POD, DP_VERDICT_FORWARDED, 0);
	uint64_t drop0 = counter(TO_POD, DP_VERDICT_DROPPED, DP_REASON_POLICY);

	(void)state;
	tcp4(&p, "10.1.0.5", 40000, "10.0.0.10", 80, TCP_SYN);
	assert_int_equal(run(TO_POD, &p), TC_ACT_OK);
	e = one_event();
	assert_int_equal(e->verdict, DP_VERDICT_FORWARDED);
	assert_int_equal(e->match, DP_MATCH_L3_L4);
	assert_int_equal(e->ct_state, DP_CT_NEW);
	assert_int_equal(e->src_identity, ID_WEB);
	assert_int_equal(e->dst_identity, ID_POD);
	assert_int_equal(e->family, DP_FAMILY_V4);
	assert_int_equal(e->proto, IPPROTO_TCP);
	assert_int_equal(ntohs(e->sport), 40000);
	assert_int_equal(ntohs(e->dport), 80);
	assert_int_equal(e->tcp_flags, TCP_SYN);
	expect_rule(e, "r-web80");
	/* the second packet of the flow is ESTABLISHED: re-checked, no new event */
	tcp4(&p, "10.1.0.5", 40000, "10.0.0.10", 80, TCP_ACK);
	assert_int_equal(run(TO_POD, &p), TC_ACT_OK);
	no_event();
	/* same peer, port without rule: default deny (133) */
	tcp4(&p, "10.1.0.5", 40000, "10.0.0.10", 81, TCP_SYN);
	expect(TO_POD, &p, TC_ACT_SHOT, DP_VERDICT_DROPPED, DP_REASON_POLICY, DP_MATCH_NONE,
	    NULL);
	assert_int_equal(counter(TO_POD, DP_VERDICT_FORWARDED, 0), fwd0 + 2);
	assert_int_equal(counter(TO_POD, DP_VERDICT_DROPPED, DP_REASON_POLICY), drop0 + 1);
}

static void
test_l4_only_port_range(void **state)
{
	struct pkt p;
	static const uint16_t in[] = { 8000, 8001, 8063, 8064, 8079, 8080 };
	static const uint16_t out[] = { 7999, 8081, 9000 };

	(void)state;
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		tcp4(&p, "192.0.2.1", 1000, "10.0.0.10", in[i], TCP_SYN);
		expect(TO_POD, &p, TC_ACT_OK, DP_VERDICT_FORWARDED, 0, DP_MATCH_L4_ONLY,
		    "r-range");
	}
	for (size_t i = 0; i < sizeof(out) / sizeof(out[0]); i++) {
		tcp4(&p, "192.0.2.1", 1000, "10.0.0.10", out[i], TCP_SYN);
		expect(TO_POD, &p, TC_ACT_SHOT, DP_VERDICT_DROPPED, DP_REASON_POLICY,
		    DP_MATCH_NONE, NULL);
	}
}

static void
test_world_identity(void **state)
{
	struct pkt p;
	const struct dp_flow_event *e;

	(void)state;
	tcp4(&p, "192.0.2.1", 1000, "10.0.0.10", 8000, TCP_SYN);
	assert_int_equal(run(TO_POD, &p), TC_ACT_OK);
	e = one_event();
	assert_int_equal(e->src_identity, DP_ID_WORLD_IPV4);
}

static void
test_l3_only_and_deny(void **state)
{
	struct pkt p;
	uint8_t l4[8];

	(void)state;
	/* L3-only allow for admin: any protocol, any port */
	tcp4(&p, "10.2.0.7", 1000, "10.0.0.10", 25, TCP_SYN);
	expect(TO_POD, &p, TC_ACT_OK, DP_VERDICT_FORWARDED, 0, DP_MATCH_L3_ONLY,
	    "r-admin-all");
	/* exact-identity deny beats the identity's allow-all */
	tcp4(&p, "10.2.0.7", 1000, "10.0.0.10", 22, TCP_SYN);
	expect(TO_POD, &p, TC_ACT_SHOT, DP_VERDICT_DROPPED, DP_REASON_POLICY_DENY,
	    DP_MATCH_L3_L4, "r-admin-nossh");
	/* any-identity (L4-only) deny beats an exact-identity allow */
	pkt_v4(&p, "10.2.0.7", "10.0.0.10", IPPROTO_UDP, l4, l4_udp(l4, 999, 53), 0);
	expect(TO_POD, &p, TC_ACT_SHOT, DP_VERDICT_DROPPED, DP_REASON_POLICY_DENY,
	    DP_MATCH_L4_ONLY, "r-nodns");
	pkt_v4(&p, "10.2.0.7", "10.0.0.10", IPPROTO_UDP, l4, l4_udp(l4, 999, 54), 0);
	expect(TO_POD, &p, TC_ACT_OK, DP_VERDICT_FORWARDED, 0, DP_MATCH_L3_ONLY,
	    "r-admin-all");
}

static void
test_deny_shadows_range(void **state)
{
	struct pkt p;

	(void)state;
	/* allow web 440-447, deny anyone 445: 445 denied (the any-identity deny beats
	 * the exact identity's allow), neighbours allowed */
	tcp4(&p, "10.1.0.5", 1000, "10.0.0.10", 444, TCP_SYN);
	expect(TO_POD, &p, TC_ACT_OK, DP_VERDICT_FORWARDED, 0, DP_MATCH_L3_L4, "r-web44x");
	tcp4(&p, "10.1.0.5", 1000, "10.0.0.10", 445, TCP_SYN);
	expect(TO_POD, &p, TC_ACT_SHOT, DP_VERDICT_DROPPED, DP_REASON_POLICY_DENY,
	    DP_MATCH_L4_ONLY, "r-nosmb");
	tcp4(&p, "10.1.0.5", 1000, "10.0.0.10", 446, TCP_SYN);
	expect(TO_POD, &p, TC_ACT_OK, DP_VERDICT_FORWARDED, 0, DP_MATCH_L3_L4, "r-web44x");
}

static void
test_longer_port_prefix_wins(void **state)
{
	struct pkt p;

	(void)state;
	/* ops: exact identity, tcp any port (prefix 8) vs any identity tcp 8000-8080
	 * (prefix >= 11): the longer L4 prefix is chosen */
	tcp4(&p, "10.3.0.9", 1000, "10.0.0.10", 8064, TCP_SYN);
	expect(TO_POD, &p, TC_ACT_OK, DP_VERDICT_FORWARDED, 0, DP_MATCH_L4_ONLY, "r-range");
	/* outside the range only the L3 entry matches */
	tcp4(&p, "10.3.0.9", 1000, "10.0.0.10", 9999, TCP_SYN);
	expect(TO_POD, &p, TC_ACT_OK, DP_VERDICT_FORWARDED, 0, DP_MATCH_L3_L4, "r-ops-tcp");
	/* and not for UDP */
	{
		uint8_t l4[8];

		pkt_v4(&p, "10.3.0.9", "10.0.0.10", IPPROTO_UDP, l4, l4_udp(l4, 1, 9999), 0);
		expect(TO_POD, &p, TC_ACT_SHOT, DP_VERDICT_DROPPED, DP_REASON_POLICY,
		    DP_MATCH_NONE, NULL);
	}
}

static void
test_ipv6(void **state)
{
	struct pkt p;
	uint8_t l4[20] = { 0 };
	const struct dp_flow_event *e;

	(void)state;
	pkt_v6(&p, "fd00:1::5", "fd00::10", IPPROTO_TCP, l4, l4_tcp(l4, 4000, 80, TCP_SYN));
	assert_int_equal(run(TO_POD, &p), TC_ACT_OK);
	e = one_event();
	assert_int_equal(e->family, DP_FAMILY_V6);
	assert_int_equal(e->src_identity, ID_WEB);
	assert_int_equal(e->match, DP_MATCH_L3_L4);
	expect_rule(e, "r-web80");
	pkt_v6(&p, "fd00:1::5", "fd00::10", IPPROTO_TCP, l4, l4_tcp(l4, 4000, 81, TCP_SYN));
	expect(TO_POD, &p, TC_ACT_SHOT, DP_VERDICT_DROPPED, DP_REASON_POLICY, DP_MATCH_NONE,
	    NULL);
	/* world-ipv6 for unknown sources; the L4-only range applies */
	pkt_v6(&p, "2001:db8::1", "fd00::10", IPPROTO_TCP, l4, l4_tcp(l4, 4000, 8080, TCP_SYN));
	assert_int_equal(run(TO_POD, &p), TC_ACT_OK);
	e = one_event();
	assert_int_equal(e->src_identity, DP_ID_WORLD_IPV6);
	/* ICMPv6 echo allowed by type, other informational types denied */
	pkt_v6(&p, "2001:db8::1", "fd00::10", IPPROTO_ICMPV6, l4, l4_icmp(l4, 128, 0, 9));
	expect(TO_POD, &p, TC_ACT_OK, DP_VERDICT_FORWARDED, 0, DP_MATCH_L4_ONLY, "r-ping6");
	pkt_v6(&p, "2001:db8::1", "fd00::10", IPPROTO_ICMPV6, l4, l4_icmp(l4, 139, 0, 9));
	expect(TO_POD, &p, TC_ACT_SHOT, DP_VERDICT_DROPPED, DP_REASON_POLICY, DP_MATCH_NONE,
	    NULL);
	/* neighbour solicitation always passes, without event */
	pkt_v6(&p, "fe80::1", "ff02::1:ff00:10", IPPROTO_ICMPV6, l4, l4_icmp(l4, 135, 0, 0));
	assert_int_equal(run(TO_POD, &p), TC_ACT_OK);
	no_event();
}

static void
test_ipv6_ext_headers(void **state)
{
	struct pkt p;
	uint8_t rest[256];
	struct buf_writer w;
	const struct dp_flow_event *e;

	(void)state;
	/* hop-by-hop (8 bytes) + destination options (16 bytes) + TCP */
	bw_init(&w, rest, sizeof(rest));
	bw_u8(&w, 60);			/* next: dest opts */
	bw_u8(&w, 0);			/* (0+1)*8 bytes */
	bw_zero(&w, 6);
	bw_u8(&w, IPPROTO_TCP);
	bw_u8(&w, 1);			/* (1+1)*8 bytes */
	bw_zero(&w, 14);
	w.len += l4_tcp(rest + w.len, 4000, 80, TCP_SYN);
	pkt_v6(&p, "fd00:1::5", "fd00::10", 0, rest, w.len);
	assert_int_equal(run(TO_POD, &p), TC_ACT_OK);
	e = one_event();
	assert_int_equal(e->proto, IPPROTO_TCP);
	assert_int_equal(ntohs(e->dport), 80);

	/* truncated extension header: counted drop 135 */
	pkt_v6(&p, "fd00:1::5", "fd00::10", 0, rest, 4);
	expect(TO_POD, &p, TC_ACT_SHOT, DP_VERDICT_DROPPED, DP_REASON_CT_INVALID_HDR,
	    DP_MATCH_NONE, NULL);

	/* more extension headers than the walk allows: 134 */
	bw_init(&w, rest, sizeof(rest));
	for (int i = 0; i < 10; i++) {
		bw_u8(&w, 60);
		bw_u8(&w, 0);
		bw_zero(&w, 6);
	}
	w.len += l4_tcp(rest + w.len, 4000, 80, TCP_SYN);
	pkt_v6(&p, "fd00:1::5", "fd00::10", 60, rest, w.len);
	expect(TO_POD, &p, TC_ACT_SHOT, DP_VERDICT_DROPPED, DP_REASON_INVALID, DP_MATCH_NONE,
	    NULL);
}

/* ---- conntrack ---- */

static void
test_ct_reply(void **state)
{
	struct pkt p;
	const struct dp_flow_event *e;

	(void)state;
	/* a reply-looking packet without a flow is policy-checked and dropped */
	tcp4(&p, "10.1.0.5", 5555, "10.0.0.10", 40001, TCP_SYN | TCP_ACK);
	expect(TO_POD, &p, TC_ACT_SHOT, DP_VERDICT_DROPPED, DP_REASON_POLICY, DP_MATCH_NONE,
	    NULL);
	/* pod opens the flow (egress allowed to web) */
	tcp4(&p, "10.0.0.10", 40001, "10.1.0.5", 5555, TCP_SYN);
	expect(FROM_POD, &p, TC_ACT_OK, DP_VERDICT_FORWARDED, 0, DP_MATCH_L3_ONLY, "r-to-web");
	/* now the reply passes through conntrack, without event */
	tcp4(&p, "10.1.0.5", 5555, "10.0.0.10", 40001, TCP_SYN | TCP_ACK);
	assert_int_equal(run(TO_POD, &p), TC_ACT_OK);
	no_event();
	/* egress to an identity without rule: dropped */
	tcp4(&p, "10.0.0.10", 40002, "10.2.0.7", 22, TCP_SYN);
	assert_int_equal(run(FROM_POD, &p), TC_ACT_SHOT);
	e = one_event();
	assert_int_equal(e->src_identity, ID_POD);
	assert_int_equal(e->dst_identity, ID_ADMIN);
	assert_int_equal(e->reason, DP_REASON_POLICY);
}

static void
test_icmp_echo_and_related(void **state)
{
	struct pkt p;
	uint8_t l4[64];
	struct buf_writer w;
	size_t n;

	(void)state;
	/* echo request from the world allowed by type 8; the pod's reply via CT */
	pkt_v4(&p, "192.0.2.9", "10.0.0.10", IPPROTO_ICMP, l4, l4_icmp(l4, 8, 0, 77), 0);
	expect(TO_POD, &p, TC_ACT_OK, DP_VERDICT_FORWARDED, 0, DP_MATCH_L4_ONLY, "r-ping");
	pkt_v4(&p, "10.0.0.10", "192.0.2.9", IPPROTO_ICMP, l4, l4_icmp(l4, 0, 0, 77), 0);
	assert_int_equal(run(FROM_POD, &p), TC_ACT_OK);
	no_event();
	/* timestamp request: no rule */
	pkt_v4(&p, "192.0.2.9", "10.0.0.10", IPPROTO_ICMP, l4, l4_icmp(l4, 13, 0, 77), 0);
	expect(TO_POD, &p, TC_ACT_SHOT, DP_VERDICT_DROPPED, DP_REASON_POLICY, DP_MATCH_NONE,
	    NULL);

	/* pod -> web tcp 7000, then a router's "port unreachable" quoting it */
	tcp4(&p, "10.0.0.10", 40100, "10.1.0.5", 7000, TCP_SYN);
	assert_int_equal(run(FROM_POD, &p), TC_ACT_OK);
	nev = 0;
	bw_init(&w, l4, sizeof(l4));
	bw_u8(&w, 3);
	bw_u8(&w, 3);
	bw_be16(&w, 0);
	bw_be32(&w, 0);
	w_ipv4(&w, "10.0.0.10", "10.1.0.5", IPPROTO_TCP, 0, 1, 20);
	n = w.len;
	w.len += l4_tcp(l4 + n, 40100, 7000, TCP_SYN);
	pkt_v4(&p, "192.0.2.254", "10.0.0.10", IPPROTO_ICMP, l4, w.len, 0);
	assert_int_equal(run(TO_POD, &p), TC_ACT_OK);
	no_event();
	/* the same error quoting a flow that does not exist: policy, dropped */
	l4_tcp(l4 + n, 40101, 7000, TCP_SYN);
	pkt_v4(&p, "192.0.2.254", "10.0.0.10", IPPROTO_ICMP, l4, w.len, 0);
	expect(TO_POD, &p, TC_ACT_SHOT, DP_VERDICT_DROPPED, DP_REASON_POLICY, DP_MATCH_NONE,
	    NULL);
}

/* ---- audit ---- */

static void
test_audit_mode(void **state)
{
	struct pkt p;
	uint64_t a0 = counter(TO_POD, DP_VERDICT_AUDIT, DP_REASON_POLICY_DENY);

	(void)state;
	set_mode(DP_MODE_AUDIT);
	tcp4(&p, "10.2.0.7", 1000, "10.0.0.10", 22, TCP_SYN);
	expect(TO_POD, &p, TC_ACT_OK, DP_VERDICT_AUDIT, DP_REASON_POLICY_DENY,
	    DP_MATCH_L3_L4, "r-admin-nossh");
	assert_int_equal(counter(TO_POD, DP_VERDICT_AUDIT, DP_REASON_POLICY_DENY), a0 + 1);
	/* allowed traffic stays FORWARDED in audit mode */
	tcp4(&p, "10.1.0.5", 1000, "10.0.0.10", 80, TCP_SYN);
	expect(TO_POD, &p, TC_ACT_OK, DP_VERDICT_FORWARDED, 0, DP_MATCH_L3_L4, "r-web80");
	/* malformed packets are reported and passed too (audit never drops) */
	{
		uint8_t l4[4] = { 0 };

		pkt_v4(&p, "10.1.0.5", "10.0.0.10", IPPROTO_TCP, l4, sizeof(l4), 0);
		expect(TO_POD, &p, TC_ACT_OK, DP_VERDICT_AUDIT, DP_REASON_CT_INVALID_HDR,
		    DP_MATCH_NONE, NULL);
	}
	set_mode(DP_MODE_ENFORCE);
	tcp4(&p, "10.2.0.7", 1000, "10.0.0.10", 22, TCP_SYN);
	assert_int_equal(run(TO_POD, &p), TC_ACT_SHOT);
	nev = 0;
}

/* ---- malformed and fragments ---- */

static void
test_truncated_and_malformed(void **state)
{
	struct pkt p;
	uint8_t l4[20] = { 0 };
	uint64_t c0 = counter(TO_POD, DP_VERDICT_DROPPED, DP_REASON_CT_INVALID_HDR);

	(void)state;
	/* TCP header cut after 4 bytes */
	pkt_v4(&p, "10.1.0.5", "10.0.0.10", IPPROTO_TCP, l4, 4, 0);
	l4_tcp(l4, 1, 80, TCP_SYN);
	expect(TO_POD, &p, TC_ACT_SHOT, DP_VERDICT_DROPPED, DP_REASON_CT_INVALID_HDR,
	    DP_MATCH_NONE, NULL);
	/* UDP header cut after 6 bytes */
	pkt_v4(&p, "10.1.0.5", "10.0.0.10", IPPROTO_UDP, l4, 6, 0);
	expect(TO_POD, &p, TC_ACT_SHOT, DP_VERDICT_DROPPED, DP_REASON_CT_INVALID_HDR,
	    DP_MATCH_NONE, NULL);
	/* ICMP header cut after 3 bytes */
	pkt_v4(&p, "10.1.0.5", "10.0.0.10", IPPROTO_ICMP, l4, 3, 0);
	expect(TO_POD, &p, TC_ACT_SHOT, DP_VERDICT_DROPPED, DP_REASON_CT_INVALID_HDR,
	    DP_MATCH_NONE, NULL);
	/* TCP data offset pointing past the datagram */
	l4_tcp(l4, 1, 80, TCP_SYN);
	l4[12] = 15 << 4;
	pkt_v4(&p, "10.1.0.5", "10.0.0.10", IPPROTO_TCP, l4, 20, 0);
	expect(TO_POD, &p, TC_ACT_SHOT, DP_VERDICT_DROPPED, DP_REASON_CT_INVALID_HDR,
	    DP_MATCH_NONE, NULL);
	assert_int_equal(counter(TO_POD, DP_VERDICT_DROPPED, DP_REASON_CT_INVALID_HDR), c0 + 4);
	/* IP total length beyond the frame */
	tcp4(&p, "10.1.0.5", 1, "10.0.0.10", 80, TCP_SYN);
	p.b[ETH_HLEN + 2] = 0x05;	/* tot_len = 0x05xx */
	expect(TO_POD, &p, TC_ACT_SHOT, DP_VERDICT_DROPPED, DP_REASON_INVALID, DP_MATCH_NONE,
	    NULL);
	/* IHL below 5 */
	tcp4(&p, "10.1.0.5", 1, "10.0.0.10", 80, TCP_SYN);
	p.b[ETH_HLEN] = 0x44;
	expect(TO_POD, &p, TC_ACT_SHOT, DP_VERDICT_DROPPED, DP_REASON_INVALID, DP_MATCH_NONE,
	    NULL);
	/* ARP passes untouched */
	tcp4(&p, "10.1.0.5", 1, "10.0.0.10", 80, TCP_SYN);
	p.b[12] = 0x08;
	p.b[13] = 0x06;
	assert_int_equal(run(TO_POD, &p), TC_ACT_OK);
	no_event();
}

static void
test_fragments(void **state)
{
	struct pkt p;
	uint8_t l4[20] = { 0 }, rest[64];
	struct buf_writer w;
	const struct dp_flow_event *e;

	(void)state;
	/* a later fragment nobody announced: 157 */
	pkt_v4(&p, "10.1.0.5", "10.0.0.10", IPPROTO_TCP, l4, 16, 100);
	expect(TO_POD, &p, TC_ACT_SHOT, DP_VERDICT_DROPPED, DP_REASON_FRAG_NOSUPPORT,
	    DP_MATCH_NONE, NULL);
	/* first fragment (MF) of an allowed flow, then a later one: passes via CT */
	pkt_v4(&p, "10.1.0.5", "10.0.0.10", IPPROTO_TCP, l4, l4_tcp(l4, 3000, 80, TCP_SYN),
	    0x2000);
	expect(TO_POD, &p, TC_ACT_OK, DP_VERDICT_FORWARDED, 0, DP_MATCH_L3_L4, "r-web80");
	pkt_v4(&p, "10.1.0.5", "10.0.0.10", IPPROTO_TCP, l4, 16, 3);
	assert_int_equal(run(TO_POD, &p), TC_ACT_OK);
	no_event();
	/* first fragment of a denied flow: its later fragments stay dropped */
	pkt_v4(&p, "10.1.0.5", "10.0.0.10", IPPROTO_TCP, l4, l4_tcp(l4, 3000, 81, TCP_SYN),
	    0x2000);
	p.b[ETH_HLEN + 5] = 8;	/* other IP id */
	assert_int_equal(run(TO_POD, &p), TC_ACT_SHOT);
	nev = 0;
	pkt_v4(&p, "10.1.0.5", "10.0.0.10", IPPROTO_TCP, l4, 16, 3);
	p.b[ETH_HLEN + 5] = 8;
	expect(TO_POD, &p, TC_ACT_SHOT, DP_VERDICT_DROPPED, DP_REASON_FRAG_NOSUPPORT,
	    DP_MATCH_NONE, NULL);

	/* IPv6: fragment header, first then later */
	bw_init(&w, rest, sizeof(rest));
	bw_u8(&w, IPPROTO_UDP);
	bw_u8(&w, 0);
	bw_be16(&w, 0x0001);		/* offset 0, M */
	bw_be32(&w, 0xabcd);
	w.len += l4_udp(rest + w.len, 5000, 8000);
	pkt_v6(&p, "fd00:1::5", "fd00::10", 44, rest, w.len);
	expect(TO_POD, &p, TC_ACT_SHOT, DP_VERDICT_DROPPED, DP_REASON_POLICY, DP_MATCH_NONE,
	    NULL);		/* UDP 8000 has no rule */
	/* TCP range rule: first fragment allowed, the later one follows */
	rest[0] = IPPROTO_TCP;
	w.len = 8 + l4_tcp(rest + 8, 5000, 8000, TCP_SYN);
	pkt_v6(&p, "fd00:1::5", "fd00::10", 44, rest, w.len);
	assert_int_equal(run(TO_POD, &p), TC_ACT_OK);
	e = one_event();
	assert_int_equal(e->match, DP_MATCH_L4_ONLY);
	rest[2] = 0x00;
	rest[3] = 0x10 | 0x01;		/* offset 2 (x8), M */
	pkt_v6(&p, "fd00:1::5", "fd00::10", 44, rest, 8 + 8);
	assert_int_equal(run(TO_POD, &p), TC_ACT_OK);
	no_event();
}

/* ---- rule changes, adoption, unmanaged interfaces ---- */

static void
test_rule_change_o1_and_running_flow(void **state)
{
	struct pkt p;
	struct dp_bundle *b;
	struct dp_sync_stats st;
	struct diag d;
	char *text = strdup(bundle_json), *at;

	(void)state;
	tcp4(&p, "10.1.0.5", 41000, "10.0.0.10", 80, TCP_SYN);
	assert_int_equal(run(TO_POD, &p), TC_ACT_OK);
	nev = 0;
	/* change one rule: web's port 80 becomes 81 */
	at = strstr(text, "\"port\":80,");
	assert_non_null(at);
	memcpy(at, "\"port\":81,", 10);
	b = parse_bundle(text);
	diag_init(&d, NULL);
	assert_int_equal(dp_sync(dp, b, &st, &d), 0);
	dp_bundle_free(b);
	assert_int_equal(st.policy_put, 1);
	assert_int_equal(st.policy_del, 1);
	assert_int_equal(st.ipcache_put + st.ipcache_del + st.endpoint_put + st.names_put +
	    st.names_del + st.maps_created, 0);
	/* the bundle names no interface: sync removed the test's endpoint entry */
	assert_int_equal(st.endpoint_del, 1);
	set_mode(DP_MODE_ENFORCE);
	/* the running flow is re-checked: now denied */
	tcp4(&p, "10.1.0.5", 41000, "10.0.0.10", 80, TCP_ACK);
	expect(TO_POD, &p, TC_ACT_SHOT, DP_VERDICT_DROPPED, DP_REASON_POLICY, DP_MATCH_NONE,
	    NULL);
	tcp4(&p, "10.1.0.5", 41000, "10.0.0.10", 81, TCP_SYN);
	expect(TO_POD, &p, TC_ACT_OK, DP_VERDICT_FORWARDED, 0, DP_MATCH_L3_L4, "r-web80");
	/* and back: the same bundle again costs nothing the second time */
	b = parse_bundle(bundle_json);
	assert_int_equal(dp_sync(dp, b, &st, &d), 0);
	assert_int_equal(st.policy_put, 1);
	assert_int_equal(st.policy_del, 1);
	assert_int_equal(dp_sync(dp, b, &st, &d), 0);
	assert_int_equal(st.policy_put + st.policy_del + st.ipcache_put + st.names_put, 0);
	dp_bundle_free(b);
	free(text);
}

static void
test_adopt_after_restart(void **state)
{
	struct dp_opts o = { .pin_root = pin_root };
	struct dp_bundle *b;
	struct dp_sync_stats st;
	struct diag d;
	struct pkt p;
	int old_prog = dp_prog_fd(dp, TO_POD);
	struct bpf_prog_info a = { 0 }, c = { 0 };
	uint32_t la = sizeof(a), lc = sizeof(c);

	(void)state;
	assert_int_equal(bpf_obj_get_info_by_fd(old_prog, &a, &la), 0);
	ring_buffer__free(rb);
	dp_close(dp);
	diag_init(&d, NULL);
	assert_int_equal(dp_open(&o, &dp, &d), 0);
	assert_true(dp_adopted(dp));
	assert_int_equal(bpf_obj_get_info_by_fd(dp_prog_fd(dp, TO_POD), &c, &lc), 0);
	assert_int_equal(a.id, c.id);	/* same program, not reloaded */
	rb = ring_buffer__new(dp_map_fd(dp, "dp_events"), on_event, NULL, NULL);
	assert_non_null(rb);
	b = parse_bundle(bundle_json);
	assert_int_equal(dp_sync(dp, b, &st, &d), 0);
	dp_bundle_free(b);
	assert_int_equal(st.policy_put + st.policy_del + st.ipcache_put + st.ipcache_del +
	    st.names_put + st.names_del + st.maps_created + st.maps_dropped, 0);
	set_mode(DP_MODE_ENFORCE);
	tcp4(&p, "10.1.0.5", 1000, "10.0.0.10", 80, TCP_SYN);
	expect(TO_POD, &p, TC_ACT_OK, DP_VERDICT_FORWARDED, 0, DP_MATCH_L3_L4, "r-web80");
}

static void
test_no_endpoint_and_metrics_text(void **state)
{
	struct pkt p;
	uint64_t s0 = 0, s1 = 0;
	char *text;

	(void)state;
	assert_int_equal(dp_stat_get(dp, 1, &s0), 0);
	assert_int_equal(dp_endpoint_del(dp, LO_IFINDEX), 0);
	tcp4(&p, "10.1.0.5", 1000, "10.0.0.10", 81, TCP_SYN);
	assert_int_equal(run(TO_POD, &p), TC_ACT_OK);
	no_event();
	assert_int_equal(dp_stat_get(dp, 1, &s1), 0);
	assert_int_equal(s1, s0 + 1);
	set_mode(DP_MODE_ENFORCE);
	text = dp_metrics_prometheus(dp);
	assert_non_null(text);
	assert_non_null(strstr(text, "cutover_datapath_dropped_packets_total{endpoint=\"100\","
	    "pod=\"t/pod-0\",direction=\"ingress\",reason=\"POLICY_DENIED\",reason_code=\"133\"}"));
	assert_non_null(strstr(text, "cutover_datapath_unmanaged_packets_total "));
	free(text);
}

/* ---- attach modes: tcx links and clsact on a veth in a private netns ---- */

/* Kernel 6.6 brought tcx: the mode a new interface gets in auto. */
static int
expected_default_mode(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	assert_int_equal(uname(&u), 0);
	assert_int_equal(sscanf(u.release, "%d.%d", &major, &minor), 2);
	return major > 6 || (major == 6 && minor >= 6) ? DP_ATTACH_TCX : DP_ATTACH_CLSACT;
}

/* The kernel's own view of a pinned tcx link (/proc/self/fdinfo): link id,
 * ifindex and attach type. -1 when nothing is pinned at path. */
static int
tcx_fdinfo(int ifindex, const char *dir, unsigned *link_id, unsigned *ifx,
    unsigned *attach_type)
{
	char path[256], line[256];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/tcx_%d_%s", pin_root, ifindex, dir);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	assert_non_null(f);
	*link_id = *ifx = *attach_type = 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "link_type:", 10))
			assert_non_null(strstr(line, "tcx"));
		sscanf(line, "link_id: %u", link_id);
		sscanf(line, "ifindex: %u", ifx);
		sscanf(line, "attach_type: %u", attach_type);
	}
	fclose(f);
	close(fd);
	return 0;
}

static struct dp *
open_mode(int mode)
{
	struct dp_opts o = { .pin_root = pin_root, .no_load = true, .attach = mode };
	struct diag d;
	struct dp *h;

	diag_init(&d, NULL);
	assert_int_equal(dp_open(&o, &h, &d), 0);
	return h;
}

static void
test_attach_modes(void **state)
{
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int want = expected_default_mode(), ifx;
	unsigned id_in = 0, id_out = 0, id2 = 0, x = 0, at = 0;
	int m;
	struct dp *a, *c, *t;
	struct diag d;

	(void)state;
	assert_true(self >= 0);
	assert_int_equal(unshare(CLONE_NEWNET), 0);	/* our veth never reaches the host */
	assert_int_equal(system("ip link add dpt0 type veth peer name dpt1 && "
	    "ip link set dpt0 up && ip link set dpt1 up"), 0);
	ifx = (int)if_nametoindex("dpt0");
	assert_true(ifx > 0);
	diag_init(&d, NULL);

	/* auto: the kernel's best mode; attached means both directions */
	a = open_mode(DP_ATTACH_AUTO);
	assert_int_equal(dp_attach_default(a), want);
	assert_int_equal(dp_attached(a, ifx), -ENOENT);
	assert_int_equal(dp_attach(a, ifx, &d), 0);
	assert_int_equal(dp_attach_mode(a, ifx), want);
	assert_int_equal(dp_attached(a, ifx), 0);
	if (want == DP_ATTACH_TCX) {
		/* from-pod on the veth's tcx ingress (46), to-pod on its egress (47) */
		assert_int_equal(tcx_fdinfo(ifx, "from_pod", &id_out, &x, &at), 0);
		assert_int_equal(x, ifx);
		assert_int_equal(at, 46);
		assert_int_equal(tcx_fdinfo(ifx, "to_pod", &id_in, &x, &at), 0);
		assert_int_equal(x, ifx);
		assert_int_equal(at, 47);
		/* a restarted process adopts the links: same ids, attach again is a no-op
		 * swap of the program (BPF_LINK_UPDATE), not a new link */
		dp_close(a);
		a = open_mode(DP_ATTACH_AUTO);
		assert_int_equal(dp_attached(a, ifx), 0);
		assert_int_equal(dp_attach(a, ifx, &d), 0);
		assert_int_equal(tcx_fdinfo(ifx, "to_pod", &id2, &x, &at), 0);
		assert_int_equal(id2, id_in);
		assert_int_equal(tcx_fdinfo(ifx, "from_pod", &id2, &x, &at), 0);
		assert_int_equal(id2, id_out);
	}

	/* forced clsact switches; the tcx links are gone, never both */
	c = open_mode(DP_ATTACH_CLSACT);
	if (want == DP_ATTACH_TCX)
		assert_int_equal(dp_attached(c, ifx), -ENOENT);	/* wrong mode */
	assert_int_equal(dp_attach(c, ifx, &d), 0);
	assert_int_equal(dp_attach_mode(c, ifx), DP_ATTACH_CLSACT);
	assert_int_equal(dp_attached(c, ifx), 0);
	assert_int_equal(tcx_fdinfo(ifx, "to_pod", &id2, &x, &at), -1);
	assert_int_equal(tcx_fdinfo(ifx, "from_pod", &id2, &x, &at), -1);
	/* auto keeps an interface attached by clsact as it is */
	assert_int_equal(dp_attached(a, ifx), 0);
	assert_int_equal(dp_attach(a, ifx, &d), 0);
	assert_int_equal(dp_attach_mode(a, ifx), DP_ATTACH_CLSACT);

	if (want == DP_ATTACH_TCX) {
		/* forced tcx switches back and removes our clsact filters */
		t = open_mode(DP_ATTACH_TCX);
		assert_int_equal(dp_attached(t, ifx), -ENOENT);
		assert_int_equal(dp_attach(t, ifx, &d), 0);
		assert_int_equal(dp_attach_mode(t, ifx), DP_ATTACH_TCX);
		assert_int_equal(dp_detach(t, ifx, &d), 0);
		assert_int_equal(dp_attach_mode(t, ifx), -ENOENT);
		assert_int_equal(tcx_fdinfo(ifx, "to_pod", &id2, &x, &at), -1);
		assert_int_equal(dp_attach(t, ifx, &d), 0);
		assert_int_equal(dp_attach_mode(t, ifx), DP_ATTACH_TCX);
		/* a veth that goes away leaves a defunct link: its pins are dropped */
		assert_int_equal(system("ip link del dpt0"), 0);
		assert_int_equal(dp_attach_mode(t, ifx), -ENOENT);
		assert_int_equal(tcx_fdinfo(ifx, "to_pod", &id2, &x, &at), -1);
		assert_int_equal(tcx_fdinfo(ifx, "from_pod", &id2, &x, &at), -1);
		dp_close(t);
	} else {
		assert_int_equal(dp_detach(c, ifx, &d), 0);
		assert_int_equal(dp_attach_mode(c, ifx), -ENOENT);
	}
	assert_string_equal(dp_attach_mode_str(DP_ATTACH_TCX), "tcx");
	assert_int_equal(dp_attach_mode_parse("clsact", &m), 0);
	assert_int_equal(m, DP_ATTACH_CLSACT);
	assert_int_equal(dp_attach_mode_parse("tc", &m), -EINVAL);
	dp_close(c);
	dp_close(a);
	assert_int_equal(setns(self, CLONE_NEWNET), 0);	/* the private netns goes away */
	close(self);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_l3_l4_exact, reset),
		cmocka_unit_test_setup(test_l4_only_port_range, reset),
		cmocka_unit_test_setup(test_world_identity, reset),
		cmocka_unit_test_setup(test_l3_only_and_deny, reset),
		cmocka_unit_test_setup(test_deny_shadows_range, reset),
		cmocka_unit_test_setup(test_longer_port_prefix_wins, reset),
		cmocka_unit_test_setup(test_ipv6, reset),
		cmocka_unit_test_setup(test_ipv6_ext_headers, reset),
		cmocka_unit_test_setup(test_ct_reply, reset),
		cmocka_unit_test_setup(test_icmp_echo_and_related, reset),
		cmocka_unit_test_setup(test_audit_mode, reset),
		cmocka_unit_test_setup(test_truncated_and_malformed, reset),
		cmocka_unit_test_setup(test_fragments, reset),
		cmocka_unit_test_setup(test_rule_change_o1_and_running_flow, reset),
		cmocka_unit_test_setup(test_adopt_after_restart, reset),
		cmocka_unit_test_setup(test_no_endpoint_and_metrics_text, reset),
		cmocka_unit_test_setup(test_attach_modes, reset),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
