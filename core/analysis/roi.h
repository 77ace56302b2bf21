/*
 * Return on investment (Phillips level 5): the money value of a KPI effect
 * per year, set against the programme's cost, at the effect and at both
 * ends of its interval.
 *
 * Sources: Phillips, "Return on Investment in Training and Performance
 * Improvement Programs" (1997) and Phillips & Phillips, "Show Me the Money"
 * (2007):
 *     benefit/cost ratio  BCR   = benefits / costs
 *     return on investment ROI % = (benefits - costs) / costs x 100
 * with the ROI Methodology's guiding principles that only the first year's
 * benefits count for a short-term programme (hence benefits per year),
 * that costs are fully loaded (the caller's `cost`: fees, travel,
 * participants' time), and that the effect is isolated from other
 * influences (here by the control group of the difference-in-differences).
 */
#ifndef CB_ANALYSIS_ROI_H
#define CB_ANALYSIS_ROI_H

#include <stddef.h>

#include "analysis/impact.h"
#include "analysis/stats.h"

/*
 * How a KPI's change turns into a change per year; this fixes the unit of
 * the value V.
 *
 * LEVEL: the KPI is a level or a rate (NPS, uptime %, first-time-fix rate,
 * MTTR hours): a change of 1 unit, once reached, holds through the year,
 * whatever the window length. V is money per KPI unit per account per
 * year, and benefit = improvement x V x accounts. Multiplying by 365 / W
 * as well would count the year twice.
 *
 * WINDOW_TOTAL: the KPI adds up over its window (work orders, failures,
 * downtime hours in W days), so its change is a change per W days; a year
 * holds 365 / W such windows. V is money per KPI unit, and
 * benefit = improvement x V x accounts x 365 / W.
 */
typedef enum cb_analysis_kpi_kind {
	CB_ANALYSIS_KPI_LEVEL = 0,
	CB_ANALYSIS_KPI_WINDOW_TOTAL = 1
} cb_analysis_kpi_kind;

typedef struct cb_analysis_roi_input {
	double effect;                  /* KPI units per account (cb_analysis_impact.effect) */
	cb_analysis_interval effect_ci; /* its interval, low <= high */
	cb_analysis_better better;      /* the KPI's direction */
	cb_analysis_kpi_kind kind;      /* see above */
	double value;          /* V, money (see kind for its unit); >= 0 */
	size_t accounts;       /* exposed accounts the effect applies to; >= 1 */
	int follow_up_days;    /* W, the follow-up window's length; >= 1 */
	double cost;           /* the programme's fully loaded cost, money; >= 0 */
} cb_analysis_roi_input;

/* The money at one value of the effect. Money is in the unit of `value`
 * and `cost`, per year. */
typedef struct cb_analysis_roi_point {
	double improvement; /* the effect in the KPI's better direction: effect
			     * for higher-is-better, -effect for lower-is-better
			     * (MTTR falling by 2 h is an improvement of 2) */
	double benefit;     /* improvement x V x accounts (x 365 / W for window
			     * totals); negative when the KPI got worse */
	double net_benefit; /* benefit - cost */
	double roi_percent; /* net_benefit / cost x 100; NaN when cost is 0 */
	double bcr;         /* benefit / cost; NaN when cost is 0 */
} cb_analysis_roi_point;

typedef struct cb_analysis_roi {
	int defined;          /* 0 when cost is 0: ROI and BCR are undefined (NaN) */
	double annualisation; /* the factor per year: 1 for levels, 365 / W for window totals */
	cb_analysis_roi_point estimate; /* at the effect */
	cb_analysis_roi_point low;      /* at the interval's worse end (the smaller improvement) */
	cb_analysis_roi_point high;     /* at its better end */
} cb_analysis_roi;

/* Computes the ROI of `in` into *out (the caller's; written only on
 * success). For a lower-is-better KPI the interval ends swap: the worse
 * end is the higher effect. Returns 0, or CB_EINVALID naming the field
 * when a number is not finite or out of range. */
int cb_analysis_roi_compute(const cb_analysis_roi_input *in, cb_analysis_roi *out);

#endif
