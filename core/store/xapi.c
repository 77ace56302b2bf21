/*
 * The xAPI export's queries: attendance rows joined with their session,
 * program, trainer and person, and case-study events from tables that a
 * later migration adds (their columns are found by name at run time).
 */
#include "store/xapi.h"

#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "store/internal.h"

int cb_store_xapi_attendance_each(cb_store *s, const char *since_on,
				  cb_xapi_attendance_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	int rc, step;

	if ((rc = cb_store_prepare(s,
				   "SELECT s.key, s.title, s.format, s.starts_on, s.ends_on,"
				   " s.location, g.key, g.name, g.description, t.key, t.name,"
				   " t.email, p.key, p.name, p.email, a.status, a.reaction,"
				   " a.pre_score, a.post_score"
				   " FROM attendance a JOIN session s ON s.id = a.session_id"
				   " JOIN program g ON g.id = s.program_id"
				   " JOIN person p ON p.id = a.person_id"
				   " LEFT JOIN person t ON t.id = s.trainer_id"
				   " WHERE s.status <> 'cancelled'"
				   " AND (?1 IS NULL OR s.ends_on >= ?1)"
				   " ORDER BY s.ends_on, s.key, p.key",
				   &st)) < 0)
		return rc;
	cb_store_bind_text(st, 1, since_on);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		cb_xapi_attendance a = {0};

#define TEXT(i) ((const char *)sqlite3_column_text(st, (i)))
		a.session = TEXT(0);
		a.title = TEXT(1);
		a.format = TEXT(2);
		a.starts_on = TEXT(3);
		a.ends_on = TEXT(4);
		a.location = TEXT(5);
		a.program = TEXT(6);
		a.program_name = TEXT(7);
		a.program_description = TEXT(8);
		a.trainer = TEXT(9);
		a.trainer_name = TEXT(10);
		a.trainer_email = TEXT(11);
		a.person = TEXT(12);
		a.name = TEXT(13);
		a.email = TEXT(14);
		a.status = TEXT(15);
#undef TEXT
		a.has_reaction = sqlite3_column_type(st, 16) != SQLITE_NULL;
		a.reaction = sqlite3_column_int(st, 16);
		a.has_pre = sqlite3_column_type(st, 17) != SQLITE_NULL;
		a.pre_score = sqlite3_column_double(st, 17);
		a.has_post = sqlite3_column_type(st, 18) != SQLITE_NULL;
		a.post_score = sqlite3_column_double(st, 18);
		if (!a.session || !a.title || !a.format || !a.starts_on || !a.ends_on ||
		    !a.program || !a.program_name || !a.person || !a.name || !a.status) {
			rc = cb_error_set(CB_ENOMEM, "out of memory");
			break;
		}
		if ((rc = fn(&a, ctx)))
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = cb_store_fail(s, "reading attendance for the xAPI export");
	sqlite3_finalize(st);
	return rc;
}

/* The column names this file knows for the case-study tables, most likely
 * first. A column is used only when the table has it; the SQL below is
 * built from these constants, never from text read out of the database. */
static const char *const slug_columns[] = {"slug", "key", NULL};
static const char *const title_columns[] = {"title", "name", NULL};
static const char *const author_columns[] = {"author_id", "person_id", "technician_id",
					     "author", NULL};
static const char *const submitted_columns[] = {"submitted_at", "submitted_on",
						"submitted", NULL};
static const char *const approved_columns[] = {"approved_at", "approved_on", NULL};
static const char *const approver_columns[] = {"approved_by", "approver_id",
					       "reviewer_id", NULL};
static const char *const review_case_columns[] = {"case_id", "case_study_id", "study_id",
						  NULL};
static const char *const review_slug_columns[] = {"slug", "case_slug", "case", NULL};
static const char *const reviewer_columns[] = {"reviewer_id", "person_id", "reviewer",
					       "author_id", NULL};
static const char *const decision_columns[] = {"decision", "verdict", "outcome",
					       "status", NULL};
static const char *const review_time_columns[] = {"at", "reviewed_at", "decided_at",
						  "created_at", "time", NULL};
static const char *const id_columns[] = {"id", NULL};

/* A table's columns as pragma_table_info lists them. */
typedef struct columns {
	char names[64][64];
	int integer[64]; /* declared type holds "INT" */
	size_t n;
} columns;

static int table_columns(cb_store *s, const char *table, columns *c, int *exists)
{
	sqlite3_stmt *st;
	int rc, step;

	c->n = 0;
	*exists = 0;
	if ((rc = cb_store_prepare(s, "SELECT name, upper(coalesce(type, ''))"
				      " FROM pragma_table_info(?1)",
				   &st)) < 0)
		return rc;
	cb_store_bind_text(st, 1, table);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *type = (const char *)sqlite3_column_text(st, 1);

		*exists = 1;
		if (!name || c->n == 64 || strlen(name) >= sizeof(c->names[0]))
			continue;
		snprintf(c->names[c->n], sizeof(c->names[0]), "%s", name);
		c->integer[c->n] = type && strstr(type, "INT") != NULL;
		c->n++;
	}
	if (step != SQLITE_DONE)
		rc = cb_store_fail(s, "reading the case-study tables' columns");
	sqlite3_finalize(st);
	return rc;
}

/* The first of `candidates` that `c` has (our constant, not the table's
 * text), or NULL; *integer says whether it is declared as an integer. */
static const char *pick(const columns *c, const char *const *candidates, int *integer)
{
	for (const char *const *k = candidates; *k; k++)
		for (size_t i = 0; i < c->n; i++)
			if (strcmp(c->names[i], *k) == 0) {
				if (integer)
					*integer = c->integer[i];
				return *k;
			}
	return NULL;
}

