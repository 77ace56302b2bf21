/* The JSON of sessions and case studies (view/records.h). */
#include "view/records.h"

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *cb_view_session_json(const cb_session *x)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:I, s:I, s:s}",
			 "key", x->key, "program", x->program, "title", x->title, "format",
			 x->format, "starts_on", x->starts_on, "ends_on", x->ends_on, "trainer",
			 str_or_null(x->trainer), "location", str_or_null(x->location), "cost",
			 x->has_cost ? json_real(x->cost) : json_null(), "currency",
			 str_or_null(x->currency), "attendees", (json_int_t)x->attendee_count,
			 "accounts", (json_int_t)x->account_count, "status", x->status);
}

json_t *cb_view_case_json(const cb_case_index *c)
{
	json_t *kpis = json_array(), *sessions = json_array();

	for (size_t i = 0; kpis && i < c->n_claims; i++)
		json_array_append_new(kpis, json_string(c->claims[i].kpi));
	for (size_t i = 0; sessions && i < c->n_sessions; i++)
		json_array_append_new(sessions, json_string(c->sessions[i]));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:I, s:o, s:o, s:o}", "slug", c->slug,
			 "title", c->title, "technician", c->technician, "account", c->account,
			 "status", c->status, "sessions", sessions, "kpis", kpis, "reviews",
			 (json_int_t)c->n_reviews, "submitted_at", str_or_null(c->submitted_at),
			 "updated_at", str_or_null(c->updated_at), "head", str_or_null(c->head));
}
