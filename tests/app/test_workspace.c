/* Workspaces: made by `casebook init`, found like git finds repositories,
 * checked with the real sqlite3 and git CLIs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/store.h"
#include "testlib.h"

START_TEST(init_makes_database_repository_and_plugins)
{
	char *ws = cbt_workspace();
	char *out;
	int st;

	out = cbt_sh(&st, "sqlite3 '%s/casebook.db' 'PRAGMA user_version; PRAGMA journal_mode; "
			  "SELECT count(*) FROM sqlite_master WHERE type=\"table\" AND name IN "
			  "(\"account\",\"person\",\"session\",\"attendance\",\"coverage\",\"program\");'",
		     ws);
	ck_assert_int_eq(st, 0);
	{
		char want[64];

		snprintf(want, sizeof(want), "%d\nwal\n6\n", cb_store_schema_latest());
		ck_assert_str_eq(out, want);
	}
	free(out);

	out = cbt_sh(&st, "git -C '%s/cases' fsck --strict 2>&1", ws);
	ck_assert_msg(st == 0, "git fsck: %s", out);
	free(out);
	out = cbt_sh(&st, "git -C '%s/cases' symbolic-ref HEAD", ws);
	ck_assert_str_eq(out, "refs/heads/main\n");
	free(out);
	out = cbt_sh(&st, "git -C '%s/cases' log --format=%%s main", ws);
	ck_assert_str_eq(out, "Start the case-study repository\n");
	free(out);
	out = cbt_sh(&st, "git -C '%s/cases' rev-parse --is-bare-repository", ws);
	ck_assert_int_eq(st, 0);
	ck_assert_str_eq(out, "true\n"); /* no work tree to fall behind */
	free(out);
	out = cbt_sh(&st, "test -d '%s/plugins' && test -f '%s/plugins/README.md' && echo yes", ws, ws);
	ck_assert_str_eq(out, "yes\n");
	free(out);
	cbt_rmrf(ws);
	free(ws);
}
END_TEST

