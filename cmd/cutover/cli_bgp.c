// SPDX-License-Identifier: MIT
/*
 * `cutover bgp ...`: the daemon's BGP state through the control API (GET
 * /v1/bgp/peers, /v1/bgp/routes, /v1/bgp/originated, /v1/bgp/rib; POST peer actions,
 * originated prefixes and route refresh). Prints what `birdc show protocols all` / `show route all`
 * show, or the raw JSON with --json. No BGP logic here.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cutover/cli.h"
#include "lib/ctl.h"

int	cli_bgp(int argc, char **argv);

static void
usage(FILE *out)
{
	fprintf(out,
	    "NAME\n"
	    "    cutover bgp - show and steer cutoverd's BGP sessions\n\n"
	    "SYNOPSIS\n"
	    "    cutover bgp peers [--json] [NAME]\n"
	    "    cutover bgp routes [--peer NAME] [--json]\n"
	    "    cutover bgp originated [--json]\n"
	    "    cutover bgp rib [--json] [PREFIX]\n"
	    "    cutover bgp refresh NAME\n"
	    "    cutover bgp bfd [--json]\n"
	    "    cutover bgp originate PREFIX [COMMUNITY...]\n"
	    "    cutover bgp withdraw PREFIX\n"
	    "    cutover bgp enable|disable|reset NAME [--message TEXT]\n\n"
	    "DESCRIPTION\n"
	    "    peers       state, uptime, neighbor address/AS/id, hold and keepalive\n"
	    "                times, capabilities (ours, the peer's, negotiated), next hops,\n"
	    "                message and route counters, last error (like `birdc show\n"
	    "                protocols all`)\n"
	    "    routes      received routes per peer with next hop, AS path, origin, MED,\n"
	    "                local preference, communities and age (like `birdc show route\n"
	    "                all`)\n"
	    "    originated  prefixes cutoverd announces (configured and dynamic)\n"
	    "    rib         the Loc-RIB: prefixes, paths, attribute sets and memory, the\n"
	    "                kernel table's counters, per peer the paths held, accepted,\n"
	    "                filtered, looped (own AS in the path) and rejected (no memory,\n"
	    "                or 16,777,215 prefixes of the family) routes and the import\n"
	    "                filter; with PREFIX every path of it\n"
	    "                (best and ECMP members marked, stale ones flagged)\n"
	    "    refresh     ask peer NAME to send all its routes again (RFC 2918\n"
	    "                ROUTE-REFRESH), e.g. to re-learn them after a change on its side\n"
	    "    bfd         BFD sessions of the peers with `bfd:`: state and its age,\n"
	    "                negotiated TX interval, detection time, the peer's state,\n"
	    "                packet counters, times down and the last down diagnostic\n"
	    "                (RFC 5880; like `birdc show bfd sessions`)\n"
	    "    originate   announce PREFIX from now on (dynamic, until withdraw or restart)\n"
	    "    withdraw    stop announcing a dynamic PREFIX\n"
	    "    enable, disable, reset\n"
	    "                start, stop (Cease with an RFC 8203 shutdown message) or restart\n"
	    "                one peer\n\n"
	    "OPTIONS\n"
	    "    --json          print the control API's JSON reply unchanged\n"
	    "    --peer NAME     only routes from peer NAME\n"
	    "    --message TEXT  shutdown communication sent with disable/reset\n"
	    "    -h, --help      this text\n\n"
	    "ENVIRONMENT\n"
	    "    CUTOVER_SOCKET  control socket (default " CTL_SOCKET_DEFAULT ")\n\n"
	    "EXIT STATUS\n"
	    "    0 success, 1 daemon unreachable or error reply, 2 usage error\n");
}

static const char *
jget_str(json_object *o, const char *k, const char *dflt)
{
	json_object *v;

	if (!json_object_object_get_ex(o, k, &v) || json_object_is_type(v, json_type_null))
		return dflt;
	return json_object_get_string(v);
}

static int64_t
jget_int(json_object *o, const char *k, int64_t dflt)
{
	json_object *v;

	if (!json_object_object_get_ex(o, k, &v))
		return dflt;
	return json_object_get_int64(v);
}

static json_object *
jget(json_object *o, const char *k)
{
	json_object *v = NULL;

	json_object_object_get_ex(o, k, &v);
	return v;
}

static int
call(const char *method, const char *path, json_object *body, json_object **out)
{
	struct diag d;
	char msg[512];
	int status, rc;

	diag_init(&d, NULL);
	rc = ctl_call(ctl_socket_path(), method, path, body, 10000, &status, out, &d);
	if (rc) {
		diag_format(&d, msg, sizeof(msg));
		fprintf(stderr, "cutover bgp:%s\n", msg);
		return CLI_FAIL;
	}
	if (status != 200) {
		ctl_error_text(*out, msg, sizeof(msg));
		fprintf(stderr, "cutover bgp: %s (HTTP %d)\n", msg, status);
		json_object_put(*out);
		*out = NULL;
		return CLI_FAIL;
	}
	return CLI_OK;
}

static void
print_json(json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
}

static void
fmt_duration(int64_t s, char *out, size_t len)
{
	if (s >= 86400)
		snprintf(out, len, "%lldd%02lldh%02lldm", (long long)(s / 86400),
		    (long long)(s % 86400 / 3600), (long long)(s % 3600 / 60));
	else
		snprintf(out, len, "%02lld:%02lld:%02lld", (long long)(s / 3600),
		    (long long)(s % 3600 / 60), (long long)(s % 60));
}

static void
print_caps(const char *label, json_object *c)
{
	json_object *mp = jget(c, "multiprotocol");

	if (!c)
		return;
	printf("    %-20s", label);
	for (size_t i = 0; mp && i < json_object_array_length(mp); i++)
		printf(" %s", json_object_get_string(json_object_array_get_idx(mp, i)));
	json_object_object_foreach(c, k, v) {
		if (json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v))
			printf(" %s", k);
	}
	if (jget(c, "graceful_restart_time"))
		printf(" (restart time %lld s)", (long long)jget_int(c, "graceful_restart_time", 0));
	printf("\n");
}

static void
print_peer(json_object *p)
{
	json_object *caps = jget(p, "capabilities"), *cnt = jget(p, "counters"), *neg;
	json_object *in = jget(cnt, "messages_in"), *out = jget(cnt, "messages_out");
	json_object *cfg = jget(p, "config");
	static const char *const types[] = { "open", "update", "notification", "keepalive",
	    "route_refresh" };
	char dur[32];

	fmt_duration(jget_int(p, "state_age_s", 0), dur, sizeof(dur));
	printf("%-12s BGP  %-12s %s%s\n", jget_str(p, "name", "?"), jget_str(p, "state", "?"),
	    dur, jget_int(p, "admin_down", 0) ? "  (disabled)" : "");
	printf("    %-20s %s port %lld", "Neighbor address:", jget_str(p, "address", "?"),
	    (long long)jget_int(p, "port", 0));
	if (jget(p, "local_address"))
		printf(" (local %s port %lld)", jget_str(p, "local_address", "?"),
		    (long long)jget_int(p, "local_port", 0));
	printf("\n    %-20s %lld (local AS %lld, %s)\n", "Neighbor AS:",
	    (long long)jget_int(p, "remote_as", 0), (long long)jget_int(p, "local_as", 0),
	    jget_str(p, "type", "?"));
	if (jget(p, "router_id"))
		printf("    %-20s %s\n", "Neighbor ID:", jget_str(p, "router_id", "?"));
	if (jget(p, "uptime_s")) {
		fmt_duration(jget_int(p, "uptime_s", 0), dur, sizeof(dur));
		printf("    %-20s %s (established %lld times)\n", "Uptime:", dur,
		    (long long)jget_int(p, "established_count", 0));
	}
	if (jget(p, "hold_time"))
		printf("    %-20s hold %lld s, keepalive %lld s (configured hold %lld s)\n",
		    "Timers:", (long long)jget_int(p, "hold_time", 0),
		    (long long)jget_int(p, "keepalive", 0), (long long)jget_int(cfg, "hold_time", 0));
	else
		printf("    %-20s hold %lld s, connect retry %lld s\n", "Configured timers:",
		    (long long)jget_int(cfg, "hold_time", 0),
		    (long long)jget_int(cfg, "connect_retry", 0));
	printf("    %-20s md5 %s, ttl-security %s, multihop %lld, passive %s\n", "Session options:",
	    jget_int(cfg, "md5", 0) ? "yes" : "no", jget_int(cfg, "ttl_security", 0) ? "yes" : "no",
	    (long long)jget_int(cfg, "multihop", 0), jget_int(cfg, "passive", 0) ? "yes" : "no");
	print_caps("Local capabilities:", jget(caps, "local"));
	print_caps("Peer capabilities:", jget(caps, "remote"));
	neg = jget(caps, "negotiated");
	if (neg) {
		json_object *f = jget(neg, "families");

		printf("    %-20s", "Negotiated:");
		for (size_t i = 0; f && i < json_object_array_length(f); i++)
			printf(" %s", json_object_get_string(json_object_array_get_idx(f, i)));
		json_object_object_foreach(neg, k, v) {
			if (json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v))
				printf(" %s", k);
		}
		printf("\n    %-20s ipv4 %s, ipv6 %s\n", "Next hop sent:",
		    jget_str(p, "next_hop_ipv4", "none"), jget_str(p, "next_hop_ipv6", "none"));
	}
	printf("    %-20s", "Messages in/out:");
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		printf(" %s %lld/%lld", types[i], (long long)jget_int(in, types[i], 0),
		    (long long)jget_int(out, types[i], 0));
	printf("\n    %-20s %lld received (ipv4 %lld, ipv6 %lld), %lld announcements and "
	    "%lld withdrawals in, %lld announcements and %lld withdrawals out\n", "Routes:",
	    (long long)jget_int(cnt, "prefixes_received", 0),
	    (long long)jget_int(cnt, "prefixes_received_ipv4", 0),
	    (long long)jget_int(cnt, "prefixes_received_ipv6", 0),
	    (long long)jget_int(cnt, "announcements_in", 0),
	    (long long)jget_int(cnt, "withdrawals_in", 0),
	    (long long)jget_int(cnt, "announcements_out", 0),
	    (long long)jget_int(cnt, "withdrawals_out", 0));
	printf("    %-20s treat-as-withdraw %lld, attribute-discard %lld, flaps %lld, "
	    "max-prefix hits %lld\n", "Errors:", (long long)jget_int(cnt, "treat_as_withdraw", 0),
	    (long long)jget_int(cnt, "attribute_discard", 0), (long long)jget_int(cnt, "flaps", 0),
	    (long long)jget_int(cnt, "max_prefix_hits", 0));
	if (*jget_str(p, "last_error", ""))
		printf("    %-20s %s\n", "Last error:", jget_str(p, "last_error", ""));
	printf("\n");
}

static int
cmd_peers(int argc, char **argv, bool json)
{
	json_object *o = NULL, *arr;
	char path[160];
	int rc;

	if (argc > 1) {
		usage(stderr);
		return CLI_USAGE;
	}
	snprintf(path, sizeof(path), "/v1/bgp/peers%s%s", argc ? "/" : "", argc ? argv[0] : "");
	rc = call("GET", path, NULL, &o);
	if (rc)
		return rc;
	if (json) {
		print_json(o);
	} else if (argc) {
		print_peer(o);
	} else {
		arr = jget(o, "peers");
		for (size_t i = 0; arr && i < json_object_array_length(arr); i++)
			print_peer(json_object_array_get_idx(arr, i));
		if (!arr || !json_object_array_length(arr))
			printf("no BGP peers configured\n");
	}
	json_object_put(o);
	return CLI_OK;
}

/*
 * GET path for a listing. With json the reply is printed as it came (the caller
 * is done); otherwise *o is the reply for the caller to print and put.
 */
