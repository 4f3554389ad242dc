// SPDX-License-Identifier: MIT
/* lib/addr: parse/format edges (/0, /32, /128, host bits, malformed text), compare,
 * contains, split, ranges. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/addr.h"
#include "tests/helpers/unit_addr.h"

static void
test_parse_format_roundtrip(void **state)
{
	static const char *const ok[] = {
		"0.0.0.0/0", "10.20.0.0/24", "10.20.0.15/32", "255.255.255.255/32",
		"::/0", "2001:db8::/32", "2001:db8::1/128", "fd00:255:1::/64",
		"::ffff:10.0.0.1/128",
	};
	char buf[PREFIX_STRLEN];

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct prefix p = P(ok[i]);

		assert_string_equal(prefix_format(&p, buf, sizeof(buf)), ok[i]);
	}
}

static void
test_parse_rejects_malformed(void **state)
{
	static const char *const bad[] = {
		"", "/", "10.0.0.0", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1",
		"10.0.0.0/ 8", "10.0.0.0/8x", "10.0.0/8", "10.1/16", "256.0.0.0/8",
		"010.0.0.0/8", "10.0.0.0/08", "2001:db8::/129", "2001:db8:::/32",
		"2001:db8::g/64", "10.0.0.0/4294967304", "::/", "10.0.0.1/24",
		"2001:db8::1/64", "1.2.3.4.5/32",
		"1111:2222:3333:4444:5555:6666:7777:8888:9999/128",
	};
	struct prefix p;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (prefix_parse(bad[i], &p, PREFIX_PARSE_STRICT) == 0)
			fail_msg("accepted malformed prefix '%s'", bad[i]);
	}
	assert_int_equal(prefix_parse(NULL, &p, 0), -EINVAL);
}

static void
test_host_bits_normalize(void **state)
{
	struct prefix p;
	char buf[PREFIX_STRLEN];

	(void)state;
	assert_int_equal(prefix_parse("10.20.0.15/24", &p, PREFIX_PARSE_STRICT), -EINVAL);
	assert_int_equal(prefix_parse("10.20.0.15/24", &p, PREFIX_PARSE_NORMALIZE), 0);
	assert_string_equal(prefix_format(&p, buf, sizeof(buf)), "10.20.0.0/24");
	assert_int_equal(prefix_parse("2001:db8::ffff/113", &p, PREFIX_PARSE_NORMALIZE), 0);
	assert_string_equal(prefix_format(&p, buf, sizeof(buf)), "2001:db8::8000/113");
	assert_int_equal(prefix_parse("1.2.3.4/0", &p, PREFIX_PARSE_NORMALIZE), 0);
	assert_string_equal(prefix_format(&p, buf, sizeof(buf)), "0.0.0.0/0");
	assert_false(prefix_has_host_bits(&p));
	p = P("10.0.0.0/8");
	p.addr.bytes[3] = 1;
	assert_true(prefix_has_host_bits(&p));
	/* bare address with HOST_OK */
	assert_int_equal(prefix_parse("10.20.0.15", &p, PREFIX_PARSE_HOST_OK), 0);
	assert_int_equal(p.len, 32);
	assert_int_equal(prefix_parse("2001:db8::1", &p, PREFIX_PARSE_HOST_OK), 0);
	assert_int_equal(p.len, 128);
}

static void
test_compare_and_contains(void **state)
{
	struct prefix any4 = P("0.0.0.0/0"), seg = P("10.20.0.0/24"), host = P("10.20.0.15/32");
	struct prefix any6 = P("::/0"), v6 = P("2001:db8::/32");
	struct addr a = A("10.20.0.15"), b = A("10.20.1.0"), c = A("2001:db8::1");

	(void)state;
	assert_true(prefix_contains(&any4, &seg));
	assert_true(prefix_contains(&seg, &host));
	assert_true(prefix_contains(&seg, &seg));
	assert_false(prefix_contains(&host, &seg));
	assert_false(prefix_contains(&any6, &seg));	/* families never mix */
	assert_false(prefix_contains(&any4, &v6));
	assert_true(prefix_contains_addr(&seg, &a));
	assert_false(prefix_contains_addr(&seg, &b));
	assert_true(prefix_contains_addr(&any6, &c));
	assert_false(prefix_contains_addr(&any4, &c));
	assert_true(prefix_overlaps(&host, &seg));
	assert_true(addr_cmp(&a, &c) < 0);	/* IPv4 sorts before IPv6 */
	assert_true(prefix_cmp(&seg, &host) < 0);
	assert_true(prefix_cmp(&any4, &seg) < 0);
	assert_true(addr_is_v4_mapped(&(struct addr){ 0 }) == false);
	v6 = P("::ffff:1.2.3.4/128");
	assert_true(addr_is_v4_mapped(&v6.addr));
}

