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

static void judge(cb_case_evidence *e)
{
	const cb_case_claim *c = e->claim;
	double slack;

	e->claimed_change = c->after - c->before;
	e->measured_change = e->measured_after - e->measured_before;
	e->tolerance = e->claimed_change != 0 ? CB_CASE_TOLERANCE * fabs(e->claimed_change)
					      : CB_CASE_FLAT_TOLERANCE * fabs(c->before);
	/* rounding in the plugin's arithmetic is no disagreement */
	slack = 1e-9 * fmax(1.0, fabs(e->claimed_change));
	e->verdict = fabs(e->measured_change - e->claimed_change) <= e->tolerance + slack
			     ? CB_CASE_AGREES
			     : CB_CASE_DISAGREES;
	if (e->verdict == CB_CASE_AGREES)
		snprintf(e->reason, sizeof(e->reason),
			 "measured %.4g -> %.4g (change %+.4g); claimed change %+.4g, within ±%.4g",
			 e->measured_before, e->measured_after, e->measured_change,
			 e->claimed_change, e->tolerance);
	else
		snprintf(e->reason, sizeof(e->reason),
			 "measured %.4g -> %.4g (change %+.4g), but the claim says %.4g -> %.4g (change %+.4g, tolerance ±%.4g)",
			 e->measured_before, e->measured_after, e->measured_change, c->before,
			 c->after, e->claimed_change, e->tolerance);
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
		char why[300] = "", win[32];

		e->claim = &doc->claims[i];
		cb_app_case_windows(e->claim, &e->before_from, &e->before_to, &e->after_from,
				    &e->after_to);
		e->measured_before = e->measured_after = NAN;
		e->claimed_change = e->claim->after - e->claim->before;
		e->measured_change = e->tolerance = NAN;
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
		e->measured_before = cb_app_kpi_over(ws, host, k, account_id, doc->account,
						     e->before_from, e->before_to, why, sizeof(why));
		if (isnan(e->measured_before)) {
			window_text(e->before_from, e->before_to, win, sizeof(win));
			snprintf(e->reason, sizeof(e->reason), "before window %s: %s", win, why);
			continue;
		}
		e->measured_after = cb_app_kpi_over(ws, host, k, account_id, doc->account,
						    e->after_from, e->after_to, why, sizeof(why));
		if (isnan(e->measured_after)) {
			window_text(e->after_from, e->after_to, win, sizeof(win));
			snprintf(e->reason, sizeof(e->reason), "after window %s: %s", win, why);
			continue;
		}
		judge(e);
	}
	*out = ev;
	return 0;
}
