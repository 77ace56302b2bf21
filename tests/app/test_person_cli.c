/* `casebook person` and `casebook cover` end to end, and the record imports
 * (accounts, people, sessions) that trainers feed from spreadsheets. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

static char *ws;

/* Runs a command that must succeed; up to 11 arguments. */
static void ok_argv(const char *const *a)
{
	cbt_run r;

	cbt_casebook(&r, ws, NULL, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10],
		     NULL);
	ck_assert_msg(r.status == 0, "%s %s %s: %s", a[0], a[1], a[2] ? a[2] : "", r.err);
	cbt_run_free(&r);
}

#define ok(...) ok_argv((const char *const[12]){__VA_ARGS__})

static void setup(void)
{
	ws = cbt_workspace();
	ok("person", "add", "jdoe", "--name", "Jane Doe", "--role", "technician", NULL);
	ok("person", "add", "ana", "--name", "Ana Martin", "--role", "trainer,consultant", NULL);
	ok("account", "add", "acme", "--name", "Acme", NULL, NULL, NULL);
	ok("program", "add", "tco", "--name", "Total Customer Orientation", NULL, NULL, NULL);
}

static void teardown(void)
{
	cbt_rmrf(ws);
	free(ws);
}

/* A refused command (up to 11 arguments): exit code, message, database
 * unchanged. */
static void refused_argv(int code, const char *message, const char *input, const char *const *a)
{
	char *before = cbt_db_dump(ws), *after;
	cbt_run r;

	cbt_casebook(&r, ws, input, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9],
		     a[10], NULL);
	ck_assert_msg(r.status == code, "%s %s: exit %d, want %d: %s", a[0], a[1], r.status, code,
		      r.err);
	ck_assert_msg(cbt_has(r.err, message), "want '%s' in: %s", message, r.err);
	cbt_run_free(&r);
	after = cbt_db_dump(ws);
	ck_assert_msg(strcmp(before, after) == 0, "database changed by: %s", message);
	free(before), free(after);
}

#define refused(code, message, input, ...)                                                       \
	refused_argv(code, message, input, (const char *const[12]){__VA_ARGS__})

/* Runs a command that must succeed and parses its --json output. */
static json_t *json_of_argv(const char *const *a)
{
	json_error_t jerr;
	json_t *v;
	cbt_run r;

	cbt_casebook(&r, ws, NULL, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10],
		     NULL);
	ck_assert_msg(r.status == 0, "%s %s: %s", a[0], a[1], r.err);
	v = json_loads(r.out, 0, &jerr);
	ck_assert_msg(v != NULL, "not JSON (%s): %s", jerr.text, r.out);
	cbt_run_free(&r);
	return v;
}

#define json_of(...) json_of_argv((const char *const[12]){__VA_ARGS__})

static const char *str_field(json_t *obj, const char *name)
{
	json_t *v = json_object_get(obj, name);

	ck_assert_msg(json_is_string(v), "field '%s' is not a string", name);
	return json_string_value(v);
}

