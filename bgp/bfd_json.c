// SPDX-License-Identifier: MIT
/*
 * JSON views of BFD sessions for the control API (`GET /v1/bgp/bfd`, `cutover bgp bfd
 * --json`): state, both sides' intervals, the detection time in force, diagnostics,
 * counters and drop reasons. Reads struct bfd_fsm through bfd_session.c's accessors;
 * owns no state. Only json-c; no HTTP here.
 */
#include <time.h>

#include <json-c/json.h>

#include "bgp/bfd.h"
#include "bgp/bfd_json.h"
#include "lib/clock.h"

static json_object *
jdiag(unsigned code)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "code", json_object_new_int((int)code));
	json_object_object_add(o, "name", json_object_new_string(bfd_diag_name(code)));
	return o;
}

static json_object *
jaddr(const struct addr *a)
{
	char s[ADDR_STRLEN];

	return json_object_new_string(addr_format(a, s, sizeof(s)));
}

static json_object *
jdrops(const uint64_t *drops)
{
	json_object *o = json_object_new_object();

	for (int d = BFD_DROP_NONE + 1; d < BFD_DROP_MAX; d++)
		json_object_object_add(o, bfd_drop_name((enum bfd_drop)d),
		    json_object_new_int64((int64_t)drops[d]));
	return o;
}

json_object *
bfd_session_json(const struct bfd_session *s)
{
	const struct bfd_fsm *f = bfd_session_fsm(s);
	json_object *o = json_object_new_object(), *cfg, *rem, *cnt;
	uint64_t now = clock_us(CLOCK_MONOTONIC), age;

	json_object_object_add(o, "name", json_object_new_string(bfd_session_name(s)));
	json_object_object_add(o, "peer", jaddr(bfd_session_peer(s)));
	json_object_object_add(o, "local", jaddr(bfd_session_local(s)));
	json_object_object_add(o, "interface", json_object_new_string(bfd_session_ifname(s)));
	json_object_object_add(o, "source_port", json_object_new_int(bfd_session_src_port(s)));
	json_object_object_add(o, "state", json_object_new_string(bfd_state_name(f->state)));
	age = f->last_change != 0 && now > f->last_change ? now - f->last_change : 0;
	json_object_object_add(o, "state_age_ms", json_object_new_int64((int64_t)(age / 1000)));
	/* wall clock of the last state change, Unix ms (for logs and measurements) */
	json_object_object_add(o, "state_since_ms",
	    json_object_new_int64((int64_t)((clock_us(CLOCK_REALTIME) - age) / 1000)));
	json_object_object_add(o, "local_discr", json_object_new_int64(f->local_discr));
	json_object_object_add(o, "remote_discr", json_object_new_int64(f->remote_discr));
	json_object_object_add(o, "local_diag", jdiag(f->local_diag));
	json_object_object_add(o, "last_down_diag", jdiag(f->last_down_diag));
	json_object_object_add(o, "tx_interval_us", json_object_new_int64(bfd_fsm_tx_interval(f)));
	json_object_object_add(o, "detect_time_us",
	    json_object_new_int64((int64_t)bfd_fsm_detect_time(f)));
	json_object_object_add(o, "poll_active", json_object_new_boolean(f->poll_active));

	cfg = json_object_new_object();
	json_object_object_add(cfg, "min_tx_us", json_object_new_int64(f->cfg.desired_min_tx_us));
	json_object_object_add(cfg, "min_rx_us", json_object_new_int64(f->cfg.required_min_rx_us));
	json_object_object_add(cfg, "multiplier", json_object_new_int(f->cfg.detect_mult));
	json_object_object_add(cfg, "advertised_min_tx_us",
	    json_object_new_int64(f->desired_min_tx));
	json_object_object_add(cfg, "advertised_min_rx_us",
	    json_object_new_int64(f->required_min_rx));
	json_object_object_add(o, "config", cfg);

	rem = json_object_new_object();
	json_object_object_add(rem, "state", json_object_new_string(bfd_state_name(f->remote_state)));
	json_object_object_add(rem, "diag", jdiag(f->remote_diag));
	json_object_object_add(rem, "min_tx_us", json_object_new_int64(f->remote_desired_min_tx));
	json_object_object_add(rem, "min_rx_us", json_object_new_int64(f->remote_min_rx));
	json_object_object_add(rem, "multiplier", json_object_new_int(f->remote_detect_mult));
	json_object_object_add(rem, "demand", json_object_new_boolean(f->remote_demand_mode));
	json_object_object_add(o, "remote", rem);

	cnt = json_object_new_object();
	json_object_object_add(cnt, "rx", json_object_new_int64((int64_t)f->cnt.rx));
	json_object_object_add(cnt, "tx", json_object_new_int64((int64_t)f->cnt.tx));
	json_object_object_add(cnt, "tx_errors", json_object_new_int64((int64_t)f->cnt.tx_errors));
	json_object_object_add(cnt, "up", json_object_new_int64((int64_t)f->cnt.up));
	json_object_object_add(cnt, "down", json_object_new_int64((int64_t)f->cnt.down));
	json_object_object_add(cnt, "polls", json_object_new_int64((int64_t)f->cnt.polls));
	json_object_object_add(cnt, "drops", jdrops(f->cnt.drops));
	json_object_object_add(o, "counters", cnt);
	return o;
}

json_object *
bfd_ctx_json(struct bfd_ctx *c)
{
	json_object *o = json_object_new_object(), *arr = json_object_new_array();

	for (struct bfd_session *s = bfd_session_first(c); s != NULL; s = bfd_session_next(s))
		json_object_array_add(arr, bfd_session_json(s));
	json_object_object_add(o, "sessions", arr);
	/* datagrams dropped before a session was found (decode, TTL, unknown session) */
	json_object_object_add(o, "drops", jdrops(bfd_ctx_drops(c)));
	return o;
}
