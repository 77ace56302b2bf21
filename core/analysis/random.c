/*
 * xoshiro256** seeded by SplitMix64, written from the public-domain
 * reference code at https://prng.di.unimi.it/ (xoshiro256starstar.c and
 * splitmix64.c); the tests check it against published output.
 */
#include "analysis/random.h"

#include <math.h>

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014): a Weyl sequence through a 64-bit mixer. */
static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

void cb_analysis_rng_seed(cb_analysis_rng *r, uint64_t seed)
{
	uint64_t x = seed;

	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
	/* SplitMix64 is a bijection of its counter, so four consecutive outputs
	 * are never all zero: the one state xoshiro must avoid. */
}

uint64_t cb_analysis_rng_next(cb_analysis_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

void cb_analysis_rng_jump(cb_analysis_rng *r)
{
	static const uint64_t jump[4] = {
		UINT64_C(0x180ec6d33cfd0aba), UINT64_C(0xd5a61266f0c9392c),
		UINT64_C(0xa9582618e03fc9aa), UINT64_C(0x39abdc4529b1661c)};
	uint64_t acc[4] = {0, 0, 0, 0};

	for (int i = 0; i < 4; i++)
		for (int b = 0; b < 64; b++) {
			if (jump[i] & (UINT64_C(1) << b))
				for (int k = 0; k < 4; k++)
					acc[k] ^= r->s[k];
			cb_analysis_rng_next(r);
		}
	for (int k = 0; k < 4; k++)
		r->s[k] = acc[k];
}

uint64_t cb_analysis_rng_below(cb_analysis_rng *r, uint64_t n)
{
	unsigned __int128 m;
	uint64_t low;

	if (n <= 1)
		return 0;
	/* Lemire's multiply-and-shift (D. Lemire, "Fast random integer
	 * generation in an interval", ACM TOMACS 29(1), 2019): the high word
	 * of x * n is uniform in [0, n) once the draws whose low word falls
	 * below 2^64 mod n are rejected. That remainder, the one division,
	 * is needed only when the low word is below n, which for the sample
	 * sizes here almost never happens: the bootstrap's inner loop runs
	 * without dividing. */
	m = (unsigned __int128)cb_analysis_rng_next(r) * n;
	low = (uint64_t)m;
	if (low < n) {
		uint64_t threshold = (0 - n) % n;

		while (low < threshold) {
			m = (unsigned __int128)cb_analysis_rng_next(r) * n;
			low = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

double cb_analysis_rng_uniform(cb_analysis_rng *r)
{
	return (double)(cb_analysis_rng_next(r) >> 11) * 0x1.0p-53;
}

double cb_analysis_rng_normal(cb_analysis_rng *r)
{
	/* 1 - u lies in (0, 1], so the log is finite. */
	double u1 = 1.0 - cb_analysis_rng_uniform(r);
	double u2 = cb_analysis_rng_uniform(r);
	const double two_pi = 6.283185307179586476925286766559;

	return sqrt(-2.0 * log(u1)) * cos(two_pi * u2);
}