static int
get_listing(const char *path, bool json, json_object **o)
{
	int rc = call("GET", path, NULL, o);

	if (rc || !json)
		return rc;
	print_json(*o);
	json_object_put(*o);
	*o = NULL;
	return CLI_OK;
}

/* " (s)" for each string of array c (communities); nothing for NULL. */
static void
print_paren_list(json_object *c)
{
	for (size_t k = 0; c && k < json_object_array_length(c); k++)
		printf(" (%s)", json_object_get_string(json_object_array_get_idx(c, k)));
}

static int
cmd_routes(const char *peer, bool json)
{
	json_object *o = NULL, *arr;
	char path[160], age[32];
	int rc;

	snprintf(path, sizeof(path), "/v1/bgp/routes%s%s", peer ? "?peer=" : "", peer ? peer : "");
	if ((rc = get_listing(path, json, &o)) || json)
		return rc;
	arr = jget(o, "routes");
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		json_object *r = json_object_array_get_idx(arr, i), *c = jget(r, "communities");

		fmt_duration(jget_int(r, "age_s", 0), age, sizeof(age));
		printf("%-24s via %-20s [%s %s]\n", jget_str(r, "prefix", "?"),
		    jget_str(r, "next_hop", "?"), jget_str(r, "peer", "?"), age);
		printf("    BGP.origin: %s\n    BGP.as_path: %s\n    BGP.next_hop: %s\n",
		    jget_str(r, "origin", "-"), jget_str(r, "as_path", ""),
		    jget_str(r, "next_hop", "?"));
		if (jget(r, "med"))
			printf("    BGP.med: %lld\n", (long long)jget_int(r, "med", 0));
		if (jget(r, "local_pref"))
			printf("    BGP.local_pref: %lld\n", (long long)jget_int(r, "local_pref", 0));
		if (c && json_object_array_length(c)) {
			printf("    BGP.community:");
			print_paren_list(c);
			printf("\n");
		}
		c = jget(r, "large_communities");
		if (c && json_object_array_length(c)) {
			printf("    BGP.large_community:");
			print_paren_list(c);
			printf("\n");
		}
	}
	if (!arr || !json_object_array_length(arr))
		printf("no routes received%s%s\n", peer ? " from " : "", peer ? peer : "");
	json_object_put(o);
	return CLI_OK;
}

