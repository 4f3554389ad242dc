// SPDX-License-Identifier: MIT
/*
 * `cutover policy`: apply a policy bundle to this node's datapath by diff, show what
 * the maps hold, print the datapath counters, unload the datapath. Operates on the
 * pinned BPF maps directly (loading and pinning the programs on first use); the
 * datapath library does the work, this file parses arguments and prints.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <bpf/bpf.h>
#include <json-c/json.h>

#include "cmd/cutover/cli.h"
#include "cmd/cutover/cli_datapath.h"
#include "datapath/datapath.h"
#include "lib/ctl.h"
#include "lib/log.h"

static void
policy_usage(FILE *out)
{
	fprintf(out,
	    "NAME\n"
	    "    cutover policy - apply and inspect the node's eBPF policy datapath\n\n"
	    "SYNOPSIS\n"
	    "    cutover policy apply [--pin-root DIR] [--policy-max N] [--events-all]\n"
	    "                         [--attach auto|tcx|clsact] BUNDLE\n"
	    "    cutover policy check BUNDLE\n"
	    "    cutover policy show [--pin-root DIR] [--endpoint ID] [-o text|json]\n"
	    "    cutover policy metrics [--pin-root DIR]\n"
	    "    cutover policy unload [--pin-root DIR]\n\n"
	    "DESCRIPTION\n"
	    "    apply reads a policy bundle (JSON, format in docs/datapath.md; \"-\" reads\n"
	    "    stdin), loads and pins the datapath under the pin root if nothing is pinned\n"
	    "    there yet (otherwise adopts what is pinned, without reloading), and makes\n"
	    "    the maps equal to the bundle by diff: only entries that differ are written,\n"
	    "    so changing one rule costs a few map operations and never a reload.\n"
	    "    When cutoverd runs (and no --pin-root/--policy-max/--events-all/--attach is\n"
	    "    given) the bundle goes to it (POST /v1/policy) instead.\n"
	    "    Endpoints with an \"interface\" present in this network namespace get the\n"
	    "    tc programs attached (veth ingress: from-pod, egress: to-pod) as pinned tcx\n"
	    "    links when the kernel has tcx, else as filters on a clsact qdisc; show\n"
	    "    prints which (\"attach tcx\" or \"attach clsact\").\n"
	    "    check parses and compiles a bundle without touching the datapath and prints\n"
	    "    the map entries it would need per endpoint.\n"
	    "    show prints endpoints, ipcache and per-endpoint policy entries (decoded from\n"
	    "    Cilium's LPM layout back into peer, protocol, port range, action, rule),\n"
	    "    with the packets each entry matched.\n"
	    "    metrics prints the datapath counters in Prometheus text format.\n"
	    "    unload detaches the programs from every endpoint interface in this network\n"
	    "    namespace and removes every pin (traffic then flows unfiltered).\n\n"
	    "OPTIONS\n"
	    "    --pin-root DIR   bpffs directory (default $%s or %s)\n"
	    "    --policy-max N   entries per endpoint policy map when loading (default %d)\n"
	    "    --events-all     when loading: an event for every forwarded packet, not only\n"
	    "                     for new flows and drops\n"
	    "    --attach MODE    auto (default: keep an interface's mode, new ones tcx when\n"
	    "                     the kernel has it), tcx or clsact (switch interfaces to it)\n"
	    "    --endpoint ID    show one endpoint only\n"
	    "    -o FORMAT        text (default) or json\n"
	    "    -h, --help       this text\n\n"
	    "ENVIRONMENT\n"
	    "    CUTOVER_SOCKET   cutoverd's control socket (default %s)\n"
	    "    %s  pin root (default %s)\n"
	    "    %s  attach mode when --attach is not given\n\n"
	    "EXIT STATUS\n"
	    "    0 success, 1 failure, 2 usage or bundle error\n\n"
	    "EXAMPLES\n"
	    "    cutover policy apply node-1.bundle.json\n"
	    "    cutover policy show --endpoint 835\n",
	    DP_PIN_ROOT_ENV, DP_PIN_ROOT_DEFAULT, DP_POLICY_MAP_SIZE, CTL_SOCKET_DEFAULT,
	    DP_PIN_ROOT_ENV, DP_PIN_ROOT_DEFAULT, DP_ATTACH_ENV);
}

static int
print_diag(const char *what, const struct diag *d, int rc)
{
	char msg[1024];

	if (d->set) {
		diag_format(d, msg, sizeof(msg));
		fprintf(stderr, "cutover %s: %s\n", what, msg);
	} else {
		fprintf(stderr, "cutover %s: %s\n", what, strerror(-rc));
	}
	return CLI_FAIL;
}

int
cli_dp_open(const char *pin_root, bool load, const struct dp_opts *extra, struct dp **dp)
{
	struct dp_opts o = { 0 };
	struct diag d;
	int rc;

	if (extra)
		o = *extra;
	o.pin_root = pin_root;
	o.no_load = !load;
	diag_init(&d, NULL);
	rc = dp_open(&o, dp, &d);
	if (rc)
		return print_diag("datapath", &d, rc);
	return 0;
}

/* POST the bundle to cutoverd. CLI_* when the daemon answered, -1 when none runs. */
static int
policy_apply_daemon(const char *file, const struct dp_bundle *b)
{
	json_object *body = json_object_from_file(file), *out = NULL, *v;
	struct diag d;
	int status, rc;

	if (!body)
		return -1;	/* stdin or unreadable twice: apply directly */
	diag_init(&d, NULL);
	rc = ctl_call(ctl_socket_path(), "POST", "/v1/policy", body, 60000, &status, &out, &d);
	json_object_put(body);
	if (rc == -ENOENT || rc == -ECONNREFUSED)
		return -1;
	if (rc) {
		fprintf(stderr, "cutover policy apply: cutoverd: %s\n", d.set ? d.msg :
		    strerror(-rc));
		return CLI_FAIL;
	}
	if (status != 200) {
		char msg[1024];

		ctl_error_text(out, msg, sizeof(msg));
		fprintf(stderr, "cutover policy apply: cutoverd: %s\n", msg);
		json_object_put(out);
		return status == 400 ? CLI_USAGE : CLI_FAIL;
	}
#define G(k) (json_object_object_get_ex(out, k, &v) ? json_object_get_int64(v) : 0)
	printf("applied %s via cutoverd: %zu endpoints, %zu identities, %zu CIDRs\n", file,
	    b->nendpoints, b->nidentities, b->ncidrs);
	printf("  policy entries +%lld -%lld, maps +%lld -%lld, ipcache +%lld -%lld, "
	    "endpoints +%lld -%lld, names +%lld -%lld, attached %lld\n",
	    (long long)G("policy_put"), (long long)G("policy_del"),
	    (long long)G("maps_created"), (long long)G("maps_dropped"),
	    (long long)G("ipcache_put"), (long long)G("ipcache_del"),
	    (long long)G("endpoint_put"), (long long)G("endpoint_del"),
	    (long long)G("names_put"), (long long)G("names_del"), (long long)G("attached"));
#undef G
	json_object_put(out);
	return CLI_OK;
}

