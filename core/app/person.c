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
						    "unknown role '%.*s': roles are technician, trainer, consultant, manager, admin",
						    n > 40 ? 40 : (int)n, start);
			*roles |= r;
		}
		if (!item[len])
			break;
		item += len + 1;
	}
	if (!*roles)
		return cb_error_set(CB_EINVALID, "give at least one role: technician, trainer, consultant, manager, admin");
	return 0;
}

/* The characters of an RFC 5322 atom (section 3.2.3, "atext"). */
static int atext(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+/=?^_`{|}~-", c));
}

/* Why `email` is not an address git and xAPI both take, or NULL: the
 * subset of RFC 5322 addr-spec that mail systems agree on, a dot-atom
 * local part of at most 64 bytes, '@', and a domain of dot-separated
 * labels of letters, digits and inner hyphens (RFC 1035), at most 253
 * bytes. Quoted local parts, comments, address literals and non-ASCII are
 * left out: git puts the address between '<' and '>' and xAPI in a mailto:
 * IRI, and each of those breaks one of them. */
static const char *email_fault(const char *email)
{
	const char *at = strrchr(email, '@'), *p;
	size_t label = 0;

	if (!at || at == email)
		return "it needs a name before '@'";
	if (at - email > 64)
		return "the part before '@' is longer than 64 bytes";
	for (p = email; p < at; p++) {
		if (*p == '.' && (p == email || p + 1 == at || p[1] == '.'))
			return "a dot before '@' must stand between other characters";
		if (*p != '.' && !atext(*p))
			return "before '@' only letters, digits, dots and !#$%&'*+/=?^_`{|}~- may stand";
	}
	if (!at[1])
		return "it needs a domain after '@'";
	if (strlen(at + 1) > 253)
		return "the domain is longer than 253 bytes";
	for (p = at + 1;; p++) {
		if (*p == '.' || !*p) {
			if (!label)
				return "the domain has an empty part";
			if (p[-1] == '-')
				return "a part of the domain may not end with '-'";
			if (!*p)
				break;
			label = 0;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-'))
			return "the domain holds only letters, digits, '-' and dots";
		if (*p == '-' && !label)
			return "a part of the domain may not start with '-'";
		if (++label > 63)
			return "a part of the domain is longer than 63 bytes";
	}
	return NULL;
}

static int email_check(const char *email)
{
	const char *why;
	int rc;

	if (!email || !*email)
		return 0;
	if ((rc = cb_text_check("email", email, 254, 0, 0)) < 0)
		return rc;
	if ((why = email_fault(email)))
		return cb_error_set(CB_EINVALID,
				    "email '%.80s' is not an address like name@example.com: %s", email,
				    why);
	return 0;
}

/* A name git can write as a commit's author and xAPI as an actor's: text
 * without '<' or '>' (git's delimiters of the address), and not only
 * blanks and punctuation git would strip to nothing. */
static int name_check(const char *name)
{
	int rc;

	if ((rc = cb_text_check("person name", name, CB_NAME_MAX, 1, 0)) < 0)
		return rc;
	if (strpbrk(name, "<>"))
		return cb_error_set(CB_EINVALID,
				    "person name '%s' must not hold '<' or '>' (git writes an author as "
				    "Name <email>)",
				    name);
	for (const char *p = name; *p; p++)
		if (!strchr(" .,:;\"'\\\t", *p))
			return 0;
	return cb_error_set(CB_EINVALID, "person name '%s' holds no letters or digits", name);
}

int cb_app_person_validate(const cb_person *p)
{
	int rc;

	if ((rc = cb_key_check("person key", p->key)) < 0 ||
	    (rc = name_check(p->name)) < 0 ||
	    (rc = email_check(p->email)) < 0)
		return rc;
	if (!p->roles)
		return cb_error_set(CB_EINVALID, "a person needs at least one role");
	return 0;
}

int cb_app_person_add(cb_workspace *ws, const cb_person *p)
{
	int rc;

	if ((rc = cb_rights_require(ws, CB_ACT_PERSON_ADMIN, NULL)) < 0 ||
	    (rc = cb_app_person_validate(p)) < 0)
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

	if ((rc = cb_rights_require(ws, CB_ACT_PERSON_ADMIN, NULL)) < 0 ||
	    (rc = cb_store_begin(ws->store)) < 0)
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
