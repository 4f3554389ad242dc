// SPDX-License-Identifier: MIT
/*
 * ipam/cni.c: the CNI codec. Environment and config parsing (every place a
 * requested address can come from, conflicts between them, CNI_ARGS rules), error
 * codes for malformed input, and the shape of results per cniVersion.
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

#include "ipam/cni.h"

static const struct ipam_cni_env env_add = { "ADD", "cid-1", "/run/netns/x", "eth0", NULL,
	"/usr/lib/cni" };

#define CONF(extra) "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"ptp\"," extra \
	"\"ipam\":{\"type\":\"cutover-cni-ipam\",\"pool\":\"seg-web\",\"node\":\"n1\"," \
	"\"store\":\"sqlite:///tmp/x.db\"}}"

static int
parse(const struct ipam_cni_env *env, const char *in, struct ipam_cni_req *rq,
    struct ipam_cni_error *err)
{
	return ipam_cni_parse(env, in, strlen(in), rq, err);
}

static void
test_sources_of_requested_address(void **state)
{
	static const struct {
		const char	*args, *conf, *ip, *vm;
	} cases[] = {
		{ NULL, CONF(""), NULL, NULL },
		{ "IP=10.20.0.15", CONF(""), "10.20.0.15", NULL },
		{ "IP=10.20.0.15/24", CONF(""), "10.20.0.15", NULL },
		{ "IgnoreUnknown=1;K8S_POD_NAME=web;cutover.io/preserve-ip=web-01", CONF(""), NULL,
		  "web-01" },
		{ "CUTOVER_PRESERVE_IP=10.20.0.15", CONF(""), "10.20.0.15", NULL },
		{ NULL, CONF("\"runtimeConfig\":{\"ips\":[\"10.20.0.15/24\"]},"), "10.20.0.15", NULL },
		{ NULL, CONF("\"args\":{\"cni\":{\"ips\":[\"10.20.0.15\"]}},"), "10.20.0.15", NULL },
		{ NULL, CONF("\"args\":{\"cni\":{\"cutover.io/preserve-ip\":\"web-01\"}},"), NULL,
		  "web-01" },
		/* the same address from two places is fine */
		{ "IP=10.20.0.15", CONF("\"runtimeConfig\":{\"ips\":[\"10.20.0.15/24\"]},"),
		  "10.20.0.15", NULL },
	};
	struct ipam_cni_env env = env_add;
	struct ipam_cni_req rq;
	struct ipam_cni_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char ip[ADDR_STRLEN];

		env.args = cases[i].args;
		if (parse(&env, cases[i].conf, &rq, &err))
			fail_msg("case %zu: %s", i, err.details);
		assert_int_equal(rq.cmd, IPAM_CNI_ADD);
		assert_string_equal(rq.pool, "seg-web");
		assert_string_equal(rq.node, "n1");
		assert_string_equal(rq.cid, "cid-1");
		assert_int_equal(rq.has_ip, cases[i].ip != NULL);
		if (cases[i].ip)
			assert_string_equal(addr_format(&rq.ip, ip, sizeof(ip)), cases[i].ip);
		assert_string_equal(rq.vm, cases[i].vm ? cases[i].vm : "");
	}
	env.args = "K8S_POD_NAMESPACE=shop;K8S_POD_NAME=web-01";
	assert_int_equal(parse(&env, CONF(""), &rq, &err), 0);
	assert_string_equal(rq.pod, "shop/web-01");
}

