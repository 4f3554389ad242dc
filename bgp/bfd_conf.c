// SPDX-License-Identifier: MIT
/*
 * The per-peer `bfd:` option of cutoverd.yaml (see bgp/bfd_conf.h) through lib/yamlconf,
 * so every error names the key path and line:column. Owns nothing else: the peer mapping
 * itself is bgp/conf.c's.
 */
#include <errno.h>
#include <string.h>

#include "bgp/bfd_conf.h"

void
bfd_peer_conf_init(struct bfd_peer_conf *pc)
{
	memset(pc, 0, sizeof(*pc));
	bfd_cfg_default(&pc->cfg);
}

/* Interval in milliseconds: 1 ms .. 60 s (bfd_cfg_check's range). */
static int
bfd_conf_ms(const struct ynode *m, const char *key, uint32_t *us)
{
	uint32_t ms;
	int rc = ycfg_opt_u32(m, key, 1, 60000, &ms);

	if (rc == 1)
		*us = ms * 1000;
	return rc < 0 ? -EINVAL : 0;
}

int
bfd_peer_conf_parse(const struct ynode *peer, struct bfd_peer_conf *pc)
{
	static const char *const keys[] = { "enabled", "min-tx-ms", "min-rx-ms", "multiplier",
		"interface", NULL };
	struct ynode n, in;
	uint32_t v;
	int rc;

	rc = ycfg_map_get(peer, "bfd", &n);
	if (rc <= 0)
		return rc;
	if (ynode_is_scalar(&n))
		return ynode_bool(&n, &pc->enabled) ? -EINVAL : 0;
	if (!ynode_is_map(&n))
		return ynode_fail(&n, "must be true, false or a mapping (%s)",
		    "enabled, min-tx-ms, min-rx-ms, multiplier, interface");
	if (ycfg_map_check(&n, keys))
		return -EINVAL;
	pc->enabled = true;
	if (ycfg_opt_bool(&n, "enabled", &pc->enabled) < 0)
		return -EINVAL;
	if (bfd_conf_ms(&n, "min-tx-ms", &pc->cfg.desired_min_tx_us) ||
	    bfd_conf_ms(&n, "min-rx-ms", &pc->cfg.required_min_rx_us))
		return -EINVAL;
	/* RFC 5880 §4.1: Detect Mult is one octet and must not be zero. */
	rc = ycfg_opt_u32(&n, "multiplier", 1, 255, &v);
	if (rc < 0)
		return -EINVAL;
	if (rc == 1)
		pc->cfg.detect_mult = (uint8_t)v;
	rc = ycfg_opt_str(&n, "interface", pc->ifname, sizeof(pc->ifname));
	if (rc < 0)
		return -EINVAL;
	if (rc == 1 && pc->ifname[0] == '\0') {
		ycfg_map_get(&n, "interface", &in);
		return ynode_fail(&in, "must not be empty");
	}
	return 0;
}
