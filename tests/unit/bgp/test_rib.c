// SPDX-License-Identifier: MIT
/*
 * bgp/rib: the RFC 4271 §9.1.2.2 decision process as a table (one row per clause,
 * every insertion order of the row's paths must give the same winner and ECMP set),
 * attribute interning and reference counts, client notifications, and the graceful
 * restart helper operations (stale mark, re-announce, sweep, flush), and the net index
 * at scale against a plain array (growth, deletion, reuse of deleted slots).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bgp/rib.h"
#include "rib_test_util.h"

/* Peers of the decision table (indexes into peer_idx[]). */
enum { P_LOCAL, P1, P2, P3, P4, P5, P6, NPEERS };

static int peer_idx[NPEERS];

static struct rib *
table_rib(bool always_med, unsigned ecmp)
{
	struct rib_conf c = { .ecmp_max = ecmp, .always_compare_med = always_med,
	    .local_as = 65000, .router_id = 0x0a0000fe };
	struct rib *r = rib_new(&c);

	assert_non_null(r);
	peer_idx[P_LOCAL] = RIB_PEER_LOCAL;
	peer_idx[P1] = tpeer(r, 65001, 0x0a000001, "192.0.2.1", true);
	peer_idx[P2] = tpeer(r, 65002, 0x0a000002, "192.0.2.2", true);
	peer_idx[P3] = tpeer(r, 65000, 0x0a000003, "192.0.2.3", false);
	peer_idx[P4] = tpeer(r, 65001, 0x0a000001, "192.0.2.4", true);	/* same id as P1 */
	peer_idx[P5] = tpeer(r, 65000, 0x01010101, "192.0.2.5", false);	/* low id, iBGP */
	peer_idx[P6] = tpeer(r, 65001, 0x0a000009, "192.0.2.6", true);
	for (int i = 1; i < NPEERS; i++)
		assert_true(peer_idx[i] > 0);
	return r;
}

struct drow {
	const char	*name;
	bool		 always_med;
	unsigned	 ecmp;
	size_t		 n;
	struct {
		int		 peer;
		struct tattr	 a;
	} p[4];
	int		 winner;	/* index into p[] */
	size_t		 nmp;		/* expected ECMP set size */
};

#define PATH(...)	.path = { __VA_ARGS__, 0 }
#define NOLP		.lp = -1
#define NOMED		.med = -1

