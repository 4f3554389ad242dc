// SPDX-License-Identifier: MIT
/*
 * RFC 4271 §8 state machine (see fsm.h). One switch per state over the events; every
 * path that ends a session goes through fsm_idle() so timers, the connection and the
 * peer's routes are always released together. Deviations from the RFC text, chosen
 * the way BIRD and OpenBGPD do it: a failed connect in Connect/Active waits in Active
 * for the ConnectRetry timer instead of going Idle, and Idle restarts by itself after
 * the IdleHold time (growing on repeated failures) unless the operator stopped it.
 */
#include "bgp/fsm.h"

#include <string.h>

#define FSM_IDLE_HOLD_MAX	120	/* s: cap of the growing restart delay */

static const char *const state_names[BGP_STATE_COUNT] = {
	[BGP_STATE_IDLE] = "Idle",
	[BGP_STATE_CONNECT] = "Connect",
	[BGP_STATE_ACTIVE] = "Active",
	[BGP_STATE_OPENSENT] = "OpenSent",
	[BGP_STATE_OPENCONFIRM] = "OpenConfirm",
	[BGP_STATE_ESTABLISHED] = "Established",
};

static const char *const event_names[BGP_EV_COUNT] = {
	[BGP_EV_MANUAL_START] = "ManualStart",
	[BGP_EV_MANUAL_STOP] = "ManualStop",
	[BGP_EV_AUTO_START] = "AutomaticStart",
	[BGP_EV_CONNECT_RETRY_EXPIRES] = "ConnectRetryTimer_Expires",
	[BGP_EV_HOLD_EXPIRES] = "HoldTimer_Expires",
	[BGP_EV_KEEPALIVE_EXPIRES] = "KeepaliveTimer_Expires",
	[BGP_EV_DELAY_OPEN_EXPIRES] = "DelayOpenTimer_Expires",
	[BGP_EV_IDLE_HOLD_EXPIRES] = "IdleHoldTimer_Expires",
	[BGP_EV_TCP_CONNECTED] = "TcpConnectionConfirmed",
	[BGP_EV_TCP_FAILED] = "TcpConnectionFails",
	[BGP_EV_OPEN_RECV] = "BGPOpen",
	[BGP_EV_HEADER_ERR] = "BGPHeaderErr",
	[BGP_EV_OPEN_ERR] = "BGPOpenMsgErr",
	[BGP_EV_OPEN_COLLISION_DUMP] = "OpenCollisionDump",
	[BGP_EV_NOTIF_VERSION_ERR] = "NotifMsgVerErr",
	[BGP_EV_NOTIF_RECV] = "NotifMsg",
	[BGP_EV_KEEPALIVE_RECV] = "KeepAliveMsg",
	[BGP_EV_UPDATE_RECV] = "UpdateMsg",
	[BGP_EV_UPDATE_ERR] = "UpdateMsgErr",
	[BGP_EV_ROUTE_REFRESH_RECV] = "RouteRefreshMsg",
	[BGP_EV_ADMIN_RESET] = "AdminReset",
};

static const char *const timer_names[BGP_TIMER_COUNT] = {
	[BGP_TIMER_CONNECT_RETRY] = "connect-retry",
	[BGP_TIMER_HOLD] = "hold",
	[BGP_TIMER_KEEPALIVE] = "keepalive",
	[BGP_TIMER_DELAY_OPEN] = "delay-open",
	[BGP_TIMER_IDLE_HOLD] = "idle-hold",
};

static const enum bgp_event timer_events[BGP_TIMER_COUNT] = {
	[BGP_TIMER_CONNECT_RETRY] = BGP_EV_CONNECT_RETRY_EXPIRES,
	[BGP_TIMER_HOLD] = BGP_EV_HOLD_EXPIRES,
	[BGP_TIMER_KEEPALIVE] = BGP_EV_KEEPALIVE_EXPIRES,
	[BGP_TIMER_DELAY_OPEN] = BGP_EV_DELAY_OPEN_EXPIRES,
	[BGP_TIMER_IDLE_HOLD] = BGP_EV_IDLE_HOLD_EXPIRES,
};

const char *
bgp_state_name(enum bgp_state s)
{
	return (unsigned)s < BGP_STATE_COUNT ? state_names[s] : "?";
}

const char *
bgp_event_name(enum bgp_event ev)
{
	return (unsigned)ev < BGP_EV_COUNT ? event_names[ev] : "?";
}

