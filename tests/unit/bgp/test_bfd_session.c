// SPDX-License-Identifier: MIT
/*
 * bgp/bfd_session.c over real UDP sockets on loopback: two BFD instances on one libevent
 * loop (127.0.0.1 and 127.0.0.2 on two test ports) bring a session Up; removing one side
 * with AdminDown takes the other Down without a path failure (RFC 5882 §3.2); removing
 * one side silently (freeing its instance) is detected as a failure with diag 1 after the detection time;
 * datagrams for unknown discriminators are counted, not crashed on.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <event2/event.h>

#include "bgp/bfd.h"
#include "bgp/bfd_json.h"
#include "lib/clock.h"

struct side {
	struct bfd_ctx		*ctx;
	struct bfd_session	*s;
	uint16_t		 port;
	int			 changes;
	enum bfd_state		 state;
	enum bfd_diag		 diag;
	bool			 failure;
	uint64_t		 t_down;
};

struct pair {
	struct event_base	*base;
	struct side		 a, b;
	struct addr		 la, lb;
};

static void
notify(void *arg, struct bfd_session *s, enum bfd_state from, enum bfd_state to,
    enum bfd_diag diag, bool failure)
{
	struct side *sd = arg;

	(void)s;
	(void)from;
	sd->changes++;
	sd->state = to;
	sd->diag = diag;
	sd->failure = failure;
	if (to == BFD_STATE_DOWN)
		sd->t_down = clock_us(CLOCK_MONOTONIC);
}

/* Run the loop until cond(p) or timeout_ms; returns whether cond held. */
static bool
run_until(struct pair *p, bool (*cond)(struct pair *), int timeout_ms)
{
	uint64_t end = clock_us(CLOCK_MONOTONIC) + (uint64_t)timeout_ms * 1000;

	while (!cond(p) && clock_us(CLOCK_MONOTONIC) < end)
		event_base_loop(p->base, EVLOOP_ONCE | EVLOOP_NONBLOCK), usleep(200);
	return cond(p);
}

static bool
both_up(struct pair *p)
{
	return p->a.state == BFD_STATE_UP && p->b.state == BFD_STATE_UP;
}

static bool
b_down(struct pair *p)
{
	return p->b.state == BFD_STATE_DOWN;
}

static struct bfd_ctx *
ctx_on_free_port(struct event_base *base, const struct addr *bind, uint16_t *port)
{
	for (int i = 0; i < 200; i++) {
		uint16_t p = (uint16_t)(20000 + (getpid() * 7 + i * 13) % 20000);
		struct bfd_ctx *c = bfd_ctx_new(base, p, bind, NULL);

		if (c != NULL) {
			*port = p;
			return c;
		}
	}
	return NULL;
}

static int
setup(void **state)
{
	struct pair *p = test_calloc(1, sizeof(*p));
	struct bfd_cfg cfg = { 20000, 20000, 3 };	/* 20 ms x 3 */

	assert_non_null(p);
	p->base = event_base_new();
	assert_non_null(p->base);
	assert_int_equal(addr_parse("127.0.0.1", &p->la), 0);
	assert_int_equal(addr_parse("127.0.0.2", &p->lb), 0);
	p->a.ctx = ctx_on_free_port(p->base, &p->la, &p->a.port);
	p->b.ctx = ctx_on_free_port(p->base, &p->lb, &p->b.port);
	assert_non_null(p->a.ctx);
	assert_non_null(p->b.ctx);
	p->a.s = bfd_session_add(p->a.ctx, NULL, &p->la, &p->lb, NULL, p->b.port, &cfg, notify, &p->a);
	p->b.s = bfd_session_add(p->b.ctx, NULL, &p->lb, &p->la, NULL, p->a.port, &cfg, notify, &p->b);
	assert_non_null(p->a.s);
	assert_non_null(p->b.s);
	*state = p;
	return 0;
}

static int
teardown(void **state)
{
	struct pair *p = *state;

	bfd_ctx_free(p->a.ctx);
	bfd_ctx_free(p->b.ctx);
	event_base_free(p->base);
	test_free(p);
	return 0;
}

