/*
 * The index rows of a case study: built from its document and its reviews
 * in the repository, compared with what the database holds.
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
/* Index rows                                                            */

/* An index row for `doc` borrowing its strings; only row->claims is
 * allocated (free it with free()). Ids are 0 for keys not known here. */
int cb_case_row_from_doc(cb_store *s, const char *slug, const cb_case_doc *d, cb_case_index *row)
{
	int rc;

	*row = (cb_case_index){0};
	row->slug = (char *)slug;
	row->title = d->title;
	row->technician = d->technician;
	row->account = d->account;
	row->sessions = d->sessions;
	row->n_sessions = d->n_sessions;
	if (d->n_claims) {
		if (!(row->claims = calloc(d->n_claims, sizeof(*row->claims))))
			return cb_case_oom();
		row->n_claims = d->n_claims;
	}
	for (size_t i = 0; i < d->n_claims; i++) {
		cb_case_index_claim *k = &row->claims[i];

		k->kpi = d->claims[i].kpi;
		k->before = d->claims[i].before;
		k->after = d->claims[i].after;
		cb_date_format(d->claims[i].from, k->from);
		cb_date_format(d->claims[i].to, k->to);
		k->note = d->claims[i].note;
	}
	rc = cb_store_person_id(s, d->technician, &row->technician_id);
	if (rc == CB_ENOTFOUND)
		row->technician_id = 0, rc = 0, cb_error_clear();
	if (rc == 0)
		rc = cb_store_account_id(s, d->account, &row->account_id);
	if (rc == CB_ENOTFOUND)
		row->account_id = 0, rc = 0, cb_error_clear();
	if (rc < 0) {
		free(row->claims);
		row->claims = NULL;
	}
	return rc;
}

static int streq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Whether the indexed front matter differs from `d`; says how in why. */
static int fields_differ(const cb_case_index *idx, const cb_case_doc *d, char *why, size_t whylen)
{
	if (!streq(idx->title, d->title))
		return snprintf(why, whylen, "its title differs"), 1;
	if (!streq(idx->technician, d->technician))
		return snprintf(why, whylen, "its technician differs"), 1;
	if (!streq(idx->account, d->account))
		return snprintf(why, whylen, "its account differs"), 1;
	if (idx->n_sessions != d->n_sessions)
		return snprintf(why, whylen, "its sessions differ"), 1;
	for (size_t i = 0; i < d->n_sessions; i++)
		if (!streq(idx->sessions[i], d->sessions[i]))
			return snprintf(why, whylen, "its sessions differ"), 1;
	if (idx->n_claims != d->n_claims)
		return snprintf(why, whylen, "its claims differ"), 1;
	for (size_t i = 0; i < d->n_claims; i++) {
		const cb_case_index_claim *k = &idx->claims[i];
		const cb_case_claim *c = &d->claims[i];
		char from[CB_DATE_LEN], to[CB_DATE_LEN];

		cb_date_format(c->from, from);
		cb_date_format(c->to, to);
		if (!streq(k->kpi, c->kpi) || k->before != c->before || k->after != c->after ||
		    strcmp(k->from, from) != 0 || strcmp(k->to, to) != 0 || !streq(k->note, c->note))
			return snprintf(why, whylen, "its claim %zu differs", i + 1), 1;
	}
	return 0;
}

/* The status the review log gives a case whose latest revision is `head`
 * (FORMAT.md section 7): the last decision, unless the case was revised
 * after it (then submitted again); published, rejected and withdrawn are
 * final. */
const char *cb_case_status_from_reviews(const cb_repo_review *rv, size_t n, const char *head)
{
	for (size_t i = n; i-- > 0;) {
		const char *d = rv[i].decision;

		/* final: the static names, not the log's own strings */
		for (size_t k = CB_CASE_FIRST_FINAL; k < CB_CASE_STATUS_COUNT; k++)
			if (strcmp(d, cb_case_statuses[k]) == 0)
				return cb_case_statuses[k];
		if (strcmp(d, "approved") == 0 || strcmp(d, "changes-requested") == 0)
			return strcmp(rv[i].revision, head) == 0
				       ? (d[0] == 'a' ? "approved" : "changes-requested")
				       : "submitted";
	}
	return "submitted";
}

typedef struct review_rows {
	cb_case_review_row *items;
	size_t n;
} review_rows;

static void review_rows_free(review_rows *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->items[i].reviewer);
		free(r->items[i].name);
		free(r->items[i].email);
		free(r->items[i].decision);
		free(r->items[i].comment);
		free(r->items[i].at);
		free(r->items[i].revision);
	}
	free(r->items);
	*r = (review_rows){0};
}

static char *dup_or_null(const char *s, int *failed)
{
	char *c;

	if (!s)
		return NULL;
	if (!(c = strdup(s)))
		*failed = 1;
	return c;
}

