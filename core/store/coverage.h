/* Coverage: which person serves which account, from when to when. */
#ifndef CB_STORE_COVERAGE_H
#define CB_STORE_COVERAGE_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

typedef struct cb_coverage {
	int64_t id;
	const char *person, *person_name;   /* keys and names; borrowed */
	const char *account, *account_name;
	const char *from_on, *to_on;         /* YYYY-MM-DD; to_on NULL: open */
} cb_coverage;

/* Records that person `person_id` serves `account_id` from `from_on` to
 * `to_on` (NULL: open-ended). A period overlapping an existing one of the
 * same pair is CB_EEXISTS, naming it. */
int cb_store_coverage_insert(cb_store *s, int64_t person_id, int64_t account_id,
			     const char *from_on, const char *to_on);

/* Calls fn for each coverage row, by person then account then start;
 * `person_id`/`account_id` 0 mean any. The row is borrowed for the call. */
typedef int (*cb_coverage_fn)(const cb_coverage *c, void *ctx);
int cb_store_coverage_each(cb_store *s, int64_t person_id, int64_t account_id,
			   cb_coverage_fn fn, void *ctx);

/* The ids of the accounts `person_id` covers on `day` (YYYY-MM-DD), in id
 * order. Caller frees *ids with free(); NULL when none. */
int cb_store_coverage_accounts_on(cb_store *s, int64_t person_id, const char *day, int64_t **ids,
				  size_t *n);

#endif