static void
test_comes_up(void **state)
{
	struct pair *p = *state;
	const struct bfd_fsm *fa;

	assert_true(run_until(p, both_up, 3000));
	fa = bfd_session_fsm(p->a.s);
	assert_int_equal(fa->remote_discr, bfd_session_fsm(p->b.s)->local_discr);
	assert_true(addr_eq(bfd_session_peer(p->a.s), &p->lb));
	assert_true(addr_eq(bfd_session_local(p->a.s), &p->la));
	assert_int_equal(bfd_session_first(p->a.ctx), p->a.s);
	assert_null(bfd_session_next(p->a.s));
}

static void
test_admin_down_is_not_a_failure(void **state)
{
	struct pair *p = *state;

	assert_true(run_until(p, both_up, 3000));
	bfd_session_del(p->a.s, BFD_DIAG_ADMIN_DOWN, true);
	p->a.s = NULL;
	assert_int_equal(bfd_ctx_lingering(p->a.ctx), 1);
	assert_true(run_until(p, b_down, 1000));
	assert_int_equal(p->b.diag, BFD_DIAG_NEIGHBOR_DOWN);
	assert_false(p->b.failure);
	assert_int_equal(bfd_session_fsm(p->b.s)->remote_state, BFD_STATE_ADMIN_DOWN);
}

static bool
a_lingering_done(struct pair *p)
{
	return bfd_ctx_lingering(p->a.ctx) == 0;
}

static void
test_linger_ends(void **state)
{
	struct pair *p = *state;

	assert_true(run_until(p, both_up, 3000));
	bfd_session_del(p->a.s, BFD_DIAG_ADMIN_DOWN, true);
	p->a.s = NULL;
	/* DetectMult x max(1 s slow TX in AdminDown, ...) = 3 s */
	assert_true(run_until(p, a_lingering_done, 5000));
	assert_null(bfd_session_first(p->a.ctx));
}

static void
test_silence_is_detected(void **state)
{
	struct pair *p = *state;
	uint64_t t0, det;

	assert_true(run_until(p, both_up, 3000));
	/* let the poll sequences finish so both run at 20 ms */
	t0 = clock_us(CLOCK_MONOTONIC) + 100000;
	while (clock_us(CLOCK_MONOTONIC) < t0)
		event_base_loop(p->base, EVLOOP_ONCE | EVLOOP_NONBLOCK), usleep(200);
	det = bfd_fsm_detect_time(bfd_session_fsm(p->b.s));
	assert_int_equal(det, 60000);
	/* A vanishes without a word (no AdminDown): as if its process froze */
	t0 = clock_us(CLOCK_MONOTONIC);
	bfd_ctx_free(p->a.ctx);
	p->a.ctx = NULL;
	p->a.s = NULL;
	assert_true(run_until(p, b_down, 2000));
	assert_true(p->b.failure);
	assert_int_equal(p->b.diag, BFD_DIAG_TIME_EXPIRED);
	/* not before the last packet (<= 20 ms ago) + 60 ms, not long after 60 ms */
	assert_true(p->b.t_down - t0 >= det - 25000);
	assert_true(p->b.t_down - t0 <= det + 100000);
}

static void
test_unknown_discriminator_counted(void **state)
{
	struct pair *p = *state;
	const uint64_t *drops = bfd_ctx_drops(p->b.ctx);
	struct bfd_cfg cfg = { 20000, 20000, 3 };
	struct bfd_ctx *c;
	struct bfd_session *s;
	uint16_t port;
	struct addr l3;

	assert_true(run_until(p, both_up, 3000));
	/* A third instance at 127.0.0.3 talks to B, which has no session for it. */
	assert_int_equal(addr_parse("127.0.0.3", &l3), 0);
	c = ctx_on_free_port(p->base, &l3, &port);
	assert_non_null(c);
	s = bfd_session_add(c, NULL, &l3, &p->lb, NULL, p->b.port, &cfg, NULL, NULL);
	assert_non_null(s);
	for (int i = 0; i < 50 && drops[BFD_DROP_NO_SESSION] == 0; i++)
		event_base_loop(p->base, EVLOOP_ONCE | EVLOOP_NONBLOCK), usleep(1000);
	assert_true(drops[BFD_DROP_NO_SESSION] >= 1);
	assert_int_equal(bfd_session_fsm(s)->state, BFD_STATE_DOWN);
	assert_true(both_up(p));
	bfd_ctx_free(c);
}

