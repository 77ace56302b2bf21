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

#endif
