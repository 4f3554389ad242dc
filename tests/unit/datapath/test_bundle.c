// SPDX-License-Identifier: MIT
/* Unit tests for the policy bundle parser (datapath/bundle.c): the documented example
 * parses into the expected structs; every class of bad input fails with the JSON path
 * and reason. */
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "datapath/bundle.h"
#include "datapath/dp_abi.h"

static void
fixture_path(char *out, size_t len, const char *name)
{
	const char *top = getenv("CUTOVER_TOP");

	snprintf(out, len, "%s/tests/fixtures/datapath/%s", top ? top : ".", name);
}

static void
test_example(void **state)
{
	struct dp_bundle *b;
	struct diag d;
	char path[512], t[ADDR_STRLEN];
	const struct dp_bundle_endpoint *ep;

	(void)state;
	fixture_path(path, sizeof(path), "bundle-basic.json");
	diag_init(&d, NULL);
	assert_int_equal(dp_bundle_load(path, &b, &d), 0);
	assert_int_equal(b->version, 1);
	assert_int_equal(b->nidentities, 3);
	assert_string_equal(b->identities[0].name, "prod/web");
	assert_int_equal(b->identities[2].id, 16777217);
	assert_int_equal(b->ncidrs, 3);
	/* sorted: v4 before v6, then by address */
	assert_int_equal(b->cidrs[0].prefix.len, 32);
	assert_int_equal(b->cidrs[0].identity, 256);
	assert_int_equal(b->cidrs[2].prefix.addr.family, AF_INET6);
	assert_int_equal(b->nendpoints, 2);

	ep = dp_bundle_endpoint_find(b, 835);
	assert_non_null(ep);
	assert_string_equal(ep->name, "prod/web-01");
	assert_string_equal(ep->ifname, "veth-web01");
	assert_int_equal(ep->mode, DP_MODE_ENFORCE);
	assert_int_equal(ep->nips, 2);
	assert_string_equal(addr_format(&ep->ips[1], t, sizeof(t)), "fd00:20::15");
	assert_true(ep->default_deny[DP_DIR_INGRESS]);
	assert_true(ep->default_deny[DP_DIR_EGRESS]);
	assert_int_equal(ep->nrules, 5);
	assert_int_equal(ep->rules[0].dir, DP_DIR_INGRESS);
	assert_int_equal(ep->rules[0].proto, IPPROTO_TCP);
	assert_int_equal(ep->rules[0].port_lo, 443);
	assert_int_equal(ep->rules[0].port_hi, 443);
	assert_int_equal(ep->rules[0].peer, 16777217);
	assert_string_equal(ep->rules[0].ref, "nsx:dfw/1001");
	assert_int_equal(ep->rules[1].peer, 0);
	assert_int_equal(ep->rules[1].port_lo, 8000);
	assert_int_equal(ep->rules[1].port_hi, 8080);
	assert_int_equal(ep->rules[2].proto, IPPROTO_ICMP);
	assert_int_equal(ep->rules[2].port_lo, 8);
	assert_int_equal(ep->rules[3].action, DP_ACTION_DENY);
	assert_int_equal(ep->rules[4].dir, DP_DIR_EGRESS);

	ep = dp_bundle_endpoint_find(b, 836);
	assert_non_null(ep);
	assert_int_equal(ep->mode, DP_MODE_AUDIT);
	assert_int_equal(ep->nrules, 0);
	assert_false(ep->default_deny[DP_DIR_INGRESS]);	/* no rules: allow */
	assert_true(ep->default_deny[DP_DIR_EGRESS]);	/* explicit */
	assert_null(dp_bundle_endpoint_find(b, 1));
	dp_bundle_free(b);
}

static void
test_minimal(void **state)
{
	static const char text[] = "{\"version\":1}\n  ";
	struct dp_bundle *b;

	(void)state;
	assert_int_equal(dp_bundle_parse(text, strlen(text), &b, NULL), 0);
	assert_int_equal(b->nendpoints, 0);
	assert_int_equal(b->ncidrs, 0);
	dp_bundle_free(b);
}

