/* The coverage table's queries. */
#include "store/coverage.h"

#include <stdlib.h>

#include "base/error.h"
#include "store/internal.h"

int cb_store_coverage_insert(cb_store *s, int64_t person_id, int64_t account_id,
			     const char *from_on, const char *to_on)
{
	sqlite3_stmt *st;
	int rc;

	/* Two periods overlap unless one ends before the other starts; an
	 * open end reaches forever. Ends are inclusive days. */
	if ((rc = cb_store_prepare(s, "SELECT from_on, coalesce(to_on, 'open-ended') FROM coverage "
				      "WHERE person_id = ?1 AND account_id = ?2 "
				      "AND (to_on IS NULL OR to_on >= ?3) AND (?4 IS NULL OR from_on <= ?4) "
				      "LIMIT 1",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, person_id);
	sqlite3_bind_int64(st, 2, account_id);
	cb_store_bind_text(st, 3, from_on);
	cb_store_bind_text(st, 4, to_on);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		rc = cb_error_set(CB_EEXISTS, "this overlaps the coverage already recorded from %s to %s",
				  sqlite3_column_text(st, 0), sqlite3_column_text(st, 1));
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return cb_store_fail(s, "checking coverage");
	if ((rc = cb_store_prepare(s, "INSERT INTO coverage (person_id, account_id, from_on, to_on) "
				      "VALUES (?1, ?2, ?3, ?4)",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, person_id);
	sqlite3_bind_int64(st, 2, account_id);
	cb_store_bind_text(st, 3, from_on);
	cb_store_bind_text(st, 4, to_on);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = cb_store_fail(s, "recording coverage");
	else
		rc = 0;
	sqlite3_finalize(st);
	return rc;
}

int cb_store_coverage_each(cb_store *s, int64_t person_id, int64_t account_id,
			   cb_coverage_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	int rc, step;

	if ((rc = cb_store_prepare(s, "SELECT c.id, p.key, p.name, a.key, a.name, c.from_on, c.to_on "
				      "FROM coverage c JOIN person p ON p.id = c.person_id "
				      "JOIN account a ON a.id = c.account_id "
				      "WHERE (?1 = 0 OR c.person_id = ?1) AND (?2 = 0 OR c.account_id = ?2) "
				      "ORDER BY p.key, a.key, c.from_on",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, person_id);
	sqlite3_bind_int64(st, 2, account_id);
	rc = 0;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		cb_coverage c = {sqlite3_column_int64(st, 0),
				 (const char *)sqlite3_column_text(st, 1),
				 (const char *)sqlite3_column_text(st, 2),
				 (const char *)sqlite3_column_text(st, 3),
				 (const char *)sqlite3_column_text(st, 4),
				 (const char *)sqlite3_column_text(st, 5),
				 (const char *)sqlite3_column_text(st, 6)};

		if ((rc = fn(&c, ctx)))
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = cb_store_fail(s, "listing coverage");
	sqlite3_finalize(st);
	return rc;
}

int cb_store_coverage_accounts_on(cb_store *s, int64_t person_id, const char *day, int64_t **ids,
				  size_t *n)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc, step;

	*ids = NULL;
	*n = 0;
	if ((rc = cb_store_prepare(s, "SELECT DISTINCT account_id FROM coverage WHERE person_id = ?1 "
				      "AND from_on <= ?2 AND (to_on IS NULL OR to_on >= ?2) "
				      "ORDER BY account_id",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, person_id);
	cb_store_bind_text(st, 2, day);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			int64_t *p = realloc(*ids, ncap * sizeof(*p));

			if (!p) {
				sqlite3_finalize(st);
				free(*ids);
				*ids = NULL;
				*n = 0;
				return cb_error_set(CB_ENOMEM, "out of memory");
			}
			*ids = p;
			cap = ncap;
		}
		(*ids)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? 0 : cb_store_fail(s, "reading coverage");
}
