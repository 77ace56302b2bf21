/*
 * The baseline and follow-up windows of an exposure (a session, or any
 * span of training days): which days' observations count as "before" and
 * which as "after".
 *
 * For an exposure from day S (its first day) to day E (its last day), a
 * window length of W days and a lag of L days:
 *
 *     baseline  = [S - W, S)            the W days just before training
 *     follow-up = [E + L, E + L + W)    W days, starting L days after it
 *
 * as half-open ranges of day numbers (base/date.h). Why:
 * - The baseline ends the day before S, so nothing measured while training
 *   is under way counts as "before"; it is the most recent state of the
 *   account, the least exposed to older trends.
 * - The days [S, E + L), the training and the lag after it, belong to
 *   neither window: behaviour change (Kirkpatrick level 3) and its results
 *   (level 4) need time to appear after the last day, and a KPI measured
 *   the day after would show the training's disruption, not its effect.
 *   The follow-up starts on day E + L, so L counts from the last day: with
 *   L = 0 the last training day itself is in the follow-up; the default
 *   L = 14 leaves the 13 days after it out.
 * - Both windows have the same length W, so a KPI that counts events or
 *   averages over its window compares like with like, and a KPI computed
 *   by a plugin sees the same amount of time before and after.
 * A multi-session exposure (a programme, a trainer) takes S from its first
 * session and E from its last.
 */
#ifndef CB_ANALYSIS_WINDOWS_H
#define CB_ANALYSIS_WINDOWS_H

#include <stdint.h>

#define CB_ANALYSIS_WINDOW_DAYS 90 /* default W */
#define CB_ANALYSIS_LAG_DAYS 14    /* default L */
#define CB_ANALYSIS_WINDOW_DAYS_MAX 3660 /* ten years: a sanity bound on W */
#define CB_ANALYSIS_LAG_DAYS_MAX 3660    /* and on L */

/* A half-open range of days [from, to): day numbers counted from
 * 1970-01-01 (base/date.h); `to` is the first day not in it. */
typedef struct cb_analysis_span {
	int32_t from, to;
} cb_analysis_span;

typedef struct cb_analysis_windows {
	cb_analysis_span baseline;  /* [S - W, S) */
	cb_analysis_span follow_up; /* [E + L, E + L + W) */
} cb_analysis_windows;

/* Where an observation falls. */
typedef enum cb_analysis_phase {
	CB_ANALYSIS_OUTSIDE = 0, /* in neither window (training, lag, or far) */
	CB_ANALYSIS_BASELINE,
	CB_ANALYSIS_FOLLOW_UP
} cb_analysis_phase;

/* Computes the two windows of an exposure from its first day `first_day`
 * (S) to its last day `last_day` (E), both included and both day numbers,
 * with windows of `window_days` (W, 1..CB_ANALYSIS_WINDOW_DAYS_MAX) and a
 * lag of `lag_days` (L, 0..CB_ANALYSIS_LAG_DAYS_MAX). Returns 0, or
 * CB_EINVALID (saying which argument and why) when E < S or W or L is out
 * of range; *out is written only on success. */
int cb_analysis_windows_make(int32_t first_day, int32_t last_day, int window_days,
			     int lag_days, cb_analysis_windows *out);

/* Which window day number `day` falls in. */
cb_analysis_phase cb_analysis_windows_classify_day(const cb_analysis_windows *w, int32_t day);

/* Which window an observation at Unix time `at` (seconds, UTC, as the store
 * keeps them) falls in: its day is the UTC calendar day floor(at / 86400),
 * so an observation at 23:59:59Z on the day before S is baseline. */
cb_analysis_phase cb_analysis_windows_classify_time(const cb_analysis_windows *w, int64_t at);

/* The UTC calendar day holding Unix time `at` (seconds), rounding towards
 * the past for times before 1970; clamped to the int32 range. */
int32_t cb_analysis_day_of_time(int64_t at);

/* The span as Unix seconds, [*from_at, *to_at): midnight UTC at the start
 * of its first day and of the day after its last, for selecting stored
 * observations with `at >= from_at AND at < to_at`. */
void cb_analysis_span_seconds(const cb_analysis_span *span, int64_t *from_at, int64_t *to_at);

#endif
