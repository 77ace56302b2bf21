/* `casebook case` and `casebook reindex` end to end: the workflow through the
 * real binary on real workspaces, checked with the git and sqlite3 command
 * lines; refusals that leave both the repository and the database as they
 * were; a crash between the git commit and the database; the evidence
 * check on imported data; sync between two workspaces through a bare
 * remote. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

static char *ws;

/* A workspace plugin with simple KPIs whose values are worked out by hand:
 * t_mean is the mean of t.score; t_rare of a measure nobody records. */
static const char test_plugin[] =
	"casebook.api(1)\n"
	"casebook.measure { key = 't.score', unit = 'points', min = 0, max = 100, doc = 'a score' }\n"
	"casebook.kpi { key = 't_mean', name = 'Mean score', unit = 'points', better = 'higher',\n"
	"  inputs = { 't.score' }, doc = 'mean of the scores', compute = function(w)\n"
	"    local s = w['t.score']; if #s == 0 then return nil, 'no scores' end; return s:mean() end }\n"
	"casebook.measure { key = 't.rare', unit = 'x', doc = 'seldom recorded' }\n"
	"casebook.kpi { key = 't_rare', name = 'Rare', unit = 'x', better = 'higher',\n"
	"  inputs = { 't.rare' }, doc = 'mean', compute = function(w)\n"
	"    local s = w['t.rare']; if #s == 0 then return nil, 'nothing recorded' end; return s:mean() end }\n";

static cbt_run run_args(const char *dir, const char *const *a)
{
	cbt_run r;

	cbt_casebook(&r, dir, NULL, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9],
		     a[10], a[11], a[12], a[13], a[14], a[15], NULL);
	return r;
}

#define RUN(dir, ...) run_args(dir, (const char *const[16]){__VA_ARGS__})

static void ok_args(const char *dir, const char *const *a)
{
	cbt_run r = run_args(dir, a);

	ck_assert_msg(r.status == 0, "casebook %s %s %s exited %d: %s", a[0], a[1] ? a[1] : "",
		      a[1] && a[2] ? a[2] : "", r.status, r.err);
	cbt_run_free(&r);
}

#define OK(dir, ...) ok_args(dir, (const char *const[16]){__VA_ARGS__})

/* Commits on main of the workspace's case repository. */
static int git_count(const char *dir)
{
	int st;
	char *out = cbt_sh(&st, "git -C '%s/cases' log --oneline main | wc -l", dir);
	int n = atoi(out);

	ck_assert_int_eq(st, 0);
	free(out);
	return n;
}

/* Runs a command that must be refused with exit `status` and `message` on
 * stderr, leaving the database and the repository as they were. */
static void refused_args(const char *dir, int status, const char *message, const char *const *a)
{
	char *before = cbt_db_dump(dir), *after;
	int commits = git_count(dir);
	cbt_run r = run_args(dir, a);

	ck_assert_msg(r.status == status, "casebook %s %s: exit %d, not %d: %s%s", a[0], a[1],
		      r.status, status, r.out, r.err);
	ck_assert_msg(cbt_has(r.err, message), "casebook %s %s: expected '%s' in: %s", a[0], a[1],
		      message, r.err);
	ck_assert_msg(cbt_has(r.err, "casebook: error: "), "no error prefix: %s", r.err);
	after = cbt_db_dump(dir);
	ck_assert_msg(strcmp(before, after) == 0, "casebook %s %s changed the database", a[0], a[1]);
	ck_assert_int_eq(git_count(dir), commits);
	cbt_run_free(&r);
	free(before);
	free(after);
}

#define REFUSED(dir, status, message, ...)                                                  \
	refused_args(dir, status, message, (const char *const[16]){__VA_ARGS__})

/* The people, account, program and session every case here draws on. */
static void populate(const char *dir)
{
	char *p = cbt_write(dir, "plugins/t.lua", test_plugin);

	free(p);
	OK(dir, "person", "add", "jo", "--name", "Jo Tech", "--role", "technician", "--email",
	   "jo@service.example");
	OK(dir, "person", "add", "lee", "--name", "Lee Field", "--role", "technician");
	OK(dir, "person", "add", "ana", "--name", "Ana Martin", "--role", "trainer");
	OK(dir, "person", "add", "carl", "--name", "Carl Consultant", "--role", "consultant",
	   "--email", "carl@consult.example");
	OK(dir, "person", "add", "tess", "--name", "Tess Both", "--role", "technician,trainer");
	OK(dir, "account", "add", "nordmill", "--name", "Nordmill Paper AG");
	OK(dir, "account", "add", "brightwater", "--name", "Brightwater Foods");
	OK(dir, "program", "add", "tco", "--name", "Total Customer Orientation");
	OK(dir, "session", "record", "--program", "tco", "--title", "Spring", "--format", "blended",
	   "--start", "2025-02-10", "--end", "2025-02-11", "--trainer", "ana");
	/* The technicians serve the accounts they write about. */
	for (int i = 0; i < 3; i++) {
		static const char *const techs[] = {"jo", "lee", "tess"};

		OK(dir, "cover", techs[i], "nordmill", "--from", "2024-01-01");
		OK(dir, "cover", techs[i], "brightwater", "--from", "2024-01-01");
	}
}

static const char body[] = "\n## Situation\n\nThe plant lost orders after two stoppages.\n"
			   "\n## Actions\n\nI asked what the plant manager is measured on.\n"
			   "\n## Outcome\n\nThe lost customer came back.\n";

static const char claim_agrees[] = "  - kpi: t_mean\n    before: 50\n    after: 60\n"
				   "    period: 2025-04-01..2025-06-29\n";

/* A case document (malloc'd). `claims` is YAML list items or "". */
static char *doc(const char *title, const char *technician, const char *account,
		 const char *claims)
{
	char *text = malloc(16384);

	ck_assert_ptr_nonnull(text);
	snprintf(text, 16384,
		 "---\ntitle: %s\ntechnician: %s\naccount: %s\nsessions:\n  - tco-2025-02-10\n"
		 "principles:\n  - Listen first\n%s%s---\n%s",
		 title, technician, account, *claims ? "claims:\n" : "", claims, body);
	return text;
}

/* Writes a case document to DIR/NAME; returns the path (caller frees). */
static char *write_doc(const char *dir, const char *name, const char *title,
		       const char *technician, const char *account, const char *claims)
{
	char *text = doc(title, technician, account, claims), *path = cbt_write(dir, name, text);

	free(text);
	return path;
}

static json_t *run_json(const char *dir, const char *const *a)
{
	cbt_run r = run_args(dir, a);
	json_error_t jerr;
	json_t *v;

	ck_assert_msg(r.status == 0, "casebook %s %s: %s", a[0], a[1], r.err);
	v = json_loads(r.out, 0, &jerr);
	ck_assert_msg(v != NULL, "not JSON: %s", r.out);
	cbt_run_free(&r);
	return v;
}

#define JSON(dir, ...) run_json(dir, (const char *const[16]){__VA_ARGS__})

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	ck_assert_msg(json_is_string(v), "%s is not a string", key);
	return json_string_value(v);
}

/* A shell command that must succeed; its output (caller frees). */
static int sh_status;

static char *sh_checked(char *out)
{
	ck_assert_msg(sh_status == 0, "shell command failed (%d): %s", sh_status, out);
	return out;
}

#define SH(...) sh_checked(cbt_sh(&sh_status, __VA_ARGS__))

static void setup(void)
{
	ws = cbt_workspace();
	populate(ws);
}

static void teardown(void)
{
	cbt_rmrf(ws);
	free(ws);
}

/* ------------------------------------------------------------------ */

