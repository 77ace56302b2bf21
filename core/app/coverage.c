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

	if ((rc = cb_rights_require(ws, CB_ACT_COVERAGE_ADMIN, NULL)) < 0)
		return rc;
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

static int finish(cb_workspace *ws, int rc)
{
	if (rc < 0) {
		cb_store_rollback(ws->store);
		return rc;
	}
	return cb_store_commit(ws->store);
}

/* The period of `person` at `account` that holds `day` (a date option's
 * value; `option` names it in messages), in a transaction the caller ends
 * with finish(): *id 0 when there is none. */
typedef struct period {
	int64_t id;
	char first[11], last[11];
} period;

static int period_holding(cb_workspace *ws, const char *person, const char *account,
			  const char *day, const char *option, period *p)
{
	int64_t pid, aid;
	int32_t d;
	int rc, found;

	if (!day || cb_date_parse(day, &d) < 0)
		return day ? cb_error_prefix("%s", option)
			   : cb_error_set(CB_EINVALID, "%s needs a DATE", option);
	if ((rc = cb_store_begin(ws->store)) < 0)
		return rc;
	if ((rc = cb_store_person_id(ws->store, person, &pid)) < 0 ||
	    (rc = cb_store_account_id(ws->store, account, &aid)) < 0 ||
	    (rc = cb_store_coverage_find(ws->store, pid, aid, day, &p->id, p->first, p->last,
					 &found)) < 0)
		return finish(ws, rc);
	return 0;
}

int cb_app_coverage_end(cb_workspace *ws, const char *person, const char *account,
			const char *end, char from[11])
{
	period p;
	int rc;

	if ((rc = cb_rights_require(ws, CB_ACT_COVERAGE_ADMIN, NULL)) < 0 ||
	    (rc = period_holding(ws, person, account, end, "--end", &p)) < 0)
		return rc;
	if (!p.id)
		return finish(ws, cb_error_set(CB_ENOTFOUND,
					       "%s does not cover %s on %s: no period to end ('casebook cover --list --person %s')",
					       person, account, end, person));
	if (from)
		snprintf(from, 11, "%s", p.first);
	return finish(ws, cb_store_coverage_set_end(ws->store, p.id, end));
}

int cb_app_coverage_remove(cb_workspace *ws, const char *person, const char *account,
			   const char *from, char to[11])
{
	period p;
	int rc;

	if ((rc = cb_rights_require(ws, CB_ACT_COVERAGE_ADMIN, NULL)) < 0 ||
	    (rc = period_holding(ws, person, account, from, "--from", &p)) < 0)
		return rc;
	if (!p.id || strcmp(p.first, from) != 0)
		return finish(ws, cb_error_set(CB_ENOTFOUND,
					       "no period of %s at %s starts on %s ('casebook cover --list --person %s')",
					       person, account, from, person));
	if (to)
		snprintf(to, 11, "%s", p.last);
	return finish(ws, cb_store_coverage_delete(ws->store, p.id));
}
