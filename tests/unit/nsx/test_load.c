// SPDX-License-Identifier: MIT
/*
 * nsx-import loaders and resolution: every fixture loads (counts, evaluation
 * order, gap kinds), and bad input fails with the file, the JSON path or XML line
 * and the reason (table of cases).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "nsx-import/model.h"

static const char *
fixture(const char *name)
{
	static char path[1024];
	const char *top = getenv("CUTOVER_TOP");

	snprintf(path, sizeof(path), "%s/tests/fixtures/nsx/%s", top ? top : ".", name);
	return path;
}

static struct nsx_model *
load(const char *name, const char *inventory)
{
	struct nsx_model *m = nsx_model_new();
	struct diag d;
	char buf[1200];
	int rc;

	assert_non_null(m);
	if (inventory) {
		diag_init(&d, inventory);
		assert_int_equal(nsx_inventory_load(m, fixture(inventory), &d), 0);
	}
	diag_init(&d, name);
	rc = nsx_load_file(m, fixture(name), &d);
	if (!rc)
		rc = nsx_model_resolve(m, &d);
	if (rc) {
		diag_format(&d, buf, sizeof(buf));
		fail_msg("%s", buf);
	}
	return m;
}

static bool
has_issue(const struct nsx_model *m, bool gap, int kind, const char *rule_id)
{
	for (size_t i = 0; i < m->nissues; i++)
		if (m->issues[i].gap == gap && m->issues[i].kind == kind &&
		    (!rule_id || (m->issues[i].rule_id && !strcmp(m->issues[i].rule_id, rule_id))))
			return true;
	return false;
}

static void
test_3tier(void **state)
{
	struct nsx_model *m = load("nsxt-hapi-3-tier-app.json", NULL);

	(void)state;
	/* Tier0/Tier1/Segment children skipped; 4 groups, 3 policies, 4 rules. */
	assert_int_equal(m->ngroups, 4);
	assert_int_equal(m->npolicies, 3);
	assert_int_equal(m->nrules, 4);
	/* Infrastructure comes before Application, whatever the document order. */
	assert_string_equal(m->rules[0]->id, "Allow-SSH");
	assert_string_equal(m->rules[1]->id, "Allow-ICMP");
	assert_string_equal(m->rules[2]->id, "allow-mysql");
	assert_string_equal(m->rules[3]->id, "allow-80-443");
	assert_string_equal(m->rules[2]->path,
	    "/infra/domains/default/security-policies/Allow-SQL/rules/allow-mysql");
	/* Predefined services resolved from the built-in table. */
	assert_true(nsx_svcset_contains(&m->rules[2]->svc, NSX_PROTO_TCP, 3306));
	assert_true(nsx_svcset_contains(&m->rules[1]->svc, NSX_PROTO_ICMP, 8));
	assert_true(nsx_svcset_contains(&m->rules[3]->svc, NSX_PROTO_TCP, 443));
	assert_false(nsx_svcset_contains(&m->rules[3]->svc, NSX_PROTO_TCP, 8080));
	/* Tag groups without an inventory are gaps, REJECT is reported. */
	assert_true(has_issue(m, true, NSX_GAP_GROUP_UNRESOLVED, "allow-mysql"));
	assert_true(has_issue(m, true, NSX_GAP_REJECT_AS_DROP, "Allow-SSH"));
	assert_true(m->rules[0]->gap_skip);
	nsx_model_free(m);
}

static void
test_3tier_inventory(void **state)
{
	struct nsx_model *m = load("nsxt-hapi-3-tier-app.json", "inventory-3tier.json");
	struct addr a;

	(void)state;
	assert_int_equal(m->nwl, 4);
	assert_false(m->rules[2]->gap_skip);
	/* db-vms = db-01 only. */
	assert_int_equal(addr_parse("192.168.1.31", &a), 0);
	assert_true(nsx_ipset_contains(&m->rules[2]->dst_ips, &a));
	assert_int_equal(addr_parse("192.168.1.11", &a), 0);
	assert_false(nsx_ipset_contains(&m->rules[2]->dst_ips, &a));
	/* All-VMs (tag nsx) includes web-01's IPv6 address. */
	assert_int_equal(addr_parse("fd00:1::11", &a), 0);
	assert_true(nsx_ipset_contains(&m->rules[0]->dst_ips, &a));
	nsx_model_free(m);
}

