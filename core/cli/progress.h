/*
 * A progress bar on stderr for long work: drawn only when stderr is a
 * terminal, only once the work has taken more than a moment, at most ten
 * times a second, and erased when done. Nothing at all otherwise, so logs
 * and pipes stay clean.
 */
#ifndef CB_CLI_PROGRESS_H
#define CB_CLI_PROGRESS_H

#include <stdint.h>

typedef struct cb_progress {
	const char *label;
	int enabled;        /* stderr is a terminal and TERM is not dumb */
	int drawn;          /* something is on the line */
	double started, last;
} cb_progress;

void cb_progress_start(cb_progress *p, const char *label);

/* Reports `done` of `total` units (total 0: unknown; shows `done` alone).
 * `unit` names them ("MB", "rows"). */
void cb_progress_update(cb_progress *p, double done, double total, const char *unit);

/* Erases the bar. */
void cb_progress_finish(cb_progress *p);

#endif