const char *
bgp_timer_name(enum bgp_timer t)
{
	return (unsigned)t < BGP_TIMER_COUNT ? timer_names[t] : "?";
}

static uint64_t
fsm_now(const struct bgp_fsm *fsm)
{
	return fsm->ops->now(fsm->ctx);
}

void
bgp_fsm_init(struct bgp_fsm *fsm, const struct bgp_fsm_conf *conf,
    const struct bgp_fsm_ops *ops, void *ctx)
{
	memset(fsm, 0, sizeof(*fsm));
	fsm->conf = *conf;
	if (fsm->conf.connect_retry == 0)
		fsm->conf.connect_retry = 1;
	if (fsm->conf.idle_hold == 0)
		fsm->conf.idle_hold = 1;
	fsm->ops = ops;
	fsm->ctx = ctx;
	fsm->state = BGP_STATE_IDLE;
	fsm->admin_down = true;
	fsm->state_since = fsm_now(fsm);
	fsm->last_event = BGP_EV_COUNT;
}

void
bgp_timer_set_ms(struct bgp_fsm *fsm, enum bgp_timer t, uint64_t ms)
{
	uint64_t d = ms ? fsm_now(fsm) + ms : 0;

	if (d == 0 && ms)
		d = 1;
	if (fsm->deadline[t] == d)
		return;
	fsm->deadline[t] = d;
	if (fsm->ops->timers_changed)
		fsm->ops->timers_changed(fsm->ctx);
}

void
bgp_timer_set(struct bgp_fsm *fsm, enum bgp_timer t, unsigned secs)
{
	bgp_timer_set_ms(fsm, t, (uint64_t)secs * 1000);
}

bool
bgp_timer_running(const struct bgp_fsm *fsm, enum bgp_timer t)
{
	return fsm->deadline[t] != 0;
}

uint64_t
bgp_fsm_next_deadline(const struct bgp_fsm *fsm)
{
	uint64_t best = 0;

	for (int t = 0; t < BGP_TIMER_COUNT; t++)
		if (fsm->deadline[t] && (best == 0 || fsm->deadline[t] < best))
			best = fsm->deadline[t];
	return best;
}

static void
fsm_timers_stop(struct bgp_fsm *fsm)
{
	bool changed = false;

	for (int t = 0; t < BGP_TIMER_COUNT; t++) {
		if (fsm->deadline[t])
			changed = true;
		fsm->deadline[t] = 0;
	}
	if (changed && fsm->ops->timers_changed)
		fsm->ops->timers_changed(fsm->ctx);
}

void
bgp_change_state(struct bgp_fsm *fsm, enum bgp_state to, enum bgp_event why)
{
	enum bgp_state from = fsm->state;

	fsm->last_event = why;
	if (from == to)
		return;
	fsm->state = to;
	fsm->state_since = fsm_now(fsm);
	if (to == BGP_STATE_ESTABLISHED) {
		fsm->established_at = fsm->state_since;
		fsm->established_count++;
		fsm->connect_retry_counter = 0;
	}
	if (fsm->ops->state_changed)
		fsm->ops->state_changed(fsm->ctx, from, to, why);
	if (from == BGP_STATE_ESTABLISHED && fsm->ops->down)
		fsm->ops->down(fsm->ctx);
	if (to == BGP_STATE_ESTABLISHED && fsm->ops->established)
		fsm->ops->established(fsm->ctx);
}

static void
fsm_notify(struct bgp_fsm *fsm, uint8_t code, uint8_t subcode, const uint8_t *data,
    size_t len)
{
	if (len > BGP_FSM_NOTIF_DATA_MAX)
		len = BGP_FSM_NOTIF_DATA_MAX;
	fsm->last_err_code = code;
	fsm->last_err_subcode = subcode;
	fsm->last_err_sent = true;
	if (fsm->ops->send_notification)
		fsm->ops->send_notification(fsm->ctx, code, subcode, data, len);
}

static void
fsm_notify_msg(struct bgp_fsm *fsm, const struct bgp_fsm_msg *msg, uint8_t dflt_code,
    uint8_t dflt_sub)
{
	if (msg && msg->code)
		fsm_notify(fsm, msg->code, msg->subcode, msg->data, msg->datalen);
	else
		fsm_notify(fsm, dflt_code, dflt_sub, NULL, 0);
}

