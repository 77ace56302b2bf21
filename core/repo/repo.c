/*
 * Creating and opening the case-study repository. libgit2 is initialised
 * once per process (its init call is reference counted) and released when
 * the last repository closes.
 *
 * The repository is bare: no work tree, no index. Casebook writes commits
 * from trees it builds in memory, so a write costs the same with 10 cases
 * or 10,000 (a work tree and an index are whole-repository files that
 * every commit would rewrite or scan), and other repositories may push
 * into it. People read cases with `casebook case show`, or clone it.
 */
#include "repo/repo.h"
#include "repo/git.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/error.h"

/*
 * `git` is the handle every function uses. A batch swaps in a second
 * handle on the same repository whose object database writes to memory
 * first (a backend of batch_odb below, at the highest priority), and keeps
 * the first in `outside`; libgit2 has no way to take a backend out of an
 * object database again, so the batch's handle is dropped at its end.
 */
struct cb_repo {
	git_repository *git;
	git_repository *outside; /* the handle outside the batch; NULL: none open */
	struct batch_odb *mem;	  /* owned by the batch handle's odb */
	git_oid base, tip;	  /* main at the batch's begin; its last commit */
	size_t commits;
	int failed; /* a step of the batch failed: it can only be dropped */
	int writer_fd;    /* CB_REPO_WRITER_LOCK, open while held; -1: not held */
	int writer_depth; /* nested cb_repo_write_begin calls */
	int started;      /* libgit2 was loaded and started for it */
};

static const char readme[] =
	"# Case studies\n"
	"\n"
	"This repository holds the workspace's case studies, one folder per case:\n"
	"`SHARD/SLUG/case.md` and its review log `SHARD/SLUG/reviews.log`, where\n"
	"SHARD is the first two hex digits of the slug's git blob id\n"
	"(`printf %s SLUG | git hash-object --stdin | cut -c1-2`). Casebook writes\n"
	"every revision as a commit authored by the technician; review decisions\n"
	"are recorded in the history.\n";

static int git_fail(const char *what)
{
	const git_error *e = git_error_last();
	int rc;

	if ((rc = cb_repo_locked_error(what)) < 0)
		return rc;
	return cb_error_set(CB_EREPO, "%s: %s", what,
			    e && e->message ? e->message : "unknown git error");
}

static int first_commit(git_repository *git)
{
	git_oid blob, tree_id, commit;
	git_treebuilder *tb = NULL;
	git_tree *tree = NULL;
	git_signature *sig = NULL;
	int rc = CB_EREPO;

	if (git_blob_create_from_buffer(&blob, git, readme, sizeof(readme) - 1) < 0 ||
	    git_treebuilder_new(&tb, git, NULL) < 0 ||
	    git_treebuilder_insert(NULL, tb, "README.md", &blob, GIT_FILEMODE_BLOB) < 0 ||
	    git_treebuilder_write(&tree_id, tb) < 0 ||
	    git_tree_lookup(&tree, git, &tree_id) < 0 ||
	    git_signature_now(&sig, "Casebook", "casebook@localhost") < 0 ||
	    git_commit_create_v(&commit, git, "refs/heads/main", sig, sig, NULL,
				"Start the case-study repository\n", tree, 0) < 0) {
		git_fail("creating the first commit");
		goto done;
	}
	rc = 0;
done:
	git_signature_free(sig);
	git_tree_free(tree);
	git_treebuilder_free(tb);
	return rc;
}

/*
 * libgit2's start. Strict object creation is off: it re-reads every object
 * a new tree or commit names to check that it exists, and Casebook builds
 * trees only from objects it has just written or read (a tenth of a
 * submission's time). Trees up to 64 KiB are cached (libgit2's default
 * stops at 4 KiB, below the root tree of 256 shards, which every commit
 * reads again), and the cache holds 8 MiB: libgit2 counts an object's raw
 * size, a parsed tree takes about four times that, and a walk of the
 * whole history (reindex) would otherwise keep every root tree it saw.
 */
