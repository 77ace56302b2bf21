/*
 * What the xAPI export reads: every attendance of a session that was not
 * cancelled, with its session, program, trainer and person in one row, and,
 * when the workspace has case-study tables, their submission and approval
 * events. Rows are borrowed for the callback's duration only.
 */
#ifndef CB_STORE_XAPI_H
#define CB_STORE_XAPI_H

#include <stdint.h>

#include "store/store.h"

/* One attendance row with everything a statement about it needs. Strings
 * are borrowed for the call; the optional ones are NULL when unset. */
typedef struct cb_xapi_attendance {
	const char *session, *title, *format; /* session key, title, format */
	const char *starts_on, *ends_on;      /* YYYY-MM-DD */
	const char *location;                 /* optional */
	const char *program, *program_name;   /* program key and name */
	const char *program_description;      /* optional */
	const char *trainer, *trainer_name;   /* optional: no trainer */
	const char *trainer_email;            /* optional */
	const char *person, *name, *email;    /* the attendee; email optional */
	const char *status;                   /* attended, absent or partial */
	int has_reaction, reaction;           /* Kirkpatrick level 1: 1..5 */
	int has_pre, has_post;                /* Kirkpatrick level 2: 0..100 */
	double pre_score, post_score;
} cb_xapi_attendance;

typedef int (*cb_xapi_attendance_fn)(const cb_xapi_attendance *a, void *ctx);

/* Calls fn for each attendance of a session that is not cancelled and ends
 * on or after `since_on` (YYYY-MM-DD; NULL: all), ordered by the session's
 * last day, session key and person key. Stops at the first non-zero
 * return, which it returns. */
int cb_store_xapi_attendance_each(cb_store *s, const char *since_on,
				  cb_xapi_attendance_fn fn, void *ctx);

/* One case-study event: a submission (by its author) or an approval (by
 * its reviewer). Strings borrowed for the call. */
typedef struct cb_xapi_case_event {
	const char *verb;                 /* "submitted" or "approved" */
	const char *slug;                 /* the case */
	const char *title;                /* optional */
	const char *person, *name, *email; /* the actor; email optional */
	int64_t at;                       /* Unix seconds, UTC */
} cb_xapi_case_event;

typedef int (*cb_xapi_case_fn)(const cb_xapi_case_event *e, void *ctx);

/* Calls fn for each case-study event at or after `since` (Unix seconds):
 * a submission for each case (at its first submission), an approval for
 * each review decision "approved". Order: by time, slug, verb. Stops at
 * the first non-zero return of fn, which it returns. */
int cb_store_xapi_case_each(cb_store *s, int64_t since, cb_xapi_case_fn fn, void *ctx);

#endif
