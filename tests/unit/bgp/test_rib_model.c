// SPDX-License-Identifier: MIT
/*
 * bgp/rib against a simple reference model: long random sequences of announce,
 * replace, withdraw, stale-mark/re-announce/sweep and flush over a small prefix and
 * peer space. After every step the RIB's best path and ECMP set of the touched prefixes
 * equal the model's (a plain, step-by-step RFC 4271 §9.1.2.2 elimination over arrays),
 * a client that only sees rib_change notifications mirrors the same state, and the
 * number of interned attribute sets equals the number of distinct sets in use.
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

#define NPFX	24
#define NPEER	7	/* index 0 = local */
#define NATTR	16
#define NSTEPS	6000

struct mpeer {
	uint32_t	 asn;
	uint32_t	 rid;
	const char	*addr;
	bool		 ebgp;
};

static const struct mpeer mpeers[NPEER] = {
	{ 65000, 0x0a0000fe, "0.0.0.0", false },	/* local */
	{ 65001, 0x0a000001, "192.0.2.1", true },
	{ 65002, 0x0a000002, "192.0.2.2", true },
	{ 65001, 0x0a000001, "192.0.2.4", true },
	{ 65000, 0x0a000003, "192.0.2.3", false },
	{ 65000, 0x01010101, "192.0.2.5", false },
	{ 65003, 0x0a000009, "192.0.2.6", true },
};

struct model {
	int		 attr[NPFX][NPEER];	/* -1: no path */
	bool		 stale[NPFX][NPEER];
	struct tattr	 pool[NATTR];
	bool		 always_med;
	unsigned	 ecmp;
};

/* Mirror kept by a client from notifications only. */
struct mirror {
	size_t			 n[NPFX];
	uint16_t		 peer[NPFX][RIB_ECMP_MAX];
	const struct rib_aset	*aset[NPFX][RIB_ECMP_MAX];
};

static struct prefix pfxs[NPFX];
static uint16_t pidx[NPEER];
static uint64_t rng;

static uint32_t
rnd(uint32_t n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(rng >> 33) % n;
}

static int
pfx_index(const struct prefix *p)
{
	for (int i = 0; i < NPFX; i++)
		if (prefix_eq(&pfxs[i], p))
			return i;
	return -1;
}

static void
mirror_change(void *arg, struct rib *r, const struct rib_change *c)
{
	struct mirror *m = arg;
	const struct rib_path *mp[RIB_ECMP_MAX];
	int i = pfx_index(c->pfx);

	(void)r;
	assert_true(i >= 0);
	m->n[i] = c->net && c->best ? rib_net_multipath(c->net, mp, RIB_ECMP_MAX) : 0;
	for (size_t k = 0; k < m->n[i]; k++) {
		m->peer[i][k] = mp[k]->peer;
		m->aset[i][k] = mp[k]->aset;
	}
}

static const struct rib_client_ops mirror_ops = { .name = "mirror", .change = mirror_change };

/* ---- the reference decision process ---- */

static uint32_t
m_lp(const struct tattr *t)
{
	return t->lp < 0 ? 100 : (uint32_t)t->lp;
}

static uint32_t
m_med(const struct tattr *t)
{
	return t->med < 0 ? 0 : (uint32_t)t->med;
}

static unsigned
m_len(const struct tattr *t)
{
	unsigned n = 0;

	while (n < 8 && t->path[n])
		n++;
	return n;
}

static uint32_t
m_nas(const struct tattr *t)
{
	return t->path[0] ? t->path[0] : 65000;
}

/* Fill out[] with the ECMP set (peer indexes, best first); returns its size. */
static size_t
model_best(const struct model *m, int pf, int *out)
{
	int c[NPEER];
	size_t n = 0, k;
	bool any;

	for (int p = 0; p < NPEER; p++)
		if (m->attr[pf][p] >= 0)
			c[n++] = p;
	if (n == 0)
		return 0;
#define T(p)	(&m->pool[m->attr[pf][(p)]])
#define KEEP(cond)	do { k = 0; for (size_t i_ = 0; i_ < n; i_++) { int x = c[i_]; \
	if (cond) c[k++] = x; } n = k; } while (0)
	/* local first */
	any = false;
	for (size_t i = 0; i < n; i++)
		any |= c[i] == 0;
	if (any)
		KEEP(x == 0);
	{
		uint32_t best = 0;

		for (size_t i = 0; i < n; i++)
			if (m_lp(T(c[i])) > best)
				best = m_lp(T(c[i]));
		KEEP(m_lp(T(x)) == best);
	}
	{
		unsigned best = ~0u;

		for (size_t i = 0; i < n; i++)
			if (m_len(T(c[i])) < best)
				best = m_len(T(c[i]));
		KEEP(m_len(T(x)) == best);
	}
	{
		unsigned best = ~0u;

		for (size_t i = 0; i < n; i++)
			if (T(c[i])->origin < best)
				best = T(c[i])->origin;
		KEEP(T(x)->origin == best);
	}
	{
		bool drop[NPEER] = { false };
		int keep[NPEER] = { 0 };

		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < n; j++)
				if ((m->always_med || m_nas(T(c[i])) == m_nas(T(c[j]))) &&
				    m_med(T(c[j])) < m_med(T(c[i])))
					drop[i] = true;
		k = 0;
		for (size_t i = 0; i < n; i++)
			if (!drop[i])
				keep[k++] = c[i];
		memcpy(c, keep, k * sizeof(int));
		n = k;
	}
	any = false;
	for (size_t i = 0; i < n; i++)
		any |= c[i] != 0 && mpeers[c[i]].ebgp;
	if (any)
		KEEP(x != 0 && mpeers[x].ebgp);
	/* tie-breaks: router id (or ORIGINATOR_ID), peer address, index */
	for (size_t i = 0; i < n; i++) {
		for (size_t j = i + 1; j < n; j++) {
			const struct tattr *a = T(c[i]), *b = T(c[j]);
			uint32_t ra = a->originator ? a->originator : mpeers[c[i]].rid;
			uint32_t rb = b->originator ? b->originator : mpeers[c[j]].rid;
			struct addr aa, ab;
			int sw;

			assert_int_equal(addr_parse(mpeers[c[i]].addr, &aa), 0);
			assert_int_equal(addr_parse(mpeers[c[j]].addr, &ab), 0);
			sw = rb < ra || (rb == ra && addr_cmp(&ab, &aa) < 0) ||
			    (rb == ra && addr_cmp(&ab, &aa) == 0 && c[j] < c[i]);
			if (sw) {
				int t = c[i];

				c[i] = c[j];
				c[j] = t;
			}
		}
	}
