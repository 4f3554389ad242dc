// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the MRT route walker (tests/helpers/mrt_routes.c): any bytes are walked as
 * MRT records; routes are only counted. Seeds: the first records of the RIS fixtures.
 */
#include <stddef.h>
#include <stdint.h>

#include "tests/helpers/mrt_routes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
count(const struct mrt_route *r, void *arg)
{
	size_t *n = arg;

	(*n) += r->withdraw ? 1 : 2;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = 0;
	struct mrt_route_stats st;

	(void)mrt_routes_walk(data, size, count, &n, &st, NULL);
	return 0;
}
