// SPDX-License-Identifier: MIT
/*
 * nsx-import compiler, emitter and checker together: small exports whose NSX
 * meaning is known are compiled, emitted as YAML, read back and checked flow by
 * flow against NSX semantics (zero mismatches), plus structural expectations
 * (allow-list + trailing drop needs no deny, a deny only where needed) and
 * deliberately injected mistakes that the checker must find.
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

#include "datapath/bundle.h"
#include "datapath/dp_abi.h"
#include "nsx-import/translate.h"
#include "nsx-import/verify.h"

struct run {
	struct nsx_model	*m;
	struct nsx_compiled	 c;
	char			*yaml;
	size_t			 ylen;
	struct nsx_verify_result res;
};

static void
add_wl(struct nsx_model *m, const char *name, const char *ip, const char *app)
{
	struct nsx_workload *w = nsx_workload_add(m);

	assert_non_null(w);
	w->name = strdup(name);
	assert_int_equal(nsx_ipset_add_text(&w->ips, ip), 0);
	w->labels = calloc(1, sizeof(*w->labels));
	w->labels[0].key = strdup("app");
	w->labels[0].value = strdup(app);
	w->nlabels = 1;
}

static void
check(struct run *r, const char *yaml, enum nsx_action dflt)
{
	struct nsx_verify_opts vo = { .samples = 100, .seed = 7, .dflt = dflt };
	struct cnp_set set;
	struct diag d;
	char buf[1200];

	diag_init(&d, "out.yaml");
	if (nsx_cnp_read_buf("out.yaml", yaml, strlen(yaml), &set, &d)) {
		diag_format(&d, buf, sizeof(buf));
		fail_msg("%s\n%s", buf, yaml);
	}
	assert_int_equal(nsx_verify(r->m, &set, &vo, &r->res), 0);
	nsx_cnp_free(&set);
	assert_true(r->res.flows > 100);
}

static void
run(struct run *r, const char *doc, enum nsx_action dflt)
{
	struct nsx_translate_opts to = { .dflt = dflt };
	struct nsx_emit_opts eo = { 0 };
	struct diag d;
	char buf[1200];
	FILE *f;

	memset(r, 0, sizeof(*r));
	r->m = nsx_model_new();
	add_wl(r->m, "web", "10.0.0.10", "web");
	add_wl(r->m, "db", "10.0.0.20", "db");
	diag_init(&d, "t.json");
	if (nsx_load_buf(r->m, "t.json", doc, strlen(doc), &d) || nsx_model_resolve(r->m, &d) ||
	    nsx_translate(r->m, &to, &r->c, &d)) {
		diag_format(&d, buf, sizeof(buf));
		fail_msg("%s", buf);
	}
	f = open_memstream(&r->yaml, &r->ylen);
	assert_non_null(f);
	assert_int_equal(nsx_emit_cnp(f, r->m, &r->c, &eo), 0);
	fclose(f);
	check(r, r->yaml, dflt);
}

static void
run_free(struct run *r)
{
	nsx_compiled_free(&r->c);
	nsx_model_free(r->m);
	free(r->yaml);
}

static size_t
denies(const struct run *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->c.ncls; i++)
		n += r->c.cls[i].dir[0].deny.n + r->c.cls[i].dir[1].deny.n;
	return n;
}

#define POLICY(cat, rules) \
	"{\"resource_type\": \"SecurityPolicy\", \"id\": \"p-" cat "\", \"category\": \"" cat \
	"\", \"rules\": [" rules "]}"
/* IN_OUT rules (the NSX default direction) */
#define RULEIO(id, act, src, dst, svc) \
	"{\"resource_type\": \"Rule\", \"id\": \"" id "\", \"action\": \"" act "\", " \
	"\"source_groups\": [" src "], \"destination_groups\": [" dst "], " \
	"\"services\": [" svc "]}"
/* IN rules: enforced at the destination only, so a source range outside the
 * inventory is no applied-to gap. */
