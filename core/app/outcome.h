/*
 * Outcome agreements, as in outcome-based service contracts: for a KPI at
 * an account over a period, a target and a minimum. Their status shows
 * attainment over the agreed period and, when training reached the
 * account, in the baseline and follow-up windows around it.
 */
#ifndef CB_APP_OUTCOME_H
#define CB_APP_OUTCOME_H

#include "app/workspace.h"
#include "store/outcome.h"

/* Checks and records an agreement: known account and KPI, valid dates
 * (to not before from), finite numbers, and a minimum on the worse side of
 * the target (below it when higher is better, above when lower is). */
int cb_app_outcome_set(cb_workspace *ws, const char *account, const char *kpi, double target,
		       double minimum, const char *from, const char *to);

typedef struct cb_outcome_status {
	const cb_outcome *outcome; /* borrowed */
	const char *better;        /* "higher" or "lower" */
	const char *name;          /* the KPI's name; NULL when no plugin declares it */
	double period;             /* the KPI over the agreed period; NaN: none */
	const char *period_attainment;
	const char *period_reason; /* why no value */
	int trained;               /* a session reached the account */
	const char *session;       /* its key */
	double baseline, follow_up;
	const char *baseline_attainment, *follow_up_attainment;
} cb_outcome_status;

typedef int (*cb_outcome_status_fn)(const cb_outcome_status *st, void *ctx);

/* Calls fn with the status of each agreement (of `account`, NULL: all),
 * using windows of `window_days` and `lag_days` around the first session
 * that reached the account. */
int cb_app_outcome_status(cb_workspace *ws, const char *account, int window_days, int lag_days,
			  cb_outcome_status_fn fn, void *ctx);

#endif
