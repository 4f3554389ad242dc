// SPDX-License-Identifier: MIT
/*
 * lib/store front end: URL dispatch to a backend, argument validation, and the
 * convenience calls built on the backend primitives (put/delete are one-op
 * transactions). Backends live in store_sqlite.c and store_etcd.c.
 */
#include "lib/store_impl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/diag.h"

static const struct {
	const char		*scheme;
	const struct store_ops	*ops;
} store_schemes[] = {
	{ "sqlite://", &store_sqlite_ops },
	{ "etcd://", &store_etcd_ops },
};

int
store_open(const char *url, struct store **out, struct diag *d)
{
	struct store *s;
	size_t i;
	int rc;

	*out = NULL;
	if (!url || !*url)
		url = STORE_DEFAULT_URL;
	for (i = 0; i < sizeof(store_schemes) / sizeof(store_schemes[0]); i++) {
		size_t n = strlen(store_schemes[i].scheme);

		if (strncmp(url, store_schemes[i].scheme, n))
			continue;
		s = calloc(1, sizeof(*s));
		if (!s)
			return -ENOMEM;
		s->ops = store_schemes[i].ops;
		rc = s->ops->open(s, url + n, d);
		if (rc) {
			free(s);
			return rc;
		}
		*out = s;
		return 0;
	}
	return diag_failv(d, -EPROTONOSUPPORT,
	    "store URL '%s': unknown scheme (use sqlite:///path or etcd://host:port)", url);
}

void
store_close(struct store *s)
{
	if (!s)
		return;
	s->ops->close(s);
	free(s);
}

const char *
store_backend(const struct store *s)
{
	return s->ops->name;
}

static int
store_key_ok(const char *key)
{
	size_t n;

	if (!key)
		return -EINVAL;
	n = strlen(key);
	if (n == 0 || n > STORE_KEY_MAX)
		return -EINVAL;
	return 0;
}

int
store_get(struct store *s, const char *key, struct store_kv *kv)
{
	memset(kv, 0, sizeof(*kv));
	if (store_key_ok(key))
		return -EINVAL;
	return s->ops->get(s, key, kv);
}

void
store_kv_clear(struct store_kv *kv)
{
	if (!kv)
		return;
	free(kv->key);
	free(kv->value);
	memset(kv, 0, sizeof(*kv));
}

int
store_put(struct store *s, const char *key, const void *value, size_t len)
{
	struct store_op op = { STORE_OP_PUT, key, value, len };

	return store_txn(s, NULL, 0, &op, 1);
}

int
store_put_str(struct store *s, const char *key, const char *value)
{
	return store_put(s, key, value, strlen(value));
}

int
store_delete(struct store *s, const char *key)
{
	struct store_op op = { STORE_OP_DELETE, key, NULL, 0 };

	return store_txn(s, NULL, 0, &op, 1);
}

int
store_list(struct store *s, const char *prefix, struct store_list *out)
{
	memset(out, 0, sizeof(*out));
	if (!prefix || strlen(prefix) > STORE_KEY_MAX)
		return -EINVAL;
	return s->ops->list(s, prefix, out);
}

void
store_list_free(struct store_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++)
		store_kv_clear(&l->kvs[i]);
	free(l->kvs);
	memset(l, 0, sizeof(*l));
}

int
store_delete_prefix(struct store *s, const char *prefix, size_t *n)
{
	size_t dummy;

	if (!n)
		n = &dummy;
	*n = 0;
	/* An empty prefix would wipe every key of every module: refuse it. */
	if (store_key_ok(prefix))
		return -EINVAL;
	return s->ops->delete_prefix(s, prefix, n);
}

int
store_txn(struct store *s, const struct store_cmp *cmps, size_t ncmps,
    const struct store_op *ops, size_t nops)
{
	size_t i, j;

	if (ncmps > STORE_TXN_MAX || nops > STORE_TXN_MAX)
		return -E2BIG;
	if ((ncmps && !cmps) || (nops && !ops))
		return -EINVAL;
	for (i = 0; i < ncmps; i++) {
		if (store_key_ok(cmps[i].key))
			return -EINVAL;
		if (cmps[i].target > STORE_CMP_ABSENT || cmps[i].version < 0)
			return -EINVAL;
		if (cmps[i].target == STORE_CMP_VALUE && cmps[i].value_len && !cmps[i].value)
			return -EINVAL;
	}
	for (i = 0; i < nops; i++) {
		if (store_key_ok(ops[i].key))
			return -EINVAL;
		if (ops[i].type != STORE_OP_PUT && ops[i].type != STORE_OP_DELETE)
			return -EINVAL;
		if (ops[i].type == STORE_OP_PUT && ops[i].value_len && !ops[i].value)
			return -EINVAL;
		/* etcd rejects a key twice in one txn; keep both backends equal */
		for (j = 0; j < i; j++)
			if (!strcmp(ops[i].key, ops[j].key))
				return -EINVAL;
	}
	return s->ops->txn(s, cmps, ncmps, ops, nops);
}

int
store_rev(struct store *s, int64_t *rev)
{
	return s->ops->rev(s, rev);
}

int
store_poll(struct store *s, const char *prefix, int64_t *since, bool *changed)
{
	*changed = false;
	if (!prefix)
		return -EINVAL;
	return s->ops->poll(s, prefix, since, changed);
}

int
store_key(char *out, size_t outlen, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, outlen, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= outlen || n > STORE_KEY_MAX)
		return -ENAMETOOLONG;
	return 0;
}

int
store_list_append(struct store_list *l, size_t *cap, const char *key, size_t keylen,
    const void *value, size_t value_len, int64_t version, int64_t create_rev,
    int64_t mod_rev)
{
	struct store_kv *kv;

	if (l->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct store_kv *nk = realloc(l->kvs, ncap * sizeof(*nk));

		if (!nk)
			return -ENOMEM;
		l->kvs = nk;
		*cap = ncap;
	}
	kv = &l->kvs[l->n];
	memset(kv, 0, sizeof(*kv));
	kv->key = strndup(key, keylen);
	kv->value = malloc(value_len + 1);
	if (!kv->key || !kv->value) {
		free(kv->key);
		free(kv->value);
		return -ENOMEM;
	}
	if (value_len)
		memcpy(kv->value, value, value_len);
	kv->value[value_len] = '\0';
	kv->value_len = value_len;
	kv->version = version;
	kv->create_rev = create_rev;
	kv->mod_rev = mod_rev;
	l->n++;
	return 0;
}
