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
	ck_assert_msg(cbt_has(r.err, "casebook.db is not a casebook database: it is not an SQLite "
				     "file at all"),
		      "%s", r.err);
	cbt_run_free(&r);
	free(db);
	cbt_rmrf(dir);
	free(dir);
}
END_TEST

/* Runs `casebook ARGS` in `dir`, which must fail with exit 1 and `message`. */
static void refused_in(const char *dir, const char *message, const char *verb, const char *what)
{
	cbt_run r;

	cbt_casebook(&r, dir, NULL, verb, what, NULL);
	ck_assert_msg(r.status == 1, "%s %s: exit %d: %s", verb, what, r.status, r.err);
	ck_assert_msg(cbt_has(r.err, message), "%s %s: %s", verb, what, r.err);
	cbt_run_free(&r);
}

/* An SQLite file of another program named casebook.db is refused, by
 * reads and writes alike, and stays as it was: no Casebook table added. */
START_TEST(a_foreign_database_is_refused_and_left_alone)
{
	char *dir = cbt_tempdir();
	char *out, *before;

	free(cbt_sh(NULL, "sqlite3 '%s/casebook.db' 'CREATE TABLE notes (x); INSERT INTO notes "
			  "VALUES (1)'",
		    dir));
	before = cbt_sh(NULL, "sqlite3 '%s/casebook.db' .dump", dir);
	refused_in(dir, "casebook.db is an SQLite database of another program (1 table, none of "
			"Casebook's); it is not a casebook database",
		   "account", "list");
	{
		cbt_run r;

		cbt_casebook(&r, dir, NULL, "account", "add", "acme", "--name", "Acme", NULL);
		ck_assert_int_eq(r.status, 1);
		ck_assert_msg(cbt_has(r.err, "of another program"), "%s", r.err);
		cbt_run_free(&r);
	}
	out = cbt_sh(NULL, "sqlite3 '%s/casebook.db' .dump", dir);
	ck_assert_str_eq(out, before);
	free(out);
	/* another program's mark */
	free(cbt_sh(NULL, "sqlite3 '%s/casebook.db' 'PRAGMA application_id = 7'", dir));
	refused_in(dir, "belongs to another program (its SQLite application_id is 0x00000007",
		   "account", "list");
	/* an SQLite file with nothing in it */
	free(cbt_sh(NULL, "rm '%s/casebook.db' && sqlite3 '%s/casebook.db' 'PRAGMA user_version = 0; "
			  "VACUUM'",
		    dir, dir));
	refused_in(dir, "is an SQLite database without any table: not a casebook database", "check",
		   NULL);
	free(before);
	cbt_rmrf(dir);
	free(dir);
}
END_TEST

/* A workspace's database truncated to 0 bytes is refused, not rebuilt
 * empty, and stays 0 bytes; a read-only command says the same. */
