// SPDX-License-Identifier: MIT
/* BGP control API handlers and metrics collector (see control.h). */
#include "bgp/control.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const msg_type_keys[BGP_STAT_TYPES] = {
	[BGP_MSG_OPEN] = "open",
	[BGP_MSG_UPDATE] = "update",
	[BGP_MSG_NOTIFICATION] = "notification",
	[BGP_MSG_KEEPALIVE] = "keepalive",
	[BGP_MSG_ROUTE_REFRESH] = "route_refresh",
};

static json_object *
jstr_addr(const struct addr *a)
{
	char s[ADDR_STRLEN];

	return json_object_new_string(addr_format(a, s, sizeof(s)));
}

static json_object *
caps_json(const struct bgp_open *o)
{
	json_object *c = json_object_new_object(), *fams = json_object_new_array();

	for (size_t i = 0; i < o->caps.nmp; i++) {
		int f = bgp_family_from_afisafi(o->caps.mp[i].afi, o->caps.mp[i].safi);
		char s[32];

		if (f >= 0)
			json_object_array_add(fams, json_object_new_string(bgp_family_name(f)));
		else {
			snprintf(s, sizeof(s), "afi%u-safi%u", o->caps.mp[i].afi, o->caps.mp[i].safi);
			json_object_array_add(fams, json_object_new_string(s));
		}
	}
	json_object_object_add(c, "multiprotocol", fams);
	json_object_object_add(c, "route_refresh", json_object_new_boolean(o->caps.route_refresh));
	json_object_object_add(c, "enhanced_route_refresh",
	    json_object_new_boolean(o->caps.enhanced_rr));
	json_object_object_add(c, "four_octet_as", json_object_new_boolean(o->caps.as4));
	json_object_object_add(c, "extended_message", json_object_new_boolean(o->caps.ext_msg));
	json_object_object_add(c, "graceful_restart", json_object_new_boolean(o->caps.gr));
	if (o->caps.gr)
		json_object_object_add(c, "graceful_restart_time",
		    json_object_new_int(o->caps.gr_time));
	return c;
}

