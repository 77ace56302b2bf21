/*
 * Who attended a session (the attendance table, with Kirkpatrick level 1
 * and 2 scores) and which accounts it served (session_account).
 */
#include "store/session.h"

#include <stdlib.h>

#include "base/error.h"
#include "store/internal.h"

#define ATTENDANCE_COLUMNS                                                     \
	"a.person_id, p.key, p.name, a.status, a.reaction, a.pre_score, "      \
	"a.post_score"
#define ATTENDANCE_FROM " FROM attendance a JOIN person p ON p.id = a.person_id"

void cb_attendance_clear(cb_attendance *a)
{
	free(a->person);
	free(a->name);
	free(a->status);
	*a = (cb_attendance){0};
}

static int attendance_read(sqlite3_stmt *st, cb_attendance *a)
{
	int oom = 0;

	*a = (cb_attendance){0};
	a->person_id = sqlite3_column_int64(st, 0);
	a->person = cb_store_column_dup(st, 1, &oom);
	a->name = cb_store_column_dup(st, 2, &oom);
	a->status = cb_store_column_dup(st, 3, &oom);
	a->has_reaction = sqlite3_column_type(st, 4) != SQLITE_NULL;
	a->reaction = sqlite3_column_int(st, 4);
	a->has_pre = sqlite3_column_type(st, 5) != SQLITE_NULL;
	a->pre_score = sqlite3_column_double(st, 5);
	a->has_post = sqlite3_column_type(st, 6) != SQLITE_NULL;
	a->post_score = sqlite3_column_double(st, 6);
	if (oom) {
		cb_attendance_clear(a);
		return cb_error_set(CB_ENOMEM, "out of memory");
	}
	return 0;
}

int cb_store_attendance_get(cb_store *s, int64_t session_id, int64_t person_id,
			    cb_attendance *out, int *found)
{
	sqlite3_stmt *st;
	int rc, step;

	*out = (cb_attendance){0};
	*found = 0;
	if ((rc = cb_store_prepare(s, "SELECT " ATTENDANCE_COLUMNS ATTENDANCE_FROM
				      " WHERE a.session_id = ?1 AND a.person_id = ?2",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, session_id);
	sqlite3_bind_int64(st, 2, person_id);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		if ((rc = attendance_read(st, out)) == 0)
			*found = 1;
	} else if (step != SQLITE_DONE) {
		rc = cb_store_fail(s, "reading an attendance");
	}
	sqlite3_finalize(st);
	return rc;
}

int cb_store_attendance_put(cb_store *s, int64_t session_id,
			    const cb_attendance *a)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s,
				   "INSERT INTO attendance (session_id, person_id, status,"
				   " reaction, pre_score, post_score)"
				   " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
				   " ON CONFLICT (session_id, person_id) DO UPDATE SET"
				   " status = excluded.status, reaction = excluded.reaction,"
				   " pre_score = excluded.pre_score,"
				   " post_score = excluded.post_score",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, session_id);
	sqlite3_bind_int64(st, 2, a->person_id);
	cb_store_bind_text(st, 3, a->status ? a->status : "attended");
	if (a->has_reaction)
		sqlite3_bind_int(st, 4, a->reaction);
	else
		sqlite3_bind_null(st, 4);
	if (a->has_pre)
		sqlite3_bind_double(st, 5, a->pre_score);
	else
		sqlite3_bind_null(st, 5);
	if (a->has_post)
		sqlite3_bind_double(st, 6, a->post_score);
	else
		sqlite3_bind_null(st, 6);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = cb_store_fail(s, "recording attendance");
	sqlite3_finalize(st);
	return rc;
}

/* Runs a DELETE bound to two ids and reports whether it removed a row. */
static int delete_pair(cb_store *s, const char *sql, const char *what,
		       int64_t first, int64_t second, int *found)
{
	sqlite3_stmt *st;
	int rc;

	*found = 0;
	if ((rc = cb_store_prepare(s, sql, &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, first);
	sqlite3_bind_int64(st, 2, second);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = cb_store_fail(s, what);
	else
		*found = sqlite3_changes(s->db) > 0;
	sqlite3_finalize(st);
	return rc;
}

int cb_store_attendance_delete(cb_store *s, int64_t session_id,
			       int64_t person_id, int *found)
{
	return delete_pair(s,
			   "DELETE FROM attendance WHERE session_id = ?1"
			   " AND person_id = ?2",
			   "removing an attendee", session_id, person_id, found);
}

int cb_store_attendance_each(cb_store *s, int64_t session_id,
			     cb_attendance_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	int rc, step;

	if ((rc = cb_store_prepare(s, "SELECT " ATTENDANCE_COLUMNS ATTENDANCE_FROM
				      " WHERE a.session_id = ?1 ORDER BY p.key",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, session_id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		cb_attendance a;

		if ((rc = attendance_read(st, &a)) < 0)
			break;
		rc = fn(&a, ctx);
		cb_attendance_clear(&a);
		if (rc)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = cb_store_fail(s, "listing attendees");
	sqlite3_finalize(st);
	return rc;
}

int cb_store_session_account_add(cb_store *s, int64_t session_id,
				 int64_t account_id)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s,
				   "INSERT INTO session_account (session_id, account_id)"
				   " VALUES (?1, ?2)",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, session_id);
	sqlite3_bind_int64(st, 2, account_id);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = cb_store_fail(s, "linking an account to a session");
	sqlite3_finalize(st);
	return rc;
}

int cb_store_session_account_remove(cb_store *s, int64_t session_id,
				    int64_t account_id, int *found)
{
	return delete_pair(s,
			   "DELETE FROM session_account WHERE session_id = ?1"
			   " AND account_id = ?2",
			   "unlinking an account from a session", session_id,
			   account_id, found);
}

int cb_store_session_account_each(cb_store *s, int64_t session_id,
				  cb_account_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	int rc, step;

	if ((rc = cb_store_prepare(s,
				   "SELECT a.id, a.key, a.name, a.industry, a.region,"
				   " a.created_at FROM session_account sa"
				   " JOIN account a ON a.id = sa.account_id"
				   " WHERE sa.session_id = ?1 ORDER BY a.key",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, session_id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		cb_account a = {0};
		int oom = 0;

		a.id = sqlite3_column_int64(st, 0);
		a.key = cb_store_column_dup(st, 1, &oom);
		a.name = cb_store_column_dup(st, 2, &oom);
		a.industry = cb_store_column_dup(st, 3, &oom);
		a.region = cb_store_column_dup(st, 4, &oom);
		a.created_at = cb_store_column_dup(st, 5, &oom);
		if (oom) {
			cb_account_clear(&a);
			rc = cb_error_set(CB_ENOMEM, "out of memory");
			break;
		}
		rc = fn(&a, ctx);
		cb_account_clear(&a);
		if (rc)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = cb_store_fail(s, "listing a session's accounts");
	sqlite3_finalize(st);
	return rc;
}
