// SPDX-License-Identifier: MIT
/*
 * lib/store: one conformance suite run against both backends — SQLite in a temp
 * directory and a real etcd started on loopback by the harness. Versions and
 * revisions, prefix lists (including the 0xff edge), compare-and-swap all-or-nothing,
 * binary values, polls, bulk delete, concurrent CAS increments from forked
 * processes (no lost update), bad URLs, and SQLite persistence across reopen.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/diag.h"
#include "lib/store.h"
#include "tests/unit/lib/test_store_harness.h"

static char sq_dir[128];
static char sq_url[256];
static struct etcd_harness etcd;

struct fixture {
	const char	*url;
	struct store	*s;
};

static int
setup_sqlite(void **state)
{
	static struct fixture f;

	f.url = sq_url;
	assert_int_equal(store_open(f.url, &f.s, NULL), 0);
	assert_int_equal(store_delete_prefix(f.s, "t/", NULL), 0);
	*state = &f;
	return 0;
}

static int
setup_etcd(void **state)
{
	static struct fixture f;

	f.url = etcd.url;
	assert_int_equal(store_open(f.url, &f.s, NULL), 0);
	assert_int_equal(store_delete_prefix(f.s, "t/", NULL), 0);
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->s);
	f->s = NULL;
	return 0;
}

static void
test_put_get_versions(void **state)
{
	struct fixture *f = *state;
	struct store_kv kv;
	int64_t r0, r1;

	assert_int_equal(store_get(f->s, "t/a", &kv), -ENOENT);
	assert_int_equal(store_rev(f->s, &r0), 0);
	assert_int_equal(store_put_str(f->s, "t/a", "one"), 0);
	assert_int_equal(store_get(f->s, "t/a", &kv), 0);
	assert_string_equal(kv.key, "t/a");
	assert_string_equal(kv.value, "one");
	assert_int_equal(kv.value_len, 3);
	assert_int_equal(kv.version, 1);
	assert_true(kv.create_rev > r0);
	assert_int_equal(kv.create_rev, kv.mod_rev);
	store_kv_clear(&kv);
	assert_int_equal(store_put_str(f->s, "t/a", "two"), 0);
	assert_int_equal(store_get(f->s, "t/a", &kv), 0);
	assert_string_equal(kv.value, "two");
	assert_int_equal(kv.version, 2);
	assert_true(kv.mod_rev > kv.create_rev);
	assert_int_equal(store_rev(f->s, &r1), 0);
	assert_int_equal(r1, kv.mod_rev);
	store_kv_clear(&kv);
	assert_int_equal(store_delete(f->s, "t/a"), 0);
	assert_int_equal(store_get(f->s, "t/a", &kv), -ENOENT);
	/* deleting an absent key is fine; a re-created key starts at version 1 */
	assert_int_equal(store_delete(f->s, "t/a"), 0);
	assert_int_equal(store_put_str(f->s, "t/a", ""), 0);
	assert_int_equal(store_get(f->s, "t/a", &kv), 0);
	assert_int_equal(kv.version, 1);
	assert_int_equal(kv.value_len, 0);
	assert_string_equal(kv.value, "");
	store_kv_clear(&kv);
}

static void
test_binary_values(void **state)
{
	struct fixture *f = *state;
	static const uint8_t blob[] = { 0, 1, 2, 0xff, 0xfe, 0, '=', '+', '/' };
	struct store_kv kv;
	size_t n;

	/* every length mod 3 (base64 padding on etcd) */
	for (n = 0; n <= sizeof(blob); n++) {
		assert_int_equal(store_put(f->s, "t/bin", blob, n), 0);
		assert_int_equal(store_get(f->s, "t/bin", &kv), 0);
		assert_int_equal(kv.value_len, n);
		assert_memory_equal(kv.value, blob, n);
		store_kv_clear(&kv);
	}
}

static void
test_list_prefix(void **state)
{
	struct fixture *f = *state;
	static const char *const keys[] = { "t/p/b", "t/p/a", "t/p/c/d", "t/q", "t/p", "t/pz",
	    "t/p/\xff", "t/p\xff" };
	struct store_list l;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		assert_int_equal(store_put_str(f->s, keys[i], keys[i]), 0);
	assert_int_equal(store_list(f->s, "t/p/", &l), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.kvs[0].key, "t/p/a");
	assert_string_equal(l.kvs[1].key, "t/p/b");
	assert_string_equal(l.kvs[2].key, "t/p/c/d");
	assert_string_equal(l.kvs[3].key, "t/p/\xff");
	assert_string_equal(l.kvs[2].value, "t/p/c/d");
	assert_true(l.rev >= l.kvs[3].mod_rev);
	store_list_free(&l);
	/* prefix ending in 0xff: the range end skips it */
	assert_int_equal(store_list(f->s, "t/p\xff", &l), 0);
	assert_int_equal(l.n, 1);
	store_list_free(&l);
	assert_int_equal(store_list(f->s, "t/nothing/", &l), 0);
	assert_int_equal(l.n, 0);
	store_list_free(&l);
	assert_int_equal(store_list(f->s, "t/", &l), 0);
	assert_int_equal(l.n, sizeof(keys) / sizeof(keys[0]));
	for (i = 1; i < l.n; i++)
		assert_true(strcmp(l.kvs[i - 1].key, l.kvs[i].key) < 0);
	store_list_free(&l);
}