START_TEST(whole_workflow_in_git_and_index)
{
	char *draft, *path, *out;
	json_t *v;
	cbt_run r;

	/* new: a draft file, never overwritten */
	draft = malloc(4096);
	snprintf(draft, 4096, "%s/draft.md", ws);
	OK(ws, "case", "new", "--technician", "jo", "--account", "nordmill", "--session",
	   "tco-2025-02-10", "--out", draft);
	out = SH("grep -c 'technician: jo' '%s'", draft);
	ck_assert_str_eq(out, "1\n");
	free(out);
	REFUSED(ws, 1, "already exists", "case", "new", "--out", draft);
	/* the draft as written is a valid document, but not written yet */
	REFUSED(ws, 1, "the title is still the template's", "case", "submit", draft);

	path = write_doc(ws, "nordmill.md", "Condition monitoring at Nordmill", "jo", "nordmill",
			 claim_agrees);
	r = RUN(ws, "case", "submit", path, "--slug", "nordmill-cm");
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert(cbt_has(r.out, "submitted case nordmill-cm"));
	cbt_run_free(&r);
	REFUSED(ws, 1, "case 'nordmill-cm' already exists", "case", "submit", path, "--slug",
		"nordmill-cm");

	/* a reviewer asks for changes; another review must wait for a revision */
	REFUSED(ws, 2, "needs a --comment", "case", "review", "nordmill-cm", "--reviewer", "ana",
		"--decision", "changes");
	OK(ws, "case", "review", "nordmill-cm", "--reviewer", "ana", "--decision", "changes",
	   "--comment", "Name the KPI you measured.\nAnd the period.");
	v = JSON(ws, "case", "show", "nordmill-cm", "--json");
	ck_assert_str_eq(jstr(v, "status"), "changes-requested");
	json_decref(v);
	REFUSED(ws, 1, "needs a revision", "case", "review", "nordmill-cm", "--reviewer", "carl",
		"--decision", "approve");
	free(path);
	path = write_doc(ws, "nordmill.md", "Condition monitoring at Nordmill, in seven weeks", "jo",
			 "nordmill", claim_agrees);
	OK(ws, "case", "revise", "nordmill-cm", path);
	v = JSON(ws, "case", "show", "nordmill-cm", "--json");
	ck_assert_str_eq(jstr(v, "status"), "submitted");
	ck_assert_str_eq(jstr(v, "title"), "Condition monitoring at Nordmill, in seven weeks");
	json_decref(v);

	/* approve, then publish (by the approver) */
	REFUSED(ws, 1, "only an approved case can be published", "case", "publish", "nordmill-cm");
	r = RUN(ws, "case", "review", "nordmill-cm", "--reviewer", "carl", "--decision", "approve");
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert(cbt_has(r.out, "approved case nordmill-cm"));
	ck_assert(cbt_has(r.out, "evidence"));
	cbt_run_free(&r);
	REFUSED(ws, 1, "already approved", "case", "review", "nordmill-cm", "--reviewer", "ana",
		"--decision", "approve");
	OK(ws, "case", "publish", "nordmill-cm");
	REFUSED(ws, 1, "published case is final", "case", "revise", "nordmill-cm", path);
	v = JSON(ws, "case", "show", "nordmill-cm", "--json");
	ck_assert_str_eq(jstr(v, "status"), "published");
	ck_assert_int_eq(json_array_size(json_object_get(v, "reviews")), 3);
	ck_assert_str_eq(jstr(json_array_get(json_object_get(v, "reviews"), 0), "comment"),
			 "Name the KPI you measured.\nAnd the period.");
	json_decref(v);

	/* the history in git: authors are the technician and the reviewers */
	out = SH("git -C '%s/cases' log --format='%%an <%%ae>|%%s' main", ws);
	ck_assert_str_eq(out,
			 "Carl Consultant <carl@consult.example>|Review nordmill-cm: published\n"
			 "Carl Consultant <carl@consult.example>|Review nordmill-cm: approved\n"
			 "Jo Tech <jo@service.example>|Revise case nordmill-cm\n"
			 "Ana Martin <ana@casebook.invalid>|Review nordmill-cm: changes-requested\n"
			 "Jo Tech <jo@service.example>|Add case nordmill-cm\n"
			 "Casebook <casebook@localhost>|Start the case-study repository\n");
	free(out);
	free(SH("git -C '%s/cases' fsck --strict 2>&1", ws));
	out = SH("git -C '%s/cases' rev-parse --is-bare-repository", ws);
	ck_assert_str_eq(out, "true\n");
	free(out);
	out = SH("git clone -q '%s/cases' '%s/clone' 2>&1 && grep -c '^title: ' "
		    "'%s/clone/%s/case.md'",
		    ws, ws, ws, cbt_case_dir("nordmill-cm"));
	ck_assert_str_eq(out, "1\n");
	free(out);

	/* log, diff and list read it back */
	r = RUN(ws, "case", "log", "nordmill-cm", "--csv");
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert(cbt_has(r.out, "commit,author,email,at,change,subject\r\n"));
	ck_assert(cbt_has(r.out, ",Jo Tech,jo@service.example,"));
	ck_assert(cbt_has(r.out, ",review,Review nordmill-cm: published\r\n"));
	cbt_run_free(&r);
	r = RUN(ws, "case", "diff", "nordmill-cm");
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert(cbt_has(r.out, "-title: Condition monitoring at Nordmill\n"));
	ck_assert(cbt_has(r.out, "+title: \"Condition monitoring at Nordmill, in seven weeks\"\n") ||
		  cbt_has(r.out, "+title: Condition monitoring at Nordmill, in seven weeks\n"));
	cbt_run_free(&r);
	v = JSON(ws, "case", "list", "--json");
	ck_assert_int_eq(json_array_size(v), 1);
	ck_assert_str_eq(jstr(json_array_get(v, 0), "status"), "published");
	ck_assert_str_eq(jstr(json_array_get(v, 0), "technician"), "jo");
	json_decref(v);
	OK(ws, "check");
	/* the xAPI export reads the index: a submission by the technician and
	 * an approval by the reviewer */
	r = RUN(ws, "export", "xapi");
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert(cbt_has(r.out, "/cases/nordmill-cm\""));
	ck_assert(cbt_has(r.out, "mailto:jo@service.example"));
	ck_assert(cbt_has(r.out, "mailto:carl@consult.example"));
	cbt_run_free(&r);
	/* an older revision */
	out = SH("git -C '%s/cases' log --format=%%H --reverse main -- %s/case.md | head -1",
		    ws, cbt_case_dir("nordmill-cm"));
	out[40] = '\0';
	v = JSON(ws, "case", "show", "nordmill-cm", "--rev", out, "--json");
	ck_assert_str_eq(jstr(v, "title"), "Condition monitoring at Nordmill");
	json_decref(v);
	free(out);
	free(path);
	free(draft);
}
END_TEST

START_TEST(workflow_states_are_enforced)
{
	char *draft = malloc(4096), *path;

	snprintf(draft, 4096, "%s/draft.md", ws);
	OK(ws, "case", "new", "--technician", "jo", "--account", "nordmill", "--out", draft);
	/* the draft's slug, never submitted */
	REFUSED(ws, 1, "case 'what-happened-at-which-customer-in-one-line' was never submitted",
		"case", "review", "what-happened-at-which-customer-in-one-line", "--reviewer", "ana",
		"--decision", "approve");
	REFUSED(ws, 1, "was never submitted", "case", "publish",
		"what-happened-at-which-customer-in-one-line");
	path = write_doc(ws, "tess.md", "Tess at Brightwater", "tess", "brightwater", "");
	OK(ws, "case", "submit", path);
	/* reviewers hold the trainer or consultant role, and not their own case */
	REFUSED(ws, 1, "needs the trainer or consultant role (they hold technician)", "case",
		"review", "tess-at-brightwater", "--reviewer", "jo", "--decision", "approve");
	REFUSED(ws, 1, "wrote case 'tess-at-brightwater' and cannot review it", "case", "review",
		"tess-at-brightwater", "--reviewer", "tess", "--decision", "approve");
	REFUSED(ws, 1, "unknown person 'anna' (did you mean 'ana'?)", "case", "review",
		"tess-at-brightwater", "--reviewer", "anna", "--decision", "approve");
	REFUSED(ws, 2, "--decision must be approve, changes or reject", "case", "review",
		"tess-at-brightwater", "--reviewer", "ana", "--decision", "maybe");
	REFUSED(ws, 1, "is submitted, not approved", "case", "publish", "tess-at-brightwater");
	REFUSED(ws, 1, "nothing to commit", "case", "revise", "tess-at-brightwater", path);
	OK(ws, "case", "review", "tess-at-brightwater", "--reviewer", "ana", "--decision", "approve");
	REFUSED(ws, 1, "cannot be the publisher", "case", "publish", "tess-at-brightwater", "--by",
		"jo");
	OK(ws, "case", "publish", "tess-at-brightwater", "--by", "carl");
	REFUSED(ws, 1, "already published", "case", "publish", "tess-at-brightwater");
	OK(ws, "check");
	free(path);
	free(draft);
}
END_TEST

START_TEST(bad_slugs_are_refused)
{
	char *path = write_doc(ws, "c.md", "A case", "jo", "nordmill", "");
	char long_slug[80];

	memset(long_slug, 'a', 65);
	long_slug[65] = '\0';
	REFUSED(ws, 1, "may hold only lowercase letters", "case", "submit", path, "--slug", "..");
	REFUSED(ws, 1, "may hold only lowercase letters", "case", "submit", path, "--slug",
		"../escape");
	REFUSED(ws, 1, "may hold only lowercase letters", "case", "submit", path, "--slug", "a/b");
	REFUSED(ws, 1, "may hold only lowercase letters", "case", "submit", path, "--slug",
		"/etc/passwd");
	REFUSED(ws, 1, "holds the byte 0x01", "case", "submit", path, "--slug", "a\001b");
	REFUSED(ws, 1, "holds the byte 0x0A", "case", "submit", path, "--slug", "a\nb");
	REFUSED(ws, 1, "is 65 bytes long; the limit is 64", "case", "submit", path, "--slug",
		long_slug);
	REFUSED(ws, 1, "may hold only lowercase letters", "case", "submit", path, "--slug",
		"Upper");
	REFUSED(ws, 1, "must not start or end with '-'", "case", "submit", path, "--slug", "-a");
	REFUSED(ws, 1, "may hold only lowercase letters", "case", "show", "../x");
	REFUSED(ws, 1, "may hold only lowercase letters", "case", "revise", "a/b", path);
	REFUSED(ws, 1, "may hold only lowercase letters", "case", "review", "..", "--reviewer",
		"ana", "--decision", "approve");
	free(path);
}
END_TEST

START_TEST(bad_documents_are_refused)
{
	char *path, *text;
	FILE *f;
	char big[4096];

	/* not UTF-8 */
	path = cbt_write(ws, "latin1.md",
			 "---\ntitle: Caf\xe9 at Nordmill\ntechnician: jo\naccount: nordmill\n"
			 "sessions:\n  - tco-2025-02-10\n---\n\n## Situation\n\nx\n\n## Actions\n\n"
			 "y\n\n## Outcome\n\nz\n");
	REFUSED(ws, 1, "latin1.md:2: not valid UTF-8 (byte 0xE9)", "case", "submit", path);
	free(path);
	/* a missing field */
	path = cbt_write(ws, "noaccount.md",
			 "---\ntitle: No account\ntechnician: jo\nsessions:\n  - tco-2025-02-10\n"
			 "---\n\n## Situation\n\nx\n\n## Actions\n\ny\n\n## Outcome\n\nz\n");
	REFUSED(ws, 1, "noaccount.md:1: the front matter lacks the required field 'account'", "case",
		"submit", path);
	free(path);
	/* an unknown session */
	text = doc("Unknown session", "jo", "nordmill", "");
	*strstr(text, "tco-2025-02-10") = 'x';
	path = cbt_write(ws, "session.md", text);
	REFUSED(ws, 1, "session.md:6: unknown session 'xco-2025-02-10' (did you mean 'tco-2025-02-10'?)",
		"case", "submit", path);
	free(path);
	free(text);
	/* an unknown KPI */
	path = write_doc(ws, "kpi.md", "Unknown KPI", "jo", "nordmill",
			 "  - kpi: t_maen\n    before: 1\n    after: 2\n    period: 2025-01-01..2025-02-01\n");
	REFUSED(ws, 1, "kpi.md:10: unknown KPI 't_maen' (did you mean 't_mean'?)", "case", "submit",
		path);
	free(path);
	/* a claim with a non-number */
	path = write_doc(ws, "nan.md", "Not a number", "jo", "nordmill",
			 "  - kpi: t_mean\n    before: 12abc\n    after: 2\n    period: 2025-01-01..2025-02-01\n");
	REFUSED(ws, 1, "nan.md:11: claim 'before': '12abc' is not a number", "case", "submit", path);
	free(path);
	/* a file over the size limit */
	snprintf(big, sizeof(big), "%s/big.md", ws);
	f = fopen(big, "w");
	text = doc("Big", "jo", "nordmill", "");
	fputs(text, f);
	for (int i = 0; i < 300000 / 64; i++)
		fputs("A long outcome line that makes this file larger than the limit.\n", f);
	fclose(f);
	free(text);
	REFUSED(ws, 1, "bytes long; a case study is at most 262144 bytes", "case", "submit", big);
	/* a binary file */
	snprintf(big, sizeof(big), "%s/binary.md", ws);
	f = fopen(big, "wb");
	fwrite("---\ntitle: x\0\x01\x02\xff\xfe binary", 1, 24, f);
	fclose(f);
	REFUSED(ws, 1, "holds a NUL byte (is it a text file?)", "case", "submit", big);
	/* submitting as an unknown person, or as someone who is no technician */
	path = write_doc(ws, "who.md", "Who wrote this", "joe", "nordmill", "");
	REFUSED(ws, 1, "who.md:3: unknown person 'joe' (did you mean 'jo'?)", "case", "submit", path);
	free(path);
	path = write_doc(ws, "trainer.md", "A trainer writes", "ana", "nordmill", "");
	REFUSED(ws, 1, "trainer.md:3: person 'ana' cannot be the technician", "case", "submit", path);
	free(path);
	path = write_doc(ws, "account.md", "Unknown account", "jo", "nordmil", "");
	REFUSED(ws, 1, "account.md:4: unknown account 'nordmil' (did you mean 'nordmill'?)", "case",
		"submit", path);
	free(path);
	REFUSED(ws, 1, "cannot open", "case", "submit", "/nonexistent/case.md");
	REFUSED(ws, 2, "case submit takes one FILE", "case", "submit");
	/* a title with no letters gives a slug of its hash */
	path = write_doc(ws, "title.md", "\"***\"", "jo", "nordmill", "");
	{
		json_t *v = JSON(ws, "case", "submit", path, "--json");

		ck_assert_msg(strncmp(jstr(v, "slug"), "case-", 5) == 0 && strlen(jstr(v, "slug")) == 17,
			      "%s", jstr(v, "slug"));
		json_decref(v);
	}
	free(path);
}
END_TEST

