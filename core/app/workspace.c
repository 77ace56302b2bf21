/*
 * Making, finding and opening workspaces. The database file is the marker:
 * a folder is a workspace when it holds casebook.db.
 */
#include "app/workspace.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sodium.h>
#include <unistd.h>

#include "app/case.h"
#include "base/buf.h"
#include "base/error.h"
#include "repo/repo.h"
#include "store/observation.h"

static const char plugins_readme[] =
	"# Workspace plugins\n"
	"\n"
	"Lua files here are loaded after the built-in plugins: custom KPIs,\n"
	"measures and hooks for this organisation.\n";

static char *join(const char *a, const char *b)
{
	cb_buf buf = CB_BUF_INIT;

	if (cb_buf_printf(&buf, "%s/%s", a, b) < 0) {
		cb_buf_free(&buf);
		return NULL;
	}
	return cb_buf_detach(&buf);
}

static int exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static int mkdir_p(const char *path)
{
	char tmp[PATH_MAX];
	size_t len = strlen(path);

	if (len >= sizeof(tmp))
		return cb_error_set(CB_EINVALID, "path too long: %s", path);
	memcpy(tmp, path, len + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
			return cb_error_set(CB_EIO, "cannot create %s: %s", tmp,
					    strerror(errno));
		*p = '/';
	}
	if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
		return cb_error_set(CB_EIO, "cannot create %s: %s", tmp,
				    strerror(errno));
	return 0;
}

/* libsodium (passwords and tokens, app/auth.c) starts here, the one door
 * every use case comes through; sodium_init is thread-safe and returns 1
 * when it already ran, so opening many workspaces costs nothing. */
static int crypto_start(void)
{
	if (sodium_init() < 0)
		return cb_error_set(CB_ERROR, "libsodium could not start (no source of randomness?)");
	return 0;
}

static cb_workspace *workspace_new(const char *dir)
{
	cb_workspace *ws = calloc(1, sizeof(*ws));
	char *abs;

	if (!ws)
		return NULL;
	abs = realpath(dir, NULL);
	if (!abs) {
		free(ws);
		return NULL;
	}
	ws->dir = abs;
	ws->actor = cb_actor_cli();
	ws->db_path = join(abs, CB_WORKSPACE_DB);
	ws->repo_path = join(abs, CB_WORKSPACE_REPO);
	ws->plugins_dir = join(abs, CB_WORKSPACE_PLUGINS);
	if (!ws->db_path || !ws->repo_path || !ws->plugins_dir) {
		cb_workspace_close(ws);
		return NULL;
	}
	return ws;
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wx");

	if (!f)
		return cb_error_set(CB_EIO, "cannot create %s: %s", path,
				    strerror(errno));
	if (fputs(text, f) < 0 || fclose(f) != 0)
		return cb_error_set(CB_EIO, "cannot write %s", path);
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type,
			struct FTW *ftw)
{
	(void)st, (void)type, (void)ftw;
	remove(path);
	return 0;
}