static int
policy_apply(const char *root, const struct dp_opts *lo, const char *file)
{
	struct dp_bundle *b;
	struct dp_sync_stats st;
	struct diag d;
	struct dp *dp;
	int rc;

	diag_init(&d, NULL);
	rc = dp_bundle_load(file, &b, &d);
	if (rc) {
		print_diag("policy apply", &d, rc);
		return CLI_USAGE;
	}
	/* the daemon owns the datapath while it runs (bodies up to the API's limit) */
	if (!root && !lo->policy_max && !lo->events_established && !lo->attach &&
	    strcmp(file, "-")) {
		struct stat fst;

		if (stat(file, &fst) == 0 && (size_t)fst.st_size < CTL_BODY_MAX) {
			rc = policy_apply_daemon(file, b);
			if (rc >= 0) {
				dp_bundle_free(b);
				return rc;
			}
		}
	}
	if (cli_dp_open(root, true, lo, &dp)) {
		dp_bundle_free(b);
		return CLI_FAIL;
	}
	diag_init(&d, NULL);
	rc = dp_sync(dp, b, &st, &d);
	if (rc) {
		print_diag("policy apply", &d, rc);
	} else {
		printf("applied %s: %zu endpoints, %zu identities, %zu CIDRs\n", file,
		    b->nendpoints, b->nidentities, b->ncidrs);
		printf("  policy entries +%zu -%zu, maps +%zu -%zu, ipcache +%zu -%zu, "
		    "endpoints +%zu -%zu, names +%zu -%zu, attached %zu%s\n",
		    st.policy_put, st.policy_del, st.maps_created, st.maps_dropped,
		    st.ipcache_put, st.ipcache_del, st.endpoint_put, st.endpoint_del,
		    st.names_put, st.names_del, st.attached,
		    dp_adopted(dp) ? "" : " (datapath loaded)");
	}
	dp_bundle_free(b);
	dp_close(dp);
	return rc ? CLI_FAIL : CLI_OK;
}

