// SPDX-License-Identifier: MIT
/*
 * The BFD session state machine (RFC 5880 §6.8), asynchronous mode, pure: time, timers,
 * randomness and transmission come from the owner's struct bfd_fsm_ops, so the unit tests
 * drive it with a virtual clock. This file owns the §6.8.1 variables, the §6.8.6 state
 * table and session-level reception checks, the §6.8.3 poll sequence for interval changes,
 * the §6.8.4 detection time and the §6.8.7 transmit schedule with jitter. It does not
 * know sockets, addresses or libevent (bfd_session.c does).
 */
#include <errno.h>
#include <string.h>

#include "bgp/bfd.h"

static uint32_t
max_u32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

void
bfd_cfg_default(struct bfd_cfg *cfg)
{
	cfg->desired_min_tx_us = BFD_DEFAULT_TX_US;
	cfg->required_min_rx_us = BFD_DEFAULT_RX_US;
	cfg->detect_mult = BFD_DEFAULT_MULT;
}

int
bfd_cfg_check(const struct bfd_cfg *cfg, const char **why)
{
	const char *w = NULL;

	if (cfg->detect_mult == 0)
		w = "detect multiplier must be at least 1";
	/* Sub-millisecond timers are not something a userspace daemon on a shared node can
	 * keep; refuse rather than flap. RX 0 ("send me nothing") would leave no detection. */
	else if (cfg->desired_min_tx_us < 1000 || cfg->required_min_rx_us < 1000)
		w = "intervals below 1 ms are not supported";
	else if (cfg->desired_min_tx_us > 60 * BFD_USEC_PER_SEC ||
	    cfg->required_min_rx_us > 60 * BFD_USEC_PER_SEC)
		w = "intervals above 60 s are not supported";
	if (why != NULL)
		*why = w;
	return w == NULL ? 0 : -EINVAL;
}

uint32_t
bfd_fsm_tx_interval(const struct bfd_fsm *f)
{
	return max_u32(f->tx_in_use, f->remote_min_rx);
}

uint64_t
bfd_fsm_detect_time(const struct bfd_fsm *f)
{
	/* §6.8.4: remote Detect Mult x max(our RequiredMinRx, remote DesiredMinTx). */
	return (uint64_t)f->remote_detect_mult * max_u32(f->rx_in_use, f->remote_desired_min_tx);
}

uint64_t
bfd_fsm_admin_linger_us(const struct bfd_fsm *f)
{
	/* The remote's detection time for us is our DetectMult x max(its RequiredMinRx, our
	 * DesiredMinTx); our transmit interval is at least that max. */
	return (uint64_t)f->detect_mult * bfd_fsm_tx_interval(f);
}

void
bfd_fsm_build(const struct bfd_fsm *f, struct bfd_pkt *pkt, bool final)
{
	memset(pkt, 0, sizeof(*pkt));
	pkt->version = BFD_VERSION;
	pkt->diag = (uint8_t)f->local_diag;
	pkt->state = (uint8_t)f->state;
	/* §6.5: never P and F together; the final reply goes out alone, the next periodic
	 * packet carries P again. C stays clear: BFD lives in cutoverd's process and shares
	 * fate with its control plane (RFC 5882 §4.3). */
	if (final)
		pkt->flags |= BFD_FLAG_F;
	else if (f->poll_active)
		pkt->flags |= BFD_FLAG_P;
	if (f->demand_mode)
		pkt->flags |= BFD_FLAG_D;
	pkt->detect_mult = f->detect_mult;
	pkt->length = BFD_PKT_LEN;
	pkt->my_discr = f->local_discr;
	pkt->your_discr = f->remote_discr;
	pkt->desired_min_tx = f->desired_min_tx;
	pkt->required_min_rx = f->required_min_rx;
	pkt->required_min_echo_rx = 0;	/* §6.8.9: we do not receive echo packets */
}