/* Several files in one `case submit`: all of them or none; each its own
 * commit by its technician, all written as one pack. */
START_TEST(several_files_go_in_together_or_not_at_all)
{
	char *a = write_doc(ws, "a.md", "Alpha at Nordmill", "jo", "nordmill", claim_agrees);
	char *b = write_doc(ws, "b.md", "Beta at Brightwater", "lee", "brightwater", "");
	char *bad = write_doc(ws, "bad.md", "Gamma", "jo", "nordmil", "");
	char *dup = write_doc(ws, "dup.md", "Alpha at Nordmill", "lee", "nordmill", "");
	int commits = git_count(ws);
	json_t *v;
	char *out;

	/* one bad file: nothing is submitted, the message names it */
	REFUSED(ws, 1, "nothing was submitted: ", "case", "submit", a, b, bad);
	REFUSED(ws, 1, "bad.md:4: unknown account 'nordmil'", "case", "submit", a, b, bad);
	REFUSED(ws, 1, "would both be case 'alpha-at-nordmill'", "case", "submit", a, dup);
	REFUSED(ws, 2, "--slug names one case", "case", "submit", a, b, "--slug", "x");
	REFUSED(ws, 2, "'-' (stdin) takes one FILE", "case", "submit", a, "-");
	v = JSON(ws, "case", "submit", a, b, "--json");
	ck_assert_int_eq(json_array_size(v), 2);
	ck_assert_str_eq(jstr(json_array_get(v, 0), "slug"), "alpha-at-nordmill");
	ck_assert_str_eq(jstr(json_array_get(v, 1), "slug"), "beta-at-brightwater");
	json_decref(v);
	ck_assert_int_eq(git_count(ws), commits + 2);
	out = SH("git -C '%s/cases' log -2 --format='%%an|%%s' main", ws);
	ck_assert_str_eq(out, "Lee Field|Add case beta-at-brightwater\nJo Tech|Add case alpha-at-nordmill\n");
	free(out);
	/* git reads the batch's pack: the objects are packed, none loose */
	out = SH("git -C '%s/cases' fsck --strict 2>&1 && git -C '%s/cases' count-objects -v | grep -E '^(packs|count):'", ws, ws);
	ck_assert_str_eq(out, "count: 3\npacks: 1\n");
	free(out);
	out = SH("git -C '%s/cases' show main~1:%s/case.md | head -2", ws, cbt_case_dir("alpha-at-nordmill"));
	ck_assert_str_eq(out, "---\ntitle: Alpha at Nordmill\n");
	free(out);
	/* a taken slug after a good file: the good one is dropped too */
	free(b);
	b = write_doc(ws, "c.md", "Delta at Brightwater", "lee", "brightwater", "");
	REFUSED(ws, 1, "a.md: case 'alpha-at-nordmill' already exists", "case", "submit", b, a);
	ck_assert_int_eq(git_count(ws), commits + 2);
	REFUSED(ws, 1, "there is no case 'delta-at-brightwater'", "case", "show", "delta-at-brightwater");
	out = SH("git -C '%s/cases' count-objects -v | grep -E '^(packs|count):'", ws);
	ck_assert_str_eq(out, "count: 3\npacks: 1\n");
	free(out);
	OK(ws, "check");
	free(a), free(b), free(bad), free(dup);
}
END_TEST

START_TEST(plugin_hooks_can_reject_a_submission)
{
	char *hook = cbt_write(ws, "plugins/policy.lua",
			       "casebook.api(1)\n"
			       "casebook.on('case.submit', function(case)\n"
			       "  if #case.claims == 0 then return false, 'claim at least one KPI in ' .. case.slug end\n"
			       "  if case.account ~= 'nordmill' or case.sessions[1] ~= 'tco-2025-02-10' then\n"
			       "    return false, 'unexpected record' end\n"
			       "end)\n");
	char *path = write_doc(ws, "c.md", "No claims", "jo", "nordmill", "");

	REFUSED(ws, 1, "plugin policy rejected the case.submit: claim at least one KPI in no-claims",
		"case", "submit", path);
	free(path);
	path = write_doc(ws, "c2.md", "With claims", "jo", "nordmill", claim_agrees);
	OK(ws, "case", "submit", path);
	free(path);
	free(hook);
}
END_TEST

START_TEST(crash_between_git_and_database_is_mended_by_reindex)
{
	char *path = write_doc(ws, "c.md", "Crash test case", "lee", "nordmill", claim_agrees);
	char *before = cbt_db_dump(ws), *after;
	int commits = git_count(ws);
	cbt_run r;

	setenv("CASEBOOK_TEST_CRASH_AFTER_COMMIT", "1", 1);
	r = RUN(ws, "case", "submit", path);
	unsetenv("CASEBOOK_TEST_CRASH_AFTER_COMMIT");
	ck_assert_int_eq(r.status, 128 + 9); /* killed by SIGKILL */
	cbt_run_free(&r);
	/* the repository is ahead: the commit is there, the index is not */
	ck_assert_int_eq(git_count(ws), commits + 1);
	after = cbt_db_dump(ws);
	ck_assert_str_eq(before, after);
	free(after);
	r = RUN(ws, "check");
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(cbt_has(r.err, "case 'crash-test-case' is in the repository but missing from the index"),
		      "%s", r.err);
	ck_assert(cbt_has(r.err, "run 'casebook reindex'"));
	cbt_run_free(&r);
	/* writes refuse to act on what the index lacks */
	REFUSED(ws, 1, "not in the index; run 'casebook reindex' first", "case", "review",
		"crash-test-case", "--reviewer", "ana", "--decision", "approve");
	REFUSED(ws, 1, "case 'crash-test-case' is in the case-study repository but not in the index (a submission cut short, or a push); run 'casebook reindex' first",
		"case", "submit", path);
	ck_assert_int_eq(git_count(ws), commits + 1);
	r = RUN(ws, "reindex");
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "reindexed 1 case from the repository: 1 added, 0 updated, 0 removed, 0 unchanged\n");
	cbt_run_free(&r);
	OK(ws, "check");
	/* the mended index works like any other */
	OK(ws, "case", "review", "crash-test-case", "--reviewer", "ana", "--decision", "approve");
	{
		json_t *v = JSON(ws, "case", "list", "--json");

		ck_assert_str_eq(jstr(json_array_get(v, 0), "status"), "approved");
		ck_assert_str_eq(jstr(json_array_get(v, 0), "technician"), "lee");
		json_decref(v);
	}
	/* lee has no email: commits carry KEY@casebook.invalid */
	after = SH("git -C '%s/cases' log --format='%%an <%%ae>' main -- %s/case.md", ws,
		   cbt_case_dir("crash-test-case"));
	ck_assert_str_eq(after, "Lee Field <lee@casebook.invalid>\n");
	free(after);
	free(before);
	free(path);
}
END_TEST

/* A lock file a killed process left in the repository: check names it
 * and says how to mend it, the next write removes it, check --repair
 * does too; a lock held by a running writer is never removed, and a lock
 * git cannot take is reported with what to do. */
START_TEST(stale_locks_are_reported_and_removed)
{
	char *a = write_doc(ws, "a.md", "Alpha", "jo", "nordmill", "");
	char *b = write_doc(ws, "b.md", "Beta", "jo", "nordmill", "");
	char *c = write_doc(ws, "c.md", "Gamma", "jo", "nordmill", "");
	char *out;
	cbt_run r;

#define STALE_LOCK(name)                                                                          \
	free(SH("cp '%s/cases/refs/heads/main' '%s/cases/" name "' && touch -d '-2 min' '%s/cases/" \
		name "'", ws, ws, ws))
	STALE_LOCK("refs/heads/main.lock");
	REFUSED(ws, 1, "cases/refs/heads/main.lock is a stale lock (", "check");
	REFUSED(ws, 1, "'casebook check --repair' removes it (so does the next write)", "check");
	/* the next write removes it */
	OK(ws, "case", "submit", a);
	out = SH("ls '%s/cases/refs/heads'; git -C '%s/cases' log -1 --format=%%s main", ws, ws);
	ck_assert_str_eq(out, "main\nAdd case alpha\n");
	free(out);
	OK(ws, "check");
	/* check --repair, for every lock git takes */
	STALE_LOCK("refs/heads/main.lock");
	STALE_LOCK("packed-refs.lock");
	STALE_LOCK("HEAD.lock");
	r = RUN(ws, "check", "--repair");
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_msg(cbt_has(r.out, "removed the stale lock cases/refs/heads/main.lock\n") &&
			      cbt_has(r.out, "removed the stale lock cases/packed-refs.lock\n") &&
			      cbt_has(r.out, "removed the stale lock cases/HEAD.lock\n"),
		      "%s", r.out);
	ck_assert(cbt_has(r.out, "is consistent"));
	cbt_run_free(&r);
	free(SH("git -C '%s/cases' fsck --strict 2>&1", ws));
	/* a writer at work holds the writer lock: its locks are not stale */
	free(SH("cp '%s/cases/refs/heads/main' '%s/cases/refs/heads/main.lock' && touch -d '-2 min' "
		"'%s/cases/refs/heads/main.lock' && (flock '%s/cases/casebook.lock' sleep 2 "
		">/dev/null 2>&1 &) && sleep 0.3",
		ws, ws, ws, ws));
	REFUSED(ws, 1, "cases/refs/heads/main.lock is held: a casebook process is writing", "check");
	r = RUN(ws, "check", "--repair", "--json");
	/* it waits for the writer, then removes what it left */
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_msg(cbt_has(r.out, "\"removed_locks\": [\n    \"cases/refs/heads/main.lock\"\n  ]"),
		      "%s", r.out);
	cbt_run_free(&r);
	/* a fresh lock nobody holds is waited for until it is old */
	free(SH("cp '%s/cases/refs/heads/main' '%s/cases/refs/heads/main.lock'", ws, ws));
	OK(ws, "case", "submit", b);
	/* a lock git cannot take (here a folder in its place): what to do */
	free(SH("mkdir '%s/cases/refs/heads/main.lock'", ws));
	REFUSED(ws, 1, "another process is writing the case-study repository (", "case", "submit",
		c);
	REFUSED(ws, 1, "main.lock exists); try again. If no casebook or git process is running on "
		       "this workspace, 'casebook check --repair' removes a lock it finds stale",
		"case", "submit", c);
	free(SH("rmdir '%s/cases/refs/heads/main.lock'", ws));
	OK(ws, "case", "submit", c);
	OK(ws, "check");
#undef STALE_LOCK
	free(a);
	free(b);
	free(c);
}
END_TEST

