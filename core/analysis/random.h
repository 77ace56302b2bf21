/*
 * A seeded, reproducible pseudo-random generator for the bootstrap:
 * xoshiro256** 1.0 (Blackman & Vigna, "Scrambled linear pseudorandom number
 * generators", ACM TOMS 47(4), 2021), its state filled by SplitMix64 from a
 * 64-bit seed. Only integer arithmetic on uint64_t: the same seed gives the
 * same numbers on every machine.
 */
#ifndef CB_ANALYSIS_RANDOM_H
#define CB_ANALYSIS_RANDOM_H

#include <stdint.h>

/* The generator's whole state; a plain value the caller owns (on the stack
 * is fine), copied freely. Not thread-safe: one per thread. */
typedef struct cb_analysis_rng {
	uint64_t s[4]; /* never all zero once seeded */
} cb_analysis_rng;

/* Seeds `r` from `seed` (any value, 0 included): the four state words are
 * the first four outputs of SplitMix64 started at `seed`, as the authors of
 * xoshiro recommend. */
void cb_analysis_rng_seed(cb_analysis_rng *r, uint64_t seed);

/* The next 64 uniformly distributed bits. */
uint64_t cb_analysis_rng_next(cb_analysis_rng *r);

/* Advances `r` by 2^128 draws in one step (the reference jump polynomial),
 * so that successive jumps from one seed give non-overlapping streams. */
void cb_analysis_rng_jump(cb_analysis_rng *r);

/* A uniform integer in [0, n), without modulo bias: the high word of a
 * draw times n, with the draws whose low word falls below 2^64 mod n
 * rejected and redrawn (Lemire 2019). n must be at least 1 (n == 0
 * returns 0). */
uint64_t cb_analysis_rng_below(cb_analysis_rng *r, uint64_t n);

/* A uniform double in [0, 1): the top 53 bits of a draw times 2^-53, so
 * every value is a multiple of 2^-53 and exactly reproducible. */
double cb_analysis_rng_uniform(cb_analysis_rng *r);

/* A standard normal deviate (mean 0, sd 1) by the Box-Muller transform
 * (Box & Muller, Ann. Math. Stat. 29, 1958), one of each pair returned.
 * For simulated test data: it goes through libm's log, sqrt and cos, whose
 * last bit may differ between C libraries, so unlike the functions above it
 * is reproducible only on the same platform. */
double cb_analysis_rng_normal(cb_analysis_rng *r);

#endif
