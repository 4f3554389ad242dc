// SPDX-License-Identifier: MIT
/*
 * `cutover observe`: show recent flows and drops of this node's datapath, with
 * filters modelled on `hubble observe`. Reads the pinned flow log after draining
 * the event ring buffer into it (the CLI is the drainer while no daemon is), and
 * with --follow keeps draining and printing. Parsing and printing only; filtering
 * and formatting live in datapath/events.c.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cutover/cli.h"
#include "cmd/cutover/cli_datapath.h"
#include "datapath/datapath.h"

static volatile sig_atomic_t observe_stop;

static void
observe_usage(FILE *out)
{
	fprintf(out,
	    "NAME\n"
	    "    cutover observe - show flows and drops seen by the node's eBPF datapath\n\n"
	    "SYNOPSIS\n"
	    "    cutover observe [--from-pod POD] [--to-pod POD] [--from-ip CIDR]\n"
	    "                    [--to-ip CIDR] [--verdict V] [--protocol P] [--port N]\n"
	    "                    [--last N] [--follow] [-o text|json] [--pin-root DIR]\n\n"
	    "DESCRIPTION\n"
	    "    Prints the most recent flows (default the last 20) that match every given\n"
	    "    filter, oldest first, like hubble observe. A flow is reported when its\n"
	    "    first packet is forwarded and for every dropped or audited packet; each\n"
	    "    line shows time, source and destination (address, port, identity and its\n"
	    "    name), the direction seen at the pod (from-pod / to-pod), how policy\n"
	    "    matched (L3-L4, L4-Only, ...), the verdict (FORWARDED, DROPPED, AUDIT), the\n"
	    "    drop reason (Cilium's names and codes), L4 details and the rule reference.\n"
	    "    Events wait in the datapath's ring buffer until read; observe moves them\n"
	    "    into the pinned flow log (last %d flows), which any later observe lists.\n\n"
	    "OPTIONS\n"
	    "    --from-pod POD   source is endpoint POD (\"namespace/name\" or \"name\")\n"
	    "    --to-pod POD     destination is endpoint POD\n"
	    "    --from-ip CIDR   source address in CIDR (an address means /32 or /128)\n"
	    "    --to-ip CIDR     destination address in CIDR\n"
	    "    --verdict V      FORWARDED, DROPPED or AUDIT\n"
	    "    --protocol P     tcp, udp, icmp, icmpv6, sctp or a number\n"
	    "    --port N         source or destination port (ICMP: type)\n"
	    "    --last N         how many recent flows (1..%d, default 20)\n"
	    "    -f, --follow     keep printing new flows until interrupted\n"
	    "    -o FORMAT        text (default) or json (one object per line)\n"
	    "    --pin-root DIR   bpffs directory (default $%s or %s)\n"
	    "    -h, --help       this text\n\n"
	    "EXIT STATUS\n"
	    "    0 success, 1 failure (no datapath pinned), 2 usage error\n\n"
	    "EXAMPLES\n"
	    "    cutover observe --verdict DROPPED --last 50\n"
	    "    cutover observe --to-pod prod/web-01 --protocol tcp --port 443 -f -o json\n",
	    DP_FLOWLOG_SIZE, DP_FLOWLOG_SIZE, DP_PIN_ROOT_ENV, DP_PIN_ROOT_DEFAULT);
}

struct observe_ctx {
	struct dp		*dp;
	struct dp_flow_filter	 f;
	bool			 json;
	bool			 live;		/* printing from the drain callback */
};

static void
print_record(void *arg, const struct dp_flow_record *r)
{
	struct observe_ctx *c = arg;
	char line[2048];

	if (c->live && !dp_flow_match(&c->f, &r->ev))
		return;
	if (dp_flow_format(c->dp, r, c->json, line, sizeof(line)) == 0)
		printf("%s\n", line);
}

static void
on_signal(int sig)
{
	(void)sig;
	observe_stop = 1;
}

static int
parse_cidr(const char *s, struct prefix *p)
{
	return prefix_parse(s, p, PREFIX_PARSE_NORMALIZE | PREFIX_PARSE_HOST_OK);
}