static int
policy_check(const char *file)
{
	struct dp_bundle *b;
	struct diag d;
	size_t total = 0;
	int rc;

	diag_init(&d, NULL);
	rc = dp_bundle_load(file, &b, &d);
	if (rc) {
		print_diag("policy check", &d, rc);
		return CLI_USAGE;
	}
	for (size_t i = 0; i < b->nendpoints; i++) {
		struct dp_pentry *v;
		long n = dp_compile_endpoint(&b->endpoints[i], &v);

		if (n < 0) {
			fprintf(stderr, "cutover policy check: endpoint %u: %s\n",
			    b->endpoints[i].id, strerror((int)-n));
			dp_bundle_free(b);
			return CLI_FAIL;
		}
		printf("endpoint %u %s: %zu rules -> %ld policy entries%s\n", b->endpoints[i].id,
		    b->endpoints[i].name, b->endpoints[i].nrules, n,
		    n > DP_POLICY_MAP_SIZE ? " (more than the default map size)" : "");
		total += (size_t)n;
		free(v);
	}
	printf("%s: valid; %zu identities, %zu CIDRs, %zu endpoints, %zu policy entries\n",
	    file, b->nidentities, b->ncidrs, b->nendpoints, total);
	dp_bundle_free(b);
	return CLI_OK;
}

/* Port range covered by a key's protocol/port prefix. */
static void
key_ports(const struct dp_policy_key *k, unsigned *lo, unsigned *hi)
{
	unsigned bits = k->prefixlen - DP_POLICY_STATIC_PREFIX;

	if (bits <= DP_POLICY_PROTO_BITS) {
		*lo = 0;
		*hi = 65535;
		return;
	}
	bits -= DP_POLICY_PROTO_BITS;
	*lo = ntohs(k->dport);
	*hi = *lo + (1u << (16 - bits)) - 1;
}

struct show_ctx {
	struct dp	*dp;
	bool		 json;
	bool		 first;
};

static void
show_endpoint_policy(struct show_ctx *c, uint32_t ep_id)
{
	int fd = dp_policy_map(c->dp, ep_id, false);
	struct dp_policy_key k, next;
	struct dp_policy_entry v;
	bool first = true, firstj = true;

	if (fd < 0) {
		if (!c->json)
			printf("    (no policy map)\n");
		return;
	}
	while (bpf_map_get_next_key(fd, first ? NULL : &k, &next) == 0) {
		struct dp_name rn, pn;
		char pbuf[8], ports[16] = "any";
		unsigned lo, hi;

		first = false;
		k = next;
		if (bpf_map_lookup_elem(fd, &k, &v))
			continue;
		if (k.prefixlen == DP_POLICY_FULL_PREFIX) {
			/* full-length entries are matched (and counted) in the exact index */
			struct dp_policy_exact_key xk = { .ep_id = ep_id, .sec_label = k.sec_label,
			    .egress = k.egress, .protocol = k.protocol, .dport = k.dport };
			struct dp_policy_entry xv;

			if (bpf_map_lookup_elem(dp_map_fd(c->dp, "dp_policy_exact"), &xk, &xv) == 0) {
				v.packets += xv.packets;
				v.bytes += xv.bytes;
			}
		}
		key_ports(&k, &lo, &hi);
		if (k.prefixlen > DP_POLICY_STATIC_PREFIX + DP_POLICY_PROTO_BITS)
			snprintf(ports, sizeof(ports), lo == hi ? "%u" : "%u-%u", lo, hi);
		if (!v.rule_id || dp_name_get(c->dp, DP_NAME_RULE, v.rule_id, &rn))
			rn.name[0] = '\0';
		if (!k.sec_label || dp_name_get(c->dp, DP_NAME_IDENTITY, k.sec_label, &pn))
			snprintf(pn.name, sizeof(pn.name), "%s", k.sec_label ? "" : "any");
		if (c->json) {
			printf("%s{\"direction\":\"%s\",\"peer\":%u,\"peer_name\":\"%s\","
			    "\"protocol\":\"%s\",\"ports\":\"%s\",\"action\":\"%s\",\"rule\":\"%s\","
			    "\"prefixlen\":%u,\"packets\":%" PRIu64 ",\"bytes\":%" PRIu64 "}",
			    firstj ? "" : ",", k.egress ? "egress" : "ingress", k.sec_label,
			    pn.name, dp_proto_name(k.protocol, pbuf, sizeof(pbuf)), ports,
			    v.flags & DP_POLICY_F_DENY ? "deny" : "allow", rn.name, k.prefixlen,
			    (uint64_t)v.packets, (uint64_t)v.bytes);
			firstj = false;
		} else {
			printf("    %-7s %-8s peer %-9u %-20s %-6s %-11s %-30s %" PRIu64 " pkts\n",
			    k.egress ? "egress" : "ingress",
			    v.flags & DP_POLICY_F_DENY ? "DENY" : "allow", k.sec_label, pn.name,
			    dp_proto_name(k.protocol, pbuf, sizeof(pbuf)), ports,
			    rn.name[0] ? rn.name : "-", (uint64_t)v.packets);
		}
	}
}

