// SPDX-License-Identifier: MIT
/*
 * bgp/fsm: RFC 4271 §8 transition table, timers on an injected clock, hold time
 * negotiation, automatic restart, DelayOpen and the §6.8 collision verdict. Actions
 * the FSM asks for are recorded as a compact log ("open ka notif(4/0) disc") and
 * compared per row.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "bgp/fsm.h"

struct rec {
	uint64_t	 now;
	char		 log[512];
	int		 ups, downs;
};

static void
rec_add(struct rec *r, const char *s)
{
	size_t n = strlen(r->log);

	snprintf(r->log + n, sizeof(r->log) - n, "%s%s", n ? " " : "", s);
}

static uint64_t op_now(void *c) { return ((struct rec *)c)->now; }
static void op_connect(void *c) { rec_add(c, "connect"); }
static void op_disconnect(void *c) { rec_add(c, "disc"); }
static void op_open(void *c) { rec_add(c, "open"); }
static void op_ka(void *c) { rec_add(c, "ka"); }
static void op_up(void *c) { ((struct rec *)c)->ups++; rec_add(c, "up"); }
static void op_down(void *c) { ((struct rec *)c)->downs++; rec_add(c, "down"); }

static void
op_notif(void *c, uint8_t code, uint8_t sub, const uint8_t *data, size_t len)
{
	char s[32];

	(void)data;
	snprintf(s, sizeof(s), "notif(%u/%u%s)", code, sub, len ? "+d" : "");
	rec_add(c, s);
}

static const struct bgp_fsm_ops ops = {
	.now = op_now,
	.connect = op_connect,
	.disconnect = op_disconnect,
	.send_open = op_open,
	.send_keepalive = op_ka,
	.send_notification = op_notif,
	.established = op_up,
	.down = op_down,
};

static const struct bgp_fsm_conf conf_active = {
	.hold_time = 90, .connect_retry = 5, .idle_hold = 2,
};

struct fx {
	struct bgp_fsm	 fsm;
	struct rec	 rec;
};

static void
fx_init(struct fx *f, const struct bgp_fsm_conf *conf)
{
	memset(f, 0, sizeof(*f));
	f->rec.now = 1000;
	bgp_fsm_init(&f->fsm, conf, &ops, &f->rec);
}

static void
ev(struct fx *f, enum bgp_event e)
{
	bgp_fsm(&f->fsm, e, NULL);
}

static void
ev_open(struct fx *f, uint16_t hold, uint32_t id)
{
	struct bgp_fsm_msg m = { .hold_time = hold, .remote_id = id };

	bgp_fsm(&f->fsm, BGP_EV_OPEN_RECV, &m);
}

/* Drive a fresh FSM to state s by the shortest legal path. */
static void
drive(struct fx *f, enum bgp_state s, bool passive)
{
	struct bgp_fsm_conf c = conf_active;

	c.passive = passive;
	fx_init(f, &c);
	if (s == BGP_STATE_IDLE)
		goto out;
	ev(f, BGP_EV_MANUAL_START);
	if (s == BGP_STATE_CONNECT || (s == BGP_STATE_ACTIVE && passive))
		goto out;
	if (s == BGP_STATE_ACTIVE) {
		ev(f, BGP_EV_TCP_FAILED);
		goto out;
	}
	ev(f, BGP_EV_TCP_CONNECTED);
	if (s == BGP_STATE_OPENSENT)
		goto out;
	ev_open(f, 9, 0x0a000001);
	if (s == BGP_STATE_OPENCONFIRM)
		goto out;
	ev(f, BGP_EV_KEEPALIVE_RECV);
out:
	assert_int_equal(f->fsm.state, s);
	f->rec.log[0] = '\0';
}

struct row {
	const char	*name;
	enum bgp_state	 from;
	bool		 passive;
	enum bgp_event	 ev;
	uint8_t		 code, sub;	/* NOTIFICATION carried by an error event */
	enum bgp_state	 to;
	const char	*log;
};

