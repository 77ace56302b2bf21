/* The SVG charts on small inputs: a monthly line is connected across
 * consecutive months and broken where a month has no value, a lone month
 * is a dot; text is escaped; the event chart draws one whisker per window
 * it has an interval for. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "format/svg.h"
#include "testlib.h"

/* How many times `needle` occurs in `s`. */
static size_t count(const char *s, const char *needle)
{
	size_t n = 0;

	for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* The number of x,y pairs in the i-th (0-based) polyline of `svg`; -1 when
 * there is none. */
static int polyline_points(const char *svg, size_t i)
{
	const char *p = svg;
	int n = 0;

	for (size_t k = 0; k <= i; k++) {
		if (!(p = strstr(p, "<polyline")))
			return -1;
		p++;
	}
	p = strstr(p, "points=\"");
	ck_assert_ptr_nonnull(p);
	for (p += 8; *p && *p != '"'; p++)
		n += *p == ',';
	return n;
}

static char *line_chart(const double *y, size_t n)
{
	cb_svg_point pts[16];
	cb_svg_lines c;
	cb_buf b = {0};

	ck_assert_uint_le(n, 16);
	for (size_t i = 0; i < n; i++)
		pts[i] = (cb_svg_point){(double)i * 30, y[i], "m", NULL};
	memset(&c, 0, sizeof(c));
	c.title = "Monthly";
	c.points = pts;
	c.npoints = n;
	ck_assert_int_eq(cb_svg_line_chart(&b, &c), 0);
	return cb_buf_detach(&b);
}

START_TEST(consecutive_months_are_one_line)
{
	const double y[] = {1, 2, 3, 4, 5, 6};
	char *svg = line_chart(y, 6);

	ck_assert_uint_eq(count(svg, "<polyline"), 1);
	ck_assert_int_eq(polyline_points(svg, 0), 6);
	ck_assert_uint_eq(count(svg, "<circle"), 6);
	free(svg);
}
END_TEST

START_TEST(a_missing_month_breaks_the_line)
{
	/* 3 months, a gap, 2 months, a gap, 1 lone month */
	const double y[] = {1, 2, 3, NAN, 5, 6, NAN, 8};
	char *svg = line_chart(y, 8);

	ck_assert_uint_eq(count(svg, "<polyline"), 2);
	ck_assert_int_eq(polyline_points(svg, 0), 3);
	ck_assert_int_eq(polyline_points(svg, 1), 2);
	ck_assert_uint_eq(count(svg, "<circle"), 6); /* the lone month is a dot */
	free(svg);
}
END_TEST

START_TEST(no_values_draw_no_line)
{
	const double y[] = {NAN, NAN, NAN};
	char *svg = line_chart(y, 3);

	ck_assert_uint_eq(count(svg, "<polyline"), 0);
	ck_assert_uint_eq(count(svg, "<circle"), 0);
	ck_assert(cbt_has(svg, "</svg>"));
	free(svg);
}
END_TEST

START_TEST(text_is_escaped)
{
	cb_svg_point pts[2] = {{0, 1, "<b>", "a & b"}, {30, 2, "x", "\"q\""}};
	cb_svg_lines c;
	cb_buf b = {0};
	char *svg;

	memset(&c, 0, sizeof(c));
	c.title = "say \"<script>\"";
	c.y_axis = "<i>";
	c.points = pts;
	c.npoints = 2;
	ck_assert_int_eq(cb_svg_line_chart(&b, &c), 0);
	svg = cb_buf_detach(&b);
	ck_assert(!cbt_has(svg, "<script>"));
	ck_assert(!cbt_has(svg, "<b>"));
	ck_assert(!cbt_has(svg, "<i>"));
	ck_assert(cbt_has(svg, "&lt;b&gt;"));
	ck_assert(cbt_has(svg, "a &amp; b"));
	free(svg);
}
END_TEST

START_TEST(event_chart_whiskers)
{
	cb_svg_event ev[4] = {
		{"-3", 0.1, -0.5, 0.7, 1, 0, NULL},
		{"-1", 0, NAN, NAN, 1, 1, NULL}, /* the reference: no whisker */
		{"0", 2.0, 1.0, 3.0, 0, 0, NULL},
		{"1", NAN, NAN, NAN, 0, 0, NULL}, /* no value: nothing drawn */
	};
	cb_svg_events c;
	cb_buf b = {0};
	char *svg;

	memset(&c, 0, sizeof(c));
	c.title = "Event study";
	c.events = ev;
	c.nevents = 4;
	ck_assert_int_eq(cb_svg_event_chart(&b, &c), 0);
	svg = cb_buf_detach(&b);
	ck_assert(cbt_has(svg, ">-3<"));
	ck_assert(cbt_has(svg, ">0<"));
	ck_assert_uint_eq(count(svg, "<circle"), 3);
	free(svg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("svg");
	TCase *tc = tcase_create("svg");

	tcase_add_test(tc, consecutive_months_are_one_line);
	tcase_add_test(tc, a_missing_month_breaks_the_line);
	tcase_add_test(tc, no_values_draw_no_line);
	tcase_add_test(tc, text_is_escaped);
	tcase_add_test(tc, event_chart_whiskers);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
