/* The case-study repository: case revisions and reviews as commits, reading
 * them back, and sync through a bare remote, all on real repositories
 * checked afterwards with the real git command line. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "repo/case.h"
#include "repo/repo.h"
#include "testlib.h"

static char *tmp;
static char cases[4096];
static cb_repo *repo;

static const cb_repo_author jana = {"Jana Berger", "jberger@service.example", 0};
static const cb_repo_author luca = {"Luca Conti", "lconti@service.example", 0};
static const cb_repo_author ana = {"Ana Martin", "amartin@service.example", 0};

static const char v1[] = "---\ntitle: Heat pumps\n---\n\n## Situation\n\nOld chillers.\n";
static const char v2[] = "---\ntitle: Heat pumps at Nordmill\n---\n\n## Situation\n\nOld chillers.\nTwo of them.\n";

static void setup(void)
{
	tmp = cbt_tempdir();
	snprintf(cases, sizeof(cases), "%s/cases", tmp);
	ck_assert_int_eq(cb_repo_init(cases, &repo), 0);
}

static void teardown(void)
{
	cb_repo_close(repo);
	repo = NULL;
	cbt_rmrf(tmp);
	free(tmp);
}

/* Runs a shell command line that must succeed; returns its output. */
static char *sh_ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *sh_ok(const char *fmt, ...)
{
	char cmd[8192], *out;
	va_list ap;
	int st = -1;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	out = cbt_sh(&st, "%s", cmd);
	ck_assert_msg(st == 0, "command failed (%d): %s: %s", st, cmd, out);
	return out;
}

#define GIT_OK sh_ok

/* git fsck --strict passes and git sees a bare repository. */
static void assert_sound(const char *dir)
{
	char *out = GIT_OK("git -C '%s' fsck --strict 2>&1", dir);

	free(out);
	out = GIT_OK("git -C '%s' rev-parse --is-bare-repository", dir);
	ck_assert_str_eq(out, "true\n");
	free(out);
}

#define dir_of cbt_case_dir

static char *head_of(const char *dir)
{
	return GIT_OK("git -C '%s' rev-parse main", dir);
}

static void commit_ok(cb_repo *r, const char *slug, const char *text, cb_repo_case_mode mode,
		      const cb_repo_author *who, char id[41])
{
	int rc = cb_repo_case_commit(r, slug, text, strlen(text), mode, who, NULL, id);

	ck_assert_msg(rc == 0, "commit %s: %s", slug, cb_error_last());
}