static int
policy_show(const char *root, long only, bool json)
{
	struct show_ctx c = { .json = json, .first = true };
	int fd;
	uint32_t ep, next;
	bool first = true, any = false;

	if (cli_dp_open(root, false, NULL, &c.dp))
		return CLI_FAIL;
	if (json)
		printf("{\"pin_root\":\"%s\",\"endpoints\":[", dp_pin_root(&(struct dp_opts){
		    .pin_root = root }));
	else
		printf("datapath pinned at %s\n", dp_pin_root(&(struct dp_opts){ .pin_root = root }));
	/* every endpoint with a policy map, attached or not */
	fd = dp_map_fd(c.dp, "dp_policy");
	while (bpf_map_get_next_key(fd, first ? NULL : &ep, &next) == 0) {
		struct dp_name n;
		char ifname[IF_NAMESIZE] = "-", a4[INET_ADDRSTRLEN] = "", a6[INET6_ADDRSTRLEN] = "";
		struct dp_endpoint epv = { 0 };
		uint32_t ifx = 0, inext;
		bool f2 = true, attached = false;
		const char *how = "";
		int efd = dp_map_fd(c.dp, "dp_endpoints");

		first = false;
		ep = next;
		if (only >= 0 && ep != (uint32_t)only)
			continue;
		any = true;
		while (bpf_map_get_next_key(efd, f2 ? NULL : &ifx, &inext) == 0) {
			struct dp_endpoint v;

			f2 = false;
			ifx = inext;
			if (bpf_map_lookup_elem(efd, &ifx, &v) == 0 && v.ep_id == ep) {
				epv = v;
				attached = true;
				if (!if_indextoname(ifx, ifname))
					snprintf(ifname, sizeof(ifname), "#%u", ifx);
				break;
			}
		}
		if (attached) {
			int m = dp_attach_mode(c.dp, (int)ifx);

			how = m == -EEXIST ? "tcx+clsact" : m < 0 ? "" : dp_attach_mode_str(m);
		}
		if (dp_name_get(c.dp, DP_NAME_ENDPOINT, ep, &n))
			snprintf(n.name, sizeof(n.name), "?");
		if (n.has4)
			inet_ntop(AF_INET, n.addr4, a4, sizeof(a4));
		if (n.has6)
			inet_ntop(AF_INET6, n.addr6, a6, sizeof(a6));
		if (json) {
			printf("%s{\"id\":%u,\"name\":\"%s\",\"interface\":\"%s\",\"attached\":%s,"
			    "\"identity\":%u,\"mode\":\"%s\",\"attach\":\"%s\",\"ipv4\":\"%s\","
			    "\"ipv6\":\"%s\",\"entries\":[", c.first ? "" : ",", ep, n.name, ifname,
			    attached ? "true" : "false", epv.identity,
			    !attached ? "" : epv.mode == DP_MODE_AUDIT ? "audit" : "enforce", how,
			    a4, a6);
			show_endpoint_policy(&c, ep);
			printf("]}");
			c.first = false;
		} else {
			printf("endpoint %u %s  interface %s  identity %u  mode %s%s%s  %s %s\n",
			    ep, n.name, ifname, epv.identity, !attached ? "(not attached)" :
			    epv.mode == DP_MODE_AUDIT ? "audit" : "enforce", how[0] ? "  attach " : "",
			    how, a4, a6);
			show_endpoint_policy(&c, ep);
		}
	}
	if (json) {
		printf("]}\n");
	} else {
		int ifd = dp_map_fd(c.dp, "dp_ipcache");
		struct dp_ipcache_key k, kn;
		size_t nip = 0;
		bool f3 = true;

		while (bpf_map_get_next_key(ifd, f3 ? NULL : &k, &kn) == 0) {
			f3 = false;
			k = kn;
			nip++;
		}
		printf("ipcache: %zu entries\n", nip);
	}
	dp_close(c.dp);
	if (only >= 0 && !any) {
		fprintf(stderr, "cutover policy show: no endpoint %ld\n", only);
		return CLI_FAIL;
	}
	return CLI_OK;
}

