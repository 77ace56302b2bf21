/*
 * The generator (known answers, uniformity, no modulo bias), means and
 * quantiles on hand-worked data, and Student's t (tails and quantiles)
 * against closed forms and published values.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/random.h"
#include "analysis/stats.h"
#include "analysis/student.h"
#include "base/error.h"
#include "testlib.h"

START_TEST(seeding_is_splitmix64)
{
	cb_analysis_rng r;

	/* The published first outputs of SplitMix64 from seed 1234567 (Rosetta
	 * Code, "Pseudo-random numbers/Splitmix64"). */
	cb_analysis_rng_seed(&r, 1234567);
	ck_assert(r.s[0] == UINT64_C(6457827717110365317));
	ck_assert(r.s[1] == UINT64_C(3203168211198807973));
	ck_assert(r.s[2] == UINT64_C(9817491932198370423));
	ck_assert(r.s[3] == UINT64_C(4593380528125082431));
}
END_TEST

START_TEST(generator_matches_reference_output)
{
	cb_analysis_rng r;

	/* PHP's test of its xoshiro256** engine (ext/random/tests/02_engine/
	 * xoshiro256starstar_seed.phpt): every state word the bytes 01..08,
	 * 1000 draws skipped, the next one is the bytes 90 a0 25 df 93 00 cf d1
	 * (little-endian). */
	for (int i = 0; i < 4; i++)
		r.s[i] = UINT64_C(0x0807060504030201);
	for (int i = 0; i < 1000; i++)
		cb_analysis_rng_next(&r);
	ck_assert(cb_analysis_rng_next(&r) == UINT64_C(0xd1cf0093df25a090));

	/* Seed 42, pinned so that a change of algorithm cannot go unnoticed;
	 * the values agree with an independent Python transcription of the
	 * reference code, itself checked against the two vectors above. */
	cb_analysis_rng_seed(&r, 42);
	ck_assert(cb_analysis_rng_next(&r) == UINT64_C(1546998764402558742));
	ck_assert(cb_analysis_rng_next(&r) == UINT64_C(6990951692964543102));
	ck_assert(cb_analysis_rng_next(&r) == UINT64_C(12544586762248559009));
}
END_TEST

START_TEST(jump_matches_reference)
{
	cb_analysis_rng r;

	/* The Python transcription's jump reproduces PHP's jump test
	 * (xoshiro256starstar_value.phpt); these are its values for seed 42. */
	cb_analysis_rng_seed(&r, 42);
	cb_analysis_rng_jump(&r);
	ck_assert(r.s[0] == UINT64_C(0x81746704fde896b5));
	ck_assert(r.s[1] == UINT64_C(0x645e944932dae0ae));
	ck_assert(r.s[2] == UINT64_C(0xf4776829231c282c));
	ck_assert(r.s[3] == UINT64_C(0x2393f9798732dba1));
	ck_assert(cb_analysis_rng_next(&r) == UINT64_C(5766981335298035530));
}
END_TEST

START_TEST(integers_are_uniform_over_ten_bins)
{
	enum { DRAWS = 1000000, BINS = 10 };
	long count[BINS] = {0};
	double expected = DRAWS / (double)BINS, chi2 = 0.0;
	cb_analysis_rng r;

	cb_analysis_rng_seed(&r, 7);
	for (int i = 0; i < DRAWS; i++) {
		uint64_t k = cb_analysis_rng_below(&r, BINS);

		ck_assert(k < BINS);
		count[k]++;
	}
	for (int i = 0; i < BINS; i++)
		chi2 += (count[i] - expected) * (count[i] - expected) / expected;
	/* Chi-square with 9 degrees of freedom: mean 9, and above 37 with
	 * probability about 1e-5; a biased generator lands in the thousands. */
	ck_assert_msg(chi2 < 40.0, "chi-square %g", chi2);
}
END_TEST

