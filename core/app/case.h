/*
 * The case-study workflow: a technician submits a case study (checked
 * against the workspace's records and the plugins' hooks, committed to the
 * case-study repository under the technician's name, indexed in the
 * database), revises it, reviewers approve it or ask for changes, and an
 * approved case is published. Claims are held against the customer's data
 * (the evidence check). The repository is the source of truth for the
 * text; the database indexes it, and reindex/check keep the two in step.
 */
#ifndef CB_APP_CASE_H
#define CB_APP_CASE_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/stats.h"
#include "app/workspace.h"
#include "base/buf.h"
#include "format/frontmatter.h"
#include "repo/case.h"
#include "store/case.h"

/* The evidence check (casestudies/FORMAT.md, section 7): each claim's KPI
 * is measured over the CB_CASE_WINDOW_DAYS days before the claim's period
 * (the "before" window) and over the last CB_CASE_WINDOW_DAYS days of the
 * period (the "after" window); a period shorter than that gives both
 * windows its own length. Each measurement carries its own CB_CASE_LEVEL
 * interval over the window's observations (app/kpi_value.h). The claim
 * agrees when its before and its after each lie within the interval of
 * the same window (give or take CB_CASE_ROUNDING of the claimed figure,
 * for a claim written with fewer decimals), and disagrees otherwise; a
 * window with fewer than CB_CASE_MIN_OBSERVATIONS observations of the
 * KPI's inputs is too few to check either way. */
#define CB_CASE_WINDOW_DAYS 90
#define CB_CASE_LEVEL 0.95
#define CB_CASE_MIN_OBSERVATIONS 30
#define CB_CASE_ROUNDING 0.005

/* The setting that holds the default remote of `case sync`. */
#define CB_CASE_REMOTE_SETTING "casebook.remote"

/* The statuses of an indexed case, in workflow order, the final ones
 * (published, rejected, withdrawn) last (a draft is a file not yet
 * submitted, so it is never in the index). NULL-terminated, with
 * CB_CASE_STATUS_COUNT entries before the NULL. */
#define CB_CASE_STATUS_COUNT 6
#define CB_CASE_FIRST_FINAL 3 /* cb_case_statuses[3] is "published" */
extern const char *const cb_case_statuses[];

/* Reads the file at `path` ("-": stdin) into a malloc'd NUL-terminated
 * *text (caller frees), refusing a file over CB_FM_SIZE_MAX bytes before
 * reading it all. Returns 0, CB_EIO or CB_EINVALID naming the file. */
int cb_app_case_read_file(const char *path, char **text, size_t *len);

/* Makes a slug from a title: its letters and digits in lower case, Latin
 * letters with diacritics spelled in ASCII ("Ärger über Öl" gives
 * aerger-ueber-oel, "Café" cafe, "Łódź" lodz), every other run of
 * characters one '-', cut to CB_REPO_SLUG_MAX bytes. A title with nothing
 * left (Greek, Cyrillic, CJK) gives "case-" and 12 hex digits of its
 * SHA-256. CB_EINVALID only for an empty title. */
int cb_app_case_slug_from_title(const char *title, char out[CB_REPO_SLUG_MAX + 1]);

/* What `case new` fills in; NULL fields get placeholders. Borrowed. */
typedef struct cb_case_template {
	const char *technician;
	const char *account;
	const char *const *sessions;
	size_t n_sessions;
} cb_case_template;

/* Appends a filled-in case study in the canonical form to `out`, with
 * guidance in HTML comments in the body. With `ws`, the keys given are
 * checked (a known technician, account and sessions); `ws` may be NULL
 * when none is given. */
int cb_app_case_template(cb_workspace *ws, const cb_case_template *t, cb_buf *out);

/* What a write did. */
typedef struct cb_case_written {
	char slug[CB_REPO_SLUG_MAX + 1];
	char commit[41];  /* the new commit in the case-study repository */
	char status[24];  /* the case's status after the write */
	char decision[24]; /* review and publish: the decision recorded */
} cb_case_written;

/* Submits the case-study document text[0..len) (`name` labels messages,
 * e.g. the file name) as a new case `slug` (NULL: made from the title).
 * Checks the document (format/frontmatter.h), that its technician is a
 * known person with the technician role, its account and sessions exist,
 * every claimed KPI is known to the plugins, that it is not the unedited
 * template of `case new`, that its technician covered its account or a
 * cited session reached it (unless `allow_uncovered`: then the commit
 * message says so), and that every plugin's case.submit hook accepts it;
 * then commits SLUG/case.md in the canonical
 * form, authored by the technician, and indexes it (status submitted).
 * All or nothing: the database is committed only after the git commit. */
