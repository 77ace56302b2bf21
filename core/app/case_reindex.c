/*
 * Reindex and check: the database's case index rebuilt from the repository
 * (one walk of the history for all of it), and the two compared.
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

#define PROBLEMS_SHOWN 5 /* differences named in check's message */

/* ------------------------------------------------------------------ */
/* Reindex and check                                                     */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The repository's slugs, sorted by strcmp (git's tree order differs). */
static int repo_slugs(cb_repo *repo, char ***slugs, size_t *n)
{
	int rc = cb_repo_case_list(repo, slugs, n);

	if (rc == 0 && *n > 1)
		qsort(*slugs, *n, sizeof(**slugs), cmp_str);
	return rc;
}

static int in_list(char **slugs, size_t n, const char *slug)
{
	return n && bsearch(&slug, slugs, n, sizeof(*slugs), cmp_str) != NULL;
}

typedef struct index_slugs {
	char **slugs;
	int64_t *ids;
	size_t n;
} index_slugs;

static int collect_slug(const cb_case_index *c, void *ctx)
{
	index_slugs *l = ctx;
	char **s = realloc(l->slugs, (l->n + 1) * sizeof(*s));
	int64_t *ids;

	if (!s)
		return cb_case_oom();
	l->slugs = s;
	if (!(ids = realloc(l->ids, (l->n + 1) * sizeof(*ids))))
		return cb_case_oom();
	l->ids = ids;
	if (!(s[l->n] = strdup(c->slug)))
		return cb_case_oom();
	ids[l->n++] = c->id;
	return 0;
}

static void index_slugs_free(index_slugs *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->slugs[i]);
	free(l->slugs);
	free(l->ids);
	memset(l, 0, sizeof(*l));
}

/* Rewrites the index of one case from the repository (when it differs). */
/* Whether case `slug` needs indexing: not indexed, or its row differs
 * from the repository. Sets *needs; counts an unchanged one. */
static int reindex_needs(cb_workspace *ws, cb_repo *repo, const char *slug, int *needs,
			 cb_case_reindex_result *res)
{
	cb_case_stored have;
	cb_case_index idx = {0};
	char why[200];
	int rc, found;

	*needs = 1;
	if ((rc = cb_case_stored_read(repo, slug, &have)) < 0)
		return rc;
	if ((rc = cb_store_case_get(ws->store, slug, &idx, &found)) < 0)
		goto done;
	if (found && (rc = cb_case_index_differs(ws->store, repo, &have, &idx, why, sizeof(why))) == 0) {
		*needs = 0;
		res->unchanged++;
	}
	rc = rc < 0 ? rc : 0;
done:
	cb_case_index_clear(&idx);
	cb_case_stored_clear(&have);
	return rc;
}

/* (Re)writes the index row of case `slug` from the repository and its
 * history `h` (the newest commit that changed case.md is the latest
 * revision; the oldest, the submission). */
static int reindex_write(cb_workspace *ws, cb_repo *repo, const char *slug,
			 const cb_repo_case_history *h, cb_case_reindex_result *res)
{
	cb_store *s = ws->store;
	cb_case_stored have;
	cb_case_index idx = {0}, row = {0};
	char submitted[CB_DATETIME_LEN], updated[CB_DATETIME_LEN];
	int64_t id;
	int rc, found;

	if (!h->head[0])
		return cb_error_set(CB_EREPO, "no commit of case '%s' changed its case.md", slug);
	if ((rc = cb_case_stored_read(repo, slug, &have)) < 0)
		return rc;
	if ((rc = cb_store_case_get(s, slug, &idx, &found)) < 0)
		goto done;
	cb_datetime_format(h->submitted, submitted);
	cb_datetime_format(h->updated, updated);
	if ((rc = cb_case_row_from_doc(s, slug, &have.doc, &row)) < 0)
		goto done;
	row.status = (char *)cb_case_status_from_reviews(have.reviews, have.n_reviews, h->head);
	row.head = (char *)h->head;
	row.submitted_at = submitted;
	row.updated_at = updated;
	if (found) {
		row.id = id = idx.id;
		if ((rc = cb_store_case_update(s, &row)) < 0 ||
		    (rc = cb_store_case_reviews_clear(s, id)) < 0)
			goto done;
		res->updated++;
	} else {
		if ((rc = cb_store_case_insert(s, &row, &id)) < 0)
			goto done;
		res->added++;
	}
	for (size_t i = 0; i < have.n_reviews; i++)
		if ((rc = cb_case_index_review(s, id, &have.reviews[i], NULL)) < 0)
			goto done;
	rc = 0;
done:
	free(row.claims);
	cb_case_index_clear(&idx);
	cb_case_stored_clear(&have);
	return rc;
}

static void report(const cb_case_progress *p, const char *stage, size_t done, size_t total)
{
	if (p && p->fn)
		p->fn(stage, done, total, p->ctx);
}

static void history_progress(size_t commits, void *ctx)
{
	report(ctx, "reading the history", commits, 0);
}

/* Reads every case, then walks the history once for those whose rows
 * must be written (all of them into an empty index), then writes them.
 * A stale case is read twice, once to compare and once to write, rather
 * than held between the two: memory stays the same at 100 cases or
 * 100,000, at the cost of a second read (10,000 cases into an empty
 * index: 2.4 s in all). */