/* Bad bundles: each must fail with this path and a message containing this text. */
struct bad_case {
	const char	*json;
	const char	*path;	/* NULL: no JSON path expected (syntax errors) */
	const char	*msg;
};

#define EP(x) "{\"version\":1,\"identities\":[{\"id\":256,\"name\":\"a\"}]," \
	"\"endpoints\":[{\"id\":1,\"name\":\"p\",\"identity\":256" x "}]}"
#define RULE(x) EP(",\"rules\":[{\"direction\":\"ingress\",\"action\":\"allow\"" x "}]")

static const struct bad_case bad_cases[] = {
	{ "", NULL, "unexpected end of input" },
	{ "{\"version\":1", NULL, "unexpected end of input" },
	{ "{\"version\":1} x", NULL, "trailing data" },
	{ "[]", "$", "expected object" },
	{ "{}", "$.version", "required field is missing" },
	{ "{\"version\":2}", "$.version", "unsupported bundle version 2" },
	{ "{\"version\":\"1\"}", "$.version", "expected int, got string" },
	{ "{\"version\":1,\"extra\":0}", "$.extra", "unknown field" },
	{ "{\"version\":1,\"identities\":{}}", "$.identities", "expected array" },
	{ "{\"version\":1,\"identities\":[{\"id\":0,\"name\":\"x\"}]}", "$.identities[0].id",
	  "out of range" },
	{ "{\"version\":1,\"identities\":[{\"id\":300,\"name\":\"\"}]}", "$.identities[0].name",
	  "must not be empty" },
	{ "{\"version\":1,\"identities\":[{\"id\":300,\"name\":\"a\"},{\"id\":300,\"name\":\"b\"}]}",
	  "$.identities", "declared twice" },
	{ "{\"version\":1,\"identities\":[{\"id\":300,\"name\":\"a\",\"labels\":[1]}]}",
	  "$.identities[0].labels[0]", "expected string" },
	{ "{\"version\":1,\"cidrs\":[{\"cidr\":\"10.0.0.1/8\",\"identity\":2}]}",
	  "$.cidrs[0].cidr", "not a prefix" },
	{ "{\"version\":1,\"cidrs\":[{\"cidr\":\"10.0.0.0/8\",\"identity\":999}]}",
	  "$.cidrs[0].identity", "not declared" },
	{ "{\"version\":1,\"cidrs\":[{\"cidr\":\"10.0.0.0/8\",\"identity\":2},"
	  "{\"cidr\":\"10.0.0.0/8\",\"identity\":2}]}", "$.cidrs", "listed twice" },
	{ EP(",\"mode\":\"strict\""), "$.endpoints[0].mode", "not one of: enforce, audit" },
	{ EP(",\"ips\":[\"10.0.0.300\"]"), "$.endpoints[0].ips[0]", "not an IPv4 or IPv6" },
	{ EP(",\"interface\":\"a-very-long-interface-name\""), "$.endpoints[0].interface",
	  "longer than" },
	{ "{\"version\":1,\"endpoints\":[{\"id\":70000,\"name\":\"p\",\"identity\":2}]}",
	  "$.endpoints[0].id", "out of range" },
	{ "{\"version\":1,\"endpoints\":[{\"id\":1,\"name\":\"p\",\"identity\":2},"
	  "{\"id\":1,\"name\":\"q\",\"identity\":2}]}", "$.endpoints[1].id", "same id" },
	{ EP(",\"rules\":[{\"action\":\"allow\"}]"), "$.endpoints[0].rules[0].direction",
	  "required" },
	{ RULE(",\"action\":\"allow\",\"bogus\":1"), "$.endpoints[0].rules[0].bogus",
	  "unknown field" },
	{ EP(",\"rules\":[{\"direction\":\"in\",\"action\":\"allow\"}]"),
	  "$.endpoints[0].rules[0].direction", "not one of: ingress, egress" },
	{ EP(",\"rules\":[{\"direction\":\"ingress\",\"action\":\"drop\"}]"),
	  "$.endpoints[0].rules[0].action", "not one of: allow, deny" },
	{ RULE(",\"protocol\":\"gre2\""), "$.endpoints[0].rules[0].protocol",
	  "not a protocol" },
	{ RULE(",\"port\":80"), "$.endpoints[0].rules[0].port", "needs protocol" },
	{ RULE(",\"protocol\":\"tcp\",\"port\":0"), "$.endpoints[0].rules[0].port",
	  "not a port" },
	{ RULE(",\"protocol\":\"tcp\",\"port\":70000"), "$.endpoints[0].rules[0].port",
	  "out of range" },
	{ RULE(",\"protocol\":\"tcp\",\"port\":90,\"end_port\":80"),
	  "$.endpoints[0].rules[0].end_port", "below port" },
	{ RULE(",\"protocol\":\"tcp\",\"end_port\":80"), "$.endpoints[0].rules[0].end_port",
	  "needs port" },
	{ RULE(",\"protocol\":\"icmp\",\"port\":300"), "$.endpoints[0].rules[0].port",
	  "ICMP type" },
	{ RULE(",\"peer\":12345"), "$.endpoints[0].rules[0].peer", "not declared" },
	{ RULE(",\"peer\":-1"), "$.endpoints[0].rules[0].peer", "out of range" },
	{ RULE(",\"peer\":1.5"), "$.endpoints[0].rules[0].peer", "expected int, got double" },
	{ RULE(",\"ref\":\"" "0123456789012345678901234567890123456789012345678901234567890123"
	  "\""), "$.endpoints[0].rules[0].ref", "longer than 63" },
};

