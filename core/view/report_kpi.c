/*
 * The report's KPIs, one figure each: the dumbbell of the exposed and
 * control groups before and after, the effect with its interval, the
 * table of the groups, the KPI in words and the event study; and what
 * every section says about a KPI (its verdict, its class, its axis).
 */
#include "view/report_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "format/svg.h"
#include "view/impact.h"

int cb_view_report_kpi_observed(const cb_impact_kpi *ik)
{
	return ik->baseline_obs || ik->follow_up_obs || ik->control_baseline_obs ||
	       ik->control_follow_up_obs;
}

/* The verdict, the same word as `impact` prints. */
const char *cb_view_report_result_text(const cb_impact_kpi *ik)
{
	return cb_impact_verdict_name(ik->verdict);
}

const char *cb_view_report_result_class(const cb_impact_kpi *ik)
{
	switch (ik->verdict) {
	case CB_IMPACT_IMPROVED:
		return "improved";
	case CB_IMPACT_WORSENED:
		return "worsened";
	case CB_IMPACT_TOO_LITTLE_DATA:
		return "thin";
	default:
		return "ns";
	}
}

/* Rates start their axis at zero unless that would squeeze the data into
 * less than a third of it: a dot plot needs no zero, but a rate read off a
 * zero-based axis does not exaggerate. */
static int is_rate(const cb_kpi_def *k)
{
	return strchr(k->unit, '%') || strstr(k->unit, "rate") || strstr(k->unit, "ratio") ||
	       strstr(k->unit, "share") || strstr(k->key, "rate") || strstr(k->key, "ratio");
}

int cb_view_report_zero_based(const cb_kpi_def *k, double lo, double hi)
{
	return is_rate(k) && lo >= 0 && lo <= 2 * (hi - lo);
}

static const char *group_label(char *buf, size_t len, const char *name, const cb_analysis_group *g)
{
	snprintf(buf, len, "%s (%zu)", name, g->paired);
	return buf;
}

/* The dumbbell of a KPI: each group's baseline and follow-up means, with
 * the follow-up whisker at baseline + the change's interval. */
static void kpi_dumbbell(cb_view_doc *d, const cb_impact_report *r, const cb_impact_kpi *ik)
{
	const cb_analysis_impact *im = &ik->impact;
	const cb_analysis_group *groups[2] = {&im->exposed, im->has_control ? &im->control : NULL};
	cb_svg_row rows[2];
	char labels[2][64], notes[2][120], tips[2][300], title[300], legend[64];
	double lo = INFINITY, hi = -INFINITY;
	size_t n = 0;
	cb_buf svg = CB_BUF_INIT;
	cb_svg_rows c = {0};

	for (int i = 0; i < 2; i++) {
		const cb_analysis_group *g = groups[i];

		if (!g || !g->paired)
			continue;
		rows[n] = (cb_svg_row){
			group_label(labels[n], sizeof(labels[n]), i ? "Control" : "Exposed", g),
			g->baseline_mean,
			g->follow_up_mean,
			g->enough ? g->baseline_mean + g->ci.low : NAN,
			g->enough ? g->baseline_mean + g->ci.high : NAN,
			notes[n],
			tips[n],
			i ? CB_SVG_MUTED : CB_SVG_PRIMARY};
		snprintf(notes[n], sizeof(notes[n]), "%s → %s (%s)",
			 cb_view_fixed2(g->baseline_mean).s, cb_view_fixed2(g->follow_up_mean).s,
			 cb_view_signed2(g->mean_change).s);
		snprintf(tips[n], sizeof(tips[n]),
			 "%s: %zu accounts with values in both windows; baseline %s, follow-up %s, "
			 "change %s %s",
			 i ? "Control" : "Exposed", g->paired, cb_view_fixed2(g->baseline_mean).s,
			 cb_view_fixed2(g->follow_up_mean).s, cb_view_signed2(g->mean_change).s,
			 cb_view_interval2(&g->ci, g->enough).s);
		{
			const double vs[4] = {rows[n].start, rows[n].value, rows[n].low,
					      rows[n].high};

			for (int k = 0; k < 4; k++) {
				if (isfinite(vs[k])) {
					lo = vs[k] < lo ? vs[k] : lo;
					hi = vs[k] > hi ? vs[k] : hi;
				}
			}
		}
		n++;
	}
	if (!n)
		return;
	snprintf(title, sizeof(title), "%s before and after: exposed and control accounts",
		 ik->kpi->name);
	snprintf(legend, sizeof(legend), "%.0f%% interval of the change",
		 r->request.analysis.level * 100);
	c.title = title;
	c.axis = ik->kpi->unit;
	c.css_class = "chart chart-kpi";
	c.rows = rows;
	c.nrows = n;
	c.legend[0] = "baseline";
	c.legend[1] = "follow-up";
	c.legend[2] = legend;
	c.from_zero = cb_view_report_zero_based(ik->kpi, lo, hi);
	c.width = 600;
	cb_view_doc_chart(d, &svg, cb_svg_rows_chart(&svg, &c));
}