static void
test_2tier(void **state)
{
	struct nsx_model *m = load("nsxt-hapi-2-tier-app.json", "inventory-2tier.json");
	struct addr a;

	(void)state;
	assert_int_equal(m->nrules, 4);
	/* Rules without sequence numbers keep document order: REJECT first. */
	assert_string_equal(m->rules[0]->id, "ManagementSSH+ICMP");
	assert_string_equal(m->rules[1]->id, "DenyAll");
	assert_int_equal(m->rules[1]->action, NSX_ACT_REJECT);
	assert_string_equal(m->rules[2]->id, "AnytoWeb");
	/* IPAddressExpression and Name STARTSWITH through the inventory. */
	assert_int_equal(addr_parse("192.168.110.10", &a), 0);
	assert_true(nsx_ipset_contains(&m->rules[0]->src_ips, &a));
	assert_int_equal(addr_parse("172.16.20.11", &a), 0);
	assert_true(nsx_ipset_contains(&m->rules[0]->dst_ips, &a));
	assert_true(nsx_ipset_contains(&m->rules[1]->scope_ips, &a));
	nsx_model_free(m);
}

static void
test_nsxv_fixtures(void **state)
{
	struct nsx_model *m = load("nsxv-dfw-config-get.xml", NULL);

	(void)state;
	assert_true(m->nsxv);
	assert_int_equal(m->nrules, 2);
	/* Layer 2 section sorts first (Ethernet), its default ALLOW is a note. */
	assert_true(m->rules[0]->l2);
	assert_int_equal(m->rules[1]->action, NSX_ACT_DROP);
	assert_true(m->has_default_rule);
	assert_true(has_issue(m, false, NSX_NOTE_L2_ALLOW, "1"));
	nsx_model_free(m);

	m = load("nsxv-dfw-l3section-get.xml", NULL);
	assert_int_equal(m->nrules, 5);
	assert_int_equal(m->rules[0]->rule_id, 16);
	assert_true(m->rules[1]->disabled);
	assert_true(has_issue(m, false, NSX_NOTE_DISABLED, "15"));
	assert_true(has_issue(m, true, NSX_GAP_MISSING_REFERENCE, "16"));
	assert_true(has_issue(m, true, NSX_GAP_GROUP_UNRESOLVED, "16"));
	nsx_model_free(m);

	m = load("nsxv-vcd-dfw-config-get.xml", NULL);
	assert_int_equal(m->nrules, 4);
	assert_int_equal(m->rules[1]->dir, NSX_DIR_INOUT);
	assert_int_equal(m->rules[2]->dir, NSX_DIR_IN);
	assert_int_equal(m->rules[2]->family, AF_INET6);
	assert_true(has_issue(m, true, NSX_GAP_SOURCE_PORT, "1055"));
	assert_true(has_issue(m, true, NSX_GAP_APPLIED_TO, "1056"));
	nsx_model_free(m);
}

/* ---- bad input --------------------------------------------------------------- */
struct bad_case {
	const char	*name;
	const char	*doc;
	const char	*want;		/* substring of the formatted diag */
};

