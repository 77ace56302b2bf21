/*
 * The case-study workflow: submitting (one file or a batch), revising,
 * reviewing, publishing, and reading a case back (show, log, diff).
 * Every write checks all of its input first, then takes the database's
 * write lock, writes the index rows, makes the git commit, and commits the
 * database last, so a refusal changes neither side and a crash in between
 * leaves the repository ahead, which `casebook check` reports and
 * `casebook reindex` mends.
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
/* Submitting and revising                                               */

int cb_case_repo_open(cb_workspace *ws, cb_repo **repo)
{
	return cb_workspace_repo(ws, repo); /* kept open by the workspace */
}

/* The test hook of the crash tests (tests/app/test_case_cli.c): with
 * CASEBOOK_TEST_CRASH_AFTER_COMMIT=1 in the environment, a submission
 * (or a batch of them), a revision or a review decision kills the
 * process (SIGKILL: no cleanup, no flush) right after its git commit,
 * before the database commit, as a power cut would. Nothing else reads
 * this variable. */
static void test_crash_after_commit(void)
{
	const char *v = getenv("CASEBOOK_TEST_CRASH_AFTER_COMMIT");

	if (v && strcmp(v, "1") == 0)
		raise(SIGKILL);
}

/* Commits the database after a git commit; a failure here leaves the
 * repository ahead of the index, which the message says how to mend. */
static int after_git_failed(cb_repo *repo, int rc, const char *slug, const char *commit);

static int commit_after_git(cb_store *s, cb_repo *repo, const char *slug, const char *commit)
{
	int rc;

	if (!cb_repo_in_batch(repo))
		test_crash_after_commit(); /* a batch's commits are still in memory */
	rc = cb_store_commit(s);

	return rc < 0 ? after_git_failed(repo, rc, slug, commit) : 0;
}

/* The message when the database part fails after the git commit (the
 * transaction already rolled back). */
static int after_git_failed(cb_repo *repo, int rc, const char *slug, const char *commit)
{
	if (cb_repo_in_batch(repo)) {
		cb_repo_batch_fail(repo); /* its commit is in the batch, its row not */
		return rc;
	}
	return cb_error_set(rc,
			    "case '%s' was committed to the repository as %.12s, but the database could not be updated (%s); "
			    "'casebook check' shows the difference and 'casebook reindex' mends it",
			    slug, commit, cb_error_last());
}

/* Parses and renders a document in the canonical form. */
static int canonical(const char *name, const char *text, size_t len, cb_case_doc *doc,
		     cb_buf *out)
{
	int rc;

	if ((rc = cb_frontmatter_parse(name, text, len, doc)) < 0)
		return rc;
	if ((rc = cb_frontmatter_render(doc, out)) < 0)
		return cb_error_prefix("%s", name);
	return 0;
}

/* The commit message of a case about an account its technician never
 * covered and no cited session reached, submitted with --allow-uncovered:
 * the message (or git's default) and a trailer that says so. */
static int uncovered_message(const char *message, const char *verb, const char *slug,
			     const cb_case_doc *d, cb_buf *out)
{
	if (message)
		cb_buf_puts(out, message);
	else
		cb_buf_printf(out, "%s case %s", verb, slug);
	cb_buf_printf(out,
		      "\n\nUncovered-account: %s (technician %s never covered it and no cited "
		      "session reached it; submitted with --allow-uncovered)",
		      d->account, d->technician);
	return out->ptr ? 0 : cb_case_oom();
}

/* What a submission and a revision check before they write: the document
 * against the workspace (filling *tech), the account's reach (an uncovered
 * one, allowed, makes *message the message with its trailer, kept in
 * `trailer`), and the index row borrowing the document. `verb` starts
 * git's default message ("Add", "Revise"). */
static int check_to_write(cb_workspace *ws, const char *name, const char *slug,
			  const cb_case_doc *doc, int allow_uncovered, const char *verb,
			  const char **message, cb_buf *trailer, cb_person *tech,
			  cb_case_index *row)
{
	int rc, uncovered = 0;

	if ((rc = cb_case_check_document(ws, name, slug, doc, tech)) < 0 ||
	    (rc = cb_case_check_reach(ws, name, doc, tech, allow_uncovered, &uncovered)) < 0 ||
	    (uncovered && (rc = uncovered_message(*message, verb, slug, doc, trailer)) < 0) ||
	    (rc = cb_case_row_from_doc(ws->store, slug, doc, row)) < 0)
		return rc;
	if (uncovered)
		*message = trailer->ptr;
	return 0;
}

