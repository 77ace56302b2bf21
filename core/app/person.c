/* Adding and editing people and their roles. */
#include "app/person.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/text.h"

int cb_app_roles_parse(const char *text, unsigned *roles)
{
	const char *item = text;

	*roles = 0;
	for (;;) {
		size_t len = strcspn(item, ",;");
		const char *start = item, *end = item + len;

		/* Items may be padded: "trainer, consultant". */
		while (start < end && *start == ' ')
			start++;
		while (end > start && end[-1] == ' ')
			end--;
		if (end > start) {
			char name[16];
			size_t n = (size_t)(end - start);
			unsigned r = 0;

			if (n < sizeof(name)) {
				memcpy(name, start, n);
				name[n] = '\0';
				r = cb_role_parse(name);
			}
			if (!r)
				return cb_error_set(CB_EINVALID,
						    "unknown role '%.*s': roles are technician, trainer, consultant",
						    n > 40 ? 40 : (int)n, start);
			*roles |= r;
		}
		if (!item[len])
			break;
		item += len + 1;
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
	if (!at || at == email || !at[1] || strchr(at + 1, '@') || strpbrk(email, " \t"))
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
