// SPDX-License-Identifier: MIT
/* BPF toolchain test: load the self-test skeleton, run crafted packets through
 * BPF_PROG_TEST_RUN and check the verdict and the map side effects. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "selftest.skel.h"

struct pkt4 {
	struct ethhdr	eth;
	struct iphdr	ip;
	uint8_t		payload[8];
} __attribute__((packed));

static void
make_pkt(struct pkt4 *p, const char *dst)
{
	memset(p, 0, sizeof(*p));
	p->eth.h_proto = htons(ETH_P_IP);
	p->ip.version = 4;
	p->ip.ihl = sizeof(p->ip) / 4;
	p->ip.ttl = 64;
	p->ip.protocol = 17;
	p->ip.tot_len = htons(sizeof(*p) - sizeof(p->eth));
	inet_pton(AF_INET, "10.20.0.10", &p->ip.saddr);
	inet_pton(AF_INET, dst, &p->ip.daddr);
}

static int
run(struct selftest *skel, const void *pkt, size_t len, uint32_t *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = (uint32_t)len,
	    .repeat = 1);
	int rc = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.selftest_tc), &opts);

	*retval = opts.retval;
	return rc;
}

static uint64_t
counter(struct selftest *skel, uint32_t idx)
{
	uint64_t v = 0;

	assert_int_equal(bpf_map__lookup_elem(skel->maps.selftest_count, &idx, sizeof(idx),
	    &v, sizeof(v), 0), 0);
	return v;
}

static void
test_verdicts(void **state)
{
	struct selftest *skel = selftest__open_and_load();
	struct pkt4 p;
	uint32_t key, ret;
	uint8_t one = 1;

	(void)state;
	assert_non_null(skel);
	inet_pton(AF_INET, "10.20.0.15", &key);
	assert_int_equal(bpf_map__update_elem(skel->maps.selftest_deny, &key, sizeof(key),
	    &one, sizeof(one), BPF_ANY), 0);

	make_pkt(&p, "10.20.0.15");
	assert_int_equal(run(skel, &p, sizeof(p), &ret), 0);
	assert_int_equal(ret, TC_ACT_SHOT);
	make_pkt(&p, "10.20.0.16");
	assert_int_equal(run(skel, &p, sizeof(p), &ret), 0);
	assert_int_equal(ret, TC_ACT_OK);
	/* Non-IPv4 frames pass untouched. (The kernel itself refuses to test-run an
	 * IPv4 frame shorter than its IP header, so truncation is not testable here.) */
	make_pkt(&p, "10.20.0.15");
	p.eth.h_proto = htons(ETH_P_ARP);
	assert_int_equal(run(skel, &p, sizeof(p), &ret), 0);
	assert_int_equal(ret, TC_ACT_OK);

	assert_int_equal(counter(skel, 1), 1);
	assert_int_equal(counter(skel, 0), 2);
	selftest__destroy(skel);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdicts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
