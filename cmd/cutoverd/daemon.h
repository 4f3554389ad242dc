/* SPDX-License-Identifier: MIT */
/*
 * cutoverd's configuration file: daemon keys (log-level, control-socket, metrics) and
 * one section per subsystem (bgp: today; ipam:, datapath: add theirs to the section
 * table in daemon_conf.c and a member here). Parsing is lib/yamlconf's.
 */
#ifndef CUTOVER_CMD_CUTOVERD_DAEMON_H
#define CUTOVER_CMD_CUTOVERD_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#include "bgp/conf.h"
#include "ipam/ipam.h"
#include "datapath/agent.h"
#include "lib/addr.h"
#include "lib/diag.h"
#include "lib/log.h"

#define CUTOVERD_CONF_DEFAULT	"/etc/cutover/cutoverd.yaml"

struct cutoverd_conf {
	bool		 has_log_level;
	enum log_level	 log_level;
	char		 control_socket[108];
	bool		 metrics_enabled;
	struct addr	 metrics_addr;
	uint16_t	 metrics_port;
	struct bgp_conf	 bgp;
	struct ipam_conf ipam;
	struct dp_conf	 datapath;
};

/* Load and validate file. 0, or -errno with "file:line:col: key: reason" in d. */
int	cutoverd_conf_load(const char *file, struct cutoverd_conf *c, struct diag *d);
void	cutoverd_conf_free(struct cutoverd_conf *c);

#endif
