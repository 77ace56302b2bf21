/*
 * Case files in the case-study repository: writing revisions and review
 * decisions as commits on main (objects first, then the branch; the
 * repository is bare, so there is no work tree or index to bring along),
 * and reading them back: a file at a revision, a case's history, diffs,
 * the list.
 */
#include "repo/case.h"
#include "repo/git.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/date.h"
#include "base/error.h"
#include "base/text.h"

#define REV_MAX 256 /* bytes in a revspec given by a user */

static int git_fail(int code, const char *fmt, ...) CB_PRINTF(2, 3);

/* Sets `code` with "WHAT: libgit2's message". */
static int git_fail(int code, const char *fmt, ...)
{
	const git_error *e = git_error_last();
	char what[512];
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

/* ------------------------------------------------------------------ */
/* Input checks                                                          */

int cb_repo_slug_check(const char *slug)
{
	size_t len = slug ? strlen(slug) : 0;

	if (len == 0)
		return cb_error_set(CB_EINVALID, "case slug is empty");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)slug[i];

		if (c < 0x20 || c > 0x7E)
			return cb_error_set(CB_EINVALID,
					    "case slug holds the byte 0x%02X at offset %zu; a slug holds only a-z, 0-9 and '-'",
					    c, i);
	}
	if (len > CB_REPO_SLUG_MAX)
		return cb_error_set(CB_EINVALID, "case slug '%.20s...' is %zu bytes long; the limit is %d",
				    slug, len, CB_REPO_SLUG_MAX);
	for (size_t i = 0; i < len; i++) {
		char c = slug[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return cb_error_set(CB_EINVALID,
					    "case slug '%s' may hold only lowercase letters a-z, digits and '-' (found '%c')",
					    slug, c);
	}
	if (slug[0] == '-' || slug[len - 1] == '-')
		return cb_error_set(CB_EINVALID, "case slug '%s' must not start or end with '-'", slug);
	return 0;
}

static int check_author(const char *role, const cb_repo_author *a)
{
	if (!a || !a->name || !a->email)
		return cb_error_set(CB_EINVALID, "%s needs a name and an email address", role);
	if (cb_text_check("name", a->name, CB_NAME_MAX, 1, 0) < 0)
		return cb_error_prefix("%s", role);
	for (const char *c = a->name; *c; c++)
		if (*c == '<' || *c == '>' || *c == '\t')
			return cb_error_set(CB_EINVALID, "%s name '%s' must not hold '<', '>' or tabs",
					    role, a->name);
	if (cb_text_check("email", a->email, 254, 1, 0) < 0)
		return cb_error_prefix("%s", role);
	for (const char *c = a->email; *c; c++)
		if (*c == '<' || *c == '>' || *c == ' ' || *c == '\t')
			return cb_error_set(CB_EINVALID,
					    "%s email '%s' must not hold blanks, '<' or '>'", role,
					    a->email);
	return 0;
}

