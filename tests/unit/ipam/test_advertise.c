// SPDX-License-Identifier: MIT
/*
 * ipam/advertise.c: the advertise set. Named scenarios (the web-01 story, a cluster
 * block shared with another node, a reservation inside another node's block), then
 * the incremental answer against a brute-force reference after every one of
 * thousands of random changes (own/unown, foreign hosts and blocks) on three roots
 * (IPv4 with and without aggregate_free, IPv6), and a mirror kept only from the
 * change callback that must equal the set.
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

#include "ipam/ipam.h"
#include "lib/trie.h"
#include "tests/helpers/unit_addr.h"
#include "tests/helpers/xorshift.h"

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint64_t
rnd(void)
{
	return xorshift64s(&rng_state);
}

/* A prefix literal that may have host bits set (unit_addr.h's P is strict). */
static struct prefix
PH(const char *s)
{
	struct prefix p;

	assert_int_equal(prefix_parse(s, &p, PREFIX_PARSE_HOST_OK), 0);
	return p;
}

struct text {
	char	buf[4096];
};

static int
text_cb(const struct prefix *p, void *arg)
{
	struct text *t = arg;
	char s[PREFIX_STRLEN];

	prefix_format(p, s, sizeof(s));
	if (t->buf[0])
		strncat(t->buf, " ", sizeof(t->buf) - strlen(t->buf) - 1);
	strncat(t->buf, s, sizeof(t->buf) - strlen(t->buf) - 1);
	return 0;
}

static const char *
set_text(const struct ipam_adv *adv)
{
	static struct text t;

	t.buf[0] = '\0';
	ipam_adv_walk(adv, text_cb, &t);
	return t.buf;
}

static void
test_web01_story(void **state)
{
	struct ipam_adv *adv = ipam_adv_new(NULL, NULL);
	struct prefix seg = PH("10.20.0.0/24");

	(void)state;
	assert_int_equal(ipam_adv_add_root(adv, &seg, false), 0);
	/* gateway and the VMs still on VMware are foreign */
	assert_int_equal(ipam_adv_set_foreign(adv, &(struct prefix){ PH("10.20.0.1").addr, 32 },
	    true), 0);
	assert_int_equal(ipam_adv_set_foreign(adv, &(struct prefix){ PH("10.20.0.16").addr, 32 },
	    true), 0);
	assert_string_equal(set_text(adv), "");
	assert_int_equal(ipam_adv_set_own(adv, AP("10.20.0.15"), true), 0);
	assert_string_equal(set_text(adv), "10.20.0.15/32");
	/* legacy pools never cover free addresses: .14 owned too gives .14/31 */
	assert_int_equal(ipam_adv_set_own(adv, AP("10.20.0.14"), true), 0);
	assert_string_equal(set_text(adv), "10.20.0.14/31");
	assert_int_equal(ipam_adv_set_own(adv, AP("10.20.0.12"), true), 0);
	assert_string_equal(set_text(adv), "10.20.0.12/32 10.20.0.14/31");
	assert_int_equal(ipam_adv_set_own(adv, AP("10.20.0.13"), true), 0);
	assert_string_equal(set_text(adv), "10.20.0.12/30");
	assert_int_equal(ipam_adv_set_own(adv, AP("10.20.0.13"), false), 0);
	assert_string_equal(set_text(adv), "10.20.0.12/32 10.20.0.14/31");
	ipam_adv_free(adv);
}

static void
test_cluster_blocks(void **state)
{
	struct ipam_adv *adv = ipam_adv_new(NULL, NULL);
	struct prefix pool = PH("10.244.0.0/16"), other = PH("10.244.0.64/26");
	char a[32];
	int i;

	(void)state;
	assert_int_equal(ipam_adv_add_root(adv, &pool, true), 0);
	assert_int_equal(ipam_adv_set_foreign(adv, &other, true), 0);
	for (i = 1; i <= 60; i++) {
		snprintf(a, sizeof(a), "10.244.0.%d", i);
		assert_int_equal(ipam_adv_set_own(adv, AP(a), true), 0);
	}
	/* the tightest prefix spanning .1-.60 inside the clean region */
	assert_string_equal(set_text(adv), "10.244.0.0/26");
	/* a reservation claimed inside the other node's block: a host route */
	assert_int_equal(ipam_adv_set_own(adv, AP("10.244.0.70"), true), 0);
	assert_string_equal(set_text(adv), "10.244.0.0/26 10.244.0.70/32");
	/* the other node leaves: one prefix again */
	assert_int_equal(ipam_adv_set_foreign(adv, &other, false), 0);
	assert_string_equal(set_text(adv), "10.244.0.0/25");
	assert_int_equal(ipam_adv_set_foreign(adv, &other, false), -ENOENT);
	ipam_adv_free(adv);
}