static json_object *
peer_json(struct bgp_peer *p)
{
	const struct bgp_conf_peer *c = p->conf;
	json_object *o = json_object_new_object(), *cfg, *cnt, *in, *out, *caps, *neg, *fams;
	time_t now = time(NULL);
	uint64_t ms = bgp_now_ms();

	json_object_object_add(o, "name", json_object_new_string(c->name));
	json_object_object_add(o, "address", jstr_addr(&c->addr));
	json_object_object_add(o, "port", json_object_new_int(c->port));
	json_object_object_add(o, "remote_as", json_object_new_int64(c->remote_as));
	json_object_object_add(o, "local_as",
	    json_object_new_int64(bgp_speaker_conf(p->sp)->local_as));
	json_object_object_add(o, "type", json_object_new_string(p->ibgp ? "ibgp" : "ebgp"));
	json_object_object_add(o, "state", json_object_new_string(bgp_state_name(p->fsm.state)));
	json_object_object_add(o, "admin_down", json_object_new_boolean(p->fsm.admin_down));
	json_object_object_add(o, "state_since", json_object_new_int64(p->state_wall));
	json_object_object_add(o, "state_age_s", json_object_new_int64(now - p->state_wall));
	if (p->fsm.state == BGP_STATE_ESTABLISHED)
		json_object_object_add(o, "uptime_s",
		    json_object_new_int64((int64_t)((ms - p->fsm.established_at) / 1000)));
	json_object_object_add(o, "last_error", json_object_new_string(p->last_error));
	json_object_object_add(o, "established_count",
	    json_object_new_int64(p->fsm.established_count));
	if (p->conn && p->conn->connected) {
		json_object_object_add(o, "local_address", jstr_addr(&p->conn->local));
		json_object_object_add(o, "local_port", json_object_new_int(p->conn->lport));
		json_object_object_add(o, "remote_port", json_object_new_int(p->conn->rport));
	}
	if (p->fsm.state >= BGP_STATE_OPENCONFIRM) {
		struct addr id;

		addr_from_v4(&id, p->fsm.remote_id);
		json_object_object_add(o, "router_id", jstr_addr(&id));
		json_object_object_add(o, "hold_time", json_object_new_int(p->fsm.hold_time));
		json_object_object_add(o, "keepalive", json_object_new_int(p->fsm.keepalive));
	}
	cfg = json_object_new_object();
	json_object_object_add(cfg, "hold_time", json_object_new_int(c->hold_time));
	json_object_object_add(cfg, "keepalive", json_object_new_int(c->keepalive));
	json_object_object_add(cfg, "connect_retry", json_object_new_int(c->connect_retry));
	json_object_object_add(cfg, "passive", json_object_new_boolean(c->passive));
	json_object_object_add(cfg, "md5", json_object_new_boolean(c->md5_password[0] != 0));
	json_object_object_add(cfg, "ttl_security", json_object_new_boolean(c->ttl_security));
	json_object_object_add(cfg, "multihop", json_object_new_int(c->multihop));
	json_object_object_add(cfg, "max_prefix", json_object_new_int64(c->max_prefix));
	json_object_object_add(cfg, "max_prefix_action",
	    json_object_new_string(c->max_prefix_action == BGP_MAXPFX_STOP ? "stop" : "warn"));
	json_object_object_add(o, "config", cfg);
	caps = json_object_new_object();
	json_object_object_add(caps, "local", caps_json(&p->local_open));
	if (p->has_remote_open)
		json_object_object_add(caps, "remote", caps_json(&p->remote_open));
	if (p->fsm.state == BGP_STATE_ESTABLISHED) {
		neg = json_object_new_object();
		fams = json_object_new_array();
		for (int f = 0; f < BGP_FAM_COUNT; f++)
			if (p->wctx.families & BGP_FAM_BIT(f))
				json_object_array_add(fams, json_object_new_string(bgp_family_name(f)));
		json_object_object_add(neg, "families", fams);
		json_object_object_add(neg, "four_octet_as", json_object_new_boolean(p->wctx.as4));
		json_object_object_add(neg, "extended_message",
		    json_object_new_boolean(p->wctx.ext_msg));
		json_object_object_add(neg, "route_refresh", json_object_new_boolean(
		    p->local_open.caps.route_refresh && p->remote_open.caps.route_refresh));
		json_object_object_add(neg, "graceful_restart", json_object_new_boolean(
		    p->local_open.caps.gr && p->remote_open.caps.gr));
		json_object_object_add(caps, "negotiated", neg);
		json_object_object_add(o, "next_hop_ipv4", p->has_nh[0] ? jstr_addr(&p->nh[0]) : NULL);
		json_object_object_add(o, "next_hop_ipv6", p->has_nh[1] ? jstr_addr(&p->nh[1]) : NULL);
	}
	json_object_object_add(o, "capabilities", caps);
	cnt = json_object_new_object();
	in = json_object_new_object();
	out = json_object_new_object();
	for (int t = 1; t < BGP_STAT_TYPES; t++) {
		json_object_object_add(in, msg_type_keys[t],
		    json_object_new_int64((int64_t)p->stats.msgs_in[t]));
		json_object_object_add(out, msg_type_keys[t],
		    json_object_new_int64((int64_t)p->stats.msgs_out[t]));
	}
	json_object_object_add(cnt, "messages_in", in);
	json_object_object_add(cnt, "messages_out", out);
	json_object_object_add(cnt, "prefixes_received",
	    json_object_new_int64((int64_t)bgp_adjin_count(p->adjin, 0)));
	json_object_object_add(cnt, "prefixes_received_ipv4",
	    json_object_new_int64((int64_t)bgp_adjin_count(p->adjin, AF_INET)));
	json_object_object_add(cnt, "prefixes_received_ipv6",
	    json_object_new_int64((int64_t)bgp_adjin_count(p->adjin, AF_INET6)));
#define CNT(k, v) json_object_object_add(cnt, k, json_object_new_int64((int64_t)(v)))
	CNT("announcements_in", p->stats.updates_in_prefixes);
	CNT("withdrawals_in", p->stats.withdraws_in);
	CNT("announcements_out", p->stats.prefixes_out);
	CNT("withdrawals_out", p->stats.withdraws_out);
	CNT("treat_as_withdraw", p->stats.treat_as_withdraw);
	CNT("attribute_discard", p->stats.attr_discard);
	CNT("flaps", p->stats.flaps);
	CNT("max_prefix_hits", p->stats.max_prefix_hits);
#undef CNT
	json_object_object_add(o, "counters", cnt);
	return o;
}

