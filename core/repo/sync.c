/*
 * Sharing the case-study repository: fetch another repository's main,
 * fast-forward or merge (review logs as a union, anything else must merge
 * cleanly or nothing happens), then push main back. Merges happen in
 * memory; the local branch moves only when the merge commit is made, so a
 * refusal leaves it as it was.
 */
#include "repo/case.h"
#include "repo/git.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/error.h"
#include "base/text.h"

#define SYNC_REF "refs/remotes/casebook-sync/main"
#define URL_MAX 4096

static int git_fail(int code, const char *fmt, ...) CB_PRINTF(2, 3);

static int git_fail(int code, const char *fmt, ...)
{
	const git_error *e = git_error_last();
	char what[URL_MAX + 256];
	va_list ap;
	int locked;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if ((locked = cb_repo_locked_error(what)) < 0)
		return locked; /* a lock held: which, and what to do */
	return cb_error_set(code, "%s: %s", what,
			    e && e->message ? e->message : "unknown git error");
}

static int oom(void)
{
	return cb_error_set(CB_ENOMEM, "out of memory");
}

/* A local remote must be a bare repository: pushing into a checked-out
 * branch would leave its work tree behind its history (a workspace's own
 * cases/ is bare, so two workspaces may sync with each other directly). */
static int check_local_remote(const char *url)
{
	const char *path = url;
	git_repository *remote = NULL;
	int bare;

	if (strncmp(url, "file://", 7) == 0)
		path = url + 7;
	else if (strstr(url, "://") || (url[0] != '/' && url[0] != '.' && strchr(url, ':')))
		return 0; /* a network URL: the server decides */
	if (git_repository_open_ext(&remote, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0)
		return git_fail(CB_ENOTFOUND, "no git repository at %s", url);
	bare = git_repository_is_bare(remote);
	git_repository_free(remote);
	if (!bare)
		return cb_error_set(CB_EINVALID,
				    "%s is not a bare repository; sync needs one (make it with `git init --bare`)",
				    url);
	return 0;
}

/* Moves main from `from` to `to`, only if it still points at `from`. */
static int move_main(git_repository *g, git_commit *from, git_commit *to, const char *why)
{
	git_reference *ref = NULL;

	if (git_reference_create_matching(&ref, g, "refs/heads/main", git_commit_id(to), 1,
					  git_commit_id(from), why) < 0)
		return git_fail(CB_EREPO, "moving branch main");
	git_reference_free(ref);
	return 0;
}

static int ends_with(const char *s, const char *tail)
{
	size_t ls = strlen(s), lt = strlen(tail);

	return ls >= lt && strcmp(s + ls - lt, tail) == 0;
}

/* Review logs only grow at the end: when both sides added lines, keep
 * both sides' lines (a union merge). */
static int resolve_review_logs(git_repository *g, git_index *idx)
{
	git_index_conflict_iterator *it = NULL;
	const git_index_entry *anc, *ours, *theirs;
	char **paths = NULL;
	size_t n = 0;
	int rc = 0, err;

	if (git_index_conflict_iterator_new(&it, idx) < 0)
		return git_fail(CB_EREPO, "reading merge conflicts");
	while ((err = git_index_conflict_next(&anc, &ours, &theirs, it)) == 0) {
		char **grown;

		if (!ours || !theirs || !ends_with(ours->path, "/reviews.log") ||
		    strcmp(ours->path, theirs->path) != 0)
			continue;
		if (!(grown = realloc(paths, (n + 1) * sizeof(*paths))) ||
		    !(grown[n] = strdup(ours->path))) {
			if (grown)
				paths = grown;
			rc = oom();
			goto done;
		}
		paths = grown;
		n++;
	}
	git_index_conflict_iterator_free(it);
	it = NULL;
	for (size_t i = 0; i < n; i++) {
		git_merge_file_options fo = GIT_MERGE_FILE_OPTIONS_INIT;
		git_merge_file_result res = {0};
		git_index_entry entry;

		if (git_index_conflict_get(&anc, &ours, &theirs, idx, paths[i]) < 0) {
			rc = git_fail(CB_EREPO, "reading the conflict on %s", paths[i]);
			goto done;
		}
		fo.favor = GIT_MERGE_FILE_FAVOR_UNION;
		if (git_merge_file_from_index(&res, g, anc, ours, theirs, &fo) < 0) {
			rc = git_fail(CB_EREPO, "merging %s", paths[i]);
			goto done;
		}
		entry = *ours;
		entry.path = paths[i];
		entry.flags &= (uint16_t)~GIT_INDEX_ENTRY_STAGEMASK;
		err = res.automergeable ? git_blob_create_from_buffer(&entry.id, g, res.ptr, res.len)
					: -1;
		git_merge_file_result_free(&res);
		if (err < 0)
			continue; /* stays a conflict */
		if (git_index_conflict_remove(idx, paths[i]) < 0 || git_index_add(idx, &entry) < 0) {
			rc = git_fail(CB_EREPO, "recording the merge of %s", paths[i]);
			goto done;
		}
	}
done:
	git_index_conflict_iterator_free(it);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	return rc;
}

static int collect_conflicts(git_index *idx, cb_repo_sync_result *res)
{
	git_index_conflict_iterator *it = NULL;
	const git_index_entry *anc, *ours, *theirs;
	int err;

	if (git_index_conflict_iterator_new(&it, idx) < 0)
		return git_fail(CB_EREPO, "reading merge conflicts");
	while ((err = git_index_conflict_next(&anc, &ours, &theirs, it)) == 0) {
		const char *path = ours ? ours->path : theirs ? theirs->path : anc->path;
		char **grown = realloc(res->conflicts, (res->n_conflicts + 1) * sizeof(char *));

		if (!grown) {
			git_index_conflict_iterator_free(it);
			return oom();
		}
		res->conflicts = grown;
		if (!(grown[res->n_conflicts] = strdup(path))) {
			git_index_conflict_iterator_free(it);
			return oom();
		}
		res->n_conflicts++;
	}
	git_index_conflict_iterator_free(it);
	return 0;
}

/* Merges theirs into ours and makes the merge commit (not yet on main). */
static int merge(git_repository *g, const char *url, git_commit *ours, git_commit *theirs,
		 const cb_repo_author *who, git_commit **out, cb_repo_sync_result *res)
{
	git_merge_options mo = GIT_MERGE_OPTIONS_INIT;
	git_index *idx = NULL;
	git_tree *tree = NULL;
	git_signature *sig = NULL;
	cb_buf msg = CB_BUF_INIT, list = CB_BUF_INIT;
	git_oid base, tree_id, id;
	int rc = 0, err;

	*out = NULL;
	err = git_merge_base(&base, g, git_commit_id(ours), git_commit_id(theirs));
	if (err == GIT_ENOTFOUND)
		return cb_error_set(CB_ERROR,
				    "cannot sync with %s: its main shares no history with this one",
				    url);
	if (err < 0)
		return git_fail(CB_EREPO, "finding the common history with %s", url);
	if (git_merge_commits(&idx, g, ours, theirs, &mo) < 0) {
		rc = git_fail(CB_EREPO, "merging main from %s", url);
		goto done;
	}
	if ((rc = resolve_review_logs(g, idx)) < 0)
		goto done;
	if (git_index_has_conflicts(idx)) {
		if ((rc = collect_conflicts(idx, res)) < 0)
			goto done;
		for (size_t i = 0; i < res->n_conflicts; i++)
			if (cb_buf_printf(&list, "%s%s", i ? ", " : "", res->conflicts[i]) < 0) {
				rc = oom();
				goto done;
			}
		rc = cb_error_set(CB_ERROR,
				  "cannot sync with %s: both sides changed %s in ways that conflict; "
				  "nothing was changed on either side (the other side's text is at revision casebook-sync/main)",
				  url, cb_buf_cstr(&list));
		goto done;
	}
	if (git_index_write_tree_to(&tree_id, idx, g) < 0 || git_tree_lookup(&tree, g, &tree_id) < 0) {
		rc = git_fail(CB_EREPO, "writing the merged tree");
		goto done;
	}
	if ((who ? git_signature_now(&sig, who->name, who->email)
		 : git_signature_now(&sig, "Casebook", "casebook@localhost")) < 0) {
		rc = git_fail(CB_EINVALID, "merge author");
		goto done;
	}
	if (cb_buf_printf(&msg, "Merge case studies from %s\n", url) < 0) {
		rc = oom();
		goto done;
	}
	{
		const git_commit *parents[2] = {ours, theirs};

		if (git_commit_create(&id, g, NULL, sig, sig, NULL, msg.ptr, tree, 2, parents) < 0 ||
		    git_commit_lookup(out, g, &id) < 0) {
			rc = git_fail(CB_EREPO, "making the merge commit");
			goto done;
		}
	}
done:
	cb_buf_free(&msg);
	cb_buf_free(&list);
	git_signature_free(sig);
	git_tree_free(tree);
	git_index_free(idx);
	return rc;
}

/* The commit reachable from `tip` that wrote blob `blob` at `path`: the
 * newest one holding it whose first parent does not. */
static void blame(git_repository *g, git_commit *tip, const char *path, const git_oid *blob,
		  char id[41], char *author, size_t authorlen)
{
	git_revwalk *walk = NULL;
	git_oid oid;

	git_oid_tostr(id, 41, git_commit_id(tip));
	snprintf(author, authorlen, "%s", git_commit_author(tip)->name);
	if (git_revwalk_new(&walk, g) < 0 || git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL) < 0 ||
	    git_revwalk_push(walk, git_commit_id(tip)) < 0) {
		git_revwalk_free(walk);
		return;
	}
	while (git_revwalk_next(&oid, walk) == 0) {
		git_commit *c = NULL, *parent = NULL;
		git_tree *t = NULL, *pt = NULL;
		git_tree_entry *e = NULL, *pe = NULL;
		int here, before = 0;

		if (git_commit_lookup(&c, g, &oid) < 0)
			break;
		here = git_commit_tree(&t, c) == 0 && git_tree_entry_bypath(&e, t, path) == 0 &&
		       git_oid_equal(git_tree_entry_id(e), blob);
		if (here && git_commit_parentcount(c) > 0 && git_commit_parent(&parent, c, 0) == 0 &&
		    git_commit_tree(&pt, parent) == 0 && git_tree_entry_bypath(&pe, pt, path) == 0)
			before = git_oid_equal(git_tree_entry_id(pe), blob);
		if (here && !before) {
			git_oid_tostr(id, 41, git_commit_id(c));
			snprintf(author, authorlen, "%s", git_commit_author(c)->name);
		}
		git_tree_entry_free(pe);
		git_tree_entry_free(e);
		git_tree_free(pt);
		git_tree_free(t);
		git_commit_free(parent);
		git_commit_free(c);
		if (here && !before)
			break;
	}
	git_revwalk_free(walk);
	git_error_clear();
}