static const struct drow rows[] = {
	{ "RFC4271 9.1.2.2(a) higher LOCAL_PREF wins over shorter path", false, 1, 2, {
		{ P3, { .lp = 200, NOMED, PATH(65010, 65011, 65012) } },
		{ P1, { NOLP, NOMED, PATH(65001) } } }, 0, 1 },
	{ "RFC4271 9.1.2.2(a) missing LOCAL_PREF counts as 100", false, 1, 2, {
		{ P3, { .lp = 99, NOMED, .path = { 0 } } },
		{ P1, { NOLP, NOMED, PATH(65001, 65002) } } }, 1, 1 },
	{ "RFC4271 9.1.2.2(a) shorter AS_PATH", false, 1, 2, {
		{ P1, { NOLP, NOMED, PATH(65001, 65005) } },
		{ P2, { NOLP, NOMED, PATH(65002) } } }, 1, 1 },
	{ "RFC4271 9.1.2.2(b) lower ORIGIN", false, 1, 2, {
		{ P1, { NOLP, NOMED, .origin = BGP_ORIGIN_EGP, PATH(65001) } },
		{ P2, { NOLP, NOMED, .origin = BGP_ORIGIN_IGP, PATH(65002) } } }, 1, 1 },
	{ "RFC4271 9.1.2.2(b) INCOMPLETE loses to EGP", false, 1, 2, {
		{ P1, { NOLP, NOMED, .origin = BGP_ORIGIN_INCOMPLETE, PATH(65001) } },
		{ P2, { NOLP, NOMED, .origin = BGP_ORIGIN_EGP, PATH(65002) } } }, 1, 1 },
	{ "RFC4271 9.1.2.2(c) lower MED from the same neighbour AS", false, 1, 2, {
		{ P1, { NOLP, .med = 50, PATH(65001) } },
		{ P4, { NOLP, .med = 10, PATH(65001) } } }, 1, 1 },
	{ "RFC4271 9.1.2.2(c) MED not compared across neighbour ASes", false, 1, 2, {
		{ P1, { NOLP, .med = 50, PATH(65001) } },
		{ P2, { NOLP, .med = 10, PATH(65002) } } }, 0, 1 },
	{ "RFC4271 9.1.2.2(c) always-compare-med compares across ASes", true, 1, 2, {
		{ P1, { NOLP, .med = 50, PATH(65001) } },
		{ P2, { NOLP, .med = 10, PATH(65002) } } }, 1, 1 },
	{ "RFC4271 9.1.2.2(c) missing MED is the lowest value", false, 1, 2, {
		{ P4, { NOLP, .med = 5, PATH(65001) } },
		{ P1, { NOLP, NOMED, PATH(65001) } } }, 1, 1 },
	{ "RFC4271 9.1.2.2(c) MED applies to the set, not pairwise", false, 1, 3, {
		{ P1, { NOLP, .med = 20, PATH(65001) } },	/* beats P2 on router id */
		{ P6, { NOLP, .med = 10, PATH(65001) } },	/* removes P1 on MED */
		{ P2, { NOLP, NOMED, PATH(65002) } } }, 2, 1 },	/* beats P6 on router id */
	{ "RFC4271 9.1.2.2(d) eBGP over iBGP despite lower router id", false, 1, 2, {
		{ P5, { NOLP, NOMED, PATH(65001) } },
		{ P2, { NOLP, NOMED, PATH(65002) } } }, 1, 1 },
	{ "RFC4271 9.1.2.2(f) lowest BGP identifier", false, 1, 2, {
		{ P2, { NOLP, NOMED, PATH(65002) } },
		{ P1, { NOLP, NOMED, PATH(65001) } } }, 1, 1 },
	{ "RFC4456 9 ORIGINATOR_ID stands for the router id", false, 1, 2, {
		{ P5, { NOLP, NOMED, PATH(65001), .originator = 0x0c000000 } },
		{ P3, { NOLP, NOMED, PATH(65001), .originator = 0x0b000000 } } }, 1, 1 },
	{ "RFC4271 9.1.2.2(g) lowest peer address", false, 1, 2, {
		{ P4, { NOLP, NOMED, PATH(65001) } },
		{ P1, { NOLP, NOMED, PATH(65001) } } }, 1, 1 },
	{ "locally originated routes first", false, 1, 2, {
		{ P3, { .lp = 500, NOMED, PATH(65001) } },
		{ P_LOCAL, { NOLP, NOMED, .path = { 0 } } } }, 1, 1 },
	{ "ECMP: equal eBGP paths share, best by router id", false, 4, 3, {
		{ P2, { NOLP, NOMED, PATH(65002), .nh = "192.0.2.2" } },
		{ P4, { NOLP, NOMED, PATH(65001), .nh = "192.0.2.4" } },
		{ P1, { NOLP, NOMED, PATH(65001), .nh = "192.0.2.1" } } }, 2, 3 },
	{ "ECMP: iBGP path is not a member when eBGP ones exist", false, 4, 2, {
		{ P3, { NOLP, NOMED, PATH(65001), .nh = "192.0.2.3" } },
		{ P1, { NOLP, NOMED, PATH(65001), .nh = "192.0.2.1" } } }, 1, 1 },
	{ "ECMP: capped at ecmp-max-paths", false, 2, 3, {
		{ P1, { NOLP, NOMED, PATH(65001), .nh = "192.0.2.1" } },
		{ P2, { NOLP, NOMED, PATH(65002), .nh = "192.0.2.2" } },
		{ P4, { NOLP, NOMED, PATH(65001), .nh = "192.0.2.4" } } }, 0, 2 },
	{ "ECMP: a worse MED leaves the set", false, 4, 3, {
		{ P1, { NOLP, .med = 7, PATH(65001), .nh = "192.0.2.1" } },
		{ P2, { NOLP, NOMED, PATH(65002), .nh = "192.0.2.2" } },
		{ P4, { NOLP, .med = 3, PATH(65001), .nh = "192.0.2.4" } } }, 2, 2 },
};

static void
run_row(const struct drow *row, const size_t order[4])
{
	struct rib *r = table_rib(row->always_med, row->ecmp);
	struct prefix pfx = tpfx("198.51.100.0/24");
	const struct rib_net *n;
	const struct rib_path *mp[RIB_ECMP_MAX];
	size_t k;

	for (size_t i = 0; i < row->n && i < 4; i++) {
		size_t j = order[i];
		struct rib_aset *as = tattr_intern(r, &row->p[j].a);

		assert_non_null(as);
		assert_int_equal(rib_route_update(r, (uint16_t)peer_idx[row->p[j].peer], &pfx, as),
		    0);
		rib_aset_unref(r, as);
	}
	n = rib_net_get(r, &pfx);
	assert_non_null(n);
	k = rib_net_multipath(n, mp, RIB_ECMP_MAX);
	if (k == 0 || mp[0]->peer != peer_idx[row->p[row->winner].peer] || k != row->nmp)
		fail_msg("%s: winner peer %d (want %d), ecmp %zu (want %zu)", row->name,
		    k ? mp[0]->peer : -1, peer_idx[row->p[row->winner].peer], k, row->nmp);
	assert_true(n->paths->flags & RIB_PATH_BEST);
	rib_free(r);
}

