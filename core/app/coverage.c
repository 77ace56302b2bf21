/* Recording who covers which account: dates and role checked here, the
 * overlap check and the insert in one transaction in the store. */
#include "app/coverage.h"

#include <stdint.h>

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