/* A folder stands for its *.md files, in name order; hidden files and
 * others are not case studies. */
START_TEST(a_folder_submits_its_md_files)
{
	char dir[4200], *p, *out;
	int commits = git_count(ws);
	json_t *v;

	snprintf(dir, sizeof(dir), "%s/inbox", ws);
	free(SH("mkdir -p '%s/empty' '%s/inbox/sub.md' && echo notes > '%s/inbox/notes.txt' && "
		"echo x > '%s/inbox/.hidden.md' && mkfifo '%s/inbox/pipe.md'", ws, ws, ws, ws, ws));
	free(write_doc(dir, "b.md", "Second at Brightwater", "lee", "brightwater", ""));
	free(write_doc(dir, "a.md", "First at Nordmill", "jo", "nordmill", claim_agrees));
	/* refusals first: they change nothing */
	p = cbt_write(ws, "empty/readme.txt", "no cases here\n");
	free(p);
	snprintf(dir, sizeof(dir), "%s/empty", ws);
	REFUSED(ws, 1, "empty holds no .md file", "case", "submit", dir);
	snprintf(dir, sizeof(dir), "%s/inbox", ws);
	REFUSED(ws, 2, "the cases of a folder take their slugs from their titles", "case", "submit",
		dir, "--slug", "x");
	ck_assert_int_eq(git_count(ws), commits);
	v = JSON(ws, "case", "submit", dir, "--json");
	ck_assert_int_eq(json_array_size(v), 2);
	ck_assert_str_eq(jstr(json_array_get(v, 0), "slug"), "first-at-nordmill");
	ck_assert_str_eq(jstr(json_array_get(v, 1), "slug"), "second-at-brightwater");
	json_decref(v);
	ck_assert_int_eq(git_count(ws), commits + 2);
	out = SH("git -C '%s/cases' log -2 --format=%%s main", ws);
	ck_assert_str_eq(out, "Add case second-at-brightwater\nAdd case first-at-nordmill\n");
	free(out);
	OK(ws, "check");
}
END_TEST

/* The same for a batch: killed after its pack is written and main moved,
 * before the database commit. Both cases are in the repository, neither
 * in the index; reindex takes both in. */
START_TEST(a_crash_after_a_batch_is_mended_by_reindex)
{
	char *a = write_doc(ws, "a.md", "Batch one", "jo", "nordmill", claim_agrees);
	char *b = write_doc(ws, "b.md", "Batch two", "lee", "brightwater", "");
	char *before = cbt_db_dump(ws), *after;
	int commits = git_count(ws);
	cbt_run r;

	setenv("CASEBOOK_TEST_CRASH_AFTER_COMMIT", "1", 1);
	r = RUN(ws, "case", "submit", a, b);
	unsetenv("CASEBOOK_TEST_CRASH_AFTER_COMMIT");
	ck_assert_int_eq(r.status, 128 + 9);
	cbt_run_free(&r);
	ck_assert_int_eq(git_count(ws), commits + 2);
	after = SH("git -C '%s/cases' fsck --strict 2>&1; git -C '%s/cases' log -2 --format=%%s main", ws, ws);
	ck_assert_str_eq(after, "Add case batch-two\nAdd case batch-one\n");
	free(after);
	after = cbt_db_dump(ws);
	ck_assert_str_eq(before, after);
	free(after);
	r = RUN(ws, "check");
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(cbt_has(r.err, "case 'batch-one' is in the repository but missing from the index") &&
			      cbt_has(r.err, "case 'batch-two' is in the repository but missing from the index"),
		      "%s", r.err);
	cbt_run_free(&r);
	r = RUN(ws, "reindex");
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "reindexed 2 cases from the repository: 2 added, 0 updated, 0 removed, 0 unchanged\n");
	cbt_run_free(&r);
	OK(ws, "check");
	/* the dates come from the history: each case's commit */
	{
		json_t *v = JSON(ws, "case", "show", "batch-one", "--json");

		after = SH("TZ=UTC git -C '%s/cases' log -1 --date=format-local:%%Y-%%m-%%dT%%H:%%M:%%SZ "
			   "--format=%%ad main~1", ws);
		after[strcspn(after, "\n")] = '\0';
		ck_assert_str_eq(jstr(v, "submitted_at"), after);
		ck_assert_str_eq(jstr(v, "updated_at"), after);
		ck_assert_str_eq(jstr(v, "status"), "submitted");
		free(after);
		json_decref(v);
	}
	free(before);
	free(a);
	free(b);
}
END_TEST

START_TEST(check_finds_stale_and_extra_cases_and_reindex_mends_them)
{
	char *path = write_doc(ws, "a.md", "Case A", "jo", "nordmill", claim_agrees);
	cbt_run r;

	OK(ws, "case", "submit", path);
	free(path);
	path = write_doc(ws, "b.md", "Case B", "jo", "brightwater", "");
	OK(ws, "case", "submit", path);
	OK(ws, "case", "review", "case-b", "--reviewer", "ana", "--decision", "approve");
	OK(ws, "check");
	/* someone edits the repository with git, in a clone pushed back: a
	 * revision and a removal */
	free(SH("git clone -q '%s/cases' '%s/edit' 2>&1 && cd '%s/edit' && "
		"sed -i 's/^title: Case A/title: Case A, edited/' %s/case.md && git rm -q -r %s && "
		"git -c user.name=G -c user.email=g@x commit -qam edit && git push -q origin main 2>&1",
		ws, ws, ws, cbt_case_dir("case-a"), cbt_case_dir("case-b")));
	r = RUN(ws, "check");
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(cbt_has(r.err, "case 'case-a' is stale in the index: it was revised in the repository"),
		      "%s", r.err);
	ck_assert(cbt_has(r.err, "case 'case-b' is in the index but not in the repository"));
	cbt_run_free(&r);
	r = RUN(ws, "reindex", "--json");
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert(cbt_has(r.out, "\"updated\": 1") && cbt_has(r.out, "\"removed\": 1"));
	cbt_run_free(&r);
	OK(ws, "check");
	{
		json_t *v = JSON(ws, "case", "list", "--json");

		ck_assert_int_eq(json_array_size(v), 1);
		ck_assert_str_eq(jstr(json_array_get(v, 0), "title"), "Case A, edited");
		json_decref(v);
	}
	/* a review decision lost from the index is found too */
	OK(ws, "case", "review", "case-a", "--reviewer", "ana", "--decision", "changes", "--comment",
	   "More detail");
	free(SH("sqlite3 '%s/casebook.db' 'DELETE FROM case_review'", ws));
	r = RUN(ws, "check");
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(cbt_has(r.err, "the repository has 1 review decisions, the index 0"), "%s", r.err);
	cbt_run_free(&r);
	OK(ws, "reindex");
	OK(ws, "check");
	{
		json_t *v = JSON(ws, "case", "show", "case-a", "--json");

		ck_assert_str_eq(jstr(v, "status"), "changes-requested");
		json_decref(v);
	}
	free(path);
}
END_TEST

START_TEST(list_filters)
{
	char *p;
	json_t *v;
	cbt_run r;

	p = write_doc(ws, "a.md", "Alpha", "jo", "nordmill", claim_agrees);
	OK(ws, "case", "submit", p);
	free(p);
	p = write_doc(ws, "b.md", "Beta", "lee", "brightwater", "");
	OK(ws, "case", "submit", p);
	free(p);
	OK(ws, "case", "review", "beta", "--reviewer", "ana", "--decision", "approve");
	v = JSON(ws, "case", "list", "--status", "approved", "--json");
	ck_assert_int_eq(json_array_size(v), 1);
	ck_assert_str_eq(jstr(json_array_get(v, 0), "slug"), "beta");
	json_decref(v);
	v = JSON(ws, "case", "list", "--technician", "jo", "--json");
	ck_assert_int_eq(json_array_size(v), 1);
	ck_assert_str_eq(jstr(json_array_get(v, 0), "slug"), "alpha");
	json_decref(v);
	v = JSON(ws, "case", "list", "--account", "brightwater", "--json");
	ck_assert_int_eq(json_array_size(v), 1);
	json_decref(v);
	v = JSON(ws, "case", "list", "--kpi", "t_mean", "--session", "tco-2025-02-10", "--json");
	ck_assert_int_eq(json_array_size(v), 1);
	ck_assert_str_eq(jstr(json_array_get(v, 0), "slug"), "alpha");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(json_array_get(v, 0), "kpis"), 0)),
			 "t_mean");
	json_decref(v);
	v = JSON(ws, "case", "list", "--session", "other", "--json");
	ck_assert_int_eq(json_array_size(v), 0);
	json_decref(v);
	r = RUN(ws, "case", "list", "--csv");
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert(cbt_has(r.out, "slug,title,technician,account,status,sessions,kpis,reviews,"));
	ck_assert(cbt_has(r.out, "alpha,Alpha,jo,nordmill,submitted,tco-2025-02-10,t_mean,0,"));
	cbt_run_free(&r);
	REFUSED(ws, 1, "unknown status 'aproved' (did you mean 'approved'?)", "case", "list",
		"--status", "aproved");
	REFUSED(ws, 1, "person key", "case", "list", "--technician", "a b");
}
END_TEST

/* ------------------------------------------------------------------ */
/* The evidence check on imported data                                  */

/* t.score averages 50 in January-March 2025 (the before window of a
 * claim whose period is April 1 - June 29, 90 days, 56 scores) and 60 in
 * the period itself (56 scores); t.rare is never recorded; in July and
 * August 12 scores each, too few to check a claim on. */
