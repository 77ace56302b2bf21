/* Use cases for coverage (which technician serves which account, when):
 * checked input, then the store. */
#ifndef CB_APP_COVERAGE_H
#define CB_APP_COVERAGE_H

#include "app/workspace.h"

/* Records that person `person` (a key) serves account `account` from day
 * `from` to day `to` inclusive (NULL: open-ended). The dates must be valid
 * YYYY-MM-DD (the message of cb_date_parse, prefixed with "--from" or
 * "--to", says why not), `to` not before `from`, and the person must hold
 * the technician role: only technicians cover accounts. A period
 * overlapping one already recorded for the pair is CB_EEXISTS naming it.
 * Unknown keys are CB_ENOTFOUND with a "did you mean" suggestion. */
int cb_app_coverage_add(cb_workspace *ws, const char *person, const char *account,
			const char *from, const char *to);

/* Ends the period of `person` at `account` that holds day `end` on that
 * day (the person serves the account up to and including it): an
 * open-ended period gets its end, a longer one is shortened. *from (11
 * bytes, may be NULL) is the period's first day. CB_ENOTFOUND when no
 * period holds `end`. */
int cb_app_coverage_end(cb_workspace *ws, const char *person, const char *account,
			const char *end, char from[11]);

/* Removes the period of `person` at `account` that starts on day `from`
 * (one recorded by mistake); *to (11 bytes, may be NULL) is its last day,
 * "" for an open end. CB_ENOTFOUND when no period starts that day. */
int cb_app_coverage_remove(cb_workspace *ws, const char *person, const char *account,
			   const char *from, char to[11]);

#endif