static const struct bad_case bad_cases[] = {
	{ "json-syntax", "{\n\"resource_type\": \"Infra\",\n  \"children\": [,]\n}", "t:3:" },
	{ "not-nsx", "hello", "neither NSX-T" },
	{ "unknown-field",
	  "{\"resource_type\": \"Group\", \"id\": \"g\", \"expresion\": []}",
	  "$.expresion: unknown field 'expresion'" },
	{ "mistyped",
	  "{\"resource_type\": \"SecurityPolicy\", \"id\": \"p\", \"rules\": [{\"resource_type\": "
	  "\"Rule\", \"id\": \"r\", \"action\": \"ALLOW\", \"sequence_number\": \"1\"}]}",
	  "$.rules[0].sequence_number: expected an integer" },
	{ "bad-action",
	  "{\"resource_type\": \"SecurityPolicy\", \"id\": \"p\", \"rules\": [{\"resource_type\": "
	  "\"Rule\", \"id\": \"r\", \"action\": \"PERMIT\"}]}",
	  "$.rules[0].action: unknown action 'PERMIT'" },
	{ "illegal-port",
	  "{\"resource_type\": \"Service\", \"id\": \"s\", \"service_entries\": [{\"resource_type\": "
	  "\"L4PortSetServiceEntry\", \"id\": \"e\", \"l4_protocol\": \"TCP\", "
	  "\"destination_ports\": [\"80\", \"70000\"]}]}",
	  "$.service_entries[0].destination_ports[1]: illegal port" },
	{ "bad-ip",
	  "{\"resource_type\": \"Group\", \"id\": \"g\", \"expression\": [{\"resource_type\": "
	  "\"IPAddressExpression\", \"ip_addresses\": [\"10.0.0.300\"]}]}",
	  "$.expression[0].ip_addresses[0]: bad IP address" },
	{ "even-conjunction",
	  "{\"resource_type\": \"Group\", \"id\": \"g\", \"expression\": [{\"resource_type\": "
	  "\"ConjunctionOperator\", \"conjunction_operator\": \"OR\"}]}",
	  "$.expression[0]: conjunction at an even position" },
	{ "unknown-group",
	  "{\"resource_type\": \"SecurityPolicy\", \"id\": \"p\", \"rules\": [{\"resource_type\": "
	  "\"Rule\", \"id\": \"r\", \"action\": \"ALLOW\", \"source_groups\": "
	  "[\"/infra/domains/default/groups/nope\"]}]}",
	  "unknown group '/infra/domains/default/groups/nope'" },
	{ "unknown-service",
	  "{\"resource_type\": \"SecurityPolicy\", \"id\": \"p\", \"rules\": [{\"resource_type\": "
	  "\"Rule\", \"id\": \"r\", \"action\": \"ALLOW\", \"services\": [\"/infra/services/NOPE\"]}]}",
	  "$.rules[0]: unknown service '/infra/services/NOPE'" },
	{ "group-cycle",
	  "[{\"resource_type\": \"Group\", \"id\": \"a\", \"expression\": [{\"resource_type\": "
	  "\"PathExpression\", \"paths\": [\"/infra/domains/default/groups/b\"]}]},"
	  "{\"resource_type\": \"Group\", \"id\": \"b\", \"expression\": [{\"resource_type\": "
	  "\"PathExpression\", \"paths\": [\"/infra/domains/default/groups/a\"]}]}]",
	  "is part of a cycle of nested groups" },
	{ "service-cycle",
	  "[{\"resource_type\": \"Service\", \"id\": \"a\", \"service_entries\": [{\"resource_type\": "
	  "\"NestedServiceServiceEntry\", \"id\": \"x\", \"nested_service_path\": \"/infra/services/b\"}]},"
	  "{\"resource_type\": \"Service\", \"id\": \"b\", \"service_entries\": [{\"resource_type\": "
	  "\"NestedServiceServiceEntry\", \"id\": \"y\", \"nested_service_path\": \"/infra/services/a\"}]}]",
	  "is part of a cycle of nested services" },
	{ "any-not-alone",
	  "{\"resource_type\": \"SecurityPolicy\", \"id\": \"p\", \"rules\": [{\"resource_type\": "
	  "\"Rule\", \"id\": \"r\", \"action\": \"ALLOW\", \"source_groups\": [\"ANY\", \"10.0.0.1\"]}]}",
	  "\"ANY\" must be the only element" },
	{ "xml-syntax", "<section id=\"1\">\n<rule id=\"2\">\n<action>allow</action>\n</section>",
	  "t:4:" },
	{ "xml-dtd", "<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY a \"b\">]>\n<section/>",
	  "DTDs and entity declarations are not accepted" },
	{ "xml-unknown-element",
	  "<section id=\"1\">\n <rule id=\"2\">\n  <action>allow</action>\n  <bogus/>\n </rule>\n</section>",
	  "t:4: <bogus>: unknown element inside <rule>" },
	{ "xml-bad-action",
	  "<section id=\"1\">\n <rule id=\"2\">\n  <action>maybe</action>\n </rule>\n</section>",
	  "unknown action 'maybe'" },
	{ "xml-bad-port",
	  "<section id=\"1\"><rule id=\"2\"><action>allow</action><services><service>"
	  "<protocol>6</protocol><destinationPort>99999</destinationPort></service></services>"
	  "</rule></section>",
	  "illegal port or range '99999'" },
	{ "xml-bad-ipv4-literal",
	  "<section id=\"1\"><rule id=\"2\"><action>allow</action><sources>"
	  "<source><value>10.0.0.1,nope</value><type>Ipv4Address</type></source></sources>"
	  "</rule></section>",
	  "bad address 'nope'" },
	{ "xml-bad-ipset",
	  "<list><ipset><objectId>ipset-1</objectId><name>x</name><value>10.0.0.1,nope</value>"
	  "</ipset></list>",
	  "ipset ipset-1: bad address 'nope'" },
};