static int
cmd_originated(bool json)
{
	json_object *o = NULL, *arr;
	int rc = get_listing("/v1/bgp/originated", json, &o);

	if (rc || json)
		return rc;
	arr = jget(o, "originated");
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		json_object *r = json_object_array_get_idx(arr, i), *c = jget(r, "communities");

		printf("%-24s %s%s", jget_str(r, "prefix", "?"),
		    jget_int(r, "config", 0) ? "config" : "",
		    jget_int(r, "dynamic", 0) ? (jget_int(r, "config", 0) ? ",dynamic" : "dynamic") : "");
		print_paren_list(c);
		printf("\n");
	}
	json_object_put(o);
	return CLI_OK;
}

static void
print_rib_summary(json_object *o)
{
	json_object *k = jget(o, "kernel"), *peers = jget(o, "peers");

	printf("Loc-RIB: %lld IPv4 and %lld IPv6 prefixes, %lld paths, %lld attribute sets, "
	    "%lld stale, %.1f MiB\n", (long long)jget_int(o, "prefixes_ipv4", 0),
	    (long long)jget_int(o, "prefixes_ipv6", 0), (long long)jget_int(o, "paths", 0),
	    (long long)jget_int(o, "attribute_sets", 0), (long long)jget_int(o, "stale", 0),
	    (double)jget_int(o, "memory_bytes", 0) / (1024 * 1024));
	printf("Start-up: %s\n", jget_int(o, "restart_done", 0) ?
	    "complete (kernel routes left from before the start swept)" :
	    "waiting for every peer's End-of-RIB or the restart timer before sweeping "
	    "kernel routes left from before the start");
	if (k)
		printf("Kernel table %lld: %lld routes installed, %lld stale, %lld adopted at "
		    "start, %lld errors\n", (long long)jget_int(k, "table", 0),
		    (long long)jget_int(k, "installed", 0), (long long)jget_int(k, "stale", 0),
		    (long long)jget_int(k, "adopted", 0), (long long)jget_int(k, "errors", 0));
	else
		printf("Kernel: not synced (rib.kernel: false)\n");
	printf("\n%-16s %10s %10s %10s %8s %8s %-6s %s\n", "Peer", "Paths", "Accepted",
	    "Filtered", "Looped", "Rejected", "Stale", "Import filter");
	for (size_t i = 0; peers && i < json_object_array_length(peers); i++) {
		json_object *p = json_object_array_get_idx(peers, i);

		printf("%-16s %10lld %10lld %10lld %8lld %8lld %-6s %s\n", jget_str(p, "name", "?"),
		    (long long)jget_int(p, "paths", 0), (long long)jget_int(p, "accepted", 0),
		    (long long)jget_int(p, "filtered", 0), (long long)jget_int(p, "looped", 0),
		    (long long)jget_int(p, "rejected", 0),
		    jget_int(p, "stale_pending", 0) ? "yes" : "no", jget_str(p, "import", "?"));
	}
}

