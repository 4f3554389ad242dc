/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by the datapath module's user-side files (loader.c, maps.c,
 * sync.c, events.c, metrics.c): struct dp and the sync cache. Not for other modules.
 */
#ifndef CUTOVER_DATAPATH_DP_INTERNAL_H
#define CUTOVER_DATAPATH_DP_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

enum dp_map_idx {
	DP_MAP_IPCACHE,
	DP_MAP_ENDPOINTS,
	DP_MAP_POLICY,
	DP_MAP_CT,
	DP_MAP_FRAG,
	DP_MAP_METRICS,
	DP_MAP_STATS,
	DP_MAP_EVENTS,
	DP_MAP_NAMES,
	DP_MAP_META,
	DP_MAP_FLOWLOG,
	DP_MAP_COUNT,
};

extern const char *const dp_map_names[DP_MAP_COUNT];

struct dp_state;

struct dp {
	char		 root[PATH_MAX];
	bool		 adopted;
	int		 prog_fd[2];		/* [enum dp_dir] */
	int		 map_fd[DP_MAP_COUNT];
	int		*pol_fd;		/* [ep_id] policy map fd or -1 */
	uint32_t	 policy_max;
	struct dp_state	*state;			/* sync cache (sync.c), NULL: dump maps */
};

void	dp_state_free(struct dp_state *st);

#endif
