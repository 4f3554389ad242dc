// SPDX-License-Identifier: MIT
/*
 * Routing core of the daemon (see ribd.h): session hooks -> import filter -> RIB ->
 * kernel, graceful restart deadlines, and GET /v1/bgp/rib.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/adjout.h"
#include "bgp/filter.h"
#include "bgp/ksync.h"
#include "bgp/ribd.h"
#include "bgp/session.h"
#include "lib/ctl.h"
#include "lib/log.h"

struct ribd_peer {
	const struct bgp_conf_peer *conf;
	uint16_t		 idx;
	bool			 ebgp;
	const struct filter	*import;
	const struct filter	*export;
	struct adjout		*ao;		/* while Established */
	const struct bgp_peer	*bp;
	/* helper role */
	bool			 stale_pending;
	uint64_t		 stale_deadline;
	uint16_t		 peer_restart_time;	/* from its OPEN */
	/* restarting-speaker role */
	uint32_t		 eor_wanted;		/* BGP_FAM_BIT()s still expected */
	bool			 up_once;
	/* counters */
	uint64_t		 accepted, filtered, looped;
	uint64_t		 rejected;	/* the RIB could not take them (no memory, full) */
	bool			 rejected_logged;
	/* What the last UPDATE's attributes gave (bgp_route.attrs_id), so that its other
	 * prefixes skip the loop check and the interning: last_as is referenced. */
	uint64_t		 last_id;
	bool			 last_looped;
	struct rib_aset		*last_as;
};

struct ribd {
	const struct bgp_conf	*conf;
	struct rib		*rib;
	struct kroute		*kr;
	struct ksync		*ks;
	int			 adopted;
	bool			 restart_done;
	uint64_t		 restart_deadline;
	uint64_t		 now;
	struct ribd_peer	*peers;
	size_t			 npeers;
	size_t			 last;		/* lookup cache */
	struct bgp_rib_client	 client;
	uint64_t		 kernel_errors, kernel_skipped;
};

static const struct rib_client_ops kernel_ops;
static const struct rib_client_ops adjout_ops;

/* ---- kernel client ---- */

static void
kernel_change(void *arg, struct rib *r, const struct rib_change *c)
{
	struct ribd *rd = arg;
	const struct rib_path *mp[RIB_ECMP_MAX];
	struct kroute_nexthop nh[RIB_ECMP_MAX];
	size_t k, n = 0;
	struct diag d;
	int rc;

	(void)r;
	diag_init(&d, "kernel");
	k = c->net && c->best ? rib_net_multipath(c->net, mp, RIB_ECMP_MAX) : 0;
	if (k == 0 || c->best->peer == RIB_PEER_LOCAL) {
		rc = ksync_unset(rd->ks, c->pfx, &d);
		goto out;
	}
	for (size_t i = 0; i < k; i++) {
		struct bgp_nexthop bnh;
		const struct addr *gw = &bnh.global;
		bool dup = false;

		rib_aset_nexthop(mp[i]->aset, &bnh);

		/* a next hop of the other family (RFC 8950) or none: not installable here */
		if (gw->family != c->pfx->addr.family)
			continue;
		for (size_t j = 0; j < n && !dup; j++)
			dup = addr_eq(&nh[j].gw, gw);
		if (dup)
			continue;
		memset(&nh[n], 0, sizeof(nh[n]));
		nh[n++].gw = *gw;
	}
	if (n == 0) {
		rd->kernel_skipped++;
		rc = ksync_unset(rd->ks, c->pfx, &d);
	} else {
		rc = ksync_set(rd->ks, c->pfx, nh, n, &d);
	}
out:
	if (rc < 0) {
		char p[PREFIX_STRLEN];

		/* WARNING: logged at most 10 times, then counted only. */
		if (rd->kernel_errors++ < 10)
			log_warn("kernel: %s: %s", prefix_format(c->pfx, p, sizeof(p)),
			    d.msg[0] ? d.msg : strerror(-rc));
	}
}

static const struct rib_client_ops kernel_ops = {
	.name = "kernel",
	.change = kernel_change,
};

/* ---- Adj-RIB-Out of every Established peer ---- */

