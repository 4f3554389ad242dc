// SPDX-License-Identifier: MIT
/*
 * Path-compressed binary trie (see trie.h). Each node holds a prefix; a node is either
 * an entry (has_value) or a glue node with exactly two children. A child's prefix is
 * strictly longer than its parent's and extends it; child[b] holds prefixes whose bit
 * at the parent's length is b. Depth is bounded by the address length, so walks use a
 * fixed stack.
 */
#include "lib/trie.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct trie_node {
	struct prefix		 pfx;
	void			*value;
	bool			 has_value;
	struct trie_node	*child[2];
};

struct trie {
	struct trie_node	*root[2];	/* [0] IPv4, [1] IPv6 */
	size_t			 count;
};

/* Enough for a root-to-leaf path in IPv6 (one node per bit at most) plus siblings. */
#define TRIE_STACK	(2 * (ADDR_V6_BITS + 2))

static int
fam_idx(int family)
{
	return family == AF_INET6;
}

static bool
valid_prefix(const struct prefix *p)
{
	return (p->addr.family == AF_INET || p->addr.family == AF_INET6) &&
	    p->len <= addr_bits(&p->addr);
}

/* Number of leading bits a and b share, at most max. */
static unsigned
common_bits(const struct addr *a, const struct addr *b, unsigned max)
{
	unsigned i = 0;

	while (i < max && i % 8 == 0 && max - i >= 8 && a->bytes[i / 8] == b->bytes[i / 8])
		i += 8;
	while (i < max && addr_bit(a, i) == addr_bit(b, i))
		i++;
	return i;
}

struct trie *
trie_new(void)
{
	return calloc(1, sizeof(struct trie));
}

size_t
trie_count(const struct trie *t)
{
	return t->count;
}

static void
node_free_all(struct trie_node *root, void (*value_free)(void *))
{
	struct trie_node *stack[TRIE_STACK];
	int sp = 0;

	if (root)
		stack[sp++] = root;
	while (sp > 0) {
		struct trie_node *n = stack[--sp];

		for (int i = 0; i < 2; i++)
			if (n->child[i])
				stack[sp++] = n->child[i];
		if (n->has_value && value_free)
			value_free(n->value);
		free(n);
	}
}

void
trie_free(struct trie *t, void (*value_free)(void *))
{
	if (!t)
		return;
	node_free_all(t->root[0], value_free);
	node_free_all(t->root[1], value_free);
	free(t);
}

static struct trie_node *
node_new(const struct prefix *p)
{
	struct trie_node *n = calloc(1, sizeof(*n));

	if (n) {
		n->pfx = *p;
		prefix_normalize(&n->pfx);
	}
	return n;
}

int
trie_insert(struct trie *t, const struct prefix *key, void *value, void **old)
{
	struct trie_node **pp, *n, *nn, *glue;
	struct prefix p;
	unsigned common;

	if (old)
		*old = NULL;
	if (!valid_prefix(key))
		return -EINVAL;
	p = *key;
	prefix_normalize(&p);
	pp = &t->root[fam_idx(p.addr.family)];
	while ((n = *pp) != NULL) {
		unsigned max = n->pfx.len < p.len ? n->pfx.len : p.len;

		common = common_bits(&n->pfx.addr, &p.addr, max);
		if (common == n->pfx.len && n->pfx.len == p.len) {
			if (n->has_value) {
				if (old)
					*old = n->value;
			} else {
				t->count++;
			}
			n->value = value;
			n->has_value = true;
			return 0;
		}
		if (common == n->pfx.len) {
			pp = &n->child[addr_bit(&p.addr, n->pfx.len)];
			continue;
		}
		nn = node_new(&p);
		if (!nn)
			return -ENOMEM;
		nn->value = value;
		nn->has_value = true;
		if (common == p.len) {
			/* The new prefix covers n: it becomes n's parent. */
			nn->child[addr_bit(&n->pfx.addr, p.len)] = n;
			*pp = nn;
		} else {
			struct prefix g = p;

			g.len = (uint8_t)common;
			glue = node_new(&g);
			if (!glue) {
				free(nn);
				return -ENOMEM;
			}
			glue->child[addr_bit(&p.addr, common)] = nn;
			glue->child[addr_bit(&n->pfx.addr, common)] = n;
			*pp = glue;
		}
		t->count++;
		return 0;
	}
	nn = node_new(&p);
	if (!nn)
		return -ENOMEM;
	nn->value = value;
	nn->has_value = true;
	*pp = nn;
	t->count++;
	return 0;
}

/* Find the node holding exactly p (entry or glue); NULL when none. */
static struct trie_node *
node_find(const struct trie *t, const struct prefix *p)
{
	struct trie_node *n = t->root[fam_idx(p->addr.family)];

	while (n && n->pfx.len <= p->len) {
		if (!prefix_contains(&n->pfx, p))
			return NULL;
		if (n->pfx.len == p->len)
			return n;
		n = n->child[addr_bit(&p->addr, n->pfx.len)];
	}
	return NULL;
}

