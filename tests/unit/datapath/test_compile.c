// SPDX-License-Identifier: MIT
/* Unit tests for datapath/compile.c: port ranges become prefixes that cover exactly the
 * range (checked against brute force), rules become Cilium LPM keys with the right
 * prefix lengths, equal keys merge with deny winning, and a deny covering an allow
 * turns it into a deny; directions without default deny get the allow-all entry. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "datapath/datapath.h"

static void
check_range(uint16_t lo, uint16_t hi)
{
	uint16_t val[32];
	uint8_t len[32];
	int n = dp_port_range_prefixes(lo, hi, val, len, 32);
	static uint8_t hit[65536];

	assert_true(n >= 1 && n <= 30);
	memset(hit, 0, sizeof(hit));
	for (int i = 0; i < n; i++) {
		uint32_t size = 1u << (16 - len[i]);

		assert_int_equal(val[i] & (size - 1), 0);	/* aligned */
		for (uint32_t p = val[i]; p < val[i] + size; p++) {
			assert_int_equal(hit[p], 0);		/* disjoint */
			hit[p] = 1;
		}
	}
	for (uint32_t p = 0; p < 65536; p++) {
		/* p < 65536 always; cppcheck infers otherwise from "p <= hi" */
		// cppcheck-suppress arrayIndexOutOfBoundsCond
		assert_int_equal(hit[p], p >= lo && p <= hi);	/* exact */
	}
}

static void
test_port_ranges(void **state)
{
	uint16_t val[32];
	uint8_t len[32];

	(void)state;
	assert_int_equal(dp_port_range_prefixes(8000, 8080, val, len, 32), 3);
	assert_int_equal(val[0], 8000);		/* 8000-8063 */
	assert_int_equal(len[0], 10);
	assert_int_equal(val[1], 8064);		/* 8064-8079 */
	assert_int_equal(len[1], 12);
	assert_int_equal(val[2], 8080);
	assert_int_equal(len[2], 16);
	assert_int_equal(dp_port_range_prefixes(1, 65535, val, len, 32), 16);
	assert_int_equal(dp_port_range_prefixes(0, 65535, val, len, 32), 1);
	assert_int_equal(len[0], 0);
	assert_int_equal(dp_port_range_prefixes(443, 443, val, len, 32), 1);
	assert_int_equal(len[0], 16);
	assert_int_equal(dp_port_range_prefixes(1, 65534, val, len, 32), 30);	/* worst case */
	check_range(8000, 8080);
	check_range(1, 65535);
	check_range(1, 65534);
	check_range(65535, 65535);
	srand(7);
	for (int i = 0; i < 40; i++) {
		uint16_t a = (uint16_t)rand(), b = (uint16_t)rand();

		check_range(a < b ? a : b, a < b ? b : a);
	}
}

static struct dp_bundle_rule
rule(uint8_t dir, uint32_t peer, uint8_t proto, uint16_t lo, uint16_t hi, uint8_t action,
    const char *ref)
{
	struct dp_bundle_rule r = { .dir = dir, .peer = peer, .proto = proto, .port_lo = lo,
	    .port_hi = hi, .action = action };

	strcpy(r.ref, ref);
	return r;
}

static const struct dp_pentry *
find(const struct dp_pentry *v, long n, uint32_t peer, uint8_t dir, uint8_t proto,
    uint16_t port, uint32_t plen)
{
	for (long i = 0; i < n; i++)
		if (v[i].key.sec_label == peer && v[i].key.egress == dir &&
		    v[i].key.protocol == proto && ntohs(v[i].key.dport) == port &&
		    v[i].key.prefixlen == plen)
			return &v[i];
	return NULL;
}