static void
test_decision_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct drow *row = &rows[i];
		size_t order[4] = { 0, 1, 2, 3 };

		/* every permutation of the insertion order (n <= 3 in the table) */
		if (row->n == 2) {
			size_t o2[2][4] = { { 0, 1, 2, 3 }, { 1, 0, 2, 3 } };

			for (int p = 0; p < 2; p++)
				run_row(row, o2[p]);
		} else if (row->n == 3) {
			size_t o3[6][4] = { { 0, 1, 2, 3 }, { 0, 2, 1, 3 }, { 1, 0, 2, 3 },
			    { 1, 2, 0, 3 }, { 2, 0, 1, 3 }, { 2, 1, 0, 3 } };

			for (int p = 0; p < 6; p++)
				run_row(row, o3[p]);
		} else {
			run_row(row, order);
		}
	}
}

/* ---- interning ---- */

/* Every kind of attribute survives the packed storage form exactly. */
static void
test_interning_packed(void **state)
{
	struct rib_conf c = { .ecmp_max = 1, .local_as = 65000 };
	struct rib *r = rib_new(&c);
	static const uint32_t seq[] = { 65001, 4200000001u, 65002, 65003, 65004 };
	static const uint32_t set[] = { 64512, 64513 };
	static const uint8_t blob[] = { 1, 2, 3, 4, 5 };
	const struct bgp_large_comm lc = { 4200000001u, 7, 8 };
	struct bgp_attrs a, got, big;
	struct bgp_nexthop nh, gnh;
	struct rib_aset *as, *as2, *other;
	struct rib_stats st;
	uint32_t many[255];

	(void)state;
	assert_non_null(r);
	bgp_attrs_init(&a);
	a.present = BGP_ATTR_BIT(BGP_ATTR_ORIGIN) | BGP_ATTR_BIT(BGP_ATTR_AS_PATH) |
	    BGP_ATTR_BIT(BGP_ATTR_MED) | BGP_ATTR_BIT(BGP_ATTR_LOCAL_PREF) |
	    BGP_ATTR_BIT(BGP_ATTR_ATOMIC_AGGREGATE) | BGP_ATTR_BIT(BGP_ATTR_AGGREGATOR) |
	    BGP_ATTR_BIT(BGP_ATTR_ORIGINATOR_ID) | BGP_ATTR_BIT(BGP_ATTR_CLUSTER_LIST) |
	    BGP_ATTR_BIT(BGP_ATTR_EXT_COMMUNITIES);
	a.origin = BGP_ORIGIN_EGP;
	assert_int_equal(bgp_as_path_append(&a.as_path, BGP_AS_SEQUENCE, seq, 5), 0);
	assert_int_equal(bgp_as_path_append(&a.as_path, BGP_AS_SET, set, 2), 0);
	a.med = 77;
	a.local_pref = 250;
	a.aggregator_as = 4200000002u;
	a.aggregator_id = 0x0a000001;
	a.originator_id = 0x0a000002;
	a.ncluster = 2;
	a.cluster_list = calloc(2, sizeof(uint32_t));
	assert_non_null(a.cluster_list);
	a.cluster_list[0] = 1;
	a.cluster_list[1] = 2;
	a.next_communities = 1;
	a.ext_communities = calloc(1, sizeof(uint64_t));
	assert_non_null(a.ext_communities);
	a.ext_communities[0] = UINT64_C(0x0002fde800000064);
	assert_int_equal(bgp_attrs_add_community(&a, BGP_COMM_NO_EXPORT), 0);
	assert_int_equal(bgp_attrs_add_community(&a, 0xfde80001u), 0);
	assert_int_equal(bgp_attrs_add_large_community(&a, &lc), 0);
	assert_int_equal(bgp_attrs_add_unknown(&a, BGP_ATTR_FLAG_OPTIONAL |
	    BGP_ATTR_FLAG_TRANSITIVE | BGP_ATTR_FLAG_PARTIAL, 99, blob, sizeof(blob)), 0);
	memset(&nh, 0, sizeof(nh));
	assert_int_equal(addr_parse("2001:db8::1", &nh.global), 0);
	nh.has_ll = true;
	assert_int_equal(addr_parse("fe80::1", &nh.ll), 0);

	as = rib_aset_intern(r, &a, &nh);
	assert_non_null(as);
	/* what the decision process reads, decoded once */
	assert_int_equal(as->local_pref, 250);
	assert_int_equal(as->med, 77);
	assert_int_equal(as->originator_id, 0x0a000002);
	assert_int_equal(as->neighbor_as, 65001);
	assert_int_equal(as->path_len, 6);	/* 5 + 1 for the AS_SET */
	assert_int_equal(as->ncluster, 2);
	assert_int_equal(as->origin, BGP_ORIGIN_EGP);
	assert_int_equal(as->flags, RIB_ASET_MED | RIB_ASET_LOCAL_PREF | RIB_ASET_ORIGINATOR |
	    RIB_ASET_NO_EXPORT | RIB_ASET_NH_LL);
	/* the whole set and next hop come back exactly */
	assert_int_equal(rib_aset_attrs(as, &got), 0);
	assert_true(bgp_attrs_equal(&got, &a));
	assert_int_equal(got.aggregator_as, 4200000002u);
	rib_aset_nexthop(as, &gnh);
	assert_true(addr_eq(&gnh.global, &nh.global));
	assert_true(gnh.has_ll);
	assert_true(addr_eq(&gnh.ll, &nh.ll));

	/* the decoded copy interns to the same set, also past the one-entry cache */
	other = tattr_intern(r, &(struct tattr){ NOLP, NOMED, PATH(65009) });
	assert_non_null(other);
	as2 = rib_aset_intern(r, &got, &gnh);
	assert_ptr_equal(as2, as);
	assert_int_equal(as->refcnt, 2);
	rib_aset_unref(r, as2);
	/* another next hop is another set */
	nh.has_ll = false;
	as2 = rib_aset_intern(r, &a, &nh);
	assert_ptr_not_equal(as2, as);
	assert_int_equal(as2->flags & RIB_ASET_NH_LL, 0);
	rib_aset_nexthop(as2, &gnh);
	assert_false(gnh.has_ll);
	rib_stats_get(r, &st);
	assert_int_equal(st.asets, 3);
	assert_int_equal(st.mem_asets, rib_aset_size(as) + rib_aset_size(as2) +
	    rib_aset_size(other));
	/* compact: the fixed fields, 4 bytes of next hop, then ORIGIN (4 octets), AS_PATH
	 * with one 4-octet ASN (3 + 2 + 4) and NEXT_HOP (7) as on the wire */
	assert_int_equal(rib_aset_size(other), offsetof(struct rib_aset, data) + 4 + 4 + 9 + 7);
	bgp_attrs_free(&got);
	rib_aset_unref(r, as2);

	/* a path that does not fit 65,535 octets as 4-octet ASNs is refused, not cut */
	bgp_attrs_init(&big);
	big.present = BGP_ATTR_BIT(BGP_ATTR_ORIGIN) | BGP_ATTR_BIT(BGP_ATTR_AS_PATH);
	for (size_t i = 0; i < 255; i++)
		many[i] = 64512 + (uint32_t)i;
	for (int i = 0; i < 70; i++)
		assert_int_equal(bgp_as_path_append(&big.as_path, BGP_AS_SEQUENCE, many, 255), 0);
	errno = 0;
	assert_null(rib_aset_intern(r, &big, NULL));
	assert_int_equal(errno, E2BIG);
	bgp_attrs_free(&big);

	/* no attributes and no next hop at all: an empty key, still one shared set */
	bgp_attrs_init(&big);
	as2 = rib_aset_intern(r, &big, NULL);
	assert_non_null(as2);
	assert_ptr_equal(rib_aset_intern(r, &big, NULL), as2);
	assert_int_equal(rib_aset_attrs(as2, &got), 0);
	assert_int_equal(got.present, 0);
	rib_aset_unref(r, as2);
	rib_aset_unref(r, as2);
	rib_aset_unref(r, as);
	rib_aset_unref(r, other);
	rib_stats_get(r, &st);
	assert_int_equal(st.asets, 0);
	assert_int_equal(st.mem_asets, 0);
	bgp_attrs_free(&a);
	rib_free(r);
}

