/*
 * The main job: did training move the customers' numbers? For an exposure
 * (a session, a program, a trainer, a technician, a case study) it finds the exposed
 * accounts and a control group, computes every KPI in a baseline window
 * before and a follow-up window after each account's training through the
 * KPI's plugin, and hands the values to the analysis layer for changes,
 * bootstrap intervals and the difference-in-differences effect; with money
 * values, the ROI. Also the Kirkpatrick levels 1 and 2 of the sessions.
 */
#ifndef CB_APP_IMPACT_H
#define CB_APP_IMPACT_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/impact.h"
#include "analysis/roi.h"
#include "analysis/windows.h"
#include "app/workspace.h"
#include "store/exposure.h"
#include "store/outcome.h"

typedef enum cb_control_mode {
	CB_CONTROL_AUTO, /* accounts no session of the same programs reached */
	CB_CONTROL_NAMED,
	CB_CONTROL_NONE
} cb_control_mode;

typedef struct cb_impact_request {
	cb_exposure_kind kind;
	const char *key;     /* the session, program, trainer, technician or case slug */
	const char *format;  /* keep only sessions in this format (NULL: all) */
	const char *trainer; /* keep only sessions by this trainer (NULL: all) */
	int window_days;     /* 0: CB_ANALYSIS_WINDOW_DAYS */
	int lag_days;        /* -1: CB_ANALYSIS_LAG_DAYS */
	cb_control_mode control;
	const char *const *controls; /* account keys, with CB_CONTROL_NAMED */
	size_t ncontrols;
	const char *const *kpis; /* KPI keys; NULL: every KPI */
	size_t nkpis;
	cb_analysis_options analysis;
	int detail; /* keep each account's values */
} cb_impact_request;

/* One account's values for one KPI. */
typedef struct cb_impact_account {
	int64_t account_id;
	char key[72];
	int control;
	cb_analysis_windows windows;
	double baseline, follow_up; /* NaN: no value */
	int64_t baseline_obs, follow_up_obs;
} cb_impact_account;

typedef struct cb_impact_kpi {
	const cb_kpi_def *kpi; /* borrowed from the workspace's plugin host */
	cb_analysis_impact impact;
	int64_t baseline_obs, follow_up_obs;     /* exposed accounts' observations */
	int64_t control_baseline_obs, control_follow_up_obs;
	size_t nil_windows;   /* windows the plugin returned nil for */
	char nil_reason[200]; /* one of their reasons */
	size_t failed_windows;
	char failure[300];    /* one of the errors */
	int has_value;        /* a money value is set for this KPI */
	cb_kpi_value value;
	int roi_ok;           /* roi computed */
	char roi_note[200];   /* why not, when !roi_ok and has_value */
	cb_analysis_roi roi;
	cb_impact_account *accounts; /* with detail: exposed then control */
	size_t naccounts;
} cb_impact_kpi;

/* Kirkpatrick levels 1 and 2 over the exposure's sessions. */
typedef struct cb_impact_levels {
	size_t attendees;       /* attendance rows */
	size_t attended;        /* attended or partial */
	size_t reactions;       /* with a reaction score */
	double reaction_mean;   /* 1-5; NaN when none */
	size_t tested;          /* with both pre and post scores */
	double pre_mean, post_mean, gain_mean; /* NaN when none */
	/* Level 3, behaviour: the case studies citing these sessions, by
	 * status (submitted, changes-requested, approved, published). */
	size_t cases;
	size_t cases_by_status[4];
} cb_impact_levels;

typedef struct cb_impact_report {
	cb_impact_request request; /* as run, defaults filled in; strings borrowed */
	cb_exposure_session *sessions;
	size_t nsessions;
	double cost;          /* the sessions' costs; for a technician or a case
			       * study, the share of the accounts it reached */
	double cost_full;     /* the sessions' whole costs */
	char currency[4];     /* "" when none or mixed */
	int mixed_currency;
	size_t exposed, control; /* accounts */
	int32_t control_first, control_last; /* days the control windows hang on */
	cb_impact_levels levels;
	cb_impact_kpi *kpis;
	size_t nkpis;
	char **case_kpis; /* a case study's claimed KPIs, when they are the default */
	size_t ncase_kpis;
} cb_impact_report;

/* Runs the impact analysis. Unknown keys are CB_ENOTFOUND with a
 * suggestion; an exposure with no sessions or no accounts, a named control
 * account that was exposed, or unknown KPIs are CB_EINVALID. Caller frees
 * with cb_impact_report_free. */
int cb_app_impact(cb_workspace *ws, const cb_impact_request *req, cb_impact_report **out);
void cb_impact_report_free(cb_impact_report *r);

/* Sets the money value of a KPI: `per_unit` per unit per account per year
 * (kind "level") or per unit counted in a window (kind "total"). */
int cb_app_kpi_value_set(cb_workspace *ws, const char *kpi, double per_unit, const char *currency,
			 const char *kind);

#endif
