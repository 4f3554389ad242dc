// SPDX-License-Identifier: MIT
/*
 * lib/store SQLite backend (sqlite:///path). One table of versioned keys, a
 * tombstone table so polls see deletes, and a store-wide revision in meta.
 * Durability: WAL journal with synchronous=FULL, so a transaction that returned 0
 * has been fsync'ed to the WAL and survives a process or machine crash. Writers
 * take the write lock up front (BEGIN IMMEDIATE) so compare-and-swap is atomic
 * across processes; a busy database is waited for (busy_timeout), not failed.
 * This is the only file that includes sqlite3.h.
 */
#include "lib/store_impl.h"

#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/diag.h"

#define SQL_BUSY_MS	15000

enum {
	Q_GET,
	Q_LIST,
	Q_LIST_ALL,
	Q_PUT,
	Q_DEL,
	Q_TOMB_PUT,
	Q_TOMB_DEL,
	Q_REV,
	Q_REV_SET,
	Q_POLL,
	Q_POLL_ALL,
	Q_BEGIN,
	Q_COMMIT,
	Q_ROLLBACK,
	Q_COUNT
};

static const char *const sql_text[Q_COUNT] = {
	[Q_GET] = "SELECT value, version, create_rev, mod_rev FROM kv WHERE key = ?1",
	[Q_LIST] = "SELECT key, value, version, create_rev, mod_rev FROM kv "
	    "WHERE key >= ?1 AND key < ?2 ORDER BY key",
	[Q_LIST_ALL] = "SELECT key, value, version, create_rev, mod_rev FROM kv "
	    "WHERE key >= ?1 ORDER BY key",
	[Q_PUT] = "INSERT INTO kv(key, value, version, create_rev, mod_rev) "
	    "VALUES (?1, ?2, 1, ?3, ?3) ON CONFLICT(key) DO UPDATE SET "
	    "value = excluded.value, version = version + 1, mod_rev = excluded.mod_rev",
	[Q_DEL] = "DELETE FROM kv WHERE key = ?1",
	[Q_TOMB_PUT] = "INSERT OR REPLACE INTO tomb(key, mod_rev) VALUES (?1, ?2)",
	[Q_TOMB_DEL] = "DELETE FROM tomb WHERE key = ?1",
	[Q_REV] = "SELECT v FROM meta WHERE k = 'rev'",
	[Q_REV_SET] = "UPDATE meta SET v = ?1 WHERE k = 'rev'",
	[Q_POLL] = "SELECT max(m) FROM (SELECT max(mod_rev) AS m FROM kv WHERE key >= ?1 "
	    "AND key < ?2 UNION ALL SELECT max(mod_rev) FROM tomb WHERE key >= ?1 AND key < ?2)",
	[Q_POLL_ALL] = "SELECT max(m) FROM (SELECT max(mod_rev) AS m FROM kv WHERE key >= ?1 "
	    "UNION ALL SELECT max(mod_rev) FROM tomb WHERE key >= ?1)",
	[Q_BEGIN] = "BEGIN IMMEDIATE",
	[Q_COMMIT] = "COMMIT",
	[Q_ROLLBACK] = "ROLLBACK",
};

static const char sql_schema[] =
	"CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value BLOB NOT NULL, "
	"  version INTEGER NOT NULL, create_rev INTEGER NOT NULL, mod_rev INTEGER NOT NULL) "
	"  WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS tomb (key TEXT PRIMARY KEY, mod_rev INTEGER NOT NULL) "
	"  WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL);"
	"INSERT OR IGNORE INTO meta(k, v) VALUES ('rev', 0);";

struct sq {
	sqlite3		*db;
	sqlite3_stmt	*st[Q_COUNT];
};

static int
sq_err(struct sq *q, int rc)
{
	(void)q;
	switch (rc) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return 0;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	default:
		return -EIO;
	}
}

