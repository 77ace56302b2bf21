/*
 * The main job: did training move the customers' numbers? For an exposure
 * (a session, a program, a trainer, a technician, a case study) it finds the
 * exposed accounts, groups them in cohorts by their training days, finds
 * the control accounts of each cohort, computes every KPI through its
 * plugin over each cohort's windows (baseline, follow-up, and the event
 * study's further windows) for its exposed and its control accounts, and
 * hands the values to the analysis layer for the cohorts' effects, the
 * exposure's effect with its interval and p-value, and the event study;
 * with money values, the ROI. Also the Kirkpatrick levels of the sessions.
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
	CB_CONTROL_AUTO,    /* never trained by the exposure's programs */
	CB_CONTROL_NOT_YET, /* those, and accounts trained only after a cohort's follow-up */
	CB_CONTROL_NAMED,
	CB_CONTROL_NONE
} cb_control_mode;

/* The event study's placebo windows before the baseline (-3 and -2), and
 * how far it follows the accounts after training: windows 0, 1, ... while
 * a window starts within a year of the follow-up's first day (0 .. 4 for
 * 90-day windows), at most 8, and where the data hold a whole window. */
#define CB_IMPACT_PLACEBO_WINDOWS 2
#define CB_IMPACT_FOLLOW_UP_WINDOWS 8
#define CB_IMPACT_FOLLOW_UP_DAYS 365

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
	int detail; /* keep each account's values: CB_IMPACT_DETAIL_* */
} cb_impact_request;

/* What `detail` keeps: nothing; every row (impact --detail); the exposed
 * accounts' rows only (the report's charts: the controls' rows are each
 * untrained account once per cohort, most of the memory at scale). */
enum { CB_IMPACT_DETAIL_NONE, CB_IMPACT_DETAIL_ALL, CB_IMPACT_DETAIL_EXPOSED };

/* Accounts whose training began and ended on the same days: they share
 * their windows, and their control accounts are measured over them. */
typedef struct cb_impact_cohort {
	int32_t first, last;         /* the training days, inclusive */
	cb_analysis_windows windows; /* its baseline and follow-up */
	size_t exposed;              /* accounts trained with it */
	size_t controls;             /* control accounts measured over its windows */
	int complete;                /* the observations cover both windows whole:
				      * else they are measured over the days they do */
} cb_impact_cohort;

/* One account's values for one KPI over one cohort's windows (a control
 * account has one per cohort it is compared with). */
typedef struct cb_impact_account {
	int64_t account_id;
	const char *key; /* in the report's account_keys */
	int control;
	size_t cohort; /* index into cb_impact_report.cohorts */
	cb_analysis_windows windows;
	double baseline, follow_up; /* NaN: no value */
	int64_t baseline_obs, follow_up_obs;
} cb_impact_account;

/* The comparison of one window of the event study with the baseline
 * (window -1): trained against control accounts, cohort by cohort over the
 * same dates, as the effect itself (window 0). */
typedef struct cb_impact_event {
	int window;       /* -3, -2 (placebo), -1 (the baseline: 0 by definition), 0, 1, ... */
	int placebo;      /* before training: its interval is simultaneous over the placebo windows */
	double level;     /* its interval's confidence level */
	size_t cohorts;   /* cohorts whose window lies within the data */
	int thin;
	char reason[CB_ANALYSIS_REASON_MAX];
	double effect, se, df, p_value;
	cb_analysis_interval ci;
	int excludes_zero;
	size_t exposed, control; /* paired accounts */
} cb_impact_event;

/* What to conclude of one KPI, the same word in every output: too little
 * data (no effect could be estimated), improved or worsened (its adjusted
 * p-value below 1 - level: clear even allowing for testing every KPI), or
 * no clear change. */
typedef enum cb_impact_verdict {
	CB_IMPACT_TOO_LITTLE_DATA = 0,
	CB_IMPACT_NO_CLEAR_CHANGE,
	CB_IMPACT_IMPROVED,
	CB_IMPACT_WORSENED
} cb_impact_verdict;

/* "too little data", "no clear change", "improved", "worsened" (static). */
const char *cb_impact_verdict_name(cb_impact_verdict v);

/* Which way the effect points, given the KPI's direction: "better",
 * "worse", or "none" (no effect, or exactly 0). Static strings. */
const char *cb_impact_direction_name(const cb_analysis_impact *im);