static int
peer_action(struct ctl_req *req, struct bgp_peer *p, const char *action)
{
	const char *msg = "";
	json_object *m;

	if (req->body && json_object_object_get_ex(req->body, "message", &m))
		msg = json_object_get_string(m);
	if (!strcmp(action, "enable"))
		bgp_peer_enable(p);
	else if (!strcmp(action, "disable"))
		bgp_peer_disable(p, msg);
	else if (!strcmp(action, "reset"))
		bgp_peer_reset(p, msg);
	else
		return ctl_reply_error(req, 404, "not_found", "unknown peer action", action);
	return ctl_reply_json(req, 200, peer_json(p));
}

/* GET /v1/bgp/peers[/NAME] and POST /v1/bgp/peers/NAME/ACTION */
static int
h_peers(struct ctl_req *req, void *arg)
{
	struct bgp_speaker *sp = arg;
	char name[BGP_CONF_NAME_MAX + 32], *slash;
	struct bgp_peer *p;
	json_object *o, *arr;

	if (!req->rest[0] && !strcmp(req->method, "GET")) {
		o = json_object_new_object();
		arr = json_object_new_array();
		for (size_t i = 0; i < bgp_speaker_npeers(sp); i++)
			json_object_array_add(arr, peer_json(bgp_speaker_peer(sp, i)));
		json_object_object_add(o, "peers", arr);
		return ctl_reply_json(req, 200, o);
	}
	if (strlen(req->rest + 1) >= sizeof(name))
		return ctl_reply_error(req, 404, "not_found", "no such peer", req->rest + 1);
	snprintf(name, sizeof(name), "%s", req->rest + 1);
	slash = strchr(name, '/');
	if (slash)
		*slash++ = '\0';
	p = bgp_speaker_peer_find(sp, name);
	if (!p)
		return ctl_reply_error(req, 404, "not_found", "no such peer", name);
	if (!strcmp(req->method, "GET") && !slash)
		return ctl_reply_json(req, 200, peer_json(p));
	if (!strcmp(req->method, "POST") && slash)
		return peer_action(req, p, slash);
	return ctl_reply_error(req, 405, "method_not_allowed", "use GET on a peer or POST on "
	    "a peer action (enable, disable, reset)", req->path);
}

struct routes_ctx {
	json_object	*arr;
	const char	*peer;
	time_t		 now;
};

