// SPDX-License-Identifier: MIT
/*
 * lib/trie: edge cases, then the trie against a brute-force reference (a sorted array
 * searched per prefix length) on 100k random prefixes per family: exact, longest
 * match, covered and covering walks, ordered walk, deletes.
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

#include "lib/trie.h"
#include "tests/helpers/xorshift.h"

#define N_ENTRIES	100000
#define N_LOOKUPS	100000
#define N_WALKS		200

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t
rnd(void)
{
	return xorshift64s(&rng_state);
}

/* Parsed prefix in a small ring of static slots, so tests can pass &-free literals. */
static const struct prefix *
PP(const char *s)
{
	static struct prefix ring[8];
	static unsigned next;
	struct prefix *p = &ring[next++ % 8];

	assert_int_equal(prefix_parse(s, p, PREFIX_PARSE_NORMALIZE), 0);
	return p;
}

static void
test_edges(void **state)
{
	struct trie *t = trie_new();
	struct prefix m, any = *PP("0.0.0.0/0"), host = *PP("10.20.0.15/32");
	struct addr a;
	void *v, *old;

	(void)state;
	assert_non_null(t);
	assert_int_equal(addr_parse("10.20.0.15", &a), 0);
	assert_false(trie_lookup(t, &a, &m, &v));
	assert_int_equal(trie_insert(t, &any, (void *)1, &old), 0);
	assert_null(old);
	assert_int_equal(trie_insert(t, &host, (void *)2, NULL), 0);
	assert_true(trie_lookup(t, &a, &m, &v));
	assert_ptr_equal(v, (void *)2);
	assert_true(prefix_eq(&m, &host));
	/* replace returns the old value, count unchanged */
	assert_int_equal(trie_insert(t, &host, (void *)3, &old), 0);
	assert_ptr_equal(old, (void *)2);
	assert_int_equal(trie_count(t), 2);
	/* keys are normalised */
	assert_int_equal(trie_insert(t, &(struct prefix){ .addr = a, .len = 24 }, (void *)4,
	    NULL), 0);
	assert_true(trie_get(t, PP("10.20.0.0/24"), &v));
	assert_ptr_equal(v, (void *)4);
	/* IPv6 lives beside IPv4, ::/0 does not match IPv4 */
	assert_int_equal(trie_insert(t, PP("::/0"), (void *)5, NULL), 0);
	assert_int_equal(trie_insert(t, PP("2001:db8::1/128"), (void *)6, NULL), 0);
	assert_true(trie_lookup(t, &a, NULL, &v));
	assert_ptr_equal(v, (void *)3);
	assert_int_equal(addr_parse("2001:db8::2", &a), 0);
	assert_true(trie_lookup(t, &a, &m, &v));
	assert_ptr_equal(v, (void *)5);
	assert_int_equal(m.len, 0);
	/* glue nodes are not entries */
	assert_int_equal(trie_insert(t, PP("192.168.0.0/24"), (void *)7, NULL), 0);
	assert_int_equal(trie_insert(t, PP("192.168.1.0/24"), (void *)8, NULL), 0);
	assert_false(trie_get(t, PP("192.168.0.0/23"), &v));
	assert_false(trie_delete(t, PP("192.168.0.0/23"), &v));
	assert_true(trie_has_covered(t, PP("192.168.0.0/23")));
	assert_false(trie_has_covered(t, PP("192.168.2.0/23")));
	assert_true(trie_delete(t, PP("0.0.0.0/0"), &v));
	assert_ptr_equal(v, (void *)1);
	assert_int_equal(trie_count(t), 6);
	assert_int_equal(trie_insert(t, &(struct prefix){ .addr.family = AF_INET, .len = 33 },
	    NULL, NULL), -EINVAL);
	trie_free(t, NULL);
}

struct ref {
	struct prefix	*p;
	size_t		 n;
};

static int
cmp_prefix(const void *a, const void *b)
{
	return prefix_cmp(a, b);
}

static bool
ref_has(const struct ref *r, const struct prefix *p)
{
	return bsearch(p, r->p, r->n, sizeof(*p), cmp_prefix) != NULL;
}

static void
random_prefix(struct prefix *p, int family)
{
	uint64_t x = rnd(), y = rnd();
	unsigned bits = addr_family_bits(family), len;

	memset(p, 0, sizeof(*p));
	p->addr.family = (uint8_t)family;
	/* Cluster addresses in a small space so prefixes nest and share paths. */
	if (family == AF_INET) {
		addr_from_v4(&p->addr, 0x0a000000u | (uint32_t)(x & 0x000fffff));
		len = 8 + (unsigned)(y % 25);
	} else {
		p->addr.bytes[0] = 0x20;
		p->addr.bytes[1] = 0x01;
		p->addr.bytes[2] = 0x0d;
		p->addr.bytes[3] = 0xb8;
		memcpy(p->addr.bytes + 4, &x, 2);
		memcpy(p->addr.bytes + 14, &y, 2);
		len = 16 + (unsigned)(y >> 20) % (bits - 15);
	}
	p->len = (uint8_t)len;
	prefix_normalize(p);
}

static void
random_addr(struct addr *a, int family)
{
	struct prefix p;

	random_prefix(&p, family);
	*a = p.addr;
	for (unsigned i = p.len; i < addr_bits(a); i++)
		if (rnd() & 1)
			a->bytes[i / 8] |= (uint8_t)(0x80 >> (i % 8));
}

