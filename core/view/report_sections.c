/*
 * The report's sections other than the KPI figures and the series: the
 * answer on the first screen, the summary, the account's own numbers, the
 * formats compared, the Kirkpatrick levels, ROI, outcome agreements, case
 * studies and how to read the report. Each writes one section of the
 * document from the cb_report it is given.
 */
#include "view/report_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app/case.h"
#include "format/svg.h"
#include "view/impact.h"

static void level_card(cb_view_doc *d, const char *level, const char *value, const char *detail)
{
	if (d->md) {
		cb_view_doc_raw(d, "- **");
		cb_view_doc_text(d, level);
		cb_view_doc_raw(d, "**: ");
		cb_view_doc_text(d, value);
		if (detail && *detail) {
			cb_view_doc_raw(d, " (");
			cb_view_doc_text(d, detail);
			cb_view_doc_raw(d, ")");
		}
		cb_view_doc_raw(d, "\n");
		return;
	}
	cb_view_doc_raw(d, "<div class=\"fact\"><span>");
	cb_view_doc_text(d, level);
	cb_view_doc_raw(d, "</span><b>");
	cb_view_doc_text(d, value);
	cb_view_doc_raw(d, "</b><span>");
	cb_view_doc_text(d, detail);
	cb_view_doc_raw(d, "</span></div>\n");
}

/* A KPI effect for a reader: "+7.37 pp", "-0.55 hours" (2 decimals). */
static void effect_words(char *buf, size_t size, const cb_kpi_def *k, double v)
{
	snprintf(buf, size, "%s %s", cb_view_signed2(v).s, strcmp(k->unit, "%") == 0 ? "pp" : k->unit);
}

/* The KPIs that moved most clearly (improved or worsened, the largest
 * effect against its standard error first), at most `max`. */
static size_t moved_most(const cb_impact_report *r, size_t *order, size_t max)
{
	size_t n = 0;

	for (size_t k = 0; k < r->nkpis; k++) {
		const cb_impact_kpi *ik = &r->kpis[k];
		double z;
		size_t at;

		if (ik->verdict != CB_IMPACT_IMPROVED && ik->verdict != CB_IMPACT_WORSENED)
			continue;
		z = ik->impact.se > 0 ? fabs(ik->impact.effect) / ik->impact.se : INFINITY;
		/* Insertion into the sorted list, keeping the best `max`. */
		for (at = n; at > 0; at--) {
			const cb_analysis_impact *o = &r->kpis[order[at - 1]].impact;
			double zo = o->se > 0 ? fabs(o->effect) / o->se : INFINITY;

			if (zo >= z)
				break;
			if (at < max)
				order[at] = order[at - 1];
		}
		if (at < max) {
			order[at] = k;
			if (n < max)
				n++;
		}
	}
	return n;
}

/* The first screen: did it work, and is it worth it? The verdict in
 * words, the KPIs that moved most, the one ROI, the formats compared. */
