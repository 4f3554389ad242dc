/* SPDX-License-Identifier: MIT */
/*
 * Kernel synchronisation of best routes: what cutover believes is installed in its
 * kernel table, kept in a prefix trie, so that a restart can adopt the routes a
 * previous run left (marked stale), replacements that change nothing cost no syscall,
 * and stale routes are swept only when the caller says (after End-of-RIB or the
 * graceful-restart timer). Speaks to the kernel only through bgp/kroute.h.
 */
#ifndef CUTOVER_BGP_KSYNC_H
#define CUTOVER_BGP_KSYNC_H

#include <stdbool.h>
#include <stddef.h>

#include "bgp/kroute.h"

struct ksync;

struct ksync_stats {
	size_t	installed;	/* routes we hold in the kernel now */
	size_t	stale;		/* adopted and not yet confirmed */
	size_t	adds, replaces, deletes, unchanged, errors;
};

/* kr is borrowed and must outlive the ksync. */
struct ksync *ksync_new(struct kroute *kr);
void	ksync_free(struct ksync *ks);

/* Read our routes from the kernel and keep them, marked stale. Returns the number
 * adopted or -errno. Call once at start, before any ksync_set(). */
int	ksync_adopt(struct ksync *ks, struct diag *d);
/* Make dst point to nh[0..n). No syscall when the kernel already has exactly that;
 * clears the stale mark. */
int	ksync_set(struct ksync *ks, const struct prefix *dst, const struct kroute_nexthop *nh,
	    size_t n, struct diag *d);
/* Remove dst (no-op returning 0 when we do not hold it). */
int	ksync_unset(struct ksync *ks, const struct prefix *dst, struct diag *d);
/* Delete every route still marked stale; returns how many, or -errno (first error;
 * the sweep goes on past errors). */
int	ksync_sweep(struct ksync *ks, struct diag *d);
/* Remove every route we hold (planned shutdown without graceful restart). */
int	ksync_flush(struct ksync *ks, struct diag *d);
bool	ksync_is_stale(const struct ksync *ks, const struct prefix *dst);
void	ksync_stats(const struct ksync *ks, struct ksync_stats *st);

#endif