START_TEST(integers_have_no_modulo_bias)
{
	/* n = 3 * 2^62: plain x % n would give [0, 2^62) half the time instead
	 * of a third, since 2^64 = n + 2^62 folds the top quarter onto it. */
	const uint64_t n = UINT64_C(3) << 62;
	enum { DRAWS = 100000 };
	long low = 0;
	cb_analysis_rng r;

	cb_analysis_rng_seed(&r, 99);
	for (int i = 0; i < DRAWS; i++) {
		uint64_t k = cb_analysis_rng_below(&r, n);

		ck_assert(k < n);
		low += k < (UINT64_C(1) << 62);
	}
	/* A third, give or take 5 standard errors (sd of the fraction ~0.0015). */
	ck_assert_msg(fabs(low / (double)DRAWS - 1.0 / 3.0) < 0.0075, "fraction %g",
		      low / (double)DRAWS);
	/* The edge cases. */
	ck_assert(cb_analysis_rng_below(&r, 1) == 0);
	ck_assert(cb_analysis_rng_below(&r, 0) == 0);
	for (int i = 0; i < 1000; i++)
		ck_assert(cb_analysis_rng_below(&r, 2) < 2);
}
END_TEST

START_TEST(uniform_and_normal_deviates)
{
	enum { DRAWS = 200000 };
	double *x = malloc(DRAWS * sizeof(*x));
	double sum = 0.0, mean, sd;
	cb_analysis_rng r;

	ck_assert_ptr_nonnull(x);
	cb_analysis_rng_seed(&r, 2024);
	for (int i = 0; i < DRAWS; i++) {
		double u = cb_analysis_rng_uniform(&r);

		ck_assert(u >= 0.0 && u < 1.0);
		ck_assert(u * 0x1.0p53 == floor(u * 0x1.0p53)); /* a multiple of 2^-53 */
		sum += u;
	}
	/* Mean of U(0,1) is 1/2 with sd 1/sqrt(12 n) = 0.00065 here. */
	ck_assert(fabs(sum / DRAWS - 0.5) < 0.004);
	for (int i = 0; i < DRAWS; i++)
		x[i] = cb_analysis_rng_normal(&r);
	mean = cb_analysis_mean(x, DRAWS);
	sd = cb_analysis_sd(x, DRAWS);
	ck_assert_msg(fabs(mean) < 0.015, "mean %g", mean); /* se 0.0022 */
	ck_assert_msg(fabs(sd - 1.0) < 0.015, "sd %g", sd);
	free(x);
}
END_TEST

START_TEST(mean_and_sd_by_hand)
{
	/* Sum 40, n 8: mean 5; squared deviations 9+1+1+1+0+0+4+16 = 32, so
	 * the sample sd is sqrt(32 / 7). */
	const double x[] = {2, 4, 4, 4, 5, 5, 7, 9};

	ck_assert(cb_analysis_mean(x, 8) == 5.0);
	ck_assert(fabs(cb_analysis_sd(x, 8) - sqrt(32.0 / 7.0)) < 1e-15);
	ck_assert(isnan(cb_analysis_mean(x, 0)));
	ck_assert(isnan(cb_analysis_sd(x, 1)));
	/* The two-pass sd keeps its digits around a large mean, where
	 * sum(x^2) - n mean^2 would lose them all. */
	{
		const double y[] = {1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16};

		ck_assert(fabs(cb_analysis_sd(y, 4) - sqrt(90.0 / 3.0)) < 1e-9);
	}
}
END_TEST

