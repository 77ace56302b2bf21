/* People (technicians, trainers, consultants, managers, admins) and their
 * roles in the store. */
#ifndef CB_STORE_PERSON_H
#define CB_STORE_PERSON_H

#include <stdint.h>

#include "store/store.h"

/* The roles, one bit each; app/rights.h says what each may do. */
enum {
	CB_ROLE_TECHNICIAN = 1,
	CB_ROLE_TRAINER = 2,
	CB_ROLE_CONSULTANT = 4,
	CB_ROLE_MANAGER = 8,
	CB_ROLE_ADMIN = 16
};

#define CB_ROLE_COUNT 5
#define CB_ROLE_LAST CB_ROLE_ADMIN /* for loops over the bits */
#define CB_ROLE_ALL 31u

/* A person; the strings are owned (malloc'd) when filled by the store and
 * freed by cb_person_clear; a caller filling one for an insert may point
 * them anywhere. */
typedef struct cb_person {
	int64_t id;
	char *key;
	char *name;
	char *email; /* optional */
	unsigned roles; /* CB_ROLE_* bits */
	char *created_at;
} cb_person;

/* Frees the strings of a person filled by the store and zeroes it. */
void cb_person_clear(cb_person *p);

/* "technician" -> CB_ROLE_TECHNICIAN; 0 for an unknown name. */
unsigned cb_role_parse(const char *name);
/* The name of one role bit ("?" for anything else). Static string. */
const char *cb_role_name(unsigned role);

/* Inserts the person and its roles (in the caller's transaction).
 * CB_EEXISTS when the key is taken. */
int cb_store_person_insert(cb_store *s, const cb_person *p);

/* Fills `out` with person `key` and their roles (caller frees with
 * cb_person_clear). CB_ENOTFOUND: "unknown person 'x' (did you mean 'y'?)". */
int cb_store_person_get(cb_store *s, const char *key, cb_person *out);

/* Fills `out` with the person of id `id` (caller frees with
 * cb_person_clear). CB_ENOTFOUND when there is none. */
int cb_store_person_get_id(cb_store *s, int64_t id, cb_person *out);

/* The id of person `key`; CB_ENOTFOUND suggests a close key. */
int cb_store_person_id(cb_store *s, const char *key, int64_t *id);

/* Writes key, name, email and roles of the person with id p->id (in the
 * caller's transaction). CB_EEXISTS when a new key is taken. */
int cb_store_person_update(cb_store *s, const cb_person *p);

/* Calls fn for each person holding any of `roles` (0: everyone), in key
 * order; stops at the first non-zero return. */
typedef int (*cb_person_fn)(const cb_person *p, void *ctx);
int cb_store_person_each(cb_store *s, unsigned roles, cb_person_fn fn, void *ctx);

/* One session a person took part in: as its trainer or as an attendee. */
typedef struct cb_person_session {
	const char *session, *title, *format, *starts_on, *ends_on; /* borrowed */
	const char *as;     /* "trainer" or "attendee" */
	const char *status; /* attendance status, NULL for the trainer */
} cb_person_session;

typedef int (*cb_person_session_fn)(const cb_person_session *ps, void *ctx);

/* Calls fn for each session of person `id`, by start date. */
int cb_store_person_sessions(cb_store *s, int64_t id, cb_person_session_fn fn, void *ctx);

#endif
