// SPDX-License-Identifier: MIT
/*
 * BFD codec (RFC 5880 §4.1), the reception checks (RFC 5880 §6.8.6, RFC 5881 §5) and the
 * pure state machine (§6.8) driven by a virtual clock: handshake, detection timeout,
 * neighbor-signalled down, poll/final, interval changes, jitter bounds, slow TX.
 * The FSM sees the remote's packets through encode -> decode, as on the wire.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bgp/bfd.h"

/* ---- codec ---------------------------------------------------------------- */

/* A packet from RFC 5880 §4.1's layout, field by field: Up, P+C, mult 3, length 24. */
static const uint8_t vec_up[] = {
	0x20 | BFD_DIAG_NEIGHBOR_DOWN,		/* vers 1, diag 3 */
	BFD_STATE_UP << 6 | BFD_FLAG_P | BFD_FLAG_C,
	3, 24,
	0x11, 0x22, 0x33, 0x44,			/* my discr */
	0x55, 0x66, 0x77, 0x88,			/* your discr */
	0x00, 0x01, 0x86, 0xa0,			/* desired min tx 100000 */
	0x00, 0x04, 0x93, 0xe0,			/* required min rx 300000 */
	0x00, 0x00, 0x00, 0x32,			/* echo rx 50 */
};

static void
test_decode_vector_fields(void **state)
{
	struct bfd_pkt p;
	enum bfd_drop why;

	(void)state;
	assert_int_equal(sizeof(vec_up), BFD_PKT_LEN);
	assert_int_equal(bfd_pkt_decode(vec_up, sizeof(vec_up), &p, &why), 0);
	assert_int_equal(why, BFD_DROP_NONE);
	assert_int_equal(p.version, BFD_VERSION);
	assert_int_equal(p.diag, BFD_DIAG_NEIGHBOR_DOWN);
	assert_int_equal(p.state, BFD_STATE_UP);
	assert_int_equal(p.flags, BFD_FLAG_P | BFD_FLAG_C);
	assert_int_equal(p.detect_mult, 3);
	assert_int_equal(p.length, BFD_PKT_LEN);
	assert_int_equal(p.my_discr, 0x11223344);
	assert_int_equal(p.your_discr, 0x55667788);
	assert_int_equal(p.desired_min_tx, 100000);
	assert_int_equal(p.required_min_rx, 300000);
	assert_int_equal(p.required_min_echo_rx, 50);
}

static void
test_encode_decode_round_trip(void **state)
{
	static const struct bfd_pkt cases[] = {
		{ .diag = BFD_DIAG_NONE, .state = BFD_STATE_DOWN, .flags = 0,
		  .detect_mult = 3, .my_discr = 1, .your_discr = 0,
		  .desired_min_tx = BFD_SLOW_TX_US, .required_min_rx = 300000 },
		{ .diag = BFD_DIAG_TIME_EXPIRED, .state = BFD_STATE_INIT, .flags = BFD_FLAG_F,
		  .detect_mult = 1, .my_discr = 0xffffffff, .your_discr = 7,
		  .desired_min_tx = 1000, .required_min_rx = 1000 },
		{ .diag = BFD_DIAG_ADMIN_DOWN, .state = BFD_STATE_ADMIN_DOWN,
		  .flags = BFD_FLAG_C | BFD_FLAG_D, .detect_mult = 255, .my_discr = 42,
		  .your_discr = 0, .desired_min_tx = 0xffffffff,
		  .required_min_rx = 0, .required_min_echo_rx = 0xffffffff },
		{ .diag = BFD_DIAG_MAX, .state = BFD_STATE_UP, .flags = BFD_FLAG_P,
		  .detect_mult = 5, .my_discr = 9, .your_discr = 10,
		  .desired_min_tx = 50000, .required_min_rx = 60000 },
	};
	uint8_t out[BFD_PKT_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf_writer bw;
		struct bfd_pkt back;

		bw_init(&bw, out, sizeof(out));
		assert_int_equal(bfd_pkt_encode(&cases[i], &bw), 0);
		assert_int_equal(bw.len, BFD_PKT_LEN);
		assert_int_equal(bfd_pkt_decode(out, bw.len, &back, NULL), 0);
		assert_int_equal(back.version, BFD_VERSION);
		assert_int_equal(back.length, BFD_PKT_LEN);
		assert_int_equal(back.diag, cases[i].diag);
		assert_int_equal(back.state, cases[i].state);
		assert_int_equal(back.flags, cases[i].flags);
		assert_int_equal(back.detect_mult, cases[i].detect_mult);
		assert_int_equal(back.my_discr, cases[i].my_discr);
		assert_int_equal(back.your_discr, cases[i].your_discr);
		assert_int_equal(back.desired_min_tx, cases[i].desired_min_tx);
		assert_int_equal(back.required_min_rx, cases[i].required_min_rx);
		assert_int_equal(back.required_min_echo_rx, cases[i].required_min_echo_rx);
	}
}

static void
test_encode_rejects(void **state)
{
	uint8_t out[BFD_PKT_LEN];
	struct buf_writer bw;
	struct bfd_pkt p = { .state = BFD_STATE_UP, .detect_mult = 3, .my_discr = 1 };

	(void)state;
	p.flags = BFD_FLAG_A;		/* we never send authentication */
	bw_init(&bw, out, sizeof(out));
	assert_int_equal(bfd_pkt_encode(&p, &bw), -EINVAL);
	p.flags = 0x40;
	assert_int_equal(bfd_pkt_encode(&p, &bw), -EINVAL);
	p.flags = 0;
	p.diag = BFD_DIAG_MAX + 1;
	assert_int_equal(bfd_pkt_encode(&p, &bw), -EINVAL);
	p.diag = 0;
	p.state = 4;
	assert_int_equal(bfd_pkt_encode(&p, &bw), -EINVAL);
	p.state = BFD_STATE_UP;
	bw_init(&bw, out, sizeof(out) - 1);	/* one byte short */
	assert_int_not_equal(bfd_pkt_encode(&p, &bw), 0);
}

