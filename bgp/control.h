/* SPDX-License-Identifier: MIT */
/*
 * BGP's part of the control API and metrics: JSON views of peers, received and
 * originated routes, operator actions, and the Prometheus collector. Reads session
 * state (bgp/session.h); writes nothing but through the session's public calls.
 *
 *   GET    /v1/bgp/peers                 all peers (state, timers, capabilities, counters)
 *   GET    /v1/bgp/peers/NAME            one peer
 *   POST   /v1/bgp/peers/NAME/enable     ManualStart
 *   POST   /v1/bgp/peers/NAME/disable    ManualStop, body {"message": "..."} (RFC 8203)
 *   POST   /v1/bgp/peers/NAME/reset      both
 *   GET    /v1/bgp/routes[?peer=NAME]    received routes (Adj-RIB-In) with attributes
 *   GET    /v1/bgp/originated            prefixes we originate
 *   POST   /v1/bgp/originated            body {"prefix": P, "communities": [..]}
 *   DELETE /v1/bgp/originated?prefix=P   stop originating a dynamic prefix
 */
#ifndef CUTOVER_BGP_CONTROL_H
#define CUTOVER_BGP_CONTROL_H

#include "bgp/session.h"
#include "lib/ctl.h"
#include "lib/metrics.h"

int	bgp_control_register(struct bgp_speaker *sp, struct ctl_server *ctl);
int	bgp_metrics_register(struct bgp_speaker *sp, struct metrics *m);

#endif
