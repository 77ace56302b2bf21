/* The queries behind customer KPI data: measures, batches, observations. */
#include "store/observation.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "store/internal.h"

void cb_batch_clear(cb_batch *b)
{
	free(b->sha256);
	free(b->source);
	free(b->imported_at);
	*b = (cb_batch){0};
}

int cb_store_measure_id(cb_store *s, const char *key, int create, int64_t *id)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s, "SELECT id FROM measure WHERE key = ?1", &st)) < 0)
		return rc;
	cb_store_bind_text(st, 1, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		return 0;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return cb_store_fail(s, "looking up a measure");
	if (!create)
		return cb_error_set(CB_ENOTFOUND, "no observations of measure '%s'", key);
	if ((rc = cb_store_prepare(s, "INSERT INTO measure (key) VALUES (?1)", &st)) < 0)
		return rc;
	cb_store_bind_text(st, 1, key);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = cb_store_fail(s, "adding a measure");
	else
		*id = sqlite3_last_insert_rowid(s->db);
	sqlite3_finalize(st);
	return rc;
}

#define BATCH_COLUMNS "id, sha256, source, rows, first_at, last_at, imported_at, skipped"

static int batch_read(sqlite3_stmt *st, cb_batch *b)
{
	int oom = 0;

	b->id = sqlite3_column_int64(st, 0);
	b->sha256 = cb_store_column_dup(st, 1, &oom);
	b->source = cb_store_column_dup(st, 2, &oom);
	b->rows = sqlite3_column_int64(st, 3);
	b->first_at = sqlite3_column_int64(st, 4);
	b->last_at = sqlite3_column_int64(st, 5);
	b->imported_at = cb_store_column_dup(st, 6, &oom);
	b->skipped = sqlite3_column_int64(st, 7);
	if (oom) {
		cb_batch_clear(b);
		return cb_error_set(CB_ENOMEM, "out of memory");
	}
	return 0;
}

static int is_hex_prefix(const char *ref)
{
	size_t n = strlen(ref);

	if (n < 6 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((ref[i] >= '0' && ref[i] <= '9') || (ref[i] >= 'a' && ref[i] <= 'f')))
			return 0;
	return 1;
}

int cb_store_batch_find(cb_store *s, const char *ref, cb_batch *out)
{
	sqlite3_stmt *st;
	char *end;
	long long id = strtoll(ref, &end, 10);
	int rc, step, found = 0;

	*out = (cb_batch){0};
	if (*ref && !*end && id > 0 && strlen(ref) < 6) {
		if ((rc = cb_store_prepare(s, "SELECT " BATCH_COLUMNS " FROM batch WHERE id = ?1",
					   &st)) < 0)
			return rc;
		sqlite3_bind_int64(st, 1, id);
	} else if (is_hex_prefix(ref)) {
		char pattern[70];

		snprintf(pattern, sizeof(pattern), "%s*", ref);
		if ((rc = cb_store_prepare(s, "SELECT " BATCH_COLUMNS
					      " FROM batch WHERE sha256 GLOB ?1 LIMIT 2",
					   &st)) < 0)
			return rc;
		cb_store_bind_text(st, 1, pattern);
	} else {
		return cb_error_set(CB_EINVALID,
				    "'%.70s' names no batch: give its number or at least 6 hex digits of its hash "
				    "('casebook data batches' lists them)",
				    ref);
	}
	rc = 0;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (found++) {
			cb_batch_clear(out);
			rc = cb_error_set(CB_EINVALID, "'%s' matches more than one batch; give more digits",
					  ref);
			break;
		}
		if ((rc = batch_read(st, out)) < 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = cb_store_fail(s, "finding a batch");
	sqlite3_finalize(st);
	if (rc == 0 && !found)
		rc = cb_error_set(CB_ENOTFOUND, "no batch '%s' ('casebook data batches' lists them)", ref);
	return rc;
}

int cb_store_batch_by_sha(cb_store *s, const char *sha256, cb_batch *out, int *found)
{
	sqlite3_stmt *st;
	int rc, step;

	*found = 0;
	*out = (cb_batch){0};
	if ((rc = cb_store_prepare(s, "SELECT " BATCH_COLUMNS " FROM batch WHERE sha256 = ?1",
				   &st)) < 0)
		return rc;
	cb_store_bind_text(st, 1, sha256);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*found = 1;
		rc = batch_read(st, out);
	} else if (step != SQLITE_DONE) {
		rc = cb_store_fail(s, "finding a batch");
	}
	sqlite3_finalize(st);
	return rc;
}

