/*
 * casebook report: one self-contained, offline HTML file (or Markdown) that
 * shows a session's, a program's or an account's training impact with
 * charts. Every figure comes from the same cb_impact_report that `impact
 * --json` prints; the page embeds that JSON at full precision and shows it
 * rounded to 2 decimals.
 */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/case.h"
#include "app/report.h"
#include "base/buf.h"
#include "base/date.h"
#include "base/error.h"
#include "format/html.h"
#include "format/svg.h"
#include "view/impact.h"

static const char report_help[] =
	"usage: casebook report (--session S | --program P | --account A) --out FILE\n"
	"                       [--format html|md] [--window DAYS] [--lag DAYS]\n"
	"                       [--control auto|not-yet|none|ACCOUNT,...] [--kpi K]...\n"
	"                       [--level 0.95] [--json]\n"
	"\n"
	"Writes a report of the training's impact to FILE: one self-contained HTML\n"
	"page (no network, no JavaScript; charts as inline SVG; prints cleanly), or\n"
	"with --format md (the default for a FILE ending in .md) the same content\n"
	"as Markdown tables. It holds, for each KPI with data, the exposed and\n"
	"control accounts before and after with intervals and the effect; KPI\n"
	"series by month with the training marked; for a program, the formats side\n"
	"by side; the Kirkpatrick levels; ROI; outcome attainment; case studies.\n"
	"\n"
	"The numbers are those of 'casebook impact --json' with the same options,\n"
	"shown with 2 decimals; the HTML embeds that JSON at full precision in\n"
	"<script type=\"application/json\" id=\"casebook-data\">. For --account the\n"
	"impact is that of the first session that reached the account.\n"
	"--window, --lag, --control, --kpi and --level work as for\n"
	"'casebook impact'. FILE is replaced whole or not at all.\n";

/* ---- Numbers as the page shows them: 2 decimals (printf's %.2f). ---- */

typedef struct num {
	char s[80];
} num;

static num n2(double v)
{
	num n;

	if (isfinite(v))
		snprintf(n.s, sizeof(n.s), "%.2f", v);
	else
		snprintf(n.s, sizeof(n.s), "–");
	return n;
}

static num s2(double v)
{
	num n;

	if (isfinite(v))
		snprintf(n.s, sizeof(n.s), "%+.2f", v);
	else
		snprintf(n.s, sizeof(n.s), "–");
	return n;
}

static num ci2(const cb_analysis_interval *ci, int ok)
{
	num n;

	if (ok && isfinite(ci->low) && isfinite(ci->high))
		snprintf(n.s, sizeof(n.s), "[%.2f, %.2f]", ci->low, ci->high);
	else
		snprintf(n.s, sizeof(n.s), "–");
	return n;
}

/* A p-value: 3 decimals, "<0.001" below, "–" for none. */
static num p_text(double p)
{
	num n;

	if (!isfinite(p))
		snprintf(n.s, sizeof(n.s), "–");
	else if (p < 0.001)
		snprintf(n.s, sizeof(n.s), "<0.001");
	else
		snprintf(n.s, sizeof(n.s), "%.3f", p);
	return n;
}

static num date_of(int32_t day)
{
	num n;

	cb_date_format(day, n.s);
	return n;
}

/* ---- A document written as HTML or as Markdown, with a sticky error. ---- */

typedef struct doc {
	cb_buf b;
	int md;
	int rc;
	size_t charts;
	/* the table being written */
	size_t ncols;
	char align[16];
} doc;

static void raw(doc *d, const char *s)
{
	if (!d->rc)
		d->rc = cb_buf_puts(&d->b, s);
}

static void rawf(doc *d, const char *fmt, ...) CB_PRINTF(2, 3);

static void rawf(doc *d, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	raw(d, tmp);
}

/* Markdown: backslash-escape what would turn text into markup (and '|',
 * which would end a table cell); line breaks become spaces. */
static void md_text(doc *d, const char *s)
{
	for (; s && *s && !d->rc; s++) {
		char c = *s;

		if (c == '\n' || c == '\r') {
			d->rc = cb_buf_putc(&d->b, ' ');
			continue;
		}
		if (strchr("\\`*_[]<>#|", c))
			d->rc = cb_buf_putc(&d->b, '\\');
		if (!d->rc)
			d->rc = cb_buf_putc(&d->b, c);
	}
}

/* Text in the document's language, escaped. */
static void txt(doc *d, const char *s)
{
	if (d->md)
		md_text(d, s);
	else if (!d->rc)
		d->rc = cb_html_text(&d->b, s);
}

static void txtf(doc *d, const char *fmt, ...) CB_PRINTF(2, 3);

