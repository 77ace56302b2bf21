/* The report's own queries: an account's sessions, and the case studies. */
#include "store/report.h"

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

int cb_store_report_cases(cb_store *s, cb_report_case_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	int rc, step;

	if ((rc = cb_store_prepare(s, "SELECT slug, title, status, account, technician, id FROM case_study"
				      " ORDER BY slug",
				   &st)) < 0)
		return rc;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		cb_report_case_row row = {
			.id = sqlite3_column_int64(st, 5),
			.slug = (const char *)sqlite3_column_text(st, 0),
			.title = (const char *)sqlite3_column_text(st, 1),
			.status = (const char *)sqlite3_column_text(st, 2),
			.account = (const char *)sqlite3_column_text(st, 3),
			.technician = (const char *)sqlite3_column_text(st, 4),
		};

		if (!row.slug || !row.title || !row.status || !row.account || !row.technician) {
			rc = cb_error_set(CB_ENOMEM, "out of memory");
			break;
		}
		if ((rc = fn(&row, ctx)))
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = cb_store_fail(s, "reading the case studies");
	sqlite3_finalize(st);
	return rc;
}
