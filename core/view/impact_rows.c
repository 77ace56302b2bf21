/*
 * The impact as a flat table of KPIs, one row of strings per KPI: what
 * `impact` prints as its table and --csv, and what the server's CSV
 * download holds.
 */
#include <math.h>
#include <stdio.h>

#include "view/impact.h"

/* A number for a table cell: up to 2 decimals, "-" for none. */
static json_t *cell(double v)
{
	char buf[32];

	if (!isfinite(v))
		return json_string("-");
	snprintf(buf, sizeof(buf), "%.2f", v);
	return json_string(buf);
}

static json_t *cell_ci(const cb_analysis_interval *ci, int ok)
{
	char buf[64];

	if (!ok || !isfinite(ci->low))
		return json_string("-");
	snprintf(buf, sizeof(buf), "[%.2f, %.2f]", ci->low, ci->high);
	return json_string(buf);
}

/* A p-value for a table cell: 3 decimals, "<0.001" below, "-" for none. */
static json_t *cell_p(double p)
{
	char buf[16];

	if (!isfinite(p))
		return json_string("-");
	if (p < 0.001)
		return json_string("<0.001");
	snprintf(buf, sizeof(buf), "%.3f", p);
	return json_string(buf);
}

int cb_view_impact_observed(const cb_impact_kpi *ik)
{
	return ik->baseline_obs || ik->follow_up_obs || ik->control_baseline_obs ||
	       ik->control_follow_up_obs;
}

/* The flat table of KPIs (text and --csv). With `skip_unobserved`, KPIs
 * with no observation at all for these accounts are left out; with
 * `with_reason` (CSV) the reason for too little data is a column, where
 * the text prints it under the table. */
json_t *cb_view_impact_rows(const cb_impact_report *r, const char *group, int skip_unobserved,
			    int with_reason)
{
	json_t *rows = json_array();

	for (size_t k = 0; k < r->nkpis; k++) {
		const cb_impact_kpi *ik = &r->kpis[k];
		const cb_analysis_impact *im = &ik->impact;
		json_t *row;

		if (skip_unobserved && !cb_view_impact_observed(ik))
			continue;
		row = json_object();

		if (group)
			json_object_set_new(row, "group", json_string(group));
		json_object_set_new(row, "kpi", json_string(ik->kpi->key));
		json_object_set_new(row, "unit", json_string(ik->kpi->unit));
		json_object_set_new(row, "better", json_string(ik->kpi->better == CB_KPI_HIGHER ? "higher" : "lower"));
		json_object_set_new(row, "accounts", json_integer((json_int_t)im->exposed.paired));
		json_object_set_new(row, "baseline", cell(im->exposed.baseline_mean));
		json_object_set_new(row, "follow_up", cell(im->exposed.follow_up_mean));
		json_object_set_new(row, "change", cell(im->exposed.mean_change));
		json_object_set_new(row, "change_ci", cell_ci(&im->exposed.ci, im->exposed.enough));
		json_object_set_new(row, "control_change", cell(im->has_control ? im->control.mean_change : NAN));
		json_object_set_new(row, "effect", cell(im->effect));
		json_object_set_new(row, "effect_ci", cell_ci(&im->effect_ci, !im->thin));
		json_object_set_new(row, "p", cell_p(im->thin ? NAN : im->p_value));
		json_object_set_new(row, "p_adjusted", cell_p(im->thin ? NAN : im->p_adjusted));
		json_object_set_new(row, "verdict", json_string(cb_impact_verdict_name(ik->verdict)));
		if (with_reason)
			json_object_set_new(row, "reason", json_string(im->thin ? im->reason : ""));
		json_array_append_new(rows, row);
	}
	return rows;
}