static void txtf(doc *d, const char *fmt, ...)
{
	char tmp[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	txt(d, tmp);
}

static void heading(doc *d, int level, const char *id, const char *text)
{
	if (d->md) {
		raw(d, "\n");
		for (int i = 0; i < level; i++)
			raw(d, "#");
		raw(d, " ");
		txt(d, text);
		raw(d, "\n\n");
		return;
	}
	rawf(d, "<h%d", level);
	if (id)
		rawf(d, " id=\"%s\"", id);
	raw(d, ">");
	txt(d, text);
	rawf(d, "</h%d>\n", level);
}

/* A paragraph: para_open, text, para_close. */
static void para_open(doc *d, const char *cls)
{
	if (d->md)
		return;
	if (cls)
		rawf(d, "<p class=\"%s\">", cls);
	else
		raw(d, "<p>");
}

static void para_close(doc *d)
{
	raw(d, d->md ? "\n\n" : "</p>\n");
}

static void para(doc *d, const char *cls, const char *fmt, ...) CB_PRINTF(3, 4);

static void para(doc *d, const char *cls, const char *fmt, ...)
{
	char tmp[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	para_open(d, cls);
	txt(d, tmp);
	para_close(d);
}

/* HTML only: a container element. */
static void open_tag(doc *d, const char *tag, const char *cls)
{
	if (d->md)
		return;
	rawf(d, "<%s", tag);
	if (cls)
		rawf(d, " class=\"%s\"", cls);
	raw(d, ">\n");
}

static void close_tag(doc *d, const char *tag)
{
	if (!d->md)
		rawf(d, "</%s>\n", tag);
}

/* A table: `align` has one letter per column, 'l' or 'r' (numbers). */
static void table_open(doc *d, const char *align, const char *const *head)
{
	d->ncols = strlen(align);
	snprintf(d->align, sizeof(d->align), "%s", align);
	if (d->md) {
		for (size_t i = 0; i < d->ncols; i++) {
			raw(d, "| ");
			md_text(d, head[i]);
			raw(d, " ");
		}
		raw(d, "|\n");
		for (size_t i = 0; i < d->ncols; i++)
			raw(d, d->align[i] == 'r' ? "| ---: " : "| --- ");
		raw(d, "|\n");
		return;
	}
	raw(d, "<table><thead><tr>");
	for (size_t i = 0; i < d->ncols; i++) {
		raw(d, d->align[i] == 'r' ? "<th class=\"n\">" : "<th>");
		txt(d, head[i]);
		raw(d, "</th>");
	}
	raw(d, "</tr></thead><tbody>\n");
}

static void table_row(doc *d, const char *cls, const char *const *cells)
{
	if (d->md) {
		for (size_t i = 0; i < d->ncols; i++) {
			raw(d, "| ");
			md_text(d, cells[i] ? cells[i] : "");
			raw(d, " ");
		}
		raw(d, "|\n");
		return;
	}
	if (cls)
		rawf(d, "<tr class=\"%s\">", cls);
	else
		raw(d, "<tr>");
	for (size_t i = 0; i < d->ncols; i++) {
		raw(d, d->align[i] == 'r'   ? "<td class=\"n\">"
		       : d->align[i] == 'w' ? "<td class=\"w\">"
		       : i == d->ncols - 1  ? "<td class=\"v\">"
					    : "<td>");
		txt(d, cells[i] ? cells[i] : "");
		raw(d, "</td>");
	}
	raw(d, "</tr>\n");
}

static void table_close(doc *d)
{
	raw(d, d->md ? "\n" : "</tbody></table>\n");
}

/* HTML only: an SVG chart drawn by `svg` (its buffer is consumed). */
static void chart(doc *d, cb_buf *svg, int rc)
{
	if (rc < 0 && !d->rc)
		d->rc = rc;
	if (!d->md && !d->rc) {
		raw(d, cb_buf_cstr(svg));
		raw(d, "\n");
		d->charts++;
	}
	cb_buf_free(svg);
}

/* ---- What the page says about a KPI. ---- */

static int kpi_observed(const cb_impact_kpi *ik)
{
	return ik->baseline_obs || ik->follow_up_obs || ik->control_baseline_obs ||
	       ik->control_follow_up_obs;
}

/* The verdict, the same word as `impact` prints. */
static const char *result_text(const cb_impact_kpi *ik)
{
	return cb_impact_verdict_name(ik->verdict);
}

static const char *result_class(const cb_impact_kpi *ik)
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

static int zero_based(const cb_kpi_def *k, double lo, double hi)
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
static void kpi_dumbbell(doc *d, const cb_impact_report *r, const cb_impact_kpi *ik)
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
		rows[n] = (cb_svg_row){group_label(labels[n], sizeof(labels[n]), i ? "Control" : "Exposed", g),
				       g->baseline_mean,
				       g->follow_up_mean,
				       g->enough ? g->baseline_mean + g->ci.low : NAN,
				       g->enough ? g->baseline_mean + g->ci.high : NAN,
				       notes[n],
				       tips[n],
				       i ? CB_SVG_MUTED : CB_SVG_PRIMARY};
		snprintf(notes[n], sizeof(notes[n]), "%s → %s (%s)", n2(g->baseline_mean).s,
			 n2(g->follow_up_mean).s, s2(g->mean_change).s);
		snprintf(tips[n], sizeof(tips[n]),
			 "%s: %zu accounts with values in both windows; baseline %s, follow-up %s, "
			 "change %s %s",
			 i ? "Control" : "Exposed", g->paired, n2(g->baseline_mean).s, n2(g->follow_up_mean).s,
			 s2(g->mean_change).s, ci2(&g->ci, g->enough).s);
		{
			const double vs[4] = {rows[n].start, rows[n].value, rows[n].low, rows[n].high};

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
	snprintf(title, sizeof(title), "%s before and after: exposed and control accounts", ik->kpi->name);
	snprintf(legend, sizeof(legend), "%.0f%% interval of the change", r->request.analysis.level * 100);
	c.title = title;
	c.axis = ik->kpi->unit;
	c.css_class = "chart chart-kpi";
	c.rows = rows;
	c.nrows = n;
	c.legend[0] = "baseline";
	c.legend[1] = "follow-up";
	c.legend[2] = legend;
	c.from_zero = zero_based(ik->kpi, lo, hi);
	c.width = 600;
	chart(d, &svg, cb_svg_rows_chart(&svg, &c));
}

static void kpi_effect_chart(doc *d, const cb_impact_report *r, const cb_impact_kpi *ik)
{
	const cb_analysis_impact *im = &ik->impact;
	char note[120], tip[300], title[300];
	cb_svg_row row;
	cb_buf svg = CB_BUF_INIT;
	cb_svg_rows c = {0};

	if (im->thin)
		return;
	snprintf(note, sizeof(note), "%s %s", s2(im->effect).s, ci2(&im->effect_ci, 1).s);
	snprintf(tip, sizeof(tip), "%s: %s %s, %.0f%% interval; %s",
		 im->has_control ? "Difference-in-differences effect" : "Exposed change (no control group)",
		 s2(im->effect).s, ci2(&im->effect_ci, 1).s, r->request.analysis.level * 100,
		 result_text(ik));
	row = (cb_svg_row){im->has_control ? "Effect" : "Change", NAN, im->effect, im->effect_ci.low,
			   im->effect_ci.high, note, tip, CB_SVG_STRONG};
	snprintf(title, sizeof(title), "%s: effect with its interval", ik->kpi->name);
	c.title = title;
	c.axis = ik->kpi->unit;
	c.css_class = "chart chart-effect";
	c.rows = &row;
	c.nrows = 1;
	c.zero_line = 1;
	c.width = 440;
	chart(d, &svg, cb_svg_rows_chart(&svg, &c));
}

/* The event study of one KPI: the effect in each window relative to
 * training, the placebo windows before it shaded (a chart in HTML, a table
 * in Markdown). */
static void kpi_event_study(doc *d, const cb_impact_report *r, const cb_impact_kpi *ik)
{
	static const char *const head[] = {"window", "days from training", "effect", "interval", "p"};
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
		table_open(d, "lrrrr", head);
		for (size_t w = 0; w < ik->nevents; w++) {
			const cb_impact_event *e = &ik->events[w];
			char win[16], days[48], p[16];

			snprintf(win, sizeof(win), "%+d%s", e->window,
				 e->window == -1 ? " (baseline)" : e->placebo ? " (before)" : "");
			if (e->window < 0)
				snprintf(days, sizeof(days), "%d to %d before", -e->window * W, (-e->window - 1) * W);
			else
				snprintf(days, sizeof(days), "%d to %d after", e->window * W, (e->window + 1) * W);
			snprintf(p, sizeof(p), "%s", isfinite(e->p_value) ? n2(e->p_value).s : "–");
			if (isfinite(e->p_value) && e->p_value < 0.001)
				snprintf(p, sizeof(p), "<0.001");
			table_row(d, NULL,
				  (const char *const[]){win, days, e->thin ? "–" : s2(e->effect).s,
							ci2(&e->ci, !e->thin && e->window != -1).s, p});
		}
		table_close(d);
		return;
	}
	for (size_t w = 0; w < ik->nevents && n < sizeof(ev) / sizeof(ev[0]); w++) {
		const cb_impact_event *e = &ik->events[w];

		snprintf(labels[n], sizeof(labels[n]), e->window ? "%+d" : "%d", e->window);
		if (e->window == -1)
			snprintf(tips[n], sizeof(tips[n]),
				 "window -1, the baseline (the %d days before training): the reference, 0", W);
		else if (e->thin)
			snprintf(tips[n], sizeof(tips[n]), "window %+d: %s", e->window, e->reason);
		else
			snprintf(tips[n], sizeof(tips[n]), "window %+d: %s %s %s (%.1f%% interval%s)",
				 e->window, s2(e->effect).s, ik->kpi->unit, ci2(&e->ci, 1).s, e->level * 100,
				 e->placebo ? ", simultaneous over the windows before training" : "");
		ev[n] = (cb_svg_event){labels[n], e->thin ? NAN : e->effect,
				       e->thin || e->window == -1 ? NAN : e->ci.low,
				       e->thin || e->window == -1 ? NAN : e->ci.high, e->window < 0,
				       e->window == -1, tips[n]};
		n++;
	}
	snprintf(title, sizeof(title), "%s: event study, the effect by %d-day window relative to training",
		 ik->kpi->name, W);
	snprintf(axis, sizeof(axis), "window relative to training (%d days each; -1 is the baseline)", W);
	c.title = title;
	c.y_axis = ik->kpi->unit;
	c.x_axis = axis;
	c.css_class = "chart chart-events";
	c.before = "before training";
	c.divider = "training";
	c.events = ev;
	c.nevents = n;
	chart(d, &svg, cb_svg_event_chart(&svg, &c));
}

static void kpi_figure(doc *d, const cb_impact_report *r, const cb_impact_kpi *ik)
{
	const cb_analysis_impact *im = &ik->impact;
	static const char *const head[] = {"group", "accounts", "baseline", "follow-up", "change",
					   "interval"};
	char h[300];

	open_tag(d, "figure", "kpi");
	snprintf(h, sizeof(h), "%s (%s, %s is better)", ik->kpi->name, ik->kpi->unit,
		 ik->kpi->better == CB_KPI_HIGHER ? "higher" : "lower");
	if (d->md) {
		heading(d, 3, NULL, h);
	} else {
		raw(d, "<h3>");
		txt(d, h);
		rawf(d, " <span class=\"badge b-%s\">", result_class(ik));
		txt(d, result_text(ik));
		raw(d, "</span></h3>\n");
	}
	open_tag(d, "div", "charts");
	kpi_dumbbell(d, r, ik);
	kpi_effect_chart(d, r, ik);
	close_tag(d, "div");
	table_open(d, "lrrrrr", head);
	for (int i = 0; i < 2; i++) {
		const cb_analysis_group *g = i ? &im->control : &im->exposed;
		char accounts[32];

		if (i && !im->has_control)
			continue;
		snprintf(accounts, sizeof(accounts), "%zu of %zu", g->paired, g->accounts);
		table_row(d, NULL,
			  (const char *const[]){i ? "control" : "exposed", accounts, n2(g->baseline_mean).s,
						n2(g->follow_up_mean).s, s2(g->mean_change).s,
						ci2(&g->ci, g->enough).s});
	}
	table_close(d);
	/* In words, as `impact` says it (its caveats included). */
	{
		cb_buf words = CB_BUF_INIT;

		cb_view_impact_kpi_words(r, ik, &words);
		para_open(d, "words");
		txt(d, words.ptr ? words.ptr : "");
		para_close(d);
		cb_buf_free(&words);
	}
	(void)im;
	kpi_event_study(d, r, ik);
	close_tag(d, "figure");
}

/* ---- Sections. ---- */

static void level_card(doc *d, const char *level, const char *value, const char *detail)
{
	if (d->md) {
		raw(d, "- **");
		txt(d, level);
		raw(d, "**: ");
		txt(d, value);
		if (detail && *detail) {
			raw(d, " (");
			txt(d, detail);
			raw(d, ")");
		}
		raw(d, "\n");
		return;
	}
	raw(d, "<div class=\"fact\"><span>");
	txt(d, level);
	raw(d, "</span><b>");
	txt(d, value);
	raw(d, "</b><span>");
	txt(d, detail);
	raw(d, "</span></div>\n");
}

/* A KPI effect for a reader: "+7.37 pp", "-0.55 hours" (2 decimals). */
static void effect_words(char *buf, size_t size, const cb_kpi_def *k, double v)
{
	snprintf(buf, size, "%+.2f %s", v + 0.0, strcmp(k->unit, "%") == 0 ? "pp" : k->unit);
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
static void section_answer(doc *d, const cb_report *rep)
{
	const cb_impact_report *r = rep->impact;
	cb_buf words = CB_BUF_INIT;
	size_t order[3], n = moved_most(r, order, 3);

	heading(d, 2, "answer", "Did it work, and is it worth it?");
	cb_view_impact_words(r, &words);
	para_open(d, "words lead-words");
	txt(d, words.ptr ? words.ptr : "");
	para_close(d);
	if (n || r->roi.kpis) {
		if (!d->md)
			open_tag(d, "div", "facts answer");
		for (size_t i = 0; i < n; i++) {
			const cb_impact_kpi *ik = &r->kpis[order[i]];
			char v[64], det[200], lo[64], hi[64];

			effect_words(v, sizeof(v), ik->kpi, ik->impact.effect);
			effect_words(lo, sizeof(lo), ik->kpi, ik->impact.effect_ci.low);
			effect_words(hi, sizeof(hi), ik->kpi, ik->impact.effect_ci.high);
			snprintf(det, sizeof(det), "%s; %.3g%% interval %s to %s", result_text(ik),
				 r->request.analysis.level * 100, lo, hi);
			level_card(d, ik->kpi->name, v, det);
		}
		if (r->roi.kpis) {
			char v[96], det[200], benefit[64], low[64], cost[64];

			cb_view_money(benefit, sizeof(benefit), r->roi.benefit, r->roi.currency);
			cb_view_money(low, sizeof(low), r->roi.benefit_low, r->roi.currency);
			cb_view_money(cost, sizeof(cost), r->roi.cost, r->roi.currency);
			if (r->roi.defined) {
				snprintf(v, sizeof(v), "ROI %.0f%%", r->roi.roi_percent);
				snprintf(det, sizeof(det), "%.0f%% conservatively; %s a year (%s) for %s",
					 r->roi.roi_percent_low, benefit, low, cost);
			} else {
				snprintf(v, sizeof(v), "%s a year", benefit);
				snprintf(det, sizeof(det), "%s conservatively; no cost recorded", low);
			}
			level_card(d, "Return on investment", v, det);
		}
		if (!d->md)
			close_tag(d, "div");
		else
			raw(d, "\n");
	}
	cb_buf_clear(&words);
	cb_view_impact_roi_words(r, &words);
	if (words.len)
		para(d, "note", "%s", words.ptr);
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
		if (cb_view_impact_compare(groups, names, ng, "format", keys, n, &rows, &words) == 0 &&
		    words.len)
			para(d, "words", "%s", words.ptr);
		json_decref(rows);
		if (cb_view_impact_confounded(r->sessions, r->nsessions, warning, sizeof(warning)))
			para(d, "warning", "Warning: %s.", warning);
	}
	cb_buf_free(&words);
}

static void section_summary(doc *d, const cb_report *rep)
{
	const cb_impact_report *r = rep->impact;
	const cb_impact_request *q = &r->request;
	static const char *const head[] = {"KPI", "unit", "accounts", "baseline", "follow-up",
					   "change", "control change", "effect", "interval",
					   "p (adj.)", "result"};
	size_t with_data = 0;
	char sessions[32], exposed[32], control[32], windows[32], window_note[64], cost[64], kpis[64];
	char cohorts[32];

	for (size_t k = 0; k < r->nkpis; k++)
		with_data += kpi_observed(&r->kpis[k]) != 0;
	snprintf(sessions, sizeof(sessions), "%zu", r->nsessions);
	if (q->control == CB_CONTROL_NONE)
		snprintf(control, sizeof(control), "none");
	else
		snprintf(control, sizeof(control), "%zu", r->control);
	snprintf(windows, sizeof(windows), "%d days", q->window_days);
	snprintf(window_note, sizeof(window_note), "windows before and after, lag %d days", q->lag_days);
	if (r->cost > 0 && !r->mixed_currency)
		cb_view_money(cost, sizeof(cost), r->cost, r->currency);
	else
		snprintf(cost, sizeof(cost), "%s", r->mixed_currency ? "several currencies" : "not recorded");
	snprintf(kpis, sizeof(kpis), "%zu of %zu", r->summary.improved_adjusted, r->summary.tested);
	snprintf(exposed, sizeof(exposed), "%zu", r->exposed);
	snprintf(cohorts, sizeof(cohorts), "%zu", r->ncohorts);
	{
		const char *const facts[][2] = {
			{sessions, r->nsessions == 1 ? "session" : "sessions"},
			{exposed, "exposed accounts"},
			{cohorts, r->ncohorts == 1 ? "cohort (accounts trained on the same days)"
						   : "cohorts (accounts trained on the same days)"},
			{control, q->control == CB_CONTROL_NONE ? "control group: effects are exposed changes"
				  : q->control == CB_CONTROL_AUTO ? "control accounts (never trained), over each cohort's dates"
				  : q->control == CB_CONTROL_NOT_YET ? "control accounts (not yet trained), over each cohort's dates"
								  : "control accounts (named), over each cohort's dates"},
			{windows, window_note},
			{cost, "cost of the sessions"},
			{kpis, "KPIs improved (clear after adjusting for testing them all)"},
		};

		if (d->md) {
			for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]); i++) {
				raw(d, "- ");
				txt(d, facts[i][1]);
				raw(d, ": ");
				txt(d, facts[i][0]);
				raw(d, "\n");
			}
			raw(d, "\n");
		} else {
			open_tag(d, "div", "facts");
			for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]); i++) {
				raw(d, "<div class=\"fact\"><b>");
				txt(d, facts[i][0]);
				raw(d, "</b><span>");
				txt(d, facts[i][1]);
				raw(d, "</span></div>\n");
			}
			close_tag(d, "div");
		}
	}
	{
		static const char *const shead[] = {"session", "format", "trainer", "first day", "last day"};

		table_open(d, "lllll", shead);
		for (size_t i = 0; i < r->nsessions; i++) {
			const cb_exposure_session *s = &r->sessions[i];

			table_row(d, NULL,
				  (const char *const[]){s->key, s->format, s->trainer[0] ? s->trainer : "–",
							date_of(s->first).s, date_of(s->last).s});
		}
		table_close(d);
	}
	{
		char line[512];

		cb_view_impact_summary_line(r, line, sizeof(line));
		para(d, "lead", "%s", line);
		if (cb_view_impact_partial_line(r, line, sizeof(line)))
			para(d, "note", "Note: %s.", line);
		for (size_t k = 0; k < r->nkpis; k++)
			if (r->kpis[k].pretrend_warning) {
				cb_view_impact_pretrend_line(r, &r->kpis[k], line, sizeof(line));
				para(d, "warning", "Warning: %s.", line);
			}
	}
	heading(d, 3, NULL, "All KPIs with data");
	table_open(d, "wlrrrrrrrrl", head);
	for (size_t k = 0; k < r->nkpis; k++) {
		const cb_impact_kpi *ik = &r->kpis[k];
		const cb_analysis_impact *im = &ik->impact;
		char accounts[24], p[48];

		if (!kpi_observed(ik))
			continue;
		snprintf(accounts, sizeof(accounts), "%zu", im->exposed.paired);
		if (im->thin)
			snprintf(p, sizeof(p), "–");
		else
			snprintf(p, sizeof(p), "%s (%s)", p_text(im->p_value).s, p_text(im->p_adjusted).s);
		table_row(d, result_class(ik),
			  (const char *const[]){ik->kpi->name,
						strcmp(ik->kpi->unit, "%") == 0 ? "% (pp)" : ik->kpi->unit,
						accounts,
						n2(im->exposed.baseline_mean).s,
						n2(im->exposed.follow_up_mean).s,
						s2(im->exposed.mean_change).s,
						s2(im->has_control ? im->control.mean_change : NAN).s,
						s2(im->effect).s, ci2(&im->effect_ci, !im->thin).s,
						p, result_text(ik)});
	}
	table_close(d);
	if (with_data < r->nkpis)
		para(d, "note",
		     "%zu KPI%s without a single observation for these accounts %s left out (the "
		     "embedded data lists every KPI).",
		     r->nkpis - with_data, r->nkpis - with_data == 1 ? "" : "s",
		     r->nkpis - with_data == 1 ? "is" : "are");
}