START_TEST(people_add_list_show_edit)
{
	json_t *list, *p, *roles;
	cbt_run r;

	/* list --json: an array of objects with exactly the documented fields. */
	list = json_of("person", "list", "--json", NULL);
	ck_assert(json_is_array(list));
	ck_assert_uint_eq(json_array_size(list), 2);
	p = json_array_get(list, 0);
	ck_assert_uint_eq(json_object_size(p), 5);
	ck_assert_str_eq(str_field(p, "key"), "ana");
	ck_assert_str_eq(str_field(p, "name"), "Ana Martin");
	ck_assert(json_is_null(json_object_get(p, "email")));
	ck_assert_uint_eq(strlen(str_field(p, "created_at")), 20);
	roles = json_object_get(p, "roles");
	ck_assert_uint_eq(json_array_size(roles), 2);
	ck_assert_str_eq(json_string_value(json_array_get(roles, 0)), "trainer");
	ck_assert_str_eq(json_string_value(json_array_get(roles, 1)), "consultant");
	ck_assert_str_eq(str_field(json_array_get(list, 1), "key"), "jdoe");
	json_decref(list);

	/* --role filters; repeated, it keeps holders of any of them. */
	list = json_of("person", "list", "--role", "technician", "--json", NULL);
	ck_assert_uint_eq(json_array_size(list), 1);
	ck_assert_str_eq(str_field(json_array_get(list, 0), "key"), "jdoe");
	json_decref(list);
	list = json_of("person", "list", "--role", "technician", "--role", "consultant", "--json",
		       NULL);
	ck_assert_uint_eq(json_array_size(list), 2);
	json_decref(list);

	/* The table names the columns and the people. */
	cbt_casebook(&r, ws, NULL, "person", "list", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_msg(cbt_has(r.out, "key") && cbt_has(r.out, "roles") &&
			      cbt_has(r.out, "Jane Doe") && cbt_has(r.out, "trainer"),
		      "%s", r.out);
	cbt_run_free(&r);

	/* show --json: the fields, coverage and sessions (empty so far). */
	p = json_of("person", "show", "jdoe", "--json", NULL);
	ck_assert_str_eq(str_field(p, "key"), "jdoe");
	ck_assert_str_eq(str_field(p, "name"), "Jane Doe");
	ck_assert(json_is_array(json_object_get(p, "coverage")));
	ck_assert_uint_eq(json_array_size(json_object_get(p, "coverage")), 0);
	ck_assert(json_is_array(json_object_get(p, "sessions")));
	json_decref(p);

	/* add --json prints the stored record. */
	p = json_of("person", "add", "mo", "--name", "Mo Olsen", "--role", "consultant, technician",
		    "--email", "mo@example.com", "--json");
	ck_assert_str_eq(str_field(p, "email"), "mo@example.com");
	ck_assert_uint_eq(json_array_size(json_object_get(p, "roles")), 2);
	json_decref(p);

	/* edit: roles, email, name, then a rename. */
	ok("person", "edit", "ana", "--add-role", "technician", "--remove-role", "consultant",
	   "--email", "ana@example.com");
	cbt_casebook(&r, ws, NULL, "person", "list", "--role", "technician", "--csv", NULL);
	ck_assert_msg(strncmp(r.out, "key,name,email,roles,created_at\r\n"
				     "ana,Ana Martin,ana@example.com,technician;trainer,", 83) == 0,
		      "%s", r.out);
	cbt_run_free(&r);
	ok("person", "edit", "ana", "--name", "Ana Martín", "--email", "", "--rename", "amartin",
	   NULL);
	p = json_of("person", "show", "amartin", "--json", NULL);
	ck_assert_str_eq(str_field(p, "name"), "Ana Martín");
	ck_assert(json_is_null(json_object_get(p, "email")));
	json_decref(p);
	refused(1, "unknown person 'ana'", NULL, "person", "show", "ana", NULL, NULL, NULL, NULL);

	/* help: the usage line first. */
	cbt_casebook(&r, ws, NULL, "person", "add", "--help", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert(strncmp(r.out, "usage: casebook person add KEY --name NAME --role ROLE", 54) == 0);
	cbt_run_free(&r);
}
END_TEST

/* The roles manager and admin, on add and edit, in the output's role
 * order. */
START_TEST(manager_and_admin_roles)
{
	json_t *p, *roles;

	p = json_of("person", "add", "mia", "--name", "Mia Berg", "--role", "admin, manager",
		    "--json");
	roles = json_object_get(p, "roles");
	ck_assert_uint_eq(json_array_size(roles), 2);
	ck_assert_str_eq(json_string_value(json_array_get(roles, 0)), "manager");
	ck_assert_str_eq(json_string_value(json_array_get(roles, 1)), "admin");
	json_decref(p);
	ok("person", "edit", "jdoe", "--add-role", "admin", NULL);
	p = json_of("person", "list", "--role", "admin", "--json", NULL);
	ck_assert_uint_eq(json_array_size(p), 2);
	ck_assert_str_eq(str_field(json_array_get(p, 0), "key"), "jdoe");
	json_decref(p);
	ok("person", "edit", "mia", "--remove-role", "admin", NULL);
	p = json_of("person", "list", "--role", "manager", "--json", NULL);
	ck_assert_uint_eq(json_array_size(p), 1);
	ck_assert_uint_eq(json_array_size(json_object_get(json_array_get(p, 0), "roles")), 1);
	json_decref(p);
	refused(1, "unknown role 'boss': roles are technician, trainer, consultant, manager, admin",
		NULL, "person", "edit", "mia", "--add-role", "boss", NULL, NULL, NULL, NULL);
}
END_TEST

START_TEST(people_bad_input)
{
	char *longname = malloc(10001), email[260];

	memset(longname, 'x', 10000);
	longname[10000] = '\0';
	memset(email, 'e', sizeof(email));
	memcpy(email + 200, "@example.com", 13);
	refused(1, "unknown role 'boss': roles are technician, trainer, consultant", NULL, "person",
		"add", "bob", "--name", "Bob", "--role", "boss");
	refused(1, "unknown role 'boss': roles are technician, trainer, consultant", NULL, "person",
		"add", "bob", "--name", "Bob", "--role", "trainer,boss");
	refused(1, "unknown role 'technician x'", NULL, "person", "add", "bob", "--name", "Bob",
		"--role", "technician x");
	refused(1, "give at least one role", NULL, "person", "add", "bob", "--name", "Bob", "--role",
		",");
	refused(1, "person 'jdoe' already exists", NULL, "person", "add", "jdoe", "--name", "J",
		"--role", "technician");
	refused(2, "person add needs --role", NULL, "person", "add", "bob", "--name", "Bob", NULL,
		NULL);
	refused(2, "person add needs --name", NULL, "person", "add", "bob", "--role", "trainer",
		NULL, NULL);
	refused(2, "person add takes one KEY", NULL, "person", "add", "--name", "Bob", "--role",
		"trainer", NULL);
	refused(1, "person name is 10000 bytes long", NULL, "person", "add", "bob", "--name",
		longname, "--role", "trainer");
	refused(1, "person name is not valid UTF-8", NULL, "person", "add", "bob", "--name",
		"B\xC3\x28", "--role", "trainer");
	refused(1, "person name is empty", NULL, "person", "add", "bob", "--name", "", "--role",
		"trainer");
	refused(1, "email 'bob' is not an address", NULL, "person", "add", "bob", "--name", "Bob",
		"--role", "trainer", "--email", "bob");
	refused(1, "is not an address", NULL, "person", "add", "bob", "--name", "Bob", "--role",
		"trainer", "--email", "bob@a@b");
	refused(1, "is not an address", NULL, "person", "add", "bob", "--name", "Bob", "--role",
		"trainer", "--email", "bob smith@example.com");
	refused(1, "the part before '@' is longer than 64 bytes", NULL, "person", "add", "bob",
		"--name", "Bob", "--role", "trainer", "--email", email);
	/* what git's author line and xAPI's mailto: need */
	refused(1, "person name 'Ann <boss>' must not hold '<' or '>'", NULL, "person", "add", "bob",
		"--name", "Ann <boss>", "--role", "trainer");
	refused(1, "person name contains control character 0x0A", NULL, "person", "add", "bob",
		"--name", "Two\nLines", "--role", "trainer");
	refused(1, "person name '...' holds no letters or digits", NULL, "person", "add", "bob",
		"--name", "...", "--role", "trainer");
	refused(1, "email 'b<o>b@x.example' is not an address like name@example.com: before '@' only",
		NULL, "person", "add", "bob", "--name", "Bob", "--role", "trainer", "--email",
		"b<o>b@x.example");
	refused(1, "a dot before '@' must stand between other characters", NULL, "person", "add",
		"bob", "--name", "Bob", "--role", "trainer", "--email", "bob.@x.example");
	refused(1, "a part of the domain may not start with '-'", NULL, "person", "add", "bob",
		"--name", "Bob", "--role", "trainer", "--email", "bob@-x.example");
	refused(1, "the domain has an empty part", NULL, "person", "add", "bob", "--name", "Bob",
		"--role", "trainer", "--email", "bob@x..example");
	refused(1, "email contains control character 0x0A", NULL, "person", "add", "bob", "--name",
		"Bob", "--role", "trainer", "--email", "bob@x.example\n");
	refused(1, "must not hold '<' or '>'", NULL, "person", "edit", "jdoe", "--name", "J <x>",
		NULL, NULL);
	refused(1, "is not an address like name@example.com", NULL, "person", "edit", "jdoe",
		"--email", "jdoe@exa mple.com", NULL, NULL);
	refused(1, "person key 'a b' may hold only", NULL, "person", "add", "a b", "--name", "Bob",
		"--role", "trainer");
	refused(1, "person key '../bob' may hold only", NULL, "person", "add", "../bob", "--name",
		"Bob", "--role", "trainer");
	refused(1, "unknown person 'jdoee' (did you mean 'jdoe'?)", NULL, "person", "show", "jdoee",
		NULL, NULL, NULL, NULL);
	refused(2, "person show has no --csv", NULL, "person", "show", "jdoe", "--csv", NULL, NULL,
		NULL);
	refused(1, "unknown role 'boss'", NULL, "person", "list", "--role", "boss", NULL, NULL,
		NULL);

	/* edit */
	refused(1, "would have no role left", NULL, "person", "edit", "jdoe", "--remove-role",
		"technician", NULL, NULL);
	refused(1, "unknown person 'jdoee' (did you mean 'jdoe'?)", NULL, "person", "edit", "jdoee",
		"--name", "J", NULL, NULL);
	refused(1, "unknown role 'boss'", NULL, "person", "edit", "jdoe", "--add-role", "boss",
		NULL, NULL);
	refused(1, "person 'ana' already exists", NULL, "person", "edit", "jdoe", "--rename", "ana",
		NULL, NULL);
	refused(1, "person key 'a b' may hold only", NULL, "person", "edit", "jdoe", "--rename",
		"a b", NULL, NULL);
	refused(1, "person name is 10000 bytes long", NULL, "person", "edit", "jdoe", "--name",
		longname, NULL, NULL);
	refused(2, "person edit: nothing to change", NULL, "person", "edit", "jdoe", NULL, NULL,
		NULL, NULL);
	free(longname);
}
END_TEST

START_TEST(sql_looking_text_is_only_text)
{
	const char *name = "Robert'); DROP TABLE person;--";
	json_t *p;

	ok("person", "add", "bobby", "--name", name, "--role", "trainer", "--email",
	   "x'or'1'='1@example.com", NULL);
	p = json_of("person", "show", "bobby", "--json", NULL);
	ck_assert_str_eq(str_field(p, "name"), name);
	ck_assert_str_eq(str_field(p, "email"), "x'or'1'='1@example.com");
	json_decref(p);
	p = json_of("person", "list", "--json", NULL);
	ck_assert_uint_eq(json_array_size(p), 3); /* the table is still there */
	json_decref(p);
}
END_TEST

START_TEST(coverage_periods)
{
	json_t *v, *row;
	cbt_run r;

	/* The happy path, in text and in JSON. */
	cbt_casebook(&r, ws, NULL, "cover", "jdoe", "acme", "--from", "2025-01-01", "--to",
		     "2025-06-30", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "jdoe covers acme from 2025-01-01 to 2025-06-30\n");
	cbt_run_free(&r);
	v = json_of("cover", "jdoe", "acme", "--from", "2025-07-01", "--json", NULL);
	ck_assert_str_eq(str_field(v, "person"), "jdoe");
	ck_assert_str_eq(str_field(v, "account"), "acme");
	ck_assert_str_eq(str_field(v, "from"), "2025-07-01");
	ck_assert(json_is_null(json_object_get(v, "to")));
	json_decref(v);

	/* Refusals: each leaves the database as it was. */
	refused(1, "jdoe already covers acme: the period overlaps the one recorded from 2025-07-01 with no end",
		NULL, "cover", "jdoe", "acme", "--from", "2026-01-01", NULL, NULL);
	refused(1, "jdoe already covers acme: the period overlaps the one recorded from 2025-01-01 to 2025-06-30",
		NULL, "cover", "jdoe", "acme", "--from", "2024-01-01", "--to", "2025-01-01");
	refused(1, "--to 2025-01-01 is before --from 2025-03-01", NULL, "cover", "jdoe", "acme",
		"--from", "2025-03-01", "--to", "2025-01-01");
	refused(1, "--from: 2025-02-30: February 2025 has 28 days", NULL, "cover", "jdoe", "acme",
		"--from", "2025-02-30", NULL, NULL);
	refused(1, "--to: 2024-02-30: February 2024 has 29 days", NULL, "cover", "jdoe", "acme",
		"--from", "2024-01-01", "--to", "2024-02-30");
	refused(1, "--from: ", NULL, "cover", "jdoe", "acme", "--from", "01/03/2025", NULL, NULL);
	refused(1, "person 'ana' is not a technician; only technicians cover accounts", NULL,
		"cover", "ana", "acme", "--from", "2024-01-01", NULL, NULL);
	refused(1, "unknown person 'jdo' (did you mean 'jdoe'?)", NULL, "cover", "jdo", "acme",
		"--from", "2024-01-01", NULL, NULL);
	refused(1, "unknown account 'acmee' (did you mean 'acme'?)", NULL, "cover", "jdoe", "acmee",
		"--from", "2024-01-01", NULL, NULL);
	refused(2, "cover needs --from", NULL, "cover", "jdoe", "acme", NULL, NULL, NULL, NULL);
	refused(2, "cover takes a PERSON and an ACCOUNT", NULL, "cover", "jdoe", "--from",
		"2024-01-01", NULL, NULL, NULL);
	refused(2, "--person and --account go with --list", NULL, "cover", "jdoe", "acme", "--from",
		"2024-01-01", "--person", "jdoe");
	refused(2, "cover --list takes only --person and --account", NULL, "cover", "--list",
		"--from", "2024-01-01", NULL, NULL, NULL);
	refused(1, "unknown person 'jdo' (did you mean 'jdoe'?)", NULL, "cover", "--list",
		"--person", "jdo", NULL, NULL, NULL);

	/* Both sides see it: person show, account show, cover --list. */
	v = json_of("person", "show", "jdoe", "--json", NULL);
	ck_assert_uint_eq(json_array_size(json_object_get(v, "coverage")), 2);
	row = json_array_get(json_object_get(v, "coverage"), 0);
	ck_assert_str_eq(str_field(row, "account"), "acme");
	ck_assert_str_eq(str_field(row, "name"), "Acme");
	ck_assert_str_eq(str_field(row, "from"), "2025-01-01");
	ck_assert_str_eq(str_field(row, "to"), "2025-06-30");
	json_decref(v);
	v = json_of("account", "show", "acme", "--json", NULL);
	ck_assert_uint_eq(json_array_size(json_object_get(v, "coverage")), 2);
	row = json_array_get(json_object_get(v, "coverage"), 1);
	ck_assert_str_eq(str_field(row, "person"), "jdoe");
	ck_assert_str_eq(str_field(row, "name"), "Jane Doe");
	ck_assert_str_eq(str_field(row, "from"), "2025-07-01");
	ck_assert(json_is_null(json_object_get(row, "to")));
	json_decref(v);
	cbt_casebook(&r, ws, NULL, "cover", "--list", "--person", "jdoe", "--csv", NULL);
	ck_assert_str_eq(r.out, "person,account,from,to\r\n"
				"jdoe,acme,2025-01-01,2025-06-30\r\njdoe,acme,2025-07-01,\r\n");
	cbt_run_free(&r);
	v = json_of("cover", "--list", "--account", "acme", "--json", NULL);
	ck_assert_uint_eq(json_array_size(v), 2);
	ck_assert_uint_eq(json_object_size(json_array_get(v, 0)), 4);
	json_decref(v);

	/* Ending the open period, then shortening it; refusals change nothing. */
	cbt_casebook(&r, ws, NULL, "cover", "jdoe", "acme", "--end", "2025-12-31", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "jdoe covers acme from 2025-07-01 to 2025-12-31\n");
	cbt_run_free(&r);
	v = json_of("cover", "jdoe", "acme", "--end", "2025-09-30", "--json", NULL);
	ck_assert_str_eq(str_field(v, "from"), "2025-07-01");
	ck_assert_str_eq(str_field(v, "to"), "2025-09-30");
	json_decref(v);
	refused(1, "jdoe does not cover acme on 2025-10-15: no period to end", NULL, "cover", "jdoe",
		"acme", "--end", "2025-10-15", NULL, NULL);
	refused(1, "--end: 2025-13-01", NULL, "cover", "jdoe", "acme", "--end", "2025-13-01", NULL,
		NULL);
	refused(1, "unknown account 'acmee' (did you mean 'acme'?)", NULL, "cover", "jdoe", "acmee",
		"--end", "2025-08-01", NULL, NULL);
	refused(2, "--end goes alone", NULL, "cover", "jdoe", "acme", "--end", "2025-08-01", "--from",
		"2025-01-01");
	/* the freed days take a new period */
	ok("cover", "jdoe", "acme", "--from", "2025-10-01", NULL);
	/* Removing one recorded by mistake: only by its first day. */
	refused(1, "no period of jdoe at acme starts on 2025-02-01", NULL, "cover", "jdoe", "acme",
		"--remove", "--from", "2025-02-01", NULL);
	refused(2, "--remove takes the period's first day", NULL, "cover", "jdoe", "acme", "--remove",
		NULL, NULL, NULL, NULL);
	cbt_casebook(&r, ws, NULL, "cover", "jdoe", "acme", "--remove", "--from", "2025-01-01", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "removed the period jdoe covers acme from 2025-01-01 to 2025-06-30\n");
	cbt_run_free(&r);
	cbt_casebook(&r, ws, NULL, "cover", "--list", "--person", "jdoe", "--csv", NULL);
	ck_assert_str_eq(r.out, "person,account,from,to\r\n"
				"jdoe,acme,2025-07-01,2025-09-30\r\njdoe,acme,2025-10-01,\r\n");
	cbt_run_free(&r);

	cbt_casebook(&r, ws, NULL, "cover", "--help", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert(strncmp(r.out, "usage: casebook cover PERSON ACCOUNT --from DATE", 48) == 0);
	ck_assert(cbt_has(r.out, "--end DATE ends the period that holds DATE"));
	ck_assert(cbt_has(r.out, "Only people with the technician role cover accounts"));
	ck_assert(cbt_has(r.out, "casebook cover --list"));
	cbt_run_free(&r);
}
END_TEST

START_TEST(record_imports_all_or_nothing)
{
	char *csv;
	cbt_run r;

	cbt_casebook(&r, ws, "key,name,industry,region\nglobex,\"Globex, Inc.\",Chemicals,\ninitech,Initech,,UK\n",
		     "account", "import", "-", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert(cbt_has(r.out, "imported 2 accounts from <stdin>"));
	cbt_run_free(&r);
	cbt_casebook(&r, ws, "key,name,roles,email\nmo,Mo Olsen,technician;trainer,mo@example.com\n",
		     "person", "import", "-", NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	cbt_run_free(&r);
	csv = cbt_write(ws, "sessions.csv",
			"program,title,format,start,end,trainer,attendees,accounts,cost,currency\n"
			"tco,Spring cohort,blended,2025-03-03,2025-03-05,ana,jdoe;mo,acme;globex,12000,EUR\n"
			"tco,Webinar,virtual,2025-04-01,2025-04-01,mo,jdoe,initech,,\n");
	cbt_casebook(&r, ws, NULL, "session", "import", csv, NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert(cbt_has(r.out, "imported 2 sessions"));
	cbt_run_free(&r);
	cbt_casebook(&r, ws, NULL, "session", "show", "tco-2025-03-03", "--json", NULL);
	ck_assert(cbt_has(r.out, "\"person\": \"mo\"") && cbt_has(r.out, "\"key\": \"globex\""));
	cbt_run_free(&r);
	free(csv);
}
END_TEST

START_TEST(record_imports_bad_files)
{
	refused(1, "<stdin>: the file is empty", "", "account", "import", "-", NULL, NULL, NULL, NULL);
	refused(1, "<stdin>: no rows after the header", "key,name\n", "account", "import", "-", NULL,
		NULL, NULL, NULL);
	refused(1, "<stdin>:1: missing column 'name' (the header has: key, industry)",
		"key,industry\nx,y\n", "account", "import", "-", NULL, NULL, NULL, NULL);
	refused(1, "<stdin>:2: a quoted field is never closed", "key,name\nx,\"open\n", "account",
		"import", "-", NULL, NULL, NULL, NULL);
	refused(1, "<stdin>:3: not valid UTF-8 (byte 0xE9 in field 2)", "key,name\nx,X\ny,Caf\xE9\n",
		"account", "import", "-", NULL, NULL, NULL, NULL);
	/* Every bad row is named, and the good ones do not go in either. */
	refused(1, "<stdin>:3: account 'acme' already exists",
		"key,name\nfresh,Fresh\nacme,Again\nfresh,Twice\n\"a b\",Spaces\n", "account",
		"import", "-", NULL, NULL, NULL, NULL);
	refused(1, "<stdin>:4: account 'fresh' already exists",
		"key,name\nfresh,Fresh\nacme,Again\nfresh,Twice\n\"a b\",Spaces\n", "account",
		"import", "-", NULL, NULL, NULL, NULL);
	refused(1, "<stdin>:5: account key 'a b' may hold only",
		"key,name\nfresh,Fresh\nacme,Again\nfresh,Twice\n\"a b\",Spaces\n", "account",
		"import", "-", NULL, NULL, NULL, NULL);
	refused(1, "<stdin>:2: unknown role 'boss'", "key,name,roles\nbo,Bo,boss\n", "person",
		"import", "-", NULL, NULL, NULL, NULL);
	refused(1, "<stdin>:2: start date: 2025-02-30: February 2025 has 28 days",
		"program,title,format,start,end,trainer\ntco,T,virtual,2025-02-30,2025-03-01,ana\n",
		"session", "import", "-", NULL, NULL, NULL, NULL);
	refused(1, "<stdin>:2: unknown program 'tcp' (did you mean 'tco'?)",
		"program,title,format,start,end,trainer\ntcp,T,virtual,2025-03-01,2025-03-01,ana\n",
		"session", "import", "-", NULL, NULL, NULL, NULL);
	refused(1, "<stdin>:2: unknown format 'hybrid'",
		"program,title,format,start,end,trainer\ntco,T,hybrid,2025-03-01,2025-03-01,ana\n",
		"session", "import", "-", NULL, NULL, NULL, NULL);
	refused(1, "end date 2025-02-01 is before start date 2025-03-01",
		"program,title,format,start,end,trainer\ntco,T,virtual,2025-03-01,2025-02-01,ana\n",
		"session", "import", "-", NULL, NULL, NULL, NULL);
	refused(1, "<stdin>:2: attendees: an empty item in 'jdoe;;mo'",
		"program,title,format,start,end,trainer,attendees\ntco,T,virtual,2025-03-01,2025-03-01,ana,jdoe;;mo\n",
		"session", "import", "-", NULL, NULL, NULL, NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("app/person");
	TCase *tc = tcase_create("person");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, people_add_list_show_edit);
	tcase_add_test(tc, manager_and_admin_roles);
	tcase_add_test(tc, people_bad_input);
	tcase_add_test(tc, sql_looking_text_is_only_text);
	tcase_add_test(tc, coverage_periods);
	tcase_add_test(tc, record_imports_all_or_nothing);
	tcase_add_test(tc, record_imports_bad_files);
	suite_add_tcase(s, tc);
	return cbt_main(s);
}
