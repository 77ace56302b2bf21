/*
 * The impact in words and as JSON: what `casebook impact`, `casebook report`
 * and the server's pages say about a cb_impact_report, the same sentences
 * and the same numbers everywhere. Like all of view/, these functions render
 * the report they are given and read nothing; they only compute on it
 * (cb_view_impact_compare calls cb_app_impact_difference, which works on the
 * two reports' kept account terms and opens nothing).
 */
#ifndef CB_VIEW_IMPACT_H
#define CB_VIEW_IMPACT_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "app/impact.h"
#include "base/buf.h"

/* A number for JSON: null when it is not finite (NaN means "none"
 * throughout Casebook), since JSON has neither infinity nor NaN. A new
 * value. */
json_t *cb_view_json_number(double v);

/* The impact report as `casebook impact --json` prints it: a new value
 * (NULL only when out of memory), the caller's to json_decref. */
json_t *cb_view_impact_json(const cb_impact_report *r);

/* The same without the per-account rows a detailed report holds: the
 * shape of plain `impact --json`, never built only to be dropped. */
json_t *cb_view_impact_json_summary(const cb_impact_report *r);

/* Writes cb_view_impact_json(r) to f as JSON, its per-account detail made
 * row by row as it is written instead of held as a tree (millions of rows
 * at 20,000 accounts and 100 cohorts): the same bytes as the tree gives.
 * Returns 0 or CB_EIO / CB_ENOMEM. */
int cb_view_impact_json_write(FILE *f, const cb_impact_report *r);

/* Whether any account of the report had an observation of the KPI. */
int cb_view_impact_observed(const cb_impact_kpi *ik);

/* The flat table of KPIs (impact's text table and --csv): one object of
 * strings per KPI (kpi, unit, better, accounts, baseline, follow_up,
 * change, change_ci, control_change, effect, effect_ci, p, p_adjusted,
 * verdict, and with `with_reason` the reason for too little data), led
 * by a "group" column when `group` is given; KPIs never observed left out
 * with `skip_unobserved`. NULL when out of memory. */
json_t *cb_view_impact_rows(const cb_impact_report *r, const char *group, int skip_unobserved,
			    int with_reason);

/* impact --by's JSON from its groups' reports: program, by, groups (each
 * group's impact --json), comparison, summary and confounded. A new value,
 * or NULL (the error set). */
json_t *cb_view_impact_by_json(const char *program, const char *by,
			       const cb_impact_report *const *groups, const char *const *names,
			       size_t n, const cb_exposure_session *sessions, size_t nsessions);

/* "session", "program", "trainer", "technician", "case" for a
 * cb_exposure_kind, "exposure" for anything else (static). */
const char *cb_view_exposure_kind_name(int kind);

/* "never-trained", "not-yet-trained", "named" or "none" for a
 * cb_control_mode (static). */
const char *cb_view_control_mode_name(int mode);

/* The impact in words (impact_words.c): a paragraph for one KPI, and one
 * for the exposure as a whole, appended to b. 0 or CB_ENOMEM. */
int cb_view_impact_kpi_words(const cb_impact_report *r, const cb_impact_kpi *ik, cb_buf *b);
int cb_view_impact_words(const cb_impact_report *r, cb_buf *b);

/* The exposure's one ROI in words, appended to b (nothing without a valued
 * KPI with a benefit). 0 or CB_ENOMEM. */
int cb_view_impact_roi_words(const cb_impact_report *r, cb_buf *b);

/* The groups of a program compared (impact --by, run with
 * analysis.keep_scores): for each KPI (or each of `only`, when not NULL)
 * the group that moved it most, the next, and whether the difference
 * between them is clear (its own interval); as rows into *json (a new
 * array, the caller's) and a sentence into b. 0 or the error of
 * cb_app_impact_difference. */
int cb_view_impact_compare(const cb_impact_report *const *groups, const char *const *names,
			   size_t n, const char *by, const char *const *only, size_t nonly,
			   json_t **json, cb_buf *b);

/* When every trainer of the sessions delivered one format only, 1 and the
 * warning into buf ("trainer and format cannot be told apart ..."); else 0. */
int cb_view_impact_confounded(const cb_exposure_session *sessions, size_t n, char *buf,
			      size_t size);

/* The summary line ("12 of 15 KPIs improved, ...; after adjusting for
 * testing 15 KPIs at once: 11 improved, ...") into buf. */
void cb_view_impact_summary_line(const cb_impact_report *r, char *buf, size_t size);

/* The note that some cohorts' windows reach beyond the observations: 1 and
 * the line into buf, else 0. */
int cb_view_impact_partial_line(const cb_impact_report *r, char *buf, size_t size);

/* The note that some trained accounts were left out of a KPI's effect (no
 * cohort with 2 control accounts to compare them with): 1 and the line
 * into buf when there are some, else 0. */
int cb_view_impact_dropped_line(const cb_impact_kpi *ik, char *buf, size_t size);

/* The pre-training warning of one KPI ("mttr: the trained accounts were
 * already moving apart before training (...)") into buf: led by the KPI's
 * key in `impact`'s text and JSON; without it (the _text) where the KPI's
 * name leads, as in the report and the words. */
void cb_view_impact_pretrend_line(const cb_impact_report *r, const cb_impact_kpi *ik, char *buf,
				  size_t size);
void cb_view_impact_pretrend_text(const cb_impact_report *r, const cb_impact_kpi *ik, char *buf,
				  size_t size);

/* Money with thousands separators and its currency, whole units:
 * "152,500 EUR", "-1,234 EUR"; "-" for no number. */
void cb_view_money(char *buf, size_t size, double amount, const char *currency);

#endif
