/* The case-study index's queries: case_study and its sessions, claims,
 * review decisions, and the case settings. */
#include "store/case.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "store/internal.h"

#define CASE_COLUMNS                                                                \
	"c.id, c.slug, c.title, c.technician, coalesce(c.technician_id, 0), c.account, " \
	"coalesce(c.account_id, 0), c.status, c.head, c.submitted_at, c.updated_at, "     \
	"(SELECT count(*) FROM case_review r WHERE r.case_id = c.id)"

static int oom(void)
{
	return cb_error_set(CB_ENOMEM, "out of memory");
}

void cb_case_index_clear(cb_case_index *c)
{
	free(c->slug);
	free(c->title);
	free(c->technician);
	free(c->account);
	free(c->status);
	free(c->head);
	free(c->submitted_at);
	free(c->updated_at);
	for (size_t i = 0; i < c->n_sessions; i++)
		free(c->sessions[i]);
	free(c->sessions);
	for (size_t i = 0; i < c->n_claims; i++) {
		free(c->claims[i].kpi);
		free(c->claims[i].note);
	}
	free(c->claims);
	*c = (cb_case_index){0};
}

static int case_read(sqlite3_stmt *st, cb_case_index *c)
{
	int oom_flag = 0;

	*c = (cb_case_index){0};
	c->id = sqlite3_column_int64(st, 0);
	c->slug = cb_store_column_dup(st, 1, &oom_flag);
	c->title = cb_store_column_dup(st, 2, &oom_flag);
	c->technician = cb_store_column_dup(st, 3, &oom_flag);
	c->technician_id = sqlite3_column_int64(st, 4);
	c->account = cb_store_column_dup(st, 5, &oom_flag);
	c->account_id = sqlite3_column_int64(st, 6);
	c->status = cb_store_column_dup(st, 7, &oom_flag);
	c->head = cb_store_column_dup(st, 8, &oom_flag);
	c->submitted_at = cb_store_column_dup(st, 9, &oom_flag);
	c->updated_at = cb_store_column_dup(st, 10, &oom_flag);
	c->n_reviews = (size_t)sqlite3_column_int64(st, 11);
	if (oom_flag) {
		cb_case_index_clear(c);
		return oom();
	}
	return 0;
}

static void bind_id(sqlite3_stmt *st, int i, int64_t id)
{
	if (id)
		sqlite3_bind_int64(st, i, id);
	else
		sqlite3_bind_null(st, i);
}

/* Writes the sessions and claims of case `id` (after deleting old ones). */
static int write_lists(cb_store *s, int64_t id, const cb_case_index *c)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = cb_store_prepare(s, "DELETE FROM case_session WHERE case_id = ?1", &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = cb_store_fail(s, "updating a case's sessions");
	sqlite3_finalize(st);
	if (rc < 0 ||
	    (rc = cb_store_prepare(s, "DELETE FROM case_claim WHERE case_id = ?1", &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = cb_store_fail(s, "updating a case's claims");
	sqlite3_finalize(st);
	if (rc < 0 ||
	    (rc = cb_store_prepare(s, "INSERT INTO case_session (case_id, position, session) "
				      "VALUES (?1, ?2, ?3)",
				   &st)) < 0)
		return rc;
	for (size_t i = 0; i < c->n_sessions && rc == 0; i++) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, (int64_t)i + 1);
		cb_store_bind_text(st, 3, c->sessions[i]);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = cb_store_fail(s, "indexing a case's sessions");
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	if (rc < 0 ||
	    (rc = cb_store_prepare(s, "INSERT INTO case_claim (case_id, position, kpi, before_value, "
				      "after_value, from_on, to_on, note) "
				      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
				   &st)) < 0)
		return rc;
	for (size_t i = 0; i < c->n_claims && rc == 0; i++) {
		const cb_case_index_claim *k = &c->claims[i];

		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, (int64_t)i + 1);
		cb_store_bind_text(st, 3, k->kpi);
		sqlite3_bind_double(st, 4, k->before);
		sqlite3_bind_double(st, 5, k->after);
		cb_store_bind_text(st, 6, k->from);
		cb_store_bind_text(st, 7, k->to);
		cb_store_bind_text(st, 8, k->note);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = cb_store_fail(s, "indexing a case's claims");
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc;
}

int cb_store_case_insert(cb_store *s, const cb_case_index *c, int64_t *id)
{
	sqlite3_stmt *st;
	int64_t new_id;
	int rc;

	if ((rc = cb_store_prepare(s,
				   "INSERT INTO case_study (slug, title, technician, technician_id, "
				   "account, account_id, status, head, submitted_at, updated_at) "
				   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
				   &st)) < 0)
		return rc;
	cb_store_bind_text(st, 1, c->slug);
	cb_store_bind_text(st, 2, c->title);
	cb_store_bind_text(st, 3, c->technician);
	bind_id(st, 4, c->technician_id);
	cb_store_bind_text(st, 5, c->account);
	bind_id(st, 6, c->account_id);
	cb_store_bind_text(st, 7, c->status);
	cb_store_bind_text(st, 8, c->head);
	cb_store_bind_text(st, 9, c->submitted_at);
	cb_store_bind_text(st, 10, c->updated_at);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = cb_store_fail(s, "indexing a case");
		if (rc == CB_EEXISTS)
			rc = cb_error_set(CB_EEXISTS, "case '%s' already exists", c->slug);
	}
	sqlite3_finalize(st);
	if (rc < 0)
		return rc;
	new_id = sqlite3_last_insert_rowid(s->db);
	if ((rc = write_lists(s, new_id, c)) < 0)
		return rc;
	if (id)
		*id = new_id;
	return 0;
}

int cb_store_case_update(cb_store *s, const cb_case_index *c)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s,
				   "UPDATE case_study SET slug = ?2, title = ?3, technician = ?4, "
				   "technician_id = ?5, account = ?6, account_id = ?7, status = ?8, "
				   "head = ?9, submitted_at = ?10, updated_at = ?11 WHERE id = ?1",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, c->id);
	cb_store_bind_text(st, 2, c->slug);
	cb_store_bind_text(st, 3, c->title);
	cb_store_bind_text(st, 4, c->technician);
	bind_id(st, 5, c->technician_id);
	cb_store_bind_text(st, 6, c->account);
	bind_id(st, 7, c->account_id);
	cb_store_bind_text(st, 8, c->status);
	cb_store_bind_text(st, 9, c->head);
	cb_store_bind_text(st, 10, c->submitted_at);
	cb_store_bind_text(st, 11, c->updated_at);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = cb_store_fail(s, "updating a case's index");
	sqlite3_finalize(st);
	return rc < 0 ? rc : write_lists(s, c->id, c);
}