static void section_kpis(doc *d, const cb_impact_report *r)
{
	heading(d, 2, "kpis", "Level 4: the KPIs before and after");
	para(d, "lead",
	     "For each KPI with data: the mean of the exposed accounts (blue) and of the control "
	     "accounts (grey) in the baseline window (hollow) and the follow-up window (filled); the "
	     "whisker is the %.0f%% interval of the change, drawn from the baseline. Right: the "
	     "effect with its interval; 0 is no effect.",
	     r->request.analysis.level * 100);
	for (size_t k = 0; k < r->nkpis; k++)
		if (kpi_observed(&r->kpis[k]))
			kpi_figure(d, r, &r->kpis[k]);
}

/* The series of one KPI at one account: a line chart (HTML) or a table of
 * the months (Markdown, where several accounts share one table). */
static void series_chart(doc *d, const cb_report_series *s, const char *caption, int from_zero)
{
	cb_svg_point *pts = calloc(s->npoints ? s->npoints : 1, sizeof(*pts));
	cb_svg_band *bands = calloc(s->nmarks + 2, sizeof(*bands));
	char (*tips)[160] = calloc(s->npoints ? s->npoints : 1, sizeof(*tips));
	char (*btips)[160] = calloc(s->nmarks + 2, sizeof(*btips));
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
			snprintf(tips[i], sizeof(tips[i]), "%s: %s %s (%lld observations)", p->label,
				 n2(p->value).s, s->kpi->unit, (long long)p->observations);
		else
			snprintf(tips[i], sizeof(tips[i]), "%s: no value", p->label);
		pts[i].tooltip = tips[i];
	}
	if (s->has_windows) {
		bands[nb] = (cb_svg_band){s->windows.baseline.from, s->windows.baseline.to, "before",
					  btips[nb], CB_SVG_BAND_WINDOW};
		snprintf(btips[nb], sizeof(btips[nb]), "baseline window %s .. %s",
			 date_of(s->windows.baseline.from).s, date_of(s->windows.baseline.to - 1).s);
		nb++;
		bands[nb] = (cb_svg_band){s->windows.follow_up.from, s->windows.follow_up.to, "after",
					  btips[nb], CB_SVG_BAND_WINDOW};
		snprintf(btips[nb], sizeof(btips[nb]), "follow-up window %s .. %s",
			 date_of(s->windows.follow_up.from).s, date_of(s->windows.follow_up.to - 1).s);
		nb++;
	}
	for (size_t i = 0; i < s->nmarks; i++, nb++) {
		bands[nb] = (cb_svg_band){s->marks[i].first, s->marks[i].last + 1.0,
					  i == 0 ? "training" : NULL, btips[nb], CB_SVG_BAND_EVENT};
		snprintf(btips[nb], sizeof(btips[nb]), "training: session %s, %s .. %s",
			 s->marks[i].session, date_of(s->marks[i].first).s, date_of(s->marks[i].last).s);
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
	open_tag(d, "figure", "series");
	chart(d, &svg, cb_svg_line_chart(&svg, &c));
	if (!d->md) {
		raw(d, "<figcaption>");
		txt(d, caption);
		if (s->nmarks)
			txtf(d, " · session %s", s->marks[0].session);
		if (s->nmarks > 1)
			txtf(d, " and %zu more", s->nmarks - 1);
		raw(d, "</figcaption>\n");
	}
	close_tag(d, "figure");
done:
	free(pts);
	free(bands);
	free(tips);
	free(btips);
}