static void
test_interning_shares(void **state)
{
	struct rib_conf c = { .ecmp_max = 1, .local_as = 65000 };
	struct rib *r = rib_new(&c);
	struct tattr t1 = { NOLP, NOMED, PATH(65001, 65002) }, t2 = t1;
	struct rib_aset *a, *b, *d;
	struct rib_stats st;
	int p1 = tpeer(r, 65001, 1, "192.0.2.1", true);
	char buf[32];

	(void)state;
	t2.med = 5;
	a = tattr_intern(r, &t1);
	b = tattr_intern(r, &t1);
	d = tattr_intern(r, &t2);
	assert_ptr_equal(a, b);
	assert_ptr_not_equal(a, d);
	assert_int_equal(a->refcnt, 2);
	for (int i = 0; i < 1000; i++) {
		struct prefix p;

		snprintf(buf, sizeof(buf), "10.%d.%d.0/24", i / 256, i % 256);
		p = tpfx(buf);
		assert_int_equal(rib_route_update(r, (uint16_t)p1, &p, i % 2 ? a : d), 0);
	}
	rib_stats_get(r, &st);
	assert_int_equal(st.asets, 2);
	assert_int_equal(st.paths, 1000);
	assert_int_equal(st.nets[0], 1000);
	assert_int_equal(a->refcnt, 2 + 500);
	assert_int_equal(d->refcnt, 1 + 500);
	/* the same next hop with different attributes, or different next hops, differ */
	t2 = t1;
	t2.nh = "192.0.2.99";
	b = tattr_intern(r, &t2);
	assert_ptr_not_equal(a, b);
	rib_aset_unref(r, b);
	rib_aset_unref(r, a);
	rib_aset_unref(r, a);
	rib_aset_unref(r, d);
	assert_int_equal(rib_peer_flush(r, (uint16_t)p1), 1000);
	rib_stats_get(r, &st);
	assert_int_equal(st.asets, 0);
	assert_int_equal(st.paths, 0);
	assert_int_equal(st.nets[0], 0);
	rib_free(r);
}

