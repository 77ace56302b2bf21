/*
 * Means, standard deviations and quantiles. Every loop runs in a fixed
 * order over IEEE doubles (the build is ISO C, so the compiler does not fuse
 * multiply-adds), which keeps results bit-for-bit reproducible.
 */
#include "analysis/stats.h"

#include <math.h>
#include <stdlib.h>


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