/* RFC 4271 §8.2.2 per state; RFC 6608 subcodes for unexpected messages. */
static const struct row rows[] = {
	{ "idle-manual-start-active", BGP_STATE_IDLE, false, BGP_EV_MANUAL_START, 0, 0,
	  BGP_STATE_CONNECT, "connect" },
	{ "idle-manual-start-passive", BGP_STATE_IDLE, true, BGP_EV_MANUAL_START, 0, 0,
	  BGP_STATE_ACTIVE, "" },
	{ "idle-refuses-tcp", BGP_STATE_IDLE, false, BGP_EV_TCP_CONNECTED, 0, 0,
	  BGP_STATE_IDLE, "disc" },
	{ "idle-ignores-open", BGP_STATE_IDLE, false, BGP_EV_OPEN_RECV, 0, 0,
	  BGP_STATE_IDLE, "" },
	{ "idle-auto-start-while-admin-down", BGP_STATE_IDLE, false, BGP_EV_AUTO_START, 0, 0,
	  BGP_STATE_IDLE, "" },
	{ "connect-tcp-ok-sends-open", BGP_STATE_CONNECT, false, BGP_EV_TCP_CONNECTED, 0, 0,
	  BGP_STATE_OPENSENT, "open" },
	{ "connect-tcp-fails-to-active", BGP_STATE_CONNECT, false, BGP_EV_TCP_FAILED, 0, 0,
	  BGP_STATE_ACTIVE, "disc" },
	{ "connect-retry-reconnects", BGP_STATE_CONNECT, false,
	  BGP_EV_CONNECT_RETRY_EXPIRES, 0, 0, BGP_STATE_CONNECT, "disc connect" },
	{ "connect-manual-stop", BGP_STATE_CONNECT, false, BGP_EV_MANUAL_STOP, 0, 0,
	  BGP_STATE_IDLE, "disc" },
	{ "connect-keepalive-is-error", BGP_STATE_CONNECT, false, BGP_EV_KEEPALIVE_RECV, 0, 0,
	  BGP_STATE_IDLE, "disc" },
	{ "connect-header-error", BGP_STATE_CONNECT, false, BGP_EV_HEADER_ERR, 1, 2,
	  BGP_STATE_IDLE, "notif(1/2) disc" },
	{ "active-retry-connects", BGP_STATE_ACTIVE, false, BGP_EV_CONNECT_RETRY_EXPIRES, 0, 0,
	  BGP_STATE_CONNECT, "disc connect" },
	{ "active-passive-retry-waits", BGP_STATE_ACTIVE, true,
	  BGP_EV_CONNECT_RETRY_EXPIRES, 0, 0, BGP_STATE_ACTIVE, "disc" },
	{ "active-incoming-sends-open", BGP_STATE_ACTIVE, true, BGP_EV_TCP_CONNECTED, 0, 0,
	  BGP_STATE_OPENSENT, "open" },
	{ "active-update-is-error", BGP_STATE_ACTIVE, true, BGP_EV_UPDATE_RECV, 0, 0,
	  BGP_STATE_IDLE, "disc" },
	{ "opensent-open-ok", BGP_STATE_OPENSENT, false, BGP_EV_OPEN_RECV, 0, 0,
	  BGP_STATE_OPENCONFIRM, "ka" },
	{ "opensent-hold-expires", BGP_STATE_OPENSENT, false, BGP_EV_HOLD_EXPIRES, 0, 0,
	  BGP_STATE_IDLE, "notif(4/0) disc" },
	{ "opensent-tcp-fails-to-active", BGP_STATE_OPENSENT, false, BGP_EV_TCP_FAILED, 0, 0,
	  BGP_STATE_ACTIVE, "disc" },
	{ "opensent-open-error", BGP_STATE_OPENSENT, false, BGP_EV_OPEN_ERR, 2, 2,
	  BGP_STATE_IDLE, "notif(2/2) disc" },
	{ "opensent-keepalive-fsm-error", BGP_STATE_OPENSENT, false, BGP_EV_KEEPALIVE_RECV,
	  0, 0, BGP_STATE_IDLE, "notif(5/1) disc" },
	{ "opensent-update-fsm-error", BGP_STATE_OPENSENT, false, BGP_EV_UPDATE_RECV, 0, 0,
	  BGP_STATE_IDLE, "notif(5/1) disc" },
	{ "opensent-collision-dump", BGP_STATE_OPENSENT, false, BGP_EV_OPEN_COLLISION_DUMP,
	  0, 0, BGP_STATE_IDLE, "notif(6/7) disc" },
	{ "opensent-notif-recv", BGP_STATE_OPENSENT, false, BGP_EV_NOTIF_RECV, 6, 2,
	  BGP_STATE_IDLE, "disc" },
	{ "opensent-manual-stop-cease", BGP_STATE_OPENSENT, false, BGP_EV_MANUAL_STOP, 0, 0,
	  BGP_STATE_IDLE, "notif(6/2) disc" },
	{ "openconfirm-keepalive-up", BGP_STATE_OPENCONFIRM, false, BGP_EV_KEEPALIVE_RECV,
	  0, 0, BGP_STATE_ESTABLISHED, "up" },
	{ "openconfirm-ka-timer-sends", BGP_STATE_OPENCONFIRM, false,
	  BGP_EV_KEEPALIVE_EXPIRES, 0, 0, BGP_STATE_OPENCONFIRM, "ka" },
	{ "openconfirm-update-fsm-error", BGP_STATE_OPENCONFIRM, false, BGP_EV_UPDATE_RECV,
	  0, 0, BGP_STATE_IDLE, "notif(5/2) disc" },
	{ "openconfirm-second-open-fsm-error", BGP_STATE_OPENCONFIRM, false,
	  BGP_EV_OPEN_RECV, 0, 0, BGP_STATE_IDLE, "notif(5/2) disc" },
	{ "openconfirm-hold-expires", BGP_STATE_OPENCONFIRM, false, BGP_EV_HOLD_EXPIRES, 0, 0,
	  BGP_STATE_IDLE, "notif(4/0) disc" },
	{ "openconfirm-notif", BGP_STATE_OPENCONFIRM, false, BGP_EV_NOTIF_RECV, 6, 4,
	  BGP_STATE_IDLE, "disc" },
	{ "established-update", BGP_STATE_ESTABLISHED, false, BGP_EV_UPDATE_RECV, 0, 0,
	  BGP_STATE_ESTABLISHED, "" },
	{ "established-keepalive", BGP_STATE_ESTABLISHED, false, BGP_EV_KEEPALIVE_RECV, 0, 0,
	  BGP_STATE_ESTABLISHED, "" },
	{ "established-refresh", BGP_STATE_ESTABLISHED, false, BGP_EV_ROUTE_REFRESH_RECV, 0, 0,
	  BGP_STATE_ESTABLISHED, "" },
	{ "established-ka-timer", BGP_STATE_ESTABLISHED, false, BGP_EV_KEEPALIVE_EXPIRES, 0, 0,
	  BGP_STATE_ESTABLISHED, "ka" },
	{ "established-update-error", BGP_STATE_ESTABLISHED, false, BGP_EV_UPDATE_ERR, 3, 1,
	  BGP_STATE_IDLE, "notif(3/1) disc down" },
	{ "established-hold-expires", BGP_STATE_ESTABLISHED, false, BGP_EV_HOLD_EXPIRES, 0, 0,
	  BGP_STATE_IDLE, "notif(4/0) disc down" },
	{ "established-open-fsm-error", BGP_STATE_ESTABLISHED, false, BGP_EV_OPEN_RECV, 0, 0,
	  BGP_STATE_IDLE, "notif(5/3) disc down" },
	{ "established-tcp-fails", BGP_STATE_ESTABLISHED, false, BGP_EV_TCP_FAILED, 0, 0,
	  BGP_STATE_IDLE, "disc down" },
	{ "established-notif", BGP_STATE_ESTABLISHED, false, BGP_EV_NOTIF_RECV, 6, 2,
	  BGP_STATE_IDLE, "disc down" },
	{ "established-manual-stop", BGP_STATE_ESTABLISHED, false, BGP_EV_MANUAL_STOP, 0, 0,
	  BGP_STATE_IDLE, "notif(6/2) disc down" },
	{ "established-admin-reset", BGP_STATE_ESTABLISHED, false, BGP_EV_ADMIN_RESET, 6, 1,
	  BGP_STATE_IDLE, "notif(6/1) disc down" },
	{ "established-start-ignored", BGP_STATE_ESTABLISHED, false, BGP_EV_MANUAL_START, 0, 0,
	  BGP_STATE_ESTABLISHED, "" },
};

