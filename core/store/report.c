/* The report's own queries: an account's sessions, and the case studies
 * read from whatever case_study table the database has. */
#include "store/report.h"

#include <stdio.h>
#include <string.h>

#include "base/date.h"
#include "base/error.h"
#include "store/internal.h"

int cb_store_report_account_sessions(cb_store *s, int64_t account_id,
				     int (*fn)(const char *key, int32_t first, int32_t last,
					       void *ctx),
				     void *ctx)
{
	sqlite3_stmt *st;
	int rc, step;

	/* The same reach as cb_store_exposure_first_for_account, every row. */
	if ((rc = cb_store_prepare(s, "SELECT s.key, s.starts_on, s.ends_on FROM session s "
				      "WHERE s.status = 'scheduled' AND ("
				      "EXISTS (SELECT 1 FROM session_account sa WHERE sa.session_id = s.id "
				      "AND sa.account_id = ?1) OR "
				      "EXISTS (SELECT 1 FROM attendance t JOIN coverage c ON c.person_id = t.person_id "
				      "WHERE t.session_id = s.id AND t.status IN ('attended', 'partial') "
				      "AND c.account_id = ?1 AND c.from_on <= s.ends_on "
				      "AND (c.to_on IS NULL OR c.to_on >= s.ends_on))) "
				      "ORDER BY s.starts_on, s.key",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, account_id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int32_t first, last;

		if (cb_date_parse((const char *)sqlite3_column_text(st, 1), &first) < 0 ||
		    cb_date_parse((const char *)sqlite3_column_text(st, 2), &last) < 0) {
			rc = cb_error_prefix("session %s", sqlite3_column_text(st, 0));
			break;
		}
		if ((rc = fn((const char *)sqlite3_column_text(st, 0), first, last, ctx)))
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = cb_store_fail(s, "listing an account's sessions");
	sqlite3_finalize(st);
	return rc;
}

/*
 * The case-study tables arrive with a later migration whose column names
 * this file cannot know for sure, so it reads the table's columns and
 * takes the first known name of each field it finds. The SQL is built from
 * these constants only, never from text read out of the database.
 */
static const char *const slug_columns[] = {"slug", "key", NULL};
static const char *const title_columns[] = {"title", "name", NULL};
static const char *const status_columns[] = {"status", "state", NULL};
static const char *const account_columns[] = {"account_id", "account", NULL};
static const char *const author_columns[] = {"technician_id", "author_id", "person_id",
					     "technician", "author", NULL};
static const char *const evidence_columns[] = {"evidence", "evidence_status", "evidence_state",
					       "evidence_check", NULL};

typedef struct columns {
	char names[64][64];
	int integer[64]; /* declared type holds "INT" */
	size_t n;
} columns;

static int table_exists(cb_store *s, const char *table, int *exists)
{
	sqlite3_stmt *st;
	int rc, step;

	if ((rc = cb_store_prepare(s, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
				   &st)) < 0)
		return rc;
	cb_store_bind_text(st, 1, table);
	step = sqlite3_step(st);
	*exists = step == SQLITE_ROW;
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		rc = cb_store_fail(s, "looking for the case-study table");
	sqlite3_finalize(st);
	return rc;
}

static int table_columns(cb_store *s, const char *table, columns *c)
{
	sqlite3_stmt *st;
	int rc, step;

	c->n = 0;
	if ((rc = cb_store_prepare(s, "SELECT name, upper(coalesce(type, '')) FROM pragma_table_info(?1)",
				   &st)) < 0)
		return rc;
	cb_store_bind_text(st, 1, table);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *type = (const char *)sqlite3_column_text(st, 1);

		if (!name || c->n == 64 || strlen(name) >= sizeof(c->names[0]))
			continue;
		snprintf(c->names[c->n], sizeof(c->names[0]), "%s", name);
		c->integer[c->n] = type && strstr(type, "INT") != NULL;
		c->n++;
	}
	if (step != SQLITE_DONE)
		rc = cb_store_fail(s, "reading the case-study table's columns");
	sqlite3_finalize(st);
	return rc;
}

/* The first of `candidates` the table has (our constant), or NULL. */
static const char *pick(const columns *c, const char *const *candidates, int *by_id)
{
	for (const char *const *k = candidates; *k; k++)
		for (size_t i = 0; i < c->n; i++)
			if (strcmp(c->names[i], *k) == 0) {
				size_t len = strlen(*k);

				if (by_id)
					*by_id = c->integer[i] ||
						 (len > 3 && strcmp(*k + len - 3, "_id") == 0);
				return *k;
			}
	return NULL;
}

static const char *text_or_null(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

int cb_store_report_cases(cb_store *s, int *available, cb_report_case_fn fn, void *ctx)
{
	const char *slug, *title, *status, *account, *author, *evidence;
	int account_by_id = 0, author_by_id = 0, exists, rc, step;
	char account_sql[160], author_sql[160], sql[1024];
	sqlite3_stmt *st;
	columns c;

	*available = 0;
	if ((rc = table_exists(s, "case_study", &exists)) < 0)
		return rc;
	if (!exists)
		return 0;
	if ((rc = table_columns(s, "case_study", &c)) < 0)
		return rc;
	slug = pick(&c, slug_columns, NULL);
	if (!slug)
		return cb_error_set(CB_EDB, "the case_study table has no slug column this build knows; "
					    "is this casebook older than the database?");
	*available = 1;
	title = pick(&c, title_columns, NULL);
	status = pick(&c, status_columns, NULL);
	account = pick(&c, account_columns, &account_by_id);
	author = pick(&c, author_columns, &author_by_id);
	evidence = pick(&c, evidence_columns, NULL);
	if (!account)
		snprintf(account_sql, sizeof(account_sql), "NULL");
	else if (account_by_id)
		snprintf(account_sql, sizeof(account_sql),
			 "(SELECT a.key FROM account a WHERE a.id = c.%s)", account);
	else
		snprintf(account_sql, sizeof(account_sql), "c.%s", account);
	if (!author)
		snprintf(author_sql, sizeof(author_sql), "NULL");
	else if (author_by_id)
		snprintf(author_sql, sizeof(author_sql),
			 "(SELECT p.key FROM person p WHERE p.id = c.%s)", author);
	else
		snprintf(author_sql, sizeof(author_sql), "c.%s", author);
	snprintf(sql, sizeof(sql), "SELECT c.%s, %s%s, %s%s, %s, %s, %s%s FROM case_study c ORDER BY 1",
		 slug, title ? "c." : "", title ? title : "NULL", status ? "c." : "",
		 status ? status : "NULL", account_sql, author_sql, evidence ? "c." : "",
		 evidence ? evidence : "NULL");
	if ((rc = cb_store_prepare(s, sql, &st)) < 0)
		return cb_error_prefix("reading the case studies");
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		cb_report_case_row row = {text_or_null(st, 0), text_or_null(st, 1), text_or_null(st, 2),
					  text_or_null(st, 3), text_or_null(st, 4), text_or_null(st, 5)};

		if (!row.slug)
			continue;
		if ((rc = fn(&row, ctx)))
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = cb_store_fail(s, "reading the case studies");
	sqlite3_finalize(st);
	return rc;
}