int
cli_observe(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from-pod", required_argument, NULL, 'F' },
		{ "to-pod", required_argument, NULL, 'T' },
		{ "from-ip", required_argument, NULL, 'a' },
		{ "to-ip", required_argument, NULL, 'b' },
		{ "verdict", required_argument, NULL, 'v' },
		{ "protocol", required_argument, NULL, 'p' },
		{ "port", required_argument, NULL, 'P' },
		{ "last", required_argument, NULL, 'n' },
		{ "follow", no_argument, NULL, 'f' },
		{ "pin-root", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct observe_ctx c = { 0 };
	const char *root = NULL, *from_pod = NULL, *to_pod = NULL;
	struct dp_events *ev;
	long last = 20;
	bool follow = false;
	int opt, rc;

	dp_flow_filter_init(&c.f);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "fho:", opts, NULL)) != -1) {
		char *end;
		uint8_t u8;

		switch (opt) {
		case 'F':
			from_pod = optarg;
			break;
		case 'T':
			to_pod = optarg;
			break;
		case 'a':
		case 'b':
			if (parse_cidr(optarg, opt == 'a' ? &c.f.from_ip : &c.f.to_ip)) {
				fprintf(stderr, "cutover observe: --%s: '%s' is not an address "
				    "or prefix\n", opt == 'a' ? "from-ip" : "to-ip", optarg);
				return CLI_USAGE;
			}
			if (opt == 'a')
				c.f.has_from_ip = true;
			else
				c.f.has_to_ip = true;
			break;
		case 'v':
			if (dp_verdict_parse(optarg, &c.f.verdict)) {
				fprintf(stderr, "cutover observe: --verdict: FORWARDED, DROPPED or "
				    "AUDIT\n");
				return CLI_USAGE;
			}
			break;
		case 'p':
			if (dp_proto_parse(optarg, &u8) || u8 == 0) {
				fprintf(stderr, "cutover observe: --protocol: tcp, udp, icmp, "
				    "icmpv6, sctp or 1..255\n");
				return CLI_USAGE;
			}
			c.f.proto = u8;
			break;
		case 'P':
			c.f.port = (int)strtol(optarg, &end, 10);
			if (*end || !*optarg || c.f.port < 0 || c.f.port > 65535) {
				fprintf(stderr, "cutover observe: --port: 0..65535\n");
				return CLI_USAGE;
			}
			break;
		case 'n':
			last = strtol(optarg, &end, 10);
			if (*end || !*optarg || last < 1 || last > DP_FLOWLOG_SIZE) {
				fprintf(stderr, "cutover observe: --last: 1..%d\n", DP_FLOWLOG_SIZE);
				return CLI_USAGE;
			}
			break;
		case 'f':
			follow = true;
			break;
		case 'o':
			if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
				fprintf(stderr, "cutover observe: -o: text or json\n");
				return CLI_USAGE;
			}
			c.json = !strcmp(optarg, "json");
			break;
		case 'r':
			root = optarg;
			break;
		case 'h':
			observe_usage(stdout);
			return CLI_OK;
		default:
			observe_usage(stderr);
			return CLI_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "cutover observe: unexpected argument '%s'\n", argv[optind]);
		return CLI_USAGE;
	}
	if (cli_dp_open(root, false, NULL, &c.dp))
		return CLI_FAIL;
	rc = CLI_OK;
	if ((from_pod && dp_flow_filter_pod(c.dp, &c.f, true, from_pod)) ||
	    (to_pod && dp_flow_filter_pod(c.dp, &c.f, false, to_pod))) {
		fprintf(stderr, "cutover observe: no endpoint named '%s'\n",
		    from_pod && !c.f.has_from_pod ? from_pod : to_pod);
		dp_close(c.dp);
		return CLI_USAGE;
	}
	/* move what waits into the flow log, then list from there */
	ev = dp_events_open(c.dp, NULL, NULL);
	if (!ev) {
		fprintf(stderr, "cutover observe: event ring buffer: %s\n", strerror(errno));
		dp_close(c.dp);
		return CLI_FAIL;
	}
	if (dp_events_poll(ev, 0) < 0)
		fprintf(stderr, "cutover observe: draining events failed\n");
	dp_events_close(ev);
	if (dp_flows_last(c.dp, &c.f, (size_t)last, print_record, &c) < 0) {
		fprintf(stderr, "cutover observe: reading the flow log failed\n");
		rc = CLI_FAIL;
	}
	fflush(stdout);
	if (follow && rc == CLI_OK) {
		struct sigaction sa = { .sa_handler = on_signal };

		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		c.live = true;
		ev = dp_events_open(c.dp, print_record, &c);
		while (ev && !observe_stop) {
			if (dp_events_poll(ev, 200) < 0 && errno != EINTR)
				break;
			fflush(stdout);
		}
		dp_events_close(ev);
	}
	dp_close(c.dp);
	return rc;
}