static void
adjout_rib_change(void *arg, struct rib *r, const struct rib_change *c)
{
	struct ribd *rd = arg;

	(void)r;
	for (size_t i = 0; i < rd->npeers; i++)
		if (rd->peers[i].ao)
			adjout_change(rd->peers[i].ao, c);
}

static const struct rib_client_ops adjout_ops = {
	.name = "adj-rib-out",
	.change = adjout_rib_change,
};

static int
adjout_send(void *arg, const uint8_t *msgs, size_t len)
{
	const struct ribd_peer *rp = arg;

	return rp->bp ? bgp_peer_send(rp->bp, msgs, len) : -ENOTCONN;
}

static void
adjout_flush_peer(struct ribd_peer *rp)
{
	int rc;

	if (!rp->ao || adjout_pending(rp->ao) == 0)
		return;
	rc = adjout_flush(rp->ao);
	if (rc < 0)
		log_warn("%s: sending UPDATEs: %s", rp->conf->name, strerror(-rc));
}

/* ---- peers ---- */

static struct ribd_peer *
peer_find(struct ribd *rd, const char *name)
{
	if (rd->last < rd->npeers && (rd->peers[rd->last].conf->name == name ||
	    strcmp(rd->peers[rd->last].conf->name, name) == 0))
		return &rd->peers[rd->last];
	for (size_t i = 0; i < rd->npeers; i++) {
		if (strcmp(rd->peers[i].conf->name, name) == 0) {
			rd->last = i;
			return &rd->peers[i];
		}
	}
	return NULL;
}

static int
fam_of(int family)
{
	return family == AF_INET6 ? BGP_FAM_IPV6_UNICAST : BGP_FAM_IPV4_UNICAST;
}

static void
restart_finish(struct ribd *rd, const char *why)
{
	struct diag d;
	int n;

	if (rd->restart_done)
		return;
	rd->restart_done = true;
	if (!rd->ks)
		return;
	diag_init(&d, "kernel");
	n = ksync_sweep(rd->ks, &d);
	if (n < 0)
		log_warn("graceful restart: sweeping stale kernel routes: %s", d.msg);
	else
		log_info("graceful restart: %s; %d stale kernel route(s) removed", why, n);
}

/* Restarting speaker: done when every peer has been up and sent its End-of-RIBs. */
static void
restart_check(struct ribd *rd)
{
	if (rd->restart_done)
		return;
	for (size_t i = 0; i < rd->npeers; i++)
		if (!rd->peers[i].up_once || rd->peers[i].eor_wanted)
			return;
	restart_finish(rd, "End-of-RIB from every peer");
}

static const struct bgp_nexthop *
route_nexthop(const struct bgp_route *r, struct bgp_nexthop *nh)
{
	memset(nh, 0, sizeof(*nh));
	nh->global = r->nexthop;
	nh->has_ll = r->has_ll;
	if (r->has_ll)
		nh->ll = r->nexthop_ll;
	return nh;
}

/* The interned set of the UPDATE's attributes tmp (referenced), kept in rp->last_as
 * for its other prefixes; NULL with errno (E2BIG: too long to keep, or ENOMEM). */
static struct rib_aset *
update_aset(struct ribd *rd, struct ribd_peer *rp, const struct bgp_route *r,
    const struct bgp_attrs *tmp, const struct bgp_nexthop *nh)
{
	struct rib_aset *as;

	if (rp->last_as)
		return rib_aset_ref(rp->last_as);
	/* the received form serves when tmp is what was received (LOCAL_PREF from an
	 * external peer is dropped from tmp, so then it does not) */
	if (r->packed && tmp->present == r->attrs.present)
		as = rib_aset_intern_packed(rd->rib, tmp, nh, r->packed, r->packed_len);
	else
		as = rib_aset_intern(rd->rib, tmp, nh);
	if (as && r->attrs_id)
		rp->last_as = rib_aset_ref(as);
	return as;
}

/* Why a route was not kept, for errno value err. */
static const char *
not_kept_reason(int err)
{
	return err == E2BIG ? "attributes longer than 65,535 octets with 4-octet ASNs" :
	    err == ENOSPC ? "the RIB holds the most prefixes it can (16,777,215 per family)" :
	    strerror(err);
}

static void
log_not_kept(const struct ribd_peer *rp, const struct prefix *p, int err)
{
	log_warn("%s: %s: route not kept: %s", rp->conf->name,
	    prefix_format(p, (char[PREFIX_STRLEN]){ 0 }, PREFIX_STRLEN), not_kept_reason(err));
}

