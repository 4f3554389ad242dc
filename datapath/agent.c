// SPDX-License-Identifier: MIT
/*
 * cutoverd's datapath subsystem (see agent.h). Startup adopts what an earlier
 * daemon pinned (programs, maps and tc filters keep running across the restart, so
 * no packet is lost) or loads and pins the datapath; the event ring buffer is
 * drained into the pinned flow log whenever it signals; handlers:
 *   GET  /v1/policy[?endpoint=ID]   endpoints and their decoded policy entries
 *   POST /v1/policy                 body = policy bundle; applied by diff
 *   GET  /v1/flows?last=N&format=text|json&<filters>   recent flows (flow log)
 * The only libevent use is the one event on the ring buffer's epoll fd.
 */
#include "datapath/agent.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <event2/event.h>
#include <json-c/json.h>

#include "datapath/datapath.h"
#include "lib/ctl.h"
#include "lib/log.h"
#include "lib/metrics.h"
#include "lib/yamlconf.h"

struct dp_agent {
	struct dp		*dp;
	struct dp_events	*ev;
	struct event		*ev_read;
	struct event		*ev_tick;
	char			 pin_root[256];
};

void
dp_conf_init(struct dp_conf *c)
{
	memset(c, 0, sizeof(*c));
}

int
dp_conf_parse(const struct ynode *node, void *arg)
{
	static const char *const keys[] = { "pin-root", "bundle", "policy-max", "attach",
	    NULL };
	char attach[16] = "";
	struct dp_conf *c = arg;
	int rc;

	c->present = true;
	if (!ynode_is_map(node))
		return ynode_fail(node, "expected a mapping (pin-root, bundle, policy-max, "
		    "attach)");
	if (ycfg_map_check(node, keys))
		return -EINVAL;
	if (ycfg_opt_str(node, "pin-root", c->pin_root, sizeof(c->pin_root)) < 0 ||
	    ycfg_opt_str(node, "bundle", c->bundle, sizeof(c->bundle)) < 0 ||
	    ycfg_opt_str(node, "attach", attach, sizeof(attach)) < 0)
		return -EINVAL;
	if (attach[0] && dp_attach_mode_parse(attach, &c->attach)) {
		struct ynode n;

		ycfg_map_get(node, "attach", &n);
		return ynode_fail(&n, "expected auto, tcx or clsact");
	}
	if (c->pin_root[0] && c->pin_root[0] != '/') {
		struct ynode n;

		ycfg_map_get(node, "pin-root", &n);
		return ynode_fail(&n, "must be an absolute path on a bpf filesystem");
	}
	rc = ycfg_opt_u32(node, "policy-max", 16, 1u << 24, &c->policy_max);
	return rc < 0 ? rc : 0;
}

static void
on_events(evutil_socket_t fd, short what, void *arg)
{
	struct dp_agent *a = arg;
	int n;

	(void)fd;
	(void)what;
	n = dp_events_poll(a->ev, 0);
	if (n < 0)
		log_msg(LOG_LVL_WARN, "datapath", "draining flow events: %s", strerror(-n));
}

static int
apply_bundle(struct dp_agent *a, const struct dp_bundle *b, struct dp_sync_stats *st,
    struct diag *d)
{
	int rc = dp_sync(a->dp, b, st, d);

	if (rc == 0)
		log_msg(LOG_LVL_INFO, "datapath", "bundle applied: %zu endpoints; policy "
		    "+%zu -%zu, ipcache +%zu -%zu, endpoints +%zu -%zu, attached %zu",
		    b->nendpoints, st->policy_put, st->policy_del, st->ipcache_put,
		    st->ipcache_del, st->endpoint_put, st->endpoint_del, st->attached);
	return rc;
}

