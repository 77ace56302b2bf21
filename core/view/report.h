/*
 * The report: a cb_report (app/report.h) rendered as one self-contained
 * HTML page (inline CSS and SVG charts, no script but the embedded JSON
 * data, prints cleanly) or as Markdown. `casebook report` writes it to a
 * file; the server sends the same bytes, so that the report a manager
 * downloads and the page they see come from one renderer.
 *
 * The rule of view/: a renderer renders. These functions take the
 * cb_report they are given and append bytes to a cb_buf; they open no
 * database, no repository, no file and load no plugin. They use the types
 * of app/ and analysis/ (cb_report, cb_impact_report, ...) as data, and
 * call only functions that compute on those structs and read nothing
 * (cb_report_account_values, cb_impact_verdict_name,
 * cb_app_impact_difference); never one that takes a cb_workspace. That is
 * what lets `report` and `serve` share them, and lets tests compare their
 * output with --json without a workspace behind it.
 */
#ifndef CB_VIEW_REPORT_H
#define CB_VIEW_REPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "app/report.h"
#include "base/buf.h"

typedef struct cb_view_report_options {
	int markdown;	      /* 1: Markdown; 0: the HTML page */
	int32_t generated_on; /* the day the report says it was made on: today, a day number */
} cb_view_report_options;

/*
 * Appends the report `rep` to `out`, as `opt` says. The HTML embeds
 * cb_view_report_json(rep) in <script type="application/json"
 * id="casebook-data"> and carries its own Content-Security-Policy (no
 * script runs, nothing is fetched). *charts (when charts is non-NULL) is
 * the number of SVG charts drawn (none in Markdown). Returns 0, or a
 * negative CB_E* code (CB_ENOMEM, or a chart's error) with `out` as it was.
 */
int cb_view_report_render(cb_buf *out, const cb_report *rep, const cb_view_report_options *opt,
			  size_t *charts);

/*
 * The data the HTML report embeds: the subject, the impact as `casebook
 * impact --json` prints it (null without one), the account's own values,
 * the formats compared, the series, Kirkpatrick level 3, the case studies
 * and the outcomes. A new value (the caller's to json_decref), NULL when
 * out of memory.
 */
json_t *cb_view_report_json(const cb_report *rep);

#endif
