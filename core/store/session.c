/*
 * The session table's queries, plus the person lookup sessions need (a
 * trainer must hold the trainer role). Attendance and the accounts a
 * session served live in attendance.c.
 */
#include "store/session.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "store/internal.h"

#define SESSION_COLUMNS                                                        \
	"s.id, s.key, s.program_id, p.key, p.name, s.title, s.format, "        \
	"s.starts_on, s.ends_on, s.trainer_id, t.key, t.name, s.location, "    \
	"s.cost, s.currency, s.notes, s.status, s.cancel_reason, "             \
	"s.created_at, "                                                       \
	"(SELECT count(*) FROM attendance a WHERE a.session_id = s.id), "      \
	"(SELECT count(*) FROM session_account sa WHERE sa.session_id = s.id)"
#define SESSION_FROM                                                           \
	" FROM session s JOIN program p ON p.id = s.program_id"                \
	" LEFT JOIN person t ON t.id = s.trainer_id"

void cb_session_clear(cb_session *x)
{
	free(x->key);
	free(x->program);
	free(x->program_name);
	free(x->title);
	free(x->format);
	free(x->starts_on);
	free(x->ends_on);
	free(x->trainer);
	free(x->trainer_name);
	free(x->location);
	free(x->currency);
	free(x->notes);
	free(x->status);
	free(x->cancel_reason);
	free(x->created_at);
	*x = (cb_session){0};
}

static int session_read(sqlite3_stmt *st, cb_session *x)
{
	int oom = 0;

	*x = (cb_session){0};
	x->id = sqlite3_column_int64(st, 0);
	x->key = cb_store_column_dup(st, 1, &oom);
	x->program_id = sqlite3_column_int64(st, 2);
	x->program = cb_store_column_dup(st, 3, &oom);
	x->program_name = cb_store_column_dup(st, 4, &oom);
	x->title = cb_store_column_dup(st, 5, &oom);
	x->format = cb_store_column_dup(st, 6, &oom);
	x->starts_on = cb_store_column_dup(st, 7, &oom);
	x->ends_on = cb_store_column_dup(st, 8, &oom);
	x->trainer_id = sqlite3_column_int64(st, 9);
	x->trainer = cb_store_column_dup(st, 10, &oom);
	x->trainer_name = cb_store_column_dup(st, 11, &oom);
	x->location = cb_store_column_dup(st, 12, &oom);
	x->has_cost = sqlite3_column_type(st, 13) != SQLITE_NULL;
	x->cost = sqlite3_column_double(st, 13);
	x->currency = cb_store_column_dup(st, 14, &oom);
	x->notes = cb_store_column_dup(st, 15, &oom);
	x->status = cb_store_column_dup(st, 16, &oom);
	x->cancel_reason = cb_store_column_dup(st, 17, &oom);
	x->created_at = cb_store_column_dup(st, 18, &oom);
	x->attendee_count = sqlite3_column_int64(st, 19);
	x->account_count = sqlite3_column_int64(st, 20);
	if (oom) {
		cb_session_clear(x);
		return cb_error_set(CB_ENOMEM, "out of memory");
	}
	return 0;
}

/* Binds the fields that insert and update share, from parameter ?2 on:
 * title, format, starts_on, ends_on, trainer_id, location, cost, currency,
 * notes, status, cancel_reason. */
static void bind_fields(sqlite3_stmt *st, const cb_session *x)
{
	cb_store_bind_text(st, 2, x->title);
	cb_store_bind_text(st, 3, x->format);
	cb_store_bind_text(st, 4, x->starts_on);
	cb_store_bind_text(st, 5, x->ends_on);
	if (x->trainer_id)
		sqlite3_bind_int64(st, 6, x->trainer_id);
	else
		sqlite3_bind_null(st, 6);
	cb_store_bind_text(st, 7, x->location);
	if (x->has_cost)
		sqlite3_bind_double(st, 8, x->cost);
	else
		sqlite3_bind_null(st, 8);
	cb_store_bind_text(st, 9, x->currency);
	cb_store_bind_text(st, 10, x->notes);
	cb_store_bind_text(st, 11, x->status ? x->status : "scheduled");
	cb_store_bind_text(st, 12, x->cancel_reason);
}

int cb_store_session_insert(cb_store *s, const cb_session *x, int64_t *id)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s,
				   "INSERT INTO session (key, title, format, starts_on, "
				   "ends_on, trainer_id, location, cost, currency, notes, "
				   "status, cancel_reason, program_id) "
				   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
				   "?12, ?13)",
				   &st)) < 0)
		return rc;
	cb_store_bind_text(st, 1, x->key);
	bind_fields(st, x);
	sqlite3_bind_int64(st, 13, x->program_id);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = cb_store_fail(s, "adding a session");
		if (rc == CB_EEXISTS)
			rc = cb_error_set(CB_EEXISTS, "session '%s' already exists",
					  x->key);
	} else if (id) {
		*id = sqlite3_last_insert_rowid(s->db);
	}
	sqlite3_finalize(st);
	return rc;
}

