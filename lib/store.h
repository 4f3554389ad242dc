/* SPDX-License-Identifier: MIT */
/*
 * The store: a small versioned key/value interface for state that must survive a
 * crash or be shared between nodes (IPAM allocations, the migration journal).
 * Operations: get, put, delete, prefix list, an all-or-nothing compare-and-swap
 * transaction, and a revision poll. The backend is chosen by URL:
 *   sqlite:///var/lib/cutover/state.db   embedded SQLite (WAL, synchronous=FULL:
 *                                         an acknowledged write is on disk)
 *   etcd://127.0.0.1:2379                 etcd v3 through its JSON gateway
 * Nothing outside lib/store*.c knows SQLite or etcd. Every key carries etcd-style
 * metadata: version (1 on create, +1 per put, 0 = absent), and create/mod revisions
 * from a store-wide revision counter that every successful write increases.
 * Keys are NUL-terminated strings; values are byte strings (NUL-terminated for
 * convenience on return, not counted in the length). A handle is not thread-safe.
 */
#ifndef CUTOVER_LIB_STORE_H
#define CUTOVER_LIB_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct diag;
struct store;

#define STORE_DEFAULT_URL	"sqlite:///var/lib/cutover/state.db"
/* Longest key accepted by every backend. */
#define STORE_KEY_MAX		512
/* Most compares / operations in one transaction (etcd's default limit is 128). */
#define STORE_TXN_MAX		64

struct store_kv {
	char		*key;
	char		*value;		/* malloc'ed, NUL-terminated */
	size_t		 value_len;
	int64_t		 version;
	int64_t		 create_rev;
	int64_t		 mod_rev;
};

struct store_list {
	struct store_kv	*kvs;		/* sorted by key (byte order) */
	size_t		 n;
	int64_t		 rev;		/* store revision the list was read at */
};

enum store_cmp_target {
	STORE_CMP_VERSION,	/* key's version == version (0: key absent) */
	STORE_CMP_VALUE,	/* key exists and its value equals value */
	STORE_CMP_EXISTS,	/* key exists (any version) */
	STORE_CMP_ABSENT,	/* key does not exist */
};

struct store_cmp {
	const char		*key;
	enum store_cmp_target	 target;
	int64_t			 version;
	const void		*value;
	size_t			 value_len;
};

enum store_op_type {
	STORE_OP_PUT,
	STORE_OP_DELETE,	/* deleting an absent key is not an error */
};

struct store_op {
	enum store_op_type	 type;
	const char		*key;
	const void		*value;
	size_t			 value_len;
};

/*
 * Open the store named by url (NULL: STORE_DEFAULT_URL). For SQLite the file and
 * its schema are created when missing (the directory must exist). For etcd the
 * endpoint is contacted once to check it answers. Returns 0 and *out, or -errno
 * with d (optional) saying why (unknown scheme, unreachable endpoint, ...).
 */
int	store_open(const char *url, struct store **out, struct diag *d);
void	store_close(struct store *s);
/* "sqlite" or "etcd". */
const char *store_backend(const struct store *s);

/* Get one key. Returns 0 and fills kv (free with store_kv_clear), -ENOENT when the
 * key is absent, other -errno on backend failure. */
int	store_get(struct store *s, const char *key, struct store_kv *kv);
void	store_kv_clear(struct store_kv *kv);
/* Unconditional put / delete. Delete returns 0 when the key was absent too. */
int	store_put(struct store *s, const char *key, const void *value, size_t len);
int	store_put_str(struct store *s, const char *key, const char *value);
int	store_delete(struct store *s, const char *key);
/* Every key starting with prefix, sorted. Free with store_list_free. */
int	store_list(struct store *s, const char *prefix, struct store_list *out);
void	store_list_free(struct store_list *l);
/* Delete every key under prefix; *n (optional) gets the count. */
int	store_delete_prefix(struct store *s, const char *prefix, size_t *n);

/*
 * Compare-and-swap transaction: when every compare holds, apply every op atomically
 * and return 0; when any compare fails, change nothing and return -ECANCELED.
 * At most STORE_TXN_MAX compares and STORE_TXN_MAX ops; a key may appear in at most
 * one op. Other -errno on backend failure (then nothing was applied, or for etcd an
 * unknown outcome after a lost reply: -EIO).
 */
int	store_txn(struct store *s, const struct store_cmp *cmps, size_t ncmps,
	    const struct store_op *ops, size_t nops);

/* Current store revision (increases on every successful write). */
int	store_rev(struct store *s, int64_t *rev);
/*
 * Watch by polling: *changed is set when any key under prefix may have been written
 * or deleted since revision *since; *since is advanced to the current revision.
 * False positives are possible (etcd: any write bumps the revision), misses are not.
 * Callers re-list the prefix when *changed.
 */
int	store_poll(struct store *s, const char *prefix, int64_t *since, bool *changed);

/* Helpers for building keys: snprintf into out, -ENAMETOOLONG when it does not fit. */
int	store_key(char *out, size_t outlen, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

#endif
