/*
 * Use cases for training sessions: recording one with its attendees and the
 * accounts it served, editing, cancelling, and recording attendance. Each
 * checks all of its input, turns keys into ids, and writes in one
 * transaction, so a refused command leaves the workspace as it was.
 */
#ifndef CB_APP_SESSION_H
#define CB_APP_SESSION_H

#include <stddef.h>

#include "app/workspace.h"
#include "store/session.h"

/* A new session as the user gave it. All strings are borrowed. */
typedef struct cb_session_spec {
	const char *key;      /* NULL: made from the program key and start date */
	const char *program;  /* program key */
	const char *title;
	const char *format;   /* in-person, blended or virtual */
	const char *starts_on; /* YYYY-MM-DD */
	const char *ends_on;
	const char *trainer;  /* person key holding the trainer role; NULL: none */
	const char *location; /* optional */
	int has_cost;
	double cost;          /* finite, >= 0 */
	const char *currency; /* three capital letters; required with a cost */
	const char *notes;    /* optional, may span lines */
	const char *const *attendees; /* person keys, no repeats */
	size_t attendee_count;
	const char *const *accounts;  /* account keys, no repeats */
	size_t account_count;
} cb_session_spec;

/* Changes to a session. NULL fields stay as they are; an empty location,
 * currency or notes clears it. All strings are borrowed. */
typedef struct cb_session_changes {
	const char *title;
	const char *format;
	const char *starts_on;
	const char *ends_on;
	const char *trainer;
	const char *location;
	const char *currency;
	const char *notes;
	int cost_change; /* 0: keep; 1: set to `cost`; -1: clear cost and currency */
	double cost;
	const char *const *add_attendees;
	size_t add_attendee_count;
	const char *const *remove_attendees;
	size_t remove_attendee_count;
	const char *const *add_accounts;
	size_t add_account_count;
	const char *const *remove_accounts;
	size_t remove_account_count;
} cb_session_changes;

/* Checks a session's own fields: title, format, dates (end not before
 * start), location, cost and currency, notes, status. Returns 0 or
 * CB_EINVALID naming the field. */
int cb_app_session_validate(const cb_session *x);

/* Checks and records a session with its attendees (status attended) and
 * accounts. Stores the session's key (given or made) in *key; caller frees
 * it with free(). */
int cb_app_session_record(cb_workspace *ws, const cb_session_spec *spec,
			  char **key);

/* Applies `changes` to the session `key`, checked as in record. */
int cb_app_session_edit(cb_workspace *ws, const char *key,
			const cb_session_changes *changes);

/* Marks the session `key` cancelled, with an optional reason. A session
 * already cancelled is CB_EINVALID. */
int cb_app_session_cancel(cb_workspace *ws, const char *key,
			  const char *reason);

/* Adds or updates `person`'s attendance of `session`. In `changes`,
 * person_id, person and name are ignored; a NULL status keeps the current
 * one ("attended" for a new row), and only the scores whose has_* flag is
 * set change. Sets *added (when non-NULL) to whether the row is new. */
int cb_app_session_attend(cb_workspace *ws, const char *session,
			  const char *person, const cb_attendance *changes,
			  int *added);

/* Turns a session list query as the user typed it (each argument may be
 * NULL) into a store filter, checking each part: known program and person,
 * a known format and status, valid dates. Strings in `out` are borrowed
 * from the arguments. */
int cb_app_session_filter(cb_workspace *ws, const char *program,
			  const char *trainer, const char *format,
			  const char *from, const char *to, const char *status,
			  cb_session_filter *out);

#endif
