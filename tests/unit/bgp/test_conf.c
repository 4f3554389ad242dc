// SPDX-License-Identifier: MIT
/*
 * bgp/conf + lib/yamlconf: a full valid config, defaults, and a table of broken
 * configs with the exact "file:line:col: key.path: reason" text the user sees.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "bgp/conf.h"
#include "lib/yamlconf.h"

/* Load text as "t.yaml" with a bgp section; returns rc, error text in err. */
static int
load(const char *text, struct bgp_conf *c, char *err, size_t errlen)
{
	struct ycfg_section secs[1];
	struct diag d;
	struct ycfg *y;
	struct ynode root;
	int rc;

	bgp_conf_init(c);
	secs[0] = (struct ycfg_section){ "bgp", bgp_conf_parse, c };
	diag_init(&d, "t.yaml");
	err[0] = '\0';
	y = ycfg_load_buf("t.yaml", text, strlen(text), &d);
	if (!y) {
		diag_format(&d, err, errlen);
		return -EINVAL;
	}
	ycfg_root(y, &root);
	rc = ycfg_sections(&root, secs, 1);
	if (rc)
		diag_format(&d, err, errlen);
	ycfg_free(y);
	return rc;
}

static const char full[] =
	"bgp:\n"
	"  router-id: 10.255.1.2\n"
	"  local-as: 4200000001\n"
	"  listen-port: 1179\n"
	"  peers:\n"
	"    - name: up\n"
	"      address: 10.255.1.1\n"
	"      remote-as: 65000\n"
	"      local-address: 10.255.1.2\n"
	"      hold-time: 3\n"
	"      connect-retry: 1\n"
	"      md5-password: s3cret\n"
	"      ttl-security: true\n"
	"      families: [ipv4, ipv6]\n"
	"      next-hop-ipv6: fd00:255:1::2\n"
	"      max-prefix: { limit: 100, action: stop }\n"
	"      graceful-restart: { enabled: true, restart-time: 60 }\n"
	"    - name: up6\n"
	"      address: fd00:255:1::1\n"
	"      remote-as: 65000\n"
	"      passive: yes\n"
	"      multihop: 4\n"
	"      families: [ipv6]\n"
	"  originate:\n"
	"    - 10.20.0.15/32\n"
	"    - prefix: 2001:db8:1::/48\n"
	"      communities: [\"65000:100\", no-export]\n";

static void
test_conf_full(void **state)
{
	struct bgp_conf c;
	char err[512];
	const struct bgp_conf_peer *p;
	char s[PREFIX_STRLEN];

	(void)state;
	assert_int_equal(load(full, &c, err, sizeof(err)), 0);
	assert_true(c.present);
	assert_int_equal(c.router_id, 0x0aff0102);
	assert_int_equal(c.local_as, 4200000001u);
	assert_int_equal(c.listen_port, 1179);
	assert_int_equal(c.npeers, 2);
	p = bgp_conf_peer_find(&c, "up");
	assert_non_null(p);
	assert_int_equal(p->remote_as, 65000);
	assert_true(p->has_local_addr);
	assert_int_equal(p->hold_time, 3);
	assert_int_equal(p->keepalive, 0);
	assert_int_equal(p->connect_retry, 1);
	assert_string_equal(p->md5_password, "s3cret");
	assert_true(p->ttl_security);
	assert_true(p->family_v4 && p->family_v6);
	assert_true(p->has_next_hop_v6);
	assert_int_equal(p->max_prefix, 100);
	assert_int_equal(p->max_prefix_action, BGP_MAXPFX_STOP);
	assert_true(p->gr_enabled);
	assert_int_equal(p->gr_restart_time, 60);
	assert_int_equal(p->port, 179);
	p = bgp_conf_peer_find(&c, "up6");
	assert_non_null(p);
	assert_true(p->passive);
	assert_int_equal(p->multihop, 4);
	assert_false(p->family_v4);
	assert_true(p->family_v6);
	assert_int_equal(p->hold_time, BGP_CONF_HOLD_DEFAULT);
	assert_int_equal(p->connect_retry, BGP_CONF_CONNECT_RETRY_DEFAULT);
	assert_false(p->gr_enabled);
	assert_null(bgp_conf_peer_find(&c, "nope"));
	assert_int_equal(c.norig, 2);
	assert_string_equal(prefix_format(&c.originate[0].prefix, s, sizeof(s)), "10.20.0.15/32");
	assert_int_equal(c.originate[0].ncommunities, 0);
	assert_string_equal(prefix_format(&c.originate[1].prefix, s, sizeof(s)), "2001:db8:1::/48");
	assert_int_equal(c.originate[1].ncommunities, 2);
	assert_int_equal(c.originate[1].communities[0], 65000u << 16 | 100);
	assert_int_equal(c.originate[1].communities[1], 0xFFFFFF01);
	bgp_conf_free(&c);
}

