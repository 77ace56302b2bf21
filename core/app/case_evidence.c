/*
 * The evidence check: each claim of a case study held against the
 * account's observations of its KPI, before and at the end of its period.
 */
#include "app/case.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app/kpi_value.h"
#include "base/date.h"
#include "base/error.h"
#include "base/text.h"
#include "store/account.h"
#include "store/person.h"
#include "store/session.h"
#include "app/case_internal.h"

/* ------------------------------------------------------------------ */
/* The evidence check                                                    */

const char *cb_case_verdict_name(cb_case_verdict v)
{
	switch (v) {
	case CB_CASE_AGREES:
		return "agrees";
	case CB_CASE_DISAGREES:
		return "disagrees";
	case CB_CASE_TOO_FEW:
		return "too few observations";
	default:
		return "no data";
	}
}

void cb_app_case_windows(const cb_case_claim *c, int32_t *before_from, int32_t *before_to,
			 int32_t *after_from, int32_t *after_to)
{
	int32_t days = c->to - c->from + 1;

	if (days > CB_CASE_WINDOW_DAYS)
		days = CB_CASE_WINDOW_DAYS;
	*before_from = c->from - days;
	*before_to = c->from;
	*after_from = c->to + 1 - days;
	*after_to = c->to + 1;
}

/* "YYYY-MM-DD..YYYY-MM-DD" for days [from, to). */
static void window_text(int32_t from, int32_t to, char *out, size_t outlen)
{
	char f[CB_DATE_LEN], t[CB_DATE_LEN];

	cb_date_format(from, f);
	cb_date_format(to - 1, t);
	snprintf(out, outlen, "%s..%s", f, t);
}

/* Whether claimed value v lies within ci, give or take the rounding of a
 * figure written with fewer decimals. */
static int within(double v, const cb_analysis_interval *ci)
{
	double slack = CB_CASE_ROUNDING * fmax(1.0, fabs(v));

	return v >= ci->low - slack && v <= ci->high + slack;
}

static void judge(cb_case_evidence *e)
{
	const cb_case_claim *c = e->claim;
	int before_ok, after_ok;
	size_t fewest = e->before_obs < e->after_obs ? e->before_obs : e->after_obs;

	e->claimed_change = c->after - c->before;
	e->measured_change = e->measured_after - e->measured_before;
	if (fewest < CB_CASE_MIN_OBSERVATIONS || isnan(e->before_ci.low) || isnan(e->after_ci.low)) {
		e->verdict = CB_CASE_TOO_FEW;
		snprintf(e->reason, sizeof(e->reason),
			 "too few observations to check (%zu): measured %.4g -> %.4g; the check needs "
			 "at least %d in each window",
			 fewest, e->measured_before, e->measured_after, CB_CASE_MIN_OBSERVATIONS);
		return;
	}
	before_ok = within(c->before, &e->before_ci);
	after_ok = within(c->after, &e->after_ci);
	e->verdict = before_ok && after_ok ? CB_CASE_AGREES : CB_CASE_DISAGREES;
	if (e->verdict == CB_CASE_AGREES)
		snprintf(e->reason, sizeof(e->reason),
			 "measured %.4g [%.4g, %.4g] -> %.4g [%.4g, %.4g] on %zu and %zu observations; "
			 "the claimed %.4g -> %.4g lies within both intervals",
			 e->measured_before, e->before_ci.low, e->before_ci.high, e->measured_after,
			 e->after_ci.low, e->after_ci.high, e->before_obs, e->after_obs, c->before,
			 c->after);
	else
		snprintf(e->reason, sizeof(e->reason),
			 "measured %.4g [%.4g, %.4g] -> %.4g [%.4g, %.4g] on %zu and %zu observations, "
			 "but the claim says %.4g -> %.4g: its %s%s%s %s outside %s interval%s",
			 e->measured_before, e->before_ci.low, e->before_ci.high, e->measured_after,
			 e->after_ci.low, e->after_ci.high, e->before_obs, e->after_obs, c->before,
			 c->after, before_ok ? "" : "before", !before_ok && !after_ok ? " and " : "",
			 after_ok ? "" : "after", !before_ok && !after_ok ? "are" : "is",
			 !before_ok && !after_ok ? "their" : "its",
			 !before_ok && !after_ok ? "s" : "");
}

/* One window of a claim measured: its value, interval and observation
 * count; without a value, reason says which window and why. */
static int measure(cb_workspace *ws, cb_plugin_host *host, const cb_kpi_def *k, int64_t account_id,
		   const char *account, const char *which, int32_t from, int32_t to, double *value,
		   cb_analysis_interval *ci, size_t *observations, char *reason, size_t reasonlen)
{
	char why[300] = "", win[32];
	cb_kpi_measured m;
	int rc = cb_app_kpi_measure(ws, host, k, account_id, account, from, to, CB_CASE_LEVEL, &m,
				    why, sizeof(why));

	if (rc < 0)
		return rc;
	*value = m.value;
	*ci = (cb_analysis_interval){m.low, m.high};
	*observations = m.observations;
	if (isnan(m.value)) {
		window_text(from, to, win, sizeof(win));
		snprintf(reason, reasonlen, "%s window %s: %s", which, win, why);
	}
	return 0;
}

int cb_app_case_evidence(cb_workspace *ws, const cb_case_doc *doc, cb_case_evidence **out)
{
	cb_plugin_host *host;
	cb_case_evidence *ev;
	int64_t account_id = 0;
	int rc, have_account;

	*out = NULL;
	if (doc->n_claims == 0)
		return 0;
	if ((rc = cb_workspace_plugins(ws, &host)) < 0)
		return rc;
	rc = cb_store_account_id(ws->store, doc->account, &account_id);
	if (rc < 0 && rc != CB_ENOTFOUND)
		return rc;
	have_account = rc == 0;
	cb_error_clear();
	if (!(ev = calloc(doc->n_claims, sizeof(*ev))))
		return cb_case_oom();
	for (size_t i = 0; i < doc->n_claims; i++) {
		cb_case_evidence *e = &ev[i];
		const cb_kpi_def *k = cb_plugin_kpi_find(host, doc->claims[i].kpi);
		e->claim = &doc->claims[i];
		cb_app_case_windows(e->claim, &e->before_from, &e->before_to, &e->after_from,
				    &e->after_to);
		e->measured_before = e->measured_after = NAN;
		e->before_ci.low = e->before_ci.high = e->after_ci.low = e->after_ci.high = NAN;
		e->claimed_change = e->claim->after - e->claim->before;
		e->measured_change = NAN;
		e->verdict = CB_CASE_NO_DATA;
		if (!have_account) {
			snprintf(e->reason, sizeof(e->reason),
				 "account '%s' is not in this workspace", doc->account);
			continue;
		}
		if (!k) {
			snprintf(e->reason, sizeof(e->reason), "no plugin declares KPI '%s' here",
				 e->claim->kpi);
			continue;
		}
		if ((rc = measure(ws, host, k, account_id, doc->account, "before", e->before_from,
				  e->before_to, &e->measured_before, &e->before_ci, &e->before_obs,
				  e->reason, sizeof(e->reason))) < 0)
			break;
		if (isnan(e->measured_before))
			continue;
		if ((rc = measure(ws, host, k, account_id, doc->account, "after", e->after_from,
				  e->after_to, &e->measured_after, &e->after_ci, &e->after_obs,
				  e->reason, sizeof(e->reason))) < 0)
			break;
		if (isnan(e->measured_after))
			continue;
		judge(e);
	}
	if (rc < 0) {
		free(ev);
		return rc;
	}
	*out = ev;
	return 0;
}
