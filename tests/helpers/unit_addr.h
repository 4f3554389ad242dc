// SPDX-License-Identifier: MIT
/*
 * Address and prefix literals for cmocka unit tests: P("10.0.0.0/8") and
 * A("fd00::1") parse strictly and fail the test on bad text. Header only;
 * include it after <cmocka.h> and lib/addr.h (or a header that includes it).
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

#endif