START_TEST(init_refuses_an_existing_workspace)
{
	char *ws = cbt_workspace();
	char *before = cbt_db_dump(ws), *after, *head1, *head2;
	cbt_run r;

	head1 = cbt_sh(NULL, "git -C '%s/cases' rev-parse HEAD", ws);
	cbt_casebook(&r, NULL, NULL, "init", ws, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(cbt_has(r.err, "already holds a workspace"), "%s", r.err);
	cbt_run_free(&r);
	after = cbt_db_dump(ws);
	head2 = cbt_sh(NULL, "git -C '%s/cases' rev-parse HEAD", ws);
	ck_assert_str_eq(before, after);
	ck_assert_str_eq(head1, head2);
	free(before), free(after), free(head1), free(head2);
	cbt_rmrf(ws);
	free(ws);
}
END_TEST

START_TEST(init_refuses_a_folder_with_a_cases_folder_and_leaves_it)
{
	char *dir = cbt_tempdir();
	char *out;
	cbt_run r;

	out = cbt_sh(NULL, "mkdir '%s/cases' && echo mine > '%s/cases/notes.txt'", dir, dir);
	free(out);
	cbt_casebook(&r, NULL, NULL, "init", dir, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(cbt_has(r.err, "'cases' folder"), "%s", r.err);
	cbt_run_free(&r);
	out = cbt_sh(NULL, "cat '%s/cases/notes.txt'; ls '%s'", dir, dir);
	ck_assert_str_eq(out, "mine\ncases\n"); /* nothing added, nothing lost */
	free(out);
	cbt_rmrf(dir);
	free(dir);
}
END_TEST

START_TEST(commands_find_the_workspace_from_subfolders_and_env)
{
	char *ws = cbt_workspace();
	char *out;
	int st;

	out = cbt_sh(&st, "mkdir -p '%s/a/b' && cd '%s/a/b' && '%s' account add acme --name Acme",
		     ws, ws, CASEBOOK_BINARY);
	ck_assert_int_eq(st, 0);
	free(out);
	out = cbt_sh(&st, "cd / && CASEBOOK_DIR='%s' '%s' account list --csv", ws, CASEBOOK_BINARY);
	ck_assert_int_eq(st, 0);
	ck_assert(cbt_has(out, "acme,Acme"));
	free(out);
	cbt_rmrf(ws);
	free(ws);
}
END_TEST

START_TEST(outside_a_workspace_says_how_to_make_one)
{
	char *dir = cbt_tempdir();
	char *out;
	int st;

	out = cbt_sh(&st, "cd '%s' && '%s' account list 2>&1", dir, CASEBOOK_BINARY);
	ck_assert_int_eq(st, 1);
	ck_assert_msg(cbt_has(out, "not inside a casebook workspace") &&
			      cbt_has(out, "casebook init"),
		      "%s", out);
	free(out);
	out = cbt_sh(&st, "CASEBOOK_DIR='%s' '%s' account list 2>&1", dir, CASEBOOK_BINARY);
	ck_assert_int_eq(st, 1);
	ck_assert(cbt_has(out, "CASEBOOK_DIR="));
	free(out);
	{
		cbt_run r;

		cbt_casebook(&r, dir, NULL, "account", "list", NULL);
		ck_assert_int_eq(r.status, 1);
		ck_assert(cbt_has(r.err, "is not a casebook workspace"));
		cbt_run_free(&r);
	}
	cbt_rmrf(dir);
	free(dir);
}
END_TEST

START_TEST(a_read_only_workspace_refuses_writes_and_still_reads)
{
	char *ws = cbt_workspace();
	char *before, *after, db[4096];
	cbt_run r;

	cbt_casebook(&r, ws, NULL, "account", "add", "acme", "--name", "Acme", NULL);
	ck_assert_int_eq(r.status, 0);
	cbt_run_free(&r);
	before = cbt_db_dump(ws);
	snprintf(db, sizeof(db), "%s/casebook.db", ws);
	ck_assert_int_eq(chmod(db, 0444), 0);

	cbt_casebook(&r, ws, NULL, "account", "add", "globex", "--name", "Globex", NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(cbt_has(r.err, "read-only"), "%s", r.err);
	cbt_run_free(&r);
	cbt_casebook(&r, ws, NULL, "account", "list", "--csv", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert(cbt_has(r.out, "acme,Acme"));
	cbt_run_free(&r);

	after = cbt_db_dump(ws);
	ck_assert_str_eq(before, after);
	free(before), free(after);
	chmod(db, 0644);
	cbt_rmrf(ws);
	free(ws);
}
END_TEST

START_TEST(check_passes_then_finds_a_broken_repository)
{
	char *ws = cbt_workspace();
	char *out;
	cbt_run r;

	cbt_casebook(&r, ws, NULL, "check", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert(cbt_has(r.out, "is consistent"));
	cbt_run_free(&r);
	/* Point HEAD elsewhere, as a hand edit might. */
	out = cbt_sh(NULL, "git -C '%s/cases' symbolic-ref HEAD refs/heads/other", ws);
	free(out);
	cbt_casebook(&r, ws, NULL, "check", "--json", NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert(cbt_has(r.out, "\"ok\": false"));
	ck_assert_msg(cbt_has(r.err, "HEAD does not point at branch main"), "%s", r.err);
	cbt_run_free(&r);
	cbt_rmrf(ws);
	free(ws);
}
END_TEST

START_TEST(a_database_that_is_not_one_is_reported)
{
	char *dir = cbt_tempdir();
	char *db = cbt_write(dir, "casebook.db", "this is not a database, just text\n");
	cbt_run r;

	cbt_casebook(&r, dir, NULL, "account", "list", NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(cbt_has(r.err, "not a database"), "%s", r.err);
	cbt_run_free(&r);
	free(db);
	cbt_rmrf(dir);
	free(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("app/workspace");
	TCase *tc = tcase_create("workspace");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, init_makes_database_repository_and_plugins);
	tcase_add_test(tc, init_refuses_an_existing_workspace);
	tcase_add_test(tc, init_refuses_a_folder_with_a_cases_folder_and_leaves_it);
	tcase_add_test(tc, commands_find_the_workspace_from_subfolders_and_env);
	tcase_add_test(tc, outside_a_workspace_says_how_to_make_one);
	tcase_add_test(tc, a_read_only_workspace_refuses_writes_and_still_reads);
	tcase_add_test(tc, check_passes_then_finds_a_broken_repository);
	tcase_add_test(tc, a_database_that_is_not_one_is_reported);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
