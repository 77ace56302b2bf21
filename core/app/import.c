/*
 * Record imports: one transaction per file, one savepoint per row, so that
 * a bad row is undone alone and reported, the rows after it are still
 * checked, and nothing is committed unless every row went in.
 */
#include "app/import.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app/account.h"
#include "app/person.h"
#include "app/session.h"
#include "base/buf.h"
#include "base/error.h"
#include "base/text.h"

#define IMPORT_MAX_ERRORS 20
#define IMPORT_ERROR_TEXT 400 /* bytes of one row's message kept */

/* Whether a row callback's error is the row's fault (report it, go on)
 * rather than the import's (stop). */
static int row_fault(int rc)
{
	return rc == CB_EINVALID || rc == CB_EEXISTS || rc == CB_ENOTFOUND;
}

/* Runs fn on one row inside a savepoint, undone when the row fails. */
static int import_row(cb_workspace *ws, cb_import_row_fn fn, const cb_csv_record *rec,
		      const cb_csv_columns *cols, void *ctx)
{
	int rc;

	if ((rc = cb_store_begin(ws->store)) < 0)
		return rc;
	if ((rc = fn(ws, rec, cols, ctx)) < 0) {
		cb_store_rollback(ws->store);
		return rc;
	}
	return cb_store_commit(ws->store);
}