START_TEST(an_empty_database_is_refused_not_rebuilt)
{
	char *ws = cbt_workspace();
	char *out;
	cbt_run r;

	cbt_casebook(&r, ws, NULL, "account", "add", "acme", "--name", "Acme", NULL);
	ck_assert_int_eq(r.status, 0);
	cbt_run_free(&r);
	free(cbt_sh(NULL, "rm -f '%s/casebook.db-wal' '%s/casebook.db-shm'; : > '%s/casebook.db'", ws,
		    ws, ws));
	refused_in(ws, "casebook.db is empty (0 bytes), not a casebook database: if it was "
		       "truncated, restore it from a backup",
		   "account", "list");
	cbt_casebook(&r, ws, NULL, "account", "add", "globex", "--name", "Globex", NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(cbt_has(r.err, "is empty (0 bytes)"), "%s", r.err);
	cbt_run_free(&r);
	out = cbt_sh(NULL, "stat -c %%s '%s/casebook.db'", ws);
	ck_assert_str_eq(out, "0\n");
	free(out);
	cbt_rmrf(ws);
	free(ws);
}
END_TEST

/* A database written before the mark existed (application_id 0, the
 * tables Casebook makes) is Casebook's: it opens, and its first write
 * marks it. init marks a new one. */
START_TEST(the_database_carries_casebooks_mark)
{
	char *ws = cbt_workspace();
	char *out, want[32];
	cbt_run r;

	snprintf(want, sizeof(want), "%d\n", CB_STORE_APPLICATION_ID);
	out = cbt_sh(NULL, "sqlite3 '%s/casebook.db' 'PRAGMA application_id'", ws);
	ck_assert_str_eq(out, want);
	free(out);
	free(cbt_sh(NULL, "sqlite3 '%s/casebook.db' 'PRAGMA application_id = 0'", ws));
	cbt_casebook(&r, ws, NULL, "account", "list", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	cbt_run_free(&r);
	cbt_casebook(&r, ws, NULL, "account", "add", "acme", "--name", "Acme", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	cbt_run_free(&r);
	out = cbt_sh(NULL, "sqlite3 '%s/casebook.db' 'PRAGMA application_id'", ws);
	ck_assert_str_eq(out, want);
	free(out);
	cbt_rmrf(ws);
	free(ws);
}
END_TEST

/* init refuses a folder inside a workspace (its cases/ repository, its
 * plugins, a new subfolder) and a bare git repository, and leaves no
 * folder it made for the attempt. */
START_TEST(init_refuses_a_folder_inside_a_workspace_or_a_repository)
{
	char *ws = cbt_workspace();
	char *out, path[4096], *before = cbt_db_dump(ws);
	cbt_run r;

	snprintf(path, sizeof(path), "%s/cases", ws);
	cbt_casebook(&r, NULL, NULL, "init", path, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(cbt_has(r.err, "/cases is inside the workspace "), "%s", r.err);
	ck_assert(cbt_has(r.err, "a workspace cannot hold another"));
	cbt_run_free(&r);
	snprintf(path, sizeof(path), "%s/new/deeper", ws);
	cbt_casebook(&r, NULL, NULL, "init", path, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(cbt_has(r.err, "/new/deeper is inside the workspace"), "%s", r.err);
	cbt_run_free(&r);
	out = cbt_sh(NULL, "ls '%s' | grep -v '^casebook.db-'; git -C '%s/cases' fsck --strict 2>&1; "
			   "ls '%s/cases'",
		     ws, ws, ws);
	/* no new/, nothing added to cases/ */
	ck_assert_msg(strcmp(out, "casebook.db\ncases\nplugins\nHEAD\nconfig\ndescription\nhooks\n"
				  "info\nobjects\nrefs\n") == 0,
		      "%s", out);
	free(out);
	out = cbt_db_dump(ws);
	ck_assert_str_eq(out, before);
	free(out);
	{
		char *dir = cbt_tempdir();

		snprintf(path, sizeof(path), "%s/bare.git", dir);
		free(cbt_sh(NULL, "git init -q --bare '%s'", path));
		cbt_casebook(&r, NULL, NULL, "init", path, NULL);
		ck_assert_int_eq(r.status, 1);
		ck_assert_msg(cbt_has(r.err, "is a git repository's folder (it holds HEAD and objects/)"),
			      "%s", r.err);
		cbt_run_free(&r);
		out = cbt_sh(NULL, "test -e '%s/casebook.db' || echo none", path);
		ck_assert_str_eq(out, "none\n");
		free(out);
		cbt_rmrf(dir);
		free(dir);
	}
	free(before);
	cbt_rmrf(ws);
	free(ws);
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
	tcase_add_test(tc, a_foreign_database_is_refused_and_left_alone);
	tcase_add_test(tc, an_empty_database_is_refused_not_rebuilt);
	tcase_add_test(tc, the_database_carries_casebooks_mark);
	tcase_add_test(tc, init_refuses_a_folder_inside_a_workspace_or_a_repository);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
