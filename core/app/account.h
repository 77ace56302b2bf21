/* Use cases for customer accounts: checked input, then the store. */
#ifndef CB_APP_ACCOUNT_H
#define CB_APP_ACCOUNT_H

#include "app/workspace.h"
#include "store/account.h"

/* Checks an account's fields (key, name, optional industry and region).
 * Returns 0 or CB_EINVALID naming the field. */
int cb_app_account_validate(const cb_account *a);

/* Checks and adds one account. */
int cb_app_account_add(cb_workspace *ws, const cb_account *a);

/* Applies the non-NULL fields of `changes` (key renames the account) to the
 * account `key`, checking the result. */
int cb_app_account_edit(cb_workspace *ws, const char *key,
			const cb_account *changes);

#endif
