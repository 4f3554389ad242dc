/* SPDX-License-Identifier: MIT */
/*
 * cutoverd's IPAM glue (daemon_ipam.c): opens the store, keeps this node's IPAM
 * advertise set up to date by polling the store, and hands every prefix that enters
 * or leaves the set to BGP origination. bgp/ never learns about ipam/.
 */
#ifndef CUTOVER_CMD_CUTOVERD_DAEMON_IPAM_H
#define CUTOVER_CMD_CUTOVERD_DAEMON_IPAM_H

struct bgp_speaker;
struct ctl_server;
struct diag;
struct event_base;
struct ipam_conf;
struct daemon_ipam;

/* Start (no-op returning 0 and *out = NULL when the section is absent). bgp may be
 * NULL (BGP disabled: the set is still computed and logged). ctl (may be NULL) gets
 * GET /v1/ipam/advertise: node, store, pools, the advertise set, poll health. */
int	daemon_ipam_start(struct event_base *base, const struct ipam_conf *conf,
	    struct bgp_speaker *bgp, struct ctl_server *ctl, struct daemon_ipam **out,
	    struct diag *d);
void	daemon_ipam_stop(struct daemon_ipam *di);

#endif