static void
test_fsm_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct bgp_fsm_msg m = { .code = r->code, .subcode = r->sub, .hold_time = 9 };
		struct fx f;

		drive(&f, r->from, r->passive);
		bgp_fsm(&f.fsm, r->ev, &m);
		if (f.fsm.state != r->to || strcmp(f.rec.log, r->log) != 0)
			fail_msg("row %s: state %s log '%s', want %s '%s'", r->name,
			    bgp_state_name(f.fsm.state), f.rec.log, bgp_state_name(r->to),
			    r->log);
	}
}

static void
advance(struct fx *f, uint64_t ms)
{
	f->rec.now += ms;
	bgp_fsm_tick(&f->fsm);
}

static void
test_fsm_keepalive_and_hold_timers(void **state)
{
	struct fx f;

	(void)state;
	drive(&f, BGP_STATE_ESTABLISHED, false);
	/* hold min(90, 9) = 9, keepalive 9/3 = 3 s */
	assert_int_equal(f.fsm.hold_time, 9);
	assert_int_equal(f.fsm.keepalive, 3);
	assert_int_equal(bgp_fsm_next_deadline(&f.fsm), f.rec.now + 3000);
	advance(&f, 2999);
	assert_string_equal(f.rec.log, "");
	advance(&f, 1);
	assert_string_equal(f.rec.log, "ka");
	advance(&f, 3000);
	assert_string_equal(f.rec.log, "ka ka");
	/* an UPDATE restarts the hold timer: 9 s from now */
	ev(&f, BGP_EV_UPDATE_RECV);
	f.rec.log[0] = '\0';
	advance(&f, 8000);
	assert_int_equal(f.fsm.state, BGP_STATE_ESTABLISHED);
	advance(&f, 1000);
	assert_int_equal(f.fsm.state, BGP_STATE_IDLE);
	assert_non_null(strstr(f.rec.log, "notif(4/0) disc down"));
	assert_int_equal(f.fsm.last_err_code, 4);
	assert_true(f.fsm.last_err_sent);
	assert_int_equal(f.rec.downs, 1);
}

