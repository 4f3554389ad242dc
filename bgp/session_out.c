// SPDX-License-Identifier: MIT
/*
 * What a session sends about routes: the originated prefixes (configured and
 * dynamic) as UPDATEs with the per-family next hop chosen at Established, End-of-RIB
 * markers after the initial table, and run-time originate/withdraw. Split from
 * session.c (which owns connections, framing and the FSM glue).
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "bgp/session_int.h"
#include "lib/log.h"

static bool
peer_family_up(const struct bgp_peer *p, int family)
{
	int f = family == AF_INET6 ? BGP_FAM_IPV6_UNICAST : BGP_FAM_IPV4_UNICAST;

	return p->fsm.state == BGP_STATE_ESTABLISHED &&
	    (p->wctx.families & BGP_FAM_BIT(f)) && p->has_nh[fam_idx(family)];
}

/* Announce (o != NULL) or withdraw pfx on p. */
static void
peer_send_route(struct bgp_peer *p, const struct prefix *pfx, const struct bgp_origin *o)
{
	const struct bgp_conf *g = p->sp->conf;
	struct bgp_attrs attrs;
	struct bgp_nexthop nh;
	struct buf_writer bw;
	int rc;

	bgp_attrs_init(&attrs);
	memset(&nh, 0, sizeof(nh));
	bw_init_dyn(&bw, bgp_wire_max_len(&p->wctx));
	if (o) {
		attrs.present |= BGP_ATTR_BIT(BGP_ATTR_ORIGIN) | BGP_ATTR_BIT(BGP_ATTR_AS_PATH);
		attrs.origin = BGP_ORIGIN_IGP;
		if (!p->ibgp) {
			uint32_t as = g->local_as;

			if (bgp_as_path_append(&attrs.as_path, BGP_AS_SEQUENCE, &as, 1))
				goto out;
		} else {
			attrs.present |= BGP_ATTR_BIT(BGP_ATTR_LOCAL_PREF);
			attrs.local_pref = 100;
		}
		for (size_t i = 0; i < o->ncommunities; i++)
			if (bgp_attrs_add_community(&attrs, o->communities[i]))
				goto out;
		nh.global = p->nh[fam_idx(pfx->addr.family)];
	}
	rc = bgp_update_pack(&p->wctx, &bw, o ? &attrs : NULL, o ? &nh : NULL, pfx, 1);
	if (rc < 0) {
		peer_log(LOG_LVL_ERR, p, "cannot encode UPDATE: %s", strerror(-rc));
		goto out;
	}
	session_conn_send(p, p->conn, &bw, BGP_MSG_UPDATE);
	if (o)
		p->stats.prefixes_out++;
	else
		p->stats.withdraws_out++;
out:
	bw_free(&bw);
	bgp_attrs_free(&attrs);
}

static int
announce_cb(const struct bgp_origin *o, void *arg)
{
	struct bgp_peer *p = arg;

	if (peer_family_up(p, o->prefix.addr.family))
		peer_send_route(p, &o->prefix, o);
	return 0;
}

/* Full table to p, then End-of-RIB per negotiated family (RFC 4724 §2). */
void
session_announce_all(struct bgp_peer *p)
{
	uint8_t buf[64];
	struct buf_writer bw;

	bgp_origin_walk(p->sp->origins, 0, announce_cb, p);
	for (int f = 0; f < BGP_FAM_COUNT; f++) {
		uint16_t afi;
		uint8_t safi;

		if (!(p->wctx.families & BGP_FAM_BIT(f)))
			continue;
		bgp_family_to_afisafi(f, &afi, &safi);
		bw_init(&bw, buf, sizeof(buf));
		bgp_eor_encode(&bw, afi, safi);
		session_conn_send(p, p->conn, &bw, BGP_MSG_UPDATE);
	}
}

int
bgp_originate_add(struct bgp_speaker *sp, const struct prefix *pfx, const uint32_t *comms,
    size_t ncomms)
{
	const struct bgp_origin *o;
	int rc = bgp_origin_add(sp->origins, pfx, comms, ncomms, BGP_ORIGIN_DYNAMIC, time(NULL));

	if (rc < 0)
		return rc;
	o = bgp_origin_get(sp->origins, pfx);
	for (size_t i = 0; o && i < sp->npeers; i++)
		if (peer_family_up(&sp->peers[i], pfx->addr.family))
			peer_send_route(&sp->peers[i], pfx, o);
	/* the Loc-RIB learns it after the peers: its Adj-RIB-Out leaves our own prefixes
	 * to us, so nothing it sends later can overtake this announcement */
	if (o && sp->rib.originate)
		sp->rib.originate(sp->rib.arg, pfx, o);
	return 0;
}

int
bgp_originate_del(struct bgp_speaker *sp, const struct prefix *pfx)
{
	if (!bgp_origin_del(sp->origins, pfx, BGP_ORIGIN_DYNAMIC))
		return bgp_origin_get(sp->origins, pfx) ? 0 : -ENOENT;
	for (size_t i = 0; i < sp->npeers; i++)
		if (peer_family_up(&sp->peers[i], pfx->addr.family))
			peer_send_route(&sp->peers[i], pfx, NULL);
	/* after the withdrawal: a learned route for the prefix may now be sent instead */
	if (sp->rib.originate)
		sp->rib.originate(sp->rib.arg, pfx, NULL);
	return 0;
}
