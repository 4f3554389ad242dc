// SPDX-License-Identifier: MIT
/*
 * bench_nsx_gen: writes a large synthetic NSX-T Policy export (H-API Infra tree)
 * and a matching inventory, for the nsx-import benchmark:
 *   bench_nsx_gen GROUPS RULES WORKLOADS EXPORT.json INVENTORY.json [SEED]
 * Groups are IP groups (/28 blocks, some ranges and nested groups); rules are
 * spread over policies in all four L3 categories, mostly ALLOW on one or two TCP/UDP
 * ports or ranges, about 2% DROP, each policy ending in an allow-list style DROP to
 * its groups; workloads take addresses inside the groups. Deterministic per seed.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long st = 88172645463325252ULL;

static unsigned
rnd(unsigned n)
{
	st ^= st << 13;
	st ^= st >> 7;
	st ^= st << 17;
	return (unsigned)(st % n);
}

/* Group g covers 10.a.b.(c*16)/28 with a, b, c from g. */
static void
group_block(unsigned g, unsigned *a, unsigned *b, unsigned *c)
{
	*a = 16 + g / 4096;
	*b = (g / 16) % 256;
	*c = g % 16;
}

int
main(int argc, char **argv)
{
	static const char *const cats[] = { "Emergency", "Infrastructure", "Environment",
		"Application" };
	unsigned groups, rules, wls, per_policy = 500;
	FILE *f, *inv;

	if (argc < 6) {
		fprintf(stderr, "usage: bench_nsx_gen GROUPS RULES WORKLOADS EXPORT.json "
		    "INVENTORY.json [SEED]\n");
		return 2;
	}
	groups = (unsigned)strtoul(argv[1], NULL, 10);
	rules = (unsigned)strtoul(argv[2], NULL, 10);
	wls = (unsigned)strtoul(argv[3], NULL, 10);
	if (argc > 6)
		st ^= strtoull(argv[6], NULL, 10) * 2654435761ULL;
	if (!groups || !rules || groups > 65536) {
		fprintf(stderr, "bench_nsx_gen: 1 <= GROUPS <= 65536, RULES >= 1\n");
		return 2;
	}
	f = fopen(argv[4], "w");
	inv = fopen(argv[5], "w");
	if (!f || !inv) {
		perror("bench_nsx_gen");
		return 1;
	}
	fprintf(f, "{\"resource_type\": \"Infra\", \"id\": \"infra\", \"children\": [\n");
	fprintf(f, "{\"resource_type\": \"ChildService\", \"Service\": {\"resource_type\": "
	    "\"Service\", \"id\": \"app-range\", \"service_entries\": [{\"resource_type\": "
	    "\"L4PortSetServiceEntry\", \"id\": \"e\", \"l4_protocol\": \"TCP\", "
	    "\"destination_ports\": [\"8000-8099\", \"9443\"]}]}},\n");
	fprintf(f, "{\"resource_type\": \"ChildDomain\", \"Domain\": {\"resource_type\": "
	    "\"Domain\", \"id\": \"default\", \"children\": [\n");
	for (unsigned g = 0; g < groups; g++) {
		unsigned a, b, c;

		group_block(g, &a, &b, &c);
		fprintf(f, "{\"resource_type\": \"ChildGroup\", \"Group\": {\"resource_type\": "
		    "\"Group\", \"id\": \"g%u\", \"expression\": [", g);
		if (g % 50 == 49) {
			/* Nested group: this block OR the previous group. */
			fprintf(f, "{\"resource_type\": \"IPAddressExpression\", \"ip_addresses\": "
			    "[\"10.%u.%u.%u/28\"]}, {\"resource_type\": \"ConjunctionOperator\", "
			    "\"conjunction_operator\": \"OR\"}, {\"resource_type\": \"PathExpression\", "
			    "\"paths\": [\"/infra/domains/default/groups/g%u\"]}", a, b, c * 16, g - 1);
		} else if (g % 10 == 3) {
			fprintf(f, "{\"resource_type\": \"IPAddressExpression\", \"ip_addresses\": "
			    "[\"10.%u.%u.%u-10.%u.%u.%u\", \"fd00:%x:%x::/120\"]}", a, b, c * 16, a, b,
			    c * 16 + 15, a, g);
		} else {
			fprintf(f, "{\"resource_type\": \"IPAddressExpression\", \"ip_addresses\": "
			    "[\"10.%u.%u.%u/28\"]}", a, b, c * 16);
		}
		fprintf(f, "]}},\n");
	}
	for (unsigned r = 0, p = 0; r < rules; p++) {
		unsigned n = rules - r < per_policy ? rules - r : per_policy;
		unsigned dst0 = rnd(groups);

		fprintf(f, "{\"resource_type\": \"ChildSecurityPolicy\", \"SecurityPolicy\": {"
		    "\"resource_type\": \"SecurityPolicy\", \"id\": \"p%u\", \"category\": \"%s\", "
		    "\"sequence_number\": %u, \"children\": [\n", p, cats[p % 4], p);
		for (unsigned k = 0; k < n; k++, r++) {
			unsigned src = rnd(groups), dst = (dst0 + rnd(8)) % groups;
			bool last = k == n - 1;
			const char *act = last ? "DROP" : rnd(50) == 0 ? "DROP" : "ALLOW";

			fprintf(f, "{\"resource_type\": \"ChildRule\", \"Rule\": {\"resource_type\": "
			    "\"Rule\", \"id\": \"r%u\", \"sequence_number\": %u, \"action\": \"%s\", ",
			    r, k, act);
			if (last) {
				fprintf(f, "\"source_groups\": [\"ANY\"], \"destination_groups\": "
				    "[\"/infra/domains/default/groups/g%u\"], \"services\": [\"ANY\"]",
				    dst0);
			} else {
				fprintf(f, "\"source_groups\": [\"/infra/domains/default/groups/g%u\"], "
				    "\"destination_groups\": [\"/infra/domains/default/groups/g%u\"], ",
				    src, dst);
				switch (rnd(4)) {
				case 0:
					fprintf(f, "\"services\": [\"/infra/services/HTTPS\"]");
					break;
				case 1:
					fprintf(f, "\"services\": [\"/infra/services/app-range\"]");
					break;
				default:
					fprintf(f, "\"services\": [], \"service_entries\": [{\"resource_type\": "
					    "\"L4PortSetServiceEntry\", \"id\": \"e\", \"l4_protocol\": \"%s\", "
					    "\"destination_ports\": [\"%u\"]}]", rnd(3) ? "TCP" : "UDP",
					    1024 + rnd(30000));
				}
			}
			fprintf(f, ", \"direction\": \"IN\"}}%s\n", last ? "" : ",");
		}
		fprintf(f, "]}}%s\n", r < rules ? "," : "");
	}
	fprintf(f, "]}}]}\n");
	fprintf(inv, "{\"workloads\": [\n");
	for (unsigned w = 0; w < wls; w++) {
		unsigned a, b, c;

		group_block(rnd(groups), &a, &b, &c);
		fprintf(inv, "{\"name\": \"vm-%u\", \"ips\": [\"10.%u.%u.%u\"], \"labels\": "
		    "{\"app\": \"a%u\"}}%s\n", w, a, b, c * 16 + 1 + w % 14, w % 97,
		    w + 1 < wls ? "," : "");
	}
	fprintf(inv, "]}\n");
	if (fclose(f) || fclose(inv)) {
		perror("bench_nsx_gen");
		return 1;
	}
	return 0;
}
