/*
 * The case-study index in the store: one row per case in the case-study
 * repository (its front matter, the commit of its latest revision and its
 * workflow status), its sessions, claims and review decisions, and the
 * case settings (the default sync remote). The repository holds the text;
 * this is an index of it that `casebook reindex` can rebuild.
 */
#ifndef CB_STORE_CASE_H
#define CB_STORE_CASE_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* One claim as indexed. Dates are "YYYY-MM-DD". */
typedef struct cb_case_index_claim {
	char *kpi;
	double before, after;
	char from[11], to[11];
	char *note; /* NULL when none */
} cb_case_index_claim;

/* One indexed case. Strings are malloc'd when filled by the store and freed
 * by cb_case_index_clear; a caller filling one for a write may point them
 * anywhere (and must not clear it). */
typedef struct cb_case_index {
	int64_t id;
	char *slug;
	char *title;
	char *technician;      /* person key as the case names it */
	int64_t technician_id; /* 0 when no such person here (a synced case) */
	char *account;         /* account key as the case names it */
	int64_t account_id;    /* 0 when no such account here */
	char *status;          /* submitted, changes-requested, approved, published,
				* rejected, withdrawn */
	char *head;            /* 40-hex commit of the latest case.md revision */
	char *submitted_at;    /* YYYY-MM-DDTHH:MM:SSZ */
	char *updated_at;
	char **sessions; /* session keys, in the case's order */
	size_t n_sessions;
	cb_case_index_claim *claims;
	size_t n_claims;
	size_t n_reviews; /* filled by reads */
} cb_case_index;

void cb_case_index_clear(cb_case_index *c);

/* One review decision as indexed (a line of SLUG/reviews.log). */
typedef struct cb_case_review_row {
	char *reviewer; /* person key when the reviewer is a person here, else NULL */
	char *name;
	char *email;
	char *decision; /* approved, changes-requested, published, rejected, withdrawn */
	char *comment;  /* "" when none */
	char *at;       /* YYYY-MM-DDTHH:MM:SSZ */
	char *revision; /* 40-hex commit whose case.md was reviewed */
} cb_case_review_row;

/* Inserts the case with its sessions and claims (in the caller's
 * transaction); stores the new id in *id when non-NULL. CB_EEXISTS when the
 * slug is taken. */
int cb_store_case_insert(cb_store *s, const cb_case_index *c, int64_t *id);

/* Writes every field of the case with id c->id and replaces its sessions
 * and claims (reviews are left alone). */
int cb_store_case_update(cb_store *s, const cb_case_index *c);

/* Sets the status (and updated_at) of case `id`. */
int cb_store_case_set_status(cb_store *s, int64_t id, const char *status,
			     const char *updated_at);

/* Sets the head commit of case `id` (after the git commit is made). */
int cb_store_case_set_head(cb_store *s, int64_t id, const char *head);

/* Fills `out` with case `slug`, its sessions, claims and review count, and
 * sets *found; with *found 0, `out` is left zeroed. Caller clears it. */
int cb_store_case_get(cb_store *s, const char *slug, cb_case_index *out, int *found);

/* Deletes case `id` with everything indexed about it. */
int cb_store_case_delete(cb_store *s, int64_t id);

/* Appends a review decision to case `id` (after its last one). */
int cb_store_case_review_add(cb_store *s, int64_t id, const cb_case_review_row *r);

/* Deletes every review decision of case `id`. */
int cb_store_case_reviews_clear(cb_store *s, int64_t id);

/* Calls fn for each review decision of case `id`, oldest first; stops at
 * the first non-zero return, which it returns. Borrowed for the call. */
typedef int (*cb_case_review_fn)(const cb_case_review_row *r, void *ctx);
int cb_store_case_review_each(cb_store *s, int64_t id, cb_case_review_fn fn, void *ctx);

/* Which cases cb_store_case_each lists; NULL fields match everything. */
typedef struct cb_case_filter {
	const char *status;
	const char *technician; /* person key */
	const char *account;    /* account key */
	const char *session;    /* cases citing this session */
	const char *kpi;        /* cases claiming a change of this KPI */
} cb_case_filter;

/* Calls fn for each case matching `filter` (NULL: all) in slug order, with
 * its sessions and the KPIs of its claims (not the claims themselves) and
 * its review count; stops at the first non-zero return. Borrowed. */
typedef int (*cb_case_fn)(const cb_case_index *c, void *ctx);
int cb_store_case_each(cb_store *s, const cb_case_filter *filter, cb_case_fn fn, void *ctx);

/* The key of the person whose email is `email` (or who has none and whose
 * key@casebook.invalid it is, as Casebook signs their commits), in a
 * malloc'd *key; NULL when nobody here matches. */
int cb_store_case_person_by_email(cb_store *s, const char *email, char **key);

/* The case settings ("casebook.remote"). *value is malloc'd, NULL when the
 * setting is not there. */
int cb_store_case_setting_get(cb_store *s, const char *name, char **value);
int cb_store_case_setting_set(cb_store *s, const char *name, const char *value);

/* Calls fn(id, status, ctx) for each case that cites session `session`
 * (by key); stops at the first non-zero return, which it returns. */
int cb_store_case_citing(cb_store *s, const char *session,
			 int (*fn)(int64_t id, const char *status, void *ctx), void *ctx);

#endif