/* What the RIB refused of n routes (k taken, the first error err; p the prefix when
 * n is 1) is counted, and logged once per peer: it is out of memory or out of room,
 * not the peer's fault. */
static void
count_taken(struct ribd_peer *rp, const struct prefix *p, size_t n, size_t k, int err)
{
	rp->accepted += k;
	if (k == n)
		return;
	rp->rejected += n - k;
	if (!rp->rejected_logged && p)
		log_not_kept(rp, p, -err);
	else if (!rp->rejected_logged)
		log_warn("%s: %zu of %zu routes of an UPDATE not kept: %s", rp->conf->name,
		    n - k, n, not_kept_reason(-err));
	rp->rejected_logged = true;
}

/* One prefix of an UPDATE from rp: import filter, then the RIB. tmp are the UPDATE's
 * attributes as imported. */
static void
import_one(struct ribd *rd, struct ribd_peer *rp, const struct prefix *p,
    const struct bgp_route *r, const struct bgp_attrs *tmp, const struct bgp_nexthop *nh)
{
	struct filter_verdict v;
	struct bgp_attrs own;
	struct rib_aset *as;
	int rc;

	filter_eval(rp->import, rp->ebgp, p, tmp, &v);
	if (!v.permit) {
		rp->filtered++;
		(void)rib_route_withdraw(rd->rib, rp->idx, p);	/* it may have passed before */
		return;
	}
	if (filter_verdict_modifies(&v)) {
		bgp_attrs_init(&own);
		if (bgp_attrs_dup(&own, tmp) != 0 || filter_apply(v.rule, &own) != 0) {
			bgp_attrs_free(&own);
			log_warn("%s: out of memory applying the import filter", rp->conf->name);
			return;
		}
		as = rib_aset_intern(rd->rib, &own, nh);
		bgp_attrs_free(&own);
	} else {
		as = update_aset(rd, rp, r, tmp, nh);
	}
	if (!as) {
		/* E2BIG: a path too long to keep; treated like a filtered route */
		log_not_kept(rp, p, errno);
		rp->filtered++;
		(void)rib_route_withdraw(rd->rib, rp->idx, p);
		return;
	}
	rc = rib_route_update(rd->rib, rp->idx, p, as);
	rib_aset_unref(rd->rib, as);
	count_taken(rp, p, 1, rc == 0, rc);
}

static void
hook_update(void *arg, const char *peer, const struct prefix *p, size_t n,
    const struct bgp_route *r)
{
	struct ribd *rd = arg;
	struct ribd_peer *rp = peer_find(rd, peer);
	struct filter_verdict v;
	struct bgp_attrs tmp;
	struct bgp_nexthop nh;
	struct rib_aset *as;
	size_t k;
	int err;

	if (!rp || n == 0)
		return;
	tmp = r->attrs;		/* shallow: only the present mask changes */
	/* RFC 4271 §5.1.5: LOCAL_PREF from an external peer is ignored. */
	if (rp->ebgp)
		tmp.present &= ~BGP_ATTR_BIT(BGP_ATTR_LOCAL_PREF);
	if (r->attrs_id == 0 || r->attrs_id != rp->last_id) {
		rib_aset_unref(rd->rib, rp->last_as);
		rp->last_as = NULL;
		rp->last_id = r->attrs_id;
		/* RFC 4271 §9.1.2: a route with our own AS in its path is not used. */
		rp->last_looped = bgp_as_path_contains(&tmp.as_path, rd->conf->local_as);
	}
	route_nexthop(r, &nh);
	/* The common case: the import filter's verdict does not depend on the prefix and
	 * keeps the attributes, so the whole list goes to the RIB with one set. */
	if (!rp->last_looped &&
	    filter_eval_any_prefix(rp->import, rp->ebgp, p[0].addr.family, &tmp, &v) &&
	    v.permit && !filter_verdict_modifies(&v)) {
		if ((as = update_aset(rd, rp, r, &tmp, &nh)) != NULL) {
			k = rib_route_update_many(rd->rib, rp->idx, p, n, as, &err);
			rib_aset_unref(rd->rib, as);
			count_taken(rp, NULL, n, k, err);
			return;
		}
	}
	for (size_t i = 0; i < n; i++) {
		rib_prefetch(rd->rib, p, n, i);
		if (rp->last_looped) {
			rp->looped++;
			(void)rib_route_withdraw(rd->rib, rp->idx, &p[i]);
			continue;
		}
		import_one(rd, rp, &p[i], r, &tmp, &nh);
	}
}

