/*
 * What the report reads that no other query offers: every session that
 * reached one account (for marking training dates on its KPI series), and
 * the case studies, when the database has them, with their status (for
 * Kirkpatrick level 3). The case-study tables come with a later migration,
 * so their reader checks sqlite_master first and works on databases with
 * or without them.
 */
#ifndef CB_STORE_REPORT_H
#define CB_STORE_REPORT_H

#include <stdint.h>

#include "store/store.h"

/* Calls fn(key, first, last, ctx) for each non-cancelled session that
 * reached account `account_id` (linked to it, or through an attendee who
 * covered it on the session's last day), by start date; first and last
 * are day numbers. Stops at the first non-zero return, which it returns. */
int cb_store_report_account_sessions(cb_store *s, int64_t account_id,
				     int (*fn)(const char *key, int32_t first, int32_t last,
					       void *ctx),
				     void *ctx);

/* One case study as the report lists it; strings borrowed for the call
 * (NULL when the database does not record that field). */
typedef struct cb_report_case_row {
	const char *slug;
	const char *title;
	const char *status;
	const char *account;    /* account key */
	const char *technician; /* person key of the author */
	const char *evidence;   /* the evidence check's result, when recorded */
} cb_report_case_row;

typedef int (*cb_report_case_fn)(const cb_report_case_row *c, void *ctx);

/* Sets *available to whether the database has a case_study table; when it
 * has, calls fn for each case study by slug (stopping at the first
 * non-zero return, which it returns). A case_study table of a shape this
 * reader does not know is CB_EDB, saying so. */
int cb_store_report_cases(cb_store *s, int *available, cb_report_case_fn fn, void *ctx);

#endif
