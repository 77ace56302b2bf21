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

#include <git2.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

struct cb_repo {
	git_repository *git;
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
 * submission's time).
 */
static void git_start(void)
{
	if (git_libgit2_init() == 1)
		git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 0);
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
	git_start();
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
	git_start();
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
	git_repository_free(r->git);
	free(r);
	git_libgit2_shutdown();
}

git_repository *cb_repo_git(cb_repo *r)
{
	return r->git;
}

int cb_repo_head(cb_repo *r, char out[41])
{
	git_oid oid;

	if (git_reference_name_to_id(&oid, r->git, "refs/heads/main") < 0)
		return git_fail("reading branch main");
	git_oid_tostr(out, 41, &oid);
	return 0;
}

int cb_repo_check(cb_repo *r)
{
	git_reference *head = NULL;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_oid oid;
	int rc = CB_EREPO;

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
