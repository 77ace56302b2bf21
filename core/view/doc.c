/*
 * The document the report is written as: HTML or Markdown from the same
 * calls, each escaping its text at the last moment (cb_html_text, or a
 * backslash before Markdown's markup), with a sticky error so that a
 * section writes straight on and the caller checks once at the end.
 */
#include "view/doc.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/date.h"
#include "format/html.h"

cb_view_num cb_view_fixed2(double v)
{
	cb_view_num n;

	if (isfinite(v))
		snprintf(n.s, sizeof(n.s), "%.2f", v);
	else
		snprintf(n.s, sizeof(n.s), "–");
	return n;
}

cb_view_num cb_view_signed2(double v)
{
	cb_view_num n;

	if (!isfinite(v)) {
		snprintf(n.s, sizeof(n.s), "–");
		return n;
	}
	/* What rounds to nothing has no sign: "0.00", not "-0.00". */
	snprintf(n.s, sizeof(n.s), "%.2f", fabs(v));
	if (strcmp(n.s, "0.00") != 0)
		snprintf(n.s, sizeof(n.s), "%+.2f", v);
	return n;
}

cb_view_num cb_view_interval2(const cb_analysis_interval *ci, int ok)
{
	cb_view_num n;

	if (ok && isfinite(ci->low) && isfinite(ci->high))
		snprintf(n.s, sizeof(n.s), "[%.2f, %.2f]", ci->low, ci->high);
	else
		snprintf(n.s, sizeof(n.s), "–");
	return n;
}

/* A p-value: 3 decimals, "<0.001" below, "–" for none. */
cb_view_num cb_view_p_value(double p)
{
	cb_view_num n;

	if (!isfinite(p))
		snprintf(n.s, sizeof(n.s), "–");
	else if (p < 0.001)
		snprintf(n.s, sizeof(n.s), "<0.001");
	else
		snprintf(n.s, sizeof(n.s), "%.3f", p);
	return n;
}

cb_view_num cb_view_date(int32_t day)
{
	cb_view_num n;

	cb_date_format(day, n.s);
	return n;
}

void cb_view_doc_raw(cb_view_doc *d, const char *s)
{
	if (!d->rc)
		d->rc = cb_buf_puts(d->b, s);
}

void cb_view_doc_rawf(cb_view_doc *d, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	cb_view_doc_raw(d, tmp);
}

/* Markdown: backslash-escape what would turn text into markup (and '|',
 * which would end a table cell); line breaks become spaces. */
static void md_text(cb_view_doc *d, const char *s)
{
	for (; s && *s && !d->rc; s++) {
		char c = *s;

		if (c == '\n' || c == '\r') {
			d->rc = cb_buf_putc(d->b, ' ');
			continue;
		}
		if (strchr("\\`*_[]<>#|", c))
			d->rc = cb_buf_putc(d->b, '\\');
		if (!d->rc)
			d->rc = cb_buf_putc(d->b, c);
	}
}

/* Text in the document's language, escaped. */
void cb_view_doc_text(cb_view_doc *d, const char *s)
{
	if (d->md)
		md_text(d, s);
	else if (!d->rc)
		d->rc = cb_html_text(d->b, s);
}