/* ---- clients ---- */

struct rec {
	int		 calls;
	int		 best_changed;
	int		 mp_changed;
	int		 gone;
	uint16_t	 last_best_peer;
	int		 eors;
};

static void
rec_change(void *arg, struct rib *r, const struct rib_change *c)
{
	struct rec *rc = arg;

	(void)r;
	rc->calls++;
	rc->best_changed += c->best_changed;
	rc->mp_changed += c->mp_changed;
	rc->gone += c->best == NULL;
	rc->last_best_peer = c->best ? c->best->peer : 0xffff;
}

static void
rec_eor(void *arg, struct rib *r, uint16_t peer, int family)
{
	struct rec *rc = arg;

	(void)r;
	(void)peer;
	(void)family;
	rc->eors++;
}

static const struct rib_client_ops rec_ops = {
	.name = "recorder", .change = rec_change, .eor = rec_eor,
};

static void
test_client_notifications(void **state)
{
	struct rib *r = table_rib(false, 2);
	struct rec rc = { 0 };
	struct prefix p = tpfx("2001:db8:1::/48");
	struct tattr good = { NOLP, NOMED, PATH(65001), .nh = "2001:db8::1" };
	struct tattr worse = { NOLP, NOMED, PATH(65002, 65003), .nh = "2001:db8::2" };
	struct tattr equal = { NOLP, NOMED, PATH(65002), .nh = "2001:db8::2" };
	struct rib_aset *g, *w, *e;

	(void)state;
	assert_int_equal(rib_client_add(r, &rec_ops, &rc), 0);
	g = tattr_intern(r, &good);
	w = tattr_intern(r, &worse);
	e = tattr_intern(r, &equal);
	assert_int_equal(rib_route_update(r, (uint16_t)peer_idx[P1], &p, g), 0);
	assert_int_equal(rc.calls, 1);
	assert_int_equal(rc.best_changed, 1);
	/* identical re-announcement: nothing */
	assert_int_equal(rib_route_update(r, (uint16_t)peer_idx[P1], &p, g), 0);
	assert_int_equal(rc.calls, 1);
	/* a worse path: no change for clients */
	assert_int_equal(rib_route_update(r, (uint16_t)peer_idx[P2], &p, w), 0);
	assert_int_equal(rc.calls, 1);
	/* P2 becomes equal: the ECMP set grows, the best stays */
	assert_int_equal(rib_route_update(r, (uint16_t)peer_idx[P2], &p, e), 0);
	assert_int_equal(rc.calls, 2);
	assert_int_equal(rc.best_changed, 1);
	assert_int_equal(rc.mp_changed, 2);
	/* withdraw the best: P2 takes over */
	assert_int_equal(rib_route_withdraw(r, (uint16_t)peer_idx[P1], &p), 0);
	assert_int_equal(rc.best_changed, 2);
	assert_int_equal(rc.last_best_peer, peer_idx[P2]);
	assert_int_equal(rib_route_withdraw(r, (uint16_t)peer_idx[P1], &p), -ENOENT);
	assert_int_equal(rib_route_withdraw(r, (uint16_t)peer_idx[P2], &p), 0);
	assert_int_equal(rc.gone, 1);
	assert_null(rib_net_get(r, &p));
	rib_peer_eor(r, (uint16_t)peer_idx[P2], AF_INET6);
	assert_int_equal(rc.eors, 1);
	rib_client_del(r, &rec_ops, &rc);
	assert_int_equal(rib_route_update(r, (uint16_t)peer_idx[P1], &p, g), 0);
	assert_int_equal(rc.calls, 4);
	rib_aset_unref(r, g);
	rib_aset_unref(r, w);
	rib_aset_unref(r, e);
	rib_free(r);
}

/* ---- graceful restart helper ---- */