#define RULE(id, act, src, dst, svc) \
	"{\"resource_type\": \"Rule\", \"id\": \"" id "\", \"action\": \"" act "\", " \
	"\"direction\": \"IN\", \"source_groups\": [" src "], \"destination_groups\": [" dst "], " \
	"\"services\": [" svc "]}"

static const char allowlist[] = POLICY("Application",
    RULEIO("web-in", "ALLOW", "\"ANY\"", "\"10.0.0.10\"", "\"/infra/services/HTTP\"") ","
    RULEIO("web-db", "ALLOW", "\"10.0.0.10\"", "\"10.0.0.20\"", "\"/infra/services/PostgreSQL\"") ","
    RULEIO("drop-all", "DROP", "\"ANY\"", "\"ANY\"", "\"ANY\""));

static void
test_allowlist_trailing_drop(void **state)
{
	struct run r;

	(void)state;
	run(&r, allowlist, NSX_ACT_ALLOW);
	assert_int_equal(r.res.mismatches, 0);
	/* Cilium's default deny does the trailing drop: no deny rule at all. */
	assert_int_equal(denies(&r), 0);
	assert_int_equal(nsx_report_gaps(r.m), 0);
	assert_null(strstr(r.yaml, "Deny"));
	assert_non_null(strstr(r.yaml, "port: \"5432\""));
	run_free(&r);
}

static void
test_injected_mistakes(void **state)
{
	static const char *const from[] = { "port: \"5432\"", "port: \"80\"", "10.0.0.10/32" };
	static const char *const to[] = { "port: \"5433\"", "port: \"81\"", "10.0.0.11/32" };
	struct run r;

	(void)state;
	run(&r, allowlist, NSX_ACT_ALLOW);
	for (size_t i = 0; i < sizeof(from) / sizeof(from[0]); i++) {
		char *bad = strdup(r.yaml), *p = strstr(bad, from[i]);
		struct nsx_verify_result res;

		assert_non_null(p);
		memcpy(p, to[i], strlen(to[i]));
		check(&r, bad, NSX_ACT_ALLOW);
		res = r.res;
		if (!res.mismatches_exact)
			fail_msg("mistake %s -> %s not found", from[i], to[i]);
		free(bad);
	}
	/* Dropping the policy for "db" entirely must be found too. */
	{
		char *bad = strdup(r.yaml), *p = strstr(bad, "nsx-vm-db");

		assert_non_null(p);
		memcpy(p, "zzz", 3);
		p = strstr(bad, "cutover.io/vm: \"db\"");
		assert_non_null(p);
		memcpy(p + strlen("cutover.io/vm: \""), "xy", 2);
		check(&r, bad, NSX_ACT_ALLOW);
		assert_true(r.res.mismatches_exact > 0);
		free(bad);
	}
	run_free(&r);
}

static void
test_deny_where_needed(void **state)
{
	/* A DROP no earlier ALLOW overlaps, before a wider ALLOW, default allow. */
	static const char doc[] = POLICY("Application",
	    RULE("block", "DROP", "\"10.9.0.0/16\"", "\"10.0.0.10\"", "\"ANY\"") ","
	    RULE("web", "ALLOW", "\"ANY\"", "\"10.0.0.10\"", "\"/infra/services/HTTP\""));
	struct run r;

	(void)state;
	run(&r, doc, NSX_ACT_ALLOW);
	assert_int_equal(r.res.mismatches, 0);
	assert_true(denies(&r) > 0);
	assert_non_null(strstr(r.yaml, "ingressDeny"));
	run_free(&r);
}