static int
route_cb(const struct prefix *pfx, const struct bgp_route *r, void *arg)
{
	struct routes_ctx *rc = arg;
	json_object *o = json_object_new_object(), *comms = json_object_new_array();
	char s[2048];

	json_object_object_add(o, "peer", json_object_new_string(rc->peer));
	json_object_object_add(o, "prefix", json_object_new_string(prefix_format(pfx, s, sizeof(s))));
	json_object_object_add(o, "next_hop", jstr_addr(&r->nexthop));
	if (r->has_ll)
		json_object_object_add(o, "next_hop_link_local", jstr_addr(&r->nexthop_ll));
	json_object_object_add(o, "as_path", json_object_new_string(
	    bgp_as_path_format(&r->attrs.as_path, s, sizeof(s))));
	if (bgp_attrs_has(&r->attrs, BGP_ATTR_ORIGIN))
		json_object_object_add(o, "origin",
		    json_object_new_string(bgp_origin_name(r->attrs.origin)));
	if (bgp_attrs_has(&r->attrs, BGP_ATTR_MED))
		json_object_object_add(o, "med", json_object_new_int64(r->attrs.med));
	if (bgp_attrs_has(&r->attrs, BGP_ATTR_LOCAL_PREF))
		json_object_object_add(o, "local_pref", json_object_new_int64(r->attrs.local_pref));
	for (size_t i = 0; i < r->attrs.ncommunities; i++)
		json_object_array_add(comms, json_object_new_string(
		    bgp_community_format(r->attrs.communities[i], s, sizeof(s))));
	json_object_object_add(o, "communities", comms);
	if (r->attrs.nlarge) {
		json_object *lc = json_object_new_array();

		for (size_t i = 0; i < r->attrs.nlarge; i++)
			json_object_array_add(lc, json_object_new_string(
			    bgp_large_community_format(&r->attrs.large[i], s, sizeof(s))));
		json_object_object_add(o, "large_communities", lc);
	}
	if (bgp_attrs_has(&r->attrs, BGP_ATTR_ATOMIC_AGGREGATE))
		json_object_object_add(o, "atomic_aggregate", json_object_new_boolean(1));
	json_object_object_add(o, "attributes", json_object_new_string(
	    bgp_attrs_format(&r->attrs, s, sizeof(s))));
	json_object_object_add(o, "since", json_object_new_int64(r->since));
	json_object_object_add(o, "age_s", json_object_new_int64(rc->now - r->since));
	json_object_array_add(rc->arr, o);
	return 0;
}

static int
h_routes(struct ctl_req *req, void *arg)
{
	struct bgp_speaker *sp = arg;
	char peer[BGP_CONF_NAME_MAX];
	struct routes_ctx rc = { .now = time(NULL) };
	json_object *o;
	int q = ctl_query(req, "peer", peer, sizeof(peer));

	if (q < 0)
		return ctl_reply_error(req, 400, "bad_request", "bad peer parameter", NULL);
	if (q == 1 && !bgp_speaker_peer_find(sp, peer))
		return ctl_reply_error(req, 404, "not_found", "no such peer", peer);
	o = json_object_new_object();
	rc.arr = json_object_new_array();
	for (size_t i = 0; i < bgp_speaker_npeers(sp); i++) {
		struct bgp_peer *p = bgp_speaker_peer(sp, i);

		if (q == 1 && strcmp(p->conf->name, peer))
			continue;
		rc.peer = p->conf->name;
		bgp_adjin_walk(p->adjin, 0, route_cb, &rc);
	}
	json_object_object_add(o, "routes", rc.arr);
	return ctl_reply_json(req, 200, o);
}

static int
origin_cb(const struct bgp_origin *or, void *arg)
{
	json_object *o = json_object_new_object(), *comms = json_object_new_array();
	char s[PREFIX_STRLEN];

	json_object_object_add(o, "prefix", json_object_new_string(
	    prefix_format(&or->prefix, s, sizeof(s))));
	for (size_t i = 0; i < or->ncommunities; i++)
		json_object_array_add(comms, json_object_new_string(
		    bgp_community_format(or->communities[i], s, sizeof(s))));
	json_object_object_add(o, "communities", comms);
	json_object_object_add(o, "config", json_object_new_boolean(or->src & BGP_ORIGIN_CONFIG));
	json_object_object_add(o, "dynamic", json_object_new_boolean(or->src & BGP_ORIGIN_DYNAMIC));
	json_object_array_add(arg, o);
	return 0;
}