static void
test_txn_cas(void **state)
{
	struct fixture *f = *state;
	struct store_cmp absent = { "t/x", STORE_CMP_VERSION, 0, NULL, 0 };
	struct store_op ops[2] = {
		{ STORE_OP_PUT, "t/x", "1", 1 },
		{ STORE_OP_PUT, "t/y", "side", 4 },
	};
	struct store_cmp cmps[2];
	struct store_kv kv;

	assert_int_equal(store_txn(f->s, &absent, 1, ops, 2), 0);
	/* the same create again fails and applies nothing (t/y not rewritten) */
	ops[1].value = "again";
	ops[1].value_len = 5;
	assert_int_equal(store_txn(f->s, &absent, 1, ops, 2), -ECANCELED);
	assert_int_equal(store_get(f->s, "t/y", &kv), 0);
	assert_string_equal(kv.value, "side");
	assert_int_equal(kv.version, 1);
	store_kv_clear(&kv);
	/* value compare: right value passes, wrong fails, absent key never equals "" */
	cmps[0] = (struct store_cmp){ "t/x", STORE_CMP_VALUE, 0, "1", 1 };
	cmps[1] = (struct store_cmp){ "t/none", STORE_CMP_ABSENT, 0, NULL, 0 };
	ops[0] = (struct store_op){ STORE_OP_PUT, "t/x", "2", 1 };
	ops[1] = (struct store_op){ STORE_OP_DELETE, "t/y", NULL, 0 };
	assert_int_equal(store_txn(f->s, cmps, 2, ops, 2), 0);
	assert_int_equal(store_get(f->s, "t/y", &kv), -ENOENT);
	assert_int_equal(store_txn(f->s, cmps, 2, ops, 2), -ECANCELED);
	cmps[0] = (struct store_cmp){ "t/none", STORE_CMP_VALUE, 0, "", 0 };
	assert_int_equal(store_txn(f->s, cmps, 1, ops, 1), -ECANCELED);
	cmps[0] = (struct store_cmp){ "t/x", STORE_CMP_EXISTS, 0, NULL, 0 };
	cmps[1] = (struct store_cmp){ "t/x", STORE_CMP_VERSION, 2, NULL, 0 };
	assert_int_equal(store_txn(f->s, cmps, 2, NULL, 0), 0);
	cmps[1].version = 3;
	assert_int_equal(store_txn(f->s, cmps, 2, NULL, 0), -ECANCELED);
	cmps[0] = (struct store_cmp){ "t/x", STORE_CMP_ABSENT, 0, NULL, 0 };
	assert_int_equal(store_txn(f->s, cmps, 1, NULL, 0), -ECANCELED);
	/* argument validation is the same for every backend */
	ops[1] = ops[0];
	assert_int_equal(store_txn(f->s, NULL, 0, ops, 2), -EINVAL);
	ops[0].key = "";
	assert_int_equal(store_txn(f->s, NULL, 0, ops, 1), -EINVAL);
	assert_int_equal(store_txn(f->s, NULL, STORE_TXN_MAX + 1, NULL, 0), -E2BIG);
	assert_int_equal(store_delete_prefix(f->s, "", NULL), -EINVAL);
}