/* Markdown: what the charts mark, as a table: each account's training
 * and windows. */
static void series_marks_table(doc *d, const cb_report *rep, size_t from, size_t to)
{
	static const char *const head[] = {"account", "training", "baseline window", "follow-up window"};

	table_open(d, "llll", head);
	for (size_t i = from; i < to; i++) {
		const cb_report_series *s = &rep->series[i];
		char training[200] = "–", base[40] = "–", follow[40] = "–";
		size_t len = 0;

		for (size_t m = 0; m < s->nmarks && len < sizeof(training); m++)
			len += (size_t)snprintf(training + len, sizeof(training) - len, "%s%s (%s .. %s)",
						m ? "; " : "", s->marks[m].session,
						date_of(s->marks[m].first).s, date_of(s->marks[m].last).s);
		if (s->has_windows) {
			snprintf(base, sizeof(base), "%s .. %s", date_of(s->windows.baseline.from).s,
				 date_of(s->windows.baseline.to - 1).s);
			snprintf(follow, sizeof(follow), "%s .. %s", date_of(s->windows.follow_up.from).s,
				 date_of(s->windows.follow_up.to - 1).s);
		}
		table_row(d, NULL, (const char *const[]){s->account, training, base, follow});
	}
	table_close(d);
}

/* Markdown: one table per KPI, a row per month, a column per account. */
static void series_table(doc *d, const cb_report *rep, size_t from, size_t to)
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
	table_open(d, align, head);
	for (int32_t day = first; day <= last;) {
		const char *cells[1 + CB_REPORT_SERIES_ACCOUNTS];
		num vals[CB_REPORT_SERIES_ACCOUNTS];
		const char *label = NULL;
		int32_t next = INT32_MAX;

		for (size_t c = 0; c < ncols; c++) {
			const cb_report_series *s = &rep->series[from + c];

			snprintf(vals[c].s, sizeof(vals[c].s), " ");
			for (size_t p = 0; p < s->npoints; p++) {
				if (s->points[p].from == day) {
					label = s->points[p].label;
					vals[c] = n2(s->points[p].value);
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
			table_row(d, NULL, cells);
		}
		if (next == INT32_MAX)
			break;
		day = next;
	}
	table_close(d);
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
	return to > from && isfinite(lo) && zero_based(rep->series[from].kpi, lo, hi);
}

static void section_series(doc *d, const cb_report *rep)
{
	int account = rep->request.kind == CB_REPORT_ACCOUNT;

	heading(d, 2, "series", "KPIs over time");
	if (!rep->nseries) {
		para(d, "note", "No KPI series to draw: no KPI with an effect to show, or no observations.");
		return;
	}
	if (account)
		para(d, "lead", "Each KPI with values at this account, by month. %s",
		     d->md ? "" : "Amber: the training sessions that reached it; shaded: the baseline "
				  "and follow-up windows of the impact.");
	else
		para(d, "lead",
		     "The KPIs with the largest effects (against the spread of the accounts' changes), "
		     "by month, at up to %d exposed accounts each: the first by key with values in both "
		     "windows, not a selection of the best. %s",
		     CB_REPORT_SERIES_ACCOUNTS,
		     d->md ? "" : "Amber: training; shaded: each account's baseline and follow-up windows.");
	if (account && d->md)
		series_marks_table(d, rep, 0, 1);
	if (account && !d->md) {
		open_tag(d, "div", "grid");
		for (size_t i = 0; i < rep->nseries; i++)
			series_chart(d, &rep->series[i], rep->series[i].kpi->name,
				     series_from_zero(rep, i, i + 1));
		close_tag(d, "div");
		return;
	}
	for (size_t i = 0; i < rep->nseries;) {
		size_t j = i + 1;
		char h[300];

		while (!account && j < rep->nseries && rep->series[j].kpi == rep->series[i].kpi)
			j++;
		if (account)
			snprintf(h, sizeof(h), "%s (%s)", rep->series[i].kpi->name, rep->series[i].kpi->unit);
		else
			snprintf(h, sizeof(h), "%s (%s) at %zu exposed account%s", rep->series[i].kpi->name,
				 rep->series[i].kpi->unit, j - i, j - i == 1 ? "" : "s");
		heading(d, 3, NULL, h);
		if (d->md) {
			if (!account)
				series_marks_table(d, rep, i, j);
			series_table(d, rep, i, j);
		} else {
			open_tag(d, "div", "grid");
			for (size_t k = i; k < j; k++)
				series_chart(d, &rep->series[k], rep->series[k].account,
					     series_from_zero(rep, i, j));
			close_tag(d, "div");
		}
		i = j;
	}
}

static void section_formats(doc *d, const cb_report *rep)
{
	const cb_impact_report *all = rep->impact;
	static const char *const fhead[] = {"format", "sessions", "exposed accounts", "control accounts"};
	const char *head[2 + 8];
	char align[16] = "l";

	heading(d, 2, "formats", "By delivery format");
	if (!rep->nformats) {
		para(d, "note", "All of the program's sessions are in one format: nothing to compare.");
		return;
	}
	para(d, "lead",
	     "The program's sessions grouped by format, each group against the same control rule "
	     "(as 'casebook impact --by format'). Effects with their %.0f%% intervals; the last row "
	     "is all formats together.",
	     all->request.analysis.level * 100);
	table_open(d, "lrrr", fhead);
	for (size_t g = 0; g < rep->nformats; g++) {
		const cb_impact_report *r = rep->formats[g].impact;
		char ns[24], ne[24], nc[24];

		snprintf(ns, sizeof(ns), "%zu", r->nsessions);
		snprintf(ne, sizeof(ne), "%zu", r->exposed);
		snprintf(nc, sizeof(nc), "%zu", r->control);
		table_row(d, NULL, (const char *const[]){rep->formats[g].format, ns, ne, nc});
	}
	table_close(d);
	head[0] = "KPI";
	for (size_t g = 0; g < rep->nformats; g++) {
		head[1 + g] = rep->formats[g].format;
		strcat(align, "r");
	}
	head[1 + rep->nformats] = "all formats";
	strcat(align, "r");
	table_open(d, align, head);
	for (size_t k = 0; k < all->nkpis; k++) {
		const char *cells[2 + 8];
		num vals[2 + 8];

		if (!kpi_observed(&all->kpis[k]))
			continue;
		cells[0] = all->kpis[k].kpi->key;
		for (size_t g = 0; g <= rep->nformats; g++) {
			const cb_impact_report *r = g < rep->nformats ? rep->formats[g].impact : all;
			const cb_analysis_impact *im = &r->kpis[k].impact;

			if (im->thin)
				snprintf(vals[g].s, sizeof(vals[g].s), "too thin");
			else
				snprintf(vals[g].s, sizeof(vals[g].s), "%s %s", s2(im->effect).s,
					 ci2(&im->effect_ci, 1).s);
			cells[1 + g] = vals[g].s;
		}
		table_row(d, NULL, cells);
	}
	table_close(d);
	open_tag(d, "div", "grid wide");
	for (size_t k = 0; k < all->nkpis && !d->md; k++) {
		const cb_impact_kpi *ik = &all->kpis[k];
		cb_svg_row rows[9];
		char notes[9][80], tips[9][200], title[300];
		size_t n = 0, drawn = 0;
		cb_buf svg = CB_BUF_INIT;
		cb_svg_rows c = {0};

		if (!kpi_observed(ik))
			continue;
		for (size_t g = 0; g <= rep->nformats; g++) {
			const cb_impact_report *r = g < rep->nformats ? rep->formats[g].impact : all;
			const cb_analysis_impact *im = &r->kpis[k].impact;
			const char *name = g < rep->nformats ? rep->formats[g].format : "all formats";

			if (im->thin)
				snprintf(notes[n], sizeof(notes[n]), "too thin");
			else
				snprintf(notes[n], sizeof(notes[n]), "%s %s", s2(im->effect).s,
					 ci2(&im->effect_ci, 1).s);
			snprintf(tips[n], sizeof(tips[n]), "%s: %zu sessions, %zu exposed accounts; effect %s",
				 name, r->nsessions, r->exposed, notes[n]);
			rows[n] = (cb_svg_row){name, NAN, im->thin ? NAN : im->effect,
					       im->thin ? NAN : im->effect_ci.low,
					       im->thin ? NAN : im->effect_ci.high, notes[n], tips[n],
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
		open_tag(d, "figure", "format");
		raw(d, "<h3>");
		txt(d, ik->kpi->name);
		raw(d, "</h3>\n");
		chart(d, &svg, cb_svg_rows_chart(&svg, &c));
		close_tag(d, "figure");
	}
	close_tag(d, "div");
}


static void section_levels(doc *d, const cb_report *rep)
{
	const cb_impact_report *r = rep->impact;
	char v[160], det[300];

	heading(d, 2, "kirkpatrick", "Kirkpatrick levels");
	open_tag(d, "div", "facts");
	if (r && r->levels.reactions) {
		snprintf(v, sizeof(v), "%s / 5", n2(r->levels.reaction_mean).s);
		snprintf(det, sizeof(det), "mean of %zu answers", r->levels.reactions);
	} else {
		snprintf(v, sizeof(v), "not recorded");
		snprintf(det, sizeof(det), "session attend --reaction");
	}
	level_card(d, "Level 1: reaction", v, det);
	if (r && r->levels.tested) {
		snprintf(v, sizeof(v), "%s points", s2(r->levels.gain_mean).s);
		snprintf(det, sizeof(det), "test %s → %s, %zu tested", n2(r->levels.pre_mean).s,
			 n2(r->levels.post_mean).s, r->levels.tested);
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

		snprintf(v, sizeof(v), "%zu case stud%s", rep->ncases, rep->ncases == 1 ? "y" : "ies");
		det[0] = '\0';
		for (size_t i = 0; i < rep->nstatuses && len < sizeof(det); i++)
			len += (size_t)snprintf(det + len, sizeof(det) - len, "%s%zu %s", i ? ", " : "",
						rep->statuses[i].count, rep->statuses[i].status);
	}
	level_card(d, "Level 3: behaviour", v, det);
	if (r) {
		snprintf(v, sizeof(v), "%zu of %zu KPIs improved", r->summary.improved_adjusted,
			 r->summary.tested);
		snprintf(det, sizeof(det), "clear after adjusting for testing them all; see the KPIs");
	} else {
		snprintf(v, sizeof(v), "no training to measure");
		det[0] = '\0';
	}
	level_card(d, "Level 4: results", v, det);
	close_tag(d, "div");
	if (d->md)
		raw(d, "\n");
}

static void section_roi(doc *d, const cb_impact_report *r)
{
	static const char *const head[] = {"KPI", "value per unit", "benefit per year", "ROI %", "BCR",
					   "note"};
	cb_svg_row rows[64];
	char notes[64][80], tips[64][200];
	size_t n = 0, shown = 0;

	heading(d, 2, "roi", "Return on investment");
	for (size_t k = 0; k < r->nkpis; k++)
		shown += r->kpis[k].has_value;
	if (!shown) {
		para(d, "note", "No KPI has a money value ('casebook kpi value KPI --per-unit N "
				"--currency EUR'), so there is no ROI to show.");
		return;
	}
	{
		char cost[64];
		cb_buf words = CB_BUF_INIT;

		cb_view_money(cost, sizeof(cost), r->cost, r->currency);
		cb_view_impact_roi_words(r, &words);
		if (words.len)
			para(d, "lead", "%s", words.ptr);
		cb_buf_free(&words);
		para(d, "note",
		     "Phillips ROI per year, per KPI: benefit = effect × value × exposed accounts (× 365 "
		     "/ window days for a KPI counted over its window); ROI %% = (benefit − cost) / cost "
		     "× 100; BCR = benefit / cost. Each at the effect [and at its interval's ends]. "
		     "Cost: %s.",
		     cost);
	}
	table_open(d, "lrrrrl", head);
	for (size_t k = 0; k < r->nkpis; k++) {
		const cb_impact_kpi *ik = &r->kpis[k];
		char value[96], benefit[160], roi[160], bcr[160];

		if (!ik->has_value)
			continue;
		snprintf(value, sizeof(value), "%s %s/%s (%s)", n2(ik->value.per_unit).s, ik->value.currency,
			 ik->kpi->unit, ik->value.kind);
		if (!ik->roi_ok) {
			table_row(d, NULL, (const char *const[]){ik->kpi->key, value, "–", "–", "–", ik->roi_note});
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
			snprintf(roi, sizeof(roi), "%s [%s, %s]", n2(ik->roi.estimate.roi_percent).s,
				 n2(ik->roi.low.roi_percent).s, n2(ik->roi.high.roi_percent).s);
			snprintf(bcr, sizeof(bcr), "%s [%s, %s]", n2(ik->roi.estimate.bcr).s,
				 n2(ik->roi.low.bcr).s, n2(ik->roi.high.bcr).s);
		} else {
			snprintf(roi, sizeof(roi), "–");
			snprintf(bcr, sizeof(bcr), "–");
		}
		table_row(d, NULL,
			  (const char *const[]){ik->kpi->key, value, benefit, roi, bcr,
						ik->roi.defined ? "" : "no cost recorded"});
		if (ik->roi.defined && n < 64) {
			snprintf(notes[n], sizeof(notes[n]), "%s%% [%s, %s]", n2(ik->roi.estimate.roi_percent).s,
				 n2(ik->roi.low.roi_percent).s, n2(ik->roi.high.roi_percent).s);
			snprintf(tips[n], sizeof(tips[n]), "%s: ROI %s, BCR %s", ik->kpi->key, notes[n],
				 n2(ik->roi.estimate.bcr).s);
			rows[n] = (cb_svg_row){ik->kpi->key, NAN, ik->roi.estimate.roi_percent,
					       ik->roi.low.roi_percent, ik->roi.high.roi_percent, notes[n],
					       tips[n], CB_SVG_STRONG};
			n++;
		}
	}
	table_close(d);
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
		open_tag(d, "figure", "roi");
		chart(d, &svg, cb_svg_rows_chart(&svg, &c));
		close_tag(d, "figure");
	}
}

static void section_account(doc *d, const cb_report *rep)
{
	const cb_impact_report *r = rep->impact;
	static const char *const head[] = {"KPI", "baseline", "follow-up", "change", "cohort change",
					   "cohort effect"};

	heading(d, 2, "account", "This account's numbers");
	if (!r) {
		para(d, "note", "No session has reached this account yet, so there is no before and "
				"after to compare. Its KPI series follow.");
		return;
	}
	para(d, "lead",
	     "Its values in the windows around session %s, the first that reached it, next to that "
	     "session's exposed accounts (the cohort, whose impact the sections below show).",
	     rep->impact_session);
	table_open(d, "lrrrrr", head);
	for (size_t k = 0; k < r->nkpis; k++) {
		const cb_impact_kpi *ik = &r->kpis[k];
		const cb_impact_account *ia = cb_report_account_values(ik, rep->request.key);

		if (!ia || (!isfinite(ia->baseline) && !isfinite(ia->follow_up)))
			continue;
		table_row(d, NULL,
			  (const char *const[]){ik->kpi->key, n2(ia->baseline).s, n2(ia->follow_up).s,
						s2(ia->follow_up - ia->baseline).s,
						s2(ik->impact.exposed.mean_change).s, s2(ik->impact.effect).s});
	}
	table_close(d);
}

static void section_outcomes(doc *d, const cb_report *rep)
{
	static const char *const head[] = {"account", "KPI", "target", "minimum", "period",
					   "value", "attainment", "before", "after"};

	heading(d, 2, "outcomes", "Outcome agreements");
	if (!rep->noutcomes) {
		para(d, "note", "No outcome agreements for these accounts ('casebook outcome set').");
		return;
	}
	para(d, "lead",
	     "Attainment over each agreed period, and in the baseline and follow-up windows around "
	     "the account's first training (as 'casebook outcome status').");
	table_open(d, "llrrlrlll", head);
	for (size_t i = 0; i < rep->noutcomes; i++) {
		const cb_report_outcome *o = &rep->outcomes[i];
		char period[32], value[260], before[80], after[80];

		snprintf(period, sizeof(period), "%s .. %s", o->from, o->to);
		if (isfinite(o->period))
			snprintf(value, sizeof(value), "%s", n2(o->period).s);
		else
			snprintf(value, sizeof(value), "– (%s)", o->period_reason[0] ? o->period_reason : "no value");
		if (o->trained) {
			snprintf(before, sizeof(before), "%s: %s", n2(o->baseline).s, o->baseline_attainment);
			snprintf(after, sizeof(after), "%s: %s", n2(o->follow_up).s, o->follow_up_attainment);
		} else {
			snprintf(before, sizeof(before), "not trained");
			snprintf(after, sizeof(after), "–");
		}
		table_row(d, NULL,
			  (const char *const[]){o->account, o->kpi, n2(o->target).s, n2(o->minimum).s, period,
						value, o->period_attainment, before, after});
	}
	table_close(d);
}

static void section_cases(doc *d, const cb_report *rep)
{
	static const char *const head[] = {"case study", "title", "account", "technician", "status",
					   "evidence"};

	heading(d, 2, "cases", "Case studies");
	if (!rep->ncases) {
		para(d, "note", "%s",
		     rep->request.kind == CB_REPORT_ACCOUNT ? "No case studies about this account yet."
							    : "No case studies cite these sessions yet.");
		return;
	}
	/* Slug and title wrap, so that the table fits 1280 px and the page. */
	table_open(d, "wwllll", head);
	for (size_t i = 0; i < rep->ncases; i++) {
		const cb_report_case *c = &rep->cases[i];
		cb_buf ev = CB_BUF_INIT;

		/* An approval against the evidence says so where the evidence is. */
		if (c->despite_reason)
			cb_buf_printf(&ev, "%s; approved despite the evidence by %s: %s", c->evidence,
				      c->despite_by, c->despite_reason);
		table_row(d, NULL,
			  (const char *const[]){c->slug, c->title, c->account, c->technician, c->status,
						c->despite_reason ? cb_buf_cstr(&ev) : c->evidence});
		cb_buf_free(&ev);
	}
	table_close(d);
	para(d, "note",
	     "Evidence: each claim of a case, held against the account's data for its KPI and "
	     "period (casebook case show SLUG has the figures). A claim agrees when its before and "
	     "its after each lie within the %.0f%% interval of the KPI measured over the same "
	     "window; a window with fewer than %d observations is too few to check.",
	     CB_CASE_LEVEL * 100, CB_CASE_MIN_OBSERVATIONS);
}

static void section_method(doc *d, const cb_impact_report *r)
{
	heading(d, 2, "method", "How to read this report");
	if (r) {
		const cb_impact_request *q = &r->request;

		para(d, NULL,
		     "Accounts trained by the same session days form a cohort (%zu here). A cohort's "
		     "baseline is the %d days before its first training day; its follow-up is %d days "
		     "after its last, %d days skipped. Each cohort is compared with control accounts "
		     "(%s) measured over the same dates, so that the season and the market's trend "
		     "cancel; the effect is the difference in differences (the trained accounts' mean "
		     "change minus the controls' over the same dates), averaged over the cohorts by "
		     "their accounts. Intervals are %.0f%% intervals: %s. p is the chance of a "
		     "difference at least as large if training changed nothing; adjusted p allows for "
		     "testing every KPI at once (Benjamini-Hochberg).",
		     r->ncohorts, q->window_days, q->window_days, q->lag_days,
		     cb_view_control_mode_name(q->control), q->analysis.level * 100,
		     CB_ANALYSIS_METHOD);
	}
	para(d, NULL,
	     "Numbers are rounded to 2 decimals (printf %%.2f) for display. They come from the same "
	     "computation as 'casebook impact --json' with the same options; %s",
	     d->md ? "the HTML report embeds that JSON at full precision."
		   : "this file embeds that JSON at full precision in the script element "
		     "\"casebook-data\" (key \"impact\").");
	para(d, NULL,
	     "A rate's axis starts at zero unless that would squeeze its values into less than a "
	     "third of the axis; other axes fit the data, and every effect axis includes zero.");
}

static const char style[] =
	":root{--fg:#111827;--muted:#4b5563;--line:#e5e7eb;--accent:#2563eb}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,"
	"sans-serif;color:var(--fg);background:#fff}\n"
	"main{max-width:1180px;margin:0 auto;padding:28px 32px 48px}\n"
	"h1{font-size:26px;margin:0 0 4px;line-height:1.25}\n"
	"h2{font-size:20px;margin:36px 0 10px;padding-top:10px;border-top:2px solid var(--line)}\n"
	"h3{font-size:16px;margin:14px 0 6px}\n"
	"figure h3{margin-top:0}\n"
	".lead,.note,.meta{color:var(--muted)}\n"
	".meta{margin:0 0 12px;font-size:13.5px}\n"
	".note{font-size:13.5px}\n"
	"p.words{max-width:62em;margin:8px 0}p.lead-words{font-size:16px;line-height:1.55}\n"
	".warning{margin:8px 0;padding:8px 12px;border-left:4px solid #f59e0b;background:#fffbeb;"
	"color:#78350f;font-size:13.5px}\n"
	"table{border-collapse:collapse;margin:8px 0 16px;font-size:13.5px}\n"
	"th,td{padding:4px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}\n"
	"th{font-weight:600;color:var(--muted);border-bottom:2px solid #d1d5db}\n"
	"td{white-space:nowrap}td.v{white-space:normal;min-width:8em}"
	"td.w{white-space:normal;min-width:9em}\n"
	".n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
	"tr.improved td.v{color:#047857}tr.worsened td.v{color:#b91c1c}tr.thin td.v{color:#92400e}\n"
	".facts{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:10px;"
	"margin:12px 0 16px}\n"
	".fact{border:1px solid var(--line);border-radius:8px;padding:10px 12px}\n"
	".fact b{display:block;font-size:19px;line-height:1.3}\n"
	".fact span{display:block;color:var(--muted);font-size:13px}\n"
	".grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(360px,1fr));gap:14px}\n"
	"figure{margin:0 0 16px;padding:12px 14px;border:1px solid var(--line);border-radius:8px;"
	"break-inside:avoid;page-break-inside:avoid}\n"
	".grid figure{margin:0}\n"
	".grid.wide{grid-template-columns:repeat(auto-fill,minmax(520px,1fr))}\n"
	"figcaption,p.caption{font-size:13.5px;color:var(--muted);margin:6px 0 0}\n"
	"figure table{margin:6px 0}\n"
	"svg.chart{display:block;max-width:100%;height:auto}\n"
	".charts{display:flex;flex-wrap:wrap;gap:6px 28px;align-items:flex-start}\n"
	".badge{display:inline-block;padding:1px 9px;border-radius:999px;font-size:12px;font-weight:600;"
	"vertical-align:2px;margin-left:8px}\n"
	".b-improved{background:#d1fae5;color:#065f46}.b-worsened{background:#fee2e2;color:#991b1b}\n"
	".b-ns{background:#f3f4f6;color:#374151}.b-thin{background:#fef3c7;color:#92400e}\n"
	"nav ul{list-style:none;padding:0;margin:8px 0 0;display:flex;flex-wrap:wrap;gap:4px 18px;"
	"font-size:14px}\n"
	"a{color:var(--accent)}\n"
	"@page{size:A4;margin:14mm}\n"
	"@media print{td,td.v,td.w{white-space:normal;min-width:0}table{font-size:8.5pt}"
	"body{font-size:10.5pt}main{max-width:none;padding:0}nav{display:none}"
	"figure,table,.fact,svg{break-inside:avoid;page-break-inside:avoid}"
	"h2,h3{break-after:avoid;page-break-after:avoid}"
	".grid{grid-template-columns:repeat(2,1fr)}.grid.wide{grid-template-columns:1fr}"
	"figure{border-color:#d1d5db}"
	"a{color:inherit;text-decoration:none}}\n";

/* ---- The embedded data: the same JSON as impact --json, and the rest. ---- */

static json_t *impact_data(const cb_impact_report *r)
{
	json_t *j = cb_view_impact_json(r), *k;
	size_t i;

	/* The report runs impact with --detail for its charts; the embedded
	 * copy is the shape plain `impact --json` prints. */
	json_array_foreach(json_object_get(j, "kpis"), i, k)
		json_object_del(k, "accounts");
	return j;
}

static json_t *report_data(const cb_report *rep)
{
	static const char *const kinds[] = {"session", "program", "account"};
	json_t *o = json_object(), *series = json_array(), *cases = json_array(),
	       *statuses = json_array(), *outcomes = json_array();

	json_object_set_new(o, "casebook_report", json_integer(1));
	json_object_set_new(o, "subject", json_pack("{s:s, s:s, s:s}", "kind", kinds[rep->request.kind],
						    "key", rep->request.key, "title", rep->title));
	json_object_set_new(o, "rounding",
			    json_string("the page shows these numbers with printf's %.2f"));
	json_object_set_new(o, "impact", rep->impact ? impact_data(rep->impact) : json_null());
	if (rep->request.kind == CB_REPORT_ACCOUNT) {
		json_t *values = json_array();

		for (size_t k = 0; rep->impact && k < rep->impact->nkpis; k++) {
			const cb_impact_kpi *ik = &rep->impact->kpis[k];
			const cb_impact_account *ia = cb_report_account_values(ik, rep->request.key);

			if (ia && (isfinite(ia->baseline) || isfinite(ia->follow_up)))
				json_array_append_new(
					values, json_pack("{s:s, s:o, s:o, s:I, s:I}", "kpi", ik->kpi->key,
							  "baseline", cb_cli_json_number(ia->baseline), "follow_up",
							  cb_cli_json_number(ia->follow_up), "baseline_obs",
							  (json_int_t)ia->baseline_obs, "follow_up_obs",
							  (json_int_t)ia->follow_up_obs));
		}
		json_object_set_new(o, "account",
				    json_pack("{s:s, s:o, s:o}", "key", rep->request.key, "trained_in",
					      rep->impact_session[0] ? json_string(rep->impact_session)
								     : json_null(),
					      "values", values));
	}
	if (rep->nformats) {
		const cb_impact_report *groups[8];
		const char *names[8];
		size_t n = rep->nformats < 8 ? rep->nformats : 8;

		for (size_t g = 0; g < n; g++) {
			groups[g] = rep->formats[g].impact;
			names[g] = rep->formats[g].format;
		}
		json_object_set_new(o, "by_format",
				    cb_view_impact_by_json(rep->request.key, "format", groups, names, n,
							  rep->impact->sessions, rep->impact->nsessions));
	} else {
		json_object_set_new(o, "by_format", json_null());
	}
	for (size_t i = 0; i < rep->nseries; i++) {
		const cb_report_series *s = &rep->series[i];
		json_t *points = json_array(), *marks = json_array(), *windows = json_null();

		for (size_t p = 0; p < s->npoints; p++)
			json_array_append_new(points, json_pack("{s:s, s:s, s:o, s:I}", "period",
								s->points[p].label, "from",
								date_of(s->points[p].from).s, "value",
								cb_cli_json_number(s->points[p].value), "observations",
								(json_int_t)s->points[p].observations));
		for (size_t m = 0; m < s->nmarks; m++)
			json_array_append_new(marks, json_pack("{s:s, s:s, s:s}", "session",
							       s->marks[m].session, "first_day",
							       date_of(s->marks[m].first).s, "last_day",
							       date_of(s->marks[m].last).s));
		if (s->has_windows)
			windows = json_pack("{s:s, s:s, s:s, s:s}", "baseline_from",
					    date_of(s->windows.baseline.from).s, "baseline_to",
					    date_of(s->windows.baseline.to - 1).s, "follow_up_from",
					    date_of(s->windows.follow_up.from).s, "follow_up_to",
					    date_of(s->windows.follow_up.to - 1).s);
		json_array_append_new(series, json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "kpi",
							s->kpi->key, "account", s->account, "every",
							"month", "windows", windows, "training", marks,
							"points", points));
	}
	json_object_set_new(o, "series", series);
	for (size_t i = 0; i < rep->nstatuses; i++)
		json_array_append_new(statuses, json_pack("{s:s, s:I}", "status", rep->statuses[i].status,
							  "count", (json_int_t)rep->statuses[i].count));
	json_object_set_new(o, "kirkpatrick_level3",
			    json_pack("{s:I, s:o}", "case_studies", (json_int_t)rep->ncases, "by_status",
				      statuses));
	for (size_t i = 0; i < rep->ncases; i++) {
		const cb_report_case *c = &rep->cases[i];

		json_t *claims = c->checked ? json_pack("{s:I, s:I, s:I, s:I, s:I}", "total",
						       (json_int_t)c->claims, "agrees",
						       (json_int_t)c->agrees, "disagrees",
						       (json_int_t)c->disagrees, "too_few",
						       (json_int_t)c->too_few, "no_data",
						       (json_int_t)c->no_data)
					    : json_null();

		json_t *despite = c->despite_reason ? json_pack("{s:s, s:s}", "reviewer", c->despite_by,
								"reason", c->despite_reason)
						    : json_null();

		json_array_append_new(cases, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o}",
						       "slug", c->slug, "title", c->title,
						       "account", c->account, "technician",
						       c->technician, "status", c->status,
						       "evidence", c->evidence, "claims", claims,
						       "despite_evidence", despite));
	}
	json_object_set_new(o, "case_studies", cases);
	for (size_t i = 0; i < rep->noutcomes; i++) {
		const cb_report_outcome *x = &rep->outcomes[i];

		json_array_append_new(
			outcomes,
			json_pack("{s:s, s:s, s:s, s:s, s:f, s:f, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o}",
				  "account", x->account, "kpi", x->kpi, "from", x->from, "to", x->to,
				  "target", x->target, "minimum", x->minimum, "period_value",
				  cb_cli_json_number(x->period), "period", x->period_attainment, "period_reason",
				  x->period_reason[0] ? json_string(x->period_reason) : json_null(),
				  "trained_in", x->trained ? json_string(x->session) : json_null(),
				  "baseline_value", cb_cli_json_number(x->baseline), "baseline",
				  x->trained ? json_string(x->baseline_attainment) : json_null(),
				  "follow_up_value", cb_cli_json_number(x->follow_up), "follow_up",
				  x->trained ? json_string(x->follow_up_attainment) : json_null()));
	}
	json_object_set_new(o, "outcomes", outcomes);
	return o;
}