static void
hook_withdraw(void *arg, const char *peer, const struct prefix *p, size_t n)
{
	struct ribd *rd = arg;
	struct ribd_peer *rp = peer_find(rd, peer);

	for (size_t i = 0; rp && i < n; i++) {
		rib_prefetch(rd->rib, p, n, i);
		(void)rib_route_withdraw(rd->rib, rp->idx, &p[i]);
	}
}

/*
 * A prefix we originate is a local path in the Loc-RIB (ORIGIN IGP, empty AS_PATH, its
 * communities, no next hop): it wins over learned paths (RFC 4271 §9.1.2.2, local
 * first), so the kernel gets no learned route for it and the Adj-RIB-Out sends none
 * (the session announces it), and `cutover bgp rib` shows it.
 */
static void
hook_originate(void *arg, const struct prefix *p, const struct bgp_origin *o)
{
	struct ribd *rd = arg;
	struct bgp_attrs a;
	struct rib_aset *as;
	int rc = 0;

	if (!o) {
		(void)rib_route_withdraw(rd->rib, RIB_PEER_LOCAL, p);
		return;
	}
	bgp_attrs_init(&a);
	a.present = BGP_ATTR_BIT(BGP_ATTR_ORIGIN) | BGP_ATTR_BIT(BGP_ATTR_AS_PATH);
	a.origin = BGP_ORIGIN_IGP;
	for (size_t i = 0; i < o->ncommunities && rc == 0; i++)
		rc = bgp_attrs_add_community(&a, o->communities[i]);
	as = rc == 0 ? rib_aset_intern(rd->rib, &a, NULL) : NULL;
	bgp_attrs_free(&a);
	if (as)
		rc = rib_route_update(rd->rib, RIB_PEER_LOCAL, p, as);
	rib_aset_unref(rd->rib, as);
	if (!as || rc != 0)
		log_warn("%s: originated prefix not in the Loc-RIB: %s",
		    prefix_format(p, (char[PREFIX_STRLEN]){ 0 }, PREFIX_STRLEN),
		    strerror(as ? -rc : errno));
}

static void
hook_peer_up(void *arg, const struct bgp_peer *p)
{
	struct ribd *rd = arg;
	struct ribd_peer *rp = peer_find(rd, p->conf->name);
	struct rib_peer_info pi;
	const struct bgp_caps *caps = &p->remote_open.caps;

	if (!rp)
		return;
	pi = *rib_peer_get(rd->rib, rp->idx);
	pi.router_id = p->remote_open.bgp_id;
	rib_peer_set(rd->rib, rp->idx, &pi);
	rp->peer_restart_time = caps->gr ? caps->gr_time : 0;
	if (!rp->up_once) {
		rp->up_once = true;
		rp->eor_wanted = p->wctx.families;
	}
	/* RFC 4724 §4.2: stale routes of a family the restarted peer did not keep
	 * forwarding for (no F bit, or no GR capability at all) go at once. */
	if (rp->stale_pending) {
		for (int f = 0; f < BGP_FAM_COUNT; f++) {
			uint16_t afi;
			uint8_t safi;
			bool kept = false;

			bgp_family_to_afisafi((enum bgp_family)f, &afi, &safi);
			for (size_t i = 0; caps->gr && i < caps->ngr; i++)
				if (caps->gr_af[i].afi == afi && caps->gr_af[i].safi == safi)
					kept = caps->gr_af[i].flags & BGP_GR_AF_FORWARDING;
			if (!kept)
				rib_peer_stale_sweep(rd->rib, rp->idx,
				    f == BGP_FAM_IPV6_UNICAST ? AF_INET6 : AF_INET);
		}
	}
	/* Adj-RIB-Out: the whole Loc-RIB through the export policy (RFC 8212 default). */
	adjout_free(rp->ao);
	rp->ao = NULL;
	rp->bp = p;
	{
		struct adjout_conf ac;

		memset(&ac, 0, sizeof(ac));
		ac.peer = rp->idx;
		ac.ebgp = rp->ebgp;
		ac.local_as = rd->conf->local_as;
		ac.export = rp->export;
		ac.ctx = p->wctx;
		for (int f = 0; f < 2; f++) {
			ac.has_nh[f] = p->has_nh[f];
			ac.nh[f].global = p->nh[f];
		}
		rp->ao = adjout_new(rd->rib, &ac, adjout_send, rp);
		if (rp->ao) {
			adjout_refresh(rp->ao);
			adjout_flush_peer(rp);
		} else {
			log_warn("%s: no memory for the Adj-RIB-Out", p->conf->name);
		}
	}
	restart_check(rd);
}

