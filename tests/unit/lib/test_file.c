// SPDX-License-Identifier: MIT
/* lib/file: whole-file reads with a cap, on regular files, pipes and bad paths. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/file.h"

static char dir[] = "/tmp/cutover-test-file-XXXXXX";

static const char *
make_file(const char *name, size_t n)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	for (size_t i = 0; i < n; i++)
		fputc('a' + (int)(i % 26), f);
	fclose(f);
	return path;
}

static void
test_regular_file_limits(void **state)
{
	struct diag d;
	char *buf;
	size_t len;

	(void)state;
	diag_init(&d, "t");
	assert_int_equal(file_read_all(make_file("exact", 1000), 1000, &buf, &len, &d), 0);
	assert_int_equal(len, 1000);
	assert_int_equal(buf[len], '\0');
	assert_int_equal(buf[27], 'b');
	free(buf);
	assert_int_equal(file_read_all(make_file("over", 1001), 1000, &buf, &len, &d), -EFBIG);
	assert_null(buf);
	assert_non_null(strstr(d.msg, "file too large (1001 bytes, limit 1000)"));
	diag_init(&d, "t");
	assert_int_equal(file_read_all(make_file("empty", 0), 10, &buf, &len, &d), 0);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
	free(buf);
	/* larger than the first read chunk */
	assert_int_equal(file_read_all(make_file("big", 300000), 300000, &buf, &len, &d), 0);
	assert_int_equal(len, 300000);
	free(buf);
}

static void
test_stream_over_limit(void **state)
{
	struct diag d;
	char *buf;
	size_t len;
	FILE *f;

	(void)state;
	diag_init(&d, "t");
	/* a pipe has no size: the cap is found while reading */
	f = popen("head -c 200000 /dev/zero", "r");
	assert_non_null(f);
	assert_int_equal(file_read_stream(f, 100000, &buf, &len, &d), -EFBIG);
	assert_null(buf);
	pclose(f);
	f = popen("head -c 100000 /dev/zero", "r");
	assert_non_null(f);
	assert_int_equal(file_read_stream(f, 100000, &buf, &len, &d), 0);
	assert_int_equal(len, 100000);
	free(buf);
	pclose(f);
}

static void
test_bad_paths(void **state)
{
	struct diag d;
	char *buf;
	size_t len;
	char missing[300];

	(void)state;
	diag_init(&d, "t");
	assert_int_equal(file_read_all(dir, 10, &buf, &len, &d), -EISDIR);
	diag_init(&d, "t");
	snprintf(missing, sizeof(missing), "%s/nope", dir);
	assert_int_equal(file_read_all(missing, 10, &buf, &len, &d), -ENOENT);
	assert_non_null(strstr(d.msg, "cannot open"));
}

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regular_file_limits),
		cmocka_unit_test(test_stream_over_limit),
		cmocka_unit_test(test_bad_paths),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