static int git_start(void)
{
	int rc;

	if ((rc = cb_git_load()) < 0) /* repo/git.h: loaded at first use */
		return rc;
	if (git_libgit2_init() == 1) {
		git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 0);
		git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE, (size_t)64 * 1024);
		git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)8 << 20);
	}
	return 0;
}

int cb_repo_runtime_hold(void)
{
	return git_start();
}

void cb_repo_runtime_release(void)
{
	if (cb_git_loaded())
		git_libgit2_shutdown();
}

int cb_repo_init(const char *path, cb_repo **out)
{
	git_repository_init_options opts = GIT_REPOSITORY_INIT_OPTIONS_INIT;
	cb_repo *r;
	int rc;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return cb_error_set(CB_ENOMEM, "out of memory");
	r->writer_fd = -1;
	if ((rc = git_start()) < 0) {
		free(r);
		return rc;
	}
	r->started = 1;
	opts.flags = GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_REINIT |
		     GIT_REPOSITORY_INIT_BARE;
	opts.initial_head = "main";
	if (git_repository_init_ext(&r->git, path, &opts) < 0) {
		rc = git_fail("creating the case-study repository");
		goto fail;
	}
	if ((rc = first_commit(r->git)) < 0)
		goto fail;
	*out = r;
	return 0;
fail:
	cb_repo_close(r);
	return rc;
}

int cb_repo_open(const char *path, cb_repo **out)
{
	cb_repo *r;
	int rc;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return cb_error_set(CB_ENOMEM, "out of memory");
	r->writer_fd = -1;
	if ((rc = git_start()) < 0) {
		free(r);
		return rc;
	}
	r->started = 1;
	if (git_repository_open_ext(&r->git, path, GIT_REPOSITORY_OPEN_NO_SEARCH,
				    NULL) < 0) {
		rc = git_fail("opening the case-study repository");
		cb_repo_close(r);
		return rc;
	}
	if (!git_repository_is_bare(r->git)) {
		rc = cb_error_set(CB_EREPO,
				  "%s has a work tree (an older Casebook made it); make it bare: "
				  "git clone --bare %s %s.new && mv %s %s.old && mv %s.new %s",
				  path, path, path, path, path, path, path);
		cb_repo_close(r);
		return rc;
	}
	*out = r;
	return 0;
}

void cb_repo_close(cb_repo *r)
{
	if (!r)
		return;
	cb_repo_batch_abort(r);
	if (r->writer_fd >= 0)
		close(r->writer_fd);
	if (r->started) {
		git_repository_free(r->git);
		git_libgit2_shutdown();
	}
	free(r);
}

git_repository *cb_repo_git(cb_repo *r)
{
	return r->git;
}

int cb_repo_main_id(cb_repo *r, git_oid *out)
{
	if (r->outside) {
		git_oid_cpy(out, &r->tip);
		return 0;
	}
	if (git_reference_name_to_id(out, r->git, "refs/heads/main") < 0)
		return git_fail("reading branch main");
	return 0;
}