static void
fsm_disconnect(struct bgp_fsm *fsm)
{
	if (fsm->ops->disconnect)
		fsm->ops->disconnect(fsm->ctx);
}

/*
 * Every way down ends here: stop timers, drop the connection, leave the state, and
 * unless the operator stopped the peer, schedule an automatic restart.
 * count: the failure counts toward connect_retry_counter (and a longer IdleHold).
 */
static void
fsm_idle(struct bgp_fsm *fsm, enum bgp_event why, bool count)
{
	unsigned delay, shift;

	fsm_timers_stop(fsm);
	fsm_disconnect(fsm);
	if (count)
		fsm->connect_retry_counter++;
	bgp_change_state(fsm, BGP_STATE_IDLE, why);
	if (fsm->admin_down)
		return;
	shift = fsm->connect_retry_counter > 1 ? fsm->connect_retry_counter - 1 : 0;
	if (shift > 6)
		shift = 6;
	delay = (unsigned)fsm->conf.idle_hold << shift;
	if (delay > FSM_IDLE_HOLD_MAX)
		delay = FSM_IDLE_HOLD_MAX;
	fsm->idle_hold_next = delay;
	bgp_timer_set(fsm, BGP_TIMER_IDLE_HOLD, delay);
}

static void
fsm_start(struct bgp_fsm *fsm, enum bgp_event ev)
{
	bgp_timer_set(fsm, BGP_TIMER_IDLE_HOLD, 0);
	bgp_timer_set(fsm, BGP_TIMER_CONNECT_RETRY, fsm->conf.connect_retry);
	if (fsm->conf.passive) {
		bgp_change_state(fsm, BGP_STATE_ACTIVE, ev);
		return;
	}
	bgp_change_state(fsm, BGP_STATE_CONNECT, ev);
	if (fsm->ops->connect)
		fsm->ops->connect(fsm->ctx);
}

static void
fsm_manual_stop(struct bgp_fsm *fsm, const struct bgp_fsm_msg *msg, bool send)
{
	fsm->admin_down = true;
	if (send)
		fsm_notify_msg(fsm, msg, BGP_FSM_NOTIF_CEASE, BGP_FSM_SUB_CEASE_ADMIN_SHUTDOWN);
	fsm_idle(fsm, BGP_EV_MANUAL_STOP, false);
	fsm->connect_retry_counter = 0;
}

static void
fsm_open_sent(struct bgp_fsm *fsm, enum bgp_event ev)
{
	bgp_timer_set(fsm, BGP_TIMER_CONNECT_RETRY, 0);
	bgp_timer_set(fsm, BGP_TIMER_DELAY_OPEN, 0);
	if (fsm->ops->send_open)
		fsm->ops->send_open(fsm->ctx);
	/* RFC 4271 §8.2.2: a large hold time until the peer's OPEN arrives. */
	bgp_timer_set(fsm, BGP_TIMER_HOLD, BGP_FSM_OPENSENT_HOLD);
	bgp_change_state(fsm, BGP_STATE_OPENSENT, ev);
}

static void
fsm_negotiate(struct bgp_fsm *fsm, const struct bgp_fsm_msg *msg)
{
	uint16_t hold = fsm->conf.hold_time;
	uint16_t ka;

	if (msg && msg->hold_time < hold)
		hold = msg->hold_time;
	ka = hold / 3;
	if (fsm->conf.keepalive && fsm->conf.keepalive < ka)
		ka = fsm->conf.keepalive;
	if (hold && ka == 0)
		ka = 1;
	fsm->hold_time = hold;
	fsm->keepalive = hold ? ka : 0;
	fsm->remote_id = msg ? msg->remote_id : 0;
}

/* OPEN accepted: reply KEEPALIVE, arm the negotiated timers, go OpenConfirm. */
static void
fsm_open_confirm(struct bgp_fsm *fsm, const struct bgp_fsm_msg *msg, bool send_open)
{
	bgp_timer_set(fsm, BGP_TIMER_CONNECT_RETRY, 0);
	bgp_timer_set(fsm, BGP_TIMER_DELAY_OPEN, 0);
	fsm_negotiate(fsm, msg);
	if (send_open && fsm->ops->send_open)
		fsm->ops->send_open(fsm->ctx);
	if (fsm->ops->send_keepalive)
		fsm->ops->send_keepalive(fsm->ctx);
	bgp_timer_set(fsm, BGP_TIMER_HOLD, fsm->hold_time);
	bgp_timer_set(fsm, BGP_TIMER_KEEPALIVE, fsm->keepalive);
	bgp_change_state(fsm, BGP_STATE_OPENCONFIRM, BGP_EV_OPEN_RECV);
}

