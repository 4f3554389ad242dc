// SPDX-License-Identifier: MIT
/*
 * `bgp:` section of the daemon config (see conf.h). Each block checks its keys first
 * (unknown keys are errors), then reads them with lib/yamlconf accessors, then checks
 * the relations between keys (hold vs keepalive, address families, duplicates).
 */
#include "bgp/conf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
bgp_conf_init(struct bgp_conf *c)
{
	memset(c, 0, sizeof(*c));
	addr_parse("::", &c->listen_addr);
	c->listen_port = BGP_CONF_PORT_DEFAULT;
	bgp_conf_rib_init(&c->rib);
}

void
bgp_conf_free(struct bgp_conf *c)
{
	if (!c)
		return;
	free(c->peers);
	free(c->originate);
	c->peers = NULL;
	c->originate = NULL;
	c->npeers = c->norig = 0;
	bgp_conf_rib_free(&c->rib);
}

const struct bgp_conf_peer *
bgp_conf_peer_find(const struct bgp_conf *c, const char *name)
{
	for (size_t i = 0; i < c->npeers; i++)
		if (!strcmp(c->peers[i].name, name))
			return &c->peers[i];
	return NULL;
}

int
bgp_community_parse(const char *s, uint32_t *v)
{
	static const struct { const char *name; uint32_t v; } wk[] = {
		{ "no-export", 0xFFFFFF01 },		/* RFC 1997 */
		{ "no-advertise", 0xFFFFFF02 },
		{ "no-export-subconfed", 0xFFFFFF03 },
		{ "no-peer", 0xFFFFFF04 },		/* RFC 3765 */
	};
	unsigned long hi, lo;
	char *end;

	for (size_t i = 0; i < sizeof(wk) / sizeof(wk[0]); i++) {
		if (!strcmp(s, wk[i].name)) {
			*v = wk[i].v;
			return 0;
		}
	}
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	hi = strtoul(s, &end, 10);
	if (errno || *end != ':' || hi > 0xFFFF || end[1] < '0' || end[1] > '9')
		return -EINVAL;
	lo = strtoul(end + 1, &end, 10);
	if (errno || *end || lo > 0xFFFF)
		return -EINVAL;
	*v = (uint32_t)(hi << 16 | lo);
	return 0;
}

static int
u16opt(const struct ynode *m, const char *key, uint32_t min, uint32_t max, uint16_t *out)
{
	uint32_t v;
	int rc = ycfg_opt_u32(m, key, min, max, &v);

	if (rc == 1)
		*out = (uint16_t)v;
	return rc;
}

static int
parse_families(const struct ynode *m, struct bgp_conf_peer *p)
{
	static const char *const fams[] = { "ipv4", "ipv6", NULL };
	struct ynode seq, it;
	int n, rc, idx;

	rc = ycfg_map_get(m, "families", &seq);
	if (rc <= 0)
		return rc;
	n = ycfg_seq_len(&seq);
	if (n < 0)
		return n;
	if (n == 0)
		return ynode_fail(&seq, "must list at least one of ipv4, ipv6");
	p->family_v4 = p->family_v6 = false;
	for (int i = 0; i < n; i++) {
		ycfg_seq_get(&seq, i, &it);
		if (ynode_enum(&it, fams, &idx))
			return -EINVAL;
		if (idx == 0)
			p->family_v4 = true;
		else
			p->family_v6 = true;
	}
	return 0;
}

static int
parse_max_prefix(const struct ynode *m, struct bgp_conf_peer *p)
{
	static const char *const keys[] = { "limit", "action", NULL };
	static const char *const actions[] = { "warn", "stop", NULL };
	struct ynode mp, act;
	int rc, idx;

	rc = ycfg_map_get(m, "max-prefix", &mp);
	if (rc <= 0)
		return rc;
	if (ycfg_map_check(&mp, keys))
		return -EINVAL;
	if (ycfg_req_u32(&mp, "limit", 1, UINT32_MAX, &p->max_prefix))
		return -EINVAL;
	rc = ycfg_map_get(&mp, "action", &act);
	if (rc == 1) {
		if (ynode_enum(&act, actions, &idx))
			return -EINVAL;
		p->max_prefix_action = idx == 1 ? BGP_MAXPFX_STOP : BGP_MAXPFX_WARN;
	}
	return 0;
}

static int
parse_gr(const struct ynode *m, struct bgp_conf_peer *p)
{
	static const char *const keys[] = { "enabled", "restart-time", NULL };
	struct ynode gr;
	int rc;

	rc = ycfg_map_get(m, "graceful-restart", &gr);
	if (rc <= 0)
		return rc;
	if (ycfg_map_check(&gr, keys))
		return -EINVAL;
	p->gr_enabled = true;
	if (ycfg_opt_bool(&gr, "enabled", &p->gr_enabled) < 0)
		return -EINVAL;
	/* RFC 4724 §3: Restart Time is a 12-bit field. */
	if (u16opt(&gr, "restart-time", 1, 4095, &p->gr_restart_time) < 0)
		return -EINVAL;
	return 0;
}