static void
test_stale_sweep(void **state)
{
	struct rib *r = table_rib(false, 1);
	struct rec rc = { 0 };
	struct tattr t = { NOLP, NOMED, PATH(65001) };
	struct rib_aset *as;
	struct rib_stats st;
	char buf[32];
	uint16_t p1 = (uint16_t)peer_idx[P1], p2 = (uint16_t)peer_idx[P2];

	(void)state;
	as = tattr_intern(r, &t);
	for (int i = 0; i < 10; i++) {
		struct prefix p;

		snprintf(buf, sizeof(buf), "10.0.%d.0/24", i);
		p = tpfx(buf);
		assert_int_equal(rib_route_update(r, p1, &p, as), 0);
		if (i < 3)
			assert_int_equal(rib_route_update(r, p2, &p, as), 0);
	}
	assert_int_equal(rib_peer_npaths(r, p1), 10);
	assert_int_equal(rib_client_add(r, &rec_ops, &rc), 0);
	/* the peer restarts: its paths stay, marked stale, clients see nothing */
	assert_int_equal(rib_peer_stale_mark(r, p1, 0), 10);
	assert_int_equal(rc.calls, 0);
	rib_stats_get(r, &st);
	assert_int_equal(st.stale, 10);
	/* it re-announces 4 of them (same attributes): the mark goes, no client change */
	for (int i = 0; i < 4; i++) {
		struct prefix p;

		snprintf(buf, sizeof(buf), "10.0.%d.0/24", i);
		p = tpfx(buf);
		assert_int_equal(rib_route_update(r, p1, &p, as), 0);
	}
	assert_int_equal(rc.calls, 0);
	rib_stats_get(r, &st);
	assert_int_equal(st.stale, 6);
	/* End-of-RIB: the 6 stale ones go; none had an alternative */
	assert_int_equal(rib_peer_stale_sweep(r, p1, AF_INET), 6);
	assert_int_equal(rc.gone, 6);
	assert_int_equal(rib_peer_npaths(r, p1), 4);
	rib_stats_get(r, &st);
	assert_int_equal(st.stale, 0);
	assert_int_equal(st.nets[0], 4);
	/* flush: P2 keeps 3 prefixes, the 4th disappears */
	assert_int_equal(rib_peer_flush(r, p1), 4);
	rib_stats_get(r, &st);
	assert_int_equal(st.nets[0], 3);
	assert_int_equal(rc.gone, 7);
	rib_aset_unref(r, as);
	rib_free(r);
}

static void
test_bad_input(void **state)
{
	struct rib *r = table_rib(false, 1);
	struct tattr t = { NOLP, NOMED, PATH(65001) };
	struct rib_aset *as = tattr_intern(r, &t);
	struct prefix bad = tpfx("10.0.0.0/8");

	(void)state;
	bad.len = 40;
	assert_int_equal(rib_route_update(r, 1, &bad, as), -EINVAL);
	assert_int_equal(rib_route_withdraw(r, 1, &bad), -EINVAL);
	bad.len = 8;
	assert_int_equal(rib_route_update(r, 999, &bad, as), -EINVAL);
	assert_int_equal(rib_route_update(r, 1, &bad, NULL), -EINVAL);
	/* host bits are cleared */
	bad.addr.bytes[3] = 1;
	assert_int_equal(rib_route_update(r, 1, &bad, as), 0);
	assert_non_null(rib_net_get(r, &bad));
	assert_int_equal(rib_route_withdraw(r, 1, &bad), 0);
	rib_aset_unref(r, as);
	rib_free(r);
}

/*
 * The net index: ~150,000 distinct prefixes of every length class (dense sibling /24s
 * that fill whole index groups, /32s, IPv6 /48, /64, and the /65../67 lengths whose
 * last network bits straddle two words, /0 of both families) go in, two thirds come
 * out in a scrambled order, churn at constant size forces rebuilds that only clear
 * deleted slots, and after each phase every prefix is found exactly when the array
 * says it is present, and the counts and the walk agree.
 */
#define IX_N		150000

struct ix {
	struct prefix	*p;
	bool		*in;
	size_t		 n, present;
};

static struct prefix
ix_prefix(size_t i)
{
	struct prefix p;
	size_t k = i / 6;

	memset(&p, 0, sizeof(p));
	switch (i % 6) {
	case 0:	/* /24s, consecutive: sixteen siblings per /20 */
		p.addr.family = AF_INET;
		p.addr.bytes[0] = (uint8_t)(1 + (k >> 16));
		p.addr.bytes[1] = (uint8_t)(k >> 8);
		p.addr.bytes[2] = (uint8_t)k;
		p.len = 24;
		break;
	case 1:	/* host routes */
		p.addr.family = AF_INET;
		p.addr.bytes[0] = 100;
		p.addr.bytes[1] = (uint8_t)(k >> 16);
		p.addr.bytes[2] = (uint8_t)(k >> 8);
		p.addr.bytes[3] = (uint8_t)k;
		p.len = 32;
		break;
	case 2: {	/* IPv4, lengths 9..23 under 200/8; the short ones run out of nets,
			 * those k become /24s under 201/8 */
		unsigned len = 9 + (unsigned)(k % 15);
		uint32_t j = (uint32_t)(k / 15), v;

		if (j < (1u << (len - 8)))
			v = 200u << 24 | j << (32 - len);
		else
			v = 201u << 24 | (uint32_t)k << 8, len = 24;
		p.addr.family = AF_INET;
		p.addr.bytes[0] = (uint8_t)(v >> 24);
		p.addr.bytes[1] = (uint8_t)(v >> 16);
		p.addr.bytes[2] = (uint8_t)(v >> 8);
		p.addr.bytes[3] = (uint8_t)v;
		p.len = (uint8_t)len;
		break;
	}
	case 3:	/* IPv6 /48 */
		p.addr.family = AF_INET6;
		p.addr.bytes[0] = 0x20;
		p.addr.bytes[1] = 0x01;
		p.addr.bytes[3] = (uint8_t)(k >> 16);
		p.addr.bytes[4] = (uint8_t)(k >> 8);
		p.addr.bytes[5] = (uint8_t)k;
		p.len = 48;
		break;
	case 4:	/* IPv6 /64 */
		p.addr.family = AF_INET6;
		p.addr.bytes[0] = 0xfd;
		p.addr.bytes[5] = (uint8_t)(k >> 16);
		p.addr.bytes[6] = (uint8_t)(k >> 8);
		p.addr.bytes[7] = (uint8_t)k;
		p.len = 64;
		break;
	default:	/* IPv6 /65, /66, /67: siblings across the 64-bit boundary */
		p.addr.family = AF_INET6;
		p.addr.bytes[0] = 0xfc;
		p.len = (uint8_t)(65 + k % 3);
		{
			uint64_t v = (uint64_t)(k / 3) << (128 - p.len);	/* bits 64.. */
			uint64_t hi = ((uint64_t)0xfc << 56) | (uint64_t)(k / 3) >> (p.len - 64);

			for (int b = 0; b < 8; b++) {
				p.addr.bytes[b] = (uint8_t)(hi >> (56 - 8 * b));
				p.addr.bytes[8 + b] = (uint8_t)(v >> (56 - 8 * b));
			}
		}
		break;
	}
	prefix_normalize(&p);
	return p;
}