int cb_store_session_get(cb_store *s, const char *key, cb_session *out)
{
	sqlite3_stmt *st;
	int64_t id;
	int rc;

	*out = (cb_session){0};
	if ((rc = cb_store_id_by_key(s, "session", "session", key, &id)) < 0)
		return rc;
	if ((rc = cb_store_prepare(s, "SELECT " SESSION_COLUMNS SESSION_FROM
				      " WHERE s.id = ?1",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		rc = session_read(st, out);
	else
		rc = cb_store_fail(s, "reading a session");
	sqlite3_finalize(st);
	return rc;
}

int cb_store_session_update(cb_store *s, const cb_session *x)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s,
				   "UPDATE session SET title = ?2, format = ?3, "
				   "starts_on = ?4, ends_on = ?5, trainer_id = ?6, "
				   "location = ?7, cost = ?8, currency = ?9, notes = ?10, "
				   "status = ?11, cancel_reason = ?12 WHERE id = ?1",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, x->id);
	bind_fields(st, x);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = cb_store_fail(s, "updating a session");
	sqlite3_finalize(st);
	return rc;
}

int cb_store_session_exists(cb_store *s, const char *key, int *exists)
{
	sqlite3_stmt *st;
	int rc, step;

	if ((rc = cb_store_prepare(s, "SELECT 1 FROM session WHERE key = ?1", &st)) < 0)
		return rc;
	cb_store_bind_text(st, 1, key);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW || step == SQLITE_DONE)
		*exists = step == SQLITE_ROW;
	else
		rc = cb_store_fail(s, "looking up a session");
	sqlite3_finalize(st);
	return rc;
}

int cb_store_session_each(cb_store *s, const cb_session_filter *filter,
			  cb_session_fn fn, void *ctx)
{
	static const cb_session_filter all = {0};
	sqlite3_stmt *st;
	int rc, step;

	if (!filter)
		filter = &all;
	if ((rc = cb_store_prepare(s,
				   "SELECT " SESSION_COLUMNS SESSION_FROM
				   " WHERE (?1 = 0 OR s.program_id = ?1)"
				   " AND (?2 = 0 OR s.trainer_id = ?2)"
				   " AND (?3 IS NULL OR s.format = ?3)"
				   " AND (?4 IS NULL OR s.ends_on >= ?4)"
				   " AND (?5 IS NULL OR s.starts_on <= ?5)"
				   " AND (?6 IS NULL OR s.status = ?6)"
				   " ORDER BY s.starts_on, s.key",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, filter->program_id);
	sqlite3_bind_int64(st, 2, filter->trainer_id);
	cb_store_bind_text(st, 3, filter->format);
	cb_store_bind_text(st, 4, filter->from);
	cb_store_bind_text(st, 5, filter->to);
	cb_store_bind_text(st, 6, filter->status);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		cb_session x;

		if ((rc = session_read(st, &x)) < 0)
			break;
		rc = fn(&x, ctx);
		cb_session_clear(&x);
		if (rc)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = cb_store_fail(s, "listing sessions");
	sqlite3_finalize(st);
	return rc;
}

/* Collects column 0 of every row of a prepared statement into a malloc'd
 * array; finalizes the statement. */
static int collect_ids(cb_store *s, sqlite3_stmt *st, const char *what,
		       int64_t **ids, size_t *n)
{
	int64_t *list = NULL;
	size_t len = 0, cap = 0;
	int rc = 0, step;

	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			int64_t *grown = realloc(list, ncap * sizeof(*grown));

			if (!grown) {
				rc = cb_error_set(CB_ENOMEM, "out of memory");
				break;
			}
			list = grown;
			cap = ncap;
		}
		list[len++] = sqlite3_column_int64(st, 0);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = cb_store_fail(s, what);
	sqlite3_finalize(st);
	if (rc < 0) {
		free(list);
		list = NULL;
		len = 0;
	}
	*ids = list;
	*n = len;
	return rc;
}

int cb_store_session_ids_by_program(cb_store *s, int64_t program_id,
				    int include_cancelled, int64_t **ids,
				    size_t *n)
{
	sqlite3_stmt *st;
	int rc;

	*ids = NULL;
	*n = 0;
	if ((rc = cb_store_prepare(s,
				   "SELECT id FROM session WHERE program_id = ?1"
				   " AND (?2 OR status <> 'cancelled')"
				   " ORDER BY starts_on, key",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, program_id);
	sqlite3_bind_int(st, 2, include_cancelled != 0);
	return collect_ids(s, st, "listing a program's sessions", ids, n);
}

int cb_store_session_account_ids(cb_store *s, int64_t session_id,
				 int64_t **ids, size_t *n)
{
	sqlite3_stmt *st;
	int rc;

	*ids = NULL;
	*n = 0;
	if ((rc = cb_store_prepare(s,
				   "SELECT account_id FROM session_account"
				   " WHERE session_id = ?1 ORDER BY account_id",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, session_id);
	return collect_ids(s, st, "listing a session's accounts", ids, n);
}

int cb_store_session_person_id(cb_store *s, const char *key, const char *noun,
			       const char *role, int64_t *id)
{
	sqlite3_stmt *st;
	int64_t found;
	int rc, step, has = 0;
	char *roles = NULL;

	if ((rc = cb_store_id_by_key(s, "person", noun, key, &found)) < 0)
		return rc;
	if (!role) {
		*id = found;
		return 0;
	}
	if ((rc = cb_store_prepare(s,
				   "SELECT coalesce(sum(role = ?2), 0),"
				   " group_concat(role, ', ')"
				   " FROM (SELECT role FROM person_role"
				   "       WHERE person_id = ?1 ORDER BY role)",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, found);
	cb_store_bind_text(st, 2, role);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		int oom = 0;

		has = sqlite3_column_int(st, 0) > 0;
		roles = cb_store_column_dup(st, 1, &oom);
		if (oom)
			rc = cb_error_set(CB_ENOMEM, "out of memory");
	} else {
		rc = cb_store_fail(s, "reading a person's roles");
	}
	sqlite3_finalize(st);
	if (rc == 0 && !has)
		rc = cb_error_set(CB_EINVALID,
				  "%s '%s' does not hold the %s role (roles: %s)",
				  noun, key, role, roles ? roles : "none");
	free(roles);
	if (rc == 0)
		*id = found;
	return rc;
}
