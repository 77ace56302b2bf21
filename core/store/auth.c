/* The queries of signing in: credential, invitation, web_session,
 * api_token and signin_failure (schema migration 7). */
#include "store/auth.h"

#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "store/internal.h"

/* Steps a statement that returns no rows, finalizes it, and records a
 * failure as `what`. *changes (may be NULL) gets the rows it changed. */
static int run(cb_store *s, sqlite3_stmt *st, const char *what, int *changes)
{
	int rc = 0;

	if (sqlite3_step(st) != SQLITE_DONE)
		rc = cb_store_fail(s, what);
	else if (changes)
		*changes = sqlite3_changes(s->db);
	sqlite3_finalize(st);
	return rc;
}

static void bind_hash(sqlite3_stmt *st, int i, const unsigned char *hash)
{
	sqlite3_bind_blob(st, i, hash, CB_STORE_TOKEN_HASH, SQLITE_TRANSIENT);
}

static int64_t column_time(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, i);
}

/* Copies text column i into out[0..size); CB_EDB when it does not fit. */
static int column_copy(sqlite3_stmt *st, int i, char *out, size_t size, const char *what)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	size_t n = t ? strlen((const char *)t) : 0;

	if (n >= size)
		return cb_error_set(CB_EDB, "%s: a stored value is %zu bytes, more than %zu", what,
				    n, size - 1);
	memcpy(out, t ? (const char *)t : "", n + 1);
	return 0;
}

/* ---- Credentials ---- */

int cb_store_credential_set(cb_store *s, int64_t person_id, const char *hash, int64_t now)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s, "INSERT INTO credential (person_id, hash, set_at) "
				      "VALUES (?1, ?2, ?3) ON CONFLICT (person_id) DO UPDATE "
				      "SET hash = excluded.hash, set_at = excluded.set_at",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, person_id);
	cb_store_bind_text(st, 2, hash);
	sqlite3_bind_int64(st, 3, now);
	return run(s, st, "setting a password", NULL);
}

int cb_store_credential_get(cb_store *s, int64_t person_id, char *hash, size_t hashlen,
			    int *found)
{
	sqlite3_stmt *st;
	int rc, step;

	*found = 0;
	if ((rc = cb_store_prepare(s, "SELECT hash FROM credential WHERE person_id = ?1", &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, person_id);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		rc = column_copy(st, 0, hash, hashlen, "reading a password hash");
		*found = rc == 0;
	} else if (step != SQLITE_DONE) {
		rc = cb_store_fail(s, "reading a password hash");
	}
	sqlite3_finalize(st);
	return rc;
}

/* ---- Invitations ---- */

int cb_store_invitation_insert(cb_store *s, const unsigned char hash[CB_STORE_TOKEN_HASH],
			       int64_t person_id, int64_t created_at, int64_t expires_at)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s, "INSERT INTO invitation (token_hash, person_id, created_at, "
				      "expires_at) VALUES (?1, ?2, ?3, ?4)",
				   &st)) < 0)
		return rc;
	bind_hash(st, 1, hash);
	sqlite3_bind_int64(st, 2, person_id);
	sqlite3_bind_int64(st, 3, created_at);
	sqlite3_bind_int64(st, 4, expires_at);
	return run(s, st, "recording an invitation", NULL);
}

int cb_store_invitation_get(cb_store *s, const unsigned char hash[CB_STORE_TOKEN_HASH],
			    cb_invitation *out, int *found)
{
	sqlite3_stmt *st;
	int rc, step;

	*found = 0;
	*out = (cb_invitation){0};
	if ((rc = cb_store_prepare(s, "SELECT person_id, created_at, expires_at, used_at "
				      "FROM invitation WHERE token_hash = ?1",
				   &st)) < 0)
		return rc;
	bind_hash(st, 1, hash);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		out->person_id = sqlite3_column_int64(st, 0);
		out->created_at = sqlite3_column_int64(st, 1);
		out->expires_at = sqlite3_column_int64(st, 2);
		out->used_at = column_time(st, 3);
		*found = 1;
	} else if (step != SQLITE_DONE) {
		rc = cb_store_fail(s, "reading an invitation");
	}
	sqlite3_finalize(st);
	return rc;
}

int cb_store_invitation_use(cb_store *s, const unsigned char hash[CB_STORE_TOKEN_HASH],
			    int64_t now, int *used)
{
	sqlite3_stmt *st;
	int rc, changes = 0;

	*used = 0;
	if ((rc = cb_store_prepare(s, "UPDATE invitation SET used_at = ?2 "
				      "WHERE token_hash = ?1 AND used_at IS NULL",
				   &st)) < 0)
		return rc;
	bind_hash(st, 1, hash);
	sqlite3_bind_int64(st, 2, now);
	if ((rc = run(s, st, "using an invitation", &changes)) < 0)
		return rc;
	*used = changes == 1;
	return 0;
}