START_TEST(slugs_are_checked)
{
	static const char *const good[] = {"nordmill-heat-pumps", "a", "a1-b2", "2025-q1"};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(cb_repo_slug_check(good[i]) == 0, "%s", good[i]);
	ck_assert_int_eq(cb_repo_slug_check(""), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "case slug is empty");
	ck_assert_int_eq(cb_repo_slug_check(NULL), CB_EINVALID);
	ck_assert_int_eq(cb_repo_slug_check("-a"), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "case slug '-a' must not start or end with '-'");
	ck_assert_int_eq(cb_repo_slug_check("a-"), CB_EINVALID);
	ck_assert_int_eq(cb_repo_slug_check("Nordmill"), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(),
			 "case slug 'Nordmill' may hold only lowercase letters a-z, digits and '-' (found 'N')");
	ck_assert_int_eq(cb_repo_slug_check("a/b"), CB_EINVALID);
	ck_assert(cbt_has(cb_error_last(), "(found '/')"));
	ck_assert_int_eq(cb_repo_slug_check(".."), CB_EINVALID);
	ck_assert_int_eq(cb_repo_slug_check("a..b"), CB_EINVALID);
	ck_assert_int_eq(cb_repo_slug_check("a b"), CB_EINVALID);
	ck_assert_int_eq(cb_repo_slug_check("caf\xC3\xA9"), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(),
			 "case slug holds the byte 0xC3 at offset 3; a slug holds only a-z, 0-9 and '-'");
	ck_assert_int_eq(cb_repo_slug_check("a\x1b[31m"), CB_EINVALID);
	ck_assert(!cbt_has(cb_error_last(), "\x1b"));
	ck_assert_int_eq(cb_repo_slug_check("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), 0);
	ck_assert_int_eq(cb_repo_slug_check("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
			 CB_EINVALID);
	ck_assert(cbt_has(cb_error_last(), "is 65 bytes long; the limit is 64"));
	/* and every function taking a slug refuses a bad one, changing nothing */
	{
		char *before = head_of(cases), *after, *text;
		size_t len;

		ck_assert_int_eq(cb_repo_case_commit(repo, "../escape", v1, strlen(v1),
						     CB_REPO_CASE_ANY, &jana, NULL, NULL),
				 CB_EINVALID);
		ck_assert_int_eq(cb_repo_case_review(repo, "a/b", "approved", &ana, NULL, NULL),
				 CB_EINVALID);
		ck_assert_int_eq(cb_repo_case_read(repo, "..", NULL, &text, &len), CB_EINVALID);
		after = head_of(cases);
		ck_assert_str_eq(before, after);
		free(before);
		free(after);
	}
}
END_TEST

START_TEST(a_case_is_created_and_revised_as_commits_by_the_technician)
{
	char id1[41], id2[41], *out, *text, path[4200];
	size_t len;

	commit_ok(repo, "nordmill-heat-pumps", v1, CB_REPO_CASE_CREATE, &jana, id1);
	ck_assert_int_eq(cb_repo_case_commit(repo, "nordmill-heat-pumps", v2, strlen(v2),
					     CB_REPO_CASE_REVISE, &jana,
					     "Add the second chiller\n\nAs Luca asked.", id2),
			 0);
	assert_sound(cases);
	out = GIT_OK("git -C '%s' log --format='%%H|%%an|%%ae|%%cn|%%s' main", cases);
	{
		char want[512];

		snprintf(want, sizeof(want),
			 "%s|Jana Berger|jberger@service.example|Jana Berger|Add the second chiller\n"
			 "%s|Jana Berger|jberger@service.example|Jana Berger|Add case nordmill-heat-pumps\n",
			 id2, id1);
		ck_assert(strncmp(out, want, strlen(want)) == 0);
		ck_assert(cbt_has(out, "|Casebook|casebook@localhost|Casebook|Start the case-study repository\n"));
	}
	free(out);
	out = GIT_OK("git -C '%s' log -1 --format=%%B main", cases);
	ck_assert_str_eq(out, "Add the second chiller\n\nAs Luca asked.\n\n");
	free(out);
	/* main holds the latest text at SHARD/SLUG/case.md, HEAD points at main */
	(void)path;
	out = GIT_OK("git -C '%s' show main:%s/case.md", cases, dir_of("nordmill-heat-pumps"));
	ck_assert_str_eq(out, v2);
	free(out);
	out = GIT_OK("git -C '%s' symbolic-ref HEAD", cases);
	ck_assert_str_eq(out, "refs/heads/main\n");
	free(out);
	/* read back at revisions */
	ck_assert_int_eq(cb_repo_case_read(repo, "nordmill-heat-pumps", NULL, &text, &len), 0);
	ck_assert_str_eq(text, v2);
	ck_assert_uint_eq(len, strlen(v2));
	free(text);
	ck_assert_int_eq(cb_repo_case_read(repo, "nordmill-heat-pumps", "HEAD~1", &text, &len), 0);
	ck_assert_str_eq(text, v1);
	free(text);
	ck_assert_int_eq(cb_repo_case_read(repo, "nordmill-heat-pumps", id1, &text, &len), 0);
	ck_assert_str_eq(text, v1);
	free(text);
	ck_assert_int_eq(cb_repo_case_read(repo, "nordmill-heat-pumps", "HEAD~2", &text, &len),
			 CB_ENOTFOUND);
	ck_assert_str_eq(cb_error_last(), "case 'nordmill-heat-pumps' does not exist at revision HEAD~2");
	ck_assert_int_eq(cb_repo_case_read(repo, "nordmill-heat-pumps", "nosuchrev", &text, &len),
			 CB_ENOTFOUND);
	ck_assert_str_eq(cb_error_last(), "revision 'nosuchrev' does not exist in the case-study repository");
	ck_assert_ptr_null(text);
	ck_assert_int_eq(cb_repo_case_read(repo, "other", NULL, &text, &len), CB_ENOTFOUND);
	/* a clone holds it all */
	out = GIT_OK("git clone -q '%s' '%s/clone' 2>&1 && cat '%s/clone/%s/case.md'", cases, tmp,
		     tmp, dir_of("nordmill-heat-pumps"));
	ck_assert_str_eq(out, v2);
	free(out);
	out = GIT_OK("git -C '%s/clone' log --format=%%an main -- %s", tmp,
		     dir_of("nordmill-heat-pumps"));
	ck_assert_str_eq(out, "Jana Berger\nJana Berger\n");
	free(out);
	assert_sound(cases);
}
END_TEST

START_TEST(refused_commits_change_nothing)
{
	char *before, *after, *big, path[4200];
	const cb_repo_author no_mail = {"Jana Berger", "", 0};
	const cb_repo_author angle = {"Jana <x>", "j@x", 0};
	const cb_repo_author spaced = {"Jana", "j @x", 0};

	commit_ok(repo, "nordmill", v1, CB_REPO_CASE_CREATE, &jana, NULL);
	before = head_of(cases);
	ck_assert_int_eq(cb_repo_case_commit(repo, "nordmill", v2, strlen(v2), CB_REPO_CASE_CREATE,
					     &jana, NULL, NULL),
			 CB_EEXISTS);
	ck_assert_str_eq(cb_error_last(), "case 'nordmill' already exists");
	ck_assert_int_eq(cb_repo_case_commit(repo, "hafenwerk", v2, strlen(v2), CB_REPO_CASE_REVISE,
					     &jana, NULL, NULL),
			 CB_ENOTFOUND);
	ck_assert_str_eq(cb_error_last(), "case 'hafenwerk' does not exist");
	ck_assert_int_eq(cb_repo_case_commit(repo, "nordmill", v1, strlen(v1), CB_REPO_CASE_ANY,
					     &jana, NULL, NULL),
			 CB_EINVALID);
	{
		char want[256];

		snprintf(want, sizeof(want), "nothing to commit: %s/case.md already holds this text at main",
			 dir_of("nordmill"));
		ck_assert_str_eq(cb_error_last(), want);
	}
	ck_assert_int_eq(cb_repo_case_commit(repo, "nordmill", "", 0, CB_REPO_CASE_ANY, &jana, NULL, NULL),
			 CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "case 'nordmill': the text is empty");
	ck_assert_int_eq(cb_repo_case_commit(repo, "nordmill", "a\0b", 3, CB_REPO_CASE_ANY, &jana, NULL, NULL),
			 CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "case 'nordmill': the text holds a NUL byte");
	big = malloc(CB_REPO_CASE_MAX + 1);
	memset(big, 'x', CB_REPO_CASE_MAX + 1);
	ck_assert_int_eq(cb_repo_case_commit(repo, "nordmill", big, CB_REPO_CASE_MAX + 1,
					     CB_REPO_CASE_ANY, &jana, NULL, NULL),
			 CB_EINVALID);
	ck_assert_str_eq(cb_error_last(),
			 "case 'nordmill': the text is 262145 bytes long; the limit is 262144 bytes (256 KiB)");
	free(big);
	ck_assert_int_eq(cb_repo_case_commit(repo, "nordmill", v2, strlen(v2), CB_REPO_CASE_ANY,
					     &no_mail, NULL, NULL),
			 CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "author: email is empty");
	ck_assert_int_eq(cb_repo_case_commit(repo, "nordmill", v2, strlen(v2), CB_REPO_CASE_ANY,
					     &angle, NULL, NULL),
			 CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "author name 'Jana <x>' must not hold '<', '>' or tabs");
	ck_assert_int_eq(cb_repo_case_commit(repo, "nordmill", v2, strlen(v2), CB_REPO_CASE_ANY,
					     &spaced, NULL, NULL),
			 CB_EINVALID);
	ck_assert_int_eq(cb_repo_case_commit(repo, "nordmill", v2, strlen(v2), CB_REPO_CASE_ANY,
					     NULL, NULL, NULL),
			 CB_EINVALID);
	ck_assert_int_eq(cb_repo_case_commit(repo, "nordmill", v2, strlen(v2), CB_REPO_CASE_ANY,
					     &jana, "bad \x1b message", NULL),
			 CB_EINVALID);
	ck_assert(cbt_has(cb_error_last(), "commit message contains control character 0x1B"));
	after = head_of(cases);
	ck_assert_str_eq(before, after);
	free(after);
	assert_sound(cases);
	/* a commit pushed in with git meanwhile is built on, not lost */
	(void)path;
	free(GIT_OK("git clone -q '%s' '%s/hand' 2>&1 && cd '%s/hand' && echo 'hand edit' > %s/notes.txt && "
		    "git add . && git -c user.name=H -c user.email=h@x commit -qm hand && git push -q origin main 2>&1",
		    cases, tmp, tmp, dir_of("nordmill")));
	commit_ok(repo, "nordmill", v2, CB_REPO_CASE_ANY, &jana, NULL);
	after = GIT_OK("git -C '%s' log --format=%%s main | head -2", cases);
	ck_assert_str_eq(after, "Revise case nordmill\nhand\n");
	free(after);
	assert_sound(cases);
	free(before);
}
END_TEST

START_TEST(reviews_are_commits_by_the_reviewer)
{
	char case_id[41], review_id[41], *out;
	cb_repo_review *reviews;
	size_t n;

	commit_ok(repo, "nordmill", v1, CB_REPO_CASE_CREATE, &jana, case_id);
	ck_assert_int_eq(cb_repo_case_review(repo, "nordmill", "changes-requested", &ana,
					     "Say which KPI moved.\nAnd by how much\\why.", review_id),
			 0);
	assert_sound(cases);
	out = GIT_OK("git -C '%s' log -1 --format='%%H|%%an|%%ae|%%B' main", cases);
	{
		char want[512];

		snprintf(want, sizeof(want),
			 "%s|Ana Martin|amartin@service.example|Review nordmill: changes-requested\n\n"
			 "Say which KPI moved.\nAnd by how much\\why.\n\n",
			 review_id);
		ck_assert_str_eq(out, want);
	}
	free(out);
	out = GIT_OK("git -C '%s' show main:%s/reviews.log | cut -f2-", cases, dir_of("nordmill"));
	{
		char want[512];

		snprintf(want, sizeof(want),
			 "changes-requested\t%s\tAna Martin <amartin@service.example>\tSay which KPI moved.\\nAnd by how much\\\\why.\n",
			 case_id);
		ck_assert_str_eq(out, want);
	}
	free(out);
	/* the case text is untouched; a second review appends */
	out = GIT_OK("git -C '%s' diff --stat HEAD~1 HEAD", cases);
	ck_assert(cbt_has(out, "/nordmill/reviews.log | 1 +"));
	ck_assert(!cbt_has(out, "case.md"));
	free(out);
	commit_ok(repo, "nordmill", v2, CB_REPO_CASE_REVISE, &jana, case_id);
	ck_assert_int_eq(cb_repo_case_review(repo, "nordmill", "approved", &ana, NULL, NULL), 0);
	ck_assert_int_eq(cb_repo_case_reviews(repo, "nordmill", NULL, &reviews, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(reviews[0].decision, "changes-requested");
	ck_assert_str_eq(reviews[0].comment, "Say which KPI moved.\nAnd by how much\\why.");
	ck_assert_str_eq(reviews[0].name, "Ana Martin");
	ck_assert_str_eq(reviews[0].email, "amartin@service.example");
	ck_assert_str_eq(reviews[1].decision, "approved");
	ck_assert_str_eq(reviews[1].revision, case_id); /* the revised text was approved */
	ck_assert_str_eq(reviews[1].comment, "");
	ck_assert_int_ge(reviews[1].time, reviews[0].time);
	cb_repo_reviews_free(reviews, n);
	/* at an older revision only the first review exists */
	ck_assert_int_eq(cb_repo_case_reviews(repo, "nordmill", "HEAD~1", &reviews, &n), 0);
	ck_assert_uint_eq(n, 1);
	cb_repo_reviews_free(reviews, n);
	ck_assert_int_eq(cb_repo_case_reviews(repo, "hafenwerk", NULL, &reviews, &n), 0);
	ck_assert_uint_eq(n, 0);
	assert_sound(cases);
}
END_TEST

START_TEST(bad_reviews_change_nothing)
{
	char *before, *after;

	commit_ok(repo, "nordmill", v1, CB_REPO_CASE_CREATE, &jana, NULL);
	before = head_of(cases);
	ck_assert_int_eq(cb_repo_case_review(repo, "hafenwerk", "approved", &ana, NULL, NULL),
			 CB_ENOTFOUND);
	ck_assert_str_eq(cb_error_last(), "case 'hafenwerk' does not exist");
	ck_assert_int_eq(cb_repo_case_review(repo, "nordmill", "Approved!", &ana, NULL, NULL),
			 CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "review decision 'Approved!' must be a word of a-z and '-'");
	ck_assert_int_eq(cb_repo_case_review(repo, "nordmill", "", &ana, NULL, NULL), CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "review decision is empty");
	ck_assert_int_eq(cb_repo_case_review(repo, "nordmill", "approved", &ana, "bell\a", NULL),
			 CB_EINVALID);
	ck_assert(cbt_has(cb_error_last(), "review comment contains control character 0x07"));
	ck_assert_int_eq(cb_repo_case_review(repo, "nordmill", "approved", NULL, NULL, NULL),
			 CB_EINVALID);
	ck_assert_str_eq(cb_error_last(), "reviewer needs a name and an email address");
	after = head_of(cases);
	ck_assert_str_eq(before, after);
	free(after);
	free(before);
	assert_sound(cases);
}
END_TEST

START_TEST(the_log_lists_a_cases_commits_newest_first)
{
	char c1[41], c2[41], c3[41], r1[41];
	cb_repo_commit *log;
	size_t n;

	commit_ok(repo, "nordmill", v1, CB_REPO_CASE_CREATE, &jana, c1);
	commit_ok(repo, "hafenwerk", v1, CB_REPO_CASE_CREATE, &luca, c2);
	ck_assert_int_eq(cb_repo_case_review(repo, "nordmill", "approved", &ana, "Good.", r1), 0);
	commit_ok(repo, "nordmill", v2, CB_REPO_CASE_REVISE, &jana, c3);
	ck_assert_int_eq(cb_repo_case_log(repo, "nordmill", &log, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(log[0].id, c3);
	ck_assert_uint_eq(log[0].changes, CB_REPO_CHANGED_CASE);
	ck_assert_str_eq(log[0].message, "Revise case nordmill\n");
	ck_assert_str_eq(log[1].id, r1);
	ck_assert_uint_eq(log[1].changes, CB_REPO_CHANGED_REVIEWS);
	ck_assert_str_eq(log[1].author_name, "Ana Martin");
	ck_assert_str_eq(log[1].author_email, "amartin@service.example");
	ck_assert_str_eq(log[1].message, "Review nordmill: approved\n\nGood.\n");
	ck_assert_str_eq(log[2].id, c1);
	ck_assert_str_eq(log[2].author_name, "Jana Berger");
	ck_assert_int_gt(log[2].time, 1700000000);
	ck_assert_int_ge(log[0].time, log[2].time);
	cb_repo_commits_free(log, n);
	/* the same as git's own view */
	{
		char *out = GIT_OK("git -C '%s' log --format=%%H main -- %s", cases, dir_of("nordmill")),
		     want[200];

		snprintf(want, sizeof(want), "%s\n%s\n%s\n", c3, r1, c1);
		ck_assert_str_eq(out, want);
		free(out);
	}
	ck_assert_int_eq(cb_repo_case_log(repo, "hafenwerk", &log, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(log[0].id, c2);
	ck_assert_str_eq(log[0].author_name, "Luca Conti");
	cb_repo_commits_free(log, n);
	ck_assert_int_eq(cb_repo_case_log(repo, "never-written", &log, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(cb_repo_case_log(repo, "Bad", &log, &n), CB_EINVALID);
}
END_TEST

START_TEST(diffs_between_revisions)
{
	char c1[41], c2[41], *diff, head[512];
	const char *d = dir_of("nordmill");

	commit_ok(repo, "nordmill", v1, CB_REPO_CASE_CREATE, &jana, c1);
	commit_ok(repo, "nordmill", v2, CB_REPO_CASE_REVISE, &jana, c2);
	/* a review after the revision does not change what "latest" means */
	ck_assert_int_eq(cb_repo_case_review(repo, "nordmill", "approved", &ana, NULL, NULL), 0);
	ck_assert_int_eq(cb_repo_case_diff(repo, "nordmill", NULL, NULL, &diff), 0);
	snprintf(head, sizeof(head),
		 "diff --git a/%s/case.md b/%s/case.md\n"
		 "index 303f6f0..ab11746 100644\n"
		 "--- a/%s/case.md\n"
		 "+++ b/%s/case.md\n",
		 d, d, d, d);
	ck_assert_msg(strncmp(diff, head, strlen(head)) == 0, "%s", diff);
	ck_assert_str_eq(diff + strlen(head),
			 "@@ -1,7 +1,8 @@\n"
			 " ---\n"
			 "-title: Heat pumps\n"
			 "+title: Heat pumps at Nordmill\n"
			 " ---\n"
			 " \n"
			 " ## Situation\n"
			 " \n"
			 " Old chillers.\n"
			 "+Two of them.\n");
	{
		/* what git itself prints for the same revisions */
		char *git = GIT_OK("git -C '%s' diff %s %s -- %s/case.md", cases, c1, c2, d);

		ck_assert(cbt_has(git, diff + strlen(head)));
		free(git);
	}
	free(diff);
	/* explicit revisions, reversed */
	ck_assert_int_eq(cb_repo_case_diff(repo, "nordmill", c2, c1, &diff), 0);
	ck_assert(cbt_has(diff, "-title: Heat pumps at Nordmill\n+title: Heat pumps\n"));
	free(diff);
	/* the first revision against nothing */
	ck_assert_int_eq(cb_repo_case_diff(repo, "nordmill", NULL, c1, &diff), 0);
	snprintf(head, sizeof(head), "--- /dev/null\n+++ b/%s/case.md\n@@ -0,0 +1,7 @@\n+---\n", d);
	ck_assert(cbt_has(diff, head));
	free(diff);
	/* equal sides */
	ck_assert_int_eq(cb_repo_case_diff(repo, "nordmill", "HEAD", c2, &diff), 0);
	ck_assert_str_eq(diff, "");
	free(diff);
	ck_assert_int_eq(cb_repo_case_diff(repo, "nordmill", "nope", NULL, &diff), CB_ENOTFOUND);
	ck_assert_str_eq(cb_error_last(), "revision 'nope' does not exist in the case-study repository");
	ck_assert_ptr_null(diff);
	ck_assert_int_eq(cb_repo_case_diff(repo, "hafenwerk", NULL, NULL, &diff), CB_ENOTFOUND);
	ck_assert_str_eq(cb_error_last(), "case 'hafenwerk' does not exist at revision HEAD");
	ck_assert_int_eq(cb_repo_case_diff(repo, "nordmill", "HEAD\x1b", NULL, &diff), CB_EINVALID);
}
END_TEST

START_TEST(the_list_holds_the_cases_at_head)
{
	char **slugs;
	size_t n;

	ck_assert_int_eq(cb_repo_case_list(repo, &slugs, &n), 0);
	ck_assert_uint_eq(n, 0);
	cb_repo_slugs_free(slugs, n);
	commit_ok(repo, "nordmill", v1, CB_REPO_CASE_CREATE, &jana, NULL);
	commit_ok(repo, "brightwater-uptime", v1, CB_REPO_CASE_CREATE, &luca, NULL);
	commit_ok(repo, "hafenwerk", v1, CB_REPO_CASE_CREATE, &luca, NULL);
	/* a folder without case.md, one whose name is no slug, a case folder
	 * in the wrong shard or at the root (as an older layout had it) are
	 * not cases: pushed in from a clone */
	free(GIT_OK("git clone -q '%s' '%s/hand' 2>&1 && cd '%s/hand' && mkdir -p notes Odd ab/Odd 00/nordmill "
		    "zeta && echo x > notes/a.txt && echo y > Odd/case.md && echo y > ab/Odd/case.md && "
		    "echo y > 00/nordmill/case.md && echo y > zeta/case.md && "
		    "git add . && git -c user.name=T -c user.email=t@x commit -qm other && git push -q origin main 2>&1",
		    cases, tmp, tmp));
	ck_assert_str_ne(dir_of("nordmill"), "00/nordmill");
	ck_assert_int_eq(cb_repo_case_list(repo, &slugs, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(slugs[0], "brightwater-uptime");
	ck_assert_str_eq(slugs[1], "hafenwerk");
	ck_assert_str_eq(slugs[2], "nordmill");
	cb_repo_slugs_free(slugs, n);
}
END_TEST

/* ---- sync ---- */

static char remote[4200], a_dir[4200], b_dir[4200];

/* A: this test's repository, pushed to a new bare remote; B: a bare clone
 * of the remote made with the git command line (as a second workspace
 * joins). */
static cb_repo *two_sides(void)
{
	cb_repo_sync_result res;
	cb_repo *b;

	snprintf(remote, sizeof(remote), "%s/remote.git", tmp);
	snprintf(a_dir, sizeof(a_dir), "%s", cases);
	snprintf(b_dir, sizeof(b_dir), "%s/b", tmp);
	free(GIT_OK("git init -q --bare -b main '%s'", remote));
	ck_assert_msg(cb_repo_sync(repo, remote, NULL, &res) == 0, "%s", cb_error_last());
	ck_assert(res.pushed && !res.pulled);
	cb_repo_sync_result_clear(&res);
	free(GIT_OK("git clone -q --bare '%s' '%s' 2>&1", remote, b_dir));
	ck_assert_int_eq(cb_repo_open(b_dir, &b), 0);
	return b;
}

static void sync_ok(cb_repo *r, cb_repo_sync_result *res)
{
	ck_assert_msg(cb_repo_sync(r, remote, &ana, res) == 0, "sync: %s", cb_error_last());
}

/* ------------------------------------------------------------------ */
/* Batches                                                               */

/* "count: N\npacks: M\n" from git count-objects: loose objects and packs. */
static char *objects_of(const char *dir)
{
	return GIT_OK("git -C '%s' count-objects -v | grep -E '^(count|packs):'", dir);
}

/* main and the object files are as `head` and `objects` (head_of and
 * objects_of before) say. */
static void assert_untouched(const char *head, const char *objects)
{
	char *out = head_of(cases);

	ck_assert_str_eq(out, head);
	free(out);
	out = objects_of(cases);
	ck_assert_str_eq(out, objects);
	free(out);
}

START_TEST(a_batch_lands_as_one_pack_and_main_moves_once)
{
	char *before = head_of(cases), *objects = objects_of(cases), *out, *text, id[5][41];
	size_t len, n = 99;

	ck_assert_int_eq(cb_repo_batch_begin(repo), 0);
	ck_assert(cb_repo_in_batch(repo));
	ck_assert_int_eq(cb_repo_batch_begin(repo), CB_EREPO);
	ck_assert_str_eq(cb_error_last(), "a batch of commits is already open");
	commit_ok(repo, "nordmill-heat-pumps", v1, CB_REPO_CASE_CREATE, &jana, id[0]);
	commit_ok(repo, "brightwater-pumps", v1, CB_REPO_CASE_CREATE, &luca, id[1]);
	commit_ok(repo, "nordmill-heat-pumps", v2, CB_REPO_CASE_REVISE, &jana, id[2]);
	ck_assert_int_eq(cb_repo_case_review(repo, "nordmill-heat-pumps", "approve", &ana, NULL, id[3]), 0);
	/* inside the batch, main is the batch's last commit to Casebook ... */
	ck_assert_int_eq(cb_repo_case_read(repo, "nordmill-heat-pumps", NULL, &text, &len), 0);
	ck_assert_str_eq(text, v2);
	free(text);
	ck_assert_int_eq(cb_repo_head(repo, id[4]), 0);
	ck_assert_str_eq(id[4], id[3]);
	ck_assert_int_eq(cb_repo_case_commit(repo, "brightwater-pumps", v1, strlen(v1),
					     CB_REPO_CASE_CREATE, &luca, NULL, NULL),
			 CB_EEXISTS);
	/* ... and nothing of it is on disk yet: git sees main and the objects as before */
	assert_untouched(before, objects);
	ck_assert_int_eq(cb_repo_batch_commit(repo, "test batch", &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert(!cb_repo_in_batch(repo));
	assert_sound(cases);
	/* one pack, no new loose object, each commit by its author, in order */
	out = objects_of(cases);
	ck_assert_str_eq(out, "count: 3\npacks: 1\n");
	free(out);
	out = GIT_OK("git -C '%s' log -4 --format='%%H|%%an|%%s' main", cases);
	{
		char want[1024];

		snprintf(want, sizeof(want),
			 "%s|Ana Martin|Review nordmill-heat-pumps: approve\n"
			 "%s|Jana Berger|Revise case nordmill-heat-pumps\n"
			 "%s|Luca Conti|Add case brightwater-pumps\n"
			 "%s|Jana Berger|Add case nordmill-heat-pumps\n",
			 id[3], id[2], id[1], id[0]);
		ck_assert_str_eq(out, want);
	}
	free(out);
	out = GIT_OK("git -C '%s' rev-parse main~4", cases);
	ck_assert_str_eq(out, before);
	free(out);
	out = GIT_OK("git -C '%s' show main:%s/case.md", cases, dir_of("nordmill-heat-pumps"));
	ck_assert_str_eq(out, v2);
	free(out);
	/* the handle outside the batch reads the packed commits */
	ck_assert_int_eq(cb_repo_case_read(repo, "brightwater-pumps", NULL, &text, &len), 0);
	ck_assert_str_eq(text, v1);
	free(text);
	/* an empty batch writes nothing; no batch, nothing to commit */
	ck_assert_int_eq(cb_repo_batch_begin(repo), 0);
	ck_assert_int_eq(cb_repo_batch_commit(repo, "empty", &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(cb_repo_batch_commit(repo, "none", NULL), CB_EREPO);
	ck_assert_str_eq(cb_error_last(), "no batch of commits is open");
	out = objects_of(cases);
	ck_assert_str_eq(out, "count: 3\npacks: 1\n");
	free(out);
	free(before);
	free(objects);
}
END_TEST

START_TEST(a_dropped_batch_leaves_the_repository_as_it_was)
{
	char *before = head_of(cases), *objects = objects_of(cases), *out, *text;
	size_t len;

	ck_assert_int_eq(cb_repo_batch_begin(repo), 0);
	commit_ok(repo, "nordmill-heat-pumps", v1, CB_REPO_CASE_CREATE, &jana, NULL);
	commit_ok(repo, "brightwater-pumps", v2, CB_REPO_CASE_CREATE, &luca, NULL);
	cb_repo_batch_abort(repo);
	ck_assert(!cb_repo_in_batch(repo));
	assert_untouched(before, objects);
	ck_assert_int_eq(cb_repo_case_read(repo, "nordmill-heat-pumps", NULL, &text, &len),
			 CB_ENOTFOUND);
	/* the same text committed afterwards, outside a batch, is all there */
	commit_ok(repo, "nordmill-heat-pumps", v1, CB_REPO_CASE_CREATE, &jana, NULL);
	assert_sound(cases);
	out = GIT_OK("git -C '%s' show main:%s/case.md", cases, dir_of("nordmill-heat-pumps"));
	ck_assert_str_eq(out, v1);
	free(out);
	/* closing the repository drops an open batch too */
	ck_assert_int_eq(cb_repo_batch_begin(repo), 0);
	commit_ok(repo, "brightwater-pumps", v2, CB_REPO_CASE_CREATE, &luca, NULL);
	cb_repo_close(repo);
	ck_assert_int_eq(cb_repo_open(cases, &repo), 0);
	ck_assert_int_eq(cb_repo_case_read(repo, "brightwater-pumps", NULL, &text, &len), CB_ENOTFOUND);
	assert_sound(cases);
	free(before);
	free(objects);
}
END_TEST

/* A text of `len` bytes that compresses badly (letters from a simple
 * generator), so that a batch of them passes the batch's memory bound. */
static char *noise(size_t len, unsigned seed)
{
	char *t = malloc(len + 1);

	ck_assert_ptr_nonnull(t);
	for (size_t i = 0; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		t[i] = (i % 61 == 60) ? '\n' : (char)('a' + (seed >> 16) % 26);
	}
	t[len] = '\0';
	return t;
}

/* More than the batch holds in memory (16 MiB): it writes a pack on the
 * way, main still moves only at the end. */
START_TEST(a_big_batch_writes_packs_on_the_way)
{
	enum { CASES = 72, SIZE = 250 * 1024 };
	char *before = head_of(cases), *out, *text, slug[32], last[41];
	size_t len, n;

	ck_assert_int_eq(cb_repo_batch_begin(repo), 0);
	for (unsigned i = 0; i < CASES; i++) {
		char *t = noise(SIZE, i + 1);

		snprintf(slug, sizeof(slug), "big-%02u", i);
		ck_assert_msg(cb_repo_case_commit(repo, slug, t, SIZE, CB_REPO_CASE_CREATE, &jana,
						  NULL, last) == 0,
			      "%s: %s", slug, cb_error_last());
		free(t);
	}
	/* a pack is on disk already, main has not moved */
	out = GIT_OK("git -C '%s' count-objects -v | grep '^packs:'", cases);
	ck_assert_str_eq(out, "packs: 1\n");
	free(out);
	out = head_of(cases);
	ck_assert_str_eq(out, before);
	free(out);
	ck_assert_int_eq(cb_repo_batch_commit(repo, "big batch", &n), 0);
	ck_assert_uint_eq(n, CASES);
	assert_sound(cases);
	out = GIT_OK("git -C '%s' count-objects -v | grep '^packs:'", cases);
	ck_assert_str_eq(out, "packs: 2\n");
	free(out);
	out = GIT_OK("git -C '%s' rev-parse main && git -C '%s' rev-list --count main", cases, cases);
	{
		char want[64];

		snprintf(want, sizeof(want), "%s\n%d\n", last, CASES + 1);
		ck_assert_str_eq(out, want);
	}
	free(out);
	for (unsigned i = 0; i < CASES; i += 71) {
		char *t = noise(SIZE, i + 1);

		snprintf(slug, sizeof(slug), "big-%02u", i);
		ck_assert_int_eq(cb_repo_case_read(repo, slug, NULL, &text, &len), 0);
		ck_assert_uint_eq(len, SIZE);
		ck_assert(memcmp(text, t, SIZE) == 0);
		free(text);
		free(t);
	}
	free(before);
}
END_TEST

/* Another writer moved main while the batch ran: the batch is refused,
 * the other writer's commit stays. */
/* A batch marked failed (a caller's step after a commit failed) is
 * refused and dropped; sync waits for no batch. */
START_TEST(a_failed_batch_is_dropped)
{
	char *before = head_of(cases), *objects = objects_of(cases);
	cb_repo_sync_result res;

	ck_assert_int_eq(cb_repo_batch_begin(repo), 0);
	commit_ok(repo, "nordmill-heat-pumps", v1, CB_REPO_CASE_CREATE, &jana, NULL);
	ck_assert_int_eq(cb_repo_sync(repo, "/nonexistent", NULL, &res), CB_EREPO);
	ck_assert_str_eq(cb_error_last(), "cannot sync inside a batch of commits; commit it first");
	cb_repo_batch_fail(repo);
	ck_assert_int_eq(cb_repo_batch_commit(repo, "failed", NULL), CB_EREPO);
	ck_assert_str_eq(cb_error_last(), "a step of the batch failed; it was dropped");
	ck_assert(!cb_repo_in_batch(repo));
	assert_untouched(before, objects);
	free(before);
	free(objects);
}
END_TEST

START_TEST(a_batch_refuses_to_overwrite_another_writers_commit)
{
	cb_repo *other;
	char theirs[41], *out;

	ck_assert_int_eq(cb_repo_open(cases, &other), 0);
	ck_assert_int_eq(cb_repo_batch_begin(repo), 0);
	commit_ok(repo, "nordmill-heat-pumps", v1, CB_REPO_CASE_CREATE, &jana, NULL);
	commit_ok(other, "brightwater-pumps", v2, CB_REPO_CASE_CREATE, &luca, theirs);
	ck_assert_int_eq(cb_repo_batch_commit(repo, "late", NULL), CB_EREPO);
	ck_assert_msg(cbt_has(cb_error_last(), "moving branch main (did another process commit meanwhile?)"),
		      "%s", cb_error_last());
	ck_assert(!cb_repo_in_batch(repo));
	out = head_of(cases);
	ck_assert(strncmp(out, theirs, 40) == 0 && strcmp(out + 40, "\n") == 0);
	free(out);
	cb_repo_close(other);
	assert_sound(cases);
}
END_TEST

START_TEST(sync_brings_both_sides_edits_together)
{
	cb_repo *b = two_sides();
	cb_repo_sync_result res;
	char *text, *ha, *hb, *hr, *out;
	size_t len;

	commit_ok(repo, "nordmill", v1, CB_REPO_CASE_CREATE, &jana, NULL);
	commit_ok(b, "hafenwerk", v2, CB_REPO_CASE_CREATE, &luca, NULL);
	sync_ok(repo, &res); /* A: push only */
	ck_assert(res.pushed && !res.pulled && !res.merged);
	cb_repo_sync_result_clear(&res);
	sync_ok(b, &res); /* B: merge A's case in, push */
	ck_assert(res.pulled && res.merged && res.pushed);
	cb_repo_sync_result_clear(&res);
	sync_ok(repo, &res); /* A: fast-forward */
	ck_assert(res.pulled && !res.merged && !res.pushed);
	cb_repo_sync_result_clear(&res);
	sync_ok(repo, &res); /* nothing left to do */
	ck_assert(!res.pulled && !res.merged && !res.pushed);
	cb_repo_sync_result_clear(&res);
	ha = head_of(a_dir);
	hb = head_of(b_dir);
	hr = GIT_OK("git -C '%s' rev-parse main", remote);
	ck_assert_str_eq(ha, hb);
	ck_assert_str_eq(ha, hr);
	free(ha), free(hb), free(hr);
	for (int side = 0; side < 2; side++) {
		cb_repo *r = side ? b : repo;

		ck_assert_int_eq(cb_repo_case_read(r, "nordmill", NULL, &text, &len), 0);
		ck_assert_str_eq(text, v1);
		free(text);
		ck_assert_int_eq(cb_repo_case_read(r, "hafenwerk", NULL, &text, &len), 0);
		ck_assert_str_eq(text, v2);
		free(text);
		assert_sound(side ? b_dir : a_dir);
	}
	out = GIT_OK("git -C '%s' show main:%s/case.md && git -C '%s' show main:%s/case.md", b_dir,
		     dir_of("nordmill"), a_dir, dir_of("hafenwerk"));
	ck_assert(cbt_has(out, "title: Heat pumps\n") && cbt_has(out, "title: Heat pumps at Nordmill\n"));
	free(out);
	/* authors survive; the merge is by the syncing person */
	out = GIT_OK("git -C '%s' log --format='%%an|%%s' main", a_dir);
	ck_assert(cbt_has(out, "Jana Berger|Add case nordmill\n"));
	ck_assert(cbt_has(out, "Luca Conti|Add case hafenwerk\n"));
	ck_assert(cbt_has(out, "Ana Martin|Merge case studies from "));
	free(out);
	free(GIT_OK("git -C '%s' fsck --strict 2>&1", remote));
	cb_repo_close(b);
}
END_TEST

START_TEST(sync_refuses_conflicting_edits_and_loses_nothing)
{
	cb_repo *b;
	cb_repo_sync_result res;
	char *log_before, *log_after, *file_before, *file_after, *remote_before, *remote_after;
	const char *b_text = "---\ntitle: Heat pumps, B's view\n---\n\n## Situation\n\nOld chillers.\n";
	char msg[8400];

	commit_ok(repo, "nordmill", v1, CB_REPO_CASE_CREATE, &jana, NULL);
	b = two_sides();
	commit_ok(repo, "nordmill", v2, CB_REPO_CASE_REVISE, &jana, NULL);
	commit_ok(b, "nordmill", b_text, CB_REPO_CASE_REVISE, &luca, NULL);
	sync_ok(repo, &res);
	ck_assert(res.pushed);
	cb_repo_sync_result_clear(&res);
	log_before = GIT_OK("git -C '%s' log --format='%%H %%an %%s' main", b_dir);
	file_before = GIT_OK("git -C '%s' show main:%s/case.md", b_dir, dir_of("nordmill"));
	remote_before = GIT_OK("git -C '%s' log --format='%%H' main", remote);
	ck_assert_int_eq(cb_repo_sync(b, remote, &ana, &res), CB_ERROR);
	snprintf(msg, sizeof(msg),
		 "cannot sync with %s: both sides changed %s/case.md in ways that conflict; "
		 "nothing was changed on either side (the other side's text is at revision casebook-sync/main)",
		 remote, dir_of("nordmill"));
	ck_assert_str_eq(cb_error_last(), msg);
	ck_assert_uint_eq(res.n_conflicts, 1);
	snprintf(msg, sizeof(msg), "%s/case.md", dir_of("nordmill"));
	ck_assert_str_eq(res.conflicts[0], msg);
	ck_assert(!res.pulled && !res.pushed && !res.merged);
	cb_repo_sync_result_clear(&res);
	log_after = GIT_OK("git -C '%s' log --format='%%H %%an %%s' main", b_dir);
	file_after = GIT_OK("git -C '%s' show main:%s/case.md", b_dir, dir_of("nordmill"));
	remote_after = GIT_OK("git -C '%s' log --format='%%H' main", remote);
	ck_assert_str_eq(log_before, log_after);
	ck_assert_str_eq(file_before, file_after);
	ck_assert_str_eq(file_after, b_text);
	ck_assert_str_eq(remote_before, remote_after);
	assert_sound(b_dir);
	/* the other side's text can be read for the resolution */
	{
		char *text;
		size_t len;

		ck_assert_int_eq(cb_repo_case_read(b, "nordmill", "casebook-sync/main", &text, &len), 0);
		ck_assert_str_eq(text, v2);
		free(text);
	}
	free(log_before), free(log_after), free(file_before), free(file_after);
	free(remote_before), free(remote_after);
	/* A is untouched too */
	file_after = GIT_OK("git -C '%s' show main:%s/case.md", a_dir, dir_of("nordmill"));
	ck_assert_str_eq(file_after, v2);
	free(file_after);
	assert_sound(a_dir);
	cb_repo_close(b);
}
END_TEST

START_TEST(sync_merges_reviews_on_both_sides)
{
	cb_repo *b;
	cb_repo_sync_result res;
	cb_repo_review *reviews;
	size_t n;

	commit_ok(repo, "nordmill", v1, CB_REPO_CASE_CREATE, &jana, NULL);
	ck_assert_int_eq(cb_repo_case_review(repo, "nordmill", "changes-requested", &ana, "More numbers.", NULL), 0);
	b = two_sides();
	ck_assert_int_eq(cb_repo_case_review(repo, "nordmill", "approved", &ana, "From A.", NULL), 0);
	ck_assert_int_eq(cb_repo_case_review(b, "nordmill", "rejected", &luca, "From B.", NULL), 0);
	sync_ok(repo, &res);
	cb_repo_sync_result_clear(&res);
	sync_ok(b, &res);
	ck_assert(res.merged && res.pushed);
	cb_repo_sync_result_clear(&res);
	ck_assert_int_eq(cb_repo_case_reviews(b, "nordmill", NULL, &reviews, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(reviews[0].comment, "More numbers.");
	/* both sides' lines after the common one, in either order */
	ck_assert((strcmp(reviews[1].comment, "From A.") == 0 &&
		   strcmp(reviews[2].comment, "From B.") == 0) ||
		  (strcmp(reviews[1].comment, "From B.") == 0 &&
		   strcmp(reviews[2].comment, "From A.") == 0));
	ck_assert_str_eq(reviews[2].decision, strcmp(reviews[2].comment, "From B.") ? "approved" : "rejected");
	cb_repo_reviews_free(reviews, n);
	assert_sound(b_dir);
	cb_repo_close(b);
}
END_TEST

/* cb_repo_case_histories says of every case what cb_repo_case_log does,
 * on a history with revisions, reviews, a removal, a case removed and
 * added again, and merges from both sides of a sync. */
START_TEST(histories_agree_with_each_cases_log)
{
	static const char *const names[] = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta"};
	cb_repo_author who[3] = {jana, luca, ana};
	cb_repo_sync_result res;
	cb_repo_case_history *h;
	char **slugs;
	size_t n;
	cb_repo *b;
	int64_t t = 1700000000;

	for (int i = 0; i < 3; i++)
		who[i].when = t;
#define AT(k) (who[k].when += 3600, &who[k])
	for (size_t i = 0; i < 4; i++)
		ck_assert_int_eq(cb_repo_case_commit(repo, names[i], v1, strlen(v1), CB_REPO_CASE_CREATE,
						     AT(i % 2), NULL, NULL), 0);
	ck_assert_int_eq(cb_repo_case_review(repo, "alpha", "approved", AT(2), NULL, NULL), 0);
	ck_assert_int_eq(cb_repo_case_commit(repo, "beta", v2, strlen(v2), CB_REPO_CASE_REVISE, AT(1),
					     NULL, NULL), 0);
	b = two_sides();
	/* both sides work, then merge twice over */
	ck_assert_int_eq(cb_repo_case_commit(repo, "gamma", v2, strlen(v2), CB_REPO_CASE_REVISE, AT(0),
					     NULL, NULL), 0);
	ck_assert_int_eq(cb_repo_case_commit(b, "epsilon", v1, strlen(v1), CB_REPO_CASE_CREATE, AT(1),
					     NULL, NULL), 0);
	ck_assert_int_eq(cb_repo_case_review(b, "beta", "changes-requested", AT(2), "More.", NULL), 0);
	sync_ok(repo, &res);
	cb_repo_sync_result_clear(&res);
	sync_ok(b, &res);
	ck_assert(res.merged);
	cb_repo_sync_result_clear(&res);
	sync_ok(repo, &res);
	cb_repo_sync_result_clear(&res);
	ck_assert_int_eq(cb_repo_case_commit(repo, "zeta", v1, strlen(v1), CB_REPO_CASE_CREATE, AT(0),
					     NULL, NULL), 0);
	ck_assert_int_eq(cb_repo_case_review(b, "epsilon", "approved", AT(2), NULL, NULL), 0);
	sync_ok(b, &res);
	cb_repo_sync_result_clear(&res);
	sync_ok(repo, &res);
	ck_assert(res.merged || res.pulled);
	cb_repo_sync_result_clear(&res);
	cb_repo_close(b);
	/* delta goes, comes back with new text; gamma goes for good */
	free(GIT_OK("git clone -q '%s' '%s/edit' 2>&1 && cd '%s/edit' && git rm -q -r %s %s && "
		    "git -c user.name=G -c user.email=g@x commit -qm gone && git push -q origin main 2>&1",
		    cases, tmp, tmp, dir_of("delta"), dir_of("gamma")));
	ck_assert_int_eq(cb_repo_case_commit(repo, "delta", v2, strlen(v2), CB_REPO_CASE_CREATE, AT(1),
					     NULL, NULL), 0);
	/* a folder named like a case outside its shard is not that case */
	free(GIT_OK("cd '%s/edit' && git pull -q origin main 2>&1 && mkdir -p notes/alpha && "
		    "echo x > notes/alpha/case.md && git add notes && "
		    "GIT_AUTHOR_DATE='@1800000000 +0000' git -c user.name=G -c user.email=g@x "
		    "commit -qm notes && git push -q origin main 2>&1",
		    tmp));
#undef AT
	assert_sound(cases);
	ck_assert_int_eq(cb_repo_case_list(repo, &slugs, &n), 0);
	ck_assert_uint_eq(n, 5);
	for (size_t i = 1; i < n; i++)
		ck_assert(strcmp(slugs[i - 1], slugs[i]) < 0);
	h = calloc(n, sizeof(*h));
	ck_assert_int_eq(cb_repo_case_histories(repo, slugs, n, h, NULL, NULL), 0);
	for (size_t i = 0; i < n; i++) {
		cb_repo_commit *log;
		size_t nlog;
		const char *head = NULL;
		int64_t submitted = 0;

		ck_assert_int_eq(cb_repo_case_log(repo, slugs[i], &log, &nlog), 0);
		ck_assert_uint_gt(nlog, 0);
		for (size_t k = 0; k < nlog; k++)
			if (log[k].changes & CB_REPO_CHANGED_CASE) {
				if (!head)
					head = log[k].id;
				submitted = log[k].time;
			}
		ck_assert_ptr_nonnull(head);
		ck_assert_msg(strcmp(h[i].head, head) == 0, "%s: head %s, log %s", slugs[i], h[i].head,
			      head);
		ck_assert_msg(h[i].submitted == submitted, "%s: submitted %lld, log %lld", slugs[i],
			      (long long)h[i].submitted, (long long)submitted);
		ck_assert_msg(h[i].updated == log[0].time, "%s: updated %lld, log %lld", slugs[i],
			      (long long)h[i].updated, (long long)log[0].time);
		cb_repo_commits_free(log, nlog);
	}
	/* as git sees it: delta was submitted when first added, before its
	 * removal, and its latest revision is its return */
	ck_assert_str_eq(slugs[2], "delta");
	{
		char *out = GIT_OK("git -C '%s' log --format=%%at main -- %s/case.md | tail -1", cases,
				   dir_of("delta"));

		ck_assert_int_eq(strtoll(out, NULL, 10), h[2].submitted);
		free(out);
		out = GIT_OK("git -C '%s' log -1 --format=%%H main -- %s/case.md", cases, dir_of("delta"));
		ck_assert(strncmp(out, h[2].head, 40) == 0);
		free(out);
	}
	free(h);
	cb_repo_slugs_free(slugs, n);
}
END_TEST

START_TEST(sync_refuses_a_non_bare_remote_and_a_non_bare_repository)
{
	cb_repo *b = two_sides(), *c = NULL;
	cb_repo_sync_result res;
	char msg[8400];

	commit_ok(repo, "nordmill", v1, CB_REPO_CASE_CREATE, &jana, NULL);
	/* a repository with a work tree is no remote, nor a case repository */
	snprintf(msg, sizeof(msg), "%s/worktree", tmp);
	free(GIT_OK("git clone -q '%s' '%s' 2>&1", remote, msg));
	ck_assert_int_eq(cb_repo_sync(b, msg, NULL, &res), CB_EINVALID);
	ck_assert(cbt_has(cb_error_last(), "is not a bare repository; sync needs one (make it with `git init --bare`)"));
	ck_assert_int_eq(cb_repo_open(msg, &c), CB_EREPO);
	ck_assert_ptr_null(c);
	ck_assert(cbt_has(cb_error_last(), "has a work tree (an older Casebook made it); make it bare: git clone --bare"));
	/* two workspaces' own repositories are bare: they sync directly */
	ck_assert_msg(cb_repo_sync(b, a_dir, &luca, &res) == 0, "%s", cb_error_last());
	ck_assert(res.pulled);
	cb_repo_sync_result_clear(&res);
	{
		char *text;
		size_t len;

		ck_assert_int_eq(cb_repo_case_read(b, "nordmill", NULL, &text, &len), 0);
		ck_assert_str_eq(text, v1);
		free(text);
	}
	snprintf(msg, sizeof(msg), "%s/nowhere", tmp);
	ck_assert_int_eq(cb_repo_sync(b, msg, NULL, &res), CB_ENOTFOUND);
	ck_assert(cbt_has(cb_error_last(), "no git repository at "));
	ck_assert_int_eq(cb_repo_sync(b, "", NULL, &res), CB_EINVALID);
	cb_repo_close(b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("repo/case");
	TCase *tc = tcase_create("case");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, slugs_are_checked);
	tcase_add_test(tc, a_case_is_created_and_revised_as_commits_by_the_technician);
	tcase_add_test(tc, refused_commits_change_nothing);
	tcase_add_test(tc, reviews_are_commits_by_the_reviewer);
	tcase_add_test(tc, bad_reviews_change_nothing);
	tcase_add_test(tc, the_log_lists_a_cases_commits_newest_first);
	tcase_add_test(tc, diffs_between_revisions);
	tcase_add_test(tc, the_list_holds_the_cases_at_head);
	tcase_add_test(tc, a_batch_lands_as_one_pack_and_main_moves_once);
	tcase_add_test(tc, a_dropped_batch_leaves_the_repository_as_it_was);
	tcase_add_test(tc, a_big_batch_writes_packs_on_the_way);
	tcase_add_test(tc, a_batch_refuses_to_overwrite_another_writers_commit);
	tcase_add_test(tc, a_failed_batch_is_dropped);
	tcase_add_test(tc, sync_brings_both_sides_edits_together);
	tcase_add_test(tc, sync_refuses_conflicting_edits_and_loses_nothing);
	tcase_add_test(tc, sync_merges_reviews_on_both_sides);
	tcase_add_test(tc, sync_refuses_a_non_bare_remote_and_a_non_bare_repository);
	tcase_add_test(tc, histories_agree_with_each_cases_log);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
