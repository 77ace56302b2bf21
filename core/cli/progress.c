/* The progress bar: plain ANSI, width from the terminal. */
#include "cli/progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define PROGRESS_DELAY 0.5    /* seconds of work before a bar appears */
#define PROGRESS_INTERVAL 0.1 /* seconds between redraws */

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void cb_progress_start(cb_progress *p, const char *label)
{
	const char *term = getenv("TERM");

	memset(p, 0, sizeof(*p));
	p->label = label;
	p->enabled = isatty(2) && !(term && strcmp(term, "dumb") == 0);
	p->started = p->last = seconds();
}

void cb_progress_update(cb_progress *p, double done, double total, const char *unit)
{
	struct winsize ws;
	int width = 80, bar;
	double now;

	if (!p->enabled)
		return;
	now = seconds();
	if (now - p->started < PROGRESS_DELAY || now - p->last < PROGRESS_INTERVAL)
		return;
	p->last = now;
	if (ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
		width = ws.ws_col;
	if (total > 0) {
		double frac = done / total > 1 ? 1 : done / total;
		char bars[256];
		int fill;

		bar = width - (int)strlen(p->label) - 30;
		if (bar > 200)
			bar = 200;
		if (bar < 10)
			bar = 10;
		fill = (int)(frac * bar);
		memset(bars, '#', (size_t)fill);
		memset(bars + fill, '.', (size_t)(bar - fill));
		bars[bar] = '\0';
		fprintf(stderr, "\r\033[K%s [%s] %3.0f%% %.0f/%.0f %s", p->label, bars, frac * 100,
			done, total, unit);
	} else {
		fprintf(stderr, "\r\033[K%s %.0f %s", p->label, done, unit);
	}
	fflush(stderr);
	p->drawn = 1;
}

void cb_progress_finish(cb_progress *p)
{
	if (p->drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	p->drawn = 0;
}