typedef struct incoming {
	git_repository *g;
	git_commit *theirs; /* to name the commit that wrote a bad file */
	cb_repo_incoming_fn check;
	void *ctx;
	int rc;
} incoming;

/* One file main would take in: a case.md to the caller's check, a
 * reviews.log to the review-log format. */
static int check_one(const git_diff_delta *d, float progress, void *payload)
{
	incoming *in = payload;
	const char *path = d->new_file.path, *slash = strchr(path, '/'), *leaf;
	char slug[CB_REPO_SLUG_MAX + 1], id[41], author[256];
	git_blob *blob = NULL;
	int rc = 0;

	(void)progress;
	if (d->status != GIT_DELTA_ADDED && d->status != GIT_DELTA_MODIFIED &&
	    d->status != GIT_DELTA_TYPECHANGE && d->status != GIT_DELTA_RENAMED &&
	    d->status != GIT_DELTA_COPIED)
		return 0;
	if (!slash || !(leaf = strchr(slash + 1, '/')) || strchr(leaf + 1, '/') ||
	    (size_t)(leaf - slash - 1) > CB_REPO_SLUG_MAX)
		return 0; /* not SHARD/SLUG/FILE: not a case's */
	memcpy(slug, slash + 1, (size_t)(leaf - slash - 1));
	slug[leaf - slash - 1] = '\0';
	leaf++;
	if (strcmp(leaf, "case.md") != 0 && strcmp(leaf, "reviews.log") != 0)
		return 0;
	if (git_blob_lookup(&blob, in->g, &d->new_file.id) < 0) {
		in->rc = git_fail(CB_EREPO, "reading %s from the remote", path);
		return -1;
	}
	if (leaf[0] == 'c') {
		if (in->check)
			rc = in->check(slug, path, git_blob_rawcontent(blob),
				       (size_t)git_blob_rawsize(blob), in->ctx);
	} else {
		cb_repo_review *rv = NULL;
		size_t n = 0;

		rc = cb_repo_reviews_parse(path, git_blob_rawcontent(blob),
					   (size_t)git_blob_rawsize(blob), &rv, &n);
		cb_repo_reviews_free(rv, n);
	}
	git_blob_free(blob);
	if (rc == 0)
		return 0;
	if (rc == CB_ENOMEM) {
		in->rc = rc;
		return -1;
	}
	{
		char why[1024];

		snprintf(why, sizeof(why), "%s", cb_error_last()); /* set anew below */
		blame(in->g, in->theirs, path, &d->new_file.id, id, author, sizeof(author));
		in->rc = cb_error_set(CB_EINVALID,
				      "the remote brings in a file that is not valid, so nothing moved: "
				      "%s (written by commit %.12s, %s); fix it there and sync again",
				      why, id, author);
	}
	return -1;
}