/* Whether the actor may write case `slug` as its author `author`. */
static int may_write(cb_workspace *ws, const char *slug, const char *author)
{
	cb_rights_object obj;
	int rc;

	if ((rc = cb_rights_case_object(ws, slug, author, NULL, 0, &obj)) < 0)
		return rc;
	return cb_rights_require(ws, CB_ACT_CASE_WRITE_OWN, &obj);
}

/* The person the actor acts as for a decision (review, publish,
 * withdraw): the one named, which someone signed in may only name
 * themselves; the command line, the workspace's administrator, names
 * anyone. NULL when nobody is named and the command line acts. */
static int acting_as(cb_workspace *ws, const char *named, const char *as, const char **who)
{
	*who = named;
	if (ws->actor.is_admin)
		return 0;
	if (!named) {
		*who = ws->actor.key;
		return 0;
	}
	if (strcmp(named, ws->actor.key) != 0)
		return cb_error_set(CB_EFORBIDDEN, "%s may not act as the %s '%s': only as themselves",
				    ws->actor.key, as, named);
	return 0;
}

int cb_app_case_submit(cb_workspace *ws, const char *name, const char *text, size_t len,
		       const char *slug_arg, const char *message, int allow_uncovered,
		       cb_case_written *out)
{
	cb_buf trailer = CB_BUF_INIT;
	cb_store *s = ws->store;
	cb_case_doc doc = {0};
	cb_buf canon = CB_BUF_INIT;
	cb_person tech = {0};
	cb_case_index row = {0}, old;
	cb_repo *repo = NULL;
	cb_repo_author author;
	char email[CB_KEY_MAX + 32], now[CB_DATETIME_LEN];
	int64_t id, when;
	int rc, found;

	memset(out, 0, sizeof(*out));
	if (slug_arg && (rc = cb_case_copy_slug(slug_arg, out->slug)) < 0)
		return rc;
	if (message && (rc = cb_text_check("message", message, CB_REPO_MESSAGE_MAX, 1, 1)) < 0)
		return rc;
	if ((rc = canonical(name, text, len, &doc, &canon)) < 0)
		goto done;
	if (!slug_arg && (rc = cb_app_case_slug_from_title(doc.title, out->slug)) < 0)
		goto done;
	if ((rc = may_write(ws, out->slug, doc.technician)) < 0)
		goto done;
	if ((rc = cb_store_begin(s)) < 0)
		goto done;
	if ((rc = cb_store_case_get(s, out->slug, &old, &found)) < 0)
		goto rollback;
	if (found) {
		rc = cb_error_set(CB_EEXISTS,
				  "%s: case '%s' already exists (%s); add a revision with 'casebook case revise %s FILE' or choose another --slug",
				  name, out->slug, old.status, out->slug);
		cb_case_index_clear(&old);
		goto rollback;
	}
	if ((rc = check_to_write(ws, name, out->slug, &doc, allow_uncovered, "Add", &message,
				 &trailer, &tech, &row)) < 0)
		goto rollback;
	when = cb_case_now_text(now);
	row.status = "submitted";
	row.head = "";
	row.submitted_at = now;
	row.updated_at = now;
	if ((rc = cb_store_case_insert(s, &row, &id)) < 0 || (rc = cb_case_repo_open(ws, &repo)) < 0)
		goto rollback;
	author = cb_case_author_of(&tech, email, sizeof(email));
	author.when = when;
	if ((rc = cb_repo_case_commit(repo, out->slug, canon.ptr, canon.len, CB_REPO_CASE_CREATE,
				      &author, message, out->commit)) < 0) {
		if (rc == CB_EEXISTS)
			rc = cb_error_set(CB_EEXISTS,
					  "%s: case '%s' is in the case-study repository but not in the index (a submission cut short, or a push); run 'casebook reindex' first",
					  name, out->slug);
		goto rollback;
	}
	if ((rc = cb_store_case_set_head(s, id, out->commit)) < 0)
		goto rollback_after_git;
	rc = commit_after_git(s, repo, out->slug, out->commit);
	snprintf(out->status, sizeof(out->status), "submitted");
	goto done;
rollback_after_git:
	cb_store_rollback(s);
	rc = after_git_failed(repo, rc, out->slug, out->commit);
	goto done;
rollback:
	cb_store_rollback(s);
done:
	free(row.claims);
	cb_person_clear(&tech);
	cb_buf_free(&canon);
	cb_buf_free(&trailer);
	cb_frontmatter_clear(&doc);
	return rc;
}

