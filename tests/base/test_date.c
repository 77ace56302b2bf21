/* Dates: parsing, the calendar's edges, and the day arithmetic. */
#include <string.h>

#include "base/date.h"
#include "base/error.h"
#include "testlib.h"

START_TEST(parses_valid_dates)
{
	int32_t d;

	ck_assert_int_eq(cb_date_parse("1970-01-01", &d), 0);
	ck_assert_int_eq(d, 0);
	ck_assert_int_eq(cb_date_parse("2000-03-01", &d), 0);
	ck_assert_int_eq(d, 11017);
	ck_assert_int_eq(cb_date_parse("2024-02-29", &d), 0); /* leap year */
	ck_assert_int_eq(cb_date_parse("2000-02-29", &d), 0); /* 400-year rule */
}
END_TEST

START_TEST(rejects_impossible_dates_with_reason)
{
	int32_t d = 42;

	ck_assert_int_eq(cb_date_parse("2025-02-30", &d), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "2025-02-30: February 2025 has 28 days");
	ck_assert_int_eq(d, 42); /* untouched on failure */
	ck_assert_int_eq(cb_date_parse("1900-02-29", &d), CB_EINVALID); /* century */
	ck_assert_int_eq(cb_date_parse("2025-13-01", &d), CB_EINVALID);
	ck_assert(strstr(cb_error_last(), "no month 13"));
	ck_assert_int_eq(cb_date_parse("2025-04-31", &d), CB_EINVALID);
	ck_assert_int_eq(cb_date_parse("2025-00-10", &d), CB_EINVALID);
	ck_assert_int_eq(cb_date_parse("2025-01-00", &d), CB_EINVALID);
}
END_TEST

START_TEST(rejects_malformed_text)
{
	static const char *const bad[] = {"",         "2025-1-01",   "2025/01/01",
					  "20250101", "2025-01-01x", "abcd-ef-gh",
					  " 2025-01-01", "0999-01-01"};
	int32_t d;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(cb_date_parse(bad[i], &d) == CB_EINVALID, "%s", bad[i]);
	ck_assert_int_eq(cb_date_parse(NULL, &d), CB_EINVALID);
}
END_TEST

START_TEST(round_trips_every_day_of_four_centuries)
{
	char text[CB_DATE_LEN];
	int32_t first = cb_date_from_civil(1900, 1, 1);
	int32_t last = cb_date_from_civil(2299, 12, 31);
	int y, m, d, py = 1899, pm = 12, pd = 31;

	ck_assert_int_eq(last - first + 1, 146097); /* 400 Gregorian years */
	for (int32_t day = first; day <= last; day++) {
		int32_t back;

		cb_date_to_civil(day, &y, &m, &d);
		/* Consecutive day numbers are consecutive calendar days. */
		if (d == 1)
			ck_assert(pd == cb_date_days_in_month(py, pm));
		else
			ck_assert(d == pd + 1 && m == pm && y == py);
		cb_date_format(day, text);
		ck_assert_int_eq(cb_date_parse(text, &back), 0);
		ck_assert_int_eq(back, day);
		py = y, pm = m, pd = d;
	}
}
END_TEST

START_TEST(days_in_month)
{
	ck_assert_int_eq(cb_date_days_in_month(2023, 2), 28);
	ck_assert_int_eq(cb_date_days_in_month(2024, 2), 29);
	ck_assert_int_eq(cb_date_days_in_month(2100, 2), 28);
	ck_assert_int_eq(cb_date_days_in_month(2024, 12), 31);
	ck_assert_int_eq(cb_date_days_in_month(2024, 13), 0);
}
END_TEST

START_TEST(date_times_with_offsets_are_stored_in_utc)
{
	char out[CB_DATETIME_LEN];
	int64_t t = 7;

	ck_assert_int_eq(cb_datetime_parse("2025-03-01", &t), 0);
	ck_assert_int_eq(t, 1740787200); /* 2025-03-01T00:00:00Z */
	ck_assert_int_eq(cb_datetime_parse("2025-03-01T10:30:00Z", &t), 0);
	ck_assert_int_eq(t, 1740787200 + 10 * 3600 + 30 * 60);
	ck_assert_int_eq(cb_datetime_parse("2025-03-01T10:30:00+01:00", &t), 0);
	ck_assert_int_eq(t, 1740787200 + 9 * 3600 + 30 * 60);
	ck_assert_int_eq(cb_datetime_parse("2025-03-01 01:30-0230", &t), 0);
	ck_assert_int_eq(t, 1740787200 + 4 * 3600);
	ck_assert_int_eq(cb_datetime_parse("2025-03-01T00:00:00.000+00:00", &t), 0);
	ck_assert_int_eq(t, 1740787200);
	/* Crossing midnight backwards, into February of a leap year. */
	ck_assert_int_eq(cb_datetime_parse("2024-03-01T00:30:00+01:00", &t), 0);
	cb_datetime_format(t, out);
	ck_assert_str_eq(out, "2024-02-29T23:30:00Z");
	cb_datetime_format(-1, out);
	ck_assert_str_eq(out, "1969-12-31T23:59:59Z");
}
END_TEST

START_TEST(date_time_errors_say_why)
{
	int64_t t = 42;

	ck_assert_int_eq(cb_datetime_parse("2025-03-01T10:30", &t), CB_EINVALID);
	ck_assert(strstr(cb_error_last(), "needs its UTC offset"));
	ck_assert_int_eq(cb_datetime_parse("2025-03-01T10:30:00.5Z", &t), CB_EINVALID);
	ck_assert(strstr(cb_error_last(), "fractions of a second"));
	ck_assert_int_eq(cb_datetime_parse("2025-03-01T24:00Z", &t), CB_EINVALID);
	ck_assert(strstr(cb_error_last(), "no such time of day"));
	ck_assert_int_eq(cb_datetime_parse("2025-02-30T10:00Z", &t), CB_EINVALID);
	ck_assert(strstr(cb_error_last(), "February 2025 has 28 days"));
	ck_assert_int_eq(cb_datetime_parse("2025-03-01T10:00+15:00", &t), CB_EINVALID);
	ck_assert_int_eq(cb_datetime_parse("2025-03-01T10:00Zjunk", &t), CB_EINVALID);
	ck_assert_int_eq(cb_datetime_parse("03/01/2025", &t), CB_EINVALID);
	ck_assert_int_eq(cb_datetime_parse("", &t), CB_EINVALID);
	ck_assert_int_eq(t, 42);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("base/date");
	TCase *tc = tcase_create("date");

	tcase_add_test(tc, parses_valid_dates);
	tcase_add_test(tc, rejects_impossible_dates_with_reason);
	tcase_add_test(tc, rejects_malformed_text);
	tcase_add_test(tc, round_trips_every_day_of_four_centuries);
	tcase_add_test(tc, days_in_month);
	tcase_add_test(tc, date_times_with_offsets_are_stored_in_utc);
	tcase_add_test(tc, date_time_errors_say_why);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