static void
test_cells(void **state)
{
	/* ALLOW a /24, then DROP the /16 around it, then ALLOW everything on 80-90:
	 * the DROP cannot be a Cilium deny (it would kill the first ALLOW), so it is
	 * cut out of the later ALLOW instead. */
	static const char doc[] = "[{\"resource_type\": \"Service\", \"id\": \"r\", "
	    "\"service_entries\": [{\"resource_type\": \"L4PortSetServiceEntry\", \"id\": \"e\", "
	    "\"l4_protocol\": \"TCP\", \"destination_ports\": [\"80-90\"]}]}," POLICY("Application",
	    RULE("a1", "ALLOW", "\"10.9.1.0/24\"", "\"10.0.0.10\"", "\"/infra/services/HTTP\"") ","
	    RULE("d1", "DROP", "\"10.9.0.0/16\"", "\"10.0.0.10\"", "\"ANY\"") ","
	    RULE("a2", "ALLOW", "\"ANY\"", "\"10.0.0.10\"", "\"/infra/services/r\"") ","
	    RULE("d2", "DROP", "\"ANY\"", "\"ANY\"", "\"ANY\"")) "]";
	struct run r;

	(void)state;
	run(&r, doc, NSX_ACT_ALLOW);
	assert_int_equal(r.res.mismatches, 0);
	assert_int_equal(denies(&r), 0);
	assert_non_null(strstr(r.yaml, "except:"));
	assert_non_null(strstr(r.yaml, "endPort: 90"));
	run_free(&r);
}

static void
test_default_allow_minus_ports(void **state)
{
	/* Default allow after a DROP that an earlier ALLOW overlaps: "everything but
	 * tcp/22 from 10.9/16" must still come out exact (allow all + narrow deny). */
	static const char doc[] = POLICY("Application",
	    RULE("a", "ALLOW", "\"10.9.1.1\"", "\"10.0.0.10\"", "\"/infra/services/SSH\"") ","
	    RULE("d", "DROP", "\"10.9.0.0/16\"", "\"10.0.0.10\"", "\"/infra/services/SSH\""));
	struct run r;

	(void)state;
	run(&r, doc, NSX_ACT_ALLOW);
	assert_int_equal(r.res.mismatches, 0);
	run_free(&r);
}

static void
test_exclusion_family_default_drop(void **state)
{
	static const char doc[] = "{\"resource_type\": \"SecurityPolicy\", \"id\": \"p\", "
	    "\"category\": \"Environment\", \"rules\": [{\"resource_type\": \"Rule\", \"id\": \"x\", "
	    "\"action\": \"ALLOW\", \"source_groups\": [\"10.9.0.0/16\"], \"sources_excluded\": true, "
	    "\"destination_groups\": [\"10.0.0.10\"], \"ip_protocol\": \"IPV4\", \"direction\": \"IN\", "
	    "\"services\": [\"/infra/services/HTTPS\"]}]}";
	struct run r;

	(void)state;
	run(&r, doc, NSX_ACT_DROP);
	assert_int_equal(r.res.mismatches, 0);
	assert_non_null(strstr(r.yaml, "except:"));
	run_free(&r);
}

static void
test_jump_gap(void **state)
{
	static const char doc[] = "[" POLICY("Environment",
	    RULE("jump", "JUMP_TO_APPLICATION", "\"ANY\"", "\"10.0.0.10\"", "\"/infra/services/SSH\"") ","
	    RULE("env-drop", "DROP", "\"ANY\"", "\"10.0.0.10\"", "\"/infra/services/SSH\"")) ","
	    POLICY("Application",
	    RULE("app-ssh", "ALLOW", "\"ANY\"", "\"10.0.0.10\"", "\"/infra/services/SSH\"") ","
	    RULE("rest", "DROP", "\"ANY\"", "\"ANY\"", "\"ANY\"")) "]";
	struct run r;
	bool found = false;

	(void)state;
	run(&r, doc, NSX_ACT_ALLOW);
	for (size_t i = 0; i < r.m->nissues; i++)
		found |= r.m->issues[i].gap && r.m->issues[i].kind == NSX_GAP_JUMP;
	assert_true(found);
	/* The checker sees the changed verdicts and blames the jump's rules only. */
	assert_true(r.res.mismatches > 0);
	assert_int_equal(r.res.mismatches_exact, 0);
	run_free(&r);
}

