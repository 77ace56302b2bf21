/* The program table's queries. */
#include "store/program.h"

#include <stdlib.h>

#include "base/error.h"
#include "store/internal.h"

#define PROGRAM_COLUMNS                                                        \
	"p.id, p.key, p.name, p.description, p.created_at, "                   \
	"(SELECT count(*) FROM session s WHERE s.program_id = p.id)"

void cb_program_clear(cb_program *p)
{
	free(p->key);
	free(p->name);
	free(p->description);
	free(p->created_at);
	*p = (cb_program){0};
}

static int program_read(sqlite3_stmt *st, cb_program *p)
{
	int oom = 0;

	p->id = sqlite3_column_int64(st, 0);
	p->key = cb_store_column_dup(st, 1, &oom);
	p->name = cb_store_column_dup(st, 2, &oom);
	p->description = cb_store_column_dup(st, 3, &oom);
	p->created_at = cb_store_column_dup(st, 4, &oom);
	p->session_count = sqlite3_column_int64(st, 5);
	if (oom) {
		cb_program_clear(p);
		return cb_error_set(CB_ENOMEM, "out of memory");
	}
	return 0;
}

int cb_store_program_insert(cb_store *s, const cb_program *p)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s,
				   "INSERT INTO program (key, name, description) "
				   "VALUES (?1, ?2, ?3)",
				   &st)) < 0)
		return rc;
	cb_store_bind_text(st, 1, p->key);
	cb_store_bind_text(st, 2, p->name);
	cb_store_bind_text(st, 3, p->description);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = cb_store_fail(s, "adding a program");
		if (rc == CB_EEXISTS)
			rc = cb_error_set(CB_EEXISTS, "program '%s' already exists",
					  p->key);
	}
	sqlite3_finalize(st);
	return rc;
}

int cb_store_program_id(cb_store *s, const char *key, int64_t *id)
{
	return cb_store_id_by_key(s, "program", "program", key, id);
}

int cb_store_program_get(cb_store *s, const char *key, cb_program *out)
{
	sqlite3_stmt *st;
	int64_t id;
	int rc;

	*out = (cb_program){0};
	if ((rc = cb_store_program_id(s, key, &id)) < 0)
		return rc;
	if ((rc = cb_store_prepare(s, "SELECT " PROGRAM_COLUMNS
				      " FROM program p WHERE p.id = ?1",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		rc = program_read(st, out);
	else
		rc = cb_store_fail(s, "reading a program");
	sqlite3_finalize(st);
	return rc;
}

int cb_store_program_each(cb_store *s, cb_program_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	int rc, step;

	if ((rc = cb_store_prepare(s, "SELECT " PROGRAM_COLUMNS
				      " FROM program p ORDER BY p.key",
				   &st)) < 0)
		return rc;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		cb_program p;

		if ((rc = program_read(st, &p)) < 0)
			break;
		rc = fn(&p, ctx);
		cb_program_clear(&p);
		if (rc)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = cb_store_fail(s, "listing programs");
	sqlite3_finalize(st);
	return rc;
}
