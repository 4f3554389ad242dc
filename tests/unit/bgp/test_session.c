// SPDX-License-Identifier: MIT
/*
 * bgp/session: two speakers in one process on loopback, one event loop. Both are
 * active and start together, so their connections collide: RFC 4271 §6.8 must leave
 * exactly one connection, the one opened by the higher BGP identifier. Then routes
 * flow both ways (originated at start, added and withdrawn at run time, 4-octet AS
 * path), the RIB client hooks see them, and an admin stop carries the RFC 8203 text.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include <event2/event.h>

#include "bgp/session.h"
#include "lib/log.h"

struct side {
	struct bgp_conf		 conf;
	struct bgp_conf_peer	 peer;
	struct bgp_conf_originate orig;
	struct bgp_speaker	*sp;
	int			 updates, withdraws, ups, downs, eors;
};

static struct event_base *base;

/* A free TCP port on 127.0.0.1 (bound then released). */
static uint16_t
free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

static void rc_update(void *arg, const char *peer, const struct prefix *p, size_t n,
    const struct bgp_route *r) { (void)peer; (void)p; (void)r; ((struct side *)arg)->updates += n; }
static void rc_withdraw(void *arg, const char *peer, const struct prefix *p, size_t n)
    { (void)peer; (void)p; ((struct side *)arg)->withdraws += n; }
static void rc_up(void *arg, const struct bgp_peer *p) { (void)p; ((struct side *)arg)->ups++; }
static void rc_down(void *arg, const char *peer, bool graceful)
    { (void)peer; (void)graceful; ((struct side *)arg)->downs++; }
static void rc_eor(void *arg, const char *peer, int fam)
    { (void)peer; (void)fam; ((struct side *)arg)->eors++; }

static void
side_init(struct side *s, const char *name, uint32_t id, uint32_t as, uint32_t remote_as,
    uint16_t lport, uint16_t rport, const char *orig)
{
	struct bgp_rib_client rc = {
		.route_update = rc_update, .route_withdraw = rc_withdraw, .peer_up = rc_up,
		.peer_down = rc_down, .eor = rc_eor, .arg = s, .keep_adjin = true,
	};
	struct diag d;

	memset(s, 0, sizeof(*s));
	bgp_conf_init(&s->conf);
	s->conf.present = true;
	s->conf.router_id = id;
	s->conf.local_as = as;
	addr_parse("127.0.0.1", &s->conf.listen_addr);
	s->conf.listen_port = lport;
	snprintf(s->peer.name, sizeof(s->peer.name), "%s", name);
	addr_parse("127.0.0.1", &s->peer.addr);
	s->peer.port = rport;
	s->peer.remote_as = remote_as;
	s->peer.hold_time = 9;
	s->peer.connect_retry = 1;
	s->peer.family_v4 = s->peer.family_v6 = true;
	/* 127/8 is no valid next hop (RFC 7606 martian check): announce IPv6 prefixes
	 * with a configured next hop instead. */
	s->peer.has_next_hop_v6 = true;
	addr_from_v4(&s->peer.next_hop_v6, id);
	{
		uint8_t nh[16] = { 0x20, 0x01, 0x0d, 0xb8 };

		nh[15] = (uint8_t)id;
		addr_from_bytes(&s->peer.next_hop_v6, AF_INET6, nh, sizeof(nh));
	}
	s->conf.peers = &s->peer;
	s->conf.npeers = 1;
	assert_int_equal(prefix_parse(orig, &s->orig.prefix, PREFIX_PARSE_STRICT), 0);
	s->conf.originate = &s->orig;
	s->conf.norig = 1;
	diag_init(&d, NULL);
	s->sp = bgp_speaker_new(base, &s->conf, &d);
	assert_non_null(s->sp);
	bgp_speaker_set_rib_client(s->sp, &rc);
}

/* Run the loop until cond(a, b) holds or timeout_ms passes. */
static bool
run_until(bool (*cond)(struct side *, struct side *), struct side *a, struct side *b,
    int timeout_ms)
{
	uint64_t end = bgp_now_ms() + (uint64_t)timeout_ms;

	while (bgp_now_ms() < end) {
		if (cond(a, b))
			return true;
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		usleep(1000);
	}
	return cond(a, b);
}

static bool
both_up(struct side *a, struct side *b)
{
	return bgp_speaker_peer(a->sp, 0)->fsm.state == BGP_STATE_ESTABLISHED &&
	    bgp_speaker_peer(b->sp, 0)->fsm.state == BGP_STATE_ESTABLISHED &&
	    bgp_adjin_count(bgp_speaker_peer(a->sp, 0)->adjin, 0) >= 1 &&
	    bgp_adjin_count(bgp_speaker_peer(b->sp, 0)->adjin, 0) >= 1;
}

static bool
b_has_dynamic(struct side *a, struct side *b)
{
	struct prefix p;

	(void)a;
	prefix_parse("2001:db8:7::/48", &p, PREFIX_PARSE_STRICT);
	return bgp_adjin_get(bgp_speaker_peer(b->sp, 0)->adjin, &p) != NULL;
}

static bool
b_lost_dynamic(struct side *a, struct side *b)
{
	return !b_has_dynamic(a, b);
}

