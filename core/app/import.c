/* Record imports: one transaction per file, one savepoint per row. */
#include "app/import.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/account.h"
#include "app/person.h"
#include "app/session.h"
#include "base/buf.h"
#include "base/error.h"

#define IMPORT_MAX_ERRORS 20

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
	f = is_stdin ? stdin : fopen(path, "rb");
	if (!f)
		return cb_error_set(CB_EIO, "%s: cannot open: %s", path, strerror(errno));
	if ((rc = cb_csv_open(f, name, &reader)) < 0 ||
	    (rc = cb_csv_header(reader, required, optional, &cols)) < 0)
		goto done;
	if ((rc = cb_store_begin(ws->store)) < 0)
		goto done;
	began = 1;
	while ((rc = cb_csv_next(reader, &rec)) == 1) {
		if ((rc = cb_store_begin(ws->store)) < 0)
			goto done;
		rc = fn(ws, rec, &cols, ctx);
		if (rc == 0) {
			if ((rc = cb_store_commit(ws->store)) < 0)
				goto done;
			(*imported)++;
			continue;
		}
		cb_store_rollback(ws->store);
		if (rc != CB_EINVALID && rc != CB_EEXISTS && rc != CB_ENOTFOUND)
			goto done;
		cb_buf_printf(&errors, "%s%s:%ld: %s", nerrors ? "\n" : "", name, rec->line,
			      cb_error_last());
		if (++nerrors == IMPORT_MAX_ERRORS) {
			long unread = 0;

			while (cb_csv_next(reader, &rec) == 1)
				unread++;
			if (unread)
				cb_buf_printf(&errors, "\n%s: stopped after %d errors; %ld more rows were not read",
					      name, nerrors, unread);
			break;
		}
	}
	if (rc < 0) {
		if (rc != CB_EINVALID)
			goto done;
		cb_buf_printf(&errors, "%s%s", nerrors ? "\n" : "", cb_error_last());
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

static int account_row(cb_workspace *ws, const cb_csv_record *rec, const cb_csv_columns *cols,
		       void *ctx)
{
	cb_account a = {0};

	(void)ctx;
	a.key = (char *)cb_csv_field(rec, cols, "key");
	a.name = (char *)cb_csv_field(rec, cols, "name");
	a.industry = (char *)optional_field(rec, cols, "industry");
	a.region = (char *)optional_field(rec, cols, "region");
	return cb_app_account_add(ws, &a);
}

int cb_app_account_import(cb_workspace *ws, const char *path, size_t *imported)
{
	static const char *const required[] = {"key", "name", NULL};
	static const char *const optional[] = {"industry", "region", NULL};

	return cb_app_import_csv(ws, path, required, optional, account_row, NULL, imported);
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
		char *end;

		errno = 0;
		spec.cost = strtod(cost, &end);
		if (end == cost || *end || errno)
			return cb_error_set(CB_EINVALID, "cost '%.40s' is not a number", cost);
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