/* One row per reception rule: bytes (based on vec_up, patched) and the expected result. */
struct rx_case {
	const char	*name;
	size_t		 off[3];	/* bytes to patch (0 = none after the first) */
	uint8_t		 val[3];
	size_t		 len;		/* payload length handed to the decoder */
	size_t		 extra;		/* trailing bytes appended */
	enum bfd_drop	 want;
};

#define OFF_VD		0
#define OFF_SF		1
#define OFF_MULT	2
#define OFF_LEN		3
#define OFF_MY		4
#define OFF_YOUR	8

static void
test_reception_rules(void **state)
{
	static const struct rx_case cases[] = {
		{ "valid", { 0 }, { 0x20 | 3 }, BFD_PKT_LEN, 0, BFD_DROP_NONE },
		{ "trailing bytes after Length are ignored", { 0 }, { 0x23 }, BFD_PKT_LEN, 8,
		  BFD_DROP_NONE },
		{ "6.8.6 short datagram", { 0 }, { 0x23 }, BFD_PKT_LEN - 1, 0, BFD_DROP_SHORT },
		{ "6.8.6 version 0", { OFF_VD }, { 0x00 | 3 }, BFD_PKT_LEN, 0, BFD_DROP_VERSION },
		{ "6.8.6 version 2", { OFF_VD }, { 0x40 | 3 }, BFD_PKT_LEN, 0, BFD_DROP_VERSION },
		{ "6.8.6 version 7", { OFF_VD }, { 0xe0 }, BFD_PKT_LEN, 0, BFD_DROP_VERSION },
		{ "6.8.6 length < 24", { OFF_LEN }, { BFD_PKT_LEN - 1 }, BFD_PKT_LEN, 0,
		  BFD_DROP_LENGTH },
		{ "6.8.6 length 0", { OFF_LEN }, { 0 }, BFD_PKT_LEN, 0, BFD_DROP_LENGTH },
		{ "6.8.6 length > payload", { OFF_LEN }, { BFD_PKT_LEN + 1 }, BFD_PKT_LEN, 0,
		  BFD_DROP_LENGTH },
		{ "6.8.6 A bit with length 24 (< 26)", { OFF_SF },
		  { BFD_STATE_UP << 6 | BFD_FLAG_A }, BFD_PKT_LEN, 0, BFD_DROP_LENGTH },
		{ "4.2 auth len beyond Length", { OFF_SF, OFF_LEN },
		  { BFD_STATE_UP << 6 | BFD_FLAG_A, BFD_PKT_AUTH_MIN_LEN }, BFD_PKT_LEN, 2,
		  BFD_DROP_LENGTH },
		{ "6.8.6 detect mult 0", { OFF_MULT }, { 0 }, BFD_PKT_LEN, 0,
		  BFD_DROP_DETECT_MULT },
		{ "6.8.6 multipoint bit", { OFF_SF }, { BFD_STATE_UP << 6 | BFD_FLAG_M },
		  BFD_PKT_LEN, 0, BFD_DROP_MULTIPOINT },
		{ "6.8.6 my discriminator 0", { OFF_MY, OFF_MY + 1, OFF_MY + 2 }, { 0, 0, 0 },
		  BFD_PKT_LEN, 0, BFD_DROP_MY_DISCR },
		{ "6.8.6 your discriminator 0 in Up", { OFF_YOUR, OFF_YOUR + 1, OFF_YOUR + 2 },
		  { 0, 0, 0 }, BFD_PKT_LEN, 0, BFD_DROP_YOUR_DISCR_ZERO },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rx_case *c = &cases[i];
		uint8_t buf[sizeof(vec_up) + 16];
		struct bfd_pkt p;
		enum bfd_drop why = BFD_DROP_MAX;
		int rc;

		memset(buf, 0, sizeof(buf));
		memcpy(buf, vec_up, sizeof(vec_up));
		for (size_t k = 0; k < 3; k++)
			if (k == 0 || c->off[k] != 0)
				buf[c->off[k]] = c->val[k];
		/* the "my discriminator 0" and "your 0" rows zero the 4th byte too */
		if (c->want == BFD_DROP_MY_DISCR)
			buf[OFF_MY + 3] = 0;
		if (c->want == BFD_DROP_YOUR_DISCR_ZERO)
			buf[OFF_YOUR + 3] = 0;
		rc = bfd_pkt_decode(buf, c->len + c->extra, &p, &why);
		print_message("case: %s\n", c->name);
		assert_int_equal(why, c->want);
		assert_int_equal(rc, c->want == BFD_DROP_NONE ? 0 : -EBADMSG);
	}
}

static void
test_your_discr_zero_allowed_when_down(void **state)
{
	uint8_t buf[sizeof(vec_up)];
	struct bfd_pkt p;
	enum bfd_drop why;
	static const uint8_t states[] = { BFD_STATE_DOWN, BFD_STATE_ADMIN_DOWN,
	    BFD_STATE_INIT };

	(void)state;
	for (size_t i = 0; i < sizeof(states); i++) {
		memcpy(buf, vec_up, sizeof(buf));
		memset(buf + OFF_YOUR, 0, 4);
		buf[OFF_SF] = (uint8_t)(states[i] << 6);
		if (states[i] == BFD_STATE_INIT) {
			assert_int_equal(bfd_pkt_decode(buf, sizeof(buf), &p, &why), -EBADMSG);
			assert_int_equal(why, BFD_DROP_YOUR_DISCR_ZERO);
		} else {
			assert_int_equal(bfd_pkt_decode(buf, sizeof(buf), &p, &why), 0);
			assert_int_equal(p.your_discr, 0);
		}
	}
}