static void
hook_peer_down(void *arg, const char *peer, bool graceful)
{
	struct ribd *rd = arg;
	struct ribd_peer *rp = peer_find(rd, peer);

	if (!rp)
		return;
	adjout_free(rp->ao);
	rp->ao = NULL;
	rp->bp = NULL;
	rib_aset_unref(rd->rib, rp->last_as);
	rp->last_as = NULL;
	rp->last_id = 0;
	if (graceful && rp->peer_restart_time > 0) {
		size_t n = rib_peer_stale_mark(rd->rib, rp->idx, 0);

		rp->stale_pending = true;
		rp->stale_deadline = rd->now + (uint64_t)rp->peer_restart_time * 1000;
		log_info("%s: graceful restart (helper): keeping %zu route(s) stale for up to "
		    "%u s", peer, n, rp->peer_restart_time);
		return;
	}
	rp->stale_pending = false;
	(void)rib_peer_flush(rd->rib, rp->idx);
}

static void
hook_eor(void *arg, const char *peer, int family)
{
	struct ribd *rd = arg;
	struct ribd_peer *rp = peer_find(rd, peer);
	size_t n;

	if (!rp)
		return;
	n = rib_peer_stale_sweep(rd->rib, rp->idx, family);
	if (n)
		log_info("%s: End-of-RIB (%s): %zu stale route(s) removed", peer,
		    family == AF_INET6 ? "ipv6" : "ipv4", n);
	rib_peer_eor(rd->rib, rp->idx, family);
	if (rp->stale_pending && rib_peer_npaths(rd->rib, rp->idx) == 0)
		rp->stale_pending = false;
	rp->eor_wanted &= ~BGP_FAM_BIT(fam_of(family));
	restart_check(rd);
}

/* RFC 2918: the peer wants our routes again: queue the whole table for it. */
static void
hook_route_refresh(void *arg, const char *peer, int family)
{
	struct ribd *rd = arg;
	struct ribd_peer *rp = peer_find(rd, peer);

	(void)family;	/* both families are queued: the extra ones are harmless */
	if (!rp || !rp->ao)
		return;
	adjout_refresh(rp->ao);
	adjout_flush_peer(rp);
}

/* ---- lifecycle ---- */

