/*
 * Case studies in the case-study repository: one folder per case,
 * `SLUG/case.md` (the document, every revision a commit authored by the
 * technician) and `SLUG/reviews.log` (one line per review decision, each a
 * commit authored by the reviewer). Every write is one commit on branch
 * main that keeps the index and the work tree in step with it; sync
 * exchanges main with another repository. Nothing here prints.
 */
#ifndef CB_REPO_CASE_H
#define CB_REPO_CASE_H

#include <stddef.h>
#include <stdint.h>

#include "repo/repo.h"

#define CB_REPO_SLUG_MAX 64          /* bytes in a case slug */
#define CB_REPO_CASE_MAX (256 * 1024) /* bytes in SLUG/case.md (as CB_FM_SIZE_MAX) */
#define CB_REPO_MESSAGE_MAX 16000    /* bytes in a commit message */
#define CB_REPO_DECISION_MAX 32      /* bytes in a review decision */
#define CB_REPO_DIR_MAX (CB_REPO_SLUG_MAX + 4)   /* "SHARD/SLUG" and its NUL */
#define CB_REPO_PATH_MAX (CB_REPO_SLUG_MAX + 20) /* "SHARD/SLUG/reviews.log" */

/* Who writes a commit. Borrowed strings. Both are required: git needs an
 * address, so a caller whose person has none passes one of its own
 * making (e.g. "KEY@casebook.invalid"). */
typedef struct cb_repo_author {
	const char *name;  /* 1..CB_NAME_MAX bytes, no control characters, no '<' '>' */
	const char *email; /* 1..254 bytes, no blanks or control characters, no '<' '>' */
	int64_t when;      /* Unix seconds of the commit and review line, UTC; 0: now */
} cb_repo_author;

/* Checks a case slug given by a user: 1..CB_REPO_SLUG_MAX bytes of a-z,
 * 0-9 and '-', not starting or ending with '-'. Returns 0 or CB_EINVALID
 * with a message saying what is wrong (and never echoing control bytes). */
int cb_repo_slug_check(const char *slug);

/* The folder of case `slug` (a checked slug) in the repository's tree:
 * "SHARD/SLUG", SHARD being the first two hex digits of the slug's git
 * blob id (repo/case.c says why). */
int cb_repo_case_dir(const char *slug, char out[CB_REPO_DIR_MAX]);

typedef enum cb_repo_case_mode {
	CB_REPO_CASE_CREATE, /* SLUG/case.md must not exist yet, else CB_EEXISTS */
	CB_REPO_CASE_REVISE, /* SLUG/case.md must exist, else CB_ENOTFOUND */
	CB_REPO_CASE_ANY     /* either */
} cb_repo_case_mode;

/* Commits text[0..len) as SLUG/case.md on main, authored (and committed)
 * by `author`, with `message` (NULL: "Add case SLUG" or "Revise case
 * SLUG"). The text must be 1..CB_REPO_CASE_MAX bytes without NUL bytes;
 * its format is the caller's business (format/frontmatter.h). Refuses,
 * changing nothing: a text equal to the current one (CB_EINVALID), local
 * uncommitted changes to that file (CB_EREPO), HEAD not on main. Writes
 * the new commit's id into id (41 bytes) when id is non-NULL. */
int cb_repo_case_commit(cb_repo *r, const char *slug, const char *text, size_t len,
			cb_repo_case_mode mode, const cb_repo_author *author,
			const char *message, char id[41]);

/* Records a review decision on the case's latest revision as one commit
 * authored by `reviewer` that appends a line to SLUG/reviews.log (format
 * in casestudies/FORMAT.md) and says it in the message ("Review SLUG:
 * DECISION" then the comment). `decision` is a word of 1..32 bytes of a-z
 * and '-' (the vocabulary is the caller's: "approved", "changes-requested",
 * "published"…); `comment` may be NULL, at most CB_NOTE_MAX bytes, several
 * lines. CB_ENOTFOUND when the case does not exist at main. */
int cb_repo_case_review(cb_repo *r, const char *slug, const char *decision,
			const cb_repo_author *reviewer, const char *comment, char id[41]);

/* Reads SLUG/case.md at revision `rev` (any revspec libgit2 understands:
 * "HEAD~2", a commit id, "main@{1}"…; NULL means HEAD). *text is
 * NUL-terminated; caller frees it with free(). CB_ENOTFOUND when the
 * revision or the file at it does not exist. */
int cb_repo_case_read(cb_repo *r, const char *slug, const char *rev, char **text,
		      size_t *len);

/* What a commit changed in a case's folder. */
enum {
	CB_REPO_CHANGED_CASE = 1,   /* SLUG/case.md */
	CB_REPO_CHANGED_REVIEWS = 2 /* SLUG/reviews.log */
};

typedef struct cb_repo_commit {
	char id[41];
	char *author_name;
	char *author_email;
	int64_t time;     /* author time, Unix seconds */
	int offset;       /* the author's UTC offset, minutes */
	char *message;    /* whole message */
	unsigned changes; /* CB_REPO_CHANGED_* bits */
} cb_repo_commit;