static void
test_auth_section_parsed(void **state)
{
	/* A valid-looking simple password section (type 1, len 6: id + 3 bytes). */
	uint8_t buf[sizeof(vec_up) + 6];
	struct bfd_pkt p;
	enum bfd_drop why;

	(void)state;
	memcpy(buf, vec_up, sizeof(vec_up));
	buf[OFF_SF] = BFD_STATE_UP << 6 | BFD_FLAG_A;
	buf[OFF_LEN] = sizeof(buf);
	buf[sizeof(vec_up)] = 1;
	buf[sizeof(vec_up) + 1] = 6;
	memcpy(buf + sizeof(vec_up) + 2, "\x01pw!", 4);
	assert_int_equal(bfd_pkt_decode(buf, sizeof(buf), &p, &why), 0);
	assert_int_equal(p.auth_type, 1);
	assert_int_equal(p.auth_len, 6);
	buf[sizeof(vec_up) + 1] = 7;	/* one more than Length holds */
	assert_int_equal(bfd_pkt_decode(buf, sizeof(buf), &p, &why), -EBADMSG);
	assert_int_equal(why, BFD_DROP_LENGTH);
}

static void
test_ttl_check(void **state)
{
	enum bfd_drop why;

	(void)state;
	assert_int_equal(bfd_pkt_check_ttl(255, &why), 0);
	assert_int_equal(why, BFD_DROP_NONE);
	assert_int_equal(bfd_pkt_check_ttl(254, &why), -EBADMSG);
	assert_int_equal(why, BFD_DROP_TTL);
	assert_int_equal(bfd_pkt_check_ttl(1, &why), -EBADMSG);
	assert_int_equal(bfd_pkt_check_ttl(64, NULL), -EBADMSG);
	assert_int_equal(bfd_pkt_check_ttl(-1, &why), -EBADMSG);	/* unknown TTL */
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(bfd_state_name(BFD_STATE_UP), "Up");
	assert_string_equal(bfd_state_name(BFD_STATE_ADMIN_DOWN), "AdminDown");
	assert_string_equal(bfd_diag_name(BFD_DIAG_TIME_EXPIRED),
	    "control-detection-time-expired");
	assert_string_equal(bfd_diag_name(20), "unassigned");
	for (int d = 0; d < BFD_DROP_MAX; d++)
		assert_string_not_equal(bfd_drop_name((enum bfd_drop)d), "?");
}

/* ---- state machine on a virtual clock ------------------------------------- */

#define MAXSENT 512

struct fake {
	uint64_t	 now;
	uint32_t	 rnd;		/* next random value */
	bool		 rnd_seq;	/* alternate 0 / UINT32_MAX */
	bool		 armed[BFD_TIMER_MAX];
	uint64_t	 due[BFD_TIMER_MAX];
	struct bfd_pkt	 sent[MAXSENT];
	uint64_t	 sent_at[MAXSENT];
	size_t		 nsent;
	int		 nchanges;
	enum bfd_state	 from, to;
	enum bfd_diag	 diag;
	struct bfd_fsm	 f;
};

static uint64_t
fake_now(void *ctx)
{
	return ((struct fake *)ctx)->now;
}

static uint32_t
fake_random(void *ctx)
{
	struct fake *k = ctx;

	if (k->rnd_seq)
		k->rnd = k->rnd ? 0 : UINT32_MAX;
	return k->rnd;
}

static void
fake_arm(void *ctx, enum bfd_timer t, uint64_t delay)
{
	struct fake *k = ctx;

	k->armed[t] = true;
	k->due[t] = k->now + delay;
}

static void
fake_stop(void *ctx, enum bfd_timer t)
{
	((struct fake *)ctx)->armed[t] = false;
}

static int
fake_send(void *ctx, const uint8_t *pkt, size_t len)
{
	struct fake *k = ctx;

	assert_true(k->nsent < MAXSENT);
	/* Everything we send must pass our own reception checks. */
	assert_int_equal(bfd_pkt_decode(pkt, len, &k->sent[k->nsent], NULL), 0);
	assert_int_equal(len, BFD_PKT_LEN);
	k->sent_at[k->nsent] = k->now;
	k->nsent++;
	return 0;
}

static void
fake_changed(void *ctx, enum bfd_state from, enum bfd_state to, enum bfd_diag diag)
{
	struct fake *k = ctx;

	k->nchanges++;
	k->from = from;
	k->to = to;
	k->diag = diag;
}

static const struct bfd_fsm_ops fake_ops = {
	.now = fake_now,
	.random = fake_random,
	.timer_arm = fake_arm,
	.timer_stop = fake_stop,
	.send = fake_send,
	.state_changed = fake_changed,
};

#define LOCAL_DISCR	0x1001
#define REMOTE_DISCR	0x2002
#define MS		1000u

static struct fake *
fake_new(uint32_t tx, uint32_t rx, uint8_t mult)
{
	struct fake *k = test_calloc(1, sizeof(*k));
	struct bfd_cfg cfg = { tx, rx, mult };

	assert_non_null(k);
	k->now = 1000 * MS;
	assert_int_equal(bfd_cfg_check(&cfg, NULL), 0);
	bfd_fsm_init(&k->f, &cfg, LOCAL_DISCR, &fake_ops, k);
	return k;
}