void cb_view_report_answer(cb_view_doc *d, const cb_report *rep)
{
	const cb_impact_report *r = rep->impact;
	cb_buf words = CB_BUF_INIT;
	size_t order[3], n = moved_most(r, order, 3);

	cb_view_doc_heading(d, 2, "answer", "Did it work, and is it worth it?");
	cb_view_impact_words(r, &words);
	cb_view_doc_para_open(d, "words lead-words");
	cb_view_doc_text(d, words.ptr ? words.ptr : "");
	cb_view_doc_para_close(d);
	if (n || r->roi.kpis) {
		if (!d->md)
			cb_view_doc_open(d, "div", "facts answer");
		for (size_t i = 0; i < n; i++) {
			const cb_impact_kpi *ik = &r->kpis[order[i]];
			char v[64], det[200], lo[64], hi[64];

			effect_words(v, sizeof(v), ik->kpi, ik->impact.effect);
			effect_words(lo, sizeof(lo), ik->kpi, ik->impact.effect_ci.low);
			effect_words(hi, sizeof(hi), ik->kpi, ik->impact.effect_ci.high);
			snprintf(det, sizeof(det), "%s; %.3g%% interval %s to %s",
				 cb_view_report_result_text(ik), r->request.analysis.level * 100,
				 lo, hi);
			level_card(d, ik->kpi->name, v, det);
		}
		if (r->roi.kpis) {
			char v[96], det[200], benefit[64], low[64], cost[64];

			cb_view_money(benefit, sizeof(benefit), r->roi.benefit, r->roi.currency);
			cb_view_money(low, sizeof(low), r->roi.benefit_low, r->roi.currency);
			cb_view_money(cost, sizeof(cost), r->roi.cost, r->roi.currency);
			if (r->roi.defined) {
				snprintf(v, sizeof(v), "ROI %.0f%%", r->roi.roi_percent);
				snprintf(det, sizeof(det),
					 "%.0f%% conservatively; %s a year (%s) for %s",
					 r->roi.roi_percent_low, benefit, low, cost);
			} else {
				snprintf(v, sizeof(v), "%s a year", benefit);
				snprintf(det, sizeof(det), "%s conservatively; no cost recorded",
					 low);
			}
			level_card(d, "Return on investment", v, det);
		}
		if (!d->md)
			cb_view_doc_close(d, "div");
		else
			cb_view_doc_raw(d, "\n");
	}
	cb_buf_clear(&words);
	cb_view_impact_roi_words(r, &words);
	if (words.len)
		cb_view_doc_para(d, "note", "%s", words.ptr);
	if (rep->nformats) {
		const cb_impact_report *groups[8];
		const char *names[8];
		size_t ng = rep->nformats < 8 ? rep->nformats : 8;
		json_t *rows = NULL;
		char warning[400];

		for (size_t g = 0; g < ng; g++) {
			groups[g] = rep->formats[g].impact;
			names[g] = rep->formats[g].format;
		}
		const char *keys[3];

		/* The formats compared on the KPIs shown above. */
		for (size_t i = 0; i < n; i++)
			keys[i] = r->kpis[order[i]].kpi->key;
		cb_buf_clear(&words);
		if (cb_view_impact_compare(groups, names, ng, "format", keys, n, &rows, &words) ==
			    0 &&
		    words.len)
			cb_view_doc_para(d, "words", "%s", words.ptr);
		json_decref(rows);
		if (cb_view_impact_confounded(r->sessions, r->nsessions, warning, sizeof(warning)))
			cb_view_doc_para(d, "warning", "Warning: %s.", warning);
	}
	cb_buf_free(&words);
}