static void
test_conf_empty_and_defaults(void **state)
{
	struct bgp_conf c;
	char err[512];
	char s[ADDR_STRLEN];

	(void)state;
	assert_int_equal(load("", &c, err, sizeof(err)), 0);
	assert_false(c.present);
	assert_int_equal(c.listen_port, BGP_CONF_PORT_DEFAULT);
	assert_string_equal(addr_format(&c.listen_addr, s, sizeof(s)), "::");
	bgp_conf_free(&c);
}

struct bad {
	const char *text;
	const char *err;
};

#define HDR "bgp:\n  router-id: 10.0.0.1\n  local-as: 65001\n"
#define PEER HDR "  peers:\n    - name: a\n      address: 10.0.0.2\n      remote-as: 65000\n"

static const struct bad bads[] = {
	{ "bgp: [1, 2]\n", "t.yaml:1:6: bgp: must be a mapping (key: value), not a list" },
	{ "bgpp: {}\n", "t.yaml:1:1: bgpp: unknown key" },
	{ "bgp:\n  local-as: 1\n", "t.yaml:2:3: bgp: missing required key \"router-id\"" },
	{ "bgp:\n  router-id: 2001:db8::1\n  local-as: 1\n",
	  "t.yaml:2:14: bgp.router-id: must be an IPv4 address (a 32-bit BGP identifier)" },
	{ "bgp:\n  router-id: 0.0.0.0\n",
	  "t.yaml:2:14: bgp.router-id: must not be 0.0.0.0 (RFC 6286)" },
	{ "bgp:\n  router-id: 10.0.0.1\n  local-as: 4294967296\n",
	  "t.yaml:3:13: bgp.local-as: must be 1..4294967295, got \"4294967296\"" },
	{ "bgp:\n  router-id: 10.0.0.1\n  local-as: -1\n",
	  "t.yaml:3:13: bgp.local-as: must be 1..4294967295, got \"-1\"" },
	{ HDR "  peers:\n    - name: a\n      address: 10.0.0.2\n      remote-as: 0\n",
	  "t.yaml:7:18: bgp.peers[0].remote-as: must be 1..4294967295, got \"0\"" },
	{ PEER "    - name: b\n      address: 10.0.0.3\n      remote-as: 65000\n"
	  "      hold-time: 2\n",
	  "t.yaml:11:18: bgp.peers[1].hold-time: must be 0 or 3..65535 (RFC 4271 4.2)" },
	{ PEER "      colour: blue\n", "t.yaml:8:7: bgp.peers[0].colour: unknown key" },
	{ PEER "    - name: a\n      address: 10.0.0.3\n      remote-as: 1\n",
	  "t.yaml:8:13: bgp.peers[1].name: duplicate peer name \"a\"" },
	{ PEER "    - name: b\n      address: 10.0.0.2\n      remote-as: 1\n",
	  "t.yaml:9:16: bgp.peers[1].address: same address as peer \"a\"" },
	{ PEER "      local-address: fd00::1\n",
	  "t.yaml:8:22: bgp.peers[0].local-address: must be the same address family as address" },
	{ PEER "      keepalive: 40\n",
	  "t.yaml:8:18: bgp.peers[0].keepalive: must be at most hold-time/3 (30)" },
	{ PEER "      families: [ipv4, ipx]\n",
	  "t.yaml:8:24: bgp.peers[0].families[1]: must be one of ipv4, ipv6, got \"ipx\"" },
	{ PEER "      max-prefix: { limit: 10, action: drop }\n",
	  "t.yaml:8:40: bgp.peers[0].max-prefix.action: must be one of warn, stop, got \"drop\"" },
	{ PEER "      max-prefix: { action: warn }\n",
	  "t.yaml:8:19: bgp.peers[0].max-prefix: missing required key \"limit\"" },
	{ PEER "      graceful-restart: { restart-time: 5000 }\n",
	  "t.yaml:8:41: bgp.peers[0].graceful-restart.restart-time: must be 1..4095, got \"5000\"" },
	{ PEER "      md5-password: \"\"\n",
	  "t.yaml:8:21: bgp.peers[0].md5-password: must not be empty (remove the key for no password)" },
	{ PEER "      md5-password: " "0123456789012345678901234567890123456789"
	  "01234567890123456789012345678901234567890\n",
	  "t.yaml:8:21: bgp.peers[0].md5-password: too long (81 characters, max 80)" },
	{ PEER "      passive: maybe\n",
	  "t.yaml:8:16: bgp.peers[0].passive: must be true or false, got \"maybe\"" },
	{ PEER "      next-hop-ipv6: 10.0.0.9\n",
	  "t.yaml:8:22: bgp.peers[0].next-hop-ipv6: must be an IPv6 address (not IPv4-mapped)" },
	{ PEER "      address: 10.0.0.3\n",
	  "t.yaml:8:7: bgp.peers[0].address: duplicate key (first at line 6)" },
	{ HDR "  originate:\n    - 10.20.0.15/24\n",
	  "t.yaml:5:7: bgp.originate[0]: host bits set in \"10.20.0.15/24\" (did you mean 10.20.0.0/24?)" },
	{ HDR "  originate:\n    - 10.20.0.15\n",
	  "t.yaml:5:7: bgp.originate[0]: not a prefix (ADDRESS/LENGTH): \"10.20.0.15\"" },
	{ HDR "  originate:\n    - prefix: 10.1.0.0/16\n      communities: [\"70000:1\"]\n",
	  "t.yaml:6:21: bgp.originate[0].communities[0]: must be ASN:VALUE (each 0..65535) or "
	  "no-export, no-advertise, no-export-subconfed, no-peer" },
	{ HDR "  originate:\n    - 10.1.0.0/16\n    - 10.1.0.0/16\n",
	  "t.yaml:6:7: bgp.originate[1]: duplicate prefix" },
	{ HDR "  originate:\n    - communities: []\n",
	  "t.yaml:5:7: bgp.originate[0]: missing required key \"prefix\"" },
	{ "bgp:\n  router-id: [10.0.0.1\n",
	  NULL /* syntax error: message from libyaml, position checked below */ },
};