static int
parse_peer(const struct ynode *m, const struct bgp_conf *c, struct bgp_conf_peer *p)
{
	static const char *const keys[] = {
		"name", "address", "port", "remote-as", "local-address", "passive",
		"hold-time", "keepalive", "connect-retry", "md5-password", "ttl-security",
		"multihop", "families", "max-prefix", "graceful-restart", "next-hop-ipv6",
		"bfd", "import", "export", NULL,
	};
	struct ynode n;
	uint32_t v;
	int rc;

	memset(p, 0, sizeof(*p));
	p->port = BGP_CONF_PORT_DEFAULT;
	p->hold_time = BGP_CONF_HOLD_DEFAULT;
	p->connect_retry = BGP_CONF_CONNECT_RETRY_DEFAULT;
	p->family_v4 = p->family_v6 = true;
	p->gr_restart_time = BGP_CONF_GR_RESTART_DEFAULT;
	bfd_peer_conf_init(&p->bfd);
	if (ycfg_map_check(m, keys))
		return -EINVAL;
	if (bfd_peer_conf_parse(m, &p->bfd))
		return -EINVAL;
	if (ycfg_req_str(m, "name", p->name, sizeof(p->name)))
		return -EINVAL;
	ycfg_map_get(m, "name", &n);
	if (!p->name[0] || strspn(p->name, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != strlen(p->name))
		return ynode_fail(&n, "must be letters, digits, '-', '_' or '.'");
	if (bgp_conf_peer_find(c, p->name))
		return ynode_fail(&n, "duplicate peer name \"%s\"", p->name);
	if (ycfg_req_addr(m, "address", &p->addr))
		return -EINVAL;
	ycfg_map_get(m, "address", &n);
	if (addr_is_v4_mapped(&p->addr))
		return ynode_fail(&n, "use the plain IPv4 address, not an IPv4-mapped one");
	if (u16opt(m, "port", 1, 65535, &p->port) < 0)
		return -EINVAL;
	for (size_t i = 0; i < c->npeers; i++)
		if (addr_eq(&c->peers[i].addr, &p->addr) && c->peers[i].port == p->port)
			return ynode_fail(&n, "same address as peer \"%s\"", c->peers[i].name);
	if (ycfg_req_u32(m, "remote-as", 1, UINT32_MAX, &p->remote_as))
		return -EINVAL;
	rc = ycfg_opt_addr(m, "local-address", &p->local_addr);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		p->has_local_addr = true;
		ycfg_map_get(m, "local-address", &n);
		if (p->local_addr.family != p->addr.family)
			return ynode_fail(&n, "must be the same address family as address");
	}
	if (ycfg_opt_bool(m, "passive", &p->passive) < 0)
		return -EINVAL;
	/* RFC 4271 §4.2: hold time 0 or at least 3 s. */
	rc = ycfg_opt_u32(m, "hold-time", 0, 65535, &v);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		ycfg_map_get(m, "hold-time", &n);
		if (v == 1 || v == 2)
			return ynode_fail(&n, "must be 0 or 3..65535 (RFC 4271 4.2)");
		p->hold_time = (uint16_t)v;
	}
	rc = u16opt(m, "keepalive", 1, 21845, &p->keepalive);
	if (rc < 0)
		return rc;
	if (rc == 1 && p->hold_time && p->keepalive > p->hold_time / 3) {
		ycfg_map_get(m, "keepalive", &n);
		return ynode_fail(&n, "must be at most hold-time/3 (%u)", p->hold_time / 3);
	}
	if (u16opt(m, "connect-retry", 1, 65535, &p->connect_retry) < 0)
		return -EINVAL;
	rc = ycfg_opt_str(m, "md5-password", p->md5_password, sizeof(p->md5_password));
	if (rc < 0)
		return rc;
	if (rc == 1 && !p->md5_password[0]) {
		ycfg_map_get(m, "md5-password", &n);
		return ynode_fail(&n, "must not be empty (remove the key for no password)");
	}
	if (ycfg_opt_bool(m, "ttl-security", &p->ttl_security) < 0)
		return -EINVAL;
	rc = ycfg_opt_u32(m, "multihop", 1, 255, &v);
	if (rc < 0)
		return rc;
	if (rc == 1)
		p->multihop = (uint8_t)v;
	if (parse_families(m, p) || parse_max_prefix(m, p) || parse_gr(m, p))
		return -EINVAL;
	rc = ycfg_opt_addr(m, "next-hop-ipv6", &p->next_hop_v6);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		ycfg_map_get(m, "next-hop-ipv6", &n);
		if (p->next_hop_v6.family != AF_INET6 || addr_is_v4_mapped(&p->next_hop_v6))
			return ynode_fail(&n, "must be an IPv6 address (not IPv4-mapped)");
		p->has_next_hop_v6 = true;
	}
	/* import/export filters by name (bgp/filter_conf.c); none = RFC 8212 default */
	for (int k = 0; k < 2; k++) {
		const char *key = k ? "export" : "import";
		char *dst = k ? p->export_filter : p->import_filter;

		rc = ycfg_opt_str(m, key, dst, FILTER_NAME_MAX);
		if (rc < 0)
			return rc;
		if (rc == 1 && !filter_find(&c->rib.filters, dst)) {
			ycfg_map_get(m, key, &n);
			return ynode_fail(&n, "no filter named \"%s\" (define it under bgp.filters)",
			    dst);
		}
	}
	return 0;
}