void cb_view_report_summary(cb_view_doc *d, const cb_report *rep)
{
	const cb_impact_report *r = rep->impact;
	const cb_impact_request *q = &r->request;
	static const char *const head[] = {"KPI",	"unit",	    "accounts",	      "baseline",
					   "follow-up", "change",   "control change", "effect",
					   "interval",	"p (adj.)", "result"};
	size_t with_data = 0;
	char sessions[32], exposed[32], control[32], windows[32], window_note[64], cost[64],
		kpis[64];
	char cohorts[32];

	for (size_t k = 0; k < r->nkpis; k++)
		with_data += cb_view_report_kpi_observed(&r->kpis[k]) != 0;
	snprintf(sessions, sizeof(sessions), "%zu", r->nsessions);
	if (q->control == CB_CONTROL_NONE)
		snprintf(control, sizeof(control), "none");
	else
		snprintf(control, sizeof(control), "%zu", r->control);
	snprintf(windows, sizeof(windows), "%d days", q->window_days);
	snprintf(window_note, sizeof(window_note), "windows before and after, lag %d days",
		 q->lag_days);
	if (r->cost > 0 && !r->mixed_currency)
		cb_view_money(cost, sizeof(cost), r->cost, r->currency);
	else
		snprintf(cost, sizeof(cost), "%s",
			 r->mixed_currency ? "several currencies" : "not recorded");
	snprintf(kpis, sizeof(kpis), "%zu of %zu", r->summary.improved_adjusted, r->summary.tested);
	snprintf(exposed, sizeof(exposed), "%zu", r->exposed);
	snprintf(cohorts, sizeof(cohorts), "%zu", r->ncohorts);
	{
		const char *const facts[][2] = {
			{sessions, r->nsessions == 1 ? "session" : "sessions"},
			{exposed, "exposed accounts"},
			{cohorts, r->ncohorts == 1 ? "cohort (accounts trained on the same days)"
						   : "cohorts (accounts trained on the same days)"},
			{control,
			 q->control == CB_CONTROL_NONE
				 ? "control group: effects are exposed changes"
			 : q->control == CB_CONTROL_AUTO
				 ? "control accounts (never trained), over each cohort's dates"
			 : q->control == CB_CONTROL_NOT_YET
				 ? "control accounts (not yet trained), over each cohort's dates"
				 : "control accounts (named), over each cohort's dates"},
			{windows, window_note},
			{cost, "cost of the sessions"},
			{kpis, "KPIs improved (clear after adjusting for testing them all)"},
		};

		if (d->md) {
			for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]); i++) {
				cb_view_doc_raw(d, "- ");
				cb_view_doc_text(d, facts[i][1]);
				cb_view_doc_raw(d, ": ");
				cb_view_doc_text(d, facts[i][0]);
				cb_view_doc_raw(d, "\n");
			}
			cb_view_doc_raw(d, "\n");
		} else {
			cb_view_doc_open(d, "div", "facts");
			for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]); i++) {
				cb_view_doc_raw(d, "<div class=\"fact\"><b>");
				cb_view_doc_text(d, facts[i][0]);
				cb_view_doc_raw(d, "</b><span>");
				cb_view_doc_text(d, facts[i][1]);
				cb_view_doc_raw(d, "</span></div>\n");
			}
			cb_view_doc_close(d, "div");
		}
	}
	{
		static const char *const shead[] = {"session", "format", "trainer", "first day",
						    "last day"};

		cb_view_doc_table_open(d, "lllll", shead);
		for (size_t i = 0; i < r->nsessions; i++) {
			const cb_exposure_session *s = &r->sessions[i];

			cb_view_doc_table_row(
				d, NULL,
				(const char *const[]){
					s->key, s->format, s->trainer[0] ? s->trainer : "–",
					cb_view_date(s->first).s, cb_view_date(s->last).s});
		}
		cb_view_doc_table_close(d);
	}
	{
		char line[512];

		cb_view_impact_summary_line(r, line, sizeof(line));
		cb_view_doc_para(d, "lead", "%s", line);
		if (cb_view_impact_partial_line(r, line, sizeof(line)))
			cb_view_doc_para(d, "note", "Note: %s.", line);
		for (size_t k = 0; k < r->nkpis; k++)
			if (r->kpis[k].pretrend_warning) {
				cb_view_impact_pretrend_text(r, &r->kpis[k], line, sizeof(line));
				cb_view_doc_para(d, "warning", "Warning: %s: %s.",
						 r->kpis[k].kpi->name, line);
			}
	}
	cb_view_doc_heading(d, 3, NULL, "All KPIs with data");
	cb_view_doc_table_open(d, "wlrrrrrrrrl", head);
	for (size_t k = 0; k < r->nkpis; k++) {
		const cb_impact_kpi *ik = &r->kpis[k];
		const cb_analysis_impact *im = &ik->impact;
		char accounts[24], p[48];

		if (!cb_view_report_kpi_observed(ik))
			continue;
		snprintf(accounts, sizeof(accounts), "%zu", im->exposed.paired);
		if (im->thin)
			snprintf(p, sizeof(p), "–");
		else
			snprintf(p, sizeof(p), "%s (%s)", cb_view_p_value(im->p_value).s,
				 cb_view_p_value(im->p_adjusted).s);
		cb_view_doc_table_row(
			d, cb_view_report_result_class(ik),
			(const char *const[]){
				ik->kpi->name,
				strcmp(ik->kpi->unit, "%") == 0 ? "% (pp)" : ik->kpi->unit,
				accounts, cb_view_fixed2(im->exposed.baseline_mean).s,
				cb_view_fixed2(im->exposed.follow_up_mean).s,
				cb_view_signed2(im->exposed.mean_change).s,
				cb_view_signed2(im->has_control ? im->control.mean_change : NAN).s,
				cb_view_signed2(im->effect).s,
				cb_view_interval2(&im->effect_ci, !im->thin).s, p,
				cb_view_report_result_text(ik)});
	}
	cb_view_doc_table_close(d);
	if (with_data < r->nkpis)
		cb_view_doc_para(d, "note",
				 "%zu KPI%s without a single observation for these accounts %s "
				 "left out (the "
				 "embedded data lists every KPI).",
				 r->nkpis - with_data, r->nkpis - with_data == 1 ? "" : "s",
				 r->nkpis - with_data == 1 ? "is" : "are");
}