static void
print_rib_prefix(json_object *o)
{
	json_object *paths = jget(o, "paths");

	printf("%s\n", jget_str(o, "prefix", "?"));
	for (size_t i = 0; paths && i < json_object_array_length(paths); i++) {
		json_object *p = json_object_array_get_idx(paths, i);
		bool best = jget_int(p, "best", 0), mp = jget_int(p, "multipath", 0);

		printf("  %s %-16s via %-20s%s%s%s\n", best ? "*" : mp ? "+" : " ",
		    jget_str(p, "peer", "?"), jget_str(p, "next_hop", "?"),
		    best ? " [best]" : "", mp && !best ? " [multipath]" : "",
		    jget_int(p, "stale", 0) ? " [stale]" : "");
		printf("      BGP.origin: %s\n      BGP.as_path: %s\n      BGP.local_pref: %lld\n",
		    jget_str(p, "origin", "-"), jget_str(p, "as_path", ""),
		    (long long)jget_int(p, "local_pref", 0));
		if (jget(p, "med"))
			printf("      BGP.med: %lld\n", (long long)jget_int(p, "med", 0));
		if (jget(p, "communities"))
			printf("      BGP.community: %s\n", jget_str(p, "communities", ""));
		if (jget(p, "error"))
			printf("      error: %s\n", jget_str(p, "error", ""));
	}
}

