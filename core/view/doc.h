/*
 * The report's document writer, inside view/: one set of calls that writes
 * HTML or Markdown (headings, paragraphs, tables, containers, SVG charts),
 * escaping every text at the last moment, and the numbers as the report
 * shows them (2 decimals). The error is sticky: after the first failure
 * every call does nothing, and the caller reads d->rc once at the end.
 *
 * Class names, ids and tag names passed here are the program's constants,
 * never user text: user text goes through cb_view_doc_text (or a table
 * cell, or a heading), which escapes it.
 */
#ifndef CB_VIEW_DOC_H
#define CB_VIEW_DOC_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/stats.h"
#include "base/buf.h"
#include "base/error.h"

/* A number as text: "12.35", "+0.50", "[1.00, 2.00]", "<0.001", "–". */
typedef struct cb_view_num {
	char s[80];
} cb_view_num;

/* v with 2 decimals (printf's %.2f), "–" when not finite. */
cb_view_num cb_view_fixed2(double v);
/* The same, signed: "+1.25", "-0.50"; "0.00" when it rounds to 0 (no "-0.00"). */
cb_view_num cb_view_signed2(double v);
/* An interval "[low, high]" with 2 decimals, "–" unless `ok` and both ends
 * are finite. */
cb_view_num cb_view_interval2(const cb_analysis_interval *ci, int ok);
/* A p-value: 3 decimals, "<0.001" below, "–" for none. */
cb_view_num cb_view_p_value(double p);
/* A day number as YYYY-MM-DD. */
cb_view_num cb_view_date(int32_t day);

typedef struct cb_view_doc {
	cb_buf *b;     /* written to; borrowed */
	int md;	       /* 1: Markdown, 0: HTML */
	int rc;	       /* 0, or the first error */
	size_t charts; /* SVG charts written */
	/* the table being written */
	size_t ncols;
	char align[16];
} cb_view_doc;

/* Markup as it is (the callers write it for HTML only). */
void cb_view_doc_raw(cb_view_doc *d, const char *s);
void cb_view_doc_rawf(cb_view_doc *d, const char *fmt, ...) CB_PRINTF(2, 3);

/* Text in the document's language, escaped: for HTML through
 * cb_html_text; for Markdown with a backslash before what would be markup
 * (and '|', which would end a table cell), line breaks as spaces. */
void cb_view_doc_text(cb_view_doc *d, const char *s);
void cb_view_doc_textf(cb_view_doc *d, const char *fmt, ...) CB_PRINTF(2, 3);

/* A heading of `level` (1..6); `id` (HTML only, a constant, may be NULL)
 * is the anchor the report's nav links to. */
void cb_view_doc_heading(cb_view_doc *d, int level, const char *id, const char *text);

/* A paragraph: para_open, text, para_close; or cb_view_doc_para with a
 * format. `cls` (HTML only) may be NULL. */
void cb_view_doc_para_open(cb_view_doc *d, const char *cls);
void cb_view_doc_para_close(cb_view_doc *d);
void cb_view_doc_para(cb_view_doc *d, const char *cls, const char *fmt, ...) CB_PRINTF(3, 4);

/* HTML only (nothing in Markdown): a container element <tag class=cls>
 * and its end. */
void cb_view_doc_open(cb_view_doc *d, const char *tag, const char *cls);
void cb_view_doc_close(cb_view_doc *d, const char *tag);

/* A table: `align` has one letter per column (at most 15): 'l' text, 'r'
 * a number (right-aligned), 'w' text that wraps; `head` one title per
 * column. A row's `cls` (HTML only) may be NULL; a NULL cell is empty. */
void cb_view_doc_table_open(cb_view_doc *d, const char *align, const char *const *head);
void cb_view_doc_table_row(cb_view_doc *d, const char *cls, const char *const *cells);
void cb_view_doc_table_close(cb_view_doc *d);

/* HTML only: the SVG chart in `svg`, drawn with result `rc` (a negative rc
 * becomes the document's error). Frees `svg` either way. */
void cb_view_doc_chart(cb_view_doc *d, cb_buf *svg, int rc);

#endif