static int
parse_peers(const struct ynode *bgp, struct bgp_conf *c)
{
	struct ynode seq, it;
	int n, rc;

	rc = ycfg_map_get(bgp, "peers", &seq);
	if (rc <= 0)
		return rc;
	n = ycfg_seq_len(&seq);
	if (n < 0)
		return n;
	if (n > BGP_CONF_PEERS_MAX)
		return ynode_fail(&seq, "too many peers (%d, max %d)", n, BGP_CONF_PEERS_MAX);
	c->peers = calloc((size_t)n + 1, sizeof(*c->peers));
	if (!c->peers)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		ycfg_seq_get(&seq, i, &it);
		rc = parse_peer(&it, c, &c->peers[c->npeers]);
		if (rc)
			return rc;
		c->npeers++;
	}
	return 0;
}

static int
parse_communities(const struct ynode *m, struct bgp_conf_originate *o)
{
	struct ynode seq, it;
	char s[32];
	int n, rc;

	rc = ycfg_map_get(m, "communities", &seq);
	if (rc <= 0)
		return rc;
	n = ycfg_seq_len(&seq);
	if (n < 0)
		return n;
	if (n > BGP_CONF_COMM_MAX)
		return ynode_fail(&seq, "too many communities (max %d)", BGP_CONF_COMM_MAX);
	for (int i = 0; i < n; i++) {
		ycfg_seq_get(&seq, i, &it);
		if (ynode_str(&it, s, sizeof(s)) ||
		    bgp_community_parse(s, &o->communities[o->ncommunities]))
			return ynode_fail(&it, "must be ASN:VALUE (each 0..65535) or no-export, "
			    "no-advertise, no-export-subconfed, no-peer");
		o->ncommunities++;
	}
	return 0;
}

static int
parse_originate(const struct ynode *bgp, struct bgp_conf *c)
{
	static const char *const keys[] = { "prefix", "communities", NULL };
	struct ynode seq, it, pn;
	int n, rc;

	rc = ycfg_map_get(bgp, "originate", &seq);
	if (rc <= 0)
		return rc;
	n = ycfg_seq_len(&seq);
	if (n < 0)
		return n;
	if (n > BGP_CONF_ORIG_MAX)
		return ynode_fail(&seq, "too many prefixes (max %d)", BGP_CONF_ORIG_MAX);
	c->originate = calloc((size_t)n + 1, sizeof(*c->originate));
	if (!c->originate)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		struct bgp_conf_originate *o = &c->originate[c->norig];

		ycfg_seq_get(&seq, i, &it);
		if (ynode_is_scalar(&it)) {
			pn = it;
		} else {
			if (ycfg_map_check(&it, keys))
				return -EINVAL;
			if (ycfg_map_get(&it, "prefix", &pn) != 1)
				return ynode_fail(&it, "missing required key \"prefix\"");
			if (parse_communities(&it, o))
				return -EINVAL;
		}
		if (ynode_prefix(&pn, &o->prefix))
			return -EINVAL;
		for (size_t j = 0; j < c->norig; j++)
			if (prefix_eq(&c->originate[j].prefix, &o->prefix))
				return ynode_fail(&pn, "duplicate prefix");
		c->norig++;
	}
	return 0;
}

int
bgp_conf_parse(const struct ynode *node, void *arg)
{
	static const char *const keys[] = {
		"router-id", "local-as", "listen-address", "listen-port", "peers",
		"originate", "rib", "prefix-lists", "filters", NULL,
	};
	struct bgp_conf *c = arg;
	struct ynode n;
	struct addr id;
	uint32_t port;
	int rc;

	c->present = true;
	if (ycfg_map_check(node, keys))
		return -EINVAL;
	if (ycfg_req_addr(node, "router-id", &id))
		return -EINVAL;
	ycfg_map_get(node, "router-id", &n);
	if (id.family != AF_INET)
		return ynode_fail(&n, "must be an IPv4 address (a 32-bit BGP identifier)");
	c->router_id = addr_to_v4(&id);
	if (c->router_id == 0)
		return ynode_fail(&n, "must not be 0.0.0.0 (RFC 6286)");
	if (ycfg_req_u32(node, "local-as", 1, UINT32_MAX, &c->local_as))
		return -EINVAL;
	if (ycfg_opt_addr(node, "listen-address", &c->listen_addr) < 0)
		return -EINVAL;
	rc = ycfg_opt_u32(node, "listen-port", 0, 65535, &port);
	if (rc < 0)
		return rc;
	if (rc == 1)
		c->listen_port = (uint16_t)port;
	if (bgp_conf_rib_parse(node, &c->rib) || parse_peers(node, c) ||
	    parse_originate(node, c))
		return -EINVAL;
	return 0;
}
