/* Recording who covers which account: dates and role checked here, the
 * overlap check and the insert in one transaction in the store. */
#include "app/coverage.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/date.h"
#include "base/error.h"
#include "store/account.h"
#include "store/coverage.h"
#include "store/person.h"

int cb_app_coverage_add(cb_workspace *ws, const char *person, const char *account,
			const char *from, const char *to)
{
	cb_person p;
	int64_t account_id;
	int32_t dfrom, dto;
	int rc;

	if (!from)
		return cb_error_set(CB_EINVALID, "coverage needs a start date (--from DATE)");
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
	if (!(p.roles & CB_ROLE_TECHNICIAN))
		rc = cb_error_set(CB_EINVALID,
				  "person '%s' is not a technician; only technicians cover accounts "
				  "(add the role with 'casebook person edit %s --add-role technician')",
				  p.key, p.key);
	else if ((rc = cb_store_account_id(ws->store, account, &account_id)) == 0 &&
		 (rc = cb_store_coverage_insert(ws->store, p.id, account_id, from, to)) == CB_EEXISTS)
		cb_error_prefix("%s already covers %s", p.key, account);
	cb_person_clear(&p);
done:
	if (rc < 0) {
		cb_store_rollback(ws->store);
		return rc;
	}
	return cb_store_commit(ws->store);
}

/* The ids of person `person` and account `account`, in a transaction the
 * caller ends. */
static int pair_ids(cb_workspace *ws, const char *person, const char *account, int64_t *pid,
		    int64_t *aid)
{
	int rc;

	if ((rc = cb_store_person_id(ws->store, person, pid)) < 0)
		return rc;
	return cb_store_account_id(ws->store, account, aid);
}

static int finish(cb_workspace *ws, int rc)
{
	if (rc < 0) {
		cb_store_rollback(ws->store);
		return rc;
	}
	return cb_store_commit(ws->store);
}

int cb_app_coverage_end(cb_workspace *ws, const char *person, const char *account,
			const char *end, char from[11])
{
	char first[11], last[11];
	int64_t pid, aid, id;
	int32_t day;
	int rc, found;

	if (!end || cb_date_parse(end, &day) < 0)
		return end ? cb_error_prefix("--end") : cb_error_set(CB_EINVALID, "--end needs a DATE");
	if ((rc = cb_store_begin(ws->store)) < 0)
		return rc;
	if ((rc = pair_ids(ws, person, account, &pid, &aid)) < 0 ||
	    (rc = cb_store_coverage_find(ws->store, pid, aid, end, &id, first, last, &found)) < 0)
		return finish(ws, rc);
	if (!found)
		return finish(ws, cb_error_set(CB_ENOTFOUND,
					       "%s does not cover %s on %s: no period to end ('casebook cover --list --person %s')",
					       person, account, end, person));
	if (from)
		snprintf(from, 11, "%s", first);
	return finish(ws, cb_store_coverage_set_end(ws->store, id, end));
}

int cb_app_coverage_remove(cb_workspace *ws, const char *person, const char *account,
			   const char *from, char to[11])
{
	char first[11], last[11];
	int64_t pid, aid, id;
	int32_t day;
	int rc, found;

	if (!from || cb_date_parse(from, &day) < 0)
		return from ? cb_error_prefix("--from")
			    : cb_error_set(CB_EINVALID, "--remove needs --from DATE, the period's first day");
	if ((rc = cb_store_begin(ws->store)) < 0)
		return rc;
	if ((rc = pair_ids(ws, person, account, &pid, &aid)) < 0 ||
	    (rc = cb_store_coverage_find(ws->store, pid, aid, from, &id, first, last, &found)) < 0)
		return finish(ws, rc);
	if (!found || strcmp(first, from) != 0)
		return finish(ws, cb_error_set(CB_ENOTFOUND,
					       "no period of %s at %s starts on %s ('casebook cover --list --person %s')",
					       person, account, from, person));
	if (to)
		snprintf(to, 11, "%s", last);
	return finish(ws, cb_store_coverage_delete(ws->store, id));
}