int cb_app_case_batch_begin(cb_workspace *ws)
{
	cb_repo *repo;
	int rc;

	if ((rc = cb_case_repo_open(ws, &repo)) < 0 || (rc = cb_store_begin(ws->store)) < 0)
		return rc;
	if ((rc = cb_repo_batch_begin(repo)) < 0)
		cb_store_rollback(ws->store);
	return rc;
}

void cb_app_case_batch_abort(cb_workspace *ws)
{
	if (!ws->repo || !cb_repo_in_batch(ws->repo))
		return;
	cb_repo_batch_abort(ws->repo);
	cb_store_rollback(ws->store);
}

int cb_app_case_batch_commit(cb_workspace *ws, size_t *commits)
{
	cb_repo *repo = ws->repo;
	char head[41];
	size_t n = 0;
	int rc;

	if (commits)
		*commits = 0;
	if (!repo || !cb_repo_in_batch(repo))
		return cb_error_set(CB_ERROR, "no batch of submissions is open");
	if ((rc = cb_repo_batch_commit(repo, "casebook case submit", &n)) < 0) {
		cb_store_rollback(ws->store);
		return cb_error_prefix("nothing was submitted");
	}
	test_crash_after_commit();
	if ((rc = cb_store_commit(ws->store)) < 0) {
		if (cb_repo_head(repo, head) < 0)
			snprintf(head, sizeof(head), "?");
		return cb_error_set(rc,
				    "%zu case studies were committed to the repository (main at %.12s), but the database could not be updated (%s); "
				    "'casebook check' shows the difference and 'casebook reindex' mends it",
				    n, head, cb_error_last());
	}
	if (commits)
		*commits = n;
	return 0;
}

/* Whether the case is at one of the final statuses (published, rejected,
 * withdrawn): nothing more happens to it. */
static int is_final(const char *status)
{
	for (size_t k = CB_CASE_FIRST_FINAL; k < CB_CASE_STATUS_COUNT; k++)
		if (strcmp(status, cb_case_statuses[k]) == 0)
			return 1;
	return 0;
}

/* The refusal for a case at a final status, saying what `verb` cannot do. */
static int refuse_final(const cb_case_index *idx, const char *verb)
{
	if (strcmp(idx->status, "published") == 0)
		return cb_error_set(CB_EINVALID,
				    "case '%s' is published; a published case is final and cannot be %s",
				    idx->slug, verb);
	return cb_error_set(CB_EINVALID,
			    "case '%s' is %s; that is final, so it cannot be %s (submit a new case instead)",
			    idx->slug, idx->status, verb);
}

/* The index row of case `slug` for a write: CB_ENOTFOUND says whether the
 * case was never submitted or only the index lacks it. */
static int indexed_case(cb_workspace *ws, const char *slug, const char *verb, cb_case_index *idx)
{
	cb_repo *repo = NULL;
	int found, rc, in_repo = 0;

	if ((rc = cb_store_case_get(ws->store, slug, idx, &found)) < 0 || found)
		return rc;
	if (cb_case_repo_open(ws, &repo) == 0) {
		char *text = NULL;
		size_t len;

		in_repo = cb_repo_case_read(repo, slug, NULL, &text, &len) == 0;
		free(text);
	}
	cb_error_clear();
	if (in_repo)
		return cb_error_set(CB_ENOTFOUND,
				    "case '%s' is in the case-study repository but not in the index; run 'casebook reindex' first",
				    slug);
	return cb_error_set(CB_ENOTFOUND,
			    "case '%s' was never submitted, so there is nothing to %s; submit it first with 'casebook case submit FILE'",
			    slug, verb);
}