int cb_app_case_submit(cb_workspace *ws, const char *name, const char *text, size_t len,
		       const char *slug, const char *message, int allow_uncovered,
		       cb_case_written *out);

/*
 * Several submissions as one (`case submit FILE...`). Between
 * cb_app_case_batch_begin and cb_app_case_batch_commit every
 * cb_app_case_submit is checked and indexed as alone, but its index rows
 * stay in one database transaction and its commit in memory (see
 * cb_repo_batch_begin). The commit writes the commits as one pack, moves
 * main once, then commits the database, so a failure anywhere before it
 * (a refused document, a duplicate slug, a full disk) leaves the
 * repository and the index as they were: cb_app_case_batch_abort drops
 * the batch. *commits (may be NULL) is how many commits it wrote.
 */
int cb_app_case_batch_begin(cb_workspace *ws);
int cb_app_case_batch_commit(cb_workspace *ws, size_t *commits);
void cb_app_case_batch_abort(cb_workspace *ws);

/* Adds a revision of case `slug`, checked as in submit (the hooks run
 * again). The status goes back to submitted; a published case is final
 * and refused, as are rejected and withdrawn ones. */
int cb_app_case_revise(cb_workspace *ws, const char *slug, const char *name, const char *text,
		       size_t len, const char *message, int allow_uncovered, cb_case_written *out);

/* A review decision (casestudies/FORMAT.md section 7). Borrowed. */
typedef struct cb_case_decision {
	const char *reviewer; /* person key: the trainer of a session the case
			       * cites, or a consultant; never its technician */
	const char *decision; /* "approve" (status approved), "changes"
			       * (changes-requested) or "reject" (rejected) */
	const char *comment;  /* needed by changes and reject; may be NULL */
	const char *despite_evidence; /* approve only: why a case with a claim
				       * the data contradicts is approved
				       * anyway; NULL when none */
} cb_case_decision;

/* The line that leads the comment of an approval despite the evidence. */
#define CB_CASE_DESPITE_PREFIX "Despite the evidence: "

/* Records a review decision on case `slug`. Approve and changes need a
 * submitted case, reject any case not yet final. Approving holds the
 * latest revision's claims against the data (cb_app_case_evidence): a
 * claim that disagrees refuses it unless d->despite_evidence, whose
 * reason then leads the review's comment (CB_CASE_DESPITE_PREFIX). */
int cb_app_case_review(cb_workspace *ws, const char *slug, const cb_case_decision *d,
		       cb_case_written *out);

/* The reason of an approval despite the evidence in a review comment, or
 * NULL when the comment is not one; *len is its length (it ends at the
 * first line feed). */
const char *cb_case_despite_evidence(const char *comment, size_t *len);

/* Withdraws a case that is not final (status withdrawn, final): only its
 * technician (`by`; NULL: the case's technician) can. `reason` may be
 * NULL. */
int cb_app_case_withdraw(cb_workspace *ws, const char *slug, const char *by, const char *reason,
			 cb_case_written *out);

/* Publishes an approved case, recorded as a review decision "published"
 * by `by` (NULL: the reviewer who approved it), who may review it. */
int cb_app_case_publish(cb_workspace *ws, const char *slug, const char *by,
			cb_case_written *out);

/* A case as `case show` reads it. */
typedef struct cb_case_view {
	char *text;          /* SLUG/case.md at the revision */
	size_t len;
	cb_case_doc doc;     /* parsed from it */
	int indexed;         /* whether the index holds the case */
	cb_case_index index; /* its index row (status, head, times), when indexed */
	cb_repo_review *reviews; /* SLUG/reviews.log at the revision */
	size_t n_reviews;
} cb_case_view;

/* Reads case `slug` at revision `rev` (NULL: HEAD). Caller frees with
 * cb_case_view_clear. */
int cb_app_case_show(cb_workspace *ws, const char *slug, const char *rev, cb_case_view *out);
void cb_case_view_clear(cb_case_view *v);

