/* SPDX-License-Identifier: MIT */
/*
 * A BGP peer's `bfd:` option in cutoverd.yaml (the key reference is in docs/bgp.md, BFD):
 *   bfd: true                      # defaults: 300 ms x 3
 *   bfd: { min-tx-ms: 100, min-rx-ms: 100, multiplier: 3, interface: up0 }
 *   bfd: { enabled: false }
 * Plain data for bgp/conf.c; the daemon turns it into a bfd_session_add() call.
 */
#ifndef CUTOVER_BGP_BFD_CONF_H
#define CUTOVER_BGP_BFD_CONF_H

#include <net/if.h>
#include <stdbool.h>

#include "bgp/bfd.h"
#include "lib/yamlconf.h"

struct bfd_peer_conf {
	bool		 enabled;
	struct bfd_cfg	 cfg;
	char		 ifname[IF_NAMESIZE];	/* "" = any interface */
};

/* Disabled, RFC-sane defaults (BFD_DEFAULT_*). */
void	bfd_peer_conf_init(struct bfd_peer_conf *pc);
/*
 * Parse the "bfd" key of a peer mapping into pc (initialised by bfd_peer_conf_init):
 * absent -> 0 and pc untouched; a boolean; or a mapping whose presence enables BFD unless
 * it says enabled: false. Errors (-EINVAL) name the key path and line through the
 * document's diag.
 */
int	bfd_peer_conf_parse(const struct ynode *peer, struct bfd_peer_conf *pc);

#endif