/* A reference to a person: an id when the column is an integer or is
 * named *_id, else the person's key. */
static const char *person_match(const char *column, int integer)
{
	size_t len = strlen(column);

	return integer || (len > 3 && strcmp(column + len - 3, "_id") == 0) ? "id" : "key";
}

/* Unix seconds from a column holding either Unix seconds or ISO text. */
#define UNIX_TIME(x)                                                           \
	"CASE typeof(" x ") WHEN 'integer' THEN " x " WHEN 'real' THEN CAST(" x  \
	" AS INTEGER) ELSE CAST(strftime('%%s', " x ") AS INTEGER) END"

int cb_store_xapi_case_each(cb_store *s, int64_t since, cb_xapi_case_fn fn,
			    void *ctx, cb_xapi_cases *found)
{
	columns cs, cr;
	int has_case, has_review, rc, step;
	const char *slug, *title, *author, *submitted, *approved, *approver;
	const char *ref = NULL, *reviewer = NULL, *decision = NULL, *when = NULL;
	int author_int = 0, approver_int = 0, reviewer_int = 0, ref_is_id = 0;
	char sub_sql[1024] = "", app_sql[1024] = "", sql[2600], timex[256];
	sqlite3_stmt *st;

	*found = CB_XAPI_CASES_ABSENT;
	if ((rc = table_columns(s, "case_study", &cs, &has_case)) < 0)
		return rc;
	if (!has_case)
		return 0;
	if ((rc = table_columns(s, "case_review", &cr, &has_review)) < 0)
		return rc;
	*found = CB_XAPI_CASES_UNKNOWN;
	slug = pick(&cs, slug_columns, NULL);
	title = pick(&cs, title_columns, NULL);
	author = pick(&cs, author_columns, &author_int);
	submitted = pick(&cs, submitted_columns, NULL);
	approved = pick(&cs, approved_columns, NULL);
	approver = pick(&cs, approver_columns, &approver_int);
	if (!slug)
		return 0;
	if (author && submitted) {
		snprintf(timex, sizeof(timex), UNIX_TIME("c.%s"), submitted, submitted,
			 submitted, submitted);
		snprintf(sub_sql, sizeof(sub_sql),
			 "SELECT 'submitted' AS verb, c.%s AS slug, %s%s AS title, p.key,"
			 " p.name, p.email, %s AS at FROM case_study c"
			 " JOIN person p ON p.%s = c.%s WHERE c.%s IS NOT NULL",
			 slug, title ? "c." : "", title ? title : "NULL", timex,
			 person_match(author, author_int), author, submitted);
	}
	if (has_review) {
		ref = pick(&cr, review_case_columns, NULL);
		ref_is_id = ref != NULL;
		if (!ref)
			ref = pick(&cr, review_slug_columns, NULL);
		reviewer = pick(&cr, reviewer_columns, &reviewer_int);
		decision = pick(&cr, decision_columns, NULL);
		when = pick(&cr, review_time_columns, NULL);
	}
	if (ref && reviewer && decision && when && (!ref_is_id || pick(&cs, id_columns, NULL))) {
		snprintf(timex, sizeof(timex), UNIX_TIME("r.%s"), when, when, when, when);
		snprintf(app_sql, sizeof(app_sql),
			 "SELECT 'approved' AS verb, c.%s AS slug, %s%s AS title, p.key,"
			 " p.name, p.email, %s AS at FROM case_review r JOIN case_study c ON c.%s = r.%s"
			 " JOIN person p ON p.%s = r.%s WHERE r.%s = 'approved'",
			 slug, title ? "c." : "", title ? title : "NULL", timex,
			 ref_is_id ? "id" : slug, ref, person_match(reviewer, reviewer_int),
			 reviewer, decision);
	} else if (approved && approver) {
		snprintf(timex, sizeof(timex), UNIX_TIME("c.%s"), approved, approved,
			 approved, approved);
		snprintf(app_sql, sizeof(app_sql),
			 "SELECT 'approved' AS verb, c.%s AS slug, %s%s AS title, p.key,"
			 " p.name, p.email, %s AS at FROM case_study c JOIN person p ON p.%s = c.%s"
			 " WHERE c.%s IS NOT NULL",
			 slug, title ? "c." : "", title ? title : "NULL", timex,
			 person_match(approver, approver_int), approver, approved);
	}
	if (!*sub_sql && !*app_sql)
		return 0;
	*found = CB_XAPI_CASES_READ;
	snprintf(sql, sizeof(sql),
		 "SELECT verb, slug, title, key, name, email, at FROM (%s%s%s)"
		 " WHERE at IS NOT NULL AND at >= ?1 ORDER BY at, slug, verb DESC, key",
		 sub_sql, *sub_sql && *app_sql ? " UNION ALL " : "", app_sql);
	if ((rc = cb_store_prepare(s, sql, &st)) < 0)
		return cb_error_prefix("reading case-study events");
	sqlite3_bind_int64(st, 1, since);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		cb_xapi_case_event e = {0};

		e.verb = (const char *)sqlite3_column_text(st, 0);
		e.slug = (const char *)sqlite3_column_text(st, 1);
		e.title = (const char *)sqlite3_column_text(st, 2);
		e.person = (const char *)sqlite3_column_text(st, 3);
		e.name = (const char *)sqlite3_column_text(st, 4);
		e.email = (const char *)sqlite3_column_text(st, 5);
		e.at = sqlite3_column_int64(st, 6);
		if (!e.verb || !e.slug || !e.person || !e.name) {
			rc = cb_error_set(CB_ENOMEM, "out of memory");
			break;
		}
		if ((rc = fn(&e, ctx)))
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = cb_store_fail(s, "reading case-study events for the xAPI export");
	sqlite3_finalize(st);
	return rc;
}