/* ---- The whole document. ---- */

static void nav(doc *d, const cb_report *rep)
{
	static const char *const items[][2] = {
		{"answer", "The answer"}, {"summary", "Summary"},   {"account", "This account"},
		{"kpis", "KPIs"},
		{"series", "Over time"},  {"formats", "By format"},     {"kirkpatrick", "Kirkpatrick"},
		{"roi", "ROI"},           {"outcomes", "Outcomes"},     {"cases", "Case studies"},
		{"method", "How to read"},
	};

	if (d->md)
		return;
	raw(d, "<nav><ul>");
	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		if (strcmp(items[i][0], "account") == 0 && rep->request.kind != CB_REPORT_ACCOUNT)
			continue;
		if (strcmp(items[i][0], "formats") == 0 && rep->request.kind != CB_REPORT_PROGRAM)
			continue;
		if (!rep->impact && (strcmp(items[i][0], "summary") == 0 || strcmp(items[i][0], "kpis") == 0 ||
				     strcmp(items[i][0], "roi") == 0 || strcmp(items[i][0], "answer") == 0))
			continue;
		rawf(d, "<li><a href=\"#%s\">%s</a></li>", items[i][0], items[i][1]);
	}
	raw(d, "</ul></nav>\n");
}

static int render(const cb_report *rep, int md, cb_buf *out, size_t *charts)
{
	doc d = {CB_BUF_INIT, md, 0, 0, 0, ""};
	char today[CB_DATE_LEN], sub[600];
	json_t *data;

	cb_date_format(cb_date_today(), today);
	if (rep->impact) {
		const cb_impact_report *r = rep->impact;

		snprintf(sub, sizeof(sub), "Did the training move the customers' numbers? %s %s .. %s. "
					   "Generated by casebook %s on %s.",
			 rep->request.kind == CB_REPORT_ACCOUNT ? "Training" : "Sessions",
			 date_of(r->sessions[0].first).s, date_of(r->sessions[r->nsessions - 1].last).s,
			 CASEBOOK_VERSION, today);
	} else {
		snprintf(sub, sizeof(sub), "Generated by casebook %s on %s.", CASEBOOK_VERSION, today);
	}
	if (!md) {
		raw(&d, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
			"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
			"style-src 'unsafe-inline'; img-src data:\">\n"
			"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
			"<meta name=\"generator\" content=\"casebook " CASEBOOK_VERSION "\">\n<title>");
		txtf(&d, "Casebook report: %s", rep->title);
		raw(&d, "</title>\n<style>\n");
		raw(&d, style);
		raw(&d, "</style>\n</head>\n<body>\n<main>\n<header>\n<h1>");
		txt(&d, rep->title);
		raw(&d, "</h1>\n");
		para(&d, "meta", "%s", sub);
		nav(&d, rep);
		raw(&d, "</header>\n");
	} else {
		raw(&d, "# ");
		txt(&d, rep->title);
		raw(&d, "\n\n");
		para(&d, NULL, "%s", sub);
	}
	if (rep->impact) {
		section_answer(&d, rep);
		heading(&d, 2, "summary",
			rep->request.kind == CB_REPORT_ACCOUNT ? "Summary of its training cohort" : "Summary");
		section_summary(&d, rep);
	}
	if (rep->request.kind == CB_REPORT_ACCOUNT)
		section_account(&d, rep);
	if (rep->impact)
		section_kpis(&d, rep->impact);
	section_series(&d, rep);
	if (rep->request.kind == CB_REPORT_PROGRAM)
		section_formats(&d, rep);
	section_levels(&d, rep);
	if (rep->impact)
		section_roi(&d, rep->impact);
	section_outcomes(&d, rep);
	section_cases(&d, rep);
	section_method(&d, rep->impact);
	if (!md) {
		char *json;

		data = report_data(rep);
		/* 15 significant digits, as cb_output_render prints --json: the
		 * embedded numbers are the very ones impact --json shows. */
		json = data ? json_dumps(data, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
		json_decref(data);
		if (!json && !d.rc)
			d.rc = cb_error_set(CB_ENOMEM, "out of memory");
		raw(&d, "<script type=\"application/json\" id=\"casebook-data\">");
		if (json && !d.rc)
			d.rc = cb_html_json(&d.b, json);
		free(json);
		raw(&d, "</script>\n</main>\n</body>\n</html>\n");
	}
	if (d.rc) {
		cb_buf_free(&d.b);
		return d.rc;
	}
	*out = d.b;
	*charts = d.charts;
	return 0;
}

/* ---- Writing the file: checked first, replaced atomically. ---- */

static void parent_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(dir, len, ".");
	else if (slash == path)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

/* Refuses what cannot be the report's file before any work is done. */
static int check_out(const char *path)
{
	char dir[4096];
	struct stat st;

	if (!*path)
		return cb_error_set(CB_EUSAGE, "--out needs a file name");
	if (path[strlen(path) - 1] == '/' || (stat(path, &st) == 0 && S_ISDIR(st.st_mode)))
		return cb_error_set(CB_EIO, "cannot write the report to %s: it is a folder; name a file in it",
				    path);
	parent_of(path, dir, sizeof(dir));
	if (stat(dir, &st) < 0)
		return cb_error_set(CB_EIO, "cannot write the report to %s: folder %s %s", path, dir,
				    errno == ENOENT ? "does not exist" : strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return cb_error_set(CB_EIO, "cannot write the report to %s: %s is not a folder", path, dir);
	if (access(dir, W_OK) < 0)
		return cb_error_set(CB_EIO, "cannot write the report to %s: no permission to write in %s",
				    path, dir);
	return 0;
}

/* Writes data to a new file beside `path` and renames it over `path`: a
 * reader sees the old file or the new one, never half of one. */
static int write_atomic(const char *path, const char *data, size_t len)
{
	char dir[4096], tmp[4200];
	size_t done = 0;
	mode_t mask;
	int fd;

	parent_of(path, dir, sizeof(dir));
	snprintf(tmp, sizeof(tmp), "%s/.casebook-report-XXXXXX", dir);
	fd = mkstemp(tmp);
	if (fd < 0)
		return cb_error_set(CB_EIO, "cannot write the report to %s: %s", path, strerror(errno));
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) < 0)
		goto fail;
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		done += (size_t)n;
	}
	if (fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto fail;
	return 0;
fail:
	{
		int e = errno;

		if (fd >= 0)
			close(fd);
		unlink(tmp);
		return cb_error_set(CB_EIO, "cannot write the report to %s: %s", path, strerror(e));
	}
}