static sqlite3_stmt *
sq_stmt(struct sq *q, int which)
{
	sqlite3_stmt *st = q->st[which];

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

/* Upper bound of a prefix range: the prefix with its last byte incremented,
 * dropping trailing 0xff bytes. Returns false when there is no bound. */
static bool
sq_prefix_end(const char *prefix, char *end, size_t endlen)
{
	size_t n = strlen(prefix);

	if (n + 1 > endlen)
		return false;
	memcpy(end, prefix, n + 1);
	while (n > 0) {
		unsigned char c = (unsigned char)end[n - 1];

		if (c != 0xff) {
			end[n - 1] = (char)(c + 1);
			end[n] = '\0';
			return true;
		}
		n--;
	}
	return false;
}

static int
sq_open(struct store *s, const char *rest, struct diag *d)
{
	struct sq *q;
	char *err = NULL;
	int rc, i;

	/* sqlite:///abs/path -> "/abs/path"; sqlite://rel/path is refused: ambiguous. */
	if (rest[0] != '/')
		return diag_failv(d, -EINVAL,
		    "store URL: sqlite needs an absolute path (sqlite:///var/lib/cutover/state.db)");
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	rc = sqlite3_open_v2(rest, &q->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		diag_failv(d, -EIO, "store %s: %s", rest,
		    q->db ? sqlite3_errmsg(q->db) : sqlite3_errstr(rc));
		rc = sq_err(q, rc) ? sq_err(q, rc) : -EIO;
		goto fail;
	}
	sqlite3_busy_timeout(q->db, SQL_BUSY_MS);
	rc = sqlite3_exec(q->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", NULL,
	    NULL, &err);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(q->db, sql_schema, NULL, NULL, &err);
	if (rc != SQLITE_OK) {
		diag_failv(d, -EIO, "store %s: %s", rest, err ? err : sqlite3_errstr(rc));
		sqlite3_free(err);
		rc = sq_err(q, rc) ? sq_err(q, rc) : -EIO;
		goto fail;
	}
	for (i = 0; i < Q_COUNT; i++) {
		rc = sqlite3_prepare_v3(q->db, sql_text[i], -1, SQLITE_PREPARE_PERSISTENT,
		    &q->st[i], NULL);
		if (rc != SQLITE_OK) {
			diag_failv(d, -EIO, "store %s: %s", rest, sqlite3_errmsg(q->db));
			rc = -EIO;
			goto fail;
		}
	}
	s->priv = q;
	return 0;
fail:
	for (i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(q->st[i]);
	sqlite3_close(q->db);
	free(q);
	return rc;
}

static void
sq_close(struct store *s)
{
	struct sq *q = s->priv;
	int i;

	if (!q)
		return;
	for (i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(q->st[i]);
	sqlite3_close(q->db);
	free(q);
}

static int
sq_get(struct store *s, const char *key, struct store_kv *kv)
{
	struct sq *q = s->priv;
	sqlite3_stmt *st = sq_stmt(q, Q_GET);
	struct store_list l = { 0 };
	size_t cap = 0;
	int rc;

	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return -ENOENT;
	}
	if (rc != SQLITE_ROW) {
		rc = sq_err(q, rc);
		sqlite3_reset(st);
		return rc;
	}
	rc = store_list_append(&l, &cap, key, strlen(key), sqlite3_column_blob(st, 0),
	    (size_t)sqlite3_column_bytes(st, 0), sqlite3_column_int64(st, 1),
	    sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3));
	sqlite3_reset(st);
	if (rc)
		return rc;
	*kv = l.kvs[0];
	free(l.kvs);
	return 0;
}

static int
sq_rev_read(struct sq *q, int64_t *rev)
{
	sqlite3_stmt *st = sq_stmt(q, Q_REV);
	int rc = sqlite3_step(st);

	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? -EIO : sq_err(q, rc);
	}
	*rev = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

static int
sq_list(struct store *s, const char *prefix, struct store_list *out)
{
	struct sq *q = s->priv;
	char end[STORE_KEY_MAX + 2];
	bool bounded = sq_prefix_end(prefix, end, sizeof(end));
	sqlite3_stmt *st = sq_stmt(q, bounded ? Q_LIST : Q_LIST_ALL);
	size_t cap = 0;
	int rc;

	/* One read transaction so the rows and the revision agree. */
	if ((rc = sqlite3_exec(q->db, "BEGIN", NULL, NULL, NULL)) != SQLITE_OK)
		return sq_err(q, rc);
	rc = sq_rev_read(q, &out->rev);
	if (rc)
		goto out;
	sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
	if (bounded)
		sqlite3_bind_text(st, 2, end, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rc = store_list_append(out, &cap, (const char *)sqlite3_column_text(st, 0),
		    (size_t)sqlite3_column_bytes(st, 0), sqlite3_column_blob(st, 1),
		    (size_t)sqlite3_column_bytes(st, 1), sqlite3_column_int64(st, 2),
		    sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4));
		if (rc)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : sq_err(q, rc);
out:
	sqlite3_reset(st);
	sqlite3_exec(q->db, rc ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
	if (rc)
		store_list_free(out);
	return rc;
}

static int
sq_step_done(struct sq *q, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : sq_err(q, rc);
}

/* Evaluate one compare inside the open write transaction: 1 holds, 0 fails. */
static int
sq_cmp_eval(struct sq *q, const struct store_cmp *c)
{
	sqlite3_stmt *st = sq_stmt(q, Q_GET);
	int64_t version = 0;
	const void *val = NULL;
	size_t len = 0;
	int rc, ok;

	sqlite3_bind_text(st, 1, c->key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		val = sqlite3_column_blob(st, 0);
		len = (size_t)sqlite3_column_bytes(st, 0);
		version = sqlite3_column_int64(st, 1);
	} else if (rc != SQLITE_DONE) {
		rc = sq_err(q, rc);
		sqlite3_reset(st);
		return rc;
	}
	switch (c->target) {
	case STORE_CMP_VERSION:
		ok = version == c->version;
		break;
	case STORE_CMP_VALUE:
		ok = version > 0 && len == c->value_len &&
		    (len == 0 || !memcmp(val, c->value, len));
		break;
	case STORE_CMP_EXISTS:
		ok = version > 0;
		break;
	default:
		ok = version == 0;
		break;
	}
	sqlite3_reset(st);
	return ok;
}

static int
sq_txn(struct store *s, const struct store_cmp *cmps, size_t ncmps,
    const struct store_op *ops, size_t nops)
{
	struct sq *q = s->priv;
	sqlite3_stmt *st;
	int64_t rev = 0;
	size_t i;
	int rc;

	if ((rc = sq_step_done(q, sq_stmt(q, Q_BEGIN))))
		return rc;
	for (i = 0; i < ncmps; i++) {
		rc = sq_cmp_eval(q, &cmps[i]);
		if (rc < 0)
			goto abort;
		if (rc == 0) {
			rc = -ECANCELED;
			goto abort;
		}
	}
	if (nops == 0)
		goto commit;
	if ((rc = sq_rev_read(q, &rev)))
		goto abort;
	rev++;
	for (i = 0; i < nops; i++) {
		if (ops[i].type == STORE_OP_PUT) {
			st = sq_stmt(q, Q_PUT);
			sqlite3_bind_text(st, 1, ops[i].key, -1, SQLITE_STATIC);
			/* zero-length blobs need a non-NULL pointer to stay NOT NULL */
			sqlite3_bind_blob(st, 2, ops[i].value_len ? ops[i].value : "",
			    (int)ops[i].value_len, SQLITE_STATIC);
			sqlite3_bind_int64(st, 3, rev);
			if ((rc = sq_step_done(q, st)))
				goto abort;
			st = sq_stmt(q, Q_TOMB_DEL);
			sqlite3_bind_text(st, 1, ops[i].key, -1, SQLITE_STATIC);
		} else {
			st = sq_stmt(q, Q_DEL);
			sqlite3_bind_text(st, 1, ops[i].key, -1, SQLITE_STATIC);
			if ((rc = sq_step_done(q, st)))
				goto abort;
			if (sqlite3_changes(q->db) == 0)
				continue;
			st = sq_stmt(q, Q_TOMB_PUT);
			sqlite3_bind_text(st, 1, ops[i].key, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 2, rev);
		}
		if ((rc = sq_step_done(q, st)))
			goto abort;
	}
	st = sq_stmt(q, Q_REV_SET);
	sqlite3_bind_int64(st, 1, rev);
	if ((rc = sq_step_done(q, st)))
		goto abort;
commit:
	rc = sqlite3_step(sq_stmt(q, Q_COMMIT));
	sqlite3_reset(q->st[Q_COMMIT]);
	if (rc != SQLITE_DONE) {
		rc = sq_err(q, rc);
		goto abort;
	}
	return 0;
abort:
	sqlite3_step(sq_stmt(q, Q_ROLLBACK));
	sqlite3_reset(q->st[Q_ROLLBACK]);
	return rc;
}

static int
sq_delete_prefix(struct store *s, const char *prefix, size_t *n)
{
	struct store_list l = { 0 };
	struct store_op ops[STORE_TXN_MAX];
	size_t i, k;
	int rc;

	/* Batches of transactions: each batch is atomic, the whole is not (as etcd). */
	rc = sq_list(s, prefix, &l);
	if (rc)
		return rc;
	for (i = 0; i < l.n; i += k) {
		for (k = 0; k < STORE_TXN_MAX && i + k < l.n; k++)
			ops[k] = (struct store_op){ STORE_OP_DELETE, l.kvs[i + k].key, NULL, 0 };
		rc = sq_txn(s, NULL, 0, ops, k);
		if (rc)
			break;
		*n += k;
	}
	store_list_free(&l);
	return rc;
}

static int
sq_rev(struct store *s, int64_t *rev)
{
	return sq_rev_read(s->priv, rev);
}

static int
sq_poll(struct store *s, const char *prefix, int64_t *since, bool *changed)
{
	struct sq *q = s->priv;
	char end[STORE_KEY_MAX + 2];
	bool bounded = sq_prefix_end(prefix, end, sizeof(end));
	sqlite3_stmt *st = sq_stmt(q, bounded ? Q_POLL : Q_POLL_ALL);
	int64_t m = 0, rev = 0;
	int rc;

	if ((rc = sqlite3_exec(q->db, "BEGIN", NULL, NULL, NULL)) != SQLITE_OK)
		return sq_err(q, rc);
	rc = sq_rev_read(q, &rev);
	if (rc)
		goto out;
	sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
	if (bounded)
		sqlite3_bind_text(st, 2, end, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		m = sqlite3_column_int64(st, 0);
		rc = 0;
	} else {
		rc = sq_err(q, rc);
	}
	sqlite3_reset(st);
	if (!rc) {
		*changed = m > *since;
		*since = rev;
	}
out:
	sqlite3_exec(q->db, rc ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
	return rc;
}

const struct store_ops store_sqlite_ops = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.get = sq_get,
	.list = sq_list,
	.txn = sq_txn,
	.delete_prefix = sq_delete_prefix,
	.rev = sq_rev,
	.poll = sq_poll,
};
