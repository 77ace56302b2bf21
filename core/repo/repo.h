/*
 * The case-study git repository, through libgit2. This is the only layer
 * that includes git2.h. Issue-2 scope: create the repository with branch
 * `main` and a first commit, open it, and verify it.
 */
#ifndef CB_REPO_REPO_H
#define CB_REPO_REPO_H

typedef struct cb_repo cb_repo;

/* Creates a bare repository at `path` (which must not hold one) with
 * HEAD pointing at refs/heads/main and a first commit holding README.md.
 * Caller frees with cb_repo_close. */
int cb_repo_init(const char *path, cb_repo **out);

/* Opens the bare repository at exactly `path` (one with a work tree is
 * refused, saying how to convert it). Caller frees with cb_repo_close. */
int cb_repo_open(const char *path, cb_repo **out);
void cb_repo_close(cb_repo *r);

/* Verifies that HEAD points at refs/heads/main and that main's commit and
 * tree can be read. Returns 0 or CB_EREPO saying what is wrong. */
int cb_repo_check(cb_repo *r);

/* Writes the 40-hex id of main's head into out (41 bytes). */
int cb_repo_head(cb_repo *r, char out[41]);

/* The libgit2 handle, for the other files of core/repo/ only (only this
 * folder includes git2.h). Borrowed: valid until cb_repo_close. */
struct git_repository *cb_repo_git(cb_repo *r);

#endif
