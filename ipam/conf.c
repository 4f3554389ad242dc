// SPDX-License-Identifier: MIT
/*
 * The `ipam:` section of cutoverd.yaml (parsed through lib/yamlconf, which reports
 * errors as file:line:col: ipam.key: reason):
 *   ipam:
 *     store: sqlite:///var/lib/cutover/state.db   # or etcd://host:port
 *     node: node-1                                # default: the host name
 *     poll-interval-ms: 1000                      # how often the store is polled
 */
#include "ipam/ipam.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/store.h"
#include "lib/yamlconf.h"

int
ipam_conf_parse(const struct ynode *n, void *arg)
{
	static const char *const keys[] = { "store", "node", "poll-interval-ms", NULL };
	struct ipam_conf *c = arg;
	struct ynode v;
	int rc;

	memset(c, 0, sizeof(*c));
	c->present = true;
	snprintf(c->store, sizeof(c->store), "%s", STORE_DEFAULT_URL);
	c->poll_ms = 1000;
	if (!ynode_is_map(n))
		return ynode_fail(n, "must be a mapping (store, node, poll-interval-ms)");
	if ((rc = ycfg_map_check(n, keys)))
		return rc;
	if ((rc = ycfg_opt_str(n, "store", c->store, sizeof(c->store))) < 0 ||
	    (rc = ycfg_opt_str(n, "node", c->node, sizeof(c->node))) < 0 ||
	    (rc = ycfg_opt_u32(n, "poll-interval-ms", 50, 600000, &c->poll_ms)) < 0)
		return rc;
	if (strncmp(c->store, "sqlite:///", 10) && strncmp(c->store, "etcd://", 7)) {
		ycfg_map_get(n, "store", &v);
		return ynode_fail(&v, "want sqlite:///ABSOLUTE/PATH or etcd://HOST:PORT");
	}
	if (c->node[0] && (strchr(c->node, '/') || strchr(c->node, ' '))) {
		ycfg_map_get(n, "node", &v);
		return ynode_fail(&v, "node names have no '/' or spaces");
	}
	return 0;
}