static bool
b_down(struct side *a, struct side *b)
{
	(void)a;
	return bgp_speaker_peer(b->sp, 0)->fsm.state != BGP_STATE_ESTABLISHED &&
	    bgp_speaker_draining(a->sp) == 0;
}

static bool
both_idle(struct side *a, struct side *b)
{
	return bgp_speaker_peer(a->sp, 0)->fsm.state == BGP_STATE_IDLE &&
	    bgp_speaker_peer(b->sp, 0)->fsm.state == BGP_STATE_IDLE &&
	    bgp_speaker_draining(a->sp) == 0 && bgp_speaker_draining(b->sp) == 0;
}

static void
test_session_collision_and_routes(void **state)
{
	struct side a, b;
	struct bgp_peer *pa, *pb;
	struct prefix p;
	const struct bgp_route *r;
	char s[128];
	uint16_t porta = free_port(), portb = free_port();
	uint32_t comm = 65000u << 16 | 7;

	(void)state;
	/* a: 10.0.0.1 AS 4200000001; b: 10.0.0.2 AS 65002 (b has the higher id) */
	side_init(&a, "to-b", 0x0a000001, 4200000001u, 65002, porta, portb, "2001:db8:1::/48");
	side_init(&b, "to-a", 0x0a000002, 65002, 4200000001u, portb, porta, "2001:db8:2::/48");
	assert_int_equal(bgp_speaker_start(a.sp, NULL), 0);
	assert_int_equal(bgp_speaker_start(b.sp, NULL), 0);
	assert_true(run_until(both_up, &a, &b, 10000));
	pa = bgp_speaker_peer(a.sp, 0);
	pb = bgp_speaker_peer(b.sp, 0);
	assert_int_equal(pa->remote_open.bgp_id, 0x0a000002);
	assert_true(pa->wctx.as4);
	/* b's route at a with b's AS path and next hop; a's 4-octet AS at b */
	prefix_parse("2001:db8:2::/48", &p, PREFIX_PARSE_STRICT);
	r = bgp_adjin_get(pa->adjin, &p);
	assert_non_null(r);
	assert_string_equal(bgp_as_path_format(&r->attrs.as_path, s, sizeof(s)), "65002");
	assert_string_equal(addr_format(&r->nexthop, s, sizeof(s)), "2001:db8::2");
	prefix_parse("2001:db8:1::/48", &p, PREFIX_PARSE_STRICT);
	r = bgp_adjin_get(pb->adjin, &p);
	assert_non_null(r);
	assert_string_equal(bgp_as_path_format(&r->attrs.as_path, s, sizeof(s)), "4200000001");
	assert_int_equal(a.ups, 1);
	assert_true(b.updates >= 1);
	assert_true(b.eors >= 1);

	/* Dynamic origination and withdrawal. */
	prefix_parse("2001:db8:7::/48", &p, PREFIX_PARSE_STRICT);
	assert_int_equal(bgp_originate_add(a.sp, &p, &comm, 1), 0);
	assert_true(run_until(b_has_dynamic, &a, &b, 5000));
	r = bgp_adjin_get(pb->adjin, &p);
	assert_int_equal(r->attrs.ncommunities, 1);
	assert_int_equal(r->attrs.communities[0], comm);
	assert_int_equal(bgp_originate_del(a.sp, &p), 0);
	assert_true(run_until(b_lost_dynamic, &a, &b, 5000));
	assert_true(b.withdraws >= 1);
	assert_int_equal(bgp_originate_del(a.sp, &p), -ENOENT);

	/* Admin stop: b sees Cease with our RFC 8203 text. */
	bgp_peer_disable(pa, "maintenance window");
	assert_true(run_until(b_down, &a, &b, 5000));
	assert_non_null(strstr(pb->last_error, "maintenance window"));
	assert_int_equal(b.downs, 1);
	assert_true(pa->fsm.admin_down);
	assert_int_equal(bgp_adjin_count(pb->adjin, 0), 0);

	/* Collision: both idle, both started in the same loop turn, both connect to a
	 * listening peer. RFC 4271 6.8: the connection opened by b (higher id) stays. */
	bgp_peer_disable(pb, NULL);
	assert_true(run_until(both_idle, &a, &b, 5000));
	bgp_peer_enable(pa);
	bgp_peer_enable(pb);
	assert_true(run_until(both_up, &a, &b, 10000));
	assert_null(pa->pend);
	assert_null(pb->pend);
	assert_true(pb->conn->outgoing);
	assert_false(pa->conn->outgoing);
	assert_int_equal(pa->fsm.established_count, 2);
	assert_int_equal(pb->fsm.established_count, 2);

	bgp_speaker_stop(a.sp, NULL);
	bgp_speaker_stop(b.sp, NULL);
	run_until(both_idle, &a, &b, 2000);
	bgp_speaker_free(a.sp);
	bgp_speaker_free(b.sp);
}

static int
setup(void **state)
{
	(void)state;
	log_set_level(getenv("BGP_TEST_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_ERR);
	base = event_base_new();
	return base ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	event_base_free(base);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_session_collision_and_routes, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
