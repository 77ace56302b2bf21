/* Adding training programs. */
#include "app/program.h"

#include "base/error.h"
#include "base/text.h"

int cb_app_program_validate(const cb_program *p)
{
	int rc;

	if ((rc = cb_key_check("program key", p->key)) < 0 ||
	    (rc = cb_text_check("program name", p->name, CB_NAME_MAX, 1, 0)) < 0 ||
	    (rc = cb_text_check("description", p->description, CB_NOTE_MAX, 0, 1)) < 0)
		return rc;
	return 0;
}

int cb_app_program_add(cb_workspace *ws, const cb_program *p)
{
	int rc;

	if ((rc = cb_rights_require(ws, CB_ACT_PROGRAM_EDIT, NULL)) < 0 ||
	    (rc = cb_app_program_validate(p)) < 0)
		return rc;
	return cb_store_program_insert(ws->store, p);
}