static void
test_jump_noop_is_exact(void **state)
{
	static const char doc[] = "[" POLICY("Environment",
	    RULE("jump", "JUMP_TO_APPLICATION", "\"ANY\"", "\"10.0.0.10\"", "\"/infra/services/SSH\"")) ","
	    POLICY("Application",
	    RULE("app-ssh", "ALLOW", "\"ANY\"", "\"10.0.0.10\"", "\"/infra/services/SSH\"") ","
	    RULE("rest", "DROP", "\"ANY\"", "\"ANY\"", "\"ANY\"")) "]";
	struct run r;

	(void)state;
	run(&r, doc, NSX_ACT_ALLOW);
	assert_int_equal(nsx_report_gaps(r.m), 0);
	assert_int_equal(r.res.mismatches, 0);
	run_free(&r);
}

static void
test_category_order(void **state)
{
	/* Written Application first, but the Emergency DROP is evaluated first. */
	static const char doc[] = "[" POLICY("Application",
	    RULE("allow", "ALLOW", "\"ANY\"", "\"10.0.0.20\"", "\"/infra/services/MySQL\"") ","
	    RULE("rest", "DROP", "\"ANY\"", "\"ANY\"", "\"ANY\"")) ","
	    POLICY("Emergency",
	    RULE("quarantine", "DROP", "\"10.66.0.0/16\"", "\"ANY\"", "\"ANY\"")) "]";
	struct run r;
	struct nsx_flow f = { .dir = NSX_D_INGRESS, .proto = NSX_PROTO_TCP, .port = 3306 };
	const struct nsx_rule *dec;

	(void)state;
	run(&r, doc, NSX_ACT_ALLOW);
	assert_int_equal(r.res.mismatches, 0);
	assert_string_equal(r.m->rules[0]->id, "quarantine");
	assert_int_equal(addr_parse("10.0.0.20", &f.local), 0);
	assert_int_equal(addr_parse("10.66.1.1", &f.remote), 0);
	assert_false(nsx_eval_flow(r.m, NSX_ACT_ALLOW, &f, &dec, NULL));
	assert_string_equal(dec->id, "quarantine");
	assert_int_equal(addr_parse("10.67.1.1", &f.remote), 0);
	assert_true(nsx_eval_flow(r.m, NSX_ACT_ALLOW, &f, &dec, NULL));
	assert_string_equal(dec->id, "allow");
	run_free(&r);
}

/*
 * The bundle read back with the datapath's own parser and evaluated as the
 * datapath does (identity by longest prefix over endpoint addresses and CIDRs, a
 * deny rule wins, then an allow, else the direction's default) gives every
 * inventory workload the NSX verdict.
 */
static uint32_t
bundle_identity(const struct dp_bundle *b, const struct addr *a)
{
	int best = -1;
	uint32_t id = a->family == AF_INET ? 9 : 10;

	for (size_t i = 0; i < b->nendpoints; i++)
		for (size_t k = 0; k < b->endpoints[i].nips; k++)
			if (addr_eq(&b->endpoints[i].ips[k], a))
				return b->endpoints[i].identity;
	for (size_t i = 0; i < b->ncidrs; i++)
		if (prefix_contains_addr(&b->cidrs[i].prefix, a) && b->cidrs[i].prefix.len > best) {
			best = b->cidrs[i].prefix.len;
			id = b->cidrs[i].identity;
		}
	return id;
}

static bool
bundle_eval(const struct dp_bundle *b, const struct dp_bundle_endpoint *ep,
    const struct nsx_flow *f)
{
	uint8_t dir = f->dir == NSX_D_INGRESS ? DP_DIR_INGRESS : DP_DIR_EGRESS;
	uint32_t peer = bundle_identity(b, &f->remote);
	bool allow = false;

	for (size_t i = 0; i < ep->nrules; i++) {
		const struct dp_bundle_rule *r = &ep->rules[i];

		if (r->dir != dir || (r->peer && r->peer != peer) || (r->proto && r->proto != f->proto))
			continue;
		if (!(r->port_lo <= f->port && f->port <= r->port_hi))
			continue;
		if (r->action == DP_ACTION_DENY)
			return false;
		allow = true;
	}
	return allow || !ep->default_deny[dir];
}

