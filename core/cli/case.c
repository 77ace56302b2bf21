/*
 * casebook case: case studies. A technician writes one from `case new`,
 * submits and revises it; reviewers approve it or ask for changes; an
 * approved case is published. Show, log, diff and list read it back, with
 * every claim held against the customer's data; sync shares the repository.
 */
#include "cli/cli.h"
#include "view/records.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/case.h"
#include "base/buf.h"
#include "base/date.h"
#include "base/error.h"
#include "cli/progress.h"

/* Option codes beyond the common ones. */
enum {
	OPT_TECHNICIAN = 0x2101,
	OPT_ACCOUNT,
	OPT_SESSION,
	OPT_OUT,
	OPT_SLUG,
	OPT_MESSAGE,
	OPT_REVIEWER,
	OPT_DECISION,
	OPT_COMMENT,
	OPT_BY,
	OPT_REV,
	OPT_STATUS,
	OPT_KPI,
	OPT_REMEMBER,
	OPT_ALLOW_UNCOVERED,
	OPT_DESPITE,
};

static json_t *strings_json(char *const *items, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(items[i]));
	return a;
}

static void window_text(int32_t from, int32_t to, char out[32])
{
	char f[CB_DATE_LEN], t[CB_DATE_LEN];

	cb_date_format(from, f);
	cb_date_format(to - 1, t);
	snprintf(out, 32, "%s..%s", f, t);
}

/* One claim with its evidence, as show and review print it. */
static json_t *claim_json(const cb_case_claim *c, const cb_case_evidence *e)
{
	char period[32], before[32], after[32];

	window_text(c->from, c->to + 1, period);
	window_text(e->before_from, e->before_to, before);
	window_text(e->after_from, e->after_to, after);
	return json_pack("{s:s, s:f, s:f, s:s, s:o, s:s, s:s, s:o, s:o, s:{s:o, s:o}, s:{s:o, s:o}, "
			 "s:{s:I, s:I}, s:o, s:o, s:s, s:s}",
			 "kpi", c->kpi, "before", c->before, "after", c->after, "period", period,
			 "note", cb_cli_json_str(c->note), "before_window", before, "after_window",
			 after, "measured_before", cb_cli_json_number(e->measured_before),
			 "measured_after", cb_cli_json_number(e->measured_after), "before_interval", "low",
			 cb_cli_json_number(e->before_ci.low), "high", cb_cli_json_number(e->before_ci.high),
			 "after_interval", "low", cb_cli_json_number(e->after_ci.low), "high",
			 cb_cli_json_number(e->after_ci.high), "observations", "before",
			 (json_int_t)e->before_obs, "after", (json_int_t)e->after_obs,
			 "claimed_change", cb_cli_json_number(c->after - c->before), "measured_change",
			 cb_cli_json_number(e->measured_change), "evidence",
			 cb_case_verdict_name(e->verdict), "reason", e->reason);
}

static json_t *evidence_json(const cb_case_doc *d, const cb_case_evidence *ev)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < d->n_claims; i++)
		json_array_append_new(a, claim_json(&d->claims[i], &ev[i]));
	return a;
}

/* The evidence as lines of text: "KPI before -> after (PERIOD): VERDICT: REASON". */
static void print_evidence(cb_cli *cli, const cb_case_doc *d, const cb_case_evidence *ev)
{
	if (!d->n_claims) {
		fputs("\nevidence: no claims to check\n", cli->out);
		return;
	}
	fputs("\nevidence (each claim against the customer's data):\n", cli->out);
	for (size_t i = 0; i < d->n_claims; i++) {
		const cb_case_claim *c = &d->claims[i];
		char period[32], b[32], a[32];

		window_text(c->from, c->to + 1, period);
		cb_frontmatter_number_format(c->before, b);
		cb_frontmatter_number_format(c->after, a);
		fprintf(cli->out, "  %s %s -> %s (%s): %s: %s\n", c->kpi, b, a, period,
			cb_case_verdict_name(ev[i].verdict), ev[i].reason);
	}
}

/* Repeatable options that also take comma-separated lists. */
typedef struct key_list {
	char **items;
	size_t n;
} key_list;

static void key_list_free(key_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	*l = (key_list){0};
}

static int key_list_add(key_list *l, const char *text)
{
	const char *p = text;

	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char **grown;

		if (!len)
			return cb_error_set(CB_EUSAGE, "--session '%s' has an empty item", text);
		if (!(grown = realloc(l->items, (l->n + 1) * sizeof(*grown))))
			return cb_error_set(CB_ENOMEM, "out of memory");
		l->items = grown;
		if (!(grown[l->n] = strndup(p, len)))
			return cb_error_set(CB_ENOMEM, "out of memory");
		l->n++;
		if (!end)
			return 0;
		p = end + 1;
	}
}

/* ------------------------------------------------------------------ */

static const char new_help[] =
	"usage: casebook case new [--technician PERSON] [--account ACCOUNT] [--session SESSION]...\n"
	"                         [--out FILE] [--json]\n"
	"\n"
	"Writes a filled-in case study to FILE (never over an existing file) or to\n"
	"stdout: the front matter of casestudies/FORMAT.md in its canonical form,\n"
	"with the keys given (checked against the workspace) or placeholders, an\n"
	"example claim, and guidance in HTML comments in each section. Edit it,\n"
	"then 'casebook case submit FILE'. --session may repeat or list keys\n"
	"separated by commas. Until it is submitted, a case is a draft: a file.\n";