static void
test_local_address_from_kernel(void **state)
{
	struct pair *p = *state;
	struct bfd_cfg cfg = { 20000, 20000, 3 };
	struct bfd_session *s;
	struct addr l3;

	assert_int_equal(addr_parse("127.0.0.3", &l3), 0);
	s = bfd_session_add(p->a.ctx, NULL, NULL, &l3, NULL, p->b.port, &cfg, NULL, NULL);
	assert_non_null(s);
	assert_int_equal(bfd_session_local(s)->family, AF_INET);
	assert_int_equal(bfd_session_local(s)->bytes[0], 127);
	assert_string_equal(bfd_session_name(s), "127.0.0.3");
	bfd_session_set_name(s, "tor-1");
	assert_string_equal(bfd_session_name(s), "tor-1");
	assert_true(bfd_session_src_port(s) >= BFD_SRC_PORT_MIN);
	bfd_session_del(s, BFD_DIAG_ADMIN_DOWN, false);
}

static bool
polls_done(struct pair *p)
{
	return both_up(p) && !bfd_session_fsm(p->a.s)->poll_active &&
	    !bfd_session_fsm(p->b.s)->poll_active;
}

static void
test_json_view(void **state)
{
	struct pair *p = *state;
	json_object *o, *arr, *s0, *v, *cnt;

	assert_true(run_until(p, polls_done, 3000));
	bfd_session_set_name(p->a.s, "tor-1");
	o = bfd_ctx_json(p->a.ctx);
	assert_true(json_object_object_get_ex(o, "sessions", &arr));
	assert_int_equal(json_object_array_length(arr), 1);
	s0 = json_object_array_get_idx(arr, 0);
	assert_true(json_object_object_get_ex(s0, "name", &v));
	assert_string_equal(json_object_get_string(v), "tor-1");
	assert_true(json_object_object_get_ex(s0, "peer", &v));
	assert_string_equal(json_object_get_string(v), "127.0.0.2");
	assert_true(json_object_object_get_ex(s0, "state", &v));
	assert_string_equal(json_object_get_string(v), "Up");
	assert_true(json_object_object_get_ex(s0, "detect_time_us", &v));
	assert_int_equal(json_object_get_int64(v), 60000);
	assert_true(json_object_object_get_ex(s0, "remote_discr", &v));
	assert_int_equal(json_object_get_int64(v), bfd_session_fsm(p->b.s)->local_discr);
	assert_true(json_object_object_get_ex(s0, "counters", &cnt));
	assert_true(json_object_object_get_ex(cnt, "rx", &v));
	assert_true(json_object_get_int64(v) > 0);
	assert_true(json_object_object_get_ex(cnt, "drops", &v));
	assert_true(json_object_object_get_ex(v, "bad-ttl", NULL));
	assert_true(json_object_object_get_ex(o, "drops", &v));
	json_object_put(o);
}

static void
test_bad_args(void **state)
{
	struct pair *p = *state;
	struct bfd_cfg bad = { 10000, 10000, 0 };
	struct addr v6;

	assert_int_equal(addr_parse("::1", &v6), 0);
	errno = 0;
	assert_null(bfd_session_add(p->a.ctx, NULL, &p->la, &v6, NULL, 1, &bad, NULL, NULL));
	assert_int_equal(errno, EINVAL);
	bad.detect_mult = 3;
	assert_null(bfd_session_add(p->a.ctx, NULL, &p->la, &p->lb, "no-such-if0", 1, &bad, NULL,
	    NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_comes_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_admin_down_is_not_a_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_linger_ends, setup, teardown),
		cmocka_unit_test_setup_teardown(test_silence_is_detected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_discriminator_counted, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_local_address_from_kernel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_view, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_args, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
