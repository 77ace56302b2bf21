/*
 * Sharing the case-study repository with a git remote (case sync).
 */
#include "app/case.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app/kpi_value.h"
#include "base/date.h"
#include "base/error.h"
#include "base/text.h"
#include "store/account.h"
#include "store/person.h"
#include "store/session.h"
#include "app/case_internal.h"

/* ------------------------------------------------------------------ */
/* Sync                                                                  */

/* A local path is stored absolute, so that the default works from any
 * folder; URLs are kept as given. */
static char *remote_as_stored(const char *remote)
{
	char *abs;

	if (!strstr(remote, "://") && (abs = realpath(remote, NULL)))
		return abs;
	return strdup(remote);
}

/* A case study the remote would bring in must be one: the front matter
 * format (format/frontmatter.h); what it names need not exist here (a
 * synced case may cite people and sessions of the other workspace). */
static int incoming_case(const char *slug, const char *path, const char *text, size_t len,
			 void *ctx)
{
	char name[CB_REPO_PATH_MAX + 16];
	cb_case_doc doc = {0};
	int rc;

	(void)ctx;
	if ((rc = cb_repo_slug_check(slug)) < 0)
		return rc;
	snprintf(name, sizeof(name), "%s/%s", CB_WORKSPACE_REPO, path);
	rc = cb_frontmatter_parse(name, text, len, &doc);
	cb_frontmatter_clear(&doc);
	return rc;
}

int cb_app_case_sync(cb_workspace *ws, const char *remote, int remember, cb_case_sync_result *out)
{
	cb_store *s = ws->store;
	cb_repo *repo = NULL;
	char *stored = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = cb_rights_require(ws, CB_ACT_WORKSPACE_MAINTAIN, NULL)) < 0)
		return rc;
	if (remote && (rc = cb_text_check("remote", remote, 4096, 1, 0)) < 0)
		return rc;
	if ((rc = cb_store_case_setting_get(s, CB_CASE_REMOTE_SETTING, &stored)) < 0)
		return rc;
	if (!remote && !stored)
		return cb_error_set(CB_EUSAGE,
				    "no remote given and none remembered; run 'casebook case sync REMOTE' once (a bare git repository's path or URL)");
	out->remote = remote ? remote_as_stored(remote) : stored;
	if (out->remote == stored)
		stored = NULL;
	if (!out->remote) {
		free(stored);
		return cb_case_oom();
	}
	/* The write lock for the whole exchange: no submission can slip in
	 * between the repository moving and the index following it. */
	if ((rc = cb_store_begin(s)) < 0)
		goto done;
	if ((rc = cb_case_repo_open(ws, &repo)) < 0 ||
	    (rc = cb_repo_sync_checked(repo, out->remote, NULL, incoming_case, NULL, &out->repo)) < 0)
		goto rollback;
	if (remote && (remember || !stored)) {
		if ((rc = cb_store_case_setting_set(s, CB_CASE_REMOTE_SETTING, out->remote)) < 0)
			goto rollback;
		out->remembered = 1;
	}
	if ((rc = cb_case_reindex_with(ws, repo, NULL, &out->reindex)) < 0)
		goto rollback;
	rc = cb_store_commit(s);
	if (rc < 0)
		rc = cb_error_set(rc,
				  "the case-study repository was synced, but the database could not be updated (%s); "
				  "'casebook reindex' mends it",
				  cb_error_last());
	goto done;
rollback:
	cb_store_rollback(s);
done:
	free(stored);
	return rc;
}

void cb_case_sync_result_clear(cb_case_sync_result *r)
{
	cb_repo_sync_result_clear(&r->repo);
	free(r->remote);
	memset(r, 0, sizeof(*r));
}
