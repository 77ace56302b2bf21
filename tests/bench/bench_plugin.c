/*
 * Plugin benchmark: what one Lua call per window costs, and how fast the
 * series helpers run, each against a plain C loop over the same data in the
 * same run. Figures are ratios, so they hold from machine to machine.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "plugin/host.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const char plugin[] =
	"casebook.api(1)\n"
	"casebook.measure{key='b.answer', unit='score', min=0, max=10, integer=true, doc='d'}\n"
	"casebook.kpi{key='b_nps', name='NPS', unit='points', better='higher', doc='d',\n"
	"  inputs={'b.answer'}, compute=function(w)\n"
	"    local s = w['b.answer']\n"
	"    return 100 * (s:count_ge(9) - s:count_le(6)) / #s end}\n"
	"casebook.kpi{key='b_mean', name='Mean', unit='score', better='higher', doc='d',\n"
	"  inputs={'b.answer'}, compute=function(w) return w['b.answer']:mean() end}\n";

/* The same NPS as plain C, the baseline. */
static double c_nps(const double *v, size_t n)
{
	size_t pro = 0, det = 0;

	for (size_t i = 0; i < n; i++) {
		pro += v[i] >= 9;
		det += v[i] <= 6;
	}
	return 100.0 * ((double)pro - (double)det) / (double)n;
}

static double c_mean(const double *v, size_t n)
{
	double sum = 0, c = 0;

	for (size_t i = 0; i < n; i++) {
		double t = sum + v[i];

		c += fabs(sum) >= fabs(v[i]) ? (sum - t) + v[i] : (v[i] - t) + sum;
		sum = t;
	}
	return (sum + c) / (double)n;
}

int main(int argc, char **argv)
{
	size_t windows = argc > 1 ? strtoul(argv[1], NULL, 10) : 200000;
	size_t big = 1000000, reps = 50, per_window = 12;
	char path[] = "/tmp/bench-plugin-XXXXXX.lua";
	cb_plugin_host *h;
	double *values, t0, lua_s, c_s, sink = 0, out;
	char *reason = NULL;
	FILE *f;
	int fd;

	fd = mkstemps(path, 4);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f || fputs(plugin, f) < 0 || fclose(f) != 0)
		return 1;
	if (cb_plugin_host_new(NULL, &h) < 0 || cb_plugin_host_load_file(h, path) < 0) {
		fprintf(stderr, "bench: %s\n", cb_error_last());
		return 1;
	}
	remove(path);
	cb_plugin_host_finish(h);
	values = malloc(big * sizeof(double));
	srand(42);
	for (size_t i = 0; i < big; i++)
		values[i] = (double)(rand() % 11);

	/* 1. Per-window overhead: many small windows. */
	{
		const cb_kpi_def *k = cb_plugin_kpi_find(h, "b_nps");

		t0 = now();
		for (size_t w = 0; w < windows; w++) {
			cb_series s = {values + (w * per_window) % (big - per_window), NULL, per_window};
			cb_window win = {"acct", NULL, NULL, &s};

			if (cb_plugin_kpi_compute(h, k, &win, &out, &reason) != 0)
				return 1;
			sink += out;
		}
		lua_s = now() - t0;
		t0 = now();
		for (size_t w = 0; w < windows; w++)
			sink += c_nps(values + (w * per_window) % (big - per_window), per_window);
		c_s = now() - t0;
		printf("plugin.window: %zu windows of %zu values: Lua %.3f us/window, plain C %.3f us/window, "
		       "ratio %.1fx (overhead %.3f us per Lua call)\n",
		       windows, per_window, lua_s / (double)windows * 1e6, c_s / (double)windows * 1e6,
		       lua_s / c_s, (lua_s - c_s) / (double)windows * 1e6);
	}

	/* 2. Helper throughput: one window of a million values. */
	{
		const cb_kpi_def *k = cb_plugin_kpi_find(h, "b_mean");
		cb_series s = {values, NULL, big};
		cb_window win = {"acct", NULL, NULL, &s};

		t0 = now();
		for (size_t r = 0; r < reps; r++) {
			if (cb_plugin_kpi_compute(h, k, &win, &out, &reason) != 0)
				return 1;
			sink += out;
		}
		lua_s = now() - t0;
		t0 = now();
		for (size_t r = 0; r < reps; r++)
			sink += c_mean(values, big);
		c_s = now() - t0;
		printf("plugin.helpers: s:mean() over %zu values: %.0f M values/s; plain C loop %.0f M values/s; "
		       "ratio %.2f (time, Lua helper / C)\n",
		       big, (double)(big * reps) / lua_s / 1e6, (double)(big * reps) / c_s / 1e6,
		       lua_s / c_s);
	}
	fprintf(stderr, "(checksum %g)\n", sink);
	free(values);
	cb_plugin_host_free(h);
	return 0;
}