static void
test_fsm_hold_zero_no_timers(void **state)
{
	struct fx f;

	(void)state;
	drive(&f, BGP_STATE_OPENSENT, false);
	ev_open(&f, 0, 7);
	ev(&f, BGP_EV_KEEPALIVE_RECV);
	assert_int_equal(f.fsm.state, BGP_STATE_ESTABLISHED);
	assert_int_equal(f.fsm.hold_time, 0);
	assert_int_equal(f.fsm.keepalive, 0);
	assert_int_equal(bgp_fsm_next_deadline(&f.fsm), 0);
	assert_int_equal(f.fsm.remote_id, 7);
}

static void
test_fsm_keepalive_configured_lower(void **state)
{
	struct bgp_fsm_conf c = conf_active;
	struct fx f;

	(void)state;
	c.keepalive = 2;
	fx_init(&f, &c);
	ev(&f, BGP_EV_MANUAL_START);
	ev(&f, BGP_EV_TCP_CONNECTED);
	ev_open(&f, 30, 1);
	assert_int_equal(f.fsm.hold_time, 30);
	assert_int_equal(f.fsm.keepalive, 2);
	/* peer proposes 3 s: keepalive 1 s */
	fx_init(&f, &conf_active);
	ev(&f, BGP_EV_MANUAL_START);
	ev(&f, BGP_EV_TCP_CONNECTED);
	ev_open(&f, 3, 1);
	assert_int_equal(f.fsm.hold_time, 3);
	assert_int_equal(f.fsm.keepalive, 1);
}

