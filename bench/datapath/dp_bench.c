// SPDX-License-Identifier: MIT
/*
 * Datapath micro-benchmarks (not a test): loads the datapath under its own pin root
 * and measures
 *   verdict  ns per packet via BPF_PROG_TEST_RUN (repeat) with 10, 1k, 100k and 1M
 *            policy entries and ipcache entries; ratio against the 10-entry anchor;
 *   update   one policy rule change at N = 10,000: one map update (the datapath's
 *            way), and a whole dp_sync of a 10,000-rule bundle with one rule changed
 *            (diff including reading the maps back).
 * Output: "key value" lines for bench/datapath/run.sh.
 *   dp_bench verdict PIN_ROOT   dp_bench update PIN_ROOT
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath/datapath.h"
#include "lib/buf.h"
#include "lib/clock.h"

#define EP_ID		1
#define POD_ID		256
#define LO_IFINDEX	1

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static struct dp *
open_dp(const char *root, uint32_t size)
{
	struct dp_opts o = { .pin_root = root, .policy_max = size, .ipcache_max = size };
	struct dp *dp;
	struct diag d;
	char msg[1024];

	diag_init(&d, NULL);
	if (dp_open(&o, &dp, &d)) {
		diag_format(&d, msg, sizeof(msg));
		fprintf(stderr, "dp_bench: %s\n", msg);
		exit(1);
	}
	return dp;
}

/* identity of the i-th filler entry, and its /32 in 10.0.0.0/8 */
static uint32_t
filler_id(uint32_t i)
{
	return 1000 + i;
}

static void
filler_prefix(uint32_t i, struct prefix *p)
{
	struct addr a;

	addr_from_v4(&a, (10u << 24) + 1 + i * 13);	/* spread, stays in 10/8 for i < 1.2M */
	prefix_host(p, &a);
}

static void
put_policy(struct dp *dp, uint32_t id, uint16_t port, uint16_t rule)
{
	struct dp_policy_key k = {
		.prefixlen = DP_POLICY_FULL_PREFIX, .sec_label = id, .egress = DP_DIR_INGRESS,
		.protocol = IPPROTO_TCP, .dport = htons(port),
	};
	struct dp_policy_entry e = { .flags = 24 << DP_POLICY_LPM_SHIFT, .rule_id = rule };
	int rc = dp_policy_put(dp, EP_ID, &k, &e);

	if (rc) {
		fprintf(stderr, "dp_bench: policy put: %s\n", strerror(-rc));
		exit(1);
	}
}

static void
fill(struct dp *dp, uint32_t from, uint32_t to)
{
	for (uint32_t i = from; i < to; i++) {
		struct prefix p;

		filler_prefix(i, &p);
		if (dp_ipcache_put(dp, &p, filler_id(i))) {
			fprintf(stderr, "dp_bench: ipcache put %u failed\n", i);
			exit(1);
		}
		put_policy(dp, filler_id(i), (uint16_t)(1 + i % 60000), 1);
	}
}

static size_t
tcp_packet(uint8_t *buf, size_t cap, uint32_t src)
{
	static const uint8_t mac[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };
	struct buf_writer w;

	bw_init(&w, buf, cap);
	bw_bytes(&w, mac, sizeof(mac));
	bw_be16(&w, ETH_P_IP);
	bw_u8(&w, 0x45);
	bw_u8(&w, 0);
	bw_be16(&w, 20 + 20);
	bw_be32(&w, 0);
	bw_u8(&w, 64);
	bw_u8(&w, IPPROTO_TCP);
	bw_be16(&w, 0);
	bw_be32(&w, src);
	bw_be32(&w, (10u << 24) | (200u << 16) | 1);	/* the pod */
	bw_be16(&w, 40000);
	bw_be16(&w, 80);
	bw_be32(&w, 1);
	bw_be32(&w, 1);
	bw_u8(&w, 5 << 4);
	bw_u8(&w, 0x10);	/* ACK */
	bw_be16(&w, 65535);
	bw_be32(&w, 0);
	return bw_error(&w) ? 0 : w.len;
}

static uint64_t
verdict_ns(struct dp *dp, const uint8_t *pkt, size_t len)
{
	uint64_t runs[7];

	for (size_t r = 0; r < 7; r++) {
		struct bpf_test_run_opts o = { .sz = sizeof(o), .data_in = pkt, .data_size_in = (uint32_t)len,
		    .repeat = 200000 };

		if (bpf_prog_test_run_opts(dp_prog_fd(dp, DP_DIR_INGRESS), &o) || o.retval != 0) {
			fprintf(stderr, "dp_bench: test run failed (retval %u)\n", o.retval);
			exit(1);
		}
		runs[r] = o.duration;
	}
	qsort(runs, 7, sizeof(runs[0]), cmp_u64);
	return runs[3];
}