int cb_app_case_revise(cb_workspace *ws, const char *slug, const char *name, const char *text,
		       size_t len, const char *message, int allow_uncovered, cb_case_written *out)
{
	cb_buf trailer = CB_BUF_INIT;
	cb_store *s = ws->store;
	cb_case_doc doc = {0};
	cb_buf canon = CB_BUF_INIT;
	cb_person tech = {0};
	cb_case_index idx = {0}, row = {0};
	cb_repo *repo = NULL;
	cb_repo_author author;
	char email[CB_KEY_MAX + 32], now[CB_DATETIME_LEN];
	int64_t when;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = cb_case_copy_slug(slug, out->slug)) < 0)
		return rc;
	if (message && (rc = cb_text_check("message", message, CB_REPO_MESSAGE_MAX, 1, 1)) < 0)
		return rc;
	if ((rc = canonical(name, text, len, &doc, &canon)) < 0)
		goto done;
	if ((rc = cb_store_begin(s)) < 0)
		goto done;
	if ((rc = indexed_case(ws, out->slug, "revise", &idx)) < 0 ||
	    (rc = may_write(ws, out->slug, idx.technician)) < 0 ||
	    (rc = may_write(ws, out->slug, doc.technician)) < 0)
		goto rollback;
	if (is_final(idx.status)) {
		rc = refuse_final(&idx, "revised");
		goto rollback;
	}
	if ((rc = check_to_write(ws, name, out->slug, &doc, allow_uncovered, "Revise", &message,
				 &trailer, &tech, &row)) < 0)
		goto rollback;
	when = cb_case_now_text(now);
	row.id = idx.id;
	row.status = "submitted"; /* a new revision needs a new review */
	row.head = idx.head;
	row.submitted_at = idx.submitted_at;
	row.updated_at = now;
	if ((rc = cb_store_case_update(s, &row)) < 0 || (rc = cb_case_repo_open(ws, &repo)) < 0)
		goto rollback;
	author = cb_case_author_of(&tech, email, sizeof(email));
	author.when = when;
	if ((rc = cb_repo_case_commit(repo, out->slug, canon.ptr, canon.len, CB_REPO_CASE_REVISE,
				      &author, message, out->commit)) < 0)
		goto rollback;
	if ((rc = cb_store_case_set_head(s, idx.id, out->commit)) < 0) {
		cb_store_rollback(s);
		rc = after_git_failed(repo, rc, out->slug, out->commit);
		goto done;
	}
	rc = commit_after_git(s, repo, out->slug, out->commit);
	snprintf(out->status, sizeof(out->status), "submitted");
	goto done;
rollback:
	cb_store_rollback(s);
done:
	free(row.claims);
	cb_case_index_clear(&idx);
	cb_person_clear(&tech);
	cb_buf_free(&canon);
	cb_buf_free(&trailer);
	cb_frontmatter_clear(&doc);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Reviewing and publishing                                              */

/* Refuses to record a decision when the index is behind the repository:
 * the reviewer must have seen the revision the decision is about. */
static int check_head_current(cb_repo *repo, const cb_case_index *idx)
{
	char *a = NULL, *b = NULL;
	size_t la = 0, lb = 0;
	int rc = cb_repo_case_read(repo, idx->slug, idx->head, &a, &la);

	if (rc == 0)
		rc = cb_repo_case_read(repo, idx->slug, NULL, &b, &lb);
	if (rc == 0 && (la != lb || memcmp(a, b, la) != 0))
		rc = CB_ERROR;
	free(a);
	free(b);
	if (rc < 0)
		return cb_error_set(CB_ERROR,
				    "the index of case '%s' is behind the case-study repository; run 'casebook reindex' first",
				    idx->slug);
	return 0;
}

/* Records `decision` by `who` on case `idx` in the repository and the
 * index, with the new status; commits the transaction. */
static int record_decision(cb_workspace *ws, const cb_case_index *idx, const cb_person *who,
			   const char *decision, const char *comment, const char *status,
			   cb_case_written *out)
{
	cb_store *s = ws->store;
	cb_repo *repo = NULL;
	cb_repo_review *rv = NULL;
	cb_repo_author author;
	char email[CB_KEY_MAX + 32], now[CB_DATETIME_LEN];
	size_t n = 0;
	int rc;

	if ((rc = cb_case_repo_open(ws, &repo)) < 0 || (rc = check_head_current(repo, idx)) < 0)
		goto rollback;
	author = cb_case_author_of(who, email, sizeof(email));
	author.when = cb_case_now_text(now);
	if ((rc = cb_repo_case_review(repo, idx->slug, decision, &author, comment, out->commit)) < 0)
		goto rollback;
	/* The line just written, as the log holds it. */
	if ((rc = cb_repo_case_reviews(repo, idx->slug, NULL, &rv, &n)) < 0 || n == 0 ||
	    (rc = cb_case_index_review(s, idx->id, &rv[n - 1], who->key)) < 0 ||
	    (rc = cb_store_case_set_status(s, idx->id, status, now)) < 0) {
		if (rc == 0)
			rc = cb_error_set(CB_EREPO, "the review log of case '%s' is empty after a review",
					  idx->slug);
		cb_store_rollback(s);
		rc = after_git_failed(repo, rc, idx->slug, out->commit);
		goto done;
	}
	rc = commit_after_git(s, repo, idx->slug, out->commit);
	snprintf(out->status, sizeof(out->status), "%s", status);
	snprintf(out->decision, sizeof(out->decision), "%s", decision);
	goto done;
rollback:
	cb_store_rollback(s);
done:
	cb_repo_reviews_free(rv, n);
	return rc;
}