typedef enum cb_case_verdict {
	CB_CASE_AGREES,
	CB_CASE_DISAGREES,
	CB_CASE_NO_DATA,
	CB_CASE_TOO_FEW /* fewer observations than CB_CASE_MIN_OBSERVATIONS */
} cb_case_verdict;

/* "agrees", "disagrees", "no data", "too few observations". */
const char *cb_case_verdict_name(cb_case_verdict v);

/* One claim held against the data. Days are day numbers, [from, to). */
typedef struct cb_case_evidence {
	const cb_case_claim *claim; /* borrowed from the document */
	int32_t before_from, before_to, after_from, after_to;
	double measured_before, measured_after; /* NaN when none */
	cb_analysis_interval before_ci, after_ci; /* their intervals; NaN when none */
	size_t before_obs, after_obs;           /* observations in each window */
	double claimed_change, measured_change; /* after - before */
	cb_case_verdict verdict;
	char reason[400]; /* the figures, or why there is no data */
} cb_case_evidence;

/* The before and after windows of a claim (see CB_CASE_WINDOW_DAYS). */
void cb_app_case_windows(const cb_case_claim *c, int32_t *before_from, int32_t *before_to,
			 int32_t *after_from, int32_t *after_to);

/* Holds every claim of `doc` against the account's observations through
 * the KPIs' plugins. *out gets doc->n_claims entries (NULL when none);
 * caller frees it with free(). */
int cb_app_case_evidence(cb_workspace *ws, const cb_case_doc *doc, cb_case_evidence **out);

/* The commits that changed case `slug`, newest first (repo/case.h).
 * Caller frees with cb_repo_commits_free. */
int cb_app_case_log(cb_workspace *ws, const char *slug, cb_repo_commit **out, size_t *n);

/* A unified diff of the case between two revisions (repo/case.h's
 * defaults). Caller frees *out. */
int cb_app_case_diff(cb_workspace *ws, const char *slug, const char *from, const char *to,
		     char **out);

/* Checks a list filter: a known status, well-formed keys. */
int cb_app_case_filter_check(const cb_case_filter *f);

#define CB_CASE_INVALID_SHOWN 3 /* invalid cases a reindex names */

typedef struct cb_case_reindex_result {
	size_t cases;     /* in the repository */
	size_t added;     /* indexed anew */
	size_t updated;   /* stale rows rewritten */
	size_t removed;   /* rows of cases no longer in the repository */
	size_t unchanged;
	size_t invalid;   /* not valid case studies: left as they were */
	char why_invalid[CB_CASE_INVALID_SHOWN][400]; /* the first ones, each what is wrong */
} cb_case_reindex_result;

/* How far a long job is: `stage` names the step ("reading the cases",
 * "reading the history", "indexing"); total is 0 when not known ahead. */
typedef struct cb_case_progress {
	void (*fn)(const char *stage, size_t done, size_t total, void *ctx);
	void *ctx;
} cb_case_progress;

/* Brings the case index in step with the repository: every case at HEAD is
 * indexed from its text and review log (status from the last decision,
 * FORMAT.md section 7), rows of cases that are gone are removed. One
 * transaction; the history is walked once, for all the rows it writes.
 * `progress` may be NULL. */
int cb_app_case_reindex(cb_workspace *ws, const cb_case_progress *progress,
			cb_case_reindex_result *res);

/* Compares the case index with the repository `repo`. Returns 0 when they
 * agree, else CB_ERROR naming the differences (a case missing from the
 * index, an extra one, a stale one and why). Reads only. */
int cb_app_case_check(cb_workspace *ws, cb_repo *repo);

typedef struct cb_case_sync_result {
	cb_repo_sync_result repo; /* what moved; conflicts when refused */
	char *remote;             /* the remote used (malloc'd) */
	int remembered;           /* it was stored as the default */
	cb_case_reindex_result reindex;
} cb_case_sync_result;

/* Exchanges the case-study repository with `remote` (NULL: the stored
 * default), then reindexes what came in. The remote is remembered as the
 * default when `remember` is set or there is none yet. A conflict is
 * refused (repo/case.h) with the paths in out->repo.conflicts and nothing
 * changed. Caller clears `out` with cb_case_sync_result_clear, also after
 * a failure. */
int cb_app_case_sync(cb_workspace *ws, const char *remote, int remember,
		     cb_case_sync_result *out);
void cb_case_sync_result_clear(cb_case_sync_result *r);

#endif