static int collect_review(const cb_case_review_row *r, void *ctx)
{
	review_rows *rows = ctx;
	cb_case_review_row *grown = realloc(rows->items, (rows->n + 1) * sizeof(*grown));
	cb_case_review_row *c;
	int failed = 0;

	if (!grown)
		return cb_case_oom();
	rows->items = grown;
	c = &grown[rows->n++];
	c->reviewer = dup_or_null(r->reviewer, &failed);
	c->name = dup_or_null(r->name, &failed);
	c->email = dup_or_null(r->email, &failed);
	c->decision = dup_or_null(r->decision, &failed);
	c->comment = dup_or_null(r->comment, &failed);
	c->at = dup_or_null(r->at, &failed);
	c->revision = dup_or_null(r->revision, &failed);
	return failed ? cb_case_oom() : 0;
}

/* What the repository holds about one case at HEAD. */

void cb_case_stored_clear(cb_case_stored *c)
{
	free(c->text);
	cb_frontmatter_clear(&c->doc);
	cb_repo_reviews_free(c->reviews, c->n_reviews);
	memset(c, 0, sizeof(*c));
}

/* The name messages give a case's file: cases/SHARD/SLUG/case.md. */
void cb_case_file_name(const char *slug, char name[CB_REPO_SLUG_MAX + 32])
{
	char dir[CB_REPO_DIR_MAX];

	if (cb_repo_case_dir(slug, dir) < 0)
		snprintf(dir, sizeof(dir), "%s", slug);
	snprintf(name, CB_REPO_SLUG_MAX + 32, "cases/%s/case.md", dir);
}

int cb_case_stored_read(cb_repo *repo, const char *slug, cb_case_stored *c)
{
	char name[CB_REPO_SLUG_MAX + 32];
	int rc;

	memset(c, 0, sizeof(*c));
	cb_case_file_name(slug, name);
	if ((rc = cb_repo_case_read(repo, slug, NULL, &c->text, &c->len)) < 0 ||
	    (rc = cb_frontmatter_parse(name, c->text, c->len, &c->doc)) < 0 ||
	    (rc = cb_repo_case_reviews(repo, slug, NULL, &c->reviews, &c->n_reviews)) < 0) {
		cb_case_stored_clear(c);
		return rc;
	}
	return 0;
}

/* Whether index row `idx` describes the case as the repository holds it
 * (`rc`): the indexed revision holds the text at HEAD, the front matter,
 * reviews and status agree. Returns 0 when it does, 1 (with why) when
 * not, or an error. */
int cb_case_index_differs(cb_store *s, cb_repo *repo, const cb_case_stored *have, const cb_case_index *idx,
			 char *why, size_t whylen)
{
	review_rows rows = {0};
	char *text = NULL;
	size_t len;
	int rc, differs = 0;

	rc = cb_repo_case_read(repo, idx->slug, idx->head, &text, &len);
	if (rc == CB_ENOTFOUND || rc == CB_EINVALID) {
		cb_error_clear();
		snprintf(why, whylen, "its indexed revision %.12s is not in the repository", idx->head);
		return 1;
	}
	if (rc < 0)
		return rc;
	if (len != have->len || memcmp(text, have->text, len) != 0) {
		snprintf(why, whylen, "it was revised in the repository after revision %.12s",
			 idx->head);
		differs = 1;
		goto done;
	}
	if (fields_differ(idx, &have->doc, why, whylen)) {
		differs = 1;
		goto done;
	}
	if ((rc = cb_store_case_review_each(s, idx->id, collect_review, &rows)) < 0)
		goto done;
	if (rows.n != have->n_reviews) {
		snprintf(why, whylen, "the repository has %zu review decisions, the index %zu",
			 have->n_reviews, rows.n);
		differs = 1;
		goto done;
	}
	for (size_t i = 0; i < rows.n; i++) {
		const cb_repo_review *r = &have->reviews[i];

		if (!streq(rows.items[i].decision, r->decision) ||
		    !streq(rows.items[i].revision, r->revision) || !streq(rows.items[i].email, r->email)) {
			snprintf(why, whylen, "its review decision %zu differs", i + 1);
			differs = 1;
			goto done;
		}
	}
	{
		const char *status = cb_case_status_from_reviews(have->reviews, have->n_reviews, idx->head);

		if (strcmp(status, idx->status) != 0) {
			snprintf(why, whylen, "its status is %s in the index but %s by its review log",
				 idx->status, status);
			differs = 1;
		}
	}
done:
	free(text);
	review_rows_free(&rows);
	return rc < 0 ? rc : differs;
}

/* Indexes one review line of case `id`. */
int cb_case_index_review(cb_store *s, int64_t id, const cb_repo_review *r, const char *reviewer)
{
	cb_case_review_row row = {0};
	char at[CB_DATETIME_LEN];
	char *found = NULL;
	int rc;

	if (!reviewer) {
		if ((rc = cb_store_case_person_by_email(s, r->email, &found)) < 0)
			return rc;
		reviewer = found;
	}
	cb_datetime_format(r->time, at);
	row.reviewer = (char *)reviewer;
	row.name = r->name;
	row.email = r->email;
	row.decision = r->decision;
	row.comment = r->comment;
	row.at = at;
	row.revision = (char *)r->revision;
	rc = cb_store_case_review_add(s, id, &row);
	free(found);
	return rc;
}
