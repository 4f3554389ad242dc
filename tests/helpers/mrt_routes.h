/* SPDX-License-Identifier: MIT */
/*
 * MRT (RFC 6396) files as a stream of routes, for the injector and tests: on top of the
 * record reader tests/helpers/mrt.h, turn TABLE_DUMP (v1, which mrt.h does not split),
 * TABLE_DUMP_V2 RIB entries and BGP4MP UPDATE messages into one callback per prefix
 * with the attributes decoded by the BGP codec (bgp/msg.h); withdrawals in BGP4MP
 * streams come out as withdraw events. A malformed record or entry is counted and
 * skipped, a broken record header stops the walk with the byte offset in the diag.
 * Not a daemon module: used by tests/helpers/bgp_inject.c and the fuzz target.
 */
#ifndef CUTOVER_TESTS_HELPERS_MRT_ROUTES_H
#define CUTOVER_TESTS_HELPERS_MRT_ROUTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp/attr.h"
#include "bgp/msg.h"
#include "lib/addr.h"
#include "lib/diag.h"
#include "tests/helpers/mrt.h"

#define MRT_TD_AFI_IPV4		1	/* TABLE_DUMP (v1) subtypes */
#define MRT_TD_AFI_IPV6		2
#define MRT_TDV2_RIB_IPV4_AP	8	/* RFC 8050 add-path RIB subtypes */
#define MRT_TDV2_RIB_IPV6_AP	10

struct mrt_route {
	bool			 withdraw;
	struct prefix		 pfx;
	const struct bgp_attrs	*attrs;		/* NULL for a withdrawal */
	struct bgp_nexthop	 nh;
	struct addr		 peer;
	uint32_t		 peer_as;
	uint32_t		 time;
	uint16_t		 type, subtype;
};

struct mrt_route_stats {
	size_t	records;
	size_t	routes;		/* announcements */
	size_t	withdraws;
	size_t	unsupported;	/* records of other types/subtypes, skipped */
	size_t	malformed;	/* records or entries that failed to decode, skipped */
};

/* Return non-zero to stop the walk (returned by mrt_routes_walk). */
typedef int (*mrt_route_cb)(const struct mrt_route *r, void *arg);

/* Walk the routes of an MRT image (mrt_file_load()). 0, the callback's non-zero value,
 * or -EBADMSG (truncated record: d has the offset). st may be NULL. */
int	mrt_routes_walk(const uint8_t *buf, size_t len, mrt_route_cb cb, void *arg,
	    struct mrt_route_stats *st, struct diag *d);

#endif
