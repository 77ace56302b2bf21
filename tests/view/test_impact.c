/* The impact's words that stand alone, without a report to render: money
 * as a reader reads it, the JSON number rule, the names of the kinds. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "testlib.h"
#include "view/doc.h"
#include "view/impact.h"

/* Money as a reader reads it: thousands separators, whole units. */
START_TEST(money_has_thousands_separators)
{
	static const struct {
		double v;
		const char *currency, *want;
	} cases[] = {
		{152500, "EUR", "152,500 EUR"}, {-1234.4, "EUR", "-1,234 EUR"}, {999.5, "USD", "1,000 USD"},
		{0, "EUR", "0 EUR"}, {-0.4, NULL, "0"}, {1e12, NULL, "1,000,000,000,000"},
		{12345.6, "", "12,346"},
	};
	char buf[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cb_view_money(buf, sizeof(buf), cases[i].v, cases[i].currency);
		ck_assert_str_eq(buf, cases[i].want);
	}
	cb_view_money(buf, sizeof(buf), NAN, "EUR");
	ck_assert_str_eq(buf, "-");
}
END_TEST

/* NaN means "none": JSON has no NaN, so it becomes null; numbers stay. */
START_TEST(json_numbers_are_null_when_not_finite)
{
	json_t *v = cb_view_json_number(NAN), *w = cb_view_json_number(INFINITY),
	       *x = cb_view_json_number(2.5);

	ck_assert(json_is_null(v) && json_is_null(w));
	ck_assert(json_is_real(x) && json_real_value(x) == 2.5);
	json_decref(v);
	json_decref(w);
	json_decref(x);
}
END_TEST

/* A signed change as the words and the report print it: what rounds to
 * nothing has no sign. */
START_TEST(signed_numbers_round_to_an_unsigned_zero)
{
	ck_assert_str_eq(cb_view_signed2(0.5).s, "+0.50");
	ck_assert_str_eq(cb_view_signed2(-0.55).s, "-0.55");
	ck_assert_str_eq(cb_view_signed2(-0.001).s, "0.00");
	ck_assert_str_eq(cb_view_signed2(0.004).s, "0.00");
	ck_assert_str_eq(cb_view_signed2(-0.0).s, "0.00");
	ck_assert_str_eq(cb_view_signed2(-0.006).s, "-0.01");
	ck_assert_str_eq(cb_view_signed2(NAN).s, "–");
}
END_TEST

START_TEST(names_of_kinds_and_control_modes)
{
	ck_assert_str_eq(cb_view_exposure_kind_name(CB_EXPOSURE_SESSION), "session");
	ck_assert_str_eq(cb_view_exposure_kind_name(99), "exposure");
	ck_assert_str_eq(cb_view_control_mode_name(CB_CONTROL_AUTO), "never-trained");
	ck_assert_str_eq(cb_view_control_mode_name(CB_CONTROL_NONE), "none");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("view/impact");
	TCase *tc = tcase_create("impact");

	tcase_add_test(tc, money_has_thousands_separators);
	tcase_add_test(tc, json_numbers_are_null_when_not_finite);
	tcase_add_test(tc, names_of_kinds_and_control_modes);
	tcase_add_test(tc, signed_numbers_round_to_an_unsigned_zero);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