static void
bundle_check(struct run *r)
{
	struct nsx_emit_opts eo = { 0 };
	struct dp_bundle *b = NULL;
	struct diag d;
	char *text = NULL, buf[1200];
	size_t len = 0, flows = 0;
	uint64_t st = 12345;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(nsx_emit_bundle(f, r->m, &r->c, &eo), 0);
	fclose(f);
	diag_init(&d, "bundle.json");
	if (dp_bundle_parse(text, len, &b, &d)) {
		diag_format(&d, buf, sizeof(buf));
		fail_msg("%s", buf);
	}
	assert_int_equal(b->nendpoints, r->m->nwl);
	for (size_t e = 0; e < b->nendpoints; e++) {
		const struct dp_bundle_endpoint *ep = &b->endpoints[e];
		static const uint8_t protos[] = { NSX_PROTO_TCP, NSX_PROTO_UDP, NSX_PROTO_ICMP };

		for (int k = 0; k < 3000; k++) {
			struct nsx_flow fl = { .dir = k & 1 };
			const struct nsx_rule *dec;

			st ^= st << 13;
			st ^= st >> 7;
			st ^= st << 17;
			fl.local = ep->ips[0];
			/* Remote: near the rule addresses (10.0.0.x, 10.9.x.x) or anywhere. */
			addr_from_v4(&fl.remote, (uint32_t)(k % 3 == 0 ? 0x0a000000u | (st & 0x3f) :
			    k % 3 == 1 ? 0x0a090000u | (st & 0x1ff) : st >> 20));
			fl.proto = protos[(st >> 40) % 3];
			fl.port = fl.proto == NSX_PROTO_ICMP ? (uint16_t)((st >> 8) % 16) :
			    (uint16_t)(1 + (st >> 8) % 100);
			if (k % 7 == 0)
				fl.port = fl.proto == NSX_PROTO_ICMP ? 8 : 80 + (uint16_t)(k % 13);
			if (nsx_eval_flow(r->m, NSX_ACT_ALLOW, &fl, &dec, NULL) != bundle_eval(b, ep, &fl))
				fail_msg("bundle differs: endpoint %s dir %d remote %08x proto %u port %u",
				    ep->name, fl.dir, addr_to_v4(&fl.remote), fl.proto, fl.port);
			flows++;
		}
	}
	assert_true(flows > 0);
	dp_bundle_free(b);
	free(text);
}

static void
test_bundle_semantics(void **state)
{
	static const char *const docs[] = { allowlist,
	    POLICY("Application",
	    RULE("block", "DROP", "\"10.9.0.0/16\"", "\"10.0.0.10\"", "\"ANY\"") ","
	    RULE("web", "ALLOW", "\"ANY\"", "\"10.0.0.10\"", "\"/infra/services/HTTP\"")),
	    POLICY("Application",
	    RULE("a1", "ALLOW", "\"10.9.1.0/24\"", "\"10.0.0.10\"", "\"/infra/services/HTTP\"") ","
	    RULE("d1", "DROP", "\"10.9.0.0/16\"", "\"10.0.0.10\"", "\"ANY\"") ","
	    RULE("a2", "ALLOW", "\"ANY\"", "\"10.0.0.0/24\"", "\"/infra/services/ICMP-ALL\"") ","
	    RULE("d2", "DROP", "\"ANY\"", "\"ANY\"", "\"ANY\"")) };
	struct run r;

	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		run(&r, docs[i], NSX_ACT_ALLOW);
		bundle_check(&r);
		run_free(&r);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allowlist_trailing_drop),
		cmocka_unit_test(test_injected_mistakes),
		cmocka_unit_test(test_deny_where_needed),
		cmocka_unit_test(test_cells),
		cmocka_unit_test(test_default_allow_minus_ports),
		cmocka_unit_test(test_exclusion_family_default_drop),
		cmocka_unit_test(test_jump_gap),
		cmocka_unit_test(test_jump_noop_is_exact),
		cmocka_unit_test(test_category_order),
		cmocka_unit_test(test_bundle_semantics),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