static int
count_net(const struct rib_net *n, void *arg)
{
	(void)n;
	(*(size_t *)arg)++;
	return 0;
}

static void
ix_check(const struct rib *r, const struct ix *x, const char *phase)
{
	struct rib_stats st;
	size_t n4 = 0, n6 = 0;

	for (size_t i = 0; i < x->n; i++) {
		const struct rib_net *n = rib_net_get(r, &x->p[i]);

		if (!x->in[i]) {
			if (n)
				fail_msg("%s: prefix %zu found after its withdrawal", phase, i);
			continue;
		}
		if (!n)
			fail_msg("%s: prefix %zu not found", phase, i);
		else {
			struct prefix q;

			rib_net_prefix(n, &q);
			if (!prefix_eq(&q, &x->p[i]))
				fail_msg("%s: prefix %zu found as another prefix", phase, i);
		}
		if (x->p[i].addr.family == AF_INET)
			n4++;
		else
			n6++;
	}
	rib_stats_get(r, &st);
	assert_int_equal(st.nets[0], n4);
	assert_int_equal(st.nets[1], n6);
	assert_int_equal(n4 + n6, x->present);
	assert_int_equal(rib_walk(r, AF_INET, count_net, &n4), 0);
	assert_int_equal(rib_walk(r, AF_INET6, count_net, &n6), 0);
	assert_int_equal(n4 + n6, 2 * x->present);	/* the walk counted each once more */
}

static void
ix_set(struct rib *r, struct ix *x, size_t i, bool in, struct rib_aset *as)
{
	if (in == x->in[i])
		return;
	if (in)
		assert_int_equal(rib_route_update(r, 1, &x->p[i], as), 0);
	else
		assert_int_equal(rib_route_withdraw(r, 1, &x->p[i]), 0);
	x->in[i] = in;
	x->present += in ? 1 : (size_t)-1;
}

static void
test_net_index(void **state)
{
	struct rib *r = table_rib(false, 1);
	struct tattr t = { NOLP, NOMED, PATH(65001) };
	struct rib_aset *as = tattr_intern(r, &t);
	struct ix x = { .n = IX_N + 2 };
	uint64_t seed = 42;

	(void)state;
	x.p = calloc(x.n, sizeof(*x.p));
	x.in = calloc(x.n, sizeof(*x.in));
	assert_non_null(x.p);
	assert_non_null(x.in);
	for (size_t i = 0; i < IX_N; i++)
		x.p[i] = ix_prefix(i);
	x.p[IX_N] = tpfx("0.0.0.0/0");
	x.p[IX_N + 1] = tpfx("::/0");
	for (size_t i = 0; i < x.n; i++)
		ix_set(r, &x, i, true, as);
	ix_check(r, &x, "all in");
	/* re-announcing the same path changes nothing */
	assert_int_equal(rib_route_update(r, 1, &x.p[7], as), 0);
	for (size_t i = 0; i < x.n; i++) {
		seed = seed * 6364136223846793005u + 1442695040888963407u;
		if ((seed >> 33) % 3)
			ix_set(r, &x, (size_t)(seed >> 20) % x.n, false, as);
	}
	ix_check(r, &x, "two thirds out");
	for (unsigned round = 0; round < 6; round++) {
		for (size_t i = 0; i < x.n; i++) {
			seed = seed * 6364136223846793005u + 1442695040888963407u;
			ix_set(r, &x, (size_t)(seed >> 20) % x.n, (seed >> 17) & 1, as);
		}
	}
	ix_check(r, &x, "churn");
	for (size_t i = 0; i < x.n; i++)
		ix_set(r, &x, i, false, as);
	ix_check(r, &x, "all out");
	for (size_t i = 0; i < x.n; i += 2)
		ix_set(r, &x, i, true, as);
	ix_check(r, &x, "half back");
	free(x.p);
	free(x.in);
	rib_aset_unref(r, as);
	rib_free(r);
}

