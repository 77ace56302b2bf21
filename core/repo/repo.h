/*
 * The case-study git repository, through libgit2. This is the only layer
 * that includes git2.h: creating, opening and checking the repository,
 * and batches of commits; case.c reads and writes cases, sync.c syncs.
 */
#ifndef CB_REPO_REPO_H
#define CB_REPO_REPO_H

#include <stddef.h>
#include <stdint.h>

typedef struct cb_repo cb_repo;
struct git_oid;
struct git_repository;

/* Creates a bare repository at `path` (which must not hold one) with
 * HEAD pointing at refs/heads/main and a first commit holding README.md.
 * Caller frees with cb_repo_close. */
int cb_repo_init(const char *path, cb_repo **out);

/* Opens the bare repository at exactly `path` (one with a work tree is
 * refused, saying how to convert it). Caller frees with cb_repo_close. */
int cb_repo_open(const char *path, cb_repo **out);
void cb_repo_close(cb_repo *r);

/* Keeps libgit2 started from hold to release, whatever repositories open
 * and close meanwhile. Each repository starts it and its close stops it
 * (a count); a server whose requests open and close repositories on many
 * threads holds it for its whole life, or the count falls to zero between
 * requests: libgit2 then drops its caches and disposes the key of its
 * per-thread state, whose destructor never runs for a thread still
 * serving (its error buffer leaks) and which the next request makes
 * again. Returns 0, or the error when libgit2 cannot be loaded. */
int cb_repo_runtime_hold(void);
void cb_repo_runtime_release(void);

/* Verifies that HEAD points at refs/heads/main and that main's commit and
 * tree can be read. Returns 0 or CB_EREPO saying what is wrong. */
int cb_repo_check(cb_repo *r);

/* Writes the 40-hex id of main's head into out (41 bytes). */
int cb_repo_head(cb_repo *r, char out[41]);

/*
 * Batches. Commits made between cb_repo_batch_begin and
 * cb_repo_batch_commit go to memory, not to one file per object: the
 * commit writes them as one pack (objects/pack/) and then moves main once,
 * from where it was at the begin to the last commit, only if nobody moved
 * it meanwhile. cb_repo_batch_abort (or an error) leaves branch main as it
 * was (a batch over 16 MiB, or one whose main could not move, may leave a
 * pack no branch names; git gc drops it). Inside a batch, HEAD, main and NULL revisions mean the batch's last
 * commit to every function here; other revisions ("HEAD~1", an id) resolve
 * in the repository as it is on disk. Why: a thousand loose objects are
 * five thousand file creations, and moving main a thousand times is a
 * thousand renames over a file the kernel flushes first; a pack and one
 * move are a few files. Returns 0, or CB_EREPO (also: a batch is already
 * open).
 */
int cb_repo_batch_begin(cb_repo *r);
/* Writes the batch (its commits, in order) and ends it; *commits (may be
 * NULL) is how many it held; `why` goes to main's reflog, when it has one.
 * On failure main has not moved and the batch is ended. */
int cb_repo_batch_commit(cb_repo *r, const char *why, size_t *commits);
void cb_repo_batch_abort(cb_repo *r);
int cb_repo_in_batch(const cb_repo *r);
/* Marks the open batch as failed (a caller's step after a commit in it
 * failed): cb_repo_batch_commit then refuses it and drops it. */
void cb_repo_batch_fail(cb_repo *r);

/* The id of main's head (inside a batch, its last commit). */
int cb_repo_main_id(cb_repo *r, struct git_oid *out);
/* Records `id` as main's head inside a batch (core/repo/ only); may write
 * what the batch holds so far as a pack, to bound its memory. */
int cb_repo_batch_advance(cb_repo *r, const struct git_oid *id);

/*
 * Locks. git guards a file it rewrites with FILE.lock (refs/heads/main
 * .lock while main moves), and a process killed meanwhile leaves it
 * behind: every later write would fail on it. So every Casebook write
 * holds the writer lock, an flock on CB_REPO_WRITER_LOCK in the
 * repository's folder (the kernel drops it when its process dies, so it
 * never outlives one), and begins by removing the *.lock files that
 * nobody holds: with the writer lock held no Casebook process writes, and
 * a lock older than CB_REPO_LOCK_STALE_SECONDS is not a git process's
 * either (git holds one for milliseconds; a younger one is waited for).
 */
#define CB_REPO_WRITER_LOCK "casebook.lock"
#define CB_REPO_LOCK_STALE_SECONDS 5
#define CB_REPO_WRITER_WAIT_MS 10000 /* how long a write waits for another */

/* Takes the writer lock (waiting up to CB_REPO_WRITER_WAIT_MS for another
 * Casebook writer) and removes stale lock files; nests. Every write that
 * moves a ref runs between it and cb_repo_write_end. */
int cb_repo_write_begin(cb_repo *r);
void cb_repo_write_end(cb_repo *r);

typedef struct cb_repo_lock {
	char *path;  /* relative to the repository's folder: "refs/heads/main.lock" */
	int64_t age; /* seconds since it was last written */
	int stale;   /* nobody holds it (or, after a removal, it was removed) */
} cb_repo_lock;

/* The lock files in the repository. Without `remove`, *writing says
 * whether a Casebook process holds the writer lock now, and each lock is
 * stale when none does and it is old. With `remove`, takes the writer
 * lock and removes the stale ones (marked stale in the list; the others
 * were gone by the time they were looked at again). Caller frees with
 * cb_repo_locks_free. */
int cb_repo_locks(cb_repo *r, int remove, cb_repo_lock **out, size_t *n, int *writing);
void cb_repo_locks_free(cb_repo_lock *list, size_t n);

/* When libgit2's last error is a lock it could not take, sets an error
 * (CB_EREPO) saying which and what to do, prefixed with `what`, and
 * returns it; else 0. */
int cb_repo_locked_error(const char *what);

/* The libgit2 handle, for the other files of core/repo/ only (only this
 * folder includes git2.h). Borrowed: valid until cb_repo_close. */
struct git_repository *cb_repo_git(cb_repo *r);

#endif
