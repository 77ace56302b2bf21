/*
 * bench_case WORKSPACE DOCS COUNT [FIRST [FROM]]: submits DOCS/case-00001.md
 * .. DOCS/case-COUNT.md as cases case-00001 .. through the app layer
 * (cb_app_case_submit), in one process, on a workspace opened as the
 * command line opens it. It times every submission on its own, which a
 * loop of `casebook case submit` processes cannot do without counting
 * process start-up, and prints on stdout, one "key=value ..." line each:
 *
 *   startup workspace_ms=W git_init_ms=G
 *                                what a process per submission pays before
 *                                it submits: opening the workspace and
 *                                loading the plugins, and libgit2's
 *                                initialisation (each the mean of 20)
 *   first=N seconds=S            the first FIRST (1000) submissions together
 *   window=C ms=M                the median of submissions C-24 .. C+25,
 *                                for C = 100, every 1,000th, and COUNT - 25
 *
 * so that scripts/bench can set the first figure against the git CLI and
 * the windows against each other (the cost as the repository grows).
 * FROM (1) starts at a later file, on a workspace that already holds the
 * cases before it, to profile submissions into a big repository; figures
 * are printed only for what this run measured.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <git2.h>

#include "app/case.h"
#include "app/plugins.h"
#include "app/workspace.h"
#include "base/error.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The typical time of the submissions around the c-th (1-based), in
 * milliseconds: the median of c-HALF+1 .. c+HALF. A median, not a mean:
 * the disk under a virtual machine stalls now and then for a few
 * milliseconds, and one stall in a window would decide a mean. */
#define HALF 25

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double window_ms(const double *t, size_t count, size_t c)
{
	double w[2 * HALF];

	if (c < HALF || c + HALF > count)
		return -1;
	memcpy(w, t + c - HALF, sizeof(w));
	qsort(w, 2 * HALF, sizeof(w[0]), cmp_double);
	return (w[HALF - 1] + w[HALF]) / 2 * 1e3;
}

/* The fixed costs of a `casebook case submit` process beyond exec and
 * linking (which `casebook --version` shows): the workspace and its
 * plugins, and libgit2's global initialisation, which cb_repo_open does
 * when no repository is open (and cb_repo_close undoes with the last). */
static int startup(const char *dir)
{
	double t0, ws_s, git_s;
	int reps = 20;

	t0 = now();
	for (int i = 0; i < reps; i++) {
		cb_plugin_host *host;
		cb_workspace *ws;

		if (cb_workspace_open(dir, 0, &ws) < 0 ||
		    cb_app_plugins_limits_from_env(&ws->plugin_options.limits) < 0 ||
		    cb_workspace_plugins(ws, &host) < 0) {
			fprintf(stderr, "bench_case: %s\n", cb_error_last());
			cb_workspace_close(ws);
			return -1;
		}
		cb_workspace_close(ws);
	}
	ws_s = now() - t0;
	t0 = now();
	for (int i = 0; i < reps; i++) {
		git_libgit2_init();
		git_libgit2_shutdown();
	}
	git_s = now() - t0;
	printf("startup workspace_ms=%.3f git_init_ms=%.3f\n", ws_s / reps * 1e3, git_s / reps * 1e3);
	return 0;
}

int main(int argc, char **argv)
{
	size_t count, first, from;
	cb_workspace *ws = NULL;
	double *t, t0;
	int rc = 1;

	if (argc < 4) {
		fprintf(stderr, "usage: bench_case WORKSPACE DOCS COUNT [FIRST [FROM]]\n");
		return 2;
	}
	count = strtoul(argv[3], NULL, 10);
	first = argc > 4 ? strtoul(argv[4], NULL, 10) : 1000;
	from = argc > 5 ? strtoul(argv[5], NULL, 10) : 1;
	if (first > count)
		first = count;
	if (from < 1)
		from = 1;
	if (!(t = calloc(count ? count : 1, sizeof(*t))))
		return 1;
	if (from == 1 && startup(argv[1]) < 0)
		goto done;
	/* As cb_cli_open does: the plugins' limits from the environment; the
	 * plugins themselves load on the first submission and stay loaded,
	 * which is the start-up cost a process per submission pays each time. */
	if (cb_workspace_open(argv[1], 0, &ws) < 0 ||
	    cb_app_plugins_limits_from_env(&ws->plugin_options.limits) < 0) {
		fprintf(stderr, "bench_case: %s\n", cb_error_last());
		goto done;
	}
	for (size_t i = from; i <= count; i++) {
		char path[4096], slug[32];
		cb_case_written w;
		size_t len;
		char *text;
		int err;

		snprintf(path, sizeof(path), "%s/case-%05zu.md", argv[2], i);
		snprintf(slug, sizeof(slug), "case-%05zu", i);
		/* Reading the file is part of what `case submit` does. */
		t0 = now();
		err = cb_app_case_read_file(path, &text, &len);
		if (!err) {
			err = cb_app_case_submit(ws, path, text, len, slug, NULL, &w);
			free(text);
		}
		t[i - 1] = now() - t0;
		if (err) {
			fprintf(stderr, "bench_case: submission %zu: %s\n", i, cb_error_last());
			goto done;
		}
	}
	if (from == 1) {
		double sum = 0;

		for (size_t i = 0; i < first; i++)
			sum += t[i];
		printf("first=%zu seconds=%.3f\n", first, sum);
	}
	for (size_t c = 100; c + HALF <= count; c = c < 1000 ? 1000 : c + 1000)
		if (c >= from + HALF - 1)
			printf("window=%zu ms=%.3f\n", c, window_ms(t, count, c));
	if (count >= from + 2 * HALF - 1 && count % 1000 != HALF)
		printf("window=%zu ms=%.3f\n", count - HALF, window_ms(t, count, count - HALF));
	rc = 0;
done:
	cb_workspace_close(ws);
	free(t);
	return rc;
}