static void
test_poll_and_delete_prefix(void **state)
{
	struct fixture *f = *state;
	int64_t since;
	bool changed;
	size_t n;

	assert_int_equal(store_rev(f->s, &since), 0);
	assert_int_equal(store_poll(f->s, "t/w/", &since, &changed), 0);
	assert_false(changed);
	assert_int_equal(store_put_str(f->s, "t/w/1", "a"), 0);
	assert_int_equal(store_put_str(f->s, "t/w/2", "b"), 0);
	assert_int_equal(store_poll(f->s, "t/w/", &since, &changed), 0);
	assert_true(changed);
	assert_int_equal(store_poll(f->s, "t/w/", &since, &changed), 0);
	assert_false(changed);
	/* a delete is a change too */
	assert_int_equal(store_delete(f->s, "t/w/1"), 0);
	assert_int_equal(store_poll(f->s, "t/w/", &since, &changed), 0);
	assert_true(changed);
	if (!strcmp(store_backend(f->s), "sqlite")) {
		/* SQLite polls are prefix-precise */
		assert_int_equal(store_put_str(f->s, "t/other", "c"), 0);
		assert_int_equal(store_poll(f->s, "t/w/", &since, &changed), 0);
		assert_false(changed);
	}
	assert_int_equal(store_put_str(f->s, "t/w/3", "c"), 0);
	assert_int_equal(store_delete_prefix(f->s, "t/w/", &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(store_poll(f->s, "t/w/", &since, &changed), 0);
	assert_true(changed);
}

#define CAS_PROCS	3
#define CAS_INCR	60

/* Child: increment t/counter CAS_INCR times with read-compare-write retries. */
static int
cas_child(const char *url)
{
	struct store *s;
	int done = 0, rc;

	if (store_open(url, &s, NULL))
		return 1;
	while (done < CAS_INCR) {
		struct store_kv kv;
		char buf[32];
		struct store_cmp c;
		struct store_op op;

		if (store_get(s, "t/counter", &kv))
			return 2;
		c = (struct store_cmp){ "t/counter", STORE_CMP_VERSION, kv.version, NULL, 0 };
		snprintf(buf, sizeof(buf), "%ld", strtol(kv.value, NULL, 10) + 1);
		op = (struct store_op){ STORE_OP_PUT, "t/counter", buf, strlen(buf) };
		store_kv_clear(&kv);
		rc = store_txn(s, &c, 1, &op, 1);
		if (rc == 0)
			done++;
		else if (rc != -ECANCELED)
			return 3;
	}
	store_close(s);
	return 0;
}

static void
test_concurrent_cas(void **state)
{
	struct fixture *f = *state;
	pid_t pids[CAS_PROCS];
	struct store_kv kv;
	int i, st;

	assert_int_equal(store_put_str(f->s, "t/counter", "0"), 0);
	for (i = 0; i < CAS_PROCS; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0)
			_exit(cas_child(f->url));
	}
	for (i = 0; i < CAS_PROCS; i++) {
		assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), 0);
	}
	assert_int_equal(store_get(f->s, "t/counter", &kv), 0);
	assert_int_equal(strtol(kv.value, NULL, 10), CAS_PROCS * CAS_INCR);
	assert_int_equal(kv.version, CAS_PROCS * CAS_INCR + 1);
	store_kv_clear(&kv);
}

static void
test_sqlite_reopen(void **state)
{
	struct fixture *f = *state;
	struct store *s2;
	struct store_kv kv;

	assert_int_equal(store_put_str(f->s, "t/durable", "yes"), 0);
	store_close(f->s);
	f->s = NULL;
	assert_int_equal(store_open(f->url, &s2, NULL), 0);
	assert_int_equal(store_get(s2, "t/durable", &kv), 0);
	assert_string_equal(kv.value, "yes");
	store_kv_clear(&kv);
	f->s = s2;
}

static void
test_bad_urls(void **state)
{
	struct store *s = NULL;
	struct diag d;

	(void)state;
	diag_init(&d, "test");
	assert_int_equal(store_open("redis://x", &s, &d), -EPROTONOSUPPORT);
	assert_non_null(strstr(d.msg, "unknown scheme"));
	diag_init(&d, "test");
	assert_int_equal(store_open("sqlite://relative.db", &s, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "absolute path"));
	diag_init(&d, "test");
	assert_int_equal(store_open("sqlite:///nonexistent-dir/x/state.db", &s, &d), -ENOENT);
	assert_true(d.set);
	diag_init(&d, "test");
	assert_int_equal(store_open("etcd://127.0.0.1:1", &s, &d), -EIO);
	assert_non_null(strstr(d.msg, "no answer"));
	diag_init(&d, "test");
	assert_int_equal(store_open("etcd://host/path", &s, &d), -EINVAL);
	assert_null(s);
}

#define SUITE(setup) \
	cmocka_unit_test_setup_teardown(test_put_get_versions, setup, teardown), \
	cmocka_unit_test_setup_teardown(test_binary_values, setup, teardown), \
	cmocka_unit_test_setup_teardown(test_list_prefix, setup, teardown), \
	cmocka_unit_test_setup_teardown(test_txn_cas, setup, teardown), \
	cmocka_unit_test_setup_teardown(test_poll_and_delete_prefix, setup, teardown), \
	cmocka_unit_test_setup_teardown(test_concurrent_cas, setup, teardown)

int
main(void)
{
	const struct CMUnitTest sqlite_tests[] = {
		SUITE(setup_sqlite),
		cmocka_unit_test_setup_teardown(test_sqlite_reopen, setup_sqlite, teardown),
		cmocka_unit_test(test_bad_urls),
	};
	const struct CMUnitTest etcd_tests[] = {
		SUITE(setup_etcd),
	};
	int fails, rc;

	if (harness_tmpdir(sq_dir, sizeof(sq_dir)))
		return 1;
	snprintf(sq_url, sizeof(sq_url), "sqlite://%s/state.db", sq_dir);
	fails = cmocka_run_group_tests_name("store_sqlite", sqlite_tests, NULL, NULL);
	harness_rmdir(sq_dir);
	rc = etcd_harness_start(&etcd);
	if (rc == -ENOENT) {
		/* scripts/deps.sh installs etcd-server; without it say so loudly */
		fprintf(stderr, "etcd binary missing: etcd backend NOT tested\n");
		return fails ? 1 : 77;
	}
	if (rc) {
		fprintf(stderr, "etcd did not start (%s), log in %s\n", strerror(-rc), etcd.dir);
		return 1;
	}
	fails += cmocka_run_group_tests_name("store_etcd", etcd_tests, NULL, NULL);
	etcd_harness_stop(&etcd);
	return fails ? 1 : 0;
}
