/*
 * The xAPI export's queries: attendance rows joined with their session,
 * program, trainer and person, and case-study submissions and approvals
 * from the case-study index.
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

/*
 * The case-study events come from the index of schema migration 4
 * (store/case.h). A submission's actor is the case's technician; an
 * approval's is the reviewer. Either may be a person this workspace does
 * not know (a case that came in through `case sync`): then the actor is
 * the name and email the commit carried, and an email Casebook made up
 * for a person without one (KEY@casebook.invalid) is no mailbox.
 */
int cb_store_xapi_case_each(cb_store *s, int64_t since, cb_xapi_case_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	int rc, step;

	if ((rc = cb_store_prepare(
		     s,
		     "SELECT verb, slug, title, key, name, email, at FROM ("
		     " SELECT 'submitted' AS verb, c.slug, c.title,"
		     "  coalesce(p.key, c.technician) AS key, coalesce(p.name, c.technician) AS name,"
		     "  p.email AS email, CAST(strftime('%s', c.submitted_at) AS INTEGER) AS at"
		     " FROM case_study c LEFT JOIN person p ON p.id = c.technician_id"
		     " UNION ALL"
		     " SELECT 'approved', c.slug, c.title,"
		     "  coalesce(p.key, r.reviewer_email), coalesce(p.name, r.reviewer_name),"
		     "  CASE WHEN p.id IS NOT NULL THEN p.email"
		     "   WHEN r.reviewer_email LIKE '%@casebook.invalid' THEN NULL"
		     "   ELSE r.reviewer_email END,"
		     "  CAST(strftime('%s', r.at) AS INTEGER)"
		     " FROM case_review r JOIN case_study c ON c.id = r.case_id"
		     " LEFT JOIN person p ON p.key = r.reviewer"
		     " WHERE r.decision = 'approved')"
		     " WHERE at IS NOT NULL AND at >= ?1 ORDER BY at, slug, verb DESC, key",
		     &st)) < 0)
		return rc;
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