void cb_view_report_formats(cb_view_doc *d, const cb_report *rep)
{
	const cb_impact_report *all = rep->impact;
	static const char *const fhead[] = {"format", "sessions", "exposed accounts",
					    "control accounts"};
	const char *head[2 + 8];
	char align[16] = "l";

	cb_view_doc_heading(d, 2, "formats", "By delivery format");
	if (!rep->nformats) {
		cb_view_doc_para(
			d, "note",
			"All of the program's sessions are in one format: nothing to compare.");
		return;
	}
	cb_view_doc_para(d, "lead",
			 "The program's sessions grouped by format, each group against the same "
			 "control rule "
			 "(as 'casebook impact --by format'). Effects with their %.0f%% intervals; "
			 "the last row "
			 "is all formats together.",
			 all->request.analysis.level * 100);
	cb_view_doc_table_open(d, "lrrr", fhead);
	for (size_t g = 0; g < rep->nformats; g++) {
		const cb_impact_report *r = rep->formats[g].impact;
		char ns[24], ne[24], nc[24];

		snprintf(ns, sizeof(ns), "%zu", r->nsessions);
		snprintf(ne, sizeof(ne), "%zu", r->exposed);
		snprintf(nc, sizeof(nc), "%zu", r->control);
		cb_view_doc_table_row(d, NULL,
				      (const char *const[]){rep->formats[g].format, ns, ne, nc});
	}
	cb_view_doc_table_close(d);
	head[0] = "KPI";
	for (size_t g = 0; g < rep->nformats; g++) {
		head[1 + g] = rep->formats[g].format;
		strcat(align, "r");
	}
	head[1 + rep->nformats] = "all formats";
	strcat(align, "r");
	cb_view_doc_table_open(d, align, head);
	for (size_t k = 0; k < all->nkpis; k++) {
		const char *cells[2 + 8];
		cb_view_num vals[2 + 8];

		if (!cb_view_report_kpi_observed(&all->kpis[k]))
			continue;
		cells[0] = all->kpis[k].kpi->name;
		for (size_t g = 0; g <= rep->nformats; g++) {
			const cb_impact_report *r =
				g < rep->nformats ? rep->formats[g].impact : all;
			const cb_analysis_impact *im = &r->kpis[k].impact;
			char eff[64];

			/* The effect in its unit, a rate's in pp, as on the first screen. */
			effect_words(eff, sizeof(eff), all->kpis[k].kpi, im->effect);
			if (im->thin)
				snprintf(vals[g].s, sizeof(vals[g].s), "too thin");
			else
				snprintf(vals[g].s, sizeof(vals[g].s), "%s %s", eff,
					 cb_view_interval2(&im->effect_ci, 1).s);
			cells[1 + g] = vals[g].s;
		}
		cb_view_doc_table_row(d, NULL, cells);
	}
	cb_view_doc_table_close(d);
	cb_view_doc_open(d, "div", "grid wide");
	for (size_t k = 0; k < all->nkpis && !d->md; k++) {
		const cb_impact_kpi *ik = &all->kpis[k];
		cb_svg_row rows[9];
		char notes[9][80], tips[9][200], title[300];
		size_t n = 0, drawn = 0;
		cb_buf svg = CB_BUF_INIT;
		cb_svg_rows c = {0};

		if (!cb_view_report_kpi_observed(ik))
			continue;
		for (size_t g = 0; g <= rep->nformats; g++) {
			const cb_impact_report *r =
				g < rep->nformats ? rep->formats[g].impact : all;
			const cb_analysis_impact *im = &r->kpis[k].impact;
			const char *name =
				g < rep->nformats ? rep->formats[g].format : "all formats";

			if (im->thin)
				snprintf(notes[n], sizeof(notes[n]), "too thin");
			else
				snprintf(notes[n], sizeof(notes[n]), "%s %s",
					 cb_view_signed2(im->effect).s,
					 cb_view_interval2(&im->effect_ci, 1).s);
			snprintf(tips[n], sizeof(tips[n]),
				 "%s: %zu sessions, %zu exposed accounts; effect %s", name,
				 r->nsessions, r->exposed, notes[n]);
			rows[n] = (cb_svg_row){name,
					       NAN,
					       im->thin ? NAN : im->effect,
					       im->thin ? NAN : im->effect_ci.low,
					       im->thin ? NAN : im->effect_ci.high,
					       notes[n],
					       tips[n],
					       g < rep->nformats ? CB_SVG_PRIMARY : CB_SVG_STRONG};
			drawn += !im->thin;
			n++;
		}
		if (!drawn)
			continue;
		snprintf(title, sizeof(title), "%s: effect by format", ik->kpi->name);
		c.title = title;
		c.axis = ik->kpi->unit;
		c.css_class = "chart chart-format";
		c.rows = rows;
		c.nrows = n;
		c.zero_line = 1;
		c.width = 500;
		cb_view_doc_open(d, "figure", "format");
		cb_view_doc_raw(d, "<h3>");
		cb_view_doc_text(d, ik->kpi->name);
		cb_view_doc_raw(d, "</h3>\n");
		cb_view_doc_chart(d, &svg, cb_svg_rows_chart(&svg, &c));
		cb_view_doc_close(d, "figure");
	}
	cb_view_doc_close(d, "div");
}