static int check_rev(const char *rev)
{
	if (cb_text_check("revision", rev, REV_MAX, 1, 0) < 0)
		return CB_EINVALID;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Where a case lives                                                    */

/*
 * Case folders are spread over up to 256 shard folders at the root, so
 * that no tree Casebook rewrites on a commit grows with the number of
 * cases: with every case at the root, each commit would rewrite a root
 * tree of all of them (about 570 KB at 10,000 cases). The shard is the
 * first byte of the slug's git blob id, which anyone can compute with
 * `printf %s SLUG | git hash-object --stdin | cut -c1-2`.
 */
int cb_repo_case_dir(const char *slug, char out[CB_REPO_DIR_MAX])
{
	git_oid id;
	char hex[GIT_OID_HEXSZ + 1];
	int rc;

	/* Asked without a repository open too (the index's paths). */
	if ((rc = cb_git_load()) < 0)
		return rc;
	if (git_odb_hash(&id, slug, strlen(slug), GIT_OBJECT_BLOB) < 0)
		return git_fail(CB_ERROR, "hashing the slug '%s'", slug);
	git_oid_tostr(hex, sizeof(hex), &id);
	snprintf(out, CB_REPO_DIR_MAX, "%.2s/%s", hex, slug);
	return 0;
}

/* SHARD/SLUG/LEAF into out (CB_REPO_PATH_MAX bytes). */
static int case_path(const char *slug, const char *leaf, char out[CB_REPO_PATH_MAX])
{
	char dir[CB_REPO_DIR_MAX];
	int rc;

	if ((rc = cb_repo_case_dir(slug, dir)) < 0)
		return rc;
	snprintf(out, CB_REPO_PATH_MAX, "%s/%s", dir, leaf);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Reading objects                                                       */

/* Main's head commit (inside a batch, the batch's last). Caller frees. */
static int main_commit(cb_repo *r, git_commit **out)
{
	git_oid id;
	int rc;

	*out = NULL;
	if ((rc = cb_repo_main_id(r, &id)) < 0)
		return rc;
	if (git_commit_lookup(out, cb_repo_git(r), &id) < 0)
		return git_fail(CB_EREPO, "reading branch main");
	return 0;
}

/* The commit that `rev` names (NULL: HEAD). Caller frees. */
static int resolve_commit(cb_repo *r, const char *rev, git_commit **out)
{
	git_repository *g = cb_repo_git(r);
	git_object *obj = NULL, *peeled = NULL;
	int err;

	*out = NULL;
	if (!rev || strcmp(rev, "HEAD") == 0 || strcmp(rev, "main") == 0 ||
	    strcmp(rev, "refs/heads/main") == 0)
		return main_commit(r, out);
	if (check_rev(rev) < 0)
		return CB_EINVALID;
	err = git_revparse_single(&obj, g, rev);
	if (err == GIT_ENOTFOUND || err == GIT_EAMBIGUOUS || err == GIT_EINVALIDSPEC)
		return cb_error_set(err == GIT_ENOTFOUND ? CB_ENOTFOUND : CB_EINVALID,
				    "revision '%s' %s in the case-study repository", rev,
				    err == GIT_ENOTFOUND	 ? "does not exist"
				    : err == GIT_EAMBIGUOUS ? "is ambiguous"
							     : "is not a valid revision");
	if (err < 0)
		return git_fail(CB_EREPO, "reading revision '%s'", rev);
	err = git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT);
	git_object_free(obj);
	if (err < 0)
		return cb_error_set(CB_EINVALID, "revision '%s' does not name a commit", rev);
	*out = (git_commit *)peeled;
	return 0;
}

/* The id of PATH in commit c's tree; 0 with *found 0 when absent. */
static int path_id(git_commit *c, const char *path, git_oid *id, int *found)
{
	git_tree *tree = NULL;
	git_tree_entry *e = NULL;
	int err;

	*found = 0;
	if (git_commit_tree(&tree, c) < 0)
		return git_fail(CB_EREPO, "reading a commit's tree");
	err = git_tree_entry_bypath(&e, tree, path);
	if (err == 0) {
		git_oid_cpy(id, git_tree_entry_id(e));
		*found = 1;
	}
	git_tree_entry_free(e);
	git_tree_free(tree);
	if (err < 0 && err != GIT_ENOTFOUND)
		return git_fail(CB_EREPO, "reading %s", path);
	return 0;
}

/* Whether PATH differs between c and each of its parents (a root commit:
 * whether it holds PATH). Sets *changed. */
static int path_changed(git_commit *c, const char *path, int *changed)
{
	unsigned n = git_commit_parentcount(c);
	git_oid mine, theirs;
	int have, had, rc;

	*changed = 0;
	if ((rc = path_id(c, path, &mine, &have)) < 0)
		return rc;
	if (n == 0) {
		*changed = have;
		return 0;
	}
	for (unsigned i = 0; i < n; i++) {
		git_commit *p = NULL;

		if (git_commit_parent(&p, c, i) < 0)
			return git_fail(CB_EREPO, "reading a parent commit");
		rc = path_id(p, path, &theirs, &had);
		git_commit_free(p);
		if (rc < 0)
			return rc;
		if (have == had && (!have || git_oid_equal(&mine, &theirs)))
			return 0; /* the same as one parent: not changed here */
	}
	*changed = 1;
	return 0;
}

/* The newest commit reachable from `start` that changed PATH; NULL when
 * none did. Caller frees. */
static int last_change(git_repository *g, git_commit *start, const char *path,
		       git_commit **out)
{
	git_revwalk *walk = NULL;
	git_oid oid;
	int rc = 0, err;

	*out = NULL;
	if (git_revwalk_new(&walk, g) < 0 ||
	    git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME) < 0 ||
	    git_revwalk_push(walk, git_commit_id(start)) < 0) {
		rc = git_fail(CB_EREPO, "walking the history");
		goto done;
	}
	while ((err = git_revwalk_next(&oid, walk)) == 0) {
		git_commit *c = NULL;
		int changed;

		if (git_commit_lookup(&c, g, &oid) < 0) {
			rc = git_fail(CB_EREPO, "reading a commit");
			goto done;
		}
		if ((rc = path_changed(c, path, &changed)) < 0) {
			git_commit_free(c);
			goto done;
		}
		if (changed) {
			*out = c;
			goto done;
		}
		git_commit_free(c);
	}
	if (err != GIT_ITEROVER)
		rc = git_fail(CB_EREPO, "walking the history");
done:
	git_revwalk_free(walk);
	return rc;
}