/* Holds every case file that `to` holds and `from` does not, or holds
 * otherwise, to `check` and the review-log format. */
static int check_incoming(git_repository *g, git_commit *from, git_commit *to, git_commit *theirs,
			  cb_repo_incoming_fn check, void *ctx)
{
	git_tree *a = NULL, *b = NULL;
	git_diff *diff = NULL;
	incoming in = {g, theirs, check, ctx, 0};
	int err;

	if (git_commit_tree(&a, from) < 0 || git_commit_tree(&b, to) < 0 ||
	    git_diff_tree_to_tree(&diff, g, a, b, NULL) < 0) {
		in.rc = git_fail(CB_EREPO, "comparing main with what the remote brings");
		goto done;
	}
	err = git_diff_foreach(diff, check_one, NULL, NULL, NULL, &in);
	if (err < 0 && in.rc == 0)
		in.rc = git_fail(CB_EREPO, "comparing main with what the remote brings");
done:
	git_diff_free(diff);
	git_tree_free(b);
	git_tree_free(a);
	return in.rc;
}

typedef struct push_state {
	char refused[512];
} push_state;

static int on_push_update(const char *refname, const char *status, void *data)
{
	push_state *st = data;

	if (status)
		snprintf(st->refused, sizeof(st->refused), "%s: %s", refname, status);
	return 0;
}