void cb_view_doc_textf(cb_view_doc *d, const char *fmt, ...)
{
	char tmp[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	cb_view_doc_text(d, tmp);
}

void cb_view_doc_heading(cb_view_doc *d, int level, const char *id, const char *text)
{
	if (d->md) {
		cb_view_doc_raw(d, "\n");
		for (int i = 0; i < level; i++)
			cb_view_doc_raw(d, "#");
		cb_view_doc_raw(d, " ");
		cb_view_doc_text(d, text);
		cb_view_doc_raw(d, "\n\n");
		return;
	}
	cb_view_doc_rawf(d, "<h%d", level);
	if (id)
		cb_view_doc_rawf(d, " id=\"%s\"", id);
	cb_view_doc_raw(d, ">");
	cb_view_doc_text(d, text);
	cb_view_doc_rawf(d, "</h%d>\n", level);
}

/* A paragraph: para_open, text, para_close. */
void cb_view_doc_para_open(cb_view_doc *d, const char *cls)
{
	if (d->md)
		return;
	if (cls)
		cb_view_doc_rawf(d, "<p class=\"%s\">", cls);
	else
		cb_view_doc_raw(d, "<p>");
}

void cb_view_doc_para_close(cb_view_doc *d)
{
	cb_view_doc_raw(d, d->md ? "\n\n" : "</p>\n");
}

void cb_view_doc_para(cb_view_doc *d, const char *cls, const char *fmt, ...)
{
	char tmp[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	cb_view_doc_para_open(d, cls);
	cb_view_doc_text(d, tmp);
	cb_view_doc_para_close(d);
}

/* HTML only: a container element. */
void cb_view_doc_open(cb_view_doc *d, const char *tag, const char *cls)
{
	if (d->md)
		return;
	cb_view_doc_rawf(d, "<%s", tag);
	if (cls)
		cb_view_doc_rawf(d, " class=\"%s\"", cls);
	cb_view_doc_raw(d, ">\n");
}

void cb_view_doc_close(cb_view_doc *d, const char *tag)
{
	if (!d->md)
		cb_view_doc_rawf(d, "</%s>\n", tag);
}

/* A table: `align` has one letter per column: 'l', 'r' (numbers), 'w' (wraps). */
void cb_view_doc_table_open(cb_view_doc *d, const char *align, const char *const *head)
{
	d->ncols = strlen(align);
	snprintf(d->align, sizeof(d->align), "%s", align);
	if (d->md) {
		for (size_t i = 0; i < d->ncols; i++) {
			cb_view_doc_raw(d, "| ");
			md_text(d, head[i]);
			cb_view_doc_raw(d, " ");
		}
		cb_view_doc_raw(d, "|\n");
		for (size_t i = 0; i < d->ncols; i++)
			cb_view_doc_raw(d, d->align[i] == 'r' ? "| ---: " : "| --- ");
		cb_view_doc_raw(d, "|\n");
		return;
	}
	/* In a box of its own that scrolls sideways: a wide table on a phone
	 * scrolls there, not the whole report. A box that scrolls must be
	 * reachable by keyboard and named (axe: scrollable-region-focusable),
	 * so it is a focusable region named by its columns. */
	cb_view_doc_raw(d, "<div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Table: ");
	for (size_t i = 0; i < d->ncols; i++) {
		if (i)
			cb_view_doc_raw(d, ", ");
		if (!d->rc)
			d->rc = cb_html_attr(d->b, head[i]);
	}
	cb_view_doc_raw(d, "\">");
	cb_view_doc_raw(d, "<table><thead><tr>");
	for (size_t i = 0; i < d->ncols; i++) {
		cb_view_doc_raw(d, d->align[i] == 'r' ? "<th class=\"n\">" : "<th>");
		cb_view_doc_text(d, head[i]);
		cb_view_doc_raw(d, "</th>");
	}
	cb_view_doc_raw(d, "</tr></thead><tbody>\n");
}

void cb_view_doc_table_row(cb_view_doc *d, const char *cls, const char *const *cells)
{
	if (d->md) {
		for (size_t i = 0; i < d->ncols; i++) {
			cb_view_doc_raw(d, "| ");
			md_text(d, cells[i] ? cells[i] : "");
			cb_view_doc_raw(d, " ");
		}
		cb_view_doc_raw(d, "|\n");
		return;
	}
	if (cls)
		cb_view_doc_rawf(d, "<tr class=\"%s\">", cls);
	else
		cb_view_doc_raw(d, "<tr>");
	for (size_t i = 0; i < d->ncols; i++) {
		cb_view_doc_raw(d, d->align[i] == 'r'	? "<td class=\"n\">"
				   : d->align[i] == 'w' ? "<td class=\"w\">"
				   : i == d->ncols - 1	? "<td class=\"v\">"
							: "<td>");
		cb_view_doc_text(d, cells[i] ? cells[i] : "");
		cb_view_doc_raw(d, "</td>");
	}
	cb_view_doc_raw(d, "</tr>\n");
}

void cb_view_doc_table_close(cb_view_doc *d)
{
	cb_view_doc_raw(d, d->md ? "\n" : "</tbody></table></div>\n");
}

/* HTML only: an SVG chart drawn by `svg` (its buffer is consumed). */
void cb_view_doc_chart(cb_view_doc *d, cb_buf *svg, int rc)
{
	if (rc < 0 && !d->rc)
		d->rc = rc;
	if (!d->md && !d->rc) {
		cb_view_doc_raw(d, cb_buf_cstr(svg));
		cb_view_doc_raw(d, "\n");
		d->charts++;
	}
	cb_buf_free(svg);
}
