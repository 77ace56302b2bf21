/*
 * Student's t distribution, for the intervals and p-values of the impact
 * analysis: its two-sided tail probability and its quantiles, through the
 * regularized incomplete beta function. Pure computation.
 */
#ifndef CB_ANALYSIS_STUDENT_H
#define CB_ANALYSIS_STUDENT_H

/* The regularized incomplete beta function I_x(a, b) for a, b > 0 and
 * 0 <= x <= 1, by its continued fraction (DLMF 8.17.22) evaluated with the
 * modified Lentz algorithm (Thompson & Barnett, J. Comput. Phys. 64, 1986),
 * on the side of x where it converges fast (DLMF 8.17.4 for the other).
 * About 13 significant digits where a and b stay below 1e6 (the analysis's
 * degrees of freedom never pass its number of accounts), fewer beyond;
 * NaN for arguments outside the domain. */
double cb_analysis_beta_regularized(double a, double b, double x);

/* P(|T| >= |t|) for T with `df` degrees of freedom (df > 0, not
 * necessarily whole): I_{df / (df + t^2)}(df / 2, 1 / 2). 0 for an
 * infinite t; NaN when t is NaN or df is not positive. */
double cb_analysis_t_two_sided(double t, double df);

/* The quantile q with P(T <= q) = p, for 0 < p < 1 and df > 0: Newton's
 * method on the tail probability, kept inside a bracket that halves when a
 * step leaves it. NaN outside the domain. */
double cb_analysis_t_quantile(double p, double df);

#endif