static int write_new_file(const char *path, const cb_buf *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
	ssize_t n;

	if (fd < 0)
		return cb_error_set(errno == EEXIST ? CB_EEXISTS : CB_EIO,
				    errno == EEXIST ? "%s already exists; case new does not overwrite files (%s)"
						    : "cannot create %s: %s",
				    path, errno == EEXIST ? "pick another --out" : strerror(errno));
	n = write(fd, text->ptr, text->len);
	if (n < 0 || (size_t)n != text->len || close(fd) != 0) {
		int e = errno;

		if (n >= 0)
			close(fd);
		unlink(path);
		return cb_error_set(CB_EIO, "cannot write %s: %s", path, strerror(e));
	}
	return 0;
}

static int case_new(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"technician", required_argument, NULL, OPT_TECHNICIAN},
		{"account", required_argument, NULL, OPT_ACCOUNT},
		{"session", required_argument, NULL, OPT_SESSION},
		{"out", required_argument, NULL, OPT_OUT},
		CB_CLI_COMMON_OPTIONS,
		{0},
	};
	cb_case_template t = {0};
	key_list sessions = {0};
	cb_workspace *ws = NULL;
	cb_buf text = CB_BUF_INIT;
	const char *out = NULL;
	int c, rc;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'h':
			key_list_free(&sessions);
			return cb_cli_help(cli, new_help);
		case OPT_TECHNICIAN:
			t.technician = optarg;
			break;
		case OPT_ACCOUNT:
			t.account = optarg;
			break;
		case OPT_SESSION:
			if (key_list_add(&sessions, optarg) < 0) {
				key_list_free(&sessions);
				return cb_cli_fail(cli);
			}
			break;
		case OPT_OUT:
			out = optarg;
			break;
		default:
			key_list_free(&sessions);
			return cb_cli_bad_option(cli, new_help, argc, argv);
		}
	}
	if (optind < argc) {
		key_list_free(&sessions);
		return cb_cli_usage(cli, new_help, "case new takes no arguments");
	}
	t.sessions = (const char *const *)sessions.items;
	t.n_sessions = sessions.n;
	/* Keys given are checked against the workspace; without keys none is
	 * needed. */
	if ((t.technician || t.account || t.n_sessions) && cb_cli_open(cli, 1, &ws) < 0) {
		rc = cb_cli_fail(cli);
		goto done;
	}
	if (cb_app_case_template(ws, &t, &text) < 0 || (out && write_new_file(out, &text) < 0)) {
		rc = cb_cli_fail(cli);
		goto done;
	}
	if (out)
		rc = cb_cli_done(cli, json_pack("{s:s}", "file", out),
				 "wrote a new case study to %s; edit it, then 'casebook case submit %s'",
				 out, out);
	else if (cli->mode == CB_OUTPUT_JSON)
		rc = cb_cli_emit(cli, json_pack("{s:s}", "text", cb_buf_cstr(&text)));
	else
		rc = fputs(cb_buf_cstr(&text), cli->out) < 0 ? CB_EXIT_FAILED : CB_EXIT_OK;
done:
	cb_buf_free(&text);
	key_list_free(&sessions);
	cb_workspace_close(ws);
	return rc;
}

/* ------------------------------------------------------------------ */

static json_t *written_json(const cb_case_written *w)
{
	return json_pack("{s:s, s:s, s:s}", "slug", w->slug, "status", w->status, "commit",
			 w->commit);
}

static const char submit_help[] =
	"usage: casebook case submit FILE|FOLDER... [--slug SLUG] [--message TEXT]\n"
	"                            [--allow-uncovered] [--json]\n"
	"\n"
	"Submits a case study ('-' reads stdin) as SHARD/SLUG/case.md in the\n"
	"workspace's case-study repository, authored by the case's technician\n"
	"(their name and email; KEY@casebook.invalid when they have none), and\n"
	"indexes it with the status submitted. It is checked first: the front\n"
	"matter (FORMAT.md), a known technician holding the technician role, a\n"
	"known account and sessions, claims of KPIs the plugins know, not the\n"
	"unedited template of 'case new' (its placeholder title, sections holding\n"
	"only its guidance, its example claim), an account the technician covered\n"
	"or a cited session reached (--allow-uncovered submits one anyway, and the\n"
	"commit says so), and the plugins' case.submit hooks. The text is\n"
	"committed in the canonical form.\n"
	"SLUG defaults to the title in lower case with '-' for blanks (a-z, 0-9,\n"
	"'-'; at most 64 bytes). Nothing is written when anything is refused.\n"
	"\n"
	"A FOLDER stands for its *.md files (not hidden ones), in name order.\n"
	"Several FILEs (a folder of case studies to take in) go in together,\n"
	"each slug from its title and each its own commit by its technician:\n"
	"all of them or, when one is refused, none. Their commits are written\n"
	"as one pack and main moves once. --slug and '-' take one FILE. With\n"
	"--json, one FILE prints an object, several an array.\n";

/* The message when case `slug` of files[i] is refused as existing: when
 * an earlier file of the same call took the slug, say so. */
static int duplicate_slug(char **files, char (*slugs)[CB_REPO_SLUG_MAX + 1], size_t i,
			  const char *slug)
{
	for (size_t k = 0; k < i; k++)
		if (strcmp(slugs[k], slug) == 0)
			return cb_error_set(CB_EEXISTS,
					    "%s and %s would both be case '%s'; give one another title",
					    files[k], files[i], slug);
	return CB_EEXISTS;
}