#undef T
#undef KEEP
	if (n > m->ecmp)
		n = m->ecmp;
	for (size_t i = 0; i < n; i++)
		out[i] = c[i];
	return n;
}

static void
check_prefix(struct rib *r, const struct model *m, const struct mirror *mi, int pf,
    unsigned step)
{
	int want[NPEER];
	size_t nw = model_best(m, pf, want);
	const struct rib_net *n = rib_net_get(r, &pfxs[pf]);
	const struct rib_path *mp[RIB_ECMP_MAX];
	size_t k = n ? rib_net_multipath(n, mp, RIB_ECMP_MAX) : 0;

	if (k != nw || mi->n[pf] != nw)
		fail_msg("step %u prefix %d: ecmp size rib %zu mirror %zu model %zu", step, pf, k,
		    mi->n[pf], nw);
	for (size_t i = 0; i < k; i++) {
		const struct tattr *t = &m->pool[m->attr[pf][want[i]]];

		if (mp[i]->peer != pidx[want[i]] || mi->peer[pf][i] != pidx[want[i]])
			fail_msg("step %u prefix %d member %zu: rib peer %u mirror %u model %u",
			    step, pf, i, mp[i]->peer, mi->peer[pf][i], pidx[want[i]]);
		if (mi->aset[pf][i] != mp[i]->aset)
			fail_msg("step %u prefix %d: mirror holds an old attribute set", step, pf);
		struct bgp_attrs got;

		assert_int_equal(rib_aset_attrs(mp[i]->aset, &got), 0);
		if (m_med(t) != (bgp_attrs_has(&got, BGP_ATTR_MED) ? got.med : 0) ||
		    m_med(t) != mp[i]->aset->med)
			fail_msg("step %u prefix %d: attributes differ from the model", step, pf);
		bgp_attrs_free(&got);
	}
	/* stale flags */
	for (int p = 0; p < NPEER; p++) {
		const struct rib_path *path = n ? rib_net_path(n, pidx[p]) : NULL;

		assert_int_equal(path != NULL, m->attr[pf][p] >= 0);
		if (path)
			assert_int_equal(!!(path->flags & RIB_PATH_STALE), m->stale[pf][p]);
	}
}

static void
check_all(struct rib *r, const struct model *m, const struct mirror *mi, unsigned step)
{
	bool used[NATTR] = { false };
	size_t nused = 0, npaths = 0, nstale = 0;
	struct rib_stats st;

	for (int pf = 0; pf < NPFX; pf++) {
		check_prefix(r, m, mi, pf, step);
		for (int p = 0; p < NPEER; p++) {
			if (m->attr[pf][p] >= 0) {
				npaths++;
				nstale += m->stale[pf][p];
				if (!used[m->attr[pf][p]]) {
					used[m->attr[pf][p]] = true;
					nused++;
				}
			}
		}
	}
	rib_stats_get(r, &st);
	assert_int_equal(st.paths, npaths);
	assert_int_equal(st.stale, nstale);
	if (st.asets != nused)
		fail_msg("step %u: %zu interned sets, %zu distinct in use", step, st.asets, nused);
}

static void
pool_fill(struct model *m)
{
	static const char *const nhs[] = { "192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4" };

	for (int i = 0; i < NATTR; i++) {
		struct tattr *t = &m->pool[i];
		unsigned len = rnd(3) + (i == 0 ? 0 : 1);	/* pool[0]: empty path */

		memset(t, 0, sizeof(*t));
		t->lp = (int[]){ -1, 100, 200 }[rnd(3)];
		t->med = (int[]){ -1, 0, 10, 20 }[rnd(4)];
		t->origin = (uint8_t)rnd(3);
		for (unsigned k = 0; k < len; k++)
			t->path[k] = k == 0 ? 65001 + rnd(3) : 64512 + rnd(100);
		t->nh = nhs[rnd(4)];
		t->originator = rnd(8) == 0 ? 0x0a000000 + rnd(4) : 0;
	}
}

