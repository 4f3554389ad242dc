/* SPDX-License-Identifier: MIT */
/*
 * BFD for cutoverd's BGP peers (RFC 5882): one BFD session per peer whose config says
 * `bfd:`, a path failure tears the peer's BGP session down at once (Cease subcode 10,
 * RFC 9384), a planned stop sends AdminDown for the peers' detection time; plus BFD's
 * control API endpoint (GET /v1/bgp/bfd) and Prometheus collector. The daemon calls
 * these from cmd/cutoverd/main.c; the BFD protocol itself is bgp/bfd_*.c.
 */
#ifndef CUTOVER_BGP_BFD_BGP_H
#define CUTOVER_BGP_BFD_BGP_H

#include <stdbool.h>

#include "lib/diag.h"

struct event_base;
struct bgp_speaker;
struct ctl_server;
struct metrics;
struct bfd_bgp;
struct bfd_ctx;

/*
 * Start BFD for every peer of sp with bfd enabled. Returns NULL with *errp = 0 when no
 * peer wants BFD (nothing is opened), NULL with *errp = -errno and d set on failure
 * (UDP port 3784 in use, unknown interface, ...).
 */
struct bfd_bgp	*bfd_bgp_new(struct event_base *base, struct bgp_speaker *sp, struct diag *d,
		    int *errp);
/* Planned stop: every session AdminDown (diag 7), sent on for the linger time. */
void		 bfd_bgp_stop(struct bfd_bgp *b);
/* Sessions still sending AdminDown (the daemon waits for 0, bounded). */
unsigned	 bfd_bgp_lingering(const struct bfd_bgp *b);
void		 bfd_bgp_free(struct bfd_bgp *b);
struct bfd_ctx	*bfd_bgp_ctx(struct bfd_bgp *b);

/* GET /v1/bgp/bfd: {"sessions": [...], "drops": {...}} (bgp/bfd_json.c). b may be NULL
 * (BFD not configured): the endpoint then answers with no sessions. */
int		 bfd_control_register(struct bfd_bgp *b, struct ctl_server *ctl);
int		 bfd_metrics_register(struct bfd_bgp *b, struct metrics *m);

#endif
