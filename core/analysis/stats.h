/*
 * Descriptive statistics: means, standard deviations and sample quantiles
 * (Hyndman & Fan type 7). Pure computation: no I/O.
 */
#ifndef CB_ANALYSIS_STATS_H
#define CB_ANALYSIS_STATS_H

#include <stddef.h>

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

#endif