void cb_view_report_levels(cb_view_doc *d, const cb_report *rep)
{
	const cb_impact_report *r = rep->impact;
	char v[160], det[300];

	cb_view_doc_heading(d, 2, "kirkpatrick", "Kirkpatrick levels");
	cb_view_doc_open(d, "div", "facts");
	if (r && r->levels.reactions) {
		snprintf(v, sizeof(v), "%s / 5", cb_view_fixed2(r->levels.reaction_mean).s);
		snprintf(det, sizeof(det), "mean of %zu answers", r->levels.reactions);
	} else {
		snprintf(v, sizeof(v), "not recorded");
		snprintf(det, sizeof(det), "session attend --reaction");
	}
	level_card(d, "Level 1: reaction", v, det);
	if (r && r->levels.tested) {
		snprintf(v, sizeof(v), "%s points", cb_view_signed2(r->levels.gain_mean).s);
		snprintf(det, sizeof(det), "test %s → %s, %zu tested",
			 cb_view_fixed2(r->levels.pre_mean).s,
			 cb_view_fixed2(r->levels.post_mean).s, r->levels.tested);
	} else {
		snprintf(v, sizeof(v), "not recorded");
		snprintf(det, sizeof(det), "session attend --pre --post");
	}
	level_card(d, "Level 2: learning", v, det);
	if (!rep->ncases) {
		snprintf(v, sizeof(v), "no case studies yet");
		snprintf(det, sizeof(det), "%s",
			 rep->request.kind == CB_REPORT_ACCOUNT ? "none is about this account"
								: "none cites these sessions");
	} else {
		size_t len = 0;

		snprintf(v, sizeof(v), "%zu case stud%s", rep->ncases,
			 rep->ncases == 1 ? "y" : "ies");
		det[0] = '\0';
		for (size_t i = 0; i < rep->nstatuses && len < sizeof(det); i++)
			len += (size_t)snprintf(det + len, sizeof(det) - len, "%s%zu %s",
						i ? ", " : "", rep->statuses[i].count,
						rep->statuses[i].status);
	}
	level_card(d, "Level 3: behaviour", v, det);
	if (r) {
		snprintf(v, sizeof(v), "%zu of %zu KPIs improved", r->summary.improved_adjusted,
			 r->summary.tested);
		snprintf(det, sizeof(det),
			 "clear after adjusting for testing them all; see the KPIs");
	} else {
		snprintf(v, sizeof(v), "no training to measure");
		det[0] = '\0';
	}
	level_card(d, "Level 4: results", v, det);
	cb_view_doc_close(d, "div");
	if (d->md)
		cb_view_doc_raw(d, "\n");
}