static int
cmd_rib(int argc, char **argv, bool json)
{
	json_object *o = NULL;
	char path[200];
	int rc;

	if (argc > 1) {
		usage(stderr);
		return CLI_USAGE;
	}
	snprintf(path, sizeof(path), "/v1/bgp/rib%s%s", argc ? "?prefix=" : "",
	    argc ? argv[0] : "");
	if ((rc = get_listing(path, json, &o)) || json)
		return rc;
	if (argc)
		print_rib_prefix(o);
	else
		print_rib_summary(o);
	json_object_put(o);
	return CLI_OK;
}

static int
cmd_refresh(int argc, char **argv)
{
	json_object *o = NULL;
	char path[200];
	int rc;

	if (argc != 1) {
		usage(stderr);
		return CLI_USAGE;
	}
	snprintf(path, sizeof(path), "/v1/bgp/rib/refresh?peer=%s", argv[0]);
	rc = call("POST", path, NULL, &o);
	if (!rc)
		printf("%s: ROUTE-REFRESH sent\n", argv[0]);
	json_object_put(o);
	return rc;
}

static int
cmd_originate(int argc, char **argv, bool add)
{
	json_object *body, *comms, *o = NULL;
	char path[160];
	int rc;

	if (argc < 1 || (!add && argc != 1)) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (!add) {
		snprintf(path, sizeof(path), "/v1/bgp/originated?prefix=%s", argv[0]);
		rc = call("DELETE", path, NULL, &o);
		json_object_put(o);
		return rc;
	}
	body = json_object_new_object();
	comms = json_object_new_array();
	json_object_object_add(body, "prefix", json_object_new_string(argv[0]));
	for (int i = 1; i < argc; i++)
		json_object_array_add(comms, json_object_new_string(argv[i]));
	json_object_object_add(body, "communities", comms);
	rc = call("POST", "/v1/bgp/originated", body, &o);
	json_object_put(body);
	json_object_put(o);
	return rc;
}

static int
cmd_action(const char *action, int argc, char **argv, const char *message)
{
	json_object *body = json_object_new_object(), *o = NULL;
	char path[200];
	int rc;

	if (argc != 1) {
		json_object_put(body);
		usage(stderr);
		return CLI_USAGE;
	}
	if (message)
		json_object_object_add(body, "message", json_object_new_string(message));
	snprintf(path, sizeof(path), "/v1/bgp/peers/%s/%s", argv[0], action);
	rc = call("POST", path, body, &o);
	if (!rc)
		printf("%s: %s\n", argv[0], jget_str(o, "state", "?"));
	json_object_put(body);
	json_object_put(o);
	return rc;
}

int
cli_bgp(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "peer", required_argument, NULL, 'p' },
		{ "message", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *peer = NULL, *message = NULL, *sub;
	bool json = false;
	int ch;

	if (argc < 2) {
		usage(stderr);
		return CLI_USAGE;
	}
	sub = argv[1];
	if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
		usage(stdout);
		return CLI_OK;
	}
	argc--;
	argv++;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "jp:m:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = true;
			break;
		case 'p':
			peer = optarg;
			break;
		case 'm':
			message = optarg;
			break;
		case 'h':
			usage(stdout);
			return CLI_OK;
		default:
			usage(stderr);
			return CLI_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (!strcmp(sub, "peers"))
		return cmd_peers(argc, argv, json);
	if (!strcmp(sub, "routes") && argc == 0)
		return cmd_routes(peer, json);
	if (!strcmp(sub, "originated") && argc == 0)
		return cmd_originated(json);
	if (!strcmp(sub, "bfd") && argc == 0)
		return cli_bgp_bfd(json);
	if (!strcmp(sub, "rib"))
		return cmd_rib(argc, argv, json);
	if (!strcmp(sub, "refresh"))
		return cmd_refresh(argc, argv);
	if (!strcmp(sub, "originate"))
		return cmd_originate(argc, argv, true);
	if (!strcmp(sub, "withdraw"))
		return cmd_originate(argc, argv, false);
	if (!strcmp(sub, "enable") || !strcmp(sub, "disable") || !strcmp(sub, "reset"))
		return cmd_action(sub, argc, argv, message);
	fprintf(stderr, "cutover bgp: unknown subcommand '%s' (see cutover bgp --help)\n", sub);
	return CLI_USAGE;
}