/* Advance the clock by us, firing due timers in deadline order. */
static void
fake_run(struct fake *k, uint64_t us)
{
	uint64_t end = k->now + us;

	for (;;) {
		int t = -1;

		for (int i = 0; i < BFD_TIMER_MAX; i++)
			if (k->armed[i] && k->due[i] <= end && (t < 0 || k->due[i] < k->due[t]))
				t = i;
		if (t < 0)
			break;
		if (k->due[t] > k->now)
			k->now = k->due[t];
		k->armed[t] = false;
		bfd_fsm_timer(&k->f, (enum bfd_timer)t);
	}
	k->now = end;
}

/* The remote's packet, through the codec, into the FSM. */
static int
remote_rx(struct fake *k, enum bfd_state st, uint8_t flags, uint32_t your, uint32_t tx,
    uint32_t rx, uint8_t mult, enum bfd_drop *why)
{
	struct bfd_pkt p = { .state = st, .flags = flags, .detect_mult = mult,
	    .my_discr = REMOTE_DISCR, .your_discr = your, .desired_min_tx = tx,
	    .required_min_rx = rx };
	uint8_t buf[BFD_PKT_LEN];
	struct buf_writer bw;
	struct bfd_pkt back;

	bw_init(&bw, buf, sizeof(buf));
	assert_int_equal(bfd_pkt_encode(&p, &bw), 0);
	if (bfd_pkt_decode(buf, bw.len, &back, why) != 0)
		return -EBADMSG;
	return bfd_fsm_rx(&k->f, &back, why);
}

static const struct bfd_pkt *
last_sent(struct fake *k)
{
	assert_true(k->nsent > 0);
	return &k->sent[k->nsent - 1];
}

/* Bring k Up with a remote using the same intervals: Down -> Init -> Up, poll answered. */
static void
bring_up(struct fake *k, uint32_t rtx, uint32_t rrx, uint8_t rmult)
{
	bfd_fsm_enable(&k->f);
	assert_int_equal(remote_rx(k, BFD_STATE_DOWN, 0, 0, BFD_SLOW_TX_US, rrx, rmult, NULL), 0);
	assert_int_equal(k->f.state, BFD_STATE_INIT);
	assert_int_equal(remote_rx(k, BFD_STATE_UP, 0, LOCAL_DISCR, BFD_SLOW_TX_US, rrx, rmult,
	    NULL), 0);
	assert_int_equal(k->f.state, BFD_STATE_UP);
	/* the remote answers our poll and moves to its fast interval */
	assert_int_equal(remote_rx(k, BFD_STATE_UP, BFD_FLAG_F, LOCAL_DISCR, rtx, rrx, rmult,
	    NULL), 0);
	assert_false(k->f.poll_active);
}

static void
test_fsm_three_way_handshake(void **state)
{
	struct fake *k = fake_new(100 * MS, 100 * MS, 3);
	const struct bfd_pkt *p;

	(void)state;
	assert_int_equal(k->f.state, BFD_STATE_ADMIN_DOWN);
	bfd_fsm_enable(&k->f);
	assert_int_equal(k->f.state, BFD_STATE_DOWN);
	/* first packet at once: Down, Your Discr 0, slow TX (§6.8.3), echo 0 (§6.8.9) */
	p = last_sent(k);
	assert_int_equal(p->state, BFD_STATE_DOWN);
	assert_int_equal(p->my_discr, LOCAL_DISCR);
	assert_int_equal(p->your_discr, 0);
	assert_int_equal(p->desired_min_tx, BFD_SLOW_TX_US);
	assert_int_equal(p->required_min_rx, 100 * MS);
	assert_int_equal(p->required_min_echo_rx, 0);
	assert_int_equal(p->detect_mult, 3);
	assert_int_equal(p->flags & (BFD_FLAG_C | BFD_FLAG_A | BFD_FLAG_D | BFD_FLAG_M), 0);

	/* remote Down -> we go Init and say so at once, naming the remote */
	assert_int_equal(remote_rx(k, BFD_STATE_DOWN, 0, 0, BFD_SLOW_TX_US, 100 * MS, 3, NULL),
	    0);
	assert_int_equal(k->f.state, BFD_STATE_INIT);
	assert_int_equal(k->to, BFD_STATE_INIT);
	p = last_sent(k);
	assert_int_equal(p->state, BFD_STATE_INIT);
	assert_int_equal(p->your_discr, REMOTE_DISCR);
	assert_int_equal(p->desired_min_tx, BFD_SLOW_TX_US);

	/* remote Up -> Up; DesiredMinTx drops to 100 ms under a poll sequence (§6.8.3) */
	assert_int_equal(remote_rx(k, BFD_STATE_UP, 0, LOCAL_DISCR, BFD_SLOW_TX_US, 100 * MS, 3,
	    NULL), 0);
	assert_int_equal(k->f.state, BFD_STATE_UP);
	assert_int_equal(k->f.cnt.up, 1);
	p = last_sent(k);
	assert_int_equal(p->state, BFD_STATE_UP);
	assert_int_equal(p->desired_min_tx, 100 * MS);
	assert_true(p->flags & BFD_FLAG_P);
	assert_false(p->flags & BFD_FLAG_F);
	assert_true(k->f.poll_active);
	assert_int_equal(k->f.cnt.polls, 1);
	/* the remote still sends every second: 3 x 1 s detection until it speeds up */
	assert_int_equal(bfd_fsm_detect_time(&k->f), 3 * BFD_SLOW_TX_US);
	/* periodic packets keep P until the Final arrives */
	fake_run(k, 100 * MS);
	assert_true(last_sent(k)->flags & BFD_FLAG_P);
	assert_int_equal(remote_rx(k, BFD_STATE_UP, BFD_FLAG_F, LOCAL_DISCR, 100 * MS, 100 * MS,
	    3, NULL), 0);
	assert_false(k->f.poll_active);
	assert_int_equal(bfd_fsm_detect_time(&k->f), 300 * MS);
	fake_run(k, 100 * MS);
	assert_false(last_sent(k)->flags & BFD_FLAG_P);
	assert_int_equal(k->f.cnt.drops[BFD_DROP_NONE], 0);
	test_free(k);
}

