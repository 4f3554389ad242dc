/* SPDX-License-Identifier: MIT */
/*
 * Prefix trie: a path-compressed binary trie keyed by IPv4 and IPv6 prefixes (both
 * families in one trie), holding one opaque value per prefix. Exact get, longest
 * match, walks over the entries covered by a prefix and the entries covering it,
 * ordered walks and delete. Shared by bgp (RIB), ipam (aggregation) and datapath
 * (ipcache mirror). The trie does not own values; trie_free() can release them.
 * Walk callbacks must not change the trie.
 */
#ifndef CUTOVER_LIB_TRIE_H
#define CUTOVER_LIB_TRIE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/addr.h"

struct trie;

/* Return non-zero to stop a walk; the walk returns that value. */
typedef int (*trie_walk_cb)(const struct prefix *p, void *value, void *arg);

struct trie *trie_new(void);
/* Free the trie; value_free (may be NULL) is called on every stored value. */
void	trie_free(struct trie *t, void (*value_free)(void *));
size_t	trie_count(const struct trie *t);

/*
 * Insert or replace. The key is normalised (host bits cleared). When old is non-NULL
 * it receives the replaced value (NULL when the prefix was new). Returns 0 or -ENOMEM,
 * -EINVAL for a bad family/length.
 */
int	trie_insert(struct trie *t, const struct prefix *p, void *value, void **old);
/* Exact match. Returns true and sets *value when present. */
bool	trie_get(const struct trie *t, const struct prefix *p, void **value);
/* Longest prefix containing a. Returns true and sets *match and *value when found
 * (either may be NULL). */
bool	trie_lookup(const struct trie *t, const struct addr *a, struct prefix *match,
	    void **value);
/* Remove p. Returns true and sets *value (if non-NULL) when it was present. */
bool	trie_delete(struct trie *t, const struct prefix *p, void **value);

/* Every entry, in prefix_cmp() order (IPv4 first, then IPv6). */
int	trie_walk(const struct trie *t, trie_walk_cb cb, void *arg);
/* Entries equal to or inside p, in prefix_cmp() order. */
int	trie_walk_covered(const struct trie *t, const struct prefix *p, trie_walk_cb cb,
	    void *arg);
/* Entries equal to or containing p, shortest first. */
int	trie_walk_covering(const struct trie *t, const struct prefix *p, trie_walk_cb cb,
	    void *arg);
/* True when some entry lies strictly inside p or equals it. */
bool	trie_has_covered(const struct trie *t, const struct prefix *p);

#endif
