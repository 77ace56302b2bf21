/*
 * What the report reads that no other query offers: every session that
 * reached one account (for marking training dates on its KPI series), and
 * the indexed case studies with their status (for Kirkpatrick level 3).
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

/* One case study as the report lists it, from the case-study index;
 * strings borrowed for the call. */
typedef struct cb_report_case_row {
	int64_t id;
	const char *slug;
	const char *title;
	const char *status;
	const char *account;    /* account key */
	const char *technician; /* person key of the author */
} cb_report_case_row;

typedef int (*cb_report_case_fn)(const cb_report_case_row *c, void *ctx);

/* Calls fn for each indexed case study by slug, stopping at the first
 * non-zero return, which it returns. */
int cb_store_report_cases(cb_store *s, cb_report_case_fn fn, void *ctx);

#endif