/* ---- The command. ---- */

typedef struct report_args {
	cb_report_request req;
	const char *out;
	int md, format_given;
	const char **kpis;
	size_t nkpis;
	char **controls;
	size_t ncontrols;
	char *control_copy;
} report_args;

static void args_free(report_args *a)
{
	free(a->kpis);
	free(a->controls);
	free(a->control_copy);
}

static int parse_args(cb_cli *cli, int argc, char **argv, report_args *a)
{
	static const struct option opts[] = {
		{"session", required_argument, NULL, 's'},   {"program", required_argument, NULL, 'p'},
		{"account", required_argument, NULL, 'a'},   {"out", required_argument, NULL, 'o'},
		{"format", required_argument, NULL, 'f'},    {"window", required_argument, NULL, 'w'},
		{"lag", required_argument, NULL, 'l'},       {"control", required_argument, NULL, 'c'},
		{"kpi", required_argument, NULL, 'k'},       {"resamples", required_argument, NULL, 'r'},
		{"seed", required_argument, NULL, 'S'},      {"level", required_argument, NULL, 'L'},
		CB_CLI_COMMON_OPTIONS,                       {0}};
	cb_analysis_options defaults = CB_ANALYSIS_OPTIONS_INIT;
	int c, subjects = 0;

	memset(a, 0, sizeof(*a));
	a->req.impact.lag_days = -1;
	a->req.impact.analysis = defaults;
	a->req.impact.control = CB_CONTROL_AUTO;
	a->kpis = calloc((size_t)argc, sizeof(char *));
	if (!a->kpis)
		return cb_error_set(CB_ENOMEM, "out of memory");
	while ((c = cb_cli_getopt(cli, argc, argv, "o:", opts)) != -1) {
		switch (c) {
		case 'h':
			return 1;
		case 's':
		case 'p':
		case 'a':
			subjects++;
			a->req.kind = c == 's' ? CB_REPORT_SESSION : c == 'p' ? CB_REPORT_PROGRAM : CB_REPORT_ACCOUNT;
			a->req.key = optarg;
			break;
		case 'o':
			a->out = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "html") != 0 && strcmp(optarg, "md") != 0)
				return cb_error_set(CB_EUSAGE, "--format takes html or md, not '%s'", optarg);
			a->md = strcmp(optarg, "md") == 0;
			a->format_given = 1;
			break;
		case 'w':
			if (cb_cli_parse_days("--window", optarg, 1, CB_ANALYSIS_WINDOW_DAYS_MAX,
					      &a->req.impact.window_days) < 0)
				return CB_EUSAGE;
			break;
		case 'l':
			if (cb_cli_parse_days("--lag", optarg, 0, CB_ANALYSIS_LAG_DAYS_MAX,
					      &a->req.impact.lag_days) < 0)
				return CB_EUSAGE;
			break;
		case 'c': {
			int mode;

			if (cb_cli_parse_control(optarg, &mode, &a->control_copy, &a->controls,
						 &a->ncontrols) < 0)
				return cb_error_code();
			a->req.impact.control = (cb_control_mode)mode;
			break;
		}
		case 'k':
			a->kpis[a->nkpis++] = optarg;
			break;
		case 'r':
			return cb_cli_retired_option("--resamples");
		case 'S':
			return cb_cli_retired_option("--seed");
		case 'L':
			if (cb_cli_parse_double("--level", optarg, 0.5, 0.999,
						&a->req.impact.analysis.level) < 0)
				return CB_EUSAGE;
			break;
		default:
			return 2;
		}
	}
	if (optind < argc)
		return cb_error_set(CB_EUSAGE, "report takes no arguments besides its options ('%s')",
				    argv[optind]);
	if (subjects != 1)
		return cb_error_set(CB_EUSAGE, "name one subject: --session, --program or --account");
	if (!a->out)
		return cb_error_set(CB_EUSAGE, "name the file to write with --out FILE");
	if (!a->format_given) {
		size_t len = strlen(a->out);

		a->md = len > 3 && strcmp(a->out + len - 3, ".md") == 0;
	}
	if (a->nkpis) {
		a->req.impact.kpis = a->kpis;
		a->req.impact.nkpis = a->nkpis;
	}
	a->req.impact.controls = (const char *const *)a->controls;
	a->req.impact.ncontrols = a->ncontrols;
	return 0;
}

