/*
 * Who was exposed to training, and who was not: the sessions of an
 * exposure (one session, a program, a trainer's, a technician's, a case
 * study's), the
 * accounts each reached, and when each account was first trained by the
 * same programs (which accounts can be controls, and for which dates).
 */
#ifndef CB_STORE_EXPOSURE_H
#define CB_STORE_EXPOSURE_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

typedef enum cb_exposure_kind {
	CB_EXPOSURE_SESSION,
	CB_EXPOSURE_PROGRAM,
	CB_EXPOSURE_TRAINER,
	CB_EXPOSURE_TECHNICIAN,
	CB_EXPOSURE_CASE /* a case study: its sessions, its account */
} cb_exposure_kind;

typedef struct cb_exposure_session {
	int64_t id, program_id;
	char key[72];
	char format[16];
	char trainer[72];  /* "" when none */
	int32_t first, last; /* day numbers, inclusive */
	double cost;         /* 0 when unknown */
	char currency[4];    /* "" when unknown */
} cb_exposure_session;

/* The sessions of an exposure, by start date: for a program, its sessions;
 * for a trainer, those they delivered; for a technician, those they
 * attended (attended or partial); for a case study (key: its slug), the
 * sessions it cites; cancelled sessions never count. `format`
 * and `trainer` (may be NULL) keep only matching sessions. Unknown keys
 * are CB_ENOTFOUND with a suggestion; a cancelled session asked for by key
 * is CB_EINVALID. Caller frees *out. */
int cb_store_exposure_sessions(cb_store *s, cb_exposure_kind kind, const char *key,
			       const char *format, const char *trainer,
			       cb_exposure_session **out, size_t *n);

/* The accounts session `session_id` reached: those linked to it, and those
 * its attendees (attended or partial) covered on its last day `last_day`
 * (YYYY-MM-DD). With `technician_id` non-zero, only the accounts that
 * technician covered that day. Calls fn(account_id, ctx) once per
 * account. */
int cb_store_exposure_accounts(cb_store *s, int64_t session_id, const char *last_day,
			       int64_t technician_id, int (*fn)(int64_t account_id, void *ctx),
			       void *ctx);

/* For every account of the workspace, by id: the first day of the earliest
 * non-cancelled session of the programs in `program_ids` that reached it
 * (by link, or through an attendee's coverage on the session's last day, as
 * cb_store_exposure_accounts), at any date; INT32_MAX for an account that
 * none reached. Calls fn(account_id, first_day, ctx) once per account; a
 * non-zero return stops and is returned. */
int cb_store_exposure_training_starts(cb_store *s, const int64_t *program_ids, size_t nprograms,
				      int (*fn)(int64_t account_id, int32_t first_day, void *ctx),
				      void *ctx);

/* The first non-cancelled session (of any program) that reached account
 * `account_id`, by link or through an attendee's coverage; *found says
 * whether there is one. key gets its key (72 bytes). */
int cb_store_exposure_first_for_account(cb_store *s, int64_t account_id, int *found, char key[72],
					int32_t *first, int32_t *last);

/* The account a case study (by slug) is about: *account_id, or 0 when
 * the case names an account this workspace does not know (a synced case);
 * `account` gets its key (72 bytes). CB_ENOTFOUND for an unknown slug. */
int cb_store_exposure_case_account(cb_store *s, const char *slug, int64_t *account_id,
				   char account[72]);

/* Key and name of an account by id, into the caller's buffers. */
int cb_store_account_key_of(cb_store *s, int64_t id, char *key, size_t keylen);

#endif