static void
test_fsm_opensent_hold_240(void **state)
{
	struct fx f;

	(void)state;
	drive(&f, BGP_STATE_OPENSENT, false);
	assert_int_equal(bgp_fsm_next_deadline(&f.fsm), f.rec.now + 240000);
	assert_false(bgp_timer_running(&f.fsm, BGP_TIMER_CONNECT_RETRY));
	advance(&f, 240000);
	assert_int_equal(f.fsm.state, BGP_STATE_IDLE);
	assert_string_equal(f.rec.log, "notif(4/0) disc");
}

static void
test_fsm_connect_retry_cycle(void **state)
{
	struct fx f;

	(void)state;
	drive(&f, BGP_STATE_CONNECT, false);
	advance(&f, 4999);
	assert_string_equal(f.rec.log, "");
	advance(&f, 1);
	assert_string_equal(f.rec.log, "disc connect");
	ev(&f, BGP_EV_TCP_FAILED);
	assert_int_equal(f.fsm.state, BGP_STATE_ACTIVE);
	advance(&f, 5000);
	assert_int_equal(f.fsm.state, BGP_STATE_CONNECT);
	assert_string_equal(f.rec.log, "disc connect disc disc connect");
}

static void
test_fsm_auto_restart_backoff(void **state)
{
	struct fx f;

	(void)state;
	drive(&f, BGP_STATE_ESTABLISHED, false);
	ev(&f, BGP_EV_TCP_FAILED);
	assert_int_equal(f.fsm.state, BGP_STATE_IDLE);
	assert_int_equal(f.fsm.connect_retry_counter, 1);
	assert_int_equal(f.fsm.idle_hold_next, 2);
	advance(&f, 2000);
	assert_int_equal(f.fsm.state, BGP_STATE_CONNECT);
	/* a second failure before coming up doubles the wait */
	ev(&f, BGP_EV_TCP_CONNECTED);
	ev(&f, BGP_EV_NOTIF_RECV);
	assert_int_equal(f.fsm.connect_retry_counter, 2);
	assert_int_equal(f.fsm.idle_hold_next, 4);
	advance(&f, 3999);
	assert_int_equal(f.fsm.state, BGP_STATE_IDLE);
	advance(&f, 1);
	assert_int_equal(f.fsm.state, BGP_STATE_CONNECT);
	/* coming up again resets the counter */
	ev(&f, BGP_EV_TCP_CONNECTED);
	ev_open(&f, 9, 1);
	ev(&f, BGP_EV_KEEPALIVE_RECV);
	assert_int_equal(f.fsm.connect_retry_counter, 0);
	assert_int_equal(f.fsm.established_count, 2);
}

static void
test_fsm_manual_stop_no_restart(void **state)
{
	struct fx f;

	(void)state;
	drive(&f, BGP_STATE_ESTABLISHED, false);
	ev(&f, BGP_EV_MANUAL_STOP);
	assert_true(f.fsm.admin_down);
	assert_int_equal(bgp_fsm_next_deadline(&f.fsm), 0);
	advance(&f, 600000);
	assert_int_equal(f.fsm.state, BGP_STATE_IDLE);
	ev(&f, BGP_EV_MANUAL_START);
	assert_int_equal(f.fsm.state, BGP_STATE_CONNECT);
}

static void
test_fsm_shutdown_communication(void **state)
{
	static const uint8_t text[] = "maintenance";
	struct bgp_fsm_msg m = { .code = 6, .subcode = 2, .data = text,
	    .datalen = sizeof(text) - 1 };
	struct fx f;

	(void)state;
	drive(&f, BGP_STATE_ESTABLISHED, false);
	bgp_fsm(&f.fsm, BGP_EV_MANUAL_STOP, &m);
	assert_string_equal(f.rec.log, "notif(6/2+d) disc down");
}