static void
test_conf_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		struct bgp_conf c;
		char err[512];

		assert_int_not_equal(load(bads[i].text, &c, err, sizeof(err)), 0);
		if (bads[i].err && strcmp(err, bads[i].err))
			fail_msg("case %zu: got '%s'\n want '%s'", i, err, bads[i].err);
		if (!bads[i].err && strncmp(err, "t.yaml:3:1: YAML syntax error", 29))
			fail_msg("case %zu: got '%s'", i, err);
		bgp_conf_free(&c);
	}
}

static void
test_community_parse(void **state)
{
	uint32_t v;

	(void)state;
	assert_int_equal(bgp_community_parse("65535:65535", &v), 0);
	assert_int_equal(v, 0xFFFFFFFF);
	assert_int_equal(bgp_community_parse("no-peer", &v), 0);
	assert_int_equal(v, 0xFFFFFF04);
	assert_int_equal(bgp_community_parse("1:", &v), -EINVAL);
	assert_int_equal(bgp_community_parse(":1", &v), -EINVAL);
	assert_int_equal(bgp_community_parse("1:2:3", &v), -EINVAL);
	assert_int_equal(bgp_community_parse("65536:1", &v), -EINVAL);
	assert_int_equal(bgp_community_parse("1:-1", &v), -EINVAL);
}

static void
test_hostport(void **state)
{
	static const char text[] = "a: 127.0.0.1:9963\nb: \"[::1]:80\"\nc: ::1:80\nd: 1.2.3.4:0\n";
	struct diag d;
	struct ycfg *y;
	struct ynode root, n;
	struct addr a;
	uint16_t port;
	char s[ADDR_STRLEN];

	(void)state;
	diag_init(&d, "h.yaml");
	y = ycfg_load_buf("h.yaml", text, sizeof(text) - 1, &d);
	assert_non_null(y);
	ycfg_root(y, &root);
	assert_int_equal(ycfg_map_get(&root, "a", &n), 1);
	assert_int_equal(ynode_hostport(&n, &a, &port), 0);
	assert_string_equal(addr_format(&a, s, sizeof(s)), "127.0.0.1");
	assert_int_equal(port, 9963);
	assert_int_equal(ycfg_map_get(&root, "b", &n), 1);
	assert_int_equal(ynode_hostport(&n, &a, &port), 0);
	assert_string_equal(addr_format(&a, s, sizeof(s)), "::1");
	assert_int_equal(ycfg_map_get(&root, "c", &n), 1);
	assert_int_equal(ynode_hostport(&n, &a, &port), -EINVAL);
	diag_init(&d, "h.yaml");
	assert_int_equal(ycfg_map_get(&root, "d", &n), 1);
	assert_int_equal(ynode_hostport(&n, &a, &port), -EINVAL);
	assert_int_equal(ycfg_map_get(&root, "zz", &n), 0);
	ycfg_free(y);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conf_full),
		cmocka_unit_test(test_conf_empty_and_defaults),
		cmocka_unit_test(test_conf_errors),
		cmocka_unit_test(test_community_parse),
		cmocka_unit_test(test_hostport),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