int cb_store_batch_begin(cb_store *s, const char *source, int64_t *id)
{
	sqlite3_stmt *st;
	char placeholder[64];
	int rc;

	/* Unique until the real hash is known at the end of the import. */
	snprintf(placeholder, sizeof(placeholder), "pending-%p-%lld", (void *)s,
		 (long long)sqlite3_last_insert_rowid(s->db));
	if ((rc = cb_store_prepare(s, "INSERT INTO batch (sha256, source) VALUES (?1, ?2)", &st)) < 0)
		return rc;
	cb_store_bind_text(st, 1, placeholder);
	cb_store_bind_text(st, 2, source);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = cb_store_fail(s, "starting a batch");
	else
		*id = sqlite3_last_insert_rowid(s->db);
	sqlite3_finalize(st);
	return rc;
}

int cb_store_batch_finish(cb_store *s, int64_t id, const char *sha256, int64_t rows,
			  int64_t skipped, int64_t first_at, int64_t last_at)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s, "UPDATE batch SET sha256 = ?2, rows = ?3, first_at = ?4, "
				      "last_at = ?5, skipped = ?6 WHERE id = ?1",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 6, skipped);
	sqlite3_bind_int64(st, 1, id);
	cb_store_bind_text(st, 2, sha256);
	sqlite3_bind_int64(st, 3, rows);
	sqlite3_bind_int64(st, 4, first_at);
	sqlite3_bind_int64(st, 5, last_at);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = cb_store_fail(s, "completing a batch");
	sqlite3_finalize(st);
	return rc;
}

