/* Text checks: UTF-8, control characters, limits, keys, suggestions; and the
 * growable buffer they are built on. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/error.h"
#include "base/text.h"
#include "testlib.h"

START_TEST(utf8_validity)
{
	ck_assert_uint_eq(cb_utf8_invalid_at("plain", 5), (size_t)-1);
	ck_assert_uint_eq(cb_utf8_invalid_at("Gr\xC3\xBC\xC3\x9F" "e", 7), (size_t)-1);
	ck_assert_uint_eq(cb_utf8_invalid_at("\xF0\x9F\x98\x80", 4), (size_t)-1);
	ck_assert_uint_eq(cb_utf8_invalid_at("ab\xFF", 3), 2);         /* never valid */
	ck_assert_uint_eq(cb_utf8_invalid_at("a\xC3", 2), 1);          /* cut short */
	ck_assert_uint_eq(cb_utf8_invalid_at("\xC0\xAF", 2), 0);       /* overlong */
	ck_assert_uint_eq(cb_utf8_invalid_at("x\xED\xA0\x80", 4), 1);  /* surrogate */
	ck_assert_uint_eq(cb_utf8_invalid_at("\xF4\x90\x80\x80", 4), 0); /* > U+10FFFF */
	ck_assert_uint_eq(cb_utf8_invalid_at("a\xE2\x28\xA1", 4), 1);  /* bad continuation */
}
END_TEST

/* Decimals of at most 15 digits take a short way (digits / 10^decimals):
 * every one of them must be the double strtod reads, to the bit. */
START_TEST(decimals_are_read_as_strtod_reads_them)
{
	static const char *const fixed[] = {
		"0", "7", "-7", "+7", "12.", ".5", "-.5", "0.1", "0.3", "2.675", "1.005",
		"999999999999999", "-999999999999999", "99999999999999.9", "0.000000000000001",
		"1234567890.12345", "900719925474099.3", "0.1234567890123456", "123.4567890123456",
		"1e3", "2.5E-3", "000000000000000000001.5", "1000000000000000"};
	uint64_t x = 0x2545F4914F6CDD1Du;
	char text[40];
	double got, want;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(*fixed); i++) {
		ck_assert_msg(cb_decimal_parse(fixed[i], &got) == 0, "%s", fixed[i]);
		want = strtod(fixed[i], NULL);
		ck_assert_msg(memcmp(&got, &want, sizeof(got)) == 0, "%s: %.17g, not %.17g", fixed[i],
			      got, want);
	}
	for (int i = 0; i < 200000; i++) {
		int digits, point, n = 0;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		digits = 1 + (int)(x % 17);          /* 1..17: both ways */
		point = (int)((x >> 8) % (unsigned)(digits + 2)) - 1; /* -1: none */
		if ((x >> 16) & 1)
			text[n++] = '-';
		for (int d = 0; d < digits; d++) {
			if (d == point)
				text[n++] = '.';
			text[n++] = (char)('0' + (x >> (20 + 2 * (d % 20))) % 10);
		}
		text[n] = '\0';
		if (cb_decimal_parse(text, &got) == -2)
			continue; /* beyond CB_NUMBER_MAX */
		want = strtod(text, NULL);
		if (want == 0)
			want = 0; /* no -0 */
		ck_assert_msg(memcmp(&got, &want, sizeof(got)) == 0, "%s: %.17g, not %.17g", text,
			      got, want);
	}
	/* no -0, either way */
	ck_assert_int_eq(cb_decimal_parse("-0.00", &got), 0);
	ck_assert(!signbit(got));
	ck_assert_int_eq(cb_decimal_parse("-0.0000000000000000", &got), 0);
	ck_assert(!signbit(got));
	ck_assert_int_eq(cb_decimal_parse("1.5x", &got), -1);
	ck_assert_int_eq(cb_decimal_parse("-", &got), -1);
	ck_assert_int_eq(cb_decimal_parse(".", &got), -1);
	ck_assert_int_eq(cb_decimal_parse("1000000000000001", &got), -2);
}
END_TEST