static void
fsm_tcp_connected(struct bgp_fsm *fsm, enum bgp_event ev)
{
	bgp_timer_set(fsm, BGP_TIMER_CONNECT_RETRY, 0);
	if (fsm->conf.delay_open) {
		bgp_timer_set(fsm, BGP_TIMER_DELAY_OPEN, fsm->conf.delay_open);
		return;
	}
	fsm_open_sent(fsm, ev);
}

/* Common error handling of Connect/Active (RFC 4271 §8.2.2, "any other event"). */
static void
fsm_connect_active(struct bgp_fsm *fsm, enum bgp_event ev, const struct bgp_fsm_msg *msg)
{
	switch (ev) {
	case BGP_EV_MANUAL_STOP:
		fsm_manual_stop(fsm, msg, false);
		break;
	case BGP_EV_CONNECT_RETRY_EXPIRES:
		fsm_disconnect(fsm);
		bgp_timer_set(fsm, BGP_TIMER_DELAY_OPEN, 0);
		bgp_timer_set(fsm, BGP_TIMER_CONNECT_RETRY, fsm->conf.connect_retry);
		if (fsm->conf.passive) {
			bgp_change_state(fsm, BGP_STATE_ACTIVE, ev);
			break;
		}
		bgp_change_state(fsm, BGP_STATE_CONNECT, ev);
		if (fsm->ops->connect)
			fsm->ops->connect(fsm->ctx);
		break;
	case BGP_EV_DELAY_OPEN_EXPIRES:
		fsm_open_sent(fsm, ev);
		break;
	case BGP_EV_TCP_CONNECTED:
		fsm_tcp_connected(fsm, ev);
		break;
	case BGP_EV_TCP_FAILED:
		fsm_disconnect(fsm);
		bgp_timer_set(fsm, BGP_TIMER_DELAY_OPEN, 0);
		bgp_timer_set(fsm, BGP_TIMER_CONNECT_RETRY, fsm->conf.connect_retry);
		bgp_change_state(fsm, BGP_STATE_ACTIVE, ev);
		break;
	case BGP_EV_OPEN_RECV:
		if (bgp_timer_running(fsm, BGP_TIMER_DELAY_OPEN)) {
			/* RFC 4271 §8.2.2 event 20: OPEN while DelayOpen runs. */
			fsm_open_confirm(fsm, msg, true);
			break;
		}
		fsm_idle(fsm, ev, true);
		break;
	case BGP_EV_HEADER_ERR:
	case BGP_EV_OPEN_ERR:
		fsm_notify_msg(fsm, msg, BGP_FSM_NOTIF_FSM_ERROR, 0);
		fsm_idle(fsm, ev, true);
		break;
	case BGP_EV_NOTIF_VERSION_ERR:
		fsm_idle(fsm, ev, !bgp_timer_running(fsm, BGP_TIMER_DELAY_OPEN));
		break;
	case BGP_EV_MANUAL_START:
	case BGP_EV_AUTO_START:
		break;
	case BGP_EV_ADMIN_RESET:
		fsm_idle(fsm, ev, false);
		break;
	default:
		fsm_idle(fsm, ev, true);
		break;
	}
}

/*
 * Events that OpenSent, OpenConfirm and Established handle the same way
 * (RFC 4271 §8.2.2): start ignored, stops, hold expiry, NOTIFICATION and
 * collision dump. Returns true when ev was one of them.
 */
static bool
fsm_open_common_event(struct bgp_fsm *fsm, enum bgp_event ev, const struct bgp_fsm_msg *msg)
{
	switch (ev) {
	case BGP_EV_MANUAL_START:
	case BGP_EV_AUTO_START:
		break;
	case BGP_EV_MANUAL_STOP:
		fsm_manual_stop(fsm, msg, true);
		break;
	case BGP_EV_ADMIN_RESET:
		fsm_notify_msg(fsm, msg, BGP_FSM_NOTIF_CEASE, BGP_FSM_SUB_CEASE_ADMIN_SHUTDOWN);
		fsm_idle(fsm, ev, false);
		break;
	case BGP_EV_HOLD_EXPIRES:
		fsm_notify(fsm, BGP_FSM_NOTIF_HOLD_EXPIRED, 0, NULL, 0);
		fsm_idle(fsm, ev, true);
		break;
	case BGP_EV_NOTIF_RECV:
		fsm_idle(fsm, ev, true);
		break;
	case BGP_EV_OPEN_COLLISION_DUMP:
		fsm_notify(fsm, BGP_FSM_NOTIF_CEASE, BGP_FSM_SUB_CEASE_COLLISION, NULL, 0);
		fsm_idle(fsm, ev, true);
		break;
	default:
		return false;
	}
	return true;
}

