/* The account table's queries. */
#include "store/account.h"

#include <stdlib.h>

#include "base/error.h"
#include "store/internal.h"

#define ACCOUNT_COLUMNS "id, key, name, industry, region, created_at"

void cb_account_clear(cb_account *a)
{
	free(a->key);
	free(a->name);
	free(a->industry);
	free(a->region);
	free(a->created_at);
	*a = (cb_account){0};
}

static int account_read(sqlite3_stmt *st, cb_account *a)
{
	int oom = 0;

	a->id = sqlite3_column_int64(st, 0);
	a->key = cb_store_column_dup(st, 1, &oom);
	a->name = cb_store_column_dup(st, 2, &oom);
	a->industry = cb_store_column_dup(st, 3, &oom);
	a->region = cb_store_column_dup(st, 4, &oom);
	a->created_at = cb_store_column_dup(st, 5, &oom);
	if (oom) {
		cb_account_clear(a);
		return cb_error_set(CB_ENOMEM, "out of memory");
	}
	return 0;
}

int cb_store_account_insert(cb_store *s, const cb_account *a)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s,
				   "INSERT INTO account (key, name, industry, region) "
				   "VALUES (?1, ?2, ?3, ?4)",
				   &st)) < 0)
		return rc;
	cb_store_bind_text(st, 1, a->key);
	cb_store_bind_text(st, 2, a->name);
	cb_store_bind_text(st, 3, a->industry);
	cb_store_bind_text(st, 4, a->region);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = cb_store_fail(s, "adding an account");
		if (rc == CB_EEXISTS)
			rc = cb_error_set(CB_EEXISTS, "account '%s' already exists",
					  a->key);
	}
	sqlite3_finalize(st);
	return rc;
}

int cb_store_account_get(cb_store *s, const char *key, cb_account *out)
{
	sqlite3_stmt *st;
	int64_t id;
	int rc;

	*out = (cb_account){0};
	if ((rc = cb_store_id_by_key(s, "account", "account", key, &id)) < 0)
		return rc;
	if ((rc = cb_store_prepare(s, "SELECT " ACCOUNT_COLUMNS
				      " FROM account WHERE id = ?1",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		rc = account_read(st, out);
	else
		rc = cb_store_fail(s, "reading an account");
	sqlite3_finalize(st);
	return rc;
}

int cb_store_account_id(cb_store *s, const char *key, int64_t *id)
{
	return cb_store_id_by_key(s, "account", "account", key, id);
}

int cb_store_account_update(cb_store *s, const cb_account *a)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s,
				   "UPDATE account SET key = ?2, name = ?3, "
				   "industry = ?4, region = ?5 WHERE id = ?1",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, a->id);
	cb_store_bind_text(st, 2, a->key);
	cb_store_bind_text(st, 3, a->name);
	cb_store_bind_text(st, 4, a->industry);
	cb_store_bind_text(st, 5, a->region);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = cb_store_fail(s, "updating an account");
		if (rc == CB_EEXISTS)
			rc = cb_error_set(CB_EEXISTS, "account '%s' already exists",
					  a->key);
	}
	sqlite3_finalize(st);
	return rc;
}

int cb_store_account_each(cb_store *s, cb_account_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	int rc, step;

	if ((rc = cb_store_prepare(s, "SELECT " ACCOUNT_COLUMNS
				      " FROM account ORDER BY key",
				   &st)) < 0)
		return rc;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		cb_account a;

		if ((rc = account_read(st, &a)) < 0)
			break;
		rc = fn(&a, ctx);
		cb_account_clear(&a);
		if (rc)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = cb_store_fail(s, "listing accounts");
	sqlite3_finalize(st);
	return rc;
}

int cb_store_account_sessions(cb_store *s, int64_t id, cb_account_session_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	int rc, step;

	if ((rc = cb_store_prepare(s, "SELECT s.key, s.title, s.format, s.starts_on, s.status "
				      "FROM session_account sa JOIN session s ON s.id = sa.session_id "
				      "WHERE sa.account_id = ?1 ORDER BY s.starts_on, s.key",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = 0;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		cb_account_session as = {(const char *)sqlite3_column_text(st, 0),
					 (const char *)sqlite3_column_text(st, 1),
					 (const char *)sqlite3_column_text(st, 2),
					 (const char *)sqlite3_column_text(st, 3),
					 (const char *)sqlite3_column_text(st, 4)};

		if ((rc = fn(&as, ctx)))
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = cb_store_fail(s, "listing an account's sessions");
	sqlite3_finalize(st);
	return rc;
}
