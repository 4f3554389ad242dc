// SPDX-License-Identifier: MIT
/* lib/diag: first message wins, formatting with the parts that are known. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lib/diag.h"

static void
test_diag_full(void **state)
{
	struct diag d;
	char out[1024];

	(void)state;
	diag_init(&d, "export.json");
	assert_int_equal(diag_fail(&d, "bad port %d", 70000), -EINVAL);
	assert_int_equal(diag_failv(&d, -ERANGE, "outer context"), -ERANGE);
	diag_set_pos(&d, 12, 7);
	diag_set_path(&d, "$.rules[3].destination_ports[0]");
	diag_format(&d, out, sizeof(out));
	assert_string_equal(out,
	    "export.json:12:7: $.rules[3].destination_ports[0]: bad port 70000");
}

static void
test_diag_partial_and_null(void **state)
{
	struct diag d;
	char out[64];

	(void)state;
	assert_int_equal(diag_fail(NULL, "ignored"), -EINVAL);
	diag_init(&d, NULL);
	diag_set_offset(&d, 19);
	diag_fail(&d, "marker is not all ones");
	diag_format(&d, out, sizeof(out));
	assert_string_equal(out, " byte 19: marker is not all ones");
	/* truncation keeps a terminated string */
	diag_format(&d, out, 8);
	assert_int_equal(strlen(out), 7);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diag_full),
		cmocka_unit_test(test_diag_partial_and_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
