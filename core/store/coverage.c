/* The coverage table's queries: recording a period (refusing overlaps),
 * listing periods, and who covers what on a given day. */
#include "store/coverage.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/error.h"
#include "store/internal.h"

/* Fails with CB_EEXISTS naming the first recorded period of the pair that
 * overlaps [from_on, to_on]. Two periods overlap unless one ends before the
 * other starts; an open end reaches forever. */
static int refuse_overlap(cb_store *s, int64_t person_id, int64_t account_id, const char *from_on,
			  const char *to_on)
{
	sqlite3_stmt *st;
	int rc, step;

	if ((rc = cb_store_prepare(s, "SELECT from_on, to_on FROM coverage "
				      "WHERE person_id = ?1 AND account_id = ?2 "
				      "AND (to_on IS NULL OR to_on >= ?3) AND (?4 IS NULL OR from_on <= ?4) "
				      "ORDER BY from_on LIMIT 1",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, person_id);
	sqlite3_bind_int64(st, 2, account_id);
	cb_store_bind_text(st, 3, from_on);
	cb_store_bind_text(st, 4, to_on);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		const char *from = (const char *)sqlite3_column_text(st, 0);
		const char *to = (const char *)sqlite3_column_text(st, 1);

		if (to)
			rc = cb_error_set(CB_EEXISTS, "the period overlaps the one recorded from %s to %s",
					  from, to);
		else
			rc = cb_error_set(CB_EEXISTS,
					  "the period overlaps the one recorded from %s with no end", from);
	} else if (step != SQLITE_DONE) {
		rc = cb_store_fail(s, "checking coverage");
	}
	sqlite3_finalize(st);
	return rc;
}

int cb_store_coverage_insert(cb_store *s, int64_t person_id, int64_t account_id,
			     const char *from_on, const char *to_on)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = refuse_overlap(s, person_id, account_id, from_on, to_on)) < 0)
		return rc;
	if ((rc = cb_store_prepare(s, "INSERT INTO coverage (person_id, account_id, from_on, to_on) "
				      "VALUES (?1, ?2, ?3, ?4)",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, person_id);
	sqlite3_bind_int64(st, 2, account_id);
	cb_store_bind_text(st, 3, from_on);
	cb_store_bind_text(st, 4, to_on);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : cb_store_fail(s, "recording coverage");
	sqlite3_finalize(st);
	return rc;
}

int cb_store_coverage_find(cb_store *s, int64_t person_id, int64_t account_id, const char *day,
			   int64_t *id, char from_on[11], char to_on[11], int *found)
{
	sqlite3_stmt *st;
	int rc, step;

	*found = 0;
	*id = 0;
	from_on[0] = to_on[0] = '\0';
	if ((rc = cb_store_prepare(s, "SELECT id, from_on, coalesce(to_on, '') FROM coverage "
				      "WHERE person_id = ?1 AND account_id = ?2 AND from_on <= ?3 "
				      "AND (to_on IS NULL OR to_on >= ?3) ORDER BY from_on LIMIT 1",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, person_id);
	sqlite3_bind_int64(st, 2, account_id);
	cb_store_bind_text(st, 3, day);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		snprintf(from_on, 11, "%s", (const char *)sqlite3_column_text(st, 1));
		snprintf(to_on, 11, "%s", (const char *)sqlite3_column_text(st, 2));
		*found = 1;
	} else if (step != SQLITE_DONE) {
		rc = cb_store_fail(s, "reading coverage");
	}
	sqlite3_finalize(st);
	return rc;
}

/* Runs one statement on coverage row `id`, with `text` as ?2 when given. */
static int coverage_change(cb_store *s, const char *sql, int64_t id, const char *text,
			   const char *what)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s, sql, &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if (text)
		cb_store_bind_text(st, 2, text);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : cb_store_fail(s, what);
	sqlite3_finalize(st);
	return rc;
}

int cb_store_coverage_set_end(cb_store *s, int64_t id, const char *to_on)
{
	return coverage_change(s, "UPDATE coverage SET to_on = ?2 WHERE id = ?1", id, to_on,
			       "ending coverage");
}

int cb_store_coverage_delete(cb_store *s, int64_t id)
{
	return coverage_change(s, "DELETE FROM coverage WHERE id = ?1", id, NULL,
			       "removing coverage");
}

int cb_store_coverage_each(cb_store *s, int64_t person_id, int64_t account_id,
			   cb_coverage_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	int rc, step;

	if ((rc = cb_store_prepare(s, "SELECT c.id, c.person_id, c.account_id, p.key, p.name, "
				      "a.key, a.name, c.from_on, c.to_on "
				      "FROM coverage c JOIN person p ON p.id = c.person_id "
				      "JOIN account a ON a.id = c.account_id "
				      "WHERE (?1 = 0 OR c.person_id = ?1) AND (?2 = 0 OR c.account_id = ?2) "
				      "ORDER BY p.key, a.key, c.from_on",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, person_id);
	sqlite3_bind_int64(st, 2, account_id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		cb_coverage c = {
			.id = sqlite3_column_int64(st, 0),
			.person_id = sqlite3_column_int64(st, 1),
			.account_id = sqlite3_column_int64(st, 2),
			.person = (const char *)sqlite3_column_text(st, 3),
			.person_name = (const char *)sqlite3_column_text(st, 4),
			.account = (const char *)sqlite3_column_text(st, 5),
			.account_name = (const char *)sqlite3_column_text(st, 6),
			.from_on = (const char *)sqlite3_column_text(st, 7),
			.to_on = (const char *)sqlite3_column_text(st, 8),
		};

		if ((rc = fn(&c, ctx)))
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = cb_store_fail(s, "listing coverage");
	sqlite3_finalize(st);
	return rc;
}

/* Runs `sql` (?1: an id, ?2: a day) and gathers its one integer column. */
static int collect_ids(cb_store *s, const char *sql, int64_t id, const char *day, int64_t **ids,
		       size_t *n)
{
	sqlite3_stmt *st;
	int64_t *list = NULL;
	size_t count = 0, cap = 0;
	int rc, step;

	*ids = NULL;
	*n = 0;
	if ((rc = cb_store_prepare(s, sql, &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	cb_store_bind_text(st, 2, day);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			int64_t *grown = realloc(list, ncap * sizeof(*grown));

			if (!grown) {
				rc = cb_error_set(CB_ENOMEM, "out of memory");
				goto done;
			}
			list = grown;
			cap = ncap;
		}
		list[count++] = sqlite3_column_int64(st, 0);
	}
	if (step != SQLITE_DONE)
		rc = cb_store_fail(s, "reading coverage");
done:
	sqlite3_finalize(st);
	if (rc < 0) {
		free(list);
		return rc;
	}
	*ids = list;
	*n = count;
	return 0;
}

int cb_store_coverage_accounts_on(cb_store *s, int64_t person_id, const char *day, int64_t **ids,
				  size_t *n)
{
	return collect_ids(s, "SELECT DISTINCT account_id FROM coverage WHERE person_id = ?1 "
			      "AND from_on <= ?2 AND (to_on IS NULL OR to_on >= ?2) "
			      "ORDER BY account_id",
			   person_id, day, ids, n);
}

int cb_store_coverage_people_on(cb_store *s, int64_t account_id, const char *day, int64_t **ids,
				size_t *n)
{
	return collect_ids(s, "SELECT DISTINCT person_id FROM coverage WHERE account_id = ?1 "
			      "AND from_on <= ?2 AND (to_on IS NULL OR to_on >= ?2) "
			      "ORDER BY person_id",
			   account_id, day, ids, n);
}
