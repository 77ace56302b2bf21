/*
 * SVG charts. Both charts map numbers to pixels on "nice" axes (ticks at
 * 1, 2 or 5 times a power of ten) and write plain SVG 1.1 elements with a
 * sticky error, so that one check at the end covers every append.
 */
#include "format/svg.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "format/html.h"

#define FONT "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

static const char *const tone_colour[] = {"#2563eb", "#6b7280", "#111827"};

typedef struct writer {
	cb_buf *b;
	int rc;
} writer;

static void put(writer *w, const char *fmt, ...) CB_PRINTF(2, 3);

static void put(writer *w, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	if (w->rc)
		return;
	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		w->rc = cb_error_set(CB_ERROR, "an SVG element is longer than %zu bytes", sizeof(tmp));
	else
		w->rc = cb_buf_append(w->b, tmp, (size_t)n);
}

static void text(writer *w, const char *s)
{
	if (!w->rc)
		w->rc = cb_html_text(w->b, s);
}

static void attr(writer *w, const char *s)
{
	if (!w->rc)
		w->rc = cb_html_attr(w->b, s);
}

/* <title>s</title>, when s is given. */
static void title(writer *w, const char *s)
{
	if (!s || !*s)
		return;
	put(w, "<title>");
	text(w, s);
	put(w, "</title>");
}

static void open_svg(writer *w, const char *css_class, const char *name, int width, int height)
{
	put(w, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"");
	attr(w, css_class ? css_class : "chart");
	put(w, "\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", width,
	    height, width, height);
	attr(w, name);
	put(w, "\" font-family=\"%s\" font-size=\"12\">", FONT);
	title(w, name);
}

/* Approximate width of s in px at `size` px: code points times an average
 * advance. Good enough to size margins; labels never need to be exact. */
