// SPDX-License-Identifier: MIT
/*
 * bgp/filter: prefix lists with ge/le (a table of prefix, entry, expected verdict),
 * first-match rules on prefix lists and communities, the RFC 8212 default for peers
 * without a policy, and the attribute actions (communities add/remove, LOCAL_PREF, MED).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bgp/filter.h"
#include "rib_test_util.h"

struct plrow {
	const char	*entry;
	int		 ge, le;	/* -1: not given */
	const char	*pfx;
	bool		 match;
};

static const struct plrow plrows[] = {
	{ "10.0.0.0/8", -1, -1, "10.0.0.0/8", true },		/* exact only */
	{ "10.0.0.0/8", -1, -1, "10.1.0.0/16", false },
	{ "10.0.0.0/8", -1, 24, "10.1.0.0/16", true },		/* le alone: 8..24 */
	{ "10.0.0.0/8", -1, 24, "10.0.0.0/8", true },
	{ "10.0.0.0/8", -1, 24, "10.1.1.0/25", false },
	{ "10.0.0.0/8", 16, -1, "10.1.1.1/32", true },		/* ge alone: 16..32 */
	{ "10.0.0.0/8", 16, -1, "10.0.0.0/8", false },
	{ "10.0.0.0/8", 16, 24, "10.1.0.0/16", true },
	{ "10.0.0.0/8", 16, 24, "10.1.1.0/24", true },
	{ "10.0.0.0/8", 16, 24, "10.1.1.0/28", false },
	{ "10.0.0.0/8", 16, 24, "11.1.0.0/16", false },		/* outside */
	{ "0.0.0.0/0", -1, 32, "192.0.2.0/24", true },		/* any IPv4 */
	{ "0.0.0.0/0", -1, 32, "2001:db8::/32", false },	/* other family */
	{ "2001:db8::/32", 48, 48, "2001:db8:1::/48", true },
	{ "2001:db8::/32", 48, 48, "2001:db8:1::/64", false },
};

static void
test_plist_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(plrows) / sizeof(plrows[0]); i++) {
		struct filter_set fs;
		struct filter_plist *pl;
		struct prefix e = tpfx(plrows[i].entry), p = tpfx(plrows[i].pfx);

		filter_set_init(&fs);
		pl = filter_plist_add(&fs, "pl");
		assert_non_null(pl);
		assert_int_equal(filter_plist_append(pl, &e, plrows[i].ge, plrows[i].le, true), 0);
		if (filter_plist_match(pl, &p) != plrows[i].match)
			fail_msg("row %zu: %s ge %d le %d vs %s: want %d", i, plrows[i].entry,
			    plrows[i].ge, plrows[i].le, plrows[i].pfx, plrows[i].match);
		filter_set_free(&fs);
	}
}

static void
test_plist_order_and_errors(void **state)
{
	struct filter_set fs;
	struct filter_plist *pl;
	struct prefix p8 = tpfx("10.0.0.0/8"), p16 = tpfx("10.66.0.0/16");
	struct prefix q = tpfx("10.66.1.0/24"), o = tpfx("10.1.1.0/24");

	(void)state;
	filter_set_init(&fs);
	pl = filter_plist_add(&fs, "no-66");
	assert_non_null(pl);
	assert_null(filter_plist_add(&fs, "no-66"));
	assert_int_equal(errno, EEXIST);
	/* first match wins: deny 10.66/16 and longer, then permit 10/8 le 24 */
	assert_int_equal(filter_plist_append(pl, &p16, 16, 32, false), 0);
	assert_int_equal(filter_plist_append(pl, &p8, -1, 24, true), 0);
	assert_false(filter_plist_match(pl, &q));
	assert_true(filter_plist_match(pl, &o));
	/* ge below the length, le beyond the family, ge > le */
	assert_int_equal(filter_plist_append(pl, &p16, 8, -1, true), -EINVAL);
	assert_int_equal(filter_plist_append(pl, &p16, -1, 33, true), -EINVAL);
	assert_int_equal(filter_plist_append(pl, &p16, 24, 20, true), -EINVAL);
	filter_set_free(&fs);
}

static void
attrs_with_comms(struct bgp_attrs *a, const uint32_t *c, size_t n)
{
	struct tattr t = { .lp = -1, .med = -1, .path = { 65001 } };
	struct bgp_nexthop nh;

	tattr_build(&t, a, &nh);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(bgp_attrs_add_community(a, c[i]), 0);
}

