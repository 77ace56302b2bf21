/* `casebook account import` end to end: a CSV file (or stdin) goes in whole
 * or not at all, and every bad input is named by file and line with the
 * workspace left exactly as it was. */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

static char *ws;

static void setup(void)
{
	cbt_run r;

	ws = cbt_workspace();
	cbt_casebook(&r, ws, NULL, "account", "add", "acme", "--name", "ACME GmbH", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	cbt_run_free(&r);
}

static void teardown(void)
{
	cbt_rmrf(ws);
	free(ws);
}

/* Writes `len` bytes (NULs allowed) to ws/name; caller frees the path. */
static char *write_bytes(const char *name, const char *data, size_t len)
{
	char *path = malloc(4096);
	FILE *f;

	ck_assert_ptr_nonnull(path);
	snprintf(path, 4096, "%s/%s", ws, name);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	fclose(f);
	return path;
}

/* The accounts as `account list --json` shows them; caller decrefs. */
static json_t *accounts(void)
{
	json_error_t jerr;
	json_t *rows;
	cbt_run r;

	cbt_casebook(&r, ws, NULL, "account", "list", "--json", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	rows = json_loads(r.out, 0, &jerr);
	ck_assert_msg(rows != NULL, "not JSON: %s", r.out);
	cbt_run_free(&r);
	return rows;
}

static json_t *account_named(json_t *rows, const char *key)
{
	size_t i;
	json_t *row;

	json_array_foreach(rows, i, row)
		if (strcmp(json_string_value(json_object_get(row, "key")), key) == 0)
			return row;
	ck_abort_msg("no account %s", key);
	return NULL;
}

START_TEST(imports_a_file_and_lists_it)
{
	char *csv = cbt_write(ws, "accounts.csv",
			      "\xEF\xBB\xBFKey,Name,Industry,Region\r\n"
			      "globex,\"Globex, Inc.\",Chemicals,\r\n"
			      "\r\n"
			      "initech,\"Initech \"\"Software\"\"\",,UK\r\n"
			      "umbrella, Umbrella ,Pharma,EU");
	char want[4200];
	json_t *rows;
	cbt_run r;

	cbt_casebook(&r, ws, NULL, "account", "import", csv, NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	snprintf(want, sizeof(want), "imported 3 accounts from %s\n", csv);
	ck_assert_str_eq(r.out, want);
	ck_assert_str_eq(r.err, "");
	cbt_run_free(&r);

	rows = accounts();
	ck_assert_uint_eq(json_array_size(rows), 4);
	ck_assert_str_eq(json_string_value(json_object_get(account_named(rows, "globex"), "name")),
			 "Globex, Inc.");
	ck_assert_str_eq(
		json_string_value(json_object_get(account_named(rows, "globex"), "industry")),
		"Chemicals");
	ck_assert(json_is_null(json_object_get(account_named(rows, "globex"), "region")));
	ck_assert_str_eq(json_string_value(json_object_get(account_named(rows, "initech"), "name")),
			 "Initech \"Software\"");
	ck_assert(json_is_null(json_object_get(account_named(rows, "initech"), "industry")));
	ck_assert_str_eq(json_string_value(json_object_get(account_named(rows, "initech"), "region")),
			 "UK");
	/* After a blank line, unquoted and trimmed, with no final newline. */
	ck_assert_str_eq(json_string_value(json_object_get(account_named(rows, "umbrella"), "name")),
			 "Umbrella");
	ck_assert_str_eq(json_string_value(json_object_get(account_named(rows, "umbrella"), "region")),
			 "EU");
	json_decref(rows);
	free(csv);
}
END_TEST

START_TEST(json_output)
{
	char *csv = cbt_write(ws, "a.csv", "key,name\nglobex,Globex\ninitech,Initech\n");
	json_error_t jerr;
	json_t *obj;
	cbt_run r;

	cbt_casebook(&r, ws, NULL, "account", "import", csv, "--json", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	obj = json_loads(r.out, 0, &jerr);
	ck_assert_msg(obj != NULL, "not JSON: %s", r.out);
	ck_assert_int_eq(json_integer_value(json_object_get(obj, "imported")), 2);
	ck_assert_str_eq(json_string_value(json_object_get(obj, "file")), csv);
	json_decref(obj);
	cbt_run_free(&r);
	free(csv);
}
END_TEST

START_TEST(imports_from_stdin)
{
	json_t *rows;
	cbt_run r;

	cbt_casebook(&r, ws, "key,name,region\nglobex,Globex,US\ninitech,Initech,\n", "account",
		     "import", "-", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "imported 2 accounts from <stdin>\n");
	cbt_run_free(&r);
	rows = accounts();
	ck_assert_uint_eq(json_array_size(rows), 3);
	ck_assert_str_eq(json_string_value(json_object_get(account_named(rows, "globex"), "region")),
			 "US");
	json_decref(rows);
}
END_TEST

START_TEST(sql_looking_text_is_stored_literally)
{
	const char *evil = "Robert'); DROP TABLE account;-- \"x\"";
	json_t *rows;
	cbt_run r;

	cbt_casebook(&r, ws,
		     "key,name,industry\n"
		     "bobby,\"Robert'); DROP TABLE account;-- \"\"x\"\"\",'; DELETE FROM account; --\n",
		     "account", "import", "-", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	cbt_run_free(&r);
	rows = accounts();
	ck_assert_uint_eq(json_array_size(rows), 2);
	ck_assert_str_eq(json_string_value(json_object_get(account_named(rows, "bobby"), "name")),
			 evil);
	ck_assert_str_eq(json_string_value(json_object_get(account_named(rows, "bobby"), "industry")),
			 "'; DELETE FROM account; --");
	json_decref(rows);
}
END_TEST

/* Imports `path` (a file, or "-" with `input` on stdin) and expects exit 1,
 * each of the NULL-terminated `messages` on stderr, and the database
 * exactly as before. */
static void refused_file(const char *path, const char *input, ...)
{
	char *before = cbt_db_dump(ws), *after;
	const char *message;
	va_list ap;
	cbt_run r;

	cbt_casebook(&r, ws, input, "account", "import", path, NULL);
	ck_assert_msg(r.status == 1, "exit %d for %s: %s", r.status, path, r.err);
	ck_assert_str_eq(r.out, "");
	ck_assert_msg(strncmp(r.err, "casebook: error: ", 17) == 0, "%s", r.err);
	va_start(ap, input);
	while ((message = va_arg(ap, const char *)))
		ck_assert_msg(cbt_has(r.err, message), "want '%s' in: %s", message, r.err);
	va_end(ap);
	cbt_run_free(&r);
	after = cbt_db_dump(ws);
	ck_assert_msg(strcmp(before, after) == 0, "database changed by a refused import of %s", path);
	free(before), free(after);
}

/* Writes `text` to ws/bad.csv and expects the refusal `message` naming
 * the file (the message starts after "<ws>/bad.csv"). */
static void refused(const char *text, const char *message)
{
	char *csv = cbt_write(ws, "bad.csv", text);
	char want[4200];

	snprintf(want, sizeof(want), "%s%s", csv, message);
	refused_file(csv, NULL, want, NULL);
	free(csv);
}

START_TEST(missing_column)
{
	refused("key,industry\nx,y\n", ":1: missing column 'name' (the header has: key, industry)");
	refused("key,name,colour\nx,X,red\n", ":1: unknown column 'colour'");
	refused("key,name,Key\nx,X,y\n", ":1: column 'key' appears twice");
}
END_TEST

START_TEST(quoted_field_left_open)
{
	refused("key,name\nfine,Fine\nx,\"open\ny,Y\n",
		":3: a quoted field is never closed: the quote opening field 2 runs to the end "
		"of the file (line 4)");
	refused("key,name\nx,un\"quoted\n", ":2: malformed quotes: a quote inside unquoted field 2");
}
END_TEST

START_TEST(non_utf8_byte)
{
	refused("key,name\nx,X\ny,Caf\xE9\n", ":3: not valid UTF-8 (byte 0xE9 in field 2)");
	refused_file("-", "key,name\nx,X\ny,Caf\xE9\n", "<stdin>:3: not valid UTF-8 (byte 0xE9", NULL);
}
END_TEST

START_TEST(nul_byte)
{
	static const char text[] = "key,name\nx,X\0\n";
	char *csv = write_bytes("nul.csv", text, sizeof(text) - 1);
	char want[4200];

	snprintf(want, sizeof(want), "%s:2: NUL byte", csv);
	refused_file(csv, NULL, want, NULL);
	free(csv);
}
END_TEST

START_TEST(empty_and_header_only)
{
	refused("", ": the file is empty");
	refused("\n\n", ": the file is empty");
	refused("key,name\n", ": no rows after the header");
	refused("key,name\n\n\n", ": no rows after the header");
	refused_file("-", "", "<stdin>: the file is empty", NULL);
}
END_TEST

START_TEST(duplicate_key_within_the_file)
{
	refused("key,name\nfresh,Fresh\nother,Other\nfresh,Twice\n",
		":4: account 'fresh' already exists (added by line 2 of this file)");
	{
		/* Found again after many rows. */
		char *text = malloc(1 << 16);
		size_t len = (size_t)sprintf(text, "key,name\n");

		for (int i = 0; i < 1000; i++)
			len += (size_t)sprintf(text + len, "k%d,Name %d\n", i, i);
		sprintf(text + len, "k1,Again\n");
		refused(text, ":1002: account 'k1' already exists (added by line 3 of this file)");
		free(text);
	}
}
END_TEST

START_TEST(key_already_in_the_workspace)
{
	refused("key,name\nfresh,Fresh\nacme,Again\n",
		":3: account 'acme' already exists in the workspace");
}
END_TEST

START_TEST(bad_fields)
{
	refused("key,name\nx'; DROP TABLE account;--,X\n", ":2: account key 'x'; DROP TABLE account;--' may hold only");
	refused("key,name\nx,\"two\nlines\"\n", ":2: account name contains control character 0x0A");
	refused("key,name\nx,   \n", ":2: account name is empty");
	refused("key,name\nx,X,extra\n", ":2: 3 fields, the header has 2");
}
END_TEST

START_TEST(very_long_fields)
{
	size_t big = 2u << 20;
	char *text = malloc(big + 64), *name = malloc(302);
	char buf[400];

	memset(name, 'n', 301);
	name[301] = '\0';
	snprintf(buf, sizeof(buf), "key,name\nok,OK\nlong,%s\n", name);
	refused(buf, ":3: account name is 301 bytes long; the limit is 200");

	/* A 2 MiB field is refused at the reader's limit. */
	strcpy(text, "key,name\nok,OK\nhuge,\"");
	memset(text + strlen(text), 'h', big);
	strcpy(text + 21 + big, "\"\n");
	refused(text, ":3: record longer than 1048576 bytes");
	free(text), free(name);
}
END_TEST

START_TEST(every_bad_row_is_reported)
{
	char *csv = cbt_write(ws, "three.csv",
			      "key,name,region\n"
			      "good1,Good,\n"
			      "bad key,Bad,\n"   /* line 3 */
			      "good2,Good,\n"
			      "acme,Taken,\n"    /* line 5 */
			      "good3,Good,\n"
			      "good4,,EU\n"      /* line 7 */
			      "good5,Good,\n");
	char l3[4200], l5[4200], l7[4200];
	cbt_run r;

	snprintf(l3, sizeof(l3), "%s:3: account key 'bad key' may hold only", csv);
	snprintf(l5, sizeof(l5), "%s:5: account 'acme' already exists", csv);
	snprintf(l7, sizeof(l7), "%s:7: account name is empty", csv);
	refused_file(csv, NULL, l3, l5, l7, NULL);
	/* One error per line, and nothing else. */
	cbt_casebook(&r, ws, NULL, "account", "import", csv, NULL);
	{
		int lines = 0;

		for (const char *p = r.err; *p; p++)
			lines += *p == '\n';
		ck_assert_int_eq(lines, 3);
	}
	cbt_run_free(&r);
	free(csv);
}
END_TEST

START_TEST(stops_after_twenty_errors)
{
	char *text = malloc(1 << 16), *csv;
	size_t len = 0;
	char first[4200], last[4200], stop[4200], after[4200];
	cbt_run r;

	len += (size_t)sprintf(text, "key,name\n");
	for (int i = 0; i < 25; i++)
		len += (size_t)sprintf(text + len, "bad key %d,Bad\n", i);
	len += (size_t)sprintf(text + len, "\nfine,Fine\n");
	csv = cbt_write(ws, "many.csv", text);
	snprintf(first, sizeof(first), "%s:2: account key 'bad key 0' may hold only", csv);
	snprintf(last, sizeof(last), "%s:21: account key 'bad key 19' may hold only", csv);
	snprintf(stop, sizeof(stop), "%s: stopped after 20 errors; 7 more lines were not read", csv);
	snprintf(after, sizeof(after), "%s:22:", csv);
	refused_file(csv, NULL, first, last, stop, NULL);
	cbt_casebook(&r, ws, NULL, "account", "import", csv, NULL);
	ck_assert_msg(!cbt_has(r.err, after), "%s", r.err);
	cbt_run_free(&r);
	free(text), free(csv);
}
END_TEST

START_TEST(files_that_cannot_be_read)
{
	char want[4200];

	snprintf(want, sizeof(want), "%s/missing.csv: cannot open: No such file or directory", ws);
	{
		char path[4200];

		snprintf(path, sizeof(path), "%s/missing.csv", ws);
		refused_file(path, NULL, want, NULL);
	}
	snprintf(want, sizeof(want), "%s is a folder, not a CSV file", ws);
	refused_file(ws, NULL, want, NULL);
}
END_TEST

START_TEST(usage)
{
	cbt_run r;

	cbt_casebook(&r, ws, NULL, "account", "import", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert(cbt_has(r.err, "give one FILE"));
	cbt_run_free(&r);
	cbt_casebook(&r, ws, NULL, "account", "import", "--help", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert(strncmp(r.out, "usage: casebook account import FILE [--json]\n", 45) == 0);
	cbt_run_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("app/import");
	TCase *tc = tcase_create("import");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, imports_a_file_and_lists_it);
	tcase_add_test(tc, json_output);
	tcase_add_test(tc, imports_from_stdin);
	tcase_add_test(tc, sql_looking_text_is_stored_literally);
	tcase_add_test(tc, missing_column);
	tcase_add_test(tc, quoted_field_left_open);
	tcase_add_test(tc, non_utf8_byte);
	tcase_add_test(tc, nul_byte);
	tcase_add_test(tc, empty_and_header_only);
	tcase_add_test(tc, duplicate_key_within_the_file);
	tcase_add_test(tc, key_already_in_the_workspace);
	tcase_add_test(tc, bad_fields);
	tcase_add_test(tc, very_long_fields);
	tcase_add_test(tc, every_bad_row_is_reported);
	tcase_add_test(tc, stops_after_twenty_errors);
	tcase_add_test(tc, files_that_cannot_be_read);
	tcase_add_test(tc, usage);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
