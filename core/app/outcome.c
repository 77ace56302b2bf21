/* Outcome agreements and their attainment. */
#include "app/outcome.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/windows.h"
#include "app/kpi_value.h"
#include "base/date.h"
#include "base/error.h"
#include "store/account.h"
#include "store/exposure.h"
#include "store/observation.h"

int cb_app_outcome_set(cb_workspace *ws, const char *account, const char *kpi, double target,
		       double minimum, const char *from, const char *to)
{
	cb_plugin_host *host;
	const cb_kpi_def *k;
	cb_outcome o = {0};
	int32_t dfrom, dto;
	int rc;

	if ((rc = cb_rights_require(ws, CB_ACT_OUTCOME_SET, NULL)) < 0 ||
	    (rc = cb_workspace_plugins(ws, &host)) < 0)
		return rc;
	if (!(k = cb_plugin_kpi_find(host, kpi)))
		return cb_error_set(CB_ENOTFOUND, "unknown KPI '%s' ('casebook kpi list')", kpi);
	if (!isfinite(target) || !isfinite(minimum))
		return cb_error_set(CB_EINVALID, "--target and --minimum must be finite numbers");
	if (k->better == CB_KPI_HIGHER ? minimum > target : minimum < target)
		return cb_error_set(CB_EINVALID,
				    "for %s %s is better, so the minimum (%g) cannot be %s the target (%g)",
				    kpi, k->better == CB_KPI_HIGHER ? "higher" : "lower", minimum,
				    k->better == CB_KPI_HIGHER ? "above" : "below", target);
	if (cb_date_parse(from, &dfrom) < 0)
		return cb_error_prefix("--from");
	if (cb_date_parse(to, &dto) < 0)
		return cb_error_prefix("--to");
	if (dto < dfrom)
		return cb_error_set(CB_EINVALID, "--to %s is before --from %s", to, from);
	o.kpi = kpi;
	o.target = target;
	o.minimum = minimum;
	o.from_on = from;
	o.to_on = to;
	if ((rc = cb_store_begin(ws->store)) < 0)
		return rc;
	if ((rc = cb_store_account_id(ws->store, account, &o.account_id)) < 0 ||
	    (rc = cb_store_outcome_insert(ws->store, &o)) < 0) {
		cb_store_rollback(ws->store);
		return rc;
	}
	return cb_store_commit(ws->store);
}

static const char *attainment(const cb_kpi_def *k, const cb_outcome *o, double v)
{
	int higher = k->better == CB_KPI_HIGHER;

	if (!isfinite(v))
		return "no value";
	if (higher ? v >= o->target : v <= o->target)
		return "target met";
	if (higher ? v >= o->minimum : v <= o->minimum)
		return "minimum met";
	return "below minimum";
}

typedef struct status_ctx {
	cb_workspace *ws;
	cb_plugin_host *host;
	int window_days, lag_days;
	cb_outcome_status_fn fn;
	void *ctx;
} status_ctx;

static int on_outcome(const cb_outcome *o, void *ctx)
{
	status_ctx *c = ctx;
	const cb_kpi_def *k = cb_plugin_kpi_find(c->host, o->kpi);
	cb_outcome_status st = {0};
	char why[300] = "", key[72];
	int32_t from, to, first, last;
	int found, rc;

	st.outcome = o;
	if (!k) {
		st.period = NAN;
		st.period_attainment = "no value";
		st.period_reason = "no plugin declares this KPI now";
		st.baseline = st.follow_up = NAN;
		return c->fn(&st, c->ctx);
	}
	st.better = k->better == CB_KPI_HIGHER ? "higher" : "lower";
	st.name = k->name;
	if (cb_date_parse(o->from_on, &from) < 0 || cb_date_parse(o->to_on, &to) < 0)
		return CB_EDB;
	st.period = cb_app_kpi_over(c->ws, c->host, k, o->account_id, o->account, from, to + 1,
				    why, sizeof(why));
	st.period_attainment = attainment(k, o, st.period);
	st.period_reason = why[0] ? why : NULL;
	st.baseline = st.follow_up = NAN;
	if ((rc = cb_store_exposure_first_for_account(c->ws->store, o->account_id, &found, key,
						      &first, &last)) < 0)
		return rc;
	if (found) {
		cb_analysis_windows w;
		char unused[300];

		if ((rc = cb_analysis_windows_make(first, last, c->window_days, c->lag_days, &w)) < 0)
			return rc;
		st.trained = 1;
		st.session = key;
		st.baseline = cb_app_kpi_over(c->ws, c->host, k, o->account_id, o->account,
					      w.baseline.from, w.baseline.to, unused, sizeof(unused));
		st.follow_up = cb_app_kpi_over(c->ws, c->host, k, o->account_id, o->account,
					       w.follow_up.from, w.follow_up.to, unused,
					       sizeof(unused));
		st.baseline_attainment = attainment(k, o, st.baseline);
		st.follow_up_attainment = attainment(k, o, st.follow_up);
	}
	return c->fn(&st, c->ctx);
}

int cb_app_outcome_status(cb_workspace *ws, const char *account, int window_days, int lag_days,
			  cb_outcome_status_fn fn, void *ctx)
{
	status_ctx c = {ws, NULL, window_days, lag_days, fn, ctx};
	int64_t account_id = 0;
	int rc;

	if ((rc = cb_workspace_plugins(ws, &c.host)) < 0)
		return rc;
	if (account && (rc = cb_store_account_id(ws->store, account, &account_id)) < 0)
		return rc;
	return cb_store_outcome_each(ws->store, account_id, on_outcome, &c);
}