void cb_view_report_roi(cb_view_doc *d, const cb_impact_report *r)
{
	static const char *const head[] = {
		"KPI", "value per unit", "benefit per year", "ROI %", "BCR", "note"};
	cb_svg_row rows[64];
	char notes[64][80], tips[64][200];
	size_t n = 0, shown = 0;

	cb_view_doc_heading(d, 2, "roi", "Return on investment");
	for (size_t k = 0; k < r->nkpis; k++)
		shown += r->kpis[k].has_value;
	if (!shown) {
		cb_view_doc_para(d, "note",
				 "No KPI has a money value ('casebook kpi value KPI --per-unit N "
				 "--currency EUR'), so there is no ROI to show.");
		return;
	}
	{
		char cost[64];
		cb_buf words = CB_BUF_INIT;

		cb_view_money(cost, sizeof(cost), r->cost, r->currency);
		cb_view_impact_roi_words(r, &words);
		if (words.len)
			cb_view_doc_para(d, "lead", "%s", words.ptr);
		cb_buf_free(&words);
		cb_view_doc_para(d, "note",
				 "Phillips ROI per year, per KPI: benefit = effect × value × "
				 "exposed accounts (× 365 "
				 "/ window days for a KPI counted over its window); ROI %% = "
				 "(benefit − cost) / cost "
				 "× 100; BCR = benefit / cost. Each at the effect [and at its "
				 "interval's ends]. "
				 "Cost: %s.",
				 cost);
	}
	cb_view_doc_table_open(d, "lrrrrl", head);
	for (size_t k = 0; k < r->nkpis; k++) {
		const cb_impact_kpi *ik = &r->kpis[k];
		char value[96], benefit[160], roi[160], bcr[160];

		if (!ik->has_value)
			continue;
		/* A rate's unit of change is a percentage point. */
		snprintf(value, sizeof(value), "%s %s/%s (%s)",
			 cb_view_fixed2(ik->value.per_unit).s, ik->value.currency,
			 strcmp(ik->kpi->unit, "%") == 0 ? "pp" : ik->kpi->unit, ik->value.kind);
		if (!ik->roi_ok) {
			cb_view_doc_table_row(d, NULL,
					      (const char *const[]){ik->kpi->name, value, "–", "–",
								    "–", ik->roi_note});
			continue;
		}
		{
			char e[64], l[64], h[64];

			cb_view_money(e, sizeof(e), ik->roi.estimate.benefit, ik->value.currency);
			cb_view_money(l, sizeof(l), ik->roi.low.benefit, NULL);
			cb_view_money(h, sizeof(h), ik->roi.high.benefit, NULL);
			snprintf(benefit, sizeof(benefit), "%s [%s, %s]", e, l, h);
		}
		if (ik->roi.defined) {
			snprintf(roi, sizeof(roi), "%s [%s, %s]",
				 cb_view_fixed2(ik->roi.estimate.roi_percent).s,
				 cb_view_fixed2(ik->roi.low.roi_percent).s,
				 cb_view_fixed2(ik->roi.high.roi_percent).s);
			snprintf(bcr, sizeof(bcr), "%s [%s, %s]",
				 cb_view_fixed2(ik->roi.estimate.bcr).s,
				 cb_view_fixed2(ik->roi.low.bcr).s,
				 cb_view_fixed2(ik->roi.high.bcr).s);
		} else {
			snprintf(roi, sizeof(roi), "–");
			snprintf(bcr, sizeof(bcr), "–");
		}
		cb_view_doc_table_row(
			d, NULL,
			(const char *const[]){ik->kpi->name, value, benefit, roi, bcr,
					      ik->roi.defined ? "" : "no cost recorded"});
		if (ik->roi.defined && n < 64) {
			snprintf(notes[n], sizeof(notes[n]), "%s%% [%s, %s]",
				 cb_view_fixed2(ik->roi.estimate.roi_percent).s,
				 cb_view_fixed2(ik->roi.low.roi_percent).s,
				 cb_view_fixed2(ik->roi.high.roi_percent).s);
			snprintf(tips[n], sizeof(tips[n]), "%s: ROI %s, BCR %s", ik->kpi->name,
				 notes[n], cb_view_fixed2(ik->roi.estimate.bcr).s);
			rows[n] = (cb_svg_row){ik->kpi->name,
					       NAN,
					       ik->roi.estimate.roi_percent,
					       ik->roi.low.roi_percent,
					       ik->roi.high.roi_percent,
					       notes[n],
					       tips[n],
					       CB_SVG_STRONG};
			n++;
		}
	}
	cb_view_doc_table_close(d);
	if (n) {
		cb_buf svg = CB_BUF_INIT;
		cb_svg_rows c = {0};

		c.title = "ROI per year at the effect and its interval's ends";
		c.axis = "ROI % per year";
		c.css_class = "chart chart-roi";
		c.rows = rows;
		c.nrows = n;
		c.zero_line = 1;
		c.width = 720;
		cb_view_doc_open(d, "figure", "roi");
		cb_view_doc_chart(d, &svg, cb_svg_rows_chart(&svg, &c));
		cb_view_doc_close(d, "figure");
	}
}

