/* The kpi_value and outcome tables' queries. */
#include "store/outcome.h"

#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "store/internal.h"

int cb_store_kpi_value_set(cb_store *s, const cb_kpi_value *v)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s, "INSERT INTO kpi_value (kpi, per_unit, currency, kind) "
				      "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (kpi) DO UPDATE SET "
				      "per_unit = excluded.per_unit, currency = excluded.currency, "
				      "kind = excluded.kind",
				   &st)) < 0)
		return rc;
	cb_store_bind_text(st, 1, v->kpi);
	sqlite3_bind_double(st, 2, v->per_unit);
	cb_store_bind_text(st, 3, v->currency);
	cb_store_bind_text(st, 4, v->kind);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = cb_store_fail(s, "setting a KPI's value");
	sqlite3_finalize(st);
	return rc;
}

static void value_read(sqlite3_stmt *st, cb_kpi_value *v)
{
	snprintf(v->kpi, sizeof(v->kpi), "%s", sqlite3_column_text(st, 0));
	v->per_unit = sqlite3_column_double(st, 1);
	snprintf(v->currency, sizeof(v->currency), "%s", sqlite3_column_text(st, 2));
	snprintf(v->kind, sizeof(v->kind), "%s", sqlite3_column_text(st, 3));
}

int cb_store_kpi_value_get(cb_store *s, const char *kpi, cb_kpi_value *v, int *found)
{
	sqlite3_stmt *st;
	int rc, step;

	*found = 0;
	if ((rc = cb_store_prepare(s, "SELECT kpi, per_unit, currency, kind FROM kpi_value WHERE kpi = ?1",
				   &st)) < 0)
		return rc;
	cb_store_bind_text(st, 1, kpi);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		value_read(st, v);
		*found = 1;
	} else if (step != SQLITE_DONE) {
		rc = cb_store_fail(s, "reading a KPI's value");
	}
	sqlite3_finalize(st);
	return rc;
}

int cb_store_kpi_value_each(cb_store *s, cb_kpi_value_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	int rc, step;

	if ((rc = cb_store_prepare(s, "SELECT kpi, per_unit, currency, kind FROM kpi_value ORDER BY kpi",
				   &st)) < 0)
		return rc;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		cb_kpi_value v;

		value_read(st, &v);
		if ((rc = fn(&v, ctx)))
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = cb_store_fail(s, "listing KPI values");
	sqlite3_finalize(st);
	return rc;
}

int cb_store_outcome_insert(cb_store *s, const cb_outcome *o)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s, "INSERT INTO outcome (account_id, kpi, target, minimum, from_on, to_on) "
				      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, o->account_id);
	cb_store_bind_text(st, 2, o->kpi);
	sqlite3_bind_double(st, 3, o->target);
	sqlite3_bind_double(st, 4, o->minimum);
	cb_store_bind_text(st, 5, o->from_on);
	cb_store_bind_text(st, 6, o->to_on);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = cb_store_fail(s, "recording an outcome agreement");
		if (rc == CB_EEXISTS)
			rc = cb_error_set(CB_EEXISTS, "an agreement on %s from %s already exists for this account",
					  o->kpi, o->from_on);
	}
	sqlite3_finalize(st);
	return rc;
}

int cb_store_outcome_each(cb_store *s, int64_t account_id, cb_outcome_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	int rc, step;

	if ((rc = cb_store_prepare(s, "SELECT o.id, o.account_id, a.key, o.kpi, o.target, o.minimum, "
				      "o.from_on, o.to_on FROM outcome o JOIN account a ON a.id = o.account_id "
				      "WHERE ?1 = 0 OR o.account_id = ?1 ORDER BY a.key, o.kpi, o.from_on",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, account_id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		cb_outcome o = {sqlite3_column_int64(st, 0),
				sqlite3_column_int64(st, 1),
				(const char *)sqlite3_column_text(st, 2),
				(const char *)sqlite3_column_text(st, 3),
				sqlite3_column_double(st, 4),
				sqlite3_column_double(st, 5),
				(const char *)sqlite3_column_text(st, 6),
				(const char *)sqlite3_column_text(st, 7)};

		if ((rc = fn(&o, ctx)))
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = cb_store_fail(s, "listing outcome agreements");
	sqlite3_finalize(st);
	return rc;
}
