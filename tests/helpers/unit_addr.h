// SPDX-License-Identifier: MIT
/*
 * Address and prefix literals for cmocka unit tests: P("10.0.0.0/8") and
 * A("fd00::1") parse strictly and fail the test on bad text; AP("fd00::1") is a
 * pointer to a parsed address for APIs that take one. Header only; include it
 * after <cmocka.h>.
 */
#ifndef CUTOVER_TESTS_HELPERS_UNIT_ADDR_H
#define CUTOVER_TESTS_HELPERS_UNIT_ADDR_H

#include "lib/addr.h"

/* A prefix in canonical form (host bits set fail the test). */
static inline struct prefix
P(const char *s)
{
	struct prefix p;

	assert_int_equal(prefix_parse(s, &p, PREFIX_PARSE_STRICT), 0);
	return p;
}

static inline struct addr
A(const char *s)
{
	struct addr a;

	assert_int_equal(addr_parse(s, &a), 0);
	return a;
}

/* Parsed address in a ring of four static slots: valid until four more calls. */
static inline const struct addr *
AP(const char *s)
{
	static struct addr ring[4];
	static unsigned next;
	struct addr *a = &ring[next++ % 4];

	assert_int_equal(addr_parse(s, a), 0);
	return a;
}

#endif
