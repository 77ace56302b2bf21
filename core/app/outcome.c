/* Outcome agreements and their attainment. */
#include "app/outcome.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/windows.h"
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

	if ((rc = cb_workspace_plugins(ws, &host)) < 0)
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

/* One KPI value for one account over days [from, to). */
static double kpi_over(cb_workspace *ws, cb_plugin_host *host, const cb_kpi_def *k,
		       int64_t account_id, const char *account, int32_t from, int32_t to,
		       char *why, size_t whylen)
{
	cb_series_buf bufs[32] = {{0}};
	cb_series views[32];
	char f[CB_DATE_LEN], t[CB_DATE_LEN];
	char *reason = NULL;
	double v = NAN;
	int rc = 0;

	for (size_t i = 0; i < k->ninputs && i < 32 && rc == 0; i++) {
		int64_t mid;

		rc = cb_store_measure_id(ws->store, k->inputs[i], 0, &mid);
		if (rc == CB_ENOTFOUND) {
			rc = 0;
			views[i] = (cb_series){NULL, NULL, 0};
			continue;
		}
		if (rc == 0)
			rc = cb_store_observation_series(ws->store, mid, account_id, (int64_t)from * 86400,
							 (int64_t)to * 86400, &bufs[i]);
		views[i] = (cb_series){bufs[i].values, bufs[i].times, bufs[i].n};
	}
	if (rc == 0) {
		cb_window w = {account, f, t, views};

		cb_date_format(from, f);
		cb_date_format(to, t);
		rc = cb_plugin_kpi_compute(host, k, &w, &v, &reason);
		if (rc == 1)
			snprintf(why, whylen, "%s", reason);
		else if (rc < 0)
			snprintf(why, whylen, "%s", cb_error_last());
		if (rc != 0)
			v = NAN;
	} else {
		snprintf(why, whylen, "%s", cb_error_last());
	}
	free(reason);
	for (size_t i = 0; i < k->ninputs && i < 32; i++)
		cb_series_buf_free(&bufs[i]);
	return v;
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
	if (cb_date_parse(o->from_on, &from) < 0 || cb_date_parse(o->to_on, &to) < 0)
		return CB_EDB;
	st.period = kpi_over(c->ws, c->host, k, o->account_id, o->account, from, to + 1, why,
			     sizeof(why));
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
		st.baseline = kpi_over(c->ws, c->host, k, o->account_id, o->account, w.baseline.from,
				       w.baseline.to, unused, sizeof(unused));
		st.follow_up = kpi_over(c->ws, c->host, k, o->account_id, o->account,
					w.follow_up.from, w.follow_up.to, unused, sizeof(unused));
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