static int
h_originated(struct ctl_req *req, void *arg)
{
	struct bgp_speaker *sp = arg;
	struct prefix pfx;
	uint32_t comms[BGP_ORIGIN_COMM_MAX];
	size_t nc = 0;
	char ps[PREFIX_STRLEN + 8];
	json_object *o, *v;
	int rc;

	if (!strcmp(req->method, "GET")) {
		o = json_object_new_object();
		v = json_object_new_array();
		bgp_origin_walk(bgp_speaker_origins(sp), 0, origin_cb, v);
		json_object_object_add(o, "originated", v);
		return ctl_reply_json(req, 200, o);
	}
	if (!strcmp(req->method, "DELETE")) {
		if (ctl_query(req, "prefix", ps, sizeof(ps)) != 1 ||
		    prefix_parse(ps, &pfx, PREFIX_PARSE_STRICT))
			return ctl_reply_error(req, 400, "bad_request",
			    "prefix=ADDRESS/LENGTH query parameter required", NULL);
		rc = bgp_originate_del(sp, &pfx);
		if (rc == -ENOENT)
			return ctl_reply_error(req, 404, "not_found",
			    "prefix is not originated dynamically", ps);
		return ctl_reply_json(req, 200, NULL);
	}
	/* POST {"prefix": "...", "communities": ["65000:1", ...]} */
	if (!req->body || !json_object_object_get_ex(req->body, "prefix", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    prefix_parse(json_object_get_string(v), &pfx, PREFIX_PARSE_STRICT))
		return ctl_reply_error(req, 400, "bad_request",
		    "body must be {\"prefix\": \"ADDRESS/LENGTH\", \"communities\": [...]}",
		    "$.prefix");
	if (json_object_object_get_ex(req->body, "communities", &v)) {
		size_t n;

		if (!json_object_is_type(v, json_type_array) ||
		    (n = json_object_array_length(v)) > BGP_ORIGIN_COMM_MAX)
			return ctl_reply_error(req, 400, "bad_request",
			    "communities must be a list (max 32)", "$.communities");
		for (size_t i = 0; i < n; i++) {
			json_object *e = json_object_array_get_idx(v, i);

			if (!json_object_is_type(e, json_type_string) ||
			    bgp_community_parse(json_object_get_string(e), &comms[nc]))
				return ctl_reply_error(req, 400, "bad_request",
				    "bad community (ASN:VALUE or a well-known name)",
				    "$.communities");
			nc++;
		}
	}
	rc = bgp_originate_add(sp, &pfx, comms, nc);
	if (rc)
		return ctl_reply_error(req, 500, "internal", "cannot originate", strerror(-rc));
	return ctl_reply_json(req, 200, NULL);
}

int
bgp_control_register(struct bgp_speaker *sp, struct ctl_server *ctl)
{
	int rc = 0;

	rc |= ctl_register(ctl, "GET", "/v1/bgp/peers", h_peers, sp);
	rc |= ctl_register(ctl, "POST", "/v1/bgp/peers", h_peers, sp);
	rc |= ctl_register(ctl, "GET", "/v1/bgp/routes", h_routes, sp);
	rc |= ctl_register(ctl, "GET", "/v1/bgp/originated", h_originated, sp);
	rc |= ctl_register(ctl, "POST", "/v1/bgp/originated", h_originated, sp);
	rc |= ctl_register(ctl, "DELETE", "/v1/bgp/originated", h_originated, sp);
	return rc ? -ENOMEM : 0;
}

static void
collect(struct metrics_out *out, void *arg)
{
	struct bgp_speaker *sp = arg;
	size_t n = bgp_speaker_npeers(sp);
	char v[32];

	metrics_family(out, "cutover_bgp_peer_state", "gauge",
	    "BGP FSM state (0 Idle, 1 Connect, 2 Active, 3 OpenSent, 4 OpenConfirm, 5 Established)");
	for (size_t i = 0; i < n; i++) {
		struct bgp_peer *p = bgp_speaker_peer(sp, i);

		metrics_sample(out, "cutover_bgp_peer_state", p->fsm.state, 1, "peer", p->conf->name);
	}
	metrics_family(out, "cutover_bgp_peer_up", "gauge", "1 when the session is Established");
	for (size_t i = 0; i < n; i++) {
		struct bgp_peer *p = bgp_speaker_peer(sp, i);

		metrics_sample(out, "cutover_bgp_peer_up", p->fsm.state == BGP_STATE_ESTABLISHED,
		    1, "peer", p->conf->name);
	}
	metrics_family(out, "cutover_bgp_messages_received_total", "counter",
	    "BGP messages received by type");
	for (size_t i = 0; i < n; i++) {
		struct bgp_peer *p = bgp_speaker_peer(sp, i);

		for (int t = 1; t < BGP_STAT_TYPES; t++)
			metrics_sample(out, "cutover_bgp_messages_received_total",
			    (double)p->stats.msgs_in[t], 2, "peer", p->conf->name, "type",
			    msg_type_keys[t]);
	}
	metrics_family(out, "cutover_bgp_messages_sent_total", "counter",
	    "BGP messages sent by type");
	for (size_t i = 0; i < n; i++) {
		struct bgp_peer *p = bgp_speaker_peer(sp, i);

		for (int t = 1; t < BGP_STAT_TYPES; t++)
			metrics_sample(out, "cutover_bgp_messages_sent_total",
			    (double)p->stats.msgs_out[t], 2, "peer", p->conf->name, "type",
			    msg_type_keys[t]);
	}
	metrics_family(out, "cutover_bgp_prefixes_received", "gauge",
	    "Prefixes in the peer's Adj-RIB-In");
	for (size_t i = 0; i < n; i++) {
		struct bgp_peer *p = bgp_speaker_peer(sp, i);

		metrics_sample(out, "cutover_bgp_prefixes_received",
		    (double)bgp_adjin_count(p->adjin, AF_INET), 2, "peer", p->conf->name,
		    "family", "ipv4");
		metrics_sample(out, "cutover_bgp_prefixes_received",
		    (double)bgp_adjin_count(p->adjin, AF_INET6), 2, "peer", p->conf->name,
		    "family", "ipv6");
	}
	metrics_family(out, "cutover_bgp_treat_as_withdraw_total", "counter",
	    "UPDATEs handled as withdraw (RFC 7606)");
	for (size_t i = 0; i < n; i++) {
		struct bgp_peer *p = bgp_speaker_peer(sp, i);

		metrics_sample(out, "cutover_bgp_treat_as_withdraw_total",
		    (double)p->stats.treat_as_withdraw, 1, "peer", p->conf->name);
	}
	metrics_family(out, "cutover_bgp_session_flaps_total", "counter",
	    "Times the session left Established");
	for (size_t i = 0; i < n; i++) {
		struct bgp_peer *p = bgp_speaker_peer(sp, i);

		metrics_sample(out, "cutover_bgp_session_flaps_total", (double)p->stats.flaps, 1,
		    "peer", p->conf->name);
	}
	metrics_family(out, "cutover_bgp_prefixes_originated", "gauge", "Prefixes we originate");
	snprintf(v, sizeof(v), "ipv4");
	metrics_sample(out, "cutover_bgp_prefixes_originated",
	    (double)bgp_origin_count(bgp_speaker_origins(sp), AF_INET), 1, "family", v);
	metrics_sample(out, "cutover_bgp_prefixes_originated",
	    (double)bgp_origin_count(bgp_speaker_origins(sp), AF_INET6), 1, "family", "ipv6");
}

int
bgp_metrics_register(struct bgp_speaker *sp, struct metrics *m)
{
	return metrics_register(m, collect, sp);
}
