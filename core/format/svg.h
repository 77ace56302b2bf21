/*
 * Charts as inline SVG, small enough to read: an interval chart (rows of a
 * dot, an optional start dot that makes it a dumbbell, and a whisker), a
 * line chart over time with shaded bands, and an event-study chart (a dot
 * and a whisker per window before and after an event). Labels are real <text>, every
 * mark has a <title> tooltip, and the numbers a chart shows next to its
 * marks are the caller's text: the caller decides their rounding. Only the
 * axes' tick labels are formatted here. Nothing here knows Casebook's
 * records; everything appends to a cb_buf.
 */
#ifndef CB_FORMAT_SVG_H
#define CB_FORMAT_SVG_H

#include <stddef.h>

#include "base/buf.h"

/* The colours of marks. */
typedef enum cb_svg_tone {
	CB_SVG_PRIMARY = 0, /* blue: the exposed group */
	CB_SVG_MUTED = 1,   /* grey: the control group */
	CB_SVG_STRONG = 2   /* near black: an effect */
} cb_svg_tone;

/* One row of an interval chart. NaN means "none" for every number. */
typedef struct cb_svg_row {
	const char *label;   /* left of the plot */
	double start;        /* a hollow dot joined to `value` by a line (a dumbbell) */
	double value;        /* a filled dot */
	double low, high;    /* a whisker with caps */
	const char *note;    /* right of the plot (e.g. "50.12 -> 58.20"); may be NULL */
	const char *tooltip; /* the row's <title>; may be NULL */
	cb_svg_tone tone;
} cb_svg_row;

typedef struct cb_svg_rows {
	const char *title;     /* the chart's accessible name (its first <title>) */
	const char *axis;      /* the caption under the axis (e.g. the unit); may be NULL */
	const char *css_class; /* the <svg>'s class; may be NULL */
	const cb_svg_row *rows;
	size_t nrows;
	const char *legend[3]; /* labels for the start dot, the dot and the whisker;
				* NULL entries (or all) are left out */
	int zero_line;   /* include 0 in the axis and draw a line there */
	int from_zero;   /* start the axis at 0 when no value is negative */
	int width;       /* px; 0: 640 */
	int label_width; /* px for the labels; 0: from the longest label */
	int note_width;  /* px for the notes; 0: from the longest note */
} cb_svg_rows;

/* Appends a complete <svg> element drawing `c`. Returns 0 or CB_ENOMEM. */
int cb_svg_rows_chart(cb_buf *b, const cb_svg_rows *c);

/* A point of a line chart: x in any linear unit (e.g. day numbers). */
typedef struct cb_svg_point {
	double x;
	double y;            /* NaN: no value (the line breaks) */
	const char *label;   /* the x axis label at this point; may be NULL */
	const char *tooltip; /* the dot's <title>; may be NULL */
} cb_svg_point;

typedef enum cb_svg_band_kind {
	CB_SVG_BAND_EVENT = 0, /* amber, strong: e.g. a training session */
	CB_SVG_BAND_WINDOW = 1 /* blue, faint: e.g. a measuring window */
} cb_svg_band_kind;

/* A stretch of x shaded over the whole plot height, labelled at its top. */
typedef struct cb_svg_band {
	double from, to;     /* from <= to, in the points' unit */
	const char *label;   /* short text above the band; may be NULL */
	const char *tooltip; /* the band's <title>; may be NULL */
	cb_svg_band_kind kind;
} cb_svg_band;

typedef struct cb_svg_lines {
	const char *title;     /* accessible name */
	const char *y_axis;    /* caption of the y axis (the unit); may be NULL */
	const char *css_class; /* may be NULL */
	const cb_svg_point *points; /* by x, ascending */
	size_t npoints;
	const cb_svg_band *bands;
	size_t nbands;
	int from_zero;      /* start the y axis at 0 when no value is negative */
	int width, height;  /* px; 0: 340 x 200 */
	size_t label_every; /* label every Nth point's x; 0: as many as fit */
} cb_svg_lines;

/* Appends a complete <svg> element drawing `c`. Returns 0 or CB_ENOMEM. */
int cb_svg_line_chart(cb_buf *b, const cb_svg_lines *c);

/* One window of an event-study chart: a dot with a vertical whisker at its
 * place on the x axis. NaN means "none" for every number. */
typedef struct cb_svg_event {
	const char *label;   /* under the axis ("-3", "0", ...) */
	double value;
	double low, high;    /* the whisker */
	int before;          /* before the event: shaded, in the muted colour */
	int reference;       /* the reference window: a hollow dot */
	const char *tooltip; /* the window's <title>; may be NULL */
} cb_svg_event;

typedef struct cb_svg_events {
	const char *title;     /* accessible name */
	const char *y_axis;    /* caption of the y axis (the unit); may be NULL */
	const char *x_axis;    /* caption under the x axis; may be NULL */
	const char *css_class; /* may be NULL */
	const char *before;    /* label over the shaded windows; may be NULL */
	const char *divider;   /* label of the line after them (the event); may be NULL */
	const cb_svg_event *events; /* in x order, the `before` ones first */
	size_t nevents;
	int width, height;     /* px; 0: 440 x 230 */
} cb_svg_events;

/* Appends a complete <svg> element drawing `c`: windows evenly spaced on
 * x, a line at 0, the windows before the event shaded. Returns 0 or
 * CB_ENOMEM. */
int cb_svg_event_chart(cb_buf *b, const cb_svg_events *c);

#endif