void cb_view_report_account(cb_view_doc *d, const cb_report *rep)
{
	const cb_impact_report *r = rep->impact;
	static const char *const head[] = {"KPI",    "baseline",      "follow-up",
					   "change", "cohort change", "cohort effect"};

	cb_view_doc_heading(d, 2, "account", "This account's numbers");
	if (!r) {
		cb_view_doc_para(
			d, "note",
			"No session has reached this account yet, so there is no before and "
			"after to compare. Its KPI series follow.");
		return;
	}
	cb_view_doc_para(
		d, "lead",
		"Its values in the windows around session %s, the first that reached it, next to "
		"that "
		"session's exposed accounts (the cohort, whose impact the sections below show).",
		rep->impact_session);
	cb_view_doc_table_open(d, "lrrrrr", head);
	for (size_t k = 0; k < r->nkpis; k++) {
		const cb_impact_kpi *ik = &r->kpis[k];
		const cb_impact_account *ia = cb_report_account_values(ik, rep->request.key);

		if (!ia || (!isfinite(ia->baseline) && !isfinite(ia->follow_up)))
			continue;
		cb_view_doc_table_row(
			d, NULL,
			(const char *const[]){ik->kpi->name, cb_view_fixed2(ia->baseline).s,
					      cb_view_fixed2(ia->follow_up).s,
					      cb_view_signed2(ia->follow_up - ia->baseline).s,
					      cb_view_signed2(ik->impact.exposed.mean_change).s,
					      cb_view_signed2(ik->impact.effect).s});
	}
	cb_view_doc_table_close(d);
}

void cb_view_report_outcomes(cb_view_doc *d, const cb_report *rep)
{
	static const char *const head[] = {"account", "KPI",	    "target", "minimum", "period",
					   "value",   "attainment", "before", "after"};

	cb_view_doc_heading(d, 2, "outcomes", "Outcome agreements");
	if (!rep->noutcomes) {
		cb_view_doc_para(
			d, "note",
			"No outcome agreements for these accounts ('casebook outcome set').");
		return;
	}
	cb_view_doc_para(d, "lead",
			 "Attainment over each agreed period, and in the baseline and follow-up "
			 "windows around "
			 "the account's first training (as 'casebook outcome status').");
	cb_view_doc_table_open(d, "llrrlrlll", head);
	for (size_t i = 0; i < rep->noutcomes; i++) {
		const cb_report_outcome *o = &rep->outcomes[i];
		char period[32], value[260], before[80], after[80];

		snprintf(period, sizeof(period), "%s .. %s", o->from, o->to);
		if (isfinite(o->period))
			snprintf(value, sizeof(value), "%s", cb_view_fixed2(o->period).s);
		else
			snprintf(value, sizeof(value), "– (%s)",
				 o->period_reason[0] ? o->period_reason : "no value");
		if (o->trained) {
			snprintf(before, sizeof(before), "%s: %s", cb_view_fixed2(o->baseline).s,
				 o->baseline_attainment);
			snprintf(after, sizeof(after), "%s: %s", cb_view_fixed2(o->follow_up).s,
				 o->follow_up_attainment);
		} else {
			snprintf(before, sizeof(before), "not trained");
			snprintf(after, sizeof(after), "–");
		}
		cb_view_doc_table_row(
			d, NULL,
			(const char *const[]){o->account, o->kpi_name, cb_view_fixed2(o->target).s,
					      cb_view_fixed2(o->minimum).s, period, value,
					      o->period_attainment, before, after});
	}
	cb_view_doc_table_close(d);
}