static void
fsm_opensent(struct bgp_fsm *fsm, enum bgp_event ev, const struct bgp_fsm_msg *msg)
{
	if (fsm_open_common_event(fsm, ev, msg))
		return;
	switch (ev) {
	case BGP_EV_TCP_FAILED:
		fsm_disconnect(fsm);
		bgp_timer_set(fsm, BGP_TIMER_HOLD, 0);
		bgp_timer_set(fsm, BGP_TIMER_CONNECT_RETRY, fsm->conf.connect_retry);
		bgp_change_state(fsm, BGP_STATE_ACTIVE, ev);
		break;
	case BGP_EV_OPEN_RECV:
		fsm_open_confirm(fsm, msg, false);
		break;
	case BGP_EV_HEADER_ERR:
	case BGP_EV_OPEN_ERR:
		fsm_notify_msg(fsm, msg, BGP_FSM_NOTIF_FSM_ERROR, BGP_FSM_SUB_FSM_OPENSENT);
		fsm_idle(fsm, ev, true);
		break;
	case BGP_EV_NOTIF_VERSION_ERR:
		fsm_idle(fsm, ev, false);
		break;
	default:
		/* RFC 6608: unexpected message or timer in OpenSent. */
		fsm_notify(fsm, BGP_FSM_NOTIF_FSM_ERROR, BGP_FSM_SUB_FSM_OPENSENT, NULL, 0);
		fsm_idle(fsm, ev, true);
		break;
	}
}

/*
 * Events that OpenConfirm and Established handle the same way (RFC 4271 §8.2.2):
 * those of fsm_open_common_event, the keepalive timer and TCP failure. Returns
 * true when ev was one of them.
 */
static bool
fsm_synced_event(struct bgp_fsm *fsm, enum bgp_event ev, const struct bgp_fsm_msg *msg)
{
	if (fsm_open_common_event(fsm, ev, msg))
		return true;
	switch (ev) {
	case BGP_EV_KEEPALIVE_EXPIRES:
		if (fsm->ops->send_keepalive)
			fsm->ops->send_keepalive(fsm->ctx);
		bgp_timer_set(fsm, BGP_TIMER_KEEPALIVE, fsm->keepalive);
		break;
	case BGP_EV_TCP_FAILED:
		fsm_idle(fsm, ev, true);
		break;
	default:
		return false;
	}
	return true;
}

static void
fsm_openconfirm(struct bgp_fsm *fsm, enum bgp_event ev, const struct bgp_fsm_msg *msg)
{
	if (fsm_synced_event(fsm, ev, msg))
		return;
	switch (ev) {
	case BGP_EV_NOTIF_VERSION_ERR:
		fsm_idle(fsm, ev, false);
		break;
	case BGP_EV_HEADER_ERR:
	case BGP_EV_OPEN_ERR:
		fsm_notify_msg(fsm, msg, BGP_FSM_NOTIF_FSM_ERROR, BGP_FSM_SUB_FSM_OPENCONFIRM);
		fsm_idle(fsm, ev, true);
		break;
	case BGP_EV_KEEPALIVE_RECV:
		bgp_timer_set(fsm, BGP_TIMER_HOLD, fsm->hold_time);
		bgp_change_state(fsm, BGP_STATE_ESTABLISHED, ev);
		break;
	default:
		fsm_notify(fsm, BGP_FSM_NOTIF_FSM_ERROR, BGP_FSM_SUB_FSM_OPENCONFIRM, NULL, 0);
		fsm_idle(fsm, ev, true);
		break;
	}
}

