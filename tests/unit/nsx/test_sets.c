// SPDX-License-Identifier: MIT
/* nsx-import/sets.c: address and service set algebra, port parsing. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "nsx-import/model.h"

static void
ip(struct addr *a, const char *s)
{
	assert_int_equal(addr_parse(s, a), 0);
}

static bool
has(const struct nsx_ipset *s, const char *a)
{
	struct addr x;

	ip(&x, a);
	return nsx_ipset_contains(s, &x);
}

static void
test_ipset_text_forms(void **state)
{
	struct nsx_ipset s = { 0 };

	(void)state;
	assert_int_equal(nsx_ipset_add_text(&s, "10.0.0.1"), 0);
	assert_int_equal(nsx_ipset_add_text(&s, " 10.0.0.2-10.0.0.9 "), 0);
	assert_int_equal(nsx_ipset_add_text(&s, "10.1.0.7/16"), 0);	/* host bits allowed */
	assert_int_equal(nsx_ipset_add_text(&s, "fd00::/64"), 0);
	/* Adjacent ranges merge. */
	assert_int_equal(s.n, 3);
	assert_true(has(&s, "10.0.0.9"));
	assert_false(has(&s, "10.0.0.10"));
	assert_true(has(&s, "10.1.255.255"));
	assert_true(has(&s, "fd00::ffff"));
	assert_false(has(&s, "fd00:0:0:1::"));
	assert_int_equal(nsx_ipset_add_text(&s, "10.0.0.9-10.0.0.1"), -EINVAL);
	assert_int_equal(nsx_ipset_add_text(&s, "10.0.0.1-fd00::1"), -EINVAL);
	assert_int_equal(nsx_ipset_add_text(&s, "host.example"), -EINVAL);
	assert_int_equal(nsx_ipset_add_text(&s, ""), -EINVAL);
	nsx_ipset_free(&s);
}

static void
test_ipset_algebra(void **state)
{
	struct nsx_ipset a = { 0 }, b = { 0 }, r = { 0 }, full = { 0 };

	(void)state;
	assert_int_equal(nsx_ipset_add_text(&a, "10.0.0.0/24"), 0);
	assert_int_equal(nsx_ipset_add_text(&b, "10.0.0.128-10.0.1.5"), 0);
	assert_int_equal(nsx_ipset_subtract(&r, &a, &b), 0);
	assert_int_equal(r.n, 1);
	assert_true(has(&r, "10.0.0.127"));
	assert_false(has(&r, "10.0.0.128"));
	assert_int_equal(nsx_ipset_intersect(&r, &a, &b), 0);
	assert_true(has(&r, "10.0.0.200") && !has(&r, "10.0.1.0") && !has(&r, "10.0.0.1"));
	assert_int_equal(nsx_ipset_union(&r, &a, &b), 0);
	assert_int_equal(r.n, 1);
	assert_true(has(&r, "10.0.1.5"));
	assert_true(nsx_ipset_intersects(&a, &b));
	/* Complement of a within everything keeps both ends and IPv6. */
	assert_int_equal(nsx_ipset_add_full(&full, AF_UNSPEC), 0);
	assert_true(nsx_ipset_is_full(&full, AF_UNSPEC));
	assert_int_equal(nsx_ipset_subtract(&r, &full, &a), 0);
	assert_int_equal(r.n, 3);
	assert_true(has(&r, "0.0.0.0") && has(&r, "255.255.255.255") && has(&r, "::"));
	assert_false(has(&r, "10.0.0.5"));
	/* Subtracting the whole set leaves nothing; edge at the top of the space. */
	assert_int_equal(nsx_ipset_subtract(&r, &full, &full), 0);
	assert_true(nsx_ipset_empty(&r));
	nsx_ipset_clear(&b);
	assert_int_equal(nsx_ipset_add_text(&b, "255.255.255.255"), 0);
	assert_int_equal(nsx_ipset_subtract(&r, &full, &b), 0);
	assert_false(has(&r, "255.255.255.255"));
	assert_true(has(&r, "255.255.255.254"));
	nsx_ipset_free(&a);
	nsx_ipset_free(&b);
	nsx_ipset_free(&r);
	nsx_ipset_free(&full);
}

static void
test_ports(void **state)
{
	struct nsx_svcset s = { 0 };

	(void)state;
	assert_int_equal(nsx_svcset_add_ports(&s, NSX_PROTO_TCP, "22, 33-70, 44"), 0);
	assert_int_equal(s.n, 2);
	assert_true(nsx_svcset_contains(&s, NSX_PROTO_TCP, 70));
	assert_false(nsx_svcset_contains(&s, NSX_PROTO_UDP, 22));
	assert_int_equal(nsx_svcset_add_ports(&s, NSX_PROTO_TCP, "80-80"), 0);
	assert_int_equal(nsx_svcset_add_ports(&s, NSX_PROTO_TCP, "65536"), -ERANGE);
	assert_int_equal(nsx_svcset_add_ports(&s, NSX_PROTO_TCP, "90-80"), -ERANGE);
	assert_int_equal(nsx_svcset_add_ports(&s, NSX_PROTO_TCP, "http"), -EINVAL);
	assert_int_equal(nsx_svcset_add_ports(&s, NSX_PROTO_TCP, "1,"), -EINVAL);
	assert_int_equal(nsx_svcset_add_ports(&s, NSX_PROTO_TCP, "-5"), -EINVAL);
	nsx_svcset_free(&s);
}

static void
test_svc_subtract_any(void **state)
{
	struct nsx_svcset any = { .any = true }, ssh = { 0 }, r = { 0 };

	(void)state;
	assert_int_equal(nsx_svcset_add(&ssh, NSX_PROTO_TCP, 22, 22), 0);
	assert_int_equal(nsx_svcset_subtract(&r, &any, &ssh), 0);
	assert_false(r.any);
	assert_false(nsx_svcset_contains(&r, NSX_PROTO_TCP, 22));
	assert_true(nsx_svcset_contains(&r, NSX_PROTO_TCP, 21));
	assert_true(nsx_svcset_contains(&r, NSX_PROTO_TCP, 23));
	assert_true(nsx_svcset_contains(&r, 47, 0));
	assert_true(nsx_svcset_intersects(&r, &any));
	assert_false(nsx_svcset_intersects(&r, &ssh));
	/* (any - ssh) u ssh = any again. */
	assert_int_equal(nsx_svcset_union_into(&r, &ssh), 0);
	assert_int_equal(nsx_svcset_subtract(&r, &any, &r), 0);
	assert_true(nsx_svcset_empty(&r));
	nsx_svcset_free(&ssh);
	nsx_svcset_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipset_text_forms),
		cmocka_unit_test(test_ipset_algebra),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_svc_subtract_any),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