int cb_store_invitation_drop_unused(cb_store *s, int64_t person_id)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s, "DELETE FROM invitation WHERE person_id = ?1 AND used_at IS NULL",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, person_id);
	return run(s, st, "replacing an invitation", NULL);
}

/* ---- Web sessions ---- */

int cb_store_web_session_insert(cb_store *s, const unsigned char hash[CB_STORE_TOKEN_HASH],
				const cb_web_session *w)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s, "INSERT INTO web_session (token_hash, person_id, csrf_token, "
				      "created_at, expires_at, last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
				   &st)) < 0)
		return rc;
	bind_hash(st, 1, hash);
	sqlite3_bind_int64(st, 2, w->person_id);
	cb_store_bind_text(st, 3, w->csrf);
	sqlite3_bind_int64(st, 4, w->created_at);
	sqlite3_bind_int64(st, 5, w->expires_at);
	sqlite3_bind_int64(st, 6, w->last_seen);
	return run(s, st, "recording a sign-in", NULL);
}

int cb_store_web_session_get(cb_store *s, const unsigned char hash[CB_STORE_TOKEN_HASH],
			     cb_web_session *out, int *found)
{
	sqlite3_stmt *st;
	int rc, step;

	*found = 0;
	*out = (cb_web_session){0};
	if ((rc = cb_store_prepare(s, "SELECT person_id, csrf_token, created_at, expires_at, last_seen "
				      "FROM web_session WHERE token_hash = ?1",
				   &st)) < 0)
		return rc;
	bind_hash(st, 1, hash);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		out->person_id = sqlite3_column_int64(st, 0);
		rc = column_copy(st, 1, out->csrf, sizeof(out->csrf), "reading a sign-in");
		out->created_at = sqlite3_column_int64(st, 2);
		out->expires_at = sqlite3_column_int64(st, 3);
		out->last_seen = sqlite3_column_int64(st, 4);
		*found = rc == 0;
	} else if (step != SQLITE_DONE) {
		rc = cb_store_fail(s, "reading a sign-in");
	}
	sqlite3_finalize(st);
	return rc;
}

int cb_store_web_session_touch(cb_store *s, const unsigned char hash[CB_STORE_TOKEN_HASH],
			       int64_t now)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s, "UPDATE web_session SET last_seen = ?2 WHERE token_hash = ?1",
				   &st)) < 0)
		return rc;
	bind_hash(st, 1, hash);
	sqlite3_bind_int64(st, 2, now);
	return run(s, st, "refreshing a sign-in", NULL);
}

int cb_store_web_session_delete(cb_store *s, const unsigned char hash[CB_STORE_TOKEN_HASH],
				int *found)
{
	sqlite3_stmt *st;
	int rc, changes = 0;

	if ((rc = cb_store_prepare(s, "DELETE FROM web_session WHERE token_hash = ?1", &st)) < 0)
		return rc;
	bind_hash(st, 1, hash);
	rc = run(s, st, "signing out", &changes);
	if (found)
		*found = changes > 0;
	return rc;
}

int cb_store_web_session_delete_person(cb_store *s, int64_t person_id)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s, "DELETE FROM web_session WHERE person_id = ?1", &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, person_id);
	return run(s, st, "ending a person's sign-ins", NULL);
}

int cb_store_web_session_prune(cb_store *s, int64_t now, int64_t idle_before)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s, "DELETE FROM web_session WHERE expires_at <= ?1 OR last_seen < ?2",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, idle_before);
	return run(s, st, "forgetting expired sign-ins", NULL);
}

/* ---- API tokens ---- */

#define API_TOKEN_COLUMNS "id, person_id, name, created_at, last_used_at, revoked_at"

static int api_token_read(sqlite3_stmt *st, cb_api_token *t)
{
	*t = (cb_api_token){0};
	t->id = sqlite3_column_int64(st, 0);
	t->person_id = sqlite3_column_int64(st, 1);
	t->created_at = sqlite3_column_int64(st, 3);
	t->last_used_at = column_time(st, 4);
	t->revoked_at = column_time(st, 5);
	return column_copy(st, 2, t->name, sizeof(t->name), "reading an API token");
}

int cb_store_api_token_insert(cb_store *s, int64_t person_id, const char *name,
			      const unsigned char hash[CB_STORE_TOKEN_HASH], int64_t now)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s, "INSERT INTO api_token (person_id, name, token_hash, created_at) "
				      "VALUES (?1, ?2, ?3, ?4)",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, person_id);
	cb_store_bind_text(st, 2, name);
	bind_hash(st, 3, hash);
	sqlite3_bind_int64(st, 4, now);
	return run(s, st, "recording an API token", NULL);
}