/* Whether `who` may review or publish case `idx` (FORMAT.md section 7):
 * not its technician; a consultant, or the trainer of a session the case
 * cites. `verb` says what they came to do ("review"). */
static int check_decider(cb_store *s, const cb_case_index *idx, const cb_person *who,
			 const char *verb)
{
	cb_buf trainers = CB_BUF_INIT;
	int rc = 0, trained = 0;

	if (strcmp(who->key, idx->technician) == 0)
		return cb_error_set(CB_EINVALID,
				    "person '%s' wrote case '%s' and cannot %s it; ask the trainer of a session it cites or a consultant",
				    who->key, idx->slug, verb);
	if (who->roles & CB_ROLE_CONSULTANT)
		return 0;
	for (size_t i = 0; i < idx->n_sessions && !trained && rc == 0; i++) {
		cb_session x = {0};

		rc = cb_store_session_get(s, idx->sessions[i], &x);
		if (rc == CB_ENOTFOUND) { /* a synced case citing a session not here */
			cb_error_clear();
			rc = cb_buf_printf(&trainers, "%s%s (not in this workspace)",
					   trainers.len ? ", " : "", idx->sessions[i]);
			continue;
		}
		if (rc == 0) {
			trained = x.trainer && strcmp(x.trainer, who->key) == 0;
			rc = cb_buf_printf(&trainers, "%s%s by %s", trainers.len ? ", " : "",
					   idx->sessions[i], x.trainer ? x.trainer : "no trainer");
		}
		cb_session_clear(&x);
	}
	if (rc == 0 && !trained)
		rc = cb_error_set(CB_EINVALID,
				  "person '%s' trained none of the sessions case '%s' cites (%s); the %s is "
				  "the trainer of one of them or a consultant",
				  who->key, idx->slug, trainers.len ? cb_buf_cstr(&trainers) : "none",
				  strcmp(verb, "publish") == 0 ? "publisher" : "reviewer");
	cb_buf_free(&trainers);
	return rc;
}

/* Holds the claims of the case's latest revision against the data before
 * it is approved: a claim that disagrees refuses the approval unless
 * `despite` gives the reason to approve it anyway; `despite` without such
 * a claim is refused too, so a review never says it overrode evidence it
 * did not. */
static int check_evidence(cb_workspace *ws, const cb_case_index *idx, const char *despite)
{
	cb_repo *repo;
	cb_case_doc doc = {0};
	cb_case_evidence *ev = NULL;
	cb_buf why = CB_BUF_INIT;
	char name[CB_REPO_SLUG_MAX + 32], *text = NULL;
	size_t len = 0, against = 0;
	int rc;

	cb_case_file_name(idx->slug, name);
	if ((rc = cb_case_repo_open(ws, &repo)) < 0 ||
	    (rc = cb_repo_case_read(repo, idx->slug, NULL, &text, &len)) < 0 ||
	    (rc = cb_frontmatter_parse(name, text, len, &doc)) < 0 ||
	    (rc = cb_app_case_evidence(ws, &doc, &ev)) < 0)
		goto done;
	for (size_t i = 0; i < doc.n_claims && rc == 0; i++) {
		if (ev[i].verdict != CB_CASE_DISAGREES)
			continue;
		rc = cb_buf_printf(&why, "%sclaim %zu (%s): %s", against ? "; " : "", i + 1,
				   doc.claims[i].kpi, ev[i].reason);
		against++;
	}
	if (rc < 0)
		goto done;
	if (against && !despite)
		rc = cb_error_set(CB_EINVALID,
				  "case '%s' has %zu claim%s the data contradicts: %s. Ask for changes, or "
				  "approve it with --despite-evidence \"REASON\" (the reason goes into the review)",
				  idx->slug, against, against == 1 ? "" : "s", cb_buf_cstr(&why));
	else if (!against && despite)
		rc = cb_error_set(CB_EUSAGE,
				  "--despite-evidence: no claim of case '%s' disagrees with the data; approve it without",
				  idx->slug);
done:
	cb_buf_free(&why);
	free(ev);
	cb_frontmatter_clear(&doc);
	free(text);
	return rc;
}