static void
test_bad_input(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct nsx_model *m = nsx_model_new();
		struct diag d;
		char buf[1200];
		int rc;

		diag_init(&d, "t");
		rc = nsx_load_buf(m, "t", c->doc, strlen(c->doc), &d);
		if (!rc)
			rc = nsx_model_resolve(m, &d);
		diag_format(&d, buf, sizeof(buf));
		if (rc == 0 || !strstr(buf, c->want))
			fail_msg("case %s: rc=%d diag '%s', want '%s'", c->name, rc, buf, c->want);
		nsx_model_free(m);
	}
}

static void
test_template_is_rejected(void **state)
{
	struct nsx_model *m = nsx_model_new();
	struct diag d;

	(void)state;
	/* The unsubstituted template is not JSON: a clean error with the position. */
	diag_init(&d, "tmpl");
	assert_int_equal(nsx_load_file(m, fixture("nsxt-hapi-2-tier-app.json.tmpl"), &d), -EBADMSG);
	assert_int_equal(d.line, 27);
	nsx_model_free(m);
}

static void
test_several_files(void **state)
{
	/* NSX-V: firewall config referencing an ipset defined in a second file. */
	static const char cfg[] =
	    "<section id=\"7\"><rule id=\"70\"><action>allow</action><sources excluded=\"false\">"
	    "<source><value>ipset-9</value><type>IPSet</type></source></sources>"
	    "<services><service><name>HTTPS</name><value>application-1</value>"
	    "<type>Application</type></service></services></rule></section>";
	static const char sets[] =
	    "<list><ipset><objectId>ipset-9</objectId><name>n</name>"
	    "<value>10.9.0.0/16,10.10.0.1-10.10.0.3</value></ipset>"
	    "<application><objectId>application-1</objectId><name>HTTPS</name>"
	    "<element><applicationProtocol>TCP</applicationProtocol><value>443,8443</value>"
	    "</element></application></list>";
	struct nsx_model *m = nsx_model_new();
	struct diag d;
	struct addr a;

	(void)state;
	diag_init(&d, "x");
	assert_int_equal(nsx_load_buf(m, "cfg.xml", cfg, strlen(cfg), &d), 0);
	assert_int_equal(nsx_load_buf(m, "sets.xml", sets, strlen(sets), &d), 0);
	assert_int_equal(nsx_model_resolve(m, &d), 0);
	assert_false(m->rules[0]->gap_any);
	assert_int_equal(addr_parse("10.10.0.3", &a), 0);
	assert_true(nsx_ipset_contains(&m->rules[0]->src_ips, &a));
	assert_true(nsx_svcset_contains(&m->rules[0]->svc, NSX_PROTO_TCP, 8443));
	nsx_model_free(m);
}

