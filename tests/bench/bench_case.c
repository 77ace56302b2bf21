/*
 * bench_case WORKSPACE DOCS COUNT [SMALL]: submits DOCS/case-00001.md ..
 * DOCS/case-COUNT.md as cases case-00001 .. through the app layer
 * (cb_app_case_submit), one at a time, in one process, on a workspace
 * opened as the command line opens it. It times every submission on its
 * own, which a loop of `casebook case submit` processes cannot do without
 * counting process start-up, and prints on stdout, one "key=value ..."
 * line each:
 *
 *   startup workspace_ms=W git_init_ms=G
 *                                what a process per submission pays before
 *                                it submits: opening the workspace and
 *                                loading the plugins, and libgit2's
 *                                initialisation (each the mean of 20)
 *   window=C ms=M                the median of submissions C-24 .. C+25,
 *                                for C = 100, every 1,000th, and COUNT - 25
 *   ab small=100 small_ms=S big=C big_ms=B
 *                                with SMALL (a second workspace, empty):
 *                                submissions 76 .. 125 into SMALL and the
 *                                last 50 into WORKSPACE, taken in turns,
 *                                one into each, and the median of each
 *
 * The windows draw the curve as the repository grows, but the first and
 * the last are measured a minute apart, and a virtual machine's disk is
 * not the same disk a minute later (ext4 slows file creation for a while
 * after many files were deleted, for one). Taking the two ends in turns
 * puts them under the same conditions: `ab` is the growth figure.
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

/* Submits DOCS/case-NNNNN.md (i) into ws; its time into *secs. */
static int submit_one(cb_workspace *ws, const char *docs, size_t i, double *secs)
{
	char path[4096], slug[32];
	cb_case_written w;
	double t0 = now();
	size_t len;
	char *text;
	int err;

	snprintf(path, sizeof(path), "%s/case-%05zu.md", docs, i);
	snprintf(slug, sizeof(slug), "case-%05zu", i);
	/* Reading the file is part of what `case submit` does. */
	err = cb_app_case_read_file(path, &text, &len);
	if (!err) {
		err = cb_app_case_submit(ws, path, text, len, slug, NULL, 0, &w);
		free(text);
	}
	*secs = now() - t0;
	if (err)
		fprintf(stderr, "bench_case: %s: submission %zu: %s\n", ws->dir, i, cb_error_last());
	return err;
}

/* Opens a workspace as cb_cli_open does: the plugins' limits from the
 * environment; the plugins themselves load on the first submission and
 * stay loaded (the start-up cost a process per submission pays). */
static int open_ws(const char *dir, cb_workspace **ws)
{
	if (cb_workspace_open(dir, 0, ws) < 0 ||
	    cb_app_plugins_limits_from_env(&(*ws)->plugin_options.limits) < 0) {
		fprintf(stderr, "bench_case: %s\n", cb_error_last());
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	enum { SMALL_AT = 100 };
	size_t count, turns;
	cb_workspace *ws = NULL, *small = NULL;
	double *t, ts[2 * HALF];
	int rc = 1;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: bench_case WORKSPACE DOCS COUNT [SMALL]\n");
		return 2;
	}
	count = strtoul(argv[3], NULL, 10);
	if (argc == 5 && count < SMALL_AT + HALF) {
		fprintf(stderr, "bench_case: with SMALL, COUNT must be at least %d\n", SMALL_AT + HALF);
		return 2;
	}
	turns = argc == 5 ? 2 * HALF : 0;
	if (!(t = calloc(count ? count : 1, sizeof(*t))))
		return 1;
	if (startup(argv[1]) < 0 || open_ws(argv[1], &ws) < 0 ||
	    (argc == 5 && open_ws(argv[4], &small) < 0))
		goto done;
	for (size_t i = 1; i + turns <= count; i++)
		if (submit_one(ws, argv[2], i, &t[i - 1]) < 0)
			goto done;
	if (small) {
		double scratch;

		for (size_t i = 1; i <= SMALL_AT - HALF; i++)
			if (submit_one(small, argv[2], i, &scratch) < 0)
				goto done;
		for (size_t k = 0; k < turns; k++)
			if (submit_one(small, argv[2], SMALL_AT - HALF + 1 + k, &ts[k]) < 0 ||
			    submit_one(ws, argv[2], count - turns + 1 + k, &t[count - turns + k]) < 0)
				goto done;
	}
	for (size_t c = 100; c + HALF <= count; c = c < 1000 ? 1000 : c + 1000)
		printf("window=%zu ms=%.3f\n", c, window_ms(t, count, c));
	if (count >= 2 * HALF && count % 1000 != HALF)
		printf("window=%zu ms=%.3f\n", count - HALF, window_ms(t, count, count - HALF));
	if (small)
		printf("ab small=%d small_ms=%.3f big=%zu big_ms=%.3f\n", SMALL_AT,
		       window_ms(ts, 2 * HALF, HALF), count - HALF, window_ms(t, count, count - HALF));
	rc = 0;
done:
	cb_workspace_close(small);
	cb_workspace_close(ws);
	free(t);
	return rc;
}