const char *cb_case_despite_evidence(const char *comment, size_t *len)
{
	static const char prefix[] = CB_CASE_DESPITE_PREFIX;
	const char *reason;

	if (!comment || strncmp(comment, prefix, sizeof(prefix) - 1) != 0)
		return NULL;
	reason = comment + sizeof(prefix) - 1;
	*len = strcspn(reason, "\n");
	return reason;
}

/* Whether the rights let the actor review or publish case idx (the
 * reviewer rules of check_decider hold besides, for everyone). */
static int may_decide(cb_workspace *ws, const cb_case_index *idx)
{
	cb_rights_object obj;
	int rc;

	if ((rc = cb_rights_case_object(ws, idx->slug, idx->technician,
					(const char *const *)idx->sessions, idx->n_sessions, &obj)) < 0)
		return rc;
	return cb_rights_require(ws, CB_ACT_CASE_REVIEW, &obj);
}

int cb_app_case_review(cb_workspace *ws, const char *slug, const cb_case_decision *d,
		       cb_case_written *out)
{
	cb_store *s = ws->store;
	cb_case_index idx = {0};
	cb_person who = {0};
	cb_buf said = CB_BUF_INIT;
	const char *status, *comment = d->comment, *reviewer;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = cb_case_copy_slug(slug, out->slug)) < 0 ||
	    (rc = acting_as(ws, d->reviewer, "reviewer", &reviewer)) < 0)
		return rc;
	if (!reviewer)
		return cb_error_set(CB_EUSAGE, "say who reviews the case (--reviewer PERSON)");
	if (!d->decision)
		return cb_error_set(CB_EUSAGE, "--decision must be approve, changes or reject");
	if (strcmp(d->decision, "approve") == 0)
		status = "approved";
	else if (strcmp(d->decision, "changes") == 0)
		status = "changes-requested";
	else if (strcmp(d->decision, "reject") == 0)
		status = "rejected";
	else
		return cb_error_set(CB_EUSAGE,
				    "--decision must be approve, changes or reject, not '%s'",
				    d->decision);
	if (comment && (rc = cb_text_check("comment", comment, CB_NOTE_MAX, 0, 1)) < 0)
		return rc;
	if (status[0] != 'a' && (!comment || !*comment))
		return cb_error_set(CB_EUSAGE, "--decision %s needs a --comment saying %s",
				    d->decision,
				    status[0] == 'c' ? "what to change" : "why the case is rejected");
	if (d->despite_evidence) {
		if (status[0] != 'a')
			return cb_error_set(CB_EUSAGE,
					    "--despite-evidence goes with --decision approve only");
		if ((rc = cb_text_check("--despite-evidence", d->despite_evidence, CB_NAME_MAX * 2,
					1, 0)) < 0)
			return rc;
		/* The reason leads the comment, where the report finds it. */
		if (cb_buf_printf(&said, "%s%s%s%s", CB_CASE_DESPITE_PREFIX, d->despite_evidence,
				  comment && *comment ? "\n" : "", comment ? comment : "") < 0)
			return cb_case_oom();
		if ((rc = cb_text_check("comment", cb_buf_cstr(&said), CB_NOTE_MAX, 0, 1)) < 0)
			goto done;
		comment = cb_buf_cstr(&said);
	}
	if ((rc = cb_store_begin(s)) < 0)
		goto done;
	if ((rc = indexed_case(ws, out->slug, status[0] == 'a' ? "approve" : "review", &idx)) < 0)
		goto rollback;
	if (is_final(idx.status)) {
		rc = refuse_final(&idx, "reviewed");
		goto rollback;
	}
	/* Rejecting ends any case still open; the other decisions are about a
	 * revision nobody has decided on yet. */
	if (status[0] != 'r' && strcmp(idx.status, "submitted") != 0) {
		if (strcmp(idx.status, "changes-requested") == 0)
			rc = cb_error_set(CB_EINVALID,
					  "changes were requested on case '%s'; it needs a revision ('casebook case revise %s FILE') before another review",
					  out->slug, out->slug);
		else
			rc = cb_error_set(CB_EINVALID,
					  "case '%s' is already %s; only a submitted case can be reviewed",
					  out->slug, idx.status);
		goto rollback;
	}
	if ((rc = may_decide(ws, &idx)) < 0 ||
	    (rc = cb_case_person_with_role(s, reviewer, CB_ROLE_TRAINER | CB_ROLE_CONSULTANT,
					   "reviewer", "trainer or consultant", &who)) < 0 ||
	    (rc = check_decider(s, &idx, &who, "review")) < 0)
		goto rollback;
	if (status[0] == 'a' && (rc = check_evidence(ws, &idx, d->despite_evidence)) < 0)
		goto rollback;
	rc = record_decision(ws, &idx, &who, status, comment, status, out);
	goto done;
