// SPDX-License-Identifier: MIT
/*
 * `cutover bgp bfd [--json]`: cutoverd's BFD sessions from GET /v1/bgp/bfd, as a table
 * (like `birdc show bfd sessions`, plus diagnostics and counters) or the raw JSON.
 * Dispatched from cmd/cutover/cli_bgp.c. No BFD logic here.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cmd/cutover/cli.h"
#include "lib/ctl.h"

static json_object *
get(json_object *o, const char *k)
{
	json_object *v = NULL;

	if (o != NULL)
		json_object_object_get_ex(o, k, &v);
	return v;
}

static const char *
str(json_object *o, const char *k)
{
	json_object *v = get(o, k);

	return v != NULL ? json_object_get_string(v) : "-";
}

static long long
num(json_object *o, const char *k)
{
	json_object *v = get(o, k);

	return v != NULL ? (long long)json_object_get_int64(v) : 0;
}

static void
print_session(json_object *s)
{
	json_object *cnt = get(s, "counters"), *last = get(s, "last_down_diag");
	json_object *rem = get(s, "remote");
	char peer[80];

	snprintf(peer, sizeof(peer), "%s%s%s", str(s, "peer"),
	    *str(s, "interface") ? "%" : "", str(s, "interface"));
	printf("%-16s %-28s %-9s %9.1f %6lld %7lld %-9s %8lld %8lld %6lld  %s\n",
	    str(s, "name"), peer, str(s, "state"), (double)num(s, "state_age_ms") / 1000.0,
	    num(s, "tx_interval_us") / 1000, num(s, "detect_time_us") / 1000,
	    str(rem, "state"), num(cnt, "rx"), num(cnt, "tx"), num(cnt, "down"),
	    num(last, "code") ? str(last, "name") : "-");
}

int
cli_bgp_bfd(bool json)
{
	json_object *out = NULL, *arr;
	struct diag d;
	char msg[512];
	int status, rc;
	size_t n;

	diag_init(&d, NULL);
	rc = ctl_call(ctl_socket_path(), "GET", "/v1/bgp/bfd", NULL, 10000, &status, &out, &d);
	if (rc) {
		diag_format(&d, msg, sizeof(msg));
		fprintf(stderr, "cutover bgp bfd:%s\n", msg);
		return CLI_FAIL;
	}
	if (status != 200) {
		ctl_error_text(out, msg, sizeof(msg));
		fprintf(stderr, "cutover bgp bfd: %s\n", msg);
		json_object_put(out);
		return CLI_FAIL;
	}
	if (json) {
		printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY));
		json_object_put(out);
		return CLI_OK;
	}
	arr = get(out, "sessions");
	n = arr != NULL ? json_object_array_length(arr) : 0;
	if (n == 0) {
		printf("no BFD sessions (no peer has `bfd:` in the configuration)\n");
		json_object_put(out);
		return CLI_OK;
	}
	printf("%-16s %-28s %-9s %9s %6s %7s %-9s %8s %8s %6s  %s\n", "NAME", "PEER", "STATE",
	    "SINCE(s)", "TX(ms)", "DET(ms)", "REMOTE", "RX", "TX", "DOWNS", "LAST DOWN");
	for (size_t i = 0; i < n; i++)
		print_session(json_object_array_get_idx(arr, i));
	json_object_put(out);
	return CLI_OK;
}
