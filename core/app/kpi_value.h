/*
 * One KPI's value for one account over a range of days, computed by the
 * KPI's plugin from the account's observations of its input measures:
 * what outcome status and the case-study evidence check share.
 */
#ifndef CB_APP_KPI_VALUE_H
#define CB_APP_KPI_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include "app/workspace.h"

/* The value of KPI `k` (from `host`) for account `account_id` (key
 * `account`, given to the plugin) over days [from, to): one plugin call.
 * Returns NaN when there is none, with why (the plugin's reason or the
 * error) written into why[0..whylen); why is left alone otherwise. */
double cb_app_kpi_over(cb_workspace *ws, cb_plugin_host *host, const cb_kpi_def *k,
		       int64_t account_id, const char *account, int32_t from, int32_t to, char *why,
		       size_t whylen);

/* A KPI measured over a window, with the uncertainty of the window's own
 * observations. */
typedef struct cb_kpi_measured {
	double value;        /* NaN: no value (why says) */
	double low, high;    /* its interval; NaN without one */
	size_t observations; /* of all the KPI's inputs in the window */
	size_t times;        /* distinct observation times among them */
} cb_kpi_measured;

/* Resamples for the interval of cb_app_kpi_measure, and its seed: the same
 * window gives the same interval. */
#define CB_KPI_RESAMPLES 1000
#define CB_KPI_SEED UINT64_C(20261202)

/* KPI `k` for an account over days [from, to), as cb_app_kpi_over, and
 * with `level` > 0 its percentile interval at that level from resampling
 * the window's observation times with replacement (every observation of
 * every input at a drawn time comes along, so values recorded together
 * stay together), the KPI recomputed by its plugin for each of
 * CB_KPI_RESAMPLES resamples (Efron & Tibshirani, "An Introduction to the
 * Bootstrap", 1993, ch. 13). No interval when fewer than half the
 * resamples give a value. Returns 0 (a missing value is not an error:
 * out->value is NaN and why says why) or an error code. */
int cb_app_kpi_measure(cb_workspace *ws, cb_plugin_host *host, const cb_kpi_def *k,
		       int64_t account_id, const char *account, int32_t from, int32_t to,
		       double level, cb_kpi_measured *out, char *why, size_t whylen);

#endif
