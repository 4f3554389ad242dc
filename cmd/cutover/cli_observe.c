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
#include <unistd.h>

#include <json-c/json.h>

#include "cmd/cutover/cli.h"
#include "cmd/cutover/cli_datapath.h"
#include "datapath/datapath.h"
#include "lib/ctl.h"

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
	    "    --pin-root DIR   bpffs directory (default $%s or %s); implies --direct\n"
	    "    --direct         read the pinned maps even when cutoverd runs (then the\n"
	    "                     daemon, which drains the events, is asked by default)\n"
	    "    -h, --help       this text\n\n"
	    "ENVIRONMENT\n"
	    "    CUTOVER_SOCKET   cutoverd's control socket (default %s)\n\n"
	    "EXIT STATUS\n"
	    "    0 success, 1 failure (no datapath pinned), 2 usage error\n\n"
	    "EXAMPLES\n"
	    "    cutover observe --verdict DROPPED --last 50\n"
	    "    cutover observe --to-pod prod/web-01 --protocol tcp --port 443 -f -o json\n",
	    DP_FLOWLOG_SIZE, DP_FLOWLOG_SIZE, DP_PIN_ROOT_ENV, DP_PIN_ROOT_DEFAULT,
	    CTL_SOCKET_DEFAULT);
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

/* query string of the filter options given on the command line */
struct qbuf {
	char	s[2048];
	size_t	n;
};

static void
q_add(struct qbuf *q, const char *key, const char *val)
{
	static const char hex[] = "0123456789ABCDEF";

	q->n += (size_t)snprintf(q->s + q->n, sizeof(q->s) - q->n, "%s%s=", q->n ? "&" : "?",
	    key);
	for (const unsigned char *p = (const unsigned char *)val; *p && q->n + 4 < sizeof(q->s);
	    p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_') {
			q->s[q->n++] = (char)*p;
		} else {
			q->s[q->n++] = '%';
			q->s[q->n++] = hex[*p >> 4];
			q->s[q->n++] = hex[*p & 15];
		}
	}
	q->s[q->n] = '\0';
}

/*
 * Ask the daemon (it drains the events while it runs). Returns CLI_* when the daemon
 * answered, or -1 when there is no daemon to ask.
 */
static int
observe_daemon(const struct qbuf *filters, long last, bool json, bool follow)
{
	int64_t after = 0;
	bool first = true;

	do {
		char path[2300];
		json_object *out = NULL, *flows, *seq;
		struct diag d;
		int status, rc;

		snprintf(path, sizeof(path), "/v1/flows%s%slast=%ld&format=%s", filters->s,
		    filters->n ? "&" : "?", first ? last : (long)DP_FLOWLOG_SIZE,
		    json ? "json" : "text");
		if (!first) {
			size_t n = strlen(path);

			snprintf(path + n, sizeof(path) - n, "&after=%lld", (long long)after);
		}
		diag_init(&d, NULL);
		rc = ctl_call(ctl_socket_path(), "GET", path, NULL, 5000, &status, &out, &d);
		if (rc) {
			if (first && (rc == -ENOENT || rc == -ECONNREFUSED))
				return -1;
			fprintf(stderr, "cutover observe: daemon: %s\n", d.set ? d.msg :
			    strerror(-rc));
			return CLI_FAIL;
		}
		if (status != 200) {
			char msg[512];

			ctl_error_text(out, msg, sizeof(msg));
			fprintf(stderr, "cutover observe: %s\n", msg);
			json_object_put(out);
			return status == 400 || status == 404 ? CLI_USAGE : CLI_FAIL;
		}
		if (json_object_object_get_ex(out, "flows", &flows)) {
			for (size_t i = 0; i < json_object_array_length(flows); i++) {
				json_object *f = json_object_array_get_idx(flows, i);

				printf("%s\n", json ? json_object_to_json_string_ext(f,
				    JSON_C_TO_STRING_PLAIN) : json_object_get_string(f));
			}
		}
		if (json_object_object_get_ex(out, "newest_seq", &seq))
			after = json_object_get_int64(seq);
		json_object_put(out);
		fflush(stdout);
		first = false;
		if (follow && !observe_stop)
			usleep(300000);
	} while (follow && !observe_stop);
	return CLI_OK;
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
		{ "direct", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct observe_ctx c = { 0 };
	const char *root = NULL, *from_pod = NULL, *to_pod = NULL;
	struct qbuf q = { .n = 0 };
	bool direct = false;
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
			q_add(&q, "from-pod", optarg);
			break;
		case 'T':
			to_pod = optarg;
			q_add(&q, "to-pod", optarg);
			break;
		case 'D':
			direct = true;
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
			q_add(&q, opt == 'a' ? "from-ip" : "to-ip", optarg);
			break;
		case 'v':
			if (dp_verdict_parse(optarg, &c.f.verdict)) {
				fprintf(stderr, "cutover observe: --verdict: FORWARDED, DROPPED or "
				    "AUDIT\n");
				return CLI_USAGE;
			}
			q_add(&q, "verdict", optarg);
			break;
		case 'p':
			if (dp_proto_parse(optarg, &u8) || u8 == 0) {
				fprintf(stderr, "cutover observe: --protocol: tcp, udp, icmp, "
				    "icmpv6, sctp or 1..255\n");
				return CLI_USAGE;
			}
			c.f.proto = u8;
			q_add(&q, "protocol", optarg);
			break;
		case 'P':
			c.f.port = (int)strtol(optarg, &end, 10);
			if (*end || !*optarg || c.f.port < 0 || c.f.port > 65535) {
				fprintf(stderr, "cutover observe: --port: 0..65535\n");
				return CLI_USAGE;
			}
			q_add(&q, "port", optarg);
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
	if (follow) {
		struct sigaction sa = { .sa_handler = on_signal };

		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}
	if (!direct && !root) {
		rc = observe_daemon(&q, last, c.json, follow);
		if (rc >= 0)
			return rc;
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
