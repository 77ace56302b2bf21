/*
 * Internal to the case-study files of the app layer (core/app/case*.c):
 * the helpers they share. Not for other layers or other app files.
 */
#ifndef CB_APP_CASE_INTERNAL_H
#define CB_APP_CASE_INTERNAL_H

#include <stdint.h>

#include "app/case.h"
#include "base/date.h"
#include "repo/repo.h"
#include "store/person.h"

/* CB_ENOMEM with "out of memory". */
int cb_case_oom(void);

/* The time of a write, in the index's form; the same second goes into
 * the commit (cb_repo_author.when), so the index and the history agree. */
int64_t cb_case_now_text(char out[CB_DATETIME_LEN]);

/* A case as the repository holds it: its text, the front matter parsed,
 * its review log. Clear with cb_case_stored_clear. */
typedef struct cb_case_stored {
	char *text;
	size_t len;
	cb_case_doc doc;
	cb_repo_review *reviews;
	size_t n_reviews;
} cb_case_stored;

/* Copies a valid slug into out, or says why it is not one. */
int cb_case_copy_slug(const char *slug, char out[CB_REPO_SLUG_MAX + 1]);

/* Person `key` holding one of `roles`; `as` names the part they play
 * ("technician", "reviewer"). Caller clears *p. */
int cb_case_person_with_role(cb_store *s, const char *key, unsigned roles, const char *as,
			    const char *roles_text, cb_person *p);

/* The commit author for a person: their name and email, or
 * KEY@casebook.invalid when they have none. `email` holds the fallback. */
cb_repo_author cb_case_author_of(const cb_person *p, char *email, size_t emaillen);

/* Everything a submission or revision must satisfy beyond the format:
 * the technician, account, sessions and KPIs exist, and every plugin's
 * case.submit hook accepts the case. Fills *tech (caller clears). */
int cb_case_check_document(cb_workspace *ws, const char *name, const char *slug,
			  const cb_case_doc *d, cb_person *tech);

/* Whether the case's technician ever covered its account, or a session it
 * cites reached the account (by link, or through an attendee's coverage
 * on its last day): *uncovered says when neither; then, unless `allow`
 * (--allow-uncovered), CB_EINVALID naming both and the way out. */
int cb_case_check_reach(cb_workspace *ws, const char *name, const cb_case_doc *d,
			const cb_person *tech, int allow, int *uncovered);

/* An index row for `doc` borrowing its strings; only row->claims is
 * allocated (free it with free()). Ids are 0 for keys not known here. */
int cb_case_row_from_doc(cb_store *s, const char *slug, const cb_case_doc *d, cb_case_index *row);

/* The status the review log gives a case whose latest revision is `head`
 * (FORMAT.md section 7): the last decision, unless the case was revised
 * after it (then submitted again); published, rejected and withdrawn are
 * final. */
const char *cb_case_status_from_reviews(const cb_repo_review *rv, size_t n, const char *head);

void cb_case_stored_clear(cb_case_stored *c);

/* The name messages give a case's file: cases/SHARD/SLUG/case.md. */
void cb_case_file_name(const char *slug, char name[CB_REPO_SLUG_MAX + 32]);

int cb_case_stored_read(cb_repo *repo, const char *slug, cb_case_stored *c);

/* Whether index row `idx` describes the case as the repository holds it
 * (`rc`): the indexed revision holds the text at HEAD, the front matter,
 * reviews and status agree. Returns 0 when it does, 1 (with why) when
 * not, or an error. */
int cb_case_index_differs(cb_store *s, cb_repo *repo, const cb_case_stored *have, const cb_case_index *idx,
			 char *why, size_t whylen);

/* Indexes one review line of case `id`. */
int cb_case_index_review(cb_store *s, int64_t id, const cb_repo_review *r, const char *reviewer);

/* Reads every case, then walks the history once for those whose rows
 * must be written (all of them into an empty index), then writes them.
 * A stale case is read twice, once to compare and once to write, rather
 * than held between the two: memory stays the same at 100 cases or
 * 100,000, at the cost of a second read (10,000 cases into an empty
 * index: 2.4 s in all). */
int cb_case_reindex_with(cb_workspace *ws, cb_repo *repo, const cb_case_progress *p,
			cb_case_reindex_result *res);

int cb_case_repo_open(cb_workspace *ws, cb_repo **repo);

#endif