/* Reference longest match: try every length from longest down. */
static bool
ref_lookup(const struct ref *r, const struct addr *a, struct prefix *out)
{
	for (int len = (int)addr_bits(a); len >= 0; len--) {
		struct prefix p;

		prefix_make(&p, a, (unsigned)len);
		prefix_normalize(&p);
		if (ref_has(r, &p)) {
			*out = p;
			return true;
		}
	}
	return false;
}

struct collect {
	struct prefix	*p;
	size_t		 n, cap;
};

static int
collect_cb(const struct prefix *p, void *value, void *arg)
{
	struct collect *c = arg;

	/* the value stored is the prefix's own index + 1 in the reference */
	assert_non_null(value);
	assert_true(c->n < c->cap);
	c->p[c->n++] = *p;
	return 0;
}

static void
check_against_ref(struct trie *t, const struct ref *r, int family)
{
	struct collect c = { .cap = r->n + 1 };
	size_t lookups = 0;

	c.p = malloc(c.cap * sizeof(*c.p));
	assert_non_null(c.p);
	assert_int_equal(trie_count(t), r->n);

	/* ordered full walk equals the sorted reference */
	c.n = 0;
	assert_int_equal(trie_walk(t, collect_cb, &c), 0);
	assert_int_equal(c.n, r->n);
	for (size_t i = 0; i < r->n; i++)
		assert_true(prefix_eq(&c.p[i], &r->p[i]));

	for (size_t i = 0; i < N_LOOKUPS; i++) {
		struct addr a;
		struct prefix want, got;
		bool hw, hg;

		random_addr(&a, family);
		hw = ref_lookup(r, &a, &want);
		hg = trie_lookup(t, &a, &got, NULL);
		assert_int_equal(hw, hg);
		if (hw) {
			assert_true(prefix_eq(&want, &got));
			lookups++;
		}
	}
	/* the random space is dense enough that most lookups hit something */
	assert_true(lookups > N_LOOKUPS / 4);

	for (size_t i = 0; i < N_WALKS; i++) {
		struct prefix q;
		size_t k = 0;

		random_prefix(&q, family);
		if (i % 2 == 0 && q.len > 8)
			q.len = (uint8_t)(q.len - 8), prefix_normalize(&q);
		c.n = 0;
		trie_walk_covered(t, &q, collect_cb, &c);
		for (size_t j = 0; j < r->n; j++) {
			if (!prefix_contains(&q, &r->p[j]))
				continue;
			assert_true(k < c.n);
			assert_true(prefix_eq(&c.p[k], &r->p[j]));
			k++;
		}
		assert_int_equal(k, c.n);
		assert_int_equal(trie_has_covered(t, &q), k > 0);

		c.n = 0;
		trie_walk_covering(t, &q, collect_cb, &c);
		k = 0;
		for (int len = 0; len <= q.len; len++) {
			struct prefix s = q;

			s.len = (uint8_t)len;
			prefix_normalize(&s);
			if (!ref_has(r, &s))
				continue;
			assert_true(k < c.n);
			assert_true(prefix_eq(&c.p[k], &s));
			k++;
		}
		assert_int_equal(k, c.n);
	}
	free(c.p);
}

static void
run_random(int family)
{
	struct trie *t = trie_new();
	struct ref r = { .p = calloc(N_ENTRIES, sizeof(struct prefix)) };
	size_t w = 0;

	assert_non_null(t);
	assert_non_null(r.p);
	for (size_t i = 0; i < N_ENTRIES; i++)
		random_prefix(&r.p[i], family);
	qsort(r.p, N_ENTRIES, sizeof(*r.p), cmp_prefix);
	for (size_t i = 0; i < N_ENTRIES; i++)	/* dedupe */
		if (w == 0 || !prefix_eq(&r.p[w - 1], &r.p[i]))
			r.p[w++] = r.p[i];
	r.n = w;
	/* insert in random order */
	for (size_t i = r.n; i > 1; i--) {
		size_t j = rnd() % i;
		struct prefix tmp = r.p[i - 1];

		r.p[i - 1] = r.p[j];
		r.p[j] = tmp;
	}
	for (size_t i = 0; i < r.n; i++)
		assert_int_equal(trie_insert(t, &r.p[i], (void *)(uintptr_t)(i + 1), NULL), 0);
	qsort(r.p, r.n, sizeof(*r.p), cmp_prefix);
	check_against_ref(t, &r, family);

	/* delete about half, then check again */
	w = 0;
	for (size_t i = 0; i < r.n; i++) {
		void *v;

		if (rnd() & 1) {
			assert_true(trie_delete(t, &r.p[i], &v));
			assert_non_null(v);
			assert_false(trie_get(t, &r.p[i], NULL));
		} else {
			r.p[w++] = r.p[i];
		}
	}
	r.n = w;
	check_against_ref(t, &r, family);
	trie_free(t, NULL);
	free(r.p);
}

static void
test_random_v4(void **state)
{
	(void)state;
	run_random(AF_INET);
}

static void
test_random_v6(void **state)
{
	(void)state;
	run_random(AF_INET6);
}

static void
value_free(void *v)
{
	free(v);
}

static void
test_free_values(void **state)
{
	struct trie *t = trie_new();

	(void)state;
	for (int i = 0; i < 1000; i++) {
		struct prefix p;

		random_prefix(&p, i % 2 ? AF_INET : AF_INET6);
		void *old = NULL;

		assert_int_equal(trie_insert(t, &p, malloc(8), &old), 0);
		free(old);
	}
	trie_free(t, value_free);	/* ASan reports a leak if any value is missed */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_random_v4),
		cmocka_unit_test(test_random_v6),
		cmocka_unit_test(test_free_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
