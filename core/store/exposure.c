/* The queries that decide who was exposed to training. */
#include "store/exposure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/error.h"
#include "store/internal.h"

/* Sessions reaching an account: linked to it, or through an attendee who
 * covered it on the session's last day. Parameter ?1 is the account. */

int cb_store_exposure_sessions(cb_store *s, cb_exposure_kind kind, const char *key,
			       const char *format, const char *trainer,
			       cb_exposure_session **out, size_t *n)
{
	static const char *const where[] = {
		"s.key = ?1",
		"s.program_id = (SELECT id FROM program WHERE key = ?1)",
		"s.trainer_id = (SELECT id FROM person WHERE key = ?1)",
		"s.id IN (SELECT a.session_id FROM attendance a JOIN person p ON p.id = a.person_id "
		"WHERE p.key = ?1 AND a.status IN ('attended', 'partial'))",
		"s.key IN (SELECT cs.session FROM case_session cs JOIN case_study c ON c.id = cs.case_id "
		"WHERE c.slug = ?1)",
	};
	static const char *const table[] = {"session", "program", "person", "person", "case_study"};
	static const char *const column[] = {"key", "key", "key", "key", "slug"};
	static const char *const noun[] = {"session", "program", "trainer", "technician",
					   "case study"};
	char sql[1024];
	sqlite3_stmt *st;
	size_t cap = 0;
	int64_t id;
	int rc, step;

	*out = NULL;
	*n = 0;
	if ((rc = cb_store_id_by_column(s, table[kind], column[kind], noun[kind], key, &id)) < 0)
		return rc;
	snprintf(sql, sizeof(sql),
		 "SELECT s.id, s.program_id, s.key, s.format, coalesce(t.key, ''), s.starts_on, "
		 "s.ends_on, coalesce(s.cost, 0), coalesce(s.currency, ''), s.status "
		 "FROM session s LEFT JOIN person t ON t.id = s.trainer_id "
		 "WHERE %s AND (?2 IS NULL OR s.format = ?2) AND (?3 IS NULL OR t.key = ?3) "
		 "ORDER BY s.starts_on, s.key",
		 where[kind]);
	if ((rc = cb_store_prepare(s, sql, &st)) < 0)
		return rc;
	cb_store_bind_text(st, 1, key);
	cb_store_bind_text(st, 2, format);
	cb_store_bind_text(st, 3, trainer);
	rc = 0;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		cb_exposure_session *e;

		if (strcmp((const char *)sqlite3_column_text(st, 9), "cancelled") == 0) {
			if (kind == CB_EXPOSURE_SESSION) {
				rc = cb_error_set(CB_EINVALID, "session '%s' was cancelled; it exposed no one",
						  key);
				break;
			}
			continue;
		}
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			cb_exposure_session *p = realloc(*out, ncap * sizeof(*p));

			if (!p) {
				rc = cb_error_set(CB_ENOMEM, "out of memory");
				break;
			}
			*out = p;
			cap = ncap;
		}
		e = &(*out)[(*n)++];
		memset(e, 0, sizeof(*e));
		e->id = sqlite3_column_int64(st, 0);
		e->program_id = sqlite3_column_int64(st, 1);
		snprintf(e->key, sizeof(e->key), "%s", sqlite3_column_text(st, 2));
		snprintf(e->format, sizeof(e->format), "%s", sqlite3_column_text(st, 3));
		snprintf(e->trainer, sizeof(e->trainer), "%s", sqlite3_column_text(st, 4));
		if (cb_date_parse((const char *)sqlite3_column_text(st, 5), &e->first) < 0 ||
		    cb_date_parse((const char *)sqlite3_column_text(st, 6), &e->last) < 0) {
			rc = CB_EDB;
			break;
		}
		e->cost = sqlite3_column_double(st, 7);
		snprintf(e->currency, sizeof(e->currency), "%s", sqlite3_column_text(st, 8));
	}
	if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
		rc = cb_store_fail(s, "listing an exposure's sessions");
	sqlite3_finalize(st);
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

