// SPDX-License-Identifier: MIT
/*
 * BFD as a client of cutoverd's BGP speaker (RFC 5882): creates a BFD session for every
 * peer configured with `bfd:`, turns a path failure into an immediate BGP Cease "BFD
 * Down" (RFC 9384, subcode 10) with automatic restart, sends AdminDown on planned stops,
 * and exposes BFD through the control API (GET /v1/bgp/bfd) and Prometheus metrics.
 * It reads the speaker through bgp/session.h and drives its FSM only with the
 * AdminReset event; the BFD protocol is bgp/bfd_*.c.
 *
 * Why AdminDown on a planned stop (RFC 5882 §3.4, docs/bgp.md "BFD"): our BFD shares
 * fate with cutoverd (C bit clear), so it cannot outlive a restart; saying AdminDown
 * tells the peer this is administrative, while silence would look like a forwarding
 * failure after its detection time.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "bgp/bfd.h"
#include "bgp/bfd_bgp.h"
#include "bgp/bfd_json.h"
#include "bgp/bgp_wire.h"
#include "bgp/session.h"
#include "lib/ctl.h"
#include "lib/log.h"
#include "lib/metrics.h"

struct bfd_bgp {
	struct bgp_speaker	*sp;
	struct bfd_ctx		*ctx;
};

/* RFC 5882 §3.2: only a path failure (not the peer's AdminDown) takes BGP down. */
static void
bfd_bgp_notify(void *arg, struct bfd_session *s, enum bfd_state from, enum bfd_state to,
    enum bfd_diag diag, bool failure)
{
	struct bgp_peer *p = arg;
	struct bgp_fsm_msg m = { .code = BGP_ERR_CEASE, .subcode = BGP_ERR_CEASE_BFD_DOWN };

	(void)s;
	(void)from;
	(void)to;
	if (!failure || p->fsm.state == BGP_STATE_IDLE)
		return;
	log_msg(LOG_LVL_WARN, p->conf->name, "BFD down (diag %u %s): closing the BGP session",
	    diag, bfd_diag_name(diag));
	/* Cease/BFD Down, then the FSM restarts the session on its own: if the path is
	 * really gone the connection attempts fail until it is back. */
	bgp_fsm(&p->fsm, BGP_EV_ADMIN_RESET, &m);
}

struct bfd_bgp *
bfd_bgp_new(struct event_base *base, struct bgp_speaker *sp, struct diag *d, int *errp)
{
	const struct bgp_conf *c = bgp_speaker_conf(sp);
	struct bfd_bgp *b = NULL;
	bool any = false;

	*errp = 0;
	for (size_t i = 0; i < c->npeers; i++)
		any |= c->peers[i].bfd.enabled;
	if (!any)
		return NULL;
	b = calloc(1, sizeof(*b));
	if (b == NULL) {
		*errp = -ENOMEM;
		return NULL;
	}
	b->sp = sp;
	b->ctx = bfd_ctx_new(base, BFD_PORT_CONTROL, NULL, NULL);
	if (b->ctx == NULL) {
		*errp = -errno;
		diag_failv(d, *errp, "bfd: cannot listen on UDP port %u: %s", BFD_PORT_CONTROL,
		    strerror(errno));
		free(b);
		return NULL;
	}
	for (size_t i = 0; i < bgp_speaker_npeers(sp); i++) {
		struct bgp_peer *p = bgp_speaker_peer(sp, i);
		const struct bgp_conf_peer *pc = p->conf;
		struct bfd_session *s;

		if (!pc->bfd.enabled)
			continue;
		s = bfd_session_add(b->ctx, pc->name,
		    pc->has_local_addr ? &pc->local_addr : NULL, &pc->addr,
		    pc->bfd.ifname[0] ? pc->bfd.ifname : NULL, BFD_PORT_CONTROL, &pc->bfd.cfg,
		    bfd_bgp_notify, p);
		if (s == NULL) {
			*errp = -errno;
			diag_failv(d, *errp, "bgp.peers[%s].bfd: cannot start the BFD session: %s",
			    pc->name, strerror(errno));
			bfd_bgp_free(b);
			return NULL;
		}
	}
	return b;
}

void
bfd_bgp_stop(struct bfd_bgp *b)
{
	struct bfd_session *s, *next;

	if (b == NULL)
		return;
	for (s = bfd_session_first(b->ctx); s != NULL; s = next) {
		next = bfd_session_next(s);
		bfd_session_del(s, BFD_DIAG_ADMIN_DOWN, true);
	}
}

unsigned
bfd_bgp_lingering(const struct bfd_bgp *b)
{
	return b != NULL ? bfd_ctx_lingering(b->ctx) : 0;
}

void
bfd_bgp_free(struct bfd_bgp *b)
{
	if (b == NULL)
		return;
	bfd_ctx_free(b->ctx);
	free(b);
}

struct bfd_ctx *
bfd_bgp_ctx(struct bfd_bgp *b)
{
	return b != NULL ? b->ctx : NULL;
}

/* ---- control API ---- */

