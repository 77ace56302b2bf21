/*
 * The report's KPI series: each KPI month by month at an account, the
 * training and the impact's windows marked; small multiples of line charts
 * in HTML, tables of the months in Markdown.
 */
#include "view/report_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/svg.h"

/* The series of one KPI at one account: a line chart (HTML) or a table of
 * the months (Markdown, where several accounts share one table). */
static void series_chart(cb_view_doc *d, const cb_report_series *s, const char *caption,
			 int from_zero)
{
	cb_svg_point *pts = calloc(s->npoints ? s->npoints : 1, sizeof(*pts));
	cb_svg_band *bands = calloc(s->nmarks + 2, sizeof(*bands));
	char(*tips)[160] = calloc(s->npoints ? s->npoints : 1, sizeof(*tips));
	char(*btips)[160] = calloc(s->nmarks + 2, sizeof(*btips));
	size_t nb = 0;
	char title[300];
	cb_buf svg = CB_BUF_INIT;
	cb_svg_lines c = {0};

	if (!pts || !bands || !tips || !btips) {
		if (!d->rc)
			d->rc = cb_error_set(CB_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < s->npoints; i++) {
		const cb_report_point *p = &s->points[i];

		pts[i].x = (p->from + p->to) / 2.0;
		pts[i].y = p->has_value ? p->value : NAN;
		pts[i].label = p->label;
		if (p->has_value)
			snprintf(tips[i], sizeof(tips[i]), "%s: %s %s (%lld observations)",
				 p->label, cb_view_fixed2(p->value).s, s->kpi->unit,
				 (long long)p->observations);
		else
			snprintf(tips[i], sizeof(tips[i]), "%s: no value", p->label);
		pts[i].tooltip = tips[i];
	}
	if (s->has_windows) {
		bands[nb] = (cb_svg_band){s->windows.baseline.from, s->windows.baseline.to,
					  "before", btips[nb], CB_SVG_BAND_WINDOW};
		snprintf(btips[nb], sizeof(btips[nb]), "baseline window %s .. %s",
			 cb_view_date(s->windows.baseline.from).s,
			 cb_view_date(s->windows.baseline.to - 1).s);
		nb++;
		bands[nb] = (cb_svg_band){s->windows.follow_up.from, s->windows.follow_up.to,
					  "after", btips[nb], CB_SVG_BAND_WINDOW};
		snprintf(btips[nb], sizeof(btips[nb]), "follow-up window %s .. %s",
			 cb_view_date(s->windows.follow_up.from).s,
			 cb_view_date(s->windows.follow_up.to - 1).s);
		nb++;
	}
	for (size_t i = 0; i < s->nmarks; i++, nb++) {
		bands[nb] = (cb_svg_band){s->marks[i].first, s->marks[i].last + 1.0,
					  i == 0 ? "training" : NULL, btips[nb], CB_SVG_BAND_EVENT};
		snprintf(btips[nb], sizeof(btips[nb]), "training: session %s, %s .. %s",
			 s->marks[i].session, cb_view_date(s->marks[i].first).s,
			 cb_view_date(s->marks[i].last).s);
	}
	snprintf(title, sizeof(title), "%s at %s by month", s->kpi->name, s->account);
	c.title = title;
	c.y_axis = s->kpi->unit;
	c.css_class = "chart chart-series";
	c.points = pts;
	c.npoints = s->npoints;
	c.bands = bands;
	c.nbands = nb;
	c.from_zero = from_zero;
	c.width = 360;
	c.height = 200;
	cb_view_doc_open(d, "figure", "series");
	cb_view_doc_chart(d, &svg, cb_svg_line_chart(&svg, &c));
	if (!d->md) {
		cb_view_doc_raw(d, "<figcaption>");
		cb_view_doc_text(d, caption);
		if (s->nmarks)
			cb_view_doc_textf(d, " · session %s", s->marks[0].session);
		if (s->nmarks > 1)
			cb_view_doc_textf(d, " and %zu more", s->nmarks - 1);
		cb_view_doc_raw(d, "</figcaption>\n");
	}
	cb_view_doc_close(d, "figure");
done:
	free(pts);
	free(bands);
	free(tips);
	free(btips);
}

/* Markdown: what the charts mark, as a table: each account's training
 * and windows. */
static void series_marks_table(cb_view_doc *d, const cb_report *rep, size_t from, size_t to)
{
	static const char *const head[] = {"account", "training", "baseline window",
					   "follow-up window"};

	cb_view_doc_table_open(d, "llll", head);
	for (size_t i = from; i < to; i++) {
		const cb_report_series *s = &rep->series[i];
		char training[200] = "–", base[40] = "–", follow[40] = "–";
		size_t len = 0;

		for (size_t m = 0; m < s->nmarks && len < sizeof(training); m++)
			len += (size_t)snprintf(training + len, sizeof(training) - len,
						"%s%s (%s .. %s)", m ? "; " : "",
						s->marks[m].session,
						cb_view_date(s->marks[m].first).s,
						cb_view_date(s->marks[m].last).s);
		if (s->has_windows) {
			snprintf(base, sizeof(base), "%s .. %s",
				 cb_view_date(s->windows.baseline.from).s,
				 cb_view_date(s->windows.baseline.to - 1).s);
			snprintf(follow, sizeof(follow), "%s .. %s",
				 cb_view_date(s->windows.follow_up.from).s,
				 cb_view_date(s->windows.follow_up.to - 1).s);
		}
		cb_view_doc_table_row(d, NULL,
				      (const char *const[]){s->account, training, base, follow});
	}
	cb_view_doc_table_close(d);
}

/* Markdown: one table per KPI, a row per month, a column per account. */
static void series_table(cb_view_doc *d, const cb_report *rep, size_t from, size_t to)
{
	const char *head[1 + CB_REPORT_SERIES_ACCOUNTS + 1];
	char align[16] = "l";
	int32_t first = INT32_MAX, last = INT32_MIN;
	size_t ncols = 0;

	/* Up to CB_REPORT_SERIES_ACCOUNTS accounts a table; an account report
	 * has one account and gives each KPI its own table. */
	head[0] = "month";
	for (size_t i = from; i < to && ncols < CB_REPORT_SERIES_ACCOUNTS; i++, ncols++) {
		const cb_report_series *s = &rep->series[i];

		head[1 + ncols] = s->account;
		strcat(align, "r");
		if (s->npoints && s->points[0].from < first)
			first = s->points[0].from;
		if (s->npoints && s->points[s->npoints - 1].from > last)
			last = s->points[s->npoints - 1].from;
	}
	cb_view_doc_table_open(d, align, head);
	for (int32_t day = first; day <= last;) {
		const char *cells[1 + CB_REPORT_SERIES_ACCOUNTS];
		cb_view_num vals[CB_REPORT_SERIES_ACCOUNTS];
		const char *label = NULL;
		int32_t next = INT32_MAX;

		for (size_t c = 0; c < ncols; c++) {
			const cb_report_series *s = &rep->series[from + c];

			snprintf(vals[c].s, sizeof(vals[c].s), " ");
			for (size_t p = 0; p < s->npoints; p++) {
				if (s->points[p].from == day) {
					label = s->points[p].label;
					vals[c] = cb_view_fixed2(s->points[p].value);
					if (s->points[p].to < next)
						next = s->points[p].to;
				} else if (s->points[p].from > day && s->points[p].from < next) {
					next = s->points[p].from;
				}
			}
			cells[1 + c] = vals[c].s;
		}
		if (label) {
			cells[0] = label;
			cb_view_doc_table_row(d, NULL, cells);
		}
		if (next == INT32_MAX)
			break;
		day = next;
	}
	cb_view_doc_table_close(d);
}

/* Whether the series [from, to) of one KPI share a zero-based axis: one
 * decision for all, so that small multiples read alike. */
static int series_from_zero(const cb_report *rep, size_t from, size_t to)
{
	double lo = INFINITY, hi = -INFINITY;

	for (size_t i = from; i < to; i++)
		for (size_t p = 0; p < rep->series[i].npoints; p++) {
			double v = rep->series[i].points[p].value;

			if (rep->series[i].points[p].has_value) {
				lo = v < lo ? v : lo;
				hi = v > hi ? v : hi;
			}
		}
	return to > from && isfinite(lo) &&
	       cb_view_report_zero_based(rep->series[from].kpi, lo, hi);
}

void cb_view_report_series(cb_view_doc *d, const cb_report *rep)
{
	int account = rep->request.kind == CB_REPORT_ACCOUNT;

	cb_view_doc_heading(d, 2, "series", "KPIs over time");
	if (!rep->nseries) {
		cb_view_doc_para(d, "note",
				 "No KPI series to draw: no KPI with an effect to show, or no "
				 "observations.");
		return;
	}
	if (account)
		cb_view_doc_para(d, "lead", "Each KPI with values at this account, by month. %s",
				 d->md ? ""
				       : "Amber: the training sessions that reached it; shaded: "
					 "the baseline "
					 "and follow-up windows of the impact.");
	else
		cb_view_doc_para(d, "lead",
				 "The KPIs with the largest effects (against the spread of the "
				 "accounts' changes), "
				 "by month, at up to %d exposed accounts each: the first by key "
				 "with values in both "
				 "windows, not a selection of the best. %s",
				 CB_REPORT_SERIES_ACCOUNTS,
				 d->md ? ""
				       : "Amber: training; shaded: each account's baseline and "
					 "follow-up windows.");
	if (account && d->md)
		series_marks_table(d, rep, 0, 1);
	if (account && !d->md) {
		cb_view_doc_open(d, "div", "grid");
		for (size_t i = 0; i < rep->nseries; i++)
			series_chart(d, &rep->series[i], rep->series[i].kpi->name,
				     series_from_zero(rep, i, i + 1));
		cb_view_doc_close(d, "div");
		return;
	}
	for (size_t i = 0; i < rep->nseries;) {
		size_t j = i + 1;
		char h[300];

		while (!account && j < rep->nseries && rep->series[j].kpi == rep->series[i].kpi)
			j++;
		if (account)
			snprintf(h, sizeof(h), "%s (%s)", rep->series[i].kpi->name,
				 rep->series[i].kpi->unit);
		else
			snprintf(h, sizeof(h), "%s (%s) at %zu exposed account%s",
				 rep->series[i].kpi->name, rep->series[i].kpi->unit, j - i,
				 j - i == 1 ? "" : "s");
		cb_view_doc_heading(d, 3, NULL, h);
		if (d->md) {
			if (!account)
				series_marks_table(d, rep, i, j);
			series_table(d, rep, i, j);
		} else {
			cb_view_doc_open(d, "div", "grid");
			for (size_t k = i; k < j; k++)
				series_chart(d, &rep->series[k], rep->series[k].account,
					     series_from_zero(rep, i, j));
			cb_view_doc_close(d, "div");
		}
		i = j;
	}
}