static int print_written(cb_cli *cli, const cb_case_written *w, json_t *out)
{
	if (cli->mode == CB_OUTPUT_JSON)
		return json_array_append_new(out, written_json(w)) < 0
			       ? cb_error_set(CB_ENOMEM, "out of memory")
			       : 0;
	if (cli->mode == CB_OUTPUT_TEXT)
		fprintf(cli->out, "submitted case %s (commit %.12s)\n", w->slug, w->commit);
	return 0;
}

/* Submits files[0..n-1]. Several go as one batch (cb_app_case_batch_begin):
 * all or nothing, and what is printed is printed once all are in. */
static int submit_files(cb_cli *cli, cb_workspace *ws, char **files, size_t n, const char *slug,
			const char *message, int allow_uncovered, json_t *out)
{
	char (*slugs)[CB_REPO_SLUG_MAX + 1];
	cb_case_written *w;
	cb_progress bar;
	int rc = 0;

	slugs = calloc(n, sizeof(*slugs));
	w = calloc(n, sizeof(*w));
	if (!slugs || !w) {
		rc = cb_error_set(CB_ENOMEM, "out of memory");
		goto done;
	}
	if (n > 1 && (rc = cb_app_case_batch_begin(ws)) < 0)
		goto done;
	cb_progress_start(&bar, "submitting");
	for (size_t i = 0; i < n && rc == 0; i++) {
		const char *name = strcmp(files[i], "-") == 0 ? "<stdin>" : files[i];
		char *text;
		size_t len;

		if ((rc = cb_app_case_read_file(files[i], &text, &len)) < 0)
			break;
		rc = cb_app_case_submit(ws, name, text, len, slug, message, allow_uncovered, &w[i]);
		free(text);
		if (rc == CB_EEXISTS && n > 1)
			rc = duplicate_slug(files, slugs, i, w[i].slug);
		memcpy(slugs[i], w[i].slug, sizeof(slugs[i]));
		cb_progress_update(&bar, (double)(i + 1), (double)n, "cases");
	}
	cb_progress_finish(&bar);
	if (n > 1) {
		if (rc < 0) {
			cb_app_case_batch_abort(ws);
			cb_error_prefix("nothing was submitted");
			goto done;
		}
		if ((rc = cb_app_case_batch_commit(ws, NULL)) < 0)
			goto done;
	}
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = print_written(cli, &w[i], out);
done:
	free(w);
	free(slugs);
	return rc;
}

/* A folder's case-study files: its *.md names, not hidden, sorted. */
static int md_file(const struct dirent *e)
{
	size_t len = strlen(e->d_name);

	return e->d_name[0] != '.' && len > 3 && strcmp(e->d_name + len - 3, ".md") == 0;
}

typedef struct file_list {
	char **files;
	size_t n, cap;
	int folders; /* how many arguments were folders */
} file_list;

static int list_add(file_list *l, char *path)
{
	if (cb_array_reserve(&l->files, &l->cap, l->n, sizeof(*l->files), 16) < 0) {
		free(path);
		return CB_ENOMEM;
	}
	l->files[l->n++] = path;
	return 0;
}

static void list_free(file_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->files[i]);
	free(l->files);
}

/* The FILE arguments with each folder replaced by its *.md files. */
static int expand_files(char **args, size_t n, file_list *l)
{
	for (size_t i = 0; i < n; i++) {
		struct dirent **names = NULL;
		struct stat st;
		int count, rc = 0;

		if (strcmp(args[i], "-") == 0 || stat(args[i], &st) != 0 || !S_ISDIR(st.st_mode)) {
			char *copy = strdup(args[i]);

			if (!copy)
				return cb_error_set(CB_ENOMEM, "out of memory");
			if ((rc = list_add(l, copy)) < 0)
				return rc;
			continue; /* a missing file is reported when it is read */
		}
		l->folders++;
		if ((count = scandir(args[i], &names, md_file, alphasort)) < 0)
			return cb_error_set(CB_EIO, "cannot read the folder %s: %s", args[i],
					    strerror(errno));
		if (count == 0)
			rc = cb_error_set(CB_EINVALID, "the folder %s holds no .md file", args[i]);
		for (int k = 0; k < count; k++) {
			size_t len = strlen(args[i]);
			char *path = rc == 0 ? malloc(len + strlen(names[k]->d_name) + 2) : NULL;

			if (rc == 0 && !path)
				rc = cb_error_set(CB_ENOMEM, "out of memory");
			if (rc == 0) {
				struct stat fst;

				sprintf(path, "%s%s%s", args[i], len && args[i][len - 1] == '/' ? "" : "/",
					names[k]->d_name);
				/* regular files only (a FIFO named x.md would block) */
				if (stat(path, &fst) == 0 && !S_ISREG(fst.st_mode))
					free(path);
				else
					rc = list_add(l, path);
			}
			free(names[k]);
		}
		free(names);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int case_submit(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"slug", required_argument, NULL, OPT_SLUG},
		{"message", required_argument, NULL, OPT_MESSAGE},
		{"allow-uncovered", no_argument, NULL, OPT_ALLOW_UNCOVERED},
		CB_CLI_COMMON_OPTIONS,
		{0},
	};
	const char *slug = NULL, *message = NULL;
	file_list files = {0};
	cb_workspace *ws;
	json_t *out;
	size_t n;
	int c, rc, allow_uncovered = 0;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		if (c == 'h')
			return cb_cli_help(cli, submit_help);
		if (c == OPT_SLUG)
			slug = optarg;
		else if (c == OPT_MESSAGE)
			message = optarg;
		else if (c == OPT_ALLOW_UNCOVERED)
			allow_uncovered = 1;
		else
			return cb_cli_bad_option(cli, submit_help, argc, argv);
	}
	if (argc - optind < 1)
		return cb_cli_usage(cli, submit_help, "case submit takes one FILE or more");
	if (cli->mode == CB_OUTPUT_CSV)
		return cb_cli_usage(cli, submit_help, "case submit has no --csv");
	n = (size_t)(argc - optind);
	for (size_t i = 0; n > 1 && i < n; i++)
		if (strcmp(argv[optind + (int)i], "-") == 0)
			return cb_cli_usage(cli, submit_help, "'-' (stdin) takes one FILE");
	if (n > 1 && slug)
		return cb_cli_usage(cli, submit_help,
				    "--slug names one case; several FILEs take their slugs from their titles");
	if (expand_files(argv + optind, n, &files) < 0) {
		list_free(&files);
		return cb_cli_fail(cli);
	}
	if (files.folders && slug) {
		list_free(&files);
		return cb_cli_usage(cli, submit_help,
				    "--slug names one case; the cases of a folder take their slugs from their titles");
	}
	if (cb_cli_open(cli, 0, &ws) < 0) {
		list_free(&files);
		return cb_cli_fail(cli);
	}
	if (!(out = json_array())) {
		cb_workspace_close(ws);
		list_free(&files);
		return cb_cli_fail(cli);
	}
	rc = submit_files(cli, ws, files.files, files.n, slug, message, allow_uncovered, out);
	cb_workspace_close(ws);
	list_free(&files);
	if (rc < 0) {
		json_decref(out);
		return cb_cli_fail(cli);
	}
	if (cli->mode != CB_OUTPUT_JSON) {
		json_decref(out);
		return CB_EXIT_OK;
	}
	if (n == 1 && !files.folders) {
		json_t *one = json_incref(json_array_get(out, 0));

		json_decref(out);
		out = one;
	}
	return cb_cli_emit(cli, out);
}