/* Removes what a failed init made; ignores what it cannot remove. */
static void init_undo(cb_workspace *ws, int made_plugins, int made_repo)
{
	char *p;

	if (made_plugins) {
		if ((p = join(ws->plugins_dir, "README.md"))) {
			unlink(p);
			free(p);
		}
		rmdir(ws->plugins_dir);
	}
	if (made_repo)
		nftw(ws->repo_path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	unlink(ws->db_path);
	if ((p = join(ws->dir, CB_WORKSPACE_DB "-wal"))) {
		unlink(p);
		free(p);
	}
	if ((p = join(ws->dir, CB_WORKSPACE_DB "-shm"))) {
		unlink(p);
		free(p);
	}
}

static int is_workspace(const char *dir);

/* Refuses a folder for a new workspace that lies inside a workspace (its
 * cases/ repository included) or is a git repository's own folder: the
 * one would find the other's database, the other would get files its git
 * does not expect. `dir` is an absolute, resolved path. */
static int check_init_place(const char *dir)
{
	char *up = strdup(dir), *slash;
	struct stat st;
	int rc = 0;

	if (!up)
		return cb_error_set(CB_ENOMEM, "out of memory");
	while (rc == 0 && (slash = strrchr(up, '/')) && slash[1]) {
		slash[slash == up] = '\0'; /* the parent; "/" stays "/" */
		if (is_workspace(up))
			rc = cb_error_set(CB_EINVALID,
					  "%s is inside the workspace %s; a workspace cannot hold another "
					  "(pick a folder outside it)",
					  dir, up);
		if (slash == up)
			break;
	}
	free(up);
	if (rc < 0)
		return rc;
	{
		char *head = join(dir, "HEAD"), *objects = join(dir, "objects");

		if (!head || !objects)
			rc = cb_error_set(CB_ENOMEM, "out of memory");
		else if (stat(head, &st) == 0 && S_ISREG(st.st_mode) && stat(objects, &st) == 0 &&
			 S_ISDIR(st.st_mode))
			rc = cb_error_set(CB_EINVALID,
					  "%s is a git repository's folder (it holds HEAD and objects/); "
					  "pick another folder for the workspace",
					  dir);
		free(head);
		free(objects);
	}
	return rc;
}

/* The length of the shortest prefix of `dir` (ending at a '/' or the end)
 * that does not exist yet: what mkdir_p will make; strlen(dir) + 1 when
 * all of it exists. */
static size_t first_missing(const char *dir)
{
	char tmp[PATH_MAX];
	size_t len = strlen(dir);

	if (len >= sizeof(tmp))
		return len + 1;
	memcpy(tmp, dir, len + 1);
	for (size_t i = 1; i <= len; i++) {
		if (tmp[i] != '/' && tmp[i] != '\0')
			continue;
		tmp[i] = '\0';
		if (!exists(tmp))
			return i;
		tmp[i] = dir[i];
	}
	return len + 1;
}

/* Removes the (empty) folders mkdir_p made for `dir`, from the deepest up
 * to the prefix of length `from`. */
static void unmake_dirs(const char *dir, size_t from)
{
	char tmp[PATH_MAX];
	size_t len = strlen(dir);

	if (len >= sizeof(tmp))
		return;
	memcpy(tmp, dir, len + 1);
	while (len >= from) {
		rmdir(tmp);
		while (len > 0 && tmp[len - 1] != '/')
			len--;
		if (len == 0)
			break;
		tmp[--len] = '\0';
	}
}

int cb_workspace_init(const char *dir, cb_workspace **out)
{
	cb_workspace *ws;
	cb_repo *repo = NULL;
	char *readme = NULL;
	int rc, made_plugins = 0, made_repo = 0;
	size_t made_from = first_missing(dir);

	*out = NULL;
	if ((rc = crypto_start()) < 0 || (rc = mkdir_p(dir)) < 0)
		return rc;
	ws = workspace_new(dir);
	if (!ws)
		return cb_error_set(CB_EIO, "cannot resolve %s: %s", dir,
				    strerror(errno));
	if ((rc = check_init_place(ws->dir)) < 0) {
		unmake_dirs(dir, made_from); /* made just now, and empty */
		goto fail;
	}
	if (exists(ws->db_path)) {
		rc = cb_error_set(CB_EEXISTS, "%s already holds a workspace (%s exists)",
				  ws->dir, CB_WORKSPACE_DB);
		goto fail;
	}
	if (exists(ws->repo_path)) {
		rc = cb_error_set(CB_EEXISTS,
				  "%s already has a '%s' folder; move it away or pick another folder",
				  ws->dir, CB_WORKSPACE_REPO);
		goto fail;
	}
	if (access(ws->dir, W_OK) != 0) {
		rc = cb_error_set(CB_EREADONLY, "cannot write in %s: %s", ws->dir,
				  strerror(errno));
		goto fail;
	}
	if ((rc = cb_store_open(ws->db_path, CB_STORE_CREATE, &ws->store)) < 0)
		goto undo;
	made_repo = 1;
	if ((rc = cb_repo_init(ws->repo_path, &repo)) < 0)
		goto undo;
	cb_repo_close(repo);
	if (!exists(ws->plugins_dir)) {
		if (mkdir(ws->plugins_dir, 0777) != 0) {
			rc = cb_error_set(CB_EIO, "cannot create %s: %s",
					  ws->plugins_dir, strerror(errno));
			goto undo;
		}
		made_plugins = 1;
		readme = join(ws->plugins_dir, "README.md");
		if (!readme) {
			rc = cb_error_set(CB_ENOMEM, "out of memory");
			goto undo;
		}
		if ((rc = write_file(readme, plugins_readme)) < 0)
			goto undo;
	}
	free(readme);
	*out = ws;
	return 0;
undo:
	free(readme);
	cb_store_close(ws->store);
	ws->store = NULL;
	init_undo(ws, made_plugins, made_repo);
fail:
	cb_workspace_close(ws);
	return rc;
}

static int is_workspace(const char *dir)
{
	char *db = join(dir, CB_WORKSPACE_DB);
	int yes = db && exists(db);

	free(db);
	return yes;
}

int cb_workspace_find(const char *dir, char **found)
{
	const char *env;
	char *cwd, *p;

	*found = NULL;
	if (dir) {
		if (!is_workspace(dir))
			return cb_error_set(CB_ENOWORKSPACE,
					    "%s is not a casebook workspace (no %s); make one with 'casebook init %s'",
					    dir, CB_WORKSPACE_DB, dir);
		*found = strdup(dir);
		return *found ? 0 : cb_error_set(CB_ENOMEM, "out of memory");
	}
	env = getenv("CASEBOOK_DIR");
	if (env && *env) {
		if (!is_workspace(env))
			return cb_error_set(CB_ENOWORKSPACE,
					    "CASEBOOK_DIR=%s is not a casebook workspace (no %s); make one with 'casebook init %s'",
					    env, CB_WORKSPACE_DB, env);
		*found = strdup(env);
		return *found ? 0 : cb_error_set(CB_ENOMEM, "out of memory");
	}
	cwd = getcwd(NULL, 0);
	if (!cwd)
		return cb_error_set(CB_EIO, "cannot read the current folder: %s",
				    strerror(errno));
	for (;;) {
		if (is_workspace(cwd)) {
			*found = cwd;
			return 0;
		}
		p = strrchr(cwd, '/');
		if (!p || p == cwd) {
			if (p == cwd && cwd[1]) {
				cwd[1] = '\0';
				continue;
			}
			break;
		}
		*p = '\0';
	}
	free(cwd);
	return cb_error_set(CB_ENOWORKSPACE,
			    "not inside a casebook workspace (looked in this folder and its parents); "
			    "make one with 'casebook init DIR', or point to one with -C DIR or CASEBOOK_DIR");
}

int cb_workspace_open(const char *dir, int readonly, cb_workspace **out)
{
	cb_workspace *ws;
	char *found;
	int rc;

	*out = NULL;
	if ((rc = crypto_start()) < 0 || (rc = cb_workspace_find(dir, &found)) < 0)
		return rc;
	ws = workspace_new(found);
	free(found);
	if (!ws)
		return cb_error_set(CB_EIO, "cannot resolve the workspace folder");
	if ((rc = cb_store_open(ws->db_path, readonly ? CB_STORE_READONLY : 0,
				&ws->store)) < 0) {
		cb_workspace_close(ws);
		return rc;
	}
	*out = ws;
	return 0;
}

void cb_workspace_set_actor(cb_workspace *ws, const cb_actor *actor)
{
	ws->actor = *actor;
}

int cb_workspace_plugins(cb_workspace *ws, cb_plugin_host **host)
{
	int rc;

	if (!ws->plugins) {
		ws->plugin_options.workspace_dir = ws->plugins_dir;
		if ((rc = cb_app_plugins_open(&ws->plugin_options, &ws->plugins)) < 0)
			return rc;
	}
	*host = ws->plugins;
	return 0;
}

int cb_workspace_repo(cb_workspace *ws, cb_repo **repo)
{
	int rc;

	if (!ws->repo && (rc = cb_repo_open(ws->repo_path, &ws->repo)) < 0)
		return rc;
	*repo = ws->repo;
	return 0;
}

void cb_workspace_close(cb_workspace *ws)
{
	if (!ws)
		return;
	cb_repo_close(ws->repo);
	cb_plugin_host_free(ws->plugins);
	cb_store_close(ws->store);
	free(ws->dir);
	free(ws->db_path);
	free(ws->repo_path);
	free(ws->plugins_dir);
	free(ws);
}

/* The lock files in the case-study repository, as problems: one nobody
 * holds (a process stopped while writing) with the way to remove it; one
 * held, to check again later. */
static int check_locks(cb_repo *repo)
{
	cb_repo_lock *locks;
	size_t n;
	int rc, writing;

	if ((rc = cb_repo_locks(repo, 0, &locks, &n, &writing)) < 0 || n == 0)
		return rc;
	if (writing)
		rc = cb_error_set(CB_EREPO,
				  "%s/%s is held: a casebook process is writing the case-study "
				  "repository now; run check again when it is done",
				  CB_WORKSPACE_REPO, locks[0].path);
	else if (locks[0].stale)
		rc = cb_error_set(CB_EREPO,
				  "%s/%s is a stale lock (%lld s old): a process stopped while writing the "
				  "case-study repository%s, and git will refuse every write until it "
				  "goes; 'casebook check --repair' removes it (so does the next write)",
				  CB_WORKSPACE_REPO, locks[0].path, (long long)locks[0].age,
				  n > 1 ? " (and left more)" : "");
	else
		rc = cb_error_set(CB_EREPO,
				  "%s/%s is %lld s old: a git process may be writing the case-study "
				  "repository; run check again in a few seconds",
				  CB_WORKSPACE_REPO, locks[0].path, (long long)locks[0].age);
	cb_repo_locks_free(locks, n);
	return rc;
}

int cb_workspace_check(cb_workspace *ws)
{
	cb_repo *repo;
	int rc;

	if ((rc = cb_store_check(ws->store)) < 0 ||
	    (rc = cb_store_observation_check(ws->store)) < 0)
		return rc;
	if ((rc = cb_workspace_repo(ws, &repo)) < 0)
		return rc;
	rc = cb_repo_check(repo);
	if (rc == 0)
		rc = check_locks(repo);
	if (rc == 0)
		rc = cb_app_case_check(ws, repo); /* the case index against the repository */
	return rc;
}

int cb_workspace_repair_locks(cb_workspace *ws, char ***removed, size_t *n)
{
	cb_repo *repo;
	cb_repo_lock *locks = NULL;
	size_t nlocks = 0;
	int rc, writing;

	*removed = NULL;
	*n = 0;
	if ((rc = cb_rights_require(ws, CB_ACT_WORKSPACE_MAINTAIN, NULL)) < 0 ||
	    (rc = cb_workspace_repo(ws, &repo)) < 0 ||
	    (rc = cb_repo_locks(repo, 1, &locks, &nlocks, &writing)) < 0)
		return rc;
	if (!(*removed = calloc(nlocks + 1, sizeof(char *))))
		rc = cb_error_set(CB_ENOMEM, "out of memory");
	for (size_t i = 0; rc == 0 && i < nlocks; i++) {
		if (!locks[i].stale)
			continue;
		if (!((*removed)[*n] = join(CB_WORKSPACE_REPO, locks[i].path)))
			rc = cb_error_set(CB_ENOMEM, "out of memory");
		else
			(*n)++;
	}
	cb_repo_locks_free(locks, nlocks);
	return rc;
}