/* The blob at PATH in c, or NULL when absent. Caller frees. */
static int blob_at(git_repository *g, git_commit *c, const char *path, git_blob **out)
{
	git_oid id;
	int found, rc;

	*out = NULL;
	if ((rc = path_id(c, path, &id, &found)) < 0 || !found)
		return rc;
	if (git_blob_lookup(out, g, &id) < 0)
		return cb_error_set(CB_EREPO, "%s is not a file", path);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Writing                                                               */

typedef struct file_update {
	const char *path;
	const char *data;
	size_t len;
} file_update;

/* Makes one commit on top of `head`, main's head as the caller read it
 * (and checked the files against), that sets the given files, authored by
 * `who`. libgit2 moves main only if it still points at `head`, so a
 * concurrent writer makes this fail rather than lose its commit. */
static int commit_files(cb_repo *r, git_commit *head, const file_update *u, size_t n,
			const cb_repo_author *who, const char *message, char id[41])
{
	git_repository *g = cb_repo_git(r);
	git_tree *old_tree = NULL, *new_tree = NULL;
	git_signature *sig = NULL;
	git_tree_update updates[4];
	git_oid tree_id, commit_id;
	int batch = cb_repo_in_batch(r), rc;

	if (n > 4)
		return cb_error_set(CB_ERROR, "too many files in one commit");
	if (git_commit_tree(&old_tree, head) < 0) {
		rc = git_fail(CB_EREPO, "reading branch main");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		memset(&updates[i], 0, sizeof(updates[i]));
		updates[i].action = GIT_TREE_UPDATE_UPSERT;
		updates[i].filemode = GIT_FILEMODE_BLOB;
		updates[i].path = u[i].path;
		if (git_blob_create_from_buffer(&updates[i].id, g, u[i].data, u[i].len) < 0) {
			rc = git_fail(CB_EREPO, "storing %s", u[i].path);
			goto done;
		}
	}
	if (git_tree_create_updated(&tree_id, g, old_tree, n, updates) < 0 ||
	    git_tree_lookup(&new_tree, g, &tree_id) < 0) {
		rc = git_fail(CB_EREPO, "building the new tree");
		goto done;
	}
	if (git_oid_equal(&tree_id, git_tree_id(old_tree))) {
		rc = cb_error_set(CB_EINVALID, "nothing to commit: %s already holds this text at main",
				  u[0].path);
		goto done;
	}
	if ((who->when ? git_signature_new(&sig, who->name, who->email, who->when, 0)
		       : git_signature_now(&sig, who->name, who->email)) < 0) {
		rc = git_fail(CB_EINVALID, "author '%s <%s>'", who->name, who->email);
		goto done;
	}
	{
		const git_commit *parents[1] = {head};

		/* In a batch main moves once, at its end; alone, under the
		 * writer lock (repo/repo.h). */
		if (!batch && (rc = cb_repo_write_begin(r)) < 0)
			goto done;
		rc = git_commit_create(&commit_id, g, batch ? NULL : "refs/heads/main", sig, sig, NULL,
				       message, new_tree, 1, parents);
		if (!batch)
			cb_repo_write_end(r);
		if (rc < 0) {
			rc = git_fail(CB_EREPO, "committing %s", u[0].path);
			goto done;
		}
		if ((rc = cb_repo_batch_advance(r, &commit_id)) < 0)
			goto done;
	}
	if (id)
		git_oid_tostr(id, 41, &commit_id);
	rc = 0;
done:
	git_signature_free(sig);
	git_tree_free(new_tree);
	git_tree_free(old_tree);
	return rc;
}

static int check_message(const char *message)
{
	if (cb_text_check("commit message", message, CB_REPO_MESSAGE_MAX, 1, 1) < 0)
		return CB_EINVALID;
	return 0;
}

/* The message as git keeps it: ending with one line break. */
static int finish_message(cb_buf *b, const char *message)
{
	size_t len = strlen(message);

	while (len && (message[len - 1] == '\n' || message[len - 1] == ' '))
		len--;
	if (cb_buf_append(b, message, len) < 0 || cb_buf_putc(b, '\n') < 0)
		return CB_ENOMEM;
	return 0;
}

/* main's head, once the repository is checked: what a write builds on.
 * Caller frees. */
static int head_to_write(cb_repo *r, git_commit **head)
{
	int rc;

	*head = NULL;
	if ((rc = cb_repo_check(r)) < 0)
		return rc;
	return main_commit(r, head);
}

int cb_repo_case_commit(cb_repo *r, const char *slug, const char *text, size_t len,
			cb_repo_case_mode mode, const cb_repo_author *author,
			const char *message, char id[41])
{
	char path[CB_REPO_PATH_MAX];
	cb_buf msg = CB_BUF_INIT;
	git_commit *head = NULL;
	file_update u;
	git_oid at;
	int rc, exists;

	if ((rc = cb_repo_slug_check(slug)) < 0 || (rc = check_author("author", author)) < 0)
		return rc;
	if (message && (rc = check_message(message)) < 0)
		return rc;
	if (len == 0)
		return cb_error_set(CB_EINVALID, "case '%s': the text is empty", slug);
	if (len > CB_REPO_CASE_MAX)
		return cb_error_set(CB_EINVALID,
				    "case '%s': the text is %zu bytes long; the limit is %d bytes (256 KiB)",
				    slug, len, CB_REPO_CASE_MAX);
	if (memchr(text, '\0', len))
		return cb_error_set(CB_EINVALID, "case '%s': the text holds a NUL byte", slug);
	if ((rc = case_path(slug, "case.md", path)) < 0 || (rc = head_to_write(r, &head)) < 0 ||
	    (rc = path_id(head, path, &at, &exists)) < 0)
		goto done;
	if (mode == CB_REPO_CASE_CREATE && exists) {
		rc = cb_error_set(CB_EEXISTS, "case '%s' already exists", slug);
		goto done;
	}
	if (mode == CB_REPO_CASE_REVISE && !exists) {
		rc = cb_error_set(CB_ENOTFOUND, "case '%s' does not exist", slug);
		goto done;
	}
	if (message)
		rc = finish_message(&msg, message);
	else
		rc = cb_buf_printf(&msg, "%s case %s\n", exists ? "Revise" : "Add", slug);
	if (rc < 0) {
		rc = oom();
		goto done;
	}
	u.path = path;
	u.data = text;
	u.len = len;
	rc = commit_files(r, head, &u, 1, author, msg.ptr, id);
done:
	git_commit_free(head);
	cb_buf_free(&msg);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Reviews                                                               */

static int check_decision(const char *d)
{
	size_t len = d ? strlen(d) : 0;

	if (len == 0)
		return cb_error_set(CB_EINVALID, "review decision is empty");
	if (len > CB_REPO_DECISION_MAX)
		return cb_error_set(CB_EINVALID, "review decision is %zu bytes long; the limit is %d",
				    len, CB_REPO_DECISION_MAX);
	for (size_t i = 0; i < len; i++)
		if (!((d[i] >= 'a' && d[i] <= 'z') || (d[i] == '-' && i > 0 && i + 1 < len)))
			return cb_error_set(CB_EINVALID,
					    "review decision '%s' must be a word of a-z and '-'",
					    d[i] >= 0x20 && d[i] < 0x7F ? d : "?");
	return 0;
}

/* Appends s to b with '\\', tab, CR and LF escaped, so that it fits on
 * one line of reviews.log. */
static int put_escaped(cb_buf *b, const char *s)
{
	for (; *s; s++) {
		int rc;

		switch (*s) {
		case '\\':
			rc = cb_buf_puts(b, "\\\\");
			break;
		case '\n':
			rc = cb_buf_puts(b, "\\n");
			break;
		case '\r':
			rc = cb_buf_puts(b, "\\r");
			break;
		case '\t':
			rc = cb_buf_puts(b, "\\t");
			break;
		default:
			rc = cb_buf_putc(b, *s);
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

int cb_repo_case_review(cb_repo *r, const char *slug, const char *decision,
			const cb_repo_author *reviewer, const char *comment, char id[41])
{
	git_repository *g = cb_repo_git(r);
	char case_file[CB_REPO_PATH_MAX], log_path[CB_REPO_PATH_MAX];
	char reviewed[41], when[CB_DATETIME_LEN];
	git_commit *head = NULL, *changed = NULL;
	git_blob *old_log = NULL;
	cb_buf log = CB_BUF_INIT, msg = CB_BUF_INIT;
	file_update u;
	int rc;

	if ((rc = cb_repo_slug_check(slug)) < 0 || (rc = check_decision(decision)) < 0 ||
	    (rc = check_author("reviewer", reviewer)) < 0)
		return rc;
	if (comment && cb_text_check("review comment", comment, CB_NOTE_MAX, 0, 1) < 0)
		return CB_EINVALID;
	if ((rc = case_path(slug, "case.md", case_file)) < 0 ||
	    (rc = case_path(slug, "reviews.log", log_path)) < 0)
		return rc;
	if ((rc = head_to_write(r, &head)) < 0 ||
	    (rc = last_change(g, head, case_file, &changed)) < 0)
		goto done;
	{
		git_oid oid;
		int found;

		if ((rc = path_id(head, case_file, &oid, &found)) < 0)
			goto done;
		if (!found || !changed) {
			rc = cb_error_set(CB_ENOTFOUND, "case '%s' does not exist", slug);
			goto done;
		}
	}
	git_oid_tostr(reviewed, sizeof(reviewed), git_commit_id(changed));
	if ((rc = blob_at(g, head, log_path, &old_log)) < 0)
		goto done;
	if (old_log) {
		const char *p = git_blob_rawcontent(old_log);
		size_t len = (size_t)git_blob_rawsize(old_log);

		if (cb_buf_append(&log, p, len) < 0 ||
		    (len && p[len - 1] != '\n' && cb_buf_putc(&log, '\n') < 0)) {
			rc = oom();
			goto done;
		}
	}
	cb_datetime_format(reviewer->when ? reviewer->when : (int64_t)time(NULL), when);
	if (cb_buf_printf(&log, "%s\t%s\t%s\t%s <%s>\t", when, decision, reviewed,
			  reviewer->name, reviewer->email) < 0 ||
	    put_escaped(&log, comment ? comment : "") < 0 || cb_buf_putc(&log, '\n') < 0 ||
	    cb_buf_printf(&msg, "Review %s: %s\n", slug, decision) < 0 ||
	    (comment && *comment &&
	     (cb_buf_putc(&msg, '\n') < 0 || finish_message(&msg, comment) < 0))) {
		rc = oom();
		goto done;
	}
	u.path = log_path;
	u.data = log.ptr;
	u.len = log.len;
	rc = commit_files(r, head, &u, 1, reviewer, msg.ptr, id);
done:
	git_blob_free(old_log);
	git_commit_free(changed);
	git_commit_free(head);
	cb_buf_free(&log);
	cb_buf_free(&msg);
	return rc;
}

/* Reads one field of a reviews.log line, up to the next tab (or the end
 * when last). */
static char *take_field(char **p, int last)
{
	char *start = *p, *tab = last ? NULL : strchr(start, '\t');

	if (!last && !tab)
		return NULL;
	if (tab) {
		*tab = '\0';
		*p = tab + 1;
	} else {
		*p = start + strlen(start);
	}
	return start;
}

static char *unescape(const char *s)
{
	char *out = malloc(strlen(s) + 1), *d = out;

	if (!out)
		return NULL;
	for (; *s; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			*d++ = *s == 'n' ? '\n' : *s == 't' ? '\t' : *s == 'r' ? '\r' : *s;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
	return out;
}

static int parse_review(char *line, cb_repo_review *rv)
{
	char *p = line, *when, *decision, *rev, *who, *comment, *lt;

	if (!(when = take_field(&p, 0)) || !(decision = take_field(&p, 0)) ||
	    !(rev = take_field(&p, 0)) || !(who = take_field(&p, 0)) ||
	    !(comment = take_field(&p, 1)))
		return -1;
	lt = strrchr(who, '<');
	if (cb_datetime_parse(when, &rv->time) < 0 || strlen(rev) != 40 || !lt || lt == who ||
	    who[strlen(who) - 1] != '>')
		return -1;
	memcpy(rv->revision, rev, 41);
	who[strlen(who) - 1] = '\0';
	lt[-1] = '\0';
	rv->decision = strdup(decision);
	rv->name = strdup(who);
	rv->email = strdup(lt + 1);
	rv->comment = unescape(comment);
	if (!rv->decision || !rv->name || !rv->email || !rv->comment)
		return -2;
	return 0;
}

int cb_repo_case_reviews(cb_repo *r, const char *slug, const char *rev,
			 cb_repo_review **out, size_t *n)
{
	git_repository *g = cb_repo_git(r);
	char path[CB_REPO_PATH_MAX];
	git_commit *c = NULL;
	git_blob *blob = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = cb_repo_slug_check(slug)) < 0 || (rc = resolve_commit(r, rev, &c)) < 0)
		return rc;
	if ((rc = case_path(slug, "reviews.log", path)) < 0 ||
	    (rc = blob_at(g, c, path, &blob)) < 0 || !blob)
		goto done;
	rc = cb_repo_reviews_parse(path, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob),
				   out, n);
done:
	git_blob_free(blob);
	git_commit_free(c);
	return rc;
}

int cb_repo_reviews_parse(const char *path, const char *data, size_t len, cb_repo_review **out,
			  size_t *n)
{
	char *text = NULL, *line, *save = NULL;
	cb_repo_review *list = NULL;
	size_t count = 0;
	int rc, lineno = 0;

	*out = NULL;
	*n = 0;
	if (memchr(data, '\0', len))
		return cb_error_set(CB_EINVALID, "%s holds a NUL byte: not a review log", path);
	if (!(text = malloc(len + 1)))
		return oom();
	memcpy(text, data, len);
	text[len] = '\0';
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		cb_repo_review *grown = realloc(list, (count + 1) * sizeof(*list));
		int prc;

		lineno++;
		if (!grown) {
			rc = oom();
			goto done;
		}
		list = grown;
		memset(&list[count], 0, sizeof(*list));
		count++;
		prc = parse_review(line, &list[count - 1]);
		if (prc == -2) {
			rc = oom();
			goto done;
		}
		if (prc < 0) {
			rc = cb_error_set(CB_EINVALID,
					  "%s:%d: not a review line (when, decision, commit, "
					  "reviewer and comment, separated by tabs)",
					  path, lineno);
			goto done;
		}
	}
	rc = 0;
done:
	if (rc < 0) {
		cb_repo_reviews_free(list, count);
	} else {
		*out = list;
		*n = count;
	}
	free(text);
	return rc;
}

void cb_repo_reviews_free(cb_repo_review *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(list[i].decision);
		free(list[i].name);
		free(list[i].email);
		free(list[i].comment);
	}
	free(list);
}

/* ------------------------------------------------------------------ */
/* Reading                                                               */

int cb_repo_case_read(cb_repo *r, const char *slug, const char *rev, char **text,
		      size_t *len)
{
	git_repository *g = cb_repo_git(r);
	char path[CB_REPO_PATH_MAX];
	git_commit *c = NULL;
	git_blob *blob = NULL;
	size_t size;
	int rc;

	*text = NULL;
	*len = 0;
	if ((rc = cb_repo_slug_check(slug)) < 0 || (rc = resolve_commit(r, rev, &c)) < 0)
		return rc;
	if ((rc = case_path(slug, "case.md", path)) < 0 || (rc = blob_at(g, c, path, &blob)) < 0)
		goto done;
	if (!blob) {
		rc = cb_error_set(CB_ENOTFOUND, "case '%s' does not exist at revision %s", slug,
				  rev ? rev : "HEAD");
		goto done;
	}
	size = (size_t)git_blob_rawsize(blob);
	if (size > CB_REPO_CASE_MAX) {
		rc = cb_error_set(CB_EINVALID,
				  "%s at revision %s is %zu bytes long; the limit is %d bytes (256 KiB)",
				  path, rev ? rev : "HEAD", size, CB_REPO_CASE_MAX);
		goto done;
	}
	if (!(*text = malloc(size + 1))) {
		rc = oom();
		goto done;
	}
	memcpy(*text, git_blob_rawcontent(blob), size);
	(*text)[size] = '\0';
	*len = size;
	rc = 0;
done:
	git_blob_free(blob);
	git_commit_free(c);
	return rc;
}

static int fill_commit(git_commit *c, unsigned changes, cb_repo_commit *out)
{
	const git_signature *a = git_commit_author(c);
	const char *msg = git_commit_message(c);

	memset(out, 0, sizeof(*out));
	git_oid_tostr(out->id, sizeof(out->id), git_commit_id(c));
	out->time = (int64_t)a->when.time;
	out->offset = a->when.offset;
	out->changes = changes;
	out->author_name = strdup(a->name);
	out->author_email = strdup(a->email);
	out->message = strdup(msg ? msg : "");
	if (!out->author_name || !out->author_email || !out->message)
		return oom();
	return 0;
}

int cb_repo_case_log(cb_repo *r, const char *slug, cb_repo_commit **out, size_t *n)
{
	git_repository *g = cb_repo_git(r);
	char dir[CB_REPO_DIR_MAX], case_file[CB_REPO_PATH_MAX], log_path[CB_REPO_PATH_MAX];
	git_revwalk *walk = NULL;
	cb_repo_commit *list = NULL;
	size_t count = 0;
	git_oid oid;
	int rc = 0, err;

	*out = NULL;
	*n = 0;
	if ((rc = cb_repo_slug_check(slug)) < 0)
		return rc;
	if ((rc = cb_repo_case_dir(slug, dir)) < 0 || (rc = case_path(slug, "case.md", case_file)) < 0 ||
	    (rc = case_path(slug, "reviews.log", log_path)) < 0)
		return rc;
	if (git_revwalk_new(&walk, g) < 0 ||
	    git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME) < 0 ||
	    cb_repo_main_id(r, &oid) < 0 || git_revwalk_push(walk, &oid) < 0) {
		rc = git_fail(CB_EREPO, "walking branch main");
		goto done;
	}
	while ((err = git_revwalk_next(&oid, walk)) == 0) {
		git_commit *c = NULL;
		int folder, in_case, in_log;

		if (git_commit_lookup(&c, g, &oid) < 0) {
			rc = git_fail(CB_EREPO, "reading a commit");
			goto done;
		}
		if ((rc = path_changed(c, dir, &folder)) < 0 ||
		    (folder && ((rc = path_changed(c, case_file, &in_case)) < 0 ||
				(rc = path_changed(c, log_path, &in_log)) < 0))) {
			git_commit_free(c);
			goto done;
		}
		if (folder) {
			cb_repo_commit *grown = realloc(list, (count + 1) * sizeof(*list));

			if (!grown) {
				git_commit_free(c);
				rc = oom();
				goto done;
			}
			list = grown;
			count++;
			rc = fill_commit(c, (in_case ? CB_REPO_CHANGED_CASE : 0) |
						    (in_log ? CB_REPO_CHANGED_REVIEWS : 0),
					 &list[count - 1]);
		}
		git_commit_free(c);
		if (rc < 0)
			goto done;
	}
	if (err != GIT_ITEROVER)
		rc = git_fail(CB_EREPO, "walking branch main");
done:
	git_revwalk_free(walk);
	if (rc < 0) {
		cb_repo_commits_free(list, count);
	} else {
		*out = list;
		*n = count;
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* Histories of many cases at once                                      */

typedef struct history_walk {
	git_repository *g;
	char *const *slugs;
	size_t n;
	cb_repo_case_history *out;
	unsigned char *seen; /* out[i].updated is set */
	git_commit *c;	     /* the commit being looked at */
	const char *shard;   /* the shard folder being looked at */
} history_walk;

static int cmp_slug(const void *key, const void *elem)
{
	return strcmp(key, *(char *const *)elem);
}

/* The entry `name` of tree t (NULL: absent, also when t is NULL). */
static const git_tree_entry *entry_in(const git_tree *t, const char *name)
{
	return t ? git_tree_entry_byname(t, name) : NULL;
}

static int same_entry(const git_tree_entry *a, const git_tree_entry *b)
{
	if (!a || !b)
		return a == b;
	return git_oid_equal(git_tree_entry_id(a), git_tree_entry_id(b));
}

/* The subtree an entry names; NULL when absent or not a folder. */
static int subtree(git_repository *g, const git_tree_entry *e, git_tree **out)
{
	*out = NULL;
	if (!e || git_tree_entry_type(e) != GIT_OBJECT_TREE)
		return 0;
	if (git_tree_lookup(out, g, git_tree_entry_id(e)) < 0)
		return git_fail(CB_EREPO, "reading a folder of the history");
	return 0;
}

/* Records that commit w->c changed case folder `slug` (and its case.md
 * when `in_case`). Commits come newest first. */
static void history_note(history_walk *w, const char *slug, int in_case)
{
	char *const *hit = bsearch(slug, w->slugs, w->n, sizeof(*w->slugs), cmp_slug);
	int64_t when = (int64_t)git_commit_author(w->c)->when.time;
	size_t i;

	if (!hit)
		return; /* a case that is no longer at main */
	i = (size_t)(hit - w->slugs);
	if (!w->seen[i]) {
		w->seen[i] = 1;
		w->out[i].updated = when;
	}
	if (in_case) {
		if (!w->out[i].head[0])
			git_oid_tostr(w->out[i].head, sizeof(w->out[i].head), git_commit_id(w->c));
		w->out[i].submitted = when;
	}
}

/* A merge: a folder counts only when it differs from every parent, as
 * cb_repo_case_log has it, so each case is held against each parent. */
static int history_merge(history_walk *w, const char *slug)
{
	char dir[CB_REPO_DIR_MAX], file[CB_REPO_PATH_MAX];
	int folder, in_case, rc;

	if ((rc = cb_repo_case_dir(slug, dir)) < 0 || (rc = case_path(slug, "case.md", file)) < 0 ||
	    (rc = path_changed(w->c, dir, &folder)) < 0)
		return rc;
	if (folder && (rc = path_changed(w->c, file, &in_case)) < 0)
		return rc;
	if (folder)
		history_note(w, slug, in_case);
	return 0;
}

typedef int (*folder_fn)(history_walk *w, const char *name, const git_tree_entry *ea,
			 const git_tree_entry *eb, int merge);

/* Calls fn for each folder of tree a or b (either may be NULL) whose id
 * differs between them, one absent counting as different, with its
 * entries on both sides (NULL where absent). */
static int each_changed_folder(history_walk *w, const git_tree *a, const git_tree *b, int merge,
			       folder_fn fn)
{
	for (int side = 0; side < 2; side++) {
		const git_tree *t = side ? a : b, *other = side ? b : a;
		size_t count = t ? git_tree_entrycount(t) : 0;

		for (size_t i = 0; i < count; i++) {
			const git_tree_entry *e = git_tree_entry_byindex(t, i), *o;
			int rc;

			if (git_tree_entry_type(e) != GIT_OBJECT_TREE)
				continue;
			o = entry_in(other, git_tree_entry_name(e));
			/* the second pass takes only what the first did not see:
			 * a folder gone, or become a file */
			if (side ? o && git_tree_entry_type(o) == GIT_OBJECT_TREE : same_entry(e, o))
				continue;
			if ((rc = fn(w, git_tree_entry_name(e), side ? e : o, side ? o : e, merge)) < 0)
				return rc;
		}
	}
	return 0;
}

/* A case folder that differs: note it, with whether case.md differs. A
 * folder that is not in its slug's shard is not a case (cb_repo_case_list
 * does not list it either). */
static int case_changed(history_walk *w, const char *slug, const git_tree_entry *ea,
			const git_tree_entry *eb, int merge)
{
	char dir[CB_REPO_DIR_MAX];
	git_tree *fa = NULL, *fb = NULL;
	int rc;

	if (cb_repo_slug_check(slug) < 0 || cb_repo_case_dir(slug, dir) < 0 ||
	    strncmp(dir, w->shard, 2) != 0 || dir[2] != '/') {
		cb_error_clear();
		return 0;
	}
	if (merge)
		return history_merge(w, slug);
	if ((rc = subtree(w->g, ea, &fa)) == 0 && (rc = subtree(w->g, eb, &fb)) == 0)
		history_note(w, slug, !same_entry(entry_in(fa, "case.md"), entry_in(fb, "case.md")));
	git_tree_free(fa);
	git_tree_free(fb);
	return rc;
}

/* A shard that differs: the case folders in it that do. */
static int shard_changed(history_walk *w, const char *name, const git_tree_entry *ea,
			 const git_tree_entry *eb, int merge)
{
	git_tree *sa = NULL, *sb = NULL;
	int rc;

	if (strlen(name) != 2 || !isxdigit((unsigned char)name[0]) ||
	    !isxdigit((unsigned char)name[1]) || isupper((unsigned char)name[0]) ||
	    isupper((unsigned char)name[1]))
		return 0; /* not a shard: nothing in it is a case */
	w->shard = name;
	if ((rc = subtree(w->g, ea, &sa)) == 0 && (rc = subtree(w->g, eb, &sb)) == 0)
		rc = each_changed_folder(w, sa, sb, merge, case_changed);
	git_tree_free(sa);
	git_tree_free(sb);
	return rc;
}

static int history_commit(history_walk *w)
{
	git_tree *mine = NULL, *theirs = NULL;
	git_commit *parent = NULL;
	unsigned parents = git_commit_parentcount(w->c);
	int rc;

	if (git_commit_tree(&mine, w->c) < 0)
		return git_fail(CB_EREPO, "reading a commit's tree");
	if (parents > 0 && (git_commit_parent(&parent, w->c, 0) < 0 ||
			    git_commit_tree(&theirs, parent) < 0)) {
		rc = git_fail(CB_EREPO, "reading a parent commit");
		goto done;
	}
	/* what differs from the first parent; a merge then checks those
	 * folders against its other parents too */
	rc = each_changed_folder(w, theirs, mine, parents > 1, shard_changed);
done:
	git_tree_free(theirs);
	git_commit_free(parent);
	git_tree_free(mine);
	return rc;
}

int cb_repo_case_histories(cb_repo *r, char *const *slugs, size_t n, cb_repo_case_history *out,
			   void (*progress)(size_t commits, void *ctx), void *ctx)
{
	history_walk w = {0};
	git_revwalk *walk = NULL;
	size_t commits = 0;
	git_oid oid;
	int rc = 0, err;

	memset(out, 0, n * sizeof(*out));
	if (n == 0)
		return 0;
	w.g = cb_repo_git(r);
	w.slugs = slugs;
	w.n = n;
	w.out = out;
	if (!(w.seen = calloc(n, 1)))
		return oom();
	if (git_revwalk_new(&walk, w.g) < 0 ||
	    git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME) < 0 ||
	    cb_repo_main_id(r, &oid) < 0 || git_revwalk_push(walk, &oid) < 0) {
		rc = git_fail(CB_EREPO, "walking branch main");
		goto done;
	}
	while ((err = git_revwalk_next(&oid, walk)) == 0) {
		if (git_commit_lookup(&w.c, w.g, &oid) < 0) {
			rc = git_fail(CB_EREPO, "reading a commit");
			goto done;
		}
		rc = history_commit(&w);
		git_commit_free(w.c);
		w.c = NULL;
		if (rc < 0)
			goto done;
		if (progress && (++commits & 255) == 0)
			progress(commits, ctx);
	}
	if (err != GIT_ITEROVER)
		rc = git_fail(CB_EREPO, "walking the history");
done:
	git_revwalk_free(walk);
	free(w.seen);
	return rc;
}

void cb_repo_commits_free(cb_repo_commit *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(list[i].author_name);
		free(list[i].author_email);
		free(list[i].message);
	}
	free(list);
}