static const char revise_help[] =
	"usage: casebook case revise SLUG FILE [--message TEXT] [--allow-uncovered] [--json]\n"
	"\n"
	"Adds a revision of case SLUG from FILE ('-' reads stdin), checked as in\n"
	"submit and committed by the case's technician. The case goes back to\n"
	"submitted (after changes were requested, or an approval of the old\n"
	"text); a published, rejected or withdrawn case is final.\n"
	"--allow-uncovered: as for case submit.\n";

static int case_revise(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"message", required_argument, NULL, OPT_MESSAGE},
		{"allow-uncovered", no_argument, NULL, OPT_ALLOW_UNCOVERED},
		CB_CLI_COMMON_OPTIONS,
		{0},
	};
	const char *message = NULL, *file;
	cb_case_written w;
	cb_workspace *ws;
	char *text;
	size_t len;
	int c, rc, allow_uncovered = 0;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		if (c == 'h')
			return cb_cli_help(cli, revise_help);
		if (c == OPT_MESSAGE)
			message = optarg;
		else if (c == OPT_ALLOW_UNCOVERED)
			allow_uncovered = 1;
		else
			return cb_cli_bad_option(cli, revise_help, argc, argv);
	}
	if (argc - optind != 2)
		return cb_cli_usage(cli, revise_help, "case revise takes a SLUG and a FILE");
	file = argv[optind + 1];
	if (cb_repo_slug_check(argv[optind]) < 0)
		return cb_cli_fail(cli);
	if (cb_app_case_read_file(file, &text, &len) < 0)
		return cb_cli_fail(cli);
	if (cb_cli_open(cli, 0, &ws) < 0) {
		free(text);
		return cb_cli_fail(cli);
	}
	if (cb_app_case_revise(ws, argv[optind], strcmp(file, "-") == 0 ? "<stdin>" : file, text,
			       len, message, allow_uncovered, &w) < 0)
		rc = cb_cli_fail(cli);
	else
		rc = cb_cli_done(cli, written_json(&w), "revised case %s (commit %.12s); status %s",
				 w.slug, w.commit, w.status);
	free(text);
	cb_workspace_close(ws);
	return rc;
}

/* Prints the result of a decision with the evidence of the case's text. */
static int decision_done(cb_cli *cli, cb_workspace *ws, const cb_case_written *w,
			 const char *verb)
{
	cb_case_view v;
	cb_case_evidence *ev = NULL;
	json_t *obj;
	int rc;

	if (cb_app_case_show(ws, w->slug, NULL, &v) < 0)
		return cb_cli_fail(cli);
	if (cb_app_case_evidence(ws, &v.doc, &ev) < 0) {
		cb_case_view_clear(&v);
		return cb_cli_fail(cli);
	}
	if (cli->mode == CB_OUTPUT_JSON) {
		obj = json_pack("{s:s, s:s, s:s, s:s, s:o}", "slug", w->slug, "decision",
				w->decision, "status", w->status, "commit", w->commit, "evidence",
				evidence_json(&v.doc, ev));
		rc = cb_cli_emit(cli, obj);
	} else {
		rc = cb_cli_done(cli, NULL, "%s case %s (commit %.12s); status %s", verb, w->slug,
				 w->commit, w->status);
		print_evidence(cli, &v.doc, ev);
	}
	free(ev);
	cb_case_view_clear(&v);
	return rc;
}

