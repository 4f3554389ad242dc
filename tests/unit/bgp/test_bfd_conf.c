// SPDX-License-Identifier: MIT
/*
 * bgp/bfd_conf: a peer's `bfd:` option as boolean or mapping, defaults, and broken values
 * whose error names the key path and the line.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "bgp/bfd_conf.h"

struct parse_arg {
	struct bfd_peer_conf	*pc;
};

static int
peer_hook(const struct ynode *node, void *arg)
{
	return bfd_peer_conf_parse(node, ((struct parse_arg *)arg)->pc);
}

/* Parse "peer:\n  <text>" with bfd_peer_conf_parse on the peer mapping. */
static int
load(const char *text, struct bfd_peer_conf *pc, char *err, size_t errlen)
{
	struct parse_arg a;
	struct ycfg_section secs[] = { { "peer", peer_hook, &a } };
	struct diag d;
	struct ycfg *y;
	struct ynode root;
	int rc;

	bfd_peer_conf_init(pc);
	a.pc = pc;
	diag_init(&d, "t.yaml");
	err[0] = '\0';
	y = ycfg_load_buf("t.yaml", text, strlen(text), &d);
	assert_non_null(y);
	ycfg_root(y, &root);
	rc = ycfg_sections(&root, secs, 1);
	if (rc)
		diag_format(&d, err, errlen);
	ycfg_free(y);
	return rc;
}

static void
test_absent_is_disabled(void **state)
{
	struct bfd_peer_conf pc;
	char err[512];

	(void)state;
	assert_int_equal(load("peer:\n  name: x\n", &pc, err, sizeof(err)), 0);
	assert_false(pc.enabled);
	assert_int_equal(pc.cfg.desired_min_tx_us, BFD_DEFAULT_TX_US);
}

static void
test_true_uses_defaults(void **state)
{
	struct bfd_peer_conf pc;
	char err[512];

	(void)state;
	assert_int_equal(load("peer:\n  bfd: true\n", &pc, err, sizeof(err)), 0);
	assert_true(pc.enabled);
	assert_int_equal(pc.cfg.desired_min_tx_us, 300000);
	assert_int_equal(pc.cfg.required_min_rx_us, 300000);
	assert_int_equal(pc.cfg.detect_mult, 3);
	assert_string_equal(pc.ifname, "");
	assert_int_equal(load("peer:\n  bfd: false\n", &pc, err, sizeof(err)), 0);
	assert_false(pc.enabled);
}

static void
test_mapping(void **state)
{
	struct bfd_peer_conf pc;
	char err[512];

	(void)state;
	assert_int_equal(load("peer:\n  bfd:\n    min-tx-ms: 100\n    min-rx-ms: 150\n"
	    "    multiplier: 5\n    interface: up0\n", &pc, err, sizeof(err)), 0);
	assert_true(pc.enabled);
	assert_int_equal(pc.cfg.desired_min_tx_us, 100000);
	assert_int_equal(pc.cfg.required_min_rx_us, 150000);
	assert_int_equal(pc.cfg.detect_mult, 5);
	assert_string_equal(pc.ifname, "up0");
	assert_int_equal(bfd_cfg_check(&pc.cfg, NULL), 0);
	assert_int_equal(load("peer:\n  bfd: { enabled: false, multiplier: 2 }\n", &pc, err,
	    sizeof(err)), 0);
	assert_false(pc.enabled);
	assert_int_equal(pc.cfg.detect_mult, 2);
}

static void
test_errors(void **state)
{
	static const struct {
		const char *text, *want1, *want2;
	} cases[] = {
		{ "peer:\n  bfd: maybe\n", "t.yaml:2:", "peer.bfd" },
		{ "peer:\n  bfd: [1, 2]\n", "t.yaml:2:", "must be true, false or a mapping" },
		{ "peer:\n  bfd:\n    multiplier: 0\n", "t.yaml:3:", "peer.bfd.multiplier" },
		{ "peer:\n  bfd:\n    multiplier: 256\n", "t.yaml:3:", "peer.bfd.multiplier" },
		{ "peer:\n  bfd:\n    min-tx-ms: 0\n", "t.yaml:3:", "peer.bfd.min-tx-ms" },
		{ "peer:\n  bfd:\n    min-rx-ms: 60001\n", "t.yaml:3:", "peer.bfd.min-rx-ms" },
		{ "peer:\n  bfd:\n    min-rx: 100\n", "t.yaml:3:", "min-rx" },
		{ "peer:\n  bfd:\n    interface: \"\"\n", "t.yaml:3:", "must not be empty" },
		{ "peer:\n  bfd:\n    interface: a-very-long-interface-name\n", "t.yaml:3:",
		  "peer.bfd.interface" },
		{ "peer:\n  bfd:\n    enabled: 3\n", "t.yaml:3:", "peer.bfd.enabled" },
	};
	struct bfd_peer_conf pc;
	char err[512];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case %zu: %s", i, cases[i].text);
		assert_int_equal(load(cases[i].text, &pc, err, sizeof(err)), -EINVAL);
		print_message("  -> %s\n", err);
		assert_non_null(strstr(err, cases[i].want1));
		assert_non_null(strstr(err, cases[i].want2));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_absent_is_disabled),
		cmocka_unit_test(test_true_uses_defaults),
		cmocka_unit_test(test_mapping),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
