/* Use cases for people and coverage: checked input, then the store. */
#ifndef CB_APP_PERSON_H
#define CB_APP_PERSON_H

#include "app/workspace.h"
#include "store/person.h"

/* Parses "technician,trainer" (repeated options are joined by the caller
 * with commas) into role bits. CB_EINVALID names an unknown role and lists
 * the valid ones. */
int cb_app_roles_parse(const char *text, unsigned *roles);

/* Checks a person's fields: key, name, email (optional: one '@', no
 * spaces), at least one role. */
int cb_app_person_validate(const cb_person *p);

int cb_app_person_add(cb_workspace *ws, const cb_person *p);

/* Applies the non-NULL fields of `changes` (key renames), then adds and
 * removes roles; a person must keep one. */
int cb_app_person_edit(cb_workspace *ws, const char *key, const cb_person *changes,
		       unsigned add_roles, unsigned remove_roles);

/* Records that technician `person` serves `account` from `from` to `to`
 * (NULL: open-ended); dates YYYY-MM-DD, to not before from. */
int cb_app_cover(cb_workspace *ws, const char *person, const char *account, const char *from,
		 const char *to);

#endif