static int fetch(git_remote *remote, const char *url)
{
	char *spec = "+refs/heads/main:" SYNC_REF;
	git_strarray specs = {&spec, 1};
	git_fetch_options fo = GIT_FETCH_OPTIONS_INIT;

	if (git_remote_fetch(remote, &specs, &fo, "casebook sync: fetch") < 0)
		return git_fail(CB_EREPO, "fetching from %s", url);
	return 0;
}

static int push(git_repository *g, git_remote *remote, const char *url, const git_oid *head)
{
	char *spec = "refs/heads/main:refs/heads/main";
	git_strarray specs = {&spec, 1};
	git_push_options po = GIT_PUSH_OPTIONS_INIT;
	git_reference *ref = NULL;
	push_state st = {{0}};

	po.callbacks.push_update_reference = on_push_update;
	po.callbacks.payload = &st;
	if (git_remote_push(remote, &specs, &po) < 0)
		return git_fail(CB_EREPO, "pushing main to %s (run sync again if it changed meanwhile)",
				url);
	if (st.refused[0])
		return cb_error_set(CB_EREPO, "%s refused the push of main (%s); run sync again", url,
				    st.refused);
	/* the remote's main is ours now */
	if (git_reference_create(&ref, g, SYNC_REF, head, 1, "casebook sync: push") < 0)
		return git_fail(CB_EREPO, "recording the pushed main");
	git_reference_free(ref);
	return 0;
}

int cb_repo_sync(cb_repo *r, const char *url, const cb_repo_author *who,
		 cb_repo_sync_result *res)
{
	return cb_repo_sync_checked(r, url, who, NULL, NULL, res);
}

