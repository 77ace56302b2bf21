/*
 * Descriptive statistics and the percentile bootstrap: means, standard
 * deviations, sample quantiles (Hyndman & Fan type 7), and bootstrap
 * intervals for a mean and for a difference of two independent means.
 * Pure computation: no I/O; errors are reported through base/error.h.
 */
#ifndef CB_ANALYSIS_STATS_H
#define CB_ANALYSIS_STATS_H

#include <stddef.h>

#include "analysis/random.h"

/* Bounds on the number of bootstrap resamples B: the work is B x n draws
 * and the memory one array of B doubles (8 MB at the maximum). */
#define CB_ANALYSIS_RESAMPLES_MIN 100
#define CB_ANALYSIS_RESAMPLES_MAX 1000000

/* A two-sided interval, low <= high, in the unit of the data. */
typedef struct cb_analysis_interval {
	double low, high;
} cb_analysis_interval;

/* The arithmetic mean of x[0..n); NaN when n == 0. x is borrowed. The sum
 * runs in index order, so the result is bit-for-bit reproducible. */
double cb_analysis_mean(const double *x, size_t n);

/* The sample standard deviation of x[0..n), with divisor n - 1 (the square
 * root of the unbiased variance), by the two-pass algorithm (sum of squared
 * deviations from the mean); NaN when n < 2. x is borrowed. */
double cb_analysis_sd(const double *x, size_t n);

/* Sorts x[0..n) ascending, in place. The values must not be NaN. */
void cb_analysis_sort(double *x, size_t n);

/* The sample quantile of probability p (0 <= p <= 1) of the ascending
 * sorted[0..n), by definition 7 of Hyndman & Fan ("Sample quantiles in
 * statistical packages", Am. Stat. 50(4), 1996; the default of R and
 * NumPy): with h = (n - 1) p and j = floor(h),
 *     Q(p) = x[j] + (h - j) (x[j+1] - x[j])   (x[n-1] when j = n - 1).
 * NaN when n == 0 or p is outside [0, 1]. sorted is borrowed. */
double cb_analysis_quantile_sorted(const double *sorted, size_t n, double p);

/* The percentile bootstrap interval of the mean of x[0..n) at confidence
 * `level` (0 < level < 1, e.g. 0.95): B = `resamples` resamples of n values
 * drawn from x with replacement, each one's mean kept, and the interval
 * [Q((1 - level) / 2), Q((1 + level) / 2)] of those B means with Q the
 * type-7 quantile above (Efron & Tibshirani, "An Introduction to the
 * Bootstrap", 1993, ch. 13). Draws come from `rng`, which the caller seeds
 * and which is advanced; the draw order is fixed (resample by resample,
 * value by value), so the same rng state gives the same interval bits.
 * x is borrowed; allocates one array of B doubles, freed before returning.
 * Returns 0; CB_EINVALID when n == 0, a value is not finite, B is outside
 * [CB_ANALYSIS_RESAMPLES_MIN, CB_ANALYSIS_RESAMPLES_MAX] or level is
 * outside (0, 1); CB_ENOMEM. *out is written only on success. */
int cb_analysis_bootstrap_mean(const double *x, size_t n, size_t resamples, double level,
			       cb_analysis_rng *rng, cb_analysis_interval *out);

/* The percentile bootstrap interval of mean(x) - mean(y) for two independent
 * samples x[0..nx) and y[0..ny): each resample draws nx values from x and ny
 * values from y, independently and with replacement (the stratified, or
 * several-sample, bootstrap: Efron & Tibshirani 1993, ch. 8; Davison &
 * Hinkley, "Bootstrap Methods and their Application", 1997, sec. 3.2), so
 * the group sizes stay fixed. Same rules, ownership, memory and errors as
 * cb_analysis_bootstrap_mean; both samples must be non-empty. */
int cb_analysis_bootstrap_mean_difference(const double *x, size_t nx, const double *y,
					  size_t ny, size_t resamples, double level,
					  cb_analysis_rng *rng, cb_analysis_interval *out);

#endif
