/* Coverage: which person serves which account, from when to when. Periods
 * are whole days, both ends included; a missing end means "still serving". */
#ifndef CB_STORE_COVERAGE_H
#define CB_STORE_COVERAGE_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

typedef struct cb_coverage {
	int64_t id;
	int64_t person_id, account_id;
	const char *person, *person_name;   /* keys and names; borrowed */
	const char *account, *account_name;
	const char *from_on, *to_on;         /* YYYY-MM-DD; to_on NULL: open-ended */
} cb_coverage;

/* Records that person `person_id` serves `account_id` from `from_on` to
 * `to_on` (NULL: open-ended). The dates must be valid YYYY-MM-DD with
 * to_on not before from_on (the app layer checks them). A period that
 * overlaps one already recorded for the same person and account is
 * CB_EEXISTS, and the message names that period. Call it inside a
 * transaction so that the overlap check and the insert are one step. */
int cb_store_coverage_insert(cb_store *s, int64_t person_id, int64_t account_id,
			     const char *from_on, const char *to_on);

/* The period of the pair that holds `day` (YYYY-MM-DD): from_on <= day
 * and no end or an end on or after it. *found 0 when none; else *id and
 * from_on and to_on (YYYY-MM-DD, "" for an open end) are set. */
int cb_store_coverage_find(cb_store *s, int64_t person_id, int64_t account_id, const char *day,
			   int64_t *id, char from_on[11], char to_on[11], int *found);

/* Sets the last day of period `id` (it must not overlap another period of
 * the pair, which a shorter end never does). */
int cb_store_coverage_set_end(cb_store *s, int64_t id, const char *to_on);

/* Deletes period `id`. */
int cb_store_coverage_delete(cb_store *s, int64_t id);

/* Calls fn for each coverage row, by person key, account key, then start.
 * `person_id` and `account_id` filter (0: any): cb_store_coverage_each(s,
 * 0, account_id, ...) lists the people covering an account, as `account
 * show` does; (s, person_id, 0, ...) the accounts a person covers. The row
 * is borrowed for the call; a non-zero return from fn stops the walk and is
 * returned. */
typedef int (*cb_coverage_fn)(const cb_coverage *c, void *ctx);
int cb_store_coverage_each(cb_store *s, int64_t person_id, int64_t account_id,
			   cb_coverage_fn fn, void *ctx);

/* The ids of the accounts that `person_id` covers on `day` (YYYY-MM-DD),
 * each once, in id order. On success the caller frees *ids with free();
 * *ids is NULL when *n is 0. */
int cb_store_coverage_accounts_on(cb_store *s, int64_t person_id, const char *day, int64_t **ids,
				  size_t *n);

/* The ids of the people covering `account_id` on `day`, each once, in id
 * order; ownership as for cb_store_coverage_accounts_on. */
int cb_store_coverage_people_on(cb_store *s, int64_t account_id, const char *day, int64_t **ids,
				size_t *n);

#endif