int cb_case_reindex_with(cb_workspace *ws, cb_repo *repo, const cb_case_progress *p,
			cb_case_reindex_result *res)
{
	cb_store *s = ws->store;
	index_slugs indexed = {0};
	cb_repo_case_history *hist = NULL;
	char **slugs = NULL, **stale = NULL;
	size_t n = 0, nstale = 0;
	int rc;

	memset(res, 0, sizeof(*res));
	if ((rc = cb_store_begin(s)) < 0)
		return rc;
	if ((rc = repo_slugs(repo, &slugs, &n)) < 0)
		goto done;
	res->cases = n;
	if (n && !(stale = malloc(n * sizeof(*stale)))) {
		rc = cb_case_oom();
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		int needs;

		rc = reindex_needs(ws, repo, slugs[i], &needs, res);
		if (rc == CB_EINVALID) {
			/* One bad file (pushed in from outside) never blocks the
			 * rest: its row, if any, stays as it was, and check keeps
			 * naming it until it is fixed. */
			if (res->invalid < CB_CASE_INVALID_SHOWN)
				snprintf(res->why_invalid[res->invalid], sizeof(res->why_invalid[0]),
					 "%s", cb_error_last());
			res->invalid++;
			cb_error_clear();
			report(p, "reading the cases", i + 1, n);
			continue;
		}
		if (rc < 0)
			goto done;
		if (needs)
			stale[nstale++] = slugs[i]; /* still sorted */
		report(p, "reading the cases", i + 1, n);
	}
	if (nstale) {
		if (!(hist = malloc(nstale * sizeof(*hist)))) {
			rc = cb_case_oom();
			goto done;
		}
		if ((rc = cb_repo_case_histories(repo, stale, nstale, hist, history_progress,
						 (void *)p)) < 0)
			goto done;
	}
	for (size_t i = 0; i < nstale; i++) {
		if ((rc = reindex_write(ws, repo, stale[i], &hist[i], res)) < 0)
			goto done;
		report(p, "indexing", i + 1, nstale);
	}
	if ((rc = cb_store_case_each(s, NULL, collect_slug, &indexed)) < 0)
		goto done;
	for (size_t i = 0; i < indexed.n; i++) {
		if (in_list(slugs, n, indexed.slugs[i]))
			continue;
		if ((rc = cb_store_case_delete(s, indexed.ids[i])) < 0)
			goto done;
		res->removed++;
	}
done:
	index_slugs_free(&indexed);
	free(hist);
	free(stale);
	cb_repo_slugs_free(slugs, n);
	if (rc < 0) {
		cb_store_rollback(s);
		return rc;
	}
	return cb_store_commit(s);
}

int cb_app_case_reindex(cb_workspace *ws, const cb_case_progress *progress,
			cb_case_reindex_result *res)
{
	cb_repo *repo;
	int rc;

	memset(res, 0, sizeof(*res));
	if ((rc = cb_rights_require(ws, CB_ACT_WORKSPACE_MAINTAIN, NULL)) < 0 ||
	    (rc = cb_case_repo_open(ws, &repo)) < 0)
		return rc;
	return cb_case_reindex_with(ws, repo, progress, res);
}

/* Adds one difference to the list check reports. */
static void problem(cb_buf *b, size_t *count, const char *fmt, ...) CB_PRINTF(3, 4);

static void problem(cb_buf *b, size_t *count, const char *fmt, ...)
{
	char line[600];
	va_list ap;

	if (++*count > PROBLEMS_SHOWN)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (*count > 1)
		cb_buf_puts(b, "; ");
	cb_buf_puts(b, line);
}

int cb_app_case_check(cb_workspace *ws, cb_repo *repo)
{
	cb_store *s = ws->store;
	index_slugs indexed = {0};
	cb_buf list = CB_BUF_INIT;
	char **slugs = NULL;
	size_t n = 0, count = 0;
	int rc;

	if ((rc = repo_slugs(repo, &slugs, &n)) < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		cb_case_index idx;
		cb_case_stored c;
		char why[200];
		int found;

		rc = cb_case_stored_read(repo, slugs[i], &c);
		if (rc == CB_EINVALID) {
			problem(&list, &count, "case '%s' in the repository is not a valid case study: %s",
				slugs[i], cb_error_last());
			continue;
		}
		if (rc < 0)
			goto done;
		if ((rc = cb_store_case_get(s, slugs[i], &idx, &found)) < 0) {
			cb_case_stored_clear(&c);
			goto done;
		}
		if (!found) {
			problem(&list, &count, "case '%s' is in the repository but missing from the index",
				slugs[i]);
		} else if ((rc = cb_case_index_differs(s, repo, &c, &idx, why, sizeof(why))) == 1) {
			problem(&list, &count, "case '%s' is stale in the index: %s", slugs[i], why);
			rc = 0;
		}
		cb_case_index_clear(&idx);
		cb_case_stored_clear(&c);
		if (rc < 0)
			goto done;
	}
	if ((rc = cb_store_case_each(s, NULL, collect_slug, &indexed)) < 0)
		goto done;
	for (size_t i = 0; i < indexed.n; i++)
		if (!in_list(slugs, n, indexed.slugs[i]))
			problem(&list, &count, "case '%s' is in the index but not in the repository",
				indexed.slugs[i]);
	if (count)
		rc = cb_error_set(CB_ERROR,
				  "the case index differs from the case-study repository in %zu case%s: %s%s; "
				  "run 'casebook reindex' to rebuild it from the repository",
				  count, count == 1 ? "" : "s", cb_buf_cstr(&list),
				  count > PROBLEMS_SHOWN ? "; and more" : "");
done:
	index_slugs_free(&indexed);
	cb_repo_slugs_free(slugs, n);
	cb_buf_free(&list);
	return rc;
}