static void
test_rfc8212_default(void **state)
{
	struct bgp_attrs a;
	struct filter_verdict v;
	struct prefix p = tpfx("192.0.2.0/24");

	(void)state;
	attrs_with_comms(&a, NULL, 0);
	/* RFC 8212 §3: no policy, eBGP: nothing flows; iBGP: everything */
	filter_eval(NULL, true, &p, &a, &v);
	assert_false(v.permit);
	filter_eval(NULL, false, &p, &a, &v);
	assert_true(v.permit);
	assert_null(v.rule);
	assert_false(filter_verdict_modifies(&v));
	bgp_attrs_free(&a);
}

static void
test_rules(void **state)
{
	struct filter_set fs;
	struct filter_plist *pl;
	struct filter *f;
	struct filter_rule r;
	struct filter_verdict v;
	struct bgp_attrs a;
	struct prefix pods = tpfx("10.244.0.0/16"), in = tpfx("10.244.3.0/24");
	struct prefix out = tpfx("172.16.0.0/24");
	const uint32_t blackhole = 0xffff029a, tag = (65000u << 16) | 100;
	const uint32_t comms[] = { tag, (65000u << 16) | 7 };

	(void)state;
	filter_set_init(&fs);
	pl = filter_plist_add(&fs, "pods");
	assert_int_equal(filter_plist_append(pl, &pods, -1, 24, true), 0);
	f = filter_add(&fs, "from-tor");
	assert_non_null(f);
	/* 1: deny anything tagged blackhole */
	memset(&r, 0, sizeof(r));
	r.match_comm[r.nmatch_comm++] = blackhole;
	r.permit = false;
	assert_int_equal(filter_rule_append(f, &r), 0);
	/* 2: pods: permit, drop tag, add 65000:200, local-pref 300 */
	memset(&r, 0, sizeof(r));
	r.plist = filter_plist_find(&fs, "pods");
	r.permit = true;
	r.del_comm[r.ndel_comm++] = tag;
	r.add_comm[r.nadd_comm++] = (65000u << 16) | 200;
	r.set_local_pref = true;
	r.local_pref = 300;
	assert_int_equal(filter_rule_append(f, &r), 0);
	/* 3: IPv6 only: permit */
	memset(&r, 0, sizeof(r));
	r.family = AF_INET6;
	r.permit = true;
	assert_int_equal(filter_rule_append(f, &r), 0);

	attrs_with_comms(&a, comms, 2);
	filter_eval(f, true, &in, &a, &v);
	assert_true(v.permit);
	assert_ptr_equal(v.rule, &f->rules[1]);
	assert_true(filter_verdict_modifies(&v));
	assert_int_equal(filter_apply(v.rule, &a), 0);
	assert_int_equal(a.ncommunities, 2);
	assert_int_equal(a.communities[0], (65000u << 16) | 7);
	assert_int_equal(a.communities[1], (65000u << 16) | 200);
	assert_true(bgp_attrs_has(&a, BGP_ATTR_LOCAL_PREF));
	assert_int_equal(a.local_pref, 300);
	/* first match: blackhole beats the pods rule */
	assert_int_equal(bgp_attrs_add_community(&a, blackhole), 0);
	filter_eval(f, true, &in, &a, &v);
	assert_false(v.permit);
	assert_ptr_equal(v.rule, &f->rules[0]);
	bgp_attrs_free(&a);
	/* no rule matches: denied */
	attrs_with_comms(&a, NULL, 0);
	filter_eval(f, true, &out, &a, &v);
	assert_false(v.permit);
	assert_null(v.rule);
	/* family-restricted rule */
	{
		struct prefix v6 = tpfx("2001:db8::/32");

		filter_eval(f, true, &v6, &a, &v);
		assert_true(v.permit);
		assert_false(filter_verdict_modifies(&v));
	}
	/* removing the last community drops the attribute */
	assert_int_equal(bgp_attrs_add_community(&a, tag), 0);
	filter_attrs_del_comm(&a, tag);
	assert_false(bgp_attrs_has(&a, BGP_ATTR_COMMUNITIES));
	bgp_attrs_free(&a);
	/* prefix lists cannot be added once rules point at them (pointer stability) */
	assert_null(filter_plist_add(&fs, "late"));
	assert_int_equal(errno, EBUSY);
	filter_set_free(&fs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plist_table),
		cmocka_unit_test(test_plist_order_and_errors),
		cmocka_unit_test(test_rfc8212_default),
		cmocka_unit_test(test_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