static void
test_fsm_down_to_up_on_remote_init(void **state)
{
	struct fake *k = fake_new(100 * MS, 100 * MS, 3);

	(void)state;
	bfd_fsm_enable(&k->f);
	assert_int_equal(remote_rx(k, BFD_STATE_INIT, 0, LOCAL_DISCR, BFD_SLOW_TX_US, 100 * MS,
	    3, NULL), 0);
	assert_int_equal(k->f.state, BFD_STATE_UP);
	assert_int_equal(k->from, BFD_STATE_DOWN);
	test_free(k);
}

static void
test_fsm_init_stays_on_remote_down(void **state)
{
	struct fake *k = fake_new(100 * MS, 100 * MS, 3);

	(void)state;
	bfd_fsm_enable(&k->f);
	assert_int_equal(remote_rx(k, BFD_STATE_DOWN, 0, 0, BFD_SLOW_TX_US, 100 * MS, 3, NULL),
	    0);
	assert_int_equal(k->f.state, BFD_STATE_INIT);
	assert_int_equal(remote_rx(k, BFD_STATE_DOWN, 0, LOCAL_DISCR, BFD_SLOW_TX_US, 100 * MS,
	    3, NULL), 0);
	assert_int_equal(k->f.state, BFD_STATE_INIT);
	test_free(k);
}

static void
test_fsm_detection_timeout(void **state)
{
	struct fake *k = fake_new(100 * MS, 100 * MS, 3);
	uint64_t det;

	(void)state;
	bring_up(k, 100 * MS, 100 * MS, 3);
	det = bfd_fsm_detect_time(&k->f);
	assert_int_equal(det, 300 * MS);
	/* one microsecond short of the detection time: still Up */
	fake_run(k, det - 1);
	assert_int_equal(k->f.state, BFD_STATE_UP);
	fake_run(k, 1);
	assert_int_equal(k->f.state, BFD_STATE_DOWN);
	assert_int_equal(k->f.local_diag, BFD_DIAG_TIME_EXPIRED);
	assert_int_equal(k->f.last_down_diag, BFD_DIAG_TIME_EXPIRED);
	assert_int_equal(k->diag, BFD_DIAG_TIME_EXPIRED);
	assert_int_equal(k->from, BFD_STATE_UP);
	assert_int_equal(k->f.cnt.down, 1);
	/* the remote is forgotten (§6.8.1) and we are back to slow TX, telling it why */
	assert_int_equal(k->f.remote_discr, 0);
	assert_int_equal(k->f.remote_min_rx, 1);
	assert_int_equal(last_sent(k)->state, BFD_STATE_DOWN);
	assert_int_equal(last_sent(k)->diag, BFD_DIAG_TIME_EXPIRED);
	assert_int_equal(last_sent(k)->your_discr, 0);
	assert_int_equal(last_sent(k)->desired_min_tx, BFD_SLOW_TX_US);
	test_free(k);
}

static void
test_fsm_packets_keep_session_up(void **state)
{
	struct fake *k = fake_new(100 * MS, 100 * MS, 3);

	(void)state;
	bring_up(k, 100 * MS, 100 * MS, 3);
	for (int i = 0; i < 50; i++) {
		fake_run(k, 250 * MS);	/* < 300 ms detection time */
		assert_int_equal(remote_rx(k, BFD_STATE_UP, 0, LOCAL_DISCR, 100 * MS, 100 * MS,
		    3, NULL), 0);
	}
	assert_int_equal(k->f.state, BFD_STATE_UP);
	assert_int_equal(k->f.cnt.down, 0);
	test_free(k);
}

static void
test_fsm_detection_uses_remote_mult_and_tx(void **state)
{
	struct fake *k = fake_new(100 * MS, 100 * MS, 3);

	(void)state;
	/* §6.8.4: remote Detect Mult x max(our RequiredMinRx, remote DesiredMinTx) */
	bring_up(k, 200 * MS, 100 * MS, 5);
	assert_int_equal(bfd_fsm_detect_time(&k->f), 5 * 200 * MS);
	/* our TX interval: max(our DesiredMinTx, remote RequiredMinRx) */
	assert_int_equal(remote_rx(k, BFD_STATE_UP, 0, LOCAL_DISCR, 20 * MS, 250 * MS, 5, NULL),
	    0);
	assert_int_equal(bfd_fsm_detect_time(&k->f), 5 * 100 * MS);
	assert_int_equal(bfd_fsm_tx_interval(&k->f), 250 * MS);
	test_free(k);
}

static void
test_fsm_neighbor_signals_down(void **state)
{
	struct fake *k = fake_new(100 * MS, 100 * MS, 3);

	(void)state;
	bring_up(k, 100 * MS, 100 * MS, 3);
	assert_int_equal(remote_rx(k, BFD_STATE_DOWN, 0, LOCAL_DISCR, BFD_SLOW_TX_US, 100 * MS,
	    3, NULL), 0);
	assert_int_equal(k->f.state, BFD_STATE_DOWN);
	assert_int_equal(k->f.local_diag, BFD_DIAG_NEIGHBOR_DOWN);
	assert_int_equal(k->diag, BFD_DIAG_NEIGHBOR_DOWN);
	test_free(k);
}