struct ribd *
ribd_new(const struct bgp_conf *conf, uint64_t now_ms, struct diag *d)
{
	struct rib_conf rc = {
		.ecmp_max = conf->rib.ecmp_max_paths,
		.always_compare_med = conf->rib.always_compare_med,
		.local_as = conf->local_as,
		.router_id = conf->router_id,
	};
	struct ribd *rd = calloc(1, sizeof(*rd));
	uint16_t maxrt = 0;

	if (!rd)
		return NULL;
	rd->conf = conf;
	rd->now = now_ms;
	rd->rib = rib_new(&rc);
	rd->peers = calloc(conf->npeers ? conf->npeers : 1, sizeof(*rd->peers));
	if (!rd->rib || !rd->peers)
		goto nomem;
	for (size_t i = 0; i < conf->npeers; i++) {
		const struct bgp_conf_peer *cp = &conf->peers[i];
		struct ribd_peer *rp = &rd->peers[rd->npeers];
		struct rib_peer_info pi;
		int idx;

		memset(&pi, 0, sizeof(pi));
		pi.asn = cp->remote_as;
		pi.addr = cp->addr;
		pi.ebgp = cp->remote_as != conf->local_as;
		snprintf(pi.name, sizeof(pi.name), "%s", cp->name);
		idx = rib_peer_add(rd->rib, &pi);
		if (idx < 0)
			goto nomem;
		rp->conf = cp;
		rp->idx = (uint16_t)idx;
		rp->ebgp = pi.ebgp;
		rp->import = cp->import_filter[0] ?
		    filter_find(&conf->rib.filters, cp->import_filter) : NULL;
		rp->export = cp->export_filter[0] ?
		    filter_find(&conf->rib.filters, cp->export_filter) : NULL;
		if (cp->gr_enabled && cp->gr_restart_time > maxrt)
			maxrt = cp->gr_restart_time;
		rd->npeers++;
	}
	rd->restart_deadline = now_ms + (uint64_t)(maxrt ? maxrt : BGP_CONF_GR_RESTART_DEFAULT) *
	    1000;
	if (conf->rib.kernel) {
		rd->kr = kroute_open(conf->rib.kernel_table, conf->rib.kernel_protocol, d);
		if (!rd->kr) {
			ribd_free(rd);
			return NULL;
		}
		rd->ks = ksync_new(rd->kr);
		if (!rd->ks)
			goto nomem;
		rd->adopted = ksync_adopt(rd->ks, d);
		if (rd->adopted < 0) {
			int e = -rd->adopted;

			ribd_free(rd);
			errno = e;
			return NULL;
		}
		if (rib_client_add(rd->rib, &kernel_ops, rd) != 0)
			goto nomem;
		if (rd->adopted > 0)
			log_info("kernel: adopted %d route(s) of table %u protocol %u from the "
			    "previous run (stale until the peers re-advertise)", rd->adopted,
			    conf->rib.kernel_table, conf->rib.kernel_protocol);
	}
	if (rib_client_add(rd->rib, &adjout_ops, rd) != 0)
		goto nomem;
	if (rd->adopted <= 0)
		rd->restart_done = true;	/* nothing to keep: not a restart */
	rd->client.route_update = hook_update;
	rd->client.route_withdraw = hook_withdraw;
	rd->client.peer_up = hook_peer_up;
	rd->client.peer_down = hook_peer_down;
	rd->client.eor = hook_eor;
	rd->client.route_refresh = hook_route_refresh;
	rd->client.originate = hook_originate;
	rd->client.arg = rd;
	rd->client.keep_adjin = conf->rib.keep_adj_rib_in;
	return rd;
nomem:
	ribd_free(rd);
	diag_failv(d, -ENOMEM, "out of memory building the RIB");
	errno = ENOMEM;
	return NULL;
}

void
ribd_free(struct ribd *rd)
{
	if (!rd)
		return;
	for (size_t i = 0; i < rd->npeers; i++) {
		adjout_free(rd->peers[i].ao);
		rib_aset_unref(rd->rib, rd->peers[i].last_as);
	}
	rib_free(rd->rib);
	ksync_free(rd->ks);
	kroute_close(rd->kr);
	free(rd->peers);
	free(rd);
}

int
ribd_adopted(const struct ribd *rd)
{
	return rd->adopted > 0 ? rd->adopted : 0;
}

const struct bgp_rib_client *
ribd_client(struct ribd *rd)
{
	return &rd->client;
}

struct rib *
ribd_rib(struct ribd *rd)
{
	return rd->rib;
}

bool
ribd_restart_done(const struct ribd *rd)
{
	return rd->restart_done;
}

void
ribd_tick(struct ribd *rd, uint64_t now_ms)
{
	rd->now = now_ms;
	for (size_t i = 0; i < rd->npeers; i++) {
		struct ribd_peer *rp = &rd->peers[i];

		adjout_flush_peer(rp);
		if (rp->stale_pending && now_ms >= rp->stale_deadline) {
			size_t n = rib_peer_stale_sweep(rd->rib, rp->idx, 0);

			rp->stale_pending = false;
			log_info("%s: restart time over: %zu stale route(s) removed",
			    rp->conf->name, n);
		}
	}
	if (!rd->restart_done && now_ms >= rd->restart_deadline)
		restart_finish(rd, "restart time over");
}

