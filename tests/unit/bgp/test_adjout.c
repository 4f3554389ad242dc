// SPDX-License-Identifier: MIT
/*
 * bgp/adjout: what a peer is sent, decoded back with the codec: eBGP export rules
 * (our AS prepended, next hop self, no LOCAL_PREF/MED), NO_EXPORT / NO_ADVERTISE,
 * split horizon (not back to the source, not iBGP to iBGP), the export filter and the
 * RFC 8212 default, withdrawals only for what was advertised, and UPDATE packing.
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

#include "bgp/adjout.h"
#include "rib_test_util.h"

#define LOCAL_AS	65000

struct seen {
	size_t		 updates;
	size_t		 nann, nwd;
	struct prefix	 ann[2048];
	char		 path[2048][64];
	char		 nh[2048][ADDR_STRLEN];
	bool		 lp[2048], med[2048];
	struct prefix	 wd[2048];
	struct bgp_wire_ctx ctx;
};

static int
capture(void *arg, const uint8_t *msgs, size_t len)
{
	struct seen *s = arg;
	struct buf_reader br;

	br_init(&br, msgs, len);
	while (!br_empty(&br)) {
		struct bgp_hdr h;
		struct bgp_err err;
		struct bgp_msg m;
		const uint8_t *p = NULL;

		assert_int_equal(bgp_hdr_decode(msgs + br_offset(&br), br_left(&br), BGP_MAX_LEN,
		    &h, &err), 0);
		assert_int_equal(br_ptr(&br, h.len, &p), 0);
		assert_int_equal(bgp_msg_decode(&s->ctx, p, h.len, &m, &err), 0);
		assert_int_equal(m.type, BGP_MSG_UPDATE);
		s->updates++;
		for (size_t i = 0; i < m.u.update.nwithdrawn; i++)
			s->wd[s->nwd++] = m.u.update.withdrawn[i];
		for (size_t i = 0; i < m.u.update.nnlri; i++) {
			size_t k = s->nann++;

			s->ann[k] = m.u.update.nlri[i];
			bgp_as_path_format(&m.u.update.attrs.as_path, s->path[k], sizeof(s->path[k]));
			addr_format(&m.u.update.attrs.next_hop, s->nh[k], sizeof(s->nh[k]));
			s->lp[k] = bgp_attrs_has(&m.u.update.attrs, BGP_ATTR_LOCAL_PREF);
			s->med[k] = bgp_attrs_has(&m.u.update.attrs, BGP_ATTR_MED);
		}
		bgp_msg_free(&m);
	}
	return 0;
}

static int
find(const struct prefix *v, size_t n, const char *p)
{
	struct prefix q = tpfx(p);

	for (size_t i = 0; i < n; i++)
		if (prefix_eq(&v[i], &q))
			return (int)i;
	return -1;
}

struct fx {
	struct rib	*r;
	int		 src, tgt, ib1, ib2;
	struct filter_set fs;
	struct filter	*all;
};

static void
add(struct fx *f, int peer, const char *p, struct tattr *t, const uint32_t *comms, size_t nc)
{
	struct bgp_attrs a;
	struct bgp_nexthop nh;
	struct rib_aset *as;
	struct prefix q = tpfx(p);

	tattr_build(t, &a, &nh);
	for (size_t i = 0; i < nc; i++)
		assert_int_equal(bgp_attrs_add_community(&a, comms[i]), 0);
	as = rib_aset_intern(f->r, &a, &nh);
	bgp_attrs_free(&a);
	assert_int_equal(rib_route_update(f->r, (uint16_t)peer, &q, as), 0);
	rib_aset_unref(f->r, as);
}

static void
fx_init(struct fx *f)
{
	struct rib_conf c = { .ecmp_max = 1, .local_as = LOCAL_AS, .router_id = 1 };
	struct filter_rule permit = { .permit = true };

	memset(f, 0, sizeof(*f));
	f->r = rib_new(&c);
	f->src = tpeer(f->r, 65010, 10, "192.0.2.10", true);
	f->tgt = tpeer(f->r, 65020, 20, "192.0.2.20", true);
	f->ib1 = tpeer(f->r, LOCAL_AS, 30, "192.0.2.30", false);
	f->ib2 = tpeer(f->r, LOCAL_AS, 40, "192.0.2.40", false);
	filter_set_init(&f->fs);
	f->all = filter_add(&f->fs, "all");
	assert_int_equal(filter_rule_append(f->all, &permit), 0);
}

static struct adjout *
fx_adjout(struct fx *f, int peer, bool ebgp, const struct filter *exp, struct seen *s)
{
	struct adjout_conf ac;

	memset(&ac, 0, sizeof(ac));
	ac.peer = (uint16_t)peer;
	ac.ebgp = ebgp;
	ac.local_as = LOCAL_AS;
	ac.export = exp;
	ac.ctx.as4 = true;
	ac.ctx.families = BGP_FAM_BIT(BGP_FAM_IPV4_UNICAST);
	assert_int_equal(addr_parse("192.0.2.1", &ac.nh[0].global), 0);
	ac.has_nh[0] = true;
	s->ctx = ac.ctx;
	return adjout_new(f->r, &ac, capture, s);
}

static void
test_ebgp_export(void **state)
{
	struct fx f;
	struct seen *s = calloc(1, sizeof(*s));
	struct adjout *ao;
	struct tattr t = { .lp = 200, .med = 5, .path = { 65010, 65011 }, .nh = "192.0.2.10" };
	struct tattr ti = { .lp = 100, .med = -1, .path = { 65030 }, .nh = "192.0.2.30" };
	const uint32_t noexp = BGP_COMM_NO_EXPORT, noadv = BGP_COMM_NO_ADVERTISE;
	int i;

	(void)state;
	fx_init(&f);
	add(&f, f.src, "198.51.100.0/24", &t, NULL, 0);
	add(&f, f.src, "198.51.101.0/24", &t, &noexp, 1);
	add(&f, f.src, "198.51.102.0/24", &t, &noadv, 1);
	add(&f, f.tgt, "198.51.103.0/24", &t, NULL, 0);		/* the target's own */
	add(&f, f.ib1, "198.51.104.0/24", &ti, NULL, 0);		/* iBGP-learned */
	ao = fx_adjout(&f, f.tgt, true, f.all, s);
	assert_non_null(ao);
	adjout_refresh(ao);
	assert_int_equal(adjout_pending(ao), 5);
	assert_true(adjout_flush(ao) >= 2);
	assert_int_equal(adjout_pending(ao), 0);
	assert_int_equal(s->nann, 2);
	i = find(s->ann, s->nann, "198.51.100.0/24");
	assert_true(i >= 0);
	assert_string_equal(s->path[i], "65000 65010 65011");
	assert_string_equal(s->nh[i], "192.0.2.1");
	assert_false(s->lp[i]);
	assert_false(s->med[i]);
	i = find(s->ann, s->nann, "198.51.104.0/24");	/* iBGP-learned goes to eBGP */
	assert_true(i >= 0);
	assert_string_equal(s->path[i], "65000 65030");
	assert_int_equal(find(s->ann, s->nann, "198.51.101.0/24"), -1);
	assert_int_equal(find(s->ann, s->nann, "198.51.102.0/24"), -1);
	assert_int_equal(find(s->ann, s->nann, "198.51.103.0/24"), -1);
	adjout_free(ao);
	rib_free(f.r);
	filter_set_free(&f.fs);
	free(s);
}