int cb_repo_case_diff(cb_repo *r, const char *slug, const char *from, const char *to,
		      char **out)
{
	git_repository *g = cb_repo_git(r);
	char path[CB_REPO_PATH_MAX];
	git_commit *to_c = NULL, *from_c = NULL, *changed = NULL;
	git_blob *old_b = NULL, *new_b = NULL;
	git_patch *patch = NULL;
	git_buf text = GIT_BUF_INIT;
	git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
	int rc;

	*out = NULL;
	if ((rc = cb_repo_slug_check(slug)) < 0 || (rc = resolve_commit(r, to, &to_c)) < 0)
		return rc;
	if ((rc = case_path(slug, "case.md", path)) < 0)
		goto done;
	if (from) {
		if ((rc = resolve_commit(r, from, &from_c)) < 0)
			goto done;
	} else {
		/* the parent of the commit that made `to`'s version */
		if ((rc = last_change(g, to_c, path, &changed)) < 0)
			goto done;
		if (changed && git_commit_parentcount(changed) > 0 &&
		    git_commit_parent(&from_c, changed, 0) < 0) {
			rc = git_fail(CB_EREPO, "reading a parent commit");
			goto done;
		}
	}
	if ((rc = blob_at(g, to_c, path, &new_b)) < 0 ||
	    (from_c && (rc = blob_at(g, from_c, path, &old_b)) < 0))
		goto done;
	if (!old_b && !new_b) {
		rc = cb_error_set(CB_ENOTFOUND, "case '%s' does not exist at revision %s%s%s", slug,
				  from ? from : "", from ? " or " : "", to ? to : "HEAD");
		goto done;
	}
	opts.flags = GIT_DIFF_FORCE_TEXT;
	if (git_patch_from_blobs(&patch, old_b, path, new_b, path, &opts) < 0 ||
	    git_patch_to_buf(&text, patch) < 0) {
		rc = git_fail(CB_EREPO, "comparing %s", path);
		goto done;
	}
	if (!(*out = strdup(git_patch_num_hunks(patch) ? (text.ptr ? text.ptr : "") : ""))) {
		rc = oom();
		goto done;
	}
	rc = 0;
done:
	git_buf_dispose(&text);
	git_patch_free(patch);
	git_blob_free(old_b);
	git_blob_free(new_b);
	git_commit_free(changed);
	git_commit_free(from_c);
	git_commit_free(to_c);
	return rc;
}