static const char review_help[] =
	"usage: casebook case review SLUG --reviewer PERSON --decision approve|changes|reject\n"
	"                            [--comment TEXT] [--despite-evidence REASON] [--json]\n"
	"\n"
	"Records a review decision: approve (status approved) or changes (status\n"
	"changes-requested; --comment says what to change) on a submitted case,\n"
	"or reject (status rejected, final; --comment says why) on any case not\n"
	"yet final. The reviewer is the trainer of a session the case cites or a\n"
	"consultant, never the case's technician.\n"
	"\n"
	"Approving holds the claims against the customer's data first: a claim\n"
	"the data contradicts refuses the approval, unless --despite-evidence\n"
	"gives the reason to approve it anyway; the reason leads the review's\n"
	"comment (\"Despite the evidence: REASON\") and the report shows it.\n"
	"\n"
	"The decision is one commit authored by the reviewer that appends a line\n"
	"to SHARD/SLUG/reviews.log. Prints the evidence check of the claims.\n";

static int case_review(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"reviewer", required_argument, NULL, OPT_REVIEWER},
		{"decision", required_argument, NULL, OPT_DECISION},
		{"comment", required_argument, NULL, OPT_COMMENT},
		{"despite-evidence", required_argument, NULL, OPT_DESPITE},
		CB_CLI_COMMON_OPTIONS,
		{0},
	};
	cb_case_decision d = {0};
	cb_case_written w;
	cb_workspace *ws;
	const char *verb;
	int c, rc;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'h':
			return cb_cli_help(cli, review_help);
		case OPT_REVIEWER:
			d.reviewer = optarg;
			break;
		case OPT_DECISION:
			d.decision = optarg;
			break;
		case OPT_COMMENT:
			d.comment = optarg;
			break;
		case OPT_DESPITE:
			d.despite_evidence = optarg;
			break;
		default:
			return cb_cli_bad_option(cli, review_help, argc, argv);
		}
	}
	if (argc - optind != 1)
		return cb_cli_usage(cli, review_help, "case review takes one SLUG");
	if (!d.reviewer || !d.decision)
		return cb_cli_usage(cli, review_help, "case review needs --reviewer and --decision");
	if (strcmp(d.decision, "approve") == 0)
		verb = d.despite_evidence ? "approved, despite the evidence," : "approved";
	else if (strcmp(d.decision, "changes") == 0)
		verb = "requested changes on";
	else if (strcmp(d.decision, "reject") == 0)
		verb = "rejected";
	else
		return cb_cli_usage(cli, review_help, "--decision must be approve, changes or reject");
	if (d.despite_evidence && verb[0] != 'a')
		return cb_cli_usage(cli, review_help,
				    "--despite-evidence goes with --decision approve only");
	if (cli->mode == CB_OUTPUT_CSV)
		return cb_cli_usage(cli, review_help, "case review has no --csv; use --json");
	if (cb_cli_open(cli, 0, &ws) < 0)
		return cb_cli_fail(cli);
	if (cb_app_case_review(ws, argv[optind], &d, &w) < 0)
		rc = cb_cli_fail(cli);
	else
		rc = decision_done(cli, ws, &w, verb);
	cb_workspace_close(ws);
	return rc;
}

static const char withdraw_help[] =
	"usage: casebook case withdraw SLUG [--by PERSON] [--reason TEXT] [--json]\n"
	"\n"
	"Withdraws a case that is not yet final: status withdrawn, which is final\n"
	"(no revision, review or publication follows). Only the case's technician\n"
	"can (--by, default: the technician the case names); a reviewer ends a case\n"
	"with 'case review SLUG --decision reject'. One commit authored by the\n"
	"technician appends 'withdrawn' to SHARD/SLUG/reviews.log, with the reason.\n";

static int case_withdraw(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"by", required_argument, NULL, OPT_BY},
		{"reason", required_argument, NULL, OPT_COMMENT},
		CB_CLI_COMMON_OPTIONS,
		{0},
	};
	const char *by = NULL, *reason = NULL;
	cb_case_written w;
	cb_workspace *ws;
	int c, rc;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		if (c == 'h')
			return cb_cli_help(cli, withdraw_help);
		if (c == OPT_BY)
			by = optarg;
		else if (c == OPT_COMMENT)
			reason = optarg;
		else
			return cb_cli_bad_option(cli, withdraw_help, argc, argv);
	}
	if (argc - optind != 1)
		return cb_cli_usage(cli, withdraw_help, "case withdraw takes one SLUG");
	if (cli->mode == CB_OUTPUT_CSV)
		return cb_cli_usage(cli, withdraw_help, "case withdraw has no --csv; use --json");
	if (cb_cli_open(cli, 0, &ws) < 0)
		return cb_cli_fail(cli);
	if (cb_app_case_withdraw(ws, argv[optind], by, reason, &w) < 0)
		rc = cb_cli_fail(cli);
	else
		rc = cb_cli_done(cli, written_json(&w), "withdrew case %s (commit %.12s); status %s",
				 w.slug, w.commit, w.status);
	cb_workspace_close(ws);
	return rc;
}

static const char publish_help[] =
	"usage: casebook case publish SLUG [--by PERSON] [--json]\n"
	"\n"
	"Publishes an approved case: a review decision 'published' by PERSON (the\n"
	"trainer of a session the case cites or a consultant, not its technician;\n"
	"default: the reviewer who approved it), one commit appending to\n"
	"SHARD/SLUG/reviews.log. A published case is final.\n";

static int case_publish(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"by", required_argument, NULL, OPT_BY},
		CB_CLI_COMMON_OPTIONS,
		{0},
	};
	const char *by = NULL;
	cb_case_written w;
	cb_workspace *ws;
	int c, rc;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		if (c == 'h')
			return cb_cli_help(cli, publish_help);
		if (c == OPT_BY)
			by = optarg;
		else
			return cb_cli_bad_option(cli, publish_help, argc, argv);
	}
	if (argc - optind != 1)
		return cb_cli_usage(cli, publish_help, "case publish takes one SLUG");
	if (cb_cli_open(cli, 0, &ws) < 0)
		return cb_cli_fail(cli);
	if (cb_app_case_publish(ws, argv[optind], by, &w) < 0)
		rc = cb_cli_fail(cli);
	else
		rc = cb_cli_done(cli, written_json(&w), "published case %s (commit %.12s)", w.slug,
				 w.commit);
	cb_workspace_close(ws);
	return rc;
}