int cb_repo_head(cb_repo *r, char out[41])
{
	git_oid oid;
	int rc;

	if ((rc = cb_repo_main_id(r, &oid)) < 0)
		return rc;
	git_oid_tostr(out, 41, &oid);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Batches                                                               */

/*
 * The batch's object store: libgit2's in-memory backend (mempack), which
 * this one wraps to note the id of every object written, in order, and
 * their size. git_mempack_dump would do the packing itself, but it packs
 * everything the commits reach, the whole repository, walking every
 * commit's full tree: quadratic in a batch and as big as the repository.
 * Packing just the ids noted here writes only what the batch added.
 */
typedef struct batch_odb {
	git_odb_backend parent;
	git_odb_backend *mem;
	git_oid *ids; /* written since the last pack, oldest first */
	size_t n, cap, bytes;
} batch_odb;

/* A batch writes a pack whenever this much is held in memory, so that a
 * batch of 100,000 cases does not hold them all; main still moves only
 * at its end. */
#define BATCH_PACK_BYTES (16u << 20)

static int bo_read(void **data, size_t *len, git_object_t *type, git_odb_backend *b,
		   const git_oid *id)
{
	batch_odb *o = (batch_odb *)b;

	return o->mem->read(data, len, type, o->mem, id);
}

static int bo_read_header(size_t *len, git_object_t *type, git_odb_backend *b, const git_oid *id)
{
	batch_odb *o = (batch_odb *)b;

	return o->mem->read_header(len, type, o->mem, id);
}

static int bo_exists(git_odb_backend *b, const git_oid *id)
{
	batch_odb *o = (batch_odb *)b;

	return o->mem->exists(o->mem, id);
}

static int bo_write(git_odb_backend *b, const git_oid *id, const void *data, size_t len,
		    git_object_t type)
{
	batch_odb *o = (batch_odb *)b;

	if (o->mem->exists(o->mem, id))
		return 0;
	if (cb_array_reserve(&o->ids, &o->cap, o->n, sizeof(*o->ids), 256) < 0) {
		git_error_set_oom(); /* libgit2 reports it, as a backend's error */
		return -1;
	}
	if (o->mem->write(o->mem, id, data, len, type) < 0)
		return -1;
	git_oid_cpy(&o->ids[o->n++], id);
	o->bytes += len;
	return 0;
}

static void bo_free(git_odb_backend *b)
{
	batch_odb *o = (batch_odb *)b;

	o->mem->free(o->mem);
	free(o->ids);
	free(o);
}

static int batch_odb_new(batch_odb **out)
{
	batch_odb *o = calloc(1, sizeof(*o));

	*out = NULL;
	if (!o) {
		git_error_set_oom();
		return -1;
	}
	if (git_odb_init_backend(&o->parent, GIT_ODB_BACKEND_VERSION) < 0 ||
	    git_mempack_new(&o->mem) < 0) {
		free(o);
		return -1;
	}
	o->parent.read = bo_read;
	o->parent.read_header = o->mem->read_header ? bo_read_header : NULL;
	o->parent.exists = o->mem->exists ? bo_exists : NULL;
	o->parent.write = bo_write;
	o->parent.free = bo_free;
	*out = o;
	return 0;
}

int cb_repo_in_batch(const cb_repo *r)
{
	return r->outside != NULL;
}

int cb_repo_batch_begin(cb_repo *r)
{
	git_repository *g = NULL;
	git_odb *odb = NULL;
	batch_odb *mem = NULL;
	git_oid base;
	int rc;

	if (r->outside)
		return cb_error_set(CB_EREPO, "a batch of commits is already open");
	if ((rc = cb_repo_check(r)) < 0 || (rc = cb_repo_main_id(r, &base)) < 0)
		return rc;
	if (git_repository_open_ext(&g, git_repository_path(r->git), GIT_REPOSITORY_OPEN_NO_SEARCH,
				    NULL) < 0 ||
	    git_repository_odb(&odb, g) < 0 || batch_odb_new(&mem) < 0) {
		rc = git_fail("opening the case-study repository for a batch");
		goto fail;
	}
	/* first in line for reads and writes; the odb owns it from here */
	if (git_odb_add_backend(odb, &mem->parent, 1000) < 0) {
		rc = git_fail("opening the case-study repository for a batch");
		bo_free(&mem->parent);
		goto fail;
	}
	git_odb_free(odb);
	r->mem = mem;
	r->outside = r->git;
	r->git = g;
	git_oid_cpy(&r->base, &base);
	git_oid_cpy(&r->tip, &base);
	r->commits = 0;
	return 0;
fail:
	git_odb_free(odb);
	git_repository_free(g);
	return rc;
}

/* Writes what the batch holds in memory as one pack in objects/pack/
 * (libgit2's pack builder: compressed, with deltas between the batch's
 * objects), newest first as git orders them, and empties the memory. */
static int batch_pack(cb_repo *r)
{
	batch_odb *o = r->mem;
	git_packbuilder *pb = NULL;
	int rc = 0;

	if (o->n == 0)
		return 0;
	if (git_packbuilder_new(&pb, r->git) < 0)
		return git_fail("writing the batch's pack");
	git_packbuilder_set_threads(pb, 1);
	for (size_t i = o->n; i-- > 0;)
		if (git_packbuilder_insert(pb, &o->ids[i], NULL) < 0) {
			rc = git_fail("writing the batch's pack");
			goto done;
		}
	if (git_packbuilder_write(pb, NULL, 0, NULL, NULL) < 0) {
		rc = git_fail("writing the batch's pack");
		goto done;
	}
	git_mempack_reset(o->mem);
	o->n = 0;
	o->bytes = 0;
done:
	git_packbuilder_free(pb);
	return rc;
}

int cb_repo_batch_advance(cb_repo *r, const git_oid *id)
{
	int rc = 0;

	if (!r->outside)
		return 0;
	git_oid_cpy(&r->tip, id);
	r->commits++;
	if (r->mem->bytes >= BATCH_PACK_BYTES && (rc = batch_pack(r)) < 0)
		r->failed = 1;
	return rc;
}

void cb_repo_batch_fail(cb_repo *r)
{
	if (r->outside)
		r->failed = 1;
}

/* Ends the batch: back to the handle outside it, the memory dropped. */
static void batch_end(cb_repo *r)
{
	git_repository_free(r->git); /* frees the odb, and with it r->mem */
	r->git = r->outside;
	r->outside = NULL;
	r->mem = NULL;
	r->commits = 0;
	r->failed = 0;
}

/* A batch dropped after it wrote a pack (one over BATCH_PACK_BYTES, or
 * its last when main could not move) leaves that pack behind, named by
 * nothing; git gc removes it in time, as it does a fetch's that was cut
 * short. Deleting it here could take an object from under another process
 * that found it there meanwhile. (For the same reason `git gc
 * --prune=now` must not run while a batch does, as with any writer.) */
void cb_repo_batch_abort(cb_repo *r)
{
	if (r && r->outside)
		batch_end(r);
}

int cb_repo_batch_commit(cb_repo *r, const char *why, size_t *commits)
{
	git_reference *ref = NULL;
	int rc = 0;

	if (commits)
		*commits = 0;
	if (!r->outside)
		return cb_error_set(CB_EREPO, "no batch of commits is open");
	if (r->failed) {
		rc = cb_error_set(CB_EREPO, "a step of the batch failed; it was dropped");
		goto done;
	}
	if (r->commits == 0)
		goto done;
	/* The objects reach the disk (fsynced) before main names them, and
	 * main before the caller commits its database; a crash before the
	 * move leaves a pack named by nothing, which git gc removes. fsync
	 * costs a few milliseconds once per batch, where every loose commit
	 * would pay it five times. */
	if ((rc = cb_repo_write_begin(r)) < 0)
		goto done;
	git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
	if ((rc = batch_pack(r)) == 0 &&
	    git_reference_create_matching(&ref, r->outside, "refs/heads/main", &r->tip, 1,
					  &r->base, why) < 0)
		rc = git_fail("moving branch main (did another process commit meanwhile?)");
	git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 0);
	cb_repo_write_end(r);
	if (rc < 0)
		goto done;
	git_reference_free(ref);
	if (commits)
		*commits = r->commits;
done:
	batch_end(r);
	return rc;
}

