// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for ipam's parsers. The first byte picks one: the CNI network
 * config (stdin) with a fixed environment, CNI_ARGS, the pool JSON (whatever it
 * accepts must print and re-parse to the same pool), or the VMware-live list file.
 * None may crash; accepted results must be internally consistent.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipam/cni.h"
#include "ipam/ipam.h"
#include "lib/diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
live_cb(const struct addr *a, const char *vm, void *arg)
{
	(void)arg;
	if ((a->family != AF_INET && a->family != AF_INET6) || strlen(vm) >= IPAM_NAME_MAX)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char cfg[] = "{\"cniVersion\":\"1.0.0\",\"ipam\":{}}";
	struct ipam_cni_env env = { "ADD", "cid", "/run/netns/x", "eth0", NULL, NULL };
	struct ipam_cni_req rq;
	struct ipam_cni_error err;
	struct ipam_pool p, q;
	struct diag d;
	char *text, *j;

	if (size < 1 || size > 8192)
		return 0;
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	diag_init(&d, "fuzz");
	switch (data[0] % 4) {
	case 0:
		if (ipam_cni_parse(&env, text, size - 1, &rq, &err) == 0 && rq.cid[0] == '\0')
			abort();
		if (err.code) {
			j = ipam_cni_error_json(rq.cni_version, &err);
			free(j);
		}
		break;
	case 1:
		env.args = text;
		ipam_cni_parse(&env, cfg, sizeof(cfg) - 1, &rq, &err);
		break;
	case 2:
		if (ipam_pool_parse_json(text, size - 1, &p, &d) == 0) {
			j = ipam_pool_to_json(&p);
			if (!j || ipam_pool_parse_json(j, strlen(j), &q, NULL) != 0 ||
			    !prefix_eq(&p.cidr, &q.cidr) || p.block_len != q.block_len ||
			    p.nexclude != q.nexclude || p.kind != q.kind)
				abort();
			free(j);
		}
		break;
	default:
		ipam_live_file_parse("fuzz", text, size - 1, live_cb, NULL, &d);
		break;
	}
	free(text);
	return 0;
}
