/* Phillips ROI from an effect and its interval; the formulas are in roi.h. */
#include "analysis/roi.h"

#include <math.h>

#include "base/error.h"
#include "analysis/windows.h"

static cb_analysis_roi_point roi_at(double improvement, const cb_analysis_roi_input *in,
				    double per_year)
{
	cb_analysis_roi_point p;

	p.improvement = improvement + 0.0;
	p.benefit = improvement * in->value * (double)in->accounts * per_year + 0.0;
	p.net_benefit = p.benefit - in->cost;
	if (in->cost > 0.0) {
		p.roi_percent = 100.0 * p.net_benefit / in->cost;
		p.bcr = p.benefit / in->cost;
	} else {
		p.roi_percent = p.bcr = NAN;
	}
	return p;
}

int cb_analysis_roi_compute(const cb_analysis_roi_input *in, cb_analysis_roi *out)
{
	double sign, per_year, worse, better;

	if (!isfinite(in->effect))
		return cb_error_set(CB_EINVALID, "ROI: the effect is not a number");
	if (!isfinite(in->effect_ci.low) || !isfinite(in->effect_ci.high) ||
	    in->effect_ci.low > in->effect_ci.high)
		return cb_error_set(CB_EINVALID, "ROI: the effect's interval [%g, %g] is not valid",
				    in->effect_ci.low, in->effect_ci.high);
	if (!isfinite(in->value) || in->value < 0.0)
		return cb_error_set(CB_EINVALID,
				    "ROI: value per KPI unit %g is not a number of 0 or more",
				    in->value);
	if (!isfinite(in->cost) || in->cost < 0.0)
		return cb_error_set(CB_EINVALID, "ROI: cost %g is not a number of 0 or more",
				    in->cost);
	if (in->accounts < 1)
		return cb_error_set(CB_EINVALID, "ROI: no exposed accounts");
	if (in->follow_up_days < 1 || in->follow_up_days > CB_ANALYSIS_WINDOW_DAYS_MAX)
		return cb_error_set(CB_EINVALID, "ROI: follow-up of %d days; use 1 to %d",
				    in->follow_up_days, CB_ANALYSIS_WINDOW_DAYS_MAX);
	if (in->kind != CB_ANALYSIS_KPI_LEVEL && in->kind != CB_ANALYSIS_KPI_WINDOW_TOTAL)
		return cb_error_set(CB_EINVALID, "ROI: unknown KPI kind %d", (int)in->kind);
	if (in->better != CB_ANALYSIS_HIGHER_IS_BETTER && in->better != CB_ANALYSIS_LOWER_IS_BETTER)
		return cb_error_set(CB_EINVALID, "ROI: unknown KPI direction %d", (int)in->better);

	/* A lower-is-better KPI improves when it falls: improvement = -effect,
	 * and the interval [low, high] of the effect becomes [-high, -low] of
	 * the improvement, so its worse end comes from the effect's high end. */
	sign = in->better == CB_ANALYSIS_LOWER_IS_BETTER ? -1.0 : 1.0;
	worse = sign > 0 ? in->effect_ci.low : -in->effect_ci.high;
	better = sign > 0 ? in->effect_ci.high : -in->effect_ci.low;
	per_year = in->kind == CB_ANALYSIS_KPI_WINDOW_TOTAL ? 365.0 / in->follow_up_days : 1.0;

	out->defined = in->cost > 0.0;
	out->annualisation = per_year;
	out->estimate = roi_at(sign * in->effect, in, per_year);
	out->low = roi_at(worse, in, per_year);
	out->high = roi_at(better, in, per_year);
	return 0;
}