/* ------------------------------------------------------------------ */

static json_t *reviews_json(const cb_repo_review *rv, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++) {
		char at[CB_DATETIME_LEN];

		cb_datetime_format(rv[i].time, at);
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "at", at,
						   "decision", rv[i].decision, "reviewer",
						   rv[i].name, "email", rv[i].email, "revision",
						   rv[i].revision, "comment", rv[i].comment));
	}
	return a;
}

static json_t *sections_json(const cb_case_doc *d)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < d->n_extra; i++)
		json_array_append_new(a, json_pack("{s:s, s:s}", "heading", d->extra[i].heading,
						   "text", d->extra[i].text));
	return a;
}

static const char show_help[] =
	"usage: casebook case show SLUG [--rev REV] [--json]\n"
	"\n"
	"Shows a case study as the repository holds it at revision REV (default:\n"
	"the latest; any git revision, e.g. a commit id or HEAD~1): its front\n"
	"matter, workflow status, review decisions, text, and the evidence check\n"
	"of each claim: the claim's KPI measured by its plugin over the 90 days\n"
	"before the claim's period and over the period's last 90 days (both the\n"
	"period's length when shorter); 'agrees' when the measured change is\n"
	"within 25% of the claimed change, 'disagrees' with the measured figures,\n"
	"or 'no data' with the plugin's reason. --json has every field.\n";

static int case_show(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"rev", required_argument, NULL, OPT_REV},
		CB_CLI_COMMON_OPTIONS,
		{0},
	};
	const char *rev = NULL;
	cb_case_evidence *ev = NULL;
	cb_workspace *ws;
	cb_case_view v;
	const cb_case_doc *d;
	json_t *obj;
	int c, rc;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		if (c == 'h')
			return cb_cli_help(cli, show_help);
		if (c == OPT_REV)
			rev = optarg;
		else
			return cb_cli_bad_option(cli, show_help, argc, argv);
	}
	if (argc - optind != 1)
		return cb_cli_usage(cli, show_help, "case show takes one SLUG");
	if (cli->mode == CB_OUTPUT_CSV)
		return cb_cli_usage(cli, show_help, "case show has no --csv; use --json");
	if (cb_cli_open(cli, 1, &ws) < 0)
		return cb_cli_fail(cli);
	if (cb_app_case_show(ws, argv[optind], rev, &v) < 0) {
		cb_workspace_close(ws);
		return cb_cli_fail(cli);
	}
	d = &v.doc;
	if (cb_app_case_evidence(ws, d, &ev) < 0) {
		rc = cb_cli_fail(cli);
		goto done;
	}
	obj = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:o, s:o}", "slug",
			argv[optind], "title", d->title, "technician", d->technician, "account",
			d->account, "status", v.indexed ? v.index.status : "not indexed", "head",
			v.indexed ? json_string(v.index.head) : json_null(), "revision",
			rev ? rev : "HEAD", "submitted_at",
			v.indexed ? json_string(v.index.submitted_at) : json_null(), "updated_at",
			v.indexed ? json_string(v.index.updated_at) : json_null(), "sessions",
			strings_json(d->sessions, d->n_sessions), "principles",
			strings_json(d->principles, d->n_principles));
	if (!obj) {
		cb_error_set(CB_ENOMEM, "out of memory");
		rc = cb_cli_fail(cli);
		goto done;
	}
	if (cli->mode == CB_OUTPUT_JSON) {
		json_object_set_new(obj, "claims", evidence_json(d, ev));
		json_object_set_new(obj, "reviews", reviews_json(v.reviews, v.n_reviews));
		json_object_set_new(obj, "preamble", cb_cli_json_str(d->preamble));
		json_object_set_new(obj, "situation", json_string(d->situation));
		json_object_set_new(obj, "actions", json_string(d->actions));
		json_object_set_new(obj, "outcome", json_string(d->outcome));
		json_object_set_new(obj, "sections", sections_json(d));
		rc = cb_cli_emit(cli, obj);
		goto done;
	}
	json_object_set_new(obj, "reviews", reviews_json(v.reviews, v.n_reviews));
	if ((rc = cb_cli_emit(cli, obj)) != CB_EXIT_OK)
		goto done;
	print_evidence(cli, d, ev);
	if (d->preamble)
		fprintf(cli->out, "\n%s\n", d->preamble);
	fprintf(cli->out, "\n## Situation\n\n%s\n\n## Actions\n\n%s\n\n## Outcome\n\n%s\n",
		d->situation, d->actions, d->outcome);
	for (size_t i = 0; i < d->n_extra; i++)
		fprintf(cli->out, "\n## %s\n\n%s\n", d->extra[i].heading, d->extra[i].text);
done:
	free(ev);
	cb_case_view_clear(&v);
	cb_workspace_close(ws);
	return rc;
}

static const char log_help[] =
	"usage: casebook case log SLUG [--json|--csv]\n"
	"\n"
	"Lists the commits that changed case SLUG, newest first: commit, author,\n"
	"email, at (UTC), what changed (revision, review, or both in a merge) and\n"
	"the commit's subject line.\n";