int cb_repo_check(cb_repo *r)
{
	git_reference *head = NULL;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_oid oid;
	int rc = CB_EREPO;

	if (r->outside)
		return 0; /* checked when the batch began */
	if (git_reference_lookup(&head, r->git, "HEAD") < 0) {
		git_fail("reading HEAD");
		goto done;
	}
	if (git_reference_type(head) != GIT_REFERENCE_SYMBOLIC ||
	    strcmp(git_reference_symbolic_target(head), "refs/heads/main") != 0) {
		cb_error_set(CB_EREPO, "HEAD does not point at branch main");
		goto done;
	}
	if (git_reference_name_to_id(&oid, r->git, "refs/heads/main") < 0 ||
	    git_commit_lookup(&commit, r->git, &oid) < 0 ||
	    git_commit_tree(&tree, commit) < 0) {
		git_fail("reading branch main");
		goto done;
	}
	rc = 0;
done:
	git_tree_free(tree);
	git_commit_free(commit);
	git_reference_free(head);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The writer lock and the locks a killed writer leaves behind          */

/* The repository's own folder, with its trailing '/'. */
static const char *git_dir(cb_repo *r)
{
	return git_repository_path(r->outside ? r->outside : r->git);
}

typedef struct lock_list {
	cb_repo_lock *items;
	size_t n, cap;
	int failed;
} lock_list;

/* Adds every *.lock file under dir (relative `rel`, "" for the top) to
 * the list; into subfolders when `deep`. The loose-object folders
 * (objects/XX) are never entered: git takes no locks there. */
static void scan_locks(const char *top, const char *rel, int deep, lock_list *l)
{
	char path[4096];
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "%s%s", top, rel);
	if (!(d = opendir(path)))
		return;
	while ((e = readdir(d))) {
		char sub[4096];
		struct stat st;
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", e->d_name);
		snprintf(path, sizeof(path), "%s%s", top, sub);
		if (lstat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (deep)
				scan_locks(top, sub, 1, l);
			continue;
		}
		if (!S_ISREG(st.st_mode) || len < 6 || strcmp(e->d_name + len - 5, ".lock") != 0 ||
		    (!*rel && strcmp(e->d_name, CB_REPO_WRITER_LOCK) == 0))
			continue;
		if (cb_array_reserve(&l->items, &l->cap, l->n, sizeof(*l->items), 4) < 0 ||
		    !(l->items[l->n].path = strdup(sub))) {
			l->failed = 1;
			break;
		}
		l->items[l->n].age = (int64_t)time(NULL) - (int64_t)st.st_mtime;
		l->items[l->n].stale = 0;
		l->n++;
	}
	closedir(d);
}

