// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the BFD control packet decoder (bgp/bfd_pkt.c) and the state
 * machine's reception path (bgp/bfd_fsm.c). Input: one UDP payload, optionally followed
 * by more payloads (the first byte of the input picks the split). Whatever the decoder
 * accepts must re-encode and decode to the same fields (without the auth section, which
 * we never send), and the FSM must survive any sequence of accepted packets and timer
 * expiries without breaking its invariants.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/bfd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	uint64_t now;
};

static uint64_t
fz_now(void *ctx)
{
	return ((struct fz *)ctx)->now;
}

static uint32_t
fz_random(void *ctx)
{
	return (uint32_t)((struct fz *)ctx)->now;
}

static void
fz_arm(void *ctx, enum bfd_timer t, uint64_t delay)
{
	(void)ctx;
	(void)t;
	(void)delay;
}

static void
fz_stop(void *ctx, enum bfd_timer t)
{
	(void)ctx;
	(void)t;
}

static int
fz_send(void *ctx, const uint8_t *pkt, size_t len)
{
	struct bfd_pkt p;

	(void)ctx;
	/* what we send must pass our own checks */
	if (bfd_pkt_decode(pkt, len, &p, NULL) != 0)
		abort();
	return 0;
}

static const struct bfd_fsm_ops fz_ops = {
	.now = fz_now, .random = fz_random, .timer_arm = fz_arm, .timer_stop = fz_stop,
	.send = fz_send, .state_changed = NULL,
};

static void
check_round_trip(const struct bfd_pkt *p)
{
	uint8_t out[BFD_PKT_LEN];
	struct buf_writer bw;
	struct bfd_pkt in = *p, back;

	in.flags &= (uint8_t)~BFD_FLAG_A;
	bw_init(&bw, out, sizeof(out));
	if (bfd_pkt_encode(&in, &bw) != 0)
		abort();
	if (bfd_pkt_decode(out, bw.len, &back, NULL) != 0)
		abort();
	if (back.diag != in.diag || back.state != in.state || back.flags != in.flags ||
	    back.detect_mult != in.detect_mult || back.my_discr != in.my_discr ||
	    back.your_discr != in.your_discr || back.desired_min_tx != in.desired_min_tx ||
	    back.required_min_rx != in.required_min_rx ||
	    back.required_min_echo_rx != in.required_min_echo_rx)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bfd_cfg cfg;
	struct bfd_fsm f;
	struct fz z = { .now = 1 };
	size_t chunk;

	if (size == 0)
		return 0;
	chunk = data[0] ? data[0] : BFD_PKT_LEN;
	data++;
	size--;
	bfd_cfg_default(&cfg);
	bfd_fsm_init(&f, &cfg, 0x1001, &fz_ops, &z);
	bfd_fsm_enable(&f);
	while (size > 0) {
		size_t n = size < chunk ? size : chunk;
		struct bfd_pkt p;
		enum bfd_drop why;

		if (bfd_pkt_decode(data, n, &p, &why) == 0) {
			if (why != BFD_DROP_NONE || p.length > n)
				abort();
			check_round_trip(&p);
			(void)bfd_fsm_rx(&f, &p, &why);
		} else if (why == BFD_DROP_NONE || why >= BFD_DROP_MAX) {
			abort();
		}
		/* let time pass so detection and TX timers run */
		z.now += (uint64_t)n * 20000;
		bfd_fsm_timer(&f, BFD_TIMER_TX);
		bfd_fsm_timer(&f, BFD_TIMER_DETECT);
		/* Up always names the remote (its My Discriminator is never 0) */
		if (f.state > BFD_STATE_UP || (f.state == BFD_STATE_UP && f.remote_discr == 0))
			abort();
		data += n;
		size -= n;
	}
	bfd_fsm_stop(&f);
	return 0;
}