static void
test_split_first_last(void **state)
{
	struct prefix lo, hi, p = P("10.20.0.0/24"), h = P("10.20.0.15/32");
	struct addr f, l;
	char buf[PREFIX_STRLEN];

	(void)state;
	assert_int_equal(prefix_split(&p, &lo, &hi), 0);
	assert_string_equal(prefix_format(&lo, buf, sizeof(buf)), "10.20.0.0/25");
	assert_string_equal(prefix_format(&hi, buf, sizeof(buf)), "10.20.0.128/25");
	assert_int_equal(prefix_split(&h, &lo, &hi), -ERANGE);
	p = P("::/0");
	assert_int_equal(prefix_split(&p, &lo, &hi), 0);
	assert_string_equal(prefix_format(&hi, buf, sizeof(buf)), "8000::/1");
	p = P("10.20.0.0/24");
	prefix_first(&p, &f);
	prefix_last(&p, &l);
	assert_string_equal(addr_format(&f, buf, sizeof(buf)), "10.20.0.0");
	assert_string_equal(addr_format(&l, buf, sizeof(buf)), "10.20.0.255");
	assert_int_equal(prefix_host_bits(&p), 8);
	p = P("2001:db8::/126");
	prefix_last(&p, &l);
	assert_string_equal(addr_format(&l, buf, sizeof(buf)), "2001:db8::3");
}

static void
test_addr_add_diff(void **state)
{
	struct addr a = A("10.20.0.255"), top = A("255.255.255.255"), b;
	struct addr v6 = A("2001:db8::ffff:ffff:ffff:ffff");
	uint64_t d;
	char buf[ADDR_STRLEN];

	(void)state;
	assert_int_equal(addr_add(&a, 1), 0);
	assert_string_equal(addr_format(&a, buf, sizeof(buf)), "10.20.1.0");
	assert_int_equal(addr_add(&top, 1), -ERANGE);
	assert_string_equal(addr_format(&top, buf, sizeof(buf)), "255.255.255.255");
	b = v6;
	assert_int_equal(addr_add(&b, 2), 0);
	assert_string_equal(addr_format(&b, buf, sizeof(buf)), "2001:db8:0:1::1");
	assert_int_equal(addr_diff(&b, &v6, &d), 0);
	assert_true(d == 2);
	assert_int_equal(addr_diff(&v6, &b, &d), -ERANGE);
	a = A("10.0.0.0");
	b = A("10.1.0.0");
	assert_int_equal(addr_diff(&b, &a, &d), 0);
	assert_true(d == 65536);
	addr_from_v4(&a, 0x0a14000f);
	assert_string_equal(addr_format(&a, buf, sizeof(buf)), "10.20.0.15");
	assert_true(addr_to_v4(&a) == 0x0a14000f);
}

static void
check_range(const char *lo, const char *hi, const char *const *want, size_t nwant)
{
	struct addr l = A(lo), h = A(hi);
	struct prefix out[300];
	char buf[PREFIX_STRLEN];
	int n = prefix_range(&l, &h, out, sizeof(out) / sizeof(out[0]));

	assert_int_equal(n, (int)nwant);
	for (size_t i = 0; i < nwant; i++)
		assert_string_equal(prefix_format(&out[i], buf, sizeof(buf)), want[i]);
}

static void
test_range_to_prefixes(void **state)
{
	static const char *const r1[] = { "10.20.0.15/32", "10.20.0.16/28",
	    "10.20.0.32/27", "10.20.0.64/26", "10.20.0.128/26", "10.20.0.192/27",
	    "10.20.0.224/28", "10.20.0.240/29", "10.20.0.248/30", "10.20.0.252/31",
	    "10.20.0.254/32" };
	static const char *const r2[] = { "0.0.0.0/0" };
	static const char *const r3[] = { "2001:db8::/127", "2001:db8::2/128" };
	struct addr l = A("10.0.0.0"), h = A("10.0.0.255"), v6 = A("::1");
	struct prefix one;

	(void)state;
	check_range("10.20.0.15", "10.20.0.254", r1, sizeof(r1) / sizeof(r1[0]));
	check_range("0.0.0.0", "255.255.255.255", r2, 1);
	check_range("2001:db8::", "2001:db8::2", r3, 2);
	assert_int_equal(prefix_range(&h, &l, &one, 1), -EINVAL);
	assert_int_equal(prefix_range(&l, &v6, &one, 1), -EINVAL);
	/* too little room: returns what it needs */
	l = A("10.0.0.1");
	assert_int_equal(prefix_range(&l, &h, &one, 1), 8);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_format_roundtrip),
		cmocka_unit_test(test_parse_rejects_malformed),
		cmocka_unit_test(test_host_bits_normalize),
		cmocka_unit_test(test_compare_and_contains),
		cmocka_unit_test(test_split_first_last),
		cmocka_unit_test(test_addr_add_diff),
		cmocka_unit_test(test_range_to_prefixes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