START_TEST(quantiles_are_type_7)
{
	/* R's quantile(x, p, type = 7), worked out: h = (n - 1) p. */
	const double a[] = {1, 2, 3, 4, 5};
	double b[] = {3.5, -1, 7, 2};

	ck_assert(cb_analysis_quantile_sorted(a, 5, 0.0) == 1.0);
	ck_assert(fabs(cb_analysis_quantile_sorted(a, 5, 0.1) - 1.4) < 1e-15); /* h 0.4 */
	ck_assert(cb_analysis_quantile_sorted(a, 5, 0.25) == 2.0);               /* h 1 */
	ck_assert(cb_analysis_quantile_sorted(a, 5, 0.5) == 3.0);
	ck_assert(fabs(cb_analysis_quantile_sorted(a, 5, 0.975) - 4.9) < 1e-15); /* h 3.9 */
	ck_assert(cb_analysis_quantile_sorted(a, 5, 1.0) == 5.0);
	cb_analysis_sort(b, 4); /* -1 2 3.5 7 */
	ck_assert(b[0] == -1 && b[1] == 2 && b[2] == 3.5 && b[3] == 7);
	/* h = 0.9: -1 + 0.9 (2 - -1) = 1.7; h = 2.925: 3.5 + 0.925 * 3.5 = 6.7375 */
	ck_assert(fabs(cb_analysis_quantile_sorted(b, 4, 0.3) - 1.7) < 1e-15);
	ck_assert(fabs(cb_analysis_quantile_sorted(b, 4, 0.975) - 6.7375) < 1e-15);
	ck_assert(cb_analysis_quantile_sorted(b, 1, 0.5) == -1.0);
	ck_assert(isnan(cb_analysis_quantile_sorted(b, 0, 0.5)));
	ck_assert(isnan(cb_analysis_quantile_sorted(b, 4, 1.5)));
	ck_assert(isnan(cb_analysis_quantile_sorted(b, 4, NAN)));
}
END_TEST

START_TEST(incomplete_beta_special_cases)
{
	/* Closed forms: I_x(1, 1) = x, I_x(a, 1) = x^a, I_x(1, b) = 1 - (1-x)^b,
	 * I_1/2(a, a) = 1/2, and the symmetry I_x(a, b) = 1 - I_(1-x)(b, a). */
	for (double x = 0.0; x <= 1.0; x += 0.0625) {
		ck_assert_double_eq_tol(cb_analysis_beta_regularized(1, 1, x), x, 1e-14);
		ck_assert_double_eq_tol(cb_analysis_beta_regularized(3.5, 1, x), pow(x, 3.5), 1e-14);
		ck_assert_double_eq_tol(cb_analysis_beta_regularized(1, 7, x), 1 - pow(1 - x, 7), 1e-14);
		ck_assert_double_eq_tol(cb_analysis_beta_regularized(2.5, 40, x),
					1 - cb_analysis_beta_regularized(40, 2.5, 1 - x), 1e-14);
	}
	for (double a = 0.5; a < 200; a *= 1.7)
		ck_assert_double_eq_tol(cb_analysis_beta_regularized(a, a, 0.5), 0.5, 1e-13);
	ck_assert(isnan(cb_analysis_beta_regularized(0, 1, 0.5)));
	ck_assert(isnan(cb_analysis_beta_regularized(1, 1, 1.5)));
	ck_assert(isnan(cb_analysis_beta_regularized(1, NAN, 0.5)));
}
END_TEST

START_TEST(t_tails_match_closed_forms)
{
	/* Two-sided tails in closed form: df 1 (Cauchy) 1 - 2 atan(t) / pi;
	 * df 2: 1 - t / sqrt(2 + t^2); df 3: 1 - (2/pi)(atan(t/sqrt3) +
	 * sqrt3 t / (3 + t^2)). */
	for (double t = 0.0; t < 60.0; t += 0.37) {
		double s3 = sqrt(3.0);

		ck_assert_double_eq_tol(cb_analysis_t_two_sided(t, 1), 1 - 2 * atan(t) / M_PI, 1e-14);
		ck_assert_double_eq_tol(cb_analysis_t_two_sided(-t, 2), 1 - t / sqrt(2 + t * t), 1e-14);
		ck_assert_double_eq_tol(cb_analysis_t_two_sided(t, 3),
					1 - 2 / M_PI * (atan(t / s3) + s3 * t / (3 + t * t)), 1e-14);
	}
	ck_assert(cb_analysis_t_two_sided(INFINITY, 5) == 0.0);
	ck_assert(cb_analysis_t_two_sided(0, 5) == 1.0);
	ck_assert(isnan(cb_analysis_t_two_sided(NAN, 5)));
	ck_assert(isnan(cb_analysis_t_two_sided(1, 0)));
}
END_TEST