static int case_log(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {CB_CLI_COMMON_OPTIONS, {0}};
	cb_repo_commit *log = NULL;
	cb_workspace *ws;
	json_t *rows;
	size_t n = 0;
	int c;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		if (c == 'h')
			return cb_cli_help(cli, log_help);
		return cb_cli_bad_option(cli, log_help, argc, argv);
	}
	if (argc - optind != 1)
		return cb_cli_usage(cli, log_help, "case log takes one SLUG");
	if (cb_cli_open(cli, 1, &ws) < 0)
		return cb_cli_fail(cli);
	if (cb_app_case_log(ws, argv[optind], &log, &n) < 0) {
		cb_workspace_close(ws);
		return cb_cli_fail(cli);
	}
	cb_workspace_close(ws);
	rows = json_array();
	for (size_t i = 0; rows && i < n; i++) {
		char at[CB_DATETIME_LEN];
		const char *msg = log[i].message, *nl = strchr(msg, '\n');
		unsigned ch = log[i].changes;

		cb_datetime_format(log[i].time, at);
		json_array_append_new(
			rows, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s#}", "commit", log[i].id,
					"author", log[i].author_name, "email", log[i].author_email,
					"at", at, "change",
					ch == (CB_REPO_CHANGED_CASE | CB_REPO_CHANGED_REVIEWS)
						? "revision+review"
					: ch == CB_REPO_CHANGED_CASE ? "revision"
								      : "review",
					"subject", msg, nl ? (int)(nl - msg) : (int)strlen(msg)));
	}
	cb_repo_commits_free(log, n);
	return cb_cli_emit(cli, rows);
}

static const char diff_help[] =
	"usage: casebook case diff SLUG [REV1 [REV2]] [--json]\n"
	"\n"
	"Prints a unified diff of the case's case.md (git's format) from REV1 to\n"
	"REV2. Without revisions: the latest revision's change; with REV1 only:\n"
	"from REV1 to the latest. Revisions are commit ids or any git revision.\n";

static int case_diff(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {CB_CLI_COMMON_OPTIONS, {0}};
	const char *from = NULL, *to = NULL;
	cb_workspace *ws;
	char *diff = NULL;
	int c, rc;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		if (c == 'h')
			return cb_cli_help(cli, diff_help);
		return cb_cli_bad_option(cli, diff_help, argc, argv);
	}
	if (argc - optind < 1 || argc - optind > 3)
		return cb_cli_usage(cli, diff_help, "case diff takes a SLUG and up to two revisions");
	if (cli->mode == CB_OUTPUT_CSV)
		return cb_cli_usage(cli, diff_help, "case diff has no --csv; use --json");
	if (argc - optind >= 2)
		from = argv[optind + 1];
	if (argc - optind == 3)
		to = argv[optind + 2];
	if (cb_cli_open(cli, 1, &ws) < 0)
		return cb_cli_fail(cli);
	rc = cb_app_case_diff(ws, argv[optind], from, to, &diff);
	cb_workspace_close(ws);
	if (rc < 0)
		return cb_cli_fail(cli);
	if (cli->mode == CB_OUTPUT_JSON)
		rc = cb_cli_emit(cli, json_pack("{s:s, s:o, s:o, s:s}", "slug", argv[optind],
						"from", cb_cli_json_str(from), "to",
						cb_cli_json_str(to), "diff", diff));
	else
		rc = fputs(diff, cli->out) < 0 ? CB_EXIT_FAILED : CB_EXIT_OK;
	free(diff);
	return rc;
}

typedef struct list_ctx {
	json_t *rows;
	int table; /* a table for people: the commit abbreviated, one time */
} list_ctx;

static int collect_case(const cb_case_index *c, void *ctx)
{
	list_ctx *l = ctx;
	json_t *kpis, *row;

	if (!l->table) {
		row = cb_view_case_json(c); /* the API's shape too */
		if (!row || json_array_append_new(l->rows, row) < 0)
			return cb_error_set(CB_ENOMEM, "out of memory");
		return 0;
	}
	kpis = json_array();
	for (size_t i = 0; kpis && i < c->n_claims; i++)
		json_array_append_new(kpis, json_string(c->claims[i].kpi));
	row = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:I, s:s, s:s%}", "slug",
				c->slug, "title", c->title, "technician", c->technician, "account",
				c->account, "status", c->status, "sessions",
				strings_json(c->sessions, c->n_sessions), "kpis", kpis, "reviews",
				(json_int_t)c->n_reviews, "updated_at", c->updated_at, "head", c->head,
				(size_t)12);
	if (!row || json_array_append_new(l->rows, row) < 0)
		return cb_error_set(CB_ENOMEM, "out of memory");
	return 0;
}

static const char list_help[] =
	"usage: casebook case list [--status STATUS] [--technician PERSON] [--account ACCOUNT]\n"
	"                          [--session SESSION] [--kpi KPI] [--json|--csv]\n"
	"\n"
	"Lists the indexed case studies in slug order: slug, title, technician,\n"
	"account, status (submitted, changes-requested, approved, published,\n"
	"rejected, withdrawn), sessions, the KPIs claimed, review decisions,\n"
	"submitted_at, updated_at and head (the commit of the latest revision).\n"
	"The table leaves out\n"
	"submitted_at and shortens head to 12 digits; --json and --csv have\n"
	"everything. The options keep the cases that match all of them.\n";