/* ---- brute force ------------------------------------------------------------ */

#define R_MAX	3
#define R_SIZE	256

struct ref_root {
	struct prefix	p;
	bool		agg_free;
	bool		own[R_SIZE];
	int		foreign[R_SIZE];
	int		fhost[R_SIZE];	/* of which host entries */
	unsigned	size;
};

static struct ref_root refs[R_MAX];
static struct trie *mirror;

static void
mirror_cb(const struct prefix *p, bool added, void *arg)
{
	(void)arg;
	if (added) {
		if (trie_get(mirror, p, NULL)) {
			char t[PREFIX_STRLEN];

			fprintf(stderr, "added twice: %s\n", prefix_format(p, t, sizeof(t)));
		}
		assert_false(trie_get(mirror, p, NULL));
		assert_int_equal(trie_insert(mirror, p, (void *)1, NULL), 0);
	} else {
		assert_true(trie_delete(mirror, p, NULL));
	}
}

static void
ref_addr(const struct ref_root *r, unsigned off, struct addr *a)
{
	*a = r->p.addr;
	assert_int_equal(addr_add(a, off), 0);
}

static bool
ref_clean(const struct ref_root *r, unsigned lo, unsigned n)
{
	unsigned i;

	for (i = lo; i < lo + n; i++)
		if (r->foreign[i] || (!r->agg_free && !r->own[i]))
			return false;
	return true;
}

/* The expected set of one root as a sorted list of prefixes. */
static size_t
ref_answer(const struct ref_root *r, struct prefix *out)
{
	unsigned hb = prefix_host_bits(&r->p), bits = addr_bits(&r->p.addr);
	unsigned a, k, n = 0;
	bool done[R_SIZE] = { false };

	for (a = 0; a < r->size; a++) {
		unsigned mlo = a, msize = 1, first = R_SIZE, last = 0, len;
		struct addr x, y;
		struct prefix m;

		if (!r->own[a] || done[a])
			continue;
		/* the largest clean aligned block around a (host override at size 1) */
		for (k = hb; k > 0; k--) {
			unsigned sz = 1u << k, lo = a & ~(sz - 1);

			if (ref_clean(r, lo, sz)) {
				mlo = lo;
				msize = sz;
				break;
			}
		}
		for (k = mlo; k < mlo + msize; k++) {
			if (r->own[k]) {
				done[k] = true;
				if (first == R_SIZE)
					first = k;
				last = k;
			}
		}
		/* smallest aligned block holding first..last */
		for (len = 0; (first >> len) != (last >> len); len++)
			;
		ref_addr(r, first & ~((1u << len) - 1), &x);
		prefix_make(&m, &x, bits - len);
		ref_addr(r, last, &y);
		assert_true(prefix_contains_addr(&m, &y));
		out[n++] = m;
	}
	return n;
}

static int
collect(const struct prefix *p, void *arg)
{
	struct prefix **cur = arg;

	*(*cur)++ = *p;
	return 0;
}

static void
check_against_ref(const struct ipam_adv *adv, int nroots)
{
	static struct prefix want[R_MAX * R_SIZE], got[R_MAX * R_SIZE];
	struct prefix *cur = got;
	size_t nw = 0, ng, i;
	int r;

	for (r = 0; r < nroots; r++)
		nw += ref_answer(&refs[r], want + nw);
	qsort(want, nw, sizeof(*want), (int (*)(const void *, const void *))prefix_cmp);
	ipam_adv_walk(adv, collect, &cur);
	ng = (size_t)(cur - got);
	if (ng != nw) {
		char s[PREFIX_STRLEN];

		for (i = 0; i < nw; i++)
			fprintf(stderr, "want %s\n", prefix_format(&want[i], s, sizeof(s)));
		for (i = 0; i < ng; i++)
			fprintf(stderr, "got  %s\n", prefix_format(&got[i], s, sizeof(s)));
	}
	assert_int_equal(ng, nw);
	for (i = 0; i < nw; i++)
		assert_true(prefix_eq(&want[i], &got[i]));
	assert_int_equal(trie_count(mirror), ng);
	for (i = 0; i < ng; i++)
		assert_true(trie_get(mirror, &got[i], NULL));
}

