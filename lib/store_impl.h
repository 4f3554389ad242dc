/* SPDX-License-Identifier: MIT */
/*
 * Backend interface of lib/store: one ops table per backend. Only lib/store*.c
 * include this file. Backends receive validated arguments (see store.c).
 */
#ifndef CUTOVER_LIB_STORE_IMPL_H
#define CUTOVER_LIB_STORE_IMPL_H

#include "lib/store.h"

struct store_ops {
	const char	*name;
	int	(*open)(struct store *s, const char *rest, struct diag *d);
	void	(*close)(struct store *s);
	int	(*get)(struct store *s, const char *key, struct store_kv *kv);
	int	(*list)(struct store *s, const char *prefix, struct store_list *out);
	int	(*txn)(struct store *s, const struct store_cmp *cmps, size_t ncmps,
		    const struct store_op *ops, size_t nops);
	int	(*delete_prefix)(struct store *s, const char *prefix, size_t *n);
	int	(*rev)(struct store *s, int64_t *rev);
	int	(*poll)(struct store *s, const char *prefix, int64_t *since, bool *changed);
};

struct store {
	const struct store_ops	*ops;
	void			*priv;
};

extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_etcd_ops;

/* Shared by backends: append one kv (copies key and value) to a list. */
int	store_list_append(struct store_list *l, size_t *cap, const char *key, size_t keylen,
	    const void *value, size_t value_len, int64_t version, int64_t create_rev,
	    int64_t mod_rev);

#endif