static void import_scores(const char *dir)
{
	char csv[4096];
	FILE *f;

	snprintf(csv, sizeof(csv), "%s/obs.csv", dir);
	f = fopen(csv, "w");
	ck_assert_ptr_nonnull(f);
	fputs("account,measure,at,value\n", f);
	for (int d = 1; d <= 28; d++) {
		fprintf(f, "nordmill,t.score,2025-01-%02d,%d\n", d, d % 2 ? 49 : 51);
		fprintf(f, "nordmill,t.score,2025-03-%02d,%d\n", d, d % 2 ? 48 : 52);
		fprintf(f, "nordmill,t.score,2025-04-%02d,%d\n", d, d % 2 ? 58 : 62);
		fprintf(f, "nordmill,t.score,2025-05-%02d,%d\n", d, d % 2 ? 59 : 61);
		fprintf(f, "brightwater,t.score,2025-05-%02d,90\n", d);
		if (d <= 12)
			fprintf(f, "nordmill,t.score,2025-07-%02d,%d\nnordmill,t.score,2025-08-%02d,%d\n",
				d, d % 2 ? 0 : 20, d, d % 2 ? 80 : 100);
	}
	fputs("nordmill,t.score,2024-12-31,0\nnordmill,t.score,2025-06-30,100\n", f); /* outside */
	fclose(f);
	OK(dir, "data", "import", csv);
}

START_TEST(evidence_agrees_disagrees_and_no_data)
{
	char *path;
	json_t *v, *claims;
	cbt_run r;

	import_scores(ws);
	path = write_doc(ws, "e.md", "Evidence at Nordmill", "jo", "nordmill",
			 "  - kpi: t_mean\n    before: 50\n    after: 60\n    period: 2025-04-01..2025-06-29\n"
			 "  - kpi: t_mean\n    before: 50\n    after: 52\n    period: 2025-04-01..2025-06-29\n"
			 "  - kpi: t_rare\n    before: 1\n    after: 2\n    period: 2025-04-01..2025-06-29\n"
			 "  - kpi: t_mean\n    before: 50\n    after: 57.6\n    period: 2025-04-01..2025-06-29\n"
			 "  - kpi: t_mean\n    before: 10\n    after: 90\n    period: 2025-08-01..2025-08-31\n");
	OK(ws, "case", "submit", path);
	v = JSON(ws, "case", "show", "evidence-at-nordmill", "--json");
	claims = json_object_get(v, "claims");
	ck_assert_int_eq(json_array_size(claims), 5);
	{
		json_t *c = json_array_get(claims, 0);

		ck_assert_str_eq(jstr(c, "evidence"), "agrees");
		ck_assert_str_eq(jstr(c, "before_window"), "2025-01-01..2025-03-31");
		ck_assert_str_eq(jstr(c, "after_window"), "2025-04-01..2025-06-29");
		ck_assert_double_eq_tol(json_real_value(json_object_get(c, "measured_before")), 50, 1e-9);
		ck_assert_double_eq_tol(json_real_value(json_object_get(c, "measured_after")), 60, 1e-9);
		/* Each window's own interval, over its 56 scores. */
		ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(c, "observations"), "before")), 56);
		ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(c, "observations"), "after")), 56);
		{
			json_t *bi = json_object_get(c, "before_interval"), *ai = json_object_get(c, "after_interval");
			double bl = json_real_value(json_object_get(bi, "low")), bh = json_real_value(json_object_get(bi, "high"));
			double al = json_real_value(json_object_get(ai, "low")), ah = json_real_value(json_object_get(ai, "high"));

			ck_assert_msg(bl < 50 && 50 < bh && bh - bl < 2, "[%g, %g]", bl, bh);
			ck_assert_msg(al < 60 && 60 < ah && ah - al < 2, "[%g, %g]", al, ah);
		}
	}
	{
		json_t *c = json_array_get(claims, 1);

		ck_assert_str_eq(jstr(c, "evidence"), "disagrees");
		ck_assert_double_eq_tol(json_real_value(json_object_get(c, "measured_change")), 10, 1e-9);
		ck_assert_msg(cbt_has(jstr(c, "reason"), "but the claim says 50 -> 52: its after is outside its interval"),
			      "%s", jstr(c, "reason"));
	}
	{
		json_t *c = json_array_get(claims, 2);

		ck_assert_str_eq(jstr(c, "evidence"), "no data");
		ck_assert(json_is_null(json_object_get(c, "measured_before")));
		ck_assert_str_eq(jstr(c, "reason"), "before window 2025-01-01..2025-03-31: nothing recorded");
	}
	/* 57.6 claimed after, 60 measured on 56 scores: outside its interval */
	ck_assert_str_eq(jstr(json_array_get(claims, 3), "evidence"), "disagrees");
	/* 10 -> 90 claimed on 12 scores a window: too few to say "agrees",
	 * although the measured 10 -> 90 would. */
	{
		json_t *c = json_array_get(claims, 4);

		ck_assert_str_eq(jstr(c, "evidence"), "too few observations");
		ck_assert_msg(cbt_has(jstr(c, "reason"), "too few observations to check (12)"), "%s",
			      jstr(c, "reason"));
	}
	json_decref(v);
	/* the review shows the same check */
	r = RUN(ws, "case", "review", "evidence-at-nordmill", "--reviewer", "carl", "--decision",
		"changes", "--comment", "Claims 2 and 4 disagree with the data");
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_msg(cbt_has(r.out, "t_mean 50 -> 60 (2025-04-01..2025-06-29): agrees: measured 50 ["),
		      "%s", r.out);
	ck_assert(cbt_has(r.out, "t_mean 50 -> 52 (2025-04-01..2025-06-29): disagrees: measured 50 ["));
	ck_assert(cbt_has(r.out, "t_rare 1 -> 2 (2025-04-01..2025-06-29): no data: before window"));
	cbt_run_free(&r);
	/* an account with data only after: no data, the plugin's reason */
	free(path);
	path = write_doc(ws, "b.md", "Evidence at Brightwater", "jo", "brightwater",
			 "  - kpi: t_mean\n    before: 80\n    after: 90\n    period: 2025-05-01..2025-05-31\n");
	OK(ws, "case", "submit", path);
	v = JSON(ws, "case", "show", "evidence-at-brightwater", "--json");
	claims = json_object_get(v, "claims");
	ck_assert_str_eq(jstr(json_array_get(claims, 0), "evidence"), "no data");
	ck_assert_str_eq(jstr(json_array_get(claims, 0), "before_window"), "2025-03-31..2025-04-30");
	ck_assert_str_eq(jstr(json_array_get(claims, 0), "reason"),
			 "before window 2025-03-31..2025-04-30: no scores");
	json_decref(v);
	free(path);
}
END_TEST

/* The unedited template of `case new` is refused, part by part, and
 * nothing is written. */
START_TEST(the_unedited_template_is_refused)
{
	char draft[4096];

	snprintf(draft, sizeof(draft), "%s/draft.md", ws);
	OK(ws, "case", "new", "--technician", "jo", "--account", "nordmill", "--session",
	   "tco-2025-02-10", "--out", draft);
	REFUSED(ws, 1, "draft.md:2: the title is still the template's", "case", "submit", draft);
	/* a title, the sections still the guidance */
	free(SH("sed -i 's/^title: .*/title: Fewer stops at Nordmill/' '%s'", draft));
	REFUSED(ws, 1, "the ## Situation section holds only the template's guidance", "case",
		"submit", draft);
	/* the sections written, the claim still the example */
	free(SH("sed -i 's/ -->$/ -->\\nWritten./' '%s'", draft));
	REFUSED(ws, 1, "claim 1 is still the template's example", "case", "submit", draft);
	/* the example claim gone: in */
	free(SH("sed -i '/^claims:/,/^---$/{/^---$/!d}' '%s'", draft));
	OK(ws, "case", "submit", draft);
}
END_TEST

/* A case about an account its technician never covered and no cited
 * session reached is refused, unless --allow-uncovered, which the commit
 * records. */
START_TEST(an_uncovered_account_needs_to_be_allowed)
{
	char *path, *out;

	OK(ws, "account", "add", "castle", "--name", "Castle Breweries");
	path = write_doc(ws, "c.md", "Help at Castle", "jo", "castle", "");
	REFUSED(ws, 1, "c.md:4: technician 'jo' never covered account 'castle', and none of the sessions the case cites reached it",
		"case", "submit", path);
	OK(ws, "case", "submit", path, "--allow-uncovered");
	out = SH("git -C '%s/cases' log -1 --format=%%B main", ws);
	ck_assert_msg(cbt_has(out, "Add case help-at-castle\n\nUncovered-account: castle (technician jo never covered it"),
		      "%s", out);
	free(out);
	out = SH("git -C '%s/cases' fsck --strict 2>&1 && echo fsck-ok", ws);
	ck_assert(cbt_has(out, "fsck-ok"));
	free(out);
	/* A revision needs it again; coverage, or a session reaching the
	 * account, does without. */
	free(path);
	path = write_doc(ws, "c.md", "Help at Castle, revised", "jo", "castle", "");
	REFUSED(ws, 1, "never covered account 'castle'", "case", "revise", "help-at-castle", path);
	OK(ws, "cover", "jo", "castle", "--from", "2025-01-01");
	OK(ws, "case", "revise", "help-at-castle", path);
	out = SH("git -C '%s/cases' log -1 --format=%%B main", ws);
	ck_assert(!cbt_has(out, "Uncovered-account"));
	free(out);
	OK(ws, "account", "add", "keep", "--name", "Keep Ltd");
	OK(ws, "session", "record", "--program", "tco", "--title", "Keep", "--format", "virtual",
	   "--start", "2025-03-01", "--end", "2025-03-01", "--trainer", "ana", "--account", "keep");
	free(path);
	path = write_doc(ws, "k.md", "Help at Keep", "lee", "keep", "");
	free(SH("sed -i 's/tco-2025-02-10/tco-2025-03-01/' '%s'", path));
	OK(ws, "case", "submit", path);
	free(path);
}
END_TEST

/* A slug made from a title spells Latin letters with diacritics in ASCII;
 * a title with no Latin letter at all gets "case-" and 12 hex digits of
 * its SHA-256 (as sha256sum computes it). */
