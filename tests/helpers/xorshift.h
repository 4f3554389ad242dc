// SPDX-License-Identifier: MIT
/*
 * Deterministic pseudo-random numbers for unit tests and benchmarks (xorshift64*),
 * so a failing randomised run reproduces from its seed. Header only; each user
 * keeps its own seeded state. Not for anything that needs real randomness.
 */
#ifndef CUTOVER_TESTS_HELPERS_XORSHIFT_H
#define CUTOVER_TESTS_HELPERS_XORSHIFT_H

#include <stdint.h>

/* Advance *state (must not be 0) and return the next value. */
static inline uint64_t
xorshift64s(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 2685821657736338717ULL;
}

#endif