bool
trie_get(const struct trie *t, const struct prefix *key, void **value)
{
	struct trie_node *n;
	struct prefix p;

	if (!valid_prefix(key))
		return false;
	p = *key;
	prefix_normalize(&p);
	n = node_find(t, &p);
	if (!n || !n->has_value)
		return false;
	if (value)
		*value = n->value;
	return true;
}

bool
trie_lookup(const struct trie *t, const struct addr *a, struct prefix *match, void **value)
{
	const struct trie_node *n, *best = NULL;

	if (a->family != AF_INET && a->family != AF_INET6)
		return false;
	n = t->root[fam_idx(a->family)];
	while (n && prefix_contains_addr(&n->pfx, a)) {
		if (n->has_value)
			best = n;
		if (n->pfx.len >= addr_bits(a))
			break;
		n = n->child[addr_bit(a, n->pfx.len)];
	}
	if (!best)
		return false;
	if (match)
		*match = best->pfx;
	if (value)
		*value = best->value;
	return true;
}

bool
trie_delete(struct trie *t, const struct prefix *key, void **value)
{
	struct trie_node **path[ADDR_V6_BITS + 2];
	struct trie_node **pp, *n;
	struct prefix p;
	int depth = 0;

	if (!valid_prefix(key))
		return false;
	p = *key;
	prefix_normalize(&p);
	pp = &t->root[fam_idx(p.addr.family)];
	while ((n = *pp) != NULL && n->pfx.len <= p.len && prefix_contains(&n->pfx, &p)) {
		path[depth++] = pp;
		if (n->pfx.len == p.len)
			break;
		pp = &n->child[addr_bit(&p.addr, n->pfx.len)];
	}
	if (!n || !depth || n->pfx.len != p.len || !prefix_contains(&n->pfx, &p) ||
	    !n->has_value)
		return false;
	if (value)
		*value = n->value;
	n->has_value = false;
	n->value = NULL;
	t->count--;
	/* Collapse nodes that no longer hold a value and have fewer than two children. */
	while (depth > 0) {
		pp = path[--depth];
		n = *pp;
		if (n->has_value || (n->child[0] && n->child[1]))
			break;
		*pp = n->child[0] ? n->child[0] : n->child[1];
		free(n);
	}
	return true;
}

/* Preorder walk of the subtree at root: prefix_cmp() order. */
static int
walk_subtree(const struct trie_node *root, trie_walk_cb cb, void *arg)
{
	const struct trie_node *stack[TRIE_STACK];
	int sp = 0, rc;

	if (root)
		stack[sp++] = root;
	while (sp > 0) {
		const struct trie_node *n = stack[--sp];

		if (n->has_value && (rc = cb(&n->pfx, n->value, arg)) != 0)
			return rc;
		if (n->child[1])
			stack[sp++] = n->child[1];
		if (n->child[0])
			stack[sp++] = n->child[0];
	}
	return 0;
}

int
trie_walk(const struct trie *t, trie_walk_cb cb, void *arg)
{
	int rc = walk_subtree(t->root[0], cb, arg);

	return rc ? rc : walk_subtree(t->root[1], cb, arg);
}

/* Topmost node whose prefix lies inside p (NULL when none). */
static const struct trie_node *
covered_root(const struct trie *t, const struct prefix *p)
{
	const struct trie_node *n = t->root[fam_idx(p->addr.family)];

	while (n) {
		if (prefix_contains(p, &n->pfx))
			return n;
		if (!prefix_contains(&n->pfx, p))
			return NULL;
		n = n->child[addr_bit(&p->addr, n->pfx.len)];
	}
	return NULL;
}

int
trie_walk_covered(const struct trie *t, const struct prefix *key, trie_walk_cb cb, void *arg)
{
	struct prefix p;

	if (!valid_prefix(key))
		return 0;
	p = *key;
	prefix_normalize(&p);
	return walk_subtree(covered_root(t, &p), cb, arg);
}

bool
trie_has_covered(const struct trie *t, const struct prefix *key)
{
	struct prefix p;

	if (!valid_prefix(key))
		return false;
	p = *key;
	prefix_normalize(&p);
	/* Every node is an entry or a glue node with entries below it. */
	return covered_root(t, &p) != NULL;
}

int
trie_walk_covering(const struct trie *t, const struct prefix *key, trie_walk_cb cb, void *arg)
{
	const struct trie_node *n;
	struct prefix p;
	int rc;

	if (!valid_prefix(key))
		return 0;
	p = *key;
	prefix_normalize(&p);
	n = t->root[fam_idx(p.addr.family)];
	while (n && n->pfx.len <= p.len && prefix_contains(&n->pfx, &p)) {
		if (n->has_value && (rc = cb(&n->pfx, n->value, arg)) != 0)
			return rc;
		if (n->pfx.len == p.len)
			break;
		n = n->child[addr_bit(&p.addr, n->pfx.len)];
	}
	return 0;
}