static void
fsm_established(struct bgp_fsm *fsm, enum bgp_event ev, const struct bgp_fsm_msg *msg)
{
	if (fsm_synced_event(fsm, ev, msg))
		return;
	switch (ev) {
	case BGP_EV_KEEPALIVE_RECV:
	case BGP_EV_UPDATE_RECV:
	case BGP_EV_ROUTE_REFRESH_RECV:
		bgp_timer_set(fsm, BGP_TIMER_HOLD, fsm->hold_time);
		break;
	case BGP_EV_NOTIF_VERSION_ERR:
		fsm_idle(fsm, ev, true);
		break;
	case BGP_EV_HEADER_ERR:
	case BGP_EV_OPEN_ERR:
	case BGP_EV_UPDATE_ERR:
		fsm_notify_msg(fsm, msg, BGP_FSM_NOTIF_FSM_ERROR, BGP_FSM_SUB_FSM_ESTABLISHED);
		fsm_idle(fsm, ev, true);
		break;
	default:
		fsm_notify(fsm, BGP_FSM_NOTIF_FSM_ERROR, BGP_FSM_SUB_FSM_ESTABLISHED, NULL, 0);
		fsm_idle(fsm, ev, true);
		break;
	}
}

void
bgp_fsm(struct bgp_fsm *fsm, enum bgp_event ev, const struct bgp_fsm_msg *msg)
{
	if ((unsigned)ev >= BGP_EV_COUNT)
		return;
	if (ev == BGP_EV_NOTIF_RECV || ev == BGP_EV_NOTIF_VERSION_ERR) {
		if (msg) {
			fsm->last_err_code = msg->code;
			fsm->last_err_subcode = msg->subcode;
			fsm->last_err_sent = false;
		}
	}
	switch (fsm->state) {
	case BGP_STATE_IDLE:
		switch (ev) {
		case BGP_EV_MANUAL_START:
			fsm->admin_down = false;
			fsm->connect_retry_counter = 0;
			fsm_start(fsm, ev);
			break;
		case BGP_EV_AUTO_START:
		case BGP_EV_IDLE_HOLD_EXPIRES:
			if (!fsm->admin_down)
				fsm_start(fsm, ev);
			break;
		case BGP_EV_MANUAL_STOP:
			fsm->admin_down = true;
			bgp_timer_set(fsm, BGP_TIMER_IDLE_HOLD, 0);
			break;
		case BGP_EV_TCP_CONNECTED:
			/* RFC 4271 §8.2.2: Idle refuses connections. */
			fsm_disconnect(fsm);
			break;
		default:
			break;
		}
		break;
	case BGP_STATE_CONNECT:
	case BGP_STATE_ACTIVE:
		fsm_connect_active(fsm, ev, msg);
		break;
	case BGP_STATE_OPENSENT:
		fsm_opensent(fsm, ev, msg);
		break;
	case BGP_STATE_OPENCONFIRM:
		fsm_openconfirm(fsm, ev, msg);
		break;
	case BGP_STATE_ESTABLISHED:
		fsm_established(fsm, ev, msg);
		break;
	default:
		break;
	}
}

int
bgp_fsm_tick(struct bgp_fsm *fsm)
{
	int fired = 0;
	uint64_t now = fsm_now(fsm);

	for (int t = 0; t < BGP_TIMER_COUNT; t++) {
		if (fsm->deadline[t] == 0 || fsm->deadline[t] > now)
			continue;
		fsm->deadline[t] = 0;
		fired++;
		bgp_fsm(fsm, timer_events[t], NULL);
	}
	if (fired && fsm->ops->timers_changed)
		fsm->ops->timers_changed(fsm->ctx);
	return fired;
}

bool
bgp_fsm_collision_keep_new(const struct bgp_fsm *fsm, uint32_t local_id,
    uint32_t remote_id, bool existing_is_outgoing)
{
	bool local_higher;

	if (fsm->state == BGP_STATE_ESTABLISHED)
		return false;
	if (local_id == remote_id)
		return false;
	/* RFC 4271 §6.8: keep the connection initiated by the higher identifier. */
	local_higher = local_id > remote_id;
	if (existing_is_outgoing)
		return !local_higher;	/* new is incoming, opened by the remote side */
	return local_higher;		/* new is outgoing, opened by us */
}

int
bgp_fsm_incoming(const struct bgp_fsm *fsm)
{
	switch (fsm->state) {
	case BGP_STATE_CONNECT:
	case BGP_STATE_ACTIVE:
		return 1;
	case BGP_STATE_OPENSENT:
	case BGP_STATE_OPENCONFIRM:
		return 0;
	default:
		return -1;
	}
}
