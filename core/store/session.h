/*
 * Training sessions in the store: the session rows (session.c), who attended
 * them and the accounts each session served (attendance.c). Everything here
 * works on ids; the app layer turns the keys users type into ids.
 */
#ifndef CB_STORE_SESSION_H
#define CB_STORE_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "store/account.h"
#include "store/store.h"

typedef struct cb_session {
	int64_t id;
	char *key;          /* e.g. "tco-2025-03-04" */
	int64_t program_id;
	char *program;      /* program key; filled by reads */
	char *program_name; /* filled by reads */
	char *title;
	char *format;       /* "in-person", "blended" or "virtual" */
	char *starts_on;    /* YYYY-MM-DD */
	char *ends_on;      /* YYYY-MM-DD, not before starts_on */
	int64_t trainer_id; /* 0 when none */
	char *trainer;      /* trainer's person key; filled by reads */
	char *trainer_name; /* filled by reads */
	char *location;     /* optional */
	int has_cost;       /* whether `cost` holds a value */
	double cost;        /* >= 0, in `currency` */
	char *currency;     /* three capital letters, with a cost only */
	char *notes;        /* optional, may span lines */
	char *status;       /* "scheduled" or "cancelled" */
	char *cancel_reason; /* optional */
	char *created_at;
	int64_t attendee_count; /* attendance rows; filled by reads */
	int64_t account_count;  /* accounts served; filled by reads */
} cb_session;

/* Frees the strings of a session filled by the store (not the struct). */
void cb_session_clear(cb_session *x);

/* Inserts `x` (id, created_at, the read-only fields and the counts are
 * ignored; a NULL status means "scheduled") and stores the new row's id in
 * *id when id is non-NULL. CB_EEXISTS when the key is taken. */
int cb_store_session_insert(cb_store *s, const cb_session *x, int64_t *id);

/* Fills `out` with the session `key`; caller clears it with
 * cb_session_clear. CB_ENOTFOUND suggests a close key. */
int cb_store_session_get(cb_store *s, const char *key, cb_session *out);

/* Writes the editable fields of `x` (everything but id, key, program and
 * created_at) to the row with id x->id. */
int cb_store_session_update(cb_store *s, const cb_session *x);

/* Sets *exists to whether a session with `key` exists. */
int cb_store_session_exists(cb_store *s, const char *key, int *exists);

/* Which sessions cb_store_session_each lists; zero or NULL fields match
 * everything. */
typedef struct cb_session_filter {
	int64_t program_id;
	int64_t trainer_id;
	const char *format;
	const char *from;   /* sessions still running on or after this date */
	const char *to;     /* sessions already started on or before this date */
	const char *status;
} cb_session_filter;

/* Calls fn for each session matching `filter` (NULL: all), by start date
 * and then key; stops at the first non-zero return, which it returns. The
 * session is borrowed for the call. */
typedef int (*cb_session_fn)(const cb_session *x, void *ctx);
int cb_store_session_each(cb_store *s, const cb_session_filter *filter,
			  cb_session_fn fn, void *ctx);

/* The ids of the sessions of program `program_id`, by start date; cancelled
 * ones only when `include_cancelled`. Stores a malloc'd array in *ids (NULL
 * when empty; caller frees with free()) and its length in *n. */
int cb_store_session_ids_by_program(cb_store *s, int64_t program_id,
				    int include_cancelled, int64_t **ids,
				    size_t *n);

/* The id of the person `key` in *id. CB_ENOTFOUND names the person as
 * `noun` ("trainer", "person") and suggests a close key. When `role` is
 * non-NULL ("trainer"), a person without that role is CB_EINVALID, with
 * the roles they do hold in the message. */
int cb_store_session_person_id(cb_store *s, const char *key, const char *noun,
			       const char *role, int64_t *id);

/* One person's attendance of one session. */
typedef struct cb_attendance {
	int64_t person_id;
	char *person;      /* person key; filled by reads */
	char *name;        /* person name; filled by reads */
	char *status;      /* "attended", "absent" or "partial"; NULL means attended */
	int has_reaction;  /* Kirkpatrick level 1: reaction 1..5 */
	int reaction;
	int has_pre;       /* Kirkpatrick level 2: test scores 0..100 */
	double pre_score;
	int has_post;
	double post_score;
} cb_attendance;

/* Frees the strings of an attendance filled by the store (not the struct). */
void cb_attendance_clear(cb_attendance *a);

/* Fills `out` with person a->person_id's attendance of `session_id` and
 * sets *found to 1, or sets *found to 0 and leaves `out` zeroed. Caller
 * clears `out` with cb_attendance_clear. */
int cb_store_attendance_get(cb_store *s, int64_t session_id, int64_t person_id,
			    cb_attendance *out, int *found);

/* Inserts or replaces the attendance of a->person_id at `session_id`. */
int cb_store_attendance_put(cb_store *s, int64_t session_id,
			    const cb_attendance *a);

/* Deletes person_id's attendance of session_id; *found says whether there
 * was one. */
int cb_store_attendance_delete(cb_store *s, int64_t session_id,
			       int64_t person_id, int *found);

/* Calls fn for each attendance of `session_id` in person key order; stops at
 * the first non-zero return, which it returns. Borrowed for the call. */
typedef int (*cb_attendance_fn)(const cb_attendance *a, void *ctx);
int cb_store_attendance_each(cb_store *s, int64_t session_id,
			     cb_attendance_fn fn, void *ctx);

/* Records that `session_id` served `account_id`. CB_EEXISTS when it is
 * already recorded. */
int cb_store_session_account_add(cb_store *s, int64_t session_id,
				 int64_t account_id);

/* Removes that link; *found says whether there was one. */
int cb_store_session_account_remove(cb_store *s, int64_t session_id,
				    int64_t account_id, int *found);

/* Calls fn for each account `session_id` served, in key order; stops at the
 * first non-zero return, which it returns. Borrowed for the call. */
int cb_store_session_account_each(cb_store *s, int64_t session_id,
				  cb_account_fn fn, void *ctx);

/* The ids of the accounts `session_id` served, ascending. Stores a malloc'd
 * array in *ids (NULL when empty; caller frees with free()) and its length
 * in *n. */
int cb_store_session_account_ids(cb_store *s, int64_t session_id,
				 int64_t **ids, size_t *n);

#endif