static int list_locks(cb_repo *r, lock_list *l)
{
	const char *top = git_dir(r);

	memset(l, 0, sizeof(*l));
	scan_locks(top, "", 0, l); /* HEAD.lock, config.lock, packed-refs.lock, ... */
	scan_locks(top, "refs", 1, l);
	scan_locks(top, "logs", 1, l);
	scan_locks(top, "objects/info", 0, l);
	scan_locks(top, "objects/pack", 0, l);
	if (l->failed) {
		cb_repo_locks_free(l->items, l->n);
		return cb_error_set(CB_ENOMEM, "out of memory");
	}
	return 0;
}

void cb_repo_locks_free(cb_repo_lock *list, size_t n)
{
	for (size_t i = 0; list && i < n; i++)
		free(list[i].path);
	free(list);
}

/* Opens the writer lock's file, creating it. */
static int open_writer_lock(cb_repo *r, int *fd)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s%s", git_dir(r), CB_REPO_WRITER_LOCK);
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (*fd < 0)
		return cb_error_set(errno == EACCES || errno == EROFS ? CB_EREADONLY : CB_EIO,
				    "cannot open %s: %s", path, strerror(errno));
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&t, NULL);
}

/* Removes each lock of `l` older than CB_REPO_LOCK_STALE_SECONDS; one
 * younger is waited for (a git process may be about to finish with it)
 * until it goes or grows old. The caller holds the writer lock, so no
 * Casebook process writes meanwhile. */
static int remove_stale(cb_repo *r, lock_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		char path[4096];
		struct stat st;

		snprintf(path, sizeof(path), "%s%s", git_dir(r), l->items[i].path);
		for (;;) {
			if (stat(path, &st) != 0)
				break; /* its process finished with it */
			l->items[i].age = (int64_t)time(NULL) - (int64_t)st.st_mtime;
			if (l->items[i].age >= CB_REPO_LOCK_STALE_SECONDS)
				break;
			sleep_ms(100);
		}
		if (stat(path, &st) != 0)
			continue;
		if (unlink(path) != 0 && errno != ENOENT)
			return cb_error_set(CB_EIO, "cannot remove the stale lock %s: %s", path,
					    strerror(errno));
		l->items[i].stale = 1;
	}
	return 0;
}