int cb_cli_report(cb_cli *cli, int argc, char **argv)
{
	report_args a;
	cb_workspace *ws = NULL;
	cb_report *rep = NULL;
	cb_buf page = CB_BUF_INIT;
	size_t charts = 0;
	int rc;

	rc = parse_args(cli, argc, argv, &a);
	if (rc == 1) {
		args_free(&a);
		return cb_cli_help(cli, report_help);
	}
	if (rc == 2) {
		args_free(&a);
		return cb_cli_bad_option(cli, report_help, argc, argv);
	}
	if (rc < 0) {
		args_free(&a);
		return cb_cli_usage(cli, report_help, "%s", cb_error_last());
	}
	if (check_out(a.out) < 0 || cb_cli_open(cli, 1, &ws) < 0 ||
	    cb_app_report(ws, &a.req, &rep) < 0 || render(rep, a.md, &page, &charts) < 0 ||
	    write_atomic(a.out, cb_buf_cstr(&page), page.len) < 0) {
		rc = cb_cli_fail(cli);
	} else {
		rc = cb_cli_done(cli,
				 json_pack("{s:s, s:s, s:I, s:I}", "file", a.out, "format",
					   a.md ? "md" : "html", "charts", (json_int_t)charts, "bytes",
					   (json_int_t)page.len),
				 "wrote %s (%s, %zu chart%s, %zu bytes)", a.out, a.md ? "Markdown" : "HTML",
				 charts, charts == 1 ? "" : "s", page.len);
	}
	cb_buf_free(&page);
	cb_report_free(rep);
	if (ws)
		cb_workspace_close(ws);
	args_free(&a);
	return rc;
}