static int
policy_metrics(const char *root)
{
	struct dp *dp;
	char *text;

	if (cli_dp_open(root, false, NULL, &dp))
		return CLI_FAIL;
	text = dp_metrics_prometheus(dp);
	if (text)
		fputs(text, stdout);
	free(text);
	dp_close(dp);
	return text ? CLI_OK : CLI_FAIL;
}

static int
policy_unload(const char *root)
{
	struct dp *dp;
	struct diag d;
	uint32_t ifx, next;
	bool first = true;
	int fd, rc, n = 0;
	char path[4096];

	if (cli_dp_open(root, false, NULL, &dp))
		return CLI_FAIL;
	fd = dp_map_fd(dp, "dp_endpoints");
	while (bpf_map_get_next_key(fd, first ? NULL : &ifx, &next) == 0) {
		first = false;
		ifx = next;
		diag_init(&d, NULL);
		if (dp_detach(dp, (int)ifx, &d) == 0)
			n++;
	}
	snprintf(path, sizeof(path), "%s", dp_pin_root(&(struct dp_opts){ .pin_root = root }));
	dp_close(dp);
	diag_init(&d, NULL);
	rc = dp_unpin(path, &d);
	if (rc)
		return print_diag("policy unload", &d, rc);
	printf("detached from %d interfaces, removed %s\n", n, path);
	return CLI_OK;
}

int
cli_policy(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pin-root", required_argument, NULL, 'r' },
		{ "policy-max", required_argument, NULL, 'm' },
		{ "events-all", no_argument, NULL, 'a' },
		{ "endpoint", required_argument, NULL, 'e' },
		{ "attach", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct dp_opts lo = { 0 };
	const char *root = NULL, *action;
	long only = -1;
	bool json = false;
	int c;

	if (argc < 2) {
		policy_usage(stderr);
		return CLI_USAGE;
	}
	action = argv[1];
	if (!strcmp(action, "--help") || !strcmp(action, "-h")) {
		policy_usage(stdout);
		return CLI_OK;
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		char *end;

		switch (c) {
		case 'r':
			root = optarg;
			break;
		case 'm':
			lo.policy_max = (uint32_t)strtoul(optarg, &end, 10);
			if (*end || lo.policy_max < 16 || lo.policy_max > (1u << 24)) {
				fprintf(stderr, "cutover policy: --policy-max: 16..16777216\n");
				return CLI_USAGE;
			}
			break;
		case 'a':
			lo.events_established = true;
			break;
		case 't':
			if (dp_attach_mode_parse(optarg, &lo.attach)) {
				fprintf(stderr, "cutover policy: --attach: auto, tcx or clsact\n");
				return CLI_USAGE;
			}
			break;
		case 'e':
			only = strtol(optarg, &end, 10);
			if (*end || only < 1 || only > DP_EP_ID_MAX) {
				fprintf(stderr, "cutover policy: --endpoint: an id 1..%d\n",
				    DP_EP_ID_MAX);
				return CLI_USAGE;
			}
			break;
		case 'o':
			if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
				fprintf(stderr, "cutover policy: -o: text or json\n");
				return CLI_USAGE;
			}
			json = !strcmp(optarg, "json");
			break;
		case 'h':
			policy_usage(stdout);
			return CLI_OK;
		default:
			policy_usage(stderr);
			return CLI_USAGE;
		}
	}
	if (!strcmp(action, "check")) {
		if (optind != argc - 1) {
			fprintf(stderr, "cutover policy check: one BUNDLE file expected\n");
			return CLI_USAGE;
		}
		return policy_check(argv[optind]);
	}
	if (!strcmp(action, "apply")) {
		if (optind != argc - 1) {
			fprintf(stderr, "cutover policy apply: one BUNDLE file expected\n");
			return CLI_USAGE;
		}
		return policy_apply(root, &lo, argv[optind]);
	}
	if (optind != argc) {
		fprintf(stderr, "cutover policy %s: unexpected argument '%s'\n", action,
		    argv[optind]);
		return CLI_USAGE;
	}
	if (!strcmp(action, "show"))
		return policy_show(root, only, json);
	if (!strcmp(action, "metrics"))
		return policy_metrics(root);
	if (!strcmp(action, "unload"))
		return policy_unload(root);
	fprintf(stderr, "cutover policy: unknown action '%s' (apply, check, show, metrics, unload)\n",
	    action);
	return CLI_USAGE;
}
