/*
 * A workspace: one folder holding one organisation's data, namely
 * casebook.db (SQLite), cases/ (the case-study git repository) and plugins/
 * (the workspace's own Lua plugins). Commands find it like git finds a
 * repository: -C DIR, then $CASEBOOK_DIR, then the current folder and its
 * parents.
 */
#ifndef CB_APP_WORKSPACE_H
#define CB_APP_WORKSPACE_H

#include "app/plugins.h"
#include "app/rights.h"
#include "store/store.h"

#define CB_WORKSPACE_DB "casebook.db"
#define CB_WORKSPACE_REPO "cases"
#define CB_WORKSPACE_PLUGINS "plugins"

typedef struct cb_workspace {
	char *dir;         /* absolute path of the workspace folder */
	char *db_path;     /* dir/casebook.db */
	char *repo_path;   /* dir/cases */
	char *plugins_dir; /* dir/plugins */
	cb_store *store;   /* open database; owned */
	/* Which plugins to load when first needed (the workspace_dir field is
	 * filled in by cb_workspace_plugins), and the host once loaded. */
	cb_plugin_options plugin_options;
	cb_plugin_host *plugins; /* owned; NULL until cb_workspace_plugins */
	struct cb_repo *repo;    /* owned; NULL until cb_workspace_repo */
	/* Who acts (app/rights.h): the use cases check it before they write.
	 * The administrator (cb_actor_cli) until cb_workspace_set_actor. */
	cb_actor actor;
	/* The time signing in reads (app/auth.h), in Unix seconds; NULL: the
	 * system's clock. A test hook, to age invitations and sign-ins. */
	int64_t (*clock)(void);
} cb_workspace;

/* Makes `actor` (copied) the one the workspace's use cases act for: the
 * server sets the signed-in person's. */
void cb_workspace_set_actor(cb_workspace *ws, const cb_actor *actor);

/* cb_workspace_init and cb_workspace_open start libsodium (sodium_init)
 * first: whatever holds a workspace may hash passwords and draw tokens.
 *
 * Makes a workspace in `dir` (created if missing). Refuses a folder that
 * already holds one. On failure, removes what it created. Caller frees
 * with cb_workspace_close. */
int cb_workspace_init(const char *dir, cb_workspace **out);

/* Finds the workspace folder: `dir` if given (which must be a workspace),
 * else $CASEBOOK_DIR, else the current folder and its parents. Returns
 * CB_ENOWORKSPACE saying where it looked and how to make one. Caller frees
 * *found. */
int cb_workspace_find(const char *dir, char **found);

/* Finds and opens the workspace. `readonly` opens the database for reading
 * only. Caller frees with cb_workspace_close. */
int cb_workspace_open(const char *dir, int readonly, cb_workspace **out);
void cb_workspace_close(cb_workspace *ws);

/* The workspace's plugin host, loaded on first use: built-in plugins, the
 * workspace's plugins/, then plugin_options.extra_dir. Borrowed: freed by
 * cb_workspace_close. */
int cb_workspace_plugins(cb_workspace *ws, cb_plugin_host **host);

/* The case-study repository, opened when first needed and kept open until
 * cb_workspace_close: libgit2 starts once per process that way (its start
 * reads the TLS certificates, a few milliseconds). Borrowed. */
int cb_workspace_repo(cb_workspace *ws, struct cb_repo **repo);

/* Checks the database (integrity, foreign keys, the KPI data's references
 * and batch counts) and the case repository (its branch, the lock files
 * in it, the index against it).
 * Returns 0, or the first problem as an error. */
int cb_workspace_check(cb_workspace *ws);

/* Removes the lock files a process that stopped while writing left in
 * the case-study repository (repo/repo.h says when one is stale); *removed
 * gets what went, paths relative to the workspace ("cases/refs/heads/
 * main.lock"), NULL-terminated; caller frees each and the array. */
int cb_workspace_repair_locks(cb_workspace *ws, char ***removed, size_t *n);

#endif