static void
test_fsm_neighbor_admin_down(void **state)
{
	struct fake *k = fake_new(100 * MS, 100 * MS, 3);

	(void)state;
	bring_up(k, 100 * MS, 100 * MS, 3);
	assert_int_equal(remote_rx(k, BFD_STATE_ADMIN_DOWN, 0, LOCAL_DISCR, BFD_SLOW_TX_US,
	    100 * MS, 3, NULL), 0);
	assert_int_equal(k->f.state, BFD_STATE_DOWN);
	assert_int_equal(k->f.local_diag, BFD_DIAG_NEIGHBOR_DOWN);
	assert_int_equal(k->f.remote_state, BFD_STATE_ADMIN_DOWN);
	/* a further AdminDown while Down changes nothing */
	k->nchanges = 0;
	assert_int_equal(remote_rx(k, BFD_STATE_ADMIN_DOWN, 0, LOCAL_DISCR, BFD_SLOW_TX_US,
	    100 * MS, 3, NULL), 0);
	assert_int_equal(k->nchanges, 0);
	/* and it does not bring us to Init the way Down would */
	assert_int_equal(k->f.state, BFD_STATE_DOWN);
	test_free(k);
}

static void
test_fsm_session_level_drops(void **state)
{
	struct fake *k = fake_new(100 * MS, 100 * MS, 3);
	struct bfd_pkt p = { .version = 1, .state = BFD_STATE_UP, .detect_mult = 3,
	    .length = BFD_PKT_LEN, .my_discr = REMOTE_DISCR, .your_discr = LOCAL_DISCR,
	    .desired_min_tx = 100 * MS, .required_min_rx = 100 * MS };
	enum bfd_drop why;

	(void)state;
	bring_up(k, 100 * MS, 100 * MS, 3);
	/* §6.8.6: your discriminator selects no session */
	assert_int_equal(remote_rx(k, BFD_STATE_UP, 0, LOCAL_DISCR + 1, 100 * MS, 100 * MS, 3,
	    &why), -EBADMSG);
	assert_int_equal(why, BFD_DROP_YOUR_DISCR);
	assert_int_equal(k->f.cnt.drops[BFD_DROP_YOUR_DISCR], 1);
	/* §6.8.6: A bit without authentication configured */
	p.flags = BFD_FLAG_A;
	p.auth_type = 1;
	p.auth_len = 6;
	assert_int_equal(bfd_fsm_rx(&k->f, &p, &why), -EBADMSG);
	assert_int_equal(why, BFD_DROP_AUTH);
	/* your discriminator 0 from a remote in Up (belt and braces in the FSM too) */
	p.flags = 0;
	p.your_discr = 0;
	assert_int_equal(bfd_fsm_rx(&k->f, &p, &why), -EBADMSG);
	assert_int_equal(why, BFD_DROP_YOUR_DISCR_ZERO);
	/* none of these counted as received: detection still runs out */
	fake_run(k, bfd_fsm_detect_time(&k->f));
	assert_int_equal(k->f.state, BFD_STATE_DOWN);
	assert_int_equal(k->f.local_diag, BFD_DIAG_TIME_EXPIRED);
	test_free(k);
}

static void
test_fsm_admin_down_discards(void **state)
{
	struct fake *k = fake_new(100 * MS, 100 * MS, 3);
	enum bfd_drop why;
	size_t n;

	(void)state;
	bring_up(k, 100 * MS, 100 * MS, 3);
	bfd_fsm_disable(&k->f, BFD_DIAG_ADMIN_DOWN);
	assert_int_equal(k->f.state, BFD_STATE_ADMIN_DOWN);
	assert_int_equal(k->to, BFD_STATE_ADMIN_DOWN);
	assert_int_equal(last_sent(k)->state, BFD_STATE_ADMIN_DOWN);
	assert_int_equal(last_sent(k)->diag, BFD_DIAG_ADMIN_DOWN);
	/* packets are discarded, not answered, and cause no transition */
	n = k->nsent;
	assert_int_equal(remote_rx(k, BFD_STATE_UP, BFD_FLAG_P, LOCAL_DISCR, 100 * MS, 100 * MS,
	    3, &why), -EBADMSG);
	assert_int_equal(why, BFD_DROP_ADMIN_DOWN);
	assert_int_equal(k->nsent, n);
	assert_int_equal(k->f.state, BFD_STATE_ADMIN_DOWN);
	/* AdminDown keeps being sent periodically (§6.8.16) for the linger time */
	assert_int_equal(bfd_fsm_admin_linger_us(&k->f), 3 * BFD_SLOW_TX_US);
	fake_run(k, bfd_fsm_admin_linger_us(&k->f));
	assert_true(k->nsent >= n + 3);
	assert_int_equal(last_sent(k)->state, BFD_STATE_ADMIN_DOWN);
	/* re-enable -> Down */
	bfd_fsm_enable(&k->f);
	assert_int_equal(k->f.state, BFD_STATE_DOWN);
	bfd_fsm_stop(&k->f);
	assert_false(k->armed[BFD_TIMER_TX]);
	assert_false(k->armed[BFD_TIMER_DETECT]);
	test_free(k);
}