static void
bfd_fsm_send(struct bfd_fsm *f, bool final)
{
	uint8_t out[BFD_PKT_LEN];
	struct buf_writer bw;
	struct bfd_pkt pkt;

	bfd_fsm_build(f, &pkt, final);
	bw_init(&bw, out, sizeof(out));
	if (bfd_pkt_encode(&pkt, &bw) != 0 || f->ops->send(f->ctx, out, bw.len) != 0) {
		f->cnt.tx_errors++;
		return;
	}
	f->cnt.tx++;
}

/* §6.8.7: periodic transmission is allowed unless the remote asked for none. */
static bool
bfd_fsm_may_tx(const struct bfd_fsm *f)
{
	if (f->remote_min_rx == 0)
		return false;
	if (f->remote_demand_mode && f->state == BFD_STATE_UP &&
	    f->remote_state == BFD_STATE_UP && !f->poll_active)
		return false;
	return true;
}

/* §6.8.7: the interval is reduced by a random 0-25 %; with DetectMult 1 it must stay in
 * 75-90 %. */
static uint64_t
bfd_fsm_jitter(struct bfd_fsm *f, uint64_t interval)
{
	uint64_t lo = interval * 3 / 4;
	uint64_t span = f->detect_mult == 1 ? interval * 90 / 100 - lo : interval - lo;

	/* scale rather than modulo: no bias, and both ends are reachable */
	return lo + span * f->ops->random(f->ctx) / UINT32_MAX;
}

static void
bfd_fsm_arm_tx(struct bfd_fsm *f, uint64_t now)
{
	uint64_t iv = bfd_fsm_tx_interval(f);
	uint64_t delay;

	if (iv == 0)
		iv = f->tx_in_use;
	delay = bfd_fsm_jitter(f, iv);
	f->next_tx = now + delay;
	f->ops->timer_arm(f->ctx, BFD_TIMER_TX, delay);
}

/* The negotiated interval may have shrunk: do not wait for a timer set for the old one. */
static void
bfd_fsm_resched_tx(struct bfd_fsm *f, uint64_t now)
{
	uint64_t iv = bfd_fsm_tx_interval(f);

	if (f->running && iv != 0 && f->next_tx > now + iv)
		bfd_fsm_arm_tx(f, now);
}

static void
bfd_fsm_poll_start(struct bfd_fsm *f)
{
	if (!f->poll_active)
		f->cnt.polls++;
	f->poll_active = true;
}

/* §6.8.3: a poll sequence ended (F received) or is moot (session left Up). */
static void
bfd_fsm_poll_done(struct bfd_fsm *f)
{
	f->poll_active = false;
	f->tx_in_use = f->desired_min_tx;
	f->rx_in_use = f->required_min_rx;
}

/*
 * Set the advertised DesiredMinTx/RequiredMinRx for the current state. §6.8.3: not Up ->
 * at least one second and effective at once; Up -> a poll sequence, and an increased TX or
 * decreased RX takes effect only when the poll completes.
 */
static void
bfd_fsm_apply_intervals(struct bfd_fsm *f)
{
	uint32_t tx = f->cfg.desired_min_tx_us, rx = f->cfg.required_min_rx_us;

	if (f->state != BFD_STATE_UP)
		tx = max_u32(tx, BFD_SLOW_TX_US);
	f->detect_mult = f->cfg.detect_mult;
	if (tx == f->desired_min_tx && rx == f->required_min_rx)
		return;
	f->desired_min_tx = tx;
	f->required_min_rx = rx;
	if (f->state != BFD_STATE_UP) {
		bfd_fsm_poll_done(f);
		return;
	}
	if (tx < f->tx_in_use)
		f->tx_in_use = tx;
	if (rx > f->rx_in_use)
		f->rx_in_use = rx;
	bfd_fsm_poll_start(f);
}