static int case_list(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"status", required_argument, NULL, OPT_STATUS},
		{"technician", required_argument, NULL, OPT_TECHNICIAN},
		{"account", required_argument, NULL, OPT_ACCOUNT},
		{"session", required_argument, NULL, OPT_SESSION},
		{"kpi", required_argument, NULL, OPT_KPI},
		CB_CLI_COMMON_OPTIONS,
		{0},
	};
	cb_case_filter f = {0};
	cb_workspace *ws;
	list_ctx l = {NULL, cli->mode == CB_OUTPUT_TEXT};
	int c;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'h':
			return cb_cli_help(cli, list_help);
		case OPT_STATUS:
			f.status = optarg;
			break;
		case OPT_TECHNICIAN:
			f.technician = optarg;
			break;
		case OPT_ACCOUNT:
			f.account = optarg;
			break;
		case OPT_SESSION:
			f.session = optarg;
			break;
		case OPT_KPI:
			f.kpi = optarg;
			break;
		default:
			return cb_cli_bad_option(cli, list_help, argc, argv);
		}
	}
	if (optind < argc)
		return cb_cli_usage(cli, list_help, "case list takes no arguments");
	if (cb_app_case_filter_check(&f) < 0)
		return cb_cli_fail(cli);
	if (cb_cli_open(cli, 1, &ws) < 0)
		return cb_cli_fail(cli);
	l.rows = json_array();
	if (!l.rows || cb_store_case_each(ws->store, &f, collect_case, &l) < 0) {
		json_decref(l.rows);
		cb_workspace_close(ws);
		return cb_cli_fail(cli);
	}
	cb_workspace_close(ws);
	return cb_cli_emit(cli, l.rows);
}

static const char sync_help[] =
	"usage: casebook case sync [REMOTE] [--remember] [--json]\n"
	"\n"
	"Exchanges the case-study repository with REMOTE (a bare git repository's\n"
	"path, or a URL): takes in its new commits (fast-forward, or a merge when\n"
	"both sides moved; review logs merge line by line), pushes ours, then\n"
	"reindexes the cases that changed. When both sides changed the same lines\n"
	"of a case, sync refuses, names the files and changes nothing on either\n"
	"side. Without REMOTE, the remote remembered in the workspace database\n"
	"(setting casebook.remote) is used; the first REMOTE given is remembered,\n"
	"and --remember replaces it.\n";

static int case_sync(cb_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"remember", no_argument, NULL, OPT_REMEMBER},
		CB_CLI_COMMON_OPTIONS,
		{0},
	};
	cb_case_sync_result res;
	cb_workspace *ws;
	int c, rc, remember = 0;

	while ((c = cb_cli_getopt(cli, argc, argv, "", opts)) != -1) {
		if (c == 'h')
			return cb_cli_help(cli, sync_help);
		if (c == OPT_REMEMBER)
			remember = 1;
		else
			return cb_cli_bad_option(cli, sync_help, argc, argv);
	}
	if (argc - optind > 1)
		return cb_cli_usage(cli, sync_help, "case sync takes at most one REMOTE");
	if (remember && argc - optind != 1)
		return cb_cli_usage(cli, sync_help, "--remember needs a REMOTE");
	if (cli->mode == CB_OUTPUT_CSV)
		return cb_cli_usage(cli, sync_help, "case sync has no --csv; use --json");
	if (cb_cli_open(cli, 0, &ws) < 0)
		return cb_cli_fail(cli);
	if (cb_app_case_sync(ws, optind < argc ? argv[optind] : NULL, remember, &res) < 0) {
		rc = cb_cli_fail(cli);
	} else {
		const cb_case_reindex_result *x = &res.reindex;

		cb_cli_warn_invalid_cases(cli, x);
		rc = cb_cli_done(cli,
				 json_pack("{s:s, s:b, s:b, s:b, s:s, s:b, s:I, s:I, s:I}", "remote",
					   res.remote, "pulled", res.repo.pulled, "merged",
					   res.repo.merged, "pushed", res.repo.pushed, "head",
					   res.repo.head, "remembered", res.remembered, "added",
					   (json_int_t)x->added, "updated", (json_int_t)x->updated,
					   "removed", (json_int_t)x->removed),
				 "synced with %s: %s, %s; index: %zu added, %zu updated, %zu removed",
				 res.remote,
				 res.repo.merged   ? "merged their commits"
				 : res.repo.pulled ? "took in their commits"
						   : "nothing new to take in",
				 res.repo.pushed ? "pushed ours" : "nothing to push", x->added,
				 x->updated, x->removed);
	}
	cb_case_sync_result_clear(&res);
	cb_workspace_close(ws);
	return rc;
}

static const cb_cli_verb case_verbs[] = {
	{"new", case_new, "write a filled-in case study to edit"},
	{"submit", case_submit, "check a case study and commit it for review"},
	{"revise", case_revise, "add a revision of a case"},
	{"review", case_review, "approve a case, ask for changes, or reject it"},
	{"publish", case_publish, "publish an approved case"},
	{"withdraw", case_withdraw, "withdraw your own case (final)"},
	{"show", case_show, "show a case with the evidence check of its claims"},
	{"log", case_log, "the history of a case"},
	{"diff", case_diff, "what changed between two revisions"},
	{"list", case_list, "list the case studies"},
	{"sync", case_sync, "exchange case studies with a shared git repository"},
	{NULL, NULL, NULL},
};

int cb_cli_case(cb_cli *cli, int argc, char **argv)
{
	return cb_cli_dispatch(cli, "case",
			       "Case studies: how technicians applied the training at a customer,\n"
			       "versioned in the workspace's git repository (cases/), reviewed, and\n"
			       "checked against the customer's KPIs. The workflow: new (a draft file)\n"
			       "-> submit -> review (changes -> revise -> review) -> approve -> publish;\n"
			       "a reviewer may reject a case and its technician withdraw it.\n",
			       case_verbs, argc, argv);
}