static int
h_bfd(struct ctl_req *req, void *arg)
{
	struct bfd_bgp *b = arg;
	json_object *o;

	if (b == NULL) {
		o = json_object_new_object();
		json_object_object_add(o, "sessions", json_object_new_array());
		json_object_object_add(o, "enabled", json_object_new_boolean(false));
	} else {
		o = bfd_ctx_json(b->ctx);
		json_object_object_add(o, "enabled", json_object_new_boolean(true));
	}
	return ctl_reply_json(req, 200, o);
}

int
bfd_control_register(struct bfd_bgp *b, struct ctl_server *ctl)
{
	return ctl_register(ctl, "GET", "/v1/bgp/bfd", h_bfd, b);
}

/* ---- metrics ---- */

static void
bfd_collect(struct metrics_out *out, void *arg)
{
	struct bfd_bgp *b = arg;
	struct bfd_session *s;
	const uint64_t *cd;

	metrics_family(out, "cutover_bfd_session_state", "gauge",
	    "BFD session state (0 AdminDown, 1 Down, 2 Init, 3 Up)");
	for (s = bfd_session_first(b->ctx); s != NULL; s = bfd_session_next(s))
		metrics_sample(out, "cutover_bfd_session_state", bfd_session_fsm(s)->state, 1,
		    "peer", bfd_session_name(s));
	metrics_family(out, "cutover_bfd_detect_time_seconds", "gauge",
	    "BFD detection time in force (0 before the peer was heard)");
	for (s = bfd_session_first(b->ctx); s != NULL; s = bfd_session_next(s))
		metrics_sample(out, "cutover_bfd_detect_time_seconds",
		    (double)bfd_fsm_detect_time(bfd_session_fsm(s)) / 1e6, 1, "peer",
		    bfd_session_name(s));
	metrics_family(out, "cutover_bfd_tx_interval_seconds", "gauge",
	    "BFD negotiated transmit interval (before jitter)");
	for (s = bfd_session_first(b->ctx); s != NULL; s = bfd_session_next(s))
		metrics_sample(out, "cutover_bfd_tx_interval_seconds",
		    (double)bfd_fsm_tx_interval(bfd_session_fsm(s)) / 1e6, 1, "peer",
		    bfd_session_name(s));
	metrics_family(out, "cutover_bfd_last_down_diag", "gauge",
	    "RFC 5880 diagnostic of the last time the session left Up (0 none)");
	for (s = bfd_session_first(b->ctx); s != NULL; s = bfd_session_next(s))
		metrics_sample(out, "cutover_bfd_last_down_diag",
		    bfd_session_fsm(s)->last_down_diag, 1, "peer", bfd_session_name(s));
	metrics_family(out, "cutover_bfd_packets_received_total", "counter",
	    "BFD control packets accepted");
	for (s = bfd_session_first(b->ctx); s != NULL; s = bfd_session_next(s))
		metrics_sample(out, "cutover_bfd_packets_received_total",
		    (double)bfd_session_fsm(s)->cnt.rx, 1, "peer", bfd_session_name(s));
	metrics_family(out, "cutover_bfd_packets_sent_total", "counter",
	    "BFD control packets sent");
	for (s = bfd_session_first(b->ctx); s != NULL; s = bfd_session_next(s))
		metrics_sample(out, "cutover_bfd_packets_sent_total",
		    (double)bfd_session_fsm(s)->cnt.tx, 1, "peer", bfd_session_name(s));
	metrics_family(out, "cutover_bfd_send_errors_total", "counter",
	    "BFD control packets that could not be sent");
	for (s = bfd_session_first(b->ctx); s != NULL; s = bfd_session_next(s))
		metrics_sample(out, "cutover_bfd_send_errors_total",
		    (double)bfd_session_fsm(s)->cnt.tx_errors, 1, "peer", bfd_session_name(s));
	metrics_family(out, "cutover_bfd_session_down_total", "counter",
	    "Times the BFD session left Up");
	for (s = bfd_session_first(b->ctx); s != NULL; s = bfd_session_next(s))
		metrics_sample(out, "cutover_bfd_session_down_total",
		    (double)bfd_session_fsm(s)->cnt.down, 1, "peer", bfd_session_name(s));
	metrics_family(out, "cutover_bfd_dropped_packets_total", "counter",
	    "BFD packets discarded, by reason (peer \"\": before a session was found)");
	for (s = bfd_session_first(b->ctx); s != NULL; s = bfd_session_next(s))
		for (int d = BFD_DROP_NONE + 1; d < BFD_DROP_MAX; d++)
			if (bfd_session_fsm(s)->cnt.drops[d] != 0)
				metrics_sample(out, "cutover_bfd_dropped_packets_total",
				    (double)bfd_session_fsm(s)->cnt.drops[d], 2, "peer",
				    bfd_session_name(s), "reason", bfd_drop_name((enum bfd_drop)d));
	cd = bfd_ctx_drops(b->ctx);
	for (int d = BFD_DROP_NONE + 1; d < BFD_DROP_MAX; d++)
		metrics_sample(out, "cutover_bfd_dropped_packets_total", (double)cd[d], 2, "peer",
		    "", "reason", bfd_drop_name((enum bfd_drop)d));
}

int
bfd_metrics_register(struct bfd_bgp *b, struct metrics *m)
{
	if (b == NULL)
		return 0;
	return metrics_register(m, bfd_collect, b);
}