START_TEST(slugs_spell_titles_in_ascii)
{
	static const char *const titles[][2] = {
		{"\xC3\x84rger \xC3\xBC" "ber \xC3\x96l", "aerger-ueber-oel"},
		{"Caf\xC3\xA9 in \xC5\x81\xC3\xB3" "d\xC5\xBA, Stra\xC3\x9F" "e 5", "cafe-in-lodz-strasse-5"},
		{"\xC8\x98" "tefan \xC8\x9B" "ine \xC3\x86sir \xC3\x98ye", "stefan-tine-aesir-oye"},
	};
	char name[32], *path, *out, want[64];
	json_t *v;

	for (size_t i = 0; i < sizeof(titles) / sizeof(titles[0]); i++) {
		snprintf(name, sizeof(name), "t%zu.md", i);
		path = write_doc(ws, name, titles[i][0], "jo", "nordmill", "");
		v = JSON(ws, "case", "submit", path, "--json");
		ck_assert_str_eq(jstr(v, "slug"), titles[i][1]);
		json_decref(v);
		free(path);
	}
	/* Greek: nothing to spell */
	path = write_doc(ws, "g.md", "\xCE\x95\xCE\xBB\xCE\xBB\xCE\xAC\xCE\xB4\xCE\xB1", "jo",
			 "nordmill", "");
	out = SH("printf '%%s' '\xCE\x95\xCE\xBB\xCE\xBB\xCE\xAC\xCE\xB4\xCE\xB1' | sha256sum | cut -c1-12");
	snprintf(want, sizeof(want), "case-%.12s", out);
	v = JSON(ws, "case", "submit", path, "--json");
	ck_assert_str_eq(jstr(v, "slug"), want);
	json_decref(v);
	free(out);
	free(path);
}
END_TEST

/* A reviewer or publisher is the trainer of a session the case cites or a
 * consultant; a trainer of other sessions is neither. */
START_TEST(reviewers_train_a_cited_session_or_consult)
{
	char *path = write_doc(ws, "j.md", "Jo at Nordmill", "jo", "nordmill", "");

	OK(ws, "case", "submit", path);
	/* tess is a trainer, but ana trained the session the case cites */
	REFUSED(ws, 1,
		"person 'tess' trained none of the sessions case 'jo-at-nordmill' cites "
		"(tco-2025-02-10 by ana); the reviewer is the trainer of one of them or a consultant",
		"case", "review", "jo-at-nordmill", "--reviewer", "tess", "--decision", "approve");
	REFUSED(ws, 1, "person 'tess' trained none", "case", "review", "jo-at-nordmill",
		"--reviewer", "tess", "--decision", "reject", "--comment", "No.");
	OK(ws, "case", "review", "jo-at-nordmill", "--reviewer", "ana", "--decision", "approve");
	REFUSED(ws, 1, "the publisher is the trainer of one of them or a consultant", "case",
		"publish", "jo-at-nordmill", "--by", "tess");
	OK(ws, "case", "publish", "jo-at-nordmill", "--by", "carl");
	free(path);
	/* the trainer of a second cited session may review too */
	OK(ws, "session", "record", "--program", "tco", "--title", "Autumn", "--format", "virtual",
	   "--start", "2025-03-03", "--end", "2025-03-03", "--trainer", "tess");
	path = write_doc(ws, "l.md", "Lee at Nordmill", "lee", "nordmill", "");
	free(SH("sed -i 's/^  - tco-2025-02-10$/  - tco-2025-02-10\\n  - tco-2025-03-03/' '%s'", path));
	OK(ws, "case", "submit", path);
	OK(ws, "case", "review", "lee-at-nordmill", "--reviewer", "tess", "--decision", "approve");
	free(path);
}
END_TEST

/* Approving a case with a claim the data contradicts needs
 * --despite-evidence, whose reason goes into the review commit, the
 * review log, the index and the report. */
START_TEST(approving_against_the_evidence)
{
	char *path, *out;
	json_t *v;
	cbt_run r;

	import_scores(ws);
	/* claim 2 says 50 -> 52, the data 50 -> 60 */
	path = write_doc(ws, "e.md", "Evidence at Nordmill", "jo", "nordmill",
			 "  - kpi: t_mean\n    before: 50\n    after: 60\n    period: 2025-04-01..2025-06-29\n"
			 "  - kpi: t_mean\n    before: 50\n    after: 52\n    period: 2025-04-01..2025-06-29\n");
	OK(ws, "case", "submit", path);
	REFUSED(ws, 1,
		"case 'evidence-at-nordmill' has 1 claim the data contradicts: claim 2 (t_mean): "
		"measured 50 [",
		"case", "review", "evidence-at-nordmill", "--reviewer", "ana", "--decision", "approve");
	REFUSED(ws, 1, "approve it with --despite-evidence \"REASON\"", "case", "review",
		"evidence-at-nordmill", "--reviewer", "carl", "--decision", "approve", "--comment",
		"Fine by me.");
	REFUSED(ws, 2, "--despite-evidence goes with --decision approve only", "case", "review",
		"evidence-at-nordmill", "--reviewer", "ana", "--decision", "changes", "--comment", "x",
		"--despite-evidence", "y");
	REFUSED(ws, 1, "--despite-evidence contains control character 0x0A", "case", "review", "evidence-at-nordmill",
		"--reviewer", "ana", "--decision", "approve", "--despite-evidence", "two\nlines");
	r = RUN(ws, "case", "review", "evidence-at-nordmill", "--reviewer", "ana", "--decision",
		"approve", "--despite-evidence", "The meter was replaced in May; the plant log shows 52",
		"--comment", "Good story otherwise.");
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_msg(cbt_has(r.out, "approved, despite the evidence, case evidence-at-nordmill"),
		      "%s", r.out);
	cbt_run_free(&r);
	/* the commit, the log line, the index */
	out = SH("git -C '%s/cases' log -1 --format='%%an|%%B' main", ws);
	ck_assert_str_eq(out, "Ana Martin|Review evidence-at-nordmill: approved\n\n"
			      "Despite the evidence: The meter was replaced in May; the plant log "
			      "shows 52\nGood story otherwise.\n\n");
	free(out);
	out = SH("git -C '%s/cases' show main:%s/reviews.log | cut -f2,5", ws,
		 cbt_case_dir("evidence-at-nordmill"));
	ck_assert_str_eq(out, "approved\tDespite the evidence: The meter was replaced in May; the "
			      "plant log shows 52\\nGood story otherwise.\n");
	free(out);
	v = JSON(ws, "case", "show", "evidence-at-nordmill", "--json");
	ck_assert_str_eq(jstr(v, "status"), "approved");
	json_decref(v);
	/* reindex rebuilds the same from the repository */
	free(SH("sqlite3 '%s/casebook.db' 'PRAGMA foreign_keys = ON; DELETE FROM case_study'", ws));
	OK(ws, "reindex");
	v = JSON(ws, "case", "list", "--json");
	ck_assert_str_eq(jstr(json_array_get(v, 0), "status"), "approved");
	json_decref(v);
	free(path);
	/* a case whose claims all agree (or cannot be checked) needs no reason,
	 * and takes none */
	path = write_doc(ws, "g.md", "Good at Nordmill", "jo", "nordmill", claim_agrees);
	OK(ws, "case", "submit", path);
	REFUSED(ws, 2, "no claim of case 'good-at-nordmill' disagrees with the data", "case",
		"review", "good-at-nordmill", "--reviewer", "ana", "--decision", "approve",
		"--despite-evidence", "just in case");
	OK(ws, "case", "review", "good-at-nordmill", "--reviewer", "ana", "--decision", "approve");
	free(path);
}
END_TEST

/* A reviewer rejects a case, its technician withdraws one: both final,
 * recorded in the review log, kept by reindex, listed by status. */
START_TEST(reject_and_withdraw_end_a_case)
{
	char *a = write_doc(ws, "a.md", "Case A", "jo", "nordmill", "");
	char *b = write_doc(ws, "b.md", "Case B", "jo", "brightwater", "");
	char *a2 = write_doc(ws, "a2.md", "Case A, again", "jo", "nordmill", "");
	char *out;
	json_t *v;

	OK(ws, "case", "submit", a);
	OK(ws, "case", "submit", b);
	REFUSED(ws, 2, "--decision reject needs a --comment saying why the case is rejected",
		"case", "review", "case-a", "--reviewer", "ana", "--decision", "reject");
	REFUSED(ws, 2, "--decision must be approve, changes or reject", "case", "review", "case-a",
		"--reviewer", "ana", "--decision", "rejected");
	OK(ws, "case", "review", "case-a", "--reviewer", "ana", "--decision", "changes",
	   "--comment", "Name the KPI.");
	/* reject ends a case at any status that is not final */
	OK(ws, "case", "review", "case-a", "--reviewer", "ana", "--decision", "reject", "--comment",
	   "Not about the training.");
	v = JSON(ws, "case", "show", "case-a", "--json");
	ck_assert_str_eq(jstr(v, "status"), "rejected");
	json_decref(v);
	REFUSED(ws, 1, "case 'case-a' is rejected; that is final, so it cannot be revised", "case",
		"revise", "case-a", a2);
	REFUSED(ws, 1, "it cannot be reviewed", "case", "review", "case-a", "--reviewer", "ana",
		"--decision", "reject", "--comment", "Again.");
	REFUSED(ws, 1, "it cannot be published", "case", "publish", "case-a", "--by", "ana");
	REFUSED(ws, 1, "it cannot be withdrawn", "case", "withdraw", "case-a");

	/* withdraw: the technician's own, from approved too */
	OK(ws, "case", "review", "case-b", "--reviewer", "carl", "--decision", "approve");
	REFUSED(ws, 1, "case 'case-b' was written by 'jo'; only they can withdraw it", "case",
		"withdraw", "case-b", "--by", "lee");
	REFUSED(ws, 1, "case 'case-zz' was never submitted", "case", "withdraw", "case-zz");
	OK(ws, "case", "withdraw", "case-b", "--reason", "The customer asked us not to publish.");
	v = JSON(ws, "case", "show", "case-b", "--json");
	ck_assert_str_eq(jstr(v, "status"), "withdrawn");
	ck_assert_str_eq(jstr(json_array_get(json_object_get(v, "reviews"), 1), "comment"),
			 "The customer asked us not to publish.");
	json_decref(v);
	REFUSED(ws, 1, "case 'case-b' is withdrawn; that is final, so it cannot be published",
		"case", "publish", "case-b");
	REFUSED(ws, 1, "it cannot be withdrawn", "case", "withdraw", "case-b");

	/* in git */
	out = SH("git -C '%s/cases' log -2 --format='%%an|%%s' main", ws);
	ck_assert_str_eq(out, "Jo Tech|Review case-b: withdrawn\n"
			      "Carl Consultant|Review case-b: approved\n");
	free(out);
	out = SH("git -C '%s/cases' log --format='%%an|%%s' main -- %s", ws, cbt_case_dir("case-a"));
	ck_assert(cbt_has(out, "Ana Martin|Review case-a: rejected\n"));
	free(out);
	free(SH("git -C '%s/cases' fsck --strict 2>&1", ws));
	/* listed by status; the index rebuilt from the repository says the same */
	for (int pass = 0; pass < 2; pass++) {
		v = JSON(ws, "case", "list", "--status", "rejected", "--json");
		ck_assert_int_eq(json_array_size(v), 1);
		ck_assert_str_eq(jstr(json_array_get(v, 0), "slug"), "case-a");
		json_decref(v);
		v = JSON(ws, "case", "list", "--status", "withdrawn", "--json");
		ck_assert_int_eq(json_array_size(v), 1);
		ck_assert_str_eq(jstr(json_array_get(v, 0), "slug"), "case-b");
		json_decref(v);
		OK(ws, "check");
		free(SH("sqlite3 '%s/casebook.db' 'PRAGMA foreign_keys = ON; DELETE FROM case_study'", ws));
		OK(ws, "reindex");
	}
	REFUSED(ws, 1, "unknown status 'withdrawm' (did you mean 'withdrawn'?)", "case", "list",
		"--status", "withdrawm");
	free(a);
	free(a2);
	free(b);
}
END_TEST

