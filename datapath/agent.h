/* SPDX-License-Identifier: MIT */
/*
 * The datapath inside cutoverd: the "datapath:" config section, startup (adopt or
 * load the pinned datapath, apply the configured bundle), draining flow events into
 * the flow log on the daemon's event loop, control API handlers (/v1/policy,
 * /v1/flows) and the metrics collector. cmd/cutoverd only calls these functions.
 */
#ifndef CUTOVER_DATAPATH_AGENT_H
#define CUTOVER_DATAPATH_AGENT_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/diag.h"

struct event_base;
struct ctl_server;
struct metrics;
struct ynode;

struct dp_conf {
	bool		 present;	/* a "datapath:" section exists */
	char		 pin_root[256];	/* "" = $CUTOVER_BPF_ROOT or the default */
	char		 bundle[PATH_MAX];	/* applied at start when set */
	uint32_t	 policy_max;	/* 0 = default */
	int		 attach;	/* enum dp_attach_mode; 0 = auto */
};

void	dp_conf_init(struct dp_conf *c);
/* yamlconf section parser: keys pin-root, bundle, policy-max, attach. */
int	dp_conf_parse(const struct ynode *node, void *arg);

struct dp_agent;

struct dp_agent *dp_agent_new(struct event_base *base, const struct dp_conf *c,
	    struct diag *d);
int	dp_agent_control_register(struct dp_agent *a, struct ctl_server *s);
int	dp_agent_metrics_register(struct dp_agent *a, struct metrics *m);
void	dp_agent_free(struct dp_agent *a);

#endif