/* Runs an UPDATE of one text column of case `id`. `sql` is a constant. */
static int set_column(cb_store *s, const char *sql, int64_t id, const char *a, const char *b)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s, sql, &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	cb_store_bind_text(st, 2, a);
	if (b)
		cb_store_bind_text(st, 3, b);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = cb_store_fail(s, "updating a case's index");
	else if (sqlite3_changes(s->db) != 1)
		rc = cb_error_set(CB_ENOTFOUND, "case %lld is not in the index", (long long)id);
	sqlite3_finalize(st);
	return rc;
}

int cb_store_case_set_status(cb_store *s, int64_t id, const char *status,
			     const char *updated_at)
{
	return set_column(s, "UPDATE case_study SET status = ?2, updated_at = ?3 WHERE id = ?1",
			  id, status, updated_at);
}

int cb_store_case_set_head(cb_store *s, int64_t id, const char *head)
{
	return set_column(s, "UPDATE case_study SET head = ?2 WHERE id = ?1", id, head, NULL);
}

/* Reads the sessions and claims of case c->id into c. */
static int read_lists(cb_store *s, cb_case_index *c)
{
	sqlite3_stmt *st;
	int rc, step, oom_flag = 0;

	if ((rc = cb_store_prepare(s, "SELECT session FROM case_session WHERE case_id = ?1 "
				      "ORDER BY position",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, c->id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		char **grown = realloc(c->sessions, (c->n_sessions + 1) * sizeof(*grown));

		if (!grown) {
			sqlite3_finalize(st);
			return oom();
		}
		c->sessions = grown;
		grown[c->n_sessions] = cb_store_column_dup(st, 0, &oom_flag);
		if (oom_flag) {
			sqlite3_finalize(st);
			return oom();
		}
		c->n_sessions++;
	}
	if (step != SQLITE_DONE)
		rc = cb_store_fail(s, "reading a case's sessions");
	sqlite3_finalize(st);
	if (rc < 0 ||
	    (rc = cb_store_prepare(s, "SELECT kpi, before_value, after_value, from_on, to_on, note "
				      "FROM case_claim WHERE case_id = ?1 ORDER BY position",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, c->id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		cb_case_index_claim *grown = realloc(c->claims, (c->n_claims + 1) * sizeof(*grown));
		cb_case_index_claim *k;

		if (!grown) {
			sqlite3_finalize(st);
			return oom();
		}
		c->claims = grown;
		k = &grown[c->n_claims];
		memset(k, 0, sizeof(*k));
		c->n_claims++;
		k->kpi = cb_store_column_dup(st, 0, &oom_flag);
		k->before = sqlite3_column_double(st, 1);
		k->after = sqlite3_column_double(st, 2);
		snprintf(k->from, sizeof(k->from), "%s", (const char *)sqlite3_column_text(st, 3));
		snprintf(k->to, sizeof(k->to), "%s", (const char *)sqlite3_column_text(st, 4));
		k->note = cb_store_column_dup(st, 5, &oom_flag);
		if (oom_flag) {
			sqlite3_finalize(st);
			return oom();
		}
	}
	if (step != SQLITE_DONE)
		rc = cb_store_fail(s, "reading a case's claims");
	sqlite3_finalize(st);
	return rc;
}

int cb_store_case_get(cb_store *s, const char *slug, cb_case_index *out, int *found)
{
	sqlite3_stmt *st;
	int rc, step;

	*out = (cb_case_index){0};
	*found = 0;
	if ((rc = cb_store_prepare(s, "SELECT " CASE_COLUMNS " FROM case_study c WHERE c.slug = ?1",
				   &st)) < 0)
		return rc;
	cb_store_bind_text(st, 1, slug);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		rc = case_read(st, out);
	else if (step != SQLITE_DONE)
		rc = cb_store_fail(s, "reading a case's index");
	sqlite3_finalize(st);
	if (rc < 0 || step != SQLITE_ROW)
		return rc;
	if ((rc = read_lists(s, out)) < 0) {
		cb_case_index_clear(out);
		return rc;
	}
	*found = 1;
	return 0;
}

int cb_store_case_delete(cb_store *s, int64_t id)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s, "DELETE FROM case_study WHERE id = ?1", &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = cb_store_fail(s, "removing a case from the index");
	sqlite3_finalize(st);
	return rc;
}

int cb_store_case_review_add(cb_store *s, int64_t id, const cb_case_review_row *r)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s,
				   "INSERT INTO case_review (case_id, position, reviewer, reviewer_name, "
				   "reviewer_email, decision, comment, at, revision) "
				   "VALUES (?1, (SELECT coalesce(max(position), 0) + 1 FROM case_review "
				   "WHERE case_id = ?1), ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	cb_store_bind_text(st, 2, r->reviewer);
	cb_store_bind_text(st, 3, r->name);
	cb_store_bind_text(st, 4, r->email);
	cb_store_bind_text(st, 5, r->decision);
	cb_store_bind_text(st, 6, r->comment ? r->comment : "");
	cb_store_bind_text(st, 7, r->at);
	cb_store_bind_text(st, 8, r->revision);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = cb_store_fail(s, "indexing a review");
	sqlite3_finalize(st);
	return rc;
}

int cb_store_case_reviews_clear(cb_store *s, int64_t id)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s, "DELETE FROM case_review WHERE case_id = ?1", &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = cb_store_fail(s, "clearing a case's reviews");
	sqlite3_finalize(st);
	return rc;
}

int cb_store_case_review_each(cb_store *s, int64_t id, cb_case_review_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	int rc, step;

	if ((rc = cb_store_prepare(s, "SELECT reviewer, reviewer_name, reviewer_email, decision, "
				      "comment, at, revision FROM case_review WHERE case_id = ?1 "
				      "ORDER BY position",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = 0;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		cb_case_review_row r = {
			(char *)sqlite3_column_text(st, 0), (char *)sqlite3_column_text(st, 1),
			(char *)sqlite3_column_text(st, 2), (char *)sqlite3_column_text(st, 3),
			(char *)sqlite3_column_text(st, 4), (char *)sqlite3_column_text(st, 5),
			(char *)sqlite3_column_text(st, 6)};

		if ((rc = fn(&r, ctx)))
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = cb_store_fail(s, "listing a case's reviews");
	sqlite3_finalize(st);
	return rc;
}

/* Splits a comma-joined list of keys (keys hold no commas) into a malloc'd
 * array. */
static int split_keys(const char *joined, char ***out, size_t *n)
{
	const char *p = joined;

	*out = NULL;
	*n = 0;
	if (!joined || !*joined)
		return 0;
	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char **grown = realloc(*out, (*n + 1) * sizeof(*grown));

		if (!grown)
			return oom();
		*out = grown;
		if (!(grown[*n] = strndup(p, len)))
			return oom();
		(*n)++;
		if (!end)
			return 0;
		p = end + 1;
	}
}

int cb_store_case_each(cb_store *s, const cb_case_filter *f, cb_case_fn fn, void *ctx)
{
	static const cb_case_filter none = {0};
	sqlite3_stmt *st;
	int rc, step;

	if (!f)
		f = &none;
	if ((rc = cb_store_prepare(
		     s,
		     "SELECT " CASE_COLUMNS ", "
		     "(SELECT group_concat(session, ',') FROM (SELECT session FROM case_session "
		     "  WHERE case_id = c.id ORDER BY position)), "
		     "(SELECT group_concat(kpi, ',') FROM (SELECT kpi FROM case_claim "
		     "  WHERE case_id = c.id ORDER BY position)) "
		     "FROM case_study c "
		     "WHERE (?1 IS NULL OR c.status = ?1) AND (?2 IS NULL OR c.technician = ?2) "
		     "AND (?3 IS NULL OR c.account = ?3) "
		     "AND (?4 IS NULL OR EXISTS (SELECT 1 FROM case_session x "
		     "  WHERE x.case_id = c.id AND x.session = ?4)) "
		     "AND (?5 IS NULL OR EXISTS (SELECT 1 FROM case_claim x "
		     "  WHERE x.case_id = c.id AND x.kpi = ?5)) "
		     "ORDER BY c.slug",
		     &st)) < 0)
		return rc;
	cb_store_bind_text(st, 1, f->status);
	cb_store_bind_text(st, 2, f->technician);
	cb_store_bind_text(st, 3, f->account);
	cb_store_bind_text(st, 4, f->session);
	cb_store_bind_text(st, 5, f->kpi);
	rc = 0;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		cb_case_index c;
		char **kpis = NULL;
		size_t n_kpis = 0;

		if ((rc = case_read(st, &c)) < 0)
			break;
		rc = split_keys((const char *)sqlite3_column_text(st, 12), &c.sessions,
				&c.n_sessions);
		if (rc == 0)
			rc = split_keys((const char *)sqlite3_column_text(st, 13), &kpis, &n_kpis);
		if (rc == 0 && n_kpis && !(c.claims = calloc(n_kpis, sizeof(*c.claims))))
			rc = oom();
		for (size_t i = 0; i < n_kpis; i++) {
			if (c.claims) {
				c.claims[i].kpi = kpis[i];
				c.n_claims++;
			} else {
				free(kpis[i]);
			}
		}
		free(kpis);
		if (rc == 0)
			rc = fn(&c, ctx);
		cb_case_index_clear(&c);
		if (rc)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = cb_store_fail(s, "listing cases");
	sqlite3_finalize(st);
	return rc;
}

int cb_store_case_person_by_email(cb_store *s, const char *email, char **key)
{
	sqlite3_stmt *st;
	int rc, step, oom_flag = 0;

	*key = NULL;
	if ((rc = cb_store_prepare(s, "SELECT key FROM person WHERE email = ?1 OR "
				      "(email IS NULL AND key || '@casebook.invalid' = ?1) "
				      "ORDER BY email IS NULL, key LIMIT 1",
				   &st)) < 0)
		return rc;
	cb_store_bind_text(st, 1, email);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*key = cb_store_column_dup(st, 0, &oom_flag);
		if (oom_flag)
			rc = oom();
	} else if (step != SQLITE_DONE) {
		rc = cb_store_fail(s, "looking up a reviewer");
	}
	sqlite3_finalize(st);
	return rc;
}

int cb_store_case_setting_get(cb_store *s, const char *name, char **value)
{
	sqlite3_stmt *st;
	int rc, step, oom_flag = 0;

	*value = NULL;
	if ((rc = cb_store_prepare(s, "SELECT value FROM case_setting WHERE name = ?1", &st)) < 0)
		return rc;
	cb_store_bind_text(st, 1, name);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*value = cb_store_column_dup(st, 0, &oom_flag);
		if (oom_flag)
			rc = oom();
	} else if (step != SQLITE_DONE) {
		rc = cb_store_fail(s, "reading a case setting");
	}
	sqlite3_finalize(st);
	return rc;
}

int cb_store_case_setting_set(cb_store *s, const char *name, const char *value)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s, "INSERT INTO case_setting (name, value) VALUES (?1, ?2) "
				      "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
				   &st)) < 0)
		return rc;
	cb_store_bind_text(st, 1, name);
	cb_store_bind_text(st, 2, value);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = cb_store_fail(s, "writing a case setting");
	sqlite3_finalize(st);
	return rc;
}

int cb_store_case_citing(cb_store *s, const char *session,
			 int (*fn)(int64_t id, const char *status, void *ctx), void *ctx)
{
	sqlite3_stmt *st;
	int rc, step;

	if ((rc = cb_store_prepare(s, "SELECT c.id, c.status FROM case_session cs"
				      " JOIN case_study c ON c.id = cs.case_id WHERE cs.session = ?1"
				      " ORDER BY c.id",
				   &st)) < 0)
		return rc;
	cb_store_bind_text(st, 1, session);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *status = (const char *)sqlite3_column_text(st, 1);

		if (!status) {
			rc = cb_error_set(CB_ENOMEM, "out of memory");
			break;
		}
		if ((rc = fn(sqlite3_column_int64(st, 0), status, ctx)))
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = cb_store_fail(s, "reading the case studies citing a session");
	sqlite3_finalize(st);
	return rc;
}