/* `impact --case SLUG`: the case's account, trained by the sessions the
 * case cites, measured on the claimed KPIs; the means are those SQL
 * computes from the same file. */
START_TEST(impact_of_a_case_study)
{
	char csv[4096], *path, *out, want[64];
	json_t *v, *kpis, *acct;
	FILE *f;
	cbt_run r;

	snprintf(csv, sizeof(csv), "%s/obs.csv", ws);
	f = fopen(csv, "w");
	fputs("account,measure,at,value\n", f);
	for (int d = 1; d <= 28; d++) {
		fprintf(f, "nordmill,t.score,2025-01-%02d,%d\n", d, 40 + d % 5);
		fprintf(f, "nordmill,t.score,2025-04-%02d,%d\n", d, 55 + d % 3);
		fprintf(f, "brightwater,t.score,2025-01-%02d,70\nbrightwater,t.score,2025-04-%02d,71\n",
			d, d);
	}
	fclose(f);
	OK(ws, "data", "import", csv);
	path = write_doc(ws, "i.md", "Impact at Nordmill", "jo", "nordmill",
			 "  - kpi: t_mean\n    before: 42\n    after: 56\n    period: 2025-03-01..2025-05-31\n"
			 "  - kpi: t_rare\n    before: 1\n    after: 2\n    period: 2025-03-01..2025-05-31\n"
			 "  - kpi: t_mean\n    before: 42\n    after: 57\n    period: 2025-04-01..2025-05-31\n");
	OK(ws, "case", "submit", path);
	free(path);
	v = JSON(ws, "impact", "--case", "impact-at-nordmill", "--control", "none", "--detail", "--json");
	ck_assert_str_eq(jstr(json_object_get(v, "exposure"), "kind"), "case");
	ck_assert_int_eq(json_integer_value(json_object_get(v, "exposed_accounts")), 1);
	ck_assert_str_eq(jstr(json_array_get(json_object_get(v, "sessions"), 0), "session"),
			 "tco-2025-02-10");
	/* the claimed KPIs, each once, in the case's order */
	kpis = json_object_get(v, "kpis");
	ck_assert_int_eq(json_array_size(kpis), 2);
	ck_assert_str_eq(jstr(json_array_get(kpis, 0), "kpi"), "t_mean");
	ck_assert_str_eq(jstr(json_array_get(kpis, 1), "kpi"), "t_rare");
	acct = json_array_get(json_object_get(json_array_get(kpis, 0), "accounts"), 0);
	ck_assert_str_eq(jstr(acct, "account"), "nordmill");
	/* session 2025-02-10..11: baseline 2024-11-12..2025-02-09, follow-up
	 * from 2025-02-25 for 90 days */
	out = SH("sqlite3 '%s/casebook.db' \"SELECT printf('%%.9f %%.9f',"
		 " avg(CASE WHEN o.at >= strftime('%%s','2024-11-12') AND o.at < strftime('%%s','2025-02-10') THEN o.value END),"
		 " avg(CASE WHEN o.at >= strftime('%%s','2025-02-25') AND o.at < strftime('%%s','2025-05-26') THEN o.value END))"
		 " FROM observation o JOIN account a ON a.id = o.account_id JOIN measure m ON m.id = o.measure_id"
		 " WHERE m.key = 't.score' AND a.key = 'nordmill'\"",
		 ws);
	snprintf(want, sizeof(want), "%.9f %.9f\n", json_real_value(json_object_get(acct, "baseline")),
		 json_real_value(json_object_get(acct, "follow_up")));
	ck_assert_str_eq(out, want);
	free(out);
	json_decref(v);
	/* --kpi overrides the claims; the text says what was asked */
	r = RUN(ws, "impact", "--case", "impact-at-nordmill", "--kpi", "t_rare");
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert(cbt_has(r.out, "Impact of case impact-at-nordmill: 1 session"));
	ck_assert(cbt_has(r.out, "L3 behaviour 1 case study citing these sessions (0 approved or published)"));
	ck_assert(!cbt_has(r.out, "t_mean"));
	cbt_run_free(&r);
	REFUSED(ws, 1, "unknown case study 'impact-at-nordmil' (did you mean 'impact-at-nordmill'?)",
		"impact", "--case", "impact-at-nordmil");
	REFUSED(ws, 2, "--by compares the sessions of one --program", "impact", "--case",
		"impact-at-nordmill", "--by", "format");
	/* the case's account bears its share of the session's cost: one of
	 * the two accounts it reached (brightwater by link, nordmill the case's) */
	OK(ws, "session", "edit", "tco-2025-02-10", "--cost", "9000", "--currency", "EUR",
	   "--add-account", "brightwater");
	v = JSON(ws, "impact", "--case", "impact-at-nordmill", "--control", "none", "--json");
	ck_assert_double_eq_tol(json_real_value(json_object_get(json_object_get(v, "cost"), "amount")), 4500, 1e-9);
	ck_assert_double_eq_tol(json_real_value(json_object_get(json_object_get(v, "cost"), "sessions_total")),
				9000, 1e-9);
	json_decref(v);
	v = JSON(ws, "impact", "--session", "tco-2025-02-10", "--control", "none", "--json");
	ck_assert_double_eq_tol(json_real_value(json_object_get(json_object_get(v, "cost"), "amount")), 9000, 1e-9);
	json_decref(v);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Sync between two workspaces through one bare remote                  */

/* A remote that holds a malformed case.md (or review log): sync checks
 * everything it would bring in before it moves main, names the file and
 * the commit, and moves nothing; the same file pushed straight into the
 * repository is named by check, and reindex indexes the rest. */
START_TEST(a_bad_file_never_wedges_the_workspace)
{
	char *tmp = cbt_tempdir(), remote[4096], clone[4200], *p, *out, *head, *before;
	cbt_run r;

	snprintf(remote, sizeof(remote), "%s/cases.git", tmp);
	snprintf(clone, sizeof(clone), "%s/clone", tmp);
	free(SH("git init -q --bare '%s'", remote));
	p = write_doc(ws, "a.md", "Case from A", "jo", "nordmill", "");
	OK(ws, "case", "submit", p);
	free(p);
	OK(ws, "case", "sync", remote);
	/* someone pushes a broken case.md to the shared repository */
	free(SH("git clone -q -b main '%s' '%s' 2>&1 && cd '%s' && mkdir -p %s && "
		"printf -- '---\\ntitle: [unclosed\\n---\\n' > %s/case.md && git add . && "
		"git -c user.name=Mallory -c user.email=m@x.example commit -q -m bad && "
		"git push -q origin HEAD:main 2>&1",
		remote, clone, clone, cbt_case_dir("broken"), cbt_case_dir("broken")));
	head = SH("git -C '%s/cases' rev-parse main", ws);
	before = cbt_db_dump(ws);
	r = RUN(ws, "case", "sync");
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(cbt_has(r.err, "the remote brings in a file that is not valid, so nothing moved: cases/") &&
			      cbt_has(r.err, "/broken/case.md:2") && cbt_has(r.err, ", Mallory); fix it there"),
		      "%s", r.err);
	cbt_run_free(&r);
	out = SH("git -C '%s/cases' rev-parse main", ws);
	ck_assert_str_eq(out, head); /* main did not move */
	free(out);
	out = cbt_db_dump(ws);
	ck_assert_str_eq(out, before);
	free(out);
	OK(ws, "check");
	/* a broken review log is refused the same way */
	free(SH("cd '%s' && git rm -q -r %s && printf 'not a review\\n' > %s/reviews.log && "
		"git add . && git -c user.name=Mallory -c user.email=m@x.example commit -q -m log && "
		"git push -q origin HEAD:main 2>&1",
		clone, cbt_case_dir("broken"), cbt_case_dir("case-from-a")));
	REFUSED(ws, 1, "/case-from-a/reviews.log:1: not a review line", "case", "sync");
	free(SH("cd '%s' && git reset -q --hard HEAD~2 && git push -q -f origin HEAD:main 2>&1", clone));
	OK(ws, "case", "sync");

	/* pushed straight into this workspace's repository, past sync */
	free(SH("cd '%s' && mkdir -p %s && printf -- '---\\ntitle: x\\n' > %s/case.md && git add . && "
		"git -c user.name=Mallory -c user.email=m@x.example commit -q -m bad && "
		"git push -q '%s/cases' HEAD:main 2>&1",
		clone, cbt_case_dir("broken"), cbt_case_dir("broken"), ws));
	p = write_doc(ws, "b.md", "Case B", "jo", "nordmill", "");
	free(SH("cd '%s' && git pull -q 2>&1; true", clone));
	r = RUN(ws, "check");
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(cbt_has(r.err, "case 'broken' in the repository is not a valid case study: cases/") &&
			      cbt_has(r.err, "/broken/case.md"),
		      "%s", r.err);
	cbt_run_free(&r);
	/* reindex takes the valid ones and names the bad one */
	free(SH("sqlite3 '%s/casebook.db' 'PRAGMA foreign_keys = ON; DELETE FROM case_study'", ws));
	r = RUN(ws, "reindex", "--json");
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_msg(cbt_has(r.out, "\"added\": 1") && cbt_has(r.out, "\"invalid\": 1"), "%s", r.out);
	ck_assert_msg(cbt_has(r.err, "warning: not indexed, not a valid case study: cases/") &&
			      cbt_has(r.err, "/broken/case.md"),
		      "%s", r.err);
	cbt_run_free(&r);
	/* and the workspace still takes new cases */
	OK(ws, "case", "submit", p);
	{
		json_t *v = JSON(ws, "case", "list", "--json");

		ck_assert_int_eq(json_array_size(v), 2);
		json_decref(v);
	}
	free(p);
	free(head);
	free(before);
	cbt_rmrf(tmp);
	free(tmp);
}
END_TEST

START_TEST(sync_two_workspaces)
{
	char *tmp = cbt_tempdir(), remote[4096], *b = cbt_workspace(), *p, *out, *head_a;
	char *remote_before, *b_log;
	int b_commits;
	cbt_run r;
	json_t *v;

	populate(b);
	snprintf(remote, sizeof(remote), "%s/cases.git", tmp);
	free(SH("git init -q --bare '%s'", remote));
	/* nothing remembered yet */
	REFUSED(ws, 2, "no remote given and none remembered", "case", "sync");
	p = write_doc(ws, "a.md", "Case from A", "jo", "nordmill", claim_agrees);
	OK(ws, "case", "submit", p);
	free(p);
	r = RUN(ws, "case", "sync", remote);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert(cbt_has(r.out, "pushed ours"));
	cbt_run_free(&r);
	/* B joins: its case repository becomes a clone of the shared one */
	free(SH("rm -rf '%s/cases' && git clone -q --bare -b main '%s' '%s/cases' 2>&1", b, remote, b));
	r = RUN(b, "check");
	ck_assert_int_eq(r.status, 1);
	ck_assert(cbt_has(r.err, "case 'case-from-a' is in the repository but missing from the index"));
	cbt_run_free(&r);
	OK(b, "reindex");
	OK(b, "check");

	/* edits of different cases both land */
	p = write_doc(b, "b.md", "Case from B", "lee", "brightwater", "");
	OK(b, "case", "submit", p);
	free(p);
	OK(ws, "case", "review", "case-from-a", "--reviewer", "ana", "--decision", "approve");
	OK(ws, "case", "sync"); /* the remembered remote */
	r = RUN(b, "case", "sync", remote, "--json");
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert(cbt_has(r.out, "\"merged\": true") && cbt_has(r.out, "\"pushed\": true"));
	cbt_run_free(&r);
	OK(ws, "case", "sync");
	for (int side = 0; side < 2; side++) {
		const char *dir = side ? b : ws;

		v = JSON(dir, "case", "list", "--json");
		ck_assert_int_eq(json_array_size(v), 2);
		ck_assert_str_eq(jstr(json_array_get(v, 0), "slug"), "case-from-a");
		ck_assert_str_eq(jstr(json_array_get(v, 0), "status"), "approved");
		ck_assert_str_eq(jstr(json_array_get(v, 1), "slug"), "case-from-b");
		json_decref(v);
		OK(dir, "check");
		free(SH("git -C '%s/cases' fsck --strict 2>&1", dir));
	}
	free(SH("git -C '%s' fsck --strict 2>&1", remote));

	/* a real conflict: both revise the same line of the same case */
	p = write_doc(ws, "a2.md", "Case from A, as A sees it", "jo", "nordmill", claim_agrees);
	OK(ws, "case", "revise", "case-from-a", p);
	free(p);
	p = write_doc(b, "a2.md", "Case from A, as B sees it", "jo", "nordmill", claim_agrees);
	OK(b, "case", "revise", "case-from-a", p);
	free(p);
	OK(ws, "case", "sync");
	remote_before = SH("git -C '%s' rev-parse main", remote);
	head_a = SH("git -C '%s/cases' rev-parse main", ws);
	ck_assert_str_eq(remote_before, head_a);
	b_log = SH("git -C '%s/cases' log --format=%%H main", b);
	b_commits = git_count(b);
	REFUSED(b, 1, "case-from-a/case.md", "case", "sync");
	r = RUN(b, "case", "sync");
	ck_assert(cbt_has(r.err, "in ways that conflict; nothing was changed on either side"));
	cbt_run_free(&r);
	/* nothing lost on either side */
	ck_assert_int_eq(git_count(b), b_commits);
	out = SH("git -C '%s/cases' log --format=%%H main", b);
	ck_assert_str_eq(out, b_log);
	free(out);
	out = SH("git -C '%s' rev-parse main", remote);
	ck_assert_str_eq(out, remote_before);
	free(out);
	v = JSON(b, "case", "show", "case-from-a", "--json");
	ck_assert_str_eq(jstr(v, "title"), "Case from A, as B sees it");
	json_decref(v);
	v = JSON(ws, "case", "show", "case-from-a", "--json");
	ck_assert_str_eq(jstr(v, "title"), "Case from A, as A sees it");
	json_decref(v);
	OK(b, "check");
	/* the other side's text stays readable at casebook-sync/main */
	v = JSON(b, "case", "show", "case-from-a", "--rev", "casebook-sync/main", "--json");
	ck_assert_str_eq(jstr(v, "title"), "Case from A, as A sees it");
	json_decref(v);

	free(b_log);
	free(remote_before);
	free(head_a);
	cbt_rmrf(b);
	free(b);
	cbt_rmrf(tmp);
	free(tmp);
}
END_TEST

/* The template and examples shipped in casestudies/ are accepted as they
 * are, against the built-in KPI catalog (no workspace plugin needed). */
START_TEST(shipped_template_and_examples_submit)
{
	static const char *const files[] = {"brightwater-first-time-fix", "castellan-outcome-agreement",
					    "nordmill-condition-monitoring"};
	char path[4096];
	json_t *v;

	OK(ws, "person", "add", "lconti", "--name", "Luca Conti", "--role", "technician");
	OK(ws, "person", "add", "mdubois", "--name", "Mika Dubois", "--role", "technician");
	OK(ws, "person", "add", "jberger", "--name", "Jana Berger", "--role", "technician");
	OK(ws, "account", "add", "castellan", "--name", "Castellan Plastics");
	OK(ws, "cover", "lconti", "brightwater", "--from", "2024-01-01");
	OK(ws, "cover", "mdubois", "castellan", "--from", "2024-01-01");
	OK(ws, "cover", "jberger", "nordmill", "--from", "2024-01-01");
	for (int i = 0; i < 3; i++) {
		static const char *const starts[] = {"2025-03-04", "2025-03-18", "2025-04-08"};

		OK(ws, "session", "record", "--program", "tco", "--title", "More", "--format",
		   "virtual", "--start", starts[i], "--end", starts[i], "--trainer", "ana");
	}
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/casestudies/examples/%s.md", CASEBOOK_SOURCE_DIR,
			 files[i]);
		OK(ws, "case", "submit", path, "--slug", files[i]);
	}
	snprintf(path, sizeof(path), "%s/casestudies/TEMPLATE.md", CASEBOOK_SOURCE_DIR);
	OK(ws, "case", "submit", path, "--slug", "template");
	v = JSON(ws, "case", "list", "--json");
	ck_assert_int_eq(json_array_size(v), 4);
	json_decref(v);
	v = JSON(ws, "case", "list", "--kpi", "first_time_fix_rate", "--json");
	ck_assert_int_eq(json_array_size(v), 3);
	json_decref(v);
	OK(ws, "check");
}
END_TEST

