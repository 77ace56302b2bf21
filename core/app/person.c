/* Adding and editing people; recording who covers which account. */
#include "app/person.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/error.h"
#include "base/text.h"
#include "store/account.h"
#include "store/coverage.h"

int cb_app_roles_parse(const char *text, unsigned *roles)
{
	char buf[256];
	char *save = NULL, *tok;

	*roles = 0;
	snprintf(buf, sizeof(buf), "%s", text);
	for (tok = strtok_r(buf, ",;", &save); tok; tok = strtok_r(NULL, ",;", &save)) {
		unsigned r;

		while (*tok == ' ')
			tok++;
		tok[strcspn(tok, " ")] = '\0';
		r = cb_role_parse(tok);
		if (!r)
			return cb_error_set(CB_EINVALID,
					    "unknown role '%.40s': roles are technician, trainer, consultant",
					    tok);
		*roles |= r;
	}
	if (!*roles)
		return cb_error_set(CB_EINVALID, "give at least one role: technician, trainer, consultant");
	return 0;
}

static int email_check(const char *email)
{
	const char *at;
	int rc;

	if (!email || !*email)
		return 0;
	if ((rc = cb_text_check("email", email, CB_NAME_MAX, 0, 0)) < 0)
		return rc;
	at = strchr(email, '@');
	if (!at || at == email || !at[1] || strchr(at + 1, '@') || strchr(email, ' '))
		return cb_error_set(CB_EINVALID, "email '%.80s' is not an address like name@example.com",
				    email);
	return 0;
}

int cb_app_person_validate(const cb_person *p)
{
	int rc;

	if ((rc = cb_key_check("person key", p->key)) < 0 ||
	    (rc = cb_text_check("person name", p->name, CB_NAME_MAX, 1, 0)) < 0 ||
	    (rc = email_check(p->email)) < 0)
		return rc;
	if (!p->roles)
		return cb_error_set(CB_EINVALID, "a person needs at least one role");
	return 0;
}

int cb_app_person_add(cb_workspace *ws, const cb_person *p)
{
	int rc;

	if ((rc = cb_app_person_validate(p)) < 0)
		return rc;
	if ((rc = cb_store_begin(ws->store)) < 0)
		return rc;
	if ((rc = cb_store_person_insert(ws->store, p)) < 0) {
		cb_store_rollback(ws->store);
		return rc;
	}
	return cb_store_commit(ws->store);
}

static int replace(char **field, const char *value, int optional)
{
	char *copy;

	if (!value)
		return 0;
	if (optional && !*value) {
		free(*field);
		*field = NULL;
		return 0;
	}
	if (!(copy = strdup(value)))
		return cb_error_set(CB_ENOMEM, "out of memory");
	free(*field);
	*field = copy;
	return 0;
}

int cb_app_person_edit(cb_workspace *ws, const char *key, const cb_person *changes,
		       unsigned add_roles, unsigned remove_roles)
{
	cb_person p;
	int rc;

	if ((rc = cb_store_begin(ws->store)) < 0)
		return rc;
	if ((rc = cb_store_person_get(ws->store, key, &p)) < 0)
		goto done;
	if ((rc = replace(&p.key, changes->key, 0)) < 0 ||
	    (rc = replace(&p.name, changes->name, 0)) < 0 ||
	    (rc = replace(&p.email, changes->email, 1)) < 0)
		goto done;
	p.roles = (p.roles | add_roles) & ~remove_roles;
	if (!p.roles) {
		rc = cb_error_set(CB_EINVALID, "person '%s' would have no role left; a person keeps at least one",
				  key);
		goto done;
	}
	if ((rc = cb_app_person_validate(&p)) < 0)
		goto done;
	rc = cb_store_person_update(ws->store, &p);
done:
	cb_person_clear(&p);
	if (rc < 0) {
		cb_store_rollback(ws->store);
		return rc;
	}
	return cb_store_commit(ws->store);
}

int cb_app_cover(cb_workspace *ws, const char *person, const char *account, const char *from,
		 const char *to)
{
	cb_person p;
	int64_t account_id;
	int32_t dfrom, dto;
	int rc;

	if (!from)
		return cb_error_set(CB_EINVALID, "coverage needs --from DATE");
	if (cb_date_parse(from, &dfrom) < 0)
		return cb_error_prefix("--from");
	if (to) {
		if (cb_date_parse(to, &dto) < 0)
			return cb_error_prefix("--to");
		if (dto < dfrom)
			return cb_error_set(CB_EINVALID, "--to %s is before --from %s", to, from);
	}
	if ((rc = cb_store_begin(ws->store)) < 0)
		return rc;
	if ((rc = cb_store_person_get(ws->store, person, &p)) < 0)
		goto done;
	if (!(p.roles & CB_ROLE_TECHNICIAN)) {
		rc = cb_error_set(CB_EINVALID,
				  "person '%s' is not a technician; only technicians cover accounts "
				  "(add the role with 'casebook person edit %s --add-role technician')",
				  person, person);
		cb_person_clear(&p);
		goto done;
	}
	if ((rc = cb_store_account_id(ws->store, account, &account_id)) == 0)
		rc = cb_store_coverage_insert(ws->store, p.id, account_id, from, to);
	if (rc == CB_EEXISTS)
		cb_error_prefix("%s already covers %s", person, account);
	cb_person_clear(&p);
done:
	if (rc < 0) {
		cb_store_rollback(ws->store);
		return rc;
	}
	return cb_store_commit(ws->store);
}
