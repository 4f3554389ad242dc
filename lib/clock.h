/* SPDX-License-Identifier: MIT */
/*
 * Reading a clock in the unit the caller wants: the one way the daemon, the CLI, the
 * tests and the benches turn clock_gettime() into nanoseconds, microseconds,
 * milliseconds or (double) seconds. CLOCK_MONOTONIC for intervals and deadlines,
 * CLOCK_REALTIME for timestamps that leave the process.
 */
#ifndef CUTOVER_LIB_CLOCK_H
#define CUTOVER_LIB_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t
clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
}

static inline uint64_t
clock_us(clockid_t id)
{
	return clock_ns(id) / 1000;
}

static inline uint64_t
clock_ms(clockid_t id)
{
	return clock_ns(id) / 1000000;
}

static inline double
clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
