/*
 * The baseline and follow-up windows of an exposure (a session, or any
 * span of training days): which days' observations count as "before" and
 * which as "after", and the further windows of the event study.
 *
 * For an exposure from day S (its first day) to day E (its last day), a
 * window length of W days and a lag of L days:
 *
 *     baseline  = [S - W, S)                    the W days just before training
 *     follow-up = [E + 1 + L, E + 1 + L + W)    W days, after L whole days
 *
 * as half-open ranges of day numbers (base/date.h). Why:
 * - The baseline ends the day before S, so nothing measured while training
 *   is under way counts as "before"; it is the most recent state of the
 *   account, the least exposed to older trends.
 * - The days [S, E + 1 + L), the training and the lag after it, belong to
 *   neither window: behaviour change (Kirkpatrick level 3) and its results
 *   (level 4) need time to appear after the last day, and a KPI measured
 *   the day after would show the training's disruption, not its effect.
 *   L counts whole days after the last day: with L = 0 the follow-up starts
 *   the day after the last training day; the default L = 14 leaves out the
 *   14 days after it.
 * - Both windows have the same length W, so a KPI that counts events or
 *   averages over its window compares like with like, and a KPI computed
 *   by a plugin sees the same amount of time before and after.
 *
 * Event time. The windows of the event study are numbered relative to
 * training, each W days long: window -1 is the baseline, window 0 the
 * follow-up; window k > 0 follows window k - 1 without a gap, and window
 * k < -1 precedes window k + 1 without a gap:
 *
 *     window k <= -1 = [S + k W, S + (k + 1) W)
 *     window k >= 0  = [E + 1 + L + k W, E + 1 + L + (k + 1) W)
 *
 * Windows -2, -3 are placebo windows: training cannot have moved them, so a
 * difference there between trained and untrained accounts is a difference
 * in trends, not an effect.
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
	cb_analysis_span baseline;  /* [S - W, S): window -1 */
	cb_analysis_span follow_up; /* [E + 1 + L, E + 1 + L + W): window 0 */
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

/* Window number `k` of the event study (see above) of the windows `w`
 * made by cb_analysis_windows_make: k = -1 is w->baseline, k = 0 is
 * w->follow_up. Returns 0, or CB_EINVALID when the window's days would
 * leave the int32 range; *out is written only on success. */
int cb_analysis_windows_event(const cb_analysis_windows *w, int k, cb_analysis_span *out);

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