static void kpi_effect_chart(cb_view_doc *d, const cb_impact_report *r, const cb_impact_kpi *ik)
{
	const cb_analysis_impact *im = &ik->impact;
	char note[120], tip[300], title[300];
	cb_svg_row row;
	cb_buf svg = CB_BUF_INIT;
	cb_svg_rows c = {0};

	if (im->thin)
		return;
	snprintf(note, sizeof(note), "%s %s", cb_view_signed2(im->effect).s,
		 cb_view_interval2(&im->effect_ci, 1).s);
	snprintf(tip, sizeof(tip), "%s: %s %s, %.0f%% interval; %s",
		 im->has_control ? "Difference-in-differences effect"
				 : "Exposed change (no control group)",
		 cb_view_signed2(im->effect).s, cb_view_interval2(&im->effect_ci, 1).s,
		 r->request.analysis.level * 100, cb_view_report_result_text(ik));
	row = (cb_svg_row){im->has_control ? "Effect" : "Change",
			   NAN,
			   im->effect,
			   im->effect_ci.low,
			   im->effect_ci.high,
			   note,
			   tip,
			   CB_SVG_STRONG};
	snprintf(title, sizeof(title), "%s: effect with its interval", ik->kpi->name);
	c.title = title;
	c.axis = ik->kpi->unit;
	c.css_class = "chart chart-effect";
	c.rows = &row;
	c.nrows = 1;
	c.zero_line = 1;
	c.width = 440;
	cb_view_doc_chart(d, &svg, cb_svg_rows_chart(&svg, &c));
}

/* The event study of one KPI: the effect in each window relative to
 * training, the placebo windows before it shaded (a chart in HTML, a table
 * in Markdown). */
static void kpi_event_study(cb_view_doc *d, const cb_impact_report *r, const cb_impact_kpi *ik)
{
	static const char *const head[] = {"window", "days from training", "effect", "interval",
					   "p"};
	cb_svg_event ev[CB_IMPACT_PLACEBO_WINDOWS + 1 + CB_IMPACT_FOLLOW_UP_WINDOWS];
	char labels[sizeof(ev) / sizeof(ev[0])][16], tips[sizeof(ev) / sizeof(ev[0])][240];
	char title[300], axis[120];
	cb_svg_events c = {0};
	cb_buf svg = CB_BUF_INIT;
	size_t n = 0;
	int W = r->request.window_days;

	if (ik->impact.thin || ik->nevents < 2)
		return;
	if (d->md) {
		cb_view_doc_table_open(d, "lrrrr", head);
		for (size_t w = 0; w < ik->nevents; w++) {
			const cb_impact_event *e = &ik->events[w];
			char win[16], days[48], p[16];

			snprintf(win, sizeof(win), "%+d%s", e->window,
				 e->window == -1 ? " (baseline)"
				 : e->placebo	 ? " (before)"
						 : "");
			if (e->window < 0)
				snprintf(days, sizeof(days), "%d to %d before", -e->window * W,
					 (-e->window - 1) * W);
			else
				snprintf(days, sizeof(days), "%d to %d after", e->window * W,
					 (e->window + 1) * W);
			snprintf(p, sizeof(p), "%s",
				 isfinite(e->p_value) ? cb_view_fixed2(e->p_value).s : "–");
			if (isfinite(e->p_value) && e->p_value < 0.001)
				snprintf(p, sizeof(p), "<0.001");
			cb_view_doc_table_row(
				d, NULL,
				(const char *const[]){
					win, days, e->thin ? "–" : cb_view_signed2(e->effect).s,
					cb_view_interval2(&e->ci, !e->thin && e->window != -1).s,
					p});
		}
		cb_view_doc_table_close(d);
		return;
	}
	for (size_t w = 0; w < ik->nevents && n < sizeof(ev) / sizeof(ev[0]); w++) {
		const cb_impact_event *e = &ik->events[w];

		snprintf(labels[n], sizeof(labels[n]), e->window ? "%+d" : "%d", e->window);
		if (e->window == -1)
			snprintf(tips[n], sizeof(tips[n]),
				 "window -1, the baseline (the %d days before training): the "
				 "reference, 0",
				 W);
		else if (e->thin)
			snprintf(tips[n], sizeof(tips[n]), "window %+d: %s", e->window, e->reason);
		else
			snprintf(tips[n], sizeof(tips[n]),
				 "window %+d: %s %s %s (%.1f%% interval%s)", e->window,
				 cb_view_signed2(e->effect).s, ik->kpi->unit,
				 cb_view_interval2(&e->ci, 1).s, e->level * 100,
				 e->placebo ? ", simultaneous over the windows before training"
					    : "");
		ev[n] = (cb_svg_event){labels[n],
				       e->thin ? NAN : e->effect,
				       e->thin || e->window == -1 ? NAN : e->ci.low,
				       e->thin || e->window == -1 ? NAN : e->ci.high,
				       e->window < 0,
				       e->window == -1,
				       tips[n]};
		n++;
	}
	snprintf(title, sizeof(title),
		 "%s: event study, the effect by %d-day window relative to training", ik->kpi->name,
		 W);
	snprintf(axis, sizeof(axis),
		 "window relative to training (%d days each; -1 is the baseline)", W);
	c.title = title;
	c.y_axis = ik->kpi->unit;
	c.x_axis = axis;
	c.css_class = "chart chart-events";
	c.before = "before training";
	c.divider = "training";
	c.events = ev;
	c.nevents = n;
	cb_view_doc_chart(d, &svg, cb_svg_event_chart(&svg, &c));
}