static int slug_order(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int cb_repo_case_list(cb_repo *r, char ***slugs, size_t *n)
{
	git_repository *g = cb_repo_git(r);
	git_commit *head = NULL;
	git_tree *tree = NULL;
	char **list = NULL;
	size_t count = 0, entries;
	int rc;

	*slugs = NULL;
	*n = 0;
	if ((rc = main_commit(r, &head)) < 0)
		return rc;
	if (git_commit_tree(&tree, head) < 0) {
		rc = git_fail(CB_EREPO, "reading branch main");
		goto done;
	}
	/* SHARD/SLUG/case.md: shards are two hex digits, folders inside them
	 * are cases when their name is a slug whose shard this is and they
	 * hold a case.md. Anything else is not ours to judge. */
	entries = git_tree_entrycount(tree);
	for (size_t i = 0; i < entries; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		const char *shard = git_tree_entry_name(e);
		git_tree *sub = NULL;
		size_t m;

		if (git_tree_entry_type(e) != GIT_OBJECT_TREE || strlen(shard) != 2 ||
		    !isxdigit((unsigned char)shard[0]) || !isxdigit((unsigned char)shard[1]))
			continue;
		if (git_tree_lookup(&sub, g, git_tree_entry_id(e)) < 0) {
			rc = git_fail(CB_EREPO, "reading folder %s", shard);
			goto done;
		}
		m = git_tree_entrycount(sub);
		for (size_t k = 0; k < m && rc == 0; k++) {
			const git_tree_entry *f = git_tree_entry_byindex(sub, k);
			const char *name = git_tree_entry_name(f);
			char dir[CB_REPO_DIR_MAX], path[CB_REPO_PATH_MAX];
			git_oid id;
			int found;

			if (git_tree_entry_type(f) != GIT_OBJECT_TREE || strlen(name) > CB_REPO_SLUG_MAX)
				continue;
			if (cb_repo_slug_check(name) < 0) {
				cb_error_clear();
				continue;
			}
			if ((rc = cb_repo_case_dir(name, dir)) < 0)
				break;
			if (strncmp(dir, shard, 2) != 0)
				continue;
			snprintf(path, sizeof(path), "%s/case.md", dir);
			if ((rc = path_id(head, path, &id, &found)) < 0 || !found)
				continue;
			{
				char **grown = realloc(list, (count + 1) * sizeof(*list));

				if (!grown || !(grown[count] = strdup(name))) {
					if (grown)
						list = grown;
					rc = oom();
					break;
				}
				list = grown;
				count++;
			}
		}
		git_tree_free(sub);
		if (rc < 0)
			goto done;
	}
	if (count)
		qsort(list, count, sizeof(*list), slug_order);
	rc = 0;
done:
	git_tree_free(tree);
	git_commit_free(head);
	if (rc < 0) {
		cb_repo_slugs_free(list, count);
	} else {
		*slugs = list;
		*n = count;
	}
	return rc;
}

void cb_repo_slugs_free(char **slugs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(slugs[i]);
	free(slugs);
}
