/*
 * A KPI over time for one account: its observations cut into calendar
 * periods (ISO weeks from Monday, months, quarters), the KPI computed per
 * period through its plugin: one Lua call per period.
 */
#ifndef CB_APP_SERIES_H
#define CB_APP_SERIES_H

#include <stdint.h>

#include "app/workspace.h"

typedef enum cb_period { CB_PERIOD_WEEK, CB_PERIOD_MONTH, CB_PERIOD_QUARTER } cb_period;

/* Parses "week", "month" or "quarter". */
int cb_period_parse(const char *text, cb_period *out);

/* The period holding `day` (a day number): its first day and the first day
 * of the next, and a label ("2025-W09", "2025-03", "2025-Q1"; 12 bytes). */
void cb_period_of(cb_period p, int32_t day, int32_t *from, int32_t *to, char label[12]);

typedef struct cb_series_point {
	const char *label; /* the period */
	int32_t from, to;  /* day numbers, [from, to) */
	int has_value;
	double value;
	const char *reason;  /* when !has_value: why (nil from the plugin, or its error) */
	int failed;          /* the compute failed (reason is the error) */
	int64_t observations; /* of all inputs in the period */
} cb_series_point;

typedef int (*cb_series_fn)(const cb_series_point *pt, void *ctx);

/* Computes KPI `kpi` for `account` per period from `from` to `to` (day
 * numbers, [from, to); both 0: the span of the account's observations of
 * the KPI's inputs). Calls fn for each period in order, including periods
 * without data (has_value 0, reason "no observations"). */
int cb_app_series(cb_workspace *ws, const char *account, const char *kpi, cb_period every,
		  int32_t from, int32_t to, cb_series_fn fn, void *ctx);

#endif