int cb_store_api_token_by_hash(cb_store *s, const unsigned char hash[CB_STORE_TOKEN_HASH],
			       cb_api_token *out, int *found)
{
	sqlite3_stmt *st;
	int rc, step;

	*found = 0;
	*out = (cb_api_token){0};
	if ((rc = cb_store_prepare(s, "SELECT " API_TOKEN_COLUMNS " FROM api_token WHERE token_hash = ?1",
				   &st)) < 0)
		return rc;
	bind_hash(st, 1, hash);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		*found = (rc = api_token_read(st, out)) == 0;
	else if (step != SQLITE_DONE)
		rc = cb_store_fail(s, "reading an API token");
	sqlite3_finalize(st);
	return rc;
}

int cb_store_api_token_touch(cb_store *s, int64_t id, int64_t now)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s, "UPDATE api_token SET last_used_at = ?2 WHERE id = ?1", &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	return run(s, st, "noting an API token's use", NULL);
}

int cb_store_api_token_revoke(cb_store *s, int64_t person_id, const char *name, int64_t now,
			      int *found)
{
	sqlite3_stmt *st;
	int rc, changes = 0;

	*found = 0;
	if ((rc = cb_store_prepare(s, "UPDATE api_token SET revoked_at = ?3 "
				      "WHERE person_id = ?1 AND name = ?2 AND revoked_at IS NULL",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, person_id);
	cb_store_bind_text(st, 2, name);
	sqlite3_bind_int64(st, 3, now);
	if ((rc = run(s, st, "revoking an API token", &changes)) < 0)
		return rc;
	*found = changes > 0;
	return 0;
}

int cb_store_api_token_each(cb_store *s, int64_t person_id, cb_api_token_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	int rc, step;

	if ((rc = cb_store_prepare(s, "SELECT " API_TOKEN_COLUMNS " FROM api_token "
				      "WHERE person_id = ?1 ORDER BY name, created_at, id",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, person_id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		cb_api_token t;

		if ((rc = api_token_read(st, &t)) < 0 || (rc = fn(&t, ctx)))
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = cb_store_fail(s, "listing API tokens");
	sqlite3_finalize(st);
	return rc;
}

/* ---- Failed sign-ins ---- */

int cb_store_signin_failure_add(cb_store *s, const char *who, int64_t at, int64_t *id)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s, "INSERT INTO signin_failure (who, at) VALUES (?1, ?2)", &st)) < 0)
		return rc;
	cb_store_bind_text(st, 1, who);
	sqlite3_bind_int64(st, 2, at);
	if ((rc = run(s, st, "recording a failed sign-in", NULL)) == 0 && id)
		*id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

int cb_store_signin_failure_remove(cb_store *s, int64_t id)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s, "DELETE FROM signin_failure WHERE rowid = ?1", &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	return run(s, st, "forgetting a failed sign-in", NULL);
}

int cb_store_signin_failure_count(cb_store *s, const char *who, int64_t since, int64_t *count,
				  int64_t *last)
{
	sqlite3_stmt *st;
	int rc;

	*count = 0;
	*last = 0;
	if ((rc = cb_store_prepare(s, "SELECT count(*), coalesce(max(at), 0) FROM signin_failure "
				      "WHERE who = ?1 AND at >= ?2",
				   &st)) < 0)
		return rc;
	cb_store_bind_text(st, 1, who);
	sqlite3_bind_int64(st, 2, since);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*count = sqlite3_column_int64(st, 0);
		*last = sqlite3_column_int64(st, 1);
	} else {
		rc = cb_store_fail(s, "counting failed sign-ins");
	}
	sqlite3_finalize(st);
	return rc;
}

int cb_store_signin_failure_each(cb_store *s, const char *who, int64_t since,
				 int (*fn)(int64_t at, void *ctx), void *ctx)
{
	sqlite3_stmt *st;
	int rc, step;

	if ((rc = cb_store_prepare(s, "SELECT at FROM signin_failure WHERE who = ?1 AND at >= ?2 "
				      "ORDER BY at, rowid",
				   &st)) < 0)
		return rc;
	cb_store_bind_text(st, 1, who);
	sqlite3_bind_int64(st, 2, since);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = fn(sqlite3_column_int64(st, 0), ctx)))
			break;
	if (rc == 0 && step != SQLITE_DONE)
		rc = cb_store_fail(s, "reading failed sign-ins");
	sqlite3_finalize(st);
	return rc;
}

int cb_store_signin_failure_clear(cb_store *s, const char *who)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s, "DELETE FROM signin_failure WHERE who = ?1", &st)) < 0)
		return rc;
	cb_store_bind_text(st, 1, who);
	return run(s, st, "forgetting failed sign-ins", NULL);
}

int cb_store_signin_failure_prune(cb_store *s, int64_t before)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s, "DELETE FROM signin_failure WHERE at < ?1", &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, before);
	return run(s, st, "forgetting old failed sign-ins", NULL);
}