static void
change_cb(void *arg, struct rib *r, const struct rib_change *c)
{
	(void)r;
	adjout_change(arg, c);
}

static const struct rib_client_ops ops = { .name = "adjout", .change = change_cb };

static void
test_changes_and_withdrawals(void **state)
{
	struct fx f;
	struct seen *s = calloc(1, sizeof(*s));
	struct adjout *ao;
	struct tattr t = { .lp = -1, .med = -1, .path = { 65010 }, .nh = "192.0.2.10" };
	const uint32_t noexp = BGP_COMM_NO_EXPORT;
	struct prefix a = tpfx("203.0.113.0/24"), b = tpfx("203.0.114.0/24");
	char buf[32];

	(void)state;
	fx_init(&f);
	ao = fx_adjout(&f, f.tgt, true, f.all, s);
	assert_int_equal(rib_client_add(f.r, &ops, ao), 0);
	add(&f, f.src, "203.0.113.0/24", &t, NULL, 0);
	add(&f, f.src, "203.0.114.0/24", &t, &noexp, 1);
	assert_int_equal(adjout_flush(ao), 1);		/* b never advertised: skipped */
	assert_int_equal(s->nann, 1);
	/* both go away: a withdrawal for a only */
	assert_int_equal(rib_route_withdraw(f.r, (uint16_t)f.src, &a), 0);
	assert_int_equal(rib_route_withdraw(f.r, (uint16_t)f.src, &b), 0);
	adjout_flush(ao);
	assert_int_equal(s->nwd, 1);
	assert_true(prefix_eq(&s->wd[0], &a));
	/* announce then withdraw before a flush: coalesced, nothing sent */
	add(&f, f.src, "203.0.113.0/24", &t, NULL, 0);
	assert_int_equal(rib_route_withdraw(f.r, (uint16_t)f.src, &a), 0);
	assert_int_equal(adjout_flush(ao), 0);
	assert_int_equal(s->nann, 1);
	assert_int_equal(s->nwd, 1);
	/* packing: 1000 prefixes with one attribute set fit in 2 UPDATEs of 4096 octets */
	s->updates = 0;
	for (int i = 0; i < 1000; i++) {
		snprintf(buf, sizeof(buf), "10.%d.%d.0/24", i / 256, i % 256);
		add(&f, f.src, buf, &t, NULL, 0);
	}
	assert_int_equal(adjout_flush(ao), 1000);
	assert_int_equal(s->nann, 1001);
	assert_true(s->updates <= 2);
	rib_client_del(f.r, &ops, ao);
	adjout_free(ao);
	rib_free(f.r);
	filter_set_free(&f.fs);
	free(s);
}