START_TEST(text_check_messages)
{
	char *longname = malloc(CB_NAME_MAX + 2);

	ck_assert_int_eq(cb_text_check("name", "Zoë & Co", CB_NAME_MAX, 1, 0), 0);
	ck_assert_int_eq(cb_text_check("name", "   ", CB_NAME_MAX, 1, 0), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "name is empty");
	ck_assert_int_eq(cb_text_check("region", NULL, CB_NAME_MAX, 0, 0), 0);
	ck_assert_int_eq(cb_text_check("name", "a\x01" "b", CB_NAME_MAX, 1, 0), CB_EINVALID);
	ck_assert(strstr(cb_error_last(), "control character 0x01 at offset 1"));
	ck_assert_int_eq(cb_text_check("notes", "line\nline", CB_NOTE_MAX, 0, 1), 0);
	ck_assert_int_eq(cb_text_check("name", "line\nline", CB_NAME_MAX, 0, 0), CB_EINVALID);
	ck_assert_int_eq(cb_text_check("name", "caf\xE9", CB_NAME_MAX, 1, 0), CB_EINVALID);
	ck_assert(strstr(cb_error_last(), "not valid UTF-8 (byte 0xE9 at offset 3)"));
	memset(longname, 'x', CB_NAME_MAX + 1);
	longname[CB_NAME_MAX + 1] = '\0';
	ck_assert_int_eq(cb_text_check("name", longname, CB_NAME_MAX, 1, 0), CB_EINVALID);
	ck_assert(strstr(cb_error_last(), "201 bytes long; the limit is 200"));
	free(longname);
	/* C1 controls (U+009B is a CSI to some terminals); U+00A0 is text */
	ck_assert_int_eq(cb_text_check("name", "a\xC2\x9B" "31m", CB_NAME_MAX, 1, 0), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "name contains control character U+009B at offset 1");
	ck_assert_int_eq(cb_text_check("name", "a\xC2\xA0" "b", CB_NAME_MAX, 1, 0), 0);
}
END_TEST

static void expect_escaped(const char *in, size_t len, const char *want)
{
	cb_buf b = CB_BUF_INIT;

	ck_assert_int_eq(cb_text_escape_controls(&b, in, len), 0);
	ck_assert_str_eq(b.ptr ? b.ptr : "", want);
	cb_buf_free(&b);
}

/* in: a literal, all of it (a NUL included) */
#define E(in, want) expect_escaped(in, sizeof(in) - 1, want)

START_TEST(controls_are_escaped_for_the_terminal)
{
	E("plain text", "plain text");
	E("two\nlines\tand tab", "two\nlines\tand tab");
	E("red \x1B[31mX\x1B[0m", "red \\x1B[31mX\\x1B[0m");
	E("bell\x07 cr\r del\x7F", "bell\\x07 cr\\x0D del\\x7F");
	E("nul\0after", "nul\\x00after");
	E("Gr\xC3\xBC\xC3\x9F" "e \xF0\x9F\x98\x80", "Gr\xC3\xBC\xC3\x9F" "e \xF0\x9F\x98\x80");
	E("c1 \xC2\x9B" "2J", "c1 \\u009B2J");
	E("bad \xFF\xC3", "bad \\xFF\\xC3"); /* invalid, and cut short */
	E("\xE2\x28\xA1", "\\xE2(\\xA1");
}
END_TEST

START_TEST(key_rules)
{
	ck_assert_int_eq(cb_key_check("account key", "acme-gmbh.2"), 0);
	ck_assert_int_eq(cb_key_check("account key", "A_1"), 0);
	ck_assert_int_eq(cb_key_check("account key", ""), CB_EINVALID);
	ck_assert_int_eq(cb_key_check("account key", "a b"), CB_EINVALID);
	ck_assert_int_eq(cb_key_check("account key", "../etc"), CB_EINVALID);
	ck_assert_int_eq(cb_key_check("account key", "-x"), CB_EINVALID);
	ck_assert_int_eq(cb_key_check("account key", "x'; DROP TABLE account;--"), CB_EINVALID);
	ck_assert(strstr(cb_error_last(), "account key"));
	ck_assert_int_eq(cb_key_check("account key",
				      "k1234567890123456789012345678901234567890123456789012345678901234"),
			 CB_EINVALID);
}
END_TEST