struct dp_agent *
dp_agent_new(struct event_base *base, const struct dp_conf *c, struct diag *d)
{
	struct dp_opts o = { .pin_root = c->pin_root[0] ? c->pin_root : NULL,
	    .policy_max = c->policy_max, .attach = c->attach };
	struct dp_agent *a = calloc(1, sizeof(*a));
	struct timeval tick = { 1, 0 };
	int rc;

	if (!a) {
		diag_failv(d, -ENOMEM, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	rc = dp_open(&o, &a->dp, d);
	if (rc)
		goto fail;
	snprintf(a->pin_root, sizeof(a->pin_root), "%s", dp_pin_root(&o));
	log_msg(LOG_LVL_INFO, "datapath", "%s datapath at %s (attach: %s)",
	    dp_adopted(a->dp) ? "adopted the pinned" : "loaded and pinned the", a->pin_root,
	    dp_attach_mode_str(dp_attach_default(a->dp)));
	if (c->bundle[0]) {
		struct dp_bundle *b;
		struct dp_sync_stats st;

		rc = dp_bundle_load(c->bundle, &b, d);
		if (rc)
			goto fail;
		rc = apply_bundle(a, b, &st, d);
		dp_bundle_free(b);
		if (rc)
			goto fail;
	}
	a->ev = dp_events_open(a->dp, NULL, NULL);
	if (!a->ev) {
		rc = diag_failv(d, -errno, "flow event ring buffer: %s", strerror(errno));
		goto fail;
	}
	a->ev_read = event_new(base, dp_events_fd(a->ev), EV_READ | EV_PERSIST, on_events, a);
	/* a slow tick as well: wakeups are batched by the kernel */
	a->ev_tick = event_new(base, -1, EV_PERSIST, on_events, a);
	if (!a->ev_read || !a->ev_tick || event_add(a->ev_read, NULL) ||
	    event_add(a->ev_tick, &tick)) {
		rc = diag_failv(d, -ENOMEM, "event setup failed");
		goto fail;
	}
	on_events(-1, 0, a);	/* what waited while no daemon ran */
	return a;
fail:
	dp_agent_free(a);
	errno = -rc;
	return NULL;
}

void
dp_agent_free(struct dp_agent *a)
{
	if (!a)
		return;
	if (a->ev_read)
		event_free(a->ev_read);
	if (a->ev_tick)
		event_free(a->ev_tick);
	dp_events_close(a->ev);
	dp_close(a->dp);	/* pins and tc filters stay: enforcement continues */
	free(a);
}

/* ---- control API ---- */

static json_object *
endpoint_json(struct dp *dp, uint32_t ep_id)
{
	json_object *o = json_object_new_object(), *entries = json_object_new_array();
	int fd = dp_policy_map(dp, ep_id, false), efd = dp_map_fd(dp, "dp_endpoints");
	struct dp_policy_key k, next;
	struct dp_policy_entry v;
	struct dp_name n;
	uint32_t ifx, inext;
	bool first = true;

	json_object_object_add(o, "id", json_object_new_int64(ep_id));
	if (dp_name_get(dp, DP_NAME_ENDPOINT, ep_id, &n) == 0)
		json_object_object_add(o, "name", json_object_new_string(n.name));
	while (bpf_map_get_next_key(efd, first ? NULL : &ifx, &inext) == 0) {
		struct dp_endpoint e;
		char ifname[IF_NAMESIZE];

		first = false;
		ifx = inext;
		if (bpf_map_lookup_elem(efd, &ifx, &e) || e.ep_id != ep_id)
			continue;
		json_object_object_add(o, "interface", json_object_new_string(
		    if_indextoname(ifx, ifname) ? ifname : "?"));
		json_object_object_add(o, "identity", json_object_new_int64(e.identity));
		json_object_object_add(o, "mode", json_object_new_string(
		    e.mode == DP_MODE_AUDIT ? "audit" : "enforce"));
		{
			int m = dp_attach_mode(dp, (int)ifx);

			/* "tcx", "clsact", "" (not attached), "tcx+clsact" (mid-switch) */
			json_object_object_add(o, "attach", json_object_new_string(
			    m == -EEXIST ? "tcx+clsact" : m < 0 ? "" : dp_attach_mode_str(m)));
		}
		break;
	}
	first = true;
	while (fd >= 0 && bpf_map_get_next_key(fd, first ? NULL : &k, &next) == 0) {
		json_object *e = json_object_new_object();
		unsigned bits = next.prefixlen - DP_POLICY_STATIC_PREFIX, lo = 0, hi = 65535;
		char pbuf[8];

		first = false;
		k = next;
		if (bpf_map_lookup_elem(fd, &k, &v)) {
			json_object_put(e);
			continue;
		}
		if (bits > DP_POLICY_PROTO_BITS) {
			lo = ntohs(k.dport);
			hi = lo + (1u << (16 - (bits - DP_POLICY_PROTO_BITS))) - 1;
		}
		json_object_object_add(e, "direction", json_object_new_string(
		    k.egress ? "egress" : "ingress"));
		json_object_object_add(e, "peer", json_object_new_int64(k.sec_label));
		json_object_object_add(e, "protocol", json_object_new_string(
		    dp_proto_name(k.protocol, pbuf, sizeof(pbuf))));
		json_object_object_add(e, "port", json_object_new_int(lo));
		json_object_object_add(e, "end_port", json_object_new_int(hi));
		json_object_object_add(e, "action", json_object_new_string(
		    v.flags & DP_POLICY_F_DENY ? "deny" : "allow"));
		if (v.rule_id && dp_name_get(dp, DP_NAME_RULE, v.rule_id, &n) == 0)
			json_object_object_add(e, "ref", json_object_new_string(n.name));
		json_object_object_add(e, "prefixlen", json_object_new_int(k.prefixlen));
		json_object_array_add(entries, e);
	}
	json_object_object_add(o, "entries", entries);
	return o;
}

static int
h_policy_get(struct ctl_req *req, void *arg)
{
	struct dp_agent *a = arg;
	char q[16];
	long only = -1;
	json_object *o, *eps;
	uint32_t ep, next;
	bool first = true;
	int fd = dp_map_fd(a->dp, "dp_policy");

	if (ctl_query(req, "endpoint", q, sizeof(q)) == 1) {
		char *end;

		only = strtol(q, &end, 10);
		if (*end || only < 1 || only > DP_EP_ID_MAX)
			return ctl_reply_error(req, 400, "bad_request", "endpoint: an id",
			    q);
	}
	o = json_object_new_object();
	eps = json_object_new_array();
	json_object_object_add(o, "pin_root", json_object_new_string(a->pin_root));
	/* the mode new interfaces get; each endpoint says how it is attached */
	json_object_object_add(o, "attach", json_object_new_string(
	    dp_attach_mode_str(dp_attach_default(a->dp))));
	while (bpf_map_get_next_key(fd, first ? NULL : &ep, &next) == 0) {
		first = false;
		ep = next;
		if (only < 0 || ep == (uint32_t)only)
			json_object_array_add(eps, endpoint_json(a->dp, ep));
	}
	json_object_object_add(o, "endpoints", eps);
	if (only >= 0 && json_object_array_length(eps) == 0) {
		json_object_put(o);
		return ctl_reply_error(req, 404, "not_found", "no such endpoint", q);
	}
	return ctl_reply_json(req, 200, o);
}

static int
h_policy_post(struct ctl_req *req, void *arg)
{
	struct dp_agent *a = arg;
	struct dp_bundle *b;
	struct dp_sync_stats st;
	struct diag d;
	const char *text;
	char msg[1024];
	json_object *o;
	int rc;

	if (!req->body)
		return ctl_reply_error(req, 400, "bad_request", "a policy bundle body is needed",
		    "");
	text = json_object_to_json_string_ext(req->body, JSON_C_TO_STRING_PLAIN);
	diag_init(&d, "request");
	rc = dp_bundle_parse(text, strlen(text), &b, &d);
	if (rc) {
		diag_format(&d, msg, sizeof(msg));
		return ctl_reply_error(req, 400, "invalid_bundle", "bundle rejected", msg);
	}
	diag_init(&d, NULL);
	rc = apply_bundle(a, b, &st, &d);
	if (rc) {
		diag_format(&d, msg, sizeof(msg));
		dp_bundle_free(b);
		return ctl_reply_error(req, 500, "apply_failed", "bundle not fully applied",
		    msg);
	}
	o = json_object_new_object();
#define STAT(x) json_object_object_add(o, #x, json_object_new_int64((int64_t)st.x))
	STAT(policy_put); STAT(policy_del); STAT(maps_created); STAT(maps_dropped);
	STAT(ipcache_put); STAT(ipcache_del); STAT(endpoint_put); STAT(endpoint_del);
	STAT(names_put); STAT(names_del); STAT(attached);
#undef STAT
	json_object_object_add(o, "endpoints", json_object_new_int64((int64_t)b->nendpoints));
	json_object_object_add(o, "identities", json_object_new_int64((int64_t)b->nidentities));
	json_object_object_add(o, "cidrs", json_object_new_int64((int64_t)b->ncidrs));
	dp_bundle_free(b);
	return ctl_reply_json(req, 200, o);
}

struct flows_ctx {
	struct dp	*dp;
	json_object	*arr;
	bool		 json;
};

static void
add_flow(void *arg, const struct dp_flow_record *r)
{
	struct flows_ctx *c = arg;
	char line[2048];

	if (dp_flow_format(c->dp, r, c->json, line, sizeof(line)))
		return;
	json_object_array_add(c->arr, c->json ? json_tokener_parse(line) :
	    json_object_new_string(line));
}

static int
h_flows(struct ctl_req *req, void *arg)
{
	static const char *const keys[] = { "from-pod", "to-pod", "from-ip", "to-ip",
		"verdict", "protocol", "port", "after", NULL };
	struct dp_agent *a = arg;
	struct dp_flow_filter f;
	struct flows_ctx c = { .dp = a->dp };
	char v[256], err[256];
	long last = 20;
	int64_t newest;
	json_object *o;

	on_events(-1, 0, a);	/* the newest events too */
	dp_flow_filter_init(&f);
	for (const char *const *k = keys; *k; k++) {
		int q = ctl_query(req, *k, v, sizeof(v)), rc;

		if (q < 0)
			return ctl_reply_error(req, 400, "bad_request", "bad query value", *k);
		if (q == 0)
			continue;
		rc = dp_flow_filter_set(a->dp, &f, *k, v, err, sizeof(err));
		if (rc)
			return ctl_reply_error(req, rc == -ENOENT ? 404 : 400, "bad_filter",
			    err, *k);
	}
	if (ctl_query(req, "last", v, sizeof(v)) == 1) {
		char *end;

		last = strtol(v, &end, 10);
		if (*end || last < 1 || last > DP_FLOWLOG_SIZE)
			return ctl_reply_error(req, 400, "bad_request", "last: 1..8192", v);
	}
	c.json = ctl_query(req, "format", v, sizeof(v)) == 1 && !strcmp(v, "json");
	c.arr = json_object_new_array();
	newest = dp_flows_last(a->dp, &f, (size_t)last, add_flow, &c);
	if (newest < 0) {
		json_object_put(c.arr);
		return ctl_reply_error(req, 500, "flow_log", "reading the flow log failed", "");
	}
	o = json_object_new_object();
	json_object_object_add(o, "newest_seq", json_object_new_int64(newest));
	json_object_object_add(o, "flows", c.arr);
	return ctl_reply_json(req, 200, o);
}

int
dp_agent_control_register(struct dp_agent *a, struct ctl_server *s)
{
	int rc = ctl_register(s, "GET", "/v1/policy", h_policy_get, a);

	if (!rc)
		rc = ctl_register(s, "POST", "/v1/policy", h_policy_post, a);
	if (!rc)
		rc = ctl_register(s, "GET", "/v1/flows", h_flows, a);
	return rc;
}

/* ---- metrics ---- */

struct mctx {
	struct metrics_out	*out;
	struct dp		*dp;
	int			 pass;	/* 0 forwarded packets, 1 bytes, 2 dropped, 3 audit */
};

static int
metric_sample(void *arg, const struct dp_metrics_key *k, const struct dp_metrics_val *v)
{
	struct mctx *c = arg;
	struct dp_name n;
	char ep[16], code[8];
	const char *pod = "", *dir = k->dir == DP_DIR_EGRESS ? "egress" : "ingress";

	if (dp_name_get(c->dp, DP_NAME_ENDPOINT, k->ep_id, &n) == 0)
		pod = n.name;
	snprintf(ep, sizeof(ep), "%u", k->ep_id);
	snprintf(code, sizeof(code), "%u", k->reason);
	switch (c->pass) {
	case 0:
	case 1:
		if (k->verdict == DP_VERDICT_FORWARDED)
			metrics_sample(c->out, c->pass ? "cutover_datapath_forwarded_bytes_total" :
			    "cutover_datapath_forwarded_packets_total",
			    (double)(c->pass ? v->bytes : v->packets), 3, "endpoint", ep, "pod", pod,
			    "direction", dir);
		break;
	default:
		if (k->verdict == (c->pass == 2 ? DP_VERDICT_DROPPED : DP_VERDICT_AUDIT))
			metrics_sample(c->out, c->pass == 2 ?
			    "cutover_datapath_dropped_packets_total" :
			    "cutover_datapath_audit_packets_total", (double)v->packets, 5,
			    "endpoint", ep, "pod", pod, "direction", dir,
			    "reason", dp_reason_str(k->reason), "reason_code", code);
		break;
	}
	return 0;
}

static void
collect(struct metrics_out *out, void *arg)
{
	static const char *const names[4][2] = {
		{ "cutover_datapath_forwarded_packets_total",
		  "Packets the datapath forwarded, per endpoint and direction" },
		{ "cutover_datapath_forwarded_bytes_total", "Bytes the datapath forwarded" },
		{ "cutover_datapath_dropped_packets_total",
		  "Packets dropped, per endpoint, direction and reason (Cilium drop codes)" },
		{ "cutover_datapath_audit_packets_total",
		  "Packets policy would drop, passed because the endpoint is in audit mode" },
	};
	struct dp_agent *a = arg;
	struct mctx c = { .out = out, .dp = a->dp };
	uint64_t lost = 0;

	for (c.pass = 0; c.pass < 4; c.pass++) {
		metrics_family(out, names[c.pass][0], "counter", names[c.pass][1]);
		dp_metrics_walk(a->dp, metric_sample, &c);
	}
	dp_stat_get(a->dp, 0, &lost);
	metrics_family(out, "cutover_datapath_events_lost_total", "counter",
	    "Flow events lost because the ring buffer was full");
	metrics_sample(out, "cutover_datapath_events_lost_total", (double)lost, 0);
}

int
dp_agent_metrics_register(struct dp_agent *a, struct metrics *m)
{
	return metrics_register(m, collect, a);
}