static void
test_entries(void **state)
{
	struct dp_bundle_rule rules[] = {
		rule(DP_DIR_INGRESS, 300, IPPROTO_TCP, 80, 80, DP_ACTION_ALLOW, "a80"),
		rule(DP_DIR_INGRESS, 300, IPPROTO_TCP, 80, 80, DP_ACTION_ALLOW, "a80-dup"),
		rule(DP_DIR_INGRESS, 0, IPPROTO_TCP, 8000, 8080, DP_ACTION_ALLOW, "range"),
		rule(DP_DIR_INGRESS, 301, 0, 0, 65535, DP_ACTION_ALLOW, "all301"),
		rule(DP_DIR_INGRESS, 302, IPPROTO_UDP, 0, 65535, DP_ACTION_ALLOW, "udp302"),
		rule(DP_DIR_INGRESS, 0, IPPROTO_UDP, 0, 65535, DP_ACTION_DENY, "noudp"),
		rule(DP_DIR_INGRESS, 300, IPPROTO_TCP, 22, 22, DP_ACTION_ALLOW, "ssh"),
		rule(DP_DIR_INGRESS, 300, IPPROTO_TCP, 22, 22, DP_ACTION_DENY, "nossh"),
		rule(DP_DIR_INGRESS, 0, IPPROTO_ICMP, 8, 8, DP_ACTION_ALLOW, "ping"),
	};
	struct dp_bundle_endpoint ep = { .id = 7, .identity = 256, .rules = rules,
	    .nrules = sizeof(rules) / sizeof(rules[0]),
	    .default_deny = { [DP_DIR_INGRESS] = true, [DP_DIR_EGRESS] = false } };
	struct dp_pentry *v;
	const struct dp_pentry *e;
	long n;

	(void)state;
	n = dp_compile_endpoint(&ep, &v);
	/* a80 (merged dup), range (3), all301, udp302, noudp, ssh/nossh (1), ping,
	 * egress allow-all */
	assert_int_equal(n, 1 + 3 + 1 + 1 + 1 + 1 + 1 + 1);
	e = find(v, n, 300, 0, IPPROTO_TCP, 80, 64);
	assert_non_null(e);
	assert_string_equal(e->ref, "a80");	/* first rule's reference kept */
	assert_int_equal(e->flags, 24 << DP_POLICY_LPM_SHIFT);	/* proto 8 + port 16 */
	e = find(v, n, 0, 0, IPPROTO_TCP, 8000, 58);
	assert_non_null(e);
	assert_int_equal(e->flags >> DP_POLICY_LPM_SHIFT, 18);
	assert_non_null(find(v, n, 0, 0, IPPROTO_TCP, 8064, 60));
	assert_non_null(find(v, n, 0, 0, IPPROTO_TCP, 8080, 64));
	e = find(v, n, 301, 0, 0, 0, 40);
	assert_non_null(e);
	assert_int_equal(e->flags, 0);
	/* any-identity UDP deny covers identity 302's UDP allow: stored as deny */
	e = find(v, n, 302, 0, IPPROTO_UDP, 0, 48);
	assert_non_null(e);
	assert_true(e->flags & DP_POLICY_F_DENY);
	assert_string_equal(e->ref, "noudp");
	/* allow and deny on the same key: deny */
	e = find(v, n, 300, 0, IPPROTO_TCP, 22, 64);
	assert_non_null(e);
	assert_true(e->flags & DP_POLICY_F_DENY);
	assert_string_equal(e->ref, "nossh");
	/* a deny narrower than an allow does not convert it */
	assert_false(find(v, n, 301, 0, 0, 0, 40)->flags & DP_POLICY_F_DENY);
	/* ICMP type in the port field */
	assert_non_null(find(v, n, 0, 0, IPPROTO_ICMP, 8, 64));
	/* egress has no rules and default allow */
	e = find(v, n, 0, 1, 0, 0, 40);
	assert_non_null(e);
	assert_string_equal(e->ref, DP_REF_DEFAULT_ALLOW);
	/* sorted by key bytes, every key normalised */
	for (long i = 1; i < n; i++)
		assert_true(memcmp(&v[i - 1].key, &v[i].key, sizeof(v[i].key)) < 0);
	free(v);
}

static void
test_empty(void **state)
{
	struct dp_bundle_endpoint ep = { .id = 1,
	    .default_deny = { [DP_DIR_INGRESS] = true, [DP_DIR_EGRESS] = true } };
	struct dp_pentry *v;

	(void)state;
	assert_int_equal(dp_compile_endpoint(&ep, &v), 0);
	free(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port_ranges),
		cmocka_unit_test(test_entries),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