/* Takes the writer lock (the flock alone), or nests. */
static int take_writer(cb_repo *r)
{
	int rc, fd;

	if (r->writer_depth++ > 0)
		return 0;
	if ((rc = open_writer_lock(r, &fd)) < 0) {
		r->writer_depth = 0;
		return rc;
	}
	for (int waited = 0; flock(fd, LOCK_EX | LOCK_NB) != 0; waited += 50) {
		if (errno != EWOULDBLOCK || waited >= CB_REPO_WRITER_WAIT_MS) {
			close(fd);
			r->writer_depth = 0;
			return cb_error_set(CB_EREPO,
					    "another casebook process has been writing the case-study "
					    "repository for %d s (it holds %s%s); try again when it is done",
					    CB_REPO_WRITER_WAIT_MS / 1000, git_dir(r), CB_REPO_WRITER_LOCK);
		}
		sleep_ms(50);
	}
	r->writer_fd = fd;
	return 0;
}

int cb_repo_write_begin(cb_repo *r)
{
	lock_list l;
	int rc;

	if ((rc = take_writer(r)) < 0 || r->writer_depth > 1)
		return rc;
	/* A lock file left by a process that died while writing would refuse
	 * every write from now on; no Casebook process writes now (we hold
	 * the writer lock), so one that is old is nobody's. */
	if ((rc = list_locks(r, &l)) == 0) {
		rc = remove_stale(r, &l);
		cb_repo_locks_free(l.items, l.n);
	}
	if (rc < 0)
		cb_repo_write_end(r);
	return rc;
}

void cb_repo_write_end(cb_repo *r)
{
	if (r->writer_depth == 0 || --r->writer_depth > 0)
		return;
	if (r->writer_fd >= 0)
		close(r->writer_fd); /* releases the flock */
	r->writer_fd = -1;
}

int cb_repo_locks(cb_repo *r, int remove, cb_repo_lock **out, size_t *n, int *writing)
{
	lock_list l;
	int rc, fd;

	*out = NULL;
	*n = 0;
	*writing = 0;
	if (remove) {
		if ((rc = take_writer(r)) < 0)
			return rc;
		rc = list_locks(r, &l);
		if (rc == 0 && (rc = remove_stale(r, &l)) == 0) {
			*out = l.items;
			*n = l.n;
		} else if (rc == 0) {
			cb_repo_locks_free(l.items, l.n);
		}
		cb_repo_write_end(r);
		return rc;
	}
	if ((rc = list_locks(r, &l)) < 0)
		return rc;
	/* Whether a Casebook process writes now: it holds the writer lock. A
	 * read-only repository has nobody writing. */
	if (open_writer_lock(r, &fd) == 0) {
		if (flock(fd, LOCK_SH | LOCK_NB) != 0)
			*writing = 1;
		close(fd);
	}
	cb_error_clear();
	for (size_t i = 0; i < l.n; i++)
		l.items[i].stale = !*writing && l.items[i].age >= CB_REPO_LOCK_STALE_SECONDS;
	*out = l.items;
	*n = l.n;
	return 0;
}

int cb_repo_locked_error(const char *what)
{
	const git_error *e = cb_git_loaded() ? git_error_last() : NULL;
	const char *msg = e && e->message ? e->message : "";
	const char *q = strstr(msg, "failed to lock file '");

	if (!q)
		return 0;
	q += strlen("failed to lock file '");
	return cb_error_set(CB_EREPO,
			    "%s: another process is writing the case-study repository (%.*s exists); "
			    "try again. If no casebook or git process is running on this workspace, "
			    "'casebook check --repair' removes a lock it finds stale",
			    what, (int)strcspn(q, "'"), q);
}
