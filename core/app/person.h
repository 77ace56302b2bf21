/* Use cases for people and their roles: checked input, then the store.
 * Coverage (who serves which account) is in app/coverage.h. */
#ifndef CB_APP_PERSON_H
#define CB_APP_PERSON_H

#include "app/workspace.h"
#include "store/person.h"

/* Parses a list of roles, "technician,trainer" (',' or ';' between items,
 * spaces around them ignored; repeated options are joined by the caller
 * with commas) into CB_ROLE_* bits. CB_EINVALID names an unknown role and
 * lists the valid ones, or says that the list is empty. */
int cb_app_roles_parse(const char *text, unsigned *roles);

/* Checks a person's fields: key (cb_key_check), name (required, at most
 * CB_NAME_MAX bytes of UTF-8), email (optional; at most CB_NAME_MAX bytes,
 * one '@' with text on both sides, no spaces) and at least one role.
 * Returns 0 or CB_EINVALID naming the field. */
int cb_app_person_validate(const cb_person *p);

/* Checks and adds one person with their roles, in one transaction.
 * CB_EEXISTS when the key is taken. */
int cb_app_person_add(cb_workspace *ws, const cb_person *p);

/* Applies the non-NULL fields of `changes` to person `key` (changes->key
 * renames; an empty email clears it), then adds `add_roles` and removes
 * `remove_roles` (CB_ROLE_* bits); a person must keep one role. Checks the
 * result and writes it in one transaction; nothing changes on failure. */
int cb_app_person_edit(cb_workspace *ws, const char *key, const cb_person *changes,
		       unsigned add_roles, unsigned remove_roles);

#endif
