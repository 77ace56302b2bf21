/* `casebook account` end to end: what a trainer types, what they see, and
 * that bad input changes nothing. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

static char *ws;

static void setup(void)
{
	cbt_run r;

	ws = cbt_workspace();
	cbt_casebook(&r, ws, NULL, "account", "add", "acme-gmbh", "--name", "ACME GmbH",
		     "--industry", "Manufacturing", "--region", "DACH", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert(cbt_has(r.out, "added account acme-gmbh"));
	cbt_run_free(&r);
}

static void teardown(void)
{
	cbt_rmrf(ws);
	free(ws);
}

START_TEST(add_list_show_edit)
{
	json_t *rows, *row;
	json_error_t jerr;
	cbt_run r;

	cbt_casebook(&r, ws, NULL, "account", "add", "globex", "--name", "Globex Corp.", "--json", NULL);
	ck_assert_int_eq(r.status, 0);
	row = json_loads(r.out, 0, &jerr);
	ck_assert_msg(row != NULL, "not JSON: %s", r.out);
	ck_assert_str_eq(json_string_value(json_object_get(row, "key")), "globex");
	ck_assert(json_is_null(json_object_get(row, "industry")));
	json_decref(row);
	cbt_run_free(&r);

	cbt_casebook(&r, ws, NULL, "account", "list", "--json", NULL);
	ck_assert_int_eq(r.status, 0);
	rows = json_loads(r.out, 0, &jerr);
	ck_assert_ptr_nonnull(rows);
	ck_assert_uint_eq(json_array_size(rows), 2);
	row = json_array_get(rows, 0); /* key order */
	ck_assert_str_eq(json_string_value(json_object_get(row, "key")), "acme-gmbh");
	ck_assert_str_eq(json_string_value(json_object_get(row, "region")), "DACH");
	json_decref(rows);
	cbt_run_free(&r);

	cbt_casebook(&r, ws, NULL, "account", "list", "--csv", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert(strncmp(r.out, "key,name,industry,region,created_at\r\n", 37) == 0);
	ck_assert(cbt_has(r.out, "globex,Globex Corp.,,,"));
	cbt_run_free(&r);

	cbt_casebook(&r, ws, NULL, "account", "list", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert(cbt_has(r.out, "key ") && cbt_has(r.out, "ACME GmbH"));
	cbt_run_free(&r);

	cbt_casebook(&r, ws, NULL, "account", "edit", "acme-gmbh", "--name", "ACME Holding",
		     "--region", "", "--rename", "acme", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	cbt_run_free(&r);
	cbt_casebook(&r, ws, NULL, "account", "show", "acme", "--json", NULL);
	ck_assert_int_eq(r.status, 0);
	row = json_loads(r.out, 0, &jerr);
	ck_assert_ptr_nonnull(row);
	ck_assert_str_eq(json_string_value(json_object_get(row, "name")), "ACME Holding");
	ck_assert(json_is_null(json_object_get(row, "region")));
	ck_assert_str_eq(json_string_value(json_object_get(row, "industry")), "Manufacturing");
	json_decref(row);
	cbt_run_free(&r);
}
END_TEST

START_TEST(sql_looking_and_unicode_text_is_stored_literally)
{
	const char *evil = "Robert'); DROP TABLE account;-- \"x\" Zoë 株式会社";
	json_t *row;
	json_error_t jerr;
	cbt_run r;

	cbt_casebook(&r, ws, NULL, "account", "add", "bobby", "--name", evil, NULL);
	ck_assert_int_eq(r.status, 0);
	cbt_run_free(&r);
	cbt_casebook(&r, ws, NULL, "account", "show", "bobby", "--json", NULL);
	row = json_loads(r.out, 0, &jerr);
	ck_assert_ptr_nonnull(row);
	ck_assert_str_eq(json_string_value(json_object_get(row, "name")), evil);
	json_decref(row);
	cbt_run_free(&r);
	cbt_casebook(&r, ws, NULL, "account", "list", "--csv", NULL);
	ck_assert(cbt_has(r.out, "\"Robert'); DROP TABLE account;-- \"\"x\"\" Zoë 株式会社\""));
	cbt_run_free(&r);
}
END_TEST

/* Runs one bad command; asserts the exit code, a piece of the message, and
 * that the database is exactly as before. */
static void refused(int code, const char *message, const char *a1, const char *a2,
		    const char *a3, const char *a4, const char *a5, const char *a6)
{
	char *before = cbt_db_dump(ws), *after;
	cbt_run r;

	cbt_casebook(&r, ws, NULL, a1, a2, a3, a4, a5, a6, NULL);
	ck_assert_msg(r.status == code, "%s %s %s: exit %d, want %d: %s", a1, a2,
		      a3 ? a3 : "", r.status, code, r.err);
	ck_assert_msg(cbt_has(r.err, message), "want '%s' in: %s", message, r.err);
	ck_assert_msg(strncmp(r.err, "casebook: error: ", 17) == 0, "%s", r.err);
	cbt_run_free(&r);
	after = cbt_db_dump(ws);
	ck_assert_str_eq(before, after);
	free(before), free(after);
}

START_TEST(bad_input_is_refused_and_changes_nothing)
{
	char *longname = malloc(10001), *huge_key = malloc(200);

	memset(longname, 'n', 10000);
	longname[10000] = '\0';
	memset(huge_key, 'k', 199);
	huge_key[199] = '\0';

	refused(1, "account 'acme-gmbh' already exists", "account", "add", "acme-gmbh",
		"--name", "Again", NULL);
	refused(2, "needs --name", "account", "add", "x", NULL, NULL, NULL);
	refused(1, "account key 'a b' may hold only", "account", "add", "a b", "--name", "X", NULL);
	refused(1, "account key '../etc' may hold only", "account", "add", "../etc", "--name", "X", NULL);
	refused(1, "account key is 199 bytes long; the limit is 64", "account", "add", huge_key,
		"--name", "X", NULL);
	refused(1, "account name is 10000 bytes long; the limit is 200", "account", "add", "long",
		"--name", longname, NULL);
	refused(1, "account name is not valid UTF-8 (byte 0xE9", "account", "add", "cafe",
		"--name", "Caf\xE9", NULL);
	refused(1, "account name contains control character 0x1B", "account", "add", "esc",
		"--name", "A\x1B[31mred", NULL);
	refused(1, "account name is empty", "account", "add", "blank", "--name", "  ", NULL);
	refused(1, "unknown account 'acme-gmbx' (did you mean 'acme-gmbh'?)", "account", "show",
		"acme-gmbx", NULL, NULL, NULL);
	refused(1, "unknown account 'zzz'", "account", "edit", "zzz", "--name", "Z", NULL);
	refused(2, "nothing to change", "account", "edit", "acme-gmbh", NULL, NULL, NULL);
	refused(1, "account name is empty", "account", "edit", "acme-gmbh", "--name", "", NULL);
	refused(2, "has no --csv", "account", "show", "acme-gmbh", "--csv", NULL, NULL);
	free(longname);
	free(huge_key);
}
END_TEST

START_TEST(rename_onto_an_existing_key_is_refused)
{
	cbt_run r;

	cbt_casebook(&r, ws, NULL, "account", "add", "globex", "--name", "Globex", NULL);
	ck_assert_int_eq(r.status, 0);
	cbt_run_free(&r);
	refused(1, "account 'globex' already exists", "account", "edit", "acme-gmbh",
		"--rename", "globex", NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("app/account");
	TCase *tc = tcase_create("account");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, add_list_show_edit);
	tcase_add_test(tc, sql_looking_and_unicode_text_is_stored_literally);
	tcase_add_test(tc, bad_input_is_refused_and_changes_nothing);
	tcase_add_test(tc, rename_onto_an_existing_key_is_refused);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