/*
 * The attribute set index: 6,000 distinct sets interned twice each, a scrambled half
 * released completely (deletions inside probe runs), then every set interned again:
 * the live ones must come back as the same object, the released ones as new ones, and
 * the counts must agree throughout.
 */
#define AX_N	6000

static void
test_aset_index(void **state)
{
	struct rib *r = table_rib(false, 1);
	struct rib_aset **v = calloc(AX_N, sizeof(*v));
	bool *gone = calloc(AX_N, sizeof(*gone));
	struct rib_stats st;
	uint64_t seed = 7;
	size_t live = AX_N;

	(void)state;
	assert_non_null(v);
	assert_non_null(gone);
	rib_stats_get(r, &st);
	assert_int_equal(st.asets, 0);
	for (int i = 0; i < AX_N; i++) {
		struct tattr t = { .lp = -1, .med = i, PATH(65001, (uint32_t)(i % 7 + 1)) };

		v[i] = tattr_intern(r, &t);
		assert_non_null(v[i]);
		assert_ptr_equal(tattr_intern(r, &t), v[i]);	/* second reference */
	}
	rib_stats_get(r, &st);
	assert_int_equal(st.asets, AX_N);
	for (int k = 0; k < AX_N; k++) {
		size_t i;

		seed = seed * 6364136223846793005u + 1442695040888963407u;
		i = (size_t)(seed >> 33) % AX_N;
		if (gone[i] || (seed >> 20) % 2)
			continue;
		rib_aset_unref(r, v[i]);
		rib_aset_unref(r, v[i]);
		gone[i] = true;
		live--;
	}
	rib_stats_get(r, &st);
	assert_int_equal(st.asets, live);
	for (int i = 0; i < AX_N; i++) {
		struct tattr t = { .lp = -1, .med = i, PATH(65001, (uint32_t)(i % 7 + 1)) };
		struct rib_aset *as = tattr_intern(r, &t);

		assert_non_null(as);
		if (!gone[i])
			assert_ptr_equal(as, v[i]);
		else
			v[i] = as;
	}
	rib_stats_get(r, &st);
	assert_int_equal(st.asets, AX_N);
	for (int i = 0; i < AX_N; i++) {
		rib_aset_unref(r, v[i]);
		if (!gone[i])
			rib_aset_unref(r, v[i]);
		if (!gone[i])
			rib_aset_unref(r, v[i]);
	}
	rib_stats_get(r, &st);
	assert_int_equal(st.asets, 0);
	free(v);
	free(gone);
	rib_free(r);
}

/*
 * Past 262,144 nets of a family the slab carves its chunks from 2 MiB blocks: 300,000
 * host routes go in (the last ones from blocks), are all found, all withdrawn, and a
 * third come back into the freed places; ASan checks the carving and the teardown.
 */
static void
test_net_blocks(void **state)
{
	struct rib *r = table_rib(false, 1);
	struct tattr t = { NOLP, NOMED, PATH(65001) };
	struct rib_aset *as = tattr_intern(r, &t);
	const size_t n = 300000;
	struct prefix *v = calloc(n, sizeof(*v));
	struct rib_stats st;
	size_t found = 0;

	(void)state;
	assert_non_null(v);
	for (size_t i = 0; i < n; i++) {
		v[i].addr.family = AF_INET;
		v[i].addr.bytes[0] = 10;
		v[i].addr.bytes[1] = (uint8_t)(i >> 16);
		v[i].addr.bytes[2] = (uint8_t)(i >> 8);
		v[i].addr.bytes[3] = (uint8_t)i;
		v[i].len = 32;
	}
	assert_int_equal(rib_route_update_many(r, 1, v, n, as, &(int){ 0 }), n);
	for (size_t i = 0; i < n; i++)
		found += rib_net_get(r, &v[i]) != NULL;
	assert_int_equal(found, n);
	rib_stats_get(r, &st);
	assert_int_equal(st.nets[0], n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(rib_route_withdraw(r, 1, &v[i]), 0);
	rib_stats_get(r, &st);
	assert_int_equal(st.nets[0], 0);
	for (size_t i = 0; i < n; i += 3)
		assert_int_equal(rib_route_update(r, 1, &v[i], as), 0);
	rib_stats_get(r, &st);
	assert_int_equal(st.nets[0], (n + 2) / 3);
	free(v);
	rib_aset_unref(r, as);
	rib_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decision_table),
		cmocka_unit_test(test_interning_shares),
		cmocka_unit_test(test_interning_packed),
		cmocka_unit_test(test_client_notifications),
		cmocka_unit_test(test_stale_sweep),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_net_index),
		cmocka_unit_test(test_aset_index),
		cmocka_unit_test(test_net_blocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
