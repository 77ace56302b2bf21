/*
 * Gathering a report: for a session, a program or one account, everything
 * a reader needs to judge the training in one place: the impact (the same
 * cb_impact_report that `casebook impact` prints, so the numbers agree),
 * for a program the impact per delivery format, KPI series per account
 * with the training dates, Kirkpatrick level 3 from the case studies,
 * outcome attainment and the case-study list. Rendering is the caller's.
 */
#ifndef CB_APP_REPORT_H
#define CB_APP_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/windows.h"
#include "app/impact.h"
#include "app/workspace.h"
#include "base/date.h"

typedef enum cb_report_kind {
	CB_REPORT_SESSION,
	CB_REPORT_PROGRAM,
	CB_REPORT_ACCOUNT
} cb_report_kind;

#define CB_REPORT_SERIES_ACCOUNTS 6 /* exposed accounts whose series are drawn */
#define CB_REPORT_SERIES_KPIS 3     /* KPIs with the largest effects drawn so */

typedef struct cb_report_request {
	cb_report_kind kind;
	const char *key; /* the session, program or account */
	/* Windows, control, KPIs and bootstrap settings, as for impact; its
	 * kind, key, format, trainer and detail are set by the report. */
	cb_impact_request impact;
} cb_report_request;

/* One period of a KPI series. */
typedef struct cb_report_point {
	char label[12]; /* "2025-03" */
	int32_t from, to; /* day numbers, [from, to) */
	int has_value;
	double value;
	int64_t observations;
} cb_report_point;

/* A session that reached an account. */
typedef struct cb_report_mark {
	char session[72];
	int32_t first, last; /* day numbers, inclusive */
} cb_report_mark;

/* One KPI, month by month, at one account. */
typedef struct cb_report_series {
	const cb_kpi_def *kpi; /* borrowed from the workspace's plugin host */
	char account[72];
	int has_windows;             /* the account's windows in the impact */
	cb_analysis_windows windows; /* its baseline and follow-up */
	cb_report_mark *marks;       /* the sessions that reached it */
	size_t nmarks;
	cb_report_point *points;
	size_t npoints;
} cb_report_series;

/* The impact of a program's sessions in one delivery format. */
typedef struct cb_report_format {
	char format[16];
	cb_impact_report *impact; /* owned */
} cb_report_format;

/* A case study citing the report's sessions (an account's report: about
 * the account), with its claims
 * held against the data (app/case.h's evidence check). */
typedef struct cb_report_case {
	char *slug, *title, *status, *account, *technician;
	char *evidence; /* "2 agree, 1 without data", "no claims", "not checked: why" */
	int checked;    /* the evidence check ran */
	/* The approval standing on the latest revision, when its reviewer
	 * approved despite the evidence (case review --despite-evidence):
	 * who, and the reason. NULL when none. */
	char *despite_by, *despite_reason;
	size_t claims, agrees, disagrees, no_data, too_few;
} cb_report_case;

/* How many of those case studies have one status (Kirkpatrick level 3). */
typedef struct cb_report_status_count {
	char status[32];
	size_t count;
} cb_report_status_count;

/* The attainment of one outcome agreement of an exposed account, as
 * cb_app_outcome_status gives it, copied. */
typedef struct cb_report_outcome {
	char account[72], kpi[72];
	char kpi_name[200]; /* as its plugin names it; the key when no plugin has it */
	char better[8];     /* "higher", "lower", or "" when no plugin has the KPI */
	double target, minimum;
	char from[CB_DATE_LEN], to[CB_DATE_LEN];
	double period; /* NaN: no value */
	char period_attainment[16];
	char period_reason[200]; /* "" when there is a value */
	int trained;
	char session[72];
	double baseline, follow_up; /* NaN: no value */
	char baseline_attainment[16], follow_up_attainment[16];
} cb_report_outcome;

typedef struct cb_report {
	cb_report_request request; /* as asked; strings borrowed */
	char title[300];           /* "Session tco-2025-03-03", "Account Nordmill (nordmill)" */
	/* The impact: of the session or program; for an account, of the first
	 * session that reached it (NULL when none did), run with detail so
	 * that the account's own values are at hand. */
	cb_impact_report *impact;
	char impact_session[72]; /* for an account: that session, "" when none */
	cb_report_format *formats; /* for a program with several formats */
	size_t nformats;
	cb_report_series *series;
	size_t nseries;
	cb_report_case *cases;
	size_t ncases;
	cb_report_status_count *statuses; /* by status, most first */
	size_t nstatuses;
	cb_report_outcome *outcomes;
	size_t noutcomes;
} cb_report;

/*
 * Gathers the report asked for. The impact runs as cb_app_impact (for an
 * account, on the first session that reached it, if any); for a program
 * with sessions in two or more formats, once more per format. Series are
 * monthly: for an account, every KPI that has observations there; else up
 * to CB_REPORT_SERIES_ACCOUNTS exposed accounts (the first by key with
 * values in both windows) for up to CB_REPORT_SERIES_KPIS KPIs, those with
 * the largest effects relative to their baseline. Case studies and
 * outcomes are those of the exposed accounts (and of the attendees, for
 * case studies). Unknown keys are CB_ENOTFOUND with a suggestion; the
 * errors of cb_app_impact pass through. Caller frees with cb_report_free.
 */
int cb_app_report(cb_workspace *ws, const cb_report_request *req, cb_report **out);
void cb_report_free(cb_report *r);

/* The detail row of `account` in KPI `ik`, or NULL. */
const cb_impact_account *cb_report_account_values(const cb_impact_kpi *ik, const char *account);

#endif