static void
test_random_vs_reference(void **state)
{
	static const char *const roots[R_MAX] = { "10.20.0.0/24", "10.244.7.0/24",
	    "fd00:20::/120" };
	static const bool agg[R_MAX] = { false, true, true };
	struct ipam_adv *adv;
	int round, r, step;

	(void)state;
	for (round = 0; round < 6; round++) {
		mirror = trie_new();
		adv = ipam_adv_new(mirror_cb, NULL);
		for (r = 0; r < R_MAX; r++) {
			memset(&refs[r], 0, sizeof(refs[r]));
			refs[r].p = PH(roots[r]);
			refs[r].agg_free = agg[r];
			refs[r].size = 1u << prefix_host_bits(&refs[r].p);
			assert_int_equal(ipam_adv_add_root(adv, &refs[r].p, agg[r]), 0);
		}
		/* rounds differ in density: sparse to nearly full */
		for (step = 0; step < 1500; step++) {
			struct ref_root *rr = &refs[rnd() % R_MAX];
			unsigned off = (unsigned)(rnd() % rr->size), op = (unsigned)(rnd() % 100);
			unsigned dens = 20 + (unsigned)round * 12;
			struct addr a;
			struct prefix q;

			ref_addr(rr, off, &a);
			if (op < dens) {
				rr->own[off] = true;
				assert_int_equal(ipam_adv_set_own(adv, &a, true), 0);
			} else if (op < 70) {
				rr->own[off] = false;
				assert_int_equal(ipam_adv_set_own(adv, &a, false), 0);
			} else if (op < 97) {
				/* foreign host: add, or remove when present */
				prefix_host(&q, &a);
				if (rr->fhost[off] && (op & 1)) {
					rr->foreign[off]--;
					rr->fhost[off]--;
					assert_int_equal(ipam_adv_set_foreign(adv, &q, false), 0);
				} else {
					rr->foreign[off]++;
					rr->fhost[off]++;
					assert_int_equal(ipam_adv_set_foreign(adv, &q, true), 0);
				}
			} else {
				/* a foreign block of 8 comes, and (half the time) goes again */
				unsigned lo = off & ~7u, i;
				bool gone = op == 99;

				ref_addr(rr, lo, &a);
				prefix_make(&q, &a, addr_bits(&a) - 3);
				for (i = lo; i < lo + 8; i++)
					rr->foreign[i]++;
				assert_int_equal(ipam_adv_set_foreign(adv, &q, true), 0);
				check_against_ref(adv, R_MAX);
				if (gone) {
					for (i = lo; i < lo + 8; i++)
						rr->foreign[i]--;
					assert_int_equal(ipam_adv_set_foreign(adv, &q, false), 0);
				}
			}
			check_against_ref(adv, R_MAX);
		}
		/* a bulk rebuild from the same state gives the same answer */
		{
			struct ipam_adv *b = ipam_adv_new(NULL, NULL);
			struct text t1, t2;
			unsigned i;

			ipam_adv_begin(b);
			for (r = 0; r < R_MAX; r++) {
				assert_int_equal(ipam_adv_add_root(b, &refs[r].p, agg[r]), 0);
				for (i = 0; i < refs[r].size; i++) {
					struct addr a;
					struct prefix q;
					int k;

					ref_addr(&refs[r], i, &a);
					if (refs[r].own[i])
						ipam_adv_set_own(b, &a, true);
					prefix_host(&q, &a);
					/* blocks were added as /29: as hosts they mean the same */
					for (k = 0; k < refs[r].foreign[i]; k++)
						ipam_adv_set_foreign(b, &q, true);
				}
			}
			assert_int_equal(ipam_adv_end(b), 0);
			t1.buf[0] = t2.buf[0] = '\0';
			ipam_adv_walk(adv, text_cb, &t1);
			ipam_adv_walk(b, text_cb, &t2);
			assert_string_equal(t1.buf, t2.buf);
			ipam_adv_free(b);
		}
		ipam_adv_free(adv);
		trie_free(mirror, NULL);
	}
}

static void
test_bad_args(void **state)
{
	struct ipam_adv *adv = ipam_adv_new(NULL, NULL);
	struct prefix a = PH("10.0.0.0/8"), b = PH("10.1.0.0/16");

	(void)state;
	assert_int_equal(ipam_adv_add_root(adv, &a, true), 0);
	assert_int_equal(ipam_adv_add_root(adv, &b, true), -EEXIST);
	assert_int_equal(ipam_adv_set_own(adv, &(struct addr){ .family = 0 }, true), -EINVAL);
	/* own outside every root is never advertised */
	assert_int_equal(ipam_adv_set_own(adv, AP("192.0.2.1"), true), 0);
	assert_int_equal(ipam_adv_count(adv), 0);
	ipam_adv_free(adv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_web01_story),
		cmocka_unit_test(test_cluster_blocks),
		cmocka_unit_test(test_random_vs_reference),
		cmocka_unit_test(test_bad_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
