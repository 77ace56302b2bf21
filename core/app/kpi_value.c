/* A KPI over a range of days for one account, through its plugin. */
#include "app/kpi_value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/date.h"
#include "base/error.h"
#include "store/observation.h"

#define INPUTS_MAX 32 /* input measures of one KPI read here */

double cb_app_kpi_over(cb_workspace *ws, cb_plugin_host *host, const cb_kpi_def *k,
		       int64_t account_id, const char *account, int32_t from, int32_t to, char *why,
		       size_t whylen)
{
	cb_series_buf bufs[INPUTS_MAX] = {{0}};
	cb_series views[INPUTS_MAX];
	char f[CB_DATE_LEN], t[CB_DATE_LEN];
	char *reason = NULL;
	double v = NAN;
	int rc = 0;

	for (size_t i = 0; i < k->ninputs && i < INPUTS_MAX && rc == 0; i++) {
		int64_t mid;

		rc = cb_store_measure_id(ws->store, k->inputs[i], 0, &mid);
		if (rc == CB_ENOTFOUND) {
			/* never observed: an empty series */
			rc = 0;
			views[i] = (cb_series){NULL, NULL, 0};
			continue;
		}
		if (rc == 0)
			rc = cb_store_observation_series(ws->store, mid, account_id, (int64_t)from * 86400,
							 (int64_t)to * 86400, &bufs[i]);
		views[i] = (cb_series){bufs[i].values, bufs[i].times, bufs[i].n};
	}
	if (rc == 0) {
		cb_window w = {account, f, t, views};

		cb_date_format(from, f);
		cb_date_format(to, t);
		rc = cb_plugin_kpi_compute(host, k, &w, &v, &reason);
		if (rc == 1)
			snprintf(why, whylen, "%s", reason);
		else if (rc < 0)
			snprintf(why, whylen, "%s", cb_error_last());
		if (rc != 0)
			v = NAN;
	} else {
		snprintf(why, whylen, "%s", cb_error_last());
	}
	free(reason);
	for (size_t i = 0; i < k->ninputs && i < INPUTS_MAX; i++)
		cb_series_buf_free(&bufs[i]);
	return v;
}
