/*
 * What the report's files share inside view/ (not for other layers):
 * the sections, each writing one part of the document from the report,
 * and what every section says about a KPI. report.c puts them in order.
 */
#ifndef CB_VIEW_REPORT_INTERNAL_H
#define CB_VIEW_REPORT_INTERNAL_H

#include "app/report.h"
#include "view/doc.h"

/* The sections, in the order of the report (report_sections.c,
 * report_kpi.c, report_series.c). */
void cb_view_report_answer(cb_view_doc *d, const cb_report *rep);
void cb_view_report_summary(cb_view_doc *d, const cb_report *rep);
void cb_view_report_account(cb_view_doc *d, const cb_report *rep);
void cb_view_report_kpis(cb_view_doc *d, const cb_impact_report *r);
void cb_view_report_series(cb_view_doc *d, const cb_report *rep);
void cb_view_report_formats(cb_view_doc *d, const cb_report *rep);
void cb_view_report_levels(cb_view_doc *d, const cb_report *rep);
void cb_view_report_roi(cb_view_doc *d, const cb_impact_report *r);
void cb_view_report_outcomes(cb_view_doc *d, const cb_report *rep);
void cb_view_report_cases(cb_view_doc *d, const cb_report *rep);
void cb_view_report_method(cb_view_doc *d, const cb_impact_report *r);

/* A KPI (report_kpi.c): whether any group has an observation of it; its
 * verdict in the word `impact` prints; the CSS class of that verdict
 * ("improved", "worsened", "thin", "ns"). */
int cb_view_report_kpi_observed(const cb_impact_kpi *ik);
const char *cb_view_report_result_text(const cb_impact_kpi *ik);
const char *cb_view_report_result_class(const cb_impact_kpi *ik);

/* Whether an axis for KPI k over [lo, hi] starts at zero: rates do, unless
 * that would squeeze the data into less than a third of the axis. */
int cb_view_report_zero_based(const cb_kpi_def *k, double lo, double hi);

#endif