static double text_width(const char *s, double size)
{
	size_t n = 0;

	for (; s && *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return (double)n * size * 0.58;
}

typedef struct axis {
	double lo, hi, step;
	int decimals;
} axis;

/* A nice axis over [lo, hi] with about `ticks` steps. */
static void axis_make(double lo, double hi, int ticks, axis *a)
{
	double raw, mag, norm, step;
	int k;

	if (!(hi > lo)) {
		double pad = lo == 0 ? 1 : fabs(lo) * 0.1;

		lo -= pad;
		hi += pad;
	}
	raw = (hi - lo) / ticks;
	mag = pow(10, floor(log10(raw)));
	norm = raw / mag;
	/* The nearest of 1, 2, 5, 10 on a log scale (cuts at their geometric
	 * means), so an axis overshoots its data by less than a step. */
	step = (norm < 1.414 ? 1 : norm < 3.162 ? 2 : norm < 7.071 ? 5 : 10) * mag;
	a->lo = floor(lo / step + 1e-9) * step;
	a->hi = ceil(hi / step - 1e-9) * step;
	if (!(a->hi > a->lo))
		a->hi = a->lo + step;
	a->step = step;
	k = (int)floor(log10(step) + 1e-9);
	a->decimals = k < 0 ? -k : 0;
}

static size_t axis_ticks(const axis *a)
{
	return (size_t)floor((a->hi - a->lo) / a->step + 0.5) + 1;
}

static double axis_tick(const axis *a, size_t i)
{
	double v = a->lo + (double)i * a->step;

	return fabs(v) < a->step * 1e-6 ? 0 : v; /* no "-0" */
}

static double scale(const axis *a, double v, double p0, double p1)
{
	return p0 + (v - a->lo) / (a->hi - a->lo) * (p1 - p0);
}

typedef struct range {
	double lo, hi;
	int any;
} range;

static void range_add(range *r, double v)
{
	if (!isfinite(v))
		return;
	if (!r->any || v < r->lo)
		r->lo = v;
	if (!r->any || v > r->hi)
		r->hi = v;
	r->any = 1;
}

static void legend_item(writer *w, double *x, double y, int which, const char *label)
{
	const char *c = tone_colour[CB_SVG_PRIMARY];

	if (which == 0)
		put(w, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\" fill=\"#fff\" stroke=\"%s\" stroke-width=\"2\"/>",
		    *x + 5, y - 4, c);
	else if (which == 1)
		put(w, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\"/>", *x + 5, y - 4, c);
	else
		put(w, "<path d=\"M%.1f %.1fH%.1fM%.1f %.1fV%.1fM%.1f %.1fV%.1f\" stroke=\"%s\" "
		       "stroke-width=\"1.5\" fill=\"none\"/>",
		    *x, y - 4, *x + 14, *x, y - 8, y, *x + 14, y - 8, y, c);
	put(w, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#374151\">", *x + 20, y);
	text(w, label);
	put(w, "</text>");
	*x += 20 + text_width(label, 12) + 18;
}

int cb_svg_rows_chart(cb_buf *b, const cb_svg_rows *c)
{
	writer w = {b, 0};
	int width = c->width ? c->width : 640, legend = 0;
	double lw = c->label_width, nw = c->note_width, x0, x1, top, row_h = 30, height, bottom;
	range r = {0, 0, 0};
	axis a;

	for (int i = 0; i < 3; i++)
		legend |= c->legend[i] != NULL;
	for (size_t i = 0; i < c->nrows; i++) {
		const cb_svg_row *row = &c->rows[i];

		range_add(&r, row->start);
		range_add(&r, row->value);
		range_add(&r, row->low);
		range_add(&r, row->high);
		if (!c->label_width && text_width(row->label, 12) + 14 > lw)
			lw = text_width(row->label, 12) + 14;
		if (!c->note_width && row->note && text_width(row->note, 12) + 14 > nw)
			nw = text_width(row->note, 12) + 14;
	}
	lw = lw < 40 ? 40 : lw > 220 ? 220 : lw;
	nw = nw > 300 ? 300 : nw;
	if (!r.any)
		r.lo = r.hi = 0;
	if (c->zero_line)
		range_add(&r, 0);
	if (c->from_zero && r.lo > 0)
		r.lo = 0;
	axis_make(r.lo, r.hi, 5, &a);
	x0 = lw;
	x1 = width - nw - 12;
	if (x1 < x0 + 80)
		x1 = x0 + 80;
	top = legend ? 28 : 8;
	bottom = top + row_h * (double)c->nrows + 4;
	height = bottom + (c->axis ? 36 : 22);

	open_svg(&w, c->css_class, c->title, width, (int)ceil(height));
	if (legend) {
		double x = x0;

		for (int i = 0; i < 3; i++)
			if (c->legend[i])
				legend_item(&w, &x, 16, i, c->legend[i]);
	}
	/* The grid and the axis. */
	put(&w, "<g fill=\"#4b5563\" text-anchor=\"middle\" font-size=\"11\">");
	for (size_t i = 0, n = axis_ticks(&a); i < n; i++) {
		double v = axis_tick(&a, i), x = scale(&a, v, x0, x1);
		char label[48];

		snprintf(label, sizeof(label), "%.*f", a.decimals, v);
		put(&w, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>", x, top, x,
		    bottom, v == 0 ? "#374151" : "#e5e7eb");
		put(&w, "<text x=\"%.1f\" y=\"%.1f\">%s</text>", x, bottom + 15, label);
	}
	if (c->axis) {
		put(&w, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#374151\">", (x0 + x1) / 2, bottom + 31);
		text(&w, c->axis);
		put(&w, "</text>");
	}
	put(&w, "</g>");
	/* The rows. */
	for (size_t i = 0; i < c->nrows; i++) {
		const cb_svg_row *row = &c->rows[i];
		const char *col = tone_colour[row->tone <= CB_SVG_STRONG ? row->tone : 0];
		double y = top + row_h * ((double)i + 0.5);

		put(&w, "<g>");
		title(&w, row->tooltip);
		put(&w, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#111827\">", x0 - 10, y + 4);
		text(&w, row->label);
		put(&w, "</text>");
		if (isfinite(row->low) && isfinite(row->high)) {
			double l = scale(&a, row->low, x0, x1), h = scale(&a, row->high, x0, x1);

			put(&w, "<path d=\"M%.1f %.1fH%.1fM%.1f %.1fV%.1fM%.1f %.1fV%.1f\" stroke=\"%s\" "
				"stroke-width=\"1.5\" fill=\"none\"/>",
			    l, y, h, l, y - 6, y + 6, h, y - 6, y + 6, col);
		}
		if (isfinite(row->start) && isfinite(row->value))
			put(&w, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
				"stroke-width=\"3\" stroke-opacity=\"0.45\"/>",
			    scale(&a, row->start, x0, x1), y, scale(&a, row->value, x0, x1), y, col);
		if (isfinite(row->start))
			put(&w, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"#fff\" stroke=\"%s\" "
				"stroke-width=\"2\"/>",
			    scale(&a, row->start, x0, x1), y, col);
		if (isfinite(row->value))
			put(&w, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5.5\" fill=\"%s\"/>",
			    scale(&a, row->value, x0, x1), y, col);
		if (row->note) {
			put(&w, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#111827\">", x1 + 12, y + 4);
			text(&w, row->note);
			put(&w, "</text>");
		}
		put(&w, "</g>");
	}
	put(&w, "</svg>");
	return w.rc;
}

int cb_svg_line_chart(cb_buf *b, const cb_svg_lines *c)
{
	writer w = {b, 0};
	int width = c->width ? c->width : 340, height = c->height ? c->height : 200;
	double left = 46, right = 12, top = 32, bottom = height - 22.0, x0, x1;
	range xr = {0, 0, 0}, yr = {0, 0, 0};
	size_t every = c->label_every;
	axis xa, ya;

	for (size_t i = 0; i < c->npoints; i++) {
		range_add(&xr, c->points[i].x);
		range_add(&yr, c->points[i].y);
	}
	for (size_t i = 0; i < c->nbands; i++) {
		range_add(&xr, c->bands[i].from);
		range_add(&xr, c->bands[i].to);
	}
	if (!xr.any)
		xr.lo = xr.hi = 0;
	if (!yr.any)
		yr.lo = yr.hi = 0;
	if (c->from_zero && yr.lo > 0)
		yr.lo = 0;
	axis_make(yr.lo, yr.hi, 4, &ya);
	/* x is plain linear: no rounding of its ends to ticks. */
	xa.lo = xr.lo;
	xa.hi = xr.hi > xr.lo ? xr.hi : xr.lo + 1;
	xa.step = 1;
	xa.decimals = 0;
	{
		char widest[48];
		double tw;

		snprintf(widest, sizeof(widest), "%.*f", ya.decimals,
			 fabs(ya.lo) > fabs(ya.hi) ? ya.lo : ya.hi);
		tw = text_width(widest, 11) + 12;
		if (tw > left)
			left = tw;
	}
	x0 = left;
	x1 = width - right;
	if (!every) {
		size_t fit = (size_t)((x1 - x0) / 56);

		fit = fit ? fit : 1;
		every = (c->npoints + fit - 1) / fit;
		every = every ? every : 1;
	}

	open_svg(&w, c->css_class, c->title, width, height);
	if (c->y_axis) {
		put(&w, "<text x=\"4\" y=\"%.1f\" fill=\"#374151\" font-size=\"11\">", top - 17);
		text(&w, c->y_axis);
		put(&w, "</text>");
	}
	/* Bands under everything else. */
	for (size_t i = 0; i < c->nbands; i++) {
		const cb_svg_band *bd = &c->bands[i];
		double bx0 = scale(&xa, bd->from, x0, x1), bx1 = scale(&xa, bd->to, x0, x1);
		int event = bd->kind == CB_SVG_BAND_EVENT;

		if (bx1 - bx0 < 2) {
			bx0 -= 1;
			bx1 += 1;
		}
		put(&w, "<g>");
		title(&w, bd->tooltip);
		put(&w, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
			"fill-opacity=\"%s\"/>",
		    bx0, top, bx1 - bx0, bottom - top, event ? "#f59e0b" : "#2563eb",
		    event ? "0.55" : "0.08");
		if (bd->label) {
			put(&w, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"10\" "
				"fill=\"%s\">",
			    (bx0 + bx1) / 2, event ? top - 17 : top - 4, event ? "#92400e" : "#1e3a8a");
			text(&w, bd->label);
			put(&w, "</text>");
		}
		put(&w, "</g>");
	}
	/* The y grid and its labels. */
	put(&w, "<g fill=\"#4b5563\" font-size=\"11\" text-anchor=\"end\">");
	for (size_t i = 0, n = axis_ticks(&ya); i < n; i++) {
		double v = axis_tick(&ya, i), y = scale(&ya, v, bottom, top);

		put(&w, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>", x0, y, x1,
		    y, v == 0 ? "#9ca3af" : "#e5e7eb");
		put(&w, "<text x=\"%.1f\" y=\"%.1f\">%.*f</text>", x0 - 6, y + 4, ya.decimals, v);
	}
	put(&w, "</g>");
	/* The x labels. */
	put(&w, "<g fill=\"#4b5563\" font-size=\"10\" text-anchor=\"middle\">");
	for (size_t i = 0; i < c->npoints; i += every) {
		double x = scale(&xa, c->points[i].x, x0, x1), half, tx;

		if (!c->points[i].label)
			continue;
		/* Keep the label inside the chart: near an edge it moves in. */
		half = text_width(c->points[i].label, 10) / 2 + 2;
		tx = x < half ? half : x > width - half ? width - half : x;
		put(&w, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#9ca3af\"/>", x,
		    bottom, x, bottom + 4);
		put(&w, "<text x=\"%.1f\" y=\"%.1f\">", tx, bottom + 15);
		text(&w, c->points[i].label);
		put(&w, "</text>");
	}
	put(&w, "</g>");
	/* The line, broken where a value is missing, then the dots. */
	for (size_t i = 0; i < c->npoints;) {
		size_t j = i;

		while (j < c->npoints && isfinite(c->points[j].y))
			j++;
		if (j - i >= 2) {
			put(&w, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" points=\"",
			    tone_colour[CB_SVG_PRIMARY]);
			for (size_t k = i; k < j; k++)
				put(&w, "%s%.1f,%.1f", k > i ? " " : "", scale(&xa, c->points[k].x, x0, x1),
				    scale(&ya, c->points[k].y, bottom, top));
			put(&w, "\"/>");
		}
		i = j > i ? j : i + 1;
	}
	for (size_t i = 0; i < c->npoints; i++) {
		if (!isfinite(c->points[i].y))
			continue;
		put(&w, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.6\" fill=\"%s\">",
		    scale(&xa, c->points[i].x, x0, x1), scale(&ya, c->points[i].y, bottom, top),
		    tone_colour[CB_SVG_PRIMARY]);
		title(&w, c->points[i].tooltip);
		put(&w, "</circle>");
	}
	put(&w, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#9ca3af\"/>", x0, bottom,
	    x1, bottom);
	put(&w, "</svg>");
	return w.rc;
}

int cb_svg_event_chart(cb_buf *b, const cb_svg_events *c)
{
	writer w = {b, 0};
	int width = c->width ? c->width : 440, height = c->height ? c->height : 230;
	double left = 46, right = 12, top = 30, bottom = height - (c->x_axis ? 36.0 : 22.0);
	double slot, x0, x1;
	size_t nbefore = 0;
	range r = {0, 0, 0};
	axis a;

	for (size_t i = 0; i < c->nevents; i++) {
		range_add(&r, c->events[i].value);
		range_add(&r, c->events[i].low);
		range_add(&r, c->events[i].high);
		nbefore += c->events[i].before != 0;
	}
	range_add(&r, 0);
	axis_make(r.lo, r.hi, 4, &a);
	{
		char widest[48];
		double tw;

		snprintf(widest, sizeof(widest), "%.*f", a.decimals, fabs(a.lo) > fabs(a.hi) ? a.lo : a.hi);
		tw = text_width(widest, 11) + 12;
		if (tw > left)
			left = tw;
	}
	x0 = left;
	x1 = width - right;
	slot = (x1 - x0) / (double)(c->nevents ? c->nevents : 1);

	open_svg(&w, c->css_class, c->title, width, height);
	if (c->y_axis) {
		put(&w, "<text x=\"4\" y=\"%.1f\" fill=\"#374151\" font-size=\"11\">", top - 17);
		text(&w, c->y_axis);
		put(&w, "</text>");
	}
	/* The windows before the event, shaded and named. */
	if (nbefore) {
		put(&w, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#f3f4f6\"/>", x0,
		    top, slot * (double)nbefore, bottom - top);
		if (c->before) {
			put(&w, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"10\" fill=\"#4b5563\">",
			    x0 + slot * (double)nbefore / 2, top - 4);
			text(&w, c->before);
			put(&w, "</text>");
		}
	}
	/* The y grid, 0 darker. */
	put(&w, "<g fill=\"#4b5563\" font-size=\"11\" text-anchor=\"end\">");
	for (size_t i = 0, n = axis_ticks(&a); i < n; i++) {
		double v = axis_tick(&a, i), y = scale(&a, v, bottom, top);

		put(&w, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>", x0, y, x1,
		    y, v == 0 ? "#374151" : "#e5e7eb");
		put(&w, "<text x=\"%.1f\" y=\"%.1f\">%.*f</text>", x0 - 6, y + 4, a.decimals, v);
	}
	put(&w, "</g>");
	/* The event: a dashed line after the last window before it. */
	if (nbefore && nbefore < c->nevents) {
		double x = x0 + slot * (double)nbefore;

		put(&w, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#f59e0b\" "
			"stroke-width=\"2\" stroke-dasharray=\"4 3\"/>",
		    x, top, x, bottom);
		if (c->divider) {
			put(&w, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"#92400e\">", x + 4, top - 4);
			text(&w, c->divider);
			put(&w, "</text>");
		}
	}
	/* The windows: x labels, whiskers, dots. */
	for (size_t i = 0; i < c->nevents; i++) {
		const cb_svg_event *e = &c->events[i];
		const char *col = tone_colour[e->before ? CB_SVG_MUTED : CB_SVG_STRONG];
		double x = x0 + slot * ((double)i + 0.5);

		put(&w, "<g>");
		title(&w, e->tooltip);
		put(&w, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\" fill=\"#4b5563\">",
		    x, bottom + 15);
		text(&w, e->label);
		put(&w, "</text>");
		if (isfinite(e->low) && isfinite(e->high)) {
			double l = scale(&a, e->low, bottom, top), h = scale(&a, e->high, bottom, top);

			put(&w, "<path d=\"M%.1f %.1fV%.1fM%.1f %.1fH%.1fM%.1f %.1fH%.1f\" stroke=\"%s\" "
				"stroke-width=\"1.5\" fill=\"none\"/>",
			    x, l, h, x - 6, l, x + 6, x - 6, h, x + 6, col);
		}
		if (isfinite(e->value)) {
			if (e->reference)
				put(&w, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"#fff\" stroke=\"%s\" "
					"stroke-width=\"2\"/>",
				    x, scale(&a, e->value, bottom, top), col);
			else
				put(&w, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5.5\" fill=\"%s\"/>", x,
				    scale(&a, e->value, bottom, top), col);
		}
		put(&w, "</g>");
	}
	if (c->x_axis) {
		put(&w, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\" fill=\"#374151\">",
		    (x0 + x1) / 2, bottom + 31);
		text(&w, c->x_axis);
		put(&w, "</text>");
	}
	put(&w, "</svg>");
	return w.rc;
}
