// SPDX-License-Identifier: MIT
/* cutoverd.yaml top level (see daemon.h): one parser per top-level key. */
#include "cmd/cutoverd/daemon.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/ctl.h"
#include "lib/metrics.h"
#include "lib/yamlconf.h"

static int
parse_log_level(const struct ynode *n, void *arg)
{
	struct cutoverd_conf *c = arg;
	static const char *const names[] = { "error", "warn", "info", "debug", NULL };
	static const enum log_level lv[] = { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO,
	    LOG_LVL_DEBUG };
	int idx;

	if (ynode_enum(n, names, &idx))
		return -EINVAL;
	c->log_level = lv[idx];
	c->has_log_level = true;
	return 0;
}

static int
parse_control_socket(const struct ynode *n, void *arg)
{
	struct cutoverd_conf *c = arg;

	if (ynode_str(n, c->control_socket, sizeof(c->control_socket)))
		return -EINVAL;
	if (c->control_socket[0] != '/')
		return ynode_fail(n, "must be an absolute path");
	return 0;
}

static int
parse_metrics(const struct ynode *n, void *arg)
{
	struct cutoverd_conf *c = arg;
	char s[16];

	if (ynode_is_scalar(n) && !ynode_str(n, s, sizeof(s)) && !strcmp(s, "off")) {
		c->metrics_enabled = false;
		return 0;
	}
	return ynode_hostport(n, &c->metrics_addr, &c->metrics_port);
}

int
cutoverd_conf_load(const char *file, struct cutoverd_conf *c, struct diag *d)
{
	struct ycfg *y;
	struct ynode root;
	int rc;

	memset(c, 0, sizeof(*c));
	const struct ycfg_section secs[] = {
		{ "log-level", parse_log_level, c },
		{ "control-socket", parse_control_socket, c },
		{ "metrics", parse_metrics, c },
		{ "bgp", bgp_conf_parse, &c->bgp },
		{ "ipam", ipam_conf_parse, &c->ipam },
		{ "datapath", dp_conf_parse, &c->datapath },
	};
	snprintf(c->control_socket, sizeof(c->control_socket), "%s", CTL_SOCKET_DEFAULT);
	c->metrics_enabled = true;
	addr_from_v4(&c->metrics_addr, 0x7f000001);
	c->metrics_port = METRICS_PORT_DEFAULT;
	bgp_conf_init(&c->bgp);
	dp_conf_init(&c->datapath);
	y = ycfg_load_file(file, d);
	if (!y)
		return -errno;
	ycfg_root(y, &root);
	rc = ycfg_sections(&root, secs, sizeof(secs) / sizeof(secs[0]));
	ycfg_free(y);
	return rc;
}

void
cutoverd_conf_free(struct cutoverd_conf *c)
{
	bgp_conf_free(&c->bgp);
}