int cb_store_exposure_case_account(cb_store *s, const char *slug, int64_t *account_id,
				   char account[72])
{
	sqlite3_stmt *st;
	int64_t id;
	int rc, step;

	*account_id = 0;
	account[0] = '\0';
	if ((rc = cb_store_id_by_column(s, "case_study", "slug", "case study", slug, &id)) < 0)
		return rc;
	if ((rc = cb_store_prepare(s, "SELECT coalesce(account_id, 0), account FROM case_study WHERE id = ?1",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if ((step = sqlite3_step(st)) == SQLITE_ROW) {
		*account_id = sqlite3_column_int64(st, 0);
		snprintf(account, 72, "%s", sqlite3_column_text(st, 1));
	} else {
		rc = cb_store_fail(s, "reading a case study's account");
	}
	sqlite3_finalize(st);
	return rc;
}

static int each_id(cb_store *s, sqlite3_stmt *st, int (*fn)(int64_t, void *), void *ctx)
{
	int rc = 0, step;

	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = fn(sqlite3_column_int64(st, 0), ctx)))
			break;
	if (rc == 0 && step != SQLITE_DONE)
		rc = cb_store_fail(s, "reading an exposure");
	sqlite3_finalize(st);
	return rc;
}

int cb_store_exposure_accounts(cb_store *s, int64_t session_id, const char *last_day,
			       int64_t technician_id, int (*fn)(int64_t account_id, void *ctx),
			       void *ctx)
{
	sqlite3_stmt *st;
	int rc;

	if (technician_id) {
		rc = cb_store_prepare(s, "SELECT DISTINCT account_id FROM coverage WHERE person_id = ?3 "
					 "AND from_on <= ?2 AND (to_on IS NULL OR to_on >= ?2) "
					 "ORDER BY account_id",
				      &st);
	} else {
		rc = cb_store_prepare(s, "SELECT account_id FROM session_account WHERE session_id = ?1 "
					 "UNION SELECT c.account_id FROM attendance a "
					 "JOIN coverage c ON c.person_id = a.person_id "
					 "AND c.from_on <= ?2 AND (c.to_on IS NULL OR c.to_on >= ?2) "
					 "WHERE a.session_id = ?1 AND a.status IN ('attended', 'partial') "
					 "ORDER BY 1",
				      &st);
	}
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(st, 1, session_id);
	cb_store_bind_text(st, 2, last_day);
	sqlite3_bind_int64(st, 3, technician_id);
	return each_id(s, st, fn, ctx);
}

int cb_store_exposure_training_starts(cb_store *s, const int64_t *program_ids, size_t nprograms,
				      int (*fn)(int64_t account_id, int32_t first_day, void *ctx),
				      void *ctx)
{
	sqlite3_stmt *st;
	char *list;
	size_t len = 0;
	int rc, step;

	/* The program ids travel as one JSON array bound to ?1. */
	if (!(list = malloc(nprograms * 22 + 3)))
		return cb_error_set(CB_ENOMEM, "out of memory");
	list[len++] = '[';
	for (size_t i = 0; i < nprograms; i++)
		len += (size_t)sprintf(list + len, "%s%lld", i ? "," : "", (long long)program_ids[i]);
	list[len++] = ']';
	list[len] = '\0';
	rc = cb_store_prepare(
		s,
		"SELECT a.id, r.first FROM account a LEFT JOIN ("
		" SELECT account_id, min(starts_on) AS first FROM ("
		"  SELECT sa.account_id, s.starts_on FROM session s"
		"  JOIN session_account sa ON sa.session_id = s.id"
		"  WHERE s.status = 'scheduled' AND s.program_id IN (SELECT value FROM json_each(?1))"
		"  UNION ALL"
		"  SELECT c.account_id, s.starts_on FROM session s"
		"  JOIN attendance t ON t.session_id = s.id AND t.status IN ('attended', 'partial')"
		"  JOIN coverage c ON c.person_id = t.person_id AND c.from_on <= s.ends_on"
		"   AND (c.to_on IS NULL OR c.to_on >= s.ends_on)"
		"  WHERE s.status = 'scheduled' AND s.program_id IN (SELECT value FROM json_each(?1)))"
		" GROUP BY account_id) r ON r.account_id = a.id ORDER BY a.id",
		&st);
	if (rc < 0) {
		free(list);
		return rc;
	}
	cb_store_bind_text(st, 1, list);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int32_t day = INT32_MAX;

		if (sqlite3_column_type(st, 1) != SQLITE_NULL &&
		    cb_date_parse((const char *)sqlite3_column_text(st, 1), &day) < 0) {
			rc = CB_EDB;
			break;
		}
		if ((rc = fn(sqlite3_column_int64(st, 0), day, ctx)))
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = cb_store_fail(s, "reading when accounts were trained");
	sqlite3_finalize(st);
	free(list);
	return rc;
}

int cb_store_account_key_of(cb_store *s, int64_t id, char *key, size_t keylen)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s, "SELECT key FROM account WHERE id = ?1", &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(key, keylen, "%s", sqlite3_column_text(st, 0));
	else
		rc = cb_error_set(CB_ENOTFOUND, "no account with id %lld", (long long)id);
	sqlite3_finalize(st);
	return rc;
}

int cb_store_exposure_first_for_account(cb_store *s, int64_t account_id, int *found, char key[72],
					int32_t *first, int32_t *last)
{
	sqlite3_stmt *st;
	int rc, step;

	*found = 0;
	if ((rc = cb_store_prepare(s, "SELECT s.key, s.starts_on, s.ends_on FROM session s "
				      "WHERE s.status = 'scheduled' AND ("
				      "EXISTS (SELECT 1 FROM session_account sa WHERE sa.session_id = s.id "
				      "AND sa.account_id = ?1) OR "
				      "EXISTS (SELECT 1 FROM attendance t JOIN coverage c ON c.person_id = t.person_id "
				      "WHERE t.session_id = s.id AND t.status IN ('attended', 'partial') "
				      "AND c.account_id = ?1 AND c.from_on <= s.ends_on "
				      "AND (c.to_on IS NULL OR c.to_on >= s.ends_on))) "
				      "ORDER BY s.starts_on, s.key LIMIT 1",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, account_id);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		snprintf(key, 72, "%s", sqlite3_column_text(st, 0));
		if (cb_date_parse((const char *)sqlite3_column_text(st, 1), first) < 0 ||
		    cb_date_parse((const char *)sqlite3_column_text(st, 2), last) < 0)
			rc = CB_EDB;
		else
			*found = 1;
	} else if (step != SQLITE_DONE) {
		rc = cb_store_fail(s, "finding an account's training");
	}
	sqlite3_finalize(st);
	return rc;
}
