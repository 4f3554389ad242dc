// SPDX-License-Identifier: MIT
/* lib/json: parse errors with line:column, typed getters naming the JSON path,
 * unknown-field rejection. */
#include <errno.h>
#include <json-c/json.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lib/json.h"

static struct json_object *
parse_ok(const char *s)
{
	struct json_object *o = NULL;
	struct diag d;

	diag_init(&d, "t.json");
	assert_int_equal(json_doc_parse(s, strlen(s), &o, &d), 0);
	assert_non_null(o);
	return o;
}

static void
test_syntax_error_position(void **state)
{
	const char doc[] = "{\n  \"a\": 1,\n  \"b\": tru\n}";
	struct json_object *o = NULL;
	struct diag d;
	char buf[512];

	(void)state;
	diag_init(&d, "t.json");
	assert_int_equal(json_doc_parse(doc, strlen(doc), &o, &d), -EBADMSG);
	assert_null(o);
	assert_int_equal(d.line, 3);
	assert_true(d.column >= 8);
	diag_format(&d, buf, sizeof(buf));
	assert_non_null(strstr(buf, "t.json:3:"));
}

static void
test_truncated_and_trailing(void **state)
{
	struct json_object *o = NULL;
	struct diag d;

	(void)state;
	diag_init(&d, "t.json");
	assert_int_equal(json_doc_parse("{\"a\": [1, 2", 11, &o, &d), -EBADMSG);
	diag_init(&d, "t.json");
	assert_int_equal(json_doc_parse("{} x", 4, &o, &d), -EBADMSG);
	assert_int_equal(d.line, 1);
	assert_int_equal(d.column, 4);
	diag_init(&d, "t.json");
	assert_int_equal(json_doc_parse("{\"a\":\0}", 7, &o, &d), -EBADMSG);
}

static void
test_paths_and_types(void **state)
{
	struct json_object *o = parse_ok("{\"children\": [{}, {\"Domain\": {\"id\": 5, "
	    "\"n\": 70000, \"ok\": true, \"s\": \"x\"}}]}");
	struct json_cur root, arr, el, dom;
	const char *s = NULL;
	int64_t v = 0;
	bool b = false;
	struct diag d;

	(void)state;
	diag_init(&d, "t.json");
	json_cur_root(&root, o, &d);
	assert_int_equal(json_get_arr(&root, "children", true, &arr), 0);
	assert_int_equal(json_arr_len(&arr), 2);
	json_arr_at(&arr, 1, &el);
	assert_int_equal(json_get_obj(&el, "Domain", true, &dom), 0);
	{
		char path[JSON_PATH_MAX];

		assert_string_equal(json_cur_path(&dom, path, sizeof(path)), "$.children[1].Domain");
	}
	assert_int_equal(json_get_str(&dom, "s", true, &s), 0);
	assert_string_equal(s, "x");
	assert_int_equal(json_get_bool(&dom, "ok", true, &b), 0);
	assert_true(b);
	/* Mistyped: id is an integer. */
	assert_int_equal(json_get_str(&dom, "id", true, &s), -EINVAL);
	assert_string_equal(d.path, "$.children[1].Domain.id");
	assert_non_null(strstr(d.msg, "expected a string"));
	/* Out of range. */
	diag_init(&d, "t.json");
	assert_int_equal(json_get_int(&dom, "n", true, 0, 65535, &v), -ERANGE);
	assert_string_equal(d.path, "$.children[1].Domain.n");
	/* Missing required, optional absent keeps the value. */
	diag_init(&d, "t.json");
	assert_int_equal(json_get_str(&dom, "nope", true, &s), -EINVAL);
	assert_string_equal(d.path, "$.children[1].Domain.nope");
	v = 42;
	assert_int_equal(json_get_int(&dom, "nope", false, 0, 1, &v), 0);
	assert_int_equal(v, 42);
	json_object_put(o);
}

static void
test_unknown_keys(void **state)
{
	static const char *const allowed[] = { "id", "path", NULL };
	static const char *const pfx[] = { "_", NULL };
	struct json_object *o = parse_ok("{\"id\": \"a\", \"_revision\": 3, \"pathh\": 1}");
	struct json_cur root;
	struct diag d;

	(void)state;
	diag_init(&d, "t.json");
	json_cur_root(&root, o, &d);
	assert_int_equal(json_check_keys(&root, allowed, pfx), -EINVAL);
	assert_string_equal(d.path, "$.pathh");
	assert_non_null(strstr(d.msg, "unknown field 'pathh'"));
	json_object_put(o);
	o = parse_ok("{\"id\": \"a\", \"_revision\": 3, \"odd key\": 1}");
	diag_init(&d, "t.json");
	json_cur_root(&root, o, &d);
	assert_int_equal(json_check_keys(&root, allowed, pfx), -EINVAL);
	assert_string_equal(d.path, "$[\"odd key\"]");
	json_object_put(o);
}

static void
test_depth_limit(void **state)
{
	char deep[400];
	struct json_object *o = NULL;
	struct diag d;

	(void)state;
	memset(deep, '[', 200);
	memset(deep + 200, ']', 200);
	diag_init(&d, "t.json");
	assert_int_equal(json_doc_parse(deep, sizeof(deep), &o, &d), -EBADMSG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syntax_error_position),
		cmocka_unit_test(test_truncated_and_trailing),
		cmocka_unit_test(test_paths_and_types),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_depth_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