int cb_repo_sync_checked(cb_repo *r, const char *url, const cb_repo_author *who,
			 cb_repo_incoming_fn check, void *ctx, cb_repo_sync_result *res)
{
	git_repository *g = cb_repo_git(r);
	git_remote *remote = NULL;
	git_reference *old = NULL;
	git_commit *ours = NULL, *theirs = NULL, *merged = NULL;
	git_oid ours_id, theirs_id;
	int rc, err, have_theirs;

	memset(res, 0, sizeof(*res));
	if (cb_repo_in_batch(r))
		return cb_error_set(CB_EREPO, "cannot sync inside a batch of commits; commit it first");
	if (!url || cb_text_check("remote", url, URL_MAX, 1, 0) < 0)
		return url ? CB_EINVALID : cb_error_set(CB_EINVALID, "remote is empty");
	if (who) {
		if (!who->name || !who->email || !*who->name || !*who->email)
			return cb_error_set(CB_EINVALID, "the merge author needs a name and an email address");
		if (cb_text_check("merge author", who->name, CB_NAME_MAX, 1, 0) < 0 ||
		    cb_text_check("merge author's email", who->email, 254, 1, 0) < 0)
			return CB_EINVALID;
	}
	if ((rc = cb_repo_check(r)) < 0 || (rc = check_local_remote(url)) < 0 ||
	    (rc = cb_repo_write_begin(r)) < 0)
		return rc;
	/* a stale copy of the remote's main must not pass for a fresh one */
	if (git_reference_lookup(&old, g, SYNC_REF) == 0) {
		err = git_reference_delete(old);
		git_reference_free(old);
		if (err < 0) {
			rc = git_fail(CB_EREPO, "clearing %s", SYNC_REF);
			goto done;
		}
	}
	{
		git_remote_create_options ro = GIT_REMOTE_CREATE_OPTIONS_INIT;

		/* No url.*.insteadOf rewriting: the URL is used as given (and
		 * libgit2 1.5's config glob behind it leaks pcre2 match data). */
		ro.repository = g;
		ro.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF |
			   GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
		if (git_remote_create_with_opts(&remote, url, &ro) < 0) {
			rc = git_fail(CB_EINVALID, "remote %s", url);
			goto done;
		}
	}
	if ((rc = fetch(remote, url)) < 0)
		goto done;
	if (git_reference_name_to_id(&ours_id, g, "refs/heads/main") < 0 ||
	    git_commit_lookup(&ours, g, &ours_id) < 0) {
		rc = git_fail(CB_EREPO, "reading branch main");
		goto done;
	}
	err = git_reference_name_to_id(&theirs_id, g, SYNC_REF);
	if (err < 0 && err != GIT_ENOTFOUND) {
		rc = git_fail(CB_EREPO, "reading the fetched main");
		goto done;
	}
	have_theirs = err == 0;
	if (have_theirs && !git_oid_equal(&ours_id, &theirs_id) &&
	    git_graph_descendant_of(g, &ours_id, &theirs_id) != 1) {
		if (git_commit_lookup(&theirs, g, &theirs_id) < 0) {
			rc = git_fail(CB_EREPO, "reading the fetched main");
			goto done;
		}
		if (git_graph_descendant_of(g, &theirs_id, &ours_id) == 1) {
			if ((rc = check_incoming(g, ours, theirs, theirs, check, ctx)) < 0)
				goto done;
			rc = move_main(g, ours, theirs, "casebook sync: fast-forward");
		} else {
			if ((rc = merge(g, url, ours, theirs, who, &merged, res)) < 0 ||
			    (rc = check_incoming(g, ours, merged, theirs, check, ctx)) < 0)
				goto done;
			rc = move_main(g, ours, merged, "casebook sync: merge");
			res->merged = rc == 0;
		}
		if (rc < 0)
			goto done;
		res->pulled = 1;
	}
	if (git_reference_name_to_id(&ours_id, g, "refs/heads/main") < 0) {
		rc = git_fail(CB_EREPO, "reading branch main");
		goto done;
	}
	if (!have_theirs || !git_oid_equal(&ours_id, &theirs_id)) {
		if ((rc = push(g, remote, url, &ours_id)) < 0)
			goto done;
		res->pushed = 1;
	}
	git_oid_tostr(res->head, sizeof(res->head), &ours_id);
	rc = 0;
done:
	git_commit_free(merged);
	git_commit_free(theirs);
	git_commit_free(ours);
	git_remote_free(remote);
	cb_repo_write_end(r);
	return rc;
}

void cb_repo_sync_result_clear(cb_repo_sync_result *res)
{
	for (size_t i = 0; i < res->n_conflicts; i++)
		free(res->conflicts[i]);
	free(res->conflicts);
	memset(res, 0, sizeof(*res));
}