static int
bench_verdict(const char *root)
{
	static const uint32_t sizes[] = { 10, 1000, 100000, 1000000 };
	struct dp *dp = open_dp(root, 1100000);
	struct dp_endpoint ep = { .ep_id = EP_ID, .identity = POD_ID, .mode = DP_MODE_ENFORCE };
	struct prefix pod;
	struct addr a;
	uint8_t pkt[128];
	size_t len;
	uint32_t have = 0, src;
	struct prefix sp;

	/* the measured flow: source = filler entry 5 (identity 1005), allowed tcp/80 */
	addr_from_v4(&a, (10u << 24) | (200u << 16) | 1);
	prefix_host(&pod, &a);
	dp_ipcache_put(dp, &pod, POD_ID);
	dp_endpoint_put(dp, LO_IFINDEX, &ep);
	filler_prefix(5, &sp);
	src = addr_to_v4(&sp.addr);
	len = tcp_packet(pkt, sizeof(pkt), src);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		double t0 = clock_s(CLOCK_MONOTONIC);
		uint64_t ns;

		fill(dp, have, sizes[i]);
		have = sizes[i];
		put_policy(dp, filler_id(5), 80, 2);
		printf("fill_s_%u %.2f\n", sizes[i], clock_s(CLOCK_MONOTONIC) - t0);
		ns = verdict_ns(dp, pkt, len);
		printf("verdict_ns_%u %llu\n", sizes[i], (unsigned long long)ns);
		fflush(stdout);
	}
	dp_close(dp);
	return 0;
}

/* a bundle with n ingress rules for one endpoint; rule `changed` gets port+1 */
static char *
bundle_text(uint32_t n, uint32_t changed)
{
	size_t cap = 256 + (size_t)n * 160, len = 0;
	char *s = malloc(cap);

	if (!s)
		exit(1);
	len += (size_t)snprintf(s + len, cap - len, "{\"version\":1,\"identities\":[");
	for (uint32_t i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len, "%s{\"id\":%u,\"name\":\"id%u\"}",
		    i ? "," : "", filler_id(i), i);
	len += (size_t)snprintf(s + len, cap - len, "],\"endpoints\":[{\"id\":%d,\"name\":"
	    "\"bench/pod\",\"identity\":%u,\"rules\":[", EP_ID, filler_id(0));
	for (uint32_t i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len, "%s{\"direction\":\"ingress\","
		    "\"peer\":%u,\"protocol\":\"tcp\",\"port\":%u,\"action\":\"allow\","
		    "\"ref\":\"r%u\"}", i ? "," : "", filler_id(i),
		    1 + i % 60000 + (i == changed), i);
	snprintf(s + len, cap - len, "]}]}");
	return s;
}

static int
bench_update(const char *root)
{
	const uint32_t n = 10000;
	struct dp *dp = open_dp(root, 65536);
	struct dp_bundle *b;
	struct dp_sync_stats st;
	struct diag d;
	uint64_t one[1001];
	double t0, t_sync;
	char *text;

	text = bundle_text(n, n);
	diag_init(&d, NULL);
	if (dp_bundle_parse(text, strlen(text), &b, &d) || dp_sync(dp, b, &st, &d)) {
		fprintf(stderr, "dp_bench: initial bundle failed: %s\n", d.msg);
		return 1;
	}
	dp_bundle_free(b);
	free(text);
	printf("update_initial_puts %zu\n", st.policy_put);
	/* one map update: flip rule 5000's entry between two values */
	for (size_t r = 0; r < 1001; r++) {
		uint64_t a = clock_ns(CLOCK_MONOTONIC);

		put_policy(dp, filler_id(5000), (uint16_t)(1 + 5000 % 60000), (uint16_t)(r & 1));
		one[r] = clock_ns(CLOCK_MONOTONIC) - a;
	}
	qsort(one, 1001, sizeof(one[0]), cmp_u64);
	printf("update_map_ns %llu\n", (unsigned long long)one[500]);
	/* a whole bundle apply with one rule changed (parse excluded) */
	text = bundle_text(n, 4321);
	if (dp_bundle_parse(text, strlen(text), &b, &d)) {
		fprintf(stderr, "dp_bench: bundle parse failed\n");
		return 1;
	}
	t0 = clock_s(CLOCK_MONOTONIC);
	if (dp_sync(dp, b, &st, &d)) {
		fprintf(stderr, "dp_bench: sync failed: %s\n", d.msg);
		return 1;
	}
	t_sync = clock_s(CLOCK_MONOTONIC) - t0;
	printf("update_sync_ms %.2f\n", t_sync * 1e3);
	printf("update_sync_writes %zu\n", st.policy_put + st.policy_del + st.names_put +
	    st.names_del + st.ipcache_put + st.ipcache_del);
	dp_bundle_free(b);
	free(text);
	dp_close(dp);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: dp_bench verdict|update PIN_ROOT\n");
		return 2;
	}
	if (!strcmp(argv[1], "verdict"))
		return bench_verdict(argv[2]);
	if (!strcmp(argv[1], "update"))
		return bench_update(argv[2]);
	fprintf(stderr, "dp_bench: unknown mode %s\n", argv[1]);
	return 2;
}
