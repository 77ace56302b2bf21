/*
 * Means, quantiles and the percentile bootstrap. Every loop runs in a fixed
 * order over IEEE doubles (the build is ISO C, so the compiler does not fuse
 * multiply-adds), which keeps results bit-for-bit reproducible.
 */
#include "analysis/stats.h"

#include <math.h>
#include <stdlib.h>

#include "base/error.h"

double cb_analysis_mean(const double *x, size_t n)
{
	double sum = 0.0;

	if (n == 0)
		return NAN;
	for (size_t i = 0; i < n; i++)
		sum += x[i];
	/* + 0.0 turns a -0.0 into +0.0, so equal results have equal bits. */
	return sum / (double)n + 0.0;
}

double cb_analysis_sd(const double *x, size_t n)
{
	double mean, ss = 0.0;

	if (n < 2)
		return NAN;
	/* Two-pass: sum((x - mean)^2) / (n - 1), which avoids the cancellation
	 * of the textbook sum(x^2) - n mean^2 (Chan, Golub & LeVeque, "Algorithms
	 * for computing the sample variance", Am. Stat. 37(3), 1983). */
	mean = cb_analysis_mean(x, n);
	for (size_t i = 0; i < n; i++)
		ss += (x[i] - mean) * (x[i] - mean);
	return sqrt(ss / (double)(n - 1));
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void cb_analysis_sort(double *x, size_t n)
{
	if (n > 1)
		qsort(x, n, sizeof(*x), compare_doubles);
}

double cb_analysis_quantile_sorted(const double *sorted, size_t n, double p)
{
	double h, g;
	size_t j;

	if (n == 0 || !(p >= 0.0 && p <= 1.0))
		return NAN;
	/* Hyndman & Fan (1996), definition 7: h = (n - 1) p on 0-based indices
	 * (their (n - 1) p + 1 on 1-based ones), linear between neighbours. */
	h = (double)(n - 1) * p;
	j = (size_t)floor(h);
	if (j >= n - 1)
		return sorted[n - 1];
	g = h - (double)j;
	return sorted[j] + g * (sorted[j + 1] - sorted[j]) + 0.0;
}

static int check_sample(const char *what, const double *x, size_t n)
{
	if (n == 0)
		return cb_error_set(CB_EINVALID, "bootstrap: the %s has no values", what);
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return cb_error_set(CB_EINVALID,
					    "bootstrap: value %zu of the %s is not a finite number",
					    i + 1, what);
	return 0;
}

static int check_settings(size_t resamples, double level)
{
	if (resamples < CB_ANALYSIS_RESAMPLES_MIN || resamples > CB_ANALYSIS_RESAMPLES_MAX)
		return cb_error_set(CB_EINVALID,
				    "bootstrap: %zu resamples; use %d to %d",
				    resamples, CB_ANALYSIS_RESAMPLES_MIN,
				    CB_ANALYSIS_RESAMPLES_MAX);
	if (!(level > 0.0 && level < 1.0))
		return cb_error_set(CB_EINVALID,
				    "bootstrap: confidence level %g is not between 0 and 1",
				    level);
	return 0;
}

/* The mean of n values drawn with replacement from x[0..n). */
static double resample_mean(const double *x, size_t n, cb_analysis_rng *rng)
{
	double sum = 0.0;

	for (size_t i = 0; i < n; i++)
		sum += x[cb_analysis_rng_below(rng, n)];
	return sum / (double)n;
}

/* Bootstrap of mean(x), or of mean(x) - mean(y) when ny > 0. */
static int bootstrap(const double *x, size_t nx, const double *y, size_t ny,
		     size_t resamples, double level, cb_analysis_rng *rng,
		     cb_analysis_interval *out)
{
	double *stat;
	double alpha = 1.0 - level;

	stat = malloc(resamples * sizeof(*stat));
	if (!stat)
		return cb_error_set(CB_ENOMEM,
				    "bootstrap: out of memory for %zu resamples", resamples);
	for (size_t b = 0; b < resamples; b++) {
		double m = resample_mean(x, nx, rng);

		if (ny > 0)
			m -= resample_mean(y, ny, rng);
		stat[b] = m + 0.0;
	}
	/* Percentile interval (Efron & Tibshirani 1993, eq. 13.5): the
	 * alpha/2 and 1 - alpha/2 quantiles of the bootstrap distribution. */
	cb_analysis_sort(stat, resamples);
	out->low = cb_analysis_quantile_sorted(stat, resamples, alpha / 2.0);
	out->high = cb_analysis_quantile_sorted(stat, resamples, 1.0 - alpha / 2.0);
	free(stat);
	return 0;
}

int cb_analysis_bootstrap_mean(const double *x, size_t n, size_t resamples, double level,
			       cb_analysis_rng *rng, cb_analysis_interval *out)
{
	int rc;

	if ((rc = check_settings(resamples, level)) < 0 ||
	    (rc = check_sample("sample", x, n)) < 0)
		return rc;
	return bootstrap(x, n, NULL, 0, resamples, level, rng, out);
}

int cb_analysis_bootstrap_mean_difference(const double *x, size_t nx, const double *y,
					  size_t ny, size_t resamples, double level,
					  cb_analysis_rng *rng, cb_analysis_interval *out)
{
	int rc;

	if ((rc = check_settings(resamples, level)) < 0 ||
	    (rc = check_sample("first sample", x, nx)) < 0 ||
	    (rc = check_sample("second sample", y, ny)) < 0)
		return rc;
	return bootstrap(x, nx, y, ny, resamples, level, rng, out);
}
