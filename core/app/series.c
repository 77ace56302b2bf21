/* KPI series: read each input once, then slice it per period. */
#include "app/series.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/error.h"
#include "store/account.h"
#include "store/observation.h"

int cb_period_parse(const char *text, cb_period *out)
{
	if (strcmp(text, "week") == 0)
		*out = CB_PERIOD_WEEK;
	else if (strcmp(text, "month") == 0)
		*out = CB_PERIOD_MONTH;
	else if (strcmp(text, "quarter") == 0)
		*out = CB_PERIOD_QUARTER;
	else
		return cb_error_set(CB_EINVALID, "unknown period '%.40s': use week, month or quarter",
				    text);
	return 0;
}

void cb_period_of(cb_period p, int32_t day, int32_t *from, int32_t *to, char label[12])
{
	int y, m, d;

	if (p == CB_PERIOD_WEEK) {
		/* 1970-01-01 was a Thursday: Monday-based weekday = (day + 3) % 7. */
		int32_t wd = ((day + 3) % 7 + 7) % 7;
		int32_t thursday;
		int ty, tm, td;

		*from = day - wd;
		*to = *from + 7;
		/* ISO week-numbering year: the year of the week's Thursday. */
		thursday = *from + 3;
		cb_date_to_civil(thursday, &ty, &tm, &td);
		snprintf(label, 12, "%04d-W%02d", ty,
			 (int)((thursday - cb_date_from_civil(ty, 1, 1)) / 7 + 1));
		return;
	}
	cb_date_to_civil(day, &y, &m, &d);
	if (p == CB_PERIOD_MONTH) {
		*from = cb_date_from_civil(y, m, 1);
		*to = m == 12 ? cb_date_from_civil(y + 1, 1, 1) : cb_date_from_civil(y, m + 1, 1);
		snprintf(label, 12, "%04d-%02d", y, m);
	} else {
		int q = (m - 1) / 3;

		*from = cb_date_from_civil(y, q * 3 + 1, 1);
		*to = q == 3 ? cb_date_from_civil(y + 1, 1, 1) : cb_date_from_civil(y, q * 3 + 4, 1);
		snprintf(label, 12, "%04d-Q%d", y, q + 1);
	}
}

/* First index in times[0..n) at or after t. */
static size_t lower_bound(const int64_t *times, size_t n, int64_t t)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (times[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int64_t floor_day(int64_t t)
{
	return t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
}

int cb_app_series(cb_workspace *ws, const char *account, const char *kpi_key, cb_period every,
		  int32_t from, int32_t to, cb_series_fn fn, void *ctx)
{
	cb_plugin_host *host;
	const cb_kpi_def *kpi;
	cb_series_buf *bufs = NULL;
	cb_series *views = NULL;
	int64_t account_id;
	size_t n;
	int rc;

	if ((rc = cb_workspace_plugins(ws, &host)) < 0)
		return rc;
	kpi = cb_plugin_kpi_find(host, kpi_key);
	if (!kpi)
		return cb_error_set(CB_ENOTFOUND, "unknown KPI '%s' ('casebook kpi list' shows them)",
				    kpi_key);
	if (kpi->disabled)
		return cb_error_set(CB_EINVALID, "%s", kpi->disabled_reason);
	if ((rc = cb_store_account_id(ws->store, account, &account_id)) < 0)
		return rc;
	n = kpi->ninputs;
	bufs = calloc(n, sizeof(*bufs));
	views = calloc(n, sizeof(*views));
	if (!bufs || !views) {
		rc = cb_error_set(CB_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		int64_t measure_id;

		rc = cb_store_measure_id(ws->store, kpi->inputs[i], 0, &measure_id);
		if (rc == CB_ENOTFOUND)
			continue; /* never observed: an empty series */
		if (rc < 0)
			goto done;
		if ((rc = cb_store_observation_series(ws->store, measure_id, account_id,
						      from || to ? (int64_t)from * 86400 : INT64_MIN,
						      from || to ? (int64_t)to * 86400 : INT64_MAX,
						      &bufs[i])) < 0)
			goto done;
	}
	rc = 0;
	if (!from && !to) {
		int any = 0;
		int64_t lo = 0, hi = 0;

		for (size_t i = 0; i < n; i++) {
			if (!bufs[i].n)
				continue;
			if (!any || bufs[i].times[0] < lo)
				lo = bufs[i].times[0];
			if (!any || bufs[i].times[bufs[i].n - 1] > hi)
				hi = bufs[i].times[bufs[i].n - 1];
			any = 1;
		}
		if (!any)
			goto done; /* nothing observed: no periods */
		from = (int32_t)floor_day(lo);
		to = (int32_t)floor_day(hi) + 1;
	}
	for (int32_t day = from; day < to && rc == 0;) {
		cb_series_point pt = {0};
		int32_t pfrom, pto;
		char label[12];
		char *reason = NULL;

		cb_period_of(every, day, &pfrom, &pto, label);
		pt.label = label;
		pt.from = pfrom;
		pt.to = pto;
		for (size_t i = 0; i < n; i++) {
			size_t a = lower_bound(bufs[i].times, bufs[i].n, (int64_t)pfrom * 86400);
			size_t b = lower_bound(bufs[i].times, bufs[i].n, (int64_t)pto * 86400);

			views[i] = (cb_series){bufs[i].values + a, bufs[i].times + a, b - a};
			pt.observations += (int64_t)(b - a);
		}
		if (pt.observations == 0) {
			pt.reason = "no observations";
		} else {
			char wfrom[CB_DATE_LEN], wto[CB_DATE_LEN];
			cb_window w = {account, wfrom, wto, views};
			int crc;

			cb_date_format(pfrom, wfrom);
			cb_date_format(pto, wto);
			crc = cb_plugin_kpi_compute(host, kpi, &w, &pt.value, &reason);
			if (crc == 0) {
				pt.has_value = 1;
			} else if (crc == 1) {
				pt.reason = reason;
			} else {
				pt.failed = 1;
				pt.reason = cb_error_last();
			}
		}
		rc = fn(&pt, ctx);
		free(reason);
		day = pto;
	}
done:
	for (size_t i = 0; bufs && i < n; i++)
		cb_series_buf_free(&bufs[i]);
	free(bufs);
	free(views);
	return rc;
}