typedef struct cb_impact_kpi {
	const cb_kpi_def *kpi; /* borrowed from the workspace's plugin host */
	cb_analysis_impact impact; /* its cohorts: cb_analysis_impact_clear */
	cb_impact_verdict verdict;
	int significant;       /* adjusted p-value below 1 - level */
	int64_t baseline_obs, follow_up_obs;     /* exposed accounts' observations */
	int64_t control_baseline_obs, control_follow_up_obs; /* over every cohort's windows */
	size_t nil_windows;   /* baseline or follow-up windows the plugin returned nil for */
	char nil_reason[200]; /* one of their reasons */
	size_t failed_windows; /* windows whose computation failed (any window) */
	char failure[300];    /* one of the errors */
	int has_value;        /* a money value is set for this KPI */
	cb_kpi_value value;
	int roi_ok;           /* roi computed */
	char roi_note[200];   /* why not, when !roi_ok and has_value */
	cb_analysis_roi roi;
	cb_impact_event *events; /* the event study, by window; nevents */
	size_t nevents;
	int pretrend_checked; /* a placebo window had enough data to compare */
	int pretrend_warning; /* a placebo window's interval excludes 0 */
	int pretrend_window;  /* the first such window */
	cb_impact_account *accounts; /* with detail: exposed rows, then control rows
					(none with CB_IMPACT_DETAIL_EXPOSED) */
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
	 * status, in the order of cb_case_statuses (app/case.h): submitted,
	 * changes-requested, approved, published, rejected, withdrawn. */
	size_t cases;
	size_t cases_by_status[6];
} cb_impact_levels;

/* One ROI for the exposure (Phillips): the benefits of every KPI that
 * carries a money value, summed once, against the sessions' fully loaded
 * cost, at the effects and at the conservative end of each effect's
 * interval (Phillips' guiding principle: of several estimates, take the
 * most conservative). */
typedef struct cb_impact_roi_total {
	size_t kpis;          /* valued KPIs whose benefit is in the sum */
	size_t left_out;      /* valued KPIs without a benefit (no effect, other currency) */
	char currency[4];
	double benefit;       /* per year, at the effects */
	double benefit_low;   /* per year, each at its interval's worse end */
	double cost;
	int defined;          /* cost > 0: ROI and BCR are defined */
	double roi_percent, roi_percent_low;
	double bcr, bcr_low;
} cb_impact_roi_total;

/* How the KPIs came out, counted for the summary line. */
typedef struct cb_impact_summary {
	size_t tested;   /* KPIs with an effect and a p-value */
	size_t improved, worsened;                   /* interval excludes 0 */
	size_t improved_adjusted, worsened_adjusted; /* Benjamini-Hochberg value below
						      * 1 - level: the verdicts */
	size_t pretrend_warnings;                    /* KPIs with a pre-training difference */
} cb_impact_summary;

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
	cb_impact_cohort *cohorts; /* by first day */
	size_t ncohorts;
	int has_data_span;    /* observations exist: data_first .. data_last */
	int32_t data_first, data_last; /* days of the first and last observation */
	cb_impact_levels levels;
	cb_impact_kpi *kpis;
	size_t nkpis;
	cb_impact_summary summary;
	cb_impact_roi_total roi;   /* kpis == 0: no valued KPI with a benefit */
	int64_t *account_ids; /* with analysis.keep_scores: the account of each
			       * index of the KPIs' impact.scores */
	size_t naccount_ids;
	char *account_keys; /* with detail: the keys the accounts' rows point into */
	char **case_kpis; /* a case study's claimed KPIs, when they are the default */
	size_t ncase_kpis;
} cb_impact_report;

/* Runs the impact analysis. Unknown keys are CB_ENOTFOUND with a
 * suggestion; an exposure with no sessions or no accounts, a named control
 * account that was exposed, or unknown KPIs are CB_EINVALID. Caller frees
 * with cb_impact_report_free. */
int cb_app_impact(cb_workspace *ws, const cb_impact_request *req, cb_impact_report **out);
void cb_impact_report_free(cb_impact_report *r);

/* The difference between KPI ka's effect in report a and KPI kb's in report
 * b (two groups of one program, both run with analysis.keep_scores), with
 * its interval at a's level; cb_analysis_difference_of says how. */
int cb_app_impact_difference(const cb_impact_report *a, size_t ka, const cb_impact_report *b,
			     size_t kb, cb_analysis_difference *out);

/* Sets the money value of a KPI: `per_unit` per unit per account per year
 * (kind "level") or per unit counted in a window (kind "total"). */
int cb_app_kpi_value_set(cb_workspace *ws, const char *kpi, double per_unit, const char *currency,
			 const char *kind);

#endif