static void
run_seed(uint64_t seed)
{
	struct model m;
	struct mirror mi;
	struct rib_conf c = { .local_as = 65000, .router_id = 0x0a0000fe };
	struct rib *r;

	rng = seed;
	memset(&m, 0, sizeof(m));
	memset(&mi, 0, sizeof(mi));
	memset(m.attr, 0xff, sizeof(m.attr));
	m.always_med = rnd(2);
	m.ecmp = (unsigned[]){ 1, 2, 4 }[rnd(3)];
	c.always_compare_med = m.always_med;
	c.ecmp_max = m.ecmp;
	pool_fill(&m);
	r = rib_new(&c);
	assert_non_null(r);
	pidx[0] = RIB_PEER_LOCAL;
	for (int p = 1; p < NPEER; p++) {
		int i = tpeer(r, mpeers[p].asn, mpeers[p].rid, mpeers[p].addr, mpeers[p].ebgp);

		assert_true(i > 0);
		pidx[p] = (uint16_t)i;
	}
	assert_int_equal(rib_client_add(r, &mirror_ops, &mi), 0);

	for (unsigned step = 0; step < NSTEPS; step++) {
		unsigned op = rnd(100);
		int pf = (int)rnd(NPFX), p = (int)rnd(NPEER);

		if (op < 55) {			/* announce / replace */
			int a = (int)rnd(NATTR);
			struct rib_aset *as = tattr_intern(r, &m.pool[a]);

			assert_non_null(as);
			assert_int_equal(rib_route_update(r, pidx[p], &pfxs[pf], as), 0);
			rib_aset_unref(r, as);
			m.attr[pf][p] = a;
			m.stale[pf][p] = false;
			check_prefix(r, &m, &mi, pf, step);
		} else if (op < 90) {		/* withdraw */
			int rc = rib_route_withdraw(r, pidx[p], &pfxs[pf]);

			assert_int_equal(rc, m.attr[pf][p] >= 0 ? 0 : -ENOENT);
			m.attr[pf][p] = -1;
			m.stale[pf][p] = false;
			check_prefix(r, &m, &mi, pf, step);
		} else if (op < 94) {		/* peer restarts: mark stale */
			int fam = (int[]){ 0, AF_INET, AF_INET6 }[rnd(3)];
			size_t want = 0;

			for (int i = 0; i < NPFX; i++) {
				if (m.attr[i][p] >= 0 && !m.stale[i][p] &&
				    (!fam || pfxs[i].addr.family == fam)) {
					m.stale[i][p] = true;
					want++;
				}
			}
			assert_int_equal(rib_peer_stale_mark(r, pidx[p], fam), want);
			check_all(r, &m, &mi, step);
		} else if (op < 98) {		/* End-of-RIB: sweep */
			int fam = (int[]){ 0, AF_INET, AF_INET6 }[rnd(3)];
			size_t want = 0;

			for (int i = 0; i < NPFX; i++) {
				if (m.stale[i][p] && (!fam || pfxs[i].addr.family == fam)) {
					m.stale[i][p] = false;
					m.attr[i][p] = -1;
					want++;
				}
			}
			assert_int_equal(rib_peer_stale_sweep(r, pidx[p], fam), want);
			check_all(r, &m, &mi, step);
		} else {			/* session down: flush */
			size_t want = 0;

			for (int i = 0; i < NPFX; i++) {
				want += m.attr[i][p] >= 0;
				m.attr[i][p] = -1;
				m.stale[i][p] = false;
			}
			assert_int_equal(rib_peer_flush(r, pidx[p]), want);
			check_all(r, &m, &mi, step);
		}
		if (step % 500 == 0)
			check_all(r, &m, &mi, step);
	}
	check_all(r, &m, &mi, NSTEPS);
	for (int p = 0; p < NPEER; p++)
		rib_peer_flush(r, pidx[p]);
	{
		struct rib_stats st;

		rib_stats_get(r, &st);
		assert_int_equal(st.paths, 0);
		assert_int_equal(st.asets, 0);
		assert_int_equal(st.nets[0] + st.nets[1], 0);
	}
	rib_free(r);
}

static void
test_random_sequences(void **state)
{
	(void)state;
	for (int i = 0; i < NPFX; i++) {
		char buf[64];

		if (i < 16)
			snprintf(buf, sizeof(buf), "10.%d.0.0/%d", i / 2, 16 + (i % 2) * 8);
		else
			snprintf(buf, sizeof(buf), "2001:db8:%x::/48", i);
		pfxs[i] = tpfx(buf);
	}
	for (uint64_t seed = 1; seed <= 12; seed++)
		run_seed(seed * 0x9e3779b97f4a7c15ULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_sequences),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
