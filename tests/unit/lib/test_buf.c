// SPDX-License-Identifier: MIT
/* lib/buf: reader bounds and no-advance-on-failure, writer sticky errors and growth. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lib/buf.h"

static void
test_reader_reads_big_endian(void **state)
{
	static const uint8_t in[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	    0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f };
	struct buf_reader br;
	uint8_t u8 = 0;
	uint16_t u16 = 0;
	uint32_t u32 = 0;
	uint64_t u64 = 0;

	(void)state;
	br_init(&br, in, sizeof(in));
	assert_int_equal(br_u8(&br, &u8), 0);
	assert_int_equal(u8, 0x01);
	assert_int_equal(br_be16(&br, &u16), 0);
	assert_int_equal(u16, 0x0203);
	assert_int_equal(br_be32(&br, &u32), 0);
	assert_int_equal(u32, 0x04050607);
	assert_int_equal(br_be64(&br, &u64), 0);
	assert_true(u64 == 0x08090a0b0c0d0e0fULL);
	assert_true(br_empty(&br));
	assert_int_equal(br_offset(&br), sizeof(in));
}

static void
test_reader_short_fails_without_advancing(void **state)
{
	static const uint8_t in[] = { 0xaa, 0xbb, 0xcc };
	struct buf_reader br, sub;
	uint32_t u32;
	uint64_t u64;
	uint8_t out[4];

	(void)state;
	br_init(&br, in, sizeof(in));
	assert_int_equal(br_be32(&br, &u32), -EBADMSG);
	assert_int_equal(br_be64(&br, &u64), -EBADMSG);
	assert_int_equal(br_bytes(&br, out, sizeof(out)), -EBADMSG);
	assert_int_equal(br_skip(&br, sizeof(in) + 1), -EBADMSG);
	assert_int_equal(br_sub(&br, sizeof(in) + 1, &sub), -EBADMSG);
	assert_int_equal(br_offset(&br), 0);
	assert_int_equal(br_left(&br), sizeof(in));
}

static void
test_reader_sub_cursor_is_bounded(void **state)
{
	static const uint8_t in[] = { 0x02, 0x11, 0x22, 0x33 };
	struct buf_reader br, sub;
	uint8_t n = 0, v = 0;
	uint16_t u16 = 0;

	(void)state;
	br_init(&br, in, sizeof(in));
	assert_int_equal(br_u8(&br, &n), 0);
	assert_int_equal(br_sub(&br, n, &sub), 0);
	assert_int_equal(br_be16(&sub, &u16), 0);
	assert_int_equal(u16, 0x1122);
	/* The sub-cursor ends at its length even though the parent has more. */
	assert_int_equal(br_u8(&sub, &v), -EBADMSG);
	assert_int_equal(br_u8(&br, &v), 0);
	assert_int_equal(v, 0x33);
}

static void
test_reader_null_is_empty(void **state)
{
	struct buf_reader br;
	uint8_t v;

	(void)state;
	br_init(&br, NULL, 10);
	assert_true(br_empty(&br));
	assert_int_equal(br_u8(&br, &v), -EBADMSG);
}

static void
test_writer_fixed_sticky_error(void **state)
{
	uint8_t mem[5];
	struct buf_writer bw;

	(void)state;
	bw_init(&bw, mem, sizeof(mem));
	bw_be32(&bw, 0xdeadbeef);
	assert_int_equal(bw_error(&bw), 0);
	bw_be16(&bw, 0x1234);	/* does not fit: error, nothing written */
	assert_int_equal(bw_error(&bw), -ENOSPC);
	assert_int_equal(bw.len, 4);
	bw_u8(&bw, 1);		/* would fit, but the error is sticky */
	assert_int_equal(bw.len, 4);
	assert_int_equal(bw_error(&bw), -ENOSPC);
	assert_memory_equal(mem, "\xde\xad\xbe\xef", 4);
}

static void
test_writer_grows_and_patches(void **state)
{
	struct buf_writer bw;
	size_t at;

	(void)state;
	bw_init_dyn(&bw, 0);
	at = bw_reserve(&bw, 2);
	for (int i = 0; i < 1000; i++)
		bw_be32(&bw, (uint32_t)i);
	bw_patch_be16(&bw, at, (uint16_t)(bw.len - 2));
	assert_int_equal(bw_error(&bw), 0);
	assert_int_equal(bw.len, 2 + 4000);
	assert_int_equal(bw.data[0] << 8 | bw.data[1], 4000);
	assert_int_equal(bw.data[2 + 4 * 999 + 3], 999 & 0xff);
	bw_patch_be16(&bw, bw.len - 1, 1);
	assert_int_equal(bw_error(&bw), -EINVAL);
	bw_free(&bw);
}

static void
test_writer_cap(void **state)
{
	struct buf_writer bw;
	uint8_t blob[100];

	(void)state;
	memset(blob, 0x5a, sizeof(blob));
	bw_init_dyn(&bw, 150);
	bw_bytes(&bw, blob, sizeof(blob));
	assert_int_equal(bw_error(&bw), 0);
	bw_bytes(&bw, blob, sizeof(blob));
	assert_int_equal(bw_error(&bw), -ENOSPC);
	assert_int_equal(bw.len, sizeof(blob));
	bw_free(&bw);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_reads_big_endian),
		cmocka_unit_test(test_reader_short_fails_without_advancing),
		cmocka_unit_test(test_reader_sub_cursor_is_bounded),
		cmocka_unit_test(test_reader_null_is_empty),
		cmocka_unit_test(test_writer_fixed_sticky_error),
		cmocka_unit_test(test_writer_grows_and_patches),
		cmocka_unit_test(test_writer_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
