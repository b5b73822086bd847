/*
 * test_cursor: the bounds-checked wire cursors (transport/mpc_cursor.h).
 * Every accessor at and past its bound, lengths that would wrap size_t,
 * byte order, and that a failed access changes neither cursor nor output.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mpc_cursor.h"

static void
test_read_big_endian(void **state)
{
	static const uint8_t b[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
		0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F };
	mpc_rcursor c;
	uint8_t     v8;
	uint16_t    v16;
	uint32_t    v32;
	uint64_t    v64;

	(void) state;
	mpc_rcursor_init(&c, b, sizeof(b));
	assert_true(mpc_rcursor_u8(&c, &v8));
	assert_int_equal(v8, 0x01);
	assert_true(mpc_rcursor_u16(&c, &v16));
	assert_int_equal(v16, 0x0203);
	assert_true(mpc_rcursor_u32(&c, &v32));
	assert_int_equal(v32, 0x04050607);
	assert_true(mpc_rcursor_u64(&c, &v64));
	assert_int_equal(v64, 0x08090A0B0C0D0E0Full);
	assert_int_equal(mpc_rcursor_remaining(&c), 0);
	assert_false(mpc_rcursor_u8(&c, &v8));
}

/* Each width fails one byte short, leaving pos and the output alone. */
static void
test_read_short(void **state)
{
	static const uint8_t b[8] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
		0xFF };
	mpc_rcursor    c;
	uint8_t        v8  = 0x5A;
	uint16_t       v16 = 0x5A5A;
	uint32_t       v32 = 0x5A5A5A5A;
	uint64_t       v64 = 0x5A5A5A5A5A5A5A5Aull;
	uint8_t        out[8];
	const uint8_t *view = NULL;

	(void) state;
	mpc_rcursor_init(&c, b, 0);
	assert_false(mpc_rcursor_u8(&c, &v8));
	assert_int_equal(v8, 0x5A);
	mpc_rcursor_init(&c, b, 1);
	assert_false(mpc_rcursor_u16(&c, &v16));
	assert_int_equal(v16, 0x5A5A);
	assert_int_equal(c.pos, 0);
	mpc_rcursor_init(&c, b, 3);
	assert_false(mpc_rcursor_u32(&c, &v32));
	assert_int_equal(v32, 0x5A5A5A5A);
	mpc_rcursor_init(&c, b, 7);
	assert_false(mpc_rcursor_u64(&c, &v64));
	assert_int_equal(v64, 0x5A5A5A5A5A5A5A5Aull);
	assert_int_equal(c.pos, 0);
	memset(out, 0x5A, sizeof(out));
	assert_false(mpc_rcursor_bytes(&c, out, 8));
	assert_int_equal(out[0], 0x5A);
	assert_false(mpc_rcursor_view(&c, &view, 8));
	assert_null(view);
	assert_false(mpc_rcursor_skip(&c, 8));
	assert_false(mpc_rcursor_match(&c, b, 8));
	assert_int_equal(c.pos, 0);
	/* Exactly enough succeeds. */
	assert_true(mpc_rcursor_view(&c, &view, 7));
	assert_ptr_equal(view, b);
	assert_int_equal(mpc_rcursor_remaining(&c), 0);
}

/* A length near SIZE_MAX must not wrap pos + n. */
static void
test_no_wrap(void **state)
{
	static const uint8_t b[16] = { 0 };
	mpc_rcursor    c;
	mpc_wcursor    w;
	uint8_t        out[16];
	const uint8_t *view;
	volatile size_t huge = SIZE_MAX - 3;

	(void) state;
	mpc_rcursor_init(&c, b, sizeof(b));
	assert_true(mpc_rcursor_skip(&c, 4));
	assert_false(mpc_rcursor_has(&c, SIZE_MAX));
	assert_false(mpc_rcursor_has(&c, SIZE_MAX - 3));
	assert_false(mpc_rcursor_view(&c, &view, SIZE_MAX - 2));
	assert_false(mpc_rcursor_skip(&c, SIZE_MAX));
	assert_int_equal(c.pos, 4);

	mpc_wcursor_init(&w, out, sizeof(out));
	assert_true(mpc_wcursor_u32(&w, 1));
	assert_false(mpc_wcursor_has(&w, SIZE_MAX));
	/* volatile: keep the compiler from flagging the (never executed)
	 * memcpy of that size at build time. */
	assert_false(mpc_wcursor_bytes(&w, b, huge));
	assert_int_equal(w.pos, 4);
}

static void
test_null_buffer(void **state)
{
	mpc_rcursor c;
	mpc_wcursor w;
	uint8_t     v;

	(void) state;
	mpc_rcursor_init(&c, NULL, 100);
	assert_int_equal(mpc_rcursor_remaining(&c), 0);
	assert_false(mpc_rcursor_u8(&c, &v));
	mpc_wcursor_init(&w, NULL, 100);
	assert_false(mpc_wcursor_u8(&w, 1));
}

static void
test_write(void **state)
{
	static const uint8_t want[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
		0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0xAB, 0xCD };
	uint8_t     out[sizeof(want) + 1];
	mpc_wcursor w;

	(void) state;
	memset(out, 0xEE, sizeof(out));
	mpc_wcursor_init(&w, out, sizeof(want));
	assert_true(mpc_wcursor_u8(&w, 0x01));
	assert_true(mpc_wcursor_u16(&w, 0x0203));
	assert_true(mpc_wcursor_u32(&w, 0x04050607));
	assert_true(mpc_wcursor_u64(&w, 0x08090A0B0C0D0E0Full));
	assert_true(mpc_wcursor_bytes(&w, "\xAB\xCD", 2));
	assert_memory_equal(out, want, sizeof(want));
	/* Full: every width fails and nothing is written past cap. */
	assert_false(mpc_wcursor_u8(&w, 0));
	assert_false(mpc_wcursor_u16(&w, 0));
	assert_false(mpc_wcursor_u32(&w, 0));
	assert_false(mpc_wcursor_u64(&w, 0));
	assert_false(mpc_wcursor_bytes(&w, "x", 1));
	assert_int_equal(out[sizeof(want)], 0xEE);
	assert_int_equal(w.pos, sizeof(want));

	/* Partial room: a u64 into 7 bytes writes nothing. */
	memset(out, 0xEE, sizeof(out));
	mpc_wcursor_init(&w, out, 7);
	assert_false(mpc_wcursor_u64(&w, UINT64_MAX));
	assert_int_equal(out[0], 0xEE);
	assert_int_equal(w.pos, 0);
}

static void
test_match(void **state)
{
	static const uint8_t b[] = { 'a', 'b', 'c' };
	mpc_rcursor c;

	(void) state;
	mpc_rcursor_init(&c, b, sizeof(b));
	assert_true(mpc_rcursor_match(&c, "ab", 2));
	assert_true(mpc_rcursor_match(&c, "abc", 3));
	assert_false(mpc_rcursor_match(&c, "abd", 3));
	assert_false(mpc_rcursor_match(&c, "abcd", 4));
	assert_int_equal(c.pos, 0); /* match does not consume */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_big_endian),
		cmocka_unit_test(test_read_short),
		cmocka_unit_test(test_no_wrap),
		cmocka_unit_test(test_null_buffer),
		cmocka_unit_test(test_write),
		cmocka_unit_test(test_match),
	};
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
