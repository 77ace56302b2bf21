/* Student's t through the incomplete beta function; the sources are in
 * student.h. */
#include "analysis/student.h"

#include <float.h>
#include <math.h>

#define BETA_ITERATIONS 500
#define BETA_EPSILON 1e-15
#define LENTZ_TINY 1e-300

/* The continued fraction of I_x(a, b) / (x^a (1 - x)^b / (a B(a, b))),
 * DLMF 8.17.22: 1 / (1 + d1 / (1 + d2 / (1 + ...))) with
 *     d(2m)   =  m (b - m) x / ((a + 2m - 1)(a + 2m))
 *     d(2m+1) = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)),
 * evaluated front to back by the modified Lentz algorithm. */
static double beta_fraction(double a, double b, double x)
{
	double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0), h;

	if (fabs(d) < LENTZ_TINY)
		d = LENTZ_TINY;
	d = 1.0 / d;
	h = d;
	for (int m = 1; m <= BETA_ITERATIONS; m++) {
		double m2 = 2.0 * m, step;
		double even = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
		double odd = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));

		d = 1.0 + even * d;
		c = 1.0 + even / c;
		d = fabs(d) < LENTZ_TINY ? 1.0 / LENTZ_TINY : 1.0 / d;
		if (fabs(c) < LENTZ_TINY)
			c = LENTZ_TINY;
		h *= d * c;
		d = 1.0 + odd * d;
		c = 1.0 + odd / c;
		d = fabs(d) < LENTZ_TINY ? 1.0 / LENTZ_TINY : 1.0 / d;
		if (fabs(c) < LENTZ_TINY)
			c = LENTZ_TINY;
		step = d * c;
		h *= step;
		if (fabs(step - 1.0) < BETA_EPSILON)
			break;
	}
	return h;
}

/* log Gamma(b + a) - log Gamma(b) for b far larger than a, from Stirling's
 * series of each (DLMF 5.11.1) with the large terms combined through log1p:
 * lgamma(b + a) - lgamma(b) taken directly loses all its digits once b
 * is near 1e9 (each term is about 2e10). The series' next term is below
 * 1 / (1680 b^7). */
static double lgamma_ratio(double a, double b)
{
	double s = a + b;

	return (b - 0.5) * log1p(a / b) + a * log(s) - a + (1.0 / s - 1.0 / b) / 12.0 -
	       (1.0 / (s * s * s) - 1.0 / (b * b * b)) / 360.0 +
	       (1.0 / (s * s * s * s * s) - 1.0 / (b * b * b * b * b)) / 1260.0;
}

/* log(1 / B(a, b)) = lgamma(a + b) - lgamma(a) - lgamma(b). */
static double log_inverse_beta(double a, double b)
{
	if (b >= 1e4 && b >= 100.0 * a)
		return lgamma_ratio(a, b) - lgamma(a);
	if (a >= 1e4 && a >= 100.0 * b)
		return lgamma_ratio(b, a) - lgamma(b);
	return lgamma(a + b) - lgamma(a) - lgamma(b);
}

double cb_analysis_beta_regularized(double a, double b, double x)
{
	double front;

	if (!(a > 0.0) || !(b > 0.0) || !(x >= 0.0 && x <= 1.0) || !isfinite(a) || !isfinite(b))
		return NAN;
	if (x == 0.0)
		return 0.0;
	if (x == 1.0)
		return 1.0;
	/* x^a (1 - x)^b / B(a, b), in logarithms so that large a, b do not
	 * overflow. */
	front = exp(log_inverse_beta(a, b) + a * log(x) + b * log1p(-x));
	/* The fraction converges fast for x < (a + 1) / (a + b + 2); on the
	 * other side, I_x(a, b) = 1 - I_(1-x)(b, a). */
	if (x < (a + 1.0) / (a + b + 2.0))
		return front * beta_fraction(a, b, x) / a;
	return 1.0 - front * beta_fraction(b, a, 1.0 - x) / b;
}

double cb_analysis_t_two_sided(double t, double df)
{
	if (isnan(t) || !(df > 0.0))
		return NAN;
	if (isinf(t))
		return 0.0;
	/* For t^2 small against df, df / (df + t^2) is close to 1, where the
	 * tail is 1 - I_(t^2 / (df + t^2))(1 / 2, df / 2) computed directly. */
	if (t * t < df)
		return 1.0 - cb_analysis_beta_regularized(0.5, df / 2.0, t * t / (df + t * t));
	return cb_analysis_beta_regularized(df / 2.0, 0.5, df / (df + t * t));
}

/* The density of T at t. */
static double t_density(double t, double df)
{
	double half = df / 2.0;
	double ratio = half >= 1e4 ? lgamma_ratio(0.5, half) : lgamma(half + 0.5) - lgamma(half);

	return exp(ratio - 0.5 * log(df * M_PI) - (df + 1.0) / 2.0 * log1p(t * t / df));
}

/* P(T <= t). */
static double t_cdf(double t, double df)
{
	double tail = cb_analysis_t_two_sided(t, df) / 2.0;

	return t < 0.0 ? tail : 1.0 - tail;
}

double cb_analysis_t_quantile(double p, double df)
{
	double lo, hi, q;

	if (!(p > 0.0 && p < 1.0) || !(df > 0.0))
		return NAN;
	if (p == 0.5)
		return 0.0;
	/* By symmetry, solve for the upper tail and flip the sign. */
	if (p < 0.5)
		return -cb_analysis_t_quantile(1.0 - p, df);
	/* The bracket [0, hi]: grow hi until it holds the quantile. */
	lo = 0.0;
	hi = 2.0;
	while (t_cdf(hi, df) < p && hi < 1e300)
		hi *= 4.0;
	q = hi / 2.0;
	for (int i = 0; i < 200; i++) {
		double f = t_cdf(q, df) - p, next;

		if (f < 0.0)
			lo = q;
		else
			hi = q;
		next = q - f / t_density(q, df);
		/* A Newton step that leaves the bracket is replaced by bisection. */
		if (!(next > lo && next < hi))
			next = lo + (hi - lo) / 2.0;
		if (fabs(next - q) <= 4.0 * DBL_EPSILON * fabs(next) || hi - lo <= DBL_EPSILON * hi) {
			q = next;
			break;
		}
		q = next;
	}
	return q;
}
