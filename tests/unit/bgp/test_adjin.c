// SPDX-License-Identifier: MIT
/*
 * bgp/adjin: Adj-RIB-In insert/replace/withdraw/walk/flush per family, originated
 * prefix table with per-source claims, and the next-hop choice per family and
 * session (never an IPv4-mapped IPv6 next hop).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bgp/adjin.h"
#include "tests/helpers/unit_addr.h"

static int
count_cb(const struct prefix *p, const struct bgp_route *r, void *arg)
{
	(void)p;
	(void)r;
	(*(int *)arg)++;
	return 0;
}

static void
test_adjin_basic(void **state)
{
	struct bgp_adjin *a = bgp_adjin_new();
	struct bgp_attrs at;
	struct prefix p4 = P("10.1.0.0/16"), p6 = P("2001:db8::/32");
	struct addr nh4 = A("10.0.0.1"), nh6 = A("2001:db8::1");
	const struct bgp_route *r;
	int n = 0;

	(void)state;
	assert_non_null(a);
	bgp_attrs_init(&at);
	at.present |= BGP_ATTR_BIT(BGP_ATTR_ORIGIN) | BGP_ATTR_BIT(BGP_ATTR_MED);
	at.med = 7;
	assert_int_equal(bgp_attrs_add_community(&at, 65000u << 16 | 1), 0);
	assert_int_equal(bgp_adjin_update(a, &p4, &at, &nh4, NULL, 100), 1);
	assert_int_equal(bgp_adjin_update(a, &p6, &at, &nh6, NULL, 100), 1);
	at.med = 9;
	assert_int_equal(bgp_adjin_update(a, &p4, &at, &nh4, NULL, 200), 0);
	bgp_attrs_free(&at);	/* the table keeps its own copy */
	r = bgp_adjin_get(a, &p4);
	assert_non_null(r);
	assert_int_equal(r->attrs.med, 9);
	assert_int_equal(r->attrs.ncommunities, 1);
	assert_int_equal(r->since, 200);
	assert_true(addr_eq(&r->nexthop, &nh4));
	assert_int_equal(bgp_adjin_count(a, AF_INET), 1);
	assert_int_equal(bgp_adjin_count(a, AF_INET6), 1);
	assert_int_equal(bgp_adjin_count(a, 0), 2);
	assert_int_equal(bgp_adjin_walk(a, 0, count_cb, &n), 0);
	assert_int_equal(n, 2);
	assert_true(bgp_adjin_withdraw(a, &p4));
	assert_false(bgp_adjin_withdraw(a, &p4));
	assert_null(bgp_adjin_get(a, &p4));
	bgp_adjin_flush(a, AF_INET6);
	assert_int_equal(bgp_adjin_count(a, 0), 0);
	bgp_adjin_free(a);
	bgp_adjin_free(NULL);
}

static void
test_origin_table(void **state)
{
	struct bgp_origin_table *t = bgp_origin_table_new();
	struct prefix p = P("10.20.0.15/32");
	uint32_t c = 1;

	(void)state;
	assert_int_equal(bgp_origin_add(t, &p, NULL, 0, BGP_ORIGIN_CONFIG, 1), 1);
	assert_int_equal(bgp_origin_add(t, &p, &c, 1, BGP_ORIGIN_DYNAMIC, 2), 0);
	assert_int_equal(bgp_origin_get(t, &p)->ncommunities, 1);
	assert_int_equal(bgp_origin_count(t, AF_INET), 1);
	/* still claimed by the config after the dynamic source lets go */
	assert_false(bgp_origin_del(t, &p, BGP_ORIGIN_DYNAMIC));
	assert_non_null(bgp_origin_get(t, &p));
	assert_true(bgp_origin_del(t, &p, BGP_ORIGIN_CONFIG));
	assert_null(bgp_origin_get(t, &p));
	assert_int_equal(bgp_origin_count(t, 0), 0);
	bgp_origin_table_free(t);
}

static void
test_nexthop_select(void **state)
{
	struct addr v4 = A("10.255.1.2"), v6 = A("fd00:255:1::2"),
	    mapped = A("::ffff:10.255.1.2"), conf = A("2001:db8::9"), out;

	(void)state;
	/* IPv4 NLRI on an IPv4 session: the local address */
	assert_int_equal(bgp_nexthop_select(AF_INET, &v4, NULL, NULL, NULL, &out), 0);
	assert_true(addr_eq(&out, &v4));
	/* IPv4 session accepted on a dual-stack socket: local is IPv4-mapped */
	assert_int_equal(bgp_nexthop_select(AF_INET, &mapped, NULL, NULL, NULL, &out), 0);
	assert_true(addr_eq(&out, &v4));
	/* IPv6 NLRI over that session: never the mapped address */
	assert_int_equal(bgp_nexthop_select(AF_INET6, &mapped, NULL, NULL, NULL, &out),
	    -EADDRNOTAVAIL);
	assert_int_equal(bgp_nexthop_select(AF_INET6, &mapped, NULL, NULL, &v6, &out), 0);
	assert_true(addr_eq(&out, &v6));
	assert_int_equal(bgp_nexthop_select(AF_INET6, &v4, &conf, NULL, &v6, &out), 0);
	assert_true(addr_eq(&out, &conf));
	/* IPv6 session */
	assert_int_equal(bgp_nexthop_select(AF_INET6, &v6, NULL, NULL, NULL, &out), 0);
	assert_true(addr_eq(&out, &v6));
	assert_int_equal(bgp_nexthop_select(AF_INET, &v6, NULL, NULL, NULL, &out),
	    -EADDRNOTAVAIL);
	assert_int_equal(bgp_nexthop_select(AF_INET, &v6, NULL, &v4, NULL, &out), 0);
	assert_true(addr_eq(&out, &v4));
	/* a mapped "configured" or interface address is refused */
	assert_int_equal(bgp_nexthop_select(AF_INET6, &v4, &mapped, NULL, &mapped, &out),
	    -EADDRNOTAVAIL);
	bgp_addr_unmap(&mapped);
	assert_int_equal(mapped.family, AF_INET);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_adjin_basic),
		cmocka_unit_test(test_origin_table),
		cmocka_unit_test(test_nexthop_select),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
