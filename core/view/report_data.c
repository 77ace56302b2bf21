/*
 * The data the HTML report embeds in <script type="application/json"
 * id="casebook-data">: the impact exactly as `casebook impact --json`
 * prints it, and the rest of the report (series, case studies, outcomes)
 * at full precision, for readers who want the numbers behind the page.
 */
#include "view/report.h"

#include <math.h>

#include "view/doc.h"
#include "view/impact.h"

static json_t *impact_data(const cb_impact_report *r)
{
	/* The report keeps the exposed accounts' detail for its charts; the
	 * embedded copy is the shape plain `impact --json` prints. */
	return cb_view_impact_json_summary(r);
}

json_t *cb_view_report_json(const cb_report *rep)
{
	static const char *const kinds[] = {"session", "program", "account"};
	json_t *o = json_object(), *series = json_array(), *cases = json_array(),
	       *statuses = json_array(), *outcomes = json_array();

	json_object_set_new(o, "casebook_report", json_integer(1));
	json_object_set_new(o, "subject",
			    json_pack("{s:s, s:s, s:s}", "kind", kinds[rep->request.kind], "key",
				      rep->request.key, "title", rep->title));
	json_object_set_new(o, "rounding",
			    json_string("the page shows these numbers with printf's %.2f"));
	json_object_set_new(o, "impact", rep->impact ? impact_data(rep->impact) : json_null());
	if (rep->request.kind == CB_REPORT_ACCOUNT) {
		json_t *values = json_array();

		for (size_t k = 0; rep->impact && k < rep->impact->nkpis; k++) {
			const cb_impact_kpi *ik = &rep->impact->kpis[k];
			const cb_impact_account *ia =
				cb_report_account_values(ik, rep->request.key);

			if (ia && (isfinite(ia->baseline) || isfinite(ia->follow_up)))
				json_array_append_new(
					values,
					json_pack("{s:s, s:o, s:o, s:I, s:I}", "kpi", ik->kpi->key,
						  "baseline", cb_view_json_number(ia->baseline),
						  "follow_up", cb_view_json_number(ia->follow_up),
						  "baseline_obs", (json_int_t)ia->baseline_obs,
						  "follow_up_obs", (json_int_t)ia->follow_up_obs));
		}
		json_object_set_new(
			o, "account",
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
				    cb_view_impact_by_json(rep->request.key, "format", groups,
							   names, n, rep->impact->sessions,
							   rep->impact->nsessions));
	} else {
		json_object_set_new(o, "by_format", json_null());
	}
	for (size_t i = 0; i < rep->nseries; i++) {
		const cb_report_series *s = &rep->series[i];
		json_t *points = json_array(), *marks = json_array(), *windows = json_null();

		for (size_t p = 0; p < s->npoints; p++)
			json_array_append_new(
				points,
				json_pack("{s:s, s:s, s:o, s:I}", "period", s->points[p].label,
					  "from", cb_view_date(s->points[p].from).s, "value",
					  cb_view_json_number(s->points[p].value), "observations",
					  (json_int_t)s->points[p].observations));
		for (size_t m = 0; m < s->nmarks; m++)
			json_array_append_new(
				marks, json_pack("{s:s, s:s, s:s}", "session", s->marks[m].session,
						 "first_day", cb_view_date(s->marks[m].first).s,
						 "last_day", cb_view_date(s->marks[m].last).s));
		if (s->has_windows)
			windows = json_pack(
				"{s:s, s:s, s:s, s:s}", "baseline_from",
				cb_view_date(s->windows.baseline.from).s, "baseline_to",
				cb_view_date(s->windows.baseline.to - 1).s, "follow_up_from",
				cb_view_date(s->windows.follow_up.from).s, "follow_up_to",
				cb_view_date(s->windows.follow_up.to - 1).s);
		json_array_append_new(series, json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "kpi",
							s->kpi->key, "account", s->account, "every",
							"month", "windows", windows, "training",
							marks, "points", points));
	}
	json_object_set_new(o, "series", series);
	for (size_t i = 0; i < rep->nstatuses; i++)
		json_array_append_new(statuses,
				      json_pack("{s:s, s:I}", "status", rep->statuses[i].status,
						"count", (json_int_t)rep->statuses[i].count));
	json_object_set_new(o, "kirkpatrick_level3",
			    json_pack("{s:I, s:o}", "case_studies", (json_int_t)rep->ncases,
				      "by_status", statuses));
	for (size_t i = 0; i < rep->ncases; i++) {
		const cb_report_case *c = &rep->cases[i];

		json_t *claims = c->checked ? json_pack("{s:I, s:I, s:I, s:I, s:I}", "total",
							(json_int_t)c->claims, "agrees",
							(json_int_t)c->agrees, "disagrees",
							(json_int_t)c->disagrees, "too_few",
							(json_int_t)c->too_few, "no_data",
							(json_int_t)c->no_data)
					    : json_null();

		json_t *despite = c->despite_reason
					  ? json_pack("{s:s, s:s}", "reviewer", c->despite_by,
						      "reason", c->despite_reason)
					  : json_null();

		json_array_append_new(cases,
				      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "slug",
						c->slug, "title", c->title, "account", c->account,
						"technician", c->technician, "status", c->status,
						"evidence", c->evidence, "claims", claims,
						"despite_evidence", despite));
	}
	json_object_set_new(o, "case_studies", cases);
	for (size_t i = 0; i < rep->noutcomes; i++) {
		const cb_report_outcome *x = &rep->outcomes[i];

		json_array_append_new(
			outcomes,
			json_pack("{s:s, s:s, s:s, s:s, s:f, s:f, s:o, s:s, s:o, s:o, s:o, s:o, "
				  "s:o, s:o}",
				  "account", x->account, "kpi", x->kpi, "from", x->from, "to",
				  x->to, "target", x->target, "minimum", x->minimum, "period_value",
				  cb_view_json_number(x->period), "period", x->period_attainment,
				  "period_reason",
				  x->period_reason[0] ? json_string(x->period_reason) : json_null(),
				  "trained_in", x->trained ? json_string(x->session) : json_null(),
				  "baseline_value", cb_view_json_number(x->baseline), "baseline",
				  x->trained ? json_string(x->baseline_attainment) : json_null(),
				  "follow_up_value", cb_view_json_number(x->follow_up), "follow_up",
				  x->trained ? json_string(x->follow_up_attainment) : json_null()));
	}
	json_object_set_new(o, "outcomes", outcomes);
	return o;
}