void cb_view_report_cases(cb_view_doc *d, const cb_report *rep)
{
	static const char *const head[] = {"case study", "title",  "account",
					   "technician", "status", "evidence"};

	cb_view_doc_heading(d, 2, "cases", "Case studies");
	if (!rep->ncases) {
		cb_view_doc_para(d, "note", "%s",
				 rep->request.kind == CB_REPORT_ACCOUNT
					 ? "No case studies about this account yet."
					 : "No case studies cite these sessions yet.");
		return;
	}
	/* Slug and title wrap, so that the table fits 1280 px and the page. */
	cb_view_doc_table_open(d, "wwllll", head);
	for (size_t i = 0; i < rep->ncases; i++) {
		const cb_report_case *c = &rep->cases[i];
		cb_buf ev = CB_BUF_INIT;

		/* An approval against the evidence says so where the evidence is. */
		if (c->despite_reason)
			cb_buf_printf(&ev, "%s; approved despite the evidence by %s: %s",
				      c->evidence, c->despite_by, c->despite_reason);
		cb_view_doc_table_row(
			d, NULL,
			(const char *const[]){c->slug, c->title, c->account, c->technician,
					      c->status,
					      c->despite_reason ? cb_buf_cstr(&ev) : c->evidence});
		cb_buf_free(&ev);
	}
	cb_view_doc_table_close(d);
	cb_view_doc_para(
		d, "note",
		"Evidence: each claim of a case, held against the account's data for its KPI and "
		"period (casebook case show SLUG has the figures). A claim agrees when its before "
		"and "
		"its after each lie within the %.0f%% interval of the KPI measured over the same "
		"window; a window with fewer than %d observations is too few to check.",
		CB_CASE_LEVEL * 100, CB_CASE_MIN_OBSERVATIONS);
}

void cb_view_report_method(cb_view_doc *d, const cb_impact_report *r)
{
	cb_view_doc_heading(d, 2, "method", "How to read this report");
	if (r) {
		const cb_impact_request *q = &r->request;

		cb_view_doc_para(
			d, NULL,
			"Accounts trained by the same session days form a cohort (%zu here). A "
			"cohort's "
			"baseline is the %d days before its first training day; its follow-up is "
			"%d days "
			"after its last, %d days skipped. Each cohort is compared with control "
			"accounts "
			"(%s) measured over the same dates, so that the season and the market's "
			"trend "
			"cancel; the effect is the difference in differences (the trained "
			"accounts' mean "
			"change minus the controls' over the same dates), averaged over the "
			"cohorts by "
			"their accounts. Intervals are %.0f%% intervals: %s. p is the chance of a "
			"difference at least as large if training changed nothing; adjusted p "
			"allows for "
			"testing every KPI at once (Benjamini-Hochberg).",
			r->ncohorts, q->window_days, q->window_days, q->lag_days,
			cb_view_control_mode_name(q->control), q->analysis.level * 100,
			CB_ANALYSIS_METHOD);
	}
	cb_view_doc_para(
		d, NULL,
		"Numbers are rounded to 2 decimals (printf %%.2f) for display. They come from the "
		"same "
		"computation as 'casebook impact --json' with the same options; %s",
		d->md ? "the HTML report embeds that JSON at full precision."
		      : "this file embeds that JSON at full precision in the script element "
			"\"casebook-data\" (key \"impact\").");
	cb_view_doc_para(
		d, NULL,
		"A rate's axis starts at zero unless that would squeeze its values into less than "
		"a "
		"third of the axis; other axes fit the data, and every effect axis includes zero.");
}