static void
test_fsm_answers_poll_with_final(void **state)
{
	struct fake *k = fake_new(100 * MS, 100 * MS, 3);
	size_t n;

	(void)state;
	bring_up(k, 100 * MS, 100 * MS, 3);
	n = k->nsent;
	assert_int_equal(remote_rx(k, BFD_STATE_UP, BFD_FLAG_P, LOCAL_DISCR, 100 * MS, 100 * MS,
	    3, NULL), 0);
	/* at once, F without P (§6.5) */
	assert_int_equal(k->nsent, n + 1);
	assert_true(last_sent(k)->flags & BFD_FLAG_F);
	assert_false(last_sent(k)->flags & BFD_FLAG_P);
	assert_int_equal(k->sent_at[k->nsent - 1], k->now);
	/* the next periodic packet has no F */
	fake_run(k, 100 * MS);
	assert_false(last_sent(k)->flags & BFD_FLAG_F);
	test_free(k);
}

static void
test_fsm_tx_increase_waits_for_final(void **state)
{
	struct fake *k = fake_new(100 * MS, 100 * MS, 3);
	struct bfd_cfg cfg = { 500 * MS, 100 * MS, 3 };

	(void)state;
	bring_up(k, 100 * MS, 100 * MS, 3);
	bfd_fsm_set_cfg(&k->f, &cfg);
	assert_true(k->f.poll_active);
	/* the new value is advertised with P, the old one still paces us (§6.8.3) */
	assert_int_equal(bfd_fsm_tx_interval(&k->f), 100 * MS);
	fake_run(k, 100 * MS);
	assert_int_equal(last_sent(k)->desired_min_tx, 500 * MS);
	assert_true(last_sent(k)->flags & BFD_FLAG_P);
	assert_int_equal(remote_rx(k, BFD_STATE_UP, BFD_FLAG_F, LOCAL_DISCR, 100 * MS, 100 * MS,
	    3, NULL), 0);
	assert_false(k->f.poll_active);
	assert_int_equal(bfd_fsm_tx_interval(&k->f), 500 * MS);
	test_free(k);
}

static void
test_fsm_rx_decrease_waits_for_final(void **state)
{
	struct fake *k = fake_new(100 * MS, 300 * MS, 3);
	struct bfd_cfg cfg = { 100 * MS, 50 * MS, 3 };

	(void)state;
	bring_up(k, 20 * MS, 300 * MS, 3);
	assert_int_equal(bfd_fsm_detect_time(&k->f), 900 * MS);
	bfd_fsm_set_cfg(&k->f, &cfg);
	assert_true(k->f.poll_active);
	/* the remote still paces itself by the old 300 ms: keep detecting with it */
	assert_int_equal(remote_rx(k, BFD_STATE_UP, 0, LOCAL_DISCR, 20 * MS, 300 * MS, 3, NULL),
	    0);
	assert_int_equal(bfd_fsm_detect_time(&k->f), 900 * MS);
	assert_int_equal(remote_rx(k, BFD_STATE_UP, BFD_FLAG_F, LOCAL_DISCR, 20 * MS, 300 * MS,
	    3, NULL), 0);
	assert_int_equal(bfd_fsm_detect_time(&k->f), 150 * MS);
	test_free(k);
}

static void
test_fsm_slow_tx_while_not_up(void **state)
{
	struct fake *k = fake_new(10 * MS, 10 * MS, 3);
	size_t n;

	(void)state;
	bfd_fsm_enable(&k->f);
	n = k->nsent;
	fake_run(k, 10 * BFD_SLOW_TX_US);
	/* between 75 % and 100 % of one second, never the configured 10 ms */
	assert_true(k->nsent - n >= 10 && k->nsent - n <= 14);
	for (size_t i = n + 1; i < k->nsent; i++) {
		uint64_t gap = k->sent_at[i] - k->sent_at[i - 1];

		assert_true(gap >= BFD_SLOW_TX_US * 3 / 4);
		assert_true(gap <= BFD_SLOW_TX_US);
		assert_int_equal(k->sent[i].desired_min_tx, BFD_SLOW_TX_US);
	}
	test_free(k);
}

static void
jitter_bounds(uint8_t mult, uint64_t lo_pct, uint64_t hi_pct)
{
	struct fake *k = fake_new(100 * MS, 100 * MS, mult);
	uint64_t lo = UINT64_MAX, hi = 0;
	size_t n;

	bring_up(k, 100 * MS, 100 * MS, mult);
	k->rnd_seq = true;	/* alternate the extremes of the random source */
	fake_run(k, 10 * MS);
	n = k->nsent;
	for (int i = 0; i < 40; i++) {
		fake_run(k, 50 * MS);
		assert_int_equal(remote_rx(k, BFD_STATE_UP, 0, LOCAL_DISCR, 100 * MS, 100 * MS,
		    mult, NULL), 0);
	}
	for (size_t i = n + 1; i < k->nsent; i++) {
		uint64_t gap = k->sent_at[i] - k->sent_at[i - 1];

		lo = gap < lo ? gap : lo;
		hi = gap > hi ? gap : hi;
	}
	assert_int_equal(lo, 100 * MS * lo_pct / 100);
	assert_int_equal(hi, 100 * MS * hi_pct / 100);
	test_free(k);
}

static void
test_fsm_jitter_75_100(void **state)
{
	(void)state;
	jitter_bounds(3, 75, 100);
}

static void
test_fsm_jitter_mult1_75_90(void **state)
{
	(void)state;
	jitter_bounds(1, 75, 90);
}

static void
test_fsm_remote_min_rx_zero_stops_tx(void **state)
{
	struct fake *k = fake_new(100 * MS, 100 * MS, 3);
	size_t n;

	(void)state;
	bring_up(k, 100 * MS, 100 * MS, 3);
	assert_int_equal(remote_rx(k, BFD_STATE_UP, 0, LOCAL_DISCR, 100 * MS, 0, 3, NULL), 0);
	n = k->nsent;
	fake_run(k, 250 * MS);
	assert_int_equal(k->nsent, n);
	test_free(k);
}