void
ribd_stop(struct ribd *rd, bool keep_kernel)
{
	struct diag d;

	rib_client_del(rd->rib, &adjout_ops, rd);
	for (size_t i = 0; i < rd->npeers; i++) {
		adjout_free(rd->peers[i].ao);
		rd->peers[i].ao = NULL;
		rd->peers[i].bp = NULL;
	}
	if (!rd->ks)
		return;
	/* Clients must not touch the kernel while the RIB is torn down. */
	rib_client_del(rd->rib, &kernel_ops, rd);
	if (keep_kernel)
		return;
	diag_init(&d, "kernel");
	if (ksync_flush(rd->ks, &d) < 0)
		log_warn("kernel: removing our routes: %s", d.msg);
}

/* ---- control API ---- */

static json_object *
path_json(struct ribd *rd, const struct rib_path *p)
{
	json_object *o = json_object_new_object();
	const struct rib_peer_info *pi = rib_peer_get(rd->rib, p->peer);
	struct bgp_nexthop nh;
	struct bgp_attrs a;
	char buf[1024];

	json_object_object_add(o, "peer", json_object_new_string(pi ? pi->name : "?"));
	json_object_object_add(o, "best", json_object_new_boolean(p->flags & RIB_PATH_BEST));
	json_object_object_add(o, "multipath",
	    json_object_new_boolean(p->flags & RIB_PATH_MULTIPATH));
	json_object_object_add(o, "stale", json_object_new_boolean(p->flags & RIB_PATH_STALE));
	rib_aset_nexthop(p->aset, &nh);
	json_object_object_add(o, "next_hop", json_object_new_string(nh.global.family ?
	    addr_format(&nh.global, buf, sizeof(buf)) : "none (originated)"));
	json_object_object_add(o, "local_pref", json_object_new_int64(rib_path_local_pref(p)));
	if (p->aset->flags & RIB_ASET_MED)
		json_object_object_add(o, "med", json_object_new_int64(p->aset->med));
	if (rib_aset_attrs(p->aset, &a) != 0) {
		json_object_object_add(o, "error", json_object_new_string(
		    "attributes could not be decoded"));
		return o;
	}
	json_object_object_add(o, "as_path", json_object_new_string(
	    bgp_as_path_format(&a.as_path, buf, sizeof(buf))));
	json_object_object_add(o, "origin", json_object_new_string(bgp_origin_name(a.origin)));
	if (a.ncommunities)
		json_object_object_add(o, "communities", json_object_new_string(
		    bgp_communities_format(&a, buf, sizeof(buf))));
	bgp_attrs_free(&a);
	return o;
}

static int
dump_net(const struct rib_net *n, void *arg)
{
	void **a = arg;
	struct ribd *rd = a[0];
	json_object *arr = a[1], *o;
	struct prefix p;
	char buf[PREFIX_STRLEN];

	rib_net_prefix(n, &p);
	o = path_json(rd, n->paths);
	json_object_object_add(o, "prefix", json_object_new_string(
	    prefix_format(&p, buf, sizeof(buf))));
	json_object_array_add(arr, o);
	return 0;
}