static void
test_filters_and_ibgp(void **state)
{
	struct fx f;
	struct seen *s = calloc(1, sizeof(*s));
	struct adjout *ao;
	struct tattr t = { .lp = -1, .med = -1, .path = { 65010 }, .nh = "192.0.2.10" };
	struct tattr ti = { .lp = 100, .med = -1, .path = { 65030 }, .nh = "192.0.2.30" };
	struct filter_plist *pl;
	struct filter *only;
	struct filter_rule r = { .permit = true, .nadd_comm = 1, .add_comm = { 65000u << 16 | 9 } };
	struct prefix p8 = tpfx("198.51.100.0/24");

	(void)state;
	fx_init(&f);
	add(&f, f.src, "198.51.100.0/24", &t, NULL, 0);
	add(&f, f.src, "198.51.101.0/24", &t, NULL, 0);
	add(&f, f.ib1, "198.51.104.0/24", &ti, NULL, 0);
	/* RFC 8212: eBGP without export policy gets nothing */
	ao = fx_adjout(&f, f.tgt, true, NULL, s);
	adjout_refresh(ao);
	adjout_flush(ao);
	assert_int_equal(s->nann, 0);
	adjout_free(ao);
	/* export filter: only 198.51.100.0/24, tagged */
	filter_set_free(&f.fs);
	filter_set_init(&f.fs);
	pl = filter_plist_add(&f.fs, "one");
	assert_int_equal(filter_plist_append(pl, &p8, -1, -1, true), 0);
	only = filter_add(&f.fs, "only");
	r.plist = pl;
	assert_int_equal(filter_rule_append(only, &r), 0);
	ao = fx_adjout(&f, f.tgt, true, only, s);
	adjout_refresh(ao);
	adjout_flush(ao);
	assert_int_equal(s->nann, 1);
	assert_true(prefix_eq(&s->ann[0], &p8));
	adjout_free(ao);
	/* iBGP target: eBGP-learned routes go (next hop kept, LOCAL_PREF added), the
	 * iBGP-learned one does not (no route reflection); RFC 8212 does not apply */
	memset(s, 0, sizeof(*s));
	ao = fx_adjout(&f, f.ib2, false, NULL, s);
	adjout_refresh(ao);
	adjout_flush(ao);
	assert_int_equal(s->nann, 2);
	assert_int_equal(find(s->ann, s->nann, "198.51.104.0/24"), -1);
	assert_string_equal(s->nh[0], "192.0.2.10");
	assert_string_equal(s->path[0], "65010");
	assert_true(s->lp[0]);
	adjout_free(ao);
	rib_free(f.r);
	filter_set_free(&f.fs);
	free(s);
}

/*
 * A prefix we originate is a local path in the Loc-RIB; the session announces it, so the
 * Adj-RIB-Out must neither announce the learned route it beats nor withdraw the prefix
 * (that would take our own announcement away); when the origination ends, the learned
 * route is announced again.
 */
static void
test_local_origin(void **state)
{
	struct fx f;
	struct seen *s = calloc(1, sizeof(*s));
	struct adjout *ao;
	struct tattr t = { .lp = -1, .med = -1, .path = { 65010 }, .nh = "192.0.2.10" };
	struct tattr local = { .lp = -1, .med = -1, .path = { 0 } };
	struct prefix a = tpfx("10.20.0.15/32");

	(void)state;
	fx_init(&f);
	ao = fx_adjout(&f, f.tgt, true, f.all, s);
	assert_int_equal(rib_client_add(f.r, &ops, ao), 0);
	/* learned first: announced */
	add(&f, f.src, "10.20.0.15/32", &t, NULL, 0);
	assert_int_equal(adjout_flush(ao), 1);
	assert_int_equal(s->nann, 1);
	/* originated: the local path wins; nothing is sent, in particular no withdrawal */
	add(&f, RIB_PEER_LOCAL, "10.20.0.15/32", &local, NULL, 0);
	assert_int_equal(rib_net_get(f.r, &a)->paths->peer, RIB_PEER_LOCAL);
	adjout_flush(ao);
	assert_int_equal(s->nann, 1);
	assert_int_equal(s->nwd, 0);
	/* origination ends: the learned route is the best again and is announced */
	assert_int_equal(rib_route_withdraw(f.r, RIB_PEER_LOCAL, &a), 0);
	assert_int_equal(adjout_flush(ao), 1);
	assert_int_equal(s->nann, 2);
	assert_int_equal(s->nwd, 0);
	/* originated without any learned route: nothing either */
	assert_int_equal(rib_route_withdraw(f.r, (uint16_t)f.src, &a), 0);
	adjout_flush(ao);
	assert_int_equal(s->nwd, 1);
	add(&f, RIB_PEER_LOCAL, "10.20.0.15/32", &local, NULL, 0);
	adjout_flush(ao);
	assert_int_equal(s->nann, 2);
	assert_int_equal(s->nwd, 1);
	rib_client_del(f.r, &ops, ao);
	adjout_free(ao);
	rib_free(f.r);
	filter_set_free(&f.fs);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ebgp_export),
		cmocka_unit_test(test_changes_and_withdrawals),
		cmocka_unit_test(test_filters_and_ibgp),
		cmocka_unit_test(test_local_origin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
