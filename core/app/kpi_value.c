/* A KPI over a range of days for one account, through its plugin. */
#include "app/kpi_value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "analysis/random.h"
#include "analysis/stats.h"
#include "base/date.h"
#include "base/error.h"
#include "store/observation.h"

#define INPUTS_MAX 32 /* input measures of one KPI read here */

static int cmp_time(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The sorted distinct times of the inputs' observations, into out (room
 * for all of them); returns how many. */
static size_t distinct_times(const cb_series *views, size_t n, int64_t *out)
{
	size_t m = 0, k = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < views[i].n; j++)
			out[m++] = views[i].times[j];
	if (m > 1)
		qsort(out, m, sizeof(*out), cmp_time);
	for (size_t i = 0; i < m; i++)
		if (k == 0 || out[k - 1] != out[i])
			out[k++] = out[i];
	return k;
}

static int compute(cb_plugin_host *host, const cb_kpi_def *k, const char *account, const char *f,
		   const char *t, const cb_series *views, double *v, char *why, size_t whylen)
{
	cb_window w = {account, f, t, views};
	char *reason = NULL;
	int rc = cb_plugin_kpi_compute(host, k, &w, v, &reason);

	if (rc == 1 && why)
		snprintf(why, whylen, "%s", reason);
	else if (rc < 0 && why)
		snprintf(why, whylen, "%s", cb_error_last());
	free(reason);
	if (rc != 0)
		*v = NAN;
	return rc;
}

int cb_app_kpi_measure(cb_workspace *ws, cb_plugin_host *host, const cb_kpi_def *k,
		       int64_t account_id, const char *account, int32_t from, int32_t to,
		       double level, cb_kpi_measured *out, char *why, size_t whylen)
{
	cb_series_buf bufs[INPUTS_MAX] = {{0}}, draws[INPUTS_MAX] = {{0}};
	cb_series views[INPUTS_MAX];
	char f[CB_DATE_LEN], t[CB_DATE_LEN];
	int64_t *times = NULL;
	size_t *count = NULL, *start = NULL;
	double *stat = NULL;
	size_t n = k->ninputs < INPUTS_MAX ? k->ninputs : INPUTS_MAX, total = 0;
	int rc = 0;

	*out = (cb_kpi_measured){NAN, NAN, NAN, 0, 0};
	cb_date_format(from, f);
	cb_date_format(to, t);
	for (size_t i = 0; i < n && rc == 0; i++) {
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
		total += bufs[i].n;
	}
	if (rc < 0) {
		snprintf(why, whylen, "%s", cb_error_last());
		goto done;
	}
	out->observations = total;
	rc = compute(host, k, account, f, t, views, &out->value, why, whylen);
	if (rc != 0 || !(level > 0.0 && level < 1.0) || total == 0) {
		rc = rc == 1 ? 0 : rc;
		goto done;
	}
	times = malloc(total * sizeof(*times));
	/* count: how often each distinct time is drawn; start: per input, where
	 * its observations at each distinct time begin (n rows of times + 1). */
	count = malloc(total * sizeof(*count));
	start = malloc(n * (total + 1) * sizeof(*start));
	stat = malloc(CB_KPI_RESAMPLES * sizeof(*stat));
	if (!times || !count || !start || !stat) {
		rc = cb_error_set(CB_ENOMEM, "out of memory");
		goto done;
	}
	out->times = distinct_times(views, n, times);
	for (size_t i = 0; i < n; i++) {
		size_t *si = start + i * (out->times + 1), at = 0;

		for (size_t j = 0; j < out->times; j++) {
			while (at < views[i].n && views[i].times[at] < times[j])
				at++;
			si[j] = at;
		}
		si[out->times] = views[i].n;
	}
	{
		cb_analysis_rng r;
		size_t got = 0;

		cb_analysis_rng_seed(&r, CB_KPI_SEED);
		for (size_t b = 0; b < CB_KPI_RESAMPLES; b++) {
			cb_series rs[INPUTS_MAX];
			double v;

			/* The times drawn, in order: counted, not sorted. */
			for (size_t j = 0; j < out->times; j++)
				count[j] = 0;
			for (size_t j = 0; j < out->times; j++)
				count[cb_analysis_rng_below(&r, out->times)]++;
			/* Every observation of every input at each drawn time, as
			 * often as it was drawn. */
			for (size_t i = 0; i < n && rc == 0; i++) {
				const size_t *si = start + i * (out->times + 1);

				draws[i].n = 0;
				for (size_t j = 0; j < out->times && rc == 0; j++)
					for (size_t c = 0; c < count[j] && rc == 0; c++)
						for (size_t q = si[j]; q < si[j + 1] && rc == 0; q++)
							rc = cb_series_buf_push(&draws[i], views[i].times[q],
										views[i].values[q]);
				rs[i] = (cb_series){draws[i].values, draws[i].times, draws[i].n};
			}
			if (rc < 0)
				goto done;
			if (compute(host, k, account, f, t, rs, &v, NULL, 0) < 0) {
				/* an error in a resample is an error of the plugin */
				rc = CB_EINVALID;
				snprintf(why, whylen, "%s", cb_error_last());
				goto done;
			}
			if (isfinite(v))
				stat[got++] = v;
		}
		rc = 0;
		if (got * 2 >= CB_KPI_RESAMPLES) {
			cb_analysis_sort(stat, got);
			out->low = cb_analysis_quantile_sorted(stat, got, (1.0 - level) / 2.0);
			out->high = cb_analysis_quantile_sorted(stat, got, (1.0 + level) / 2.0);
		}
	}
done:
	free(times);
	free(count);
	free(start);
	free(stat);
	for (size_t i = 0; i < n; i++) {
		cb_series_buf_free(&bufs[i]);
		cb_series_buf_free(&draws[i]);
	}
	return rc;
}

double cb_app_kpi_over(cb_workspace *ws, cb_plugin_host *host, const cb_kpi_def *k,
		       int64_t account_id, const char *account, int32_t from, int32_t to, char *why,
		       size_t whylen)
{
	cb_kpi_measured m;

	if (cb_app_kpi_measure(ws, host, k, account_id, account, from, to, 0.0, &m, why, whylen) < 0)
		return NAN;
	return m.value;
}