static void
test_fsm_delay_open(void **state)
{
	struct bgp_fsm_conf c = conf_active;
	struct fx f;

	(void)state;
	c.delay_open = 2;
	fx_init(&f, &c);
	ev(&f, BGP_EV_MANUAL_START);
	ev(&f, BGP_EV_TCP_CONNECTED);
	assert_int_equal(f.fsm.state, BGP_STATE_CONNECT);
	assert_true(bgp_timer_running(&f.fsm, BGP_TIMER_DELAY_OPEN));
	f.rec.log[0] = '\0';
	advance(&f, 2000);
	assert_int_equal(f.fsm.state, BGP_STATE_OPENSENT);
	assert_string_equal(f.rec.log, "open");
	/* OPEN arriving while DelayOpen runs: OPEN + KEEPALIVE, OpenConfirm */
	fx_init(&f, &c);
	ev(&f, BGP_EV_MANUAL_START);
	ev(&f, BGP_EV_TCP_CONNECTED);
	f.rec.log[0] = '\0';
	ev_open(&f, 9, 1);
	assert_int_equal(f.fsm.state, BGP_STATE_OPENCONFIRM);
	assert_string_equal(f.rec.log, "open ka");
	assert_false(bgp_timer_running(&f.fsm, BGP_TIMER_DELAY_OPEN));
}

static void
test_fsm_collision(void **state)
{
	struct fx f;

	(void)state;
	drive(&f, BGP_STATE_OPENCONFIRM, false);
	assert_int_equal(bgp_fsm_incoming(&f.fsm), 0);
	/* local 10.0.0.2 > remote 10.0.0.1: our outgoing connection survives */
	assert_false(bgp_fsm_collision_keep_new(&f.fsm, 0x0a000002, 0x0a000001, true));
	/* local lower: the remote's (new, incoming) connection survives */
	assert_true(bgp_fsm_collision_keep_new(&f.fsm, 0x0a000001, 0x0a000002, true));
	/* existing incoming, new outgoing */
	assert_true(bgp_fsm_collision_keep_new(&f.fsm, 0x0a000002, 0x0a000001, false));
	assert_false(bgp_fsm_collision_keep_new(&f.fsm, 0x0a000001, 0x0a000002, false));
	/* ids compare unsigned: 200.0.0.1 > 10.0.0.1 */
	assert_true(bgp_fsm_collision_keep_new(&f.fsm, 0x0a000001, 0xc8000001, true));
	assert_false(bgp_fsm_collision_keep_new(&f.fsm, 5, 5, true));
	ev(&f, BGP_EV_KEEPALIVE_RECV);
	assert_int_equal(bgp_fsm_incoming(&f.fsm), -1);
	assert_false(bgp_fsm_collision_keep_new(&f.fsm, 1, 2, true));
	drive(&f, BGP_STATE_ACTIVE, true);
	assert_int_equal(bgp_fsm_incoming(&f.fsm), 1);
	drive(&f, BGP_STATE_IDLE, true);
	assert_int_equal(bgp_fsm_incoming(&f.fsm), -1);
}

static void
test_fsm_names(void **state)
{
	(void)state;
	assert_string_equal(bgp_state_name(BGP_STATE_ESTABLISHED), "Established");
	assert_string_equal(bgp_state_name(BGP_STATE_COUNT), "?");
	for (int e = 0; e < BGP_EV_COUNT; e++)
		assert_non_null(bgp_event_name(e));
	assert_string_equal(bgp_event_name(BGP_EV_HOLD_EXPIRES), "HoldTimer_Expires");
	assert_string_equal(bgp_timer_name(BGP_TIMER_HOLD), "hold");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fsm_table),
		cmocka_unit_test(test_fsm_keepalive_and_hold_timers),
		cmocka_unit_test(test_fsm_hold_zero_no_timers),
		cmocka_unit_test(test_fsm_keepalive_configured_lower),
		cmocka_unit_test(test_fsm_opensent_hold_240),
		cmocka_unit_test(test_fsm_connect_retry_cycle),
		cmocka_unit_test(test_fsm_auto_restart_backoff),
		cmocka_unit_test(test_fsm_manual_stop_no_restart),
		cmocka_unit_test(test_fsm_shutdown_communication),
		cmocka_unit_test(test_fsm_delay_open),
		cmocka_unit_test(test_fsm_collision),
		cmocka_unit_test(test_fsm_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