/* The t quantile for many degrees of freedom from the normal one z, by the
 * Cornish-Fisher expansion (Abramowitz & Stegun 26.7.5), exact to far
 * below 1e-12 from df = 1000 on. */
static double t_expansion(double z, double v)
{
	double z2 = z * z, z3 = z2 * z, z5 = z3 * z2, z7 = z5 * z2, z9 = z7 * z2;

	return z + (z3 + z) / 4 / v + (5 * z5 + 16 * z3 + 3 * z) / 96 / (v * v) +
	       (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / 384 / (v * v * v) +
	       (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / 92160 / (v * v * v * v);
}

START_TEST(t_for_many_degrees_of_freedom)
{
	/* Where t is almost normal, lgamma of huge arguments must not eat the
	 * digits: the tail of the expansion's quantile is the normal tail of z. */
	static const double dfs[] = {1e3, 1e5, 1e6};
	static const double zs[] = {0.5, 1.959963984540054, 3.0};

	for (size_t i = 0; i < 3; i++)
		for (size_t j = 0; j < 3; j++) {
			double t = t_expansion(zs[j], dfs[i]), p = erfc(zs[j] / sqrt(2.0));

			ck_assert_double_eq_tol(cb_analysis_t_two_sided(t, dfs[i]), p, 1e-10 * p);
			ck_assert_double_eq_tol(cb_analysis_t_quantile(1 - p / 2, dfs[i]), t, 1e-10);
		}
}
END_TEST

START_TEST(t_quantiles)
{
	/* qt(0.975, df) in R, to its printed 15 digits. */
	static const struct {
		double df, q;
	} known[] = {
		{1, 12.706204736174707}, {2, 4.302652729749464}, {4, 2.7764451051977987},
		{10, 2.2281388519862744}, {30, 2.0422724563012378},
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		ck_assert_double_eq_tol(cb_analysis_t_quantile(0.975, known[i].df), known[i].q,
					1e-11 * known[i].q);
		ck_assert_double_eq_tol(cb_analysis_t_quantile(0.025, known[i].df), -known[i].q,
					1e-11 * known[i].q);
	}
	/* Round trips, fractional df included. */
	for (double df = 0.7; df < 500; df *= 1.9)
		for (double p = 0.51; p < 1.0; p += 0.06) {
			double q = cb_analysis_t_quantile(p, df);

			ck_assert_double_eq_tol(cb_analysis_t_two_sided(q, df), 2 * (1 - p), 1e-12);
		}
	ck_assert(cb_analysis_t_quantile(0.5, 3) == 0.0);
	ck_assert(isnan(cb_analysis_t_quantile(1.0, 3)));
	ck_assert(isnan(cb_analysis_t_quantile(0.0, 3)));
	ck_assert(isnan(cb_analysis_t_quantile(0.9, -1)));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("analysis/stats");
	TCase *rng = tcase_create("random");
	TCase *st = tcase_create("stats");

	tcase_add_test(rng, seeding_is_splitmix64);
	tcase_add_test(rng, generator_matches_reference_output);
	tcase_add_test(rng, jump_matches_reference);
	tcase_add_test(rng, integers_are_uniform_over_ten_bins);
	tcase_add_test(rng, integers_have_no_modulo_bias);
	tcase_add_test(rng, uniform_and_normal_deviates);
	tcase_add_test(st, mean_and_sd_by_hand);
	tcase_add_test(st, quantiles_are_type_7);
	tcase_add_test(st, incomplete_beta_special_cases);
	tcase_add_test(st, t_tails_match_closed_forms);
	tcase_add_test(st, t_quantiles);
	tcase_add_test(st, t_for_many_degrees_of_freedom);
	suite_add_tcase(s, rng);
	suite_add_tcase(s, st);
	return cbt_main(s);
}
