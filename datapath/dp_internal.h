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
	DP_MAP_IPCACHE_HOST,
	DP_MAP_POLICY_EXACT,
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
	int		 attach;		/* enum dp_attach_mode asked for */
	int		 tcx;			/* kernel has tcx: -1 not probed, 0, 1 */
	struct dp_state	*state;			/* sync cache (sync.c), NULL: dump maps */
};

void	dp_state_free(struct dp_state *st);

struct dp_ipcache_key;
struct dp_policy_key;
struct dp_policy_exact_key;
/* ipcache edits that keep the host index (dp_ipcache_host) in step (maps.c) */
int	dp_ipcache_key_put(struct dp *dp, const struct dp_ipcache_key *k, uint32_t identity);
int	dp_ipcache_key_del(struct dp *dp, const struct dp_ipcache_key *k);
void	dp_policy_exact_key_make(struct dp_policy_exact_key *x, uint32_t ep_id,
	    const struct dp_policy_key *k);

#endif