/* The commits on main that changed anything under SLUG/, newest first
 * (a merge is listed only when it differs from every parent, as in
 * `git log -- SLUG`). An empty list when the case never existed.
 * Caller frees with cb_repo_commits_free. */
int cb_repo_case_log(cb_repo *r, const char *slug, cb_repo_commit **out, size_t *n);
void cb_repo_commits_free(cb_repo_commit *list, size_t n);

/* What cb_repo_case_log says of a case, in brief. */
typedef struct cb_repo_case_history {
	char head[41];	   /* the newest commit that changed case.md; "" when none */
	int64_t submitted; /* author time of the oldest commit that changed case.md */
	int64_t updated;   /* author time of the newest commit that changed the folder */
} cb_repo_case_history;

/* cb_repo_case_history of each of slugs[0..n-1] (sorted by strcmp, as
 * cb_repo_case_list gives them) into out[0..n-1], from one walk of main's
 * history for all of them, where n calls of cb_repo_case_log would walk
 * it n times. Between a commit and its parent only the shards and case
 * folders whose ids differ are opened. `progress` (may be NULL) is called
 * with the commits walked so far. */
int cb_repo_case_histories(cb_repo *r, char *const *slugs, size_t n, cb_repo_case_history *out,
			   void (*progress)(size_t commits, void *ctx), void *ctx);

/* A unified diff (git's format, 3 lines of context) of SLUG/case.md from
 * revision `from` to revision `to`. Defaults: `to` NULL is HEAD; `from`
 * NULL is the revision before the one `to` holds (the parent of the
 * commit that last changed the file), so both NULL show the latest
 * revision's change; a side without the file counts as empty. "" when
 * both sides are equal. Caller frees *out with free(). */
int cb_repo_case_diff(cb_repo *r, const char *slug, const char *from, const char *to,
		      char **out);

/* The slugs of the cases at HEAD (folders holding a case.md), sorted.
 * Caller frees with cb_repo_slugs_free. */
int cb_repo_case_list(cb_repo *r, char ***slugs, size_t *n);
void cb_repo_slugs_free(char **slugs, size_t n);

/* One line of SLUG/reviews.log. */
typedef struct cb_repo_review {
	int64_t time;      /* Unix seconds */
	char *decision;
	char revision[41]; /* the commit whose case.md was reviewed */
	char *name;
	char *email;
	char *comment;     /* "" when none */
} cb_repo_review;

/* The review decisions recorded for SLUG at `rev` (NULL: HEAD), oldest
 * first; an empty list when there are none. Caller frees with
 * cb_repo_reviews_free. */
int cb_repo_case_reviews(cb_repo *r, const char *slug, const char *rev,
			 cb_repo_review **out, size_t *n);
void cb_repo_reviews_free(cb_repo_review *list, size_t n);

/* Parses the text of a review log (data[0..len), `path` labels
 * messages): CB_EINVALID names the first line that is not a review. */
int cb_repo_reviews_parse(const char *path, const char *data, size_t len, cb_repo_review **out,
			  size_t *n);

typedef struct cb_repo_sync_result {
	int pulled;  /* main moved to take in the remote's commits */
	int merged;  /* ...through a merge commit (the histories had diverged) */
	int pushed;  /* the remote's main moved to ours */
	char head[41];         /* main after the sync */
	char **conflicts;      /* when refused for conflicts: the paths */
	size_t n_conflicts;
} cb_repo_sync_result;

/* Exchanges branch main with the repository at `url` (a path or URL that
 * libgit2 can fetch from and push to; a local one must be bare): fetches
 * its main (kept as refs/remotes/casebook-sync/main, so its text can be
 * read as revision "casebook-sync/main"), then fast-forwards, or merges
 * in a commit authored by `who` (NULL: "Casebook <casebook@localhost>")
 * when the histories diverged, and pushes main back when the remote lacks
 * commits. When both sides changed the same lines the merge is refused
 * with CB_ERROR, res->conflicts naming the paths and nothing changed on
 * either side. Review logs changed on both sides are merged line by line
 * (a union). Refuses a work tree with uncommitted changes. */
/* Called by cb_repo_sync_checked for each SHARD/SLUG/case.md the remote
 * would bring in (added or changed against main), before main moves;
 * returns 0 to take it, or an error whose message says what is wrong
 * (`path` is its place in the repository, for that message). */
typedef int (*cb_repo_incoming_fn)(const char *slug, const char *path, const char *text,
				   size_t len, void *ctx);

/* cb_repo_sync, holding everything the remote brings in to `check`
 * (NULL: none) and its review logs to the review-log format, before main
 * moves: a file that fails refuses the sync (CB_EINVALID, naming the
 * file and the remote's commit that wrote it), and neither side's main
 * moves. */
int cb_repo_sync_checked(cb_repo *r, const char *url, const cb_repo_author *who,
			 cb_repo_incoming_fn check, void *ctx, cb_repo_sync_result *res);
int cb_repo_sync(cb_repo *r, const char *url, const cb_repo_author *who,
		 cb_repo_sync_result *res);
void cb_repo_sync_result_clear(cb_repo_sync_result *res);

#endif