static FILE *open_input(const char *path, int is_stdin, int *rc)
{
	struct stat st;
	FILE *f;

	*rc = 0;
	if (is_stdin)
		return stdin;
	if (!(f = fopen(path, "rb"))) {
		*rc = cb_error_set(CB_EIO, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		*rc = cb_error_set(CB_EINVALID, "%s is a folder, not a CSV file", path);
		return NULL;
	}
	return f;
}

int cb_app_import_csv(cb_workspace *ws, const char *path, const char *const *required,
		      const char *const *optional, cb_import_row_fn fn, void *ctx,
		      size_t *imported)
{
	int is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? "<stdin>" : path;
	cb_csv_reader *reader = NULL;
	const cb_csv_record *rec;
	cb_csv_columns cols;
	cb_buf errors = CB_BUF_INIT;
	int nerrors = 0, rc, began = 0;
	FILE *f;

	*imported = 0;
	if (!(f = open_input(path, is_stdin, &rc)))
		return rc;
	if ((rc = cb_csv_open(f, name, &reader)) < 0 ||
	    (rc = cb_csv_header(reader, required, optional, &cols)) < 0)
		goto done;
	if ((rc = cb_store_begin(ws->store)) < 0)
		goto done;
	began = 1;
	while ((rc = cb_csv_next(reader, &rec)) == 1) {
		if ((rc = import_row(ws, fn, rec, &cols, ctx)) == 0) {
			(*imported)++;
			continue;
		}
		if (!row_fault(rc))
			goto done;
		if (cb_buf_printf(&errors, "%s%s:%ld: ", nerrors ? "\n" : "", name, rec->line) < 0 ||
		    cb_text_one_line(&errors, cb_error_last(),
				     strnlen(cb_error_last(), IMPORT_ERROR_TEXT)) < 0) {
			rc = CB_ENOMEM;
			goto done;
		}
		if (++nerrors == IMPORT_MAX_ERRORS) {
			long left;

			if ((rc = cb_csv_skip_rest(reader, &left)) < 0)
				goto done;
			if (left && cb_buf_printf(&errors,
						  "\n%s: stopped after %d errors; %ld more lines were not read",
						  name, nerrors, left) < 0) {
				rc = CB_ENOMEM;
				goto done;
			}
			break;
		}
	}
	if (rc < 0) {
		/* The file's structure is broken and reading ends here; the
		 * reader's message names the file and line already. */
		if (rc != CB_EINVALID)
			goto done;
		if (cb_buf_printf(&errors, "%s%s", nerrors ? "\n" : "", cb_error_last()) < 0) {
			rc = CB_ENOMEM;
			goto done;
		}
		nerrors++;
	}
	if (nerrors) {
		rc = cb_error_set(CB_EINVALID, "%s", cb_buf_cstr(&errors));
		goto done;
	}
	if (*imported == 0) {
		rc = cb_error_set(CB_EINVALID, "%s: no rows after the header", name);
		goto done;
	}
	rc = cb_store_commit(ws->store);
	began = 0;
done:
	if (began)
		cb_store_rollback(ws->store);
	if (rc < 0)
		*imported = 0;
	cb_csv_close(reader);
	if (!is_stdin)
		fclose(f);
	cb_buf_free(&errors);
	return rc;
}

/* An optional column's value, NULL when absent or empty. */
static const char *optional_field(const cb_csv_record *rec, const cb_csv_columns *cols,
				  const char *name)
{
	const char *v = cb_csv_field(rec, cols, name);

	return *v ? v : NULL;
}

/* The keys an import has added and their lines, to tell a key repeated in
 * the file from one already in the workspace. Open addressing; a record
 * file holds thousands of rows, not millions. */
typedef struct key_lines {
	char **keys;
	long *lines;
	size_t n, cap; /* cap is 0 or a power of two */
} key_lines;

static size_t key_hash(const char *s)
{
	uint64_t h = 14695981039346656037u; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return (size_t)h;
}

/* The slot holding `key`, or the empty slot where it would go. */
static size_t key_slot(const key_lines *m, const char *key)
{
	size_t i = key_hash(key) & (m->cap - 1);

	while (m->keys[i] && strcmp(m->keys[i], key) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

/* The line that added `key`, or 0. */
static long key_lines_find(const key_lines *m, const char *key)
{
	size_t i;

	if (!m->cap)
		return 0;
	i = key_slot(m, key);
	return m->keys[i] ? m->lines[i] : 0;
}

static int key_lines_add(key_lines *m, const char *key, long line)
{
	size_t i;

	if (2 * (m->n + 1) > m->cap) {
		key_lines bigger = {NULL, NULL, m->n, m->cap ? m->cap * 2 : 64};

		bigger.keys = calloc(bigger.cap, sizeof(*bigger.keys));
		bigger.lines = calloc(bigger.cap, sizeof(*bigger.lines));
		if (!bigger.keys || !bigger.lines) {
			free(bigger.keys), free(bigger.lines);
			return cb_error_set(CB_ENOMEM, "out of memory");
		}
		for (size_t k = 0; k < m->cap; k++)
			if (m->keys[k]) {
				i = key_slot(&bigger, m->keys[k]);
				bigger.keys[i] = m->keys[k];
				bigger.lines[i] = m->lines[k];
			}
		free(m->keys), free(m->lines);
		*m = bigger;
	}
	i = key_slot(m, key);
	if (!m->keys[i]) {
		if (!(m->keys[i] = strdup(key)))
			return cb_error_set(CB_ENOMEM, "out of memory");
		m->n++;
	}
	m->lines[i] = line;
	return 0;
}

static void key_lines_free(key_lines *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys), free(m->lines);
}

static int account_row(cb_workspace *ws, const cb_csv_record *rec, const cb_csv_columns *cols,
		       void *ctx)
{
	key_lines *added = ctx;
	cb_account a = {0};
	long first;
	int rc;

	a.key = (char *)cb_csv_field(rec, cols, "key");
	a.name = (char *)cb_csv_field(rec, cols, "name");
	a.industry = (char *)optional_field(rec, cols, "industry");
	a.region = (char *)optional_field(rec, cols, "region");
	if ((rc = cb_app_account_validate(&a)) < 0)
		return rc;
	rc = cb_store_account_insert(ws->store, &a);
	if (rc == CB_EEXISTS) {
		if ((first = key_lines_find(added, a.key)))
			return cb_error_set(CB_EEXISTS,
					    "account '%s' already exists (added by line %ld of this file)",
					    a.key, first);
		return cb_error_set(CB_EEXISTS, "account '%s' already exists in the workspace",
				    a.key);
	}
	if (rc < 0)
		return rc;
	return key_lines_add(added, a.key, rec->line);
}

int cb_app_account_import(cb_workspace *ws, const char *path, size_t *imported)
{
	static const char *const required[] = {"key", "name", NULL};
	static const char *const optional[] = {"industry", "region", NULL};
	key_lines added = {0};
	int rc;

	*imported = 0;
	if ((rc = cb_rights_require(ws, CB_ACT_ACCOUNT_ADMIN, NULL)) < 0)
		return rc;
	rc = cb_app_import_csv(ws, path, required, optional, account_row, &added, imported);
	key_lines_free(&added);
	return rc;
}

static int person_row(cb_workspace *ws, const cb_csv_record *rec, const cb_csv_columns *cols,
		      void *ctx)
{
	cb_person p = {0};
	int rc;

	(void)ctx;
	p.key = (char *)cb_csv_field(rec, cols, "key");
	p.name = (char *)cb_csv_field(rec, cols, "name");
	p.email = (char *)optional_field(rec, cols, "email");
	if ((rc = cb_app_roles_parse(cb_csv_field(rec, cols, "roles"), &p.roles)) < 0)
		return rc;
	return cb_app_person_add(ws, &p);
}

int cb_app_person_import(cb_workspace *ws, const char *path, size_t *imported)
{
	static const char *const required[] = {"key", "name", "roles", NULL};
	static const char *const optional[] = {"email", NULL};
	int rc;

	*imported = 0;
	if ((rc = cb_rights_require(ws, CB_ACT_PERSON_ADMIN, NULL)) < 0)
		return rc;
	return cb_app_import_csv(ws, path, required, optional, person_row, NULL, imported);
}

/* Splits a ';'-separated cell into trimmed items (pointers into `copy`,
 * which the caller frees). Empty items are an error. */
static int split_list(const char *what, const char *cell, char **copy, const char ***items,
		      size_t *n)
{
	size_t cap = 1;
	char *p;

	*items = NULL;
	*n = 0;
	*copy = NULL;
	if (!cell || !*cell)
		return 0;
	for (const char *c = cell; *c; c++)
		cap += *c == ';';
	*copy = strdup(cell);
	*items = calloc(cap, sizeof(char *));
	if (!*copy || !*items)
		return cb_error_set(CB_ENOMEM, "out of memory");
	for (p = *copy;;) {
		char *end = strchr(p, ';'), *q;

		if (end)
			*end = '\0';
		while (*p == ' ')
			p++;
		for (q = p + strlen(p); q > p && q[-1] == ' ';)
			*--q = '\0';
		if (!*p)
			return cb_error_set(CB_EINVALID, "%s: an empty item in '%.80s'", what, cell);
		(*items)[(*n)++] = p;
		if (!end)
			break;
		p = end + 1;
	}
	return 0;
}

static int session_row(cb_workspace *ws, const cb_csv_record *rec, const cb_csv_columns *cols,
		       void *ctx)
{
	cb_session_spec spec = {0};
	const char **attendees = NULL, **accounts = NULL;
	char *acopy = NULL, *ccopy = NULL, *key = NULL;
	const char *cost = optional_field(rec, cols, "cost");
	int rc;

	(void)ctx;
	spec.key = optional_field(rec, cols, "key");
	spec.program = cb_csv_field(rec, cols, "program");
	spec.title = cb_csv_field(rec, cols, "title");
	spec.format = cb_csv_field(rec, cols, "format");
	spec.starts_on = cb_csv_field(rec, cols, "start");
	spec.ends_on = cb_csv_field(rec, cols, "end");
	spec.trainer = optional_field(rec, cols, "trainer");
	spec.location = optional_field(rec, cols, "location");
	spec.currency = optional_field(rec, cols, "currency");
	spec.notes = optional_field(rec, cols, "notes");
	if (cost) {
		if ((rc = cb_decimal_field("cost", cost, 0, CB_NUMBER_MAX, &spec.cost)) < 0)
			return rc;
		spec.has_cost = 1;
	}
	if ((rc = split_list("attendees", optional_field(rec, cols, "attendees"), &acopy, &attendees,
			     &spec.attendee_count)) < 0 ||
	    (rc = split_list("accounts", optional_field(rec, cols, "accounts"), &ccopy, &accounts,
			     &spec.account_count)) < 0)
		goto done;
	spec.attendees = attendees;
	spec.accounts = accounts;
	rc = cb_app_session_record(ws, &spec, &key);
done:
	free(key);
	free(acopy), free(ccopy);
	free(attendees), free(accounts);
	return rc;
}

int cb_app_session_import(cb_workspace *ws, const char *path, size_t *imported)
{
	static const char *const required[] = {"program", "title", "format", "start", "end", NULL};
	static const char *const optional[] = {"key",       "trainer",  "location", "cost", "currency",
					       "attendees", "accounts", "notes",    NULL};

	return cb_app_import_csv(ws, path, required, optional, session_row, NULL, imported);
}