static void
test_hapi_forms(void **state)
{
	/* A list envelope, inline rules with sequence numbers (ties warned), inline
	 * service entries, a nested service, sources_excluded and policy scope. */
	static const char doc[] =
	    "{\"results\": [{\"resource_type\": \"Service\", \"id\": \"web\", \"service_entries\": ["
	    " {\"resource_type\": \"NestedServiceServiceEntry\", \"id\": \"n\","
	    "  \"nested_service_path\": \"/infra/services/HTTPS\"},"
	    " {\"resource_type\": \"L4PortSetServiceEntry\", \"id\": \"e\", \"l4_protocol\": \"TCP\","
	    "  \"destination_ports\": [\"8000-8080\"]}]},"
	    "{\"resource_type\": \"SecurityPolicy\", \"id\": \"p\", \"category\": \"Application\","
	    " \"sequence_number\": 5, \"scope\": [\"10.0.0.0/8\"], \"rules\": ["
	    " {\"resource_type\": \"Rule\", \"id\": \"b\", \"sequence_number\": 2, \"action\": \"DROP\","
	    "  \"source_groups\": [\"10.1.0.0/16\"], \"sources_excluded\": true},"
	    " {\"resource_type\": \"Rule\", \"id\": \"a\", \"sequence_number\": 2, \"action\": \"ALLOW\","
	    "  \"services\": [\"/infra/services/web\"], \"service_entries\": [{\"resource_type\":"
	    "  \"ICMPTypeServiceEntry\", \"id\": \"i\", \"protocol\": \"ICMPv4\", \"icmp_type\": 8}]},"
	    " {\"resource_type\": \"Rule\", \"id\": \"c\", \"sequence_number\": 1, \"action\": \"ALLOW\"}"
	    "]}], \"result_count\": 2}";
	struct nsx_model *m = nsx_model_new();
	struct diag d;
	struct addr a;

	(void)state;
	diag_init(&d, "x");
	assert_int_equal(nsx_load_buf(m, "l.json", doc, strlen(doc), &d), 0);
	assert_int_equal(nsx_model_resolve(m, &d), 0);
	assert_int_equal(m->nrules, 3);
	assert_string_equal(m->rules[0]->id, "c");
	assert_string_equal(m->rules[1]->id, "b");
	assert_string_equal(m->rules[2]->id, "a");
	assert_true(has_issue(m, false, NSX_NOTE_SEQUENCE_TIE, "a"));
	assert_true(nsx_svcset_contains(&m->rules[2]->svc, NSX_PROTO_TCP, 443));
	assert_true(nsx_svcset_contains(&m->rules[2]->svc, NSX_PROTO_TCP, 8080));
	assert_true(nsx_svcset_contains(&m->rules[2]->svc, NSX_PROTO_ICMP, 8));
	assert_false(nsx_svcset_contains(&m->rules[2]->svc, NSX_PROTO_ICMP, 0));
	assert_int_equal(addr_parse("10.1.2.3", &a), 0);
	assert_false(nsx_ipset_contains(&m->rules[1]->src_ips, &a));
	assert_int_equal(addr_parse("10.2.2.3", &a), 0);
	assert_true(nsx_ipset_contains(&m->rules[1]->src_ips, &a));
	assert_false(m->rules[1]->scope_any);
	assert_int_equal(addr_parse("11.0.0.1", &a), 0);
	assert_false(nsx_ipset_contains(&m->rules[1]->scope_ips, &a));
	nsx_model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_3tier),
		cmocka_unit_test(test_3tier_inventory),
		cmocka_unit_test(test_2tier),
		cmocka_unit_test(test_nsxv_fixtures),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_template_is_rejected),
		cmocka_unit_test(test_several_files),
		cmocka_unit_test(test_hapi_forms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