static void
test_errors(void **state)
{
	static const struct {
		const char	*cmd, *cid, *netns, *ifname, *args, *conf;
		int		 code;
		const char	*needle;
	} cases[] = {
		{ NULL, "c", "/n", "eth0", NULL, CONF(""), CNI_ERR_INVALID_ENV, "CNI_COMMAND" },
		{ "ADD", NULL, "/n", "eth0", NULL, CONF(""), CNI_ERR_INVALID_ENV, "CNI_CONTAINERID" },
		{ "ADD", "a/b", "/n", "eth0", NULL, CONF(""), CNI_ERR_INVALID_ENV, "CNI_CONTAINERID" },
		{ "ADD", "c", NULL, "eth0", NULL, CONF(""), CNI_ERR_INVALID_ENV, "CNI_NETNS" },
		{ "ADD", "c", "/n", "", NULL, CONF(""), CNI_ERR_INVALID_ENV, "CNI_IFNAME" },
		{ "ADD", "c", "/n", "eth0", "IP", CONF(""), CNI_ERR_INVALID_ENV, "KEY=VALUE" },
		{ "ADD", "c", "/n", "eth0", "IP=banana", CONF(""), CNI_ERR_INVALID_ENV, "not an IP" },
		{ "ADD", "c", "/n", "eth0", "X=1", CONF(""), CNI_ERR_UNSUPPORTED_FIELD, "IgnoreUnknown" },
		{ "ADD", "c", "/n", "eth0", "IP=10.20.0.15",
		  CONF("\"runtimeConfig\":{\"ips\":[\"10.20.0.16\"]},"), CNI_ERR_INVALID_CONFIG,
		  "conflicts" },
		{ "ADD", "c", "/n", "eth0", NULL, "", CNI_ERR_DECODE, "end of input" },
		{ "ADD", "c", "/n", "eth0", NULL, "{} x", CNI_ERR_DECODE, "trailing" },
		{ "ADD", "c", "/n", "eth0", NULL, "[]", CNI_ERR_DECODE, "object" },
		{ "ADD", "c", "/n", "eth0", NULL, "{\"name\":\"n\"}", CNI_ERR_INVALID_CONFIG,
		  "cniVersion" },
		{ "ADD", "c", "/n", "eth0", NULL, "{\"cniVersion\":\"0.2.0\",\"ipam\":{}}",
		  CNI_ERR_INCOMPATIBLE_VERSION, "0.2.0" },
		{ "ADD", "c", "/n", "eth0", NULL, "{\"cniVersion\":\"1.0.0\",\"ipam\":[]}",
		  CNI_ERR_INVALID_CONFIG, "$.ipam" },
		{ "ADD", "c", "/n", "eth0", NULL,
		  "{\"cniVersion\":\"1.0.0\",\"ipam\":{\"store\":\"redis://x\"}}",
		  CNI_ERR_INVALID_CONFIG, "$.ipam.store" },
		{ "ADD", "c", "/n", "eth0", NULL,
		  "{\"cniVersion\":\"1.0.0\",\"ipam\":{\"pool\":7}}", CNI_ERR_INVALID_CONFIG,
		  "$.ipam.pool" },
		{ "ADD", "c", "/n", "eth0", NULL, CONF("\"runtimeConfig\":{\"ips\":\"x\"},"),
		  CNI_ERR_INVALID_CONFIG, "runtimeConfig.ips" },
		{ "CHECK", "c", "/n", "eth0", NULL, CONF("\"prevResult\":{\"ips\":[{}]},"),
		  CNI_ERR_INVALID_CONFIG, "prevResult.ips[0]" },
	};
	struct ipam_cni_req rq;
	struct ipam_cni_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ipam_cni_env env = { cases[i].cmd, cases[i].cid, cases[i].netns,
			cases[i].ifname, cases[i].args, NULL };
		char *j;

		assert_int_equal(parse(&env, cases[i].conf, &rq, &err), -EINVAL);
		if (err.code != cases[i].code || !strstr(err.details, cases[i].needle))
			fail_msg("case %zu: code %d details '%s'", i, err.code, err.details);
		j = ipam_cni_error_json(rq.cni_version, &err);
		assert_non_null(strstr(j, "\"code\":"));
		assert_non_null(strstr(j, "\"msg\":"));
		free(j);
	}
}

static void
test_del_and_version(void **state)
{
	struct ipam_cni_env env = { "DEL", "c", NULL, "eth0", NULL, NULL };
	struct ipam_cni_req rq;
	struct ipam_cni_error err;
	char *j;

	(void)state;
	/* DEL needs no netns (the runtime may have lost it) */
	assert_int_equal(parse(&env, CONF(""), &rq, &err), 0);
	assert_int_equal(rq.cmd, IPAM_CNI_DEL);
	env = (struct ipam_cni_env){ "VERSION", NULL, NULL, NULL, NULL, NULL };
	assert_int_equal(parse(&env, "{\"cniVersion\":\"0.4.0\"}", &rq, &err), 0);
	assert_int_equal(rq.cmd, IPAM_CNI_VERSION);
	j = ipam_cni_version_json(rq.cni_version);
	assert_non_null(strstr(j, "\"supportedVersions\""));
	assert_non_null(strstr(j, "\"1.0.0\""));
	free(j);
	env.command = "CHECK";
	env.containerid = "c";
	env.netns = "/n";
	env.ifname = "eth0";
	assert_int_equal(parse(&env, CONF("\"prevResult\":{\"ips\":[{\"address\":"
	    "\"10.20.0.15/24\"}]},"), &rq, &err), 0);
	assert_int_equal(rq.nprev, 1);
}

static void
test_result_shape(void **state)
{
	struct ipam_lease le;
	struct ipam_pool pool;
	char *j;

	(void)state;
	memset(&le, 0, sizeof(le));
	ipam_pool_init(&pool, IPAM_POOL_LEGACY);
	assert_int_equal(addr_parse("10.20.0.15", &le.ip), 0);
	assert_int_equal(prefix_parse("10.20.0.0/24", &le.subnet, 0), 0);
	assert_int_equal(addr_parse("10.20.0.1", &le.gateway), 0);
	le.has_gateway = true;
	j = ipam_cni_result("1.0.0", &le, &pool);
	assert_non_null(strstr(j, "\"address\":\"10.20.0.15/24\""));
	assert_non_null(strstr(j, "\"gateway\":\"10.20.0.1\""));
	assert_non_null(strstr(j, "\"dst\":\"0.0.0.0/0\""));
	assert_null(strstr(j, "\"version\""));
	free(j);
	/* 0.3.x/0.4.0 results carry the IP version */
	j = ipam_cni_result("0.4.0", &le, &pool);
	assert_non_null(strstr(j, "\"version\":\"4\""));
	assert_non_null(strstr(j, "\"cniVersion\":\"0.4.0\""));
	free(j);
	assert_int_equal(ipam_cni_code_of(-ENOSPC), CNI_ERR_NO_ADDRESS);
	assert_int_equal(ipam_cni_code_of(-EADDRINUSE), CNI_ERR_ADDRESS_UNAVAILABLE);
	assert_int_equal(ipam_cni_code_of(-EAGAIN), CNI_ERR_TRY_AGAIN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sources_of_requested_address),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_del_and_version),
		cmocka_unit_test(test_result_shape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