int cb_store_batch_drop(cb_store *s, int64_t id, int64_t *rows)
{
	sqlite3_stmt *st;
	int rc;

	/* No index on batch_id: dropping is rare, and a scan of the clustered
	 * table is fast, while an index would slow every import. */
	if ((rc = cb_store_prepare(s, "DELETE FROM observation WHERE batch_id = ?1", &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = cb_store_fail(s, "dropping a batch's observations");
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	*rows = sqlite3_changes64(s->db);
	if ((rc = cb_store_prepare(s, "DELETE FROM batch WHERE id = ?1", &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = cb_store_fail(s, "dropping a batch");
	sqlite3_finalize(st);
	return rc;
}

int cb_store_batch_each(cb_store *s, cb_batch_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	int rc, step;

	if ((rc = cb_store_prepare(s, "SELECT " BATCH_COLUMNS " FROM batch ORDER BY id", &st)) < 0)
		return rc;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		cb_batch b;

		if ((rc = batch_read(st, &b)) < 0)
			break;
		rc = fn(&b, ctx);
		cb_batch_clear(&b);
		if (rc)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = cb_store_fail(s, "listing batches");
	sqlite3_finalize(st);
	return rc;
}

int cb_store_observation_span(cb_store *s, int64_t *first_at, int64_t *last_at, int *found)
{
	sqlite3_stmt *st;
	int rc;

	*first_at = *last_at = 0;
	*found = 0;
	if ((rc = cb_store_prepare(s, "SELECT min(first_at), max(last_at) FROM batch WHERE rows > 0",
				   &st)) < 0)
		return rc;
	if (sqlite3_step(st) != SQLITE_ROW)
		rc = cb_store_fail(s, "reading the observations' time span");
	else if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*first_at = sqlite3_column_int64(st, 0);
		*last_at = sqlite3_column_int64(st, 1);
		*found = 1;
	}
	sqlite3_finalize(st);
	return rc;
}

/* The bulk writer. The rows come from the caller through an eponymous
 * virtual table, casebook_observation_feed(W), whose hidden argument is the
 * writer itself (bound as a pointer), and go in through one INSERT ...
 * SELECT: one statement and one cursor for the whole import. A statement
 * per row would open a cursor per row, search the B-tree from its root twice
 * (the primary key's uniqueness check, then the insert) and end a statement
 * each time; a cursor kept open finds a row that follows the last one on
 * the page it is on already. OR FAIL: a failure leaves the rows before it
 * to the transaction's rollback, so that SQLite keeps no statement journal
 * (a copy of every page of the table the statement changes, in a
 * temporary file: the whole table, for an import into a full store). */
struct cb_observation_writer {
	cb_store *s;
	sqlite3_stmt *insert;
	cb_observation_next_fn next;
	void *ctx;
	cb_observation row; /* the feed's current row */
	int failed;         /* next's negative code, once it failed */
};

#define FEED_POINTER_TYPE "cb_observation_writer"

typedef struct feed_cursor {
	sqlite3_vtab_cursor base;
	cb_observation_writer *w;
	sqlite3_int64 rowid;
	int eof;
} feed_cursor;

enum { FEED_MEASURE, FEED_ACCOUNT, FEED_AT, FEED_BATCH, FEED_LINE, FEED_VALUE, FEED_SOURCE,
       FEED_NOTE, FEED_WRITER };

static int feed_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
			sqlite3_vtab **out, char **err)
{
	sqlite3_vtab *t;
	int rc;

	(void)aux, (void)argc, (void)argv, (void)err;
	rc = sqlite3_declare_vtab(db, "CREATE TABLE x(measure_id, account_id, at, batch_id, line, "
				      "value, source, note, writer HIDDEN)");
	if (rc != SQLITE_OK)
		return rc;
	if (!(t = sqlite3_malloc(sizeof(*t))))
		return SQLITE_NOMEM;
	memset(t, 0, sizeof(*t));
	*out = t;
	return SQLITE_OK;
}

static int feed_disconnect(sqlite3_vtab *t)
{
	sqlite3_free(t);
	return SQLITE_OK;
}

/* The feed is read whole, once, and only with its writer given. */
static int feed_best_index(sqlite3_vtab *t, sqlite3_index_info *info)
{
	(void)t;
	for (int i = 0; i < info->nConstraint; i++) {
		const struct sqlite3_index_constraint *c = &info->aConstraint[i];

		if (c->iColumn == FEED_WRITER && c->op == SQLITE_INDEX_CONSTRAINT_EQ && c->usable) {
			info->aConstraintUsage[i].argvIndex = 1;
			info->aConstraintUsage[i].omit = 1;
			info->estimatedCost = 1;
			info->idxNum = 1;
			return SQLITE_OK;
		}
	}
	info->estimatedCost = 1e300; /* no plan without its writer */
	return SQLITE_OK;
}

static int feed_open(sqlite3_vtab *t, sqlite3_vtab_cursor **out)
{
	feed_cursor *c = sqlite3_malloc(sizeof(*c));

	(void)t;
	if (!c)
		return SQLITE_NOMEM;
	memset(c, 0, sizeof(*c));
	*out = &c->base;
	return SQLITE_OK;
}

static int feed_close(sqlite3_vtab_cursor *cur)
{
	sqlite3_free(cur);
	return SQLITE_OK;
}

/* Asks the caller for the next row. */
static int feed_step(feed_cursor *c)
{
	cb_observation_writer *w = c->w;
	int rc = w->next(w->ctx, &w->row);

	if (rc < 0) {
		w->failed = rc;
		c->eof = 1;
		return SQLITE_ERROR;
	}
	c->eof = rc == 0;
	c->rowid++;
	return SQLITE_OK;
}

static int feed_filter(sqlite3_vtab_cursor *cur, int idx, const char *idx_text, int argc,
		       sqlite3_value **argv)
{
	feed_cursor *c = (feed_cursor *)cur;

	(void)idx_text;
	c->w = idx == 1 && argc == 1 ? sqlite3_value_pointer(argv[0], FEED_POINTER_TYPE) : NULL;
	c->eof = 1;
	if (!c->w)
		return SQLITE_OK; /* read without its writer: empty */
	return feed_step(c);
}

static int feed_next(sqlite3_vtab_cursor *cur)
{
	return feed_step((feed_cursor *)cur);
}

static int feed_eof(sqlite3_vtab_cursor *cur)
{
	return ((feed_cursor *)cur)->eof;
}

static void result_text(sqlite3_context *ctx, const char *text)
{
	/* Valid until the next row is asked for, which is after this row is
	 * in the table (cb_observation_next_fn). */
	if (text)
		sqlite3_result_text(ctx, text, -1, SQLITE_STATIC);
	else
		sqlite3_result_null(ctx);
}

static int feed_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i)
{
	const cb_observation *o = &((feed_cursor *)cur)->w->row;

	switch (i) {
	case FEED_MEASURE: sqlite3_result_int64(ctx, o->measure_id); break;
	case FEED_ACCOUNT: sqlite3_result_int64(ctx, o->account_id); break;
	case FEED_AT: sqlite3_result_int64(ctx, o->at); break;
	case FEED_BATCH: sqlite3_result_int64(ctx, o->batch_id); break;
	case FEED_LINE: sqlite3_result_int64(ctx, o->line); break;
	case FEED_VALUE: sqlite3_result_double(ctx, o->value); break;
	case FEED_SOURCE: result_text(ctx, o->source); break;
	case FEED_NOTE: result_text(ctx, o->note); break;
	default: sqlite3_result_null(ctx); break;
	}
	return SQLITE_OK;
}

static int feed_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
	*rowid = ((feed_cursor *)cur)->rowid;
	return SQLITE_OK;
}

static const sqlite3_module feed_module = {
	.iVersion = 0,
	.xCreate = NULL, /* eponymous only: no CREATE VIRTUAL TABLE */
	.xConnect = feed_connect,
	.xBestIndex = feed_best_index,
	.xDisconnect = feed_disconnect,
	.xOpen = feed_open,
	.xClose = feed_close,
	.xFilter = feed_filter,
	.xNext = feed_next,
	.xEof = feed_eof,
	.xColumn = feed_column,
	.xRowid = feed_rowid,
};

int cb_store_observation_writer_new(cb_store *s, cb_observation_writer **out)
{
	cb_observation_writer *w = calloc(1, sizeof(*w));
	int rc;

	*out = NULL;
	if (!w)
		return cb_error_set(CB_ENOMEM, "out of memory");
	w->s = s;
	if (!s->feed_module) {
		if (sqlite3_create_module_v2(s->db, "casebook_observation_feed", &feed_module, NULL,
					     NULL) != SQLITE_OK) {
			free(w);
			return cb_store_fail(s, "preparing the import");
		}
		s->feed_module = 1;
	}
	if ((rc = cb_store_prepare(s, "INSERT OR FAIL INTO observation (measure_id, account_id, at, "
				      "batch_id, line, value, source, note) "
				      "SELECT measure_id, account_id, at, batch_id, line, value, "
				      "source, note FROM casebook_observation_feed(?1)",
				   &w->insert)) < 0) {
		free(w);
		return rc;
	}
	*out = w;
	return 0;
}

int cb_store_observation_write_all(cb_observation_writer *w, cb_observation_next_fn next,
				   void *ctx)
{
	sqlite3_stmt *st = w->insert;
	int rc = 0;

	w->next = next;
	w->ctx = ctx;
	w->failed = 0;
	sqlite3_bind_pointer(st, 1, w, FEED_POINTER_TYPE, NULL);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = w->failed ? w->failed : cb_store_fail(w->s, "writing observations");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	w->next = NULL;
	w->ctx = NULL;
	return rc;
}

void cb_store_observation_writer_free(cb_observation_writer *w)
{
	if (!w)
		return;
	sqlite3_finalize(w->insert);
	free(w);
}

struct cb_duplicate_finder {
	cb_store *s;
	sqlite3_stmt *range;
};

int cb_store_duplicate_finder_new(cb_store *s, cb_duplicate_finder **out)
{
	cb_duplicate_finder *f = calloc(1, sizeof(*f));
	int rc;

	*out = NULL;
	if (!f)
		return cb_error_set(CB_ENOMEM, "out of memory");
	f->s = s;
	if ((rc = cb_store_prepare(s, "SELECT at, value, batch_id, line FROM observation "
				      "WHERE measure_id = ?1 AND account_id = ?2 AND at >= ?3 AND "
				      "at <= ?4 AND batch_id <> ?5 ORDER BY at",
				   &f->range)) < 0) {
		free(f);
		return rc;
	}
	*out = f;
	return 0;
}

int cb_store_duplicate_range(cb_duplicate_finder *f, int64_t measure_id, int64_t account_id,
			     int64_t from, int64_t to, int64_t batch_id)
{
	sqlite3_stmt *st = f->range;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, measure_id);
	sqlite3_bind_int64(st, 2, account_id);
	sqlite3_bind_int64(st, 3, from);
	sqlite3_bind_int64(st, 4, to);
	sqlite3_bind_int64(st, 5, batch_id);
	return 0;
}

int cb_store_duplicate_next(cb_duplicate_finder *f, int64_t *at, double *value,
			    int64_t *batch_id, int64_t *line)
{
	sqlite3_stmt *st = f->range;
	int rc = sqlite3_step(st);

	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return cb_store_fail(f->s, "looking for duplicate observations");
	*at = sqlite3_column_int64(st, 0);
	*value = sqlite3_column_double(st, 1);
	*batch_id = sqlite3_column_int64(st, 2);
	*line = sqlite3_column_int64(st, 3);
	return 1;
}

void cb_store_duplicate_finder_free(cb_duplicate_finder *f)
{
	if (!f)
		return;
	sqlite3_finalize(f->range);
	free(f);
}

int cb_store_observation_each(cb_store *s, const cb_observation_filter *f,
			      cb_observation_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	int64_t measure_id = 0, account_id = 0;
	int rc, step;

	if (f->measure && (rc = cb_store_measure_id(s, f->measure, 0, &measure_id)) < 0)
		return rc;
	if (f->account && (rc = cb_store_id_by_key(s, "account", "account", f->account,
						   &account_id)) < 0)
		return rc;
	if ((rc = cb_store_prepare(s,
				   "SELECT m.key, a.key, o.at, o.batch_id, o.line, o.value, o.source, o.note "
				   "FROM observation o JOIN measure m ON m.id = o.measure_id "
				   "JOIN account a ON a.id = o.account_id "
				   "WHERE (?1 = 0 OR o.measure_id = ?1) AND (?2 = 0 OR o.account_id = ?2) "
				   "AND (?3 = 0 OR o.batch_id = ?3) AND o.at >= ?4 AND (?5 = 0 OR o.at < ?5) "
				   "ORDER BY o.measure_id, o.account_id, o.at, o.batch_id, o.line "
				   "LIMIT ?6",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, measure_id);
	sqlite3_bind_int64(st, 2, account_id);
	sqlite3_bind_int64(st, 3, f->batch_id);
	sqlite3_bind_int64(st, 4, f->from ? f->from : INT64_MIN);
	sqlite3_bind_int64(st, 5, f->to);
	sqlite3_bind_int64(st, 6, f->limit > 0 ? f->limit : -1);
	rc = 0;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		cb_observation_row o = {
			(const char *)sqlite3_column_text(st, 0),
			(const char *)sqlite3_column_text(st, 1),
			sqlite3_column_int64(st, 2),
			sqlite3_column_int64(st, 3),
			sqlite3_column_int64(st, 4),
			sqlite3_column_double(st, 5),
			(const char *)sqlite3_column_text(st, 6),
			(const char *)sqlite3_column_text(st, 7),
		};

		if ((rc = fn(&o, ctx)))
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = cb_store_fail(s, "listing observations");
	sqlite3_finalize(st);
	return rc;
}

void cb_series_buf_free(cb_series_buf *b)
{
	free(b->values);
	free(b->times);
	*b = (cb_series_buf){0};
}

int cb_series_buf_push(cb_series_buf *b, int64_t at, double v)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		double *values = realloc(b->values, cap * sizeof(*values));
		int64_t *times;

		if (!values)
			return cb_error_set(CB_ENOMEM, "out of memory");
		b->values = values;
		times = realloc(b->times, cap * sizeof(*times));
		if (!times)
			return cb_error_set(CB_ENOMEM, "out of memory");
		b->times = times;
		b->cap = cap;
	}
	b->values[b->n] = v;
	b->times[b->n] = at;
	b->n++;
	return 0;
}

struct cb_series_reader {
	cb_store *s;
	sqlite3_stmt *st;
};

int cb_store_series_reader_new(cb_store *s, cb_series_reader **out)
{
	cb_series_reader *r = calloc(1, sizeof(*r));
	int rc;

	*out = NULL;
	if (!r)
		return cb_error_set(CB_ENOMEM, "out of memory");
	r->s = s;
	/* One range of the clustered primary key: no sort, no index. */
	if ((rc = cb_store_prepare(s, "SELECT at, value FROM observation WHERE measure_id = ?1 "
				      "AND account_id = ?2 AND at >= ?3 AND at < ?4 "
				      "ORDER BY measure_id, account_id, at",
				   &r->st)) < 0) {
		free(r);
		return rc;
	}
	*out = r;
	return 0;
}

int cb_store_series_read(cb_series_reader *r, int64_t measure_id, int64_t account_id, int64_t from,
			 int64_t to, cb_series_buf *out)
{
	sqlite3_stmt *st = r->st;
	int rc = 0, step;

	out->n = 0;
	sqlite3_bind_int64(st, 1, measure_id);
	sqlite3_bind_int64(st, 2, account_id);
	sqlite3_bind_int64(st, 3, from);
	sqlite3_bind_int64(st, 4, to);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = cb_series_buf_push(out, sqlite3_column_int64(st, 0), sqlite3_column_double(st, 1))) < 0)
			break;
	if (rc == 0 && step != SQLITE_DONE)
		rc = cb_store_fail(r->s, "reading a series");
	sqlite3_reset(st);
	return rc;
}

