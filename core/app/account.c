/* Adding and editing accounts. */
#include "app/account.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/text.h"

int cb_app_account_validate(const cb_account *a)
{
	int rc;

	if ((rc = cb_key_check("account key", a->key)) < 0 ||
	    (rc = cb_text_check("account name", a->name, CB_NAME_MAX, 1, 0)) < 0 ||
	    (rc = cb_text_check("industry", a->industry, CB_NAME_MAX, 0, 0)) < 0 ||
	    (rc = cb_text_check("region", a->region, CB_NAME_MAX, 0, 0)) < 0)
		return rc;
	return 0;
}

int cb_app_account_add(cb_workspace *ws, const cb_account *a)
{
	int rc;

	if ((rc = cb_rights_require(ws, CB_ACT_ACCOUNT_ADMIN, NULL)) < 0 ||
	    (rc = cb_app_account_validate(a)) < 0)
		return rc;
	return cb_store_account_insert(ws->store, a);
}

/* Replaces *field with a copy of `value` when value is non-NULL; "" clears
 * an optional field. */
static int apply(char **field, const char *value, int optional)
{
	char *copy;

	if (!value)
		return 0;
	if (optional && !*value) {
		free(*field);
		*field = NULL;
		return 0;
	}
	copy = strdup(value);
	if (!copy)
		return cb_error_set(CB_ENOMEM, "out of memory");
	free(*field);
	*field = copy;
	return 0;
}

int cb_app_account_edit(cb_workspace *ws, const char *key,
			const cb_account *changes)
{
	cb_account a;
	int rc;

	if ((rc = cb_rights_require(ws, CB_ACT_ACCOUNT_ADMIN, NULL)) < 0 ||
	    (rc = cb_store_begin(ws->store)) < 0)
		return rc;
	if ((rc = cb_store_account_get(ws->store, key, &a)) < 0)
		goto done;
	if ((rc = apply(&a.key, changes->key, 0)) < 0 ||
	    (rc = apply(&a.name, changes->name, 0)) < 0 ||
	    (rc = apply(&a.industry, changes->industry, 1)) < 0 ||
	    (rc = apply(&a.region, changes->region, 1)) < 0)
		goto done;
	if ((rc = cb_app_account_validate(&a)) < 0)
		goto done;
	rc = cb_store_account_update(ws->store, &a);
done:
	cb_account_clear(&a);
	if (rc < 0) {
		cb_store_rollback(ws->store);
		return rc;
	}
	return cb_store_commit(ws->store);
}
