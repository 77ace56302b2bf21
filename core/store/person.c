/* The person and person_role tables' queries. */
#include "store/person.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "store/internal.h"

static const char *const role_names[CB_ROLE_COUNT] = {"technician", "trainer", "consultant",
						       "manager", "admin"};

unsigned cb_role_parse(const char *name)
{
	for (unsigned i = 0; i < CB_ROLE_COUNT; i++)
		if (strcmp(name, role_names[i]) == 0)
			return 1u << i;
	return 0;
}

const char *cb_role_name(unsigned role)
{
	for (unsigned i = 0; i < CB_ROLE_COUNT; i++)
		if (role == 1u << i)
			return role_names[i];
	return "?";
}

void cb_person_clear(cb_person *p)
{
	free(p->key);
	free(p->name);
	free(p->email);
	free(p->created_at);
	*p = (cb_person){0};
}

/* A person row plus its roles, aggregated as a bit set. */
#define PERSON_SELECT                                                                  \
	"SELECT p.id, p.key, p.name, p.email, p.created_at, "                          \
	"(SELECT coalesce(sum(CASE r.role WHEN 'technician' THEN 1 WHEN 'trainer' THEN 2 " \
	"WHEN 'consultant' THEN 4 WHEN 'manager' THEN 8 WHEN 'admin' THEN 16 END), 0) "     \
	"FROM person_role r WHERE r.person_id = p.id) "                                \
	"AS roles FROM person p "

static int person_read(sqlite3_stmt *st, cb_person *p)
{
	int oom = 0;

	p->id = sqlite3_column_int64(st, 0);
	p->key = cb_store_column_dup(st, 1, &oom);
	p->name = cb_store_column_dup(st, 2, &oom);
	p->email = cb_store_column_dup(st, 3, &oom);
	p->created_at = cb_store_column_dup(st, 4, &oom);
	p->roles = (unsigned)sqlite3_column_int(st, 5);
	if (oom) {
		cb_person_clear(p);
		return cb_error_set(CB_ENOMEM, "out of memory");
	}
	return 0;
}

static int write_roles(cb_store *s, int64_t id, unsigned roles)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s, "DELETE FROM person_role WHERE person_id = ?1", &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = cb_store_fail(s, "updating roles");
	sqlite3_finalize(st);
	if (rc < 0)
		return rc;
	if ((rc = cb_store_prepare(s, "INSERT INTO person_role (person_id, role) VALUES (?1, ?2)",
				   &st)) < 0)
		return rc;
	for (unsigned i = 0; i < CB_ROLE_COUNT && rc == 0; i++) {
		if (!(roles & (1u << i)))
			continue;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, role_names[i], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = cb_store_fail(s, "recording a role");
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc;
}

int cb_store_person_insert(cb_store *s, const cb_person *p)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s, "INSERT INTO person (key, name, email) VALUES (?1, ?2, ?3)",
				   &st)) < 0)
		return rc;
	cb_store_bind_text(st, 1, p->key);
	cb_store_bind_text(st, 2, p->name);
	cb_store_bind_text(st, 3, p->email);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = cb_store_fail(s, "adding a person");
		if (rc == CB_EEXISTS)
			rc = cb_error_set(CB_EEXISTS, "person '%s' already exists", p->key);
	}
	sqlite3_finalize(st);
	if (rc < 0)
		return rc;
	return write_roles(s, sqlite3_last_insert_rowid(s->db), p->roles);
}

int cb_store_person_get(cb_store *s, const char *key, cb_person *out)
{
	sqlite3_stmt *st;
	int64_t id;
	int rc;

	*out = (cb_person){0};
	if ((rc = cb_store_id_by_key(s, "person", "person", key, &id)) < 0)
		return rc;
	if ((rc = cb_store_prepare(s, PERSON_SELECT "WHERE p.id = ?1", &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		rc = person_read(st, out);
	else
		rc = cb_store_fail(s, "reading a person");
	sqlite3_finalize(st);
	return rc;
}

int cb_store_person_get_id(cb_store *s, int64_t id, cb_person *out)
{
	sqlite3_stmt *st;
	int rc, step;

	*out = (cb_person){0};
	if ((rc = cb_store_prepare(s, PERSON_SELECT "WHERE p.id = ?1", &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		rc = person_read(st, out);
	else if (step == SQLITE_DONE)
		rc = cb_error_set(CB_ENOTFOUND, "no person has id %lld", (long long)id);
	else
		rc = cb_store_fail(s, "reading a person");
	sqlite3_finalize(st);
	return rc;
}

int cb_store_person_id(cb_store *s, const char *key, int64_t *id)
{
	return cb_store_id_by_key(s, "person", "person", key, id);
}

int cb_store_person_update(cb_store *s, const cb_person *p)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = cb_store_prepare(s, "UPDATE person SET key = ?2, name = ?3, email = ?4 WHERE id = ?1",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, p->id);
	cb_store_bind_text(st, 2, p->key);
	cb_store_bind_text(st, 3, p->name);
	cb_store_bind_text(st, 4, p->email);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = cb_store_fail(s, "updating a person");
		if (rc == CB_EEXISTS)
			rc = cb_error_set(CB_EEXISTS, "person '%s' already exists", p->key);
	}
	sqlite3_finalize(st);
	return rc < 0 ? rc : write_roles(s, p->id, p->roles);
}

int cb_store_person_each(cb_store *s, unsigned roles, cb_person_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	int rc, step;

	if ((rc = cb_store_prepare(s, "SELECT * FROM (" PERSON_SELECT ") "
				      "WHERE ?1 = 0 OR (roles & ?1) != 0 ORDER BY key",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int(st, 1, (int)roles);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		cb_person p;

		if ((rc = person_read(st, &p)) < 0)
			break;
		rc = fn(&p, ctx);
		cb_person_clear(&p);
		if (rc)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = cb_store_fail(s, "listing people");
	sqlite3_finalize(st);
	return rc;
}

int cb_store_person_sessions(cb_store *s, int64_t id, cb_person_session_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	int rc, step;

	if ((rc = cb_store_prepare(s, "SELECT key, title, format, starts_on, ends_on, 'trainer', NULL "
				      "FROM session WHERE trainer_id = ?1 "
				      "UNION ALL SELECT s.key, s.title, s.format, s.starts_on, s.ends_on, "
				      "'attendee', a.status FROM attendance a JOIN session s ON s.id = a.session_id "
				      "WHERE a.person_id = ?1 ORDER BY 4, 1",
				   &st)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = 0;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		cb_person_session ps = {(const char *)sqlite3_column_text(st, 0),
					(const char *)sqlite3_column_text(st, 1),
					(const char *)sqlite3_column_text(st, 2),
					(const char *)sqlite3_column_text(st, 3),
					(const char *)sqlite3_column_text(st, 4),
					(const char *)sqlite3_column_text(st, 5),
					(const char *)sqlite3_column_text(st, 6)};

		if ((rc = fn(&ps, ctx)))
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = cb_store_fail(s, "listing a person's sessions");
	sqlite3_finalize(st);
	return rc;
}