void cb_store_series_reader_free(cb_series_reader *r)
{
	if (!r)
		return;
	sqlite3_finalize(r->st);
	free(r);
}

int cb_store_observation_series(cb_store *s, int64_t measure_id, int64_t account_id,
				int64_t from, int64_t to, cb_series_buf *out)
{
	cb_series_reader *r;
	int rc;

	if ((rc = cb_store_series_reader_new(s, &r)) < 0)
		return rc;
	rc = cb_store_series_read(r, measure_id, account_id, from, to, out);
	cb_store_series_reader_free(r);
	return rc;
}

/* Loads the sorted ids of a table (one of the store's own names). */
static int load_ids(cb_store *s, const char *sql, int64_t **ids, size_t *n)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc, step;

	*ids = NULL;
	*n = 0;
	if ((rc = cb_store_prepare(s, sql, &st)) < 0)
		return rc;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			int64_t *p = realloc(*ids, ncap * sizeof(*p));

			if (!p) {
				sqlite3_finalize(st);
				return cb_error_set(CB_ENOMEM, "out of memory");
			}
			*ids = p;
			cap = ncap;
		}
		(*ids)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? 0 : cb_store_fail(s, "checking observations");
}

static ptrdiff_t find_id(const int64_t *ids, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && ids[lo] == id ? (ptrdiff_t)lo : -1;
}