START_TEST(suggestions)
{
	const char *const keys[] = {"account", "person", "program", "session"};

	ck_assert_uint_eq(cb_text_distance("kitten", "sitting", 10), 3);
	ck_assert_uint_eq(cb_text_distance("same", "same", 2), 0);
	ck_assert_uint_eq(cb_text_distance("a", "abcdef", 2), 3); /* capped */
	ck_assert_str_eq(cb_text_suggest("acount", keys, 4), "account");
	ck_assert_str_eq(cb_text_suggest("sesion", keys, 4), "session");
	ck_assert_ptr_null(cb_text_suggest("zebra", keys, 4));
}
END_TEST

START_TEST(buffer_grows_and_detaches)
{
	cb_buf b = CB_BUF_INIT;
	char *s;

	ck_assert_str_eq(cb_buf_cstr(&b), "");
	for (int i = 0; i < 1000; i++)
		ck_assert_int_eq(cb_buf_printf(&b, "%d,", i), 0);
	ck_assert_uint_eq(b.len, strlen(b.ptr));
	ck_assert(strncmp(b.ptr, "0,1,2,", 6) == 0);
	ck_assert(strstr(b.ptr, ",999,"));
	cb_buf_clear(&b);
	ck_assert_str_eq(cb_buf_cstr(&b), "");
	cb_buf_append(&b, "a\0b", 3);
	ck_assert_uint_eq(b.len, 3);
	s = cb_buf_detach(&b);
	ck_assert_ptr_null(b.ptr);
	ck_assert_int_eq(memcmp(s, "a\0b", 4), 0);
	free(s);
}
END_TEST

START_TEST(arrays_grow_by_doubling)
{
	int64_t *v = NULL;
	size_t cap = 0, n;

	for (n = 0; n < 100; n++) {
		ck_assert_int_eq(cb_array_reserve(&v, &cap, n, sizeof(*v), 4), 0);
		ck_assert_uint_gt(cap, n);
		v[n] = (int64_t)n * 3;
	}
	ck_assert_uint_eq(cap, 128); /* 4, 8, ..., 128 */
	for (n = 0; n < 100; n++)
		ck_assert_int_eq(v[n], (int64_t)n * 3);
	/* room to spare: nothing moves */
	{
		int64_t *before = v;

		ck_assert_int_eq(cb_array_reserve(&v, &cap, 100, sizeof(*v), 4), 0);
		ck_assert_ptr_eq(v, before);
	}
	/* too big to count: refused, the array as it was */
	{
		size_t huge = (size_t)-1 / 4, keep = huge;
		int64_t *before = v;

		ck_assert_int_eq(cb_array_reserve(&v, &huge, huge, sizeof(*v), 4), CB_ENOMEM);
		ck_assert_str_eq(cb_error_last(), "out of memory");
		ck_assert_ptr_eq(v, before);
		ck_assert_uint_eq(huge, keep);
	}
	free(v);
}
END_TEST

START_TEST(error_prefix_keeps_code)
{
	cb_error_set(CB_EINVALID, "value 11 out of range");
	cb_error_prefix("%s:%d", "data.csv", 118);
	ck_assert_str_eq(cb_error_last(), "data.csv:118: value 11 out of range");
	ck_assert_int_eq(cb_error_code(), CB_EINVALID);
	cb_error_clear();
	ck_assert_str_eq(cb_error_last(), "");
	ck_assert_int_eq(cb_error_code(), CB_OK);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("base/text");
	TCase *tc = tcase_create("text");

	tcase_add_test(tc, utf8_validity);
	tcase_add_test(tc, decimals_are_read_as_strtod_reads_them);
	tcase_add_test(tc, text_check_messages);
	tcase_add_test(tc, controls_are_escaped_for_the_terminal);
	tcase_add_test(tc, key_rules);
	tcase_add_test(tc, suggestions);
	tcase_add_test(tc, buffer_grows_and_detaches);
	tcase_add_test(tc, arrays_grow_by_doubling);
	tcase_add_test(tc, error_prefix_keeps_code);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
