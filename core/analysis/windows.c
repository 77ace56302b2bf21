/* Baseline and follow-up windows; the reasoning is in windows.h. */
#include "analysis/windows.h"

#include "base/date.h"
#include "base/error.h"

#define SECONDS_PER_DAY 86400

int cb_analysis_windows_make(int32_t first_day, int32_t last_day, int window_days,
			     int lag_days, cb_analysis_windows *out)
{
	int64_t from, to;

	if (window_days < 1 || window_days > CB_ANALYSIS_WINDOW_DAYS_MAX)
		return cb_error_set(CB_EINVALID, "window of %d days; use 1 to %d", window_days,
				    CB_ANALYSIS_WINDOW_DAYS_MAX);
	if (lag_days < 0 || lag_days > CB_ANALYSIS_LAG_DAYS_MAX)
		return cb_error_set(CB_EINVALID, "lag of %d days; use 0 to %d", lag_days,
				    CB_ANALYSIS_LAG_DAYS_MAX);
	if (last_day < first_day) {
		char s[CB_DATE_LEN], e[CB_DATE_LEN];

		cb_date_format(first_day, s);
		cb_date_format(last_day, e);
		return cb_error_set(CB_EINVALID,
				    "exposure ends on %s, before it starts on %s", e, s);
	}
	/* In 64 bits, so that no day number near the int32 edge can wrap. */
	from = (int64_t)first_day - window_days;
	to = (int64_t)last_day + 1 + lag_days + window_days;
	if (from < INT32_MIN || to > INT32_MAX)
		return cb_error_set(CB_EINVALID, "exposure dates out of range");
	out->baseline.from = (int32_t)from;
	out->baseline.to = first_day;
	out->follow_up.from = (int32_t)((int64_t)last_day + 1 + lag_days);
	out->follow_up.to = (int32_t)to;
	return 0;
}

int cb_analysis_windows_event(const cb_analysis_windows *w, int k, cb_analysis_span *out)
{
	/* Every window has the baseline's length; the follow-up's is the same. */
	int64_t len = (int64_t)w->baseline.to - w->baseline.from;
	int64_t from = k < 0 ? (int64_t)w->baseline.to + (int64_t)k * len
			     : (int64_t)w->follow_up.from + (int64_t)k * len;

	if (from < INT32_MIN || from + len > INT32_MAX)
		return cb_error_set(CB_EINVALID, "window %d of the event study is out of range", k);
	out->from = (int32_t)from;
	out->to = (int32_t)(from + len);
	return 0;
}

static int span_has(const cb_analysis_span *span, int32_t day)
{
	return day >= span->from && day < span->to;
}

cb_analysis_phase cb_analysis_windows_classify_day(const cb_analysis_windows *w, int32_t day)
{
	if (span_has(&w->baseline, day))
		return CB_ANALYSIS_BASELINE;
	if (span_has(&w->follow_up, day))
		return CB_ANALYSIS_FOLLOW_UP;
	return CB_ANALYSIS_OUTSIDE;
}

/* floor(at / 86400): C division truncates towards zero, so step back one
 * day for negative times that are not whole days. */
static int64_t floor_day(int64_t at)
{
	return at / SECONDS_PER_DAY - (at % SECONDS_PER_DAY < 0);
}

int32_t cb_analysis_day_of_time(int64_t at)
{
	int64_t day = floor_day(at);

	return day < INT32_MIN ? INT32_MIN : day > INT32_MAX ? INT32_MAX : (int32_t)day;
}

cb_analysis_phase cb_analysis_windows_classify_time(const cb_analysis_windows *w, int64_t at)
{
	int64_t day = floor_day(at);

	/* A time whose day does not fit in int32 is outside any window. */
	if (day < INT32_MIN || day > INT32_MAX)
		return CB_ANALYSIS_OUTSIDE;
	return cb_analysis_windows_classify_day(w, (int32_t)day);
}

void cb_analysis_span_seconds(const cb_analysis_span *span, int64_t *from_at, int64_t *to_at)
{
	*from_at = (int64_t)span->from * SECONDS_PER_DAY;
	*to_at = (int64_t)span->to * SECONDS_PER_DAY;
}