static int
h_rib(struct ctl_req *req, void *arg)
{
	struct ribd *rd = arg;
	struct rib_stats st;
	char q[PREFIX_STRLEN + 8];
	json_object *o;

	if (ctl_query(req, "prefix", q, sizeof(q)) == 1) {
		struct prefix p;
		const struct rib_net *n;
		json_object *arr;

		if (prefix_parse(q, &p, PREFIX_PARSE_STRICT) != 0)
			return ctl_reply_error(req, 400, "bad_request", "bad prefix", q);
		n = rib_net_get(rd->rib, &p);
		if (!n)
			return ctl_reply_error(req, 404, "not_found", "no route", q);
		arr = json_object_new_array();
		for (const struct rib_path *pa = n->paths; pa; pa = pa->next)
			json_object_array_add(arr, path_json(rd, pa));
		o = json_object_new_object();
		json_object_object_add(o, "prefix", json_object_new_string(q));
		json_object_object_add(o, "paths", arr);
		return ctl_reply_json(req, 200, o);
	}
	if (ctl_query(req, "dump", q, sizeof(q)) == 1) {
		void *a[2];

		a[0] = rd;
		a[1] = json_object_new_array();
		rib_walk(rd->rib, 0, dump_net, a);
		return ctl_reply_json(req, 200, a[1]);
	}
	rib_stats_get(rd->rib, &st);
	o = json_object_new_object();
	json_object_object_add(o, "prefixes_ipv4", json_object_new_int64((int64_t)st.nets[0]));
	json_object_object_add(o, "prefixes_ipv6", json_object_new_int64((int64_t)st.nets[1]));
	json_object_object_add(o, "paths", json_object_new_int64((int64_t)st.paths));
	json_object_object_add(o, "attribute_sets", json_object_new_int64((int64_t)st.asets));
	json_object_object_add(o, "stale", json_object_new_int64((int64_t)st.stale));
	json_object_object_add(o, "memory_bytes", json_object_new_int64(
	    (int64_t)(st.mem_nets + st.mem_paths + st.mem_buckets + st.mem_asets)));
	json_object_object_add(o, "restart_done", json_object_new_boolean(rd->restart_done));
	if (rd->ks) {
		struct ksync_stats ks;
		json_object *k = json_object_new_object();

		ksync_stats(rd->ks, &ks);
		json_object_object_add(k, "table", json_object_new_int64(rd->conf->rib.kernel_table));
		json_object_object_add(k, "installed", json_object_new_int64((int64_t)ks.installed));
		json_object_object_add(k, "stale", json_object_new_int64((int64_t)ks.stale));
		json_object_object_add(k, "adopted", json_object_new_int64(ribd_adopted(rd)));
		json_object_object_add(k, "errors", json_object_new_int64(
		    (int64_t)rd->kernel_errors));
		json_object_object_add(o, "kernel", k);
	}
	{
		json_object *arr = json_object_new_array();

		for (size_t i = 0; i < rd->npeers; i++) {
			struct ribd_peer *rp = &rd->peers[i];
			json_object *p = json_object_new_object();

			json_object_object_add(p, "name", json_object_new_string(rp->conf->name));
			json_object_object_add(p, "paths", json_object_new_int64(
			    (int64_t)rib_peer_npaths(rd->rib, rp->idx)));
			json_object_object_add(p, "accepted", json_object_new_int64(
			    (int64_t)rp->accepted));
			json_object_object_add(p, "filtered", json_object_new_int64(
			    (int64_t)rp->filtered));
			json_object_object_add(p, "looped", json_object_new_int64(
			    (int64_t)rp->looped));
			json_object_object_add(p, "rejected", json_object_new_int64(
			    (int64_t)rp->rejected));
			json_object_object_add(p, "import", json_object_new_string(
			    rp->import ? rp->import->name : rp->ebgp ? "(none: RFC 8212 deny)" :
			    "(none: accept)"));
			json_object_object_add(p, "stale_pending",
			    json_object_new_boolean(rp->stale_pending));
			json_object_array_add(arr, p);
		}
		json_object_object_add(o, "peers", arr);
	}
	return ctl_reply_json(req, 200, o);
}

/* POST /v1/bgp/rib/refresh?peer=NAME: ask the peer to re-send its routes (RFC 2918),
 * e.g. after its import policy changed. */
static int
h_refresh(struct ctl_req *req, void *arg)
{
	struct ribd *rd = arg;
	struct ribd_peer *rp;
	char name[BGP_CONF_NAME_MAX];
	int rc;

	if (ctl_query(req, "peer", name, sizeof(name)) != 1)
		return ctl_reply_error(req, 400, "bad_request", "peer parameter required", NULL);
	rp = peer_find(rd, name);
	if (!rp)
		return ctl_reply_error(req, 404, "not_found", "no such peer", name);
	if (!rp->bp)
		return ctl_reply_error(req, 409, "not_established", "peer is not Established",
		    name);
	rc = bgp_peer_request_refresh(rp->bp);
	if (rc == -EOPNOTSUPP)
		return ctl_reply_error(req, 409, "unsupported",
		    "the peer did not advertise route refresh (RFC 2918)", name);
	if (rc < 0)
		return ctl_reply_error(req, 500, "internal", "cannot send ROUTE-REFRESH",
		    strerror(-rc));
	return ctl_reply_json(req, 200, NULL);
}

int
ribd_control_register(struct ribd *rd, struct ctl_server *ctl)
{
	int rc = ctl_register(ctl, "GET", "/v1/bgp/rib", h_rib, rd);

	return rc ? rc : ctl_register(ctl, "POST", "/v1/bgp/rib/refresh", h_refresh, rd);
}
