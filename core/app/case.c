/*
 * What the case-study files of the app layer share. The workflow is split
 * by concern, one file each:
 *   case_document.c  reading a case file, its people, checking it, the template
 *   case_index.c     the database's index rows of a case, against the repository
 *   case_workflow.c  submit (and batches), revise, review, publish, show, log, diff
 *   case_evidence.c  each claim held against the account's data
 *   case_reindex.c   reindex and check
 *   case_sync.c      sharing the repository with a remote
 */
#include "app/case.h"

#include <time.h>

#include "app/case_internal.h"
#include "base/date.h"
#include "base/error.h"

const char *const cb_case_statuses[CB_CASE_STATUS_COUNT + 1] = {
	"submitted", "changes-requested", "approved", "published", "rejected", "withdrawn", NULL};

int cb_case_oom(void)
{
	return cb_error_set(CB_ENOMEM, "out of memory");
}

/* The time of a write, in the index's form; the same second goes into
 * the commit (cb_repo_author.when), so the index and the history agree. */
int64_t cb_case_now_text(char out[CB_DATETIME_LEN])
{
	int64_t t = (int64_t)time(NULL);

	cb_datetime_format(t, out);
	return t;
}