static void
bfd_fsm_change(struct bfd_fsm *f, enum bfd_state to, enum bfd_diag diag)
{
	enum bfd_state from = f->state;
	uint64_t now = f->ops->now(f->ctx);

	if (from == to)
		return;
	f->state = to;
	f->last_change = now;
	if (to == BFD_STATE_UP) {
		f->local_diag = BFD_DIAG_NONE;
		f->cnt.up++;
	} else {
		f->local_diag = diag;
		if (from == BFD_STATE_UP) {
			f->cnt.down++;
			f->last_down_diag = diag;
		}
	}
	if (from == BFD_STATE_UP)
		f->poll_active = false;
	bfd_fsm_apply_intervals(f);
	if (f->ops->state_changed != NULL)
		f->ops->state_changed(f->ctx, from, to, diag);
	/* Tell the peer at once instead of up to one (slow) interval later. */
	if (f->running && bfd_fsm_may_tx(f)) {
		bfd_fsm_send(f, false);
		bfd_fsm_arm_tx(f, now);
	}
}

void
bfd_fsm_init(struct bfd_fsm *f, const struct bfd_cfg *cfg, uint32_t local_discr,
    const struct bfd_fsm_ops *ops, void *ctx)
{
	memset(f, 0, sizeof(*f));
	f->ops = ops;
	f->ctx = ctx;
	f->cfg = *cfg;
	f->state = BFD_STATE_ADMIN_DOWN;
	f->remote_state = BFD_STATE_DOWN;
	f->local_discr = local_discr;
	f->local_diag = BFD_DIAG_NONE;
	f->remote_min_rx = 1;		/* §6.8.1 initial value */
	f->detect_mult = cfg->detect_mult;
	f->desired_min_tx = max_u32(cfg->desired_min_tx_us, BFD_SLOW_TX_US);
	f->required_min_rx = cfg->required_min_rx_us;
	f->tx_in_use = f->desired_min_tx;
	f->rx_in_use = f->required_min_rx;
}

void
bfd_fsm_enable(struct bfd_fsm *f)
{
	uint64_t now = f->ops->now(f->ctx);

	f->running = true;
	if (f->state == BFD_STATE_ADMIN_DOWN)
		bfd_fsm_change(f, BFD_STATE_DOWN, BFD_DIAG_NONE);
	else {
		bfd_fsm_send(f, false);
		bfd_fsm_arm_tx(f, now);
	}
}

void
bfd_fsm_disable(struct bfd_fsm *f, enum bfd_diag diag)
{
	bfd_fsm_change(f, BFD_STATE_ADMIN_DOWN, diag);
	f->detect_deadline = 0;
	if (f->running)
		f->ops->timer_stop(f->ctx, BFD_TIMER_DETECT);
}

void
bfd_fsm_stop(struct bfd_fsm *f)
{
	f->running = false;
	f->ops->timer_stop(f->ctx, BFD_TIMER_TX);
	f->ops->timer_stop(f->ctx, BFD_TIMER_DETECT);
}

void
bfd_fsm_set_cfg(struct bfd_fsm *f, const struct bfd_cfg *cfg)
{
	f->cfg = *cfg;
	bfd_fsm_apply_intervals(f);
	if (f->running)
		bfd_fsm_resched_tx(f, f->ops->now(f->ctx));
}

static int
bfd_fsm_drop(struct bfd_fsm *f, enum bfd_drop d, enum bfd_drop *why)
{
	f->cnt.drops[d]++;
	if (why != NULL)
		*why = d;
	return -EBADMSG;
}