rollback:
	cb_store_rollback(s);
done:
	cb_buf_free(&said);
	cb_person_clear(&who);
	cb_case_index_clear(&idx);
	return rc;
}

int cb_app_case_withdraw(cb_workspace *ws, const char *slug, const char *by, const char *reason,
			 cb_case_written *out)
{
	cb_store *s = ws->store;
	cb_case_index idx = {0};
	cb_person who = {0};
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = cb_case_copy_slug(slug, out->slug)) < 0)
		return rc;
	if ((reason && (rc = cb_text_check("reason", reason, CB_NOTE_MAX, 0, 1)) < 0) ||
	    (rc = acting_as(ws, by, "technician", &by)) < 0)
		return rc;
	if ((rc = cb_store_begin(s)) < 0)
		return rc;
	if ((rc = indexed_case(ws, out->slug, "withdraw", &idx)) < 0 ||
	    (rc = may_write(ws, out->slug, idx.technician)) < 0)
		goto rollback;
	if (is_final(idx.status)) {
		rc = refuse_final(&idx, "withdrawn");
		goto rollback;
	}
	if (!by)
		by = idx.technician;
	if (strcmp(by, idx.technician) != 0) {
		rc = cb_error_set(CB_EINVALID,
				  "case '%s' was written by '%s'; only they can withdraw it (a reviewer "
				  "ends a case with 'casebook case review %s --decision reject')",
				  out->slug, idx.technician, out->slug);
		goto rollback;
	}
	/* The technician as a person here: the commit's author. */
	if ((rc = cb_store_person_get(s, by, &who)) < 0)
		goto rollback;
	rc = record_decision(ws, &idx, &who, "withdrawn", reason, "withdrawn", out);
	goto done;
rollback:
	cb_store_rollback(s);
done:
	cb_person_clear(&who);
	cb_case_index_clear(&idx);
	return rc;
}

static int last_approver(const cb_case_review_row *r, void *ctx)
{
	char **key = ctx;

	if (strcmp(r->decision, "approved") == 0) {
		free(*key);
		*key = r->reviewer ? strdup(r->reviewer) : NULL;
		if (r->reviewer && !*key)
			return cb_case_oom();
	}
	return 0;
}

int cb_app_case_publish(cb_workspace *ws, const char *slug, const char *by, cb_case_written *out)
{
	cb_store *s = ws->store;
	cb_case_index idx = {0};
	cb_person who = {0};
	char *approver = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = cb_case_copy_slug(slug, out->slug)) < 0 ||
	    (rc = acting_as(ws, by, "publisher", &by)) < 0)
		return rc;
	if ((rc = cb_store_begin(s)) < 0)
		return rc;
	if ((rc = indexed_case(ws, out->slug, "publish", &idx)) < 0 ||
	    (rc = may_decide(ws, &idx)) < 0)
		goto rollback;
	if (strcmp(idx.status, "approved") != 0) {
		if (strcmp(idx.status, "published") == 0)
			rc = cb_error_set(CB_EINVALID, "case '%s' is already published", out->slug);
		else if (is_final(idx.status))
			rc = refuse_final(&idx, "published");
		else
			rc = cb_error_set(CB_EINVALID,
					  "case '%s' is %s, not approved; only an approved case can be published "
					  "('casebook case review %s --decision approve')",
					  out->slug, idx.status, out->slug);
		goto rollback;
	}
	if (!by) {
		if ((rc = cb_store_case_review_each(s, idx.id, last_approver, &approver)) < 0)
			goto rollback;
		if (!approver) {
			rc = cb_error_set(CB_EUSAGE,
					  "the reviewer who approved case '%s' is not a person here; say who publishes it with --by",
					  out->slug);
			goto rollback;
		}
		by = approver;
	}
	if ((rc = cb_case_person_with_role(s, by, CB_ROLE_TRAINER | CB_ROLE_CONSULTANT, "publisher",
					   "trainer or consultant", &who)) < 0 ||
	    (rc = check_decider(s, &idx, &who, "publish")) < 0)
		goto rollback;
	rc = record_decision(ws, &idx, &who, "published", NULL, "published", out);
	goto done;