static void
test_fsm_remote_demand_stops_periodic_tx(void **state)
{
	struct fake *k = fake_new(100 * MS, 100 * MS, 3);
	size_t n;

	(void)state;
	bring_up(k, 100 * MS, 100 * MS, 3);
	/* §6.8.7: remote Demand while both Up -> no periodic packets, polls still answered */
	assert_int_equal(remote_rx(k, BFD_STATE_UP, BFD_FLAG_D, LOCAL_DISCR, 100 * MS, 100 * MS,
	    3, NULL), 0);
	n = k->nsent;
	fake_run(k, 250 * MS);
	assert_int_equal(k->nsent, n);
	assert_int_equal(remote_rx(k, BFD_STATE_UP, BFD_FLAG_D | BFD_FLAG_P, LOCAL_DISCR,
	    100 * MS, 100 * MS, 3, NULL), 0);
	assert_int_equal(k->nsent, n + 1);
	assert_true(last_sent(k)->flags & BFD_FLAG_F);
	test_free(k);
}

static void
test_fsm_faster_remote_rx_reschedules(void **state)
{
	struct fake *k = fake_new(100 * MS, 100 * MS, 3);
	size_t n;

	(void)state;
	bfd_fsm_enable(&k->f);
	/* Down: next packet up to 1 s away. The remote says nothing that makes it sooner... */
	assert_int_equal(remote_rx(k, BFD_STATE_DOWN, 0, 0, BFD_SLOW_TX_US, 100 * MS, 3, NULL),
	    0);
	/* ...but going Up makes our interval 100 ms: the TX timer must follow at once */
	assert_int_equal(remote_rx(k, BFD_STATE_UP, 0, LOCAL_DISCR, BFD_SLOW_TX_US, 100 * MS, 3,
	    NULL), 0);
	n = k->nsent;
	fake_run(k, 100 * MS);
	assert_int_equal(k->nsent, n + 1);
	test_free(k);
}

static void
test_fsm_detect_expiry_in_down_forgets_remote(void **state)
{
	struct fake *k = fake_new(100 * MS, 100 * MS, 3);

	(void)state;
	bfd_fsm_enable(&k->f);
	assert_int_equal(remote_rx(k, BFD_STATE_ADMIN_DOWN, 0, 0, BFD_SLOW_TX_US, 100 * MS, 3,
	    NULL), 0);
	assert_int_equal(k->f.state, BFD_STATE_DOWN);
	assert_int_equal(k->f.remote_discr, REMOTE_DISCR);
	k->nchanges = 0;
	fake_run(k, 3 * BFD_SLOW_TX_US);
	assert_int_equal(k->f.remote_discr, 0);
	assert_int_equal(k->nchanges, 0);
	/* the next periodic packet no longer names it */
	fake_run(k, BFD_SLOW_TX_US);
	assert_int_equal(last_sent(k)->your_discr, 0);
	test_free(k);
}

static void
test_cfg_check(void **state)
{
	struct bfd_cfg c;
	const char *why;

	(void)state;
	bfd_cfg_default(&c);
	assert_int_equal(bfd_cfg_check(&c, &why), 0);
	assert_null(why);
	assert_int_equal(c.desired_min_tx_us, 300 * MS);
	assert_int_equal(c.detect_mult, 3);
	c.detect_mult = 0;
	assert_int_equal(bfd_cfg_check(&c, &why), -EINVAL);
	assert_non_null(why);
	bfd_cfg_default(&c);
	c.required_min_rx_us = 999;
	assert_int_equal(bfd_cfg_check(&c, &why), -EINVAL);
	bfd_cfg_default(&c);
	c.desired_min_tx_us = 61 * BFD_USEC_PER_SEC;
	assert_int_equal(bfd_cfg_check(&c, &why), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_vector_fields),
		cmocka_unit_test(test_encode_decode_round_trip),
		cmocka_unit_test(test_encode_rejects),
		cmocka_unit_test(test_reception_rules),
		cmocka_unit_test(test_your_discr_zero_allowed_when_down),
		cmocka_unit_test(test_auth_section_parsed),
		cmocka_unit_test(test_ttl_check),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_fsm_three_way_handshake),
		cmocka_unit_test(test_fsm_down_to_up_on_remote_init),
		cmocka_unit_test(test_fsm_init_stays_on_remote_down),
		cmocka_unit_test(test_fsm_detection_timeout),
		cmocka_unit_test(test_fsm_packets_keep_session_up),
		cmocka_unit_test(test_fsm_detection_uses_remote_mult_and_tx),
		cmocka_unit_test(test_fsm_neighbor_signals_down),
		cmocka_unit_test(test_fsm_neighbor_admin_down),
		cmocka_unit_test(test_fsm_session_level_drops),
		cmocka_unit_test(test_fsm_admin_down_discards),
		cmocka_unit_test(test_fsm_answers_poll_with_final),
		cmocka_unit_test(test_fsm_tx_increase_waits_for_final),
		cmocka_unit_test(test_fsm_rx_decrease_waits_for_final),
		cmocka_unit_test(test_fsm_slow_tx_while_not_up),
		cmocka_unit_test(test_fsm_jitter_75_100),
		cmocka_unit_test(test_fsm_jitter_mult1_75_90),
		cmocka_unit_test(test_fsm_remote_min_rx_zero_stops_tx),
		cmocka_unit_test(test_fsm_remote_demand_stops_periodic_tx),
		cmocka_unit_test(test_fsm_faster_remote_rx_reschedules),
		cmocka_unit_test(test_fsm_detect_expiry_in_down_forgets_remote),
		cmocka_unit_test(test_cfg_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