static void
test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *bc = &bad_cases[i];
		struct dp_bundle *b = (struct dp_bundle *)&b;	/* must be reset to NULL */
		struct diag d;
		char msg[1024];

		diag_init(&d, "bad.json");
		if (dp_bundle_parse(bc->json, strlen(bc->json), &b, &d) != -EINVAL)
			fail_msg("case %zu (%s) did not fail with -EINVAL", i, bc->json);
		assert_null(b);
		assert_true(d.set);
		diag_format(&d, msg, sizeof(msg));
		if (!strstr(d.msg, bc->msg))
			fail_msg("case %zu: message \"%s\" lacks \"%s\"", i, msg, bc->msg);
		if (bc->path && strcmp(d.path, bc->path))
			fail_msg("case %zu: path \"%s\", expected \"%s\"", i, d.path, bc->path);
		if (!bc->path && d.line < 1)
			fail_msg("case %zu: syntax error without a line: %s", i, msg);
	}
}

static void
test_syntax_position(void **state)
{
	static const char text[] = "{\n  \"version\": 1,\n  \"cidrs\": [ nope ]\n}";
	struct dp_bundle *b;
	struct diag d;

	(void)state;
	diag_init(&d, "x.json");
	assert_int_equal(dp_bundle_parse(text, strlen(text), &b, &d), -EINVAL);
	assert_int_equal(d.line, 3);
}

static void
test_load_missing(void **state)
{
	struct dp_bundle *b;
	struct diag d;

	(void)state;
	diag_init(&d, NULL);
	assert_int_equal(dp_bundle_load("/nonexistent/bundle.json", &b, &d), -ENOENT);
	assert_string_equal(d.source, "/nonexistent/bundle.json");
	assert_non_null(strstr(d.msg, "cannot open"));
}

static void
test_proto(void **state)
{
	uint8_t p;
	char buf[8];

	(void)state;
	assert_int_equal(dp_proto_parse("TCP", &p), 0);
	assert_int_equal(p, IPPROTO_TCP);
	assert_int_equal(dp_proto_parse("icmpv6", &p), 0);
	assert_int_equal(p, IPPROTO_ICMPV6);
	assert_int_equal(dp_proto_parse("47", &p), 0);
	assert_int_equal(p, 47);
	assert_int_equal(dp_proto_parse("256", &p), -EINVAL);
	assert_int_equal(dp_proto_parse("-1", &p), -EINVAL);
	assert_int_equal(dp_proto_parse("", &p), -EINVAL);
	assert_string_equal(dp_proto_name(47, buf, sizeof(buf)), "47");
	assert_string_equal(dp_proto_name(0, buf, sizeof(buf)), "any");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_syntax_position),
		cmocka_unit_test(test_load_missing),
		cmocka_unit_test(test_proto),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