rollback:
	cb_store_rollback(s);
done:
	free(approver);
	cb_person_clear(&who);
	cb_case_index_clear(&idx);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Reading                                                               */

int cb_app_case_show(cb_workspace *ws, const char *slug, const char *rev, cb_case_view *out)
{
	cb_repo *repo = NULL;
	char name[CB_REPO_SLUG_MAX + 32];
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = cb_repo_slug_check(slug)) < 0)
		return rc;
	if ((rc = cb_case_repo_open(ws, &repo)) < 0)
		return rc;
	rc = cb_repo_case_read(repo, slug, rev, &out->text, &out->len);
	if (rc == CB_ENOTFOUND && !rev) {
		int found;

		/* say whether the index knows it */
		if (cb_store_case_get(ws->store, slug, &out->index, &found) == 0 && found)
			rc = cb_error_set(CB_ENOTFOUND,
					  "case '%s' is in the index but not in the case-study repository; run 'casebook reindex'",
					  slug);
		else
			rc = cb_error_set(CB_ENOTFOUND, "there is no case '%s' ('casebook case list')",
					  slug);
		cb_case_index_clear(&out->index);
	}
	if (rc < 0)
		goto done;
	cb_case_file_name(slug, name);
	if ((rc = cb_frontmatter_parse(name, out->text, out->len, &out->doc)) < 0 ||
	    (rc = cb_repo_case_reviews(repo, slug, rev, &out->reviews, &out->n_reviews)) < 0 ||
	    (rc = cb_store_case_get(ws->store, slug, &out->index, &out->indexed)) < 0)
		goto done;
done:
	if (rc < 0)
		cb_case_view_clear(out);
	return rc;
}

void cb_case_view_clear(cb_case_view *v)
{
	free(v->text);
	cb_frontmatter_clear(&v->doc);
	cb_case_index_clear(&v->index);
	cb_repo_reviews_free(v->reviews, v->n_reviews);
	memset(v, 0, sizeof(*v));
}

int cb_app_case_log(cb_workspace *ws, const char *slug, cb_repo_commit **out, size_t *n)
{
	cb_repo *repo;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = cb_repo_slug_check(slug)) < 0 || (rc = cb_case_repo_open(ws, &repo)) < 0)
		return rc;
	rc = cb_repo_case_log(repo, slug, out, n);
	if (rc == 0 && *n == 0)
		rc = cb_error_set(CB_ENOTFOUND, "there is no case '%s' ('casebook case list')", slug);
	return rc;
}

int cb_app_case_diff(cb_workspace *ws, const char *slug, const char *from, const char *to,
		     char **out)
{
	cb_repo *repo;
	int rc;

	*out = NULL;
	if ((rc = cb_repo_slug_check(slug)) < 0 || (rc = cb_case_repo_open(ws, &repo)) < 0)
		return rc;
	rc = cb_repo_case_diff(repo, slug, from, to, out);
	return rc;
}

int cb_app_case_filter_check(const cb_case_filter *f)
{
	int rc, known = 0;

	if (f->status) {
		for (const char *const *st = cb_case_statuses; *st; st++)
			known |= strcmp(*st, f->status) == 0;
		if (!known) {
			const char *hint;

			if ((rc = cb_text_check("status", f->status, CB_NAME_MAX, 1, 0)) < 0)
				return rc;
			hint = cb_text_suggest(f->status, cb_case_statuses, CB_CASE_STATUS_COUNT);
			return cb_error_set(CB_EINVALID,
					    "unknown status '%s'%s%s%s; use submitted, changes-requested, approved, published, rejected or withdrawn",
					    f->status, hint ? " (did you mean '" : "", hint ? hint : "",
					    hint ? "'?)" : "");
		}
	}
	if ((f->technician && (rc = cb_key_check("person key", f->technician)) < 0) ||
	    (f->account && (rc = cb_key_check("account key", f->account)) < 0) ||
	    (f->session && (rc = cb_key_check("session key", f->session)) < 0) ||
	    (f->kpi && (rc = cb_key_check("KPI key", f->kpi)) < 0))
		return rc;
	return 0;
}