int cb_store_observation_check(cb_store *s)
{
	int64_t *measures = NULL, *accounts = NULL, *batches = NULL, *counts = NULL;
	size_t nm, na, nb;
	sqlite3_stmt *st = NULL;
	int rc, step;

	/* One pass over the clustered table, every reference checked against
	 * ids held in memory: linear in the data, whatever the batch count. */
	if ((rc = load_ids(s, "SELECT id FROM measure ORDER BY id", &measures, &nm)) < 0 ||
	    (rc = load_ids(s, "SELECT id FROM account ORDER BY id", &accounts, &na)) < 0 ||
	    (rc = load_ids(s, "SELECT id FROM batch ORDER BY id", &batches, &nb)) < 0)
		goto done;
	counts = calloc(nb ? nb : 1, sizeof(*counts));
	if (!counts) {
		rc = cb_error_set(CB_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = cb_store_prepare(s, "SELECT measure_id, account_id, batch_id, at FROM observation",
				   &st)) < 0)
		goto done;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t m = sqlite3_column_int64(st, 0), a = sqlite3_column_int64(st, 1);
		int64_t b = sqlite3_column_int64(st, 2);
		ptrdiff_t bi;

		if (find_id(measures, nm, m) < 0) {
			rc = cb_error_set(CB_EDB, "an observation refers to measure id %lld, which does not exist",
					  (long long)m);
			goto done;
		}
		if (find_id(accounts, na, a) < 0) {
			rc = cb_error_set(CB_EDB, "an observation refers to account id %lld, which does not exist",
					  (long long)a);
			goto done;
		}
		if ((bi = find_id(batches, nb, b)) < 0) {
			rc = cb_error_set(CB_EDB, "an observation refers to batch %lld, which does not exist",
					  (long long)b);
			goto done;
		}
		counts[bi]++;
	}
	if (step != SQLITE_DONE) {
		rc = cb_store_fail(s, "checking observations");
		goto done;
	}
	sqlite3_finalize(st);
	st = NULL;
	if ((rc = cb_store_prepare(s, "SELECT id, rows, sha256 FROM batch ORDER BY id", &st)) < 0)
		goto done;
	for (size_t i = 0; (step = sqlite3_step(st)) == SQLITE_ROW && i < nb; i++) {
		const char *sha = (const char *)sqlite3_column_text(st, 2);

		if (sha && strncmp(sha, "pending-", 8) == 0) {
			rc = cb_error_set(CB_EDB, "batch %lld was left unfinished by an import",
					  (long long)sqlite3_column_int64(st, 0));
			goto done;
		}
		if (sqlite3_column_int64(st, 1) != counts[i]) {
			rc = cb_error_set(CB_EDB, "batch %lld says it holds %lld observations but holds %lld",
					  (long long)sqlite3_column_int64(st, 0),
					  (long long)sqlite3_column_int64(st, 1), (long long)counts[i]);
			goto done;
		}
	}
	rc = 0;
done:
	sqlite3_finalize(st);
	free(measures);
	free(accounts);
	free(batches);
	free(counts);
	return rc;
}