START_TEST(help_and_usage)
{
	cbt_run r;

	r = RUN(NULL, "case", "--help");
	ck_assert_int_eq(r.status, 0);
	ck_assert(cbt_has(r.out, "usage: casebook case VERB"));
	ck_assert(cbt_has(r.out, "withdraw withdraw your own case (final)"));
	cbt_run_free(&r);
	r = RUN(NULL, "case", "withdraw", "--help");
	ck_assert_int_eq(r.status, 0);
	ck_assert(cbt_has(r.out, "usage: casebook case withdraw SLUG [--by PERSON] [--reason TEXT]"));
	cbt_run_free(&r);
	r = RUN(NULL, "case", "review", "--help");
	ck_assert_int_eq(r.status, 0);
	ck_assert(cbt_has(r.out, "--decision approve|changes|reject"));
	ck_assert(cbt_has(r.out, "--despite-evidence REASON"));
	cbt_run_free(&r);
	REFUSED(ws, 2, "case withdraw takes one SLUG", "case", "withdraw");
	r = RUN(NULL, "reindex", "--help");
	ck_assert_int_eq(r.status, 0);
	ck_assert(cbt_has(r.out, "usage: casebook reindex"));
	cbt_run_free(&r);
	r = RUN(ws, "case", "sumbit", "x");
	ck_assert_int_eq(r.status, 2);
	ck_assert(cbt_has(r.err, "did you mean 'case submit'"));
	cbt_run_free(&r);
	REFUSED(ws, 2, "case show has no --csv", "case", "show", "x", "--csv");
	REFUSED(ws, 1, "there is no case 'nothing-here'", "case", "show", "nothing-here");
	REFUSED(ws, 1, "there is no case 'nothing-here'", "case", "log", "nothing-here");
	/* case new without keys needs no workspace and writes to stdout */
	r = RUN(NULL, "case", "new");
	ck_assert_int_eq(r.status, 0);
	ck_assert(cbt_has(r.out, "technician: your-person-key\n"));
	ck_assert(cbt_has(r.out, "## Outcome\n"));
	cbt_run_free(&r);
	REFUSED(ws, 1, "--technician: person 'ana' cannot be the technician", "case", "new",
		"--technician", "ana");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("app/case");
	TCase *tc = tcase_create("case");

	tcase_set_timeout(tc, 300);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, whole_workflow_in_git_and_index);
	tcase_add_test(tc, the_unedited_template_is_refused);
	tcase_add_test(tc, an_uncovered_account_needs_to_be_allowed);
	tcase_add_test(tc, reviewers_train_a_cited_session_or_consult);
	tcase_add_test(tc, slugs_spell_titles_in_ascii);
	tcase_add_test(tc, approving_against_the_evidence);
	tcase_add_test(tc, reject_and_withdraw_end_a_case);
	tcase_add_test(tc, workflow_states_are_enforced);
	tcase_add_test(tc, bad_slugs_are_refused);
	tcase_add_test(tc, bad_documents_are_refused);
	tcase_add_test(tc, several_files_go_in_together_or_not_at_all);
	tcase_add_test(tc, a_folder_submits_its_md_files);
	tcase_add_test(tc, plugin_hooks_can_reject_a_submission);
	tcase_add_test(tc, crash_between_git_and_database_is_mended_by_reindex);
	tcase_add_test(tc, stale_locks_are_reported_and_removed);
	tcase_add_test(tc, a_crash_after_a_batch_is_mended_by_reindex);
	tcase_add_test(tc, check_finds_stale_and_extra_cases_and_reindex_mends_them);
	tcase_add_test(tc, list_filters);
	tcase_add_test(tc, evidence_agrees_disagrees_and_no_data);
	tcase_add_test(tc, impact_of_a_case_study);
	tcase_add_test(tc, sync_two_workspaces);
	tcase_add_test(tc, a_bad_file_never_wedges_the_workspace);
	tcase_add_test(tc, shipped_template_and_examples_submit);
	tcase_add_test(tc, help_and_usage);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