static void kpi_figure(cb_view_doc *d, const cb_impact_report *r, const cb_impact_kpi *ik)
{
	const cb_analysis_impact *im = &ik->impact;
	static const char *const head[] = {"group",	"accounts", "baseline",
					   "follow-up", "change",   "interval"};
	char h[300];

	cb_view_doc_open(d, "figure", "kpi");
	snprintf(h, sizeof(h), "%s (%s, %s is better)", ik->kpi->name, ik->kpi->unit,
		 ik->kpi->better == CB_KPI_HIGHER ? "higher" : "lower");
	if (d->md) {
		cb_view_doc_heading(d, 3, NULL, h);
	} else {
		cb_view_doc_raw(d, "<h3>");
		cb_view_doc_text(d, h);
		cb_view_doc_rawf(d, " <span class=\"badge b-%s\">",
				 cb_view_report_result_class(ik));
		cb_view_doc_text(d, cb_view_report_result_text(ik));
		cb_view_doc_raw(d, "</span></h3>\n");
	}
	cb_view_doc_open(d, "div", "charts");
	kpi_dumbbell(d, r, ik);
	kpi_effect_chart(d, r, ik);
	cb_view_doc_close(d, "div");
	cb_view_doc_table_open(d, "lrrrrr", head);
	for (int i = 0; i < 2; i++) {
		const cb_analysis_group *g = i ? &im->control : &im->exposed;
		char accounts[32];

		if (i && !im->has_control)
			continue;
		snprintf(accounts, sizeof(accounts), "%zu of %zu", g->paired, g->accounts);
		cb_view_doc_table_row(
			d, NULL,
			(const char *const[]){i ? "control" : "exposed", accounts,
					      cb_view_fixed2(g->baseline_mean).s,
					      cb_view_fixed2(g->follow_up_mean).s,
					      cb_view_signed2(g->mean_change).s,
					      cb_view_interval2(&g->ci, g->enough).s});
	}
	cb_view_doc_table_close(d);
	/* In words, as `impact` says it (its caveats included). */
	{
		cb_buf words = CB_BUF_INIT;

		cb_view_impact_kpi_words(r, ik, &words);
		cb_view_doc_para_open(d, "words");
		cb_view_doc_text(d, words.ptr ? words.ptr : "");
		cb_view_doc_para_close(d);
		cb_buf_free(&words);
	}
	kpi_event_study(d, r, ik);
	cb_view_doc_close(d, "figure");
}

void cb_view_report_kpis(cb_view_doc *d, const cb_impact_report *r)
{
	cb_view_doc_heading(d, 2, "kpis", "Level 4: the KPIs before and after");
	cb_view_doc_para(
		d, "lead",
		"For each KPI with data: the mean of the exposed accounts (blue) and of the "
		"control "
		"accounts (grey) in the baseline window (hollow) and the follow-up window "
		"(filled); the "
		"whisker is the %.0f%% interval of the change, drawn from the baseline. Right: the "
		"effect with its interval; 0 is no effect.",
		r->request.analysis.level * 100);
	for (size_t k = 0; k < r->nkpis; k++)
		if (cb_view_report_kpi_observed(&r->kpis[k]))
			kpi_figure(d, r, &r->kpis[k]);
}