int
bfd_fsm_rx(struct bfd_fsm *f, const struct bfd_pkt *pkt, enum bfd_drop *why)
{
	uint64_t now = f->ops->now(f->ctx), det;
	enum bfd_state rs = (enum bfd_state)pkt->state;

	if (why != NULL)
		*why = BFD_DROP_NONE;
	/* §6.8.6: bfd.AuthType is zero, so a packet with A set is discarded. */
	if (pkt->flags & BFD_FLAG_A)
		return bfd_fsm_drop(f, BFD_DROP_AUTH, why);
	if (pkt->your_discr != 0 && pkt->your_discr != f->local_discr)
		return bfd_fsm_drop(f, BFD_DROP_YOUR_DISCR, why);
	if (pkt->your_discr == 0 && rs != BFD_STATE_DOWN && rs != BFD_STATE_ADMIN_DOWN)
		return bfd_fsm_drop(f, BFD_DROP_YOUR_DISCR_ZERO, why);

	f->remote_discr = pkt->my_discr;
	f->remote_state = rs;
	f->remote_diag = (enum bfd_diag)pkt->diag;
	f->remote_demand_mode = (pkt->flags & BFD_FLAG_D) != 0;
	f->remote_min_rx = pkt->required_min_rx;
	f->remote_desired_min_tx = pkt->desired_min_tx;
	f->remote_detect_mult = pkt->detect_mult;
	/* Required Min Echo RX is ignored: we never send echo packets. */
	if (f->poll_active && (pkt->flags & BFD_FLAG_F))
		bfd_fsm_poll_done(f);

	if (f->state == BFD_STATE_ADMIN_DOWN)
		return bfd_fsm_drop(f, BFD_DROP_ADMIN_DOWN, why);

	/* The packet counts as received for detection (§6.8.4) from here on. */
	f->cnt.rx++;
	f->last_rx = now;
	det = bfd_fsm_detect_time(f);
	f->detect_deadline = now + det;
	if (f->running)
		f->ops->timer_arm(f->ctx, BFD_TIMER_DETECT, det);

	/* §6.8.6 state table. */
	if (rs == BFD_STATE_ADMIN_DOWN) {
		if (f->state != BFD_STATE_DOWN)
			bfd_fsm_change(f, BFD_STATE_DOWN, BFD_DIAG_NEIGHBOR_DOWN);
	} else if (f->state == BFD_STATE_DOWN) {
		if (rs == BFD_STATE_DOWN)
			bfd_fsm_change(f, BFD_STATE_INIT, BFD_DIAG_NONE);
		else if (rs == BFD_STATE_INIT)
			bfd_fsm_change(f, BFD_STATE_UP, BFD_DIAG_NONE);
	} else if (f->state == BFD_STATE_INIT) {
		if (rs == BFD_STATE_INIT || rs == BFD_STATE_UP)
			bfd_fsm_change(f, BFD_STATE_UP, BFD_DIAG_NONE);
	} else if (rs == BFD_STATE_DOWN) {
		bfd_fsm_change(f, BFD_STATE_DOWN, BFD_DIAG_NEIGHBOR_DOWN);
	}

	/* §6.8.6: answer a poll at once, regardless of timers and of RemoteMinRx. */
	if (pkt->flags & BFD_FLAG_P)
		bfd_fsm_send(f, true);
	if (f->running)
		bfd_fsm_resched_tx(f, now);
	return 0;
}

static void
bfd_fsm_detect_expired(struct bfd_fsm *f, uint64_t now)
{
	if (f->detect_deadline == 0)
		return;
	if (now < f->detect_deadline) {
		/* Stale or early timer: wait for the rest. */
		f->ops->timer_arm(f->ctx, BFD_TIMER_DETECT, f->detect_deadline - now);
		return;
	}
	f->detect_deadline = 0;
	/* §6.8.1/§6.8.18: forget the remote after a detection time of silence. */
	f->remote_discr = 0;
	f->remote_state = BFD_STATE_DOWN;
	f->remote_min_rx = 1;
	f->remote_demand_mode = false;
	f->remote_detect_mult = 0;
	f->remote_desired_min_tx = 0;
	if (f->state == BFD_STATE_INIT || f->state == BFD_STATE_UP)
		bfd_fsm_change(f, BFD_STATE_DOWN, BFD_DIAG_TIME_EXPIRED);
}

void
bfd_fsm_timer(struct bfd_fsm *f, enum bfd_timer t)
{
	uint64_t now = f->ops->now(f->ctx);

	if (!f->running)
		return;
	switch (t) {
	case BFD_TIMER_TX:
		if (bfd_fsm_may_tx(f))
			bfd_fsm_send(f, false);
		bfd_fsm_arm_tx(f, now);
		break;
	case BFD_TIMER_DETECT:
		bfd_fsm_detect_expired(f, now);
		break;
	case BFD_TIMER_MAX:
		break;
	}
}
